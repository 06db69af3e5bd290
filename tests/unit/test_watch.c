/*
 * test_watch.c: the pure decisions of 'loket-import watch': which names are taken, ignored or
 * refused; the folder config and its rules; when a file has settled; the registry of imported
 * content that refuses duplicates.
 */
#include "common/util.h"
#include "support/cunit_main.h"
#include "watch/watch.h"
#include "watch/watch_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* ---------------------------------------------------------------- names */

static void test_names_ignored(void)
{
    char *extra[] = { "*.bak", "README*" };
    CU_ASSERT_PTR_NULL(lk_watch_name_ignored("uren-november.csv", NULL, 0));
    CU_ASSERT_PTR_NULL(lk_watch_name_ignored("Uren 2026-11.xlsx", NULL, 0));
    CU_ASSERT_PTR_NOT_NULL(lk_watch_name_ignored(".uren.csv.Ab12Cd", NULL, 0)); /* rsync */
    CU_ASSERT_PTR_NOT_NULL(lk_watch_name_ignored(".hidden", NULL, 0));
    CU_ASSERT_PTR_NOT_NULL(lk_watch_name_ignored("uren.csv.part", NULL, 0));
    CU_ASSERT_PTR_NOT_NULL(lk_watch_name_ignored("uren.csv.PART", NULL, 0));
    CU_ASSERT_PTR_NOT_NULL(lk_watch_name_ignored("export.tmp", NULL, 0));
    CU_ASSERT_PTR_NOT_NULL(lk_watch_name_ignored("export.TMP", NULL, 0));
    CU_ASSERT_PTR_NOT_NULL(lk_watch_name_ignored("uren.xlsx.filepart", NULL, 0)); /* WinSCP */
    CU_ASSERT_PTR_NOT_NULL(lk_watch_name_ignored("~$uren.xlsx", NULL, 0));       /* Excel */
    /* only the suffix counts: a name merely containing "part" or "tmp" is taken */
    CU_ASSERT_PTR_NULL(lk_watch_name_ignored("partners.csv", NULL, 0));
    CU_ASSERT_PTR_NULL(lk_watch_name_ignored("tmp-uren.csv", NULL, 0));
    CU_ASSERT_PTR_NULL(lk_watch_name_ignored("uren~$.csv", NULL, 0));
    CU_ASSERT_PTR_NULL(lk_watch_name_ignored("uren.csv.bak", NULL, 0));
    CU_ASSERT_PTR_NOT_NULL(lk_watch_name_ignored("uren.csv.bak", extra, 2));
    CU_ASSERT_PTR_NOT_NULL(lk_watch_name_ignored("readme.txt", extra, 2));
    CU_ASSERT_PTR_NULL(lk_watch_name_ignored("uren.csv", extra, 2));
}

static void test_names_unsafe(void)
{
    CU_ASSERT_PTR_NULL(lk_watch_name_unsafe("uren-november.csv"));
    CU_ASSERT_PTR_NULL(lk_watch_name_unsafe("Uren november (def).xlsx"));
    CU_ASSERT_PTR_NULL(lk_watch_name_unsafe("uren-\xc3\xa9\xc3\xa9n.csv")); /* UTF-8 */
    CU_ASSERT_PTR_NOT_NULL(lk_watch_name_unsafe(""));
    CU_ASSERT_PTR_NOT_NULL(lk_watch_name_unsafe("a/b.csv"));
    CU_ASSERT_PTR_NOT_NULL(lk_watch_name_unsafe("a\\b.csv"));
    CU_ASSERT_PTR_NOT_NULL(lk_watch_name_unsafe("uren\n.csv"));
    CU_ASSERT_PTR_NOT_NULL(lk_watch_name_unsafe("uren\t.csv"));
    CU_ASSERT_PTR_NOT_NULL(lk_watch_name_unsafe("uren\x1b[31m.csv"));
    CU_ASSERT_PTR_NOT_NULL(lk_watch_name_unsafe("uren\x7f.csv"));
}

static void test_names_sanitize(void)
{
    char out[16];
    lk_watch_name_sanitize("uren.csv", out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "uren.csv");
    lk_watch_name_sanitize("a\nb/c\\d", out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "a_b_c_d");
    lk_watch_name_sanitize(".x", out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "_x");
    lk_watch_name_sanitize("", out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "_");
    lk_watch_name_sanitize("abcdefghijklmnopqrstuvwxyz", out, sizeof out);
    CU_ASSERT_EQUAL(strlen(out), 15);
}

