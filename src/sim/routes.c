/*
 * routes.c: the /v2 endpoints of loket-sim: route table, the checks every call passes
 * (Authorization, versioned Accept, Content-Type, body size), the response envelope, and one
 * handler per operation of the official document (tests/contract/loket-payroll-api.json) that the
 * importer uses.
 * The caller (core.c) holds the simulator's lock.
 */
#include "sim/internal.h"
#include "sim/query.h"
#include "sim/rules.h"

#include "common/strbuf.h"
#include "common/util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <strings.h>

#define V2018 "2018-01-01"
#define V2019 "2019-12-16" /* the employment resources exist only in this version */

/* ---------------------------------------------------------------- replies */

/* The answer as a tree: printed by sim_response_render() once the world's lock is released, so
 * the threads print big pages side by side instead of one after the other. The tree owns all its
 * memory (no references into the world) or refers only to data that never changes. */
void sim_reply_json(sim_response *resp, int status, cJSON *body)
{
    free(resp->body);
    resp->body = NULL;
    resp->body_len = 0;
    cJSON_Delete(resp->json);
    resp->status = status;
    resp->json = body;
    if (!resp->content_type[0])
        snprintf(resp->content_type, sizeof resp->content_type, "application/json");
}

void sim_response_render(sim_response *resp)
{
    if (!resp->json)
        return;
    /* a page of the listing is ~700 KB: start big rather than double a small buffer ten times */
    resp->body = cJSON_PrintBuffered(resp->json, 64 * 1024, 0);
    resp->body_len = resp->body ? strlen(resp->body) : 0;
    cJSON_Delete(resp->json);
    resp->json = NULL;
    if (!resp->body) {
        resp->status = 500;
        resp->body = xstrdup("out of memory printing the answer");
        resp->body_len = strlen(resp->body);
    }
}

void sim_reply_text(sim_response *resp, int status, const char *text)
{
    cJSON_Delete(resp->json);
    resp->json = NULL;
    free(resp->body);
    resp->status = status;
    resp->body = xstrdup(text);
    resp->body_len = strlen(text);
    snprintf(resp->content_type, sizeof resp->content_type, "text/plain; charset=utf-8");
}

static cJSON *envelope_start(sim_ctx *c)
{
    cJSON *o = cJSON_CreateObject(), *v = cJSON_CreateObject();
    cJSON_AddStringToObject(v, "resourceVersion", c->version);
    cJSON_AddNullToObject(v, "obsoleteDate");
    cJSON_AddItemToObject(o, "version", v);
    cJSON_AddItemToObject(o, "messages", c->messages);
    c->messages = cJSON_CreateArray(); /* the envelope owns the old list now */
    return o;
}

/* {version, messages, content} with content (NULL = {}: the official 400 and 409 schemas have an
 * object there, never null). */
static void reply_content(sim_ctx *c, int status, cJSON *content)
{
    cJSON *o = envelope_start(c);
    cJSON_AddItemToObject(o, "content", content ? content : cJSON_CreateObject());
    snprintf(c->resp->content_type, sizeof c->resp->content_type, "application/json;version=%s", c->version);
    sim_reply_json(c->resp, status, o);
}

/* A 4xx with the messages gathered so far plus one more. */
static void reply_error(sim_ctx *c, int status, sim_msg_code code, const char *property, const char *detail)
{
    if (code)
        sim_msg(c->messages, code, NULL, property, detail);
    reply_content(c, status, NULL);
}

static const char *query(const sim_ctx *c, const char *key)
{
    for (size_t i = 0; i < c->req->nquery; i++)
        if (!strcmp(c->req->query[i].key, key))
            return c->req->query[i].value ? c->req->query[i].value : "";
    return NULL;
}

/* A strictly decimal int in [min, max]. */
static bool parse_int(const char *s, long min, long max, long *out)
{
    char *end;
    long v;
    if (!s || !*s || (!isdigit((unsigned char)*s) && *s != '-'))
        return false;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

/*
 * The list envelope: filter, orderBy, then the page. Takes items. An item may be a reference to
 * a stored object (cJSON_CreateObjectReference): filter and order read it in place, and only the
 * items of the page are copied in the API's shape (sim_api_copy). Copying every employment for
 * each page made listing 5,000 employments cost seconds a page (docs/benchmarks.md).
 */
static cJSON *pick(const cJSON *o, const char *const *fields);

/* reply_list() whose stored-object references are answered with only the named fields (the
 * minimized resources); fields NULL: in the API's full shape. */
static void reply_list_fields(sim_ctx *c, cJSON *items, const char *const *fields)
{
    const char *filter = query(c, "filter"), *order = query(c, "orderBy");
    const char *pn = query(c, "pageNumber"), *ps = query(c, "pageSize");
    long page = 1, size = 250, total, pages, skip;
    char err[160];
    cJSON *o, *page_items, *item;
    const char *bad = (pn && !parse_int(pn, 1, 1000000000L, &page)) ? "pageNumber"
                      : (ps && !parse_int(ps, 1, 100000, &size))     ? "pageSize"
                                                                     : NULL;
    if (bad) {
        cJSON_Delete(items);
        reply_error(c, 400, SIM_MSG_INVALID_QUERY, bad, bad);
        return;
    }
    if (filter && *filter) {
        sim_filter *f = sim_filter_parse(filter, err, sizeof err);
        if (!f) {
            char detail[200];
            snprintf(detail, sizeof detail, "filter (%s)", err);
            cJSON_Delete(items);
            reply_error(c, 400, SIM_MSG_INVALID_QUERY, "filter", detail);
            return;
        }
        sim_filter_apply(f, items);
        sim_filter_free(f);
    }
    if (order && *order && !sim_order_apply(order, items, err, sizeof err)) {
        char detail[200];
        snprintf(detail, sizeof detail, "orderBy (%s)", err);
        cJSON_Delete(items);
        reply_error(c, 400, SIM_MSG_INVALID_QUERY, "orderBy", detail);
        return;
    }
    total = cJSON_GetArraySize(items);
    pages = (total + size - 1) / size;
    o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "totalSize", (double)total);
    cJSON_AddNumberToObject(o, "pageSize", (double)size);
    cJSON_AddNumberToObject(o, "totalPages", (double)pages);
    cJSON_AddNumberToObject(o, "currentPage", (double)page);
    {
        cJSON *env = envelope_start(c), *v;
        while ((v = env->child)) {
            cJSON_DetachItemViaPointer(env, v);
            cJSON_AddItemToObject(o, v->string, v);
        }
        cJSON_Delete(env);
    }
    page_items = cJSON_AddArrayToObject(o, "_embedded");
    skip = (page - 1) * size;
    while ((item = items->child) && cJSON_GetArraySize(page_items) < size) {
        cJSON_DetachItemViaPointer(items, item);
        if (skip > 0) {
            skip--;
            cJSON_Delete(item);
            continue;
        }
        if (item->type & cJSON_IsReference) { /* a stored object: only a page's items are copied */
            cJSON *copy = fields ? pick(item, fields) : sim_api_copy(item);
            cJSON_Delete(item);
            item = copy;
        }
        cJSON_AddItemToArray(page_items, item);
    }
    cJSON_Delete(items);
    snprintf(c->resp->content_type, sizeof c->resp->content_type, "application/json;version=%s", c->version);
    sim_reply_json(c->resp, 200, o);
}

