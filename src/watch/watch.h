/*
 * watch.h: drop-folder processing ('loket-import watch DIR').
 *
 * A folder holds inbox/ processing/ done/ failed/ reports/ (names configurable) and a private
 * .loket-watch/ with the registry of imported files, per-file run state and journals. A file
 * dropped in inbox/ is taken once it is complete (settled), claimed by an atomic rename into
 * processing/, imported by a child process of this same binary ('apply' or 'plan'), then moved
 * to done/ or failed/ with its report in reports/. The parts here are split so that the pure
 * decisions (which names to take, which rule applies, whether a file has settled, whether its
 * content was imported before) can be tested without a folder or a child process.
 */
#ifndef LK_WATCH_H
#define LK_WATCH_H

#include "common/error.h"

#include <signal.h>
#include <stddef.h>
#include <stdio.h>

/* ---------------------------------------------------------------- file names */

/* Why a name is skipped as "not a finished file" (dotfiles, *.part, *.tmp, *.filepart, ~$*,
 * or one of the extra globs), or NULL when the name may be taken. */
const char *lk_watch_name_ignored(const char *name, char *const *extra_globs, size_t n_extra);
/* Why a name is refused outright (empty, path separators, control characters), or NULL. */
const char *lk_watch_name_unsafe(const char *name);
/* A copy of name fit for building file names of reports: unsafe bytes become '_', at most
 * size-1 bytes (size >= 2). */
void lk_watch_name_sanitize(const char *name, char *out, size_t size);

/* ---------------------------------------------------------------- folder config */

typedef enum lk_watch_mode { LK_WATCH_PLAN, LK_WATCH_APPLY } lk_watch_mode;

typedef struct lk_watch_rule {
    char *match;            /* fnmatch glob on the file name */
    int case_sensitive;     /* default 0: exports from Windows systems vary in case */
    char *mapping;          /* absolute, or made absolute against the config's folder */
    char *employer;         /* NULL = the mapping decides */
    char *period;           /* NULL = the mapping decides */
    lk_watch_mode mode;
    int allow_duplicates;   /* import content already imported again */
    char **options;         /* extra arguments for the import, e.g. "--allow-partial" */
    size_t n_options;
} lk_watch_rule;

typedef struct lk_watch_config {
    char *inbox, *processing, *done, *failed, *reports; /* relative to DIR */
    double settle_seconds;  /* size and times unchanged this long before a file is taken */
    double rescan_seconds;  /* periodic rescan besides inotify */
    int max_attempts;       /* runs of a file that crashed before it goes to failed/ */
    char **ignore;          /* extra globs of names never taken */
    size_t n_ignore;
    char **options;         /* extra arguments for every import */
    size_t n_options;
    lk_watch_rule *rules;
    size_t n_rules;
    double *retry_seconds;  /* waits after the 1st, 2nd, ... transient failure; the last repeats */
    size_t n_retry;
    double retry_max_age_seconds; /* transient failures for longer than this: failed/ */
    char **on_failure;      /* hook command (argv, no shell) when a file went to failed/ */
    size_t n_on_failure;
    char **on_success;      /* hook command when a file went to done/ */
    size_t n_on_success;
    double hook_timeout_seconds;
    double probe_seconds;   /* while files wait: ask Loket this often whether it answers again
                               (one cheap request), so they are tried soon after; 0 = never */
} lk_watch_config;

/* The defaults: the standard folder names, 5 s settle, 60 s rescan, 3 attempts, no rules,
 * retries after 1, 5, 15, 30 and then every 60 minutes for at most 24 hours, no hooks. */
lk_watch_config *lk_watch_config_new(void);
void lk_watch_config_free(lk_watch_config *cfg);
/* Parses JSON text into cfg (on top of the defaults). Relative mapping paths are taken against
 * base_dir; origin names the file in errors. Unknown keys are errors (they are typos). */
