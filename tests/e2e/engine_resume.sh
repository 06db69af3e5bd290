#!/bin/sh
# engine_resume.sh: kill -9 during apply at several points, then apply --resume: the final state
# and report equal those of an uninterrupted run, and nothing the journal confirmed before the
# kill is sent again (journal compared with the simulator's request log). Also: a journal of other
# input is refused (exit 2), SIGTERM stops cleanly with exit 5 and --resume finishes,
# collective mode ends in the same state as per-employment mode, and kill -9 in collective mode
# followed by --resume ends there too without sending a confirmed employment again.
# sim-modes: both
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh"
start_import_sim --latency-ms 200
OUT=$SIM_DIR/reports
mkdir -p "$OUT"
CSV=$(sample uren-maand-40101-2026-11.csv)
MAP=$(mapping uren-maand-excel.json)
ARGS="--period 2026-11 --concurrency 2"

# Everything Loket holds for November (engine_lib.sh)
november() { period_state 202611; }
# The report as an operator reads it: who, outcome, old -> new; not timings or attempts.
report_view() {
    jq -S -c '[.records[] | {n: .employee.number, pid: .employment.payroll_id, o: .outcome,
        c: [.components[] | [.key, .old_value, .new_value]]}] | sort_by(.n, .pid)' "$1"
}

# ---- the uninterrupted run: the reference
li apply "$CSV" -m "$MAP" $ARGS --report "$OUT/ref.json" --journal "$SIM_DIR/ref.journal"
[ "$LI_RC" = 0 ] || { cat "$SIM_DIR/li.out"; fail "reference apply exit $LI_RC"; }
REF_STATE=$(november)
REF_REPORT=$(report_view "$OUT/ref.json")
grep -q "\"key\":\"run:complete\"" "$SIM_DIR/ref.journal" || fail "a finished run should mark its journal complete"

# wait_patches N PID: until the simulator answered N PATCH requests; fails when the apply PID
# ended first or after 30 s (a broken apply must fail the script, not hang it)
wait_patches() {
    i=0
    while [ "$(patch_count)" -lt "$1" ]; do
        i=$((i + 1))
        [ $i -lt 1500 ] || { kill -9 "$2" 2>/dev/null; fail "the PATCH count never reached $1"; }
        kill -0 "$2" 2>/dev/null || { cat "$SIM_DIR/bg.out" 2>/dev/null; fail "apply ended before $1 PATCH requests"; }
        sleep 0.02
    done
}
# settle: requests a killed run had in flight are still logged by the simulator after its
# latency; waits until the count is stable (at most 20 s)
settle() {
    before=$(patch_count) i=0
    while sleep 0.5; now=$(patch_count); [ "$now" != "$before" ]; do
        before=$now i=$((i + 1))
        [ $i -lt 40 ] || fail "the simulator's PATCH count is still changing after 20 s"
    done
}

