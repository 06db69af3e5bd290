/*
 * test_report_model.c: the report model: builders copy and merge, validate's records from an
 * lk_entry_set account for every input row once, totals and the exit code table.
 */
#include "common/util.h"
#include "report/report.h"
#include "support/cunit_main.h"

#include <string.h>

static void test_outcome_names(void)
{
    lk_outcome o;
    CU_ASSERT_STRING_EQUAL(lk_outcome_name(LK_OUTCOME_NOT_SENT), "not_sent");
    CU_ASSERT_STRING_EQUAL(lk_outcome_label(LK_OUTCOME_NOT_SENT), "not sent");
    CU_ASSERT(lk_outcome_parse("not sent", &o) && o == LK_OUTCOME_NOT_SENT);
    CU_ASSERT(lk_outcome_parse("rejected", &o) && o == LK_OUTCOME_REJECTED);
    CU_ASSERT_FALSE(lk_outcome_parse("fine", &o));
    CU_ASSERT_STRING_EQUAL(lk_outcome_name((lk_outcome)99), "unknown");
}

static void test_rows_merge(void)
{
    lk_report *r = lk_report_new("plan");
    lk_report_record *rec = lk_report_add_record(r);
    lk_report_record_add_rows(rec, "a.csv", NULL, 2, 2);
    lk_report_record_add_rows(rec, "a.csv", NULL, 4, 4);
    lk_report_record_add_rows(rec, "a.csv", "", 2, 2);     /* same row again: not twice */
    CU_ASSERT_EQUAL(rec->nrows, 2);
    lk_report_record_add_rows(rec, "a.csv", NULL, 3, 3);   /* bridges 2 and 4 */
    CU_ASSERT_EQUAL(rec->nrows, 1);
    CU_ASSERT_EQUAL(rec->rows[0].first, 2);
    CU_ASSERT_EQUAL(rec->rows[0].last, 4);
    lk_report_record_add_rows(rec, "b.xlsx", "Blad1", 3, 3); /* other file: own span */
    lk_report_record_add_rows(rec, "b.xlsx", "Blad2", 3, 3); /* other sheet: own span */
    CU_ASSERT_EQUAL(rec->nrows, 3);
    lk_report_totals t;
    lk_report_totals_get(r, &t);
    CU_ASSERT_EQUAL(t.rows_in_records, 5);
    lk_report_free(r);
}

/* Thousands of scattered spans in two places, in a shuffled order: the record holds exactly
 * their union, sorted, with no two spans that touch (checked against a plain bitmap). */
static void test_rows_merge_many(void)
{
    enum { ROWS = 3000 };
    static unsigned char want[2][ROWS + 2];
    memset(want, 0, sizeof(want));
    lk_report *r = lk_report_new("plan");
    lk_report_record *rec = lk_report_add_record(r);
    unsigned long x = 12345;
    for (int i = 0; i < 4000; i++) {
        x = x * 6364136223846793005UL + 1442695040888963407UL;
        int place = (int)(x >> 60) & 1;
        unsigned long first = 1 + (x >> 33) % ROWS;
        unsigned long last = first + ((x >> 20) % 4 == 0 ? (x >> 10) % 5 : 0);
        if (last > ROWS)
            last = ROWS;
        lk_report_record_add_rows(rec, place ? "b.csv" : "a.csv", NULL, first, last);
        for (unsigned long k = first; k <= last; k++)
            want[place][k] = 1;
    }
    size_t n = 0;
    for (int place = 0; place < 2; place++)
        for (unsigned long k = 1; k <= ROWS; k++) {
            if (!want[place][k] || want[place][k - 1])
                continue;
            unsigned long end = k;
            while (want[place][end + 1])
                end++;
            CU_ASSERT_FATAL(n < rec->nrows);
            CU_ASSERT_STRING_EQUAL(rec->rows[n].file, place ? "b.csv" : "a.csv");
            CU_ASSERT_EQUAL(rec->rows[n].first, k);
            CU_ASSERT_EQUAL(rec->rows[n].last, end);
            n++;
        }
    CU_ASSERT_EQUAL(rec->nrows, n);
    CU_ASSERT(n > 100);
    lk_report_free(r);
}

