/*
 * test_pacer.c: the client's rate-limit pacer (loket/pacer.h), by counts, and the memory of the
 * learned pace between runs (loket/pace_memory.h). A small discrete-time
 * model of the engine (concurrency c, fixed latency, every 429 holding new starts for its
 * Retry-After, the refused request retried first) talks to a model of a server that counts
 * requests per fixed second, as loket-sim --rate-limit does. The same model without the pacer
 * shows what the counts would be without it, so the bounds below can fail.
 */
#include "support/cunit_main.h"
#include "loket/pace_memory.h"
#include "loket/pacer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---------------------------------------------------------------- the model */

typedef struct model {
    int limit;              /* per second; 0 = none */
    int concurrency;
    int requests;
    double latency_ms;
    bool use_pacer;
    double resume_rate;     /* a pace remembered from an earlier run; 0 = none */
    /* results */
    int answered_429;
    double wall_ms;
    lk_pacer pacer;
} model;

typedef struct flight {
    double start_ms, due_ms;
    long status;
} flight;

static void run_model(model *m)
{
    flight *fl = calloc((size_t)m->concurrency, sizeof *fl);
    int in_flight = 0, done = 0, queued = m->requests;
    double now = 0, hold_until = 0, window_start = -1e9;
    int window_count = 0;
    lk_pacer_init(&m->pacer);
    lk_pacer_resume(&m->pacer, m->resume_rate, 0);
    m->answered_429 = 0;
    while (done < m->requests && now < 600000) {
        /* answers due now, in the order they started */
        for (int i = 0; i < in_flight; i++) {
            if (fl[i].due_ms > now)
                continue;
            if (m->use_pacer)
                lk_pacer_answered(&m->pacer, fl[i].start_ms, now, fl[i].status);
            if (fl[i].status == 429) {
                m->answered_429++;
                queued++; /* retried */
                if (now + 1000 > hold_until)
                    hold_until = now + 1000;
            } else {
                done++;
            }
            fl[i] = fl[--in_flight];
            i--;
        }
        while (queued > 0 && in_flight < m->concurrency && now >= hold_until &&
               (!m->use_pacer || lk_pacer_may_start(&m->pacer, now, NULL))) {
            flight *f = &fl[in_flight++];
            queued--;
            if (m->use_pacer)
                lk_pacer_started(&m->pacer, now);
            f->start_ms = now;
            f->due_ms = now + m->latency_ms;
            /* the server decides on arrival, counting per fixed second */
            if (now - window_start >= 1000) {
                window_start = now;
                window_count = 0;
            }
            if (m->limit > 0 && window_count >= m->limit) {
                f->status = 429;
            } else {
                window_count++;
                f->status = 200;
            }
        }
        now += 0.25;
    }
    m->wall_ms = now;
    free(fl);
}

/* ---------------------------------------------------------------- tests */

static void test_no_limit_never_paces(void)
{
    model m = { .limit = 0, .concurrency = 32, .requests = 500, .latency_ms = 22, .use_pacer = true };
    run_model(&m);
    CU_ASSERT_EQUAL(m.answered_429, 0);
    CU_ASSERT_EQUAL(m.pacer.rate, 0);
    CU_ASSERT_EQUAL(m.pacer.cuts, 0);
    /* 16 rounds of 32 at 22 ms: as fast as without a pacer */
    CU_ASSERT_TRUE(m.wall_ms <= 16 * 22 + 1);
}

