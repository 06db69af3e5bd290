/*
 * runs.c: 'loket-import runs' and 'loket-import runs show ID': the audit trail. Lists the run
 * folders every apply leaves (engine/runs.h): when, which files, employers and periods, how many
 * records per outcome, and how it ended; shows one run with the paths of what it kept.
 * Offline: reads the state directory only. See docs/import.md.
 */
#include "cmd/commands.h"
#include "cmd/common_opts.h"
#include "common/i18n.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "engine/runs.h"
#include "loket/config.h"

#include <cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    N_("usage: loket-import runs [--json] [--config FILE]\n"
    "       loket-import runs show ID [--json] [--config FILE]\n"
    "       loket-import runs relocate ID OLD NEW [--config FILE]\n"
    "\n"
    "The audit trail: every apply (by hand or from watch) leaves a run folder in the state\n"
    "directory (\"runsDir\" in the configuration, else the token store's folder + /runs) holding\n"
    "the inputs' SHA-256, a copy of the mapping, the plan, the journal and the reports. Runs are\n"
    "never overwritten; apply --resume continues the run it finishes.\n"
    "'runs' lists them, oldest first: when, status, exit code, files, employers, periods and the\n"
    "records per outcome. 'runs show ID' shows one run, where its files are, and per\n"
    "employment each record of its plan with the values old -> new. 'runs relocate' records\n"
    "that an input of the run now lies at NEW (same SHA-256), as watch does when it moves a\n"
    "file to done/, so that sha256sum -c inputs.sha256 checks the file where it lies.\n"
    "\n"
    "  --json        one JSON document on stdout (the runs' run.json objects)\n"
    "  --config FILE the configuration that names the state directory\n"
    "  -h, --help    this text\n"
    "\n"
    "Status: finished (nothing left to send), unfinished (apply --resume continues it), nothing\n"
    "sent (refused before sending: plan errors, a changed input, a stale plan), running (in\n"
    "progress), interrupted (stopped without finishing, e.g. killed: apply --resume continues it).\n"
    "Exit codes: 0 listed; 2 no such run; 3 configuration error or unreadable runs folder;\n"
    "64 usage error (a wrong command line).\n");

enum { OPT_JSON = 256 };

static const struct option options[] = {
    { "json", no_argument, NULL, OPT_JSON },
    { "help", no_argument, NULL, 'h' },
    LK_COMMON_LONG_OPTIONS,
    { NULL, 0, NULL, 0 },
};

static const char *str(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The status a person reads: a "running" run that no process holds was stopped. */
static const char *status_of(const cJSON *run)
{
    const char *s = str(run, "status");
    if (!s)
        return "unknown";
    if (!strcmp(s, "running") && !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(run, "active")))
        return "interrupted";
    return s;
}

