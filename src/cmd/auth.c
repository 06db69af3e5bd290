/*
 * auth.c: 'loket-import auth code|set-refresh-token|refresh|status': obtain, store and show
 * the OAuth tokens. Tokens themselves are never printed: status shows what a person needs
 * (environment, expiry, whose tokens), not the secrets.
 */
#include "cmd/commands.h"
#include "cmd/common_opts.h"
#include "common/i18n.h"
#include "common/localefmt.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "loket/api.h"
#include "loket/tokens.h"

#include <cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char usage_text[] =
    N_("usage: loket-import auth code --redirect-uri URI [OPTIONS] < code-file\n"
    "       loket-import auth set-refresh-token [OPTIONS] < token-file\n"
    "       loket-import auth refresh [OPTIONS]\n"
    "       loket-import auth status [--json] [OPTIONS]\n"
    "       loket-import auth sim URL [--config FILE]\n"
    "\n"
    "  code               read an authorization code (from Loket's authorization-code flow)\n"
    "                     from standard input, exchange it for tokens and store them\n"
    "  set-refresh-token  read a refresh token from standard input and store it\n"
    "  refresh            get a new access token now (the refresh token rotates)\n"
    "  status             environment, token expiry and the user the tokens belong to\n"
    "                     (from GET /user); never the tokens themselves\n"
    "  sim                point the configuration at the loket-sim at URL and sign in\n"
    "                     (see 'loket-import auth sim --help')\n"
    "\n"
    "      --redirect-uri URI  the redirect URI the code was issued for (code)\n"
    "      --json              machine-readable status\n"
    "  -h, --help              this text\n"
    "\n");

enum { OPT_REDIRECT = 256, OPT_JSON };

static const struct option options[] = {
    { "redirect-uri", required_argument, NULL, OPT_REDIRECT },
    { "json", no_argument, NULL, OPT_JSON },
    { "help", no_argument, NULL, 'h' },
    LK_COMMON_LONG_OPTIONS,
    { NULL, 0, NULL, 0 },
};

static void usage(FILE *out)
{
    fputs(_(usage_text), out);
    lk_common_usage(out);
    LK_USAGE_EXIT_CODES(out, LK_EXIT_OK, LK_EXIT_CONFIG, LK_EXIT_INTERNAL, LK_EXIT_USAGE);
}

/* The longest line read from standard input; a longer one is refused, not cut. */
#define SECRET_LINE_MAX 16384

/* One line from stdin without surrounding whitespace; NULL when empty or too long (*too_long). */
static char *read_token_line(bool *too_long)
{
    strbuf sb = STRBUF_INIT;
    int c;
    size_t start = 0;
    *too_long = false;
    strbuf_init(&sb, 128);
    while ((c = getchar()) != EOF && c != '\n') {
        if (sb.len >= SECRET_LINE_MAX) {
            *too_long = true;
            continue; /* read the rest of the line, keep nothing of it */
        }
        strbuf_addch(&sb, (char)c);
    }
    if (*too_long) {
        memset(sb.buf, 0, sb.len);
        strbuf_free(&sb);
        return NULL;
    }
    while (sb.len && (sb.buf[sb.len - 1] == '\r' || sb.buf[sb.len - 1] == ' ' ||
                      sb.buf[sb.len - 1] == '\t'))
        sb.buf[--sb.len] = '\0';
    while (start < sb.len && (sb.buf[start] == ' ' || sb.buf[start] == '\t'))
        start++;
    if (start == sb.len) {
        strbuf_free(&sb);
        return NULL;
    }
    {
        char *out = xstrdup(sb.buf + start);
        memset(sb.buf, 0, sb.len);
        strbuf_free(&sb);
        return out;
    }
}

/* One "label   value" line of auth status; labels are padded by characters, not bytes, so that
 * translated labels line up too. */
static void print_field(const char *label, const char *value)
{
    size_t chars = 0;
    for (const unsigned char *p = (const unsigned char *)label; *p; p++)
        chars += (*p & 0xC0) != 0x80;
    printf("%s%*s %s\n", label, chars < 18 ? (int)(18 - chars) : 0, "", value);
}

