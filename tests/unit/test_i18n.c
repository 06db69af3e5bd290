/*
 * test_i18n.c: the language (from --lang and the environment), numbers and dates as each
 * language writes them, period codes and words, and the Dutch catalog reached through gettext.
 */
#include "common/i18n.h"
#include "common/localefmt.h"
#include "common/period_name.h"
#include "support/cunit_main.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static lk_decimal dec(long long units, long long millionths)
{
    return units * LK_DECIMAL_SCALE + millionths;
}

static void test_decimals(void)
{
    char b[LK_FMT_NUMBER_MAX];
    CU_ASSERT_STRING_EQUAL(lk_fmt_decimal_in(LK_LANG_NL, dec(3926, 500000), 2, b), "3.926,50");
    CU_ASSERT_STRING_EQUAL(lk_fmt_decimal_in(LK_LANG_EN, dec(3926, 500000), 2, b), "3,926.50");
    CU_ASSERT_STRING_EQUAL(lk_fmt_decimal_in(LK_LANG_NL, dec(1234567, 125000), 2, b),
                           "1.234.567,125");
    CU_ASSERT_STRING_EQUAL(lk_fmt_decimal_in(LK_LANG_NL, -dec(0, 500000), 2, b), "-0,50");
    CU_ASSERT_STRING_EQUAL(lk_fmt_decimal_in(LK_LANG_NL, -dec(1000, 0), 0, b), "-1.000");
    CU_ASSERT_STRING_EQUAL(lk_fmt_decimal_in(LK_LANG_NL, 0, 2, b), "0,00");
    CU_ASSERT_STRING_EQUAL(lk_fmt_decimal_in(LK_LANG_EN, 0, 0, b), "0");
    CU_ASSERT_STRING_EQUAL(lk_fmt_decimal_in(LK_LANG_NL, dec(999, 1), 2, b), "999,000001");
    CU_ASSERT_STRING_EQUAL(lk_fmt_decimal_in(LK_LANG_NL, dec(100, 0), 9, b), "100,000000");
    /* the largest value a decimal holds still fits the buffer */
    lk_fmt_decimal_in(LK_LANG_NL, LK_DECIMAL_MAX - 1, 2, b);
    CU_ASSERT_STRING_EQUAL(b, "999.999.999.999,999999");
}

static void test_doubles_and_counts(void)
{
    char b[LK_FMT_NUMBER_MAX];
    CU_ASSERT_STRING_EQUAL(lk_fmt_double_in(LK_LANG_NL, 14.123456789, 1, b), "14,1");
    CU_ASSERT_STRING_EQUAL(lk_fmt_double_in(LK_LANG_EN, 1234.5, 2, b), "1,234.50");
    CU_ASSERT_STRING_EQUAL(lk_fmt_double_in(LK_LANG_NL, -0.001, 2, b), "0,00");
    CU_ASSERT_STRING_EQUAL(lk_fmt_double_in(LK_LANG_NL, -2.6, 0, b), "-3");
    CU_ASSERT_STRING_EQUAL(lk_fmt_count_in(LK_LANG_NL, 12345, b), "12.345");
    CU_ASSERT_STRING_EQUAL(lk_fmt_count_in(LK_LANG_EN, 1234567, b), "1,234,567");
    CU_ASSERT_STRING_EQUAL(lk_fmt_count_in(LK_LANG_EN, 999, b), "999");
}

static void test_dates(void)
{
    char b[32];
    CU_ASSERT_STRING_EQUAL(lk_fmt_date_in(LK_LANG_NL, "2026-11-30", b), "30-11-2026");
    CU_ASSERT_STRING_EQUAL(lk_fmt_date_in(LK_LANG_EN, "2026-11-30", b), "2026-11-30");
    /* what is no plain date stays as it is */
    CU_ASSERT_STRING_EQUAL(lk_fmt_date_in(LK_LANG_NL, "2026-11-30T12:00:00Z", b),
                           "2026-11-30T12:00:00Z");
    CU_ASSERT_STRING_EQUAL(lk_fmt_date_in(LK_LANG_NL, "2026-1-30", b), "2026-1-30");
    CU_ASSERT_STRING_EQUAL(lk_fmt_date_in(LK_LANG_NL, "", b), "");
    CU_ASSERT_STRING_EQUAL(lk_fmt_date_in(LK_LANG_NL, NULL, b), "");
}

