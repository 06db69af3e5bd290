/*
 * apply.c: the upserts of a plan, journaled (see apply.h).
 *
 * Requests are fed to the HTTP engine from the completion callbacks, a few more than the
 * engine's concurrency at a time, so that a SIGINT/SIGTERM (which only sets a flag) stops new
 * requests from starting while the ones in flight finish and are journaled.
 *
 * Journal lines (key -> result):
 *   "intent:<key>"  {"outcome": planned, "old": {...}}  written (and synced) before the send
 *   "<key>"         {"outcome", "status", "attempts", "messages": [...], "old": {...}}
 * "old" holds the values Loket had before the run (the plan's old values), so a resumed run
 * reports the same old -> new as an uninterrupted one even though Loket now holds the new ones.
 */
#include "engine/apply.h"

#include "common/i18n.h"
#include "common/strbuf.h"
#include "engine/collective.h"
#include "common/util.h"
#include "mapping/mapping.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SYNC_BATCH 32

typedef struct apply_ctx {
    lk_client *client;
    lk_plan *plan;
    const lk_apply_opts *o;
    lk_journal *journal;
    lk_report *report;
    lk_apply_stats *stats;
    size_t *queue;              /* item indexes to send, in order */
    size_t nqueue, next;
    bool *sent;                 /* answered in this run */
    lk_outcome *outcome_of;     /* outcome to report on success (plan's, or the intent's) */
    size_t unsynced;
    bool journal_failed;
    lk_error journal_err;
    lk_progress *progress;
    unsigned long done, failed;
    size_t window;
    size_t in_flight;
    /* collective batches: item index lists */
    size_t **batches;
    size_t *batch_len;
    size_t nbatches, next_batch;
    /* collective items whose fate the answer did not name: read back after the calls */
    bool *unknown;
    size_t nunknown;
    struct pending *pending;    /* per item: the call's messages that named no item */
    long *unknown_status;
    int *unknown_attempts;
} apply_ctx;

/* A message of a collective answer kept until the read-back tells whether it was this item's. */
typedef struct pending_msg {
    char *type, *description, *id;
    long code;
    bool has_code;
} pending_msg;
struct pending {
    pending_msg *m;
    size_t n;
};

static bool stopping(const apply_ctx *a)
{
    return a->o->stop && *a->o->stop;
}

/* ---------------------------------------------------------------- journal results */

static cJSON *old_values_json(const lk_report_record *rec)
{
    char buf[32], key[16];
    cJSON *o = cJSON_CreateObject();
    for (size_t i = 0; i < rec->ncomponents; i++)
        if (rec->components[i].has_old) {
            snprintf(key, sizeof key, "%d", rec->components[i].key);
            cJSON_AddStringToObject(o, key, lk_decimal_format(rec->components[i].old_value, buf));
        }
    return o;
}

static void restore_old_values(lk_report_record *rec, const cJSON *old)
{
    char key[16];
    for (size_t i = 0; i < rec->ncomponents; i++) {
        lk_report_component *c = &rec->components[i];
        snprintf(key, sizeof key, "%d", c->key);
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(old, key);
        lk_decimal d;
        c->has_old = false;
        c->old_value = 0;
        if (cJSON_IsString(v) && lk_parse_machine_number(v->valuestring, &d)) {
            c->has_old = true;
            c->old_value = d;
        }
    }
}

static cJSON *result_json(const lk_report_record *rec, lk_outcome outcome)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "outcome", lk_outcome_name(outcome));
    cJSON_AddNumberToObject(o, "status", rec->http_status);
    cJSON_AddNumberToObject(o, "attempts", rec->attempts);
    cJSON *msgs = cJSON_AddArrayToObject(o, "messages");
    for (size_t i = 0; i < rec->nmessages; i++) {
        const lk_report_message *m = &rec->messages[i];
        if (m->origin != LK_MSG_LOKET)
            continue;
        cJSON *mo = cJSON_CreateObject();
        cJSON_AddStringToObject(mo, "type", m->type ? m->type : "");
        if (m->has_code)
            cJSON_AddNumberToObject(mo, "code", (double)m->code);
        cJSON_AddStringToObject(mo, "description", m->description ? m->description : "");
        if (m->id)
            cJSON_AddStringToObject(mo, "id", m->id);
        cJSON_AddItemToArray(msgs, mo);
    }
    cJSON_AddItemToObject(o, "old", old_values_json(rec));
    return o;
}

