/*
 * watcher.c: the drop-folder loop. Scans inbox/, takes settled files one at a time, runs each
 * import as a child process of this binary (as git's run-command does), and files the result.
 *
 * Life of a file:
 *   inbox/NAME --lock NAME, rename--> processing/NAME --child 'apply'/'plan'--> done/ or failed/
 * The per-name lock (.loket-watch/runs/HASH.lock, flock) is held from before the claim until
 * the file has left processing/, and the child inherits it: a second watcher never touches a
 * file whose import is still running, even when the watcher that started it was killed.
 * The run state (.loket-watch/runs/HASH.json) names the run (journal, reports), so a watcher
 * that starts after a crash resumes the file with 'apply --resume' from its journal.
 */
#include "watch/watch_internal.h"

#include "common/i18n.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define STATE_MAX_BYTES (64 * 1024)
#define SCOPE_MAX_BYTES (64u * 1024 * 1024)
#define RUN_STEM_MAX 150

static char **list_folder(int dir_fd, size_t *count);
struct watcher;
static void read_inotify(struct watcher *w);
static void free_names(char **names, size_t n);

typedef struct watcher watcher;
struct watcher {
    const lk_watch_options *opts;
    const lk_watch_config *cfg;
    char *root;          /* real path of DIR */
    int root_fd, inbox_fd, processing_fd, done_fd, failed_fd, reports_fd, runs_fd, journals_fd;
    int state_fd, scopes_fd; /* .loket-watch/ and its scopes/ (what each run touches) */
    char *registry;      /* path of imported.jsonl */
    lk_watch_settle *settle;
    int sig_fd;
    sigset_t orig_mask;  /* restored in the child */
    int inotify_fd;      /* -1 with --once */
    int stopping;        /* SIGTERM/SIGINT received */
    int failed_count;    /* files sent to failed/ by this watcher */
    int left_count;      /* files left in processing/ when stopping */
    int retry;           /* a file was left in processing/ to be resumed at once */
    int errors;          /* the watcher could not do its own work (registry, moves, state) */
    int waiting_count;   /* files waiting in processing/ to be retried after a transient failure */
    int held_count;      /* files waiting in processing/ for an earlier file of the same records */
    long long next_due;  /* unix time the first waiting file is due again; 0 = none */
    double last_probe;   /* monotonic ms of the last probe of Loket; 0 = none yet */
    int probe_failing;   /* the last probe found Loket still unavailable */
    int login_refused;   /* the token service refused the login: no file is taken meanwhile */
    struct timespec attempt_started; /* when the running import started (reports' mtime) */
    off_t attempt_log_start;         /* where its output begins in RUN.log (appended to) */
};

/* What one run of a file is; written to .loket-watch/runs/HASH.json while it is in
 * processing/. */
typedef struct run_state {
    char name[NAME_MAX + 1];
    char hash[33];
    char run[RUN_STEM_MAX + 64];
    char sha256[65];
    long long size;
    char rule[256];      /* the rule's pattern, to find it again after a restart */
    lk_watch_mode mode;
    int crashes;
    int running;         /* a child was started and has not ended cleanly */
    int registered;      /* the registry holds the "started" line of this run (apply) */
    char started[24];
    int transient;       /* transient failures so far (no connection, Loket 5xx/429) */
    long long first_transient; /* unix time of the first; 0 = none */
    long long next_attempt;    /* unix time the file is tried again; 0 = now */
    long long seq;             /* the order files were taken in (apply rules): lower goes first */
    char held_behind[NAME_MAX + 1]; /* the earlier file this one waits for, "" = none */
    char cause[600];           /* why it waits after a transient failure (watch status) */
} run_state;

/* Everything the watcher's own report (.watch.json) and log line say about one outcome. */
typedef struct outcome {
    const char *outcome;    /* imported planned rejected input-error ... duplicate */
    const char *reason;     /* a sentence for a person */
    const char *detail;     /* the first real cause the import gave, or NULL */
    int exit_code;          /* -1 = no import ran */
    const char *folder;     /* destination folder name, NULL = stays in processing/ */
    char moved_to[NAME_MAX + 1];
    const lk_watch_record *duplicate_of;
    const char *held_behind;        /* outcome "held": the earlier file it waits for */
    const lk_watch_record *superseded_by; /* outcome "superseded": the newer import */
    const lk_watch_scope *records;  /* the records of held_behind / superseded_by */
} outcome;

static void login_refused(struct watcher *w, run_state *st, const lk_watch_rule *rule,
                          outcome *oc);

/* ---------------------------------------------------------------- logging */

static void add_quoted(strbuf *sb, const char *s)
{
    strbuf_addch(sb, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            strbuf_addf(sb, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            strbuf_addf(sb, "\\x%02x", *p);
        else
            strbuf_addch(sb, (char)*p);
    }
    strbuf_addch(sb, '"');
}

/* One line per event, key=value, for journald or a cron mail:
 *   <6>loket-import watch: file="uren.csv" action=import outcome=imported exit=0 ... */
__attribute__((format(printf, 5, 6)))
static void log_event(watcher *w, int priority, const char *file, const char *action,
                      const char *fmt, ...)
{
    strbuf sb = STRBUF_INIT;
    va_list ap;
    if (priority <= 3)
        w->errors++;
    strbuf_init(&sb, 128);
    if (w->opts->log_priority) {
        strbuf_addf(&sb, "<%d>", priority);
    } else {
        char ts[24];
        strbuf_addf(&sb, "%s ", lk_iso8601((long long)time(NULL), ts));
    }
    strbuf_addstr(&sb, "loket-import watch:");
    if (file) {
        strbuf_addstr(&sb, " file=");
        add_quoted(&sb, file);
    }
    strbuf_addf(&sb, " action=%s", action);
    if (fmt && *fmt) {
        strbuf_addch(&sb, ' ');
        va_start(ap, fmt);
        strbuf_vaddf(&sb, fmt, ap);
        va_end(ap);
    }
    strbuf_addch(&sb, '\n');
    fputs(sb.buf, stderr);
    fflush(stderr);
    strbuf_free(&sb);
}

#define LOG_ERR 3
#define LOG_WARNING 4
#define LOG_NOTICE 5
#define LOG_INFO 6

/* ---------------------------------------------------------------- paths */

static char *path_in(const watcher *w, const char *folder, const char *name)
{
    strbuf sb = STRBUF_INIT;
    strbuf_init(&sb, 0);
    strbuf_addf(&sb, "%s/%s/%s", w->root, folder, name);
    return strbuf_detach(&sb, NULL);
}

static char *report_path(const watcher *w, const run_state *st, const char *suffix)
{
    strbuf sb = STRBUF_INIT;
    strbuf_init(&sb, 0);
    strbuf_addf(&sb, "%s/%s/%s%s", w->root, w->cfg->reports, st->run, suffix);
    return strbuf_detach(&sb, NULL);
}

static char *journal_path(const watcher *w, const run_state *st)
{
    strbuf sb = STRBUF_INIT;
    strbuf_init(&sb, 0);
    strbuf_addf(&sb, "%s/.loket-watch/journals/%s.journal", w->root, st->run);
    return strbuf_detach(&sb, NULL);
}

static int report_exists(const watcher *w, const char *run, const char *suffix)
{
    char name[RUN_STEM_MAX + 96];
    struct stat st;
    snprintf(name, sizeof name, "%s%s", run, suffix);
    return fstatat(w->reports_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* "uren-november.csv.20261128T120000Z", unique among the reports. */
static void new_run_id(const watcher *w, const char *name, char *out, size_t size)
{
    char stem[RUN_STEM_MAX + 1], stamp[24];
    time_t now = time(NULL);
    struct tm tm;
    size_t n;
    lk_watch_name_sanitize(name, stem, sizeof stem);
    /* never cut a UTF-8 sequence in half */
    n = strlen(stem);
    if (n == RUN_STEM_MAX) {
        while (n > 1 && ((unsigned char)stem[n - 1] & 0xC0) == 0x80)
            n--;
        if (n > 1 && ((unsigned char)stem[n - 1] & 0xC0) == 0xC0)
            n--;
        stem[n] = '\0';
    }
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    snprintf(out, size, "%s.%s", stem, stamp);
    for (int i = 2; report_exists(w, out, ".watch.json") && i < 1000; i++)
        snprintf(out, size, "%s.%s-%d", stem, stamp, i);
}

/* ---------------------------------------------------------------- run state */

static lk_code state_write(const watcher *w, const run_state *st, lk_error *err)
{
    cJSON *o = cJSON_CreateObject();
    char *json, *path;
    lk_code rc;
    strbuf sb = STRBUF_INIT;
    cJSON_AddStringToObject(o, "name", st->name);
    cJSON_AddStringToObject(o, "run", st->run);
    cJSON_AddStringToObject(o, "sha256", st->sha256);
    cJSON_AddNumberToObject(o, "size", (double)st->size);
    cJSON_AddStringToObject(o, "rule", st->rule);
    cJSON_AddStringToObject(o, "mode", lk_watch_mode_name(st->mode));
    cJSON_AddNumberToObject(o, "crashes", st->crashes);
    cJSON_AddBoolToObject(o, "running", st->running);
    cJSON_AddBoolToObject(o, "registered", st->registered);
    cJSON_AddStringToObject(o, "started", st->started);
    if (st->seq)
        cJSON_AddNumberToObject(o, "seq", (double)st->seq);
    if (st->held_behind[0])
        cJSON_AddStringToObject(o, "held_behind", st->held_behind);
    if (st->cause[0])
        cJSON_AddStringToObject(o, "cause", st->cause);
    if (st->transient) {
        cJSON_AddNumberToObject(o, "transient", st->transient);
        cJSON_AddNumberToObject(o, "first_transient", (double)st->first_transient);
        cJSON_AddNumberToObject(o, "next_attempt", (double)st->next_attempt);
    }
    json = cJSON_Print(o);
    cJSON_Delete(o);
    if (!json)
        lk_die(_("out of memory"));
    strbuf_init(&sb, 0);
    strbuf_addf(&sb, "%s/.loket-watch/runs/%s.json", w->root, st->hash);
    path = strbuf_detach(&sb, NULL);
    rc = lk_write_file_atomic(path, json, strlen(json), 0640, err);
    free(path);
    free(json);
    return rc;
}

/* Reads the state of a file name; 0 when there is none (or it is of another name). */
static int state_read(const watcher *w, const char *name, const char *hash, run_state *st)
{
    strbuf sb = STRBUF_INIT;
    char *text = NULL, *path;
    cJSON *o;
    const cJSON *v;
    lk_error err;
    int ok = 0;
    strbuf_init(&sb, 0);
    strbuf_addf(&sb, "%s/.loket-watch/runs/%s.json", w->root, hash);
    path = strbuf_detach(&sb, NULL);
    lk_error_clear(&err);
    if (lk_read_file(path, STATE_MAX_BYTES, &text, NULL, &err)) {
        free(path);
        return 0;
    }
    free(path);
    o = cJSON_Parse(text);
    free(text);
    memset(st, 0, sizeof(*st));
    v = cJSON_GetObjectItemCaseSensitive(o, "name");
    if (!cJSON_IsString(v) || strcmp(v->valuestring, name))
        goto out;
    snprintf(st->name, sizeof st->name, "%s", name);
    snprintf(st->hash, sizeof st->hash, "%s", hash);
#define STR(key, field)                                                        \
    v = cJSON_GetObjectItemCaseSensitive(o, key);                              \
    if (!cJSON_IsString(v))                                                    \
        goto out;                                                              \
    snprintf(st->field, sizeof st->field, "%s", v->valuestring)
    STR("run", run);
    STR("sha256", sha256);
    STR("rule", rule);
    STR("started", started);
#undef STR
    /* the run names files: it must be a plain name, as new_run_id() made it */
    if (lk_watch_name_unsafe(st->run) || st->run[0] == '.' || strlen(st->sha256) != 64)
        goto out;
    v = cJSON_GetObjectItemCaseSensitive(o, "mode");
    st->mode = cJSON_IsString(v) && !strcmp(v->valuestring, "apply") ? LK_WATCH_APPLY
                                                                      : LK_WATCH_PLAN;
    v = cJSON_GetObjectItemCaseSensitive(o, "size");
    st->size = cJSON_IsNumber(v) ? (long long)v->valuedouble : 0;
    v = cJSON_GetObjectItemCaseSensitive(o, "crashes");
    st->crashes = cJSON_IsNumber(v) ? v->valueint : 0;
    st->running = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "running"));
    st->registered = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "registered"));
    v = cJSON_GetObjectItemCaseSensitive(o, "transient");
    st->transient = cJSON_IsNumber(v) ? v->valueint : 0;
    v = cJSON_GetObjectItemCaseSensitive(o, "first_transient");
    st->first_transient = cJSON_IsNumber(v) ? (long long)v->valuedouble : 0;
    v = cJSON_GetObjectItemCaseSensitive(o, "next_attempt");
    st->next_attempt = cJSON_IsNumber(v) ? (long long)v->valuedouble : 0;
    v = cJSON_GetObjectItemCaseSensitive(o, "seq");
    st->seq = cJSON_IsNumber(v) ? (long long)v->valuedouble : 0;
    v = cJSON_GetObjectItemCaseSensitive(o, "held_behind");
    if (cJSON_IsString(v))
        snprintf(st->held_behind, sizeof st->held_behind, "%s", v->valuestring);
    v = cJSON_GetObjectItemCaseSensitive(o, "cause");
    if (cJSON_IsString(v))
        snprintf(st->cause, sizeof st->cause, "%s", v->valuestring);
    ok = 1;
