/*
 * aggregate.c: applies a mapping to rows and sums them into entries (see aggregate.h).
 *
 * A row is taken whole or not at all: its cells are parsed and checked first, and only a row
 * without errors adds to entries, so a half-read row never leaves half its values behind.
 * A row's record (employer, employee, period, record key) is found by its key string in an
 * open-addressing hash table, once per row (the last row's record is tried first: exports come
 * sorted by employee); its components are a short list on the record. The rows an entry came
 * from go into the record's row log (entry.h), a couple of bytes a row, so memory follows the
 * records, not the rows. Nothing is allocated per row.
 */
#include "mapping/aggregate.h"

#include "common/i18n.h"
#include "common/localefmt.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "input/prefetch.h"
#include "input/reader.h"

#include <ctype.h>
#include <stddef.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_EMPLOYEE_NUMBER 999999999L
#define MAX_SMALL_NUMBER 999999L
#define MSG 400

/* ---------------------------------------------------------------- string -> index table */

typedef struct str_table {
    char **keys;
    size_t *values;
    size_t n, cap;
} str_table;

/* FNV-1a over 8-byte words, then mixed: keys are long and share prefixes. */
static unsigned long long hash_bytes(const char *s, size_t n)
{
    unsigned long long h = 1469598103934665603ULL ^ n;
    while (n >= 8) {
        unsigned long long w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 1099511628211ULL;
        h ^= h >> 29;
        s += 8;
        n -= 8;
    }
    while (n--)
        h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
    h ^= h >> 32;
    h *= 0xd6e8feb86659fd93ULL;
    h ^= h >> 32;
    return h;
}

static unsigned long long hash_str(const char *s)
{
    return hash_bytes(s, strlen(s));
}

static void table_free(str_table *t)
{
    for (size_t i = 0; i < t->cap; i++)
        free(t->keys[i]);
    free(t->keys);
    free(t->values);
    memset(t, 0, sizeof(*t));
}

/* Slot of key, or of the empty place it would go. */
static size_t table_slot(const str_table *t, const char *key)
{
    size_t i = (size_t)(hash_str(key) & (t->cap - 1));
    while (t->keys[i] && strcmp(t->keys[i], key))
        i = (i + 1) & (t->cap - 1);
    return i;
}

static void table_put(str_table *t, const char *key, size_t value)
{
    if ((t->n + 1) * 10 > t->cap * 7) {
        str_table bigger = { NULL, NULL, 0, t->cap ? t->cap * 2 : 64 };
        bigger.keys = xcalloc(bigger.cap, sizeof(char *));
        bigger.values = xcalloc(bigger.cap, sizeof(size_t));
        for (size_t i = 0; i < t->cap; i++)
            if (t->keys[i]) {
                size_t j = table_slot(&bigger, t->keys[i]);
                bigger.keys[j] = t->keys[i];
                bigger.values[j] = t->values[i];
            }
        bigger.n = t->n;
        free(t->keys);
        free(t->values);
        *t = bigger;
    }
    size_t i = table_slot(t, key);
    if (!t->keys[i]) {
        t->keys[i] = xstrdup(key);
        t->n++;
    }
    t->values[i] = value;
}

/* ---------------------------------------------------------------- state */

/* A value column of the component-row layout, found in the file's component row. */
typedef struct value_column {
    size_t column;
    lk_component_spec spec;   /* shallow copy of the mapping's settings */
} value_column;

/* A cell whose text shows a decimal separator ("7,5", "1.234,5"), for "decimalSeparator":
 * "auto". */
typedef struct evidence {
    char sep;
    unsigned long row;
    size_t col;
    char text[64];
} evidence;

typedef struct file_state {
    unsigned file, sheet;
    bool started, resolved, failed, sheet_known;
    lk_number_style style;
    char **headers; size_t nheaders;      /* header row texts, owned */
    char **names; size_t nnames;          /* component name row texts, owned */
    char **numbers; size_t nnumbers;      /* component row texts, owned */
    bool seen_header, seen_component_row, seen_name_row;
    /* resolved columns */
    size_t employee_number, payroll_id, income_relationship, employment_id, employer, period,
           payslip_text, long_component, long_value, record_key[LK_RK_COUNT];
    size_t *component_columns;            /* wide: per mapping component */
    size_t *skip_columns;
    size_t totals_column;                 /* of the totalsRow rule */
    /* per value column: the sum of the values (as written, before scale) of the rows taken so
     * far, for the totals row; overflow marks a sum past the range */
    lk_decimal *column_sums; bool *column_sum_overflow; size_t ncolumn_sums;
    bool seen_totals_row;
    unsigned long prev_end;               /* last physical row of the row before; 0 = none */
    size_t max_fields;                    /* CSV: most fields of a header or data row so far
                                             (title rows above them not counted) */
    value_column *values; size_t nvalues;
    str_table employees;
    /* "decimalSeparator": "auto": until a row shows a decimal separator (or a value whose
     * reading depends on it) the convention is pending, and rows are read with the fallback;
     * then the first evidence decides and every later data row is checked for the other one,
     * which stops the file */
    bool style_pending;
    char fallback;          /* the convention when nothing in the file tells */
    bool check_evidence;
    evidence evidence[2];   /* [0] a decimal point, [1] a decimal comma */
} file_state;

/* A record's entry for one component. */
typedef struct record_slot {
    int component;
    size_t entry;
} record_slot;

/* employer x employee x period x record key: what one PATCH line-up of components shares. */
typedef struct agg_record {
    char *key; size_t keylen;
    unsigned long long hash;
    size_t log;                /* its row log in the entry set */
    record_slot *slots; size_t nslots, slots_alloc;
    unsigned counted_file;     /* file + 1 that last fed it: that file's employee count has
                                  its employee, and if that file stops, it is incomplete */
} agg_record;

/* One value a row contributes, before it is committed. */
typedef struct item {
    const lk_component_spec *spec;
    int component;
    size_t column;
    lk_decimal value;
    lk_decimal raw;            /* the cell's value before scale and divideBy */
    bool null;
} item;

struct lk_aggregator {
    const lk_mapping *m;
    lk_entry_set *set;
    lk_period_ref cli_period;
    bool has_cli_period;
    agg_record *records; size_t nrecords, records_alloc;
    size_t *record_table; size_t record_cap;   /* record index + 1; 0 = empty */
    size_t last_record;                        /* record index + 1 of the last row */
    unsigned long errors_listed, skipped_listed;
    unsigned long last_unlisted_row;           /* of the last issue beyond the cap */
    unsigned last_unlisted_file;               /* its file + 1 */
    bool allow_empty;
    file_state fs;
    strbuf key;
    item *items; size_t items_alloc;           /* reused for every row */
    size_t *row_entries;                       /* the entries of the row's items; items_alloc */
};

/* A row's identity and values. Its strings live in these buffers (or in the mapping), so a
 * row allocates nothing; what outlives the row is copied when an entry or issue is made. */
typedef struct row_ctx {
    lk_employee_ref employee;
    lk_period_ref period;
    lk_record_key record_key;
    char *payslip_text;
    item *items; size_t nitems;
    bool failed;
    char employer_buf[24], employment_id_buf[40], payslip_buf[256];
    char code_buf[LK_RK_COUNT][256];
} row_ctx;

static const lk_cell empty_cell = { LK_CELL_EMPTY, "", 0, 0, 0, 0, 0, 0, 0, 0 };

static const lk_cell *cell_at(const lk_row *row, size_t col)
{
    if (col == LK_NO_COLUMN || col >= row->ncells)
        return &empty_cell;
    return &row->cells[col];
}

static bool cell_blank(const lk_cell *c)
{
    char t[8];
    if (c->type == LK_CELL_EMPTY)
        return true;
    if (c->type != LK_CELL_STRING)
        return false;
    return !*lk_cell_trim(c->text, t, sizeof(t));
}

static const char *header_of(const file_state *fs, size_t col)
{
    return col != LK_NO_COLUMN && col < fs->nheaders && fs->headers[col] && *fs->headers[col]
               ? fs->headers[col] : NULL;
}

/* ---------------------------------------------------------------- issues */

static lk_row_issue *new_issue(lk_aggregator *a)
{
    lk_entry_set *set = a->set;
    lk_grow(&set->issues, sizeof(lk_row_issue), set->nissues + 1, &set->issues_alloc);
    lk_row_issue *is = &set->issues[set->nissues++];
    memset(is, 0, sizeof(*is));
    lk_error_clear(&is->error);
    return is;
}

/*
 * A row's issue, or NULL past LK_MAX_LISTED_ISSUES of its kind: a file read with the wrong
 * mapping could otherwise fill memory with a million identical errors. The rows are still
 * counted (file_info, *_not_listed), so nothing goes unaccounted.
 */
static lk_row_issue *row_issue(lk_aggregator *a, bool skipped, unsigned long row,
                               unsigned long nrows)
{
    unsigned long *listed = skipped ? &a->skipped_listed : &a->errors_listed;
    if (*listed >= LK_MAX_LISTED_ISSUES) {
        if (skipped)
            a->set->skipped_not_listed++;
        else
            a->set->errors_not_listed++;
        if (row != a->last_unlisted_row || a->fs.file + 1 != a->last_unlisted_file) {
            /* a row with two bad cells is one row */
            a->set->rows_not_listed += nrows;
            a->last_unlisted_row = row;
            a->last_unlisted_file = a->fs.file + 1;
        }
        return NULL;
    }
    (*listed)++;
    return new_issue(a);
}

