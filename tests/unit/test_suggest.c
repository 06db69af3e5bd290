/*
 * test_suggest.c: the mapping assistant's detectors (mapping/suggest.h), one export each:
 * sep= line and delimiter, title and header rows, blank lines, decimal and thousands style,
 * totals rows (checked or only skipped) and subtotals, Loket's template, long layout by header
 * and by values, the XLSX sheet, column roles, names normalised, components by name, synonym,
 * minutes, what the bureau chose before, and the unsure cases that must stay open questions.
 * The mapping written is loaded by the ordinary loader.
 */
#include "mapping/suggest.h"
#include "support/cunit_main.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static lk_synonyms *syn;
static lk_catalog *catalog;
static char *tmp;

static void setup(void)
{
    lk_error err;
    if (!syn) {
        lk_error_clear(&err);
        CU_ASSERT_EQUAL_FATAL(lk_synonyms_load("data/synonyms-nl.json", &syn, &err), LK_OK);
        CU_ASSERT_EQUAL_FATAL(lk_catalog_load("tests/data/assistant/components.json", &catalog,
                                              &err), LK_OK);
        tmp = lk_test_tmpdir();
    }
}

static char *write_tmp(const char *name, const char *text)
{
    char *path = malloc(strlen(tmp) + strlen(name) + 2);
    sprintf(path, "%s/%s", tmp, name);
    FILE *f = fopen(path, "wb");
    fputs(text, f);
    fclose(f);
    return path;
}

/* The suggestion for a file's text, components matched with the fixture's list. */
static lk_suggestion *suggest(const char *name, const char *text, lk_sample **sample,
                              const lk_learned *learned)
{
    setup();
    char *path = write_tmp(name, text);
    lk_error err;
    lk_error_clear(&err);
    *sample = NULL;
    CU_ASSERT_EQUAL_FATAL(lk_sample_read(path, NULL, sample, &err), LK_OK);
    free(path);
    lk_suggestion *g = lk_suggest_shape(*sample, syn, learned);
    lk_suggest_components(g, syn, learned, catalog);
    lk_suggest_count_open(g);
    return g;
}

static const lk_comp_guess *comp(const lk_suggestion *g, const char *text)
{
    for (size_t i = 0; i < g->ncomps; i++)
        if (!strcmp(g->comps[i].text, text))
            return &g->comps[i];
    CU_FAIL("no such column or code");
    return &g->comps[0];
}

static void done(lk_suggestion *g, lk_sample *s)
{
    lk_suggestion_free(g);
    lk_sample_free(s);
}

/* ---------------------------------------------------------------- shape */

static void test_sep_line_title_and_blank_lines(void)
{
    lk_sample *s;
    lk_suggestion *g = suggest("a.csv",
        "sep=;\r\nUrenoverzicht november\r\n;;\r\nPersoneelsnr;Naam;Uren gewerkt\r\n"
        "1001;Jansen;160\r\n\r\n1002;Vries;152,5\r\n\r\n", &s, NULL);
    CU_ASSERT(s->sep_line);
    CU_ASSERT_EQUAL(s->delimiter, ';');
    CU_ASSERT_EQUAL(g->header_row, 4);
    CU_ASSERT_EQUAL(g->ntitle_rows, 1);
    CU_ASSERT_EQUAL(s->blank_lines, 3);   /* ";;" above the header, two below */
    CU_ASSERT_EQUAL(g->decimal, ',');
    CU_ASSERT_EQUAL(g->layout, LK_LAYOUT_WIDE);
    done(g, s);
}

static void test_no_sep_line(void)
{
    lk_sample *s;
    lk_suggestion *g = suggest("b.csv", "Personeelsnr,Uren gewerkt\n1001,7.5\n1002,8\n", &s,
                               NULL);
    CU_ASSERT(!s->sep_line);
    CU_ASSERT_EQUAL(s->delimiter, ',');
    CU_ASSERT_EQUAL(g->decimal, '.');
    CU_ASSERT_EQUAL(g->thousands, 0);
    CU_ASSERT_EQUAL(g->header_row, 1);
    done(g, s);
}