/* ---------------------------------------------------------------- config and rules */

static lk_watch_config *parse(const char *json, lk_error *err, lk_code *rc)
{
    lk_watch_config *cfg = lk_watch_config_new();
    lk_error_clear(err);
    *rc = lk_watch_config_parse(cfg, json, "/etc/loket", "test.json", err);
    return cfg;
}

static void test_config_good(void)
{
    lk_error err;
    lk_code rc;
    lk_watch_config *cfg = parse(
        "{\"folders\": {\"inbox\": \"in\", \"done\": \"archief/klaar\"},"
        " \"settle_seconds\": 2.5, \"rescan_seconds\": 10, \"max_attempts\": 4,"
        " \"ignore\": [\"*.bak\"], \"options\": [\"--concurrency\", \"2\"],"
        " \"rules\": ["
        "  {\"match\": \"uren-*.csv\", \"mapping\": \"maps/uren.json\", \"mode\": \"apply\","
        "   \"employer\": \"40101\", \"period\": \"2026-11\","
        "   \"options\": [\"--allow-partial\", \"--allow-empty\"]},"
        "  {\"match\": \"*.xlsx\", \"mapping\": \"/abs/x.json\", \"mode\": \"plan\","
        "   \"allow_duplicates\": true, \"case_sensitive\": true}]}",
        &err, &rc);
    CU_ASSERT_EQUAL_FATAL(rc, LK_OK);
    CU_ASSERT_STRING_EQUAL(cfg->inbox, "in");
    CU_ASSERT_STRING_EQUAL(cfg->processing, "processing"); /* default kept */
    CU_ASSERT_STRING_EQUAL(cfg->done, "archief/klaar");
    CU_ASSERT_DOUBLE_EQUAL(cfg->settle_seconds, 2.5, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(cfg->rescan_seconds, 10, 1e-9);
    CU_ASSERT_EQUAL(cfg->max_attempts, 4);
    CU_ASSERT_EQUAL(cfg->n_ignore, 1);
    CU_ASSERT_EQUAL(cfg->n_options, 2);
    CU_ASSERT_EQUAL_FATAL(cfg->n_rules, 2);
    CU_ASSERT_STRING_EQUAL(cfg->rules[0].mapping, "/etc/loket/maps/uren.json");
    CU_ASSERT_EQUAL(cfg->rules[0].mode, LK_WATCH_APPLY);
    CU_ASSERT_STRING_EQUAL(cfg->rules[0].employer, "40101");
    CU_ASSERT_STRING_EQUAL(cfg->rules[0].period, "2026-11");
    CU_ASSERT_FALSE(cfg->rules[0].allow_duplicates);
    /* --allow-empty is how a rule takes exports that may be empty on purpose */
    CU_ASSERT_EQUAL_FATAL(cfg->rules[0].n_options, 2);
    CU_ASSERT_STRING_EQUAL(cfg->rules[0].options[1], "--allow-empty");
    CU_ASSERT_STRING_EQUAL(cfg->rules[1].mapping, "/abs/x.json");
    CU_ASSERT_EQUAL(cfg->rules[1].mode, LK_WATCH_PLAN);
    CU_ASSERT_TRUE(cfg->rules[1].allow_duplicates);
    CU_ASSERT_PTR_NULL(cfg->rules[1].employer);
    lk_watch_config_free(cfg);

    cfg = lk_watch_config_new(); /* the defaults */
    CU_ASSERT_STRING_EQUAL(cfg->inbox, "inbox");
    CU_ASSERT_STRING_EQUAL(cfg->failed, "failed");
    CU_ASSERT_STRING_EQUAL(cfg->reports, "reports");
    CU_ASSERT_DOUBLE_EQUAL(cfg->settle_seconds, 5, 1e-9);
    lk_watch_config_free(cfg);
}

static void expect_config_error(const char *json, const char *fragment)
{
    lk_error err;
    lk_code rc;
    lk_watch_config *cfg = parse(json, &err, &rc);
    CU_ASSERT_EQUAL(rc, LK_ERR_CONFIG);
    if (!strstr(err.message, fragment)) {
        fprintf(stderr, "\nexpected \"%s\" in: %s\n", fragment, err.message);
        CU_FAIL("error message");
    }
    lk_watch_config_free(cfg);
}

#define RULE "{\"match\": \"*\", \"mapping\": \"m.json\", \"mode\": \"apply\"}"

static void test_config_bad(void)
{
    expect_config_error("not json", "not valid JSON");
    expect_config_error("[]", "must be a JSON object");
    expect_config_error("{}", "\"rules\" must be a non-empty array");
    expect_config_error("{\"rules\": []}", "\"rules\" must be a non-empty array");
    expect_config_error("{\"rules\": [" RULE "], \"settle\": 3}", "unknown key \"settle\"");
    expect_config_error("{\"rules\": [{\"match\": \"*\", \"mapping\": \"m.json\", \"mode\": "
                        "\"apply\", \"allow_duplicate\": true}]}",
                        "rule 1: unknown key \"allow_duplicate\"");
    expect_config_error("{\"rules\": [{\"match\": \"*\", \"mapping\": \"m.json\"}]}",
                        "rule 1: \"mode\" must be");
    expect_config_error("{\"rules\": [" RULE ", {\"match\": \"*\", \"mapping\": \"m.json\", "
                        "\"mode\": \"send\"}]}",
                        "rule 2: \"mode\" must be");
    expect_config_error("{\"rules\": [{\"mapping\": \"m.json\", \"mode\": \"plan\"}]}",
                        "\"match\"");
    expect_config_error("{\"rules\": [{\"match\": \"*\", \"mode\": \"plan\"}]}",
                        "\"mapping\" is missing");
    expect_config_error("{\"rules\": [{\"match\": 5, \"mapping\": \"m\", \"mode\": \"plan\"}]}",
                        "\"match\" must be a non-empty string");
    expect_config_error("{\"rules\": [" RULE "], \"settle_seconds\": -1}", "settle_seconds");
    expect_config_error("{\"rules\": [" RULE "], \"max_attempts\": 0}", "max_attempts");
    expect_config_error("{\"rules\": [" RULE "], \"ignore\": [\"\"]}", "\"ignore\" must be");
    expect_config_error("{\"rules\": [" RULE "], \"folders\": {\"inbox\": \"../elders\"}}",
                        "relative path inside");
    expect_config_error("{\"rules\": [" RULE "], \"folders\": {\"inbox\": \"/srv/in\"}}",
                        "relative path inside");
    expect_config_error("{\"rules\": [" RULE "], \"folders\": {\"done\": \"a/../b\"}}",
                        "relative path inside");
    expect_config_error("{\"rules\": [" RULE "], \"folders\": {\"done\": \".loket-watch\"}}",
                        "relative path inside");
    expect_config_error("{\"rules\": [" RULE "], \"folders\": {\"done\": \"failed\"}}",
                        "used twice");
    expect_config_error("{\"rules\": [" RULE "], \"folders\": {\"outbox\": \"x\"}}",
                        "unknown key \"outbox\"");
    /* the config cannot send the token elsewhere or choose files for the watcher to write */
    static const char *const redirects[] = {
        "\"--api-url\", \"http://127.0.0.1:9/v2\"", "\"--api-url=http://127.0.0.1:9/v2\"",
        "\"--token-url\", \"http://127.0.0.1:9/token\"", "\"--config\", \"/tmp/x.json\"",
        "\"--cacert\", \"/tmp/ca.pem\"", "\"--trace\", \"/tmp/t.log\"",
        "\"--report\", \"/etc/x.csv\"", "\"--journal\", \"/tmp/j\"", "\"--resume\"",
        "\"--concurrency\", \"--api-url=http://x\"", "\"-m\", \"other.json\"",
    };
    for (size_t i = 0; i < LK_ARRAY_SIZE(redirects); i++) {
        char json[512];
        snprintf(json, sizeof json, "{\"rules\": [" RULE "], \"options\": [%s]}", redirects[i]);
        expect_config_error(json, "is not allowed in \"options\"");
        snprintf(json, sizeof json,
                 "{\"rules\": [{\"match\": \"*\", \"mapping\": \"m.json\", \"mode\": \"apply\", "
                 "\"options\": [%s]}]}",
                 redirects[i]);
        expect_config_error(json, "rule 1: option");
    }
}

/* A config that someone else can change decides what reaches Loket: refused. */
static void test_config_trusted(void)
{
    char *dir = lk_test_tmpdir(), path[512], text[256];
    lk_watch_config *cfg = NULL;
    lk_error err;
    snprintf(path, sizeof path, "%s/loket-watch.json", dir);
    snprintf(text, sizeof text, "{\"rules\": [" RULE "]}");
    lk_error_clear(&err);
    CU_ASSERT_EQUAL_FATAL(lk_write_file_atomic(path, text, strlen(text), 0666, &err), LK_OK);
    CU_ASSERT_EQUAL(lk_watch_config_load(path, &cfg, &err), LK_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "can be written by other users"));
    CU_ASSERT_EQUAL(chmod(path, 0620), 0);
    CU_ASSERT_EQUAL(lk_watch_config_load(path, &cfg, &err), LK_ERR_CONFIG);
    CU_ASSERT_EQUAL(chmod(path, 0644), 0);
    CU_ASSERT_EQUAL_FATAL(lk_watch_config_load(path, &cfg, &err), LK_OK);
    lk_watch_config_free(cfg);
    cfg = NULL;
    if (geteuid() == 0) {
        /* root's watcher and a config of another user (65534, nobody) */
        CU_ASSERT_EQUAL(chown(path, 65534, 65534), 0);
        CU_ASSERT_EQUAL(lk_watch_config_load(path, &cfg, &err), LK_ERR_CONFIG);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "belongs to another user"));
    }
    lk_test_rmtree(dir);
    free(dir);
}

