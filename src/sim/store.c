/*
 * store.c: look-ups over the fixture entities, the payroll period data records, and the JSON
 * shapes the API answers with. The store is freed and rebuilt from the fixture on reset.
 */
#include "sim/store.h"

#include "common/hashmap.h"
#include "common/util.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

void sim_store_free(sim_store *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < st->nrecords; i++) {
        free(st->records[i]->values);
        free(st->records[i]->payslip_text);
        free(st->records[i]);
    }
    free(st->records);
    for (size_t i = 0; i < st->nadmins; i++)
        free(st->admins[i].periods);
    free(st->admins);
    free(st->employers);
    free(st->components);
    free(st->employments);
    lk_hashmap_free(st->employment_by_id);
    cJSON_Delete(st->fixture);
    free(st);
}

/* ---------------------------------------------------------------- look-ups */

sim_employer *sim_store_employer(sim_store *st, const char *id)
{
    for (size_t i = 0; i < st->nemployers; i++)
        if (!strcasecmp(st->employers[i].id, id))
            return &st->employers[i];
    return NULL;
}

sim_admin *sim_store_admin(sim_store *st, const char *id)
{
    for (size_t i = 0; i < st->nadmins; i++)
        if (st->admins[i].id && !strcasecmp(st->admins[i].id, id))
            return &st->admins[i];
    return NULL;
}

/* The index key of an employment id: lower case; false when too long to be an id. */
bool sim_employment_key(const char *id, char *out, size_t outlen)
{
    size_t n = strlen(id);
    if (n >= outlen)
        return false;
    for (size_t i = 0; i <= n; i++)
        out[i] = (char)tolower((unsigned char)id[i]);
    return true;
}

sim_employment *sim_store_employment(sim_store *st, const char *id)
{
    char key[SIM_EMPLOYMENT_KEY_MAX];
    if (st->employment_by_id)
        return sim_employment_key(id, key, sizeof key) ? lk_hashmap_get(st->employment_by_id, key)
                                                        : NULL;
    for (size_t i = 0; i < st->nemployments; i++)
        if (!strcasecmp(st->employments[i].id, id))
            return &st->employments[i];
    return NULL;
}

sim_component *sim_store_component(sim_store *st, int key)
{
    for (size_t i = 0; i < st->ncomponents; i++)
        if (st->components[i].key == key)
            return &st->components[i];
    return NULL;
}

sim_period *sim_admin_period(sim_admin *a, int year, int number)
{
    for (size_t i = 0; i < a->nperiods; i++)
        if (a->periods[i].year == year && a->periods[i].number == number)
            return &a->periods[i];
    return NULL;
}

sim_period *sim_admin_period_by_id(sim_admin *a, int id)
{
    for (size_t i = 0; i < a->nperiods; i++)
        if (a->periods[i].id == id)
            return &a->periods[i];
    return NULL;
}

bool sim_admin_component_allowed(const sim_admin *a, int year, int key)
{
    char y[16];
    const cJSON *k;
    snprintf(y, sizeof y, "%d", year);
    cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(a->components_by_year, y))
        if (cJSON_IsNumber(k) && k->valueint == key)
            return true;
    return false;
}

cJSON *sim_admin_metadata(const sim_admin *a, const char *field)
{
    return cJSON_GetObjectItemCaseSensitive(a->metadata, field);
}

cJSON *sim_admin_option(const sim_admin *a, const char *field, int key)
{
    const char *key_name = strcmp(field, "shift") ? "key" : "shiftNumber";
    cJSON *o;
    cJSON_ArrayForEach(o, sim_admin_metadata(a, field)) {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(o, key_name);
        if (cJSON_IsNumber(k) && k->valueint == key)
            return o;
    }
    return NULL;
}

cJSON *sim_admin_du_option(const sim_admin *a, const char *uuid)
{
    cJSON *o;
    cJSON_ArrayForEach(o, sim_admin_metadata(a, "distributionUnit")) {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(o, "key");
        if (cJSON_IsString(k) && !strcasecmp(k->valuestring, uuid))
            return o;
    }
    return NULL;
}

