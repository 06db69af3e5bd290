/*
 * test_xlsx.c: the XLSX reader through the public reader interface, on workbooks from two kinds
 * of producer: libxlsxwriter (written here, in both its shared-string and constant-memory
 * modes) and hand-made packages in tests/data/input/xlsx-src/ (x: prefixes, absolute targets,
 * inline strings, no shared strings, 1904 dates), zipped here with minizip. Then hostile files:
 * zip bombs, entity expansion, huge cells, too many columns and rows, truncated and junk files.
 */
#include "common/strbuf.h"
#include "common/util.h"
#include "input/reader.h"
#include "input/xlsx_styles.h"
#include "support/cunit_main.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <xlsxwriter.h>
#include <zip.h>

#define SRC "tests/data/input/xlsx-src/"

/* ---------------------------------------------------------------------------------------------
 * Building workbooks
 */

typedef struct part {
    const char *name;
    const char *data;
    size_t len;          /* 0: strlen(data) */
} part;

static void zip_add(zipFile zf, const char *name, const void *data, size_t len)
{
    zip_fileinfo zi;
    memset(&zi, 0, sizeof zi);
    CU_ASSERT_FATAL(zipOpenNewFileInZip64(zf, name, &zi, NULL, 0, NULL, 0, NULL, Z_DEFLATED,
                                          Z_DEFAULT_COMPRESSION, len > 0xFFFFFFF) == ZIP_OK);
    CU_ASSERT_FATAL(zipWriteInFileInZip(zf, data, (unsigned)len) == ZIP_OK);
    CU_ASSERT_FATAL(zipCloseFileInZip(zf) == ZIP_OK);
}

