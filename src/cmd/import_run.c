/*
 * import_run.c: 'plan' and 'apply' (see import_run.h and docs/import.md).
 *
 * The order of a run: read the files through the mapping (offline; a mapping error stops here),
 * open the configuration and the client, build the plan (every look-up), then for apply open the
 * journal and send. The report is written in every case that got past the command line, also
 * when the run stops on an error or a signal, so the operator always has it.
 */
#include "cmd/commands.h"
#include "cmd/common_opts.h"
#include "cmd/import_run.h"
#include "cmd/output_paths.h"
#include "cmd/run_trail.h"
#include "common/error.h"
#include "common/i18n.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "engine/apply.h"
#include "engine/journal.h"
#include "engine/plan.h"
#include "engine/plan_file.h"
#include "engine/runs.h"
#include "input/reader.h"
#include "loket/api.h"
#include "loket/config.h"
#include "loket/trace.h"
#include "mapping/aggregate.h"
#include "mapping/checks.h"
#include "mapping/mapping.h"
#include "report/report.h"
#include "report/report_signals.h"

#include <cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static const char plan_usage[] =
    N_("usage: loket-import plan FILE... -m MAPPING [--period P] [--employer ID|CLIENTNR]\n"
    "                         [--report FILE]... [--out PLAN.json] [--lines N] [--json]\n"
    "                         [--quiet] [common options]\n"
    "\n"
    "The dry run: checks every row against Loket (employer, employment active in the period,\n"
    "open period, allowed components, record key) and every record as apply would send it\n"
    "(payslip text of at most 25 characters, the mapping's min/max), and shows per employment\n"
    "and record what apply would create, change (old -> new) or leave unchanged: dates summed\n"
    "per payroll period, then rounded. Writes nothing to Loket.\n"
    "--out saves the plan for review; 'apply PLAN.json' then sends exactly that plan.\n"
    "The changes are listed per employer and period, per employment each value old -> new,\n"
    "with totals; a long plan shows its first screenful and names the report with the rest.\n");

static const char apply_usage[] =
    N_("usage: loket-import apply FILE... -m MAPPING [--period P] [--employer ID|CLIENTNR]\n"
    "                          [--report FILE]... [--quiet] [--journal FILE] [--resume]\n"
    "                          [--allow-partial] [--force] [--collective[=N]] [--verify]\n"
    "                          [common options]\n"
    "       loket-import apply PLAN.json [apply options]\n"
    "\n"
    "The plan, then the upserts (PatchPayrollPeriodDataByEmploymentId). Strict: when the plan\n"
    "has any error nothing is sent. Every answer is journaled; --resume finishes an interrupted\n"
    "run without sending again what Loket confirmed.\n"
    "Every apply leaves a run folder (inputs' SHA-256, mapping, plan, journal, reports) in the\n"
    "state directory; 'loket-import runs' lists them. Without --report the reports (CSV, XLSX,\n"
    "JSON) are written there. 'apply PLAN.json' (saved by 'plan --out') sends exactly that plan,\n"
    "and refuses (exit 2, nothing sent) when an input file, the mapping or Loket changed since.\n");

static const char options_text[] =
    N_("\n"
    "  -m, --mapping FILE     the mapping (mappings/NAME.json; see docs/mappings.md)\n"
    "  -p, --period P         payroll period: 2026-11 (month), 2026-P11 (period number) or\n"
    "                         2026-W47 (week)\n"
    "      --report FILE      write the report (.csv, .xlsx, .json by extension); repeatable;\n"
    "                         its folder must exist (checked before anything is sent)\n"
    "      --csv-style S      a .csv report as excel-nl (';', decimal comma: Dutch Excel) or\n"
    "                         rfc4180 (',', decimal point); default: the language's\n"
    "  -q, --quiet            print errors only (on stderr): no progress, changes or summary\n"
    "      --allow-empty      a file without data rows is not an error\n"
    "      --accept-signals[=KINDS]\n"
    "                         the signals against Loket's history (repeat-of-previous, outlier,\n"
    "                         over-contract) were checked by a person: send anyway; all of them,\n"
    "                         or the kinds listed (comma-separated)\n");

static const char plan_options_text[] =
    N_("      --out PLAN.json    save the plan for 'apply PLAN.json'\n"
    "      --lines N          show at most N lines of changes (default: a screenful; 0 = all)\n"
    "      --json             print the changes as JSON on stdout instead (for machines)\n"
    "  -h, --help             this text\n");

