/*
 * plan_listing.c: the records -> what Loket holds for each of them now, from the
 * administration-level period data listings (merged over their queries) and, where a listing
 * does not show an employment's default record key, the employment's defaults.
 *
 * Rounds 5 and 6 of the plan (see plan.c).
 */
#include "engine/plan_stages.h"

#include "common/hashmap.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "engine/resolve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ================================================================ round 5: listings */

static void on_listing(const lk_api_result *r, lk_period_data_list *list, void *ud)
{
    plan_listing *l = ud;
    if (r->code != LK_OK) {
        l->failed = true;
        l->err = r->err;
        return;
    }
    l->list = list;
}

static void plan_want_listing(lk_plan *p, const char *admin_id, long period_id, long payslip_type,
                              char kind, long filter, const char *set_id)
{
    for (size_t i = 0; i < p->nlistings; i++) {
        plan_listing *l = &p->listings[i];
        if (!strcmp(l->admin_id, admin_id) && l->period_id == period_id &&
            l->payslip_type == payslip_type && l->filter_kind == kind && l->filter == filter &&
            !strcmp(l->set_id ? l->set_id : "", set_id ? set_id : ""))
            return;
    }
    lk_grow(&p->listings, sizeof *p->listings, p->nlistings + 1, &p->listings_alloc);
    plan_listing *l = &p->listings[p->nlistings++];
    memset(l, 0, sizeof *l);
    l->admin_id = xstrdup(admin_id);
    l->period_id = period_id;
    l->payslip_type = payslip_type;
    l->filter_kind = kind;
    l->filter = filter;
    l->set_id = set_id ? xstrdup(set_id) : NULL;
}

void plan_start_listing(lk_client *c, plan_listing *l)
{
    char pt[24];
    lk_period_data_query q = { 0 };
    (void)pt;
    q.admin_id = l->admin_id;
    q.period_id = l->period_id;
    q.payslip_type = l->payslip_type;
    char filter[24];
    snprintf(filter, sizeof filter, "%ld", l->filter);
    if (l->filter_kind == 's')
        q.component_set = l->set_id;
    else if (l->filter_kind == 'c')
        q.component_category = filter;
    else
        q.component_id = filter;
    lk_api_period_data_start(c, &q, on_listing, l);
}

/* The payslip type a bucket targets: mapped, or the defaults' once known, else Loket's normal
 * payslip (the lowest key the metadata offers). */
static long bucket_payslip_type(plan_ctx *x, bucket *b)
{
    const lk_meta_ref *m = b->resolved[LK_RK_PAYSLIP_TYPE];
    if (m && m->key_is_int)
        return m->key;
    const lk_period_data_record *d = lk_hashmap_get(x->defaults, b->u->employment->id);
    if (d && d->payslip_type.present && d->payslip_type.key_is_int)
        return d->payslip_type.key;
    long best = 0;
    const lk_metadata_field *f = b->u->pmd && b->u->pmd->md
                                     ? lk_metadata_field_get(b->u->pmd->md, "payslipType")
                                     : NULL;
    for (size_t i = 0; f && i < f->n; i++)
        if (f->options[i].key_is_int && (!best || f->options[i].key < best))
            best = f->options[i].key;
    return best ? best : 1;
}

/* A payslip type of the period metadata other than the bucket's, 0 when there is none. */
static long plan_other_payslip_type(const bucket *b)
{
    const lk_metadata_field *f = b->u->pmd && b->u->pmd->md
                                     ? lk_metadata_field_get(b->u->pmd->md, "payslipType")
                                     : NULL;
    for (size_t i = 0; f && i < f->n; i++)
        if (f->options[i].key_is_int && f->options[i].key != b->payslip_type)
            return f->options[i].key;
    return 0;
}

static bool plan_bucket_ok(const bucket *b)
{
    return !b->u->failed && !b->nerrors;
}

static bool set_has(const lk_component_set *s, long key)
{
    for (size_t i = 0; i < s->nkeys; i++)
        if (s->keys[i] == key)
            return true;
    return false;
}

/* Per administration, the component set that covers every component the file sends there (the
 * default set if it does, else the smallest that does): one listing call per administration x
 * period instead of one per component category. */
