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
 * Everything per employment is thus amortised across the run; only step 6 is per employment.
 */
#include "engine/plan.h"

#include "common/hashmap.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "engine/json_text.h"
#include "engine/resolve.h"
#include "mapping/mapping.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ================================================================ look-up state */

typedef struct comp_year {
    int year;
    lk_component_list *list;
    lk_error err;
    bool failed;
} comp_year;

typedef struct admin_info {
    char *id;
    char *name;
    char *employer_id;
    long client_number;
    char *period_type;
    lk_period_list *periods;
    lk_error periods_err;
    bool periods_failed, periods_wanted;
    comp_year *years;
    size_t nyears, years_alloc;
    const char *any_employment;   /* an employment id of this administration (metadata) */
    lk_component_set_list *sets;  /* NULL when not read: the listing asks per category */
    const lk_component_set *listing_set; /* the set covering every component of the file */
} admin_info;

typedef struct employer_info {
    char *id;
    char *name;
    lk_admin_list *admins;
    bool admins_failed, admins_wanted;
    lk_error admins_err;
    long *numbers;
    size_t nnumbers, numbers_alloc;
    lk_hashmap *numbers_seen;     /* the numbers above, for add_number */
    bool want_all;                /* an entry names an employment id: read every employment */
    bool employments_wanted;
    lk_employment_list *employments;
    bool employments_failed;
    lk_error employments_err;
    struct emp_index *by_number;  /* employments sorted by employee number, then list order */
    struct emp_index *by_id;      /* sorted by id (case-insensitive), then list order */
} employer_info;

/* An employment in a sorted index of its employer's list. */
typedef struct emp_index {
    long number;
    const char *id;
    size_t at;                    /* index in the employer's employment list */
} emp_index;

/* Period metadata per administration x period. */
typedef struct period_md {
    admin_info *admin;
    const lk_period *period;
    const lk_metadata *md;        /* the client's cache owns it */
    bool failed;
    lk_error err;
} period_md;

/* One listing query and its answer. */
typedef struct lk_plan_listing {
    char *admin_id;
    long period_id;
    long payslip_type;
    char filter_kind;             /* 'c' category, 'i' component id, 's' component set */
    long filter;
    char *set_id;                 /* 's' */
    bool for_defaults;            /* only read for the default record keys: verify skips it */
    lk_period_data_list *list;
    bool failed;
    lk_error err;
} plan_listing;

/* One employee reference x period reference as the input gave it: the unit of resolution. */
typedef struct unit {
    const lk_employee_ref *ref;   /* of the first entry */
    lk_period_ref period_ref;
    char label[16];
    employer_info *employer;
    long admin_client;            /* employment must be in this administration (0 = any) */
    const lk_employment *employment;
    admin_info *admin;
    const lk_period *period;
    period_md *pmd;
    bool failed;
    lk_error err;
} unit;

/* One record being built: employment x period x record key. */
typedef struct bucket {
    unit *u;                      /* the first unit (for who/when) */
    char *group_key;
    lk_ref mapped[LK_RK_COUNT];   /* as the input gave them (borrowed from entries) */
    const lk_meta_ref *resolved[LK_RK_COUNT]; /* mapped fields resolved; NULL = default */
    const char *payslip_text;
    bool text_conflict;
    /* components */
    struct bval {
        int key;
        lk_decimal value;
        bool value_null, is_supplement, overflow;
        const char *column;
        const lk_component *comp;
    } *vals;
    size_t nvals, vals_alloc;
    const lk_entry **entries;
    size_t nentries, entries_alloc;
    /* errors of this record (importer messages) */
    char **errors;
    size_t nerrors, errors_alloc;
    bool input_error;
    /* finishing */
    const lk_period_data_record *defaults_line; /* listing line with id null: the defaults */
    const lk_period_data_record *existing;
    bool need_defaults;
    long alt_payslip_type;        /* another payslip type whose listing shows the defaults */
    bool defaults_from_alt;       /* defaults_line is of alt_payslip_type: not its payslip type */
    long payslip_type;
    size_t item;                  /* index in plan->items */
    size_t emp_index;
} bucket;

typedef struct plan_ctx {
    lk_client *client;
    const lk_entry_set *set;
    const lk_plan_opts *opts;
    lk_report *report;
    lk_plan *plan;

    lk_employer_list *employers;
    employer_info *emps;
    size_t nemps;
    employer_info *run_employer;  /* from --employer / config / the only one */
    long run_client_number;       /* --employer given as a client number: that administration */
    admin_info **admins;          /* each allocated on its own: units point at them */
    size_t nadmins, admins_alloc;

    unit *units;
    size_t nunits, units_alloc;
    size_t *entry_unit;           /* entry index -> unit index */

    period_md *pmds;
    size_t npmds, pmds_alloc;

    bucket *buckets;
    size_t nbuckets, buckets_alloc;
    lk_hashmap *bucket_by_key;

    /* defaults per employment id */
    lk_hashmap *defaults;         /* employment id -> lk_period_data_record* */
    lk_hashmap *components_used;  /* "key" -> (void*)1 */

    lk_error fatal;
    bool has_fatal;
    /* test hook (LOKET_IMPORT_SKIP_PRECHECKS=1): leave the business rules to Loket, so the
     * tests can show that Loket's own rejections reach the report intact */
    bool skip_checks;
} plan_ctx;

static void set_fatal(plan_ctx *x, const lk_error *e)
{
    if (!x->has_fatal) {
        x->fatal = *e;
        x->has_fatal = true;
    }
}

/* A failure of a look-up that stops the whole run (no token, no connection, garbled answers). */
static bool is_run_error(lk_code code)
{
    return code == LK_ERR_AUTH || code == LK_ERR_NETWORK || code == LK_ERR_PROTOCOL ||
           code == LK_ERR_HTTP || code == LK_ERR_INTERRUPTED || code == LK_ERR_NOMEM;
}

static lk_code run(plan_ctx *x, lk_error *err)
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

/* ================================================================ round 1: employers */

static void on_employers(const lk_api_result *r, lk_employer_list *list, void *ud)
{
    plan_ctx *x = ud;
    if (r->code != LK_OK) {
        set_fatal(x, &r->err);
        return;
    }
    x->employers = list;
}

static void on_admins(const lk_api_result *r, lk_admin_list *list, void *ud)
{
    employer_info *e = ud;
    if (r->code != LK_OK) {
        e->admins_failed = true;
        e->admins_err = r->err;
        return;
    }
    e->admins = list;
}

static admin_info *admin_get(plan_ctx *x, const char *id, const char *name, long client_number,
                             const char *employer_id)
{
    for (size_t i = 0; i < x->nadmins; i++)
        if (!strcmp(x->admins[i]->id, id))
            return x->admins[i];
    lk_grow(&x->admins, sizeof *x->admins, x->nadmins + 1, &x->admins_alloc);
    admin_info *a = xcalloc(1, sizeof *a);
    x->admins[x->nadmins++] = a;
    a->id = xstrdup(id);
    a->name = xstrdup(name ? name : id);
    a->client_number = client_number;
    a->employer_id = employer_id ? xstrdup(employer_id) : NULL;
    return a;
}