static void copy_employee(lk_employee_ref *dst, const lk_employee_ref *src)
{
    *dst = *src;
    dst->employer = src->employer ? xstrdup(src->employer) : NULL;
    dst->employment_id = src->employment_id ? xstrdup(src->employment_id) : NULL;
}

__attribute__((format(printf, 5, 6)))
static void row_error(lk_aggregator *a, const lk_row *row, row_ctx *ctx, size_t col,
                      const char *fmt, ...)
{
    if (ctx)
        ctx->failed = true;
    lk_row_issue *is = row_issue(a, false, row->number, 1);
    if (!is)
        return;
    va_list ap;
    lk_error_at(&is->error, row->file, row->sheet, row->number, col, header_of(&a->fs, col));
    va_start(ap, fmt);
    lk_error_setv(&is->error, LK_ERR_INPUT, fmt, ap);
    va_end(ap);
    if (ctx)
        copy_employee(&is->employee, &ctx->employee);
}

static void row_skipped(lk_aggregator *a, const lk_row *row, size_t col, const char *reason)
{
    a->set->file_info[a->fs.file].rows_skipped++;
    lk_row_issue *is = row_issue(a, true, row->number, 1);
    if (!is)
        return;
    lk_error_at(&is->error, row->file, row->sheet, row->number, col, header_of(&a->fs, col));
    snprintf(is->error.message, sizeof(is->error.message), "%s", reason);
    is->error.code = LK_OK;
    is->skipped = true;
}

/* ---------------------------------------------------------------- files */

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void file_state_free(file_state *fs)
{
    free_strings(fs->headers, fs->nheaders);
    free_strings(fs->names, fs->nnames);
    free_strings(fs->numbers, fs->nnumbers);
    free(fs->component_columns);
    free(fs->skip_columns);
    free(fs->column_sums);
    free(fs->column_sum_overflow);
    free(fs->values);
    table_free(&fs->employees);
    memset(fs, 0, sizeof(*fs));
}

void lk_aggregator_begin_file(lk_aggregator *a, const char *path, const lk_number_style *style)
{
    file_state_free(&a->fs);
    a->fs.file = lk_entry_set_file(a->set, path);
    a->fs.started = true;
    a->fs.style = *style;
    a->set->file_info[a->fs.file].decimal = style->decimal;
}

/* The file stops here: every record it already fed may lack the rows after this point. */
static void mark_incomplete(lk_aggregator *a)
{
    for (size_t r = 0; r < a->nrecords; r++) {
        const agg_record *rec = &a->records[r];
        if (rec->counted_file != a->fs.file + 1)
            continue;
        for (size_t i = 0; i < rec->nslots; i++) {
            lk_entry *e = &a->set->entries[rec->slots[i].entry];
            if (!e->incomplete) {
                e->incomplete = true;
                e->incomplete_file = a->fs.file;
            }
        }
    }
}

void lk_aggregator_file_error(lk_aggregator *a, const lk_error *err)
{
    lk_row_issue *is = new_issue(a);
    is->error = *err;
    is->before_data = err->row && err->row < a->m->first_data_row;
    if (is->error.code == LK_OK)
        is->error.code = LK_ERR_INPUT;
    if (a->fs.started) {
        a->fs.failed = true;
        a->set->file_info[a->fs.file].failed = true;
        mark_incomplete(a);
    }
}

__attribute__((format(printf, 4, 5)))
static void file_error_at(lk_aggregator *a, const lk_row *row, unsigned long rownum,
                          const char *fmt, ...)
{
    lk_error e;
    va_list ap;
    lk_error_clear(&e);
    lk_error_at(&e, row ? row->file : a->set->files[a->fs.file], row ? row->sheet : NULL, rownum,
                LK_NO_COLUMN, NULL);
    va_start(ap, fmt);
    lk_error_setv(&e, LK_ERR_INPUT, fmt, ap);
    va_end(ap);
    lk_aggregator_file_error(a, &e);
}

static int cmp_total(const void *x, const void *y)
{
    return ((const lk_component_total *)x)->component - ((const lk_component_total *)y)->component;
}

void lk_aggregator_end_file(lk_aggregator *a)
{
    if (a->fs.started) {
        lk_file_info *fi = &a->set->file_info[a->fs.file];
        if (fi->ntotals > 1)
            qsort(fi->totals, fi->ntotals, sizeof(*fi->totals), cmp_total);
    }
    if (a->fs.started)
        a->set->file_info[a->fs.file].employees = a->fs.employees.n;
    file_state_free(&a->fs);
}

static char **row_texts(const lk_row *row, size_t *n)
{
    char **v = xcalloc(row->ncells ? row->ncells : 1, sizeof(char *));
    for (size_t i = 0; i < row->ncells; i++) {
        char t[256];
        v[i] = xstrdup(lk_cell_trim(row->cells[i].text, t, sizeof(t)));
    }
    *n = row->ncells;
    return v;
}

/* Header text equality: case-insensitive, runs of whitespace count as one space. */
static bool header_equal(const char *a, const char *b)
{
    while (*a && *b) {
        if (isspace((unsigned char)*a) && isspace((unsigned char)*b)) {
            while (isspace((unsigned char)*a))
                a++;
            while (isspace((unsigned char)*b))
                b++;
            continue;
        }
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return false;
        a++;
        b++;
    }
    return !*a && !*b;
}

/* The columns of the mapping the header row lacks, said all at once rather than one per run. */
typedef struct missing_columns {
    strbuf names;   /* "\"Personeelsnr\" (employee.employeeNumber), ..." */
    size_t n;
} missing_columns;

static bool resolve(lk_aggregator *a, const lk_row *row, const lk_colref *c, size_t *out,
                    missing_columns *missing)
{
    file_state *fs = &a->fs;
    *out = LK_NO_COLUMN;
    if (!lk_colref_used(c))
        return true;
    if (!c->name) {
        *out = c->letter;
        return true;
    }
    size_t found = LK_NO_COLUMN;
    for (size_t i = 0; i < fs->nheaders; i++) {
        if (!header_equal(fs->headers[i], c->name))
            continue;
        if (found != LK_NO_COLUMN) {
            char l1[8], l2[8];
            file_error_at(a, row, a->m->header_row,
                          _("header row %lu has \"%s\" twice (columns %s and %s); mapping %s, %s: "
                          "give the \"letter\" instead"), a->m->header_row, c->name,
                          lk_column_letter(found, l1), lk_column_letter(i, l2), a->m->path,
                          c->path);
            return false;
        }
        found = i;
    }
    if (found == LK_NO_COLUMN) {
        if (missing->names.len < 400)
            strbuf_addf(&missing->names, "%s\"%s\" (%s)", missing->n ? ", " : "", c->name,
                        c->path);
        missing->n++;
        return true; /* the others are looked for too; resolve_all reports them together */
    }
    *out = found;
    return true;
}

/* Reads the component numbers of the component-row layout; other columns are listed. */
static void resolve_value_columns(lk_aggregator *a)
{
    const lk_mapping *m = a->m;
    file_state *fs = &a->fs;
    lk_file_info *fi = &a->set->file_info[fs->file];
    fs->values = xcalloc(fs->nnumbers ? fs->nnumbers : 1, sizeof(value_column));
    for (size_t col = 0; col < fs->nnumbers; col++) {
        if (m->first_value_column != LK_NO_COLUMN && col < m->first_value_column)
            continue;
        if (m->last_value_column != LK_NO_COLUMN && col > m->last_value_column)
            continue;
        /* columns that identify the row are not value columns */
        bool ident = col == fs->employee_number || col == fs->payroll_id ||
                     col == fs->income_relationship || col == fs->employment_id ||
                     col == fs->employer || col == fs->period || col == fs->payslip_text;
        for (int i = 0; i < LK_RK_COUNT; i++)
            ident = ident || col == fs->record_key[i];
        for (size_t i = 0; i < m->nskips; i++)
            ident = ident || col == fs->skip_columns[i];
        if (ident)
            continue;
        const char *t = fs->numbers[col];
        long key = 0;
        const char *p = t;
        while (isdigit((unsigned char)*p) && key <= 99999)
            key = key * 10 + (*p++ - '0');
        if (*t && !*p && key >= 1 && key <= 99999) {
            value_column *vc = &fs->values[fs->nvalues++];
            vc->column = col;
            vc->spec = m->defaults;
            for (size_t i = 0; i < m->ncomponents; i++)
                if (m->components[i].component == key)
                    vc->spec = m->components[i];
            vc->spec.component = (int)key;
            if (!vc->spec.name && col < fs->nnames && *fs->names[col])
                vc->spec.name = fs->names[col];
            continue;
        }
        lk_grow(&fi->ignored, sizeof(lk_ignored_column), fi->nignored + 1, &fi->ignored_alloc);
        lk_ignored_column *ic = &fi->ignored[fi->nignored++];
        ic->column = col;
        ic->header = xstrdup(t);
        ic->values = 0;
    }
}

