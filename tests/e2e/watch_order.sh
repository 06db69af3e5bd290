#!/bin/sh
# watch: files take effect in the order they were dropped. During an outage a waiting file holds
# back a later file for the same employments and period (it is never started, and the log names
# the file it waits for), while a file of another employer goes on; once Loket answers, the
# older file is imported first and Loket ends with the newer file's values, although the newer
# file's name sorts first. An older file moved back into inbox/ after a newer import of the same
# records goes to failed/ as "superseded", naming the newer file and the records, and Loket keeps
# the newer values; after 'watch --forget' (the documented way to say "apply it anyway") it is
# imported. 'watch status' shows the waiting file with its cause and the held one behind it.
# sim-modes: both
. "$(dirname "$0")/lib.sh"
IMPORT=$LK_ROOT/$LOKET_BUILD/loket-import
case "$LOKET_BUILD" in /*) IMPORT=$LOKET_BUILD/loket-import ;; esac
SAMPLE=$LK_ROOT/samples/uren-maand-40101-2026-11.csv
MAPPING=$LK_ROOT/mappings/uren-maand-excel.json
OTHER=$LK_ROOT/samples/variabele-gegevens-40102-2026-P12.csv
OTHER_MAPPING=$LK_ROOT/mappings/variabele-gegevens-lang.json
start_sim
trap 'stop_sim' EXIT
cfg=$SIM_DIR/config.json
cat >"$cfg" <<JSON
{ "environment": "custom", "apiUrl": "$SIM_URL", "tokenUrl": "$SIM_ROOT/token",
  "clientId": "$(jq -r .auth.clientId "$SIM_FIXTURE")",
  "tokenStore": "$SIM_DIR/tokens.json",
  "retry": { "maxAttempts": 2, "baseDelayMs": 20, "maxDelayMs": 50, "maxRetryAfterSeconds": 1 } }
JSON
LOKET_CLIENT_SECRET=$(jq -r .auth.clientSecret "$SIM_FIXTURE")
export LOKET_CLIENT_SECRET
"$IMPORT" auth set-refresh-token --config "$cfg" <"$SIM_DIR/refresh" >/dev/null ||
    fail "auth set-refresh-token failed"
faults() { curl -s -X POST "$SIM_ROOT/__sim/faults" -d "$1" >/dev/null || fail "POST /__sim/faults"; }
hours_1001() {
    sim_state | jq '[.payrollPeriodData[] | select(.employeeNumber == 1001 and .payrollPeriodId == 202611)
        | .payrollComponents[] | select(.payrollComponent.key == 10) | .value] | first'
}
version() { # PLUS OUT: the sample with PLUS hours more for every employee
    LC_ALL=C awk -F';' -v plus="$1" 'BEGIN { OFS = ";" } $1 ~ /^[0-9]+$/ && $4 != "" { sub(/,.*/, "", $4); $4 = $4 + plus } { print }' \
        "$SAMPLE" >"$2.tmp" && mv "$2.tmp" "$2"
}
once() { # DIR LOG
    timeout 120 "$IMPORT" watch "$1" --once --config "$cfg" 2>>"$2"
}

# 1. held behind a waiting file; another employer goes on
W=$SIM_DIR/drop
mkdir -p "$W/inbox"
cat >"$W/loket-watch.json" <<JSON
{ "settle_seconds": 0, "retry_seconds": [1], "retry_max_age_seconds": 600,
  "rules": [ { "match": "uren-*.csv", "mapping": "$MAPPING", "mode": "apply", "period": "2026-11" },
             { "match": "vg-*.csv", "mapping": "$OTHER_MAPPING", "mode": "apply", "employer": "40102" } ] }
JSON
L=$SIM_DIR/w1.log
faults '{"failRate": 1.0, "failStatus": 503}'
version 1 "$W/inbox/uren-nov-b.csv" # dropped first; its name sorts last
once "$W" "$L" || fail "watch --once exit $? during the outage"
grep -q 'file="uren-nov-b.csv" action=done outcome=waiting' "$L" || { cat "$L"; fail "uren-nov-b.csv is not waiting"; }
version 2 "$W/inbox/uren-nov-a.csv" # dropped later: the newest values
cp "$OTHER" "$W/inbox/vg-dec.csv"
sleep 1.2
once "$W" "$L" || { cat "$L"; fail "watch --once exit $? during the outage (2)"; }
grep -q 'file="uren-nov-a.csv" action=start' "$L" && { cat "$L"; fail "a later file for the same employments started while an older one waits"; }
grep 'file="uren-nov-a.csv" action=held' "$L" | grep -q 'behind="uren-nov-b.csv"' ||
    { cat "$L"; fail "the held file does not name the file it waits for"; }
wr=$(ls "$W"/reports/uren-nov-a.csv.*.watch.json | tail -n 1)
[ "$(jq -r .outcome "$wr")" = held ] || fail "the held file's report says $(jq -r .outcome "$wr")"
[ "$(jq -r .held_behind "$wr")" = uren-nov-b.csv ] || fail "the held file's report does not name uren-nov-b.csv"
grep -q 'file="vg-dec.csv" action=start' "$L" || { cat "$L"; fail "a file of another employer was held back"; }
[ -f "$W/processing/uren-nov-a.csv" ] || fail "the held file is not in processing/"
# watch status says what waits and why, and what is held behind which file
"$IMPORT" watch status "$W" --json >"$SIM_DIR/status.json" || fail "watch status --json: exit $?"
jq -e '.processing[] | select(.name == "uren-nov-b.csv" and .state == "waiting" and (.cause | test("503"))
    and .transient_failures >= 2 and (.next_try | length) > 0)' "$SIM_DIR/status.json" >/dev/null ||
    { cat "$SIM_DIR/status.json"; fail "watch status does not show the waiting file with its cause"; }
