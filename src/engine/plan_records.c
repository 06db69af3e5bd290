/*
 * plan_records.c: resolved entries -> records (employment x period x record key), each holding
 * the sum of its entries' values per component and the errors found on the way.
 */
#include "engine/plan_stages.h"

#include "common/hashmap.h"
#include "common/i18n.h"
#include "common/period_name.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "common/localefmt.h"
#include "engine/resolve.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ================================================================ buckets */

const char *const plan_rk_fields[LK_RK_COUNT] = { "costCenter", "costUnit", "distributionUnit",
                                                    "shift", "payslipType" };
static const char *const rk_words[LK_RK_COUNT] = { "cost center", "cost unit", "distribution unit",
                                                   "shift", "payslip type" };

static const lk_ref *entry_ref(const lk_entry *e, int f)
{
    switch (f) {
    case LK_RK_COST_CENTER: return &e->record_key.cost_center;
    case LK_RK_COST_UNIT: return &e->record_key.cost_unit;
    case LK_RK_DISTRIBUTION_UNIT: return &e->record_key.distribution_unit;
    case LK_RK_SHIFT: return &e->record_key.shift;
    default: return &e->record_key.payslip_type;
    }
}

static void ref_text(strbuf *sb, const lk_ref *r)
{
    if (r->kind == LK_REF_KEY)
        strbuf_addf(sb, "key %d", r->key);
    else if (r->kind == LK_REF_CODE)
        strbuf_addf(sb, "\"%s\"", r->code ? r->code : "");
    else
        strbuf_addstr(sb, "default");
}

