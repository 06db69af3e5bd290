/*
 * core.c: the simulator object: loading and resetting the world, the fault decisions taken for
 * each request, the request log, and the test hooks outside /v2:
 *   GET  /__sim/state          everything the simulator holds (records, token counts, faults)
 *   POST /__sim/reset          back to the fixture (records, tokens, log; faults to the flags)
 *   GET  /__sim/requests       request counts per method + endpoint template, and the last ones
 *   GET|POST /__sim/faults     read or change fault settings (JSON, see faults.h)
 *   POST /__sim/expire-tokens  every access token expires now
 *   GET  /__sim/credentials    the fixture's test client, redirect URI and an unused
 *                              authorization code (what 'loket-import auth sim' needs)
 */
#include "sim/internal.h"

#include "common/util.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void sim_config_defaults(sim_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    sim_faults_defaults(&cfg->faults);
    cfg->seed = 1;
    cfg->max_body = 1024 * 1024;
}

bool sim_load_world(sim *s, char *err, size_t errlen)
{
    sim_store *st = sim_store_new(s->fixture_text, err, errlen);
    if (!st)
        return false;
    sim_auth_free(s->auth);
    sim_store_free(s->store);
    s->store = st;
    s->auth = sim_auth_new(st->auth);
    return true;
}

sim *sim_new(const sim_config *cfg, char *err, size_t errlen)
{
    sim *s = xcalloc(1, sizeof *s);
    lk_error e;
    size_t len;
    s->cfg = *cfg;
    s->faults = cfg->faults;
    sim_rng_seed(&s->rng, cfg->seed);
    pthread_mutex_init(&s->lock, NULL);
    s->log = xcalloc(SIM_LOG_KEEP, sizeof *s->log);
    if (!sim_faults_valid(&s->faults, err, errlen))
        goto bad;
    if (lk_read_file(cfg->fixture_path, 64 * 1024 * 1024, &s->fixture_text, &len, &e) != LK_OK) {
        snprintf(err, errlen, "%s", e.message);
        goto bad;
    }
    if (!sim_load_world(s, err, errlen))
        goto bad;
    return s;
bad:
    sim_free(s);
    return NULL;
}

static void clear_log(sim *s)
{
    for (size_t i = 0; i < s->ncounts; i++)
        free(s->counts[i].key);
    s->ncounts = 0;
    s->total_requests = 0;
    s->log_next = 0;
    s->log_total = 0;
}

void sim_free(sim *s)
{
    if (!s)
        return;
    clear_log(s);
    free(s->counts);
    free(s->log);
    sim_auth_free(s->auth);
    sim_store_free(s->store);
    free(s->fixture_text);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

void sim_response_clear(sim_response *resp)
{
    cJSON_Delete(resp->json);
    free(resp->body);
    memset(resp, 0, sizeof *resp);
}

/* ---------------------------------------------------------------- request log */

static void log_request(sim *s, const sim_request *req, const char *tmpl, int status)
{
    char key[400];
    sim_log_entry *l = &s->log[s->log_next];
    size_t i;
    snprintf(key, sizeof key, "%s %s", req->method, tmpl ? tmpl : "(unknown)");
    for (i = 0; i < s->ncounts && strcmp(s->counts[i].key, key); i++)
        ;
    if (i == s->ncounts) {
        lk_grow(&s->counts, sizeof *s->counts, s->ncounts + 1, &s->counts_alloc);
        s->counts[s->ncounts].key = xstrdup(key);
        s->counts[s->ncounts++].count = 0;
    }
    s->counts[i].count++;
    s->total_requests++;
    snprintf(l->method, sizeof l->method, "%s", req->method);
    snprintf(l->path, sizeof l->path, "%s", req->path);
    l->status = status;
    s->log_next = (s->log_next + 1) % SIM_LOG_KEEP;
    s->log_total++;
    if (s->cfg.log_requests)
        fprintf(stderr, "loket-sim: %s %s -> %d\n" /* not translated: a log line */, req->method, req->path, status);
}

static cJSON *requests_json(sim *s)
{
    cJSON *o = cJSON_CreateObject(), *counts = cJSON_CreateObject(), *recent = cJSON_CreateArray();
    size_t n = s->log_total < SIM_LOG_KEEP ? (size_t)s->log_total : SIM_LOG_KEEP;
    size_t start = (s->log_next + SIM_LOG_KEEP - n) % SIM_LOG_KEEP;
    cJSON_AddNumberToObject(o, "total", (double)s->total_requests);
    for (size_t i = 0; i < s->ncounts; i++)
        cJSON_AddNumberToObject(counts, s->counts[i].key, (double)s->counts[i].count);
    cJSON_AddItemToObject(o, "counts", counts);
    for (size_t i = 0; i < n; i++) {
        const sim_log_entry *l = &s->log[(start + i) % SIM_LOG_KEEP];
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "method", l->method);
        cJSON_AddStringToObject(e, "path", l->path);
        cJSON_AddNumberToObject(e, "status", l->status);
        cJSON_AddItemToArray(recent, e);
    }
    cJSON_AddItemToObject(o, "recent", recent);
    return o;
}

