/*
 * suggest_columns.c: what each column of an export is, from its header (the synonym list's role
 * words, what the bureau's mappings named before) and its values (whole numbers, dates, periods,
 * texts): the employee number, the employment (payrollId), names (not read), a date or period
 * column, cost centre and cost unit, the employer, a long file's code and value columns, numbers
 * that are no payroll data, and the value columns left for the components.
 */
#include "mapping/suggest_int.h"

#include "common/i18n.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- statistics */

static int cmp_strp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void lk_column_stats(const lk_suggestion *g, size_t col, lk_col_stats *st)
{
    const lk_sample *s = g->sample;
    const char **texts = xcalloc(s->nrows + 1, sizeof(char *));
    size_t nt = 0;
    memset(st, 0, sizeof *st);
    for (size_t i = 0; i < s->nrows; i++) {
        if (g->row_use[i] != LK_ROW_DATA)
            continue;
        const lk_sample_row *r = &s->rows[i];
        lk_cell_kind k = lk_row_kind(r, col);
        if (k == LK_KIND_EMPTY)
            continue;
        st->nonempty++;
        texts[nt++] = r->cells[col].text;
        switch (k) {
        case LK_KIND_WHOLE: {
            long v = strtol(r->cells[col].text, NULL, 10);
            if (!st->whole || v < st->min_whole)
                st->min_whole = v;
            if (!st->whole || v > st->max_whole)
                st->max_whole = v;
            st->whole++;
            st->numeric++;
            break;
        }
        case LK_KIND_NUMBER: st->numeric++; break;
        case LK_KIND_DATE: st->dates++; break;
        case LK_KIND_PERIOD: st->periods++; break;
        case LK_KIND_DURATION: st->durations++; st->numeric++; break;
        case LK_KIND_PERCENT: st->percents++; st->numeric++; break;
        default: st->texts++; break;
        }
    }
    qsort(texts, nt, sizeof(char *), cmp_strp);
    for (size_t i = 0; i < nt; i++)
        st->distinct += i == 0 || strcmp(texts[i], texts[i - 1]);
    free(texts);
}

/* ---------------------------------------------------------------- roles */

static void set_role(lk_col_guess *c, lk_col_role role, int confidence, const char *reason)
{
    c->role = role;
    c->confidence = confidence;
    snprintf(c->reason, sizeof c->reason, "%s", reason);
}

/* Most of the values (90%) are of the kind counted. */
static bool mostly(size_t n, const lk_col_stats *st)
{
    return st->nonempty && n * 10 >= st->nonempty * 9;
}

/* The role the header names (synonym list or a mapping of the bureau), with its source. */
static lk_col_role header_role(const char *norm, const lk_synonyms *syn, const lk_learned *l,
                               const char **from)
{
    *from = NULL;
    if (!*norm)
        return LK_ROLE_UNKNOWN;
    for (size_t i = 0; l && i < l->n; i++) {
        if (l->items[i].role && !strcmp(l->items[i].norm, norm)) {
            *from = l->items[i].from;
            return (lk_col_role)l->items[i].role;
        }
    }
    for (int r = 1; r < LK_ROLE_COUNT; r++)
        if (syn->roles[r] && lk_norm_in(syn->roles[r], norm))
            return (lk_col_role)r;
    return LK_ROLE_UNKNOWN;
}

/* Do the values fit the role the header names? */
static bool values_fit(lk_col_role r, const lk_col_stats *st)
{
    switch (r) {
    case LK_ROLE_EMPLOYEE_NUMBER:
    case LK_ROLE_EMPLOYER:
        return mostly(st->whole, st) && st->min_whole >= 1;
    case LK_ROLE_PAYROLL_ID:
    case LK_ROLE_INCOME_RELATIONSHIP:
        return mostly(st->whole, st) && st->min_whole >= 1 && st->max_whole <= 999;
    case LK_ROLE_DATE:
        return mostly(st->dates, st);
    case LK_ROLE_PERIOD:
        return mostly(st->periods, st);
    case LK_ROLE_LONG_VALUE:
        return mostly(st->numeric, st);
    case LK_ROLE_LONG_CODE:
        return st->nonempty > 0 && st->dates == 0;
    default:
        return true;
    }
}

