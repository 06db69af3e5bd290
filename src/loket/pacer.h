/*
 * pacer.h: finds a server's rate limit from its 429 answers and paces new requests under it.
 *
 * Loket publishes no rate limit, so the client learns one. Until the first 429 nothing is paced
 * (a server without a limit never slows the client down). A 429 sets the allowance to the
 * number of requests the server accepted in the last second (those it answered with anything
 * but 429, counted by when they started), times a margin below it; from then on requests start
 * evenly spaced at that rate. The allowance grows a little every second without a 429 (the
 * server may have more room than the first estimate), and is cut again, multiplicatively, by
 * the next 429 of a request that started after the last cut (AIMD, as TCP does with its
 * window). Answers to requests already in flight at a cut do not cut twice.
 *
 * Pure logic on the caller's clock (milliseconds, monotonic), so it is tested with counts.
 */
#ifndef LK_PACER_H
#define LK_PACER_H

#include <stdbool.h>
#include <stddef.h>

#define LK_PACER_RING 1024

typedef struct lk_pacer {
    double rate;            /* allowed starts per second; 0 = not paced (no 429 seen) */
    double safe_rate;       /* the pace set by the last cut: below a limit the server showed */
    double next_ms;         /* earliest start of the next request while paced */
    double cut_ms;          /* when the allowance was last cut */
    double first_limited_ms;    /* start of the first request answered 429 */
    double grown_ms;        /* when it last grew */
    double accepted_ms[LK_PACER_RING];  /* start times of accepted requests (a ring) */
    size_t head, n;
    unsigned cuts;          /* how often a 429 cut the allowance */
    bool measuring;         /* the first estimate is still being raised by late answers */
    bool resumed;           /* started at a pace an earlier run learned (pace_memory.h) */
    unsigned limited;       /* 429 answers seen */
} lk_pacer;

/* Fractions and steps; the reasoning is in docs/client.md ("Rate limits"). */
#define LK_PACER_MARGIN   0.98   /* pace at this share of the measured allowance */
#define LK_PACER_DECREASE 0.90   /* a later 429 cuts the rate to this share */
#define LK_PACER_GROWTH   0.0025 /* per second without a 429: +0.25% of the rate ... */
#define LK_PACER_STEP_MIN 0.05   /* ... but at least this many requests per second */
#define LK_PACER_RATE_MIN 0.20   /* never slower than one request in 5 s */

void lk_pacer_init(lk_pacer *p);
/* Starts paced at rate (requests/s), as an earlier run against the same server learned it;
 * from there the pace grows and is cut as after a first estimate. */
void lk_pacer_resume(lk_pacer *p, double rate, double now_ms);
/* May a request start at now_ms? When not, *wait_ms says how long until one may. */
bool lk_pacer_may_start(const lk_pacer *p, double now_ms, double *wait_ms);
/* A request starts at now_ms (after lk_pacer_may_start said yes). */
void lk_pacer_started(lk_pacer *p, double now_ms);
/* A request that started at started_ms was answered at now_ms with HTTP status (0: none). */
void lk_pacer_answered(lk_pacer *p, double started_ms, double now_ms, long status);

#endif
