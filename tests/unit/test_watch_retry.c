/*
 * test_watch_retry.c: what 'watch' does with a failed import besides filing it: the first real
 * cause (from the import's JSON report, else its log), whether the failure is transient, the
 * retry schedule and its maximum age, the config keys of both and of the hooks, and the
 * environment a hook gets (the event, never a secret).
 */
#include "support/cunit_main.h"
#include "watch/watch.h"
#include "watch/watch_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---------------------------------------------------------------- cause */

static void test_cause_run_error(void)
{
    lk_watch_cause c;
    /* the error that stopped the run, and its transient flag, win over the summary line */
    const char *json =
        "{\"run\": {\"error\": {\"code\": \"Loket temporarily unavailable\", \"message\": "
        "\"employers: Loket is unavailable (HTTP 503 after 5 attempt(s))\", \"file\": null, "
        "\"row\": null, \"transient\": true}}, \"exit_code\": 3}";
    const char *log = "loket-import: error: employers: Loket is unavailable (HTTP 503 ...)\n"
                      "exit code 3: configuration, authentication or connection error\n";
    lk_watch_cause_find(json, log, 3, &c);
    CU_ASSERT_STRING_EQUAL(c.text, "employers: Loket is unavailable (HTTP 503 after 5 attempt(s))");
    CU_ASSERT_TRUE(c.transient);
    lk_watch_cause_free(&c);
    /* an environment error is permanent until a person fixes it */
    json = "{\"run\": {\"error\": {\"message\": \"token store: cannot open the token store's lock "
           "file /t/tokens.json.lock: Read-only file system\", \"transient\": false}}}";
    lk_watch_cause_find(json, log, 3, &c);
    CU_ASSERT_PTR_NOT_NULL(strstr(c.text, "Read-only file system"));
    CU_ASSERT_FALSE(c.transient);
    lk_watch_cause_free(&c);
}

static void test_cause_input_issue(void)
{
    lk_watch_cause c;
    const char *json =
        "{\"run\": {\"error\": null}, \"exit_code\": 2, \"issues\": [{\"outcome\": \"skipped\", "
        "\"message\": \"skipped: blank row\", \"file\": \"uren.csv\", \"row\": 3}, {\"outcome\": \"rejected\", "
        "\"message\": \"\\\"7,5x\\\" is not a number\", \"file\": \"uren.csv\", \"row\": 7, "
        "\"column\": \"D\"}, {\"message\": \"second\"}]}";
    lk_watch_cause_find(json, "exit code 2: input errors\n", 2, &c);
    CU_ASSERT_STRING_EQUAL(c.text, "uren.csv:7: column D: \"7,5x\" is not a number");
    CU_ASSERT_FALSE(c.transient);
    lk_watch_cause_free(&c);
}

static void test_cause_records(void)
{
    lk_watch_cause c;
    /* exit 1, every problem record got 503 or no answer: an outage while sending */
    const char *outage =
        "{\"run\": {\"error\": null}, \"exit_code\": 1, \"totals\": {\"records\": {\"failed\": 2, "
        "\"rejected\": 0, \"not_sent\": 0}, \"issues\": {\"rejected\": 0, \"skipped\": 1}}, "
        "\"issues\": [{\"outcome\": \"skipped\", \"message\": \"skipped: totals row\", "
        "\"file\": \"uren.csv\", \"row\": 27}], \"records\": ["
        "{\"outcome\": \"created\", \"http_status\": 200},"
        "{\"outcome\": \"failed\", \"http_status\": 503, \"employee\": {\"number\": 1001}, "
        "\"messages\": [{\"description\": \"HTTP 503\"}]},"
        "{\"outcome\": \"failed\", \"http_status\": null}]}";
    /* one record refused by Loket: a person must look */
    const char *refused =
        "{\"run\": {\"error\": null}, \"exit_code\": 1, \"totals\": {\"records\": {\"failed\": 1, "
        "\"rejected\": 1, \"not_sent\": 0}}, \"records\": ["
        "{\"outcome\": \"rejected\", \"http_status\": 400, \"employee\": {\"number\": 1002}, "
        "\"messages\": [{\"description\": \"Periode is afgesloten\"}]},"
        "{\"outcome\": \"failed\", \"http_status\": 503}]}";
    /* failed with 403: not transient either */
    const char *forbidden =
        "{\"exit_code\": 1, \"totals\": {\"records\": {\"failed\": 1}}, \"records\": ["
        "{\"outcome\": \"failed\", \"http_status\": 403}]}";
    lk_watch_cause_find(outage, NULL, 1, &c);
    CU_ASSERT_STRING_EQUAL(c.text, "employee 1001: failed: HTTP 503");
    CU_ASSERT_TRUE(c.transient);
    lk_watch_cause_free(&c);
    lk_watch_cause_find(refused, NULL, 1, &c);
    CU_ASSERT_STRING_EQUAL(c.text, "employee 1002: rejected: Periode is afgesloten");
    CU_ASSERT_FALSE(c.transient);
    lk_watch_cause_free(&c);
    lk_watch_cause_find(forbidden, NULL, 1, &c);
    CU_ASSERT_FALSE(c.transient);
    lk_watch_cause_free(&c);
    /* exit 3 never looks at records: only the run's error says transient */
    lk_watch_cause_find(outage, NULL, 3, &c);
    CU_ASSERT_FALSE(c.transient);
    lk_watch_cause_free(&c);
}