/* Under 50/s: a handful of 429s to find the limit, then none; close to the limit's pace. */
static void check_limit(int concurrency)
{
    model paced = { .limit = 50, .concurrency = concurrency, .requests = 500, .latency_ms = 22,
                    .use_pacer = true };
    model plain = paced;
    plain.use_pacer = false;
    run_model(&paced);
    run_model(&plain);
    if (getenv("LK_TEST_VERBOSE"))
        fprintf(stderr, "c=%d paced: %d x 429, %.0f ms, rate %.2f, cuts %u; plain: %d x 429, %.0f ms\n",
                concurrency, paced.answered_429, paced.wall_ms, paced.pacer.rate, paced.pacer.cuts,
                plain.answered_429, plain.wall_ms);
    /* the refused requests are those in flight when the first 429 came back, no more */
    CU_ASSERT_TRUE(paced.answered_429 >= 1);
    CU_ASSERT_TRUE(paced.answered_429 <= concurrency);
    CU_ASSERT_EQUAL(paced.pacer.cuts, 1);
    /* it learned the allowance: within a few percent of 50 (growing slowly towards it) */
    CU_ASSERT_TRUE(paced.pacer.rate >= 47 && paced.pacer.rate <= 51);
    /* 500 requests at 50/s take 10 s at best; the first second is spent finding the limit */
    CU_ASSERT_TRUE(paced.wall_ms <= 10000 * 1.10 + 1000);
    /* without the pacer every second ends in a burst of 429s */
    CU_ASSERT_TRUE(plain.answered_429 >= 5 * paced.answered_429);
}

static void test_limit_c8(void) { check_limit(8); }
static void test_limit_c32(void) { check_limit(32); }

static void test_estimate_counts_late_answers(void)
{
    lk_pacer p;
    lk_pacer_init(&p);
    /* 10 accepted requests started at 0..9 ms; 5 answered before the 429 of one started at 10 */
    for (int i = 0; i < 5; i++)
        lk_pacer_answered(&p, i, 20 + i, 200);
    lk_pacer_answered(&p, 10, 30, 429);
    CU_ASSERT_EQUAL(p.cuts, 1);
    CU_ASSERT_DOUBLE_EQUAL(p.rate, 5 * LK_PACER_MARGIN, 1e-9);
    /* the other five come in: the estimate rises to ten */
    for (int i = 5; i < 10; i++)
        lk_pacer_answered(&p, i, 31 + i, 200);
    CU_ASSERT_DOUBLE_EQUAL(p.rate, 10 * LK_PACER_MARGIN, 1e-9);
    /* one accepted that started after the 429 arrived is another second's: not counted */
    lk_pacer_answered(&p, 40, 62, 200);
    CU_ASSERT_DOUBLE_EQUAL(p.rate, 10 * LK_PACER_MARGIN, 1e-9);
    /* an answer without a status (a lost connection) says nothing */
    lk_pacer_answered(&p, 5, 63, 0);
    CU_ASSERT_EQUAL(p.n, 11);
}

static void test_cut_once_per_news(void)
{
    lk_pacer p;
    double wait = -1;
    lk_pacer_init(&p);
    for (int i = 0; i < 20; i++)
        lk_pacer_answered(&p, i, 22 + i, 200);
    lk_pacer_answered(&p, 20, 42, 429);
    CU_ASSERT_DOUBLE_EQUAL(p.rate, 20 * LK_PACER_MARGIN, 1e-9);
    /* refused requests that were already in flight are the same news */
    lk_pacer_answered(&p, 21, 43, 429);
    lk_pacer_answered(&p, 41, 63, 429);
    CU_ASSERT_EQUAL(p.cuts, 1);
    CU_ASSERT_EQUAL(p.limited, 3);
    /* paced: evenly spaced starts, no burst */
    CU_ASSERT_TRUE(lk_pacer_may_start(&p, 100, NULL));
    lk_pacer_started(&p, 100);
    CU_ASSERT_FALSE(lk_pacer_may_start(&p, 100, &wait));
    CU_ASSERT_DOUBLE_EQUAL(wait, 1000.0 / p.rate, 1e-6);
    /* a 429 of a request started after the cut: cut again, multiplicatively */
    lk_pacer_answered(&p, 100, 122, 429);
    CU_ASSERT_EQUAL(p.cuts, 2);
    CU_ASSERT_DOUBLE_EQUAL(p.rate, 20 * LK_PACER_MARGIN * LK_PACER_DECREASE, 1e-9);
}

