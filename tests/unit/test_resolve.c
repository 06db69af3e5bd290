/*
 * test_resolve.c: the engine's pure decisions: period choice per calendar (month, period number,
 * date bucketing, a month for a 4-weekly administration), the active employment (left, starting
 * mid-period, two concurrent ones), record key fields by key/code/description, the record key
 * text, and the diff.
 */
#include "common/util.h"
#include "engine/resolve.h"
#include "support/cunit_main.h"

#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------- calendars */

static lk_period_list *monthly(int year)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    lk_period_list *l = xcalloc(1, sizeof *l);
    l->items = xcalloc(12, sizeof *l->items);
    l->n = 12;
    for (int m = 1; m <= 12; m++) {
        lk_period *p = &l->items[m - 1];
        p->id = year * 100 + m;
        p->year = year;
        p->period_number = m;
        lk_date_text(year, m, 1, p->start_date);
        lk_date_text(year, m, days[m - 1], p->end_date);
        p->approved = m <= 10;
    }
    return l;
}

/* 13 periods of 28 days from 2026-01-05 (Mondays), like a 4-weekly administration. */
static lk_period_list *four_weekly(void)
{
    static const char *starts[] = { "2026-01-05", "2026-02-02", "2026-03-02", "2026-03-30",
                                    "2026-04-27", "2026-05-25", "2026-06-22", "2026-07-20",
                                    "2026-08-17", "2026-09-14", "2026-10-12", "2026-11-09",
                                    "2026-12-07" };
    static const char *ends[] = { "2026-02-01", "2026-03-01", "2026-03-29", "2026-04-26",
                                  "2026-05-24", "2026-06-21", "2026-07-19", "2026-08-16",
                                  "2026-09-13", "2026-10-11", "2026-11-08", "2026-12-06",
                                  "2027-01-03" };
    lk_period_list *l = xcalloc(1, sizeof *l);
    l->items = xcalloc(13, sizeof *l->items);
    l->n = 13;
    for (int i = 0; i < 13; i++) {
        l->items[i].id = 202600 + i + 1;
        l->items[i].year = 2026;
        l->items[i].period_number = i + 1;
        snprintf(l->items[i].start_date, 11, "%s", starts[i]);
        snprintf(l->items[i].end_date, 11, "%s", ends[i]);
    }
    return l;
}

static void test_period_month(void)
{
    lk_period_list *l = monthly(2026);
    lk_period_ref ref = { LK_PERIOD_MONTH, 2026, 11, 0, 0 };
    lk_error err;
    lk_error_clear(&err);
    const lk_period *p = lk_period_pick(l, &ref, "maandloon", "Maand", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(p->id, 202611);
    CU_ASSERT_STRING_EQUAL(p->end_date, "2026-11-30");
    /* a year the administration has no calendar for */
    ref.year = 2031;
    CU_ASSERT_PTR_NULL(lk_period_pick(l, &ref, "maandloon", "Maand", &err));
    CU_ASSERT_EQUAL(err.code, LK_ERR_NOT_FOUND);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "no payroll period 2031-11"));
    lk_period_list_free(l);
}

static void test_period_month_of_four_weekly_is_an_error(void)
{
    lk_period_list *l = four_weekly();
    lk_period_ref ref = { LK_PERIOD_MONTH, 2026, 11, 0, 0 };
    lk_error err;
    lk_error_clear(&err);
    CU_ASSERT_PTR_NULL(lk_period_pick(l, &ref, "Van den Berg 4-weken", "4 weken", &err));
    CU_ASSERT_EQUAL(err.code, LK_ERR_INPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "2026-PNN"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "Van den Berg 4-weken"));
    lk_period_list_free(l);
}

/* The date `days` days after December 0th of 2025 (1 = 2025-12-01), into buf (11 bytes). */
static void date_after(int days, char *buf)
{
    static const int mdays[] = { 31, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 31 };
    int y = 2025, m = 12, mi = 0;
    while (days > mdays[mi]) {
        days -= mdays[mi++];
        m = m == 12 ? 1 : m + 1;
        if (m == 1)
            y++;
    }
    lk_date_text(y, m, days, buf);
}

/* 53 weekly periods of 2026, Monday 2025-12-29 to Sunday, like a weekly administration. */
static lk_period_list *weekly(void)
{
    lk_period_list *l = xcalloc(1, sizeof *l);
    l->items = xcalloc(53, sizeof *l->items);
    l->n = 53;
    for (int i = 0; i < 53; i++) {
        lk_period *p = &l->items[i];
        p->id = 202600 + i + 1;
        p->year = 2026;
        p->period_number = i + 1;
        date_after(29 + 7 * i, p->start_date);
        date_after(29 + 7 * i + 6, p->end_date);
    }
    return l;
}