static void test_builders_copy(void)
{
    char name[32], msg[32];
    lk_report *r = lk_report_new("apply");
    lk_report_record *rec = lk_report_add_record(r);
    strcpy(name, "Eline Verbeek");
    lk_report_record_set_employee(rec, 1001, name);
    strcpy(msg, "period closed");
    lk_report_record_add_message(rec, LK_MSG_LOKET, "BrokenBusinessRule", true, 83, msg, NULL);
    lk_report_component *c = lk_report_record_add_value(rec, 10, "Uren gewerkt", 1515 * 100000LL,
                                                        false, false);
    lk_report_component_set_old(c, 140 * LK_DECIMAL_SCALE);
    memset(name, 'x', sizeof(name) - 1);
    memset(msg, 'x', sizeof(msg) - 1);
    CU_ASSERT_STRING_EQUAL(rec->employee_name, "Eline Verbeek");
    CU_ASSERT_STRING_EQUAL(rec->messages[0].description, "period closed");
    CU_ASSERT_EQUAL(rec->messages[0].code, 83);
    CU_ASSERT(rec->components[0].has_old);
    /* a deleted value is sent as null: its number is 0 whatever was given */
    c = lk_report_record_add_value(rec, 11, NULL, 5 * LK_DECIMAL_SCALE, true, false);
    CU_ASSERT(c->delete);
    CU_ASSERT_EQUAL(c->new_value, 0);
    lk_report_count_request(r, "PATCH", "/x", 200, 1, 10.0);
    lk_report_count_request(r, "PATCH", "/x", 200, 2, 5.0);
    lk_report_count_request(r, "PATCH", "/x", 400, 1, 1.0);
    CU_ASSERT_EQUAL(r->nrequests, 2);
    CU_ASSERT_EQUAL(r->requests[0].count, 2);
    CU_ASSERT_EQUAL(r->requests[0].attempts, 3);
    CU_ASSERT_DOUBLE_EQUAL(r->requests[0].latency_ms, 15.0, 1e-9);
    lk_report_free(r);
}

/* An entry set as the mapping stage produces it: 3 data rows (2..4) of uren.csv, wide layout
 * with two components per row, employee 1001 twice (rows 2 and 4), row 5 a bad cell, row 6 a
 * totals row skipped on purpose. */
static void fill_entry_set(lk_entry_set *set, lk_row_span *spans)
{
    static char *files[] = {"uren.csv"};
    static char *sheets[] = {""};
    static lk_entry entries[6];
    static lk_row_issue issues[2];
    memset(set, 0, sizeof(*set));
    memset(entries, 0, sizeof(entries));
    memset(issues, 0, sizeof(issues));
    set->files = files;
    set->nfiles = 1;
    set->sheets = sheets;
    set->nsheets = 1;
    long employees[] = {1001, 1002, 1001};
    for (int row = 0; row < 3; row++) {
        for (int k = 0; k < 2; k++) {
            lk_entry *e = &entries[row * 2 + k];
            e->employee.employee_number = employees[row];
            e->period.kind = LK_PERIOD_MONTH;
            e->period.year = 2026;
            e->period.number = 11;
            e->component = k == 0 ? 10 : 11;
            e->value = (row + 1) * LK_DECIMAL_SCALE;
            unsigned long line = (unsigned long)row + 2;
            (void)spans;
            set->entries = entries;
            if (k == 0)
                lk_entry_set_new_log(set);
            lk_entry_set_attach(set, (size_t)(row * 2 + k), (size_t)row);
            lk_entry_add_row(set, (size_t)(row * 2 + k), 0, 0, line);
            e->column_header = k == 0 ? "Uren" : "Overuren";
        }
    }
    set->entries = entries;
    set->nentries = 6;
    lk_error_at(&issues[0].error, "uren.csv", NULL, 5, 3, "Uren");
    lk_error_set(&issues[0].error, LK_ERR_INPUT, "\"7,5x\" is not a number");
    lk_error_at(&issues[1].error, "uren.csv", NULL, 6, (size_t)-1, NULL);
    lk_error_set(&issues[1].error, LK_ERR_INPUT, "totals row");
    issues[1].skipped = true;
    set->issues = issues;
    set->nissues = 2;
    set->rows_read = 5;
}