static void print_when(const char *label, long long t)
{
    char iso[32], day[32], when[96];
    long long now = (long long)time(NULL);
    if (!t) {
        print_field(label, _("unknown"));
        return;
    }
    lk_iso8601(t, iso); /* 2026-12-07T22:25:07Z */
    iso[10] = '\0';
    lk_fmt_date(iso, day);
    if (t > now)
        snprintf(when, sizeof when, _("%s %.5s UTC (in %lld min)"), day, iso + 11,
                 (t - now + 59) / 60);
    else
        snprintf(when, sizeof when, _("%s %.5s UTC (expired)"), day, iso + 11);
    print_field(label, when);
}

static int auth_status(lk_session *s, bool json)
{
    lk_token_status st;
    lk_user *user = NULL;
    lk_error err, uerr;
    lk_code urc;
    lk_error_clear(&err);
    lk_error_clear(&uerr);
    lk_tokens_status(lk_client_tokens(s->client), &st);
    urc = st.has_refresh_token || st.has_access_token ? lk_api_user(s->client, &user, &uerr)
                                                       : LK_ERR_AUTH;
    if (urc == LK_ERR_AUTH && !st.has_refresh_token && !st.has_access_token)
        lk_error_set(&uerr, LK_ERR_AUTH,
                     _("no tokens yet: run 'loket-import auth code --redirect-uri URI' or "
                     "'loket-import auth set-refresh-token'"));
    /* the user look-up may have refreshed: show the state after it */
    lk_tokens_status(lk_client_tokens(s->client), &st);
    if (json) {
        cJSON *o = cJSON_CreateObject();
        char *text;
        cJSON_AddStringToObject(o, "environment", s->cfg->environment);
        cJSON_AddStringToObject(o, "apiUrl", s->cfg->api_url);
        cJSON_AddStringToObject(o, "tokenUrl", s->cfg->token_url);
        if (s->cfg->client_id)
            cJSON_AddStringToObject(o, "clientId", s->cfg->client_id);
        cJSON_AddStringToObject(o, "tokenStore", s->cfg->token_store);
        cJSON_AddBoolToObject(o, "hasRefreshToken", st.has_refresh_token);
        cJSON_AddBoolToObject(o, "hasAccessToken", st.has_access_token);
        cJSON_AddNumberToObject(o, "accessTokenExpiresAt", (double)st.access_expires_at);
        if (user) {
            cJSON *u = cJSON_AddObjectToObject(o, "user");
            cJSON_AddStringToObject(u, "firstName", user->first_name ? user->first_name : "");
            cJSON_AddStringToObject(u, "prefix", user->prefix ? user->prefix : "");
            cJSON_AddStringToObject(u, "lastName", user->last_name ? user->last_name : "");
            cJSON_AddStringToObject(u, "emailAddress", user->email ? user->email : "");
            cJSON_AddStringToObject(u, "role", user->role ? user->role : "");
        } else {
            cJSON_AddStringToObject(o, "error", uerr.message);
        }
        text = cJSON_Print(o);
        puts(text);
        free(text);
        cJSON_Delete(o);
    } else {
        print_field(_("environment"), s->cfg->environment);
        print_field(_("API"), s->cfg->api_url);
        print_field(_("token URL"), s->cfg->token_url);
        print_field(_("client id"), s->cfg->client_id ? s->cfg->client_id : _("(not set)"));
        print_field(_("token store"), s->cfg->token_store);
        print_field(_("refresh token"), st.has_refresh_token ? _("stored") : _("none"));
        if (st.has_access_token)
            print_when(_("access token"), st.access_expires_at);
        else
            print_field(_("access token"), _("none"));
        if (user) {
            strbuf sb;
            strbuf_init(&sb, 64);
            strbuf_addf(&sb, "%s%s%s%s%s%s%s%s", user->first_name ? user->first_name : "",
                        user->prefix ? " " : "", user->prefix ? user->prefix : "",
                        user->last_name ? " " : "", user->last_name ? user->last_name : "",
                        user->email ? " <" : "", user->email ? user->email : "",
                        user->email ? ">" : "");
            print_field(_("user"), sb.buf ? sb.buf : "");
            strbuf_free(&sb);
        }
        if (user && user->role)
            print_field(_("role"), user->role);
    }
    lk_user_free(user);
    if (urc != LK_OK)
        return lk_report_error(&uerr);
    return LK_EXIT_OK;
}

