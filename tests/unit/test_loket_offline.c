/*
 * test_loket_offline.c: the Loket client's parts that need no server: the envelope parser with
 * odd answers, metadata and defaults shapes, records, configuration, URL policy, redaction,
 * Retry-After, and the token store's file mode rules.
 */
#include "common/util.h"
#include "loket/api.h"
#include "loket/config.h"
#include "loket/envelope.h"
#include "loket/http.h"
#include "loket/tokens.h"
#include "loket/trace.h"
#include "mapping/entry.h" /* must coexist with api.h in the engine */
#include "support/cunit_main.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static lk_envelope *parse_ok(const char *body, const char *ct, long status)
{
    lk_envelope *env = NULL;
    lk_error err;
    lk_error_clear(&err);
    CU_ASSERT_EQUAL_FATAL(lk_envelope_parse(body, strlen(body), ct, status, &env, &err), LK_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(env);
    return env;
}

static lk_code parse_code(const char *body, long status, char *msg, size_t size)
{
    lk_envelope *env = NULL;
    lk_error err;
    lk_code rc;
    lk_error_clear(&err);
    rc = lk_envelope_parse(body, strlen(body), "application/json", status, &env, &err);
    if (msg)
        snprintf(msg, size, "%s", err.message);
    lk_envelope_free(env);
    return rc;
}

static void test_envelope_list(void)
{
    const char *body =
        "{\"version\":{\"resourceVersion\":\"2018-01-01\",\"obsoleteDate\":null},"
        "\"messages\":[],\"_embedded\":[{\"id\":\"a\"},{\"id\":\"b\"}],"
        "\"totalSize\":5,\"pageSize\":2,\"totalPages\":3,\"currentPage\":1}";
    lk_envelope *env = parse_ok(body, "application/json;version=2018-01-01", 200);
    CU_ASSERT_STRING_EQUAL(env->resource_version, "2018-01-01");
    CU_ASSERT_PTR_NULL(env->obsolete_date);
    CU_ASSERT_EQUAL(env->nmessages, 0);
    CU_ASSERT_TRUE(env->has_paging);
    CU_ASSERT_EQUAL(env->total_size, 5);
    CU_ASSERT_EQUAL(env->total_pages, 3);
    CU_ASSERT_EQUAL(env->current_page, 1);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(env->embedded), 2);
    CU_ASSERT_PTR_NULL(env->content);
    lk_envelope_free(env);
}

static void test_envelope_messages(void)
{
    char buf[300];
    const char *body =
        "{\"messages\":["
        "{\"code\":83,\"type\":\"BrokenBusinessRule\",\"description\":\"Periode is gesloten\","
        "\"id\":null,\"properties\":[\"payrollPeriod\",7]},"
        "{\"code\":12,\"type\":\"Warning\",\"description\":\"w\",\"id\":\"e-1\"},"
        "{\"type\":\"Exception\",\"description\":\"x\"},"
        "{\"code\":1,\"type\":\"ConcurrencyViolation\"},"
        "{\"code\":2,\"type\":\"NotFound\",\"description\":\"nf\"},"
        "{\"code\":\"3\",\"type\":\"SomethingNew\",\"description\":5},"
        "17, null],"
        "\"content\":{\"a\":1}}";
    lk_envelope *env = parse_ok(body, "application/json", 400);
    CU_ASSERT_EQUAL_FATAL(env->nmessages, 6);
    CU_ASSERT_EQUAL(env->messages[0].type, LK_MSG_BROKEN_BUSINESS_RULE);
    CU_ASSERT_EQUAL(env->messages[0].code, 83);
    CU_ASSERT_TRUE(env->messages[0].has_code);
    CU_ASSERT_PTR_NULL(env->messages[0].id);
    CU_ASSERT_EQUAL_FATAL(env->messages[0].nproperties, 2);
    CU_ASSERT_STRING_EQUAL(env->messages[0].properties[0], "payrollPeriod");
    CU_ASSERT_STRING_EQUAL(env->messages[0].properties[1], "7");
    CU_ASSERT_EQUAL(env->messages[1].type, LK_MSG_WARNING);
    CU_ASSERT_STRING_EQUAL(env->messages[1].id, "e-1");
    CU_ASSERT_EQUAL(env->messages[2].type, LK_MSG_EXCEPTION);
    CU_ASSERT_FALSE(env->messages[2].has_code);
    CU_ASSERT_EQUAL(env->messages[3].type, LK_MSG_CONCURRENCY_VIOLATION);
    CU_ASSERT_STRING_EQUAL(env->messages[3].description, "");
    CU_ASSERT_EQUAL(env->messages[4].type, LK_MSG_NOT_FOUND);
    /* an unknown type and wrongly typed fields: kept, not crashed on */
    CU_ASSERT_EQUAL(env->messages[5].type, LK_MSG_OTHER);
    CU_ASSERT_STRING_EQUAL(env->messages[5].type_text, "SomethingNew");
    CU_ASSERT_FALSE(env->messages[5].has_code);
    CU_ASSERT_EQUAL(lk_envelope_count(env, LK_MSG_WARNING), 1);
    lk_envelope_summary(env, buf, sizeof buf);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "BrokenBusinessRule 83: Periode is gesloten"));
    CU_ASSERT_PTR_NOT_NULL(env->content);
    /* copies survive the envelope */
    {
        lk_message *copy;
        size_t n;
        lk_messages_copy(env, &copy, &n);
        lk_envelope_free(env);
        CU_ASSERT_EQUAL(n, 6);
        CU_ASSERT_STRING_EQUAL(copy[0].description, "Periode is gesloten");
        lk_messages_free(copy, n);
    }
}

