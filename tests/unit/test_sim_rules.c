/*
 * test_sim_rules.c: loket-sim's payroll period data rules, in-process (sim_handle): upsert
 * semantics, record keys, every business rule's 400 and message code, warnings, exact decimals,
 * POST/PUT/DELETE and the collective PATCH.
 */
#include "support/cunit_main.h"
#include "support/sim_direct.h"

#include "sim/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define V18 "2018-01-01"

static char path_buf[512];

static const char *ppd_path(lk_simd *d, int employee, int payroll_id)
{
    snprintf(path_buf, sizeof path_buf, "/v2/providers/employers/employees/employments/%s/payrollperioddata",
             lk_simd_employment(d, employee, payroll_id));
    return path_buf;
}

static int patch(lk_simd *d, int employee, const char *body, cJSON **out)
{
    return lk_simd_call(d, "PATCH", ppd_path(d, employee, 1), V18, body, out);
}

static int nrecords(lk_simd *d)
{
    cJSON *st = NULL;
    int n;
    sim_request req;
    sim_response resp;
    memset(&req, 0, sizeof req);
    req.method = "GET";
    req.path = "/__sim/state";
    sim_handle(d->sim, &req, &resp);
    st = cJSON_Parse(resp.body);
    n = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(st, "payrollPeriodData"));
    cJSON_Delete(st);
    sim_response_clear(&resp);
    return n;
}

/* How many records of employment id in 2026 period 11 hold component 10 = 8 (the state hook). */
static int held_c10_8(lk_simd *d, const char *id)
{
    cJSON *st, *r;
    int n = 0;
    sim_request req;
    sim_response resp;
    memset(&req, 0, sizeof req);
    req.method = "GET";
    req.path = "/__sim/state";
    sim_handle(d->sim, &req, &resp);
    st = cJSON_Parse(resp.body);
    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(st, "payrollPeriodData")) {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(r, "employmentId");
        const cJSON *per = cJSON_GetObjectItemCaseSensitive(r, "payrollPeriod"), *c;
        const cJSON *pn = cJSON_GetObjectItemCaseSensitive(per, "periodNumber");
        if (!cJSON_IsString(e) || strcmp(e->valuestring, id) || !cJSON_IsNumber(pn) || pn->valueint != 11)
            continue;
        cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(r, "payrollComponents")) {
            const cJSON *k = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(c, "payrollComponent"), "key");
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, "value");
            if (cJSON_IsNumber(k) && k->valueint == 10 && cJSON_IsNumber(v) && v->valuedouble == 8)
                n++;
        }
    }
    cJSON_Delete(st);
    sim_response_clear(&resp);
    return n;
}

/* The value of component key in a record answer (content), as printed JSON text. */
static char *value_text(const cJSON *doc, int key, char *buf, size_t size)
{
    const cJSON *c;
    snprintf(buf, size, "(absent)");
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "content"),
                                                           "payrollComponents")) {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(c, "payrollComponent"), "key");
        if (k && k->valueint == key) {
            char *t = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(c, "value"));
            snprintf(buf, size, "%s", t);
            free(t);
        }
    }
    return buf;
}

