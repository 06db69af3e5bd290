/*
 * detect_shape.c: an export's shape from its rows: what each cell looks like, the header row
 * (and the title rows above it), Loket's own template (component numbers in a header row), the
 * totals and subtotal rows, the number convention (decimal comma or point, thousands grouping),
 * and whether the totals row adds up, so the mapping can check it (input.totalsRow).
 */
#include "mapping/suggest_int.h"

#include "common/util.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HEADER_SEARCH_ROWS 30

/* ---------------------------------------------------------------- cells */

static bool all_digits(const char *t)
{
    if (*t == '-' || *t == '+')
        t++;
    if (!*t)
        return false;
    for (; *t; t++)
        if (!isdigit((unsigned char)*t))
            return false;
    return true;
}

static bool is_duration(const char *t)
{
    if (*t == '-')
        t++;
    int digits = 0, colons = 0, after = 0;
    for (; *t; t++) {
        if (isdigit((unsigned char)*t)) {
            if (colons)
                after++;
            else
                digits++;
        } else if (*t == ':' && digits && (!colons || after == 2)) {
            colons++;
            after = 0;
        } else {
            return false;
        }
    }
    return digits && digits <= 4 && colons >= 1 && colons <= 2 && after == 2;
}

static bool is_numberish(const char *t)
{
    bool digit = false;
    for (; *t; t++) {
        if (isdigit((unsigned char)*t))
            digit = true;
        else if (!strchr("+-.,' ", *t))
            return false;
    }
    return digit;
}

lk_cell_kind lk_cell_kind_of(const lk_sample_cell *c)
{
    char buf[256];
    switch (c->type) {
    case LK_CELL_EMPTY:
        return LK_KIND_EMPTY;
    case LK_CELL_NUMBER: {
        double d = strtod(c->text, NULL);
        return d == floor(d) && fabs(d) < 1e12 ? LK_KIND_WHOLE : LK_KIND_NUMBER;
    }
    case LK_CELL_DATE:
        return strchr(c->text, '-') ? LK_KIND_DATE : LK_KIND_DURATION;
    case LK_CELL_BOOL:
    case LK_CELL_ERROR:
        return LK_KIND_TEXT;
    default:
        break;
    }
    const char *t = lk_cell_trim(c->text, buf, sizeof buf);
    if (!*t)
        return LK_KIND_EMPTY;
    lk_period_ref p;
    if (lk_parse_period(t, &p))
        return LK_KIND_PERIOD;
    if (all_digits(t))
        return LK_KIND_WHOLE;
    lk_cell cell = { .type = LK_CELL_STRING, .text = t, .len = strlen(t) };
    int y, m, d;
    char msg[200];
    if (strpbrk(t, "-/.") && lk_parse_date(&cell, &y, &m, &d, msg, sizeof msg) == LK_PARSE_OK)
        return LK_KIND_DATE;
    if (is_duration(t))
        return LK_KIND_DURATION;
    size_t len = strlen(t);
    if (len > 1 && t[len - 1] == '%') {
        buf[len - 1] = '\0';
        if (is_numberish(lk_cell_trim(buf, buf, sizeof buf)))
            return LK_KIND_PERCENT;
        return LK_KIND_TEXT;
    }
    return is_numberish(t) ? LK_KIND_NUMBER : LK_KIND_TEXT;
}

lk_cell_kind lk_row_kind(const lk_sample_row *r, size_t col)
{
    return col < r->ncells ? lk_cell_kind_of(&r->cells[col]) : LK_KIND_EMPTY;
}

/* ---------------------------------------------------------------- header */

static size_t count_kind(const lk_sample_row *r, lk_cell_kind k, size_t from)
{
    size_t n = 0;
    for (size_t c = from; c < r->ncells; c++)
        n += lk_row_kind(r, c) == k;
    return n;
}

static size_t nonempty(const lk_sample_row *r)
{
    return r->ncells - count_kind(r, LK_KIND_EMPTY, 0);
}

