/*
 * entry.h: what the mapping stage hands on: aggregated entries, one per
 * employee x period (or date) x record key x component, each with the input rows it came from.
 *
 * The engine resolves employers, employments and periods against Loket from these; it never looks
 * back at the rows or the mapping. Everything here is owned by the lk_entry_set.
 */
#ifndef LK_ENTRY_H
#define LK_ENTRY_H

#include "common/decimal.h"
#include "common/error.h"

#include <stdbool.h>
#include <stddef.h>

/* Where an entry's value came from: rows first..last of one file/sheet. */
typedef struct lk_row_span {
    unsigned file;          /* index into lk_entry_set.files */
    unsigned sheet;         /* index into lk_entry_set.sheets; 0 = none (CSV) */
    unsigned long first, last;
} lk_row_span;

/* One input row: file, sheet, row number. */
typedef struct lk_row_pos {
    unsigned file, sheet;
    unsigned long row;
} lk_row_pos;

/*
 * The input rows of one record (employer x employee x period x record key), shared by the
 * record's entries. A row is kept once, with a bitmask of the entries (slots) it fed, as a
 * varint-coded gap from the row before: a row costs about two bytes however many components it
 * carries and however far apart a record's rows lie, so memory grows with records, not rows.
 * Consecutive rows with the same mask are one run. The last row and the run before it stay
 * unencoded until the next row shows whether they extend.
 */
typedef struct lk_row_log {
    unsigned char *code; size_t len, alloc;   /* encoded runs */
    unsigned nslots;                          /* entries attached (slot = bit) */
    unsigned file, sheet;                     /* of the encoded part's last run */
    unsigned long prev;                       /* last row encoded; 0 = none in file/sheet */
    unsigned char *prev_mask; size_t prev_mask_len, prev_mask_alloc;  /* its mask */
    bool has_run, has_row;
    lk_row_span run;                          /* pending run, one mask */
    unsigned char *run_mask; size_t run_mask_len, run_mask_alloc;
    lk_row_pos row;                           /* pending last row */
    unsigned char *row_mask; size_t row_mask_len, row_mask_alloc;
} lk_row_log;

/* Walks the spans of a log: all its rows, or those of one slot; touching spans merge. */
typedef struct lk_row_walk {
    const lk_row_log *log;
    long slot;                                /* -1: every row */
    int stage;                                /* 0 code, 1 run, 2 row, 3 done */
    size_t pos;
    unsigned file, sheet;
    unsigned long prev;
    const unsigned char *mask; size_t mask_len;
    bool has_out;
    lk_row_span out;                          /* span being merged */
} lk_row_walk;

typedef enum lk_period_kind {
    LK_PERIOD_NONE = 0,     /* from the command line (--period) or the run */
    LK_PERIOD_MONTH,        /* "2026-11": the administration's period containing that month */
    LK_PERIOD_NUMBER,       /* "2026-P05": period number 5 of the administration's year */
    LK_PERIOD_WEEK,         /* "2026-W47": week 47 of an administration that pays per week */
    LK_PERIOD_DATE          /* a date, bucketed into each administration's own calendar */
} lk_period_kind;

typedef struct lk_period_ref {
    lk_period_kind kind;
    int year;
    int number;             /* MONTH: 1..12, NUMBER and WEEK: 1..53 */
    int month, day;         /* DATE (year above) */
} lk_period_ref;

/* A record key field (cost center, cost unit, distribution unit, shift, payslip type). */
typedef enum lk_ref_kind {
    LK_REF_DEFAULT = 0,     /* not mapped: the employment's default */
    LK_REF_KEY,             /* Loket's numeric key */
    LK_REF_CODE             /* code (cost center "SAL073", cost unit "01", distribution unit "1" -
                               Loket's numeric code as text, or its description "BAK") or, for
                               shift/payslip type, description ("Dag", "Normaal") */
} lk_ref_kind;

typedef struct lk_ref {
    lk_ref_kind kind;
    int key;
    char *code;             /* LK_REF_CODE */
} lk_ref;

typedef struct lk_record_key {
    lk_ref cost_center, cost_unit, distribution_unit, shift, payslip_type;
} lk_record_key;

typedef struct lk_employee_ref {
    char *employer;            /* client number from a column, NULL = the run's employer */
    long employee_number;      /* 0 = not given (employment_id instead) */
    long payroll_id;           /* 0 = not given */
    long income_relationship;  /* 0 = not given */
    char *employment_id;       /* uuid, NULL = resolve by employee number */
} lk_employee_ref;

typedef struct lk_entry {
    lk_employee_ref employee;
    lk_period_ref period;
    lk_record_key record_key;
    char *payslip_text;        /* NULL = not mapped */
    int component;             /* payroll component key */
    lk_decimal value;
    bool value_null;           /* send null: remove Loket's value (only when the mapping says so) */
    bool is_supplement;
    int round;                 /* decimals the record's sum is rounded to (mapping "round"),
                                  -1 = keep. value stays exact: the plan (and the per-month
                                  totals) round the sum of each Loket record once, whatever
                                  fed it (period references, dates, several of each) */
    bool month_calendar;       /* a date whose payroll period the mapping says is its calendar
                                  month ("calendar": "month") */
    bool has_min, has_max;     /* the mapping's "min"/"max" for the record's value */
    lk_decimal min, max;
    size_t log;                /* index into lk_entry_set.logs: the record's rows */
    unsigned slot;             /* this entry's bit in that log */
    unsigned long nrows;       /* input rows that fed it */
    lk_row_pos first, last;    /* its first and last input row (valid when nrows) */
    bool incomplete;           /* fed by a file that could not be read to its end: the sum may
                                  lack rows, so it must not be sent */
    unsigned incomplete_file;  /* that file (index into files) */
    size_t mapping_column;     /* column index of the value (for errors later); (size_t)-1 none */
    char *column_header;       /* header of the value column, NULL when none */
} lk_entry;

