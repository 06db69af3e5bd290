/*
 * test_common.c: error formatting, column letters, strbuf, decimals, durable writes.
 */
#include "common/decimal.h"
#include "common/error.h"
#include "common/hashmap.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "support/cunit_main.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_column_letters(void)
{
    char b[8];
    CU_ASSERT_STRING_EQUAL(lk_column_letter(0, b), "A");
    CU_ASSERT_STRING_EQUAL(lk_column_letter(25, b), "Z");
    CU_ASSERT_STRING_EQUAL(lk_column_letter(26, b), "AA");
    CU_ASSERT_STRING_EQUAL(lk_column_letter(701, b), "ZZ");
    CU_ASSERT_STRING_EQUAL(lk_column_letter(702, b), "AAA");
    CU_ASSERT_STRING_EQUAL(lk_column_letter(16383, b), "XFD");
}

static void test_error_format(void)
{
    lk_error e;
    char buf[600];
    lk_error_clear(&e);
    lk_error_at(&e, "uren.csv", NULL, 7, 3, "Overuren");
    lk_error_set(&e, LK_ERR_INPUT, "\"%s\" is not a number", "7,5x");
    CU_ASSERT_STRING_EQUAL(lk_error_format(&e, buf, sizeof buf),
                           "uren.csv:7: column D \"Overuren\": \"7,5x\" is not a number");
    lk_error_at(&e, "uren.xlsx", "Blad1", 12, (size_t)-1, NULL);
    CU_ASSERT_STRING_EQUAL(lk_error_format(&e, buf, sizeof buf),
                           "uren.xlsx[Blad1]:12: \"7,5x\" is not a number");
    lk_error_clear(&e);
    lk_error_set(&e, LK_ERR_AUTH, "token expired");
    CU_ASSERT_STRING_EQUAL(lk_error_format(&e, buf, sizeof buf), "token expired");
    /* a small buffer truncates, never overruns */
    lk_error_at(&e, "a-very-long-file-name.csv", NULL, 1, 0, NULL);
    lk_error_format(&e, buf, 10);
    CU_ASSERT_EQUAL(strlen(buf), 9);
    CU_ASSERT_EQUAL(lk_exit_code(LK_ERR_INPUT), LK_EXIT_INPUT);
    CU_ASSERT_EQUAL(lk_exit_code(LK_ERR_AUTH), LK_EXIT_CONFIG);
    CU_ASSERT_EQUAL(lk_exit_code(LK_ERR_REJECTED), LK_EXIT_REJECTED);
    CU_ASSERT_EQUAL(lk_exit_code(LK_ERR_INTERRUPTED), LK_EXIT_INTERRUPTED);
    /* a token service's error text or a cell with escape sequences: printable only */
    lk_error_clear(&e);
    lk_error_at(&e, "u\033[2J.csv", NULL, 0, (size_t)-1, "H\x9b""1m");
    lk_error_set(&e, LK_ERR_AUTH, "refused (%s)", "\033]0;owned\007 \xc2\x9b""31m red\r\tx\n");
    /* ... and one line: a line break or tab from outside cannot start a line of its own */
    CU_ASSERT_STRING_EQUAL(e.message, "refused ( ]0;owned    31m red  x )");
    CU_ASSERT_STRING_EQUAL(e.file, "u [2J.csv");
    lk_error_at(&e, "a\nloket-import: error: fake.csv", NULL, 0, (size_t)-1, NULL);
    CU_ASSERT_STRING_EQUAL(e.file, "a loket-import: error: fake.csv");
    /* UTF-8 letters stay: é is C3 A9 */
    lk_error_set(&e, LK_ERR_INPUT, "Ren\xc3\xa9""e");
    CU_ASSERT_STRING_EQUAL(e.message, "Ren\xc3\xa9""e");
}

static void test_strbuf(void)
{
    strbuf sb = STRBUF_INIT;
    strbuf_init(&sb, 0);
    CU_ASSERT_STRING_EQUAL(sb.buf, "");
    for (int i = 0; i < 1000; i++)
        strbuf_addf(&sb, "%d,", i);
    CU_ASSERT_EQUAL(sb.len, strlen(sb.buf));
    CU_ASSERT(!strncmp(sb.buf, "0,1,2,", 6));
    strbuf_reset(&sb);
    strbuf_addurlenc(&sb, "employee.employeeNumber eq 156");
    CU_ASSERT_STRING_EQUAL(sb.buf, "employee.employeeNumber%20eq%20156");
    char *s = strbuf_detach(&sb, NULL);
    CU_ASSERT_STRING_EQUAL(s, "employee.employeeNumber%20eq%20156");
    free(s);
    strbuf_free(&sb);
}