static void test_envelope_text_plain(void)
{
    lk_envelope *env = parse_ok("  The Accept header is missing a version\r\n", "text/plain", 400);
    CU_ASSERT_EQUAL_FATAL(env->nmessages, 1);
    CU_ASSERT_EQUAL(env->messages[0].type, LK_MSG_EXCEPTION);
    CU_ASSERT_STRING_EQUAL(env->messages[0].description, "The Accept header is missing a version");
    lk_envelope_free(env);
    /* an HTML error page with a JSON content type on a 502: becomes text, not a crash */
    env = parse_ok("<html>Bad gateway</html>", "application/json", 502);
    CU_ASSERT_EQUAL(env->nmessages, 1);
    lk_envelope_free(env);
    /* empty bodies are fine */
    env = parse_ok("", NULL, 404);
    CU_ASSERT_EQUAL(env->nmessages, 0);
    lk_envelope_free(env);
}

static void test_envelope_odd(void)
{
    char msg[LK_ERROR_MSG_MAX];
    CU_ASSERT_EQUAL(parse_code("{\"_embedded\":[{\"id\":1}", 200, msg, sizeof msg),
                    LK_ERR_PROTOCOL);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "not valid JSON"));
    CU_ASSERT_EQUAL(parse_code("<html>", 200, NULL, 0), LK_ERR_PROTOCOL);
    CU_ASSERT_EQUAL(parse_code("{\"messages\":{}}", 200, NULL, 0), LK_ERR_PROTOCOL);
    CU_ASSERT_EQUAL(parse_code("{\"_embedded\":{}}", 200, NULL, 0), LK_ERR_PROTOCOL);
    CU_ASSERT_EQUAL(parse_code("42", 200, NULL, 0), LK_ERR_PROTOCOL);
    CU_ASSERT_EQUAL(parse_code("{} trailing", 200, msg, sizeof msg), LK_ERR_PROTOCOL);
    CU_ASSERT_EQUAL(parse_code("{\"totalSize\":-1,\"pageSize\":1,\"totalPages\":1,"
                               "\"currentPage\":1,\"_embedded\":[]}",
                               200, NULL, 0),
                    LK_ERR_PROTOCOL);
    /* wrong types in paging: simply not paging */
    {
        lk_envelope *env = parse_ok("{\"_embedded\":[],\"totalPages\":\"3\"}", NULL, 200);
        CU_ASSERT_FALSE(env->has_paging);
        lk_envelope_free(env);
    }
    /* a body with a NUL byte inside */
    {
        lk_envelope *env = NULL;
        lk_error err;
        lk_error_clear(&err);
        CU_ASSERT_EQUAL(lk_envelope_parse("{\"a\":\0}", 7, NULL, 200, &env, &err),
                        LK_ERR_PROTOCOL);
        CU_ASSERT_PTR_NULL(env);
    }
}

static void test_metadata_shapes(void)
{
    const char *shapes[] = {
        /* object of lists inside content */
        "{\"content\":{\"costCenter\":[{\"key\":1,\"code\":\"PROD\",\"description\":\"Productie\"},"
        "{\"key\":2,\"code\":\"VERK\",\"description\":\"Verkoop\"}],"
        "\"payslipType\":[{\"key\":1,\"value\":\"Normaal\"}],"
        "\"shift\":[{\"shiftNumber\":3,\"bonusPercentage\":12}]}}",
        /* the portal's list of {field, options} */
        "[{\"field\":\"costCenter\",\"options\":[{\"key\":1,\"code\":\"PROD\",\"description\":"
        "\"Productie\"},{\"key\":2,\"code\":\"VERK\"}]},{\"field\":\"payslipType\",\"options\":"
        "[{\"key\":1,\"value\":\"Normaal\"}]},{\"field\":\"shift\",\"options\":[{\"key\":3}]}]",
        /* a list envelope of {field, options} (loket-sim's reading of the portal) */
        "{\"_embedded\":[{\"field\":\"costCenter\",\"options\":[{\"key\":1,\"value\":"
        "\"Productie\",\"code\":\"PROD\"},{\"key\":2,\"code\":\"VERK\"}]},{\"field\":"
        "\"payslipType\",\"options\":[{\"key\":1,\"value\":\"Normaal\"}]},{\"field\":"
        "\"shift\",\"options\":[{\"key\":3}]}],\"totalSize\":3,\"pageSize\":250,"
        "\"totalPages\":1,\"currentPage\":1}",
        /* fields as objects with options */
        "{\"content\":{\"costCenter\":{\"options\":[{\"key\":1,\"code\":\"PROD\"},{\"key\":2,"
        "\"code\":\"VERK\"}]},\"payslipType\":{\"options\":[{\"key\":1,\"value\":\"Normaal\"}]},"
        "\"shift\":{\"options\":[{\"key\":3}]}}}",
    };
    for (size_t i = 0; i < LK_ARRAY_SIZE(shapes); i++) {
        lk_envelope *env = parse_ok(shapes[i], NULL, 200);
        lk_metadata *md = NULL;
        lk_error err;
        const lk_meta_ref *r;
        lk_error_clear(&err);
        CU_ASSERT_EQUAL_FATAL(lk_metadata_parse(env, &md, &err), LK_OK);
        CU_ASSERT_PTR_NOT_NULL_FATAL(lk_metadata_field_get(md, "costCenter"));
        CU_ASSERT_EQUAL(lk_metadata_field_get(md, "costCenter")->n, 2);
        r = lk_metadata_option(md, "costCenter", "verk");
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        CU_ASSERT_EQUAL(r->key, 2);
        r = lk_metadata_option(md, "costCenter", "1");
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        CU_ASSERT_STRING_EQUAL(r->code, "PROD");
        r = lk_metadata_option(md, "payslipType", "1");
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        CU_ASSERT_STRING_EQUAL(r->description, "Normaal");
        r = lk_metadata_option(md, "shift", "3");
        CU_ASSERT_PTR_NOT_NULL(r);
        CU_ASSERT_PTR_NULL(lk_metadata_option(md, "costCenter", "NOPE"));
        CU_ASSERT_PTR_NULL(lk_metadata_option(md, "costUnit", "1"));
        lk_metadata_free(md);
        lk_envelope_free(env);
    }
    /* nothing usable: a protocol error, not an empty success */
    {
        lk_envelope *env = parse_ok("{\"content\":{\"costCenter\":5}}", NULL, 200);
        lk_metadata *md = NULL;
        lk_error err;
        lk_error_clear(&err);
        CU_ASSERT_EQUAL(lk_metadata_parse(env, &md, &err), LK_ERR_PROTOCOL);
        CU_ASSERT_PTR_NULL(md);
        lk_envelope_free(env);
    }
}

