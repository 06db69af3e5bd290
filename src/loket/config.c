/*
 * config.c: loading and checking the connection configuration (see config.h).
 *
 * Unknown keys are an error rather than ignored: a misspelt "concurency" silently falling back
 * to the default is the kind of surprise an operator finds only at 03:00.
 */
#include "loket/config.h"

#include "common/i18n.h"
#include "common/safefile.h"
#include "common/util.h"

#include <cJSON.h>
#include <curl/curl.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define CONFIG_MAX_BYTES (1024 * 1024)

/* Version dates from the content-type keys of loket-payroll-api.json: the employment
 * resources exist only as 2019-12-16, everything else the importer uses as 2018-01-01. */
static const struct {
    const char *name;
    const char *version;
} resources[LK_RES_COUNT] = {
    [LK_RES_USER] = { "user", "2018-01-01" },
    [LK_RES_EMPLOYERS] = { "employers", "2018-01-01" },
    [LK_RES_ADMINISTRATIONS] = { "payrollAdministrations", "2018-01-01" },
    [LK_RES_EMPLOYMENTS] = { "employments", "2019-12-16" },
    [LK_RES_PERIODS] = { "payrollPeriods", "2018-01-01" },
    [LK_RES_COMPONENTS] = { "payrollComponents", "2018-01-01" },
    [LK_RES_PERIOD_DATA] = { "payrollPeriodData", "2018-01-01" },
};

static const struct {
    const char *name;
    const char *api_url;
    const char *token_url;
} environments[] = {
    { "acceptance", "https://api.loket-acc.nl/v2", "https://oauth.loket-acc.nl/token" },
    { "production", "https://api.loket.nl/v2", "https://oauth.loket.nl/token" },
};

const char *lk_resource_name(lk_resource r)
{
    return (unsigned)r < LK_RES_COUNT ? resources[r].name : "?";
}

/* ---------------------------------------------------------------- paths */

static char *xdg_path(const char *env, const char *fallback, const char *leaf)
{
    const char *base = getenv(env);
    const char *home = getenv("HOME");
    char *out;
    size_t n;
    if (base && base[0] == '/') {
        n = strlen(base) + strlen(leaf) + 32;
        out = xmalloc(n);
        snprintf(out, n, "%s/loket-import/%s", base, leaf);
        return out;
    }
    if (!home || !*home)
        home = ".";
    n = strlen(home) + strlen(fallback) + strlen(leaf) + 32;
    out = xmalloc(n);
    snprintf(out, n, "%s/%s/loket-import/%s", home, fallback, leaf);
    return out;
}

/* A folder systemd made for the service (ConfigurationDirectory=, StateDirectory=): the first
 * of the colon-separated list in env, plus leaf; NULL outside such a service. */
static char *systemd_dir_path(const char *env, const char *leaf)
{
    const char *dirs = getenv(env);
    size_t n;
    char *out;
    if (!dirs || dirs[0] != '/')
        return NULL;
    n = strcspn(dirs, ":");
    out = xmalloc(n + strlen(leaf) + 2);
    memcpy(out, dirs, n);
    out[n] = '/';
    strcpy(out + n + 1, leaf);
    return out;
}

char *lk_config_default_path(void)
{
    char *p = systemd_dir_path("CONFIGURATION_DIRECTORY", "config.json");
    return p ? p : xdg_path("XDG_CONFIG_HOME", ".config", "config.json");
}

char *lk_config_default_token_store(void)
{
    char *p = systemd_dir_path("STATE_DIRECTORY", "tokens.json");
    return p ? p : xdg_path("XDG_STATE_HOME", ".local/state", "tokens.json");
}

char *lk_config_state_dir(void)
{
    char *p = lk_config_default_token_store();
    char *slash = strrchr(p, '/');
    if (slash && slash != p)
        *slash = '\0';
    return p;
}

/* ---------------------------------------------------------------- defaults */

static void set_str(char **dst, const char *src)
{
    free(*dst);
    *dst = src ? xstrdup(src) : NULL;
}

