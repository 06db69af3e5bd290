#!/bin/sh
# runs_private.sh: run folders are as private as the token store, and revert / --resume use a run
# only when its files are the ones it wrote. A second local user (made here, removed at the end)
# tries to choose what `revert` sends, as an independent review did: in a runs folder others can
# write (mode 0777, root's or that user's own) the apply is refused before anything is sent, with
# the fix named; a run folder swapped for a crafted one owned by that user is refused; plan.json,
# the journal or a report changed, run.json rewritten with fresh SHA-256 sums, or a run sealed by
# another installation are refused by revert (exit 2, nothing sent); a doctored unfinished run is
# refused by apply --resume. The sealed run.json lists the SHA-256 of plan.json, the journal and
# the reports.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh"
[ "$(id -u)" = 0 ] && command -v useradd >/dev/null && command -v runuser >/dev/null || {
    echo "SKIP runs_private.sh needs root and useradd/runuser to make a second local user"; exit 77; }
start_import_sim
CSV=$(sample uren-maand-40101-2026-11.csv)
MAP=$(mapping uren-maand-excel.json)
RUNS=$SIM_DIR/runs
OTHER=lkrun$$
useradd -M -N -s /usr/sbin/nologin "$OTHER" 2>/dev/null || fail "useradd $OTHER failed"
cleanup() { userdel "$OTHER" 2>/dev/null; stop_sim; }
trap cleanup EXIT
trap 'cleanup; exit 1' INT TERM
as_other() { runuser -u "$OTHER" -- "$@"; }
chmod 711 "$SIM_DIR" # the other user may pass through to the folders made for it below
deletes() { sim_count DELETE '/providers/employers/employees/employments/payrollperioddata/{payrollperioddataId}'; }
writes() { echo $(($(patch_count) + $(deletes))); }
revert() { "$IMPORT_BIN" revert "$@" --config "$SIM_DIR/config.json" >"$SIM_DIR/rv.out" 2>"$SIM_DIR/rv.err"; RV_RC=$?; }
with_runs() { jq --arg d "$1" '. + {runsDir: $d}' "$SIM_DIR/config.json" >"$SIM_DIR/c2.json"; }

# ---- 1. an apply seals its run.json: SHA-256 of plan.json, the journal and the reports
li apply "$CSV" -m "$MAP" --period 2026-11
[ "$LI_RC" = 0 ] || fail "apply exit $LI_RC: $(cat "$SIM_DIR/li.err")"
R=$(ls "$RUNS" | tail -n 1)
for f in plan.json journal report.json report.csv report.xlsx mapping.json inputs.sha256; do
    want=$(sha256sum "$RUNS/$R/$f" | cut -c1-64)
    [ "$(jq -r --arg f "$f" '.sha256[$f]' "$RUNS/$R/run.json")" = "$want" ] || fail "run.json lacks the SHA-256 of $f"
done
jq -e '.seal.installation | test("^[0-9a-f]{16}$")' "$RUNS/$R/run.json" >/dev/null || fail "run.json is not sealed"
[ "$(stat -c %a "$SIM_DIR/installation.key")" = 600 ] || fail "the installation key is not 0600"
[ "$(stat -c %a "$RUNS")" = 700 ] || fail "the runs folder is not 0700"
cp -a "$RUNS/$R" "$SIM_DIR/good-run"

# ---- 2. files changed after the run: revert refuses (exit 2) and sends nothing
w0=$(writes)
refused() { # what, expected text
    revert "$R"
    [ "$RV_RC" = 2 ] || { cat "$SIM_DIR/rv.out" "$SIM_DIR/rv.err"; fail "$1: revert exit $RV_RC, expected 2"; }
    grep -q "$2" "$SIM_DIR/rv.err" || fail "$1: the refusal does not say '$2': $(cat "$SIM_DIR/rv.err")"
    [ "$(writes)" = "$w0" ] || fail "$1: revert wrote to Loket"
    rm -rf "${RUNS:?}/$R" && cp -a "$SIM_DIR/good-run" "$RUNS/$R"
}
jq '(.records[] | select(.employeeNumber == 1001) | .body.payrollComponents[0].value) = 777' \
    "$RUNS/$R/plan.json" >"$SIM_DIR/p" && cat "$SIM_DIR/p" >"$RUNS/$R/plan.json"
refused "plan.json edited" "plan.json was changed after the run wrote it"
printf '{"key":"x","result":{"outcome":"updated"}}\n' >>"$RUNS/$R/journal"
refused "journal appended to" "journal was changed after the run wrote it"
printf 'x' >>"$RUNS/$R/report.json"
refused "report edited" "report.json was changed after the run wrote it"
# plan.json edited and run.json re-hashed to match: the seal refuses
jq '(.records[] | select(.employeeNumber == 1001) | .body.payrollComponents[0].value) = 777' \
    "$RUNS/$R/plan.json" >"$SIM_DIR/p" && cat "$SIM_DIR/p" >"$RUNS/$R/plan.json"
jq --arg s "$(sha256sum "$RUNS/$R/plan.json" | cut -c1-64)" '.sha256["plan.json"] = $s' "$RUNS/$R/run.json" >"$SIM_DIR/p" &&
    cat "$SIM_DIR/p" >"$RUNS/$R/run.json"
refused "run.json re-hashed" "run.json was changed after the run wrote it"
jq 'del(.seal)' "$RUNS/$R/run.json" >"$SIM_DIR/p" && cat "$SIM_DIR/p" >"$RUNS/$R/run.json"
refused "seal removed" "has no seal"
jq '.seal.installation = "0123456789abcdef"' "$RUNS/$R/run.json" >"$SIM_DIR/p" && cat "$SIM_DIR/p" >"$RUNS/$R/run.json"
refused "another installation's run" "sealed by another installation"
cp "$RUNS/$R/journal" "$SIM_DIR/j" && rm "$RUNS/$R/journal"
refused "journal removed" "journal is missing"

