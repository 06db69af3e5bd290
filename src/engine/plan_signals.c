/*
 * plan_signals.c: the records of the plan + the same employments' earlier periods and contracts
 * (plan_history.c) -> the plausibility signals in the report: the file repeating an earlier
 * period, a value far from the employment's own median (a likely decimal slip named), more
 * hours than the contract allows, a component the employment never had. The thresholds are
 * lk_checks (mapping and configuration "checks"; docs/mappings.md gives the reasons).
 *
 * Only what the file sends is judged, per employment and period: the values of all its records
 * (cost centers, shifts) summed per component, supplements left out (they add to a fixed value
 * the history does not show).
 */
#include "engine/plan_stages.h"

#include "common/strbuf.h"
#include "common/util.h"
#include "report/report_signals.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct comp_sum {
    long key;
    lk_decimal value;
    const lk_component *comp;
} comp_sum;

/* One employment in one target period, as the file has it. */
typedef struct emp_now {
    const bucket *b;              /* its first record */
    const lk_report_record *rec;
    comp_sum *vals;
    size_t n, alloc;
    bool partial;                 /* not a whole period: starts or ends in it, or the file's
                                   * dates cover only part of it */
    const lk_period **earlier;    /* history periods, newest first (shared per period) */
    size_t nearlier;
    bool owns_earlier;
} emp_now;

/* ---------------------------------------------------------------- dates */

static long days_of(const char *iso)
{
    int y, m, d;
    if (!iso || sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) != 3)
        return 0;
    /* days from civil (Howard Hinnant) */
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The file's first and last date (date-column inputs), as day numbers; false: no dates. */
static bool file_dates(const lk_entry_set *set, long *first, long *last)
{
    bool any = false;
    for (size_t i = 0; i < set->nentries; i++) {
        const lk_period_ref *p = &set->entries[i].period;
        char iso[16];
        if (p->kind != LK_PERIOD_DATE)
            continue;
        snprintf(iso, sizeof iso, "%04d-%02d-%02d", p->year, p->month, p->day);
        long d = days_of(iso);
        if (!any || d < *first)
            *first = d;
        if (!any || d > *last)
            *last = d;
        any = true;
    }
    return any;
}

/* ---------------------------------------------------------------- the file's side */

static bool bucket_ok(const bucket *b)
{
    return !b->u->failed && !b->nerrors && b->u->employment && b->u->period && b->u->admin;
}

static void add_value(emp_now *e, const struct bval *v)
{
    for (size_t i = 0; i < e->n; i++)
        if (e->vals[i].key == v->key) {
            lk_decimal_add(e->vals[i].value, v->value, &e->vals[i].value);
            return;
        }
    lk_grow(&e->vals, sizeof *e->vals, e->n + 1, &e->alloc);
    e->vals[e->n].key = v->key;
    e->vals[e->n].value = v->value;
    e->vals[e->n].comp = v->comp;
    e->n++;
}

static emp_now *collect(plan_ctx *x, size_t *count)
{
    lk_hashmap *index = lk_hashmap_new(x->nbuckets + 1);
    emp_now *out = xcalloc(x->nbuckets + 1, sizeof *out);
    size_t n = 0;
    long first = 0, last = 0;
    bool dated = file_dates(x->set, &first, &last);
    strbuf key = STRBUF_INIT;
    for (size_t i = 0; i < x->nbuckets; i++) {
        const bucket *b = &x->buckets[i];
        if (!bucket_ok(b))
            continue;
        strbuf_reset(&key);
        strbuf_addf(&key, "%s|%ld", b->u->employment->id, b->u->period->id);
        emp_now *e = lk_hashmap_get(index, key.buf);
        if (!e) {
            e = &out[n++];
            e->b = b;
            e->rec = b->item < x->plan->nitems ? x->plan->items[b->item].rec : NULL;
            lk_hashmap_put(index, key.buf, e);
            const lk_employment *em = b->u->employment;
            const lk_period *p = b->u->period;
            e->partial = (em->start_date[0] && strcmp(em->start_date, p->start_date) > 0) ||
                         (em->end_date[0] && strcmp(em->end_date, p->end_date) < 0);
        }
        for (size_t j = 0; j < b->nentries; j++)
            if (dated && b->entries[j]->period.kind == LK_PERIOD_DATE &&
                (days_of(b->u->period->start_date) < first || days_of(b->u->period->end_date) > last))
                e->partial = true;
        for (size_t j = 0; j < b->nvals; j++)
            if (!b->vals[j].value_null && !b->vals[j].is_supplement && !b->vals[j].overflow)
                add_value(e, &b->vals[j]);
    }
    strbuf_free(&key);
    lk_hashmap_free(index);
    *count = n;
    return out;
}

