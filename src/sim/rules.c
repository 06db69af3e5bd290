/*
 * rules.c: the payroll period data rules of loket-sim: request items checked against the official
 * request schema (types, nullability, lengths) and Loket's business rules, then applied with the
 * documented upsert semantics. See docs/simulator.md for the codes and the assumptions.
 */
#include "sim/rules.h"

#include "common/strbuf.h"
#include "common/util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------- messages */

static const struct msg_def {
    sim_msg_code code;
    const char *type;
    const char *nl;
    const char *en;
} msg_defs[] = {
    { SIM_MSG_INVALID_LENGTH, "BrokenBusinessRule", "{} heeft een ongeldige lengte", "{} has an invalid length" },
    { SIM_MSG_NOT_ACTIVE, "BrokenBusinessRule", "Het dienstverband is niet actief in periode {}",
      "The employment is not active in payroll period {}" },
    { SIM_MSG_PERIOD_UNKNOWN, "BrokenBusinessRule", "Verloningsperiode {} bestaat niet voor deze administratie",
      "Payroll period {} does not exist for this payroll administration" },
    { SIM_MSG_PERIOD_CLOSED, "BrokenBusinessRule",
      "Verloningsperiode {} is afgesloten (goedgekeurde verloning); mutaties zijn niet meer mogelijk",
      "Payroll period {} is closed (approved payroll run); it can no longer be changed" },
    { SIM_MSG_COMPONENT_NOT_ALLOWED, "BrokenBusinessRule",
      "Looncomponent {} is niet toegestaan voor deze administratie in dit jaar",
      "Payroll component {} is not allowed for this payroll administration and year" },
    { SIM_MSG_SUPPLEMENT_NOT_ALLOWED, "BrokenBusinessRule", "Looncomponent {} kan niet als aanvulling worden opgegeven",
      "Payroll component {} cannot be supplemented (isSupplement)" },
    { SIM_MSG_NOT_IN_METADATA, "BrokenBusinessRule", "De waarde van {} komt niet voor in de metadata",
      "The value of {} is not one of the metadata options" },
    { SIM_MSG_NOT_A_NUMBER, "BrokenBusinessRule", "De waarde van {} is geen getal", "The value of {} is not a number" },
    { SIM_MSG_OUT_OF_RANGE, "BrokenBusinessRule", "De waarde van {} valt buiten het toegestane bereik of aantal decimalen",
      "The value of {} is out of the allowed range or precision" },
    { SIM_MSG_PERIOD_REQUIRED, "BrokenBusinessRule", "payrollPeriod (year, periodNumber) is verplicht{}",
      "payrollPeriod (year, periodNumber) is required{}" },
    { SIM_MSG_DUPLICATE_COMPONENT, "BrokenBusinessRule", "Looncomponent {} komt meer dan eens voor",
      "Payroll component {} occurs more than once" },
    { SIM_MSG_RECORD_EXISTS, "BrokenBusinessRule", "Er bestaat al een record met deze sleutel{}",
      "A record with this key already exists{}" },
    { SIM_MSG_INVALID_FIELD, "BrokenBusinessRule", "Het veld {} heeft een ongeldig type of is leeg",
      "The field {} has an invalid type or is null" },
    { SIM_MSG_INVALID_BODY, "BrokenBusinessRule", "De inhoud van het verzoek is ongeldig: {}",
      "The request body is invalid: {}" },
    { SIM_MSG_INVALID_QUERY, "BrokenBusinessRule", "Ongeldige queryparameter {}", "Invalid query parameter {}" },
    { SIM_MSG_QUERY_REQUIRED, "BrokenBusinessRule", "Queryparameter {} is verplicht", "Query parameter {} is required" },
    { SIM_MSG_EMPLOYMENT_UNKNOWN, "BrokenBusinessRule", "Dienstverband {} bestaat niet bij deze werkgever",
      "Employment {} does not exist for this employer" },
    { SIM_MSG_BODY_TOO_LARGE, "BrokenBusinessRule", "Het verzoek is te groot{}", "The request is too large{}" },
    { SIM_MSG_NOTHING_DELETED, "Warning", "Looncomponent {} had geen waarde in deze periode; er is niets verwijderd",
      "Payroll component {} had no value in this period; nothing was deleted" },
    { SIM_MSG_ZERO_STORED, "Warning",
      "Looncomponent {} is opgeslagen met waarde 0; gebruik null om een waarde te verwijderen",
      "Payroll component {} was stored with value 0; use null to delete a value" },
    { SIM_MSG_NOT_FOUND, "NotFound", "{} niet gevonden", "{} not found" },
    { SIM_MSG_FORBIDDEN, "BrokenBusinessRule", "Geen toegang tot {}", "Not authorized for {}" },
    { SIM_MSG_UNAUTHORIZED, "Exception", "Ongeldig of verlopen token{}", "Invalid or expired token{}" },
    { SIM_MSG_CONCURRENCY, "ConcurrencyViolation", "Het record is gewijzigd sinds het is opgehaald{}",
      "The record has changed since it was read{}" },
    { SIM_MSG_SERVER_FAULT, "Exception", "Interne fout (gesimuleerd){}", "Internal error (simulated){}" },
};

