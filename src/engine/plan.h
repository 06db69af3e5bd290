/*
 * plan.h: the import plan: mapped entries resolved against Loket and compared with what Loket
 * holds, as the exact PATCH bodies that apply would send.
 *
 * lk_plan_build() does every look-up (employers, administrations, employments, periods,
 * components, period metadata, the administration-level period data listing, and the
 * employment defaults only where the listing and the mapping leave a record key open), all
 * through the concurrent HTTP engine, and fills the report: one record per employment x period x
 * record key with its outcome-to-be (created / updated / unchanged), old -> new values, the
 * values Loket holds that the file leaves out, and every error with the input rows it came from.
 * It sends nothing that writes.
 */
#ifndef LK_PLAN_H
#define LK_PLAN_H

#include "common/error.h"
#include "loket/api.h"
#include "mapping/entry.h"
#include "report/report.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct lk_plan_opts {
    const char *employer;       /* --employer (id, employer number, name or client number) or
                                 * the configuration's default; NULL = from the input */
    bool force;                 /* unchanged records are sent anyway */
    const struct lk_checks *checks; /* plausibility thresholds; NULL = the defaults */
} lk_plan_opts;

/* One record to (maybe) send: the unit of the PATCH, the journal and the report. */
typedef struct lk_plan_item {
    char *employment_id;
    char *employer_id;
    char *key;                  /* employment id + "/" + record key text: the journal key */
    char *body;                 /* PATCH body (one record object), NULL when not sendable */
    char body_sha256[65];
    lk_outcome planned;         /* CREATED, UPDATED, UNCHANGED (or REJECTED: error) */
    bool blocked;               /* its employment has an error elsewhere: not sendable */
    bool error;                 /* an error of its own */
    size_t employment_index;    /* items of one employment share it */
    lk_report_record *rec;      /* its report record (owned by the report) */
    /* for verify: what Loket must hold afterwards */
    long admin_period_id;
    char *admin_id;
    long payslip_type;
} lk_plan_item;

typedef struct lk_plan {
    lk_plan_item *items;
    size_t nitems, items_alloc;
    size_t errors;              /* items with errors (and issues that are errors) */
    size_t employments;         /* distinct employments resolved */
    size_t defaults_fetched;    /* employment defaults calls made */
    /* A file of the run that could not be read to its end (or at all): its unread rows may
     * belong to any employment, so nothing is sent, --allow-partial or not. NULL: none. */
    char *unread_file;
    /* A file whose own totals row disagrees with its rows: which row is wrong cannot be told, so
     * nothing is sent either, --allow-partial or not. NULL: none. */
    char *totals_file;
    /* the listing queries used (for verify) */
    struct lk_plan_listing *listings;
    size_t nlistings, listings_alloc;
} lk_plan;

/*
 * Builds the plan for the entries into report r (records and issues). Returns LK_OK when the
 * plan could be made (it may still hold errors: plan->errors); otherwise a run error (auth,
 * connection, protocol) in err.
 */
lk_code lk_plan_build(lk_client *c, const lk_entry_set *set, const lk_plan_opts *opts,
                      lk_report *r, lk_plan **out, lk_error *err);
void lk_plan_free(lk_plan *p);

/* Reads back the listing and compares every sent item with Loket's values; a difference becomes
 * a message on the item's record and the outcome FAILED. A record reported rejected is checked
 * the other way: Loket must not hold its change. Returns mismatches found (or -1 on a run error,
 * err set). only: items with sent[i] true. */
long lk_plan_verify(lk_client *c, lk_plan *p, const bool *sent, lk_error *err);

/* What Loket holds of an item's values, read back. */
typedef enum lk_held {
    LK_HELD_UNKNOWN = 0,        /* not read, or nothing to compare (supplements only) */
    LK_HELD_YES,                /* every value as sent */
    LK_HELD_NO,                 /* none of them, or none of those it changes */
    LK_HELD_PARTLY              /* some */
} lk_held;

/* Reads the listings again and says, for each item with which[i], what Loket holds of it (into
 * held[i]); the report is not touched. A run error in err. */
lk_code lk_plan_read_back(lk_client *c, lk_plan *p, const bool *which, lk_held *held,
                          lk_error *err);

#endif
