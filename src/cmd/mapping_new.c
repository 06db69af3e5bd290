/*
 * mapping_new.c: 'loket-import mapping new FILE...': a new client's export to a checked mapping.
 * Reads the first file's shape and columns (mapping/suggest.h), matches the value columns or
 * codes to the administration's payroll components (from Loket, or a saved 'components
 * --json'), checks the employee numbers against Loket when online, shows every decision with
 * how sure it is and why, asks a person about each unsure one on a terminal (with --yes: writes
 * nothing while one is open), writes the mapping and runs 'validate' with it.
 */
#include "cmd/commands.h"
#include "cmd/common_opts.h"
#include "common/i18n.h"
#include "common/util.h"
#include "loket/api.h"
#include "mapping/suggest.h"

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char usage_text[] =
    N_("usage: loket-import mapping new FILE... [--employer CLIENT] [-o MAPPING] [--yes]\n"
    "                                [--learn-from DIR] [--components FILE] [--offline]\n"
    "                                [--period P] [--sheet NAME] [--year YYYY] [--force]\n"
    "\n"
    "Reads a new export (CSV or XLSX) and writes a mapping for it: the file's shape (delimiter,\n"
    "encoding, decimal style, title, header and totals rows, layout, sheet), what each column\n"
    "is (employee number, employment, names, date or period, cost centre, employer) and which\n"
    "payroll component each value column or code holds. Every decision is shown with how sure\n"
    "it is and why. On a terminal it asks about each column it is not sure of; then it writes\n"
    "the mapping and runs 'validate' with it.\n"
    "\n"
    "  -o, --output FILE     the mapping to write (default: NAME.mapping.json in the\n"
    "                        current folder, NAME from the first FILE)\n"
    "  -y, --yes             ask nothing: write only when every decision is sure, else exit 2\n"
    "                        listing the open questions\n"
    "      --employer CLIENT the payroll administration's client number (e.g. 40101); online,\n"
    "                        employee numbers and components are checked against Loket\n"
    "      --components FILE the components from a saved 'loket-import components --json'\n"
    "      --learn-from DIR  mappings the bureau made before (default: ./mappings when it\n"
    "                        exists; 'none' for none)\n"
    "      --offline         do not ask Loket (--employer is then only the client number)\n"
    "  -p, --period P        passed to validate (2026-11, 2026-P11, 2026-W47)\n"
    "      --sheet NAME      XLSX: the sheet to read (default: the one with most rows)\n"
    "      --year YYYY       the year of the components (default: the period's, else this year)\n"
    "      --force           overwrite an existing mapping file\n"
    "  -h, --help            this text\n"
    "\n"
    "Exit codes: 0 mapping written and validate found no errors; 2 open questions (nothing\n"
    "written) or validate found errors; 3 Loket could not be asked; 64 wrong command line.\n");

enum { OPT_LEARN = 256, OPT_COMPONENTS, OPT_OFFLINE, OPT_SHEET, OPT_YEAR, OPT_FORCE };

static const struct option options[] = {
    { "output", required_argument, NULL, 'o' },
    { "yes", no_argument, NULL, 'y' },
    { "learn-from", required_argument, NULL, OPT_LEARN },
    { "components", required_argument, NULL, OPT_COMPONENTS },
    { "offline", no_argument, NULL, OPT_OFFLINE },
    { "period", required_argument, NULL, 'p' },
    { "sheet", required_argument, NULL, OPT_SHEET },
    { "year", required_argument, NULL, OPT_YEAR },
    { "force", no_argument, NULL, OPT_FORCE },
    { "help", no_argument, NULL, 'h' },
    LK_COMMON_LONG_OPTIONS,
    { NULL, 0, NULL, 0 },
};

typedef struct job {
    const char *output, *learn_from, *components, *period, *sheet;
    int year;
    bool yes, offline, force, interactive;
    lk_common_opts common;
    size_t answered;
} job;

/* ---------------------------------------------------------------- words for people */

/*
 * Text from outside (headers, codes, sheet names, Loket's component names) as shown on the
 * terminal: control characters and line breaks become spaces. Up to four at once per call site.
 */
static const char *shown(const char *text)
{
    static char bufs[4][256];
    static unsigned next;
    char *b = bufs[next++ % 4];
    snprintf(b, sizeof bufs[0], "%s", text ? text : "");
    lk_text_make_printable(b);
    for (char *p = b; *p; p++)
        if (*p == '\n' || *p == '\t')
            *p = ' ';
    return b;
}

static const char *role_name(lk_col_role r)
{
    switch (r) {
    case LK_ROLE_EMPLOYEE_NUMBER: return _("employee number");
    case LK_ROLE_PAYROLL_ID: return _("employment (payrollId)");
    case LK_ROLE_INCOME_RELATIONSHIP: return _("income relationship number");
    case LK_ROLE_NAME: return _("not read (names, texts)");
    case LK_ROLE_DATE: return _("date: periods from the dates");
    case LK_ROLE_PERIOD: return _("payroll period");
    case LK_ROLE_COST_CENTER: return _("cost centre (code)");
    case LK_ROLE_COST_UNIT: return _("cost unit (code)");
    case LK_ROLE_EMPLOYER: return _("employer (client number)");
    case LK_ROLE_COMPONENT: return _("values");
    case LK_ROLE_LONG_CODE: return _("component code (long layout)");
    case LK_ROLE_LONG_VALUE: return _("value (long layout)");
    case LK_ROLE_SKIP: return _("not read");
    default: return _("unknown");
    }
}

