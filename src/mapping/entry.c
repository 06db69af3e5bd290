/*
 * entry.c: ownership of an lk_entry_set (the mapping stage's output), the records' row logs
 * (encoding and walking them; see entry.h) and small helpers.
 */
#include "mapping/entry.h"

#include "common/util.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

void lk_entry_set_init(lk_entry_set *set)
{
    memset(set, 0, sizeof(*set));
    /* sheets[0] is the empty sheet of CSV files, so a span's sheet 0 means "none" */
    set->sheets = xcalloc(1, sizeof(char *));
    set->sheets[0] = xstrdup("");
    set->nsheets = 1;
}

static void free_employee(lk_employee_ref *e)
{
    free(e->employer);
    free(e->employment_id);
}

static void free_record_key(lk_record_key *rk)
{
    free(rk->cost_center.code);
    free(rk->cost_unit.code);
    free(rk->distribution_unit.code);
    free(rk->shift.code);
    free(rk->payslip_type.code);
}

void lk_entry_set_free(lk_entry_set *set)
{
    if (!set)
        return;
    free(set->period_column);
    for (size_t i = 0; i < set->nfiles; i++) {
        free(set->files[i]);
        if (set->file_info) {
            lk_file_info *fi = &set->file_info[i];
            free(fi->sheet);
            for (size_t j = 0; j < fi->ntotals; j++)
                free(fi->totals[j].name);
            free(fi->totals);
            for (size_t j = 0; j < fi->nignored; j++)
                free(fi->ignored[j].header);
            free(fi->ignored);
        }
    }
    free(set->files);
    free(set->file_info);
    for (size_t i = 0; i < set->nsheets; i++)
        free(set->sheets[i]);
    free(set->sheets);
    for (size_t i = 0; i < set->nentries; i++) {
        lk_entry *e = &set->entries[i];
        free_employee(&e->employee);
        free_record_key(&e->record_key);
        free(e->payslip_text);
        free(e->column_header);
    }
    free(set->entries);
    for (size_t i = 0; i < set->nlogs; i++) {
        lk_row_log *l = &set->logs[i];
        free(l->code);
        free(l->prev_mask);
        free(l->run_mask);
        free(l->row_mask);
    }
    free(set->logs);
    for (size_t i = 0; i < set->nissues; i++)
        free_employee(&set->issues[i].employee);
    free(set->issues);
    memset(set, 0, sizeof(*set));
}

unsigned lk_entry_set_file(lk_entry_set *set, const char *path)
{
    for (size_t i = 0; i < set->nfiles; i++)
        if (!strcmp(set->files[i], path))
            return (unsigned)i;
    set->files = xrealloc(set->files, (set->nfiles + 1) * sizeof(char *));
    set->file_info = xrealloc(set->file_info, (set->nfiles + 1) * sizeof(lk_file_info));
    memset(&set->file_info[set->nfiles], 0, sizeof(lk_file_info));
    set->files[set->nfiles] = xstrdup(path);
    return (unsigned)set->nfiles++;
}

unsigned lk_entry_set_sheet(lk_entry_set *set, const char *sheet)
{
    if (!sheet || !*sheet)
        return 0;
    for (size_t i = 1; i < set->nsheets; i++)
        if (!strcmp(set->sheets[i], sheet))
            return (unsigned)i;
    set->sheets = xrealloc(set->sheets, (set->nsheets + 1) * sizeof(char *));
    set->sheets[set->nsheets] = xstrdup(sheet);
    return (unsigned)set->nsheets++;
}

/* ---------------------------------------------------------------- row logs */

