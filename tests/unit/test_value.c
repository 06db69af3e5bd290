/*
 * test_value.c: every rule of mapping/value.c: numbers in both conventions, rounding, durations,
 * percentages, XLSX cells, dates, periods, whole numbers and convention evidence.
 */
#include "mapping/mapping.h"
#include "support/cunit_main.h"

#include <stdio.h>
#include <string.h>

static const lk_number_style comma = { ',', '.' };
static const lk_number_style point = { '.', ',' };
static const lk_number_style comma_plain = { ',', 0 };


static lk_parse_result num(const char *t, lk_value_format f, const lk_number_style *s,
                           lk_decimal *v, char *msg)
{
    *v = 12345; /* never left as a silent default */
    return lk_parse_number_text(t, f, s, v, msg, 400);
}

static void expect(const char *t, lk_value_format f, const lk_number_style *s, lk_decimal want)
{
    lk_decimal v;
    char msg[400] = "";
    lk_parse_result r = num(t, f, s, &v, msg);
    CU_ASSERT_EQUAL(r, LK_PARSE_OK);
    CU_ASSERT_EQUAL(v, want);
    if (r != LK_PARSE_OK || v != want)
        fprintf(stderr, "\n  \"%s\": result %d value %lld msg %s\n", t, r, v, msg);
}

static void expect_bad(const char *t, lk_value_format f, const lk_number_style *s,
                       const char *fragment)
{
    lk_decimal v;
    char msg[400] = "";
    CU_ASSERT_EQUAL(num(t, f, s, &v, msg), LK_PARSE_BAD);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, fragment));
    if (!strstr(msg, fragment))
        fprintf(stderr, "\n  \"%s\": message \"%s\" lacks \"%s\"\n", t, msg, fragment);
}

static void test_decimal_comma(void)
{
    expect("7,5", LK_FORMAT_NUMBER, &comma, 7500000);
    expect("1.234,50", LK_FORMAT_NUMBER, &comma, 1234500000);
    expect("1.234.567,5", LK_FORMAT_NUMBER, &comma, 1234567500000LL);
    expect("-3,25", LK_FORMAT_NUMBER, &comma, -3250000);
    expect("+2", LK_FORMAT_NUMBER, &comma, 2000000);
    expect("1.234", LK_FORMAT_NUMBER, &comma, 1234000000);  /* the file's convention decides */
    expect("0,5", LK_FORMAT_NUMBER, &comma, 500000);
    expect(",5", LK_FORMAT_NUMBER, &comma, 500000);
    expect("  7,5\t", LK_FORMAT_NUMBER, &comma, 7500000);
    expect("\xc2\xa0" "7,5" "\xc2\xa0", LK_FORMAT_NUMBER, &comma, 7500000);
    expect("007,50", LK_FORMAT_NUMBER, &comma, 7500000);
    expect_bad("7.5", LK_FORMAT_NUMBER, &comma, "decimal comma");
    expect_bad("12.34,5", LK_FORMAT_NUMBER, &comma, "not a number");
    expect_bad("1.2345,5", LK_FORMAT_NUMBER, &comma, "not a number");
    expect_bad("1.234,50", LK_FORMAT_NUMBER, &comma_plain, "not a number");
    expect_bad("7,5x", LK_FORMAT_NUMBER, &comma, "\"7,5x\" is not a number");
    expect_bad("7,", LK_FORMAT_NUMBER, &comma, "not a number");
    expect_bad(",", LK_FORMAT_NUMBER, &comma, "not a number");
    expect_bad("-", LK_FORMAT_NUMBER, &comma, "not a number");
    expect_bad("7,5,0", LK_FORMAT_NUMBER, &comma, "not a number");
    expect_bad(".234,5", LK_FORMAT_NUMBER, &comma, "not a number");
    expect_bad("1e3", LK_FORMAT_NUMBER, &comma, "not a number");
    expect_bad("(3,25)", LK_FORMAT_NUMBER, &comma, "-3,25");
    expect_bad("€ 12,50", LK_FORMAT_NUMBER, &comma, "not a number");
}