static employer_info *employer_by_client_number(plan_ctx *x, long client_number, long *admin_cn)
{
    for (size_t i = 0; i < x->nemps; i++) {
        employer_info *e = &x->emps[i];
        for (size_t j = 0; e->admins && j < e->admins->n; j++)
            if (e->admins->items[j].client_number == client_number) {
                *admin_cn = client_number;
                return e;
            }
    }
    return NULL;
}

static bool parse_long(const char *s, long *out)
{
    char *end;
    if (!s || !*s)
        return false;
    long v = strtol(s, &end, 10);
    if (*end)
        return false;
    *out = v;
    return true;
}

static lk_code resolve_employers(plan_ctx *x, lk_error *err)
{
    const lk_plan_opts *o = x->opts;
    bool need_client_numbers = false;
    lk_code rc;

    for (size_t i = 0; i < x->set->nentries; i++)
        if (x->set->entries[i].employee.employer)
            need_client_numbers = true;

    lk_api_employers_start(x->client, on_employers, x);
    if ((rc = run(x, err)) != LK_OK)
        return rc;
    x->nemps = x->employers->n;
    x->emps = xcalloc(x->nemps + 1, sizeof *x->emps);
    for (size_t i = 0; i < x->nemps; i++) {
        x->emps[i].id = xstrdup(x->employers->items[i].id);
        x->emps[i].name = xstrdup(x->employers->items[i].company_name
                                      ? x->employers->items[i].company_name
                                      : x->employers->items[i].id);
    }

    const lk_employer *fixed = NULL;
    long fixed_cn = 0;
    if (o->employer) {
        fixed = lk_employer_find(x->employers, o->employer);
        if (!fixed) {
            if (!parse_long(o->employer, &fixed_cn)) {
                return lk_error_set(err, LK_ERR_NOT_FOUND,
                                    "employer \"%s\" is not among the %zu employers this user "
                                    "may see",
                                    o->employer, x->employers->n);
            }
            need_client_numbers = true;
        }
    }
    /* administrations: of every employer when client numbers must be matched, else of the
     * run's employer only */
    for (size_t i = 0; i < x->nemps; i++) {
        employer_info *e = &x->emps[i];
        if (need_client_numbers || (fixed && !strcmp(fixed->id, e->id)) ||
            (!fixed && x->nemps == 1)) {
            e->admins_wanted = true;
            lk_api_admins_start(x->client, e->id, on_admins, e);
        }
    }
    if ((rc = run(x, err)) != LK_OK)
        return rc;

    if (fixed) {
        for (size_t i = 0; i < x->nemps; i++)
            if (!strcmp(x->emps[i].id, fixed->id))
                x->run_employer = &x->emps[i];
    } else if (fixed_cn) {
        long cn = 0;
        x->run_employer = employer_by_client_number(x, fixed_cn, &cn);
        x->run_client_number = cn;
        if (!x->run_employer)
            return lk_error_set(err, LK_ERR_NOT_FOUND,
                                "employer \"%s\" is neither an employer nor the client number of "
                                "a payroll administration this user may see",
                                o->employer);
    } else if (x->nemps == 1) {
        x->run_employer = &x->emps[0];
    }
    return LK_OK;
}

/* ================================================================ round 2: employments */

static void on_employments(const lk_api_result *r, lk_employment_list *list, void *ud)
{
    employer_info *e = ud;
    if (r->code != LK_OK) {
        e->employments_failed = true;
        e->employments_err = r->err;
        return;
    }
    e->employments = list;
}

static void add_number(employer_info *e, long number)
{
    char key[24];
    snprintf(key, sizeof key, "%ld", number);
    if (!e->numbers_seen)
        e->numbers_seen = lk_hashmap_new(64);
    if (lk_hashmap_put(e->numbers_seen, key, (void *)1))
        return;
    lk_grow(&e->numbers, sizeof *e->numbers, e->nnumbers + 1, &e->numbers_alloc);
    e->numbers[e->nnumbers++] = number;
}

static char *unit_text(const lk_employee_ref *ref, const lk_period_ref *p)
{
    char buf[16];
    strbuf sb;
    strbuf_init(&sb, 64);
    strbuf_addf(&sb, "%s/%ld/%ld/%ld/%s/%s", ref->employer ? ref->employer : "",
                ref->employee_number, ref->payroll_id, ref->income_relationship,
                ref->employment_id ? ref->employment_id : "", lk_period_ref_format(p, buf));
    return strbuf_detach(&sb, NULL);
}

