/*
 * test_csv.c: the CSV reader through the public reader interface: delimiters, sep= lines,
 * quoting, line endings, character sets, blank and ragged rows, line numbers, limits and
 * hostile input.
 */
#include "common/strbuf.h"
#include "common/util.h"
#include "input/reader.h"
#include "support/cunit_main.h"

#include <iconv.h>
#include <stdio.h>
#include <string.h>

#define DATA "tests/data/input/"

/* Writes data to a new temporary folder; the caller frees the path and removes the folder. */
static char *write_tmp(const char *name, const void *data, size_t len)
{
    char *dir = lk_test_tmpdir();
    strbuf p = STRBUF_INIT;
    strbuf_addf(&p, "%s/%s", dir, name);
    free(dir);
    FILE *f = fopen(p.buf, "wb");
    CU_ASSERT_FATAL(f != NULL);
    CU_ASSERT_FATAL(fwrite(data, 1, len, f) == len);
    fclose(f);
    return strbuf_detach(&p, NULL);
}

static void remove_tmp(char *path)
{
    char *slash = strrchr(path, '/');
    *slash = '\0';
    lk_test_rmtree(path);
    free(path);
}

/* Every row as "line:cell|cell|..." one per line; empty cells as "", typed cells unchanged. */
static int dump(const char *path, const lk_reader_opts *opts, strbuf *out, lk_error *err)
{
    lk_reader *r = lk_reader_open(path, opts, err);
    const lk_row *row;
    int rc;
    if (!r)
        return -1;
    while ((rc = lk_reader_next(r, &row, err)) > 0) {
        strbuf_addf(out, "%lu:", row->number);
        for (size_t i = 0; i < row->ncells; i++) {
            const lk_cell *c = &row->cells[i];
            CU_ASSERT_EQUAL(strlen(c->text), c->len);
            CU_ASSERT_EQUAL(c->type, c->len ? LK_CELL_STRING : LK_CELL_EMPTY);
            strbuf_addf(out, "%s%s", i ? "|" : "", c->text);
        }
        strbuf_addch(out, '\n');
    }
    lk_reader_free(r);
    return rc;
}

/* Reads data written as a CSV file and compares the dump; returns the detected delimiter. */
static char check_csv(const char *data, size_t len, const lk_reader_opts *opts,
                      const char *expected, const char *encoding)
{
    char *path = write_tmp("in.csv", data, len);
    strbuf out;
    strbuf_init(&out, 0);
    lk_error err;
    lk_reader *r = lk_reader_open(path, opts, &err);
    char delim = 0;
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(lk_reader_type(r), LK_FILE_CSV);
    CU_ASSERT_PTR_NULL(lk_reader_sheets(r));
    delim = lk_reader_delimiter(r);
    if (encoding)
        CU_ASSERT_STRING_EQUAL(lk_reader_encoding(r), encoding);
    lk_reader_free(r);
    int rc = dump(path, opts, &out, &err);
    if (rc != 0)
        fprintf(stderr, "\nunexpected error: %s\n", err.message);
    CU_ASSERT_EQUAL(rc, 0);
    if (strcmp(out.buf, expected) != 0)
        fprintf(stderr, "\ngot:\n%s\nexpected:\n%s\n", out.buf, expected);
    CU_ASSERT_STRING_EQUAL(out.buf, expected);
    strbuf_free(&out);
    remove_tmp(path);
    return delim;
}

#define CHECK(data, expected) check_csv(data, sizeof(data) - 1, NULL, expected, NULL)
#define CHECKO(data, opts, expected, enc) check_csv(data, sizeof(data) - 1, opts, expected, enc)

/* Expects opening or reading to fail; returns the formatted error. */
static void expect_error(const char *data, size_t len, const char *name,
                         const lk_reader_opts *opts, lk_code code, const char *expected)
{
    char *path = write_tmp(name, data, len);
    strbuf out;
    strbuf_init(&out, 0);
    lk_error err;
    char buf[700];
    CU_ASSERT_EQUAL(dump(path, opts, &out, &err), -1);
    CU_ASSERT_EQUAL(err.code, code);
    lk_error_format(&err, buf, sizeof buf);
    /* the message names the file; compare what follows the folder */
    const char *rel = strstr(buf, name);
    if (!rel || strcmp(rel, expected) != 0)
        fprintf(stderr, "\ngot:      %s\nexpected: %s\n", buf, expected);
    CU_ASSERT_PTR_NOT_NULL(rel);
    if (rel)
        CU_ASSERT_STRING_EQUAL(rel, expected);
    strbuf_free(&out);
    remove_tmp(path);
}