static void put_varint(lk_row_log *l, unsigned long long v)
{
    lk_grow(&l->code, 1, l->len + 10, &l->alloc);
    while (v >= 0x80) {
        l->code[l->len++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    l->code[l->len++] = (unsigned char)v;
}

static unsigned long long get_varint(const unsigned char *code, size_t len, size_t *pos)
{
    unsigned long long v = 0;
    for (unsigned shift = 0; *pos < len && shift < 64; shift += 7) {
        unsigned char b = code[(*pos)++];
        v |= (unsigned long long)(b & 0x7f) << shift;
        if (!(b & 0x80))
            break;
    }
    return v;
}

static void set_mask(unsigned char **dst, size_t *dst_len, size_t *dst_alloc,
                     const unsigned char *src, size_t len)
{
    lk_grow(dst, 1, len ? len : 1, dst_alloc);
    if (len)
        memcpy(*dst, src, len);
    *dst_len = len;
}

static bool mask_equal(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen)
{
    return alen == blen && (!alen || !memcmp(a, b, alen));
}

static bool mask_has(const unsigned char *m, size_t len, unsigned slot)
{
    return slot / 8 < len && (m[slot / 8] >> (slot % 8) & 1);
}

/* The pending run goes into the code. */
static void encode_run(lk_row_log *l)
{
    const lk_row_span *r = &l->run;
    if (!l->len || r->file != l->file || r->sheet != l->sheet || r->first <= l->prev) {
        put_varint(l, 0);
        put_varint(l, r->file);
        put_varint(l, r->sheet);
        l->file = r->file;
        l->sheet = r->sheet;
        l->prev = 0;
    }
    bool new_mask = !mask_equal(l->run_mask, l->run_mask_len, l->prev_mask, l->prev_mask_len);
    bool is_run = r->last > r->first;
    put_varint(l, (unsigned long long)(r->first - l->prev) * 4 + (new_mask ? 1 : 0) +
                      (is_run ? 2 : 0));
    if (new_mask) {
        put_varint(l, l->run_mask_len);
        lk_grow(&l->code, 1, l->len + l->run_mask_len, &l->alloc);
        memcpy(l->code + l->len, l->run_mask, l->run_mask_len);
        l->len += l->run_mask_len;
        set_mask(&l->prev_mask, &l->prev_mask_len, &l->prev_mask_alloc, l->run_mask,
                 l->run_mask_len);
    }
    if (is_run)
        put_varint(l, r->last - r->first);
    l->prev = r->last;
}

/* The pending row joins the pending run, or starts the next one. */
static void push_row(lk_row_log *l)
{
    const lk_row_pos *p = &l->row;
    if (l->has_run && l->run.file == p->file && l->run.sheet == p->sheet &&
        l->run.last + 1 == p->row &&
        mask_equal(l->run_mask, l->run_mask_len, l->row_mask, l->row_mask_len)) {
        l->run.last = p->row;
        return;
    }
    if (l->has_run)
        encode_run(l);
    l->run = (lk_row_span){ p->file, p->sheet, p->row, p->row };
    set_mask(&l->run_mask, &l->run_mask_len, &l->run_mask_alloc, l->row_mask, l->row_mask_len);
    l->has_run = true;
}

size_t lk_entry_set_new_log(lk_entry_set *set)
{
    lk_grow(&set->logs, sizeof(lk_row_log), set->nlogs + 1, &set->logs_alloc);
    memset(&set->logs[set->nlogs], 0, sizeof(lk_row_log));
    return set->nlogs++;
}

void lk_entry_set_attach(lk_entry_set *set, size_t entry, size_t log)
{
    lk_entry *e = &set->entries[entry];
    e->log = log;
    e->slot = set->logs[log].nslots++;
}

void lk_entry_add_row(lk_entry_set *set, size_t entry, unsigned file, unsigned sheet,
                      unsigned long row)
{
    lk_entry_add_rows(set, &entry, 1, file, sheet, row);
}

void lk_entry_add_rows(lk_entry_set *set, const size_t *entries, size_t n, unsigned file,
                       unsigned sheet, unsigned long row)
{
    if (!n)
        return;
    lk_row_log *l = &set->logs[set->entries[entries[0]].log];
    lk_row_pos pos = { file, sheet, row };
    bool same = l->has_row && l->row.file == file && l->row.sheet == sheet && l->row.row == row;
    if (!same) {
        if (l->has_row)
            push_row(l);
        l->row = pos;
        l->row_mask_len = 0;
        l->has_row = true;
    }
    for (size_t i = 0; i < n; i++) {
        lk_entry *e = &set->entries[entries[i]];
        if (!e->nrows)
            e->first = pos;
        if (!e->nrows || e->last.file != file || e->last.sheet != sheet || e->last.row != row)
            e->nrows++;
        e->last = pos;
        size_t byte = e->slot / 8;
        if (byte >= l->row_mask_len) {
            lk_grow(&l->row_mask, 1, byte + 1, &l->row_mask_alloc);
            memset(l->row_mask + l->row_mask_len, 0, byte + 1 - l->row_mask_len);
            l->row_mask_len = byte + 1;
        }
        l->row_mask[byte] |= (unsigned char)(1u << (e->slot % 8));
    }
}

void lk_row_walk_init(lk_row_walk *w, const lk_entry_set *set, const lk_entry *e, size_t log)
{
    memset(w, 0, sizeof(*w));
    w->log = &set->logs[e ? e->log : log];
    w->slot = e ? (long)e->slot : -1;
}

/* The next run of the log, whatever its mask. */
static bool next_run(lk_row_walk *w, lk_row_span *s, const unsigned char **mask, size_t *mlen)
{
    const lk_row_log *l = w->log;
    while (w->stage == 0 && w->pos < l->len) {
        unsigned long long v = get_varint(l->code, l->len, &w->pos);
        if (v == 0) {
            w->file = (unsigned)get_varint(l->code, l->len, &w->pos);
            w->sheet = (unsigned)get_varint(l->code, l->len, &w->pos);
            w->prev = 0;
            continue;
        }
        s->file = w->file;
        s->sheet = w->sheet;
        s->first = w->prev + (unsigned long)(v / 4);
        if (v & 1) {
            w->mask_len = (size_t)get_varint(l->code, l->len, &w->pos);
            if (w->mask_len > l->len - w->pos)
                w->mask_len = l->len - w->pos;
            w->mask = l->code + w->pos;
            w->pos += w->mask_len;
        }
        s->last = s->first + (v & 2 ? (unsigned long)get_varint(l->code, l->len, &w->pos) : 0);
        w->prev = s->last;
        *mask = w->mask;
        *mlen = w->mask_len;
        return true;
    }
    if (w->stage == 0)
        w->stage = 1;
    if (w->stage == 1) {
        w->stage = 2;
        if (l->has_run) {
            *s = l->run;
            *mask = l->run_mask;
            *mlen = l->run_mask_len;
            return true;
        }
    }
    if (w->stage == 2) {
        w->stage = 3;
        if (l->has_row) {
            *s = (lk_row_span){ l->row.file, l->row.sheet, l->row.row, l->row.row };
            *mask = l->row_mask;
            *mlen = l->row_mask_len;
            return true;
        }
    }
    return false;
}

bool lk_row_walk_next(lk_row_walk *w, lk_row_span *span)
{
    lk_row_span s;
    const unsigned char *mask;
    size_t mlen;
    while (next_run(w, &s, &mask, &mlen)) {
        if (w->slot >= 0 && !mask_has(mask, mlen, (unsigned)w->slot))
            continue;
        if (w->has_out && w->out.file == s.file && w->out.sheet == s.sheet &&
            s.first <= w->out.last + 1 && s.last + 1 >= w->out.first) {
            if (s.first < w->out.first)
                w->out.first = s.first;
            if (s.last > w->out.last)
                w->out.last = s.last;
            continue;
        }
        bool had = w->has_out;
        *span = w->out;
        w->out = s;
        w->has_out = true;
        if (had)
            return true;
    }
    if (!w->has_out)
        return false;
    *span = w->out;
    w->has_out = false;
    return true;
}

size_t lk_entry_set_errors(const lk_entry_set *set)
{
    size_t n = set->errors_not_listed;
    for (size_t i = 0; i < set->nissues; i++)
        if (!set->issues[i].skipped)
            n++;
    return n;
}

char *lk_period_ref_format(const lk_period_ref *p, char *buf)
{
    switch (p->kind) {
    case LK_PERIOD_MONTH:
        snprintf(buf, 16, "%04d-%02d", p->year, p->number);
        break;
    case LK_PERIOD_NUMBER:
        snprintf(buf, 16, "%04d-P%02d", p->year, p->number);
        break;
    case LK_PERIOD_WEEK:
        snprintf(buf, 16, "%04d-W%02d", p->year, p->number);
        break;
    case LK_PERIOD_DATE:
        snprintf(buf, 16, "%04d-%02d-%02d", p->year, p->month, p->day);
        break;
    default:
        buf[0] = '\0';
    }
    return buf;
}

lk_decimal lk_entry_shown_value(const lk_entry *e)
{
    if (e->value_null || e->round < 0 || e->period.kind == LK_PERIOD_DATE)
        return e->value;
    return lk_decimal_round(e->value, e->round);
}
