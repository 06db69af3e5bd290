/*
 * test_loket_http.c: the HTTP engine and token handling against a scripted loopback server
 * (libmicrohttpd), where every answer is chosen by the test: exact attempt counts for each
 * retry path (5xx, dropped connections, 429/503 with Retry-After), no retry for 400/403/404/409,
 * refresh once on 401 (then a clear failure), the rotated refresh token on disk, headers,
 * concurrency, and redaction of a whole trace. loket-sim covers the same against the real
 * rules in test_loket_sim.c; here the point is determinism.
 */
#include "common/strbuf.h"
#include "common/util.h"
#include "loket/api.h"
#include "loket/config.h"
#include "loket/http.h"
#include "loket/tokens.h"
#include "loket/trace.h"
#include "support/cunit_main.h"

#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---------------------------------------------------------------- the scripted server */

typedef struct step {
    int status;             /* 0 = drop the connection without an answer */
    const char *retry_after;
    const char *body;
    const char *content_type;
} step;

#define MAX_STEPS 32
#define MAX_SEEN 256

typedef struct seen {
    char method[8];
    char url[256];
    char auth[256];
    char accept[128];
    char content_type[128];
    char body[512];
} seen;

typedef struct server {
    struct MHD_Daemon *d;
    int port;
    pthread_mutex_t lock;
    step steps[MAX_STEPS];  /* answers for API requests, in order; then `fallback` */
    size_t nsteps, next;
    step fallback;
    int latency_ms;
    seen seen[MAX_SEEN];
    size_t nseen;
    /* token endpoint */
    int token_calls;
    int token_status;       /* 200 normally */
    int token_expires_in;
    char issued_refresh[64];
    char issued_access[64];
    char last_refresh_sent[128];
    const char *open_on_token;  /* a folder made 0777 while a token is issued (store lost) */
    const char *token_body;     /* the token service's whole answer instead of the usual one */
    int token_latency_ms;       /* the token service takes this long to answer */
    const char *slow_part;      /* API requests whose path holds this wait slow_ms */
    int slow_ms;
    const char *unauth_part;    /* the first API request whose path holds this gets 401 */
    bool unauth_done;
} server;

typedef struct conn {
    strbuf body;
} conn;

static const char *header(struct MHD_Connection *c, const char *name)
{
    const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
    return v ? v : "";
}

static enum MHD_Result respond(struct MHD_Connection *c, int status, const char *body,
                               const char *ct, const char *retry_after)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *)body,
                                                             MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ok;
    MHD_add_response_header(r, "Content-Type", ct ? ct : "application/json");
    if (retry_after)
        MHD_add_response_header(r, "Retry-After", retry_after);
    ok = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return ok;
}