static void test_cause_log_only(void)
{
    lk_watch_cause c;
    /* no report (a crash, a broken report): the first error line of the log, not the summary */
    lk_watch_cause_find("not json", "progress...\nloket-import: warning: slow\n"
                                    "loket-import: error: cannot open journal /j: Permission denied\n"
                                    "exit code 3: configuration error\n", 3, &c);
    CU_ASSERT_STRING_EQUAL(c.text, "loket-import: error: cannot open journal /j: Permission denied");
    CU_ASSERT_FALSE(c.transient);
    lk_watch_cause_free(&c);
    /* no error line: the last line that says anything; control characters made spaces */
    lk_watch_cause_find(NULL, "one\nkilled\tby\x01signal\n\n  \n", -1, &c);
    CU_ASSERT_STRING_EQUAL(c.text, "killed by signal");
    lk_watch_cause_free(&c);
    lk_watch_cause_find(NULL, "", 2, &c);
    CU_ASSERT_PTR_NULL(c.text);
    lk_watch_cause_find(NULL, NULL, 2, &c);
    CU_ASSERT_PTR_NULL(c.text);
}

/* ---------------------------------------------------------------- schedule */

static void test_retry_schedule(void)
{
    lk_watch_config *cfg = lk_watch_config_new();
    lk_error err;
    /* the defaults: 1, 5, 15, 30 minutes, then every hour, for at most a day */
    CU_ASSERT_EQUAL(lk_watch_retry_delay(cfg, 1), 60);
    CU_ASSERT_EQUAL(lk_watch_retry_delay(cfg, 2), 300);
    CU_ASSERT_EQUAL(lk_watch_retry_delay(cfg, 5), 3600);
    CU_ASSERT_EQUAL(lk_watch_retry_delay(cfg, 40), 3600);
    CU_ASSERT_TRUE(lk_watch_retry_allowed(cfg, 1000, 1000 + 86399));
    CU_ASSERT_FALSE(lk_watch_retry_allowed(cfg, 1000, 1000 + 86400));
    CU_ASSERT_TRUE(lk_watch_retry_allowed(cfg, 5000, 1000)); /* clock set back */
    CU_ASSERT_EQUAL(cfg->probe_seconds, 20); /* Loket asked every 20 s while files wait */
    lk_error_clear(&err);
    CU_ASSERT_EQUAL(lk_watch_config_parse(cfg, "{\"retry_seconds\": [2, 10.5], "
                                               "\"retry_max_age_seconds\": 30, "
                                               "\"onFailure\": [\"/bin/notify\", \"x\"], "
                                               "\"onSuccess\": [\"true\"], "
                                               "\"hook_timeout_seconds\": 5, "
                                               "\"probe_seconds\": 0, "
                                               "\"rules\": [{\"match\": \"*\", \"mapping\": "
                                               "\"/m.json\", \"mode\": \"apply\"}]}",
                                          "/d", "cfg", &err),
                    LK_OK);
    CU_ASSERT_EQUAL(lk_watch_retry_delay(cfg, 1), 2);
    CU_ASSERT_EQUAL(lk_watch_retry_delay(cfg, 2), 10.5);
    CU_ASSERT_EQUAL(lk_watch_retry_delay(cfg, 3), 10.5);
    CU_ASSERT_FALSE(lk_watch_retry_allowed(cfg, 100, 130));
    CU_ASSERT_EQUAL(cfg->n_on_failure, 2);
    CU_ASSERT_STRING_EQUAL(cfg->on_failure[0], "/bin/notify");
    CU_ASSERT_EQUAL(cfg->n_on_success, 1);
    CU_ASSERT_EQUAL(cfg->hook_timeout_seconds, 5);
    CU_ASSERT_EQUAL(cfg->probe_seconds, 0);
    lk_watch_config_free(cfg);
    /* 0: never wait, a transient failure goes to failed/ at once */
    cfg = lk_watch_config_new();
    CU_ASSERT_EQUAL(lk_watch_config_parse(cfg, "{\"retry_max_age_seconds\": 0, \"rules\": "
                                               "[{\"match\": \"*\", \"mapping\": \"/m\", "
                                               "\"mode\": \"plan\"}]}", "/d", "cfg", &err),
                    LK_OK);
    CU_ASSERT_FALSE(lk_watch_retry_allowed(cfg, 100, 100));
    lk_watch_config_free(cfg);
}