out:
    cJSON_Delete(o);
    return ok;
}

static void state_remove(const watcher *w, const char *hash)
{
    char name[48];
    snprintf(name, sizeof name, "%s.json", hash);
    unlinkat(w->runs_fd, name, 0);
}

static const lk_watch_rule *rule_by_match(const lk_watch_config *cfg, const char *match)
{
    for (size_t i = 0; i < cfg->n_rules; i++)
        if (!strcmp(cfg->rules[i].match, match))
            return &cfg->rules[i];
    return NULL;
}

/* ---------------------------------------------------------------- reports and outcomes */

static void add_report_if_present(const watcher *w, const run_state *st, cJSON *arr,
                                  const char *suffix)
{
    if (report_exists(w, st->run, suffix)) {
        char *p = report_path(w, st, suffix);
        cJSON_AddItemToArray(arr, cJSON_CreateString(p));
        free(p);
    }
}

static void write_watch_report(watcher *w, const run_state *st, const lk_watch_rule *rule,
                               const outcome *oc)
{
    cJSON *o = cJSON_CreateObject(), *arr;
    char *json, *path, *jpath, finished[24];
    lk_error err;
    struct stat sb;
    char jname[RUN_STEM_MAX + 96];
    cJSON_AddStringToObject(o, "file", st->name);
    cJSON_AddStringToObject(o, "outcome", oc->outcome);
    cJSON_AddStringToObject(o, "reason", oc->reason);
    if (oc->detail)
        cJSON_AddStringToObject(o, "detail", oc->detail);
    if (oc->exit_code >= 0)
        cJSON_AddNumberToObject(o, "exit_code", oc->exit_code);
    else
        cJSON_AddNullToObject(o, "exit_code");
    if (oc->folder) {
        strbuf sb2 = STRBUF_INIT;
        strbuf_init(&sb2, 0);
        strbuf_addf(&sb2, "%s/%s", oc->folder, oc->moved_to);
        cJSON_AddStringToObject(o, "moved_to", sb2.buf);
        strbuf_free(&sb2);
    } else {
        strbuf sb2 = STRBUF_INIT;
        strbuf_init(&sb2, 0);
        strbuf_addf(&sb2, "%s/%s", w->cfg->processing, st->name);
        cJSON_AddStringToObject(o, "left_in", sb2.buf);
        strbuf_free(&sb2);
    }
    if (st->sha256[0]) {
        cJSON_AddStringToObject(o, "sha256", st->sha256);
        cJSON_AddNumberToObject(o, "size", (double)st->size);
    }
    if (rule) {
        cJSON *r = cJSON_AddObjectToObject(o, "rule");
        cJSON_AddStringToObject(r, "match", rule->match);
        cJSON_AddStringToObject(r, "mapping", rule->mapping);
        cJSON_AddStringToObject(r, "mode", lk_watch_mode_name(rule->mode));
        if (rule->employer)
            cJSON_AddStringToObject(r, "employer", rule->employer);
        if (rule->period)
            cJSON_AddStringToObject(r, "period", rule->period);
        cJSON_AddBoolToObject(r, "allow_duplicates", rule->allow_duplicates);
    }
    if (oc->duplicate_of) {
        cJSON *d = cJSON_AddObjectToObject(o, "duplicate_of");
        cJSON_AddStringToObject(d, "name", oc->duplicate_of->name);
        cJSON_AddStringToObject(d, "run", oc->duplicate_of->run);
        cJSON_AddStringToObject(d, "status", oc->duplicate_of->status);
        cJSON_AddStringToObject(d, "time", oc->duplicate_of->time);
    }
    if (oc->held_behind)
        cJSON_AddStringToObject(o, "held_behind", oc->held_behind);
    if (oc->superseded_by) {
        cJSON *d = cJSON_AddObjectToObject(o, "superseded_by");
        cJSON_AddStringToObject(d, "name", oc->superseded_by->name);
        cJSON_AddStringToObject(d, "run", oc->superseded_by->run);
        cJSON_AddStringToObject(d, "time", oc->superseded_by->time);
    }
    if (oc->records) {
        cJSON *recs = cJSON_CreateArray();
        for (size_t i = 0; i < oc->records->n; i++) {
            char one[320];
            lk_watch_scope_key_describe(oc->records->keys[i], one, sizeof one);
            cJSON_AddItemToArray(recs, cJSON_CreateString(one));
        }
        if (oc->records->all)
            cJSON_AddItemToArray(recs, cJSON_CreateString("*"));
        cJSON_AddItemToObject(oc->superseded_by ? cJSON_GetObjectItem(o, "superseded_by") : o,
                              "records", recs);
    }
    cJSON_AddStringToObject(o, "run", st->run);
    arr = cJSON_AddArrayToObject(o, "reports");
    add_report_if_present(w, st, arr, ".xlsx");
    add_report_if_present(w, st, arr, ".json");
    add_report_if_present(w, st, arr, ".log");
    snprintf(jname, sizeof jname, "%s.journal", st->run);
    if (fstatat(w->journals_fd, jname, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
        jpath = journal_path(w, st);
        cJSON_AddStringToObject(o, "journal", jpath);
        free(jpath);
    }
    if (st->crashes)
        cJSON_AddNumberToObject(o, "crashes", st->crashes);
    if (st->transient)
        cJSON_AddNumberToObject(o, "transient_failures", st->transient);
    if (st->started[0])
        cJSON_AddStringToObject(o, "started", st->started);
    cJSON_AddStringToObject(o, "finished", lk_iso8601((long long)time(NULL), finished));
    json = cJSON_Print(o);
    cJSON_Delete(o);
    if (!json)
        lk_die(_("out of memory"));
    path = report_path(w, st, ".watch.json");
    lk_error_clear(&err);
    if (lk_write_file_atomic(path, json, strlen(json), 0640, &err))
        log_event(w, LOG_ERR, st->name, "report", "outcome=error detail=\"%s\"", err.message);
    free(path);
    free(json);
}

static void log_outcome(watcher *w, const run_state *st, const outcome *oc)
{
    strbuf sb = STRBUF_INIT;
    int prio = !strcmp(oc->outcome, "imported") || !strcmp(oc->outcome, "planned")
                   ? LOG_INFO
                   : oc->folder ? LOG_WARNING : LOG_NOTICE;
    strbuf_init(&sb, 0);
    strbuf_addf(&sb, "outcome=%s", oc->outcome);
    if (oc->exit_code >= 0)
        strbuf_addf(&sb, " exit=%d", oc->exit_code);
    strbuf_addstr(&sb, " moved_to=");
    {
        strbuf dest = STRBUF_INIT;
        strbuf_init(&dest, 0);
        if (oc->folder)
            strbuf_addf(&dest, "%s/%s", oc->folder, oc->moved_to);
        else
            strbuf_addf(&dest, "%s/%s", w->cfg->processing, st->name);
        add_quoted(&sb, dest.buf);
        strbuf_free(&dest);
    }
    strbuf_addstr(&sb, " report=");
    {
        strbuf rp = STRBUF_INIT;
        strbuf_init(&rp, 0);
        strbuf_addf(&rp, "%s/%s.watch.json", w->cfg->reports, st->run);
        add_quoted(&sb, rp.buf);
        strbuf_free(&rp);
    }
    strbuf_addstr(&sb, " reason=");
    add_quoted(&sb, oc->reason);
    if (oc->detail) {
        strbuf_addstr(&sb, " detail=");
        add_quoted(&sb, oc->detail);
    }
    log_event(w, prio, st->name, "done", "%s", sb.buf);
    strbuf_free(&sb);
}

/* failed/NAME.error.txt: the cause and where to look, for the person who opens failed/. A
 * note left from an earlier failure of the same name is replaced in one rename. */
static void write_error_note(watcher *w, const run_state *st, const outcome *oc)
{
    char name[NAME_MAX + 32], when[24];
    strbuf sb = STRBUF_INIT;
    char *path;
    lk_error err;
    if (snprintf(name, sizeof name, "%s.error.txt", oc->moved_to) >= (int)sizeof name)
        return;
    strbuf_init(&sb, 512);
    strbuf_addf(&sb, "%s went to %s/ as %s (%s).\n\n", st->name, w->cfg->failed, oc->outcome,
                lk_iso8601((long long)time(NULL), when));
    strbuf_addf(&sb, "Cause:     %s\n", oc->detail ? oc->detail : oc->reason);
    strbuf_addf(&sb, "Outcome:   %s\n", oc->reason);
    if (oc->exit_code >= 0)
        strbuf_addf(&sb, "Exit code: %d (see docs/exit-codes.md)\n", oc->exit_code);
    strbuf_addf(&sb, "Report:    %s/%s.watch.json\n", w->cfg->reports, st->run);
    if (report_exists(w, st->run, ".xlsx"))
        strbuf_addf(&sb, "           %s/%s.xlsx\n", w->cfg->reports, st->run);
    if (report_exists(w, st->run, ".log"))
        strbuf_addf(&sb, "Log:       %s/%s.log\n", w->cfg->reports, st->run);
    strbuf_addstr(&sb, "\nWhat to do for each outcome: docs/watch.md, \"Outcomes\".\n");
    path = path_in(w, w->cfg->failed, name);
    lk_error_clear(&err);
    if (lk_write_file_atomic(path, sb.buf, sb.len, 0640, &err))
        log_event(w, LOG_WARNING, st->name, "error-note", "outcome=error detail=\"%s\"",
                  err.message);
    free(path);
    strbuf_free(&sb);
}

/* A file imported after it failed before (and was moved back): its old note in failed/ no
 * longer says anything true. Kept while a file of that name still lies in failed/. */
static void remove_stale_note(watcher *w, const run_state *st)
{
    char name[NAME_MAX + 32];
    struct stat sb;
    if (snprintf(name, sizeof name, "%s.error.txt", st->name) >= (int)sizeof name)
        return;
    if (fstatat(w->failed_fd, st->name, &sb, AT_SYMLINK_NOFOLLOW) == 0)
        return;
    if (unlinkat(w->failed_fd, name, 0) == 0)
        log_event(w, LOG_INFO, st->name, "error-note", "outcome=removed detail=\"%s/%s\"",
                  w->cfg->failed, name);
}

/* The folder config's onFailure / onSuccess command, told what happened (hook.c). */
static void run_hook(watcher *w, const run_state *st, const outcome *oc, int failed)
{
    char *const *argv = failed ? w->cfg->on_failure : w->cfg->on_success;
    const char *which = failed ? "onFailure" : "onSuccess";
    char logname[RUN_STEM_MAX + 96], why[256];
    char *file, *report;
    lk_watch_hook_event ev;
    int fd, status;
    if (!argv || !argv[0])
        return;
    file = path_in(w, oc->folder, oc->moved_to);
    report = report_path(w, st, ".watch.json");
    memset(&ev, 0, sizeof ev);
    ev.file = file;
    ev.name = st->name;
    ev.outcome = oc->outcome;
    ev.cause = oc->detail;
    ev.reason = oc->reason;
    ev.report = report;
    ev.run = st->run;
    ev.dir = w->root;
    ev.exit_code = oc->exit_code;
    snprintf(logname, sizeof logname, "%s.hook.log", st->run);
    fd = openat(w->reports_fd, logname, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC,
                0640);
    status = lk_watch_hook_run(argv, &ev, w->cfg->hook_timeout_seconds, &w->orig_mask, fd, why,
                               sizeof why);
    if (fd >= 0)
        close(fd);
    if (status < 0)
        log_event(w, LOG_WARNING, st->name, "hook", "hook=%s outcome=error detail=\"%s\"", which,
                  why);
    else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        log_event(w, LOG_WARNING, st->name, "hook",
                  "hook=%s outcome=failed exit=%d log=\"%s/%s\"", which,
                  WIFEXITED(status) ? WEXITSTATUS(status) : -1, w->cfg->reports, logname);
    else
        log_event(w, LOG_INFO, st->name, "hook", "hook=%s outcome=ok", which);
    free(file);
    free(report);
}

/* Moves a file out of from_fd into done/ or failed/, writes the report, logs the outcome. */
static void finish(watcher *w, int from_fd, const run_state *st, const lk_watch_rule *rule,
                   outcome *oc)
{
    int to_fd = !strcmp(oc->folder, w->cfg->done) ? w->done_fd : w->failed_fd;
    if (lk_watch_move_noreplace(from_fd, st->name, to_fd, oc->moved_to, sizeof oc->moved_to)) {
        /* the file stays where it is; the next start tries again */
        log_event(w, LOG_ERR, st->name, "move", "outcome=error to=\"%s\" detail=\"%s\"",
                  oc->folder, strerror(errno));
        return;
    }
    if (to_fd == w->failed_fd)
        w->failed_count++;
    write_watch_report(w, st, rule, oc);
    if (to_fd == w->failed_fd)
        write_error_note(w, st, oc);
    else
        remove_stale_note(w, st);
    log_outcome(w, st, oc);
    /* a file in done/ whose report is missing still needs a person: onFailure */
    run_hook(w, st, oc, to_fd == w->failed_fd || !strcmp(oc->outcome, "report-missing"));
}

/* ---------------------------------------------------------------- the child import */

/* What the last attempt wrote to a file of reports/ (never through a symlink), from offset, at
 * most max bytes; NULL when absent or older than the attempt (an earlier attempt's report). */
static char *read_report_file(const watcher *w, const run_state *st, const char *suffix,
                              off_t offset, size_t max)
{
    char name[RUN_STEM_MAX + 96];
    strbuf sb;
    char buf[65536];
    struct stat fs;
    ssize_t r;
    int fd;
    snprintf(name, sizeof name, "%s%s", st->run, suffix);
    fd = openat(w->reports_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    if (fstat(fd, &fs) != 0 || fs.st_mtim.tv_sec < w->attempt_started.tv_sec ||
        (fs.st_mtim.tv_sec == w->attempt_started.tv_sec &&
         fs.st_mtim.tv_nsec < w->attempt_started.tv_nsec) ||
        (offset > 0 && lseek(fd, offset, SEEK_SET) != offset)) {
        close(fd);
        return NULL;
    }
    strbuf_init(&sb, 4096);
    while (sb.len < max && (r = read(fd, buf, sizeof buf)) > 0)
        strbuf_add(&sb, buf, (size_t)r);
    close(fd);
    return strbuf_detach(&sb, NULL);
}

/* The first real cause of a failed import: from its JSON report, else its log (cause.c). */
static void find_cause(const watcher *w, const run_state *st, int exit_code, lk_watch_cause *c)
{
    char *json = read_report_file(w, st, ".json", 0, 256u * 1024 * 1024);
    char *log = read_report_file(w, st, ".log", w->attempt_log_start, 4u * 1024 * 1024);
    lk_watch_cause_find(json, log, exit_code, c);
    free(json);
    free(log);
}

static void argv_push(char ***v, size_t *n, size_t *alloc, const char *s)
{
    lk_grow(v, sizeof(char *), *n + 2, alloc);
    (*v)[(*n)++] = xstrdup(s);
    (*v)[*n] = NULL;
}

/* Waits for a child, forwarding SIGTERM and SIGINT to it. 0 with its wait status, or -1. */
static int wait_child(watcher *w, const char *name, pid_t pid, int *status)
{
    for (;;) {
        struct pollfd pfd = { .fd = w->sig_fd, .events = POLLIN };
        struct signalfd_siginfo si;
        pid_t done = waitpid(pid, status, WNOHANG);
        if (done == pid)
            return 0;
        if (done < 0 && errno != EINTR) {
            log_event(w, LOG_ERR, name, "wait", "outcome=error detail=\"%s\"", strerror(errno));
            return -1;
        }
        if (poll(&pfd, 1, 1000) <= 0)
            continue;
        if (read(w->sig_fd, &si, sizeof si) != (ssize_t)sizeof si)
            continue;
        if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
            w->stopping = 1;
            log_event(w, LOG_NOTICE, name, "stop",
                      "detail=\"signal %d: asking the import to finish its requests\"",
                      (int)si.ssi_signo);
            kill(pid, SIGTERM);
        }
    }
}

/* Runs the import of processing/NAME; returns its wait status in *status. Forwards SIGTERM and
 * SIGINT to it. lock_fd is inherited, so the lock outlives this watcher while the child runs. */
static int run_import(watcher *w, const run_state *st, const lk_watch_rule *rule, int resume,
                      int lock_fd, int *status)
{
    char **argv = NULL;
    size_t argc = 0, alloc = 0;
    char *file = path_in(w, w->cfg->processing, st->name);
    char *xlsx = report_path(w, st, ".xlsx"), *json = report_path(w, st, ".json");
    char *journal = journal_path(w, st);
    const char *importer = w->opts->importer ? w->opts->importer : "/proc/self/exe";
    char logname[RUN_STEM_MAX + 96];
    int log_fd, rc = -1;
    pid_t parent = getpid(), pid;

    argv_push(&argv, &argc, &alloc, "loket-import");
    argv_push(&argv, &argc, &alloc, lk_watch_mode_name(rule->mode));
    argv_push(&argv, &argc, &alloc, file);
    argv_push(&argv, &argc, &alloc, "-m");
    argv_push(&argv, &argc, &alloc, rule->mapping);
    if (rule->employer) {
        argv_push(&argv, &argc, &alloc, "--employer");
        argv_push(&argv, &argc, &alloc, rule->employer);
    }
    if (rule->period) {
        argv_push(&argv, &argc, &alloc, "--period");
        argv_push(&argv, &argc, &alloc, rule->period);
    }
    argv_push(&argv, &argc, &alloc, "--report");
    argv_push(&argv, &argc, &alloc, xlsx);
    argv_push(&argv, &argc, &alloc, "--report");
    argv_push(&argv, &argc, &alloc, json);
    if (rule->mode == LK_WATCH_APPLY) {
        argv_push(&argv, &argc, &alloc, "--journal");
        argv_push(&argv, &argc, &alloc, journal);
        if (resume)
            argv_push(&argv, &argc, &alloc, "--resume");
    }
    argv_push(&argv, &argc, &alloc, "--quiet");
    for (size_t i = 0; i < w->opts->n_pass_args; i++)
        argv_push(&argv, &argc, &alloc, w->opts->pass_args[i]);
    for (size_t i = 0; i < w->cfg->n_options; i++)
        argv_push(&argv, &argc, &alloc, w->cfg->options[i]);
    for (size_t i = 0; i < rule->n_options; i++)
        argv_push(&argv, &argc, &alloc, rule->options[i]);

    snprintf(logname, sizeof logname, "%s.log", st->run);
    log_fd = openat(w->reports_fd, logname,
                    O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0640);
    if (log_fd < 0) {
        log_event(w, LOG_ERR, st->name, "start", "outcome=error detail=\"cannot create %s: %s\"",
                  logname, strerror(errno));
        goto out;
    }
    log_event(w, LOG_INFO, st->name, "start", "mode=%s resume=%s run=\"%s\"",
              lk_watch_mode_name(rule->mode), resume ? "yes" : "no", st->run);
    /* a retried run appends to its log and rewrites its reports: the cause is this attempt's */
    w->attempt_log_start = lseek(log_fd, 0, SEEK_END);
    if (w->attempt_log_start < 0)
        w->attempt_log_start = 0;
    clock_gettime(CLOCK_REALTIME_COARSE, &w->attempt_started); /* the clock of file times */
    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        log_event(w, LOG_ERR, st->name, "start", "outcome=error detail=\"fork: %s\"",
                  strerror(errno));
        close(log_fd);
        goto out;
    }
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
        /* Its own process group: a Ctrl-C in a terminal reaches the watcher only, which
         * forwards exactly one SIGTERM. If the watcher dies, the import is told to stop. */
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(LK_EXIT_INTERRUPTED);
        if (devnull >= 0)
            dup2(devnull, 0);
        dup2(log_fd, 1);
        dup2(log_fd, 2);
        fcntl(lock_fd, F_SETFD, 0);
        signal(SIGPIPE, SIG_DFL);
        sigprocmask(SIG_SETMASK, &w->orig_mask, NULL);
        execv(importer, argv);
        dprintf(2, "loket-import watch: cannot run %s: %s\n", importer, strerror(errno));
        _exit(LK_EXIT_INTERNAL);
    }
    close(log_fd);
    rc = wait_child(w, st->name, pid, status);