#define EXPECT(data, name, opts, code, expected) \
    expect_error(data, sizeof(data) - 1, name, opts, code, expected)

/* ---------------------------------------------------------------------------------------------
 * Delimiters
 */

static void test_delimiter_detection(void)
{
    CU_ASSERT_EQUAL(CHECK("a;b;c\n1;2;3\n", "1:a|b|c\n2:1|2|3\n"), ';');
    CU_ASSERT_EQUAL(CHECK("a,b,c\n1,2,3\n", "1:a|b|c\n2:1|2|3\n"), ',');
    CU_ASSERT_EQUAL(CHECK("a\tb\tc\n1\t2\t3\n", "1:a|b|c\n2:1|2|3\n"), '\t');
    CU_ASSERT_EQUAL(CHECK("a|b|c\n1|2|3\n", "1:a|b|c\n2:1|2|3\n"), '|');
    /* Dutch decimal commas: every data line has as many commas as semicolons or more */
    CU_ASSERT_EQUAL(CHECK("8,5;1,5\n7,25;0,5\n", "1:8,5|1,5\n2:7,25|0,5\n"), ';');
    CU_ASSERT_EQUAL(CHECK("Nr;Uren;Overuren\n1001;8,5;1,5\n1002;7,0;0\n",
                          "1:Nr|Uren|Overuren\n2:1001|8,5|1,5\n3:1002|7,0|0\n"), ';');
    /* delimiters inside quotes do not count */
    CU_ASSERT_EQUAL(CHECK("\"a;b;c\",d\n\"e;f\",g\n", "1:a;b;c|d\n2:e;f|g\n"), ',');
    /* one column: nothing to detect, the text comes through whole */
    CHECK("naam\nJan\n", "1:naam\n2:Jan\n");
    /* tab delimiter keeps empty fields (libcsv would otherwise treat tabs as space) */
    CHECK("a\t\tc\n", "1:a||c\n");
}

static void test_sep_line(void)
{
    /* Excel's "sep=" line names the delimiter, is not a row, and still counts as line 1 */
    CU_ASSERT_EQUAL(CHECK("sep=;\r\na,b;c\r\n1,5;2\r\n", "2:a,b|c\n3:1,5|2\n"), ';');
    CU_ASSERT_EQUAL(CHECK("sep=|\na;b|c\n", "2:a;b|c\n"), '|');
    CU_ASSERT_EQUAL(CHECK("\xEF\xBB\xBFsep=,\nx;y,z\n", "2:x;y|z\n"), ',');
    /* an explicit option wins over the sep line */
    lk_reader_opts o = { .delimiter = ',' };
    CHECKO("sep=;\na;b,c\n", &o, "2:a;b|c\n", NULL);
    /* "sep=" only counts as the first line */
    CHECK("a;b\nsep=,\n", "1:a|b\n2:sep=,\n");
}

static void test_explicit_delimiter_and_quote(void)
{
    lk_reader_opts o = { .delimiter = ';', .quote = '\'' };
    CHECKO("'a;b';\"c\"\n", &o, "1:a;b|\"c\"\n", NULL);
    lk_reader_opts bad = { .delimiter = '"' };
    EXPECT("a\n", "q.csv", &bad, LK_ERR_CONFIG,
                 "q.csv: the delimiter cannot be the quote character or a line break");
}

/* ---------------------------------------------------------------------------------------------
 * Quoting, line endings, line numbers
 */

