/*
 * suggest.h: the mapping assistant behind 'loket-import mapping new'. An export's first rows
 * (detect_sample.c) -> its shape: header, title and totals rows, number style, layout
 * (detect_shape.c) -> what each column is (suggest_columns.c) -> which payroll component each
 * value column or code holds (suggest_components.c, with the names of suggest_names.c and what
 * the bureau's own mappings chose before, suggest_learn.c) -> a mapping file (suggest_write.c).
 *
 * Every decision carries a confidence (percent) and the reasons a person reads. A decision
 * below LK_SURE is an open question: the command asks it on a terminal and refuses to write a
 * mapping with --yes while one is open, so nothing is guessed silently.
 */
#ifndef LK_SUGGEST_H
#define LK_SUGGEST_H

#include "common/error.h"
#include "input/reader.h"
#include "mapping/mapping.h"

#include <stdbool.h>
#include <stddef.h>

#define LK_SURE 90             /* a decision at or above this needs no question */
#define LK_SAMPLE_MAX_ROWS 20000
#define LK_SAMPLE_MAX_CELLS 2000000  /* a very wide sheet is looked at in fewer rows */
#define LK_MAX_CODES 500             /* more distinct codes than this: not a long file */
#define LK_MAX_CANDIDATES 5

/* ---------------------------------------------------------------- the sample (detect_sample.c) */

typedef struct lk_sample_cell {
    lk_cell_type type;
    char *text;                /* as the reader gives it; never NULL */
} lk_sample_cell;

typedef struct lk_sample_row {
    unsigned long number;      /* row number as a person sees it */
    size_t ncells;
    lk_sample_cell *cells;
} lk_sample_row;

typedef struct lk_sample {
    char *path;
    lk_file_type type;
    char delimiter;            /* CSV */
    bool sep_line;             /* CSV: an Excel "sep=" first line named the delimiter */
    char *encoding;            /* CSV: "UTF-8", "Windows-1252", ... */
    char *sheet;               /* XLSX: the sheet read */
    char **other_sheets;       /* XLSX: further sheets that hold rows too */
    size_t nother_sheets;
    lk_sample_row *rows;
    size_t nrows;
    unsigned long blank_lines; /* blank lines between and after the rows */
    bool truncated;            /* more rows than LK_SAMPLE_MAX_ROWS: only the first were read */
} lk_sample;

/* Reads the rows of path (XLSX: sheet, else the sheet with most rows). */
lk_code lk_sample_read(const char *path, const char *sheet, lk_sample **out, lk_error *err);
void lk_sample_free(lk_sample *s);
/* The text of a cell, "" beyond the row's end. */
const char *lk_sample_text(const lk_sample_row *r, size_t col);

/* ---------------------------------------------------------------- names (suggest_names.c) */

/* Role words, component synonyms and columns that are never payroll data: data/synonyms-nl.json */
typedef struct lk_synonyms {
    char ***groups;            /* each NULL-terminated, normalised */
    size_t ngroups;
    char **roles[16];          /* per lk_col_role: normalised header texts */
    char **never;              /* headers of columns that are not payroll data */
    char **totals;             /* words starting a totals row: "totaal" */
    char *path;                /* where it was read */
} lk_synonyms;

/* The synonym file of the installation or of the source tree beside the program. */
lk_code lk_synonyms_load_default(lk_synonyms **out, lk_error *err);
lk_code lk_synonyms_load(const char *path, lk_synonyms **out, lk_error *err);
void lk_synonyms_free(lk_synonyms *s);

/*
 * A name as compared: lower case, accents off, punctuation and units (EUR, euro, %) out, light
 * Dutch stemming, words sorted: "Ziekte-uren (€)" and "uren ziekte" are one name.
 */
char *lk_norm_name(const char *in, char *out, size_t size);
/* The group of the synonym list holding the normalised name, or -1. */
long lk_synonym_group(const lk_synonyms *s, const char *norm);
/* Is the normalised name one of the list's (NULL-terminated) entries? */
bool lk_norm_in(char *const *list, const char *norm);