static const char apply_options_text[] =
    N_("Options of apply only:\n"
    "      --journal FILE     where the confirmed results are kept (default: in the run folder)\n"
    "      --resume           continue an interrupted run (the newest unfinished run of the\n"
    "                         same inputs and options) from its journal\n"
    "      --allow-partial    send the employments without errors even when others have some\n"
    "      --force            send records Loket already holds unchanged\n"
    "      --collective[=N]   batch records of one employer into collective calls (default\n"
    "                         50); a record the answer does not name is read back\n"
    "      --verify           read back afterwards and report every difference (also a record\n"
    "                         reported rejected that Loket holds)\n"
    "  -h, --help             this text\n");

static const char trust_text[] =
    N_("Options of apply PLAN.json only:\n"
    "      --trust-plan       apply a plan made by another installation (or without a seal);\n"
    "                         it is still compared with a fresh plan, field by field\n");

enum {
    OPT_REPORT = 256, OPT_JOURNAL, OPT_RESUME, OPT_ALLOW_PARTIAL, OPT_FORCE, OPT_COLLECTIVE,
    OPT_VERIFY, OPT_ALLOW_EMPTY, OPT_LINES, OPT_JSON, OPT_CSV_STYLE, OPT_TRUST_PLAN,
    OPT_ACCEPT_SIGNALS
};

enum { OPT_OUT = 512 };

static const struct option options[] = {
    { "mapping", required_argument, NULL, 'm' },
    { "period", required_argument, NULL, 'p' },
    { "report", required_argument, NULL, OPT_REPORT },
    { "out", required_argument, NULL, OPT_OUT },
    { "quiet", no_argument, NULL, 'q' },
    { "journal", required_argument, NULL, OPT_JOURNAL },
    { "resume", no_argument, NULL, OPT_RESUME },
    { "allow-partial", no_argument, NULL, OPT_ALLOW_PARTIAL },
    { "force", no_argument, NULL, OPT_FORCE },
    { "collective", optional_argument, NULL, OPT_COLLECTIVE },
    { "verify", no_argument, NULL, OPT_VERIFY },
    { "trust-plan", no_argument, NULL, OPT_TRUST_PLAN },
    { "allow-empty", no_argument, NULL, OPT_ALLOW_EMPTY },
    { "lines", required_argument, NULL, OPT_LINES },
    { "json", no_argument, NULL, OPT_JSON },
    { "csv-style", required_argument, NULL, OPT_CSV_STYLE },
    { "accept-signals", optional_argument, NULL, OPT_ACCEPT_SIGNALS },
    { "help", no_argument, NULL, 'h' },
    LK_COMMON_LONG_OPTIONS,
    { NULL, 0, NULL, 0 },
};

/* The options of the running command (the one global the style allows). */
typedef struct import_opts {
    bool apply;
    const char *mapping, *period, *employer, *journal;
    const char *out;            /* plan --out */
    const char *plan_in;        /* apply PLAN.json */
    const char **reports;
    size_t nreports;
    bool quiet, resume, allow_partial, force, verify, allow_empty;
    bool trust_plan;            /* --trust-plan: a plan of another installation */
    int collective;
    bool json;                /* plan: the changes as JSON on stdout */
    lk_csv_style csv_style;   /* of .csv reports */
    bool accept[LK_SIGNAL_KIND_COUNT]; /* --accept-signals: the kinds a person accepted */
    const char *accept_text;  /* as given ("all" without a list); NULL = none */
    bool lines_set;
    size_t lines;             /* plan: lines of changes shown; 0 = all */
    lk_common_opts common;    /* --config, --api-url, --employer, --trace, --stats, ... */
} import_opts;

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/*
 * The run stopped before a plan was made (configuration, sign-in, a look-up failed): the report
 * still accounts for every input row. The mapped records are listed as not sent, the row issues
 * as they are, so "rows read = rows in records + rows with issues" holds here too.
 */
static void account_unplanned(lk_report *r, const lk_entry_set *set)
{
    if (r->nrecords || r->nissues)
        return;
    r->rows_read = 0;
    r->rows_not_listed = 0;
    lk_report_add_entry_set(r, set, NULL);
    for (size_t i = 0; i < r->nrecords; i++) {
        lk_report_record *rec = r->records[i];
        if (rec->outcome != LK_OUTCOME_VALID)
            continue;
        lk_report_record_add_message(rec, LK_MSG_IMPORTER, "Info", false, 0,
                                     _("not sent: the run stopped before the plan was made"),
                                     NULL);
        lk_report_record_set_result(rec, LK_OUTCOME_NOT_SENT, 0, 0);
    }
}

static void usage(FILE *out, bool apply)
{
    fputs(apply ? _(apply_usage) : _(plan_usage), out);
    fputs(_(options_text), out);
    fputs(apply ? _(apply_options_text) : _(plan_options_text), out);
    if (apply)
        fputs(_(trust_text), out);
    lk_common_usage(out);
    LK_USAGE_EXIT_CODES(out, LK_EXIT_OK, LK_EXIT_REJECTED, LK_EXIT_INPUT, LK_EXIT_CONFIG,
                        LK_EXIT_INTERNAL, LK_EXIT_INTERRUPTED, LK_EXIT_USAGE);
}

