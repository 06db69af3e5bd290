/*
 * run_trail.c: what apply writes into its run folder, and when (see run_trail.h).
 */
#include "cmd/run_trail.h"

#include "common/hashmap.h"
#include "common/i18n.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char *absolute(const char *path)
{
    char *abs = realpath(path, NULL);
    return abs ? abs : xstrdup(path);
}

static void set_str(cJSON *o, const char *name, const char *value)
{
    cJSON_DeleteItemFromObjectCaseSensitive(o, name);
    if (value)
        cJSON_AddStringToObject(o, name, value);
    else
        cJSON_AddNullToObject(o, name);
}

static void set_item(cJSON *o, const char *name, cJSON *item)
{
    cJSON_DeleteItemFromObjectCaseSensitive(o, name);
    cJSON_AddItemToObject(o, name, item);
}

static void now_text(char *buf)
{
    lk_iso8601((long long)time(NULL), buf);
}

/* The journal path as run.json keeps it: absolute, so --resume finds the run again from any
 * folder. */
static char *journal_key(const char *journal_opt)
{
    if (!journal_opt)
        return NULL;
    /* the journal may not exist yet: make its folder absolute */
    const char *slash = strrchr(journal_opt, '/');
    strbuf sb;
    strbuf_init(&sb, 256);
    if (slash) {
        char *dir = xstrndup(journal_opt, (size_t)(slash - journal_opt));
        char *abs = absolute(*dir ? dir : "/");
        strbuf_addf(&sb, "%s%s", strcmp(abs, "/") ? abs : "", slash);
        free(abs);
        free(dir);
    } else {
        char *abs = absolute(".");
        strbuf_addf(&sb, "%s/%s", abs, journal_opt);
        free(abs);
    }
    return strbuf_detach(&sb, NULL);
}

/* The command line as the process was started (/proc/self/cmdline), one string, each
 * argument with spaces or quotes in single quotes. No secret is ever an option. */
static char *command_line(void)
{
    FILE *f = fopen("/proc/self/cmdline", "rb");
    if (!f)
        return NULL;
    strbuf raw, out;
    strbuf_init(&raw, 256);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0 && raw.len < 65536)
        strbuf_add(&raw, buf, n);
    fclose(f);
    strbuf_init(&out, raw.len + 16);
    for (size_t i = 0; i < raw.len; i += strlen(raw.buf + i) + 1) {
        const char *arg = raw.buf + i;
        bool quote = !*arg || strpbrk(arg, " \t'\"\\$`");
        if (out.len)
            strbuf_addch(&out, ' ');
        if (!quote) {
            strbuf_addstr(&out, arg);
            continue;
        }
        strbuf_addch(&out, '\'');
        for (const char *p = arg; *p; p++)
            if (*p == '\'')
                strbuf_addstr(&out, "'\\''");
            else
                strbuf_addch(&out, *p);
        strbuf_addch(&out, '\'');
    }
    strbuf_free(&raw);
    return strbuf_detach(&out, NULL);
}

/* Who ran it: the OS user, the command line, and the watcher's run and rule when the watcher
 * started it (it passes LOKET_IMPORT_WATCH_RUN and LOKET_IMPORT_WATCH_RULE). */
static cJSON *who_json(void)
{
    cJSON *o = cJSON_CreateObject();
    struct passwd *pw = getpwuid(geteuid());
    set_str(o, "osUser", pw ? pw->pw_name : NULL);
    cJSON_AddNumberToObject(o, "uid", (double)geteuid());
    char *cl = command_line();
    set_str(o, "commandLine", cl);
    free(cl);
    const char *run = getenv("LOKET_IMPORT_WATCH_RUN"), *rule = getenv("LOKET_IMPORT_WATCH_RULE");
    set_str(o, "watchRun", run && *run ? run : NULL);
    set_str(o, "watchRule", rule && *rule ? rule : NULL);
    return o;
}

static lk_code write_inputs(lk_run *run, const lk_report *r, lk_error *err)
{
    strbuf sb;
    strbuf_init(&sb, 256);
    for (size_t i = 0; i < r->nfiles; i++) {
        char *abs = absolute(r->files[i].path);
        strbuf_addf(&sb, "%s  %s\n", r->files[i].sha256[0] ? r->files[i].sha256 : "-", abs);
        free(abs);
    }
    if (r->mapping_path) {
        char *abs = absolute(r->mapping_path);
        strbuf_addf(&sb, "%s  %s\n", r->mapping_sha256[0] ? r->mapping_sha256 : "-", abs);
        free(abs);
    }
    lk_code rc = lk_run_write(run, "inputs.sha256", sb.buf, sb.len, err);
    strbuf_free(&sb);
    return rc;
}

