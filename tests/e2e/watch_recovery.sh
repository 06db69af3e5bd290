#!/bin/sh
# Recovery within a minute: after an outage, a file whose next try is 5 minutes away (the
# schedule's second wait) is imported within 60 s of Loket answering again, because the
# watcher asks Loket one cheap question every probe_seconds (default 20) while files wait;
# while Loket stays down, the probe sends nothing of the file. A --once run (the timer) started
# after the outage takes such a file at once, not at its retry_at.
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
  "clientId": "$(jq -r .auth.clientId "$SIM_FIXTURE")", "tokenStore": "$SIM_DIR/tokens.json",
  "retry": { "maxAttempts": 2, "baseDelayMs": 10, "maxDelayMs": 20, "maxRetryAfterSeconds": 1 } }
JSON
LOKET_CLIENT_SECRET=$(jq -r .auth.clientSecret "$SIM_FIXTURE")
export LOKET_CLIENT_SECRET
"$IMPORT" auth set-refresh-token --config "$cfg" <"$SIM_DIR/refresh" >/dev/null || fail "auth set-refresh-token"
faults() { curl -s -X POST "$SIM_ROOT/__sim/faults" -d "$1" >/dev/null || fail "POST /__sim/faults"; }
patches() { curl -s "$SIM_ROOT/__sim/requests" | jq '[.recent[] | select(.method == "PATCH")] | length'; }
wait_for() { # SECONDS COMMAND...
    n=$(($1 * 10)); shift
    while [ "$n" -gt 0 ]; do "$@" 2>/dev/null && return 0; sleep 0.1; n=$((n - 1)); done
    return 1
}
folder() { # DIR
    mkdir -p "$1/inbox"
    cat >"$1/loket-watch.json" <<JSON
{ "settle_seconds": 0, "rescan_seconds": 600, "retry_seconds": [1, 300],
  "rules": [ { "match": "uren-*.csv", "mapping": "$MAPPING", "mode": "apply", "period": "2026-11" } ] }
JSON
}

# 1. resident
W=$SIM_DIR/drop
folder "$W"
faults '{"failRate": 1.0, "failStatus": 503}'
"$IMPORT" watch "$W" --config "$cfg" 2>"$SIM_DIR/w.log" &
WPID=$!
cp "$SAMPLE" "$W/inbox/uren-nov.csv"
wait_for 60 grep -q 'transient_failures=2 .*retry_in=300s' "$SIM_DIR/w.log" ||
    { cat "$SIM_DIR/w.log"; fail "the file did not reach its 5-minute wait"; }
sleep 3
faults '{"failRate": 0}'
back=$(date +%s)
wait_for 60 test -f "$W/done/uren-nov.csv" ||
    { cat "$SIM_DIR/w.log"; fail "not imported within 60 s after Loket answered again"; }
took=$(($(date +%s) - back))
grep -q 'action=probe outcome=ok' "$SIM_DIR/w.log" || { cat "$SIM_DIR/w.log"; fail "no probe said Loket was back"; }
[ "$(patches)" -gt 0 ] || fail "nothing was sent"
kill -TERM $WPID; wait $WPID; WPID=
echo "resident: imported $took s after Loket answered again"

# 2. the timer: --once after the outage takes the waiting file at once
W2=$SIM_DIR/drop2
folder "$W2"
faults '{"failRate": 1.0, "failStatus": 503}'
LC_ALL=C awk -F';' 'BEGIN { OFS = ";" } $1 ~ /^[0-9]+$/ && $4 != "" { sub(/,.*/, "", $4); $4 = $4 + 1 } { print }' \
    "$SAMPLE" >"$W2/inbox/uren-nov.csv"
timeout 120 "$IMPORT" watch "$W2" --once --config "$cfg" 2>"$SIM_DIR/o.log"
sleep 1.2
timeout 120 "$IMPORT" watch "$W2" --once --config "$cfg" 2>>"$SIM_DIR/o.log"
grep -q 'retry_in=300s' "$SIM_DIR/o.log" || { cat "$SIM_DIR/o.log"; fail "--once: the file did not reach its 5-minute wait"; }
faults '{"failRate": 0}'
timeout 120 "$IMPORT" watch "$W2" --once --config "$cfg" 2>>"$SIM_DIR/o.log" || { cat "$SIM_DIR/o.log"; fail "--once after the outage: exit $?"; }
[ -f "$W2/done/uren-nov.csv" ] || { cat "$SIM_DIR/o.log"; fail "--once after the outage did not take the waiting file"; }
echo "ok"
