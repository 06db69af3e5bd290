/*
 * aggregate.c: applies a mapping to rows and sums them into entries (see aggregate.h).
 *
 * A row is taken whole or not at all: its cells are parsed and checked first, and only a row
 * without errors adds to entries, so a half-read row never leaves half its values behind.
 * Entries are found by a key string (employer, employee, period, record key, component) in an
 * open-addressing hash table; an entry's rows are kept as spans of consecutive row numbers.
 */
#include "mapping/aggregate.h"

#include "common/strbuf.h"
#include "common/util.h"
#include "input/reader.h"

#include <ctype.h>
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

static unsigned long long hash_str(const char *s)
{
    /* FNV-1a over 8-byte words, then mixed: keys are long and share prefixes */
    size_t n = strlen(s);
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

static bool table_get(const str_table *t, const char *key, size_t *value)
{
    if (!t->cap)
        return false;
    size_t i = table_slot(t, key);
    if (!t->keys[i])
        return false;
    *value = t->values[i];
    return true;
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
    value_column *values; size_t nvalues;
    str_table employees;
} file_state;

struct lk_aggregator {
    const lk_mapping *m;
    lk_entry_set *set;
    lk_period_ref cli_period;
    bool has_cli_period;
    str_table entries;
    int *entry_round; size_t entry_round_alloc;
    unsigned long errors_listed, skipped_listed;
    file_state fs;
    strbuf key;
};

/* One value a row contributes, before it is committed. */
typedef struct item {
    const lk_component_spec *spec;
    int component;
    size_t column;
    lk_decimal value;
    bool null;
    char *key;
    bool found;               /* the entry existed before this row; idx is it */
    size_t idx;
} item;

typedef struct row_ctx {
    lk_employee_ref employee;
    lk_period_ref period;
    lk_record_key record_key;
    char *payslip_text;
    item *items; size_t nitems, items_alloc;
    bool failed;
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
static lk_row_issue *row_issue(lk_aggregator *a, bool skipped)
{
    unsigned long *listed = skipped ? &a->skipped_listed : &a->errors_listed;
    if (*listed >= LK_MAX_LISTED_ISSUES) {
        if (skipped)
            a->set->skipped_not_listed++;
        else
            a->set->errors_not_listed++;
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
    lk_row_issue *is = row_issue(a, false);
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
    lk_row_issue *is = row_issue(a, true);
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

void lk_aggregator_file_error(lk_aggregator *a, const lk_error *err)
{
    lk_row_issue *is = new_issue(a);
    is->error = *err;
    if (is->error.code == LK_OK)
        is->error.code = LK_ERR_INPUT;
    if (a->fs.started) {
        a->fs.failed = true;
        a->set->file_info[a->fs.file].failed = true;
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

static bool resolve(lk_aggregator *a, const lk_row *row, const lk_colref *c, size_t *out)
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
                          "header row %lu has \"%s\" twice (columns %s and %s); mapping %s, %s: "
                          "give the \"letter\" instead", a->m->header_row, c->name,
                          lk_column_letter(found, l1), lk_column_letter(i, l2), a->m->path,
                          c->path);
            return false;
        }
        found = i;
    }
    if (found == LK_NO_COLUMN) {
        strbuf sb = STRBUF_INIT;
        for (size_t i = 0; i < fs->nheaders && sb.len < 200; i++)
            if (*fs->headers[i])
                strbuf_addf(&sb, "%s\"%s\"", sb.len ? ", " : "", fs->headers[i]);
        file_error_at(a, row, a->m->header_row,
                      "column \"%s\" (mapping %s, %s) is not in header row %lu; its headers "
                      "are: %s", c->name, a->m->path, c->path, a->m->header_row,
                      sb.len ? sb.buf : "(none)");
        strbuf_free(&sb);
        return false;
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

static bool resolve_all(lk_aggregator *a, const lk_row *row)
{
    const lk_mapping *m = a->m;
    file_state *fs = &a->fs;
    if (m->header_row && !fs->seen_header) {
        file_error_at(a, row, m->header_row, "header row %lu is missing or empty (mapping %s, "
                      "input.headerRow)", m->header_row, m->path);
        return false;
    }
    if (m->component_row && !fs->seen_component_row) {
        file_error_at(a, row, m->component_row, "the component row %lu is missing or empty "
                      "(mapping %s, componentRow.row)", m->component_row, m->path);
        return false;
    }
    if (!resolve(a, row, &m->employee_number, &fs->employee_number) ||
        !resolve(a, row, &m->payroll_id, &fs->payroll_id) ||
        !resolve(a, row, &m->income_relationship, &fs->income_relationship) ||
        !resolve(a, row, &m->employment_id, &fs->employment_id) ||
        !resolve(a, row, &m->employer_column, &fs->employer) ||
        !resolve(a, row, &m->period_column, &fs->period) ||
        !resolve(a, row, &m->payslip_text_column, &fs->payslip_text) ||
        !resolve(a, row, &m->long_component, &fs->long_component) ||
        !resolve(a, row, &m->long_value, &fs->long_value))
        return false;
    for (int i = 0; i < LK_RK_COUNT; i++)
        if (!resolve(a, row, &m->record_key[i].column, &fs->record_key[i]))
            return false;
    fs->skip_columns = xcalloc(m->nskips + 1, sizeof(size_t));
    for (size_t i = 0; i < m->nskips; i++)
        if (!resolve(a, row, &m->skips[i].column, &fs->skip_columns[i]))
            return false;
    fs->component_columns = xcalloc(m->ncomponents + 1, sizeof(size_t));
    if (m->layout == LK_LAYOUT_WIDE)
        for (size_t i = 0; i < m->ncomponents; i++)
            if (!resolve(a, row, &m->components[i].column, &fs->component_columns[i]))
                return false;
    if (m->layout == LK_LAYOUT_COMPONENT_ROW) {
        resolve_value_columns(a);
        if (fs->nvalues == 0) {
            file_error_at(a, row, m->component_row, "row %lu holds no component numbers "
                          "(mapping %s, componentRow.row)", m->component_row, m->path);
            return false;
        }
    }
    fs->resolved = true;
    return true;
}

/* ---------------------------------------------------------------- one row */

static void add_item(row_ctx *ctx, const lk_component_spec *spec, int component, size_t col,
                     lk_decimal v, bool null)
{
    lk_grow(&ctx->items, sizeof(item), ctx->nitems + 1, &ctx->items_alloc);
    item *it = &ctx->items[ctx->nitems++];
    it->spec = spec;
    it->component = component;
    it->column = col;
    it->value = v;
    it->null = null;
    it->key = NULL;
    it->found = false;
}

/* value x scale / divideBy, each step rounded half away from zero at 6 decimals. */
static bool scale_value(const lk_component_spec *s, lk_decimal v, lk_decimal *out)
{
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

static void read_value(lk_aggregator *a, const lk_row *row, row_ctx *ctx,
                       const lk_component_spec *spec, int component, size_t col)
{
    char msg[MSG];
    lk_decimal v = 0;
    const lk_cell *c = cell_at(row, col);
    lk_parse_result pr = lk_parse_value(c, spec->format, &a->fs.style, &v, msg, sizeof(msg));
    if (pr == LK_PARSE_BAD) {
        row_error(a, row, ctx, col, "%s", msg);
        return;
    }
    if (pr == LK_PARSE_BLANK) {
        if (spec->blank == LK_BLANK_SKIP)
            return;
        add_item(ctx, spec, component, col, 0, spec->blank == LK_BLANK_NULL);
        return;
    }
    if (!scale_value(spec, v, &v)) {
        row_error(a, row, ctx, col, "%s is out of range after scaling", c->text);
        return;
    }
    add_item(ctx, spec, component, col, v, false);
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
                row_error(a, row, ctx, fs->long_component, "no component, but a value in "
                          "column %s", header_of(fs, fs->long_value) ? header_of(fs, fs->long_value) : "");
            return;
        }
        long key = 0;
        const lk_component_spec *spec = long_spec(a, code, &key);
        if (!spec) {
            row_error(a, row, ctx, fs->long_component, "\"%.60s\" is not a component this "
                      "mapping knows (add it to \"components\" with its \"code\")", code);
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
        out->code = r->code ? xstrdup(r->code) : NULL;
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
        out->code = xstrdup(t);
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
            ctx->employee.employment_id = xstrdup(t);
        else
            row_error(a, row, ctx, fs->employment_id, "\"%.60s\" is not an employment id "
                      "(a UUID like 3fa85f64-5717-4562-b3fc-2c963f66afa6)", t);
    }
    if (m->employer_fixed) {
        ctx->employee.employer = xstrdup(m->employer_fixed);
    } else if (fs->employer != LK_NO_COLUMN) {
        long cn;
        if (!text_of(row, fs->employer, t, sizeof(t)))
            row_error(a, row, ctx, fs->employer, "client number missing");
        else if (lk_parse_whole(cell_at(row, fs->employer), 999999999999L, &cn, msg,
                                sizeof(msg)) != LK_PARSE_OK)
            row_error(a, row, ctx, fs->employer, "client number: %s", msg);
        else {
            snprintf(t, sizeof(t), "%ld", cn);
            ctx->employee.employer = xstrdup(t);
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
            row_error(a, row, ctx, fs->period, "period missing");
        else if (!lk_parse_period(c->text, &ctx->period))
            row_error(a, row, ctx, fs->period, "\"%.60s\" is not a period (\"2026-11\" or "
                      "\"2026-P11\")", t);
        break;
    }
    case LK_PSRC_DATE: {
        int y, mo, d;
        lk_parse_result pr = lk_parse_date(cell_at(row, fs->period), &y, &mo, &d, msg,
                                           sizeof(msg));
        if (pr == LK_PARSE_BLANK)
            row_error(a, row, ctx, fs->period, "date missing");
        else if (pr == LK_PARSE_BAD)
            row_error(a, row, ctx, fs->period, "%s", msg);
        else if (a->has_cli_period && !period_matches(&a->cli_period, y, mo))
            row_error(a, row, ctx, fs->period, "date %04d-%02d-%02d is outside the period "
                      "%04d-%02d given with --period", y, mo, d, a->cli_period.year,
                      a->cli_period.number);
        else {
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
        ctx->payslip_text = xstrdup(m->payslip_text_fixed);
    else if (fs->payslip_text != LK_NO_COLUMN && text_of(row, fs->payslip_text, t, sizeof(t)))
        ctx->payslip_text = xstrdup(t);
}

/* Keys are built for every value of every row: plain appends, no printf. */
static void key_long(strbuf *sb, long long v)
{
    char buf[24];
    size_t n = sizeof(buf);
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        buf[--n] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        buf[--n] = '-';
    strbuf_add(sb, buf + n, sizeof(buf) - n);
    strbuf_addch(sb, '\x1f');
}

static void key_str(strbuf *sb, const char *s)
{
    if (s)
        strbuf_addstr(sb, s);
    strbuf_addch(sb, '\x1f');
}

static void key_ref(strbuf *sb, const lk_ref *r)
{
    key_long(sb, r->kind);
    key_long(sb, r->key);
    key_str(sb, r->code);
}

/* The entry key without the component: employer, employee, period, record key. */
static void record_key_string(strbuf *sb, const row_ctx *ctx)
{
    const lk_employee_ref *e = &ctx->employee;
    strbuf_reset(sb);
    key_str(sb, e->employer);
    key_long(sb, e->employee_number);
    key_long(sb, e->payroll_id);
    key_long(sb, e->income_relationship);
    key_str(sb, e->employment_id);
    key_long(sb, ctx->period.kind);
    key_long(sb, ctx->period.year);
    key_long(sb, ctx->period.number);
    key_long(sb, ctx->period.month);
    key_long(sb, ctx->period.day);
    key_ref(sb, &ctx->record_key.cost_center);
    key_ref(sb, &ctx->record_key.cost_unit);
    key_ref(sb, &ctx->record_key.distribution_unit);
    key_ref(sb, &ctx->record_key.shift);
    key_ref(sb, &ctx->record_key.payslip_type);
}

static void copy_ref(lk_ref *dst, const lk_ref *src)
{
    *dst = *src;
    dst->code = src->code ? xstrdup(src->code) : NULL;
}

static void add_span(lk_aggregator *a, lk_entry *e, const lk_row *row)
{
    unsigned file = a->fs.file, sheet = a->fs.sheet;
    if (e->nrows) {
        lk_row_span *last = &e->rows[e->nrows - 1];
        if (last->file == file && last->sheet == sheet &&
            (last->last == row->number || last->last + 1 == row->number)) {
            last->last = row->number;
            return;
        }
    }
    lk_grow(&e->rows, sizeof(lk_row_span), e->nrows + 1, &e->rows_alloc);
    e->rows[e->nrows++] = (lk_row_span){ file, sheet, row->number, row->number };
}

static void add_total(lk_file_info *fi, const item *it, const char *name)
{
    lk_component_total *t = NULL;
    for (size_t i = 0; i < fi->ntotals; i++)
        if (fi->totals[i].component == it->component)
            t = &fi->totals[i];
    if (!t) {
        lk_grow(&fi->totals, sizeof(lk_component_total), fi->ntotals + 1, &fi->totals_alloc);
        t = &fi->totals[fi->ntotals++];
        memset(t, 0, sizeof(*t));
        t->component = it->component;
        t->name = name ? xstrdup(name) : NULL;
    }
    lk_decimal_add(t->total, it->value, &t->total);
    t->values++;
}

static void describe_row(const lk_aggregator *a, const lk_row_span *s, char *buf, size_t size)
{
    const lk_entry_set *set = a->set;
    if (s->file == a->fs.file && s->sheet == a->fs.sheet)
        snprintf(buf, size, "row %lu", s->last);
    else if (s->sheet)
        snprintf(buf, size, "%s[%s] row %lu", set->files[s->file], set->sheets[s->sheet], s->last);
    else
        snprintf(buf, size, "%s row %lu", set->files[s->file], s->last);
}

/* Checks the items against existing entries; commits them when nothing is wrong. */
static void commit_row(lk_aggregator *a, const lk_row *row, row_ctx *ctx)
{
    lk_entry_set *set = a->set;
    file_state *fs = &a->fs;
    strbuf *sb = &a->key;
    record_key_string(sb, ctx);
    size_t base = sb->len;
    char where[400];
    lk_decimal sum;
    for (size_t i = 0; i < ctx->nitems; i++) {
        item *it = &ctx->items[i];
        sb->len = base;
        sb->buf[base] = '\0';
        key_long(sb, it->component);
        it->key = xstrdup(sb->buf);
        size_t idx;
        if (!table_get(&a->entries, it->key, &idx))
            continue;
        it->found = true;
        it->idx = idx;
        lk_entry *e = &set->entries[idx];
        const lk_row_span *last = &e->rows[e->nrows - 1];
        bool same_row = last->file == fs->file && last->sheet == fs->sheet &&
                        last->last == row->number;
        describe_row(a, last, where, sizeof(where));
        if (!same_row && a->m->aggregate == LK_AGG_REJECT)
            row_error(a, row, ctx, it->column, "repeats %s (employee %ld, component %d); the "
                      "mapping says \"aggregate\": \"reject\"", where,
                      ctx->employee.employee_number, it->component);
        else if (e->value_null != it->null)
            row_error(a, row, ctx, it->column, "component %d: one cell is blank (send null, "
                      "remove) and %s gives a value; both cannot hold", it->component, where);
        else if ((e->payslip_text || ctx->payslip_text) &&
                 (!e->payslip_text || !ctx->payslip_text ||
                  strcmp(e->payslip_text, ctx->payslip_text)))
            row_error(a, row, ctx, fs->payslip_text, "payslip text \"%.60s\" differs from "
                      "\"%.60s\" in %s for the same record", ctx->payslip_text ? ctx->payslip_text : "",
                      e->payslip_text ? e->payslip_text : "", where);
        else if (!lk_decimal_add(e->value, it->value, &sum))
            row_error(a, row, ctx, it->column, "the sum of component %d is out of range",
                      it->component);
    }
    if (ctx->failed)
        return;

    lk_file_info *fi = &set->file_info[fs->file];
    for (size_t i = 0; i < ctx->nitems; i++) {
        item *it = &ctx->items[i];
        size_t idx;
        lk_entry *e;
        /* a row's second cell for a new entry finds the one its first cell made */
        if (it->found ? (idx = it->idx, true) : table_get(&a->entries, it->key, &idx)) {
            e = &set->entries[idx];
            lk_decimal_add(e->value, it->value, &e->value);
        } else {
            idx = set->nentries;
            lk_grow(&set->entries, sizeof(lk_entry), set->nentries + 1, &set->entries_alloc);
            lk_grow(&a->entry_round, sizeof(int), set->nentries + 1, &a->entry_round_alloc);
            e = &set->entries[set->nentries++];
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
            e->value = it->value;
            e->value_null = it->null;
            e->is_supplement = it->spec->is_supplement;
            e->mapping_column = it->column;
            const char *h = header_of(fs, it->column);
            e->column_header = h ? xstrdup(h) : NULL;
            a->entry_round[idx] = it->spec->round;
            table_put(&a->entries, it->key, idx);
        }
        add_span(a, e, row);
        const char *name = it->spec->name;
        if (!name && a->m->layout == LK_LAYOUT_WIDE)
            name = header_of(fs, it->column);
        add_total(fi, it, name);
    }
    if (ctx->nitems) {
        /* employees, not employments: 1007's two employments are one person */
        strbuf_reset(sb);
        key_str(sb, ctx->employee.employer);
        key_long(sb, ctx->employee.employee_number);
        key_str(sb, ctx->employee.employment_id);
        table_put(&fs->employees, sb->buf, 0);
    }
}

static void free_ctx(row_ctx *ctx)
{
    free(ctx->employee.employer);
    free(ctx->employee.employment_id);
    free(ctx->record_key.cost_center.code);
    free(ctx->record_key.cost_unit.code);
    free(ctx->record_key.distribution_unit.code);
    free(ctx->record_key.shift.code);
    free(ctx->record_key.payslip_type.code);
    free(ctx->payslip_text);
    for (size_t i = 0; i < ctx->nitems; i++)
        free(ctx->items[i].key);
    free(ctx->items);
}

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
            snprintf(buf, size, "skipped: %s", r->reason);
        else if (r->test == LK_SKIP_BLANK)
            snprintf(buf, size, "skipped: column is blank (input.skipRows[%zu])", i);
        else
            snprintf(buf, size, "skipped: \"%.60s\" matches \"%.60s\" (input.skipRows[%zu])", t,
                     r->pattern, i);
        return buf;
    }
    return NULL;
}

static void count_ignored(lk_aggregator *a, const lk_row *row)
{
    lk_file_info *fi = &a->set->file_info[a->fs.file];
    for (size_t i = 0; i < fi->nignored; i++)
        if (!cell_blank(cell_at(row, fi->ignored[i].column)))
            fi->ignored[i].values++;
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
    if (!fs->resolved && !resolve_all(a, row))
        return;

    lk_file_info *fi = &a->set->file_info[fs->file];
    a->set->rows_read++;
    fi->rows_read++;

    char reason[256];
    size_t skip_col = LK_NO_COLUMN;
    if (skip_reason(a, row, &skip_col, reason, sizeof(reason))) {
        row_skipped(a, row, skip_col, reason);
        return;
    }
    count_ignored(a, row);

    row_ctx ctx;
    memset(&ctx, 0, sizeof(ctx));
    size_t issues_before = a->set->nissues;
    read_identity(a, row, &ctx);
    read_values(a, row, &ctx);

    bool no_employee = ctx.employee.employee_number == 0 && !ctx.employee.employment_id;
    size_t id_col = fs->employee_number != LK_NO_COLUMN ? fs->employee_number : fs->employment_id;
    if (!ctx.failed && no_employee) {
        if (ctx.nitems == 0)
            row_skipped(a, row, LK_NO_COLUMN, "skipped: no employee and no values");
        else
            row_error(a, row, &ctx, id_col, "employee number missing, but the row has values");
    } else if (!ctx.failed && ctx.nitems == 0) {
        row_skipped(a, row, LK_NO_COLUMN, "skipped: no values in the mapped columns");
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
    free_ctx(&ctx);
}

/* ---------------------------------------------------------------- files through the reader */

typedef struct evidence {
    char sep;
    unsigned long row;
    size_t col;
    char text[64];
} evidence;

/* First pass for "decimalSeparator": "auto": the file's own values decide, or fail. */
static bool detect_style(lk_aggregator *a, const char *path, lk_number_style *style,
                         lk_error *err)
{
    const lk_mapping *m = a->m;
    lk_reader_opts opts = m->reader;
    lk_reader *r = lk_reader_open(path, &opts, err);
    if (!r)
        return false;
    evidence first[2];
    memset(first, 0, sizeof(first));
    const lk_row *row;
    int rc;
    while ((rc = lk_reader_next(r, &row, err)) == 1) {
        if (row->number < m->first_data_row)
            continue;
        for (size_t i = 0; i < row->ncells; i++) {
            if (row->cells[i].type != LK_CELL_STRING)
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
        if (first[0].sep && first[1].sep)
            break;
    }
    char delim = lk_reader_delimiter(r);
    lk_file_type type = lk_reader_type(r);
    lk_reader_free(r);
    if (rc < 0)
        return false;
    if (first[0].sep && first[1].sep) {
        char c0[8], c1[8];
        lk_error_clear(err);
        lk_error_at(err, path, NULL, first[1].row, first[1].col, NULL);
        lk_error_set(err, LK_ERR_INPUT, "cannot tell the decimal separator: \"%s\" (row %lu, "
                     "column %s) has a decimal comma, \"%s\" (row %lu, column %s) a decimal "
                     "point; set input.decimalSeparator in the mapping", first[1].text,
                     first[1].row, lk_column_letter(first[1].col, c1), first[0].text,
                     first[0].row, lk_column_letter(first[0].col, c0));
        return false;
    }
    if (first[1].sep)
        style->decimal = ',';
    else if (first[0].sep)
        style->decimal = '.';
    else /* no telling value: Dutch Excel writes ';' exactly because ',' is its decimal mark */
        style->decimal = type == LK_FILE_CSV && delim == ';' ? ',' : '.';
    return true;
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

lk_code lk_aggregator_add_file(lk_aggregator *a, const char *path, lk_error *err)
{
    const lk_mapping *m = a->m;
    lk_number_style style = { m->decimal_sep, 0 };
    lk_error ferr;
    lk_error_clear(&ferr);
    lk_aggregator_begin_file(a, path, &style);
    if (!style.decimal && !detect_style(a, path, &style, &ferr)) {
        if (ferr.code == LK_ERR_NOMEM)
            return lk_error_set(err, LK_ERR_NOMEM, "out of memory");
        lk_aggregator_file_error(a, &ferr);
        lk_aggregator_end_file(a);
        return LK_OK;
    }
    set_style_separators(m, &style);
    a->fs.style = style;
    lk_file_info *fi = &a->set->file_info[a->fs.file];
    fi->decimal = style.decimal;

    lk_reader_opts opts = m->reader;
    lk_reader *r = lk_reader_open(path, &opts, &ferr);
    if (!r) {
        lk_aggregator_file_error(a, &ferr);
        lk_aggregator_end_file(a);
        return LK_OK;
    }
    snprintf(fi->type, sizeof(fi->type), "%s", lk_reader_type(r) == LK_FILE_XLSX ? "xlsx" : "csv");
    fi->delimiter = lk_reader_type(r) == LK_FILE_XLSX ? 0 : lk_reader_delimiter(r);
    const char *enc = lk_reader_encoding(r);
    snprintf(fi->encoding, sizeof(fi->encoding), "%s", enc ? enc : "");
    const lk_row *row;
    int rc;
    while (!a->fs.failed && (rc = lk_reader_next(r, &row, &ferr)) == 1)
        lk_aggregator_add_row(a, row);
    if (!a->fs.failed && rc < 0)
        lk_aggregator_file_error(a, &ferr);
    if (!a->fs.failed && !a->fs.resolved && fi->rows_read == 0 &&
        (m->header_row || m->component_row)) {
        /* only header rows, or not even those: say so rather than report an empty success */
        unsigned long need = m->header_row > m->component_row ? m->header_row : m->component_row;
        if (!a->fs.seen_header || (m->component_row && !a->fs.seen_component_row))
            file_error_at(a, NULL, need, "the file ends before its header row %lu", need);
    }
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
            lk_error_set(err, LK_ERR_CONFIG, "mapping %s reads the period from a column "
                         "(period.source \"column\"); --period cannot override it", m->path);
            return NULL;
        }
        if (m->period_source == LK_PSRC_FIXED &&
            memcmp(&m->period_fixed, period, sizeof(*period)) != 0) {
            lk_error_clear(err);
            lk_error_set(err, LK_ERR_CONFIG, "mapping %s fixes the period to %s; --period %s "
                         "contradicts it", m->path, lk_period_ref_format(&m->period_fixed, p1),
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
    }
    strbuf_init(&a->key, 128);
    return a;
}

void lk_aggregator_finish(lk_aggregator *a)
{
    for (size_t i = 0; i < a->set->nentries; i++)
        if (a->entry_round[i] >= 0)
            a->set->entries[i].value = lk_decimal_round(a->set->entries[i].value,
                                                        a->entry_round[i]);
}

void lk_aggregator_free(lk_aggregator *a)
{
    if (!a)
        return;
    file_state_free(&a->fs);
    table_free(&a->entries);
    free(a->entry_round);
    strbuf_free(&a->key);
    free(a);
}