static void test_growth_and_floor(void)
{
    lk_pacer p;
    double r;
    lk_pacer_init(&p);
    for (int i = 0; i < 40; i++)
        lk_pacer_answered(&p, i, 22 + i, 200);
    lk_pacer_answered(&p, 40, 62, 429);
    r = p.rate;
    for (int i = 0; i < 10; i++)
        r += r * LK_PACER_GROWTH > LK_PACER_STEP_MIN ? r * LK_PACER_GROWTH : LK_PACER_STEP_MIN;
    /* ten quiet seconds: ten additive steps */
    lk_pacer_started(&p, 62 + 10000);
    CU_ASSERT_DOUBLE_EQUAL(p.rate, r, 1e-9);
    CU_ASSERT_TRUE(p.rate > 40 * LK_PACER_MARGIN);
    /* less than a second later: no step */
    lk_pacer_started(&p, 62 + 10500);
    CU_ASSERT_DOUBLE_EQUAL(p.rate, r, 1e-9);
    /* nothing accepted before the first 429: that measures nothing, no pacing (Retry-After
     * alone holds the starts) */
    lk_pacer_init(&p);
    lk_pacer_answered(&p, 0, 22, 429);
    CU_ASSERT_EQUAL(p.rate, 0);
    CU_ASSERT_EQUAL(p.cuts, 0);
    CU_ASSERT_TRUE(lk_pacer_may_start(&p, 23, NULL));
    /* one accepted, then refusals only: cut after cut, never below the floor */
    lk_pacer_answered(&p, 100, 122, 200);
    lk_pacer_answered(&p, 200, 222, 429);
    CU_ASSERT_DOUBLE_EQUAL(p.rate, LK_PACER_MARGIN, 1e-9);
    for (int i = 1; i < 60; i++) /* each started after the cut before it, 20 ms apart */
        lk_pacer_answered(&p, 1000.0 + 20 * i, 1000.0 + 20 * i + 15, 429);
    CU_ASSERT_EQUAL(p.cuts, 60);
    CU_ASSERT_DOUBLE_EQUAL(p.rate, LK_PACER_RATE_MIN, 1e-9);
}

static void test_resume(void)
{
    lk_pacer p;
    double wait = 0;
    lk_pacer_init(&p);
    lk_pacer_resume(&p, 0, 0); /* nothing remembered: not paced */
    CU_ASSERT_EQUAL(p.rate, 0);
    CU_ASSERT_FALSE(p.resumed);
    lk_pacer_resume(&p, 40, 1000);
    CU_ASSERT_TRUE(p.resumed);
    CU_ASSERT_TRUE(lk_pacer_may_start(&p, 1000, NULL));
    lk_pacer_started(&p, 1000);
    CU_ASSERT_FALSE(lk_pacer_may_start(&p, 1001, &wait));
    CU_ASSERT_DOUBLE_EQUAL(wait, 24, 1e-9);
    /* a 429 after resuming cuts multiplicatively; late answers do not raise it again */
    lk_pacer_answered(&p, 1000, 1022, 429);
    CU_ASSERT_DOUBLE_EQUAL(p.rate, 40 * LK_PACER_DECREASE, 1e-9);
    for (int i = 0; i < 50; i++)
        lk_pacer_answered(&p, 990, 1023, 200);
    CU_ASSERT_DOUBLE_EQUAL(p.rate, 40 * LK_PACER_DECREASE, 1e-9);
    /* the model: resumed at the learned pace, a second run is refused nothing */
    {
        model m = { .limit = 50, .concurrency = 32, .requests = 500, .latency_ms = 22,
                    .use_pacer = true };
        model again;
        run_model(&m);
        again = m;
        again.resume_rate = m.pacer.safe_rate;
        CU_ASSERT_TRUE(m.pacer.safe_rate >= 47 && m.pacer.safe_rate <= 50);
        run_model(&again);
        CU_ASSERT_TRUE(m.answered_429 > 0);
        CU_ASSERT_EQUAL(again.answered_429, 0);
        CU_ASSERT_TRUE(again.wall_ms < m.wall_ms);
    }
}

