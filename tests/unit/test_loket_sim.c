/*
 * test_loket_sim.c: the Loket client against loket-sim (started per test): every look-up read
 * across several pages (small pageSize), filters, defaults, metadata and its cache, the
 * administration-level listing after a PATCH, 403/404 not retried, refresh before expiry and
 * after a 401 with the rotated refresh token on disk and the old one refused, every fault flag
 * (5xx, dropped connections, 429 with Retry-After) ending in success with the attempts the
 * client counted equal to the requests the simulator saw, and a whole run's trace free of
 * tokens and the client secret.
 */
#include "common/strbuf.h"
#include "common/util.h"
#include "loket/api.h"
#include "loket/config.h"
#include "loket/http.h"
#include "loket/tokens.h"
#include "loket/trace.h"
#include "support/cunit_main.h"
#include "support/sim.h"

#include <cJSON.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Fixture facts (BRIEF.md): employer numbers are looked up by name. */
#define BAKKERIJ "Bakkerij Van den Berg B.V."
#define LINDE "Hoveniersbedrijf De Linde"

typedef struct fx {
    lk_sim sim;
    char *dir;
    lk_config *cfg;
    lk_trace *trace;
    char trace_path[512];
    lk_client *c;
} fx;

static void fx_client(fx *f)
{
    lk_error err;
    lk_error_clear(&err);
    lk_client_free(f->c);
    f->c = NULL;
    CU_ASSERT_EQUAL_FATAL(lk_client_new(f->cfg, f->trace, &f->c, &err), LK_OK);
}

/* A test that needs the simulator fails when it cannot start it (missing, crashed, too slow). */
static void fx_open(fx *f, const char *const *sim_args, int page_size)
{
    char buf[512];
    lk_tokens *t = NULL;
    lk_error err;
    lk_error_clear(&err);
    memset(f, 0, sizeof *f);
    if (lk_sim_start(&f->sim, sim_args) != 0)
        CU_FAIL_FATAL("loket-sim did not start");
    f->dir = lk_test_tmpdir();
    f->cfg = lk_config_new_defaults();
    free(f->cfg->api_url);
    f->cfg->api_url = strdup(f->sim.url);
    snprintf(buf, sizeof buf, "%s/token", f->sim.root);
    free(f->cfg->token_url);
    f->cfg->token_url = strdup(buf);
    snprintf(buf, sizeof buf, "%s/tokens.json", f->dir);
    free(f->cfg->token_store);
    f->cfg->token_store = strdup(buf);
    f->cfg->client_id = strdup(f->sim.client_id);
    f->cfg->client_secret = strdup(f->sim.client_secret);
    f->cfg->page_size = page_size;
    f->cfg->retry_base_ms = 20;
    f->cfg->retry_max_ms = 200;
    f->cfg->max_attempts = 8;
    snprintf(f->trace_path, sizeof f->trace_path, "%s/trace.log", f->dir);
    CU_ASSERT_EQUAL_FATAL(lk_trace_open(f->trace_path, &f->trace, &err), LK_OK);
    CU_ASSERT_EQUAL_FATAL(lk_tokens_open(f->cfg, NULL, &t, &err), LK_OK);
    CU_ASSERT_EQUAL_FATAL(lk_tokens_set_refresh_token(t, f->sim.refresh, &err), LK_OK);
    lk_tokens_free(t);
    fx_client(f);
}

static void fx_close(fx *f)
{
    lk_client_free(f->c);
    lk_trace_close(f->trace);
    lk_config_free(f->cfg);
    lk_sim_stop(&f->sim);
    lk_test_rmtree(f->dir);
    free(f->dir);
}

/* Requests the simulator counted whose "METHOD template" key contains `part`. */
static long sim_count(fx *f, const char *method, const char *part)
{
    char *text = NULL;
    cJSON *root, *counts, *it;
    long n = 0;
    char url[256];
    int st;
    snprintf(url, sizeof url, "%s/__sim/requests", f->sim.root);
    st = lk_sim_call(&f->sim, "GET", url, NULL, NULL, NULL, &text);
    CU_ASSERT_EQUAL(st, 200);
    root = cJSON_Parse(text ? text : "");
    free(text);
    counts = cJSON_GetObjectItemCaseSensitive(root, "counts");
    cJSON_ArrayForEach(it, counts) {
        if (!strncmp(it->string, method, strlen(method)) && it->string[strlen(method)] == ' ' &&
            strstr(it->string, part))
            n += (long)it->valuedouble;
    }
    cJSON_Delete(root);
    return n;
}

/* Every request the simulator answered or dropped (API and token endpoint, faults included). */
static long sim_total(fx *f)
{
    char *text = NULL, url[256];
    cJSON *root;
    long n;
    snprintf(url, sizeof url, "%s/__sim/requests", f->sim.root);
    CU_ASSERT_EQUAL(lk_sim_call(&f->sim, "GET", url, NULL, NULL, NULL, &text), 200);
    root = cJSON_Parse(text ? text : "");
    free(text);
    n = (long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(root, "total"));
    cJSON_Delete(root);
    return n;
}

/* Attempts the client made on endpoints whose template contains `part`. */
static long client_attempts(fx *f, const char *method, const char *part)
{
    const lk_http_stats *s = lk_http_get_stats(lk_client_http(f->c));
    long n = 0;
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->records[i].method, method) && strstr(s->records[i].endpoint, part))
            n += s->records[i].attempts;
    return n;
}