int cmd_auth(int argc, char **argv)
{
    lk_common_opts common;
    lk_session s;
    const char *sub, *redirect = NULL;
    bool json = false;
    lk_error err;
    int c, rc = LK_EXIT_OK;
    lk_common_init(&common);
    lk_error_clear(&err);
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? LK_EXIT_USAGE : LK_EXIT_OK;
    }
    sub = argv[1];
    if (!strcmp(sub, "sim"))
        return lk_auth_sim(argc - 1, argv + 1);
    if (strcmp(sub, "code") && strcmp(sub, "set-refresh-token") && strcmp(sub, "refresh") &&
        strcmp(sub, "status")) {
        lk_errorf(_("'auth %s' is not an auth command; see 'loket-import auth --help'"), sub);
        return LK_EXIT_USAGE;
    }
    argc--;
    argv++;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        int h = lk_common_opt(&common, c, optarg);
        if (h < 0)
            return LK_EXIT_USAGE;
        if (h)
            continue;
        switch (c) {
        case OPT_REDIRECT:
            redirect = optarg;
            break;
        case OPT_JSON:
            json = true;
            break;
        case 'h':
            usage(stdout);
            return LK_EXIT_OK;
        default:
            usage(stderr);
            return LK_EXIT_USAGE;
        }
    }
    if (!strcmp(sub, "code")) {
        /* the code is a credential: on the command line every local user sees it (ps) */
        if (optind < argc && strcmp(argv[optind], "-") != 0) {
            lk_errorf(_("auth code reads the authorization code from standard input, not from the "
                      "command line (where other users can see it): echo CODE | loket-import "
                      "auth code --redirect-uri URI"));
            return LK_EXIT_USAGE;
        }
        if (optind < argc)
            optind++;
        if (!redirect) {
            lk_errorf(_("auth code needs --redirect-uri (the one the code was issued for)"));
            return LK_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        lk_errorf(_("unexpected argument \"%s\"; see 'loket-import auth --help'"), argv[optind]);
        return LK_EXIT_USAGE;
    }
    if (lk_session_open(&common, true, &s) != LK_OK)
        return LK_EXIT_CONFIG;

    if (!strcmp(sub, "code")) {
        char *code;
        bool too_long;
        if (isatty(STDIN_FILENO))
            fprintf(stderr, _("paste the authorization code and press Enter:\n"));
        code = read_token_line(&too_long);
        if (!code) {
            if (too_long)
                lk_errorf(_("the authorization code on standard input is longer than %d "
                          "characters"), SECRET_LINE_MAX);
            else
                lk_errorf(_("no authorization code on standard input"));
            rc = LK_EXIT_CONFIG;
        } else {
            if (lk_tokens_exchange_code(lk_client_tokens(s.client), code, redirect, &err) !=
                LK_OK)
                rc = lk_report_error(&err);
            else
                printf(_("tokens stored in %s\n"), s.cfg->token_store);
            memset(code, 0, strlen(code));
            free(code);
        }
    } else if (!strcmp(sub, "set-refresh-token")) {
        char *token;
        bool too_long;
        if (isatty(STDIN_FILENO))
            fprintf(stderr, _("paste the refresh token and press Enter:\n"));
        token = read_token_line(&too_long);
        if (!token) {
            if (too_long)
                lk_errorf(_("the refresh token on standard input is longer than %d characters; "
                          "nothing was stored"), SECRET_LINE_MAX);
            else
                lk_errorf(_("no refresh token on standard input"));
            rc = LK_EXIT_CONFIG;
        } else {
            if (lk_tokens_set_refresh_token(lk_client_tokens(s.client), token, &err) != LK_OK)
                rc = lk_report_error(&err);
            else
                printf(_("refresh token stored in %s\n"), s.cfg->token_store);
            memset(token, 0, strlen(token));
            free(token);
        }
    } else if (!strcmp(sub, "refresh")) {
        lk_token_status st;
        if (lk_tokens_refresh(lk_client_tokens(s.client), &err) != LK_OK) {
            rc = lk_report_error(&err);
        } else {
            lk_tokens_status(lk_client_tokens(s.client), &st);
            printf(_("new tokens stored in %s\n"), s.cfg->token_store);
            print_when("access token", st.access_expires_at);
        }
    } else {
        rc = auth_status(&s, json);
    }
    lk_session_close(&s, &common);
    return rc;
}