/* One error naming every mapped column the header row lacks, with the headers it has. */
static bool report_missing(lk_aggregator *a, const lk_row *row, missing_columns *missing)
{
    file_state *fs = &a->fs;
    if (!missing->n) {
        strbuf_free(&missing->names);
        return true;
    }
    strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < fs->nheaders && sb.len < 200; i++)
        if (*fs->headers[i])
            strbuf_addf(&sb, "%s\"%s\"", sb.len ? ", " : "", fs->headers[i]);
    file_error_at(a, row, a->m->header_row,
                  ngettext("column %s of mapping %s is not in header row %lu; its headers are: %s",
                           "columns %s of mapping %s are not in header row %lu; its headers are: "
                           "%s", missing->n),
                  missing->names.buf, a->m->path, a->m->header_row,
                  sb.len ? sb.buf : _("(none)"));
    strbuf_free(&sb);
    strbuf_free(&missing->names);
    return false;
}

static bool resolve_all(lk_aggregator *a, const lk_row *row)
{
    const lk_mapping *m = a->m;
    file_state *fs = &a->fs;
    missing_columns missing = { STRBUF_INIT, 0 };
    if (m->header_row && !fs->seen_header) {
        file_error_at(a, row, m->header_row, _("header row %lu is missing or empty (mapping %s, "
                      "input.headerRow)"), m->header_row, m->path);
        return false;
    }
    if (m->component_row && !fs->seen_component_row) {
        file_error_at(a, row, m->component_row, _("the component row %lu is missing or empty "
                      "(mapping %s, componentRow.row)"), m->component_row, m->path);
        return false;
    }
    missing_columns *ms = &missing;
    if (!resolve(a, row, &m->employee_number, &fs->employee_number, ms) ||
        !resolve(a, row, &m->payroll_id, &fs->payroll_id, ms) ||
        !resolve(a, row, &m->income_relationship, &fs->income_relationship, ms) ||
        !resolve(a, row, &m->employment_id, &fs->employment_id, ms) ||
        !resolve(a, row, &m->employer_column, &fs->employer, ms) ||
        !resolve(a, row, &m->period_column, &fs->period, ms) ||
        !resolve(a, row, &m->payslip_text_column, &fs->payslip_text, ms) ||
        !resolve(a, row, &m->long_component, &fs->long_component, ms) ||
        !resolve(a, row, &m->long_value, &fs->long_value, ms)) {
        strbuf_free(&missing.names);
        return false;
    }
    for (int i = 0; i < LK_RK_COUNT; i++)
        if (!resolve(a, row, &m->record_key[i].column, &fs->record_key[i], ms)) {
            strbuf_free(&missing.names);
            return false;
        }
    fs->skip_columns = xcalloc(m->nskips + 1, sizeof(size_t));
    for (size_t i = 0; i < m->nskips; i++)
        if (!resolve(a, row, &m->skips[i].column, &fs->skip_columns[i], ms)) {
            strbuf_free(&missing.names);
            return false;
        }
    fs->totals_column = LK_NO_COLUMN;
    if (m->totals_row && !resolve(a, row, &m->totals_row->column, &fs->totals_column, ms)) {
        strbuf_free(&missing.names);
        return false;
    }
    fs->component_columns = xcalloc(m->ncomponents + 1, sizeof(size_t));
    if (m->layout == LK_LAYOUT_WIDE)
        for (size_t i = 0; i < m->ncomponents; i++)
            if (!resolve(a, row, &m->components[i].column, &fs->component_columns[i], ms)) {
                strbuf_free(&missing.names);
                return false;
            }
    if (!report_missing(a, row, &missing))
        return false;
    if (m->layout == LK_LAYOUT_COMPONENT_ROW) {
        resolve_value_columns(a);
        if (fs->nvalues == 0) {
            file_error_at(a, row, m->component_row, _("row %lu holds no component numbers "
                          "(mapping %s, componentRow.row)"), m->component_row, m->path);
            return false;
        }
    }
    fs->resolved = true;
    return true;
}

/* ---------------------------------------------------------------- one row */

static inline void add_item(lk_aggregator *a, row_ctx *ctx, const lk_component_spec *spec,
                     int component, size_t col, lk_decimal v, lk_decimal raw, bool null)
{
    if (ctx->nitems + 1 > a->items_alloc) {
        lk_grow(&a->items, sizeof(item), ctx->nitems + 1, &a->items_alloc);
        a->row_entries = xrealloc(a->row_entries, a->items_alloc * sizeof(size_t));
    }
    ctx->items = a->items;
    item *it = &ctx->items[ctx->nitems++];
    it->spec = spec;
    it->component = component;
    it->column = col;
    it->value = v;
    it->raw = raw;
    it->null = null;
}

/* value x scale / divideBy, each step rounded half away from zero at 6 decimals. */
static bool scale_value(const lk_component_spec *s, lk_decimal v, lk_decimal *out)
{
    if (s->scale == LK_DECIMAL_SCALE && s->divide_by == LK_DECIMAL_SCALE) {
        /* the common case (x 1 / 1): no 128-bit division per value */
        if (v >= LK_DECIMAL_MAX || v <= -LK_DECIMAL_MAX)
            return false;
        *out = v;
        return true;
    }
    __int128 x = (__int128)v * s->scale;
    __int128 q = x / LK_DECIMAL_SCALE, r = x % LK_DECIMAL_SCALE;
    if (r * 2 >= LK_DECIMAL_SCALE)
        q++;
    else if (r * 2 <= -LK_DECIMAL_SCALE)
        q--;
    x = q * LK_DECIMAL_SCALE;
    q = x / s->divide_by;
    r = x % s->divide_by;
    if (r * 2 >= s->divide_by)
        q++;
    else if (r * 2 <= -(__int128)s->divide_by)
        q--;
    if (q >= LK_DECIMAL_MAX || q <= -LK_DECIMAL_MAX)
        return false;
    *out = (lk_decimal)q;
    return true;
}

/* A negative value is a correction; the mapping must say it expects them. */
static bool sign_ok(lk_aggregator *a, const lk_row *row, row_ctx *ctx,
                    const lk_component_spec *spec, int component, size_t col, lk_decimal v)
{
    char buf[32];
    if (v >= 0 || spec->allow_negative)
        return true;
    row_error(a, row, ctx, col, _("%s for component %d is negative: refused unless the mapping's "
              "component says \"allowNegative\": true (a correction must be deliberate)"),
              lk_fmt_decimal(v, 0, buf), component);
    return false;
}

static void read_value(lk_aggregator *a, const lk_row *row, row_ctx *ctx,
                       const lk_component_spec *spec, int component, size_t col)
{
    char msg[MSG];
    lk_decimal v = 0, raw = 0;
    const lk_cell *c = cell_at(row, col);
    if (c->type == LK_CELL_STRING && lk_parse_plain(c->text, c->len, a->fs.style.decimal, &raw) &&
        scale_value(spec, raw, &v)) {
        if (sign_ok(a, row, ctx, spec, component, col, v))
            add_item(a, ctx, spec, component, col, v, raw, false);   /* nearly every cell */
        return;
    }
    lk_parse_result pr = lk_parse_value(c, spec->format, &a->fs.style, &raw, msg, sizeof(msg));
    if (pr == LK_PARSE_BAD) {
        row_error(a, row, ctx, col, "%s", msg);
        return;
    }
    if (pr == LK_PARSE_BLANK) {
        if (spec->blank == LK_BLANK_SKIP)
            return;
        add_item(a, ctx, spec, component, col, 0, 0, spec->blank == LK_BLANK_NULL);
        return;
    }
    if (!scale_value(spec, raw, &v)) {
        row_error(a, row, ctx, col, _("%s is out of range after scaling"), c->text);
        return;
    }
    if (sign_ok(a, row, ctx, spec, component, col, v))
        add_item(a, ctx, spec, component, col, v, raw, false);
}

static const lk_component_spec *long_spec(lk_aggregator *a, const char *code, long *key)
{
    const lk_mapping *m = a->m;
    for (size_t i = 0; i < m->ncomponents; i++)
        if (m->components[i].code && header_equal(m->components[i].code, code)) {
            *key = m->components[i].component;
            return &m->components[i];
        }
    const char *p = code;
    long k = 0;
    while (isdigit((unsigned char)*p) && k <= 99999)
        k = k * 10 + (*p++ - '0');
    if (*code && !*p && k >= 1 && k <= 99999) {
        for (size_t i = 0; i < m->ncomponents; i++)
            if (!m->components[i].code && m->components[i].component == k) {
                *key = k;
                return &m->components[i];
            }
        if (m->long_accept_keys) {
            *key = k;
            return &m->defaults;
        }
    }
    return NULL;
}

static void read_values(lk_aggregator *a, const lk_row *row, row_ctx *ctx)
{
    const lk_mapping *m = a->m;
    file_state *fs = &a->fs;
    switch (m->layout) {
    case LK_LAYOUT_WIDE:
        for (size_t i = 0; i < m->ncomponents; i++)
            read_value(a, row, ctx, &m->components[i], m->components[i].component,
                       fs->component_columns[i]);
        break;
    case LK_LAYOUT_LONG: {
        char code[256];
        const lk_cell *cc = cell_at(row, fs->long_component);
        lk_cell_trim(cc->text, code, sizeof(code));
        if (!*code) {
            if (!cell_blank(cell_at(row, fs->long_value)))
                row_error(a, row, ctx, fs->long_component, _("no component, but a value in "
                          "column %s"), header_of(fs, fs->long_value) ? header_of(fs, fs->long_value) : "");
            return;
        }
        long key = 0;
        const lk_component_spec *spec = long_spec(a, code, &key);
        if (!spec) {
            row_error(a, row, ctx, fs->long_component, _("\"%.60s\" is not a component this "
                      "mapping knows (add it to \"components\" with its \"code\")"), code);
            return;
        }
        read_value(a, row, ctx, spec, (int)key, fs->long_value);
        break;
    }
    case LK_LAYOUT_COMPONENT_ROW:
        for (size_t i = 0; i < fs->nvalues; i++)
            read_value(a, row, ctx, &fs->values[i].spec, fs->values[i].spec.component,
                       fs->values[i].column);
        break;
    }
}

