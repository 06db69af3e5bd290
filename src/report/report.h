/*
 * report.h: the result report of a run, the one model that validate, plan and apply fill and
 * that the CSV, XLSX, JSON and terminal writers read.
 *
 * Shape: an lk_report holds the run (command, input files with SHA-256, mapping, environment,
 * start and end time, request counts) and a list of records, one per employment x period x record
 * key: what was (or would be) sent to PatchPayrollPeriodDataByEmploymentId, the outcome, HTTP
 * status and attempts, every message Loket returned, and the input rows it came from. Problems
 * that belong to no employment (a bad cell, a skipped totals row) are issues. Every input row
 * ends up in exactly one record or one issue: that is how an operator sees that nothing was lost.
 *
 * Ownership: every builder copies what it is given (strings, arrays, errors); the report owns
 * all of it and lk_report_free() releases everything. Pointers returned by lk_report_add_record()
 * stay valid until lk_report_free() (records are allocated one by one, never moved).
 *
 * Plan reports use the same outcomes as apply reports, meaning "would be": a plan's `created`
 * record is one that apply would create. The run's command says which it is.
 */
#ifndef LK_REPORT_H
#define LK_REPORT_H

#include "common/decimal.h"
#include "common/error.h"
#include "mapping/entry.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* ---------------------------------------------------------------------------------------------
 * Outcomes
 * ------------------------------------------------------------------------------------------- */

typedef enum lk_outcome {
    LK_OUTCOME_VALID = 0,   /* validate: mapped without errors; nothing checked online */
    LK_OUTCOME_CREATED,     /* a new record in Loket (plan: would be created) */
    LK_OUTCOME_UPDATED,     /* an existing record changed (plan: would change) */
    LK_OUTCOME_UNCHANGED,   /* Loket already held these values (plan: nothing to send) */
    LK_OUTCOME_REJECTED,    /* refused: by Loket (400 + messages) or by our own checks */
    LK_OUTCOME_SKIPPED,     /* left out on purpose (blank, totals row, --only, ...) with reason */
    LK_OUTCOME_FAILED,      /* sent but no answer we could trust (network, 5xx after retries) */
    LK_OUTCOME_NOT_SENT,    /* valid, but not sent (apply refused: plan had errors; stopped) */
    LK_OUTCOME_COUNT
} lk_outcome;

/* "created", ..., "not_sent": the stable name in JSON and on the command line. */
const char *lk_outcome_name(lk_outcome o);
/* "created", ..., "not sent": the label a person reads in CSV, XLSX and the terminal. */
const char *lk_outcome_label(lk_outcome o);
/* Parses either form; false when unknown. */
bool lk_outcome_parse(const char *s, lk_outcome *out);

/* ---------------------------------------------------------------------------------------------
 * The model
 * ------------------------------------------------------------------------------------------- */

/* An input file of the run. */
typedef struct lk_report_file {
    char *path;
    char sha256[65];        /* lowercase hex; "" when the file could not be read */
} lk_report_file;

/* Requests per method + endpoint + status (endpoint is the path template, never ids or tokens). */
typedef struct lk_report_request_stat {
    char *method;           /* "PATCH" */
    char *endpoint;         /* ".../employments/{employmentId}/payrollperioddata" */
    int status;             /* HTTP status; 0 = no answer (connection failed, timed out) */
    unsigned long count;    /* requests that ended with this status */
    unsigned long attempts; /* HTTP attempts behind them, retries included */
    double latency_ms;      /* total wall time of those attempts */
} lk_report_request_stat;

/* One record key field, as resolved (key and code/description) or as mapped (code only). */
typedef struct lk_report_ref {
    bool set;               /* false: not given, the employment's default */
    int key;                /* Loket's key; 0 = not known (validate works offline) */
    char *code;             /* cost center / unit / distribution unit code; NULL = none */
    char *description;      /* e.g. "Productie", "Dag", "Normaal"; NULL = none */
} lk_report_ref;

typedef struct lk_report_record_key {
    lk_report_ref cost_center, cost_unit, distribution_unit, shift, payslip_type;
} lk_report_record_key;

/* Where a record or issue came from: rows first..last (inclusive) of one file and sheet. */
typedef struct lk_report_rows {
    char *file;
    char *sheet;            /* NULL for CSV */
    unsigned long first, last;
} lk_report_rows;

