/*
 * query.h: the list query parameters of the Loket API over JSON items: `filter`
 * (`employee.employeeNumber eq 1007 and payrollId eq 2`; eq ne lk gt ge lt le, and/or,
 * parentheses, nested fields), `orderBy` (`-startDate,employee.employeeNumber`) and paging
 * (`pageNumber`, `pageSize`).
 */
#ifndef SIM_QUERY_H
#define SIM_QUERY_H

#include <cJSON.h>
#include <stdbool.h>

typedef struct sim_filter sim_filter;

/* Parses a filter expression; NULL with a reason in err when malformed. */
sim_filter *sim_filter_parse(const char *text, char *err, size_t errlen);
void sim_filter_free(sim_filter *f);
bool sim_filter_match(const sim_filter *f, const cJSON *item);

/* Removes from array every item the filter rejects. */
void sim_filter_apply(const sim_filter *f, cJSON *array);
/* Sorts array by an orderBy expression; false with err when malformed. Stable. */
bool sim_order_apply(const char *order_by, cJSON *array, char *err, size_t errlen);
/* The value at a dotted path ("employee.employeeNumber"); NULL when absent. */
const cJSON *sim_json_path(const cJSON *item, const char *path);

#endif
