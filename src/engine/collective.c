/*
 * collective.c: the answer to one collective PATCH -> stored / refused / unknown per item (see
 * collective.h).
 */
#include "engine/collective.h"

#include "common/util.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const key_fields[] = { "shift", "payslipType", "distributionUnit",
                                          "costCenter", "costUnit", NULL };

/* True when the returned record rec is the record the item's body describes: same employment,
 * year and period number, and every record key field the body names (absent = Loket's default,
 * which any value matches; null = none). */
static bool record_is_item(const lk_period_data_record *rec, const cJSON *rec_json,
                           const cJSON *body, const char *employment_id)
{
    const cJSON *period = cJSON_GetObjectItemCaseSensitive(body, "payrollPeriod");
    long year = 0, number = 0;
    if (!rec->employment_id || strcasecmp(rec->employment_id, employment_id))
        return false;
    if (!lk_json_long(period, "year", &year) || !lk_json_long(period, "periodNumber", &number) ||
        rec->year != year || rec->period_number != number)
        return false;
    for (int f = 0; key_fields[f]; f++) {
        const cJSON *want = cJSON_GetObjectItemCaseSensitive(body, key_fields[f]);
        lk_meta_ref w, got;
        bool same;
        if (!want)
            continue;
        lk_meta_ref_parse(body, key_fields[f], &w);
        lk_meta_ref_parse(rec_json, key_fields[f], &got);
        same = w.present ? got.present && !strcmp(w.key_text, got.key_text) : !got.present;
        lk_meta_ref_free(&w);
        lk_meta_ref_free(&got);
        if (!same)
            return false;
    }
    return true;
}

/* The item position a message's properties name ("[3].payrollPeriod"), or -1. */
static long message_index(const lk_message *m, size_t n)
{
    for (size_t i = 0; i < m->nproperties; i++) {
        const char *s = m->properties[i];
        char *end;
        if (!s || s[0] != '[')
            continue;
        long k = strtol(s + 1, &end, 10);
        if (end != s + 1 && *end == ']' && k >= 0 && (size_t)k < n)
            return k;
    }
    return -1;
}

void lk_collective_attribute(const lk_plan *p, const size_t *items, size_t n,
                             const lk_envelope *env, lk_collective_answer *out)
{
    memset(out, 0, sizeof *out);
    out->nitems = n;
    out->fate = xcalloc(n + 1, sizeof *out->fate);
    out->nmessages = env ? env->nmessages : 0;
    out->message_item = xcalloc(out->nmessages + 1, sizeof *out->message_item);
    cJSON **bodies = xcalloc(n + 1, sizeof *bodies);
    for (size_t k = 0; k < n; k++)
        bodies[k] = cJSON_Parse(p->items[items[k]].body);

    /* the records Loket returns: stored */
    const cJSON *r, *embedded = env ? env->embedded : NULL;
    cJSON_ArrayForEach(r, embedded) {
        lk_period_data_record rec;
        lk_error e;
        if (lk_period_data_record_parse(r, &rec, &e) != LK_OK)
            continue;
        for (size_t k = 0; k < n; k++)
            if (out->fate[k] == LK_FATE_UNKNOWN && bodies[k] &&
                record_is_item(&rec, r, bodies[k], p->items[items[k]].employment_id)) {
                out->fate[k] = LK_FATE_STORED;
                break;
            }
        lk_period_data_record_clear(&rec);
    }

    /* messages: by index first, then by employment id where only one item is left open */
    for (size_t i = 0; i < out->nmessages; i++) {
        const lk_message *m = &env->messages[i];
        long k = message_index(m, n);
        long only = -1;
        size_t open = 0;
        if (k < 0 && m->id) {
            for (size_t j = 0; j < n; j++)
                if (out->fate[j] != LK_FATE_STORED &&
                    !strcasecmp(p->items[items[j]].employment_id, m->id)) {
                    only = (long)j;
                    open++;
                }
            if (open == 1)
                k = only;
        }
        out->message_item[i] = k;
        if (k >= 0 && m->type != LK_MSG_WARNING && out->fate[k] != LK_FATE_STORED)
            out->fate[k] = LK_FATE_REFUSED;
    }
    for (size_t k = 0; k < n; k++)
        cJSON_Delete(bodies[k]);
    free(bodies);
}

void lk_collective_answer_clear(lk_collective_answer *a)
{
    free(a->fate);
    free(a->message_item);
    memset(a, 0, sizeof *a);
}
