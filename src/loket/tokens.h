/*
 * tokens.h: OAuth tokens for Loket: the private token store, refresh and code exchange.
 *
 * The store (a small JSON file, mode 0600, refused when group or world may read it) keeps the
 * refresh token, the current access token and its expiry, and which token URL and client they
 * belong to. Loket rotates refresh tokens: every refresh answers with a new one and the old one
 * stops working. So the new pair is written durably (temp file, fsync, rename) before the new
 * access token is used; a crash between the two leaves the new refresh token on disk, never
 * a store holding only a dead token. A lock file serialises refreshes between processes that
 * share a store (a resident `watch` and a person running `plan`).
 *
 * Token requests are made synchronously with their own curl handle; the HTTP engine calls in
 * here between transfers (before expiry, and once after a 401).
 */
#ifndef LK_TOKENS_H
#define LK_TOKENS_H

#include "common/error.h"
#include "loket/config.h"
#include "loket/trace.h"

#include <signal.h>
#include <stdbool.h>

typedef struct lk_tokens lk_tokens;

typedef struct lk_token_status {
    bool has_refresh_token;
    bool has_access_token;
    long long access_expires_at;   /* unix time; 0 = unknown */
    long long updated_at;          /* when the store was last written */
    const char *store_path;
    const char *token_url;
    const char *client_id;
    unsigned refreshes;            /* refreshes done by this process */
    unsigned token_requests;       /* POSTs to the token URL, retries included */
} lk_token_status;

/*
 * Opens the store named by cfg (a missing store is fine: no tokens yet). Refuses a store that
 * group or world may read, and one written for another token URL or client id.
 * cfg and trace (may be NULL) must outlive the token object.
 */
lk_code lk_tokens_open(const lk_config *cfg, lk_trace *trace, lk_tokens **out, lk_error *err);
void lk_tokens_free(lk_tokens *t);
/* A flag a signal handler sets: a token request then gives up within a second
 * (LK_ERR_INTERRUPTED). NULL to stop watching. */
void lk_tokens_set_interrupt_flag(lk_tokens *t, volatile sig_atomic_t *flag);

/*
 * A usable access token: the stored one while it is valid for more than the refresh margin,
 * else a fresh one from the refresh_token grant. *generation changes with every new token;
 * the HTTP engine hands it back to lk_tokens_refresh_after_401().
 */
lk_code lk_tokens_access(lk_tokens *t, const char **token, unsigned *generation, lk_error *err);
/* A request made with token `generation` got 401: refresh unless that already happened. */
lk_code lk_tokens_refresh_after_401(lk_tokens *t, unsigned generation, lk_error *err);
/* Refreshes now, whatever the expiry says ('auth refresh'). */
lk_code lk_tokens_refresh(lk_tokens *t, lk_error *err);
/* Exchanges an authorization code (authorization_code grant) and stores the tokens. */
lk_code lk_tokens_exchange_code(lk_tokens *t, const char *code, const char *redirect_uri,
                                lk_error *err);
/* Stores a refresh token obtained elsewhere; the access token is dropped. */
lk_code lk_tokens_set_refresh_token(lk_tokens *t, const char *refresh_token, lk_error *err);
/* Marks the access token expired (tests, and a 401 seen by other code). */
void lk_tokens_invalidate_access(lk_tokens *t);

void lk_tokens_status(const lk_tokens *t, lk_token_status *out);

/* Checks the mode of an existing store file: error naming path and mode when not private. */
lk_code lk_tokens_check_mode(const char *path, lk_error *err);

#endif