static void zip_parts(const char *path, const part *parts)
{
    zipFile zf = zipOpen64(path, APPEND_STATUS_CREATE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(zf);
    for (const part *p = parts; p->name; p++)
        zip_add(zf, p->name, p->data, p->len ? p->len : strlen(p->data));
    CU_ASSERT_FATAL(zipClose(zf, NULL) == ZIP_OK);
}

static void zip_tree(zipFile zf, const char *root, const char *rel)
{
    strbuf dir;
    strbuf_init(&dir, 0);
    strbuf_addf(&dir, "%s/%s", root, rel);
    DIR *d = opendir(dir.buf);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        strbuf name, full;
        struct stat st;
        strbuf_init(&name, 0);
        strbuf_init(&full, 0);
        strbuf_addf(&name, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
        strbuf_addf(&full, "%s/%s", root, name.buf);
        CU_ASSERT_FATAL(stat(full.buf, &st) == 0);
        if (S_ISDIR(st.st_mode)) {
            zip_tree(zf, root, name.buf);
        } else {
            char *data;
            size_t len;
            lk_error err;
            CU_ASSERT_FATAL(lk_read_file(full.buf, 1 << 24, &data, &len, &err) == LK_OK);
            zip_add(zf, name.buf, data, len);
            free(data);
        }
        strbuf_free(&name);
        strbuf_free(&full);
    }
    closedir(d);
    strbuf_free(&dir);
}

/* Zips a folder of tests/data/input/xlsx-src into dir/name.xlsx; returns the path. */
static char *zip_source(const char *dir, const char *source)
{
    strbuf path, root;
    strbuf_init(&path, 0);
    strbuf_init(&root, 0);
    strbuf_addf(&path, "%s/%s.xlsx", dir, source);
    strbuf_addf(&root, SRC "%s", source);
    zipFile zf = zipOpen64(path.buf, APPEND_STATUS_CREATE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(zf);
    zip_tree(zf, root.buf, "");
    CU_ASSERT_FATAL(zipClose(zf, NULL) == ZIP_OK);
    strbuf_free(&root);
    return strbuf_detach(&path, NULL);
}

/* The minimal package around one sheet's XML (and optional shared strings). */
static void zip_sheet(const char *path, const char *sheet_xml, size_t sheet_len,
                      const char *sst_xml)
{
    part parts[] = {
        { "[Content_Types].xml", "<Types xmlns=\"http://schemas.openxmlformats.org/package/"
          "2006/content-types\"/>", 0 },
        { "xl/workbook.xml", "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/"
          "2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/"
          "relationships\"><sheets><sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/></sheets>"
          "</workbook>", 0 },
        { "xl/_rels/workbook.xml.rels", "<Relationships xmlns=\"http://schemas.openxmlformats.org"
          "/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas."
          "openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets"
          "/sheet1.xml\"/></Relationships>", 0 },
        { "xl/worksheets/sheet1.xml", sheet_xml, sheet_len },
        { sst_xml ? "xl/sharedStrings.xml" : NULL, sst_xml, 0 },
        { NULL, NULL, 0 },
    };
    zip_parts(path, parts);
}

#define SHEET_HEAD "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">" \
                   "<sheetData>"
#define SHEET_TAIL "</sheetData></worksheet>"

/* The libxlsxwriter workbook: two sheets, the first with every kind of cell. */
static char *write_xlsxwriter(const char *dir, const char *name, int constant_memory)
{
    strbuf path;
    strbuf_init(&path, 0);
    strbuf_addf(&path, "%s/%s", dir, name);
    lxw_workbook_options options = { .constant_memory = (uint8_t)constant_memory };
    lxw_workbook *wb = workbook_new_opt(path.buf, &options);
    CU_ASSERT_PTR_NOT_NULL_FATAL(wb);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Uren");
    lxw_worksheet *hidden = workbook_add_worksheet(wb, "Verborgen");
    lxw_format *date = workbook_add_format(wb);
    format_set_num_format(date, "dd-mm-yyyy");
    lxw_format *builtin_date = workbook_add_format(wb);
    format_set_num_format_index(builtin_date, 14);
    lxw_format *time = workbook_add_format(wb);
    format_set_num_format(time, "hh:mm");
    lxw_format *money = workbook_add_format(wb);
    format_set_num_format(money, "\"EUR \"#,##0.00");
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);

    const char *headers[] = { "Personeelsnummer", "Naam", "Datum", "Uren", "Actief", "Totaal",
                              "Begin", "Bedrag" };
    for (int i = 0; i < 8; i++)
        worksheet_write_string(ws, 0, (lxw_col_t)i, headers[i], bold);
    lxw_datetime nov2 = { 2026, 11, 2, 0, 0, 0 }, at830 = { 0, 0, 0, 8, 30, 0 };
    worksheet_write_number(ws, 1, 0, 1001, NULL);
    worksheet_write_string(ws, 1, 1, "Jos\xC3\xA9 M\xC3\xBCller", NULL);
    worksheet_write_datetime(ws, 1, 2, &nov2, date);
    worksheet_write_number(ws, 1, 3, 7.5, NULL);
    worksheet_write_boolean(ws, 1, 4, 1, NULL);
    worksheet_write_formula_num(ws, 1, 5, "=D2*2", NULL, 15);
    worksheet_write_datetime(ws, 1, 6, &at830, time);
    worksheet_write_number(ws, 1, 7, 1234.5, money);
    /* row 3 left empty; row 4 sparse, with a blank styled cell and a built-in date format */
    worksheet_write_number(ws, 3, 0, 1002, NULL);
    worksheet_write_blank(ws, 3, 1, bold);
    lxw_datetime d1 = { 1900, 1, 1, 0, 0, 0 }, d59 = { 1900, 2, 28, 0, 0, 0 },
                 d61 = { 1900, 3, 1, 0, 0, 0 };
    worksheet_write_datetime(ws, 3, 2, &d1, builtin_date);
    worksheet_write_number(ws, 3, 3, 0.1, NULL);
    worksheet_write_boolean(ws, 3, 4, 0, NULL);
    worksheet_write_formula_str(ws, 3, 5, "=\"A\"&\"B\"", NULL, "AB");
    worksheet_write_datetime(ws, 4, 2, &d59, builtin_date);
    worksheet_write_datetime(ws, 4, 3, &d61, builtin_date);
    /* rich text, a hidden row, a merged range */
    lxw_rich_string_tuple run1 = { .format = bold, .string = "vet " };
    lxw_rich_string_tuple run2 = { .format = NULL, .string = "en gewoon" };
    lxw_rich_string_tuple *runs[] = { &run1, &run2, NULL };
    worksheet_write_rich_string(ws, 5, 1, runs, NULL);
    lxw_row_col_options hide = { .hidden = 1 };
    worksheet_set_row_opt(ws, 6, LXW_DEF_ROW_HEIGHT, NULL, &hide);
    worksheet_write_string(ws, 6, 0, "verborgen rij", NULL);
    if (!constant_memory)
        worksheet_merge_range(ws, 7, 0, 7, 2, "Samengevoegd", NULL);
    else
        worksheet_write_string(ws, 7, 0, "Samengevoegd", NULL);
    worksheet_write_string(ws, 8, 27, "AB9", NULL);
    worksheet_write_string(hidden, 0, 0, "tweede blad", NULL);
    worksheet_hide(hidden);
    CU_ASSERT_FATAL(workbook_close(wb) == LXW_NO_ERROR);
    return strbuf_detach(&path, NULL);
}

/* ---------------------------------------------------------------------------------------------
 * Reading
 */

/* Every row as "row:cell|cell": strings bare, others as n:/d:/b:/e: plus text. */
static int dump(const char *path, const lk_reader_opts *opts, strbuf *out, lk_error *err)
{
    lk_reader *r = lk_reader_open(path, opts, err);
    const lk_row *row;
    int rc;
    if (!r)
        return -1;
    CU_ASSERT_EQUAL(lk_reader_type(r), LK_FILE_XLSX);
    while ((rc = lk_reader_next(r, &row, err)) > 0) {
        strbuf_addf(out, "%lu:", row->number);
        CU_ASSERT_STRING_EQUAL(row->file, path);
        CU_ASSERT_PTR_NOT_NULL(row->sheet);
        for (size_t i = 0; i < row->ncells; i++) {
            const lk_cell *c = &row->cells[i];
            static const char *const prefix[] = { "", "", "n:", "b:", "d:", "e:" };
            CU_ASSERT_EQUAL(strlen(c->text), c->len);
            CU_ASSERT_EQUAL(c->type == LK_CELL_EMPTY, c->len == 0);
            strbuf_addf(out, "%s%s%s", i ? "|" : "", prefix[c->type], c->text);
        }
        CU_ASSERT(row->ncells > 0 && row->cells[row->ncells - 1].type != LK_CELL_EMPTY);
        strbuf_addch(out, '\n');
    }
    lk_reader_free(r);
    return rc;
}

static void check_dump(const char *path, const lk_reader_opts *opts, const char *expected)
{
    strbuf out;
    lk_error err;
    strbuf_init(&out, 0);
    int rc = dump(path, opts, &out, &err);
    if (rc != 0) {
        char buf[700];
        fprintf(stderr, "\nunexpected error: %s\n", lk_error_format(&err, buf, sizeof buf));
    }
    CU_ASSERT_EQUAL(rc, 0);
    if (strcmp(out.buf, expected) != 0)
        fprintf(stderr, "\ngot:\n%s\nexpected:\n%s\n", out.buf, expected);
    CU_ASSERT_STRING_EQUAL(out.buf, expected);
    strbuf_free(&out);
}

/* Expects an error; compares the formatted error from the file's base name on. */
static void check_error(const char *path, const lk_reader_opts *opts, lk_code code,
                        const char *expected)
{
    strbuf out;
    lk_error err;
    char buf[700];
    strbuf_init(&out, 0);
    CU_ASSERT_EQUAL(dump(path, opts, &out, &err), -1);
    CU_ASSERT_EQUAL(err.code, code);
    lk_error_format(&err, buf, sizeof buf);
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    const char *at = strstr(buf, base);
    if (!at || strcmp(at, expected) != 0)
        fprintf(stderr, "\ngot:      %s\nexpected: %s\n", buf, expected);
    CU_ASSERT_PTR_NOT_NULL(at);
    if (at)
        CU_ASSERT_STRING_EQUAL(at, expected);
    strbuf_free(&out);
}

static char *path_in(const char *dir, const char *name)
{
    strbuf p;
    strbuf_init(&p, 0);
    strbuf_addf(&p, "%s/%s", dir, name);
    return strbuf_detach(&p, NULL);
}

/* ---------------------------------------------------------------------------------------------
 * Producers
 */

static const char xlsxwriter_expected[] =
    "1:Personeelsnummer|Naam|Datum|Uren|Actief|Totaal|Begin|Bedrag\n"
    "2:n:1001|Jos\xC3\xA9 M\xC3\xBCller|d:2026-11-02|n:7.5|b:TRUE|n:15|d:08:30:00|n:1234.5\n"
    "4:n:1002||d:1900-01-01|n:0.1|b:FALSE|AB\n"
    "5:||d:1900-02-28|d:1900-03-01\n"
    "6:|vet en gewoon\n"
    "7:verborgen rij\n"
    "8:Samengevoegd\n"
    "9:|||||||||||||||||||||||||||AB9\n";

static void test_xlsxwriter(void)
{
    char *dir = lk_test_tmpdir();
    for (int constant_memory = 0; constant_memory <= 1; constant_memory++) {
        char *path = write_xlsxwriter(dir, constant_memory ? "cm.xlsx" : "wb.xlsx",
                                      constant_memory);
        check_dump(path, NULL, xlsxwriter_expected);

        /* typed values and provenance, checked field by field */
        lk_error err;
        lk_reader_opts opts = { .header_row = 1 };
        lk_reader *r = lk_reader_open(path, &opts, &err);
        const lk_row *row;
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        const char *const *sheets = lk_reader_sheets(r);
        CU_ASSERT_STRING_EQUAL(sheets[0], "Uren");
        CU_ASSERT_STRING_EQUAL(sheets[1], "Verborgen");
        CU_ASSERT_PTR_NULL(sheets[2]);
        CU_ASSERT_EQUAL(lk_reader_delimiter(r), 0);
        CU_ASSERT_EQUAL(lk_reader_next(r, &row, &err), 1);
        CU_ASSERT_STRING_EQUAL(row->sheet, "Uren");
        CU_ASSERT_STRING_EQUAL(lk_reader_header(r, 3), "Uren");
        CU_ASSERT_EQUAL(lk_reader_next(r, &row, &err), 1);
        CU_ASSERT_EQUAL(row->cells[0].type, LK_CELL_NUMBER);
        CU_ASSERT_DOUBLE_EQUAL(row->cells[0].number, 1001, 0);
        const lk_cell *d = &row->cells[2];
        CU_ASSERT_EQUAL(d->type, LK_CELL_DATE);
        CU_ASSERT_DOUBLE_EQUAL(d->number, 46328, 0);
        CU_ASSERT(d->year == 2026 && d->month == 11 && d->day == 2 && d->hour == 0);
        CU_ASSERT_EQUAL(row->cells[4].type, LK_CELL_BOOL);
        CU_ASSERT_DOUBLE_EQUAL(row->cells[4].number, 1, 0);
        CU_ASSERT_DOUBLE_EQUAL(row->cells[5].number, 15, 0); /* the formula's cached value */
        const lk_cell *t = &row->cells[6];
        CU_ASSERT(t->type == LK_CELL_DATE && t->year == 0 && t->hour == 8 && t->minute == 30);
        lk_reader_free(r);
        free(path);
    }
    /* the second (hidden) sheet by name and by index */
    char *path = path_in(dir, "wb.xlsx");
    lk_reader_opts by_name = { .sheet_name = "verborgen" };
    check_dump(path, &by_name, "1:tweede blad\n");
    lk_reader_opts by_index = { .sheet_index = 2 };
    check_dump(path, &by_index, "1:tweede blad\n");
    lk_reader_opts missing = { .sheet_name = "December" };
    check_error(path, &missing, LK_ERR_INPUT,
                "wb.xlsx: no sheet named \"December\" (the sheets are \"Uren\", \"Verborgen\")");
    lk_reader_opts beyond = { .sheet_index = 3 };
    check_error(path, &beyond, LK_ERR_INPUT, "wb.xlsx: no sheet number 3 (the workbook has 2)");
    /* forced CSV on a workbook reads it as text without crashing, forced XLSX on text fails */
    free(path);
    lk_test_rmtree(dir);
    free(dir);
}

static void test_prefixed_absolute(void)
{
    char *dir = lk_test_tmpdir();
    char *path = zip_source(dir, "prefixed-absolute");
    check_dump(path, NULL, "1:Uren staan op het tweede blad\n");
    lk_reader_opts opts = { .sheet_name = "Uren november" };
    check_dump(path, &opts,
               "1:Personeelsnummer|Naam|Datum|Uren\n"
               "3:n:1001|Jan de Vries|d:2026-11-02|n:7.5||d:37:30:00\n"
               "4:n:1002|Ren\xC3\xA9""e & Zo\xC3\xAB|d:2026-11-02T12:00:00|n:7.75|AB|e:#DIV/0!|"
               "b:TRUE|b:FALSE\n"
               "5:|n:3|d:1900-03-01|d:1900-02-29|d:1900-02-28T18:00:00|n:1234.5|d:07:30:00\n"
               "7:|regel 1\r\nregel 2|letterlijk _x0041_|regel 1\r\nregel 2\n"
               "9:Samengevoegd\n");
    lk_error err;
    lk_reader *r = lk_reader_open(path, &opts, &err);
    const lk_row *row;
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_STRING_EQUAL(lk_reader_sheets(r)[1], "Uren november");
    lk_reader_next(r, &row, &err);
    CU_ASSERT_EQUAL(lk_reader_next(r, &row, &err), 1);
    CU_ASSERT_STRING_EQUAL(row->sheet, "Uren november");
    CU_ASSERT_EQUAL(row->cells[4].type, LK_CELL_EMPTY);
    /* [h]:mm is a duration: the number of days, 37 hours in the hour field */
    CU_ASSERT_DOUBLE_EQUAL(row->cells[5].number, 1.5625, 0);
    CU_ASSERT(row->cells[5].year == 0 && row->cells[5].hour == 37 && row->cells[5].minute == 30);
    lk_reader_free(r);
    free(path);
    lk_test_rmtree(dir);
    free(dir);
}

static void test_inline_1904(void)
{
    char *dir = lk_test_tmpdir();
    char *path = zip_source(dir, "inline-1904");
    check_dump(path, NULL,
               "1:Nr|Datum|Km woon-werk\n"
               "2:n:1.001E3|d:2026-11-02|n:-2.5e-1|d:2026-11-02T08:30:00\n"
               "3:n:2020|d:00:00:00|d:18:00:00|  spaties  |d:37:30:00\n"
               "5:||na een lege rij|n:42\n");
    lk_error err;
    lk_reader *r = lk_reader_open(path, NULL, &err);
    const lk_row *row;
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    lk_reader_next(r, &row, &err);
    CU_ASSERT_EQUAL(lk_reader_next(r, &row, &err), 1);
    CU_ASSERT_DOUBLE_EQUAL(row->cells[0].number, 1001, 0);
    CU_ASSERT_DOUBLE_EQUAL(row->cells[1].number, 46328, 0); /* converted to the 1900 system */
    CU_ASSERT_DOUBLE_EQUAL(row->cells[2].number, -0.25, 0);
    CU_ASSERT_DOUBLE_EQUAL(row->cells[3].number, 46328 + 8.5 / 24, 1e-9);
    CU_ASSERT(row->cells[3].hour == 8 && row->cells[3].minute == 30);
    /* a duration is not shifted by the 1904 date system */
    CU_ASSERT_EQUAL(lk_reader_next(r, &row, &err), 1);
    CU_ASSERT_DOUBLE_EQUAL(row->cells[4].number, 1.5625, 0);
    CU_ASSERT_DOUBLE_EQUAL(row->cells[2].number, 0.75, 0);
    lk_reader_free(r);
    free(path);
    lk_test_rmtree(dir);
    free(dir);
}

static void test_escapes(void)
{
    /* _xHHHH_ decodes, except a NUL or half a surrogate pair, which stay literal */
    char *dir = lk_test_tmpdir();
    char *path = path_in(dir, "esc.xlsx");
    zip_sheet(path, SHEET_HEAD "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>a_x0009_b_x0000_c"
              "_xD800_d_x20AC__x00e9_</t></is></c><c r=\"B1\" t=\"str\"><v>_x005F_x0009_</v></c>"
              "</row>" SHEET_TAIL, 0, NULL);
    check_dump(path, NULL, "1:a\tb_x0000_c_xD800_d\xE2\x82\xAC\xC3\xA9|_x0009_\n");
    free(path);
    lk_test_rmtree(dir);
    free(dir);
}

static void test_streaming_many_rows(void)
{
    /* 60,000 rows cross many inflate chunks and expat buffers; each row comes once, in order */
    char *dir = lk_test_tmpdir();
    char *path = path_in(dir, "big.xlsx");
    lxw_workbook *wb = workbook_new(path);
    lxw_worksheet *ws = workbook_add_worksheet(wb, NULL);
    for (lxw_row_t i = 0; i < 60000; i++) {
        worksheet_write_number(ws, i, 0, i, NULL);
        worksheet_write_string(ws, i, 1, i % 2 ? "oneven" : "even", NULL);
    }
    CU_ASSERT_FATAL(workbook_close(wb) == LXW_NO_ERROR);
    lk_error err;
    lk_reader *r = lk_reader_open(path, NULL, &err);
    const lk_row *row;
    unsigned long n = 0;
    int ok = 1;
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    while (lk_reader_next(r, &row, &err) == 1) {
        if (row->number != n + 1 || row->ncells != 2 || row->cells[0].number != (double)n ||
            strcmp(row->cells[1].text, n % 2 ? "oneven" : "even") != 0)
            ok = 0;
        n++;
    }
    CU_ASSERT(ok);
    CU_ASSERT_EQUAL(n, 60000);
    lk_reader_free(r);
    free(path);
    lk_test_rmtree(dir);
    free(dir);
}

/* ---------------------------------------------------------------------------------------------
 * Hostile and malformed files
 */

static void test_entity_expansion(void)
{
    char *dir = lk_test_tmpdir();
    char *path = path_in(dir, "laughs.xlsx");
    const char *laughs =
        "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
        "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
        "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">"
        "<!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">"
        "<!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">"
        "<!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">"
        "<!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">"
        "<!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">"
        "<!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">]>"
        SHEET_HEAD "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&lol9;</t></is></c></row>"
        SHEET_TAIL;
    zip_sheet(path, laughs, 0, NULL);
    check_error(path, NULL, LK_ERR_LIMIT,
                "laughs.xlsx[S]: a DOCTYPE declaration, which workbooks never have (possible "
                "entity expansion attack)");
    /* the same in the shared strings, read at open */
    zip_sheet(path, SHEET_HEAD SHEET_TAIL, 0,
              "<!DOCTYPE sst [<!ENTITY a \"aaaaaaaaaa\">]><sst><si><t>&a;</t></si></sst>");
    check_error(path, NULL, LK_ERR_LIMIT,
                "laughs.xlsx: a DOCTYPE declaration, which workbooks never have (possible entity "
                "expansion attack)");
    free(path);
    lk_test_rmtree(dir);
    free(dir);
}

