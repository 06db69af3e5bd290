#!/bin/sh
# stop_and_stall.sh: a server that accepts connections and never answers. SIGTERM stops apply
# within 2 s with exit 5 while it waits for the token service and while it waits for the API
# (planning); a look-up against the silent API fails within the request deadline
# (timeouts.lowSpeedSeconds, timeouts.requestSeconds) instead of 5 attempts x 120 s.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh"
start_import_sim

# the silent server: the kernel completes the handshake, nobody ever reads or answers
python3 -c 'import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(128)
print(s.getsockname()[1], flush=True)
time.sleep(600)' >"$SIM_DIR/hung.port" &
HUNG_PID=$!
trap 'kill $HUNG_PID 2>/dev/null; stop_sim' EXIT
i=0
while [ ! -s "$SIM_DIR/hung.port" ]; do
    i=$((i + 1)); [ $i -gt 50 ] && fail "the silent server did not start"; sleep 0.1
done
HUNG="http://127.0.0.1:$(cat "$SIM_DIR/hung.port")"
CSV=$(sample uren-maand-40101-2026-11.csv)
MAP=$(mapping uren-maand-excel.json)
now_ms() { date +%s%3N; }

# stop_after NAME CONFIG SECONDS: apply, SIGTERM after SECONDS; checks exit 5 within 2 s
stop_after() {
    name=$1 cfg=$2
    "$IMPORT_BIN" apply "$CSV" -m "$MAP" --period 2026-11 --employer 40101 --config "$cfg" \
        --report "$SIM_DIR/$name.json" --quiet >"$SIM_DIR/$name.out" 2>&1 &
    pid=$!
    sleep "$3"
    kill -0 $pid 2>/dev/null || { cat "$SIM_DIR/$name.out"; fail "$name: apply ended before the stop"; }
    t0=$(now_ms)
    kill -TERM $pid
    # wait at most 10 s, so that a hang fails the test instead of blocking it
    i=0
    while kill -0 $pid 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    took=$(($(now_ms) - t0))
    if kill -0 $pid 2>/dev/null; then kill -KILL $pid; wait $pid; fail "$name: still running 10 s after SIGTERM"; fi
    wait $pid
    st=$?
    echo "$name: stopped $took ms after SIGTERM, exit $st"
    [ "$st" = 5 ] || { cat "$SIM_DIR/$name.out"; fail "$name: exit $st after SIGTERM, expected 5"; }
    [ "$took" -lt 2000 ] || fail "$name: took $took ms to stop, more than 2 s"
    grep -qi "interrupted" "$SIM_DIR/$name.out" || { cat "$SIM_DIR/$name.out"; fail "$name: no word of the interruption"; }
}

# ---- the token service hangs (the store holds only a refresh token, so apply must ask)
jq --arg t "$HUNG/token" --arg s "$SIM_DIR/hung-token/tokens.json" '.tokenUrl = $t | .tokenStore = $s' \
    "$SIM_DIR/config.json" >"$SIM_DIR/config-hung-token.json"
jq -r '.auth.refreshTokens[0]' "$SIM_FIXTURE" |
    "$IMPORT_BIN" auth set-refresh-token --config "$SIM_DIR/config-hung-token.json" >/dev/null ||
    fail "set-refresh-token"
stop_after hung-token "$SIM_DIR/config-hung-token.json" 1.5

# ---- the API hangs (planning waits for the first look-up)
jq --arg a "$HUNG/v2" '.apiUrl = $a' "$SIM_DIR/config.json" >"$SIM_DIR/config-hung-api.json"
stop_after hung-api "$SIM_DIR/config-hung-api.json" 1.5

# ---- no stop: a silent API ends within the request deadline, with a clear error
jq --arg a "$HUNG/v2" '.apiUrl = $a | .retry.maxAttempts = 5 |
    .timeouts = {"lowSpeedSeconds": 2, "requestSeconds": 5}' "$SIM_DIR/config.json" >"$SIM_DIR/config-deadline.json"
t0=$(now_ms)
timeout 60 "$IMPORT_BIN" employers --config "$SIM_DIR/config-deadline.json" >"$SIM_DIR/deadline.out" 2>&1
st=$?
took=$(($(now_ms) - t0))
echo "silent API, lowSpeedSeconds 2, requestSeconds 5: failed after $took ms, exit $st"
[ "$st" = 3 ] || { cat "$SIM_DIR/deadline.out"; fail "silent API: exit $st, expected 3"; }
[ "$took" -lt 8000 ] || fail "silent API: $took ms, more than the 5 s deadline allows"
grep -q "requestSeconds\|no answer" "$SIM_DIR/deadline.out" || { cat "$SIM_DIR/deadline.out"; fail "silent API: unclear error"; }

echo "stop_and_stall: all ok"
