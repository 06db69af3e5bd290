/*
 * plan_lookup.c: the entries' employee and period references -> the employer, employment,
 * payroll administration, period, components and period metadata each one means in Loket.
 *
 * Rounds 1-4 of the plan (see plan.c); every round queues all its requests at once.
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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ================================================================ round 1: employers */

static void on_employers(const lk_api_result *r, lk_employer_list *list, void *ud)
{
    plan_ctx *x = ud;
    if (r->code != LK_OK) {
        plan_set_fatal(x, &r->err);
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

lk_code plan_resolve_employers(plan_ctx *x, lk_error *err)
{
    const lk_plan_opts *o = x->opts;
    bool need_client_numbers = false;
    lk_code rc;

    for (size_t i = 0; i < x->set->nentries; i++)
        if (x->set->entries[i].employee.employer)
            need_client_numbers = true;

    lk_api_employers_start(x->client, on_employers, x);
    if ((rc = plan_run(x, err)) != LK_OK)
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
                                    _("employer \"%s\" is not among the %zu employers this user "
                                    "may see"),
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
    if ((rc = plan_run(x, err)) != LK_OK)
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
                                _("employer \"%s\" is neither an employer nor the client number of "
                                "a payroll administration this user may see"),
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

char *plan_unit_text(const lk_employee_ref *ref, const lk_period_ref *p)
{
    char buf[16];
    strbuf sb;
    strbuf_init(&sb, 64);
    strbuf_addf(&sb, "%s/%ld/%ld/%ld/%s/%s", ref->employer ? ref->employer : "",
                ref->employee_number, ref->payroll_id, ref->income_relationship,
                ref->employment_id ? ref->employment_id : "", lk_period_ref_format(p, buf));
    return strbuf_detach(&sb, NULL);
}

lk_code plan_stop_if_transient(plan_ctx *x, lk_error *err)
{
    for (size_t i = 0; i < x->nunits; i++)
        if (x->units[i].failed && lk_code_transient(x->units[i].err.code)) {
            *err = x->units[i].err;
            return err->code;
        }
    return LK_OK;
}

void plan_unit_fail(unit *u, lk_code code, const char *fmt, ...)
{
    va_list ap;
    if (u->failed)
        return;
    va_start(ap, fmt);
    lk_error_setv(&u->err, code, fmt, ap);
    va_end(ap);
    u->failed = true;
}

lk_code plan_build_units(plan_ctx *x, lk_error *err)
{
    lk_hashmap *by_text = lk_hashmap_new(x->set->nentries + 1);
    x->entry_unit = xcalloc(x->set->nentries + 1, sizeof *x->entry_unit);
    for (size_t i = 0; i < x->set->nentries; i++) {
        const lk_entry *en = &x->set->entries[i];
        char *t = plan_unit_text(&en->employee, &en->period);
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
                plan_unit_fail(u, LK_ERR_INPUT, _("employer \"%s\" is not a client number"),
                               u->ref->employer);
                continue;
            }
            u->employer = employer_by_client_number(x, cn, &u->admin_client);
            if (!u->employer) {
                strbuf sb;
                lk_code why = LK_ERR_NOT_FOUND;
                strbuf_init(&sb, 64);
                for (size_t j = 0; j < x->nemps; j++)
                    if (x->emps[j].admins_failed) {
                        strbuf_addf(&sb, "%s%s (%s)", sb.len ? ", " : "", x->emps[j].name,
                                    x->emps[j].admins_err.message);
                        /* unanswered, not absent: the employer may be among those */
                        if (lk_code_transient(x->emps[j].admins_err.code))
                            why = x->emps[j].admins_err.code;
                    }
                plan_unit_fail(u, why,
                               _("no payroll administration with client number %ld among the employers "
                               "this user may see%s%s"),
                               cn, sb.len ? "; could not read: " : "", sb.len ? sb.buf : "");
                strbuf_free(&sb);
                continue;
            }
            if (x->run_employer && x->run_employer != u->employer && x->opts->employer) {
                plan_unit_fail(u, LK_ERR_INPUT,
                               _("client number %ld belongs to %s, not to --employer %s"), cn,
                               u->employer->name, x->opts->employer);
                continue;
            }
        } else if (x->run_employer) {
            u->employer = x->run_employer;
            u->admin_client = x->run_client_number;
        } else {
            return lk_error_set(err, LK_ERR_CONFIG,
                                _("this user sees %zu employers and the input names none: give "
                                "--employer (id, number, name or client number) or set "
                                "\"employer\" in the configuration"),
                                x->nemps);
        }
        if (u->period_ref.kind == LK_PERIOD_NONE) {
            plan_unit_fail(u, LK_ERR_INPUT,
                           _("no payroll period: give --period (2026-11 or 2026-P11) or map a period or "
                           "date column"));
            continue;
        }
        if (u->ref->employment_id)
            u->employer->want_all = true;
        else if (u->ref->employee_number > 0)
            add_number(u->employer, u->ref->employee_number);
        else
            plan_unit_fail(u, LK_ERR_INPUT, _("no employee number"));
    }
    return LK_OK;
}

/* The whole list replaces the filtered one only when it came: without it the messages merely
 * lack a suggestion. */
static void on_all_employments(const lk_api_result *r, lk_employment_list *list, void *ud)
{
    employer_info *e = ud;
    if (r->code != LK_OK || !list)
        return;
    lk_employment_list_free(e->employments);
    e->employments = list;
}

/* True when one of the numbers the input names has no employment in the list Loket sent. */
static bool numbers_missing(const employer_info *e)
{
    for (size_t i = 0; i < e->nnumbers; i++) {
        bool found = false;
        for (size_t j = 0; !found && e->employments && j < e->employments->n; j++)
            found = e->employments->items[j].employee_number == e->numbers[i];
        if (!found)
            return true;
    }
    return false;
}

lk_code plan_fetch_employments(plan_ctx *x, lk_error *err)
{
    for (size_t i = 0; i < x->nemps; i++) {
        employer_info *e = &x->emps[i];
        if (!e->nnumbers && !e->want_all)
            continue;
        e->employments_wanted = true;
        lk_api_employments_start(x->client, e->id, e->want_all ? NULL : e->numbers,
                                 e->want_all ? 0 : e->nnumbers, on_employments, e);
    }
    lk_code rc = plan_run(x, err);
    if (rc != LK_OK)
        return rc;
    /* A number Loket does not know is often a typing slip (10003 for 1003): read that employer's
     * whole list once, so that the message can name the number that was meant. */
    bool again = false;
    for (size_t i = 0; i < x->nemps; i++) {
        employer_info *e = &x->emps[i];
        if (e->employments_wanted && !e->want_all && e->employments && numbers_missing(e)) {
            lk_api_employments_start(x->client, e->id, NULL, 0, on_all_employments, e);
            again = true;
        }
    }
    return again ? plan_run(x, err) : LK_OK;
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

const lk_component *plan_component_find(const admin_info *a, int year, long key)
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
#define OPEN_PERIODS_SHOWN 6

/* Edit distance of two short digit strings, a swap of neighbours counting as one edit. */
static size_t digits_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), d[24][24];
    if (la > 22 || lb > 22)
        return SIZE_MAX;
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[la][lb];
}