/* The fixture's row logs are the only part on the heap. */
static void drop_logs(lk_entry_set *set)
{
    for (size_t i = 0; i < set->nlogs; i++) {
        free(set->logs[i].code);
        free(set->logs[i].prev_mask);
        free(set->logs[i].run_mask);
        free(set->logs[i].row_mask);
    }
    free(set->logs);
}

static void test_entry_set(void)
{
    lk_entry_set set;
    lk_row_span spans[6];
    fill_entry_set(&set, spans);
    /* the reports's own file list is kept: uren.csv need not exist here */
    lk_report *r = lk_report_new("validate");
    lk_report_add_file_hash(r, "uren.csv", NULL);
    CU_ASSERT_EQUAL(lk_report_add_entry_set(r, &set, NULL), LK_OK);
    /* 1001's two rows aggregate into one record, 1002 has its own; input order kept */
    CU_ASSERT_EQUAL_FATAL(r->nrecords, 2);
    CU_ASSERT_EQUAL(r->records[0]->employee_number, 1001);
    CU_ASSERT_EQUAL(r->records[1]->employee_number, 1002);
    CU_ASSERT_EQUAL(r->records[0]->ncomponents, 4);
    CU_ASSERT_EQUAL(r->records[0]->nrows, 2);   /* rows 2 and 4 */
    CU_ASSERT_STRING_EQUAL(r->records[0]->period_label, "2026-11");
    CU_ASSERT_STRING_EQUAL(r->records[0]->components[1].column, "Overuren");
    CU_ASSERT_EQUAL(r->records[0]->outcome, LK_OUTCOME_VALID);
    CU_ASSERT_EQUAL_FATAL(r->nissues, 2);
    CU_ASSERT_EQUAL(r->issues[0].outcome, LK_OUTCOME_REJECTED);
    CU_ASSERT_EQUAL(r->issues[0].error.row, 5);
    CU_ASSERT_STRING_EQUAL(r->issues[0].error.header, "Uren");
    CU_ASSERT_EQUAL(r->issues[1].outcome, LK_OUTCOME_SKIPPED);
    lk_report_totals t;
    lk_report_totals_get(r, &t);
    CU_ASSERT_EQUAL(t.rows_in_records + t.rows_in_issues, 5);
    CU_ASSERT_EQUAL(r->rows_read, 5);
    size_t n;
    lk_report_component_total *ct = lk_report_component_totals(r, 0, &n);
    CU_ASSERT_EQUAL_FATAL(n, 2);
    CU_ASSERT_EQUAL(ct[0].key, 10);
    CU_ASSERT_EQUAL(ct[0].count, 3);
    CU_ASSERT_EQUAL(ct[0].sum, 6 * LK_DECIMAL_SCALE);
    free(ct);
    /* input errors and nothing sent: 2 */
    CU_ASSERT_EQUAL(lk_report_exit_code(r), LK_EXIT_INPUT);
    lk_report_free(r);
    drop_logs(&set);
}

static void test_entry_set_missing_file(void)
{
    lk_entry_set set;
    lk_row_span spans[6];
    lk_error err;
    lk_error_clear(&err);
    fill_entry_set(&set, spans);
    lk_report *r = lk_report_new("validate");
    /* the file is listed without hash and the error names it; the records are still there */
    CU_ASSERT_NOT_EQUAL(lk_report_add_entry_set(r, &set, &err), LK_OK);
    CU_ASSERT(strstr(err.message, "uren.csv") != NULL || strstr(err.file, "uren.csv") != NULL);
    CU_ASSERT_EQUAL(r->nfiles, 1);
    CU_ASSERT_STRING_EQUAL(r->files[0].sha256, "");
    CU_ASSERT_EQUAL(r->nrecords, 2);
    lk_report_free(r);
    drop_logs(&set);
}

/* A wide row with one bad cell: the row also fed a record. The record is rejected with the
 * reason, the row is not listed a second time as an issue. */