static void test_decimal_point(void)
{
    expect("7.5", LK_FORMAT_NUMBER, &point, 7500000);
    expect("1,234.50", LK_FORMAT_NUMBER, &point, 1234500000);
    expect("-3.25", LK_FORMAT_NUMBER, &point, -3250000);
    expect("1,234", LK_FORMAT_NUMBER, &point, 1234000000);
    expect_bad("7,5", LK_FORMAT_NUMBER, &point, "decimal point");
    expect_bad("1.234,50", LK_FORMAT_NUMBER, &point, "decimal point");
    lk_number_style space = { ',', ' ' };
    expect("1 234,50", LK_FORMAT_NUMBER, &space, 1234500000);
}

static void test_blank(void)
{
    lk_decimal v;
    char msg[400];
    CU_ASSERT_EQUAL(num("", LK_FORMAT_NUMBER, &comma, &v, msg), LK_PARSE_BLANK);
    CU_ASSERT_EQUAL(num("   \t ", LK_FORMAT_NUMBER, &comma, &v, msg), LK_PARSE_BLANK);
    CU_ASSERT_EQUAL(num("\xc2\xa0", LK_FORMAT_NUMBER, &comma, &v, msg), LK_PARSE_BLANK);
    lk_cell empty = { LK_CELL_EMPTY, "", 0, 0, 0, 0, 0, 0, 0, 0 };
    CU_ASSERT_EQUAL(lk_parse_value(&empty, LK_FORMAT_NUMBER, &comma, &v, msg, 400),
                    LK_PARSE_BLANK);
}

static void test_rounding_and_range(void)
{
    expect("0,0000005", LK_FORMAT_NUMBER, &comma, 1);
    expect("-0,0000005", LK_FORMAT_NUMBER, &comma, -1);
    expect("0,00000049", LK_FORMAT_NUMBER, &comma, 0);
    expect("1234,5678901", LK_FORMAT_NUMBER, &comma, 1234567890LL);
    expect("2,9999999", LK_FORMAT_NUMBER, &comma, 3000000);
    expect("999999999999", LK_FORMAT_NUMBER, &point, 999999999999000000LL);
    expect_bad("1000000000000", LK_FORMAT_NUMBER, &point, "not a number");
    char longtext[300];
    memset(longtext, '9', sizeof(longtext) - 1);
    longtext[sizeof(longtext) - 1] = '\0';
    expect_bad(longtext, LK_FORMAT_NUMBER, &point, "too long");
}

static void test_percent(void)
{
    expect("12,5%", LK_FORMAT_PERCENT, &comma, 12500000);
    expect("12,5 %", LK_FORMAT_PERCENT, &comma, 12500000);
    expect("12,5", LK_FORMAT_PERCENT, &comma, 12500000);
    expect_bad("12,5%", LK_FORMAT_NUMBER, &comma, "percentage");
    expect_bad("%", LK_FORMAT_PERCENT, &comma, "not a number");
}

static void test_duration(void)
{
    expect("7:30", LK_FORMAT_DURATION, &comma, 7500000);
    expect("0:45", LK_FORMAT_DURATION, &comma, 750000);
    expect("7:20", LK_FORMAT_DURATION, &comma, 7333333);
    expect("0:01", LK_FORMAT_DURATION, &comma, 16667);
    expect("-1:30", LK_FORMAT_DURATION, &comma, -1500000);
    expect("7:30:30", LK_FORMAT_DURATION, &comma, 7508333);
    expect("151:15", LK_FORMAT_DURATION, &comma, 151250000);
    expect("7,5", LK_FORMAT_DURATION, &comma, 7500000);
    expect_bad("7:75", LK_FORMAT_DURATION, &comma, "not a duration");
    expect_bad("7:3", LK_FORMAT_DURATION, &comma, "not a duration");
    expect_bad(":30", LK_FORMAT_DURATION, &comma, "not a duration");
    expect_bad("7:30", LK_FORMAT_NUMBER, &comma, "\"format\": \"duration\"");
}