static void test_retry_config_bad(void)
{
    static const char *const bad[] = {
        "{\"retry_seconds\": [], \"rules\": [{\"match\": \"*\", \"mapping\": \"/m\", \"mode\": \"plan\"}]}",
        "{\"retry_seconds\": [0], \"rules\": [{\"match\": \"*\", \"mapping\": \"/m\", \"mode\": \"plan\"}]}",
        "{\"retry_seconds\": [\"60\"], \"rules\": [{\"match\": \"*\", \"mapping\": \"/m\", \"mode\": \"plan\"}]}",
        "{\"retry_seconds\": 60, \"rules\": [{\"match\": \"*\", \"mapping\": \"/m\", \"mode\": \"plan\"}]}",
        "{\"retry_max_age_seconds\": -1, \"rules\": [{\"match\": \"*\", \"mapping\": \"/m\", \"mode\": \"plan\"}]}",
        "{\"onFailure\": \"mail -s x\", \"rules\": [{\"match\": \"*\", \"mapping\": \"/m\", \"mode\": \"plan\"}]}",
        "{\"onFailure\": [], \"rules\": [{\"match\": \"*\", \"mapping\": \"/m\", \"mode\": \"plan\"}]}",
        "{\"on_failure\": [\"x\"], \"rules\": [{\"match\": \"*\", \"mapping\": \"/m\", \"mode\": \"plan\"}]}",
        "{\"hook_timeout_seconds\": 0, \"rules\": [{\"match\": \"*\", \"mapping\": \"/m\", \"mode\": \"plan\"}]}",
        "{\"probe_seconds\": -5, \"rules\": [{\"match\": \"*\", \"mapping\": \"/m\", \"mode\": \"plan\"}]}",
    };
    static const char *const names[] = { "retry_seconds", "retry_seconds", "retry_seconds",
                                         "retry_seconds", "retry_max_age_seconds", "onFailure",
                                         "onFailure", "on_failure", "hook_timeout_seconds",
                                         "probe_seconds" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        lk_watch_config *cfg = lk_watch_config_new();
        lk_error err;
        lk_error_clear(&err);
        CU_ASSERT_EQUAL(lk_watch_config_parse(cfg, bad[i], "/d", "cfg", &err), LK_ERR_CONFIG);
        if (!strstr(err.message, names[i]))
            fprintf(stderr, "\n%zu: %s\n", i, err.message);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, names[i]));
        lk_watch_config_free(cfg);
    }
}

/* ---------------------------------------------------------------- hooks */

static const char *env_get(char **env, const char *key)
{
    size_t n = strlen(key);
    for (char **e = env; *e; e++)
        if (!strncmp(*e, key, n) && (*e)[n] == '=')
            return *e + n + 1;
    return NULL;
}

static void test_hook_env(void)
{
    lk_watch_hook_event ev = { "/d/failed/uren.csv", "uren.csv", "input-error",
                               "uren.csv:7: column D: bad", "the file has errors",
                               "/d/reports/uren.csv.X.watch.json", "uren.csv.X", "/d", 2 };
    char **env;
    setenv("LOKET_CLIENT_SECRET", "s3cret-value", 1);
    setenv("LOKET_CLIENT_SECRET_FILE", "/etc/loket-import/client-secret", 1);
    setenv("CREDENTIALS_DIRECTORY", "/run/credentials/x.service", 1);
    setenv("LOKET_WATCH_OUTCOME", "forged", 1);
    setenv("LK_TEST_KEEP", "kept", 1);
    env = lk_watch_hook_env(&ev);
    CU_ASSERT_STRING_EQUAL(env_get(env, "LOKET_WATCH_FILE"), "/d/failed/uren.csv");
    CU_ASSERT_STRING_EQUAL(env_get(env, "LOKET_WATCH_NAME"), "uren.csv");
    CU_ASSERT_STRING_EQUAL(env_get(env, "LOKET_WATCH_OUTCOME"), "input-error");
    CU_ASSERT_STRING_EQUAL(env_get(env, "LOKET_WATCH_CAUSE"), "uren.csv:7: column D: bad");
    CU_ASSERT_STRING_EQUAL(env_get(env, "LOKET_WATCH_REPORT"), "/d/reports/uren.csv.X.watch.json");
    CU_ASSERT_STRING_EQUAL(env_get(env, "LOKET_WATCH_EXIT_CODE"), "2");
    CU_ASSERT_STRING_EQUAL(env_get(env, "LK_TEST_KEEP"), "kept");
    CU_ASSERT_PTR_NULL(env_get(env, "LOKET_CLIENT_SECRET"));
    CU_ASSERT_PTR_NULL(env_get(env, "LOKET_CLIENT_SECRET_FILE"));
    CU_ASSERT_PTR_NULL(env_get(env, "CREDENTIALS_DIRECTORY"));
    for (char **e = env; *e; e++)
        CU_ASSERT_PTR_NULL(strstr(*e, "s3cret-value"));
    {
        int forged = 0;
        for (char **e = env; *e; e++)
            forged += !strcmp(*e, "LOKET_WATCH_OUTCOME=forged");
        CU_ASSERT_EQUAL(forged, 0);
    }
    lk_watch_hook_env_free(env);
    unsetenv("LOKET_CLIENT_SECRET");
    unsetenv("LOKET_CLIENT_SECRET_FILE");
    unsetenv("CREDENTIALS_DIRECTORY");
    unsetenv("LOKET_WATCH_OUTCOME");
    unsetenv("LK_TEST_KEEP");
}

