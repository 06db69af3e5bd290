/*
 * period_totals.c: dated entries of a calendar-month mapping -> totals per month and component,
 * each record rounded once (see period_totals.h).
 */
#include "mapping/period_totals.h"

#include "common/hashmap.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct record_sum {
    int year, month, component, round;
    lk_decimal sum;
    bool null, overflow;
} record_sum;

static void ref_key(strbuf *sb, const lk_ref *r)
{
    strbuf_addf(sb, "|%d:%d:%s", (int)r->kind, r->key, r->code ? r->code : "");
}

static int cmp_total(const void *a, const void *b)
{
    const lk_period_total *x = a, *y = b;
    if (x->year != y->year)
        return x->year < y->year ? -1 : 1;
    if (x->month != y->month)
        return x->month < y->month ? -1 : 1;
    return (x->component > y->component) - (x->component < y->component);
}

bool lk_period_totals_need_plan(const lk_entry_set *set)
{
    for (size_t i = 0; i < set->nentries; i++)
        if (set->entries[i].period.kind == LK_PERIOD_DATE && !set->entries[i].month_calendar)
            return true;
    return false;
}

lk_period_total *lk_period_totals(const lk_entry_set *set, size_t *n)
{
    *n = 0;
    record_sum *recs = NULL;
    size_t nrecs = 0, alloc = 0;
    lk_hashmap *by_key = NULL;
    strbuf key = STRBUF_INIT;
    for (size_t i = 0; i < set->nentries; i++) {
        const lk_entry *e = &set->entries[i];
        if (e->period.kind != LK_PERIOD_DATE || !e->month_calendar)
            continue;
        if (!by_key) {
            by_key = lk_hashmap_new(set->nentries + 1);
            strbuf_init(&key, 128);
        }
        strbuf_reset(&key);
        strbuf_addf(&key, "%s/%ld/%s/%ld/%ld|%04d-%02d|%d",
                    e->employee.employer ? e->employee.employer : "", e->employee.employee_number,
                    e->employee.employment_id ? e->employee.employment_id : "",
                    e->employee.payroll_id, e->employee.income_relationship, e->period.year,
                    e->period.month, e->component);
        ref_key(&key, &e->record_key.cost_center);
        ref_key(&key, &e->record_key.cost_unit);
        ref_key(&key, &e->record_key.distribution_unit);
        ref_key(&key, &e->record_key.shift);
        ref_key(&key, &e->record_key.payslip_type);
        size_t at = (size_t)lk_hashmap_get(by_key, key.buf);
        record_sum *r;
        if (at) {
            r = &recs[at - 1];
        } else {
            lk_grow(&recs, sizeof *recs, nrecs + 1, &alloc);
            r = &recs[nrecs++];
            *r = (record_sum){ e->period.year, e->period.month, e->component, e->round, 0, false,
                               false };
            lk_hashmap_put(by_key, key.buf, (void *)nrecs);
        }
        if (e->value_null)
            r->null = true;
        else if (!lk_decimal_add(r->sum, e->value, &r->sum))
            r->overflow = true;
    }
    strbuf_free(&key);
    lk_hashmap_free(by_key);
    if (!nrecs) {
        free(recs);
        return NULL;
    }
    lk_period_total *t = xcalloc(nrecs, sizeof *t);
    for (size_t i = 0; i < nrecs; i++) {
        record_sum *r = &recs[i];
        lk_decimal v = r->round >= 0 ? lk_decimal_round(r->sum, r->round) : r->sum;
        size_t j = 0;
        while (j < *n && !(t[j].year == r->year && t[j].month == r->month &&
                           t[j].component == r->component))
            j++;
        if (j == *n)
            t[(*n)++] = (lk_period_total){ r->year, r->month, r->component, 0, 0, false };
        t[j].records++;
        if (r->overflow || (!r->null && !lk_decimal_add(t[j].total, v, &t[j].total)))
            t[j].overflow = true;
    }
    free(recs);
    qsort(t, *n, sizeof *t, cmp_total);
    return t;
}
