/*
 * revert.c: 'loket-import revert RUN': puts back what Loket held before an apply, for every
 * record that run created or changed (engine/revert.h). A plan first: what will be restored,
 * what is already as before, what someone changed since (refused unless --force); then the
 * restores and deletes, journaled in a run folder of their own, so --resume finishes an
 * interrupted revert. See docs/import.md.
 */
#include "cmd/commands.h"
#include "cmd/common_opts.h"
#include "common/i18n.h"
#include "common/period_name.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "engine/journal.h"
#include "engine/revert.h"
#include "engine/runs.h"

#include <cJSON.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static const char usage_text[] =
    N_("usage: loket-import revert RUN [--dry-run] [--yes] [--force] [--resume] [--quiet]\n"
    "                              [OPTIONS]\n"
    "\n"
    "Puts back what Loket held before apply run RUN (see 'loket-import runs') for every record\n"
    "that run created or changed: a record it created is deleted, a changed one gets its old\n"
    "values back (a component that had none is removed). First the plan is shown: what will be\n"
    "restored, what Loket already holds as before, and what someone changed in Loket after the\n"
    "run: those records are refused unless --force. On a terminal it then asks before it sends\n"
    "anything. It is sent journaled in a run folder of its own; --resume finishes an\n"
    "interrupted revert without sending twice.\n"
    "\n"
    "  -n, --dry-run  show the plan only, send nothing\n"
    "  -y, --yes      send without asking (for scripts; without a terminal it never asks)\n"
    "      --force    restore records changed after the run too\n"
    "      --resume   continue an interrupted revert of RUN\n"
    "  -q, --quiet    only the summary and errors\n"
    "  -h, --help     this text\n"
    "\n");

static const char exit_text[] =
    N_("\nExit codes: 0 restored (or nothing to restore); 1 some records refused, rejected or failed;\n"
    "2 no such run, or it cannot be reverted; 3 configuration, authentication or connection\n"
    "error; 5 interrupted (revert --resume finishes it); 64 usage error (a wrong command line)\n");

enum { OPT_FORCE = 256, OPT_RESUME };

/* An answer to "send?": yes in English or Dutch. */
static bool said_yes(const char *a)
{
    while (*a == ' ' || *a == '\t')
        a++;
    size_t n = strcspn(a, " \t\r\n");
    return (n == 1 && (*a == 'y' || *a == 'Y' || *a == 'j' || *a == 'J')) ||
           (n == 3 && !strncasecmp(a, "yes", 3)) || (n == 2 && !strncasecmp(a, "ja", 2));
}

