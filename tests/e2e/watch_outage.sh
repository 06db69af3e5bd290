#!/bin/sh
# watch with the real engine against loket-sim through an outage: every request answered 503
# for a while; the file waits in processing/ ("waiting") and is imported by itself once Loket
# answers again, and the onSuccess hook runs. An outage that begins while the records are being
# sent (exit 1, every failed record 503) makes the file wait too; its retry resumes. A permanent error (a bad number in the file) goes
# to failed/ at once with its cause in detail=, in NAME.error.txt and in the onFailure hook's
# environment, which never holds the client secret. With retry_max_age_seconds 0 an outage
# sends the file to failed/ as "unavailable", and watch --once exits 1 (OnFailure= fires).
# sim-modes: both
. "$(dirname "$0")/lib.sh"
IMPORT=$LK_ROOT/$LOKET_BUILD/loket-import
case "$LOKET_BUILD" in /*) IMPORT=$LOKET_BUILD/loket-import ;; esac
SAMPLE=$LK_ROOT/samples/uren-maand-40101-2026-11.csv
MAPPING=$LK_ROOT/mappings/uren-maand-excel.json
WPID=
start_sim
trap '[ -n "$WPID" ] && kill -9 $WPID 2>/dev/null; stop_sim' EXIT
W=$SIM_DIR/drop
mkdir -p "$W/inbox"
cfg=$SIM_DIR/config.json
cat >"$cfg" <<JSON
{ "environment": "custom", "apiUrl": "$SIM_URL", "tokenUrl": "$SIM_ROOT/token",
  "clientId": "$(jq -r .auth.clientId "$SIM_FIXTURE")",
  "tokenStore": "$SIM_DIR/tokens.json",
  "retry": { "maxAttempts": 2, "baseDelayMs": 50, "maxDelayMs": 100, "maxRetryAfterSeconds": 1 } }
JSON
SECRET=$(jq -r .auth.clientSecret "$SIM_FIXTURE")
printf '%s\n' "$SECRET" >"$SIM_DIR/client-secret"
chmod 600 "$SIM_DIR/client-secret"
export LOKET_CLIENT_SECRET_FILE="$SIM_DIR/client-secret"
"$IMPORT" auth set-refresh-token --config "$cfg" <"$SIM_DIR/refresh" >/dev/null ||
    fail "auth set-refresh-token failed"
# the hooks write what they were told; env(1) shows their whole environment
cat >"$SIM_DIR/hook.sh" <<'SH'
#!/bin/sh
env >"$HOOK_DIR/$1.$LOKET_WATCH_NAME.env"
SH
chmod +x "$SIM_DIR/hook.sh"
export HOOK_DIR=$SIM_DIR
cat >"$W/loket-watch.json" <<JSON
{ "settle_seconds": 0.2, "rescan_seconds": 1,
  "retry_seconds": [1, 2], "retry_max_age_seconds": 600,
  "onFailure": ["$SIM_DIR/hook.sh", "failure"], "onSuccess": ["$SIM_DIR/hook.sh", "success"],
  "rules": [ { "match": "uren-*.csv", "mapping": "$MAPPING", "mode": "apply", "period": "2026-11" } ] }
JSON
faults() { curl -s -X POST "$SIM_ROOT/__sim/faults" -d "$1" >/dev/null || fail "POST /__sim/faults"; }
hours_1001() {
    sim_state | jq '[.payrollPeriodData[] | select(.employeeNumber == 1001 and .payrollPeriodId == 202611)
        | .payrollComponents[] | select(.payrollComponent.key == 10) | .value] | first'
}
wait_for() { # SECONDS COMMAND...
    n=$(($1 * 10)); shift
    while [ "$n" -gt 0 ]; do "$@" 2>/dev/null && return 0; sleep 0.1; n=$((n - 1)); done
    return 1
}

# 1. Loket down: every request 503 (also the token service)
faults '{"failRate": 1.0, "failStatus": 503}'
"$IMPORT" watch "$W" --config "$cfg" 2>"$SIM_DIR/w1.log" &
WPID=$!
cp "$SAMPLE" "$W/inbox/uren-nov.csv"
wait_for 60 grep -q 'file="uren-nov.csv" action=done outcome=waiting' "$SIM_DIR/w1.log" ||
    { cat "$SIM_DIR/w1.log"; fail "no outcome=waiting during the outage"; }
grep 'outcome=waiting' "$SIM_DIR/w1.log" | head -n 1 | grep -q 'detail=".*unavailable.*503' ||
    { cat "$SIM_DIR/w1.log"; fail "the waiting line does not give the cause (503)"; }
[ -f "$W/processing/uren-nov.csv" ] || fail "the file did not wait in processing/"
[ -e "$W/failed/uren-nov.csv" ] && fail "an outage sent the file to failed/"
# it is tried again by itself while the outage lasts
wait_for 60 sh -c "[ \$(grep -c 'file=\"uren-nov.csv\" action=done outcome=waiting' '$SIM_DIR/w1.log') -ge 2 ]" ||
    { cat "$SIM_DIR/w1.log"; fail "not retried during the outage"; }
grep -q 'transient_failures=2' "$SIM_DIR/w1.log" || fail "the retries are not counted"

# 2. Loket back: imported without anyone touching it
faults '{"failRate": 0}'
wait_for 90 test -f "$W/done/uren-nov.csv" || { cat "$SIM_DIR/w1.log"; fail "not imported after the outage"; }
[ "$(hours_1001)" = 166 ] || fail "employee 1001 has $(hours_1001) hours in Loket, expected 166"
wr=$(ls "$W"/reports/uren-nov.csv.*.watch.json | tail -n 1)
[ "$(jq -r .outcome "$wr")" = imported ] || fail "outcome $(jq -r .outcome "$wr")"
[ "$(jq -r .transient_failures "$wr")" -ge 2 ] || fail "the report does not say it waited"
wait_for 20 test -f "$SIM_DIR/success.uren-nov.csv.env" || { cat "$SIM_DIR/w1.log"; fail "onSuccess hook did not run"; }
grep -qx 'LOKET_WATCH_OUTCOME=imported' "$SIM_DIR/success.uren-nov.csv.env" || fail "hook: outcome"
grep -qx "LOKET_WATCH_FILE=$(cd "$W" && pwd -P)/done/uren-nov.csv" "$SIM_DIR/success.uren-nov.csv.env" ||
    fail "hook: LOKET_WATCH_FILE $(grep LOKET_WATCH_FILE "$SIM_DIR/success.uren-nov.csv.env")"
grep -q "^LOKET_WATCH_REPORT=.*/reports/uren-nov.csv.*\.watch\.json$" "$SIM_DIR/success.uren-nov.csv.env" ||
    fail "hook: report path"