static void test_quoted_fields(void)
{
    CHECK("naam;opmerking\n"
          "\"Jansen; J.\";\"zei \"\"ja\"\"\"\n"
          "\"De Vries\";\"regel 1\nregel 2\n\nregel 4\"\n"
          "Bakker;\"\"\n"
          "Smit;laatste\n",
          "1:naam|opmerking\n"
          "2:Jansen; J.|zei \"ja\"\n"
          "3:De Vries|regel 1\nregel 2\n\nregel 4\n"
          "7:Bakker\n"
          "8:Smit|laatste\n");
    /* CRLF inside quotes stays as it is; the record's line is where it starts */
    CHECK("a;\"x\r\ny\"\r\nb;c\r\n", "1:a|x\r\ny\n3:b|c\n");
    /* a quote in the middle of an unquoted field is a character, as Excel writes it */
    CHECK("5\" buis;2\n", "1:5\" buis|2\n");
}

static void test_line_endings(void)
{
    CHECK("a;b\r\nc;d\r\n", "1:a|b\n2:c|d\n");
    CHECK("a;b\nc;d\n", "1:a|b\n2:c|d\n");
    CHECK("a;b\rc;d\r", "1:a|b\n2:c|d\n");
    CHECK("a;b\r\nc;d\ne;f\rg;h", "1:a|b\n2:c|d\n3:e|f\n4:g|h\n");
    /* no line break at the end */
    CHECK("a;b\nc;d", "1:a|b\n2:c|d\n");
    CHECK("\"a\";\"b\"", "1:a|b\n");
    /* empty file, only line breaks */
    CHECK("", "");
    CHECK("\r\n\r\n\n", "");
}

static void test_blank_ragged_trailing(void)
{
    CHECK("a;b;c\n\n1;2\n;;\n  ;\t\n4;;6;;\n\n7\n",
          "1:a|b|c\n3:1|2\n6:4||6\n8:7\n");
    /* spaces are data, kept exactly */
    CHECK(" a ; b\n", "1: a | b\n");
    /* an empty field in the middle is EMPTY with text "", trailing ones are not counted */
    char *path = write_tmp("e.csv", "x;;z;;\n", 7);
    lk_error err;
    lk_reader *r = lk_reader_open(path, NULL, &err);
    const lk_row *row;
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(lk_reader_next(r, &row, &err), 1);
    CU_ASSERT_EQUAL(row->ncells, 3);
    CU_ASSERT_EQUAL(row->cells[1].type, LK_CELL_EMPTY);
    CU_ASSERT_STRING_EQUAL(row->cells[1].text, "");
    CU_ASSERT_EQUAL(row->cells[2].type, LK_CELL_STRING);
    CU_ASSERT_PTR_NULL(row->sheet);
    CU_ASSERT_STRING_EQUAL(row->file, path);
    CU_ASSERT_EQUAL(lk_reader_next(r, &row, &err), 0);
    CU_ASSERT_EQUAL(lk_reader_next(r, &row, &err), 0); /* stays at the end */
    lk_reader_free(r);
    remove_tmp(path);
}

/* Where each record ends, its fields as written, and a last record without a line break: what
 * the mapping stage needs to count blank lines and to see a cut-off file. */