/* --accept-signals or --accept-signals=outlier,over-contract */
static bool parse_accept(const char *arg, import_opts *o)
{
    o->accept_text = arg && *arg ? arg : "all";
    if (!arg || !*arg || !strcmp(arg, "all")) {
        for (int k = 0; k < LK_SIGNAL_KIND_COUNT; k++)
            o->accept[k] = true;
        return true;
    }
    char *copy = xstrdup(arg), *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        lk_signal_kind k;
        if (!lk_signal_kind_parse(t, &k)) {
            lk_errorf(_("--accept-signals=%s: \"%s\" is not a kind of signal (all, "
                      "repeat-of-previous, outlier, over-contract, new-component)"), arg, t);
            free(copy);
            return false;
        }
        o->accept[k] = true;
    }
    free(copy);
    return true;
}

static int parse_options(int argc, char **argv, import_opts *o)
{
    int c;
    char *end;
    optind = 1;
    while ((c = getopt_long(argc, argv, "m:p:qh", options, NULL)) != -1) {
        bool apply_only = false;
        switch (c) {
        case 'm': o->mapping = optarg; break;
        case 'p': o->period = optarg; break;
        case 'q': o->quiet = true; break;
        case OPT_REPORT:
            o->reports = xrealloc(o->reports, (o->nreports + 1) * sizeof *o->reports);
            o->reports[o->nreports++] = optarg;
            break;
        case OPT_OUT:
            if (o->apply) {
                lk_errorf(_("--out is an option of 'plan'; apply keeps its plan in the run folder"));
                return LK_EXIT_USAGE;
            }
            o->out = optarg;
            break;
        case OPT_JOURNAL: o->journal = optarg; apply_only = true; break;
        case OPT_RESUME: o->resume = true; apply_only = true; break;
        case OPT_ALLOW_PARTIAL: o->allow_partial = true; apply_only = true; break;
        case OPT_FORCE: o->force = true; apply_only = true; break;
        case OPT_VERIFY: o->verify = true; apply_only = true; break;
        case OPT_TRUST_PLAN: o->trust_plan = true; apply_only = true; break;
        case OPT_ALLOW_EMPTY: o->allow_empty = true; break;
        case OPT_ACCEPT_SIGNALS:
            if (!parse_accept(optarg, o))
                return LK_EXIT_USAGE;
            break;
        case OPT_CSV_STYLE:
            if (!lk_csv_style_parse(optarg, &o->csv_style)) {
                lk_errorf(_("--csv-style %s: expected excel-nl or rfc4180"), optarg);
                return LK_EXIT_USAGE;
            }
            break;
        case OPT_JSON:
            if (o->apply) {
                lk_errorf(_("--json is an option of 'plan', not of 'apply'"));
                return LK_EXIT_USAGE;
            }
            o->json = true;
            break;
        case OPT_LINES: {
            long n = strtol(optarg, &end, 10);
            if (o->apply) {
                lk_errorf(_("--lines is an option of 'plan', not of 'apply'"));
                return LK_EXIT_USAGE;
            }
            if (!*optarg || *end || n < 0 || n > 1000000) {
                lk_errorf(_("--lines %s: expected a number of lines (0 = all)"), optarg);
                return LK_EXIT_USAGE;
            }
            o->lines = (size_t)n;
            o->lines_set = true;
            break;
        }
        case OPT_COLLECTIVE:
            apply_only = true;
            o->collective = 50;
            if (optarg) {
                long n = strtol(optarg, &end, 10);
                if (*end || n < 1 || n > 1000) {
                    lk_errorf(_("--collective=%s: expected a number of records from 1 to 1000"),
                              optarg);
                    return LK_EXIT_USAGE;
                }
                o->collective = (int)n;
            }
            break;
        case 'h':
            usage(stdout, o->apply);
            return -1;
        default: {
            int handled = lk_common_opt(&o->common, c, optarg);
            if (handled < 0)
                return LK_EXIT_USAGE;
            if (handled == 0) {
                usage(stderr, o->apply);
                return LK_EXIT_USAGE;
            }
            if (c == LK_OPT_EMPLOYER)
                o->employer = optarg;
            break;
        }
        }
        if (apply_only && !o->apply) {
            lk_errorf(_("%s is an option of 'apply', not of 'plan'"), argv[optind - 1]);
            return LK_EXIT_USAGE;
        }
    }
    /* apply PLAN.json: a .json without -m is read as a plan, so a plan that cannot be read
     * (too deep, not a plan, a device) is named as such rather than as a missing mapping */
    if (o->apply && !o->mapping && optind == argc - 1 &&
        (lk_plan_file_sniff(argv[optind]) || lk_plan_file_named(argv[optind]))) {
        o->plan_in = argv[optind];
        return 0;
    }
    if (!o->mapping || optind >= argc) {
        lk_errorf(_("%s needs one FILE or more and -m MAPPING"), o->apply ? "apply" : "plan");
        usage(stderr, o->apply);
        return LK_EXIT_USAGE;
    }
    return 0;
}