/* ---------------------------------------------------------------- the history's side */

/* The employment's value of a component in an earlier period (summed over its records). */
static bool history_value(const merged_set *ms, const char *employment_id, long period_id,
                          long key, lk_decimal *out)
{
    bool found = false;
    lk_decimal sum = 0;
    for (size_t i = ms ? plan_merged_first(ms, employment_id, period_id) : 0; i;
         i = ms->items[i - 1].next_same) {
        const lk_period_data_record *r = &ms->items[i - 1].rec;
        if (!plan_line_has_values(r))
            continue;
        for (size_t k = 0; k < r->ncomponents; k++) {
            const lk_component_value *cv = &r->components[k];
            if (cv->key != key || !cv->has_value || cv->is_supplement)
                continue;
            lk_decimal_add(sum, cv->value, &sum);
            found = true;
        }
    }
    if (found)
        *out = sum;
    return found;
}

/* Any value at all of the employment in that earlier period? */
static bool history_any(const merged_set *ms, const char *employment_id, long period_id)
{
    for (size_t i = ms ? plan_merged_first(ms, employment_id, period_id) : 0; i;
         i = ms->items[i - 1].next_same) {
        const lk_period_data_record *r = &ms->items[i - 1].rec;
        for (size_t k = 0; k < r->ncomponents; k++)
            if (r->components[k].has_value)
                return true;
    }
    return false;
}

static int cmp_decimal(const void *a, const void *b)
{
    lk_decimal x = *(const lk_decimal *)a, y = *(const lk_decimal *)b;
    return x < y ? -1 : x > y;
}

static lk_decimal median_of(const lk_decimal *v, size_t n)
{
    lk_decimal *s = xcalloc(n, sizeof *s);
    memcpy(s, v, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_decimal);
    lk_decimal m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    free(s);
    return m;
}

/* ---------------------------------------------------------------- making signals */

static lk_report_signal *new_signal(plan_ctx *x, lk_signal_kind kind, const emp_now *e)
{
    char name[LK_PERIOD_NAME_MAX];
    lk_report_signal *g = lk_report_signals_add(x->report->signals, kind);
    g->blocking = x->checks->blocking[kind];
    if (e) {
        const lk_employment *em = e->b->u->employment;
        g->employee_number = em->employee_number;
        if (e->rec && e->rec->employee_name)
            g->employee_name = xstrdup(e->rec->employee_name); /* the report's, made safe */
        g->employment_id = xstrdup(em->id);
        g->payroll_id = em->payroll_id;
        g->period = xstrdup(plan_period_code(e->b->u->period, name));
    }
    return g;
}

static void set_component(lk_report_signal *g, const emp_now *e, const comp_sum *c)
{
    g->component = c->key;
    if (e->rec)
        for (size_t i = 0; i < e->rec->ncomponents; i++)
            if (e->rec->components[i].key == c->key && e->rec->components[i].description) {
                g->component_name = xstrdup(e->rec->components[i].description);
                break;
            }
    g->has_value = true;
    g->value = c->value;
}

/* Is the component one of the hours counted against the contract? comp: Loket's component
 * (its category decides when the checks name no components), NULL when not known. */
static bool contract_key(const lk_checks *ck, long key, const lk_component *comp)
{
    if (ck->ncontract_components) {
        for (size_t i = 0; i < ck->ncontract_components; i++)
            if (ck->contract_components[i] == key)
                return true;
        return false;
    }
    return comp && comp->category && !strcasecmp(comp->category, "Uren");
}

static bool contract_component(const lk_checks *ck, const comp_sum *c)
{
    return contract_key(ck, c->key, c->comp);
}