static const char *role_reason(const lk_col_guess *c, char *buf, size_t size)
{
    const char *r = c->reason;
    unsigned long a, b;
    if (!strncmp(r, "learned:", 8))
        snprintf(buf, size, _("as in %s"), r + 8);
    else if (sscanf(r, "loket:%lu/%lu", &a, &b) == 2)
        snprintf(buf, size, _("%lu of %lu values are employee numbers in Loket"), a, b);
    else if (sscanf(r, "loket-clients:%lu/%lu", &a, &b) == 2)
        snprintf(buf, size, _("%lu of %lu values are client numbers in Loket"), a, b);
    else if (sscanf(r, "loket-codes:%lu/%lu", &a, &b) == 2)
        snprintf(buf, size, _("%lu of %lu values are codes of the administration in Loket"), a, b);
    else if (!strcmp(r, "header"))
        snprintf(buf, size, "%s", _("its header (synonym list)"));
    else if (!strcmp(r, "header-values"))
        snprintf(buf, size, "%s", _("the header says so, but the values do not fit"));
    else if (!strcmp(r, "never"))
        snprintf(buf, size, "%s", _("no payroll data (synonym list)"));
    else if (!strcmp(r, "empty"))
        snprintf(buf, size, "%s", _("empty column"));
    else if (!strcmp(r, "values-dates"))
        snprintf(buf, size, "%s", _("every value is a date"));
    else if (!strcmp(r, "values-periods"))
        snprintf(buf, size, "%s", _("every value is a period"));
    else if (!strcmp(r, "values-text"))
        snprintf(buf, size, "%s", _("texts, not numbers"));
    else if (!strcmp(r, "values-whole"))
        snprintf(buf, size, "%s", _("whole numbers, but the header does not say employee number"));
    else if (!strcmp(r, "values-codes"))
        snprintf(buf, size, "%s", _("a few texts, repeated, that are payroll names"));
    else if (!strcmp(r, "second"))
        snprintf(buf, size, "%s", _("a second column for the same thing"));
    else if (!strcmp(r, "only-numbers"))
        snprintf(buf, size, "%s", _("the only column of numbers beside the codes"));
    else if (!strcmp(r, "code-no-value"))
        snprintf(buf, size, "%s", _("codes, but no single column of values"));
    else if (!strcmp(r, "answer"))
        snprintf(buf, size, "%s", _("chosen by you"));
    else
        snprintf(buf, size, "%s", r);
    return buf;
}

static const char *candidate_reason(const lk_candidate *c, const lk_catalog *catalog, char *buf,
                                    size_t size)
{
    const lk_catalog_item *it = lk_catalog_find(catalog, c->key);
    const char *d = shown(it ? it->description : "");
    switch (c->why) {
    case LK_WHY_NUMBER: snprintf(buf, size, "%s", _("the component's number")); break;
    case LK_WHY_NUMBER_UNCHECKED:
        snprintf(buf, size, "%s", _("a component number; plan checks that the administration has it"));
        break;
    case LK_WHY_LEARNED: snprintf(buf, size, _("chosen before in %s"), c->from); break;
    case LK_WHY_NAME: snprintf(buf, size, _("the same name as \"%s\""), d); break;
    case LK_WHY_SYNONYM: snprintf(buf, size, _("a synonym of \"%s\""), d); break;
    default: snprintf(buf, size, _("looks like \"%s\""), d); break;
    }
    return buf;
}

static const char *component_desc(const lk_catalog *catalog, long key)
{
    const lk_catalog_item *it = lk_catalog_find(catalog, key);
    return shown(it ? it->description : "");
}

/* ---------------------------------------------------------------- showing the decisions */

