#!/bin/sh
# revert_run.sh: 'revert RUN' puts back what Loket held before an apply. On loket-sim: the
# sample's apply creates 23 records and changes 2; --dry-run sends nothing; revert deletes the
# created ones (DELETE) and restores the changed ones (PATCH with the old values, null where
# there was none), after which Loket's November equals the state before the apply exactly.
# Records someone changed after the run are refused and named (exit 1) while the others are
# restored; --force restores them too. A kill -9 in the middle of a revert, then --resume:
# the same end state, every record written once over both, in one run folder. A running apply
# is not reverted. Every other sample (cost centers, distribution units, 4-weekly periods,
# several employers, daily XLSX, a partial apply) is reverted exactly too.
# sim-modes: both
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh"
start_import_sim
CSV=$(sample uren-maand-40101-2026-11.csv)
MAP=$(mapping uren-maand-excel.json)
RUNS=$SIM_DIR/runs
DEL='/providers/employers/employees/employments/payrollperioddata/{payrollperioddataId}'
november() {
    sim_state | jq -S -c '[.payrollPeriodData[] | select(.payrollPeriodId == 202611)
        | {e: .employmentId, cc: .costCenter.key, cu: .costUnit.key, s: .shift.shiftNumber,
           p: .payslipType.key, v: [.payrollComponents[] | [.payrollComponent.key, .value, .isSupplement]]}]
        | sort_by(.e, .cc, .cu)'
}
deletes() { sim_count DELETE "$DEL"; }
writes() { echo $(($(patch_count) + $(deletes))); }
revert() { "$IMPORT_BIN" revert "$@" --config "$SIM_DIR/config.json" >"$SIM_DIR/rv.out" 2>"$SIM_DIR/rv.err"; RV_RC=$?; }
last_run() { ls "$RUNS" | tail -n 1; }
outside_patch() { # employee-number component value: someone changes a record in Loket
    e=$(jq -r --argjson n "$1" '.records[] | select(.employeeNumber == $n) | .employmentId' "$RUNS/$R/plan.json")
    jq -c --argjson n "$1" --argjson k "$2" --argjson v "$3" '.records[] | select(.employeeNumber == $n) | .body
        | .payrollComponents = [{payrollComponent: {key: $k}, value: $v}]' "$RUNS/$R/plan.json" >"$SIM_DIR/edit.json"
    SIM_TOKEN=$(jq -r .accessToken "$SIM_DIR/tokens.json")
    api PATCH "/providers/employers/employees/employments/$e/payrollperioddata" \
        -H "Content-Type: application/json;version=2018-01-01" --data @"$SIM_DIR/edit.json" >/dev/null
    [ "$(api_status)" = 200 ] || fail "the outside change was refused: $(cat "$SIM_DIR/body")"
}

BEFORE=$(november)

# ---- 1. apply, revert --dry-run, revert: exactly the state before
li apply "$CSV" -m "$MAP" --period 2026-11
[ "$LI_RC" = 0 ] || fail "apply exit $LI_RC"
R=$(last_run)
AFTER=$(november)
[ "$AFTER" != "$BEFORE" ] || fail "the apply changed nothing: no test"
w0=$(writes)
revert "$R" --dry-run
[ "$RV_RC" = 0 ] || { cat "$SIM_DIR/rv.err"; fail "revert --dry-run exit $RV_RC"; }
grep -q "plan: 2 to restore, 23 to delete, 0 as before, 0 refused" "$SIM_DIR/rv.out" || fail "dry run plan: $(tail -n 1 "$SIM_DIR/rv.out")"
# records named as people name them: period, cost centre, component names; no internal key
grep -q "employee 1001 Jansen, J., period November 2026, cost centre PROD Productie: restore: Uren gewerkt (10): 166 -> 152, Overuren 125% (11): 1.75 -> no value" "$SIM_DIR/rv.out" ||
    fail "the plan does not show old values by name: $(grep 'employee 1001 ' "$SIM_DIR/rv.out")"
grep -q "shift=\|payslipType=\|202611|" "$SIM_DIR/rv.out" && fail "the plan shows internal record keys"
[ "$(writes)" = "$w0" ] || fail "revert --dry-run wrote to Loket"
revert "$R"
[ "$RV_RC" = 0 ] || { cat "$SIM_DIR/rv.out" "$SIM_DIR/rv.err"; fail "revert exit $RV_RC"; }
[ "$(november)" = "$BEFORE" ] || fail "after revert Loket does not hold what it held before the run"
[ "$(deletes)" = 23 ] || fail "$(deletes) DELETEs, expected one per created record (23)"
[ "$(patch_count)" = $((25 + 2)) ] || fail "expected 2 restoring PATCHes"
RR=$(last_run)
jq -e --arg r "$R" '.command == "revert" and .reverts == $r and .status == "finished" and .counts.done == 25' \
    "$RUNS/$RR/run.json" >/dev/null || fail "the revert's run folder: $(cat "$RUNS/$RR/run.json")"
