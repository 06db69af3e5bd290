/*
 * error.c: lk_error, the result codes, the exit-code table and the one message style.
 */
#include "common/error.h"
#include "common/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *progname = "loket-import";

const char *lk_strerror(lk_code code)
{
    switch (code) {
    case LK_OK: return "ok";
    case LK_ERR_NOMEM: return _("out of memory");
    case LK_ERR_IO: return _("input/output error");
    case LK_ERR_INPUT: return _("invalid input");
    case LK_ERR_LIMIT: return _("input exceeds a safety limit");
    case LK_ERR_MAPPING: return _("invalid mapping");
    case LK_ERR_CONFIG: return _("invalid configuration");
    case LK_ERR_AUTH: return _("authentication failed");
    case LK_ERR_NETWORK: return _("network error");
    case LK_ERR_HTTP: return _("unexpected HTTP status");
    case LK_ERR_PROTOCOL: return _("unexpected answer from the server");
    case LK_ERR_REJECTED: return _("rejected by Loket");
    case LK_ERR_NOT_FOUND: return _("not found");
    case LK_ERR_CONFLICT: return _("conflict");
    case LK_ERR_INTERRUPTED: return _("interrupted");
    case LK_ERR_INTERNAL: return _("internal error");
    case LK_ERR_ENV: return "environment error";
    case LK_ERR_UNAVAILABLE: return "Loket temporarily unavailable";
    }
    return _("unknown error");
}

int lk_exit_code(lk_code code)
{
    switch (code) {
    case LK_OK:
        return LK_EXIT_OK;
    case LK_ERR_REJECTED:
    case LK_ERR_CONFLICT:
        return LK_EXIT_REJECTED;
    case LK_ERR_IO:
    case LK_ERR_INPUT:
    case LK_ERR_LIMIT:
    case LK_ERR_MAPPING:
    case LK_ERR_NOT_FOUND:
        return LK_EXIT_INPUT;
    case LK_ERR_CONFIG:
    case LK_ERR_AUTH:
    case LK_ERR_NETWORK:
    case LK_ERR_HTTP:
    case LK_ERR_PROTOCOL:
    case LK_ERR_ENV:
    case LK_ERR_UNAVAILABLE:
        return LK_EXIT_CONFIG;
    case LK_ERR_INTERRUPTED:
        return LK_EXIT_INTERRUPTED;
    case LK_ERR_NOMEM:
    case LK_ERR_INTERNAL:
        return LK_EXIT_INTERNAL;
    }
    return LK_EXIT_INTERNAL;
}

int lk_code_transient(lk_code code)
{
    return code == LK_ERR_NETWORK || code == LK_ERR_UNAVAILABLE;
}

void lk_error_clear(lk_error *err)
{
    if (err)
        memset(err, 0, sizeof(*err));
}

void lk_text_make_printable(char *s)
{
    unsigned char *p = (unsigned char *)s;
    for (; *p; p++) {
        if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
            *p = ' ';
        else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) /* C1 controls (CSI) */
            p[0] = p[1] = ' ';
    }
}

void lk_text_make_one_line(char *s)
{
    lk_text_make_printable(s);
    for (; *s; s++)
        if (*s == '\n' || *s == '\t')
            *s = ' ';
}

lk_code lk_error_setv(lk_error *err, lk_code code, const char *fmt, va_list ap)
{
    if (!err)
        return code;
    err->code = code;
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    /* messages quote cells and servers' texts: no escape sequence reaches the terminal, and
     * no line break either (a cell or a token service could print a line of its own) */
    lk_text_make_one_line(err->message);
    return code;
}

lk_code lk_error_set(lk_error *err, lk_code code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lk_error_setv(err, code, fmt, ap);
    va_end(ap);
    return code;
}

static void copy_field(char *dst, size_t size, const char *src)
{
    if (!src) {
        dst[0] = '\0';
        return;
    }
    snprintf(dst, size, "%s", src);
    lk_text_make_one_line(dst);
}

void lk_error_at(lk_error *err, const char *file, const char *sheet, unsigned long row,
                 size_t col, const char *header)
{
    if (!err)
        return;
    copy_field(err->file, sizeof(err->file), file);
    copy_field(err->sheet, sizeof(err->sheet), sheet);
    err->row = row;
    if (col == (size_t)-1)
        err->column[0] = '\0';
    else
        lk_column_letter(col, err->column);
    copy_field(err->header, sizeof(err->header), header);
}

char *lk_column_letter(size_t col, char *buf)
{
    char tmp[8];
    size_t n = 0;
    col++;
    while (col > 0 && n < sizeof(tmp) - 1) {
        col--;
        tmp[n++] = (char)('A' + col % 26);
        col /= 26;
    }
    for (size_t i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = '\0';
    return buf;
}

char *lk_error_format(const lk_error *err, char *buf, size_t size)
{
    size_t off = 0;
#define APPEND(...)                                                              \
    do {                                                                         \
        int n_ = snprintf(buf + off, off < size ? size - off : 0, __VA_ARGS__);  \
        if (n_ > 0)                                                              \
            off += (size_t)n_;                                                   \
    } while (0)
    if (size == 0)
        return buf;
    buf[0] = '\0';
    if (err->file[0]) {
        APPEND("%s", err->file);
        if (err->sheet[0])
            APPEND("[%s]", err->sheet);
        if (err->row)
            APPEND(":%lu", err->row);
        APPEND(": ");
    } else if (err->row) {
        APPEND(_("row %lu: "), err->row);
    }
    if (err->column[0]) {
        APPEND(_("column %s"), err->column);
        if (err->header[0])
            APPEND(" \"%s\"", err->header);
        APPEND(": ");
    }
    APPEND("%s", err->message[0] ? err->message : lk_strerror(err->code));
#undef APPEND
    return buf;
}

void lk_set_progname(const char *name)
{
    const char *slash = strrchr(name, '/');
    progname = slash ? slash + 1 : name;
}

__attribute__((format(printf, 2, 0)))
static void vreport(const char *prefix, const char *fmt, va_list ap)
{
    char msg[2048];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    lk_text_make_one_line(msg); /* one line each: outside text cannot start a line of its own */
    fprintf(stderr, "%s: %s%s\n", progname, prefix, msg);
}

void lk_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(_("warning: "), fmt, ap);
    va_end(ap);
}

void lk_errorf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(_("error: "), fmt, ap);
    va_end(ap);
}

void lk_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(_("fatal: "), fmt, ap);
    va_end(ap);
    exit(LK_EXIT_INTERNAL);
}
