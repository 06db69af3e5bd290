/*
 * token_post.c: one POST to the token URL on someone else's curl multi handle (see
 * token_post.h). States: waiting for the next attempt (due_ms), flying (easy on the multi
 * handle), over (rc and err say how).
 */
#include "loket/token_post.h"

#include "common/i18n.h"
#include "common/util.h"
#include "loket/http.h"

#include <stdlib.h>
#include <string.h>

#define TOKEN_ANSWER_MAX (64 * 1024)
/* A token call is never cut before this (or the request deadline, when longer): a refresh
 * the server completes late still answers with the only valid refresh token, and a retry with
 * the old one would get invalid_grant (the login lost). Only a stop request ends it sooner. */
#define TOKEN_DEADLINE_MS (10 * 60 * 1000.0)
#define USER_AGENT "loket-import/0.1"

struct lk_token_post {
    const lk_config *cfg;
    lk_trace *trace;
    char *form;
    double deadline_ms;         /* the request deadline, from the call's creation */
    double due_ms;              /* when the next attempt may start */
    long delay_ms;              /* the next backoff */
    int attempts;
    CURL *easy;                 /* non-NULL while flying */
    struct curl_slist *headers;
    char errbuf[CURL_ERROR_SIZE];
    bool too_large;
    long status;
    strbuf body;
    CURLcode last_cc;
    bool over;
    lk_code rc;
    lk_error err;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
    lk_token_post *p = userp;
    size_t n = size * nmemb;
    if (p->body.len + n > TOKEN_ANSWER_MAX) {
        p->too_large = true;
        return 0;
    }
    strbuf_add(&p->body, data, n);
    return n;
}

lk_token_post *lk_token_post_new(const lk_config *cfg, lk_trace *trace, const char *form)
{
    lk_token_post *p = xcalloc(1, sizeof *p);
    p->cfg = cfg;
    p->trace = trace;
    p->form = xstrdup(form);
    p->deadline_ms = lk_monotonic_ms() + ((double)cfg->request_deadline_ms > TOKEN_DEADLINE_MS
                                              ? (double)cfg->request_deadline_ms
                                              : TOKEN_DEADLINE_MS);
    p->delay_ms = cfg->retry_base_ms;
    strbuf_init(&p->body, 512);
    lk_error_clear(&p->err);
    if (lk_url_check(cfg->token_url, "tokenUrl", &p->err) != LK_OK) {
        p->over = true;
        p->rc = p->err.code;
    }
    return p;
}

static void detach(lk_token_post *p, CURLM *multi)
{
    if (!p->easy)
        return;
    curl_multi_remove_handle(multi, p->easy);
    curl_easy_cleanup(p->easy);
    p->easy = NULL;
    curl_slist_free_all(p->headers);
    p->headers = NULL;
}

void lk_token_post_free(lk_token_post *p, CURLM *multi)
{
    if (!p)
        return;
    detach(p, multi);
    memset(p->form, 0, strlen(p->form));
    free(p->form);
    memset(p->body.buf, 0, p->body.len);
    strbuf_free(&p->body);
    free(p);
}

static void end(lk_token_post *p, lk_code rc)
{
    p->over = true;
    p->rc = rc;
}

static void fail_no_answer(lk_token_post *p)
{
    const char *why = p->too_large ? _("answer too large")
                      : p->errbuf[0] ? p->errbuf
                      : p->last_cc != CURLE_OK ? curl_easy_strerror(p->last_cc)
                                               : _("no time left within timeouts.requestSeconds");
    end(p, lk_error_set(&p->err, LK_ERR_NETWORK, _("the token service %s did not answer: %s"),
                        p->cfg->token_url, why));
}

