#!/usr/bin/python3
"""bench_ratelimit.py: the import under a server rate limit (docs/benchmarks.md, docs/client.md).

A generated loket-sim world of N employments (default 500; scripts/make-fixture.py --big) served
with LATENCY_MS (20) + 0..JITTER_MS (4) and a limit of RATE requests per second (default 50;
loket-sim --rate-limit, a fixed one-second window answering 429 with Retry-After: 1).
`loket-import apply` runs per employment at concurrency 8 and 32, RUNS times each (default 3),
the simulator reset in between, and once more at concurrency 32 without a limit. Per run: wall
time; requests the simulator accepted and those it answered 429 (its request log); the limit's
ideal = accepted requests / RATE (no client can be faster), wall / ideal; the 429 share of all
requests. Medians are printed and written to build-bench/ratelimit.json.
Usage: scripts/bench_ratelimit.py BUILD_DIR  (environment: N, RATE, LATENCY_MS, JITTER_MS, RUNS)
"""
import json
import os
import statistics
import subprocess
import sys
import time

# the import benchmark's paths, simulator settings and simulator driver (same BUILD argument)
from bench_import import IMPORT, JITTER_MS, LATENCY_MS, OUT, REFRESH_TOKEN, ROOT, Sim

N = int(os.environ.get("N", "500"))
RATE = int(os.environ.get("RATE", "50"))
RUNS = int(os.environ.get("RUNS", "3"))


def main():
    d = os.path.join(OUT, "import-%d" % N)
    gen = os.path.join(ROOT, "scripts", "make-fixture.py")
    if not os.path.exists(os.path.join(d, "mapping.json")) or \
            os.path.getmtime(os.path.join(d, "mapping.json")) < os.path.getmtime(gen):
        subprocess.run([sys.executable, gen, "--big", str(N), d], check=True)
    sim = Sim(os.path.join(d, "fixture.json"))
    conf = os.path.join(d, "config-ratelimit.json")
    store = os.path.join(d, "tokens-ratelimit.json")
    for old in (store, store + ".lock"):
        if os.path.exists(old):
            os.unlink(old)
    fd = os.open(conf, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump({"environment": "custom", "apiUrl": sim.url, "tokenUrl": sim.root + "/token",
                   "clientId": "loket-import-demo",
                   "clientSecret": "sim-client-secret-not-for-production",
                   "tokenStore": store}, f)
    results = []
    try:
        plan = [(c, RATE) for c in (8, 32) for _ in range(RUNS)] + [(32, 0)]
        for conc, rate in plan:
            sim.call("POST", "/__sim/reset")
            sim.call("POST", "/__sim/faults", {"rateLimit": rate})
            # each run finds the limit itself: no pace remembered from the run before
            if os.path.exists(store + ".pace"):
                os.unlink(store + ".pace")
            subprocess.run([IMPORT, "auth", "set-refresh-token", "--config", conf],
                           input=REFRESH_TOKEN.encode(), check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            journal = os.path.join(d, "ratelimit.journal")
            for leftover in (journal, journal + ".done"):
                if os.path.exists(leftover):
                    os.unlink(leftover)
            argv = [IMPORT, "apply", os.path.join(d, "input.csv"), "-m", os.path.join(d, "mapping.json"),
                    "--config", conf, "--concurrency", str(conc), "--quiet", "--journal", journal]
            t0 = time.monotonic()
            p = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            wall = time.monotonic() - t0
            if p.returncode != 0:
                sys.stderr.write(p.stderr.decode(errors="replace"))
                sys.exit("bench-ratelimit: apply (concurrency %d) exited %d" % (conc, p.returncode))
            log = sim.call("GET", "/__sim/requests")
            recent = [r for r in log["recent"] if not r["path"].startswith("/token")]
            if log["total"] > len(log["recent"]):
                sys.exit("bench-ratelimit: more requests than the simulator's log keeps")
            limited = sum(1 for r in recent if r["status"] == 429)
            accepted = len(recent) - limited
            ideal = accepted / rate if rate else accepted * (LATENCY_MS + JITTER_MS / 2) / 1000.0 / conc
            results.append({"concurrency": conc, "rate_limit": rate, "wall_s": round(wall, 3),
                            "accepted": accepted, "answered_429": limited,
                            "share_429": round(limited / len(recent), 4),
                            "ideal_s": round(ideal, 3), "ratio_to_ideal": round(wall / ideal, 3)})
            print("conc %2d limit %3s: wall %6.2f s, ideal %6.2f s, ratio %.3f, %4d accepted, %3d x 429 (%.1f%%)"
                  % (conc, rate or "-", wall, ideal, wall / ideal, accepted, limited,
                     100.0 * limited / len(recent)), flush=True)
    finally:
        sim.stop()
    summary = []
    for conc, rate in sorted(set((r["concurrency"], r["rate_limit"]) for r in results)):
        rs = [r for r in results if r["concurrency"] == conc and r["rate_limit"] == rate]
        summary.append({"concurrency": conc, "rate_limit": rate, "runs": len(rs),
                        "ratio_median": statistics.median(r["ratio_to_ideal"] for r in rs),
                        "share_429_median": statistics.median(r["share_429"] for r in rs)})
        print("median conc %2d limit %3s (%d runs): ratio %.3f, 429 share %.1f%%"
              % (conc, rate or "-", len(rs), summary[-1]["ratio_median"], 100 * summary[-1]["share_429_median"]))
    with open(os.path.join(OUT, "ratelimit.json"), "w") as f:
        json.dump({"employments": N, "rate_limit": RATE, "latency_ms": LATENCY_MS,
                   "jitter_ms": JITTER_MS, "runs": results, "summary": summary}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