static long client_requests(fx *f, const char *part)
{
    const lk_http_stats *s = lk_http_get_stats(lk_client_http(f->c));
    long n = 0;
    for (size_t i = 0; i < s->n; i++)
        if (strstr(s->records[i].endpoint, part))
            n++;
    return n;
}

static int sim_hook(fx *f, const char *path)
{
    char url[256];
    snprintf(url, sizeof url, "%s%s", f->sim.root, path);
    return lk_sim_call(&f->sim, "POST", url, NULL, NULL, "", NULL);
}

static char *employer_id(fx *f, const char *name)
{
    lk_employer_list *l = NULL;
    lk_error err;
    const lk_employer *e;
    char *id;
    lk_error_clear(&err);
    CU_ASSERT_EQUAL_FATAL(lk_api_employers(f->c, &l, &err), LK_OK);
    e = lk_employer_find(l, name);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    id = strdup(e->id);
    lk_employer_list_free(l);
    return id;
}

static lk_admin_list *admins_of(fx *f, const char *employer)
{
    lk_admin_list *l = NULL;
    lk_error err;
    lk_error_clear(&err);
    CU_ASSERT_EQUAL_FATAL(lk_api_admins(f->c, employer, &l, &err), LK_OK);
    return l;
}

static const lk_admin *admin_by_client(const lk_admin_list *l, long client)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->items[i].client_number == client)
            return &l->items[i];
    return NULL;
}

static const lk_employment *employment_of(const lk_employment_list *l, long number, long payroll)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->items[i].employee_number == number &&
            (!payroll || l->items[i].payroll_id == payroll))
            return &l->items[i];
    return NULL;
}

/* ---------------------------------------------------------------- look-ups */

static void test_lookups_paged(void)
{
    fx f;
    lk_error err;
    char *bakkerij, *linde;
    lk_admin_list *admins;
    lk_employment_list *emps = NULL;
    lk_period_list *periods = NULL;
    lk_component_list *comps = NULL;
    const lk_admin *monthly, *fourweekly;
    size_t n2026 = 0, open2026 = 0;
    fx_open(&f, NULL, 2);
    lk_error_clear(&err);
    bakkerij = employer_id(&f, BAKKERIJ);
    linde = employer_id(&f, LINDE);
    /* employers: 2 visible of pageSize 2 -> page 1 only is fine; the admins span pages below */
    admins = admins_of(&f, bakkerij);
    CU_ASSERT_EQUAL(admins->n, 2);
    monthly = admin_by_client(admins, 40101);
    fourweekly = admin_by_client(admins, 40102);
    CU_ASSERT_PTR_NOT_NULL_FATAL(monthly);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fourweekly);
    CU_ASSERT_STRING_EQUAL(monthly->name, "Van den Berg maandloon");

    /* employments: 25 + 15 employees, 1007 twice: 41 over 21 pages of 2 */
    CU_ASSERT_EQUAL_FATAL(lk_api_employments(f.c, bakkerij, NULL, 0, &emps, &err), LK_OK);
    CU_ASSERT_EQUAL(emps->n, 41);
    CU_ASSERT_EQUAL(client_requests(&f, "/employees/employments"), 21);
    CU_ASSERT_EQUAL(sim_count(&f, "GET", "/employees/employments"), 21);
    CU_ASSERT_PTR_NOT_NULL(employment_of(emps, 1007, 1));
    CU_ASSERT_PTR_NOT_NULL(employment_of(emps, 1007, 2));
    CU_ASSERT_PTR_NOT_NULL(employment_of(emps, 1115, 0));
    CU_ASSERT_STRING_EQUAL(employment_of(emps, 1019, 0)->end_date, "2026-09-30");
    CU_ASSERT_STRING_EQUAL(employment_of(emps, 1024, 0)->start_date, "2026-11-16");
    CU_ASSERT_FALSE(lk_employment_active(employment_of(emps, 1019, 0), "2026-11-01",
                                         "2026-11-30"));
    CU_ASSERT_TRUE(lk_employment_active(employment_of(emps, 1024, 0), "2026-11-01",
                                        "2026-11-30"));
    /* no duplicates: every page arrived once and in order */
    for (size_t i = 0; i < emps->n; i++)
        for (size_t j = i + 1; j < emps->n; j++)
            CU_ASSERT(strcmp(emps->items[i].id, emps->items[j].id) != 0);
    lk_employment_list_free(emps);
    emps = NULL;

    /* a filter for a few numbers */
    {
        long nums[] = { 1007, 1019, 9999 };
        CU_ASSERT_EQUAL_FATAL(lk_api_employments(f.c, bakkerij, nums, 3, &emps, &err), LK_OK);
        CU_ASSERT_EQUAL(emps->n, 3);
        CU_ASSERT_PTR_NULL(employment_of(emps, 9999, 0));
        lk_employment_list_free(emps);
        emps = NULL;
    }
    /* employments of the other employer carry its administration */
    {
        long nums[] = { 2020 };
        CU_ASSERT_EQUAL_FATAL(lk_api_employments(f.c, linde, nums, 1, &emps, &err), LK_OK);
        CU_ASSERT_EQUAL_FATAL(emps->n, 1);
        CU_ASSERT_STRING_EQUAL(emps->items[0].formatted_name, "=HYPERLINK(\"x\")");
        CU_ASSERT_EQUAL(emps->items[0].admin_client_number, 40201);
        lk_employment_list_free(emps);
        emps = NULL;
    }

    /* periods of the monthly administration: 2025 and 2026, 12 each, over pages of 2 */
    CU_ASSERT_EQUAL_FATAL(lk_api_periods(f.c, monthly->id, &periods, &err), LK_OK);
    for (size_t i = 0; i < periods->n; i++) {
        const lk_period *p = &periods->items[i];
        if (p->year != 2026)
            continue;
        n2026++;
        if (!p->approved)
            open2026++;
        if (p->period_number == 11) {
            CU_ASSERT_EQUAL(p->id, 202611);
            CU_ASSERT_STRING_EQUAL(p->start_date, "2026-11-01");
            CU_ASSERT_STRING_EQUAL(p->end_date, "2026-11-30");
            CU_ASSERT_FALSE(p->approved);
        }
        if (p->period_number == 10)
            CU_ASSERT_TRUE(p->approved);
    }
    CU_ASSERT_EQUAL(n2026, 12);
    CU_ASSERT_EQUAL(open2026, 2);
    CU_ASSERT(periods->n >= 24);
    lk_period_list_free(periods);

    /* components: monthly all 11, 4-weekly all but 31 */
    CU_ASSERT_EQUAL_FATAL(lk_api_components(f.c, monthly->id, 2026, &comps, &err), LK_OK);
    CU_ASSERT_EQUAL(comps->n, 11);
    for (size_t i = 0; i < comps->n; i++) {
        if (comps->items[i].key == 21)
            CU_ASSERT_TRUE(comps->items[i].can_be_supplemented);
        if (comps->items[i].key == 10) {
            CU_ASSERT_FALSE(comps->items[i].can_be_supplemented);
            CU_ASSERT_STRING_EQUAL(comps->items[i].description, "Uren gewerkt");
        }
    }
    lk_component_list_free(comps);
    CU_ASSERT_EQUAL_FATAL(lk_api_components(f.c, fourweekly->id, 2026, &comps, &err), LK_OK);
    CU_ASSERT_EQUAL(comps->n, 10);
    for (size_t i = 0; i < comps->n; i++)
        CU_ASSERT(comps->items[i].key != 31);
    lk_component_list_free(comps);

    /* the pages went out concurrently and none was retried */
    CU_ASSERT(lk_http_get_stats(lk_client_http(f.c))->max_in_flight > 1);
    CU_ASSERT_EQUAL(lk_http_get_stats(lk_client_http(f.c))->retries, 0);
    lk_admin_list_free(admins);
    free(bakkerij);
    free(linde);
    fx_close(&f);
}

