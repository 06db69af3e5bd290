/*
 * config.c: the folder config (DIR/loket-watch.json) and the choice of a rule by file name.
 *
 *   { "folders": { "inbox": "inbox", ... }, "settle_seconds": 5, "rescan_seconds": 60,
 *     "max_attempts": 3, "ignore": ["*.bak"], "options": ["--concurrency", "4"],
 *     "retry_seconds": [60, 300], "retry_max_age_seconds": 86400,
 *     "onFailure": ["/usr/local/bin/notify", "failed"], "onSuccess": [...],
 *     "hook_timeout_seconds": 60,
 *     "rules": [ { "match": "uren-*.csv", "mapping": "mappings/uren.json", "mode": "apply",
 *                  "employer": "40101", "period": "2026-11", "allow_duplicates": false,
 *                  "case_sensitive": false, "options": ["--allow-partial"] } ] }
 *
 * Unknown keys are errors: a misspelt "allow_duplicate" silently ignored would import a file
 * twice or refuse one an operator meant to allow.
 */
#include "watch/watch.h"

#include "common/i18n.h"
#include "common/safefile.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <cJSON.h>
#include <fnmatch.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define CONFIG_MAX_BYTES (1024 * 1024)

lk_watch_config *lk_watch_config_new(void)
{
    lk_watch_config *cfg = xcalloc(1, sizeof(*cfg));
    cfg->inbox = xstrdup("inbox");
    cfg->processing = xstrdup("processing");
    cfg->done = xstrdup("done");
    cfg->failed = xstrdup("failed");
    cfg->reports = xstrdup("reports");
    cfg->settle_seconds = 5;
    cfg->rescan_seconds = 60;
    cfg->max_attempts = 3;
    {
        static const double schedule[] = { 60, 300, 900, 1800, 3600 };
        cfg->n_retry = sizeof schedule / sizeof schedule[0];
        cfg->retry_seconds = xmalloc(sizeof schedule);
        memcpy(cfg->retry_seconds, schedule, sizeof schedule);
    }
    cfg->retry_max_age_seconds = 86400;
    cfg->hook_timeout_seconds = 60;
    cfg->probe_seconds = 20;
    return cfg;
}

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void lk_watch_config_free(lk_watch_config *cfg)
{
    if (!cfg)
        return;
    free(cfg->inbox);
    free(cfg->processing);
    free(cfg->done);
    free(cfg->failed);
    free(cfg->reports);
    free_strings(cfg->ignore, cfg->n_ignore);
    free_strings(cfg->options, cfg->n_options);
    free_strings(cfg->on_failure, cfg->n_on_failure);
    free_strings(cfg->on_success, cfg->n_on_success);
    free(cfg->retry_seconds);
    for (size_t i = 0; i < cfg->n_rules; i++) {
        lk_watch_rule *r = &cfg->rules[i];
        free(r->match);
        free(r->mapping);
        free(r->employer);
        free(r->period);
        free_strings(r->options, r->n_options);
    }
    free(cfg->rules);
    free(cfg);
}

const char *lk_watch_mode_name(lk_watch_mode mode)
{
    return mode == LK_WATCH_APPLY ? "apply" : "plan";
}

/* ---------------------------------------------------------------- parsing helpers */

static lk_code bad(lk_error *err, const char *origin, const char *where, const char *what)
{
    return lk_error_set(err, LK_ERR_CONFIG, "%s: %s: %s", origin, where, what);
}

static int key_allowed(const char *key, const char *const *allowed)
{
    for (; *allowed; allowed++)
        if (!strcmp(key, *allowed))
            return 1;
    return 0;
}

static lk_code check_keys(const cJSON *obj, const char *const *allowed, const char *origin,
                          const char *where, lk_error *err)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, obj) {
        if (!key_allowed(it->string, allowed))
            return lk_error_set(err, LK_ERR_CONFIG, _("%s: %s: unknown key \"%s\""), origin, where,
                                it->string);
    }
    return LK_OK;
}

/* A string member (absent leaves *out alone); replaces *out. */
static lk_code get_string(const cJSON *obj, const char *key, char **out, const char *origin,
                          const char *where, lk_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v)
        return LK_OK;
    if (!cJSON_IsString(v) || !v->valuestring[0]) {
        char what[96];
        snprintf(what, sizeof what, _("\"%s\" must be a non-empty string"), key);
        return bad(err, origin, where, what);
    }
    free(*out);
    *out = xstrdup(v->valuestring);
    return LK_OK;
}

static lk_code get_bool(const cJSON *obj, const char *key, int *out, const char *origin,
                        const char *where, lk_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v)
        return LK_OK;
    if (!cJSON_IsBool(v)) {
        char what[96];
        snprintf(what, sizeof what, _("\"%s\" must be true or false"), key);
        return bad(err, origin, where, what);
    }
    *out = cJSON_IsTrue(v);
    return LK_OK;
}