static bool text_of(const lk_row *row, size_t col, char *buf, size_t size)
{
    lk_cell_trim(cell_at(row, col)->text, buf, size);
    return *buf != '\0';
}

static void read_ref(lk_aggregator *a, const lk_row *row, row_ctx *ctx, int i, lk_ref *out)
{
    const lk_ref_spec *r = &a->m->record_key[i];
    char t[256], msg[MSG];
    memset(out, 0, sizeof(*out));
    if (r->source == LK_SRC_CONSTANT) {
        out->kind = r->by;
        out->key = r->key;
        out->code = r->code;
        return;
    }
    if (r->source != LK_SRC_COLUMN)
        return;
    size_t col = a->fs.record_key[i];
    if (!text_of(row, col, t, sizeof(t)))
        return; /* blank: the employment's default */
    if (r->by == LK_REF_KEY) {
        long key;
        if (lk_parse_whole(cell_at(row, col), MAX_SMALL_NUMBER, &key, msg, sizeof(msg)) !=
            LK_PARSE_OK) {
            row_error(a, row, ctx, col, "%s: %s", lk_record_key_names[i], msg);
            return;
        }
        out->kind = LK_REF_KEY;
        out->key = (int)key;
    } else {
        out->kind = LK_REF_CODE;
        out->code = strcpy(ctx->code_buf[i], t);
    }
}

static void read_whole(lk_aggregator *a, const lk_row *row, row_ctx *ctx, size_t col,
                       const char *what, long max, long *out)
{
    char msg[MSG];
    *out = 0;
    if (col == LK_NO_COLUMN)
        return;
    lk_parse_result pr = lk_parse_whole(cell_at(row, col), max, out, msg, sizeof(msg));
    if (pr == LK_PARSE_BAD)
        row_error(a, row, ctx, col, "%s: %s", what, msg);
}

static bool period_matches(const lk_period_ref *cli, int y, int m)
{
    return cli->kind != LK_PERIOD_MONTH || (cli->year == y && cli->number == m);
}

static void read_identity(lk_aggregator *a, const lk_row *row, row_ctx *ctx)
{
    const lk_mapping *m = a->m;
    file_state *fs = &a->fs;
    char t[256], msg[MSG];

    read_whole(a, row, ctx, fs->employee_number, "employee number", MAX_EMPLOYEE_NUMBER,
               &ctx->employee.employee_number);
    read_whole(a, row, ctx, fs->payroll_id, "payrollId", MAX_SMALL_NUMBER,
               &ctx->employee.payroll_id);
    read_whole(a, row, ctx, fs->income_relationship, "incomeRelationshipNumber",
               MAX_SMALL_NUMBER, &ctx->employee.income_relationship);
    if (fs->employment_id != LK_NO_COLUMN && text_of(row, fs->employment_id, t, sizeof(t))) {
        bool ok = strlen(t) == 36;
        for (size_t i = 0; ok && i < 36; i++)
            ok = (i == 8 || i == 13 || i == 18 || i == 23) ? t[i] == '-'
                                                           : isxdigit((unsigned char)t[i]);
        if (ok)
            ctx->employee.employment_id = strcpy(ctx->employment_id_buf, t);
        else
            row_error(a, row, ctx, fs->employment_id, _("\"%.60s\" is not an employment id "
                      "(a UUID like 3fa85f64-5717-4562-b3fc-2c963f66afa6)"), t);
    }
    if (m->employer_fixed) {
        ctx->employee.employer = m->employer_fixed;
    } else if (fs->employer != LK_NO_COLUMN) {
        long cn;
        if (!text_of(row, fs->employer, t, sizeof(t)))
            row_error(a, row, ctx, fs->employer, _("client number missing"));
        else if (lk_parse_whole(cell_at(row, fs->employer), 999999999999L, &cn, msg,
                                sizeof(msg)) != LK_PARSE_OK)
            row_error(a, row, ctx, fs->employer, _("client number: %s"), msg);
        else {
            snprintf(ctx->employer_buf, sizeof(ctx->employer_buf), "%ld", cn);
            ctx->employee.employer = ctx->employer_buf;
        }
    }

    switch (m->period_source) {
    case LK_PSRC_COMMAND_LINE:
        if (a->has_cli_period)
            ctx->period = a->cli_period;
        break;
    case LK_PSRC_FIXED:
        ctx->period = m->period_fixed;
        break;
    case LK_PSRC_COLUMN: {
        const lk_cell *c = cell_at(row, fs->period);
        if (!text_of(row, fs->period, t, sizeof(t)))
            row_error(a, row, ctx, fs->period, _("period missing"));
        else if (!lk_parse_period(c->text, &ctx->period))
            row_error(a, row, ctx, fs->period, _("\"%.60s\" is not a period (\"2026-11\", "
                      "\"2026-P11\" or \"2026-W47\")"), t);
        break;
    }
    case LK_PSRC_DATE: {
        int y, mo, d;
        lk_parse_result pr = lk_parse_date(cell_at(row, fs->period), &y, &mo, &d, msg,
                                           sizeof(msg));
        if (pr == LK_PARSE_BLANK)
            row_error(a, row, ctx, fs->period, _("date missing"));
        else if (pr == LK_PARSE_BAD)
            row_error(a, row, ctx, fs->period, "%s", msg);
        else if (a->has_cli_period && !period_matches(&a->cli_period, y, mo)) {
            char iso[16], day[32];
            snprintf(iso, sizeof iso, "%04d-%02d-%02d", y % 10000, mo % 100, d % 100);
            row_error(a, row, ctx, fs->period, _("date %s is outside the period %04d-%02d given "
                      "with --period"), lk_fmt_date(iso, day), a->cli_period.year,
                      a->cli_period.number);
        } else {
            ctx->period.kind = LK_PERIOD_DATE;
            ctx->period.year = y;
            ctx->period.month = mo;
            ctx->period.day = d;
        }
        break;
    }
    }

    read_ref(a, row, ctx, LK_RK_COST_CENTER, &ctx->record_key.cost_center);
    read_ref(a, row, ctx, LK_RK_COST_UNIT, &ctx->record_key.cost_unit);
    read_ref(a, row, ctx, LK_RK_DISTRIBUTION_UNIT, &ctx->record_key.distribution_unit);
    read_ref(a, row, ctx, LK_RK_SHIFT, &ctx->record_key.shift);
    read_ref(a, row, ctx, LK_RK_PAYSLIP_TYPE, &ctx->record_key.payslip_type);

    if (m->payslip_text_fixed)
        ctx->payslip_text = m->payslip_text_fixed;
    else if (fs->payslip_text != LK_NO_COLUMN &&
             text_of(row, fs->payslip_text, ctx->payslip_buf, sizeof(ctx->payslip_buf)))
        ctx->payslip_text = ctx->payslip_buf;
}

/* A record's key is built for every row: raw bytes, no number formatting, one allocation check.
 * Strings carry their length (NULL differs from ""), so no field can run into the next. */
static char *key_put(char *p, const void *data, size_t len)
{
    memcpy(p, data, len);
    return p + len;
}

static char *key_str(char *p, const char *s, size_t len)
{
    unsigned n = s ? (unsigned)len : ~0u;
    p = key_put(p, &n, sizeof(n));
    return s ? key_put(p, s, len) : p;
}

/* The record key: employer, employee, period, record key (not the component). */
static void record_key_string(strbuf *sb, const row_ctx *ctx)
{
    const lk_employee_ref *e = &ctx->employee;
    const lk_period_ref *p = &ctx->period;
    const lk_ref *refs[LK_RK_COUNT] = { &ctx->record_key.cost_center, &ctx->record_key.cost_unit,
                                        &ctx->record_key.distribution_unit,
                                        &ctx->record_key.shift, &ctx->record_key.payslip_type };
    long long nums[8] = { e->employee_number, e->payroll_id, e->income_relationship, p->kind,
                          p->year, p->number, p->month, p->day };
    size_t employer_len = e->employer ? strlen(e->employer) : 0;
    size_t id_len = e->employment_id ? strlen(e->employment_id) : 0;
    size_t code_len[LK_RK_COUNT];
    size_t need = sizeof(nums) + employer_len + id_len + 2 * sizeof(unsigned);
    for (int i = 0; i < LK_RK_COUNT; i++) {
        code_len[i] = refs[i]->code ? strlen(refs[i]->code) : 0;
        need += 2 * sizeof(long long) + sizeof(unsigned) + code_len[i];
    }
    strbuf_reset(sb);
    strbuf_grow(sb, need + 1);
    char *q = sb->buf;
    q = key_str(q, e->employer, employer_len);
    q = key_str(q, e->employment_id, id_len);
    q = key_put(q, nums, sizeof(nums));
    for (int i = 0; i < LK_RK_COUNT; i++) {
        long long kk[2] = { refs[i]->kind, refs[i]->key };
        q = key_put(q, kk, sizeof(kk));
        q = key_str(q, refs[i]->code, code_len[i]);
    }
    sb->len = (size_t)(q - sb->buf);
    sb->buf[sb->len] = '\0';
}

