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
    "\n"
    "The audit trail: every apply (by hand or from watch) leaves a run folder in the state\n"
    "directory (\"runsDir\" in the configuration, else the token store's folder + /runs) holding\n"
    "the inputs' SHA-256, a copy of the mapping, the plan, the journal and the reports. Runs are\n"
    "never overwritten; apply --resume continues the run it finishes.\n"
    "'runs' lists them, oldest first: when, status, exit code, files, employers, periods and the\n"
    "records per outcome. 'runs show ID' shows one run and where its files are.\n"
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
    static const char *const headers[] = { "RUN", "STARTED", "STATUS", "EXIT", "FILES",
                                           "EMPLOYERS", "PERIODS", "RECORDS" };
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
                                 status_of(run), exitc, files.buf, employers.buf, periods.buf,
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
    line("run:", str(run, "id"));
    line("folder:", folder);
    line("command:", str(run, "command"));
    line("reverts:", str(run, "reverts"));
    line("started:", str(run, "started"));
    line("finished:", str(run, "finished"));
    line("status:", status_of(run));
    const cJSON *ec = cJSON_GetObjectItemCaseSensitive(run, "exitCode");
    if (cJSON_IsNumber(ec)) {
        strbuf_addf(&sb, "%d (%s)", ec->valueint, str(run, "outcome") ? str(run, "outcome") : "");
        line("exit code:", sb.buf);
        strbuf_reset(&sb);
    }
    line("error:", str(run, "error"));
    line("api:", str(run, "api"));
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(run, "files")) {
        strbuf_addf(&sb, "%s (SHA-256 %s)", str(it, "path") ? str(it, "path") : "?",
                    str(it, "sha256") ? str(it, "sha256") : "?");
        line("file:", sb.buf);
        strbuf_reset(&sb);
    }
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(run, "mapping");
    if (m) {
        strbuf_addf(&sb, "%s (SHA-256 %s)", str(m, "path") ? str(m, "path") : "?",
                    str(m, "sha256") ? str(m, "sha256") : "?");
        line("mapping:", sb.buf);
        strbuf_reset(&sb);
    }
    const cJSON *rp = cJSON_GetObjectItemCaseSensitive(run, "reviewedPlan");
    if (rp) {
        strbuf_addf(&sb, "%s (SHA-256 %s)", str(rp, "path") ? str(rp, "path") : "?",
                    str(rp, "sha256") ? str(rp, "sha256") : "?");
        line("reviewed plan:", sb.buf);
        strbuf_reset(&sb);
    }
    add_names(&sb, cJSON_GetObjectItemCaseSensitive(run, "employers"), NULL, false);
    line("employers:", sb.buf);
    strbuf_reset(&sb);
    add_names(&sb, cJSON_GetObjectItemCaseSensitive(run, "periods"), NULL, false);
    line("periods:", sb.buf);
    strbuf_reset(&sb);
    if (cJSON_GetObjectItemCaseSensitive(run, "counts")) {
        add_counts(&sb, cJSON_GetObjectItemCaseSensitive(run, "counts"));
        line("records:", sb.buf);
        strbuf_reset(&sb);
    }
    add_names(&sb, cJSON_GetObjectItemCaseSensitive(run, "resumed"), NULL, false);
    line("resumed:", sb.buf);
    strbuf_reset(&sb);
    /* the folder's files, as paths a person can open */
    const char *journal = str(run, "journal");
    if (journal) {
        if (journal[0] == '/')
            strbuf_addf(&sb, "%s (a copy in %s/journal)", journal, folder);
        else
            strbuf_addf(&sb, "%s/%s", folder, journal);
        line("journal:", sb.buf);
        strbuf_reset(&sb);
    }
    if (str(run, "plan")) {
        strbuf_addf(&sb, "%s/%s", folder, str(run, "plan"));
        line("plan:", sb.buf);
        strbuf_reset(&sb);
    }
    strbuf_addf(&sb, "%s/inputs.sha256 (check: sha256sum -c %s/inputs.sha256)", folder, folder);
    line("inputs:", sb.buf);
    strbuf_reset(&sb);
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(run, "reports")) {
        if (!cJSON_IsString(it))
            continue;
        if (it->valuestring[0] == '/')
            strbuf_addstr(&sb, it->valuestring);
        else
            strbuf_addf(&sb, "%s/%s", folder, it->valuestring);
        line("report:", sb.buf);
        strbuf_reset(&sb);
    }
    strbuf_free(&sb);
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
    if (json) {
        cJSON *copy = cJSON_Duplicate(found, 1);
        cJSON_AddStringToObject(copy, "folder", folder.buf);
        print_json(copy);
        cJSON_Delete(copy);
    } else {
        print_run(found, folder.buf);
    }
    strbuf_free(&folder);
out:
    cJSON_Delete(runs);
    free(dir);
    lk_config_free(cfg);
    return rc;
}