static void test_encoding(void)
{
    lk_sample *s;
    /* Dutch Excel: Windows-1252 (the é of José as the single byte E9) */
    lk_suggestion *g = suggest("enc1.csv", "Personeelsnr;Naam;Uren gewerkt\n1001;Jos\xe9;160\n", &s,
                               NULL);
    CU_ASSERT_STRING_EQUAL(s->encoding, "Windows-1252");
    CU_ASSERT_STRING_EQUAL(lk_sample_text(&s->rows[1], 1), "Jos\xc3\xa9");
    done(g, s);
    g = suggest("enc2.csv", "Personeelsnr;Naam;Uren gewerkt\n1001;Jos\xc3\xa9;160\n", &s, NULL);
    CU_ASSERT_STRING_EQUAL(s->encoding, "UTF-8");
    done(g, s);
}

static void test_thousands(void)
{
    lk_sample *s;
    lk_suggestion *g = suggest("c.csv", "Personeelsnr;Reiskm\n1001;1.240,50\n1002;860\n", &s,
                               NULL);
    CU_ASSERT_EQUAL(g->decimal, ',');
    CU_ASSERT_EQUAL(g->thousands, '.');
    done(g, s);
    /* "1.234" alone says nothing: no convention, no grouping */
    g = suggest("c2.csv", "Personeelsnr,Reiskm\n1001,1.240\n", &s, NULL);
    CU_ASSERT_EQUAL(g->decimal, 0);
    CU_ASSERT_EQUAL(g->thousands, 0);
    done(g, s);
}

static void test_mixed_decimals_are_a_question(void)
{
    lk_sample *s;
    lk_suggestion *g = suggest("d.csv", "Personeelsnr;Uren gewerkt\n1001;7,5\n1002;7.5\n", &s,
                               NULL);
    CU_ASSERT(g->nopen == 1 && !strcmp(g->open[0], "decimal"));
    done(g, s);
}

static void test_totals_row_checked(void)
{
    lk_sample *s;
    lk_suggestion *g = suggest("e.csv", "Personeelsnr;Naam;Uren gewerkt\n1001;A;160\n"
                               "1002;B;152,5\n;Totaal;312,5\n", &s, NULL);
    CU_ASSERT(g->has_totals);
    CU_ASSERT(g->totals_checked);
    CU_ASSERT_EQUAL(g->totals_col, 1);
    CU_ASSERT_STRING_EQUAL(g->totals_pattern, "Totaal*");
    CU_ASSERT_EQUAL(g->totals_row, 4);
    char *text = lk_suggest_write(g, catalog, "t", "test");
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"totalsRow\": { \"column\": \"Naam\", \"matches\": "
                                        "\"Totaal*\" }"));
    free(text);
    done(g, s);
}

static void test_totals_row_not_adding_up_is_skipped(void)
{
    lk_sample *s;
    lk_suggestion *g = suggest("f.csv", "Personeelsnr;Naam;Uren gewerkt\n1001;A;160\n"
                               "1002;B;152,5\n;Totaal;313,5\n", &s, NULL);
    CU_ASSERT(g->has_totals);
    CU_ASSERT(!g->totals_checked);
    CU_ASSERT_STRING_EQUAL(g->totals_said, "313,5");
    CU_ASSERT_STRING_EQUAL(g->totals_sum, "312.5");
    char *text = lk_suggest_write(g, catalog, "t", "test");
    CU_ASSERT_PTR_NULL(strstr(text, "totalsRow"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"skipRows\""));
    free(text);
    done(g, s);
}

static void test_subtotals_and_grand_total(void)
{
    lk_sample *s;
    lk_suggestion *g = suggest("g.csv", "Klantnr;Personeelsnr;Naam;Periode;Uren\n"
                               "40101;1001;A;2026-11;10\n;;Subtotaal 40101;;10\n"
                               "40301;3001;B;2026-11;5\n;;Subtotaal 40301;;5\n;;Totaal;;15\n",
                               &s, NULL);
    CU_ASSERT(g->has_totals && g->totals_checked);
    CU_ASSERT_EQUAL(g->nskips, 1);
    CU_ASSERT_STRING_EQUAL(g->skips[0].pattern, "Subtotaal*");
    CU_ASSERT_EQUAL(g->skips[0].rows, 2);
    CU_ASSERT_EQUAL(g->col_role[LK_ROLE_EMPLOYER], 0);
    CU_ASSERT_EQUAL(g->col_role[LK_ROLE_PERIOD], 3);
    done(g, s);
}