static void copy_ref(lk_ref *dst, const lk_ref *src)
{
    *dst = *src;
    dst->code = src->code ? xstrdup(src->code) : NULL;
}

/* ---------------------------------------------------------------- records */

static size_t record_slot_of(const lk_aggregator *a, const char *key, size_t len,
                             unsigned long long h)
{
    size_t i = (size_t)(h & (a->record_cap - 1));
    while (a->record_table[i]) {
        const agg_record *r = &a->records[a->record_table[i] - 1];
        if (r->hash == h && r->keylen == len && !memcmp(r->key, key, len))
            break;
        i = (i + 1) & (a->record_cap - 1);
    }
    return i;
}

/* The record of key (a->key), or NULL; *h is the key's hash for a later record_add. */
static agg_record *record_find(lk_aggregator *a, unsigned long long *h)
{
    const strbuf *k = &a->key;
    if (a->last_record) {
        agg_record *r = &a->records[a->last_record - 1];
        if (r->keylen == k->len && !memcmp(r->key, k->buf, k->len)) {
            *h = r->hash;
            return r;
        }
    }
    *h = hash_bytes(k->buf, k->len);
    if (!a->record_cap)
        return NULL;
    size_t i = record_slot_of(a, k->buf, k->len, *h);
    if (!a->record_table[i])
        return NULL;
    a->last_record = a->record_table[i];
    return &a->records[a->record_table[i] - 1];
}

static agg_record *record_add(lk_aggregator *a, unsigned long long h)
{
    if ((a->nrecords + 1) * 10 > a->record_cap * 7) {
        size_t cap = a->record_cap ? a->record_cap * 2 : 256;
        free(a->record_table);
        a->record_table = xcalloc(cap, sizeof(size_t));
        a->record_cap = cap;
        for (size_t r = 0; r < a->nrecords; r++) {
            size_t i = (size_t)(a->records[r].hash & (cap - 1));
            while (a->record_table[i])
                i = (i + 1) & (cap - 1);
            a->record_table[i] = r + 1;
        }
    }
    lk_grow(&a->records, sizeof(agg_record), a->nrecords + 1, &a->records_alloc);
    agg_record *r = &a->records[a->nrecords];
    memset(r, 0, sizeof(*r));
    r->key = xmalloc(a->key.len + 1);
    memcpy(r->key, a->key.buf, a->key.len + 1);
    r->keylen = a->key.len;
    r->hash = h;
    r->log = lk_entry_set_new_log(a->set);
    a->record_table[record_slot_of(a, r->key, r->keylen, h)] = ++a->nrecords;
    a->last_record = a->nrecords;
    return r;
}

/* The record's entry for component, or (size_t)-1. A row's values come in the mapping's order,
 * and so were the record's slots made: slot `hint` is the usual answer. */
static size_t record_entry(const agg_record *r, int component, size_t hint)
{
    if (r && hint < r->nslots && r->slots[hint].component == component)
        return r->slots[hint].entry;
    for (size_t i = 0; r && i < r->nslots; i++)
        if (r->slots[i].component == component)
            return r->slots[i].entry;
    return (size_t)-1;
}

/* hint: where the component's total usually is (the item's place in its row). */
static void add_total(const lk_aggregator *a, lk_file_info *fi, const item *it, size_t hint)
{
    lk_component_total *t = hint < fi->ntotals && fi->totals[hint].component == it->component
                                ? &fi->totals[hint] : NULL;
    for (size_t i = 0; !t && i < fi->ntotals; i++)
        if (fi->totals[i].component == it->component) {
            t = &fi->totals[i];
            break;
        }
    if (!t) {
        lk_grow(&fi->totals, sizeof(lk_component_total), fi->ntotals + 1, &fi->totals_alloc);
        t = &fi->totals[fi->ntotals++];
        memset(t, 0, sizeof(*t));
        t->component = it->component;
        const char *name = it->spec->name;
        if (!name && a->m->layout == LK_LAYOUT_WIDE)
            name = header_of(&a->fs, it->column);
        t->name = name ? xstrdup(name) : NULL;
    }
    lk_decimal_add(t->total, it->value, &t->total);
    t->values++;
}

static void describe_row(const lk_aggregator *a, const lk_row_pos *s, char *buf, size_t size)
{
    const lk_entry_set *set = a->set;
    if (s->file == a->fs.file && s->sheet == a->fs.sheet)
        snprintf(buf, size, _("row %lu"), s->row);
    else if (s->sheet)
        snprintf(buf, size, "%s[%s] row %lu", set->files[s->file], set->sheets[s->sheet], s->row);
    else
        snprintf(buf, size, "%s row %lu", set->files[s->file], s->row);
}

static size_t new_entry(lk_aggregator *a, agg_record *rec, const row_ctx *ctx, const item *it)
{
    lk_entry_set *set = a->set;
    size_t idx = set->nentries;
    lk_grow(&set->entries, sizeof(lk_entry), set->nentries + 1, &set->entries_alloc);
    lk_entry *e = &set->entries[set->nentries++];
    memset(e, 0, sizeof(*e));
    copy_employee(&e->employee, &ctx->employee);
    e->period = ctx->period;
    copy_ref(&e->record_key.cost_center, &ctx->record_key.cost_center);
    copy_ref(&e->record_key.cost_unit, &ctx->record_key.cost_unit);
    copy_ref(&e->record_key.distribution_unit, &ctx->record_key.distribution_unit);
    copy_ref(&e->record_key.shift, &ctx->record_key.shift);
    copy_ref(&e->record_key.payslip_type, &ctx->record_key.payslip_type);
    e->payslip_text = ctx->payslip_text ? xstrdup(ctx->payslip_text) : NULL;
    e->component = it->component;
    e->value = 0;
    e->value_null = it->null;
    e->is_supplement = it->spec->is_supplement;
    e->mapping_column = it->column;
    const char *h = header_of(&a->fs, it->column);
    e->column_header = h ? xstrdup(h) : NULL;
    e->round = it->spec->round;
    e->month_calendar = a->m->period_calendar_month && e->period.kind == LK_PERIOD_DATE;
    e->has_min = it->spec->has_min;
    e->has_max = it->spec->has_max;
    e->min = it->spec->min;
    e->max = it->spec->max;
    lk_entry_set_attach(set, idx, rec->log);
    lk_grow(&rec->slots, sizeof(record_slot), rec->nslots + 1, &rec->slots_alloc);
    rec->slots[rec->nslots++] = (record_slot){ it->component, idx };
    return idx;
}

/* The totals row's side of a committed value: its column's running sum, as written. */
static void add_column_sum(file_state *fs, const item *it)
{
    if (it->column == LK_NO_COLUMN)
        return;
    if (it->column >= fs->ncolumn_sums) {
        size_t n = it->column + 16;
        fs->column_sums = xrealloc(fs->column_sums, n * sizeof(lk_decimal));
        fs->column_sum_overflow = xrealloc(fs->column_sum_overflow, n * sizeof(bool));
        for (size_t i = fs->ncolumn_sums; i < n; i++) {
            fs->column_sums[i] = 0;
            fs->column_sum_overflow[i] = false;
        }
        fs->ncolumn_sums = n;
    }
    if (!lk_decimal_add(fs->column_sums[it->column], it->raw, &fs->column_sums[it->column]))
        fs->column_sum_overflow[it->column] = true;
}

