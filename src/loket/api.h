/*
 * api.h: the Loket look-ups and writes the importer needs, as plain C structs.
 *
 * An lk_client bundles the configuration, the token store, the HTTP engine and the per-run
 * caches. Every call comes in two forms:
 *   - asynchronous, lk_api_*_start(client, ..., callback, userdata): queued on the engine,
 *     the callback runs from inside lk_client_run(); hundreds may be queued at once and run
 *     cfg->concurrency at a time. List look-ups read page 1, then every further page in
 *     parallel, and call back once with the whole list.
 *   - synchronous, lk_api_*(client, ..., &result, err): start + run, for commands. The run
 *     drives everything queued, so requests queued earlier complete (and call back) too.
 * Results handed to callbacks belong to the callback (free them with their *_free), except
 * metadata, which the client caches per administration (and period) and frees itself.
 *
 * Paths and versions follow loket-payroll-api.json; every list request sets pageSize.
 */
#ifndef LK_API_H
#define LK_API_H

#include "common/decimal.h"
#include "common/error.h"
#include "loket/config.h"
#include "loket/envelope.h"
#include "loket/http.h"
#include "loket/tokens.h"
#include "loket/trace.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct lk_client lk_client;

/* ---------------------------------------------------------------- client */

/* Opens the token store and the engine. trace may be NULL; cfg, trace outlive the client. */
lk_code lk_client_new(const lk_config *cfg, lk_trace *trace, lk_client **out, lk_error *err);
void lk_client_free(lk_client *c);
/* Drives every queued request to completion (see lk_http_run). */
lk_code lk_client_run(lk_client *c, lk_error *err);
lk_http *lk_client_http(lk_client *c);
lk_tokens *lk_client_tokens(lk_client *c);
const lk_config *lk_client_config(const lk_client *c);

/* ---------------------------------------------------------------- results */

typedef struct lk_user {
    char *first_name, *prefix, *last_name, *initials, *email, *role;   /* any may be NULL */
} lk_user;
void lk_user_free(lk_user *u);

typedef struct lk_employer {
    char *id;
    char *company_name;
    long employer_number;   /* 0 when absent */
} lk_employer;
typedef struct lk_employer_list {
    lk_employer *items;
    size_t n;
} lk_employer_list;
void lk_employer_list_free(lk_employer_list *l);

typedef struct lk_admin {
    char *id;
    char *employer_id;      /* the employer it was listed under */
    char *name;
    char *description;      /* may be NULL */
    long client_number;     /* 0 when absent */
    long period_type_key;   /* payrollPeriodType.key */
    char *period_type;      /* payrollPeriodType.value ("month", "4 weeks", "week"), may be NULL */
    char start_date[11];    /* "" when absent */
    char end_date[11];      /* "" = open-ended */
} lk_admin;
typedef struct lk_admin_list {
    lk_admin *items;
    size_t n;
} lk_admin_list;
void lk_admin_list_free(lk_admin_list *l);

typedef struct lk_employment {
    char *id;               /* employment uuid: the PATCH target */
    char *employee_id;      /* may be NULL */
    long employee_number;
    char *formatted_name;   /* may be NULL; may contain anything (formula injection!) */
    long payroll_id;        /* 0 when absent */
    long income_relationship_number; /* 0 when absent */
    char start_date[11];    /* "" when absent */
    char end_date[11];      /* "" = still employed */
    char *admin_id;         /* payrollAdministration.id, may be NULL */
    char *admin_name;
    long admin_client_number;
} lk_employment;
typedef struct lk_employment_list {
    lk_employment *items;
    size_t n;
} lk_employment_list;
void lk_employment_list_free(lk_employment_list *l);
/* True when the employment covers any day of [start, end] (dates "YYYY-MM-DD"). */
bool lk_employment_active(const lk_employment *e, const char *start, const char *end);

typedef struct lk_period {
    long id;                /* year*100+periodNumber, e.g. 202611 */
    int year;
    int period_number;
    char start_date[11];
    char end_date[11];
    long period_type_key;
    bool approved;          /* some payroll run has payrollRunStatus.key 9: closed */
    int payroll_runs;
} lk_period;
typedef struct lk_period_list {
    lk_period *items;
    size_t n;
} lk_period_list;
void lk_period_list_free(lk_period_list *l);

