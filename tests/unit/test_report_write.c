/*
 * test_report_write.c: the report of a plan and of an apply with rejections, written as JSON,
 * CSV and XLSX, then read back (JSON with cJSON, CSV and XLSX through the project's own
 * readers, the XLSX sheet XML also raw, for formula elements) to check rows, outcomes, numbers,
 * Loket's messages, unicode names, that a formula-like name stays text, that every input row is
 * accounted for exactly once, and that unwritable paths give a clear error.
 */
#include "report/report_int.h"
#include "report_fixture.h"
#include "support/cunit_main.h"

#include <cJSON.h>
#include "input/reader.h"
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unzip.h>

static char *tmpdir;

static char *path_in(const char *name)
{
    static char buf[4][600];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, 600, "%s/%s", tmpdir, name);
    return p;
}

/* ---------------------------------------------------------------------------------------------
 * A grid of text cells, filled by the CSV and XLSX readers below
 * ------------------------------------------------------------------------------------------- */

#define GRID_ROWS 64
#define GRID_COLS 40

typedef struct grid {
    char *cell[GRID_ROWS][GRID_COLS];
    bool number[GRID_ROWS][GRID_COLS];   /* XLSX: a numeric cell */
    bool date[GRID_ROWS][GRID_COLS];     /* XLSX: a number with a date format */
    int nrows;
} grid;

static void grid_free(grid *g)
{
    for (int r = 0; r < GRID_ROWS; r++)
        for (int c = 0; c < GRID_COLS; c++)
            free(g->cell[r][c]);
    memset(g, 0, sizeof(*g));
}

static const char *at(const grid *g, int row, int col)
{
    if (row < 0 || row >= GRID_ROWS || col < 0 || col >= GRID_COLS || !g->cell[row][col])
        return "";
    return g->cell[row][col];
}

/* The XLSX Details' title of a CSV header: the workbook names its columns in words. */
static const char *xlsx_title(const char *header)
{
    static const char *const titles[][2] = {
        {"outcome", "Outcome"}, {"employee_number", "Employee number"},
        {"employee_name", "Name"}, {"new_value", "New value"}, {"old_value", "Old value"},
        {"attempts", "Attempts"}, {"messages", "Messages"}, {"input_rows", "Input rows"},
        {"payslip_text", "Payslip text"}, {"period_start", "Period start"},
        {"period_end", "Period end"}, {"component_key", "Component number"},
        {"employer", "Employer"}, {"period", "Period"}, {"payroll_id", "Employment"},
    };
    for (size_t i = 0; i < sizeof titles / sizeof *titles; i++)
        if (!strcmp(header, titles[i][0]))
            return titles[i][1];
    return header;
}

static int find_col(const grid *g, const char *header)
{
    for (int c = 0; c < GRID_COLS; c++)
        if (!strcmp(at(g, 0, c), header) || !strcmp(at(g, 0, c), xlsx_title(header)))
            return c;
    CU_FAIL("column header missing");
    return GRID_COLS - 1;
}

/* The first data row whose column `col` equals value and whose component key column equals key
 * (key NULL: any). */
static int find_row(const grid *g, const char *col, const char *value, const char *key)
{
    int c = find_col(g, col), k = find_col(g, "component_key");
    for (int r = 1; r < g->nrows; r++)
        if (!strcmp(at(g, r, c), value) && (!key || !strcmp(at(g, r, k), key)))
            return r;
    return -1;
}

/* CSV through the project's own reader (src/input/reader.h) */
static void read_csv(const char *path, char delimiter, grid *g, bool *bom)
{
    char *data;
    size_t len;
    lk_error err;
    memset(g, 0, sizeof(*g));
    CU_ASSERT_EQUAL_FATAL(lk_read_file(path, 1 << 24, &data, &len, &err), LK_OK);
    *bom = len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3);
    free(data);
    lk_reader_opts opts;
    memset(&opts, 0, sizeof(opts));
    opts.type = LK_FILE_CSV;
    opts.delimiter = delimiter;
    opts.encoding = LK_ENC_UTF8;
    lk_reader *rd = lk_reader_open(path, &opts, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rd);
    const lk_row *row;
    int rc;
    while ((rc = lk_reader_next(rd, &row, &err)) == 1) {
        int r = g->nrows++;
        if (r >= GRID_ROWS)
            continue;
        for (size_t c = 0; c < row->ncells && c < GRID_COLS; c++)
            g->cell[r][c] = xstrndup(row->cells[c].text, row->cells[c].len);
    }
    CU_ASSERT_EQUAL(rc, 0);
    lk_reader_free(rd);
}

/* One part of the XLSX package as raw bytes: to look for formula elements, which the reader
 * (rightly) does not report. */
static char *zip_part(const char *path, const char *part, size_t *len)
{
    unzFile z = unzOpen64(path);
    if (!z)
        return NULL;
    char *out = NULL;
    if (unzLocateFile(z, part, 0) == UNZ_OK && unzOpenCurrentFile(z) == UNZ_OK) {
        strbuf sb = STRBUF_INIT;
        strbuf_init(&sb, 4096);
        char buf[8192];
        int n;
        while ((n = unzReadCurrentFile(z, buf, sizeof(buf))) > 0)
            strbuf_add(&sb, buf, (size_t)n);
        unzCloseCurrentFile(z);
        out = strbuf_detach(&sb, len);
    }
    unzClose(z);
    return out;
}

/* XLSX through the project's own reader; sheet 1 = Summary, 2 = Details. *sheet_xml (when
 * asked) gets that sheet's raw XML. */
static void read_xlsx(const char *path, int sheet, grid *g, char **sheet_xml)
{
    lk_error err;
    memset(g, 0, sizeof(*g));
    lk_reader_opts opts;
    memset(&opts, 0, sizeof(opts));
    opts.type = LK_FILE_XLSX;
    opts.sheet_name = sheet == 1 ? "Summary" : "Details";
    lk_reader *rd = lk_reader_open(path, &opts, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rd);
    const lk_row *row;
    int rc;
    while ((rc = lk_reader_next(rd, &row, &err)) == 1) {
        int r = (int)row->number - 1;   /* blank rows are not delivered: keep Excel's numbering */
        if (r < 0 || r >= GRID_ROWS)
            continue;
        if (r + 1 > g->nrows)
            g->nrows = r + 1;
        for (size_t c = 0; c < row->ncells && c < GRID_COLS; c++) {
            if (row->cells[c].type == LK_CELL_EMPTY)
                continue;
            g->cell[r][c] = xstrndup(row->cells[c].text, row->cells[c].len);
            g->number[r][c] = row->cells[c].type == LK_CELL_NUMBER;
            g->date[r][c] = row->cells[c].type == LK_CELL_DATE;
        }
    }
    CU_ASSERT_EQUAL(rc, 0);
    lk_reader_free(rd);
    if (sheet_xml) {
        char part[64];
        size_t len;
        snprintf(part, sizeof(part), "xl/worksheets/sheet%d.xml", sheet);
        *sheet_xml = zip_part(path, part, &len);
        CU_ASSERT_PTR_NOT_NULL_FATAL(*sheet_xml);
    }
}