static void on_md(const lk_api_result *r, const lk_metadata *md, void *ud)
{
    int *calls = ud;
    CU_ASSERT_EQUAL(r->code, LK_OK);
    CU_ASSERT_PTR_NOT_NULL(md);
    (*calls)++;
}

static void on_patch(const lk_api_result *r, void *ud)
{
    lk_api_result *out = ud;
    *out = *r;
    out->envelope = NULL;
}

static void test_defaults_metadata_listing(void)
{
    fx f;
    lk_error err;
    char *bakkerij;
    lk_admin_list *admins;
    const lk_admin *monthly;
    lk_employment_list *emps = NULL;
    const lk_employment *e1001;
    lk_period_data_record *def = NULL;
    const lk_metadata *md = NULL, *pmd = NULL, *again = NULL;
    const lk_meta_ref *ref;
    long nums[] = { 1001, 1002, 1003 };
    int calls = 0;
    lk_api_result pr;
    lk_period_data_query q;
    lk_period_data_list *list = NULL;
    fx_open(&f, NULL, 2);
    lk_error_clear(&err);
    bakkerij = employer_id(&f, BAKKERIJ);
    admins = admins_of(&f, bakkerij);
    monthly = admin_by_client(admins, 40101);
    CU_ASSERT_PTR_NOT_NULL_FATAL(monthly);
    CU_ASSERT_EQUAL_FATAL(lk_api_employments(f.c, bakkerij, nums, 3, &emps, &err), LK_OK);
    e1001 = employment_of(emps, 1001, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e1001);

    /* defaults: payslipType 1, the employee's cost center, others null */
    CU_ASSERT_EQUAL_FATAL(lk_api_defaults(f.c, e1001->id, &def, &err), LK_OK);
    CU_ASSERT_TRUE(def->payslip_type.present);
    CU_ASSERT_EQUAL(def->payslip_type.key, 1);
    CU_ASSERT_TRUE(def->cost_center.present);
    CU_ASSERT_FALSE(def->cost_unit.present);
    CU_ASSERT_EQUAL(def->ncomponents, 0);
    lk_period_data_record_free(def);

    /* metadata: record keys by code and key; cached per administration */
    CU_ASSERT_EQUAL_FATAL(lk_api_metadata(f.c, monthly->id, e1001->id, &md, &err), LK_OK);
    ref = lk_metadata_option(md, "costCenter", "VERK");
    CU_ASSERT_PTR_NOT_NULL(ref);
    if (ref)
        CU_ASSERT_EQUAL(ref->key, 2);
    CU_ASSERT_PTR_NOT_NULL(lk_metadata_option(md, "distributionUnit", "BAK"));
    CU_ASSERT_PTR_NOT_NULL(lk_metadata_option(md, "shift", "3"));
    CU_ASSERT_PTR_NOT_NULL(lk_metadata_option(md, "payslipType", "2"));
    CU_ASSERT_PTR_NOT_NULL(lk_metadata_option(md, "payrollComponent", "31"));
    CU_ASSERT_EQUAL(lk_api_metadata(f.c, monthly->id, employment_of(emps, 1002, 0)->id, &again,
                                    &err),
                    LK_OK);
    CU_ASSERT_PTR_EQUAL(again, md);
    CU_ASSERT_EQUAL(sim_count(&f, "GET", "/payrollperioddata/metadata"), 1);
    /* period metadata: cached per administration and period; concurrent asks share a request */
    lk_api_period_metadata_start(f.c, monthly->id, e1001->id, 2026, 11, on_md, &calls);
    lk_api_period_metadata_start(f.c, monthly->id, employment_of(emps, 1003, 0)->id, 2026, 11,
                                 on_md, &calls);
    CU_ASSERT_EQUAL(lk_client_run(f.c, &err), LK_OK);
    CU_ASSERT_EQUAL(calls, 2);
    CU_ASSERT_EQUAL(lk_api_period_metadata(f.c, monthly->id, e1001->id, 2026, 11, &pmd, &err),
                    LK_OK);
    CU_ASSERT_PTR_NOT_NULL(lk_metadata_field_get(pmd, "payrollComponent"));
    CU_ASSERT_EQUAL(sim_count(&f, "GET", "/metadata/year/"), 1);
    /* a period that does not exist: rejected, not cached as success */
    CU_ASSERT_EQUAL(lk_api_period_metadata(f.c, monthly->id, e1001->id, 2031, 1, &pmd, &err),
                    LK_ERR_REJECTED);

    /* PATCH one record, then see it in the administration-level listing */
    memset(&pr, 0, sizeof pr);
    lk_api_patch_period_data_start(
        f.c, e1001->id,
        "{\"payrollPeriod\":{\"year\":2026,\"periodNumber\":11},\"payslipType\":{\"key\":1},"
        "\"payrollComponents\":[{\"payrollComponent\":{\"key\":10},\"value\":151.5},"
        "{\"payrollComponent\":{\"key\":11},\"value\":4.25}]}",
        on_patch, &pr);
    CU_ASSERT_EQUAL(lk_client_run(f.c, &err), LK_OK);
    CU_ASSERT_EQUAL(pr.code, LK_OK);
    CU_ASSERT(pr.status == 200 || pr.status == 201);
    memset(&q, 0, sizeof q);
    q.admin_id = monthly->id;
    q.period_id = 202611;
    q.payslip_type = 1;
    q.component_id = "10";
    CU_ASSERT_EQUAL_FATAL(lk_api_period_data(f.c, &q, &list, &err), LK_OK);
    {
        bool found = false;
        char buf[32];
        for (size_t i = 0; i < list->n; i++) {
            const lk_period_data_record *r = &list->items[i];
            if (r->employee_number != 1001)
                continue;
            for (size_t j = 0; j < r->ncomponents; j++)
                if (r->components[j].key == 10 && r->components[j].has_value) {
                    CU_ASSERT_STRING_EQUAL(lk_decimal_format(r->components[j].value, buf),
                                           "151.5");
                    found = true;
                }
            CU_ASSERT_STRING_EQUAL(r->employment_id, e1001->id);
        }
        CU_ASSERT_TRUE(found);
        /* every employment of the administration, over several pages of 2 */
        CU_ASSERT(list->n >= 20);
        CU_ASSERT(client_requests(&f, "/payrollPeriods/{payrollPeriodId}/payrollperioddata") > 1);
    }
    lk_period_data_list_free(list);
    list = NULL;

    /* read back through the employment's own listing, filtered to the period */
    CU_ASSERT_EQUAL_FATAL(lk_api_employment_period_data(
                              f.c, e1001->id,
                              "payrollPeriod.year eq 2026 and payrollPeriod.periodNumber eq 11",
                              &list, &err),
                          LK_OK);
    {
        int with11 = 0;
        for (size_t i = 0; i < list->n; i++) {
            CU_ASSERT_EQUAL(list->items[i].year, 2026);
            CU_ASSERT_EQUAL(list->items[i].period_number, 11);
            for (size_t j = 0; j < list->items[i].ncomponents; j++)
                with11 += list->items[i].components[j].key == 11 &&
                          list->items[i].components[j].value == 4250000;
        }
        CU_ASSERT_EQUAL(with11, 1);
    }
    lk_period_data_list_free(list);

    /* a closed period: 400 with the rule as a message, not retried */
    memset(&pr, 0, sizeof pr);
    lk_api_patch_period_data_start(
        f.c, e1001->id,
        "{\"payrollPeriod\":{\"year\":2026,\"periodNumber\":10},\"payslipType\":{\"key\":1},"
        "\"payrollComponents\":[{\"payrollComponent\":{\"key\":10},\"value\":1}]}",
        on_patch, &pr);
    CU_ASSERT_EQUAL(lk_client_run(f.c, &err), LK_OK);
    CU_ASSERT_EQUAL(pr.code, LK_ERR_REJECTED);
    CU_ASSERT_EQUAL(pr.status, 400);
    CU_ASSERT_EQUAL(pr.attempts, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(pr.err.message, "BrokenBusinessRule"));

    lk_employment_list_free(emps);
    lk_admin_list_free(admins);
    free(bakkerij);
    fx_close(&f);
}

