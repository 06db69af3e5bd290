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
 * A token request is a job (lk_token_job) that runs on a curl multi handle without blocking:
 * the HTTP engine runs it on its own, beside the transfers in flight, when the access token is
 * about to expire or was refused with 401; the `auth` commands run it on a private one. Waiting
 * for another process's lock is non-blocking too, so a stop is seen within a loop turn.
 */
#ifndef LK_TOKENS_H
#define LK_TOKENS_H

#include "common/error.h"
#include "loket/config.h"
#include "loket/trace.h"

#include <curl/curl.h>
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
/* A flag a signal handler sets: lk_tokens_refresh and lk_tokens_exchange_code then give up
 * (LK_ERR_INTERRUPTED), a request in flight after LK_STOP_GRACE_MS. NULL to stop watching. */
void lk_tokens_set_interrupt_flag(lk_tokens *t, volatile sig_atomic_t *flag);

/* True while the access token is valid for longer than the refresh margin. */
bool lk_tokens_fresh(const lk_tokens *t);
/* The access token (NULL when none) and its generation, which changes with every new token. */
const char *lk_tokens_current(const lk_tokens *t, unsigned *generation);
/* A request sent with token `generation` got 401: unless a newer token has come meanwhile, the
 * current one is no longer fresh, so the next request waits for a refresh. */
void lk_tokens_after_401(lk_tokens *t, unsigned generation);

/*
 * A token job: takes the store's lock (without blocking), re-reads the store (another process
 * may have refreshed: then its token is used and nothing is asked), sends the grant on the
 * caller's multi handle, stores the answer durably and adopts it.
 */
typedef struct lk_token_job lk_token_job;
/* A refresh with the refresh_token grant, skipped when another process refreshed already. */
lk_token_job *lk_tokens_job_refresh(lk_tokens *t);
/* Advances the job; true when it is over (then lk_tokens_job_free tells how). Otherwise
 * *wait_ms is the longest the caller may wait before the next step (-1: only the multi handle's
 * events matter). */
bool lk_tokens_job_step(lk_token_job *j, CURLM *multi, long *wait_ms);
/* If `easy` (reported done by the multi handle) is the job's, takes it and returns true. */
bool lk_tokens_job_take(lk_token_job *j, CURLM *multi, CURL *easy, CURLcode cc);
/* True while the job's request is on the multi handle: cutting it may lose a rotated token. */
bool lk_tokens_job_flying(const lk_token_job *j);
/* Frees the job and returns its outcome; a job not over yet is cut (LK_ERR_INTERRUPTED). */
lk_code lk_tokens_job_free(lk_token_job *j, CURLM *multi, lk_error *err);

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