static void test_record_parse(void)
{
    const char *defaults =
        "{\"payrollPeriod\":null,\"shift\":{\"shiftNumber\":1},\"payslipType\":{\"key\":2},"
        "\"payslipText\":null,\"distributionUnit\":{\"key\":"
        "\"b14acd0d-75d7-4fc8-8b22-4a3924585cab\"},\"costCenter\":{\"key\":2},\"costUnit\":null,"
        "\"payrollComponents\":[]}";
    const char *listed =
        "{\"employee\":{\"employeeNumber\":1001,\"formattedName\":\"Jong, I\"},"
        "\"employment\":{\"id\":\"e1\",\"payrollId\":2,\"incomeRelationshipNumber\":1},"
        "\"payrollPeriod\":{\"year\":2026,\"periodNumber\":11},\"payslipType\":{\"key\":1},"
        "\"payrollComponents\":[{\"payrollComponent\":{\"key\":10,\"description\":\"Uren\"},"
        "\"value\":151.5,\"isSupplement\":false},{\"payrollComponent\":{\"key\":30},"
        "\"value\":null}]}";
    cJSON *j = cJSON_Parse(defaults);
    lk_period_data_record r;
    lk_error err;
    char buf[32];
    lk_error_clear(&err);
    CU_ASSERT_EQUAL_FATAL(lk_period_data_record_parse(j, &r, &err), LK_OK);
    CU_ASSERT_TRUE(r.shift.present && r.shift.key_is_int && r.shift.key == 1);
    CU_ASSERT_EQUAL(r.payslip_type.key, 2);
    CU_ASSERT_TRUE(r.distribution_unit.present);
    CU_ASSERT_FALSE(r.distribution_unit.key_is_int);
    CU_ASSERT_STRING_EQUAL(r.distribution_unit.key_text, "b14acd0d-75d7-4fc8-8b22-4a3924585cab");
    CU_ASSERT_FALSE(r.cost_unit.present);
    CU_ASSERT_EQUAL(r.ncomponents, 0);
    CU_ASSERT_EQUAL(r.year, 0);
    lk_period_data_record_clear(&r);
    cJSON_Delete(j);

    j = cJSON_Parse(listed);
    CU_ASSERT_EQUAL_FATAL(lk_period_data_record_parse(j, &r, &err), LK_OK);
    CU_ASSERT_STRING_EQUAL(r.employment_id, "e1");
    CU_ASSERT_EQUAL(r.employee_number, 1001);
    CU_ASSERT_EQUAL(r.payroll_id, 2);
    CU_ASSERT_EQUAL(r.year, 2026);
    CU_ASSERT_EQUAL(r.period_number, 11);
    CU_ASSERT_EQUAL_FATAL(r.ncomponents, 2);
    CU_ASSERT_EQUAL(r.components[0].key, 10);
    CU_ASSERT_TRUE(r.components[0].has_value);
    CU_ASSERT_STRING_EQUAL(lk_decimal_format(r.components[0].value, buf), "151.5");
    CU_ASSERT_TRUE(r.components[0].has_supplement);
    CU_ASSERT_FALSE(r.components[0].is_supplement);
    CU_ASSERT_FALSE(r.components[1].has_value);
    lk_period_data_record_clear(&r);
    cJSON_Delete(j);

    /* a value that is not a number, and one far out of range: errors, not guesses */
    j = cJSON_Parse("{\"payrollComponents\":[{\"payrollComponent\":{\"key\":10},\"value\":\"8\"}]}");
    CU_ASSERT_EQUAL(lk_period_data_record_parse(j, &r, &err), LK_ERR_PROTOCOL);
    cJSON_Delete(j);
    j = cJSON_Parse("{\"payrollComponents\":[{\"payrollComponent\":{\"key\":10},\"value\":1e300}]}");
    CU_ASSERT_EQUAL(lk_period_data_record_parse(j, &r, &err), LK_ERR_PROTOCOL);
    cJSON_Delete(j);
    j = cJSON_Parse("{\"payrollComponents\":[{\"value\":1}]}");
    CU_ASSERT_EQUAL(lk_period_data_record_parse(j, &r, &err), LK_ERR_PROTOCOL);
    cJSON_Delete(j);
    j = cJSON_Parse("{\"payrollComponents\":7}");
    CU_ASSERT_EQUAL(lk_period_data_record_parse(j, &r, &err), LK_ERR_PROTOCOL);
    cJSON_Delete(j);
    j = cJSON_Parse("[1]");
    CU_ASSERT_EQUAL(lk_period_data_record_parse(j, &r, &err), LK_ERR_PROTOCOL);
    cJSON_Delete(j);
}

