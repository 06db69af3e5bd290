#!/bin/sh
# fault_matrix.sh: apply of 300 employments (1200 values; a fixture made at test time by
# make-big-fixture.py) against loket-sim answering 10% of requests with 5xx, dropping 5% of
# connections, rate-limiting to 429 bursts with Retry-After, and expiring access tokens every
# 200 requests. The run must complete (exit 0), --verify must find every value in place, and the
# simulator's records must hold exactly the file's values. Bounded to about 3 minutes.
# sim-modes: both
set -u
LK_ROOT=${LK_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BIG=$(mktemp -d "${TMPDIR:-/tmp}/lk-big-XXXXXX") || exit 1
/usr/bin/python3 "$LK_ROOT/tests/e2e/make-big-fixture.py" "$LK_ROOT/samples/loket-fixture.json" \
    "$BIG/fixture.json" "$BIG/uren.csv" 300 || { rm -rf "$BIG"; echo "FAIL: make-big-fixture.py" >&2; exit 1; }
SIM_FIXTURE=$BIG/fixture.json
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh" # check_report_state, check_plan_apply
IMPORT=$LK_IMPORT
start_sim --seed 7 --fail-rate 0.10 --fail-status 503 --drop-rate 0.05 --rate-limit 40 \
    --token-max-requests 200
trap 'stop_sim; rm -rf "$BIG"' EXIT
cfg=$SIM_DIR/config.json
cat >"$cfg" <<JSON
{ "environment": "custom", "apiUrl": "$SIM_URL", "tokenUrl": "$SIM_ROOT/token",
  "clientId": "$(jq -r .auth.clientId "$SIM_FIXTURE")", "tokenStore": "$SIM_DIR/tok/tokens.json",
  "concurrency": 8,
  "retry": { "maxAttempts": 12, "baseDelayMs": 50, "maxDelayMs": 1000, "maxRetryAfterSeconds": 2 },
  "timeouts": { "connectSeconds": 5, "totalSeconds": 20 } }
JSON
LOKET_CLIENT_SECRET=$(jq -r .auth.clientSecret "$SIM_FIXTURE")
export LOKET_CLIENT_SECRET
"$IMPORT" auth set-refresh-token --config "$cfg" <"$SIM_DIR/refresh" >/dev/null || fail "set-refresh-token"

start=$(date +%s)
timeout 240 "$IMPORT" apply "$BIG/uren.csv" -m "$LK_ROOT/mappings/uren-maand-excel.json" --period 2026-11 \
    --config "$cfg" --verify -q --report "$SIM_DIR/apply.json" --journal "$SIM_DIR/apply.journal" \
    >"$SIM_DIR/apply.out" 2>&1
st=$?
secs=$(( $(date +%s) - start ))
[ $st = 0 ] || { tail -n 30 "$SIM_DIR/apply.out"; fail "apply under faults: exit $st after ${secs}s"; }

req=$(curl -s "$SIM_ROOT/__sim/requests")
faults=$(printf '%s' "$req" | jq '[.recent[] | select(.status == 0 or .status >= 500 or .status == 429 or .status == 401)] | length')
[ "$faults" -gt 0 ] || fail "no fault was met: the matrix did not apply"
# the report agrees with Loket's state, and no record it sent was refused by Loket's rules
check_report_state "$SIM_DIR/apply.json"
check_plan_apply "$SIM_DIR/apply.json"
# every value of the file, exactly, in the simulator
# exact decimals on both sides (big_file_values, big_sim_values: no rounding)
want=$(big_file_values "$BIG/uren.csv")
got=$(big_sim_values)
[ "$want" = "$got" ] || { printf '%s\n' "$want" >"$SIM_DIR/want"; printf '%s\n' "$got" >"$SIM_DIR/got";
    diff "$SIM_DIR/want" "$SIM_DIR/got" | head -n 20; fail "the simulator does not hold exactly the file's values"; }
n=$(printf '%s\n' "$got" | wc -l)
echo "fault_matrix: 300 employments, $n values in place after ${secs}s; $(printf '%s' "$req" | jq .total) requests, $faults of the last 2000 faulted (5xx, dropped, 429, 401)"