static void test_machine_numbers(void)
{
    lk_decimal v;
    CU_ASSERT(lk_parse_machine_number("7.5", &v) && v == 7500000);
    CU_ASSERT(lk_parse_machine_number("1E-3", &v) && v == 1000);
    CU_ASSERT(lk_parse_machine_number("1.5E+2", &v) && v == 150000000);
    CU_ASSERT(lk_parse_machine_number("7.4999999999999997E-2", &v) && v == 75000);
    CU_ASSERT(lk_parse_machine_number("0.30000000000000004", &v) && v == 300000);
    CU_ASSERT(lk_parse_machine_number("-0", &v) && v == 0);
    CU_ASSERT(lk_parse_machine_number("1E-30", &v) && v == 0);
    CU_ASSERT(lk_parse_machine_number("0.0000005", &v) && v == 1);
    CU_ASSERT_FALSE(lk_parse_machine_number("1e400", &v));
    /* past a double's range downwards: out of range, not a quiet 0 */
    CU_ASSERT_FALSE(lk_parse_machine_number("1e-400", &v));
    CU_ASSERT_FALSE(lk_parse_machine_number("-2.5E-309", &v));
    CU_ASSERT(lk_parse_machine_number("2.5E-300", &v) && v == 0); /* a double: rounds to 0 */
    CU_ASSERT(lk_parse_machine_number("0E-400", &v) && v == 0);   /* zero is zero */
    CU_ASSERT_FALSE(lk_parse_machine_number("123456789012345678901234", &v));
    CU_ASSERT_FALSE(lk_parse_machine_number("abc", &v));
    CU_ASSERT_FALSE(lk_parse_machine_number("7,5", &v));
    CU_ASSERT_FALSE(lk_parse_machine_number("", &v));
    CU_ASSERT_FALSE(lk_parse_machine_number("1e", &v));
}

static void test_xlsx_cells(void)
{
    lk_decimal v;
    char msg[400];
    /* a number cell is its stored text, not re-read with the file's decimal comma */
    lk_cell n = { LK_CELL_NUMBER, "7.5", 3, 7.5, 0, 0, 0, 0, 0, 0 };
    CU_ASSERT_EQUAL(lk_parse_value(&n, LK_FORMAT_NUMBER, &comma, &v, msg, 400), LK_PARSE_OK);
    CU_ASSERT_EQUAL(v, 7500000);
    lk_cell big = { LK_CELL_NUMBER, "1234.5", 6, 1234.5, 0, 0, 0, 0, 0, 0 };
    CU_ASSERT_EQUAL(lk_parse_value(&big, LK_FORMAT_NUMBER, &comma, &v, msg, 400), LK_PARSE_OK);
    CU_ASSERT_EQUAL(v, 1234500000);
    lk_cell time = { LK_CELL_DATE, "0.3125", 6, 0.3125, 1899, 12, 30, 7, 30, 0 };
    CU_ASSERT_EQUAL(lk_parse_value(&time, LK_FORMAT_DURATION, &comma, &v, msg, 400), LK_PARSE_OK);
    CU_ASSERT_EQUAL(v, 7500000);
    lk_cell date = { LK_CELL_DATE, "46354", 5, 46354, 2026, 11, 28, 0, 0, 0 };
    CU_ASSERT_EQUAL(lk_parse_value(&date, LK_FORMAT_NUMBER, &comma, &v, msg, 400), LK_PARSE_BAD);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "2026-11-28"));
    lk_cell b = { LK_CELL_BOOL, "TRUE", 4, 1, 0, 0, 0, 0, 0, 0 };
    CU_ASSERT_EQUAL(lk_parse_value(&b, LK_FORMAT_NUMBER, &comma, &v, msg, 400), LK_PARSE_BAD);
    lk_cell e = { LK_CELL_ERROR, "#DIV/0!", 7, 0, 0, 0, 0, 0, 0, 0 };
    CU_ASSERT_EQUAL(lk_parse_value(&e, LK_FORMAT_NUMBER, &comma, &v, msg, 400), LK_PARSE_BAD);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "#DIV/0!"));
    lk_cell s = { LK_CELL_STRING, "7,5", 3, 0, 0, 0, 0, 0, 0, 0 };
    CU_ASSERT_EQUAL(lk_parse_value(&s, LK_FORMAT_NUMBER, &comma, &v, msg, 400), LK_PARSE_OK);
    CU_ASSERT_EQUAL(v, 7500000);
}