/* "1003" (or "1003 or 1030"): the employee numbers of the employer one typing slip away from a
 * number it does not know (a digit too many, too few, wrong or swapped). */
static void nearest_numbers(strbuf *sb, const employer_info *er, long number, long client)
{
    char want[24], have[24];
    size_t found = 0;
    snprintf(want, sizeof want, "%ld", number);
    for (size_t i = 0; er->employments && i < er->employments->n && found < 3; i++) {
        const lk_employment *e = &er->employments->items[i];
        bool dup = false;
        if (client && e->admin_client_number && e->admin_client_number != client)
            continue;
        for (size_t j = 0; j < i && !dup; j++)
            dup = er->employments->items[j].employee_number == e->employee_number;
        snprintf(have, sizeof have, "%ld", e->employee_number);
        if (dup || digits_distance(want, have) != 1)
            continue;
        if (found++)
            strbuf_addstr(sb, _(" or "));
        strbuf_addstr(sb, have);
    }
}

/* "2026-11, 2026-12": the periods of an administration that still take data, so that a
 * message about a closed period says where the data can go. Empty when none is open. */
static void open_periods_text(strbuf *sb, const admin_info *a)
{
    size_t shown = 0, open = 0;
    for (size_t i = 0; a->periods && i < a->periods->n; i++) {
        const lk_period *p = &a->periods->items[i];
        if (p->approved)
            continue;
        if (open++ < OPEN_PERIODS_SHOWN)
            strbuf_addf(sb, "%s%s", shown++ ? ", " : "",
                        plan_period_code(p, (char[LK_PERIOD_NAME_MAX]){ 0 }));
    }
    if (open > shown)
        strbuf_addf(sb, ngettext(" and %zu more", " and %zu more", open - shown), open - shown);
}

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

