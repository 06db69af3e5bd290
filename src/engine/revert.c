/*
 * revert.c: a run's records put back as Loket held them before it (see revert.h).
 */
#include "engine/revert.h"

#include "common/hashmap.h"
#include "common/i18n.h"
#include "common/localefmt.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "engine/resolve.h"
#include "mapping/mapping.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JOURNAL_MAX_LINE_SCAN (1024UL * 1024 * 1024)

const char *lk_revert_action_name(lk_revert_action a)
{
    switch (a) {
    case LK_REVERT_RESTORE: return "restore";
    case LK_REVERT_DELETE: return "delete";
    case LK_REVERT_REFUSED: return "refused";
    case LK_REVERT_NOTHING: break;
    }
    return "nothing";
}

const char *lk_revert_outcome_name(lk_revert_outcome o)
{
    switch (o) {
    case LK_REVERT_DONE: return "done";
    case LK_REVERT_REJECTED: return "rejected";
    case LK_REVERT_FAILED: return "failed";
    case LK_REVERT_NOT_SENT: return "not_sent";
    case LK_REVERT_PLANNED: break;
    }
    return "planned";
}

static const char *str_field(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* ---------------------------------------------------------------- loading */

/* What the run's journal says of each key: 1 confirmed written, 2 begun or failed (maybe
 * written), absent: never sent (or rejected). */
static lk_hashmap *journal_states(const char *text, size_t len)
{
    lk_hashmap *m = lk_hashmap_new(256);
    size_t pos = 0;
    while (text && pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        if (!nl)
            break; /* a torn last line: its write was not confirmed */
        cJSON *o = cJSON_ParseWithLength(text + pos, (size_t)(nl - (text + pos)));
        pos = (size_t)(nl - text) + 1;
        const char *key = str_field(o, "key");
        if (!key) {
            cJSON_Delete(o);
            continue;
        }
        if (!strncmp(key, "intent:", 7)) {
            if (!lk_hashmap_get(m, key + 7))
                lk_hashmap_put(m, key + 7, (void *)2);
        } else {
            const char *outcome = str_field(cJSON_GetObjectItemCaseSensitive(o, "result"),
                                            "outcome");
            if (outcome && (!strcmp(outcome, "created") || !strcmp(outcome, "updated")))
                lk_hashmap_put(m, key, (void *)1);
            else if (outcome && !strcmp(outcome, "failed"))
                lk_hashmap_put(m, key, (void *)2);
            else if (outcome) /* rejected, unchanged: Loket did not take it */
                lk_hashmap_put(m, key, (void *)3);
        }
        cJSON_Delete(o);
    }
    return m;
}

lk_code lk_revert_load(const char *plan_text, size_t plan_len, const char *journal_text,
                       size_t journal_len, lk_revert **out, lk_error *err)
{
    *out = NULL;
    cJSON *plan = cJSON_ParseWithLength(plan_text, plan_len);
    const cJSON *recs = cJSON_GetObjectItemCaseSensitive(plan, "records");
    if (!cJSON_IsObject(plan) || !cJSON_GetObjectItemCaseSensitive(plan, "loketImportPlan") ||
        !cJSON_IsArray(recs)) {
        cJSON_Delete(plan);
        return lk_error_set(err, LK_ERR_INPUT, _("the run's plan.json is not a loket-import plan"));
    }
    lk_revert *rv = xcalloc(1, sizeof *rv);
    rv->plan = plan;
    lk_hashmap *states = journal_states(journal_text, journal_len);
    const cJSON *rec;
    cJSON_ArrayForEach(rec, recs) {
        const char *key = str_field(rec, "key"), *planned = str_field(rec, "planned");
        const char *emp = str_field(rec, "employmentId");
        const cJSON *body = cJSON_GetObjectItemCaseSensitive(rec, "body");
        if (!key || !emp || !planned || !cJSON_IsObject(body) ||
            (strcmp(planned, "created") && strcmp(planned, "updated")))
            continue;
        long st = (long)(size_t)lk_hashmap_get(states, key);
        if (st != 1 && st != 2) {
            rv->skipped_unsent++;
            continue;
        }
        const cJSON *pp = cJSON_GetObjectItemCaseSensitive(body, "payrollPeriod");
        const cJSON *y = cJSON_GetObjectItemCaseSensitive(pp, "year");
        const cJSON *pn = cJSON_GetObjectItemCaseSensitive(pp, "periodNumber");
        if (!cJSON_IsNumber(y) || !cJSON_IsNumber(pn))
            continue;
        lk_grow(&rv->items, sizeof *rv->items, rv->n + 1, &rv->alloc);
        lk_revert_item *it = &rv->items[rv->n++];
        memset(it, 0, sizeof *it);
        it->key = xstrdup(key);
        it->employment_id = xstrdup(emp);
        const cJSON *en = cJSON_GetObjectItemCaseSensitive(rec, "employeeNumber");
        it->employee_number = cJSON_IsNumber(en) ? (long)en->valuedouble : 0;
        it->employee_name = str_field(rec, "employeeName") ? xstrdup(str_field(rec, "employeeName"))
                                                           : NULL;
        it->period = xstrdup(str_field(rec, "period") ? str_field(rec, "period") : "");
        it->year = y->valueint;
        const cJSON *pt = cJSON_GetObjectItemCaseSensitive(rec, "periodType");
        it->period_type = cJSON_IsNumber(pt) && pt->valueint > 0 && pt->valueint <= 3 ? pt->valueint : 0;
        it->period_number = pn->valueint;
        it->created = !strcmp(planned, "created");
        it->components = cJSON_GetObjectItemCaseSensitive(rec, "components");
        it->cost_center = str_field(rec, "costCenter") ? xstrdup(str_field(rec, "costCenter"))
                                                       : NULL;
        it->body = body;
    }
    lk_hashmap_free(states);
    *out = rv;
    return LK_OK;
}

void lk_revert_free(lk_revert *rv)
{
    if (!rv)
        return;
    for (size_t i = 0; i < rv->n; i++) {
        lk_revert_item *it = &rv->items[i];
        free(it->key);
        free(it->cost_center);
        free(it->employment_id);
        free(it->employee_name);
        free(it->period);
        free(it->record_id);
        free(it->detail);
        free(it->request_body);
        free(it->message);
    }
    free(rv->items);
    cJSON_Delete(rv->plan);
    free(rv);
}

/* ---------------------------------------------------------------- deciding */

typedef struct read_ctx {
    lk_revert_item *it;
    bool force;
    lk_error *err;
    bool failed;
} read_ctx;

static char *record_key_of(const lk_period_data_record *r)
{
    lk_key_fields k = {
        r->shift.present ? r->shift.key_text : NULL,
        r->payslip_type.present ? r->payslip_type.key_text : NULL,
        r->distribution_unit.present ? r->distribution_unit.key_text : NULL,
        r->cost_center.present ? r->cost_center.key_text : NULL,
        r->cost_unit.present ? r->cost_unit.key_text : NULL,
    };
    return lk_record_key_text((long)r->year * 100 + r->period_number, &k);
}

/* A plan value ("152", or null for none) against what Loket holds now. */
static bool same_value(const cJSON *planned, const lk_component_value *now)
{
    lk_decimal d;
    if (!cJSON_IsString(planned))
        return !now || !now->has_value;
    if (!now || !now->has_value || !lk_parse_machine_number(planned->valuestring, &d))
        return false;
    return d == now->value;
}

static const lk_component_value *held(const lk_period_data_record *r, long key)
{
    for (size_t i = 0; r && i < r->ncomponents; i++)
        if (r->components[i].key == key)
            return &r->components[i];
    return NULL;
}

static bool in_plan(const cJSON *components, long key)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, components) {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(c, "key");
        if (cJSON_IsNumber(k) && (long)k->valuedouble == key)
            return true;
    }
    return false;
}

