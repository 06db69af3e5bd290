/*
 * store.h: loket-sim's world: the fixture's employers, administrations, periods, components and
 * employments (read-only after loading), and the payroll period data records (read-write).
 *
 * Entities keep a pointer to their fixture JSON object, which is what the API answers with
 * (minus the fixture's own "sim*" keys); the typed fields beside it are what the rules need.
 * Nothing here locks: the caller (routes.c) holds the simulator's one mutex.
 */
#ifndef SIM_STORE_H
#define SIM_STORE_H

#include "common/decimal.h"

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#define SIM_UUID_LEN 36
#define SIM_DATE_LEN 10

typedef struct sim_employer {
    const char *id;
    bool visible; /* false: the fixture's user may not see it (403) */
    cJSON *json;
} sim_employer;

typedef struct sim_period {
    int id; /* year * 100 + periodNumber */
    int year;
    int number;
    char start[SIM_DATE_LEN + 1];
    char end[SIM_DATE_LEN + 1];
    bool closed; /* has a payroll run with payrollRunStatus.key 9 (approved) */
    cJSON *json;
} sim_period;

typedef struct sim_admin {
    const char *id;
    sim_employer *employer;
    cJSON *json;
    sim_period *periods;
    size_t nperiods;
    cJSON *components_by_year; /* {"2026": [10, 11, ...]} */
    cJSON *component_sets;     /* [{id, description, ..., payrollComponents: [keys]}] */
    cJSON *metadata;           /* {costCenter: [...], costUnit, distributionUnit, shift, payslipType} */
} sim_admin;

typedef struct sim_component {
    int key;
    int category;
    bool can_supplement;
    lk_decimal min, max;
    int decimals;
    cJSON *json;
} sim_component;

typedef struct sim_employment {
    const char *id;
    sim_employer *employer;
    sim_admin *admin;
    int employee_number;
    char start[SIM_DATE_LEN + 1];
    char end[SIM_DATE_LEN + 1]; /* "" = no end date */
    int cost_center;            /* default cost center key, 0 = none */
    cJSON *working_hours;       /* fixture "simWorkingHours" (GetActualWorkingHours'
                                 * workingHours), NULL = none */
    cJSON *json;
} sim_employment;

/* One component value of a record. */
typedef struct sim_value {
    int key;
    lk_decimal value;
    bool is_supplement;
} sim_value;

/*
 * One payroll period data record: the record key (period, shift, payslip type, distribution unit,
 * cost center, cost unit; 0 / "" = none) and its component values.
 */
typedef struct sim_record {
    char id[SIM_UUID_LEN + 1];
    sim_employment *employment;
    sim_period *period;
    int shift;
    int payslip_type;
    char distribution_unit[SIM_UUID_LEN + 1];
    int cost_center;
    int cost_unit;
    char *payslip_text; /* NULL = none */
    sim_value *values;
    size_t nvalues, alloc;
    unsigned version; /* bumped on every change: the ETag */
} sim_record;

typedef struct sim_store {
    cJSON *fixture;
    cJSON *user;
    cJSON *auth;
    sim_employer *employers;
    size_t nemployers;
    sim_admin *admins;
    size_t nadmins;
    sim_component *components;
    size_t ncomponents;
    sim_employment *employments;
    size_t nemployments;
    struct lk_hashmap *employment_by_id; /* lower-case id -> sim_employment* (ids match case-
                                          * insensitively; thousands of them in a benchmark) */
    sim_record **records;
    size_t nrecords, records_alloc;
    unsigned long long id_counter; /* for new record ids */
} sim_store;

/* Parses fixture JSON text into a new store; NULL with a message in err (size errlen) on failure. */
sim_store *sim_store_new(const char *fixture_text, char *err, size_t errlen);
void sim_store_free(sim_store *st);

sim_employer *sim_store_employer(sim_store *st, const char *id);
sim_admin *sim_store_admin(sim_store *st, const char *id);
sim_employment *sim_store_employment(sim_store *st, const char *id);
/* The key of an employment id in employment_by_id (lower case); false when it does not fit. */
#define SIM_EMPLOYMENT_KEY_MAX 128
bool sim_employment_key(const char *id, char *out, size_t outlen);
sim_component *sim_store_component(sim_store *st, int key);
sim_period *sim_admin_period(sim_admin *a, int year, int number);
sim_period *sim_admin_period_by_id(sim_admin *a, int id);
/* Is the component allowed for the administration in that year? */
bool sim_admin_component_allowed(const sim_admin *a, int year, int key);
/* The metadata option list of a field ("costCenter", ...) and the option with that key. */
cJSON *sim_admin_metadata(const sim_admin *a, const char *field);
cJSON *sim_admin_option(const sim_admin *a, const char *field, int key);
cJSON *sim_admin_du_option(const sim_admin *a, const char *uuid);
bool sim_employment_active(const sim_employment *e, const sim_period *p);

sim_record *sim_store_record(sim_store *st, const char *id);
/* The record with that key, or NULL. */
sim_record *sim_store_find_record(sim_store *st, const sim_record *key);
/* Adds a new record (owned by the store) with the key fields of `key` and a fresh id. */
sim_record *sim_store_add_record(sim_store *st, const sim_record *key);
void sim_store_remove_record(sim_store *st, sim_record *r);
sim_value *sim_record_value(sim_record *r, int key);
/* Sets (adds or overwrites) a value; removes it when `remove`. Returns false when removing a
 * value the record does not hold. */
bool sim_record_set(sim_record *r, int key, lk_decimal value, bool is_supplement, bool remove);
void sim_record_set_text(sim_record *r, const char *text);

/* A copy of an entity's fixture JSON without the fixture's own "sim*" keys. */
cJSON *sim_api_copy(const cJSON *json);
/* The GET shape of a record ({id, payrollPeriod, shift, ...}). */
cJSON *sim_record_json(sim_store *st, const sim_record *r, bool with_id);
cJSON *sim_component_ref_json(const sim_component *c, const char *description_name);

/* lk_decimal as an exact JSON number. */
cJSON *sim_json_decimal(lk_decimal v);
/* A JSON number as lk_decimal: false when not a number or out of range. */
bool sim_json_to_decimal(const cJSON *n, lk_decimal *out);

#endif
