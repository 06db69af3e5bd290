/*
 * test_loket_paging.c: the pager against a loopback server (libmicrohttpd) that claims what the
 * test tells it: the work of a listing is bounded by what the server sends, never by what it
 * claims. A claim beyond maxPagesPerList is refused after one request; a claim of many pages
 * filled with empty ones stops at the first empty page; at most pagesInFlight page requests of
 * a list are in flight at once; an honest list of many pages still arrives whole and in order.
 */
#include "common/strbuf.h"
#include "common/util.h"
#include "loket/api.h"
#include "loket/config.h"
#include "loket/tokens.h"
#include "support/cunit_main.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct server {
    struct MHD_Daemon *d;
    int port;
    pthread_mutex_t lock;
    long claim_pages;   /* totalPages in every answer */
    long real_pages;    /* pages holding an item; later ones are empty */
    int latency_ms;
    long requests;      /* API requests answered */
    int in_flight, max_in_flight;
} server;

static enum MHD_Result respond(struct MHD_Connection *c, int status, const char *body)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *)body,
                                                             MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ok;
    MHD_add_response_header(r, "Content-Type", "application/json");
    ok = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    server *s = cls;
    static int marker;
    (void)method;
    (void)version;
    (void)upload;
    if (!*con_cls) {
        *con_cls = &marker;
        return MHD_YES;
    }
    if (*upload_size) {
        *upload_size = 0;
        return MHD_YES;
    }
    if (!strcmp(url, "/token"))
        return respond(c, 200,
                       "{\"access_token\":\"paging-access\",\"token_type\":\"bearer\","
                       "\"expires_in\":3600,\"refresh_token\":\"paging-refresh\"}");
    const char *pn = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "pageNumber");
    long page = pn ? atol(pn) : 1;
    pthread_mutex_lock(&s->lock);
    s->requests++;
    if (++s->in_flight > s->max_in_flight)
        s->max_in_flight = s->in_flight;
    pthread_mutex_unlock(&s->lock);
    if (s->latency_ms)
        usleep((useconds_t)s->latency_ms * 1000);
    strbuf b = STRBUF_INIT;
    strbuf_addf(&b, "{\"totalSize\":%ld,\"pageSize\":1,\"totalPages\":%ld,\"currentPage\":%ld,"
                    "\"_embedded\":[",
                s->claim_pages, s->claim_pages, page);
    if (page <= s->real_pages)
        strbuf_addf(&b, "{\"id\":\"00000000-0000-0000-0000-%012ld\",\"companyName\":\"W%ld\","
                        "\"employerNumber\":%ld}",
                    page, page, page);
    strbuf_addstr(&b, "]}");
    enum MHD_Result ok = respond(c, 200, b.buf);
    strbuf_free(&b);
    pthread_mutex_lock(&s->lock);
    s->in_flight--;
    pthread_mutex_unlock(&s->lock);
    return ok;
}

typedef struct fixture {
    server srv;
    char *dir;
    lk_config *cfg;
    lk_client *client;
} fixture;

static void fixture_open(fixture *f, long claim, long real, int in_flight)
{
    char url[128], store[512];
    lk_error err;
    lk_tokens *t = NULL;
    memset(f, 0, sizeof *f);
    pthread_mutex_init(&f->srv.lock, NULL);
    f->srv.claim_pages = claim;
    f->srv.real_pages = real;
    f->srv.d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD,
                                0, NULL, NULL, handle, &f->srv, MHD_OPTION_END);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f->srv.d);
    f->srv.port = MHD_get_daemon_info(f->srv.d, MHD_DAEMON_INFO_BIND_PORT)->port;
    f->dir = lk_test_tmpdir();
    f->cfg = lk_config_new_defaults();
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v2", f->srv.port);
    free(f->cfg->api_url);
    f->cfg->api_url = strdup(url);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/token", f->srv.port);
    free(f->cfg->token_url);
    f->cfg->token_url = strdup(url);
    snprintf(store, sizeof store, "%s/tokens.json", f->dir);
    free(f->cfg->token_store);
    f->cfg->token_store = strdup(store);
    f->cfg->client_id = strdup("loket-import-test");
    f->cfg->client_secret = strdup("paging-secret");
    f->cfg->concurrency = 16;
    f->cfg->pages_in_flight = in_flight;
    lk_error_clear(&err);
    CU_ASSERT_EQUAL_FATAL(lk_tokens_open(f->cfg, NULL, &t, &err), LK_OK);
    CU_ASSERT_EQUAL_FATAL(lk_tokens_set_refresh_token(t, "initial-refresh-token", &err), LK_OK);
    lk_tokens_free(t);
    CU_ASSERT_EQUAL_FATAL(lk_client_new(f->cfg, NULL, &f->client, &err), LK_OK);
}