static lk_code get_number(const cJSON *obj, const char *key, double min, double max,
                          double *out, const char *origin, lk_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v)
        return LK_OK;
    if (!cJSON_IsNumber(v) || v->valuedouble < min || v->valuedouble > max)
        return lk_error_set(err, LK_ERR_CONFIG, _("%s: \"%s\" must be a number from %g to %g"),
                            origin, key, min, max);
    *out = v->valuedouble;
    return LK_OK;
}

static lk_code get_strings(const cJSON *obj, const char *key, char ***out, size_t *n,
                           const char *origin, const char *where, lk_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key), *it;
    if (!v)
        return LK_OK;
    if (!cJSON_IsArray(v))
        goto fail;
    cJSON_ArrayForEach(it, v) {
        if (!cJSON_IsString(it) || !it->valuestring[0])
            goto fail;
    }
    free_strings(*out, *n);
    *n = 0;
    *out = xcalloc((size_t)cJSON_GetArraySize(v) + 1, sizeof(char *));
    cJSON_ArrayForEach(it, v)
        (*out)[(*n)++] = xstrdup(it->valuestring);
    return LK_OK;
fail:
    {
        char what[96];
        snprintf(what, sizeof what, _("\"%s\" must be an array of non-empty strings"), key);
        return bad(err, origin, where, what);
    }
}

/* "retry_seconds": a non-empty array of waits, each from 1 second to a day. */
static lk_code get_schedule(const cJSON *obj, lk_watch_config *cfg, const char *origin,
                            lk_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "retry_seconds"), *it;
    size_t n = 0;
    if (!v)
        return LK_OK;
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) == 0)
        goto fail;
    cJSON_ArrayForEach(it, v) {
        if (!cJSON_IsNumber(it) || it->valuedouble < 1 || it->valuedouble > 86400)
            goto fail;
    }
    free(cfg->retry_seconds);
    cfg->retry_seconds = xcalloc((size_t)cJSON_GetArraySize(v), sizeof(double));
    cJSON_ArrayForEach(it, v)
        cfg->retry_seconds[n++] = it->valuedouble;
    cfg->n_retry = n;
    return LK_OK;
fail:
    return bad(err, origin, "top level",
               "\"retry_seconds\" must be a non-empty array of numbers from 1 to 86400");
}

/*
 * Options the folder config may pass to an import: how to import, never where to connect or
 * what to write. Anyone who can write the config must not be able to send the access token to
 * another server (--api-url, --token-url, --config, --cacert) or make the watcher write files of
 * their choosing (--trace, --report, --journal); those are the watcher's own command line.
 */
static lk_code check_options(char **opts, size_t n, const char *origin, const char *where,
                             lk_error *err)
{
    static const char *const flags[] = { "--allow-partial", "--allow-empty", "--force", "--verify",
                                         "--stats", "--collective", NULL };
    for (size_t i = 0; i < n; i++) {
        const char *o = opts[i];
        bool ok = false;
        for (size_t k = 0; flags[k] && !ok; k++)
            ok = !strcmp(o, flags[k]);
        if (!ok && !strncmp(o, "--collective=", 13))
            ok = true;
        if (!ok && !strncmp(o, "--concurrency=", 14))
            ok = true;
        if (!ok && !strcmp(o, "--concurrency") && i + 1 < n && opts[i + 1][0] != '-') {
            ok = true;
            i++;
        }
        if (!ok) {
            char what[400];
            snprintf(what, sizeof what,
                     "option \"%.60s\" is not allowed in \"options\" (allowed: --allow-partial, "
                     "--allow-empty, --force, --verify, --stats, --collective[=N], --concurrency N); the "
                     "connection and the files written are given to 'loket-import watch' itself",
                     o);
            return bad(err, origin, where, what);
        }
    }
    return LK_OK;
}

/* Folder names are relative and stay inside DIR, so every move is a rename on one file system. */
static lk_code check_folder_name(const char *name, const char *origin, lk_error *err)
{
    const char *p = name;
    if (name[0] == '/')
        goto fail;
    while (*p) {
        size_t len = strcspn(p, "/");
        if ((len == 2 && !strncmp(p, "..", 2)) || (len == 1 && p[0] == '.') || len == 0)
            goto fail;
        if (!strncmp(p, ".loket-watch", len) && len == strlen(".loket-watch"))
            goto fail;
        p += len;
        if (*p == '/')
            p++;
        if (!*p && p[-1] == '/')
            goto fail;
    }
    for (p = name; *p; p++)
        if ((unsigned char)*p < 0x20)
            goto fail;
    return LK_OK;
fail:
    return lk_error_set(err, LK_ERR_CONFIG,
                        _("%s: folder \"%s\" must be a relative path inside the watched folder"),
                        origin, name);
}

