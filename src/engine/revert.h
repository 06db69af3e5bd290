/*
 * revert.h: putting back what Loket held before an apply, from that run's folder.
 *
 * The run's plan (plan.json: each record's body and the values Loket held before) and its
 * journal (what Loket confirmed, and the intents of what was being sent when it stopped) say
 * which records the run created or changed. For each, Loket's current record is read
 * (GetPayrollPeriodDataByEmploymentId) and compared:
 *   - it holds what it held before the run: nothing to do (also after a resumed revert);
 *   - it holds what the run sent: restore: a record the run created is deleted
 *     (DeletePayrollPeriodDataByPayrollPeriodDataId), a changed one gets its old values back by
 *     PATCH (a component that had no value before is sent as null, which removes it);
 *   - anything else (someone changed it after the run): refused, naming the difference, unless
 *     force, which restores it anyway.
 * Sending is journaled like apply (key -> result) so an interrupted revert resumes without
 * sending twice what Loket confirmed.
 */
#ifndef LK_REVERT_H
#define LK_REVERT_H

#include "common/error.h"
#include "engine/journal.h"
#include "loket/api.h"

#include <cJSON.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum lk_revert_action {
    LK_REVERT_NOTHING = 0,      /* Loket holds what it held before the run */
    LK_REVERT_RESTORE,          /* PATCH the old values back */
    LK_REVERT_DELETE,           /* the run created it: DELETE */
    LK_REVERT_REFUSED           /* changed in Loket after the run (without force) */
} lk_revert_action;

typedef enum lk_revert_outcome {
    LK_REVERT_PLANNED = 0,      /* not sent (yet) */
    LK_REVERT_DONE,             /* Loket confirmed */
    LK_REVERT_REJECTED,         /* Loket refused (messages) */
    LK_REVERT_FAILED,           /* no trustworthy answer: --resume tries again */
    LK_REVERT_NOT_SENT          /* stopped before it was sent */
} lk_revert_outcome;

typedef struct lk_revert_item {
    char *key;                  /* the run's journal key: employment id / record key */
    char *employment_id;
    long employee_number;
    char *employee_name;
    char *period;               /* "2026-P11" */
    int year, period_number;
    int period_type;            /* lk_period_type of the plan, 0 = not known */
    bool created;               /* the run created the record */
    const cJSON *components;    /* the plan's components [{key, name, old, new, ...}] (plan owns) */
    char *cost_center;          /* "KP01 Productie" as the plan names it, or NULL */
    const cJSON *body;          /* the run's body (plan owns) */
    char *record_id;            /* Loket's id of the record now; NULL = none */
    lk_revert_action action;
    bool forced;                /* changed after the run, restored because of force */
    char *detail;               /* what will be restored, or what changed since */
    char *request_body;         /* the PATCH of a restore */
    lk_revert_outcome outcome;
    bool from_journal;          /* confirmed by an earlier (interrupted) revert */
    long status;
    char *message;              /* Loket's messages or the failure */
} lk_revert_item;

typedef struct lk_revert {
    cJSON *plan;                /* the run's plan.json (owned) */
    lk_revert_item *items;
    size_t n, alloc;
    size_t skipped_unsent;      /* records of the plan the run never wrote */
} lk_revert;

/*
 * Reads the run's plan text and journal text (either may be large) and lists the records the
 * run created or changed: confirmed created/updated, and those it had begun sending (an
 * intent, or a failed answer) when it stopped. LK_ERR_INPUT when the plan is not one.
 */
lk_code lk_revert_load(const char *plan_text, size_t plan_len, const char *journal_text,
                       size_t journal_len, lk_revert **out, lk_error *err);
/* Reads Loket's current records and decides every item's action. */
lk_code lk_revert_plan(lk_client *c, lk_revert *rv, bool force, lk_error *err);
/* Sends the restores and deletes (what the journal confirms is not sent again, its result is
 * taken); journal may be NULL only when nothing is to be sent. Returns LK_OK,
 * LK_ERR_INTERRUPTED when stopped, or a run error (journal I/O). */
lk_code lk_revert_apply(lk_client *c, lk_revert *rv, lk_journal *j,
                        volatile sig_atomic_t *stop, int window, lk_error *err);
void lk_revert_free(lk_revert *rv);

const char *lk_revert_action_name(lk_revert_action a);
const char *lk_revert_outcome_name(lk_revert_outcome o);

#endif