static void print_shape(const lk_suggestion *g)
{
    const lk_sample *s = g->sample;
    printf("%s: %s", s->path, s->type == LK_FILE_XLSX ? "xlsx" : "csv");
    if (s->sheet)
        printf(_(", sheet \"%s\""), shown(s->sheet));
    if (s->type == LK_FILE_CSV) {
        if (s->delimiter == '\t')
            printf(_(", delimiter tab"));
        else
            printf(_(", delimiter '%c'"), s->delimiter);
        if (s->sep_line)
            printf(_(" (from its \"sep=\" line)"));
        if (s->encoding)
            printf(_(", encoding %s"), s->encoding);
    }
    if (g->decimal)
        printf(_(", decimal %s"), g->decimal == ',' ? _("comma") : _("point"));
    else
        printf(_(", decimal: no telling value (auto)"));
    if (g->thousands)
        printf(_(", thousands '%c'"), g->thousands);
    putchar('\n');
    static const char *const layouts[] = { N_("wide: one column per component"),
                                           N_("long: a code column and a value column"),
                                           N_("Loket's import template: component numbers in a row") };
    printf(_("  layout: %s\n"), _(layouts[g->layout]));
    if (g->header_row && !g->ntitle_rows)
        printf(_("  header row %lu\n"), g->header_row);
    else if (g->header_row)
        printf(ngettext("  header row %lu (%zu title row above it)\n",
                        "  header row %lu (%zu title rows above it)\n", g->ntitle_rows),
               g->header_row, g->ntitle_rows);
    else
        printf(_("  no header row found\n"));
    if (g->name_row)
        printf(_("  component names in row %lu\n"), g->name_row);
    if (s->blank_lines)
        printf(ngettext("  %lu blank line in the file (not an error)\n",
                        "  %lu blank lines in the file (not an error)\n",
                        s->blank_lines), s->blank_lines);
    char letter[8];
    if (g->has_totals && g->totals_checked)
        printf(_("  totals row %lu (\"%s\" in column %s): adds up, so validate checks it "
                 "(input.totalsRow)\n"), g->totals_row, shown(g->totals_pattern),
               lk_column_letter(g->totals_col, letter));
    else if (g->has_totals)
        printf(_("  totals row %lu (\"%s\" in column %s): column %s says %s but the rows add up "
                 "to %s, so it is skipped, not checked (input.skipRows)\n"), g->totals_row,
               shown(g->totals_pattern), lk_column_letter(g->totals_col, letter),
               shown(g->cols[g->totals_bad_col].header), shown(g->totals_said), g->totals_sum);
    for (size_t i = 0; i < g->nskips; i++)
        printf(ngettext("  %zu row like \"%s\" in column %s, from row %lu: skipped (subtotals)\n",
                        "  %zu rows like \"%s\" in column %s, from row %lu: skipped (subtotals)\n",
                        g->skips[i].rows), g->skips[i].rows, shown(g->skips[i].pattern),
               lk_column_letter(g->skips[i].col, letter), g->skips[i].first_row);
    if (s->truncated)
        printf(_("  only the first %d rows were looked at\n"), LK_SAMPLE_MAX_ROWS);
    for (size_t i = 0; i < s->nother_sheets; i++)
        printf(_("  sheet \"%s\" holds rows too; it is not read (--sheet chooses)\n"),
               shown(s->other_sheets[i]));
}

static void print_columns(const lk_suggestion *g, const lk_catalog *catalog)
{
    char letter[8], why[400];
    printf("  %-4s %-24s %-36s %5s  %s\n", _("col"), _("header"), _("decision"), _("sure"),
           _("why"));
    for (size_t c = 0; c < g->ncols; c++) {
        const lk_col_guess *col = &g->cols[c];
        if (col->role == LK_ROLE_SKIP && !strcmp(col->reason, "empty") && !*col->header)
            continue;
        if (col->role == LK_ROLE_COMPONENT && g->layout == LK_LAYOUT_WIDE) {
            for (size_t k = 0; k < g->ncomps; k++) {
                const lk_comp_guess *cg = &g->comps[k];
                if (cg->col != c)
                    continue;
                char dec[200];
                if (cg->key)
                    snprintf(dec, sizeof dec, _("component %ld %s"), cg->key,
                             component_desc(catalog, cg->key));
                else if (cg->empty_unknown)
                    snprintf(dec, sizeof dec, "%s", _("not read"));
                else
                    snprintf(dec, sizeof dec, "%s", _("? (no component found)"));
                const lk_candidate *best = cg->ncand ? &cg->cand[0] : NULL;
                if (cg->empty_unknown) {
                    printf("  %-4s %-24.24s %-36.36s %4d%%  %s\n", lk_column_letter(c, letter),
                           shown(col->header), dec, cg->confidence,
                           _("empty, and its header names no component"));
                    continue;
                }
                printf("  %-4s %-24.24s %-36.36s %4d%%  %s%s\n", lk_column_letter(c, letter),
                       shown(col->header), dec, cg->confidence, cg->answered ? _("chosen by you")
                       : best ? candidate_reason(best, catalog, why, sizeof why) : "",
                       cg->divide_by == 60 ? _("; minutes, divided by 60") : "");
            }
            continue;
        }
        if (col->role == LK_ROLE_COMPONENT && g->layout == LK_LAYOUT_COMPONENT_ROW)
            continue;
        printf("  %-4s %-24.24s %-36.36s %4d%%  %s\n", lk_column_letter(c, letter), shown(col->header),
               role_name(col->role), col->confidence, role_reason(col, why, sizeof why));
    }
    if (g->layout == LK_LAYOUT_COMPONENT_ROW) {
        size_t n = 0;
        for (size_t k = 0; k < g->ncomps; k++)
            n += g->comps[k].key != 0;
        printf(ngettext("  from column %s: %zu component named by its number in row %lu\n",
                        "  from column %s: %zu components named by their numbers in row %lu\n", n),
               lk_column_letter(g->first_value_col, letter), n, g->component_row);
    }
    if (g->layout == LK_LAYOUT_LONG) {
        printf(_("  codes in column %s:\n"), lk_column_letter(g->col_role[LK_ROLE_LONG_CODE],
                                                          letter));
        for (size_t k = 0; k < g->ncomps; k++) {
            const lk_comp_guess *cg = &g->comps[k];
            char dec[200];
            if (cg->key)
                snprintf(dec, sizeof dec, _("component %ld %s"), cg->key,
                         component_desc(catalog, cg->key));
            else
                snprintf(dec, sizeof dec, "%s", _("? (no component found)"));
            printf("    %-24.24s %-36.36s %4d%%  %s\n", shown(cg->text), dec, cg->confidence,
                   cg->answered ? _("chosen by you")
                   : cg->ncand ? candidate_reason(&cg->cand[0], catalog, why, sizeof why) : "");
        }
    }
}