static void test_loket_template(void)
{
    lk_sample *s;
    lk_suggestion *g = suggest("h.csv", "Template voor importeren variabele gegevens\n"
                               "Werkgever;Bakkerij;;Loonheffingennummer;40101\n"
                               "Periode;november 2026\n;;;Uren gewerkt;Reiskostenverg\n"
                               "Personeelsnummer;Naam;Dienstverband;10;21\n"
                               "1001;Jansen;1;152;38,4\n1002;Vries;1;144;\n", &s, NULL);
    CU_ASSERT_EQUAL(g->layout, LK_LAYOUT_COMPONENT_ROW);
    CU_ASSERT_EQUAL(g->component_row, 5);
    CU_ASSERT_EQUAL(g->name_row, 4);
    CU_ASSERT_EQUAL(g->first_value_col, 3);
    CU_ASSERT_EQUAL(g->col_role[LK_ROLE_PAYROLL_ID], 2);
    CU_ASSERT_EQUAL(lk_suggest_count_open(g), 0);
    done(g, s);
}

static void test_title_with_a_number_is_no_template(void)
{
    lk_sample *s;
    lk_suggestion *g = suggest("i.csv", "Werkgever;Bakkerij;;Loonheffingennummer;40101\n"
                               "Personeelsnr;Naam;Uren gewerkt\n1001;A;160\n1002;B;150\n", &s,
                               NULL);
    CU_ASSERT_EQUAL(g->layout, LK_LAYOUT_WIDE);
    CU_ASSERT_EQUAL(g->header_row, 2);
    done(g, s);
}

static void test_long_by_header(void)
{
    lk_sample *s;
    lk_suggestion *g = suggest("j.csv", "Personeelsnummer;Periode;Looncomponent;Waarde\n"
                               "1101;2026-P12;10;144\n1101;2026-P12;20;240\n1102;2026-P12;10;152\n",
                               &s, NULL);
    CU_ASSERT_EQUAL(g->layout, LK_LAYOUT_LONG);
    CU_ASSERT(g->long_numeric_codes);
    CU_ASSERT_EQUAL(g->ncomps, 2);
    CU_ASSERT_EQUAL(comp(g, "20")->key, 20);
    CU_ASSERT_EQUAL(comp(g, "10")->values, 2);
    done(g, s);
}

static void test_long_by_values(void)
{
    lk_sample *s;
    lk_suggestion *g = suggest("k.csv", "Nr medewerker;Wat;Hoeveel\n1001;Uren;160\n1001;Km;400\n"
                               "1002;Uren;150\n1002;Km;100\n1003;Uren;8\n1003;Km;5\n", &s, NULL);
    CU_ASSERT_EQUAL(g->layout, LK_LAYOUT_LONG);
    CU_ASSERT_EQUAL(g->col_role[LK_ROLE_LONG_CODE], 1);
    CU_ASSERT_EQUAL(g->col_role[LK_ROLE_LONG_VALUE], 2);
    CU_ASSERT(!g->long_numeric_codes);
    CU_ASSERT_EQUAL(comp(g, "Km")->key, 20);
    done(g, s);
}

static void test_too_many_codes(void)
{
    lk_sample *s;
    char *text = malloc(40 * (LK_MAX_CODES + 10) + 64);
    size_t n = (size_t)sprintf(text, "Personeelsnr;Looncomponent;Waarde\n");
    for (int i = 0; i < LK_MAX_CODES + 5; i++)
        n += (size_t)sprintf(text + n, "1001;soort %d;1\n", i);
    lk_suggestion *g = suggest("codes.csv", text, &s, NULL);
    free(text);
    CU_ASSERT_EQUAL(g->ncomps, LK_MAX_CODES);
    CU_ASSERT(g->nopen >= 1 && !strcmp(g->open[0], "codes"));
    done(g, s);
}

