/*
 * tokens.c: the private token store and the OAuth token requests (see tokens.h).
 *
 * Store format (JSON, mode 0600):
 *   {"tokenUrl": "...", "clientId": "...", "refreshToken": "...", "accessToken": "...",
 *    "accessTokenExpiresAt": 1795000000, "updatedAt": 1795000000}
 */
#include "loket/tokens.h"

#include "common/i18n.h"
#include "common/strbuf.h"
#include "common/safefile.h"
#include "common/util.h"
#include "loket/http.h"

#include <cJSON.h>
#include <curl/curl.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define STORE_MAX_BYTES (64 * 1024)
#define TOKEN_ANSWER_MAX (64 * 1024)

struct lk_tokens {
    const lk_config *cfg;
    lk_trace *trace;
    char *refresh_token;
    char *access_token;
    long long expires_at;
    long long lifetime;         /* expires_in of the current access token; 0 = unknown */
    long long updated_at;
    unsigned generation;
    unsigned refreshes;
    unsigned token_requests;
    volatile sig_atomic_t *interrupt; /* SIGINT/SIGTERM: give up the token request */
};

static void secret_free(char *s)
{
    if (s) {
        memset(s, 0, strlen(s));
        free(s);
    }
}

static void secret_set(char **dst, const char *src)
{
    secret_free(*dst);
    *dst = src ? xstrdup(src) : NULL;
}

/* ---------------------------------------------------------------- the store file */

lk_code lk_tokens_check_mode(const char *path, lk_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return errno == ENOENT ? LK_OK
                               : lk_error_set(err, LK_ERR_ENV, _("cannot inspect token store %s: %s"),
                                              path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return lk_error_set(err, LK_ERR_AUTH, _("token store %s is not a regular file"), path);
    if (st.st_mode & 077)
        return lk_error_set(err, LK_ERR_AUTH,
                            _("token store %s has mode %04o: others may read the tokens; it must be "
                            "private to its owner (chmod 600 %s), and the tokens in it should be "
                            "considered exposed"),
                            path, (unsigned)(st.st_mode & 07777), path);
    return LK_OK;
}

/* An I/O failure on the store or its lock is the environment's (a read-only or full file
 * system, a missing folder), never the input's: LK_ERR_ENV, keeping the path and errno text. */
static lk_code as_env_error(lk_error *err, lk_code rc)
{
    char why[LK_ERROR_MSG_MAX];
    if (rc != LK_ERR_IO && rc != LK_ERR_ENV)
        return rc;
    snprintf(why, sizeof why, "%s", err->message);
    return lk_error_set(err, LK_ERR_ENV, _("token store: %s"), why);
}

/* mkdir -p for the folder of path, private (0700) when created. */
static lk_code make_parent(const char *path, lk_error *err)
{
    char *copy = xstrdup(path);
    char *dir = dirname(copy);
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
            lk_error_set(err, LK_ERR_ENV, _("cannot create the token store's folder %s: %s"), dir,
                         strerror(errno));
            free(copy);
            return LK_ERR_ENV;
        }
        *p = '/';
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        lk_error_set(err, LK_ERR_ENV, _("cannot create the token store's folder %s: %s"), dir,
                     strerror(errno));
        free(copy);
        return LK_ERR_ENV;
    }
    /* Another user who can write in this folder could plant the lock or swap the store. */
    lk_code rc = lk_dir_check_private(dir, "the token store's folder", err);
    free(copy);
    return rc;
}