# again: nothing left to do
w0=$(writes)
revert "$R"
[ "$RV_RC" = 0 ] || fail "a second revert: exit $RV_RC"
grep -q "0 to restore, 0 to delete, 25 as before" "$SIM_DIR/rv.out" || fail "a second revert: $(cat "$SIM_DIR/rv.out")"
[ "$(writes)" = "$w0" ] || fail "a second revert wrote to Loket"

# ---- 2. records changed after the run are refused, unless --force
sim_reset
li apply "$CSV" -m "$MAP" --period 2026-11
R=$(last_run)
outside_patch 1001 10 170   # a changed record corrected again by hand
outside_patch 1003 31 2     # a created record given one more component
CHANGED=$(november)
revert "$R"
[ "$RV_RC" = 1 ] || { cat "$SIM_DIR/rv.out" "$SIM_DIR/rv.err"; fail "revert with since-modified records: exit $RV_RC, expected 1"; }
grep -q "employee 1001 .*refused: Uren gewerkt (10): the run sent 166, Loket now holds 170" "$SIM_DIR/rv.out" ||
    fail "the refusal does not name 1001's change: $(grep 1001 "$SIM_DIR/rv.out")"
grep -q "employee 1003 .*refused: component 31 was added after the run (2)" "$SIM_DIR/rv.out" ||
    fail "the refusal does not name 1003's change: $(grep 1003 "$SIM_DIR/rv.out")"
grep -q "2 refused" "$SIM_DIR/rv.out" || fail "not exactly two refused"
# the refused ones are as they were; the others as before the run
st=$(november)
[ "$(printf '%s' "$st" | jq -c --arg e "$(employment_ids 1001)" '.[] | select(.e == $e)')" = \
  "$(printf '%s' "$CHANGED" | jq -c --arg e "$(employment_ids 1001)" '.[] | select(.e == $e)')" ] || fail "a refused record was changed"
[ "$(printf '%s' "$st" | jq -c --arg e "$(employment_ids 1004)" '.[] | select(.e == $e)')" = "" ] || fail "1004's created record was not deleted"
revert "$R" --force
[ "$RV_RC" = 0 ] || { cat "$SIM_DIR/rv.out"; fail "revert --force exit $RV_RC"; }
[ "$(november)" = "$BEFORE" ] || fail "after revert --force Loket does not hold what it held before the run"

# ---- 3. kill -9 in the middle of a revert, then --resume
sim_reset
li apply "$CSV" -m "$MAP" --period 2026-11
R=$(last_run)
curl -s -X POST "$SIM_ROOT/__sim/faults" -d '{"latencyMs": 150}' >/dev/null
w0=$(writes)
nruns=$(ls "$RUNS" | grep -c .)
"$IMPORT_BIN" revert "$R" --concurrency 1 --config "$SIM_DIR/config.json" >"$SIM_DIR/bg.out" 2>&1 &
pid=$!
i=0
while [ "$(writes)" -lt $((w0 + 8)) ]; do
    i=$((i + 1)); [ $i -lt 600 ] || { kill -9 $pid; fail "the revert never wrote 8 records"; }
    kill -0 $pid 2>/dev/null || { cat "$SIM_DIR/bg.out"; fail "the revert ended before the kill"; }
    sleep 0.02
done
kill -9 $pid
wait $pid 2>/dev/null
sleep 0.5
curl -s -X POST "$SIM_ROOT/__sim/faults" -d '{"latencyMs": 0}' >/dev/null
before_resume=$(writes)
[ $((before_resume - w0)) -lt 25 ] || fail "every record was written before the kill; no window"
revert "$R" --resume
[ "$RV_RC" = 0 ] || { cat "$SIM_DIR/rv.out" "$SIM_DIR/rv.err"; fail "revert --resume exit $RV_RC"; }
[ "$(november)" = "$BEFORE" ] || fail "after kill -9 and --resume Loket does not hold what it held before"
[ "$(($(writes) - w0))" = 25 ] || fail "$(($(writes) - w0)) writes over the kill and the resume, expected 25 (each record once)"
[ "$(ls "$RUNS" | grep -c .)" = $((nruns + 1)) ] || fail "--resume made a new run folder"
jq -e '.status == "finished" and (.resumed | length) == 1' "$RUNS/$(last_run)/run.json" >/dev/null ||
    fail "the resumed revert is not finished in its folder"
echo "kill -9: $((before_resume - w0)) written before the kill, $(($(writes) - before_resume)) by --resume"
REV=$(last_run)

# ---- 4. what cannot be reverted
# a run still in progress (its lock is held), and --resume of it from a second process
sim_reset
curl -s -X POST "$SIM_ROOT/__sim/faults" -d '{"latencyMs": 150}' >/dev/null
"$IMPORT_BIN" apply "$CSV" -m "$MAP" --period 2026-11 --concurrency 1 --config "$SIM_DIR/config.json" \
    >"$SIM_DIR/bg.out" 2>&1 &