static char *absolute_against(const char *path, const char *base_dir)
{
    strbuf sb = STRBUF_INIT;
    if (path[0] == '/' || !base_dir || !base_dir[0])
        return xstrdup(path);
    strbuf_init(&sb, 0);
    strbuf_addf(&sb, "%s/%s", base_dir, path);
    return strbuf_detach(&sb, NULL);
}

/* ---------------------------------------------------------------- the config */

static lk_code parse_rule(lk_watch_rule *r, const cJSON *obj, size_t index, const char *base_dir,
                          const char *origin, lk_error *err)
{
    static const char *const keys[] = { "match", "mapping", "mode", "employer", "period",
                                        "allow_duplicates", "case_sensitive", "options", NULL };
    char where[32];
    char *mode = NULL, *mapping = NULL;
    lk_code rc;
    snprintf(where, sizeof where, "rule %zu", index + 1);
    if (!cJSON_IsObject(obj))
        return bad(err, origin, where, "must be an object");
    if ((rc = check_keys(obj, keys, origin, where, err)) ||
        (rc = get_string(obj, "match", &r->match, origin, where, err)) ||
        (rc = get_string(obj, "mapping", &mapping, origin, where, err)) ||
        (rc = get_string(obj, "mode", &mode, origin, where, err)) ||
        (rc = get_string(obj, "employer", &r->employer, origin, where, err)) ||
        (rc = get_string(obj, "period", &r->period, origin, where, err)) ||
        (rc = get_bool(obj, "allow_duplicates", &r->allow_duplicates, origin, where, err)) ||
        (rc = get_bool(obj, "case_sensitive", &r->case_sensitive, origin, where, err)) ||
        (rc = get_strings(obj, "options", &r->options, &r->n_options, origin, where, err)) ||
        (rc = check_options(r->options, r->n_options, origin, where, err)))
        goto out;
    rc = LK_ERR_CONFIG;
    if (!r->match) {
        bad(err, origin, where, "\"match\" (a file-name pattern such as \"uren-*.csv\") is missing");
        goto out;
    }
    if (!mapping) {
        bad(err, origin, where, "\"mapping\" is missing");
        goto out;
    }
    /* No default mode: whether files are sent to Loket must be written down. */
    if (!mode || (strcmp(mode, "plan") && strcmp(mode, "apply"))) {
        bad(err, origin, where, "\"mode\" must be \"plan\" (review only) or \"apply\"");
        goto out;
    }
    r->mode = !strcmp(mode, "apply") ? LK_WATCH_APPLY : LK_WATCH_PLAN;
    r->mapping = absolute_against(mapping, base_dir);
    rc = LK_OK;
out:
    free(mode);
    free(mapping);
    return rc;
}

