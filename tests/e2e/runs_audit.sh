#!/bin/sh
# runs_audit.sh: the audit trail. Every apply leaves a new run folder in the state directory
# (here beside the test's token store): the inputs' SHA-256 (sha256sum -c passes), a copy of the
# mapping, the plan, the journal and the three reports when --report is not given; a second
# apply with the same report name makes a second folder and leaves the first byte for byte;
# 'runs' and 'runs show' list them; a bad report or journal path stops the run with exit 3
# before any request (simulator's request log); a symlinked runs folder is refused; kill -9
# then --resume finishes the same run folder; an apply from watch leaves a run folder too.
# sim-modes: both
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh"
start_import_sim
CSV=$(sample uren-maand-40101-2026-11.csv)
MAP=$(mapping uren-maand-excel.json)
RUNS=$SIM_DIR/runs
requests() { sim_requests | jq '[.counts[]] | add // 0'; }
runs_count() { ls "$RUNS" 2>/dev/null | grep -c . ; }

# ---- 1. an apply without --report: everything in one new folder
li apply "$CSV" -m "$MAP" --period 2026-11
[ "$LI_RC" = 0 ] || { cat "$SIM_DIR/li.out" "$SIM_DIR/li.err"; fail "apply exit $LI_RC"; }
[ "$(runs_count)" = 1 ] || fail "expected one run folder, found $(runs_count)"
R1=$(ls "$RUNS")
F1=$RUNS/$R1
for f in run.json inputs.sha256 mapping.json plan.json journal report.json report.csv report.xlsx; do
    [ -f "$F1/$f" ] || fail "run folder lacks $f"
done
[ "$(stat -c %a "$F1")" = 700 ] || fail "run folder mode $(stat -c %a "$F1"), expected 700"
grep -q "run $R1: $F1" "$SIM_DIR/li.out" || fail "the run folder is not printed"
grep -q "report: $F1/report.xlsx" "$SIM_DIR/li.out" || fail "the report path is not printed"
(cd / && sha256sum -c --quiet "$F1/inputs.sha256") || fail "inputs.sha256 does not check"
grep -q "$(sha256sum "$CSV" | cut -c1-64)" "$F1/inputs.sha256" || fail "inputs.sha256 lacks the file's hash"
cmp -s "$MAP" "$F1/mapping.json" || fail "mapping.json is not a copy of the mapping"
jq -e '.status == "finished" and .exitCode == 0 and .counts.created == 23 and .counts.updated == 2
       and .employers == ["Bakkerij Van den Berg B.V."] and .periods == ["2026-P11"]
       and (.files[0].path | endswith("uren-maand-40101-2026-11.csv"))' "$F1/run.json" >/dev/null ||
    fail "run.json does not say what the run was: $(cat "$F1/run.json")"
grep -q '"key":"run:complete"' "$F1/journal" || fail "the run's journal is not complete"
# the plan kept holds the values before the run (1001's hours were 152 in the fixture)
jq -e '[.records[] | select(.employeeNumber == 1001) | .components[] | select(.key == 10) | .old] == ["152"]' \
    "$F1/plan.json" >/dev/null || fail "plan.json lacks Loket's old value"
[ "$(jq '.records | length' "$F1/report.json")" = 25 ] || fail "report.json of the run is not the full report"

# ---- 2. again, with a report name: a new folder, the first one untouched
(cd "$F1" && sha256sum * >"$SIM_DIR/first.sums")
li apply "$CSV" -m "$MAP" --period 2026-11 --report "$SIM_DIR/apply.json"
[ "$LI_RC" = 0 ] || fail "second apply exit $LI_RC"
li apply "$CSV" -m "$MAP" --period 2026-11 --report "$SIM_DIR/apply.json"
[ "$LI_RC" = 0 ] || fail "third apply exit $LI_RC"
[ "$(runs_count)" = 3 ] || fail "expected three run folders, found $(runs_count)"
(cd "$F1" && sha256sum -c --quiet "$SIM_DIR/first.sums") || fail "the first run folder changed"
R3=$(ls "$RUNS" | tail -n 1)
[ -f "$RUNS/$R3/report.json" ] || fail "with --report the run folder still keeps report.json"
[ -f "$RUNS/$R3/report.xlsx" ] && fail "with --report the run folder should not write report.xlsx"
jq -e '.counts.unchanged == 25' "$RUNS/$R3/run.json" >/dev/null || fail "third run: not all unchanged"

