#!/bin/sh
# Loket client benchmark: GET defaults and PATCH upserts per second against loket-sim with a
# fixed server latency (LATENCY_MS, default 20), REQUESTS per run (default 400), at concurrency
# 1, 4, 8, 16 and 32. The figures show what --concurrency buys against a server whose own
# answers take LATENCY_MS: throughput should grow about linearly until the simulator saturates.
set -eu
BUILD=${1:-build}
prog="$BUILD/bench_client"
[ -x "$prog" ] || { echo "bench-client: $prog missing (make bench builds it)" >&2; exit 1; }
LOKET_BUILD="$BUILD" "$prog" "${LATENCY_MS:-20}" "${REQUESTS:-400}" 1 4 8 16 32
