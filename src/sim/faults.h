/*
 * faults.h: fault injection for tests of the importer's resilience: latency (fixed + jitter),
 * a rate of 5xx answers, a rate of dropped connections (before or after the request took effect),
 * a request-rate limit answered with 429 + Retry-After, token lifetimes, and an outage from the
 * N-th request on. Randomness comes
 * from a seeded generator (--seed) so a failing run can be repeated.
 */
#ifndef SIM_FAULTS_H
#define SIM_FAULTS_H

#include <cJSON.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct sim_faults {
    int latency_ms;          /* added to every /v2 and /token answer */
    int jitter_ms;           /* plus a uniform 0..jitter_ms */
    double fail_rate;        /* 0..1: answer fail_status instead */
    int fail_status;         /* 500 by default; 502/503/504 also make sense */
    double drop_rate;        /* 0..1: close the connection without an answer, request not applied */
    double drop_after_rate;  /* 0..1: apply the request, then close without an answer */
    int rate_limit;          /* requests per second over /v2 and /token; 0 = none */
    int token_ttl;           /* seconds an access token lives (expires_in) */
    long token_max_requests; /* API calls per access token; 0 = unlimited */
    long fail_after;         /* the N-th request (/v2 and /token) and every later one get
                                fail_status; 0 = off. Counted from when it was set */
    long fail_after_seen;    /* requests counted since */
} sim_faults;

void sim_faults_defaults(sim_faults *f);
/* Updates f from a JSON object with the same names as the command-line flags in camelCase
 * (latencyMs, jitterMs, failRate, failStatus, dropRate, dropAfterRate, rateLimit, tokenTtl,
 * tokenMaxRequests, failAfter). False with err on a bad field (f untouched). Setting failAfter
 * starts its count again. */
bool sim_faults_from_json(sim_faults *f, const cJSON *o, char *err, size_t errlen);
cJSON *sim_faults_to_json(const sim_faults *f);
/* Counts one request; true when a failAfter fault answers it (an outage that begins at the
 * N-th request, for sweeping N over every request of a run). */
bool sim_faults_fail_after_hit(sim_faults *f);
bool sim_faults_valid(const sim_faults *f, char *err, size_t errlen);

/* xorshift64* generator. */
typedef struct sim_rng {
    uint64_t s;
} sim_rng;
void sim_rng_seed(sim_rng *r, uint64_t seed);
uint64_t sim_rng_next(sim_rng *r);
double sim_rng_unit(sim_rng *r); /* [0, 1) */

/* A fixed one-second window rate limiter. */
typedef struct sim_ratelimit {
    long long window_ms;
    int count;
} sim_ratelimit;
/* True when the request is allowed; otherwise *retry_after_s says when to come back. */
bool sim_ratelimit_take(sim_ratelimit *rl, int limit, long long now_ms, int *retry_after_s);

#endif