static void choose_listing_sets(plan_ctx *x)
{
    for (size_t a = 0; a < x->nadmins; a++) {
        admin_info *ad = x->admins[a];
        const lk_component_set *best = NULL;
        ad->listing_set = NULL;
        for (size_t s = 0; ad->sets && s < ad->sets->n; s++) {
            const lk_component_set *set = &ad->sets->items[s];
            bool covers = true;
            for (size_t i = 0; i < x->nbuckets && covers; i++) {
                const bucket *b = &x->buckets[i];
                if (!plan_bucket_ok(b) || b->u->admin != ad)
                    continue;
                for (size_t j = 0; j < b->nvals && covers; j++)
                    covers = set_has(set, b->vals[j].key);
            }
            if (!covers)
                continue;
            if (!best || (set->is_default && !best->is_default) ||
                (set->is_default == best->is_default && set->nkeys < best->nkeys))
                best = set;
        }
        ad->listing_set = best;
    }
}

/* Queues the listings the buckets need that are not fetched yet; true when any was queued. */
static bool plan_queue_listings(plan_ctx *x)
{
    /* the callbacks hold pointers into plan->listings: grow it first, then start */
    size_t first = x->plan->nlistings;
    choose_listing_sets(x);
    for (size_t i = 0; i < x->nbuckets; i++) {
        bucket *b = &x->buckets[i];
        if (!plan_bucket_ok(b))
            continue;
        b->payslip_type = bucket_payslip_type(x, b);
        if (b->u->admin->listing_set) {
            plan_want_listing(x->plan, b->u->admin->id, b->u->period->id, b->payslip_type, 's', 0,
                              b->u->admin->listing_set->id);
            continue;
        }
        for (size_t j = 0; j < b->nvals; j++) {
            const lk_component *comp = b->vals[j].comp;
            char kind = comp && comp->category_key ? 'c' : 'i';
            long filter = kind == 'c' ? comp->category_key : b->vals[j].key;
            plan_want_listing(x->plan, b->u->admin->id, b->u->period->id, b->payslip_type, kind,
                              filter, NULL);
        }
    }
    for (size_t i = first; i < x->plan->nlistings; i++)
        plan_start_listing(x->client, &x->plan->listings[i]);
    return x->plan->nlistings > first;
}


/* The by_employment key (whole, however long the server's id). */
static void employment_period_key(strbuf *sb, const char *employment_id, long period_id)
{
    strbuf_reset(sb);
    strbuf_addf(sb, "%s|%ld", employment_id, period_id);
}

size_t plan_merged_first(const merged_set *ms, const char *employment_id, long period_id)
{
    strbuf key = STRBUF_INIT;
    if (!ms->by_employment)
        return 0;
    employment_period_key(&key, employment_id, period_id);
    size_t first = (size_t)lk_hashmap_get(ms->by_employment, key.buf);
    strbuf_free(&key);
    return first;
}

static char *line_key(const lk_period_data_record *r)
{
    lk_key_fields k = {
        r->shift.present ? r->shift.key_text : NULL,
        r->payslip_type.present ? r->payslip_type.key_text : NULL,
        r->distribution_unit.present ? r->distribution_unit.key_text : NULL,
        r->cost_center.present ? r->cost_center.key_text : NULL,
        r->cost_unit.present ? r->cost_unit.key_text : NULL,
    };
    return lk_record_key_text(0, &k);
}

/* The listing has no record ids: a line whose components are all empty is Loket's data-entry
 * line for an employment without such a record (it shows the default record key). */
bool plan_line_has_values(const lk_period_data_record *r)
{
    if (r->id)
        return true;
    for (size_t i = 0; i < r->ncomponents; i++)
        if (r->components[i].has_value)
            return true;
    return false;
}

