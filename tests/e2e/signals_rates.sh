#!/bin/sh
# signals_rates.sh: on generated realistic months (tests/signals/generate.py: leave, sickness,
# overtime swings, starters and leavers) with planted anomalies of each kind (decimal slips x10,
# /10, x100, kilometres in the hours column, hours above a part-timer's contract, a new
# component, last month's file again), plan finds at least 95% of what was planted and raises
# at most one blocking signal per 500 ordinary employment-months. Two fixed seeds, 300
# employments each; docs/reports.md gives the figures of a larger run (measure.py).
# sim-modes: both
set -u
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || fail "python3 not installed"
T=$(mktemp -d "${TMPDIR:-/tmp}/lk-rates-XXXXXX") || fail "mktemp"
trap 'rm -rf "$T"' EXIT
case "$LOKET_BUILD" in /*) b=$LOKET_BUILD ;; *) b=$LK_ROOT/$LOKET_BUILD ;; esac
/usr/bin/python3 "$LK_ROOT/tests/signals/measure.py" --build "$b" --seeds 1-2 --employments 300 \
    --mode "${LOKET_SIM_MODE:-normal}" --json "$T/rates.json" -v >"$T/out" 2>&1 ||
    { cat "$T/out"; fail "measure.py failed"; }
cat "$T/out"
jq -e '.planted >= 40 and .found * 100 >= .planted * 95' "$T/rates.json" >/dev/null ||
    fail "detection below 95%: $(jq -c '{found, planted}' "$T/rates.json")"
jq -e '.employment_months >= 550 and .false_alarms * 500 <= .employment_months' "$T/rates.json" >/dev/null ||
    fail "more than 1 false alarm per 500 employment-months: $(jq -c '{false_alarms, employment_months}' "$T/rates.json")"
jq -e '.detection["repeat-of-previous"] == [2, 2]' "$T/rates.json" >/dev/null || fail "a repeated month was not found"
echo "signals_rates: ok"