/* The recommended flow: defaults, completed with components, PATCHed, read back. */
static void test_defaults_body_patch(void)
{
    fx f;
    lk_error err;
    char *bakkerij, *body;
    long nums[] = { 1002 };
    lk_employment_list *emps = NULL;
    lk_period_data_record *def = NULL;
    lk_period_data_list *list = NULL;
    lk_api_result pr;
    int found = 0;
    fx_open(&f, NULL, 250);
    lk_error_clear(&err);
    bakkerij = employer_id(&f, BAKKERIJ);
    CU_ASSERT_EQUAL_FATAL(lk_api_employments(f.c, bakkerij, nums, 1, &emps, &err), LK_OK);
    CU_ASSERT_EQUAL_FATAL(emps->n, 1);
    CU_ASSERT_EQUAL_FATAL(lk_api_defaults(f.c, emps->items[0].id, &def, &err), LK_OK);
    def->year = 2026;
    def->period_number = 12;
    def->components = calloc(1, sizeof *def->components);
    def->ncomponents = 1;
    def->components[0].key = 22;
    def->components[0].has_value = true;
    def->components[0].value = 7350000; /* 7.35 */
    body = lk_period_data_body(def, false);
    memset(&pr, 0, sizeof pr);
    lk_api_patch_period_data_start(f.c, emps->items[0].id, body, on_patch, &pr);
    CU_ASSERT_EQUAL(lk_client_run(f.c, &err), LK_OK);
    CU_ASSERT_EQUAL(pr.code, LK_OK);
    if (pr.code != LK_OK)
        fprintf(stderr, "\nPATCH: %s\nbody: %s\n", pr.err.message, body);
    CU_ASSERT_EQUAL_FATAL(lk_api_employment_period_data(f.c, emps->items[0].id,
                                                        "payrollPeriod.year eq 2026 and "
                                                        "payrollPeriod.periodNumber eq 12",
                                                        &list, &err),
                          LK_OK);
    for (size_t i = 0; i < list->n; i++)
        for (size_t j = 0; j < list->items[i].ncomponents; j++)
            if (list->items[i].components[j].key == 22 &&
                list->items[i].components[j].value == 7350000) {
                found++;
                CU_ASSERT_TRUE(list->items[i].cost_center.present);
                CU_ASSERT_EQUAL(list->items[i].cost_center.key, def->cost_center.key);
                CU_ASSERT_EQUAL(list->items[i].payslip_type.key, def->payslip_type.key);
            }
    CU_ASSERT_EQUAL(found, 1);
    free(body);
    lk_period_data_list_free(list);
    lk_period_data_record_free(def);
    lk_employment_list_free(emps);
    free(bakkerij);
    fx_close(&f);
}