/* "refresh_token=VALUE&..." -> VALUE (URL-decoding not needed for our test tokens) */
static void form_value(const char *form, const char *key, char *out, size_t size)
{
    size_t kl = strlen(key), n = 0;
    const char *p = form;
    out[0] = '\0';
    while ((p = strstr(p, key)) != NULL) {
        if ((p == form || p[-1] == '&') && p[kl] == '=')
            break;
        p += kl;
    }
    if (!p)
        return;
    p += kl + 1;
    while (p[n] && p[n] != '&' && n + 1 < size)
        n++;
    memcpy(out, p, n);
    out[n] = '\0';
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    server *s = cls;
    conn *cn = *con_cls;
    step st;
    (void)version;
    if (!cn) {
        cn = calloc(1, sizeof *cn);
        strbuf_init(&cn->body, 0);
        *con_cls = cn;
        return MHD_YES;
    }
    if (*upload_size) {
        strbuf_add(&cn->body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (s->latency_ms)
        usleep((useconds_t)s->latency_ms * 1000);
    if (!strcmp(url, "/token") && s->token_latency_ms)
        usleep((useconds_t)s->token_latency_ms * 1000);
    if (s->slow_part && strstr(url, s->slow_part))
        usleep((useconds_t)s->slow_ms * 1000);
    pthread_mutex_lock(&s->lock);
    if (!strcmp(url, "/token")) {
        char body[512], sent[128];
        int status = s->token_status;
        s->token_calls++;
        form_value(cn->body.buf, "refresh_token", sent, sizeof sent);
        snprintf(s->last_refresh_sent, sizeof s->last_refresh_sent, "%s", sent);
        if (status == 200 && sent[0] && strcmp(sent, s->issued_refresh) != 0 &&
            strcmp(sent, "initial-refresh-token") != 0)
            status = 400; /* a rotated-away token */
        if (status != 200) {
            pthread_mutex_unlock(&s->lock);
            /* 401 is how an OAuth server says the client id or secret is wrong */
            return respond(c, status,
                           status == 401 ? "{\"error\":\"invalid_client\"}"
                                         : "{\"error\":\"invalid_grant\"}",
                           NULL, NULL);
        }
        if (s->open_on_token)
            chmod(s->open_on_token, 0777);
        snprintf(s->issued_refresh, sizeof s->issued_refresh, "rotated-refresh-%d",
                 s->token_calls);
        snprintf(s->issued_access, sizeof s->issued_access, "access-token-number-%d",
                 s->token_calls);
        snprintf(body, sizeof body,
                 "{\"access_token\":\"%s\",\"token_type\":\"bearer\",\"expires_in\":%d,"
                 "\"refresh_token\":\"%s\",\"two_factor_state\":\"None\"}",
                 s->issued_access, s->token_expires_in, s->issued_refresh);
        pthread_mutex_unlock(&s->lock);
        return respond(c, 200, s->token_body ? s->token_body : body, NULL, NULL);
    }
    if (s->nseen < MAX_SEEN) {
        seen *w = &s->seen[s->nseen++];
        snprintf(w->method, sizeof w->method, "%s", method);
        snprintf(w->url, sizeof w->url, "%s", url);
        snprintf(w->auth, sizeof w->auth, "%s", header(c, "Authorization"));
        snprintf(w->accept, sizeof w->accept, "%s", header(c, "Accept"));
        snprintf(w->content_type, sizeof w->content_type, "%s", header(c, "Content-Type"));
        snprintf(w->body, sizeof w->body, "%s", cn->body.buf);
    }
    st = s->next < s->nsteps ? s->steps[s->next++] : s->fallback;
    if (s->unauth_part && strstr(url, s->unauth_part) && !s->unauth_done) {
        s->unauth_done = true;
        st.status = 401;
        st.body = "{\"message\":\"token expired\"}";
    }
    /* a step of 401 only when the token is the current one would be too clever: the test
     * scripts exactly what the server says */
    pthread_mutex_unlock(&s->lock);
    if (st.status == 0)
        return MHD_NO; /* drop: MHD closes the connection without an answer */
    return respond(c, st.status, st.body ? st.body : "{\"content\":{}}", st.content_type,
                   st.retry_after);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    conn *cn = *con_cls;
    (void)cls;
    (void)c;
    (void)toe;
    if (cn) {
        strbuf_free(&cn->body);
        free(cn);
        *con_cls = NULL;
    }
}

/* key_pem/cert_pem non-NULL: serve HTTPS with them */
static server *server_start_tls(const char *key_pem, const char *cert_pem)
{
    server *s = calloc(1, sizeof *s);
    const union MHD_DaemonInfo *info;
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                     MHD_USE_ERROR_LOG;
    pthread_mutex_init(&s->lock, NULL);
    s->fallback.status = 200;
    s->token_status = 200;
    s->token_expires_in = 3600;
    if (key_pem)
        s->d = MHD_start_daemon(flags | MHD_USE_TLS, 0, NULL, NULL, handle, s,
                                MHD_OPTION_NOTIFY_COMPLETED, completed, s,
                                MHD_OPTION_HTTPS_MEM_KEY, key_pem, MHD_OPTION_HTTPS_MEM_CERT,
                                cert_pem, MHD_OPTION_END);
    else
        s->d = MHD_start_daemon(flags, 0, NULL, NULL, handle, s, MHD_OPTION_NOTIFY_COMPLETED,
                                completed, s, MHD_OPTION_END);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s->d);
    info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info->port;
    return s;
}

static void server_stop(server *s)
{
    MHD_stop_daemon(s->d);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

static void script(server *s, const step *steps, size_t n)
{
    pthread_mutex_lock(&s->lock);
    if (n)
        memcpy(s->steps, steps, n * sizeof *steps);
    s->nsteps = n;
    s->next = 0;
    s->nseen = 0;
    pthread_mutex_unlock(&s->lock);
}

/* ---------------------------------------------------------------- client set-up */

typedef struct fixture {
    server *srv;
    char *dir;
    lk_config *cfg;
    lk_trace *trace;
    char trace_path[512];
    lk_client *client;
} fixture;

static void fixture_open_tls(fixture *f, bool with_token, const char *key_pem,
                             const char *cert_pem)
{
    char url[128], store[512];
    const char *scheme = key_pem ? "https" : "http";
    lk_error err;
    lk_error_clear(&err);
    memset(f, 0, sizeof *f);
    f->srv = server_start_tls(key_pem, cert_pem);
    f->dir = lk_test_tmpdir();
    f->cfg = lk_config_new_defaults();
    snprintf(url, sizeof url, "%s://127.0.0.1:%d/v2", scheme, f->srv->port);
    free(f->cfg->api_url);
    f->cfg->api_url = strdup(url);
    snprintf(url, sizeof url, "%s://127.0.0.1:%d/token", scheme, f->srv->port);
    free(f->cfg->token_url);
    f->cfg->token_url = strdup(url);
    snprintf(store, sizeof store, "%s/tokens.json", f->dir);
    free(f->cfg->token_store);
    f->cfg->token_store = strdup(store);
    f->cfg->client_id = strdup("loket-import-test");
    f->cfg->client_secret = strdup("client-secret-value-42");
    f->cfg->retry_base_ms = 10;
    f->cfg->retry_max_ms = 50;
    f->cfg->max_attempts = 5;
    snprintf(f->trace_path, sizeof f->trace_path, "%s/trace.log", f->dir);
    CU_ASSERT_EQUAL_FATAL(lk_trace_open(f->trace_path, &f->trace, &err), LK_OK);
    if (with_token) {
        lk_tokens *t = NULL;
        CU_ASSERT_EQUAL_FATAL(lk_tokens_open(f->cfg, NULL, &t, &err), LK_OK);
        CU_ASSERT_EQUAL_FATAL(lk_tokens_set_refresh_token(t, "initial-refresh-token", &err),
                              LK_OK);
        lk_tokens_free(t);
    }
    CU_ASSERT_EQUAL_FATAL(lk_client_new(f->cfg, f->trace, &f->client, &err), LK_OK);
}

static void fixture_open(fixture *f, bool with_token)
{
    fixture_open_tls(f, with_token, NULL, NULL);
}

static void fixture_close(fixture *f)
{
    lk_client_free(f->client);
    lk_trace_close(f->trace);
    lk_config_free(f->cfg);
    server_stop(f->srv);
    lk_test_rmtree(f->dir);
    free(f->dir);
}

typedef struct outcome {
    int calls;
    lk_code code;
    long status;
    int attempts;
    double latency_ms;
    char message[LK_ERROR_MSG_MAX];
    size_t nmessages;
} outcome;

static void on_write(const lk_api_result *r, void *ud)
{
    outcome *o = ud;
    o->calls++;
    o->code = r->code;
    o->status = r->status;
    o->attempts = r->attempts;
    o->latency_ms = r->latency_ms;
    snprintf(o->message, sizeof o->message, "%s", r->err.message);
    o->nmessages = r->envelope ? r->envelope->nmessages : 0;
}

static unsigned lk_tokens_status_requests(fixture *f)
{
    lk_token_status st;
    lk_tokens_status(lk_client_tokens(f->client), &st);
    return st.token_requests;
}

static outcome patch_once(fixture *f)
{
    outcome o;
    lk_error err;
    memset(&o, 0, sizeof o);
    lk_error_clear(&err);
    lk_api_patch_period_data_start(f->client, "0b9a7a5e-1f6c-4c55-9d55-7c7f1a2b3c4d",
                                   "{\"payrollPeriod\":{\"year\":2026,\"periodNumber\":11},"
                                   "\"payrollComponents\":[{\"payrollComponent\":{\"key\":10},"
                                   "\"value\":151.5}]}",
                                   on_write, &o);
    CU_ASSERT_EQUAL(lk_client_run(f->client, &err), LK_OK);
    CU_ASSERT_EQUAL(o.calls, 1);
    return o;
}

/* ---------------------------------------------------------------- tests */

static void test_headers_and_body(void)
{
    fixture f;
    outcome o;
    fixture_open(&f, true);
    o = patch_once(&f);
    CU_ASSERT_EQUAL(o.code, LK_OK);
    CU_ASSERT_EQUAL(o.attempts, 1);
    CU_ASSERT_EQUAL_FATAL(f.srv->nseen, 1);
    CU_ASSERT_STRING_EQUAL(f.srv->seen[0].method, "PATCH");
    CU_ASSERT_STRING_EQUAL(f.srv->seen[0].url, "/v2/providers/employers/employees/employments/"
                                               "0b9a7a5e-1f6c-4c55-9d55-7c7f1a2b3c4d/"
                                               "payrollperioddata");
    CU_ASSERT_STRING_EQUAL(f.srv->seen[0].accept, "application/json;version=2018-01-01");
    CU_ASSERT_STRING_EQUAL(f.srv->seen[0].content_type, "application/json;version=2018-01-01");
    CU_ASSERT_STRING_EQUAL(f.srv->seen[0].auth, "Bearer access-token-number-1");
    CU_ASSERT_PTR_NOT_NULL(strstr(f.srv->seen[0].body, "151.5"));
    CU_ASSERT_EQUAL(f.srv->token_calls, 1);
    /* the employment resources carry their own version date */
    {
        lk_employment_list *l = NULL;
        lk_error err;
        step page = { 200, NULL,
                      "{\"_embedded\":[{\"id\":\"e1\",\"employee\":{\"employeeNumber\":1001}}],"
                      "\"totalSize\":1,\"pageSize\":250,\"totalPages\":1,\"currentPage\":1}",
                      NULL };
        long nums[] = { 1001, 1002 };
        lk_error_clear(&err);
        script(f.srv, &page, 1);
        CU_ASSERT_EQUAL(lk_api_employments(f.client, "emp-1", nums, 2, &l, &err), LK_OK);
        CU_ASSERT_STRING_EQUAL(f.srv->seen[0].accept, "application/json;version=2019-12-16");
        CU_ASSERT_PTR_NOT_NULL(strstr(f.srv->seen[0].url, "/providers/employers/emp-1/employees/"
                                                          "employments"));
        CU_ASSERT_EQUAL_FATAL(l->n, 1);
        CU_ASSERT_EQUAL(l->items[0].employee_number, 1001);
        lk_employment_list_free(l);
    }
    fixture_close(&f);
}

static void test_retry_5xx(void)
{
    fixture f;
    outcome o;
    step s[] = { { 500, NULL, NULL, NULL }, { 502, NULL, "<html>bad gateway</html>", "text/html" },
                 { 504, NULL, NULL, NULL }, { 200, NULL, NULL, NULL } };
    fixture_open(&f, true);
    script(f.srv, s, 4);
    o = patch_once(&f);
    CU_ASSERT_EQUAL(o.code, LK_OK);
    CU_ASSERT_EQUAL(o.status, 200);
    CU_ASSERT_EQUAL(o.attempts, 4);
    CU_ASSERT_EQUAL(f.srv->nseen, 4);
    CU_ASSERT_EQUAL(lk_http_get_stats(lk_client_http(f.client))->retries, 3);
    fixture_close(&f);
}

static void test_retry_dropped(void)
{
    fixture f;
    outcome o;
    step s[] = { { 0, NULL, NULL, NULL }, { 0, NULL, NULL, NULL }, { 200, NULL, NULL, NULL } };
    fixture_open(&f, true);
    script(f.srv, s, 3);
    o = patch_once(&f);
    CU_ASSERT_EQUAL(o.code, LK_OK);
    CU_ASSERT_EQUAL(o.attempts, 3);
    CU_ASSERT_EQUAL(f.srv->nseen, 3);
    fixture_close(&f);
}

static void test_retry_after(void)
{
    fixture f;
    outcome o;
    step s[] = { { 429, "1", "{}", NULL }, { 503, NULL, NULL, NULL }, { 200, NULL, NULL, NULL } };
    fixture_open(&f, true);
    script(f.srv, s, 3);
    o = patch_once(&f);
    CU_ASSERT_EQUAL(o.code, LK_OK);
    CU_ASSERT_EQUAL(o.attempts, 3);
    /* the Retry-After second was honoured */
    CU_ASSERT(o.latency_ms >= 1000.0);
    CU_ASSERT(o.latency_ms < 5000.0);
    fixture_close(&f);
}

static void test_no_retry_4xx(void)
{
    static const int statuses[] = { 400, 403, 404, 409 };
    static const lk_code codes[] = { LK_ERR_REJECTED, LK_ERR_AUTH, LK_ERR_NOT_FOUND,
                                     LK_ERR_CONFLICT };
    fixture f;
    fixture_open(&f, true);
    for (size_t i = 0; i < LK_ARRAY_SIZE(statuses); i++) {
        step s = { statuses[i], NULL,
                   "{\"messages\":[{\"code\":83,\"type\":\"BrokenBusinessRule\","
                   "\"description\":\"De periode is gesloten\"}]}",
                   NULL };
        outcome o;
        script(f.srv, &s, 1);
        f.srv->fallback.status = 200;
        o = patch_once(&f);
        CU_ASSERT_EQUAL(o.code, codes[i]);
        CU_ASSERT_EQUAL(o.status, statuses[i]);
        CU_ASSERT_EQUAL(o.attempts, 1);
        CU_ASSERT_EQUAL(f.srv->nseen, 1);
        CU_ASSERT_EQUAL(o.nmessages, 1);
        if (statuses[i] == 400)
            CU_ASSERT_PTR_NOT_NULL(strstr(o.message, "De periode is gesloten"));
    }
    /* a text/plain 400 becomes a message too */
    {
        step s = { 400, NULL, "Invalid filter expression", "text/plain" };
        outcome o;
        script(f.srv, &s, 1);
        o = patch_once(&f);
        CU_ASSERT_EQUAL(o.code, LK_ERR_REJECTED);
        CU_ASSERT_PTR_NOT_NULL(strstr(o.message, "Invalid filter expression"));
    }
    fixture_close(&f);
}

/* A 422 is a refusal of the content, like a 400: settled, not retried, and Loket's reason is in
 * the message, in the envelope's messages or in a problem document (title, detail, errors). */
static void test_422_reason(void)
{
    fixture f;
    fixture_open(&f, true);
    {
        step s = { 422, NULL,
                   "{\"messages\":[{\"code\":1008,\"type\":\"BrokenBusinessRule\","
                   "\"description\":\"payrollComponents[0].value is buiten bereik\"}]}",
                   NULL };
        outcome o;
        script(f.srv, &s, 1);
        f.srv->fallback.status = 200;
        o = patch_once(&f);
        CU_ASSERT_EQUAL(o.code, LK_ERR_REJECTED);
        CU_ASSERT_EQUAL(o.status, 422);
        CU_ASSERT_EQUAL(o.attempts, 1);
        CU_ASSERT_EQUAL(o.nmessages, 1);
        CU_ASSERT_PTR_NOT_NULL(strstr(o.message, "buiten bereik"));
        CU_ASSERT_PTR_NOT_NULL(strstr(o.message, "422"));
    }
    {
        step s = { 422, NULL,
                   "{\"type\":\"about:blank\",\"title\":\"Unprocessable Entity\","
                   "\"detail\":\"payslipText: maximum length is 25\","
                   "\"errors\":{\"payslipText\":[\"too long\"]}}",
                   "application/problem+json" };
        outcome o;
        script(f.srv, &s, 1);
        o = patch_once(&f);
        CU_ASSERT_EQUAL(o.code, LK_ERR_REJECTED);
        CU_ASSERT_EQUAL(o.nmessages, 1);
        CU_ASSERT_PTR_NOT_NULL(strstr(o.message, "Unprocessable Entity"));
        CU_ASSERT_PTR_NOT_NULL(strstr(o.message, "maximum length is 25"));
        CU_ASSERT_PTR_NOT_NULL(strstr(o.message, "too long"));
    }
    fixture_close(&f);
}

static void test_attempts_bounded(void)
{
    fixture f;
    outcome o;
    fixture_open(&f, true);
    script(f.srv, NULL, 0);
    f.srv->fallback.status = 500;
    o = patch_once(&f);
    /* 5xx through every retry: Loket is unavailable, a later run may succeed (exit 3) */
    CU_ASSERT_EQUAL(o.code, LK_ERR_UNAVAILABLE);
    CU_ASSERT_TRUE(lk_code_transient(o.code));
    CU_ASSERT_EQUAL(lk_exit_code(o.code), LK_EXIT_CONFIG);
    CU_ASSERT_EQUAL(o.status, 500);
    CU_ASSERT_EQUAL(o.attempts, 5);
    CU_ASSERT_EQUAL(f.srv->nseen, 5);
    fixture_close(&f);
}

static void test_connection_refused(void)
{
    fixture f;
    outcome o;
    char url[64];
    lk_error err;
    int port;
    fixture_open(&f, true);
    /* get a token first, then point the API at a closed port */
    o = patch_once(&f);
    CU_ASSERT_EQUAL(o.code, LK_OK);
    port = f.srv->port;
    lk_client_free(f.client);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v2", port == 1 ? 2 : 1);
    free(f.cfg->api_url);
    f.cfg->api_url = strdup(url);
    f.cfg->max_attempts = 3;
    lk_error_clear(&err);
    CU_ASSERT_EQUAL_FATAL(lk_client_new(f.cfg, f.trace, &f.client, &err), LK_OK);
    o = patch_once(&f);
    CU_ASSERT_EQUAL(o.code, LK_ERR_NETWORK);
    CU_ASSERT_EQUAL(o.attempts, 3);
    CU_ASSERT_PTR_NOT_NULL(strstr(o.message, "3 attempt"));
    fixture_close(&f);
}

static char *read_store(fixture *f)
{
    char *text = NULL;
    lk_error err;
    lk_error_clear(&err);
    CU_ASSERT_EQUAL(lk_read_file(f->cfg->token_store, 1 << 16, &text, NULL, &err), LK_OK);
    return text ? text : strdup("");
}

static void test_401_refresh_once(void)
{
    fixture f;
    outcome o;
    char *store;
    step s[] = { { 401, NULL, NULL, NULL }, { 200, NULL, NULL, NULL } };
    fixture_open(&f, true);
    script(f.srv, s, 2);
    o = patch_once(&f);
    CU_ASSERT_EQUAL(o.code, LK_OK);
    CU_ASSERT_EQUAL(f.srv->token_calls, 2);          /* first token, then the refresh */
    CU_ASSERT_STRING_EQUAL(f.srv->seen[0].auth, "Bearer access-token-number-1");
    CU_ASSERT_STRING_EQUAL(f.srv->seen[1].auth, "Bearer access-token-number-2");
    CU_ASSERT_STRING_EQUAL(f.srv->last_refresh_sent, "rotated-refresh-1");
    /* the rotated refresh token is on disk */
    store = read_store(&f);
    CU_ASSERT_PTR_NOT_NULL(strstr(store, "rotated-refresh-2"));
    CU_ASSERT_PTR_NULL(strstr(store, "rotated-refresh-1\""));
    free(store);
    CU_ASSERT_EQUAL(lk_http_get_stats(lk_client_http(f.client))->token_refreshes_after_401, 1);

    /* 401 again after the refresh: one refresh, then a clear failure */
    script(f.srv, NULL, 0);
    f.srv->fallback.status = 401;
    f.srv->token_calls = 0;
    o = patch_once(&f);
    CU_ASSERT_EQUAL(o.code, LK_ERR_AUTH);
    CU_ASSERT_EQUAL(f.srv->token_calls, 1);
    CU_ASSERT_EQUAL(f.srv->nseen, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(o.message, "401"));
    fixture_close(&f);
}

static void test_refresh_refused(void)
{
    fixture f;
    outcome o;
    fixture_open(&f, true);
    f.srv->token_status = 400;
    o = patch_once(&f);
    CU_ASSERT_EQUAL(o.code, LK_ERR_AUTH);
    CU_ASSERT_PTR_NOT_NULL(strstr(o.message, "auth"));
    CU_ASSERT_EQUAL(f.srv->nseen, 0);           /* nothing sent without a token */
    CU_ASSERT_EQUAL(f.srv->token_calls, 1);     /* 400 from the token service: no retry */
    fixture_close(&f);
}

static void test_invalid_client(void)
{
    fixture f;
    outcome o;
    fixture_open(&f, true);
    f.srv->token_status = 401;
    o = patch_once(&f);
    CU_ASSERT_EQUAL(o.code, LK_ERR_AUTH);
    /* authorising again cannot help when the client itself is refused */
    CU_ASSERT_PTR_NOT_NULL(strstr(o.message, "invalid_client"));
    CU_ASSERT_PTR_NOT_NULL(strstr(o.message, "check the client id"));
    CU_ASSERT_PTR_NOT_NULL(strstr(o.message, "client secret"));
    CU_ASSERT_PTR_NULL(strstr(o.message, "authorise again"));
    CU_ASSERT_PTR_NULL(strstr(o.message, "client-secret-value-42"));
    CU_ASSERT_EQUAL(f.srv->nseen, 0);
    CU_ASSERT_EQUAL(f.srv->token_calls, 1);
    fixture_close(&f);
}

/* The lock beside the store cannot be made (here: a folder in its place; under systemd a
 * read-only file system): an environment error naming the path and errno, not an input error. */
static void test_lock_unusable(void)
{
    fixture f;
    outcome o;
    char lock[600];
    fixture_open(&f, true);
    snprintf(lock, sizeof lock, "%s.lock", f.cfg->token_store);
    unlink(lock);
    CU_ASSERT_EQUAL_FATAL(mkdir(lock, 0700), 0);
    o = patch_once(&f);
    CU_ASSERT_EQUAL(o.code, LK_ERR_ENV);
    CU_ASSERT_EQUAL(lk_exit_code(o.code), LK_EXIT_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(o.message, lock));
    CU_ASSERT_PTR_NOT_NULL(strstr(o.message, strerror(EISDIR)));
    CU_ASSERT_EQUAL(f.srv->nseen, 0);
    CU_ASSERT_EQUAL(f.srv->token_calls, 0);
    rmdir(lock);
    fixture_close(&f);
}

static void test_refresh_before_expiry(void)
{
    fixture f;
    outcome o;
    fixture_open(&f, true);
    f.srv->token_expires_in = 2;   /* margin becomes a quarter: 0 s */
    o = patch_once(&f);
    CU_ASSERT_EQUAL(o.code, LK_OK);
    CU_ASSERT_EQUAL(f.srv->token_calls, 1);
    o = patch_once(&f);
    CU_ASSERT_EQUAL(f.srv->token_calls, 1);     /* still valid: no refresh */
    sleep(3);
    o = patch_once(&f);
    CU_ASSERT_EQUAL(o.code, LK_OK);
    CU_ASSERT_EQUAL(f.srv->token_calls, 2);     /* expired: refreshed before sending */
    CU_ASSERT_STRING_EQUAL(f.srv->seen[f.srv->nseen - 1].auth, "Bearer access-token-number-2");
    /* no 401 was needed */
    CU_ASSERT_EQUAL(lk_http_get_stats(lk_client_http(f.client))->token_refreshes_after_401, 0);
    fixture_close(&f);
}

static void test_no_refresh_token(void)
{
    fixture f;
    outcome o;
    fixture_open(&f, false);
    o = patch_once(&f);
    CU_ASSERT_EQUAL(o.code, LK_ERR_AUTH);
    CU_ASSERT_PTR_NOT_NULL(strstr(o.message, "auth set-refresh-token"));
    CU_ASSERT_EQUAL(f.srv->token_calls, 0);
    fixture_close(&f);
}

static void test_concurrency(void)
{
    fixture f;
    outcome o[24];
    lk_error err;
    double t0, took;
    const lk_http_stats *st;
    fixture_open(&f, true);
    f.cfg->concurrency = 8;
    lk_client_free(f.client);
    lk_error_clear(&err);
    CU_ASSERT_EQUAL_FATAL(lk_client_new(f.cfg, f.trace, &f.client, &err), LK_OK);
    f.srv->latency_ms = 100;
    memset(o, 0, sizeof o);
    t0 = lk_monotonic_ms();
    for (int i = 0; i < 24; i++)
        lk_api_patch_period_data_start(f.client, "0b9a7a5e-1f6c-4c55-9d55-7c7f1a2b3c4d",
                                       "{\"payrollComponents\":[]}", on_write, &o[i]);
    CU_ASSERT_EQUAL(lk_client_run(f.client, &err), LK_OK);
    took = lk_monotonic_ms() - t0;
    for (int i = 0; i < 24; i++)
        CU_ASSERT_EQUAL(o[i].code, LK_OK);
    st = lk_http_get_stats(lk_client_http(f.client));
    CU_ASSERT_EQUAL(st->n, 24);
    CU_ASSERT_EQUAL(st->max_in_flight, 8);
    /* 24 requests of 100 ms, 8 at a time: about 300 ms, far below 2400 ms in series */
    CU_ASSERT(took < 1500.0);
    fprintf(stderr, "\n24 PATCHes at 100 ms server latency, concurrency 8: %.0f ms\n", took);
    fixture_close(&f);
}

typedef struct interrupt_ctx {
    volatile sig_atomic_t flag;
    int ok, interrupted;
} interrupt_ctx;

static void on_interrupting(const lk_api_result *r, void *ud)
{
    interrupt_ctx *ic = ud;
    if (r->code == LK_OK) {
        ic->ok++;
        ic->flag = 1; /* what a SIGINT handler would do */
    } else if (r->code == LK_ERR_INTERRUPTED) {
        ic->interrupted++;
    }
}

static void test_interrupt_flag(void)
{
    fixture f;
    lk_error err;
    interrupt_ctx ic;
    fixture_open(&f, true);
    f.cfg->concurrency = 1;
    lk_client_free(f.client);
    lk_error_clear(&err);
    CU_ASSERT_EQUAL_FATAL(lk_client_new(f.cfg, f.trace, &f.client, &err), LK_OK);
    memset(&ic, 0, sizeof ic);
    lk_http_set_interrupt_flag(lk_client_http(f.client), &ic.flag);
    for (int i = 0; i < 10; i++)
        lk_api_patch_period_data_start(f.client, "0b9a7a5e-1f6c-4c55-9d55-7c7f1a2b3c4d",
                                       "{\"payrollComponents\":[]}", on_interrupting, &ic);
    CU_ASSERT_EQUAL(lk_client_run(f.client, &err), LK_OK);
    CU_ASSERT_EQUAL(ic.ok, 1);
    CU_ASSERT_EQUAL(ic.interrupted, 9);
    CU_ASSERT_EQUAL(f.srv->nseen, 1);
    CU_ASSERT_EQUAL(lk_http_pending(lk_client_http(f.client)), 0);
    fixture_close(&f);
}

/* A self-signed certificate for 127.0.0.1 (CA:TRUE, so it can be its own trust anchor). */
static int make_cert(char **key_pem, char **cert_pem)
{
    EVP_PKEY *pk = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    X509_NAME *n;
    X509V3_CTX ctx;
    X509_EXTENSION *ext;
    BIO *b;
    BUF_MEM *mem;
    if (!pk || !x)
        return -1;
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -60);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, pk);
    n = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"loket-test", -1, -1,
                               0);
    X509_set_issuer_name(x, n);
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints, "critical,CA:TRUE");
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    if (!X509_sign(x, pk, EVP_sha256()))
        return -1;
    b = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(b, pk, NULL, NULL, 0, NULL, NULL);
    BIO_get_mem_ptr(b, &mem);
    *key_pem = strndup(mem->data, mem->length);
    BIO_free(b);
    b = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(b, x);
    BIO_get_mem_ptr(b, &mem);
    *cert_pem = strndup(mem->data, mem->length);
    BIO_free(b);
    X509_free(x);
    EVP_PKEY_free(pk);
    return 0;
}

