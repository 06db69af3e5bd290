/*
 * period_totals.h: dated entries -> totals per payroll period, where the periods are known
 * without Loket (the mapping says they are calendar months: "calendar": "month").
 *
 * Each record (employment x month x record key x component) is summed exactly and rounded once
 * with its component's "round", as the plan will; the totals add those records up per month
 * and component. Without "calendar" the periods are the administration's (4 weeks, weeks, or
 * months): only the plan, which reads Loket's calendar, can total them.
 */
#ifndef LK_PERIOD_TOTALS_H
#define LK_PERIOD_TOTALS_H

#include "mapping/entry.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct lk_period_total {
    int year, month;
    int component;
    lk_decimal total;
    unsigned long records;
    bool overflow;              /* the total left lk_decimal's range */
} lk_period_total;

/* The totals, sorted by month and component, or NULL with *n = 0 when the set holds no dated
 * entry of a calendar-month mapping. Free with free(). */
lk_period_total *lk_period_totals(const lk_entry_set *set, size_t *n);

/* True when the set holds dated entries whose periods only Loket knows. */
bool lk_period_totals_need_plan(const lk_entry_set *set);

#endif
