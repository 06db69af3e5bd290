/*
 * mapping.h: a mapping file (mappings/NAME.json) loaded into memory.
 *
 * A mapping says, once per export format, how a file's rows become payroll period data: which
 * rows to read, which columns identify the employee, the period and the record key, and which
 * columns (or, in the long layout, which codes) hold which payroll component. docs/mappings.md
 * documents every key. Loading checks the whole file: unknown keys (with a did-you-mean), wrong
 * types and contradictions are reported with the mapping file and the JSON key path, so a
 * mapping that loads can be applied to any file without further checks of its own.
 */
#ifndef LK_MAPPING_H
#define LK_MAPPING_H

#include "common/decimal.h"
#include "common/error.h"
#include "input/reader.h"
#include "mapping/entry.h"

#include <stdbool.h>
#include <stddef.h>

#define LK_NO_COLUMN ((size_t)-1)

/* A column of the input: by header text (needs input.headerRow) or by letter. */
typedef struct lk_colref {
    char *name;          /* header text, matched case-insensitively; NULL when by letter */
    size_t letter;       /* 0-based column when given by letter, else LK_NO_COLUMN */
    char *path;          /* JSON key path, for errors ("employee.employeeNumber") */
} lk_colref;

typedef enum lk_layout {
    LK_LAYOUT_WIDE = 0,      /* one column per component, listed in the mapping */
    LK_LAYOUT_LONG,          /* one column names the component, another holds the value */
    LK_LAYOUT_COMPONENT_ROW  /* Loket's template: component numbers in a header row of the file */
} lk_layout;

typedef enum lk_value_format {
    LK_FORMAT_NUMBER = 0,    /* 7,5  1.234,50  -3,25 */
    LK_FORMAT_DURATION,      /* 7:30 -> 7.5 hours (plain numbers are hours too) */
    LK_FORMAT_PERCENT        /* 12,5% -> 12.5 (the % sign is optional) */
} lk_value_format;

typedef enum lk_blank_rule {
    LK_BLANK_SKIP = 0,       /* a blank cell sends nothing for this component */
    LK_BLANK_ZERO,           /* a blank cell is 0 */
    LK_BLANK_NULL            /* a blank cell sends null: removes Loket's value (explicit opt-in) */
} lk_blank_rule;

/* How one component's values are read. */
typedef struct lk_component_spec {
    int component;           /* payroll component key */
    char *name;              /* display name (mapping "name"), may be NULL */
    lk_colref column;        /* wide layout; unused (name NULL, letter none) otherwise */
    char *code;              /* long layout: cell text that selects this spec; NULL = the key */
    lk_decimal scale;        /* multiplier, LK_DECIMAL_SCALE = 1 */
    lk_decimal divide_by;    /* divisor, LK_DECIMAL_SCALE = 1 (minutes -> hours: 60) */
    int round;               /* decimals of the aggregated value, -1 = keep (up to 6) */
    lk_value_format format;
    bool is_supplement;
    lk_blank_rule blank;
    bool allow_negative;     /* "allowNegative": a negative cell is a deliberate correction */
    bool has_min, has_max;   /* "min"/"max": the range of a record's (summed, rounded) value */
    lk_decimal min, max;
    char *path;              /* "components[2]" */
} lk_component_spec;

typedef enum lk_ref_source {
    LK_SRC_NONE = 0,         /* not mapped */
    LK_SRC_CONSTANT,         /* a key or code fixed in the mapping */
    LK_SRC_COLUMN            /* from a column, read as key or code */
} lk_ref_source;

/* A record key field: cost center, cost unit, distribution unit, shift, payslip type. */
typedef struct lk_ref_spec {
    lk_ref_source source;
    lk_colref column;
    lk_ref_kind by;          /* LK_REF_KEY or LK_REF_CODE for a column; constant's kind */
    int key;                 /* constant key */
    char *code;              /* constant code */
} lk_ref_spec;

enum { LK_RK_COST_CENTER, LK_RK_COST_UNIT, LK_RK_DISTRIBUTION_UNIT, LK_RK_SHIFT,
       LK_RK_PAYSLIP_TYPE, LK_RK_COUNT };
extern const char *const lk_record_key_names[LK_RK_COUNT]; /* "costCenter", ... */

typedef enum lk_period_source {
    LK_PSRC_COMMAND_LINE = 0,  /* --period, or the run decides */
    LK_PSRC_FIXED,             /* "value" in the mapping */
    LK_PSRC_COLUMN,            /* "2026-11" / "2026-P11" per row */
    LK_PSRC_DATE               /* a date per row, bucketed per administration later */
} lk_period_source;

typedef enum lk_skip_test {
    LK_SKIP_MATCHES = 0,     /* glob (fnmatch, case-insensitive): "Totaal*" */
    LK_SKIP_BLANK            /* the cell is empty or whitespace */
} lk_skip_test;

typedef struct lk_skip_rule {
    lk_colref column;
    lk_skip_test test;
    char *pattern;
    char *reason;            /* shown in the report; default describes the rule */
} lk_skip_rule;

typedef enum lk_aggregate_rule {
    LK_AGG_SUM = 0,          /* repeated rows add up */
    LK_AGG_REJECT            /* a repeated row is an error naming both rows */
} lk_aggregate_rule;