static void attempt_start(lk_token_post *p, CURLM *multi)
{
    const lk_config *cfg = p->cfg;
    double left = p->deadline_ms - lk_monotonic_ms();
    /* the attempt has the whole deadline: once sent, its answer may be the only valid token */
    long attempt_ms = left > 1 ? (long)left : 1;
    CURL *e;
    e = curl_easy_init();
    if (!e) {
        end(p, lk_error_set(&p->err, LK_ERR_NOMEM, _("libcurl could not create a handle")));
        return;
    }
    strbuf_reset(&p->body);
    p->status = 0;
    p->too_large = false;
    p->errbuf[0] = '\0';
    p->headers = curl_slist_append(p->headers, "Accept: application/json");
    p->headers = curl_slist_append(p->headers, "Content-Type: application/x-www-form-urlencoded");
    curl_easy_setopt(e, CURLOPT_URL, cfg->token_url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, p->headers);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, p->form);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, p);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, p->errbuf);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_USERAGENT, USER_AGENT);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, cfg->connect_timeout_ms);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, attempt_ms);
    /* no low-speed limit: a token service that is slow to answer is waited for (above) */
    /* never follow a redirect: it would carry the client secret and the refresh token along */
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    /* a connection of its own, closed after the answer: a token call is rare, and the API's
     * requests must not land on the token service's connection or inherit its faults */
    curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https,http");
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    if (cfg->cacert)
        curl_easy_setopt(e, CURLOPT_CAINFO, cfg->cacert);
    p->attempts++;
    lk_trace_line(p->trace, "token > POST %s (attempt %d)", cfg->token_url, p->attempts);
    lk_trace_body(p->trace, "token >", p->form, strlen(p->form));
    if (curl_multi_add_handle(multi, e) != CURLM_OK) {
        curl_easy_cleanup(e);
        curl_slist_free_all(p->headers);
        p->headers = NULL;
        end(p, lk_error_set(&p->err, LK_ERR_INTERNAL, _("libcurl refused a transfer")));
        return;
    }
    p->easy = e;
}

bool lk_token_post_step(lk_token_post *p, CURLM *multi, long *wait_ms)
{
    double now = lk_monotonic_ms();
    *wait_ms = -1;
    if (p->over || p->easy)
        return p->over;
    if (now >= p->deadline_ms) {
        fail_no_answer(p);
        return true;
    }
    if (now < p->due_ms) {
        double w = p->due_ms - now;
        *wait_ms = w < 1 ? 1 : (long)w;
        return false;
    }
    attempt_start(p, multi);
    return p->over;
}

/* An attempt is over: the answer is final, or another attempt is due after a backoff. */
static void attempt_over(lk_token_post *p, CURLcode cc)
{
    bool retry;
    p->last_cc = cc;
    if (cc == CURLE_OK) {
        /* the body is traced by tokens.c, once its tokens are known as secrets */
        lk_trace_line(p->trace, "token < %ld", p->status);
        if (p->status != 429 && p->status < 500) {
            end(p, LK_OK);
            return;
        }
        retry = true;
    } else {
        lk_trace_line(p->trace, "token < no answer: %s",
                      p->errbuf[0] ? p->errbuf : curl_easy_strerror(cc));
        /* a certificate that does not verify will not verify on the next attempt either */
        retry = !p->too_large && lk_http_transient((int)cc);
    }
    if (retry && p->attempts < p->cfg->max_attempts &&
        lk_monotonic_ms() + (double)p->delay_ms < p->deadline_ms) {
        p->due_ms = lk_monotonic_ms() + (double)p->delay_ms;
        p->delay_ms = p->delay_ms * 2 > p->cfg->retry_max_ms ? p->cfg->retry_max_ms
                                                             : p->delay_ms * 2;
        return;
    }
    if (cc != CURLE_OK) {
        fail_no_answer(p);
        return;
    }
    end(p, lk_error_set(&p->err, LK_ERR_UNAVAILABLE,
                        _("the token service %s is unavailable: HTTP %ld to every attempt"),
                        p->cfg->token_url, p->status));
}

bool lk_token_post_take(lk_token_post *p, CURLM *multi, CURL *easy, CURLcode cc)
{
    if (!p || !p->easy || easy != p->easy)
        return false;
    if (cc == CURLE_OK)
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &p->status);
    detach(p, multi);
    attempt_over(p, cc);
    return true;
}

bool lk_token_post_flying(const lk_token_post *p)
{
    return p && p->easy != NULL;
}

int lk_token_post_attempts(const lk_token_post *p)
{
    return p ? p->attempts : 0;
}

lk_code lk_token_post_result(const lk_token_post *p, long *status, const strbuf **body,
                             lk_error *err)
{
    *status = p->status;
    *body = &p->body;
    if (!p->over)
        return lk_error_set(err, LK_ERR_INTERNAL, _("token call asked for its result too early"));
    if (p->rc != LK_OK) {
        *err = p->err;
        return p->rc;
    }
    return LK_OK;
}
