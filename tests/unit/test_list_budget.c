/*
 * test_list_budget.c: one command's listings share a budget, so nested listings cannot multiply.
 * A loopback server (libmicrohttpd) answers every employer list and every list of payroll
 * administrations with as many full pages as the test says, the way an independent review
 * drove `employers` to 124,671 requests and 7.7 GB: 400 pages of employers, each employer with
 * 400 pages of administrations. With the budget the command stops after its allowance of pages
 * beyond each list's first (5 x maxPagesPerList) with an error naming the listing; answers
 * larger than the byte budget stop it too; an honest nested listing (every list one page) is
 * untouched.
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
    pthread_mutex_t lock;
    long employer_pages, admin_pages; /* what every answer claims (and fills) */
    size_t pad;                       /* bytes of padding per item */
    long requests;
} server;

static enum MHD_Result respond(struct MHD_Connection *c, const char *body, size_t len)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body,
                                                             MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result ok = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    server *s = cls;
    static int marker;
    (void)method, (void)version, (void)upload;
    if (!*con_cls) {
        *con_cls = &marker;
        return MHD_YES;
    }
    if (*upload_size) {
        *upload_size = 0;
        return MHD_YES;
    }
    if (!strcmp(url, "/token")) {
        const char *t = "{\"access_token\":\"budget-access\",\"token_type\":\"bearer\","
                        "\"expires_in\":3600,\"refresh_token\":\"budget-refresh\"}";
        return respond(c, t, strlen(t));
    }
    const char *pn = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "pageNumber");
    long page = pn ? atol(pn) : 1;
    bool admins = strstr(url, "/payrolladministrations") != NULL;
    long pages = admins ? s->admin_pages : s->employer_pages;
    pthread_mutex_lock(&s->lock);
    long n = ++s->requests;
    pthread_mutex_unlock(&s->lock);
    strbuf b = STRBUF_INIT;
    strbuf_addf(&b, "{\"totalSize\":%ld,\"pageSize\":1,\"totalPages\":%ld,\"currentPage\":%ld,"
                    "\"_embedded\":[{\"id\":\"00000000-0000-0000-0000-%012ld\",",
                pages, pages, page, n);
    if (admins)
        strbuf_addf(&b, "\"name\":\"A%ld\",\"clientNumber\":%ld", n, n);
    else
        strbuf_addf(&b, "\"companyName\":\"W%ld\",\"employerNumber\":%ld", n, n);
    strbuf_addstr(&b, ",\"pad\":\"");
    for (size_t i = 0; i < s->pad; i++)
        strbuf_addch(&b, 'x');
    strbuf_addstr(&b, "\"}]}");
    enum MHD_Result ok = respond(c, b.buf, b.len);
    strbuf_free(&b);
    return ok;
}

typedef struct fixture {
    server srv;
    char *dir;
    lk_config *cfg;
    lk_client *client;
    /* the nested listing, as `loket-import employers` does it */
    long lists_ok, lists_failed;
    char first_error[LK_ERROR_MSG_MAX];
    lk_code employers_code;
} fixture;

static void fixture_open(fixture *f, long employer_pages, long admin_pages, size_t pad)
{
    char url[128], store[512];
    lk_error err;
    lk_tokens *t = NULL;
    memset(f, 0, sizeof *f);
    pthread_mutex_init(&f->srv.lock, NULL);
    f->srv.employer_pages = employer_pages;
    f->srv.admin_pages = admin_pages;
    f->srv.pad = pad;
    f->srv.d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD,
                                0, NULL, NULL, handle, &f->srv, MHD_OPTION_END);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f->srv.d);
    int port = MHD_get_daemon_info(f->srv.d, MHD_DAEMON_INFO_BIND_PORT)->port;
    f->dir = lk_test_tmpdir();
    f->cfg = lk_config_new_defaults();
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v2", port);
    free(f->cfg->api_url);
    f->cfg->api_url = strdup(url);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/token", port);
    free(f->cfg->token_url);
    f->cfg->token_url = strdup(url);
    snprintf(store, sizeof store, "%s/tokens.json", f->dir);
    free(f->cfg->token_store);
    f->cfg->token_store = strdup(store);
    f->cfg->client_id = strdup("loket-import-test");
    f->cfg->client_secret = strdup("budget-secret");
    f->cfg->concurrency = 8;
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