static void reply_list(sim_ctx *c, cJSON *items)
{
    reply_list_fields(c, items, NULL);
}

/* ---------------------------------------------------------------- look-ups with 403/404 */

static bool visible(sim_ctx *c, const sim_employer *e, const char *what)
{
    if (e->visible)
        return true;
    reply_error(c, 403, SIM_MSG_FORBIDDEN, NULL, what);
    return false;
}

static sim_employer *get_employer(sim_ctx *c, const char *id)
{
    sim_employer *e = sim_store_employer(c->st, id);
    if (!e) {
        reply_error(c, 404, SIM_MSG_NOT_FOUND, NULL, "employer");
        return NULL;
    }
    return visible(c, e, "employer") ? e : NULL;
}

static sim_admin *get_admin(sim_ctx *c, const char *id)
{
    sim_admin *a = sim_store_admin(c->st, id);
    if (!a) {
        reply_error(c, 404, SIM_MSG_NOT_FOUND, NULL, "payrollAdministration");
        return NULL;
    }
    return visible(c, a->employer, "payrollAdministration") ? a : NULL;
}

static sim_employment *get_employment(sim_ctx *c, const char *id)
{
    sim_employment *e = sim_store_employment(c->st, id);
    if (!e) {
        reply_error(c, 404, SIM_MSG_NOT_FOUND, NULL, "employment");
        return NULL;
    }
    return visible(c, e->employer, "employment") ? e : NULL;
}

static sim_record *get_record(sim_ctx *c, const char *id)
{
    sim_record *r = sim_store_record(c->st, id);
    if (!r) {
        reply_error(c, 404, SIM_MSG_NOT_FOUND, NULL, "payrollPeriodData");
        return NULL;
    }
    return visible(c, r->employment->employer, "payrollPeriodData") ? r : NULL;
}

/* A copy of o with only the named fields (dotted names copy a sub-object's fields). */
static cJSON *pick(const cJSON *o, const char *const *fields)
{
    cJSON *out = cJSON_CreateObject();
    for (; *fields; fields++) {
        const char *dot = strchr(*fields, '.');
        if (dot) {
            char parent[64];
            size_t n = (size_t)(dot - *fields);
            const cJSON *src, *leaf;
            cJSON *dst;
            snprintf(parent, sizeof parent, "%.*s", (int)n, *fields);
            src = cJSON_GetObjectItemCaseSensitive(o, parent);
            if (!cJSON_IsObject(src))
                continue;
            dst = cJSON_GetObjectItemCaseSensitive(out, parent);
            if (!dst)
                dst = cJSON_AddObjectToObject(out, parent);
            if ((leaf = cJSON_GetObjectItemCaseSensitive(src, dot + 1)))
                cJSON_AddItemToObject(dst, dot + 1, cJSON_Duplicate(leaf, 1));
            continue;
        }
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, *fields);
        if (v)
            cJSON_AddItemToObject(out, *fields, cJSON_Duplicate(v, 1));
    }
    return out;
}

/* ---------------------------------------------------------------- user, employers, administrations */

static void h_user(sim_ctx *c)
{
    reply_content(c, 200, cJSON_Duplicate(c->st->user, 1));
}

static void h_employers(sim_ctx *c)
{
    cJSON *items = cJSON_CreateArray();
    for (size_t i = 0; i < c->st->nemployers; i++)
        if (c->st->employers[i].visible)
            cJSON_AddItemToArray(items, sim_api_copy(c->st->employers[i].json));
    reply_list(c, items);
}

static void h_employers_minimized(sim_ctx *c)
{
    static const char *const fields[] = { "id", "companyName", "address.street", "address.houseNumber",
                                          "address.postalCode", "address.city", "branch", "contact.name",
                                          "contact.phoneNumber", "contactInformation.phoneNumber", "employerLogo",
                                          "providerLogo", "providerSettings.administrationNumber",
                                          "providerSettings.groupCode", NULL };
    cJSON *items = cJSON_CreateArray();
    for (size_t i = 0; i < c->st->nemployers; i++)
        if (c->st->employers[i].visible)
            cJSON_AddItemToArray(items, pick(c->st->employers[i].json, fields));
    reply_list(c, items);
}

static void h_administrations(sim_ctx *c)
{
    sim_employer *e = get_employer(c, c->params[0]);
    cJSON *items;
    if (!e)
        return;
    items = cJSON_CreateArray();
    for (size_t i = 0; i < c->st->nadmins; i++)
        if (c->st->admins[i].employer == e)
            cJSON_AddItemToArray(items, sim_api_copy(c->st->admins[i].json));
    reply_list(c, items);
}

/* ---------------------------------------------------------------- employments */

static void h_employments(sim_ctx *c)
{
    sim_employer *e = get_employer(c, c->params[0]);
    cJSON *items;
    if (!e)
        return;
    items = cJSON_CreateArray();
    for (size_t i = 0; i < c->st->nemployments; i++)
        if (c->st->employments[i].employer == e) /* references: a page copies 250, not all */
            cJSON_AddItemToArray(items, cJSON_CreateObjectReference(c->st->employments[i].json->child));
    reply_list(c, items);
}

