/*
 * test_watch_order.c: the order stage of 'watch' without a folder: a file's scope from what
 * 'validate --json' read, whether two files touch the same employees and periods (periods and
 * employers a file does not name touch every one), the text form kept on disk, and which
 * earlier registry record makes a file dropped again older than later imports.
 */
#include "support/cunit_main.h"
#include "watch/watch.h"

#include <stdlib.h>
#include <string.h>

static const char *two_employees =
    "{\"entries\": ["
    "{\"employer\": \"40101\", \"employeeNumber\": 1001, \"period\": \"2026-11\"},"
    "{\"employer\": \"40101\", \"employeeNumber\": 1001, \"period\": \"2026-11\"},"
    "{\"employer\": \"40101\", \"employeeNumber\": 1002, \"period\": \"2026-11\"}]}";

static void test_scope_from_validate(void)
{
    lk_watch_scope s;
    lk_watch_scope_from_validate(two_employees, NULL, &s);
    CU_ASSERT_FALSE(s.all);
    CU_ASSERT_EQUAL(s.n, 2); /* one key per employee and period, however many components */
    CU_ASSERT_STRING_EQUAL(s.keys[0], "n1001\t2026-11\t40101");
    lk_watch_scope_free(&s);
    /* the rule's employer wins; a missing period is every period */
    lk_watch_scope_from_validate("{\"entries\": [{\"employeeNumber\": 7, \"period\": null}]}",
                                 "40102", &s);
    CU_ASSERT_EQUAL(s.n, 1);
    CU_ASSERT_STRING_EQUAL(s.keys[0], "n7\t*\t40102");
    lk_watch_scope_free(&s);
    /* nothing readable (the reader crashed, not JSON): every record */
    lk_watch_scope_from_validate("Segmentation fault", NULL, &s);
    CU_ASSERT_TRUE(s.all);
    lk_watch_scope_free(&s);
    lk_watch_scope_from_validate(NULL, NULL, &s);
    CU_ASSERT_TRUE(s.all);
    lk_watch_scope_free(&s);
    /* an entry naming no employee might touch any */
    lk_watch_scope_from_validate("{\"entries\": [{\"employeeNumber\": 7}, {\"period\": \"2026-11\"}]}",
                                 NULL, &s);
    CU_ASSERT_TRUE(s.all);
    lk_watch_scope_free(&s);
    /* a file without data rows touches nothing */
    lk_watch_scope_from_validate("{\"entries\": []}", NULL, &s);
    CU_ASSERT_FALSE(s.all);
    CU_ASSERT_EQUAL(s.n, 0);
    lk_watch_scope_free(&s);
}

static void scope_of(const char *text, lk_watch_scope *s)
{
    lk_watch_scope_from_text(text, s);
}

static void test_scope_overlap(void)
{
    lk_watch_scope a, b, c, common;
    char desc[200];
    scope_of("n1001\t2026-11\t40101\nn1002\t2026-11\t40101\n", &a);
    /* another period of the same employees: no overlap */
    scope_of("n1001\t2026-12\t40101\nn1002\t2026-10\t40101\n", &b);
    CU_ASSERT_EQUAL(lk_watch_scope_overlap(&a, &b, NULL), 0);
    lk_watch_scope_free(&b);
    /* another employer with the same employee numbers: no overlap */
    scope_of("n1001\t2026-11\t40102\n", &b);
    CU_ASSERT_EQUAL(lk_watch_scope_overlap(&a, &b, NULL), 0);
    lk_watch_scope_free(&b);
    /* one shared record, named */
    scope_of("n1000\t2026-11\t40101\nn1002\t2026-11\t40101\nn1003\t2026-11\t40101\n", &b);
    CU_ASSERT_EQUAL(lk_watch_scope_overlap(&a, &b, &common), 1);
    lk_watch_scope_describe(&common, 5, desc, sizeof desc);
    CU_ASSERT_STRING_EQUAL(desc, "employee 1002, 2026-11, employer 40101");
    lk_watch_scope_free(&common);
    lk_watch_scope_free(&b);
    /* a period or employer the file does not name touches every one */
    scope_of("n1001\t*\t*\n", &b);
    CU_ASSERT_EQUAL(lk_watch_scope_overlap(&a, &b, NULL), 1);
    lk_watch_scope_free(&b);
    /* employee 10010 is not employee 1001 */
    scope_of("n10010\t2026-11\t40101\nn100\t2026-11\t40101\n", &b);
    CU_ASSERT_EQUAL(lk_watch_scope_overlap(&a, &b, NULL), 0);
    lk_watch_scope_free(&b);
    /* unknown touches everything, except a file with no records */
    scope_of("*\n", &b);
    CU_ASSERT_TRUE(b.all);
    CU_ASSERT_EQUAL(lk_watch_scope_overlap(&a, &b, NULL), 2);
    scope_of("", &c);
    CU_ASSERT_EQUAL(lk_watch_scope_overlap(&c, &b, NULL), 0);
    lk_watch_scope_free(&c);
    lk_watch_scope_free(&b);
    lk_watch_scope_free(&a);
}