/* A journaled result back into the report record. */
static void apply_journal_result(lk_report_record *rec, const cJSON *res)
{
    const cJSON *m;
    lk_outcome out = LK_OUTCOME_UPDATED;
    const cJSON *oc = cJSON_GetObjectItemCaseSensitive(res, "outcome");
    if (cJSON_IsString(oc))
        lk_outcome_parse(oc->valuestring, &out);
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(res, "status");
    const cJSON *at = cJSON_GetObjectItemCaseSensitive(res, "attempts");
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(res, "messages")) {
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(m, "code");
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(m, "type");
        const cJSON *desc = cJSON_GetObjectItemCaseSensitive(m, "description");
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(m, "id");
        lk_report_record_add_message(rec, LK_MSG_LOKET, cJSON_IsString(type) ? type->valuestring : "",
                                     cJSON_IsNumber(code), cJSON_IsNumber(code) ? (long)code->valuedouble : 0,
                                     cJSON_IsString(desc) ? desc->valuestring : "",
                                     cJSON_IsString(id) ? id->valuestring : NULL);
    }
    restore_old_values(rec, cJSON_GetObjectItemCaseSensitive(res, "old"));
    lk_report_record_set_result(rec, out, cJSON_IsNumber(st) ? (int)st->valuedouble : 0,
                                cJSON_IsNumber(at) ? (unsigned)at->valuedouble : 0);
}

static void journal_append(apply_ctx *a, const char *key, const char *sha, const cJSON *res)
{
    lk_error e;
    if (a->journal_failed)
        return;
    lk_error_clear(&e);
    if (lk_journal_append(a->journal, key, sha, res, &e) != LK_OK) {
        a->journal_failed = true;
        a->journal_err = e;
        return;
    }
    if (++a->unsynced >= SYNC_BATCH) {
        if (lk_journal_sync(a->journal, &e) != LK_OK) {
            a->journal_failed = true;
            a->journal_err = e;
        }
        a->unsynced = 0;
    }
}

/* ---------------------------------------------------------------- settling one record */

static void add_loket_messages(lk_report_record *rec, const lk_envelope *env)
{
    for (size_t i = 0; env && i < env->nmessages; i++) {
        const lk_message *m = &env->messages[i];
        lk_report_record_add_message(rec, LK_MSG_LOKET, m->type_text, m->has_code, m->code,
                                     m->description, m->id);
    }
}

/* Records the answer for item i; rejected: settled by Loket. */
static void settle(apply_ctx *a, size_t i, lk_outcome outcome, long status, int attempts,
                   bool journal)
{
    lk_plan_item *it = &a->plan->items[i];
    lk_report_record_set_result(it->rec, outcome, (int)status, (unsigned)(attempts > 0 ? attempts : 0));
    a->sent[i] = outcome != LK_OUTCOME_NOT_SENT;
    if (outcome == LK_OUTCOME_NOT_SENT || outcome == LK_OUTCOME_FAILED)
        a->failed += outcome == LK_OUTCOME_FAILED;
    if (a->sent[i])
        a->stats->sent++;
    if (journal) {
        cJSON *res = result_json(it->rec, outcome);
        journal_append(a, it->key, it->body_sha256, res);
        cJSON_Delete(res);
    }
    a->done++;
    lk_progress_update(a->progress, a->done, a->failed);
}