static void test_tls_verification(void)
{
    fixture f;
    outcome o;
    char *key = NULL, *cert = NULL, ca[600];
    FILE *fp;
    lk_error err;
    CU_ASSERT_EQUAL_FATAL(make_cert(&key, &cert), 0);
    /* unknown CA: refused, once, with the reason; nothing sent */
    fixture_open_tls(&f, true, key, cert);
    o = patch_once(&f);
    CU_ASSERT_EQUAL(o.code, LK_ERR_NETWORK);
    CU_ASSERT_PTR_NOT_NULL(strstr(o.message, "certificate"));
    CU_ASSERT_EQUAL(lk_tokens_status_requests(&f), 1);   /* not retried */
    CU_ASSERT_EQUAL(f.srv->token_calls, 0);
    CU_ASSERT_EQUAL(f.srv->nseen, 0);
    /* --cacert with the private CA: verified and working */
    snprintf(ca, sizeof ca, "%s/ca.pem", f.dir);
    fp = fopen(ca, "w");
    fputs(cert, fp);
    fclose(fp);
    f.cfg->cacert = strdup(ca);
    lk_client_free(f.client);
    lk_error_clear(&err);
    CU_ASSERT_EQUAL_FATAL(lk_client_new(f.cfg, f.trace, &f.client, &err), LK_OK);
    o = patch_once(&f);
    CU_ASSERT_EQUAL(o.code, LK_OK);
    CU_ASSERT_EQUAL(o.attempts, 1);
    CU_ASSERT_EQUAL(f.srv->nseen, 1);
    CU_ASSERT_STRING_EQUAL(f.srv->seen[0].auth, "Bearer access-token-number-1");
    fixture_close(&f);
    free(key);
    free(cert);
}