static void test_lang_parse(void)
{
    lk_lang l = LK_LANG_EN;
    CU_ASSERT(lk_lang_parse("nl", &l) && l == LK_LANG_NL);
    CU_ASSERT(lk_lang_parse("en", &l) && l == LK_LANG_EN);
    CU_ASSERT(lk_lang_parse("nl_NL.UTF-8", &l) && l == LK_LANG_NL);
    CU_ASSERT(lk_lang_parse("nl_BE@euro", &l) && l == LK_LANG_NL);
    CU_ASSERT(lk_lang_parse("NL", &l) && l == LK_LANG_NL);
    CU_ASSERT(lk_lang_parse("en_GB.UTF-8", &l) && l == LK_LANG_EN);
    CU_ASSERT(lk_lang_parse("C.UTF-8", &l) && l == LK_LANG_EN);
    CU_ASSERT(lk_lang_parse("POSIX", &l) && l == LK_LANG_EN);
    CU_ASSERT_FALSE(lk_lang_parse("fr", &l));
    CU_ASSERT_FALSE(lk_lang_parse("nld", &l));
    CU_ASSERT_FALSE(lk_lang_parse("", &l));
    CU_ASSERT_FALSE(lk_lang_parse(NULL, &l));
}

static void set_env(const char *language, const char *lc_all, const char *lc_messages,
                    const char *lang)
{
    const char *names[] = { "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG" };
    const char *values[] = { language, lc_all, lc_messages, lang };
    for (int i = 0; i < 4; i++) {
        if (values[i])
            setenv(names[i], values[i], 1);
        else
            unsetenv(names[i]);
    }
}

static void test_lang_from_env(void)
{
    set_env(NULL, NULL, NULL, "nl_NL.UTF-8");
    CU_ASSERT_EQUAL(lk_lang_from_env(), LK_LANG_NL);
    set_env(NULL, NULL, "en_US.UTF-8", "nl_NL.UTF-8");
    CU_ASSERT_EQUAL(lk_lang_from_env(), LK_LANG_EN);
    set_env(NULL, "nl_NL.UTF-8", "en_US.UTF-8", "en_US.UTF-8");
    CU_ASSERT_EQUAL(lk_lang_from_env(), LK_LANG_NL);
    /* LANGUAGE is a list of preferences, ahead of the locale ... */
    set_env("fr:nl:en", NULL, NULL, "en_US.UTF-8");
    CU_ASSERT_EQUAL(lk_lang_from_env(), LK_LANG_NL);
    set_env("en", NULL, NULL, "nl_NL.UTF-8");
    CU_ASSERT_EQUAL(lk_lang_from_env(), LK_LANG_EN);
    /* ... but, as for gettext, not in the C locale, where scripts expect English */
    set_env("nl", NULL, NULL, "C");
    CU_ASSERT_EQUAL(lk_lang_from_env(), LK_LANG_EN);
    set_env("nl", NULL, NULL, NULL);
    CU_ASSERT_EQUAL(lk_lang_from_env(), LK_LANG_EN);
    /* a language we do not speak: English */
    set_env(NULL, NULL, NULL, "de_DE.UTF-8");
    CU_ASSERT_EQUAL(lk_lang_from_env(), LK_LANG_EN);
    set_env("", "", "", "");
    CU_ASSERT_EQUAL(lk_lang_from_env(), LK_LANG_EN);
    set_env(NULL, NULL, NULL, NULL);
}