static void settle_response(apply_ctx *a, size_t i, const lk_api_result *r)
{
    lk_plan_item *it = &a->plan->items[i];
    switch (r->code) {
    case LK_OK:
        add_loket_messages(it->rec, r->envelope);
        settle(a, i, a->outcome_of[i], r->status, r->attempts, true);
        break;
    case LK_ERR_REJECTED:
    case LK_ERR_NOT_FOUND:
        add_loket_messages(it->rec, r->envelope);
        if (!r->envelope || !r->envelope->nmessages)
            lk_report_record_add_message(it->rec, LK_MSG_IMPORTER, "Error", false, 0,
                                         r->err.message, NULL);
        settle(a, i, LK_OUTCOME_REJECTED, r->status, r->attempts, true);
        break;
    case LK_ERR_INTERRUPTED:
        lk_report_record_add_message(it->rec, LK_MSG_IMPORTER, "Info", false, 0,
                                     "not sent: the run was interrupted; apply --resume sends it",
                                     NULL);
        settle(a, i, LK_OUTCOME_NOT_SENT, 0, 0, false);
        break;
    default:
        /* no trustworthy answer (network, 5xx after retries, 401/403, 409): not settled, so a
         * --resume sends it again */
        add_loket_messages(it->rec, r->envelope);
        lk_report_record_add_message(it->rec, LK_MSG_IMPORTER, "Error", false, 0, r->err.message,
                                     NULL);
        settle(a, i, LK_OUTCOME_FAILED, r->status, r->attempts, false);
        break;
    }
}

/* ---------------------------------------------------------------- per employment */

typedef struct one_req {
    apply_ctx *a;
    size_t item;
} one_req;

static void feed(apply_ctx *a);

static void on_patch(const lk_api_result *r, void *ud)
{
    one_req *q = ud;
    apply_ctx *a = q->a;
    a->in_flight--;
    settle_response(a, q->item, r);
    free(q);
    feed(a);
}

/* ---------------------------------------------------------------- collective */

typedef struct batch_req {
    apply_ctx *a;
    size_t batch;
} batch_req;

static void keep_pending(apply_ctx *a, size_t i, const lk_message *m)
{
    struct pending *pd = &a->pending[i];
    pd->m = xrealloc(pd->m, (pd->n + 1) * sizeof *pd->m);
    pending_msg *k = &pd->m[pd->n++];
    k->type = xstrdup(m->type_text);
    k->description = xstrdup(m->description);
    k->id = m->id ? xstrdup(m->id) : NULL;
    k->code = m->code;
    k->has_code = m->has_code;
}

/*
 * A collective answer: each item's fate from what Loket says (collective.h). An item the
 * answer does not name is read back once every call is answered (settle_unknown); a guess
 * from the call's status would report records Loket holds as rejected, or the other way.
 */
static void on_collective(const lk_api_result *r, void *ud)
{
    batch_req *q = ud;
    apply_ctx *a = q->a;
    size_t *items = a->batches[q->batch];
    size_t n = a->batch_len[q->batch];
    a->in_flight--;
    if (r->code != LK_OK && r->code != LK_ERR_REJECTED) {
        for (size_t k = 0; k < n; k++) {
            lk_api_result one = *r;
            one.envelope = NULL;
            settle_response(a, items[k], &one);
        }
        free(q);
        feed(a);
        return;
    }
    lk_collective_answer ans;
    lk_collective_attribute(a->plan, items, n, r->envelope, &ans);
    /* a 200 says at least one action of the call succeeded (multi-patch endpoints): when every
       other item was refused by name and no message is left over, the one left was stored. A
       call of one record answered 200 needs no read-back (which cannot compare supplements). */
    if (r->code == LK_OK && r->status == 200) {
        size_t unknown = 0, stored = 0, left = 0;
        bool loose = false;
        for (size_t k = 0; k < n; k++) {
            if (ans.fate[k] == LK_FATE_UNKNOWN) {
                unknown++;
                left = k;
            } else if (ans.fate[k] == LK_FATE_STORED) {
                stored++;
            }
        }
        for (size_t m = 0; m < ans.nmessages; m++)
            loose |= ans.message_item[m] < 0 &&
                     r->envelope->messages[m].type != LK_MSG_WARNING;
        if (unknown == 1 && !stored && !loose)
            ans.fate[left] = LK_FATE_STORED;
    }
    for (size_t k = 0; k < n; k++) {
        size_t i = items[k];
        lk_plan_item *it = &a->plan->items[i];
        for (size_t m = 0; m < ans.nmessages; m++) {
            const lk_message *msg = &r->envelope->messages[m];
            /* a warning that names no item concerns the call: every stored record shows it */
            if (ans.message_item[m] == (long)k ||
                (ans.message_item[m] < 0 && msg->type == LK_MSG_WARNING &&
                 ans.fate[k] == LK_FATE_STORED))
                lk_report_record_add_message(it->rec, LK_MSG_LOKET, msg->type_text,
                                             msg->has_code, msg->code, msg->description, msg->id);
            else if (ans.message_item[m] < 0 && ans.fate[k] == LK_FATE_UNKNOWN)
                keep_pending(a, i, msg);
        }
        if (ans.fate[k] == LK_FATE_STORED) {
            settle(a, i, a->outcome_of[i], r->status, r->attempts, true);
        } else if (ans.fate[k] == LK_FATE_REFUSED) {
            settle(a, i, LK_OUTCOME_REJECTED, r->status, r->attempts, true);
        } else {
            a->unknown[i] = true;
            a->nunknown++;
            a->unknown_status[i] = r->status;
            a->unknown_attempts[i] = r->attempts;
            if (r->code != LK_OK && (!r->envelope || !r->envelope->nmessages)) {
                /* the reason of a refusal without Loket's messages (e.g. a bare 400) */
                char type[] = "Error";
                lk_message m;
                memset(&m, 0, sizeof m);
                m.type_text = type;
                m.description = (char *)r->err.message;
                keep_pending(a, i, &m);
            }
        }
    }
    lk_collective_answer_clear(&ans);
    free(q);
    feed(a);
}

