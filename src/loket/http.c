/*
 * http.c: the concurrent HTTP engine on one curl_multi handle (see http.h).
 *
 * Each request is a `transfer` that lives from submit to its callback. It sits in one of three
 * places: the ready queue, the waiting list (backoff or Retry-After), or in flight on the multi
 * handle. An easy handle exists only while in flight; the connections (and HTTP/2 streams)
 * belong to the multi handle, so they are reused across requests and attempts.
 */
#include "loket/http.h"
#include "loket/neterror.h"
#include "loket/pace_memory.h"
#include "loket/pacer.h"

#include "common/i18n.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <curl/curl.h>

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* An answer larger than this is not one of Loket's; stop reading rather than fill memory. */
#define RESPONSE_MAX (64u * 1024 * 1024)
#define USER_AGENT "loket-import/0.1"

typedef struct transfer {
    struct transfer *next;      /* ready queue, waiting list or in-flight list */
    lk_http *h;
    char *method;
    char *url;
    char *endpoint;
    lk_resource resource;
    char *body;
    size_t body_len;
    lk_http_done_fn done;
    void *userdata;
    unsigned long serial;       /* for the trace: requests interleave */

    int attempts;
    bool auth_retried;          /* one refresh-and-retry after a 401, no more */
    unsigned token_generation;
    double submitted_ms;
    double first_start_ms;      /* 0 until the first attempt starts */
    double due_ms;              /* when a waiting transfer may start */
    double attempt_start_ms;

    CURL *easy;
    struct curl_slist *headers;
    char errbuf[CURL_ERROR_SIZE];
    strbuf response;
    bool too_large;
    size_t header_bytes;        /* of this attempt's answer headers */
    bool headers_too_large;
    char *content_type;
    char *retry_after;
    long status;
} transfer;

struct lk_http {
    const lk_config *cfg;
    lk_tokens *tokens;
    lk_token_job *token_job;    /* a refresh running beside the transfers; NULL when none */
    lk_trace *trace;
    CURLM *multi;
    transfer *ready_head, *ready_tail;
    transfer *waiting;          /* unsorted; scanned, short in practice */
    transfer *flying;           /* attached to the multi handle */
    size_t in_flight;
    size_t waiting_n, ready_n;
    double hold_until_ms;       /* after 429/503: start nothing before this */
    lk_pacer pacer;             /* the server's rate limit as learned from its 429s */
    char *pace_file;            /* where the learned pace is kept for the next run */
    unsigned long serial;
    uint64_t rng;
    bool aborted;
    lk_error abort_err;
    volatile sig_atomic_t *interrupt;
    double stop_seen_ms;        /* when the interrupt flag was first seen; 0 = not yet */
    lk_http_stats stats;
};

/* ---------------------------------------------------------------- small helpers */

static uint64_t rng_next(lk_http *h)
{
    /* xorshift64*: jitter only needs to spread retries apart, not to be unpredictable */
    h->rng ^= h->rng >> 12;
    h->rng ^= h->rng << 25;
    h->rng ^= h->rng >> 27;
    return h->rng * 2685821657736338717ULL;
}

static const char *skip_space(const char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    return s;
}

long lk_retry_after_ms(const char *value, long long now)
{
    const char *s;
    char *end;
    long long secs;
    time_t when;
    if (!value)
        return -1;
    s = skip_space(value);
    if (isdigit((unsigned char)*s)) {
        secs = strtoll(s, &end, 10);
        if (*skip_space(end) != '\0' || secs < 0 || secs > 86400L * 365)
            return -1;
        return (long)(secs * 1000);
    }
    when = curl_getdate(s, NULL);
    if (when == (time_t)-1)
        return -1;
    return when <= now ? 0 : (long)((when - now) * 1000);
}

static void queue_ready(lk_http *h, transfer *t, bool front)
{
    t->next = NULL;
    if (!h->ready_head) {
        h->ready_head = h->ready_tail = t;
    } else if (front) {
        t->next = h->ready_head;
        h->ready_head = t;
    } else {
        h->ready_tail->next = t;
        h->ready_tail = t;
    }
    h->ready_n++;
}

