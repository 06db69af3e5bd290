/*
 * plan_outcome.c: records and Loket's current state of each -> plan items and report records:
 * the complete record key, old -> new values, the outcome-to-be (created / updated / unchanged /
 * rejected) and every error, with the row issues placed on the records whose rows they are.
 */
#include "engine/plan_stages.h"

#include "common/hashmap.h"
#include "common/i18n.h"
#include "common/localefmt.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "engine/resolve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ================================================================ records */

static const lk_meta_ref *default_field(const lk_period_data_record *d, int f)
{
    const lk_meta_ref *r;
    switch (f) {
    case LK_RK_COST_CENTER: r = &d->cost_center; break;
    case LK_RK_COST_UNIT: r = &d->cost_unit; break;
    case LK_RK_DISTRIBUTION_UNIT: r = &d->distribution_unit; break;
    case LK_RK_SHIFT: r = &d->shift; break;
    default: r = &d->payslip_type; break;
    }
    return r->present ? r : NULL;
}

/* The option of metadata with the same key as ref (for code and description in reports). */
static const lk_meta_ref *describe(const lk_metadata *md, int f, const lk_meta_ref *r)
{
    const lk_metadata_field *fld = md ? lk_metadata_field_get(md, plan_rk_fields[f]) : NULL;
    if (!r || !fld)
        return r;
    for (size_t i = 0; i < fld->n; i++)
        if (fld->options[i].key_text && r->key_text &&
            !strcmp(fld->options[i].key_text, r->key_text))
            return &fld->options[i];
    return r;
}

static void report_ref(lk_report_ref *dst, const lk_meta_ref *r)
{
    if (!r || !r->key_text)
        return;
    lk_report_ref_set(dst, r->key_is_int ? (int)r->key : 0, r->code ? r->code : r->key_is_int ? NULL : r->key_text,
                      r->description);
}

static lk_report_ref *rep_field(lk_report_record *rec, int f)
{
    switch (f) {
    case LK_RK_COST_CENTER: return &rec->record_key.cost_center;
    case LK_RK_COST_UNIT: return &rec->record_key.cost_unit;
    case LK_RK_DISTRIBUTION_UNIT: return &rec->record_key.distribution_unit;
    case LK_RK_SHIFT: return &rec->record_key.shift;
    default: return &rec->record_key.payslip_type;
    }
}

/* Who and when, as far as known, on a report record. */
static void fill_who(plan_ctx *x, lk_report_record *rec, const bucket *b)
{
    unit *u = b->u;
    if (u->employer)
        lk_report_record_set_employer(rec, u->employer->id, u->employer->name);
    if (u->ref->employer)
        lk_report_record_set_employer_ref(rec, u->ref->employer);
    if (u->employment) {
        lk_report_record_set_employee(rec, u->employment->employee_number,
                                      u->employment->formatted_name);
        lk_report_record_set_employment(rec, u->employment->id, u->employment->payroll_id,
                                        u->employment->income_relationship_number);
    } else {
        lk_report_record_set_employee(rec, u->ref->employee_number, NULL);
        rec->payroll_id = u->ref->payroll_id;
        rec->income_relationship = u->ref->income_relationship;
    }
    if (u->admin)
        lk_report_record_set_administration(rec, u->admin->id, u->admin->name,
                                            u->admin->client_number);
    if (u->period)
        lk_report_record_set_period(rec, u->period->id, u->period->year, u->period->period_number,
                                    u->period->start_date, u->period->end_date);
    if (u->period_ref.kind == LK_PERIOD_DATE && u->period) {
        /* the record sums every date of the period: name the period, not one date */
        char label[LK_PERIOD_NAME_MAX];
        lk_report_record_set_period_label(rec, plan_period_code(u->period, label));
    } else {
        lk_report_record_set_period_label(rec, u->label);
    }
    if (b->payslip_text)
        lk_report_record_set_payslip_text(rec, b->payslip_text);
    for (size_t i = 0; i < b->nentries; i++)
        lk_report_record_add_entry_rows(rec, x->set, b->entries[i]);
}

