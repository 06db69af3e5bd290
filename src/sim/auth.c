/*
 * auth.c: POST /token and bearer token checks.
 *
 * Refresh tokens rotate: a successful refresh_token grant invalidates the token it used and hands
 * out a new one, as API-NOTES.md tells clients to expect. Authorization codes work once.
 * Error answers follow RFC 6749 section 5.2 ({"error", "error_description"}).
 */
#include "sim/auth.h"

#include "common/util.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static void push(char ***list, size_t *n, size_t *alloc, const char *s)
{
    lk_grow(list, sizeof **list, *n + 1, alloc);
    (*list)[(*n)++] = xstrdup(s);
}

/* Removes s from the list; false when it was not there. */
static bool take(char **list, size_t *n, const char *s)
{
    for (size_t i = 0; i < *n; i++) {
        if (strcmp(list[i], s))
            continue;
        free(list[i]);
        list[i] = list[--*n];
        return true;
    }
    return false;
}

sim_auth *sim_auth_new(const cJSON *fixture_auth)
{
    sim_auth *a = xcalloc(1, sizeof *a);
    const cJSON *v;
    a->fixture = fixture_auth;
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(fixture_auth, "refreshTokens"))
        if (cJSON_IsString(v))
            push(&a->refresh, &a->nrefresh, &a->refresh_alloc, v->valuestring);
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(fixture_auth, "authorizationCodes"))
        if (cJSON_IsString(v))
            push(&a->codes, &a->ncodes, &a->codes_alloc, v->valuestring);
    return a;
}

void sim_auth_free(sim_auth *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->nrefresh; i++)
        free(a->refresh[i]);
    for (size_t i = 0; i < a->ncodes; i++)
        free(a->codes[i]);
    free(a->refresh);
    free(a->codes);
    free(a->access);
    free(a);
}

sim_token_state sim_auth_check(sim_auth *a, const char *authorization, const sim_faults *f, double now)
{
    const char *tok;
    if (!authorization || strncasecmp(authorization, "Bearer ", 7))
        return SIM_TOKEN_MISSING;
    tok = authorization + 7;
    while (*tok == ' ')
        tok++;
    for (size_t i = 0; i < a->naccess; i++) {
        sim_access_token *t = &a->access[i];
        if (strcmp(t->value, tok))
            continue;
        if (now >= t->expires_at)
            return SIM_TOKEN_EXPIRED;
        if (f->token_max_requests && t->uses >= f->token_max_requests)
            return SIM_TOKEN_EXPIRED;
        t->uses++;
        return SIM_TOKEN_OK;
    }
    return SIM_TOKEN_UNKNOWN;
}

void sim_auth_expire_all(sim_auth *a)
{
    for (size_t i = 0; i < a->naccess; i++)
        a->access[i].expires_at = 0;
}

static const char *form_get(const sim_request *req, const char *key)
{
    for (size_t i = 0; i < req->nform; i++)
        if (!strcmp(req->form[i].key, key))
            return req->form[i].value;
    return NULL;
}

static const char *fixture_str(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static int oauth_error(char **body, int status, const char *error, const char *description)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "error", error);
    cJSON_AddStringToObject(o, "error_description", description);
    *body = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return status;
}

static void random_token(sim_rng *rng, const char *prefix, char *out, size_t size)
{
    snprintf(out, size, "%s%016llx%016llx", prefix, (unsigned long long)sim_rng_next(rng),
             (unsigned long long)sim_rng_next(rng));
}