/* ---------------------------------------------------------------------------------------------
 * Row accounting: "uren.csv:2-4; other.csv:7" back to counts per row
 * ------------------------------------------------------------------------------------------- */

static void count_rows_text(const char *text, int *seen, int nseen)
{
    const char *p = text;
    while (*p) {
        const char *end = strstr(p, "; ");
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char *span = xstrndup(p, n);
        char *colon = strrchr(span, ':');
        char *nums = colon ? colon + 1 : span;
        unsigned long a = strtoul(nums, &nums, 10), b = a;
        if (*nums == '-')
            b = strtoul(nums + 1, NULL, 10);
        for (unsigned long r = a; r <= b; r++)
            if (r < (unsigned long)nseen)
                seen[r]++;
        free(span);
        p += n;
        if (*p)
            p += 2;
    }
}

/* ---------------------------------------------------------------------------------------------
 * JSON
 * ------------------------------------------------------------------------------------------- */

static cJSON *read_json(const char *path)
{
    char *data;
    size_t len;
    lk_error err;
    CU_ASSERT_EQUAL_FATAL(lk_read_file(path, 1 << 24, &data, &len, &err), LK_OK);
    cJSON *doc = cJSON_Parse(data);
    free(data);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    return doc;
}

static cJSON *get(cJSON *o, const char *path)
{
    /* "a.b.2.c": object members and array indexes */
    char *copy = xstrdup(path), *save = NULL;
    for (char *t = strtok_r(copy, ".", &save); t && o; t = strtok_r(NULL, ".", &save))
        o = (*t >= '0' && *t <= '9') ? cJSON_GetArrayItem(o, atoi(t))
                                     : cJSON_GetObjectItemCaseSensitive(o, t);
    free(copy);
    return o;
}

static const char *jstr(cJSON *o, const char *path)
{
    cJSON *x = get(o, path);
    return cJSON_IsString(x) ? x->valuestring : "(not a string)";
}

static double jnum(cJSON *o, const char *path)
{
    cJSON *x = get(o, path);
    return cJSON_IsNumber(x) ? x->valuedouble : -999999;
}

static void test_json_apply(void)
{
    lk_error err;
    lk_report *r = fix_report(tmpdir, true);
    const char *path = path_in("apply.json");
    CU_ASSERT_EQUAL_FATAL(lk_report_write(r, path, LK_REPORT_AUTO, &err), LK_OK);
    CU_ASSERT_EQUAL(r->noutputs, 1);
    struct stat st;
    CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0640);   /* names and pay: not world-readable */
    cJSON *doc = read_json(path);
    CU_ASSERT_STRING_EQUAL(jstr(doc, "format"), "loket-import-report");
    CU_ASSERT_STRING_EQUAL(jstr(doc, "run.command"), "apply");
    CU_ASSERT_STRING_EQUAL(jstr(doc, "run.environment"), "sim");
    CU_ASSERT_EQUAL(strlen(jstr(doc, "run.files.0.sha256")), 64);
    CU_ASSERT_STRING_EQUAL(jstr(doc, "run.files.0.sha256"), r->files[0].sha256);
    CU_ASSERT_EQUAL(strlen(jstr(doc, "run.mapping.sha256")), 64);
    CU_ASSERT_EQUAL(jnum(doc, "run.requests.2.status"), 503);
    CU_ASSERT_EQUAL(jnum(doc, "run.requests.2.attempts"), 3);
    CU_ASSERT_EQUAL(jnum(doc, "exit_code"), LK_EXIT_REJECTED);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(get(doc, "records")), 4);

    CU_ASSERT_STRING_EQUAL(jstr(doc, "records.0.outcome"), "updated");
    CU_ASSERT_EQUAL(jnum(doc, "records.0.http_status"), 200);
    CU_ASSERT_EQUAL(jnum(doc, "records.0.components.0.new_value"), 151.5);
    CU_ASSERT(cJSON_IsNull(get(doc, "records.0.components.0.old_value")));
    CU_ASSERT_STRING_EQUAL(jstr(doc, "records.0.messages.0.type"), "Warning");
    CU_ASSERT_STRING_EQUAL(jstr(doc, "records.0.record_key.cost_center.code"), "PROD");
    CU_ASSERT(cJSON_IsNull(get(doc, "records.0.record_key.cost_unit")));

    CU_ASSERT_STRING_EQUAL(jstr(doc, "records.1.outcome"), "rejected");
    CU_ASSERT_STRING_EQUAL(jstr(doc, "records.1.employee.name"), FIX_NAME_1007);
    CU_ASSERT_EQUAL(jnum(doc, "records.1.employment.payroll_id"), 2);
    CU_ASSERT_EQUAL(jnum(doc, "records.1.messages.0.code"), 83);
    CU_ASSERT_STRING_EQUAL(jstr(doc, "records.1.messages.0.origin"), "loket");
    CU_ASSERT_STRING_EQUAL(jstr(doc, "records.1.messages.0.description"), FIX_REJECT_83);
    CU_ASSERT_STRING_EQUAL(jstr(doc, "records.1.messages.0.id"), "31");
    CU_ASSERT(cJSON_IsTrue(get(doc, "records.1.components.2.is_supplement")));

    CU_ASSERT_STRING_EQUAL(jstr(doc, "records.2.employee.name"), FIX_NAME_2020);
    CU_ASSERT_STRING_EQUAL(jstr(doc, "records.2.outcome"), "failed");
    CU_ASSERT_EQUAL(jnum(doc, "records.2.attempts"), 3);
    CU_ASSERT_EQUAL(jnum(doc, "records.2.components.0.new_value"), -3.25);
    CU_ASSERT(cJSON_IsNull(get(doc, "records.2.components.1.new_value")));
    CU_ASSERT(cJSON_IsTrue(get(doc, "records.2.components.1.delete")));
    CU_ASSERT_STRING_EQUAL(jstr(doc, "records.2.record_key.shift.description"), "Avond");

    CU_ASSERT_STRING_EQUAL(jstr(doc, "records.3.messages.0.origin"), "importer");
    CU_ASSERT_STRING_EQUAL(jstr(doc, "issues.0.outcome"), "rejected");
    CU_ASSERT_STRING_EQUAL(jstr(doc, "issues.0.column"), "C");
    CU_ASSERT_STRING_EQUAL(jstr(doc, "issues.0.header"), "overuren");
    CU_ASSERT_EQUAL(jnum(doc, "issues.0.row"), 6);
    CU_ASSERT_STRING_EQUAL(jstr(doc, "issues.0.code"), "invalid input");
    CU_ASSERT_STRING_EQUAL(jstr(doc, "issues.1.outcome"), "skipped");
    CU_ASSERT_EQUAL(jnum(doc, "totals.records.rejected"), 2);
    CU_ASSERT_EQUAL(jnum(doc, "totals.records.failed"), 1);
    CU_ASSERT_EQUAL(jnum(doc, "totals.issues.skipped"), 1);

    /* every input row exactly once, over records and issues */
    int seen[16] = {0};
    cJSON *rec;
    cJSON_ArrayForEach(rec, get(doc, "records")) {
        cJSON *span;
        cJSON_ArrayForEach(span, get(rec, "input_rows"))
            for (int row = (int)jnum(span, "first"); row <= (int)jnum(span, "last"); row++)
                if (row >= 0 && row < 16)
                    seen[row]++;
    }
    cJSON *is;
    cJSON_ArrayForEach(is, get(doc, "issues"))
        for (int row = (int)jnum(is, "row"); row <= (int)jnum(is, "last_row"); row++)
            if (row >= 0 && row < 16)
                seen[row]++;
    for (int row = 2; row < 2 + FIX_ROWS_READ; row++)
        CU_ASSERT_EQUAL(seen[row], 1);
    CU_ASSERT_EQUAL(seen[1] + seen[8], 0);
    cJSON_Delete(doc);
    lk_report_free(r);
}