/* A run's status in the reader's words (run.json keeps the machine word). */
static const char *status_label(const char *s)
{
    static const char *const words[][2] = {
        { "finished", N_("finished") },         { "unfinished", N_("unfinished") },
        { "nothing sent", N_("nothing sent") }, { "running", N_("running") },
        { "interrupted", N_("interrupted") },   { "unreadable", N_("unreadable") },
        { "unknown", N_("unknown") },
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (!strcmp(s, words[i][0]))
            return _(words[i][1]);
    return s;
}

static void add_names(strbuf *sb, const cJSON *arr, const char *field, bool basename)
{
    const cJSON *it;
    bool first = true;
    cJSON_ArrayForEach(it, arr) {
        const char *s = field ? str(it, field) : (cJSON_IsString(it) ? it->valuestring : NULL);
        if (!s)
            continue;
        if (basename && strrchr(s, '/'))
            s = strrchr(s, '/') + 1;
        strbuf_addf(sb, "%s%s", first ? "" : ", ", s);
        first = false;
    }
}

static void add_counts(strbuf *sb, const cJSON *counts)
{
    const cJSON *it;
    bool first = true;
    cJSON_ArrayForEach(it, counts) {
        if (!cJSON_IsNumber(it) || it->valuedouble == 0)
            continue;
        strbuf_addf(sb, "%s%s %.0f", first ? "" : ", ", it->string, it->valuedouble);
        first = false;
    }
    if (first)
        strbuf_addstr(sb, _("no records"));
}

static void print_list(const cJSON *runs)
{
    static const char *const names[] = { N_("RUN"),       N_("STARTED"), N_("STATUS"),
                                         N_("EXIT"),      N_("FILES"),   N_("EMPLOYERS"),
                                         N_("PERIODS"),   N_("RECORDS") };
    const char *headers[8];
    for (int h = 0; h < 8; h++)
        headers[h] = _(names[h]);
    lk_table *t = lk_table_new(8, headers);
    const cJSON *run;
    cJSON_ArrayForEach(run, runs) {
        strbuf files, employers, periods, counts;
        char exitc[16] = "";
        const cJSON *ec = cJSON_GetObjectItemCaseSensitive(run, "exitCode");
        strbuf_init(&files, 64);
        strbuf_init(&employers, 64);
        strbuf_init(&periods, 32);
        strbuf_init(&counts, 64);
        if (str(run, "reverts"))
            strbuf_addf(&files, _("revert of %s"), str(run, "reverts"));
        add_names(&files, cJSON_GetObjectItemCaseSensitive(run, "files"), "path", true);
        add_names(&employers, cJSON_GetObjectItemCaseSensitive(run, "employers"), NULL, false);
        add_names(&periods, cJSON_GetObjectItemCaseSensitive(run, "periods"), NULL, false);
        add_counts(&counts, cJSON_GetObjectItemCaseSensitive(run, "counts"));
        if (cJSON_IsNumber(ec))
            snprintf(exitc, sizeof exitc, "%d", ec->valueint);
        const char *cells[8] = { str(run, "id"), str(run, "started") ? str(run, "started") : "",
                                 status_label(status_of(run)), exitc, files.buf, employers.buf, periods.buf,
                                 counts.buf };
        char *shown[8];
        for (int c = 0; c < 8; c++) { /* file names and texts from outside: one line each */
            shown[c] = xstrdup(cells[c] ? cells[c] : "");
            lk_text_make_one_line(shown[c]);
        }
        lk_table_add(t, (const char *const *)shown);
        for (int c = 0; c < 8; c++)
            free(shown[c]);
        strbuf_free(&files);
        strbuf_free(&employers);
        strbuf_free(&periods);
        strbuf_free(&counts);
    }
    lk_table_print(t, stdout);
    lk_table_free(t);
}

/* run.json holds names of files and texts of Loket: shown on one line, no escape sequence */
static void line(const char *label, const char *value)
{
    if (!value || !*value)
        return;
    char *v = xstrdup(value);
    lk_text_make_one_line(v);
    printf("%-14s %s\n", label, v);
    free(v);
}

static void print_run(const cJSON *run, const char *folder)
{
    const cJSON *it;
    strbuf sb;
    strbuf_init(&sb, 128);
    line(_("run:"), str(run, "id"));
    line(_("folder:"), folder);
    line(_("command:"), str(run, "command"));
    line(_("reverts:"), str(run, "reverts"));
    const cJSON *who = cJSON_GetObjectItemCaseSensitive(run, "who");
    line(_("user:"), str(who, "osUser"));
    line(_("command line:"), str(who, "commandLine"));
    line(_("watch run:"), str(who, "watchRun"));
    line(_("watch rule:"), str(who, "watchRule"));
    line(_("started:"), str(run, "started"));
    line(_("finished:"), str(run, "finished"));
    line(_("status:"), status_label(status_of(run)));
    const cJSON *ec = cJSON_GetObjectItemCaseSensitive(run, "exitCode");
    if (cJSON_IsNumber(ec)) {
        strbuf_addf(&sb, "%d (%s)", ec->valueint, str(run, "outcome") ? str(run, "outcome") : "");
        line(_("exit code:"), sb.buf);
        strbuf_reset(&sb);
    }
    line(_("error:"), str(run, "error"));
    line(_("api:"), str(run, "api"));
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(run, "files")) {
        strbuf_addf(&sb, "%s (SHA-256 %s)", str(it, "path") ? str(it, "path") : "?",
                    str(it, "sha256") ? str(it, "sha256") : "?");
        line(_("file:"), sb.buf);
        strbuf_reset(&sb);
    }
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(run, "mapping");
    if (m) {
        strbuf_addf(&sb, "%s (SHA-256 %s)", str(m, "path") ? str(m, "path") : "?",
                    str(m, "sha256") ? str(m, "sha256") : "?");
        line(_("mapping:"), sb.buf);
        strbuf_reset(&sb);
    }
    const cJSON *rp = cJSON_GetObjectItemCaseSensitive(run, "reviewedPlan");
    if (rp) {
        strbuf_addf(&sb, "%s (SHA-256 %s)", str(rp, "path") ? str(rp, "path") : "?",
                    str(rp, "sha256") ? str(rp, "sha256") : "?");
        line(_("reviewed plan:"), sb.buf);
        strbuf_reset(&sb);
    }
    add_names(&sb, cJSON_GetObjectItemCaseSensitive(run, "employers"), NULL, false);
    line(_("employers:"), sb.buf);
    strbuf_reset(&sb);
    add_names(&sb, cJSON_GetObjectItemCaseSensitive(run, "periods"), NULL, false);
    line(_("periods:"), sb.buf);
    strbuf_reset(&sb);
    if (cJSON_GetObjectItemCaseSensitive(run, "counts")) {
        add_counts(&sb, cJSON_GetObjectItemCaseSensitive(run, "counts"));
        line(_("records:"), sb.buf);
        strbuf_reset(&sb);
    }
    add_names(&sb, cJSON_GetObjectItemCaseSensitive(run, "resumed"), NULL, false);
    line(_("resumed:"), sb.buf);
    strbuf_reset(&sb);
    /* the folder's files, as paths a person can open */
    const char *journal = str(run, "journal");
    if (journal) {
        if (journal[0] == '/')
            strbuf_addf(&sb, _("%s (a copy in %s/journal)"), journal, folder);
        else
            strbuf_addf(&sb, "%s/%s", folder, journal);
        line(_("journal:"), sb.buf);
        strbuf_reset(&sb);
    }
    if (str(run, "plan")) {
        strbuf_addf(&sb, "%s/%s", folder, str(run, "plan"));
        line(_("plan:"), sb.buf);
        strbuf_reset(&sb);
    }
    strbuf_addf(&sb, _("%s/inputs.sha256 (check: sha256sum -c %s/inputs.sha256)"), folder, folder);
    line(_("inputs:"), sb.buf);
    strbuf_reset(&sb);
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(run, "reports")) {
        if (!cJSON_IsString(it))
            continue;
        if (it->valuestring[0] == '/')
            strbuf_addstr(&sb, it->valuestring);
        else
            strbuf_addf(&sb, "%s/%s", folder, it->valuestring);
        line(_("report:"), sb.buf);
        strbuf_reset(&sb);
    }
    strbuf_free(&sb);
}