/* The items no answer named: what Loket holds decides, read back in one listing round. */
static void settle_unknown(apply_ctx *a)
{
    lk_plan *p = a->plan;
    lk_held *held = xcalloc(p->nitems + 1, sizeof *held);
    lk_error rerr;
    lk_error_clear(&rerr);
    /* a failed read-back leaves them failed (not journaled): --resume sends them again */
    lk_code rc = lk_plan_read_back(a->client, p, a->unknown, held, &rerr);
    for (size_t i = 0; i < p->nitems; i++) {
        if (!a->unknown[i])
            continue;
        lk_report_record *rec = p->items[i].rec;
        struct pending *pd = &a->pending[i];
        char msg[LK_ERROR_MSG_MAX + 200];
        lk_held h = rc == LK_OK ? held[i] : LK_HELD_UNKNOWN;
        if (h == LK_HELD_YES) {
            for (size_t m = 0; m < pd->n; m++) /* the call's warnings, as on stored records */
                if (!strcmp(pd->m[m].type, "Warning"))
                    lk_report_record_add_message(rec, LK_MSG_LOKET, pd->m[m].type,
                                                 pd->m[m].has_code, pd->m[m].code,
                                                 pd->m[m].description, pd->m[m].id);
            lk_report_record_add_message(rec, LK_MSG_IMPORTER, "Info", false, 0,
                                         "Loket's answer to the collective call did not name "
                                         "this record; read back: Loket holds its values",
                                         NULL);
            settle(a, i, a->outcome_of[i], a->unknown_status[i], a->unknown_attempts[i], true);
            continue;
        }
        for (size_t m = 0; m < pd->n; m++)
            lk_report_record_add_message(rec, strcmp(pd->m[m].type, "Error") ? LK_MSG_LOKET
                                                                              : LK_MSG_IMPORTER,
                                         pd->m[m].type, pd->m[m].has_code, pd->m[m].code,
                                         pd->m[m].description, pd->m[m].id);
        if (h == LK_HELD_NO) {
            lk_report_record_add_message(rec, LK_MSG_IMPORTER, "Error", false, 0,
                                         "Loket's answer to the collective call did not name "
                                         "this record; read back: Loket holds none of the "
                                         "values it changes, so it was refused (the call's "
                                         "messages that name no record are listed)",
                                         NULL);
            settle(a, i, LK_OUTCOME_REJECTED, a->unknown_status[i], a->unknown_attempts[i], true);
            continue;
        }
        /* no trustworthy answer: not settled, so --resume sends it again (the upsert is
         * idempotent) */
        if (rc != LK_OK)
            snprintf(msg, sizeof msg, _("Loket's answer to the collective call did not name this "
                     "record, and reading it back failed: %s"), rerr.message);
        else
            snprintf(msg, sizeof msg, _("Loket's answer to the collective call did not name this "
                     "record, and reading it back cannot tell: Loket holds %s"),
                     h == LK_HELD_PARTLY ? "some of its values, not all"
                                         : "no value that could be compared (supplements)");
        lk_report_record_add_message(rec, LK_MSG_IMPORTER, "Error", false, 0, msg, NULL);
        settle(a, i, LK_OUTCOME_FAILED, a->unknown_status[i], a->unknown_attempts[i], false);
    }
    free(held);
}