/* A problem in one input row: kept so reports can account for every row. */
typedef struct lk_row_issue {
    lk_error error;            /* code, file, sheet, row, column, header, message */
    bool skipped;              /* true: a row skipped on purpose (totals row, blank), not an error */
    unsigned long last_row;    /* the issue covers error.row..last_row (a run of blank rows);
                                  0 = error.row only */
    bool before_data;          /* error.row is no data row of its own: a header row (a column
                                  missing from it), or a place in a file that could not be read
                                  as rows at all (binary data) */
    lk_employee_ref employee;  /* whose row it was, when known (employee_number 0 = unknown) */
} lk_row_issue;

/* A column of a file that the mapping did not read (component-row layout: header cell is not a
 * component number), listed so a typo is seen. */
typedef struct lk_ignored_column {
    size_t column;             /* 0-based */
    char *header;              /* the header cell's text ("" when empty) */
    unsigned long values;      /* non-empty cells below it in data rows */
} lk_ignored_column;

/* Per component and file: what validate prints. */
typedef struct lk_component_total {
    int component;
    char *name;                /* from the mapping or the file's name row, may be NULL */
    lk_decimal total;
    unsigned long values;      /* cells that contributed */
} lk_component_total;

/* What was read from one file. */
typedef struct lk_file_info {
    char type[8];              /* "csv", "xlsx" */
    char delimiter;            /* CSV; 0 for XLSX */
    char encoding[24];
    char decimal;              /* the number convention used: ',' or '.' */
    char *sheet;               /* XLSX sheet read, NULL for CSV */
    /* every data row read is used, skipped, blank or failed (has an error) */
    unsigned long rows_read, rows_used, rows_skipped, rows_blank, rows_failed;
    size_t employees;          /* distinct employees with at least one value */
    lk_component_total *totals; size_t ntotals, totals_alloc;
    lk_ignored_column *ignored; size_t nignored, ignored_alloc;
    bool failed;               /* the file could not be read to its end */
    bool totals_differ;        /* its totals row (input.totalsRow) disagrees with its rows */
    /* a CSV whose last data row has no line break after it (perhaps cut off): its row number
     * (0 = none) and its last field as read, for the warning */
    unsigned long unterminated_row;
    char unterminated_value[64];
} lk_file_info;

typedef struct lk_entry_set {
    char **files; size_t nfiles;     /* paths, in command-line order */
    char **sheets; size_t nsheets;   /* sheets[0] is "" (CSV) */
    lk_entry *entries; size_t nentries, entries_alloc;
    lk_row_log *logs; size_t nlogs, logs_alloc;   /* one per record, shared by its entries */
    lk_row_issue *issues; size_t nissues, issues_alloc;
    unsigned long rows_read;         /* data rows read over all files */
    lk_file_info *file_info;         /* parallel to files */
    /* Rows with errors / skipped rows beyond LK_MAX_LISTED_ISSUES each are counted here (and in
     * file_info), not listed: a file read with the wrong mapping must not exhaust memory. */
    unsigned long errors_not_listed, skipped_not_listed;
    unsigned long rows_not_listed;   /* input rows behind those unlisted issues (each once) */
    /* --period with a date column: the period every date must fall in. A month is checked
     * here; a period number needs the administration's calendar, so the plan checks it.
     * kind LK_PERIOD_NONE: no such check. */
    lk_period_ref expected_period;
    char *period_column;             /* the date column as the mapping names it, or NULL */
} lk_entry_set;

#define LK_MAX_LISTED_ISSUES 10000

/* An entry's value as shown on its own (validate, a report made before the plan): rounded with
 * its "round" when it covers a whole period, exact for a date (its period's sum is rounded).
 * Never sent: the plan rounds each Loket record's exact sum once. */
lk_decimal lk_entry_shown_value(const lk_entry *e);

void lk_entry_set_init(lk_entry_set *set);
void lk_entry_set_free(lk_entry_set *set);
/* Index of path in set->files (added when new). */
unsigned lk_entry_set_file(lk_entry_set *set, const char *path);
/* Index of sheet in set->sheets (added when new; NULL or "" = 0). */
unsigned lk_entry_set_sheet(lk_entry_set *set, const char *sheet);
/* A new, empty row log (one per record); its index. */
size_t lk_entry_set_new_log(lk_entry_set *set);
/* Gives entry `entry` a slot in log `log`. */
void lk_entry_set_attach(lk_entry_set *set, size_t entry, size_t log);
/* Records that input row (file, sheet, row) fed entry `entry`. Rows of one file and sheet come
 * in ascending order; the same row again for another entry of the record joins it. */
void lk_entry_add_row(lk_entry_set *set, size_t entry, unsigned file, unsigned sheet,
                      unsigned long row);
/* The same for several entries of one record (one log), as one row. */
void lk_entry_add_rows(lk_entry_set *set, const size_t *entries, size_t n, unsigned file,
                       unsigned sheet, unsigned long row);
/* Spans of one entry's rows (e) or, with e NULL, of every row of log `log`. */
void lk_row_walk_init(lk_row_walk *w, const lk_entry_set *set, const lk_entry *e, size_t log);
bool lk_row_walk_next(lk_row_walk *w, lk_row_span *span);
/* Errors (not skipped rows) in the set, listed or not. */
size_t lk_entry_set_errors(const lk_entry_set *set);
/* "2026-11", "2026-P11", "2026-11-28" or "" for none; buf >= 16 bytes. */
char *lk_period_ref_format(const lk_period_ref *p, char *buf);

#endif