/* One payroll component of a record. */
typedef struct lk_report_component {
    int key;                /* payroll component key, e.g. 10 */
    char *description;      /* "Uren gewerkt"; NULL when not known (validate) */
    bool has_old;           /* plan: Loket held a value before; false = absent (or not known) */
    lk_decimal old_value;
    lk_decimal new_value;   /* ignored when delete is set */
    bool delete;            /* sent as null: removes Loket's period value (not the same as 0) */
    bool is_supplement;     /* added to the fixed value instead of replacing it */
    char *column;           /* header of the input column it came from; NULL = none */
} lk_report_component;

/* A message: Loket's verbatim (type, code, description, id), or one of our own checks. */
typedef enum lk_message_origin {
    LK_MSG_LOKET = 0,       /* from the response envelope's messages[] */
    LK_MSG_IMPORTER         /* from loket-import itself (employee not found, period closed ...) */
} lk_message_origin;

typedef struct lk_report_message {
    lk_message_origin origin;
    char *type;             /* "BrokenBusinessRule", "Warning", ...; ours: "Error", "Warning" */
    bool has_code;
    long code;              /* Loket's message code (e.g. 83) */
    char *description;
    char *id;               /* entity the message is about; NULL = none */
} lk_report_message;

typedef struct lk_report_record {
    /* who */
    char *employer_id;              /* uuid; NULL when not resolved (validate) */
    char *employer_name;
    char *employer_ref;             /* employer as the input named it (client number), or NULL */
    char *administration_id;
    char *administration_name;
    long client_number;             /* 0 = not known */
    long employee_number;           /* 0 = not known */
    char *employee_name;            /* formattedName; user data: written as text, never formula */
    char *employment_id;            /* uuid; NULL when not resolved */
    long payroll_id;                /* 0 = not known */
    long income_relationship;       /* 0 = not known */
    /* when */
    long period_id;                 /* Loket's id, e.g. 202611; 0 = not resolved */
    int period_year, period_number; /* 0 = not known */
    char *period_start, *period_end;/* "2026-11-01"; NULL = not known */
    int period_type;                /* lk_period_type of the dates: names it 2026-11, 2026-W47 ... */
    char *period_label;             /* as the input said it: "2026-11", "2026-P05", a date */
    /* which record */
    lk_report_record_key record_key;
    char *payslip_text;             /* NULL = not sent */
    /* what */
    lk_report_component *components;
    size_t ncomponents, components_alloc;
    /* result */
    lk_outcome outcome;
    bool input_error;               /* rejected because of the input itself (a bad cell in one
                                       of its rows): counts as an input error for the exit code */
    int http_status;                /* final status; 0 = nothing sent / no answer */
    unsigned attempts;              /* HTTP attempts, retries included; 0 = not sent */
    lk_report_message *messages;
    size_t nmessages, messages_alloc;
    /* provenance: merged, each row once */
    lk_report_rows *rows;
    size_t nrows, rows_alloc;
} lk_report_record;

/* A problem tied to no employment: a bad cell, a row skipped on purpose, an unknown employer. */
typedef struct lk_report_issue {
    lk_outcome outcome;     /* LK_OUTCOME_REJECTED (an error) or LK_OUTCOME_SKIPPED (on purpose) */
    lk_error error;         /* code, file, sheet, row, column, header, message */
    unsigned long last_row; /* error.row..last_row when it covers several rows; = error.row */
    bool not_data_row;      /* error.row is a header row (a missing column): no input row */
    long employee_number;   /* whose row it was, when the row named one; 0 = not known */
    char employer_ref[32];  /* the employer as the row named it (client number); "" = the run's */
} lk_report_issue;