static void test_entry_set_partial_row(void)
{
    lk_entry_set set;
    lk_row_span spans[6];
    fill_entry_set(&set, spans);
    lk_row_issue extra[3];
    memcpy(extra, set.issues, 2 * sizeof(*extra));
    memset(&extra[2], 0, sizeof(extra[2]));
    lk_error_at(&extra[2].error, "uren.csv", NULL, 3, 3, "Km");
    lk_error_set(&extra[2].error, LK_ERR_INPUT, "\"veel\" is not a number");
    set.issues = extra;
    set.nissues = 3;
    lk_report *r = lk_report_new("validate");
    lk_report_add_file_hash(r, "uren.csv", NULL);
    lk_report_add_entry_set(r, &set, NULL);
    CU_ASSERT_EQUAL_FATAL(r->nrecords, 2);
    lk_report_record *rec = r->records[1];          /* employee 1002, row 3 */
    CU_ASSERT_EQUAL(rec->employee_number, 1002);
    CU_ASSERT_EQUAL(rec->outcome, LK_OUTCOME_REJECTED);
    CU_ASSERT(rec->input_error);
    CU_ASSERT_EQUAL_FATAL(rec->nmessages, 1);
    CU_ASSERT_EQUAL(rec->messages[0].origin, LK_MSG_IMPORTER);
    CU_ASSERT_STRING_EQUAL(rec->messages[0].description,
                           "uren.csv:3: column D \"Km\": \"veel\" is not a number");
    CU_ASSERT_EQUAL(r->records[0]->outcome, LK_OUTCOME_VALID);
    CU_ASSERT_EQUAL(r->nissues, 2);                 /* rows 5 and 6 only */
    lk_report_totals t;
    lk_report_totals_get(r, &t);
    CU_ASSERT_EQUAL(t.rows_in_records + t.rows_in_issues, set.rows_read);
    CU_ASSERT_EQUAL(lk_report_exit_code(r), LK_EXIT_INPUT);
    lk_report_free(r);

    /* the same with only that error: still an input error, exit code 2 */
    set.issues = &extra[2];
    set.nissues = 1;
    r = lk_report_new("validate");
    lk_report_add_file_hash(r, "uren.csv", NULL);
    lk_report_add_entry_set(r, &set, NULL);
    CU_ASSERT_EQUAL(r->nissues, 0);
    CU_ASSERT_EQUAL(lk_report_exit_code(r), LK_EXIT_INPUT);
    lk_report_free(r);
    drop_logs(&set);
}

static void test_exit_codes(void)
{
    lk_report *r = lk_report_new("apply");
    lk_report_record *a = lk_report_add_record(r);
    lk_report_record_set_result(a, LK_OUTCOME_CREATED, 201, 1);
    CU_ASSERT_EQUAL(lk_report_exit_code(r), LK_EXIT_OK);
    lk_report_record *b = lk_report_add_record(r);
    lk_report_record_set_result(b, LK_OUTCOME_SKIPPED, 0, 0);
    CU_ASSERT_EQUAL(lk_report_exit_code(r), LK_EXIT_OK);
    lk_report_record_set_result(b, LK_OUTCOME_REJECTED, 400, 1);
    CU_ASSERT_EQUAL(lk_report_exit_code(r), LK_EXIT_REJECTED);
    lk_report_record_set_result(b, LK_OUTCOME_CREATED, 201, 1);
    /* an input error after something was sent (send the valid part): 1, not 2 */
    lk_error e;
    lk_error_clear(&e);
    lk_error_set(&e, LK_ERR_INPUT, "bad");
    lk_report_add_issue(r, LK_OUTCOME_REJECTED, &e);
    CU_ASSERT_EQUAL(lk_report_exit_code(r), LK_EXIT_REJECTED);
    lk_error_set(&e, LK_ERR_AUTH, "refresh token refused");
    lk_report_set_error(r, &e);
    CU_ASSERT_EQUAL(lk_report_exit_code(r), LK_EXIT_CONFIG);
    lk_error_set(&e, LK_ERR_INTERRUPTED, "stopped");
    lk_report_set_error(r, &e);
    CU_ASSERT_EQUAL(lk_report_exit_code(r), LK_EXIT_INTERRUPTED);
    lk_report_set_error(r, NULL);
    CU_ASSERT_EQUAL(lk_report_exit_code(r), LK_EXIT_REJECTED);
    lk_report_free(r);

    r = lk_report_new("apply");
    a = lk_report_add_record(r);
    lk_report_record_set_result(a, LK_OUTCOME_NOT_SENT, 0, 0);
    CU_ASSERT_EQUAL(lk_report_exit_code(r), LK_EXIT_REJECTED);
    lk_report_free(r);
}

