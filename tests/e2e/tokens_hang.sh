#!/bin/sh
# The login survives a slow token service: /token (and the API) answer only after 6 s, the
# server completing the rotation whatever the client does meanwhile, while the client's
# limits are 2 s without data and 3 s per attempt. Two processes share the token store: one
# refreshes ('auth refresh'), the other starts at the same moment and needs a token too
# ('auth status'). The refresh is not abandoned (it would lose the rotated refresh token and
# leave only invalid_grant), the second process waits for the lock and uses what the first
# stored: exactly one POST /token, both exit 0, and the login still works afterwards.
# sim-modes: both
. "$(dirname "$0")/lib.sh"
IMPORT=$LK_ROOT/$LOKET_BUILD/loket-import
case "$LOKET_BUILD" in /*) IMPORT=$LOKET_BUILD/loket-import ;; esac
start_sim
cfg=$SIM_DIR/config.json
cat >"$cfg" <<JSON
{ "environment": "custom", "apiUrl": "$SIM_URL", "tokenUrl": "$SIM_ROOT/token",
  "clientId": "$(jq -r .auth.clientId "$SIM_FIXTURE")", "tokenStore": "$SIM_DIR/tokens.json",
  "timeouts": { "connectSeconds": 2, "totalSeconds": 3, "lowSpeedSeconds": 2, "requestSeconds": 20 },
  "retry": { "maxAttempts": 3, "baseDelayMs": 100, "maxDelayMs": 200, "maxRetryAfterSeconds": 1 } }
JSON
# the second process waits longer for the API (whose answers are slow too), not for /token
jq '.timeouts = {"totalSeconds": 30, "lowSpeedSeconds": 30, "requestSeconds": 60}' "$cfg" >"$SIM_DIR/config-b.json"
LOKET_CLIENT_SECRET=$(jq -r .auth.clientSecret "$SIM_FIXTURE")
export LOKET_CLIENT_SECRET
"$IMPORT" auth set-refresh-token --config "$cfg" <"$SIM_DIR/refresh" >/dev/null || fail "auth set-refresh-token"
token_posts() { curl -s "$SIM_ROOT/__sim/requests" | jq '[.recent[] | select(.path == "/token")] | length'; }
curl -s -X POST "$SIM_ROOT/__sim/faults" -d '{"latencyMs": 6000}' >/dev/null || fail "faults"
t0=$(date +%s)
"$IMPORT" auth refresh --config "$cfg" >"$SIM_DIR/a.out" 2>&1 &
a=$!
sleep 0.5
"$IMPORT" auth status --config "$SIM_DIR/config-b.json" >"$SIM_DIR/b.out" 2>&1 &
b=$!
wait $a
sa=$?
wait $b
sb=$?
took=$(($(date +%s) - t0))
curl -s -X POST "$SIM_ROOT/__sim/faults" -d '{"latencyMs": 0}' >/dev/null || fail "faults"
[ "$sa" = 0 ] || { cat "$SIM_DIR/a.out"; fail "the refresh through a slow token service: exit $sa"; }
[ "$sb" = 0 ] || { cat "$SIM_DIR/b.out"; fail "the second process: exit $sb"; }
n=$(token_posts)
[ "$n" = 1 ] || { curl -s "$SIM_ROOT/__sim/requests" | jq -c '[.recent[] | {method, path, status}]'; fail "$n POSTs to /token, expected 1 (one refresh at a time, the other re-reads)"; }
# the login works: a refresh now succeeds with the stored token
"$IMPORT" auth refresh --config "$cfg" >"$SIM_DIR/c.out" 2>&1 || { cat "$SIM_DIR/c.out"; fail "the login was lost"; }
grep -q invalid_grant "$SIM_DIR"/*.out && fail "invalid_grant"
echo "ok ($took s for both)"
