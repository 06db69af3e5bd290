/*
 * test_runs.c: run folders of the audit trail: made new every time (0700, names sorting in start
 * order), never through a symlink (runs folder or a file planted inside), found again for
 * --resume by fingerprint and journal, locked while in use, listed with their status.
 */
#include "common/util.h"
#include "engine/runs.h"
#include "support/cunit_main.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *dir;
static char runs[512];

static void setup(void)
{
    dir = lk_test_tmpdir();
    snprintf(runs, sizeof runs, "%s/state/loket-import/runs", dir);
}

static void teardown(void)
{
    lk_test_rmtree(dir);
    free(dir);
}

static lk_run *new_run(const char *fingerprint, const char *status, const char *journal)
{
    lk_error e;
    lk_error_clear(&e);
    lk_run *run = NULL;
    CU_ASSERT_EQUAL_FATAL(lk_run_create(runs, &run, &e), LK_OK);
    cJSON *info = lk_run_info(run);
    cJSON_AddStringToObject(info, "fingerprint", fingerprint);
    cJSON_AddStringToObject(info, "status", status);
    if (journal)
        cJSON_AddStringToObject(info, "journal", journal);
    CU_ASSERT_EQUAL(lk_run_save_info(run, &e), LK_OK);
    return run;
}

static void test_runs_dir_default_and_setting(void)
{
    lk_config *cfg = lk_config_new_defaults();
    free(cfg->token_store);
    cfg->token_store = xstrdup("/var/lib/loket-import/tokens.json");
    char *d = lk_runs_dir(cfg);
    CU_ASSERT_STRING_EQUAL(d, "/var/lib/loket-import/runs");
    free(d);
    cfg->runs_dir = xstrdup("/srv/audit");
    d = lk_runs_dir(cfg);
    CU_ASSERT_STRING_EQUAL(d, "/srv/audit");
    free(d);
    lk_config_free(cfg);
}