static void test_zip_bomb(void)
{
    char *dir = lk_test_tmpdir();
    char *path = path_in(dir, "bomb.xlsx");
    /* 8 MiB of white space between rows deflates about 1000:1 */
    strbuf sheet;
    strbuf_init(&sheet, 0);
    strbuf_addstr(&sheet, SHEET_HEAD "<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>");
    strbuf_grow(&sheet, 8u << 20);
    memset(sheet.buf + sheet.len, ' ', 8u << 20);
    sheet.len += 8u << 20;
    strbuf_addstr(&sheet, SHEET_TAIL);
    zip_sheet(path, sheet.buf, sheet.len, NULL);
    check_error(path, NULL, LK_ERR_LIMIT, "bomb.xlsx: part xl/worksheets/sheet1.xml is "
                "compressed more than 200:1 (possible zip bomb)");
    /* a total over the limit, at open from the declared sizes */
    lk_reader_opts small = { .limits = { .max_uncompressed = 1u << 20, .max_ratio = 100000 } };
    check_error(path, &small, LK_ERR_LIMIT,
                "bomb.xlsx: the workbook unpacks to more than 1048576 bytes (possible zip bomb)");
    /* a part name that fills minizip's name buffer (a crash found by fuzz_xlsx): the error
     * names the part as far as it goes, and a name longer than any workbook's is refused */
    {
        char name[1100];
        memset(name, 'n', sizeof name);
        name[sizeof name - 1] = '\0';
        memcpy(name, "xl/", 3);
        static const size_t lengths[] = { 300, 1025 };
        for (size_t k = 0; k < 2; k++) {
            size_t n = lengths[k];
            name[n] = '\0';
            zipFile zf = zipOpen64(path, APPEND_STATUS_CREATE);
            CU_ASSERT_PTR_NOT_NULL_FATAL(zf);
            zip_add(zf, name, sheet.buf, sheet.len);
            CU_ASSERT_FATAL(zipClose(zf, NULL) == ZIP_OK);
            char want[1300];
            if (n == 300)
                snprintf(want, sizeof want, "bomb.xlsx: part %s is compressed more than 200:1 "
                         "(possible zip bomb)", name);
            else
                snprintf(want, sizeof want, "bomb.xlsx: the package holds a part name of 1025 "
                         "bytes (longer than 1024): not a valid XLSX file");
            check_error(path, NULL, n == 300 ? LK_ERR_LIMIT : LK_ERR_INPUT, want);
            name[n] = 'n';
        }
        zip_sheet(path, sheet.buf, sheet.len, NULL);
    }
    /* with generous limits the same file reads */
    lk_reader_opts generous = { .limits = { .max_ratio = 100000 } };
    check_dump(path, &generous, "1:n:1\n");

    /* a header that lies about the size: patch the sheet's sizes in both headers */
    zip_sheet(path, sheet.buf, sheet.len, NULL);
    char *zip;
    size_t len;
    lk_error err;
    CU_ASSERT_FATAL(lk_read_file(path, 1 << 24, &zip, &len, &err) == LK_OK);
    int patched = 0;
    for (size_t i = 0; i + 46 < len; i++) {
        int local = memcmp(zip + i, "PK\003\004", 4) == 0;
        int central = memcmp(zip + i, "PK\001\002", 4) == 0;
        size_t name_at = i + (local ? 30 : 46), size_at = i + (local ? 22 : 24);
        if ((local || central) && name_at + 24 <= len &&
            memcmp(zip + name_at, "xl/worksheets/sheet1.xml", 24) == 0) {
            unsigned declared = 1000; /* instead of 8 MiB */
            memcpy(zip + size_at, &declared, 4);
            patched++;
        }
    }
    CU_ASSERT_EQUAL(patched, 2);
    CU_ASSERT_FATAL(lk_write_file_atomic(path, zip, len, 0644, &err) == LK_OK);
    free(zip);
    strbuf out;
    strbuf_init(&out, 0);
    CU_ASSERT_EQUAL(dump(path, &generous, &out, &err), -1);
    CU_ASSERT(err.code == LK_ERR_INPUT || err.code == LK_ERR_LIMIT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "sheet1.xml"));
    strbuf_free(&out);
    strbuf_free(&sheet);
    free(path);
    lk_test_rmtree(dir);
    free(dir);
}