/* The employment's hours of the contract components: in the file (period NULL), or in an
 * earlier period (every component Loket holds then, not only the file's). */
static bool contract_total(const plan_ctx *x, const emp_now *e, const lk_period *period,
                           lk_decimal *out)
{
    bool any = false;
    lk_decimal sum = 0;
    if (!period) {
        for (size_t i = 0; i < e->n; i++)
            if (contract_component(x->checks, &e->vals[i])) {
                lk_decimal_add(sum, e->vals[i].value, &sum);
                any = true;
            }
        *out = sum;
        return any;
    }
    const merged_set *ms = plan_history_lines(x);
    for (size_t i = ms ? plan_merged_first(ms, e->b->u->employment->id, period->id) : 0; i;
         i = ms->items[i - 1].next_same) {
        const lk_period_data_record *r = &ms->items[i - 1].rec;
        for (size_t k = 0; k < r->ncomponents; k++) {
            const lk_component_value *cv = &r->components[k];
            if (!cv->has_value || cv->is_supplement ||
                !contract_key(x->checks, cv->key,
                              plan_component_find(e->b->u->admin, period->year, cv->key)))
                continue;
            lk_decimal_add(sum, cv->value, &sum);
            any = true;
        }
    }
    *out = sum;
    return any;
}

/* 10 or 100 when value and reference are that factor apart: exactly (value = 10 x an earlier
 * value or a tenth of it), else within 10% of it. */
static int decimal_slip(lk_decimal v, const lk_decimal *hist, size_t n, lk_decimal median,
                        bool *exact)
{
    static const int factors[] = { 10, 100 };
    *exact = false;
    for (int f = 0; f < 2; f++)
        for (size_t i = 0; i < n; i++)
            if (hist[i] > 0 && (v == hist[i] * factors[f] || v * factors[f] == hist[i])) {
                *exact = true;
                return factors[f];
            }
    double ratio = (double)v / (double)median;
    if (ratio < 1)
        ratio = 1 / ratio;
    for (int f = 0; f < 2; f++)
        if (fabs(ratio - factors[f]) <= factors[f] * 0.1)
            return factors[f];
    return 0;
}

static void check_outliers(plan_ctx *x, const emp_now *e)
{
    const lk_checks *ck = x->checks;
    const merged_set *ms = plan_history_lines(x);
    const char *id = e->b->u->employment->id;
    lk_decimal *hist = xcalloc(e->nearlier + 1, sizeof *hist);
    char **names = xcalloc(e->nearlier + 1, sizeof *names);
    bool any_history = false;
    for (size_t p = 0; p < e->nearlier; p++)
        any_history |= history_any(ms, id, e->earlier[p]->id);
    for (size_t i = 0; i < e->n; i++) {
        const comp_sum *c = &e->vals[i];
        size_t n = 0;
        char pname[LK_PERIOD_NAME_MAX];
        /* oldest first, as a person reads a row of months */
        for (size_t p = e->nearlier; p-- > 0;) {
            lk_decimal v;
            if (history_value(ms, id, e->earlier[p]->id, c->key, &v)) {
                names[n] = xstrdup(plan_period_code(e->earlier[p], pname));
                hist[n++] = v;
            }
        }
        if (!n && any_history && c->value != 0 && ck->enabled[LK_SIGNAL_NEW_COMPONENT]) {
            lk_report_signal *g = new_signal(x, LK_SIGNAL_NEW_COMPONENT, e);
            set_component(g, e, c);
            g->ref_periods = xcalloc(e->nearlier + 1, sizeof *g->ref_periods);
            for (size_t p = e->nearlier; p-- > 0;)
                if (history_any(ms, id, e->earlier[p]->id))
                    g->ref_periods[g->nref++] = xstrdup(plan_period_code(e->earlier[p], pname));
        }
        if (ck->enabled[LK_SIGNAL_OUTLIER] && n >= (size_t)ck->min_history && c->value > 0) {
            lk_decimal m = median_of(hist, n);
            double v = lk_decimal_to_double(c->value), md = lk_decimal_to_double(m);
            bool high = md > 0 && v >= ck->outlier_factor * md && v - md >= ck->min_difference;
            bool low = md > 0 && v * ck->outlier_factor <= md && md - v >= ck->min_difference &&
                       !e->partial;
            if ((high || low) && contract_component(ck, c)) {
                /* hours moved between worked, sick and holiday within a usual total are no
                 * slip: the employment's contract hours together must be off too */
                lk_decimal now_total, t;
                lk_decimal *totals = xcalloc(e->nearlier + 1, sizeof *totals);
                size_t nt = 0;
                for (size_t p = 0; p < e->nearlier; p++)
                    if (contract_total(x, e, e->earlier[p], &t))
                        totals[nt++] = t;
                if (nt && contract_total(x, e, NULL, &now_total)) {
                    /* within 1/outlierFactor of the usual total (3: from 2/3 to 4/3 of it) */
                    double tv = lk_decimal_to_double(now_total);
                    double tm = lk_decimal_to_double(median_of(totals, nt));
                    if (tm > 0 && tv >= tm * (1.0 - 1.0 / ck->outlier_factor) &&
                        tv <= tm * (1.0 + 1.0 / ck->outlier_factor))
                        high = low = false;
                }
                free(totals);
            }
            if (high || low) {
                lk_report_signal *g = new_signal(x, LK_SIGNAL_OUTLIER, e);
                set_component(g, e, c);
                g->has_median = true;
                g->median = m;
                g->decimal_slip = decimal_slip(c->value, hist, n, m, &g->slip_exact);
                g->ref_periods = names;
                g->ref_values = xcalloc(n, sizeof *g->ref_values);
                memcpy(g->ref_values, hist, n * sizeof *hist);
                g->nref = n;
                names = xcalloc(e->nearlier + 1, sizeof *names);
                continue;
            }
        }
        for (size_t k = 0; k < n; k++) {
            free(names[k]);
            names[k] = NULL;
        }
    }
    free(names);
    free(hist);
}

