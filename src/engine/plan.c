/*
 * plan.c: entries -> resolved, diffed PATCH bodies (see plan.h).
 *
 * The look-ups run in rounds; each round queues every request it can (they run concurrently
 * through the HTTP engine) and the next round starts from their answers:
 *   1. employers (and, to match client numbers, their payroll administrations)
 *   2. employments of each employer (filtered by employee number when few)
 *   3. payroll periods of each administration involved, payroll components per year
 *   4. period metadata per administration x period (allowed components, record key options)
 *   5. the administration-level period data listing per administration x period x payslip type x
 *      component category: the current state of every employment at once
 *   6. employment defaults, only for employments whose record key the mapping leaves open and
 *      whose listing line does not show the defaults (the listing shows Loket's default key for
 *      an employment without a record of that payslip type; with records present it does not)
 *   7. the same listings for the earlier periods, and the employers' working hours: the
 *      history the plausibility signals compare with
 * Everything per employment is thus amortised across the run; only step 6 is per employment.
 *
 * Each stage has its own file (plan_stages.h lists them); this file runs them in order, and
 * verification after apply is plan_verify.c.
 */
#include "engine/plan_stages.h"

#include "common/hashmap.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

void plan_set_fatal(plan_ctx *x, const lk_error *e)
{
    if (!x->has_fatal) {
        x->fatal = *e;
        x->has_fatal = true;
    }
}

bool plan_is_run_error(lk_code code)
{
    return code == LK_ERR_AUTH || code == LK_ERR_NETWORK || code == LK_ERR_PROTOCOL ||
           code == LK_ERR_HTTP || code == LK_ERR_INTERRUPTED || code == LK_ERR_NOMEM ||
           code == LK_ERR_UNAVAILABLE || code == LK_ERR_ENV;
}

lk_code plan_run(plan_ctx *x, lk_error *err)
{
    lk_code rc = lk_client_run(x->client, err);
    if (rc != LK_OK)
        return rc;
    if (x->has_fatal) {
        *err = x->fatal;
        return err->code;
    }
    return LK_OK;
}

static void free_ctx(plan_ctx *x)
{
    lk_employer_list_free(x->employers);
    for (size_t i = 0; i < x->nemps; i++) {
        free(x->emps[i].id);
        free(x->emps[i].name);
        lk_admin_list_free(x->emps[i].admins);
        free(x->emps[i].numbers);
        lk_hashmap_free(x->emps[i].numbers_seen);
        free(x->emps[i].by_number);
        free(x->emps[i].by_id);
        lk_employment_list_free(x->emps[i].employments);
    }
    free(x->emps);
    for (size_t i = 0; i < x->nadmins; i++) {
        admin_info *a = x->admins[i];
        free(a->id);
        free(a->name);
        free(a->employer_id);
        free(a->period_type);
        lk_period_list_free(a->periods);
        for (size_t j = 0; j < a->nyears; j++)
            lk_component_list_free(a->years[j].list);
        free(a->years);
        lk_component_set_list_free(a->sets);
        free(a);
    }
    free(x->admins);
    free(x->units);
    free(x->entry_unit);
    free(x->pmds);
    for (size_t i = 0; i < x->nbuckets; i++) {
        bucket *b = &x->buckets[i];
        free(b->group_key);
        free(b->vals);
        free(b->entries);
        for (size_t j = 0; j < b->nerrors; j++)
            free(b->errors[j]);
        free(b->errors);
    }
    free(x->buckets);
    lk_hashmap_free(x->bucket_by_key);
    if (x->defaults) {
        size_t pos = 0;
        const char *k;
        void *v;
        while (lk_hashmap_next(x->defaults, &pos, &k, &v))
            lk_period_data_record_free(v);
        lk_hashmap_free(x->defaults);
    }
    lk_hashmap_free(x->components_used);
    plan_history_free(x->history);
}