/* SHA-256 over what decides what is sent: the input files, the mapping and the options. */
static void run_fingerprint(const lk_report *r, const import_opts *o, char *out)
{
    strbuf sb;
    strbuf_init(&sb, 512);
    strbuf_addstr(&sb, "loket-import apply v1\n");
    for (size_t i = 0; i < r->nfiles; i++)
        strbuf_addf(&sb, "file %s\n", r->files[i].sha256);
    strbuf_addf(&sb, "mapping %s\n", r->mapping_sha256);
    strbuf_addf(&sb, "period %s\nemployer %s\nforce %d\nallow-partial %d\n",
                o->period ? o->period : "", o->employer ? o->employer : "", o->force,
                o->allow_partial);
    lk_sha256_hex(sb.buf, sb.len, out);
    strbuf_free(&sb);
}

#define JOURNAL_COMPLETE_KEY "run:complete"

/* A journal whose run finished is moved to FILE.done before a new run (not --resume) starts, so
 * re-running apply on the same report name just works; an unfinished one stays and is refused
 * by lk_journal_open (finish it with --resume first). */
static void retire_finished_journal(const char *path)
{
    char *text = NULL;
    size_t len = 0;
    lk_error e;
    lk_error_clear(&e);
    if (lk_read_file(path, 256u * 1024 * 1024, &text, &len, &e) != LK_OK)
        return;
    if (strstr(text, "\"key\":\"" JOURNAL_COMPLETE_KEY "\"")) {
        strbuf done;
        strbuf_init(&done, 256);
        strbuf_addf(&done, "%s.done", path);
        if (rename(path, done.buf) != 0)
            lk_warn(_("cannot move the finished journal %s aside: %s"), path, strerror(errno));
        strbuf_free(&done);
    }
    free(text);
}

static void copy_request_stats(lk_report *r, lk_client *c)
{
    const lk_http_stats *s = lk_http_get_stats(lk_client_http(c));
    for (size_t i = 0; i < s->n; i++) {
        const lk_http_record *h = &s->records[i];
        lk_report_count_request(r, h->method, h->endpoint, (int)h->status,
                                (unsigned)h->attempts, h->latency_ms);
    }
}

static void print_error(const lk_error *e)
{
    char buf[LK_ERROR_MSG_MAX + 400];
    lk_errorf("%s", lk_error_format(e, buf, sizeof buf));
}

/* An apply stopped by a run error (another run's journal, a journal that cannot be written,
 * a lost connection): a record still showing the plan's created/updated was never sent, and the
 * report must not say Loket holds it. */
static void unsent_after_error(lk_report *r, const lk_error *e)
{
    char why[LK_ERROR_MSG_MAX + 16];
    snprintf(why, sizeof why, _("not sent: %s"), e->message);
    for (size_t i = 0; i < r->nrecords; i++) {
        lk_report_record *rec = r->records[i];
        if ((rec->outcome == LK_OUTCOME_CREATED || rec->outcome == LK_OUTCOME_UPDATED) &&
            !rec->attempts && !rec->http_status) {
            lk_report_record_add_message(rec, LK_MSG_IMPORTER, "Info", false, 0, why, NULL);
            lk_report_record_set_result(rec, LK_OUTCOME_NOT_SENT, 0, 0);
        }
    }
}

static bool write_reports(lk_report *r, const import_opts *o)
{
    bool ok = true;
    for (size_t i = 0; i < o->nreports; i++) {
        lk_error e;
        lk_error_clear(&e);
        if (lk_report_write_as(r, o->reports[i], LK_REPORT_AUTO, o->csv_style, &e) != LK_OK) {
            print_error(&e);
            ok = false;
        }
    }
    return ok;
}

/* The plan's changes: a screenful on a terminal (its height less room for the summary), a
 * fixed page elsewhere, all of them with --lines 0. */