static void test_json_plan_exact_values(void)
{
    lk_report *r = fix_report(tmpdir, false);
    char *text = lk_report_json_string(r);
    /* values are written from the fixed-point number, not via a double */
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"old_value\":\t140,"));
    cJSON *doc = cJSON_Parse(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    CU_ASSERT_STRING_EQUAL(jstr(doc, "records.0.outcome"), "updated");
    CU_ASSERT_EQUAL(jnum(doc, "records.0.components.0.old_value"), 140);
    CU_ASSERT_STRING_EQUAL(jstr(doc, "records.2.outcome"), "unchanged");
    CU_ASSERT_EQUAL(jnum(doc, "records.1.components.1.new_value"), 12.25);
    /* a plan with an input error sent nothing: exit code 2 */
    CU_ASSERT_EQUAL(jnum(doc, "exit_code"), LK_EXIT_INPUT);
    /* component totals count only what Loket holds (would hold): 10 Uren gewerkt 151.5; the
     * 12 hours of 1019, refused, are shown apart (they were counted in, 163.5) */
    CU_ASSERT_EQUAL(jnum(doc, "totals.components.0.key"), 10);
    CU_ASSERT_EQUAL(jnum(doc, "totals.components.0.count"), 1);
    CU_ASSERT_EQUAL(jnum(doc, "totals.components.0.sum_new_values"), 151.5);
    CU_ASSERT_EQUAL(jnum(doc, "totals.components_not_in_loket.0.key"), 10);
    CU_ASSERT_EQUAL(jnum(doc, "totals.components_not_in_loket.0.count"), 1);
    CU_ASSERT_EQUAL(jnum(doc, "totals.components_not_in_loket.0.sum_new_values"), 12);
    cJSON_Delete(doc);
    free(text);
    lk_report_free(r);
}

/* ---------------------------------------------------------------------------------------------
 * CSV
 * ------------------------------------------------------------------------------------------- */

