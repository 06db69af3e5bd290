/*
 * sim_direct.c (tests): in-process loket-sim for unit tests; see sim_direct.h.
 */
#include "support/sim_direct.h"
#include "support/sim.h"

#include "sim/internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int lk_simd_open(lk_simd *d, const sim_faults *faults)
{
    sim_config cfg;
    char err[256];
    cJSON *o = NULL;
    const cJSON *rt;
    memset(d, 0, sizeof *d);
    sim_config_defaults(&cfg);
    cfg.fixture_path = lk_sim_fixture();
    if (faults)
        cfg.faults = *faults;
    d->sim = sim_new(&cfg, err, sizeof err);
    if (!d->sim) {
        fprintf(stderr, "sim_new: %s\n", err);
        return -1;
    }
    rt = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(d->sim->store->auth, "refreshTokens"), 0);
    snprintf(d->refresh, sizeof d->refresh, "%s", rt->valuestring);
    if (lk_simd_token(d, &o, "grant_type", "refresh_token", "refresh_token", d->refresh, NULL) != 200) {
        cJSON_Delete(o);
        return -1;
    }
    snprintf(d->token, sizeof d->token, "%s", cJSON_GetObjectItemCaseSensitive(o, "access_token")->valuestring);
    snprintf(d->refresh, sizeof d->refresh, "%s", cJSON_GetObjectItemCaseSensitive(o, "refresh_token")->valuestring);
    cJSON_Delete(o);
    return 0;
}

void lk_simd_close(lk_simd *d)
{
    sim_free(d->sim);
    d->sim = NULL;
}

int lk_simd_call_token(lk_simd *d, const char *token, const char *method, const char *path,
                       const char *version, const char *body, cJSON **out)
{
    sim_request req;
    sim_response resp;
    sim_kv query[16];
    char pathbuf[1024], auth[128], accept[64], *q, *save = NULL, *part;
    size_t nq = 0;
    int status;
    memset(&req, 0, sizeof req);
    snprintf(pathbuf, sizeof pathbuf, "%s", path);
    if ((q = strchr(pathbuf, '?'))) {
        *q++ = '\0';
        /* test paths carry plain query values (no percent-encoding needed in the tests) */
        for (part = strtok_r(q, "&", &save); part && nq < 16; part = strtok_r(NULL, "&", &save)) {
            char *eq = strchr(part, '=');
            if (eq)
                *eq++ = '\0';
            query[nq].key = part;
            query[nq].value = eq ? eq : "";
            nq++;
        }
    }
    req.method = method;
    req.path = pathbuf;
    req.query = query;
    req.nquery = nq;
    snprintf(auth, sizeof auth, "Bearer %s", token);
    req.authorization = *token ? auth : NULL;
    if (version) {
        snprintf(accept, sizeof accept, "application/json;version=%s", version);
        req.accept = accept;
    }
    if (body) {
        req.body = body;
        req.body_len = strlen(body);
        req.content_type = "application/json;version=2018-01-01";
    }
    sim_handle(d->sim, &req, &resp);
    status = resp.status;
    if (out)
        *out = resp.body ? cJSON_Parse(resp.body) : NULL;
    sim_response_clear(&resp);
    return status;
}

int lk_simd_call(lk_simd *d, const char *method, const char *path, const char *version, const char *body,
                 cJSON **out)
{
    return lk_simd_call_token(d, d->token, method, path, version, body, out);
}

int lk_simd_token(lk_simd *d, cJSON **out, ...)
{
    sim_request req;
    sim_response resp;
    sim_kv form[16];
    size_t n = 0;
    const char *k;
    va_list ap;
    int status;
    const cJSON *auth = d->sim->store->auth;
    memset(&req, 0, sizeof req);
    va_start(ap, out);
    while ((k = va_arg(ap, const char *)) && n < 14) {
        form[n].key = k;
        form[n].value = va_arg(ap, const char *);
        n++;
    }
    va_end(ap);
    /* client credentials unless the caller gave its own */
    {
        int has_id = 0;
        for (size_t i = 0; i < n; i++)
            has_id |= !strcmp(form[i].key, "client_id");
        if (!has_id) {
            form[n].key = "client_id";
            form[n++].value = cJSON_GetObjectItemCaseSensitive(auth, "clientId")->valuestring;
            form[n].key = "client_secret";
            form[n++].value = cJSON_GetObjectItemCaseSensitive(auth, "clientSecret")->valuestring;
        }
    }
    req.method = "POST";
    req.path = "/token";
    req.form = form;
    req.nform = n;
    req.content_type = "application/x-www-form-urlencoded";
    sim_handle(d->sim, &req, &resp);
    status = resp.status;
    if (out)
        *out = resp.body ? cJSON_Parse(resp.body) : NULL;
    sim_response_clear(&resp);
    return status;
}

const char *lk_simd_employment(lk_simd *d, int employee_number, int payroll_id)
{
    sim_store *st = d->sim->store;
    for (size_t i = 0; i < st->nemployments; i++) {
        const cJSON *pid = cJSON_GetObjectItemCaseSensitive(st->employments[i].json, "payrollId");
        if (st->employments[i].employee_number == employee_number && pid && pid->valueint == payroll_id)
            return st->employments[i].id;
    }
    return "00000000-0000-4000-8000-000000000000";
}

int lk_simd_has_code(const cJSON *doc, int code, const char *type)
{
    const cJSON *m;
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(doc, "messages")) {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(m, "code"), *t = cJSON_GetObjectItemCaseSensitive(m, "type");
        if (cJSON_IsNumber(c) && c->valueint == code && (!type || (cJSON_IsString(t) && !strcmp(t->valuestring, type))))
            return 1;
    }
    return 0;
}