/* The PATCH that gives the record its old values back: the run's body with each component
 * set to its old value, or null where it had none. */
static char *restore_body(const lk_revert_item *it)
{
    cJSON *b = cJSON_Duplicate(it->body, 1);
    cJSON *list = cJSON_CreateArray();
    const cJSON *c;
    cJSON_ArrayForEach(c, it->components) {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(c, "key");
        const cJSON *old = cJSON_GetObjectItemCaseSensitive(c, "old");
        const cJSON *sup = cJSON_GetObjectItemCaseSensitive(c, "isSupplement");
        cJSON *o = cJSON_CreateObject(), *pc = cJSON_CreateObject();
        cJSON_AddNumberToObject(pc, "key", cJSON_IsNumber(k) ? k->valuedouble : 0);
        cJSON_AddItemToObject(o, "payrollComponent", pc);
        lk_decimal d;
        /* the exact decimal text, not a double's rendering of it */
        if (cJSON_IsString(old) && lk_parse_machine_number(old->valuestring, &d))
            cJSON_AddItemToObject(o, "value", cJSON_CreateRaw(old->valuestring));
        else
            cJSON_AddNullToObject(o, "value");
        cJSON_AddBoolToObject(o, "isSupplement", cJSON_IsTrue(sup));
        cJSON_AddItemToArray(list, o);
    }
    cJSON_DeleteItemFromObjectCaseSensitive(b, "payrollComponents");
    cJSON_AddItemToObject(b, "payrollComponents", list);
    char *text = cJSON_PrintUnformatted(b);
    cJSON_Delete(b);
    if (!text)
        lk_die(_("out of memory"));
    return text;
}

