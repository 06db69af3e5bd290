#!/bin/sh
# runs_who.sh: every run says who. run.json records the OS user, the command line and, when the
# watcher started it (LOKET_IMPORT_WATCH_RUN, LOKET_IMPORT_WATCH_RULE), the watcher's run name
# and rule; `runs show ID` (and --json) lists per employment each record with its values
# old -> new; `runs relocate ID OLD NEW` records where an input lies after it was moved (as watch
# moves processing/ -> done/), so that `sha256sum -c inputs.sha256` passes, and the run stays
# sealed (revert still takes it); another file under the new name is refused. `runs` and
# `runs show` speak Dutch under --lang nl.
# sim-modes: both
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh"
start_import_sim
MAP=$(mapping uren-maand-excel.json)
mkdir -p "$SIM_DIR/processing" "$SIM_DIR/done"
cp "$(sample uren-maand-40101-2026-11.csv)" "$SIM_DIR/processing/uren.csv"
LOKET_IMPORT_WATCH_RUN=drop-42 LOKET_IMPORT_WATCH_RULE='uren-*.csv' \
    li apply "$SIM_DIR/processing/uren.csv" -m "$MAP" --period 2026-11
[ "$LI_RC" = 0 ] || fail "apply exit $LI_RC"
R=$(ls "$SIM_DIR/runs" | tail -n 1)
RJ=$SIM_DIR/runs/$R/run.json
jq -e --arg u "$(id -un)" --arg f "$SIM_DIR/processing/uren.csv" '.who.osUser == $u and .who.uid == '"$(id -u)"'
    and (.who.commandLine | contains("apply") and contains($f) and contains("--period 2026-11"))
    and .who.watchRun == "drop-42" and .who.watchRule == "uren-*.csv"' "$RJ" >/dev/null ||
    fail "run.json does not say who: $(jq -c .who "$RJ")"

# ---- runs show: per employment, each record old -> new
"$IMPORT_BIN" runs show "$R" --config "$SIM_DIR/config.json" >"$SIM_DIR/show" 2>&1 || fail "runs show failed"
grep -q "^user: *$(id -un)" "$SIM_DIR/show" || fail "runs show does not name the user"
grep -q "^watch run: *drop-42" "$SIM_DIR/show" || fail "runs show does not name the watcher's run"
grep -q "records (per employment, values old -> new):" "$SIM_DIR/show" || fail "runs show lists no records"
grep -A1 "employee 1001 " "$SIM_DIR/show" | grep -q "changed: 10: 152 -> 166" ||
    fail "runs show does not give 1001's old -> new: $(grep -A1 'employee 1001 ' "$SIM_DIR/show")"
"$IMPORT_BIN" runs show "$R" --json --config "$SIM_DIR/config.json" >"$SIM_DIR/show.json" || fail "runs show --json failed"
jq -e '(.records | length) == 25 and ([.records[] | select(.employeeNumber == 1001) | .components[]
    | select(.key == 10) | [.old, .new]] == [["152", "166"]])' "$SIM_DIR/show.json" >/dev/null ||
    fail "runs show --json: $(jq -c '.records[0]' "$SIM_DIR/show.json")"

# ---- the input moved as watch moves it: relocate, then sha256sum -c passes
mv "$SIM_DIR/processing/uren.csv" "$SIM_DIR/done/uren.csv"
(cd / && sha256sum -c --quiet "$SIM_DIR/runs/$R/inputs.sha256" >/dev/null 2>&1) && fail "no test: the moved file still checks"
printf 'x' >"$SIM_DIR/done/other.csv"
"$IMPORT_BIN" runs relocate "$R" "$SIM_DIR/processing/uren.csv" "$SIM_DIR/done/other.csv" --config "$SIM_DIR/config.json" 2>"$SIM_DIR/e"
[ $? = 2 ] || fail "relocate to another file: expected exit 2"
grep -q "is not the file run" "$SIM_DIR/e" || fail "relocate to another file: $(cat "$SIM_DIR/e")"
"$IMPORT_BIN" runs relocate "$R" "$SIM_DIR/processing/uren.csv" "$SIM_DIR/done/uren.csv" --config "$SIM_DIR/config.json" ||
    fail "relocate failed"
(cd / && sha256sum -c "$SIM_DIR/runs/$R/inputs.sha256") >"$SIM_DIR/check" 2>&1 || fail "sha256sum -c after relocate: $(cat "$SIM_DIR/check")"
jq -e --arg p "$SIM_DIR/done/uren.csv" --arg o "$SIM_DIR/processing/uren.csv" \
    '.files[0].path == $p and .files[0].readFrom == $o' "$RJ" >/dev/null || fail "run.json after relocate: $(jq -c .files "$RJ")"
"$IMPORT_BIN" revert "$R" --dry-run --config "$SIM_DIR/config.json" >"$SIM_DIR/rv" 2>&1 ||
    fail "the relocated run is no longer usable: $(cat "$SIM_DIR/rv")"

# ---- in Dutch
"$IMPORT_BIN" runs show "$R" --lang nl --config "$SIM_DIR/config.json" >"$SIM_DIR/show.nl" 2>&1 || fail "runs show --lang nl failed"
for w in "gebruiker:" "status: *afgerond" "records (per dienstverband, waarden oud -> nieuw):" "werknemer 1001 " "gewijzigd: 10: 152 -> 166"; do
    grep -q "$w" "$SIM_DIR/show.nl" || fail "runs show --lang nl lacks '$w'"
done
"$IMPORT_BIN" runs --lang nl --config "$SIM_DIR/config.json" >"$SIM_DIR/list.nl" 2>&1 || fail "runs --lang nl failed"
grep -q "GESTART" "$SIM_DIR/list.nl" && grep -q "afgerond" "$SIM_DIR/list.nl" || fail "runs --lang nl: $(head -3 "$SIM_DIR/list.nl")"
echo "runs_who: OK"