static bool holds_values(const lk_sample_row *r)
{
    for (size_t c = 0; c < r->ncells; c++) {
        lk_cell_kind k = lk_row_kind(r, c);
        if (k != LK_KIND_EMPTY && k != LK_KIND_TEXT)
            return true;
    }
    return false;
}

/* Loket's template: texts (Personeelsnummer, Naam...) then only component numbers. */
static bool template_row(const lk_sample_row *r, size_t *first_value)
{
    if (!r->ncells || lk_row_kind(r, 0) != LK_KIND_TEXT)
        return false;
    size_t last_text = 0, texts = 0, wholes = 0;
    for (size_t c = 0; c < r->ncells; c++) {
        lk_cell_kind k = lk_row_kind(r, c);
        if (k == LK_KIND_TEXT) {
            if (wholes)
                return false;
            last_text = c;
            texts++;
        } else if (k == LK_KIND_WHOLE) {
            long v = strtol(r->cells[c].text, NULL, 10);
            if (v < 1 || v > 99999)
                return false;
            wholes++;
        } else if (k != LK_KIND_EMPTY) {
            return false;
        }
    }
    *first_value = last_text + 1;
    return texts >= 2 && wholes >= 1;
}

void lk_detect_header(lk_suggestion *g)
{
    const lk_sample *s = g->sample;
    size_t n = s->nrows < HEADER_SEARCH_ROWS ? s->nrows : HEADER_SEARCH_ROWS, width = 0;
    g->header_index = (size_t)-1;
    for (size_t i = 0; i < s->nrows && i < 200; i++)
        if (nonempty(&s->rows[i]) > width)
            width = nonempty(&s->rows[i]);
    for (size_t i = 0; i + 1 < s->nrows && i < n; i++) {
        size_t first;
        /* and the row below starts with an employee number: not a title like
         * "Werkgever;...;Loonheffingennummer;40101" */
        if (!template_row(&s->rows[i], &first) || lk_row_kind(&s->rows[i + 1], 0) != LK_KIND_WHOLE)
            continue;
        g->layout = LK_LAYOUT_COMPONENT_ROW;
        g->header_index = i;
        g->header_row = g->component_row = s->rows[i].number;
        g->first_value_col = first;
        g->ntitle_rows = i;
        if (i > 0 && s->rows[i - 1].number + 1 == s->rows[i].number &&
            count_kind(&s->rows[i - 1], LK_KIND_TEXT, first) > 0)
            g->name_row = s->rows[i - 1].number;
        return;
    }
    for (size_t i = 0; i + 1 < s->nrows && i < n; i++) {
        const lk_sample_row *r = &s->rows[i];
        size_t texts = count_kind(r, LK_KIND_TEXT, 0), ne = nonempty(r);
        if (texts < 2 || texts * 10 < ne * 6 || ne * 2 < width)
            continue;
        /* the header is right above the values: a title of texts is followed by more texts */
        if (!holds_values(&s->rows[i + 1]))
            continue;
        g->header_index = i;
        g->header_row = r->number;
        g->ntitle_rows = i;
        return;
    }
    g->header_row = 0;
}

/* ---------------------------------------------------------------- totals rows */

/* The first word of a cell as written ("Totaal" of "Totaal november:"), if it starts a total. */
static bool totals_word(const char *text, const lk_synonyms *syn, char *word, size_t size)
{
    size_t n = 0;
    while (*text == ' ')
        text++;
    while (text[n] && (isalpha((unsigned char)text[n]) || (unsigned char)text[n] >= 0x80) &&
           n + 1 < size)
        n++;
    if (!n || n >= 40)
        return false;
    memcpy(word, text, n);
    word[n] = '\0';
    char norm[64];
    lk_norm_name(word, norm, sizeof norm);
    return lk_norm_in(syn->totals, norm);
}