/* A plan value ("1.75") as the language writes numbers ("1,75"); NULL -> "no value". */
static const char *shown(const char *plain, char *buf)
{
    lk_decimal v;
    if (!plain)
        return _("no value");
    if (!lk_decimal_from_double(strtod(plain, NULL), &v))
        return plain;
    return lk_fmt_decimal(v, 0, buf);
}

static void decide(lk_revert_item *it, const lk_period_data_record *now, bool force)
{
    char b1[LK_FMT_NUMBER_MAX], b2[LK_FMT_NUMBER_MAX];
    strbuf before, since, what;
    strbuf_init(&before, 64);
    strbuf_init(&since, 64);
    strbuf_init(&what, 64);
    bool as_before = true, as_run = true;
    const cJSON *c;
    cJSON_ArrayForEach(c, it->components) {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(c, "key");
        const cJSON *old = cJSON_GetObjectItemCaseSensitive(c, "old");
        const cJSON *new_ = cJSON_GetObjectItemCaseSensitive(c, "new");
        long key = cJSON_IsNumber(k) ? (long)k->valuedouble : 0;
        const lk_component_value *v = held(now, key);
        const char *now_text = v && v->has_value ? lk_fmt_decimal(v->value, 0, b1)
                                                 : _("no value");
        const char *name = str_field(c, "name");
        char label[160];
        if (name) /* as people name it: "Uren gewerkt (10)" */
            snprintf(label, sizeof label, "%s (%ld)", name, key);
        else
            snprintf(label, sizeof label, _("component %ld"), key);
        if (!same_value(old, v))
            as_before = false;
        if (!same_value(new_, v)) {
            as_run = false;
            strbuf_addf(&since, _("%s%s: the run sent %s, Loket now holds %s"),
                        since.len ? "; " : "", label,
                        shown(cJSON_IsString(new_) ? new_->valuestring : NULL, b2), now_text);
        }
        strbuf_addf(&what, "%s%s: %s -> %s", what.len ? ", " : "", label, now_text,
                    shown(cJSON_IsString(old) ? old->valuestring : NULL, b2));
    }
    /* a record the run created holds nothing else, unless someone added to it since */
    for (size_t i = 0; it->created && now && i < now->ncomponents; i++)
        if (now->components[i].has_value && !in_plan(it->components, now->components[i].key)) {
            as_run = as_before = false;
            strbuf_addf(&since, _("%scomponent %ld was added after the run (%s)"),
                        since.len ? "; " : "", now->components[i].key,
                        lk_fmt_decimal(now->components[i].value, 0, b1));
        }
    if (!now && !it->created) { /* said once, not after each component's "no value" */
        as_run = as_before = false;
        strbuf_reset(&since);
        strbuf_addstr(&since, _("the record is no longer in Loket"));
    }
    if (as_before) {
        it->action = LK_REVERT_NOTHING;
        it->detail = xstrdup(_("Loket holds what it held before the run"));
    } else if (as_run || force) {
        it->forced = !as_run;
        if (it->created) {
            it->action = LK_REVERT_DELETE;
            it->detail = xstrdup(now ? _("delete the record the run created")
                                     : _("already gone"));
            if (!now)
                it->action = LK_REVERT_NOTHING;
        } else {
            it->action = LK_REVERT_RESTORE;
            it->detail = strbuf_detach(&what, NULL);
            it->request_body = restore_body(it);
        }
        if (it->forced) {
            strbuf full;
            strbuf_init(&full, 128);
            strbuf_addf(&full, _("%s (--force; changed after the run: %s)"), it->detail, since.buf);
            free(it->detail);
            it->detail = strbuf_detach(&full, NULL);
        }
    } else {
        it->action = LK_REVERT_REFUSED;
        strbuf_addstr(&since, _("; --force restores it anyway"));
        it->detail = strbuf_detach(&since, NULL);
    }
    free(it->record_id);
    it->record_id = now && now->id ? xstrdup(now->id) : NULL;
    strbuf_free(&before);
    strbuf_free(&since);
    strbuf_free(&what);
}