/* ---------------------------------------------------------------- open questions */

static void describe_comp_question(const lk_suggestion *g, const lk_comp_guess *cg,
                                   const lk_catalog *catalog, FILE *out)
{
    char letter[8], why[400];
    if (g->layout == LK_LAYOUT_LONG)
        fprintf(out, _("code \"%s\" (%zu values): which payroll component?"), shown(cg->text),
                cg->values);
    else
        fprintf(out, _("column %s \"%s\" (%zu values): which payroll component?"),
                lk_column_letter(cg->col, letter), shown(cg->text), cg->values);
    if (cg->also_col >= 0)
        fprintf(out, _(" (\"%s\" also maps to component %ld)"), shown(g->comps[cg->also_col].text),
                cg->key);
    fputc('\n', out);
    if (cg->negatives && !cg->allow_negative)
        fprintf(out, ngettext("      %zu value is negative: a correction (allowNegative) or a "
                              "mistake?\n",
                              "      %zu values are negative: corrections (allowNegative) or "
                              "mistakes?\n", cg->negatives), cg->negatives);
    for (size_t i = 0; i < cg->ncand; i++)
        fprintf(out, "      %zu) %ld %s  (%d%%: %s)\n", i + 1, cg->cand[i].key,
                component_desc(catalog, cg->cand[i].key), cg->cand[i].score,
                candidate_reason(&cg->cand[i], catalog, why, sizeof why));
    if (!cg->ncand && !catalog)
        fprintf(out, _("      no list of components to choose from: give --components FILE or "
                       "--employer\n"));
}

static const char *general_question(const char *what)
{
    if (!strcmp(what, "employee"))
        return _("no column holds employee numbers by its header and values");
    if (!strcmp(what, "sheets"))
        return _("the workbook has more than one sheet with rows: say which with --sheet");
    if (!strcmp(what, "header"))
        return _("no header row found: the mapping would have to name columns by letter");
    if (!strcmp(what, "novalues"))
        return _("no column or code holds a payroll component: there is nothing to import");
    if (!strcmp(what, "codes"))
        return _("the code column holds too many different codes for a long file");
    if (!strcmp(what, "decimal"))
        return _("the file mixes decimal commas and points: it cannot be read one way");
    return what;
}

static size_t list_open(lk_suggestion *g, const lk_catalog *catalog, FILE *out)
{
    size_t n = lk_suggest_count_open(g);
    char letter[8], why[400];
    if (!n)
        return 0;
    fprintf(out, ngettext("%zu open question:\n", "%zu open questions:\n", n), n);
    for (size_t i = 0; i < g->nopen; i++)
        fprintf(out, "  - %s\n", general_question(g->open[i]));
    for (size_t c = 0; c < g->ncols; c++) {
        const lk_col_guess *col = &g->cols[c];
        if (col->role == LK_ROLE_COMPONENT || col->confidence >= LK_SURE)
            continue;
        fprintf(out, _("  - column %s \"%s\": %s? (%d%%: %s)\n"), lk_column_letter(c, letter),
                shown(col->header), role_name(col->role), col->confidence,
                role_reason(col, why, sizeof why));
    }
    for (size_t k = 0; k < g->ncomps; k++) {
        if (!g->comps[k].open)
            continue;
        fputs("  - ", out);
        describe_comp_question(g, &g->comps[k], catalog, out);
    }
    return n;
}

static bool read_answer(char *buf, size_t size)
{
    fflush(stdout);
    if (!fgets(buf, (int)size, stdin))
        return false;
    buf[strcspn(buf, "\r\n")] = '\0';
    return true;
}