/* Reads the store into t; a missing file leaves t empty. */
static lk_code store_read(lk_tokens *t, lk_error *err)
{
    const char *path = t->cfg->token_store;
    char *text = NULL;
    cJSON *root;
    const char *s;
    const cJSON *n;
    if (lk_tokens_check_mode(path, err) != LK_OK)
        return err->code;
    if (access(path, F_OK) != 0)
        return LK_OK;
    if (lk_read_file(path, STORE_MAX_BYTES, &text, NULL, err) != LK_OK)
        return as_env_error(err, err->code);
    root = cJSON_Parse(text);
    secret_free(text);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return lk_error_set(err, LK_ERR_AUTH,
                            _("token store %s is damaged (not a JSON object); run 'loket-import auth "
                            "set-refresh-token' or 'auth code' to start it again"),
                            path);
    }
    s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "tokenUrl"));
    if (s && t->cfg->token_url && strcmp(s, t->cfg->token_url)) {
        lk_error_set(err, LK_ERR_AUTH,
                     _("token store %s holds tokens of %s, not of %s; set \"tokenStore\" to another "
                     "file for this environment"),
                     path, s, t->cfg->token_url);
        cJSON_Delete(root);
        return LK_ERR_AUTH;
    }
    s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "clientId"));
    if (s && t->cfg->client_id && strcmp(s, t->cfg->client_id)) {
        lk_error_set(err, LK_ERR_AUTH,
                     _("token store %s holds tokens of client \"%s\", not \"%s\""), path, s,
                     t->cfg->client_id);
        cJSON_Delete(root);
        return LK_ERR_AUTH;
    }
    secret_set(&t->refresh_token,
               cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "refreshToken")));
    secret_set(&t->access_token,
               cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "accessToken")));
    n = cJSON_GetObjectItemCaseSensitive(root, "accessTokenExpiresAt");
    t->expires_at = cJSON_IsNumber(n) ? (long long)n->valuedouble : 0;
    n = cJSON_GetObjectItemCaseSensitive(root, "accessTokenLifetime");
    t->lifetime = cJSON_IsNumber(n) ? (long long)n->valuedouble : 0;
    n = cJSON_GetObjectItemCaseSensitive(root, "updatedAt");
    t->updated_at = cJSON_IsNumber(n) ? (long long)n->valuedouble : 0;
    cJSON_Delete(root);
    lk_trace_add_secret(t->trace, t->refresh_token);
    lk_trace_add_secret(t->trace, t->access_token);
    return LK_OK;
}

/* Writes the given state durably; t is not changed (the caller adopts it after success). */
static lk_code store_write(lk_tokens *t, const char *refresh, const char *access,
                           long long expires_at, long long lifetime, lk_error *err)
{
    cJSON *root = cJSON_CreateObject();
    char *text;
    lk_code rc;
    long long now = (long long)time(NULL);
    if (make_parent(t->cfg->token_store, err) != LK_OK) {
        cJSON_Delete(root);
        return err->code;
    }
    if (t->cfg->token_url)
        cJSON_AddStringToObject(root, "tokenUrl", t->cfg->token_url);
    if (t->cfg->client_id)
        cJSON_AddStringToObject(root, "clientId", t->cfg->client_id);
    if (refresh)
        cJSON_AddStringToObject(root, "refreshToken", refresh);
    if (access) {
        cJSON_AddStringToObject(root, "accessToken", access);
        cJSON_AddNumberToObject(root, "accessTokenExpiresAt", (double)expires_at);
        cJSON_AddNumberToObject(root, "accessTokenLifetime", (double)lifetime);
    }
    cJSON_AddNumberToObject(root, "updatedAt", (double)now);
    text = cJSON_Print(root);
    cJSON_Delete(root);
    rc = lk_write_file_atomic(t->cfg->token_store, text, strlen(text), 0600, err);
    secret_free(text);
    rc = as_env_error(err, rc);
    if (rc == LK_OK)
        t->updated_at = now;
    return rc;
}

/* An exclusive lock beside the store, held while a refresh reads, asks and writes. */
static int lock_store(const lk_tokens *t, lk_error *err)
{
    strbuf p = STRBUF_INIT;
    int fd;
    if (make_parent(t->cfg->token_store, err) != LK_OK)
        return -1;
    strbuf_addf(&p, "%s.lock", t->cfg->token_store);
    fd = lk_safe_open(p.buf, O_RDWR | O_CREAT, 0600, err);
    if (fd < 0) {
        strbuf_free(&p);
        return -1;
    }
    while (flock(fd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            lk_error_set(err, LK_ERR_ENV, _("cannot lock %s: %s"), p.buf, strerror(errno));
            close(fd);
            strbuf_free(&p);
            return -1;
        }
    }
    strbuf_free(&p);
    return fd;
}

static void unlock_store(int fd)
{
    if (fd >= 0) {
        flock(fd, LOCK_UN);
        close(fd);
    }
}

/* ---------------------------------------------------------------- open / free */

lk_code lk_tokens_open(const lk_config *cfg, lk_trace *trace, lk_tokens **out, lk_error *err)
{
    lk_tokens *t = xcalloc(1, sizeof *t);
    *out = NULL;
    t->cfg = cfg;
    t->trace = trace;
    t->generation = 1;
    lk_trace_add_secret(trace, cfg->client_secret);
    if (store_read(t, err) != LK_OK) {
        lk_tokens_free(t);
        return err->code;
    }
    *out = t;
    return LK_OK;
}