void plan_merge_listings(lk_plan *p, merged_set *ms)
{
    lk_hashmap *last = lk_hashmap_new(64); /* "empid|period" -> index+1 of its last item */
    ms->index = lk_hashmap_new(64);
    ms->by_employment = lk_hashmap_new(64);
    for (size_t i = 0; i < p->nlistings; i++) {
        plan_listing *l = &p->listings[i];
        for (size_t j = 0; l->list && j < l->list->n; j++) {
            const lk_period_data_record *r = &l->list->items[j];
            if (!r->employment_id)
                continue;
            char *kt = line_key(r);
            strbuf sb;
            strbuf_init(&sb, 128);
            strbuf_addf(&sb, "%s|%ld|%ld|%s|%s", r->employment_id, l->period_id, l->payslip_type,
                        kt, r->id ? r->id : "(none)");
            merged *m;
            void *v = lk_hashmap_get(ms->index, sb.buf);
            if (v) {
                m = &ms->items[(size_t)v - 1];
                free(kt);
            } else {
                lk_grow(&ms->items, sizeof *ms->items, ms->n + 1, &ms->alloc);
                m = &ms->items[ms->n++];
                memset(m, 0, sizeof *m);
                m->employment_id = xstrdup(r->employment_id);
                m->period_id = l->period_id;
                m->payslip_type = l->payslip_type;
                m->key_text = kt;
                m->rec.id = r->id ? xstrdup(r->id) : NULL;
                m->rec.employment_id = xstrdup(r->employment_id);
                m->rec.employee_number = r->employee_number;
                m->rec.formatted_name = r->formatted_name ? xstrdup(r->formatted_name) : NULL;
                m->rec.year = r->year;
                m->rec.period_number = r->period_number;
                lk_meta_ref_copy(&r->shift, &m->rec.shift);
                lk_meta_ref_copy(&r->payslip_type, &m->rec.payslip_type);
                lk_meta_ref_copy(&r->distribution_unit, &m->rec.distribution_unit);
                lk_meta_ref_copy(&r->cost_center, &m->rec.cost_center);
                lk_meta_ref_copy(&r->cost_unit, &m->rec.cost_unit);
                lk_hashmap_put(ms->index, sb.buf, (void *)ms->n);
                strbuf ek = STRBUF_INIT;
                employment_period_key(&ek, r->employment_id, l->period_id);
                size_t prev = (size_t)lk_hashmap_put(last, ek.buf, (void *)ms->n);
                if (prev)
                    ms->items[prev - 1].next_same = ms->n;
                else
                    lk_hashmap_put(ms->by_employment, ek.buf, (void *)ms->n);
                strbuf_free(&ek);
            }
            strbuf_free(&sb);
            for (size_t k = 0; k < r->ncomponents; k++) {
                const lk_component_value *cv = &r->components[k];
                bool dup = false;
                for (size_t q = 0; q < m->rec.ncomponents; q++)
                    dup |= m->rec.components[q].key == cv->key;
                if (dup)
                    continue;
                m->rec.components = xrealloc(m->rec.components,
                                             (m->rec.ncomponents + 1) * sizeof *m->rec.components);
                lk_component_value *d = &m->rec.components[m->rec.ncomponents++];
                *d = *cv;
                d->description = cv->description ? xstrdup(cv->description) : NULL;
            }
        }
    }
    lk_hashmap_free(last);
}

void plan_merged_set_free(merged_set *ms)
{
    for (size_t i = 0; i < ms->n; i++) {
        free(ms->items[i].employment_id);
        free(ms->items[i].key_text);
        lk_period_data_record_clear(&ms->items[i].rec);
    }
    free(ms->items);
    lk_hashmap_free(ms->index);
    lk_hashmap_free(ms->by_employment);
}

/* ================================================================ round 6: defaults */

typedef struct defaults_req {
    plan_ctx *x;
    char *employment_id;
} defaults_req;

static void plan_on_defaults(const lk_api_result *r, lk_period_data_record *rec, void *ud)
{
    defaults_req *q = ud;
    if (r->code != LK_OK) {
        if (plan_is_run_error(r->code))
            plan_set_fatal(q->x, &r->err);
        else
            lk_hashmap_put(q->x->defaults, q->employment_id, NULL);
    } else {
        lk_hashmap_put(q->x->defaults, q->employment_id, rec);
    }
    free(q->employment_id);
    free(q);
}

static bool plan_mapped_key_complete(const bucket *b, bool include_payslip)
{
    for (int f = 0; f < LK_RK_COUNT; f++) {
        if (f == LK_RK_PAYSLIP_TYPE && !include_payslip)
            continue;
        if (!b->resolved[f])
            return false;
    }
    return true;
}