static void unit_fail(unit *u, lk_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void unit_fail(unit *u, lk_code code, const char *fmt, ...)
{
    va_list ap;
    if (u->failed)
        return;
    va_start(ap, fmt);
    lk_error_setv(&u->err, code, fmt, ap);
    va_end(ap);
    u->failed = true;
}

static lk_code build_units(plan_ctx *x, lk_error *err)
{
    lk_hashmap *by_text = lk_hashmap_new(x->set->nentries + 1);
    x->entry_unit = xcalloc(x->set->nentries + 1, sizeof *x->entry_unit);
    for (size_t i = 0; i < x->set->nentries; i++) {
        const lk_entry *en = &x->set->entries[i];
        char *t = unit_text(&en->employee, &en->period);
        void *v = lk_hashmap_get(by_text, t);
        if (v) {
            x->entry_unit[i] = (size_t)v - 1;
            free(t);
            continue;
        }
        lk_grow(&x->units, sizeof *x->units, x->nunits + 1, &x->units_alloc);
        unit *u = &x->units[x->nunits];
        memset(u, 0, sizeof *u);
        u->ref = &en->employee;
        u->period_ref = en->period;
        lk_period_ref_format(&en->period, u->label);
        x->entry_unit[i] = x->nunits++;
        lk_hashmap_put(by_text, t, (void *)(x->nunits));
        free(t);
    }
    lk_hashmap_free(by_text);

    /* which employer each unit belongs to */
    for (size_t i = 0; i < x->nunits; i++) {
        unit *u = &x->units[i];
        long cn;
        if (u->ref->employer) {
            if (!parse_long(u->ref->employer, &cn)) {
                unit_fail(u, LK_ERR_INPUT, "employer \"%s\" is not a client number",
                          u->ref->employer);
                continue;
            }
            u->employer = employer_by_client_number(x, cn, &u->admin_client);
            if (!u->employer) {
                strbuf sb;
                strbuf_init(&sb, 64);
                for (size_t j = 0; j < x->nemps; j++)
                    if (x->emps[j].admins_failed)
                        strbuf_addf(&sb, "%s%s (%s)", sb.len ? ", " : "", x->emps[j].name,
                                    x->emps[j].admins_err.message);
                unit_fail(u, LK_ERR_NOT_FOUND,
                          "no payroll administration with client number %ld among the employers "
                          "this user may see%s%s",
                          cn, sb.len ? "; could not read: " : "", sb.len ? sb.buf : "");
                strbuf_free(&sb);
                continue;
            }
            if (x->run_employer && x->run_employer != u->employer && x->opts->employer) {
                unit_fail(u, LK_ERR_INPUT,
                          "client number %ld belongs to %s, not to --employer %s", cn,
                          u->employer->name, x->opts->employer);
                continue;
            }
        } else if (x->run_employer) {
            u->employer = x->run_employer;
            u->admin_client = x->run_client_number;
        } else {
            return lk_error_set(err, LK_ERR_CONFIG,
                                "this user sees %zu employers and the input names none: give "
                                "--employer (id, number, name or client number) or set "
                                "\"employer\" in the configuration",
                                x->nemps);
        }
        if (u->period_ref.kind == LK_PERIOD_NONE) {
            unit_fail(u, LK_ERR_INPUT,
                      "no payroll period: give --period (2026-11 or 2026-P11) or map a period or "
                      "date column");
            continue;
        }
        if (u->ref->employment_id)
            u->employer->want_all = true;
        else if (u->ref->employee_number > 0)
            add_number(u->employer, u->ref->employee_number);
        else
            unit_fail(u, LK_ERR_INPUT, "no employee number");
    }
    return LK_OK;
}

static lk_code fetch_employments(plan_ctx *x, lk_error *err)
{
    for (size_t i = 0; i < x->nemps; i++) {
        employer_info *e = &x->emps[i];
        if (!e->nnumbers && !e->want_all)
            continue;
        e->employments_wanted = true;
        lk_api_employments_start(x->client, e->id, e->want_all ? NULL : e->numbers,
                                 e->want_all ? 0 : e->nnumbers, on_employments, e);
    }
    return run(x, err);
}

/* ================================================================ round 3: periods, components */

static void on_sets(const lk_api_result *r, lk_component_set_list *list, void *ud)
{
    admin_info *a = ud;
    if (r->code == LK_OK)
        a->sets = list; /* without sets the listing is asked per category: only dearer */
}

static void on_periods(const lk_api_result *r, lk_period_list *list, void *ud)
{
    admin_info *a = ud;
    if (r->code != LK_OK) {
        a->periods_failed = true;
        a->periods_err = r->err;
        return;
    }
    a->periods = list;
}

typedef struct comp_req {
    admin_info *admin;
    size_t year_index;
} comp_req;

static void on_components(const lk_api_result *r, lk_component_list *list, void *ud)
{
    comp_req *q = ud;
    comp_year *y = &q->admin->years[q->year_index];
    if (r->code != LK_OK) {
        y->failed = true;
        y->err = r->err;
    } else {
        y->list = list;
    }
    free(q);
}

static void want_year(admin_info *a, int year)
{
    for (size_t i = 0; i < a->nyears; i++)
        if (a->years[i].year == year)
            return;
    lk_grow(&a->years, sizeof *a->years, a->nyears + 1, &a->years_alloc);
    memset(&a->years[a->nyears], 0, sizeof a->years[0]);
    a->years[a->nyears++].year = year;
}

static const lk_component_list *components_of(const admin_info *a, int year)
{
    for (size_t i = 0; i < a->nyears; i++)
        if (a->years[i].year == year)
            return a->years[i].list;
    return NULL;
}

static const lk_component *component_find(const admin_info *a, int year, long key)
{
    const lk_component_list *l = components_of(a, year);
    for (size_t i = 0; l && i < l->n; i++)
        if (l->items[i].key == key)
            return &l->items[i];
    return NULL;
}

static const lk_admin *admin_record(const employer_info *e, const char *admin_id)
{
    for (size_t j = 0; e->admins && j < e->admins->n; j++)
        if (!strcmp(e->admins->items[j].id, admin_id))
            return &e->admins->items[j];
    return NULL;
}

static int cmp_by_number(const void *a, const void *b)
{
    const emp_index *x = a, *y = b;
    if (x->number != y->number)
        return x->number < y->number ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

static int cmp_by_id(const void *a, const void *b)
{
    const emp_index *x = a, *y = b;
    int c = strcasecmp(x->id, y->id);
    if (c)
        return c;
    return x->at < y->at ? -1 : x->at > y->at;
}

/* Sorted indexes of an employer's employments, so each unit finds its employee's employments
 * by binary search instead of a scan of every employment (thousands of units x thousands). */
static void index_employments(employer_info *er)
{
    const lk_employment_list *l = er->employments;
    if (!l || er->by_number)
        return;
    er->by_number = xcalloc(l->n + 1, sizeof *er->by_number);
    er->by_id = xcalloc(l->n + 1, sizeof *er->by_id);
    for (size_t i = 0; i < l->n; i++) {
        er->by_number[i].number = l->items[i].employee_number;
        er->by_number[i].at = i;
        er->by_id[i].id = l->items[i].id ? l->items[i].id : "";
        er->by_id[i].at = i;
    }
    qsort(er->by_number, l->n, sizeof *er->by_number, cmp_by_number);
    qsort(er->by_id, l->n, sizeof *er->by_id, cmp_by_id);
}

/* The first position in idx[0..n) not ordered before key (the comparison without the list
 * position: key.at is 0, the smallest). */
static size_t index_lower_bound(const emp_index *idx, size_t n, const emp_index *key,
                                int (*cmp)(const void *, const void *))
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp(&idx[mid], key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The employments of a unit's employee that may hold its data, in list order. */
static size_t unit_candidates(plan_ctx *x, unit *u, const lk_employment **out, size_t max)
{
    size_t n = 0;
    employer_info *er = u->employer;
    const lk_employment_list *l = er->employments;
    if (!l)
        return 0;
    index_employments(er);
    bool by_id = u->ref->employment_id != NULL;
    const emp_index *idx = by_id ? er->by_id : er->by_number;
    emp_index key = { u->ref->employee_number, u->ref->employment_id, 0 };
    for (size_t k = index_lower_bound(idx, l->n, &key, by_id ? cmp_by_id : cmp_by_number);
         k < l->n && n < max; k++) {
        if (by_id ? strcasecmp(idx[k].id, key.id) != 0 : idx[k].number != key.number)
            break;
        const lk_employment *e = &l->items[idx[k].at];
        if (u->ref->employment_id) {
            if (strcasecmp(e->id, u->ref->employment_id))
                continue;
        } else if (e->employee_number != u->ref->employee_number) {
            continue;
        }
        if (u->admin_client && e->admin_client_number && e->admin_client_number != u->admin_client)
            continue;
        out[n++] = e;
    }
    return n;
}

#define MAX_CANDIDATES 16

static admin_info *admin_of_employment(plan_ctx *x, employer_info *er, const lk_employment *e)
{
    if (!e->admin_id)
        return NULL;
    const lk_admin *ad = admin_record(er, e->admin_id);
    admin_info *a = admin_get(x, e->admin_id, e->admin_name ? e->admin_name : ad ? ad->name : NULL,
                              e->admin_client_number ? e->admin_client_number
                                                     : ad ? ad->client_number : 0,
                              er->id);
    if (!a->period_type && ad && ad->period_type)
        a->period_type = xstrdup(ad->period_type);
    if (!a->any_employment)
        a->any_employment = e->id;
    return a;
}

static lk_code fetch_periods(plan_ctx *x, lk_error *err)
{
    for (size_t i = 0; i < x->nunits; i++) {
        unit *u = &x->units[i];
        const lk_employment *cands[MAX_CANDIDATES];
        if (u->failed)
            continue;
        if (u->employer->employments_failed) {
            unit_fail(u, u->employer->employments_err.code, "employments of %s: %s",
                      u->employer->name, u->employer->employments_err.message);
            continue;
        }
        size_t n = unit_candidates(x, u, cands, MAX_CANDIDATES);
        for (size_t j = 0; j < n; j++) {
            admin_info *a = admin_of_employment(x, u->employer, cands[j]);
            if (!a)
                continue;
            a->periods_wanted = true;
            want_year(a, u->period_ref.year);
        }
    }
    for (size_t i = 0; i < x->nadmins; i++) {
        admin_info *a = x->admins[i];
        if (!a->periods_wanted)
            continue;
        lk_api_periods_start(x->client, a->id, on_periods, a);
        lk_api_component_sets_start(x->client, a->id, on_sets, a);
        for (size_t j = 0; j < a->nyears; j++) {
            comp_req *q = xcalloc(1, sizeof *q);
            q->admin = a;
            q->year_index = j;
            lk_api_components_start(x->client, a->id, a->years[j].year, on_components, q);
        }
    }
    return run(x, err);
}

/* ================================================================ employment per unit */

static void resolve_units(plan_ctx *x)
{
    for (size_t i = 0; i < x->nunits; i++) {
        unit *u = &x->units[i];
        const lk_employment *cands[MAX_CANDIDATES];
        lk_employment_candidate cc[MAX_CANDIDATES];
        lk_error perr[MAX_CANDIDATES];
        if (u->failed)
            continue;
        size_t n = unit_candidates(x, u, cands, MAX_CANDIDATES);
        if (n == 0) {
            if (u->ref->employment_id)
                unit_fail(u, LK_ERR_NOT_FOUND, "employment %s is not an employment of %s",
                          u->ref->employment_id, u->employer->name);
            else if (u->admin_client)
                unit_fail(u, LK_ERR_NOT_FOUND,
                          "employee %ld is not an employee of %s in the administration with "
                          "client number %ld",
                          u->ref->employee_number, u->employer->name, u->admin_client);
            else
                unit_fail(u, LK_ERR_NOT_FOUND, "employee %ld is not an employee of %s",
                          u->ref->employee_number, u->employer->name);
            continue;
        }
        for (size_t j = 0; j < n; j++) {
            admin_info *a = admin_of_employment(x, u->employer, cands[j]);
            cc[j].employment = cands[j];
            cc[j].period = NULL;
            cc[j].period_error = NULL;
            lk_error_clear(&perr[j]);
            if (!a) {
                cc[j].period_error = "the employment has no payroll administration";
            } else if (a->periods_failed) {
                unit_fail(u, a->periods_err.code, "payroll periods of %s: %s", a->name,
                          a->periods_err.message);
            } else {
                cc[j].period = lk_period_pick(a->periods, &u->period_ref, a->name, a->period_type,
                                              &perr[j]);
                if (!cc[j].period) {
                    cc[j].period_error = perr[j].message;
                    if (perr[j].code == LK_ERR_INPUT) /* a month for a 4-weekly administration */
                        unit_fail(u, LK_ERR_INPUT, "%s", perr[j].message);
                }
            }
        }
        if (u->failed)
            continue;
        int pick = lk_employment_choose(cc, n, u->ref->employee_number ? u->ref->employee_number
                                                                        : cands[0]->employee_number,
                                        u->ref->payroll_id, u->ref->income_relationship, u->label,
                                        &u->err);
        for (size_t j = 0; pick < 0 && x->skip_checks && j < n; j++)
            if (cc[j].period && (!u->ref->payroll_id || cands[j]->payroll_id == u->ref->payroll_id))
                pick = (int)j;
        if (pick < 0) {
            u->failed = true;
            continue;
        }
        u->employment = cands[pick];
        u->admin = admin_of_employment(x, u->employer, u->employment);
        u->period = cc[pick].period;
        if (u->period->approved && !x->skip_checks) {
            unit_fail(u, LK_ERR_CONFLICT,
                      "period %04d-P%02d (%s..%s) of %s is closed: its payroll run is approved",
                      u->period->year, u->period->period_number, u->period->start_date,
                      u->period->end_date, u->admin->name);
            continue;
        }
        if (u->period->year != u->period_ref.year)
            want_year(u->admin, u->period->year); /* a date bucketed into next year's period 1 */
    }
}

/* ================================================================ round 4: period metadata */

static void on_period_md(const lk_api_result *r, const lk_metadata *md, void *ud)
{
    period_md *p = ud;
    if (r->code != LK_OK) {
        p->failed = true;
        p->err = r->err;
        return;
    }
    p->md = md;
}

static lk_code fetch_period_metadata(plan_ctx *x, lk_error *err)
{
    x->pmds_alloc = x->nunits + 1;
    x->pmds = xcalloc(x->pmds_alloc, sizeof *x->pmds);
    for (size_t i = 0; i < x->nunits; i++) {
        unit *u = &x->units[i];
        if (u->failed)
            continue;
        for (size_t j = 0; j < x->npmds && !u->pmd; j++)
            if (x->pmds[j].admin == u->admin && x->pmds[j].period->id == u->period->id)
                u->pmd = &x->pmds[j];
        if (u->pmd)
            continue;
        u->pmd = &x->pmds[x->npmds++];
        u->pmd->admin = u->admin;
        u->pmd->period = u->period;
    }
    for (size_t j = 0; j < x->npmds; j++) {
        period_md *p = &x->pmds[j];
        lk_api_period_metadata_start(x->client, p->admin->id, p->admin->any_employment,
                                     p->period->year, p->period->period_number, on_period_md, p);
    }
    /* components of a year met only through a bucketed date */
    for (size_t i = 0; i < x->nadmins; i++) {
        admin_info *a = x->admins[i];
        for (size_t j = 0; j < a->nyears; j++) {
            if (a->years[j].list || a->years[j].failed || !a->periods_wanted)
                continue;
            comp_req *q = xcalloc(1, sizeof *q);
            q->admin = a;
            q->year_index = j;
            lk_api_components_start(x->client, a->id, a->years[j].year, on_components, q);
        }
    }
    return run(x, err);
}

/* ================================================================ buckets */

static const char *const rk_fields[LK_RK_COUNT] = { "costCenter", "costUnit", "distributionUnit",
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
        strbuf_addf(sb, "%scolumn %s", sb->len ? " " : "", lk_column_letter(e->mapping_column, letter));
        if (e->column_header)
            strbuf_addf(sb, " \"%s\"", e->column_header);
    } else if (e->column_header) {
        strbuf_addf(sb, "%scolumn \"%s\"", sb->len ? " " : "", e->column_header);
    }
}

static bucket *bucket_for(plan_ctx *x, size_t entry_index)
{
    const lk_entry *e = &x->set->entries[entry_index];
    unit *u = &x->units[x->entry_unit[entry_index]];
    strbuf key;
    const lk_meta_ref *resolved[LK_RK_COUNT] = { 0 };
    char *errs[LK_RK_COUNT] = { 0 };
    strbuf_init(&key, 128);
    if (u->failed) {
        char *t = unit_text(u->ref, &u->period_ref);
        strbuf_addf(&key, "U:%s", t);
        free(t);
    } else {
        strbuf_addf(&key, "E:%s|%ld", u->employment->id, u->period->id);
    }
    for (int f = 0; f < LK_RK_COUNT; f++) {
        const lk_ref *r = entry_ref(e, f);
        strbuf_addch(&key, '|');
        if (!u->failed && r->kind != LK_REF_DEFAULT && u->pmd && u->pmd->md) {
            resolved[f] = lk_meta_option_find(u->pmd->md, rk_fields[f], r);
            if (resolved[f]) {
                strbuf_addstr(&key, resolved[f]->key_text ? resolved[f]->key_text : "?");
                continue;
            }
            /* unknown: error below; keep the input's text in the key */
            strbuf sb;
            strbuf_init(&sb, 128);
            const lk_metadata_field *fld = lk_metadata_field_get(u->pmd->md, rk_fields[f]);
            strbuf_addf(&sb, "%s ", rk_words[f]);
            ref_text(&sb, r);
            strbuf_addf(&sb, " is not known in %s", u->admin->name);
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
            bucket_error(b, "%s%s%s", errs[f], w.len ? " at " : "", w.buf);
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

static void add_entry_to_bucket(plan_ctx *x, bucket *b, const lk_entry *e)
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
        bucket_error(b, "%s could not be read to its end: component %d may lack rows, so "
                     "nothing of this record is sent%s%s", x->set->files[e->incomplete_file],
                     e->component, w.len ? "; input " : "", w.buf);
        strbuf_free(&w);
    }

    const lk_component *comp = NULL;
    if (!u->failed) {
        comp = component_find(u->admin, u->period->year, e->component);
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
                         "component %d%s%s%s is not allowed in %s for period %04d-P%02d%s%s",
                         e->component, comp ? " (" : "", comp ? comp->description : "",
                         comp ? ")" : "", u->admin->name, u->period->year,
                         u->period->period_number, w.len ? "; input " : "", w.buf);
            strbuf_free(&w);
        } else if (e->is_supplement && comp && !comp->can_be_supplemented) {
            strbuf w;
            strbuf_init(&w, 64);
            entry_where(&w, x->set, e);
            bucket_error(b,
                         "component %d (%s) cannot be a supplement (isSupplement) in %s%s%s",
                         e->component, comp->description, u->admin->name,
                         w.len ? "; input " : "", w.buf);
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
        bv->value = e->value_null ? 0 : e->value;
        bv->is_supplement = e->is_supplement;
        bv->column = e->column_header;
        bv->comp = comp;
        return;
    }
    /* the same component again: dates of one period summed into it */
    if (bv->value_null != e->value_null) {
        bucket_error(b, "component %d is both removed (null) and given a value in period %s",
                     e->component, u->label);
        return;
    }
    if (!e->value_null && !lk_decimal_add(bv->value, e->value, &bv->value))
        bv->overflow = true;
}

static int cmp_bval(const void *a, const void *b)
{
    return ((const struct bval *)a)->key - ((const struct bval *)b)->key;
}

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

static void want_listing(lk_plan *p, const char *admin_id, long period_id, long payslip_type,
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

static void start_listing(lk_client *c, plan_listing *l)
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
static long other_payslip_type(const bucket *b)
{
    const lk_metadata_field *f = b->u->pmd && b->u->pmd->md
                                     ? lk_metadata_field_get(b->u->pmd->md, "payslipType")
                                     : NULL;
    for (size_t i = 0; f && i < f->n; i++)
        if (f->options[i].key_is_int && f->options[i].key != b->payslip_type)
            return f->options[i].key;
    return 0;
}

static bool bucket_ok(const bucket *b)
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
                if (!bucket_ok(b) || b->u->admin != ad)
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
static bool queue_listings(plan_ctx *x)
{
    /* the callbacks hold pointers into plan->listings: grow it first, then start */
    size_t first = x->plan->nlistings;
    choose_listing_sets(x);
    for (size_t i = 0; i < x->nbuckets; i++) {
        bucket *b = &x->buckets[i];
        if (!bucket_ok(b))
            continue;
        b->payslip_type = bucket_payslip_type(x, b);
        if (b->u->admin->listing_set) {
            want_listing(x->plan, b->u->admin->id, b->u->period->id, b->payslip_type, 's', 0,
                         b->u->admin->listing_set->id);
            continue;
        }
        for (size_t j = 0; j < b->nvals; j++) {
            const lk_component *comp = b->vals[j].comp;
            char kind = comp && comp->category_key ? 'c' : 'i';
            long filter = kind == 'c' ? comp->category_key : b->vals[j].key;
            want_listing(x->plan, b->u->admin->id, b->u->period->id, b->payslip_type, kind,
                         filter, NULL);
        }
    }
    for (size_t i = first; i < x->plan->nlistings; i++)
        start_listing(x->client, &x->plan->listings[i]);
    return x->plan->nlistings > first;
}

/* Listing lines of one employment for a period and payslip type, merged over the category
 * queries: lines of the same record (same key) come from several queries, each with some
 * components; they are merged into one record per key. */
typedef struct merged {
    char *employment_id;
    long period_id;
    long payslip_type;
    char *key_text;           /* record key text without period */
    lk_period_data_record rec;  /* components merged */
    size_t next_same;         /* next item of the same employment x period, index+1; 0: last */
} merged;

typedef struct merged_set {
    merged *items;
    size_t n, alloc;
    lk_hashmap *index;        /* "empid|period|payslip|key" -> index+1 */
    lk_hashmap *by_employment; /* "empid|period" -> index+1 of its first item (chained by
                                * next_same in listing order): a bucket finds its lines without
                                * scanning every line of the run */
} merged_set;

/* The by_employment key (whole, however long the server's id). */
static void employment_period_key(strbuf *sb, const char *employment_id, long period_id)
{
    strbuf_reset(sb);
    strbuf_addf(sb, "%s|%ld", employment_id, period_id);
}

/* The first line of an employment in a period (index+1, 0: none); next_same gives the rest. */
static size_t merged_first(const merged_set *ms, const char *employment_id, long period_id)
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
static bool line_has_values(const lk_period_data_record *r)
{
    if (r->id)
        return true;
    for (size_t i = 0; i < r->ncomponents; i++)
        if (r->components[i].has_value)
            return true;
    return false;
}

static void merge_listings(lk_plan *p, merged_set *ms)
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

static void merged_set_free(merged_set *ms)
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

static void on_defaults(const lk_api_result *r, lk_period_data_record *rec, void *ud)
{
    defaults_req *q = ud;
    if (r->code != LK_OK) {
        if (is_run_error(r->code))
            set_fatal(q->x, &r->err);
        else
            lk_hashmap_put(q->x->defaults, q->employment_id, NULL);
    } else {
        lk_hashmap_put(q->x->defaults, q->employment_id, rec);
    }
    free(q->employment_id);
    free(q);
}

static bool mapped_key_complete(const bucket *b, bool include_payslip)
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
static const lk_period_data_record *find_defaults_line(const merged_set *ms, const bucket *b,
                                                       bool *has_records, bool *listed)
{
    const lk_period_data_record *line = NULL;
    *has_records = false;
    *listed = false;
    for (size_t i = merged_first(ms, b->u->employment->id, b->u->period->id); i;
         i = ms->items[i - 1].next_same) {
        const merged *m = &ms->items[i - 1];
        if (m->payslip_type != b->payslip_type)
            continue;
        *listed = true;
        if (line_has_values(&m->rec))
            *has_records = true;
        else
            line = &m->rec;
    }
    return *has_records ? NULL : line;
}

/* ================================================================ finishing */

typedef struct final_key {
    const lk_meta_ref *f[LK_RK_COUNT];   /* NULL = null field */
    lk_meta_ref payslip_fallback;
} final_key;

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
    const lk_metadata_field *fld = md ? lk_metadata_field_get(md, rk_fields[f]) : NULL;
    if (!r || !fld)
        return r;
    for (size_t i = 0; i < fld->n; i++)
        if (fld->options[i].key_text && r->key_text &&
            !strcmp(fld->options[i].key_text, r->key_text))
            return &fld->options[i];
    return r;
}

/* A record key field: null, or {key_name: the key} (a number, or a string for a uuid key). */
static void key_json(strbuf *sb, const lk_meta_ref *r, const char *key_name)
{
    if (!r || !r->key_text) {
        strbuf_addstr(sb, "null");
        return;
    }
    strbuf_addch(sb, '{');
    lk_json_text_name(sb, key_name);
    if (r->key_is_int)
        lk_json_text_long(sb, r->key);
    else
        lk_json_text_string(sb, r->key_text);
    strbuf_addch(sb, '}');
}

/* The PATCH body, written as text (json_text.h: the bytes cJSON would print for the same tree;
 * a tree per record cost more than the rest of finishing it). */
static char *build_body(const bucket *b, const final_key *k)
{
    char buf[32];
    strbuf sb;
    strbuf_init(&sb, 256);
    strbuf_addch(&sb, '{');
    lk_json_text_name(&sb, "payrollPeriod");
    strbuf_addch(&sb, '{');
    lk_json_text_name(&sb, "year");
    lk_json_text_long(&sb, b->u->period->year);
    strbuf_addch(&sb, ',');
    lk_json_text_name(&sb, "periodNumber");
    lk_json_text_long(&sb, b->u->period->period_number);
    strbuf_addch(&sb, '}');
    /* shift, payslipType and distributionUnit are not nullable in the request schema: a record
     * without one leaves the member out; costCenter and costUnit are nullable */
    if (k->f[LK_RK_SHIFT]) {
        strbuf_addch(&sb, ',');
        lk_json_text_name(&sb, "shift");
        key_json(&sb, k->f[LK_RK_SHIFT], "shiftNumber");
    }
    if (k->f[LK_RK_PAYSLIP_TYPE]) {
        strbuf_addch(&sb, ',');
        lk_json_text_name(&sb, "payslipType");
        key_json(&sb, k->f[LK_RK_PAYSLIP_TYPE], "key");
    }
    if (k->f[LK_RK_DISTRIBUTION_UNIT]) {
        strbuf_addch(&sb, ',');
        lk_json_text_name(&sb, "distributionUnit");
        key_json(&sb, k->f[LK_RK_DISTRIBUTION_UNIT], "key");
    }
    strbuf_addch(&sb, ',');
    lk_json_text_name(&sb, "costCenter");
    key_json(&sb, k->f[LK_RK_COST_CENTER], "key");
    strbuf_addch(&sb, ',');
    lk_json_text_name(&sb, "costUnit");
    key_json(&sb, k->f[LK_RK_COST_UNIT], "key");
    if (b->payslip_text) {
        strbuf_addch(&sb, ',');
        lk_json_text_name(&sb, "payslipText");
        lk_json_text_string(&sb, b->payslip_text);
    }
    strbuf_addch(&sb, ',');
    lk_json_text_name(&sb, "payrollComponents");
    strbuf_addch(&sb, '[');
    for (size_t i = 0; i < b->nvals; i++) {
        if (i)
            strbuf_addch(&sb, ',');
        strbuf_addch(&sb, '{');
        lk_json_text_name(&sb, "payrollComponent");
        strbuf_addch(&sb, '{');
        lk_json_text_name(&sb, "key");
        lk_json_text_long(&sb, b->vals[i].key);
        strbuf_addstr(&sb, "},");
        lk_json_text_name(&sb, "value");
        /* exact decimal text: a double would print 1.75 as 1.75, but sums like 0.1+0.2 not */
        strbuf_addstr(&sb, b->vals[i].value_null ? "null" : lk_decimal_format(b->vals[i].value, buf));
        strbuf_addch(&sb, ',');
        lk_json_text_name(&sb, "isSupplement");
        strbuf_addstr(&sb, b->vals[i].is_supplement ? "true" : "false");
        strbuf_addch(&sb, '}');
    }
    strbuf_addstr(&sb, "]}");
    return strbuf_detach(&sb, NULL);
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
        char label[24];
        snprintf(label, sizeof label, "%04d-P%02d", u->period->year % 10000,
                 u->period->period_number % 100);
        lk_report_record_set_period_label(rec, label);
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
    char buf[32], kbuf[24], msg[256];
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
                 "Loket holds %s for component %ld%s%s%s; the file has no value for it, so it "
                 "stays (send 0 or null to change it)",
                 lk_decimal_format(cv->value, buf), cv->key, cv->description ? " (" : "",
                 cv->description ? cv->description : "", cv->description ? ")" : "");
        lk_report_record_add_message(rec, LK_MSG_IMPORTER, "Info", false, 0, msg, NULL);
    }
}

