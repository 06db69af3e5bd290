/*
 * main.c: loket-sim, the Loket API simulator (docs/simulator.md).
 *
 *   loket-sim --fixture samples/loket-fixture.json --port 0 [fault flags]
 *
 * Prints the API base URL (http://127.0.0.1:PORT/v2) as the first line on stdout, then serves
 * until SIGINT or SIGTERM.
 */
#include "sim/sim.h"

#include "common/error.h"
#include "common/i18n.h"

#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    N_("usage: loket-sim --fixture FILE [--port N] [options]\n"
    "\n"
    "  -f, --fixture FILE          the simulated world (samples/loket-fixture.json)\n"
    "  -p, --port N                TCP port on 127.0.0.1; 0 picks a free one (default 0)\n"
    "      --allow-password-grant  enable grant_type=password at /token\n"
    "      --token-ttl S           access tokens expire after S seconds (expires_in; default 3599)\n"
    "      --token-max-requests N  access tokens expire after N API calls (default: unlimited)\n"
    "      --latency-ms N          add N ms to every answer\n"
    "      --jitter-ms N           add a random 0..N ms on top\n"
    "      --fail-rate P           answer a fraction P (0..1) of requests with a 5xx\n"
    "      --fail-status N         the status of those answers (default 500)\n"
    "      --fail-after N          answer the N-th request and every later one with --fail-status\n"
    "      --drop-rate P           close a fraction P of connections without answering (not applied)\n"
    "      --drop-after-rate P     apply a fraction P of requests, then close without answering\n"
    "      --rate-limit N          at most N requests per second; more get 429 + Retry-After\n"
    "      --seed N                seed of every random choice (default 1)\n"
    "      --max-body BYTES        larger request bodies get 413 (default 1048576)\n"
    "      --strict-minimal        answer as sparingly as the official document allows: collective\n"
    "                              PATCH messages with \"properties\": [], its 200 without\n"
    "                              _embedded, the administration-level listing holding only\n"
    "                              records that exist\n"
    "  -v, --verbose               one line per request on stderr\n"
    "      --lang nl|en            the language of these texts (default: from the locale)\n"
    "  -h, --help                  this text\n");

enum {
    OPT_PASSWORD = 256, OPT_TTL, OPT_MAXREQ, OPT_LATENCY, OPT_JITTER, OPT_FAILRATE, OPT_FAILSTATUS,
    OPT_DROP, OPT_DROPAFTER, OPT_RATE, OPT_SEED, OPT_MAXBODY, OPT_MINIMAL, OPT_FAILAFTER
};

static const struct option options[] = {
    { "fixture", required_argument, NULL, 'f' },
    { "port", required_argument, NULL, 'p' },
    { "allow-password-grant", no_argument, NULL, OPT_PASSWORD },
    { "token-ttl", required_argument, NULL, OPT_TTL },
    { "token-max-requests", required_argument, NULL, OPT_MAXREQ },
    { "latency-ms", required_argument, NULL, OPT_LATENCY },
    { "jitter-ms", required_argument, NULL, OPT_JITTER },
    { "fail-rate", required_argument, NULL, OPT_FAILRATE },
    { "fail-after", required_argument, NULL, OPT_FAILAFTER },
    { "fail-status", required_argument, NULL, OPT_FAILSTATUS },
    { "drop-rate", required_argument, NULL, OPT_DROP },
    { "drop-after-rate", required_argument, NULL, OPT_DROPAFTER },
    { "rate-limit", required_argument, NULL, OPT_RATE },
    { "seed", required_argument, NULL, OPT_SEED },
    { "max-body", required_argument, NULL, OPT_MAXBODY },
    { "strict-minimal", no_argument, NULL, OPT_MINIMAL },
    { "verbose", no_argument, NULL, 'v' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

static long long int_arg(const char *name, const char *s, long long min, long long max)
{
    char *end;
    long long v;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        lk_die(_("--%s: expected a whole number from %lld to %lld, got \"%s\""), name, min, max, s);
    return v;
}

static double rate_arg(const char *name, const char *s)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= 0 && v <= 1))
        lk_die(_("--%s: expected a fraction from 0 to 1, got \"%s\""), name, s);
    return v;
}

