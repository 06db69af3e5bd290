/*
 * http.h: the HTTP engine: one curl_multi handle, a queue of requests, N in flight.
 *
 * Modelled on curl's own --parallel (src/tool_operate.c): callers submit requests with a
 * completion callback and then drive lk_http_run() until the queue is empty; callbacks may
 * submit more requests (the next pages of a list, the PATCH after a defaults look-up).
 * Connections are reused and, where the server offers HTTP/2, requests are multiplexed.
 *
 * Retries, per request, with exponential backoff and jitter, at most cfg->max_attempts:
 *   - connection failures (refused, reset, dropped, timed out),
 *   - 429 and 503 (Retry-After in seconds or as an HTTP-date is honoured, and holds back
 *     every new request until then: the server said it is overloaded, not this request),
 *   - 500, 502, 504 and any other 5xx.
 * Never retried: 400, 403, 404, 409 and other 4xx. A 401 refreshes the token once (see
 * tokens.h) and retries; a second 401 fails with LK_ERR_AUTH.
 *
 * Every finished request is recorded (method, endpoint template, status, attempts, latency) in
 * lk_http_stats for the report and the benchmarks.
 */
#ifndef LK_HTTP_H
#define LK_HTTP_H

#include "common/error.h"
#include "loket/config.h"
#include "loket/tokens.h"
#include "loket/trace.h"

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct lk_http lk_http;

/* After SIGINT/SIGTERM, requests in flight (token requests included) get this long to answer;
 * then they are cut, so a stop takes at most about this plus one loop turn (200 ms). */
#define LK_STOP_GRACE_MS 1000.0

typedef struct lk_http_request {
    const char *method;     /* "GET", "PATCH", "POST", "PUT", "DELETE" */
    const char *path;       /* below cfg->api_url, starting with '/', query included */
    const char *endpoint;   /* template for the statistics: "/providers/employers/{employerId}/..."
                             * (NULL: the path without its query) */
    lk_resource resource;   /* selects the Accept version date */
    const char *body;       /* JSON body or NULL; copied at submit */
    size_t body_len;
} lk_http_request;

/* What a completion callback gets. Valid only during the callback. */
typedef struct lk_http_response {
    lk_code code;           /* LK_OK: an HTTP answer arrived (any status; look at status).
                             * LK_ERR_NETWORK: no answer after every attempt.
                             * LK_ERR_AUTH: no token, refresh failed, or 401 after refresh.
                             * LK_ERR_INTERRUPTED: lk_http_abort() was called first. */
    const lk_error *err;    /* the reason when code != LK_OK */
    long status;            /* last HTTP status, 0 when none */
    const char *body;       /* NUL-terminated, never NULL */
    size_t body_len;
    const char *content_type; /* NULL when absent */
    int attempts;
    double latency_ms;      /* from the first attempt's start to completion: retries and their
                             * waits included, the time queued behind other requests not */
    double queued_ms;       /* from submit to the first attempt's start */
} lk_http_response;

typedef void (*lk_http_done_fn)(const lk_http_response *res, void *userdata);

/* One finished request, as the report and the benchmarks see it. */
typedef struct lk_http_record {
    char method[8];
    char *endpoint;
    long status;            /* 0 when no answer */
    int attempts;
    double latency_ms;      /* as in lk_http_response */
    double queued_ms;
    lk_code code;
} lk_http_record;

typedef struct lk_http_stats {
    lk_http_record *records;
    size_t n, alloc;
    size_t attempts;        /* transfers started, retries included */
    size_t retries;         /* attempts beyond the first */
    size_t token_refreshes_after_401;
    size_t max_in_flight;   /* highest number of concurrent transfers seen */
    size_t answered_429;    /* attempts the server refused for its rate limit */
    double paced_rate;      /* requests/s the engine paced itself to; 0 = not paced */
} lk_http_stats;

/*
 * A new engine. tokens may be NULL (no Authorization header: tests), trace may be NULL.
 * cfg, tokens and trace must outlive the engine.
 */
lk_code lk_http_new(const lk_config *cfg, lk_tokens *tokens, lk_trace *trace, lk_http **out,
                    lk_error *err);
/* Frees the engine; requests still queued are dropped without their callbacks. */
void lk_http_free(lk_http *h);

/* Queues a request; done is called exactly once, from inside lk_http_run(). */
void lk_http_submit(lk_http *h, const lk_http_request *req, lk_http_done_fn done,
                    void *userdata);
/*
 * Runs until nothing is queued, waiting or in flight. Callbacks run here and may submit.
 * Returns LK_OK unless the engine itself failed (curl_multi trouble); the outcome of each
 * request is in its callback. Not re-entrant: do not call it from a callback.
 */
lk_code lk_http_run(lk_http *h, lk_error *err);
/* Stops starting requests: queued and waiting ones complete with `code` and this message. */
void lk_http_abort(lk_http *h, lk_code code, const char *message);
/*
 * A flag a signal handler sets (SIGINT, SIGTERM): lk_http_run checks it at least every 200 ms
 * and then behaves as lk_http_abort(h, LK_ERR_INTERRUPTED, ...); requests still in flight 1 s
 * later are cut and fail with LK_ERR_NETWORK (their outcome is unknown). The token requests of
 * the engine's lk_tokens watch the same flag. NULL to stop watching.
 */
void lk_http_set_interrupt_flag(lk_http *h, volatile sig_atomic_t *flag);
/* Requests queued, waiting for a retry, or in flight. */
size_t lk_http_pending(const lk_http *h);

const lk_http_stats *lk_http_get_stats(const lk_http *h);
/* What the engine learned of the server's rate limit (loket/pacer.h). */
struct lk_pacer;
const struct lk_pacer *lk_http_get_pacer(const lk_http *h);
/* Per method+endpoint+status: count, attempts, mean/p50/p95/max latency. */
void lk_http_stats_print(const lk_http_stats *s, FILE *out);
/* The whole configuration the engine runs with. */
const lk_config *lk_http_config(const lk_http *h);

/* True for libcurl results worth another attempt (connection refused, reset, dropped, timed
 * out); false for everything else, certificate failures above all. */
bool lk_http_transient(int curl_code);

/* Parses a Retry-After value (delta seconds or HTTP-date) relative to now (unix seconds).
 * Returns milliseconds to wait, or -1 when unreadable. Exposed for tests. */
long lk_retry_after_ms(const char *value, long long now);

#endif
