/*
 * auth_sim.c: 'loket-import auth sim URL': points a configuration at a running loket-sim and
 * signs in, in one step. It asks the simulator for its test client (GET /__sim/credentials),
 * writes apiUrl, tokenUrl, clientId and clientSecret into the configuration (keeping every other
 * key; created 0600 when missing), and exchanges an unused authorization code for tokens. Run
 * again after the simulator restarted (a new port, a fresh world that knows no earlier token).
 *
 * It only ever talks plain HTTP to a loopback address, and refuses to touch a configuration that
 * points at anything but a simulator on this machine: production settings stay as they are.
 */
#include "common/i18n.h"
#include "cmd/commands.h"
#include "cmd/common_opts.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "loket/api.h"
#include "loket/http.h"
#include "loket/tokens.h"

#include <cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage_text[] =
    N_("usage: loket-import auth sim URL [--config FILE]\n"
    "\n"
    "Sets up a configuration for the loket-sim at URL (the first line loket-sim prints, e.g.\n"
    "http://127.0.0.1:41237/v2): API and token URL, the simulator's test client id and secret,\n"
    "and tokens from one of its authorization codes. Other keys of the file are kept. Run it\n"
    "again after the simulator restarted. Refuses a configuration that points elsewhere.\n"
    "\n"
    "      --config FILE   the configuration to write (default: the usual one, see\n"
    "                      docs/configuration.md); its token store defaults to\n"
    "                      sim-tokens.json beside it\n"
    "  -h, --help          this text\n"
    "\n"
    "It ends with exit code 3 when the simulator does not answer, or the configuration points\n"
    "elsewhere or cannot be written.\n");

static void usage(FILE *out)
{
    fputs(_(usage_text), out);
    LK_USAGE_EXIT_CODES(out, LK_EXIT_OK, LK_EXIT_CONFIG, LK_EXIT_INTERNAL, LK_EXIT_USAGE);
}

