/*
 * plan_stages.h: what the stages of the plan share (private to src/engine/plan*.c).
 *
 * plan.c runs the stages in order; each has its own file:
 *   plan_lookup.c   entries' employee and period references -> employments, periods, components
 *   plan_records.c  entries -> records (employment x period x record key) with summed values
 *   plan_periods.c  records -> errors and warnings about the periods their dates fell into
 *   plan_listing.c  the records -> Loket's current state of each (listings, defaults)
 *   plan_outcome.c  records + current state -> plan items and report records with outcomes
 *   plan_body.c     a finished record -> its PATCH body
 *   plan_verify.c   a sent plan -> what Loket holds afterwards, compared
 *   plan_history.c  the records -> the same employments' earlier periods and contracts
 *   plan_signals.c  records + history -> plausibility signals in the report
 */
#ifndef LK_PLAN_STAGES_H
#define LK_PLAN_STAGES_H

#include "common/hashmap.h"
#include "common/period_name.h"
#include "engine/plan.h"
#include "mapping/checks.h"
#include "mapping/mapping.h"

#include <stdbool.h>
#include <stddef.h>

/* payslipText's maxLength in the request schema of both PATCH endpoints */
#define LK_PAYSLIP_TEXT_MAX 25

/* ================================================================ look-up state */

typedef struct comp_year {
    int year;
    lk_component_list *list;
    lk_error err;
    bool failed;
} comp_year;

typedef struct admin_info {
    char *id;
    char *name;
    char *employer_id;
    long client_number;
    char *period_type;
    lk_period_list *periods;
    lk_error periods_err;
    bool periods_failed, periods_wanted;
    comp_year *years;
    size_t nyears, years_alloc;
    const char *any_employment;   /* an employment id of this administration (metadata) */
    lk_component_set_list *sets;  /* NULL when not read: the listing asks per category */
    const lk_component_set *listing_set; /* the set covering every component of the file */
} admin_info;

typedef struct employer_info {
    char *id;
    char *name;
    lk_admin_list *admins;
    bool admins_failed, admins_wanted;
    lk_error admins_err;
    long *numbers;
    size_t nnumbers, numbers_alloc;
    lk_hashmap *numbers_seen;     /* the numbers above, for add_number */
    bool want_all;                /* an entry names an employment id: read every employment */
    bool employments_wanted;
    lk_employment_list *employments;
    bool employments_failed;
    lk_error employments_err;
    struct emp_index *by_number;  /* employments sorted by employee number, then list order */
    struct emp_index *by_id;      /* sorted by id (case-insensitive), then list order */
} employer_info;

/* An employment in a sorted index of its employer's list. */
typedef struct emp_index {
    long number;
    const char *id;
    size_t at;                    /* index in the employer's employment list */
} emp_index;

/* Period metadata per administration x period. */
typedef struct period_md {
    admin_info *admin;
    const lk_period *period;
    const lk_metadata *md;        /* the client's cache owns it */
    bool failed;
    lk_error err;
} period_md;

/* One listing query and its answer. */
typedef struct lk_plan_listing {
    char *admin_id;
    long period_id;
    long payslip_type;
    char filter_kind;             /* 'c' category, 'i' component id, 's' component set */
    long filter;
    char *set_id;                 /* 's' */
    bool for_defaults;            /* only read for the default record keys: verify skips it */
    lk_period_data_list *list;
    bool failed;
    lk_error err;
} plan_listing;

/* One employee reference x period reference as the input gave it: the unit of resolution. */
typedef struct unit {
    const lk_employee_ref *ref;   /* of the first entry */
    lk_period_ref period_ref;
    char label[16];
    employer_info *employer;
    long admin_client;            /* employment must be in this administration (0 = any) */
    const lk_employment *employment;
    admin_info *admin;
    const lk_period *period;
    period_md *pmd;
    bool failed;
    lk_error err;
} unit;