static void test_trace_redacted(void)
{
    fixture f;
    outcome o;
    char *text = NULL;
    lk_error err;
    step s[] = { { 401, NULL, NULL, NULL }, { 200, NULL, NULL, NULL } };
    fixture_open(&f, true);
    script(f.srv, s, 2);
    o = patch_once(&f);
    CU_ASSERT_EQUAL(o.code, LK_OK);
    lk_trace_close(f.trace);
    f.trace = NULL;
    lk_error_clear(&err);
    CU_ASSERT_EQUAL_FATAL(lk_read_file(f.trace_path, 1 << 22, &text, NULL, &err), LK_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "PATCH"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "[redacted]"));
    CU_ASSERT_PTR_NULL(strstr(text, "initial-refresh-token"));
    CU_ASSERT_PTR_NULL(strstr(text, "rotated-refresh-"));
    CU_ASSERT_PTR_NULL(strstr(text, "access-token-number-"));
    CU_ASSERT_PTR_NULL(strstr(text, "client-secret-value-42"));
    free(text);
    lk_client_free(f.client);
    f.client = NULL;
    fixture_close(&f);
}

/* ---------------------------------------------------------------- error messages */

typedef struct list_outcome {
    lk_code code;
    char message[LK_ERROR_MSG_MAX];
} list_outcome;