static void set_environment(lk_config *cfg, const char *name)
{
    set_str(&cfg->environment, name);
    for (size_t i = 0; i < LK_ARRAY_SIZE(environments); i++) {
        if (!strcmp(environments[i].name, name)) {
            set_str(&cfg->api_url, environments[i].api_url);
            set_str(&cfg->token_url, environments[i].token_url);
        }
    }
}

lk_config *lk_config_new_defaults(void)
{
    lk_config *cfg = xcalloc(1, sizeof *cfg);
    set_environment(cfg, "acceptance");
    cfg->token_store = lk_config_default_token_store();
    cfg->concurrency = 8;
    cfg->page_size = 250;
    cfg->max_pages_per_list = 400;
    cfg->pages_in_flight = 4;
    cfg->max_attempts = 5;
    cfg->retry_base_ms = 500;
    cfg->retry_max_ms = 30000;
    cfg->retry_after_max_s = 300;
    cfg->connect_timeout_ms = 10000;
    cfg->timeout_ms = 120000;
    cfg->low_speed_s = 30;
    cfg->request_deadline_ms = 300000;
    cfg->refresh_margin_s = 60;
    for (int r = 0; r < LK_RES_COUNT; r++)
        memcpy(cfg->versions[r], resources[r].version, 11);
    return cfg;
}

void lk_config_free(lk_config *cfg)
{
    if (!cfg)
        return;
    free(cfg->path);
    free(cfg->environment);
    free(cfg->api_url);
    free(cfg->token_url);
    free(cfg->client_id);
    if (cfg->client_secret) {
        memset(cfg->client_secret, 0, strlen(cfg->client_secret));
        free(cfg->client_secret);
    }
    free(cfg->client_secret_file);
    free(cfg->token_store);
    free(cfg->runs_dir);
    free(cfg->employer);
    free(cfg->cacert);
    cJSON_Delete(cfg->checks);
    free(cfg);
}

/* ---------------------------------------------------------------- URL policy */

bool lk_host_is_loopback(const char *host)
{
    struct in_addr a4;
    struct in6_addr a6;
    char buf[64];
    size_t n;
    if (!host || !*host)
        return false;
    if (!strcasecmp(host, "localhost"))
        return true;
    n = strlen(host);
    /* curl hands IPv6 hosts back in brackets */
    if (host[0] == '[' && n >= 2 && host[n - 1] == ']' && n - 2 < sizeof buf) {
        memcpy(buf, host + 1, n - 2);
        buf[n - 2] = '\0';
        host = buf;
    }
    if (inet_pton(AF_INET, host, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, host, &a6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&a6);
    return false;
}

lk_code lk_url_check(const char *url, const char *what, lk_error *err)
{
    CURLU *u;
    char *scheme = NULL, *host = NULL;
    lk_code rc = LK_OK;
    if (!url || !*url)
        return lk_error_set(err, LK_ERR_CONFIG, _("%s is not set"), what);
    u = curl_url();
    if (!u)
        return lk_error_set(err, LK_ERR_NOMEM, _("out of memory"));
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        rc = lk_error_set(err, LK_ERR_CONFIG, _("%s \"%s\" is not a valid URL"), what, url);
    } else if (!strcasecmp(scheme, "https")) {
        rc = LK_OK;
    } else if (!strcasecmp(scheme, "http")) {
        if (!lk_host_is_loopback(host))
            rc = lk_error_set(err, LK_ERR_CONFIG,
                              _("%s \"%s\" uses plain http to %s: only https is allowed, except "
                              "to a loopback simulator (127.0.0.1, ::1, localhost)"),
                              what, url, host);
    } else {
        rc = lk_error_set(err, LK_ERR_CONFIG, _("%s \"%s\": scheme %s is not supported (use https)"),
                          what, url, scheme);
    }
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return rc;
}

/* ---------------------------------------------------------------- parsing */