typedef struct lk_component {
    long key;
    char *description;      /* never NULL */
    bool can_be_supplemented;
    bool collective_possible;
    long category_key;
    char *category;         /* may be NULL */
    long deduction_or_payment_key;
    char *deduction_or_payment; /* may be NULL */
} lk_component;
typedef struct lk_component_list {
    lk_component *items;
    size_t n;
} lk_component_list;
void lk_component_list_free(lk_component_list *l);

/* A payroll component set (availablepayrollcomponentsets): a named group of components, used
 * to ask the administration-level listing for all of them at once. */
typedef struct lk_component_set {
    char *id;
    char *description;      /* may be NULL */
    bool is_default;        /* isDefaultForPayrollPeriodData */
    long *keys;             /* component keys in the set */
    size_t nkeys;
} lk_component_set;
typedef struct lk_component_set_list {
    lk_component_set *items;
    size_t n;
} lk_component_set_list;
void lk_component_set_list_free(lk_component_set_list *l);

/* Metadata: per field ("payrollComponent", "costCenter", "costUnit", "distributionUnit",
 * "shift", "payslipType"), the allowed options. Shapes are not in the official document;
 * accepted: content (or the root) as {field: [options]} or [{field, options: [...]}], options as
 * {key, value} / {key, code, description} / {shiftNumber, ...}. */
typedef struct lk_metadata_field {
    char *name;
    lk_meta_ref *options;
    size_t n;
} lk_metadata_field;
typedef struct lk_metadata {
    lk_metadata_field *fields;
    size_t n;
} lk_metadata;
void lk_metadata_free(lk_metadata *m);
/* Parses a metadata answer body (tolerant; LK_ERR_PROTOCOL when nothing sensible is found). */
lk_code lk_metadata_parse(const lk_envelope *env, lk_metadata **out, lk_error *err);
const lk_metadata_field *lk_metadata_field_get(const lk_metadata *m, const char *name);
/* The option whose key text, else code, else description equals s (case-insensitive); NULL. */
const lk_meta_ref *lk_metadata_option(const lk_metadata *m, const char *field, const char *s);

/* A payroll component value in a record. */
typedef struct lk_component_value {
    long key;
    char *description;      /* may be NULL */
    bool has_value;         /* false: value null */
    lk_decimal value;
    bool has_supplement;    /* isSupplement present */
    bool is_supplement;
} lk_component_value;

/* The record key and contents of one payroll-period-data record (defaults, listings). */
typedef struct lk_period_data_record {
    char *id;               /* record id when the server gives one; may be NULL */
    char *employment_id;    /* may be NULL (defaults) */
    long employee_number;
    char *formatted_name;
    long payroll_id;
    long income_relationship_number;
    int year;               /* payrollPeriod.year, 0 when absent (defaults) */
    int period_number;
    lk_meta_ref shift, payslip_type, distribution_unit, cost_center, cost_unit;
    char *payslip_text;     /* may be NULL */
    lk_component_value *components;
    size_t ncomponents;
} lk_period_data_record;
typedef struct lk_period_data_list {
    lk_period_data_record *items;
    size_t n;
} lk_period_data_list;
void lk_period_data_record_clear(lk_period_data_record *r);
void lk_period_data_record_free(lk_period_data_record *r);
void lk_period_data_list_free(lk_period_data_list *l);
/* Parses one record object (tolerant; LK_ERR_PROTOCOL when it is not an object or a component
 * value is not a number). */
lk_code lk_period_data_record_parse(const cJSON *obj, lk_period_data_record *out, lk_error *err);

/* The outcome of any call, handed to callbacks. */
typedef struct lk_api_result {
    lk_code code;           /* LK_OK; LK_ERR_REJECTED (400 with messages), LK_ERR_NOT_FOUND
                             * (404), LK_ERR_AUTH (401 after refresh, 403), LK_ERR_CONFLICT (409),
                             * LK_ERR_HTTP (other status), LK_ERR_NETWORK, LK_ERR_PROTOCOL */
    lk_error err;           /* the reason when code != LK_OK */
    long status;
    int attempts;           /* of the last request (lists: the worst page) */
    double latency_ms;
    const lk_envelope *envelope; /* writes and single objects: the parsed answer (messages!);
                                  * NULL for lists and when unreadable. Valid in the callback. */
} lk_api_result;