/* The listing line holding an employment's defaults (no record of this payslip type yet). */
static const lk_period_data_record *plan_find_defaults_line(const merged_set *ms, const bucket *b,
                                                            bool *has_records, bool *listed)
{
    const lk_period_data_record *line = NULL;
    *has_records = false;
    *listed = false;
    for (size_t i = plan_merged_first(ms, b->u->employment->id, b->u->period->id); i;
         i = ms->items[i - 1].next_same) {
        const merged *m = &ms->items[i - 1];
        if (m->payslip_type != b->payslip_type)
            continue;
        *listed = true;
        if (plan_line_has_values(&m->rec))
            *has_records = true;
        else
            line = &m->rec;
    }
    return *has_records ? NULL : line;
}


/* ================================================================ the current state */

lk_code plan_read_current_state(plan_ctx *x, merged_set *ms, lk_error *err)
{
    lk_code rc;

    memset(ms, 0, sizeof *ms);
    plan_queue_listings(x);
    if ((rc = plan_run(x, err)) != LK_OK)
        return rc;
    for (size_t i = 0; i < x->plan->nlistings; i++)
        if (x->plan->listings[i].failed) {
            *err = x->plan->listings[i].err;
            return err->code;
        }
    plan_merge_listings(x->plan, ms);
    /* An employment that holds records of the payslip type is listed with those records, not
     * with its default key. The listing of another payslip type (one component is enough) shows
     * its data-entry line with the default key instead: one request per administration x period
     * replaces a defaults call per employment. */
    size_t first_alt = x->plan->nlistings;
    for (size_t i = 0; i < x->nbuckets; i++) {
        bucket *b = &x->buckets[i];
        bool has_records, listed;
        if (!plan_bucket_ok(b) || plan_mapped_key_complete(b, false) || !b->nvals)
            continue;
        b->defaults_line = plan_find_defaults_line(ms, b, &has_records, &listed);
        b->alt_payslip_type = plan_other_payslip_type(b);
        if (!b->defaults_line && b->alt_payslip_type)
            plan_want_listing(x->plan, b->u->admin->id, b->u->period->id, b->alt_payslip_type, 'i',
                              b->vals[0].key, NULL);
    }
    if (x->plan->nlistings > first_alt) {
        for (size_t i = first_alt; i < x->plan->nlistings; i++) {
            x->plan->listings[i].for_defaults = true;
            plan_start_listing(x->client, &x->plan->listings[i]);
        }
        if ((rc = plan_run(x, err)) != LK_OK) {
            return rc;
        }
        /* a failed one only costs the defaults calls it would have saved */
        plan_merged_set_free(ms);
        memset(ms, 0, sizeof *ms);
        plan_merge_listings(x->plan, ms);
    }
    lk_hashmap *asked = lk_hashmap_new(16);
    for (size_t i = 0; i < x->nbuckets; i++) {
        bucket *b = &x->buckets[i];
        bool has_records, listed;
        if (!plan_bucket_ok(b) || plan_mapped_key_complete(b, false))
            continue;
        b->defaults_line = plan_find_defaults_line(ms, b, &has_records, &listed);
        if (b->defaults_line)
            continue;
        if (b->alt_payslip_type) {
            long keep = b->payslip_type;
            b->payslip_type = b->alt_payslip_type;
            b->defaults_line = plan_find_defaults_line(ms, b, &has_records, &listed);
            b->payslip_type = keep;
            if (b->defaults_line) {
                b->defaults_from_alt = true;
                continue;
            }
        }
        b->need_defaults = true;
        if (lk_hashmap_get(asked, b->u->employment->id))
            continue;
        lk_hashmap_put(asked, b->u->employment->id, (void *)1);
        defaults_req *q = xcalloc(1, sizeof *q);
        q->x = x;
        q->employment_id = xstrdup(b->u->employment->id);
        x->plan->defaults_fetched++;
        lk_api_defaults_start(x->client, b->u->employment->id, plan_on_defaults, q);
    }
    lk_hashmap_free(asked);
    if ((rc = plan_run(x, err)) != LK_OK) {
        return rc;
    }
    if (plan_queue_listings(x)) {
        if ((rc = plan_run(x, err)) != LK_OK) {
            return rc;
        }
        plan_merged_set_free(ms);
        memset(ms, 0, sizeof *ms);
        plan_merge_listings(x->plan, ms);
    }
    return LK_OK;
}
