/*
 * reader.h: one interface over CSV and XLSX exports: a file becomes a stream of rows of cells,
 * each with its provenance (file, sheet, row as a person sees it, column).
 *
 * Streaming: a row and its cells are valid until the next lk_reader_next() call; memory does not
 * grow with the number of rows. The reader delivers every non-blank row of the sheet, header rows
 * included; which rows are headers is the mapping's business (lk_reader_opts.header_row only lets
 * the reader name columns in its own errors).
 */
#ifndef LK_READER_H
#define LK_READER_H

#include "common/error.h"

#include <stdbool.h>

#include <signal.h>
#include <stddef.h>

typedef enum lk_file_type {
    LK_FILE_AUTO = 0,   /* by content: zip signature -> XLSX, else CSV */
    LK_FILE_CSV,
    LK_FILE_XLSX
} lk_file_type;

typedef enum lk_cell_type {
    LK_CELL_EMPTY = 0,
    LK_CELL_STRING,     /* CSV cells are always strings; XLSX shared/inline strings */
    LK_CELL_NUMBER,     /* XLSX numeric cell: number holds the exact double */
    LK_CELL_BOOL,       /* XLSX boolean: number is 0 or 1, text "TRUE"/"FALSE" */
    LK_CELL_DATE,       /* XLSX number with a date format: number is the serial in the 1900
                           system (1904 workbooks already converted), date fields are set */
    LK_CELL_ERROR       /* XLSX error cell: text is "#DIV/0!" etc. */
} lk_cell_type;

typedef struct lk_cell {
    lk_cell_type type;
    const char *text;   /* UTF-8, NUL-terminated, never NULL ("" for empty). For numbers the
                           shortest text that round-trips (XLSX's own "v" text). For dates ISO
                           8601: "2026-11-02", "2026-11-02T08:30:00", or "08:30:00" for a time
                           of day (serial < 1; year, month, day 0); an elapsed-time format
                           ([h]:mm) gives "37:30:00" with hour 37, number the days as stored.
                           An empty field or cell is LK_CELL_EMPTY, in CSV too. */
    size_t len;
    double number;      /* NUMBER, BOOL, DATE */
    int year, month, day;             /* DATE */
    int hour, minute, second;         /* DATE with a time part */
} lk_cell;

typedef struct lk_row {
    const char *file;      /* path as given */
    const char *sheet;     /* sheet name for XLSX, NULL for CSV */
    unsigned long number;  /* Excel row number / CSV line number where the row starts (1-based) */
    size_t ncells;         /* trailing empty cells are not counted */
    const lk_cell *cells;  /* cells[i] is column i (A = 0); gaps are LK_CELL_EMPTY */
    /* CSV only (0 / false for XLSX): */
    unsigned long last_line; /* the line where the record ends (quoted line breaks span lines) */
    size_t nfields;        /* fields as written, trailing empty ones included */
    bool unterminated;     /* the file's last record, not ended by a line break */
} lk_row;

typedef enum lk_encoding {
    LK_ENC_AUTO = 0,    /* UTF-8 if valid (BOM stripped), else Windows-1252 */
    LK_ENC_UTF8,
    LK_ENC_CP1252,
    LK_ENC_LATIN1,
    LK_ENC_UTF16LE,     /* Excel's "Unicode text"; AUTO picks these from their BOM */
    LK_ENC_UTF16BE
} lk_encoding;

typedef struct lk_reader_limits {
    unsigned long long max_uncompressed;  /* XLSX: all parts together; default 512 MiB */
    unsigned max_ratio;                   /* XLSX: uncompressed/compressed per part; default 200 */
    size_t max_cell;                      /* bytes in one cell; default 32767 (Excel's limit) */
    size_t max_columns;                   /* default 16384 (XFD) */
    unsigned long max_rows;               /* default 1048576 */
} lk_reader_limits;

typedef struct lk_reader_opts {
    lk_file_type type;
    /* CSV */
    char delimiter;          /* 0 = auto: "sep=" line, else the most consistent of ; , \t | */
    char quote;              /* 0 = '"' */
    lk_encoding encoding;
    /* XLSX: sheet by name, else by 1-based index, else the first sheet */
    const char *sheet_name;
    int sheet_index;
    unsigned long header_row; /* 1-based row whose texts name the columns in errors; 0 = none */
    lk_reader_limits limits;  /* zero fields take the defaults */
} lk_reader_opts;

typedef struct lk_reader lk_reader;

/* Opens path. On failure returns NULL with err set (file named, position where known). */
lk_reader *lk_reader_open(const char *path, const lk_reader_opts *opts, lk_error *err);
/* A flag a signal handler sets: while it is set every lk_reader_next() fails at once with
 * LK_ERR_INTERRUPTED, so a long file stops within a row (NULL: none). */
void lk_reader_set_stop(volatile sig_atomic_t *flag);
/* 1: *row is the next row; 0: end of the sheet; -1: err set (file, row, column named). */
int lk_reader_next(lk_reader *r, const lk_row **row, lk_error *err);
/* Header text of column col (from header_row once it has been read), or NULL. */
const char *lk_reader_header(const lk_reader *r, size_t col);
/* The last physical line (CSV: blank lines and lines of only delimiters too) or row (XLSX: the
 * highest row the sheet holds, blank ones too) read so far; once lk_reader_next returned 0, the
 * file's last one, so that blank lines after the last row can be counted. 0 = none. */
unsigned long lk_reader_last_line(const lk_reader *r);
/* What was detected, for the validate output: "csv"/"xlsx", delimiter, encoding name. */
lk_file_type lk_reader_type(const lk_reader *r);
char lk_reader_delimiter(const lk_reader *r);
const char *lk_reader_encoding(const lk_reader *r);
/* XLSX: names of the sheets in workbook order (NULL-terminated), CSV: NULL. */
const char *const *lk_reader_sheets(const lk_reader *r);
void lk_reader_free(lk_reader *r);

#endif
