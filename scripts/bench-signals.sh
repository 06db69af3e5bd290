#!/bin/sh
# Signals benchmark (docs/benchmarks.md): requests per employment of a plan that reads the
# history, on a generated monthly administration with six months of history
# (tests/signals/generate.py), against loket-sim in both readings of the document. The history
# must cost requests per administration, not per employment: the monthly file stays under 1.1
# requests per employment in total. Table on stdout, figures in build-bench/signals.json.
# usage: bench-signals.sh [BUILD] [EMPLOYMENTS]
set -eu
BUILD=${1:-build}
N=${2:-2500}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
case "$BUILD" in /*) B=$BUILD ;; *) B=$ROOT/$BUILD ;; esac
W=$(mktemp -d "${TMPDIR:-/tmp}/lk-bench-signals-XXXXXX")
SIM_PID=
cleanup() { [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
/usr/bin/python3 "$ROOT/tests/signals/generate.py" 1 "$N" "$W/world" >/dev/null
mkdir -p "$ROOT/build-bench"
out=$ROOT/build-bench/signals.json
printf '{"employments": %s, "runs": [' "$N" >"$out"
sep=
printf 'signals: plan of a monthly file with history, %s employments\n' "$N"
printf '  %-9s %9s %14s %13s %10s %8s\n' mode requests "per employment" "history reqs" signals seconds
for mode in normal minimal; do
    flag=; [ "$mode" = minimal ] && flag=--strict-minimal
    "$B/loket-sim" --fixture "$W/world/fixture.json" --port 0 $flag >"$W/sim-$mode.out" 2>/dev/null &
    SIM_PID=$!
    i=0
    while [ ! -s "$W/sim-$mode.out" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    url=$(head -n 1 "$W/sim-$mode.out")
    root=${url%/v2}
    mkdir -p "$W/$mode"
    cfg=$W/$mode/config.json
    "$B/loket-import" auth sim "$url" --config "$cfg" >/dev/null 2>&1
    before=$(curl -s "$root/__sim/requests" | jq .total)
    t0=$(date +%s.%N)
    "$B/loket-import" plan "$W/world/ordinary.csv" -m "$W/world/mapping.json" --period 2026-11 \
        --config "$cfg" --report "$W/plan.json" -q 2>/dev/null || true
    t1=$(date +%s.%N)
    req=$(curl -s "$root/__sim/requests")
    total=$(( $(echo "$req" | jq .total) - before ))
    hist=$(echo "$req" | jq '[.counts | to_entries[] | select(.key | test("actualworkinghours|payrollPeriods/\\{payrollPeriodId\\}/payrollperioddata")) | .value] | add')
    listings=$(jq '[.run.requests[] | select(.endpoint | test("payrollPeriods/")) | .count] | add' "$W/plan.json")
    signals=$(jq '.signals | length' "$W/plan.json")
    emps=$(jq '[.records[] | .employment.id] | unique | length' "$W/plan.json")
    secs=$(echo "$t1 - $t0" | bc)
    per=$(echo "scale=3; $total / $emps" | bc | sed 's/^\./0./')
    printf '  %-9s %9s %14s %13s %10s %8.2f\n' "$mode" "$total" "$per" "$hist" "$signals" "$secs"
    printf '%s{"mode": "%s", "requests": %s, "employments": %s, "per_employment": %s, "listing_and_hours_requests": %s, "listings_in_report": %s, "signals": %s, "seconds": %s}' \
        "$sep" "$mode" "$total" "$emps" "$per" "$hist" "${listings:-0}" "$signals" "$secs" >>"$out"
    sep=", "
    kill "$SIM_PID" 2>/dev/null; wait "$SIM_PID" 2>/dev/null || true
    SIM_PID=
done
printf ']}\n' >>"$out"