#define PLAN_LINES_NOT_A_TERMINAL 40
static void print_changes(const lk_report *r, const import_opts *o)
{
    lk_plan_view_opts v = { PLAN_LINES_NOT_A_TERMINAL, lk_lang_current() == LK_LANG_NL, NULL };
    struct winsize ws;
    if (o->lines_set)
        v.max_lines = o->lines;
    else if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row)
        v.max_lines = ws.ws_row > 30 ? (size_t)ws.ws_row - 15 : 15;
    if (r->noutputs)
        v.rest_in = r->outputs[0];
    if (r->nrecords)
        lk_report_print_changes(r, &v, stdout);
}

/* Every path the run will write, checked before it reads or sends anything. */
static bool check_outputs(const import_opts *o)
{
    lk_error e;
    lk_error_clear(&e);
    for (size_t i = 0; i < o->nreports; i++)
        if (lk_output_path_check("--report", o->reports[i], true, &e) != LK_OK)
            goto bad;
    if (o->journal && lk_output_path_check("--journal", o->journal, false, &e) != LK_OK)
        goto bad;
    if (o->out && lk_output_path_check("--out", o->out, false, &e) != LK_OK)
        goto bad;
    return true;
bad:
    print_error(&e);
    lk_errorf(_("nothing was read or sent"));
    return false;
}

/* apply PLAN.json: the plan fixes the inputs and the options that shape the plan. */
static int take_plan_inputs(import_opts *o, const lk_plan_file *pf)
{
    if (o->period || o->employer || o->force) {
        lk_errorf(_("%s: --period, --employer and --force are fixed by the plan; make a new plan "
                  "to change them"), o->plan_in);
        return LK_EXIT_CONFIG;
    }
    o->mapping = pf->mapping;
    o->period = pf->period;
    o->employer = pf->employer;
    return 0;
}

/* apply PLAN.json: the inputs must be the plan's, byte for byte. */
static bool plan_inputs_unchanged(const lk_plan_file *pf, const lk_report *r, lk_error *err)
{
    for (size_t i = 0; i < pf->nfiles && i < r->nfiles; i++)
        if (strcmp(pf->file_sha256[i], r->files[i].sha256)) {
            lk_error_set(err, LK_ERR_INPUT,
                         _("%s changed since the plan was made (SHA-256 %.12s..., now %s); "
                         "nothing was sent; make a new plan"),
                         pf->files[i], pf->file_sha256[i],
                         r->files[i].sha256[0] ? r->files[i].sha256 : "unreadable");
            return false;
        }
    if (strcmp(pf->mapping_sha256, r->mapping_sha256)) {
        lk_error_set(err, LK_ERR_INPUT,
                     _("the mapping %s changed since the plan was made; nothing was sent; make a "
                     "new plan"),
                     pf->mapping);
        return false;
    }
    return true;
}

/* apply PLAN.json refused: nothing of it is sent. */
static void mark_not_sent(lk_plan *plan)
{
    for (size_t i = 0; i < plan->nitems; i++) {
        lk_report_record *rec = plan->items[i].rec;
        if (rec && (rec->outcome == LK_OUTCOME_CREATED || rec->outcome == LK_OUTCOME_UPDATED ||
                    rec->outcome == LK_OUTCOME_UNCHANGED))
            lk_report_record_set_result(rec, LK_OUTCOME_NOT_SENT, 0, 0);
    }
}

