/*
 * test_sim_api.c: loket-sim's API surface, in-process: tokens and grants, bearer and Accept
 * checks, resource versions, 403/404/405, paging, filter and orderBy on a list, the
 * administration-level listing, defaults and metadata, test hooks and injected faults.
 */
#include "support/cunit_main.h"
#include "support/sim_direct.h"

#include "sim/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <ctype.h>
#include <string.h>
#include <unistd.h>

#define V18 "2018-01-01"
#define V19 "2019-12-16"

static int num(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsNumber(v) ? v->valueint : -1;
}

static void test_grants(void)
{
    lk_simd d;
    cJSON *r = NULL;
    char old[64];
    CU_ASSERT_EQUAL_FATAL(lk_simd_open(&d, NULL), 0);
    snprintf(old, sizeof old, "%s", cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(d.sim->store->auth, "refreshTokens"), 0)->valuestring);
    /* the initial refresh token was used by lk_simd_open: rotated away */
    CU_ASSERT_EQUAL(lk_simd_token(&d, &r, "grant_type", "refresh_token", "refresh_token", old, NULL), 400);
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItemCaseSensitive(r, "error")->valuestring, "invalid_grant");
    cJSON_Delete(r);
    CU_ASSERT_EQUAL(lk_simd_token(&d, &r, "grant_type", "refresh_token", "refresh_token", d.refresh, NULL), 200);
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItemCaseSensitive(r, "token_type")->valuestring, "bearer");
    CU_ASSERT_EQUAL(num(r, "expires_in"), 3599);
    CU_ASSERT_STRING_NOT_EQUAL(cJSON_GetObjectItemCaseSensitive(r, "refresh_token")->valuestring, d.refresh);
    cJSON_Delete(r);
    /* authorization codes work once, with a registered redirect_uri */
    CU_ASSERT_EQUAL(lk_simd_token(&d, &r, "grant_type", "authorization_code", "code", "sim-code-0002",
                                  "redirect_uri", "http://evil.example/cb", NULL), 400);
    cJSON_Delete(r);
    CU_ASSERT_EQUAL(lk_simd_token(&d, &r, "grant_type", "authorization_code", "code", "sim-code-0002",
                                  "redirect_uri", "http://127.0.0.1/callback", NULL), 200);
    cJSON_Delete(r);
    CU_ASSERT_EQUAL(lk_simd_token(&d, &r, "grant_type", "authorization_code", "code", "sim-code-0002",
                                  "redirect_uri", "http://127.0.0.1/callback", NULL), 400);
    cJSON_Delete(r);
    /* password grant off unless enabled */
    CU_ASSERT_EQUAL(lk_simd_token(&d, &r, "grant_type", "password", "username", "salarisadmin@example.nl",
                                  "password", "sim-password", NULL), 400);
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItemCaseSensitive(r, "error")->valuestring, "unauthorized_client");
    cJSON_Delete(r);
    d.sim->cfg.allow_password_grant = true;
    CU_ASSERT_EQUAL(lk_simd_token(&d, &r, "grant_type", "password", "username", "salarisadmin@example.nl",
                                  "password", "sim-password", NULL), 200);
    cJSON_Delete(r);
    CU_ASSERT_EQUAL(lk_simd_token(&d, &r, "grant_type", "password", "username", "salarisadmin@example.nl",
                                  "password", "wrong", NULL), 400);
    cJSON_Delete(r);
    /* client authentication */
    CU_ASSERT_EQUAL(lk_simd_token(&d, &r, "grant_type", "refresh_token", "refresh_token", d.refresh,
                                  "client_id", "loket-import-demo", "client_secret", "wrong", NULL), 401);
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItemCaseSensitive(r, "error")->valuestring, "invalid_client");
    cJSON_Delete(r);
    CU_ASSERT_EQUAL(lk_simd_token(&d, &r, "grant_type", "client_credentials", NULL), 400);
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItemCaseSensitive(r, "error")->valuestring, "unsupported_grant_type");
    cJSON_Delete(r);
    CU_ASSERT_EQUAL(lk_simd_token(&d, &r, NULL), 400);
    cJSON_Delete(r);
    lk_simd_close(&d);
}

