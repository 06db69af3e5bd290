/*
 * rules.h: Loket's messages and business rules for payroll period data, as loket-sim applies them.
 *
 * Every rejection is a message {code, type, description, id, properties} in the response
 * envelope. The codes are loket-sim's own (Loket documents no list); they are stable, and
 * docs/simulator.md lists them. Descriptions are Dutch, then English, separated by " / ".
 */
#ifndef SIM_RULES_H
#define SIM_RULES_H

#include "sim/store.h"

#include <cJSON.h>
#include <stdbool.h>

typedef enum sim_msg_code {
    SIM_MSG_INVALID_LENGTH = 83,      /* the portal's own example code */
    SIM_MSG_NOT_ACTIVE = 1001,        /* employment not active in the period */
    SIM_MSG_PERIOD_UNKNOWN = 1002,    /* no such payroll period in the administration */
    SIM_MSG_PERIOD_CLOSED = 1003,     /* the period has an approved payroll run */
    SIM_MSG_COMPONENT_NOT_ALLOWED = 1004,
    SIM_MSG_SUPPLEMENT_NOT_ALLOWED = 1005,
    SIM_MSG_NOT_IN_METADATA = 1006,   /* a record key value not in the metadata */
    SIM_MSG_NOT_A_NUMBER = 1007,
    SIM_MSG_OUT_OF_RANGE = 1008,      /* outside the component's range or precision */
    SIM_MSG_PERIOD_REQUIRED = 1009,
    SIM_MSG_DUPLICATE_COMPONENT = 1010,
    SIM_MSG_RECORD_EXISTS = 1011,
    SIM_MSG_INVALID_FIELD = 1012,     /* wrong JSON type, or null where the schema forbids it */
    SIM_MSG_INVALID_BODY = 1013,      /* not JSON, or not the expected object/array */
    SIM_MSG_INVALID_QUERY = 1014,     /* pageNumber, pageSize, filter, orderBy */
    SIM_MSG_QUERY_REQUIRED = 1015,    /* a required query parameter is missing */
    SIM_MSG_EMPLOYMENT_UNKNOWN = 1016,/* collective PATCH: employmentId not of this employer */
    SIM_MSG_BODY_TOO_LARGE = 1017,
    SIM_MSG_NOTHING_DELETED = 2001,   /* Warning: value null for a component without a value */
    SIM_MSG_ZERO_STORED = 2002,       /* Warning: 0 is stored as a value, it deletes nothing */
    SIM_MSG_NOT_FOUND = 3001,
    SIM_MSG_FORBIDDEN = 3002,
    SIM_MSG_UNAUTHORIZED = 3003,
    SIM_MSG_CONCURRENCY = 4009,       /* If-Match does not match the current ETag */
    SIM_MSG_SERVER_FAULT = 5000       /* injected 5xx */
} sim_msg_code;

/* Appends a message; type and the description templates come from the code's table entry, and
 * detail fills their "{}" (a period "2026/11", a component key, ...; NULL = ""). id: the entity
 * the message is about (NULL = null); property: a field path (NULL = none). */
void sim_msg(cJSON *messages, sim_msg_code code, const char *id, const char *property,
             const char *detail);
/* Counts messages of type BrokenBusinessRule (or any non-Warning). */
int sim_msg_errors(const cJSON *messages);

typedef enum sim_mode { SIM_MODE_PATCH, SIM_MODE_POST, SIM_MODE_PUT } sim_mode;

typedef struct sim_input_value {
    int key;
    int index;    /* position in the request's payrollComponents, for messages */
    bool is_null; /* PATCH: delete this component's value */
    lk_decimal value;
    bool is_supplement;
} sim_input_value;

/* One checked request item: the record key (in `key`) and what to write. */
typedef struct sim_input {
    sim_record key;
    bool has_text;   /* payslipText was given (text NULL = null) */
    char *text;
    sim_input_value *values;
    size_t nvalues;
} sim_input;

void sim_input_clear(sim_input *in);

/*
 * Checks one PATCH/POST/PUT body item for employment e against the schema and the business rules.
 * existing: the record a PUT replaces (NULL otherwise). Messages carry msg_id and properties
 * prefixed with prefix (e.g. "[2]." in a collective PATCH). True when the item may be applied.
 */
bool sim_rules_check(sim_store *st, sim_employment *e, const cJSON *item, sim_mode mode,
                     const sim_record *existing, const char *msg_id, const char *prefix,
                     cJSON *messages, sim_input *in);

/*
 * Applies a checked item: PATCH upserts (given components overwrite, others stay, null deletes),
 * POST creates (an existing key is rejected), PUT replaces `existing`. Returns the record, or
 * NULL when rejected (messages say why). *created tells whether a record was inserted. A PATCH
 * that leaves a record without values and text removes it; *removed is then set and the record
 * returned is NULL.
 */
sim_record *sim_rules_apply(sim_store *st, sim_input *in, sim_mode mode, sim_record *existing,
                            const char *msg_id, const char *prefix, cJSON *messages,
                            bool *created, bool *removed);

#endif
