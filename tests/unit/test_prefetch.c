/*
 * test_prefetch.c: the reading thread hands over exactly the rows the reader gives (texts,
 * lengths, types, numbers, row numbers), across batch boundaries and long cells, for CSV and
 * XLSX; a reader error mid-file arrives after the rows before it and stays; stopping early
 * neither hangs nor leaks.
 */
#include "common/strbuf.h"
#include "common/util.h"
#include "input/prefetch.h"
#include "input/reader.h"
#include "support/cunit_main.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* A CSV of n rows: quoted cells with ';' and line breaks, empty cells, now and then a 30 KB
 * cell (batches are also handed over by text size; cells may be 32 KB), ragged row lengths. */
static char *write_csv(const char *dir, unsigned n)
{
    strbuf p = STRBUF_INIT;
    strbuf_addf(&p, "%s/rows.csv", dir);
    FILE *f = fopen(p.buf, "wb");
    CU_ASSERT_FATAL(f != NULL);
    fputs("Nr;Naam;Uren;Opmerking\n", f);
    for (unsigned i = 0; i < n; i++) {
        fprintf(f, "%u;\"Naam %u; \"\"x\"\"\";%u,%02u;", 1000 + i % 37, i, i % 11, i % 100);
        if (i % 500 == 7) {
            for (int k = 0; k < 30000; k++)
                fputc('a' + k % 26, f);
        } else if (i % 3 == 0) {
            fputs("\"twee\nregels\"", f);
        }
        if (i % 5 == 0)
            fputs(";;", f);
        fputc('\n', f);
    }
    fclose(f);
    return strbuf_detach(&p, NULL);
}

static void dump_row(strbuf *out, const lk_row *row)
{
    strbuf_addf(out, "%lu[%s]:", row->number, row->sheet ? row->sheet : "");
    for (size_t i = 0; i < row->ncells; i++) {
        const lk_cell *c = &row->cells[i];
        strbuf_addf(out, "%s%d/%zu/%.17g/%d-%d-%d/", i ? "|" : "", (int)c->type, c->len,
                    c->number, c->year, c->month, c->day);
        strbuf_add(out, c->text, c->len);
    }
    strbuf_addch(out, '\n');
}

/* Every row through the reader itself, or through the prefetcher; the final status. */
static int dump(const char *path, const lk_reader_opts *opts, bool prefetch, strbuf *out,
                lk_error *err)
{
    lk_reader *r = lk_reader_open(path, opts, err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    lk_prefetch *p = NULL;
    if (prefetch) {
        p = lk_prefetch_start(r, err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    }
    const lk_row *row;
    int rc;
    while ((rc = prefetch ? lk_prefetch_next(p, &row, err) : lk_reader_next(r, &row, err)) == 1)
        dump_row(out, row);
    if (prefetch) {
        /* the end stays the end */
        lk_error again;
        lk_error_clear(&again);
        CU_ASSERT_EQUAL(lk_prefetch_next(p, &row, &again), rc);
        if (rc < 0)
            CU_ASSERT_STRING_EQUAL(again.message, err->message);
        lk_prefetch_stop(p);
    }
    lk_reader_free(r);
    return rc;
}

static void test_same_rows_csv(void)
{
    char *dir = lk_test_tmpdir();
    char *path = write_csv(dir, 5000);
    lk_reader_opts opts = { .header_row = 1 };
    strbuf direct = STRBUF_INIT, ahead = STRBUF_INIT;
    lk_error e1, e2;
    lk_error_clear(&e1);
    lk_error_clear(&e2);
    CU_ASSERT_EQUAL(dump(path, &opts, false, &direct, &e1), 0);
    CU_ASSERT_EQUAL(dump(path, &opts, true, &ahead, &e2), 0);
    CU_ASSERT(direct.len > 400000);
    CU_ASSERT_EQUAL(direct.len, ahead.len);
    CU_ASSERT(strcmp(direct.buf, ahead.buf) == 0);
    strbuf_free(&direct);
    strbuf_free(&ahead);
    lk_test_rmtree(dir);
    free(dir);
    free(path);
}

static void test_same_rows_xlsx(void)
{
    char *path = xstrdup("samples/uren-dagelijks-40201-2026-11.xlsx");   /* tests run at the root */
    lk_reader_opts opts = { .header_row = 1, .sheet_name = "Urenregistratie" };
    strbuf direct = STRBUF_INIT, ahead = STRBUF_INIT;
    lk_error e1, e2;
    lk_error_clear(&e1);
    lk_error_clear(&e2);
    CU_ASSERT_EQUAL(dump(path, &opts, false, &direct, &e1), 0);
    CU_ASSERT_EQUAL(dump(path, &opts, true, &ahead, &e2), 0);
    CU_ASSERT(strstr(direct.buf, "441[Urenregistratie]") != NULL);   /* 440 rows of hours */
    CU_ASSERT(strcmp(direct.buf, ahead.buf) == 0);
    strbuf_free(&direct);
    strbuf_free(&ahead);
    free(path);
}

static void test_error_mid_file(void)
{
    char *dir = lk_test_tmpdir();
    char *path = write_csv(dir, 5000);
    lk_reader_opts opts = { .header_row = 1, .limits = { .max_rows = 1200 } };
    strbuf direct = STRBUF_INIT, ahead = STRBUF_INIT;
    lk_error e1, e2;
    lk_error_clear(&e1);
    lk_error_clear(&e2);
    CU_ASSERT_EQUAL(dump(path, &opts, false, &direct, &e1), -1);
    CU_ASSERT_EQUAL(dump(path, &opts, true, &ahead, &e2), -1);
    CU_ASSERT(strcmp(direct.buf, ahead.buf) == 0);   /* the rows before the error, all of them */
    CU_ASSERT_STRING_EQUAL(e1.message, e2.message);
    CU_ASSERT_EQUAL(e1.row, e2.row);
    CU_ASSERT_EQUAL(e2.code, LK_ERR_LIMIT);
    strbuf_free(&direct);
    strbuf_free(&ahead);
    lk_test_rmtree(dir);
    free(dir);
    free(path);
}

static void test_stop_early(void)
{
    char *dir = lk_test_tmpdir();
    char *path = write_csv(dir, 5000);
    lk_reader_opts opts = { .header_row = 1 };
    for (int rows = 0; rows < 3; rows++) {
        lk_error err;
        lk_error_clear(&err);
        lk_reader *r = lk_reader_open(path, &opts, &err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        lk_prefetch *p = lk_prefetch_start(r, &err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        const lk_row *row;
        for (int i = 0; i < rows * 700; i++)
            CU_ASSERT_EQUAL(lk_prefetch_next(p, &row, &err), 1);
        lk_prefetch_stop(p);   /* with batches full and the thread waiting, or mid-batch */
        lk_reader_free(r);
    }
    lk_prefetch_stop(NULL);
    lk_test_rmtree(dir);
    free(dir);
    free(path);
}

static const lk_test tests[] = {
    { "CSV rows arrive as the reader gives them", test_same_rows_csv },
    { "XLSX rows arrive as the reader gives them", test_same_rows_xlsx },
    { "a reader error mid-file comes after its rows", test_error_mid_file },
    { "stopping early neither hangs nor leaks", test_stop_early },
    { NULL, NULL },
};

int main(void)
{
    return lk_test_main("prefetch", tests);
}