static const struct option options[] = {
    { "dry-run", no_argument, NULL, 'n' },
    { "yes", no_argument, NULL, 'y' },
    { "force", no_argument, NULL, OPT_FORCE },
    { "resume", no_argument, NULL, OPT_RESUME },
    { "quiet", no_argument, NULL, 'q' },
    { "help", no_argument, NULL, 'h' },
    LK_COMMON_LONG_OPTIONS,
    { NULL, 0, NULL, 0 },
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static const char *str(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A file of the run folder, read whole (NULL when absent). */
static char *read_run_file(const lk_run *run, const char *name, size_t *len)
{
    char *text = NULL;
    lk_error e;
    lk_error_clear(&e);
    if (lk_run_read(run, name, 1024UL * 1024 * 1024, &text, len, &e) != LK_OK) {
        free(text);
        text = NULL;
    }
    return text;
}

/* What happens to a record, in the reader's words. */
static const char *what_label(const lk_revert_item *it, bool after)
{
    if (it->from_journal)
        return _("done (earlier)");
    if (after && (it->action == LK_REVERT_RESTORE || it->action == LK_REVERT_DELETE)) {
        switch (it->outcome) {
        case LK_REVERT_DONE: return _("done");
        case LK_REVERT_REJECTED: return _("rejected");
        case LK_REVERT_FAILED: return _("failed");
        case LK_REVERT_NOT_SENT: return _("not sent");
        case LK_REVERT_PLANNED: return _("not sent");
        }
    }
    switch (it->action) {
    case LK_REVERT_RESTORE: return _("restore");
    case LK_REVERT_DELETE: return _("delete");
    case LK_REVERT_REFUSED: return _("refused");
    case LK_REVERT_NOTHING: break;
    }
    return _("as before");
}

/* One record as people name it: employee, period, cost centre; never the internal key. */
static void print_item(const lk_revert_item *it, bool after)
{
    strbuf sb;
    strbuf_init(&sb, 160);
    char words[LK_PERIOD_NAME_MAX];
    strbuf_addf(&sb, _("  employee %ld %s, period %s"), it->employee_number,
                it->employee_name ? it->employee_name : "",
                it->period_type ? lk_period_words(it->year, it->period_number,
                                                  (lk_period_type)it->period_type, words)
                                : it->period);
    if (it->cost_center)
        strbuf_addf(&sb, _(", cost centre %s"), it->cost_center);
    strbuf_addf(&sb, ": %s: %s", what_label(it, after), it->detail ? it->detail : "");
    if (it->message)
        strbuf_addf(&sb, _("; Loket: %s"), it->message);
    lk_text_make_one_line(sb.buf);
    printf("%s\n", sb.buf);
    strbuf_free(&sb);
}

static cJSON *items_json(const lk_revert *rv)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < rv->n; i++) {
        const lk_revert_item *it = &rv->items[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "key", it->key);
        cJSON_AddStringToObject(o, "employmentId", it->employment_id);
        cJSON_AddNumberToObject(o, "employeeNumber", (double)it->employee_number);
        cJSON_AddStringToObject(o, "period", it->period);
        cJSON_AddBoolToObject(o, "createdByRun", it->created);
        cJSON_AddStringToObject(o, "action", lk_revert_action_name(it->action));
        cJSON_AddBoolToObject(o, "forced", it->forced);
        cJSON_AddStringToObject(o, "outcome", it->from_journal ? "done"
                                              : lk_revert_outcome_name(it->outcome));
        cJSON_AddStringToObject(o, "detail", it->detail ? it->detail : "");
        if (it->request_body) {
            cJSON *b = cJSON_Parse(it->request_body);
            cJSON_AddItemToObject(o, "body", b ? b : cJSON_CreateNull());
        }
        cJSON_AddNumberToObject(o, "status", (double)it->status);
        if (it->message)
            cJSON_AddStringToObject(o, "message", it->message);
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

static void set_item(cJSON *o, const char *name, cJSON *item)
{
    cJSON_DeleteItemFromObjectCaseSensitive(o, name);
    cJSON_AddItemToObject(o, name, item);
}

/* The revert's own run folder: a new one, or with --resume the unfinished revert of RUN. */
static lk_code open_revert_run(const char *dir, const char *target, const char *fp, bool resume,
                               const lk_seal_key *key, lk_run **out, lk_error *err)
{
    char when[32];
    lk_iso8601((long long)time(NULL), when);
    lk_error ferr;
    lk_error_clear(&ferr);
    bool resumed = resume && lk_run_find_unfinished(dir, fp, NULL, out, &ferr) == LK_OK;
    if (!resumed && lk_run_create(dir, out, err) != LK_OK)
        return err->code;
    if (lk_run_lock(*out, err) != LK_OK)
        return err->code;
    if (resumed && lk_run_check(*out, key, err) != LK_OK)
        return err->code;
    lk_run_set_key(*out, key);
    cJSON *info = lk_run_info(*out);
    if (resumed) {
        cJSON *res = cJSON_GetObjectItemCaseSensitive(info, "resumed");
        if (!cJSON_IsArray(res)) {
            res = cJSON_CreateArray();
            set_item(info, "resumed", res);
        }
        cJSON_AddItemToArray(res, cJSON_CreateString(when));
    } else {
        cJSON_AddNumberToObject(info, "loketImportRun", 1);
        cJSON_AddStringToObject(info, "id", lk_run_id(*out));
        cJSON_AddStringToObject(info, "command", "revert");
        cJSON_AddStringToObject(info, "reverts", target);
        cJSON_AddStringToObject(info, "started", when);
        cJSON_AddStringToObject(info, "fingerprint", fp);
        cJSON_AddStringToObject(info, "journal", "journal");
    }
    set_item(info, "status", cJSON_CreateString("running"));
    return lk_run_save_info(*out, err);
}

int cmd_revert(int argc, char **argv)
{
    lk_common_opts common;
    bool dry_run = false, force = false, resume = false, quiet = false, yes = false;
    int c;
    lk_error err;
    lk_common_init(&common);
    lk_error_clear(&err);
    optind = 1;
    while ((c = getopt_long(argc, argv, "nyqh", options, NULL)) != -1) {
        int h = lk_common_opt(&common, c, optarg);
        if (h < 0)
            return LK_EXIT_USAGE;
        if (h)
            continue;
        switch (c) {
        case 'n': dry_run = true; break;
        case 'y': yes = true; break;
        case 'q': quiet = true; break;
        case OPT_FORCE: force = true; break;
        case OPT_RESUME: resume = true; break;
        case 'h':
            fputs(_(usage_text), stdout);
            lk_common_usage(stdout);
            fputs(_(exit_text), stdout);
            return LK_EXIT_OK;
        default:
            fputs(_(usage_text), stderr);
            return LK_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        lk_errorf(_("revert needs one RUN (its id, as 'loket-import runs' lists it)"));
        return LK_EXIT_USAGE;
    }
    const char *target_id = argv[optind];
    int rc = LK_EXIT_OK;
    lk_session s;
    memset(&s, 0, sizeof s);
    lk_run *target = NULL, *run = NULL;
    lk_revert *rv = NULL;
    lk_journal *journal = NULL;
    char *dir = NULL, *plan_text = NULL, *journal_text = NULL;
    size_t plan_len = 0, journal_len = 0;
    lk_seal_key key;
    memset(&key, 0, sizeof key);

    lk_config *cfg = NULL; /* for the runs folder; the session loads its own */
    if (lk_config_load(&common.ov, &cfg, &err) != LK_OK)
        return lk_report_error(&err);
    dir = lk_runs_dir(cfg);
    if (lk_run_open(dir, target_id, &target, &err) != LK_OK) {
        if (err.code == LK_ERR_NOT_FOUND)
            err.code = LK_ERR_INPUT;
        rc = lk_report_error(&err);
        goto out;
    }
    /* the run's files must be the ones it wrote: sealed by this installation, unchanged */
    if (lk_seal_key_load(cfg->token_store, false, &key, &err) != LK_OK) {
        rc = lk_report_error(&err);
        goto out;
    }
    if (lk_run_check(target, &key, &err) != LK_OK) {
        rc = lk_report_error(&err);
        goto out;
    }
    const cJSON *info = lk_run_info(target);
    if (!str(info, "command") || strcmp(str(info, "command"), "apply")) {
        lk_errorf(_("run %s is not an apply; only an apply can be reverted"), target_id);
        rc = LK_EXIT_INPUT;
        goto out;
    }
    if (lk_run_lock(target, &err) != LK_OK) {
        lk_errorf(_("run %s is still running; revert it once it ended"), target_id);
        rc = LK_EXIT_CONFIG;
        goto out;
    }
    if (str(info, "api") && strcmp(str(info, "api"), cfg->api_url)) {
        lk_errorf(_("run %s wrote to %s; this configuration talks to %s"), target_id,
                  str(info, "api"), cfg->api_url);
        rc = LK_EXIT_INPUT;
        goto out;
    }
    plan_text = read_run_file(target, "plan.json", &plan_len);
    if (!plan_text) {
        lk_errorf(_("run %s has no plan.json: it sent nothing, there is nothing to revert"),
                  target_id);
        rc = LK_EXIT_INPUT;
        goto out;
    }
    /* the journal: the folder's own (or the copy of an outside one); else the outside one */
    journal_text = read_run_file(target, "journal", &journal_len);
    if (!journal_text && str(info, "journal") && str(info, "journal")[0] == '/') {
        lk_error e;
        lk_error_clear(&e);
        if (lk_read_file(str(info, "journal"), 1024UL * 1024 * 1024, &journal_text,
                         &journal_len, &e) != LK_OK)
            journal_text = NULL;
    }
    if (lk_revert_load(plan_text, plan_len, journal_text, journal_len, &rv, &err) != LK_OK) {
        rc = lk_report_error(&err);
        goto out;
    }
    if (rv->n == 0) {
        printf(_("run %s wrote no record to Loket: nothing to revert\n"), target_id);
        goto out;
    }

    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    stop_requested = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);

    if (lk_session_open(&common, true, &s) != LK_OK) {
        rc = LK_EXIT_CONFIG;
        goto restore_signals;
    }
    if (lk_revert_plan(s.client, rv, force, &err) != LK_OK) {
        rc = lk_report_error(&err);
        goto restore_signals;
    }
    size_t count[4] = { 0 };
    for (size_t i = 0; i < rv->n; i++)
        count[rv->items[i].action]++;
    printf(ngettext("revert of run %s: %zu record the run wrote\n",
                    "revert of run %s: %zu records the run wrote\n", rv->n),
           target_id, rv->n);
    if (!quiet || dry_run)
        for (size_t i = 0; i < rv->n; i++)
            print_item(&rv->items[i], false);
    printf(_("plan: %zu to restore, %zu to delete, %zu as before, %zu refused (changed in Loket "
           "after the run)\n"),
           count[LK_REVERT_RESTORE], count[LK_REVERT_DELETE], count[LK_REVERT_NOTHING],
           count[LK_REVERT_REFUSED]);
    if (dry_run) {
        rc = count[LK_REVERT_REFUSED] ? LK_EXIT_REJECTED : LK_EXIT_OK;
        goto restore_signals;
    }
    /* on a terminal, a person says yes before Loket is changed */
    size_t to_send = count[LK_REVERT_RESTORE] + count[LK_REVERT_DELETE];
    if (to_send && !yes && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
        char answer[64];
        printf(ngettext("Send this %zu change to Loket? [y/N] ",
                        "Send these %zu changes to Loket? [y/N] ", to_send),
               to_send);
        fflush(stdout);
        if (!fgets(answer, sizeof answer, stdin) || !said_yes(answer)) {
            printf("%s\n", _("nothing was sent"));
            goto restore_signals;
        }
    }
    if (stop_requested) {
        lk_errorf(_("interrupted before anything was sent"));
        rc = LK_EXIT_INTERRUPTED;
        goto restore_signals;
    }

    /* the revert's own run folder and journal */
    char fp[65];
    {
        strbuf sb;
        strbuf_init(&sb, 128);
        strbuf_addf(&sb, "loket-import revert v1\nrun %s\nforce %d\n", target_id, force);
        lk_sha256_hex(sb.buf, sb.len, fp);
        strbuf_free(&sb);
    }
    if (open_revert_run(dir, target_id, fp, resume, &key, &run, &err) != LK_OK) {
        err.code = LK_ERR_CONFIG;
        rc = lk_report_error(&err);
        goto restore_signals;
    }
    char *jpath = lk_run_file(run, "journal");
    journal = lk_journal_open(jpath, fp, true, &err);
    free(jpath);
    if (!journal) {
        rc = lk_report_error(&err);
        goto finish;
    }
    lk_code arc = lk_revert_apply(s.client, rv, journal, &stop_requested,
                                  s.cfg->concurrency, &err);
    if (arc != LK_OK)
        rc = lk_report_error(&err);

finish:;
    size_t done = 0, bad = 0, left = 0;
    for (size_t i = 0; i < rv->n; i++) {
        const lk_revert_item *it = &rv->items[i];
        if (it->action != LK_REVERT_RESTORE && it->action != LK_REVERT_DELETE)
            continue;
        if (it->outcome == LK_REVERT_DONE)
            done++;
        else if (it->outcome == LK_REVERT_REJECTED)
            bad++;
        else
            left++;
    }
    if (!quiet)
        for (size_t i = 0; i < rv->n; i++)
            if (rv->items[i].action == LK_REVERT_RESTORE ||
                rv->items[i].action == LK_REVERT_DELETE)
                print_item(&rv->items[i], true);
    printf(_("reverted: %zu done, %zu rejected, %zu not done, %zu refused\n"), done, bad, left,
           count[LK_REVERT_REFUSED]);
    if (run) {
        cJSON *ri = lk_run_info(run);
        char when[32];
        lk_iso8601((long long)time(NULL), when);
        set_item(ri, "finished", cJSON_CreateString(when));
        set_item(ri, "status", cJSON_CreateString(left ? "unfinished" : "finished"));
        cJSON *counts = cJSON_CreateObject();
        cJSON_AddNumberToObject(counts, "done", (double)done);
        cJSON_AddNumberToObject(counts, "rejected", (double)bad);
        cJSON_AddNumberToObject(counts, "not_done", (double)left);
        cJSON_AddNumberToObject(counts, "refused", (double)count[LK_REVERT_REFUSED]);
        cJSON_AddNumberToObject(counts, "as_before", (double)count[LK_REVERT_NOTHING]);
        set_item(ri, "counts", counts);
        if (rc == LK_EXIT_OK)
            rc = (bad || left || count[LK_REVERT_REFUSED]) ? LK_EXIT_REJECTED : LK_EXIT_OK;
        set_item(ri, "exitCode", cJSON_CreateNumber(rc));
        cJSON *doc = cJSON_CreateObject();
        cJSON_AddStringToObject(doc, "reverts", target_id);
        cJSON_AddItemToObject(doc, "records", items_json(rv));
        char *text = cJSON_Print(doc);
        cJSON_Delete(doc);
        lk_error we;
        lk_error_clear(&we);
        if (!text || lk_run_write(run, "revert.json", text, strlen(text), &we) != LK_OK ||
            lk_run_save_info(run, &we) != LK_OK) {
            lk_errorf(_("run %s: %s"), lk_run_id(run), we.message);
            if (rc == LK_EXIT_OK)
                rc = LK_EXIT_CONFIG;
        }
        free(text);
        printf(_("run %s: %s\n"), lk_run_id(run), lk_run_path(run));
    }
restore_signals:
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
out:
    lk_journal_free(journal);
    lk_revert_free(rv);
    lk_run_free(run);
    lk_run_free(target);
    free(plan_text);
    free(journal_text);
    free(dir);
    lk_session_close(&s, &common);
    lk_config_free(cfg);
    lk_seal_key_free(&key);
    return rc;
}