static void test_403_404_not_retried(void)
{
    fx f;
    lk_error err;
    lk_admin_list *l = NULL;
    lk_period_data_record *def = NULL;
    char *text = NULL, garage[64] = "";
    cJSON *fixture;
    fx_open(&f, NULL, 5);
    lk_error_clear(&err);
    /* Garage Smit's id from the fixture (the user may not see it) */
    CU_ASSERT_EQUAL_FATAL(lk_read_file(lk_sim_fixture(), 1 << 24, &text, NULL, &err), LK_OK);
    fixture = cJSON_Parse(text);
    free(text);
    {
        const cJSON *emps = cJSON_GetObjectItemCaseSensitive(fixture, "employers"), *e;
        cJSON_ArrayForEach(e, emps) {
            const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "companyName"));
            if (name && strstr(name, "Garage"))
                snprintf(garage, sizeof garage, "%s",
                         cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "id")));
        }
    }
    cJSON_Delete(fixture);
    CU_ASSERT_FATAL(garage[0] != '\0');
    CU_ASSERT_EQUAL(lk_api_admins(f.c, garage, &l, &err), LK_ERR_AUTH);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "403"));
    CU_ASSERT_EQUAL(sim_count(&f, "GET", "/payrolladministrations"), 1);
    CU_ASSERT_EQUAL(lk_api_defaults(f.c, "00000000-0000-0000-0000-000000000000", &def, &err),
                    LK_ERR_NOT_FOUND);
    CU_ASSERT_EQUAL(sim_count(&f, "GET", "/defaults"), 1);
    CU_ASSERT_EQUAL(lk_http_get_stats(lk_client_http(f.c))->retries, 0);
    fx_close(&f);
}

/* ---------------------------------------------------------------- tokens */

static char *store_refresh(fx *f)
{
    char *text = NULL, *out = NULL;
    lk_error err;
    cJSON *j;
    lk_error_clear(&err);
    if (lk_read_file(f->cfg->token_store, 1 << 16, &text, NULL, &err) != LK_OK)
        return NULL;
    j = cJSON_Parse(text);
    free(text);
    if (cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "refreshToken")))
        out = strdup(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "refreshToken")));
    cJSON_Delete(j);
    return out;
}