static void bucket_error(bucket *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bucket_error(bucket *b, const char *fmt, ...)
{
    strbuf sb;
    va_list ap;
    strbuf_init(&sb, 128);
    va_start(ap, fmt);
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    for (size_t i = 0; i < b->nerrors; i++)
        if (!strcmp(b->errors[i], sb.buf)) {
            strbuf_free(&sb);
            return;
        }
    lk_grow(&b->errors, sizeof *b->errors, b->nerrors + 1, &b->errors_alloc);
    b->errors[b->nerrors++] = strbuf_detach(&sb, NULL);
    b->input_error = true;
}

static void entry_where(strbuf *sb, const lk_entry_set *set, const lk_entry *e)
{
    if (e->nrows) {
        const lk_row_pos *s = &e->first;
        strbuf_addf(sb, "%s", set->files[s->file]);
        if (s->sheet && set->sheets[s->sheet][0])
            strbuf_addf(sb, "[%s]", set->sheets[s->sheet]);
        strbuf_addf(sb, ":%lu", s->row);
    }
    if (e->mapping_column != (size_t)-1) {
        char letter[8];
        strbuf_addf(sb, _("%scolumn %s"), sb->len ? " " : "",
                    lk_column_letter(e->mapping_column, letter));
        if (e->column_header)
            strbuf_addf(sb, " \"%s\"", e->column_header);
    } else if (e->column_header) {
        strbuf_addf(sb, _("%scolumn \"%s\""), sb->len ? " " : "", e->column_header);
    }
}

static bucket *plan_bucket_for(plan_ctx *x, size_t entry_index)
{
    const lk_entry *e = &x->set->entries[entry_index];
    unit *u = &x->units[x->entry_unit[entry_index]];
    strbuf key;
    const lk_meta_ref *resolved[LK_RK_COUNT] = { 0 };
    char *errs[LK_RK_COUNT] = { 0 };
    strbuf_init(&key, 128);
    if (u->failed) {
        char *t = plan_unit_text(u->ref, &u->period_ref);
        strbuf_addf(&key, "U:%s", t);
        free(t);
    } else {
        strbuf_addf(&key, "E:%s|%ld", u->employment->id, u->period->id);
    }
    for (int f = 0; f < LK_RK_COUNT; f++) {
        const lk_ref *r = entry_ref(e, f);
        strbuf_addch(&key, '|');
        if (!u->failed && r->kind != LK_REF_DEFAULT && u->pmd && u->pmd->md) {
            resolved[f] = lk_meta_option_find(u->pmd->md, plan_rk_fields[f], r);
            if (resolved[f]) {
                strbuf_addstr(&key, resolved[f]->key_text ? resolved[f]->key_text : "?");
                continue;
            }
            /* unknown: error below; keep the input's text in the key */
            strbuf sb;
            strbuf_init(&sb, 128);
            const lk_metadata_field *fld = lk_metadata_field_get(u->pmd->md, plan_rk_fields[f]);
            strbuf_addf(&sb, "%s ", rk_words[f]);
            ref_text(&sb, r);
            strbuf_addf(&sb, _(" is not known in %s"), u->admin->name);
            if (fld && fld->n) {
                strbuf_addstr(&sb, " (known: ");
                for (size_t i = 0; i < fld->n && i < 12; i++) {
                    const lk_meta_ref *o = &fld->options[i];
                    strbuf_addf(&sb, "%s%s", i ? ", " : "",
                                o->code ? o->code : o->description ? o->description
                                                                   : o->key_text ? o->key_text : "?");
                }
                strbuf_addch(&sb, ')');
            }
            errs[f] = strbuf_detach(&sb, NULL);
        }
        ref_text(&key, r);
    }
    bucket *b;
    void *v = lk_hashmap_get(x->bucket_by_key, key.buf);
    if (v) {
        b = &x->buckets[(size_t)v - 1];
    } else {
        lk_grow(&x->buckets, sizeof *x->buckets, x->nbuckets + 1, &x->buckets_alloc);
        b = &x->buckets[x->nbuckets++];
        memset(b, 0, sizeof *b);
        b->u = u;
        b->group_key = xstrdup(key.buf);
        for (int f = 0; f < LK_RK_COUNT; f++) {
            b->mapped[f] = *entry_ref(e, f);
            b->resolved[f] = resolved[f];
        }
        lk_hashmap_put(x->bucket_by_key, key.buf, (void *)x->nbuckets);
    }
    for (int f = 0; f < LK_RK_COUNT; f++)
        if (errs[f]) {
            strbuf w;
            strbuf_init(&w, 64);
            entry_where(&w, x->set, e);
            bucket_error(b, "%s%s%s", errs[f], w.len ? _(" at ") : "", w.buf);
            strbuf_free(&w);
            free(errs[f]);
        }
    strbuf_free(&key);
    return b;
}

static bool metadata_allows(const lk_metadata *md, long key, bool *known)
{
    const lk_metadata_field *f = md ? lk_metadata_field_get(md, "payrollComponent") : NULL;
    *known = f != NULL;
    if (!f)
        return true;
    for (size_t i = 0; i < f->n; i++)
        if (f->options[i].key_is_int && f->options[i].key == key)
            return true;
    return false;
}

/* A period from the 1st of a month to its last day. */
static bool is_calendar_month(const lk_period *p)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int y, m, d, y2, m2, d2;
    if (sscanf(p->start_date, "%d-%d-%d", &y, &m, &d) != 3 ||
        sscanf(p->end_date, "%d-%d-%d", &y2, &m2, &d2) != 3 || d != 1 || y != y2 || m != m2 ||
        m < 1 || m > 12)
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d2 == days[m - 1] + (m == 2 && leap);
}

