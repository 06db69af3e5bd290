/*
 * api.c: Loket look-ups and writes on top of the HTTP engine (see api.h).
 *
 * Lists go through one pager: page 1 tells how many pages there are, then the other pages are
 * requested at most `pagesInFlight` at a time per list. Work is bounded by what the server
 * really sends, not by what it claims: a claim of more than `maxPagesPerList` pages is refused
 * before any further request, and an empty page before the claimed last one ends the list with
 * an error (the claim was false or the list changed while it was read). Items are parsed per
 * page and joined in page order when the last page arrives, so the order is the server's.
 *
 * All listings of one client (one command) share a budget, so nested listings (employers,
 * then each employer's administrations) cannot multiply: besides the first page of each list
 * (what the command needs), at most LIST_EXTRA_PAGES_FACTOR x maxPagesPerList further pages
 * (2 000 by default) and LIST_BYTES_BUDGET bytes of answers in all. When a server claims more,
 * the listing that hits the budget fails with an error that names it and no further page of
 * any list is asked.
 */
#include "loket/api.h"

#include "common/i18n.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The listing budget of one command (see the top of this file). */
#define LIST_EXTRA_PAGES_FACTOR 5
#define LIST_BYTES_BUDGET (512UL * 1024 * 1024)

/* Up to this many employee numbers go into a filter; more and the whole list is cheaper. */
#define FILTER_MAX_NUMBERS 20

typedef struct md_waiter {
    lk_metadata_fn cb;
    void *ud;
    struct md_waiter *next;
} md_waiter;

typedef struct md_entry {
    char *key;
    bool done;
    lk_metadata *md;
    lk_api_result result;     /* envelope always NULL */
    md_waiter *waiters;
    struct md_entry *next;
} md_entry;

struct lk_client {
    const lk_config *cfg;
    lk_trace *trace;
    lk_tokens *tokens;
    lk_http *http;
    md_entry *metadata;       /* cache per administration (and period) */
    long list_extra_pages;    /* pages beyond each list's first asked so far, all lists */
    size_t list_bytes;        /* bytes of listing answers received, all lists */
    bool list_budget_spent;   /* then no listing asks for anything more */
};

/* ---------------------------------------------------------------- client */

lk_code lk_client_new(const lk_config *cfg, lk_trace *trace, lk_client **out, lk_error *err)
{
    lk_client *c = xcalloc(1, sizeof *c);
    *out = NULL;
    c->cfg = cfg;
    c->trace = trace;
    if (lk_tokens_open(cfg, trace, &c->tokens, err) != LK_OK ||
        lk_http_new(cfg, c->tokens, trace, &c->http, err) != LK_OK) {
        lk_client_free(c);
        return err->code;
    }
    *out = c;
    return LK_OK;
}

void lk_client_free(lk_client *c)
{
    if (!c)
        return;
    lk_http_free(c->http);
    lk_tokens_free(c->tokens);
    while (c->metadata) {
        md_entry *e = c->metadata;
        c->metadata = e->next;
        while (e->waiters) {
            md_waiter *w = e->waiters;
            e->waiters = w->next;
            free(w);
        }
        lk_metadata_free(e->md);
        free(e->key);
        free(e);
    }
    free(c);
}

lk_code lk_client_run(lk_client *c, lk_error *err)
{
    return lk_http_run(c->http, err);
}

lk_http *lk_client_http(lk_client *c)
{
    return c->http;
}

lk_tokens *lk_client_tokens(lk_client *c)
{
    return c->tokens;
}

const lk_config *lk_client_config(const lk_client *c)
{
    return c->cfg;
}

/* ---------------------------------------------------------------- small helpers */