/* ---------------------------------------------------------------- look-ups */

typedef void (*lk_user_fn)(const lk_api_result *r, lk_user *user, void *ud);
typedef void (*lk_employers_fn)(const lk_api_result *r, lk_employer_list *list, void *ud);
typedef void (*lk_admins_fn)(const lk_api_result *r, lk_admin_list *list, void *ud);
typedef void (*lk_employments_fn)(const lk_api_result *r, lk_employment_list *list, void *ud);
typedef void (*lk_periods_fn)(const lk_api_result *r, lk_period_list *list, void *ud);
typedef void (*lk_components_fn)(const lk_api_result *r, lk_component_list *list, void *ud);
typedef void (*lk_component_sets_fn)(const lk_api_result *r, lk_component_set_list *list,
                                     void *ud);
typedef void (*lk_record_fn)(const lk_api_result *r, lk_period_data_record *rec, void *ud);
typedef void (*lk_metadata_fn)(const lk_api_result *r, const lk_metadata *md, void *ud);
typedef void (*lk_period_data_fn)(const lk_api_result *r, lk_period_data_list *list, void *ud);
typedef void (*lk_write_fn)(const lk_api_result *r, void *ud);

/* The list pointers handed to callbacks are NULL on failure; on success the callee owns them. */

void lk_api_user_start(lk_client *c, lk_user_fn cb, void *ud);
void lk_api_employers_start(lk_client *c, lk_employers_fn cb, void *ud);
void lk_api_admins_start(lk_client *c, const char *employer_id, lk_admins_fn cb, void *ud);
/*
 * employee_numbers (n of them, may be NULL): when few (<= 20), the request carries the filter
 * "employee.employeeNumber eq A or employee.employeeNumber eq B ..."; otherwise every employment
 * is read and the list is cut to the numbers asked for.
 */
void lk_api_employments_start(lk_client *c, const char *employer_id,
                              const long *employee_numbers, size_t n, lk_employments_fn cb,
                              void *ud);
void lk_api_periods_start(lk_client *c, const char *admin_id, lk_periods_fn cb, void *ud);
void lk_api_components_start(lk_client *c, const char *admin_id, int year, lk_components_fn cb,
                             void *ud);
/* The payroll component sets available in an administration (all pages). */
void lk_api_component_sets_start(lk_client *c, const char *admin_id, lk_component_sets_fn cb,
                                 void *ud);
void lk_api_defaults_start(lk_client *c, const char *employment_id, lk_record_fn cb, void *ud);
/* Metadata of the PATCH resource: fetched with any employment of the administration, cached
 * per admin_id (and per admin_id + year + period for the period-specific one). Concurrent
 * asks for the same key share one request. The callback may run before *_start returns when
 * the answer is cached. */
void lk_api_metadata_start(lk_client *c, const char *admin_id, const char *employment_id,
                           lk_metadata_fn cb, void *ud);
void lk_api_period_metadata_start(lk_client *c, const char *admin_id,
                                  const char *employment_id, int year, int period_number,
                                  lk_metadata_fn cb, void *ud);
/*
 * The administration-level listing of one period's data (every employment). payslip_type is
 * required by Loket; exactly one of component_set / component_category / component_id should be
 * given (the others NULL); values are passed through as the API expects them.
 */
typedef struct lk_period_data_query {
    const char *admin_id;
    long period_id;             /* 202611 */
    long payslip_type;          /* 1 = normal */
    const char *component_set;
    const char *component_category;
    const char *component_id;
} lk_period_data_query;
void lk_api_period_data_start(lk_client *c, const lk_period_data_query *q, lk_period_data_fn cb,
                              void *ud);

/*
 * One employment's payroll period data records (GetPayrollPeriodDataByEmploymentId), every
 * page; filter (may be NULL) is passed as Loket's filter, e.g.
 * "payrollPeriod.year eq 2026 and payrollPeriod.periodNumber eq 11". For reading back what
 * an import wrote.
 */
void lk_api_employment_period_data_start(lk_client *c, const char *employment_id,
                                         const char *filter, lk_period_data_fn cb, void *ud);

/*
 * Every employment's working hours on reference_date ("YYYY-MM-DD"; NULL: Loket's today) of one
 * employer (GetActualWorkingHoursByEmployerId), every page: what the contract allows.
 */