static void test_hook_run(void)
{
    lk_watch_hook_event ev = { "/d/done/a.csv", "a.csv", "imported", NULL, "sent",
                               "/d/r.watch.json", "a.csv.X", "/d", 0 };
    char *argv_ok[] = { "sh", "-c", "test \"$LOKET_WATCH_OUTCOME\" = imported", NULL };
    char *argv_fail[] = { "sh", "-c", "exit 7", NULL };
    char *argv_slow[] = { "sh", "-c", "sleep 30", NULL };
    char *argv_missing[] = { "/nonexistent/hook", NULL };
    char why[256];
    int st;
    st = lk_watch_hook_run(argv_ok, &ev, 10, NULL, -1, why, sizeof why);
    CU_ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    st = lk_watch_hook_run(argv_fail, &ev, 10, NULL, -1, why, sizeof why);
    CU_ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 7);
    st = lk_watch_hook_run(argv_missing, &ev, 10, NULL, -1, why, sizeof why);
    CU_ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 127);
    /* a hook that hangs is killed: the watcher goes on with the next file */
    st = lk_watch_hook_run(argv_slow, &ev, 1, NULL, -1, why, sizeof why);
    CU_ASSERT_EQUAL(st, -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "killed"));
}

static void test_cause_login_refused(void)
{
    lk_watch_cause c;
    const char *json =
        "{\"run\": {\"error\": {\"message\": \"token refresh refused by https://x/token "
        "(HTTP 400, invalid_grant: expired): run 'loket-import auth code' to authorise "
        "again\", \"transient\": false}}}";
    lk_watch_cause_find(json, NULL, 3, &c);
    CU_ASSERT_TRUE(c.login_refused);
    CU_ASSERT_FALSE(c.transient);
    lk_watch_cause_free(&c);
    /* from the log when there is no report */
    lk_watch_cause_find(NULL, "loket-import: error: token refresh refused (HTTP 401, "
                        "invalid_client)\n", 3, &c);
    CU_ASSERT_TRUE(c.login_refused);
    lk_watch_cause_free(&c);
    /* an unreachable token service is an outage, not a refused login */
    json = "{\"run\": {\"error\": {\"message\": \"the token service x is unavailable: "
           "HTTP 503 to every attempt\", \"transient\": true}}}";
    lk_watch_cause_find(json, NULL, 3, &c);
    CU_ASSERT_FALSE(c.login_refused);
    lk_watch_cause_free(&c);
    /* a file that merely mentions the words is no login problem */
    lk_watch_cause_find(NULL, "loket-import: error: x.csv:2: column A: \"invalid_grant\"\n", 2,
                        &c);
    CU_ASSERT_FALSE(c.login_refused);
    lk_watch_cause_free(&c);
}

static const lk_test tests[] = {
    { "cause: a refused login (invalid_grant, invalid_client)", test_cause_login_refused },
    { "cause: the run's error and whether it is transient", test_cause_run_error },
    { "cause: the first input issue", test_cause_input_issue },
    { "cause: records of an outage are transient, a refusal is not", test_cause_records },
    { "cause: from the log when there is no report", test_cause_log_only },
    { "retry: schedule, maximum age, config keys", test_retry_schedule },
    { "retry: bad config keys named", test_retry_config_bad },
    { "hook: environment holds the event, never a secret", test_hook_env },
    { "hook: exit status, missing command, timeout", test_hook_run },
    { NULL, NULL },
};

int main(void)
{
    return lk_test_main("watch-retry", tests);
}