# kill_at N: start apply, kill -9 once N PATCH requests were answered, then --resume
kill_at() {
    sim_reset
    J=$SIM_DIR/run$1.journal
    rm -f "$J" "$J.done"
    "$IMPORT_BIN" apply "$CSV" -m "$MAP" $ARGS --config "$SIM_DIR/config.json" \
        --report "$OUT/run$1.json" --journal "$J" >"$SIM_DIR/bg.out" 2>&1 &
    pid=$!
    wait_patches "$1" $pid
    kill -9 $pid
    wait $pid 2>/dev/null
    sleep 0.5 # requests the simulator had already taken are logged when answered
    sent_before=$(patch_count)
    [ "$sent_before" -lt 25 ] || fail "kill_at $1: every PATCH went out before the kill; no window"
    [ -f "$J" ] || fail "kill_at $1: no journal after the kill"
    # the employments the journal confirmed (not intents)
    confirmed=$(jq -r 'select(.key != null and (.key | startswith("intent:") | not)) | .key | split("/")[0]' "$J" 2>/dev/null | sort -u)
    li apply "$CSV" -m "$MAP" $ARGS --report "$OUT/run$1.json" --journal "$J" --resume
    [ "$LI_RC" = 0 ] || { cat "$SIM_DIR/li.out" "$SIM_DIR/li.err"; fail "kill_at $1: resume exit $LI_RC"; }
    [ "$(november)" = "$REF_STATE" ] || fail "kill_at $1: state after resume differs from the uninterrupted run"
    got=$(report_view "$OUT/run$1.json")
    [ "$got" = "$REF_REPORT" ] || fail "kill_at $1: report after resume differs:
$got
reference:
$REF_REPORT"
    # what the resume sent: the PATCH lines after the first $sent_before
    sim_requests | jq -r --argjson n "$sent_before" \
        '[.recent[] | select(.method == "PATCH")] | .[$n:] | .[].path' >"$SIM_DIR/resent"
    for e in $confirmed; do
        grep -q "$e" "$SIM_DIR/resent" && fail "kill_at $1: employment $e was confirmed in the journal and sent again"
    done
    # across the kill and the resume every record was written exactly once: one PATCH per
    # employment (each has one record in this sample), none twice
    sim_requests | jq -r '.recent[] | select(.method == "PATCH") | .path' | sort | uniq -c |
        awk '$1 != 1 { print }' >"$SIM_DIR/twice"
    [ -s "$SIM_DIR/twice" ] && fail "kill_at $1: written more than once: $(cat "$SIM_DIR/twice")"
    [ "$(sim_requests | jq '[.recent[] | select(.method == "PATCH")] | length')" = 25 ] ||
        fail "kill_at $1: expected 25 PATCH requests over the kill and the resume"
    total=$(patch_count)
    nconf=$(printf '%s\n' $confirmed | grep -c . || true)
    [ $((total - sent_before)) -le $((25 - nconf)) ] || fail "kill_at $1: resume sent $((total - sent_before)) records, more than the $((25 - nconf)) unconfirmed"
    echo "kill_at $1: $sent_before sent before the kill, $nconf confirmed in the journal, $((total - sent_before)) sent by --resume"
}
kill_at 1
kill_at 9
kill_at 20

# ---- a journal of other input is refused
sim_reset
J=$SIM_DIR/other.journal
"$IMPORT_BIN" apply "$CSV" -m "$MAP" $ARGS --config "$SIM_DIR/config.json" --journal "$J" >"$SIM_DIR/bg.out" 2>&1 &
pid=$!
wait_patches 3 $pid
kill -9 $pid
wait $pid 2>/dev/null
LC_ALL=C sed 's/^1003;1;\(.*\);162,00;/1003;1;\1;150;/' "$CSV" >"$SIM_DIR/other.csv"
settle
li apply "$SIM_DIR/other.csv" -m "$MAP" $ARGS --journal "$J" --resume --report "$OUT/other.json"
[ "$LI_RC" = 2 ] || fail "resume with another file's journal: exit $LI_RC, expected 2"
grep -q 'belongs to another run' "$SIM_DIR/li.err" || fail "no clear message for a foreign journal"
[ "$(jq '[.records[] | select(.outcome == "created" or .outcome == "updated")] | length' "$OUT/other.json")" = 0 ] ||
    fail "a refused resume reports records as created/updated: $(jq -c '[.records[] | .outcome] | group_by(.) | map({(.[0]): length}) | add' "$OUT/other.json")"
[ "$(patch_count)" = "$before" ] || fail "resume with a foreign journal sent something"
# and a fresh apply next to an unfinished journal is refused too
li apply "$CSV" -m "$MAP" $ARGS --journal "$J"
[ "$LI_RC" = 2 ] || fail "apply next to an unfinished journal: exit $LI_RC, expected 2"
[ "$(patch_count)" = "$before" ] || fail "apply next to an unfinished journal sent something"

# ---- SIGTERM: in-flight requests finish, the report says what was not sent, exit 5
sim_reset
J=$SIM_DIR/term.journal
"$IMPORT_BIN" apply "$CSV" -m "$MAP" $ARGS --config "$SIM_DIR/config.json" --journal "$J" \
    --report "$OUT/term.json" >"$SIM_DIR/bg.out" 2>&1 &
pid=$!
wait_patches 4 $pid
kill -TERM $pid
wait $pid
rc=$?
[ "$rc" = 5 ] || { cat "$SIM_DIR/bg.out"; fail "SIGTERM: exit $rc, expected 5"; }
[ -f "$OUT/term.json" ] || fail "SIGTERM: no report written"
ns=$(jq '[.records[] | select(.outcome == "not_sent")] | length' "$OUT/term.json")
[ "$ns" -gt 0 ] || fail "SIGTERM: the report lists nothing as not sent"
done_n=$(jq '[.records[] | select(.outcome == "created" or .outcome == "updated")] | length' "$OUT/term.json")
[ "$done_n" = "$(patch_count)" ] || fail "SIGTERM: report says $done_n sent, the simulator got $(patch_count)"
li apply "$CSV" -m "$MAP" $ARGS --journal "$J" --resume --report "$OUT/term2.json"
[ "$LI_RC" = 0 ] || fail "resume after SIGTERM: exit $LI_RC"
[ "$(november)" = "$REF_STATE" ] || fail "resume after SIGTERM: state differs"
[ "$(report_view "$OUT/term2.json")" = "$REF_REPORT" ] || fail "resume after SIGTERM: report differs"
[ "$(patch_count)" = 25 ] || fail "SIGTERM + resume sent $(patch_count) PATCH requests, expected 25"

