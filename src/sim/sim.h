/*
 * sim.h: loket-sim, the Loket API simulator, as a library: create it from a fixture, hand it
 * requests (server.c does that for HTTP; unit tests may call sim_handle() directly), free it.
 *
 * One mutex guards the whole simulated world; sim_handle() is safe to call from many threads.
 */
#ifndef SIM_SIM_H
#define SIM_SIM_H

#include "sim/faults.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sim_kv {
    const char *key;
    const char *value;
} sim_kv;

typedef struct sim_config {
    const char *fixture_path;
    sim_faults faults;
    uint64_t seed;
    bool allow_password_grant;
    size_t max_body;   /* request bodies above this get 413 */
    bool log_requests; /* one line per request on stderr */
    bool strict_minimal; /* answer in the least generous way the official document allows:
                          * collective PATCH messages without properties, the administration-level
                          * listing without lines for employments that hold no record */
} sim_config;

typedef struct sim_request {
    const char *method;
    const char *path; /* without the query string, percent-decoded */
    const sim_kv *query;
    size_t nquery;
    const sim_kv *form; /* application/x-www-form-urlencoded fields (POST /token) */
    size_t nform;
    const char *authorization; /* header values; NULL when absent */
    const char *accept;
    const char *content_type;
    const char *if_match;
    const char *basic_user; /* HTTP Basic client credentials at /token */
    const char *basic_password;
    const char *body;
    size_t body_len;
    bool body_too_large;
} sim_request;

typedef struct sim_response {
    int status;
    char *body; /* malloc'd, NUL-terminated */
    size_t body_len;
    char content_type[64];
    int retry_after;       /* > 0: Retry-After header */
    bool www_authenticate; /* WWW-Authenticate: Bearer */
    char etag[40];         /* "" = none */
    char allow[64];        /* Allow header of a 405 */
    bool drop;             /* close the connection without answering */
    struct cJSON *json;    /* an answer not yet printed into body: sim_handle() prints it after
                            * releasing the world's lock (only sim code sets it) */
} sim_response;

typedef struct sim sim;

void sim_config_defaults(sim_config *cfg);
/* Loads the fixture; NULL with a message in err on failure. */
sim *sim_new(const sim_config *cfg, char *err, size_t errlen);
void sim_free(sim *s);
/* Answers one request; resp is filled (free with sim_response_clear). */
void sim_handle(sim *s, const sim_request *req, sim_response *resp);
void sim_response_clear(sim_response *resp);

/* The HTTP server (server.c): loopback only, port 0 picks a free port. */
typedef struct sim_server sim_server;
sim_server *sim_server_start(sim *s, int port, size_t max_body, char *err, size_t errlen);
int sim_server_port(const sim_server *srv);
void sim_server_stop(sim_server *srv);

#endif
