/*
 * prefetch.h: reads a file's rows on a second thread, ahead of the one that uses them.
 *
 * Parsing (libcsv, expat, iconv) and mapping each cost about as much as the other, and a
 * machine has more than one core: with the reader on its own thread a big export is read and
 * mapped at the pace of the slower of the two, not of both added up. Rows travel in a few small
 * batches (copied, so the reader can go on), which keeps memory flat whatever the file's size.
 *
 * The calls mirror lk_reader_next: a row stays valid until the next call. The reader belongs to
 * the prefetcher's thread from lk_prefetch_start until lk_prefetch_stop; only then may the caller
 * use or free it again.
 */
#ifndef LK_PREFETCH_H
#define LK_PREFETCH_H

#include "input/reader.h"

typedef struct lk_prefetch lk_prefetch;

/* Starts reading r on a new thread. NULL (err set) when no thread can be had. */
lk_prefetch *lk_prefetch_start(lk_reader *r, lk_error *err);
/* 1 and *row: the next row; 0: the end of the file; -1: the reader's error, in err. After 0 or
 * -1 every further call returns the same. */
int lk_prefetch_next(lk_prefetch *p, const lk_row **row, lk_error *err);
/* Stops the thread (at once if rows are still unread) and frees p; NULL is fine. */
void lk_prefetch_stop(lk_prefetch *p);

#endif