static void test_body_builder(void)
{
    const char *defaults =
        "{\"content\":{\"payrollPeriod\":null,\"shift\":{\"shiftNumber\":1},\"payslipType\":"
        "{\"key\":1},\"payslipText\":null,\"distributionUnit\":{\"key\":"
        "\"b14acd0d-75d7-4fc8-8b22-4a3924585cab\"},\"costCenter\":{\"key\":2},\"costUnit\":null,"
        "\"payrollComponents\":[]}}";
    lk_envelope *env = parse_ok(defaults, NULL, 200);
    lk_period_data_record r;
    lk_error err;
    char *body;
    cJSON *j, *comps;
    lk_decimal a, b;
    lk_error_clear(&err);
    CU_ASSERT_EQUAL_FATAL(lk_period_data_record_parse(env->content, &r, &err), LK_OK);
    r.year = 2026;
    r.period_number = 11;
    r.employment_id = strdup("e-1");
    r.components = calloc(3, sizeof *r.components);
    r.ncomponents = 3;
    lk_decimal_from_double(0.1, &a);
    lk_decimal_from_double(0.2, &b);
    r.components[0].key = 10;
    r.components[0].has_value = lk_decimal_add(a, b, &r.components[0].value);
    r.components[1].key = 21;
    r.components[1].has_value = true;
    r.components[1].value = 12500000;
    r.components[1].has_supplement = true;
    r.components[1].is_supplement = true;
    r.components[2].key = 30;   /* explicit delete: null */
    body = lk_period_data_body(&r, true);
    CU_ASSERT_PTR_NOT_NULL(strstr(body, "\"value\":0.3}"));
    CU_ASSERT_PTR_NULL(strstr(body, "0.30000"));
    j = cJSON_Parse(body);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItem(j, "employmentId")), "e-1");
    CU_ASSERT_EQUAL(cJSON_GetNumberValue(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "payrollPeriod"),
                                                             "periodNumber")), 11);
    CU_ASSERT_EQUAL(cJSON_GetNumberValue(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "shift"),
                                                             "shiftNumber")), 1);
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItem(
                               cJSON_GetObjectItem(j, "distributionUnit"), "key")),
                           "b14acd0d-75d7-4fc8-8b22-4a3924585cab");
    CU_ASSERT_EQUAL(cJSON_GetNumberValue(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "costCenter"),
                                                             "key")), 2);
    CU_ASSERT_TRUE(cJSON_IsNull(cJSON_GetObjectItem(j, "costUnit")));
    CU_ASSERT_PTR_NOT_NULL(cJSON_GetObjectItem(j, "shift"));
    CU_ASSERT_PTR_NULL(cJSON_GetObjectItem(j, "payslipText"));
    comps = cJSON_GetObjectItem(j, "payrollComponents");
    CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(comps), 3);
    CU_ASSERT_PTR_NULL(cJSON_GetObjectItem(cJSON_GetArrayItem(comps, 0), "isSupplement"));
    CU_ASSERT_TRUE(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(comps, 1), "isSupplement")));
    CU_ASSERT_EQUAL(cJSON_GetNumberValue(cJSON_GetObjectItem(cJSON_GetArrayItem(comps, 1), "value")),
                    12.5);
    CU_ASSERT_TRUE(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(comps, 2), "value")));
    cJSON_Delete(j);
    free(body);
    /* an absent distribution unit is left out (not nullable), an absent cost center is null */
    lk_meta_ref_free(&r.distribution_unit);
    lk_meta_ref_free(&r.cost_center);
    body = lk_period_data_body(&r, true);
    CU_ASSERT_PTR_NULL(strstr(body, "distributionUnit"));
    CU_ASSERT_PTR_NOT_NULL(strstr(body, "\"costCenter\":null"));
    free(body);
    /* without the employment id for the per-employment PATCH; a round trip parses back */
    body = lk_period_data_body(&r, false);
    CU_ASSERT_PTR_NULL(strstr(body, "employmentId"));
    {
        lk_period_data_record back;
        cJSON *jb = cJSON_Parse(body);
        CU_ASSERT_EQUAL_FATAL(lk_period_data_record_parse(jb, &back, &err), LK_OK);
        CU_ASSERT_EQUAL(back.ncomponents, 3);
        CU_ASSERT_EQUAL(back.components[0].value, 300000);
        CU_ASSERT_EQUAL(back.year, 2026);
        lk_period_data_record_clear(&back);
        cJSON_Delete(jb);
    }
    free(body);
    lk_period_data_record_clear(&r);
    lk_envelope_free(env);
}

/* ---------------------------------------------------------------- configuration */