/* Ids go into URL paths: only uuids and numbers, so nothing can change the path. */
static bool valid_id(const char *id)
{
    if (!id || !*id || strlen(id) > 64)
        return false;
    for (const char *p = id; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-')
            return false;
    return true;
}

static const char *nz(const char *s)
{
    return s ? s : "(none)";
}

static void copy_date(char dst[11], const char *src)
{
    dst[0] = '\0';
    if (src && strlen(src) >= 10 && isdigit((unsigned char)src[0]) && src[4] == '-' &&
        src[7] == '-') {
        memcpy(dst, src, 10);
        dst[10] = '\0';
    }
}

static long json_long_or(const cJSON *obj, const char *key, long def)
{
    long v;
    return lk_json_long(obj, key, &v) ? v : def;
}

static const cJSON *member(const cJSON *obj, const char *key)
{
    return cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
}

static void result_init(lk_api_result *r)
{
    memset(r, 0, sizeof *r);
    lk_error_clear(&r->err);
}

/*
 * Turns an engine response into a result and (when readable) an envelope. The envelope is
 * returned even for error statuses, so writes can report Loket's messages.
 */
static void result_from(lk_api_result *r, const lk_http_response *res, const char *what,
                        lk_envelope **env_out)
{
    lk_envelope *env = NULL;
    char summary[400];
    result_init(r);
    *env_out = NULL;
    r->status = res->status;
    r->attempts = res->attempts;
    r->latency_ms = res->latency_ms;
    if (res->code != LK_OK) {
        r->code = res->code;
        r->err = *res->err;
        return;
    }
    if (lk_envelope_parse(res->body, res->body_len, res->content_type, res->status, &env,
                          &r->err) != LK_OK) {
        /* formatting r->err from its own message is undefined (it printed "employers:
         * employers: s answer..."): copy it first */
        char why[LK_ERROR_MSG_MAX];
        snprintf(why, sizeof why, "%s", r->err.message);
        r->code = lk_error_set(&r->err, LK_ERR_PROTOCOL, _("%s: %s (HTTP %ld)"), what, why,
                               res->status);
        return;
    }
    *env_out = env;
    r->envelope = env;
    lk_envelope_summary(env, summary, sizeof summary);
    if (res->status >= 200 && res->status <= 299) {
        r->code = LK_OK;
    } else if (res->status == 400 || res->status == 422) {
        /* 422: the content refused (a schema or range rule), as final as a 400 */
        r->code = lk_error_set(&r->err, LK_ERR_REJECTED,
                               _("%s: Loket rejected the request (%ld)%s%s"), what, res->status,
                               *summary ? ": " : "", summary);
    } else if (res->status == 401) {
        r->code = lk_error_set(&r->err, LK_ERR_AUTH, _("%s: not authorised (401)%s%s"), what,
                               *summary ? ": " : "", summary);
    } else if (res->status == 403) {
        r->code = lk_error_set(&r->err, LK_ERR_AUTH,
                               _("%s: this user or client may not do this (403)%s%s"), what,
                               *summary ? ": " : "", summary);
    } else if (res->status == 404) {
        r->code = lk_error_set(&r->err, LK_ERR_NOT_FOUND, _("%s: not found (404)%s%s"), what,
                               *summary ? ": " : "", summary);
    } else if (res->status == 409) {
        r->code = lk_error_set(&r->err, LK_ERR_CONFLICT, _("%s: conflict (409)%s%s"), what,
                               *summary ? ": " : "", summary);
    } else if (res->status == 429 || (res->status >= 500 && res->status <= 599)) {
        /* overloaded or in maintenance through every retry: a later run may well succeed */
        r->code = lk_error_set(&r->err, LK_ERR_UNAVAILABLE,
                               ngettext("%s: Loket is unavailable (HTTP %ld after %d attempt)%s%s",
                                        "%s: Loket is unavailable (HTTP %ld after %d attempts)%s%s",
                                        (unsigned long)res->attempts),
                               what, res->status, res->attempts, *summary ? ": " : "", summary);
    } else {
        r->code = lk_error_set(&r->err, LK_ERR_HTTP,
                               ngettext("%s: HTTP %ld after %d attempt%s%s",
                                        "%s: HTTP %ld after %d attempts%s%s",
                                        (unsigned long)res->attempts),
                               what, res->status, res->attempts, *summary ? ": " : "", summary);
    }
}

/* ---------------------------------------------------------------- item parsers */

typedef lk_code (*item_parse_fn)(const cJSON *item, void *elem, const void *ctx, lk_error *err);
typedef void (*item_free_fn)(void *elem);

static lk_code parse_employer(const cJSON *it, void *elem, const void *ctx, lk_error *err)
{
    lk_employer *e = elem;
    e->id = lk_json_strdup(it, "id");
    if (!e->id)
        return lk_error_set(err, LK_ERR_PROTOCOL, _("an employer without an id"));
    e->company_name = lk_json_strdup(it, "companyName");
    if (!e->company_name)
        e->company_name = xstrdup("");
    e->employer_number = json_long_or(it, "employerNumber", 0);
    return LK_OK;
}

static void free_employer(void *elem)
{
    lk_employer *e = elem;
    free(e->id);
    free(e->company_name);
}

static lk_code parse_admin(const cJSON *it, void *elem, const void *ctx, lk_error *err)
{
    lk_admin *a = elem;
    const cJSON *pt = member(it, "payrollPeriodType");
    a->id = lk_json_strdup(it, "id");
    if (!a->id)
        return lk_error_set(err, LK_ERR_PROTOCOL, _("a payroll administration without an id"));
    a->employer_id = ctx ? xstrdup(ctx) : NULL;
    a->name = lk_json_strdup(it, "name");
    if (!a->name)
        a->name = xstrdup("");
    a->description = lk_json_strdup(it, "description");
    a->client_number = json_long_or(it, "clientNumber", 0);
    a->period_type_key = json_long_or(pt, "key", 0);
    a->period_type = lk_json_strdup(pt, "value");
    copy_date(a->start_date, lk_json_str(it, "startDate"));
    copy_date(a->end_date, lk_json_str(it, "endDate"));
    return LK_OK;
}

static void free_admin(void *elem)
{
    lk_admin *a = elem;
    free(a->id);
    free(a->employer_id);
    free(a->name);
    free(a->description);
    free(a->period_type);
}

static lk_code parse_employment(const cJSON *it, void *elem, const void *ctx, lk_error *err)
{
    lk_employment *e = elem;
    const cJSON *emp = member(it, "employee");
    const cJSON *adm = member(it, "payrollAdministration");
    e->id = lk_json_strdup(it, "id");
    if (!e->id)
        return lk_error_set(err, LK_ERR_PROTOCOL, _("an employment without an id"));
    if (!lk_json_long(emp, "employeeNumber", &e->employee_number))
        return lk_error_set(err, LK_ERR_PROTOCOL, _("employment %s has no employee.employeeNumber"),
                            e->id);
    e->employee_id = lk_json_strdup(emp, "id");
    e->formatted_name = lk_json_strdup(emp, "formattedName");
    e->payroll_id = json_long_or(it, "payrollId", 0);
    e->income_relationship_number = json_long_or(it, "incomeRelationshipNumber", 0);
    copy_date(e->start_date, lk_json_str(it, "startDate"));
    copy_date(e->end_date, lk_json_str(it, "endDate"));
    e->admin_id = lk_json_strdup(adm, "id");
    e->admin_name = lk_json_strdup(adm, "name");
    e->admin_client_number = json_long_or(adm, "clientNumber", 0);
    return LK_OK;
}

static void free_employment(void *elem)
{
    lk_employment *e = elem;
    free(e->id);
    free(e->employee_id);
    free(e->formatted_name);
    free(e->admin_id);
    free(e->admin_name);
}

static lk_code parse_period(const cJSON *it, void *elem, const void *ctx, lk_error *err)
{
    lk_period *p = elem;
    const cJSON *runs = member(it, "payrollRuns"), *run;
    long y = 0, n = 0;
    bool has_id = lk_json_long(it, "id", &p->id);
    bool has_yn = lk_json_long(it, "year", &y) && lk_json_long(it, "periodNumber", &n);
    if (!has_id && !has_yn)
        return lk_error_set(err, LK_ERR_PROTOCOL, _("a payroll period without id, year or number"));
    if (!has_yn) {
        y = p->id / 100;
        n = p->id % 100;
    }
    if (!has_id)
        p->id = y * 100 + n;
    if (y < 1900 || y > 9999 || n < 1 || n > 99)
        return lk_error_set(err, LK_ERR_PROTOCOL, _("payroll period %ld has year %ld, number %ld"),
                            p->id, y, n);
    p->year = (int)y;
    p->period_number = (int)n;
    copy_date(p->start_date, lk_json_str(it, "startDate"));
    copy_date(p->end_date, lk_json_str(it, "endDate"));
    p->period_type_key = json_long_or(member(it, "payrollPeriodType"), "key", 0);
    if (cJSON_IsArray(runs)) {
        cJSON_ArrayForEach(run, runs) {
            p->payroll_runs++;
            /* payrollRunStatus 9 = "Verloning goedgekeurd": the period is closed */
            if (json_long_or(member(run, "payrollRunStatus"), "key", 0) == 9)
                p->approved = true;
        }
    }
    return LK_OK;
}

static void free_nothing(void *elem)
{
    (void)elem;
}

static lk_code parse_component(const cJSON *it, void *elem, const void *ctx, lk_error *err)
{
    lk_component *c = elem;
    const cJSON *cat = member(it, "category"), *dop = member(it, "deductionOrPayment");
    if (!lk_json_long(it, "key", &c->key))
        return lk_error_set(err, LK_ERR_PROTOCOL, _("a payroll component without a key"));
    c->description = lk_json_strdup(it, "description");
    if (!c->description)
        c->description = xstrdup("");
    c->can_be_supplemented = lk_json_bool(it, "canBeSupplemented", false);
    c->collective_possible = lk_json_bool(it, "isCollectiveMutationPossible", false);
    c->category_key = json_long_or(cat, "key", 0);
    c->category = lk_json_strdup(cat, "value");
    c->deduction_or_payment_key = json_long_or(dop, "key", 0);
    c->deduction_or_payment = lk_json_strdup(dop, "value");
    return LK_OK;
}

static char *scalar_dup(const cJSON *it);

/* A set's components come as [{"payrollComponent": {"key": 10}}] (or bare keys). */
static lk_code parse_component_set(const cJSON *it, void *elem, const void *ctx, lk_error *err)
{
    lk_component_set *s = elem;
    const cJSON *list = member(it, "payrollComponents"), *c;
    (void)ctx;
    s->id = scalar_dup(member(it, "id"));
    if (!s->id)
        return lk_error_set(err, LK_ERR_PROTOCOL, _("a payroll component set without an id"));
    s->description = lk_json_strdup(it, "description");
    s->is_default = lk_json_bool(it, "isDefaultForPayrollPeriodData", false);
    size_t n = cJSON_IsArray(list) ? (size_t)cJSON_GetArraySize(list) : 0;
    s->keys = xcalloc(n + 1, sizeof *s->keys);
    const cJSON *arr = n ? list : NULL;
    cJSON_ArrayForEach(c, arr) {
        long key;
        if (s->nkeys >= n)
            break;
        if (cJSON_IsNumber(c) && c->valuedouble == (double)(long)c->valuedouble)
            s->keys[s->nkeys++] = (long)c->valuedouble;
        else if (lk_json_long(member(c, "payrollComponent"), "key", &key) || lk_json_long(c, "key", &key))
            s->keys[s->nkeys++] = key;
    }
    return LK_OK;
}

static void free_component_set(void *elem)
{
    lk_component_set *s = elem;
    free(s->id);
    free(s->description);
    free(s->keys);
}

static void free_component(void *elem)
{
    lk_component *c = elem;
    free(c->description);
    free(c->category);
    free(c->deduction_or_payment);
}

/* ---------------------------------------------------------------- period data records */

void lk_period_data_record_clear(lk_period_data_record *r)
{
    if (!r)
        return;
    free(r->id);
    free(r->employment_id);
    free(r->formatted_name);
    lk_meta_ref_free(&r->shift);
    lk_meta_ref_free(&r->payslip_type);
    lk_meta_ref_free(&r->distribution_unit);
    lk_meta_ref_free(&r->cost_center);
    lk_meta_ref_free(&r->cost_unit);
    free(r->payslip_text);
    for (size_t i = 0; i < r->ncomponents; i++)
        free(r->components[i].description);
    free(r->components);
    memset(r, 0, sizeof *r);
}

void lk_period_data_record_free(lk_period_data_record *r)
{
    lk_period_data_record_clear(r);
    free(r);
}

/* Record ids: a uuid string, or a number rendered as text. */
static char *scalar_dup(const cJSON *it)
{
    char buf[32];
    if (cJSON_IsString(it))
        return xstrdup(it->valuestring);
    if (cJSON_IsNumber(it) && it->valuedouble > -1e15 && it->valuedouble < 1e15) {
        snprintf(buf, sizeof buf, "%.0f", it->valuedouble);
        return xstrdup(buf);
    }
    return NULL;
}

lk_code lk_period_data_record_parse(const cJSON *obj, lk_period_data_record *r, lk_error *err)
{
    const cJSON *emp, *employment, *period, *comps, *c;
    size_t n, i = 0;
    memset(r, 0, sizeof *r);
    if (!cJSON_IsObject(obj))
        return lk_error_set(err, LK_ERR_PROTOCOL, _("a payroll period data record is not an object"));
    r->id = scalar_dup(member(obj, "id"));
    employment = member(obj, "employment");
    r->employment_id = lk_json_strdup(employment, "id");
    if (!r->employment_id)
        r->employment_id = lk_json_strdup(obj, "employmentId");
    r->payroll_id = json_long_or(employment, "payrollId", 0);
    r->income_relationship_number = json_long_or(employment, "incomeRelationshipNumber", 0);
    emp = member(obj, "employee");
    r->employee_number = json_long_or(emp, "employeeNumber", 0);
    r->formatted_name = lk_json_strdup(emp, "formattedName");
    period = member(obj, "payrollPeriod");
    r->year = (int)json_long_or(period, "year", 0);
    r->period_number = (int)json_long_or(period, "periodNumber", 0);
    lk_meta_ref_parse(obj, "shift", &r->shift);
    lk_meta_ref_parse(obj, "payslipType", &r->payslip_type);
    lk_meta_ref_parse(obj, "distributionUnit", &r->distribution_unit);
    lk_meta_ref_parse(obj, "costCenter", &r->cost_center);
    lk_meta_ref_parse(obj, "costUnit", &r->cost_unit);
    r->payslip_text = lk_json_strdup(obj, "payslipText");
    comps = member(obj, "payrollComponents");
    if (!comps || cJSON_IsNull(comps))
        return LK_OK;
    if (!cJSON_IsArray(comps)) {
        lk_period_data_record_clear(r);
        return lk_error_set(err, LK_ERR_PROTOCOL, _("\"payrollComponents\" is not a list"));
    }
    n = (size_t)cJSON_GetArraySize(comps);
    r->components = n ? xcalloc(n, sizeof *r->components) : NULL;
    cJSON_ArrayForEach(c, comps) {
        lk_component_value *v;
        const cJSON *pc = member(c, "payrollComponent"), *val = member(c, "value");
        const cJSON *sup = member(c, "isSupplement");
        if (i >= n)
            break;
        v = &r->components[i];
        if (!lk_json_long(pc, "key", &v->key)) {
            lk_period_data_record_clear(r);
            return lk_error_set(err, LK_ERR_PROTOCOL,
                                _("a payroll component value without payrollComponent.key"));
        }
        v->description = lk_json_strdup(pc, "description");
        i++;
        r->ncomponents = i;
        if (cJSON_IsNumber(val)) {
            if (!lk_decimal_from_double(val->valuedouble, &v->value)) {
                long key = v->key;
                lk_period_data_record_clear(r);
                return lk_error_set(err, LK_ERR_PROTOCOL,
                                    _("payroll component %ld has a value out of range"), key);
            }
            v->has_value = true;
        } else if (val && !cJSON_IsNull(val)) {
            long key = v->key;
            lk_period_data_record_clear(r);
            return lk_error_set(err, LK_ERR_PROTOCOL,
                                _("payroll component %ld has a value that is not a number"), key);
        }
        if (cJSON_IsBool(sup)) {
            v->has_supplement = true;
            v->is_supplement = cJSON_IsTrue(sup);
        }
    }
    return LK_OK;
}

static lk_code parse_record_item(const cJSON *it, void *elem, const void *ctx, lk_error *err)
{
    return lk_period_data_record_parse(it, elem, err);
}

static void free_record_item(void *elem)
{
    lk_period_data_record_clear(elem);
}

void lk_period_data_list_free(lk_period_data_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        lk_period_data_record_clear(&l->items[i]);
    free(l->items);
    free(l);
}

/* ---------------------------------------------------------------- metadata */

void lk_metadata_free(lk_metadata *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++) {
        for (size_t j = 0; j < m->fields[i].n; j++)
            lk_meta_ref_free(&m->fields[i].options[j]);
        free(m->fields[i].options);
        free(m->fields[i].name);
    }
    free(m->fields);
    free(m);
}

