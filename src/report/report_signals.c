/*
 * report_signals.c: a run's signals (report_signals.h) -> the terminal section, the JSON list
 * and the detail lines of the CSV and XLSX reports, each in the words of the chosen language
 * where a person reads them and in stable keys where a machine does.
 */
#include "report/report_signals.h"

#include "common/i18n.h"
#include "common/localefmt.h"
#include "common/util.h"
#include "report/report_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- the model */

lk_report_signals *lk_report_signals_new(void)
{
    return xcalloc(1, sizeof(lk_report_signals));
}

void lk_report_signals_free(lk_report_signals *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        lk_report_signal *g = &s->items[i];
        free(g->employee_name);
        free(g->employment_id);
        free(g->period);
        free(g->component_name);
        for (size_t j = 0; j < g->nref; j++)
            free(g->ref_periods[j]);
        free(g->ref_periods);
        free(g->ref_values);
        free(g->repeat_period);
    }
    free(s->items);
    free(s);
}

lk_report_signal *lk_report_signals_add(lk_report_signals *s, lk_signal_kind kind)
{
    lk_grow(&s->items, sizeof *s->items, s->n + 1, &s->alloc);
    lk_report_signal *g = &s->items[s->n++];
    memset(g, 0, sizeof *g);
    g->kind = kind;
    return g;
}

size_t lk_report_signals_blocking(const lk_report_signals *s, strbuf *names)
{
    size_t total = 0, per[LK_SIGNAL_KIND_COUNT] = { 0 };
    for (size_t i = 0; s && i < s->n; i++)
        if (s->items[i].blocking && !s->items[i].accepted) {
            per[s->items[i].kind]++;
            total++;
        }
    for (int k = 0; names && k < LK_SIGNAL_KIND_COUNT; k++)
        if (per[k])
            strbuf_addf(names, "%s%s (%zu)", names->len ? ", " : "",
                        lk_signal_kind_name((lk_signal_kind)k), per[k]);
    return total;
}

void lk_report_signals_accept(lk_report_signals *s, const bool *accept, const char *as_given)
{
    if (!s)
        return;
    snprintf(s->accepted_kinds, sizeof s->accepted_kinds, "%s", as_given ? as_given : "");
    for (size_t i = 0; i < s->n; i++)
        if (accept[s->items[i].kind])
            s->items[i].accepted = true;
}

/* ---------------------------------------------------------------- words */

static const char *kind_label(lk_signal_kind k)
{
    switch (k) {
    case LK_SIGNAL_REPEAT: return _("repeat of an earlier period");
    case LK_SIGNAL_OUTLIER: return _("outlier");
    case LK_SIGNAL_OVER_CONTRACT: return _("above the contract");
    case LK_SIGNAL_NEW_COMPONENT: return _("new component");
    default: return "?";
    }
}

static void add_decimal(strbuf *sb, lk_decimal v)
{
    char buf[64];
    strbuf_addstr(sb, lk_fmt_decimal(v, 0, buf));
}

static void add_double(strbuf *sb, double d, int places)
{
    char buf[64];
    strbuf_addstr(sb, lk_fmt_double(d, places, buf));
}

void lk_report_signal_what(strbuf *sb, const lk_report_signal *g)
{
    switch (g->kind) {
    case LK_SIGNAL_REPEAT:
        strbuf_addf(sb, ngettext("the file repeats %s: %ld of %ld employment has exactly its values",
                                 "the file repeats %s: %ld of %ld employments have exactly its values",
                                 (unsigned long)g->repeat_of),
                    g->repeat_period ? g->repeat_period : "?", g->repeat_matching, g->repeat_of);
        break;
    case LK_SIGNAL_OUTLIER: {
        double v = lk_decimal_to_double(g->value), m = lk_decimal_to_double(g->median);
        if (m > 0 && v >= m) {
            strbuf_addstr(sb, _("far above its median "));
        } else {
            strbuf_addstr(sb, _("far below its median "));
        }
        add_decimal(sb, g->median);
        if (m > 0 && v > 0) {
            strbuf_addstr(sb, " (");
            if (v >= m) {
                add_double(sb, v / m, 1);
                strbuf_addstr(sb, "x)");
            } else {
                strbuf_addstr(sb, "1/");
                add_double(sb, m / v, 1);
                strbuf_addch(sb, ')');
            }
        }
        if (g->decimal_slip)
            strbuf_addf(sb, g->slip_exact ? _("; exactly %dx an earlier value: a likely decimal slip")
                                          : _("; about %dx: a likely decimal slip"),
                        g->decimal_slip);
        break;
    }
    case LK_SIGNAL_OVER_CONTRACT:
        strbuf_addstr(sb, _("more hours than the contract allows in the period: at most "));
        add_decimal(sb, g->allowed);
        break;
    case LK_SIGNAL_NEW_COMPONENT:
        strbuf_addstr(sb, _("a component this employment did not have in its earlier periods"));
        break;
    default:
        break;
    }
}