lk_code lk_watch_config_parse(lk_watch_config *cfg, const char *json, const char *base_dir,
                              const char *origin, lk_error *err);
lk_code lk_watch_config_load(const char *path, lk_watch_config **out, lk_error *err);
/* The first rule whose glob matches name, or NULL. */
const lk_watch_rule *lk_watch_rule_find(const lk_watch_config *cfg, const char *name);
const char *lk_watch_mode_name(lk_watch_mode mode);

/* ---------------------------------------------------------------- transient failures */

/* Seconds to wait after the n-th (1-based) transient failure of a file. */
double lk_watch_retry_delay(const lk_watch_config *cfg, int n);
/* 1 when a file failing transiently since first_failure (unix time) is still retried at now. */
int lk_watch_retry_allowed(const lk_watch_config *cfg, long long first_failure, long long now);

/* The first real cause of a failed import, from its JSON report and its log. */
typedef struct lk_watch_cause {
    char *text;       /* one line for a person, or NULL when nothing says */
    int transient;    /* the failure may pass by itself (no connection, 5xx/429): retry later */
    int login_refused; /* exit 3, the token service said invalid_grant or invalid_client */
} lk_watch_cause;

/* report_json and log may be NULL. exit_code is the import's. */
void lk_watch_cause_find(const char *report_json, const char *log, int exit_code,
                         lk_watch_cause *out);
void lk_watch_cause_free(lk_watch_cause *c);

/* ---------------------------------------------------------------- settling */

/* What one lstat() of a file says; a change of any field means the file is still written. */
typedef struct lk_watch_filestat {
    long long size;
    long long mtime_ns;
    long long ctime_ns;
    unsigned long long ino;
} lk_watch_filestat;

typedef struct lk_watch_settle lk_watch_settle;

lk_watch_settle *lk_watch_settle_new(double settle_ms);
void lk_watch_settle_free(lk_watch_settle *s);
/* Records an observation of name at now_ms (monotonic). Returns 1 when the file has been seen
 * unchanged for the settle time, else 0 with *remaining_ms (may be NULL) set to the wait left. */
int lk_watch_settle_observe(lk_watch_settle *s, const char *name, const lk_watch_filestat *st,
                            double now_ms, double *remaining_ms);
/* What inotify said of name: written (1: not complete until closed), or closed after writing
 * or moved in (0: the settle time counts from now). NULL: events were lost, forget them all. */
void lk_watch_settle_writing(lk_watch_settle *s, const char *name, int writing);
void lk_watch_settle_forget(lk_watch_settle *s, const char *name);
/* Forget every name not observed since the previous call (files that went away). */
void lk_watch_settle_prune(lk_watch_settle *s);
size_t lk_watch_settle_count(const lk_watch_settle *s);

/* ---------------------------------------------------------------- registry */

/* One line of DIR/.loket-watch/imported.jsonl. The latest line of a SHA-256 is its state. */
typedef struct lk_watch_record {
    char sha256[65];
    char name[256];
    char run[320];
    char status[16];  /* started imported partial not-sent failed forgotten */
    char time[24];
    int exit_code;    /* -1 = none */
} lk_watch_record;

void lk_watch_record_init(lk_watch_record *rec, const char *sha256, const char *name,
                          const char *run, const char *status, int exit_code);
/* 1 when content in this state must not be imported again without allow_duplicates. */
int lk_watch_status_blocks_duplicate(const char *status);
/* Under an exclusive flock of the registry: finds the latest record of rec->sha256 into *prior
 * (*found set); when it blocks a duplicate and !allow_duplicate, sets *is_duplicate and appends
 * nothing; else appends rec (fsync). When the latest record is rec's own run with rec's status
 * (a claim repeated after a crash), nothing is appended and it is no duplicate. Either of
 * prior, found may be NULL. */