/* ---------------------------------------------------------------- components of Loket */

typedef struct lk_catalog_item {
    long key;
    char *description;
    bool can_supplement;
    bool hours;                /* counts hours (category or name): minutes are divided by 60 */
} lk_catalog_item;

typedef struct lk_catalog {
    lk_catalog_item *items;
    size_t n;
    char *source;              /* "components.json", or the administration */
} lk_catalog;

/* A saved 'loket-import components --json'. */
lk_code lk_catalog_load(const char *path, lk_catalog **out, lk_error *err);
lk_catalog *lk_catalog_new(const char *source);
void lk_catalog_add(lk_catalog *c, long key, const char *description, const char *category,
                    bool can_supplement);
const lk_catalog_item *lk_catalog_find(const lk_catalog *c, long key);
void lk_catalog_free(lk_catalog *c);

/* ---------------------------------------------------------------- learned (suggest_learn.c) */

typedef struct lk_learned_item {
    char *norm;                /* normalised header or code */
    char *text;                /* as the mapping wrote it */
    long key;                  /* component key; 0 for a role */
    int role;                  /* lk_col_role for a role, else 0 */
    char *from;                /* the mapping file */
} lk_learned_item;

typedef struct lk_learned {
    lk_learned_item *items;
    size_t n;
    size_t mappings;           /* mapping files read */
} lk_learned;

/* Reads every *.json of dir that loads as a mapping; the others are passed over. */
lk_learned *lk_learned_read(const char *dir);
void lk_learned_free(lk_learned *l);

/* ---------------------------------------------------------------- decisions */

typedef enum lk_col_role {
    LK_ROLE_UNKNOWN = 0,
    LK_ROLE_EMPLOYEE_NUMBER,
    LK_ROLE_PAYROLL_ID,
    LK_ROLE_INCOME_RELATIONSHIP,
    LK_ROLE_NAME,              /* names and other texts: not read */
    LK_ROLE_DATE,
    LK_ROLE_PERIOD,
    LK_ROLE_COST_CENTER,
    LK_ROLE_COST_UNIT,
    LK_ROLE_EMPLOYER,
    LK_ROLE_COMPONENT,         /* wide: a value column */
    LK_ROLE_LONG_CODE,         /* long: the column naming the component */
    LK_ROLE_LONG_VALUE,        /* long: the column holding the value */
    LK_ROLE_SKIP,              /* numbers that are no payroll data (a year, contract hours) */
    LK_ROLE_COUNT
} lk_col_role;

/* The data file's key for a role ("employeeNumber", ...), NULL for roles it has no list of. */
const char *lk_role_key(lk_col_role r);

typedef enum lk_match_why {
    LK_WHY_NUMBER = 1,         /* the header or code is the component's number */
    LK_WHY_NUMBER_UNCHECKED,   /* a number; no list of components to check it against */
    LK_WHY_LEARNED,            /* a mapping of the bureau maps the same words (from: its file) */
    LK_WHY_NAME,               /* the same name as the component, normalised */
    LK_WHY_SYNONYM,            /* the synonym list says the names are the same */
    LK_WHY_LIKE                /* words in common or a typo away: never sure */
} lk_match_why;

typedef struct lk_candidate {
    long key;
    int score;                 /* percent */
    lk_match_why why;
    char from[160];            /* LK_WHY_LEARNED: the mapping */
} lk_candidate;

/* Which component a value column (wide) or a code (long) holds. */
typedef struct lk_comp_guess {
    char *text;                /* header or code */
    size_t col;                /* wide: the column */
    size_t values;             /* cells with a value */
    lk_candidate cand[LK_MAX_CANDIDATES];
    size_t ncand;              /* best first */
    long key;                  /* chosen; 0 = none (skipped) */
    int confidence;
    long also_col;             /* another column or code with the same component, or -1 */
    bool minutes;              /* minutes of an hours component: divide_by 60 */
    lk_value_format format;
    int divide_by;             /* 1, or 60 for minutes of an hours component */
    bool empty_unknown;        /* no values, and the header names no component: not read */
    size_t negatives;          /* values below zero: allowed only when a person says so */
    bool allow_negative;
    bool open;                 /* an open question */
    bool answered;             /* a person chose */
} lk_comp_guess;