lk_code lk_trail_open(const lk_config *cfg, const lk_report *r, const lk_trail_opts *o,
                      lk_run **out, lk_error *err)
{
    char *dir = lk_runs_dir(cfg);
    char *jkey = journal_key(o->journal);
    char when[32];
    lk_run *run = NULL;
    lk_code rc = LK_ERR_NOT_FOUND;
    bool resumed = false;
    *out = NULL;
    if (o->resume) {
        lk_error ferr;
        lk_error_clear(&ferr);
        rc = lk_run_find_unfinished(dir, o->fingerprint, jkey, &run, &ferr);
        resumed = rc == LK_OK;
    }
    if (rc != LK_OK)
        rc = lk_run_create(dir, &run, err);
    if (rc == LK_OK && lk_run_lock(run, err) != LK_OK)
        rc = err->code;
    /* run.json is sealed with the installation key; a run continued is checked first */
    lk_seal_key key;
    if (rc == LK_OK && (rc = lk_seal_key_load(cfg->token_store, true, &key, err)) == LK_OK) {
        if (resumed)
            rc = lk_run_check(run, &key, err);
        lk_run_set_key(run, &key);
        lk_seal_key_free(&key);
    }
    if (rc != LK_OK) {
        err->code = LK_ERR_CONFIG; /* the state directory, not the input: exit 3 */
        lk_run_free(run);
        free(dir);
        free(jkey);
        return err->code;
    }
    cJSON *info = lk_run_info(run);
    now_text(when);
    if (resumed) {
        cJSON *res = cJSON_GetObjectItemCaseSensitive(info, "resumed");
        if (!cJSON_IsArray(res)) {
            res = cJSON_CreateArray();
            set_item(info, "resumed", res);
        }
        cJSON_AddItemToArray(res, cJSON_CreateString(when));
    } else {
        cJSON_AddNumberToObject(info, "loketImportRun", 1);
        cJSON_AddStringToObject(info, "id", lk_run_id(run));
        cJSON_AddStringToObject(info, "command", "apply");
        cJSON_AddStringToObject(info, "started", when);
        cJSON_AddNullToObject(info, "finished");
        cJSON_AddItemToObject(info, "who", who_json());
        cJSON_AddStringToObject(info, "fingerprint", o->fingerprint);
        cJSON_AddStringToObject(info, "api", cfg->api_url);
        cJSON *files = cJSON_AddArrayToObject(info, "files");
        for (size_t i = 0; i < r->nfiles; i++) {
            cJSON *f = cJSON_CreateObject();
            char *abs = absolute(r->files[i].path);
            cJSON_AddStringToObject(f, "path", abs);
            cJSON_AddStringToObject(f, "sha256", r->files[i].sha256);
            free(abs);
            cJSON_AddItemToArray(files, f);
        }
        cJSON *m = cJSON_AddObjectToObject(info, "mapping");
        char *mabs = r->mapping_path ? absolute(r->mapping_path) : NULL;
        set_str(m, "path", mabs);
        free(mabs);
        cJSON_AddStringToObject(m, "sha256", r->mapping_sha256);
        cJSON_AddStringToObject(m, "copy", "mapping.json");
        cJSON *opts = cJSON_AddObjectToObject(info, "options");
        set_str(opts, "period", o->period);
        set_str(opts, "employer", o->employer);
        cJSON_AddBoolToObject(opts, "allowPartial", o->allow_partial);
        cJSON_AddBoolToObject(opts, "force", o->force);
        cJSON_AddBoolToObject(opts, "verify", o->verify);
        cJSON_AddNumberToObject(opts, "collective", o->collective);
        if (o->reviewed_plan) {
            cJSON *rp = cJSON_AddObjectToObject(info, "reviewedPlan");
            char *pabs = absolute(o->reviewed_plan);
            cJSON_AddStringToObject(rp, "path", pabs);
            free(pabs);
            cJSON_AddStringToObject(rp, "sha256", o->reviewed_sha256 ? o->reviewed_sha256 : "");
        }
        if (jkey)
            cJSON_AddStringToObject(info, "journal", jkey);
        else
            cJSON_AddStringToObject(info, "journal", "journal");
    }
    set_str(info, "status", "running");
    /* the copies first, then run.json sealed over them: a run killed in between leaves no file
     * its seal does not name, so --resume can trust the folder */
    rc = LK_OK;
    if (!resumed)
        rc = write_inputs(run, r, err);
    if (rc == LK_OK && !resumed && r->mapping_path) {
        lk_error merr;
        lk_error_clear(&merr);
        /* an unreadable mapping stops the run later with its own error */
        if (lk_run_copy_in(run, "mapping.json", r->mapping_path, &merr) != LK_OK)
            cJSON_DeleteItemFromObjectCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(info, "mapping"), "copy");
    }
    if (rc == LK_OK)
        rc = lk_run_save_info(run, err);
    free(dir);
    free(jkey);
    if (rc != LK_OK) {
        err->code = LK_ERR_CONFIG;
        lk_run_free(run);
        return err->code;
    }
    *out = run;
    return LK_OK;
}

char *lk_trail_journal_path(const lk_run *run, const char *journal_opt)
{
    return journal_opt ? xstrdup(journal_opt) : lk_run_file(run, "journal");
}