ls "$W"/failed/*.error.txt >/dev/null 2>&1 && fail "an error note for an imported file"

# 2b. the outage begins while the records are being sent: the import ends with exit 1, every
# failed record got 503; the file waits, and its retry resumes from the journal
patches() { curl -s "$SIM_ROOT/__sim/requests" | jq '[.recent[] | select(.method == "PATCH")] | length'; }
p0=$(patches)
faults '{"latencyMs": 800}'
LC_ALL=C awk -F';' 'BEGIN { OFS = ";" } $1 ~ /^[0-9]+$/ && $4 != "" { sub(/,.*/, "", $4); $4 = $4 + 5 } { print }' \
    "$SAMPLE" >"$SIM_DIR/mid.csv"
mv "$SIM_DIR/mid.csv" "$W/inbox/uren-mid.csv"
wait_for 60 sh -c "[ \$(curl -s '$SIM_ROOT/__sim/requests' | jq '[.recent[] | select(.method == \"PATCH\")] | length') -ge $((p0 + 3)) ]" ||
    { cat "$SIM_DIR/w1.log"; fail "the import of uren-mid.csv did not start sending"; }
faults '{"failRate": 1.0, "failStatus": 503, "latencyMs": 0}'
wait_for 90 grep -q 'file="uren-mid.csv" action=done outcome=waiting exit=1' "$SIM_DIR/w1.log" ||
    { r=$(ls "$W"/reports/uren-mid.csv.*Z.json); jq -c ".totals, [.records[] | {outcome, http_status}], .run.error" "$r" | head -c 3000; fail "an outage in the middle of the sending did not make the file wait"; }
[ -e "$W/failed/uren-mid.csv" ] && fail "an outage while sending sent the file to failed/"
faults '{"failRate": 0}'
wait_for 90 test -f "$W/done/uren-mid.csv" || { cat "$SIM_DIR/w1.log"; fail "uren-mid.csv not imported after the outage"; }
grep 'file="uren-mid.csv" action=start' "$SIM_DIR/w1.log" | tail -n 1 | grep -q 'resume=yes' ||
    fail "the retry did not resume from the journal"
[ "$(hours_1001)" = 171 ] || fail "employee 1001 has $(hours_1001) hours, expected 171 from uren-mid.csv"