static void check_contract(plan_ctx *x, const emp_now *e)
{
    const lk_checks *ck = x->checks;
    const lk_working_hours *wh = plan_history_hours(x, e->b->u->employment->id);
    const lk_employment *em = e->b->u->employment;
    const lk_period *p = e->b->u->period;
    lk_decimal total, allowed;
    if (!ck->enabled[LK_SIGNAL_OVER_CONTRACT] || !wh || !wh->has_hours ||
        !contract_total(x, e, NULL, &total))
        return;
    long from = days_of(p->start_date), to = days_of(p->end_date);
    if (em->start_date[0] && days_of(em->start_date) > from)
        from = days_of(em->start_date);
    if (em->end_date[0] && days_of(em->end_date) < to)
        to = days_of(em->end_date);
    if (to < from)
        return;
    double weeks = (double)(to - from + 1) / 7.0;
    if (!lk_decimal_from_double(wh->hours_per_week * weeks * (1.0 + ck->contract_margin), &allowed))
        return;
    allowed = lk_decimal_round(allowed, 2);
    if (total <= allowed)
        return;
    lk_report_signal *g = new_signal(x, LK_SIGNAL_OVER_CONTRACT, e);
    g->has_value = true;
    g->value = total;
    g->hours_per_week = wh->hours_per_week;
    g->weeks = weeks;
    g->margin = ck->contract_margin;
    g->allowed = allowed;
    /* one component: name it */
    size_t counted = 0, which = 0;
    for (size_t i = 0; i < e->n; i++)
        if (contract_component(ck, &e->vals[i])) {
            counted++;
            which = i;
        }
    if (counted == 1) {
        set_component(g, e, &e->vals[which]);
        g->value = total;
    }
}

/*
 * repeat-of-previous, per administration x period of the file: an employment whose history
 * varies (fixed monthly hours say nothing) and whose every value equals one earlier period's
 * votes for that period; more than repeatShare of such employments, and at least
 * repeatMinEmployments, voting for the same period is the file of that period again.
 */