static void role_by_header(lk_col_guess *c, const lk_synonyms *syn, const lk_learned *l)
{
    char norm[256], why[240];
    const char *from;
    lk_norm_name(c->header, norm, sizeof norm);
    lk_col_role r = header_role(norm, syn, l, &from);
    if (from)
        snprintf(why, sizeof why, "learned:%s", from);
    else
        snprintf(why, sizeof why, "header");
    if (r == LK_ROLE_NAME) {
        set_role(c, LK_ROLE_NAME, 95, why);
    } else if (r != LK_ROLE_UNKNOWN && values_fit(r, &c->st)) {
        set_role(c, r, 95, why);
    } else if (r != LK_ROLE_UNKNOWN && r != LK_ROLE_LONG_CODE &&
               c->st.texts * 10 >= c->st.nonempty * 9 && c->st.nonempty) {
        /* "Medewerker" over names: the names of the employees, not their numbers */
        set_role(c, LK_ROLE_NAME, 92, "values-text");
    } else if (r != LK_ROLE_UNKNOWN && r != LK_ROLE_LONG_CODE) {
        /* the header says one thing, the values another: a person decides */
        set_role(c, r, 50, "header-values");
    } else if (*norm && lk_norm_in(syn->never, norm)) {
        set_role(c, LK_ROLE_SKIP, 95, "never");
    } else if (r == LK_ROLE_LONG_CODE) {
        set_role(c, r, 80, why);
    }
}

static void role_by_values(lk_col_guess *c)
{
    const lk_col_stats *st = &c->st;
    if (c->role != LK_ROLE_UNKNOWN)
        return;
    if (!st->nonempty && !*c->header)
        set_role(c, LK_ROLE_SKIP, 99, "empty");
    else if (!st->nonempty)
        /* empty this month; its header may still name a component that has values next month */
        set_role(c, LK_ROLE_COMPONENT, 0, "values-numbers");
    else if (mostly(st->dates, st))
        set_role(c, LK_ROLE_DATE, 92, "values-dates");
    else if (mostly(st->periods, st))
        set_role(c, LK_ROLE_PERIOD, 92, "values-periods");
    else if (st->texts * 2 > st->nonempty)
        set_role(c, LK_ROLE_NAME, 92, "values-text");
    else
        set_role(c, LK_ROLE_COMPONENT, 0, "values-numbers");
}

/* A second column for a role that has one column: a person says which. */
static void single_roles(lk_suggestion *g)
{
    for (size_t r = 0; r < LK_ROLE_COUNT; r++)
        g->col_role[r] = LK_NO_COLUMN;
    for (size_t c = 0; c < g->ncols; c++) {
        lk_col_role r = g->cols[c].role;
        if (r == LK_ROLE_NAME || r == LK_ROLE_SKIP || r == LK_ROLE_COMPONENT ||
            r == LK_ROLE_UNKNOWN)
            continue;
        if (g->col_role[r] == LK_NO_COLUMN) {
            g->col_role[r] = c;
        } else {
            lk_col_guess *first = &g->cols[g->col_role[r]];
            if (g->cols[c].confidence > first->confidence) {
                g->col_role[r] = c;
                set_role(first, LK_ROLE_SKIP, 60, "second");
            } else {
                set_role(&g->cols[c], LK_ROLE_SKIP, 60, "second");
            }
        }
    }
}