static void test_token_expiry(void)
{
    lk_simd d;
    sim_faults f;
    sim_faults_defaults(&f);
    f.token_max_requests = 3;
    f.token_ttl = 1;
    CU_ASSERT_EQUAL_FATAL(lk_simd_open(&d, &f), 0);
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(lk_simd_call(&d, "GET", "/v2/user", V18, NULL, NULL), 200);
    CU_ASSERT_EQUAL(lk_simd_call(&d, "GET", "/v2/user", V18, NULL, NULL), 401);
    lk_simd_close(&d);

    f.token_max_requests = 0;
    CU_ASSERT_EQUAL_FATAL(lk_simd_open(&d, &f), 0);
    CU_ASSERT_EQUAL(lk_simd_call(&d, "GET", "/v2/user", V18, NULL, NULL), 200);
    usleep(1100 * 1000);
    CU_ASSERT_EQUAL(lk_simd_call(&d, "GET", "/v2/user", V18, NULL, NULL), 401);
    lk_simd_close(&d);

    CU_ASSERT_EQUAL_FATAL(lk_simd_open(&d, NULL), 0);
    {
        sim_request req;
        sim_response resp;
        memset(&req, 0, sizeof req);
        req.method = "POST";
        req.path = "/__sim/expire-tokens";
        sim_handle(d.sim, &req, &resp);
        CU_ASSERT_EQUAL(resp.status, 200);
        sim_response_clear(&resp);
    }
    CU_ASSERT_EQUAL(lk_simd_call(&d, "GET", "/v2/user", V18, NULL, NULL), 401);
    lk_simd_close(&d);
}

static void test_headers_and_access(void)
{
    lk_simd d;
    cJSON *r = NULL;
    char path[256];
    const sim_store *st;
    CU_ASSERT_EQUAL_FATAL(lk_simd_open(&d, NULL), 0);
    st = d.sim->store;
    CU_ASSERT_EQUAL(lk_simd_call_token(&d, "", "GET", "/v2/user", V18, NULL, &r), 401);
    CU_ASSERT(lk_simd_has_code(r, 3003, "Exception"));
    cJSON_Delete(r);
    CU_ASSERT_EQUAL(lk_simd_call_token(&d, "sim-at-0000", "GET", "/v2/user", V18, NULL, NULL), 401);
    CU_ASSERT_EQUAL(lk_simd_call(&d, "GET", "/v2/user", NULL, NULL, NULL), 400);      /* no Accept */
    CU_ASSERT_EQUAL(lk_simd_call(&d, "GET", "/v2/user", "2017-12-31", NULL, NULL), 400); /* before the version */
    CU_ASSERT_EQUAL(lk_simd_call(&d, "GET", "/v2/user", "2030-01-01", NULL, &r), 200);    /* newest on or before */
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "version"), "resourceVersion")->valuestring, V18);
    cJSON_Delete(r);
    /* employments exist only as 2019-12-16 */
    snprintf(path, sizeof path, "/v2/providers/employers/%s/employees/employments", st->employers[0].id);
    CU_ASSERT_EQUAL(lk_simd_call(&d, "GET", path, V18, NULL, NULL), 400);
    CU_ASSERT_EQUAL(lk_simd_call(&d, "GET", path, V19, NULL, &r), 200);
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "version"), "resourceVersion")->valuestring, V19);
    cJSON_Delete(r);
    /* the hidden employer (Garage Smit) answers 403, an unknown one 404 */
    snprintf(path, sizeof path, "/v2/providers/employers/%s/employees/employments", st->employers[2].id);
    CU_ASSERT_EQUAL(lk_simd_call(&d, "GET", path, V19, NULL, &r), 403);
    CU_ASSERT(lk_simd_has_code(r, 3002, NULL));
    cJSON_Delete(r);
    CU_ASSERT_EQUAL(lk_simd_call(&d, "GET", "/v2/providers/employers/00000000-0000-4000-8000-000000000000/payrolladministrations",
                                 V18, NULL, NULL), 404);
    snprintf(path, sizeof path, "/v2/providers/employers/employees/employments/%s/payrollperioddata",
             lk_simd_employment(&d, 3001, 1));
    CU_ASSERT_EQUAL(lk_simd_call(&d, "PATCH", path, V18, "{}", NULL), 403);
    /* routing */
    CU_ASSERT_EQUAL(lk_simd_call(&d, "DELETE", "/v2/user", V18, NULL, NULL), 405);
    CU_ASSERT_EQUAL(lk_simd_call(&d, "GET", "/v2/nothing/here", V18, NULL, NULL), 404);
    CU_ASSERT_EQUAL(lk_simd_call(&d, "GET", "/elsewhere", V18, NULL, NULL), 404);
    CU_ASSERT_EQUAL(lk_simd_call(&d, "GET", "/v2/providers/employers//payrolladministrations", V18, NULL, NULL), 404);
    CU_ASSERT_EQUAL(lk_simd_call(&d, "GET", "/token", V18, NULL, NULL), 405);
    /* the visible employers only */
    CU_ASSERT_EQUAL(lk_simd_call(&d, "GET", "/v2/providers/employers", V18, NULL, &r), 200);
    CU_ASSERT_EQUAL(num(r, "totalSize"), 2);
    cJSON_Delete(r);
    lk_simd_close(&d);
}