static const struct option options[] = {
    { "config", required_argument, NULL, 'c' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

/* "http://127.0.0.1:41237/v2" -> root "http://127.0.0.1:41237"; false unless plain HTTP to a
 * loopback host with an explicit port. */
static bool sim_root(const char *url, char *root, size_t n, lk_error *err)
{
    const char *p = !strncmp(url, "http://", 7) ? url + 7 : NULL;
    char host[128];
    size_t len = 0;
    if (p) {
        const char *end = p[0] == '[' ? strchr(p, ']') : p + strcspn(p, ":/");
        if (end && p[0] == '[')
            end++;
        len = end ? (size_t)(end - p) : 0;
    }
    if (!p || len == 0 || len >= sizeof host) {
        lk_error_set(err, LK_ERR_CONFIG,
                     _("%s: not a loket-sim URL (expected http://127.0.0.1:PORT/v2, the first line "
                     "loket-sim prints)"), url);
        return false;
    }
    memcpy(host, p, len);
    host[len] = '\0';
    const char *bare = host;
    char unbracketed[128];
    if (host[0] == '[') {
        snprintf(unbracketed, sizeof unbracketed, "%.*s", (int)(len - 2), host + 1);
        bare = unbracketed;
    }
    if (!lk_host_is_loopback(bare) || p[len] != ':') {
        lk_error_set(err, LK_ERR_CONFIG,
                     _("%s: auth sim talks only to a simulator on this machine (http to a "
                     "loopback address with its port)"), url);
        return false;
    }
    size_t rootlen = (size_t)(p - url) + len + 1 + strspn(p + len + 1, "0123456789");
    if (rootlen >= n || rootlen == (size_t)(p - url) + len + 1) {
        lk_error_set(err, LK_ERR_CONFIG, _("%s: no port in the URL"), url);
        return false;
    }
    memcpy(root, url, rootlen);
    root[rootlen] = '\0';
    return true;
}

typedef struct fetched {
    long status;
    lk_code code;
    lk_error err;
    char *body;
} fetched;

static void on_credentials(const lk_http_response *res, void *ud)
{
    fetched *f = ud;
    f->code = res->code;
    f->status = res->status;
    if (res->code != LK_OK)
        f->err = *res->err;
    else
        f->body = xstrdup(res->body);
}

/* GET ROOT/__sim/credentials through the program's own HTTP engine. */
static cJSON *fetch_credentials(const char *root, lk_error *err)
{
    lk_config *cfg = lk_config_new_defaults();
    strbuf js;
    strbuf_init(&js, 256);
    strbuf_addf(&js,
                "{\"environment\": \"custom\", \"apiUrl\": \"%s\", \"tokenUrl\": \"%s/token\"}",
                root, root);
    cJSON *out = NULL;
    lk_http *h = NULL;
    fetched f;
    memset(&f, 0, sizeof f);
    cfg->max_attempts = 2;
    cfg->timeout_ms = 10000;
    if (lk_config_parse(js.buf, "auth sim", cfg, err) != LK_OK ||
        lk_http_new(cfg, NULL, NULL, &h, err) != LK_OK)
        goto done;
    lk_http_request req = { "GET", "/__sim/credentials", NULL, LK_RES_USER, NULL, 0 };
    lk_http_submit(h, &req, on_credentials, &f);
    if (lk_http_run(h, err) != LK_OK)
        goto done;
    if (f.code != LK_OK) {
        lk_error_set(err, LK_ERR_CONFIG, _("no loket-sim answers at %s: %s"), root, f.err.message);
        goto done;
    }
    out = f.status == 200 ? cJSON_Parse(f.body) : NULL;
    if (!out || !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(out, "clientId")))
        lk_error_set(err, LK_ERR_CONFIG,
                     _("%s answers, but not as loket-sim does (HTTP %ld at /__sim/credentials)"),
                     root, f.status);
done:
    if (out && err->code != LK_OK) {
        cJSON_Delete(out);
        out = NULL;
    }
    free(f.body);
    lk_http_free(h);
    lk_config_free(cfg);
    strbuf_free(&js);
    return out;
}

static const char *str_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void set_str(cJSON *o, const char *key, const char *value)
{
    cJSON_DeleteItemFromObjectCaseSensitive(o, key);
    cJSON_AddStringToObject(o, key, value);
}

/* The existing file's keys, or a new object; NULL (err set) when the file points elsewhere. */
static cJSON *load_existing(const char *path, lk_error *err)
{
    char *text = NULL;
    size_t len = 0;
    lk_error rerr;
    lk_error_clear(&rerr);
    if (access(path, F_OK) != 0)
        return cJSON_CreateObject();
    if (lk_read_file(path, 1 << 20, &text, &len, &rerr) != LK_OK) {
        *err = rerr;
        return NULL;
    }
    cJSON *o = cJSON_ParseWithLength(text, len);
    free(text);
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        lk_error_set(err, LK_ERR_CONFIG, _("%s is not a JSON object: left as it is"), path);
        return NULL;
    }
    const char *env = str_of(o, "environment");
    const char *api = str_of(o, "apiUrl");
    char root[256];
    lk_error ignored;
    lk_error_clear(&ignored);
    if ((env && strcmp(env, "custom")) || (!env && cJSON_GetArraySize(o) > 0) ||
        (api && !sim_root(api, root, sizeof root, &ignored))) {
        lk_error_set(err, LK_ERR_CONFIG,
                     _("%s points at %s, not at a simulator on this machine: left as it is "
                     "(give another file with --config)"),
                     path, api ? api : env ? env : _("the acceptance environment"));
        cJSON_Delete(o); /* after the message: env and api are its strings */
        return NULL;
    }
    return o;
}

/* The token store holds the tokens of an earlier simulator (another port): they died with it,
 * and the store would refuse the new one's. Tokens of anything else are not touched. */
static bool forget_old_sim_tokens(const char *store, lk_error *err)
{
    char *text = NULL;
    size_t len = 0;
    lk_error rerr;
    lk_error_clear(&rerr);
    if (!store || access(store, F_OK) != 0)
        return true;
    if (lk_read_file(store, 1 << 20, &text, &len, &rerr) != LK_OK) {
        *err = rerr;
        return false;
    }
    cJSON *o = cJSON_ParseWithLength(text, len);
    memset(text, 0, len);
    free(text);
    const char *url = str_of(o, "tokenUrl");
    char root[256];
    bool ok = !url || sim_root(url, root, sizeof root, &rerr);
    if (!ok)
        lk_error_set(err, LK_ERR_CONFIG,
                     _("token store %s holds tokens of %s: left as it is (set \"tokenStore\" to "
                     "another file for the simulator)"), store, url);
    cJSON_Delete(o); /* after the message: url is its string */
    if (!ok)
        return false;
    if (unlink(store) != 0) {
        lk_error_set(err, LK_ERR_CONFIG, _("cannot remove the old simulator's tokens %s: %s"), store,
                     strerror(errno));
        return false;
    }
    return true;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
}