static void metadata_add_field(lk_metadata *m, size_t *alloc, const char *name,
                               const cJSON *options)
{
    lk_metadata_field *f;
    const cJSON *o;
    size_t cap = (size_t)cJSON_GetArraySize(options), i = 0;
    lk_grow(&m->fields, sizeof *m->fields, m->n + 1, alloc);
    f = &m->fields[m->n++];
    memset(f, 0, sizeof *f);
    f->name = xstrdup(name);
    f->options = cap ? xcalloc(cap, sizeof *f->options) : NULL;
    cJSON_ArrayForEach(o, options) {
        if (i >= cap)
            break;
        lk_meta_ref_parse(o, NULL, &f->options[i]);
        if (f->options[i].present)
            i++;
    }
    f->n = i;
}

lk_code lk_metadata_parse(const lk_envelope *env, lk_metadata **out, lk_error *err)
{
    const cJSON *node = env ? env->content : NULL, *it;
    lk_metadata *m = xcalloc(1, sizeof *m);
    size_t alloc = 0;
    *out = NULL;
    /* where the fields are: "content", a list envelope's "_embedded", or the bare root */
    if (!node && env)
        node = env->embedded ? env->embedded : env->root;
    if (cJSON_IsObject(node)) {
        cJSON_ArrayForEach(it, node) {
            const cJSON *opts = cJSON_IsArray(it) ? it : member(it, "options");
            if (!strcmp(it->string, "version") || !strcmp(it->string, "messages") ||
                !strcmp(it->string, "_embedded"))
                continue;
            if (cJSON_IsArray(opts))
                metadata_add_field(m, &alloc, it->string, opts);
        }
    } else if (cJSON_IsArray(node)) {
        cJSON_ArrayForEach(it, node) {
            const char *name = lk_json_str(it, "field");
            const cJSON *opts = member(it, "options");
            if (!name)
                name = lk_json_str(it, "name");
            if (!opts)
                opts = member(it, "values");
            if (name && cJSON_IsArray(opts))
                metadata_add_field(m, &alloc, name, opts);
        }
    }
    if (!m->n) {
        lk_metadata_free(m);
        return lk_error_set(err, LK_ERR_PROTOCOL,
                            _("the metadata answer lists no fields with options"));
    }
    *out = m;
    return LK_OK;
}

const lk_metadata_field *lk_metadata_field_get(const lk_metadata *m, const char *name)
{
    for (size_t i = 0; m && i < m->n; i++)
        if (!strcasecmp(m->fields[i].name, name))
            return &m->fields[i];
    return NULL;
}

const lk_meta_ref *lk_metadata_option(const lk_metadata *m, const char *field, const char *s)
{
    const lk_metadata_field *f = lk_metadata_field_get(m, field);
    if (!f || !s)
        return NULL;
    for (size_t i = 0; i < f->n; i++)
        if (f->options[i].key_text && !strcasecmp(f->options[i].key_text, s))
            return &f->options[i];
    for (size_t i = 0; i < f->n; i++)
        if (f->options[i].code && !strcasecmp(f->options[i].code, s))
            return &f->options[i];
    /* shifts ("Dag"), payslip types and Loket's distribution units (code 1, "BAK") are known to
     * people by their description */
    for (size_t i = 0; i < f->n; i++)
        if (f->options[i].description && !strcasecmp(f->options[i].description, s))
            return &f->options[i];
    return NULL;
}

/* ---------------------------------------------------------------- list frees */

#define LIST_FREE(fn, type, item_free)                                                         \
    void fn(type *l)                                                                           \
    {                                                                                          \
        if (!l)                                                                                \
            return;                                                                            \
        for (size_t i = 0; i < l->n; i++)                                                      \
            item_free(&l->items[i]);                                                           \
        free(l->items);                                                                        \
        free(l);                                                                               \
    }

LIST_FREE(lk_employer_list_free, lk_employer_list, free_employer)
LIST_FREE(lk_admin_list_free, lk_admin_list, free_admin)
LIST_FREE(lk_employment_list_free, lk_employment_list, free_employment)
LIST_FREE(lk_period_list_free, lk_period_list, free_nothing)
LIST_FREE(lk_component_list_free, lk_component_list, free_component)
LIST_FREE(lk_component_set_list_free, lk_component_set_list, free_component_set)

void lk_user_free(lk_user *u)
{
    if (!u)
        return;
    free(u->first_name);
    free(u->prefix);
    free(u->last_name);
    free(u->initials);
    free(u->email);
    free(u->role);
    free(u);
}

/* ---------------------------------------------------------------- the pager */

typedef struct page {
    void *items;
    size_t n;
    bool done;
} page;

typedef struct pager pager;
/* Called once with the joined items (owned by the callee) or a failed result. */
typedef void (*pager_done_fn)(pager *p, const lk_api_result *r, void *items, size_t n);

struct pager {
    lk_client *c;
    char *path;               /* with ?pageSize=..[&filter=..] */
    char *endpoint;
    char *what;               /* for messages: "employments of employer X" */
    lk_resource resource;
    size_t elem_size;
    item_parse_fn parse;
    item_free_fn free_item;
    void *ctx;                /* passed to parse; owned (char *) */
    page *pages;
    long total_pages;
    long next_page;           /* the next page number to request */
    long outstanding;
    lk_api_result result;     /* first failure wins */
    bool failed;
    int worst_attempts;
    double latency_ms;
    pager_done_fn done;
    void *cb;                 /* the caller's typed callback */
    void *ud;
    const long *filter_numbers; /* employments: numbers to keep (owned copy) */
    size_t nfilter;
};

typedef struct page_req {
    pager *p;
    long number;
} page_req;

static void pager_request(pager *p, long number);

static long extra_pages_allowed(const lk_client *c)
{
    return LIST_EXTRA_PAGES_FACTOR * c->cfg->max_pages_per_list;
}