static void finish_bucket(plan_ctx *x, bucket *b, const merged_set *ms, lk_hashmap *final_keys)
{
    lk_plan *p = x->plan;
    lk_report_record *rec = lk_report_add_record(x->report);
    lk_plan_item *it = new_item(p);
    b->item = p->nitems - 1;
    it->rec = rec;
    fill_who(x, rec, b);
    qsort(b->vals, b->nvals, sizeof *b->vals, cmp_bval);

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
    memset(&k, 0, sizeof k);
    bool key_ok = !b->u->failed;
    if (key_ok) {
        const lk_period_data_record *d = lk_hashmap_get(x->defaults, b->u->employment->id);
        if (!d)
            d = b->defaults_line;
        for (int f = 0; f < LK_RK_COUNT; f++) {
            if (b->resolved[f]) {
                k.f[f] = b->resolved[f];
            } else if (b->mapped[f].kind != LK_REF_DEFAULT) {
                key_ok = false; /* unknown code: error already noted */
            } else if (f == LK_RK_PAYSLIP_TYPE &&
                       (!d || !default_field(d, f) || (d == b->defaults_line && b->defaults_from_alt))) {
                memset(&k.payslip_fallback, 0, sizeof k.payslip_fallback);
                k.payslip_fallback.present = true;
                k.payslip_fallback.key_is_int = true;
                k.payslip_fallback.key = b->payslip_type;
                k.f[f] = &k.payslip_fallback;
            } else if (d) {
                k.f[f] = default_field(d, f);
            } else if (b->need_defaults) {
                lk_report_record_add_message(rec, LK_MSG_IMPORTER, "Error", false, 0,
                                             "the employment's default record key could not be "
                                             "read (payrollperioddata/defaults)",
                                             NULL);
                it->error = true;
                key_ok = false;
                break;
            }
        }
        if (k.payslip_fallback.present)
            k.payslip_fallback.key_text = NULL; /* set below */
    }
    char pbuf[24];
    if (k.payslip_fallback.present) {
        snprintf(pbuf, sizeof pbuf, "%ld", k.payslip_fallback.key);
        k.payslip_fallback.key_text = pbuf;
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
        for (size_t i = merged_first(ms, b->u->employment->id, b->u->period->id);
             i && !existing; i = ms->items[i - 1].next_same) {
            const merged *m = &ms->items[i - 1];
            if (line_has_values(&m->rec) && !strcmp(m->key_text, kt0))
                existing = &m->rec;
        }
        free(kt0);
        char *kt = lk_record_key_text(b->u->period->id, &kf);
        strbuf key;
        strbuf_init(&key, 128);
        strbuf_addf(&key, "%s/%s", b->u->employment->id, kt);
        free(kt);
        it->key = strbuf_detach(&key, NULL);
        void *prev = lk_hashmap_get(final_keys, it->key);
        if (prev) {
            lk_report_record_add_message(rec, LK_MSG_IMPORTER, "Error", false, 0,
                                         "these rows and others of this file end up in the same "
                                         "Loket record (a record key field given once "
                                         "explicitly, once left to the default)",
                                         NULL);
            it->error = true;
        }
        lk_hashmap_put(final_keys, it->key, (void *)1);
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
        rec->input_error = true;
        lk_report_record_set_result(rec, LK_OUTCOME_REJECTED, 0, 0);
        it->planned = LK_OUTCOME_REJECTED;
        return;
    }
    it->planned = diff == LK_DIFF_CREATE   ? LK_OUTCOME_CREATED
                  : diff == LK_DIFF_CHANGE ? LK_OUTCOME_UPDATED
                                           : LK_OUTCOME_UNCHANGED;
    lk_report_record_set_result(rec, it->planned, 0, 0);
    it->body = build_body(b, &k);
    lk_sha256_hex(it->body, strlen(it->body), it->body_sha256);
}