lk_code lk_watch_registry_claim(const char *path, const lk_watch_record *rec, int allow_duplicate,
                                int *is_duplicate, lk_watch_record *prior, int *found,
                                lk_error *err);
/* Appends rec under the lock (fsync). */
lk_code lk_watch_registry_append(const char *path, const lk_watch_record *rec, lk_error *err);
/* The latest record of sha256 (or of a file name, when by_name) without changing anything. */
lk_code lk_watch_registry_find(const char *path, const char *key, int by_name,
                               lk_watch_record *latest, int *found, lk_error *err);

/* ---------------------------------------------------------------- order (order.c) */

/* What a file's import writes to: one key per employee and period, "EMPLOYEE\tPERIOD\tEMPLOYER"
 * (EMPLOYEE "n1001" by employee number, every employment of it, or "e<employment id>"; PERIOD
 * or EMPLOYER "*" when the file does not say). all: unknown, so it touches everything. */
typedef struct lk_watch_scope {
    char **keys;   /* sorted, unique */
    size_t n;
    int all;
} lk_watch_scope;

void lk_watch_scope_free(lk_watch_scope *s);
/* From the JSON of 'loket-import validate --json' (its "entries"); employer, when not NULL,
 * is the rule's and wins over the file's. A document without entries gives all = 1. */
void lk_watch_scope_from_validate(const char *json, const char *employer, lk_watch_scope *out);
/* One key a line; "*" alone means all. */
char *lk_watch_scope_to_text(const lk_watch_scope *s);
void lk_watch_scope_from_text(const char *text, lk_watch_scope *out);
/* Number of keys of a that some key of b touches (same employee, periods and employers equal
 * or "*"); those keys go to common when not NULL (all when a or b is). */
size_t lk_watch_scope_overlap(const lk_watch_scope *a, const lk_watch_scope *b,
                              lk_watch_scope *common);
/* The first max keys for a person, "employee 1001, 2026-11; ..." (at most size bytes). */
void lk_watch_scope_describe(const lk_watch_scope *s, size_t max, char *out, size_t size);
/* Each record, for a person: "employee 1001, 2026-11" (employer added when known). */
void lk_watch_scope_key_describe(const char *key, char *out, size_t size);

/* All well-formed records of the registry, oldest first (caller frees *recs). */
lk_code lk_watch_registry_load(const char *path, lk_watch_record **recs, size_t *n,
                               lk_error *err);
/* For a file dropped again: the index in recs of the first record of sha256 since it was last
 * forgotten, or -1 when the content is new (never taken, or forgotten since). */
long lk_watch_first_taken(const lk_watch_record *recs, size_t n, const char *sha256);
/* The final status of a run: its latest record's. */
const char *lk_watch_run_status(const lk_watch_record *recs, size_t n, const char *run);

/* ---------------------------------------------------------------- the watcher */

typedef struct lk_watch_options {
    const char *dir;
    const lk_watch_config *cfg;
    int once;                     /* process what is there, then exit */
    int log_priority;             /* "<N>" syslog prefixes for journald */
    const char *importer;         /* executable of the child; NULL = this binary */
    char **pass_args;             /* common options passed to every child (--config, ...) */
    size_t n_pass_args;
} lk_watch_options;

/* Runs the watcher until a signal (resident) or until the inbox is empty (once). Returns the
 * exit code of the command: 0, 1 when some file of a --once run went to failed/, 3 when the
 * folder cannot be used, 5 when stopped by a signal during a --once run. */
int lk_watch_run(const lk_watch_options *opts);

/* 'watch status DIR': the login, the inbox, each file in processing/ (waiting and why, held
 * behind which file, being imported), recent failures; as text or JSON. Returns an exit code. */
int lk_watch_status(const char *dir, int json);

/* Marks the content of a file (SHA-256 hex, or a file name last imported) as importable again.
 * Returns an exit code. */
int lk_watch_forget(const char *dir, const char *sha_or_name);

#endif