static void test_memory_file(void)
{
    char *dir = lk_test_tmpdir(), store[512], *path;
    FILE *f;
    time_t now = 1796680000;
    snprintf(store, sizeof store, "%s/tokens.json", dir);
    CU_ASSERT_PTR_NULL(lk_pace_memory_path(NULL));
    CU_ASSERT_PTR_NULL(lk_pace_memory_path(""));
    path = lk_pace_memory_path(store);
    CU_ASSERT_PTR_NOT_NULL_FATAL(path);
    CU_ASSERT_PTR_NOT_NULL(strstr(path, "tokens.json.pace"));
    /* nothing remembered yet */
    CU_ASSERT_EQUAL(lk_pace_recall(path, "https://api.loket.nl/v2", now, 3600), 0);
    lk_pace_remember(path, "https://api.loket.nl/v2", 48.337, now);
    {
        struct stat st;
        CU_ASSERT_EQUAL(stat(path, &st), 0);
        CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
    }
    CU_ASSERT_DOUBLE_EQUAL(lk_pace_recall(path, "https://api.loket.nl/v2", now + 10, 3600), 48.34, 1e-9);
    /* another API, too old, from the future */
    CU_ASSERT_EQUAL(lk_pace_recall(path, "https://api.loket-acc.nl/v2", now + 10, 3600), 0);
    CU_ASSERT_EQUAL(lk_pace_recall(path, "https://api.loket.nl/v2", now + 3601, 3600), 0);
    CU_ASSERT_EQUAL(lk_pace_recall(path, "https://api.loket.nl/v2", now - 1, 3600), 0);
    /* a file others can write is not trusted */
    CU_ASSERT_EQUAL(chmod(path, 0666), 0);
    CU_ASSERT_EQUAL(lk_pace_recall(path, "https://api.loket.nl/v2", now + 10, 3600), 0);
    /* garbage and nonsense values */
    f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("{\"apiUrl\": \"https://api.loket.nl/v2\", \"requestsPerSecond\": -5, \"learnedAt\": 1796680000}", f);
    fclose(f);
    CU_ASSERT_EQUAL(chmod(path, 0600), 0);
    CU_ASSERT_EQUAL(lk_pace_recall(path, "https://api.loket.nl/v2", now + 10, 3600), 0);
    f = fopen(path, "w");
    fputs("not json", f);
    fclose(f);
    CU_ASSERT_EQUAL(lk_pace_recall(path, "https://api.loket.nl/v2", now + 10, 3600), 0);
    /* nonsense is never written */
    unlink(path);
    lk_pace_remember(path, "https://api.loket.nl/v2", 0, now);
    lk_pace_remember(path, "https://api.loket.nl/v2", NAN, now);
    CU_ASSERT_NOT_EQUAL(access(path, F_OK), 0);
    unlink(path);
    rmdir(dir);
    free(path);
    free(dir);
}

static const lk_test tests[] = {
    { "pacer: no limit, no pacing", test_no_limit_never_paces },
    { "pacer: 50/s at concurrency 8", test_limit_c8 },
    { "pacer: 50/s at concurrency 32", test_limit_c32 },
    { "pacer: the first estimate counts answers that arrive after the 429", test_estimate_counts_late_answers },
    { "pacer: one cut per piece of news, then multiplicative", test_cut_once_per_news },
    { "pacer: additive growth, a floor, and no pace from nothing", test_growth_and_floor },
    { "pacer: resuming a remembered pace", test_resume },
    { "pace memory: the file, its checks and its age", test_memory_file },
    { NULL, NULL },
};

int main(void)
{
    return lk_test_main("pacer", tests);
}
