/*
 * internal.h: what the simulator's own files share: the sim object and the context a route
 * handler gets. Not for use outside src/sim (tests may include it to check internals).
 */
#ifndef SIM_INTERNAL_H
#define SIM_INTERNAL_H

#include "sim/auth.h"
#include "sim/faults.h"
#include "sim/sim.h"
#include "sim/store.h"

#include <cJSON.h>
#include <pthread.h>

typedef struct sim_count {
    char *key; /* "PATCH /providers/employers/employees/employments/{employmentId}/payrollperioddata" */
    long count;
} sim_count;

typedef struct sim_log_entry {
    char method[8];
    char path[200];
    int status;
} sim_log_entry;

#define SIM_LOG_KEEP 2000

struct sim {
    pthread_mutex_t lock;
    sim_config cfg;
    char *fixture_text;
    sim_store *store;
    sim_auth *auth;
    sim_faults faults;
    sim_rng rng;
    sim_ratelimit ratelimit;
    sim_count *counts;
    size_t ncounts, counts_alloc;
    long total_requests;
    sim_log_entry *log; /* ring of the last SIM_LOG_KEEP requests */
    size_t log_next;
    long log_total;
};

/* What a route handler works with. */
typedef struct sim_ctx {
    sim *sim;
    sim_store *st;
    const sim_request *req;
    sim_response *resp;
    const char *params[4]; /* path parameters in template order */
    const char *version;   /* the resource version the route answers with */
    cJSON *messages;
} sim_ctx;

typedef void (*sim_handler)(sim_ctx *c);

typedef struct sim_route {
    const char *method;
    const char *path; /* template with {name} segments, after /v2 */
    const char *version;
    sim_handler handler;
} sim_route;

/* routes.c: the /v2 API. Finds the route (NULL: 404/405 answered) and runs it. Returns the
 * template for the request log. */
const char *sim_api_dispatch(sim *s, const sim_request *req, sim_response *resp);

/* Response helpers shared by routes.c and core.c. */
void sim_reply_json(sim_response *resp, int status, cJSON *body); /* takes body */
void sim_reply_text(sim_response *resp, int status, const char *text);
/* Prints a tree answer (resp->json) into resp->body; called outside the world's lock. */
void sim_response_render(sim_response *resp);

/* Store + auth rebuilt from the fixture (reset). Caller holds the lock. */
bool sim_load_world(sim *s, char *err, size_t errlen);
/* welcome.c: the fixture's test client, redirect URI, an unused code, the initial refresh
 * token (GET /__sim/credentials). */
cJSON *sim_credentials_json(const sim *s);

#endif