/* GetActualWorkingHoursByEmployerId: the working hours of every employment active on
 * referenceDate (all of them without one); the fixture's "simWorkingHours" does not change
 * over time. */
static void h_working_hours(sim_ctx *c)
{
    sim_employer *e = get_employer(c, c->params[0]);
    const char *ref = query(c, "referenceDate");
    char date[SIM_DATE_LEN + 1] = "";
    cJSON *items;
    if (!e)
        return;
    if (ref) {
        int y, m, d, n = 0;
        if (strlen(ref) < SIM_DATE_LEN || sscanf(ref, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 ||
            n != SIM_DATE_LEN || m < 1 || m > 12 || d < 1 || d > 31 ||
            (ref[SIM_DATE_LEN] && ref[SIM_DATE_LEN] != 'T')) {
            reply_error(c, 400, SIM_MSG_INVALID_QUERY, "referenceDate", "referenceDate");
            return;
        }
        memcpy(date, ref, SIM_DATE_LEN);
    }
    items = cJSON_CreateArray();
    for (size_t i = 0; i < c->st->nemployments; i++) {
        const sim_employment *em = &c->st->employments[i];
        cJSON *item;
        if (em->employer != e || !em->working_hours)
            continue;
        if (date[0] && (strcmp(em->start, date) > 0 || (em->end[0] && strcmp(em->end, date) < 0)))
            continue;
        item = cJSON_CreateObject();
        cJSON_AddStringToObject(item, "employmentId", em->id);
        cJSON_AddItemToObject(item, "workingHours", sim_api_copy(em->working_hours));
        cJSON_AddItemToArray(items, item);
    }
    reply_list(c, items);
}

static void h_employments_minimized(sim_ctx *c)
{
    static const char *const fields[] = { "id", "employee.id", "employee.employeeNumber", "employee.firstName",
                                          "employee.formattedName", "employee.dateOfBirth", "employee.photo",
                                          "payrollId", "incomeRelationshipNumber", "startDate", "endDate",
                                          "commissionUntilDate", "employmentDurationType", "payrollAdministration",
                                          "nonPayrollAdministration", NULL };
    sim_employer *e = get_employer(c, c->params[0]);
    const char *filter = query(c, "filter"), *order = query(c, "orderBy");
    bool whole = (filter && *filter) || (order && *order);
    cJSON *items;
    if (!e)
        return;
    items = cJSON_CreateArray();
    /* Without filter and orderBy, references: a page picks the fields of its 250, not of all.
     * A filter or an order reads the minimized shape itself, so then every item is picked. */
    for (size_t i = 0; i < c->st->nemployments; i++)
        if (c->st->employments[i].employer == e)
            cJSON_AddItemToArray(items, whole ? pick(c->st->employments[i].json, fields)
                                              : cJSON_CreateObjectReference(c->st->employments[i].json->child));
    reply_list_fields(c, items, whole ? NULL : fields);
}

static void h_employment(sim_ctx *c)
{
    sim_employment *e = get_employment(c, c->params[0]);
    if (e)
        reply_content(c, 200, sim_api_copy(e->json));
}

/* ---------------------------------------------------------------- periods and components */

static void h_periods(sim_ctx *c)
{
    sim_admin *a = get_admin(c, c->params[0]);
    cJSON *items;
    if (!a)
        return;
    items = cJSON_CreateArray();
    for (size_t i = 0; i < a->nperiods; i++)
        cJSON_AddItemToArray(items, sim_api_copy(a->periods[i].json));
    reply_list(c, items);
}

static void h_periods_minimized(sim_ctx *c)
{
    static const char *const fields[] = { "id", "year", "periodNumber", "startDate", "endDate", "testYear",
                                          "payrollPeriodType", NULL };
    sim_admin *a = get_admin(c, c->params[0]);
    cJSON *items;
    if (!a)
        return;
    items = cJSON_CreateArray();
    for (size_t i = 0; i < a->nperiods; i++) {
        cJSON *p = pick(a->periods[i].json, fields);
        cJSON_AddBoolToObject(p, "hasApprovedPayrollRun", a->periods[i].closed);
        cJSON_AddItemToArray(items, p);
    }
    reply_list(c, items);
}

static void h_components(sim_ctx *c)
{
    sim_admin *a = get_admin(c, c->params[0]);
    long year;
    cJSON *items;
    if (!a)
        return;
    if (!parse_int(c->params[1], 1900, 2999, &year)) {
        reply_error(c, 400, SIM_MSG_INVALID_QUERY, "year", "year");
        return;
    }
    items = cJSON_CreateArray();
    for (size_t i = 0; i < c->st->ncomponents; i++)
        if (sim_admin_component_allowed(a, (int)year, c->st->components[i].key))
            cJSON_AddItemToArray(items, sim_api_copy(c->st->components[i].json));
    reply_list(c, items);
}

static void h_component_sets(sim_ctx *c)
{
    sim_admin *a = get_admin(c, c->params[0]);
    const cJSON *set;
    cJSON *items;
    if (!a)
        return;
    items = cJSON_CreateArray();
    cJSON_ArrayForEach(set, a->component_sets) {
        cJSON *o = sim_api_copy(set), *list = cJSON_CreateArray();
        const cJSON *k;
        cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(set, "payrollComponents")) {
            sim_component *comp = cJSON_IsNumber(k) ? sim_store_component(c->st, k->valueint) : NULL;
            cJSON *entry;
            if (!comp)
                continue;
            entry = cJSON_CreateObject();
            cJSON_AddItemToObject(entry, "payrollComponent", sim_component_ref_json(comp, "value"));
            cJSON_AddItemToArray(list, entry);
        }
        cJSON_ReplaceItemInObjectCaseSensitive(o, "payrollComponents", list);
        cJSON_AddItemToArray(items, o);
    }
    reply_list(c, items);
}

/* ---------------------------------------------------------------- payroll period data */

static bool json_body(sim_ctx *c, cJSON **out)
{
    const char *end = NULL;
    *out = c->req->body && c->req->body_len ? cJSON_ParseWithLengthOpts(c->req->body, c->req->body_len, &end, 0) : NULL;
    if (!*out) {
        reply_error(c, 400, SIM_MSG_INVALID_BODY, NULL, "no valid JSON");
        return false;
    }
    return true;
}