void lk_tokens_free(lk_tokens *t)
{
    if (!t)
        return;
    secret_free(t->refresh_token);
    secret_free(t->access_token);
    free(t);
}

void lk_tokens_status(const lk_tokens *t, lk_token_status *out)
{
    memset(out, 0, sizeof *out);
    out->has_refresh_token = t->refresh_token != NULL;
    out->has_access_token = t->access_token != NULL;
    out->access_expires_at = t->expires_at;
    out->updated_at = t->updated_at;
    out->store_path = t->cfg->token_store;
    out->token_url = t->cfg->token_url;
    out->client_id = t->cfg->client_id;
    out->refreshes = t->refreshes;
    out->token_requests = t->token_requests;
}

void lk_tokens_invalidate_access(lk_tokens *t)
{
    t->expires_at = 1;
}

/* ---------------------------------------------------------------- token requests */

typedef struct token_answer {
    long status;
    strbuf body;
    bool too_large;
} token_answer;

static size_t on_token_body(char *data, size_t size, size_t nmemb, void *userp)
{
    token_answer *a = userp;
    size_t n = size * nmemb;
    if (a->body.len + n > TOKEN_ANSWER_MAX) {
        a->too_large = true;
        return 0;
    }
    strbuf_add(&a->body, data, n);
    return n;
}

static void form_add(strbuf *sb, const char *key, const char *value)
{
    if (sb->len)
        strbuf_addch(sb, '&');
    strbuf_addstr(sb, key);
    strbuf_addch(sb, '=');
    strbuf_addurlenc(sb, value);
}

/* The longest token accepted (from the token service or standard input). */
#define TOKEN_MAX_LEN 16384
/* A shorter expires_in is taken as this (whole seconds): see grant(). */
#define MIN_LIFETIME_S 2.0

static bool token_chars_ok(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
            return false;
    return true;
}

static bool interrupted(const lk_tokens *t)
{
    return t->interrupt && *t->interrupt;
}

/* libcurl calls this at least once a second, also while nothing arrives. */
static int on_token_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                             curl_off_t ulnow)
{
    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    return interrupted(ud) ? 1 : 0;
}

/* Sleeps ms, in slices, so that a stop is seen within 50 ms. */
static void sleep_unless_interrupted(const lk_tokens *t, long ms)
{
    while (ms > 0 && !interrupted(t)) {
        long slice = ms > 50 ? 50 : ms;
        usleep((useconds_t)slice * 1000);
        ms -= slice;
    }
}

void lk_tokens_set_interrupt_flag(lk_tokens *t, volatile sig_atomic_t *flag)
{
    t->interrupt = flag;
}

/* One POST to the token URL, retried on connection failures, 429 and 5xx, within the request
 * deadline, the low-speed limit and a stop by SIGINT/SIGTERM (noticed within a second). */