typedef struct lk_report {
    /* the run */
    char *command;                  /* "validate", "plan", "apply" */
    lk_report_file *files;
    size_t nfiles, files_alloc;
    char *mapping_path;
    char mapping_sha256[65];        /* "" when not known */
    char *environment;              /* "acceptance", "production", "sim" or the base URL */
    double started, finished;       /* seconds since the epoch; 0 = not set */
    lk_report_request_stat *requests;
    size_t nrequests, requests_alloc;
    unsigned long rows_read;        /* data rows read over all files (from lk_entry_set) */
    unsigned long rows_not_listed;  /* rows with issues beyond the listing cap: counted only */
    /* a run-level error that stopped the run (auth, config, connection, interrupted) */
    bool has_error;
    lk_error error;
    /* warnings about the run as a whole that stop nothing but must be seen (a file whose rows
     * fall into several periods) */
    char **warnings;
    size_t nwarnings, warnings_alloc;
    /* results */
    lk_report_record **records;     /* each allocated on its own: pointers stay valid */
    size_t nrecords, records_alloc;
    lk_report_issue *issues;
    size_t nissues, issues_alloc;
    struct lk_report_signals *signals; /* plausibility signals (report_signals.h); NULL: none */
    /* files written by lk_report_write(), for the terminal summary */
    char **outputs;
    size_t noutputs, outputs_alloc;
} lk_report;

/* ---------------------------------------------------------------------------------------------
 * Building (every function copies its arguments; NULL strings stay NULL)
 * ------------------------------------------------------------------------------------------- */

/* command: "validate", "plan" or "apply". started is set to now. */
lk_report *lk_report_new(const char *command);
void lk_report_free(lk_report *r);

/* Adds an input file and hashes it; on a read error the file is still listed (sha256 "") and
 * err says why. */
lk_code lk_report_add_file(lk_report *r, const char *path, lk_error *err);
/* Adds an input file whose hash is already known (sha256 may be NULL). */
void lk_report_add_file_hash(lk_report *r, const char *path, const char *sha256);
/* Records the mapping file and hashes it (err set, hash "" when unreadable). */
lk_code lk_report_set_mapping(lk_report *r, const char *path, lk_error *err);
void lk_report_set_environment(lk_report *r, const char *environment);
/* finished is set to now. */
void lk_report_finish(lk_report *r);
/* The error that stopped the run; decides the exit code (lk_report_exit_code). */
void lk_report_set_error(lk_report *r, const lk_error *err);