lk_code lk_watch_config_parse(lk_watch_config *cfg, const char *json, const char *base_dir,
                              const char *origin, lk_error *err)
{
    static const char *const keys[] = { "folders", "settle_seconds", "rescan_seconds",
                                        "max_attempts", "ignore", "options", "rules",
                                        "retry_seconds", "retry_max_age_seconds", "onFailure",
                                        "onSuccess", "hook_timeout_seconds", "probe_seconds", NULL };
    static const char *const folder_keys[] = { "inbox", "processing", "done", "failed",
                                               "reports", NULL };
    cJSON *root = cJSON_Parse(json);
    const cJSON *folders, *rules, *it;
    double attempts = cfg->max_attempts;
    lk_code rc = LK_OK;
    char **names[5];
    if (!root) {
        return lk_error_set(err, LK_ERR_CONFIG, _("%s: not valid JSON (near \"%.20s\")"), origin,
                            cJSON_GetErrorPtr() ? cJSON_GetErrorPtr() : "");
    }
    if (!cJSON_IsObject(root)) {
        rc = lk_error_set(err, LK_ERR_CONFIG, _("%s: must be a JSON object"), origin);
        goto out;
    }
    if ((rc = check_keys(root, keys, origin, "top level", err)))
        goto out;
    folders = cJSON_GetObjectItemCaseSensitive(root, "folders");
    if (folders) {
        if (!cJSON_IsObject(folders)) {
            rc = bad(err, origin, "folders", "must be an object");
            goto out;
        }
        if ((rc = check_keys(folders, folder_keys, origin, "folders", err)) ||
            (rc = get_string(folders, "inbox", &cfg->inbox, origin, "folders", err)) ||
            (rc = get_string(folders, "processing", &cfg->processing, origin, "folders", err)) ||
            (rc = get_string(folders, "done", &cfg->done, origin, "folders", err)) ||
            (rc = get_string(folders, "failed", &cfg->failed, origin, "folders", err)) ||
            (rc = get_string(folders, "reports", &cfg->reports, origin, "folders", err)))
            goto out;
    }
    names[0] = &cfg->inbox;
    names[1] = &cfg->processing;
    names[2] = &cfg->done;
    names[3] = &cfg->failed;
    names[4] = &cfg->reports;
    for (int i = 0; i < 5; i++) {
        if ((rc = check_folder_name(*names[i], origin, err)))
            goto out;
        for (int j = 0; j < i; j++) {
            if (!strcmp(*names[i], *names[j])) {
                rc = lk_error_set(err, LK_ERR_CONFIG, _("%s: folders: \"%s\" is used twice"),
                                  origin, *names[i]);
                goto out;
            }
        }
    }
    if ((rc = get_number(root, "settle_seconds", 0, 86400, &cfg->settle_seconds, origin, err)) ||
        (rc = get_number(root, "rescan_seconds", 0.1, 86400, &cfg->rescan_seconds, origin, err)) ||
        (rc = get_number(root, "max_attempts", 1, 100, &attempts, origin, err)) ||
        (rc = get_strings(root, "ignore", &cfg->ignore, &cfg->n_ignore, origin, "top level", err)) ||
        (rc = get_strings(root, "options", &cfg->options, &cfg->n_options, origin, "top level",
                          err)) ||
        (rc = get_schedule(root, cfg, origin, err)) ||
        (rc = get_number(root, "retry_max_age_seconds", 0, 30 * 86400.0,
                         &cfg->retry_max_age_seconds, origin, err)) ||
        (rc = get_strings(root, "onFailure", &cfg->on_failure, &cfg->n_on_failure, origin,
                          "top level", err)) ||
        (rc = get_strings(root, "onSuccess", &cfg->on_success, &cfg->n_on_success, origin,
                          "top level", err)) ||
        (rc = get_number(root, "hook_timeout_seconds", 1, 3600, &cfg->hook_timeout_seconds,
                         origin, err)) ||
        (rc = get_number(root, "probe_seconds", 0, 3600, &cfg->probe_seconds, origin, err)) ||
        (rc = check_options(cfg->options, cfg->n_options, origin, "top level", err)))
        goto out;
    cfg->max_attempts = (int)attempts;
    if ((cJSON_GetObjectItemCaseSensitive(root, "onFailure") && !cfg->n_on_failure) ||
        (cJSON_GetObjectItemCaseSensitive(root, "onSuccess") && !cfg->n_on_success)) {
        rc = bad(err, origin, "top level",
                 "\"onFailure\" and \"onSuccess\" must be a command: a non-empty array of "
                 "the program and its arguments");
        goto out;
    }
    rules = cJSON_GetObjectItemCaseSensitive(root, "rules");
    if (!cJSON_IsArray(rules) || cJSON_GetArraySize(rules) == 0) {
        rc = lk_error_set(err, LK_ERR_CONFIG,
                          _("%s: \"rules\" must be a non-empty array: without a rule no file can "
                          "be imported"), origin);
        goto out;
    }
    cfg->rules = xcalloc((size_t)cJSON_GetArraySize(rules), sizeof(lk_watch_rule));
    cJSON_ArrayForEach(it, rules) {
        rc = parse_rule(&cfg->rules[cfg->n_rules], it, cfg->n_rules, base_dir, origin, err);
        cfg->n_rules++; /* counted even when half-filled, so free() releases it */
        if (rc)
            goto out;
    }
out:
    cJSON_Delete(root);
    return rc;
}

lk_code lk_watch_config_load(const char *path, lk_watch_config **out, lk_error *err)
{
    char *text = NULL, *dircopy, *base;
    lk_watch_config *cfg;
    /* the config decides what is imported and how: it must be the watcher's own (or root's)
     * and writable by nobody else */
    lk_code rc = lk_read_trusted_file(path, CONFIG_MAX_BYTES, "the folder config", &text, NULL,
                                      err);
    if (rc == LK_ERR_ENV) {
        char msg[LK_ERROR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", err->message);
        return lk_error_set(err, LK_ERR_CONFIG, _("folder config: %s"), msg);
    }
    if (rc)
        return rc;
    dircopy = xstrdup(path);
    /* mappings are found the same way whatever the working folder of the watcher */
    base = realpath(dirname(dircopy), NULL);
    cfg = lk_watch_config_new();
    rc = lk_watch_config_parse(cfg, text, base, path, err);
    free(base);
    free(dircopy);
    free(text);
    if (rc) {
        lk_watch_config_free(cfg);
        return rc;
    }
    *out = cfg;
    return LK_OK;
}

const lk_watch_rule *lk_watch_rule_find(const lk_watch_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_rules; i++) {
        const lk_watch_rule *r = &cfg->rules[i];
        if (!fnmatch(r->match, name, r->case_sensitive ? 0 : FNM_CASEFOLD))
            return r;
    }
    return NULL;
}
