/*
 * plan_history.c: the records -> what Loket holds of the same employments in earlier periods,
 * and what their contracts allow: the material of the plausibility signals (signals.c).
 *
 * Cheap by construction: the administration-level listing of each earlier period (the same
 * component set or categories the current period's listing used) answers for every employment
 * at once, so the history costs historyPeriods requests per administration (a page holds 250
 * employments), and the working hours one listing per employer. Nothing is asked per
 * employment. A period the file itself fills is no history of it: its values are being sent.
 */
#include "engine/plan_stages.h"

#include "common/i18n.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

typedef struct hours_req {
    plan_history *h;
    char *employer_id;
    char *date;
    lk_working_hours_list *list;
    bool failed;
    lk_error err;
} hours_req;

struct plan_history {
    plan_listing *listings;       /* allocated once before any starts: callbacks point here */
    size_t nlistings;
    hours_req *hours;
    size_t nhours;
    lk_hashmap *hours_by_employment; /* employment id -> const lk_working_hours* */
    lk_hashmap *file_periods;      /* "admin id|period id" the file fills -> (void *)1 */
    merged_set lines;              /* the listings' lines, merged per employment x period */
};

static bool bucket_ok(const bucket *b)
{
    return !b->u->failed && !b->nerrors && b->u->employment && b->u->period && b->u->admin;
}

static int cmp_period_desc(const void *a, const void *b)
{
    const lk_period *x = *(const lk_period *const *)a, *y = *(const lk_period *const *)b;
    return strcmp(y->start_date, x->start_date);
}

static void period_key(strbuf *sb, const admin_info *ad, long period_id)
{
    strbuf_reset(sb);
    strbuf_addf(sb, "%s|%ld", ad->id, period_id);
}

/* Does the file itself fill this period of this administration? */
static bool period_in_file(const plan_ctx *x, const admin_info *ad, long period_id)
{
    strbuf key = STRBUF_INIT;
    bool in = false;
    if (x->history && x->history->file_periods) {
        period_key(&key, ad, period_id);
        in = lk_hashmap_get(x->history->file_periods, key.buf) != NULL;
    } else {
        for (size_t i = 0; i < x->nbuckets && !in; i++)
            in = bucket_ok(&x->buckets[i]) && x->buckets[i].u->admin == ad &&
                 x->buckets[i].u->period->id == period_id;
    }
    strbuf_free(&key);
    return in;
}

/* The earlier periods of target in its administration, newest first, at most max. */
size_t plan_history_periods(const plan_ctx *x, const admin_info *ad, const lk_period *target,
                            size_t max, const lk_period **out)
{
    size_t n = 0, cap = ad->periods ? ad->periods->n : 0;
    const lk_period **all = xcalloc(cap + 1, sizeof *all);
    for (size_t i = 0; i < cap; i++) {
        const lk_period *p = &ad->periods->items[i];
        if (strcmp(p->end_date, target->start_date) < 0 && !period_in_file(x, ad, p->id))
            all[n++] = p;
    }
    qsort(all, n, sizeof *all, cmp_period_desc);
    if (n > max)
        n = max;
    memcpy(out, all, n * sizeof *out);
    free(all);
    return n;
}

static bool same_listing(const plan_listing *a, const plan_listing *b)
{
    return !strcmp(a->admin_id, b->admin_id) && a->period_id == b->period_id &&
           a->payslip_type == b->payslip_type && a->filter_kind == b->filter_kind &&
           a->filter == b->filter && !strcmp(a->set_id ? a->set_id : "", b->set_id ? b->set_id : "");
}

static void on_hours(const lk_api_result *r, lk_working_hours_list *list, void *ud)
{
    hours_req *q = ud;
    if (r->code != LK_OK) {
        q->failed = true;
        q->err = r->err;
        return;
    }
    q->list = list;
}

static admin_info *admin_by_id(plan_ctx *x, const char *id)
{
    for (size_t i = 0; i < x->nadmins; i++)
        if (!strcmp(x->admins[i]->id, id))
            return x->admins[i];
    return NULL;
}

static const lk_period *period_by_id(const admin_info *ad, long id)
{
    for (size_t i = 0; ad->periods && i < ad->periods->n; i++)
        if (ad->periods->items[i].id == id)
            return &ad->periods->items[i];
    return NULL;
}