static void test_scope_text_roundtrip(void)
{
    lk_watch_scope a, b;
    char *text;
    lk_watch_scope_from_validate(two_employees, NULL, &a);
    text = lk_watch_scope_to_text(&a);
    lk_watch_scope_from_text(text, &b);
    CU_ASSERT_EQUAL(b.n, a.n);
    CU_ASSERT_STRING_EQUAL(b.keys[1], a.keys[1]);
    free(text);
    lk_watch_scope_free(&b);
    a.all = 1;
    text = lk_watch_scope_to_text(&a);
    CU_ASSERT_STRING_EQUAL(text, "*\n");
    free(text);
    lk_watch_scope_free(&a);
}

static void test_describe_limits(void)
{
    lk_watch_scope s;
    char desc[400];
    scope_of("n1\t2026-11\t*\nn2\t2026-11\t*\nn3\t2026-11\t*\ne4a-5b\t*\t*\n", &s);
    lk_watch_scope_describe(&s, 2, desc, sizeof desc);
    CU_ASSERT_STRING_EQUAL(desc, "employment 4a-5b, every period; employee 1, 2026-11; ... (4 in all)");
    lk_watch_scope_describe(&s, 10, desc, sizeof desc);
    CU_ASSERT_PTR_NOT_NULL(strstr(desc, "employment 4a-5b, every period"));
    lk_watch_scope_describe(&s, 10, desc, 12); /* cut, never overrun */
    CU_ASSERT_EQUAL(strlen(desc), 11);
    lk_watch_scope_free(&s);
}

static void test_first_taken(void)
{
    lk_watch_record r[6];
    const char *a = "aaaa", *b = "bbbb";
    lk_watch_record_init(&r[0], a, "a.csv", "a.1", "started", -1);
    lk_watch_record_init(&r[1], a, "a.csv", "a.1", "failed", 3);
    lk_watch_record_init(&r[2], b, "b.csv", "b.1", "started", -1);
    lk_watch_record_init(&r[3], b, "b.csv", "b.1", "imported", 0);
    CU_ASSERT_EQUAL(lk_watch_first_taken(r, 4, a), 0);
    CU_ASSERT_EQUAL(lk_watch_first_taken(r, 4, "cccc"), -1);
    CU_ASSERT_STRING_EQUAL(lk_watch_run_status(r, 4, "b.1"), "imported");
    CU_ASSERT_STRING_EQUAL(lk_watch_run_status(r, 4, "a.1"), "failed");
    /* forgotten: the content counts as new from then on */
    lk_watch_record_init(&r[4], a, "a.csv", "a.1", "forgotten", -1);
    CU_ASSERT_EQUAL(lk_watch_first_taken(r, 5, a), -1);
    lk_watch_record_init(&r[5], a, "a.csv", "a.2", "started", -1);
    CU_ASSERT_EQUAL(lk_watch_first_taken(r, 6, a), 5);
}

static const lk_test tests[] = {
    { "scope: from validate --json", test_scope_from_validate },
    { "scope: overlap by employee, period and employer", test_scope_overlap },
    { "scope: text form on disk", test_scope_text_roundtrip },
    { "scope: described for a person, bounded", test_describe_limits },
    { "registry: first taken since forgotten", test_first_taken },
    { NULL, NULL },
};

int main(void)
{
    return lk_test_main("watch-order", tests);
}