void lk_report_signal_reference(strbuf *sb, const lk_report_signal *g)
{
    switch (g->kind) {
    case LK_SIGNAL_OVER_CONTRACT:
        strbuf_addstr(sb, _("contract "));
        add_double(sb, g->hours_per_week, 2);
        strbuf_addstr(sb, _(" hours a week x "));
        add_double(sb, g->weeks, 2);
        strbuf_addstr(sb, _(" weeks + "));
        add_double(sb, g->margin * 100.0, 0);
        strbuf_addstr(sb, _(" percent margin = "));
        add_decimal(sb, g->allowed);
        break;
    case LK_SIGNAL_REPEAT:
        strbuf_addf(sb, _("compared with the periods before %s"), g->period ? g->period : "?");
        break;
    default:
        if (!g->nref) {
            strbuf_addstr(sb, _("no earlier values"));
            break;
        }
        strbuf_addf(sb, ngettext("%zu earlier period: ", "%zu earlier periods: ", g->nref), g->nref);
        for (size_t i = 0; i < g->nref; i++) {
            if (i)
                strbuf_addstr(sb, g->kind == LK_SIGNAL_NEW_COMPONENT ? ", " : "; ");
            if (g->kind == LK_SIGNAL_NEW_COMPONENT) {
                strbuf_addstr(sb, g->ref_periods[i]);
                continue;
            }
            add_decimal(sb, g->ref_values[i]);
        }
        if (g->kind == LK_SIGNAL_OUTLIER) {
            strbuf_addf(sb, " (%s ", g->ref_periods[0]);
            strbuf_addstr(sb, _("to"));
            strbuf_addf(sb, " %s)", g->ref_periods[g->nref - 1]);
        }
        break;
    }
}

/* ---------------------------------------------------------------- terminal */

void lk_report_print_signals(const lk_report *r, FILE *out)
{
    const lk_report_signals *s = r->signals;
    strbuf sb = STRBUF_INIT;
    if (!s || !s->n)
        return;
    size_t blocking = lk_report_signals_blocking(s, NULL);
    fprintf(out, _("  Signals (%zu; %zu stopping apply until a person accepts them with "
                   "--accept-signals):\n"),
            s->n, blocking);
    for (size_t i = 0; i < s->n; i++) {
        const lk_report_signal *g = &s->items[i];
        char num[64];
        strbuf_reset(&sb);
        strbuf_addf(&sb, "    %s%s", kind_label(g->kind),
                    g->accepted ? _(" (accepted)") : g->blocking ? _(" (stops apply)") : "");
        if (g->employee_number) {
            strbuf_addf(&sb, "  %ld", g->employee_number);
            if (g->employee_name)
                strbuf_addf(&sb, " %s", g->employee_name);
            if (g->payroll_id > 1)
                strbuf_addf(&sb, " [%ld]", g->payroll_id);
        }
        if (g->period)
            strbuf_addf(&sb, "  %s", g->period);
        if (g->component)
            strbuf_addf(&sb, "  %ld %s", g->component, g->component_name ? g->component_name : "");
        if (g->has_value)
            strbuf_addf(&sb, "  %s", lk_fmt_decimal(g->value, 0, num));
        fprintf(out, "%s\n      ", sb.buf);
        strbuf_reset(&sb);
        lk_report_signal_what(&sb, g);
        strbuf_addstr(&sb, "; ");
        lk_report_signal_reference(&sb, g);
        fprintf(out, "%s\n", sb.buf);
    }
    strbuf_free(&sb);
}

/* ---------------------------------------------------------------- JSON */

static cJSON *decimal_json(lk_decimal v)
{
    char buf[64];
    return cJSON_CreateRaw(lk_decimal_format(v, buf));
}

static cJSON *reference_json(const lk_report_signal *g)
{
    cJSON *o = cJSON_CreateObject();
    switch (g->kind) {
    case LK_SIGNAL_REPEAT:
        cJSON_AddStringToObject(o, "period", g->repeat_period ? g->repeat_period : "");
        cJSON_AddNumberToObject(o, "matchingEmployments", (double)g->repeat_matching);
        cJSON_AddNumberToObject(o, "employments", (double)g->repeat_of);
        break;
    case LK_SIGNAL_OVER_CONTRACT:
        cJSON_AddNumberToObject(o, "hoursPerWeek", g->hours_per_week);
        cJSON_AddNumberToObject(o, "weeks", round(g->weeks * 100.0) / 100.0);
        cJSON_AddNumberToObject(o, "margin", g->margin);
        cJSON_AddItemToObject(o, "allowed", decimal_json(g->allowed));
        break;
    default: {
        cJSON *periods = cJSON_AddArrayToObject(o, "periods");
        cJSON *values = g->kind == LK_SIGNAL_OUTLIER ? cJSON_AddArrayToObject(o, "values") : NULL;
        for (size_t i = 0; i < g->nref; i++) {
            cJSON_AddItemToArray(periods, cJSON_CreateString(g->ref_periods[i]));
            if (values)
                cJSON_AddItemToArray(values, decimal_json(g->ref_values[i]));
        }
        if (g->kind == LK_SIGNAL_OUTLIER) {
            cJSON_AddItemToObject(o, "median", g->has_median ? decimal_json(g->median) : cJSON_CreateNull());
            cJSON_AddItemToObject(o, "decimalSlip", g->decimal_slip ? cJSON_CreateNumber(g->decimal_slip)
                                                                     : cJSON_CreateNull());
            cJSON_AddBoolToObject(o, "exact", g->slip_exact);
        }
        break;
    }
    }
    return o;
}

