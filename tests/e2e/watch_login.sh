#!/bin/sh
# After invalid_grant (the stored refresh token was rotated away: signed in elsewhere, or a
# lost answer) the watcher stops taking files: the file that met it waits in processing/, files
# dropped meanwhile stay in inbox/, none goes to failed/; one alert: one error-priority line
# (<3>, action=login outcome=refused) and one onFailure hook with outcome login-refused, however
# many files are dropped. Once a person signs in again (auth set-refresh-token) the watcher
# carries on by itself and imports every file. A --once run meanwhile exits 3 and takes nothing.
# sim-modes: both
. "$(dirname "$0")/lib.sh"
IMPORT=$LK_ROOT/$LOKET_BUILD/loket-import
case "$LOKET_BUILD" in /*) IMPORT=$LOKET_BUILD/loket-import ;; esac
SAMPLE=$LK_ROOT/samples/uren-maand-40101-2026-11.csv
MAPPING=$LK_ROOT/mappings/uren-maand-excel.json
WPID=
start_sim
trap '[ -n "$WPID" ] && kill -9 $WPID 2>/dev/null; stop_sim' EXIT
cfg=$SIM_DIR/config.json
cat >"$cfg" <<JSON
{ "environment": "custom", "apiUrl": "$SIM_URL", "tokenUrl": "$SIM_ROOT/token",
  "clientId": "$(jq -r .auth.clientId "$SIM_FIXTURE")", "tokenStore": "$SIM_DIR/tokens.json" }
JSON
LOKET_CLIENT_SECRET=$(jq -r .auth.clientSecret "$SIM_FIXTURE")
export LOKET_CLIENT_SECRET
"$IMPORT" auth set-refresh-token --config "$cfg" <"$SIM_DIR/refresh" >/dev/null || fail "auth set-refresh-token"
# someone else uses the stored refresh token: the store's copy is dead (invalid_grant)
get_token >/dev/null || fail "rotating the refresh token away"
wait_for() { # SECONDS COMMAND...
    n=$(($1 * 10)); shift
    while [ "$n" -gt 0 ]; do "$@" 2>/dev/null && return 0; sleep 0.1; n=$((n - 1)); done
    return 1
}
version() { # PLUS OUT
    LC_ALL=C awk -F';' -v plus="$1" 'BEGIN { OFS = ";" } $1 ~ /^[0-9]+$/ && $4 != "" { sub(/,.*/, "", $4); $4 = $4 + plus } { print }' \
        "$SAMPLE" >"$2.tmp" && mv "$2.tmp" "$2"
}
W=$SIM_DIR/drop
mkdir -p "$W/inbox"
cat >"$W/loket-watch.json" <<JSON
{ "settle_seconds": 0, "rescan_seconds": 1, "probe_seconds": 1,
  "onFailure": ["sh", "-c", "echo \$LOKET_WATCH_OUTCOME \$LOKET_WATCH_NAME >>$SIM_DIR/hook.out"],
  "rules": [ { "match": "uren-*.csv", "mapping": "$MAPPING", "mode": "apply", "period": "2026-11" } ] }
JSON
"$IMPORT" watch "$W" --config "$cfg" --log-priority 2>"$SIM_DIR/w.log" &
WPID=$!
version 1 "$W/inbox/uren-a.csv"
wait_for 60 grep -q 'action=login outcome=refused' "$SIM_DIR/w.log" || { cat "$SIM_DIR/w.log"; fail "no alert about the refused login"; }
grep '^<3>' "$SIM_DIR/w.log" | grep -q 'action=login outcome=refused.*invalid_grant' ||
    { cat "$SIM_DIR/w.log"; fail "the alert is not an error-priority line naming invalid_grant"; }
[ -f "$W/processing/uren-a.csv" ] || { ls -R "$W"; fail "the file that met the refusal does not wait in processing/"; }
version 2 "$W/inbox/uren-b.csv"
version 3 "$W/inbox/uren-c.csv"
sleep 4
[ -f "$W/inbox/uren-b.csv" ] && [ -f "$W/inbox/uren-c.csv" ] || { cat "$SIM_DIR/w.log"; fail "files were taken while the login is refused"; }
[ -z "$(ls "$W/failed" 2>/dev/null)" ] || { ls "$W/failed"; fail "files went to failed/"; }
wait_for 10 test -s "$SIM_DIR/hook.out" || fail "no hook ran"
[ "$(grep -c . "$SIM_DIR/hook.out")" = 1 ] || { cat "$SIM_DIR/hook.out"; fail "not exactly one hook"; }
grep -q '^login-refused uren-a.csv$' "$SIM_DIR/hook.out" || { cat "$SIM_DIR/hook.out"; fail "the hook's outcome is not login-refused"; }
[ "$(grep -c 'action=login outcome=refused' "$SIM_DIR/w.log")" = 1 ] || fail "more than one alert line"
"$IMPORT" watch status "$W" --json >"$SIM_DIR/status.json" || fail "watch status: exit $?"
jq -e '.login.state == "refused" and (.login.cause | test("invalid_grant")) and .inbox == 2' "$SIM_DIR/status.json" >/dev/null ||
    { cat "$SIM_DIR/status.json"; fail "watch status does not show the refused login and the waiting inbox"; }
# a --once run meanwhile: exit 3, nothing taken
timeout 60 "$IMPORT" watch "$W" --once --config "$cfg" 2>"$SIM_DIR/once.log"
st=$?
[ "$st" = 3 ] || { cat "$SIM_DIR/once.log"; fail "--once while the login is refused: exit $st, expected 3"; }
[ -f "$W/inbox/uren-b.csv" ] || fail "--once took a file while the login is refused"
# a person signs in again
"$IMPORT" auth set-refresh-token --config "$cfg" <"$SIM_DIR/refresh" >/dev/null || fail "signing in again"
wait_for 60 sh -c "[ -f '$W/done/uren-a.csv' ] && [ -f '$W/done/uren-b.csv' ] && [ -f '$W/done/uren-c.csv' ]" ||
    { cat "$SIM_DIR/w.log"; ls -R "$W"; fail "the files were not imported after signing in again"; }
grep -q 'action=login outcome=ok' "$SIM_DIR/w.log" || fail "the log does not say the login works again"
[ "$("$IMPORT" watch status "$W" --json | jq -r .login.state)" = ok ] || fail "watch status: the login still shows refused"
v=$(sim_state | jq '[.payrollPeriodData[] | select(.employeeNumber == 1001 and .payrollPeriodId == 202611)
    | .payrollComponents[] | select(.payrollComponent.key == 10) | .value] | first')
[ "$v" = 169 ] || fail "employee 1001 has $v hours, expected 169 (the newest file)"
[ "$(grep -c . "$SIM_DIR/hook.out")" = 1 ] || { cat "$SIM_DIR/hook.out"; fail "hooks after the login was fixed"; }
kill -TERM $WPID; wait $WPID; WPID=
echo "ok"