static void test_xlsx_sheet(void)
{
    lk_sample *s = NULL;
    lk_error err;
    lk_error_clear(&err);
    CU_ASSERT_EQUAL_FATAL(lk_sample_read("tests/data/assistant/exports/12-werkbonnen.xlsx", NULL,
                                         &s, &err), LK_OK);
    CU_ASSERT_EQUAL(s->type, LK_FILE_XLSX);
    CU_ASSERT_STRING_EQUAL(s->sheet, "Uren november");
    CU_ASSERT_EQUAL(s->nother_sheets, 0);  /* a one-line notes sheet is no question */
    lk_sample_free(s);
    CU_ASSERT_EQUAL_FATAL(lk_sample_read("tests/data/assistant/exports/12-werkbonnen.xlsx",
                                         "Toelichting", &s, &err), LK_OK);
    CU_ASSERT_STRING_EQUAL(s->sheet, "Toelichting");
    lk_sample_free(s);
    CU_ASSERT_NOT_EQUAL(lk_sample_read("tests/data/assistant/exports/nonexistent.csv", NULL, &s,
                                       &err), LK_OK);
}

/* ---------------------------------------------------------------- columns */

static void test_roles(void)
{
    lk_sample *s;
    lk_suggestion *g = suggest("l.csv", "Datum;Medewerker;Personeelsnr;Dienstverband;Kostenplaats;"
                               "Jaar;Uren\n02-11-2026;Jansen;1001;1;PROD;2026;8\n"
                               "03-11-2026;Vries;1002;1;ADM;2026;7,5\n", &s, NULL);
    CU_ASSERT_EQUAL(g->col_role[LK_ROLE_DATE], 0);
    CU_ASSERT_EQUAL(g->cols[1].role, LK_ROLE_NAME);   /* "Medewerker" over names */
    CU_ASSERT_EQUAL(g->col_role[LK_ROLE_EMPLOYEE_NUMBER], 2);
    CU_ASSERT_EQUAL(g->col_role[LK_ROLE_PAYROLL_ID], 3);
    CU_ASSERT_EQUAL(g->col_role[LK_ROLE_COST_CENTER], 4);
    CU_ASSERT_EQUAL(g->cols[5].role, LK_ROLE_SKIP);   /* Jaar: no payroll data */
    CU_ASSERT_EQUAL(comp(g, "Uren")->key, 10);
    CU_ASSERT_EQUAL(lk_suggest_count_open(g), 0);
    done(g, s);
}

static void test_nothing_to_import(void)
{
    lk_sample *s;
    /* found by fuzz_suggest: no value column at all was "sure", and the mapping written then
     * had no component, which the loader refuses */
    lk_suggestion *g = suggest("none.csv", "Personeelsnr;Naam;Periode\n1001;A;2026-11\n", &s,
                               NULL);
    CU_ASSERT_EQUAL(g->ncomps, 0);
    CU_ASSERT(lk_suggest_count_open(g) >= 1);
    CU_ASSERT(g->nopen == 1 && !strcmp(g->open[0], "novalues"));
    done(g, s);
}

static void test_empty_columns(void)
{
    lk_sample *s;
    /* empty this month: a component's header is still mapped (next month has values), an
     * unknown header is not read and asks nothing */
    lk_suggestion *g = suggest("emp.csv", "Personeelsnr;Uren gewerkt;Ziekte-uren;Extra;\n"
                               "1001;160;;;\n1002;150;;;\n", &s, NULL);
    CU_ASSERT_EQUAL(comp(g, "Ziekte-uren")->key, 13);
    CU_ASSERT(!comp(g, "Ziekte-uren")->open);
    CU_ASSERT_EQUAL(comp(g, "Extra")->key, 0);
    CU_ASSERT(comp(g, "Extra")->empty_unknown);
    CU_ASSERT_EQUAL(lk_suggest_count_open(g), 0);
    done(g, s);
}

static void test_employee_number_without_header_is_unsure(void)
{
    lk_sample *s;
    lk_suggestion *g = suggest("m.csv", "Nr;Naam;Uren gewerkt\n1001;A;160\n1002;B;150\n", &s,
                               NULL);
    CU_ASSERT_EQUAL(g->col_role[LK_ROLE_EMPLOYEE_NUMBER], 0);
    CU_ASSERT(g->cols[0].confidence < LK_SURE);
    CU_ASSERT_EQUAL(lk_suggest_count_open(g), 1);
    done(g, s);
}

static void test_no_employee_column(void)
{
    lk_sample *s;
    lk_suggestion *g = suggest("n.csv", "Naam;Uren gewerkt\nA;160\nB;150,5\n", &s, NULL);
    CU_ASSERT_EQUAL(g->col_role[LK_ROLE_EMPLOYEE_NUMBER], LK_NO_COLUMN);
    CU_ASSERT(g->nopen == 1 && !strcmp(g->open[0], "employee"));
    done(g, s);
}