# ---- 3. runs, runs --json, runs show
"$IMPORT_BIN" runs --config "$SIM_DIR/config.json" >"$SIM_DIR/runs.out" || fail "runs exit $?"
[ "$(grep -c '^2026\|^20[0-9][0-9]' "$SIM_DIR/runs.out")" = 3 ] || fail "runs lists $(cat "$SIM_DIR/runs.out")"
grep "^$R1 " "$SIM_DIR/runs.out" | grep -q "finished .*uren-maand-40101-2026-11.csv .*Bakkerij Van den Berg B.V. .*2026-P11 .*created 23, updated 2" ||
    fail "runs line of the first run: $(grep "^$R1" "$SIM_DIR/runs.out")"
"$IMPORT_BIN" runs --json --config "$SIM_DIR/config.json" >"$SIM_DIR/runs.json" || fail "runs --json"
jq -e --arg r "$R1" 'length == 3 and .[0].id == $r and .[0].active == false' "$SIM_DIR/runs.json" >/dev/null ||
    fail "runs --json: $(cat "$SIM_DIR/runs.json")"
"$IMPORT_BIN" runs show "$R1" --config "$SIM_DIR/config.json" >"$SIM_DIR/show.out" || fail "runs show exit $?"
grep -q "^folder: *$F1$" "$SIM_DIR/show.out" || fail "runs show lacks the folder"
grep -q "^report: *$F1/report.xlsx$" "$SIM_DIR/show.out" || fail "runs show lacks the reports"
"$IMPORT_BIN" runs show "$R1" --json --config "$SIM_DIR/config.json" | jq -e --arg f "$F1" '.folder == $f' >/dev/null ||
    fail "runs show --json lacks the folder"
"$IMPORT_BIN" runs show 20000101T000000Z-000000 --config "$SIM_DIR/config.json" 2>"$SIM_DIR/e"
[ $? = 2 ] || fail "runs show of an unknown run: expected exit 2"
"$IMPORT_BIN" runs show ../.. --config "$SIM_DIR/config.json" 2>/dev/null
[ $? = 2 ] || fail "runs show ../..: expected exit 2"

# ---- 4. bad output paths: exit 3 before any request
sim_reset
before=$(requests)
nruns=$(runs_count)
li apply "$CSV" -m "$MAP" --period 2026-11 --report "$SIM_DIR/no-such-folder/apply.xlsx"
[ "$LI_RC" = 3 ] || fail "report in a missing folder: exit $LI_RC, expected 3"
grep -q "no-such-folder" "$SIM_DIR/li.err" || fail "the error does not name the bad folder"
li apply "$CSV" -m "$MAP" --period 2026-11 --report "$SIM_DIR/apply.pdf"
[ "$LI_RC" = 3 ] || fail "report with an unknown extension: exit $LI_RC, expected 3"
li apply "$CSV" -m "$MAP" --period 2026-11 --report "$SIM_DIR"
[ "$LI_RC" = 3 ] || fail "report naming a folder: exit $LI_RC, expected 3"
li apply "$CSV" -m "$MAP" --period 2026-11 --journal "$SIM_DIR/no-such-folder/j"
[ "$LI_RC" = 3 ] || fail "journal in a missing folder: exit $LI_RC, expected 3"
li plan "$CSV" -m "$MAP" --period 2026-11 --report "$SIM_DIR/no-such-folder/plan.csv"
[ "$LI_RC" = 3 ] || fail "plan with a report in a missing folder: exit $LI_RC, expected 3"
[ "$(requests)" = "$before" ] || fail "a run with a bad output path made requests"
[ "$(runs_count)" = "$nruns" ] || fail "a run refused on its command line left a run folder"

# ---- 4b. a broken mapping: exit 2, nothing sent, and the run folder says why
printf '{"name": "kapot", ' >"$SIM_DIR/broken-mapping.json"
nruns=$(runs_count)
li apply "$CSV" -m "$SIM_DIR/broken-mapping.json" --period 2026-11
[ "$LI_RC" = 2 ] || fail "apply with a broken mapping: exit $LI_RC, expected 2"
[ "$(runs_count)" = $((nruns + 1)) ] || fail "an apply stopped by its mapping left no run folder"
RB=$RUNS/$(ls "$RUNS" | tail -n 1)
jq -e '.status == "nothing sent" and .exitCode == 2 and (.error | contains("broken-mapping.json"))' "$RB/run.json" >/dev/null ||
    fail "the run folder of a broken mapping does not say why: $(cat "$RB/run.json")"