static void test_period_week(void)
{
    lk_period_list *l = weekly();
    lk_period_ref ref = { LK_PERIOD_WEEK, 2026, 47, 0, 0 };
    lk_error err;
    lk_error_clear(&err);
    const lk_period *p = lk_period_pick(l, &ref, "weekloon", "Week", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(p->id, 202647);
    CU_ASSERT_STRING_EQUAL(p->start_date, "2026-11-16");
    CU_ASSERT_STRING_EQUAL(p->end_date, "2026-11-22");
    ref.number = 53;
    p = lk_period_pick(l, &ref, "weekloon", "Week", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(p->period_number, 53);
    ref.year = 2027;
    CU_ASSERT_PTR_NULL(lk_period_pick(l, &ref, "weekloon", "Week", &err));
    CU_ASSERT_EQUAL(err.code, LK_ERR_NOT_FOUND);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "2027-W53"));
    lk_period_list_free(l);
}

static void test_period_week_of_monthly_is_an_error(void)
{
    lk_period_list *l = monthly(2026);
    lk_period_ref ref = { LK_PERIOD_WEEK, 2026, 11, 0, 0 };
    lk_error err;
    lk_error_clear(&err);
    /* week 11 is not period 11 (November) of a monthly administration */
    CU_ASSERT_PTR_NULL(lk_period_pick(l, &ref, "maandloon", "Maand", &err));
    CU_ASSERT_EQUAL(err.code, LK_ERR_INPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "2026-W11 is a week"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "maandloon pays per month"));
    /* a period number names it whatever the calendar */
    ref.kind = LK_PERIOD_NUMBER;
    const lk_period *p = lk_period_pick(l, &ref, "maandloon", "Maand", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(p->id, 202611);
    lk_period_list_free(l);
}

