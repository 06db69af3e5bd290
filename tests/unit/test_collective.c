/*
 * test_collective.c: what a collective PATCH answer says of each item: stored by the records
 * Loket returns, refused by a message's index or by an employment with one open item, unknown
 * otherwise (never the call's status).
 */
#include "common/util.h"
#include "engine/collective.h"
#include "support/cunit_main.h"

#include <stdlib.h>
#include <string.h>

#define E1 "11111111-1111-1111-1111-111111111111"
#define E2 "22222222-2222-2222-2222-222222222222"

static const char *body(int cost_center)
{
    static char buf[4][256];
    static int n;
    char *b = buf[n++ % 4];
    snprintf(b, 256,
             "{\"payrollPeriod\":{\"year\":2026,\"periodNumber\":11},\"shift\":{\"shiftNumber\":1},"
             "\"costCenter\":%s,\"costUnit\":null,\"payrollComponents\":[{\"payrollComponent\":"
             "{\"key\":10},\"value\":160,\"isSupplement\":false}]}",
             cost_center ? (cost_center == 1 ? "{\"key\":1}" : "{\"key\":2}") : "null");
    return b;
}

/* Three items: E1 on cost center 1, E1 on cost center 2, E2 without one. */
static void make_plan(lk_plan *p, lk_plan_item *items)
{
    memset(p, 0, sizeof *p);
    memset(items, 0, 3 * sizeof *items);
    items[0].employment_id = (char *)E1;
    items[0].body = xstrdup(body(1));
    items[1].employment_id = (char *)E1;
    items[1].body = xstrdup(body(2));
    items[2].employment_id = (char *)E2;
    items[2].body = xstrdup(body(0));
    p->items = items;
    p->nitems = 3;
}

static void free_plan(lk_plan_item *items)
{
    for (int i = 0; i < 3; i++)
        free(items[i].body);
}

static lk_envelope *answer(const char *json, long status)
{
    lk_envelope *env = NULL;
    lk_error err;
    CU_ASSERT_EQUAL_FATAL(lk_envelope_parse(json, strlen(json), "application/json", status, &env,
                                            &err),
                          LK_OK);
    return env;
}

#define STORED_E1_CC1                                                                            \
    "{\"employmentId\":\"" E1 "\",\"payrollPeriod\":{\"year\":2026,\"periodNumber\":11},"       \
    "\"shift\":{\"shiftNumber\":1},\"costCenter\":{\"key\":1,\"code\":\"PROD\"},"                 \
    "\"payrollComponents\":[{\"payrollComponent\":{\"key\":10},\"value\":160}]}"
#define STORED_E2                                                                                \
    "{\"employmentId\":\"" E2 "\",\"payrollPeriod\":{\"year\":2026,\"periodNumber\":11},"       \
    "\"shift\":{\"shiftNumber\":1},"                                                             \
    "\"payrollComponents\":[{\"payrollComponent\":{\"key\":10},\"value\":160}]}"

/* properties [] and an id with two items of that employment: only _embedded tells them apart */
static void test_embedded_and_employment_id(void)
{
    lk_plan p;
    lk_plan_item items[3];
    size_t call[3] = { 0, 1, 2 };
    lk_collective_answer a;
    make_plan(&p, items);
    lk_envelope *env = answer("{\"messages\":[{\"code\":1008,\"type\":\"BrokenBusinessRule\","
                              "\"description\":\"buiten bereik\",\"id\":\"" E1 "\","
                              "\"properties\":[]},"
                              "{\"code\":7,\"type\":\"Warning\",\"description\":\"let op\","
                              "\"id\":null,\"properties\":[]}],"
                              "\"_embedded\":[" STORED_E1_CC1 "," STORED_E2 "]}",
                              200);
    lk_collective_attribute(&p, call, 3, env, &a);
    CU_ASSERT_EQUAL(a.fate[0], LK_FATE_STORED);
    CU_ASSERT_EQUAL(a.fate[1], LK_FATE_REFUSED);
    CU_ASSERT_EQUAL(a.fate[2], LK_FATE_STORED);
    CU_ASSERT_EQUAL(a.message_item[0], 1);
    CU_ASSERT_EQUAL(a.message_item[1], -1); /* the warning names nothing */
    lk_collective_answer_clear(&a);
    lk_envelope_free(env);
    free_plan(items);
}