static transfer *pop_ready(lk_http *h)
{
    transfer *t = h->ready_head;
    if (!t)
        return NULL;
    h->ready_head = t->next;
    if (!h->ready_head)
        h->ready_tail = NULL;
    t->next = NULL;
    h->ready_n--;
    return t;
}

static void transfer_free(transfer *t)
{
    if (!t)
        return;
    free(t->method);
    free(t->url);
    free(t->endpoint);
    free(t->body);
    strbuf_free(&t->response);
    free(t->content_type);
    free(t->retry_after);
    curl_slist_free_all(t->headers);
    free(t);
}

static void reset_attempt(transfer *t)
{
    strbuf_reset(&t->response);
    t->too_large = false;
    t->header_bytes = 0;
    t->headers_too_large = false;
    free(t->content_type);
    t->content_type = NULL;
    free(t->retry_after);
    t->retry_after = NULL;
    t->status = 0;
    t->errbuf[0] = '\0';
    curl_slist_free_all(t->headers);
    t->headers = NULL;
}

/* ---------------------------------------------------------------- engine */

lk_code lk_http_new(const lk_config *cfg, lk_tokens *tokens, lk_trace *trace, lk_http **out,
                    lk_error *err)
{
    lk_http *h;
    *out = NULL;
    if (lk_url_check(cfg->api_url, "apiUrl", err) != LK_OK)
        return err->code;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return lk_error_set(err, LK_ERR_INTERNAL, _("libcurl could not be initialised"));
    h = xcalloc(1, sizeof *h);
    h->cfg = cfg;
    h->tokens = tokens;
    h->trace = trace;
    h->multi = curl_multi_init();
    if (!h->multi) {
        free(h);
        return lk_error_set(err, LK_ERR_NOMEM, _("libcurl could not create a multi handle"));
    }
    /* HTTP/2 where the server offers it: many requests share one connection. */
    curl_multi_setopt(h->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
    curl_multi_setopt(h->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)cfg->concurrency);
    curl_multi_setopt(h->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)cfg->concurrency);
    curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS, (long)cfg->concurrency);
    lk_pacer_init(&h->pacer);
    h->pace_file = lk_pace_memory_path(cfg->token_store);
    lk_pacer_resume(&h->pacer,
                    lk_pace_recall(h->pace_file, cfg->api_url, time(NULL), LK_PACE_MEMORY_MAX_AGE_S),
                    lk_monotonic_ms());
    h->stats.paced_rate = h->pacer.rate;
    h->rng = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)h;
    if (!h->rng)
        h->rng = 0x9e3779b97f4a7c15ULL;
    *out = h;
    return LK_OK;
}

static void drop_list(transfer *t)
{
    while (t) {
        transfer *n = t->next;
        transfer_free(t);
        t = n;
    }
}

void lk_http_free(lk_http *h)
{
    if (!h)
        return;
    drop_list(h->ready_head);
    drop_list(h->waiting);
    /* in-flight transfers: their easy handles are still attached */
    while (h->flying) {
        transfer *t = h->flying;
        h->flying = t->next;
        curl_multi_remove_handle(h->multi, t->easy);
        curl_easy_cleanup(t->easy);
        transfer_free(t);
    }
    lk_tokens_job_free(h->token_job, h->multi, NULL);
    curl_multi_cleanup(h->multi);
    /* what this run learned of the server's limit is the next run's starting point: the pace
     * of the last cut, known to be below the limit (what it grew to since may be above). A run
     * that only resumed a remembered pace learned nothing new and leaves the file, so that the
     * memory expires an hour after the limit was last seen, and a raised limit is found again. */
    if (h->pacer.cuts && h->pacer.safe_rate > 0)
        lk_pace_remember(h->pace_file, h->cfg->api_url, h->pacer.safe_rate, time(NULL));
    free(h->pace_file);
    for (size_t i = 0; i < h->stats.n; i++)
        free(h->stats.records[i].endpoint);
    free(h->stats.records);
    free(h);
}

const lk_pacer *lk_http_get_pacer(const lk_http *h)
{
    return &h->pacer;
}

const lk_http_stats *lk_http_get_stats(const lk_http *h)
{
    return &h->stats;
}

const lk_config *lk_http_config(const lk_http *h)
{
    return h->cfg;
}

size_t lk_http_pending(const lk_http *h)
{
    return h->ready_n + h->waiting_n + h->in_flight;
}