int lk_import_command(int argc, char **argv, bool apply)
{
    import_opts o;
    memset(&o, 0, sizeof o);
    lk_common_init(&o.common);
    o.apply = apply;
    /* the chosen language's (Dutch: excel-nl); --csv-style still wins */
    o.csv_style = lk_csv_style_for_language(lk_lang_current() == LK_LANG_NL ? "nl" : "en");
    int prc = parse_options(argc, argv, &o);
    if (prc) {
        free(o.reports);
        return prc < 0 ? LK_EXIT_OK : prc;
    }
    if (!check_outputs(&o)) {
        free(o.reports);
        return LK_EXIT_CONFIG;
    }
    /* A run parses and frees answers of up to ~700 KB (a listing page) and builds a report of
     * megabytes; by default glibc returns such memory to the kernel on every free and faults it
     * in again for the next page: ~15% of a 5,000-employment apply's CPU. This one-shot
     * process keeps it until it exits instead. */
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);

    int rc = LK_EXIT_OK;
    lk_error err;
    lk_error_clear(&err);
    lk_plan_file *reviewed = NULL;
    if (o.plan_in) {
        if (lk_plan_file_load(o.plan_in, &reviewed, &err) != LK_OK) {
            print_error(&err);
            free(o.reports);
            return LK_EXIT_INPUT;
        }
        if ((rc = take_plan_inputs(&o, reviewed)) != 0) {
            lk_plan_file_free(reviewed);
            free(o.reports);
            return rc;
        }
        /* the plan's files take the place of FILE... on the command line */
        argv = (char **)reviewed->files;
        argc = (int)reviewed->nfiles;
        optind = 0;
    }

    lk_period_ref period = { 0 };
    if (o.period && !lk_parse_period(o.period, &period)) {
        lk_period_usage_error(o.period);
        lk_plan_file_free(reviewed);
        free(o.reports);
        return LK_EXIT_USAGE;
    }

    lk_mapping *m = NULL;
    lk_entry_set set;
    lk_entry_set_init(&set);
    lk_report *r = lk_report_new(apply ? "apply" : "plan");
    lk_config *cfg = NULL;
    lk_trace *trace = NULL;
    lk_client *client = NULL;
    lk_plan *plan = NULL;
    lk_journal *journal = NULL;
    lk_run *run = NULL;
    char *jpath = NULL;
    bool journal_complete = false;
    /* read now (offline) for the run folder; an error is reported where it always was, after
     * the files */
    lk_error cfg_err;
    lk_error_clear(&cfg_err);
    lk_code cfg_rc = lk_config_load(&o.common.ov, &cfg, &cfg_err);

    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    stop_requested = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    lk_reader_set_stop(&stop_requested); /* a long input file stops within a row */

    /* a saved plan must be this installation's, byte for byte as it was made, before any
     * file it names is read */
    if (reviewed && cfg_rc == LK_OK) {
        lk_seal_key key;
        lk_code vrc = lk_seal_key_load(cfg->token_store, true, &key, &err);
        if (vrc == LK_OK) {
            vrc = lk_plan_file_verify(reviewed, o.plan_in, &key, o.trust_plan, &err);
            lk_seal_key_free(&key);
        }
        if (vrc != LK_OK)
            goto run_error;
    }

    /* 1. the files, offline */
    for (int i = optind; i < argc; i++) {
        lk_error fe;
        lk_error_clear(&fe);
        lk_report_add_file(r, argv[i], &fe);
    }
    lk_error merr;
    lk_error_clear(&merr);
    lk_code mrc = lk_report_set_mapping(r, o.mapping, &merr);
    /* the audit trail: the run folder exists before anything is read further or sent */
    if (apply && cfg_rc == LK_OK) {
        char fp[65];
        run_fingerprint(r, &o, fp);
        lk_trail_opts topts = { fp, o.resume, o.journal,
                                o.plan_in, reviewed ? reviewed->sha256 : NULL,
                                o.period, o.employer, o.allow_partial, o.force, o.verify,
                                o.collective };
        if (lk_trail_open(cfg, r, &topts, &run, &err) != LK_OK)
            goto run_error;
    }
    if (reviewed && !plan_inputs_unchanged(reviewed, r, &err))
        goto run_error;
    if (mrc != LK_OK || lk_mapping_load(o.mapping, &m, &err) != LK_OK) {
        if (mrc != LK_OK)
            err = merr;
        print_error(&err);
        rc = lk_exit_code(err.code);
        goto out;
    }
    lk_aggregator *agg = lk_aggregator_new(m, o.period ? &period : NULL, &set, &err);
    if (!agg) {
        print_error(&err);
        rc = LK_EXIT_CONFIG;
        goto out;
    }
    lk_aggregator_set_allow_empty(agg, o.allow_empty);
    for (int i = optind; i < argc; i++)
        if (lk_aggregator_add_file(agg, argv[i], &err) != LK_OK) {
            lk_aggregator_free(agg);
            print_error(&err);
            rc = lk_exit_code(err.code);
            goto out;
        }
    lk_aggregator_free(agg);
    lk_report_add_input_warnings(r, &set);
    r->rows_not_listed = set.rows_not_listed;
    if (stop_requested) {
        lk_error_set(&err, LK_ERR_INTERRUPTED, _("interrupted before anything was sent"));
        print_error(&err);
        rc = LK_EXIT_INTERRUPTED;
        goto out;
    }

    /* 2. the connection */
    if (cfg_rc != LK_OK) {
        err = cfg_err;
        goto run_error;
    }
    lk_report_set_environment(r, strcmp(cfg->environment, "custom") ? cfg->environment
                                                                     : cfg->api_url);
    if (reviewed && (!reviewed->api_url || strcmp(reviewed->api_url, cfg->api_url))) {
        lk_error_clear(&err);
        lk_error_set(&err, LK_ERR_INPUT,
                     _("%s was made against %s, this configuration talks to %s; nothing was sent"),
                     o.plan_in, reviewed->api_url ? reviewed->api_url : "an unknown API",
                     cfg->api_url);
        goto run_error;
    }
    if (o.common.trace_path && lk_trace_open(o.common.trace_path, &trace, &err) != LK_OK)
        goto run_error;
    if (trace)
        lk_trace_add_secret(trace, cfg->client_secret);
    if (lk_client_new(cfg, trace, &client, &err) != LK_OK)
        goto run_error;
    /* a stop is seen in every phase that waits for Loket: look-ups, the token, the writes */
    lk_http_set_interrupt_flag(lk_client_http(client), &stop_requested);

    /* 3. the plan */
    /* the defaults, then the configuration's, then the mapping's (checked when it loaded) */
    lk_checks checks;
    lk_checks_default(&checks);
    {
        char key[64], msg[300];
        if (cfg->checks && !lk_checks_apply_json(&checks, cfg->checks, key, sizeof key, msg,
                                                 sizeof msg)) {
            lk_error_clear(&err);
            lk_error_set(&err, LK_ERR_CONFIG, _("%s: checks%s%s: %s"),
                         cfg->path ? cfg->path : "configuration", *key ? "." : "", key, msg);
            goto run_error;
        }
        if (m->checks)
            lk_checks_apply_json(&checks, m->checks, key, sizeof key, msg, sizeof msg);
    }
    lk_plan_opts popts = { o.employer ? o.employer : cfg->employer, o.force, &checks };
    if (lk_plan_build(client, &set, &popts, r, &plan, &err) != LK_OK) {
        if (stop_requested) /* a look-up cut by the stop: nothing was sent */
            lk_error_set(&err, LK_ERR_INTERRUPTED, _("interrupted while planning; nothing was sent"));
        goto run_error;
    }
    if (stop_requested) {
        lk_error_set(&err, LK_ERR_INTERRUPTED, _("interrupted before anything was sent"));
        goto run_error;
    }
    lk_plan_origin origin = { cfg->api_url, o.period, popts.employer, NULL };
    if (o.out) {
        lk_seal_key key; /* the saved plan is sealed with the installation key */
        lk_code wrc = lk_seal_key_load(cfg->token_store, true, &key, &err);
        origin.key = wrc == LK_OK ? &key : NULL;
        if (wrc == LK_OK)
            wrc = lk_plan_file_write(plan, r, &origin, o.out, &err);
        if (origin.key)
            lk_seal_key_free(&key);
        origin.key = NULL;
        if (wrc != LK_OK) {
            err.code = LK_ERR_CONFIG;
            goto run_error;
        }
        printf(_("plan saved: %s (apply it with: loket-import apply %s)\n"), o.out, o.out);
    }
    if (run && lk_trail_plan(run, plan, r, &origin, &err) != LK_OK) {
        err.code = LK_ERR_CONFIG;
        goto run_error;
    }
    if (reviewed) {
        strbuf why;
        strbuf_init(&why, 256);
        size_t n = lk_plan_file_compare(reviewed, plan, &why, 20);
        if (n && !reviewed->sealed) { /* a trusted plan of elsewhere: not necessarily Loket */
            /* the differences one per line; each line was made one line (plan_file.c) */
            lk_errorf(_("the plan %s differs from what would be sent now; nothing was sent "
                      "(make a new plan and review it):"),
                      o.plan_in);
            fputs(why.buf, stderr);
            lk_error_clear(&err);
            lk_error_set(&err, LK_ERR_INPUT,
                         ngettext("the plan %s differs from what would be sent now (%zu "
                                  "difference); nothing was sent",
                                  "the plan %s differs from what would be sent now (%zu "
                                  "differences); nothing was sent",
                                  n),
                         o.plan_in, n);
            strbuf_free(&why);
            mark_not_sent(plan);
            goto run_error;
        }
        if (n) {
            lk_errorf(_("Loket changed since the plan %s was made; nothing was sent (make a new "
                      "plan and review it):"),
                      o.plan_in);
            fputs(why.buf, stderr);
            lk_error_clear(&err);
            lk_error_set(&err, LK_ERR_INPUT,
                         _("Loket changed since the plan %s was made (%zu difference%s); "
                         "nothing was sent"),
                         o.plan_in, n, n == 1 ? "" : "s");
            strbuf_free(&why);
            mark_not_sent(plan);
            goto run_error;
        }
        strbuf_free(&why);
    }

    /* a plausible-looking wrong file stops here until a person has looked (report_signals.h) */
    lk_report_signals_accept(r->signals, o.accept, o.accept_text);
    {
        strbuf names = STRBUF_INIT;
        size_t n = lk_report_signals_blocking(r->signals, &names);
        if (n) {
            lk_error_clear(&err);
            lk_error_set(&err, LK_ERR_INPUT,
                         apply ? ngettext("%zu signal against Loket's history stops this import: "
                                          "%s; nothing was sent. Check it (the Signals section, "
                                          "the report), then send with --accept-signals if the "
                                          "file is right",
                                          "%zu signals against Loket's history stop this import: "
                                          "%s; nothing was sent. Check them (the Signals section, "
                                          "the report), then send with --accept-signals if the "
                                          "file is right", n)
                               : ngettext("%zu signal against Loket's history would stop apply: "
                                          "%s; check it, then apply with --accept-signals if the "
                                          "file is right",
                                          "%zu signals against Loket's history would stop apply: "
                                          "%s; check them, then apply with --accept-signals if the "
                                          "file is right", n),
                         n, names.buf);
            strbuf_free(&names);
            if (apply)
                mark_not_sent(plan);
            goto run_error;
        }
        strbuf_free(&names);
    }

    /* 4. apply */
    if (apply) {
        lk_apply_opts aopts = { o.allow_partial, o.force, o.collective, o.verify, o.quiet,
                                &stop_requested };
        if (!lk_apply_blocked(plan, &aopts)) {
            char fp[65];
            run_fingerprint(r, &o, fp);
            jpath = lk_trail_journal_path(run, o.journal);
            if (!o.resume && o.journal)
                retire_finished_journal(jpath);
            journal = lk_journal_open(jpath, fp, o.resume, &err);
            if (!journal) {
                if (err.code == LK_ERR_CONFLICT)
                    err.code = LK_ERR_INPUT; /* another run's journal: nothing sent, exit 2 */
                goto run_error;
            }
        }
        lk_apply_stats st;
        lk_code arc = lk_apply_run(client, plan, &aopts, journal, r, &st, &err);
        if (arc != LK_OK)
            goto run_error;
        journal_complete = journal != NULL;
        for (size_t i = 0; i < r->nrecords && journal_complete; i++)
            if (r->records[i]->outcome == LK_OUTCOME_FAILED)
                journal_complete = false; /* --resume retries what got no answer */
    }
    goto finish;