/* Checks the items against existing entries; commits them when nothing is wrong. */
static void commit_row(lk_aggregator *a, const lk_row *row, row_ctx *ctx)
{
    lk_entry_set *set = a->set;
    file_state *fs = &a->fs;
    record_key_string(&a->key, ctx);
    unsigned long long h;
    agg_record *rec = record_find(a, &h);
    char where[400];
    lk_decimal sum;
    for (size_t i = 0; rec && i < ctx->nitems; i++) {
        item *it = &ctx->items[i];
        size_t idx = record_entry(rec, it->component, i);
        if (idx == (size_t)-1)
            continue;
        lk_entry *e = &set->entries[idx];
        bool same_row = e->last.file == fs->file && e->last.sheet == fs->sheet &&
                        e->last.row == row->number;
        if (same_row || a->m->aggregate == LK_AGG_REJECT || e->value_null != it->null ||
            e->payslip_text || ctx->payslip_text)
            describe_row(a, &e->last, where, sizeof(where));
        if (!same_row && a->m->aggregate == LK_AGG_REJECT)
            row_error(a, row, ctx, it->column, _("repeats %s (employee %ld, component %d); the "
                      "mapping says \"aggregate\": \"reject\""), where,
                      ctx->employee.employee_number, it->component);
        else if (e->value_null != it->null)
            row_error(a, row, ctx, it->column, _("component %d: one cell is blank (send null, "
                      "remove) and %s gives a value; both cannot hold"), it->component, where);
        else if ((e->payslip_text || ctx->payslip_text) &&
                 (!e->payslip_text || !ctx->payslip_text ||
                  strcmp(e->payslip_text, ctx->payslip_text)))
            row_error(a, row, ctx, fs->payslip_text, _("payslip text \"%.60s\" differs from "
                      "\"%.60s\" in %s for the same record"), ctx->payslip_text ? ctx->payslip_text : "",
                      e->payslip_text ? e->payslip_text : "", where);
        else if (!lk_decimal_add(e->value, it->value, &sum))
            row_error(a, row, ctx, it->column, _("the sum of component %d is out of range"),
                      it->component);
    }
    if (ctx->failed)
        return;

    if (!rec)
        rec = record_add(a, h);
    lk_file_info *fi = &set->file_info[fs->file];
    for (size_t i = 0; i < ctx->nitems; i++) {
        item *it = &ctx->items[i];
        /* a row's second cell for a new entry finds the one its first cell made */
        size_t idx = record_entry(rec, it->component, i);
        if (idx == (size_t)-1)
            idx = new_entry(a, rec, ctx, it);
        lk_entry *e = &set->entries[idx];
        lk_decimal_add(e->value, it->value, &e->value);
        a->row_entries[i] = idx;
        add_total(a, fi, it, i);
        if (a->m->totals_row)
            add_column_sum(fs, it);
    }
    lk_entry_add_rows(set, a->row_entries, ctx->nitems, fs->file, fs->sheet, row->number);
    if (ctx->nitems && rec->counted_file != fs->file + 1) {
        /* employees, not employments: 1007's two employments are one person */
        rec->counted_file = fs->file + 1;
        char who[400];
        snprintf(who, sizeof(who), "%s\x1f%ld\x1f%s",
                 ctx->employee.employer ? ctx->employee.employer : "",
                 ctx->employee.employee_number,
                 ctx->employee.employment_id ? ctx->employee.employment_id : "");
        table_put(&fs->employees, who, 0);
    }
}

static bool check_row_evidence(lk_aggregator *a, const lk_row *row);
static bool decide_style(lk_aggregator *a, const lk_row *row);

static const char *skip_reason(lk_aggregator *a, const lk_row *row, size_t *col, char *buf,
                               size_t size)
{
    const lk_mapping *m = a->m;
    char t[512];
    for (size_t i = 0; i < m->nskips; i++) {
        const lk_skip_rule *r = &m->skips[i];
        size_t c = a->fs.skip_columns[i];
        lk_cell_trim(cell_at(row, c)->text, t, sizeof(t));
        bool hit = r->test == LK_SKIP_BLANK ? !*t : fnmatch(r->pattern, t, FNM_CASEFOLD) == 0;
        if (!hit)
            continue;
        *col = c;
        if (r->reason)
            snprintf(buf, size, _("skipped: \"%.120s\" (input.skipRows[%zu])"), r->reason, i);
        else if (r->test == LK_SKIP_BLANK)
            snprintf(buf, size, _("skipped: column is blank (input.skipRows[%zu])"), i);
        else
            snprintf(buf, size, _("skipped: \"%.60s\" matches \"%.60s\" (input.skipRows[%zu])"), t,
                     r->pattern, i);
        return buf;
    }
    return NULL;
}

/* Does the row match the rule (a skipRows entry or the totalsRow) whose cell is in column c? */
static bool rule_hits(const lk_skip_rule *r, const lk_row *row, size_t c, char *t, size_t size)
{
    lk_cell_trim(cell_at(row, c)->text, t, size);
    return r->test == LK_SKIP_BLANK ? !*t : fnmatch(r->pattern, t, FNM_CASEFOLD) == 0;
}

/* The value columns of the file, with the settings their cells are read with; false past the
 * last. */
static bool value_column_at(const lk_aggregator *a, size_t i, size_t *col,
                            const lk_component_spec **spec)
{
    const lk_mapping *m = a->m;
    const file_state *fs = &a->fs;
    switch (m->layout) {
    case LK_LAYOUT_WIDE:
        if (i >= m->ncomponents)
            return false;
        *col = fs->component_columns[i];
        *spec = &m->components[i];
        return true;
    case LK_LAYOUT_LONG:
        if (i > 0)
            return false;
        *col = fs->long_value;
        *spec = &m->defaults;
        return true;
    case LK_LAYOUT_COMPONENT_ROW:
        if (i >= fs->nvalues)
            return false;
        *col = fs->values[i].column;
        *spec = &fs->values[i].spec;
        return true;
    }
    return false;
}

/*
 * The export's own totals row: each value cell in it must equal the sum of that column's values
 * in the rows above that were taken (as written, before scale and divideBy; exact decimals). A
 * blank cell is not compared. The row itself adds nothing. False when a cell is wrong.
 */
static bool check_totals_row(lk_aggregator *a, const lk_row *row)
{
    file_state *fs = &a->fs;
    bool ok = true;
    size_t col;
    const lk_component_spec *spec;
    for (size_t i = 0; value_column_at(a, i, &col, &spec); i++) {
        if (col == LK_NO_COLUMN)
            continue;
        bool seen = false;   /* a column mapped twice is checked once */
        size_t other;
        const lk_component_spec *other_spec;
        for (size_t j = 0; j < i && value_column_at(a, j, &other, &other_spec); j++)
            seen = seen || other == col;
        if (seen)
            continue;
        char msg[MSG], want[48], have[48], text[64];
        lk_decimal total = 0;
        const lk_cell *c = cell_at(row, col);
        lk_parse_result pr = lk_parse_value(c, spec->format, &fs->style, &total, msg,
                                            sizeof(msg));
        if (pr == LK_PARSE_BLANK)
            continue;
        if (pr == LK_PARSE_BAD) {
            row_error(a, row, NULL, col, _("totals row: %s"), msg);
            ok = false;
            continue;
        }
        lk_decimal sum = col < fs->ncolumn_sums ? fs->column_sums[col] : 0;
        bool overflow = col < fs->ncolumn_sums && fs->column_sum_overflow[col];
        if (!overflow && sum == total)
            continue;
        lk_cell_trim(c->text, text, sizeof(text));
        if (overflow)
            row_error(a, row, NULL, col, _("totals row says \"%s\" (%s), but the sum of the "
                      "rows above is out of range"), text, lk_fmt_decimal(total, 0, want));
        else
            row_error(a, row, NULL, col, _("totals row says \"%s\" (%s), but the rows above "
                      "add up to %s (difference %s); a row may be missing, repeated or "
                      "mistyped (input.totalsRow)"), text, lk_fmt_decimal(total, 0, want),
                      lk_fmt_decimal(sum, 0, have), lk_fmt_decimal(total - sum, 0, msg));
        ok = false;
    }
    return ok;
}

/*
 * Component-row layout: a value below a column whose component-row cell is not a component
 * number ("1O" typed for "10") would be lost. The column is counted for validate's list, and
 * the row is an error, so the employee is not sent without those hours.
 */
static void check_ignored(lk_aggregator *a, const lk_row *row, row_ctx *ctx)
{
    lk_file_info *fi = &a->set->file_info[a->fs.file];
    char t[64];
    for (size_t i = 0; i < fi->nignored; i++) {
        const lk_cell *c = cell_at(row, fi->ignored[i].column);
        if (cell_blank(c))
            continue;
        fi->ignored[i].values++;
        lk_cell_trim(c->text, t, sizeof(t));
        row_error(a, row, ctx, fi->ignored[i].column, _("value \"%s\" in a column whose "
                  "component row %lu says \"%s\", which is not a component number: the value "
                  "would be lost (correct the number, or end the value columns before it with "
                  "componentRow.lastColumn)"), t, a->m->component_row, fi->ignored[i].header);
    }
}

/*
 * Rows first..last held nothing (no row in the XLSX sheet, or one with only empty cells; an
 * empty line or one of only delimiters in a CSV file): counted as read and blank, and listed as
 * one skipped issue, so every row after the header is accounted for, also after the last row.
 */
static void blank_rows(lk_aggregator *a, const char *file, const char *sheet,
                       unsigned long first, unsigned long last)
{
    lk_file_info *fi = &a->set->file_info[a->fs.file];
    unsigned long n = last - first + 1;
    fi->rows_read += n;
    fi->rows_blank += n;
    a->set->rows_read += n;
    lk_row_issue *is = row_issue(a, true, first, n);
    if (!is)
        return;
    lk_error_at(&is->error, file, sheet, first, LK_NO_COLUMN, NULL);
    snprintf(is->error.message, sizeof(is->error.message), _("skipped: blank row%s"),
             n > 1 ? "s" : "");
    is->error.code = LK_OK;
    is->skipped = true;
    is->last_row = n > 1 ? last : 0;
}

/* A last record without a line break after it and with fewer fields than the rows above: the
 * file was cut off while it was written or copied (its last value may be cut too: 80 for
 * 805,6). Nothing of it can be trusted to be complete. */
static void cut_off(lk_aggregator *a, const lk_row *row)
{
    lk_file_info *fi = &a->set->file_info[a->fs.file];
    fi->rows_read++;
    fi->rows_failed++;
    a->set->rows_read++;
    file_error_at(a, row, row->number, _("the file ends in the middle of this row (no line break "
                  "after it, %zu of the %zu fields of the rows above): the file looks cut off, "
                  "its last value may be cut too; export or copy it again"), row->nfields,
                  a->fs.max_fields);
}

