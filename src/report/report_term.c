/*
 * report_term.c: what a person sees in the terminal: the summary table at the end of a run
 * (outcomes, component totals, the first problems, where the report files are, the exit code)
 * and a progress line on stderr while requests run.
 *
 * The progress line is drawn only when stderr is a terminal and the run is not --quiet: in cron,
 * systemd or a pipe it would only fill logs with carriage returns. Colours follow the NO_COLOR
 * convention (https://no-color.org): any non-empty NO_COLOR turns them off.
 */
#include "report/report_int.h"
#include "report/report_signals.h"

#include "common/i18n.h"
#include "common/localefmt.h"
#include "common/period_name.h"

#include "common/util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROBLEMS_SHOWN 10

static void print_problems(const lk_report *r, FILE *out);

/* A few employments with errors hold back a whole file (apply is strict): say how to send the
 * rest when that is what the operator wants. */
static void print_partial_advice(const lk_report *r, const lk_report_totals *t, FILE *out)
{
    unsigned long bad = t->records[LK_OUTCOME_REJECTED] + t->issues[LK_OUTCOME_REJECTED];
    unsigned long good = !strcmp(r->command, "plan")
                             ? t->records[LK_OUTCOME_CREATED] + t->records[LK_OUTCOME_UPDATED]
                         : !strcmp(r->command, "apply") ? t->records[LK_OUTCOME_NOT_SENT]
                                                        : 0;
    if (!bad || !good || r->has_error)
        return;
    fprintf(out,
            ngettext("  apply sends nothing while there are errors: correct them, or send the "
                     "%lu record without errors with apply --allow-partial\n",
                     "  apply sends nothing while there are errors: correct them, or send the "
                     "%lu records without errors with apply --allow-partial\n", good),
            good);
}

bool lk_report_use_color(FILE *out)
{
    const char *no_color = getenv("NO_COLOR");
    if (no_color && *no_color)
        return false;
    return isatty(fileno(out)) == 1;
}

static const char *outcome_color(lk_outcome o)
{
    switch (o) {
    case LK_OUTCOME_VALID:
    case LK_OUTCOME_CREATED:
    case LK_OUTCOME_UPDATED:
        return "\033[32m";
    case LK_OUTCOME_UNCHANGED:
        return "";
    case LK_OUTCOME_REJECTED:
    case LK_OUTCOME_FAILED:
        return "\033[31m";
    default:
        return "\033[33m";
    }
}

static void print_outcome(FILE *out, bool color, lk_outcome o, int width)
{
    const char *c = color ? outcome_color(o) : "";
    fprintf(out, "%s%-*s%s", c, width, lk_outcome_label(o), *c ? "\033[0m" : "");
}

static void print_problem_record(FILE *out, const lk_report_record *rec)
{
    strbuf sb = STRBUF_INIT;
    strbuf_init(&sb, 0);
    if (rec->employee_number)
        strbuf_addf(&sb, "%ld", rec->employee_number);
    if (rec->employee_name)
        strbuf_addf(&sb, "%s%s", sb.len ? " " : "", rec->employee_name);
    if (rec->period_year && rec->period_number) {
        char code[LK_PERIOD_NAME_MAX];
        strbuf_addf(&sb, " %s", lk_period_code(rec->period_year, rec->period_number,
                                               rec->period_type, code));
    }
    else if (rec->period_label)
        strbuf_addf(&sb, " %s", rec->period_label);
    if (rec->nrows) {
        strbuf_addstr(&sb, " (");
        lk_report_rows_text(&sb, rec->rows, rec->nrows);
        strbuf_addch(&sb, ')');
    }
    strbuf_addstr(&sb, ": ");
    if (rec->nmessages)
        lk_report_messages_text(&sb, rec);
    else if (rec->http_status)
        strbuf_addf(&sb, "HTTP %d", rec->http_status);
    else
        strbuf_addstr(&sb, _("no reason given"));
    lk_text_make_one_line(sb.buf); /* names and messages come from files and from Loket */
    fprintf(out, "    %s\n", sb.buf);
    strbuf_free(&sb);
}

