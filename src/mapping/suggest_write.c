/*
 * suggest_write.c: the assistant's decisions as a mapping file a person can read: keys always
 * in the order of docs/mappings.md, one component per line, each with a "$comment" saying why,
 * and a top-level "$comment" naming the columns that are not read.
 */
#include "mapping/suggest_int.h"

#include "common/strbuf.h"
#include "common/util.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void add_json_string(strbuf *sb, const char *s)
{
    cJSON *j = cJSON_CreateString(s ? s : "");
    char *t = cJSON_PrintUnformatted(j);
    strbuf_addstr(sb, t);
    free(t);
    cJSON_Delete(j);
}

/* A column by its header when the header names it alone, else by its letter. */
static void add_colref(strbuf *sb, const lk_suggestion *g, size_t col, bool object)
{
    const char *h = col < g->ncols ? g->cols[col].header : "";
    bool unique = *h != '\0';
    for (size_t c = 0; c < g->ncols && unique; c++)
        if (c != col && !strcasecmp(g->cols[c].header, h))
            unique = false;
    char letter[8];
    if (unique && !object) {
        add_json_string(sb, h);
    } else if (unique) {
        strbuf_addstr(sb, "\"column\": ");
        add_json_string(sb, h);
    } else {
        strbuf_addf(sb, "%s\"letter\": \"%s\"%s", object ? "" : "{ ",
                    lk_column_letter(col, letter), object ? "" : " }");
    }
}

static const char *format_word(lk_value_format f)
{
    return f == LK_FORMAT_DURATION ? "duration" : f == LK_FORMAT_PERCENT ? "percent" : "number";
}

static const char *why_text(const lk_comp_guess *cg, const lk_catalog *catalog, char *buf,
                            size_t size)
{
    const lk_candidate *c = NULL;
    for (size_t i = 0; i < cg->ncand; i++)
        if (cg->cand[i].key == cg->key)
            c = &cg->cand[i];
    const lk_catalog_item *it = lk_catalog_find(catalog, cg->key);
    const char *desc = it ? it->description : "";
    if (cg->answered || !c) {
        snprintf(buf, size, "chosen by a person");
        return buf;
    }
    switch (c->why) {
    case LK_WHY_NUMBER: snprintf(buf, size, "the component's number"); break;
    case LK_WHY_NUMBER_UNCHECKED:
        snprintf(buf, size, "a component number; plan checks the administration has it");
        break;
    case LK_WHY_LEARNED: snprintf(buf, size, "as in %s", c->from); break;
    case LK_WHY_NAME: snprintf(buf, size, "same name as \"%s\"", desc); break;
    case LK_WHY_SYNONYM: snprintf(buf, size, "synonym of \"%s\" (synonyms-nl.json)", desc); break;
    default: snprintf(buf, size, "looks like \"%s\"", desc); break;
    }
    size_t n = strlen(buf);
    snprintf(buf + n, size - n, ", %d%%%s", c->score, cg->divide_by == 60 ? "; minutes to hours" : "");
    return buf;
}

static void add_component(strbuf *sb, const lk_suggestion *g, const lk_comp_guess *cg,
                          const lk_catalog *catalog, bool first)
{
    char why[400];
    const lk_catalog_item *it = lk_catalog_find(catalog, cg->key);
    strbuf_addstr(sb, first ? "\n    { " : ",\n    { ");
    if (g->layout == LK_LAYOUT_WIDE) {
        add_colref(sb, g, cg->col, true);
        strbuf_addstr(sb, ", ");
    } else {
        strbuf_addstr(sb, "\"code\": ");
        add_json_string(sb, cg->text);
        strbuf_addstr(sb, ", ");
    }
    strbuf_addf(sb, "\"component\": %ld", cg->key);
    if (it) {
        strbuf_addstr(sb, ", \"name\": ");
        add_json_string(sb, it->description);
    }
    if (cg->format != LK_FORMAT_NUMBER && g->layout == LK_LAYOUT_WIDE)
        strbuf_addf(sb, ", \"format\": \"%s\"", format_word(cg->format));
    if (cg->divide_by > 1)
        strbuf_addf(sb, ", \"divideBy\": %d", cg->divide_by);
    if (cg->allow_negative)
        strbuf_addstr(sb, ", \"allowNegative\": true");
    strbuf_addstr(sb, ", \"$comment\": ");
    add_json_string(sb, why_text(cg, catalog, why, sizeof why));
    strbuf_addstr(sb, " }");
}

