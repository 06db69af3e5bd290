/*
 * test_hostile_values.c: the value parsers on absurd cell text from the hostile-input corpus
 * (docs/hardening.md): every number a payslip could get goes through lk_parse_number_text, so
 * 1e308, NaN, 99999999999999, 1,2,3 and formulas must be refused with a message that says what
 * is wrong, and -0 must be plain 0. Also the mapping loader on a hostile mapping.
 */
#include "common/decimal.h"
#include "mapping/mapping.h"
#include "support/cunit_main.h"

#include <string.h>

static const lk_number_style comma = { ',', '.' };
static const lk_number_style point = { '.', ',' };

/* Parses text; returns the result and leaves the message in msg. */
static lk_parse_result parse(const char *text, lk_value_format format,
                             const lk_number_style *style, lk_decimal *v, char *msg)
{
    msg[0] = '\0';
    return lk_parse_number_text(text, format, style, v, msg, 256);
}

static void test_absurd_numbers_refused(void)
{
    static const char *const absurd[] = { "1e308", "NaN", "nan", "Infinity", "-inf", "0x1A",
                                          "1,2,3", "1.2.3,4,5", "99999999999999", "--5",
                                          "5-", "1 2", "\xef\xbc\x95", NULL };
    char msg[256];
    lk_decimal v;
    for (size_t i = 0; absurd[i]; i++) {
        CU_ASSERT_EQUAL(parse(absurd[i], LK_FORMAT_NUMBER, &comma, &v, msg), LK_PARSE_BAD);
        CU_ASSERT_PTR_NOT_NULL(strstr(msg, "is not a number"));
    }
}

static void test_negative_zero_is_zero(void)
{
    char msg[256], buf[32];
    lk_decimal v = 42;
    CU_ASSERT_EQUAL(parse("-0", LK_FORMAT_NUMBER, &comma, &v, msg), LK_PARSE_OK);
    CU_ASSERT_EQUAL(v, 0);
    CU_ASSERT_STRING_EQUAL(lk_decimal_format(v, buf), "0");
    CU_ASSERT_EQUAL(parse("-0,00", LK_FORMAT_NUMBER, &comma, &v, msg), LK_PARSE_OK);
    CU_ASSERT_STRING_EQUAL(lk_decimal_format(v, buf), "0");
}

/* A formula is text, never a value; and the message must not send the operator to the
 * "format": "duration" or percent settings just because the formula holds ':' or '%'. */
static void test_formulas_are_not_numbers(void)
{
    static const char *const formulas[] = { "=1+1", "=SUM(D1:D9)", "@SUM(D2)", "+cmd|calc",
                                            "=A1%", "=HYPERLINK(\"x\")", "-2+3", NULL };
    char msg[256];
    lk_decimal v;
    for (size_t i = 0; formulas[i]; i++) {
        CU_ASSERT_EQUAL(parse(formulas[i], LK_FORMAT_NUMBER, &comma, &v, msg), LK_PARSE_BAD);
        CU_ASSERT_PTR_NOT_NULL(strstr(msg, "is not a number"));
        CU_ASSERT_PTR_NULL(strstr(msg, "duration"));
        CU_ASSERT_PTR_NULL(strstr(msg, "percentage"));
    }
}

/* The hints still come where they are right. */
static void test_real_hints_kept(void)
{
    char msg[256];
    lk_decimal v;
    CU_ASSERT_EQUAL(parse("7:30", LK_FORMAT_NUMBER, &comma, &v, msg), LK_PARSE_BAD);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "looks like a duration"));
    CU_ASSERT_EQUAL(parse("12,5%", LK_FORMAT_NUMBER, &comma, &v, msg), LK_PARSE_BAD);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "is a percentage"));
    CU_ASSERT_EQUAL(parse("7.5", LK_FORMAT_NUMBER, &comma, &v, msg), LK_PARSE_BAD);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "convention"));
    CU_ASSERT_EQUAL(parse("7,5", LK_FORMAT_NUMBER, &point, &v, msg), LK_PARSE_BAD);
}

static void test_largest_values_exact(void)
{
    char msg[256], buf[32];
    lk_decimal v;
    CU_ASSERT_EQUAL(parse("999.999.999,99", LK_FORMAT_NUMBER, &comma, &v, msg), LK_PARSE_OK);
    CU_ASSERT_STRING_EQUAL(lk_decimal_format(v, buf), "999999999.99");
    CU_ASSERT_EQUAL(parse("-0,000001", LK_FORMAT_NUMBER, &comma, &v, msg), LK_PARSE_OK);
    CU_ASSERT_EQUAL(v, -1);
}

/* A misspelt recordKey field: the did-you-mean walked past the end of the list of record key
 * names (found by fuzz_mapping; ASan: global-buffer-overflow in check_keys). */
static void test_record_key_typo(void)
{
    static const char json[] =
        "{ \"name\": \"x\", \"layout\": \"wide\", \"input\": { \"type\": \"csv\", \"headerRow\": 1 },"
        "  \"employee\": { \"employeeNumber\": \"Personeelsnr\" },"
        "  \"period\": { \"source\": \"commandLine\" },"
        "  \"recordKey\": { \"costCentre\": { \"column\": \"Naam\", \"by\": \"code\" } },"
        "  \"components\": [ { \"column\": \"Uren\", \"component\": 10 } ] }";
    lk_mapping *m = NULL;
    lk_error err;
    lk_error_clear(&err);
    CU_ASSERT_EQUAL(lk_mapping_parse("typo.json", json, sizeof json - 1, &m, &err), LK_ERR_MAPPING);
    CU_ASSERT_PTR_NULL(m);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "did you mean \"costCenter\""));
    lk_mapping_free(m);
}

static const lk_test tests[] = {
    { "recordKey typo: did-you-mean within the list", test_record_key_typo },
    { "absurd numbers are refused", test_absurd_numbers_refused },
    { "-0 is 0", test_negative_zero_is_zero },
    { "formulas are not numbers, without misleading hints", test_formulas_are_not_numbers },
    { "duration, percent and convention hints kept", test_real_hints_kept },
    { "largest values exact", test_largest_values_exact },
    { NULL, NULL },
};

int main(void)
{
    return lk_test_main("hostile values", tests);
}