run_error:
    if (err.code == LK_OK)
        err.code = LK_ERR_INTERNAL;
    if (!plan)
        account_unplanned(r, &set);
    if (apply)
        unsent_after_error(r, &err);
    lk_report_set_error(r, &err);
    print_error(&err);
finish:
    if (client)
        copy_request_stats(r, client);
    if (client && o.common.stats) {
        fflush(stdout);
        lk_http_stats_print(lk_http_get_stats(lk_client_http(client)), stderr);
    }
    lk_report_finish(r);
    if (!write_reports(r, &o) && !r->has_error)
        rc = LK_EXIT_CONFIG;
    if (run && !lk_trail_reports(run, r, o.nreports > 0) && !r->has_error)
        rc = LK_EXIT_CONFIG;
    if (!apply && o.json) {
        char *json = lk_report_changes_json(r);
        fputs(json, stdout);
        fputc('\n', stdout);
        free(json);
    } else {
        if (!apply && !o.quiet)
            print_changes(r, &o);
        if (o.quiet)
            lk_report_print_problems(r, stderr); /* errors only */
        else
            lk_report_print_summary(r, stdout);
    }
    if (rc == LK_EXIT_OK)
        rc = lk_report_exit_code(r);
    if (journal) {
        if (journal_complete) {
            /* the run is finished: a --resume now reproduces its report from the journal, and
             * the next plain apply moves the journal aside (retire_finished_journal) */
            lk_error je;
            lk_error_clear(&je);
            cJSON *res = cJSON_CreateObject();
            char when[32];
            cJSON_AddStringToObject(res, "finished", lk_iso8601((long long)lk_now(), when));
            if (lk_journal_append(journal, JOURNAL_COMPLETE_KEY, "", res, &je) != LK_OK ||
                lk_journal_sync(journal, &je) != LK_OK)
                print_error(&je);
            cJSON_Delete(res);
        }
        lk_journal_free(journal);
        journal = NULL;
        if (!journal_complete && !o.quiet) {
            fprintf(stderr, _("journal: %s (apply --resume continues from it)\n"), jpath);
        }
    }
out:
    if (run) {
        if (!jpath)
            jpath = lk_trail_journal_path(run, o.journal);
        if (rc != LK_EXIT_OK && !r->has_error && err.code != LK_OK)
            lk_report_set_error(r, &err); /* a mapping error: the run folder says why too */
        lk_trail_finish(run, r, rc, journal_complete, jpath);
        if (!o.quiet) /* -q: errors only */
            printf(_("run %s: %s\n"), lk_run_id(run), lk_run_path(run));
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    lk_reader_set_stop(NULL);
    lk_journal_free(journal);
    lk_run_free(run);
    free(jpath);
    lk_plan_free(plan);
    lk_client_free(client);
    lk_trace_close(trace);
    lk_config_free(cfg);
    lk_report_free(r);
    lk_entry_set_free(&set);
    lk_mapping_free(m);
    lk_plan_file_free(reviewed);
    free(o.reports);
    return rc;
}
