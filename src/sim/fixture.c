/*
 * fixture.c: turns the fixture file's JSON (samples/loket-fixture.json, format in
 * docs/simulator.md) into a sim_store. Every reference is checked here, so the rest of the
 * simulator can trust the store: an employment's administration exists, a period has dates...
 */
#include "sim/store.h"

#include "common/hashmap.h"
#include "common/i18n.h"
#include "common/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static bool fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return false;
}

static const char *str_at(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool int_at(const cJSON *o, const char *name, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsNumber(v))
        return false;
    *out = v->valueint;
    return true;
}

static bool copy_date(const cJSON *o, const char *name, char *out, bool nullable)
{
    const char *s = str_at(o, name);
    if (!s) {
        out[0] = '\0';
        return nullable && (!cJSON_GetObjectItemCaseSensitive(o, name) ||
                            cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, name)));
    }
    if (strlen(s) != SIM_DATE_LEN)
        return false;
    memcpy(out, s, SIM_DATE_LEN + 1);
    return true;
}

static bool load_periods(sim_admin *a, char *err, size_t errlen)
{
    cJSON *list = cJSON_GetObjectItemCaseSensitive(a->json, "simPayrollPeriods"), *p;
    size_t i = 0;
    if (!cJSON_IsArray(list))
        return fail(err, errlen, _("administration %s: simPayrollPeriods missing"), a->id);
    a->nperiods = (size_t)cJSON_GetArraySize(list);
    a->periods = xcalloc(a->nperiods ? a->nperiods : 1, sizeof *a->periods);
    cJSON_ArrayForEach(p, list) {
        sim_period *sp = &a->periods[i++];
        cJSON *run;
        sp->json = p;
        if (!int_at(p, "id", &sp->id) || !int_at(p, "year", &sp->year) ||
            !int_at(p, "periodNumber", &sp->number) || !copy_date(p, "startDate", sp->start, false) ||
            !copy_date(p, "endDate", sp->end, false))
            return fail(err, errlen, _("administration %s: period %zu incomplete"), a->id, i);
        cJSON_ArrayForEach(run, cJSON_GetObjectItemCaseSensitive(p, "payrollRuns")) {
            const cJSON *status = cJSON_GetObjectItemCaseSensitive(run, "payrollRunStatus");
            int key;
            if (int_at(status, "key", &key) && key == 9)
                sp->closed = true;
        }
    }
    return true;
}

static bool load_admins(sim_store *st, char *err, size_t errlen)
{
    cJSON *list = cJSON_GetObjectItemCaseSensitive(st->fixture, "payrollAdministrations"), *o;
    size_t i = 0;
    st->nadmins = (size_t)cJSON_GetArraySize(list);
    st->admins = xcalloc(st->nadmins ? st->nadmins : 1, sizeof *st->admins);
    cJSON_ArrayForEach(o, list) {
        sim_admin *a = &st->admins[i++];
        const char *employer = str_at(o, "simEmployerId");
        a->json = o;
        a->id = str_at(o, "id");
        if (!a->id || !employer || !(a->employer = sim_store_employer(st, employer)))
            return fail(err, errlen, _("payroll administration %zu: id or simEmployerId invalid"), i);
        a->components_by_year = cJSON_GetObjectItemCaseSensitive(o, "simPayrollComponents");
        a->component_sets = cJSON_GetObjectItemCaseSensitive(o, "simPayrollComponentSets");
        a->metadata = cJSON_GetObjectItemCaseSensitive(o, "simMetadata");
        if (!cJSON_IsObject(a->components_by_year) || !cJSON_IsObject(a->metadata))
            return fail(err, errlen, _("administration %s: simPayrollComponents/simMetadata missing"), a->id);
        if (!load_periods(a, err, errlen))
            return false;
    }
    return true;
}

static bool load_components(sim_store *st, char *err, size_t errlen)
{
    cJSON *list = cJSON_GetObjectItemCaseSensitive(st->fixture, "payrollComponents"), *o;
    size_t i = 0;
    st->ncomponents = (size_t)cJSON_GetArraySize(list);
    st->components = xcalloc(st->ncomponents ? st->ncomponents : 1, sizeof *st->components);
    cJSON_ArrayForEach(o, list) {
        sim_component *c = &st->components[i++];
        const char *min = str_at(o, "simMin"), *max = str_at(o, "simMax");
        double dmin, dmax;
        c->json = o;
        c->can_supplement = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "canBeSupplemented"));
        if (!int_at(o, "key", &c->key) || !int_at(o, "simDecimals", &c->decimals) || !min || !max ||
            !int_at(cJSON_GetObjectItemCaseSensitive(o, "category"), "key", &c->category))
            return fail(err, errlen, _("payroll component %zu incomplete"), i);
        dmin = strtod(min, NULL);
        dmax = strtod(max, NULL);
        if (!lk_decimal_from_double(dmin, &c->min) || !lk_decimal_from_double(dmax, &c->max))
            return fail(err, errlen, _("payroll component %d: bad range"), c->key);
    }
    return true;
}

