/*
 * pacer.c: learns a server's rate limit from 429 answers and spaces request starts under it
 * (see pacer.h for the rule; docs/client.md for the reasoning behind the numbers).
 */
#include "loket/pacer.h"

#include <string.h>

void lk_pacer_init(lk_pacer *p)
{
    memset(p, 0, sizeof *p);
}

void lk_pacer_resume(lk_pacer *p, double rate, double now_ms)
{
    if (!(rate >= LK_PACER_RATE_MIN))
        return;
    p->rate = p->safe_rate = rate;
    p->cut_ms = p->grown_ms = p->next_ms = now_ms;
    p->resumed = true;
}

bool lk_pacer_may_start(const lk_pacer *p, double now_ms, double *wait_ms)
{
    if (p->rate <= 0 || now_ms >= p->next_ms)
        return true;
    if (wait_ms)
        *wait_ms = p->next_ms - now_ms;
    return false;
}

/* Additive increase: one step per whole second since the last cut or growth. */
static void grow(lk_pacer *p, double now_ms)
{
    double step;
    if (p->rate <= 0)
        return;
    while (now_ms - p->grown_ms >= 1000.0) {
        step = p->rate * LK_PACER_GROWTH;
        p->rate += step < LK_PACER_STEP_MIN ? LK_PACER_STEP_MIN : step;
        p->grown_ms += 1000.0;
    }
}

void lk_pacer_started(lk_pacer *p, double now_ms)
{
    double gap;
    if (p->rate <= 0)
        return;
    grow(p, now_ms);
    gap = 1000.0 / p->rate;
    /* evenly spaced, no burst after an idle spell: a quiet moment does not earn extra starts
     * (a server counting per fixed second would see them all in one window) */
    p->next_ms = (p->next_ms > now_ms ? p->next_ms : now_ms) + gap;
}

/* Accepted requests that started from from_ms to until_ms (of the last LK_PACER_RING). */
static size_t accepted_between(const lk_pacer *p, double from_ms, double until_ms)
{
    size_t i, count = 0;
    for (i = 0; i < p->n; i++) {
        double t = p->accepted_ms[i];
        if (t >= from_ms && t <= until_ms)
            count++; /* answers come back out of order: look at every one kept */
    }
    return count;
}

/* The first estimate: what the server accepted from a second before the first refused request
 * started until its 429 arrived. The order in which requests reach the server is not quite the
 * order in which they started (a new connection's handshake delays its request), so requests
 * that started a little after the refused one may have been accepted in the same second; and
 * many are still in flight when the 429 arrives. As their answers come in, the estimate is
 * raised to count them too. */
static void estimate(lk_pacer *p)
{
    double rate = (double)accepted_between(p, p->first_limited_ms - 1000.0, p->cut_ms) *
                  LK_PACER_MARGIN;
    if (rate > 0 && rate < LK_PACER_RATE_MIN)
        rate = LK_PACER_RATE_MIN;
    if (rate > p->rate)
        p->rate = p->safe_rate = rate;
}

void lk_pacer_answered(lk_pacer *p, double started_ms, double now_ms, long status)
{
    double rate;
    if (status != 429) {
        if (status <= 0)
            return; /* no answer: says nothing of the server's allowance */
        p->accepted_ms[p->head] = started_ms;
        p->head = (p->head + 1) % LK_PACER_RING;
        if (p->n < LK_PACER_RING)
            p->n++;
        if (p->measuring && started_ms <= p->cut_ms)
            estimate(p);
        return;
    }
    p->limited++;
    /* a request already in flight when the allowance was cut: its 429 is the same news */
    if (p->rate > 0 && started_ms < p->cut_ms)
        return;
    if (p->rate <= 0) {
        p->first_limited_ms = started_ms;
        p->cut_ms = now_ms;
        estimate(p);
        /* nothing accepted before it: the allowance was spent elsewhere (another process) or
         * the server refuses all for a while; that measures nothing, Retry-After alone rules */
        if (p->rate <= 0)
            return;
        p->measuring = true;
    } else {
        p->measuring = false;
        grow(p, now_ms);
        rate = p->rate * LK_PACER_DECREASE;
        p->rate = p->safe_rate = rate < LK_PACER_RATE_MIN ? LK_PACER_RATE_MIN : rate;
    }
    p->cut_ms = now_ms;
    p->grown_ms = now_ms;
    p->cuts++;
    if (p->next_ms < now_ms)
        p->next_ms = now_ms;
}