static int issue(sim_auth *a, const sim_faults *f, sim_rng *rng, double now, char **body)
{
    char access[48], refresh[48];
    size_t keep = 0;
    cJSON *o;
    /* expired tokens are forgotten (a later use gets 401 unknown, same status as expired) but
     * only after an hour, so tests can tell "expired" from "never issued" meanwhile */
    for (size_t i = 0; i < a->naccess; i++)
        if (a->access[i].expires_at + 3600 > now)
            a->access[keep++] = a->access[i];
    a->naccess = keep;
    random_token(rng, "sim-at-", access, sizeof access);
    random_token(rng, "sim-rt-", refresh, sizeof refresh);
    lk_grow(&a->access, sizeof *a->access, a->naccess + 1, &a->access_alloc);
    memset(&a->access[a->naccess], 0, sizeof *a->access);
    memcpy(a->access[a->naccess].value, access, sizeof access);
    a->access[a->naccess].expires_at = now + f->token_ttl;
    a->naccess++;
    push(&a->refresh, &a->nrefresh, &a->refresh_alloc, refresh);
    o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "access_token", access);
    cJSON_AddStringToObject(o, "token_type", "bearer");
    cJSON_AddNumberToObject(o, "expires_in", f->token_ttl);
    cJSON_AddStringToObject(o, "refresh_token", refresh);
    cJSON_AddNullToObject(o, "two_factor_state");
    *body = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return 200;
}

int sim_auth_token(sim_auth *a, const sim_request *req, const sim_faults *f, bool allow_password,
                   sim_rng *rng, double now, char **body)
{
    const char *grant = form_get(req, "grant_type");
    const char *client_id = form_get(req, "client_id"), *secret = form_get(req, "client_secret");
    if (req->basic_user) {
        client_id = req->basic_user;
        secret = req->basic_password;
    }
    if (!req->content_type || strncasecmp(req->content_type, "application/x-www-form-urlencoded", 33))
        return oauth_error(body, 400, "invalid_request", "form-encoded body (application/x-www-form-urlencoded) expected");
    if (!grant)
        return oauth_error(body, 400, "invalid_request", "grant_type missing");
    if (!client_id || !secret || strcmp(client_id, fixture_str(a->fixture, "clientId")) ||
        strcmp(secret, fixture_str(a->fixture, "clientSecret")))
        return oauth_error(body, 401, "invalid_client", "unknown client or wrong client secret");
    if (!strcmp(grant, "refresh_token")) {
        const char *rt = form_get(req, "refresh_token");
        if (!rt)
            return oauth_error(body, 400, "invalid_request", "refresh_token missing");
        if (!take(a->refresh, &a->nrefresh, rt))
            return oauth_error(body, 400, "invalid_grant", "refresh token unknown, used before or revoked");
        return issue(a, f, rng, now, body);
    }
    if (!strcmp(grant, "authorization_code")) {
        const char *code = form_get(req, "code"), *redirect = form_get(req, "redirect_uri");
        const cJSON *u;
        bool redirect_ok = false;
        if (!code || !redirect)
            return oauth_error(body, 400, "invalid_request", "code and redirect_uri required");
        cJSON_ArrayForEach(u, cJSON_GetObjectItemCaseSensitive(a->fixture, "redirectUris"))
            redirect_ok |= cJSON_IsString(u) && !strcmp(u->valuestring, redirect);
        if (!redirect_ok)
            return oauth_error(body, 400, "invalid_grant", "redirect_uri not registered for this client");
        if (!take(a->codes, &a->ncodes, code))
            return oauth_error(body, 400, "invalid_grant", "authorization code unknown or used before");
        return issue(a, f, rng, now, body);
    }
    if (!strcmp(grant, "password")) {
        const char *user = form_get(req, "username"), *pass = form_get(req, "password");
        const cJSON *u;
        if (!allow_password)
            return oauth_error(body, 400, "unauthorized_client", "the password grant is not enabled for this client");
        cJSON_ArrayForEach(u, cJSON_GetObjectItemCaseSensitive(a->fixture, "users"))
            if (user && pass && !strcmp(fixture_str(u, "username"), user) && !strcmp(fixture_str(u, "password"), pass))
                return issue(a, f, rng, now, body);
        return oauth_error(body, 400, "invalid_grant", "wrong user name or password");
    }
    return oauth_error(body, 400, "unsupported_grant_type", "grant_type not supported");
}