lk_code lk_plan_build(lk_client *c, const lk_entry_set *set, const lk_plan_opts *opts,
                      lk_report *r, lk_plan **out, lk_error *err)
{
    plan_ctx x;
    merged_set ms;
    lk_code rc;
    memset(&x, 0, sizeof x);
    x.client = c;
    x.set = set;
    x.opts = opts;
    x.report = r;
    x.plan = xcalloc(1, sizeof *x.plan);
    x.bucket_by_key = lk_hashmap_new(set->nentries + 1);
    x.defaults = lk_hashmap_new(16);
    x.components_used = lk_hashmap_new(16);
    lk_checks default_checks;
    lk_checks_default(&default_checks);
    x.checks = opts->checks ? opts->checks : &default_checks;
#ifdef LK_TEST_HOOKS /* only in the tests' BUILD/tests/loket-import-hooks (Makefile) */
    const char *skip = getenv("LOKET_IMPORT_SKIP_PRECHECKS");
    x.skip_checks = skip && !strcmp(skip, "1");
#endif
    *out = NULL;
    r->rows_read = set->rows_read;

    /* look-ups (plan_lookup.c) */
    if (set->nentries) {
        if ((rc = plan_resolve_employers(&x, err)) != LK_OK)
            goto fail;
        if ((rc = plan_build_units(&x, err)) != LK_OK)
            goto fail;
        if ((rc = plan_fetch_employments(&x, err)) != LK_OK)
            goto fail;
        if ((rc = plan_fetch_periods(&x, err)) != LK_OK)
            goto fail;
        plan_resolve_units(&x);
        if ((rc = plan_fetch_period_metadata(&x, err)) != LK_OK)
            goto fail;
    }
    if (set->nentries && (rc = plan_stop_if_transient(&x, err)) != LK_OK)
        goto fail;
    /* records from entries (plan_records.c) */
    plan_build_records(&x);
    plan_check_periods(&x);   /* plan_periods.c */
    /* the listing merge: what Loket holds now (plan_listing.c) */
    if ((rc = plan_read_current_state(&x, &ms, err)) != LK_OK) {
        plan_merged_set_free(&ms);
        goto fail;
    }
    /* one record per final record key, its sums rounded once and checked (plan_merge.c) */
    plan_merge_records(&x);
    /* the same employments' earlier periods and contracts (plan_history.c) */
    if (set->nentries && (rc = plan_read_history(&x, err)) != LK_OK) {
        plan_merged_set_free(&ms);
        goto fail;
    }
    /* outcomes and request bodies (plan_outcome.c, plan_body.c) */
    plan_finish_records(&x, &ms);
    plan_merged_set_free(&ms);
    /* plausibility against that history (plan_signals.c) */
    plan_derive_signals(&x);
    plan_place_issues(&x);
    plan_block_employments(&x);
    plan_count_errors(x.plan, r);
    for (size_t f = 0; f < set->nfiles && !x.plan->unread_file; f++)
        if (set->file_info && set->file_info[f].failed)
            x.plan->unread_file = xstrdup(set->files[f]);
    for (size_t f = 0; f < set->nfiles && !x.plan->totals_file; f++)
        if (set->file_info && set->file_info[f].totals_differ)
            x.plan->totals_file = xstrdup(set->files[f]);
    free_ctx(&x);
    *out = x.plan;
    return LK_OK;
fail:
    free_ctx(&x);
    lk_plan_free(x.plan);
    return rc;
}

void lk_plan_free(lk_plan *p)
{
    if (!p)
        return;
    free(p->unread_file);
    free(p->totals_file);
    for (size_t i = 0; i < p->nitems; i++) {
        free(p->items[i].employment_id);
        free(p->items[i].employer_id);
        free(p->items[i].key);
        free(p->items[i].body);
        free(p->items[i].admin_id);
    }
    free(p->items);
    for (size_t i = 0; i < p->nlistings; i++) {
        free(p->listings[i].admin_id);
        free(p->listings[i].set_id);
        lk_period_data_list_free(p->listings[i].list);
    }
    free(p->listings);
    free(p);
}

