/*
 * test_input_checks.c: the checks that keep a file from being taken silently when it is not
 * what it looks like: the export's own totals row (input.totalsRow), files without data rows,
 * blank lines counted and listed, and a file cut off in its last record. The files are real
 * CSV files read through the reader, as validate, plan and apply read them.
 */
#include "common/util.h"
#include "mapping/aggregate.h"
#include "support/cunit_main.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct fixture {
    lk_mapping *m;
    lk_entry_set set;
    char path[64];
} fixture;

/* Writes text to a temporary CSV file, reads it with the mapping; false when the mapping does
 * not load (err then holds why). */
static bool run(fixture *f, const char *mapping, const char *text, lk_error *err)
{
    memset(f, 0, sizeof(*f));
    lk_entry_set_init(&f->set);
    snprintf(f->path, sizeof(f->path), "/tmp/lk-input-checks-XXXXXX");
    int fd = mkstemp(f->path);
    CU_ASSERT_FATAL(fd >= 0);
    size_t len = strlen(text);
    CU_ASSERT_FATAL(write(fd, text, len) == (ssize_t)len);
    close(fd);
    if (lk_mapping_parse("m.json", mapping, strlen(mapping), &f->m, err) != LK_OK)
        return false;
    lk_aggregator *a = lk_aggregator_new(f->m, NULL, &f->set, err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_EQUAL(lk_aggregator_add_file(a, f->path, err), LK_OK);
    lk_aggregator_free(a);
    return true;
}

static void teardown(fixture *f)
{
    unlink(f->path);
    lk_entry_set_free(&f->set);
    lk_mapping_free(f->m);
}

/* The first issue (error or skipped) whose message contains text, or NULL. */
static const lk_row_issue *issue_with(const fixture *f, const char *text)
{
    for (size_t i = 0; i < f->set.nissues; i++)
        if (strstr(f->set.issues[i].error.message, text))
            return &f->set.issues[i];
    return NULL;
}

static const lk_entry *entry_of(const fixture *f, long employee, int component)
{
    for (size_t i = 0; i < f->set.nentries; i++)
        if (f->set.entries[i].employee.employee_number == employee &&
            f->set.entries[i].component == component)
            return &f->set.entries[i];
    return NULL;
}

#define TOTALS_MAPPING(extra) \
    "{\"layout\": \"wide\", \"input\": {\"decimalSeparator\": \",\", " \
    "\"totalsRow\": {\"column\": \"Naam\", \"matches\": \"Totaal*\"}" extra "}, " \
    "\"employee\": {\"employeeNumber\": \"Nr\"}, \"period\": {\"source\": \"fixed\", " \
    "\"value\": \"2026-11\"}, \"components\": [{\"column\": \"Uren\", \"component\": 10}, " \
    "{\"column\": \"Km\", \"component\": 20, \"divideBy\": 10}]}"

/* ---------------------------------------------------------------- totals row */

static void test_totals_row_matches(void)
{
    fixture f;
    lk_error err;
    /* 7,333333 three times is 21,999999 exactly; Km is compared as written, before divideBy */
    CU_ASSERT_FATAL(run(&f, TOTALS_MAPPING(""),
                        "Nr;Naam;Uren;Km\n1001;A;7,333333;120\n1002;B;7,333333;\n"
                        "1003;C;7,333333;5,5\n;Totaal;21,999999;125,5\n", &err));
    CU_ASSERT_EQUAL(lk_entry_set_errors(&f.set), 0);
    const lk_row_issue *is = issue_with(&f, "totals row");
    CU_ASSERT_PTR_NOT_NULL_FATAL(is);
    CU_ASSERT(is->skipped);
    CU_ASSERT_EQUAL(is->error.row, 5);
    const lk_file_info *fi = &f.set.file_info[0];
    CU_ASSERT_EQUAL(fi->rows_read, 4);
    CU_ASSERT_EQUAL(fi->rows_used, 3);
    CU_ASSERT_EQUAL(fi->rows_skipped, 1);
    CU_ASSERT_FALSE(fi->failed);
    CU_ASSERT_PTR_NOT_NULL(entry_of(&f, 1003, 20));
    CU_ASSERT_EQUAL(entry_of(&f, 1003, 20)->value, 550000);   /* 5,5 / 10 */
    teardown(&f);
}

static void test_totals_row_mismatch(void)
{
    fixture f;
    lk_error err;
    /* the hours add up to 21,999999, the file says 22: exact decimals see the difference */
    CU_ASSERT_FATAL(run(&f, TOTALS_MAPPING(""),
                        "Nr;Naam;Uren;Km\n1001;A;7,333333;120\n1002;B;7,333333;\n"
                        "1003;C;7,333333;5,5\n;Totaal;22;125,5\n", &err));
    CU_ASSERT_EQUAL(lk_entry_set_errors(&f.set), 1);
    const lk_row_issue *is = issue_with(&f, "totals row says");
    CU_ASSERT_PTR_NOT_NULL_FATAL(is);
    CU_ASSERT_FALSE(is->skipped);
    CU_ASSERT_EQUAL(is->error.row, 5);
    CU_ASSERT_STRING_EQUAL(is->error.column, "C");
    CU_ASSERT_STRING_EQUAL(is->error.header, "Uren");
    CU_ASSERT_PTR_NOT_NULL(strstr(is->error.message, "\"22\" (22)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(is->error.message, "add up to 21.999999"));
    CU_ASSERT_PTR_NOT_NULL(strstr(is->error.message, "difference 0.000001"));
    const lk_file_info *fi = &f.set.file_info[0];
    CU_ASSERT_EQUAL(fi->rows_read, fi->rows_used + fi->rows_skipped + fi->rows_failed);
    CU_ASSERT_EQUAL(fi->rows_failed, 1);
    teardown(&f);

    /* a row with an error adds nothing to the sums, so the totals say it too */
    CU_ASSERT_FATAL(run(&f, TOTALS_MAPPING(""),
                        "Nr;Naam;Uren;Km\n1001;A;8;\n1002;B;7,5x;\n;Totaal;15,5;\n", &err));
    CU_ASSERT_EQUAL(lk_entry_set_errors(&f.set), 2);
    CU_ASSERT_PTR_NOT_NULL(issue_with(&f, "add up to 8 (difference 7.5)"));
    teardown(&f);

    /* a blank totals cell is not compared; a text in it is an error */
    CU_ASSERT_FATAL(run(&f, TOTALS_MAPPING(""),
                        "Nr;Naam;Uren;Km\n1001;A;8;3\n;Totaal;;veel\n", &err));
    CU_ASSERT_EQUAL(lk_entry_set_errors(&f.set), 1);
    const lk_row_issue *bad = issue_with(&f, "totals row:");
    CU_ASSERT_PTR_NOT_NULL_FATAL(bad);
    CU_ASSERT_STRING_EQUAL(bad->error.column, "D");
    teardown(&f);
}

static void test_totals_row_missing(void)
{
    fixture f;
    lk_error err;
    /* the mapping says the export ends with its totals: without them it may be cut off */
    CU_ASSERT_FATAL(run(&f, TOTALS_MAPPING(""), "Nr;Naam;Uren;Km\n1001;A;8;3\n1002;B;8;8\n",
                        &err));
    CU_ASSERT_EQUAL(lk_entry_set_errors(&f.set), 1);
    CU_ASSERT_PTR_NOT_NULL(issue_with(&f, "no totals row"));
    CU_ASSERT(f.set.file_info[0].failed);
    CU_ASSERT(entry_of(&f, 1002, 10) && entry_of(&f, 1002, 10)->incomplete);
    teardown(&f);
}

static void test_totals_row_mapping(void)
{
    fixture f;
    lk_error err;
    CU_ASSERT_FALSE(run(&f, "{\"layout\": \"wide\", \"input\": {\"totalsRow\": {\"column\": "
                            "\"Naam\"}}, \"employee\": {\"employeeNumber\": \"Nr\"}, "
                            "\"components\": [{\"column\": \"Uren\", \"component\": 10}]}",
                        "Nr\n", &err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "input.totalsRow"));
    teardown(&f);
    CU_ASSERT_FALSE(run(&f, "{\"layout\": \"wide\", \"input\": {\"totalsRow\": [1]}, "
                            "\"employee\": {\"employeeNumber\": \"Nr\"}, "
                            "\"components\": [{\"column\": \"Uren\", \"component\": 10}]}",
                        "Nr\n", &err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "input.totalsRow"));
    teardown(&f);
}

/* ---------------------------------------------------------------- blank rows */

#define PLAIN_MAPPING \
    "{\"layout\": \"wide\", \"input\": {\"decimalSeparator\": \",\"}, " \
    "\"employee\": {\"employeeNumber\": \"Nr\"}, \"period\": {\"source\": \"fixed\", " \
    "\"value\": \"2026-11\"}, \"components\": [{\"column\": \"Uren\", \"component\": 10}, " \
    "{\"column\": \"Km\", \"component\": 20}]}"

static void assert_accounted(const fixture *f)
{
    const lk_file_info *fi = &f->set.file_info[0];
    CU_ASSERT_EQUAL(fi->rows_read,
                    fi->rows_used + fi->rows_skipped + fi->rows_blank + fi->rows_failed);
    CU_ASSERT_EQUAL(f->set.rows_read, fi->rows_read);
}

static void test_blank_rows(void)
{
    fixture f;
    lk_error err;
    /* an empty line, a line of delimiters, a quoted line break, an empty line before the last */
    CU_ASSERT_FATAL(run(&f, PLAIN_MAPPING,
                        "Nr;Naam;Uren;Km\n1001;A;8;1\n\n;;;\n1002;\"B\nde\";8;2\n\n1003;C;8;3\n",
                        &err));
    const lk_file_info *fi = &f.set.file_info[0];
    CU_ASSERT_EQUAL(fi->rows_read, 6);    /* lines 2..8; lines 5-6 are one record */
    CU_ASSERT_EQUAL(fi->rows_blank, 3);
    CU_ASSERT_EQUAL(fi->rows_used, 3);
    assert_accounted(&f);
    CU_ASSERT_EQUAL(lk_entry_set_errors(&f.set), 0);
    const lk_row_issue *run1 = issue_with(&f, "blank rows");
    CU_ASSERT_PTR_NOT_NULL_FATAL(run1);
    CU_ASSERT(run1->skipped);
    CU_ASSERT_EQUAL(run1->error.row, 3);
    CU_ASSERT_EQUAL(run1->last_row, 4);
    const lk_row_issue *run2 = issue_with(&f, "blank row");
    CU_ASSERT_PTR_NOT_NULL_FATAL(run2);
    CU_ASSERT_EQUAL(f.set.nissues, 2);
    CU_ASSERT_EQUAL(f.set.issues[1].error.row, 7);
    CU_ASSERT_EQUAL(f.set.issues[1].last_row, 0);
    teardown(&f);
    /* blank lines after the last row (CRLF, a line of spaces without a line break at the end)
     * are physical lines too */
    CU_ASSERT_FATAL(run(&f, PLAIN_MAPPING, "Nr;Naam;Uren;Km\r\n1001;A;8;1\r\n\r\n;;;\r\n  ", &err));
    fi = &f.set.file_info[0];
    CU_ASSERT_EQUAL(fi->rows_read, 4);
    CU_ASSERT_EQUAL(fi->rows_blank, 3);
    assert_accounted(&f);
    CU_ASSERT_EQUAL_FATAL(f.set.nissues, 1);
    CU_ASSERT_EQUAL(f.set.issues[0].error.row, 3);
    CU_ASSERT_EQUAL(f.set.issues[0].last_row, 5);
    teardown(&f);
}

/* ---------------------------------------------------------------- empty and cut-off files */

static void test_empty_files(void)
{
    static const char *const texts[] = { "Nr;Naam;Uren;Km\n", "x", "",
                                         "Nr;Naam;Uren;Km\n\n;;;\n" };
    for (size_t i = 0; i < 4; i++) {
        fixture f;
        lk_error err;
        CU_ASSERT_FATAL(run(&f, PLAIN_MAPPING, texts[i], &err));
        CU_ASSERT_EQUAL(lk_entry_set_errors(&f.set), 1);
        if (i == 3) /* the blank lines after the header are rows too: counted and named */
            CU_ASSERT_PTR_NOT_NULL(issue_with(&f, "no row with values (2 rows: 0 skipped, 2 blank)"))
        else
            CU_ASSERT(issue_with(&f, "no data rows") || issue_with(&f, "ends before reaching header") ||
                      issue_with(&f, "not in header row"));
        if (i == 3)
            assert_accounted(&f);
        teardown(&f);
    }
    /* only skipped rows: nothing to import either */
    fixture f;
    lk_error err;
    CU_ASSERT_FATAL(run(&f, PLAIN_MAPPING, "Nr;Naam;Uren;Km\n1001;A;;\n", &err));
    CU_ASSERT_PTR_NOT_NULL(issue_with(&f, "no row with values (1 rows: 1 skipped, 0 blank)"));
    teardown(&f);
}

static void test_allow_empty(void)
{
    fixture f;
    lk_error err;
    memset(&f, 0, sizeof(f));
    lk_entry_set_init(&f.set);
    snprintf(f.path, sizeof(f.path), "/tmp/lk-input-checks-XXXXXX");
    int fd = mkstemp(f.path);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_FATAL(write(fd, "Nr;Naam;Uren;Km\n", 16) == 16);
    close(fd);
    CU_ASSERT_EQUAL_FATAL(lk_mapping_parse("m.json", PLAIN_MAPPING, strlen(PLAIN_MAPPING), &f.m,
                                           &err), LK_OK);
    lk_aggregator *a = lk_aggregator_new(f.m, NULL, &f.set, &err);
    lk_aggregator_set_allow_empty(a, true);
    CU_ASSERT_EQUAL(lk_aggregator_add_file(a, f.path, &err), LK_OK);
    lk_aggregator_free(a);
    CU_ASSERT_EQUAL(lk_entry_set_errors(&f.set), 0);
    teardown(&f);
}

static void test_cut_off(void)
{
    fixture f;
    lk_error err;
    /* the last employee's 805,6 km became 80, the rest of the row and the totals row are gone */
    CU_ASSERT_FATAL(run(&f, "{\"layout\": \"wide\", \"input\": {\"decimalSeparator\": \",\"}, "
                            "\"employee\": {\"employeeNumber\": \"Nr\"}, \"period\": {\"source\": "
                            "\"fixed\", \"value\": \"2026-11\"}, \"components\": [{\"column\": "
                            "\"Km\", \"component\": 20}, {\"column\": \"Toeslag\", "
                            "\"component\": 31}]}",
                        "Nr;Naam;Km;Toeslag\n1001;A;120;1\n1002;B;80", &err));
    const lk_row_issue *is = issue_with(&f, "cut off");
    CU_ASSERT_PTR_NOT_NULL_FATAL(is);
    CU_ASSERT_EQUAL(is->error.row, 3);
    CU_ASSERT_PTR_NOT_NULL(strstr(is->error.message, "3 of the 4 fields"));
    CU_ASSERT(f.set.file_info[0].failed);
    CU_ASSERT_PTR_NULL(entry_of(&f, 1002, 20));
    CU_ASSERT(entry_of(&f, 1001, 20) && entry_of(&f, 1001, 20)->incomplete);
    assert_accounted(&f);
    teardown(&f);
    /* a whole last record without a line break is fine */
    CU_ASSERT_FATAL(run(&f, PLAIN_MAPPING, "Nr;Naam;Uren;Km\n1001;A;8;120", &err));
    CU_ASSERT_EQUAL(lk_entry_set_errors(&f.set), 0);
    CU_ASSERT_FALSE(f.set.file_info[0].failed);
    teardown(&f);
}

/* Loket's template: title rows above the component row may have more fields than the data rows
 * (row 2 has 5, the rows of values 4); the cut-off check compares with the header and data rows. */
#define TEMPLATE_MAPPING                                                                        \
    "{\"layout\": \"componentRow\", \"input\": {\"decimalSeparator\": \",\"}, "                  \
    "\"employee\": {\"employeeNumber\": {\"letter\": \"A\"}}, \"period\": {\"source\": "       \
    "\"fixed\", \"value\": \"2026-11\"}, \"components\": [{\"component\": 12}], "               \
    "\"componentRow\": {\"row\": 5, \"nameRow\": 4, \"firstColumn\": \"D\"}}"
#define TEMPLATE_TOP                                                                            \
    "Template voor importeren variabele gegevens\r\n"                                          \
    "Werkgever;Bakkerij;;Loonheffingennummer;40102\r\n"                                        \
    "Periode;2026-11\r\n"                                                                      \
    ";;;Overuren 150%\r\n"                                                                     \
    "Personeelsnr;Naam;Dienstverband;12\r\n"

static void test_cut_off_template(void)
{
    fixture f;
    lk_error err;
    /* a whole last row without a line break, its value cell empty: complete */
    CU_ASSERT_FATAL(run(&f, TEMPLATE_MAPPING,
                        TEMPLATE_TOP "1114;Maas, G.;1;2,43\r\n1111;Willems, E.;1;9,13\r\n"
                                     "1114;Maas, G.;1;", &err));
    CU_ASSERT_PTR_NULL(issue_with(&f, "cut off"));
    CU_ASSERT_FALSE(f.set.file_info[0].failed);
    CU_ASSERT_EQUAL(lk_entry_set_errors(&f.set), 0);
    const lk_entry *e = entry_of(&f, 1111, 12);
    CU_ASSERT(e && e->value == 9130000 && !e->incomplete);
    assert_accounted(&f);
    teardown(&f);
    /* the same last row with a value: complete too */
    CU_ASSERT_FATAL(run(&f, TEMPLATE_MAPPING, TEMPLATE_TOP "1111;Willems, E.;1;9,13", &err));
    CU_ASSERT_PTR_NULL(issue_with(&f, "cut off"));
    CU_ASSERT_FALSE(f.set.file_info[0].failed);
    teardown(&f);
    /* a last row that lost its value column is still cut off (3 of the 4 fields) */
    CU_ASSERT_FATAL(run(&f, TEMPLATE_MAPPING,
                        TEMPLATE_TOP "1114;Maas, G.;1;2,43\r\n1111;Willems, E.;1", &err));
    const lk_row_issue *is = issue_with(&f, "cut off");
    CU_ASSERT_PTR_NOT_NULL_FATAL(is);
    CU_ASSERT_EQUAL(is->error.row, 7);
    CU_ASSERT_PTR_NOT_NULL(strstr(is->error.message, "3 of the 4 fields"));
    CU_ASSERT(f.set.file_info[0].failed);
    assert_accounted(&f);
    teardown(&f);
}

static const lk_test tests[] = {
    { "blank rows counted and listed", test_blank_rows },
    { "files without data rows", test_empty_files },
    { "--allow-empty", test_allow_empty },
    { "a cut-off last record", test_cut_off },
    { "a template's title rows are not the width of its rows", test_cut_off_template },
    { "totals row equal to the rows above", test_totals_row_matches },
    { "totals row differs: column and both numbers", test_totals_row_mismatch },
    { "totals row missing", test_totals_row_missing },
    { "totalsRow in the mapping", test_totals_row_mapping },
    { NULL, NULL },
};

int main(void)
{
    return lk_test_main("input_checks", tests);
}