void lk_http_submit(lk_http *h, const lk_http_request *req, lk_http_done_fn done,
                    void *userdata)
{
    transfer *t = xcalloc(1, sizeof *t);
    size_t plen;
    t->h = h;
    t->method = xstrdup(req->method ? req->method : "GET");
    plen = strlen(h->cfg->api_url) + strlen(req->path) + 1;
    t->url = xmalloc(plen);
    snprintf(t->url, plen, "%s%s", h->cfg->api_url, req->path);
    if (req->endpoint) {
        t->endpoint = xstrdup(req->endpoint);
    } else {
        const char *q = strchr(req->path, '?');
        t->endpoint = q ? xstrndup(req->path, (size_t)(q - req->path)) : xstrdup(req->path);
    }
    t->resource = req->resource;
    if (req->body) {
        t->body = xmalloc(req->body_len + 1);
        memcpy(t->body, req->body, req->body_len);
        t->body[req->body_len] = '\0';
        t->body_len = req->body_len;
    }
    t->done = done;
    t->userdata = userdata;
    t->serial = ++h->serial;
    t->submitted_ms = lk_monotonic_ms();
    strbuf_init(&t->response, 0);
    queue_ready(h, t, false);
}

/* ---------------------------------------------------------------- completion */

static void record_stats(lk_http *h, const transfer *t, lk_code code, double latency,
                         double queued)
{
    lk_http_record *r;
    lk_grow(&h->stats.records, sizeof *h->stats.records, h->stats.n + 1, &h->stats.alloc);
    r = &h->stats.records[h->stats.n++];
    memset(r, 0, sizeof *r);
    snprintf(r->method, sizeof r->method, "%s", t->method);
    r->endpoint = xstrdup(t->endpoint);
    r->status = t->status;
    r->attempts = t->attempts;
    r->latency_ms = latency;
    r->queued_ms = queued;
    r->code = code;
}

/* Hands the outcome to the callback and frees the transfer. */
static void finish(lk_http *h, transfer *t, lk_code code, const lk_error *err)
{
    lk_http_response res;
    lk_error none;
    double now = lk_monotonic_ms();
    double started = t->first_start_ms > 0 ? t->first_start_ms : now;
    double latency = now - started, queued = started - t->submitted_ms;
    lk_error_clear(&none);
    record_stats(h, t, code, latency, queued);
    memset(&res, 0, sizeof res);
    res.code = code;
    res.err = err ? err : &none;
    res.status = t->status;
    res.body = t->response.buf ? t->response.buf : "";
    res.body_len = t->response.len;
    res.content_type = t->content_type;
    res.attempts = t->attempts;
    res.latency_ms = latency;
    res.queued_ms = queued;
    if (code != LK_OK)
        lk_trace_line(h->trace, "#%lu %s %s failed after %d attempt(s): %s", t->serial,
                      t->method, t->url, t->attempts, res.err->message);
    if (t->done)
        t->done(&res, t->userdata);
    transfer_free(t);
}

