/*
 * sim.c (tests): starting loket-sim as a child process and talking to it with libcurl.
 */
#include "support/sim.h"
#include "support/cunit_main.h"

#include <cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

const char *lk_sim_fixture(void)
{
    const char *f = getenv("LOKET_FIXTURE");
    return f && *f ? f : "samples/loket-fixture.json";
}

static int read_fixture_auth(lk_sim *s)
{
    FILE *f = fopen(lk_sim_fixture(), "rb");
    char *text;
    long len;
    cJSON *root, *auth;
    int rc = -1;
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    rewind(f);
    text = malloc((size_t)len + 1);
    if (text && fread(text, 1, (size_t)len, f) == (size_t)len) {
        text[len] = '\0';
        root = cJSON_Parse(text);
        auth = cJSON_GetObjectItemCaseSensitive(root, "auth");
        if (auth) {
            const cJSON *rt = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(auth, "refreshTokens"), 0);
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(auth, "clientId");
            const cJSON *sec = cJSON_GetObjectItemCaseSensitive(auth, "clientSecret");
            if (cJSON_IsString(rt) && cJSON_IsString(id) && cJSON_IsString(sec)) {
                snprintf(s->refresh, sizeof s->refresh, "%s", rt->valuestring);
                snprintf(s->client_id, sizeof s->client_id, "%s", id->valuestring);
                snprintf(s->client_secret, sizeof s->client_secret, "%s", sec->valuestring);
                rc = 0;
            }
        }
        cJSON_Delete(root);
    }
    free(text);
    fclose(f);
    return rc;
}

int lk_sim_start(lk_sim *s, const char *const *extra_args)
{
    char bin[1024], line[120];
    const char *argv[64];
    int fds[2], n = 0;
    size_t got = 0;
    memset(s, 0, sizeof *s);
    if (read_fixture_auth(s)) {
        fprintf(stderr, "lk_sim_start: cannot read the auth part of %s\n", lk_sim_fixture());
        return -1;
    }
    snprintf(bin, sizeof bin, "%s/loket-sim", lk_test_build_dir());
    argv[n++] = bin;
    argv[n++] = "--fixture";
    argv[n++] = lk_sim_fixture();
    argv[n++] = "--port";
    argv[n++] = "0";
    for (size_t i = 0; extra_args && extra_args[i] && n < 62; i++)
        argv[n++] = extra_args[i];
    argv[n] = NULL;
    if (pipe(fds))
        return -1;
    s->pid = fork();
    if (s->pid < 0)
        return -1;
    if (s->pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execv(bin, (char *const *)argv);
        fprintf(stderr, "exec %s: %s\n", bin, strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    /* the first stdout line is the base URL; wait for it at most 10 s */
    while (got + 1 < sizeof line) {
        struct pollfd p = { fds[0], POLLIN, 0 };
        ssize_t r;
        if (poll(&p, 1, 10000) <= 0)
            break;
        r = read(fds[0], line + got, 1);
        if (r <= 0)
            break;
        if (line[got] == '\n')
            break;
        got++;
    }
    line[got] = '\0';
    close(fds[0]);
    if (strncmp(line, "http://127.0.0.1:", 17)) {
        fprintf(stderr, "lk_sim_start: loket-sim did not print its URL (got \"%s\")\n", line);
        lk_sim_stop(s);
        return -1;
    }
    snprintf(s->url, sizeof s->url, "%s", line);
    snprintf(s->root, sizeof s->root, "%.*s", (int)(strlen(line) - 3), line);
    return 0;
}

void lk_sim_stop(lk_sim *s)
{
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        waitpid(s->pid, NULL, 0);
        s->pid = 0;
    }
}

typedef struct buf {
    char *data;
    size_t len;
} buf;

static size_t collect(char *p, size_t size, size_t n, void *userdata)
{
    buf *b = userdata;
    char *grown = realloc(b->data, b->len + size * n + 1);
    if (!grown)
        return 0;
    b->data = grown;
    memcpy(b->data + b->len, p, size * n);
    b->len += size * n;
    b->data[b->len] = '\0';
    return size * n;
}

static int perform(const char *method, const char *url, struct curl_slist *headers, const char *body,
                   size_t body_len, char **out)
{
    CURL *c = curl_easy_init();
    buf b = { NULL, 0 };
    long status = -1;
    if (!c)
        return -1;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)body_len);
    }
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    if (out)
        *out = b.data ? b.data : calloc(1, 1);
    else
        free(b.data);
    return (int)status;
}

int lk_sim_call(const lk_sim *s, const char *method, const char *path, const char *version, const char *token,
                const char *body, char **out)
{
    char url[2048], h[512];
    struct curl_slist *headers = NULL;
    int status;
    if (!strncmp(path, "http", 4))
        snprintf(url, sizeof url, "%s", path);
    else
        snprintf(url, sizeof url, "%s%s", s->url, path);
    if (version) {
        snprintf(h, sizeof h, "Accept: application/json;version=%s", version);
        headers = curl_slist_append(headers, h);
    }
    if (token) {
        snprintf(h, sizeof h, "Authorization: Bearer %s", token);
        headers = curl_slist_append(headers, h);
    }
    if (body) {
        snprintf(h, sizeof h, "Content-Type: application/json;version=%s", version ? version : "2018-01-01");
        headers = curl_slist_append(headers, h);
    }
    status = perform(method, url, headers, body, body ? strlen(body) : 0, out);
    curl_slist_free_all(headers);
    return status;
}

char *lk_sim_state(const lk_sim *s)
{
    char url[256], *out = NULL;
    snprintf(url, sizeof url, "%s/__sim/state", s->root);
    if (perform("GET", url, NULL, NULL, 0, &out) != 200) {
        free(out);
        return NULL;
    }
    return out;
}

int lk_sim_reset(lk_sim *s)
{
    char url[256];
    snprintf(url, sizeof url, "%s/__sim/reset", s->root);
    if (perform("POST", url, NULL, "", 0, NULL) != 200)
        return -1;
    return read_fixture_auth(s);
}

char *lk_sim_token(lk_sim *s)
{
    char url[256], *out = NULL, *token = NULL;
    CURL *c = curl_easy_init();
    char *rt = curl_easy_escape(c, s->refresh, 0), *id = curl_easy_escape(c, s->client_id, 0);
    char *sec = curl_easy_escape(c, s->client_secret, 0);
    char form[1024];
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/x-www-form-urlencoded");
    cJSON *o;
    snprintf(form, sizeof form, "grant_type=refresh_token&refresh_token=%s&client_id=%s&client_secret=%s", rt, id, sec);
    curl_free(rt);
    curl_free(id);
    curl_free(sec);
    curl_easy_cleanup(c);
    snprintf(url, sizeof url, "%s/token", s->root);
    if (perform("POST", url, headers, form, strlen(form), &out) == 200 && (o = cJSON_Parse(out))) {
        const cJSON *at = cJSON_GetObjectItemCaseSensitive(o, "access_token");
        const cJSON *nrt = cJSON_GetObjectItemCaseSensitive(o, "refresh_token");
        if (cJSON_IsString(at) && cJSON_IsString(nrt)) {
            token = strdup(at->valuestring);
            snprintf(s->refresh, sizeof s->refresh, "%s", nrt->valuestring);
        }
        cJSON_Delete(o);
    }
    curl_slist_free_all(headers);
    free(out);
    return token;
}