static void test_config_load(void)
{
    char *dir = lk_test_tmpdir(), path[512], text[256];
    lk_watch_config *cfg = NULL;
    lk_error err;
    snprintf(path, sizeof path, "%s/loket-watch.json", dir);
    snprintf(text, sizeof text, "{\"rules\": [" RULE "]}");
    lk_error_clear(&err);
    CU_ASSERT_EQUAL_FATAL(lk_write_file_atomic(path, text, strlen(text), 0644, &err), LK_OK);
    CU_ASSERT_EQUAL_FATAL(lk_watch_config_load(path, &cfg, &err), LK_OK);
    /* a relative mapping is found next to the config, wherever the watcher runs */
    CU_ASSERT_EQUAL(cfg->rules[0].mapping[0], '/');
    CU_ASSERT_PTR_NOT_NULL(strstr(cfg->rules[0].mapping, "/m.json"));
    lk_watch_config_free(cfg);
    snprintf(path, sizeof path, "%s/missing.json", dir);
    CU_ASSERT_EQUAL(lk_watch_config_load(path, &cfg, &err), LK_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "missing.json"));
    lk_test_rmtree(dir);
    free(dir);
}

static void test_rule_find(void)
{
    lk_error err;
    lk_code rc;
    lk_watch_config *cfg = parse(
        "{\"rules\": ["
        " {\"match\": \"uren-*.csv\", \"mapping\": \"a\", \"mode\": \"apply\"},"
        " {\"match\": \"*.CSV\", \"mapping\": \"b\", \"mode\": \"plan\", \"case_sensitive\": true},"
        " {\"match\": \"*.xlsx\", \"mapping\": \"c\", \"mode\": \"plan\"}]}",
        &err, &rc);
    const lk_watch_rule *r;
    CU_ASSERT_EQUAL_FATAL(rc, LK_OK);
    r = lk_watch_rule_find(cfg, "uren-nov.csv");
    CU_ASSERT_PTR_EQUAL(r, &cfg->rules[0]);
    /* case-insensitive by default: Windows exports vary in case */
    r = lk_watch_rule_find(cfg, "UREN-NOV.CSV");
    CU_ASSERT_PTR_EQUAL(r, &cfg->rules[0]);
    /* the first matching rule wins */
    r = lk_watch_rule_find(cfg, "andere.CSV");
    CU_ASSERT_PTR_EQUAL(r, &cfg->rules[1]);
    CU_ASSERT_PTR_NULL(lk_watch_rule_find(cfg, "andere.csv")); /* rule 2 is case-sensitive */
    r = lk_watch_rule_find(cfg, "Uren.XLSX");
    CU_ASSERT_PTR_EQUAL(r, &cfg->rules[2]);
    CU_ASSERT_PTR_NULL(lk_watch_rule_find(cfg, "notities.txt"));
    CU_ASSERT_PTR_NULL(lk_watch_rule_find(cfg, "uren-nov.csv.bak"));
    CU_ASSERT_STRING_EQUAL(lk_watch_mode_name(LK_WATCH_APPLY), "apply");
    CU_ASSERT_STRING_EQUAL(lk_watch_mode_name(LK_WATCH_PLAN), "plan");
    lk_watch_config_free(cfg);
}

