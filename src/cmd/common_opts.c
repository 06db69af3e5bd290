/*
 * common_opts.c: the options, session set-up and output helpers shared by every command that
 * talks to Loket (see common_opts.h).
 */
#include "cmd/common_opts.h"

#include "common/i18n.h"
#include "common/util.h"
#include "report/report.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

void lk_common_init(lk_common_opts *o)
{
    memset(o, 0, sizeof *o);
}

int lk_common_opt(lk_common_opts *o, int opt, const char *arg)
{
    char *end;
    long n;
    switch (opt) {
    case LK_OPT_CONFIG:
        o->ov.config_path = arg;
        return 1;
    case LK_OPT_API_URL:
        o->ov.api_url = arg;
        return 1;
    case LK_OPT_TOKEN_URL:
        o->ov.token_url = arg;
        return 1;
    case LK_OPT_EMPLOYER:
        o->ov.employer = arg;
        return 1;
    case LK_OPT_TRACE:
        o->trace_path = arg;
        return 1;
    case LK_OPT_CACERT:
        o->ov.cacert = arg;
        return 1;
    case LK_OPT_STATS:
        o->stats = true;
        return 1;
    case LK_OPT_CONCURRENCY:
        n = strtol(arg, &end, 10);
        if (*arg == '\0' || *end != '\0' || n < 1 || n > 256) {
            lk_errorf(_("--concurrency must be a number from 1 to 256, not \"%s\""), arg);
            return -1;
        }
        o->ov.concurrency = (int)n;
        return 1;
    default:
        return 0;
    }
}

void lk_common_usage(FILE *out)
{
    fputs(_("Options of every command that talks to Loket:\n"
          "      --config FILE     configuration file (default\n"
          "                        $XDG_CONFIG_HOME/loket-import/config.json, or\n"
          "                        $CONFIGURATION_DIRECTORY/config.json under systemd; see\n"
          "                        docs/configuration.md)\n"
          "      --api-url URL     API base URL, e.g. a loket-sim's http://127.0.0.1:PORT/v2\n"
          "      --token-url URL   OAuth token URL, e.g. http://127.0.0.1:PORT/token\n"
          "      --employer X      employer id, employer number or company name\n"
          "      --trace FILE      log every request and response (secrets redacted; - = stderr)\n"
          "      --concurrency N   requests in flight (default 8)\n"
          "      --cacert FILE     trust this CA bundle too (TLS verification stays on)\n"
          "      --stats           print request statistics on stderr at the end\n"
          "The client secret is never an option: clientSecretFile in the configuration,\n"
          "LOKET_CLIENT_SECRET_FILE, LOKET_CLIENT_SECRET, or the systemd credential\n"
          "loket-client-secret ($CREDENTIALS_DIRECTORY).\n"),
          out);
}

static int month_of_name(const char *word)
{
    static const char *const names[][3] = {
        { "januari", "january", "jan" },   { "februari", "february", "feb" },
        { "maart", "march", "mrt" },       { "april", "april", "apr" },
        { "mei", "may", "mei" },           { "juni", "june", "jun" },
        { "juli", "july", "jul" },         { "augustus", "august", "aug" },
        { "september", "september", "sep" }, { "oktober", "october", "okt" },
        { "november", "november", "nov" }, { "december", "december", "dec" },
    };
    for (int m = 0; m < 12; m++) {
        for (int k = 0; k < 3; k++)
            if (!strcasecmp(word, names[m][k]))
                return m + 1;
        if (strlen(word) == 3 && !strncasecmp(word, names[m][1], 3)) /* mar, may, oct */
            return m + 1;
    }
    return 0;
}