static void expect_date(const char *t, int y, int m, int d)
{
    lk_cell c = { LK_CELL_STRING, t, strlen(t), 0, 0, 0, 0, 0, 0, 0 };
    int yy = 0, mm = 0, dd = 0;
    char msg[400] = "";
    CU_ASSERT_EQUAL(lk_parse_date(&c, &yy, &mm, &dd, msg, sizeof(msg)), LK_PARSE_OK);
    CU_ASSERT(yy == y && mm == m && dd == d);
    if (yy != y || mm != m || dd != d)
        fprintf(stderr, "\n  \"%s\" -> %d-%d-%d (%s)\n", t, yy, mm, dd, msg);
}

static void expect_bad_date(const char *t)
{
    lk_cell c = { LK_CELL_STRING, t, strlen(t), 0, 0, 0, 0, 0, 0, 0 };
    int y, m, d;
    char msg[400];
    CU_ASSERT_EQUAL(lk_parse_date(&c, &y, &m, &d, msg, sizeof(msg)), LK_PARSE_BAD);
}

static void test_dates(void)
{
    expect_date("28-11-2026", 2026, 11, 28);
    expect_date("2026-11-28", 2026, 11, 28);
    expect_date("28/11/2026", 2026, 11, 28);
    expect_date("28.11.2026", 2026, 11, 28);
    expect_date("1-2-2026", 2026, 2, 1);
    expect_date(" 28-11-2026 00:00", 2026, 11, 28);
    expect_date("2026-11-28T08:00:00", 2026, 11, 28);
    expect_date("29-02-2028", 2028, 2, 29);
    expect_bad_date("31-11-2026");
    expect_bad_date("29-02-2026");
    expect_bad_date("28-11-26");
    expect_bad_date("28-11/2026");
    expect_bad_date("2026/11/28");
    expect_bad_date("morgen");
    expect_bad_date("28-11-2026x");
    expect_bad_date("00-11-2026");
    int y, m, d;
    char msg[400];
    lk_cell blank = { LK_CELL_STRING, "  ", 2, 0, 0, 0, 0, 0, 0, 0 };
    CU_ASSERT_EQUAL(lk_parse_date(&blank, &y, &m, &d, msg, 400), LK_PARSE_BLANK);
    lk_cell serial = { LK_CELL_NUMBER, "46354", 5, 46354, 0, 0, 0, 0, 0, 0 };
    CU_ASSERT_EQUAL(lk_parse_date(&serial, &y, &m, &d, msg, 400), LK_PARSE_OK);
    CU_ASSERT(y == 2026 && m == 11 && d == 28);
    lk_cell serial_time = { LK_CELL_NUMBER, "46354.75", 8, 46354.75, 0, 0, 0, 0, 0, 0 };
    CU_ASSERT_EQUAL(lk_parse_date(&serial_time, &y, &m, &d, msg, 400), LK_PARSE_OK);
    CU_ASSERT(y == 2026 && m == 11 && d == 28);
    lk_cell leap1900 = { LK_CELL_NUMBER, "60", 2, 60, 0, 0, 0, 0, 0, 0 };
    CU_ASSERT_EQUAL(lk_parse_date(&leap1900, &y, &m, &d, msg, 400), LK_PARSE_BAD);
    lk_cell date = { LK_CELL_DATE, "46354", 5, 46354, 2026, 11, 3, 0, 0, 0 };
    CU_ASSERT_EQUAL(lk_parse_date(&date, &y, &m, &d, msg, 400), LK_PARSE_OK);
    CU_ASSERT(y == 2026 && m == 11 && d == 3);
}