lk_code plan_read_history(plan_ctx *x, lk_error *err)
{
    const lk_checks *c = x->checks;
    plan_history *h = xcalloc(1, sizeof *h);
    size_t alloc = 0;
    x->history = h;
    h->hours_by_employment = lk_hashmap_new(64);
    h->file_periods = lk_hashmap_new(16);
    strbuf key = STRBUF_INIT;
    for (size_t i = 0; i < x->nbuckets; i++)
        if (bucket_ok(&x->buckets[i])) {
            period_key(&key, x->buckets[i].u->admin, x->buckets[i].u->period->id);
            lk_hashmap_put(h->file_periods, key.buf, (void *)1);
        }
    strbuf_free(&key);
    if (!c->enabled[LK_SIGNAL_REPEAT] && !c->enabled[LK_SIGNAL_OUTLIER] &&
        !c->enabled[LK_SIGNAL_NEW_COMPONENT] && !c->enabled[LK_SIGNAL_OVER_CONTRACT])
        return LK_OK;
    /* every current-period listing again for each earlier period */
    bool want_history = c->enabled[LK_SIGNAL_REPEAT] || c->enabled[LK_SIGNAL_OUTLIER] ||
                        c->enabled[LK_SIGNAL_NEW_COMPONENT];
    for (size_t i = 0; want_history && i < x->plan->nlistings; i++) {
        const plan_listing *cur = &x->plan->listings[i];
        admin_info *ad = admin_by_id(x, cur->admin_id);
        const lk_period *target = ad ? period_by_id(ad, cur->period_id) : NULL;
        const lk_period **earlier;
        if (cur->for_defaults || !target)
            continue;
        earlier = xcalloc((size_t)c->history_periods + 1, sizeof *earlier);
        size_t n = plan_history_periods(x, ad, target, (size_t)c->history_periods, earlier);
        for (size_t j = 0; j < n; j++) {
            plan_listing want = *cur;
            bool dup = false;
            want.period_id = earlier[j]->id;
            for (size_t k = 0; k < h->nlistings && !dup; k++)
                dup = same_listing(&h->listings[k], &want);
            if (dup)
                continue;
            lk_grow(&h->listings, sizeof *h->listings, h->nlistings + 1, &alloc);
            plan_listing *l = &h->listings[h->nlistings++];
            memset(l, 0, sizeof *l);
            l->admin_id = xstrdup(cur->admin_id);
            l->period_id = earlier[j]->id;
            l->payslip_type = cur->payslip_type;
            l->filter_kind = cur->filter_kind;
            l->filter = cur->filter;
            l->set_id = cur->set_id ? xstrdup(cur->set_id) : NULL;
        }
        free(earlier);
    }
    /* the contracts: one listing per employer and target period end */
    size_t halloc = 0;
    for (size_t i = 0; c->enabled[LK_SIGNAL_OVER_CONTRACT] && i < x->nbuckets; i++) {
        const bucket *b = &x->buckets[i];
        bool dup = false;
        if (!bucket_ok(b) || !b->u->employer)
            continue;
        for (size_t k = 0; k < h->nhours && !dup; k++)
            dup = !strcmp(h->hours[k].employer_id, b->u->employer->id) &&
                  !strcmp(h->hours[k].date, b->u->period->end_date);
        if (dup)
            continue;
        lk_grow(&h->hours, sizeof *h->hours, h->nhours + 1, &halloc);
        hours_req *q = &h->hours[h->nhours++];
        memset(q, 0, sizeof *q);
        q->h = h;
        q->employer_id = xstrdup(b->u->employer->id);
        q->date = xstrdup(b->u->period->end_date);
    }
    for (size_t i = 0; i < h->nlistings; i++)
        plan_start_listing(x->client, &h->listings[i]);
    for (size_t i = 0; i < h->nhours; i++)
        lk_api_working_hours_start(x->client, h->hours[i].employer_id, h->hours[i].date, on_hours,
                                   &h->hours[i]);
    lk_code rc = plan_run(x, err);
    if (rc != LK_OK)
        return rc;
    /* what could not be read is said; the signals it would have given are not looked for */
    for (size_t i = 0; i < h->nlistings; i++)
        if (h->listings[i].failed) {
            if (plan_is_run_error(h->listings[i].err.code)) {
                *err = h->listings[i].err;
                return err->code;
            }
            lk_report_add_warning(x->report, _("the history of period %ld could not be read (%s): "
                                             "its values are not compared"),
                                  h->listings[i].period_id, h->listings[i].err.message);
        }
    for (size_t i = 0; i < h->nhours; i++) {
        hours_req *q = &h->hours[i];
        if (q->failed) {
            /* an outage (5xx, 429 after the retries, a lost connection) stops the plan as
             * transient, as every other look-up does: never a silent skip of the contract check */
            if (plan_is_run_error(q->err.code)) {
                *err = q->err;
                return err->code;
            }
            lk_report_add_warning(x->report, _("the working hours of the employments could not be "
                                             "read (%s): hours are not compared with contracts"),
                                  q->err.message);
            continue;
        }
        for (size_t j = 0; q->list && j < q->list->n; j++)
            if (!lk_hashmap_get(h->hours_by_employment, q->list->items[j].employment_id))
                lk_hashmap_put(h->hours_by_employment, q->list->items[j].employment_id,
                               &q->list->items[j]);
    }
    /* merged per employment x period, like the current state */
    lk_plan tmp;
    memset(&tmp, 0, sizeof tmp);
    tmp.listings = h->listings;
    tmp.nlistings = h->nlistings;
    plan_merge_listings(&tmp, &h->lines);
    return LK_OK;
}

const merged_set *plan_history_lines(const plan_ctx *x)
{
    return x->history ? &x->history->lines : NULL;
}

const lk_working_hours *plan_history_hours(const plan_ctx *x, const char *employment_id)
{
    return x->history ? lk_hashmap_get(x->history->hours_by_employment, employment_id) : NULL;
}

size_t plan_history_requests(const plan_ctx *x)
{
    return x->history ? x->history->nlistings + x->history->nhours : 0;
}

void plan_history_free(plan_history *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->nlistings; i++) {
        free(h->listings[i].admin_id);
        free(h->listings[i].set_id);
        lk_period_data_list_free(h->listings[i].list);
    }
    free(h->listings);
    for (size_t i = 0; i < h->nhours; i++) {
        free(h->hours[i].employer_id);
        free(h->hours[i].date);
        lk_working_hours_list_free(h->hours[i].list);
    }
    free(h->hours);
    lk_hashmap_free(h->hours_by_employment);
    lk_hashmap_free(h->file_periods);
    plan_merged_set_free(&h->lines);
    free(h);
}