static void on_employers_list(const lk_api_result *r, lk_employer_list *l, void *ud)
{
    list_outcome *o = ud;
    o->code = r->code;
    snprintf(o->message, sizeof o->message, "%s", r->err.message);
    lk_employer_list_free(l);
}

/* An answer that is not JSON: the message says what, once, and why, whole. */
static void test_error_not_json(void)
{
    fixture f;
    lk_error err;
    list_outcome o;
    step bad = { 200, NULL, "<html>no</html>", "application/json" };
    fixture_open(&f, true);
    script(f.srv, &bad, 1);
    memset(&o, 0, sizeof o);
    lk_error_clear(&err);
    lk_api_employers_start(f.client, on_employers_list, &o);
    CU_ASSERT_EQUAL(lk_client_run(f.client, &err), LK_OK);
    CU_ASSERT_EQUAL(o.code, LK_ERR_PROTOCOL);
    if (strcmp(o.message, "employers: the server's answer is not valid JSON (at byte 0 of 15) "
                          "(HTTP 200)") != 0)
        fprintf(stderr, "\ngot: %s\n", o.message);
    CU_ASSERT_STRING_EQUAL(o.message, "employers: the server's answer is not valid JSON (at byte "
                                      "0 of 15) (HTTP 200)");
    fixture_close(&f);
}