static void test_periods(void)
{
    lk_period_ref p;
    CU_ASSERT(lk_parse_period("2026-11", &p) && p.kind == LK_PERIOD_MONTH && p.year == 2026 &&
              p.number == 11);
    CU_ASSERT(lk_parse_period("2026-P11", &p) && p.kind == LK_PERIOD_NUMBER && p.number == 11);
    CU_ASSERT(lk_parse_period("2026-p5", &p) && p.kind == LK_PERIOD_NUMBER && p.number == 5);
    CU_ASSERT(lk_parse_period("2026P53", &p) && p.kind == LK_PERIOD_NUMBER && p.number == 53);
    CU_ASSERT(lk_parse_period(" 2026-1 ", &p) && p.kind == LK_PERIOD_MONTH && p.number == 1);
    /* weeks by their number, as a weekly administration names its periods */
    CU_ASSERT(lk_parse_period("2026-W47", &p) && p.kind == LK_PERIOD_WEEK && p.year == 2026 &&
              p.number == 47);
    CU_ASSERT(lk_parse_period("2026w3", &p) && p.kind == LK_PERIOD_WEEK && p.number == 3);
    CU_ASSERT(lk_parse_period("2026-W53", &p) && p.kind == LK_PERIOD_WEEK && p.number == 53);
    char code[16];
    CU_ASSERT_STRING_EQUAL(lk_period_ref_format(&p, code), "2026-W53");
    CU_ASSERT_FALSE(lk_parse_period("2026-W54", &p));
    CU_ASSERT_FALSE(lk_parse_period("2026-W0", &p));
    CU_ASSERT_FALSE(lk_parse_period("2026-WP1", &p));
    CU_ASSERT_FALSE(lk_parse_period("2026-13", &p));
    CU_ASSERT_FALSE(lk_parse_period("2026-P54", &p));
    CU_ASSERT_FALSE(lk_parse_period("2026-0", &p));
    CU_ASSERT_FALSE(lk_parse_period("26-11", &p));
    CU_ASSERT_FALSE(lk_parse_period("2026-11-01", &p));
    CU_ASSERT_FALSE(lk_parse_period("november", &p));
    CU_ASSERT_FALSE(lk_parse_period("", &p));
}

static void test_whole_numbers(void)
{
    long v;
    char msg[400];
    lk_cell a = { LK_CELL_STRING, " 01001 ", 7, 0, 0, 0, 0, 0, 0, 0 };
    CU_ASSERT(lk_parse_whole(&a, 999999, &v, msg, 400) == LK_PARSE_OK && v == 1001);
    lk_cell n = { LK_CELL_NUMBER, "1001", 4, 1001, 0, 0, 0, 0, 0, 0 };
    CU_ASSERT(lk_parse_whole(&n, 999999, &v, msg, 400) == LK_PARSE_OK && v == 1001);
    lk_cell frac = { LK_CELL_NUMBER, "1001.5", 6, 1001.5, 0, 0, 0, 0, 0, 0 };
    CU_ASSERT_EQUAL(lk_parse_whole(&frac, 999999, &v, msg, 400), LK_PARSE_BAD);
    const char *bad[] = { "10O1", "0", "-5", "1001,0", "1000000", "12 34", NULL };
    for (int i = 0; bad[i]; i++) {
        lk_cell c = { LK_CELL_STRING, bad[i], strlen(bad[i]), 0, 0, 0, 0, 0, 0, 0 };
        CU_ASSERT_EQUAL(lk_parse_whole(&c, 999999, &v, msg, 400), LK_PARSE_BAD);
    }
    lk_cell e = { LK_CELL_EMPTY, "", 0, 0, 0, 0, 0, 0, 0, 0 };
    CU_ASSERT_EQUAL(lk_parse_whole(&e, 999999, &v, msg, 400), LK_PARSE_BLANK);
}