static void test_cell_limits(void)
{
    char *dir = lk_test_tmpdir();
    char *path = path_in(dir, "limits.xlsx");
    strbuf sheet;
    strbuf_init(&sheet, 0);
    strbuf_addstr(&sheet, SHEET_HEAD "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>Nr</t></is>"
                  "</c><c r=\"B1\" t=\"inlineStr\"><is><t>Opmerking</t></is></c></row>"
                  "<row r=\"2\"><c r=\"B2\" t=\"inlineStr\"><is><t>");
    for (int i = 0; i < 40000; i++)
        strbuf_addch(&sheet, 'x');
    strbuf_addstr(&sheet, "</t></is></c></row>" SHEET_TAIL);
    zip_sheet(path, sheet.buf, sheet.len, NULL);
    lk_reader_opts header = { .header_row = 1 };
    check_error(path, &header, LK_ERR_LIMIT,
                "limits.xlsx[S]:2: column B \"Opmerking\": cell longer than 32767 bytes");
    /* the same string through the shared strings */
    strbuf sst;
    strbuf_init(&sst, 0);
    strbuf_addstr(&sst, "<sst><si><t>kort</t></si><si><t>");
    for (int i = 0; i < 40000; i++)
        strbuf_addch(&sst, 'y');
    strbuf_addstr(&sst, "</t></si></sst>");
    zip_sheet(path, SHEET_HEAD "<row r=\"3\"><c r=\"A3\" t=\"s\"><v>0</v></c>"
              "<c r=\"C3\" t=\"s\"><v>1</v></c></row>" SHEET_TAIL, 0, sst.buf);
    check_error(path, NULL, LK_ERR_LIMIT, "limits.xlsx[S]:3: column C: cell longer than 32767 "
                "bytes");
    /* columns: past XFD by default, past a small limit when asked */
    zip_sheet(path, SHEET_HEAD "<row r=\"1\"><c r=\"XFE1\"><v>1</v></c></row>" SHEET_TAIL, 0,
              NULL);
    check_error(path, NULL, LK_ERR_LIMIT, "limits.xlsx[S]:1: column XFE: more than 16384 "
                "columns");
    zip_sheet(path, SHEET_HEAD "<row r=\"1\"><c r=\"A1\"><v>1</v></c><c><v>2</v></c><c><v>3</v>"
              "</c><c><v>4</v></c></row>" SHEET_TAIL, 0, NULL);
    lk_reader_opts cols = { .limits = { .max_columns = 3 } };
    check_error(path, &cols, LK_ERR_LIMIT, "limits.xlsx[S]:1: column D: more than 3 columns");
    /* rows */
    zip_sheet(path, SHEET_HEAD "<row r=\"1\"><c><v>1</v></c></row><row r=\"1048577\"><c><v>1</v>"
              "</c></row>" SHEET_TAIL, 0, NULL);
    check_error(path, NULL, LK_ERR_LIMIT, "limits.xlsx[S]:1048577: more than 1048576 rows");
    lk_reader_opts rows = { .limits = { .max_rows = 2 } };
    zip_sheet(path, SHEET_HEAD "<row><c><v>1</v></c></row><row/><row><c><v>3</v></c></row>"
              SHEET_TAIL, 0, NULL);
    check_error(path, &rows, LK_ERR_LIMIT, "limits.xlsx[S]:3: more than 2 rows");
    strbuf_free(&sst);
    strbuf_free(&sheet);
    free(path);
    lk_test_rmtree(dir);
    free(dir);
}

