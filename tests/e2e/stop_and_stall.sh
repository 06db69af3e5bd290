#!/bin/sh
# stop_and_stall.sh: a server that accepts connections and never answers. SIGTERM stops apply
# within 2 s with exit 5 while it waits for the token service, while it waits for the API
# (planning), and while its writes hang (a proxy that forwards look-ups to loket-sim and never
# answers a PATCH; the journal then confirms nothing and --resume finishes the run); a look-up
# against the silent API fails within the request deadline (timeouts.lowSpeedSeconds,
# timeouts.requestSeconds) instead of 5 attempts x 120 s.
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
        --report "$SIM_DIR/$name.json" --journal "$SIM_DIR/$name.journal" --quiet >"$SIM_DIR/$name.out" 2>&1 &
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

# ---- the API answers look-ups but never a write: SIGTERM while the PATCHes hang. Exit 5
# within 2 s; nothing is journaled as confirmed; --resume against the real API then finishes
# the run with every value in place (the cut requests count as not confirmed).
python3 -c 'import http.server, socketserver, sys, threading, time, urllib.request
up = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_PATCH(self):
        time.sleep(600)
    def do_GET(self):
        req = urllib.request.Request(up + self.path, headers={k: v for k, v in self.headers.items() if k.lower() in ("authorization", "accept")})
        try:
            r = urllib.request.urlopen(req, timeout=30); status, body, ct = r.status, r.read(), r.headers.get("Content-Type", "application/json")
        except urllib.error.HTTPError as e:
            status, body, ct = e.code, e.read(), e.headers.get("Content-Type", "application/json")
        self.send_response(status); self.send_header("Content-Type", ct); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
class S(socketserver.ThreadingMixIn, http.server.HTTPServer): daemon_threads = True
s = S(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()' "$SIM_ROOT" >"$SIM_DIR/proxy.port" 2>"$SIM_DIR/proxy.err" &
PROXY_PID=$!
trap 'kill $HUNG_PID $PROXY_PID 2>/dev/null; stop_sim' EXIT
i=0
while [ ! -s "$SIM_DIR/proxy.port" ]; do
    i=$((i + 1)); [ $i -gt 50 ] && fail "the write-hanging proxy did not start"; sleep 0.1
done
jq --arg a "http://127.0.0.1:$(cat "$SIM_DIR/proxy.port")/v2" '.apiUrl = $a' "$SIM_DIR/config.json" >"$SIM_DIR/config-hung-write.json"
p0=$(patch_count)
stop_after hung-write "$SIM_DIR/config-hung-write.json" 4
[ "$(patch_count)" = "$p0" ] || fail "hung-write: a PATCH reached Loket"
J="$SIM_DIR/hung-write.journal"
[ -f "$J" ] || fail "hung-write: no journal"
# intents ("intent:KEY") are written before sending; a confirmation is a line of the key itself
grep -v '"key":"intent:' "$J" | grep -q '"outcome":"created"\|"outcome":"updated"' &&
    fail "hung-write: the journal confirms a write that got no answer"
grep -q '"key":"intent:' "$J" || fail "hung-write: no intent was journaled before the writes"
jq -e '[.records[] | select(.outcome == "failed" or .outcome == "not sent")] | length > 0' "$SIM_DIR/hung-write.json" >/dev/null ||
    fail "hung-write: the report does not show the cut and unsent records"
"$IMPORT_BIN" apply "$CSV" -m "$MAP" --period 2026-11 --employer 40101 --config "$SIM_DIR/config.json" \
    --report "$SIM_DIR/hung-write.json" --journal "$J" --resume --verify --quiet >"$SIM_DIR/resume.out" 2>&1 ||
    { cat "$SIM_DIR/resume.out"; fail "hung-write: --resume against the real API failed"; }
[ "$(state_values 1001)" = "cc=1 cu= du= shift=1 pst=1 10=166
cc=1 cu= du= shift=1 pst=1 11=1.75
cc=1 cu= du= shift=1 pst=1 14=4
cc=1 cu= du= shift=1 pst=1 20=160" ] || fail "hung-write: after --resume employee 1001 holds
$(state_values 1001)"

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