static char *collective_body(apply_ctx *a, size_t b)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t k = 0; k < a->batch_len[b]; k++) {
        lk_plan_item *it = &a->plan->items[a->batches[b][k]];
        cJSON *o = cJSON_Parse(it->body);
        if (!o)
            continue;
        cJSON_AddStringToObject(o, "employmentId", it->employment_id);
        cJSON_AddItemToArray(arr, o);
    }
    char *s = cJSON_PrintUnformatted(arr);
    cJSON_Delete(arr);
    return s;
}

/* Groups the queue into batches of at most N records of one employer, keeping the records of
 * an employment together where they fit. */
static void make_batches(apply_ctx *a, int n)
{
    a->batches = xcalloc(a->nqueue + 1, sizeof *a->batches);
    a->batch_len = xcalloc(a->nqueue + 1, sizeof *a->batch_len);
    bool *taken = xcalloc(a->nqueue + 1, sizeof *taken);
    for (size_t s = 0; s < a->nqueue; s++) {
        if (taken[s])
            continue;
        const char *employer = a->plan->items[a->queue[s]].employer_id;
        size_t *b = xcalloc((size_t)n, sizeof *b);
        size_t len = 0;
        for (size_t t = s; t < a->nqueue && len < (size_t)n; t++) {
            lk_plan_item *it = &a->plan->items[a->queue[t]];
            if (taken[t] || strcmp(it->employer_id, employer))
                continue;
            taken[t] = true;
            b[len++] = a->queue[t];
        }
        a->batches[a->nbatches] = b;
        a->batch_len[a->nbatches++] = len;
    }
    free(taken);
}

/* ---------------------------------------------------------------- feeding the engine */

static void feed(apply_ctx *a)
{
    while (a->in_flight < a->window && !stopping(a) && !a->journal_failed) {
        if (a->o->collective > 0) {
            if (a->next_batch >= a->nbatches)
                return;
            batch_req *q = xcalloc(1, sizeof *q);
            q->a = a;
            q->batch = a->next_batch++;
            char *body = collective_body(a, q->batch);
            a->in_flight++;
            a->stats->requests++;
            lk_api_patch_collective_start(a->client,
                                          a->plan->items[a->batches[q->batch][0]].employer_id,
                                          body, on_collective, q);
            free(body);
        } else {
            if (a->next >= a->nqueue)
                return;
            one_req *q = xcalloc(1, sizeof *q);
            q->a = a;
            q->item = a->queue[a->next++];
            a->in_flight++;
            a->stats->requests++;
            lk_api_patch_period_data_start(a->client, a->plan->items[q->item].employment_id,
                                           a->plan->items[q->item].body, on_patch, q);
        }
    }
}

/* ---------------------------------------------------------------- run */

bool lk_apply_blocked(const lk_plan *p, const lk_apply_opts *o)
{
    return (p->errors > 0 && !o->allow_partial) || p->unread_file || p->totals_file;
}

static void not_sent(lk_plan_item *it, const char *why)
{
    if (why)
        lk_report_record_add_message(it->rec, LK_MSG_IMPORTER, "Info", false, 0, why, NULL);
    lk_report_record_set_result(it->rec, LK_OUTCOME_NOT_SENT, 0, 0);
}

