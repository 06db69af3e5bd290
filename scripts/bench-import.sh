#!/bin/sh
# Import benchmark (docs/benchmarks.md): apply against loket-sim with 5,000 generated employments
# and a fixed latency at concurrency 1, 8 and 32, per employment and --collective; validate of
# 1M/100k-row CSVs and a 100k-row XLSX. Table on stdout, figures in build-bench/bench.json.
set -eu
exec /usr/bin/python3 "$(dirname "$0")/bench_import.py" "${1:-build}"