# ---- collective mode: the same final state in fewer requests
sim_reset
li apply "$CSV" -m "$MAP" $ARGS --collective=10 --report "$OUT/coll.json" --journal "$SIM_DIR/coll.journal" --verify
[ "$LI_RC" = 0 ] || { cat "$SIM_DIR/li.out"; fail "collective apply exit $LI_RC"; }
[ "$(november)" = "$REF_STATE" ] || fail "collective: state differs from per-employment mode"
[ "$(sim_count PATCH "$PPD_COLL")" = 3 ] || fail "collective: expected 3 calls of 10, got $(sim_count PATCH "$PPD_COLL")"
[ "$(sim_count PATCH "$PPD_ONE")" = 0 ] || fail "collective: per-employment PATCH used"
[ "$(report_view "$OUT/coll.json")" = "$REF_REPORT" ] || fail "collective: report differs from per-employment mode"

# ---- kill -9 in collective mode (13 calls of 2 employments, 500 ms each), then --resume: the same
# state and report as the uninterrupted run, and no employment the journal confirmed before the
# kill is in a body the resume sends (the bodies are read from the resume's trace)
sim_reset
curl -s --max-time 20 -X POST "$SIM_ROOT/__sim/faults" -d '{"latencyMs": 500}' >/dev/null || fail "faults"
J=$SIM_DIR/collkill.journal
"$IMPORT_BIN" apply "$CSV" -m "$MAP" $ARGS --collective=2 --config "$SIM_DIR/config.json" \
    --report "$OUT/collkill.json" --journal "$J" >"$SIM_DIR/bg.out" 2>&1 &
pid=$!
wait_patches 2 $pid
kill -9 $pid
wait $pid 2>/dev/null
settle
sent_before=$(patch_count)
[ "$sent_before" -lt 13 ] || fail "collective kill: every call went out before the kill; no window"
confirmed=$(jq -r 'select(.key != null and (.key | startswith("intent:") | not)) | .key | split("/")[0]' "$J" 2>/dev/null | sort -u)
# (under --strict-minimal a collective 200 names no record: they are confirmed by reading back,
# after the calls, so the journal may confirm none yet)
[ -n "$confirmed" ] || [ "${LOKET_SIM_MODE:-normal}" = minimal ] ||
    fail "collective kill: the journal confirmed nothing of the $sent_before calls answered"
li apply "$CSV" -m "$MAP" $ARGS --collective=2 --journal "$J" --resume --report "$OUT/collkill.json" \
    --trace "$SIM_DIR/collkill.trace"
[ "$LI_RC" = 0 ] || { cat "$SIM_DIR/li.out" "$SIM_DIR/li.err"; fail "collective kill: resume exit $LI_RC"; }
[ "$(november)" = "$REF_STATE" ] || fail "collective kill: state after resume differs from the uninterrupted run"
[ "$(report_view "$OUT/collkill.json")" = "$REF_REPORT" ] || fail "collective kill: report after resume differs:
$(report_view "$OUT/collkill.json")
reference:
$REF_REPORT"
sed -n 's/^> \(\[.*\]\)$/\1/p' "$SIM_DIR/collkill.trace" | jq -r '.[].employmentId' | sort -u >"$SIM_DIR/resent"
[ "$(patch_count)" -eq "$sent_before" ] || [ -s "$SIM_DIR/resent" ] ||
    fail "collective kill: the resume sent PATCH calls whose bodies the trace does not show"
for e in $confirmed; do
    grep -qx "$e" "$SIM_DIR/resent" && fail "collective kill: employment $e was confirmed in the journal and sent again"
done
nconf=$(printf '%s\n' $confirmed | grep -c . || true)
echo "collective kill: $sent_before calls answered before the kill, $nconf employments confirmed, $(wc -l <"$SIM_DIR/resent") sent by --resume"
echo "engine_resume: ok"