/* an index in properties names the item, whatever its employment */
static void test_index(void)
{
    lk_plan p;
    lk_plan_item items[3];
    size_t call[3] = { 0, 1, 2 };
    lk_collective_answer a;
    make_plan(&p, items);
    lk_envelope *env = answer("{\"messages\":[{\"code\":1008,\"type\":\"BrokenBusinessRule\","
                              "\"description\":\"x\",\"id\":\"" E1 "\","
                              "\"properties\":[\"[0].payrollComponents[0].value\"]}],"
                              "\"_embedded\":[]}",
                              200);
    lk_collective_attribute(&p, call, 3, env, &a);
    CU_ASSERT_EQUAL(a.fate[0], LK_FATE_REFUSED);
    CU_ASSERT_EQUAL(a.fate[1], LK_FATE_UNKNOWN); /* not returned, not named: read back */
    CU_ASSERT_EQUAL(a.fate[2], LK_FATE_UNKNOWN);
    CU_ASSERT_EQUAL(a.message_item[0], 0);
    lk_collective_answer_clear(&a);
    lk_envelope_free(env);
    free_plan(items);
}

/* a 400 whose messages name the employment of two items, and a 200 without a body: unknown */
static void test_nothing_named(void)
{
    lk_plan p;
    lk_plan_item items[3];
    size_t call[2] = { 0, 1 };
    lk_collective_answer a;
    make_plan(&p, items);
    lk_envelope *env = answer("{\"messages\":[{\"code\":1008,\"type\":\"BrokenBusinessRule\","
                              "\"description\":\"x\",\"id\":\"" E1 "\",\"properties\":[]},"
                              "{\"code\":1008,\"type\":\"BrokenBusinessRule\","
                              "\"description\":\"y\",\"id\":\"" E1 "\",\"properties\":[]}],"
                              "\"content\":{}}",
                              400);
    lk_collective_attribute(&p, call, 2, env, &a);
    CU_ASSERT_EQUAL(a.fate[0], LK_FATE_UNKNOWN);
    CU_ASSERT_EQUAL(a.fate[1], LK_FATE_UNKNOWN);
    CU_ASSERT_EQUAL(a.message_item[0], -1);
    CU_ASSERT_EQUAL(a.message_item[1], -1);
    lk_collective_answer_clear(&a);
    lk_envelope_free(env);
    lk_collective_attribute(&p, call, 2, NULL, &a);
    CU_ASSERT_EQUAL(a.fate[0], LK_FATE_UNKNOWN);
    CU_ASSERT_EQUAL(a.nmessages, 0);
    lk_collective_answer_clear(&a);
    free_plan(items);
}

/* a returned record of another period or cost center is not the item's */
static void test_embedded_must_match(void)
{
    lk_plan p;
    lk_plan_item items[3];
    size_t call[1] = { 1 };
    lk_collective_answer a;
    make_plan(&p, items);
    lk_envelope *env = answer("{\"_embedded\":[" STORED_E1_CC1 "]}", 200);
    lk_collective_attribute(&p, call, 1, env, &a);
    CU_ASSERT_EQUAL(a.fate[0], LK_FATE_UNKNOWN); /* item 1 is cost center 2 */
    lk_collective_answer_clear(&a);
    lk_envelope_free(env);
    free_plan(items);
}

int main(void)
{
    static const lk_test tests[] = {
        { "returned records and an employment id", test_embedded_and_employment_id },
        { "an index in properties", test_index },
        { "nothing named: unknown", test_nothing_named },
        { "a returned record must be the item's", test_embedded_must_match },
        { NULL, NULL },
    };
    return lk_test_main("collective", tests);
}