out:
    for (size_t i = 0; i < argc; i++)
        free(argv[i]);
    free(argv);
    free(file);
    free(xlsx);
    free(json);
    free(journal);
    return rc;
}

static void registry_note(watcher *w, const run_state *st, const char *status, int exit_code)
{
    lk_watch_record rec;
    lk_error err;
    lk_error_clear(&err);
    lk_watch_record_init(&rec, st->sha256, st->name, st->run, status, exit_code);
    if (lk_watch_registry_append(w->registry, &rec, &err))
        log_event(w, LOG_ERR, st->name, "registry", "outcome=error detail=\"%s\"", err.message);
}

static void note_waiting(watcher *w, long long due)
{
    w->waiting_count++;
    if (!w->next_due || due < w->next_due)
        w->next_due = due;
}

/* After a transient failure: the file stays in processing/ until its next attempt is due,
 * unless it has been failing for longer than retry_max_age_seconds (returns 0 then). */
static int keep_waiting(watcher *w, run_state *st, const outcome *oc, long long now)
{
    lk_error err;
    strbuf sb = STRBUF_INIT;
    char when[24];
    double delay;
    if (!lk_watch_retry_allowed(w->cfg, st->first_transient, now))
        return 0;
    delay = lk_watch_retry_delay(w->cfg, st->transient);
    st->next_attempt = now + (long long)delay;
    st->running = 0;
    snprintf(st->cause, sizeof st->cause, "%s", oc->detail ? oc->detail : "");
    lk_error_clear(&err);
    if (state_write(w, st, &err))
        log_event(w, LOG_ERR, st->name, "state", "outcome=error detail=\"%s\"", err.message);
    note_waiting(w, st->next_attempt);
    strbuf_init(&sb, 256);
    strbuf_addf(&sb, "outcome=waiting exit=%d transient_failures=%d retry_at=%s retry_in=%gs",
                oc->exit_code, st->transient, lk_iso8601(st->next_attempt, when), delay);
    if (oc->detail) {
        strbuf_addstr(&sb, " detail=");
        add_quoted(&sb, oc->detail);
    }
    log_event(w, LOG_NOTICE, st->name, "done", "%s", sb.buf);
    strbuf_free(&sb);
    return 1;
}