/* The error of a listing stopped by the command's budget. */
static lk_code budget_error(pager *p, lk_error *err)
{
    lk_client *c = p->c;
    c->list_budget_spent = true;
    if (c->list_bytes > LIST_BYTES_BUDGET)
        return lk_error_set(err, LK_ERR_PROTOCOL,
                            _("%s: stopped: this command's listings received %zu MB, more than "
                              "the %lu MB one command may read (the server claims more than an "
                              "administration holds)"),
                            p->what, c->list_bytes / (1024 * 1024),
                            (unsigned long)(LIST_BYTES_BUDGET / (1024 * 1024)));
    return lk_error_set(err, LK_ERR_PROTOCOL,
                        _("%s: stopped: this command's listings asked for %ld pages beyond the "
                          "first of each list, the most one command may (%d x maxPagesPerList); "
                          "the server claims more than an administration holds"),
                        p->what, c->list_extra_pages, LIST_EXTRA_PAGES_FACTOR);
}

static void pager_free(pager *p)
{
    for (long i = 0; p->pages && i < p->total_pages; i++) {
        for (size_t j = 0; j < p->pages[i].n; j++)
            p->free_item((char *)p->pages[i].items + j * p->elem_size);
        free(p->pages[i].items);
    }
    free(p->pages);
    free(p->path);
    free(p->endpoint);
    free(p->what);
    free(p->ctx);
    free((void *)p->filter_numbers);
    free(p);
}

static void pager_finish(pager *p)
{
    size_t total = 0, at = 0;
    char *items;
    if (p->failed) {
        p->done(p, &p->result, NULL, 0);
        pager_free(p);
        return;
    }
    for (long i = 0; i < p->total_pages; i++)
        total += p->pages[i].n;
    items = total ? xcalloc(total, p->elem_size) : NULL;
    for (long i = 0; i < p->total_pages; i++) {
        if (p->pages[i].n)
            memcpy(items + at * p->elem_size, p->pages[i].items, p->pages[i].n * p->elem_size);
        at += p->pages[i].n;
        free(p->pages[i].items);
        p->pages[i].items = NULL;
        p->pages[i].n = 0;
    }
    p->result.code = LK_OK;
    p->result.attempts = p->worst_attempts;
    p->result.latency_ms = p->latency_ms;
    p->done(p, &p->result, items, total);
    pager_free(p);
}

static void pager_fail(pager *p, const lk_api_result *r)
{
    if (p->failed)
        return;
    p->failed = true;
    p->result = *r;
    p->result.envelope = NULL;
}

static void pager_page_done(const lk_http_response *res, void *userdata)
{
    page_req *pr = userdata;
    pager *p = pr->p;
    long number = pr->number;
    lk_api_result r;
    lk_envelope *env = NULL;
    free(pr);
    result_from(&r, res, p->what, &env);
    p->c->list_bytes += res->body_len;
    if (r.code == LK_OK && (p->c->list_budget_spent || p->c->list_bytes > LIST_BYTES_BUDGET))
        r.code = budget_error(p, &r.err);
    if (res->attempts > p->worst_attempts)
        p->worst_attempts = res->attempts;
    if (res->latency_ms > p->latency_ms)
        p->latency_ms = res->latency_ms;
    if (r.code == LK_OK && !env->embedded) {
        r.code = lk_error_set(&r.err, LK_ERR_PROTOCOL, _("%s: page %ld of the answer has no "
                              "\"_embedded\" list"), p->what, number);
    }
    if (r.code == LK_OK && number == 1) {
        long pages = env->has_paging ? env->total_pages : 1;
        long max = p->c->cfg->max_pages_per_list;
        if (pages < 1)
            pages = 1;
        if (pages > max) {
            r.code = lk_error_set(&r.err, LK_ERR_PROTOCOL,
                                  _("%s: the server claims %ld pages of %d, more than the %ld "
                                  "pages a list may have (maxPagesPerList)"),
                                  p->what, pages, p->c->cfg->page_size, max);
        } else {
            p->total_pages = pages;
            p->pages = xcalloc((size_t)pages, sizeof *p->pages);
            p->next_page = 2;
        }
    }
    if (r.code == LK_OK && number < p->total_pages && cJSON_GetArraySize(env->embedded) == 0)
        r.code = lk_error_set(&r.err, LK_ERR_PROTOCOL,
                              _("%s: page %ld of the %ld pages the server claims is empty (the "
                              "list changed while it was read, or the claim is false)"),
                              p->what, number, p->total_pages);
    if (r.code == LK_OK && number > p->total_pages) {
        r.code = lk_error_set(&r.err, LK_ERR_INTERNAL, _("%s: page %ld beyond %ld"), p->what,
                              number, p->total_pages);
    }
    if (r.code == LK_OK) {
        page *pg = &p->pages[number - 1];
        size_t cap = (size_t)cJSON_GetArraySize(env->embedded);
        const cJSON *it;
        size_t idx = 0;
        pg->items = cap ? xcalloc(cap, p->elem_size) : NULL;
        cJSON_ArrayForEach(it, env->embedded) {
            char *elem = (char *)pg->items + pg->n * p->elem_size;
            lk_error perr;
            idx++;
            if (pg->n >= cap)
                break;
            lk_error_clear(&perr);
            if (p->parse(it, elem, p->ctx, &perr) != LK_OK) {
                p->free_item(elem);
                memset(elem, 0, p->elem_size);
                r.code = lk_error_set(&r.err, perr.code, _("%s: page %ld, item %zu: %s"), p->what,
                                      number, idx, perr.message);
                break;
            }
            pg->n++;
        }
        pg->done = true;
    }
    if (r.code != LK_OK)
        pager_fail(p, &r);
    lk_envelope_free(env);
    /* keep the window full; after a failure nothing more is asked, nor beyond the budget */
    while (!p->failed && p->next_page && p->next_page <= p->total_pages &&
           p->outstanding <= p->c->cfg->pages_in_flight) {
        if (p->c->list_budget_spent || p->c->list_extra_pages >= extra_pages_allowed(p->c)) {
            lk_api_result br;
            result_init(&br);
            br.code = budget_error(p, &br.err);
            pager_fail(p, &br);
            break;
        }
        p->c->list_extra_pages++;
        pager_request(p, p->next_page++);
    }
    if (--p->outstanding == 0)
        pager_finish(p);
}

static void pager_request(pager *p, long number)
{
    strbuf path = STRBUF_INIT;
    lk_http_request req;
    page_req *pr = xmalloc(sizeof *pr);
    pr->p = p;
    pr->number = number;
    strbuf_addf(&path, "%s&pageNumber=%ld", p->path, number);
    memset(&req, 0, sizeof req);
    req.method = "GET";
    req.path = path.buf;
    req.endpoint = p->endpoint;
    req.resource = p->resource;
    p->outstanding++;
    lk_http_submit(p->c->http, &req, pager_page_done, pr);
    strbuf_free(&path);
}

static pager *pager_new(lk_client *c, const char *endpoint, lk_resource res, size_t elem_size,
                        item_parse_fn parse, item_free_fn free_item, pager_done_fn done,
                        void *cb, void *ud)
{
    pager *p = xcalloc(1, sizeof *p);
    p->c = c;
    p->endpoint = xstrdup(endpoint);
    p->resource = res;
    p->elem_size = elem_size;
    p->parse = parse;
    p->free_item = free_item;
    p->done = done;
    p->cb = cb;
    p->ud = ud;
    result_init(&p->result);
    return p;
}

/* path: below the API base, without query; extra: "&filter=..." or "" */
static void pager_start(pager *p, const char *path, const char *extra, const char *what)
{
    strbuf sb = STRBUF_INIT;
    strbuf_addf(&sb, "%s%spageSize=%d%s", path, strchr(path, '?') ? "&" : "?",
                p->c->cfg->page_size, extra ? extra : "");
    p->path = strbuf_detach(&sb, NULL);
    p->what = xstrdup(what);
    if (p->c->list_budget_spent) { /* another listing spent the command's budget */
        lk_api_result r;
        result_init(&r);
        r.code = budget_error(p, &r.err);
        p->done(p, &r, NULL, 0);
        pager_free(p);
        return;
    }
    pager_request(p, 1);
}

