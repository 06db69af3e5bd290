/*
 * trace.h: the --trace log of every request and response, with secrets removed.
 *
 * Two layers keep tokens and the client secret out of the file: bodies, URLs and headers are
 * redacted by key (form fields and JSON members named access_token, refresh_token,
 * client_secret, code (form only), password, ...), and every secret value the program knows
 * (registered with lk_trace_add_secret) is scrubbed wherever it still appears. The redaction
 * functions also serve error messages and tests.
 */
#ifndef LK_TRACE_H
#define LK_TRACE_H

#include "common/error.h"

#include <stddef.h>

typedef struct lk_trace lk_trace;

/* Opens (creates 0600, appends) the trace file; "-" is stderr. */
lk_code lk_trace_open(const char *path, lk_trace **out, lk_error *err);
void lk_trace_close(lk_trace *t);

/* Remembers a secret value to scrub from everything written. NULL-safe; ignores short values. */
void lk_trace_add_secret(lk_trace *t, const char *secret);

/* One redacted line with a timestamp prefix. NULL-safe (no trace: nothing happens). */
void lk_trace_line(lk_trace *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A body, redacted, indented, cut at a few hundred KB. */
void lk_trace_body(lk_trace *t, const char *prefix, const char *body, size_t len);

/*
 * Redacts text by key: form/query fields (key=value) and JSON string members whose name is
 * one of the secret keys get "[redacted]" as their value; then scrubs the registered secrets of
 * t (may be NULL). Returns a new string; caller frees.
 */
char *lk_redact(const lk_trace *t, const char *text, size_t len);

#endif