static void test_create_is_new_private_and_ordered(void)
{
    setup();
    lk_run *a = new_run("fp", "finished", NULL);
    lk_run *b = new_run("fp", "finished", NULL);
    struct stat st;
    CU_ASSERT_EQUAL(stat(runs, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0700);
    CU_ASSERT_EQUAL(stat(lk_run_path(a), &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0700);
    CU_ASSERT_STRING_NOT_EQUAL(lk_run_id(a), lk_run_id(b));
    CU_ASSERT_TRUE(strcmp(lk_run_id(a), lk_run_id(b)) < 0); /* the later one sorts after */
    char *p = lk_run_file(a, "run.json");
    CU_ASSERT_EQUAL(stat(p, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
    free(p);
    lk_run_free(a);
    lk_run_free(b);
    teardown();
}

static void test_no_symlink_followed(void)
{
    lk_error e;
    setup();
    /* a runs folder that is a symlink is refused */
    char target[600], link[600];
    snprintf(target, sizeof target, "%s/elsewhere", dir);
    snprintf(link, sizeof link, "%s/linked", dir);
    CU_ASSERT_EQUAL(mkdir(target, 0700), 0);
    CU_ASSERT_EQUAL(symlink(target, link), 0);
    lk_run *run = NULL;
    lk_error_clear(&e);
    CU_ASSERT_EQUAL(lk_run_create(link, &run, &e), LK_ERR_CONFIG);
    CU_ASSERT_PTR_NULL(run);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "symbolic link"));
    /* a symlink planted in a run folder is replaced, never written through */
    run = new_run("fp", "running", NULL);
    char victim[600], planted[700];
    snprintf(victim, sizeof victim, "%s/victim", dir);
    FILE *f = fopen(victim, "w");
    fputs("keep", f);
    fclose(f);
    snprintf(planted, sizeof planted, "%s/report.json", lk_run_path(run));
    CU_ASSERT_EQUAL(symlink(victim, planted), 0);
    lk_error_clear(&e);
    CU_ASSERT_EQUAL(lk_run_write(run, "report.json", "{}", 2, &e), LK_OK);
    char *text = NULL;
    size_t len = 0;
    CU_ASSERT_EQUAL(lk_read_file(victim, 100, &text, &len, &e), LK_OK);
    CU_ASSERT_STRING_EQUAL(text, "keep");
    free(text);
    struct stat st;
    CU_ASSERT_EQUAL(lstat(planted, &st), 0);
    CU_ASSERT_TRUE(S_ISREG(st.st_mode));
    lk_run_free(run);
    /* open refuses names that leave the runs folder */
    lk_error_clear(&e);
    CU_ASSERT_EQUAL(lk_run_open(runs, "..", &run, &e), LK_ERR_NOT_FOUND);
    CU_ASSERT_EQUAL(lk_run_open(runs, "a/b", &run, &e), LK_ERR_NOT_FOUND);
    teardown();
}

static void test_find_unfinished_and_lock(void)
{
    lk_error e;
    setup();
    lk_run *done = new_run("fp1", "finished", NULL);
    lk_run *old = new_run("fp1", "unfinished", NULL);
    lk_run *other = new_run("fp2", "running", NULL);
    lk_run *newer = new_run("fp1", "running", NULL);
    lk_run *with_journal = new_run("fp1", "unfinished", "/srv/drop/.loket-watch/journals/a.journal");
    lk_run *found = NULL;
    lk_error_clear(&e);
    /* by journal: the one that named it */
    CU_ASSERT_EQUAL(lk_run_find_unfinished(runs, "fp1", "/srv/drop/.loket-watch/journals/a.journal",
                                           &found, &e), LK_OK);
    CU_ASSERT_STRING_EQUAL(lk_run_id(found), lk_run_id(with_journal));
    lk_run_free(found);
    /* without: the newest unfinished of that fingerprint */
    CU_ASSERT_EQUAL(lk_run_find_unfinished(runs, "fp1", NULL, &found, &e), LK_OK);
    CU_ASSERT_STRING_EQUAL(lk_run_id(found), lk_run_id(with_journal));
    lk_run_free(found);
    /* once that one finished, the next newest unfinished one */
    cJSON_ReplaceItemInObjectCaseSensitive(lk_run_info(with_journal), "status",
                                           cJSON_CreateString("finished"));
    CU_ASSERT_EQUAL(lk_run_save_info(with_journal, &e), LK_OK);
    lk_run_free(with_journal);
    CU_ASSERT_EQUAL(lk_run_find_unfinished(runs, "fp1", NULL, &found, &e), LK_OK);
    CU_ASSERT_STRING_EQUAL(lk_run_id(found), lk_run_id(newer));
    /* the lock: one holder at a time */
    CU_ASSERT_EQUAL(lk_run_lock(found, &e), LK_OK);
    CU_ASSERT_EQUAL(lk_run_lock(newer, &e), LK_ERR_CONFLICT);
    cJSON *list = NULL;
    CU_ASSERT_EQUAL(lk_runs_list(runs, &list, &e), LK_OK);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(list), 5);
    const cJSON *it;
    int active = 0;
    cJSON_ArrayForEach(it, list) active += cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "active"));
    CU_ASSERT_EQUAL(active, 1);
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(list, 0), "id")->valuestring,
                           lk_run_id(done));
    cJSON_Delete(list);
    lk_run_free(found);
    CU_ASSERT_EQUAL(lk_run_find_unfinished(runs, "fp3", NULL, &found, &e), LK_ERR_NOT_FOUND);
    lk_run_free(done);
    lk_run_free(old);
    lk_run_free(other);
    lk_run_free(newer);
    teardown();
}

static void test_list_without_runs(void)
{
    lk_error e;
    setup();
    cJSON *list = NULL;
    lk_error_clear(&e);
    CU_ASSERT_EQUAL(lk_runs_list(runs, &list, &e), LK_OK);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(list), 0);
    cJSON_Delete(list);
    teardown();
}

int main(void)
{
    static const lk_test tests[] = {
        { "runs folder: default and setting", test_runs_dir_default_and_setting },
        { "new, private, ordered", test_create_is_new_private_and_ordered },
        { "no symlink followed", test_no_symlink_followed },
        { "find unfinished, lock", test_find_unfinished_and_lock },
        { "list without runs", test_list_without_runs },
        { NULL, NULL },
    };
    return lk_test_main("runs", tests);
}