cmp -s "$SIM_DIR/broken-mapping.json" "$RB/mapping.json" || fail "the run folder lacks the copy of the broken mapping"
[ "$(requests)" = "$before" ] || fail "an apply with a broken mapping made requests"

# ---- 5. a runs folder that is a symlink is refused (exit 3, nothing sent)
jq --arg d "$SIM_DIR/linked-runs" '. + {runsDir: $d}' "$SIM_DIR/config.json" >"$SIM_DIR/linked.json"
mkdir "$SIM_DIR/elsewhere"
ln -s "$SIM_DIR/elsewhere" "$SIM_DIR/linked-runs"
"$IMPORT_BIN" apply "$CSV" -m "$MAP" --period 2026-11 --config "$SIM_DIR/linked.json" >/dev/null 2>"$SIM_DIR/e"
[ $? = 3 ] || fail "a symlinked runs folder: expected exit 3"
grep -q "symbolic link" "$SIM_DIR/e" || fail "no clear message for a symlinked runs folder: $(cat "$SIM_DIR/e")"
[ "$(patch_count)" = 0 ] || fail "a run with a symlinked runs folder sent something"
[ -z "$(ls "$SIM_DIR/elsewhere")" ] || fail "a run folder was made through the symlink"

# ---- 6. kill -9 in the middle, then --resume: the same folder, finished
sim_reset
curl -s -X POST "$SIM_ROOT/__sim/faults" -d '{"latencyMs": 150}' >/dev/null
nruns=$(runs_count)
"$IMPORT_BIN" apply "$CSV" -m "$MAP" --period 2026-11 --concurrency 1 --config "$SIM_DIR/config.json" \
    >"$SIM_DIR/bg.out" 2>&1 &
pid=$!
i=0
while [ "$(patch_count)" -lt 5 ]; do
    i=$((i + 1)); [ $i -lt 500 ] || fail "the apply never sent 5 records"
    sleep 0.02
done
kill -9 $pid
wait $pid 2>/dev/null
[ "$(runs_count)" = $((nruns + 1)) ] || fail "the killed apply left no run folder"
RK=$(ls "$RUNS" | tail -n 1)
"$IMPORT_BIN" runs --config "$SIM_DIR/config.json" | grep "^$RK " | grep -q interrupted ||
    fail "runs does not show the killed run as interrupted"
curl -s -X POST "$SIM_ROOT/__sim/faults" -d '{"latencyMs": 0}' >/dev/null
li apply "$CSV" -m "$MAP" --period 2026-11 --resume
[ "$LI_RC" = 0 ] || { cat "$SIM_DIR/li.out" "$SIM_DIR/li.err"; fail "resume exit $LI_RC"; }
[ "$(runs_count)" = $((nruns + 1)) ] || fail "--resume made a new run folder instead of finishing $RK"
jq -e '.status == "finished" and (.resumed | length) == 1 and .counts.created == 23' "$RUNS/$RK/run.json" >/dev/null ||
    fail "the resumed run is not finished: $(cat "$RUNS/$RK/run.json")"

# ---- 7. an apply from watch leaves a run folder, with a copy of watch's journal
sim_reset
W=$SIM_DIR/drop
mkdir -p "$W/inbox"
cat >"$W/loket-watch.json" <<JSON
{ "settle_seconds": 0.2,
  "rules": [ { "match": "uren-*.csv", "mapping": "$MAP", "mode": "apply", "period": "2026-11" } ] }
JSON
cp "$CSV" "$W/inbox/uren-nov.csv"
nruns=$(runs_count)
timeout 120 "$IMPORT_BIN" watch "$W" --once --config "$SIM_DIR/config.json" 2>"$SIM_DIR/w.log"
[ $? = 0 ] || { cat "$SIM_DIR/w.log"; fail "watch exit"; }
[ "$(runs_count)" = $((nruns + 1)) ] || fail "an apply from watch left no run folder"
RW=$RUNS/$(ls "$RUNS" | tail -n 1)
jq -e '.status == "finished" and (.journal | contains(".loket-watch/journals/"))' "$RW/run.json" >/dev/null ||
    fail "watch's run: $(cat "$RW/run.json")"
cmp -s "$RW/journal" "$(ls "$W"/.loket-watch/journals/uren-nov.csv.*.journal)" || fail "the run folder lacks a copy of watch's journal"
echo "runs_audit: ok"