void lk_aggregator_add_row(lk_aggregator *a, const lk_row *row)
{
    const lk_mapping *m = a->m;
    file_state *fs = &a->fs;
    if (!fs->started || fs->failed)
        return;
    if (!fs->sheet_known) {
        fs->sheet = lk_entry_set_sheet(a->set, row->sheet);
        fs->sheet_known = true;
        if (row->sheet)
            a->set->file_info[fs->file].sheet = xstrdup(row->sheet);
    }
    unsigned long gap_from = fs->prev_end + 1 > m->first_data_row ? fs->prev_end + 1
                                                                   : m->first_data_row;
    fs->prev_end = row->last_line > row->number ? row->last_line : row->number;
    /* the width of the file's rows: header (or component row) and data rows; a title row above
       them (Loket's template: "Werkgever;...;Loonheffingennummer;40102") may be wider */
    if (row->nfields > fs->max_fields && !row->unterminated &&
        (row->number >= m->first_data_row || row->number == m->header_row ||
         row->number == m->component_row))
        fs->max_fields = row->nfields;
    if (row->number < m->first_data_row) {
        if (row->number == m->header_row) {
            free_strings(fs->headers, fs->nheaders);
            fs->headers = row_texts(row, &fs->nheaders);
            fs->seen_header = true;
        }
        if (row->number == m->component_row) {
            fs->numbers = row_texts(row, &fs->nnumbers);
            fs->seen_component_row = true;
        }
        if (m->component_name_row && row->number == m->component_name_row) {
            fs->names = row_texts(row, &fs->nnames);
            fs->seen_name_row = true;
        }
        return;
    }
    if (row->number > gap_from)
        blank_rows(a, row->file, row->sheet, gap_from, row->number - 1);
    if (row->unterminated && row->nfields < fs->max_fields) {
        cut_off(a, row);
        return;
    }
    if (row->unterminated && row->ncells > 0) { /* complete in width, but perhaps cut inside */
        lk_file_info *ufi = &a->set->file_info[fs->file];
        const lk_cell *last = &row->cells[row->ncells - 1];
        ufi->unterminated_row = row->number;
        snprintf(ufi->unterminated_value, sizeof ufi->unterminated_value, "%.60s", last->text);
    }
    if (fs->check_evidence && !check_row_evidence(a, row))
        return;
    if (!fs->resolved && !resolve_all(a, row))
        return;
    if (fs->style_pending && !decide_style(a, row))
        return;

    lk_file_info *fi = &a->set->file_info[fs->file];
    a->set->rows_read++;
    fi->rows_read++;

    char reason[256];
    size_t skip_col = LK_NO_COLUMN;
    if (m->totals_row && rule_hits(m->totals_row, row, fs->totals_column, reason,
                                   sizeof(reason))) {
        fs->seen_totals_row = true;
        if (check_totals_row(a, row)) {
            row_skipped(a, row, fs->totals_column, _("skipped: totals row, equal to the sums of "
                        "the rows above (input.totalsRow)"));
        } else {
            fi->rows_failed++;
            fi->totals_differ = true;
        }
        return;
    }
    if (skip_reason(a, row, &skip_col, reason, sizeof(reason))) {
        row_skipped(a, row, skip_col, reason);
        return;
    }
    row_ctx ctx;
    memset(&ctx, 0, offsetof(row_ctx, employer_buf));
    size_t issues_before = a->set->nissues;
    read_identity(a, row, &ctx);
    read_values(a, row, &ctx);
    check_ignored(a, row, &ctx);

    bool no_employee = ctx.employee.employee_number == 0 && !ctx.employee.employment_id;
    size_t id_col = fs->employee_number != LK_NO_COLUMN ? fs->employee_number : fs->employment_id;
    if (!ctx.failed && no_employee) {
        if (ctx.nitems == 0)
            row_skipped(a, row, LK_NO_COLUMN, _("skipped: no employee and no values"));
        else
            row_error(a, row, &ctx, id_col, _("employee number missing, but the row has values"));
    } else if (!ctx.failed && ctx.nitems == 0) {
        row_skipped(a, row, LK_NO_COLUMN, _("skipped: no values in the mapped columns"));
    } else if (!ctx.failed) {
        commit_row(a, row, &ctx);
    }
    if (ctx.failed) {
        fi->rows_failed++;
        /* every issue of this row knows whose row it was */
        for (size_t i = issues_before; i < a->set->nissues; i++)
            if (!a->set->issues[i].employee.employee_number && !a->set->issues[i].skipped) {
                free(a->set->issues[i].employee.employer);
                free(a->set->issues[i].employee.employment_id);
                copy_employee(&a->set->issues[i].employee, &ctx.employee);
            }
    } else if (ctx.nitems && !no_employee) {
        fi->rows_used++;
    }
}

/* ---------------------------------------------------------------- files through the reader */

static void ambiguous_error(const char *path, const evidence *first, lk_error *err)
{
    char c0[8], c1[8];
    lk_error_clear(err);
    lk_error_at(err, path, NULL, first[1].row, first[1].col, NULL);
    lk_error_set(err, LK_ERR_INPUT, _("cannot tell the decimal separator: \"%s\" (row %lu, "
                 "column %s) has a decimal comma, \"%s\" (row %lu, column %s) a decimal "
                 "point; set input.decimalSeparator in the mapping"), first[1].text,
                 first[1].row, lk_column_letter(first[1].col, c1), first[0].text,
                 first[0].row, lk_column_letter(first[0].col, c0));
}

/* Whether text has a '.' or ',' at all: most cells (names, codes, dates) do not. */
static bool has_separator(const char *t, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (t[i] == '.' || t[i] == ',')
            return true;
    return false;
}

/* Notes the row's decimal evidence; false when the file now shows both conventions. */
static bool note_evidence(const lk_row *row, evidence *first)
{
    for (size_t i = 0; i < row->ncells; i++) {
        if (row->cells[i].type != LK_CELL_STRING ||
            !has_separator(row->cells[i].text, row->cells[i].len))
            continue;
        char e = lk_number_evidence(row->cells[i].text);
        if (!e)
            continue;
        evidence *ev = &first[e == ','];
        if (!ev->sep) {
            ev->sep = e;
            ev->row = row->number;
            ev->col = i;
            lk_cell_trim(row->cells[i].text, ev->text, sizeof(ev->text));
        }
    }
    return !(first[0].sep && first[1].sep);
}

/*
 * "decimalSeparator": "auto" and a value whose reading depends on the convention ("1.234")
 * before any row told it: read ahead from this row to the first telling one (to the end when
 * none does), with a reader of its own.
 */
static bool look_ahead(lk_aggregator *a, const lk_row *from, evidence *first, lk_error *err)
{
    lk_reader_opts opts = a->m->reader;
    lk_reader *r = lk_reader_open(from->file, &opts, err);
    if (!r)
        return false;
    const lk_row *row;
    int rc;
    bool ok = true;
    while ((rc = lk_reader_next(r, &row, err)) == 1) {
        if (row->number < from->number)
            continue;
        ok = note_evidence(row, first);
        if (first[0].sep || first[1].sep)
            break;
    }
    lk_reader_free(r);
    if (rc < 0)
        return false;
    if (!ok) {
        ambiguous_error(from->file, first, err);
        return false;
    }
    return true;
}

static bool cell_has_separator(const lk_row *row, size_t col)
{
    const lk_cell *c = cell_at(row, col);
    return c->type == LK_CELL_STRING && has_separator(c->text, c->len);
}

/* Would a value of this row read differently in the other convention? Only a value cell with
 * a '.' or ',' in it can. */
static bool values_depend_on_style(const lk_aggregator *a, const lk_row *row)
{
    const lk_mapping *m = a->m;
    const file_state *fs = &a->fs;
    switch (m->layout) {
    case LK_LAYOUT_WIDE:
        for (size_t i = 0; i < m->ncomponents; i++)
            if (cell_has_separator(row, fs->component_columns[i]))
                return true;
        return false;
    case LK_LAYOUT_LONG:
        return cell_has_separator(row, fs->long_value);
    case LK_LAYOUT_COMPONENT_ROW:
        for (size_t i = 0; i < fs->nvalues; i++)
            if (cell_has_separator(row, fs->values[i].column))
                return true;
        return false;
    }
    return true;
}

static void set_style_separators(const lk_mapping *m, lk_number_style *style);

/*
 * The pending convention of an "auto" file, at a data row: decided when the row tells it, or
 * when one of its values depends on it (then by looking ahead); rows before read the same
 * either way. False when the file stops here.
 */
static bool decide_style(lk_aggregator *a, const lk_row *row)
{
    file_state *fs = &a->fs;
    evidence first[2];
    lk_error e;
    memset(first, 0, sizeof(first));
    lk_error_clear(&e);
    if (!note_evidence(row, first)) {
        ambiguous_error(row->file, first, &e);
        lk_aggregator_file_error(a, &e);
        return false;
    }
    if (!first[0].sep && !first[1].sep) {
        if (!values_depend_on_style(a, row))
            return true;
        if (!look_ahead(a, row, first, &e)) {
            if (e.code == LK_ERR_NOMEM)
                lk_die(_("out of memory"));
            lk_aggregator_file_error(a, &e);
            return false;
        }
    }
    fs->style_pending = false;
    fs->style.decimal = first[1].sep ? ',' : first[0].sep ? '.' : fs->fallback;
    set_style_separators(a->m, &fs->style);
    a->set->file_info[fs->file].decimal = fs->style.decimal;
    fs->check_evidence = first[0].sep || first[1].sep;
    memcpy(fs->evidence, first, sizeof(first));
    return true;
}

