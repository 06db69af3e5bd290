/*
 * suggest.c: the order of the mapping assistant's offline work on one export: header and title
 * rows, what each column is, totals rows, the number convention, and the list of value columns
 * (wide), codes (long) or template columns whose components are to be found.
 */
#include "mapping/suggest_int.h"

#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static lk_value_format column_format(const lk_col_stats *st)
{
    if (st->durations && st->durations * 2 >= st->nonempty)
        return LK_FORMAT_DURATION;
    if (st->percents && st->percents * 2 >= st->nonempty)
        return LK_FORMAT_PERCENT;
    return LK_FORMAT_NUMBER;
}

static bool negative(const lk_sample_row *r, size_t col)
{
    char buf[64];
    lk_cell_kind k = lk_row_kind(r, col);
    return (k == LK_KIND_WHOLE || k == LK_KIND_NUMBER || k == LK_KIND_DURATION ||
            k == LK_KIND_PERCENT) && *lk_cell_trim(r->cells[col].text, buf, sizeof buf) == '-';
}

static lk_comp_guess *add_comp(lk_suggestion *g, const char *text, size_t col)
{
    g->comps = xrealloc(g->comps, (g->ncomps + 1) * sizeof(lk_comp_guess));
    lk_comp_guess *cg = &g->comps[g->ncomps++];
    memset(cg, 0, sizeof *cg);
    cg->text = xstrdup(text);
    cg->col = col;
    cg->divide_by = 1;
    cg->also_col = -1;
    return cg;
}

static void list_components(lk_suggestion *g)
{
    const lk_sample *s = g->sample;
    if (g->layout == LK_LAYOUT_LONG) {
        size_t code = g->col_role[LK_ROLE_LONG_CODE], value = g->col_role[LK_ROLE_LONG_VALUE];
        lk_value_format fmt = column_format(&g->cols[value].st);
        g->long_numeric_codes = true;
        for (size_t i = 0; i < s->nrows; i++) {
            if (g->row_use[i] != LK_ROW_DATA)
                continue;
            char buf[256];
            const char *t = lk_cell_trim(lk_sample_text(&s->rows[i], code), buf, sizeof buf);
            if (!*t)
                continue;
            size_t k = 0;
            while (k < g->ncomps && strcasecmp(g->comps[k].text, t))
                k++;
            if (k == g->ncomps && g->ncomps == LK_MAX_CODES) {
                lk_suggestion_add_open(g, "codes");
                continue;
            }
            if (k == g->ncomps) {
                add_comp(g, t, code)->format = fmt;
                if (lk_row_kind(&s->rows[i], code) != LK_KIND_WHOLE)
                    g->long_numeric_codes = false;
            }
            g->comps[k].values++;
            g->comps[k].negatives += negative(&s->rows[i], value);
        }
        return;
    }
    for (size_t c = 0; c < g->ncols; c++) {
        if (g->cols[c].role != LK_ROLE_COMPONENT)
            continue;
        char letter[8];
        const char *h = g->cols[c].header;
        lk_comp_guess *cg = add_comp(g, *h ? h : lk_column_letter(c, letter), c);
        cg->values = g->cols[c].st.nonempty;
        for (size_t i = 0; i < s->nrows; i++)
            if (g->row_use[i] == LK_ROW_DATA)
                cg->negatives += negative(&s->rows[i], c);
        cg->format = column_format(&g->cols[c].st);
        if (!cg->values && g->layout == LK_LAYOUT_COMPONENT_ROW) {
            /* an empty template column is not worth a question */
            g->ncomps--;
            free(cg->text);
        }
    }
}

lk_suggestion *lk_suggest_shape(const lk_sample *s, const lk_synonyms *syn,
                                const lk_learned *learned)
{
    lk_suggestion *g = xcalloc(1, sizeof *g);
    g->sample = s;
    g->row_use = xcalloc(s->nrows + 1, 1);
    for (size_t r = 0; r < LK_ROLE_COUNT; r++)
        g->col_role[r] = LK_NO_COLUMN;
    lk_detect_header(g);
    for (size_t i = 0; g->header_index != (size_t)-1 && i <= g->header_index; i++)
        g->row_use[i] = LK_ROW_HEAD;
    for (size_t i = 0; i < s->nrows; i++)
        if (s->rows[i].ncells > g->ncols)
            g->ncols = s->rows[i].ncells;
    g->cols = xcalloc(g->ncols + 1, sizeof(lk_col_guess));
    for (size_t c = 0; c < g->ncols; c++) {
        g->cols[c].col = c;
        g->cols[c].header = xstrdup(g->header_index != (size_t)-1
                                        ? lk_sample_text(&s->rows[g->header_index], c) : "");
    }
    lk_suggest_roles(g, syn, learned);
    lk_detect_totals(g, syn);
    for (size_t c = 0; c < g->ncols; c++)
        lk_column_stats(g, c, &g->cols[c].st);
    lk_detect_number_style(g);
    list_components(g);
    if (s->nother_sheets)
        lk_suggestion_add_open(g, "sheets");
    if (!g->header_row)
        lk_suggestion_add_open(g, "header");
    return g;
}

void lk_suggestion_add_open(lk_suggestion *g, const char *text)
{
    for (size_t i = 0; i < g->nopen; i++)
        if (!strcmp(g->open[i], text))
            return;
    g->open = xrealloc(g->open, (g->nopen + 1) * sizeof(char *));
    g->open[g->nopen++] = xstrdup(text);
}

bool lk_suggest_is_data_row(const lk_suggestion *g, size_t i)
{
    return i < g->sample->nrows && g->row_use[i] == LK_ROW_DATA;
}

long *lk_suggest_column_numbers(const lk_suggestion *g, size_t col, size_t *n)
{
    const lk_sample *s = g->sample;
    long *out = xcalloc(s->nrows + 1, sizeof(long));
    *n = 0;
    for (size_t i = 0; i < s->nrows; i++) {
        if (g->row_use[i] != LK_ROW_DATA || lk_row_kind(&s->rows[i], col) != LK_KIND_WHOLE)
            continue;
        long v = strtol(s->rows[i].cells[col].text, NULL, 10);
        size_t k = 0;
        while (k < *n && out[k] != v)
            k++;
        if (k == *n)
            out[(*n)++] = v;
    }
    return out;
}

char **lk_suggest_column_texts(const lk_suggestion *g, size_t col, size_t max, size_t *n)
{
    const lk_sample *s = g->sample;
    char **out = xcalloc(max + 1, sizeof(char *));
    *n = 0;
    for (size_t i = 0; i < s->nrows && *n < max; i++) {
        char buf[256];
        if (g->row_use[i] != LK_ROW_DATA)
            continue;
        const char *t = lk_cell_trim(lk_sample_text(&s->rows[i], col), buf, sizeof buf);
        size_t k = 0;
        while (*t && k < *n && strcmp(out[k], t))
            k++;
        if (*t && k == *n)
            out[(*n)++] = xstrdup(t);
    }
    return out;
}

void lk_suggestion_free(lk_suggestion *g)
{
    if (!g)
        return;
    for (size_t c = 0; c < g->ncols; c++)
        free(g->cols[c].header);
    free(g->cols);
    for (size_t i = 0; i < g->ncomps; i++)
        free(g->comps[i].text);
    free(g->comps);
    for (size_t i = 0; i < g->nopen; i++)
        free(g->open[i]);
    free(g->open);
    free(g->skips);
    free(g->row_use);
    free(g->employer);
    free(g);
}