/* A warning about the run (printf-style); shown on the terminal and in every report form. */
void lk_report_add_warning(lk_report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One finished request (all its attempts): adds to the method+endpoint+status line. */
void lk_report_count_request(lk_report *r, const char *method, const char *endpoint, int status,
                             unsigned attempts, double latency_ms);
/* Replaces the request statistics by an already summed table (copied). */
void lk_report_set_request_stats(lk_report *r, const lk_report_request_stat *stats, size_t n);

/* A new, empty record (outcome VALID, everything unknown) to fill in; owned by the report. */
lk_report_record *lk_report_add_record(lk_report *r);
/* Sets a record's string fields (copies; NULL clears). Fields not named here are plain values:
 * assign them directly. */
void lk_report_record_set_employer(lk_report_record *rec, const char *id, const char *name);
void lk_report_record_set_administration(lk_report_record *rec, const char *id, const char *name,
                                         long client_number);
void lk_report_record_set_employee(lk_report_record *rec, long employee_number, const char *name);
void lk_report_record_set_employment(lk_report_record *rec, const char *employment_id,
                                     long payroll_id, long income_relationship);
void lk_report_record_set_period(lk_report_record *rec, long id, int year, int number,
                                 const char *start, const char *end);
void lk_report_record_set_period_label(lk_report_record *rec, const char *label);
void lk_report_record_set_payslip_text(lk_report_record *rec, const char *text);
void lk_report_record_set_employer_ref(lk_report_record *rec, const char *ref);
/* Sets one record key field: which is &rec->record_key.cost_center etc. key 0 = unknown. */
void lk_report_ref_set(lk_report_ref *which, int key, const char *code, const char *description);
/* Copies a mapped (unresolved) record key field. */
void lk_report_ref_from_entry(lk_report_ref *which, const lk_ref *ref);

/* Adds a component (copies c's strings); returns the report's copy to adjust. */
lk_report_component *lk_report_record_add_component(lk_report_record *rec,
                                                    const lk_report_component *c);
/* A component with the usual fields; description and column may be NULL. */
lk_report_component *lk_report_record_add_value(lk_report_record *rec, int key,
                                                const char *description, lk_decimal new_value,
                                                bool delete, bool is_supplement);
/* Sets the plan's old value of a component. */
void lk_report_component_set_old(lk_report_component *c, lk_decimal old_value);

lk_report_message *lk_report_record_add_message(lk_report_record *rec, lk_message_origin origin,
                                                const char *type, bool has_code, long code,
                                                const char *description, const char *id);
/* Adds input rows first..last of file/sheet; rows already listed are not added twice, adjacent
 * and overlapping spans merge. */
void lk_report_record_add_rows(lk_report_record *rec, const char *file, const char *sheet,
                               unsigned long first, unsigned long last);
/* The rows of an entry, resolved through the set's file and sheet tables. */
void lk_report_record_add_entry_rows(lk_report_record *rec, const lk_entry_set *set,
                                     const lk_entry *e);
/* Adapters from the Loket client's types (src/loket), so the engine hands them over as they are:
 * every message of a response envelope, verbatim (origin LOKET), and the HTTP engine's
 * per-request statistics summed per method + endpoint + status (adds to what the report holds:
 * call it once, at the end of the run). */
struct lk_envelope;
struct lk_http_stats;
void lk_report_record_add_envelope(lk_report_record *rec, const struct lk_envelope *env);
void lk_report_add_http_stats(lk_report *r, const struct lk_http_stats *stats);

/* Sets outcome, final HTTP status and attempts in one call. */
void lk_report_record_set_result(lk_report_record *rec, lk_outcome outcome, int http_status,
                                 unsigned attempts);

/* An issue tied to no employment; err's provenance (file, sheet, row, column) is kept.
 * outcome: LK_OUTCOME_REJECTED (error) or LK_OUTCOME_SKIPPED (skipped on purpose). */
lk_report_issue *lk_report_add_issue(lk_report *r, lk_outcome outcome, const lk_error *err);
/* Names whose row an issue came from (employer: the client number the row gave, or NULL). */
void lk_report_issue_set_employee(lk_report_issue *is, long employee_number,
                                  const char *employer);
/* The name of employee_number of that employer among the report's records, or NULL. */
const char *lk_report_employee_name(const lk_report *r, long employee_number,
                                    const char *employer);

/* validate: fills the report from the mapping's output: one VALID record per
 * employee x period x record key x payslip text with its components and rows, and one issue per
 * row issue (REJECTED with its reason, or SKIPPED). A row issue on a row that also fed a record
 * (a wide row with one bad cell) is not listed twice: it becomes a message of that record, which
 * is then REJECTED (input_error), so nothing of that employment goes out and every input row is
 * still in exactly one place. Also adds the set's files (hashed) when the report has none yet,
 * and rows_read. err only for unreadable files (the report is still filled). */
lk_code lk_report_add_entry_set(lk_report *r, const lk_entry_set *set, lk_error *err);
/* What the mapping stage found that is no row's issue but must be seen, as warnings: columns the
 * component-row layout ignored because their component number is not one ("1O"). */
void lk_report_add_input_warnings(lk_report *r, const lk_entry_set *set);

/* ---------------------------------------------------------------------------------------------
 * Reading the model
 * ------------------------------------------------------------------------------------------- */

typedef struct lk_report_totals {
    unsigned long records[LK_OUTCOME_COUNT];  /* records per outcome */
    unsigned long issues[LK_OUTCOME_COUNT];   /* issues per outcome (REJECTED, SKIPPED) */
    unsigned long rows_in_records;            /* input rows behind the records */
    unsigned long rows_in_issues;             /* rows_not_listed included */
    unsigned long messages;
} lk_report_totals;

void lk_report_totals_get(const lk_report *r, lk_report_totals *t);

/* Per component key: how many records carry it and the sum of the new values. Sorted by key.
 * Returned array is the caller's (free()). Sums only over records whose outcome is in mask
 * (bit 1u << outcome), all when mask is 0. Deleted values count but do not add. */
typedef struct lk_report_component_total {
    int key;
    const char *description;    /* the report's string; first non-NULL seen */
    unsigned long count;
    lk_decimal sum;
    bool overflow;              /* sum left lk_decimal's range: sum is not meaningful */
} lk_report_component_total;

lk_report_component_total *lk_report_component_totals(const lk_report *r, unsigned mask,
                                                       size_t *n);

/* The command's exit code from the run (common/error.h):
 *   run error set               -> lk_exit_code(error.code) (3 config/auth/connection, 4, 5)
 *   input errors (rejected issues or records with input_error), nothing sent -> 2
 *   any record rejected/failed/not sent, or input errors after something was sent -> 1
 *   otherwise                   -> 0 */
int lk_report_exit_code(const lk_report *r);
/* One line per exit code for --help, the summary and the XLSX: "some employments rejected ...". */
const char *lk_exit_code_meaning(int code);

/* ---------------------------------------------------------------------------------------------
 * Writing
 * ------------------------------------------------------------------------------------------- */

typedef enum lk_report_format {
    LK_REPORT_AUTO = 0,     /* by the path's extension: .csv, .xlsx, .json */
    LK_REPORT_CSV,
    LK_REPORT_XLSX,
    LK_REPORT_JSON
} lk_report_format;

/* The two CSV forms a spreadsheet opens right (both UTF-8 with a BOM, lines ending in CRLF):
 *   LK_CSV_RFC4180   ',' between fields, a decimal point: English settings, scripts
 *   LK_CSV_EXCEL_NL  ';' between fields, a decimal comma: Excel/LibreOffice in Dutch settings */
typedef enum lk_csv_style { LK_CSV_RFC4180 = 0, LK_CSV_EXCEL_NL } lk_csv_style;

/* "rfc4180" or "excel-nl" (the --csv-style values); false when unknown. */
bool lk_csv_style_parse(const char *name, lk_csv_style *out);
const char *lk_csv_style_name(lk_csv_style style);
/* The style a user of that language expects: "nl", "nl_NL.UTF-8", ... -> EXCEL_NL; anything
 * else (NULL included) -> RFC4180. */
lk_csv_style lk_csv_style_for_language(const char *lang);

/* Writes the report to path (atomically: a temp file in the same folder, then renamed).
 * CSV in RFC 4180 style (lk_report_write_as chooses). On success the path is remembered for the
 * terminal summary. Errors name the path (LK_ERR_IO, or LK_ERR_CONFIG for an unknown format). */
lk_code lk_report_write(lk_report *r, const char *path, lk_report_format format, lk_error *err);
lk_code lk_report_write_as(lk_report *r, const char *path, lk_report_format format,
                           lk_csv_style csv_style, lk_error *err);
lk_code lk_report_write_csv(const lk_report *r, const char *path, char delimiter, lk_error *err);
lk_code lk_report_write_xlsx(const lk_report *r, const char *path, lk_error *err);
lk_code lk_report_write_json(const lk_report *r, const char *path, lk_error *err);
/* The JSON document as a string (caller frees); for tests and for printing with --json. */
char *lk_report_json_string(const lk_report *r);

/* ---------------------------------------------------------------------------------------------
 * The terminal
 * ------------------------------------------------------------------------------------------- */

/* The summary table at the end of a run: counts per outcome, per component totals, input row
 * accounting, the report files written. Colours only when out is a terminal and NO_COLOR is
 * unset or empty. */
void lk_report_print_summary(const lk_report *r, FILE *out);

/* The changes of a plan, per employer and period, per employment old -> new (report_plan.c). */
typedef struct lk_plan_view_opts {
    size_t max_lines;       /* lines shown before "... N more lines"; 0 = all */
    bool decimal_comma;     /* 1,75 instead of 1.75 (the language's number style) */
    const char *rest_in;    /* a report file holding the whole plan, named when lines are cut */
} lk_plan_view_opts;

/* Prints the changes; returns how many lines were not shown. o may be NULL (everything). */
size_t lk_report_print_changes(const lk_report *r, const lk_plan_view_opts *o, FILE *out);
/* The same groups, values and totals as a JSON document (caller frees). */
char *lk_report_changes_json(const lk_report *r);

/* Only the problems of the summary (the first rejected or failed records and input errors, the
 * error that stopped the run): what --quiet prints, on stderr. Nothing when there are none. */
void lk_report_print_problems(const lk_report *r, FILE *out);

/* Progress on stderr while requests run: only when stderr is a terminal and not quiet;
 * otherwise every call is a cheap no-op. Redraws at most ~10 times a second. */
typedef struct lk_progress lk_progress;
lk_progress *lk_progress_new(unsigned long total, bool quiet);
void lk_progress_update(lk_progress *p, unsigned long done, unsigned long failed);
/* Draws the final state and ends the line; p stays valid until lk_progress_free(). */
void lk_progress_finish(lk_progress *p);
void lk_progress_free(lk_progress *p);

#endif