static lk_plan_item *new_item(lk_plan *p)
{
    lk_grow(&p->items, sizeof *p->items, p->nitems + 1, &p->items_alloc);
    lk_plan_item *it = &p->items[p->nitems++];
    memset(it, 0, sizeof *it);
    return it;
}

/* Loket's values of mapped components that the file leaves out of this record. */
static void note_held(plan_ctx *x, lk_report_record *rec, const bucket *b,
                      const lk_period_data_record *existing)
{
    char buf[LK_FMT_NUMBER_MAX], kbuf[24], msg[256];
    for (size_t i = 0; existing && i < existing->ncomponents; i++) {
        const lk_component_value *cv = &existing->components[i];
        bool in_file = false;
        if (!cv->has_value)
            continue;
        for (size_t j = 0; j < b->nvals; j++)
            in_file |= b->vals[j].key == cv->key;
        snprintf(kbuf, sizeof kbuf, "%ld", cv->key);
        if (in_file || !lk_hashmap_get(x->components_used, kbuf))
            continue;
        snprintf(msg, sizeof msg,
                 _("Loket holds %s for component %ld%s%s%s; the file has no value for it, so it "
                 "stays (send 0 or null to change it)"),
                 lk_fmt_decimal(cv->value, 0, buf), cv->key, cv->description ? " (" : "",
                 cv->description ? cv->description : "", cv->description ? ")" : "");
        lk_report_record_add_message(rec, LK_MSG_IMPORTER, "Info", false, 0, msg, NULL);
    }
}

plan_key_status plan_final_key(plan_ctx *x, const bucket *b, final_key *k)
{
    memset(k, 0, sizeof *k);
    const lk_period_data_record *d = lk_hashmap_get(x->defaults, b->u->employment->id);
    if (!d)
        d = b->defaults_line;
    for (int f = 0; f < LK_RK_COUNT; f++) {
        if (b->resolved[f]) {
            k->f[f] = b->resolved[f];
        } else if (b->mapped[f].kind != LK_REF_DEFAULT) {
            return PLAN_KEY_UNKNOWN; /* unknown code: error already noted */
        } else if (f == LK_RK_PAYSLIP_TYPE &&
                   (!d || !default_field(d, f) || (d == b->defaults_line && b->defaults_from_alt))) {
            k->payslip_fallback.present = true;
            k->payslip_fallback.key_is_int = true;
            k->payslip_fallback.key = b->payslip_type;
            snprintf(k->fallback_text, sizeof k->fallback_text, "%ld", b->payslip_type);
            k->payslip_fallback.key_text = k->fallback_text;
            k->f[f] = &k->payslip_fallback;
        } else if (d) {
            k->f[f] = default_field(d, f);
        } else if (b->need_defaults) {
            return PLAN_KEY_NO_DEFAULTS;
        }
    }
    return PLAN_KEY_OK;
}

char *plan_final_key_text(const bucket *b, const final_key *k)
{
    lk_key_fields kf = {
        k->f[LK_RK_SHIFT] ? k->f[LK_RK_SHIFT]->key_text : NULL,
        k->f[LK_RK_PAYSLIP_TYPE] ? k->f[LK_RK_PAYSLIP_TYPE]->key_text : NULL,
        k->f[LK_RK_DISTRIBUTION_UNIT] ? k->f[LK_RK_DISTRIBUTION_UNIT]->key_text : NULL,
        k->f[LK_RK_COST_CENTER] ? k->f[LK_RK_COST_CENTER]->key_text : NULL,
        k->f[LK_RK_COST_UNIT] ? k->f[LK_RK_COST_UNIT]->key_text : NULL,
    };
    char *kt = lk_record_key_text(b->u->period->id, &kf);
    strbuf key;
    strbuf_init(&key, 128);
    strbuf_addf(&key, "%s/%s", b->u->employment->id, kt);
    free(kt);
    return strbuf_detach(&key, NULL);
}

