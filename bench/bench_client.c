/*
 * bench_client.c: throughput of the Loket client's HTTP engine against loket-sim with a fixed
 * server latency, at several concurrency levels: GET defaults and PATCH upserts per second,
 * attempts, and the client's own latency percentiles. Run by scripts/bench-client.sh
 * (`make bench`); docs/benchmarks.md explains the figures.
 *
 *   bench_client [LATENCY_MS [REQUESTS [CONCURRENCY...]]]
 */
#include "common/util.h"
#include "loket/api.h"
#include "loket/config.h"
#include "loket/tokens.h"
#include "support/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct tally {
    int ok, failed;
} tally;

static void on_defaults(const lk_api_result *r, lk_period_data_record *rec, void *ud)
{
    tally *t = ud;
    if (r->code == LK_OK)
        t->ok++;
    else
        t->failed++;
    lk_period_data_record_free(rec);
}

static void on_patch(const lk_api_result *r, void *ud)
{
    tally *t = ud;
    if (r->code == LK_OK)
        t->ok++;
    else
        t->failed++;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(const lk_http_stats *s, double p)
{
    double *v = xmalloc(s->n * sizeof *v), r;
    for (size_t i = 0; i < s->n; i++)
        v[i] = s->records[i].latency_ms;
    qsort(v, s->n, sizeof *v, cmp);
    r = v[(size_t)(p * (double)(s->n - 1))];
    free(v);
    return r;
}

int main(int argc, char **argv)
{
    char latency[16], buf[512], dir[] = "/tmp/lk-bench-XXXXXX";
    int requests = argc > 2 ? atoi(argv[2]) : 500;
    int levels[8] = { 1, 4, 8, 16, 32 }, nlevels = 5;
    const char *args[] = { "--latency-ms", latency, NULL };
    lk_sim sim;
    snprintf(latency, sizeof latency, "%s", argc > 1 ? argv[1] : "20");
    if (argc > 3) {
        nlevels = 0;
        for (int i = 3; i < argc && nlevels < 8; i++)
            levels[nlevels++] = atoi(argv[i]);
    }
    if (!mkdtemp(dir) || lk_sim_start(&sim, args) != 0)
        return 1;
    printf("server latency %s ms, %d requests per run\n", latency, requests);
    printf("%-11s %-8s %9s %9s %9s %8s %8s %8s\n", "concurrency", "request", "seconds", "req/s",
           "attempts", "p50 ms", "p95 ms", "failed");
    for (int l = 0; l < nlevels; l++) {
        for (int kind = 0; kind < 2; kind++) {
            lk_config *cfg = lk_config_new_defaults();
            lk_client *c = NULL;
            lk_tokens *t = NULL;
            lk_error err;
            lk_employer_list *emps = NULL;
            lk_employment_list *list = NULL;
            tally tl = { 0, 0 };
            double t0, secs;
            size_t nvalid = 0;
            const lk_http_stats *st;
            lk_error_clear(&err);
            free(cfg->api_url);
            cfg->api_url = strdup(sim.url);
            snprintf(buf, sizeof buf, "%s/token", sim.root);
            free(cfg->token_url);
            cfg->token_url = strdup(buf);
            snprintf(buf, sizeof buf, "%s/tokens-%d-%d.json", dir, l, kind);
            free(cfg->token_store);
            cfg->token_store = strdup(buf);
            cfg->client_id = strdup(sim.client_id);
            cfg->client_secret = strdup(sim.client_secret);
            cfg->concurrency = levels[l];
            if (lk_tokens_open(cfg, NULL, &t, &err) != LK_OK ||
                lk_tokens_set_refresh_token(t, sim.refresh, &err) != LK_OK) {
                fprintf(stderr, "bench: %s\n", err.message);
                return 1;
            }
            lk_tokens_free(t);
            if (lk_client_new(cfg, NULL, &c, &err) != LK_OK ||
                lk_api_employers(c, &emps, &err) != LK_OK ||
                lk_api_employments(c, lk_employer_find(emps, "Bakkerij Van den Berg B.V.")->id, NULL,
                                   0, &list, &err) != LK_OK) {
                fprintf(stderr, "bench: %s\n", err.message);
                return 1;
            }
            /* only employments the December upsert is valid for: the monthly administration,
             * employed in December (a rejected PATCH would measure Loket's rules, not speed) */
            {
                size_t keep = 0;
                for (size_t i = 0; i < list->n; i++) {
                    lk_employment tmp = list->items[keep];
                    if (list->items[i].admin_client_number != 40101 ||
                        !lk_employment_active(&list->items[i], "2026-12-01", "2026-12-31"))
                        continue;
                    list->items[keep] = list->items[i];
                    list->items[i] = tmp;
                    keep++;
                }
                /* the rest stay behind the kept ones and are freed with the list */
                nvalid = keep;
            }
            lk_client_free(c);
            /* a fresh client so the statistics hold only the measured requests */
            lk_client_new(cfg, NULL, &c, &err);
            t0 = lk_monotonic_ms();
            for (int i = 0; i < requests; i++) {
                const lk_employment *e = &list->items[(size_t)i % nvalid];
                if (kind == 0)
                    lk_api_defaults_start(c, e->id, on_defaults, &tl);
                else
                    lk_api_patch_period_data_start(
                        c, e->id,
                        "{\"payrollPeriod\":{\"year\":2026,\"periodNumber\":12},"
                        "\"payslipType\":{\"key\":1},\"payrollComponents\":[{\"payrollComponent\":"
                        "{\"key\":10},\"value\":160}]}",
                        on_patch, &tl);
            }
            lk_client_run(c, &err);
            secs = (lk_monotonic_ms() - t0) / 1000.0;
            st = lk_http_get_stats(lk_client_http(c));
            printf("%-11d %-8s %9.2f %9.0f %9zu %8.1f %8.1f %8d\n", levels[l],
                   kind ? "PATCH" : "defaults", secs, (double)requests / secs, st->attempts,
                   pct(st, 0.5), pct(st, 0.95), tl.failed);
            fflush(stdout);
            lk_client_free(c);
            lk_employment_list_free(list);
            lk_employer_list_free(emps);
            /* the next run starts from the simulator's rotated refresh token */
            {
                lk_tokens *tk = NULL;
                char *text = NULL;
                if (lk_read_file(cfg->token_store, 1 << 16, &text, NULL, &err) == LK_OK) {
                    cJSON *j = cJSON_Parse(text);
                    const char *rt = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "refreshToken"));
                    if (rt)
                        snprintf(sim.refresh, sizeof sim.refresh, "%s", rt);
                    cJSON_Delete(j);
                    free(text);
                }
                (void)tk;
            }
            lk_config_free(cfg);
        }
    }
    lk_sim_stop(&sim);
    snprintf(buf, sizeof buf, "rm -rf '%s'", dir);
    if (system(buf) != 0)
        return 1;
    return 0;
}