static size_t sink(char *p, size_t s, size_t n, void *u)
{
    (void)p;
    (void)u;
    return s * n;
}

/* POSTs a refresh_token grant with `token` directly; returns the status. */
static long try_refresh(fx *f, const char *token)
{
    CURL *e = curl_easy_init();
    strbuf form = STRBUF_INIT;
    long status = 0;
    strbuf_addstr(&form, "grant_type=refresh_token&refresh_token=");
    strbuf_addurlenc(&form, token);
    strbuf_addstr(&form, "&client_id=");
    strbuf_addurlenc(&form, f->sim.client_id);
    strbuf_addstr(&form, "&client_secret=");
    strbuf_addurlenc(&form, f->sim.client_secret);
    curl_easy_setopt(e, CURLOPT_URL, f->cfg->token_url);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, form.buf);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, sink);
    if (curl_easy_perform(e) == CURLE_OK)
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(e);
    strbuf_free(&form);
    return status;
}

static void test_refresh_on_expiry(void)
{
    static const char *const args[] = { "--token-ttl", "2", NULL };
    fx f;
    lk_error err;
    lk_user *u = NULL;
    char *rt1, *rt2;
    lk_token_status st;
    fx_open(&f, args, 250);
    lk_error_clear(&err);
    CU_ASSERT_EQUAL_FATAL(lk_api_user(f.c, &u, &err), LK_OK);
    lk_user_free(u);
    rt1 = store_refresh(&f);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rt1);
    CU_ASSERT_STRING_NOT_EQUAL(rt1, f.sim.refresh);   /* rotated at the first refresh */
    sleep(3);
    CU_ASSERT_EQUAL_FATAL(lk_api_user(f.c, &u, &err), LK_OK);
    lk_user_free(u);
    rt2 = store_refresh(&f);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rt2);
    CU_ASSERT_STRING_NOT_EQUAL(rt2, rt1);             /* rotated again, on disk */
    lk_tokens_status(lk_client_tokens(f.c), &st);
    CU_ASSERT_EQUAL(st.refreshes, 2);
    /* refreshed before expiry: the simulator never had to answer 401 */
    CU_ASSERT_EQUAL(lk_http_get_stats(lk_client_http(f.c))->token_refreshes_after_401, 0);
    CU_ASSERT_EQUAL(sim_count(&f, "GET", "/user"), 2);
    /* the old refresh tokens are dead at the simulator */
    CU_ASSERT_EQUAL(try_refresh(&f, f.sim.refresh), 400);
    CU_ASSERT_EQUAL(try_refresh(&f, rt1), 400);
    free(rt1);
    free(rt2);
    fx_close(&f);
}

static void test_refresh_on_401(void)
{
    fx f;
    lk_error err;
    lk_user *u = NULL;
    char *rt1, *rt2;
    fx_open(&f, NULL, 250);
    lk_error_clear(&err);
    CU_ASSERT_EQUAL_FATAL(lk_api_user(f.c, &u, &err), LK_OK);
    lk_user_free(u);
    rt1 = store_refresh(&f);
    /* the server forgets every access token: the next call gets 401, refreshes, succeeds */
    CU_ASSERT_EQUAL(sim_hook(&f, "/__sim/expire-tokens"),
                    200);
    CU_ASSERT_EQUAL_FATAL(lk_api_user(f.c, &u, &err), LK_OK);
    lk_user_free(u);
    CU_ASSERT_EQUAL(lk_http_get_stats(lk_client_http(f.c))->token_refreshes_after_401, 1);
    CU_ASSERT_EQUAL(sim_count(&f, "GET", "/user"), 3);
    rt2 = store_refresh(&f);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rt2);
    CU_ASSERT_STRING_NOT_EQUAL(rt2, rt1);
    CU_ASSERT_EQUAL(try_refresh(&f, rt1), 400);
    /* a second process with the same store picks up the rotated token from disk */
    {
        lk_client *other = NULL;
        CU_ASSERT_EQUAL_FATAL(lk_client_new(f.cfg, NULL, &other, &err), LK_OK);
        CU_ASSERT_EQUAL(lk_api_user(other, &u, &err), LK_OK);
        lk_user_free(u);
        lk_client_free(other);
    }
    free(rt1);
    free(rt2);
    fx_close(&f);
}

static void test_refresh_token_rejected(void)
{
    fx f;
    lk_error err;
    lk_user *u = NULL;
    lk_tokens *t = NULL;
    fx_open(&f, NULL, 250);
    lk_error_clear(&err);
    /* spend the fixture's refresh token elsewhere: ours is now the old, rotated-away one */
    CU_ASSERT_EQUAL(try_refresh(&f, f.sim.refresh), 200);
    lk_client_free(f.c);
    f.c = NULL;
    CU_ASSERT_EQUAL_FATAL(lk_tokens_open(f.cfg, NULL, &t, &err), LK_OK);
    CU_ASSERT_EQUAL_FATAL(lk_tokens_set_refresh_token(t, f.sim.refresh, &err), LK_OK);
    lk_tokens_free(t);
    fx_client(&f);
    CU_ASSERT_EQUAL(lk_api_user(f.c, &u, &err), LK_ERR_AUTH);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "auth"));
    CU_ASSERT_EQUAL(sim_count(&f, "GET", "/user"), 0);
    fx_close(&f);
}