static void test_upsert_semantics(void)
{
    lk_simd d;
    cJSON *r = NULL;
    char v[64], id[64];
    int before;
    CU_ASSERT_EQUAL_FATAL(lk_simd_open(&d, NULL), 0);
    before = nrecords(&d);
    /* unknown key: a new record, 200 (the document lists no 201 for the PATCH) */
    CU_ASSERT_EQUAL(patch(&d, 1005, "{\"payrollPeriod\":{\"year\":2026,\"periodNumber\":11},"
                                    "\"payrollComponents\":[{\"payrollComponent\":{\"key\":10},\"value\":151.5},"
                                    "{\"payrollComponent\":{\"key\":20},\"value\":42}]}", &r), 200);
    CU_ASSERT_EQUAL(nrecords(&d), before + 1);
    snprintf(id, sizeof id, "%s", cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "content"), "id")->valuestring);
    cJSON_Delete(r);
    /* known key: given components overwrite, others stay */
    CU_ASSERT_EQUAL(patch(&d, 1005, "{\"payrollPeriod\":{\"year\":2026,\"periodNumber\":11},"
                                    "\"payrollComponents\":[{\"payrollComponent\":{\"key\":10},\"value\":160}]}", &r), 200);
    CU_ASSERT_EQUAL(nrecords(&d), before + 1);
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "content"), "id")->valuestring, id);
    CU_ASSERT_STRING_EQUAL(value_text(r, 10, v, sizeof v), "160");
    CU_ASSERT_STRING_EQUAL(value_text(r, 20, v, sizeof v), "42");
    cJSON_Delete(r);
    /* explicit defaults (shift 1, payslipType 1, the employee's cost center) are the same key */
    CU_ASSERT_EQUAL(patch(&d, 1005, "{\"payrollPeriod\":{\"year\":2026,\"periodNumber\":11},\"shift\":{\"shiftNumber\":1},"
                                    "\"payslipType\":{\"key\":1},\"costCenter\":{\"key\":2},"
                                    "\"payrollComponents\":[{\"payrollComponent\":{\"key\":11},\"value\":2}]}", &r), 200);
    CU_ASSERT_EQUAL(nrecords(&d), before + 1);
    cJSON_Delete(r);
    /* another cost center is another record */
    CU_ASSERT_EQUAL(patch(&d, 1005, "{\"payrollPeriod\":{\"year\":2026,\"periodNumber\":11},\"costCenter\":{\"key\":3},"
                                    "\"payrollComponents\":[{\"payrollComponent\":{\"key\":10},\"value\":8}]}", &r), 200);
    CU_ASSERT_EQUAL(nrecords(&d), before + 2);
    cJSON_Delete(r);
    /* null deletes that component's value; 0 is stored and warned about */
    CU_ASSERT_EQUAL(patch(&d, 1005, "{\"payrollPeriod\":{\"year\":2026,\"periodNumber\":11},"
                                    "\"payrollComponents\":[{\"payrollComponent\":{\"key\":20},\"value\":null},"
                                    "{\"payrollComponent\":{\"key\":11},\"value\":0},"
                                    "{\"payrollComponent\":{\"key\":12},\"value\":null}]}", &r), 200);
    CU_ASSERT_STRING_EQUAL(value_text(r, 20, v, sizeof v), "(absent)");
    CU_ASSERT_STRING_EQUAL(value_text(r, 11, v, sizeof v), "0");
    CU_ASSERT_STRING_EQUAL(value_text(r, 10, v, sizeof v), "160");
    CU_ASSERT(lk_simd_has_code(r, 2002, "Warning"));
    CU_ASSERT(lk_simd_has_code(r, 2001, "Warning")); /* 12 had no value */
    cJSON_Delete(r);
    /* deleting every value removes the record */
    CU_ASSERT_EQUAL(patch(&d, 1005, "{\"payrollPeriod\":{\"year\":2026,\"periodNumber\":11},\"costCenter\":{\"key\":3},"
                                    "\"payrollComponents\":[{\"payrollComponent\":{\"key\":10},\"value\":null}]}", &r), 200);
    CU_ASSERT_EQUAL(nrecords(&d), before + 1);
    CU_ASSERT_PTR_NULL(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "content"), "id"));
    cJSON_Delete(r);
    lk_simd_close(&d);
}

static void test_exact_decimals(void)
{
    lk_simd d;
    cJSON *r = NULL;
    char v[64];
    CU_ASSERT_EQUAL_FATAL(lk_simd_open(&d, NULL), 0);
    CU_ASSERT_EQUAL(patch(&d, 1010, "{\"payrollPeriod\":{\"year\":2026,\"periodNumber\":12},"
                                    "\"payrollComponents\":[{\"payrollComponent\":{\"key\":10},\"value\":0.1},"
                                    "{\"payrollComponent\":{\"key\":30},\"value\":123456.78},"
                                    "{\"payrollComponent\":{\"key\":40},\"value\":-0.01}]}", &r), 200);
    CU_ASSERT_STRING_EQUAL(value_text(r, 10, v, sizeof v), "0.1");
    CU_ASSERT_STRING_EQUAL(value_text(r, 30, v, sizeof v), "123456.78");
    CU_ASSERT_STRING_EQUAL(value_text(r, 40, v, sizeof v), "-0.01");
    cJSON_Delete(r);
    /* more decimals than the component allows: rejected, never rounded */
    CU_ASSERT_EQUAL(patch(&d, 1010, "{\"payrollPeriod\":{\"year\":2026,\"periodNumber\":12},"
                                    "\"payrollComponents\":[{\"payrollComponent\":{\"key\":10},\"value\":7.125}]}", &r), 400);
    CU_ASSERT(lk_simd_has_code(r, 1008, "BrokenBusinessRule"));
    cJSON_Delete(r);
    CU_ASSERT_EQUAL(patch(&d, 1010, "{\"payrollPeriod\":{\"year\":2026,\"periodNumber\":12},"
                                    "\"payrollComponents\":[{\"payrollComponent\":{\"key\":10},\"value\":1.0000001}]}", &r), 400);
    CU_ASSERT(lk_simd_has_code(r, 1008, NULL));
    cJSON_Delete(r);
    lk_simd_close(&d);
}