static void h_ppd_list(sim_ctx *c)
{
    sim_employment *e = get_employment(c, c->params[0]);
    cJSON *items;
    if (!e)
        return;
    items = cJSON_CreateArray();
    for (size_t i = 0; i < c->st->nrecords; i++)
        if (c->st->records[i]->employment == e)
            cJSON_AddItemToArray(items, sim_record_json(c->st, c->st->records[i], true));
    reply_list(c, items);
}

static void upsert_one(sim_ctx *c, sim_mode mode, sim_employment *e, sim_record *existing)
{
    cJSON *body;
    sim_input in;
    sim_record *r;
    bool created, removed;
    if (!json_body(c, &body))
        return;
    if (!sim_rules_check(c->st, e, body, mode, existing, NULL, NULL, c->messages, &in)) {
        cJSON_Delete(body);
        reply_content(c, 400, NULL);
        return;
    }
    r = sim_rules_apply(c->st, &in, mode, existing, NULL, NULL, c->messages, &created, &removed);
    if (!r && !removed) {
        sim_input_clear(&in);
        cJSON_Delete(body);
        reply_content(c, 400, NULL);
        return;
    }
    if (removed) {
        /* every value deleted: the record is gone; answer what it held (nothing) without an id */
        sim_record gone = in.key;
        gone.nvalues = 0;
        gone.values = NULL;
        gone.payslip_text = NULL;
        reply_content(c, 200, sim_record_json(c->st, &gone, false));
    } else {
        if (mode != SIM_MODE_PATCH)
            snprintf(c->resp->etag, sizeof c->resp->etag, "\"%u\"", r->version);
        /* PATCH answers 200 for an insert too: the official document lists no 201 for it */
        reply_content(c, mode == SIM_MODE_POST ? 201 : 200, sim_record_json(c->st, r, true));
    }
    sim_input_clear(&in);
    cJSON_Delete(body);
}

static void h_ppd_patch(sim_ctx *c)
{
    sim_employment *e = get_employment(c, c->params[0]);
    if (e)
        upsert_one(c, SIM_MODE_PATCH, e, NULL);
}

static void h_ppd_post(sim_ctx *c)
{
    sim_employment *e = get_employment(c, c->params[0]);
    if (e)
        upsert_one(c, SIM_MODE_POST, e, NULL);
}

static void h_ppd_get(sim_ctx *c)
{
    sim_record *r = get_record(c, c->params[0]);
    if (!r)
        return;
    snprintf(c->resp->etag, sizeof c->resp->etag, "\"%u\"", r->version);
    reply_content(c, 200, sim_record_json(c->st, r, true));
}

static bool period_writable(sim_ctx *c, const sim_record *r)
{
    char label[32];
    snprintf(label, sizeof label, "%d/%d", r->period->year, r->period->number);
    if (!r->period->closed)
        return true;
    reply_error(c, 400, SIM_MSG_PERIOD_CLOSED, "payrollPeriod", label);
    return false;
}

static bool if_match_ok(sim_ctx *c, const sim_record *r)
{
    char etag[40];
    if (!c->req->if_match || !strcmp(c->req->if_match, "*"))
        return true;
    snprintf(etag, sizeof etag, "\"%u\"", r->version);
    if (!strcmp(c->req->if_match, etag))
        return true;
    reply_error(c, 409, SIM_MSG_CONCURRENCY, NULL, "");
    return false;
}

static void h_ppd_put(sim_ctx *c)
{
    sim_record *r = get_record(c, c->params[0]);
    if (r && if_match_ok(c, r) && period_writable(c, r))
        upsert_one(c, SIM_MODE_PUT, r->employment, r);
}

static void h_ppd_delete(sim_ctx *c)
{
    sim_record *r = get_record(c, c->params[0]);
    if (!r || !if_match_ok(c, r) || !period_writable(c, r))
        return;
    sim_store_remove_record(c->st, r);
    reply_content(c, 200, cJSON_CreateObject());
}

static cJSON *option_or_null(cJSON *opt)
{
    return opt ? cJSON_Duplicate(opt, 1) : cJSON_CreateNull();
}

static cJSON *shift_json(const sim_admin *a, int number)
{
    cJSON *opt = sim_admin_option(a, "shift", number), *o;
    if (!opt)
        return cJSON_CreateNull();
    o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "shiftNumber", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(opt, "shiftNumber"), 1));
    cJSON_AddItemToObject(o, "fullTimeHoursPerWeek",
                          cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(opt, "fullTimeHoursPerWeek"), 1));
    cJSON_AddItemToObject(o, "bonusPercentage", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(opt, "bonusPercentage"), 1));
    return o;
}

/* The defaults object (docs/simulator.md: shape assumed from the developer portal's example). */
static void h_ppd_defaults(sim_ctx *c)
{
    sim_employment *e = get_employment(c, c->params[0]);
    cJSON *o;
    if (!e)
        return;
    o = cJSON_CreateObject();
    cJSON_AddNullToObject(o, "payrollPeriod");
    cJSON_AddItemToObject(o, "shift", shift_json(e->admin, 1));
    cJSON_AddItemToObject(o, "payslipType", option_or_null(sim_admin_option(e->admin, "payslipType", 1)));
    cJSON_AddNullToObject(o, "payslipText");
    /* no default distribution unit: left out, as in every record answer (the request schema does
     * not allow null there, and the defaults must PATCH as they are once period and values are in) */
    cJSON_AddItemToObject(o, "costCenter",
                          option_or_null(e->cost_center ? sim_admin_option(e->admin, "costCenter", e->cost_center) : NULL));
    cJSON_AddNullToObject(o, "costUnit");
    cJSON_AddArrayToObject(o, "payrollComponents");
    reply_content(c, 200, o);
}

/* A metadata option: the option's own fields plus "key" and "value" on every one, so a client can
 * read any field's options the same way (the portal's metadata example uses key/value). */
