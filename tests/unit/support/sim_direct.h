/*
 * sim_direct.h (tests): drive a loket-sim instance in-process, without HTTP, through
 * sim_handle(): fast unit tests of the simulator's rules. (support/sim.h starts the real server.)
 */
#ifndef LK_TEST_SIM_DIRECT_H
#define LK_TEST_SIM_DIRECT_H

#include "sim/sim.h"

#include <cJSON.h>

typedef struct lk_simd {
    sim *sim;
    char token[64];
    char refresh[64];
} lk_simd;

/* A simulator on the sample fixture (faults from extra, may be NULL) with a token ready. */
int lk_simd_open(lk_simd *d, const sim_faults *faults);
void lk_simd_close(lk_simd *d);

/* One call: path with "/v2" and an optional "?query"; version NULL = no Accept header; body
 * NULL = none. Returns the status; *out (may be NULL) gets the parsed JSON body (NULL when not
 * JSON). Uses d->token unless token is given ("" = no Authorization). */
int lk_simd_call(lk_simd *d, const char *method, const char *path, const char *version, const char *body,
                 cJSON **out);
int lk_simd_call_token(lk_simd *d, const char *token, const char *method, const char *path,
                       const char *version, const char *body, cJSON **out);
/* POST /token with form fields (NULL-terminated key, value pairs); returns the status. */
int lk_simd_token(lk_simd *d, cJSON **out, ...);

/* Looks-ups in the fixture: the id of the employment of employee number (payrollId 1). */
const char *lk_simd_employment(lk_simd *d, int employee_number, int payroll_id);
/* Does messages hold a message with this code (and type when not NULL)? */
int lk_simd_has_code(const cJSON *doc, int code, const char *type);

#endif