/* A planned outcome in the reader's words. */
static const char *outcome_label(const char *o)
{
    if (!o)
        return "?";
    if (!strcmp(o, "created"))
        return _("created");
    if (!strcmp(o, "updated"))
        return _("changed");
    if (!strcmp(o, "unchanged"))
        return _("unchanged");
    if (!strcmp(o, "rejected"))
        return _("rejected");
    return o;
}

/* The plan's records per employment, with the values old -> new (plan.json of the run). */
static cJSON *plan_records(const lk_run *run)
{
    char *text = NULL;
    size_t len = 0;
    lk_error e;
    lk_error_clear(&e);
    if (!run || lk_run_read(run, "plan.json", 1024UL * 1024 * 1024, &text, &len, &e) != LK_OK)
        return NULL;
    cJSON *doc = cJSON_ParseWithLength(text, len);
    free(text);
    cJSON *recs = cJSON_DetachItemFromObjectCaseSensitive(doc, "records");
    cJSON_Delete(doc);
    if (!cJSON_IsArray(recs)) {
        cJSON_Delete(recs);
        return NULL;
    }
    cJSON *out = cJSON_CreateArray(), *r;
    cJSON_ArrayForEach(r, recs) {
        cJSON *o = cJSON_CreateObject();
        static const char *const keep[] = { "employmentId", "employeeNumber", "employeeName",
                                            "period", "key", "planned", "components" };
        for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(r, keep[i]);
            if (v)
                cJSON_AddItemToObject(o, keep[i], cJSON_Duplicate(v, 1));
        }
        cJSON_AddItemToArray(out, o);
    }
    cJSON_Delete(recs);
    return out;
}

