/*
 * faults.c: fault settings (defaults, JSON in and out, validation), the seeded random generator,
 * the rate limiter and the count of an outage that begins at the N-th request. Deciding which fault hits which request happens in routes.c, under the
 * simulator's lock, so the sequence of random draws is reproducible for one client.
 */
#include "sim/faults.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void sim_faults_defaults(sim_faults *f)
{
    memset(f, 0, sizeof *f);
    f->fail_status = 500;
    f->token_ttl = 3599;
}

bool sim_faults_valid(const sim_faults *f, char *err, size_t errlen)
{
    if (f->latency_ms < 0 || f->jitter_ms < 0 || f->latency_ms > 600000 || f->jitter_ms > 600000) {
        snprintf(err, errlen, "latency and jitter must be 0..600000 ms");
        return false;
    }
    if (!(f->fail_rate >= 0 && f->fail_rate <= 1) || !(f->drop_rate >= 0 && f->drop_rate <= 1) ||
        !(f->drop_after_rate >= 0 && f->drop_after_rate <= 1)) {
        snprintf(err, errlen, "rates must be between 0 and 1");
        return false;
    }
    if (f->fail_status < 500 || f->fail_status > 599) {
        snprintf(err, errlen, "fail status must be 500..599");
        return false;
    }
    if (f->fail_after < 0) {
        snprintf(err, errlen, "fail after must be >= 0");
        return false;
    }
    if (f->rate_limit < 0 || f->token_ttl < 1 || f->token_max_requests < 0) {
        snprintf(err, errlen, "rate limit >= 0, token ttl >= 1, token max requests >= 0");
        return false;
    }
    return true;
}

static bool get_num(const cJSON *o, const char *name, double *out, bool *bad)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!v)
        return false;
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || fabs(v->valuedouble) > 1e12) {
        *bad = true;
        return false;
    }
    *out = v->valuedouble;
    return true;
}

bool sim_faults_from_json(sim_faults *f, const cJSON *o, char *err, size_t errlen)
{
    sim_faults n = *f;
    double d;
    bool bad = false;
    const cJSON *c;
    if (!cJSON_IsObject(o)) {
        snprintf(err, errlen, "a JSON object expected");
        return false;
    }
    cJSON_ArrayForEach(c, o) {
        static const char *const known[] = { "latencyMs", "jitterMs", "failRate", "failStatus", "dropRate",
                                             "dropAfterRate", "rateLimit", "tokenTtl", "tokenMaxRequests",
                                             "failAfter" };
        bool ok = false;
        for (size_t i = 0; i < sizeof known / sizeof *known; i++)
            ok |= c->string && !strcmp(c->string, known[i]);
        if (!ok) {
            snprintf(err, errlen, "unknown fault \"%s\"", c->string ? c->string : "");
            return false;
        }
    }
    if (get_num(o, "latencyMs", &d, &bad))
        n.latency_ms = (int)d;
    if (get_num(o, "jitterMs", &d, &bad))
        n.jitter_ms = (int)d;
    if (get_num(o, "failRate", &d, &bad))
        n.fail_rate = d;
    if (get_num(o, "failStatus", &d, &bad))
        n.fail_status = (int)d;
    if (get_num(o, "dropRate", &d, &bad))
        n.drop_rate = d;
    if (get_num(o, "dropAfterRate", &d, &bad))
        n.drop_after_rate = d;
    if (get_num(o, "rateLimit", &d, &bad))
        n.rate_limit = (int)d;
    if (get_num(o, "tokenTtl", &d, &bad))
        n.token_ttl = (int)d;
    if (get_num(o, "tokenMaxRequests", &d, &bad))
        n.token_max_requests = (long)d;
    if (get_num(o, "failAfter", &d, &bad)) {
        n.fail_after = (long)d;
        n.fail_after_seen = 0;
    }
    if (bad) {
        snprintf(err, errlen, "fault values must be numbers");
        return false;
    }
    if (!sim_faults_valid(&n, err, errlen))
        return false;
    *f = n;
    return true;
}

cJSON *sim_faults_to_json(const sim_faults *f)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "latencyMs", f->latency_ms);
    cJSON_AddNumberToObject(o, "jitterMs", f->jitter_ms);
    cJSON_AddNumberToObject(o, "failRate", f->fail_rate);
    cJSON_AddNumberToObject(o, "failStatus", f->fail_status);
    cJSON_AddNumberToObject(o, "dropRate", f->drop_rate);
    cJSON_AddNumberToObject(o, "dropAfterRate", f->drop_after_rate);
    cJSON_AddNumberToObject(o, "rateLimit", f->rate_limit);
    cJSON_AddNumberToObject(o, "tokenTtl", f->token_ttl);
    cJSON_AddNumberToObject(o, "tokenMaxRequests", (double)f->token_max_requests);
    cJSON_AddNumberToObject(o, "failAfter", (double)f->fail_after);
    cJSON_AddNumberToObject(o, "failAfterSeen", (double)f->fail_after_seen);
    return o;
}

bool sim_faults_fail_after_hit(sim_faults *f)
{
    if (f->fail_after <= 0)
        return false;
    if (f->fail_after_seen < f->fail_after)
        f->fail_after_seen++;
    return f->fail_after_seen >= f->fail_after;
}

void sim_rng_seed(sim_rng *r, uint64_t seed)
{
    r->s = seed ? seed : 0x9E3779B97F4A7C15ULL;
}

uint64_t sim_rng_next(sim_rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 0x2545F4914F6CDD1DULL;
}

double sim_rng_unit(sim_rng *r)
{
    return (double)(sim_rng_next(r) >> 11) / 9007199254740992.0;
}

bool sim_ratelimit_take(sim_ratelimit *rl, int limit, long long now_ms, int *retry_after_s)
{
    if (limit <= 0)
        return true;
    if (now_ms - rl->window_ms >= 1000) {
        rl->window_ms = now_ms;
        rl->count = 0;
    }
    if (rl->count < limit) {
        rl->count++;
        return true;
    }
    *retry_after_s = 1;
    return false;
}
