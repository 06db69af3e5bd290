/*
 * test_aggregate.c: rows -> entries: sums and row spans, duplicates, atomic rows, skipped rows,
 * blank rules, scaling and rounding, the three layouts, periods and dates, record keys,
 * employers, missing columns, and accounting of every row.
 */
#include "common/util.h"
#include "mapping/aggregate.h"
#include "support/cunit_main.h"

#include <stdio.h>
#include <string.h>

typedef struct fixture {
    lk_mapping *m;
    lk_entry_set set;
    lk_aggregator *a;
} fixture;

static void setup(fixture *f, const char *json, const lk_period_ref *period)
{
    lk_error err;
    memset(f, 0, sizeof(*f));
    lk_code rc = lk_mapping_parse("m.json", json, strlen(json), &f->m, &err);
    if (rc != LK_OK)
        fprintf(stderr, "\n  mapping: %s\n", err.message);
    CU_ASSERT_EQUAL_FATAL(rc, LK_OK);
    lk_entry_set_init(&f->set);
    f->a = lk_aggregator_new(f->m, period, &f->set, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f->a);
}

static void begin(fixture *f, const char *file, char decimal)
{
    lk_number_style st = { decimal, decimal == ',' ? '.' : ',' };
    lk_aggregator_begin_file(f->a, file, &st);
}

/* Feeds one row: cells separated by ';' (strings; empty = LK_CELL_EMPTY). */
static void feed(fixture *f, const char *file, unsigned long number, const char *line)
{
    lk_cell cells[32];
    char *copy = xstrdup(line);
    size_t n = 0;
    char *p = copy;
    for (;;) {
        char *semi = strchr(p, ';');
        if (semi)
            *semi = '\0';
        lk_cell *c = &cells[n++];
        memset(c, 0, sizeof(*c));
        c->type = *p ? LK_CELL_STRING : LK_CELL_EMPTY;
        c->text = p;
        c->len = strlen(p);
        if (!semi || n == 32)
            break;
        p = semi + 1;
    }
    while (n > 0 && cells[n - 1].type == LK_CELL_EMPTY)
        n--;
    lk_row row = { file, NULL, number, n, cells, 0, 0, false };
    lk_aggregator_add_row(f->a, &row);
    free(copy);
}

static void finish(fixture *f)
{
    lk_aggregator_end_file(f->a);
}

static void teardown(fixture *f)
{
    lk_aggregator_free(f->a);
    lk_entry_set_free(&f->set);
    lk_mapping_free(f->m);
}

static const lk_entry *find(const fixture *f, long employee, int component, size_t nth)
{
    for (size_t i = 0; i < f->set.nentries; i++) {
        const lk_entry *e = &f->set.entries[i];
        if (e->employee.employee_number == employee && e->component == component && nth-- == 0)
            return e;
    }
    return NULL;
}

/* The entry's rows as spans (at most max); their number. */
static size_t spans(const fixture *f, const lk_entry *e, lk_row_span *out, size_t max)
{
    lk_row_walk w;
    lk_row_span s;
    size_t n = 0;
    lk_row_walk_init(&w, &f->set, e, 0);
    while (lk_row_walk_next(&w, &s))
        if (n < max)
            out[n++] = s;
    return n;
}

static size_t errors(const fixture *f)
{
    return lk_entry_set_errors(&f->set);
}

static const lk_row_issue *issue(const fixture *f, size_t i)
{
    return i < f->set.nissues ? &f->set.issues[i] : NULL;
}

/* rows_read == rows with values + skipped + failed: nothing lost */
static void assert_accounted(const fixture *f)
{
    for (size_t i = 0; i < f->set.nfiles; i++) {
        const lk_file_info *fi = &f->set.file_info[i];
        CU_ASSERT_EQUAL(fi->rows_read, fi->rows_used + fi->rows_skipped + fi->rows_failed);
    }
}

#define WIDE "{\"layout\": \"wide\", \"input\": {\"skipRows\": [{\"column\": \"Naam\"," \
             " \"matches\": \"totaal*\", \"reason\": \"totals row\"}]}," \
             " \"employee\": {\"employeeNumber\": \"Nr\"}," \
             " \"components\": [{\"column\": \"Uren\", \"component\": 10}," \
             " {\"column\": \"Km\", \"component\": 20}]"

