#!/bin/sh
# A run that reached Loket but could not write its report (here the XLSX report: its path is
# taken by a folder while the import runs) ends in done/ as "report-missing": the data is in Loket, the cause named is
# the report, never a row of the file nor "move the file back"; the registry holds the content
# as imported (the same file again is a duplicate), the onFailure hook runs, and --once exits 1.
# sim-modes: both
. "$(dirname "$0")/lib.sh"
IMPORT=$LK_ROOT/$LOKET_BUILD/loket-import
case "$LOKET_BUILD" in /*) IMPORT=$LOKET_BUILD/loket-import ;; esac
SAMPLE=$LK_ROOT/samples/uren-maand-40101-2026-11.csv
MAPPING=$LK_ROOT/mappings/uren-maand-excel.json
start_sim
cfg=$SIM_DIR/config.json
cat >"$cfg" <<JSON
{ "environment": "custom", "apiUrl": "$SIM_URL", "tokenUrl": "$SIM_ROOT/token",
  "clientId": "$(jq -r .auth.clientId "$SIM_FIXTURE")", "tokenStore": "$SIM_DIR/tokens.json" }
JSON
LOKET_CLIENT_SECRET=$(jq -r .auth.clientSecret "$SIM_FIXTURE")
export LOKET_CLIENT_SECRET
"$IMPORT" auth set-refresh-token --config "$cfg" <"$SIM_DIR/refresh" >/dev/null || fail "auth set-refresh-token"
W=$SIM_DIR/drop
mkdir -p "$W/reports" "$W/inbox"
cat >"$W/loket-watch.json" <<JSON
{ "settle_seconds": 0,
  "onFailure": ["sh", "-c", "echo \$LOKET_WATCH_OUTCOME >>$SIM_DIR/hook.out"],
  "rules": [ { "match": "uren-*.csv", "mapping": "$MAPPING", "mode": "apply", "period": "2026-11" } ] }
JSON
LC_ALL=C awk -F';' 'BEGIN { OFS = ";" } $1 ~ /^[0-9]+$/ && $4 != "" { sub(/,.*/, "", $4); $4 = $4 - 7 } { print }' \
    "$SAMPLE" >"$W/inbox/uren-nov.csv"
# once the run has started (and its report paths were checked), the XLSX report's path is taken
# by a folder: the report cannot be written at the end
curl -s -X POST "$SIM_ROOT/__sim/faults" -d '{"latencyMs": 150}' >/dev/null || fail "faults"
timeout 120 "$IMPORT" watch "$W" --once --config "$cfg" 2>"$SIM_DIR/w.log" &
wpid=$!
n=0
until run=$(sed -n 's/.*file="uren-nov.csv" action=start .*run="\([^"]*\)".*/\1/p' "$SIM_DIR/w.log") && [ -n "$run" ]; do
    n=$((n + 1)); [ $n -lt 300 ] || fail "the import did not start"; sleep 0.05
done
sleep 0.3
mkdir -p "$W/reports/$run.xlsx/taken"
wait $wpid
st=$?
[ "$st" = 1 ] || { cat "$SIM_DIR/w.log"; fail "--once exit $st, expected 1 (a person must see to the report)"; }
line=$(grep 'file="uren-nov.csv" action=done' "$SIM_DIR/w.log")
echo "$line" | grep -q 'outcome=report-missing' || { cat "$SIM_DIR/w.log"; fail "not report-missing: $line"; }
echo "$line" | grep -q 'moved_to="done/uren-nov.csv"' || fail "not in done/: $line"
echo "$line" | grep -q 'data is in Loket' || fail "the outcome does not say the data is in Loket: $line"
echo "$line" | grep -q 'detail="[^"]*xlsx' || fail "the cause is not the report: $line"
echo "$line" | grep -qi 'move the file back' && fail "tells to move the file back: $line"
[ -e "$W/failed/uren-nov.csv" ] && fail "the file went to failed/"
v=$(sim_state | jq '[.payrollPeriodData[] | select(.employeeNumber == 1001 and .payrollPeriodId == 202611)
    | .payrollComponents[] | select(.payrollComponent.key == 10) | .value] | first')
[ "$v" = 159 ] || fail "employee 1001 has $v hours in Loket, expected 159"
grep -qx 'report-missing' "$SIM_DIR/hook.out" 2>/dev/null || fail "the onFailure hook did not run"
# the registry knows the content as imported
cp "$W/done/uren-nov.csv" "$W/inbox/uren-nov-again.csv"
timeout 120 "$IMPORT" watch "$W" --once --config "$cfg" 2>"$SIM_DIR/w2.log"
grep -q 'file="uren-nov-again.csv" action=done outcome=duplicate' "$SIM_DIR/w2.log" ||
    { cat "$SIM_DIR/w2.log"; fail "the same content again is not a duplicate"; }
echo "ok"