int main(int argc, char **argv)
{
    sim_config cfg;
    sim *s;
    sim_server *srv;
    char err[512];
    int port = 0, opt, sig;
    sigset_t set;

    if (!lk_i18n_setup(&argc, argv))
        return 2;

    lk_set_progname("loket-sim");
    sim_config_defaults(&cfg);
    while ((opt = getopt_long(argc, argv, "f:p:vh", options, NULL)) != -1) {
        switch (opt) {
        case 'f': cfg.fixture_path = optarg; break;
        case 'p': port = (int)int_arg("port", optarg, 0, 65535); break;
        case 'v': cfg.log_requests = true; break;
        case 'h': fputs(_(usage), stdout); return 0;
        case OPT_PASSWORD: cfg.allow_password_grant = true; break;
        case OPT_TTL: cfg.faults.token_ttl = (int)int_arg("token-ttl", optarg, 1, 100000000); break;
        case OPT_MAXREQ: cfg.faults.token_max_requests = (long)int_arg("token-max-requests", optarg, 0, 1000000000); break;
        case OPT_LATENCY: cfg.faults.latency_ms = (int)int_arg("latency-ms", optarg, 0, 600000); break;
        case OPT_JITTER: cfg.faults.jitter_ms = (int)int_arg("jitter-ms", optarg, 0, 600000); break;
        case OPT_FAILRATE: cfg.faults.fail_rate = rate_arg("fail-rate", optarg); break;
        case OPT_FAILSTATUS: cfg.faults.fail_status = (int)int_arg("fail-status", optarg, 500, 599); break;
        case OPT_FAILAFTER: cfg.faults.fail_after = (long)int_arg("fail-after", optarg, 0, 1000000000); break;
        case OPT_DROP: cfg.faults.drop_rate = rate_arg("drop-rate", optarg); break;
        case OPT_DROPAFTER: cfg.faults.drop_after_rate = rate_arg("drop-after-rate", optarg); break;
        case OPT_RATE: cfg.faults.rate_limit = (int)int_arg("rate-limit", optarg, 0, 1000000); break;
        case OPT_SEED: cfg.seed = (uint64_t)int_arg("seed", optarg, 0, 0x7fffffffffffffffLL); break;
        case OPT_MAXBODY: cfg.max_body = (size_t)int_arg("max-body", optarg, 1024, 1024LL * 1024 * 1024); break;
        case OPT_MINIMAL: cfg.strict_minimal = true; break;
        default: fputs(_(usage), stderr); return 2;
        }
    }
    if (optind < argc || !cfg.fixture_path) {
        fputs(_(usage), stderr);
        return 2;
    }
    /* Block the stop signals before any thread starts, so only sigwait() below sees them. */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* Every answer is built and freed on a connection thread; glibc would hand a big page's memory
     * back to the kernel after each answer (mmap for the print buffer, trimming the thread's
     * heap) and fault it in again for the next: a third of the simulator's CPU under load. Keep
     * it instead (the simulator's peak memory is a few pages of answers per thread). */
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);

    s = sim_new(&cfg, err, sizeof err);
    if (!s)
        lk_die("%s: %s", cfg.fixture_path, err);
    srv = sim_server_start(s, port, cfg.max_body, err, sizeof err);
    if (!srv) {
        sim_free(s);
        lk_die("%s", err);
    }
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v2", sim_server_port(srv));
    /* the first line alone first: scripts and tests read it as soon as it is there */
    printf("%s\n", url);
    fflush(stdout);
    sim_print_welcome(s, url, stdout);
    fflush(stdout);
    sigwait(&set, &sig);
    sim_server_stop(srv);
    sim_free(s);
    return 0;
}
