/*
 * strbuf.h: a growable, always NUL-terminated byte buffer (in the spirit of git's strbuf).
 * Owner frees with strbuf_free(); strbuf_detach() hands the bytes to the caller.
 */
#ifndef LK_STRBUF_H
#define LK_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct strbuf {
    char *buf;   /* never NULL after strbuf_init */
    size_t len;
    size_t alloc;
} strbuf;

#define STRBUF_INIT { NULL, 0, 0 }

void strbuf_init(strbuf *sb, size_t hint);
void strbuf_free(strbuf *sb);
void strbuf_reset(strbuf *sb);
char *strbuf_detach(strbuf *sb, size_t *len);
void strbuf_grow(strbuf *sb, size_t extra);
void strbuf_add(strbuf *sb, const void *data, size_t len);
void strbuf_addstr(strbuf *sb, const char *s);
void strbuf_addch(strbuf *sb, char c);
void strbuf_addf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vaddf(strbuf *sb, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Appends s with every byte outside [A-Za-z0-9-._~] percent-encoded (URL query values). */
void strbuf_addurlenc(strbuf *sb, const char *s);

#endif