static void fill(strbuf *sb, const char *tmpl, const char *detail)
{
    const char *hole = strstr(tmpl, "{}");
    if (!hole) {
        strbuf_addstr(sb, tmpl);
        return;
    }
    strbuf_add(sb, tmpl, (size_t)(hole - tmpl));
    strbuf_addstr(sb, detail ? detail : "");
    strbuf_addstr(sb, hole + 2);
}

void sim_msg(cJSON *messages, sim_msg_code code, const char *id, const char *property, const char *detail)
{
    const struct msg_def *def = NULL;
    strbuf sb = STRBUF_INIT;
    cJSON *m, *props;
    for (size_t i = 0; i < LK_ARRAY_SIZE(msg_defs); i++)
        if (msg_defs[i].code == code)
            def = &msg_defs[i];
    if (!def || !messages)
        return;
    strbuf_init(&sb, 128);
    fill(&sb, def->nl, detail);
    strbuf_addstr(&sb, " / ");
    fill(&sb, def->en, detail);
    m = cJSON_CreateObject();
    cJSON_AddNumberToObject(m, "code", code);
    cJSON_AddStringToObject(m, "type", def->type);
    cJSON_AddStringToObject(m, "description", sb.buf);
    if (id)
        cJSON_AddStringToObject(m, "id", id);
    else
        cJSON_AddNullToObject(m, "id");
    props = cJSON_AddArrayToObject(m, "properties");
    if (property)
        cJSON_AddItemToArray(props, cJSON_CreateString(property));
    cJSON_AddItemToArray(messages, m);
    strbuf_free(&sb);
}

int sim_msg_errors(const cJSON *messages)
{
    const cJSON *m;
    int n = 0;
    cJSON_ArrayForEach(m, messages) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(m, "type");
        if (!cJSON_IsString(t) || strcmp(t->valuestring, "Warning"))
            n++;
    }
    return n;
}

/* ---------------------------------------------------------------- checking */

typedef struct checker {
    cJSON *messages;
    const char *id;
    const char *prefix;
    bool ok;
} checker;

static void reject(checker *c, sim_msg_code code, const char *field, const char *detail)
{
    char prop[256];
    snprintf(prop, sizeof prop, "%s%s", c->prefix ? c->prefix : "", field ? field : "");
    sim_msg(c->messages, code, c->id, field ? prop : NULL, detail ? detail : prop);
    if (code < 2000)
        c->ok = false;
}

/* A JSON integer (no fraction) within int range. */
static bool json_int(const cJSON *v, int *out)
{
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || fabs(v->valuedouble) > 2147483647.0)
        return false;
    *out = (int)v->valuedouble;
    return true;
}

typedef enum presence { ABSENT, IS_NULL, PRESENT } presence;

static presence field(const cJSON *o, const char *name, const cJSON **out)
{
    *out = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!*out)
        return ABSENT;
    return cJSON_IsNull(*out) ? IS_NULL : PRESENT;
}

/* A metadata reference {key: int} (or {shiftNumber: int}); false with a message when malformed. */
static bool int_ref(checker *c, const cJSON *v, const char *name, const char *key_name, int *out)
{
    char path[64];
    snprintf(path, sizeof path, "%s.%s", name, key_name);
    if (!cJSON_IsObject(v)) {
        reject(c, SIM_MSG_INVALID_FIELD, name, NULL);
        return false;
    }
    if (!json_int(cJSON_GetObjectItemCaseSensitive(v, key_name), out)) {
        reject(c, SIM_MSG_INVALID_FIELD, path, NULL);
        return false;
    }
    return true;
}