void lk_detect_totals(lk_suggestion *g, const lk_synonyms *syn)
{
    const lk_sample *s = g->sample;
    size_t emp = g->col_role[LK_ROLE_EMPLOYEE_NUMBER];
    size_t start = g->header_index == (size_t)-1 ? 0 : g->header_index + 1;
    size_t last_emp = start;
    for (size_t i = start; i < s->nrows; i++)
        if (emp != LK_NO_COLUMN && lk_row_kind(&s->rows[i], emp) == LK_KIND_WHOLE)
            last_emp = i;
    /* rows after the last employee that start with a totals word: the last of them is the
     * grand total unless another says the same ("Subtotaal 40301" then "Totaal") */
    size_t ntail = 0, last_tail = (size_t)-1;
    char last_word[48] = "";
    bool repeated = false;
    for (size_t i = last_emp + 1; i < s->nrows; i++) {
        const lk_sample_row *r = &s->rows[i];
        for (size_t c = 0; c < r->ncells; c++) {
            char word[48];
            if (lk_row_kind(r, c) == LK_KIND_TEXT &&
                totals_word(r->cells[c].text, syn, word, sizeof word)) {
                repeated |= ntail && !strcasecmp(word, last_word);
                snprintf(last_word, sizeof last_word, "%s", word);
                last_tail = i;
                ntail++;
                break;
            }
        }
    }
    for (size_t i = last_emp + 1; i < last_tail && last_tail != (size_t)-1; i++) {
        const lk_sample_row *r = &s->rows[i];
        for (size_t c = 0; c < r->ncells; c++) {
            char word[48];
            if (lk_row_kind(r, c) == LK_KIND_TEXT &&
                totals_word(r->cells[c].text, syn, word, sizeof word) &&
                !strcasecmp(word, last_word))
                repeated = true;
        }
    }
    for (size_t i = start; i < s->nrows; i++) {
        const lk_sample_row *r = &s->rows[i];
        if (emp != LK_NO_COLUMN && lk_row_kind(r, emp) == LK_KIND_WHOLE)
            continue;
        for (size_t c = 0; c < r->ncells; c++) {
            char word[48];
            if (lk_row_kind(r, c) != LK_KIND_TEXT || !totals_word(r->cells[c].text, syn,
                                                                   word, sizeof word))
                continue;
            if (i == last_tail && !repeated) {
                g->has_totals = true;
                g->totals_col = c;
                g->totals_row = r->number;
                snprintf(g->totals_pattern, sizeof g->totals_pattern, "%s*", word);
                g->row_use[i] = LK_ROW_TOTALS;
                break;
            }
            g->row_use[i] = LK_ROW_SKIP;
            size_t k = 0;
            char pat[64];
            snprintf(pat, sizeof pat, "%s*", word);
            while (k < g->nskips && (g->skips[k].col != c || strcasecmp(g->skips[k].pattern,
                                                                         pat)))
                k++;
            if (k == g->nskips) {
                g->skips = xrealloc(g->skips, (g->nskips + 1) * sizeof(lk_skip_guess));
                memset(&g->skips[k], 0, sizeof g->skips[k]);
                g->skips[k].col = c;
                snprintf(g->skips[k].pattern, sizeof g->skips[k].pattern, "%s", pat);
                g->skips[k].first_row = r->number;
                g->nskips++;
            }
            g->skips[k].rows++;
            break;
        }
    }
}

/* ---------------------------------------------------------------- number style */

bool lk_suggest_value_column(const lk_suggestion *g, size_t col)
{
    if (col >= g->ncols)
        return false;
    lk_col_role r = g->cols[col].role;
    if (g->layout == LK_LAYOUT_COMPONENT_ROW)
        return col >= g->first_value_col && r != LK_ROLE_SKIP;
    return r == LK_ROLE_COMPONENT || r == LK_ROLE_LONG_VALUE;
}

/* 1.234,50 or 1,234.50 or 1 234,50: digits grouped by three ("1.234" alone says nothing). */
static bool grouped(const char *t)
{
    static const char digits[] = "0123456789";
    if (*t == '-' || *t == '+')
        t++;
    size_t n = strspn(t, digits);
    if (n < 1 || n > 3)
        return false;
    t += n;
    char sep = *t;
    if (!sep || !strchr(".,' ", sep))
        return false;
    int groups = 0;
    while (*t == sep) {
        t++;
        n = strspn(t, digits);
        if (n != 3)
            return false;
        t += n;
        groups++;
    }
    if (!*t)
        return groups >= 2;
    if (strchr(".,", *t)) {
        t++;
        n = strspn(t, digits);
        return n > 0 && !t[n];
    }
    return false;
}