lk_code plan_fetch_periods(plan_ctx *x, lk_error *err)
{
    for (size_t i = 0; i < x->nunits; i++) {
        unit *u = &x->units[i];
        const lk_employment *cands[MAX_CANDIDATES];
        if (u->failed)
            continue;
        if (u->employer->employments_failed) {
            plan_unit_fail(u, u->employer->employments_err.code, _("employments of %s: %s"),
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
    return plan_run(x, err);
}

/* ================================================================ employment per unit */

void plan_resolve_units(plan_ctx *x)
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
                plan_unit_fail(u, LK_ERR_NOT_FOUND, _("employment %s is not an employment of %s"),
                               u->ref->employment_id, u->employer->name);
            else {
                strbuf near;
                strbuf_init(&near, 32);
                nearest_numbers(&near, u->employer, u->ref->employee_number, u->admin_client);
                if (u->admin_client)
                    plan_unit_fail(u, LK_ERR_NOT_FOUND,
                                   near.len ? _("employee number %ld is not known at %s in the "
                                                "administration with client number %ld; did you "
                                                "mean %s?")
                                            : _("employee number %ld is not known at %s in the "
                                                "administration with client number %ld%s"),
                                   u->ref->employee_number, u->employer->name, u->admin_client,
                                   near.buf ? near.buf : "");
                else
                    plan_unit_fail(u, LK_ERR_NOT_FOUND,
                                   near.len ? _("employee number %ld is not known at %s; did you "
                                                "mean %s?")
                                            : _("employee number %ld is not known at %s%s"),
                                   u->ref->employee_number, u->employer->name,
                                   near.buf ? near.buf : "");
                strbuf_free(&near);
            }
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
                plan_unit_fail(u, a->periods_err.code, _("payroll periods of %s: %s"), a->name,
                               a->periods_err.message);
            } else {
                cc[j].period = lk_period_pick(a->periods, &u->period_ref, a->name, a->period_type,
                                              &perr[j]);
                if (!cc[j].period) {
                    cc[j].period_error = perr[j].message;
                    if (perr[j].code == LK_ERR_INPUT) /* a month for a 4-weekly administration */
                        plan_unit_fail(u, LK_ERR_INPUT, "%s", perr[j].message);
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
            strbuf open;
            strbuf_init(&open, 64);
            open_periods_text(&open, u->admin);
            plan_unit_fail(u, LK_ERR_CONFLICT,
                           open.len ? _("period %s (%s to %s) of %s is closed: its payroll run is "
                                        "approved; open periods: %s")
                                    : _("period %s (%s to %s) of %s is closed: its payroll run is "
                                        "approved; none of its periods is open%s"),
                           plan_period_code(u->period, (char[LK_PERIOD_NAME_MAX]){ 0 }),
                           lk_fmt_date(u->period->start_date, (char[32]){ 0 }),
                           lk_fmt_date(u->period->end_date, (char[32]){ 0 }), u->admin->name,
                           open.buf ? open.buf : "");
            strbuf_free(&open);
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

lk_code plan_fetch_period_metadata(plan_ctx *x, lk_error *err)
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
    lk_code rc = plan_run(x, err);
    if (rc != LK_OK)
        return rc;
    for (size_t i = 0; i < x->nunits; i++) {
        unit *u = &x->units[i];
        if (!u->failed && u->pmd && u->pmd->failed)
            plan_unit_fail(u, u->pmd->err.code, _("period metadata of %s: %s"), u->admin->name,
                           u->pmd->err.message);
    }
    return LK_OK;
}

const char *plan_period_code(const lk_period *p, char *buf)
{
    return plan_period_code_like(p, p->year, p->period_number, buf);
}

const char *plan_period_code_like(const lk_period *like, int year, int number, char *buf)
{
    return lk_period_code(year, number, lk_period_type_of(like->start_date, like->end_date), buf);
}