# 3. a permanent error: a bad number; failed/ at once, the cause everywhere
LC_ALL=C sed '2s/;166;/;16x6;/' "$SAMPLE" >"$SIM_DIR/bad.csv"
mv "$SIM_DIR/bad.csv" "$W/inbox/uren-fout.csv"
wait_for 60 test -f "$W/failed/uren-fout.csv" || { cat "$SIM_DIR/w1.log"; fail "bad file not in failed/"; }
wait_for 20 test -f "$SIM_DIR/failure.uren-fout.csv.env" || { cat "$SIM_DIR/w1.log"; fail "onFailure hook did not run"; }
line=$(grep 'file="uren-fout.csv" action=done' "$SIM_DIR/w1.log")
echo "$line" | grep -q 'outcome=input-error' || fail "bad file outcome: $line"
echo "$line" | grep -q 'detail="[^"]*uren-fout.csv:2: column D: .*16x6' || fail "detail= is not the cause: $line"
echo "$line" | grep -q 'detail="exit code' && fail "detail= is the summary line: $line"
[ -f "$W/failed/uren-fout.csv.error.txt" ] || fail "no failed/uren-fout.csv.error.txt"
grep -q '^Cause: .*uren-fout.csv:2.*16x6' "$W/failed/uren-fout.csv.error.txt" ||
    { cat "$W/failed/uren-fout.csv.error.txt"; fail "the error note does not give the cause"; }
grep -q 'reports/uren-fout.csv\..*\.watch\.json' "$W/failed/uren-fout.csv.error.txt" || fail "the note names no report"
grep -q '^LOKET_WATCH_CAUSE=.*16x6' "$SIM_DIR/failure.uren-fout.csv.env" || fail "hook: cause"
grep -qx 'LOKET_WATCH_OUTCOME=input-error' "$SIM_DIR/failure.uren-fout.csv.env" || fail "hook: outcome"
grep -qx 'LOKET_WATCH_EXIT_CODE=2' "$SIM_DIR/failure.uren-fout.csv.env" || fail "hook: exit code"
for f in "$SIM_DIR"/*.env; do
    grep -q "$SECRET" "$f" && fail "the client secret is in a hook's environment ($f)"
    grep -q '^LOKET_CLIENT_SECRET' "$f" && fail "a LOKET_CLIENT_SECRET variable reached a hook ($f)"
done
kill -TERM "$WPID"
wait "$WPID"
st=$?
WPID=
[ "$st" = 0 ] || fail "resident watcher exit $st after SIGTERM"
grep -q "$SECRET" "$SIM_DIR/w1.log" && fail "the client secret is in the log"

# 4. no waiting allowed: an outage is a failure at once (outcome unavailable), --once exits 1
sed 's/"retry_max_age_seconds": 600/"retry_max_age_seconds": 0/' "$W/loket-watch.json" >"$SIM_DIR/c" &&
    mv "$SIM_DIR/c" "$W/loket-watch.json"
faults '{"failRate": 1.0, "failStatus": 503}'
LC_ALL=C awk -F';' 'BEGIN { OFS = ";" } $1 ~ /^[0-9]+$/ && $4 != "" { sub(/,.*/, "", $4); $4 = $4 + 1 } { print }' \
    "$SAMPLE" >"$SIM_DIR/v2.csv"
mv "$SIM_DIR/v2.csv" "$W/inbox/uren-dec.csv"
timeout 120 "$IMPORT" watch "$W" --once --config "$cfg" 2>"$SIM_DIR/w2.log"
st=$?
[ "$st" = 1 ] || { cat "$SIM_DIR/w2.log"; fail "--once exit $st after a file failed, expected 1"; }
grep -q 'file="uren-dec.csv" action=done outcome=unavailable' "$SIM_DIR/w2.log" ||
    { cat "$SIM_DIR/w2.log"; fail "no outcome=unavailable"; }
[ -f "$W/failed/uren-dec.csv.error.txt" ] || fail "no error note for the unavailable file"
faults '{"failRate": 0}'
# content that failed by an outage may be dropped again: it is no duplicate
mv "$W/failed/uren-dec.csv" "$W/inbox/uren-dec.csv"
timeout 120 "$IMPORT" watch "$W" --once --config "$cfg" 2>"$SIM_DIR/w3.log"
st=$?
[ "$st" = 0 ] || { cat "$SIM_DIR/w3.log"; fail "re-dropped file: exit $st"; }
[ "$(hours_1001)" = 167 ] || fail "employee 1001 has $(hours_1001) hours, expected 167"
echo "ok"