/* Every string in the model is valid UTF-8 without control characters, whatever came in:
 * otherwise one stray byte makes the XLSX unopenable and the JSON invalid. */
static void test_text_cleaned(void)
{
    lk_report *r = lk_report_new("apply");
    lk_report_record *rec = lk_report_add_record(r);
    lk_report_record_set_employee(rec, 1, "Jos\xe9 \x01Jansen\tB\xc3\xa9");
    CU_ASSERT_STRING_EQUAL(rec->employee_name, "Jos\xEF\xBF\xBD  Jansen\tB\xc3\xa9");
    /* overlong '/', a UTF-16 surrogate, a cut-off sequence, beyond U+10FFFF */
    lk_report_record_add_message(rec, LK_MSG_LOKET, "W", false, 0,
                                 "\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80|\xe2\x82", NULL);
    const char *d = rec->messages[0].description;
    CU_ASSERT_PTR_NULL(strstr(d, "\xc0"));
    CU_ASSERT_PTR_NULL(strstr(d, "\xed"));
    CU_ASSERT_PTR_NULL(strstr(d, "\xf4"));
    CU_ASSERT_EQUAL(d[strlen(d) - 1], '\xBD');   /* ends in U+FFFD, not half a character */
    /* 4-byte characters that are valid stay */
    lk_report_record_set_payslip_text(rec, "\xf0\x9f\x98\x80 ok");
    CU_ASSERT_STRING_EQUAL(rec->payslip_text, "\xf0\x9f\x98\x80 ok");
    /* a Latin-1 file name still merges with itself */
    lk_report_record_add_rows(rec, "uren-d\xe9" "c.csv", NULL, 2, 2);
    lk_report_record_add_rows(rec, "uren-d\xe9" "c.csv", NULL, 3, 3);
    CU_ASSERT_EQUAL(rec->nrows, 1);
    lk_error e;
    lk_error_clear(&e);
    lk_error_at(&e, "d\xe9" "c.csv", NULL, 4, 0, "Uren\xff");
    lk_error_set(&e, LK_ERR_INPUT, "bad \x02 value");
    lk_report_issue *is = lk_report_add_issue(r, LK_OUTCOME_REJECTED, &e);
    CU_ASSERT_STRING_EQUAL(is->error.file, "d\xEF\xBF\xBD" "c.csv");
    CU_ASSERT_STRING_EQUAL(is->error.header, "Uren\xEF\xBF\xBD");
    CU_ASSERT_STRING_EQUAL(is->error.message, "bad   value");
    lk_report_free(r);
}

static void test_write_unknown_format(void)
{
    lk_error err;
    lk_report *r = lk_report_new("plan");
    CU_ASSERT_EQUAL(lk_report_write(r, "/tmp/report.txt", LK_REPORT_AUTO, &err), LK_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "report.txt"));
    CU_ASSERT_EQUAL(r->noutputs, 0);
    lk_report_free(r);
}

static const lk_test tests[] = {
    {"outcome names", test_outcome_names},
    {"input rows merge, each once", test_rows_merge},
    {"thousands of scattered rows merge into their union", test_rows_merge_many},
    {"builders copy their arguments", test_builders_copy},
    {"validate records from an entry set", test_entry_set},
    {"entry set with an unreadable file", test_entry_set_missing_file},
    {"a bad cell in a row that fed a record", test_entry_set_partial_row},
    {"exit codes from outcomes", test_exit_codes},
    {"text cleaned to valid UTF-8", test_text_cleaned},
    {"unknown report format", test_write_unknown_format},
    {NULL, NULL},
};

int main(void)
{
    return lk_test_main("report model", tests);
}
