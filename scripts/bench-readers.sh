#!/bin/sh
# Reader benchmark: rows per second and peak memory (RSS) for a generated 1M-row, 12-column CSV
# and a 100k-row, 12-column XLSX, median of RUNS reads each. Memory flatness: the same figures
# for inputs ten times smaller. Inputs are generated into build-bench/ once and kept there.
# Targets (docs): CSV >= 2M rows/s, XLSX >= 300k rows/s on the 2-core reference machine.
set -eu
BUILD=${1:-build}
RUNS=${RUNS:-5}
prog="$BUILD/bench_readers"
out=build-bench
mkdir -p "$out"
[ -x "$prog" ] || { echo "bench-readers: $prog missing (make bench builds it)" >&2; exit 1; }

gen() { # kind file rows
    [ -s "$2" ] || "$prog" "gen-$1" "$2" "$3"
}
gen csv "$out/readers-1m.csv" 1000000
gen csv "$out/readers-100k.csv" 100000
gen xlsx "$out/readers-100k.xlsx" 100000
gen xlsx "$out/readers-10k.xlsx" 10000

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

bench() { # label file
    results=$(i=0; while [ "$i" -lt "$RUNS" ]; do "$prog" read "$2"; i=$((i + 1)); done)
    rows=$(echo "$results" | sed -n 's/.*rows=\([0-9]*\) .*/\1/p' | head -n 1)
    rate=$(echo "$results" | sed -n 's/.* rows_per_s=\([0-9]*\).*/\1/p' | median)
    cpu=$(echo "$results" | sed -n 's/.*cpu_rows_per_s=\([0-9]*\).*/\1/p' | median)
    rss=$(echo "$results" | sed -n 's/.*peak_rss_kb=\([0-9]*\).*/\1/p' | median)
    size=$(wc -c <"$2")
    printf '%-16s %8s rows %9s bytes %9s rows/s (%s per CPU second)  peak RSS %s KiB\n' \
        "$1" "$rows" "$size" "$rate" "$cpu" "$rss"
}
echo "readers (median of $RUNS runs):"
bench "csv 1M x 12" "$out/readers-1m.csv"
bench "csv 100k x 12" "$out/readers-100k.csv"
bench "xlsx 100k x 12" "$out/readers-100k.xlsx"
bench "xlsx 10k x 12" "$out/readers-10k.xlsx"