/* True (with why) when the file in processing/ is no longer the one hashed at the claim. */
static bool changed_since_claim(const watcher *w, const run_state *st, char *why, size_t size)
{
    char now_sha[65];
    long long now_size = -1;
    lk_error err;
    lk_error_clear(&err);
    int fd = openat(w->processing_fd, st->name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0 || lk_watch_sha256_fd(fd, now_sha, &now_size, &err)) {
        if (fd >= 0)
            close(fd);
        snprintf(why, size, "the file could not be read again after the import, so whether it "
                 "changed meanwhile is not known; check the report and upload it again");
        return true;
    }
    close(fd);
    if (now_size == st->size && !strcmp(now_sha, st->sha256))
        return false;
    snprintf(why, size,
             "the file changed while it was imported (still being written?): it had %lld bytes "
             "(SHA-256 %.12s...) when taken and has %lld (%.12s...) now; what was read may be "
             "incomplete: check the report and upload the complete file again",
             st->size, st->sha256, now_size, now_sha);
    return true;
}

/* An apply whose journal says it ran to the end: every record was sent and answered, so what
 * failed afterwards (exit 3) was the report or the run folder, not the data. */
static bool journal_complete(const watcher *w, const run_state *st)
{
    char name[RUN_STEM_MAX + 96];
    strbuf sb;
    char buf[65536];
    ssize_t r;
    bool found;
    int fd;
    snprintf(name, sizeof name, "%s.journal", st->run);
    fd = openat(w->journals_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return false;
    strbuf_init(&sb, 4096);
    while (sb.len < 256u * 1024 * 1024 && (r = read(fd, buf, sizeof buf)) > 0)
        strbuf_add(&sb, buf, (size_t)r);
    close(fd);
    found = strstr(sb.buf, "\"key\":\"run:complete\"") != NULL;
    strbuf_free(&sb);
    return found;
}

/* Runs (or resumes) the import of a claimed file and files the outcome. */
static void import_claimed(watcher *w, run_state *st, const lk_watch_rule *rule, int lock_fd)
{
    outcome oc = { .exit_code = -1 };
    char changed[400];
    char jname[RUN_STEM_MAX + 96];
    struct stat sb;
    lk_error err;
    lk_watch_cause cause = { NULL, 0, 0 };
    int status = 0, resume;
    snprintf(jname, sizeof jname, "%s.journal", st->run);
    resume = rule->mode == LK_WATCH_APPLY &&
             fstatat(w->journals_fd, jname, &sb, AT_SYMLINK_NOFOLLOW) == 0;
    st->running = 1;
    lk_error_clear(&err);
    if (state_write(w, st, &err)) {
        log_event(w, LOG_ERR, st->name, "state", "outcome=error detail=\"%s\"", err.message);
        return; /* stays in processing/; retried on the next scan */
    }
    if (run_import(w, st, rule, resume, lock_fd, &status)) {
        w->left_count++;
        return;
    }
    if (WIFEXITED(status))
        oc.exit_code = WEXITSTATUS(status);
    if (oc.exit_code != 0 && oc.exit_code != LK_EXIT_INTERRUPTED)
        find_cause(w, st, WIFEXITED(status) ? oc.exit_code : -1, &cause);
    oc.detail = cause.text;
    if (oc.exit_code == LK_EXIT_INTERRUPTED || (!WIFEXITED(status) && w->stopping)) {
        /* stopped in the middle: the journal lets the next start finish it */
        st->running = 0;
        state_write(w, st, &err);
        log_event(w, LOG_NOTICE, st->name, "done",
                  "outcome=interrupted exit=%d moved_to=\"%s/%s\" detail=\"resumed %s\"",
                  oc.exit_code, w->cfg->processing, st->name,
                  w->stopping ? "on the next start" : "now");
        if (w->stopping)
            w->left_count++;
        else
            w->retry = 1; /* the import was stopped by someone else, not us */
        goto out;
    }
    if (!WIFEXITED(status)) {
        st->crashes++;
        st->running = 0;
        if (st->crashes < w->cfg->max_attempts) {
            state_write(w, st, &err);
            log_event(w, LOG_WARNING, st->name, "done",
                      "outcome=crashed signal=%d crashes=%d detail=\"will be resumed\"",
                      WIFSIGNALED(status) ? WTERMSIG(status) : 0, st->crashes);
            w->retry = 1;
            goto out;
        }
        oc.outcome = "crashed";
        oc.reason = "the import ended abnormally too many times; see the log in reports/";
        oc.folder = w->cfg->failed;
        if (rule->mode == LK_WATCH_APPLY)
            registry_note(w, st, "failed", -1);
    } else if (cause.login_refused) {
        /* nothing of this file is wrong: it waits for the login like every other file */
        login_refused(w, st, rule, &oc);
        goto out;
    } else if ((oc.exit_code == LK_EXIT_CONFIG || oc.exit_code == LK_EXIT_REJECTED) &&
               cause.transient) {
        /* no connection, or Loket answered 5xx/429 to every retry: try again later */
        long long now = (long long)time(NULL);
        if (!st->first_transient)
            st->first_transient = now;
        st->transient++;
        if (keep_waiting(w, st, &oc, now))
            goto out;
        oc.outcome = "unavailable";
        oc.reason = "Loket or the connection stayed unavailable longer than "
                    "retry_max_age_seconds; move the file back to the inbox once it works again";
        oc.folder = w->cfg->failed;
        if (rule->mode == LK_WATCH_APPLY)
            registry_note(w, st, "failed", oc.exit_code);
    } else {
        if (oc.exit_code == LK_EXIT_CONFIG && rule->mode == LK_WATCH_APPLY &&
            journal_complete(w, st)) {
            /* the data is in Loket: the file is done, only its report is missing */
            oc.outcome = "report-missing";
            oc.reason = "the import reached Loket and ran to the end (every answer is in its "
                        "journal), but its report could not be written: the data is in Loket "
                        "and the report is missing; fix the cause (it names the report), the "
                        "file itself needs nothing";
            oc.folder = w->cfg->done;
            w->failed_count++; /* a person must still see to it (--once exits 1) */
        } else {
            switch (oc.exit_code) {
            case LK_EXIT_OK:
                oc.outcome = rule->mode == LK_WATCH_APPLY ? "imported" : "planned";
                oc.reason = rule->mode == LK_WATCH_APPLY
                                ? "every employment was sent and confirmed"
                                : "the plan has no errors; nothing was sent (review-only rule)";
                oc.folder = w->cfg->done;
                break;
            case LK_EXIT_REJECTED:
                oc.outcome = "rejected";
                oc.reason = rule->mode == LK_WATCH_APPLY
                                ? "some employments were rejected or failed; the rest was sent; "
                                  "see the report"
                                : "the plan has errors; nothing was sent; see the report";
                oc.folder = w->cfg->failed;
                break;
            case LK_EXIT_INPUT:
                oc.outcome = "input-error";
                oc.reason = "the file or the mapping has errors; nothing was sent";
                oc.folder = w->cfg->failed;
                break;
            case LK_EXIT_CONFIG:
            case LK_EXIT_USAGE: /* a rule's options the importer does not take */
                oc.outcome = "config-error";
                oc.reason = "configuration, authentication or connection error; move the file "
                            "back to the inbox once it is solved";
                oc.folder = w->cfg->failed;
                break;
            default:
                oc.outcome = "internal-error";
                oc.reason = "the import failed with an internal error; see the log in reports/";
                oc.folder = w->cfg->failed;
                break;
            }
        }
        bool is_changed = changed_since_claim(w, st, changed, sizeof changed);
        if (is_changed) {
            /* an upload that paused longer than settle_seconds and went on: what was imported
             * is not the file that now exists */
            oc.outcome = "changed";
            oc.reason = changed;
            oc.folder = w->cfg->failed;
        }
        if (rule->mode == LK_WATCH_APPLY)
            registry_note(w, st,
                          is_changed                         ? "failed"
                          : oc.exit_code == LK_EXIT_OK ||
                                  !strcmp(oc.outcome, "report-missing")
                              ? "imported"
                          : oc.exit_code == LK_EXIT_REJECTED ? "partial"
                          : oc.exit_code == LK_EXIT_INPUT    ? "not-sent"
                                                             : "failed",
                          oc.exit_code);
    }
    finish(w, w->processing_fd, st, rule, &oc);
    if (oc.moved_to[0])
        state_remove(w, st->hash);
out:
    lk_watch_cause_free(&cause);
}

/* ---------------------------------------------------------------- taking files */

static void refuse(watcher *w, int from_fd, const char *name, const char *hash,
                   const char *outcome_name, const char *reason, const lk_watch_rule *rule)
{
    run_state st;
    outcome oc = { .exit_code = -1 };
    memset(&st, 0, sizeof st);
    snprintf(st.name, sizeof st.name, "%s", name);
    snprintf(st.hash, sizeof st.hash, "%s", hash);
    new_run_id(w, name, st.run, sizeof st.run);
    oc.outcome = outcome_name;
    oc.reason = reason;
    oc.folder = w->cfg->failed;
    finish(w, from_fd, &st, rule, &oc);
}

/* Records the run in the registry (apply rules) unless its content was imported before.
 * Returns 0 to go on with the import, 1 when the file was refused as a duplicate, -1 when the
 * registry cannot be written (the file stays in processing/ and is tried again). */
static int register_run(watcher *w, run_state *st, const lk_watch_rule *rule)
{
    lk_watch_record rec, prior;
    lk_error err;
    char reason[LK_ERROR_MSG_MAX + 800];
    int dup = 0, found = 0;
    if (rule->mode != LK_WATCH_APPLY || st->registered)
        return 0;
    lk_error_clear(&err);
    lk_watch_record_init(&rec, st->sha256, st->name, st->run, "started", -1);
    if (lk_watch_registry_claim(w->registry, &rec, rule->allow_duplicates, &dup, &prior, &found,
                                &err)) {
        log_event(w, LOG_ERR, st->name, "registry", "outcome=error detail=\"%s\"", err.message);
        return -1;
    }
    if (dup) {
        outcome oc = { .exit_code = -1 };
        snprintf(reason, sizeof reason,
                 "duplicate: the same content (SHA-256 %.12s...) was %s as \"%s\" at %s "
                 "(run %s); not imported again", st->sha256,
                 !strcmp(prior.status, "started") ? "taken for import" : "imported",
                 prior.name, prior.time, prior.run);
        oc.outcome = "duplicate";
        oc.reason = reason;
        oc.folder = w->cfg->failed;
        oc.duplicate_of = &prior;
        finish(w, w->processing_fd, st, rule, &oc);
        if (oc.moved_to[0])
            state_remove(w, st->hash);
        return 1;
    }
    if (found && lk_watch_status_blocks_duplicate(prior.status) && strcmp(prior.run, st->run))
        log_event(w, LOG_NOTICE, st->name, "duplicate",
                  "outcome=allowed detail=\"same content as %s; the rule allows it\"", prior.run);
    st->registered = 1;
    return 0;
}

/* ---------------------------------------------------------------- order */

/* The next number of the order files are taken in: .loket-watch/sequence, under its lock, so
 * several watchers of one folder count together. -1 when it cannot be kept. */
static long long next_seq(watcher *w, const char *name)
{
    int fd = openat(w->state_fd, "sequence", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0640);
    char buf[32];
    long long seq = 0;
    ssize_t r;
    int len;
    if (fd < 0)
        goto fail;
    while (flock(fd, LOCK_EX) != 0)
        if (errno != EINTR)
            goto fail;
    r = pread(fd, buf, sizeof buf - 1, 0);
    if (r > 0) {
        buf[r] = '\0';
        seq = strtoll(buf, NULL, 10);
    }
    if (seq < 0)
        seq = 0;
    seq++;
    len = snprintf(buf, sizeof buf, "%lld\n", seq);
    if (pwrite(fd, buf, (size_t)len, 0) != len || fsync(fd) != 0)
        goto fail;
    close(fd);
    return seq;
fail:
    log_event(w, LOG_ERR, name, "order", "outcome=error detail=\".loket-watch/sequence: %s\"",
              strerror(errno));
    if (fd >= 0)
        close(fd);
    return -1;
}

static void scope_file_name(const char *run, const char *suffix, char *out, size_t size)
{
    snprintf(out, size, "%s%s", run, suffix);
}

/* The records a run touches, as its claim found them; 0 when they were never written. */
static int scope_read(const watcher *w, const char *run, lk_watch_scope *out)
{
    char name[RUN_STEM_MAX + 96], buf[65536];
    strbuf sb;
    ssize_t r;
    int fd;
    memset(out, 0, sizeof *out);
    scope_file_name(run, ".scope", name, sizeof name);
    fd = openat(w->scopes_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return 0;
    strbuf_init(&sb, 4096);
    while (sb.len < SCOPE_MAX_BYTES && (r = read(fd, buf, sizeof buf)) > 0)
        strbuf_add(&sb, buf, (size_t)r);
    close(fd);
    lk_watch_scope_from_text(sb.buf, out);
    strbuf_free(&sb);
    return 1;
}

/* Which employees and periods the file writes to, read offline by 'validate --json' in a
 * child (a file that crashes the reader never stops the watcher); what it cannot read counts
 * as every record. Written to .loket-watch/scopes/RUN.scope. -1 when stopped or unwritable. */
static int scope_compute(watcher *w, const run_state *st, const lk_watch_rule *rule)
{
    char *argv[12];
    int argc = 0, out_fd, status = 0, rc = -1;
    char tmpname[RUN_STEM_MAX + 96];
    char *file = path_in(w, w->cfg->processing, st->name), *text = NULL, *scope_text, *path;
    const char *importer = w->opts->importer ? w->opts->importer : "/proc/self/exe";
    lk_watch_scope scope;
    lk_error err;
    strbuf sb = STRBUF_INIT;
    pid_t parent = getpid(), pid;
    argv[argc++] = "loket-import";
    argv[argc++] = "validate";
    argv[argc++] = file;
    argv[argc++] = "-m";
    argv[argc++] = rule->mapping;
    if (rule->period) {
        argv[argc++] = "--period";
        argv[argc++] = rule->period;
    }
    argv[argc++] = "--json";
    argv[argc++] = "--quiet";
    argv[argc] = NULL;
    scope_file_name(st->run, ".validate.json", tmpname, sizeof tmpname);
    out_fd = openat(w->scopes_fd, tmpname,
                    O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0640);
    if (out_fd < 0) {
        log_event(w, LOG_ERR, st->name, "order", "outcome=error detail=\"%s: %s\"", tmpname,
                  strerror(errno));
        free(file);
        return -1;
    }
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(LK_EXIT_INTERRUPTED);
        if (devnull >= 0) {
            dup2(devnull, 0);
            dup2(devnull, 2);
        }
        dup2(out_fd, 1);
        signal(SIGPIPE, SIG_DFL);
        sigprocmask(SIG_SETMASK, &w->orig_mask, NULL);
        execv(importer, argv);
        _exit(LK_EXIT_INTERNAL);
    }
    if (pid < 0 || wait_child(w, st->name, pid, &status) || w->stopping) {
        if (pid < 0)
            log_event(w, LOG_ERR, st->name, "order", "outcome=error detail=\"fork: %s\"",
                      strerror(errno));
        close(out_fd);
        unlinkat(w->scopes_fd, tmpname, 0);
        free(file);
        return -1;
    }
    strbuf_init(&sb, 4096);
    {
        char buf[65536];
        ssize_t r;
        off_t off = 0;
        while (sb.len < 256u * 1024 * 1024 && (r = pread(out_fd, buf, sizeof buf, off)) > 0) {
            strbuf_add(&sb, buf, (size_t)r);
            off += r;
        }
    }
    close(out_fd);
    unlinkat(w->scopes_fd, tmpname, 0);
    text = strbuf_detach(&sb, NULL);
    lk_watch_scope_from_validate(text, rule->employer, &scope);
    free(text);
    scope_text = lk_watch_scope_to_text(&scope);
    scope_file_name(st->run, ".scope", tmpname, sizeof tmpname);
    strbuf_init(&sb, 0);
    strbuf_addf(&sb, "%s/.loket-watch/scopes/%s", w->root, tmpname);
    path = strbuf_detach(&sb, NULL);
    lk_error_clear(&err);
    if (lk_write_file_atomic(path, scope_text, strlen(scope_text), 0640, &err)) {
        log_event(w, LOG_ERR, st->name, "order", "outcome=error detail=\"%s\"", err.message);
    } else {
        if (scope.all)
            log_event(w, LOG_NOTICE, st->name, "scope",
                      "records=all detail=\"what the file touches could not be read (exit %d): "
                      "it is ordered against every other file\"",
                      WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        else
            log_event(w, LOG_INFO, st->name, "scope", "records=%zu", scope.n);
        rc = 0;
    }
    free(path);
    free(scope_text);
    free(file);
    lk_watch_scope_free(&scope);
    return rc;
}

/* The earliest file in processing/ taken before st that touches some of the same records: its
 * name into blocker, the shared records into common. 0 when there is none. */
static int find_blocker(watcher *w, const run_state *st, const lk_watch_scope *scope,
                        char *blocker, size_t size, lk_watch_scope *common)
{
    size_t n;
    char **names = list_folder(w->processing_fd, &n);
    long long best = LLONG_MAX;
    memset(common, 0, sizeof *common);
    for (size_t i = 0; i < n; i++) {
        run_state other;
        lk_watch_scope os, c;
        char hash[33];
        if (!strcmp(names[i], st->name) || names[i][0] == '.' || lk_watch_name_unsafe(names[i]))
            continue;
        lk_watch_name_hash(names[i], hash);
        if (!state_read(w, names[i], hash, &other) || other.mode != LK_WATCH_APPLY ||
            !other.seq || other.seq >= st->seq || other.seq >= best)
            continue;
        if (!scope_read(w, other.run, &os))
            os.all = 1; /* taken but not yet read: it may touch anything */
        if (lk_watch_scope_overlap(scope, &os, &c)) {
            best = other.seq;
            snprintf(blocker, size, "%s", names[i]);
            lk_watch_scope_free(common);
            *common = c;
        } else {
            lk_watch_scope_free(&c);
        }
        lk_watch_scope_free(&os);
    }
    free_names(names, n);
    return best != LLONG_MAX;
}

/* A file taken after another that is still in processing/ (waiting for Loket, or being
 * imported) and touches some of the same records waits for it: files take effect in the order
 * they were dropped. Said once per file it waits for. Returns 1 when held. */
static int hold_back(watcher *w, run_state *st, const lk_watch_rule *rule)
{
    lk_watch_scope scope, common;
    char blocker[NAME_MAX + 1], desc[800], reason[NAME_MAX + 1200];
    lk_error err;
    if (rule->mode != LK_WATCH_APPLY || !st->seq)
        return 0;
    if (!scope_read(w, st->run, &scope))
        scope.all = 1;
    if (!find_blocker(w, st, &scope, blocker, sizeof blocker, &common)) {
        lk_watch_scope_free(&scope);
        if (st->held_behind[0])
            log_event(w, LOG_INFO, st->name, "release", "behind=\"%s\"", st->held_behind);
        st->held_behind[0] = '\0';
        return 0;
    }
    w->held_count++;
    if (strcmp(st->held_behind, blocker)) {
        outcome oc = { .exit_code = -1 };
        snprintf(st->held_behind, sizeof st->held_behind, "%s", blocker);
        lk_error_clear(&err);
        if (state_write(w, st, &err))
            log_event(w, LOG_ERR, st->name, "state", "outcome=error detail=\"%s\"", err.message);
        lk_watch_scope_describe(&common, 5, desc, sizeof desc);
        snprintf(reason, sizeof reason,
                 "waits for %s, taken earlier, which writes some of the same records (%s) and "
                 "is not done yet: files take effect in the order they were dropped", blocker,
                 desc);
        oc.outcome = "held";
        oc.reason = reason;
        oc.held_behind = blocker;
        oc.records = &common;
        write_watch_report(w, st, rule, &oc);
        {
            strbuf sb = STRBUF_INIT;
            strbuf_init(&sb, 256);
            strbuf_addstr(&sb, "outcome=held behind=");
            add_quoted(&sb, blocker);
            strbuf_addf(&sb, " records=%zu detail=", common.all ? (size_t)0 : common.n);
            add_quoted(&sb, reason);
            log_event(w, LOG_NOTICE, st->name, "held", "%s", sb.buf);
            strbuf_free(&sb);
        }
    }
    lk_watch_scope_free(&scope);
    lk_watch_scope_free(&common);
    return 1;
}

/* A file whose content was taken before (moved back from failed/, or dropped again) is older
 * than every file taken since. When one of those wrote some of the same records, this file is
 * not applied over it: it goes to failed/ as superseded, naming that file and the records,
 * until a person says otherwise ('watch DIR --forget NAME'). Returns 1 when so filed. */
static int check_superseded(watcher *w, run_state *st, const lk_watch_rule *rule)
{
    lk_watch_record *recs = NULL;
    size_t n = 0;
    long first, newest = -1;
    const char *latest = "";
    lk_watch_scope scope, common;
    lk_error err;
    char desc[800], reason[NAME_MAX + 2000];
    int filed = 0;
    memset(&common, 0, sizeof common);
    lk_error_clear(&err);
    if (lk_watch_registry_load(w->registry, &recs, &n, &err)) {
        log_event(w, LOG_ERR, st->name, "registry", "outcome=error detail=\"%s\"", err.message);
        free(recs);
        return -1;
    }
    first = lk_watch_first_taken(recs, n, st->sha256);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(recs[i].sha256, st->sha256))
            latest = recs[i].status;
    /* content imported before is refused as a duplicate (register_run), which says more */
    if (first < 0 || (!rule->allow_duplicates && lk_watch_status_blocks_duplicate(latest))) {
        free(recs);
        return 0;
    }
    if (!scope_read(w, st->run, &scope))
        scope.all = 1;
    for (size_t i = (size_t)first + 1; i < n; i++) {
        lk_watch_scope os, c;
        if (strcmp(recs[i].status, "started") || !strcmp(recs[i].sha256, st->sha256) ||
            !strcmp(lk_watch_run_status(recs, n, recs[i].run), "not-sent") ||
            !scope_read(w, recs[i].run, &os))
            continue;
        if (lk_watch_scope_overlap(&scope, &os, &c)) {
            newest = (long)i;
            lk_watch_scope_free(&common);
            common = c;
        } else {
            lk_watch_scope_free(&c);
        }
        lk_watch_scope_free(&os);
    }
    if (newest >= 0) {
        outcome oc = { .exit_code = -1 };
        lk_watch_scope_describe(&common, 5, desc, sizeof desc);
        snprintf(reason, sizeof reason,
                 "superseded: this file was first taken at %s, and \"%s\" (run %s), taken "
                 "after it, has been imported since for some of the same records (%s); it is "
                 "not applied over that newer data. To apply it anyway: loket-import watch %s "
                 "--forget %s, then move it back to %s/",
                 recs[first].time, recs[newest].name, recs[newest].run, desc, w->root,
                 st->sha256, w->cfg->inbox);
        oc.outcome = "superseded";
        oc.reason = reason;
        oc.folder = w->cfg->failed;
        oc.superseded_by = &recs[newest];
        oc.records = &common;
        registry_note(w, st, "not-sent", -1);
        finish(w, w->processing_fd, st, rule, &oc);
        if (oc.moved_to[0])
            state_remove(w, st->hash);
        filed = 1;
    }
    lk_watch_scope_free(&scope);
    lk_watch_scope_free(&common);
    free(recs);
    return filed;
}

/* Before the first run of an apply file: what it touches, and whether it is older than an
 * import done since. 0 to go on; else it was filed, or the watcher stops (it stays). */
static int order_claimed(watcher *w, run_state *st, const lk_watch_rule *rule)
{
    lk_watch_scope scope;
    if (rule->mode != LK_WATCH_APPLY || st->registered)
        return 0;
    if (!scope_read(w, st->run, &scope)) {
        if (scope_compute(w, st, rule))
            return 1;
    } else {
        lk_watch_scope_free(&scope);
    }
    return check_superseded(w, st, rule) != 0;
}

/* A file in processing/ whose lock we hold and that has no usable run state: hash it, check
 * the registry, start its run. */
static void start_claimed(watcher *w, const char *name, const char *hash, int lock_fd)
{
    const lk_watch_rule *rule = lk_watch_rule_find(w->cfg, name);
    run_state st;
    struct stat sb;
    lk_error err;
    char reason[LK_ERROR_MSG_MAX + 800];
    int fd;
    memset(&st, 0, sizeof st);
    snprintf(st.name, sizeof st.name, "%s", name);
    snprintf(st.hash, sizeof st.hash, "%s", hash);
    lk_iso8601((long long)time(NULL), st.started);
    lk_error_clear(&err);
    if (!rule) {
        refuse(w, w->processing_fd, name, hash, "no-rule",
               "no rule of the folder config matches this file name", NULL);
        return;
    }
    fd = openat(w->processing_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
        lk_watch_sha256_fd(fd, st.sha256, &st.size, &err)) {
        if (fd < 0)
            snprintf(reason, sizeof reason, "the file cannot be read: %s", strerror(errno));
        else if (!S_ISREG(sb.st_mode))
            snprintf(reason, sizeof reason, "not a regular file: %s",
                     lk_watch_file_type(sb.st_mode));
        else
            snprintf(reason, sizeof reason, "%s", err.message);
        if (fd >= 0)
            close(fd);
        refuse(w, w->processing_fd, name, hash, "unreadable", reason, rule);
        return;
    }
    close(fd);
    snprintf(st.rule, sizeof st.rule, "%s", rule->match);
    st.mode = rule->mode;
    new_run_id(w, name, st.run, sizeof st.run);
    if (rule->mode == LK_WATCH_APPLY && (st.seq = next_seq(w, name)) < 0)
        return; /* stays in processing/; the next scan starts it again */
    log_event(w, LOG_INFO, name, "claim", "rule=\"%s\" mode=%s sha256=%s size=%lld", rule->match,
              lk_watch_mode_name(rule->mode), st.sha256, st.size);
    /* The state is written before the registry line: after a crash in between, the restart
     * claims again under the same run, which the registry knows as its own (no duplicate). */
    if (state_write(w, &st, &err)) {
        log_event(w, LOG_ERR, name, "state", "outcome=error detail=\"%s\"", err.message);
        return;
    }
    if (order_claimed(w, &st, rule) || register_run(w, &st, rule) || hold_back(w, &st, rule))
        return;
    import_claimed(w, &st, rule, lock_fd);
}

/* One settled name of the inbox: claim it by rename into processing/, then import it. `fs` is
 * what settled; a file that differs from it now is still being written and is left alone. */
static void take_from_inbox(watcher *w, const char *name, const lk_watch_filestat *fs)
{
    char hash[33];
    int lock_fd;
    struct stat sb;
    lk_watch_name_hash(name, hash);
    lock_fd = lk_watch_lock_name(w->runs_fd, hash);
    if (lock_fd < 0)
        return; /* another watcher is busy with this name */
    if (fstatat(w->processing_fd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
        /* a file of that name is still in processing/ (a crashed run): finish it first */
        lk_watch_unlock_name(w->runs_fd, hash, lock_fd);
        return;
    }
    if (fstatat(w->inbox_fd, name, &sb, AT_SYMLINK_NOFOLLOW) != 0 ||
        (long long)sb.st_size != fs->size || (unsigned long long)sb.st_ino != fs->ino ||
        (long long)sb.st_mtim.tv_sec * 1000000000LL + sb.st_mtim.tv_nsec != fs->mtime_ns) {
        lk_watch_unlock_name(w->runs_fd, hash, lock_fd);
        return; /* changed since it settled: the next scan watches it settle again */
    }
    if (renameat2(w->inbox_fd, name, w->processing_fd, name, RENAME_NOREPLACE) != 0) {
        if (errno != ENOENT)
            log_event(w, LOG_ERR, name, "claim", "outcome=error detail=\"%s\"", strerror(errno));
        lk_watch_unlock_name(w->runs_fd, hash, lock_fd);
        return; /* ENOENT: another watcher took it */
    }
    start_claimed(w, name, hash, lock_fd);
    lk_watch_unlock_name(w->runs_fd, hash, lock_fd);
}

/* Names that must never reach an import: moved to failed/ at once, with a report. */
static void refuse_from_inbox(watcher *w, const char *name, const char *outcome_name,
                              const char *reason)
{
    char hash[33];
    int lock_fd;
    lk_watch_name_hash(name, hash);
    lock_fd = lk_watch_lock_name(w->runs_fd, hash);
    if (lock_fd < 0)
        return;
    refuse(w, w->inbox_fd, name, hash, outcome_name, reason, NULL);
    lk_watch_unlock_name(w->runs_fd, hash, lock_fd);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in a folder, sorted; NULL-terminated, caller frees. */
static char **list_folder(int dir_fd, size_t *count)
{
    int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d;
    struct dirent *de;
    char **names = NULL;
    size_t n = 0, alloc = 0;
    *count = 0;
    if (fd < 0 || !(d = fdopendir(fd))) {
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        lk_grow(&names, sizeof(char *), n + 2, &alloc);
        names[n++] = xstrdup(de->d_name);
    }
    closedir(d);
    if (names) {
        qsort(names, n, sizeof(char *), cmp_names);
        names[n] = NULL;
    }
    *count = n;
    return names;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Notices a SIGTERM/SIGINT that arrived between two files, before the next one is taken. */
static void check_signals(watcher *w)
{
    struct signalfd_siginfo si;
    while (read(w->sig_fd, &si, sizeof si) == (ssize_t)sizeof si) {
        if ((si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) && !w->stopping) {
            w->stopping = 1;
            log_event(w, LOG_NOTICE, NULL, "stop", "detail=\"signal %d\"", (int)si.ssi_signo);
        }
    }
}

/* A file waiting after a transient failure whose next attempt is still ahead. A next attempt
 * further ahead than the longest wait of the schedule means the clock was set back: due now. */
static int retry_not_due(const watcher *w, const run_state *st)
{
    long long now = (long long)time(NULL);
    double longest = 0;
    for (size_t i = 0; i < w->cfg->n_retry; i++)
        if (w->cfg->retry_seconds[i] > longest)
            longest = w->cfg->retry_seconds[i];
    return st->next_attempt > now && (double)(st->next_attempt - now) <= longest + 1;
}

typedef struct ordered_name {
    char *name;
    long long key; /* seq in processing/, change time in inbox/ */
} ordered_name;

static int cmp_ordered(const void *a, const void *b)
{
    const ordered_name *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* The files of processing/ in the order they were taken (files without run state first: they
 * were taken before the watcher could write it). Sorted in place; names keep their owner. */
static void sort_by_seq(const watcher *w, char **names, size_t n)
{
    ordered_name *o = xcalloc(n ? n : 1, sizeof *o);
    for (size_t i = 0; i < n; i++) {
        run_state st;
        char hash[33];
        o[i].name = names[i];
        lk_watch_name_hash(names[i], hash);
        o[i].key = !lk_watch_name_unsafe(names[i]) && state_read(w, names[i], hash, &st) ? st.seq
                                                                                       : 0;
    }
    qsort(o, n, sizeof *o, cmp_ordered);
    for (size_t i = 0; i < n; i++)
        names[i] = o[i].name;
    free(o);
}

/* Files left in processing/ by a crash or a stop, waiting or held: resume each whose lock is
 * free and whose turn it is, in the order they were taken. */
static void recover_processing(watcher *w)
{
    size_t n;
    char **names = list_folder(w->processing_fd, &n);
    sort_by_seq(w, names, n);
    for (size_t i = 0; i < n && (check_signals(w), !w->stopping); i++) {
        const char *name = names[i];
        char hash[33];
        int lock_fd;
        struct stat sb;
        run_state st;
        const lk_watch_rule *rule;
        if (lk_watch_name_unsafe(name) || name[0] == '.')
            continue; /* never claimed by a watcher: someone put it there by hand */
        lk_watch_name_hash(name, hash);
        lock_fd = lk_watch_lock_name(w->runs_fd, hash);
        if (lock_fd < 0)
            continue; /* being imported right now */
        if (fstatat(w->processing_fd, name, &sb, AT_SYMLINK_NOFOLLOW) != 0) {
            lk_watch_unlock_name(w->runs_fd, hash, lock_fd);
            continue; /* finished by another watcher meanwhile */
        }
        if (!state_read(w, name, hash, &st)) {
            log_event(w, LOG_NOTICE, name, "recover", "detail=\"no run state: starting afresh\"");
            start_claimed(w, name, hash, lock_fd);
        } else if (!(rule = rule_by_match(w->cfg, st.rule))) {
            refuse(w, w->processing_fd, name, hash, "no-rule",
                   "the rule this file was taken with is no longer in the folder config", NULL);
            state_remove(w, hash);
        } else if (!st.running && retry_not_due(w, &st)) {
            note_waiting(w, st.next_attempt); /* after a transient failure: not due yet */
        } else if (!st.running && st.held_behind[0] && hold_back(w, &st, rule)) {
            ; /* still waits for an earlier file; said when it began */
        } else {
            if (st.running)
                st.crashes++; /* the watcher died while the import ran */
            log_event(w, LOG_NOTICE, name, "recover", "run=\"%s\" crashes=%d", st.run,
                      st.crashes);
            if (st.crashes >= w->cfg->max_attempts) {
                outcome oc = { .exit_code = -1 };
                oc.outcome = "crashed";
                oc.reason = "the import ended abnormally too many times; see the log in reports/";
                oc.folder = w->cfg->failed;
                if (rule->mode == LK_WATCH_APPLY)
                    registry_note(w, &st, "failed", -1);
                finish(w, w->processing_fd, &st, rule, &oc);
                if (oc.moved_to[0])
                    state_remove(w, hash);
            } else if (!order_claimed(w, &st, rule) && !register_run(w, &st, rule) &&
                       !hold_back(w, &st, rule)) {
                import_claimed(w, &st, rule, lock_fd);
            }
        }
        lk_watch_unlock_name(w->runs_fd, hash, lock_fd);
    }
    free_names(names, n);
}

/* Looks at every name in inbox/ and takes the settled ones, in the order they arrived (their
 * change time: the end of the upload or the rename into inbox/; by name when equal). Returns
 * the milliseconds until the next unsettled file may have settled, or -1 when none is waiting. */
static double scan_inbox(watcher *w)
{
    size_t n, n_settled = 0;
    char **names = list_folder(w->inbox_fd, &n);
    ordered_name *settled = xcalloc(n ? n : 1, sizeof *settled);
    lk_watch_filestat *stats = xcalloc(n ? n : 1, sizeof *stats);
    double next = -1;
    read_inotify(w); /* what was written while an import ran */
    for (size_t i = 0; i < n && (check_signals(w), !w->stopping); i++) {
        const char *name = names[i];
        const char *why;
        struct stat sb;
        lk_watch_filestat fs;
        double remaining = 0;
        char reason[256];
        if (lk_watch_name_ignored(name, w->cfg->ignore, w->cfg->n_ignore))
            continue;
        if (fstatat(w->inbox_fd, name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
            continue; /* gone meanwhile */
        if ((why = lk_watch_name_unsafe(name))) {
            refuse_from_inbox(w, name, "unsafe-name", why);
            continue;
        }
        if (!S_ISREG(sb.st_mode)) {
            snprintf(reason, sizeof reason, "not a regular file: %s; symbolic links are never "
                     "followed", lk_watch_file_type(sb.st_mode));
            refuse_from_inbox(w, name, "not-a-file", reason);
            continue;
        }
        fs.size = (long long)sb.st_size;
        fs.mtime_ns = (long long)sb.st_mtim.tv_sec * 1000000000LL + sb.st_mtim.tv_nsec;
        fs.ctime_ns = (long long)sb.st_ctim.tv_sec * 1000000000LL + sb.st_ctim.tv_nsec;
        fs.ino = (unsigned long long)sb.st_ino;
        if (!lk_watch_settle_observe(w->settle, name, &fs, lk_monotonic_ms(), &remaining)) {
            if (next < 0 || remaining < next)
                next = remaining;
            continue;
        }
        settled[n_settled].name = names[i];
        settled[n_settled].key = fs.ctime_ns;
        stats[i] = fs;
        n_settled++;
    }
    lk_watch_settle_prune(w->settle);
    qsort(settled, n_settled, sizeof *settled, cmp_ordered);
    for (size_t k = 0; k < n_settled && (check_signals(w), !w->stopping); k++) {
        size_t i = 0;
        while (names[i] != settled[k].name)
            i++;
        lk_watch_settle_forget(w->settle, names[i]);
        take_from_inbox(w, names[i], &stats[i]);
    }
    free(settled);
    free(stats);
    free_names(names, n);
    return next;
}

/* ---------------------------------------------------------------- probing while files wait */

#define PROBE_TIMEOUT_MS 30000

/* One cheap question to Loket ('loket-import auth status': GET /user, and a token refresh
 * when due) with the import's connection options. 1 when Loket answers again. */
static int probe_loket(watcher *w)
{
    char *argv[4 + 2 * 8];
    size_t argc = 0;
    const char *importer = w->opts->importer ? w->opts->importer : "/proc/self/exe";
    double started = lk_monotonic_ms();
    pid_t parent = getpid(), pid;
    int status = 0;
    argv[argc++] = "loket-import";
    argv[argc++] = "auth";
    argv[argc++] = "status";
    for (size_t i = 0; i < w->opts->n_pass_args && argc + 2 < sizeof argv / sizeof *argv; i++)
        argv[argc++] = w->opts->pass_args[i];
    argv[argc] = NULL;
    fflush(NULL);
    pid = fork();
    if (pid < 0)
        return 0;
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(LK_EXIT_INTERRUPTED);
        if (devnull >= 0) {
            dup2(devnull, 0);
            dup2(devnull, 1);
            dup2(devnull, 2);
        }
        signal(SIGPIPE, SIG_DFL);
        sigprocmask(SIG_SETMASK, &w->orig_mask, NULL);
        execv(importer, argv);
        _exit(LK_EXIT_INTERNAL);
    }
    for (;;) {
        pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid)
            break;
        if (done < 0 && errno != EINTR)
            return 0;
        check_signals(w);
        if (w->stopping || lk_monotonic_ms() - started > PROBE_TIMEOUT_MS) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return 0;
        }
        poll(NULL, 0, 100);
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* While files wait for their next try after an outage: probe Loket every probe_seconds, and
 * once it answers, make every waiting file due now (the schedule bounds only what is sent
 * while Loket is down). Returns 1 when files were made due. */
static int probe_while_waiting(watcher *w)
{
    size_t n;
    char **names;
    int made_due = 0;
    long long now = (long long)time(NULL);
    /* a probe is worth it only before the next try would come anyway */
    if (!w->waiting_count || w->cfg->probe_seconds <= 0 ||
        (double)(w->next_due - now) <= w->cfg->probe_seconds ||
        (w->last_probe && lk_monotonic_ms() - w->last_probe < w->cfg->probe_seconds * 1000.0))
        return 0;
    w->last_probe = lk_monotonic_ms();
    if (!probe_loket(w)) {
        if (!w->probe_failing && !w->stopping)
            log_event(w, LOG_INFO, NULL, "probe",
                      "outcome=unavailable detail=\"Loket does not answer yet; asking again every "
                      "%gs\"", w->cfg->probe_seconds);
        w->probe_failing = 1;
        return 0;
    }
    w->probe_failing = 0;
    names = list_folder(w->processing_fd, &n);
    for (size_t i = 0; i < n; i++) {
        run_state st;
        char hash[33];
        int lock_fd;
        if (names[i][0] == '.' || lk_watch_name_unsafe(names[i]))
            continue;
        lk_watch_name_hash(names[i], hash);
        lock_fd = lk_watch_lock_name(w->runs_fd, hash);
        if (lock_fd < 0)
            continue;
        if (state_read(w, names[i], hash, &st) && st.transient && !st.running &&
            st.next_attempt > now) {
            lk_error err;
            st.next_attempt = now;
            lk_error_clear(&err);
            if (state_write(w, &st, &err))
                log_event(w, LOG_ERR, st.name, "state", "outcome=error detail=\"%s\"",
                          err.message);
            else
                made_due++;
        }
        lk_watch_unlock_name(w->runs_fd, hash, lock_fd);
    }
    free_names(names, n);
    if (made_due)
        log_event(w, LOG_NOTICE, NULL, "probe",
                  "outcome=ok due=%d detail=\"Loket answers again: the waiting files are tried "
                  "now\"", made_due);
    return made_due > 0;
}

/* ---------------------------------------------------------------- a refused login */

#define LOGIN_MARKER "login-refused.json"

/* .loket-watch/login-refused.json: since when and why the token service refuses the login.
 * While it exists no file is taken: each would fail the same way, one per drop. */
static int login_marker_read(const watcher *w, char *since, size_t since_size, char *cause,
                             size_t cause_size)
{
    char buf[4096];
    ssize_t r;
    cJSON *o;
    int fd = openat(w->state_fd, LOGIN_MARKER, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return 0;
    r = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[r > 0 ? r : 0] = '\0';
    o = cJSON_Parse(buf);
    if (since)
        snprintf(since, since_size, "%s",
                 cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "since"))
                     ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "since"))
                     : "");
    if (cause)
        snprintf(cause, cause_size, "%s",
                 cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "cause"))
                     ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "cause"))
                     : "");
    cJSON_Delete(o);
    return 1;
}