typedef struct lk_col_stats {
    size_t nonempty, whole, numeric, dates, periods, durations, percents, texts, distinct;
    size_t comma_evidence, point_evidence, grouped;
    long min_whole, max_whole;
} lk_col_stats;

typedef struct lk_col_guess {
    size_t col;
    char *header;              /* "" when none */
    lk_col_role role;
    int confidence;
    char reason[240];
    lk_col_stats st;
} lk_col_guess;

typedef struct lk_skip_guess {
    size_t col;
    char pattern[64];                  /* glob, "Subtotaal*" */
    unsigned long first_row;
    size_t rows;
} lk_skip_guess;

enum { LK_ROW_DATA = 0, LK_ROW_HEAD, LK_ROW_TOTALS, LK_ROW_SKIP };

typedef struct lk_suggestion {
    const lk_sample *sample;
    /* shape */
    unsigned long header_row;          /* 0 = none */
    size_t header_index;               /* index of the header row in sample->rows */
    size_t ntitle_rows;
    char decimal, thousands;           /* ',' '.'; 0 = no evidence ("auto") */
    lk_layout layout;
    unsigned long component_row, name_row; /* componentRow layout */
    size_t first_value_col;
    /* rows after the header: which are data, which totals */
    bool has_totals;
    size_t totals_col;
    char totals_pattern[64];
    bool totals_checked;               /* its values equal the sums: totalsRow, else skipRows */
    unsigned long totals_row;
    size_t totals_bad_col;             /* when not: a column that does not add up */
    char totals_said[32], totals_sum[32];
    lk_skip_guess *skips;              /* further rows to skip (subtotals, a second total) */
    size_t nskips;
    unsigned char *row_use;            /* per sample row: LK_ROW_DATA, _HEAD, _TOTALS, _SKIP */
    /* columns */
    lk_col_guess *cols;
    size_t ncols;
    size_t col_role[LK_ROLE_COUNT];    /* the column of each single role, LK_NO_COLUMN = none */
    /* components: wide columns or long codes */
    lk_comp_guess *comps;
    size_t ncomps;
    bool long_numeric_codes;           /* long: every code is a whole number */
    /* general open questions (no employee column, several sheets) */
    char **open;
    size_t nopen;
    /* from the command line */
    char *employer;                    /* fixed client number, NULL = column or the run's */
} lk_suggestion;

/* Shape and columns, offline (detect_shape.c, suggest_columns.c). */
lk_suggestion *lk_suggest_shape(const lk_sample *s, const lk_synonyms *syn,
                                const lk_learned *learned);
/* Components of the value columns or codes (suggest_components.c); catalog may be NULL. */
void lk_suggest_components(lk_suggestion *g, const lk_synonyms *syn, const lk_learned *learned,
                           const lk_catalog *catalog);
/* Does the totals row add up over the value columns as now decided? (after answers) */
void lk_check_totals(lk_suggestion *g);
/* Re-marks the open questions after answers or online checks; returns how many are open. */
size_t lk_suggest_count_open(lk_suggestion *g);
void lk_suggestion_add_open(lk_suggestion *g, const char *text);
void lk_suggestion_free(lk_suggestion *g);

/* The whole numbers of a column's data rows (employee numbers to look up); caller frees. */
long *lk_suggest_column_numbers(const lk_suggestion *g, size_t col, size_t *n);
/* The distinct texts (trimmed, at most max) of a column's data rows; caller frees each and the
 * array. */
char **lk_suggest_column_texts(const lk_suggestion *g, size_t col, size_t max, size_t *n);
/* Is row i of the sample a data row (after the header, not a totals or skipped row)? */
bool lk_suggest_is_data_row(const lk_suggestion *g, size_t i);

/* The mapping as readable JSON (suggest_write.c); caller frees. how: the description's text. */
char *lk_suggest_write(const lk_suggestion *g, const lk_catalog *catalog, const char *name,
                       const char *how);

#endif