typedef struct rule_case {
    int employee;
    const char *body;
    int code;
    const char *property;
} rule_case;

#define P11 "\"payrollPeriod\":{\"year\":2026,\"periodNumber\":11}"
#define C10 "\"payrollComponents\":[{\"payrollComponent\":{\"key\":10},\"value\":8}]"

static void test_business_rules(void)
{
    static const rule_case cases[] = {
        { 1019, "{" P11 "," C10 "}", 1001, "payrollPeriod" },                 /* left 2026-09-30 */
        { 1001, "{\"payrollPeriod\":{\"year\":2026,\"periodNumber\":13}," C10 "}", 1002, "payrollPeriod" },
        { 1001, "{\"payrollPeriod\":{\"year\":2027,\"periodNumber\":1}," C10 "}", 1002, "payrollPeriod" },
        { 1001, "{\"payrollPeriod\":{\"year\":2026,\"periodNumber\":10}," C10 "}", 1003, "payrollPeriod" },
        { 1001, "{\"payrollPeriod\":{\"year\":2025,\"periodNumber\":12}," C10 "}", 1003, "payrollPeriod" },
        { 1001, "{" P11 ",\"payrollComponents\":[{\"payrollComponent\":{\"key\":99},\"value\":1}]}", 1004,
          "payrollComponents[0].payrollComponent.key" },
        { 2001, "{\"payrollPeriod\":{\"year\":2026,\"periodNumber\":46},\"payrollComponents\":[{\"payrollComponent\":{\"key\":30},\"value\":1}]}",
          1004, "payrollComponents[0].payrollComponent.key" },               /* bonus not allowed weekly */
        { 1101, "{\"payrollPeriod\":{\"year\":2026,\"periodNumber\":12},\"payrollComponents\":[{\"payrollComponent\":{\"key\":31},\"value\":1}]}",
          1004, "payrollComponents[0].payrollComponent.key" },               /* 31 not allowed 4-weekly */
        { 1001, "{" P11 ",\"payrollComponents\":[{\"payrollComponent\":{\"key\":10},\"value\":8,\"isSupplement\":true}]}",
          1005, "payrollComponents[0].isSupplement" },
        { 1001, "{" P11 ",\"costCenter\":{\"key\":9}," C10 "}", 1006, "costCenter.key" },
        { 1001, "{" P11 ",\"costUnit\":{\"key\":3}," C10 "}", 1006, "costUnit.key" },
        { 1001, "{" P11 ",\"shift\":{\"shiftNumber\":4}," C10 "}", 1006, "shift.shiftNumber" },
        { 1001, "{" P11 ",\"payslipType\":{\"key\":3}," C10 "}", 1006, "payslipType.key" },
        { 1001, "{" P11 ",\"distributionUnit\":{\"key\":\"00000000-0000-4000-8000-000000000000\"}," C10 "}", 1006,
          "distributionUnit.key" },
        { 1001, "{" P11 ",\"payrollComponents\":[{\"payrollComponent\":{\"key\":10},\"value\":\"7,5\"}]}", 1007,
          "payrollComponents[0].value" },
        { 1001, "{" P11 ",\"payrollComponents\":[{\"payrollComponent\":{\"key\":10}}]}", 1007, "payrollComponents[0].value" },
        { 1001, "{" P11 ",\"payrollComponents\":[{\"payrollComponent\":{\"key\":10},\"value\":1000}]}", 1008,
          "payrollComponents[0].value" },
        { 1001, "{" P11 ",\"payrollComponents\":[{\"payrollComponent\":{\"key\":10},\"value\":-1000}]}", 1008,
          "payrollComponents[0].value" },
        { 1001, "{\"payrollPeriod\":{\"year\":2026,\"periodNumber\":54}," C10 "}", 1008, "payrollPeriod.periodNumber" },
        { 1001, "{" C10 "}", 1009, "payrollPeriod" },
        { 1001, "{\"payrollPeriod\":{\"year\":2026}," C10 "}", 1009, "payrollPeriod.periodNumber" },
        { 1001, "{" P11 ",\"payrollComponents\":[{\"payrollComponent\":{\"key\":10},\"value\":1},{\"payrollComponent\":{\"key\":10},\"value\":2}]}",
          1010, "payrollComponents[1].payrollComponent.key" },
        { 1001, "{" P11 ",\"shift\":null," C10 "}", 1012, "shift" },
        { 1001, "{" P11 ",\"distributionUnit\":null," C10 "}", 1012, "distributionUnit" },
        { 1001, "{" P11 ",\"payrollComponents\":{}}", 1012, "payrollComponents" },
        { 1001, "{\"payrollPeriod\":{\"year\":\"2026\",\"periodNumber\":11}," C10 "}", 1012, "payrollPeriod.year" },
        { 1001, "{" P11 ",\"payrollComponents\":[{\"payrollComponent\":{\"key\":10},\"value\":1,\"isSupplement\":\"no\"}]}",
          1012, "payrollComponents[0].isSupplement" },
        { 1001, "[1,2]", 1013, NULL },
        { 1001, "{\"x\":", 1013, NULL },
        { 1001, "{" P11 ",\"payslipText\":\"abcdefghijklmnopqrstuvwxyz\"," C10 "}", 83, "payslipText" },
    };
    lk_simd d;
    int before;
    CU_ASSERT_EQUAL_FATAL(lk_simd_open(&d, NULL), 0);
    before = nrecords(&d);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cJSON *r = NULL, *m;
        int status = patch(&d, cases[i].employee, cases[i].body, &r);
        int found = 0;
        if (status != 400)
            fprintf(stderr, "case %zu (code %d): status %d\n", i, cases[i].code, status);
        CU_ASSERT_EQUAL(status, 400);
        cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(r, "messages")) {
            const cJSON *c = cJSON_GetObjectItemCaseSensitive(m, "code");
            const cJSON *p = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(m, "properties"), 0);
            const cJSON *t = cJSON_GetObjectItemCaseSensitive(m, "type");
            const cJSON *desc = cJSON_GetObjectItemCaseSensitive(m, "description");
            if (c->valueint != cases[i].code)
                continue;
            found = 1;
            CU_ASSERT_STRING_EQUAL(t->valuestring, "BrokenBusinessRule");
            CU_ASSERT(strstr(desc->valuestring, " / ") != NULL); /* Dutch / English */
            if (cases[i].property) {
                CU_ASSERT(p && !strcmp(p->valuestring, cases[i].property));
                if (!p || strcmp(p->valuestring, cases[i].property))
                    fprintf(stderr, "case %zu: property %s\n", i, p ? p->valuestring : "(none)");
            }
        }
        if (!found)
            fprintf(stderr, "case %zu: no message %d\n", i, cases[i].code);
        CU_ASSERT(found);
        cJSON_Delete(r);
    }
    CU_ASSERT_EQUAL(nrecords(&d), before); /* nothing rejected was stored */
    lk_simd_close(&d);
}