static void finish_with(lk_http *h, transfer *t, lk_code code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void finish_with(lk_http *h, transfer *t, lk_code code, const char *fmt, ...)
{
    lk_error e;
    va_list ap;
    lk_error_clear(&e);
    va_start(ap, fmt);
    lk_error_setv(&e, code, fmt, ap);
    va_end(ap);
    finish(h, t, code, &e);
}

static long backoff_ms(lk_http *h, int attempts)
{
    double d = (double)h->cfg->retry_base_ms * pow(2.0, attempts > 1 ? attempts - 1 : 0);
    long delay, half;
    if (d > (double)h->cfg->retry_max_ms)
        d = (double)h->cfg->retry_max_ms;
    delay = (long)d;
    /* "equal jitter": at least half the delay, so retries never bunch at zero */
    half = delay / 2;
    return half + (half > 0 ? (long)(rng_next(h) % (uint64_t)(half + 1)) : 0);
}

/* When t's deadline (timeouts.requestSeconds from its first attempt, retries included) ends. */
static double deadline_of(const lk_http *h, const transfer *t)
{
    double first = t->first_start_ms > 0 ? t->first_start_ms : lk_monotonic_ms();
    return first + (double)h->cfg->request_deadline_ms;
}

/* Puts t on the waiting list for `delay` ms, unless the retry would start past its deadline. */
static void wait_then_retry(lk_http *h, transfer *t, long delay, const char *why)
{
    if (lk_monotonic_ms() + (double)delay >= deadline_of(h, t)) {
        finish_with(h, t, LK_ERR_NETWORK,
                    _("%s %s: no usable answer within %ld s (%d attempt(s), last: %s; "
                    "timeouts.requestSeconds)"),
                    t->method, t->url, h->cfg->request_deadline_ms / 1000, t->attempts, why);
        return;
    }
    t->due_ms = lk_monotonic_ms() + (double)delay;
    t->next = h->waiting;
    h->waiting = t;
    h->waiting_n++;
    lk_trace_line(h->trace, "#%lu %s %s: %s; retry %d of %d in %ld ms", t->serial, t->method,
                  t->url, why, t->attempts + 1, h->cfg->max_attempts, delay);
}

bool lk_http_transient(int curl_code)
{
    switch ((CURLcode)curl_code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
        return true;
    default:
        return false;
    }
}

static void on_done(lk_http *h, transfer *t, CURLcode cc)
{
    char why[CURL_ERROR_SIZE + 64];
    long delay;
    double took = lk_monotonic_ms() - t->attempt_start_ms;
    bool can_retry = t->attempts < h->cfg->max_attempts;

    if (cc == CURLE_OK)
        curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &t->status);
    lk_pacer_answered(&h->pacer, t->attempt_start_ms, lk_monotonic_ms(), t->status);
    h->stats.answered_429 = h->pacer.limited;
    h->stats.paced_rate = h->pacer.rate;
    for (transfer **pp = &h->flying; *pp; pp = &(*pp)->next) {
        if (*pp == t) {
            *pp = t->next;
            break;
        }
    }
    t->next = NULL;
    curl_multi_remove_handle(h->multi, t->easy);
    curl_easy_cleanup(t->easy);
    t->easy = NULL;
    h->in_flight--;

    if (cc != CURLE_OK) {
        /* curl refuses one header line over 100 KB as "out of memory": it is the answer */
        bool big_headers = t->headers_too_large || cc == CURLE_OUT_OF_MEMORY;
        const char *msg = t->too_large ? "answer larger than 64 MB"
                          : big_headers ? _("the answer's headers are larger than a Loket "
                                            "answer's can be (over 100 KB in a line, or 256 KB "
                                            "in all)")
                          : t->errbuf[0] ? t->errbuf
                                         : curl_easy_strerror(cc);
        t->status = 0;
        lk_trace_line(h->trace, "#%lu < no answer after %.1f ms: %s", t->serial, took, msg);
        /* A PATCH that timed out or lost its connection may or may not have been applied.
         * Sending it again is safe: the upsert is idempotent for the same body (same record
         * key, same values), so a second application leaves Loket in the same state. */
        if (lk_http_transient((int)cc) && !t->too_large && !big_headers && can_retry) {
            snprintf(why, sizeof why, _("connection failed (%s)"), msg);
            wait_then_retry(h, t, backoff_ms(h, t->attempts), why);
            return;
        }
        finish_with(h, t, LK_ERR_NETWORK, "%s",
                    lk_net_failure_text(t->method, t->url, t->attempts, (int)cc, msg));
        return;
    }

    lk_trace_line(h->trace, "#%lu < %ld (%.1f ms, attempt %d)%s%s", t->serial, t->status, took,
                  t->attempts, t->content_type ? " " : "",
                  t->content_type ? t->content_type : "");
    lk_trace_body(h->trace, "<", t->response.buf, t->response.len);

    if (t->status == 401 && h->tokens) {
        if (t->auth_retried) {
            finish_with(h, t, LK_ERR_AUTH,
                        _("%s %s: Loket refused the access token again after a refresh (401); "
                        "check the client's rights or run 'loket-import auth code' again"),
                        t->method, t->url);
            return;
        }
        t->auth_retried = true;
        h->stats.token_refreshes_after_401++;
        /* The next start waits for a refresh (unless a newer token came meanwhile). The 401
         * says nothing about the server's health: retry at once with the new token, even when
         * the attempts for faults are used up (it is one extra, bounded attempt). */
        lk_tokens_after_401(h->tokens, t->token_generation);
        queue_ready(h, t, true);
        return;
    }
    if (t->status == 429 || t->status == 503) {
        long ra = lk_retry_after_ms(t->retry_after, (long long)time(NULL));
        if (can_retry) {
            long cap = h->cfg->retry_after_max_s * 1000;
            delay = ra >= 0 ? (ra > cap ? cap : ra) : backoff_ms(h, t->attempts);
            /* the server is overloaded, not this request: hold every new start too */
            if (lk_monotonic_ms() + (double)delay > h->hold_until_ms)
                h->hold_until_ms = lk_monotonic_ms() + (double)delay;
            snprintf(why, sizeof why, "HTTP %ld%s%s", t->status, ra >= 0 ? ", Retry-After " : "",
                     ra >= 0 ? t->retry_after : "");
            wait_then_retry(h, t, delay, why);
            return;
        }
    } else if (t->status >= 500 && t->status <= 599 && can_retry) {
        snprintf(why, sizeof why, "HTTP %ld", t->status);
        wait_then_retry(h, t, backoff_ms(h, t->attempts), why);
        return;
    }
    /* Final: 2xx, 3xx, 4xx (400/403/404/409 are answers, not faults), or attempts used up.
     * The caller reads the status and the envelope. */
    finish(h, t, LK_OK, NULL);
}