static cJSON *meta_option(const cJSON *opt, const char *key_name, const char *value_name)
{
    cJSON *o = cJSON_CreateObject(), *f;
    cJSON_AddItemToObject(o, "key", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(opt, key_name), 1));
    cJSON_AddItemToObject(o, "value", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(opt, value_name), 1));
    cJSON_ArrayForEach(f, opt)
        if (strcmp(f->string, "key") && strcmp(f->string, "value"))
            cJSON_AddItemToObject(o, f->string, cJSON_Duplicate(f, 1));
    return o;
}

static cJSON *meta_field(const char *name, cJSON *options)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "field", name);
    cJSON_AddItemToObject(o, "options", options);
    return o;
}

static cJSON *component_options(sim_ctx *c, const sim_admin *a, int year)
{
    cJSON *opts = cJSON_CreateArray();
    for (size_t i = 0; i < c->st->ncomponents; i++) {
        const sim_component *comp = &c->st->components[i];
        cJSON *o;
        if (!sim_admin_component_allowed(a, year, comp->key))
            continue;
        o = sim_component_ref_json(comp, "description");
        cJSON_AddItemToObject(o, "value", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(comp->json, "description"), 1));
        cJSON_AddItemToArray(opts, o);
    }
    return opts;
}

static int newest_year(const sim_admin *a)
{
    int year = 0;
    for (size_t i = 0; i < a->nperiods; i++)
        if (a->periods[i].year > year)
            year = a->periods[i].year;
    return year;
}

static void add_record_key_metadata(cJSON *items, const sim_admin *a)
{
    static const struct { const char *field, *key, *value; } fields[] = {
        { "payslipType", "key", "value" },         { "shift", "shiftNumber", "description" },
        { "distributionUnit", "key", "description" }, { "costCenter", "key", "description" },
        { "costUnit", "key", "description" },
    };
    for (size_t i = 0; i < LK_ARRAY_SIZE(fields); i++) {
        cJSON *opts = cJSON_CreateArray();
        const cJSON *opt;
        cJSON_ArrayForEach(opt, sim_admin_metadata(a, fields[i].field))
            cJSON_AddItemToArray(opts, meta_option(opt, fields[i].key, fields[i].value));
        cJSON_AddItemToArray(items, meta_field(fields[i].field, opts));
    }
}

static void h_ppd_metadata(sim_ctx *c)
{
    sim_employment *e = get_employment(c, c->params[0]);
    cJSON *items;
    if (!e)
        return;
    items = cJSON_CreateArray();
    cJSON_AddItemToArray(items, meta_field("payrollComponent", component_options(c, e->admin, newest_year(e->admin))));
    add_record_key_metadata(items, e->admin);
    reply_list(c, items);
}

static void h_ppd_metadata_period(sim_ctx *c)
{
    sim_employment *e = get_employment(c, c->params[0]);
    long year, number;
    char label[48];
    sim_period *p;
    cJSON *items, *period;
    if (!e)
        return;
    if (!parse_int(c->params[1], 1900, 2999, &year) || !parse_int(c->params[2], 1, 53, &number)) {
        reply_error(c, 400, SIM_MSG_INVALID_QUERY, NULL, "year/period");
        return;
    }
    snprintf(label, sizeof label, "%ld/%ld", year, number);
    if (!(p = sim_admin_period(e->admin, (int)year, (int)number))) {
        reply_error(c, 400, SIM_MSG_PERIOD_UNKNOWN, "payrollPeriod", label);
        return;
    }
    items = cJSON_CreateArray();
    cJSON_AddItemToArray(items, meta_field("payrollComponent", component_options(c, e->admin, p->year)));
    period = cJSON_CreateObject();
    cJSON_AddNumberToObject(period, "key", p->id);
    cJSON_AddStringToObject(period, "value", label);
    cJSON_AddNumberToObject(period, "year", p->year);
    cJSON_AddNumberToObject(period, "periodNumber", p->number);
    cJSON_AddStringToObject(period, "periodStartDate", p->start);
    cJSON_AddStringToObject(period, "periodEndDate", p->end);
    cJSON_AddBoolToObject(period, "isClosed", p->closed);
    cJSON_AddBoolToObject(period, "employmentActive", sim_employment_active(e, p));
    {
        cJSON *opts = cJSON_CreateArray();
        cJSON_AddItemToArray(opts, period);
        cJSON_AddItemToArray(items, meta_field("payrollPeriod", opts));
    }
    add_record_key_metadata(items, e->admin);
    reply_list(c, items);
}

/* ---------------------------------------------------------------- administration-level listing */

typedef struct listing {
    int keys[64];
    size_t nkeys;
} listing;

static bool listing_components(sim_ctx *c, const sim_admin *a, int year, listing *l)
{
    const char *set_id = query(c, "payrollComponentSet"), *cat = query(c, "payrollComponentCategory");
    const char *cid = query(c, "payrollComponentId");
    const cJSON *set = NULL, *s;
    long category = 0, component = 0;
    if ((!set_id || !*set_id) && (!cat || !*cat) && (!cid || !*cid)) {
        reply_error(c, 400, SIM_MSG_QUERY_REQUIRED, "payrollComponentSet",
                    "payrollComponentSet, payrollComponentCategory of payrollComponentId");
        return false;
    }
    if (set_id && *set_id) {
        cJSON_ArrayForEach(s, a->component_sets) {
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(s, "id");
            if (cJSON_IsString(id) && !strcasecmp(id->valuestring, set_id))
                set = s;
        }
        if (!set) {
            reply_error(c, 400, SIM_MSG_NOT_IN_METADATA, "payrollComponentSet", "payrollComponentSet");
            return false;
        }
    }
    if ((cat && *cat && !parse_int(cat, 0, 1000000, &category)) || (cid && *cid && !parse_int(cid, 0, 1000000, &component))) {
        reply_error(c, 400, SIM_MSG_INVALID_QUERY, NULL, "payrollComponentCategory/payrollComponentId");
        return false;
    }
    l->nkeys = 0;
    for (size_t i = 0; i < c->st->ncomponents && l->nkeys < LK_ARRAY_SIZE(l->keys); i++) {
        const sim_component *comp = &c->st->components[i];
        bool in_set = !set;
        const cJSON *k;
        if (!sim_admin_component_allowed(a, year, comp->key))
            continue;
        if (set)
            cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(set, "payrollComponents"))
                in_set |= cJSON_IsNumber(k) && k->valueint == comp->key;
        if (!in_set || (cat && *cat && comp->category != category) || (cid && *cid && comp->key != component))
            continue;
        l->keys[l->nkeys++] = comp->key;
    }
    return true;
}