static void fixture_close(fixture *f)
{
    lk_client_free(f->client);
    lk_config_free(f->cfg);
    MHD_stop_daemon(f->srv.d);
    pthread_mutex_destroy(&f->srv.lock);
    lk_test_rmtree(f->dir);
    free(f->dir);
}

typedef struct outcome {
    lk_code code;
    size_t n;
    long numbers_in_order; /* 1 when item i has employer number i + 1 */
    char message[LK_ERROR_MSG_MAX];
} outcome;

static void on_employers(const lk_api_result *r, lk_employer_list *l, void *ud)
{
    outcome *o = ud;
    o->code = r->code;
    snprintf(o->message, sizeof o->message, "%s", r->err.message);
    if (l) {
        o->n = l->n;
        o->numbers_in_order = 1;
        for (size_t i = 0; i < l->n; i++)
            if (l->items[i].employer_number != (long)i + 1)
                o->numbers_in_order = 0;
        lk_employer_list_free(l);
    }
}

static outcome list_employers(fixture *f)
{
    outcome o;
    lk_error err;
    memset(&o, 0, sizeof o);
    lk_error_clear(&err);
    lk_api_employers_start(f->client, on_employers, &o);
    CU_ASSERT_EQUAL(lk_client_run(f->client, &err), LK_OK);
    return o;
}

static void test_claim_beyond_cap(void)
{
    fixture f;
    fixture_open(&f, 10000, 10000, 4);
    outcome o = list_employers(&f);
    CU_ASSERT_EQUAL(o.code, LK_ERR_PROTOCOL);
    CU_ASSERT_PTR_NOT_NULL(strstr(o.message, "claims 10000 pages"));
    CU_ASSERT_PTR_NOT_NULL(strstr(o.message, "maxPagesPerList"));
    CU_ASSERT_EQUAL(f.srv.requests, 1);
    fixture_close(&f);
}

static void test_empty_pages_stop_the_list(void)
{
    fixture f;
    /* under the cap, but only 3 pages hold anything: no more than a window past the first
     * empty page is ever asked */
    fixture_open(&f, 300, 3, 4);
    outcome o = list_employers(&f);
    CU_ASSERT_EQUAL(o.code, LK_ERR_PROTOCOL);
    CU_ASSERT_PTR_NOT_NULL(strstr(o.message, "is empty"));
    CU_ASSERT(f.srv.requests <= 3 + 1 + 4);
    fprintf(stderr, "\nclaim 300 pages, 3 real: %ld requests\n", f.srv.requests);
    fixture_close(&f);
}

static void test_window_and_whole_list(void)
{
    fixture f;
    fixture_open(&f, 60, 60, 3);
    f.srv.latency_ms = 5;
    outcome o = list_employers(&f);
    CU_ASSERT_EQUAL(o.code, LK_OK);
    CU_ASSERT_EQUAL(o.n, 60);
    CU_ASSERT_EQUAL(o.numbers_in_order, 1);
    CU_ASSERT_EQUAL(f.srv.requests, 60);
    CU_ASSERT(f.srv.max_in_flight <= 3);
    CU_ASSERT(f.srv.max_in_flight >= 2); /* the window is used, not one page at a time */
    fixture_close(&f);
}

static void test_config_keys(void)
{
    lk_config *cfg = lk_config_new_defaults();
    lk_error err;
    lk_error_clear(&err);
    CU_ASSERT_EQUAL(cfg->max_pages_per_list, 400);
    CU_ASSERT_EQUAL(cfg->pages_in_flight, 4);
    CU_ASSERT_EQUAL(lk_config_parse("{\"maxPagesPerList\": 20, \"pagesInFlight\": 2}", "t.json",
                                    cfg, &err),
                    LK_OK);
    CU_ASSERT_EQUAL(cfg->max_pages_per_list, 20);
    CU_ASSERT_EQUAL(cfg->pages_in_flight, 2);
    CU_ASSERT_NOT_EQUAL(lk_config_parse("{\"pagesInFlight\": 0}", "t.json", cfg, &err), LK_OK);
    CU_ASSERT_NOT_EQUAL(lk_config_parse("{\"maxPagesPerList\": -1}", "t.json", cfg, &err), LK_OK);
    lk_config_free(cfg);
}

int main(void)
{
    static const lk_test tests[] = {
        { "a claim of 10000 pages: refused after one request", test_claim_beyond_cap },
        { "300 pages claimed, 3 sent: stops at the first empty page", test_empty_pages_stop_the_list },
        { "60 pages, 3 in flight: whole, in order, window kept", test_window_and_whole_list },
        { "maxPagesPerList and pagesInFlight in the config", test_config_keys },
        { NULL, NULL },
    };
    return lk_test_main("loket-paging", tests);
}