static void test_all_failures_listed_and_atomic(void)
{
    lk_simd d;
    cJSON *r = NULL;
    int before;
    CU_ASSERT_EQUAL_FATAL(lk_simd_open(&d, NULL), 0);
    before = nrecords(&d);
    /* one good component and two bad ones: 400, both reasons, nothing stored */
    CU_ASSERT_EQUAL(patch(&d, 1001, "{" P11 ",\"payrollComponents\":[{\"payrollComponent\":{\"key\":10},\"value\":8},"
                                    "{\"payrollComponent\":{\"key\":99},\"value\":1},{\"payrollComponent\":{\"key\":11},\"value\":\"x\"}]}",
                    &r), 400);
    CU_ASSERT(lk_simd_has_code(r, 1004, NULL));
    CU_ASSERT(lk_simd_has_code(r, 1007, NULL));
    CU_ASSERT_EQUAL(nrecords(&d), before);
    cJSON_Delete(r);
    /* starting mid-period (1024, 2026-11-16) is active in November */
    CU_ASSERT_EQUAL(patch(&d, 1024, "{" P11 "," C10 "}", &r), 200);
    cJSON_Delete(r);
    /* the second employment of 1007 is its own */
    CU_ASSERT_EQUAL(lk_simd_call(&d, "PATCH", ppd_path(&d, 1007, 2), V18, "{" P11 "," C10 "}", &r), 200);
    cJSON_Delete(r);
    /* supplements where allowed */
    CU_ASSERT_EQUAL(patch(&d, 1001, "{" P11 ",\"payrollComponents\":[{\"payrollComponent\":{\"key\":21},\"value\":12.5,\"isSupplement\":true}]}", &r), 200);
    cJSON_Delete(r);
    lk_simd_close(&d);
}