/*
 * Could text be evidence of the convention other than own? Only with the other separator in it,
 * or with two of its own ("1,234,567" is thousands commas: a decimal point file). The cheap
 * test that spares the full one for the many cells like "7,50" in a decimal-comma file.
 */
static bool may_show_other(const char *t, size_t len, char own)
{
    char other = own == ',' ? '.' : ',';
    size_t owns = 0;
    for (size_t i = 0; i < len; i++)
        if (t[i] == other || (t[i] == own && ++owns == 2))
            return true;
    return false;
}

/* Main pass of an "auto" file: a row with the other convention stops the file. */
static bool check_row_evidence(lk_aggregator *a, const lk_row *row)
{
    file_state *fs = &a->fs;
    char own = fs->evidence[1].sep ? ',' : '.';
    bool suspect = false;
    for (size_t i = 0; i < row->ncells && !suspect; i++)
        suspect = row->cells[i].type == LK_CELL_STRING &&
                  may_show_other(row->cells[i].text, row->cells[i].len, own);
    if (!suspect || note_evidence(row, fs->evidence))
        return true;
    lk_error e;
    ambiguous_error(row->file, fs->evidence, &e);
    lk_aggregator_file_error(a, &e);
    return false;
}

static void set_style_separators(const lk_mapping *m, lk_number_style *style)
{
    if (m->thousands_sep == 'n')
        style->thousands = 0;
    else if (m->thousands_sep)
        style->thousands = m->thousands_sep;
    else
        style->thousands = style->decimal == ',' ? '.' : ',';
}

/* A file that gives nothing to import (only its header; a single line "x"; only skipped or
 * blank rows) is not a success: most often it is the wrong file, or an export that failed. */
static void empty_file(lk_aggregator *a, const lk_file_info *fi)
{
    lk_row_issue *is = new_issue(a);
    lk_error_at(&is->error, a->set->files[a->fs.file], fi->sheet, 0, LK_NO_COLUMN, NULL);
    if (fi->rows_read == 0)
        lk_error_set(&is->error, LK_ERR_INPUT, _("the file has no data rows%s; nothing to "
                     "import (--allow-empty accepts an empty file)"),
                     a->m->header_row ? " after its header row" : "");
    else
        lk_error_set(&is->error, LK_ERR_INPUT, _("the file has no row with values (%lu rows: "
                     "%lu skipped, %lu blank); nothing to import (--allow-empty accepts an "
                     "empty file)"), fi->rows_read, fi->rows_skipped, fi->rows_blank);
}

/* The blank lines (CSV) or rows the sheet holds (XLSX) after the file's last row, up to last:
 * physical lines too, so counted like the blank rows between rows. Only after the header (a
 * file that ends before it has no data rows to account for). */
static void trailing_blank_rows(lk_aggregator *a, const char *path, unsigned long last)
{
    const lk_mapping *m = a->m;
    file_state *fs = &a->fs;
    if ((m->header_row && !fs->seen_header) || (m->component_row && !fs->seen_component_row))
        return;
    unsigned long from = fs->prev_end + 1 > m->first_data_row ? fs->prev_end + 1
                                                               : m->first_data_row;
    if (last >= from)
        blank_rows(a, path, a->set->file_info[fs->file].sheet, from, last);
}

lk_code lk_aggregator_add_file(lk_aggregator *a, const char *path, lk_error *err)
{
    const lk_mapping *m = a->m;
    lk_number_style style = { m->decimal_sep, 0 };
    lk_error ferr;
    lk_error_clear(&ferr);
    lk_aggregator_begin_file(a, path, &style);
    lk_file_info *fi = &a->set->file_info[a->fs.file];

    lk_reader_opts opts = m->reader;
    lk_reader *r = lk_reader_open(path, &opts, &ferr);
    if (!r) {
        if (ferr.code == LK_ERR_NOMEM)
            return lk_error_set(err, LK_ERR_NOMEM, _("out of memory"));
        lk_aggregator_file_error(a, &ferr);
        /* not read at all (binary data, bad bytes at open): the place it names is no row */
        a->set->issues[a->set->nissues - 1].before_data = true;
        lk_aggregator_end_file(a);
        return LK_OK;
    }
    if (!style.decimal) {
        /* no telling value: Dutch Excel writes ';' exactly because ',' is its decimal mark */
        a->fs.fallback = lk_reader_type(r) == LK_FILE_CSV && lk_reader_delimiter(r) == ';'
                             ? ',' : '.';
        a->fs.style_pending = true;
        style.decimal = a->fs.fallback;
    }
    set_style_separators(m, &style);
    a->fs.style = style;
    fi->decimal = style.decimal;
    snprintf(fi->type, sizeof(fi->type), "%s", lk_reader_type(r) == LK_FILE_XLSX ? "xlsx" : "csv");
    fi->delimiter = lk_reader_type(r) == LK_FILE_XLSX ? 0 : lk_reader_delimiter(r);
    const char *enc = lk_reader_encoding(r);
    snprintf(fi->encoding, sizeof(fi->encoding), "%s", enc ? enc : "");
    const lk_row *row;
    int rc = 0;
    lk_prefetch *pf = lk_prefetch_start(r, &ferr);
    if (!pf) {
        lk_reader_free(r);
        lk_aggregator_file_error(a, &ferr);
        lk_aggregator_end_file(a);
        return LK_OK;
    }
    while (!a->fs.failed && (rc = lk_prefetch_next(pf, &row, &ferr)) == 1)
        lk_aggregator_add_row(a, row);
    lk_prefetch_stop(pf);
    if (!a->fs.failed && rc == 0)
        trailing_blank_rows(a, path, lk_reader_last_line(r));
    if (!a->fs.failed && rc < 0) {
        if (ferr.row >= m->first_data_row && ferr.row > a->fs.prev_end) {
            /* the record the reader could not read (an open quote, a cell too long) was read
             * as far as it goes: a row with an issue, so the rows still add up */
            fi->rows_read++;
            fi->rows_failed++;
            a->set->rows_read++;
        }
        lk_aggregator_file_error(a, &ferr);
    }
    if (!a->fs.failed && a->fs.resolved && m->totals_row && !a->fs.seen_totals_row)
        /* the mapping says the export ends with its totals: a file without them is cut off */
        file_error_at(a, NULL, 0, _("no totals row (input.totalsRow in mapping %s): the file "
                      "may be cut off or not the export the mapping is for"), m->path);
    if (!a->fs.failed && !a->fs.resolved && fi->rows_read == 0 &&
        (m->header_row || m->component_row)) {
        /* only header rows, or not even those: say so rather than report an empty success */
        unsigned long need = m->header_row > m->component_row ? m->header_row : m->component_row;
        if (!a->fs.seen_header || (m->component_row && !a->fs.seen_component_row))
            file_error_at(a, NULL, need, _("the file ends before reaching header row %lu"), need);
    }
    if (!a->fs.failed && !a->allow_empty && fi->rows_used == 0 && fi->rows_failed == 0)
        empty_file(a, fi);
    lk_reader_free(r);
    lk_aggregator_end_file(a);
    return LK_OK;
}

/* ---------------------------------------------------------------- life cycle */

lk_aggregator *lk_aggregator_new(const lk_mapping *m, const lk_period_ref *period,
                                 lk_entry_set *set, lk_error *err)
{
    if (period && period->kind != LK_PERIOD_NONE) {
        char p1[16], p2[16];
        if (m->period_source == LK_PSRC_COLUMN) {
            lk_error_clear(err);
            lk_error_set(err, LK_ERR_CONFIG, _("mapping %s reads the period from a column "
                         "(period.source \"column\"); --period cannot override it"), m->path);
            return NULL;
        }
        if (m->period_source == LK_PSRC_FIXED &&
            memcmp(&m->period_fixed, period, sizeof(*period)) != 0) {
            lk_error_clear(err);
            lk_error_set(err, LK_ERR_CONFIG, _("mapping %s fixes the period to %s; --period %s "
                         "contradicts it"), m->path, lk_period_ref_format(&m->period_fixed, p1),
                         lk_period_ref_format(period, p2));
            return NULL;
        }
    }
    lk_aggregator *a = xcalloc(1, sizeof(*a));
    a->m = m;
    a->set = set;
    if (period && period->kind != LK_PERIOD_NONE) {
        a->cli_period = *period;
        a->has_cli_period = true;
        if (m->period_source == LK_PSRC_DATE) {
            char letter[8];
            set->expected_period = *period;
            free(set->period_column);
            set->period_column = xstrdup(m->period_column.name
                                             ? m->period_column.name
                                             : lk_column_letter(m->period_column.letter, letter));
        }
    }
    strbuf_init(&a->key, 128);
    return a;
}

void lk_aggregator_set_allow_empty(lk_aggregator *a, bool allow)
{
    a->allow_empty = allow;
}

void lk_aggregator_free(lk_aggregator *a)
{
    if (!a)
        return;
    file_state_free(&a->fs);
    for (size_t i = 0; i < a->nrecords; i++) {
        free(a->records[i].key);
        free(a->records[i].slots);
    }
    free(a->records);
    free(a->record_table);
    free(a->items);
    free(a->row_entries);
    strbuf_free(&a->key);
    free(a);
}
