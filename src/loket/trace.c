/*
 * trace.c: the redacting request/response log (see trace.h).
 */
#include "loket/trace.h"

#include "common/i18n.h"
#include "common/strbuf.h"
#include "common/safefile.h"
#include "common/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define TRACE_BODY_MAX (256 * 1024)
#define REDACTED "[redacted]"
/* Shorter values are not scrubbed: "1" or "ab" would shred the whole trace. */
#define SECRET_MIN_LEN 6

struct lk_trace {
    FILE *f;
    int own;
    char **secrets;
    size_t nsecrets, alloc;
};

/* Form fields and query parameters. "code" is an authorization code here. */
static const char *const form_keys[] = {
    "access_token", "refresh_token", "client_secret", "code", "password", "id_token",
    "client_assertion",
};
/* JSON members. Not "code": in Loket's JSON that is a message code or a cost-center code. */
static const char *const json_keys[] = {
    "access_token", "refresh_token", "client_secret", "password", "id_token",
    "accessToken", "refreshToken", "clientSecret", "authorization",
};

lk_code lk_trace_open(const char *path, lk_trace **out, lk_error *err)
{
    lk_trace *t = xcalloc(1, sizeof *t);
    *out = NULL;
    if (!strcmp(path, "-")) {
        t->f = stderr;
    } else {
        /* no symlink, ours, and 0600 even when an older run left it 0644: it holds bodies */
        lk_error oerr;
        lk_error_clear(&oerr);
        int fd = lk_safe_open(path, O_WRONLY | O_CREAT | O_APPEND, 0600, &oerr);
        if (fd < 0 || !(t->f = fdopen(fd, "a"))) {
            int e = errno;
            if (fd >= 0)
                close(fd);
            free(t);
            if (fd < 0)
                return lk_error_set(err, LK_ERR_ENV, _("trace file: %s"), oerr.message);
            return lk_error_set(err, LK_ERR_ENV, _("cannot open trace file %s: %s"), path,
                                strerror(e));
        }
        t->own = 1;
    }
    *out = t;
    return LK_OK;
}

void lk_trace_close(lk_trace *t)
{
    if (!t)
        return;
    if (t->own)
        fclose(t->f);
    else
        fflush(t->f);
    for (size_t i = 0; i < t->nsecrets; i++) {
        memset(t->secrets[i], 0, strlen(t->secrets[i]));
        free(t->secrets[i]);
    }
    free(t->secrets);
    free(t);
}

void lk_trace_add_secret(lk_trace *t, const char *secret)
{
    if (!t || !secret || strlen(secret) < SECRET_MIN_LEN)
        return;
    for (size_t i = 0; i < t->nsecrets; i++)
        if (!strcmp(t->secrets[i], secret))
            return;
    lk_grow(&t->secrets, sizeof(char *), t->nsecrets + 1, &t->alloc);
    t->secrets[t->nsecrets++] = xstrdup(secret);
}

/* ---------------------------------------------------------------- redaction */

static bool key_in(const char *key, size_t klen, const char *const *keys, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(keys[i]) == klen && !strncasecmp(key, keys[i], klen))
            return true;
    return false;
}

static bool form_key_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.';
}

/* key=value fields: the value runs to '&', whitespace, a quote or the end. */
static void redact_form(strbuf *out, const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        size_t k = i;
        while (k < len && form_key_char(s[k]))
            k++;
        if (k > i && k < len && s[k] == '=' && (i == 0 || !form_key_char(s[i - 1])) &&
            key_in(s + i, k - i, form_keys, LK_ARRAY_SIZE(form_keys))) {
            size_t v = k + 1;
            strbuf_add(out, s + i, v - i);
            while (v < len && s[v] != '&' && !isspace((unsigned char)s[v]) && s[v] != '"')
                v++;
            strbuf_addstr(out, REDACTED);
            i = v;
            continue;
        }
        if (k > i) {
            strbuf_add(out, s + i, k - i);
            i = k;
        } else {
            strbuf_addch(out, s[i++]);
        }
    }
}