static void check_csv(const lk_report *r, const char *path, char delimiter)
{
    grid g;
    bool bom;
    read_csv(path, delimiter, &g, &bom);
    CU_ASSERT(bom);
    CU_ASSERT_STRING_EQUAL(at(&g, 0, 0), "outcome");
    CU_ASSERT_STRING_EQUAL(at(&g, 0, LK_NCOLS - 1), "input_column");
    /* 2 + 3 + 2 + 1 component lines, 2 issue lines, the header */
    CU_ASSERT_EQUAL(g.nrows, 1 + 8 + 2);
    int row = find_row(&g, "employee_number", "1001", "10");
    CU_ASSERT_FATAL(row > 0);
    CU_ASSERT_STRING_EQUAL(at(&g, row, find_col(&g, "outcome")), "updated");
    CU_ASSERT_STRING_EQUAL(at(&g, row, find_col(&g, "new_value")),
                           delimiter == ';' ? "151,5" : "151.5");
    CU_ASSERT_STRING_EQUAL(at(&g, row, find_col(&g, "employer")), "Bakkerij Van den Berg B.V.");
    CU_ASSERT_STRING_EQUAL(at(&g, row, find_col(&g, "client_number")), "40101");
    CU_ASSERT_STRING_EQUAL(at(&g, row, find_col(&g, "cost_center")), "PROD Productie");
    /* a monthly period is named by its month */
    CU_ASSERT_STRING_EQUAL(at(&g, row, find_col(&g, "period")), "2026-11");

    row = find_row(&g, "employee_number", "1007", "31");
    CU_ASSERT_FATAL(row > 0);
    CU_ASSERT_STRING_EQUAL(at(&g, row, find_col(&g, "employee_name")), FIX_NAME_1007);
    const char *msgs = at(&g, row, find_col(&g, "messages"));
    if (!strcmp(r->command, "apply")) {
        CU_ASSERT_STRING_EQUAL(at(&g, row, find_col(&g, "outcome")), "rejected");
        CU_ASSERT_STRING_EQUAL(at(&g, row, find_col(&g, "http_status")), "400");
        CU_ASSERT_PTR_NOT_NULL(strstr(msgs, "BrokenBusinessRule 83: " FIX_REJECT_83 " [31]"));
        CU_ASSERT_PTR_NOT_NULL(strstr(msgs, " | BrokenBusinessRule 84: Record niet opgeslagen; "
                                            "\"geen\" wijzigingen"));
    } else {
        CU_ASSERT_STRING_EQUAL(at(&g, row, find_col(&g, "outcome")), "created");
    }

    /* the formula-like name and payslip text are text; the negative value stays a number */
    row = find_row(&g, "employee_number", "2020", "13");
    CU_ASSERT_FATAL(row > 0);
    CU_ASSERT_STRING_EQUAL(at(&g, row, find_col(&g, "employee_name")), "'" FIX_NAME_2020);
    CU_ASSERT_STRING_EQUAL(at(&g, row, find_col(&g, "payslip_text")), "'-correctie week 46");
    CU_ASSERT_STRING_EQUAL(at(&g, row, find_col(&g, "new_value")),
                           delimiter == ';' ? "-3,25" : "-3.25");
    row = find_row(&g, "employee_number", "2020", "12");
    CU_ASSERT_FATAL(row > 0);
    CU_ASSERT_STRING_EQUAL(at(&g, row, find_col(&g, "new_value")), "");
    CU_ASSERT_STRING_EQUAL(at(&g, row, find_col(&g, "delete")), "yes");

    row = find_row(&g, "outcome", "skipped", NULL);
    CU_ASSERT_FATAL(row > 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(at(&g, row, find_col(&g, "messages")), "totals row"));
    row = find_row(&g, "input_column", "C \"overuren\"", NULL);
    CU_ASSERT_FATAL(row > 0);
    CU_ASSERT_STRING_EQUAL(at(&g, row, find_col(&g, "outcome")), "rejected");

    /* every input row once: each record's rows (same on each of its lines) plus each issue */
    int seen[16] = {0};
    int rows_col = find_col(&g, "input_rows"), emp = find_col(&g, "employee_number");
    for (int i = 1; i < g.nrows; i++) {
        bool first_of_record = i == 1 || strcmp(at(&g, i, emp), at(&g, i - 1, emp)) ||
                               !*at(&g, i, emp);
        if (first_of_record)
            count_rows_text(at(&g, i, rows_col), seen, 16);
    }
    for (int i = 2; i < 2 + FIX_ROWS_READ; i++)
        CU_ASSERT_EQUAL(seen[i], 1);
    grid_free(&g);
}

static void test_csv(void)
{
    lk_error err;
    for (int apply = 0; apply <= 1; apply++) {
        lk_report *r = fix_report(tmpdir, apply);
        const char *comma = path_in(apply ? "apply.csv" : "plan.csv");
        const char *semi = path_in(apply ? "apply-nl.csv" : "plan-nl.csv");
        CU_ASSERT_EQUAL_FATAL(lk_report_write(r, comma, LK_REPORT_AUTO, &err), LK_OK);
        CU_ASSERT_EQUAL_FATAL(lk_report_write_csv(r, semi, ';', &err), LK_OK);
        check_csv(r, comma, ',');
        check_csv(r, semi, ';');
        lk_report_free(r);
    }
}

/* --csv-style: the names, the language's default, and that lk_report_write_as writes each */
static void test_csv_styles(void)
{
    lk_csv_style st = LK_CSV_EXCEL_NL;
    CU_ASSERT_TRUE(lk_csv_style_parse("rfc4180", &st));
    CU_ASSERT_EQUAL(st, LK_CSV_RFC4180);
    CU_ASSERT_TRUE(lk_csv_style_parse("excel-nl", &st));
    CU_ASSERT_EQUAL(st, LK_CSV_EXCEL_NL);
    CU_ASSERT_FALSE(lk_csv_style_parse("excel", &st));
    CU_ASSERT_FALSE(lk_csv_style_parse("", &st));
    CU_ASSERT_EQUAL(st, LK_CSV_EXCEL_NL); /* unchanged by a bad name */
    CU_ASSERT_STRING_EQUAL(lk_csv_style_name(LK_CSV_EXCEL_NL), "excel-nl");
    CU_ASSERT_STRING_EQUAL(lk_csv_style_name(LK_CSV_RFC4180), "rfc4180");
    CU_ASSERT_EQUAL(lk_csv_style_for_language("nl"), LK_CSV_EXCEL_NL);
    CU_ASSERT_EQUAL(lk_csv_style_for_language("nl_NL.UTF-8"), LK_CSV_EXCEL_NL);
    CU_ASSERT_EQUAL(lk_csv_style_for_language("nl-BE"), LK_CSV_EXCEL_NL);
    CU_ASSERT_EQUAL(lk_csv_style_for_language("nds_DE"), LK_CSV_RFC4180);
    CU_ASSERT_EQUAL(lk_csv_style_for_language("en_US.UTF-8"), LK_CSV_RFC4180);
    CU_ASSERT_EQUAL(lk_csv_style_for_language("n"), LK_CSV_RFC4180);
    CU_ASSERT_EQUAL(lk_csv_style_for_language(NULL), LK_CSV_RFC4180);

    lk_error err;
    lk_report *r = fix_report(tmpdir, false);
    const char *nl = path_in("styled-nl.csv");
    const char *en = path_in("styled-en.csv");
    CU_ASSERT_EQUAL_FATAL(lk_report_write_as(r, nl, LK_REPORT_AUTO, LK_CSV_EXCEL_NL, &err),
                          LK_OK);
    CU_ASSERT_EQUAL_FATAL(lk_report_write_as(r, en, LK_REPORT_AUTO, LK_CSV_RFC4180, &err),
                          LK_OK);
    check_csv(r, nl, ';');
    check_csv(r, en, ',');
    /* an .xlsx or .json path is not affected by the CSV style */
    CU_ASSERT_EQUAL(lk_report_write_as(r, path_in("styled.json"), LK_REPORT_AUTO,
                                       LK_CSV_EXCEL_NL, &err), LK_OK);
    CU_ASSERT_EQUAL(r->noutputs, 3);
    lk_report_free(r);
}