/* ---------------------------------------------------------------- settling */

static void test_settle(void)
{
    lk_watch_settle *s = lk_watch_settle_new(2000);
    lk_watch_filestat a = { 100, 5000, 5000, 42 }, b = a;
    double rem = -1;
    /* the first sight never counts as settled, however old the file's times look */
    CU_ASSERT_EQUAL(lk_watch_settle_observe(s, "x.csv", &a, 1000, &rem), 0);
    CU_ASSERT_DOUBLE_EQUAL(rem, 2000, 1e-9);
    CU_ASSERT_EQUAL(lk_watch_settle_observe(s, "x.csv", &a, 2500, &rem), 0);
    CU_ASSERT_DOUBLE_EQUAL(rem, 500, 1e-9);
    /* grows: the clock starts again */
    b.size = 200;
    b.mtime_ns = 6000;
    CU_ASSERT_EQUAL(lk_watch_settle_observe(s, "x.csv", &b, 2900, &rem), 0);
    CU_ASSERT_DOUBLE_EQUAL(rem, 2000, 1e-9);
    CU_ASSERT_EQUAL(lk_watch_settle_observe(s, "x.csv", &b, 4899, &rem), 0);
    CU_ASSERT_EQUAL(lk_watch_settle_observe(s, "x.csv", &b, 4900, NULL), 1);
    /* same size, only ctime changed (touch -d, chmod): not settled */
    b.ctime_ns = 7000;
    CU_ASSERT_EQUAL(lk_watch_settle_observe(s, "x.csv", &b, 5000, NULL), 0);
    /* replaced by another file of the same size and times: another inode */
    b.ino = 43;
    CU_ASSERT_EQUAL(lk_watch_settle_observe(s, "x.csv", &b, 8000, NULL), 0);
    CU_ASSERT_EQUAL(lk_watch_settle_observe(s, "x.csv", &b, 10000, NULL), 1);
    /* written and not closed (inotify): never settled while open, however long */
    lk_watch_settle_writing(s, "x.csv", 1);
    CU_ASSERT_EQUAL(lk_watch_settle_observe(s, "x.csv", &b, 60000, NULL), 0);
    CU_ASSERT_EQUAL(lk_watch_settle_observe(s, "x.csv", &b, 600000, NULL), 0);
    /* closed after writing: the settle time counts from then */
    lk_watch_settle_writing(s, "x.csv", 0);
    CU_ASSERT_EQUAL(lk_watch_settle_observe(s, "x.csv", &b, 600001, NULL), 0);
    CU_ASSERT_EQUAL(lk_watch_settle_observe(s, "x.csv", &b, 602001, NULL), 1);
    /* lost events (queue overflow): back to the settle time alone */
    lk_watch_settle_writing(s, "x.csv", 1);
    lk_watch_settle_writing(s, NULL, 0);
    CU_ASSERT_EQUAL(lk_watch_settle_observe(s, "x.csv", &b, 602002, NULL), 1);
    /* names are independent */
    CU_ASSERT_EQUAL(lk_watch_settle_observe(s, "y.csv", &a, 10000, NULL), 0);
    CU_ASSERT_EQUAL(lk_watch_settle_count(s), 2);
    /* a name not seen in a scan is forgotten; seen again, it starts over */
    lk_watch_settle_prune(s);
    CU_ASSERT_EQUAL(lk_watch_settle_count(s), 2);
    CU_ASSERT_EQUAL(lk_watch_settle_observe(s, "y.csv", &a, 11000, NULL), 0);
    lk_watch_settle_prune(s);
    CU_ASSERT_EQUAL(lk_watch_settle_count(s), 1);
    CU_ASSERT_EQUAL(lk_watch_settle_observe(s, "x.csv", &b, 20000, NULL), 0);
    lk_watch_settle_forget(s, "x.csv");
    lk_watch_settle_forget(s, "nothing");
    CU_ASSERT_EQUAL(lk_watch_settle_count(s), 1);
    lk_watch_settle_free(s);
    /* settle time 0: taken on first sight */
    s = lk_watch_settle_new(0);
    CU_ASSERT_EQUAL(lk_watch_settle_observe(s, "x.csv", &a, 1, NULL), 1);
    lk_watch_settle_free(s);
}