static void test_paging_filter_order(void)
{
    lk_simd d;
    cJSON *r = NULL;
    char path[512];
    const char *emp;
    CU_ASSERT_EQUAL_FATAL(lk_simd_open(&d, NULL), 0);
    emp = d.sim->store->employers[0].id;
    snprintf(path, sizeof path, "/v2/providers/employers/%s/employees/employments?pageSize=10&pageNumber=5", emp);
    CU_ASSERT_EQUAL(lk_simd_call(&d, "GET", path, V19, NULL, &r), 200);
    CU_ASSERT_EQUAL(num(r, "totalSize"), 41);
    CU_ASSERT_EQUAL(num(r, "pageSize"), 10);
    CU_ASSERT_EQUAL(num(r, "totalPages"), 5);
    CU_ASSERT_EQUAL(num(r, "currentPage"), 5);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "_embedded")), 1);
    cJSON_Delete(r);
    snprintf(path, sizeof path, "/v2/providers/employers/%s/employees/employments?pageSize=10&pageNumber=6", emp);
    CU_ASSERT_EQUAL(lk_simd_call(&d, "GET", path, V19, NULL, &r), 200);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "_embedded")), 0);
    cJSON_Delete(r);
    snprintf(path, sizeof path, "/v2/providers/employers/%s/employees/employments?filter=employee.employeeNumber eq 1007&orderBy=-payrollId", emp);
    CU_ASSERT_EQUAL(lk_simd_call(&d, "GET", path, V19, NULL, &r), 200);
    CU_ASSERT_EQUAL(num(r, "totalSize"), 2);
    CU_ASSERT_EQUAL(num(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r, "_embedded"), 0), "payrollId"), 2);
    cJSON_Delete(r);
    const char *bad[] = { "pageSize=0", "pageSize=x", "pageNumber=0", "pageNumber=-1", "pageSize=100001",
                          "filter=employeeNumber", "orderBy=a b" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        snprintf(path, sizeof path, "/v2/providers/employers/%s/employees/employments?%s", emp, bad[i]);
        CU_ASSERT_EQUAL(lk_simd_call(&d, "GET", path, V19, NULL, &r), 400);
        CU_ASSERT(lk_simd_has_code(r, 1014, NULL));
        cJSON_Delete(r);
    }
    lk_simd_close(&d);
}

/*
 * The employment listing pages by reference to the stored objects (only a page's items are
 * copied): every listed item must still be the API's shape, equal to the single GET of that
 * employment, and listing must leave the stored objects as they were.
 */
static void test_listing_items_are_copies(void)
{
    lk_simd d;
    cJSON *r = NULL, *one = NULL, *item;
    char path[512];
    CU_ASSERT_EQUAL_FATAL(lk_simd_open(&d, NULL), 0);
    const sim_employment *first = &d.sim->store->employments[0];
    cJSON *before = cJSON_Duplicate(first->json, true);
    snprintf(path, sizeof path, "/v2/providers/employers/%s/employees/employments?pageSize=7&pageNumber=2",
             d.sim->store->employers[0].id);
    CU_ASSERT_EQUAL(lk_simd_call(&d, "GET", path, V19, NULL, &r), 200);
    cJSON *embedded = cJSON_GetObjectItemCaseSensitive(r, "_embedded");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(embedded), 7);
    cJSON_ArrayForEach(item, embedded) {
        const cJSON *f, *id = cJSON_GetObjectItemCaseSensitive(item, "id");
        CU_ASSERT_FALSE(item->type & cJSON_IsReference);
        cJSON_ArrayForEach(f, item)
            CU_ASSERT(strncmp(f->string, "sim", 3) != 0);
        CU_ASSERT_FATAL(cJSON_IsString(id));
        snprintf(path, sizeof path, "/v2/providers/employers/employees/employments/%s", id->valuestring);
        CU_ASSERT_EQUAL(lk_simd_call(&d, "GET", path, V19, NULL, &one), 200);
        CU_ASSERT(cJSON_Compare(item, cJSON_GetObjectItemCaseSensitive(one, "content"), true));
        cJSON_Delete(one);
    }
    cJSON_Delete(r);
    CU_ASSERT(cJSON_Compare(before, first->json, true));
    cJSON_Delete(before);
    lk_simd_close(&d);
}

/*
 * The minimized employment listing also pages by reference (fields picked for a page's items
 * only): each item must equal the one the filtered listing picks from the whole list, carry only
 * the minimized fields, and the stored objects must stay as they were.
 */
