/*
 * test_journal.c: the apply journal: append, reopen with --resume, torn last line, refusals.
 */
#include "common/util.h"
#include "engine/journal.h"
#include "support/cunit_main.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char path[256];
static char *dir;

static void setup(void)
{
    dir = lk_test_tmpdir();
    snprintf(path, sizeof path, "%s/run.journal", dir);
}

static void teardown(void)
{
    lk_test_rmtree(dir);
    free(dir);
}

static cJSON *result(int status, const char *outcome)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddNumberToObject(r, "status", status);
    cJSON_AddStringToObject(r, "outcome", outcome);
    return r;
}

static void append(lk_journal *j, const char *key, int status, const char *outcome)
{
    lk_error e;
    cJSON *r = result(status, outcome);
    CU_ASSERT_EQUAL(lk_journal_append(j, key, "abc123", r, &e), LK_OK);
    cJSON_Delete(r);
}

static void test_append_and_resume(void)
{
    lk_error e;
    struct stat st;
    setup();
    lk_journal *j = lk_journal_open(path, "fp1", false, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    append(j, "emp-1/202611|1|||1||", 201, "created");
    append(j, "emp-2/202611|1|||1||", 400, "rejected");
    CU_ASSERT_EQUAL(lk_journal_sync(j, &e), LK_OK);
    CU_ASSERT_EQUAL(lk_journal_count(j), 2);
    lk_journal_free(j);
    CU_ASSERT_EQUAL(stat(path, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);

    j = lk_journal_open(path, "fp1", true, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_EQUAL(lk_journal_count(j), 2);
    const lk_journal_entry *en = lk_journal_find(j, "emp-2/202611|1|||1||");
    CU_ASSERT_PTR_NOT_NULL_FATAL(en);
    CU_ASSERT_STRING_EQUAL(en->body_sha256, "abc123");
    CU_ASSERT_EQUAL(cJSON_GetObjectItem(en->result, "status")->valueint, 400);
    CU_ASSERT_PTR_NULL(lk_journal_find(j, "emp-3/202611|1|||1||"));
    /* a resumed run appends after what was there */
    append(j, "emp-3/202611|1|||1||", 200, "updated");
    lk_journal_free(j);
    j = lk_journal_open(path, "fp1", true, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_EQUAL(lk_journal_count(j), 3);
    lk_journal_free(j);
    teardown();
}

static void test_torn_last_line_is_dropped(void)
{
    lk_error e;
    setup();
    lk_journal *j = lk_journal_open(path, "fp1", false, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    append(j, "a/1", 200, "updated");
    lk_journal_free(j);
    /* a crash in the middle of the next write */
    int fd = open(path, O_WRONLY | O_APPEND);
    CU_ASSERT_TRUE_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(write(fd, "{\"key\":\"b/1\",\"bodySh", 20), 20);
    close(fd);
    j = lk_journal_open(path, "fp1", true, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_EQUAL(lk_journal_count(j), 1);
    CU_ASSERT_PTR_NULL(lk_journal_find(j, "b/1"));
    append(j, "b/1", 200, "updated");
    lk_journal_free(j);
    /* the torn bytes were cut off: the file reloads cleanly with both entries */
    j = lk_journal_open(path, "fp1", true, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_EQUAL(lk_journal_count(j), 2);
    lk_journal_free(j);
    teardown();
}

static void test_refusals(void)
{
    lk_error e;
    setup();
    lk_journal *j = lk_journal_open(path, "fp1", false, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    append(j, "a/1", 200, "updated");
    lk_journal_free(j);
    /* another run's journal is not resumed */
    CU_ASSERT_PTR_NULL(lk_journal_open(path, "fp2", true, &e));
    CU_ASSERT_EQUAL(e.code, LK_ERR_CONFLICT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "another run"));
    /* a fresh run does not overwrite confirmed results */
    CU_ASSERT_PTR_NULL(lk_journal_open(path, "fp1", false, &e));
    CU_ASSERT_EQUAL(e.code, LK_ERR_CONFLICT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "--resume"));
    /* a damaged middle line is an error naming the line */
    FILE *f = fopen(path, "a");
    fputs("not json\n{\"key\":\"c/1\",\"bodySha256\":\"x\",\"result\":{}}\n", f);
    fclose(f);
    CU_ASSERT_PTR_NULL(lk_journal_open(path, "fp1", true, &e));
    CU_ASSERT_EQUAL(e.code, LK_ERR_INPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "line 3"));
    /* something that is not a journal */
    f = fopen(path, "w");
    fputs("employee;hours\n1001;8\n", f);
    fclose(f);
    CU_ASSERT_PTR_NULL(lk_journal_open(path, "fp1", true, &e));
    CU_ASSERT_EQUAL(e.code, LK_ERR_INPUT);
    /* a folder is not a journal */
    CU_ASSERT_PTR_NULL(lk_journal_open(dir, "fp1", true, &e));
    CU_ASSERT_EQUAL(e.code, LK_ERR_ENV);
    teardown();
}

static void test_resume_without_journal_and_header_only(void)
{
    lk_error e;
    setup();
    /* resuming a run that died before its first confirmation */
    lk_journal *j = lk_journal_open(path, "fp1", true, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_EQUAL(lk_journal_count(j), 0);
    lk_journal_free(j);
    /* a header-only journal may be replaced by a new run */
    j = lk_journal_open(path, "fp9", false, &e);
    CU_ASSERT_PTR_NOT_NULL(j);
    lk_journal_free(j);
    /* an empty file (crash before the header) resumes as empty */
    FILE *f = fopen(path, "w");
    fclose(f);
    j = lk_journal_open(path, "fp1", true, &e);
    CU_ASSERT_PTR_NOT_NULL(j);
    lk_journal_free(j);
    teardown();
}

int main(void)
{
    static const lk_test tests[] = {
        { "append and resume", test_append_and_resume },
        { "torn last line dropped", test_torn_last_line_is_dropped },
        { "refusals", test_refusals },
        { "resume without journal", test_resume_without_journal_and_header_only },
        { NULL, NULL },
    };
    return lk_test_main("journal", tests);
}