/* ================================================================ row issues */

/* Row issues (bad cells, skipped rows) into the report; an error on a row that fed a record
 * rejects that record, and any error of an employee blocks every record of that employee. */
static void place_issues(plan_ctx *x, lk_hashmap *row_item)
{
    const lk_entry_set *set = x->set;
    for (size_t i = 0; i < set->nissues; i++) {
        const lk_row_issue *is = &set->issues[i];
        if (is->skipped) {
            lk_report_issue_set_employee(
                lk_report_add_issue(x->report, LK_OUTCOME_SKIPPED, &is->error),
                is->employee.employee_number, is->employee.employer);
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
            lk_report_issue_set_employee(
                lk_report_add_issue(x->report, LK_OUTCOME_REJECTED, &is->error),
                is->employee.employee_number, is->employee.employer);
        }
        /* block the employee's other records */
        if (is->employee.employee_number) {
            for (size_t j = 0; j < x->nbuckets; j++) {
                bucket *b = &x->buckets[j];
                if (b->u->ref->employee_number == is->employee.employee_number &&
                    !strcmp(b->u->ref->employer ? b->u->ref->employer : "",
                            is->employee.employer ? is->employee.employer : ""))
                    x->plan->items[b->item].blocked = true;
            }
        }
    }
}

/* ================================================================ build */

