/*
 * auth.h: loket-sim's OAuth 2.0 side: the POST /token grants (refresh_token with rotation,
 * authorization_code, password when enabled) and the bearer tokens they hand out.
 */
#ifndef SIM_AUTH_H
#define SIM_AUTH_H

#include "sim/faults.h"
#include "sim/sim.h"

#include <cJSON.h>
#include <stdbool.h>

typedef struct sim_access_token {
    char value[48];
    double expires_at; /* monotonic seconds */
    long uses;
} sim_access_token;

typedef struct sim_auth {
    const cJSON *fixture; /* the fixture's "auth" object: client, codes, users */
    char **refresh;       /* refresh tokens that still work */
    size_t nrefresh, refresh_alloc;
    char **codes; /* authorization codes not used yet */
    size_t ncodes, codes_alloc;
    sim_access_token *access;
    size_t naccess, access_alloc;
} sim_auth;

typedef enum sim_token_state { SIM_TOKEN_OK, SIM_TOKEN_MISSING, SIM_TOKEN_UNKNOWN, SIM_TOKEN_EXPIRED } sim_token_state;

sim_auth *sim_auth_new(const cJSON *fixture_auth);
void sim_auth_free(sim_auth *a);
/* Checks an Authorization header value and counts the use against token_max_requests. */
sim_token_state sim_auth_check(sim_auth *a, const char *authorization, const sim_faults *f, double now);
/* Every access token expires now (tests of the 401 -> refresh path). */
void sim_auth_expire_all(sim_auth *a);
/* Answers POST /token: status and a JSON body (malloc'd). */
int sim_auth_token(sim_auth *a, const sim_request *req, const sim_faults *f, bool allow_password,
                   sim_rng *rng, double now, char **body);

#endif
