/*
 * cunit_main.h: the shared main of every CUnit program in tests/unit, plus helpers the tests
 * share (temporary folders, starting loket-sim).
 */
#ifndef LK_CUNIT_MAIN_H
#define LK_CUNIT_MAIN_H

#include <CUnit/Basic.h>

typedef struct lk_test {
    const char *name;
    void (*fn)(void);
} lk_test;

/* Runs one suite of tests (NULL-terminated); returns 0 when every test passed. */
int lk_test_main(const char *suite, const lk_test *tests);

/* The build folder of the binaries under test ($LOKET_BUILD, default "build"). */
const char *lk_test_build_dir(void);
/* A new empty temporary folder; removed with its contents by lk_test_rmtree(). */
char *lk_test_tmpdir(void);
void lk_test_rmtree(const char *dir);

#endif