# ---- 3. a runs folder other users can write, or another user's: refused before anything is sent
mkdir -m 777 "$SIM_DIR/open-runs" && chmod 777 "$SIM_DIR/open-runs"
with_runs "$SIM_DIR/open-runs"
p0=$(patch_count)
"$IMPORT_BIN" apply "$CSV" -m "$MAP" --period 2026-11 --config "$SIM_DIR/c2.json" >/dev/null 2>"$SIM_DIR/e"
[ $? = 3 ] || fail "a runs folder of mode 0777: expected exit 3"
grep -q "chmod 700 $SIM_DIR/open-runs" "$SIM_DIR/e" || fail "the refusal does not name the fix: $(cat "$SIM_DIR/e")"
[ "$(patch_count)" = "$p0" ] || fail "an apply with a 0777 runs folder sent something"
[ "$(stat -c %a "$SIM_DIR/open-runs")" = 777 ] || fail "the runs folder's mode was changed silently"
mkdir "$SIM_DIR/theirs" && chown "$OTHER" "$SIM_DIR/theirs" && chmod 700 "$SIM_DIR/theirs"
with_runs "$SIM_DIR/theirs"
"$IMPORT_BIN" apply "$CSV" -m "$MAP" --period 2026-11 --config "$SIM_DIR/c2.json" >/dev/null 2>"$SIM_DIR/e"
[ $? = 3 ] || fail "another user's runs folder: expected exit 3"
grep -q "belongs to another user" "$SIM_DIR/e" || fail "no clear refusal of another user's runs folder: $(cat "$SIM_DIR/e")"
[ "$(patch_count)" = "$p0" ] || fail "an apply with another user's runs folder sent something"
"$IMPORT_BIN" runs --config "$SIM_DIR/c2.json" >/dev/null 2>"$SIM_DIR/e"
[ $? = 3 ] || fail "runs listed another user's runs folder"

# ---- 4. the review's attack: in a shared runs folder the other user swaps root's run folder for
# a crafted one (its plan.json says 777 hours for 1001); revert refuses it, whatever the folder
chmod 777 "$RUNS"
cp -r "$SIM_DIR/good-run" "$SIM_DIR/readable" && chmod -R a+rX "$SIM_DIR/readable" # what it could read
as_other sh -c "mv '$RUNS/$R' '$RUNS/old-$R' && cp -r '$SIM_DIR/readable' '$RUNS/$R'" || fail "the other user could not swap the run"
as_other sh -c "jq '(.records[] | select(.employeeNumber == 1001) | .body.payrollComponents[0].value) = 777' '$SIM_DIR/readable/plan.json' >'$RUNS/$R/plan.json'"
revert "$R"
[ "$RV_RC" = 3 ] || fail "revert in a runs folder others can write: exit $RV_RC, expected 3"
grep -q "chmod 700 $RUNS" "$SIM_DIR/rv.err" || fail "revert does not name the fix: $(cat "$SIM_DIR/rv.err")"
chmod 700 "$RUNS"
revert "$R"
[ "$RV_RC" = 3 ] || fail "revert of a run folder owned by another user: exit $RV_RC, expected 3"
grep -q "belongs to another user" "$SIM_DIR/rv.err" || fail "no clear refusal of a foreign run folder: $(cat "$SIM_DIR/rv.err")"
[ "$(writes)" = "$w0" ] || fail "the crafted run wrote to Loket"
jq -e '.payrollPeriodData[] | .payrollComponents[] | select(.value == 777)' >/dev/null <<EOT && fail "Loket holds the crafted 777"
$(sim_state)
EOT
rm -rf "${RUNS:?}/$R" && mv "$RUNS/old-$R" "$RUNS/$R"
revert "$R"
[ "$RV_RC" = 0 ] || { cat "$SIM_DIR/rv.err"; fail "the genuine run could not be reverted: exit $RV_RC"; }

# ---- 5. apply --resume refuses an unfinished run whose plan.json was changed
sim_reset
curl -s -X POST "$SIM_ROOT/__sim/faults" -d '{"latencyMs": 150}' >/dev/null
"$IMPORT_BIN" apply "$CSV" -m "$MAP" --period 2026-11 --concurrency 1 --config "$SIM_DIR/config.json" >/dev/null 2>&1 &
pid=$!
i=0
while [ "$(patch_count)" -lt 3 ]; do i=$((i + 1)); [ $i -lt 500 ] || fail "the apply never sent 3 records"; sleep 0.02; done
kill -9 $pid; wait $pid 2>/dev/null; sleep 0.5 # a request in flight is counted when the sim answers it
curl -s -X POST "$SIM_ROOT/__sim/faults" -d '{"latencyMs": 0}' >/dev/null
RK=$(ls "$RUNS" | tail -n 1)
jq '(.records[0].body.payrollComponents[0].value) = 777' "$RUNS/$RK/plan.json" >"$SIM_DIR/p" && cat "$SIM_DIR/p" >"$RUNS/$RK/plan.json"
p0=$(patch_count)
li apply "$CSV" -m "$MAP" --period 2026-11 --resume
[ "$LI_RC" = 3 ] || fail "--resume of a doctored run: exit $LI_RC, expected 3"
grep -q "plan.json was changed after the run wrote it" "$SIM_DIR/li.err" || fail "--resume does not say why: $(cat "$SIM_DIR/li.err")"
[ "$(patch_count)" = "$p0" ] || fail "--resume of a doctored run sent something ($p0 -> $(patch_count)): $(cat "$SIM_DIR/li.err")"
echo "runs_private: OK"