/* The login was refused while importing st: the file waits in processing/, the folder stops
 * taking files, and one alert is raised (an error line, the onFailure hook with the outcome
 * login-refused), not one per file. */
static void login_refused(watcher *w, run_state *st, const lk_watch_rule *rule, outcome *oc)
{
    cJSON *o = cJSON_CreateObject();
    char when[24], *json, *path;
    lk_error err;
    strbuf sb = STRBUF_INIT;
    int first = !login_marker_read(w, NULL, 0, NULL, 0);
    st->running = 0;
    lk_error_clear(&err);
    if (state_write(w, st, &err))
        log_event(w, LOG_ERR, st->name, "state", "outcome=error detail=\"%s\"", err.message);
    w->login_refused = 1;
    w->left_count++;
    strbuf_init(&sb, 256);
    strbuf_addf(&sb, "outcome=waiting-login exit=%d detail=", oc->exit_code);
    add_quoted(&sb, oc->detail ? oc->detail : "the token service refused the login");
    log_event(w, LOG_NOTICE, st->name, "done", "%s", sb.buf);
    strbuf_free(&sb);
    if (!first)
        return;
    cJSON_AddStringToObject(o, "since", lk_iso8601((long long)time(NULL), when));
    cJSON_AddStringToObject(o, "cause", oc->detail ? oc->detail : "");
    cJSON_AddStringToObject(o, "file", st->name);
    cJSON_AddStringToObject(o, "run", st->run);
    json = cJSON_Print(o);
    cJSON_Delete(o);
    strbuf_init(&sb, 0);
    strbuf_addf(&sb, "%s/.loket-watch/%s", w->root, LOGIN_MARKER);
    path = strbuf_detach(&sb, NULL);
    if (lk_write_file_atomic(path, json, strlen(json), 0640, &err))
        log_event(w, LOG_ERR, st->name, "login", "outcome=error detail=\"%s\"", err.message);
    free(path);
    free(json);
    strbuf_init(&sb, 256);
    strbuf_addstr(&sb, "outcome=refused detail=");
    add_quoted(&sb, oc->detail ? oc->detail : "the token service refused the login");
    strbuf_addstr(&sb, " todo=\"sign in again (loket-import auth code or auth set-refresh-token, as "
                       "the watcher's user); files wait in inbox/ and processing/ and are taken "
                       "by themselves once the login works\"");
    log_event(w, LOG_ERR, NULL, "login", "%s", sb.buf);
    strbuf_free(&sb);
    {
        outcome alert = *oc;
        alert.outcome = "login-refused";
        alert.reason = "the token service refused the login: sign in again; no file is taken "
                       "until then, and the files wait (nothing is lost)";
        alert.folder = w->cfg->processing;
        snprintf(alert.moved_to, sizeof alert.moved_to, "%s", st->name);
        run_hook(w, st, &alert, 1);
    }
    (void)rule;
}