static void test_minimized_listing_pages(void)
{
    lk_simd d;
    cJSON *r = NULL, *one = NULL, *item;
    char path[512];
    const char *minimized[] = { "id", "employee", "payrollId", "incomeRelationshipNumber", "startDate",
                                "endDate", "commissionUntilDate", "employmentDurationType",
                                "payrollAdministration", "nonPayrollAdministration" };
    CU_ASSERT_EQUAL_FATAL(lk_simd_open(&d, NULL), 0);
    const char *emp = d.sim->store->employers[0].id;
    const sim_employment *first = &d.sim->store->employments[0];
    cJSON *before = cJSON_Duplicate(first->json, true);
    snprintf(path, sizeof path, "/v2/providers/employers/%s/employees/employments/minimized?pageSize=7&pageNumber=2",
             emp);
    CU_ASSERT_EQUAL(lk_simd_call(&d, "GET", path, V19, NULL, &r), 200);
    CU_ASSERT_EQUAL(num(r, "totalSize"), 41);
    CU_ASSERT_EQUAL(num(r, "totalPages"), 6);
    cJSON *embedded = cJSON_GetObjectItemCaseSensitive(r, "_embedded");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(embedded), 7);
    cJSON_ArrayForEach(item, embedded) {
        const cJSON *f, *match = NULL, *o;
        CU_ASSERT_FALSE(item->type & cJSON_IsReference);
        cJSON_ArrayForEach(f, item) {
            bool known = false;
            for (size_t i = 0; i < sizeof minimized / sizeof *minimized; i++)
                known |= !strcmp(f->string, minimized[i]);
            CU_ASSERT(known);
        }
        CU_ASSERT_PTR_NULL(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(item, "employee"),
                                                            "lastName"));
        snprintf(path, sizeof path,
                 "/v2/providers/employers/%s/employees/employments/minimized?filter=employee.employeeNumber eq %ld",
                 emp, (long)num(cJSON_GetObjectItemCaseSensitive(item, "employee"), "employeeNumber"));
        CU_ASSERT_EQUAL(lk_simd_call(&d, "GET", path, V19, NULL, &one), 200);
        cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(one, "_embedded"))
            if (cJSON_Compare(cJSON_GetObjectItemCaseSensitive(o, "id"), cJSON_GetObjectItemCaseSensitive(item, "id"), true))
                match = o;
        CU_ASSERT_PTR_NOT_NULL(match);
        CU_ASSERT(match && cJSON_Compare(item, match, true));
        cJSON_Delete(one);
    }
    cJSON_Delete(r);
    CU_ASSERT(cJSON_Compare(before, first->json, true));
    cJSON_Delete(before);
    lk_simd_close(&d);
}

/* Employments are found through an index of lower-case ids: any case finds the same one, an
 * unknown or overlong id none. */
static void test_employment_ids_any_case(void)
{
    lk_simd d;
    cJSON *r = NULL;
    char path[512], upper[64];
    CU_ASSERT_EQUAL_FATAL(lk_simd_open(&d, NULL), 0);
    const sim_employment *e = &d.sim->store->employments[1];
    snprintf(upper, sizeof upper, "%s", e->id);
    for (char *p = upper; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    CU_ASSERT(strcmp(upper, e->id) != 0);
    CU_ASSERT_PTR_EQUAL(sim_store_employment(d.sim->store, upper), e);
    CU_ASSERT_PTR_EQUAL(sim_store_employment(d.sim->store, e->id), e);
    snprintf(path, sizeof path, "/v2/providers/employers/employees/employments/%s", upper);
    CU_ASSERT_EQUAL(lk_simd_call(&d, "GET", path, V19, NULL, &r), 200);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "content"), "id");
    CU_ASSERT_FATAL(cJSON_IsString(id));
    CU_ASSERT_STRING_EQUAL(id->valuestring, e->id);
    cJSON_Delete(r);
    CU_ASSERT_PTR_NULL(sim_store_employment(d.sim->store, "00000000-0000-4000-8000-000000000000"));
    char longid[300];
    memset(longid, 'a', sizeof longid - 1);
    longid[sizeof longid - 1] = '\0';
    CU_ASSERT_PTR_NULL(sim_store_employment(d.sim->store, longid));
    lk_simd_close(&d);
}