static void test_post_put_delete(void)
{
    lk_simd d;
    cJSON *r = NULL;
    char path[256], id[64], v[64];
    CU_ASSERT_EQUAL_FATAL(lk_simd_open(&d, NULL), 0);
    CU_ASSERT_EQUAL(lk_simd_call(&d, "POST", ppd_path(&d, 1012, 1), V18, "{" P11 "," C10 "}", &r), 201);
    snprintf(id, sizeof id, "%s", cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "content"), "id")->valuestring);
    cJSON_Delete(r);
    CU_ASSERT_EQUAL(lk_simd_call(&d, "POST", ppd_path(&d, 1012, 1), V18, "{" P11 "," C10 "}", &r), 400);
    CU_ASSERT(lk_simd_has_code(r, 1011, NULL));
    cJSON_Delete(r);
    /* POST does not take null values (its schema's value is not nullable) */
    CU_ASSERT_EQUAL(lk_simd_call(&d, "POST", ppd_path(&d, 1013, 1), V18,
                                 "{" P11 ",\"payrollComponents\":[{\"payrollComponent\":{\"key\":10},\"value\":null}]}", &r), 400);
    CU_ASSERT(lk_simd_has_code(r, 1007, NULL));
    cJSON_Delete(r);
    snprintf(path, sizeof path, "/v2/providers/employers/employees/employments/payrollperioddata/%s", id);
    CU_ASSERT_EQUAL(lk_simd_call(&d, "GET", path, V18, NULL, &r), 200);
    cJSON_Delete(r);
    /* PUT replaces the components */
    CU_ASSERT_EQUAL(lk_simd_call(&d, "PUT", path, V18, "{\"payrollComponents\":[{\"payrollComponent\":{\"key\":11},\"value\":3.5}]}", &r), 200);
    CU_ASSERT_STRING_EQUAL(value_text(r, 11, v, sizeof v), "3.5");
    CU_ASSERT_STRING_EQUAL(value_text(r, 10, v, sizeof v), "(absent)");
    cJSON_Delete(r);
    /* If-Match: the ETag of a GET; a stale one is a 409 ConcurrencyViolation */
    {
        sim_request req;
        sim_response resp;
        char auth[128], etag[40];
        memset(&req, 0, sizeof req);
        snprintf(auth, sizeof auth, "Bearer %s", d.token);
        req.method = "GET";
        req.path = path;
        req.authorization = auth;
        req.accept = "application/json;version=2018-01-01";
        sim_handle(d.sim, &req, &resp);
        CU_ASSERT_EQUAL(resp.status, 200);
        CU_ASSERT(resp.etag[0] == '"');
        snprintf(etag, sizeof etag, "%s", resp.etag);
        sim_response_clear(&resp);
        req.method = "PUT";
        req.content_type = "application/json";
        req.body = "{\"payrollComponents\":[{\"payrollComponent\":{\"key\":11},\"value\":4}]}";
        req.body_len = strlen(req.body);
        req.if_match = "\"999\"";
        sim_handle(d.sim, &req, &resp);
        CU_ASSERT_EQUAL(resp.status, 409);
        CU_ASSERT(strstr(resp.body, "ConcurrencyViolation") != NULL);
        sim_response_clear(&resp);
        req.if_match = etag;
        sim_handle(d.sim, &req, &resp);
        CU_ASSERT_EQUAL(resp.status, 200);
        sim_response_clear(&resp);
        sim_handle(d.sim, &req, &resp); /* the same ETag again: the record changed since */
        CU_ASSERT_EQUAL(resp.status, 409);
        sim_response_clear(&resp);
    }
    CU_ASSERT_EQUAL(lk_simd_call(&d, "DELETE", path, V18, NULL, &r), 200);
    cJSON_Delete(r);
    CU_ASSERT_EQUAL(lk_simd_call(&d, "GET", path, V18, NULL, &r), 404);
    CU_ASSERT(lk_simd_has_code(r, 3001, "NotFound"));
    cJSON_Delete(r);
    /* a record in a closed period cannot be deleted */
    snprintf(path, sizeof path, "/v2/providers/employers/employees/employments/payrollperioddata/%s",
             d.sim->store->records[0]->id);
    CU_ASSERT_EQUAL(d.sim->store->records[0]->period->closed, 1);
    CU_ASSERT_EQUAL(lk_simd_call(&d, "DELETE", path, V18, NULL, &r), 400);
    CU_ASSERT(lk_simd_has_code(r, 1003, NULL));
    cJSON_Delete(r);
    lk_simd_close(&d);
}