static void count_errors(lk_plan *p, const lk_report *r)
{
    p->errors = 0;
    for (size_t i = 0; i < p->nitems; i++)
        if (p->items[i].error)
            p->errors++;
    for (size_t i = 0; i < r->nissues; i++)
        if (r->issues[i].outcome == LK_OUTCOME_REJECTED)
            p->errors++;
}

static void block_employments(plan_ctx *x)
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
                                         "another row or record of this employment has an "
                                         "error: nothing of this employment is sent",
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
}

lk_code lk_plan_build(lk_client *c, const lk_entry_set *set, const lk_plan_opts *opts,
                      lk_report *r, lk_plan **out, lk_error *err)
{
    plan_ctx x;
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
    const char *skip = getenv("LOKET_IMPORT_SKIP_PRECHECKS");
    x.skip_checks = skip && !strcmp(skip, "1");
    *out = NULL;
    r->rows_read = set->rows_read;

    if (set->nentries) {
        if ((rc = resolve_employers(&x, err)) != LK_OK)
            goto fail;
        if ((rc = build_units(&x, err)) != LK_OK)
            goto fail;
        if ((rc = fetch_employments(&x, err)) != LK_OK)
            goto fail;
        if ((rc = fetch_periods(&x, err)) != LK_OK)
            goto fail;
        resolve_units(&x);
        if ((rc = fetch_period_metadata(&x, err)) != LK_OK)
            goto fail;
        for (size_t i = 0; i < x.nunits; i++) {
            unit *u = &x.units[i];
            if (!u->failed && u->pmd && u->pmd->failed)
                unit_fail(u, u->pmd->err.code, "period metadata of %s: %s", u->admin->name,
                          u->pmd->err.message);
        }
    }
    for (size_t i = 0; i < set->nentries; i++) {
        bucket *b = bucket_for(&x, i);
        add_entry_to_bucket(&x, b, &set->entries[i]);
    }

    /* current state: listings; then defaults where the listing does not show them; then the
     * listings of payslip types only the defaults revealed */
    merged_set ms;
    memset(&ms, 0, sizeof ms);
    queue_listings(&x);
    if ((rc = run(&x, err)) != LK_OK)
        goto fail;
    for (size_t i = 0; i < x.plan->nlistings; i++)
        if (x.plan->listings[i].failed) {
            *err = x.plan->listings[i].err;
            rc = err->code;
            goto fail;
        }
    merge_listings(x.plan, &ms);
    /* An employment that holds records of the payslip type is listed with those records, not
     * with its default key. The listing of another payslip type (one component is enough) shows
     * its data-entry line with the default key instead: one request per administration x period
     * replaces a defaults call per employment. */
    size_t first_alt = x.plan->nlistings;
    for (size_t i = 0; i < x.nbuckets; i++) {
        bucket *b = &x.buckets[i];
        bool has_records, listed;
        if (!bucket_ok(b) || mapped_key_complete(b, false) || !b->nvals)
            continue;
        b->defaults_line = find_defaults_line(&ms, b, &has_records, &listed);
        b->alt_payslip_type = other_payslip_type(b);
        if (!b->defaults_line && b->alt_payslip_type)
            want_listing(x.plan, b->u->admin->id, b->u->period->id, b->alt_payslip_type, 'i',
                         b->vals[0].key, NULL);
    }
    if (x.plan->nlistings > first_alt) {
        for (size_t i = first_alt; i < x.plan->nlistings; i++) {
            x.plan->listings[i].for_defaults = true;
            start_listing(c, &x.plan->listings[i]);
        }
        if ((rc = run(&x, err)) != LK_OK) {
            merged_set_free(&ms);
            goto fail;
        }
        /* a failed one only costs the defaults calls it would have saved */
        merged_set_free(&ms);
        memset(&ms, 0, sizeof ms);
        merge_listings(x.plan, &ms);
    }
    lk_hashmap *asked = lk_hashmap_new(16);
    for (size_t i = 0; i < x.nbuckets; i++) {
        bucket *b = &x.buckets[i];
        bool has_records, listed;
        if (!bucket_ok(b) || mapped_key_complete(b, false))
            continue;
        b->defaults_line = find_defaults_line(&ms, b, &has_records, &listed);
        if (b->defaults_line)
            continue;
        if (b->alt_payslip_type) {
            long keep = b->payslip_type;
            b->payslip_type = b->alt_payslip_type;
            b->defaults_line = find_defaults_line(&ms, b, &has_records, &listed);
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
        q->x = &x;
        q->employment_id = xstrdup(b->u->employment->id);
        x.plan->defaults_fetched++;
        lk_api_defaults_start(c, b->u->employment->id, on_defaults, q);
    }
    lk_hashmap_free(asked);
    if ((rc = run(&x, err)) != LK_OK) {
        merged_set_free(&ms);
        goto fail;
    }
    if (queue_listings(&x)) {
        if ((rc = run(&x, err)) != LK_OK) {
            merged_set_free(&ms);
            goto fail;
        }
        merged_set_free(&ms);
        memset(&ms, 0, sizeof ms);
        merge_listings(x.plan, &ms);
    }

    lk_hashmap *final_keys = lk_hashmap_new(x.nbuckets + 1);
    for (size_t i = 0; i < x.nbuckets; i++)
        finish_bucket(&x, &x.buckets[i], &ms, final_keys);
    lk_hashmap_free(final_keys);
    merged_set_free(&ms);

    /* rows -> items, for the row issues */
    lk_hashmap *row_item = lk_hashmap_new(set->nentries * 2 + 1);
    for (size_t i = 0; i < x.nbuckets; i++) {
        bucket *b = &x.buckets[i];
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
    place_issues(&x, row_item);
    lk_hashmap_free(row_item);
    block_employments(&x);
    count_errors(x.plan, r);
    for (size_t f = 0; f < set->nfiles && !x.plan->unread_file; f++)
        if (set->file_info && set->file_info[f].failed)
            x.plan->unread_file = xstrdup(set->files[f]);
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

/* ================================================================ verify */

long lk_plan_verify(lk_client *c, lk_plan *p, const bool *sent, lk_error *err)
{
    /* the same queries again, fresh */
    for (size_t i = 0; i < p->nlistings; i++) {
        lk_period_data_list_free(p->listings[i].list);
        p->listings[i].list = NULL;
        p->listings[i].failed = false;
        if (!p->listings[i].for_defaults)
            start_listing(c, &p->listings[i]);
    }
    lk_code rc = lk_client_run(c, err);
    if (rc != LK_OK)
        return -1;
    for (size_t i = 0; i < p->nlistings; i++)
        if (p->listings[i].failed) {
            *err = p->listings[i].err;
            return -1;
        }
    merged_set ms;
    memset(&ms, 0, sizeof ms);
    merge_listings(p, &ms);
    long mismatches = 0;
    for (size_t i = 0; i < p->nitems; i++) {
        lk_plan_item *it = &p->items[i];
        if (!sent[i] || !it->key)
            continue;
        const char *kt = strchr(it->key, '|');
        const merged *m = NULL;
        for (size_t j = merged_first(&ms, it->employment_id, it->admin_period_id); j && !m && kt;
             j = ms.items[j - 1].next_same)
            if (!strcmp(strchr(ms.items[j - 1].key_text, '|'), kt))
                m = &ms.items[j - 1];
        lk_report_record *rec = it->rec;
        bool bad = false;
        char msg[300], a[32], b[32];
        if (!m) {
            lk_report_record_add_message(rec, LK_MSG_IMPORTER, "Error", false, 0,
                                         "verify: Loket holds no such record after the upsert",
                                         NULL);
            bad = true;
        }
        for (size_t k = 0; m && k < rec->ncomponents; k++) {
            const lk_report_component *rc2 = &rec->components[k];
            const lk_component_value *held = NULL;
            for (size_t q = 0; q < m->rec.ncomponents; q++)
                if (m->rec.components[q].key == rc2->key && m->rec.components[q].has_value)
                    held = &m->rec.components[q];
            if (rc2->delete ? held == NULL : (held && held->value == rc2->new_value))
                continue;
            if (rc2->is_supplement)
                continue; /* a supplement adds to the fixed value: the period value may differ */
            snprintf(msg, sizeof msg, "verify: component %d should be %s, Loket holds %s",
                     rc2->key, rc2->delete ? "empty" : lk_decimal_format(rc2->new_value, a),
                     held ? lk_decimal_format(held->value, b) : "nothing");
            lk_report_record_add_message(rec, LK_MSG_IMPORTER, "Error", false, 0, msg, NULL);
            bad = true;
        }
        if (bad) {
            mismatches++;
            lk_report_record_set_result(rec, LK_OUTCOME_FAILED, rec->http_status, rec->attempts);
        }
    }
    merged_set_free(&ms);
    return mismatches;
}