/* A refresh whose new token cannot be stored: the message keeps the reason readable. */
static void test_error_store_lost(void)
{
    fixture f;
    lk_error err;
    fixture_open(&f, true);
    f.srv->open_on_token = f.dir; /* after the grant the store's folder is refused */
    lk_error_clear(&err);
    CU_ASSERT_NOT_EQUAL(lk_tokens_refresh(lk_client_tokens(f.client), &err), LK_OK);
    const char *reason = strstr(err.message, "could not be saved (");
    CU_ASSERT_PTR_NOT_NULL(reason);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "can be written by other users (mode 0777)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "); the previous one is no longer valid"));
    CU_ASSERT_EQUAL(strncmp(err.message, "token refresh: the new refresh token", 36), 0);
    if (strncmp(err.message, "token refresh: the new refresh token", 36) != 0)
        fprintf(stderr, "\ngot: %s\n", err.message);
    chmod(f.dir, 0700);
    fixture_close(&f);
}

/* The token answer's keys written with escapes: the trace still holds no token. */
static void test_trace_escaped_keys(void)
{
    fixture f;
    outcome o;
    char *text = NULL;
    lk_error err;
    fixture_open(&f, true);
    f.srv->token_body = "{\"access\\u005ftoken\":\"escaped-access-token-value-77\","
                        "\"token_type\":\"bearer\",\"expires_in\":3600,"
                        "\"refresh\\u005Ftoken\":\"escaped-refresh-token-value-88\"}";
    o = patch_once(&f);
    CU_ASSERT_EQUAL(o.code, LK_OK);
    CU_ASSERT_STRING_EQUAL(f.srv->seen[f.srv->nseen - 1].auth,
                           "Bearer escaped-access-token-value-77");
    lk_client_free(f.client);
    f.client = NULL;
    lk_trace_close(f.trace);
    f.trace = NULL;
    lk_error_clear(&err);
    CU_ASSERT_EQUAL_FATAL(lk_read_file(f.trace_path, 1 << 22, &text, NULL, &err), LK_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "token <"));
    CU_ASSERT_PTR_NULL(strstr(text, "escaped-access-token-value-77"));
    CU_ASSERT_PTR_NULL(strstr(text, "escaped-refresh-token-value-88"));
    free(text);
    fixture_close(&f);
}