/* Asks every open question on the terminal. False when the person stopped or cannot answer. */
static bool ask(job *j, lk_suggestion *g, const lk_catalog *catalog)
{
    char line[64], letter[8], why[400];
    /* these need a new run (--sheet) or a hand-written mapping: nothing to choose here */
    if (g->nopen)
        return false;
    for (size_t c = 0; c < g->ncols; c++) {
        lk_col_guess *col = &g->cols[c];
        if (col->role == LK_ROLE_COMPONENT || col->confidence >= LK_SURE)
            continue;
        for (;;) {
            printf(_("Column %s \"%s\": %s? (%d%%: %s) [y = yes, n = do not read it] "),
                   lk_column_letter(c, letter), shown(col->header), role_name(col->role),
                   col->confidence, role_reason(col, why, sizeof why));
            if (!read_answer(line, sizeof line))
                return false;
            if (line[0] == 'y' || line[0] == 'j' || line[0] == 'n')
                break;
        }
        if (line[0] == 'n') {
            if (g->col_role[col->role] == c)
                g->col_role[col->role] = LK_NO_COLUMN;
            col->role = LK_ROLE_SKIP;
        } else if (col->role != LK_ROLE_SKIP && col->role != LK_ROLE_NAME) {
            g->col_role[col->role] = c;
        }
        col->confidence = 100;
        snprintf(col->reason, sizeof col->reason, "answer");
        j->answered++;
    }
    lk_suggest_count_open(g);
    for (size_t k = 0; k < g->ncomps; k++) {
        lk_comp_guess *cg = &g->comps[k];
        if (!cg->open)
            continue;
        bool sure = cg->key && cg->confidence >= LK_SURE && cg->also_col < 0;
        for (; !sure;) {
            describe_comp_question(g, cg, catalog, stdout);
            printf(_("   number of a choice, a component key, s = skip (not read), q = stop: "));
            if (!read_answer(line, sizeof line) || line[0] == 'q')
                return false;
            if (line[0] == 's') {
                cg->key = 0;
                break;
            }
            char *end;
            long v = strtol(line, &end, 10);
            if (end == line || *end)
                continue;
            if (v >= 1 && (size_t)v <= cg->ncand) {
                cg->key = cg->cand[v - 1].key;
                break;
            }
            if (v >= 1 && v <= 99999 && (!catalog || lk_catalog_find(catalog, v))) {
                cg->key = v;
                break;
            }
            printf(_("   %ld is not a component of the list\n"), v);
        }
        if (!sure) {
            cg->answered = true;
            cg->confidence = 100;
            j->answered++;
        }
        while (cg->key && cg->negatives && !cg->allow_negative) {
            printf(ngettext("   %zu value is negative. Allow negative values (corrections)? "
                            "[y/n] ", "   %zu values are negative. Allow negative values "
                            "(corrections)? [y/n] ", cg->negatives), cg->negatives);
            if (!read_answer(line, sizeof line))
                return false;
            if (line[0] == 'y' || line[0] == 'j') {
                cg->allow_negative = true;
                j->answered++;
            } else if (line[0] == 'n') {
                break;
            }
        }
    }
    return lk_suggest_count_open(g) == 0;
}

/* ---------------------------------------------------------------- Loket */

/*
 * Online: cost centre and cost unit columns hold codes of the administration, and a column of a
 * few texts whose header says nothing ("Afdeling") may be one.
 */
static void check_codes(lk_session *s, lk_suggestion *g, const char *admin_id,
                        const char *employment_id)
{
    const lk_metadata *meta = NULL;
    lk_error err;
    lk_error_clear(&err);
    bool wanted = false;
    for (size_t c = 0; c < g->ncols; c++)
        wanted |= g->cols[c].role == LK_ROLE_COST_CENTER || g->cols[c].role == LK_ROLE_COST_UNIT ||
                  (g->cols[c].role == LK_ROLE_NAME && !strcmp(g->cols[c].reason, "values-text"));
    if (!wanted)
        return;
    if (lk_api_metadata(s->client, admin_id, employment_id, &meta, &err) != LK_OK) {
        char buf[LK_ERROR_MSG_MAX + 400];
        lk_warn(_("cost centres and cost units are not checked: %s"),
                lk_error_format(&err, buf, sizeof buf));
        return;
    }
    for (size_t c = 0; c < g->ncols; c++) {
        lk_col_guess *col = &g->cols[c];
        bool named = col->role == LK_ROLE_COST_CENTER || col->role == LK_ROLE_COST_UNIT;
        if (!named && !(col->role == LK_ROLE_NAME && !strcmp(col->reason, "values-text")))
            continue;
        size_t n, found[2] = { 0, 0 };
        char **texts = lk_suggest_column_texts(g, c, 200, &n);
        static const char *const fields[2] = { "costCenter", "costUnit" };
        for (size_t i = 0; i < n; i++) {
            for (int f = 0; f < 2; f++)
                found[f] += lk_metadata_option(meta, fields[f], texts[i]) != NULL;
            free(texts[i]);
        }
        free(texts);
        if (named) {
            size_t k = found[col->role == LK_ROLE_COST_UNIT];
            snprintf(col->reason, sizeof col->reason, "loket-codes:%zu/%zu", k, n);
            col->confidence = k == n ? 98 : 50;
            continue;
        }
        for (int f = 0; f < 2 && n; f++) {
            lk_col_role r = f ? LK_ROLE_COST_UNIT : LK_ROLE_COST_CENTER;
            if (found[f] != n || g->col_role[r] != LK_NO_COLUMN)
                continue;
            col->role = r;
            col->confidence = LK_SURE;
            snprintf(col->reason, sizeof col->reason, "loket-codes:%zu/%zu", n, n);
            g->col_role[r] = c;
            break;
        }
    }
}