/* A failure before any request: report it through the same callback, right away. */
static void pager_reject(pager *p, lk_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void pager_reject(pager *p, lk_code code, const char *fmt, ...)
{
    lk_api_result r;
    va_list ap;
    result_init(&r);
    va_start(ap, fmt);
    r.code = lk_error_setv(&r.err, code, fmt, ap);
    va_end(ap);
    p->done(p, &r, NULL, 0);
    pager_free(p);
}

/* ---------------------------------------------------------------- typed list look-ups */

#define LIST_DONE(name, list_type, elem_type, fn_type)                                         \
    static void name(pager *p, const lk_api_result *r, void *items, size_t n)                  \
    {                                                                                          \
        list_type *l = NULL;                                                                   \
        if (r->code == LK_OK) {                                                                \
            l = xcalloc(1, sizeof *l);                                                         \
            l->items = (elem_type *)items;                                                     \
            l->n = n;                                                                          \
        }                                                                                      \
        ((fn_type)p->cb)(r, l, p->ud);                                                         \
    }

LIST_DONE(employers_done, lk_employer_list, lk_employer, lk_employers_fn)
LIST_DONE(admins_done, lk_admin_list, lk_admin, lk_admins_fn)
LIST_DONE(periods_done, lk_period_list, lk_period, lk_periods_fn)
LIST_DONE(components_done, lk_component_list, lk_component, lk_components_fn)
LIST_DONE(component_sets_done, lk_component_set_list, lk_component_set, lk_component_sets_fn)
LIST_DONE(period_data_done, lk_period_data_list, lk_period_data_record, lk_period_data_fn)

void lk_api_employers_start(lk_client *c, lk_employers_fn cb, void *ud)
{
    pager *p = pager_new(c, "/providers/employers", LK_RES_EMPLOYERS, sizeof(lk_employer),
                         parse_employer, free_employer, employers_done, (void *)cb, ud);
    pager_start(p, "/providers/employers", NULL, "employers");
}

void lk_api_admins_start(lk_client *c, const char *employer_id, lk_admins_fn cb, void *ud)
{
    strbuf path = STRBUF_INIT, what = STRBUF_INIT;
    pager *p = pager_new(c, "/providers/employers/{employerId}/payrolladministrations",
                         LK_RES_ADMINISTRATIONS, sizeof(lk_admin), parse_admin, free_admin,
                         admins_done, (void *)cb, ud);
    if (!valid_id(employer_id)) {
        pager_reject(p, LK_ERR_INPUT, _("\"%s\" is not an employer id"), nz(employer_id));
        return;
    }
    p->ctx = xstrdup(employer_id);
    strbuf_addf(&path, "/providers/employers/%s/payrolladministrations", employer_id);
    strbuf_addf(&what, _("payroll administrations of employer %s"), employer_id);
    pager_start(p, path.buf, NULL, what.buf);
    strbuf_free(&path);
    strbuf_free(&what);
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return x < y ? -1 : x > y;
}

static void employments_done(pager *p, const lk_api_result *r, void *items, size_t n)
{
    lk_employment_list *l = NULL;
    if (r->code == LK_OK) {
        lk_employment *e = items;
        size_t keep = 0;
        l = xcalloc(1, sizeof *l);
        /* Keep only the numbers asked for: the filter narrows the answer, this makes sure. */
        for (size_t i = 0; i < n; i++) {
            bool wanted = !p->nfilter || bsearch(&e[i].employee_number, p->filter_numbers,
                                                 p->nfilter, sizeof *p->filter_numbers,
                                                 cmp_long);
            if (wanted)
                e[keep++] = e[i];
            else
                free_employment(&e[i]);
        }
        l->items = e;
        l->n = keep;
    }
    ((lk_employments_fn)p->cb)(r, l, p->ud);
}

void lk_api_employments_start(lk_client *c, const char *employer_id,
                              const long *employee_numbers, size_t n, lk_employments_fn cb,
                              void *ud)
{
    strbuf path = STRBUF_INIT, what = STRBUF_INIT, filter = STRBUF_INIT, extra = STRBUF_INIT;
    /* The minimized resource (GetEmploymentsMinimizedByEmployerId) carries every field the
     * importer reads in a third of the bytes; Loket offers it "to increase performance when
     * requesting employments for large employers": a bureau's employer has thousands. */
    pager *p = pager_new(c, "/providers/employers/{employerId}/employees/employments/minimized",
                         LK_RES_EMPLOYMENTS, sizeof(lk_employment), parse_employment,
                         free_employment, employments_done, (void *)cb, ud);
    if (!valid_id(employer_id)) {
        pager_reject(p, LK_ERR_INPUT, _("\"%s\" is not an employer id"), nz(employer_id));
        return;
    }
    if (n && employee_numbers) {
        long *copy = xmalloc(n * sizeof *copy);
        memcpy(copy, employee_numbers, n * sizeof *copy);
        qsort(copy, n, sizeof *copy, cmp_long); /* employments_done searches it */
        p->filter_numbers = copy;
        p->nfilter = n;
    }
    if (n && n <= FILTER_MAX_NUMBERS) {
        for (size_t i = 0; i < n; i++)
            strbuf_addf(&filter, "%semployee.employeeNumber eq %ld", i ? " or " : "",
                        employee_numbers[i]);
        strbuf_addstr(&extra, "&filter=");
        strbuf_addurlenc(&extra, filter.buf);
    }
    strbuf_addf(&path, "/providers/employers/%s/employees/employments/minimized", employer_id);
    strbuf_addf(&what, _("employments of employer %s"), employer_id);
    pager_start(p, path.buf, extra.buf, what.buf);
    strbuf_free(&path);
    strbuf_free(&what);
    strbuf_free(&filter);
    strbuf_free(&extra);
}

void lk_api_periods_start(lk_client *c, const char *admin_id, lk_periods_fn cb, void *ud)
{
    strbuf path = STRBUF_INIT, what = STRBUF_INIT;
    pager *p = pager_new(c,
                         "/providers/employers/payrolladministrations/{payrollAdministrationId}/"
                         "payrollperiods",
                         LK_RES_PERIODS, sizeof(lk_period), parse_period, free_nothing,
                         periods_done, (void *)cb, ud);
    if (!valid_id(admin_id)) {
        pager_reject(p, LK_ERR_INPUT, _("\"%s\" is not a payroll administration id"), nz(admin_id));
        return;
    }
    strbuf_addf(&path, "/providers/employers/payrolladministrations/%s/payrollperiods",
                admin_id);
    strbuf_addf(&what, _("payroll periods of administration %s"), admin_id);
    pager_start(p, path.buf, NULL, what.buf);
    strbuf_free(&path);
    strbuf_free(&what);
}

void lk_api_components_start(lk_client *c, const char *admin_id, int year, lk_components_fn cb,
                             void *ud)
{
    strbuf path = STRBUF_INIT, what = STRBUF_INIT;
    pager *p = pager_new(c,
                         "/providers/employers/payrolladministrations/{payrollAdministrationId}/"
                         "payrollcomponents/year/{year}",
                         LK_RES_COMPONENTS, sizeof(lk_component), parse_component,
                         free_component, components_done, (void *)cb, ud);
    if (!valid_id(admin_id)) {
        pager_reject(p, LK_ERR_INPUT, _("\"%s\" is not a payroll administration id"), nz(admin_id));
        return;
    }
    if (year < 1900 || year > 9999) {
        pager_reject(p, LK_ERR_INPUT, _("%d is not a year"), year);
        return;
    }
    strbuf_addf(&path, "/providers/employers/payrolladministrations/%s/payrollcomponents/year/%d",
                admin_id, year);
    strbuf_addf(&what, _("payroll components of administration %s in %d"), admin_id, year);
    pager_start(p, path.buf, NULL, what.buf);
    strbuf_free(&path);
    strbuf_free(&what);
}

void lk_api_component_sets_start(lk_client *c, const char *admin_id, lk_component_sets_fn cb,
                                 void *ud)
{
    strbuf path = STRBUF_INIT, what = STRBUF_INIT;
    pager *p = pager_new(c,
                         "/providers/employers/payrolladministrations/{payrollAdministrationId}/"
                         "availablepayrollcomponentsets",
                         LK_RES_COMPONENTS, sizeof(lk_component_set), parse_component_set,
                         free_component_set, component_sets_done, (void *)cb, ud);
    if (!valid_id(admin_id)) {
        pager_reject(p, LK_ERR_INPUT, _("\"%s\" is not a payroll administration id"), nz(admin_id));
        return;
    }
    strbuf_addf(&path, "/providers/employers/payrolladministrations/%s/availablepayrollcomponentsets",
                admin_id);
    strbuf_addf(&what, _("payroll component sets of administration %s"), admin_id);
    pager_start(p, path.buf, NULL, what.buf);
    strbuf_free(&path);
    strbuf_free(&what);
}

void lk_api_period_data_start(lk_client *c, const lk_period_data_query *q, lk_period_data_fn cb,
                              void *ud)
{
    strbuf path = STRBUF_INIT, what = STRBUF_INIT, extra = STRBUF_INIT;
    pager *p = pager_new(c,
                         "/providers/employers/payrolladministrations/{payrollAdministrationId}/"
                         "payrollPeriods/{payrollPeriodId}/payrollperioddata",
                         LK_RES_PERIOD_DATA, sizeof(lk_period_data_record), parse_record_item,
                         free_record_item, period_data_done, (void *)cb, ud);
    if (!valid_id(q->admin_id)) {
        pager_reject(p, LK_ERR_INPUT, _("\"%s\" is not a payroll administration id"), nz(q->admin_id));
        return;
    }
    strbuf_addf(&extra, "&payslipType=%ld", q->payslip_type);
    if (q->component_set) {
        strbuf_addstr(&extra, "&payrollComponentSet=");
        strbuf_addurlenc(&extra, q->component_set);
    }
    if (q->component_category) {
        strbuf_addstr(&extra, "&payrollComponentCategory=");
        strbuf_addurlenc(&extra, q->component_category);
    }
    if (q->component_id) {
        strbuf_addstr(&extra, "&payrollComponentId=");
        strbuf_addurlenc(&extra, q->component_id);
    }
    strbuf_addf(&path,
                "/providers/employers/payrolladministrations/%s/payrollPeriods/%ld/"
                "payrollperioddata",
                q->admin_id, q->period_id);
    strbuf_addf(&what, _("payroll period data of administration %s, period %ld"), q->admin_id,
                q->period_id);
    pager_start(p, path.buf, extra.buf, what.buf);
    strbuf_free(&path);
    strbuf_free(&what);
    strbuf_free(&extra);
}

void lk_api_employment_period_data_start(lk_client *c, const char *employment_id,
                                         const char *filter, lk_period_data_fn cb, void *ud)
{
    strbuf path = STRBUF_INIT, what = STRBUF_INIT, extra = STRBUF_INIT;
    pager *p = pager_new(c,
                         "/providers/employers/employees/employments/{employmentId}/"
                         "payrollperioddata",
                         LK_RES_PERIOD_DATA, sizeof(lk_period_data_record), parse_record_item,
                         free_record_item, period_data_done, (void *)cb, ud);
    if (!valid_id(employment_id)) {
        pager_reject(p, LK_ERR_INPUT, _("\"%s\" is not an employment id"), nz(employment_id));
        return;
    }
    if (filter && *filter) {
        strbuf_addstr(&extra, "&filter=");
        strbuf_addurlenc(&extra, filter);
    }
    strbuf_addf(&path, "/providers/employers/employees/employments/%s/payrollperioddata",
                employment_id);
    strbuf_addf(&what, _("payroll period data of employment %s"), employment_id);
    pager_start(p, path.buf, extra.buf, what.buf);
    strbuf_free(&path);
    strbuf_free(&what);
    strbuf_free(&extra);
}

/* ---------------------------------------------------------------- working hours */

/* The hours a week of one employment's contract: aggregatedHoursPerWeek (Loket's own single
 * figure: work pattern, deviating hours or shift), else deviatingHoursPerWeek, else the shift's
 * full-time hours x averageParttimeFactor. An on-call or min/max contract
 * (flexibleHoursContract) has none that limits. */
static lk_code parse_working_hours(const cJSON *it, void *elem, const void *ctx, lk_error *err)
{
    lk_working_hours *w = elem;
    const cJSON *wh = member(it, "workingHours"), *v;
    const char *id = cJSON_GetStringValue(member(it, "employmentId"));
    if (!cJSON_IsObject(it) || !id)
        return lk_error_set(err, LK_ERR_PROTOCOL, _("an item without employmentId"));
    w->employment_id = xstrdup(id);
    if (!cJSON_IsObject(wh))
        return LK_OK;
    const cJSON *flex = member(wh, "flexibleHoursContract");
    w->flexible = flex && !cJSON_IsNull(flex);
    if ((v = member(wh, "aggregatedHoursPerWeek")) && cJSON_IsNumber(v)) {
        w->hours_per_week = v->valuedouble;
    } else if ((v = member(wh, "deviatingHoursPerWeek")) && cJSON_IsNumber(v)) {
        w->hours_per_week = v->valuedouble;
    } else {
        const cJSON *full = member(member(wh, "shift"), "fullTimeHoursPerWeek");
        const cJSON *factor = member(wh, "averageParttimeFactor");
        if (cJSON_IsNumber(full) && cJSON_IsNumber(factor))
            w->hours_per_week = full->valuedouble * factor->valuedouble / 100.0;
    }
    w->has_hours = w->hours_per_week > 0 && w->hours_per_week <= 168 && !w->flexible;
    return LK_OK;
}

static void free_working_hours(void *elem)
{
    free(((lk_working_hours *)elem)->employment_id);
}

void lk_working_hours_list_free(lk_working_hours_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        free_working_hours(&l->items[i]);
    free(l->items);
    free(l);
}

LIST_DONE(working_hours_done, lk_working_hours_list, lk_working_hours, lk_working_hours_fn)

void lk_api_working_hours_start(lk_client *c, const char *employer_id, const char *reference_date,
                                lk_working_hours_fn cb, void *ud)
{
    strbuf path = STRBUF_INIT, what = STRBUF_INIT, extra = STRBUF_INIT;
    /* an employer-level resource of version 2018-01-01, as the employers list is */
    pager *p = pager_new(c, "/providers/employers/{employerId}/actualworkinghours", LK_RES_EMPLOYERS,
                         sizeof(lk_working_hours), parse_working_hours, free_working_hours,
                         working_hours_done, (void *)cb, ud);
    if (!valid_id(employer_id)) {
        pager_reject(p, LK_ERR_INPUT, _("\"%s\" is not an employer id"), nz(employer_id));
        return;
    }
    if (reference_date && *reference_date) {
        strbuf_addstr(&extra, "&referenceDate=");
        strbuf_addurlenc(&extra, reference_date);
    }
    strbuf_addf(&path, "/providers/employers/%s/actualworkinghours", employer_id);
    strbuf_addf(&what, _("working hours of employer %s"), employer_id);
    pager_start(p, path.buf, extra.buf, what.buf);
    strbuf_free(&path);
    strbuf_free(&what);
    strbuf_free(&extra);
}

/* ---------------------------------------------------------------- single objects */

typedef enum single_kind { SINGLE_USER, SINGLE_DEFAULTS, SINGLE_METADATA, SINGLE_WRITE } single_kind;

typedef struct single {
    lk_client *c;
    single_kind kind;
    char *what;
    void *cb;
    void *ud;
    md_entry *md;             /* SINGLE_METADATA */
} single;

static void metadata_complete(lk_client *c, md_entry *e);

static void user_parse(const lk_envelope *env, lk_user **out)
{
    const cJSON *content = env->content;
    const cJSON *pd = member(content, "personalDetails");
    const cJSON *ci = member(content, "contactInformation");
    const cJSON *u = member(content, "user");
    lk_user *user = xcalloc(1, sizeof *user);
    user->first_name = lk_json_strdup(pd, "firstName");
    user->prefix = lk_json_strdup(pd, "prefix");
    user->last_name = lk_json_strdup(pd, "lastName");
    user->initials = lk_json_strdup(pd, "initials");
    user->email = lk_json_strdup(ci, "emailAddress");
    user->role = lk_json_strdup(u, "userCustomSpecifiedRole");
    if (!user->role)
        user->role = lk_json_strdup(member(u, "userSpecifiedRole"), "value");
    *out = user;
}

static void single_done(const lk_http_response *res, void *userdata)
{
    single *s = userdata;
    lk_api_result r;
    lk_envelope *env = NULL;
    result_from(&r, res, s->what, &env);
    switch (s->kind) {
    case SINGLE_USER: {
        lk_user *user = NULL;
        if (r.code == LK_OK && !cJSON_IsObject(env->content))
            r.code = lk_error_set(&r.err, LK_ERR_PROTOCOL, _("%s: the answer has no \"content\""),
                                  s->what);
        if (r.code == LK_OK)
            user_parse(env, &user);
        ((lk_user_fn)s->cb)(&r, user, s->ud);
        break;
    }
    case SINGLE_DEFAULTS: {
        lk_period_data_record *rec = NULL;
        if (r.code == LK_OK) {
            /* The portal shows the defaults object bare; Loket's other answers wrap it in
             * "content". Take either. */
            const cJSON *obj = cJSON_IsObject(env->content) ? env->content : env->root;
            lk_error perr;
            lk_error_clear(&perr);
            rec = xcalloc(1, sizeof *rec);
            if (lk_period_data_record_parse(obj, rec, &perr) != LK_OK) {
                free(rec);
                rec = NULL;
                r.code = lk_error_set(&r.err, perr.code, "%s: %s", s->what, perr.message);
            }
        }
        ((lk_record_fn)s->cb)(&r, rec, s->ud);
        break;
    }
    case SINGLE_METADATA: {
        md_entry *e = s->md;
        if (r.code == LK_OK) {
            lk_error perr;
            lk_error_clear(&perr);
            if (lk_metadata_parse(env, &e->md, &perr) != LK_OK)
                r.code = lk_error_set(&r.err, perr.code, "%s: %s", s->what, perr.message);
        }
        e->result = r;
        e->result.envelope = NULL;
        e->done = true;
        metadata_complete(s->c, e);
        break;
    }
    case SINGLE_WRITE:
        ((lk_write_fn)s->cb)(&r, s->ud);
        break;
    }
    lk_envelope_free(env);
    free(s->what);
    free(s);
}

static void single_submit(lk_client *c, single_kind kind, const char *method, const char *path,
                          const char *endpoint, lk_resource res, const char *body,
                          const char *what, void *cb, void *ud, md_entry *md)
{
    single *s = xcalloc(1, sizeof *s);
    lk_http_request req;
    s->c = c;
    s->kind = kind;
    s->what = xstrdup(what);
    s->cb = cb;
    s->ud = ud;
    s->md = md;
    memset(&req, 0, sizeof req);
    req.method = method;
    req.path = path;
    req.endpoint = endpoint;
    req.resource = res;
    req.body = body;
    req.body_len = body ? strlen(body) : 0;
    lk_http_submit(c->http, &req, single_done, s);
}

static void fail_now(lk_api_result *r, lk_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail_now(lk_api_result *r, lk_code code, const char *fmt, ...)
{
    va_list ap;
    result_init(r);
    va_start(ap, fmt);
    r->code = lk_error_setv(&r->err, code, fmt, ap);
    va_end(ap);
}

void lk_api_user_start(lk_client *c, lk_user_fn cb, void *ud)
{
    single_submit(c, SINGLE_USER, "GET", "/user", "/user", LK_RES_USER, NULL, "user",
                  (void *)cb, ud, NULL);
}

void lk_api_defaults_start(lk_client *c, const char *employment_id, lk_record_fn cb, void *ud)
{
    strbuf path = STRBUF_INIT, what = STRBUF_INIT;
    if (!valid_id(employment_id)) {
        lk_api_result r;
        fail_now(&r, LK_ERR_INPUT, _("\"%s\" is not an employment id"), nz(employment_id));
        cb(&r, NULL, ud);
        return;
    }
    strbuf_addf(&path, "/providers/employers/employees/employments/%s/payrollperioddata/defaults",
                employment_id);
    strbuf_addf(&what, _("defaults of employment %s"), employment_id);
    single_submit(c, SINGLE_DEFAULTS, "GET", path.buf,
                  "/providers/employers/employees/employments/{employmentId}/payrollperioddata/"
                  "defaults",
                  LK_RES_PERIOD_DATA, NULL, what.buf, (void *)cb, ud, NULL);
    strbuf_free(&path);
    strbuf_free(&what);
}

/* ---------------------------------------------------------------- metadata cache */

static void metadata_complete(lk_client *c, md_entry *e)
{
    /* Callbacks may ask for more metadata (even this key): detach the waiters first. */
    md_waiter *w = e->waiters;
    e->waiters = NULL;
    while (w) {
        md_waiter *next = w->next;
        w->cb(&e->result, e->result.code == LK_OK ? e->md : NULL, w->ud);
        free(w);
        w = next;
    }
}

static void metadata_get(lk_client *c, const char *key, const char *path, const char *endpoint,
                         const char *what, lk_metadata_fn cb, void *ud)
{
    md_entry *e;
    md_waiter *w;
    for (e = c->metadata; e; e = e->next)
        if (!strcmp(e->key, key))
            break;
    if (e && e->done && e->result.code == LK_OK) {
        cb(&e->result, e->md, ud);
        return;
    }
    if (e && e->done) {
        /* a failed look-up is asked again: the fault may have been passing */
        lk_metadata_free(e->md);
        e->md = NULL;
        e->done = false;
        result_init(&e->result);
        w = xcalloc(1, sizeof *w);
        w->cb = cb;
        w->ud = ud;
        e->waiters = w;
        single_submit(c, SINGLE_METADATA, "GET", path, endpoint, LK_RES_PERIOD_DATA, NULL, what,
                      NULL, NULL, e);
        return;
    }
    w = xcalloc(1, sizeof *w);
    w->cb = cb;
    w->ud = ud;
    if (e) {
        w->next = e->waiters;
        e->waiters = w;
        return;
    }
    e = xcalloc(1, sizeof *e);
    e->key = xstrdup(key);
    e->waiters = w;
    result_init(&e->result);
    e->next = c->metadata;
    c->metadata = e;
    single_submit(c, SINGLE_METADATA, "GET", path, endpoint, LK_RES_PERIOD_DATA, NULL, what,
                  NULL, NULL, e);
}

void lk_api_metadata_start(lk_client *c, const char *admin_id, const char *employment_id,
                           lk_metadata_fn cb, void *ud)
{
    strbuf path = STRBUF_INIT, key = STRBUF_INIT, what = STRBUF_INIT;
    if (!valid_id(employment_id) || !admin_id) {
        lk_api_result r;
        fail_now(&r, LK_ERR_INPUT, _("\"%s\" is not an employment id"), nz(employment_id));
        cb(&r, NULL, ud);
        return;
    }
    strbuf_addf(&key, "%s", admin_id);
    strbuf_addf(&path, "/providers/employers/employees/employments/%s/payrollperioddata/metadata",
                employment_id);
    strbuf_addf(&what, _("payroll period data metadata (administration %s)"), admin_id);
    metadata_get(c, key.buf, path.buf,
                 "/providers/employers/employees/employments/{employmentId}/payrollperioddata/"
                 "metadata",
                 what.buf, cb, ud);
    strbuf_free(&path);
    strbuf_free(&key);
    strbuf_free(&what);
}

void lk_api_period_metadata_start(lk_client *c, const char *admin_id,
                                  const char *employment_id, int year, int period_number,
                                  lk_metadata_fn cb, void *ud)
{
    strbuf path = STRBUF_INIT, key = STRBUF_INIT, what = STRBUF_INIT;
    if (!valid_id(employment_id) || !admin_id) {
        lk_api_result r;
        fail_now(&r, LK_ERR_INPUT, _("\"%s\" is not an employment id"), nz(employment_id));
        cb(&r, NULL, ud);
        return;
    }
    strbuf_addf(&key, "%s/%d/%d", admin_id, year, period_number);
    strbuf_addf(&path,
                "/providers/employers/employees/employments/%s/payrollperioddata/metadata/year/%d/"
                "period/%d",
                employment_id, year, period_number);
    strbuf_addf(&what, _("payroll period metadata of %d period %d (administration %s)"), year,
                period_number, admin_id);
    metadata_get(c, key.buf, path.buf,
                 "/providers/employers/employees/employments/{employmentId}/payrollperioddata/"
                 "metadata/year/{year}/period/{periodNumber}",
                 what.buf, cb, ud);
    strbuf_free(&path);
    strbuf_free(&key);
    strbuf_free(&what);
}

/* ---------------------------------------------------------------- writes */

/* A record key field. Absent: costCenter and costUnit are nullable in the official schema and
 * get null (none); shift, payslipType and distributionUnit are not, and are left out so Loket
 * applies the employment's default. */
static void add_ref(cJSON *o, const char *name, const lk_meta_ref *r, const char *key_name,
                    bool nullable)
{
    cJSON *v;
    if (!r->present) {
        if (nullable)
            cJSON_AddNullToObject(o, name);
        return;
    }
    v = cJSON_AddObjectToObject(o, name);
    if (r->key_is_int)
        cJSON_AddNumberToObject(v, key_name, (double)r->key);
    else
        cJSON_AddStringToObject(v, key_name, r->key_text ? r->key_text : "");
}

char *lk_period_data_body(const lk_period_data_record *r, bool with_employment_id)
{
    cJSON *o = cJSON_CreateObject(), *comps;
    char *text;
    if (with_employment_id && r->employment_id)
        cJSON_AddStringToObject(o, "employmentId", r->employment_id);
    if (r->year) {
        cJSON *p = cJSON_AddObjectToObject(o, "payrollPeriod");
        cJSON_AddNumberToObject(p, "year", r->year);
        cJSON_AddNumberToObject(p, "periodNumber", r->period_number);
    }
    add_ref(o, "shift", &r->shift, "shiftNumber", false);
    add_ref(o, "payslipType", &r->payslip_type, "key", false);
    add_ref(o, "distributionUnit", &r->distribution_unit, "key", false);
    add_ref(o, "costCenter", &r->cost_center, "key", true);
    add_ref(o, "costUnit", &r->cost_unit, "key", true);
    if (r->payslip_text)
        cJSON_AddStringToObject(o, "payslipText", r->payslip_text);
    comps = cJSON_AddArrayToObject(o, "payrollComponents");
    for (size_t i = 0; i < r->ncomponents; i++) {
        const lk_component_value *v = &r->components[i];
        cJSON *c = cJSON_CreateObject(), *pc = cJSON_AddObjectToObject(c, "payrollComponent");
        char num[32];
        cJSON_AddNumberToObject(pc, "key", (double)v->key);
        /* raw decimal text: a double would turn 0.1 + 0.2 into 0.30000000000000004 */
        if (v->has_value)
            cJSON_AddRawToObject(c, "value", lk_decimal_format(v->value, num));
        else
            cJSON_AddNullToObject(c, "value");
        if (v->has_supplement)
            cJSON_AddBoolToObject(c, "isSupplement", v->is_supplement);
        cJSON_AddItemToArray(comps, c);
    }
    text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

void lk_api_patch_period_data_start(lk_client *c, const char *employment_id,
                                    const char *json_body, lk_write_fn cb, void *ud)
{
    strbuf path = STRBUF_INIT, what = STRBUF_INIT;
    if (!valid_id(employment_id) || !json_body) {
        lk_api_result r;
        fail_now(&r, LK_ERR_INPUT, _("\"%s\" is not an employment id (or the body is missing)"),
                 nz(employment_id));
        cb(&r, ud);
        return;
    }
    strbuf_addf(&path, "/providers/employers/employees/employments/%s/payrollperioddata",
                employment_id);
    strbuf_addf(&what, _("payroll period data of employment %s"), employment_id);
    /* PATCH is an upsert keyed by period + record key: the same body sent twice leaves the
     * same state, which is why the engine may retry it after a dropped connection. */
    single_submit(c, SINGLE_WRITE, "PATCH", path.buf,
                  "/providers/employers/employees/employments/{employmentId}/payrollperioddata",
                  LK_RES_PERIOD_DATA, json_body, what.buf, (void *)cb, ud, NULL);
    strbuf_free(&path);
    strbuf_free(&what);
}

void lk_api_delete_period_data_start(lk_client *c, const char *record_id, lk_write_fn cb,
                                     void *ud)
{
    strbuf path = STRBUF_INIT, what = STRBUF_INIT;
    if (!valid_id(record_id)) {
        lk_api_result r;
        fail_now(&r, LK_ERR_INPUT, _("\"%s\" is not a payroll period data id"), nz(record_id));
        cb(&r, ud);
        return;
    }
    strbuf_addf(&path, "/providers/employers/employees/employments/payrollperioddata/%s",
                record_id);
    strbuf_addf(&what, _("payroll period data record %s"), record_id);
    single_submit(c, SINGLE_WRITE, "DELETE", path.buf,
                  "/providers/employers/employees/employments/payrollperioddata/"
                  "{payrollperioddataId}",
                  LK_RES_PERIOD_DATA, NULL, what.buf, (void *)cb, ud, NULL);
    strbuf_free(&path);
    strbuf_free(&what);
}

void lk_api_patch_collective_start(lk_client *c, const char *employer_id,
                                   const char *json_body, lk_write_fn cb, void *ud)
{
    strbuf path = STRBUF_INIT, what = STRBUF_INIT;
    if (!valid_id(employer_id) || !json_body) {
        lk_api_result r;
        fail_now(&r, LK_ERR_INPUT, _("\"%s\" is not an employer id (or the body is missing)"),
                 nz(employer_id));
        cb(&r, ud);
        return;
    }
    strbuf_addf(&path, "/providers/employers/%s/payrollperioddata", employer_id);
    strbuf_addf(&what, _("collective payroll period data of employer %s"), employer_id);
    single_submit(c, SINGLE_WRITE, "PATCH", path.buf,
                  "/providers/employers/{employerId}/payrollperioddata", LK_RES_PERIOD_DATA,
                  json_body, what.buf, (void *)cb, ud, NULL);
    strbuf_free(&path);
    strbuf_free(&what);
}

/* ---------------------------------------------------------------- synchronous forms */

typedef struct sync_slot {
    lk_code code;
    lk_error err;
    void *out;
    const lk_metadata *md;
} sync_slot;

static void sync_store(sync_slot *s, const lk_api_result *r, void *out)
{
    s->code = r->code;
    s->err = r->err;
    s->out = out;
}

static void sync_user(const lk_api_result *r, lk_user *u, void *ud) { sync_store(ud, r, u); }
static void sync_employers(const lk_api_result *r, lk_employer_list *l, void *ud)
{
    sync_store(ud, r, l);
}
static void sync_admins(const lk_api_result *r, lk_admin_list *l, void *ud)
{
    sync_store(ud, r, l);
}
static void sync_employments(const lk_api_result *r, lk_employment_list *l, void *ud)
{
    sync_store(ud, r, l);
}
static void sync_periods(const lk_api_result *r, lk_period_list *l, void *ud)
{
    sync_store(ud, r, l);
}
static void sync_components(const lk_api_result *r, lk_component_list *l, void *ud)
{
    sync_store(ud, r, l);
}
static void sync_record(const lk_api_result *r, lk_period_data_record *rec, void *ud)
{
    sync_store(ud, r, rec);
}
static void sync_period_data(const lk_api_result *r, lk_period_data_list *l, void *ud)
{
    sync_store(ud, r, l);
}
static void sync_metadata(const lk_api_result *r, const lk_metadata *md, void *ud)
{
    sync_slot *s = ud;
    sync_store(s, r, NULL);
    s->md = md;
}

static lk_code sync_finish(lk_client *c, sync_slot *s, void **out, lk_error *err)
{
    if (lk_client_run(c, err) != LK_OK)
        return err->code;
    if (s->code != LK_OK) {
        *err = s->err;
        return s->code;
    }
    *out = s->out;
    return LK_OK;
}

#define SYNC_INIT(s)                                                                           \
    sync_slot s;                                                                               \
    memset(&s, 0, sizeof s);                                                                   \
    s.code = LK_ERR_INTERNAL;                                                                  \
    lk_error_clear(&s.err);                                                                    \
    lk_error_set(&s.err, LK_ERR_INTERNAL, _("the request did not complete"))

lk_code lk_api_user(lk_client *c, lk_user **out, lk_error *err)
{
    SYNC_INIT(s);
    lk_api_user_start(c, sync_user, &s);
    return sync_finish(c, &s, (void **)out, err);
}

lk_code lk_api_employers(lk_client *c, lk_employer_list **out, lk_error *err)
{
    SYNC_INIT(s);
    lk_api_employers_start(c, sync_employers, &s);
    return sync_finish(c, &s, (void **)out, err);
}

lk_code lk_api_admins(lk_client *c, const char *employer_id, lk_admin_list **out, lk_error *err)
{
    SYNC_INIT(s);
    lk_api_admins_start(c, employer_id, sync_admins, &s);
    return sync_finish(c, &s, (void **)out, err);
}

lk_code lk_api_employments(lk_client *c, const char *employer_id, const long *numbers, size_t n,
                           lk_employment_list **out, lk_error *err)
{
    SYNC_INIT(s);
    lk_api_employments_start(c, employer_id, numbers, n, sync_employments, &s);
    return sync_finish(c, &s, (void **)out, err);
}

lk_code lk_api_periods(lk_client *c, const char *admin_id, lk_period_list **out, lk_error *err)
{
    SYNC_INIT(s);
    lk_api_periods_start(c, admin_id, sync_periods, &s);
    return sync_finish(c, &s, (void **)out, err);
}

lk_code lk_api_components(lk_client *c, const char *admin_id, int year,
                          lk_component_list **out, lk_error *err)
{
    SYNC_INIT(s);
    lk_api_components_start(c, admin_id, year, sync_components, &s);
    return sync_finish(c, &s, (void **)out, err);
}

lk_code lk_api_defaults(lk_client *c, const char *employment_id, lk_period_data_record **out,
                        lk_error *err)
{
    SYNC_INIT(s);
    lk_api_defaults_start(c, employment_id, sync_record, &s);
    return sync_finish(c, &s, (void **)out, err);
}

lk_code lk_api_metadata(lk_client *c, const char *admin_id, const char *employment_id,
                        const lk_metadata **out, lk_error *err)
{
    void *unused;
    lk_code rc;
    SYNC_INIT(s);
    lk_api_metadata_start(c, admin_id, employment_id, sync_metadata, &s);
    rc = sync_finish(c, &s, &unused, err);
    if (rc == LK_OK)
        *out = s.md;
    return rc;
}

lk_code lk_api_period_metadata(lk_client *c, const char *admin_id, const char *employment_id,
                               int year, int period_number, const lk_metadata **out,
                               lk_error *err)
{
    void *unused;
    lk_code rc;
    SYNC_INIT(s);
    lk_api_period_metadata_start(c, admin_id, employment_id, year, period_number, sync_metadata,
                                 &s);
    rc = sync_finish(c, &s, &unused, err);
    if (rc == LK_OK)
        *out = s.md;
    return rc;
}

lk_code lk_api_period_data(lk_client *c, const lk_period_data_query *q,
                           lk_period_data_list **out, lk_error *err)
{
    SYNC_INIT(s);
    lk_api_period_data_start(c, q, sync_period_data, &s);
    return sync_finish(c, &s, (void **)out, err);
}

lk_code lk_api_employment_period_data(lk_client *c, const char *employment_id,
                                      const char *filter, lk_period_data_list **out,
                                      lk_error *err)
{
    SYNC_INIT(s);
    lk_api_employment_period_data_start(c, employment_id, filter, sync_period_data, &s);
    return sync_finish(c, &s, (void **)out, err);
}

/* ---------------------------------------------------------------- helpers for callers */

bool lk_employment_active(const lk_employment *e, const char *start, const char *end)
{
    /* ISO dates compare as strings; "" start means "always", "" end means "still employed" */
    if (e->start_date[0] && end && *end && strcmp(e->start_date, end) > 0)
        return false;
    if (e->end_date[0] && start && *start && strcmp(e->end_date, start) < 0)
        return false;
    return true;
}

const lk_employer *lk_employer_find(const lk_employer_list *l, const char *what)
{
    char *end;
    long number;
    if (!l || !what || !*what)
        return NULL;
    for (size_t i = 0; i < l->n; i++)
        if (!strcasecmp(l->items[i].id, what))
            return &l->items[i];
    number = strtol(what, &end, 10);
    if (*end == '\0')
        for (size_t i = 0; i < l->n; i++)
            if (l->items[i].employer_number == number)
                return &l->items[i];
    for (size_t i = 0; i < l->n; i++)
        if (!strcasecmp(l->items[i].company_name, what))
            return &l->items[i];
    return NULL;
}