static void test_collective(void)
{
    lk_simd d;
    cJSON *r = NULL, *m;
    char body[2048], path[256];
    const char *e1 = NULL, *e2 = NULL;
    int with_id = 0;
    CU_ASSERT_EQUAL_FATAL(lk_simd_open(&d, NULL), 0);
    e1 = lk_simd_employment(&d, 1002, 1);
    e2 = lk_simd_employment(&d, 1019, 1);
    snprintf(path, sizeof path, "/v2/providers/employers/%s/payrollperioddata", d.sim->store->employers[0].id);
    snprintf(body, sizeof body,
             "[{\"employmentId\":\"%s\"," P11 "," C10 "},{\"employmentId\":\"%s\"," P11 "," C10 "},"
             "{\"employmentId\":\"%s\"," P11 "}]",
             e1, e2, lk_simd_employment(&d, 2001, 1));
    CU_ASSERT_EQUAL(lk_simd_call(&d, "PATCH", path, V18, body, &r), 200);
    CU_ASSERT(lk_simd_has_code(r, 1001, NULL));   /* 1019 not active */
    CU_ASSERT(lk_simd_has_code(r, 1016, NULL));   /* 2001 is of the other employer */
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(r, "messages")) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(m, "id");
        const cJSON *p = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(m, "properties"), 0);
        if (cJSON_IsString(id) && !strcmp(id->valuestring, e2)) {
            with_id = 1;
            CU_ASSERT(!strncmp(p->valuestring, "[1].", 4));
        }
    }
    CU_ASSERT(with_id);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "_embedded")), 1);
    cJSON_Delete(r);
    /* every item failing: 400 */
    snprintf(body, sizeof body, "[{\"employmentId\":\"%s\"," P11 "," C10 "}]", e2);
    CU_ASSERT_EQUAL(lk_simd_call(&d, "PATCH", path, V18, body, &r), 400);
    cJSON_Delete(r);
    CU_ASSERT_EQUAL(lk_simd_call(&d, "PATCH", path, V18, "{}", &r), 400);
    CU_ASSERT(lk_simd_has_code(r, 1013, NULL));
    cJSON_Delete(r);
    lk_simd_close(&d);
}

/*
 * --strict-minimal: the same collective PATCH answers the same outcomes, but no message names the
 * item by its index (properties []); the id still names the employment; a 200 carries no
 * _embedded (the official 200 has no content).
 */