lk_code lk_apply_run(lk_client *c, lk_plan *p, const lk_apply_opts *o, lk_journal *j,
                     lk_report *r, lk_apply_stats *stats, lk_error *err)
{
    apply_ctx a;
    memset(&a, 0, sizeof a);
    memset(stats, 0, sizeof *stats);
    stats->mismatches = -1;
    a.client = c;
    a.plan = p;
    a.o = o;
    a.journal = j;
    a.report = r;
    a.stats = stats;
    a.queue = xcalloc(p->nitems + 1, sizeof *a.queue);
    a.sent = xcalloc(p->nitems + 1, sizeof *a.sent);
    a.outcome_of = xcalloc(p->nitems + 1, sizeof *a.outcome_of);
    a.unknown = xcalloc(p->nitems + 1, sizeof *a.unknown);
    a.pending = xcalloc(p->nitems + 1, sizeof *a.pending);
    a.unknown_status = xcalloc(p->nitems + 1, sizeof *a.unknown_status);
    a.unknown_attempts = xcalloc(p->nitems + 1, sizeof *a.unknown_attempts);
    lk_code rc = LK_OK;

    bool strict_block = lk_apply_blocked(p, o);
    for (size_t i = 0; i < p->nitems; i++) {
        lk_plan_item *it = &p->items[i];
        if (it->error)
            continue;
        if (strict_block && p->unread_file) {
            char why[LK_ERROR_MSG_MAX];
            snprintf(why, sizeof why, _("not sent: %s could not be read to its end, and its unread "
                     "rows may belong to any employment, so nothing is sent, --allow-partial or "
                     "not (fix the file and run again)"), p->unread_file);
            not_sent(it, why);
            continue;
        }
        if (strict_block && p->totals_file) {
            char why[LK_ERROR_MSG_MAX];
            snprintf(why, sizeof why, _("not sent: the totals row of %s does not match its rows, "
                     "and which row is wrong cannot be told, so nothing is sent, --allow-partial "
                     "or not (fix the file and run again)"), p->totals_file);
            not_sent(it, why);
            continue;
        }
        if (strict_block) {
            not_sent(it, "not sent: the plan has errors and apply is strict (fix them, or use "
                         "--allow-partial to send the employments without errors)");
            continue;
        }
        if (it->blocked) {
            not_sent(it, NULL); /* the plan's message says why */
            continue;
        }
        const lk_journal_entry *done = j ? lk_journal_find(j, it->key) : NULL;
        if (done) {
            apply_journal_result(it->rec, done->result);
            stats->from_journal++;
            continue;
        }
        a.outcome_of[i] = it->planned;
        char ikey[600];
        snprintf(ikey, sizeof ikey, "intent:%s", it->key);
        const lk_journal_entry *intent = j ? lk_journal_find(j, ikey) : NULL;
        if (intent) {
            /* begun before the interruption, not confirmed: send again, report as planned then */
            const cJSON *oc = cJSON_GetObjectItemCaseSensitive(intent->result, "outcome");
            if (cJSON_IsString(oc))
                lk_outcome_parse(oc->valuestring, &a.outcome_of[i]);
            restore_old_values(it->rec,
                               cJSON_GetObjectItemCaseSensitive(intent->result, "old"));
            lk_report_record_set_result(it->rec, a.outcome_of[i], 0, 0);
            if (it->planned == LK_OUTCOME_UNCHANGED) {
                /* Loket already holds exactly this body: the earlier send arrived, only its
                 * answer was lost. Sending again would write the record twice. */
                lk_report_record_add_message(it->rec, LK_MSG_IMPORTER, "Info", false, 0,
                                             "confirmed on resume by reading Loket's current "
                                             "values: the answer to the earlier send was lost",
                                             NULL);
                if (j) {
                    cJSON *res = result_json(it->rec, a.outcome_of[i]);
                    lk_code jrc = lk_journal_append(j, it->key, it->body_sha256, res, err);
                    cJSON_Delete(res);
                    if (jrc != LK_OK) {
                        rc = jrc;
                        goto out;
                    }
                }
                stats->from_journal++;
                continue;
            }
        } else if (it->planned == LK_OUTCOME_UNCHANGED && !o->force) {
            continue;
        }
        a.queue[a.nqueue++] = i;
    }
    stats->to_send = a.nqueue;

    if (a.nqueue) {
        if (!j) {
            rc = lk_error_set(err, LK_ERR_INTERNAL, _("apply without a journal"));
            goto out;
        }
        /* intents first, durable, so a resume knows what may have reached Loket */
        for (size_t q = 0; q < a.nqueue; q++) {
            lk_plan_item *it = &p->items[a.queue[q]];
            char ikey[600];
            snprintf(ikey, sizeof ikey, "intent:%s", it->key);
            if (lk_journal_find(j, ikey))
                continue;
            cJSON *res = cJSON_CreateObject();
            cJSON_AddStringToObject(res, "outcome", lk_outcome_name(a.outcome_of[a.queue[q]]));
            cJSON_AddItemToObject(res, "old", old_values_json(it->rec));
            rc = lk_journal_append(j, ikey, it->body_sha256, res, err);
            cJSON_Delete(res);
            if (rc != LK_OK)
                goto out;
        }
        if ((rc = lk_journal_sync(j, err)) != LK_OK)
            goto out;

        a.progress = lk_progress_new(a.nqueue, o->quiet);
        int conc = lk_client_config(c)->concurrency;
        a.window = (size_t)(conc > 0 ? conc : 8) * 2;
        if (o->collective > 0)
            make_batches(&a, o->collective);
        feed(&a);
        rc = lk_client_run(c, err);
        if (a.nunknown)
            settle_unknown(&a);
        lk_progress_finish(a.progress);
        lk_progress_free(a.progress);
        if (rc != LK_OK)
            goto out;
        if (a.journal_failed) {
            *err = a.journal_err;
            rc = err->code;
            goto out;
        }
        if ((rc = lk_journal_sync(j, err)) != LK_OK)
            goto out;
        /* what the signal kept from starting */
        for (size_t q = 0; q < a.nqueue; q++) {
            size_t i = a.queue[q];
            if (a.sent[i] || p->items[i].rec->outcome == LK_OUTCOME_FAILED ||
                p->items[i].rec->outcome == LK_OUTCOME_REJECTED ||
                p->items[i].rec->outcome == LK_OUTCOME_NOT_SENT)
                continue;
            if (stopping(&a)) {
                not_sent(&p->items[i], "not sent: the run was interrupted; apply --resume sends it");
                stats->interrupted = true;
            }
        }
        if (stopping(&a))
            stats->interrupted = true;
    }
    if (j && !a.nqueue && stats->from_journal && (rc = lk_journal_sync(j, err)) != LK_OK)
        goto out;
    if (o->verify && !stats->interrupted) {
        bool *check = xcalloc(p->nitems + 1, sizeof *check);
        for (size_t i = 0; i < p->nitems; i++) {
            lk_outcome oc = p->items[i].rec->outcome;
            /* what Loket confirmed (now or in the journal) and what it already held */
            check[i] = !p->items[i].error && p->items[i].key &&
                       (oc == LK_OUTCOME_UNCHANGED || oc == LK_OUTCOME_CREATED ||
                        oc == LK_OUTCOME_UPDATED ||
                        (oc == LK_OUTCOME_REJECTED && p->items[i].rec->http_status > 0));
        }
        stats->mismatches = lk_plan_verify(c, p, check, err);
        free(check);
        if (stats->mismatches < 0) {
            rc = err->code;
            goto out;
        }
    }
    if (stats->interrupted)
        rc = lk_error_set(err, LK_ERR_INTERRUPTED,
                          _("interrupted: requests in flight finished and were journaled; run "
                          "apply --resume to send the rest"));
out:
    for (size_t b = 0; b < a.nbatches; b++)
        free(a.batches[b]);
    free(a.batches);
    free(a.batch_len);
    free(a.queue);
    free(a.sent);
    free(a.outcome_of);
    for (size_t i = 0; i < p->nitems; i++) {
        for (size_t m = 0; m < a.pending[i].n; m++) {
            free(a.pending[i].m[m].type);
            free(a.pending[i].m[m].description);
            free(a.pending[i].m[m].id);
        }
        free(a.pending[i].m);
    }
    free(a.pending);
    free(a.unknown);
    free(a.unknown_status);
    free(a.unknown_attempts);
    return rc;
}
