/*
 * test_report_loket.c: the report takes Loket's answers as they come: every message of a 400
 * envelope verbatim, a warning on a 200, a text/plain error body, and the HTTP statistics.
 */
#include "loket/envelope.h"
#include "loket/http.h"
#include "report/report.h"
#include "support/cunit_main.h"

#include <string.h>

static void test_envelope_rejection(void)
{
    const char *body =
        "{\"version\":{\"resourceVersion\":\"2018-01-01\"},\"messages\":["
        "{\"code\":83,\"type\":\"BrokenBusinessRule\",\"description\":\"Looncomponent 31 is "
        "niet toegestaan\",\"id\":\"31\",\"properties\":[]},"
        "{\"code\":null,\"type\":\"Warning\",\"description\":\"Let op: \\u00e9\\u00eb\","
        "\"id\":null,\"properties\":[]}],\"content\":null}";
    lk_envelope *env = NULL;
    lk_error err;
    lk_error_clear(&err);
    CU_ASSERT_EQUAL_FATAL(lk_envelope_parse(body, strlen(body), "application/json", 400, &env,
                                            &err),
                          LK_OK);
    lk_report *r = lk_report_new("apply");
    lk_report_record *rec = lk_report_add_record(r);
    lk_report_record_add_envelope(rec, env);
    lk_envelope_free(env);
    CU_ASSERT_EQUAL_FATAL(rec->nmessages, 2);
    CU_ASSERT_EQUAL(rec->messages[0].origin, LK_MSG_LOKET);
    CU_ASSERT_STRING_EQUAL(rec->messages[0].type, "BrokenBusinessRule");
    CU_ASSERT(rec->messages[0].has_code);
    CU_ASSERT_EQUAL(rec->messages[0].code, 83);
    CU_ASSERT_STRING_EQUAL(rec->messages[0].description, "Looncomponent 31 is niet toegestaan");
    CU_ASSERT_STRING_EQUAL(rec->messages[0].id, "31");
    CU_ASSERT_STRING_EQUAL(rec->messages[1].type, "Warning");
    CU_ASSERT_FALSE(rec->messages[1].has_code);
    CU_ASSERT_STRING_EQUAL(rec->messages[1].description, "Let op: \xc3\xa9\xc3\xab");
    CU_ASSERT_PTR_NULL(rec->messages[1].id);
    lk_report_record_add_envelope(rec, NULL);
    CU_ASSERT_EQUAL(rec->nmessages, 2);
    lk_report_free(r);
}

static void test_envelope_text_plain(void)
{
    const char *body = "Invalid version header";
    lk_envelope *env = NULL;
    lk_error err;
    lk_error_clear(&err);
    CU_ASSERT_EQUAL_FATAL(lk_envelope_parse(body, strlen(body), "text/plain", 400, &env, &err),
                          LK_OK);
    lk_report *r = lk_report_new("apply");
    lk_report_record *rec = lk_report_add_record(r);
    lk_report_record_add_envelope(rec, env);
    lk_envelope_free(env);
    /* the client turns a plain-text body into one message: it reaches the report verbatim */
    CU_ASSERT_EQUAL_FATAL(rec->nmessages, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(rec->messages[0].description, "Invalid version header"));
    lk_report_free(r);
}

static void test_http_stats(void)
{
    char ep1[] = "/providers/employers/employees/employments/{employmentId}/payrollperioddata";
    char ep2[] = "/providers/employers/{employerId}/employees/employments";
    lk_http_record recs[4] = {
        {"PATCH", ep1, 200, 1, 40.0, 0, LK_OK},
        {"PATCH", ep1, 200, 2, 60.0, 0, LK_OK},
        {"PATCH", ep1, 0, 3, 3000.0, 0, LK_ERR_NETWORK},
        {"GET", ep2, 200, 1, 10.0, 0, LK_OK},
    };
    lk_http_stats stats;
    memset(&stats, 0, sizeof(stats));
    stats.records = recs;
    stats.n = 4;
    lk_report *r = lk_report_new("apply");
    lk_report_add_http_stats(r, &stats);
    lk_report_add_http_stats(r, NULL);
    CU_ASSERT_EQUAL_FATAL(r->nrequests, 3);
    CU_ASSERT_STRING_EQUAL(r->requests[0].method, "PATCH");
    CU_ASSERT_EQUAL(r->requests[0].status, 200);
    CU_ASSERT_EQUAL(r->requests[0].count, 2);
    CU_ASSERT_EQUAL(r->requests[0].attempts, 3);
    CU_ASSERT_DOUBLE_EQUAL(r->requests[0].latency_ms, 100.0, 1e-9);
    CU_ASSERT_EQUAL(r->requests[1].status, 0);
    CU_ASSERT_EQUAL(r->requests[1].attempts, 3);
    CU_ASSERT_STRING_EQUAL(r->requests[2].endpoint, ep2);
    lk_report_free(r);
}

static const lk_test tests[] = {
    {"a 400 envelope's messages, verbatim", test_envelope_rejection},
    {"a text/plain error body", test_envelope_text_plain},
    {"HTTP statistics per method, endpoint, status", test_http_stats},
    {NULL, NULL},
};

int main(void)
{
    return lk_test_main("report from Loket's answers", tests);
}