static void test_malformed(void)
{
    char *dir = lk_test_tmpdir();
    char *path = path_in(dir, "bad.xlsx");
    struct {
        const char *sheet, *sst, *expected;
        lk_code code;
    } cases[] = {
        { SHEET_HEAD "<row r=\"1\"><c r=\"A1\"><v>1</v></c></row><row r=\"2\"><c r=\"A2\">",
          NULL, "bad.xlsx[S]:2: malformed XML in xl/worksheets/sheet1.xml (line 1, column 148): "
          "no element found", LK_ERR_INPUT },
        { SHEET_HEAD "<row r=\"4\"><c r=\"B4\" t=\"s\"><v>7</v></c></row>" SHEET_TAIL,
          "<sst><si><t>a</t></si></sst>",
          "bad.xlsx[S]:4: column B: shared string index \"7\" out of range (the workbook has 1)",
          LK_ERR_INPUT },
        { SHEET_HEAD "<row r=\"2\"><c r=\"C2\"><v>12,5</v></c></row>" SHEET_TAIL, NULL,
          "bad.xlsx[S]:2: column C: \"12,5\" is not a number", LK_ERR_INPUT },
        { SHEET_HEAD "<row r=\"2\"><c r=\"C2\" t=\"b\"><v>ja</v></c></row>" SHEET_TAIL, NULL,
          "bad.xlsx[S]:2: column C: \"ja\" is not a boolean value", LK_ERR_INPUT },
        { SHEET_HEAD "<row r=\"2\"><c r=\"A2\" t=\"d\"><v>2026-02-30</v></c></row>" SHEET_TAIL,
          NULL, "bad.xlsx[S]:2: column A: \"2026-02-30\" is not an ISO 8601 date", LK_ERR_INPUT },
        { SHEET_HEAD "<row r=\"2\"><c r=\"2A\"><v>1</v></c></row>" SHEET_TAIL, NULL,
          "bad.xlsx[S]:2: bad cell reference \"2A\"", LK_ERR_INPUT },
        { SHEET_HEAD "<row r=\"x\"/>" SHEET_TAIL, NULL, "bad.xlsx[S]: bad row number \"x\"",
          LK_ERR_INPUT },
        { SHEET_HEAD "<row r=\"1\"><c r=\"A1\" t=\"q\"><v>1</v></c></row>" SHEET_TAIL, NULL,
          "bad.xlsx[S]:1: column A: unknown cell type \"q\"", LK_ERR_INPUT },
        /* values nobody wrote: 799 hours from <v>7</v><v>99</v>, 75 from <is>7</is><v>5</v> */
        { SHEET_HEAD "<row r=\"2\"><c r=\"B2\"><v>7</v><v>99</v></c></row>" SHEET_TAIL, NULL,
          "bad.xlsx[S]:2: column B: cell B2 holds more than one value", LK_ERR_INPUT },
        { SHEET_HEAD "<row r=\"3\"><c r=\"C3\" t=\"inlineStr\"><is><t>7</t></is><v>5</v></c>"
          "</row>" SHEET_TAIL, NULL,
          "bad.xlsx[S]:3: column C: cell C3 holds more than one value", LK_ERR_INPUT },
        /* a repeated cell silently kept the last value; one to the left of the previous too */
        { SHEET_HEAD "<row r=\"2\"><c r=\"B2\"><v>7</v></c><c r=\"B2\"><v>8</v></c></row>"
          SHEET_TAIL, NULL,
          "bad.xlsx[S]:2: column B: cell B2 appears twice in the sheet (or after a cell to its "
          "right)", LK_ERR_INPUT },
        { SHEET_HEAD "<row r=\"2\"><c r=\"C2\"><v>7</v></c><c r=\"A2\"><v>8</v></c></row>"
          SHEET_TAIL, NULL,
          "bad.xlsx[S]:2: column A: cell A2 appears twice in the sheet (or after a cell to its "
          "right)", LK_ERR_INPUT },
        /* a repeated row number was summed with the first */
        { SHEET_HEAD "<row r=\"2\"><c r=\"A2\"><v>7</v></c></row><row r=\"2\"><c r=\"A2\">"
          "<v>8</v></c></row>" SHEET_TAIL, NULL,
          "bad.xlsx[S]:2: row 2 appears twice in the sheet (or after a row below it)",
          LK_ERR_INPUT },
        { SHEET_HEAD "<row r=\"5\"><c r=\"A5\"><v>7</v></c></row><row r=\"4\"><c r=\"A4\">"
          "<v>8</v></c></row>" SHEET_TAIL, NULL,
          "bad.xlsx[S]:4: row 4 appears twice in the sheet (or after a row below it)",
          LK_ERR_INPUT },
    };
    for (size_t i = 0; i < LK_ARRAY_SIZE(cases); i++) {
        zip_sheet(path, cases[i].sheet, 0, cases[i].sst);
        check_error(path, NULL, cases[i].code, cases[i].expected);
    }

    /* rich text (several runs in one <is>) and cells without r are still one value each */
    zip_sheet(path, SHEET_HEAD "<row r=\"1\"><c t=\"inlineStr\"><is><r><t>7</t></r><r><t>5</t>"
              "</r></is></c><c><v>2</v></c></row><row><c><v>3</v></c></row>" SHEET_TAIL, 0, NULL);
    check_dump(path, NULL, "1:75|n:2\n2:n:3\n");

    /* two entries of one name: minizip reads the first, other readers the last */
    part twice[] = {
        { "xl/workbook.xml", "<workbook xmlns:r=\"r\"><sheets><sheet name=\"S\" r:id=\"rId1\"/>"
          "</sheets></workbook>", 0 },
        { "xl/_rels/workbook.xml.rels", "<Relationships><Relationship Id=\"rId1\" Type=\"x/"
          "worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>", 0 },
        { "xl/worksheets/sheet1.xml", SHEET_HEAD "<row r=\"1\"><c r=\"A1\"><v>7</v></c></row>"
          SHEET_TAIL, 0 },
        { "xl/worksheets/Sheet1.xml", SHEET_HEAD "<row r=\"1\"><c r=\"A1\"><v>99</v></c></row>"
          SHEET_TAIL, 0 },
        { NULL, NULL, 0 },
    };
    zip_parts(path, twice);
    check_error(path, NULL, LK_ERR_INPUT,
                "bad.xlsx: the package holds two parts named xl/worksheets/Sheet1.xml: which one "
                "is the sheet depends on the program reading it");

    /* nesting deep enough to grow expat's tag stack without end */
    strbuf deep;
    strbuf_init(&deep, 0);
    strbuf_addstr(&deep, SHEET_HEAD "<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>");
    for (int i = 0; i < 200; i++)
        strbuf_addstr(&deep, "<x>");
    zip_sheet(path, deep.buf, deep.len, NULL);
    check_error(path, NULL, LK_ERR_LIMIT, "bad.xlsx[S]:1: XML nested more than 100 levels deep");
    /* one token (here a comment) that expat would have to buffer whole */
    strbuf_reset(&deep);
    strbuf_addstr(&deep, SHEET_HEAD "<!--");
    strbuf_grow(&deep, 17u << 20);
    memset(deep.buf + deep.len, '-', 17u << 20);
    for (size_t i = 0; i < (17u << 20); i += 2)
        deep.buf[deep.len + i] = 'a';
    deep.len += 17u << 20;
    strbuf_addstr(&deep, "-->" SHEET_TAIL);
    zip_sheet(path, deep.buf, deep.len, NULL);
    lk_reader_opts generous = { .limits = { .max_ratio = 100000 } };
    check_error(path, &generous, LK_ERR_LIMIT,
                "bad.xlsx[S]: an XML token longer than 16777216 bytes in xl/worksheets/sheet1.xml");
    strbuf_free(&deep);

    /* a chart sheet (no worksheet relationship) chosen by name */
    part chart[] = {
        { "xl/workbook.xml", "<workbook><sheets><sheet name=\"Grafiek\" sheetId=\"1\" id=\"r1\"/>"
          "</sheets></workbook>", 0 },
        { "xl/_rels/workbook.xml.rels", "<Relationships><Relationship Id=\"r1\" Type=\"x/"
          "chartsheet\" Target=\"chartsheets/sheet1.xml\"/></Relationships>", 0 },
        { "xl/chartsheets/sheet1.xml", "<chartsheet/>", 0 },
        { NULL, NULL, 0 },
    };
    zip_parts(path, chart);
    check_error(path, NULL, LK_ERR_INPUT, "bad.xlsx[Grafiek]: not a worksheet with cells (a chart "
                "sheet, or a sheet the workbook's relationships do not name)");

    /* a package without a workbook, and a workbook whose sheet part is missing */
    part no_workbook[] = { { "hello.txt", "hi", 0 }, { NULL, NULL, 0 } };
    zip_parts(path, no_workbook);
    check_error(path, NULL, LK_ERR_INPUT,
                "bad.xlsx: not an XLSX workbook: no xl/workbook.xml in the package");
    part no_sheet[] = {
        { "xl/workbook.xml", "<workbook><sheets><sheet name=\"A\" sheetId=\"1\" id=\"r1\"/>"
          "</sheets></workbook>", 0 },
        { "xl/_rels/workbook.xml.rels", "<Relationships><Relationship Id=\"r1\" Type=\"x/"
          "worksheet\" Target=\"worksheets/gone.xml\"/></Relationships>", 0 },
        { NULL, NULL, 0 },
    };
    zip_parts(path, no_sheet);
    check_error(path, NULL, LK_ERR_INPUT,
                "bad.xlsx[A]: the workbook has no part xl/worksheets/gone.xml");
    free(path);

    /* truncated: a real workbook cut in half */
    char *full = write_xlsxwriter(dir, "full.xlsx", 0);
    char *data;
    size_t len;
    lk_error err;
    CU_ASSERT_FATAL(lk_read_file(full, 1 << 24, &data, &len, &err) == LK_OK);
    path = path_in(dir, "half.xlsx");
    CU_ASSERT_FATAL(lk_write_file_atomic(path, data, len / 2, 0644, &err) == LK_OK);
    check_error(path, NULL, LK_ERR_INPUT,
                "half.xlsx: not a valid XLSX file (the zip archive is truncated or damaged)");
    /* the central directory intact but a part's data overwritten */
    memset(data + 200, 0x55, 300);
    CU_ASSERT_FATAL(lk_write_file_atomic(path, data, len, 0644, &err) == LK_OK);
    strbuf out;
    strbuf_init(&out, 0);
    CU_ASSERT_EQUAL(dump(path, NULL, &out, &err), -1);
    CU_ASSERT_EQUAL(err.code, LK_ERR_INPUT);
    strbuf_free(&out);
    free(data);
    free(path);
    free(full);

    /* junk behind a zip signature */
    path = path_in(dir, "junk.xlsx");
    unsigned char junk[3000] = "PK\003\004";
    unsigned seed = 7;
    for (size_t i = 4; i < sizeof junk; i++) {
        seed = seed * 1103515245 + 12345;
        junk[i] = (unsigned char)(seed >> 16);
    }
    CU_ASSERT_FATAL(lk_write_file_atomic(path, junk, sizeof junk, 0644, &err) == LK_OK);
    check_error(path, NULL, LK_ERR_INPUT,
                "junk.xlsx: not a valid XLSX file (the zip archive is truncated or damaged)");
    /* text forced to be read as XLSX */
    CU_ASSERT_FATAL(lk_write_file_atomic(path, "a;b\n", 4, 0644, &err) == LK_OK);
    lk_reader_opts forced = { .type = LK_FILE_XLSX };
    check_error(path, &forced, LK_ERR_INPUT,
                "junk.xlsx: not a valid XLSX file (the zip archive is truncated or damaged)");
    free(path);
    lk_test_rmtree(dir);
    free(dir);
}