/* A whole number as the cell writes it ("1001", XLSX 1001), else 0. */
static long whole_cell(const lk_sample_row *r, size_t col)
{
    char buf[64], *end;
    const char *t = lk_cell_trim(lk_sample_text(r, col), buf, sizeof buf);
    long v = strtol(t, &end, 10);
    return *t && !*end && v > 0 ? v : 0;
}

/*
 * Looks up the distinct employee numbers of the rows whose employer cell is client (all rows when
 * client is NULL) among employer_id's employments in the administration client_number.
 * Adds to *found and *n; the first employment found is kept in *employment_id (when not NULL)
 * for the metadata look-up.
 */
static int check_employees(lk_session *s, lk_suggestion *g, const char *client,
                           const char *employer_id, long client_number, size_t *found, size_t *n,
                           char **employment_id, lk_error *err)
{
    const lk_sample *sm = g->sample;
    size_t col = g->col_role[LK_ROLE_EMPLOYEE_NUMBER], ecol = g->col_role[LK_ROLE_EMPLOYER];
    long *numbers = xcalloc(sm->nrows + 1, sizeof(long));
    size_t k = 0;
    for (size_t i = 0; i < sm->nrows; i++) {
        char buf[64];
        if (!lk_suggest_is_data_row(g, i))
            continue;
        if (client && strcmp(lk_cell_trim(lk_sample_text(&sm->rows[i], ecol), buf, sizeof buf),
                             client))
            continue;
        long v = whole_cell(&sm->rows[i], col);
        size_t j = 0;
        while (v && j < k && numbers[j] != v)
            j++;
        if (v && j == k)
            numbers[k++] = v;
    }
    lk_employment_list *emps = NULL;
    if (k && employer_id &&
        lk_api_employments(s->client, employer_id, numbers, k, &emps, err) != LK_OK) {
        free(numbers);
        return lk_report_error(err);
    }
    for (size_t i = 0; i < k; i++) {
        bool hit = false;
        for (size_t e = 0; emps && e < emps->n && !hit; e++) {
            hit = emps->items[e].employee_number == numbers[i] &&
                  (!emps->items[e].admin_client_number ||
                   emps->items[e].admin_client_number == client_number);
            if (hit && employment_id && !*employment_id)
                *employment_id = xstrdup(emps->items[e].id);
        }
        *found += hit;
    }
    *n += k;
    lk_employment_list_free(emps);
    free(numbers);
    return LK_EXIT_OK;
}

/*
 * Several clients in one file: each client number of the employer column must be one of a
 * payroll administration the user sees, and each row's employee one of that employer's.
 */
static int check_employees_per_client(lk_session *s, lk_suggestion *g, long main_client,
                                      size_t *found, size_t *n, char **employment_id,
                                      lk_error *err)
{
    size_t ecol = g->col_role[LK_ROLE_EMPLOYER], nclients;
    lk_employer_list *employers = NULL;
    if (lk_api_employers(s->client, &employers, err) != LK_OK)
        return lk_report_error(err);
    char **clients = lk_suggest_column_texts(g, ecol, 200, &nclients);
    size_t known = 0;
    int rc = LK_EXIT_OK;
    for (size_t c = 0; c < nclients && rc == LK_EXIT_OK; c++) {
        char *end;
        long number = strtol(clients[c], &end, 10);
        const char *employer_id = NULL;
        lk_admin_list *admins = NULL;
        /* the same walk as resolving --employer by a client number: bounded by the file */
        for (size_t e = 0; e < employers->n && !employer_id && !*end; e++) {
            lk_error ignored;
            lk_error_clear(&ignored);
            if (lk_api_admins(s->client, employers->items[e].id, &admins, &ignored) != LK_OK)
                continue;
            for (size_t a = 0; a < admins->n; a++)
                if (admins->items[a].client_number == number)
                    employer_id = employers->items[e].id;
            lk_admin_list_free(admins);
            admins = NULL;
        }
        known += employer_id != NULL;
        rc = check_employees(s, g, clients[c], employer_id, number, found, n,
                             number == main_client ? employment_id : NULL, err);
    }
    lk_col_guess *col = &g->cols[ecol];
    snprintf(col->reason, sizeof col->reason, "loket-clients:%zu/%zu", known, nclients);
    col->confidence = known == nclients ? 98 : 50;
    for (size_t c = 0; c < nclients; c++)
        free(clients[c]);
    free(clients);
    lk_employer_list_free(employers);
    return rc;
}