static void finish_bucket(plan_ctx *x, bucket *b, const merged_set *ms)
{
    lk_plan *p = x->plan;
    lk_report_record *rec = lk_report_add_record(x->report);
    lk_plan_item *it = new_item(p);
    b->item = p->nitems - 1;
    it->rec = rec;
    fill_who(x, rec, b);
    qsort(b->vals, b->nvals, sizeof *b->vals, plan_cmp_bval);

    if (b->u->failed) {
        lk_report_record_add_message(rec, LK_MSG_IMPORTER, "Error", false, 0, b->u->err.message,
                                     NULL);
        it->error = true;
    }
    for (size_t i = 0; i < b->nerrors; i++)
        lk_report_record_add_message(rec, LK_MSG_IMPORTER, "Error", false, 0, b->errors[i], NULL);
    if (b->text_conflict)
        lk_report_record_add_message(rec, LK_MSG_IMPORTER, "Error", false, 0,
                                     "rows of this record give different payslip texts", NULL);
    for (size_t i = 0; i < b->nvals; i++)
        if (b->vals[i].overflow)
            lk_report_record_add_message(rec, LK_MSG_IMPORTER, "Error", false, 0,
                                         "the sum of this component's values is out of range",
                                         NULL);
    if (b->nerrors || b->text_conflict)
        it->error = true;
    for (size_t i = 0; i < b->nvals && !it->error; i++)
        it->error |= b->vals[i].overflow;

    /* the record key: mapped fields, then the defaults (from the listing or the defaults call) */
    final_key k;
    bool key_ok = !b->u->failed;
    if (key_ok) {
        plan_key_status ks = plan_final_key(x, b, &k);
        if (ks == PLAN_KEY_NO_DEFAULTS) {
            lk_report_record_add_message(rec, LK_MSG_IMPORTER, "Error", false, 0,
                                         "the employment's default record key could not be "
                                         "read (payrollperioddata/defaults)",
                                         NULL);
            it->error = true;
        }
        key_ok = ks == PLAN_KEY_OK;
    } else {
        memset(&k, 0, sizeof k);
    }
    const lk_metadata *md = b->u->pmd ? b->u->pmd->md : NULL;
    for (int f = 0; f < LK_RK_COUNT; f++) {
        if (key_ok)
            report_ref(rep_field(rec, f), describe(md, f, k.f[f]));
        else if (b->mapped[f].kind != LK_REF_DEFAULT)
            lk_report_ref_from_entry(rep_field(rec, f), &b->mapped[f]);
    }

    /* the components, old values from Loket's current record */
    lk_diff_value *dv = xcalloc(b->nvals + 1, sizeof *dv);
    for (size_t i = 0; i < b->nvals; i++) {
        dv[i].key = b->vals[i].key;
        dv[i].value = b->vals[i].value;
        dv[i].value_null = b->vals[i].value_null;
        dv[i].is_supplement = b->vals[i].is_supplement;
    }
    const lk_period_data_record *existing = NULL;
    if (key_ok) {
        lk_key_fields kf = {
            k.f[LK_RK_SHIFT] ? k.f[LK_RK_SHIFT]->key_text : NULL,
            k.f[LK_RK_PAYSLIP_TYPE] ? k.f[LK_RK_PAYSLIP_TYPE]->key_text : NULL,
            k.f[LK_RK_DISTRIBUTION_UNIT] ? k.f[LK_RK_DISTRIBUTION_UNIT]->key_text : NULL,
            k.f[LK_RK_COST_CENTER] ? k.f[LK_RK_COST_CENTER]->key_text : NULL,
            k.f[LK_RK_COST_UNIT] ? k.f[LK_RK_COST_UNIT]->key_text : NULL,
        };
        char *kt0 = lk_record_key_text(0, &kf);
        for (size_t i = plan_merged_first(ms, b->u->employment->id, b->u->period->id);
             i && !existing; i = ms->items[i - 1].next_same) {
            const merged *m = &ms->items[i - 1];
            if (plan_line_has_values(&m->rec) && !strcmp(m->key_text, kt0))
                existing = &m->rec;
        }
        free(kt0);
        it->key = plan_final_key_text(b, &k);
        /* unique: plan_merge_records made one bucket of each final key */
        it->employment_id = xstrdup(b->u->employment->id);
        it->employer_id = xstrdup(b->u->employer->id);
        it->admin_id = xstrdup(b->u->admin->id);
        it->admin_period_id = b->u->period->id;
        it->payslip_type = k.f[LK_RK_PAYSLIP_TYPE] && k.f[LK_RK_PAYSLIP_TYPE]->key_is_int
                               ? k.f[LK_RK_PAYSLIP_TYPE]->key
                               : b->payslip_type;
    }
    lk_diff_result diff = lk_diff_values(dv, b->nvals, existing, b->payslip_text, false, NULL);
    for (size_t i = 0; i < b->nvals; i++) {
        const char *desc = b->vals[i].comp ? b->vals[i].comp->description : NULL;
        lk_report_component *c = lk_report_record_add_value(rec, b->vals[i].key, desc,
                                                            b->vals[i].value,
                                                            b->vals[i].value_null,
                                                            b->vals[i].is_supplement);
        if (b->vals[i].column) {
            free(c->column);
            c->column = xstrdup(b->vals[i].column);
        }
        if (key_ok && dv[i].has_old)
            lk_report_component_set_old(c, dv[i].old);
    }
    free(dv);
    if (key_ok)
        note_held(x, rec, b, existing);

    if (it->error || !key_ok) {
        it->error = true;
        /* a unit that failed after its employment was found (a closed period) still blocks
           that employment's other records under --allow-partial */
        if (!it->employment_id && b->u->employment)
            it->employment_id = xstrdup(b->u->employment->id);
        rec->input_error = true;
        lk_report_record_set_result(rec, LK_OUTCOME_REJECTED, 0, 0);
        it->planned = LK_OUTCOME_REJECTED;
        return;
    }
    it->planned = diff == LK_DIFF_CREATE   ? LK_OUTCOME_CREATED
                  : diff == LK_DIFF_CHANGE ? LK_OUTCOME_UPDATED
                                           : LK_OUTCOME_UNCHANGED;
    lk_report_record_set_result(rec, it->planned, 0, 0);
    it->body = plan_build_body(b, &k);
    lk_sha256_hex(it->body, strlen(it->body), it->body_sha256);
}