/* While the login is refused: is it fixed? (The probe signs in with what the store now holds.)
 * Returns 1 while it is still refused. */
static int login_still_refused(watcher *w, int force)
{
    char since[32];
    if (!login_marker_read(w, since, sizeof since, NULL, 0)) {
        w->login_refused = 0;
        return 0;
    }
    w->login_refused = 1;
    if (!force && w->last_probe &&
        lk_monotonic_ms() - w->last_probe < (w->cfg->probe_seconds > 0 ? w->cfg->probe_seconds
                                                                         : 60) * 1000.0)
        return 1;
    w->last_probe = lk_monotonic_ms();
    if (!probe_loket(w))
        return 1;
    unlinkat(w->state_fd, LOGIN_MARKER, 0);
    w->login_refused = 0;
    log_event(w, LOG_NOTICE, NULL, "login",
              "outcome=ok detail=\"the login works again (refused since %s): taking files "
              "again\"", since);
    return 0;
}

/* ---------------------------------------------------------------- waiting */

/* Waits for an inotify event, a signal, or the timeout (ms, <0 = forever). */
static void wait_for_events(watcher *w, double timeout_ms)
{
    struct pollfd pfd[2] = { { .fd = w->sig_fd, .events = POLLIN },
                             { .fd = w->inotify_fd, .events = POLLIN } };
    int nfds = w->inotify_fd >= 0 ? 2 : 1;
    int timeout = timeout_ms < 0 ? -1 : timeout_ms > 3600000 ? 3600000 : (int)timeout_ms + 1;
    if (poll(pfd, (nfds_t)nfds, timeout) <= 0)
        return;
    if (pfd[0].revents & POLLIN) {
        struct signalfd_siginfo si;
        while (read(w->sig_fd, &si, sizeof si) == (ssize_t)sizeof si) {
            if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
                w->stopping = 1;
                log_event(w, LOG_NOTICE, NULL, "stop", "detail=\"signal %d\"", (int)si.ssi_signo);
            }
        }
    }
    if (nfds == 2 && (pfd[1].revents & POLLIN))
        read_inotify(w);
}