const char *lk_period_guess(const char *text, int this_year, char *buf)
{
    char word[32] = "";
    int a = 0, b = 0, n = 0;
    char sep = 0;
    if (!text || strlen(text) > 30)
        return NULL;
    /* "november", "nov 2026", "november-2026" */
    if (sscanf(text, "%31[A-Za-z]%n", word, &n) == 1 && month_of_name(word)) {
        int year = this_year;
        const char *rest = text + n;
        while (*rest == ' ' || *rest == '-' || *rest == '/')
            rest++;
        if (*rest && (sscanf(rest, "%4d%n", &year, &n) != 1 || rest[n] || year < 1900))
            return NULL;
        snprintf(buf, 16, "%04d-%02d", year % 10000, month_of_name(word));
        return buf;
    }
    /* "P11", "periode 11", "period 11", "week 47", "W47" */
    if (sscanf(text, "%31[A-Za-z] %d%n", word, &a, &n) == 2 && !text[n] && a > 0) {
        if ((!strcasecmp(word, "p") || !strcasecmp(word, "periode") ||
             !strcasecmp(word, "period")) && a <= 53) {
            snprintf(buf, 16, "%04d-P%02d", this_year % 10000, a);
            return buf;
        }
        if ((!strcasecmp(word, "w") || !strcasecmp(word, "week")) && a <= 53) {
            snprintf(buf, 16, "%04d-W%02d", this_year % 10000, a);
            return buf;
        }
        return NULL;
    }
    /* "11-2026", "11/2026", "2026/11", "2026.11" */
    if (sscanf(text, "%d%c%d%n", &a, &sep, &b, &n) == 3 && !text[n] &&
        (sep == '-' || sep == '/' || sep == '.' || sep == ' ')) {
        if (a >= 1 && a <= 12 && b >= 1900 && b <= 9999)
            snprintf(buf, 16, "%04d-%02d", b, a);
        else if (b >= 1 && b <= 12 && a >= 1900 && a <= 9999)
            snprintf(buf, 16, "%04d-%02d", a, b);
        else
            return NULL;
        return buf;
    }
    /* "202611" */
    if (strlen(text) == 6 && strspn(text, "0123456789") == 6) {
        a = atoi(text);
        if (a % 100 >= 1 && a % 100 <= 12 && a / 100 >= 1900) {
            snprintf(buf, 16, "%04d-%02d", a / 100, a % 100);
            return buf;
        }
    }
    return NULL;
}

void lk_period_usage_error(const char *text)
{
    char buf[16];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    const char *guess = lk_period_guess(text, tm.tm_year + 1900, buf);
    if (guess)
        lk_errorf(_("--period %s: expected 2026-11 (month), 2026-P11 (period number) or 2026-W47 "
                    "(week); did you mean %s?"), text, guess);
    else
        lk_errorf(_("--period %s: expected 2026-11 (month), 2026-P11 (period number) or 2026-W47 "
                    "(week)"), text);
}

void lk_usage_exit_codes(FILE *out, const int *codes, size_t n)
{
    fputs(_("\nExit codes:\n"), out);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "  %-2d %s\n", codes[i], lk_exit_code_meaning(codes[i]));
}

int lk_report_error(const lk_error *err)
{
    char buf[LK_ERROR_MSG_MAX + 400];
    lk_errorf("%s", lk_error_format(err, buf, sizeof buf));
    return lk_exit_code(err->code);
}

lk_code lk_session_open(const lk_common_opts *o, bool want_client, lk_session *s)
{
    lk_error err;
    lk_error_clear(&err);
    memset(s, 0, sizeof *s);
    if (lk_config_load(&o->ov, &s->cfg, &err) != LK_OK)
        goto fail;
    if (o->trace_path && lk_trace_open(o->trace_path, &s->trace, &err) != LK_OK)
        goto fail;
    if (want_client && lk_client_new(s->cfg, s->trace, &s->client, &err) != LK_OK)
        goto fail;
    return LK_OK;
fail:
    lk_report_error(&err);
    lk_session_close(s, o);
    return err.code;
}

void lk_session_close(lk_session *s, const lk_common_opts *o)
{
    if (s->client && o && o->stats) {
        fflush(stdout);
        lk_http_stats_print(lk_http_get_stats(lk_client_http(s->client)), stderr);
    }
    lk_client_free(s->client);
    lk_trace_close(s->trace);
    lk_config_free(s->cfg);
    memset(s, 0, sizeof *s);
}

/* ---------------------------------------------------------------- resolving */

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return false;
    return true;
}

/* The employer one of whose administrations has client number `what` (as plan --employer
 * takes it); NULL when none, or when `what` is not a number. */