static lk_code token_post(lk_tokens *t, const char *form, token_answer *a, lk_error *err)
{
    const lk_config *cfg = t->cfg;
    CURLcode cc = CURLE_OK;
    char errbuf[CURL_ERROR_SIZE];
    long delay = cfg->retry_base_ms;
    double deadline = lk_monotonic_ms() + (double)cfg->request_deadline_ms;
    if (lk_url_check(cfg->token_url, "tokenUrl", err) != LK_OK)
        return err->code;
    for (int attempt = 1; attempt <= cfg->max_attempts; attempt++) {
        double left = deadline - lk_monotonic_ms();
        long attempt_ms = cfg->timeout_ms;
        if (interrupted(t))
            return lk_error_set(err, LK_ERR_INTERRUPTED,
                                _("interrupted while asking the token service %s"), cfg->token_url);
        if (left <= 0)
            break;
        if (left < (double)attempt_ms)
            attempt_ms = left > 1 ? (long)left : 1;
        CURL *e = curl_easy_init();
        struct curl_slist *hdr = NULL;
        if (!e)
            return lk_error_set(err, LK_ERR_NOMEM, _("libcurl could not create a handle"));
        strbuf_reset(&a->body);
        a->status = 0;
        a->too_large = false;
        errbuf[0] = '\0';
        hdr = curl_slist_append(hdr, "Accept: application/json");
        hdr = curl_slist_append(hdr, "Content-Type: application/x-www-form-urlencoded");
        curl_easy_setopt(e, CURLOPT_URL, cfg->token_url);
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdr);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, form);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_token_body);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, a);
        curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(e, CURLOPT_USERAGENT, "loket-import/0.1");
        curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, cfg->connect_timeout_ms);
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, attempt_ms);
        curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, cfg->low_speed_s);
        curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_token_progress);
        curl_easy_setopt(e, CURLOPT_XFERINFODATA, t);
        curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https,http");
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
        if (cfg->cacert)
            curl_easy_setopt(e, CURLOPT_CAINFO, cfg->cacert);
        t->token_requests++;
        lk_trace_line(t->trace, "token > POST %s (attempt %d)", cfg->token_url, attempt);
        lk_trace_body(t->trace, "token >", form, strlen(form));
        cc = curl_easy_perform(e);
        if (cc == CURLE_OK)
            curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &a->status);
        curl_easy_cleanup(e);
        curl_slist_free_all(hdr);
        if (cc == CURLE_OK) {
            /* the body is traced by grant(), once its tokens are known as secrets */
            lk_trace_line(t->trace, "token < %ld", a->status);
            if (a->status != 429 && a->status < 500)
                return LK_OK;
        } else {
            if (cc == CURLE_ABORTED_BY_CALLBACK)
                return lk_error_set(err, LK_ERR_INTERRUPTED,
                                    _("interrupted while waiting for the token service %s"),
                                    cfg->token_url);
            lk_trace_line(t->trace, "token < no answer: %s",
                          errbuf[0] ? errbuf : curl_easy_strerror(cc));
            /* a certificate that does not verify will not verify on the next attempt either */
            if (a->too_large || !lk_http_transient((int)cc))
                break;
        }
        if (attempt < cfg->max_attempts) {
            sleep_unless_interrupted(t, delay);
            delay = delay * 2 > cfg->retry_max_ms ? cfg->retry_max_ms : delay * 2;
        }
    }
    if (cc != CURLE_OK || a->too_large)
        return lk_error_set(err, LK_ERR_NETWORK, _("the token service %s did not answer: %s"),
                            cfg->token_url,
                            a->too_large ? "answer too large"
                            : errbuf[0]  ? errbuf
                                         : curl_easy_strerror(cc));
    return lk_error_set(err, LK_ERR_UNAVAILABLE,
                        _("the token service %s is unavailable: HTTP %ld to every attempt"),
                        cfg->token_url, a->status);
}

/*
 * Sends a grant, stores the answer durably, and only then adopts it. `what` names the grant in
 * errors ("refresh", "authorization code exchange").
 */