/* ---------------------------------------------------------------- registry */

#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static int claim(const char *path, const char *sha, const char *name, int allow,
                 lk_watch_record *prior, int *found)
{
    lk_watch_record rec;
    lk_error err;
    int dup = -1;
    lk_error_clear(&err);
    lk_watch_record_init(&rec, sha, name, name, "started", -1);
    CU_ASSERT_EQUAL(lk_watch_registry_claim(path, &rec, allow, &dup, prior, found, &err), LK_OK);
    return dup;
}

static void note(const char *path, const char *sha, const char *name, const char *status,
                 int code)
{
    lk_watch_record rec;
    lk_error err;
    lk_error_clear(&err);
    lk_watch_record_init(&rec, sha, name, name, status, code);
    CU_ASSERT_EQUAL(lk_watch_registry_append(path, &rec, &err), LK_OK);
}

static void test_registry(void)
{
    char *dir = lk_test_tmpdir(), path[512];
    lk_watch_record prior, latest;
    int found = -1;
    lk_error err;
    lk_error_clear(&err);
    snprintf(path, sizeof path, "%s/imported.jsonl", dir);
    /* new content: claimed */
    CU_ASSERT_EQUAL(claim(path, SHA_A, "a.csv", 0, &prior, &found), 0);
    CU_ASSERT_EQUAL(found, 0);
    /* the same content while its run is underway: a duplicate */
    CU_ASSERT_EQUAL(claim(path, SHA_A, "a-kopie.csv", 0, &prior, &found), 1);
    CU_ASSERT_EQUAL(found, 1);
    CU_ASSERT_STRING_EQUAL(prior.name, "a.csv");
    CU_ASSERT_STRING_EQUAL(prior.status, "started");
    note(path, SHA_A, "a.csv", "imported", 0);
    CU_ASSERT_EQUAL(claim(path, SHA_A, "a-kopie.csv", 0, &prior, &found), 1);
    CU_ASSERT_STRING_EQUAL(prior.status, "imported");
    CU_ASSERT_EQUAL(prior.exit_code, 0);
    /* a refused duplicate writes nothing: the latest line is still the import */
    CU_ASSERT_EQUAL(lk_watch_registry_find(path, SHA_A, 0, &latest, &found, &err), LK_OK);
    CU_ASSERT_STRING_EQUAL(latest.name, "a.csv");
    /* unless the rule allows it */
    CU_ASSERT_EQUAL(claim(path, SHA_A, "a-opnieuw.csv", 1, &prior, &found), 0);
    CU_ASSERT_EQUAL(lk_watch_registry_find(path, SHA_A, 0, &latest, &found, &err), LK_OK);
    CU_ASSERT_STRING_EQUAL(latest.name, "a-opnieuw.csv");
    note(path, SHA_A, "a-opnieuw.csv", "partial", 1);
    CU_ASSERT_EQUAL(claim(path, SHA_A, "x.csv", 0, NULL, NULL), 1);
    /* forgotten content may come again */
    note(path, SHA_A, "a-opnieuw.csv", "forgotten", -1);
    CU_ASSERT_EQUAL(claim(path, SHA_A, "x.csv", 0, NULL, NULL), 0);
    /* the same run claiming again (a restart after a crash right after its claim): its own
     * line is no duplicate, and no second line is written */
    {
        lk_watch_record rec;
        int dup = -1;
        char *text = NULL;
        size_t before, after;
        CU_ASSERT_EQUAL(lk_read_file(path, 1 << 20, &text, &before, &err), LK_OK);
        free(text);
        lk_watch_record_init(&rec, SHA_A, "x.csv", "x.csv", "started", -1);
        CU_ASSERT_EQUAL(lk_watch_registry_claim(path, &rec, 0, &dup, NULL, NULL, &err), LK_OK);
        CU_ASSERT_EQUAL(dup, 0);
        CU_ASSERT_EQUAL(lk_read_file(path, 1 << 20, &text, &after, &err), LK_OK);
        free(text);
        CU_ASSERT_EQUAL(before, after);
        /* another run of that content is still refused */
        CU_ASSERT_EQUAL(claim(path, SHA_A, "y.csv", 0, NULL, NULL), 1);
    }
    /* content that was not sent (input errors) or failed may come again */
    CU_ASSERT_EQUAL(claim(path, SHA_B, "b.csv", 0, NULL, NULL), 0);
    note(path, SHA_B, "b.csv", "not-sent", 2);
    CU_ASSERT_EQUAL(claim(path, SHA_B, "b.csv", 0, NULL, NULL), 0);
    note(path, SHA_B, "b.csv", "failed", 3);
    CU_ASSERT_EQUAL(claim(path, SHA_B, "b.csv", 0, NULL, NULL), 0);
    /* look-up by file name finds the latest line of that name */
    CU_ASSERT_EQUAL(lk_watch_registry_find(path, "a-opnieuw.csv", 1, &latest, &found, &err),
                    LK_OK);
    CU_ASSERT_EQUAL(found, 1);
    CU_ASSERT_STRING_EQUAL(latest.status, "forgotten");
    CU_ASSERT_EQUAL(lk_watch_registry_find(path, "nooit.csv", 1, &latest, &found, &err), LK_OK);
    CU_ASSERT_EQUAL(found, 0);
    CU_ASSERT_TRUE(lk_watch_status_blocks_duplicate("started"));
    CU_ASSERT_TRUE(lk_watch_status_blocks_duplicate("imported"));
    CU_ASSERT_TRUE(lk_watch_status_blocks_duplicate("partial"));
    CU_ASSERT_FALSE(lk_watch_status_blocks_duplicate("not-sent"));
    CU_ASSERT_FALSE(lk_watch_status_blocks_duplicate("failed"));
    CU_ASSERT_FALSE(lk_watch_status_blocks_duplicate("forgotten"));
    lk_test_rmtree(dir);
    free(dir);
}

