/*
 * token_post.h: one POST to the OAuth token URL, as a non-blocking state machine.
 *
 * The call is driven on a curl multi handle that belongs to someone else: the HTTP engine's
 * (so a token refresh never stops the answers of other requests from being read, nor a
 * SIGTERM from being seen), or a small private one for the `auth` commands. It retries
 * connection failures, 429 and 5xx with exponential backoff, at most cfg->max_attempts. Unlike
 * the engine's requests, an attempt is never cut by the per-attempt or low-speed limits: it
 * has a deadline of its own (10 minutes, or timeouts.requestSeconds when longer), because a
 * refresh the server completes late answers with the only valid refresh token. The answer's body is for tokens.c to read; it is never traced here
 * (tokens.c first registers the tokens it holds for scrubbing).
 */
#ifndef LK_TOKEN_POST_H
#define LK_TOKEN_POST_H

#include "common/error.h"
#include "common/strbuf.h"
#include "loket/config.h"
#include "loket/trace.h"

#include <curl/curl.h>
#include <stdbool.h>

typedef struct lk_token_post lk_token_post;

/* A call that will send `form` (copied, wiped when freed) to cfg->token_url. */
lk_token_post *lk_token_post_new(const lk_config *cfg, lk_trace *trace, const char *form);
/*
 * Frees the call; an attempt still on `multi` is taken off it first (the answer, if any,
 * is lost: callers cut a call only when they must stop).
 */
void lk_token_post_free(lk_token_post *p, CURLM *multi);

/*
 * Advances the call: starts an attempt on `multi` when one is due. Returns true when the call
 * is over (see lk_token_post_result). Otherwise *wait_ms is how long the caller may wait
 * before calling again (-1: only the multi handle's own events and timeout matter).
 */
bool lk_token_post_step(lk_token_post *p, CURLM *multi, long *wait_ms);
/* If `easy` is this call's attempt, takes its result cc and returns true. */
bool lk_token_post_take(lk_token_post *p, CURLM *multi, CURL *easy, CURLcode cc);
/* True while an attempt is on the multi handle (its request may have reached the server). */
bool lk_token_post_flying(const lk_token_post *p);
/* Attempts started so far (each is one POST to the token URL). */
int lk_token_post_attempts(const lk_token_post *p);

/*
 * The outcome of a call that is over: LK_OK with the final HTTP status and body (any status
 * below 500 other than 429, and also a 429/5xx when it is not that), or an error: LK_ERR_NETWORK
 * (no answer), LK_ERR_UNAVAILABLE (429/5xx to every attempt), LK_ERR_CONFIG (bad token URL).
 */
lk_code lk_token_post_result(const lk_token_post *p, long *status, const strbuf **body,
                             lk_error *err);

#endif