static cJSON *listing_item(sim_ctx *c, const sim_employment *e, const sim_record *r, const listing *l)
{
    cJSON *o = sim_record_json(c->st, r, false), *emp, *list, *v;
    cJSON_DeleteItemFromObjectCaseSensitive(o, "payslipText"); /* not in this listing's schema */
    cJSON_DeleteItemFromObjectCaseSensitive(o, "payrollComponents");
    emp = cJSON_AddObjectToObject(o, "employee");
    cJSON_AddItemToObject(emp, "employeeNumber",
                          cJSON_Duplicate(sim_json_path(e->json, "employee.employeeNumber"), 1));
    cJSON_AddItemToObject(emp, "formattedName", cJSON_Duplicate(sim_json_path(e->json, "employee.formattedName"), 1));
    emp = cJSON_AddObjectToObject(o, "employment");
    cJSON_AddStringToObject(emp, "id", e->id);
    cJSON_AddItemToObject(emp, "payrollId", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(e->json, "payrollId"), 1));
    cJSON_AddItemToObject(emp, "incomeRelationshipNumber",
                          cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(e->json, "incomeRelationshipNumber"), 1));
    list = cJSON_AddArrayToObject(o, "payrollComponents");
    for (size_t i = 0; i < l->nkeys; i++) {
        const sim_value *val = NULL;
        cJSON *item = cJSON_CreateObject();
        for (size_t j = 0; j < r->nvalues; j++)
            if (r->values[j].key == l->keys[i])
                val = &r->values[j];
        cJSON_AddItemToObject(item, "payrollComponent", sim_component_ref_json(sim_store_component(c->st, l->keys[i]), "description"));
        cJSON_AddItemToObject(item, "value", val ? sim_json_decimal(val->value) : cJSON_CreateNull());
        v = val ? cJSON_CreateBool(val->is_supplement) : cJSON_CreateNull();
        cJSON_AddItemToObject(item, "isSupplement", v);
        cJSON_AddItemToArray(list, item);
    }
    return o;
}

/*
 * The 1-based positions [*first, *last] of the items reply_list will answer, so a handler whose
 * items are costly to build builds only those and puts a cheap null in every other place
 * (reply_list counts them all, drops the others). With filter or orderBy every item may end up
 * on the page: then all are built. A malformed page query gets its 400 from reply_list.
 */
static void listed_page(sim_ctx *c, long *first, long *last)
{
    const char *filter = query(c, "filter"), *order = query(c, "orderBy");
    const char *pn = query(c, "pageNumber"), *ps = query(c, "pageSize");
    long page = 1, size = 250;
    *first = 1;
    *last = LONG_MAX;
    if ((filter && *filter) || (order && *order) || (pn && !parse_int(pn, 1, 1000000000L, &page)) ||
        (ps && !parse_int(ps, 1, 100000, &size)))
        return;
    *first = (page - 1) * size + 1;
    *last = page * size;
}

/*
 * Every employment of the administration active in the period gets a line per record with the
 * asked payslip type; one without a record gets one line with its defaults and null values (the
 * listing's schema makes value and isSupplement nullable: it is Loket's data-entry grid). Under
 * --strict-minimal only the records that exist are listed (the document allows that too).
 */
static void h_admin_ppd(sim_ctx *c)
{
    sim_admin *a = get_admin(c, c->params[0]);
    const char *pst = query(c, "payslipType");
    long period_id, payslip_type;
    sim_period *p;
    listing l;
    cJSON *items;
    long n = 0, first, last;
    if (!a)
        return;
    if (!parse_int(c->params[1], 0, 2147483647L, &period_id) || !(p = sim_admin_period_by_id(a, (int)period_id))) {
        reply_error(c, 404, SIM_MSG_NOT_FOUND, NULL, "payrollPeriod");
        return;
    }
    if (!pst || !*pst) {
        reply_error(c, 400, SIM_MSG_QUERY_REQUIRED, "payslipType", "payslipType");
        return;
    }
    if (!parse_int(pst, 0, 1000000, &payslip_type) || !sim_admin_option(a, "payslipType", (int)payslip_type)) {
        reply_error(c, 400, SIM_MSG_NOT_IN_METADATA, "payslipType", "payslipType");
        return;
    }
    if (!listing_components(c, a, p->year, &l))
        return;
    listed_page(c, &first, &last);
    items = cJSON_CreateArray();
    /* the period's records per employment, in store order: one pass over the records, not one
     * per employment (a fixture with history holds many periods' records) */
    size_t *head = xcalloc(c->st->nemployments + 1, sizeof *head);
    size_t *next = xcalloc(c->st->nrecords + 1, sizeof *next);
    size_t *tail = xcalloc(c->st->nemployments + 1, sizeof *tail);
    for (size_t j = 0; j < c->st->nrecords; j++) {
        const sim_record *r = c->st->records[j];
        size_t ei = (size_t)(r->employment - c->st->employments);
        if (r->period != p || r->payslip_type != payslip_type || ei >= c->st->nemployments)
            continue;
        if (tail[ei])
            next[tail[ei] - 1] = j + 1;
        else
            head[ei] = j + 1;
        tail[ei] = j + 1;
    }
    for (size_t i = 0; i < c->st->nemployments; i++) {
        sim_employment *e = &c->st->employments[i];
        bool any = false;
        if (e->admin != a || !sim_employment_active(e, p))
            continue;
        for (size_t j1 = head[i]; j1; j1 = next[j1 - 1]) {
            const sim_record *r = c->st->records[j1 - 1];
            {
                n++;
                cJSON_AddItemToArray(items, n >= first && n <= last ? listing_item(c, e, r, &l)
                                                                    : cJSON_CreateNull());
                any = true;
            }
        }
        if (!any && !c->sim->cfg.strict_minimal) {
            sim_record empty;
            memset(&empty, 0, sizeof empty);
            empty.employment = e;
            empty.period = p;
            empty.shift = 1;
            empty.payslip_type = (int)payslip_type;
            empty.cost_center = e->cost_center;
            n++;
            cJSON_AddItemToArray(items, n >= first && n <= last ? listing_item(c, e, &empty, &l)
                                                                : cJSON_CreateNull());
        }
    }
    free(head);
    free(next);
    free(tail);
    reply_list(c, items);
}

