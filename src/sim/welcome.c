/*
 * welcome.c: what a person needs to start using loket-sim, printed when it starts (after the
 * URL line that tests read) and served at GET /__sim/credentials: the fixture's test client,
 * its redirect URI, an authorization code not used yet, the initial refresh token, and a ready
 * configuration for loket-import. These are the fixture's test values: Loket knows none of them.
 */
#include "common/i18n.h"
#include "sim/internal.h"

#include <stdio.h>
#include <string.h>

static const char *fixture_string(const cJSON *auth, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(auth, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *fixture_first(const cJSON *auth, const char *key)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(auth, key);
    const cJSON *v = cJSON_IsArray(a) ? cJSON_GetArrayItem(a, 0) : NULL;
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void add_or_null(cJSON *o, const char *key, const char *value)
{
    if (value)
        cJSON_AddStringToObject(o, key, value);
    else
        cJSON_AddNullToObject(o, key);
}

cJSON *sim_credentials_json(const sim *s)
{
    const cJSON *auth = s->auth->fixture;
    cJSON *o = cJSON_CreateObject();
    add_or_null(o, "clientId", fixture_string(auth, "clientId"));
    add_or_null(o, "clientSecret", fixture_string(auth, "clientSecret"));
    add_or_null(o, "redirectUri", fixture_first(auth, "redirectUris"));
    /* a code that still works now (each is taken once), not only the fixture's first */
    add_or_null(o, "authorizationCode", s->auth->ncodes ? s->auth->codes[0] : NULL);
    add_or_null(o, "refreshToken", fixture_first(auth, "refreshTokens"));
    return o;
}

static const char *or(const char *s, const char *fallback)
{
    return s ? s : fallback;
}

void sim_print_welcome(const sim *s, const char *base_url, FILE *out)
{
    const cJSON *auth = s->auth->fixture;
    const char *id = fixture_string(auth, "clientId");
    const char *secret = fixture_string(auth, "clientSecret");
    const char *refresh = fixture_first(auth, "refreshTokens");
    char root[256], token_url[300];
    snprintf(root, sizeof root, "%s", base_url);
    char *v2 = strstr(root, "/v2");
    if (v2)
        *v2 = '\0';
    snprintf(token_url, sizeof token_url, "%s/token", root);
    fprintf(out,
            _("\n"
            "loket-sim is running. Test credentials of this fixture (Loket knows none of them):\n"
            "  client id           %s\n"
            "  client secret       %s\n"
            "  redirect URI        %s\n"
            "  authorization code  %s (each works once; GET %s/__sim/credentials\n"
            "                      names an unused one)\n"
            "  refresh token       %s\n"
            "\n"
            "Set up loket-import for it in one step (writes the configuration and the tokens;\n"
            "run it again after a restart: the port and the tokens change):\n"
            "  loket-import auth sim %s\n"
            "\n"
            "or save this configuration as sim-config.json and store the refresh token:\n"),
            or(id, "(none)"), or(secret, "(none)"),
            or(fixture_first(auth, "redirectUris"), "(none)"),
            s->auth->ncodes ? s->auth->codes[0] : "(none left)", root, or(refresh, "(none)"),
            base_url);
    cJSON *cfg = cJSON_CreateObject();
    cJSON_AddStringToObject(cfg, "environment", "custom");
    cJSON_AddStringToObject(cfg, "apiUrl", base_url);
    cJSON_AddStringToObject(cfg, "tokenUrl", token_url);
    add_or_null(cfg, "clientId", id);
    add_or_null(cfg, "clientSecret", secret);
    char *text = cJSON_Print(cfg);
    fprintf(out, "%s\n", text);
    fprintf(out, _("  echo %s | loket-import auth set-refresh-token --config sim-config.json\n\n"),
            or(refresh, "TOKEN"));
    cJSON_free(text);
    cJSON_Delete(cfg);
}
