/*
 * strbuf.c: growable byte buffers. Allocation failure is fatal (lk_die): every caller would
 * otherwise have to carry a path that cannot be tested honestly.
 */
#include "common/i18n.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <stdio.h>
#include <string.h>

static char empty_buf[1];

void strbuf_init(strbuf *sb, size_t hint)
{
    sb->buf = empty_buf;
    sb->len = 0;
    sb->alloc = 0;
    if (hint)
        strbuf_grow(sb, hint);
}

void strbuf_free(strbuf *sb)
{
    if (sb->alloc)
        free(sb->buf);
    strbuf_init(sb, 0);
}

void strbuf_reset(strbuf *sb)
{
    sb->len = 0;
    if (sb->alloc)
        sb->buf[0] = '\0';
}

char *strbuf_detach(strbuf *sb, size_t *len)
{
    char *out;
    if (len)
        *len = sb->len;
    out = sb->alloc ? sb->buf : xstrdup("");
    strbuf_init(sb, 0);
    return out;
}

void strbuf_grow(strbuf *sb, size_t extra)
{
    size_t need;
    if (!sb->buf)
        strbuf_init(sb, 0);
    need = sb->len + extra + 1;
    if (need < sb->len)
        lk_die(_("strbuf: size overflow"));
    if (need <= sb->alloc)
        return;
    size_t nalloc = sb->alloc ? sb->alloc : 64;
    while (nalloc < need)
        nalloc = nalloc * 3 / 2 + 16;
    if (sb->alloc) {
        sb->buf = xrealloc(sb->buf, nalloc);
    } else {
        sb->buf = xmalloc(nalloc);
        sb->buf[0] = '\0';
    }
    sb->alloc = nalloc;
}

void strbuf_add(strbuf *sb, const void *data, size_t len)
{
    strbuf_grow(sb, len);
    if (len)
        memcpy(sb->buf + sb->len, data, len);
    sb->len += len;
    sb->buf[sb->len] = '\0';
}

void strbuf_addstr(strbuf *sb, const char *s)
{
    strbuf_add(sb, s, strlen(s));
}

void strbuf_addch(strbuf *sb, char c)
{
    strbuf_add(sb, &c, 1);
}

void strbuf_vaddf(strbuf *sb, const char *fmt, va_list ap)
{
    va_list cp;
    int n;
    strbuf_grow(sb, 64);
    va_copy(cp, ap);
    n = vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, cp);
    va_end(cp);
    if (n < 0)
        lk_die(_("strbuf: bad format"));
    if ((size_t)n >= sb->alloc - sb->len) {
        strbuf_grow(sb, (size_t)n);
        n = vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, ap);
    }
    sb->len += (size_t)n;
}

void strbuf_addf(strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(sb, fmt, ap);
    va_end(ap);
}

void strbuf_addurlenc(strbuf *sb, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            strbuf_addch(sb, (char)c);
        } else {
            strbuf_addch(sb, '%');
            strbuf_addch(sb, hex[c >> 4]);
            strbuf_addch(sb, hex[c & 15]);
        }
    }
}