/* ---------------------------------------------------------------- collective PATCH */

/*
 * Each item is checked and applied on its own; failures come back as messages whose id is the
 * item's employmentId and whose properties start with the item's index ("[3].payrollPeriod").
 * 200 when at least one item succeeded (the portal's multi-patch rule), else 400. Under
 * --strict-minimal every message's properties are [] (the document promises only the id), and
 * a 200 carries no `_embedded` (the document gives the 200 no content at all): only the
 * messages and what a read-back finds tell the items apart.
 */
static void strip_properties(cJSON *messages)
{
    cJSON *m;
    cJSON_ArrayForEach(m, messages)
        cJSON_ReplaceItemInObjectCaseSensitive(m, "properties", cJSON_CreateArray());
}

static void h_collective(sim_ctx *c)
{
    sim_employer *er = get_employer(c, c->params[0]);
    cJSON *body, *item, *done;
    int index = 0, ok = 0;
    if (!er || !json_body(c, &body))
        return;
    if (!cJSON_IsArray(body)) {
        cJSON_Delete(body);
        reply_error(c, 400, SIM_MSG_INVALID_BODY, NULL, "JSON array expected");
        return;
    }
    done = cJSON_CreateArray();
    cJSON_ArrayForEach(item, body) {
        char prefix[32];
        const cJSON *eid = cJSON_GetObjectItemCaseSensitive(item, "employmentId");
        const char *id = cJSON_IsString(eid) ? eid->valuestring : NULL;
        sim_employment *e = id ? sim_store_employment(c->st, id) : NULL;
        sim_input in;
        sim_record *r;
        bool created, removed;
        snprintf(prefix, sizeof prefix, "[%d].", index++);
        if (!e || e->employer != er) {
            char prop[48];
            snprintf(prop, sizeof prop, "%semploymentId", prefix);
            sim_msg(c->messages, SIM_MSG_EMPLOYMENT_UNKNOWN, id && strlen(id) == SIM_UUID_LEN ? id : NULL, prop,
                    id ? id : "(null)");
            continue;
        }
        if (!sim_rules_check(c->st, e, item, SIM_MODE_PATCH, NULL, e->id, prefix, c->messages, &in))
            continue;
        r = sim_rules_apply(c->st, &in, SIM_MODE_PATCH, NULL, e->id, prefix, c->messages, &created, &removed);
        if (r || removed) {
            ok++;
            if (r) {
                cJSON *rj = sim_record_json(c->st, r, true);
                cJSON_AddStringToObject(rj, "employmentId", e->id);
                cJSON_AddItemToArray(done, rj);
            }
        }
        sim_input_clear(&in);
    }
    cJSON_Delete(body);
    if (c->sim->cfg.strict_minimal)
        strip_properties(c->messages);
    if (!ok && index > 0) {
        cJSON_Delete(done);
        reply_content(c, 400, NULL);
        return;
    }
    {
        cJSON *o = envelope_start(c);
        if (c->sim->cfg.strict_minimal)
            cJSON_Delete(done); /* the official 200 promises no content at all */
        else
            cJSON_AddItemToObject(o, "_embedded", done);
        snprintf(c->resp->content_type, sizeof c->resp->content_type, "application/json;version=%s", c->version);
        sim_reply_json(c->resp, 200, o);
    }
}

/* ---------------------------------------------------------------- routing */

static const sim_route routes[] = {
    { "GET", "/user", V2018, h_user },
    { "GET", "/providers/employers", V2018, h_employers },
    { "GET", "/providers/employers/minimized", V2018, h_employers_minimized },
    { "GET", "/providers/employers/{employerId}/payrolladministrations", V2018, h_administrations },
    { "GET", "/providers/employers/{employerId}/employees/employments", V2019, h_employments },
    { "GET", "/providers/employers/{employerId}/employees/employments/minimized", V2019, h_employments_minimized },
    { "GET", "/providers/employers/employees/employments/{employmentId}", V2019, h_employment },
    { "GET", "/providers/employers/{employerId}/actualworkinghours", V2018, h_working_hours },
    { "GET", "/providers/employers/payrolladministrations/{payrollAdministrationId}/payrollperiods", V2018, h_periods },
    { "GET", "/providers/employers/payrolladministrations/{payrollAdministrationId}/payrollperiods/minimized", V2018,
      h_periods_minimized },
    { "GET", "/providers/employers/payrolladministrations/{payrollAdministrationId}/payrollcomponents/year/{year}",
      V2018, h_components },
    { "GET", "/providers/employers/payrolladministrations/{payrollAdministrationId}/availablepayrollcomponentsets",
      V2018, h_component_sets },
    { "GET", "/providers/employers/employees/employments/{employmentId}/payrollperioddata", V2018, h_ppd_list },
    { "PATCH", "/providers/employers/employees/employments/{employmentId}/payrollperioddata", V2018, h_ppd_patch },
    { "POST", "/providers/employers/employees/employments/{employmentId}/payrollperioddata", V2018, h_ppd_post },
    { "GET", "/providers/employers/employees/employments/{employmentId}/payrollperioddata/defaults", V2018,
      h_ppd_defaults },
    { "GET", "/providers/employers/employees/employments/{employmentId}/payrollperioddata/metadata", V2018,
      h_ppd_metadata },
    { "GET",
      "/providers/employers/employees/employments/{employmentId}/payrollperioddata/metadata/year/{year}/period/{periodNumber}",
      V2018, h_ppd_metadata_period },
    { "GET", "/providers/employers/employees/employments/payrollperioddata/{payrollperioddataId}", V2018, h_ppd_get },
    { "PUT", "/providers/employers/employees/employments/payrollperioddata/{payrollperioddataId}", V2018, h_ppd_put },
    { "DELETE", "/providers/employers/employees/employments/payrollperioddata/{payrollperioddataId}", V2018,
      h_ppd_delete },
    { "GET",
      "/providers/employers/payrolladministrations/{payrollAdministrationId}/payrollPeriods/{payrollPeriodId}/payrollperioddata",
      V2018, h_admin_ppd },
    { "PATCH", "/providers/employers/{employerId}/payrollperioddata", V2018, h_collective },
};