/* ---------------------------------------------------------------- names and components */

static void test_norm_name(void)
{
    char a[256], b[256];
    CU_ASSERT_STRING_EQUAL(lk_norm_name("Ziekte-uren (€)", a, sizeof a),
                           lk_norm_name("uren  ZIEKTE", b, sizeof b));
    CU_ASSERT_STRING_EQUAL(lk_norm_name("Gewerkte uren", a, sizeof a),
                           lk_norm_name("uren gewerkt", b, sizeof b));
    CU_ASSERT_STRING_EQUAL(lk_norm_name("Overuren 125%", a, sizeof a), "125 overuren");
    CU_ASSERT_STRING_EQUAL(lk_norm_name("Déclaraties EUR", a, sizeof a), "declaraties");
    CU_ASSERT_STRING_EQUAL(lk_norm_name("Aantal", a, sizeof a), "aantal"); /* only fillers */
    CU_ASSERT_STRING_EQUAL(lk_norm_name("", a, sizeof a), "");
}

static void test_components_by_name_synonym_and_minutes(void)
{
    lk_sample *s;
    lk_suggestion *g = suggest("o.csv", "Personeelsnr;Gewerkte uren;Overwerk 125%;ORT;Declaraties;"
                               "Verzuim (min)\n1001;160;2;3;12,50;120\n", &s, NULL);
    CU_ASSERT_EQUAL(comp(g, "Gewerkte uren")->key, 10);
    CU_ASSERT_EQUAL(comp(g, "Gewerkte uren")->cand[0].why, LK_WHY_NAME);
    CU_ASSERT_EQUAL(comp(g, "Overwerk 125%")->key, 11);
    CU_ASSERT_EQUAL(comp(g, "Overwerk 125%")->cand[0].why, LK_WHY_SYNONYM);
    CU_ASSERT_EQUAL(comp(g, "ORT")->key, 31);
    CU_ASSERT_EQUAL(comp(g, "Declaraties")->key, 22);
    CU_ASSERT_EQUAL(comp(g, "Verzuim (min)")->key, 13);
    CU_ASSERT_EQUAL(comp(g, "Verzuim (min)")->divide_by, 60);
    CU_ASSERT_EQUAL(lk_suggest_count_open(g), 0);
    done(g, s);
}

static void test_unsure_components_stay_open(void)
{
    lk_sample *s;
    /* "Overuren": 125% or 150%? "Reiskosten km": kilometres or an allowance? "Uren" twice */
    lk_suggestion *g = suggest("p.csv", "Personeelsnr;Overuren;Reiskosten km;Uren;Werkuren\n"
                               "1001;2;40;8;8\n", &s, NULL);
    CU_ASSERT(comp(g, "Overuren")->open);
    CU_ASSERT(comp(g, "Overuren")->ncand >= 2);
    CU_ASSERT(comp(g, "Reiskosten km")->open);
    CU_ASSERT(comp(g, "Uren")->open);          /* two columns on component 10 */
    CU_ASSERT(comp(g, "Werkuren")->open);
    CU_ASSERT_EQUAL(lk_suggest_count_open(g), 4);
    done(g, s);
}

static void test_negative_values_are_a_question(void)
{
    lk_sample *s;
    lk_suggestion *g = suggest("q.csv", "Personeelsnr;Uren gewerkt\n1001;160\n1001;-4\n", &s,
                               NULL);
    CU_ASSERT_EQUAL(comp(g, "Uren gewerkt")->negatives, 1);
    CU_ASSERT(comp(g, "Uren gewerkt")->open);
    done(g, s);
}

