/*
 * test_sim_http.c: loket-sim over HTTP through the test helpers (support/sim.h): it starts,
 * issues and rotates tokens, checks Authorization and Accept, and dumps its state.
 */
#include "support/cunit_main.h"
#include "support/sim.h"

#include "common/util.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

static void test_start_token_state(void)
{
    lk_sim sim;
    char *token, *body = NULL, *state, *old_refresh;
    CU_ASSERT_EQUAL_FATAL(lk_sim_start(&sim, NULL), 0);
    CU_ASSERT(!strncmp(sim.url, "http://127.0.0.1:", 17));
    CU_ASSERT(strstr(sim.url, "/v2") != NULL);
    old_refresh = strdup(sim.refresh);
    token = lk_sim_token(&sim);
    CU_ASSERT_PTR_NOT_NULL_FATAL(token);
    CU_ASSERT_STRING_NOT_EQUAL(sim.refresh, old_refresh); /* rotated */

    CU_ASSERT_EQUAL(lk_sim_call(&sim, "GET", "/user", "2018-01-01", token, NULL, &body), 200);
    CU_ASSERT(strstr(body, "\"personalDetails\"") != NULL);
    free(body);
    CU_ASSERT_EQUAL(lk_sim_call(&sim, "GET", "/user", "2018-01-01", NULL, NULL, NULL), 401);
    CU_ASSERT_EQUAL(lk_sim_call(&sim, "GET", "/user", "2018-01-01", "sim-at-unknown", NULL, NULL), 401);
    CU_ASSERT_EQUAL(lk_sim_call(&sim, "GET", "/user", NULL, token, NULL, NULL), 400);

    /* the old refresh token no longer works once rotated */
    {
        char keep[128];
        char *again;
        snprintf(keep, sizeof keep, "%s", sim.refresh);
        snprintf(sim.refresh, sizeof sim.refresh, "%s", old_refresh);
        CU_ASSERT_PTR_NULL(lk_sim_token(&sim));
        snprintf(sim.refresh, sizeof sim.refresh, "%s", keep);
        again = lk_sim_token(&sim);
        CU_ASSERT_PTR_NOT_NULL(again);
        free(again);
    }
    state = lk_sim_state(&sim);
    CU_ASSERT_PTR_NOT_NULL_FATAL(state);
    {
        cJSON *o = cJSON_Parse(state);
        CU_ASSERT(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(o, "payrollPeriodData")));
        char *text = NULL;
        size_t len = 0;
        lk_error e;
        CU_ASSERT_EQUAL_FATAL(lk_read_file(lk_sim_fixture(), 64u << 20, &text, &len, &e), LK_OK);
        cJSON *fixture = cJSON_Parse(text);
        /* every record of the fixture, its history included, and nothing else */
        CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o, "payrollPeriodData")),
                        cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(fixture, "payrollPeriodData")));
        cJSON_Delete(fixture);
        free(text);
        cJSON_Delete(o);
    }
    CU_ASSERT(strstr(state, token) == NULL); /* no secrets in the dump */
    free(state);
    free(token);
    free(old_refresh);
    lk_sim_stop(&sim);
}

static void test_bad_fixture_fails(void)
{
    lk_sim sim;
    const char *args[] = { "--token-ttl", "0", NULL }; /* invalid: must be >= 1 */
    CU_ASSERT_NOT_EQUAL(lk_sim_start(&sim, args), 0);
}

int main(void)
{
    static const lk_test tests[] = {
        { "start, token, rotation, state", test_start_token_state },
        { "bad flag fails to start", test_bad_fixture_fails },
        { NULL, NULL },
    };
    return lk_test_main("sim_http", tests);
}