/* ---------------------------------------------------------------- /__sim */

static cJSON *state_json(sim *s)
{
    cJSON *o = cJSON_CreateObject(), *recs = cJSON_CreateArray(), *tokens = cJSON_CreateObject();
    sim_store *st = s->store;
    for (size_t i = 0; i < st->nrecords; i++) {
        const sim_record *r = st->records[i];
        cJSON *rj = sim_record_json(st, r, true);
        cJSON_AddStringToObject(rj, "employmentId", r->employment->id);
        cJSON_AddNumberToObject(rj, "employeeNumber", r->employment->employee_number);
        cJSON_AddStringToObject(rj, "payrollAdministrationId", r->employment->admin->id);
        cJSON_AddNumberToObject(rj, "payrollPeriodId", r->period->id);
        cJSON_AddNumberToObject(rj, "version", r->version);
        cJSON_AddItemToArray(recs, rj);
    }
    cJSON_AddItemToObject(o, "payrollPeriodData", recs);
    /* counts only: the token values are secrets even in a simulator's dump */
    cJSON_AddNumberToObject(tokens, "accessTokens", (double)s->auth->naccess);
    cJSON_AddNumberToObject(tokens, "refreshTokens", (double)s->auth->nrefresh);
    cJSON_AddNumberToObject(tokens, "authorizationCodes", (double)s->auth->ncodes);
    cJSON_AddItemToObject(o, "tokens", tokens);
    cJSON_AddItemToObject(o, "faults", sim_faults_to_json(&s->faults));
    cJSON_AddNumberToObject(o, "requests", (double)s->total_requests);
    return o;
}

static void hooks(sim *s, const sim_request *req, sim_response *resp)
{
    const char *p = req->path + strlen("/__sim");
    bool get = !strcmp(req->method, "GET"), post = !strcmp(req->method, "POST");
    char err[200];
    if (!strcmp(p, "/state") && get) {
        sim_reply_json(resp, 200, state_json(s));
    } else if (!strcmp(p, "/requests") && get) {
        sim_reply_json(resp, 200, requests_json(s));
    } else if (!strcmp(p, "/reset") && post) {
        if (!sim_load_world(s, err, sizeof err)) {
            sim_reply_text(resp, 500, err);
            return;
        }
        clear_log(s);
        s->faults = s->cfg.faults;
        sim_rng_seed(&s->rng, s->cfg.seed);
        memset(&s->ratelimit, 0, sizeof s->ratelimit);
        sim_reply_text(resp, 200, "reset\n");
    } else if (!strcmp(p, "/faults") && get) {
        sim_reply_json(resp, 200, sim_faults_to_json(&s->faults));
    } else if (!strcmp(p, "/faults") && post) {
        cJSON *o = req->body ? cJSON_ParseWithLength(req->body, req->body_len) : NULL;
        if (!sim_faults_from_json(&s->faults, o, err, sizeof err))
            sim_reply_text(resp, 400, err);
        else
            sim_reply_json(resp, 200, sim_faults_to_json(&s->faults));
        cJSON_Delete(o);
    } else if (!strcmp(p, "/credentials") && get) {
        sim_reply_json(resp, 200, sim_credentials_json(s));
    } else if (!strcmp(p, "/expire-tokens") && post) {
        sim_auth_expire_all(s->auth);
        sim_reply_text(resp, 200, "expired\n");
    } else {
        sim_reply_text(resp, 404, "unknown test hook (see docs/simulator.md)");
    }
}