static void test_number_formats(void)
{
    struct {
        const char *code;
        int kind;
    } cases[] = {
        { "General", LK_NUMFMT_PLAIN },
        { "dd-mm-yyyy", LK_NUMFMT_DATE },
        { "dd\\-mm\\-yyyy", LK_NUMFMT_DATE },
        { "yyyy-mm-dd hh:mm:ss", LK_NUMFMT_DATE },
        { "h:mm AM/PM", LK_NUMFMT_DATE },
        { "[$-413]d mmmm yyyy;@", LK_NUMFMT_DATE },
        { "[h]:mm", LK_NUMFMT_DURATION },
        { "[mm]:ss", LK_NUMFMT_DURATION },
        { "[hh]:mm:ss", LK_NUMFMT_DURATION },
        { "0.00\" uur\"", LK_NUMFMT_PLAIN },
        { "\"dag \"0", LK_NUMFMT_PLAIN },
        { "\\d0", LK_NUMFMT_PLAIN },
        { "[Red]0.00", LK_NUMFMT_PLAIN },
        { "#,##0_);[Red](#,##0)", LK_NUMFMT_PLAIN },
        { "_-* #,##0.00 \"EUR\"_-", LK_NUMFMT_PLAIN },
        { "0.0E+00", LK_NUMFMT_PLAIN },
        { "@", LK_NUMFMT_PLAIN },
        { "0;\"d\"", LK_NUMFMT_PLAIN },
        { "\"unclosed", LK_NUMFMT_PLAIN },
        { "[unclosed", LK_NUMFMT_PLAIN },
    };
    for (size_t i = 0; i < LK_ARRAY_SIZE(cases); i++) {
        int kind = lk_numfmt_code_kind(cases[i].code);
        if (kind != cases[i].kind)
            fprintf(stderr, "\n%s: %d, expected %d\n", cases[i].code, kind, cases[i].kind);
        CU_ASSERT_EQUAL(kind, cases[i].kind);
    }
    CU_ASSERT_EQUAL(lk_numfmt_builtin_kind(14), LK_NUMFMT_DATE);
    CU_ASSERT_EQUAL(lk_numfmt_builtin_kind(22), LK_NUMFMT_DATE);
    CU_ASSERT_EQUAL(lk_numfmt_builtin_kind(46), LK_NUMFMT_DURATION);
    CU_ASSERT_EQUAL(lk_numfmt_builtin_kind(23), LK_NUMFMT_PLAIN);
    CU_ASSERT_EQUAL(lk_numfmt_builtin_kind(4), LK_NUMFMT_PLAIN);
    /* serials: the 1900 leap-year bug on both sides of it */
    lk_cell c;
    char text[40];
    double serial;
    CU_ASSERT_EQUAL(lk_serial_to_date(59, &c, text, sizeof text), 0);
    CU_ASSERT_STRING_EQUAL(text, "1900-02-28");
    CU_ASSERT_EQUAL(lk_serial_to_date(60, &c, text, sizeof text), 0);
    CU_ASSERT_STRING_EQUAL(text, "1900-02-29");
    CU_ASSERT_EQUAL(lk_serial_to_date(61, &c, text, sizeof text), 0);
    CU_ASSERT_STRING_EQUAL(text, "1900-03-01");
    CU_ASSERT_EQUAL(lk_serial_to_date(2958465.99999, &c, text, sizeof text), 0);
    CU_ASSERT_STRING_EQUAL(text, "9999-12-31T23:59:59");
    CU_ASSERT_EQUAL(lk_serial_to_date(2958466, &c, text, sizeof text), -1);
    CU_ASSERT_EQUAL(lk_serial_to_date(-1, &c, text, sizeof text), -1);
    CU_ASSERT_EQUAL(lk_serial_to_date(46328.999999, &c, text, sizeof text), 0);
    CU_ASSERT_STRING_EQUAL(text, "2026-11-03"); /* rounds to the next midnight */
    CU_ASSERT_EQUAL(lk_iso_to_serial("1900-03-01", &serial), 0);
    CU_ASSERT_DOUBLE_EQUAL(serial, 61, 0);
    CU_ASSERT_EQUAL(lk_iso_to_serial("1900-02-28", &serial), 0);
    CU_ASSERT_DOUBLE_EQUAL(serial, 59, 0);
    CU_ASSERT_EQUAL(lk_iso_to_serial("2026-11-02 12:00:00", &serial), 0);
    CU_ASSERT_DOUBLE_EQUAL(serial, 46328.5, 0);
    CU_ASSERT_EQUAL(lk_iso_to_serial("2026-13-01", &serial), -1);
    CU_ASSERT_EQUAL(lk_iso_to_serial("2026-11-02T25:00:00", &serial), -1);
    CU_ASSERT_EQUAL(lk_iso_to_serial("02-11-2026", &serial), -1);
}