/* Online: the employer's administration, its components, and the employee numbers. */
static int ask_loket(job *j, lk_suggestion *g, lk_catalog **catalog)
{
    lk_session s;
    lk_error err;
    char *employer_id = NULL, *employer_name = NULL, *employment_id = NULL;
    lk_admin_list *admin = NULL;
    int rc = LK_EXIT_OK;
    lk_error_clear(&err);
    if (lk_session_open(&j->common, true, &s) != LK_OK)
        return LK_EXIT_CONFIG;
    if (lk_resolve_employer(&s, NULL, &employer_id, &employer_name, &err) != LK_OK ||
        lk_resolve_admin(&s, employer_id, NULL, &admin, &err) != LK_OK) {
        rc = lk_report_error(&err);
        goto out;
    }
    if (admin->items[0].client_number) {
        char num[24];
        snprintf(num, sizeof num, "%ld", admin->items[0].client_number);
        free(g->employer);
        g->employer = xstrdup(num);
    }
    if (!*catalog) {
        lk_component_list *list = NULL;
        if (lk_api_components(s.client, admin->items[0].id, j->year, &list, &err) != LK_OK) {
            rc = lk_report_error(&err);
            goto out;
        }
        char src[300];
        snprintf(src, sizeof src, "Loket (%s, %d)", admin->items[0].name, j->year);
        *catalog = lk_catalog_new(src);
        for (size_t i = 0; i < list->n; i++)
            lk_catalog_add(*catalog, list->items[i].key, list->items[i].description,
                           list->items[i].category, list->items[i].can_be_supplemented);
        lk_component_list_free(list);
    }
    size_t col = g->col_role[LK_ROLE_EMPLOYEE_NUMBER];
    if (col != LK_NO_COLUMN) {
        size_t found = 0, n = 0;
        if (g->col_role[LK_ROLE_EMPLOYER] != LK_NO_COLUMN)
            rc = check_employees_per_client(&s, g, admin->items[0].client_number, &found, &n,
                                            &employment_id, &err);
        else
            rc = check_employees(&s, g, NULL, employer_id, admin->items[0].client_number, &found,
                                 &n, &employment_id, &err);
        if (rc != LK_EXIT_OK)
            goto out;
        lk_col_guess *c = &g->cols[col];
        snprintf(c->reason, sizeof c->reason, "loket:%zu/%zu", found, n);
        c->confidence = found == n ? 99 : found * 10 >= n * 9 ? 92 : 40;
    }
    if (employment_id)
        check_codes(&s, g, admin->items[0].id, employment_id);
out:
    free(employment_id);
    lk_admin_list_free(admin);
    free(employer_id);
    free(employer_name);
    lk_session_close(&s, &j->common);
    return rc;
}

/* ---------------------------------------------------------------- the command */

static char *default_output(const char *file)
{
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    char stem[256];
    snprintf(stem, sizeof stem, "%s", base);
    char *dot = strrchr(stem, '.');
    if (dot && dot != stem)
        *dot = '\0';
    char *out = xmalloc(strlen(stem) + 16);
    sprintf(out, "%s.mapping.json", stem);
    return out;
}

static char *how_made(const job *j, const lk_suggestion *g, const lk_catalog *catalog,
                      const lk_learned *learned)
{
    char date[16], buf[1200];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(date, sizeof date, "%Y-%m-%d", &tm);
    const char *base = strrchr(g->sample->path, '/');
    base = base ? base + 1 : g->sample->path;
    snprintf(buf, sizeof buf,
             "Made by 'loket-import mapping new' on %s from %s: %s%s, header row %lu, %s%s. "
             "Components from %s; %zu mapping(s) of the bureau consulted. %s",
             date, base, g->sample->type == LK_FILE_XLSX ? "XLSX" : "CSV",
             g->decimal == ',' ? ", decimal comma" : g->decimal == '.' ? ", decimal point" : "",
             g->header_row, g->layout == LK_LAYOUT_WIDE ? "wide" : g->layout == LK_LAYOUT_LONG
                                                                   ? "long" : "Loket's template",
             g->has_totals ? (g->totals_checked ? ", totals row checked" : ", totals row skipped")
                           : "",
             catalog ? catalog->source : "nowhere (numbers only)",
             learned ? learned->mappings : 0,
             j->answered ? "Some decisions were made by a person." :
                           "Every decision was sure; check the totals with the export's own.");
    return xstrdup(buf);
}

