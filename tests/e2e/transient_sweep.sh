#!/bin/sh
# Transient means transient in every phase: an outage that begins at the N-th request (loket-sim
# --fail-after, here through POST /__sim/faults: every request from the N-th on gets 503, the
# token service included) ends a plan, and an apply, with exit 3 and a JSON report whose error
# says "transient": true, for every N from the first request of the run to its last (or, once
# records are being sent, exit 1 where every record not confirmed got no answer or a 5xx and
# nothing was refused: what watch waits on); never with exit 2 ("input or mapping errors") nor
# with a record blamed on the file. With 500 instead of 503 the same holds at a few points. Exit 2
# stays for the file's own faults: a bad number gives it while Loket is fine.
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
  "clientId": "$(jq -r .auth.clientId "$SIM_FIXTURE")",
  "tokenStore": "$SIM_DIR/tokens.json",
  "retry": { "maxAttempts": 2, "baseDelayMs": 10, "maxDelayMs": 20, "maxRetryAfterSeconds": 1 } }
JSON
LOKET_CLIENT_SECRET=$(jq -r .auth.clientSecret "$SIM_FIXTURE")
export LOKET_CLIENT_SECRET
faults() { curl -s -X POST "$SIM_ROOT/__sim/faults" -d "$1" >"$SIM_DIR/faults.out" || fail "POST /__sim/faults"; }
# back to the fixture, a fresh login: every run starts with the same requests
fresh() {
    curl -s -X POST "$SIM_ROOT/__sim/reset" >/dev/null || fail "reset"
    "$IMPORT" auth set-refresh-token --config "$cfg" <"$SIM_DIR/refresh" >/dev/null 2>&1 ||
        fail "auth set-refresh-token failed"
}
run() { # MODE: the run's exit code; its JSON report in $SIM_DIR/r.json
    rm -f "$SIM_DIR/r.json"
    set -- "$1" "$SAMPLE" -m "$MAPPING" --period 2026-11 --config "$cfg" --report "$SIM_DIR/r.json" --quiet
    [ "$1" = apply ] && set -- "$@" --journal "$SIM_DIR/j.$$"
    rm -f "$SIM_DIR/j.$$"
    timeout 120 "$IMPORT" "$@" >"$SIM_DIR/run.log" 2>&1
}
count_requests() { # MODE: how many requests a clean run makes
    fresh
    faults '{"failAfter": 1000000000}'
    run "$1" || fail "$1 without faults: exit $?"
    curl -s "$SIM_ROOT/__sim/faults" | jq .failAfterSeen
}

# the file's own fault is exit 2 while Loket answers
fresh
LC_ALL=C sed '2s/;166;/;16x6;/' "$SAMPLE" >"$SIM_DIR/bad.csv"
"$IMPORT" plan "$SIM_DIR/bad.csv" -m "$MAPPING" --period 2026-11 --config "$cfg" --quiet >"$SIM_DIR/bad.log" 2>&1
st=$?
[ "$st" = 2 ] || { cat "$SIM_DIR/bad.log"; fail "a bad number: exit $st, expected 2"; }

SENDING_OUTAGE='.totals.records.failed > 0 and (.totals.records.rejected // 0) == 0
    and (.totals.records.not_sent // 0) == 0 and (.totals.issues.rejected // 0) == 0
    and ([.records[] | select(.outcome == "failed") | (.http_status // 0)
          | select(. != 0 and . != 429 and (. < 500 or . > 599))] | length == 0)'
bad=""
sweep() { # MODE FAULT-JSON N...
    mode=$1 fault=$2
    shift 2
    for n in "$@"; do
        fresh
        faults "$(printf '%s' "$fault" | jq -c --argjson n "$n" '. + {failAfter: $n}')"
        run "$mode"
        st=$?
        faults '{"failAfter": 0, "dropRate": 0, "rateLimit": 0}'
        tr=$(jq -r '.run.error.transient // empty' "$SIM_DIR/r.json" 2>/dev/null)
        # an outage that begins while records are being sent: exit 1 where every record not
        # confirmed got no answer, 429 or a 5xx and nothing was refused (what watch waits on)
        [ "$st" = 1 ] && [ "$mode" = apply ] && jq -e "$SENDING_OUTAGE" "$SIM_DIR/r.json" >/dev/null 2>&1 && tr=true
        if [ "$st" = 1 ] && [ "$tr" = true ]; then
            :
        elif [ "$st" != 3 ] || [ "$tr" != true ]; then
            bad="$bad
$mode $fault from request $n: exit $st, transient=$tr: $(grep -m1 -i 'error' "$SIM_DIR/run.log")"
        fi
    done
}
for mode in plan apply; do
    total=$(count_requests "$mode")
    [ "$total" -ge 5 ] || fail "$mode makes only $total requests?"
    echo "$mode: $total requests"
    sweep "$mode" '{"failStatus": 503}' $(seq 1 "$total")
    sweep "$mode" '{"failStatus": 500}' 1 2 $((total / 2)) "$total"
done
[ -z "$bad" ] || fail "an outage was not reported as transient:$bad"
echo "ok"