static void test_wide_sum_and_spans(void)
{
    fixture f;
    lk_period_ref nov = { LK_PERIOD_MONTH, 2026, 11, 0, 0 };
    setup(&f, WIDE "}", &nov);
    begin(&f, "a.csv", ',');
    feed(&f, "a.csv", 1, "Nr;Naam;Uren;Km");
    feed(&f, "a.csv", 2, "1001;Jansen;7,5;10");
    feed(&f, "a.csv", 3, "1001;Jansen;8;");
    feed(&f, "a.csv", 4, "1001;Jansen;0,25;");
    feed(&f, "a.csv", 5, "1002;Vries;8;12");
    feed(&f, "a.csv", 6, "1001;Jansen;1;");
    feed(&f, "a.csv", 7, ";Totaal;24,75;22");
    finish(&f);
    CU_ASSERT_EQUAL(f.set.nentries, 4);
    const lk_entry *e = find(&f, 1001, 10, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->value, 16750000);
    CU_ASSERT_EQUAL(e->period.kind, LK_PERIOD_MONTH);
    CU_ASSERT_EQUAL(e->period.number, 11);
    lk_row_span sp[4];
    CU_ASSERT_EQUAL(e->nrows, 4);
    CU_ASSERT_EQUAL_FATAL(spans(&f, e, sp, 4), 2);     /* 2..4 merged, then 6 */
    CU_ASSERT_EQUAL(sp[0].first, 2);
    CU_ASSERT_EQUAL(sp[0].last, 4);
    CU_ASSERT_EQUAL(sp[1].first, 6);
    CU_ASSERT_EQUAL(sp[1].last, 6);
    CU_ASSERT_STRING_EQUAL(e->column_header, "Uren");
    CU_ASSERT_EQUAL(e->mapping_column, 2);
    e = find(&f, 1001, 20, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->value, 10000000);
    CU_ASSERT_EQUAL(e->nrows, 1);             /* only row 2 has km: rows 3, 4, 6 are not its */
    CU_ASSERT_EQUAL_FATAL(spans(&f, e, sp, 4), 1);
    CU_ASSERT_EQUAL(sp[0].first, 2);
    CU_ASSERT_EQUAL(sp[0].last, 2);
    CU_ASSERT_EQUAL(errors(&f), 0);
    CU_ASSERT_EQUAL(f.set.nissues, 1);
    CU_ASSERT(issue(&f, 0)->skipped);
    CU_ASSERT_EQUAL(issue(&f, 0)->error.row, 7);
    CU_ASSERT_PTR_NOT_NULL(strstr(issue(&f, 0)->error.message, "totals row"));
    CU_ASSERT_EQUAL(f.set.rows_read, 6);
    CU_ASSERT_EQUAL(f.set.file_info[0].employees, 2);
    CU_ASSERT_EQUAL(f.set.file_info[0].ntotals, 2);
    CU_ASSERT_EQUAL(f.set.file_info[0].totals[0].component, 10);
    CU_ASSERT_EQUAL(f.set.file_info[0].totals[0].total, 24750000);
    assert_accounted(&f);
    teardown(&f);
}

static void test_reject_duplicates(void)
{
    fixture f;
    setup(&f, WIDE ", \"aggregate\": \"reject\"}", NULL);
    begin(&f, "a.csv", ',');
    feed(&f, "a.csv", 1, "Nr;Naam;Uren;Km");
    feed(&f, "a.csv", 2, "1001;J;7,5;10");
    feed(&f, "a.csv", 3, "1001;J;8;");
    finish(&f);
    /* a second file repeating the first one's row: named with its file */
    begin(&f, "b.csv", ',');
    feed(&f, "b.csv", 1, "Nr;Naam;Uren;Km");
    feed(&f, "b.csv", 2, "1001;J;;5");
    finish(&f);
    CU_ASSERT_EQUAL(errors(&f), 2);
    const lk_row_issue *is = issue(&f, 0);
    CU_ASSERT_EQUAL(is->error.row, 3);
    CU_ASSERT_STRING_EQUAL(is->error.column, "C");
    CU_ASSERT_STRING_EQUAL(is->error.header, "Uren");
    CU_ASSERT_PTR_NOT_NULL(strstr(is->error.message, "repeats row 2"));
    CU_ASSERT_EQUAL(is->employee.employee_number, 1001);
    is = issue(&f, 1);
    CU_ASSERT_STRING_EQUAL(is->error.file, "b.csv");
    CU_ASSERT_PTR_NOT_NULL(strstr(is->error.message, "a.csv row 2"));
    CU_ASSERT_EQUAL(find(&f, 1001, 10, 0)->value, 7500000);
    CU_ASSERT_EQUAL(find(&f, 1001, 20, 0)->value, 10000000);
    assert_accounted(&f);
    teardown(&f);
}

static void test_rows_are_atomic(void)
{
    fixture f;
    setup(&f, WIDE "}", NULL);
    begin(&f, "a.csv", ',');
    feed(&f, "a.csv", 1, "Nr;Naam;Uren;Km");
    feed(&f, "a.csv", 2, "1001;J;7,5x;10");      /* bad hours: the km is not taken either */
    feed(&f, "a.csv", 3, "10O1;J;8;1");           /* bad employee number */
    feed(&f, "a.csv", 4, ";Iemand;8;");           /* values without employee */
    feed(&f, "a.csv", 5, ";;;");                  /* nothing at all */
    feed(&f, "a.csv", 6, "1003;K;;");             /* an employee without values */
    feed(&f, "a.csv", 7, "1004;L;7.5;");          /* decimal point in a decimal-comma file */
    finish(&f);
    CU_ASSERT_EQUAL(f.set.nentries, 0);
    CU_ASSERT_EQUAL(errors(&f), 4);
    CU_ASSERT_EQUAL(issue(&f, 0)->error.row, 2);
    CU_ASSERT_STRING_EQUAL(issue(&f, 0)->error.column, "C");
    CU_ASSERT_PTR_NOT_NULL(strstr(issue(&f, 0)->error.message, "\"7,5x\" is not a number"));
    CU_ASSERT_EQUAL(issue(&f, 0)->error.code, LK_ERR_INPUT);
    CU_ASSERT_EQUAL(issue(&f, 1)->error.row, 3);
    CU_ASSERT_STRING_EQUAL(issue(&f, 1)->error.column, "A");
    CU_ASSERT_PTR_NOT_NULL(strstr(issue(&f, 1)->error.message, "employee number"));
    CU_ASSERT_EQUAL(issue(&f, 2)->error.row, 4);
    CU_ASSERT_PTR_NOT_NULL(strstr(issue(&f, 2)->error.message, "employee number missing"));
    CU_ASSERT(issue(&f, 3)->skipped);
    CU_ASSERT_EQUAL(issue(&f, 3)->error.row, 5);
    CU_ASSERT(issue(&f, 4)->skipped);
    CU_ASSERT_EQUAL(issue(&f, 4)->error.row, 6);
    CU_ASSERT_PTR_NOT_NULL(strstr(issue(&f, 4)->error.message, "no values"));
    CU_ASSERT_EQUAL(issue(&f, 5)->error.row, 7);
    CU_ASSERT_PTR_NOT_NULL(strstr(issue(&f, 5)->error.message, "decimal comma"));
    CU_ASSERT_EQUAL(f.set.file_info[0].rows_failed, 4);
    CU_ASSERT_EQUAL(f.set.file_info[0].rows_skipped, 2);
    assert_accounted(&f);
    teardown(&f);
}