lk_code lk_trail_plan(lk_run *run, const lk_plan *p, const lk_report *r,
                      const lk_plan_origin *origin, lk_error *err)
{
    if (lk_run_has(run, "plan.json"))
        return LK_OK; /* a resumed run: the first plan holds the values before the run */
    cJSON *doc = lk_plan_file_json(p, r, origin);
    char *text = cJSON_Print(doc);
    cJSON_Delete(doc);
    if (!text)
        lk_die(_("out of memory"));
    lk_code rc = lk_run_write(run, "plan.json", text, strlen(text), err);
    free(text);
    if (rc == LK_OK) {
        set_str(lk_run_info(run), "plan", "plan.json");
        rc = lk_run_save_info(run, err);
    }
    return rc;
}

bool lk_trail_reports(lk_run *run, lk_report *r, bool user_reports)
{
    static const char *const names[] = { "report.json", "report.csv", "report.xlsx" };
    bool ok = true;
    cJSON *list = cJSON_CreateArray();
    for (size_t i = 0; i < (user_reports ? 1u : 3u); i++) {
        char *path = lk_run_file(run, names[i]);
        lk_error e;
        lk_error_clear(&e);
        if (lk_report_write(r, path, LK_REPORT_AUTO, &e) != LK_OK) {
            char buf[LK_ERROR_MSG_MAX + 400];
            lk_errorf("%s", lk_error_format(&e, buf, sizeof buf));
            ok = false;
        } else {
            cJSON_AddItemToArray(list, cJSON_CreateString(names[i]));
        }
        free(path);
    }
    for (size_t i = 0; i < r->noutputs; i++) {
        if (strncmp(r->outputs[i], lk_run_path(run), strlen(lk_run_path(run)))) {
            char *abs = absolute(r->outputs[i]);
            cJSON_AddItemToArray(list, cJSON_CreateString(abs));
            free(abs);
        }
    }
    set_item(lk_run_info(run), "reports", list);
    return ok;
}

static cJSON *unique_strings(const lk_report *r, bool employers)
{
    lk_hashmap *seen = lk_hashmap_new(64);
    cJSON *arr = cJSON_CreateArray();
    char buf[64];
    for (size_t i = 0; i < r->nrecords; i++) {
        const lk_report_record *rec = r->records[i];
        const char *s;
        if (employers) {
            s = rec->employer_name ? rec->employer_name : rec->employer_id;
        } else {
            if (rec->period_year && rec->period_number)
                snprintf(buf, sizeof buf, "%04d-P%02d", rec->period_year, rec->period_number);
            else
                snprintf(buf, sizeof buf, "%s", rec->period_label ? rec->period_label : "");
            s = buf;
        }
        if (!s || !*s || lk_hashmap_get(seen, s))
            continue;
        lk_hashmap_put(seen, s, (void *)1);
        cJSON_AddItemToArray(arr, cJSON_CreateString(s));
    }
    lk_hashmap_free(seen);
    return arr;
}

void lk_trail_finish(lk_run *run, const lk_report *r, int exit_code, bool journal_complete,
                     const char *journal_path)
{
    cJSON *info = lk_run_info(run);
    char when[32];
    lk_report_totals t;
    struct stat st;
    lk_error e;
    lk_error_clear(&e);
    bool outside = journal_path && strncmp(journal_path, lk_run_path(run),
                                           strlen(lk_run_path(run)));
    bool journal_exists = journal_path && stat(journal_path, &st) == 0;
    if (outside && journal_exists && lk_run_copy_in(run, "journal", journal_path, &e) != LK_OK)
        lk_warn(_("run %s: cannot keep a copy of the journal: %s"), lk_run_id(run), e.message);
    now_text(when);
    set_str(info, "finished", when);
    set_str(info, "status", journal_complete  ? "finished"
                            : journal_exists ? "unfinished"
                                             : "nothing sent");
    set_item(info, "exitCode", cJSON_CreateNumber(exit_code));
    set_str(info, "outcome", lk_exit_code_meaning(exit_code));
    char ebuf[LK_ERROR_MSG_MAX + 400];
    if (r->has_error) /* with the file, row and column it names */
        set_str(info, "error", lk_error_format(&r->error, ebuf, sizeof ebuf));
    else
        cJSON_DeleteItemFromObjectCaseSensitive(info, "error");
    lk_report_totals_get(r, &t);
    cJSON *counts = cJSON_CreateObject();
    for (int o = LK_OUTCOME_CREATED; o < LK_OUTCOME_COUNT; o++)
        cJSON_AddNumberToObject(counts, lk_outcome_name((lk_outcome)o), (double)t.records[o]);
    cJSON_AddNumberToObject(counts, "rowIssues",
                            (double)(t.issues[LK_OUTCOME_REJECTED] + t.issues[LK_OUTCOME_SKIPPED]));
    set_item(info, "counts", counts);
    set_item(info, "employers", unique_strings(r, true));
    set_item(info, "periods", unique_strings(r, false));
    lk_error_clear(&e);
    if (lk_run_save_info(run, &e) != LK_OK)
        lk_errorf(_("run %s: %s"), lk_run_id(run), e.message);
}