static void on_admins(const lk_api_result *r, lk_admin_list *l, void *ud)
{
    fixture *f = ud;
    if (r->code == LK_OK) {
        f->lists_ok++;
    } else {
        if (!f->lists_failed++)
            snprintf(f->first_error, sizeof f->first_error, "%s", r->err.message);
    }
    lk_admin_list_free(l);
}

static void on_employers(const lk_api_result *r, lk_employer_list *l, void *ud)
{
    fixture *f = ud;
    f->employers_code = r->code;
    if (r->code != LK_OK)
        snprintf(f->first_error, sizeof f->first_error, "%s", r->err.message);
    for (size_t i = 0; l && i < l->n; i++)
        lk_api_admins_start(f->client, l->items[i].id, on_admins, f);
    lk_employer_list_free(l);
}

static void run_employers(fixture *f)
{
    lk_error err;
    lk_error_clear(&err);
    lk_api_employers_start(f->client, on_employers, f);
    lk_client_run(f->client, &err);
}

static void test_nested_pages_bounded(void)
{
    fixture f;
    /* the review's server, scaled to maxPagesPerList 40: 40 employer pages, each employer with
     * 40 pages of administrations: 1,640 requests without a budget */
    fixture_open(&f, 40, 40, 0);
    f.cfg->max_pages_per_list = 40;
    run_employers(&f);
    fprintf(stderr, "\n40 x 40 pages claimed: %ld requests, %ld lists failed\n", f.srv.requests,
            f.lists_failed);
    CU_ASSERT_EQUAL(f.employers_code, LK_OK);
    CU_ASSERT(f.lists_failed > 0);
    /* the first page of each of the 41 lists, the 200-page allowance, a window in flight */
    CU_ASSERT(f.srv.requests <= 41 + 200 + 8 * 4);
    CU_ASSERT_PTR_NOT_NULL(strstr(f.first_error, "payroll administrations of employer"));
    CU_ASSERT_PTR_NOT_NULL(strstr(f.first_error, "maxPagesPerList"));
    fixture_close(&f);
}

static void test_review_figures(void)
{
    fixture f;
    /* the review's own figures with the defaults: 400 x 400 pages (160,400 without a budget) */
    fixture_open(&f, 400, 400, 0);
    run_employers(&f);
    fprintf(stderr, "400 x 400 pages claimed: %ld requests\n", f.srv.requests);
    CU_ASSERT(f.lists_failed > 0);
    CU_ASSERT(f.srv.requests <= 401 + 2000 + 8 * 4);
    fixture_close(&f);
}

static void test_bytes_bounded(void)
{
    fixture f;
    /* 300 employer pages of 2 MB each: 600 MB, more than the 512 MB budget */
    fixture_open(&f, 300, 1, 2 * 1024 * 1024);
    run_employers(&f);
    fprintf(stderr, "300 pages of 2 MB: %ld requests\n", f.srv.requests);
    CU_ASSERT_NOT_EQUAL(f.employers_code, LK_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(f.first_error, "employers: stopped"));
    CU_ASSERT_PTR_NOT_NULL(strstr(f.first_error, "512 MB"));
    CU_ASSERT(f.srv.requests <= 256 + 5);
    fixture_close(&f);
}

static void test_honest_nested_listing(void)
{
    fixture f;
    /* 300 employers (300 pages of one), each with one page of administrations: all read */
    fixture_open(&f, 300, 1, 0);
    run_employers(&f);
    CU_ASSERT_EQUAL(f.employers_code, LK_OK);
    CU_ASSERT_EQUAL(f.lists_ok, 300);
    CU_ASSERT_EQUAL(f.lists_failed, 0);
    CU_ASSERT_EQUAL(f.srv.requests, 300 + 300);
    fixture_close(&f);
}

int main(void)
{
    static const lk_test tests[] = {
        { "40 x 40 nested pages: stopped at the allowance, naming the list", test_nested_pages_bounded },
        { "400 x 400 nested pages (the review's server): about 2,400 requests", test_review_figures },
        { "600 MB of answers: stopped at 512 MB", test_bytes_bounded },
        { "an honest nested listing is read whole", test_honest_nested_listing },
        { NULL, NULL },
    };
    return lk_test_main("list-budget", tests);
}
