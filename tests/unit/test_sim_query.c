/*
 * test_sim_query.c: loket-sim's filter and orderBy over JSON items, and the fault helpers
 * (settings from JSON, the seeded generator, the rate limiter).
 */
#include "support/cunit_main.h"

#include "sim/faults.h"
#include "sim/query.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

static cJSON *items(void)
{
    return cJSON_Parse("[{\"id\":1,\"name\":\"Jansen\",\"employee\":{\"employeeNumber\":1007},\"payrollId\":1,\"endDate\":null,\"ok\":true},"
                       "{\"id\":2,\"name\":\"de Vries\",\"employee\":{\"employeeNumber\":1007},\"payrollId\":2,\"endDate\":\"2026-09-30\",\"ok\":false},"
                       "{\"id\":3,\"name\":\"van den Berg\",\"employee\":{\"employeeNumber\":1010},\"payrollId\":1,\"endDate\":null,\"ok\":true}]");
}

static int count(const char *filter)
{
    char err[128];
    cJSON *a = items();
    sim_filter *f = sim_filter_parse(filter, err, sizeof err);
    int n;
    if (!f) {
        cJSON_Delete(a);
        return -1;
    }
    sim_filter_apply(f, a);
    n = cJSON_GetArraySize(a);
    sim_filter_free(f);
    cJSON_Delete(a);
    return n;
}

static void test_filter(void)
{
    CU_ASSERT_EQUAL(count("employee.employeeNumber eq 1007"), 2);
    CU_ASSERT_EQUAL(count("employee.employeeNumber eq 1007 and payrollId eq 2"), 1);
    CU_ASSERT_EQUAL(count("payrollId eq 2 or employee.employeeNumber eq 1010"), 2);
    CU_ASSERT_EQUAL(count("(payrollId eq 2 or payrollId eq 1) and employee.employeeNumber ne 1007"), 1);
    CU_ASSERT_EQUAL(count("name eq 'de Vries'"), 1);
    CU_ASSERT_EQUAL(count("name lk 'BERG'"), 1);
    CU_ASSERT_EQUAL(count("id gt 1"), 2);
    CU_ASSERT_EQUAL(count("id ge 1"), 3);
    CU_ASSERT_EQUAL(count("id lt 2"), 1);
    CU_ASSERT_EQUAL(count("id le 2"), 2);
    CU_ASSERT_EQUAL(count("endDate eq null"), 2);
    CU_ASSERT_EQUAL(count("endDate ne null"), 1);
    CU_ASSERT_EQUAL(count("ok eq true"), 2);
    CU_ASSERT_EQUAL(count("EMPLOYEE.EMPLOYEENUMBER EQ 1010"), 1); /* names and operators ignore case */
    CU_ASSERT_EQUAL(count("missing.field eq 1"), 0);
    /* malformed: a 400 for the caller */
    CU_ASSERT_EQUAL(count(""), -1);
    CU_ASSERT_EQUAL(count("id"), -1);
    CU_ASSERT_EQUAL(count("id eq"), -1);
    CU_ASSERT_EQUAL(count("id xx 1"), -1);
    CU_ASSERT_EQUAL(count("id eq 1 and"), -1);
    CU_ASSERT_EQUAL(count("(id eq 1"), -1);
    CU_ASSERT_EQUAL(count("id eq 1)"), -1);
    CU_ASSERT_EQUAL(count("name eq 'open"), -1);
    CU_ASSERT_EQUAL(count("'x' eq 1"), -1);
    {
        char deep[400] = "";
        for (int i = 0; i < 100; i++)
            strcat(deep, "(");
        CU_ASSERT_EQUAL(count(deep), -1); /* nesting is bounded, never a stack overflow */
    }
}