static void test_learned_from_the_bureau(void)
{
    lk_learned *l = lk_learned_read("tests/data/assistant/learned");
    CU_ASSERT_EQUAL(l->mappings, 1);
    lk_sample *s;
    lk_suggestion *g = suggest("r.csv", "Personeelsnr;Uren WB;Km reg.\n1001;160;400\n", &s, l);
    CU_ASSERT_EQUAL(comp(g, "Uren WB")->key, 10);
    CU_ASSERT_EQUAL(comp(g, "Uren WB")->cand[0].why, LK_WHY_LEARNED);
    CU_ASSERT_PTR_NOT_NULL(strstr(comp(g, "Uren WB")->cand[0].from, "klant-werkbon.json"));
    CU_ASSERT_EQUAL(comp(g, "Km reg.")->key, 20);
    CU_ASSERT_EQUAL(lk_suggest_count_open(g), 0);
    done(g, s);
    /* without the bureau's mapping the same header is a question */
    g = suggest("r2.csv", "Personeelsnr;Uren WB\n1001;160\n", &s, NULL);
    CU_ASSERT(comp(g, "Uren WB")->open);
    done(g, s);
    lk_learned_free(l);
    l = lk_learned_read("tests/data/assistant/no-such-folder");
    CU_ASSERT_EQUAL(l->n, 0);
    lk_learned_free(l);
}

static void test_written_mapping_loads(void)
{
    lk_sample *s;
    lk_suggestion *g = suggest("s.csv", "Personeelsnr;Naam;Kostenplaats;Datum;Uren gewerkt;Reiskm\n"
                               "1001;A;PROD;02-11-2026;8;40\n1002;B;ADM;03-11-2026;7,5;\n", &s,
                               NULL);
    g->employer = strdup("40101");
    char *text = lk_suggest_write(g, catalog, "s.csv", "test \"quoted\"");
    lk_mapping *m = NULL;
    lk_error err;
    lk_error_clear(&err);
    CU_ASSERT_EQUAL(lk_mapping_parse("s.json", text, strlen(text), &m, &err), LK_OK);
    if (m) {
        CU_ASSERT_EQUAL(m->layout, LK_LAYOUT_WIDE);
        CU_ASSERT_EQUAL(m->ncomponents, 2);
        CU_ASSERT_EQUAL(m->period_source, LK_PSRC_DATE);
        CU_ASSERT_STRING_EQUAL(m->employer_fixed, "40101");
        CU_ASSERT_EQUAL(m->record_key[LK_RK_COST_CENTER].source, LK_SRC_COLUMN);
        CU_ASSERT_EQUAL(m->decimal_sep, ',');
    } else {
        fprintf(stderr, "\n%s\n%s\n", err.message, text);
    }
    /* stable: the same decisions give the same text */
    char *again = lk_suggest_write(g, catalog, "s.csv", "test \"quoted\"");
    CU_ASSERT_STRING_EQUAL(text, again);
    free(again);
    free(text);
    lk_mapping_free(m);
    done(g, s);
}

static void test_cleanup(void)
{
    lk_synonyms_free(syn);
    lk_catalog_free(catalog);
    lk_test_rmtree(tmp);
    free(tmp);
    syn = NULL;
}

static const lk_test tests[] = {
    { "sep= line, title rows, blank lines", test_sep_line_title_and_blank_lines },
    { "no sep= line, decimal point", test_no_sep_line },
    { "encoding", test_encoding },
    { "thousands grouping", test_thousands },
    { "mixed decimal marks are a question", test_mixed_decimals_are_a_question },
    { "a totals row that adds up is checked", test_totals_row_checked },
    { "a totals row that does not add up is skipped", test_totals_row_not_adding_up_is_skipped },
    { "subtotals skipped, grand total checked", test_subtotals_and_grand_total },
    { "Loket's template", test_loket_template },
    { "a title row with a number is no template", test_title_with_a_number_is_no_template },
    { "long layout by header", test_long_by_header },
    { "long layout by values", test_long_by_values },
    { "too many codes are a question", test_too_many_codes },
    { "XLSX sheet", test_xlsx_sheet },
    { "column roles", test_roles },
    { "empty columns", test_empty_columns },
    { "nothing to import is a question", test_nothing_to_import },
    { "employee number without a header is unsure", test_employee_number_without_header_is_unsure },
    { "no employee column", test_no_employee_column },
    { "names normalised", test_norm_name },
    { "components by name, synonym, minutes", test_components_by_name_synonym_and_minutes },
    { "unsure components stay open", test_unsure_components_stay_open },
    { "negative values are a question", test_negative_values_are_a_question },
    { "learned from the bureau's mappings", test_learned_from_the_bureau },
    { "the written mapping loads and is stable", test_written_mapping_loads },
    { "cleanup", test_cleanup },
    { NULL, NULL },
};

int main(void)
{
    return lk_test_main("suggest", tests);
}