static void test_period_number_and_date(void)
{
    lk_period_list *l = four_weekly();
    lk_error err;
    lk_error_clear(&err);
    lk_period_ref num = { LK_PERIOD_NUMBER, 2026, 12, 0, 0 };
    const lk_period *p = lk_period_pick(l, &num, "x", NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_STRING_EQUAL(p->start_date, "2026-11-09");
    /* dates fall into the administration's own periods, edges included */
    lk_period_ref d = { LK_PERIOD_DATE, 2026, 0, 11, 8 };
    p = lk_period_pick(l, &d, "x", NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(p->period_number, 11);
    d.day = 9;
    p = lk_period_pick(l, &d, "x", NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(p->period_number, 12);
    /* the last period of 2026 runs into 2027: a January date belongs to it */
    lk_period_ref jan = { LK_PERIOD_DATE, 2027, 0, 1, 2 };
    p = lk_period_pick(l, &jan, "x", NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(p->id, 202613);
    /* a period number past the calendar, and no period at all */
    num.number = 14;
    CU_ASSERT_PTR_NULL(lk_period_pick(l, &num, "x", NULL, &err));
    lk_period_ref none = { LK_PERIOD_NONE, 0, 0, 0, 0 };
    CU_ASSERT_PTR_NULL(lk_period_pick(l, &none, "x", NULL, &err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "--period"));
    lk_period_list_free(l);
}

/* ---------------------------------------------------------------- employments */

static lk_employment employment(const char *id, long pid, const char *start, const char *end)
{
    lk_employment e;
    memset(&e, 0, sizeof e);
    e.id = (char *)id;
    e.employee_number = 1007;
    e.payroll_id = pid;
    e.income_relationship_number = pid;
    snprintf(e.start_date, sizeof e.start_date, "%s", start);
    snprintf(e.end_date, sizeof e.end_date, "%s", end);
    return e;
}

static void test_employment_choice(void)
{
    lk_period_list *l = monthly(2026);
    const lk_period *nov = &l->items[10];
    lk_error err;
    lk_error_clear(&err);

    /* left on 2026-09-30: not active in November, and the error says so */
    lk_employment left = employment("a", 1, "2015-01-01", "2026-09-30");
    lk_employment_candidate c1[] = { { &left, nov, NULL } };
    CU_ASSERT_EQUAL(lk_employment_choose(c1, 1, 1019, 0, 0, "2026-11", &err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "employee 1019"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "2026-11"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "left on 2026-09-30"));

    /* starting 2026-11-16 is active in November (any day of the period counts) */
    lk_employment starts = employment("b", 1, "2026-11-16", "");
    lk_employment_candidate c2[] = { { &starts, nov, NULL } };
    CU_ASSERT_EQUAL(lk_employment_choose(c2, 1, 1024, 0, 0, "2026-11", &err), 0);
    /* ... but not in October */
    lk_employment_candidate c2o[] = { { &starts, &l->items[9], NULL } };
    CU_ASSERT_EQUAL(lk_employment_choose(c2o, 1, 1024, 0, 0, "2026-10", &err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "starts on 2026-11-16"));

    /* two concurrent employments: ambiguous without payrollId, chosen with it */
    lk_employment e1 = employment("e1", 1, "2020-01-01", ""), e2 = employment("e2", 2, "2022-01-01", "");
    lk_employment_candidate c3[] = { { &e1, nov, NULL }, { &e2, nov, NULL } };
    CU_ASSERT_EQUAL(lk_employment_choose(c3, 2, 1007, 0, 0, "2026-11", &err), -1);
    CU_ASSERT_EQUAL(err.code, LK_ERR_INPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "payrollId 1"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "payrollId 2"));
    CU_ASSERT_EQUAL(lk_employment_choose(c3, 2, 1007, 2, 0, "2026-11", &err), 1);
    CU_ASSERT_EQUAL(lk_employment_choose(c3, 2, 1007, 0, 1, "2026-11", &err), 0);
    CU_ASSERT_EQUAL(lk_employment_choose(c3, 2, 1007, 3, 0, "2026-11", &err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "payrollId 3"));

    /* an old ended employment and a new one: the active one wins without a payrollId */
    lk_employment old = employment("o", 1, "2010-01-01", "2019-12-31");
    lk_employment_candidate c4[] = { { &old, nov, NULL }, { &e2, nov, NULL } };
    CU_ASSERT_EQUAL(lk_employment_choose(c4, 2, 1007, 0, 0, "2026-11", &err), 1);

    /* nobody at all */
    CU_ASSERT_EQUAL(lk_employment_choose(NULL, 0, 4242, 0, 0, "2026-11", &err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "4242"));
    lk_period_list_free(l);
}

/* ---------------------------------------------------------------- record key */

static lk_meta_ref opt(bool is_int, long key, const char *key_text, const char *code,
                       const char *desc)
{
    lk_meta_ref r;
    memset(&r, 0, sizeof r);
    r.present = true;
    r.key_is_int = is_int;
    r.key = key;
    r.key_text = (char *)key_text;
    r.code = (char *)code;
    r.description = (char *)desc;
    return r;
}

static void test_record_key_fields(void)
{
    lk_meta_ref cc[] = { opt(true, 1, "1", "PROD", "Productie"), opt(true, 2, "2", "VERK", "Verkoop") };
    lk_meta_ref du[] = { opt(false, 0, "579d-uuid", "1", "BAK"), opt(false, 0, "5b4c-uuid", "2", "WINKEL") };
    lk_meta_ref cu[] = { opt(true, 1, "1", "01", "Vaste klanten"), opt(true, 2, "2", "02", "Projecten") };
    lk_metadata_field fields[] = { { (char *)"costCenter", cc, 2 },
                                   { (char *)"distributionUnit", du, 2 },
                                   { (char *)"costUnit", cu, 2 } };
    lk_metadata md = { fields, 3 };
    lk_ref by_code = { LK_REF_CODE, 0, (char *)"verk" };
    const lk_meta_ref *r = lk_meta_option_find(&md, "costCenter", &by_code);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->key, 2);
    /* distribution units are known by their name (the description) */
    lk_ref winkel = { LK_REF_CODE, 0, (char *)"WINKEL" };
    r = lk_meta_option_find(&md, "distributionUnit", &winkel);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_STRING_EQUAL(r->key_text, "5b4c-uuid");
    /* code "02" is cost unit 2, key 1 is cost unit 1: never mixed up */
    lk_ref code02 = { LK_REF_CODE, 0, (char *)"02" };
    lk_ref key1 = { LK_REF_KEY, 1, NULL };
    CU_ASSERT_EQUAL(lk_meta_option_find(&md, "costUnit", &code02)->key, 2);
    CU_ASSERT_EQUAL(lk_meta_option_find(&md, "costUnit", &key1)->key, 1);
    /* unknown code, unknown field, default */
    lk_ref nope = { LK_REF_CODE, 0, (char *)"NOPE" };
    lk_ref def = { LK_REF_DEFAULT, 0, NULL };
    CU_ASSERT_PTR_NULL(lk_meta_option_find(&md, "costCenter", &nope));
    CU_ASSERT_PTR_NULL(lk_meta_option_find(&md, "shift", &by_code));
    CU_ASSERT_PTR_NULL(lk_meta_option_find(&md, "costCenter", &def));
}

static void test_record_key_text(void)
{
    lk_key_fields k = { "1", "1", NULL, "2", NULL };
    char *t = lk_record_key_text(202611, &k);
    CU_ASSERT_STRING_EQUAL(t, "202611|shift=1|payslipType=1|distributionUnit=-|costCenter=2|costUnit=-");
    free(t);
    /* every field takes part: another cost unit is another record */
    lk_key_fields k2 = { "1", "1", NULL, "2", "1" };
    char *t2 = lk_record_key_text(202611, &k2);
    lk_key_fields k3 = { "1", "1", NULL, "2", "2" };
    char *t3 = lk_record_key_text(202611, &k3);
    CU_ASSERT_STRING_NOT_EQUAL(t2, t3);
    free(t2);
    free(t3);
}

/* ---------------------------------------------------------------- diff */

static void test_diff(void)
{
    lk_component_value held[] = {
        { 10, NULL, true, 152 * LK_DECIMAL_SCALE, true, false },
        { 20, NULL, true, 38525 * (LK_DECIMAL_SCALE / 100), true, false },
        { 14, NULL, false, 0, false, false },
    };
    lk_period_data_record rec;
    memset(&rec, 0, sizeof rec);
    rec.components = held;
    rec.ncomponents = 3;

    /* nothing in Loket: create, no old values */
    lk_diff_value v1[] = { { 10, false, 166 * LK_DECIMAL_SCALE, false, false, 0, false } };
    CU_ASSERT_EQUAL(lk_diff_values(v1, 1, NULL, NULL, false, NULL), LK_DIFF_CREATE);
    CU_ASSERT_FALSE(v1[0].has_old);
    CU_ASSERT_TRUE(v1[0].changed);

    /* 152 -> 166 changes, 385.25 -> 385.25 does not, 14 (empty) -> 4 does */
    lk_diff_value v2[] = { { 10, false, 166 * LK_DECIMAL_SCALE, false, false, 0, false },
                           { 20, false, 38525 * (LK_DECIMAL_SCALE / 100), false, false, 0, false },
                           { 14, false, 4 * LK_DECIMAL_SCALE, false, false, 0, false } };
    CU_ASSERT_EQUAL(lk_diff_values(v2, 3, &rec, NULL, false, NULL), LK_DIFF_CHANGE);
    CU_ASSERT_TRUE(v2[0].has_old);
    CU_ASSERT_EQUAL(v2[0].old, 152 * LK_DECIMAL_SCALE);
    CU_ASSERT_TRUE(v2[0].changed);
    CU_ASSERT_FALSE(v2[1].changed);
    CU_ASSERT_FALSE(v2[2].has_old);
    CU_ASSERT_TRUE(v2[2].changed);

    /* the same values: unchanged; 0 is a value, not "nothing" */
    lk_diff_value v3[] = { { 10, false, 152 * LK_DECIMAL_SCALE, false, false, 0, false } };
    CU_ASSERT_EQUAL(lk_diff_values(v3, 1, &rec, NULL, false, NULL), LK_DIFF_SAME);
    lk_diff_value v4[] = { { 14, false, 0, false, false, 0, false } };
    CU_ASSERT_EQUAL(lk_diff_values(v4, 1, &rec, NULL, false, NULL), LK_DIFF_CHANGE);

    /* null removes: a change only when Loket holds a value */
    lk_diff_value v5[] = { { 14, true, 0, false, false, 0, false } };
    CU_ASSERT_EQUAL(lk_diff_values(v5, 1, &rec, NULL, false, NULL), LK_DIFF_SAME);
    lk_diff_value v6[] = { { 10, true, 0, false, false, 0, false } };
    CU_ASSERT_EQUAL(lk_diff_values(v6, 1, &rec, NULL, false, NULL), LK_DIFF_CHANGE);

    /* a supplement where Loket holds a plain value is a change */
    lk_diff_value v7[] = { { 10, false, 152 * LK_DECIMAL_SCALE, true, false, 0, false } };
    CU_ASSERT_EQUAL(lk_diff_values(v7, 1, &rec, NULL, false, NULL), LK_DIFF_CHANGE);

    /* a payslip text the listing cannot show: sent */
    CU_ASSERT_EQUAL(lk_diff_values(v3, 1, &rec, "Bonus nov", false, NULL), LK_DIFF_CHANGE);
    CU_ASSERT_EQUAL(lk_diff_values(v3, 1, &rec, "Bonus nov", true, "Bonus nov"), LK_DIFF_SAME);
}

static const lk_test tests[] = {
    { "period: month of a monthly administration", test_period_month },
    { "period: a month for a 4-weekly administration", test_period_month_of_four_weekly_is_an_error },
    { "period: number and date bucketing", test_period_number_and_date },
    { "period: week number of a weekly administration", test_period_week },
    { "period: a week for a monthly administration", test_period_week_of_monthly_is_an_error },
    { "employment: active one, left, starting, concurrent", test_employment_choice },
    { "record key: by key, code, description", test_record_key_fields },
    { "record key: canonical text", test_record_key_text },
    { "diff: create, change, same, null, supplement", test_diff },
    { NULL, NULL },
};

int main(void)
{
    return lk_test_main("resolve", tests);
}