/* One record being built: employment x period x record key. */
typedef struct bucket {
    unit *u;                      /* the first unit (for who/when) */
    char *group_key;
    lk_ref mapped[LK_RK_COUNT];   /* as the input gave them (borrowed from entries) */
    const lk_meta_ref *resolved[LK_RK_COUNT]; /* mapped fields resolved; NULL = default */
    const char *payslip_text;
    bool text_conflict;
    /* components */
    struct bval {
        int key;
        lk_decimal value;
        bool value_null, is_supplement, overflow;
        int round;                /* of its first entry: applied once to the sum */
        bool has_min, has_max;    /* the mapping's range for the sum (of its first entry) */
        lk_decimal min, max;
        const lk_entry *first;    /* its first entry (where, for errors) */
        const char *column;
        const lk_component *comp;
    } *vals;
    size_t nvals, vals_alloc;
    const lk_entry **entries;
    size_t nentries, entries_alloc;
    /* errors of this record (importer messages) */
    char **errors;
    size_t nerrors, errors_alloc;
    bool input_error;
    /* finishing */
    const lk_period_data_record *defaults_line; /* listing line with id null: the defaults */
    const lk_period_data_record *existing;
    bool need_defaults;
    long alt_payslip_type;        /* another payslip type whose listing shows the defaults */
    bool defaults_from_alt;       /* defaults_line is of alt_payslip_type: not its payslip type */
    long payslip_type;
    size_t item;                  /* index in plan->items */
    size_t emp_index;
} bucket;

typedef struct plan_ctx {
    lk_client *client;
    const lk_entry_set *set;
    const lk_plan_opts *opts;
    lk_report *report;
    lk_plan *plan;

    lk_employer_list *employers;
    employer_info *emps;
    size_t nemps;
    employer_info *run_employer;  /* from --employer / config / the only one */
    long run_client_number;       /* --employer given as a client number: that administration */
    admin_info **admins;          /* each allocated on its own: units point at them */
    size_t nadmins, admins_alloc;

    unit *units;
    size_t nunits, units_alloc;
    size_t *entry_unit;           /* entry index -> unit index */

    period_md *pmds;
    size_t npmds, pmds_alloc;

    bucket *buckets;
    size_t nbuckets, buckets_alloc;
    lk_hashmap *bucket_by_key;

    /* defaults per employment id */
    lk_hashmap *defaults;         /* employment id -> lk_period_data_record* */
    lk_hashmap *components_used;  /* "key" -> (void*)1 */

    /* plausibility: the thresholds, and what Loket holds of earlier periods (plan_history.c) */
    const lk_checks *checks;
    struct plan_history *history;

    lk_error fatal;
    bool has_fatal;
    /* test hook (LOKET_IMPORT_SKIP_PRECHECKS=1): leave the business rules to Loket, so the
     * tests can show that Loket's own rejections reach the report intact */
    bool skip_checks;
} plan_ctx;

/* Listing lines of one employment for a period and payslip type, merged over the category
 * queries: lines of the same record (same key) come from several queries, each with some
 * components; they are merged into one record per key. */
typedef struct merged {
    char *employment_id;
    long period_id;
    long payslip_type;
    char *key_text;           /* record key text without period */
    lk_period_data_record rec;  /* components merged */
    size_t next_same;         /* next item of the same employment x period, index+1; 0: last */
} merged;

typedef struct merged_set {
    merged *items;
    size_t n, alloc;
    lk_hashmap *index;        /* "empid|period|payslip|key" -> index+1 */
    lk_hashmap *by_employment; /* "empid|period" -> index+1 of its first item (chained by
                                * next_same in listing order): a bucket finds its lines without
                                * scanning every line of the run */
} merged_set;

typedef struct final_key {
    const lk_meta_ref *f[LK_RK_COUNT];   /* NULL = null field */
    lk_meta_ref payslip_fallback;
    char fallback_text[24];              /* payslip_fallback's key_text */
} final_key;

typedef enum plan_key_status {
    PLAN_KEY_OK,
    PLAN_KEY_UNKNOWN,        /* a mapped code not known: its error is already on the bucket */
    PLAN_KEY_NO_DEFAULTS     /* the employment's defaults were needed but could not be read */
} plan_key_status;

/* ================================================================ plan_history.c */

typedef struct plan_history plan_history;
/* Reads the earlier periods' listings and the working hours (one round); a failed read that is
 * not a run error becomes a run warning. */
lk_code plan_read_history(plan_ctx *x, lk_error *err);
/* The earlier periods of target (not filled by the file), newest first, at most max. */
size_t plan_history_periods(const plan_ctx *x, const admin_info *ad, const lk_period *target,
                            size_t max, const lk_period **out);
const merged_set *plan_history_lines(const plan_ctx *x);
const lk_working_hours *plan_history_hours(const plan_ctx *x, const char *employment_id);
size_t plan_history_requests(const plan_ctx *x);
void plan_history_free(plan_history *h);