static lk_code want_string(const cJSON *item, const char *origin, const char *key, char **dst,
                           lk_error *err)
{
    if (cJSON_IsNull(item)) {
        set_str(dst, NULL);
        return LK_OK;
    }
    if (!cJSON_IsString(item) || !item->valuestring)
        return lk_error_set(err, LK_ERR_CONFIG, _("%s: \"%s\" must be a string"), origin, key);
    set_str(dst, item->valuestring);
    return LK_OK;
}

static lk_code want_long(const cJSON *item, const char *origin, const char *key, long min,
                         long max, long *dst, lk_error *err)
{
    double d;
    if (!cJSON_IsNumber(item))
        return lk_error_set(err, LK_ERR_CONFIG, _("%s: \"%s\" must be a number"), origin, key);
    d = item->valuedouble;
    if (d != (double)(long)d || d < (double)min || d > (double)max)
        return lk_error_set(err, LK_ERR_CONFIG, _("%s: \"%s\" must be a whole number from %ld to %ld"),
                            origin, key, min, max);
    *dst = (long)d;
    return LK_OK;
}

static bool is_version_date(const char *s)
{
    int y, m, d;
    char tail;
    return s && strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 &&
           y >= 2000 && m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

static lk_code parse_versions(const cJSON *obj, const char *origin, lk_config *cfg, lk_error *err)
{
    const cJSON *it;
    if (!cJSON_IsObject(obj))
        return lk_error_set(err, LK_ERR_CONFIG, _("%s: \"versions\" must be an object"), origin);
    cJSON_ArrayForEach(it, obj) {
        int r;
        for (r = 0; r < LK_RES_COUNT; r++)
            if (!strcmp(it->string, resources[r].name))
                break;
        if (r == LK_RES_COUNT)
            return lk_error_set(err, LK_ERR_CONFIG,
                                _("%s: versions.%s is not a resource (known: user, employers, "
                                "payrollAdministrations, employments, payrollPeriods, "
                                "payrollComponents, payrollPeriodData)"),
                                origin, it->string);
        if (!cJSON_IsString(it) || !is_version_date(it->valuestring))
            return lk_error_set(err, LK_ERR_CONFIG,
                                _("%s: versions.%s must be a date like \"2018-01-01\""), origin,
                                it->string);
        memcpy(cfg->versions[r], it->valuestring, 11);
    }
    return LK_OK;
}

static lk_code parse_retry(const cJSON *obj, const char *origin, lk_config *cfg, lk_error *err)
{
    const cJSON *it;
    long v;
    if (!cJSON_IsObject(obj))
        return lk_error_set(err, LK_ERR_CONFIG, _("%s: \"retry\" must be an object"), origin);
    cJSON_ArrayForEach(it, obj) {
        const char *k = it->string;
        if (!strcmp(k, "maxAttempts")) {
            if (want_long(it, origin, "retry.maxAttempts", 1, 20, &v, err))
                return err->code;
            cfg->max_attempts = (int)v;
        } else if (!strcmp(k, "baseDelayMs")) {
            if (want_long(it, origin, "retry.baseDelayMs", 0, 600000, &cfg->retry_base_ms, err))
                return err->code;
        } else if (!strcmp(k, "maxDelayMs")) {
            if (want_long(it, origin, "retry.maxDelayMs", 0, 3600000, &cfg->retry_max_ms, err))
                return err->code;
        } else if (!strcmp(k, "maxRetryAfterSeconds")) {
            if (want_long(it, origin, "retry.maxRetryAfterSeconds", 0, 86400,
                          &cfg->retry_after_max_s, err))
                return err->code;
        } else {
            return lk_error_set(err, LK_ERR_CONFIG,
                                _("%s: retry.%s is not a setting (known: maxAttempts, baseDelayMs, "
                                "maxDelayMs, maxRetryAfterSeconds)"),
                                origin, k);
        }
    }
    return LK_OK;
}

static lk_code parse_timeouts(const cJSON *obj, const char *origin, lk_config *cfg, lk_error *err)
{
    const cJSON *it;
    long v;
    if (!cJSON_IsObject(obj))
        return lk_error_set(err, LK_ERR_CONFIG, _("%s: \"timeouts\" must be an object"), origin);
    cJSON_ArrayForEach(it, obj) {
        if (!strcmp(it->string, "connectSeconds")) {
            if (want_long(it, origin, "timeouts.connectSeconds", 1, 600, &v, err))
                return err->code;
            cfg->connect_timeout_ms = v * 1000;
        } else if (!strcmp(it->string, "totalSeconds")) {
            if (want_long(it, origin, "timeouts.totalSeconds", 1, 3600, &v, err))
                return err->code;
            cfg->timeout_ms = v * 1000;
        } else if (!strcmp(it->string, "lowSpeedSeconds")) {
            if (want_long(it, origin, "timeouts.lowSpeedSeconds", 1, 3600, &v, err))
                return err->code;
            cfg->low_speed_s = v;
        } else if (!strcmp(it->string, "requestSeconds")) {
            if (want_long(it, origin, "timeouts.requestSeconds", 1, 86400, &v, err))
                return err->code;
            cfg->request_deadline_ms = v * 1000;
        } else {
            return lk_error_set(err, LK_ERR_CONFIG,
                                _("%s: timeouts.%s is not a setting (known: connectSeconds, "
                                "totalSeconds, lowSpeedSeconds, requestSeconds)"),
                                origin, it->string);
        }
    }
    return LK_OK;
}

lk_code lk_config_parse(const char *json, const char *origin, lk_config *cfg, lk_error *err)
{
    cJSON *root = cJSON_Parse(json);
    const cJSON *it;
    const char *env_name = NULL;
    lk_code rc = LK_OK;
    long v;
    if (!root || !cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return lk_error_set(err, LK_ERR_CONFIG, _("%s: not a JSON object"), origin);
    }
    /* The environment first: it sets both URLs, which apiUrl/tokenUrl may then replace. */
    it = cJSON_GetObjectItemCaseSensitive(root, "environment");
    if (it) {
        if (!cJSON_IsString(it) ||
            (strcmp(it->valuestring, "acceptance") && strcmp(it->valuestring, "production") &&
             strcmp(it->valuestring, "custom"))) {
            cJSON_Delete(root);
            return lk_error_set(err, LK_ERR_CONFIG,
                                _("%s: \"environment\" must be \"acceptance\", \"production\" or "
                                "\"custom\""),
                                origin);
        }
        env_name = it->valuestring;
        set_environment(cfg, env_name);
    }
    cJSON_ArrayForEach(it, root) {
        const char *k = it->string;
        if (!strcmp(k, "environment"))
            continue;
        if (!strcmp(k, "apiUrl"))
            rc = want_string(it, origin, k, &cfg->api_url, err);
        else if (!strcmp(k, "tokenUrl"))
            rc = want_string(it, origin, k, &cfg->token_url, err);
        else if (!strcmp(k, "clientId"))
            rc = want_string(it, origin, k, &cfg->client_id, err);
        else if (!strcmp(k, "clientSecret"))
            rc = want_string(it, origin, k, &cfg->client_secret, err);
        else if (!strcmp(k, "clientSecretFile")) {
            rc = want_string(it, origin, k, &cfg->client_secret_file, err);
            if (rc == LK_OK && cfg->client_secret_file[0] != '/')
                rc = lk_error_set(err, LK_ERR_CONFIG,
                                  _("%s: \"clientSecretFile\" must be an absolute path, not \"%s\""),
                                  origin, cfg->client_secret_file);
        }
        else if (!strcmp(k, "tokenStore"))
            rc = want_string(it, origin, k, &cfg->token_store, err);
        else if (!strcmp(k, "runsDir"))
            rc = want_string(it, origin, k, &cfg->runs_dir, err);
        else if (!strcmp(k, "employer"))
            rc = want_string(it, origin, k, &cfg->employer, err);
        else if (!strcmp(k, "cacert"))
            rc = want_string(it, origin, k, &cfg->cacert, err);
        else if (!strcmp(k, "concurrency")) {
            rc = want_long(it, origin, k, 1, 256, &v, err);
            cfg->concurrency = (int)v;
        } else if (!strcmp(k, "pageSize")) {
            rc = want_long(it, origin, k, 1, 1000, &v, err);
            cfg->page_size = (int)v;
        } else if (!strcmp(k, "maxPagesPerList")) {
            rc = want_long(it, origin, k, 1, 100000, &cfg->max_pages_per_list, err);
        } else if (!strcmp(k, "pagesInFlight")) {
            rc = want_long(it, origin, k, 1, 64, &v, err);
            cfg->pages_in_flight = (int)v;
        } else if (!strcmp(k, "refreshMarginSeconds")) {
            rc = want_long(it, origin, k, 0, 3000, &cfg->refresh_margin_s, err);
        } else if (!strcmp(k, "retry"))
            rc = parse_retry(it, origin, cfg, err);
        else if (!strcmp(k, "timeouts"))
            rc = parse_timeouts(it, origin, cfg, err);
        else if (!strcmp(k, "versions"))
            rc = parse_versions(it, origin, cfg, err);
        else if (!strcmp(k, "checks")) {
            if (!cJSON_IsObject(it))
                rc = lk_error_set(err, LK_ERR_CONFIG, _("%s: \"checks\" must be an object"),
                                  origin);
            else
                cfg->checks = cJSON_Duplicate(it, 1);
        } else
            rc = lk_error_set(err, LK_ERR_CONFIG, _("%s: \"%s\" is not a setting (see "
                              "docs/configuration.md)"), origin, k);
        if (rc != LK_OK)
            break;
    }
    if (rc == LK_OK && env_name && !strcmp(env_name, "custom") &&
        (!cJSON_GetObjectItemCaseSensitive(root, "apiUrl") ||
         !cJSON_GetObjectItemCaseSensitive(root, "tokenUrl")))
        rc = lk_error_set(err, LK_ERR_CONFIG,
                          _("%s: environment \"custom\" needs both \"apiUrl\" and \"tokenUrl\""),
                          origin);
    cJSON_Delete(root);
    return rc;
}

lk_code lk_config_validate(const lk_config *cfg, lk_error *err)
{
    if (lk_url_check(cfg->api_url, "apiUrl", err) != LK_OK)
        return err->code;
    if (lk_url_check(cfg->token_url, "tokenUrl", err) != LK_OK)
        return err->code;
    if (!cfg->token_store || !*cfg->token_store)
        return lk_error_set(err, LK_ERR_CONFIG, _("tokenStore is not set"));
    if (cfg->concurrency < 1 || cfg->concurrency > 256)
        return lk_error_set(err, LK_ERR_CONFIG, _("concurrency must be from 1 to 256, not %d"),
                            cfg->concurrency);
    return LK_OK;
}

static void strip_trailing_slash(char *s)
{
    size_t n = s ? strlen(s) : 0;
    while (n > 0 && s[n - 1] == '/')
        s[--n] = '\0';
}

/* ---------------------------------------------------------------- the client secret */

#define SECRET_MAX_BYTES 4096

/* Reads a secret from a file: one line, surrounding white space (a trailing newline) dropped.
 * `what` says where the file's name came from, for the error. */
static lk_code read_secret_file(lk_config *cfg, const char *path, const char *what, bool warn_mode,
                                lk_error *err)
{
    char *text = NULL;
    size_t len = 0, start = 0;
    struct stat st;
    lk_error rerr;
    lk_error_clear(&rerr);
    if (lk_read_file(path, SECRET_MAX_BYTES, &text, &len, &rerr) != LK_OK) {
        free(text);
        return lk_error_set(err, LK_ERR_CONFIG, _("client secret (%s): %s"), what, rerr.message);
    }
    while (len > 0 && isspace((unsigned char)text[len - 1]))
        text[--len] = '\0';
    while (start < len && isspace((unsigned char)text[start]))
        start++;
    if (start == len || memchr(text + start, '\n', len - start)) {
        memset(text, 0, len);
        free(text);
        return lk_error_set(err, LK_ERR_CONFIG,
                            _("client secret (%s): %s must hold the secret on one line%s"), what,
                            path, start == len ? ", and it is empty" : "");
    }
    if (warn_mode && stat(path, &st) == 0 && (st.st_mode & 077))
        lk_warn(_("%s holds the client secret and is readable by others (mode %04o); chmod 600 it"),
                path, (unsigned)(st.st_mode & 07777));
    set_str(&cfg->client_secret, text + start);
    set_str(&cfg->client_secret_file, path);
    memset(text, 0, len);
    free(text);
    return LK_OK;
}

/* clientSecretFile, then the systemd credential, then LOKET_CLIENT_SECRET_FILE: later wins. */
static lk_code load_secret_sources(lk_config *cfg, lk_error *err)
{
    const char *creds = getenv("CREDENTIALS_DIRECTORY");
    const char *file = getenv("LOKET_CLIENT_SECRET_FILE");
    if (cfg->client_secret_file) {
        char *p = xstrdup(cfg->client_secret_file);
        lk_code rc = read_secret_file(cfg, p, "\"clientSecretFile\"", true, err);
        free(p);
        if (rc != LK_OK)
            return rc;
    }
    if (creds && creds[0] == '/') {
        char *p = xmalloc(strlen(creds) + 32);
        struct stat st;
        lk_code rc = LK_OK;
        sprintf(p, "%s/loket-client-secret", creds);
        /* systemd makes the folder private to the service: no mode warning */
        if (stat(p, &st) == 0)
            rc = read_secret_file(cfg, p, "systemd credential loket-client-secret", false, err);
        free(p);
        if (rc != LK_OK)
            return rc;
    }
    if (file && *file)
        return read_secret_file(cfg, file, "LOKET_CLIENT_SECRET_FILE", true, err);
    return LK_OK;
}

lk_code lk_config_load(const lk_config_overrides *ov, lk_config **out, lk_error *err)
{
    static const lk_config_overrides none;
    lk_config *cfg = lk_config_new_defaults();
    char *path = NULL, *text = NULL;
    const char *secret;
    struct stat st;
    lk_code rc;
    *out = NULL;
    if (!ov)
        ov = &none;
    path = ov->config_path ? xstrdup(ov->config_path) : lk_config_default_path();
    if (stat(path, &st) == 0 || ov->config_path) {
        /* whoever can change it can send the access token to a server of their choosing */
        if (lk_read_trusted_file(path, CONFIG_MAX_BYTES, _("the configuration"), &text, NULL,
                                 err) != LK_OK) {
            err->code = LK_ERR_CONFIG; /* the message already names the file */
            goto fail;
        }
        if (lk_config_parse(text, path, cfg, err) != LK_OK)
            goto fail;
        if (cfg->client_secret && (st.st_mode & 077))
            lk_warn(_("%s holds the client secret and is readable by others (mode %04o); "
                    "chmod 600 it or use LOKET_CLIENT_SECRET"),
                    path, (unsigned)(st.st_mode & 07777));
        cfg->path = path;
        path = NULL;
    }
    if (load_secret_sources(cfg, err) != LK_OK)
        goto fail;
    secret = getenv("LOKET_CLIENT_SECRET");
    if (secret && *secret)
        set_str(&cfg->client_secret, secret);
    if (ov->api_url) {
        set_str(&cfg->api_url, ov->api_url);
        set_str(&cfg->environment, "custom");
    }
    if (ov->token_url) {
        set_str(&cfg->token_url, ov->token_url);
        set_str(&cfg->environment, "custom");
    }
    if (ov->employer)
        set_str(&cfg->employer, ov->employer);
    if (ov->cacert)
        set_str(&cfg->cacert, ov->cacert);
    if (ov->concurrency)
        cfg->concurrency = ov->concurrency;
    strip_trailing_slash(cfg->api_url);
    rc = lk_config_validate(cfg, err);
    if (rc != LK_OK)
        goto fail;
    free(text);
    free(path);
    *out = cfg;
    return LK_OK;
fail:
    free(text);
    free(path);
    lk_config_free(cfg);
    return err->code ? err->code : LK_ERR_CONFIG;
}
