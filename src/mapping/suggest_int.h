/*
 * suggest_int.h: what the mapping assistant's own files share (not for the commands).
 */
#ifndef LK_SUGGEST_INT_H
#define LK_SUGGEST_INT_H

#include "mapping/suggest.h"

/* What a cell looks like, before any number convention is chosen. */
typedef enum lk_cell_kind {
    LK_KIND_EMPTY = 0,
    LK_KIND_WHOLE,      /* 1001, an XLSX whole number */
    LK_KIND_NUMBER,     /* 7,5  1.234,50  7.5 */
    LK_KIND_DATE,       /* 28-11-2026, an XLSX date */
    LK_KIND_PERIOD,     /* 2026-11, 2026-P11, 2026-W47 */
    LK_KIND_DURATION,   /* 7:30 */
    LK_KIND_PERCENT,    /* 12,5% */
    LK_KIND_TEXT
} lk_cell_kind;

lk_cell_kind lk_cell_kind_of(const lk_sample_cell *c);
/* kind of the cell in column col of row ("" beyond its end is empty) */
lk_cell_kind lk_row_kind(const lk_sample_row *r, size_t col);

/* detect_shape.c */
void lk_detect_header(lk_suggestion *g);
void lk_detect_totals(lk_suggestion *g, const lk_synonyms *syn);
void lk_detect_number_style(lk_suggestion *g);
/* Is column col a column of values (component, long value, template component)? */
bool lk_suggest_value_column(const lk_suggestion *g, size_t col);

/* suggest_columns.c */
void lk_suggest_roles(lk_suggestion *g, const lk_synonyms *syn, const lk_learned *learned);
void lk_column_stats(const lk_suggestion *g, size_t col, lk_col_stats *st);

#endif
