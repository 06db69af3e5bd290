/*
 * apply.h: sending a plan to Loket: the upserts (one PatchPayrollPeriodDataByEmploymentId per
 * record, or PatchCollectivePayrollPeriodDataByEmployerId batches), through the concurrent HTTP
 * engine, with every settled answer made durable in the journal before it counts as done.
 *
 * What is sent: records the plan marks created or updated (unchanged ones only with force), of
 * employments without any error. Strict by default: when the plan holds any error nothing is
 * sent. Resume: a record the journal confirms is not sent again and its journaled result goes
 * into the report; a record whose send was begun but not confirmed (an "intent" in the journal)
 * is sent again (the upsert of the same body is idempotent) and reported with the outcome the
 * original plan gave it, so the final report equals that of an uninterrupted run.
 */
#ifndef LK_APPLY_H
#define LK_APPLY_H

#include "common/error.h"
#include "engine/journal.h"
#include "engine/plan.h"
#include "loket/api.h"
#include "report/report.h"

#include <signal.h>
#include <stdbool.h>

typedef struct lk_apply_opts {
    bool allow_partial;         /* send the valid employments even when others have errors */
    bool force;                 /* send unchanged records too */
    int collective;             /* 0: per employment; N: collective calls of N records */
    bool verify;                /* read back and compare after sending */
    bool quiet;                 /* no progress line */
    volatile sig_atomic_t *stop;/* set by SIGINT/SIGTERM: start nothing new (may be NULL) */
} lk_apply_opts;

typedef struct lk_apply_stats {
    size_t to_send;             /* records the run had to send (not confirmed before) */
    size_t sent;                /* records sent in this run (answered) */
    size_t from_journal;        /* records taken from the journal (confirmed before) */
    size_t requests;            /* write requests made */
    long mismatches;            /* verify: records that differ (-1: verify not run) */
    bool interrupted;
} lk_apply_stats;

/*
 * Sends what the plan says into Loket and completes the plan's report records. journal may be
 * NULL only when nothing will be sent (a plan with errors in strict mode). Returns LK_OK, or
 * LK_ERR_INTERRUPTED when stopped by a signal (the report then says what was not sent), or a run
 * error (journal I/O) in err.
 */
lk_code lk_apply_run(lk_client *c, lk_plan *p, const lk_apply_opts *o, lk_journal *j,
                     lk_report *r, lk_apply_stats *stats, lk_error *err);

/* Whether apply would send anything at all (used to decide on opening the journal). */
bool lk_apply_blocked(const lk_plan *p, const lk_apply_opts *o);

#endif