static int mapping_new(int argc, char **argv)
{
    job j;
    memset(&j, 0, sizeof j);
    lk_common_init(&j.common);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    j.year = tm.tm_year + 1900;
    bool year_given = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:yp:h", options, NULL)) != -1) {
        int h = lk_common_opt(&j.common, c, optarg);
        if (h < 0)
            return LK_EXIT_USAGE;
        if (h)
            continue;
        switch (c) {
        case 'o': j.output = optarg; break;
        case 'y': j.yes = true; break;
        case 'p': j.period = optarg; break;
        case OPT_LEARN: j.learn_from = optarg; break;
        case OPT_COMPONENTS: j.components = optarg; break;
        case OPT_OFFLINE: j.offline = true; break;
        case OPT_SHEET: j.sheet = optarg; break;
        case OPT_FORCE: j.force = true; break;
        case OPT_YEAR:
            if (lk_parse_year(optarg, &j.year) != 0)
                return LK_EXIT_USAGE;
            year_given = true;
            break;
        case 'h':
            fputs(_(usage_text), stdout);
            lk_common_usage(stdout);
            return LK_EXIT_OK;
        default:
            fputs(_(usage_text), stderr);
            return LK_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        lk_errorf(_("mapping new needs at least one FILE"));
        fputs(_(usage_text), stderr);
        return LK_EXIT_USAGE;
    }
    lk_period_ref period;
    if (j.period && !lk_parse_period(j.period, &period)) {
        lk_errorf(_("--period %s: expected 2026-11 (month), 2026-P11 (period number) or 2026-W47 (week)"), j.period);
        return LK_EXIT_USAGE;
    }
    if (j.period && !year_given)
        j.year = period.year;
    const char *employer = j.common.ov.employer;
    if (employer && j.offline) {
        for (const char *p = employer; *p; p++)
            if (!isdigit((unsigned char)*p)) {
                lk_errorf(_("--employer %s: offline, give the administration's client number "
                            "(e.g. 40101)"), employer);
                return LK_EXIT_USAGE;
            }
    }
    char *output = j.output ? xstrdup(j.output) : default_output(argv[optind]);
    struct stat st;
    if (!j.force && stat(output, &st) == 0) {
        lk_errorf(_("%s exists; give another -o or --force to overwrite it"), output);
        free(output);
        return LK_EXIT_USAGE;
    }
    j.interactive = !j.yes && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);

    int rc = LK_EXIT_OK;
    lk_error err;
    lk_error_clear(&err);
    lk_synonyms *syn = NULL;
    lk_sample *sample = NULL;
    lk_catalog *catalog = NULL;
    lk_learned *learned = NULL;
    lk_suggestion *g = NULL;
    char *text = NULL, *how = NULL, *files = NULL;
    if (lk_synonyms_load_default(&syn, &err) != LK_OK ||
        (j.components && lk_catalog_load(j.components, &catalog, &err) != LK_OK) ||
        lk_sample_read(argv[optind], j.sheet, &sample, &err) != LK_OK) {
        rc = lk_report_error(&err);
        goto out;
    }
    const char *learn_dir = j.learn_from;
    if (!learn_dir && stat("mappings", &st) == 0 && S_ISDIR(st.st_mode))
        learn_dir = "mappings";
    if (learn_dir && strcmp(learn_dir, "none"))
        learned = lk_learned_read(learn_dir);

    g = lk_suggest_shape(sample, syn, learned);
    if (employer)
        g->employer = xstrdup(employer);
    if (employer && !j.offline) {
        rc = ask_loket(&j, g, &catalog);
        if (rc != LK_EXIT_OK)
            goto out;
    }
    lk_suggest_components(g, syn, learned, catalog);
    print_shape(g);
    print_columns(g, catalog);
    if (lk_suggest_count_open(g)) {
        if (!j.interactive || !ask(&j, g, catalog)) {
            putchar('\n');
            list_open(g, catalog, stdout);
            printf(_("nothing written: answer these on a terminal (without --yes), or write the "
                     "mapping by hand (docs/mappings.md)\n"));
            rc = LK_EXIT_INPUT;
            goto out;
        }
        lk_check_totals(g);
    }
    char name[300];
    const char *base = strrchr(argv[optind], '/');
    snprintf(name, sizeof name, "%s", base ? base + 1 : argv[optind]);
    how = how_made(&j, g, catalog, learned);
    text = lk_suggest_write(g, catalog, name, how);
    if (lk_write_file_atomic(output, text, strlen(text), 0644, &err) != LK_OK) {
        rc = lk_report_error(&err);
        goto out;
    }
    printf(_("\nmapping written to %s; validate with it:\n\n"), output);
    fflush(stdout);
    {
        /* validate parses its own options: optind is its from here on */
        size_t len = 1;
        for (int i = optind; i < argc; i++)
            len += strlen(argv[i]) + 1;
        files = xcalloc(len, 1);
        for (int i = optind; i < argc; i++) {
            if (i > optind)
                strcat(files, " ");
            strcat(files, argv[i]);
        }
        int vargc = 0;
        char **vargv = xcalloc((size_t)(argc - optind) + 8, sizeof(char *));
        vargv[vargc++] = (char *)"validate";
        for (int i = optind; i < argc; i++)
            vargv[vargc++] = argv[i];
        vargv[vargc++] = (char *)"-m";
        vargv[vargc++] = output;
        if (j.period) {
            vargv[vargc++] = (char *)"--period";
            vargv[vargc++] = (char *)j.period;
        }
        rc = cmd_validate(vargc, vargv);
        free(vargv);
    }
    if (rc == LK_EXIT_OK)
        printf(_("\nnext: compare these totals with the export's own, then see what would change "
                 "in Loket:\n  loket-import plan %s -m %s%s%s\n"), files, output,
               j.period ? " --period " : "", j.period ? j.period : "");
    else
        printf(_("\nthe mapping is written, but validate found errors: look at them before "
                 "using it\n"));
out:
    free(files);
    free(text);
    free(how);
    lk_suggestion_free(g);
    lk_learned_free(learned);
    lk_catalog_free(catalog);
    lk_sample_free(sample);
    lk_synonyms_free(syn);
    free(output);
    return rc;
}

int cmd_mapping(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "new"))
        return mapping_new(argc - 1, argv + 1);
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(_(usage_text), stdout);
        return LK_EXIT_OK;
    }
    lk_errorf(_("mapping: expected 'mapping new FILE...'"));
    fputs(_(usage_text), stderr);
    return LK_EXIT_USAGE;
}