static void check_option(checker *c, const sim_admin *a, const cJSON *body, const char *name,
                         const char *key_name, bool nullable, int dflt, int *out)
{
    const cJSON *v;
    char path[64];
    switch (field(body, name, &v)) {
    case ABSENT:
        *out = dflt;
        return;
    case IS_NULL:
        if (!nullable)
            reject(c, SIM_MSG_INVALID_FIELD, name, NULL);
        *out = 0;
        return;
    case PRESENT:
        if (!int_ref(c, v, name, key_name, out))
            return;
        snprintf(path, sizeof path, "%s.%s", name, key_name);
        if (!sim_admin_option(a, name, *out))
            reject(c, SIM_MSG_NOT_IN_METADATA, path, NULL);
    }
}

static void check_distribution_unit(checker *c, const sim_admin *a, const cJSON *body, char *out)
{
    const cJSON *v, *k;
    out[0] = '\0';
    switch (field(body, "distributionUnit", &v)) {
    case ABSENT:
        return;
    case IS_NULL:
        reject(c, SIM_MSG_INVALID_FIELD, "distributionUnit", NULL);
        return;
    case PRESENT:
        k = cJSON_GetObjectItemCaseSensitive(v, "key");
        if (!cJSON_IsObject(v) || !cJSON_IsString(k)) {
            reject(c, SIM_MSG_INVALID_FIELD, "distributionUnit.key", NULL);
            return;
        }
        if (strlen(k->valuestring) != SIM_UUID_LEN || !sim_admin_du_option(a, k->valuestring)) {
            reject(c, SIM_MSG_NOT_IN_METADATA, "distributionUnit.key", NULL);
            return;
        }
        memcpy(out, k->valuestring, SIM_UUID_LEN + 1);
    }
}

/* payrollPeriod {year, periodNumber}: required, integers, periodNumber 1..53, known to the
 * employment's administration. */
static void check_period(checker *c, sim_employment *e, const cJSON *body, sim_input *in)
{
    static const char *const parts[] = { "year", "periodNumber" };
    const cJSON *v;
    int value[2];
    char label[32], path[48];
    switch (field(body, "payrollPeriod", &v)) {
    case ABSENT:
        reject(c, SIM_MSG_PERIOD_REQUIRED, "payrollPeriod", "");
        return;
    case IS_NULL:
        reject(c, SIM_MSG_INVALID_FIELD, "payrollPeriod", NULL);
        return;
    case PRESENT:
        break;
    }
    if (!cJSON_IsObject(v)) {
        reject(c, SIM_MSG_INVALID_FIELD, "payrollPeriod", NULL);
        return;
    }
    for (int i = 0; i < 2; i++) {
        const cJSON *part = cJSON_GetObjectItemCaseSensitive(v, parts[i]);
        snprintf(path, sizeof path, "payrollPeriod.%s", parts[i]);
        if (!part) {
            reject(c, SIM_MSG_PERIOD_REQUIRED, path, "");
            return;
        }
        if (!json_int(part, &value[i])) {
            reject(c, SIM_MSG_INVALID_FIELD, path, NULL);
            return;
        }
    }
    if (value[1] < 1 || value[1] > 53) { /* the schema's minimum and maximum */
        reject(c, SIM_MSG_OUT_OF_RANGE, "payrollPeriod.periodNumber", NULL);
        return;
    }
    snprintf(label, sizeof label, "%d/%d", value[0], value[1]);
    in->key.period = sim_admin_period(e->admin, value[0], value[1]);
    if (!in->key.period)
        reject(c, SIM_MSG_PERIOD_UNKNOWN, "payrollPeriod", label);
}

static void check_text(checker *c, const cJSON *body, sim_input *in)
{
    const cJSON *v;
    switch (field(body, "payslipText", &v)) {
    case ABSENT:
        return;
    case IS_NULL:
        in->has_text = true;
        return;
    case PRESENT:
        if (!cJSON_IsString(v)) {
            reject(c, SIM_MSG_INVALID_FIELD, "payslipText", NULL);
            return;
        }
        if (strlen(v->valuestring) > 25) { /* maxLength 25; the sim counts bytes, as a strict server */
            reject(c, SIM_MSG_INVALID_LENGTH, "payslipText", "payslipText");
            return;
        }
        in->has_text = true;
        in->text = xstrdup(v->valuestring);
    }
}

