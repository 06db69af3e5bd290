/*
 * safefile.h: creating and opening the files the importer writes without following a symlink,
 * trusting a predictable name or a folder another user can write in.
 *
 * Every write of a whole file (token store, reports, journals, watch state) goes through
 * lk_safe_file_begin/commit: a temporary with an unpredictable name, created O_EXCL|O_NOFOLLOW in
 * the target's folder (opened once, so the folder cannot be swapped in between), renamed over
 * the final name within that folder. A rename replaces a symlink at the final name rather than
 * writing through it. Files appended to or locked (trace, logs, lock files, journals) are opened
 * with lk_safe_open: no symlink, a regular file, owned by this user. Folders that hold secrets
 * or configuration are checked with lk_dir_check_private, the way OpenSSH checks ~/.ssh.
 *
 * Every file written here is the program's own, never the user's input: a failure is LK_ERR_ENV
 * (exit 3) with the path and the errno text, so a read-only or foreign folder is never reported
 * as an error in the file being imported.
 */
#ifndef LK_SAFEFILE_H
#define LK_SAFEFILE_H

#include "common/error.h"

#include <stdbool.h>
#include <sys/types.h>

/* A whole file being written. Fields are the module's; callers use fd to write. */
typedef struct lk_safe_file {
    int dir_fd;     /* the target's folder */
    int fd;         /* the temporary, open for writing */
    char *tmp_name; /* the temporary's name within dir_fd */
    char *base;     /* the final name within dir_fd */
    char *path;     /* the final path, for messages */
    int mode;
} lk_safe_file;

/* Creates the temporary beside path (mode exact, whatever the umask). */
lk_code lk_safe_file_begin(lk_safe_file *f, const char *path, int mode, lk_error *err);
/* Writes all of data to the temporary. */
lk_code lk_safe_file_write(lk_safe_file *f, const void *data, size_t len, lk_error *err);
/* fsync, rename over the final name, fsync of the folder. When keep_fd is non-NULL the written
 * file stays open there (for a journal that is appended to next); else it is closed. Always
 * releases f, also on failure (the temporary is then removed). */
lk_code lk_safe_file_commit(lk_safe_file *f, int *keep_fd, lk_error *err);
/* Removes the temporary and releases f. Safe on a zeroed or released f. */
void lk_safe_file_abort(lk_safe_file *f);

/* A private scratch folder (0700, unpredictable name) beside path, for writers that only take
 * a file name (libxlsxwriter): the writer writes lk_safe_scratch_path(); commit moves that
 * file to path and removes the folder. */
typedef struct lk_safe_scratch {
    int dir_fd;     /* the target's folder */
    int scratch_fd; /* the scratch folder */
    char *scratch_name;
    char *file_path; /* the file inside the scratch folder the writer may create */
    char *base;
    char *path;
    int mode;
} lk_safe_scratch;

lk_code lk_safe_scratch_begin(lk_safe_scratch *s, const char *path, int mode, lk_error *err);
lk_code lk_safe_scratch_commit(lk_safe_scratch *s, lk_error *err);
void lk_safe_scratch_abort(lk_safe_scratch *s);

/* Reads a configuration file whole (at most max bytes) from the descriptor that passed
 * lk_file_check_trusted: a file others can change is refused (LK_ERR_CONFIG), so nobody else can
 * point the importer at another server or choose what it writes. */
lk_code lk_read_trusted_file(const char *path, size_t max, const char *what, char **out,
                             size_t *len, lk_error *err);

/* mode without the bits the process's umask removes: for files the user may want to share
 * (reports: 0640 at most, 0600 under umask 077). Private files (tokens, journals) keep their
 * exact mode instead. */
int lk_mode_under_umask(int mode);

/* Opens path with flags (O_WRONLY|O_APPEND, O_RDWR, ...; O_NOFOLLOW and O_CLOEXEC are added).
 * With O_CREAT a missing file is created with mode. Refuses a symlink, anything but a regular
 * file, and a file owned by another user (root's files are refused too unless we are root).
 * An existing file is given mode when mode >= 0 (a trace created 0644 by an old version
 * becomes 0600). Returns the descriptor or -1 with err set. */
int lk_safe_open(const char *path, int flags, int mode, lk_error *err);

/* Checks a folder that holds secrets or configuration: it must be a folder, owned by this user
 * or root, and writable by nobody else; each folder above it must be owned by this user or
 * root and writable by others only when sticky (/tmp). what names the folder in the message
 * ("the token store's folder"). */
lk_code lk_dir_check_private(const char *dir, const char *what, lk_error *err);
/* The same for an open file (configuration): a regular file owned by this user or root that
 * nobody else can write. */
lk_code lk_file_check_trusted(int fd, const char *path, const char *what, lk_error *err);

#endif