static void test_config_parse(void)
{
    lk_config *cfg = lk_config_new_defaults();
    lk_error err;
    lk_error_clear(&err);
    CU_ASSERT_STRING_EQUAL(cfg->environment, "acceptance");
    CU_ASSERT_STRING_EQUAL(cfg->api_url, "https://api.loket-acc.nl/v2");
    CU_ASSERT_STRING_EQUAL(cfg->versions[LK_RES_EMPLOYMENTS], "2019-12-16");
    CU_ASSERT_STRING_EQUAL(cfg->versions[LK_RES_PERIOD_DATA], "2018-01-01");
    CU_ASSERT_EQUAL(cfg->concurrency, 8);
    CU_ASSERT_EQUAL(lk_config_parse("{\"environment\":\"production\",\"clientId\":\"x\","
                                    "\"concurrency\":16,\"retry\":{\"maxAttempts\":3},"
                                    "\"timeouts\":{\"connectSeconds\":2},"
                                    "\"versions\":{\"payrollPeriodData\":\"2020-01-01\"}}",
                                    "t.json", cfg, &err),
                    LK_OK);
    CU_ASSERT_STRING_EQUAL(cfg->token_url, "https://oauth.loket.nl/token");
    CU_ASSERT_EQUAL(cfg->concurrency, 16);
    CU_ASSERT_EQUAL(cfg->max_attempts, 3);
    CU_ASSERT_EQUAL(cfg->connect_timeout_ms, 2000);
    CU_ASSERT_STRING_EQUAL(cfg->versions[LK_RES_PERIOD_DATA], "2020-01-01");
    CU_ASSERT_EQUAL(lk_config_validate(cfg, &err), LK_OK);
    /* bad input names the file and the key */
    CU_ASSERT_EQUAL(lk_config_parse("{\"concurency\":4}", "t.json", cfg, &err), LK_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "t.json"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "concurency"));
    CU_ASSERT_EQUAL(lk_config_parse("{\"concurrency\":0}", "t.json", cfg, &err), LK_ERR_CONFIG);
    CU_ASSERT_EQUAL(lk_config_parse("{\"concurrency\":2.5}", "t.json", cfg, &err), LK_ERR_CONFIG);
    CU_ASSERT_EQUAL(lk_config_parse("{\"environment\":\"test\"}", "t.json", cfg, &err),
                    LK_ERR_CONFIG);
    CU_ASSERT_EQUAL(lk_config_parse("{\"environment\":\"custom\",\"apiUrl\":\"https://x\"}",
                                    "t.json", cfg, &err),
                    LK_ERR_CONFIG);
    CU_ASSERT_EQUAL(lk_config_parse("{\"versions\":{\"employments\":\"yesterday\"}}", "t.json",
                                    cfg, &err),
                    LK_ERR_CONFIG);
    CU_ASSERT_EQUAL(lk_config_parse("[1]", "t.json", cfg, &err), LK_ERR_CONFIG);
    CU_ASSERT_EQUAL(lk_config_parse("{\"clientId\":5}", "t.json", cfg, &err), LK_ERR_CONFIG);
    lk_config_free(cfg);
}

static void test_config_load(void)
{
    char *dir = lk_test_tmpdir();
    char path[512], store[512];
    lk_config_overrides ov;
    lk_config *cfg = NULL;
    lk_error err;
    FILE *f;
    lk_error_clear(&err);
    snprintf(path, sizeof path, "%s/config.json", dir);
    snprintf(store, sizeof store, "%s/state/tokens.json", dir);
    f = fopen(path, "w");
    fprintf(f, "{\"environment\":\"custom\",\"apiUrl\":\"http://127.0.0.1:9/v2/\","
               "\"tokenUrl\":\"http://127.0.0.1:9/token\",\"clientId\":\"c\","
               "\"clientSecret\":\"from-file-secret\",\"tokenStore\":\"%s\"}",
            store);
    fclose(f);
    chmod(path, 0600);
    memset(&ov, 0, sizeof ov);
    ov.config_path = path;
    ov.concurrency = 3;
    setenv("LOKET_CLIENT_SECRET", "from-env-secret", 1);
    CU_ASSERT_EQUAL_FATAL(lk_config_load(&ov, &cfg, &err), LK_OK);
    CU_ASSERT_STRING_EQUAL(cfg->api_url, "http://127.0.0.1:9/v2");
    CU_ASSERT_STRING_EQUAL(cfg->client_secret, "from-env-secret");
    CU_ASSERT_EQUAL(cfg->concurrency, 3);
    CU_ASSERT_STRING_EQUAL(cfg->token_store, store);
    lk_config_free(cfg);
    unsetenv("LOKET_CLIENT_SECRET");

    /* a configuration others can change could send the token elsewhere (apiUrl): refused */
    chmod(path, 0666);
    cfg = NULL;
    CU_ASSERT_EQUAL(lk_config_load(&ov, &cfg, &err), LK_ERR_CONFIG);
    CU_ASSERT_PTR_NULL(cfg);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "can be written by other users (mode 0666)"));
    chmod(path, 0620);
    CU_ASSERT_EQUAL(lk_config_load(&ov, &cfg, &err), LK_ERR_CONFIG);
    if (geteuid() == 0) {
        chmod(path, 0600);
        CU_ASSERT_EQUAL(chown(path, 65534, 65534), 0);
        CU_ASSERT_EQUAL(lk_config_load(&ov, &cfg, &err), LK_ERR_CONFIG);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "belongs to another user"));
        CU_ASSERT_EQUAL(chown(path, 0, 0), 0);
    }
    chmod(path, 0600);

    /* plain http to a host that is not loopback: refused with a clear message */
    ov.api_url = "http://loket.example.com/v2";
    CU_ASSERT_EQUAL(lk_config_load(&ov, &cfg, &err), LK_ERR_CONFIG);
    CU_ASSERT_PTR_NULL(cfg);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "plain http"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "loket.example.com"));
    /* a --config that does not exist */
    ov.api_url = NULL;
    snprintf(path, sizeof path, "%s/missing.json", dir);
    CU_ASSERT_EQUAL(lk_config_load(&ov, &cfg, &err), LK_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "missing.json"));
    lk_test_rmtree(dir);
    free(dir);
}

static void test_config_paths(void)
{
    char *old_cfg = getenv("XDG_CONFIG_HOME") ? strdup(getenv("XDG_CONFIG_HOME")) : NULL;
    char *old_state = getenv("XDG_STATE_HOME") ? strdup(getenv("XDG_STATE_HOME")) : NULL;
    char *old_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
    char *p;
    setenv("XDG_CONFIG_HOME", "/x/cfg", 1);
    setenv("XDG_STATE_HOME", "/x/state", 1);
    p = lk_config_default_path();
    CU_ASSERT_STRING_EQUAL(p, "/x/cfg/loket-import/config.json");
    free(p);
    p = lk_config_default_token_store();
    CU_ASSERT_STRING_EQUAL(p, "/x/state/loket-import/tokens.json");
    free(p);
    /* unset or relative XDG variables fall back to the home folder (XDG spec) */
    unsetenv("XDG_CONFIG_HOME");
    setenv("XDG_STATE_HOME", "relative", 1);
    setenv("HOME", "/home/op", 1);
    p = lk_config_default_path();
    CU_ASSERT_STRING_EQUAL(p, "/home/op/.config/loket-import/config.json");
    free(p);
    p = lk_config_default_token_store();
    CU_ASSERT_STRING_EQUAL(p, "/home/op/.local/state/loket-import/tokens.json");
    free(p);
    if (old_cfg) setenv("XDG_CONFIG_HOME", old_cfg, 1); else unsetenv("XDG_CONFIG_HOME");
    if (old_state) setenv("XDG_STATE_HOME", old_state, 1); else unsetenv("XDG_STATE_HOME");
    if (old_home) setenv("HOME", old_home, 1); else unsetenv("HOME");
    free(old_cfg);
    free(old_state);
    free(old_home);
}