/* The value's decimals beyond the component's precision, or a double that is not exactly a
 * decimal of 6 places (1e-7), both count as out of range: a rounded number is a wrong payslip. */
static bool within_precision(double d, lk_decimal v, int decimals)
{
    lk_decimal unit = 1;
    for (int i = decimals; i < LK_DECIMAL_DIGITS; i++)
        unit *= 10;
    if (v % unit != 0)
        return false;
    return fabs(d - lk_decimal_to_double(v)) <= 1e-9 * (fabs(d) > 1 ? fabs(d) : 1);
}

static void check_components(checker *c, sim_store *st, sim_employment *e, const cJSON *body,
                             sim_mode mode, sim_input *in)
{
    const cJSON *list, *item;
    int index = 0;
    int year = in->key.period ? in->key.period->year : 0;
    switch (field(body, "payrollComponents", &list)) {
    case ABSENT:
        return;
    case IS_NULL:
        reject(c, SIM_MSG_INVALID_FIELD, "payrollComponents", NULL);
        return;
    case PRESENT:
        if (!cJSON_IsArray(list)) {
            reject(c, SIM_MSG_INVALID_FIELD, "payrollComponents", NULL);
            return;
        }
    }
    in->values = xcalloc((size_t)cJSON_GetArraySize(list) + 1, sizeof *in->values);
    cJSON_ArrayForEach(item, list) {
        char path[96], label[32];
        const cJSON *v, *supp;
        sim_input_value *iv = &in->values[in->nvalues];
        sim_component *comp;
        bool valid = true;
        iv->index = index;
        snprintf(path, sizeof path, "payrollComponents[%d]", index++);
        if (!cJSON_IsObject(item)) {
            reject(c, SIM_MSG_INVALID_FIELD, path, NULL);
            continue;
        }
        snprintf(path, sizeof path, "payrollComponents[%d].payrollComponent", index - 1);
        if (!int_ref(c, cJSON_GetObjectItemCaseSensitive(item, "payrollComponent"), path, "key", &iv->key))
            continue;
        snprintf(label, sizeof label, "%d", iv->key);
        snprintf(path, sizeof path, "payrollComponents[%d].payrollComponent.key", index - 1);
        comp = sim_store_component(st, iv->key);
        if (!comp || (year && !sim_admin_component_allowed(e->admin, year, iv->key))) {
            reject(c, SIM_MSG_COMPONENT_NOT_ALLOWED, path, label);
            valid = false;
        }
        for (size_t j = 0; j < in->nvalues; j++)
            if (in->values[j].key == iv->key) {
                reject(c, SIM_MSG_DUPLICATE_COMPONENT, path, label);
                valid = false;
            }
        snprintf(path, sizeof path, "payrollComponents[%d].isSupplement", index - 1);
        supp = cJSON_GetObjectItemCaseSensitive(item, "isSupplement");
        if (supp && !cJSON_IsBool(supp)) {
            reject(c, SIM_MSG_INVALID_FIELD, path, NULL);
            valid = false;
        }
        iv->is_supplement = cJSON_IsTrue(supp);
        if (iv->is_supplement && comp && !comp->can_supplement) {
            reject(c, SIM_MSG_SUPPLEMENT_NOT_ALLOWED, path, label);
            valid = false;
        }
        snprintf(path, sizeof path, "payrollComponents[%d].value", index - 1);
        v = cJSON_GetObjectItemCaseSensitive(item, "value");
        if (cJSON_IsNull(v) && mode == SIM_MODE_PATCH) {
            iv->is_null = true; /* the documented delete */
        } else if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) {
            reject(c, SIM_MSG_NOT_A_NUMBER, path, path);
            valid = false;
        } else if (!sim_json_to_decimal(v, &iv->value) ||
                   (comp && (iv->value < comp->min || iv->value > comp->max ||
                             !within_precision(v->valuedouble, iv->value, comp->decimals)))) {
            reject(c, SIM_MSG_OUT_OF_RANGE, path, path);
            valid = false;
        }
        if (valid)
            in->nvalues++;
    }
}

void sim_input_clear(sim_input *in)
{
    free(in->values);
    free(in->text);
    memset(in, 0, sizeof *in);
}