static void add_input(strbuf *sb, const lk_suggestion *g)
{
    const lk_sample *s = g->sample;
    strbuf_addstr(sb, "  \"input\": {\n");
    strbuf_addf(sb, "    \"type\": \"%s\"", s->type == LK_FILE_XLSX ? "xlsx" : "csv");
    if (s->type == LK_FILE_CSV) {
        if (s->delimiter == '\t')
            strbuf_addstr(sb, ",\n    \"delimiter\": \"tab\"");
        else
            strbuf_addf(sb, ",\n    \"delimiter\": \"%c\"", s->delimiter ? s->delimiter : ';');
        strbuf_addstr(sb, ",\n    \"encoding\": \"auto\"");
    }
    if (g->decimal)
        strbuf_addf(sb, ",\n    \"decimalSeparator\": \"%c\"", g->decimal);
    else
        strbuf_addstr(sb, ",\n    \"decimalSeparator\": \"auto\"");
    if (g->thousands)
        strbuf_addf(sb, ",\n    \"thousandsSeparator\": \"%c\"", g->thousands);
    if (g->layout != LK_LAYOUT_COMPONENT_ROW)
        strbuf_addf(sb, ",\n    \"headerRow\": %lu", g->header_row);
    if (s->sheet) {
        strbuf_addstr(sb, ",\n    \"sheet\": ");
        add_json_string(sb, s->sheet);
    }
    bool totals_skipped = g->has_totals && !g->totals_checked;
    if (g->nskips || totals_skipped) {
        strbuf_addstr(sb, ",\n    \"skipRows\": [");
        for (size_t i = 0; i < g->nskips; i++) {
            strbuf_addstr(sb, i ? ",\n      { " : "\n      { ");
            add_colref(sb, g, g->skips[i].col, true);
            strbuf_addstr(sb, ", \"matches\": ");
            add_json_string(sb, g->skips[i].pattern);
            strbuf_addstr(sb, ", \"reason\": \"subtotal row\" }");
        }
        if (totals_skipped) {
            strbuf_addstr(sb, g->nskips ? ",\n      { " : "\n      { ");
            add_colref(sb, g, g->totals_col, true);
            strbuf_addstr(sb, ", \"matches\": ");
            add_json_string(sb, g->totals_pattern);
            strbuf_addstr(sb, ", \"reason\": \"totals row (its values do not add up)\" }");
        }
        strbuf_addstr(sb, "\n    ]");
    }
    if (g->has_totals && g->totals_checked) {
        strbuf_addstr(sb, ",\n    \"totalsRow\": { ");
        add_colref(sb, g, g->totals_col, true);
        strbuf_addstr(sb, ", \"matches\": ");
        add_json_string(sb, g->totals_pattern);
        strbuf_addstr(sb, " }");
    }
    strbuf_addstr(sb, "\n  },\n");
}

static void add_role(strbuf *sb, const lk_suggestion *g, lk_col_role r, const char *key,
                     bool *first)
{
    size_t c = g->col_role[r];
    if (c == LK_NO_COLUMN)
        return;
    strbuf_addf(sb, "%s\"%s\": ", *first ? " " : ", ", key);
    add_colref(sb, g, c, false);
    *first = false;
}

static void add_not_read(strbuf *sb, const lk_suggestion *g)
{
    strbuf sn;
    strbuf_init(&sn, 128);
    for (size_t c = 0; c < g->ncols; c++) {
        const lk_col_guess *col = &g->cols[c];
        bool unused = col->role == LK_ROLE_NAME || col->role == LK_ROLE_SKIP;
        if (col->role == LK_ROLE_COMPONENT && g->layout == LK_LAYOUT_WIDE)
            for (size_t k = 0; k < g->ncomps; k++)
                if (g->comps[k].col == c && !g->comps[k].key)
                    unused = true;
        if (!unused || (!*col->header && !col->st.nonempty))
            continue;
        char letter[8];
        strbuf_addf(&sn, "%s%s \"%s\"", sn.len ? ", " : "", lk_column_letter(c, letter),
                    col->header);
    }
    if (sn.len) {
        strbuf text;
        strbuf_init(&text, sn.len + 32);
        strbuf_addf(&text, "columns not read: %s", sn.buf);
        strbuf_addstr(sb, "  \"$comment\": ");
        add_json_string(sb, text.buf);
        strbuf_addstr(sb, ",\n");
        strbuf_free(&text);
    }
    strbuf_free(&sn);
}