static lk_code grant(lk_tokens *t, const char *form, const char *what, lk_error *err)
{
    token_answer a;
    cJSON *root = NULL;
    const char *access, *refresh, *error_code, *error_text;
    const cJSON *exp;
    long long expires_at;
    double expires_in = 3600;
    lk_code rc;
    memset(&a, 0, sizeof a);
    strbuf_init(&a.body, 512);
    rc = token_post(t, form, &a, err);
    if (rc != LK_OK)
        goto out;
    root = cJSON_ParseWithLength(a.body.buf, a.body.len);
    /* Register the tokens for scrubbing before the body is traced: the trace's redaction by
     * key misses a key written with escapes ("access\u005ftoken"), the value never escapes. */
    {
        static const char *const secret_keys[] = { "access_token", "refresh_token", "id_token" };
        for (size_t i = 0; i < sizeof secret_keys / sizeof *secret_keys; i++)
            lk_trace_add_secret(t->trace, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
                                              root, secret_keys[i])));
    }
    lk_trace_body(t->trace, "token <", a.body.buf, a.body.len);
    error_code = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "error"));
    error_text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "error_description"));
    if ((a.status == 400 || a.status == 401) && error_code && !strcmp(error_code, "invalid_client")) {
        /* the client is not known or its secret is wrong: authorising again cannot help */
        rc = lk_error_set(err, LK_ERR_AUTH,
                          _("%s refused by %s (HTTP %ld, invalid_client%s%s): check the client id "
                          "(\"clientId\" in %s, now \"%s\") and the client secret (\"clientSecret\", "
                          "\"clientSecretFile\", LOKET_CLIENT_SECRET or LOKET_CLIENT_SECRET_FILE, or "
                          "the systemd credential loket-client-secret)%s"),
                          what, t->cfg->token_url, a.status, error_text ? ": " : "",
                          error_text ? error_text : "",
                          t->cfg->path ? t->cfg->path : "the configuration", t->cfg->client_id,
                          t->cfg->client_secret ? "" : "; no client secret is set");
        goto out;
    }
    if (a.status < 200 || a.status > 299) {
        rc = lk_error_set(err, LK_ERR_AUTH,
                          _("%s refused by %s (HTTP %ld%s%s%s%s): run 'loket-import auth code "
                          "--redirect-uri URI' or 'auth set-refresh-token' to authorise again"),
                          what, t->cfg->token_url, a.status, error_code ? ", " : "",
                          error_code ? error_code : "", error_text ? ": " : "",
                          error_text ? error_text : "");
        goto out;
    }
    access = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "access_token"));
    refresh = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "refresh_token"));
    exp = cJSON_GetObjectItemCaseSensitive(root, "expires_in");
    if (!access || !*access) {
        rc = lk_error_set(err, LK_ERR_PROTOCOL,
                          _("%s: the token service's answer has no access_token"), what);
        goto out;
    }
    /* A token goes into a header line: CR/LF in it would add header lines of the server's
     * choosing (RFC 6750 allows only visible ASCII). */
    if (!token_chars_ok(access) || (refresh && !token_chars_ok(refresh))) {
        rc = lk_error_set(err, LK_ERR_PROTOCOL,
                          _("%s: the token service's answer holds a token with spaces or control "
                          "characters; it is not used"),
                          what);
        goto out;
    }
    if (refresh && strlen(refresh) > TOKEN_MAX_LEN) {
        rc = lk_error_set(err, LK_ERR_PROTOCOL,
                          _("%s: the token service's refresh token is longer than %d characters"),
                          what, TOKEN_MAX_LEN);
        goto out;
    }
    if (cJSON_IsNumber(exp) && isfinite(exp->valuedouble) && exp->valuedouble > 0 &&
        exp->valuedouble < 1e7)
        expires_in = exp->valuedouble;
    /* "expires_in": 0.4 would mean a refresh before every request; a token that really dies
     * sooner is refreshed once on its 401 */
    if (expires_in < MIN_LIFETIME_S)
        expires_in = MIN_LIFETIME_S;
    expires_at = (long long)time(NULL) + (long long)expires_in;
    lk_trace_add_secret(t->trace, access);
    lk_trace_add_secret(t->trace, refresh);
    /* Loket rotates refresh tokens: without a new one the old one stays the one to keep. */
    if (!refresh || !*refresh)
        refresh = t->refresh_token;
    /* Durably first: the old refresh token is already dead on the server's side. */
    rc = store_write(t, refresh, access, expires_at, (long long)expires_in, err);
    if (rc != LK_OK) {
        char why[LK_ERROR_MSG_MAX];
        snprintf(why, sizeof why, "%s", err->message); /* not formatted from itself */
        lk_error_set(err, rc,
                     _("%s: the new refresh token could not be saved (%s); the previous one is no "
                     "longer valid: fix the problem and authorise again with 'loket-import auth'"),
                     what, why);
        goto out;
    }
    if (refresh != t->refresh_token)
        secret_set(&t->refresh_token, refresh);
    secret_set(&t->access_token, access);
    t->expires_at = expires_at;
    t->lifetime = (long long)expires_in;
    t->generation++;
    t->refreshes++;
    rc = LK_OK;
out:
    cJSON_Delete(root);
    memset(a.body.buf, 0, a.body.len);
    strbuf_free(&a.body);
    return rc;
}

static lk_code need_client(const lk_tokens *t, lk_error *err)
{
    if (!t->cfg->client_id || !*t->cfg->client_id)
        return lk_error_set(err, LK_ERR_CONFIG,
                            _("clientId is not set in the configuration (%s)"),
                            t->cfg->path ? t->cfg->path : "no configuration file found");
    return LK_OK;
}

/* Refresh this long before expiry: the configured margin, but never more than a quarter of
 * the token's life (short-lived tokens would otherwise be refreshed before every request). */
static long long margin(const lk_tokens *t)
{
    long long m = t->cfg->refresh_margin_s;
    if (t->lifetime > 0 && t->lifetime / 4 < m)
        m = t->lifetime / 4;
    return m;
}