cJSON *lk_report_signals_json(const lk_report *r)
{
    cJSON *list = cJSON_CreateArray();
    const lk_report_signals *s = r->signals;
    for (size_t i = 0; s && i < s->n; i++) {
        const lk_report_signal *g = &s->items[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "kind", lk_signal_kind_name(g->kind));
        cJSON_AddBoolToObject(o, "blocking", g->blocking);
        cJSON_AddBoolToObject(o, "accepted", g->accepted);
        cJSON_AddItemToObject(o, "employeeNumber", g->employee_number
                                                       ? cJSON_CreateNumber((double)g->employee_number)
                                                       : cJSON_CreateNull());
        cJSON_AddItemToObject(o, "employeeName", g->employee_name ? cJSON_CreateString(g->employee_name)
                                                                  : cJSON_CreateNull());
        cJSON_AddItemToObject(o, "employmentId", g->employment_id ? cJSON_CreateString(g->employment_id)
                                                                  : cJSON_CreateNull());
        cJSON_AddItemToObject(o, "payrollId", g->payroll_id ? cJSON_CreateNumber((double)g->payroll_id)
                                                            : cJSON_CreateNull());
        cJSON_AddItemToObject(o, "period", g->period ? cJSON_CreateString(g->period) : cJSON_CreateNull());
        cJSON_AddItemToObject(o, "component", g->component ? cJSON_CreateNumber((double)g->component)
                                                           : cJSON_CreateNull());
        cJSON_AddItemToObject(o, "componentName", g->component_name
                                                      ? cJSON_CreateString(g->component_name)
                                                      : cJSON_CreateNull());
        cJSON_AddItemToObject(o, "value", g->has_value ? decimal_json(g->value) : cJSON_CreateNull());
        cJSON_AddItemToObject(o, "reference", reference_json(g));
        cJSON_AddItemToArray(list, o);
    }
    return list;
}

/* ---------------------------------------------------------------- detail lines */

static void cell_text(lk_report_cell *c, const char *s)
{
    c->kind = LK_RCELL_TEXT;
    strbuf_reset(&c->text);
    strbuf_addstr(&c->text, s);
}

int lk_report_each_signal_line(const lk_report *r,
                               int (*fn)(void *ctx, const struct lk_report_cell *cells,
                                         lk_outcome outcome),
                               void *ctx)
{
    const lk_report_signals *s = r->signals;
    lk_report_cell cells[LK_NCOLS];
    strbuf sb = STRBUF_INIT;
    int rc = 0;
    if (!s || !s->n)
        return 0;
    for (size_t i = 0; i < s->n && !rc; i++) {
        const lk_report_signal *g = &s->items[i];
        lk_report_line_init(cells);
        strbuf_reset(&sb);
        strbuf_addf(&sb, "%s: %s%s", _("signal"), kind_label(g->kind),
                    g->accepted ? _(" (accepted)") : g->blocking ? _(" (stops apply)") : "");
        cell_text(&cells[LK_COL_OUTCOME], sb.buf);
        if (g->employee_number) {
            cells[LK_COL_EMPLOYEE_NUMBER].kind = LK_RCELL_INT;
            cells[LK_COL_EMPLOYEE_NUMBER].number = g->employee_number;
        }
        if (g->employee_name)
            cell_text(&cells[LK_COL_EMPLOYEE_NAME], g->employee_name);
        if (g->employment_id)
            cell_text(&cells[LK_COL_EMPLOYMENT_ID], g->employment_id);
        if (g->payroll_id) {
            cells[LK_COL_PAYROLL_ID].kind = LK_RCELL_INT;
            cells[LK_COL_PAYROLL_ID].number = g->payroll_id;
        }
        if (g->period)
            cell_text(&cells[LK_COL_PERIOD], g->period);
        if (g->component) {
            cells[LK_COL_COMPONENT_KEY].kind = LK_RCELL_INT;
            cells[LK_COL_COMPONENT_KEY].number = g->component;
            if (g->component_name)
                cell_text(&cells[LK_COL_COMPONENT], g->component_name);
        }
        if (g->has_value) {
            cells[LK_COL_NEW_VALUE].kind = LK_RCELL_DECIMAL;
            cells[LK_COL_NEW_VALUE].value = g->value;
        }
        strbuf_reset(&sb);
        lk_report_signal_what(&sb, g);
        strbuf_addstr(&sb, "; ");
        lk_report_signal_reference(&sb, g);
        cell_text(&cells[LK_COL_MESSAGES], sb.buf);
        rc = fn(ctx, cells, g->blocking && !g->accepted ? LK_OUTCOME_NOT_SENT : LK_OUTCOME_SKIPPED);
        lk_report_line_free(cells);
    }
    strbuf_free(&sb);
    return rc;
}