static void test_order_by(void)
{
    char err[128];
    cJSON *a = items();
    CU_ASSERT_TRUE(sim_order_apply("-payrollId,employee.employeeNumber", a, err, sizeof err));
    CU_ASSERT_EQUAL(cJSON_GetObjectItem(cJSON_GetArrayItem(a, 0), "id")->valueint, 2);
    CU_ASSERT_EQUAL(cJSON_GetObjectItem(cJSON_GetArrayItem(a, 1), "id")->valueint, 1);
    CU_ASSERT_EQUAL(cJSON_GetObjectItem(cJSON_GetArrayItem(a, 2), "id")->valueint, 3);
    CU_ASSERT_TRUE(sim_order_apply("name", a, err, sizeof err)); /* case-insensitive text */
    CU_ASSERT_EQUAL(cJSON_GetObjectItem(cJSON_GetArrayItem(a, 0), "id")->valueint, 2);
    CU_ASSERT_TRUE(sim_order_apply("endDate", a, err, sizeof err)); /* nulls first, stable */
    CU_ASSERT_EQUAL(cJSON_GetObjectItem(cJSON_GetArrayItem(a, 2), "id")->valueint, 2);
    CU_ASSERT_FALSE(sim_order_apply("", a, err, sizeof err));
    CU_ASSERT_FALSE(sim_order_apply("a,,b", a, err, sizeof err));
    CU_ASSERT_FALSE(sim_order_apply("a b", a, err, sizeof err));
    CU_ASSERT_FALSE(sim_order_apply("id,", a, err, sizeof err));
    CU_ASSERT_FALSE(sim_order_apply("-", a, err, sizeof err));
    CU_ASSERT_EQUAL(cJSON_GetArraySize(a), 3);
    cJSON_Delete(a);
}

static void test_faults_json(void)
{
    sim_faults f;
    char err[128];
    cJSON *o;
    sim_faults_defaults(&f);
    CU_ASSERT_EQUAL(f.token_ttl, 3599);
    CU_ASSERT_EQUAL(f.fail_status, 500);
    o = cJSON_Parse("{\"latencyMs\":5,\"failRate\":0.5,\"rateLimit\":10,\"tokenMaxRequests\":3}");
    CU_ASSERT_TRUE(sim_faults_from_json(&f, o, err, sizeof err));
    CU_ASSERT_EQUAL(f.latency_ms, 5);
    CU_ASSERT_EQUAL(f.rate_limit, 10);
    CU_ASSERT_EQUAL(f.token_max_requests, 3);
    CU_ASSERT_DOUBLE_EQUAL(f.fail_rate, 0.5, 1e-9);
    cJSON_Delete(o);
    /* bad input changes nothing */
    o = cJSON_Parse("{\"failRate\":2}");
    CU_ASSERT_FALSE(sim_faults_from_json(&f, o, err, sizeof err));
    CU_ASSERT_DOUBLE_EQUAL(f.fail_rate, 0.5, 1e-9);
    cJSON_Delete(o);
    o = cJSON_Parse("{\"latencyMs\":\"x\"}");
    CU_ASSERT_FALSE(sim_faults_from_json(&f, o, err, sizeof err));
    cJSON_Delete(o);
    o = cJSON_Parse("{\"nonsense\":1}");
    CU_ASSERT_FALSE(sim_faults_from_json(&f, o, err, sizeof err));
    cJSON_Delete(o);
    CU_ASSERT_FALSE(sim_faults_from_json(&f, NULL, err, sizeof err));
    o = cJSON_Parse("{\"tokenTtl\":0}");
    CU_ASSERT_FALSE(sim_faults_from_json(&f, o, err, sizeof err));
    cJSON_Delete(o);
}

static void test_rng_and_rate_limit(void)
{
    sim_rng a, b;
    sim_ratelimit rl = { 0, 0 };
    int retry = 0, allowed = 0;
    sim_rng_seed(&a, 42);
    sim_rng_seed(&b, 42);
    for (int i = 0; i < 100; i++)
        CU_ASSERT_EQUAL(sim_rng_next(&a), sim_rng_next(&b));
    for (int i = 0; i < 1000; i++) {
        double u = sim_rng_unit(&a);
        CU_ASSERT(u >= 0 && u < 1);
    }
    for (int i = 0; i < 10; i++)
        allowed += sim_ratelimit_take(&rl, 3, 5000, &retry);
    CU_ASSERT_EQUAL(allowed, 3);
    CU_ASSERT_EQUAL(retry, 1);
    CU_ASSERT_TRUE(sim_ratelimit_take(&rl, 3, 6000, &retry)); /* next second */
    CU_ASSERT_TRUE(sim_ratelimit_take(&rl, 0, 6000, &retry)); /* 0 = no limit */
}

int main(void)
{
    static const lk_test tests[] = {
        { "filter", test_filter },
        { "orderBy", test_order_by },
        { "faults from JSON", test_faults_json },
        { "seeded generator and rate limiter", test_rng_and_rate_limit },
        { NULL, NULL },
    };
    return lk_test_main("sim_query", tests);
}