/* ================================================================ plan_signals.c */

/* The records (after plan_finish_records) and their history -> x->report->signals. */
void plan_derive_signals(plan_ctx *x);

/* ================================================================ plan.c: shared helpers */

void plan_set_fatal(plan_ctx *x, const lk_error *e);
/* A failure of a look-up that stops the whole run (no token, no connection, garbled answers). */
bool plan_is_run_error(lk_code code);
/* Runs the queued requests; the first run error of a callback is the result. */
lk_code plan_run(plan_ctx *x, lk_error *err);

/* ================================================================ plan_lookup.c */

lk_code plan_resolve_employers(plan_ctx *x, lk_error *err);
lk_code plan_build_units(plan_ctx *x, lk_error *err);
lk_code plan_fetch_employments(plan_ctx *x, lk_error *err);
lk_code plan_fetch_periods(plan_ctx *x, lk_error *err);
void plan_resolve_units(plan_ctx *x);
lk_code plan_fetch_period_metadata(plan_ctx *x, lk_error *err);
char *plan_unit_text(const lk_employee_ref *ref, const lk_period_ref *p);
/* A look-up Loket did not answer (5xx, 429, no connection after every retry) is no fault of
 * the file: the run stops with that error, to be tried again later. */
lk_code plan_stop_if_transient(plan_ctx *x, lk_error *err);
void plan_unit_fail(unit *u, lk_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const lk_component *plan_component_find(const admin_info *a, int year, long key);
/* The period as the administration names it: "2026-11", "2026-P12" or "2026-W47" (by its
 * dates); buf holds LK_PERIOD_NAME_MAX. */
const char *plan_period_code(const lk_period *p, char *buf);
/* Period `number` of `year` named the way period `like` (of the same administration) is. */
const char *plan_period_code_like(const lk_period *like, int year, int number, char *buf);

/* ================================================================ plan_records.c */

extern const char *const plan_rk_fields[LK_RK_COUNT];
/* Every entry into its record (bucket), values summed exactly (not rounded yet). */
void plan_build_records(plan_ctx *x);
/* The exact sums of each record rounded once, then checked as they will be sent. */
void plan_round_records(plan_ctx *x);
int plan_cmp_bval(const void *a, const void *b);

/* ================================================================ plan_periods.c */

/* --period naming a period number with a date column: every date in that period; a file whose
 * rows fall into several periods: a warning in the report. */
void plan_check_periods(plan_ctx *x);

/* ================================================================ plan_listing.c */

/* Reads the current state the records need into ms: listings, then the defaults where the
 * listing does not show them, then the listings of payslip types only the defaults revealed. */
lk_code plan_read_current_state(plan_ctx *x, merged_set *ms, lk_error *err);
void plan_start_listing(lk_client *c, plan_listing *l);
void plan_merge_listings(lk_plan *p, merged_set *ms);
void plan_merged_set_free(merged_set *ms);
/* The first line of an employment in a period (index+1, 0: none); next_same gives the rest. */
size_t plan_merged_first(const merged_set *ms, const char *employment_id, long period_id);
bool plan_line_has_values(const lk_period_data_record *r);

/* ================================================================ plan_outcome.c */

/* The complete record key of a bucket whose unit resolved: its mapped fields, the rest from the
 * employment's defaults (listing or defaults call). */
plan_key_status plan_final_key(plan_ctx *x, const bucket *b, final_key *k);
/* "employmentId/record key with period": the identity of the Loket record (allocated). */
char *plan_final_key_text(const bucket *b, const final_key *k);
/* Every record into a plan item and a report record with its planned outcome. */
void plan_finish_records(plan_ctx *x, const merged_set *ms);

/* ================================================================ plan_merge.c */

/* Buckets that end in the same Loket record once the defaults are known (a blank cost center
 * and the default's code) into one, their exact values summed; then every record's sums are
 * rounded once and checked against the mapping's limits. */
void plan_merge_records(plan_ctx *x);
/* Row issues into the report, on the records whose rows they are. */
void plan_place_issues(plan_ctx *x);
void plan_block_employments(plan_ctx *x);
void plan_count_errors(lk_plan *p, const lk_report *r);

/* ================================================================ plan_body.c */

char *plan_build_body(const bucket *b, const final_key *k);

#endif