static void print_records(const cJSON *recs)
{
    const cJSON *r;
    const char *last = NULL;
    if (!cJSON_GetArraySize(recs))
        return;
    printf("%s\n", _("records (per employment, values old -> new):"));
    cJSON_ArrayForEach(r, recs) {
        const char *emp = str(r, "employmentId");
        const cJSON *num = cJSON_GetObjectItemCaseSensitive(r, "employeeNumber");
        strbuf sb;
        strbuf_init(&sb, 128);
        if (!last || !emp || strcmp(last, emp)) {
            strbuf_addf(&sb, _("  employee %ld %s, employment %s"),
                        cJSON_IsNumber(num) ? (long)num->valuedouble : 0L,
                        str(r, "employeeName") ? str(r, "employeeName") : "", emp ? emp : "?");
            lk_text_make_one_line(sb.buf);
            printf("%s\n", sb.buf);
            strbuf_reset(&sb);
            last = emp;
        }
        const char *key = str(r, "key");
        const char *slash = key ? strchr(key, '/') : NULL;
        strbuf_addf(&sb, "    %s %s: %s:", str(r, "period") ? str(r, "period") : "",
                    slash ? slash + 1 : "", outcome_label(str(r, "planned")));
        const cJSON *c;
        bool first = true;
        cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(r, "components")) {
            const cJSON *k = cJSON_GetObjectItemCaseSensitive(c, "key");
            const char *o = str(c, "old"), *n = str(c, "new");
            strbuf_addf(&sb, "%s %ld: %s -> %s", first ? "" : ",",
                        cJSON_IsNumber(k) ? (long)k->valuedouble : 0L, o ? o : _("none"),
                        n ? n : _("none"));
            first = false;
        }
        lk_text_make_one_line(sb.buf);
        printf("%s\n", sb.buf);
        strbuf_free(&sb);
    }
}

/* runs relocate ID OLD NEW: an input of the run now lies at NEW, byte for byte (SHA-256). */
static int relocate(const lk_config *cfg, const char *dir, const char *id, const char *old_path,
                    const char *new_path)
{
    lk_run *run = NULL;
    lk_seal_key key;
    lk_error err;
    int rc = LK_EXIT_OK;
    char hex[65];
    lk_error_clear(&err);
    memset(&key, 0, sizeof key);
    if (lk_run_open(dir, id, &run, &err) != LK_OK || lk_run_lock(run, &err) != LK_OK ||
        lk_seal_key_load(cfg->token_store, false, &key, &err) != LK_OK ||
        lk_run_check(run, &key, &err) != LK_OK) {
        rc = lk_report_error(&err);
        goto out;
    }
    char *abs_new = realpath(new_path, NULL);
    char *abs_old = realpath(old_path, NULL); /* usually gone: compared as given too */
    cJSON *info = lk_run_info(run);
    cJSON *f, *hit = NULL;
    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(info, "files")) {
        const char *p = str(f, "path");
        if (p && (!strcmp(p, old_path) || (abs_old && !strcmp(p, abs_old))))
            hit = f;
    }
    if (!hit || !abs_new || lk_sha256_file(abs_new, hex, &err) != LK_OK ||
        !str(hit, "sha256") || strcmp(hex, str(hit, "sha256"))) {
        lk_errorf(!hit ? _("run %s read no file %s") : _("%s is not the file run %s read as %s "
                                                         "(its SHA-256 differs, or it cannot be read)"),
                  hit ? new_path : id, hit ? id : old_path, old_path);
        rc = LK_EXIT_INPUT;
        free(abs_new);
        free(abs_old);
        goto out;
    }
    cJSON_DeleteItemFromObjectCaseSensitive(hit, "readFrom");
    cJSON_AddStringToObject(hit, "readFrom", str(hit, "path"));
    cJSON_ReplaceItemInObjectCaseSensitive(hit, "path", cJSON_CreateString(abs_new));
    free(abs_new);
    free(abs_old);
    /* inputs.sha256 again, from the files and the mapping as run.json names them */
    strbuf sb;
    strbuf_init(&sb, 256);
    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(info, "files"))
        strbuf_addf(&sb, "%s  %s\n", str(f, "sha256") && *str(f, "sha256") ? str(f, "sha256") : "-",
                    str(f, "path") ? str(f, "path") : "");
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(info, "mapping");
    if (str(m, "path"))
        strbuf_addf(&sb, "%s  %s\n", str(m, "sha256") && *str(m, "sha256") ? str(m, "sha256") : "-",
                    str(m, "path"));
    lk_run_set_key(run, &key);
    if (lk_run_write(run, "inputs.sha256", sb.buf, sb.len, &err) != LK_OK ||
        lk_run_save_info(run, &err) != LK_OK)
        rc = lk_report_error(&err);
    strbuf_free(&sb);