void plan_finish_records(plan_ctx *x, const merged_set *ms)
{
    for (size_t i = 0; i < x->nbuckets; i++)
        finish_bucket(x, &x->buckets[i], ms);
}

/* ================================================================ row issues */

/* Row issues (bad cells, skipped rows) into the report; an error on a row that fed a record
 * rejects that record, and any error of an employee blocks every record of that employee. */
static void place_row_issues(plan_ctx *x, lk_hashmap *row_item)
{
    const lk_entry_set *set = x->set;
    for (size_t i = 0; i < set->nissues; i++) {
        const lk_row_issue *is = &set->issues[i];
        if (is->skipped) {
            lk_report_issue *ri = lk_report_add_issue(x->report, LK_OUTCOME_SKIPPED, &is->error);
            if (is->last_row > ri->error.row)
                ri->last_row = is->last_row;   /* a run of blank rows */
            lk_report_issue_set_employee(ri, is->employee.employee_number, is->employee.employer);
            continue;
        }
        char key[400];
        snprintf(key, sizeof key, "%s|%s|%lu", is->error.file, is->error.sheet, is->error.row);
        void *v = is->error.row ? lk_hashmap_get(row_item, key) : NULL;
        if (v) {
            lk_plan_item *it = &x->plan->items[(size_t)v - 1];
            char buf[LK_ERROR_MSG_MAX + 400];
            lk_report_record_add_message(it->rec, LK_MSG_IMPORTER, "Error", false, 0,
                                         lk_error_format(&is->error, buf, sizeof buf), NULL);
            it->error = true;
            it->rec->input_error = true;
            lk_report_record_set_result(it->rec, LK_OUTCOME_REJECTED, 0, 0);
            it->planned = LK_OUTCOME_REJECTED;
        } else {
            lk_report_issue *ri = lk_report_add_issue(x->report, LK_OUTCOME_REJECTED, &is->error);
            ri->not_data_row = is->before_data;   /* a header row: no input row of its own */
            lk_report_issue_set_employee(ri, is->employee.employee_number, is->employee.employer);
        }
        /* block the employee's other records (an employee named by employment id too) */
        if (is->employee.employee_number || is->employee.employment_id) {
            for (size_t j = 0; j < x->nbuckets; j++) {
                bucket *b = &x->buckets[j];
                const lk_employee_ref *ref = b->u->ref;
                bool same = is->employee.employee_number
                                ? ref->employee_number == is->employee.employee_number &&
                                      (!is->employee.employer ||   /* its employer cell bad */
                                       !strcmp(ref->employer ? ref->employer : "",
                                               is->employee.employer))
                                : (ref->employment_id &&
                                   !strcasecmp(ref->employment_id, is->employee.employment_id)) ||
                                      (b->u->employment &&
                                       !strcasecmp(b->u->employment->id,
                                                   is->employee.employment_id));
                /* a row that names its employment (payrollId, income relationship) holds back
                   that employment only, not the employee's others */
                if (same && is->employee.payroll_id && ref->payroll_id &&
                    ref->payroll_id != is->employee.payroll_id)
                    same = false;
                if (same && is->employee.income_relationship && ref->income_relationship &&
                    ref->income_relationship != is->employee.income_relationship)
                    same = false;
                if (same)
                    x->plan->items[b->item].blocked = true;
            }
        }
    }
}