static void test_csv_crlf_and_quotes(void)
{
    lk_error err;
    lk_report *r = lk_report_new("apply");
    lk_report_record *rec = lk_report_add_record(r);
    lk_report_record_set_employee(rec, 1, "Line\nbreak, \"quoted\"; semi");
    lk_report_record_add_message(rec, LK_MSG_LOKET, "Warning", false, 0, "@SUM(A1)", NULL);
    lk_report_record_add_message(rec, LK_MSG_LOKET, "Info", false, 0, "\tplain", NULL);
    const char *path = path_in("odd.csv");
    CU_ASSERT_EQUAL_FATAL(lk_report_write(r, path, LK_REPORT_CSV, &err), LK_OK);
    char *data;
    size_t len;
    CU_ASSERT_EQUAL_FATAL(lk_read_file(path, 1 << 20, &data, &len, &err), LK_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(data, "\"outcome\",\"employer\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(data, "\r\n"));
    free(data);
    grid g;
    bool bom;
    read_csv(path, ',', &g, &bom);
    CU_ASSERT_EQUAL(g.nrows, 2);
    CU_ASSERT_STRING_EQUAL(at(&g, 1, LK_COL_EMPLOYEE_NAME), "Line\nbreak, \"quoted\"; semi");
    /* the messages cell starts with "Warning", so it needs no guard; a lone TAB message does */
    CU_ASSERT_STRING_EQUAL(at(&g, 1, LK_COL_MESSAGES), "Warning: @SUM(A1) | Info: \tplain");
    grid_free(&g);
    lk_report_free(r);

    r = lk_report_new("apply");
    rec = lk_report_add_record(r);
    lk_report_record_add_message(rec, LK_MSG_LOKET, "", false, 0, "@SUM(A1)", NULL);
    lk_report_record_set_employee(rec, 1, "+31 6 1234");
    CU_ASSERT_EQUAL_FATAL(lk_report_write(r, path, LK_REPORT_CSV, &err), LK_OK);
    read_csv(path, ',', &g, &bom);
    CU_ASSERT_STRING_EQUAL(at(&g, 1, LK_COL_MESSAGES), "'@SUM(A1)");
    CU_ASSERT_STRING_EQUAL(at(&g, 1, LK_COL_EMPLOYEE_NAME), "'+31 6 1234");
    grid_free(&g);
    CU_ASSERT_EQUAL(lk_report_write_csv(r, path, 'x', &err), LK_ERR_CONFIG);
    lk_report_free(r);
}

/* ---------------------------------------------------------------------------------------------
 * XLSX
 * ------------------------------------------------------------------------------------------- */

static void test_xlsx_apply(void)
{
    lk_error err;
    lk_report *r = fix_report(tmpdir, true);
    const char *path = path_in("apply.xlsx");
    CU_ASSERT_EQUAL_FATAL(lk_report_write(r, path, LK_REPORT_AUTO, &err), LK_OK);

    grid g;
    char *xml = NULL;
    read_xlsx(path, 2, &g, &xml);
    /* no formula anywhere in the detail sheet; frozen header, autofilter over every column */
    CU_ASSERT_PTR_NULL(strstr(xml, "<f>"));
    CU_ASSERT_PTR_NULL(strstr(xml, "<f "));
    CU_ASSERT_PTR_NOT_NULL(strstr(xml, "state=\"frozen\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<autoFilter ref=\"A1:AC11\""));
    free(xml);
    CU_ASSERT_EQUAL(g.nrows, 11);
    CU_ASSERT_STRING_EQUAL(at(&g, 0, 0), "Outcome"); /* the workbook's titles are words */

    int row = find_row(&g, "employee_number", "2020", "13");
    CU_ASSERT_FATAL(row > 0);
    int name = find_col(&g, "employee_name");
    /* XLSX keeps text as text: no quote prefix needed, and no formula */
    CU_ASSERT_STRING_EQUAL(at(&g, row, name), FIX_NAME_2020);
    CU_ASSERT_FALSE(g.number[row][name]);
    int value = find_col(&g, "new_value");
    CU_ASSERT(g.number[row][value]);
    CU_ASSERT_DOUBLE_EQUAL(atof(at(&g, row, value)), -3.25, 1e-12);
    CU_ASSERT_STRING_EQUAL(at(&g, row, find_col(&g, "outcome")), "failed");
    CU_ASSERT_STRING_EQUAL(at(&g, row, find_col(&g, "attempts")), "3");

    row = find_row(&g, "employee_number", "1001", "10");
    CU_ASSERT_FATAL(row > 0);
    CU_ASSERT(g.number[row][value]);
    CU_ASSERT_DOUBLE_EQUAL(atof(at(&g, row, value)), 151.5, 1e-12);
    CU_ASSERT(g.number[row][find_col(&g, "employee_number")]);
    CU_ASSERT_STRING_EQUAL(at(&g, row, find_col(&g, "outcome")), "updated");

    row = find_row(&g, "employee_number", "1007", "20");
    CU_ASSERT_FATAL(row > 0);
    CU_ASSERT_STRING_EQUAL(at(&g, row, name), FIX_NAME_1007);
    CU_ASSERT_STRING_EQUAL(at(&g, row, find_col(&g, "outcome")), "rejected");
    CU_ASSERT_PTR_NOT_NULL(strstr(at(&g, row, find_col(&g, "messages")), FIX_REJECT_83));

    int seen[16] = {0};
    int rows_col = find_col(&g, "input_rows"), emp = find_col(&g, "employee_number");
    for (int i = 1; i < g.nrows; i++)
        if (i == 1 || strcmp(at(&g, i, emp), at(&g, i - 1, emp)) || !*at(&g, i, emp))
            count_rows_text(at(&g, i, rows_col), seen, 16);
    for (int i = 2; i < 2 + FIX_ROWS_READ; i++)
        CU_ASSERT_EQUAL(seen[i], 1);
    grid_free(&g);

    /* summary: totals per outcome and per component, no formulas either */
    read_xlsx(path, 1, &g, &xml);
    CU_ASSERT_PTR_NULL(strstr(xml, "<f>"));
    free(xml);
    bool found_rejected = false, found_hours = false, found_exit = false;
    for (int i = 0; i < g.nrows; i++) {
        if (!strcmp(at(&g, i, 0), "rejected") && !strcmp(at(&g, i, 1), "2") &&
            !strcmp(at(&g, i, 2), "1"))
            found_rejected = true;
        if (!strcmp(at(&g, i, 0), "10") && !strcmp(at(&g, i, 1), "Uren gewerkt") &&
            !strcmp(at(&g, i, 2), "2") && atof(at(&g, i, 3)) == 163.5 &&
            !strcmp(at(&g, i, 4), "1") && atof(at(&g, i, 5)) == 151.5)
            found_hours = true;
        if (!strcmp(at(&g, i, 0), "Exit code") && !strcmp(at(&g, i, 1), "1"))
            found_exit = true;
    }
    CU_ASSERT(found_rejected);
    CU_ASSERT(found_hours);
    CU_ASSERT(found_exit);
    grid_free(&g);
    lk_report_free(r);
}

static void test_xlsx_plan(void)
{
    lk_error err;
    lk_report *r = fix_report(tmpdir, false);
    const char *path = path_in("plan.xlsx");
    CU_ASSERT_EQUAL_FATAL(lk_report_write_xlsx(r, path, &err), LK_OK);
    grid g;
    read_xlsx(path, 2, &g, NULL);
    int row = find_row(&g, "employee_number", "1001", "10");
    CU_ASSERT_FATAL(row > 0);
    int old = find_col(&g, "old_value");
    CU_ASSERT(g.number[row][old]);
    CU_ASSERT_STRING_EQUAL(at(&g, row, old), "140");
    row = find_row(&g, "employee_number", "1001", "11");
    CU_ASSERT_FATAL(row > 0);
    CU_ASSERT_STRING_EQUAL(at(&g, row, old), "");     /* absent before: empty, not 0 */
    row = find_row(&g, "employee_number", "2020", "13");
    CU_ASSERT_STRING_EQUAL(at(&g, row, find_col(&g, "outcome")), "unchanged");
    CU_ASSERT_STRING_EQUAL(at(&g, row, find_col(&g, "payslip_text")), "-correctie week 46");
    grid_free(&g);
    lk_report_free(r);
}

/* Made for reading and printing: dates as dates, landscape A4 one page wide with the header row
 * on every page, widths from the content, empty columns hidden, no rounded averages, values
 * with their decimals, issue lines naming the employee, a rejection's reason first. */
static void test_xlsx_print_and_read(void)
{
    lk_error err;
    lk_report *r = fix_report(tmpdir, true);
    /* a rejection whose reason Loket gave after two informational messages */
    lk_report_record *rec = lk_report_add_record(r);
    lk_report_record_set_employee(rec, 1050, "Kok, T.");
    lk_report_record_add_value(rec, 31, "Ploegentoeslag", 12500000, false, false);
    lk_report_record_set_result(rec, LK_OUTCOME_REJECTED, 400, 1);
    lk_report_record_add_message(rec, LK_MSG_LOKET, "Info", false, 0, "Controle gestart", NULL);
    lk_report_record_add_message(rec, LK_MSG_LOKET, "Info", false, 0, "Controle klaar", NULL);
    lk_report_record_add_message(rec, LK_MSG_LOKET, "BrokenBusinessRule", true, 83, FIX_REJECT_83,
                                 NULL);
    /* the bad cell's row belonged to employee 1001 */
    lk_report_issue_set_employee(&r->issues[0], 1001, NULL);
    const char *path = path_in("print.xlsx");
    CU_ASSERT_EQUAL_FATAL(lk_report_write_xlsx(r, path, &err), LK_OK);

    grid g;
    char *xml;
    read_xlsx(path, 2, &g, &xml);
    int row = find_row(&g, "employee_number", "1001", "10");
    CU_ASSERT_FATAL(row > 0);
    int start = find_col(&g, "period_start"), end = find_col(&g, "period_end");
    CU_ASSERT(g.date[row][start] && g.date[row][end]);
    /* the reader gives a date cell as its ISO date */
    CU_ASSERT_STRING_EQUAL(at(&g, row, start), "2026-11-01");
    CU_ASSERT_STRING_EQUAL(at(&g, row, end), "2026-11-30");
    /* the reason first */
    int msgs = find_col(&g, "messages");
    row = find_row(&g, "employee_number", "1050", "31");
    CU_ASSERT_FATAL(row > 0);
    CU_ASSERT_STRING_EQUAL(at(&g, row, msgs), "BrokenBusinessRule 83: " FIX_REJECT_83
                                              " | Info: Controle gestart | Info: Controle klaar");
    /* the issue line names the employee, number and name */
    int emp = find_col(&g, "employee_number"), name = find_col(&g, "employee_name");
    bool issue_named = false;
    for (int i = 1; i < g.nrows; i++)
        if (strstr(at(&g, i, msgs), "is not a number") && !strcmp(at(&g, i, emp), "1001") &&
            *at(&g, i, name))
            issue_named = true;
    CU_ASSERT(issue_named);
    /* print setup: landscape A4, one page wide when that keeps the text readable, else at 75%
     * over several pages wide; page numbers; the header row repeats */
    CU_ASSERT_PTR_NOT_NULL(strstr(xml, "orientation=\"landscape\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(xml, "paperSize=\"9\""));
    if (strstr(xml, "<pageSetUpPr fitToPage=\"1\"/>"))
        CU_ASSERT_PTR_NOT_NULL(strstr(xml, "fitToHeight=\"0\""))
    else
        CU_ASSERT_PTR_NOT_NULL(strstr(xml, "scale=\"75\""))
    CU_ASSERT_PTR_NOT_NULL(strstr(xml, "Page &amp;P of &amp;N"));
    /* an empty column (cost_unit) hidden; input_rows as wide as its widest cell */
    char needle[96];
    snprintf(needle, sizeof needle, "<col min=\"%d\" max=\"%d\" width=", LK_COL_COST_UNIT + 1,
             LK_COL_COST_UNIT + 1);
    const char *c = strstr(xml, needle);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_PTR_NOT_NULL(strstr(c, "hidden=\"1\""));
    CU_ASSERT(strstr(c, "hidden=\"1\"") < strstr(c, "/>"));
    snprintf(needle, sizeof needle, "<col min=\"%d\" max=\"%d\" width=\"", LK_COL_INPUT_ROWS + 1,
             LK_COL_INPUT_ROWS + 1);
    c = strstr(xml, needle);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    double width = atof(c + strlen(needle));
    size_t widest = 0;
    int rows_col = find_col(&g, "input_rows");
    for (int i = 1; i < g.nrows; i++)
        if (strlen(at(&g, i, rows_col)) > widest)
            widest = strlen(at(&g, i, rows_col));
    /* as wide as its widest cell, up to the width where it wraps */
    CU_ASSERT(widest > 0);
    CU_ASSERT(width >= (double)(widest < 32 ? widest : 32) && width <= 36);
    free(xml);
    grid_free(&g);

    size_t len;
    char *wb = zip_part(path, "xl/workbook.xml", &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(wb);
    CU_ASSERT_PTR_NOT_NULL(strstr(wb, "_xlnm.Print_Titles"));
    CU_ASSERT_PTR_NOT_NULL(strstr(wb, "Details!$1:$1"));
    free(wb);
    char *styles = zip_part(path, "xl/styles.xml", &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(styles);
    CU_ASSERT_PTR_NOT_NULL(strstr(styles, "numFmtId=\"14\""));     /* the short date */
    CU_ASSERT_PTR_NOT_NULL(strstr(styles, "formatCode=\"#,##0.00\""));
    free(styles);

    /* summary: landscape too; the average of 3 attempts over 900 ms is shown whole */
    read_xlsx(path, 1, &g, &xml);
    CU_ASSERT_PTR_NOT_NULL(strstr(xml, "orientation=\"landscape\""));
    free(xml);
    grid_free(&g);
    lk_report_free(r);
}

static void test_xlsx_long_text(void)
{
    lk_error err;
    lk_report *r = lk_report_new("apply");
    lk_report_record *rec = lk_report_add_record(r);
    char *big = xmalloc(40001);
    memset(big, 'x', 40000);
    big[40000] = '\0';
    lk_report_record_add_message(rec, LK_MSG_LOKET, "Warning", false, 0, big, NULL);
    free(big);
    const char *path = path_in("long.xlsx");
    /* Excel's cell limit: cut, not a failed report */
    CU_ASSERT_EQUAL(lk_report_write(r, path, LK_REPORT_AUTO, &err), LK_OK);
    grid g;
    read_xlsx(path, 2, &g, NULL);
    CU_ASSERT_EQUAL(strlen(at(&g, 1, LK_COL_MESSAGES)), 32767);
    grid_free(&g);
    lk_report_free(r);
}

/* Bytes that are not UTF-8 (a Latin-1 name, a broken server message) leave every format
 * readable. */
static void test_invalid_utf8_readable(void)
{
    lk_error err;
    lk_report *r = lk_report_new("apply");
    lk_report_record *rec = lk_report_add_record(r);
    lk_report_record_set_employee(rec, 1, "Jos\xe9\x01");
    lk_report_record_add_message(rec, LK_MSG_LOKET, "W", false, 0, "half \xc3", NULL);
    const char *xlsx = path_in("latin1.xlsx"), *json = path_in("latin1.json");
    CU_ASSERT_EQUAL_FATAL(lk_report_write(r, xlsx, LK_REPORT_AUTO, &err), LK_OK);
    CU_ASSERT_EQUAL_FATAL(lk_report_write(r, json, LK_REPORT_AUTO, &err), LK_OK);
    grid g;
    read_xlsx(xlsx, 2, &g, NULL);
    CU_ASSERT_STRING_EQUAL(at(&g, 1, LK_COL_EMPLOYEE_NAME), "Jos\xEF\xBF\xBD ");
    CU_ASSERT_STRING_EQUAL(at(&g, 1, LK_COL_MESSAGES), "W: half \xEF\xBF\xBD");
    grid_free(&g);
    cJSON *doc = read_json(json);
    CU_ASSERT_STRING_EQUAL(jstr(doc, "records.0.employee.name"), "Jos\xEF\xBF\xBD ");
    cJSON_Delete(doc);
    lk_report_free(r);
}

/* ---------------------------------------------------------------------------------------------
 * Errors, terminal
 * ------------------------------------------------------------------------------------------- */

static void test_unwritable(void)
{
    const char *paths[] = {"/nonexistent-lk-dir/report.csv", "/nonexistent-lk-dir/report.xlsx",
                           "/nonexistent-lk-dir/report.json"};
    lk_report *r = fix_report(tmpdir, true);
    for (size_t i = 0; i < LK_ARRAY_SIZE(paths); i++) {
        lk_error err;
        lk_error_clear(&err);
        CU_ASSERT_EQUAL(lk_report_write(r, paths[i], LK_REPORT_AUTO, &err), LK_ERR_ENV);
        char want[200];
        snprintf(want, sizeof(want), "cannot write the report %s: No such file or directory",
                 paths[i]);
        CU_ASSERT_STRING_EQUAL(err.message, want);
    }
    CU_ASSERT_EQUAL(r->noutputs, 0);
    /* a folder where the file should be */
    lk_error err;
    CU_ASSERT_EQUAL(lk_report_write(r, tmpdir, LK_REPORT_JSON, &err), LK_ERR_ENV);
    CU_ASSERT_EQUAL(lk_report_write(r, tmpdir, LK_REPORT_XLSX, &err), LK_ERR_ENV);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, tmpdir));
    /* nothing half-written is left behind */
    char cmd[700];
    snprintf(cmd, sizeof(cmd), "ls %s | grep -q tmp", tmpdir);
    CU_ASSERT_NOT_EQUAL(system(cmd), 0);
    lk_report_free(r);
}

static void test_summary(void)
{
    lk_error err;
    lk_report *r = fix_report(tmpdir, true);
    lk_report_add_warning(r, "uren.csv: the rows fall into %d payroll periods", 2);
    const char *path = path_in("summary.json");
    CU_ASSERT_EQUAL_FATAL(lk_report_write(r, path, LK_REPORT_AUTO, &err), LK_OK);
    cJSON *doc = read_json(path);
    CU_ASSERT_STRING_EQUAL(jstr(doc, "run.warnings.0"), "uren.csv: the rows fall into 2 payroll "
                                                       "periods");
    cJSON_Delete(doc);
    FILE *f = tmpfile();
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    lk_report_print_summary(r, f);
    rewind(f);
    char text[8192];
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    text[n] = '\0';
    fclose(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "apply: 4 records from 1 file, 6 input rows"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "rejected"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "10 Uren gewerkt"));
    /* component totals count only what Loket holds: the rejected record's 12 hours are out */
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "151.5"));
    CU_ASSERT_PTR_NULL(strstr(text, "163.5"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "other records not counted"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, FIX_REJECT_83));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"7,5x\" is not a number"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, path));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "exit code 1"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "  warning: uren.csv: the rows fall into 2 payroll periods\n"));
    CU_ASSERT_PTR_NULL(strchr(text, '\033'));   /* not a terminal: no colours */
    lk_report_free(r);
}