/* ---------------------------------------------------------------- starting */

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
    transfer *t = userp;
    size_t n = size * nmemb;
    if (t->response.len + n > RESPONSE_MAX) {
        t->too_large = true;
        return 0;
    }
    strbuf_add(&t->response, data, n);
    return n;
}

static char *header_value(const char *line, size_t len, const char *name)
{
    size_t nl = strlen(name);
    const char *v, *end = line + len;
    if (len <= nl || strncasecmp(line, name, nl) || line[nl] != ':')
        return NULL;
    v = line + nl + 1;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    return xstrndup(v, (size_t)(end - v));
}

#define LK_HTTP_MAX_HEADER_BYTES (256u * 1024)

static size_t on_header(char *data, size_t size, size_t nmemb, void *userp)
{
    transfer *t = userp;
    size_t n = size * nmemb;
    char *v;
    t->header_bytes += n;
    if (t->header_bytes > LK_HTTP_MAX_HEADER_BYTES) { /* stops the transfer: not Loket */
        t->headers_too_large = true;
        return 0;
    }
    if ((v = header_value(data, n, "Content-Type"))) {
        free(t->content_type);
        t->content_type = v;
    } else if ((v = header_value(data, n, "Retry-After"))) {
        free(t->retry_after);
        t->retry_after = v;
    }
    return n;
}

static bool is_https(const char *url)
{
    return !strncasecmp(url, "https:", 6);
}