/* Reads the inotify events waiting: they say "look again", and which files are still open for
 * writing (written, not yet closed after writing); the scan decides. */
static void read_inotify(watcher *w)
{
    if (w->inotify_fd >= 0) {
        char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
        ssize_t len;
        while ((len = read(w->inotify_fd, buf, sizeof buf)) > 0) {
            for (char *p = buf; p < buf + len;) {
                const struct inotify_event *ev = (const struct inotify_event *)p;
                if (ev->mask & IN_Q_OVERFLOW)
                    lk_watch_settle_writing(w->settle, NULL, 0);
                if (ev->len && !(ev->mask & IN_ISDIR)) {
                    if (ev->mask & (IN_DELETE | IN_MOVED_FROM))
                        lk_watch_settle_forget(w->settle, ev->name);
                    else if (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO))
                        lk_watch_settle_writing(w->settle, ev->name, 0);
                    else if (ev->mask & IN_MODIFY)
                        lk_watch_settle_writing(w->settle, ev->name, 1);
                }
                p += sizeof(struct inotify_event) + ev->len;
            }
        }
    }
}

/* ---------------------------------------------------------------- setup */

/* A folder the watcher keeps state in or moves files through must be its own (or root's) and
 * not writable by every user; the state and processing folders not by the group either, since
 * whoever can write there can swap a file between its check and its import. The inbox is
 * exempt: uploading into it is its purpose. */
