/*
 * cunit_main.c: the common runner of the CUnit programs.
 */
#include "support/cunit_main.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int lk_test_main(const char *suite_name, const lk_test *tests)
{
    CU_pSuite suite;
    unsigned failed;
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    suite = CU_add_suite(suite_name, NULL, NULL);
    if (!suite)
        return 2;
    for (const lk_test *t = tests; t->name; t++)
        if (!CU_add_test(suite, t->name, t->fn))
            return 2;
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failed = CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}

const char *lk_test_build_dir(void)
{
    const char *b = getenv("LOKET_BUILD");
    return b && *b ? b : "build";
}

char *lk_test_tmpdir(void)
{
    char *d = strdup("/tmp/lk-test-XXXXXX");
    if (!d || !mkdtemp(d)) {
        perror("mkdtemp");
        exit(2);
    }
    return d;
}

void lk_test_rmtree(const char *dir)
{
    char cmd[4200];
    if (!dir || strncmp(dir, "/tmp/lk-test-", 13) != 0)
        return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}