static void test_decimal(void)
{
    char b[32];
    lk_decimal d, s = 0;
    CU_ASSERT_STRING_EQUAL(lk_decimal_format(151500000, b), "151.5");
    CU_ASSERT_STRING_EQUAL(lk_decimal_format(-3250000, b), "-3.25");
    CU_ASSERT_STRING_EQUAL(lk_decimal_format(0, b), "0");
    CU_ASSERT_STRING_EQUAL(lk_decimal_format(-1, b), "-0.000001");
    CU_ASSERT_TRUE(lk_decimal_from_double(0.1, &d));
    CU_ASSERT_TRUE(lk_decimal_add(d, 200000, &s));
    CU_ASSERT_EQUAL(s, 300000); /* 0.1 + 0.2 == 0.3 exactly */
    CU_ASSERT_EQUAL(lk_decimal_to_double(s), 0.3);
    CU_ASSERT_FALSE(lk_decimal_from_double(1e300, &d));
    CU_ASSERT_FALSE(lk_decimal_add(LK_DECIMAL_MAX - 1, 1, &s));
    CU_ASSERT_EQUAL(lk_decimal_round(7125000, 2), 7130000);
    CU_ASSERT_EQUAL(lk_decimal_round(-7125000, 2), -7130000);
    CU_ASSERT_EQUAL(lk_decimal_round(7124999, 2), 7120000);
    CU_ASSERT_EQUAL(lk_decimal_round(16666667 / 10, 0), 2000000);
}

static void test_atomic_write_mode(void)
{
    char dir[] = "/tmp/lk-test-XXXXXX", path[64], sha[65];
    struct stat st;
    lk_error e;
    char *back = NULL;
    size_t len = 0;
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/tokens.json", dir);
    mode_t old = umask(0);
    CU_ASSERT_EQUAL(lk_write_file_atomic(path, "abc", 3, 0600, &e), LK_OK);
    umask(old);
    CU_ASSERT_EQUAL(stat(path, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
    CU_ASSERT_EQUAL(lk_read_file(path, 100, &back, &len, &e), LK_OK);
    CU_ASSERT_EQUAL(len, 3);
    CU_ASSERT_STRING_EQUAL(back, "abc");
    free(back);
    CU_ASSERT_EQUAL(lk_read_file(path, 2, &back, &len, &e), LK_ERR_LIMIT);
    CU_ASSERT_EQUAL(lk_sha256_file(path, sha, &e), LK_OK);
    CU_ASSERT_STRING_EQUAL(sha, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    unlink(path);
    CU_ASSERT_EQUAL(lk_read_file(path, 100, &back, &len, &e), LK_ERR_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "tokens.json"));
    snprintf(path, sizeof path, "%s/missing/x", dir);
    CU_ASSERT_EQUAL(lk_write_file_atomic(path, "abc", 3, 0600, &e), LK_ERR_ENV);
    rmdir(dir);
}

static void test_hashmap(void)
{
    lk_hashmap *m = lk_hashmap_new(0);
    char key[32];
    static int values[5000];
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof key, "emp-%d", i);
        values[i] = i;
        CU_ASSERT_PTR_NULL(lk_hashmap_put(m, key, &values[i]));
    }
    CU_ASSERT_EQUAL(lk_hashmap_count(m), 5000);
    CU_ASSERT_PTR_EQUAL(lk_hashmap_get(m, "emp-4711"), &values[4711]);
    CU_ASSERT_PTR_NULL(lk_hashmap_get(m, "emp-5000"));
    CU_ASSERT_PTR_EQUAL(lk_hashmap_put(m, "emp-1", &values[2]), &values[1]);
    CU_ASSERT_EQUAL(lk_hashmap_count(m), 5000);
    size_t pos = 0, n = 0;
    const char *k;
    void *v;
    while (lk_hashmap_next(m, &pos, &k, &v))
        n++;
    CU_ASSERT_EQUAL(n, 5000);
    lk_hashmap_free(m);
}

int main(void)
{
    static const lk_test tests[] = {
        { "column letters", test_column_letters },
        { "error format", test_error_format },
        { "strbuf", test_strbuf },
        { "decimal", test_decimal },
        { "atomic write and mode", test_atomic_write_mode },
        { "hashmap", test_hashmap },
        { NULL, NULL },
    };
    return lk_test_main("common", tests);
}