static void test_lang_option(void)
{
    char a0[] = "loket-import", a1[] = "plan", a2[] = "--lang", a3[] = "nl", a4[] = "x.csv",
         a5[] = "--", a6[] = "--lang=en";
    char *argv[] = { a0, a1, a2, a3, a4, a5, a6, NULL };
    int argc = 7;
    lk_lang l = LK_LANG_EN;
    const char *bad = "x";
    CU_ASSERT_EQUAL(lk_lang_option(&argc, argv, &l, &bad), 1);
    CU_ASSERT_EQUAL(l, LK_LANG_NL);
    CU_ASSERT_PTR_NULL(bad);
    /* taken out; after "--" an argument is a file name, left alone */
    CU_ASSERT_EQUAL(argc, 5);
    CU_ASSERT_STRING_EQUAL(argv[1], "plan");
    CU_ASSERT_STRING_EQUAL(argv[2], "x.csv");
    CU_ASSERT_STRING_EQUAL(argv[3], "--");
    CU_ASSERT_STRING_EQUAL(argv[4], "--lang=en");
    CU_ASSERT_PTR_NULL(argv[5]);

    char b1[] = "--lang=en", b2[] = "validate";
    char *argv2[] = { a0, b1, b2, NULL };
    argc = 3;
    CU_ASSERT_EQUAL(lk_lang_option(&argc, argv2, &l, &bad), 1);
    CU_ASSERT_EQUAL(l, LK_LANG_EN);
    CU_ASSERT_EQUAL(argc, 2);
    CU_ASSERT_STRING_EQUAL(argv2[1], "validate");

    char c1[] = "--lang=fr";
    char *argv3[] = { a0, c1, NULL };
    argc = 2;
    CU_ASSERT_EQUAL(lk_lang_option(&argc, argv3, &l, &bad), -1);
    CU_ASSERT_STRING_EQUAL(bad, "fr");

    char d1[] = "--lang";
    char *argv4[] = { a0, a1, d1, NULL };
    argc = 3;
    CU_ASSERT_EQUAL(lk_lang_option(&argc, argv4, &l, &bad), -1);
    CU_ASSERT_PTR_NULL(bad);

    char *argv5[] = { a0, a1, a4, NULL };
    argc = 3;
    CU_ASSERT_EQUAL(lk_lang_option(&argc, argv5, &l, &bad), 0);
    CU_ASSERT_EQUAL(argc, 3);
}

static void test_period_codes(void)
{
    char b[LK_PERIOD_NAME_MAX];
    CU_ASSERT_STRING_EQUAL(lk_period_code(2026, 11, LK_PERIOD_TYPE_MONTH, b), "2026-11");
    CU_ASSERT_STRING_EQUAL(lk_period_code(2026, 12, LK_PERIOD_TYPE_4WEEKS, b), "2026-P12");
    CU_ASSERT_STRING_EQUAL(lk_period_code(2026, 47, LK_PERIOD_TYPE_WEEK, b), "2026-W47");
    CU_ASSERT_STRING_EQUAL(lk_period_code(2026, 3, LK_PERIOD_TYPE_WEEK, b), "2026-W03");
    CU_ASSERT_STRING_EQUAL(lk_period_code(2026, 5, LK_PERIOD_TYPE_UNKNOWN, b), "2026-P05");
    /* nonsense from a server never overflows the buffer */
    lk_period_code(INT_MIN, INT_MAX, LK_PERIOD_TYPE_WEEK, b);
    CU_ASSERT(strlen(b) < LK_PERIOD_NAME_MAX);
}

static void test_period_types_from_dates(void)
{
    CU_ASSERT_EQUAL(lk_period_type_of("2026-11-01", "2026-11-30"), LK_PERIOD_TYPE_MONTH);
    CU_ASSERT_EQUAL(lk_period_type_of("2028-02-01", "2028-02-29"), LK_PERIOD_TYPE_MONTH);
    CU_ASSERT_EQUAL(lk_period_type_of("2026-11-09", "2026-12-06"), LK_PERIOD_TYPE_4WEEKS);
    /* 28 days that happen to be February: a month, as Loket's monthly calendar has it */
    CU_ASSERT_EQUAL(lk_period_type_of("2026-02-01", "2026-02-28"), LK_PERIOD_TYPE_MONTH);
    CU_ASSERT_EQUAL(lk_period_type_of("2026-12-07", "2027-01-10"), LK_PERIOD_TYPE_4WEEKS);
    CU_ASSERT_EQUAL(lk_period_type_of("2025-12-29", "2026-01-04"), LK_PERIOD_TYPE_WEEK);
    CU_ASSERT_EQUAL(lk_period_type_of("2026-11-16", "2026-11-22"), LK_PERIOD_TYPE_WEEK);
    CU_ASSERT_EQUAL(lk_period_type_of("2026-11-02", "2026-11-30"), LK_PERIOD_TYPE_UNKNOWN);
    CU_ASSERT_EQUAL(lk_period_type_of("2026-11-01", "2026-12-31"), LK_PERIOD_TYPE_UNKNOWN);
    CU_ASSERT_EQUAL(lk_period_type_of("2026-11-16", ""), LK_PERIOD_TYPE_UNKNOWN);
    CU_ASSERT_EQUAL(lk_period_type_of(NULL, "2026-11-22"), LK_PERIOD_TYPE_UNKNOWN);
    CU_ASSERT_EQUAL(lk_period_type_of("2026-13-01", "2026-13-07"), LK_PERIOD_TYPE_UNKNOWN);
}