/* Active in the period when the employment overlaps it by at least one day. */
bool sim_employment_active(const sim_employment *e, const sim_period *p)
{
    if (strcmp(e->start, p->end) > 0)
        return false;
    if (e->end[0] && strcmp(e->end, p->start) < 0)
        return false;
    return true;
}

/* ---------------------------------------------------------------- records */

sim_record *sim_store_record(sim_store *st, const char *id)
{
    for (size_t i = 0; i < st->nrecords; i++)
        if (!strcasecmp(st->records[i]->id, id))
            return st->records[i];
    return NULL;
}

static bool same_key(const sim_record *a, const sim_record *b)
{
    return a->employment == b->employment && a->period == b->period && a->shift == b->shift &&
           a->payslip_type == b->payslip_type && a->cost_center == b->cost_center &&
           a->cost_unit == b->cost_unit && !strcasecmp(a->distribution_unit, b->distribution_unit);
}

sim_record *sim_store_find_record(sim_store *st, const sim_record *key)
{
    for (size_t i = 0; i < st->nrecords; i++)
        if (same_key(st->records[i], key))
            return st->records[i];
    return NULL;
}

sim_record *sim_store_add_record(sim_store *st, const sim_record *key)
{
    sim_record *r = xcalloc(1, sizeof *r);
    r->employment = key->employment;
    r->period = key->period;
    r->shift = key->shift;
    r->payslip_type = key->payslip_type;
    memcpy(r->distribution_unit, key->distribution_unit, sizeof r->distribution_unit);
    r->cost_center = key->cost_center;
    r->cost_unit = key->cost_unit;
    r->version = 1;
    /* Deterministic ids (a counter in uuid form) keep runs with the same --seed comparable. */
    st->id_counter++;
    snprintf(r->id, sizeof r->id, "5e1a0000-0000-4000-8000-%012llx", st->id_counter);
    lk_grow(&st->records, sizeof *st->records, st->nrecords + 1, &st->records_alloc);
    st->records[st->nrecords++] = r;
    return r;
}

void sim_store_remove_record(sim_store *st, sim_record *r)
{
    for (size_t i = 0; i < st->nrecords; i++) {
        if (st->records[i] != r)
            continue;
        memmove(&st->records[i], &st->records[i + 1], (st->nrecords - i - 1) * sizeof *st->records);
        st->nrecords--;
        free(r->values);
        free(r->payslip_text);
        free(r);
        return;
    }
}

sim_value *sim_record_value(sim_record *r, int key)
{
    for (size_t i = 0; i < r->nvalues; i++)
        if (r->values[i].key == key)
            return &r->values[i];
    return NULL;
}

bool sim_record_set(sim_record *r, int key, lk_decimal value, bool is_supplement, bool remove)
{
    sim_value *v = sim_record_value(r, key);
    if (remove) {
        if (!v)
            return false;
        memmove(v, v + 1, (size_t)(r->values + r->nvalues - v - 1) * sizeof *v);
        r->nvalues--;
        r->version++;
        return true;
    }
    if (!v) {
        lk_grow(&r->values, sizeof *r->values, r->nvalues + 1, &r->alloc);
        v = &r->values[r->nvalues++];
        v->key = key;
    }
    v->value = value;
    v->is_supplement = is_supplement;
    r->version++;
    return true;
}

void sim_record_set_text(sim_record *r, const char *text)
{
    free(r->payslip_text);
    r->payslip_text = text ? xstrdup(text) : NULL;
    r->version++;
}

/* ---------------------------------------------------------------- JSON */

cJSON *sim_json_decimal(lk_decimal v)
{
    char buf[32];
    return cJSON_CreateRaw(lk_decimal_format(v, buf));
}

bool sim_json_to_decimal(const cJSON *n, lk_decimal *out)
{
    if (!cJSON_IsNumber(n) || !isfinite(n->valuedouble))
        return false;
    return lk_decimal_from_double(n->valuedouble, out);
}

cJSON *sim_api_copy(const cJSON *json)
{
    cJSON *copy = cJSON_Duplicate(json, true), *c = copy ? copy->child : NULL;
    while (c) {
        cJSON *next = c->next;
        if (c->string && !strncmp(c->string, "sim", 3))
            cJSON_Delete(cJSON_DetachItemViaPointer(copy, c));
        c = next;
    }
    return copy;
}

