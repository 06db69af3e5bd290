/*
 * pace_memory.h: the rate limit one run learned (loket/pacer.h), kept for the next run against
 * the same API in a small file beside the token store, so that a run after another (the drop
 * folder's next file, the next client's upload) starts at the learned pace instead of finding
 * the limit again with a burst of 429s and a Retry-After. Kept for an hour after a 429 last
 * showed the limit (a run that only resumed the pace does not renew it): a server's limit may
 * change; within a run the pace still grows and is cut as always.
 */
#ifndef LK_PACE_MEMORY_H
#define LK_PACE_MEMORY_H

#include <time.h>

#define LK_PACE_MEMORY_MAX_AGE_S 3600

/* The file beside the token store (malloc'd), or NULL without a token store. */
char *lk_pace_memory_path(const char *token_store);
/* The pace remembered for api_url, or 0 when there is none, it is older than max_age_s, it is
 * for another API, or the file cannot be trusted (another user's, writable by others) or read. */
double lk_pace_recall(const char *path, const char *api_url, time_t now, long max_age_s);
/* Remembers rate for api_url (atomically, mode 0600). Best effort: a failure costs the next run
 * only a new discovery, so it is not an error. */
void lk_pace_remember(const char *path, const char *api_url, double rate, time_t now);

#endif