/* ---------------------------------------------------------------- faults */

typedef struct defaults_tally {
    int ok, failed;
} defaults_tally;

static void on_defaults(const lk_api_result *r, lk_period_data_record *rec, void *ud)
{
    defaults_tally *t = ud;
    if (r->code == LK_OK && rec && rec->payslip_type.present)
        t->ok++;
    else
        t->failed++;
    lk_period_data_record_free(rec);
}

/* exact: the simulator saw exactly the attempts the client counted. With dropped connections
 * it is at least that: libcurl itself resends a request once, on a fresh connection, when a
 * reused keep-alive connection turns out dead before any answer (the engine sees one attempt). */
static void faults_case(const char *const *args, const char *label, bool exact)
{
    fx f;
    lk_error err;
    char *bakkerij;
    lk_employment_list *emps = NULL;
    defaults_tally tally = { 0, 0 };
    const lk_http_stats *st;
    long sim_emp, sim_def, total;
    lk_token_status ts;
    fx_open(&f, args, 3);
    lk_error_clear(&err);
    bakkerij = employer_id(&f, BAKKERIJ);
    CU_ASSERT_EQUAL_FATAL(lk_api_employments(f.c, bakkerij, NULL, 0, &emps, &err), LK_OK);
    CU_ASSERT_EQUAL(emps->n, 41);
    for (size_t i = 0; i < emps->n; i++)
        lk_api_defaults_start(f.c, emps->items[i].id, on_defaults, &tally);
    CU_ASSERT_EQUAL(lk_client_run(f.c, &err), LK_OK);
    CU_ASSERT_EQUAL(tally.ok, 41);
    CU_ASSERT_EQUAL(tally.failed, 0);
    st = lk_http_get_stats(lk_client_http(f.c));
    lk_tokens_status(lk_client_tokens(f.c), &ts);
    total = sim_total(&f);
    /* faulted requests have no endpoint at the simulator: compare totals, token calls included */
    sim_emp = sim_count(&f, "GET", "{employerId}/employees/employments");
    sim_def = sim_count(&f, "GET", "/defaults");
    CU_ASSERT(st->retries > 0);
    if (exact) {
        CU_ASSERT_EQUAL((long)(st->attempts + ts.token_requests), total);
    } else {
        CU_ASSERT((long)(st->attempts + ts.token_requests) <= total);
    }
    CU_ASSERT_EQUAL(client_requests(&f, "/defaults"), 41);
    CU_ASSERT(client_attempts(&f, "GET", "/defaults") >= 41);
    CU_ASSERT_EQUAL(sim_def, 41);  /* answered ones: each defaults request succeeded once */
    CU_ASSERT_EQUAL(sim_emp, 14);  /* 41 employments in pages of 3 */
    fprintf(stderr, "\n%s: %zu requests, %zu attempts, %zu retries, %u token request(s); "
                    "the simulator saw %ld\n",
            label, st->n, st->attempts, st->retries, ts.token_requests, total);
    lk_employment_list_free(emps);
    free(bakkerij);
    fx_close(&f);
}

static void test_faults_5xx(void)
{
    static const char *const a500[] = { "--fail-rate", "0.3", "--seed", "7", NULL };
    static const char *const a502[] = { "--fail-rate", "0.3", "--fail-status", "502", "--seed",
                                        "8", NULL };
    static const char *const a503[] = { "--fail-rate", "0.3", "--fail-status", "503", "--seed",
                                        "9", NULL };
    static const char *const a504[] = { "--fail-rate", "0.3", "--fail-status", "504", "--seed",
                                        "10", NULL };
    faults_case(a500, "fail-rate 0.3 (500)", true);
    faults_case(a502, "fail-rate 0.3 (502)", true);
    faults_case(a503, "fail-rate 0.3 (503)", true);
    faults_case(a504, "fail-rate 0.3 (504)", true);
}

static void test_faults_dropped(void)
{
    static const char *const drop[] = { "--drop-rate", "0.3", "--seed", "11", NULL };
    faults_case(drop, "drop-rate 0.3", false);
}

static void test_faults_rate_limit(void)
{
    static const char *const rl[] = { "--rate-limit", "20", NULL };
    double t0 = lk_monotonic_ms();
    faults_case(rl, "rate-limit 20/s", true);
    /* 50-odd requests at 20 per second cannot finish in under two seconds */
    CU_ASSERT(lk_monotonic_ms() - t0 >= 1500.0);
}

