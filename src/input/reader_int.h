/*
 * reader_int.h: what reader.c shares with the format readers (csv.c, xlsx.c). Not part of the
 * public interface: the rest of the program only sees reader.h.
 */
#ifndef LK_READER_INT_H
#define LK_READER_INT_H

#include "input/reader.h"

/* Default limits (reader.h documents them); zero fields of opts->limits take these. */
#define LK_DEFAULT_MAX_UNCOMPRESSED (512ULL << 20)
#define LK_DEFAULT_MAX_RATIO 200u
#define LK_DEFAULT_MAX_CELL 32767u
#define LK_DEFAULT_MAX_COLUMNS 16384u
#define LK_DEFAULT_MAX_ROWS 1048576ul

/* Bytes read from a file at a time. Large enough that read() and the per-call costs of libcsv
 * and expat vanish, small enough to stay in the L2 cache. */
#define LK_READ_CHUNK (64 * 1024)

lk_reader_limits lk_reader_limits_resolve(const lk_reader_limits *given);

typedef struct lk_csv lk_csv;
lk_csv *lk_csv_open(const char *path, const lk_reader_opts *opts, lk_error *err);
int lk_csv_next(lk_csv *c, const lk_row **row, lk_error *err);
char lk_csv_delimiter(const lk_csv *c);
unsigned long lk_csv_last_line(const lk_csv *c);
const char *lk_csv_encoding(const lk_csv *c);
void lk_csv_free(lk_csv *c);

typedef struct lk_xlsx lk_xlsx;
lk_xlsx *lk_xlsx_open(const char *path, const lk_reader_opts *opts, lk_error *err);
int lk_xlsx_next(lk_xlsx *x, const lk_row **row, lk_error *err);
const char *const *lk_xlsx_sheets(const lk_xlsx *x);
unsigned long lk_xlsx_last_row(const lk_xlsx *x);
void lk_xlsx_free(lk_xlsx *x);

#endif