void plan_place_issues(plan_ctx *x)
{
    const lk_entry_set *set = x->set;
    /* rows -> items, for the row issues */
    lk_hashmap *row_item = lk_hashmap_new(set->nentries * 2 + 1);
    for (size_t i = 0; i < x->nbuckets; i++) {
        bucket *b = &x->buckets[i];
        for (size_t j = 0; j < b->nentries; j++) {
            const lk_entry *e = b->entries[j];
            lk_row_walk w;
            lk_row_span s;
            lk_row_walk_init(&w, set, e, 0);
            while (lk_row_walk_next(&w, &s))
                for (unsigned long row = s.first; row <= s.last; row++) {
                    char key[400];
                    snprintf(key, sizeof key, "%s|%s|%lu", set->files[s.file],
                             set->sheets[s.sheet], row);
                    lk_hashmap_put(row_item, key, (void *)(b->item + 1));
                }
        }
    }
    place_row_issues(x, row_item);
    lk_hashmap_free(row_item);
}

/* ================================================================ employments */

void plan_count_errors(lk_plan *p, const lk_report *r)
{
    p->errors = 0;
    for (size_t i = 0; i < p->nitems; i++)
        if (p->items[i].error)
            p->errors++;
    for (size_t i = 0; i < r->nissues; i++)
        if (r->issues[i].outcome == LK_OUTCOME_REJECTED)
            p->errors++;
}

void plan_block_employments(plan_ctx *x)
{
    lk_plan *p = x->plan;
    lk_hashmap *bad = lk_hashmap_new(16);
    for (size_t i = 0; i < p->nitems; i++)
        if ((p->items[i].error || p->items[i].blocked) && p->items[i].employment_id)
            lk_hashmap_put(bad, p->items[i].employment_id, (void *)1);
    for (size_t i = 0; i < p->nitems; i++) {
        lk_plan_item *it = &p->items[i];
        if (!it->error && it->employment_id && lk_hashmap_get(bad, it->employment_id))
            it->blocked = true;
        if (it->blocked && !it->error)
            lk_report_record_add_message(it->rec, LK_MSG_IMPORTER, "Info", false, 0,
                                         _("another row or record of this employment has an "
                                         "error: nothing of this employment is sent"),
                                         NULL);
    }
    lk_hashmap_free(bad);
    /* employment index for the collective batching and the report order */
    lk_hashmap *idx = lk_hashmap_new(16);
    size_t n = 0;
    for (size_t i = 0; i < p->nitems; i++) {
        lk_plan_item *it = &p->items[i];
        if (!it->employment_id)
            continue;
        void *v = lk_hashmap_get(idx, it->employment_id);
        if (!v) {
            v = (void *)++n;
            lk_hashmap_put(idx, it->employment_id, v);
        }
        it->employment_index = (size_t)v - 1;
    }
    p->employments = n;
    lk_hashmap_free(idx);
}

