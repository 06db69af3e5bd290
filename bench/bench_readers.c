/*
 * bench_readers.c: throughput and peak memory of the readers (scripts/bench-readers.sh).
 *
 *   bench_readers gen-csv FILE ROWS    a 12-column Dutch-Excel-like CSV (sep=;, CRLF, quotes)
 *   bench_readers gen-xlsx FILE ROWS   a 12-column workbook written by libxlsxwriter
 *   bench_readers read FILE            reads every row; prints rows, seconds, rows/s, peak RSS
 *
 * Reading touches every cell's text, as the mapping does, so that nothing is optimised away.
 */
#include "common/util.h"
#include "input/reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <xlsxwriter.h>

static const char *const names[] = { "Jansen", "de Vries", "van den Berg", "Bakker",
                                     "M\xC3\xBCller; K.", "Visser", "Smit", "Meijer" };

static int gen_csv(const char *path, unsigned long rows)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return perror(path), 1;
    fputs("sep=;\r\nPersoneelsnummer;Naam;Datum;Uren;Overuren 125%;Overuren 150%;Ziekte-uren;"
          "Verlofuren;Reiskm;Reiskostenverg;Kostenplaats;Opmerking\r\n", f);
    for (unsigned long i = 0; i < rows; i++) {
        const char *name = names[i % 8];
        int quoted = strchr(name, ';') != NULL;
        fprintf(f, "%lu;%s%s%s;%02lu-11-2026;%lu,%02lu;%lu,5;0;%lu;0;%lu;%lu,%02lu;PROD;%s\r\n",
                1001 + i % 25, quoted ? "\"" : "", name, quoted ? "\"" : "", 1 + i % 28,
                4 + i % 5, i % 100, i % 3, i % 9, i % 60, i % 20, i % 100,
                i % 7 ? "" : "\"nacht; \"\"extra\"\"\"");
    }
    return fclose(f) != 0;
}

static int gen_xlsx(const char *path, unsigned long rows)
{
    lxw_workbook *wb = workbook_new(path);
    if (!wb)
        return 1;
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Uren");
    lxw_format *date = workbook_add_format(wb);
    format_set_num_format(date, "dd-mm-yyyy");
    const char *headers[] = { "Personeelsnummer", "Naam", "Datum", "Uren", "Overuren 125%",
                              "Overuren 150%", "Ziekte-uren", "Verlofuren", "Reiskm",
                              "Reiskostenverg", "Kostenplaats", "Opmerking" };
    for (int c = 0; c < 12; c++)
        worksheet_write_string(ws, 0, (lxw_col_t)c, headers[c], NULL);
    for (unsigned long i = 0; i < rows; i++) {
        lxw_row_t r = (lxw_row_t)(i + 1);
        lxw_datetime d = { 2026, 11, (int)(1 + i % 28), 0, 0, 0 };
        worksheet_write_number(ws, r, 0, (double)(1001 + i % 25), NULL);
        worksheet_write_string(ws, r, 1, names[i % 8], NULL);
        worksheet_write_datetime(ws, r, 2, &d, date);
        worksheet_write_number(ws, r, 3, 4 + (double)(i % 500) / 100, NULL);
        worksheet_write_number(ws, r, 4, (double)(i % 100) + 0.5, NULL);
        worksheet_write_number(ws, r, 5, 0, NULL);
        worksheet_write_number(ws, r, 6, (double)(i % 3), NULL);
        worksheet_write_number(ws, r, 7, 0, NULL);
        worksheet_write_number(ws, r, 8, (double)(i % 60), NULL);
        worksheet_write_number(ws, r, 9, (double)(i % 2000) / 100, NULL);
        worksheet_write_string(ws, r, 10, "PROD", NULL);
        if (i % 7 == 0)
            worksheet_write_string(ws, r, 11, "nacht", NULL);
    }
    return workbook_close(wb) != LXW_NO_ERROR;
}

static int read_all(const char *path)
{
    lk_error err;
    lk_reader *r = lk_reader_open(path, NULL, &err);
    const lk_row *row;
    unsigned long rows = 0;
    size_t bytes = 0;
    int rc;
    char buf[700];
    double t0 = lk_monotonic_ms();
    if (!r)
        return fprintf(stderr, "%s\n", lk_error_format(&err, buf, sizeof buf)), 1;
    while ((rc = lk_reader_next(r, &row, &err)) > 0) {
        rows++;
        for (size_t i = 0; i < row->ncells; i++)
            bytes += row->cells[i].len + (size_t)(row->cells[i].text[0] == '\0');
    }
    double secs = (lk_monotonic_ms() - t0) / 1000.0;
    lk_reader_free(r);
    if (rc < 0)
        return fprintf(stderr, "%s\n", lk_error_format(&err, buf, sizeof buf)), 1;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    /* CPU time too: on a shared machine the wall clock also measures the neighbours */
    double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                 (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    printf("rows=%lu seconds=%.3f rows_per_s=%.0f cpu_rows_per_s=%.0f peak_rss_kb=%ld "
           "text_bytes=%zu\n", rows, secs, rows / secs, rows / cpu, ru.ru_maxrss, bytes);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "gen-csv") == 0)
        return gen_csv(argv[2], strtoul(argv[3], NULL, 10));
    if (argc == 4 && strcmp(argv[1], "gen-xlsx") == 0)
        return gen_xlsx(argv[2], strtoul(argv[3], NULL, 10));
    if (argc == 3 && strcmp(argv[1], "read") == 0)
        return read_all(argv[2]);
    fprintf(stderr, "usage: bench_readers gen-csv|gen-xlsx FILE ROWS | read FILE\n");
    return 2;
}