static void check_repeat(plan_ctx *x, emp_now *all, size_t n)
{
    const lk_checks *ck = x->checks;
    const merged_set *ms = plan_history_lines(x);
    bool *done = xcalloc(n + 1, sizeof *done);
    for (size_t g0 = 0; g0 < n; g0++) {
        if (done[g0])
            continue;
        const admin_info *ad = all[g0].b->u->admin;
        const lk_period *target = all[g0].b->u->period;
        const lk_period **earlier = all[g0].earlier;
        size_t nearlier = all[g0].nearlier;
        long *votes = xcalloc(nearlier + 1, sizeof *votes);
        long informative = 0;
        for (size_t i = g0; i < n; i++) {
            emp_now *e = &all[i];
            if (e->b->u->admin != ad || e->b->u->period != target)
                continue;
            done[i] = true;
            if (!e->n)
                continue;
            /* which earlier periods equal the file, and does the history vary at all? */
            bool varies = false, seen_first = false;
            lk_decimal *first = xcalloc(e->n, sizeof *first);
            bool *first_has = xcalloc(e->n, sizeof *first_has);
            long *match = xcalloc(nearlier + 1, sizeof *match);
            for (size_t p = 0; p < nearlier; p++) {
                bool all_equal = true, any = false;
                lk_decimal *row = xcalloc(e->n, sizeof *row);
                bool *has = xcalloc(e->n, sizeof *has);
                for (size_t c = 0; c < e->n; c++) {
                    has[c] = history_value(ms, e->b->u->employment->id, earlier[p]->id,
                                           e->vals[c].key, &row[c]);
                    any |= has[c];
                    if (!has[c] || row[c] != e->vals[c].value)
                        all_equal = false;
                }
                if (any) {
                    if (!seen_first) {
                        memcpy(first, row, e->n * sizeof *row);
                        memcpy(first_has, has, e->n * sizeof *has);
                        seen_first = true;
                    } else {
                        for (size_t c = 0; c < e->n; c++)
                            if (has[c] != first_has[c] || (has[c] && row[c] != first[c]))
                                varies = true;
                    }
                }
                match[p] = all_equal;
                free(row);
                free(has);
            }
            if (varies) {
                informative++;
                for (size_t p = 0; p < nearlier; p++)
                    votes[p] += match[p];
            }
            free(first);
            free(first_has);
            free(match);
        }
        size_t best = 0;
        for (size_t p = 1; p < nearlier; p++)
            if (votes[p] > votes[best])
                best = p;
        if (ck->enabled[LK_SIGNAL_REPEAT] && nearlier && votes[best] >= ck->repeat_min &&
            (double)votes[best] > ck->repeat_share * (double)informative) {
            char name[LK_PERIOD_NAME_MAX];
            lk_report_signal *g = new_signal(x, LK_SIGNAL_REPEAT, NULL);
            g->period = xstrdup(plan_period_code(target, name));
            g->repeat_period = xstrdup(plan_period_code(earlier[best], name));
            g->repeat_matching = votes[best];
            g->repeat_of = informative;
        }
        free(votes);
    }
    free(done);
}

void plan_derive_signals(plan_ctx *x)
{
    size_t n;
    if (!x->report->signals)
        x->report->signals = lk_report_signals_new();
    x->report->signals->read = true;
    emp_now *all = collect(x, &n);
    /* the earlier periods, once per administration x period */
    lk_hashmap *groups = lk_hashmap_new(16);
    strbuf key = STRBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        emp_now *e = &all[i];
        strbuf_reset(&key);
        strbuf_addf(&key, "%s|%ld", e->b->u->admin->id, e->b->u->period->id);
        emp_now *same = lk_hashmap_get(groups, key.buf);
        if (same) {
            e->earlier = same->earlier;
            e->nearlier = same->nearlier;
            continue;
        }
        e->earlier = xcalloc((size_t)x->checks->history_periods + 1, sizeof *e->earlier);
        e->nearlier = plan_history_periods(x, e->b->u->admin, e->b->u->period,
                                           (size_t)x->checks->history_periods, e->earlier);
        e->owns_earlier = true;
        lk_hashmap_put(groups, key.buf, e);
    }
    strbuf_free(&key);
    lk_hashmap_free(groups);
    check_repeat(x, all, n);
    for (size_t i = 0; i < n; i++) {
        check_outliers(x, &all[i]);
        check_contract(x, &all[i]);
    }
    for (size_t i = 0; i < n; i++) {
        free(all[i].vals);
        if (all[i].owns_earlier)
            free(all[i].earlier);
    }
    free(all);
}