pid=$!
i=0
while [ "$(patch_count)" -lt 2 ]; do
    i=$((i + 1)); [ $i -lt 500 ] || fail "the apply never started sending"
    sleep 0.02
done
RA=$(last_run)
revert "$RA"
[ "$RV_RC" = 3 ] || fail "revert of a running apply: exit $RV_RC, expected 3"
grep -q "still running" "$SIM_DIR/rv.err" || fail "revert of a running apply: $(cat "$SIM_DIR/rv.err")"
li apply "$CSV" -m "$MAP" --period 2026-11 --resume
[ "$LI_RC" = 3 ] || fail "--resume of a run another process is running: exit $LI_RC, expected 3"
grep -q "in use by another loket-import" "$SIM_DIR/li.err" || fail "no clear message for a run in use"
wait $pid
curl -s -X POST "$SIM_ROOT/__sim/faults" -d '{"latencyMs": 0}' >/dev/null
revert 20000101T000000Z-000000-0000
[ "$RV_RC" = 2 ] || fail "revert of an unknown run: exit $RV_RC, expected 2"
revert "$REV"
[ "$RV_RC" = 2 ] || fail "revert of a revert: exit $RV_RC, expected 2"

# ---- 5. every sample: apply, revert, and Loket holds exactly what it held before
# Everything Loket holds, every period, normalised (record ids and versions left out).
everything() {
    sim_state | jq -S -c '[.payrollPeriodData[] | {e: .employmentId, p: .payrollPeriodId, cc: .costCenter.key,
        cu: .costUnit.key, du: .distributionUnit.key, s: .shift.shiftNumber, t: .payslipType.key,
        v: [.payrollComponents[] | [.payrollComponent.key, .value, .isSupplement]]}] | sort_by(.e, .p, .cc, .cu, .du, .s, .t)'
}
# every sample with its mapping (as engine_samples.sh runs them): NAME FILE MAPPING [args]
each_sample() { # function
    $1 template loket-template-40101-2026-11.csv loket-template.json --period 2026-11 --employer 40101
    $1 kostenplaats loket-template-kostenplaats-40101-2026-11.csv loket-template-kostenplaats.json --period 2026-11 --employer 40101
    $1 verdeling loket-template-verdeling-40101-2026-11.csv loket-template-verdeling.json --period 2026-11 --employer 40101
    $1 lang variabele-gegevens-40102-2026-P12.csv variabele-gegevens-lang.json
    $1 multi uren-meerdere-werkgevers-2026-11.csv meerdere-werkgevers.json
    $1 daily uren-dagelijks-40201-2026-11.xlsx uren-dagelijks-xlsx.json
    $1 partial fouten-40101-2026-11.csv fouten-voorbeeld.json --allow-partial
}
revert_sample() {
    name=$1 f=$(sample "$2") m=$(mapping "$3")
    shift 3
    sim_reset
    before=$(everything)
    li apply "$f" -m "$m" "$@"
    case $LI_RC in 0 | 1) ;; *) fail "$name: apply exit $LI_RC" ;; esac
    [ "$(everything)" != "$before" ] || fail "$name: the apply changed nothing: no test"
    revert "$(last_run)" --quiet
    [ "$RV_RC" = 0 ] || { cat "$SIM_DIR/rv.out" "$SIM_DIR/rv.err"; fail "$name: revert exit $RV_RC"; }
    [ "$(everything)" = "$before" ] || fail "$name: after revert Loket does not hold what it held before"
    echo "$name: $(grep '^plan:' "$SIM_DIR/rv.out")"
}
# ---- a changed record someone deleted in Loket after the run: refused, the reason said once
sim_reset
li apply "$CSV" -m "$MAP" --period 2026-11
R=$(last_run)
E=$(jq -r '.records[] | select(.employeeNumber == 1001) | .employmentId' "$RUNS/$R/plan.json")
ID=$(sim_state | jq -r --arg e "$E" '.payrollPeriodData[] | select(.employmentId == $e and .payrollPeriodId == 202611) | .id')
[ -n "$ID" ] || fail "no record of 1001 in the simulator"
SIM_TOKEN=$(jq -r .accessToken "$SIM_DIR/tokens.json")
api DELETE "/providers/employers/employees/employments/payrollperioddata/$ID" >/dev/null
[ "$(api_status)" = 200 ] || fail "the outside delete was refused: $(api_status)"
revert "$R" --dry-run
[ "$RV_RC" = 1 ] || fail "revert of a deleted record: exit $RV_RC, expected 1"
grep "employee 1001 " "$SIM_DIR/rv.out" | grep -q "refused: the record is no longer in Loket; --force" ||
    fail "the refusal of a deleted record: $(grep 'employee 1001 ' "$SIM_DIR/rv.out")"
grep -q "no valuethe" "$SIM_DIR/rv.out" && fail "the refusal runs two texts together"

each_sample revert_sample
echo "revert_run: ok"
