/*
 * test_checks.c: the plausibility checks' settings (mapping/checks.c): the documented
 * defaults, every key applied and kept apart from the others, the signal kinds' names, and each
 * bad key or value refused with the key that is wrong.
 */
#include "mapping/checks.h"
#include "support/cunit_main.h"

#include <cJSON.h>
#include <string.h>

/* Applies JSON text onto the defaults; returns whether it was accepted (key and msg filled). */
static bool apply(const char *json, lk_checks *c, char *key, char *msg)
{
    cJSON *o = cJSON_Parse(json);
    lk_checks_default(c);
    key[0] = msg[0] = '\0';
    bool ok = lk_checks_apply_json(c, o, key, 64, msg, 300);
    cJSON_Delete(o);
    return ok;
}

static void test_defaults(void)
{
    lk_checks c;
    lk_checks_default(&c);
    for (int k = 0; k < LK_SIGNAL_KIND_COUNT; k++)
        CU_ASSERT(c.enabled[k]);
    CU_ASSERT(c.blocking[LK_SIGNAL_REPEAT] && c.blocking[LK_SIGNAL_OUTLIER] &&
              c.blocking[LK_SIGNAL_OVER_CONTRACT]);
    CU_ASSERT(!c.blocking[LK_SIGNAL_NEW_COMPONENT]);
    CU_ASSERT_EQUAL(c.history_periods, 6);
    CU_ASSERT_EQUAL(c.min_history, 3);
    CU_ASSERT_DOUBLE_EQUAL(c.outlier_factor, 3.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(c.min_difference, 20.0, 1e-9);
    CU_ASSERT_EQUAL(c.repeat_min, 5);
    CU_ASSERT_DOUBLE_EQUAL(c.repeat_share, 0.5, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(c.contract_margin, 0.15, 1e-9);
    CU_ASSERT_EQUAL(c.ncontract_components, 0);
}

static void test_kind_names(void)
{
    lk_signal_kind k;
    for (int i = 0; i < LK_SIGNAL_KIND_COUNT; i++) {
        CU_ASSERT(lk_signal_kind_parse(lk_signal_kind_name((lk_signal_kind)i), &k));
        CU_ASSERT_EQUAL((int)k, i);
    }
    CU_ASSERT_STRING_EQUAL(lk_signal_kind_name(LK_SIGNAL_REPEAT), "repeat-of-previous");
    CU_ASSERT(!lk_signal_kind_parse("decimal-slip", &k));
    CU_ASSERT(!lk_signal_kind_parse("Outlier", &k));
    CU_ASSERT(!lk_signal_kind_parse("", &k));
}

static void test_every_key(void)
{
    lk_checks c;
    char key[64], msg[300];
    CU_ASSERT_FATAL(apply("{\"historyPeriods\": 12, \"minHistory\": 4, \"outlierFactor\": 2.5,"
                          " \"minDifference\": 0, \"repeatMinEmployments\": 3, \"repeatShare\": 0.8,"
                          " \"contractMargin\": 0.1, \"contractComponents\": [10, 14],"
                          " \"blocking\": [\"outlier\"], \"off\": [\"new-component\"],"
                          " \"$comment\": \"why\"}", &c, key, msg));
    CU_ASSERT_EQUAL(c.history_periods, 12);
    CU_ASSERT_EQUAL(c.min_history, 4);
    CU_ASSERT_DOUBLE_EQUAL(c.outlier_factor, 2.5, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(c.min_difference, 0.0, 1e-9);
    CU_ASSERT_EQUAL(c.repeat_min, 3);
    CU_ASSERT_DOUBLE_EQUAL(c.repeat_share, 0.8, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(c.contract_margin, 0.1, 1e-9);
    CU_ASSERT_EQUAL_FATAL(c.ncontract_components, 2);
    CU_ASSERT_EQUAL(c.contract_components[0], 10);
    CU_ASSERT_EQUAL(c.contract_components[1], 14);
    CU_ASSERT(c.blocking[LK_SIGNAL_OUTLIER] && !c.blocking[LK_SIGNAL_REPEAT] &&
              !c.blocking[LK_SIGNAL_OVER_CONTRACT]);
    CU_ASSERT(!c.enabled[LK_SIGNAL_NEW_COMPONENT] && c.enabled[LK_SIGNAL_OUTLIER]);
    /* what is left out keeps its value: a second object on top changes only its keys */
    cJSON *o = cJSON_Parse("{\"blocking\": []}");
    CU_ASSERT(lk_checks_apply_json(&c, o, key, sizeof key, msg, sizeof msg));
    cJSON_Delete(o);
    for (int k = 0; k < LK_SIGNAL_KIND_COUNT; k++)
        CU_ASSERT(!c.blocking[k]);
    CU_ASSERT_EQUAL(c.history_periods, 12);
    CU_ASSERT(apply("{}", &c, key, msg));
}

static void test_refused(void)
{
    static const struct {
        const char *json, *key;
    } bad[] = {
        { "[]", "" },
        { "{\"outlierFactr\": 3}", "outlierFactr" },
        { "{\"historyPeriods\": 2}", "historyPeriods" },
        { "{\"historyPeriods\": 6.5}", "historyPeriods" },
        { "{\"historyPeriods\": 27}", "historyPeriods" },
        { "{\"minHistory\": 1}", "minHistory" },
        { "{\"historyPeriods\": 3, \"minHistory\": 4}", "minHistory" },
        { "{\"outlierFactor\": 1}", "outlierFactor" },
        { "{\"outlierFactor\": \"3\"}", "outlierFactor" },
        { "{\"minDifference\": -1}", "minDifference" },
        { "{\"repeatMinEmployments\": 0}", "repeatMinEmployments" },
        { "{\"repeatShare\": 1}", "repeatShare" },
        { "{\"contractMargin\": -0.1}", "contractMargin" },
        { "{\"contractComponents\": 10}", "contractComponents" },
        { "{\"contractComponents\": [10.5]}", "contractComponents" },
        { "{\"contractComponents\": [0]}", "contractComponents" },
        { "{\"blocking\": [\"decimal-slip\"]}", "blocking" },
        { "{\"blocking\": \"outlier\"}", "blocking" },
        { "{\"off\": [1]}", "off" },
        { "{\"outlierFactor\": 3, \"outlierFactor\": 4}", "outlierFactor" },
    };
    lk_checks c;
    char key[64], msg[300];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CU_ASSERT(!apply(bad[i].json, &c, key, msg));
        CU_ASSERT_STRING_EQUAL(key, bad[i].key);
        CU_ASSERT(msg[0] != '\0');
    }
    /* 33 components: more than a contract needs */
    char many[400] = "{\"contractComponents\": [1";
    for (int i = 2; i <= LK_CHECKS_MAX_COMPONENTS + 1; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), ", %d", i);
    strcat(many, "]}");
    CU_ASSERT(!apply(many, &c, key, msg));
    CU_ASSERT_STRING_EQUAL(key, "contractComponents");
}

int main(void)
{
    static const lk_test tests[] = {
        { "defaults", test_defaults },
        { "kind names", test_kind_names },
        { "every key", test_every_key },
        { "refused", test_refused },
        { NULL, NULL },
    };
    return lk_test_main("checks", tests);
}
