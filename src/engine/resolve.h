/*
 * resolve.h: the pure decisions of resolving mapped entries against Loket's data, kept apart
 * from the network so they can be tested exactly:
 *   - which payroll period of an administration a period reference means (month, period
 *     number, or a date bucketed into the administration's own calendar);
 *   - which employment of an employee is the one active in that period;
 *   - a record key field given by key or code -> the metadata option;
 *   - the canonical text of a record key (journal keys, grouping);
 *   - the diff of planned component values against what Loket holds.
 */
#ifndef LK_RESOLVE_H
#define LK_RESOLVE_H

#include "common/decimal.h"
#include "common/error.h"
#include "loket/api.h"
#include "mapping/entry.h"

#include <stdbool.h>
#include <stddef.h>

/*
 * The period of `periods` (one administration's calendar) that ref names. admin_name and
 * period_type (may be NULL) only word the errors. A month of an administration whose periods are
 * not calendar months is an error telling the user to give a period number or a date column.
 * Returns NULL with err set (LK_ERR_NOT_FOUND or LK_ERR_INPUT).
 */
const lk_period *lk_period_pick(const lk_period_list *periods, const lk_period_ref *ref,
                                const char *admin_name, const char *period_type, lk_error *err);

/* A candidate employment with the period it would be booked in (NULL: its administration has no
 * such period; why is in period_error). */
typedef struct lk_employment_candidate {
    const lk_employment *employment;
    const lk_period *period;
    const char *period_error;
} lk_employment_candidate;

/*
 * The employment of employee `number` active in its period: of the candidates, those active
 * (startDate <= period end and (no endDate or endDate >= period start)); when several, the one
 * with the given payrollId / incomeRelationshipNumber (0 = not given). Returns the index into
 * cands, or -1 with err naming the employee, the period and (when several) the candidates.
 * period_label is how the input named the period ("2026-11").
 */
int lk_employment_choose(const lk_employment_candidate *cands, size_t n, long number,
                         long payroll_id, long income_relationship, const char *period_label,
                         lk_error *err);

/*
 * The metadata option a mapped record key field names: LK_REF_KEY matches the option's key
 * (number or text); LK_REF_CODE matches its code, then its description (shift and payslip type
 * are known by description, distribution units by their description in some administrations),
 * case-insensitively. NULL when none.
 */
const lk_meta_ref *lk_meta_option_find(const lk_metadata *md, const char *field,
                                       const lk_ref *ref);

/* The five record key fields as resolved keys, in Loket's order. key_text NULL = null field. */
typedef struct lk_key_fields {
    const char *shift, *payslip_type, *distribution_unit, *cost_center, *cost_unit;
} lk_key_fields;

/* "202611|shift=1|payslipType=1|distributionUnit=-|costCenter=2|costUnit=-" into a new string. */
char *lk_record_key_text(long period_id, const lk_key_fields *k);

/* ---------------------------------------------------------------- diff */

typedef struct lk_diff_value {
    int key;
    bool value_null;        /* planned: send null (remove) */
    lk_decimal value;
    bool is_supplement;
    /* filled by lk_diff_values: */
    bool has_old;           /* Loket holds a value */
    lk_decimal old;
    bool changed;
} lk_diff_value;

typedef enum lk_diff_result {
    LK_DIFF_CREATE,         /* no record yet */
    LK_DIFF_CHANGE,         /* a record exists and at least one value differs */
    LK_DIFF_SAME            /* every planned value is already held */
} lk_diff_result;

/*
 * Compares planned values with an existing record (NULL: none, everything is created). A value counts as unchanged when
 * Loket holds the same number with the same isSupplement, or when null is planned and Loket
 * holds nothing. A payslip text to send (non-NULL) that differs from the held one (held_text
 * known only when text_known) is a change.
 */
lk_diff_result lk_diff_values(lk_diff_value *vals, size_t n, const lk_period_data_record *existing,
                              const char *payslip_text, bool text_known, const char *held_text);

/* Dates: "YYYY-MM-DD" of year/month/day into buf (>= 11 bytes). */
char *lk_date_text(int year, int month, int day, char *buf);

#endif