static void test_period_words_english(void)
{
    char b[LK_PERIOD_NAME_MAX];
    lk_i18n_init(LK_LANG_EN, NULL);
    CU_ASSERT_STRING_EQUAL(lk_period_words(2026, 11, LK_PERIOD_TYPE_MONTH, b), "November 2026");
    CU_ASSERT_STRING_EQUAL(lk_period_words(2026, 12, LK_PERIOD_TYPE_4WEEKS, b),
                           "period 12 of 2026");
    CU_ASSERT_STRING_EQUAL(lk_period_words(2026, 47, LK_PERIOD_TYPE_WEEK, b), "week 47 of 2026");
    CU_ASSERT_STRING_EQUAL(lk_period_words(2026, 13, LK_PERIOD_TYPE_MONTH, b),
                           "period 13 of 2026");
    CU_ASSERT_STRING_EQUAL(lk_period_type_name(LK_PERIOD_TYPE_4WEEKS), "4 weeks");
}

/* Runs last: the catalog the build compiled, as the programs find it. */
static void test_dutch_catalog(void)
{
    char dir[4096], b[LK_PERIOD_NAME_MAX];
    snprintf(dir, sizeof dir, "%s/locale", lk_test_build_dir());
    lk_i18n_init(LK_LANG_NL, dir);
    CU_ASSERT_EQUAL(lk_lang_current(), LK_LANG_NL);
    CU_ASSERT_STRING_EQUAL(lk_period_words(2026, 11, LK_PERIOD_TYPE_MONTH, b), "november 2026");
    CU_ASSERT_STRING_EQUAL(lk_period_words(2026, 12, LK_PERIOD_TYPE_4WEEKS, b),
                           "periode 12 van 2026");
    CU_ASSERT_STRING_EQUAL(lk_period_words(2026, 47, LK_PERIOD_TYPE_WEEK, b),
                           "week 47 van 2026");
    CU_ASSERT_STRING_EQUAL(lk_period_type_name(LK_PERIOD_TYPE_MONTH), "maand");
    CU_ASSERT_STRING_EQUAL(lk_month_name(3), "maart");
    CU_ASSERT_STRING_EQUAL(lk_fmt_decimal(dec(3926, 500000), 2, b), "3.926,50");
    char d[32];
    CU_ASSERT_STRING_EQUAL(lk_fmt_date("2026-11-30", d), "30-11-2026");
    /* --lang en in a Dutch environment: English again */
    lk_i18n_init(LK_LANG_EN, dir);
    CU_ASSERT_STRING_EQUAL(lk_period_words(2026, 11, LK_PERIOD_TYPE_MONTH, b), "November 2026");
    CU_ASSERT_STRING_EQUAL(lk_fmt_decimal(dec(3926, 500000), 2, b), "3,926.50");
}

int main(void)
{
    static const lk_test tests[] = {
        { "decimals per language", test_decimals },
        { "doubles and counts", test_doubles_and_counts },
        { "dates per language", test_dates },
        { "language names", test_lang_parse },
        { "language from the environment", test_lang_from_env },
        { "--lang taken out of argv", test_lang_option },
        { "period codes", test_period_codes },
        { "period kinds from their dates", test_period_types_from_dates },
        { "period words in English", test_period_words_english },
        { "the Dutch catalog", test_dutch_catalog },
        { NULL, NULL },
    };
    return lk_test_main("i18n", tests);
}