typedef struct lk_working_hours {
    char *employment_id;
    bool has_hours;             /* false: none given, or a flexible (on-call, min/max) contract */
    bool flexible;
    double hours_per_week;
} lk_working_hours;
typedef struct lk_working_hours_list {
    lk_working_hours *items;
    size_t n;
} lk_working_hours_list;
void lk_working_hours_list_free(lk_working_hours_list *l);
typedef void (*lk_working_hours_fn)(const lk_api_result *r, lk_working_hours_list *list, void *ud);
void lk_api_working_hours_start(lk_client *c, const char *employer_id, const char *reference_date,
                                lk_working_hours_fn cb, void *ud);

/* ---------------------------------------------------------------- writes */

/*
 * The JSON body of a PATCH for one record: payrollPeriod {year, periodNumber} (when year is
 * set), shift {shiftNumber}, payslipType / distributionUnit / costCenter / costUnit {key} (a
 * number, or the text key such as a distribution unit's uuid). Absent fields: costCenter and
 * costUnit (nullable in the official schema) are sent as null; shift, payslipType and
 * distributionUnit (not nullable) are left out so Loket applies its default. payslipText
 * when set, and payrollComponents [{payrollComponent {key}, value, isSupplement}] with values
 * written from lk_decimal exactly (151.5, never 151.49999) and value null only where !has_value.
 * with_employment_id adds "employmentId" (the collective PATCH). Caller frees.
 * Typical use: take the defaults record, set year/period_number and the components, build.
 */
char *lk_period_data_body(const lk_period_data_record *r, bool with_employment_id);


/*
 * PatchPayrollPeriodDataByEmploymentId: json_body is the exact body (a record object with
 * payrollPeriod, the record key fields and payrollComponents); it is copied. The upsert is
 * idempotent for the same body, so the engine retries it after a dropped connection.
 * The callback's r->envelope holds Loket's messages (warnings on success too).
 */
void lk_api_patch_period_data_start(lk_client *c, const char *employment_id,
                                    const char *json_body, lk_write_fn cb, void *ud);
/* DeletePayrollPeriodDataByPayrollPeriodDataId: removes one record (its id from a listing).
 * A retry after a lost answer may see 404: the record is gone either way. */
void lk_api_delete_period_data_start(lk_client *c, const char *record_id, lk_write_fn cb,
                                     void *ud);
/* PatchCollectivePayrollPeriodDataByEmployerId: json_body is an array of records each with
 * employmentId; per-item failures come back as messages whose id names the employment. */
void lk_api_patch_collective_start(lk_client *c, const char *employer_id,
                                   const char *json_body, lk_write_fn cb, void *ud);

/* ---------------------------------------------------------------- synchronous forms */

lk_code lk_api_user(lk_client *c, lk_user **out, lk_error *err);
lk_code lk_api_employers(lk_client *c, lk_employer_list **out, lk_error *err);
lk_code lk_api_admins(lk_client *c, const char *employer_id, lk_admin_list **out,
                      lk_error *err);
lk_code lk_api_employments(lk_client *c, const char *employer_id, const long *numbers,
                           size_t n, lk_employment_list **out, lk_error *err);
lk_code lk_api_periods(lk_client *c, const char *admin_id, lk_period_list **out, lk_error *err);
lk_code lk_api_components(lk_client *c, const char *admin_id, int year,
                          lk_component_list **out, lk_error *err);
lk_code lk_api_defaults(lk_client *c, const char *employment_id, lk_period_data_record **out,
                        lk_error *err);
/* The returned metadata belongs to the client's cache: do not free. */
lk_code lk_api_metadata(lk_client *c, const char *admin_id, const char *employment_id,
                        const lk_metadata **out, lk_error *err);
lk_code lk_api_period_metadata(lk_client *c, const char *admin_id, const char *employment_id,
                               int year, int period_number, const lk_metadata **out,
                               lk_error *err);
lk_code lk_api_period_data(lk_client *c, const lk_period_data_query *q,
                           lk_period_data_list **out, lk_error *err);
lk_code lk_api_employment_period_data(lk_client *c, const char *employment_id,
                                      const char *filter, lk_period_data_list **out,
                                      lk_error *err);

/* Finds an employer by id, employer number or company name (case-insensitive). */
const lk_employer *lk_employer_find(const lk_employer_list *l, const char *what);

#endif