static void test_config_systemd_paths(void)
{
    char *p;
    unsetenv("CONFIGURATION_DIRECTORY");
    unsetenv("STATE_DIRECTORY");
    setenv("XDG_CONFIG_HOME", "/x/cfg", 1);
    setenv("XDG_STATE_HOME", "/x/state", 1);
    /* systemd's ConfigurationDirectory= / StateDirectory= win over XDG; the first of a list */
    setenv("CONFIGURATION_DIRECTORY", "/etc/loket-import:/etc/other", 1);
    setenv("STATE_DIRECTORY", "/var/lib/loket-import", 1);
    p = lk_config_default_path();
    CU_ASSERT_STRING_EQUAL(p, "/etc/loket-import/config.json");
    free(p);
    p = lk_config_default_token_store();
    CU_ASSERT_STRING_EQUAL(p, "/var/lib/loket-import/tokens.json");
    free(p);
    p = lk_config_state_dir();
    CU_ASSERT_STRING_EQUAL(p, "/var/lib/loket-import");
    free(p);
    /* a relative value is not systemd's: ignored */
    setenv("STATE_DIRECTORY", "state", 1);
    p = lk_config_default_token_store();
    CU_ASSERT_STRING_EQUAL(p, "/x/state/loket-import/tokens.json");
    free(p);
    p = lk_config_state_dir();
    CU_ASSERT_STRING_EQUAL(p, "/x/state/loket-import");
    free(p);
    unsetenv("CONFIGURATION_DIRECTORY");
    unsetenv("STATE_DIRECTORY");
    unsetenv("XDG_CONFIG_HOME");
    unsetenv("XDG_STATE_HOME");
}

static void write_text(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    fclose(f);
    chmod(path, mode);
}

static void test_config_secret_sources(void)
{
    char *dir = lk_test_tmpdir();
    char path[512], sfile[512], creds[512], cred[600], efile[512], text[1200];
    lk_config_overrides ov;
    lk_config *cfg = NULL;
    lk_error err;
    lk_error_clear(&err);
    unsetenv("LOKET_CLIENT_SECRET");
    unsetenv("LOKET_CLIENT_SECRET_FILE");
    unsetenv("CREDENTIALS_DIRECTORY");
    snprintf(path, sizeof path, "%s/config.json", dir);
    snprintf(sfile, sizeof sfile, "%s/secret", dir);
    snprintf(efile, sizeof efile, "%s/env-secret", dir);
    snprintf(creds, sizeof creds, "%s/creds", dir);
    snprintf(cred, sizeof cred, "%s/loket-client-secret", creds);
    mkdir(creds, 0700);
    snprintf(text, sizeof text,
             "{\"environment\":\"custom\",\"apiUrl\":\"http://127.0.0.1:9/v2\","
             "\"tokenUrl\":\"http://127.0.0.1:9/token\",\"clientId\":\"c\","
             "\"clientSecretFile\":\"%s\",\"tokenStore\":\"%s/t.json\"}",
             sfile, dir);
    write_text(path, text, 0600);
    write_text(sfile, "from-secret-file\n", 0600);
    write_text(efile, "  from-env-file \r\n", 0600);
    write_text(cred, "from-credential", 0400);
    memset(&ov, 0, sizeof ov);
    ov.config_path = path;

    /* clientSecretFile: one line, the newline dropped; where it came from is kept */
    CU_ASSERT_EQUAL_FATAL(lk_config_load(&ov, &cfg, &err), LK_OK);
    CU_ASSERT_STRING_EQUAL(cfg->client_secret, "from-secret-file");
    CU_ASSERT_STRING_EQUAL(cfg->client_secret_file, sfile);
    lk_config_free(cfg);
    /* the systemd credential (LoadCredential=loket-client-secret:...) comes next */
    setenv("CREDENTIALS_DIRECTORY", creds, 1);
    CU_ASSERT_EQUAL_FATAL(lk_config_load(&ov, &cfg, &err), LK_OK);
    CU_ASSERT_STRING_EQUAL(cfg->client_secret, "from-credential");
    lk_config_free(cfg);
    /* then LOKET_CLIENT_SECRET_FILE, then LOKET_CLIENT_SECRET */
    setenv("LOKET_CLIENT_SECRET_FILE", efile, 1);
    CU_ASSERT_EQUAL_FATAL(lk_config_load(&ov, &cfg, &err), LK_OK);
    CU_ASSERT_STRING_EQUAL(cfg->client_secret, "from-env-file");
    lk_config_free(cfg);
    setenv("LOKET_CLIENT_SECRET", "from-env", 1);
    CU_ASSERT_EQUAL_FATAL(lk_config_load(&ov, &cfg, &err), LK_OK);
    CU_ASSERT_STRING_EQUAL(cfg->client_secret, "from-env");
    lk_config_free(cfg);
    unsetenv("LOKET_CLIENT_SECRET");
    unsetenv("CREDENTIALS_DIRECTORY");

    /* a secret file that is missing, empty or holds two lines: config errors naming it */
    setenv("LOKET_CLIENT_SECRET_FILE", "/nonexistent-lk/secret", 1);
    CU_ASSERT_EQUAL(lk_config_load(&ov, &cfg, &err), LK_ERR_CONFIG);
    CU_ASSERT_PTR_NULL(cfg);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "LOKET_CLIENT_SECRET_FILE"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "/nonexistent-lk/secret"));
    unsetenv("LOKET_CLIENT_SECRET_FILE");
    write_text(sfile, "\n", 0600);
    CU_ASSERT_EQUAL(lk_config_load(&ov, &cfg, &err), LK_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "empty"));
    write_text(sfile, "line-one\nline-two\n", 0600);
    CU_ASSERT_EQUAL(lk_config_load(&ov, &cfg, &err), LK_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "one line"));
    CU_ASSERT_PTR_NULL(strstr(err.message, "line-one"));
    /* a relative clientSecretFile: refused (the service's working folder is not the config's) */
    write_text(path, "{\"clientSecretFile\":\"secret\"}", 0600);
    CU_ASSERT_EQUAL(lk_config_load(&ov, &cfg, &err), LK_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "absolute"));
    lk_test_rmtree(dir);
    free(dir);
}