static void plan_add_entry(plan_ctx *x, bucket *b, const lk_entry *e)
{
    unit *u = b->u;
    lk_grow(&b->entries, sizeof *b->entries, b->nentries + 1, &b->entries_alloc);
    b->entries[b->nentries++] = e;
    if (e->payslip_text) {
        if (b->payslip_text && strcmp(b->payslip_text, e->payslip_text))
            b->text_conflict = true;
        else
            b->payslip_text = e->payslip_text;
    }
    char kbuf[24];
    snprintf(kbuf, sizeof kbuf, "%d", e->component);
    lk_hashmap_put(x->components_used, kbuf, (void *)1);
    if (e->incomplete) {
        /* rows of this record may lie past the point where the file stopped */
        strbuf w;
        strbuf_init(&w, 64);
        entry_where(&w, x->set, e);
        bucket_error(b, _("%s could not be read to its end: component %d may lack rows, so "
                     "nothing of this record is sent%s%s"), x->set->files[e->incomplete_file],
                     e->component, w.len ? _("; input ") : "", w.buf);
        strbuf_free(&w);
    }

    const lk_component *comp = NULL;
    if (!u->failed && e->month_calendar && !is_calendar_month(u->period)) {
        strbuf w;
        strbuf_init(&w, 64);
        entry_where(&w, x->set, e);
        bucket_error(b, _("the mapping says the dates' payroll periods are calendar months "
                     "(\"calendar\": \"month\"), but %s's period %s runs from %s to %s%s%s"),
                     u->admin->name, plan_period_code(u->period, (char[LK_PERIOD_NAME_MAX]){ 0 }),
                     lk_fmt_date(u->period->start_date, (char[32]){ 0 }),
                     lk_fmt_date(u->period->end_date, (char[32]){ 0 }), w.len ? _("; input ") : "",
                     w.buf);
        strbuf_free(&w);
    }
    if (!u->failed) {
        comp = plan_component_find(u->admin, u->period->year, e->component);
        bool known;
        bool allowed = metadata_allows(u->pmd ? u->pmd->md : NULL, e->component, &known);
        if (!known)
            allowed = comp != NULL;
        if (x->skip_checks) {
            /* Loket decides */
        } else if (!allowed) {
            strbuf w;
            strbuf_init(&w, 64);
            entry_where(&w, x->set, e);
            bucket_error(b,
                         _("component %d%s%s%s is not allowed in %s for period %s%s%s"),
                         e->component, comp ? " (" : "", comp ? comp->description : "",
                         comp ? ")" : "", u->admin->name,
                         plan_period_code(u->period, (char[LK_PERIOD_NAME_MAX]){ 0 }),
                         w.len ? _("; input ") : "", w.buf);
            strbuf_free(&w);
        } else if (e->is_supplement && comp && !comp->can_be_supplemented) {
            strbuf w;
            strbuf_init(&w, 64);
            entry_where(&w, x->set, e);
            bucket_error(b,
                         _("component %d (%s) cannot be a supplement (isSupplement) in %s%s%s"),
                         e->component, comp->description, u->admin->name,
                         w.len ? _("; input ") : "", w.buf);
            strbuf_free(&w);
        }
    }
    struct bval *bv = NULL;
    for (size_t i = 0; i < b->nvals; i++)
        if (b->vals[i].key == e->component)
            bv = &b->vals[i];
    if (!bv) {
        lk_grow(&b->vals, sizeof *b->vals, b->nvals + 1, &b->vals_alloc);
        bv = &b->vals[b->nvals++];
        memset(bv, 0, sizeof *bv);
        bv->key = e->component;
        bv->value_null = e->value_null;
        bv->value = e->value_null ? 0 : e->value;   /* exact; rounded later */
        bv->is_supplement = e->is_supplement;
        bv->round = e->round;
        bv->has_min = e->has_min;
        bv->has_max = e->has_max;
        bv->min = e->min;
        bv->max = e->max;
        bv->first = e;
        bv->column = e->column_header;
        bv->comp = comp;
        return;
    }
    /* the same component again: dates of one period summed into it */
    if (bv->value_null != e->value_null) {
        bucket_error(b, _("component %d is both removed (null) and given a value in period %s"),
                     e->component, u->label);
        return;
    }
    if (!e->value_null && !lk_decimal_add(bv->value, e->value, &bv->value))
        bv->overflow = true;
}

int plan_cmp_bval(const void *a, const void *b)
{
    return ((const struct bval *)a)->key - ((const struct bval *)b)->key;
}