/* A PATCH applied and then dropped is sent again: the same state, not a doubled value. */
static void test_patch_drop_after_idempotent(void)
{
    static const char *const args[] = { "--drop-after-rate", "0.5", "--seed", "3", NULL };
    fx f;
    lk_error err;
    char *bakkerij;
    lk_employment_list *emps = NULL;
    lk_api_result pr[10];
    long nums[] = { 1001, 1002, 1003, 1004, 1005, 1006, 1008, 1009, 1010, 1011 };
    char *state = NULL;
    fx_open(&f, args, 250);
    lk_error_clear(&err);
    bakkerij = employer_id(&f, BAKKERIJ);
    CU_ASSERT_EQUAL_FATAL(lk_api_employments(f.c, bakkerij, nums, 10, &emps, &err), LK_OK);
    CU_ASSERT_EQUAL_FATAL(emps->n, 10);
    memset(pr, 0, sizeof pr);
    for (size_t i = 0; i < emps->n; i++)
        lk_api_patch_period_data_start(
            f.c, emps->items[i].id,
            "{\"payrollPeriod\":{\"year\":2026,\"periodNumber\":11},\"payslipType\":{\"key\":1},"
            "\"payrollComponents\":[{\"payrollComponent\":{\"key\":21},\"value\":12.5,"
            "\"isSupplement\":true}]}",
            on_patch, &pr[i]);
    CU_ASSERT_EQUAL(lk_client_run(f.c, &err), LK_OK);
    for (size_t i = 0; i < emps->n; i++)
        CU_ASSERT_EQUAL(pr[i].code, LK_OK);
    CU_ASSERT(lk_http_get_stats(lk_client_http(f.c))->retries > 0);
    /* one record per employment holding component 21, with 12.5 once (not 25) */
    state = lk_sim_state(&f.sim);
    CU_ASSERT_PTR_NOT_NULL_FATAL(state);
    {
        cJSON *root = cJSON_Parse(state), *recs, *r;
        int n = 0;
        recs = cJSON_GetObjectItemCaseSensitive(root, "payrollPeriodData");
        cJSON_ArrayForEach(r, recs) {
            const cJSON *comps = cJSON_GetObjectItemCaseSensitive(r, "payrollComponents"), *c;
            /* the fixture's history holds component 21 in earlier periods of other employments */
            if (cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r, "payrollPeriodId")) != 202611)
                continue;
            cJSON_ArrayForEach(c, comps) {
                const cJSON *pc = cJSON_GetObjectItemCaseSensitive(c, "payrollComponent");
                const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, "value");
                if (cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(pc, "key")) != 21)
                    continue;
                n++;
                CU_ASSERT(cJSON_IsNumber(v) && v->valuedouble == 12.5);
            }
        }
        CU_ASSERT_EQUAL(n, 10);
        cJSON_Delete(root);
    }
    free(state);
    lk_employment_list_free(emps);
    free(bakkerij);
    fx_close(&f);
}

/* ---------------------------------------------------------------- trace */

static void test_trace_of_full_run(void)
{
    static const char *const args[] = { "--fail-rate", "0.1", "--seed", "5", NULL };
    fx f;
    lk_error err;
    char *bakkerij, *text = NULL, *rt_final;
    lk_employment_list *emps = NULL;
    lk_user *u = NULL;
    char *store = NULL;
    cJSON *sj;
    char access[256] = "";
    fx_open(&f, args, 5);
    lk_error_clear(&err);
    bakkerij = employer_id(&f, BAKKERIJ);
    CU_ASSERT_EQUAL_FATAL(lk_api_employments(f.c, bakkerij, NULL, 0, &emps, &err), LK_OK);
    CU_ASSERT_EQUAL(sim_hook(&f, "/__sim/expire-tokens"),
                    200);
    CU_ASSERT_EQUAL_FATAL(lk_api_user(f.c, &u, &err), LK_OK);
    lk_user_free(u);
    rt_final = store_refresh(&f);
    CU_ASSERT_EQUAL(lk_read_file(f.cfg->token_store, 1 << 16, &store, NULL, &err), LK_OK);
    sj = cJSON_Parse(store);
    snprintf(access, sizeof access, "%s",
             cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(sj, "accessToken")));
    cJSON_Delete(sj);
    free(store);
    lk_client_free(f.c);
    f.c = NULL;
    lk_trace_close(f.trace);
    f.trace = NULL;
    CU_ASSERT_EQUAL_FATAL(lk_read_file(f.trace_path, 1 << 26, &text, NULL, &err), LK_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "/employees/employments"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "token >"));
    CU_ASSERT(strlen(access) > 8);
    CU_ASSERT_PTR_NULL(strstr(text, access));
    CU_ASSERT_PTR_NULL(strstr(text, f.sim.refresh));
    CU_ASSERT_PTR_NULL(strstr(text, rt_final));
    CU_ASSERT_PTR_NULL(strstr(text, f.sim.client_secret));
    free(text);
    free(rt_final);
    lk_employment_list_free(emps);
    free(bakkerij);
    fx_close(&f);
}

int main(void)
{
    static const lk_test tests[] = {
        { "look-ups read every page (pageSize 2)", test_lookups_paged },
        { "defaults, metadata cache, PATCH, listing", test_defaults_metadata_listing },
        { "defaults + components -> body -> PATCH -> read back", test_defaults_body_patch },
        { "403 and 404 not retried", test_403_404_not_retried },
        { "refresh before expiry; rotated token on disk; old refused", test_refresh_on_expiry },
        { "refresh on 401; a second client reads the rotated store", test_refresh_on_401 },
        { "a rotated-away refresh token: clear auth error", test_refresh_token_rejected },
        { "5xx (500/502/503/504) retried to success", test_faults_5xx },
        { "dropped connections retried to success", test_faults_dropped },
        { "429 with Retry-After retried to success", test_faults_rate_limit },
        { "PATCH applied then dropped: retried, not doubled", test_patch_drop_after_idempotent },
        { "trace of a full run holds no token or secret", test_trace_of_full_run },
        { NULL, NULL },
    };
    return lk_test_main("loket-sim-client", tests);
}