out:
    lk_seal_key_free(&key);
    lk_run_free(run);
    return rc;
}

static void print_json(const cJSON *doc)
{
    char *text = cJSON_Print(doc);
    if (!text)
        lk_die(_("out of memory"));
    printf("%s\n", text);
    free(text);
}

int cmd_runs(int argc, char **argv)
{
    lk_common_opts common;
    bool json = false;
    int c;
    lk_error err;
    lk_common_init(&common);
    lk_error_clear(&err);
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        int h = lk_common_opt(&common, c, optarg);
        if (h < 0)
            return LK_EXIT_USAGE;
        if (h)
            continue;
        switch (c) {
        case OPT_JSON:
            json = true;
            break;
        case 'h':
            fputs(_(usage_text), stdout);
            return LK_EXIT_OK;
        default:
            fputs(_(usage_text), stderr);
            return LK_EXIT_USAGE;
        }
    }
    const char *id = NULL;
    if (optind < argc && !strcmp(argv[optind], "relocate")) {
        if (optind + 4 != argc) {
            lk_errorf(_("expected 'runs relocate ID OLD NEW'"));
            return LK_EXIT_USAGE;
        }
        lk_config *rcfg = NULL;
        if (lk_config_load(&common.ov, &rcfg, &err) != LK_OK)
            return lk_report_error(&err);
        char *rdir = lk_runs_dir(rcfg);
        int rrc = relocate(rcfg, rdir, argv[optind + 1], argv[optind + 2], argv[optind + 3]);
        free(rdir);
        lk_config_free(rcfg);
        return rrc;
    }
    if (optind < argc) {
        if (strcmp(argv[optind], "show") || optind + 2 != argc) {
            lk_errorf(_("expected 'runs' or 'runs show ID'; see 'loket-import runs --help'"));
            return LK_EXIT_USAGE;
        }
        id = argv[optind + 1];
    }
    lk_config *cfg = NULL;
    if (lk_config_load(&common.ov, &cfg, &err) != LK_OK)
        return lk_report_error(&err);
    char *dir = lk_runs_dir(cfg);
    int rc = LK_EXIT_OK;
    cJSON *runs = NULL;
    if (lk_runs_list(dir, &runs, &err) != LK_OK) {
        rc = lk_report_error(&err);
        goto out;
    }
    if (!id) {
        if (json)
            print_json(runs);
        else if (cJSON_GetArraySize(runs) == 0)
            printf(_("no runs yet in %s\n"), dir);
        else
            print_list(runs);
        goto out;
    }
    const cJSON *run, *found = NULL;
    cJSON_ArrayForEach(run, runs) {
        const char *rid = str(run, "id");
        if (rid && !strcmp(rid, id))
            found = run;
    }
    if (!found) {
        lk_errorf(_("no run %s in %s; 'loket-import runs' lists them"), id, dir);
        rc = LK_EXIT_INPUT;
        goto out;
    }
    strbuf folder;
    strbuf_init(&folder, 256);
    strbuf_addf(&folder, "%s/%s", dir, id);
    lk_run *opened = NULL;
    lk_error oerr;
    lk_error_clear(&oerr);
    lk_run_open(dir, id, &opened, &oerr); /* for its plan: records old -> new */
    cJSON *recs = plan_records(opened);
    lk_run_free(opened);
    if (json) {
        cJSON *copy = cJSON_Duplicate(found, 1);
        cJSON_AddStringToObject(copy, "folder", folder.buf);
        cJSON_AddItemToObject(copy, "records", recs ? recs : cJSON_CreateArray());
        recs = NULL;
        print_json(copy);
        cJSON_Delete(copy);
    } else {
        print_run(found, folder.buf);
        print_records(recs);
    }
    cJSON_Delete(recs);
    strbuf_free(&folder);
out:
    cJSON_Delete(runs);
    free(dir);
    lk_config_free(cfg);
    return rc;
}