/* ---------------------------------------------------------------------------------------------
 * Look-ups at scale: every one linear or n log n in the size of its part
 */

#if defined(__SANITIZE_ADDRESS__)
#define SCALE_LIMIT_MS 5000.0 /* the sanitizers slow everything several times */
#else
#define SCALE_LIMIT_MS 1000.0
#endif

/* The CPU time this process has used, in ms: unlike the wall clock it does not grow when other
 * work shares the machine, so the limits below catch a quadratic look-up (seconds of CPU) and
 * not a busy machine. */
static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* Opens path and reads every row; the CPU time in ms. */
static double time_read(const char *path, const lk_reader_opts *opts, strbuf *out)
{
    lk_error err;
    double t0 = cpu_ms();
    int rc = dump(path, opts, out, &err);
    double took = cpu_ms() - t0;
    if (rc != 0) {
        char buf[700];
        fprintf(stderr, "\nunexpected error: %s\n", lk_error_format(&err, buf, sizeof buf));
    }
    CU_ASSERT_EQUAL(rc, 0);
    return took;
}

static void test_lookup_scale(void)
{
    char *dir = lk_test_tmpdir();
    char *path = path_in(dir, "scale.xlsx");
    lk_reader_opts generous = { .limits = { .max_ratio = 100000 } };
    strbuf styles, wb, rels, out;
    strbuf_init(&styles, 0);
    strbuf_init(&wb, 0);
    strbuf_init(&rels, 0);
    strbuf_init(&out, 0);

    /* a 4 MB styles part: 50,000 custom formats and 100,000 cell styles (xf x numFmt was
     * 5 billion comparisons) */
    strbuf_addstr(&styles, "<styleSheet><numFmts>");
    for (int i = 0; i < 50000; i++)
        strbuf_addf(&styles, "<numFmt numFmtId=\"%d\" formatCode=\"0.0\"/>", 200 + i);
    strbuf_addstr(&styles, "<numFmt numFmtId=\"50199\" formatCode=\"yyyy-mm-dd\"/></numFmts>"
                           "<cellXfs>");
    for (int i = 0; i < 100000; i++)
        strbuf_addf(&styles, "<xf numFmtId=\"%d\"/>", i == 99999 ? 50199 : 200 + i % 50000);
    strbuf_addstr(&styles, "</cellXfs></styleSheet>");
    CU_ASSERT(styles.len > 4000000);
    part sp[] = {
        { "xl/workbook.xml", "<workbook><sheets><sheet name=\"S\" r:id=\"rId1\" xmlns:r=\"r\"/>"
          "</sheets></workbook>", 0 },
        { "xl/_rels/workbook.xml.rels", "<Relationships><Relationship Id=\"rId1\" Type=\"x/"
          "worksheet\" Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" Type=\"x/"
          "styles\" Target=\"styles.xml\"/></Relationships>", 0 },
        { "xl/worksheets/sheet1.xml", SHEET_HEAD "<row r=\"1\"><c r=\"A1\" s=\"99999\"><v>46328"
          "</v></c><c r=\"B1\" s=\"3\"><v>7.5</v></c></row>" SHEET_TAIL, 0 },
        { "xl/styles.xml", styles.buf, styles.len },
        { NULL, NULL, 0 },
    };
    zip_parts(path, sp);
    double took = time_read(path, &generous, &out);
    /* the last definition of 50199 (a date) wins over the first (0.0) */
    CU_ASSERT_STRING_EQUAL(out.buf, "1:d:2026-11-02|n:7.5\n");
    fprintf(stderr, "\n4 MB styles part (50k numFmts, 100k xfs): %.0f ms CPU\n", took);
    CU_ASSERT(took < SCALE_LIMIT_MS);

    /* 100,000 sheets and 100,000 relationships (was a linear search per sheet); the last
     * sheet is read */
    strbuf_addstr(&wb, "<workbook xmlns:r=\"r\"><sheets>");
    strbuf_addstr(&rels, "<Relationships>");
    for (int i = 1; i <= 100000; i++) {
        strbuf_addf(&wb, "<sheet name=\"S%d\" r:id=\"rId%d\"/>", i, i);
        strbuf_addf(&rels, "<Relationship Id=\"rId%d\" Type=\"x/worksheet\" Target=\"worksheets"
                           "/sheet%d.xml\"/>", 100001 - i, 100001 - i);
    }
    strbuf_addstr(&wb, "</sheets></workbook>");
    strbuf_addstr(&rels, "</Relationships>");
    part wp[] = {
        { "xl/workbook.xml", wb.buf, wb.len },
        { "xl/_rels/workbook.xml.rels", rels.buf, rels.len },
        { "xl/worksheets/sheet100000.xml", SHEET_HEAD "<row r=\"3\"><c r=\"C3\"><v>42</v></c>"
          "</row>" SHEET_TAIL, 0 },
        { NULL, NULL, 0 },
    };
    zip_parts(path, wp);
    lk_reader_opts last = generous;
    last.sheet_name = "S100000";
    strbuf_reset(&out);
    took = time_read(path, &last, &out);
    CU_ASSERT_STRING_EQUAL(out.buf, "3:||n:42\n");
    fprintf(stderr, "100k sheets x 100k relationships: %.0f ms CPU\n", took);
    CU_ASSERT(took < SCALE_LIMIT_MS);

    strbuf_free(&styles);
    strbuf_free(&wb);
    strbuf_free(&rels);
    strbuf_free(&out);
    free(path);
    lk_test_rmtree(dir);
    free(dir);
}

static const lk_test tests[] = {
    { "number formats and serials", test_number_formats },
    { "libxlsxwriter workbooks", test_xlsxwriter },
    { "x: prefixes and absolute targets", test_prefixed_absolute },
    { "inline strings and 1904 dates", test_inline_1904 },
    { "_xHHHH_ escapes", test_escapes },
    { "streaming many rows", test_streaming_many_rows },
    { "entity expansion", test_entity_expansion },
    { "zip bomb", test_zip_bomb },
    { "cell, column and row limits", test_cell_limits },
    { "malformed packages", test_malformed },
    { "look-ups at scale: styles, 100k sheets", test_lookup_scale },
    { NULL, NULL },
};

int main(void)
{
    return lk_test_main("xlsx", tests);
}