static void test_registry_torn_line(void)
{
    char *dir = lk_test_tmpdir(), path[512], *text = NULL;
    lk_watch_record latest;
    lk_error err;
    int found = 0, fd;
    static const char torn[] = "{\"sha256\":\"" SHA_A "\",\"name\":\"a.csv\",\"status\":\"impo";
    lk_error_clear(&err);
    snprintf(path, sizeof path, "%s/imported.jsonl", dir);
    note(path, SHA_A, "a.csv", "started", -1);
    /* a crash in the middle of a write leaves half a line at the end */
    fd = open(path, O_WRONLY | O_APPEND);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(write(fd, torn, sizeof torn - 1), (ssize_t)(sizeof torn - 1));
    close(fd);
    CU_ASSERT_EQUAL(lk_watch_registry_find(path, SHA_A, 0, &latest, &found, &err), LK_OK);
    CU_ASSERT_EQUAL(found, 1);
    CU_ASSERT_STRING_EQUAL(latest.status, "started");
    /* the next record starts on its own line and is read back */
    note(path, SHA_A, "a.csv", "imported", 0);
    CU_ASSERT_EQUAL(lk_watch_registry_find(path, SHA_A, 0, &latest, &found, &err), LK_OK);
    CU_ASSERT_STRING_EQUAL(latest.status, "imported");
    CU_ASSERT_EQUAL(lk_read_file(path, 1 << 20, &text, NULL, &err), LK_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"impo\n{"));
    free(text);
    /* garbage lines are skipped, never fatal */
    fd = open(path, O_WRONLY | O_APPEND);
    CU_ASSERT_EQUAL(write(fd, "\n[1,2]\n\"x\"\nnull\n{}\n", 19), 19);
    close(fd);
    CU_ASSERT_EQUAL(claim(path, SHA_A, "b.csv", 0, NULL, NULL), 1);
    lk_test_rmtree(dir);
    free(dir);
}