static int check_layout_dir(const watcher *w, int fd, const char *name, bool strict)
{
    struct stat st;
    mode_t forbidden = strict ? (S_IWGRP | S_IWOTH) : S_IWOTH;
    if (fstat(fd, &st) != 0) {
        lk_errorf("%s/%s: %s", w->root, name, strerror(errno));
        return -1;
    }
    if (st.st_uid != geteuid() && st.st_uid != 0) {
        lk_errorf(_("%s/%s belongs to another user (uid %ld); the watcher moves files only "
                  "through its own folders"), w->root, name, (long)st.st_uid);
        return -1;
    }
    if ((st.st_mode & forbidden) && !(st.st_mode & S_ISVTX && !strict)) {
        lk_errorf(_("%s/%s can be written by other users (mode %04o); chmod %s it"), w->root, name,
                  (unsigned)(st.st_mode & 07777), strict ? "go-w" : "o-w");
        return -1;
    }
    return 0;
}

static int open_layout(watcher *w)
{
    const char *folders[5];
    int *fds[5] = { &w->inbox_fd, &w->processing_fd, &w->done_fd, &w->failed_fd,
                    &w->reports_fd };
    struct stat root_st, st;
    int state_fd;
    strbuf sb = STRBUF_INIT;
    folders[0] = w->cfg->inbox;
    folders[1] = w->cfg->processing;
    folders[2] = w->cfg->done;
    folders[3] = w->cfg->failed;
    folders[4] = w->cfg->reports;
    w->root = realpath(w->opts->dir, NULL);
    if (!w->root) {
        lk_errorf("%s: %s", w->opts->dir, strerror(errno));
        return -1;
    }
    w->root_fd = open(w->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (w->root_fd < 0 || fstat(w->root_fd, &root_st) != 0) {
        lk_errorf("%s: %s", w->root, strerror(errno));
        return -1;
    }
    /* whoever may write DIR itself can rename done/, failed/, reports/ and the registry */
    if ((root_st.st_mode & (S_IWGRP | S_IWOTH)) && !(root_st.st_mode & S_ISVTX)) {
        lk_errorf(_("%s can be written by other users (mode %04o): they could rename its "
                  "folders and the registry; chmod g-w,o-w it (uploads go into inbox/, which "
                  "stays writable for the group)"),
                  w->root, (unsigned)(root_st.st_mode & 07777));
        return -1;
    }
    for (int i = 0; i < 5; i++) {
        /* inbox/ is where the group uploads; nothing else is theirs to change */
        *fds[i] = lk_watch_open_subdir_mode(w->root_fd, folders[i], 1, i == 0 ? 0770 : 0750);
        if (*fds[i] < 0) {
            lk_errorf(_("%s/%s: %s (a folder of the layout must be a real folder, not a "
                      "symbolic link)"), w->root, folders[i], strerror(errno));
            return -1;
        }
        /* every move is a rename(): it is atomic only within one file system */
        if (fstat(*fds[i], &st) != 0 || st.st_dev != root_st.st_dev) {
            lk_errorf(_("%s/%s: must be on the same file system as %s"), w->root, folders[i],
                      w->root);
            return -1;
        }
        if (i > 0 && check_layout_dir(w, *fds[i], folders[i], i == 1) != 0)
            return -1;
    }
    state_fd = w->state_fd = lk_watch_open_subdir(w->root_fd, ".loket-watch", 1);
    if (state_fd < 0) {
        lk_errorf(_("%s/.loket-watch: %s"), w->root, strerror(errno));
        return -1;
    }
    if (check_layout_dir(w, state_fd, ".loket-watch", true) != 0)
        return -1;
    w->runs_fd = lk_watch_open_subdir(state_fd, "runs", 1);
    w->journals_fd = lk_watch_open_subdir(state_fd, "journals", 1);
    w->scopes_fd = lk_watch_open_subdir(state_fd, "scopes", 1);
    if (w->runs_fd < 0 || w->journals_fd < 0 || w->scopes_fd < 0) {
        lk_errorf(_("%s/.loket-watch: %s"), w->root, strerror(errno));
        return -1;
    }
    if (check_layout_dir(w, w->runs_fd, ".loket-watch/runs", true) != 0 ||
        check_layout_dir(w, w->journals_fd, ".loket-watch/journals", true) != 0 ||
        check_layout_dir(w, w->scopes_fd, ".loket-watch/scopes", true) != 0)
        return -1;
    strbuf_init(&sb, 0);
    strbuf_addf(&sb, "%s/.loket-watch/imported.jsonl", w->root);
    w->registry = strbuf_detach(&sb, NULL);
    return 0;
}

static int setup_signals(watcher *w)
{
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGCHLD);
    if (sigprocmask(SIG_BLOCK, &mask, &w->orig_mask) != 0)
        return -1;
    w->sig_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    return w->sig_fd < 0 ? -1 : 0;
}

static void close_fd(int fd)
{
    if (fd >= 0)
        close(fd);
}

int lk_watch_run(const lk_watch_options *opts)
{
    watcher w;
    int rc = LK_EXIT_OK;
    double rescan_ms = opts->cfg->rescan_seconds * 1000.0;
    double last_scan = 0;
    memset(&w, 0, sizeof w);
    w.opts = opts;
    w.cfg = opts->cfg;
    w.root_fd = w.inbox_fd = w.processing_fd = w.done_fd = w.failed_fd = w.reports_fd = -1;
    w.runs_fd = w.journals_fd = w.sig_fd = w.inotify_fd = w.state_fd = w.scopes_fd = -1;
    if (open_layout(&w) || setup_signals(&w)) {
        rc = LK_EXIT_CONFIG;
        goto out;
    }
    if (!opts->once) {
        char *inbox = path_in(&w, w.cfg->inbox, "");
        w.inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (w.inotify_fd < 0 ||
            inotify_add_watch(w.inotify_fd, inbox,
                              IN_CREATE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_ATTRIB |
                                  IN_DELETE | IN_MOVED_FROM | IN_ONLYDIR | IN_DONT_FOLLOW) < 0) {
            /* the periodic rescan still finds every file, only later */
            log_event(&w, LOG_WARNING, NULL, "inotify",
                      "outcome=unavailable detail=\"%s; rescanning every %gs\"",
                      strerror(errno), w.cfg->rescan_seconds);
            close_fd(w.inotify_fd);
            w.inotify_fd = -1;
        }
        free(inbox);
    }
    w.settle = lk_watch_settle_new(w.cfg->settle_seconds * 1000.0);
    log_event(&w, LOG_INFO, NULL, "start", "dir=\"%s\" mode=%s rules=%zu settle=%gs", w.root,
              opts->once ? "once" : "resident", w.cfg->n_rules, w.cfg->settle_seconds);
    while (!w.stopping) {
        double next;
        if (login_still_refused(&w, last_scan == 0)) {
            if (opts->once)
                break;
            wait_for_events(&w, (w.cfg->probe_seconds > 0 ? w.cfg->probe_seconds : 60) * 1000.0);
            continue;
        }
        w.retry = 0;
        w.waiting_count = 0;
        w.held_count = 0;
        w.next_due = 0;
        recover_processing(&w);
        if (w.stopping)
            break;
        if (w.login_refused)
            continue; /* taken up at the top: no file is claimed while the login is refused */
        next = scan_inbox(&w);
        last_scan = lk_monotonic_ms();
        if (w.stopping)
            break;
        if (w.retry || probe_while_waiting(&w))
            continue;
        if (opts->once) {
            if (next < 0)
                break;
            wait_for_events(&w, next);
        } else {
            double t = rescan_ms - (lk_monotonic_ms() - last_scan);
            if (next >= 0 && next < t)
                t = next;
            if (w.next_due) {
                double due = ((double)w.next_due - (double)time(NULL)) * 1000.0;
                if (due < t)
                    t = due;
                if (w.cfg->probe_seconds > 0) {
                    double probe = w.cfg->probe_seconds * 1000.0 -
                                   (lk_monotonic_ms() - w.last_probe);
                    if (probe < t)
                        t = probe;
                }
            }
            wait_for_events(&w, t < 0 ? 0 : t);
        }
    }
    log_event(&w, LOG_INFO, NULL, "exit",
              "failed=%d left_in_processing=%d waiting=%d held=%d errors=%d%s%s", w.failed_count,
              w.left_count, w.waiting_count, w.held_count, w.errors,
              w.login_refused ? " login=refused" : "",
              w.stopping ? " detail=\"stopped by a signal\"" : "");
    if (opts->once)
        rc = w.stopping ? LK_EXIT_INTERRUPTED
             : w.errors || w.login_refused ? LK_EXIT_CONFIG
             : w.failed_count ? LK_EXIT_REJECTED
                            : LK_EXIT_OK;
out:
    lk_watch_settle_free(w.settle);
    close_fd(w.inotify_fd);
    close_fd(w.sig_fd);
    close_fd(w.root_fd);
    close_fd(w.inbox_fd);
    close_fd(w.processing_fd);
    close_fd(w.done_fd);
    close_fd(w.failed_fd);
    close_fd(w.reports_fd);
    close_fd(w.runs_fd);
    close_fd(w.journals_fd);
    close_fd(w.state_fd);
    close_fd(w.scopes_fd);
    free(w.registry);
    free(w.root);
    return rc;
}

/* ---------------------------------------------------------------- forget */

int lk_watch_forget(const char *dir, const char *sha_or_name)
{
    strbuf sb = STRBUF_INIT;
    lk_watch_record latest, rec;
    lk_error err;
    int found = 0, by_name = strlen(sha_or_name) != 64 ||
                             strspn(sha_or_name, "0123456789abcdef") != 64;
    char *root = realpath(dir, NULL);
    int rc = LK_EXIT_OK;
    if (!root) {
        lk_errorf("%s: %s", dir, strerror(errno));
        return LK_EXIT_CONFIG;
    }
    strbuf_init(&sb, 0);
    strbuf_addf(&sb, "%s/.loket-watch/imported.jsonl", root);
    lk_error_clear(&err);
    if (lk_watch_registry_find(sb.buf, sha_or_name, by_name, &latest, &found, &err)) {
        lk_errorf("%s", err.message);
        rc = LK_EXIT_CONFIG;
    } else if (!found) {
        lk_errorf(_("%s: not in the registry of %s"), sha_or_name, root);
        rc = LK_EXIT_INPUT;
    } else {
        lk_watch_record_init(&rec, latest.sha256, latest.name, latest.run, "forgotten", -1);
        if (lk_watch_registry_append(sb.buf, &rec, &err)) {
            lk_errorf("%s", err.message);
            rc = LK_EXIT_CONFIG;
        } else {
            printf(_("%s (%s, last %s at %s) may be imported again\n"), latest.sha256,
                   latest.name, latest.status, latest.time);
        }
    }
    strbuf_free(&sb);
    free(root);
    return rc;
}
