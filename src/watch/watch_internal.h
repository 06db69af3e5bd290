/*
 * watch_internal.h: helpers shared by the files of src/watch/ (not used elsewhere).
 */
#ifndef LK_WATCH_INTERNAL_H
#define LK_WATCH_INTERNAL_H

#include "watch/watch.h"

#include <signal.h>
#include <sys/types.h>

/* A folder below root_fd by relative path, opened without following symlinks; -1 + errno. */
int lk_watch_open_subdir(int root_fd, const char *rel, int create);
/* The same; a last component it creates gets exactly last_mode (the umask aside). */
int lk_watch_open_subdir_mode(int root_fd, const char *rel, int create, mode_t last_mode);
/* The first 32 hex digits of SHA-256(name): lock and state file names of a file name. */
void lk_watch_name_hash(const char *name, char out[33]);
/* An exclusive, non-blocking lock of a file name: fd, or -1 with errno EBUSY when another
 * process holds it. */
int lk_watch_lock_name(int runs_fd, const char *hash);
void lk_watch_unlock_name(int runs_fd, const char *hash, int fd);
/* Renames without ever replacing: name, then name.2.ext, ... The name used goes to dest. */
int lk_watch_move_noreplace(int from_fd, const char *name, int to_fd, char *dest, size_t size);
lk_code lk_watch_sha256_fd(int fd, char out[65], long long *size, lk_error *err);
const char *lk_watch_file_type(mode_t mode);

/* What a hook (onFailure / onSuccess) is told, in LOKET_WATCH_* variables (hook.c). */
typedef struct lk_watch_hook_event {
    const char *file;       /* where the file is now: DIR/failed/NAME or DIR/done/NAME */
    const char *name;       /* its name as dropped */
    const char *outcome;    /* imported, input-error, ... */
    const char *cause;      /* the first real cause, or NULL */
    const char *reason;     /* the outcome's sentence */
    const char *report;     /* DIR/reports/RUN.watch.json */
    const char *run;
    const char *dir;        /* the drop folder */
    int exit_code;          /* the import's, -1 = none ran */
} lk_watch_hook_event;

/* The hook's environment: this process's without its secrets, plus the event. */
char **lk_watch_hook_env(const lk_watch_hook_event *ev);
void lk_watch_hook_env_free(char **env);
/* Runs argv (PATH search) with that environment, output to out_fd (-1: /dev/null), at most
 * timeout_s seconds. Returns its wait status, or -1 with why set (could not start, killed). */
int lk_watch_hook_run(char *const *argv, const lk_watch_hook_event *ev, double timeout_s,
                      const sigset_t *child_mask, int out_fd, char *why, size_t why_size);

#endif
