/*
 * retry.c: when a file whose import failed transiently (no connection, Loket answering 5xx or
 * 429 to every retry, maintenance) is tried again, and when the watcher stops trying.
 *
 * The schedule is the folder config's "retry_seconds": the wait after the first, second, ...
 * such failure, the last one repeating; "retry_max_age_seconds" bounds the time since the
 * first failure, after which the file goes to failed/ for a person.
 */
#include "watch/watch.h"

double lk_watch_retry_delay(const lk_watch_config *cfg, int n)
{
    size_t i;
    if (!cfg->n_retry)
        return 60;
    i = n < 1 ? 0 : (size_t)(n - 1);
    if (i >= cfg->n_retry)
        i = cfg->n_retry - 1;
    return cfg->retry_seconds[i];
}

int lk_watch_retry_allowed(const lk_watch_config *cfg, long long first_failure, long long now)
{
    if (first_failure <= 0 || now < first_failure)
        return cfg->retry_max_age_seconds > 0; /* a clock set back: count from now */
    return (double)(now - first_failure) < cfg->retry_max_age_seconds;
}