static void test_blank_rules(void)
{
    fixture f;
    setup(&f, "{\"layout\": \"wide\", \"employee\": {\"employeeNumber\": \"Nr\"},"
              " \"components\": [{\"column\": \"A\", \"component\": 10, \"blank\": \"zero\"},"
              " {\"column\": \"B\", \"component\": 11, \"blank\": \"null\"},"
              " {\"column\": \"C\", \"component\": 12}]}", NULL);
    begin(&f, "a.csv", ',');
    feed(&f, "a.csv", 1, "Nr;A;B;C");
    feed(&f, "a.csv", 2, "1001;;;");
    feed(&f, "a.csv", 3, "1002;;5;");
    feed(&f, "a.csv", 4, "1002;;;");
    finish(&f);
    const lk_entry *e = find(&f, 1001, 10, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->value, 0);
    CU_ASSERT_FALSE(e->value_null);
    e = find(&f, 1001, 11, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT(e->value_null);
    CU_ASSERT_PTR_NULL(find(&f, 1001, 12, 0));
    /* row 4 says "remove" where row 3 gave 5 */
    CU_ASSERT_EQUAL(errors(&f), 1);
    CU_ASSERT_EQUAL(issue(&f, 0)->error.row, 4);
    CU_ASSERT_STRING_EQUAL(issue(&f, 0)->error.column, "C");
    CU_ASSERT_EQUAL(find(&f, 1002, 11, 0)->value, 5000000);
    assert_accounted(&f);
    teardown(&f);
}

static void test_scale_and_round(void)
{
    fixture f;
    setup(&f, "{\"layout\": \"wide\", \"employee\": {\"employeeNumber\": \"Nr\"},"
              " \"components\": [{\"column\": \"Min\", \"component\": 10, \"divideBy\": 60,"
              "   \"round\": 2},"
              " {\"column\": \"Tijd\", \"component\": 11, \"format\": \"duration\"},"
              " {\"column\": \"Pct\", \"component\": 12, \"format\": \"percent\", \"scale\": 2},"
              " {\"column\": \"Km\", \"component\": 20, \"round\": 0}]}", NULL);
    begin(&f, "a.csv", ',');
    feed(&f, "a.csv", 1, "Nr;Min;Tijd;Pct;Km");
    feed(&f, "a.csv", 2, "1001;20;7:30;12,5%;10,4");
    feed(&f, "a.csv", 3, "1001;20;0:45;;10,2");
    feed(&f, "a.csv", 4, "1001;20;;;");
    finish(&f);
    CU_ASSERT_EQUAL(errors(&f), 0);
    /* the entry keeps its exact sum (the plan rounds each record once); shown rounded */
    CU_ASSERT_EQUAL(find(&f, 1001, 10, 0)->value, 999999);
    CU_ASSERT_EQUAL(lk_entry_shown_value(find(&f, 1001, 10, 0)), 1000000); /* 1.00 */
    CU_ASSERT_EQUAL(find(&f, 1001, 11, 0)->value, 8250000);
    CU_ASSERT_EQUAL(find(&f, 1001, 12, 0)->value, 25000000);
    CU_ASSERT_EQUAL(find(&f, 1001, 20, 0)->value, 20600000);
    CU_ASSERT_EQUAL(lk_entry_shown_value(find(&f, 1001, 20, 0)), 21000000); /* 20.6 -> 21 */
    teardown(&f);
}

/* A negative cell is an error of its row unless the component allows negative values. */
static void test_negative_values(void)
{
    fixture f;
    setup(&f, "{\"layout\": \"wide\", \"employee\": {\"employeeNumber\": \"Nr\"},"
              " \"components\": [{\"column\": \"Uren\", \"component\": 10},"
              " {\"column\": \"Corr\", \"component\": 40, \"allowNegative\": true}]}", NULL);
    begin(&f, "a.csv", ',');
    feed(&f, "a.csv", 1, "Nr;Uren;Corr");
    feed(&f, "a.csv", 2, "1001;-2;-3");
    feed(&f, "a.csv", 3, "1002;5;-1,5");
    feed(&f, "a.csv", 4, "1003;-0;0");
    finish(&f);
    CU_ASSERT_EQUAL(errors(&f), 1);
    CU_ASSERT_EQUAL(issue(&f, 0)->error.row, 2);
    CU_ASSERT_STRING_EQUAL(issue(&f, 0)->error.column, "B");
    CU_ASSERT_PTR_NOT_NULL(strstr(issue(&f, 0)->error.message, "-2 for component 10 is negative"));
    CU_ASSERT_PTR_NOT_NULL(strstr(issue(&f, 0)->error.message, "\"allowNegative\": true"));
    CU_ASSERT_PTR_NULL(find(&f, 1001, 40, 0)); /* the row is taken whole or not at all */
    CU_ASSERT_EQUAL(find(&f, 1002, 40, 0)->value, -1500000);
    CU_ASSERT_EQUAL(find(&f, 1002, 10, 0)->value, 5000000);
    CU_ASSERT_EQUAL(find(&f, 1003, 10, 0)->value, 0);
    teardown(&f);
}

/* A date's entry keeps its exact value: the plan rounds the sum of a period's dates once. */
static void test_dates_stay_exact(void)
{
    fixture f;
    setup(&f, "{\"layout\": \"wide\", \"employee\": {\"employeeNumber\": \"Nr\"},"
              " \"period\": {\"source\": \"date\", \"column\": \"Datum\"},"
              " \"components\": [{\"column\": \"Uren\", \"component\": 10, \"round\": 2,"
              " \"min\": 1, \"max\": 24}]}", NULL);
    begin(&f, "a.csv", '.');
    feed(&f, "a.csv", 1, "Nr;Datum;Uren");
    feed(&f, "a.csv", 2, "1001;2026-11-02;7.333333");
    finish(&f);
    CU_ASSERT_EQUAL(errors(&f), 0);
    CU_ASSERT_EQUAL_FATAL(f.set.nentries, 1);
    CU_ASSERT_EQUAL(f.set.entries[0].value, 7333333);
    CU_ASSERT_EQUAL(f.set.entries[0].round, 2);
    CU_ASSERT(f.set.entries[0].has_min && f.set.entries[0].has_max);
    CU_ASSERT_EQUAL(f.set.entries[0].max, 24 * LK_DECIMAL_SCALE);
    teardown(&f);
}

static void test_long_layout(void)
{
    fixture f;
    setup(&f, "{\"layout\": \"long\", \"employee\": {\"employeeNumber\": \"Nr\"},"
              " \"long\": {\"componentColumn\": \"Comp\", \"valueColumn\": \"Waarde\"},"
              " \"defaults\": {\"allowNegative\": true}," /* the -4 correction by key */
              " \"components\": [{\"code\": \"UREN\", \"component\": 10},"
              "   {\"code\": \"Reiskostenverg\", \"component\": 21, \"isSupplement\": true}]}",
          NULL);
    begin(&f, "a.csv", '.');
    feed(&f, "a.csv", 1, "Nr;Comp;Waarde");
    feed(&f, "a.csv", 2, "1101;uren;150.5");
    feed(&f, "a.csv", 3, "1101;20;60");
    feed(&f, "a.csv", 4, "1101;reiskostenverg;45.60");
    feed(&f, "a.csv", 5, "1101;XYZ;3");
    feed(&f, "a.csv", 6, "1101;;3");
    feed(&f, "a.csv", 7, "1101;10;-4");
    finish(&f);
    CU_ASSERT_EQUAL(find(&f, 1101, 10, 0)->value, 146500000);
    CU_ASSERT_EQUAL(find(&f, 1101, 20, 0)->value, 60000000);
    CU_ASSERT(find(&f, 1101, 21, 0)->is_supplement);
    CU_ASSERT_EQUAL(errors(&f), 2);
    CU_ASSERT_EQUAL(issue(&f, 0)->error.row, 5);
    CU_ASSERT_STRING_EQUAL(issue(&f, 0)->error.column, "B");
    CU_ASSERT_PTR_NOT_NULL(strstr(issue(&f, 0)->error.message, "\"XYZ\""));
    CU_ASSERT_EQUAL(issue(&f, 1)->error.row, 6);
    teardown(&f);

    /* acceptKeys false: a number must be listed too */
    setup(&f, "{\"layout\": \"long\", \"employee\": {\"employeeNumber\": \"Nr\"},"
              " \"long\": {\"componentColumn\": \"Comp\", \"valueColumn\": \"Waarde\","
              "   \"acceptKeys\": false}, \"components\": [{\"component\": 10}]}", NULL);
    begin(&f, "a.csv", '.');
    feed(&f, "a.csv", 1, "Nr;Comp;Waarde");
    feed(&f, "a.csv", 2, "1101;10;1");
    feed(&f, "a.csv", 3, "1101;11;1");
    finish(&f);
    CU_ASSERT_EQUAL(f.set.nentries, 1);
    CU_ASSERT_EQUAL(errors(&f), 1);
    teardown(&f);
}

static void test_component_row_layout(void)
{
    fixture f;
    setup(&f, "{\"layout\": \"componentRow\", \"componentRow\": {\"row\": 3, \"nameRow\": 2,"
              " \"firstColumn\": \"C\"}, \"employee\": {\"employeeNumber\": {\"letter\": \"A\"}},"
              " \"components\": [{\"component\": 21, \"isSupplement\": true}]}", NULL);
    begin(&f, "t.csv", ',');
    feed(&f, "t.csv", 1, "Template voor importeren variabele gegevens");
    feed(&f, "t.csv", 2, ";;Uren gewerkt;Reiskostenverg;Typo;");
    feed(&f, "t.csv", 3, "Personeelsnummer;Naam;10;21;1O;;0");
    feed(&f, "t.csv", 4, "1001;Jansen;152;38,4;;;");
    feed(&f, "t.csv", 5, "1002;Vries;144;;;;");
    /* a value under "1O" would be lost: the row is an error, taken whole or not at all */
    feed(&f, "t.csv", 6, "1003;Bakker;120;;3;;");
    finish(&f);
    CU_ASSERT_EQUAL(errors(&f), 1);
    CU_ASSERT_EQUAL(issue(&f, 0)->error.row, 6);
    CU_ASSERT_STRING_EQUAL(issue(&f, 0)->error.column, "E");
    CU_ASSERT_EQUAL(issue(&f, 0)->employee.employee_number, 1003);
    CU_ASSERT_PTR_NOT_NULL(strstr(issue(&f, 0)->error.message, "\"1O\", which is not a "
                                                               "component number"));
    CU_ASSERT_PTR_NULL(find(&f, 1003, 10, 0));
    CU_ASSERT_EQUAL(f.set.nentries, 3);
    const lk_entry *e = find(&f, 1001, 21, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->value, 38400000);
    CU_ASSERT(e->is_supplement);
    CU_ASSERT_STRING_EQUAL(e->column_header, "21");
    const lk_file_info *fi = &f.set.file_info[0];
    CU_ASSERT_EQUAL(fi->nignored, 3);   /* E "1O", F "" (its name row cell only), G "0" */
    CU_ASSERT_EQUAL(fi->ignored[0].column, 4);
    CU_ASSERT_STRING_EQUAL(fi->ignored[0].header, "1O");
    CU_ASSERT_EQUAL(fi->ignored[0].values, 1);
    CU_ASSERT_STRING_EQUAL(fi->ignored[2].header, "0");
    CU_ASSERT_STRING_EQUAL(fi->totals[0].name, "Uren gewerkt");
    CU_ASSERT_EQUAL(f.set.rows_read, 3);
    CU_ASSERT_EQUAL(fi->rows_failed, 1);
    teardown(&f);

    /* a component row without any number is an error of the file */
    setup(&f, "{\"layout\": \"componentRow\", \"componentRow\": {\"row\": 1},"
              " \"employee\": {\"employeeNumber\": {\"letter\": \"A\"}}}", NULL);
    begin(&f, "t.csv", ',');
    feed(&f, "t.csv", 1, "Nr;Uren;Km");
    feed(&f, "t.csv", 2, "1001;8;9");
    finish(&f);
    CU_ASSERT_EQUAL(errors(&f), 1);
    CU_ASSERT_EQUAL(issue(&f, 0)->error.row, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(issue(&f, 0)->error.message, "no component numbers"));
    teardown(&f);
}

static void test_periods_and_dates(void)
{
    fixture f;
    setup(&f, "{\"layout\": \"wide\", \"employee\": {\"employeeNumber\": \"Nr\"},"
              " \"period\": {\"source\": \"column\", \"column\": \"Periode\"},"
              " \"components\": [{\"column\": \"Uren\", \"component\": 10}]}", NULL);
    begin(&f, "a.csv", ',');
    feed(&f, "a.csv", 1, "Nr;Periode;Uren");
    feed(&f, "a.csv", 2, "1001;2026-P12;8");
    feed(&f, "a.csv", 3, "1001;2026-11;8");
    feed(&f, "a.csv", 4, "1001;2026-13;8");
    feed(&f, "a.csv", 5, "1001;;8");
    finish(&f);
    CU_ASSERT_EQUAL(f.set.nentries, 2);
    CU_ASSERT_EQUAL(f.set.entries[0].period.kind, LK_PERIOD_NUMBER);
    CU_ASSERT_EQUAL(f.set.entries[1].period.kind, LK_PERIOD_MONTH);
    CU_ASSERT_EQUAL(errors(&f), 2);
    CU_ASSERT_STRING_EQUAL(issue(&f, 0)->error.column, "B");
    teardown(&f);

    /* a period column cannot be overridden from the command line */
    lk_period_ref nov = { LK_PERIOD_MONTH, 2026, 11, 0, 0 };
    lk_mapping *m;
    lk_error err;
    const char *json = "{\"layout\": \"wide\", \"employee\": {\"employeeNumber\": \"Nr\"},"
                       " \"period\": {\"source\": \"column\", \"column\": \"P\"},"
                       " \"components\": [{\"column\": \"U\", \"component\": 10}]}";
    CU_ASSERT_EQUAL_FATAL(lk_mapping_parse("m.json", json, strlen(json), &m, &err), LK_OK);
    lk_entry_set set;
    lk_entry_set_init(&set);
    CU_ASSERT_PTR_NULL(lk_aggregator_new(m, &nov, &set, &err));
    CU_ASSERT_EQUAL(err.code, LK_ERR_CONFIG);
    lk_entry_set_free(&set);
    lk_mapping_free(m);

    setup(&f, "{\"layout\": \"wide\", \"employee\": {\"employeeNumber\": \"Nr\"},"
              " \"period\": {\"source\": \"date\", \"column\": \"Datum\"},"
              " \"components\": [{\"column\": \"Uren\", \"component\": 10}]}", &nov);
    begin(&f, "a.csv", ',');
    feed(&f, "a.csv", 1, "Nr;Datum;Uren");
    feed(&f, "a.csv", 2, "2001;02-11-2026;8");
    feed(&f, "a.csv", 3, "2001;2026-11-02;0,5");
    feed(&f, "a.csv", 4, "2001;03-11-2026;8");
    feed(&f, "a.csv", 5, "2001;01-12-2026;8");
    feed(&f, "a.csv", 6, "2001;31-11-2026;8");
    feed(&f, "a.csv", 7, "2001;;8");
    finish(&f);
    CU_ASSERT_EQUAL(f.set.nentries, 2);
    const lk_entry *e = find(&f, 2001, 10, 0);
    CU_ASSERT_EQUAL(e->period.kind, LK_PERIOD_DATE);
    CU_ASSERT_EQUAL(e->period.day, 2);
    CU_ASSERT_EQUAL(e->value, 8500000);
    CU_ASSERT_EQUAL(errors(&f), 3);
    CU_ASSERT_PTR_NOT_NULL(strstr(issue(&f, 0)->error.message, "outside the period 2026-11"));
    CU_ASSERT_STRING_EQUAL(issue(&f, 0)->error.column, "B");
    CU_ASSERT_PTR_NOT_NULL(strstr(issue(&f, 1)->error.message, "not a valid date"));
    CU_ASSERT_PTR_NOT_NULL(strstr(issue(&f, 2)->error.message, "date missing"));
    teardown(&f);
}

static void test_record_keys_and_employers(void)
{
    fixture f;
    setup(&f, "{\"layout\": \"wide\", \"employee\": {\"employeeNumber\": \"Nr\","
              " \"payrollId\": \"Dv\"}, \"employer\": {\"column\": \"Klant\"},"
              " \"recordKey\": {\"costCenter\": \"Kpl\", \"shift\": {\"column\": \"Ploeg\","
              "   \"by\": \"key\"}, \"payslipType\": {\"key\": 1}},"
              " \"payslipText\": {\"column\": \"Tekst\"},"
              " \"components\": [{\"column\": \"Uren\", \"component\": 10}]}", NULL);
    begin(&f, "a.csv", ',');
    feed(&f, "a.csv", 1, "Klant;Nr;Dv;Kpl;Ploeg;Tekst;Uren");
    feed(&f, "a.csv", 2, "40101;1007;1;PROD;1;;8");
    feed(&f, "a.csv", 3, "40101;1007;2;PROD;1;;4");
    feed(&f, "a.csv", 4, "40101;1007;1;VERK;;;2");
    feed(&f, "a.csv", 5, "40201;1007;1;PROD;1;;1");
    feed(&f, "a.csv", 6, "ABC;1001;1;PROD;1;;1");
    feed(&f, "a.csv", 7, "40101;1001;1;PROD;x;;1");
    feed(&f, "a.csv", 8, "40101;1007;1;PROD;1;Bonus;1");
    finish(&f);
    CU_ASSERT_EQUAL(f.set.nentries, 4);
    const lk_entry *e = &f.set.entries[0];
    CU_ASSERT_STRING_EQUAL(e->employee.employer, "40101");
    CU_ASSERT_EQUAL(e->employee.payroll_id, 1);
    CU_ASSERT_EQUAL(e->record_key.cost_center.kind, LK_REF_CODE);
    CU_ASSERT_STRING_EQUAL(e->record_key.cost_center.code, "PROD");
    CU_ASSERT_EQUAL(e->record_key.shift.kind, LK_REF_KEY);
    CU_ASSERT_EQUAL(e->record_key.shift.key, 1);
    CU_ASSERT_EQUAL(e->record_key.payslip_type.kind, LK_REF_KEY);
    CU_ASSERT_EQUAL(e->record_key.cost_unit.kind, LK_REF_DEFAULT);
    CU_ASSERT_EQUAL(f.set.entries[2].record_key.shift.kind, LK_REF_DEFAULT);
    CU_ASSERT_STRING_EQUAL(f.set.entries[3].employee.employer, "40201");
    CU_ASSERT_EQUAL(errors(&f), 3);
    CU_ASSERT_STRING_EQUAL(issue(&f, 0)->error.column, "A");      /* client number */
    CU_ASSERT_STRING_EQUAL(issue(&f, 1)->error.column, "E");      /* shift key */
    CU_ASSERT_EQUAL(issue(&f, 2)->error.row, 8);                  /* payslip text differs */
    CU_ASSERT_PTR_NOT_NULL(strstr(issue(&f, 2)->error.message, "payslip text"));
    CU_ASSERT_EQUAL(f.set.file_info[0].employees, 2);             /* 1007 at two employers */
    teardown(&f);
}

static void test_missing_columns(void)
{
    fixture f;
    setup(&f, WIDE "}", NULL);
    begin(&f, "a.csv", ',');
    feed(&f, "a.csv", 1, "Nr;Naam;Uren");
    feed(&f, "a.csv", 2, "1001;J;8");
    feed(&f, "a.csv", 3, "1002;K;8");
    finish(&f);
    CU_ASSERT_EQUAL(f.set.nentries, 0);
    CU_ASSERT_EQUAL(f.set.nissues, 1);
    CU_ASSERT_EQUAL(issue(&f, 0)->error.row, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(issue(&f, 0)->error.message, "\"Km\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(issue(&f, 0)->error.message, "components[1]"));
    CU_ASSERT(f.set.file_info[0].failed);
    teardown(&f);

    setup(&f, WIDE "}", NULL);
    begin(&f, "a.csv", ',');
    feed(&f, "a.csv", 1, "Nr;Naam;Uren;Uren;Km");
    feed(&f, "a.csv", 2, "1001;J;8;8;1");
    finish(&f);
    CU_ASSERT_EQUAL(errors(&f), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(issue(&f, 0)->error.message, "twice"));
    teardown(&f);
}

static void test_many_rows_stay_small(void)
{
    fixture f;
    setup(&f, WIDE "}", NULL);
    begin(&f, "a.csv", ',');
    feed(&f, "a.csv", 1, "Nr;Naam;Uren;Km");
    for (unsigned long r = 2; r < 20002; r++)
        feed(&f, "a.csv", r, "1001;J;0,1;");
    finish(&f);
    const lk_entry *e = find(&f, 1001, 10, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->value, 2000000000LL);   /* exactly 2000, no drift */
    lk_row_span sp[2];
    CU_ASSERT_EQUAL(e->nrows, 20000);
    CU_ASSERT_EQUAL_FATAL(spans(&f, e, sp, 2), 1);
    CU_ASSERT_EQUAL(sp[0].first, 2);
    CU_ASSERT_EQUAL(sp[0].last, 20001);
    CU_ASSERT(f.set.logs[e->log].len < 16);    /* one run: a few bytes, not a span a row */
    teardown(&f);
}

static void test_issue_cap(void)
{
    fixture f;
    setup(&f, WIDE "}", NULL);
    begin(&f, "a.csv", ',');
    feed(&f, "a.csv", 1, "Nr;Naam;Uren;Km");
    for (unsigned long r = 2; r < LK_MAX_LISTED_ISSUES + 12; r++)
        feed(&f, "a.csv", r, r % 2 ? "x;J;1;" : ";J;;");   /* errors and skipped rows */
    finish(&f);
    unsigned long rows = LK_MAX_LISTED_ISSUES + 10;
    CU_ASSERT_EQUAL(f.set.rows_read, rows);
    CU_ASSERT_EQUAL(f.set.nissues, rows);                     /* all fit: 5005 + 5005 */
    teardown(&f);

    setup(&f, WIDE "}", NULL);
    begin(&f, "a.csv", ',');
    feed(&f, "a.csv", 1, "Nr;Naam;Uren;Km");
    for (unsigned long r = 2; r < 2 * LK_MAX_LISTED_ISSUES + 7; r++)
        feed(&f, "a.csv", r, "x;J;1;");
    finish(&f);
    CU_ASSERT_EQUAL(f.set.nissues, LK_MAX_LISTED_ISSUES);
    CU_ASSERT_EQUAL(f.set.errors_not_listed, LK_MAX_LISTED_ISSUES + 5);
    CU_ASSERT_EQUAL(lk_entry_set_errors(&f.set), 2 * LK_MAX_LISTED_ISSUES + 5);
    CU_ASSERT_EQUAL(f.set.file_info[0].rows_failed, 2 * LK_MAX_LISTED_ISSUES + 5);
    assert_accounted(&f);
    teardown(&f);
}

static char *write_tmp(const char *dir, const char *name, const char *text)
{
    char *path = xmalloc(strlen(dir) + strlen(name) + 2);
    sprintf(path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    fputs(text, fp);
    fclose(fp);
    return path;
}

static void test_files_and_detection(void)
{
    char *dir = lk_test_tmpdir();
    char *comma = write_tmp(dir, "comma.csv", "Nr;Naam;Uren;Km\n1001;J;1.234;5\n1002;K;7,5;\n");
    char *point = write_tmp(dir, "point.csv", "Nr,Naam,Uren,Km\n1001,J,7.5,\n");
    char *mixed = write_tmp(dir, "mixed.csv", "Nr;Naam;Uren;Km\n1001;J;7,5;\n1002;K;7.5;\n");
    char *none = write_tmp(dir, "none.csv", "Nr;Naam;Uren;Km\n1001;J;8;1\n");
    fixture f;
    lk_error err;
    setup(&f, WIDE "}", NULL);
    CU_ASSERT_EQUAL(lk_aggregator_add_file(f.a, comma, &err), LK_OK);
    CU_ASSERT_EQUAL(lk_aggregator_add_file(f.a, point, &err), LK_OK);
    CU_ASSERT_EQUAL(lk_aggregator_add_file(f.a, mixed, &err), LK_OK);
    CU_ASSERT_EQUAL(lk_aggregator_add_file(f.a, none, &err), LK_OK);
    CU_ASSERT_EQUAL(lk_aggregator_add_file(f.a, "/nonexistent/x.csv", &err), LK_OK);
    CU_ASSERT_EQUAL(f.set.nfiles, 5);
    CU_ASSERT_EQUAL(f.set.file_info[0].decimal, ',');
    CU_ASSERT_STRING_EQUAL(f.set.file_info[0].type, "csv");
    CU_ASSERT_EQUAL(f.set.file_info[0].delimiter, ';');
    CU_ASSERT_EQUAL(f.set.file_info[1].decimal, '.');
    CU_ASSERT_EQUAL(f.set.file_info[3].decimal, ',');   /* no telling value: ';' means comma */
    /* 1001: 1234 (comma file) + 7.5 (point file) + 7.5 (mixed.csv row 2, read before row 3
     * showed the other convention) + 8 (none.csv); mixed.csv stopped at row 3, so the sum is
     * marked incomplete (never sent) and 1002's row 3 was not taken */
    const lk_entry *e = find(&f, 1001, 10, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->value, 1257000000LL);
    CU_ASSERT(e->incomplete);
    CU_ASSERT_EQUAL(e->incomplete_file, 2);
    e = find(&f, 1002, 10, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->value, 7500000LL);
    CU_ASSERT(!e->incomplete);
    CU_ASSERT_EQUAL(f.set.file_info[2].rows_used, 1);
    CU_ASSERT_EQUAL(errors(&f), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(issue(&f, 0)->error.message, "cannot tell the decimal"));
    CU_ASSERT_EQUAL(issue(&f, 0)->error.row, 2);   /* the comma one; the message names both */
    CU_ASSERT_PTR_NOT_NULL(strstr(issue(&f, 0)->error.message, "row 3"));
    CU_ASSERT(f.set.file_info[2].failed);
    CU_ASSERT_PTR_NOT_NULL(strstr(issue(&f, 1)->error.file, "x.csv"));
    teardown(&f);
    lk_test_rmtree(dir);
    free(dir);
    free(comma);
    free(point);
    free(mixed);
    free(none);
}

/* "auto": rows before the first telling one read the same in either convention; a value that
 * does not ("1,234" before any telling row) makes the reader look ahead. */
static void test_convention_decided_late(void)
{
    char *dir = lk_test_tmpdir();
    /* integers first, the decimal point only in row 4: 8 + 7 + 7.5 */
    char *late = write_tmp(dir, "late.csv", "Nr,Naam,Uren,Km\n1001,J,8,\n1001,J,7,\n1001,J,7.5,\n");
    /* "1,234" (thousands or decimals?) before row 3 shows the decimal point, in a ';' file
     * whose fallback would be the comma: 1234 + 0.5 */
    char *ahead = write_tmp(dir, "ahead.csv", "Nr;Naam;Uren;Km\n1002;K;1,234;\n1002;K;0.5;\n");
    /* nothing tells in a ';' file: the decimal comma, so "1.234" is 1234 */
    char *none = write_tmp(dir, "none.csv", "Nr;Naam;Uren;Km\n1003;L;1.234;\n");
    fixture f;
    lk_error err;
    setup(&f, WIDE "}", NULL);
    CU_ASSERT_EQUAL(lk_aggregator_add_file(f.a, late, &err), LK_OK);
    CU_ASSERT_EQUAL(lk_aggregator_add_file(f.a, ahead, &err), LK_OK);
    CU_ASSERT_EQUAL(lk_aggregator_add_file(f.a, none, &err), LK_OK);
    CU_ASSERT_EQUAL(errors(&f), 0);
    CU_ASSERT_EQUAL(f.set.file_info[0].decimal, '.');
    CU_ASSERT_EQUAL(f.set.file_info[1].decimal, '.');
    CU_ASSERT_EQUAL(f.set.file_info[2].decimal, ',');
    CU_ASSERT_EQUAL(find(&f, 1001, 10, 0)->value, 22500000LL);
    CU_ASSERT_EQUAL(find(&f, 1002, 10, 0)->value, 1234500000LL);
    CU_ASSERT_EQUAL(find(&f, 1003, 10, 0)->value, 1234000000LL);
    teardown(&f);
    lk_test_rmtree(dir);
    free(dir);
    free(late);
    free(ahead);
    free(none);
}

/* Walks into "f:first-last f:first-last ..." (file index, then sheet when not 0). */
static void walk_text(const lk_entry_set *set, const lk_entry *e, size_t log, char *out,
                      size_t size)
{
    lk_row_walk w;
    lk_row_span s;
    size_t n = 0;
    out[0] = '\0';
    lk_row_walk_init(&w, set, e, log);
    while (lk_row_walk_next(&w, &s) && n < size)
        n += (size_t)snprintf(out + n, size - n, "%s%u%s%.0u:%lu-%lu", n ? " " : "", s.file,
                              s.sheet ? "/" : "", s.sheet, s.first, s.last);
}

/* The row log on its own: ten entries (two mask bytes), runs, gaps, a second file and sheet,
 * and a file whose rows start again (the same file given twice). */
static void test_row_log(void)
{
    lk_entry_set set;
    lk_entry_set_init(&set);
    set.entries = xcalloc(10, sizeof(lk_entry));
    set.nentries = set.entries_alloc = 10;
    size_t log = lk_entry_set_new_log(&set);
    for (size_t i = 0; i < 10; i++)
        lk_entry_set_attach(&set, i, log);
    size_t both[] = { 0, 9 }, all[10] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
    lk_entry_add_rows(&set, both, 2, 0, 0, 2);
    lk_entry_add_rows(&set, both, 2, 0, 0, 3);
    lk_entry_add_row(&set, 0, 0, 0, 4);
    lk_entry_add_row(&set, 1, 0, 0, 10);
    lk_entry_add_row(&set, 1, 0, 0, 11);
    lk_entry_add_rows(&set, all, 10, 0, 0, 1000);
    lk_entry_add_row(&set, 0, 1, 1, 5);
    lk_entry_add_row(&set, 0, 1, 1, 6);
    lk_entry_add_row(&set, 0, 0, 0, 1);
    lk_entry_add_row(&set, 9, 0, 0, 1);   /* the same row, another entry: joins it */
    char t[200];
    walk_text(&set, &set.entries[0], 0, t, sizeof(t));
    CU_ASSERT_STRING_EQUAL(t, "0:2-4 0:1000-1000 1/1:5-6 0:1-1");
    walk_text(&set, &set.entries[9], 0, t, sizeof(t));
    CU_ASSERT_STRING_EQUAL(t, "0:2-3 0:1000-1000 0:1-1");
    walk_text(&set, &set.entries[1], 0, t, sizeof(t));
    CU_ASSERT_STRING_EQUAL(t, "0:10-11 0:1000-1000");
    walk_text(&set, &set.entries[5], 0, t, sizeof(t));
    CU_ASSERT_STRING_EQUAL(t, "0:1000-1000");
    walk_text(&set, NULL, log, t, sizeof(t));
    CU_ASSERT_STRING_EQUAL(t, "0:2-4 0:10-11 0:1000-1000 1/1:5-6 0:1-1");
    CU_ASSERT_EQUAL(set.entries[0].nrows, 7);
    CU_ASSERT_EQUAL(set.entries[9].nrows, 4);
    CU_ASSERT_EQUAL(set.entries[0].first.row, 2);
    CU_ASSERT_EQUAL(set.entries[0].last.row, 1);
    CU_ASSERT_EQUAL(set.entries[1].last.row, 1000);
    lk_entry_set_free(&set);
}

static const lk_test tests[] = {
    { "wide: sums and row spans", test_wide_sum_and_spans },
    { "reject duplicates", test_reject_duplicates },
    { "rows are taken whole or not at all", test_rows_are_atomic },
    { "blank rules", test_blank_rules },
    { "scale and round", test_scale_and_round },
    { "negative values need allowNegative", test_negative_values },
    { "a date's entry stays exact", test_dates_stay_exact },
    { "long layout", test_long_layout },
    { "component-row layout", test_component_row_layout },
    { "periods and dates", test_periods_and_dates },
    { "record keys and employers", test_record_keys_and_employers },
    { "missing columns", test_missing_columns },
    { "many rows stay small", test_many_rows_stay_small },
    { "files and convention detection", test_files_and_detection },
    { "issues beyond the cap are counted", test_issue_cap },
    { "convention decided late or by looking ahead", test_convention_decided_late },
    { "row log: masks, runs, files, sheets", test_row_log },
    { NULL, NULL },
};

int main(void)
{
    return lk_test_main("aggregate", tests);
}