/* UTF-8 code points of s (a byte that does not start one is not counted). */
static size_t utf8_length(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/*
 * What apply would meet in the request schema and the mapping's own limits, checked on the
 * record as it will be sent (values summed and rounded): the payslip text's maxLength 25, the
 * period's year 2000..9999 and number 1..53, and the mapping's "min"/"max" of each component.
 */
static void check_record(plan_ctx *x, bucket *b)
{
    char v[LK_FMT_NUMBER_MAX], lim[LK_FMT_NUMBER_MAX];
    unit *u = b->u;
    if (b->payslip_text && !x->skip_checks) {
        size_t chars = utf8_length(b->payslip_text), bytes = strlen(b->payslip_text);
        if (chars > LK_PAYSLIP_TEXT_MAX)
            bucket_error(b, _("payslip text \"%s\" is %zu characters; Loket takes at most %d "
                         "(payslipText, maxLength in the request schema)"),
                         b->payslip_text, chars, LK_PAYSLIP_TEXT_MAX);
        else if (bytes > LK_PAYSLIP_TEXT_MAX)
            bucket_error(b, _("payslip text \"%s\" is %zu characters but %zu bytes; a strict "
                         "server counts the bytes against the maximum of %d (payslipText): "
                         "shorten it or drop an accented letter"),
                         b->payslip_text, chars, bytes, LK_PAYSLIP_TEXT_MAX);
    }
    if (!u->failed && u->period && !x->skip_checks &&
        (u->period->year < 2000 || u->period->year > 9999 || u->period->period_number < 1 ||
         u->period->period_number > 53))
        bucket_error(b, _("period %d-P%d of %s is outside the request schema's range (year "
                     "2000..9999, period number 1..53)"),
                     u->period->year, u->period->period_number, u->admin->name);
    for (size_t j = 0; j < b->nvals; j++) {
        const struct bval *bv = &b->vals[j];
        bool low = bv->has_min && bv->value < bv->min, high = bv->has_max && bv->value > bv->max;
        if (bv->value_null || bv->overflow || (!low && !high))
            continue;
        strbuf w;
        strbuf_init(&w, 64);
        entry_where(&w, x->set, bv->first);
        char per[LK_PERIOD_NAME_MAX];
        if (!u->failed && u->period)
            plan_period_code(u->period, per);
        else
            snprintf(per, sizeof per, "%s", u->label);
        if (low)
            bucket_error(b, _("component %d%s%s%s: %s is below the mapping's \"min\" %s in period "
                         "%s%s%s"),
                         bv->key, bv->comp ? " (" : "", bv->comp ? bv->comp->description : "",
                         bv->comp ? ")" : "", lk_fmt_decimal(bv->value, 0, v),
                         lk_fmt_decimal(bv->min, 0, lim), per, w.len ? _("; input ") : "", w.buf);
        else
            bucket_error(b, _("component %d%s%s%s: %s is above the mapping's \"max\" %s in period "
                         "%s%s%s"),
                         bv->key, bv->comp ? " (" : "", bv->comp ? bv->comp->description : "",
                         bv->comp ? ")" : "", lk_fmt_decimal(bv->value, 0, v),
                         lk_fmt_decimal(bv->max, 0, lim), per, w.len ? _("; input ") : "", w.buf);
        strbuf_free(&w);
    }
}

void plan_build_records(plan_ctx *x)
{
    for (size_t i = 0; i < x->set->nentries; i++) {
        bucket *b = plan_bucket_for(x, i);
        plan_add_entry(x, b, &x->set->entries[i]);
    }
}

void plan_round_records(plan_ctx *x)
{
    /* the exact sum of a record, rounded once (the dates of a period and the spellings of one
       record key were summed unrounded) */
    for (size_t i = 0; i < x->nbuckets; i++) {
        for (size_t j = 0; j < x->buckets[i].nvals; j++) {
            struct bval *bv = &x->buckets[i].vals[j];
            if (bv->round >= 0 && !bv->value_null && !bv->overflow)
                bv->value = lk_decimal_round(bv->value, bv->round);
        }
        check_record(x, &x->buckets[i]);
    }
}