char *lk_suggest_write(const lk_suggestion *g, const lk_catalog *catalog, const char *name,
                       const char *how)
{
    strbuf sb;
    strbuf_init(&sb, 2048);
    strbuf_addstr(&sb, "{\n  \"name\": ");
    add_json_string(&sb, name);
    strbuf_addstr(&sb, ",\n  \"description\": ");
    add_json_string(&sb, how);
    strbuf_addstr(&sb, ",\n");
    add_not_read(&sb, g);
    add_input(&sb, g);
    static const char *const layouts[] = { "wide", "long", "componentRow" };
    strbuf_addf(&sb, "  \"layout\": \"%s\",\n", layouts[g->layout]);
    if (g->layout == LK_LAYOUT_COMPONENT_ROW) {
        char letter[8];
        strbuf_addf(&sb, "  \"componentRow\": { \"row\": %lu", g->component_row);
        if (g->name_row)
            strbuf_addf(&sb, ", \"nameRow\": %lu", g->name_row);
        strbuf_addf(&sb, ", \"firstColumn\": \"%s\" },\n",
                    lk_column_letter(g->first_value_col, letter));
    }
    if (g->layout == LK_LAYOUT_LONG) {
        strbuf_addstr(&sb, "  \"long\": { \"componentColumn\": ");
        add_colref(&sb, g, g->col_role[LK_ROLE_LONG_CODE], false);
        strbuf_addstr(&sb, ", \"valueColumn\": ");
        add_colref(&sb, g, g->col_role[LK_ROLE_LONG_VALUE], false);
        strbuf_addf(&sb, ", \"acceptKeys\": %s },\n", g->long_numeric_codes ? "true" : "false");
    }
    bool first = true;
    strbuf_addstr(&sb, "  \"employee\": {");
    add_role(&sb, g, LK_ROLE_EMPLOYEE_NUMBER, "employeeNumber", &first);
    add_role(&sb, g, LK_ROLE_PAYROLL_ID, "payrollId", &first);
    add_role(&sb, g, LK_ROLE_INCOME_RELATIONSHIP, "incomeRelationshipNumber", &first);
    strbuf_addstr(&sb, " },\n");
    if (g->col_role[LK_ROLE_EMPLOYER] != LK_NO_COLUMN) {
        strbuf_addstr(&sb, "  \"employer\": { ");
        add_colref(&sb, g, g->col_role[LK_ROLE_EMPLOYER], true);
        strbuf_addstr(&sb, " },\n");
    } else if (g->employer) {
        strbuf_addstr(&sb, "  \"employer\": { \"clientNumber\": ");
        add_json_string(&sb, g->employer);
        strbuf_addstr(&sb, " },\n");
    }
    if (g->col_role[LK_ROLE_PERIOD] != LK_NO_COLUMN) {
        strbuf_addstr(&sb, "  \"period\": { \"source\": \"column\", ");
        add_colref(&sb, g, g->col_role[LK_ROLE_PERIOD], true);
        strbuf_addstr(&sb, " },\n");
    } else if (g->col_role[LK_ROLE_DATE] != LK_NO_COLUMN) {
        strbuf_addstr(&sb, "  \"period\": { \"source\": \"date\", ");
        add_colref(&sb, g, g->col_role[LK_ROLE_DATE], true);
        strbuf_addstr(&sb, " },\n");
    } else {
        strbuf_addstr(&sb, "  \"period\": { \"source\": \"commandLine\" },\n");
    }
    if (g->col_role[LK_ROLE_COST_CENTER] != LK_NO_COLUMN ||
        g->col_role[LK_ROLE_COST_UNIT] != LK_NO_COLUMN) {
        strbuf_addstr(&sb, "  \"recordKey\": {");
        const char *sep = " ";
        if (g->col_role[LK_ROLE_COST_CENTER] != LK_NO_COLUMN) {
            strbuf_addstr(&sb, " \"costCenter\": { ");
            add_colref(&sb, g, g->col_role[LK_ROLE_COST_CENTER], true);
            strbuf_addstr(&sb, ", \"by\": \"code\" }");
            sep = ", ";
        }
        if (g->col_role[LK_ROLE_COST_UNIT] != LK_NO_COLUMN) {
            strbuf_addf(&sb, "%s\"costUnit\": { ", sep);
            add_colref(&sb, g, g->col_role[LK_ROLE_COST_UNIT], true);
            strbuf_addstr(&sb, ", \"by\": \"code\" }");
        }
        strbuf_addstr(&sb, " },\n");
    }
    if (g->layout == LK_LAYOUT_LONG && g->ncomps && g->comps[0].format != LK_FORMAT_NUMBER)
        strbuf_addf(&sb, "  \"defaults\": { \"format\": \"%s\" },\n",
                    format_word(g->comps[0].format));
    /* the template names its components itself; listing them would only repeat it */
    bool negatives = false;
    for (size_t i = 0; i < g->ncomps; i++)
        negatives |= g->comps[i].allow_negative;
    if (g->layout != LK_LAYOUT_COMPONENT_ROW &&
        !(g->layout == LK_LAYOUT_LONG && g->long_numeric_codes && !negatives)) {
        strbuf_addstr(&sb, "  \"components\": [");
        bool firstc = true;
        for (size_t i = 0; i < g->ncomps; i++) {
            if (!g->comps[i].key || (g->long_numeric_codes && !g->comps[i].allow_negative))
                continue;
            add_component(&sb, g, &g->comps[i], catalog, firstc);
            firstc = false;
        }
        strbuf_addstr(&sb, "\n  ],\n");
    }
    strbuf_addstr(&sb, "  \"aggregate\": \"sum\"\n}\n");
    return strbuf_detach(&sb, NULL);
}