/* mkdir -p of the configuration's folder, 0700 for what it creates. */
static void make_dirs(const char *dir)
{
    char *d = xstrdup(dir);
    for (char *p = d + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        mkdir(d, 0700);
        *p = '/';
    }
    mkdir(d, 0700);
    free(d);
}

int lk_auth_sim(int argc, char **argv)
{
    const char *config = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'h': usage(stdout); return LK_EXIT_OK;
        default: usage(stderr); return LK_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        lk_errorf(_("auth sim needs the simulator's URL: loket-import auth sim "
                  "http://127.0.0.1:PORT/v2"));
        return LK_EXIT_USAGE;
    }
    const char *url = argv[optind];
    lk_error err;
    lk_error_clear(&err);
    char root[256];
    if (!sim_root(url, root, sizeof root, &err))
        return lk_report_error(&err);

    char *path = config ? xstrdup(config) : lk_config_default_path();
    char *dir = dir_of(path);
    cJSON *creds = NULL, *file = NULL;
    int rc = LK_EXIT_OK;
    if (!(creds = fetch_credentials(root, &err)) || !(file = load_existing(path, &err))) {
        rc = lk_report_error(&err);
        goto out;
    }
    const char *code = str_of(creds, "authorizationCode");
    const char *redirect = str_of(creds, "redirectUri");
    if (!code || !redirect || !str_of(creds, "clientSecret")) {
        lk_error_set(&err, LK_ERR_CONFIG,
                     _("the simulator at %s has no unused authorization code left: restart it"),
                     root);
        rc = lk_report_error(&err);
        goto out;
    }
    strbuf s;
    strbuf_init(&s, 256);
    strbuf_addf(&s, "%s/v2", root);
    set_str(file, "environment", "custom");
    set_str(file, "apiUrl", s.buf);
    strbuf_reset(&s);
    strbuf_addf(&s, "%s/token", root);
    set_str(file, "tokenUrl", s.buf);
    set_str(file, "clientId", str_of(creds, "clientId"));
    set_str(file, "clientSecret", str_of(creds, "clientSecret"));
    cJSON_DeleteItemFromObjectCaseSensitive(file, "clientSecretFile");
    if (!str_of(file, "tokenStore")) {
        strbuf_reset(&s);
        strbuf_addf(&s, "%s/sim-tokens.json", dir);
        set_str(file, "tokenStore", s.buf);
    }
    strbuf_free(&s);
    if (!forget_old_sim_tokens(str_of(file, "tokenStore"), &err)) {
        rc = lk_report_error(&err);
        goto out;
    }
    char *text = cJSON_Print(file);
    make_dirs(dir);
    lk_code wrc = lk_write_file_atomic(path, text, strlen(text), 0600, &err);
    cJSON_free(text);
    if (wrc != LK_OK) {
        rc = lk_report_error(&err);
        goto out;
    }

    /* sign in with the configuration as every other command reads it */
    lk_common_opts common;
    lk_session sess;
    lk_common_init(&common);
    common.ov.config_path = path;
    if (lk_session_open(&common, true, &sess) != LK_OK) {
        rc = LK_EXIT_CONFIG;
        goto out;
    }
    if (lk_tokens_exchange_code(lk_client_tokens(sess.client), code, redirect, &err) != LK_OK)
        rc = lk_report_error(&err);
    else
        printf(_("%s now points at the loket-sim at %s; tokens stored in %s\n"
               "try: loket-import employers%s%s\n"),
               path, url, sess.cfg->token_store, config ? " --config " : "", config ? config : "");
    lk_session_close(&sess, &common);
out:
    cJSON_Delete(creds);
    cJSON_Delete(file);
    free(dir);
    free(path);
    return rc;
}