static void test_record_extent(void)
{
    static const char data[] = "a;b;c\r\n\r\n1;\"x\r\ny\";3\r\n;;\r\n4;5;\r\n6;7";
    char *path = write_tmp("x.csv", data, sizeof(data) - 1);
    lk_error err;
    lk_reader *r = lk_reader_open(path, NULL, &err);
    const lk_row *row;
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    static const unsigned long first[] = { 1, 3, 6, 7 }, last[] = { 1, 4, 6, 7 };
    static const size_t fields[] = { 3, 3, 3, 2 };
    for (size_t i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL_FATAL(lk_reader_next(r, &row, &err), 1);
        CU_ASSERT_EQUAL(row->number, first[i]);
        CU_ASSERT_EQUAL(row->last_line, last[i]);
        CU_ASSERT_EQUAL(row->nfields, fields[i]);
        CU_ASSERT_EQUAL(row->unterminated, i == 3);
    }
    CU_ASSERT_EQUAL(row->ncells, 2);
    CU_ASSERT_EQUAL(lk_reader_next(r, &row, &err), 0);
    lk_reader_free(r);
    remove_tmp(path);
    /* with its final line break, the last record is terminated */
    path = write_tmp("y.csv", "a;b\n1;2\n", 8);
    r = lk_reader_open(path, NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(lk_reader_next(r, &row, &err), 1);
    CU_ASSERT_EQUAL(lk_reader_next(r, &row, &err), 1);
    CU_ASSERT_FALSE(row->unterminated);
    lk_reader_free(r);
    remove_tmp(path);
}

/* ---------------------------------------------------------------------------------------------
 * Character sets
 */

static void test_utf8_and_bom(void)
{
    CU_ASSERT_EQUAL(CHECKO("\xEF\xBB\xBFnaam,plaats\nJos\xC3\xA9,\xE2\x82\xAC 5\n", NULL,
                              "1:naam|plaats\n2:Jos\xC3\xA9|\xE2\x82\xAC 5\n", "UTF-8"), ',');
    /* without a BOM, valid UTF-8 (4-byte characters too) is taken as UTF-8 */
    CHECKO("x;\xF0\x9F\x98\x80\n", NULL, "1:x|\xF0\x9F\x98\x80\n", "UTF-8");
    CHECKO("a;b\n", NULL, "1:a|b\n", "UTF-8");
}

static void test_windows_1252(void)
{
    /* é (E9), € (80), ’ (92) in Windows-1252; 0x81 is undefined there and keeps Latin-1 */
    CHECKO("Caf\xE9;\x80 5\n\x92t;\x81\n", NULL,
              "1:Caf\xC3\xA9|\xE2\x82\xAC 5\n2:\xE2\x80\x99t|\xC2\x81\n", "Windows-1252");
    /* overlong and surrogate encodings are not UTF-8 either */
    CHECKO("\xC0\xAF;\xED\xA0\x80\n", NULL, "1:\xC3\x80\xC2\xAF|\xC3\xAD\xC2\xA0\xE2\x82\xAC\n",
              "Windows-1252");
    /* forced Latin-1: 0x80 is a C1 control there, not the euro sign */
    lk_reader_opts latin1 = { .encoding = LK_ENC_LATIN1 };
    CHECKO("\x80;\xE9\n", &latin1, "1:\xC2\x80|\xC3\xA9\n", "ISO-8859-1");
    /* forced Windows-1252 on a UTF-8 file converts byte by byte, as asked */
    lk_reader_opts cp = { .encoding = LK_ENC_CP1252 };
    CHECKO("\xC3\xA9\n", &cp, "1:\xC3\x83\xC2\xA9\n", "Windows-1252");
    /* a committed export from Dutch Excel: sep line, CRLF, Windows-1252 */
    strbuf out;
    strbuf_init(&out, 0);
    lk_error err;
    CU_ASSERT_EQUAL(dump(DATA "csv/excel-nl-cp1252.csv", NULL, &out, &err), 0);
    CU_ASSERT_STRING_EQUAL(out.buf,
                           "2:Personeelsnummer|Naam|Uren|Overuren 125%|Reiskm|Opmerking\n"
                           "3:1001|Jos\xC3\xA9 de Vri\xC3\xABs|152,5|4,25|312\n"
                           "4:1002|Ren\xC3\xA9""e Bakker|120|0|0|\"vrij\" op 3-11\n"
                           "6:1007|M\xC3\xBCller; K.|80|2,5|0|regel 1\r\nregel 2\n"
                           "8:1019|\xC3\x85sa \xE2\x82\xAC|16|0|45,5\n");
    strbuf_free(&out);
}

static void test_invalid_utf8_forced(void)
{
    lk_reader_opts o = { .encoding = LK_ENC_UTF8 };
    EXPECT("a;b\nc;d\ne;\xE9\n", "u.csv", &o, LK_ERR_INPUT,
                 "u.csv:3: invalid UTF-8 (byte offset 10)");
    /* a UTF-8 BOM promises UTF-8 */
    EXPECT("\xEF\xBB\xBF" "a\n\xE9\n", "b.csv", NULL, LK_ERR_INPUT,
                 "b.csv:2: invalid UTF-8 (byte offset 5) although the file starts with a UTF-8 "
                 "byte order mark");
}

/* utf8 in UTF-16 (encoding "UTF-16LE" or "UTF-16BE") with a byte order mark. */
static char *utf16(const char *utf8, const char *encoding, size_t *len)
{
    iconv_t cd = iconv_open(encoding, "UTF-8");
    CU_ASSERT_FATAL(cd != (iconv_t)-1);
    size_t inleft = strlen(utf8), outsize = inleft * 4 + 2, outleft = outsize - 2;
    char *out = xmalloc(outsize), *outp = out + 2, *inp = (char *)utf8;
    int le = strcmp(encoding, "UTF-16LE") == 0;
    out[0] = (char)(le ? 0xFF : 0xFE);
    out[1] = (char)(le ? 0xFE : 0xFF);
    CU_ASSERT_FATAL(iconv(cd, &inp, &inleft, &outp, &outleft) != (size_t)-1);
    iconv_close(cd);
    *len = (size_t)(outp - out);
    return out;
}

static void test_utf16(void)
{
    /* Excel's "Unicode text": UTF-16LE, tabs, CRLF; a character outside the BMP too */
    const char *text = "Nr\tNaam\tBedrag\r\n1001\tRen\xC3\xA9""e\t\xE2\x82\xAC 5,50\r\n"
                       "\r\n1002\t\"a\tb\"\t\xF0\x9F\x98\x80\r\n";
    const char *expected = "1:Nr|Naam|Bedrag\n2:1001|Ren\xC3\xA9""e|\xE2\x82\xAC 5,50\n"
                           "4:1002|a\tb|\xF0\x9F\x98\x80\n";
    size_t len;
    char *le = utf16(text, "UTF-16LE", &len);
    CU_ASSERT_EQUAL(check_csv(le, len, NULL, expected, "UTF-16LE"), '\t');
    /* cut in the middle of a character */
    expect_error(le, len - 1, "odd.csv", NULL, LK_ERR_INPUT,
                 "odd.csv: the file ends in the middle of a UTF-16 character");
    free(le);
    char *be = utf16(text, "UTF-16BE", &len);
    CU_ASSERT_EQUAL(check_csv(be, len, NULL, expected, "UTF-16BE"), '\t');
    free(be);
    /* without the byte order mark: said so, not "binary data" */
    le = utf16(text, "UTF-16LE", &len);
    expect_error(le + 2, len - 2, "nobom.csv", NULL, LK_ERR_INPUT,
                 "nobom.csv: looks like UTF-16LE text without a byte order mark, which cannot be "
                 "told apart from binary data for sure: save it as UTF-8, or as Excel's "
                 "\"Unicode text\" (UTF-16 with the mark)");
    free(le);
    be = utf16(text, "UTF-16BE", &len);
    expect_error(be + 2, len - 2, "nobom.csv", NULL, LK_ERR_INPUT,
                 "nobom.csv: looks like UTF-16BE text without a byte order mark, which cannot be "
                 "told apart from binary data for sure: save it as UTF-8, or as Excel's "
                 "\"Unicode text\" (UTF-16 with the mark)");
    free(be);
    /* an unpaired surrogate */
    expect_error("\xFF\xFE" "a\0\n\0\x00\xD8" "b\0\n\0", 12, "sur.csv", NULL, LK_ERR_INPUT,
                 "sur.csv:1: invalid UTF-16 (an unpaired surrogate) near this line");

    /* surrogate pairs cut by the 64 KiB chunk boundary: every line is 12 bytes after the BOM,
     * so the first boundary falls inside the first half of a pair */
    strbuf many;
    strbuf_init(&many, 0);
    for (int i = 0; i < 20000; i++)
        strbuf_addstr(&many, "\xF0\x9F\x98\x80\t1\r\n");
    char *big = utf16(many.buf, "UTF-16LE", &len);
    char *path = write_tmp("big16.csv", big, len);
    lk_error err;
    lk_reader *r = lk_reader_open(path, NULL, &err);
    const lk_row *row;
    unsigned long n = 0;
    int ok = 1;
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    while (lk_reader_next(r, &row, &err) == 1) {
        if (row->number != n + 1 || row->ncells != 2 ||
            strcmp(row->cells[0].text, "\xF0\x9F\x98\x80") != 0)
            ok = 0;
        n++;
    }
    CU_ASSERT(ok);
    CU_ASSERT_EQUAL(n, 20000);
    lk_reader_free(r);
    remove_tmp(path);
    free(big);
    strbuf_free(&many);
}

/* ---------------------------------------------------------------------------------------------
 * Streaming over chunk boundaries
 */

/* 150,000 CRLF lines of 9 bytes: read chunks end at every offset inside a line, including
 * between CR and LF; every row must come out once with its own line number. */
static void test_chunk_boundaries(void)
{
    strbuf data = STRBUF_INIT;
    const unsigned long n = 150000;
    for (unsigned long i = 0; i < n; i++)
        strbuf_addf(&data, "%05lu;%c\r\n", i % 100000, (int)('a' + i % 26));
    /* a quoted multi-line record late in the file, straddling chunks */
    strbuf_addstr(&data, "\"q\r\n\r\nq\";");
    for (int i = 0; i < 30000; i++)
        strbuf_addch(&data, 'x');
    strbuf_addstr(&data, "\r\nlast;\xE9\r\n");
    char *path = write_tmp("big.csv", data.buf, data.len);
    lk_error err;
    lk_reader *r = lk_reader_open(path, NULL, &err);
    const lk_row *row;
    unsigned long seen = 0;
    int ok = 1;
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_STRING_EQUAL(lk_reader_encoding(r), "Windows-1252");
    while (seen < n && lk_reader_next(r, &row, &err) == 1) {
        char want[8];
        snprintf(want, sizeof want, "%05lu", seen % 100000);
        if (row->number != seen + 1 || row->ncells != 2 || strcmp(row->cells[0].text, want) ||
            row->cells[1].text[0] != 'a' + (int)(seen % 26) || row->cells[1].len != 1)
            ok = 0;
        seen++;
    }
    CU_ASSERT(ok);
    CU_ASSERT_EQUAL(seen, n);
    CU_ASSERT_EQUAL_FATAL(lk_reader_next(r, &row, &err), 1);
    CU_ASSERT_EQUAL(row->number, n + 1);
    CU_ASSERT_STRING_EQUAL(row->cells[0].text, "q\r\n\r\nq");
    CU_ASSERT_EQUAL(row->cells[1].len, 30000);
    CU_ASSERT_EQUAL_FATAL(lk_reader_next(r, &row, &err), 1);
    CU_ASSERT_EQUAL(row->number, n + 4);
    CU_ASSERT_STRING_EQUAL(row->cells[1].text, "\xC3\xA9");
    CU_ASSERT_EQUAL(lk_reader_next(r, &row, &err), 0);
    lk_reader_free(r);
    remove_tmp(path);
    strbuf_free(&data);
}

/* ---------------------------------------------------------------------------------------------
 * Headers, errors, limits, hostile files
 */

static void test_header_names_in_errors(void)
{
    const char *data = "Nr;Naam;Uren\n1001;Jan;8\n1002;Piet;12345678901\n";
    char *path = write_tmp("h.csv", data, strlen(data));
    lk_reader_opts o = { .header_row = 1, .limits = { .max_cell = 10 } };
    lk_error err;
    char buf[600];
    lk_reader *r = lk_reader_open(path, &o, &err);
    const lk_row *row;
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_PTR_NULL(lk_reader_header(r, 0)); /* not read yet */
    CU_ASSERT_EQUAL(lk_reader_next(r, &row, &err), 1);
    CU_ASSERT_STRING_EQUAL(lk_reader_header(r, 1), "Naam");
    CU_ASSERT_PTR_NULL(lk_reader_header(r, 3));
    CU_ASSERT_EQUAL(lk_reader_next(r, &row, &err), 1);
    CU_ASSERT_EQUAL(lk_reader_next(r, &row, &err), -1);
    CU_ASSERT_EQUAL(err.code, LK_ERR_LIMIT);
    lk_error_format(&err, buf, sizeof buf);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "h.csv:3: column C \"Uren\": cell longer than 10 bytes"));
    lk_reader_free(r);
    remove_tmp(path);
}