static void test_collective_strict_minimal(void)
{
    lk_simd d;
    cJSON *r = NULL, *m;
    char body[2048], path[256];
    const char *e1, *e2;
    int with_id = 0, nmsg = 0;
    CU_ASSERT_EQUAL_FATAL(lk_simd_open(&d, NULL), 0);
    d.sim->cfg.strict_minimal = true;
    e1 = lk_simd_employment(&d, 1002, 1);
    e2 = lk_simd_employment(&d, 1019, 1);
    CU_ASSERT_EQUAL(held_c10_8(&d, e1), 0);
    snprintf(path, sizeof path, "/v2/providers/employers/%s/payrollperioddata", d.sim->store->employers[0].id);
    snprintf(body, sizeof body,
             "[{\"employmentId\":\"%s\"," P11 "," C10 "},{\"employmentId\":\"%s\"," P11 "," C10 "},"
             "{\"employmentId\":\"%s\"," P11 "}]",
             e1, e2, lk_simd_employment(&d, 2001, 1));
    CU_ASSERT_EQUAL(lk_simd_call(&d, "PATCH", path, V18, body, &r), 200);
    CU_ASSERT(lk_simd_has_code(r, 1001, NULL));
    CU_ASSERT(lk_simd_has_code(r, 1016, NULL));
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(r, "messages")) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(m, "id");
        const cJSON *props = cJSON_GetObjectItemCaseSensitive(m, "properties");
        nmsg++;
        CU_ASSERT(cJSON_IsArray(props));
        CU_ASSERT_EQUAL(cJSON_GetArraySize(props), 0);
        if (cJSON_IsString(id) && !strcmp(id->valuestring, e2))
            with_id = 1;
    }
    CU_ASSERT(nmsg >= 2);
    CU_ASSERT(with_id);
    /* the official 200 has no content: no _embedded, yet the good item is stored */
    CU_ASSERT_PTR_NULL(cJSON_GetObjectItemCaseSensitive(r, "_embedded"));
    CU_ASSERT_PTR_NOT_NULL(cJSON_GetObjectItemCaseSensitive(r, "messages"));
    CU_ASSERT_EQUAL(held_c10_8(&d, e1), 1);
    cJSON_Delete(r);
    /* every item failing: still 400, still without properties */
    snprintf(body, sizeof body, "[{\"employmentId\":\"%s\"," P11 "," C10 "}]", e2);
    CU_ASSERT_EQUAL(lk_simd_call(&d, "PATCH", path, V18, body, &r), 400);
    CU_ASSERT(lk_simd_has_code(r, 1001, NULL));
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(r, "messages"))
        CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(m, "properties")), 0);
    cJSON_Delete(r);
    /* the single-employment PATCH keeps its properties: the mode is about the collective call */
    CU_ASSERT_EQUAL(patch(&d, 1019, "{" P11 "," C10 "}", &r), 400);
    m = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r, "messages"), 0);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(m, "properties")), 1);
    cJSON_Delete(r);
    lk_simd_close(&d);
}

/* Error answers carry "content": {} (the official 400 and 409 schemas have an object there). */
static void test_error_content_is_object(void)
{
    lk_simd d;
    cJSON *r = NULL;
    char path[256];
    CU_ASSERT_EQUAL_FATAL(lk_simd_open(&d, NULL), 0);
    CU_ASSERT_EQUAL(patch(&d, 1002, "{" P11 ",\"payrollComponents\":[{\"payrollComponent\":{\"key\":999},\"value\":1}]}",
                          &r), 400);
    CU_ASSERT(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(r, "content")));
    CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "content")), 0);
    cJSON_Delete(r);
    snprintf(path, sizeof path, "/v2/providers/employers/employees/employments/payrollperioddata/%s",
             d.sim->store->records[1]->id);
    {
        sim_request req;
        sim_response resp;
        char auth[128];
        memset(&req, 0, sizeof req);
        snprintf(auth, sizeof auth, "Bearer %s", d.token);
        req.method = "PUT";
        req.authorization = auth;
        req.accept = "application/json;version=" V18;
        req.content_type = "application/json";
        req.if_match = "\"999999\"";
        req.body = "{" C10 "}";
        req.body_len = strlen(req.body);
        req.path = path;
        sim_handle(d.sim, &req, &resp);
        CU_ASSERT_EQUAL(resp.status, 409);
        r = cJSON_Parse(resp.body);
        CU_ASSERT(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(r, "content")));
        cJSON_Delete(r);
        sim_response_clear(&resp);
    }
    lk_simd_close(&d);
}

int main(void)
{
    static const lk_test tests[] = {
        { "upsert semantics", test_upsert_semantics },
        { "exact decimals", test_exact_decimals },
        { "business rules: 400 and code", test_business_rules },
        { "all failures listed, nothing stored", test_all_failures_listed_and_atomic },
        { "POST, PUT, DELETE", test_post_put_delete },
        { "collective PATCH", test_collective },
        { "collective PATCH, --strict-minimal", test_collective_strict_minimal },
        { "error answers: content is an object", test_error_content_is_object },
        { NULL, NULL },
    };
    return lk_test_main("sim_rules", tests);
}