void lk_detect_number_style(lk_suggestion *g)
{
    const lk_sample *s = g->sample;
    size_t comma = 0, point = 0, group = 0;
    for (size_t i = 0; i < s->nrows; i++) {
        if (g->row_use[i] != LK_ROW_DATA)
            continue;
        const lk_sample_row *r = &s->rows[i];
        for (size_t c = 0; c < r->ncells; c++) {
            lk_cell_kind k = lk_row_kind(r, c);
            if (r->cells[c].type != LK_CELL_STRING ||
                (k != LK_KIND_NUMBER && k != LK_KIND_PERCENT) || !lk_suggest_value_column(g, c))
                continue;
            char e = lk_number_evidence(r->cells[c].text);
            comma += e == ',';
            point += e == '.';
            group += grouped(r->cells[c].text);
        }
    }
    g->decimal = comma > point ? ',' : point > comma ? '.' : 0;
    g->thousands = group && g->decimal ? (g->decimal == ',' ? '.' : ',') : 0;
    if (comma && point)
        lk_suggestion_add_open(g, "decimal");
}

/* ---------------------------------------------------------------- the totals check */

void lk_check_totals(lk_suggestion *g)
{
    const lk_sample *s = g->sample;
    if (!g->has_totals)
        return;
    lk_number_style style = { g->decimal ? g->decimal : (s->delimiter == ';' ? ',' : '.'), 0 };
    style.thousands = style.decimal == ',' ? '.' : ',';
    size_t totals = 0;
    while (totals < s->nrows && g->row_use[totals] != LK_ROW_TOTALS)
        totals++;
    if (totals == s->nrows)
        return;
    g->totals_checked = true;
    for (size_t c = 0; c < g->ncols && g->totals_checked; c++) {
        if (!lk_suggest_value_column(g, c) || c == g->totals_col)
            continue;
        lk_value_format fmt = LK_FORMAT_NUMBER;
        for (size_t k = 0; k < g->ncomps; k++)
            if (g->layout == LK_LAYOUT_WIDE && g->comps[k].col == c)
                fmt = g->comps[k].format;
        lk_decimal sum = 0, want;
        char msg[256], a[32];
        const lk_sample_row *tr = &s->rows[totals];
        if (c >= tr->ncells)
            continue;
        lk_cell tc = { .type = tr->cells[c].type, .text = tr->cells[c].text,
                       .len = strlen(tr->cells[c].text),
                       .number = strtod(tr->cells[c].text, NULL) };
        lk_parse_result pr = lk_parse_value(&tc, fmt, &style, &want, msg, sizeof msg);
        if (pr == LK_PARSE_BLANK)
            continue;
        bool ok = pr == LK_PARSE_OK;
        for (size_t i = 0; ok && i < s->nrows; i++) {
            if (g->row_use[i] != LK_ROW_DATA || c >= s->rows[i].ncells)
                continue;
            lk_cell cell = { .type = s->rows[i].cells[c].type, .text = s->rows[i].cells[c].text,
                             .len = strlen(s->rows[i].cells[c].text),
                             .number = strtod(s->rows[i].cells[c].text, NULL) };
            lk_decimal v;
            lk_parse_result r = lk_parse_value(&cell, fmt, &style, &v, msg, sizeof msg);
            if (r == LK_PARSE_OK)
                ok = lk_decimal_add(sum, v, &sum);
            else if (r == LK_PARSE_BAD)
                ok = false;
        }
        if (!ok || sum != want) {
            g->totals_checked = false;
            g->totals_bad_col = c;
            snprintf(g->totals_said, sizeof g->totals_said, "%s", tr->cells[c].text);
            snprintf(g->totals_sum, sizeof g->totals_sum, "%s",
                     ok ? lk_decimal_format(sum, a) : "?");
        }
    }
}