static void test_limits(void)
{
    lk_reader_opts cols = { .limits = { .max_columns = 3 } };
    EXPECT("a;b;c\n1;2;3;4\n", "c.csv", &cols, LK_ERR_LIMIT,
                 "c.csv:2: column D: more than 3 columns");
    lk_reader_opts rows = { .limits = { .max_rows = 2 } };
    EXPECT("a\nb\n\nc\n", "r.csv", &rows, LK_ERR_LIMIT, "r.csv:4: more than 2 rows");
    /* a cell that never ends (an open quote) is stopped at the limit, not buffered whole */
    strbuf big = STRBUF_INIT;
    strbuf_addstr(&big, "a;b\n1;\"");
    for (int i = 0; i < 200000; i++)
        strbuf_addstr(&big, "xxxxxxxxx\n");
    expect_error(big.buf, big.len, "long.csv", NULL, LK_ERR_LIMIT,
                 "long.csv:2: column B: cell longer than 32767 bytes");
    strbuf_free(&big);
}

static void test_malformed(void)
{
    EXPECT("a;b\n\"open;x\ny\n", "o.csv", NULL, LK_ERR_INPUT,
                 "o.csv:2: a quoted field is not closed before the end of the file");
    EXPECT("a;b\nc\0d\n", "bin.csv", NULL, LK_ERR_INPUT,
                 "bin.csv:2: binary data (a NUL byte at offset 5): not a CSV text file");
    /* a NUL past the first chunk is caught where it is */
    strbuf late;
    strbuf_init(&late, 0);
    for (int i = 0; i < 10000; i++)
        strbuf_addstr(&late, "aaaa;bbbb\n");
    strbuf_addstr(&late, "x;y\n");
    strbuf_addch(&late, '\0');
    expect_error(late.buf, late.len, "late.csv", NULL, LK_ERR_INPUT,
                 "late.csv:10002: binary data (a NUL character): not a CSV text file");
    strbuf_free(&late);
    EXPECT("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0", "old.xls", NULL, LK_ERR_INPUT,
                 "old.xls: an old Excel .xls file or a password-protected workbook: save it as "
                 ".xlsx (without password) or as CSV");
    EXPECT("just text\n", "fake.xlsx", NULL, LK_ERR_INPUT,
                 "fake.xlsx: not an XLSX workbook (no zip signature)");
    lk_error err;
    char buf[600];
    CU_ASSERT_PTR_NULL(lk_reader_open("/nonexistent/uren.csv", NULL, &err));
    CU_ASSERT_EQUAL(err.code, LK_ERR_IO);
    CU_ASSERT_STRING_EQUAL(lk_error_format(&err, buf, sizeof buf),
                           "/nonexistent/uren.csv: cannot open: No such file or directory");
    /* random bytes without NUL read as Windows-1252 text without crashing */
    unsigned char junk[4096];
    unsigned seed = 12345;
    for (size_t i = 0; i < sizeof junk; i++) {
        seed = seed * 1103515245 + 12345;
        junk[i] = (unsigned char)(seed >> 16 | 1);
    }
    char *path = write_tmp("junk.csv", junk, sizeof junk);
    strbuf out;
    strbuf_init(&out, 0);
    int rc = dump(path, NULL, &out, &err);
    CU_ASSERT(rc == 0 || (rc == -1 && err.code == LK_ERR_INPUT));
    strbuf_free(&out);
    remove_tmp(path);
}

static const lk_test tests[] = {
    { "delimiter detection", test_delimiter_detection },
    { "excel sep= line", test_sep_line },
    { "explicit delimiter and quote", test_explicit_delimiter_and_quote },
    { "quoted fields", test_quoted_fields },
    { "line endings", test_line_endings },
    { "blank, ragged and trailing", test_blank_ragged_trailing },
    { "utf-8 and bom", test_utf8_and_bom },
    { "windows-1252 and latin-1", test_windows_1252 },
    { "invalid utf-8 when forced", test_invalid_utf8_forced },
    { "utf-16 (excel unicode text)", test_utf16 },
    { "chunk boundaries", test_chunk_boundaries },
    { "header names in errors", test_header_names_in_errors },
    { "limits", test_limits },
    { "malformed and hostile", test_malformed },
    { "record extent: last line, fields, final line break", test_record_extent },
    { NULL, NULL },
};

int main(void)
{
    return lk_test_main("csv", tests);
}