static void test_url_policy(void)
{
    lk_error err;
    lk_error_clear(&err);
    CU_ASSERT_EQUAL(lk_url_check("https://api.loket.nl/v2", "apiUrl", &err), LK_OK);
    CU_ASSERT_EQUAL(lk_url_check("http://127.0.0.1:8080/v2", "apiUrl", &err), LK_OK);
    CU_ASSERT_EQUAL(lk_url_check("http://127.1.2.3/v2", "apiUrl", &err), LK_OK);
    CU_ASSERT_EQUAL(lk_url_check("http://localhost:1/v2", "apiUrl", &err), LK_OK);
    CU_ASSERT_EQUAL(lk_url_check("http://[::1]:8080/v2", "apiUrl", &err), LK_OK);
    CU_ASSERT_EQUAL(lk_url_check("http://api.loket.nl/v2", "apiUrl", &err), LK_ERR_CONFIG);
    CU_ASSERT_EQUAL(lk_url_check("http://128.0.0.1/v2", "apiUrl", &err), LK_ERR_CONFIG);
    CU_ASSERT_EQUAL(lk_url_check("http://localhost.evil.com/v2", "apiUrl", &err), LK_ERR_CONFIG);
    CU_ASSERT_EQUAL(lk_url_check("http://[::2]/v2", "apiUrl", &err), LK_ERR_CONFIG);
    CU_ASSERT_EQUAL(lk_url_check("ftp://127.0.0.1/", "apiUrl", &err), LK_ERR_CONFIG);
    CU_ASSERT_EQUAL(lk_url_check("", "apiUrl", &err), LK_ERR_CONFIG);
    CU_ASSERT_EQUAL(lk_url_check("not a url", "tokenUrl", &err), LK_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "tokenUrl"));
}

/* ---------------------------------------------------------------- redaction */

