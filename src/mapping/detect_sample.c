/*
 * detect_sample.c: an export's rows, read once through the ordinary readers (input/reader.h)
 * and kept in memory for the mapping assistant: type, delimiter, encoding, the sheet, the
 * rows (at most LK_SAMPLE_MAX_ROWS) and how many blank lines lay between them.
 */
#include "mapping/suggest.h"

#include "common/i18n.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Excel's "sep=;" first line: the reader takes it out; the assistant only reports it. */
static bool starts_with_sep_line(const char *path)
{
    unsigned char b[8] = { 0 };
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    size_t n = fread(b, 1, sizeof b, f);
    fclose(f);
    size_t o = n >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF ? 3 : 0;
    return n >= o + 5 && strncasecmp((const char *)b + o, "sep=", 4) == 0;
}

static void keep_row(lk_sample *s, size_t *alloc, const lk_row *row)
{
    lk_grow(&s->rows, sizeof(lk_sample_row), s->nrows + 1, alloc);
    lk_sample_row *r = &s->rows[s->nrows++];
    r->number = row->number;
    r->ncells = row->ncells;
    r->cells = xcalloc(row->ncells + 1, sizeof(lk_sample_cell));
    for (size_t i = 0; i < row->ncells; i++) {
        r->cells[i].type = row->cells[i].type;
        r->cells[i].text = xstrdup(row->cells[i].text ? row->cells[i].text : "");
    }
}

/* Reads one sheet (or the CSV) into s; returns the rows read, or -1 with err set. */
static long read_rows(lk_sample *s, const char *sheet, bool keep, lk_error *err)
{
    lk_reader_opts o;
    memset(&o, 0, sizeof o);
    o.sheet_name = sheet;
    lk_reader *r = lk_reader_open(s->path, &o, err);
    if (!r)
        return -1;
    const lk_row *row;
    long n = 0;
    size_t alloc = 0;
    unsigned long prev_end = 0;
    size_t cells = 0;
    int rc;
    if (keep) {
        s->type = lk_reader_type(r);
        s->delimiter = lk_reader_delimiter(r);
        free(s->encoding);
        s->encoding = lk_reader_encoding(r) ? xstrdup(lk_reader_encoding(r)) : NULL;
        if (s->type == LK_FILE_CSV && starts_with_sep_line(s->path)) {
            s->sep_line = true;
            prev_end = 1;
        }
    }
    while ((rc = lk_reader_next(r, &row, err)) == 1) {
        n++;
        if (!keep)
            continue;
        if (row->number > prev_end + 1 && prev_end)
            s->blank_lines += row->number - prev_end - 1;
        prev_end = row->last_line ? row->last_line : row->number;
        if (s->nrows < LK_SAMPLE_MAX_ROWS && cells + row->ncells <= LK_SAMPLE_MAX_CELLS) {
            keep_row(s, &alloc, row);
            cells += row->ncells;
        } else {
            s->truncated = true;
        }
    }
    if (keep && rc == 0 && lk_reader_last_line(r) > prev_end && prev_end)
        s->blank_lines += lk_reader_last_line(r) - prev_end;
    lk_reader_free(r);
    return rc < 0 ? -1 : n;
}

lk_code lk_sample_read(const char *path, const char *sheet, lk_sample **out, lk_error *err)
{
    lk_sample *s = xcalloc(1, sizeof *s);
    s->path = xstrdup(path);
    *out = NULL;
    lk_reader_opts o;
    memset(&o, 0, sizeof o);
    lk_reader *r = lk_reader_open(path, &o, err);
    if (!r) {
        lk_sample_free(s);
        return err->code ? err->code : LK_ERR_INPUT;
    }
    const char *const *sheets = lk_reader_sheets(r);
    char *chosen = sheet ? xstrdup(sheet) : NULL;
    if (sheets && !sheet) {
        /* the sheet with the most rows; the others that hold rows are reported */
        long best = -1;
        size_t nsheets = 0;
        while (sheets[nsheets])
            nsheets++;
        long *rows = xcalloc(nsheets + 1, sizeof(long));
        for (size_t i = 0; i < nsheets; i++) {
            rows[i] = read_rows(s, sheets[i], false, err);
            if (rows[i] > best) {
                best = rows[i];
                free(chosen);
                chosen = xstrdup(sheets[i]);
            }
        }
        /* a second sheet of about as many rows may be the one meant; a short notes sheet is not */
        s->other_sheets = xcalloc(nsheets + 1, sizeof(char *));
        for (size_t i = 0; i < nsheets; i++)
            if (rows[i] > 0 && rows[i] * 2 >= best && strcmp(sheets[i], chosen))
                s->other_sheets[s->nother_sheets++] = xstrdup(sheets[i]);
        free(rows);
    }
    lk_reader_free(r);
    lk_error_clear(err);
    s->sheet = chosen;
    if (read_rows(s, chosen, true, err) < 0) {
        lk_sample_free(s);
        return err->code ? err->code : LK_ERR_INPUT;
    }
    *out = s;
    return LK_OK;
}

const char *lk_sample_text(const lk_sample_row *r, size_t col)
{
    return col < r->ncells ? r->cells[col].text : "";
}

void lk_sample_free(lk_sample *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nrows; i++) {
        for (size_t j = 0; j < s->rows[i].ncells; j++)
            free(s->rows[i].cells[j].text);
        free(s->rows[i].cells);
    }
    free(s->rows);
    for (size_t i = 0; i < s->nother_sheets; i++)
        free(s->other_sheets[i]);
    free(s->other_sheets);
    free(s->path);
    free(s->encoding);
    free(s->sheet);
    free(s);
}
