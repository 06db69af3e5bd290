/*
 * report_int.h: what the report writers share (not for other stages): the detail table's
 * columns and the cells of one line, so CSV and the XLSX detail sheet carry the same columns in
 * the same order, and small formatting helpers.
 */
#ifndef LK_REPORT_INT_H
#define LK_REPORT_INT_H

#include "common/strbuf.h"
#include "report/report.h"

/* Reports name employees and their pay: readable by the owner and the group (the payroll team's
 * share), not by everyone on the machine. */
#define LK_REPORT_FILE_MODE 0640

typedef enum lk_cell_kind {
    LK_RCELL_EMPTY = 0,
    LK_RCELL_TEXT,      /* user or Loket text: never a formula */
    LK_RCELL_INT,       /* whole number (employee number, status, ...) */
    LK_RCELL_DECIMAL,   /* payroll value */
    LK_RCELL_DATE       /* a calendar date: text "2026-11-30"; a date cell in XLSX */
} lk_cell_kind;

typedef struct lk_report_cell {
    lk_cell_kind kind;
    strbuf text;        /* TEXT */
    long long number;   /* INT */
    lk_decimal value;   /* DECIMAL */
} lk_report_cell;

/* The detail columns, in order (docs/reports.md describes each). */
enum {
    LK_COL_OUTCOME,
    LK_COL_EMPLOYER,
    LK_COL_ADMINISTRATION,
    LK_COL_CLIENT_NUMBER,
    LK_COL_EMPLOYEE_NUMBER,
    LK_COL_EMPLOYEE_NAME,
    LK_COL_EMPLOYMENT_ID,
    LK_COL_PAYROLL_ID,
    LK_COL_PERIOD,
    LK_COL_PERIOD_ID,
    LK_COL_PERIOD_START,
    LK_COL_PERIOD_END,
    LK_COL_COST_CENTER,
    LK_COL_COST_UNIT,
    LK_COL_DISTRIBUTION_UNIT,
    LK_COL_SHIFT,
    LK_COL_PAYSLIP_TYPE,
    LK_COL_PAYSLIP_TEXT,
    LK_COL_COMPONENT_KEY,
    LK_COL_COMPONENT,
    LK_COL_OLD_VALUE,
    LK_COL_NEW_VALUE,
    LK_COL_DELETE,
    LK_COL_SUPPLEMENT,
    LK_COL_HTTP_STATUS,
    LK_COL_ATTEMPTS,
    LK_COL_MESSAGES,
    LK_COL_INPUT_ROWS,
    LK_COL_INPUT_COLUMN,
    LK_NCOLS
};

typedef struct lk_report_column {
    const char *header;
    double width;       /* XLSX column width in characters */
} lk_report_column;

extern const lk_report_column lk_report_columns[LK_NCOLS];

/* A line of the detail table: cells[LK_NCOLS], initialised and freed by these. */
void lk_report_line_init(lk_report_cell *cells);
void lk_report_line_free(lk_report_cell *cells);
/* Fills cells for a record and one of its components (comp NULL: a record without components).
 * Returns the line's outcome. */
lk_outcome lk_report_line_record(lk_report_cell *cells, const lk_report_record *rec,
                                 const lk_report_component *comp);
/* employee_name: the name of the issue's employee when the report knows it, else NULL. */
lk_outcome lk_report_line_issue(lk_report_cell *cells, const lk_report_issue *is,
                                const char *employee_name);

/* Every detail line of the report, records first then issues, in report order. */
typedef int (*lk_report_line_fn)(void *ctx, const lk_report_cell *cells, lk_outcome outcome);
int lk_report_each_line(const lk_report *r, lk_report_line_fn fn, void *ctx);

/* "Type code: description [id]" of each message, joined with " | "; the reasons first
 * (BrokenBusinessRule, Exception, Error, ...), then Warnings, then Info, each kind in Loket's
 * order, so a rejected record's cell starts with why it was rejected. */
void lk_report_messages_text(strbuf *sb, const lk_report_record *rec);
/*
 * Records that share a reason: the distinct reasons (lk_report_messages_text) of recs[0..n), in
 * the order they first occur, each with the records it concerns. lk_report_causes_free frees.
 */
typedef struct lk_report_cause {
    char *reason;
    lk_outcome outcome;
    const lk_report_record **recs;
    size_t n;
} lk_report_cause;
lk_report_cause *lk_report_causes(const lk_report_record *const *recs, size_t n, size_t *ncauses);
void lk_report_causes_free(lk_report_cause *c, size_t n);
/* "1001, 1002, 1003 and 21 more": the employee numbers of a cause's records, each once. */
void lk_report_cause_employees(strbuf *sb, const lk_report_cause *c, size_t shown_max);
/* "uren.csv:2-4; b.xlsx[Blad1]:3" */
void lk_report_rows_text(strbuf *sb, const lk_report_rows *rows, size_t n);
/* ISO 8601 UTC of a time in seconds, "" when 0. out >= 21 bytes. */
char *lk_report_time_text(double t, char *out);

/* Writes a finished report file atomically with the report's mode; errors name the report. */
lk_code lk_report_write_bytes(const char *path, const void *data, size_t len, lk_error *err);

/* Progress drawn on any stream; force draws even when it is not a terminal (tests). */
lk_progress *lk_progress_new_stream(unsigned long total, FILE *out, bool force, bool color);
/* Whether colours may be used on out: a terminal, and NO_COLOR unset or empty. */
bool lk_report_use_color(FILE *out);

#endif