/* Matches path against a template: -1 when it does not, else the number of literal segments
 * (more literals = more specific). Parameters are copied into params (segments of path). */
static int match(const char *tmpl, const char *path, char segs[][128], size_t *nparams)
{
    int literals = 0;
    *nparams = 0;
    while (*tmpl && *path) {
        const char *te, *pe;
        size_t tl, pl;
        if (*tmpl != '/' || *path != '/')
            return -1;
        tmpl++;
        path++;
        te = strchr(tmpl, '/');
        pe = strchr(path, '/');
        tl = te ? (size_t)(te - tmpl) : strlen(tmpl);
        pl = pe ? (size_t)(pe - path) : strlen(path);
        if (*tmpl == '{') {
            if (pl == 0 || pl >= 128 || *nparams >= 4)
                return -1;
            memcpy(segs[*nparams], path, pl);
            segs[(*nparams)++][pl] = '\0';
        } else if (tl != pl || strncasecmp(tmpl, path, tl)) {
            return -1;
        } else {
            literals++;
        }
        tmpl += tl;
        path += pl;
    }
    return *tmpl || *path ? -1 : literals;
}

/* The version date of an Accept or Content-Type value "application/json;version=YYYY-MM-DD";
 * false when it has none (or not JSON). */
static bool media_version(const char *value, char *date)
{
    const char *p = value;
    while (p && *p) {
        const char *end = strchr(p, ','), *v;
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char part[256];
        if (n >= sizeof part)
            n = sizeof part - 1;
        memcpy(part, p, n);
        part[n] = '\0';
        v = part;
        while (*v == ' ')
            v++;
        if (!strncasecmp(v, "application/json", 16) && (v[16] == ';' || v[16] == ' ')) {
            const char *ver = strcasestr(v, "version=");
            if (ver && strlen(ver + 8) >= 10) {
                int y, m, d;
                char tail;
                if (sscanf(ver + 8, "%4d-%2d-%2d%c", &y, &m, &d, &tail) >= 3 && y >= 1900 && y <= 9999 &&
                    m >= 1 && m <= 12 && d >= 1 && d <= 31) {
                    snprintf(date, 16, "%04d-%02d-%02d", y, m, d);
                    return true;
                }
            }
        }
        p = end ? end + 1 : NULL;
    }
    return false;
}

const char *sim_api_dispatch(sim *s, const sim_request *req, sim_response *resp)
{
    const sim_route *best = NULL;
    int best_score = -1;
    char segs[4][128], best_segs[4][128], allow[64] = "", date[16];
    size_t nparams, best_n = 0;
    sim_ctx c;
    sim_token_state ts;
    for (size_t i = 0; i < LK_ARRAY_SIZE(routes); i++) {
        int score = match(routes[i].path, req->path, segs, &nparams);
        if (score < 0)
            continue;
        if (score > best_score || (score == best_score && !strcmp(routes[i].method, req->method))) {
            if (score > best_score)
                allow[0] = '\0';
            best_score = score;
            best = &routes[i];
            best_n = nparams;
            memcpy(best_segs, segs, sizeof segs);
        }
        if (score == best_score && strlen(allow) + strlen(routes[i].method) + 3 < sizeof allow)
            snprintf(allow + strlen(allow), sizeof allow - strlen(allow), "%s%s", allow[0] ? ", " : "", routes[i].method);
    }
    if (!best) {
        sim_reply_text(resp, 404, "Not Found: no such resource");
        return NULL;
    }
    if (strcmp(best->method, req->method)) {
        snprintf(resp->allow, sizeof resp->allow, "%s", allow);
        sim_reply_text(resp, 405, "Method Not Allowed");
        return best->path;
    }
    memset(&c, 0, sizeof c);
    c.sim = s;
    c.st = s->store;
    c.req = req;
    c.resp = resp;
    c.version = best->version;
    for (size_t i = 0; i < best_n; i++)
        c.params[i] = best_segs[i];
    c.messages = cJSON_CreateArray();

    ts = sim_auth_check(s->auth, req->authorization, &s->faults, lk_monotonic_ms() / 1000.0);
    if (ts != SIM_TOKEN_OK) {
        resp->www_authenticate = true;
        reply_error(&c, 401, SIM_MSG_UNAUTHORIZED, NULL,
                    ts == SIM_TOKEN_MISSING ? " (Authorization: Bearer ontbreekt / missing)"
                    : ts == SIM_TOKEN_EXPIRED ? " (verlopen / expired)" : "");
        goto out;
    }
    if (!req->accept || !media_version(req->accept, date)) {
        sim_reply_text(resp, 400, "The Accept header must name a resource version, e.g. "
                                  "\"Accept: application/json;version=2018-01-01\"");
        goto out;
    }
    if (strcmp(date, best->version) < 0) {
        char msg[200];
        snprintf(msg, sizeof msg, "No version of this resource on or before %s (first version: %s)", date, best->version);
        sim_reply_text(resp, 400, msg);
        goto out;
    }
    if (!strcmp(req->method, "PATCH") || !strcmp(req->method, "POST") || !strcmp(req->method, "PUT")) {
        char body_date[16];
        if (req->body_too_large) {
            reply_error(&c, 413, SIM_MSG_BODY_TOO_LARGE, NULL, "");
            goto out;
        }
        if (!req->content_type || strncasecmp(req->content_type, "application/json", 16)) {
            /* the document lists no 415: API-level errors are 400 with a text/plain body */
            sim_reply_text(resp, 400, "Content-Type must be application/json;version=<date>");
            goto out;
        }
        if (strchr(req->content_type, '=') && (!media_version(req->content_type, body_date) ||
                                                strcmp(body_date, best->version) < 0)) {
            sim_reply_text(resp, 400, "The Content-Type names no version of this resource");
            goto out;
        }
    }
    best->handler(&c);
out:
    cJSON_Delete(c.messages);
    return best->path;
}