/* Starts one attempt; on failure the transfer is finished here. */
static void start(lk_http *h, transfer *t)
{
    char line[512];
    const char *token = NULL;
    const lk_config *cfg = h->cfg;
    CURL *e;
    reset_attempt(t);
    if (h->tokens)
        token = lk_tokens_current(h->tokens, &t->token_generation);
    e = curl_easy_init();
    if (!e) {
        finish_with(h, t, LK_ERR_NOMEM, _("libcurl could not create a handle"));
        return;
    }
    t->easy = e;
    t->attempts++;
    h->stats.attempts++;
    if (t->attempts > 1)
        h->stats.retries++;
    snprintf(line, sizeof line, "Accept: application/json;version=%s",
             cfg->versions[t->resource < LK_RES_COUNT ? t->resource : LK_RES_USER]);
    t->headers = curl_slist_append(t->headers, line);
    if (t->body) {
        snprintf(line, sizeof line, "Content-Type: application/json;version=%s",
                 cfg->versions[t->resource < LK_RES_COUNT ? t->resource : LK_RES_USER]);
        t->headers = curl_slist_append(t->headers, line);
    }
    if (token) {
        strbuf auth = STRBUF_INIT;
        strbuf_addf(&auth, "Authorization: Bearer %s", token);
        t->headers = curl_slist_append(t->headers, auth.buf);
        memset(auth.buf, 0, auth.len);
        strbuf_free(&auth);
    }
    t->headers = curl_slist_append(t->headers, "Expect:");

    curl_easy_setopt(e, CURLOPT_URL, t->url);
    curl_easy_setopt(e, CURLOPT_PRIVATE, (char *)t);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
    curl_easy_setopt(e, CURLOPT_USERAGENT, USER_AGENT);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
    /* an attempt ends at timeouts.totalSeconds, or earlier when the request's deadline does;
     * a connection that carries nothing for timeouts.lowSpeedSeconds is given up */
    double left = deadline_of(h, t) - lk_monotonic_ms();
    long attempt_ms = cfg->timeout_ms;
    if (left < (double)attempt_ms)
        attempt_ms = left > 1 ? (long)left : 1;
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, cfg->connect_timeout_ms);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, attempt_ms);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, cfg->low_speed_s);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    /* Never follow redirects: a redirect would carry the bearer token somewhere unchecked. */
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https,http");
    /* TLS verification stays on, always; --cacert adds a private CA, never disables checks. */
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    if (cfg->cacert)
        curl_easy_setopt(e, CURLOPT_CAINFO, cfg->cacert);
    if (is_https(t->url)) {
        curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
        /* wait for a connection that can multiplex rather than open one per request */
        curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
    }
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, t->method);
    if (!strcmp(t->method, "GET"))
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    if (t->body) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->body);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)t->body_len);
    }

    lk_trace_line(h->trace, "#%lu > %s %s (attempt %d) Accept version %s%s", t->serial,
                  t->method, t->url, t->attempts, cfg->versions[t->resource],
                  token ? " Authorization: Bearer [redacted]" : "");
    lk_trace_body(h->trace, ">", t->body, t->body_len);

    t->attempt_start_ms = lk_monotonic_ms();
    lk_pacer_started(&h->pacer, t->attempt_start_ms);
    if (t->first_start_ms <= 0)
        t->first_start_ms = t->attempt_start_ms;
    if (curl_multi_add_handle(h->multi, e) != CURLM_OK) {
        curl_easy_cleanup(e);
        t->easy = NULL;
        finish_with(h, t, LK_ERR_INTERNAL, _("libcurl refused a transfer"));
        return;
    }
    t->next = h->flying;
    h->flying = t;
    h->in_flight++;
    if (h->in_flight > h->stats.max_in_flight)
        h->stats.max_in_flight = h->in_flight;
}

/* ---------------------------------------------------------------- the loop */

void lk_http_abort(lk_http *h, lk_code code, const char *message)
{
    if (h->aborted)
        return;
    h->aborted = true;
    lk_error_clear(&h->abort_err);
    lk_error_set(&h->abort_err, code, "%s", message ? message : lk_strerror(code));
}

void lk_http_set_interrupt_flag(lk_http *h, volatile sig_atomic_t *flag)
{
    h->interrupt = flag;
    h->stop_seen_ms = 0;
    if (h->tokens)
        lk_tokens_set_interrupt_flag(h->tokens, flag);
}

/* The grace after a stop is over: every request still in flight ends now. Whether Loket applied
 * a write that got no answer is not known, so it is a failure (not "not sent"): --resume asks
 * Loket and sends it again (the upsert is idempotent). */
static void cut_in_flight(lk_http *h)
{
    transfer *t;
    while ((t = h->flying) != NULL) {
        h->flying = t->next;
        t->next = NULL;
        curl_multi_remove_handle(h->multi, t->easy);
        curl_easy_cleanup(t->easy);
        t->easy = NULL;
        h->in_flight--;
        lk_trace_line(h->trace, "#%lu cut: no answer within %.0f ms of the stop", t->serial,
                      LK_STOP_GRACE_MS);
        finish_with(h, t, LK_ERR_NETWORK,
                    _("%s %s: stopped while waiting for the answer; whether Loket applied it is "
                    "not known (apply --resume checks and sends it again)"),
                    t->method, t->url);
    }
}

static void fail_queued(lk_http *h)
{
    transfer *t;
    while ((t = pop_ready(h)) != NULL)
        finish(h, t, h->abort_err.code, &h->abort_err);
    while ((t = h->waiting) != NULL) {
        h->waiting = t->next;
        h->waiting_n--;
        finish(h, t, h->abort_err.code, &h->abort_err);
    }
}