void lk_report_print_summary(const lk_report *r, FILE *out)
{
    bool color = lk_report_use_color(out);
    lk_report_totals t;
    char buf[700];
    lk_report_totals_get(r, &t);

    /* TRANSLATORS: the start of "plan: 25 records from 1 file, ..." */
    fprintf(out, ngettext("%s: %zu record", "%s: %zu records", r->nrecords), r->command,
            r->nrecords);
    fprintf(out, ngettext(" from %zu file", " from %zu files", r->nfiles), r->nfiles);
    fprintf(out, ngettext(", %lu input row", ", %lu input rows", r->rows_read), r->rows_read);
    fprintf(out, _(" (%lu in records, %lu with issues)\n"), t.rows_in_records, t.rows_in_issues);
    if (!strcmp(r->command, "plan"))
        fputs(_("  (a plan: nothing was sent; outcomes say what apply would do)\n"), out);

    fprintf(out, "  %-12s %9s %9s\n", _("outcome"), _("records"), _("issues"));
    for (int i = 0; i < LK_OUTCOME_COUNT; i++) {
        if (!t.records[i] && !t.issues[i])
            continue;
        fputs("  ", out);
        print_outcome(out, color, (lk_outcome)i, 12);
        fprintf(out, " %9lu %9lu\n", t.records[i], t.issues[i]);
    }

    /* Only what Loket holds (or, in a plan, would hold) afterwards: a total that counted the
     * rejected or unsent records would promise hours nobody is paid for. */
    unsigned accepted = 1u << LK_OUTCOME_VALID | 1u << LK_OUTCOME_CREATED |
                        1u << LK_OUTCOME_UPDATED | 1u << LK_OUTCOME_UNCHANGED;
    unsigned long left_out = 0;
    for (size_t i = 0; i < r->nrecords; i++)
        if (!(accepted & (1u << r->records[i]->outcome)))
            left_out++;
    size_t n;
    lk_report_component_total *ct = lk_report_component_totals(r, accepted, &n);
    if (n || left_out)
        fprintf(out, "  %-22s %9s %17s\n", _("component"), _("records"), _("accepted sum"));
    for (size_t i = 0; i < n; i++) {
        char name[40];
        snprintf(name, sizeof(name), "%d %s", ct[i].key,
                 ct[i].description ? ct[i].description : "");
        fprintf(out, "  %-22s %9lu %17s\n", name, ct[i].count,
                ct[i].overflow ? _("(overflow)") : lk_fmt_decimal(ct[i].sum, 2, buf));
    }
    if (left_out) {
        const char *which = !strcmp(r->command, "validate") ? _("without errors")
                            : !strcmp(r->command, "plan")
                                ? _("that would be created, updated or unchanged")
                                : _("created, updated or unchanged");
        fprintf(out,
                ngettext("  (sums of the records %s only; %lu other record not counted)\n",
                         "  (sums of the records %s only; %lu other records not counted)\n",
                         left_out),
                which, left_out);
    }
    free(ct);

    lk_report_print_signals(r, out);
    print_problems(r, out);
    print_partial_advice(r, &t, out);
    for (size_t i = 0; i < r->noutputs; i++)
        fprintf(out, _("  report: %s\n"), r->outputs[i]);
    int code = lk_report_exit_code(r);
    fprintf(out, _("  exit code %d: %s\n"), code, lk_exit_code_meaning(code));
}

void lk_report_print_problems(const lk_report *r, FILE *out)
{
    print_problems(r, out);
}

/* The first problems, so the operator need not open a file for a single typo, and the error
 * that stopped the run. */