bool sim_rules_check(sim_store *st, sim_employment *e, const cJSON *item, sim_mode mode,
                     const sim_record *existing, const char *msg_id, const char *prefix,
                     cJSON *messages, sim_input *in)
{
    checker c = { messages, msg_id, prefix, true };
    memset(in, 0, sizeof *in);
    in->key.employment = e;
    if (!cJSON_IsObject(item)) {
        reject(&c, SIM_MSG_INVALID_BODY, NULL, "JSON object expected");
        return false;
    }
    if (mode == SIM_MODE_PUT) {
        /* payrollPeriod and payslipType are read-only in the PUT schema: the record keeps its own */
        in->key.period = existing->period;
        in->key.payslip_type = existing->payslip_type;
    } else {
        check_period(&c, e, item, in);
        check_option(&c, e->admin, item, "payslipType", "key", false, 1, &in->key.payslip_type);
    }
    check_option(&c, e->admin, item, "shift", "shiftNumber", false, 1, &in->key.shift);
    check_option(&c, e->admin, item, "costCenter", "key", true, e->cost_center, &in->key.cost_center);
    check_option(&c, e->admin, item, "costUnit", "key", true, 0, &in->key.cost_unit);
    check_distribution_unit(&c, e->admin, item, in->key.distribution_unit);
    check_text(&c, item, in);
    check_components(&c, st, e, item, mode, in);
    if (in->key.period) {
        char label[32];
        snprintf(label, sizeof label, "%d/%d", in->key.period->year, in->key.period->number);
        if (in->key.period->closed)
            reject(&c, SIM_MSG_PERIOD_CLOSED, "payrollPeriod", label);
        if (!sim_employment_active(e, in->key.period))
            reject(&c, SIM_MSG_NOT_ACTIVE, "payrollPeriod", label);
    }
    if (!c.ok)
        sim_input_clear(in);
    return c.ok;
}

/* ---------------------------------------------------------------- applying */

static void warn_value(checker *c, sim_msg_code code, int key, int index)
{
    char path[64], label[16];
    snprintf(path, sizeof path, "payrollComponents[%d].value", index);
    snprintf(label, sizeof label, "%d", key);
    reject(c, code, path, label);
}

sim_record *sim_rules_apply(sim_store *st, sim_input *in, sim_mode mode, sim_record *existing,
                            const char *msg_id, const char *prefix, cJSON *messages,
                            bool *created, bool *removed)
{
    checker c = { messages, msg_id, prefix, true };
    sim_record *r = sim_store_find_record(st, &in->key);
    *created = *removed = false;
    switch (mode) {
    case SIM_MODE_POST:
        if (r) {
            reject(&c, SIM_MSG_RECORD_EXISTS, NULL, "");
            return NULL;
        }
        break;
    case SIM_MODE_PUT:
        if (r && r != existing) {
            reject(&c, SIM_MSG_RECORD_EXISTS, NULL, "");
            return NULL;
        }
        r = existing;
        r->shift = in->key.shift;
        r->cost_center = in->key.cost_center;
        r->cost_unit = in->key.cost_unit;
        memcpy(r->distribution_unit, in->key.distribution_unit, sizeof r->distribution_unit);
        r->nvalues = 0; /* a PUT replaces the whole record */
        sim_record_set_text(r, in->text);
        break;
    case SIM_MODE_PATCH:
        break;
    }
    if (!r) {
        r = sim_store_add_record(st, &in->key);
        *created = true;
    }
    if (mode != SIM_MODE_PUT && in->has_text)
        sim_record_set_text(r, in->text);
    for (size_t i = 0; i < in->nvalues; i++) {
        const sim_input_value *v = &in->values[i];
        if (v->is_null) {
            if (!sim_record_set(r, v->key, 0, false, true))
                warn_value(&c, SIM_MSG_NOTHING_DELETED, v->key, v->index);
            continue;
        }
        sim_record_set(r, v->key, v->value, v->is_supplement, false);
        if (v->value == 0)
            warn_value(&c, SIM_MSG_ZERO_STORED, v->key, v->index);
    }
    if (mode == SIM_MODE_PATCH && r->nvalues == 0 && !r->payslip_text) {
        sim_store_remove_record(st, r);
        *removed = true;
        *created = false;
        return NULL;
    }
    return r;
}