static void test_evidence(void)
{
    CU_ASSERT_EQUAL(lk_number_evidence("7,5"), ',');
    CU_ASSERT_EQUAL(lk_number_evidence("7.5"), '.');
    CU_ASSERT_EQUAL(lk_number_evidence("-3,25"), ',');
    CU_ASSERT_EQUAL(lk_number_evidence("1.234"), 0);
    CU_ASSERT_EQUAL(lk_number_evidence("1,234"), 0);
    CU_ASSERT_EQUAL(lk_number_evidence("1.234,50"), ',');
    CU_ASSERT_EQUAL(lk_number_evidence("1,234.50"), '.');
    CU_ASSERT_EQUAL(lk_number_evidence("1.234.567"), ',');
    CU_ASSERT_EQUAL(lk_number_evidence("1,234,567"), '.');
    CU_ASSERT_EQUAL(lk_number_evidence("28.11.2026"), 0);
    CU_ASSERT_EQUAL(lk_number_evidence("1001"), 0);
    CU_ASSERT_EQUAL(lk_number_evidence("Jansen, J."), 0);
    CU_ASSERT_EQUAL(lk_number_evidence("12,5%"), ',');
    CU_ASSERT_EQUAL(lk_number_evidence(""), 0);
}

static void test_trim(void)
{
    char buf[8];
    CU_ASSERT_STRING_EQUAL(lk_cell_trim("  a b \t", buf, sizeof(buf)), "a b");
    CU_ASSERT_STRING_EQUAL(lk_cell_trim("\xe2\x80\xaf" "x" "\xc2\xa0", buf, sizeof(buf)), "x");
    CU_ASSERT_STRING_EQUAL(lk_cell_trim("abcdefghijk", buf, sizeof(buf)), "abcdefg");
    CU_ASSERT_STRING_EQUAL(lk_cell_trim(NULL, buf, sizeof(buf)), "");
}

/* The fast path for plain numbers gives what the general parser gives, or steps aside:
 * 50,000 generated texts near its edges (signs, leading zeros, 12/13 whole digits, 6/7
 * decimals, either separator, stray characters). */
static void test_plain_fast_path(void)
{
    static const char alphabet[] = "0123456789,.-+ x";
    unsigned long x = 88172645463325252UL;
    unsigned taken = 0;
    for (int i = 0; i < 50000; i++) {
        char t[32];
        size_t n = 0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        size_t len = 1 + x % 22;
        unsigned long y = x;
        for (size_t k = 0; k < len; k++) {
            /* mostly digits, so that many texts are plain */
            unsigned r = (unsigned)(y % 64);
            y = y / 64 ? y / 64 : x * 2654435761UL + k;
            t[n++] = r < 48 ? (char)('0' + r % 10) : alphabet[r % (sizeof(alphabet) - 1)];
        }
        t[n] = '\0';
        for (int s = 0; s < 2; s++) {
            lk_number_style style = { s ? ',' : '.', s ? '.' : ',' };
            lk_decimal fast = 0, slow = 0;
            char msg[200];
            if (!lk_parse_plain(t, n, style.decimal, &fast))
                continue;
            taken++;
            lk_parse_result pr = lk_parse_number_text(t, LK_FORMAT_NUMBER, &style, &slow, msg,
                                                      sizeof(msg));
            CU_ASSERT_EQUAL(pr, LK_PARSE_OK);
            if (pr != LK_PARSE_OK || fast != slow)
                fprintf(stderr, "\n  \"%s\" (decimal %c): fast %lld, general %lld\n", t,
                        style.decimal, (long long)fast, (long long)slow);
            CU_ASSERT_EQUAL(fast, slow);
        }
    }
    CU_ASSERT(taken > 10000);   /* the generator does reach the fast path */
}

static const lk_test tests[] = {
    { "decimal comma", test_decimal_comma },
    { "the plain-number fast path agrees with the general parser", test_plain_fast_path },
    { "decimal point", test_decimal_point },
    { "blank cells", test_blank },
    { "rounding and range", test_rounding_and_range },
    { "percentages", test_percent },
    { "durations", test_duration },
    { "machine numbers", test_machine_numbers },
    { "xlsx cells", test_xlsx_cells },
    { "dates", test_dates },
    { "periods", test_periods },
    { "whole numbers", test_whole_numbers },
    { "convention evidence", test_evidence },
    { "trim", test_trim },
    { NULL, NULL },
};

int main(void)
{
    return lk_test_main("value", tests);
}