static void on_records(const lk_api_result *r, lk_period_data_list *list, void *ud)
{
    read_ctx *x = ud;
    if (r->code != LK_OK) {
        if (!x->failed)
            *x->err = r->err;
        x->failed = true;
        lk_period_data_list_free(list);
        return;
    }
    const lk_period_data_record *found = NULL;
    const char *slash = strchr(x->it->key, '/');
    for (size_t i = 0; list && i < list->n && !found && slash; i++) {
        char *k = record_key_of(&list->items[i]);
        if (!strcmp(k, slash + 1))
            found = &list->items[i];
        free(k);
    }
    decide(x->it, found, x->force);
    lk_period_data_list_free(list);
}

lk_code lk_revert_plan(lk_client *c, lk_revert *rv, bool force, lk_error *err)
{
    read_ctx *ctx = xcalloc(rv->n + 1, sizeof *ctx);
    lk_error read_err;
    lk_error_clear(&read_err);
    bool failed = false;
    for (size_t i = 0; i < rv->n; i++) {
        char filter[96];
        snprintf(filter, sizeof filter, "payrollPeriod.year eq %d and payrollPeriod.periodNumber eq %d",
                 rv->items[i].year, rv->items[i].period_number);
        ctx[i].it = &rv->items[i];
        ctx[i].force = force;
        ctx[i].err = &read_err;
        lk_api_employment_period_data_start(c, rv->items[i].employment_id, filter, on_records,
                                            &ctx[i]);
    }
    lk_code rc = lk_client_run(c, err);
    for (size_t i = 0; i < rv->n; i++)
        failed |= ctx[i].failed;
    free(ctx);
    if (rc != LK_OK)
        return rc;
    if (failed) {
        *err = read_err;
        return err->code ? err->code : LK_ERR_NETWORK;
    }
    return LK_OK;
}

/* ---------------------------------------------------------------- sending */

typedef struct send_ctx {
    lk_revert_item *it;
    lk_journal *j;
    bool journal_failed;
    lk_error journal_err;
} send_ctx;

static void messages_of(const lk_api_result *r, strbuf *sb)
{
    for (size_t i = 0; r->envelope && i < r->envelope->nmessages; i++) {
        const lk_message *m = &r->envelope->messages[i];
        strbuf_addf(sb, "%s%s: %s", sb->len ? "; " : "", m->type_text ? m->type_text : "",
                    m->description ? m->description : "");
    }
    if (!sb->len && r->code != LK_OK)
        strbuf_addstr(sb, r->err.message);
}