/* "key" : "value" members; escapes inside the value are skipped correctly. */
static void redact_json(strbuf *out, const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        if (s[i] == '"') {
            size_t k = i + 1;
            while (k < len && s[k] != '"' && s[k] != '\\')
                k++;
            if (k < len && s[k] == '"' && key_in(s + i + 1, k - i - 1, json_keys,
                                                  LK_ARRAY_SIZE(json_keys))) {
                size_t c = k + 1;
                while (c < len && isspace((unsigned char)s[c]))
                    c++;
                if (c < len && s[c] == ':') {
                    size_t v = c + 1;
                    while (v < len && isspace((unsigned char)s[v]))
                        v++;
                    if (v < len && s[v] == '"') {
                        size_t e = v + 1;
                        while (e < len && s[e] != '"')
                            e += (s[e] == '\\' && e + 1 < len) ? 2 : 1;
                        strbuf_add(out, s + i, v + 1 - i);
                        strbuf_addstr(out, REDACTED);
                        strbuf_addch(out, '"');
                        i = e < len ? e + 1 : len;
                        continue;
                    }
                }
            }
            strbuf_add(out, s + i, (k < len ? k : len) - i);
            i = k < len ? k : len;
            if (i < len && s[i] == '"') {
                strbuf_addch(out, '"');
                i++;
            } else if (i < len && s[i] == '\\') {
                /* an escape inside an ordinary string: copy it and go on inside the string */
                strbuf_add(out, s + i, i + 1 < len ? 2 : 1);
                i += i + 1 < len ? 2 : 1;
                while (i < len && s[i] != '"') {
                    size_t step = (s[i] == '\\' && i + 1 < len) ? 2 : 1;
                    strbuf_add(out, s + i, step);
                    i += step;
                }
                if (i < len) {
                    strbuf_addch(out, '"');
                    i++;
                }
            }
            continue;
        }
        strbuf_addch(out, s[i++]);
    }
}

static void scrub(strbuf *sb, const lk_trace *t)
{
    for (size_t i = 0; t && i < t->nsecrets; i++) {
        const char *sec = t->secrets[i];
        size_t sl = strlen(sec);
        char *hit;
        size_t from = 0;
        while ((hit = memmem(sb->buf + from, sb->len - from, sec, sl)) != NULL) {
            size_t at = (size_t)(hit - sb->buf);
            strbuf tmp = STRBUF_INIT;
            strbuf_init(&tmp, sb->len);
            strbuf_add(&tmp, sb->buf, at);
            strbuf_addstr(&tmp, REDACTED);
            strbuf_add(&tmp, sb->buf + at + sl, sb->len - at - sl);
            strbuf_free(sb);
            *sb = tmp;
            from = at + strlen(REDACTED);
        }
    }
}

char *lk_redact(const lk_trace *t, const char *text, size_t len)
{
    strbuf a = STRBUF_INIT, b = STRBUF_INIT;
    strbuf_init(&a, len + 32);
    strbuf_init(&b, len + 32);
    if (text)
        redact_json(&a, text, len);
    redact_form(&b, a.buf, a.len);
    strbuf_free(&a);
    scrub(&b, t);
    return strbuf_detach(&b, NULL);
}

/* ---------------------------------------------------------------- writing */

static void stamp(lk_trace *t)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    fprintf(t->f, "%02d:%02d:%02d.%03ld ", tm.tm_hour, tm.tm_min, tm.tm_sec,
            ts.tv_nsec / 1000000);
}

void lk_trace_line(lk_trace *t, const char *fmt, ...)
{
    strbuf sb = STRBUF_INIT;
    va_list ap;
    char *clean;
    if (!t)
        return;
    strbuf_init(&sb, 128);
    va_start(ap, fmt);
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    clean = lk_redact(t, sb.buf, sb.len);
    stamp(t);
    fprintf(t->f, "%s\n", clean);
    fflush(t->f);
    free(clean);
    strbuf_free(&sb);
}

void lk_trace_body(lk_trace *t, const char *prefix, const char *body, size_t len)
{
    char *clean, *line, *save = NULL;
    if (!t || !body || !len)
        return;
    clean = lk_redact(t, body, len < TRACE_BODY_MAX ? len : TRACE_BODY_MAX);
    for (line = strtok_r(clean, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        fprintf(t->f, "%s %s\n", prefix, line);
    if (len > TRACE_BODY_MAX)
        fprintf(t->f, "%s ... (%zu bytes in all)\n" /* not translated: the trace */, prefix, len);
    fflush(t->f);
    free(clean);
}