/* {key, description, category, deductionOrPayment, canBeSupplemented}; the set listing calls the
 * description "value" (its schema does). */
cJSON *sim_component_ref_json(const sim_component *c, const char *description_name)
{
    cJSON *o = cJSON_CreateObject();
    const cJSON *dop = cJSON_GetObjectItemCaseSensitive(c->json, "deductionOrPayment");
    cJSON_AddNumberToObject(o, "key", c->key);
    cJSON_AddItemToObject(o, description_name,
                          cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(c->json, "description"), 1));
    cJSON_AddItemToObject(o, "category", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(c->json, "category"), 1));
    cJSON_AddItemToObject(o, "deductionOrPayment", dop ? cJSON_Duplicate(dop, 1) : cJSON_CreateNull());
    cJSON_AddBoolToObject(o, "canBeSupplemented", c->can_supplement);
    return o;
}

static cJSON *option_copy(const cJSON *opt, const char *const *fields)
{
    cJSON *o = cJSON_CreateObject();
    for (; *fields; fields++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(opt, *fields);
        if (v)
            cJSON_AddItemToObject(o, *fields, cJSON_Duplicate(v, 1));
    }
    return o;
}

cJSON *sim_record_json(sim_store *st, const sim_record *r, bool with_id)
{
    static const char *const kcd[] = { "key", "code", "description", NULL };
    static const char *const shift_fields[] = { "shiftNumber", "fullTimeHoursPerWeek", "bonusPercentage", NULL };
    static const char *const kv[] = { "key", "value", NULL };
    const sim_admin *a = r->employment->admin;
    cJSON *o = cJSON_CreateObject(), *pp, *list, *opt;
    if (with_id)
        cJSON_AddStringToObject(o, "id", r->id);
    pp = cJSON_AddObjectToObject(o, "payrollPeriod");
    cJSON_AddNumberToObject(pp, "year", r->period->year);
    cJSON_AddNumberToObject(pp, "periodNumber", r->period->number);
    cJSON_AddStringToObject(pp, "periodStartDate", r->period->start);
    cJSON_AddStringToObject(pp, "periodEndDate", r->period->end);
    /* shift, payslipType and distributionUnit are not nullable in the official schema: a record
     * without one leaves the field out rather than answering null. */
    if ((opt = sim_admin_option(a, "shift", r->shift)))
        cJSON_AddItemToObject(o, "shift", option_copy(opt, shift_fields));
    if ((opt = sim_admin_option(a, "payslipType", r->payslip_type)))
        cJSON_AddItemToObject(o, "payslipType", option_copy(opt, kv));
    if (r->distribution_unit[0] && (opt = sim_admin_du_option(a, r->distribution_unit)))
        cJSON_AddItemToObject(o, "distributionUnit", option_copy(opt, kcd));
    opt = r->cost_center ? sim_admin_option(a, "costCenter", r->cost_center) : NULL;
    cJSON_AddItemToObject(o, "costCenter", opt ? option_copy(opt, kcd) : cJSON_CreateNull());
    opt = r->cost_unit ? sim_admin_option(a, "costUnit", r->cost_unit) : NULL;
    cJSON_AddItemToObject(o, "costUnit", opt ? option_copy(opt, kcd) : cJSON_CreateNull());
    if (r->payslip_text)
        cJSON_AddStringToObject(o, "payslipText", r->payslip_text);
    else
        cJSON_AddNullToObject(o, "payslipText");
    list = cJSON_AddArrayToObject(o, "payrollComponents");
    for (size_t i = 0; i < r->nvalues; i++) {
        const sim_value *v = &r->values[i];
        cJSON *item = cJSON_CreateObject();
        const sim_component *c = sim_store_component(st, v->key);
        cJSON *ref;
        if (c) {
            ref = sim_component_ref_json(c, "description");
        } else {
            ref = cJSON_CreateObject();
            cJSON_AddNumberToObject(ref, "key", v->key);
        }
        cJSON_AddItemToObject(item, "payrollComponent", ref);
        cJSON_AddItemToObject(item, "value", sim_json_decimal(v->value));
        cJSON_AddBoolToObject(item, "isSupplement", v->is_supplement);
        cJSON_AddItemToArray(list, item);
    }
    return o;
}
