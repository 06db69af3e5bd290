/*
 * test_json_text.c: the PATCH body's JSON text written without cJSON must be the bytes cJSON
 * prints for the same values (the journal keeps each body's SHA-256).
 */
#include "engine/json_text.h"
#include "support/cunit_main.h"

#include <cJSON.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static void expect_string(const char *s)
{
    strbuf sb = STRBUF_INIT;
    cJSON *c = cJSON_CreateString(s);
    char *want = cJSON_PrintUnformatted(c);
    lk_json_text_string(&sb, s);
    CU_ASSERT_STRING_EQUAL(sb.buf, want);
    free(want);
    cJSON_Delete(c);
    strbuf_free(&sb);
}

static void test_strings_as_cjson(void)
{
    char one[2] = { 0, 0 }, all[256];
    for (int b = 1; b < 256; b++) {
        one[0] = (char)b;
        expect_string(one);
        all[b - 1] = (char)b;
    }
    all[255] = '\0';
    expect_string(all);
    expect_string("");
    expect_string("Toeslag \"nacht\" \\ 50%: \xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e </script>");
    expect_string("=HYPERLINK(\"x\")\r\n\tline\b\f\x01\x1f\x7f");
    strbuf sb = STRBUF_INIT;
    lk_json_text_string(&sb, NULL);
    CU_ASSERT_STRING_EQUAL(sb.buf, "\"\"");
    strbuf_free(&sb);
}

static void test_numbers_as_cjson(void)
{
    const long values[] = { 0, 1, -1, 42, 202611, INT_MAX, INT_MIN, (long)INT_MAX + 1,
                            (long)INT_MIN - 1, 999999999999999L, 1000000000000000L,
                            123456789012345678L, LONG_MAX, LONG_MIN };
    for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
        strbuf sb = STRBUF_INIT;
        cJSON *c = cJSON_CreateNumber((double)values[i]);
        char *want = cJSON_PrintUnformatted(c);
        lk_json_text_long(&sb, values[i]);
        CU_ASSERT_STRING_EQUAL(sb.buf, want);
        free(want);
        cJSON_Delete(c);
        strbuf_free(&sb);
    }
}

/* An object written member by member equals cJSON's print of the same tree. */
static void test_object_as_cjson(void)
{
    strbuf sb = STRBUF_INIT;
    strbuf_addch(&sb, '{');
    lk_json_text_name(&sb, "payrollPeriod");
    strbuf_addch(&sb, '{');
    lk_json_text_name(&sb, "year");
    lk_json_text_long(&sb, 2026);
    strbuf_addstr(&sb, "},");
    lk_json_text_name(&sb, "payslipText");
    lk_json_text_string(&sb, "a\"b");
    strbuf_addch(&sb, '}');
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(cJSON_AddObjectToObject(o, "payrollPeriod"), "year", 2026);
    cJSON_AddStringToObject(o, "payslipText", "a\"b");
    char *want = cJSON_PrintUnformatted(o);
    CU_ASSERT_STRING_EQUAL(sb.buf, want);
    free(want);
    cJSON_Delete(o);
    strbuf_free(&sb);
}

int main(void)
{
    static const lk_test tests[] = {
        { "strings: every byte, escapes, UTF-8 as cJSON prints them", test_strings_as_cjson },
        { "integers inside and beyond int as cJSON prints them", test_numbers_as_cjson },
        { "an object member by member as cJSON prints it", test_object_as_cjson },
        { NULL, NULL },
    };
    return lk_test_main("json_text", tests);
}