/* CR/LF in a token would become header lines of the server's choosing: refused. */
static void test_token_with_crlf(void)
{
    fixture f;
    outcome o;
    fixture_open(&f, true);
    f.srv->token_body = "{\"access_token\":\"abc\\r\\nX-Injected: yes\",\"token_type\":"
                        "\"bearer\",\"expires_in\":3600,\"refresh_token\":\"r-new-token-1\"}";
    o = patch_once(&f);
    CU_ASSERT_EQUAL(o.code, LK_ERR_PROTOCOL);
    CU_ASSERT_PTR_NOT_NULL(strstr(o.message, "spaces or control characters"));
    CU_ASSERT_EQUAL(f.srv->nseen, 0); /* nothing was sent with it */
    fixture_close(&f);
}

/* expires_in below a second: not a refresh before every request. */
static void test_expires_in_fraction(void)
{
    fixture f;
    outcome o;
    fixture_open(&f, true);
    f.srv->token_body = "{\"access_token\":\"short-lived-access\",\"token_type\":\"bearer\","
                        "\"expires_in\":0.4,\"refresh_token\":\"rotated-refresh-1\"}";
    for (int i = 0; i < 5; i++) {
        o = patch_once(&f);
        CU_ASSERT_EQUAL(o.code, LK_OK);
    }
    CU_ASSERT_EQUAL(f.srv->token_calls, 1);
    fixture_close(&f);
}

/* ---------------------------------------------------------------- token calls on the engine */

typedef struct timed {
    double start_ms;
    double done_ms;         /* since start_ms */
    long status;
    lk_code code;
    int calls;
} timed;

static void on_timed(const lk_http_response *res, void *ud)
{
    timed *t = ud;
    t->done_ms = lk_monotonic_ms() - t->start_ms;
    t->status = res->status;
    t->code = res->code;
    t->calls++;
}

static void submit_get(fixture *f, const char *path, timed *t)
{
    lk_http_request req;
    memset(&req, 0, sizeof req);
    req.method = "GET";
    req.path = path;
    req.resource = LK_RES_EMPLOYERS;
    lk_http_submit(lk_client_http(f->client), &req, on_timed, t);
}

/* One request's 401 makes a refresh that takes 1.5 s; an answer that arrives meanwhile for
 * another request is handed over when it arrives, not when the token service is done. */
static void test_refresh_beside_transfers(void)
{
    fixture f;
    timed slow, unauth;
    lk_error err;
    double t0;
    fixture_open(&f, true);
    CU_ASSERT_EQUAL(patch_once(&f).code, LK_OK); /* the first access token, quickly */
    f.srv->token_latency_ms = 1500;
    f.srv->slow_part = "/slow";
    f.srv->slow_ms = 400;
    f.srv->unauth_part = "/unauth";
    memset(&slow, 0, sizeof slow);
    memset(&unauth, 0, sizeof unauth);
    lk_error_clear(&err);
    t0 = lk_monotonic_ms();
    slow.start_ms = unauth.start_ms = t0;
    submit_get(&f, "/slow", &slow);
    submit_get(&f, "/unauth", &unauth);
    CU_ASSERT_EQUAL(lk_http_run(lk_client_http(f.client), &err), LK_OK);
    CU_ASSERT_EQUAL(slow.calls, 1);
    CU_ASSERT_EQUAL(slow.status, 200);
    CU_ASSERT_EQUAL(unauth.calls, 1);
    CU_ASSERT_EQUAL(unauth.status, 200); /* sent again with the new token */
    CU_ASSERT_EQUAL(f.srv->token_calls, 2);
    printf("[slow answer after %.0f ms, refreshed request after %.0f ms] ", slow.done_ms,
           unauth.done_ms);
    CU_ASSERT(slow.done_ms >= 390 && slow.done_ms < 1000);
    CU_ASSERT(unauth.done_ms >= 1500);
    fixture_close(&f);
}

typedef struct holder {
    char path[600];
    int fd;
    int release_after_ms;
    const char *write_store;    /* when set, the store is rewritten with this before release */
    char store[600];
    volatile sig_atomic_t *flag; /* when set, raised after raise_after_ms */
    int raise_after_ms;
} holder;

/* Another process holding the store's lock: it may write the store, then lets go. */
static void *hold_lock(void *ud)
{
    holder *h = ud;
    int waited = 0;
    while (waited < h->release_after_ms) {
        if (h->flag && waited >= h->raise_after_ms)
            *h->flag = 1;
        usleep(10 * 1000);
        waited += 10;
    }
    if (h->write_store) {
        FILE *fp = fopen(h->store, "w");
        fputs(h->write_store, fp);
        fclose(fp);
    }
    flock(h->fd, LOCK_UN);
    return NULL;
}