jq -e '.processing[] | select(.name == "uren-nov-a.csv" and .state == "held" and .held_behind == "uren-nov-b.csv")' \
    "$SIM_DIR/status.json" >/dev/null || { cat "$SIM_DIR/status.json"; fail "watch status does not show the held file"; }
[ "$(jq -r .login.state "$SIM_DIR/status.json")" = ok ] || fail "watch status: login state"
LANGUAGE=en "$IMPORT" watch status "$W" >"$SIM_DIR/status.txt" || fail "watch status: exit $?"
grep -q 'uren-nov-a.csv: held behind uren-nov-b.csv' "$SIM_DIR/status.txt" || { cat "$SIM_DIR/status.txt"; fail "watch status (text) does not show the held file"; }
"$IMPORT" watch status "$SIM_DIR" >/dev/null 2>&1 && fail "watch status of a folder the watcher never used: exit 0"
faults '{"failRate": 0}'
sleep 1.2
once "$W" "$L" || { cat "$L"; fail "watch --once exit $? after the outage"; }
for f in uren-nov-a.csv uren-nov-b.csv vg-dec.csv; do
    [ -f "$W/done/$f" ] || { cat "$L"; fail "$f not imported after the outage"; }
done
order=$(grep -o 'file="uren-nov-[ab].csv" action=done outcome=imported' "$L" | cut -c7-16 | tr '\n' ' ')
[ "$order" = "uren-nov-b uren-nov-a " ] || { cat "$L"; fail "imported in the order '$order', expected the dropped order"; }
[ "$(hours_1001)" = 168 ] || fail "employee 1001 has $(hours_1001) hours in Loket, expected 168 (the newest file)"

# 2. an older file moved back after a newer import of the same records: superseded
W2=$SIM_DIR/drop2
mkdir -p "$W2/inbox"
cat >"$W2/loket-watch.json" <<JSON
{ "settle_seconds": 0, "retry_max_age_seconds": 0,
  "rules": [ { "match": "uren-*.csv", "mapping": "$MAPPING", "mode": "apply", "period": "2026-11" } ] }
JSON
L2=$SIM_DIR/w2.log
faults '{"failRate": 1.0, "failStatus": 503}'
version 3 "$W2/inbox/uren-oud.csv"
once "$W2" "$L2"
[ -f "$W2/failed/uren-oud.csv" ] || { cat "$L2"; fail "uren-oud.csv did not fail as unavailable"; }
faults '{"failRate": 0}'
version 4 "$W2/inbox/uren-nieuw.csv"
once "$W2" "$L2" || { cat "$L2"; fail "uren-nieuw.csv: exit $?"; }
[ "$(hours_1001)" = 170 ] || fail "employee 1001 has $(hours_1001) hours, expected 170"
mv "$W2/failed/uren-oud.csv" "$W2/inbox/uren-oud.csv"
once "$W2" "$L2"
st=$?
[ "$st" = 1 ] || { cat "$L2"; fail "--once exit $st for a superseded file, expected 1"; }
grep -q 'file="uren-oud.csv" action=done outcome=superseded' "$L2" || { cat "$L2"; fail "no outcome=superseded"; }
[ "$(hours_1001)" = 170 ] || fail "the older file was applied over the newer one: employee 1001 has $(hours_1001) hours"
wr=$(ls "$W2"/reports/uren-oud.csv.*.watch.json | tail -n 1)
[ "$(jq -r .superseded_by.name "$wr")" = uren-nieuw.csv ] || { cat "$wr"; fail "the report does not name the newer file"; }
jq -e '.superseded_by.records | any(.[]; startswith("employee 1001, 2026-11"))' "$wr" >/dev/null ||
    { cat "$wr"; fail "the report does not name the records"; }
grep -q superseded "$W2/failed/uren-oud.csv.error.txt" || fail "the error note is not fresh"
grep -q 'uren-nieuw.csv' "$W2/failed/uren-oud.csv.error.txt" || fail "the error note does not name the newer file"
grep -q 'employee 1001' "$W2/failed/uren-oud.csv.error.txt" || fail "the error note does not name the records"
grep -q -- '--forget' "$W2/failed/uren-oud.csv.error.txt" || fail "the error note does not say how to apply it anyway"
# a person decides: apply it anyway
"$IMPORT" watch "$W2" --forget uren-oud.csv >/dev/null || fail "watch --forget"
mv "$W2/failed/uren-oud.csv" "$W2/inbox/uren-oud.csv"
once "$W2" "$L2" || { cat "$L2"; fail "the forgotten file: exit $?"; }
[ -f "$W2/done/uren-oud.csv" ] || { cat "$L2"; fail "the forgotten file was not imported"; }
[ "$(hours_1001)" = 169 ] || fail "employee 1001 has $(hours_1001) hours, expected 169 after --forget"
[ -e "$W2/failed/uren-oud.csv.error.txt" ] && fail "the note of a file imported later stayed behind"
echo "ok"