static void test_admin_listing(void)
{
    lk_simd d;
    cJSON *r = NULL, *line;
    char path[512];
    const char *adm;
    int seen_1001 = 0;
    CU_ASSERT_EQUAL_FATAL(lk_simd_open(&d, NULL), 0);
    adm = d.sim->store->admins[0].id; /* monthly */
    snprintf(path, sizeof path, "/v2/providers/employers/payrolladministrations/%s/payrollPeriods/202611/payrollperioddata", adm);
    CU_ASSERT_EQUAL(lk_simd_call(&d, "GET", path, V18, NULL, &r), 400); /* payslipType required */
    CU_ASSERT(lk_simd_has_code(r, 1015, NULL));
    cJSON_Delete(r);
    snprintf(path, sizeof path, "/v2/providers/employers/payrolladministrations/%s/payrollPeriods/202611/payrollperioddata?payslipType=1", adm);
    CU_ASSERT_EQUAL(lk_simd_call(&d, "GET", path, V18, NULL, &r), 400); /* a component selector required */
    CU_ASSERT(lk_simd_has_code(r, 1015, NULL));
    cJSON_Delete(r);
    snprintf(path, sizeof path, "/v2/providers/employers/payrolladministrations/%s/payrollPeriods/209901/payrollperioddata?payslipType=1&payrollComponentId=10", adm);
    CU_ASSERT_EQUAL(lk_simd_call(&d, "GET", path, V18, NULL, &r), 404);
    cJSON_Delete(r);
    snprintf(path, sizeof path, "/v2/providers/employers/payrolladministrations/%s/payrollPeriods/202611/payrollperioddata?payslipType=1&payrollComponentCategory=1", adm);
    CU_ASSERT_EQUAL(lk_simd_call(&d, "GET", path, V18, NULL, &r), 200);
    /* 26 employments, 1019 left: 25 lines; category 1 = components 10, 13, 14 */
    CU_ASSERT_EQUAL(num(r, "totalSize"), 25);
    cJSON_ArrayForEach(line, cJSON_GetObjectItemCaseSensitive(r, "_embedded")) {
        const cJSON *comps = cJSON_GetObjectItemCaseSensitive(line, "payrollComponents");
        CU_ASSERT_EQUAL(cJSON_GetArraySize(comps), 3);
        if (num(cJSON_GetObjectItemCaseSensitive(line, "employee"), "employeeNumber") == 1001) {
            seen_1001 = 1;
            CU_ASSERT_EQUAL(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(comps, 0), "value")->valueint, 152);
            CU_ASSERT(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(comps, 1), "value")));
        }
        CU_ASSERT_NOT_EQUAL(num(cJSON_GetObjectItemCaseSensitive(line, "employee"), "employeeNumber"), 1019);
    }
    CU_ASSERT(seen_1001);
    cJSON_Delete(r);
    lk_simd_close(&d);
}

/*
 * --strict-minimal: the administration-level listing holds only the records that exist. Normal
 * mode lists all 25 active employments (most without a record); minimal mode exactly the stored
 * records of that period and payslip type, each with its values.
 */
static void test_admin_listing_strict_minimal(void)
{
    lk_simd d;
    cJSON *r = NULL, *line;
    char path[512];
    const sim_admin *a;
    const sim_period *p = NULL;
    int stored = 0, seen_1001 = 0;
    CU_ASSERT_EQUAL_FATAL(lk_simd_open(&d, NULL), 0);
    d.sim->cfg.strict_minimal = true;
    a = &d.sim->store->admins[0];
    for (size_t i = 0; i < d.sim->store->nrecords; i++) {
        const sim_record *rec = d.sim->store->records[i];
        if (rec->employment->admin == a && rec->period->id == 202611 && rec->payslip_type == 1) {
            stored++;
            p = rec->period;
        }
    }
    CU_ASSERT_FATAL(stored > 0 && p != NULL);
    snprintf(path, sizeof path, "/v2/providers/employers/payrolladministrations/%s/payrollPeriods/202611/"
             "payrollperioddata?payslipType=1&payrollComponentCategory=1&pageSize=1000", a->id);
    CU_ASSERT_EQUAL(lk_simd_call(&d, "GET", path, V18, NULL, &r), 200);
    CU_ASSERT_EQUAL(num(r, "totalSize"), stored);
    CU_ASSERT(stored < 25);
    cJSON_ArrayForEach(line, cJSON_GetObjectItemCaseSensitive(r, "_embedded")) {
        int emp = num(cJSON_GetObjectItemCaseSensitive(line, "employee"), "employeeNumber");
        if (emp == 1001) {
            const cJSON *comps = cJSON_GetObjectItemCaseSensitive(line, "payrollComponents");
            seen_1001 = 1;
            CU_ASSERT_EQUAL(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(comps, 0), "value")->valueint, 152);
        }
    }
    CU_ASSERT(seen_1001);
    cJSON_Delete(r);
    /* a period without any record: an empty list, not a line per employment */
    snprintf(path, sizeof path, "/v2/providers/employers/payrolladministrations/%s/payrollPeriods/202612/"
             "payrollperioddata?payslipType=1&payrollComponentCategory=1", a->id);
    CU_ASSERT_EQUAL(lk_simd_call(&d, "GET", path, V18, NULL, &r), 200);
    {
        int n = 0;
        for (size_t i = 0; i < d.sim->store->nrecords; i++)
            n += d.sim->store->records[i]->employment->admin == a && d.sim->store->records[i]->period->id == 202612 &&
                 d.sim->store->records[i]->payslip_type == 1;
        CU_ASSERT_EQUAL(num(r, "totalSize"), n);
    }
    cJSON_Delete(r);
    lk_simd_close(&d);
}