/* ---------------------------------------------------------------- one request */

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    while (ms > 0 && nanosleep(&ts, &ts) != 0)
        ;
}

void sim_handle(sim *s, const sim_request *req, sim_response *resp)
{
    const char *tmpl = NULL;
    int delay, retry_after = 0;
    bool drop, fail, drop_after, limited;
    memset(resp, 0, sizeof *resp);
    if (!strncmp(req->path, "/__sim/", 7)) {
        pthread_mutex_lock(&s->lock);
        hooks(s, req, resp);
        pthread_mutex_unlock(&s->lock);
        sim_response_render(resp);
        return;
    }
    /* fault decisions first, in one locked step, so a seed gives the same sequence */
    pthread_mutex_lock(&s->lock);
    limited = !sim_ratelimit_take(&s->ratelimit, s->faults.rate_limit, (long long)lk_monotonic_ms(), &retry_after);
    delay = s->faults.latency_ms +
            (s->faults.jitter_ms ? (int)(sim_rng_unit(&s->rng) * (s->faults.jitter_ms + 1)) : 0);
    drop = s->faults.drop_rate > 0 && sim_rng_unit(&s->rng) < s->faults.drop_rate;
    fail = s->faults.fail_rate > 0 && sim_rng_unit(&s->rng) < s->faults.fail_rate;
    fail = sim_faults_fail_after_hit(&s->faults) || fail;
    drop_after = s->faults.drop_after_rate > 0 && sim_rng_unit(&s->rng) < s->faults.drop_after_rate;
    pthread_mutex_unlock(&s->lock);

    if (delay > 0)
        sleep_ms(delay);

    pthread_mutex_lock(&s->lock);
    if (limited) {
        char msg[64];
        resp->retry_after = retry_after;
        snprintf(msg, sizeof msg, "Too Many Requests: retry after %d s", retry_after);
        sim_reply_text(resp, 429, msg);
    } else if (drop) {
        resp->drop = true;
    } else if (fail) {
        cJSON *o = cJSON_CreateObject(), *msgs = cJSON_AddArrayToObject(o, "messages"), *m = cJSON_CreateObject();
        cJSON_AddNumberToObject(m, "code", 5000);
        cJSON_AddStringToObject(m, "type", "Exception");
        cJSON_AddStringToObject(m, "description", "Interne fout (gesimuleerd) / Internal error (simulated)");
        cJSON_AddNullToObject(m, "id");
        cJSON_AddArrayToObject(m, "properties");
        cJSON_AddItemToArray(msgs, m);
        if (s->faults.fail_status == 503)
            resp->retry_after = 1;
        sim_reply_json(resp, s->faults.fail_status, o);
    } else if (!strcmp(req->path, "/token")) {
        char *body = NULL;
        tmpl = "/token";
        if (strcmp(req->method, "POST")) {
            snprintf(resp->allow, sizeof resp->allow, "POST");
            sim_reply_text(resp, 405, "Method Not Allowed");
        } else {
            int status = sim_auth_token(s->auth, req, &s->faults, s->cfg.allow_password_grant, &s->rng,
                                        lk_monotonic_ms() / 1000.0, &body);
            resp->status = status;
            resp->body = body;
            resp->body_len = strlen(body);
            snprintf(resp->content_type, sizeof resp->content_type, "application/json");
        }
    } else if (!strncmp(req->path, "/v2/", 4)) {
        sim_request sub = *req;
        sub.path = req->path + 3;
        tmpl = sim_api_dispatch(s, &sub, resp);
    } else {
        sim_reply_text(resp, 404, "Not Found: the API lives under /v2, tokens at /token");
    }
    if (drop_after && !resp->drop)
        resp->drop = true;
    log_request(s, req, tmpl, resp->drop ? 0 : resp->status);
    pthread_mutex_unlock(&s->lock);
    sim_response_render(resp);
}