typedef struct lk_mapping {
    char *path;              /* the mapping file, for errors */
    char *name, *description;

    /* input */
    lk_reader_opts reader;   /* type, delimiter, quote, encoding, sheet, header_row */
    char *sheet_name;        /* owned copy behind reader.sheet_name */
    char decimal_sep;        /* ',' or '.'; 0 = auto (per file, from its values) */
    char thousands_sep;      /* '.', ',', ' '; 0 = auto (the other one); 'n' = none allowed */
    unsigned long header_row;      /* 0 = none */
    unsigned long first_data_row;  /* 1-based; default header_row + 1 (component row + 1) */
    lk_skip_rule *skips; size_t nskips;
    /* the export's own totals row, checked against the sums of the rows above; NULL = none */
    lk_skip_rule *totals_row;

    lk_layout layout;
    /* wide and long: components listed; component-row layout: per-key overrides */
    lk_component_spec *components; size_t ncomponents;
    lk_component_spec defaults;    /* settings of components not listed */
    /* long */
    lk_colref long_component, long_value;
    bool long_accept_keys;         /* a numeric cell not listed by code is a component key */
    /* component-row layout */
    unsigned long component_row;   /* 1-based row holding the component numbers */
    unsigned long component_name_row; /* 0 = none */
    size_t first_value_column, last_value_column; /* LK_NO_COLUMN = open */

    /* employee key */
    lk_colref employee_number, payroll_id, income_relationship, employment_id;
    /* employer */
    char *employer_fixed;          /* client number, NULL = column or the run's */
    lk_colref employer_column;
    /* period */
    lk_period_source period_source;
    lk_period_ref period_fixed;
    lk_colref period_column;
    bool period_calendar_month; /* "calendar": "month": the dates' payroll periods are calendar
                                 * months (validate can sum per period offline; the plan checks) */
    /* record key and payslip text */
    lk_ref_spec record_key[LK_RK_COUNT];
    lk_colref payslip_text_column;
    char *payslip_text_fixed;

    lk_aggregate_rule aggregate;
    struct cJSON *checks;          /* the "checks" object (checked), NULL = none */
} lk_mapping;

/* Loads and checks a mapping. On failure *out is NULL and err names the file and key path. */
lk_code lk_mapping_load(const char *path, lk_mapping **out, lk_error *err);
/* The same from a buffer (path only names it in errors); used by the fuzzer. */
lk_code lk_mapping_parse(const char *path, const char *json, size_t len, lk_mapping **out,
                         lk_error *err);
void lk_mapping_free(lk_mapping *m);

/* Is a colref set at all? */
static inline bool lk_colref_used(const lk_colref *c)
{
    return c->name != NULL || c->letter != LK_NO_COLUMN;
}

/* Edit distance of a and b (case-insensitive); used for did-you-mean. */
size_t lk_edit_distance(const char *a, const char *b);

/* ---- values (value.c) ---- */

/* A number convention, fixed per file (never guessed per cell). */
typedef struct lk_number_style {
    char decimal;            /* ',' or '.' */
    char thousands;          /* '.', ',', ' ' or 0 = none allowed */
} lk_number_style;

typedef enum lk_parse_result {
    LK_PARSE_OK = 0,
    LK_PARSE_BLANK,          /* empty or whitespace only */
    LK_PARSE_BAD             /* err message set ("\"7,5x\" is not a number") */
} lk_parse_result;

/* A cell as a value of the given format; XLSX number cells are taken exactly from their text. */
lk_parse_result lk_parse_value(const lk_cell *cell, lk_value_format format,
                               const lk_number_style *style, lk_decimal *out,
                               char *msg, size_t msgsize);
/* The fast path of lk_parse_value for text: [-]digits[<decimal>digits], at most 12 whole digits
 * and 6 decimals, nothing else. False for any other text (then ask lk_parse_value), true with
 * the value lk_parse_value would give. */
bool lk_parse_plain(const char *text, size_t len, char decimal, lk_decimal *out);
/* Text in the style as a decimal (no cell around it); format as above. */
lk_parse_result lk_parse_number_text(const char *text, lk_value_format format,
                                     const lk_number_style *style, lk_decimal *out,
                                     char *msg, size_t msgsize);
/* A plain machine number as XLSX stores it: "7.5", "-1E-3". */
bool lk_parse_machine_number(const char *text, lk_decimal *out);
/* Dates: 28-11-2026, 2026-11-28, 28/11/2026, 28.11.2026 (optional time after), XLSX date
 * cells and serial numbers (1900 system). */
lk_parse_result lk_parse_date(const lk_cell *cell, int *year, int *month, int *day,
                              char *msg, size_t msgsize);
/* "2026-11" (month), "2026-P11" (period number) or "2026-W47" (week number). */
bool lk_parse_period(const char *text, lk_period_ref *out);
/* Employee number, payroll id...: a positive whole number ("1001", XLSX 1001). */
lk_parse_result lk_parse_whole(const lk_cell *cell, long max, long *out, char *msg,
                               size_t msgsize);
/* Evidence of a number convention in one cell's text: ',' decimal comma, '.' decimal point,
 * 0 none or ambiguous ("1.234", "1001"). */
char lk_number_evidence(const char *text);
/* Trimmed copy of a cell's text (spaces, tabs, no-break spaces) into buf; returns buf. */
char *lk_cell_trim(const char *text, char *buf, size_t size);

#endif