static void test_registry_unwritable(void)
{
    lk_watch_record rec;
    lk_error err;
    int dup = 0;
    lk_error_clear(&err);
    lk_watch_record_init(&rec, SHA_A, "a.csv", "r", "started", -1);
    CU_ASSERT_EQUAL(lk_watch_registry_claim("/nonexistent/dir/imported.jsonl", &rec, 0, &dup,
                                            NULL, NULL, &err),
                    LK_ERR_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "registry"));
}

/* ---------------------------------------------------------------- folder helpers */

static void touch_at(int dir_fd, const char *name, const char *text)
{
    int fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

static void test_folder_move_and_lock(void)
{
    char *dir = lk_test_tmpdir(), dest[300], hash[33], sha[65], link_path[600];
    int root = open(dir, O_RDONLY | O_DIRECTORY), a, b, lock1, lock2, fd;
    long long size = 0;
    lk_error err;
    struct stat st;
    lk_error_clear(&err);
    CU_ASSERT_FATAL(root >= 0);
    a = lk_watch_open_subdir(root, "in", 1);
    b = lk_watch_open_subdir(root, "uit/klaar", 1);
    CU_ASSERT_FATAL(a >= 0 && b >= 0);
    /* a move never replaces: the second uren.csv becomes uren.2.csv */
    touch_at(a, "uren.csv", "eerste");
    CU_ASSERT_EQUAL(lk_watch_move_noreplace(a, "uren.csv", b, dest, sizeof dest), 0);
    CU_ASSERT_STRING_EQUAL(dest, "uren.csv");
    touch_at(a, "uren.csv", "tweede");
    CU_ASSERT_EQUAL(lk_watch_move_noreplace(a, "uren.csv", b, dest, sizeof dest), 0);
    CU_ASSERT_STRING_EQUAL(dest, "uren.2.csv");
    touch_at(a, "LEESMIJ", "x");
    touch_at(b, "LEESMIJ", "y");
    CU_ASSERT_EQUAL(lk_watch_move_noreplace(a, "LEESMIJ", b, dest, sizeof dest), 0);
    CU_ASSERT_STRING_EQUAL(dest, "LEESMIJ.2");
    /* the source gone (another watcher took it): ENOENT, nothing created */
    CU_ASSERT_EQUAL(lk_watch_move_noreplace(a, "weg.csv", b, dest, sizeof dest), -1);
    CU_ASSERT_EQUAL(errno, ENOENT);
    /* one lock per name: a second holder is refused until the first lets go */
    lk_watch_name_hash("uren.csv", hash);
    CU_ASSERT_EQUAL(strlen(hash), 32);
    lock1 = lk_watch_lock_name(a, hash);
    CU_ASSERT_FATAL(lock1 >= 0);
    lock2 = lk_watch_lock_name(a, hash);
    CU_ASSERT_EQUAL(lock2, -1);
    CU_ASSERT_EQUAL(errno, EBUSY);
    lk_watch_unlock_name(a, hash, lock1);
    lock2 = lk_watch_lock_name(a, hash);
    CU_ASSERT(lock2 >= 0);
    lk_watch_unlock_name(a, hash, lock2);
    /* a folder of the layout that is a symlink is refused, not followed */
    snprintf(link_path, sizeof link_path, "%s/link", dir);
    CU_ASSERT_EQUAL(symlink(dir, link_path), 0);
    CU_ASSERT_EQUAL(lk_watch_open_subdir(root, "link", 1), -1);
    CU_ASSERT_EQUAL(lk_watch_open_subdir(root, "link/sub", 1), -1);
    /* the hash of an open file */
    fd = openat(b, "uren.csv", O_RDONLY);
    CU_ASSERT_EQUAL(lk_watch_sha256_fd(fd, sha, &size, &err), LK_OK);
    close(fd);
    CU_ASSERT_EQUAL(size, 6);
    /* sha256("eerste") */
    {
        char expect[65];
        lk_sha256_hex("eerste", 6, expect);
        CU_ASSERT_STRING_EQUAL(sha, expect);
    }
    CU_ASSERT_EQUAL(fstatat(b, "uren.csv", &st, 0), 0);
    CU_ASSERT_STRING_EQUAL(lk_watch_file_type(st.st_mode), "a regular file");
    close(a);
    close(b);
    close(root);
    lk_test_rmtree(dir);
    free(dir);
}

static const lk_test tests[] = {
    { "names: ignored while being written", test_names_ignored },
    { "names: refused", test_names_unsafe },
    { "names: sanitized for report names", test_names_sanitize },
    { "config: every field", test_config_good },
    { "config: errors name the problem", test_config_bad },
    { "config: load, relative mappings", test_config_load },
    { "config: writable by others or not ours: refused", test_config_trusted },
    { "rules: first match, case", test_rule_find },
    { "settle: unchanged for the settle time", test_settle },
    { "registry: duplicates refused or allowed", test_registry },
    { "registry: torn and garbage lines", test_registry_torn_line },
    { "registry: unwritable", test_registry_unwritable },
    { "folder: moves never replace, locks, hashes", test_folder_move_and_lock },
    { NULL, NULL },
};

int main(void)
{
    return lk_test_main("watch", tests);
}