static const lk_employer *employer_by_client_number(lk_session *s, const lk_employer_list *list,
                                                    const char *what)
{
    if (!all_digits(what) || strlen(what) > 18)
        return NULL;
    long number = strtol(what, NULL, 10);
    for (size_t i = 0; i < list->n; i++) {
        lk_admin_list *admins = NULL;
        lk_error e;
        lk_error_clear(&e);
        if (lk_api_admins(s->client, list->items[i].id, &admins, &e) != LK_OK)
            continue;
        bool hit = false;
        for (size_t k = 0; k < admins->n && !hit; k++)
            hit = admins->items[k].client_number == number;
        lk_admin_list_free(admins);
        if (hit) {
            s->named_client_number = number;
            return &list->items[i];
        }
    }
    return NULL;
}

lk_code lk_resolve_employer(lk_session *s, const char *what, char **id, char **name,
                            lk_error *err)
{
    lk_employer_list *list = NULL;
    const lk_employer *e = NULL;
    if (!what)
        what = s->cfg->employer;
    *id = NULL;
    if (name)
        *name = NULL;
    if (lk_api_employers(s->client, &list, err) != LK_OK)
        return err->code;
    if (what) {
        e = lk_employer_find(list, what);
        if (!e)
            e = employer_by_client_number(s, list, what);
        if (!e) {
            lk_error_set(err, LK_ERR_NOT_FOUND,
                         _("employer \"%s\" is neither one of the %zu employers this user may "
                         "see nor the client number of one of their payroll administrations "
                         "(see 'loket-import employers')"),
                         what, list->n);
            lk_employer_list_free(list);
            return LK_ERR_NOT_FOUND;
        }
    } else if (list->n == 1) {
        e = &list->items[0];
    } else {
        lk_error_set(err, LK_ERR_CONFIG,
                     _("this user sees %zu employers: name one with --employer (id, number or "
                     "name) or \"employer\" in the configuration"),
                     list->n);
        lk_employer_list_free(list);
        return LK_ERR_CONFIG;
    }
    *id = xstrdup(e->id);
    if (name)
        *name = xstrdup(e->company_name);
    lk_employer_list_free(list);
    return LK_OK;
}

static bool looks_like_uuid(const char *s)
{
    size_t n = strlen(s);
    if (n != 36)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return false;
        } else if (!isxdigit((unsigned char)s[i])) {
            return false;
        }
    }
    return true;
}

/* The payroll administration `what` (client number, name) among every employer's. */
static lk_code admin_anywhere(lk_session *s, const char *what, lk_admin_list **out,
                              lk_error *err)
{
    lk_employer_list *list = NULL;
    lk_error_clear(err);
    if (lk_api_employers(s->client, &list, err) != LK_OK)
        return err->code;
    size_t hits = 0;
    for (size_t i = 0; i < list->n; i++) {
        lk_admin_list *one = NULL;
        lk_error e;
        lk_error_clear(&e);
        if (lk_resolve_admin(s, list->items[i].id, what, &one, &e) != LK_OK)
            continue;
        if (hits++ == 0)
            *out = one;
        else
            lk_admin_list_free(one);
    }
    lk_employer_list_free(list);
    if (hits == 1)
        return LK_OK;
    if (hits > 1) {
        lk_admin_list_free(*out);
        *out = NULL;
        return lk_error_set(err, LK_ERR_CONFIG,
                            _("payroll administration \"%s\" is found at %zu employers: choose "
                            "one with --employer"), what, hits);
    }
    return lk_error_set(err, LK_ERR_NOT_FOUND,
                        _("payroll administration \"%s\" not found at any employer this user may "
                        "see (give its id, client number or name; see 'loket-import employers')"),
                        what);
}