static bool load_employments(sim_store *st, char *err, size_t errlen)
{
    cJSON *list = cJSON_GetObjectItemCaseSensitive(st->fixture, "employments"), *o;
    size_t i = 0;
    st->nemployments = (size_t)cJSON_GetArraySize(list);
    st->employments = xcalloc(st->nemployments ? st->nemployments : 1, sizeof *st->employments);
    cJSON_ArrayForEach(o, list) {
        sim_employment *e = &st->employments[i++];
        const cJSON *adm = cJSON_GetObjectItemCaseSensitive(o, "payrollAdministration");
        const char *employer = str_at(o, "simEmployerId"), *admin = str_at(adm, "id");
        e->json = o;
        e->id = str_at(o, "id");
        if (!e->id || !employer || !(e->employer = sim_store_employer(st, employer)) || !admin ||
            !(e->admin = sim_store_admin(st, admin)) ||
            !int_at(cJSON_GetObjectItemCaseSensitive(o, "employee"), "employeeNumber", &e->employee_number) ||
            !copy_date(o, "startDate", e->start, false) || !copy_date(o, "endDate", e->end, true))
            return fail(err, errlen, _("employment %zu incomplete or with unknown references"), i);
        if (!int_at(o, "simCostCenter", &e->cost_center))
            e->cost_center = 0;
        e->working_hours = cJSON_GetObjectItemCaseSensitive(o, "simWorkingHours");
        if (e->working_hours && !cJSON_IsObject(e->working_hours))
            return fail(err, errlen, _("employment %s: simWorkingHours is not an object"), e->id);
        if (!cJSON_IsObject(e->working_hours))
            e->working_hours = NULL;
    }
    /* the index, first of equal ids winning as in a scan; an id too long for it: no index */
    st->employment_by_id = lk_hashmap_new(st->nemployments + 1);
    for (i = 0; i < st->nemployments; i++) {
        char key[SIM_EMPLOYMENT_KEY_MAX];
        if (!sim_employment_key(st->employments[i].id, key, sizeof key)) {
            lk_hashmap_free(st->employment_by_id);
            st->employment_by_id = NULL;
            break;
        }
        if (!lk_hashmap_get(st->employment_by_id, key))
            lk_hashmap_put(st->employment_by_id, key, &st->employments[i]);
    }
    return true;
}

/* Fixture records use the PATCH body shape plus "id" and "employmentId". */
static bool load_records(sim_store *st, char *err, size_t errlen)
{
    cJSON *o;
    cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(st->fixture, "payrollPeriodData")) {
        sim_record key;
        sim_record *r;
        const char *id = str_at(o, "id"), *emp = str_at(o, "employmentId");
        const cJSON *pp = cJSON_GetObjectItemCaseSensitive(o, "payrollPeriod"), *du, *v;
        int year = 0, number = 0;
        memset(&key, 0, sizeof key);
        if (!id || strlen(id) != SIM_UUID_LEN || !emp || !(key.employment = sim_store_employment(st, emp)) ||
            !int_at(pp, "year", &year) || !int_at(pp, "periodNumber", &number) ||
            !(key.period = sim_admin_period(key.employment->admin, year, number)))
            return fail(err, errlen, _("payrollPeriodData record %s: bad employment or period"), id ? id : "?");
        int_at(cJSON_GetObjectItemCaseSensitive(o, "shift"), "shiftNumber", &key.shift);
        int_at(cJSON_GetObjectItemCaseSensitive(o, "payslipType"), "key", &key.payslip_type);
        int_at(cJSON_GetObjectItemCaseSensitive(o, "costCenter"), "key", &key.cost_center);
        int_at(cJSON_GetObjectItemCaseSensitive(o, "costUnit"), "key", &key.cost_unit);
        du = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "distributionUnit"), "key");
        if (cJSON_IsString(du) && strlen(du->valuestring) == SIM_UUID_LEN)
            memcpy(key.distribution_unit, du->valuestring, SIM_UUID_LEN + 1);
        r = sim_store_add_record(st, &key);
        memcpy(r->id, id, SIM_UUID_LEN + 1);
        if (str_at(o, "payslipText"))
            sim_record_set_text(r, str_at(o, "payslipText"));
        cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(o, "payrollComponents")) {
            int ckey;
            lk_decimal value;
            if (!int_at(cJSON_GetObjectItemCaseSensitive(v, "payrollComponent"), "key", &ckey) ||
                !sim_json_to_decimal(cJSON_GetObjectItemCaseSensitive(v, "value"), &value))
                return fail(err, errlen, _("payrollPeriodData record %s: bad component"), id);
            sim_record_set(r, ckey, value,
                           cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "isSupplement")), false);
        }
    }
    return true;
}

sim_store *sim_store_new(const char *fixture_text, char *err, size_t errlen)
{
    sim_store *st = xcalloc(1, sizeof *st);
    cJSON *o;
    size_t i = 0;
    st->fixture = cJSON_Parse(fixture_text);
    if (!cJSON_IsObject(st->fixture)) {
        fail(err, errlen, _("fixture is not a JSON object"));
        goto bad;
    }
    st->user = cJSON_GetObjectItemCaseSensitive(st->fixture, "user");
    st->auth = cJSON_GetObjectItemCaseSensitive(st->fixture, "auth");
    if (!cJSON_IsObject(st->user) || !cJSON_IsObject(st->auth)) {
        fail(err, errlen, _("fixture: \"user\" and \"auth\" objects required"));
        goto bad;
    }
    st->nemployers = (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(st->fixture, "employers"));
    st->employers = xcalloc(st->nemployers ? st->nemployers : 1, sizeof *st->employers);
    cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(st->fixture, "employers")) {
        sim_employer *e = &st->employers[i++];
        e->json = o;
        e->id = str_at(o, "id");
        e->visible = !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(o, "simVisible"));
        if (!e->id) {
            fail(err, errlen, _("employer %zu has no id"), i);
            goto bad;
        }
    }
    if (!load_admins(st, err, errlen) || !load_components(st, err, errlen) ||
        !load_employments(st, err, errlen) || !load_records(st, err, errlen))
        goto bad;
    return st;
bad:
    sim_store_free(st);
    return NULL;
}
