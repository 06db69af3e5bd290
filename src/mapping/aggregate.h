/*
 * aggregate.h: rows -> entries. Applies a mapping to the rows of one or more files and sums
 * them into an lk_entry_set: one entry per employee x period (or date) x record key x component,
 * each keeping the rows it came from. Every data row ends up either in an entry's rows or as an
 * lk_row_issue (skipped with a reason, or an error), so reports can account for all of them.
 *
 * Streaming: rows are consumed one at a time; memory grows with entries and employees, not rows.
 */
#ifndef LK_AGGREGATE_H
#define LK_AGGREGATE_H

#include "mapping/entry.h"
#include "mapping/mapping.h"

typedef struct lk_aggregator lk_aggregator;

/* period: --period of the command line, or NULL. Fails (LK_ERR_CONFIG) when the mapping takes
 * the period elsewhere and the two cannot both hold. The set must be initialised; it is filled. */
lk_aggregator *lk_aggregator_new(const lk_mapping *m, const lk_period_ref *period,
                                 lk_entry_set *set, lk_error *err);
void lk_aggregator_free(lk_aggregator *a);
/* --allow-empty: a file without data rows is not an error. */
void lk_aggregator_set_allow_empty(lk_aggregator *a, bool allow);

/* Reads a whole file through input/reader.h (twice when the number convention is "auto": the
 * first pass only looks for it). Problems with the file or its rows become issues in the set;
 * the return is LK_OK unless something fatal happened (err set). */
lk_code lk_aggregator_add_file(lk_aggregator *a, const char *path, lk_error *err);

/* The same, row by row, for callers that own the reader (and the tests). */
void lk_aggregator_begin_file(lk_aggregator *a, const char *path, const lk_number_style *style);
void lk_aggregator_add_row(lk_aggregator *a, const lk_row *row);
/* A problem that ends the file (cannot open, malformed CSV...): recorded as an issue. */
void lk_aggregator_file_error(lk_aggregator *a, const lk_error *err);
void lk_aggregator_end_file(lk_aggregator *a);


#endif
