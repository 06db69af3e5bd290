/*
 * reader.c: the one reader interface (reader.h) over csv.c and xlsx.c. Picks the format by
 * content, applies default limits, remembers the header row's texts and names the column's
 * header in errors that the format readers raise.
 */
#include "common/i18n.h"
#include "input/reader_int.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

struct lk_reader {
    lk_file_type type;
    char *path;
    char *sheet_name;           /* copy of opts->sheet_name */
    lk_reader_opts opts;
    lk_csv *csv;
    lk_xlsx *xlsx;
    char **headers;             /* texts of the header row, once read */
    size_t nheaders;
};

lk_reader_limits lk_reader_limits_resolve(const lk_reader_limits *given)
{
    lk_reader_limits l = *given;
    if (!l.max_uncompressed)
        l.max_uncompressed = LK_DEFAULT_MAX_UNCOMPRESSED;
    if (!l.max_ratio)
        l.max_ratio = LK_DEFAULT_MAX_RATIO;
    if (!l.max_cell)
        l.max_cell = LK_DEFAULT_MAX_CELL;
    if (!l.max_columns)
        l.max_columns = LK_DEFAULT_MAX_COLUMNS;
    if (!l.max_rows)
        l.max_rows = LK_DEFAULT_MAX_ROWS;
    return l;
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* The format by the first bytes: a zip is an XLSX; an OLE2 compound file is an old .xls or a
 * password-protected .xlsx, which we cannot read; anything else is treated as CSV text. */
static lk_file_type sniff_type(const char *path, lk_error *err)
{
    unsigned char magic[8] = { 0 };
    lk_error oe;
    lk_error_clear(&oe);
    int fd = lk_open_regular(path, &oe); /* a device or FIFO is refused by name */
    if (fd < 0) {
        lk_error_at(err, path, NULL, 0, (size_t)-1, NULL);
        if (oe.code == LK_ERR_IO)
            lk_error_set(err, LK_ERR_IO, _("cannot open: %s"), strerror(errno));
        else
            lk_error_set(err, oe.code, "%s", oe.message);
        return LK_FILE_AUTO;
    }
    ssize_t n = read(fd, magic, sizeof magic);
    close(fd);
    if (n >= 4 && memcmp(magic, "PK\003\004", 4) == 0)
        return LK_FILE_XLSX;
    if (n >= 4 && memcmp(magic, "PK\005\006", 4) == 0)
        return LK_FILE_XLSX; /* an empty zip: xlsx.c says what is missing */
    if (n == 8 && memcmp(magic, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0) {
        lk_error_at(err, path, NULL, 0, (size_t)-1, NULL);
        lk_error_set(err, LK_ERR_INPUT, _("an old Excel .xls file or a password-protected "
                     "workbook: save it as .xlsx (without password) or as CSV"));
        return LK_FILE_AUTO;
    }
    if (has_suffix(path, ".xlsx") || has_suffix(path, ".xlsm")) {
        lk_error_at(err, path, NULL, 0, (size_t)-1, NULL);
        lk_error_set(err, LK_ERR_INPUT, _("not an XLSX workbook (no zip signature)"));
        return LK_FILE_AUTO;
    }
    return LK_FILE_CSV;
}

lk_reader *lk_reader_open(const char *path, const lk_reader_opts *opts, lk_error *err)
{
    lk_reader_opts defaults;
    if (!opts) {
        memset(&defaults, 0, sizeof defaults);
        opts = &defaults;
    }
    lk_error_clear(err);
    lk_file_type type = opts->type;
    if (type == LK_FILE_AUTO) {
        type = sniff_type(path, err);
        if (type == LK_FILE_AUTO)
            return NULL;
    } else if (type == LK_FILE_CSV) {
        /* a workbook read as CSV is "binary data" to the CSV reader: say what it is instead */
        lk_error ignored;
        lk_error_clear(&ignored);
        if (sniff_type(path, &ignored) == LK_FILE_XLSX) {
            lk_error_at(err, path, NULL, 0, (size_t)-1, NULL);
            lk_error_set(err, LK_ERR_INPUT,
                         _("this is an Excel workbook (.xlsx), but the mapping says \"type\": "
                           "\"csv\": use a mapping for this export, or save the sheet as CSV"));
            return NULL;
        }
    }

    lk_reader *r = xcalloc(1, sizeof(*r));
    r->type = type;
    r->path = xstrdup(path);
    r->opts = *opts;
    r->opts.limits = lk_reader_limits_resolve(&opts->limits);
    if (opts->sheet_name)
        r->sheet_name = xstrdup(opts->sheet_name);
    r->opts.sheet_name = r->sheet_name;
    if (type == LK_FILE_CSV)
        r->csv = lk_csv_open(r->path, &r->opts, err);
    else
        r->xlsx = lk_xlsx_open(r->path, &r->opts, err);
    if (!r->csv && !r->xlsx) {
        lk_reader_free(r);
        return NULL;
    }
    return r;
}

/* Column letters ("AB") back to an index, or (size_t)-1. */
static size_t column_index(const char *letters)
{
    size_t col = 0;
    if (!*letters)
        return (size_t)-1;
    for (const char *p = letters; *p; p++) {
        if (*p < 'A' || *p > 'Z')
            return (size_t)-1;
        col = col * 26 + (size_t)(*p - 'A' + 1);
    }
    return col - 1;
}

static void remember_headers(lk_reader *r, const lk_row *row)
{
    for (size_t i = 0; i < r->nheaders; i++)
        free(r->headers[i]);
    free(r->headers);
    r->nheaders = row->ncells;
    r->headers = xcalloc(row->ncells ? row->ncells : 1, sizeof(*r->headers));
    for (size_t i = 0; i < row->ncells; i++)
        r->headers[i] = xstrdup(row->cells[i].text);
}

static volatile sig_atomic_t *stop_flag;

void lk_reader_set_stop(volatile sig_atomic_t *flag)
{
    stop_flag = flag;
}

int lk_reader_next(lk_reader *r, const lk_row **row, lk_error *err)
{
    if (stop_flag && *stop_flag) { /* SIGTERM/SIGINT: a long file stops within a row */
        lk_error_at(err, r->path, NULL, 0, (size_t)-1, NULL);
        lk_error_set(err, LK_ERR_INTERRUPTED, _("interrupted while reading"));
        return -1;
    }
    int rc = r->csv ? lk_csv_next(r->csv, row, err) : lk_xlsx_next(r->xlsx, row, err);
    if (rc > 0 && r->opts.header_row && (*row)->number == r->opts.header_row)
        remember_headers(r, *row);
    if (rc < 0 && err && err->column[0] && !err->header[0]) {
        const char *h = lk_reader_header(r, column_index(err->column));
        if (h)
            snprintf(err->header, sizeof err->header, "%s", h);
    }
    return rc;
}

const char *lk_reader_header(const lk_reader *r, size_t col)
{
    if (!r || col >= r->nheaders)
        return NULL;
    return r->headers[col];
}

unsigned long lk_reader_last_line(const lk_reader *r)
{
    return r->csv ? lk_csv_last_line(r->csv) : lk_xlsx_last_row(r->xlsx);
}

lk_file_type lk_reader_type(const lk_reader *r)
{
    return r->type;
}

char lk_reader_delimiter(const lk_reader *r)
{
    return r->csv ? lk_csv_delimiter(r->csv) : 0;
}

const char *lk_reader_encoding(const lk_reader *r)
{
    return r->csv ? lk_csv_encoding(r->csv) : "UTF-8";
}

const char *const *lk_reader_sheets(const lk_reader *r)
{
    return r->xlsx ? lk_xlsx_sheets(r->xlsx) : NULL;
}

void lk_reader_free(lk_reader *r)
{
    if (!r)
        return;
    lk_csv_free(r->csv);
    lk_xlsx_free(r->xlsx);
    for (size_t i = 0; i < r->nheaders; i++)
        free(r->headers[i]);
    free(r->headers);
    free(r->sheet_name);
    free(r->path);
    free(r);
}