static void test_progress(void)
{
    /* not a terminal: nothing drawn */
    FILE *f = tmpfile();
    lk_progress *p = lk_progress_new_stream(10, f, false, false);
    lk_progress_update(p, 5, 0);
    lk_progress_finish(p);
    lk_progress_free(p);
    CU_ASSERT_EQUAL(ftell(f), 0);
    /* forced: draws, at most every 100 ms, and always the final state */
    p = lk_progress_new_stream(10, f, true, false);
    lk_progress_update(p, 1, 0);
    long after_first = ftell(f);
    lk_progress_update(p, 2, 0);
    CU_ASSERT(after_first > 0);
    CU_ASSERT_EQUAL(ftell(f), after_first);
    lk_progress_update(p, 10, 1);
    lk_progress_finish(p);
    lk_progress_update(p, 10, 1);   /* after finish: no-op */
    lk_progress_free(p);
    rewind(f);
    char text[1024];
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    text[n] = '\0';
    fclose(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "1/10"));
    CU_ASSERT_PTR_NULL(strstr(text, "2/10"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "10/10, 1 failed"));
    CU_ASSERT_EQUAL(text[n - 1], '\n');
    /* quiet: never draws, whatever stderr is */
    p = lk_progress_new(3, true);
    lk_progress_update(p, 3, 0);
    lk_progress_finish(p);
    lk_progress_free(p);
    lk_progress_free(NULL);
}