lk_code lk_resolve_admin(lk_session *s, const char *employer_id, const char *what,
                         lk_admin_list **out, lk_error *err)
{
    lk_admin_list *list = NULL;
    size_t found = (size_t)-1;
    *out = NULL;
    if (what && looks_like_uuid(what) && !employer_id) {
        /* an id needs no look-up; the calls that use it will say if it is unknown */
        list = xcalloc(1, sizeof *list);
        list->items = xcalloc(1, sizeof *list->items);
        list->n = 1;
        list->items[0].id = xstrdup(what);
        list->items[0].name = xstrdup("");
        *out = list;
        return LK_OK;
    }
    if (!employer_id) {
        /* anything but an id is looked up in the default (or only) employer */
        char *default_id = NULL;
        lk_code rc = lk_resolve_employer(s, NULL, &default_id, NULL, err);
        if (rc == LK_OK)
            rc = lk_resolve_admin(s, default_id, what, out, err);
        else if (rc == LK_ERR_CONFIG && what && !s->cfg->employer)
            rc = admin_anywhere(s, what, out, err); /* several employers, none chosen */
        free(default_id);
        return rc;
    }
    if (lk_api_admins(s->client, employer_id, &list, err) != LK_OK)
        return err->code;
    if (!what) {
        if (list->n == 1)
            found = 0;
        for (size_t i = 0; i < list->n && s->named_client_number; i++)
            if (list->items[i].client_number == s->named_client_number)
                found = i;
    } else {
        char *end;
        long number = strtol(what, &end, 10);
        for (size_t i = 0; i < list->n && found == (size_t)-1; i++) {
            const lk_admin *a = &list->items[i];
            if (!strcasecmp(a->id, what) || !strcasecmp(a->name, what) ||
                (*what && *end == '\0' && a->client_number == number))
                found = i;
        }
    }
    if (found == (size_t)-1) {
        if (what)
            lk_error_set(err, LK_ERR_NOT_FOUND,
                         _("payroll administration \"%s\" not found among the employer's %zu "
                         "(give its id, client number or name; see 'loket-import employers')"),
                         what, list->n);
        else
            lk_error_set(err, LK_ERR_CONFIG,
                         _("the employer has %zu payroll administrations: choose one with --admin "
                         "(id, client number or name)"),
                         list->n);
        lk_admin_list_free(list);
        return err->code;
    }
    if (found != 0) {
        lk_admin tmp = list->items[0];
        list->items[0] = list->items[found];
        list->items[found] = tmp;
    }
    /* keep only the one found */
    if (list->n > 1) {
        lk_admin_list *rest = xcalloc(1, sizeof *rest);
        rest->n = list->n - 1;
        rest->items = xmalloc(rest->n * sizeof *rest->items);
        memcpy(rest->items, list->items + 1, rest->n * sizeof *rest->items);
        lk_admin_list_free(rest);
    }
    list->n = 1;
    *out = list;
    return LK_OK;
}

/* ---------------------------------------------------------------- tables */

struct lk_table {
    size_t ncols;
    char **cells;     /* rows * ncols, row 0 = headers */
    size_t nrows, alloc;
};

static char *clean_cell(const char *s)
{
    char *c = xstrdup(s ? s : "");
    for (char *p = c; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f)
            *p = ' ';
    return c;
}

lk_table *lk_table_new(size_t ncols, const char *const *headers)
{
    lk_table *t = xcalloc(1, sizeof *t);
    t->ncols = ncols;
    /* the headers are N_() texts, translated here */
    const char **translated = xcalloc(ncols, sizeof *translated);
    for (size_t i = 0; i < ncols; i++)
        translated[i] = _(headers[i]);
    lk_table_add(t, translated);
    free(translated);
    return t;
}

void lk_table_add(lk_table *t, const char *const *cells)
{
    lk_grow(&t->cells, sizeof(char *), (t->nrows + 1) * t->ncols, &t->alloc);
    for (size_t i = 0; i < t->ncols; i++)
        t->cells[t->nrows * t->ncols + i] = clean_cell(cells[i]);
    t->nrows++;
}

/* Display width in characters, counting UTF-8 sequences once. */
static size_t width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            w++;
    return w;
}

void lk_table_print(const lk_table *t, FILE *out)
{
    size_t *w = xcalloc(t->ncols, sizeof *w);
    for (size_t r = 0; r < t->nrows; r++)
        for (size_t c = 0; c < t->ncols; c++) {
            size_t cw = width(t->cells[r * t->ncols + c]);
            if (cw > w[c])
                w[c] = cw;
        }
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            const char *cell = t->cells[r * t->ncols + c];
            fputs(cell, out);
            if (c + 1 < t->ncols)
                for (size_t k = width(cell); k < w[c] + 2; k++)
                    fputc(' ', out);
        }
        fputc('\n', out);
    }
    free(w);
}

void lk_table_free(lk_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    free(t);
}

int lk_parse_year(const char *arg, int *year)
{
    char *end;
    long y = strtol(arg, &end, 10);
    if (!*arg || *end || y < 1900 || y > 9999) {
        lk_errorf(_("--year takes a year like 2026, not \"%s\""), arg);
        return -1;
    }
    *year = (int)y;
    return 0;
}
