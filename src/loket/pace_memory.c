/*
 * pace_memory.c: the learned pace of a server, remembered between runs (see pace_memory.h).
 * The file is JSON: {"apiUrl": "...", "requestsPerSecond": 48.3, "learnedAt": 1796650000}.
 */
#include "loket/pace_memory.h"
#include "loket/pacer.h"

#include "common/error.h"
#include "common/safefile.h"
#include "common/util.h"

#include <cJSON.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PACE_FILE_MAX 4096
#define PACE_RATE_MAX 100000.0

char *lk_pace_memory_path(const char *token_store)
{
    size_t n;
    char *p;
    if (!token_store || !*token_store)
        return NULL;
    n = strlen(token_store) + sizeof ".pace";
    p = xmalloc(n);
    snprintf(p, n, "%s.pace", token_store);
    return p;
}

double lk_pace_recall(const char *path, const char *api_url, time_t now, long max_age_s)
{
    struct stat st;
    lk_error err;
    char *text = NULL;
    size_t len = 0;
    cJSON *o, *url, *rate, *at;
    double r = 0;
    if (!path || !api_url || lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    lk_error_clear(&err);
    if (lk_read_trusted_file(path, PACE_FILE_MAX, "the remembered rate limit", &text, &len, &err) !=
        LK_OK)
        return 0;
    o = cJSON_ParseWithLength(text, len);
    free(text);
    url = cJSON_GetObjectItemCaseSensitive(o, "apiUrl");
    rate = cJSON_GetObjectItemCaseSensitive(o, "requestsPerSecond");
    at = cJSON_GetObjectItemCaseSensitive(o, "learnedAt");
    if (cJSON_IsString(url) && !strcmp(url->valuestring, api_url) && cJSON_IsNumber(rate) &&
        cJSON_IsNumber(at) && isfinite(rate->valuedouble) && rate->valuedouble >= LK_PACER_RATE_MIN &&
        rate->valuedouble <= PACE_RATE_MAX && at->valuedouble <= (double)now &&
        (double)now - at->valuedouble <= (double)max_age_s)
        r = rate->valuedouble;
    cJSON_Delete(o);
    return r;
}

void lk_pace_remember(const char *path, const char *api_url, double rate, time_t now)
{
    cJSON *o;
    char *text;
    lk_error err;
    if (!path || !api_url || !(rate >= LK_PACER_RATE_MIN) || rate > PACE_RATE_MAX)
        return;
    o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "apiUrl", api_url);
    cJSON_AddNumberToObject(o, "requestsPerSecond", round(rate * 100) / 100);
    cJSON_AddNumberToObject(o, "learnedAt", (double)now);
    text = cJSON_Print(o);
    cJSON_Delete(o);
    lk_error_clear(&err);
    (void)lk_write_file_atomic(path, text, strlen(text), 0600, &err);
    free(text);
}