/* Moves due waiting transfers to the front of the ready queue; returns ms to the next due. */
static double promote_due(lk_http *h, double now)
{
    transfer **pp = &h->waiting;
    double next = -1;
    while (*pp) {
        transfer *t = *pp;
        if (t->due_ms <= now) {
            *pp = t->next;
            h->waiting_n--;
            queue_ready(h, t, true);
        } else {
            if (next < 0 || t->due_ms - now < next)
                next = t->due_ms - now;
            pp = &t->next;
        }
    }
    return next;
}

/* Ends the token job; a failed refresh means no token for anyone: the run stops cleanly. */
static void token_job_end(lk_http *h)
{
    lk_error e;
    lk_error_clear(&e);
    if (lk_tokens_job_free(h->token_job, h->multi, &e) != LK_OK)
        lk_http_abort(h, e.code, e.message);
    h->token_job = NULL;
}

/*
 * True when transfers may start: no tokens in use, or a fresh access token. Otherwise a
 * refresh job is started (or advanced) beside the transfers in flight; *wait_ms is when it
 * wants to be looked at again.
 */
static bool token_ready(lk_http *h, long *wait_ms)
{
    if (!h->tokens)
        return true;
    if (!h->token_job && !lk_tokens_fresh(h->tokens))
        h->token_job = lk_tokens_job_refresh(h->tokens);
    if (h->token_job && lk_tokens_job_step(h->token_job, h->multi, wait_ms))
        token_job_end(h);
    return !h->token_job && !h->aborted && lk_tokens_fresh(h->tokens);
}

lk_code lk_http_run(lk_http *h, lk_error *err)
{
    while (h->ready_n || h->waiting_n || h->in_flight || h->token_job) {
        double now = lk_monotonic_ms(), next_due;
        int running = 0, numfds, msgs;
        long curl_timeout = -1, token_wait = -1;
        int timeout;
        CURLMsg *msg;

        if (h->interrupt && *h->interrupt) {
            if (h->stop_seen_ms <= 0)
                h->stop_seen_ms = now;
            lk_http_abort(h, LK_ERR_INTERRUPTED,
                          "interrupted: this request was not sent");
            if (now - h->stop_seen_ms >= LK_STOP_GRACE_MS) {
                cut_in_flight(h);
                if (h->token_job)
                    token_job_end(h);
            }
        }
        /* Once the run stops, a refresh that has not sent its request yet is not started; one
         * in flight gets the grace: its answer may hold the only valid refresh token. */
        if (h->aborted && h->token_job && !lk_tokens_job_flying(h->token_job))
            token_job_end(h);
        if (h->aborted)
            fail_queued(h);
        next_due = promote_due(h, now);
        if (h->token_job && lk_tokens_job_step(h->token_job, h->multi, &token_wait))
            token_job_end(h);
        while (h->in_flight < (size_t)h->cfg->concurrency && h->ready_head &&
               now >= h->hold_until_ms && !h->aborted &&
               lk_pacer_may_start(&h->pacer, lk_monotonic_ms(), NULL) &&
               token_ready(h, &token_wait))
            start(h, pop_ready(h));
        if (h->aborted)
            fail_queued(h);

        if (curl_multi_perform(h->multi, &running) != CURLM_OK)
            return lk_error_set(err, LK_ERR_INTERNAL, _("libcurl's multi interface failed"));
        while ((msg = curl_multi_info_read(h->multi, &msgs)) != NULL) {
            transfer *t = NULL;
            if (msg->msg != CURLMSG_DONE)
                continue;
            if (lk_tokens_job_take(h->token_job, h->multi, msg->easy_handle, msg->data.result)) {
                token_wait = 0; /* its answer is read on the next turn, without a wait */
                continue;
            }
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
            on_done(h, t, msg->data.result);
        }
        if (!h->ready_n && !h->waiting_n && !h->in_flight && !h->token_job)
            break;

        /* How long to sleep: until curl wants us, a retry is due, or a hold ends. */
        now = lk_monotonic_ms();
        timeout = 1000;
        if (h->ready_head && h->in_flight < (size_t)h->cfg->concurrency && !h->token_job) {
            double pace_wait = 0;
            if (now < h->hold_until_ms) {
                if (h->hold_until_ms - now < timeout)
                    timeout = (int)ceil(h->hold_until_ms - now);
            } else if (!lk_pacer_may_start(&h->pacer, now, &pace_wait)) {
                if (pace_wait < timeout)
                    timeout = (int)ceil(pace_wait);
            } else {
                timeout = 0;
            }
        }
        if (h->waiting_n) {
            next_due = promote_due(h, now);
            if (h->ready_head && now >= h->hold_until_ms && !h->token_job &&
                h->in_flight < (size_t)h->cfg->concurrency &&
                lk_pacer_may_start(&h->pacer, now, NULL))
                timeout = 0;
            else if (next_due >= 0 && next_due < timeout)
                timeout = (int)ceil(next_due);
        }
        if (h->token_job && token_wait >= 0 && token_wait < timeout)
            timeout = (int)token_wait;
        if (h->interrupt && timeout > 200)
            timeout = 200;
        if (h->in_flight || h->token_job) {
            curl_multi_timeout(h->multi, &curl_timeout);
            if (curl_timeout >= 0 && curl_timeout < timeout)
                timeout = (int)curl_timeout;
        }
        if (timeout > 0 || h->in_flight || h->token_job) {
            if (curl_multi_poll(h->multi, NULL, 0, timeout, &numfds) != CURLM_OK)
                return lk_error_set(err, LK_ERR_INTERNAL, _("libcurl's multi poll failed"));
        }
    }
    return LK_OK;
}