static void print_problems(const lk_report *r, FILE *out)
{
    char buf[700];
    size_t shown = 0, problems = 0, nbad = 0, ncauses;
    const lk_report_record **bad = xcalloc(r->nrecords + 1, sizeof *bad);
    for (size_t i = 0; i < r->nrecords; i++)
        if (r->records[i]->outcome == LK_OUTCOME_REJECTED ||
            r->records[i]->outcome == LK_OUTCOME_FAILED)
            bad[nbad++] = r->records[i];
    /* one line per distinct cause: a closed period is said once, not once per employment */
    lk_report_cause *causes = lk_report_causes(bad, nbad, &ncauses);
    for (size_t i = 0; i < ncauses; i++) {
        if (problems++ == 0)
            fputs(_("  problems:\n"), out);
        if (shown >= PROBLEMS_SHOWN)
            continue;
        shown++;
        if (causes[i].n == 1) {
            print_problem_record(out, causes[i].recs[0]);
            continue;
        }
        strbuf sb;
        strbuf_init(&sb, 128);
        lk_report_cause_employees(&sb, &causes[i], 12);
        lk_text_make_one_line(causes[i].reason);
        fprintf(out, "    %s\n", causes[i].reason);
        fprintf(out,
                ngettext("      (%zu record, of employees %s)\n",
                         "      (%zu records, of employees %s)\n", causes[i].n),
                causes[i].n, sb.buf ? sb.buf : "");
        strbuf_free(&sb);
    }
    lk_report_causes_free(causes, ncauses);
    free(bad);
    for (size_t i = 0; i < r->nissues; i++) {
        if (r->issues[i].outcome != LK_OUTCOME_REJECTED)
            continue;
        if (problems++ == 0)
            fputs(_("  problems:\n"), out);
        if (shown < PROBLEMS_SHOWN) {
            fprintf(out, "    %s\n", lk_error_format(&r->issues[i].error, buf, sizeof(buf)));
            shown++;
        }
    }
    if (problems > shown)
        fprintf(out, _("    ... and %zu more (see the report)\n"), problems - shown);

    for (size_t i = 0; i < r->nwarnings; i++)
        fprintf(out, _("  warning: %s\n"), r->warnings[i]);
    if (r->has_error)
        fprintf(out, _("  stopped: %s\n"), lk_error_format(&r->error, buf, sizeof(buf)));
}

/* ---------------------------------------------------------------------------------------------
 * Progress
 * ------------------------------------------------------------------------------------------- */

struct lk_progress {
    FILE *out;              /* NULL: drawing is off, every call returns at once */
    bool color;
    unsigned long total, done, failed;
    double started_ms, drawn_ms;
};

#define PROGRESS_BAR 24
#define PROGRESS_INTERVAL_MS 100.0

lk_progress *lk_progress_new_stream(unsigned long total, FILE *out, bool force, bool color)
{
    lk_progress *p = xcalloc(1, sizeof(*p));
    p->out = force || (out && isatty(fileno(out)) == 1) ? out : NULL;
    p->color = color;
    p->total = total;
    p->started_ms = lk_monotonic_ms();
    p->drawn_ms = -1e9;
    return p;
}

lk_progress *lk_progress_new(unsigned long total, bool quiet)
{
    if (quiet)
        return lk_progress_new_stream(total, NULL, false, false);
    return lk_progress_new_stream(total, stderr, false, lk_report_use_color(stderr));
}

static void progress_draw(lk_progress *p)
{
    unsigned long done = p->done > p->total ? p->total : p->done;
    unsigned filled = p->total ? (unsigned)((double)done / (double)p->total * PROGRESS_BAR)
                               : PROGRESS_BAR;
    char bar[PROGRESS_BAR + 1];
    for (unsigned i = 0; i < PROGRESS_BAR; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[PROGRESS_BAR] = '\0';
    double elapsed = (lk_monotonic_ms() - p->started_ms) / 1000.0;
    fprintf(p->out, "\r[%s] %lu/%lu", bar, p->done, p->total);
    if (p->failed)
        fprintf(p->out, _(", %s%lu failed%s"), p->color ? "\033[31m" : "", p->failed,
                p->color ? "\033[0m" : "");
    if (done > 0 && done < p->total && elapsed > 1.0) {
        double left = elapsed / (double)done * (double)(p->total - done);
        fprintf(p->out, _(", about %.0fs left"), left);
    }
    fputs("\033[K", p->out);
    fflush(p->out);
}

void lk_progress_update(lk_progress *p, unsigned long done, unsigned long failed)
{
    if (!p || !p->out)
        return;
    p->done = done;
    p->failed = failed;
    double now = lk_monotonic_ms();
    if (now - p->drawn_ms < PROGRESS_INTERVAL_MS && done < p->total)
        return;
    p->drawn_ms = now;
    progress_draw(p);
}

void lk_progress_finish(lk_progress *p)
{
    if (!p || !p->out)
        return;
    progress_draw(p);
    fputc('\n', p->out);
    fflush(p->out);
    p->out = NULL;
}

void lk_progress_free(lk_progress *p)
{
    free(p);
}
