/*
 * util.h: allocation that never returns NULL, files read whole, durable writes, SHA-256.
 */
#ifndef LK_UTIL_H
#define LK_UTIL_H

#include "common/error.h"

#include <stddef.h>
#include <stdlib.h>

#define LK_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Grows *arr (element size elem) so that it holds at least need elements; *alloc tracks capacity. */
void lk_grow(void *arr, size_t elem, size_t need, size_t *alloc);

/* Opens path for reading when it is a regular file (a device, FIFO, socket or folder is
 * refused by name, LK_ERR_INPUT; /dev/zero would never end); -1 with err set otherwise. */
int lk_open_regular(const char *path, lk_error *err);
/* "a character device", "a FIFO (named pipe)", ... for a st_mode that is not a regular file. */
const char *lk_file_kind(unsigned mode);
/* Reads a whole regular file (at most max bytes) into a NUL-terminated buffer. */
lk_code lk_read_file(const char *path, size_t max, char **out, size_t *len, lk_error *err);
/* Writes data to path durably and safely (common/safefile.h): a temporary with an unpredictable
 * name in the same folder with mode, fsync, rename, fsync of the folder. */
lk_code lk_write_file_atomic(const char *path, const void *data, size_t len, int mode,
                             lk_error *err);

/* SHA-256 of a regular file as 64 lowercase hex characters (out >= 65 bytes). */
lk_code lk_sha256_file(const char *path, char *out, lk_error *err);
/* SHA-256 of a buffer as hex. */
void lk_sha256_hex(const void *data, size_t len, char *out);

/* Wall clock in seconds (double) and monotonic milliseconds. */
double lk_now(void);
double lk_monotonic_ms(void);
/* "2026-11-28T12:00:00Z" for a time_t (out >= 21 bytes). */
char *lk_iso8601(long long t, char *out);

#endif