static void lock_like_another_process(fixture *f, holder *h)
{
    snprintf(h->store, sizeof h->store, "%s", f->cfg->token_store);
    snprintf(h->path, sizeof h->path, "%s.lock", f->cfg->token_store);
    h->fd = open(h->path, O_RDWR | O_CREAT, 0600);
    CU_ASSERT_FATAL(h->fd >= 0);
    CU_ASSERT_FATAL(flock(h->fd, LOCK_EX) == 0);
}

/* SIGTERM while another process holds the token store's lock (its refresh hangs): the run
 * stops within the loop turn, it does not wait for the lock. */
static void test_stop_while_lock_held(void)
{
    fixture f;
    holder h;
    pthread_t th;
    outcome o;
    volatile sig_atomic_t flag = 0;
    double t0, took;
    fixture_open(&f, true);
    memset(&h, 0, sizeof h);
    lock_like_another_process(&f, &h);
    h.release_after_ms = 3000;
    h.flag = &flag;
    h.raise_after_ms = 300;
    lk_http_set_interrupt_flag(lk_client_http(f.client), &flag);
    pthread_create(&th, NULL, hold_lock, &h);
    t0 = lk_monotonic_ms();
    o = patch_once(&f);
    took = lk_monotonic_ms() - t0;
    pthread_join(th, NULL);
    close(h.fd);
    printf("[stopped after %.0f ms] ", took);
    CU_ASSERT_EQUAL(o.code, LK_ERR_INTERRUPTED);
    CU_ASSERT(took < 800);
    CU_ASSERT_EQUAL(f.srv->token_calls, 0);
    CU_ASSERT_EQUAL(f.srv->nseen, 0);
    fixture_close(&f);
}

/* The other process's refresh ends with a fresh token in the store: it is used as it is, no
 * second refresh (which would spend the rotated refresh token of the other process). */
static void test_other_process_token_used(void)
{
    fixture f;
    holder h;
    pthread_t th;
    outcome o;
    char store[1024];
    fixture_open(&f, true);
    memset(&h, 0, sizeof h);
    lock_like_another_process(&f, &h);
    snprintf(store, sizeof store,
             "{\"tokenUrl\":\"%s\",\"clientId\":\"loket-import-test\",\"refreshToken\":"
             "\"other-refresh\",\"accessToken\":\"other-access\",\"accessTokenExpiresAt\":%lld,"
             "\"updatedAt\":%lld}",
             f.cfg->token_url, (long long)time(NULL) + 3600, (long long)time(NULL));
    h.write_store = store;
    h.release_after_ms = 300;
    pthread_create(&th, NULL, hold_lock, &h);
    o = patch_once(&f);
    pthread_join(th, NULL);
    close(h.fd);
    CU_ASSERT_EQUAL(o.code, LK_OK);
    CU_ASSERT_EQUAL(f.srv->token_calls, 0);
    CU_ASSERT_EQUAL(f.srv->nseen, 1);
    CU_ASSERT_STRING_EQUAL(f.srv->seen[0].auth, "Bearer other-access");
    fixture_close(&f);
}

/* SIGTERM while the token service hangs: the refresh in flight gets the stop grace (its answer
 * may carry the only valid refresh token), then it is cut. */
static void test_stop_during_token_call(void)
{
    fixture f;
    holder h;
    pthread_t th;
    outcome o;
    volatile sig_atomic_t flag = 0;
    double t0, took;
    fixture_open(&f, true);
    f.srv->token_latency_ms = 4000;
    memset(&h, 0, sizeof h);
    h.fd = -1;
    h.release_after_ms = 400;
    h.flag = &flag;
    h.raise_after_ms = 300;
    lk_http_set_interrupt_flag(lk_client_http(f.client), &flag);
    pthread_create(&th, NULL, hold_lock, &h);
    t0 = lk_monotonic_ms();
    o = patch_once(&f);
    took = lk_monotonic_ms() - t0;
    pthread_join(th, NULL);
    printf("[stopped after %.0f ms] ", took);
    CU_ASSERT_EQUAL(o.code, LK_ERR_INTERRUPTED);
    CU_ASSERT(took >= 1200 && took < 2000);
    CU_ASSERT_EQUAL(f.srv->nseen, 0);
    fixture_close(&f);
}

int main(void)
{
    static const lk_test tests[] = {
        { "headers, versions, bearer token, body", test_headers_and_body },
        { "500, 502, 504 retried to success (4 attempts)", test_retry_5xx },
        { "dropped connections retried (3 attempts)", test_retry_dropped },
        { "429 Retry-After honoured, 503 retried", test_retry_after },
        { "400/403/404/409 never retried", test_no_retry_4xx },
        { "a 422 is a rejection with its reason", test_422_reason },
        { "attempts bounded: 5 x 500", test_attempts_bounded },
        { "connection refused: network error after max attempts", test_connection_refused },
        { "401: refresh once, rotated token stored; twice: fail", test_401_refresh_once },
        { "refresh token refused: clear auth error, nothing sent", test_refresh_refused },
        { "invalid_client: says to check the client id and secret", test_invalid_client },
        { "token lock unusable: environment error with path and errno", test_lock_unusable },
        { "refresh before expiry, not after a 401", test_refresh_before_expiry },
        { "no refresh token: says how to get one", test_no_refresh_token },
        { "8 in flight, 24 requests", test_concurrency },
        { "interrupt flag: nothing more is sent", test_interrupt_flag },
        { "TLS: unknown CA refused without retry; --cacert works", test_tls_verification },
        { "trace holds no token or secret", test_trace_redacted },
        { "an answer that is not JSON: one clear message", test_error_not_json },
        { "a refresh that cannot be stored: the reason kept", test_error_store_lost },
        { "token keys written with escapes: still redacted", test_trace_escaped_keys },
        { "CR/LF in a token: refused, nothing sent", test_token_with_crlf },
        { "expires_in 0.4: one refresh, not one per request", test_expires_in_fraction },
        { "a slow refresh does not hold up other answers", test_refresh_beside_transfers },
        { "stop while another process holds the token lock", test_stop_while_lock_held },
        { "another process's fresh token is used, not refreshed", test_other_process_token_used },
        { "stop while the token service hangs: grace, then cut", test_stop_during_token_call },
        { NULL, NULL },
    };
    return lk_test_main("loket-http", tests);
}