static lk_code refresh_locked(lk_tokens *t, unsigned seen_generation, bool only_if_stale,
                              lk_error *err)
{
    strbuf form = STRBUF_INIT;
    int lock;
    lk_code rc;
    char *before;
    if (need_client(t, err) != LK_OK)
        return err->code;
    lock = lock_store(t, err);
    if (lock < 0)
        return err->code;
    /* Another process (or an earlier refresh of ours) may have rotated the tokens meanwhile:
     * the store on disk is the truth, and refreshing with a stale token would fail. */
    before = t->refresh_token ? xstrdup(t->refresh_token) : NULL;
    rc = store_read(t, err);
    if (rc != LK_OK)
        goto out;
    if (before && t->refresh_token && strcmp(before, t->refresh_token))
        t->generation++;
    if (only_if_stale && t->generation != seen_generation && t->access_token &&
        t->expires_at > (long long)time(NULL) + margin(t)) {
        rc = LK_OK;
        goto out;
    }
    if (!t->refresh_token) {
        rc = lk_error_set(err, LK_ERR_AUTH,
                          _("no refresh token in %s: run 'loket-import auth code "
                          "--redirect-uri URI' or 'loket-import auth set-refresh-token' first"),
                          t->cfg->token_store);
        goto out;
    }
    strbuf_init(&form, 256);
    form_add(&form, "grant_type", "refresh_token");
    form_add(&form, "refresh_token", t->refresh_token);
    form_add(&form, "client_id", t->cfg->client_id);
    if (t->cfg->client_secret)
        form_add(&form, "client_secret", t->cfg->client_secret);
    rc = grant(t, form.buf, "token refresh", err);
    memset(form.buf, 0, form.len);
    strbuf_free(&form);
out:
    secret_free(before);
    unlock_store(lock);
    return rc;
}

lk_code lk_tokens_access(lk_tokens *t, const char **token, unsigned *generation, lk_error *err)
{
    long long now = (long long)time(NULL);
    if (!t->access_token || t->expires_at <= now + margin(t)) {
        lk_code rc = refresh_locked(t, t->generation, true, err);
        if (rc != LK_OK)
            return rc;
    }
    *token = t->access_token;
    if (generation)
        *generation = t->generation;
    return LK_OK;
}

lk_code lk_tokens_refresh_after_401(lk_tokens *t, unsigned generation, lk_error *err)
{
    if (generation != t->generation && t->access_token)
        return LK_OK; /* someone refreshed since that request was sent */
    lk_tokens_invalidate_access(t);
    /* true: if another process rotated the tokens meanwhile, use its fresh access token */
    return refresh_locked(t, generation, true, err);
}

lk_code lk_tokens_refresh(lk_tokens *t, lk_error *err)
{
    return refresh_locked(t, t->generation, false, err);
}

lk_code lk_tokens_exchange_code(lk_tokens *t, const char *code, const char *redirect_uri,
                                lk_error *err)
{
    strbuf form = STRBUF_INIT;
    lk_code rc;
    int lock;
    if (need_client(t, err) != LK_OK)
        return err->code;
    if (!code || !*code)
        return lk_error_set(err, LK_ERR_CONFIG, _("the authorization code is empty"));
    lock = lock_store(t, err);
    if (lock < 0)
        return err->code;
    lk_trace_add_secret(t->trace, code);
    strbuf_init(&form, 256);
    form_add(&form, "grant_type", "authorization_code");
    form_add(&form, "code", code);
    if (redirect_uri)
        form_add(&form, "redirect_uri", redirect_uri);
    form_add(&form, "client_id", t->cfg->client_id);
    if (t->cfg->client_secret)
        form_add(&form, "client_secret", t->cfg->client_secret);
    rc = grant(t, form.buf, "authorization code exchange", err);
    memset(form.buf, 0, form.len);
    strbuf_free(&form);
    unlock_store(lock);
    return rc;
}

lk_code lk_tokens_set_refresh_token(lk_tokens *t, const char *refresh_token, lk_error *err)
{
    int lock;
    lk_code rc;
    if (!refresh_token || !*refresh_token)
        return lk_error_set(err, LK_ERR_CONFIG, _("the refresh token is empty"));
    if (strlen(refresh_token) > TOKEN_MAX_LEN)
        return lk_error_set(err, LK_ERR_CONFIG,
                            _("the refresh token is longer than %d characters: not a Loket token"),
                            TOKEN_MAX_LEN);
    for (const char *p = refresh_token; *p; p++)
        if ((unsigned char)*p <= ' ' || (unsigned char)*p == 0x7f)
            return lk_error_set(err, LK_ERR_CONFIG,
                                _("the refresh token contains spaces or control characters"));
    lk_trace_add_secret(t->trace, refresh_token);
    lock = lock_store(t, err);
    if (lock < 0)
        return err->code;
    rc = store_write(t, refresh_token, NULL, 0, 0, err);
    if (rc == LK_OK) {
        secret_set(&t->refresh_token, refresh_token);
        secret_free(t->access_token);
        t->access_token = NULL;
        t->expires_at = 0;
        t->generation++;
    }
    unlock_store(lock);
    return rc;
}