static void test_redaction(void)
{
    lk_trace *t = NULL;
    lk_error err;
    char *out;
    char *dir = lk_test_tmpdir();
    char path[512];
    const char *form = "grant_type=refresh_token&refresh_token=RT-abc123&client_id=demo&"
                       "client_secret=S3cr3t!x&code=AUTHCODE9";
    const char *json = "{\"access_token\": \"AT-xyz789\",\"token_type\":\"bearer\","
                       "\"refresh_token\":\"RT-\\\"q\\\"-2\",\"messages\":[{\"code\":83}],"
                       "\"costCenter\":{\"code\":\"PROD\"}}";
    lk_error_clear(&err);
    out = lk_redact(NULL, form, strlen(form));
    CU_ASSERT_PTR_NULL(strstr(out, "RT-abc123"));
    CU_ASSERT_PTR_NULL(strstr(out, "S3cr3t"));
    CU_ASSERT_PTR_NULL(strstr(out, "AUTHCODE9"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "client_id=demo"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "grant_type=refresh_token"));
    free(out);
    out = lk_redact(NULL, json, strlen(json));
    CU_ASSERT_PTR_NULL(strstr(out, "AT-xyz789"));
    CU_ASSERT_PTR_NULL(strstr(out, "-2"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"code\":83"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"code\":\"PROD\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "bearer"));
    free(out);
    /* registered secrets are scrubbed wherever they appear, even in odd places */
    snprintf(path, sizeof path, "%s/trace.log", dir);
    CU_ASSERT_EQUAL_FATAL(lk_trace_open(path, &t, &err), LK_OK);
    lk_trace_add_secret(t, "very-secret-value");
    out = lk_redact(t, "x very-secret-value y very-secret-value", 39);
    CU_ASSERT_PTR_NULL(strstr(out, "very-secret-value"));
    free(out);
    lk_trace_line(t, "Authorization: Bearer %s", "very-secret-value");
    lk_trace_body(t, ">", "{\"password\":\"pw123456\"}", 23);
    lk_trace_close(t);
    {
        char *text = NULL;
        struct stat st;
        CU_ASSERT_EQUAL_FATAL(lk_read_file(path, 1 << 20, &text, NULL, &err), LK_OK);
        CU_ASSERT_PTR_NULL(strstr(text, "very-secret-value"));
        CU_ASSERT_PTR_NULL(strstr(text, "pw123456"));
        CU_ASSERT_PTR_NOT_NULL(strstr(text, "[redacted]"));
        free(text);
        CU_ASSERT_EQUAL(stat(path, &st), 0);
        CU_ASSERT_EQUAL(st.st_mode & 077, 0);
    }
    /* truncated and unbalanced input never overruns */
    out = lk_redact(NULL, "{\"refresh_token\":\"abc", 20);
    CU_ASSERT_PTR_NULL(strstr(out, "abc"));
    free(out);
    out = lk_redact(NULL, "\"\\", 2);
    free(out);
    lk_test_rmtree(dir);
    free(dir);
}

static void test_retry_after(void)
{
    long long now = 1795000000LL;
    char date[64];
    time_t when = (time_t)(now + 7);
    struct tm tm;
    CU_ASSERT_EQUAL(lk_retry_after_ms("2", now), 2000);
    CU_ASSERT_EQUAL(lk_retry_after_ms(" 0 ", now), 0);
    CU_ASSERT_EQUAL(lk_retry_after_ms("1.5", now), -1);
    CU_ASSERT_EQUAL(lk_retry_after_ms("-1", now), -1);
    CU_ASSERT_EQUAL(lk_retry_after_ms("soon", now), -1);
    CU_ASSERT_EQUAL(lk_retry_after_ms(NULL, now), -1);
    gmtime_r(&when, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    CU_ASSERT_EQUAL(lk_retry_after_ms(date, now), 7000);
    /* a date in the past: go now */
    CU_ASSERT_EQUAL(lk_retry_after_ms(date, now + 100), 0);
}

/* ---------------------------------------------------------------- token store */

static void test_token_store_mode(void)
{
    char *dir = lk_test_tmpdir();
    char store[512];
    lk_config *cfg = lk_config_new_defaults();
    lk_tokens *t = NULL;
    lk_error err;
    FILE *f;
    struct stat st;
    lk_error_clear(&err);
    snprintf(store, sizeof store, "%s/sub/dir/tokens.json", dir);
    free(cfg->token_store);
    cfg->token_store = strdup(store);
    free(cfg->client_id);
    cfg->client_id = strdup("loket-import-demo");
    /* a missing store is fine; setting a token creates it 0600 in a 0700 folder */
    CU_ASSERT_EQUAL_FATAL(lk_tokens_open(cfg, NULL, &t, &err), LK_OK);
    CU_ASSERT_EQUAL(lk_tokens_set_refresh_token(t, "refresh-token-1", &err), LK_OK);
    lk_tokens_free(t);
    CU_ASSERT_EQUAL(stat(store, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
    snprintf(store, sizeof store, "%s/sub/dir", dir);
    CU_ASSERT_EQUAL(stat(store, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0700);
    /* readable by others: refused, naming the path and the mode */
    chmod(cfg->token_store, 0644);
    CU_ASSERT_EQUAL(lk_tokens_open(cfg, NULL, &t, &err), LK_ERR_AUTH);
    CU_ASSERT_PTR_NULL(t);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, cfg->token_store));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "0644"));
    chmod(cfg->token_store, 0600);
    /* a store of another client is refused */
    free(cfg->client_id);
    cfg->client_id = strdup("someone-else");
    CU_ASSERT_EQUAL(lk_tokens_open(cfg, NULL, &t, &err), LK_ERR_AUTH);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "someone-else"));
    /* a damaged store */
    f = fopen(cfg->token_store, "w");
    fputs("{not json", f);
    fclose(f);
    CU_ASSERT_EQUAL(lk_tokens_open(cfg, NULL, &t, &err), LK_ERR_AUTH);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "damaged"));
    /* a refresh token with a space (pasted with junk) is refused before it is stored */
    remove(cfg->token_store);
    CU_ASSERT_EQUAL_FATAL(lk_tokens_open(cfg, NULL, &t, &err), LK_OK);
    CU_ASSERT_EQUAL(lk_tokens_set_refresh_token(t, "abc def", &err), LK_ERR_CONFIG);
    CU_ASSERT_EQUAL(lk_tokens_set_refresh_token(t, "", &err), LK_ERR_CONFIG);
    lk_tokens_free(t);
    lk_config_free(cfg);
    lk_test_rmtree(dir);
    free(dir);
}

static void test_employment_active(void)
{
    lk_employment e;
    memset(&e, 0, sizeof e);
    strcpy(e.start_date, "2026-11-16");
    CU_ASSERT_TRUE(lk_employment_active(&e, "2026-11-01", "2026-11-30"));
    CU_ASSERT_FALSE(lk_employment_active(&e, "2026-10-01", "2026-10-31"));
    strcpy(e.start_date, "2020-01-01");
    strcpy(e.end_date, "2026-09-30");
    CU_ASSERT_TRUE(lk_employment_active(&e, "2026-09-01", "2026-09-30"));
    CU_ASSERT_FALSE(lk_employment_active(&e, "2026-11-01", "2026-11-30"));
}

int main(void)
{
    static const lk_test tests[] = {
        { "envelope: a list page", test_envelope_list },
        { "envelope: all five message types and odd fields", test_envelope_messages },
        { "envelope: text/plain and empty bodies", test_envelope_text_plain },
        { "envelope: odd answers are protocol errors", test_envelope_odd },
        { "metadata: three shapes parsed alike", test_metadata_shapes },
        { "records: defaults and listing shapes, bad values", test_record_parse },
        { "records: PATCH body from defaults, exact decimals", test_body_builder },
        { "config: keys, ranges, unknown keys", test_config_parse },
        { "config: file, environment and overrides", test_config_load },
        { "config: https or loopback http only", test_url_policy },
        { "config: XDG default paths", test_config_paths },
        { "config: systemd's configuration and state folders", test_config_systemd_paths },
        { "config: client secret from files and the systemd credential", test_config_secret_sources },
        { "trace: tokens and secrets redacted", test_redaction },
        { "http: Retry-After seconds and dates", test_retry_after },
        { "tokens: store mode, owner, damage", test_token_store_mode },
        { "employments: active in a period", test_employment_active },
        { NULL, NULL },
    };
    return lk_test_main("loket-offline", tests);
}