/*
 * The administration-level listing builds only the lines of the asked page (others are
 * placeholders that reply_list drops): every page must hold exactly the lines of the whole list
 * at its positions, with and without a filter, and the totals must count every line.
 */
static void test_admin_listing_pages(void)
{
    lk_simd d;
    cJSON *all = NULL, *r = NULL;
    char base[400], path[512];
    CU_ASSERT_EQUAL_FATAL(lk_simd_open(&d, NULL), 0);
    snprintf(base, sizeof base, "/v2/providers/employers/payrolladministrations/%s/payrollPeriods/202611/"
             "payrollperioddata?payslipType=1&payrollComponentCategory=1", d.sim->store->admins[0].id);
    snprintf(path, sizeof path, "%s&pageSize=1000", base);
    CU_ASSERT_EQUAL_FATAL(lk_simd_call(&d, "GET", path, V18, NULL, &all), 200);
    cJSON *lines = cJSON_GetObjectItemCaseSensitive(all, "_embedded");
    int total = cJSON_GetArraySize(lines);
    CU_ASSERT_EQUAL(total, 25);
    for (int page = 1; page <= 4; page++) {
        snprintf(path, sizeof path, "%s&pageSize=7&pageNumber=%d", base, page);
        CU_ASSERT_EQUAL_FATAL(lk_simd_call(&d, "GET", path, V18, NULL, &r), 200);
        cJSON *got = cJSON_GetObjectItemCaseSensitive(r, "_embedded"), *line;
        CU_ASSERT_EQUAL(num(r, "totalSize"), total);
        CU_ASSERT_EQUAL(cJSON_GetArraySize(got), page < 4 ? 7 : total - 21);
        int i = (page - 1) * 7;
        cJSON_ArrayForEach(line, got) {
            CU_ASSERT_FALSE(cJSON_IsNull(line));
            CU_ASSERT(cJSON_Compare(line, cJSON_GetArrayItem(lines, i++), true));
        }
        cJSON_Delete(r);
    }
    /* a filter sees every line built, not placeholders */
    snprintf(path, sizeof path, "%s&pageSize=7&pageNumber=1&filter=employee.employeeNumber eq 1020", base);
    CU_ASSERT_EQUAL(lk_simd_call(&d, "GET", path, V18, NULL, &r), 200);
    CU_ASSERT_EQUAL(num(r, "totalSize"), 1);
    cJSON_Delete(r);
    cJSON_Delete(all);
    lk_simd_close(&d);
}

