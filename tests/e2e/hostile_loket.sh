#!/bin/sh
# hostile_loket.sh: the hostile cases that only Loket can refuse (an unknown employee, an
# employee not active in the period, a closed period, an unknown component) through plan and
# apply against loket-sim. Each must be refused with the file and row named, and nothing may be
# sent: the simulator's request log has no writing call and its records are unchanged. Then a
# file mixing a valid row with two invalid ones, applied with --allow-partial: exactly the valid
# employment is written, with its value, and nothing for the others.
# sim-modes: both
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh" # check_report_state, check_plan_apply
case "$LOKET_BUILD" in /*) IMPORT=$LOKET_BUILD/loket-import ;; *) IMPORT=$LK_ROOT/$LOKET_BUILD/loket-import ;; esac
H=$LK_ROOT/tests/data/hostile
start_sim
cfg=$SIM_DIR/config.json
# (the plausibility signals off: 7.25 hours for 1005 is a value chosen for Loket's rules)
cat >"$cfg" <<JSON
{ "environment": "custom", "apiUrl": "$SIM_URL", "tokenUrl": "$SIM_ROOT/token",
  "clientId": "$(jq -r .auth.clientId "$SIM_FIXTURE")", "tokenStore": "$SIM_DIR/tok/tokens.json",
  "checks": {"off": ["repeat-of-previous", "outlier", "over-contract", "new-component"]} }
JSON
LOKET_CLIENT_SECRET=$(jq -r .auth.clientSecret "$SIM_FIXTURE")
export LOKET_CLIENT_SECRET
"$IMPORT" auth set-refresh-token --config "$cfg" <"$SIM_DIR/refresh" >/dev/null || fail "set-refresh-token"

writes() { # writing calls in the simulator's request log
    curl -s "$SIM_ROOT/__sim/requests" |
        jq '[.counts | to_entries[] | select(.key | test("^(PATCH|POST /providers|PUT|DELETE)")) | .value] | add // 0'
}
records() { sim_state | jq -c '[.payrollPeriodData[] | {employmentId, payrollPeriodId, version}] | sort_by(.employmentId, .payrollPeriodId)'; }
before=$(records)

# check FILE MAPPING PERIOD EMPLOYER ROW MESSAGE-PATTERN
check() {
    f=$1 m=$2 p=$3 e=$4 row=$5 msg=$6
    for cmd in plan apply; do
        timeout 120 "$IMPORT" $cmd "$H/$f" -m "$m" --period "$p" --employer "$e" --config "$cfg" -q \
            --report "$SIM_DIR/$f.$cmd.json" >"$SIM_DIR/out" 2>&1
        st=$?
        case $st in 1 | 2) ;; *) cat "$SIM_DIR/out"; fail "$cmd $f: exit $st, expected 1 or 2" ;; esac
        grep -q -F "$f:$row" "$SIM_DIR/out" || { cat "$SIM_DIR/out"; fail "$cmd $f: the refusal does not name $f:$row"; }
        grep -q -E "$msg" "$SIM_DIR/out" || { cat "$SIM_DIR/out"; fail "$cmd $f: no /$msg/ in the output"; }
        [ "$(jq -r '.records[0].outcome // .records[0].status // empty' "$SIM_DIR/$f.$cmd.json" 2>/dev/null)" != created ] ||
            fail "$cmd $f: the report says created"
        [ "$(writes)" = 0 ] || fail "$cmd $f: a writing call reached loket-sim"
    done
}
C=$H/mapping-csv.json
check unknown-employee.csv "$C" 2026-11 40101 2 "employee number 9999 is not known"
check inactive-employee.csv "$C" 2026-11 40101 2 "1019 has no employment active in period 2026-11"
check closed-period.csv "$C" 2026-10 40101 2 "is closed"
check unknown-component.csv "$LK_ROOT/mappings/loket-template.json" 2026-11 40101 6 "component 99 is not allowed"
[ "$(records)" = "$before" ] || fail "the simulator's records changed"

# a valid row among invalid ones: --allow-partial writes exactly the valid employment
timeout 120 "$IMPORT" apply "$H/mixed-valid-invalid.csv" -m "$C" --period 2026-11 --employer 40101 \
    --config "$cfg" -q --allow-partial --verify --report "$SIM_DIR/mixed.json" >"$SIM_DIR/out" 2>&1
st=$?
[ $st = 1 ] || { cat "$SIM_DIR/out"; fail "apply --allow-partial of the mixed file: exit $st, expected 1"; }
[ "$(writes)" = 1 ] || { curl -s "$SIM_ROOT/__sim/requests" | jq .counts; fail "expected exactly one writing call"; }
got=$(sim_state | jq -c '[.payrollPeriodData[] | select(.payrollPeriodId == 202611 and (.employeeNumber == 1005 or .employeeNumber == 9999 or .employeeNumber == 1019))
    | {n: .employeeNumber, c: [.payrollComponents[] | {k: .payrollComponent.key, v: .value}]}]')
[ "$got" = '[{"n":1005,"c":[{"k":10,"v":7.25},{"k":11,"v":1}]}]' ] || fail "records after the partial apply: $got"
# the partial apply's report agrees with Loket's state; nothing it sent was refused by Loket
check_report_state "$SIM_DIR/mixed.json"
check_plan_apply "$SIM_DIR/mixed.json"
echo "hostile_loket: 4 refused cases sent nothing; the partial apply wrote only the valid employment"
stop_sim