static void on_sent(const lk_api_result *r, void *ud)
{
    send_ctx *x = ud;
    lk_revert_item *it = x->it;
    strbuf sb;
    strbuf_init(&sb, 64);
    it->status = r->status;
    /* a DELETE retried after a lost answer finds the record gone: that is what was asked */
    bool gone = it->action == LK_REVERT_DELETE && r->code == LK_ERR_NOT_FOUND;
    if (r->code == LK_OK || gone)
        it->outcome = LK_REVERT_DONE;
    else if (r->code == LK_ERR_REJECTED || r->code == LK_ERR_CONFLICT ||
             r->code == LK_ERR_NOT_FOUND)
        it->outcome = LK_REVERT_REJECTED;
    else
        it->outcome = LK_REVERT_FAILED;
    messages_of(r, &sb);
    free(it->message);
    it->message = sb.len ? strbuf_detach(&sb, NULL) : NULL;
    strbuf_free(&sb);
    if (it->outcome == LK_REVERT_FAILED || x->journal_failed)
        return;
    cJSON *res = cJSON_CreateObject();
    cJSON_AddStringToObject(res, "action", lk_revert_action_name(it->action));
    cJSON_AddStringToObject(res, "outcome", lk_revert_outcome_name(it->outcome));
    cJSON_AddNumberToObject(res, "status", (double)it->status);
    if (it->message)
        cJSON_AddStringToObject(res, "message", it->message);
    lk_error e;
    lk_error_clear(&e);
    if (lk_journal_append(x->j, it->key, "", res, &e) != LK_OK) {
        x->journal_failed = true;
        x->journal_err = e;
    }
    cJSON_Delete(res);
}

lk_code lk_revert_apply(lk_client *c, lk_revert *rv, lk_journal *j,
                        volatile sig_atomic_t *stop, int window, lk_error *err)
{
    send_ctx *ctx = xcalloc(rv->n + 1, sizeof *ctx);
    size_t next = 0;
    lk_code rc = LK_OK;
    if (window < 1)
        window = 1;
    /* the journal first: what an earlier, interrupted revert got confirmed is not sent again */
    for (size_t i = 0; i < rv->n; i++) {
        lk_revert_item *it = &rv->items[i];
        const lk_journal_entry *e = j ? lk_journal_find(j, it->key) : NULL;
        const char *oc = e ? str_field(e->result, "outcome") : NULL;
        if (oc && !strcmp(oc, "done")) {
            it->outcome = LK_REVERT_DONE;
            it->from_journal = true;
        }
    }
    while (next < rv->n && rc == LK_OK) {
        size_t started = 0;
        for (; next < rv->n && started < (size_t)window; next++) {
            lk_revert_item *it = &rv->items[next];
            if (it->from_journal ||
                (it->action != LK_REVERT_RESTORE && it->action != LK_REVERT_DELETE))
                continue;
            if (stop && *stop) {
                it->outcome = LK_REVERT_NOT_SENT;
                continue;
            }
            ctx[next].it = it;
            ctx[next].j = j;
            if (it->action == LK_REVERT_DELETE)
                lk_api_delete_period_data_start(c, it->record_id, on_sent, &ctx[next]);
            else
                lk_api_patch_period_data_start(c, it->employment_id, it->request_body, on_sent,
                                               &ctx[next]);
            started++;
        }
        if (!started)
            continue;
        rc = lk_client_run(c, err);
        lk_error je;
        lk_error_clear(&je);
        if (rc == LK_OK && j && lk_journal_sync(j, &je) != LK_OK) {
            *err = je;
            rc = je.code;
        }
        for (size_t i = 0; i < rv->n && rc == LK_OK; i++)
            if (ctx[i].journal_failed) {
                *err = ctx[i].journal_err;
                rc = err->code;
            }
    }
    free(ctx);
    if (rc == LK_OK && stop && *stop) {
        for (size_t i = 0; i < rv->n; i++)
            if ((rv->items[i].action == LK_REVERT_RESTORE ||
                 rv->items[i].action == LK_REVERT_DELETE) &&
                rv->items[i].outcome == LK_REVERT_PLANNED)
                rv->items[i].outcome = LK_REVERT_NOT_SENT;
        return lk_error_set(err, LK_ERR_INTERRUPTED, _("interrupted; revert --resume finishes it"));
    }
    return rc;
}