/* No header named the employee number: the first column of whole numbers that could be one. */
static void employee_by_values(lk_suggestion *g)
{
    if (g->col_role[LK_ROLE_EMPLOYEE_NUMBER] != LK_NO_COLUMN)
        return;
    for (size_t c = 0; c < g->ncols; c++) {
        lk_col_guess *col = &g->cols[c];
        if (col->role != LK_ROLE_COMPONENT || !mostly(col->st.whole, &col->st) ||
            col->st.min_whole < 1 || col->st.distinct * 2 < col->st.nonempty / 2 + 1)
            continue;
        set_role(col, LK_ROLE_EMPLOYEE_NUMBER, 70, "values-whole");
        g->col_role[LK_ROLE_EMPLOYEE_NUMBER] = c;
        return;
    }
}

/* Long layout: a code column and one value column. */
static void long_layout(lk_suggestion *g, const lk_synonyms *syn)
{
    size_t code = g->col_role[LK_ROLE_LONG_CODE], value = g->col_role[LK_ROLE_LONG_VALUE];
    if (g->layout == LK_LAYOUT_COMPONENT_ROW)
        return;
    if (code == LK_NO_COLUMN) {
        /* by values: a text column whose few distinct values are payroll names */
        for (size_t c = 0; c < g->ncols && code == LK_NO_COLUMN; c++) {
            lk_col_guess *col = &g->cols[c];
            if (col->role != LK_ROLE_NAME || col->confidence >= 95 || !col->st.nonempty ||
                col->st.distinct * 3 > col->st.nonempty)
                continue;
            size_t known = 0, seen = 0;
            for (size_t i = 0; i < g->sample->nrows && seen < 200; i++) {
                char norm[256];
                if (g->row_use[i] != LK_ROW_DATA)
                    continue;
                seen++;
                lk_norm_name(lk_sample_text(&g->sample->rows[i], c), norm, sizeof norm);
                known += lk_synonym_group(syn, norm) >= 0;
            }
            if (seen && known * 2 >= seen) {
                set_role(col, LK_ROLE_LONG_CODE, 90, "values-codes");
                code = c;
            }
        }
    }
    if (code == LK_NO_COLUMN)
        return;
    if (value == LK_NO_COLUMN) {
        size_t candidates = 0, last = LK_NO_COLUMN;
        for (size_t c = 0; c < g->ncols; c++)
            if (g->cols[c].role == LK_ROLE_COMPONENT) {
                candidates++;
                last = c;
            }
        if (candidates != 1) {
            /* a code column and no single value column: not long after all */
            if (g->cols[code].confidence < 95)
                set_role(&g->cols[code], LK_ROLE_NAME, 60, "code-no-value");
            g->col_role[LK_ROLE_LONG_CODE] = LK_NO_COLUMN;
            return;
        }
        set_role(&g->cols[last], LK_ROLE_LONG_VALUE, 92, "only-numbers");
        value = last;
    }
    g->cols[code].role = LK_ROLE_LONG_CODE;
    if (g->cols[code].confidence < LK_SURE)
        g->cols[code].confidence = LK_SURE;
    g->col_role[LK_ROLE_LONG_CODE] = code;
    g->col_role[LK_ROLE_LONG_VALUE] = value;
    g->layout = LK_LAYOUT_LONG;
}

void lk_suggest_roles(lk_suggestion *g, const lk_synonyms *syn, const lk_learned *learned)
{
    size_t end = g->layout == LK_LAYOUT_COMPONENT_ROW ? g->first_value_col : g->ncols;
    for (size_t c = 0; c < g->ncols; c++) {
        lk_col_guess *col = &g->cols[c];
        lk_column_stats(g, c, &col->st);
        if (c >= end) {
            set_role(col, LK_ROLE_COMPONENT, 99, "template");
            continue;
        }
        role_by_header(col, syn, learned);
        role_by_values(col);
    }
    single_roles(g);
    employee_by_values(g);
    long_layout(g, syn);
    if (g->col_role[LK_ROLE_EMPLOYEE_NUMBER] == LK_NO_COLUMN)
        lk_suggestion_add_open(g, "employee");
}
