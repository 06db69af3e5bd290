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
#include "loket/token_post.h"

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

/* The lock file beside the store (made with its folder when missing), not yet locked. */
static int open_lock(const lk_tokens *t, lk_error *err)
{
    strbuf p = STRBUF_INIT;
    int fd;
    if (make_parent(t->cfg->token_store, err) != LK_OK)
        return -1;
    strbuf_addf(&p, "%s.lock", t->cfg->token_store);
    fd = lk_safe_open(p.buf, O_RDWR | O_CREAT, 0600, err);
    strbuf_free(&p);
    return fd;
}

static lk_code lock_failed(const lk_tokens *t, int errnum, lk_error *err)
{
    return lk_error_set(err, LK_ERR_ENV, _("cannot lock %s.lock: %s"), t->cfg->token_store,
                        strerror(errnum));
}

/* An exclusive lock beside the store, held while a refresh reads, asks and writes. */
static int lock_store(const lk_tokens *t, lk_error *err)
{
    int fd = open_lock(t, err);
    if (fd < 0)
        return -1;
    while (flock(fd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            lock_failed(t, errno, err);
            close(fd);
            return -1;
        }
    }
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
/* A shorter expires_in is taken as this (whole seconds): see grant_answer(). */
#define MIN_LIFETIME_S 2.0
/* While another process holds the store's lock, look again this often. */
#define LOCK_POLL_MS 20

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

void lk_tokens_set_interrupt_flag(lk_tokens *t, volatile sig_atomic_t *flag)
{
    t->interrupt = flag;
}

/*
 * Reads a grant's answer, stores it durably, and only then adopts it. `what` names the grant
 * in errors ("token refresh", "authorization code exchange").
 */
static lk_code grant_answer(lk_tokens *t, const char *what, long status, const strbuf *body,
                            lk_error *err)
{
    cJSON *root = NULL;
    const char *access, *refresh, *error_code, *error_text;
    const cJSON *exp;
    long long expires_at;
    double expires_in = 3600;
    lk_code rc;
    root = cJSON_ParseWithLength(body->buf, body->len);
    /* Register the tokens for scrubbing before the body is traced: the trace's redaction by
     * key misses a key written with escapes ("access\u005ftoken"), the value never escapes. */
    {
        static const char *const secret_keys[] = { "access_token", "refresh_token", "id_token" };
        for (size_t i = 0; i < sizeof secret_keys / sizeof *secret_keys; i++)
            lk_trace_add_secret(t->trace, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
                                              root, secret_keys[i])));
    }
    lk_trace_body(t->trace, "token <", body->buf, body->len);
    error_code = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "error"));
    error_text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "error_description"));
    if ((status == 400 || status == 401) && error_code && !strcmp(error_code, "invalid_client")) {
        /* the client is not known or its secret is wrong: authorising again cannot help */
        rc = lk_error_set(err, LK_ERR_AUTH,
                          _("%s refused by %s (HTTP %ld, invalid_client%s%s): check the client id "
                          "(\"clientId\" in %s, now \"%s\") and the client secret (\"clientSecret\", "
                          "\"clientSecretFile\", LOKET_CLIENT_SECRET or LOKET_CLIENT_SECRET_FILE, or "
                          "the systemd credential loket-client-secret)%s"),
                          what, t->cfg->token_url, status, error_text ? ": " : "",
                          error_text ? error_text : "",
                          t->cfg->path ? t->cfg->path : "the configuration", t->cfg->client_id,
                          t->cfg->client_secret ? "" : "; no client secret is set");
        goto out;
    }
    if (status < 200 || status > 299) {
        rc = lk_error_set(err, LK_ERR_AUTH,
                          _("%s refused by %s (HTTP %ld%s%s%s%s): run 'loket-import auth code "
                          "--redirect-uri URI' or 'auth set-refresh-token' to authorise again"),
                          what, t->cfg->token_url, status, error_code ? ", " : "",
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

bool lk_tokens_fresh(const lk_tokens *t)
{
    return t->access_token && t->expires_at > (long long)time(NULL) + margin(t);
}

const char *lk_tokens_current(const lk_tokens *t, unsigned *generation)
{
    if (generation)
        *generation = t->generation;
    return t->access_token;
}

void lk_tokens_after_401(lk_tokens *t, unsigned generation)
{
    /* a token newer than the refused one is tried first: someone refreshed meanwhile */
    if (generation == t->generation || !t->access_token)
        lk_tokens_invalidate_access(t);
}

/* ---------------------------------------------------------------- token jobs */

typedef enum job_state { JOB_LOCK, JOB_POST, JOB_OVER } job_state;

struct lk_token_job {
    lk_tokens *t;
    job_state state;
    const char *what;           /* for errors: "token refresh", "authorization code exchange" */
    bool refresh;               /* the refresh_token grant (form made under the lock) */
    bool only_if_stale;         /* done without a request when another process refreshed */
    unsigned seen_generation;
    char *form;                 /* the code exchange's form, made by the caller */
    int lock;                   /* the store's lock file; held from JOB_POST on */
    lk_token_post *post;
    lk_code rc;
    lk_error err;
};

static bool job_end(lk_token_job *j, lk_code rc)
{
    j->state = JOB_OVER;
    j->rc = rc;
    return true;
}

static lk_token_job *job_new(lk_tokens *t, const char *what, bool refresh, bool only_if_stale,
                             const char *form)
{
    lk_token_job *j = xcalloc(1, sizeof *j);
    j->t = t;
    j->what = what;
    j->refresh = refresh;
    j->only_if_stale = only_if_stale;
    j->seen_generation = t->generation;
    j->form = form ? xstrdup(form) : NULL;
    j->lock = -1;
    lk_error_clear(&j->err);
    if (need_client(t, &j->err) != LK_OK || (j->lock = open_lock(t, &j->err)) < 0)
        job_end(j, j->err.code);
    return j;
}

lk_token_job *lk_tokens_job_refresh(lk_tokens *t)
{
    return job_new(t, "token refresh", true, true, NULL);
}

/* The lock is ours: decide from the store on disk whether a request is still needed. */
static bool job_begin(lk_token_job *j)
{
    lk_tokens *t = j->t;
    strbuf form = STRBUF_INIT;
    char *before;
    lk_code rc;
    j->state = JOB_POST;
    if (!j->refresh) {
        j->post = lk_token_post_new(t->cfg, t->trace, j->form);
        return false;
    }
    /* Another process (or an earlier refresh of ours) may have rotated the tokens meanwhile:
     * the store on disk is the truth, and refreshing with a stale token would fail. */
    before = t->refresh_token ? xstrdup(t->refresh_token) : NULL;
    rc = store_read(t, &j->err);
    if (rc == LK_OK && before && t->refresh_token && strcmp(before, t->refresh_token))
        t->generation++;
    secret_free(before);
    if (rc != LK_OK)
        return job_end(j, rc);
    if (j->only_if_stale && t->generation != j->seen_generation && lk_tokens_fresh(t))
        return job_end(j, LK_OK);
    if (!t->refresh_token)
        return job_end(j, lk_error_set(&j->err, LK_ERR_AUTH,
                                       _("no refresh token in %s: run 'loket-import auth code "
                                       "--redirect-uri URI' or 'loket-import auth "
                                       "set-refresh-token' first"),
                                       t->cfg->token_store));
    strbuf_init(&form, 256);
    form_add(&form, "grant_type", "refresh_token");
    form_add(&form, "refresh_token", t->refresh_token);
    form_add(&form, "client_id", t->cfg->client_id);
    if (t->cfg->client_secret)
        form_add(&form, "client_secret", t->cfg->client_secret);
    j->post = lk_token_post_new(t->cfg, t->trace, form.buf);
    memset(form.buf, 0, form.len);
    strbuf_free(&form);
    return false;
}

bool lk_tokens_job_step(lk_token_job *j, CURLM *multi, long *wait_ms)
{
    long status;
    const strbuf *body;
    *wait_ms = -1;
    if (j->state == JOB_LOCK) {
        if (flock(j->lock, LOCK_EX | LOCK_NB) != 0) {
            if (errno == EWOULDBLOCK || errno == EINTR) {
                /* another process is refreshing: its tokens will be on disk when it is done */
                *wait_ms = LOCK_POLL_MS;
                return false;
            }
            return job_end(j, lock_failed(j->t, errno, &j->err));
        }
        if (job_begin(j))
            return true;
    }
    if (j->state != JOB_POST)
        return true;
    if (!lk_token_post_step(j->post, multi, wait_ms))
        return false;
    if (lk_token_post_result(j->post, &status, &body, &j->err) != LK_OK)
        return job_end(j, j->err.code);
    return job_end(j, grant_answer(j->t, j->what, status, body, &j->err));
}

bool lk_tokens_job_take(lk_token_job *j, CURLM *multi, CURL *easy, CURLcode cc)
{
    return j && j->state == JOB_POST && lk_token_post_take(j->post, multi, easy, cc);
}

bool lk_tokens_job_flying(const lk_token_job *j)
{
    return j && j->state == JOB_POST && lk_token_post_flying(j->post);
}

lk_code lk_tokens_job_free(lk_token_job *j, CURLM *multi, lk_error *err)
{
    lk_code rc;
    if (!j)
        return LK_OK;
    if (j->state != JOB_OVER)
        job_end(j, lk_error_set(&j->err, LK_ERR_INTERRUPTED,
                                _("interrupted while asking the token service %s"),
                                j->t->cfg->token_url));
    rc = j->rc;
    if (rc != LK_OK && err)
        *err = j->err;
    j->t->token_requests += (unsigned)lk_token_post_attempts(j->post);
    lk_token_post_free(j->post, multi);
    unlock_store(j->lock);
    if (j->form) {
        memset(j->form, 0, strlen(j->form));
        free(j->form);
    }
    free(j);
    return rc;
}

/*
 * Runs a job on a multi handle of its own: the `auth` commands, which have no engine. A stop
 * gives a request in flight the engine's grace to answer, so that a refresh token the server
 * has already rotated is not lost.
 */
static lk_code run_job(lk_tokens *t, lk_token_job *j, lk_error *err)
{
    CURLM *multi = curl_multi_init();
    double stop_seen = 0;
    lk_code rc;
    if (!multi) {
        lk_tokens_job_free(j, NULL, NULL);
        return lk_error_set(err, LK_ERR_NOMEM, _("libcurl could not create a handle"));
    }
    for (;;) {
        long wait, curl_wait = -1;
        int running, n, timeout = 200;
        CURLMsg *msg;
        bool took = false;
        if (lk_tokens_job_step(j, multi, &wait))
            break;
        if (interrupted(t)) {
            double now = lk_monotonic_ms();
            if (stop_seen <= 0)
                stop_seen = now;
            if (!lk_tokens_job_flying(j) || now - stop_seen >= LK_STOP_GRACE_MS)
                break;
        }
        curl_multi_perform(multi, &running);
        while ((msg = curl_multi_info_read(multi, &n)) != NULL)
            if (msg->msg == CURLMSG_DONE)
                took |= lk_tokens_job_take(j, multi, msg->easy_handle, msg->data.result);
        if (took)
            continue;
        if (wait >= 0 && wait < timeout)
            timeout = (int)wait;
        curl_multi_timeout(multi, &curl_wait);
        if (curl_wait >= 0 && curl_wait < timeout)
            timeout = (int)curl_wait;
        curl_multi_poll(multi, NULL, 0, timeout, &n);
    }
    rc = lk_tokens_job_free(j, multi, err);
    curl_multi_cleanup(multi);
    return rc;
}

lk_code lk_tokens_refresh(lk_tokens *t, lk_error *err)
{
    return run_job(t, job_new(t, "token refresh", true, false, NULL), err);
}

lk_code lk_tokens_exchange_code(lk_tokens *t, const char *code, const char *redirect_uri,
                                lk_error *err)
{
    strbuf form = STRBUF_INIT;
    lk_code rc;
    if (need_client(t, err) != LK_OK)
        return err->code;
    if (!code || !*code)
        return lk_error_set(err, LK_ERR_CONFIG, _("the authorization code is empty"));
    lk_trace_add_secret(t->trace, code);
    strbuf_init(&form, 256);
    form_add(&form, "grant_type", "authorization_code");
    form_add(&form, "code", code);
    if (redirect_uri)
        form_add(&form, "redirect_uri", redirect_uri);
    form_add(&form, "client_id", t->cfg->client_id);
    if (t->cfg->client_secret)
        form_add(&form, "client_secret", t->cfg->client_secret);
    rc = run_job(t, job_new(t, "authorization code exchange", false, false, form.buf), err);
    memset(form.buf, 0, form.len);
    strbuf_free(&form);
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