static void test_defaults_metadata(void)
{
    lk_simd d;
    cJSON *r = NULL, *f;
    char path[512];
    int fields = 0;
    CU_ASSERT_EQUAL_FATAL(lk_simd_open(&d, NULL), 0);
    snprintf(path, sizeof path, "/v2/providers/employers/employees/employments/%s/payrollperioddata/defaults",
             lk_simd_employment(&d, 2001, 1));
    CU_ASSERT_EQUAL(lk_simd_call(&d, "GET", path, V18, NULL, &r), 200);
    {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(r, "content");
        CU_ASSERT_EQUAL(num(cJSON_GetObjectItemCaseSensitive(c, "payslipType"), "key"), 1);
        CU_ASSERT_EQUAL(num(cJSON_GetObjectItemCaseSensitive(c, "shift"), "shiftNumber"), 1);
        CU_ASSERT(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(c, "payrollPeriod")));
        /* no default distribution unit: left out (the request schema has no null there) */
        CU_ASSERT_PTR_NULL(cJSON_GetObjectItemCaseSensitive(c, "distributionUnit"));
        CU_ASSERT(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(c, "costCenter")));
        CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(c, "payrollComponents")), 0);
    }
    /* Loket's guidance: the defaults, with period and values filled in, PATCH as they are */
    {
        cJSON *rec = cJSON_DetachItemFromObjectCaseSensitive(r, "content"), *comp, *out = NULL;
        char *body, ppd[300];
        cJSON_ReplaceItemInObjectCaseSensitive(rec, "payrollPeriod",
                                               cJSON_Parse("{\"year\":2026,\"periodNumber\":45}"));
        comp = cJSON_Parse("[{\"payrollComponent\":{\"key\":10},\"value\":6.5}]");
        cJSON_ReplaceItemInObjectCaseSensitive(rec, "payrollComponents", comp);
        body = cJSON_PrintUnformatted(rec);
        snprintf(ppd, sizeof ppd, "/v2/providers/employers/employees/employments/%s/payrollperioddata",
                 lk_simd_employment(&d, 2001, 1));
        CU_ASSERT_EQUAL(lk_simd_call(&d, "PATCH", ppd, V18, body, &out), 200);
        CU_ASSERT_FALSE(lk_simd_has_code(out, 1012, NULL));
        cJSON_Delete(out);
        free(body);
        cJSON_Delete(rec);
    }
    cJSON_Delete(r);
    snprintf(path, sizeof path, "/v2/providers/employers/employees/employments/%s/payrollperioddata/metadata/year/2026/period/45",
             lk_simd_employment(&d, 2001, 1));
    CU_ASSERT_EQUAL(lk_simd_call(&d, "GET", path, V18, NULL, &r), 200);
    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(r, "_embedded")) {
        const char *name = cJSON_GetObjectItemCaseSensitive(f, "field")->valuestring;
        const cJSON *opts = cJSON_GetObjectItemCaseSensitive(f, "options"), *o;
        fields++;
        cJSON_ArrayForEach(o, opts) {
            CU_ASSERT_PTR_NOT_NULL(cJSON_GetObjectItemCaseSensitive(o, "key"));
            CU_ASSERT_PTR_NOT_NULL(cJSON_GetObjectItemCaseSensitive(o, "value"));
        }
        if (!strcmp(name, "payrollComponent"))
            CU_ASSERT_EQUAL(cJSON_GetArraySize(opts), 6); /* weekly: 10 11 12 13 20 21 */
        if (!strcmp(name, "distributionUnit"))
            CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(opts, 0), "description")->valuestring, "TUIN");
        if (!strcmp(name, "payrollPeriod"))
            CU_ASSERT(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(opts, 0), "isClosed")));
    }
    CU_ASSERT_EQUAL(fields, 7);
    cJSON_Delete(r);
    snprintf(path, sizeof path, "/v2/providers/employers/employees/employments/%s/payrollperioddata/metadata/year/2026/period/54",
             lk_simd_employment(&d, 2001, 1));
    CU_ASSERT_EQUAL(lk_simd_call(&d, "GET", path, V18, NULL, NULL), 400);
    lk_simd_close(&d);
}

static void hook(lk_simd *d, const char *method, const char *path, const char *body, sim_response *resp)
{
    sim_request req;
    memset(&req, 0, sizeof req);
    req.method = method;
    req.path = path;
    req.body = body;
    req.body_len = body ? strlen(body) : 0;
    sim_handle(d->sim, &req, resp);
}