/* ---------------------------------------------------------------- statistics */

typedef struct group {
    const char *method, *endpoint;
    long status;
    size_t count, attempts;
    double *lat;
} group;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

void lk_http_stats_print(const lk_http_stats *s, FILE *out)
{
    group *g = NULL;
    size_t ng = 0, ga = 0;
    for (size_t i = 0; i < s->n; i++) {
        const lk_http_record *r = &s->records[i];
        size_t j;
        for (j = 0; j < ng; j++)
            if (!strcmp(g[j].method, r->method) && !strcmp(g[j].endpoint, r->endpoint) &&
                g[j].status == r->status)
                break;
        if (j == ng) {
            lk_grow(&g, sizeof *g, ng + 1, &ga);
            memset(&g[ng], 0, sizeof *g);
            g[ng].method = r->method;
            g[ng].endpoint = r->endpoint;
            g[ng].status = r->status;
            g[ng].lat = xmalloc(s->n * sizeof(double));
            ng++;
        }
        g[j].lat[g[j].count++] = r->latency_ms;
        g[j].attempts += (size_t)r->attempts;
    }
    fprintf(out, "%-6s %-70s %6s %6s %8s %9s %9s %9s %9s\n", "method", "endpoint", "status",
            "count", "attempts", "mean ms", "p50 ms", "p95 ms", "max ms");
    for (size_t j = 0; j < ng; j++) {
        double sum = 0;
        size_t n = g[j].count;
        qsort(g[j].lat, n, sizeof(double), cmp_double);
        for (size_t i = 0; i < n; i++)
            sum += g[j].lat[i];
        /* nearest-rank percentiles */
        fprintf(out, "%-6s %-70s %6ld %6zu %8zu %9.1f %9.1f %9.1f %9.1f\n", g[j].method,
                g[j].endpoint, g[j].status, n, g[j].attempts, sum / (double)n,
                g[j].lat[(size_t)ceil(0.50 * (double)n) - 1],
                g[j].lat[(size_t)ceil(0.95 * (double)n) - 1], g[j].lat[n - 1]);
        free(g[j].lat);
    }
    fprintf(out, _("requests %zu, attempts %zu, retries %zu, token refreshes after 401 %zu, "
                 "most in flight %zu\n"),
            s->n, s->attempts, s->retries, s->token_refreshes_after_401, s->max_in_flight);
    if (s->answered_429)
        fprintf(out, ngettext("the server limited the request rate: %zu answer 429, then paced at "
                              "%.1f requests/s\n",
                              "the server limited the request rate: %zu answers 429, then paced at "
                              "%.1f requests/s\n", s->answered_429),
                s->answered_429, s->paced_rate);
    free(g);
}