static void test_no_color(void)
{
    FILE *f = tmpfile();
    setenv("NO_COLOR", "1", 1);
    CU_ASSERT_FALSE(lk_report_use_color(f));
    setenv("NO_COLOR", "", 1);
    CU_ASSERT_FALSE(lk_report_use_color(f));   /* a file is never coloured */
    unsetenv("NO_COLOR");
    fclose(f);
}

static void setup(void)
{
    tmpdir = lk_test_tmpdir();
}

/* plan: the changes on the screen, grouped, with supplement, unchanged values, decimal comma and
 * the cut at max_lines (lk_report_print_changes) */
static char *changes_text(const lk_report *r, const lk_plan_view_opts *o, size_t *hidden)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    *hidden = lk_report_print_changes(r, o, out);
    fclose(out);
    return text;
}

static void test_plan_changes_view(void)
{
    lk_report *r = fix_report(tmpdir, false);
    /* 1001 also sends a value Loket already holds */
    lk_report_component *same =
        lk_report_record_add_value(r->records[0], 14, "Verlofuren", dec(4), false, false);
    lk_report_component_set_old(same, dec(4));
    size_t hidden;
    char *t = changes_text(r, NULL, &hidden);
    CU_ASSERT_EQUAL(hidden, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "Bakkerij Van den Berg B.V. (client 40101), Van den Berg "
                                     "maandloon, period 2026-11 (2026-11-01 to 2026-11-30)\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "  ~ 1001 Jansen, Eline, employment 1, cost center PROD, "
                                     "payslip type Normaal: updated\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "      ~ 10 Uren gewerkt                  140 -> 151.5\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "      + 11 Overuren 125%                 8\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "        and 1 value Loket already holds\n"));
    CU_ASSERT_PTR_NULL(strstr(t, "= 14 Verlofuren"));   /* only in the totals */
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "      14 Verlofuren                      4 -> 4\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "      + 30 Bonus                         250 (supplement)\n"));
    /* 2020 is unchanged: counted in its group, not listed */
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "  = 1 employment record unchanged (not shown)\n"));
    CU_ASSERT_PTR_NULL(strstr(t, "2020"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "  plan totals: "));
    free(t);

    /* the language's number style, and a cut after 2 lines that names the report */
    lk_plan_view_opts o = { 2, true, "out/plan.xlsx" };
    t = changes_text(r, &o, &hidden);
    CU_ASSERT(hidden > 5);
    char want[160];
    snprintf(want, sizeof want,
             "  ... %zu more lines not shown: the whole plan is in out/plan.xlsx (or use --lines "
             "0)\n", hidden);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, want));
    size_t lines = 0;
    for (const char *p = t; *p; p++)
        lines += *p == '\n';
    CU_ASSERT_EQUAL(lines, 3);
    free(t);
    o.max_lines = 0;
    t = changes_text(r, &o, &hidden);
    /* Dutch: two decimals and a decimal comma, as the summary writes totals */
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "140,00 -> 151,50\n"));
    CU_ASSERT_PTR_NULL(strstr(t, "151.5"));
    free(t);

    /* the JSON view: the same numbers, exact */
    char *j = lk_report_changes_json(r);
    cJSON *doc = cJSON_Parse(j);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    const cJSON *g0 = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "groups"), 0);
    const cJSON *c0 = cJSON_GetArrayItem(
        cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(g0, "records"), 0),
                            "components"), 0);
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(c0, "change")->valuestring, "update");
    CU_ASSERT_DOUBLE_EQUAL(cJSON_GetObjectItem(c0, "old_value")->valuedouble, 140, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(cJSON_GetObjectItem(c0, "new_value")->valuedouble, 151.5, 1e-9);
    cJSON_Delete(doc);
    free(j);
    lk_report_free(r);
}

static void test_cleanup(void)
{
    lk_test_rmtree(tmpdir);
    free(tmpdir);
}

static const lk_test tests[] = {
    {"setup", setup},
    {"JSON of an apply with rejections", test_json_apply},
    {"JSON of a plan, exact values", test_json_plan_exact_values},
    {"CSV of a plan and an apply, ',' and ';'", test_csv},
    {"CSV styles excel-nl and rfc4180", test_csv_styles},
    {"CSV quoting, line breaks, formula guard", test_csv_crlf_and_quotes},
    {"XLSX of an apply with rejections", test_xlsx_apply},
    {"XLSX of a plan with old values", test_xlsx_plan},
    {"XLSX made for reading and printing", test_xlsx_print_and_read},
    {"XLSX text over Excel's cell limit", test_xlsx_long_text},
    {"text that was not UTF-8 stays readable", test_invalid_utf8_readable},
    {"unwritable report paths", test_unwritable},
    {"plan: the changes, old -> new", test_plan_changes_view},
    {"terminal summary", test_summary},
    {"progress indicator", test_progress},
    {"NO_COLOR", test_no_color},
    {"cleanup", test_cleanup},
    {NULL, NULL},
};

int main(void)
{
    return lk_test_main("report writers", tests);
}