static void test_hooks_and_faults(void)
{
    lk_simd d;
    sim_response resp;
    cJSON *o;
    int fails = 0, limited = 0, drops = 0;
    char path[256];
    CU_ASSERT_EQUAL_FATAL(lk_simd_open(&d, NULL), 0);
    size_t fixture_records = d.sim->store->nrecords; /* the fixture's, history included */
    snprintf(path, sizeof path, "/v2/providers/employers/employees/employments/%s/payrollperioddata",
             lk_simd_employment(&d, 1003, 1));
    CU_ASSERT_EQUAL(lk_simd_call(&d, "PATCH", path, V18,
                                 "{\"payrollPeriod\":{\"year\":2026,\"periodNumber\":11},\"payrollComponents\":[{\"payrollComponent\":{\"key\":10},\"value\":1}]}",
                                 NULL), 200);
    hook(&d, "GET", "/__sim/requests", NULL, &resp);
    o = cJSON_Parse(resp.body);
    CU_ASSERT_EQUAL(num(cJSON_GetObjectItemCaseSensitive(o, "counts"),
                        "PATCH /providers/employers/employees/employments/{employmentId}/payrollperioddata"), 1);
    CU_ASSERT(num(o, "total") >= 2); /* the token and the PATCH */
    cJSON_Delete(o);
    sim_response_clear(&resp);
    hook(&d, "GET", "/__sim/state", NULL, &resp);
    o = cJSON_Parse(resp.body);
    CU_ASSERT_EQUAL((size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o, "payrollPeriodData")),
                    fixture_records + 1);
    cJSON_Delete(o);
    sim_response_clear(&resp);
    hook(&d, "POST", "/__sim/reset", NULL, &resp);
    CU_ASSERT_EQUAL(resp.status, 200);
    sim_response_clear(&resp);
    CU_ASSERT_EQUAL(d.sim->store->nrecords, fixture_records);
    CU_ASSERT_EQUAL(lk_simd_call(&d, "GET", "/v2/user", V18, NULL, NULL), 401); /* tokens reset too */
    CU_ASSERT_EQUAL(lk_simd_token(&d, NULL, "grant_type", "refresh_token", "refresh_token", "sim-refresh-initial-0001", NULL), 200);
    hook(&d, "POST", "/__sim/faults", "{\"failRate\":1,\"failStatus\":503}", &resp);
    CU_ASSERT_EQUAL(resp.status, 200);
    sim_response_clear(&resp);
    CU_ASSERT_EQUAL(lk_simd_call(&d, "GET", "/v2/user", V18, NULL, NULL), 503);
    hook(&d, "POST", "/__sim/faults", "{\"failRate\":0.3,\"failStatus\":500}", &resp);
    sim_response_clear(&resp);
    for (int i = 0; i < 200; i++)
        fails += lk_simd_call(&d, "GET", "/v2/user", V18, NULL, NULL) == 500;
    CU_ASSERT(fails > 30 && fails < 90); /* ~60 */
    hook(&d, "POST", "/__sim/faults", "{\"failRate\":0,\"rateLimit\":5}", &resp);
    sim_response_clear(&resp);
    for (int i = 0; i < 20; i++)
        limited += lk_simd_call(&d, "GET", "/v2/user", V18, NULL, NULL) == 429;
    CU_ASSERT(limited >= 14);
    hook(&d, "POST", "/__sim/faults", "{\"rateLimit\":0,\"dropRate\":1}", &resp);
    sim_response_clear(&resp);
    {
        sim_request req;
        memset(&req, 0, sizeof req);
        req.method = "GET";
        req.path = "/v2/user";
        sim_handle(d.sim, &req, &resp);
        drops += resp.drop;
        sim_response_clear(&resp);
    }
    CU_ASSERT_EQUAL(drops, 1);
    hook(&d, "POST", "/__sim/faults", "{\"bogus\":1}", &resp);
    CU_ASSERT_EQUAL(resp.status, 400);
    sim_response_clear(&resp);
    hook(&d, "GET", "/__sim/nothing", NULL, &resp);
    CU_ASSERT_EQUAL(resp.status, 404);
    sim_response_clear(&resp);
    lk_simd_close(&d);
}

static void test_body_too_large_and_content_type(void)
{
    lk_simd d;
    sim_request req;
    sim_response resp;
    char auth[128], path[256];
    CU_ASSERT_EQUAL_FATAL(lk_simd_open(&d, NULL), 0);
    snprintf(path, sizeof path, "/v2/providers/employers/employees/employments/%s/payrollperioddata",
             lk_simd_employment(&d, 1003, 1));
    snprintf(auth, sizeof auth, "Bearer %s", d.token);
    memset(&req, 0, sizeof req);
    req.method = "PATCH";
    req.path = path;
    req.authorization = auth;
    req.accept = "application/json;version=2018-01-01";
    req.content_type = "application/json;version=2018-01-01";
    req.body_too_large = true;
    sim_handle(d.sim, &req, &resp);
    CU_ASSERT_EQUAL(resp.status, 413);
    sim_response_clear(&resp);
    req.body_too_large = false;
    req.body = "{}";
    req.body_len = 2;
    req.content_type = "text/plain";
    sim_handle(d.sim, &req, &resp);
    CU_ASSERT_EQUAL(resp.status, 400); /* the document lists no 415: API-level errors are 400 */
    sim_response_clear(&resp);
    req.content_type = "application/json;version=2017-01-01";
    sim_handle(d.sim, &req, &resp);
    CU_ASSERT_EQUAL(resp.status, 400);
    sim_response_clear(&resp);
    lk_simd_close(&d);
}

int main(void)
{
    static const lk_test tests[] = {
        { "token grants", test_grants },
        { "token expiry (requests, seconds, hook)", test_token_expiry },
        { "Authorization, Accept, versions, 403/404/405", test_headers_and_access },
        { "paging, filter, orderBy", test_paging_filter_order },
        { "listed employments are API-shaped copies", test_listing_items_are_copies },
        { "minimized employments: picked per page, same items", test_minimized_listing_pages },
        { "employment ids in any case (index)", test_employment_ids_any_case },
        { "administration-level listing", test_admin_listing },
        { "administration-level listing, --strict-minimal", test_admin_listing_strict_minimal },
        { "administration-level listing pages", test_admin_listing_pages },
        { "defaults and metadata", test_defaults_metadata },
        { "test hooks and faults", test_hooks_and_faults },
        { "body too large, content type", test_body_too_large_and_content_type },
        { NULL, NULL },
    };
    return lk_test_main("sim_api", tests);
}
