#!/bin/sh
# sim_getting_started.sh: getting started against loket-sim. Its first stdout line stays the
# URL; then it prints the fixture's test credentials and a ready configuration, which works as
# printed (with the refresh token it names). 'loket-import auth sim URL' writes a configuration
# (0600, other keys kept) and signs in in one step, and follows a restarted simulator on a new
# port; it refuses a configuration that points elsewhere, a non-loopback URL and a dead port.
set -u
. "$(dirname "$0")/lib.sh"
IMPORT=$LK_IMPORT
W=$(mktemp -d "${TMPDIR:-/tmp}/lk-start-XXXXXX") || fail "mktemp"
cleanup() { stop_sim; rm -rf "$W"; }
export XDG_CONFIG_HOME="$W/xdg-config" XDG_STATE_HOME="$W/xdg-state"
unset LOKET_CLIENT_SECRET LOKET_CLIENT_SECRET_FILE CREDENTIALS_DIRECTORY

start_sim
trap 'cleanup' EXIT
O=$SIM_DIR/out
# ---- what loket-sim prints
[ "$(head -n 1 "$O")" = "$SIM_URL" ] && printf '%s' "$SIM_URL" | grep -Eq '^http://127\.0\.0\.1:[0-9]+/v2$' ||
    fail "the first line is not the URL: $(head -n 1 "$O")"
secret=$(jq -r .auth.clientSecret "$SIM_FIXTURE")
refresh=$(jq -r '.auth.refreshTokens[0]' "$SIM_FIXTURE")
grep -q "client secret  *$secret" "$O" || fail "loket-sim does not print the test client secret"
grep -q "refresh token  *$refresh" "$O" || fail "loket-sim does not print the refresh token"
grep -q "loket-import auth sim $SIM_URL\$" "$O" || fail "loket-sim does not print the auth sim line"
sed -n '/^{/,/^}/p' "$O" >"$W/printed.json"
jq -e --arg u "$SIM_URL" '.apiUrl == $u and .environment == "custom" and .clientId != null' "$W/printed.json" >/dev/null ||
    fail "the printed configuration is not a configuration for $SIM_URL: $(cat "$W/printed.json")"
# the printed configuration works as printed (tokens in the default store, here under $W)
chmod 600 "$W/printed.json"
echo "$refresh" | "$IMPORT" auth set-refresh-token --config "$W/printed.json" >/dev/null 2>"$W/err" ||
    fail "set-refresh-token with the printed configuration: $(cat "$W/err")"
"$IMPORT" employers --config "$W/printed.json" >"$W/out" 2>"$W/err" || fail "employers with the printed configuration: $(cat "$W/err")"
grep -q 40101 "$W/out" || fail "employers with the printed configuration listed nothing"

# ---- the credentials hook
c=$(curl -s --max-time 10 "$SIM_ROOT/__sim/credentials")
[ "$(printf '%s' "$c" | jq -r .clientSecret)" = "$secret" ] || fail "/__sim/credentials: $c"
[ "$(printf '%s' "$c" | jq -r .authorizationCode)" = "$(jq -r '.auth.authorizationCodes[0]' "$SIM_FIXTURE")" ] ||
    fail "/__sim/credentials names no unused code: $c"

# ---- auth sim: a new file, then one with keys of its own
C=$W/conf/loket.json
"$IMPORT" auth sim "$SIM_URL" --config "$C" >"$W/out" 2>"$W/err" || fail "auth sim: $(cat "$W/err")"
[ "$(stat -c %a "$C")" = 600 ] || fail "auth sim wrote $C with mode $(stat -c %a "$C")"
grep -q "tokens stored in $W/conf/sim-tokens.json" "$W/out" || fail "auth sim: $(cat "$W/out")"
"$IMPORT" employers --config "$C" >/dev/null 2>"$W/err" || fail "employers after auth sim: $(cat "$W/err")"
# a code works once: the next auth sim takes the next one
jq '. + {"concurrency": 3, "employer": "40101"}' "$C" >"$C.new" && mv "$C.new" "$C" && chmod 600 "$C"
"$IMPORT" auth sim "$SIM_URL" --config "$C" >/dev/null 2>"$W/err" || fail "a second auth sim: $(cat "$W/err")"
[ "$(jq -c '[.concurrency, .employer]' "$C")" = '[3,"40101"]' ] || fail "auth sim dropped keys: $(cat "$C")"
"$IMPORT" employments --config "$C" >"$W/out" 2>"$W/err" || fail "employments after the second auth sim: $(cat "$W/err")"
grep -q '^Bakkerij Van den Berg B.V.: ' "$W/out" || fail "the kept employer key is not used"

# ---- the simulator restarts on another port: the configuration follows with auth sim
old=$SIM_URL
stop_sim
start_sim
[ "$SIM_URL" != "$old" ] || fail "the restarted simulator has the same URL (port 0 should pick another)"
"$IMPORT" employers --config "$C" >/dev/null 2>&1 && fail "employers reached a stopped simulator"
"$IMPORT" auth sim "$SIM_URL" --config "$C" >/dev/null 2>"$W/err" || fail "auth sim after a restart: $(cat "$W/err")"
[ "$(jq -r .apiUrl "$C")" = "$SIM_URL" ] || fail "auth sim did not follow the restart: $(jq -r .apiUrl "$C")"
"$IMPORT" employers --config "$C" >/dev/null 2>"$W/err" || fail "employers after the restart: $(cat "$W/err")"

# ---- refusals, nothing changed
printf '{"environment": "production", "clientId": "bureau"}\n' >"$W/prod.json"
chmod 600 "$W/prod.json"
before=$(cat "$W/prod.json")
"$IMPORT" auth sim "$SIM_URL" --config "$W/prod.json" >/dev/null 2>"$W/err"
[ $? = 3 ] && grep -q "not at a simulator on this machine: left as it is" "$W/err" ||
    fail "auth sim on a production configuration: $(cat "$W/err")"
[ "$(cat "$W/prod.json")" = "$before" ] || fail "auth sim changed a production configuration"
# a token store of Loket itself is not thrown away for a simulator
printf '{"tokenUrl": "https://oauth.loket.nl/token", "refreshToken": "keep-me"}\n' >"$W/prod-tokens.json"
chmod 600 "$W/prod-tokens.json"
jq --arg t "$W/prod-tokens.json" '.tokenStore = $t' "$C" >"$W/c2.json" && chmod 600 "$W/c2.json"
"$IMPORT" auth sim "$SIM_URL" --config "$W/c2.json" >/dev/null 2>"$W/err"
[ $? = 3 ] && grep -q "holds tokens of https://oauth.loket.nl/token: left as it is" "$W/err" ||
    fail "auth sim with a production token store: $(cat "$W/err")"
grep -q keep-me "$W/prod-tokens.json" || fail "auth sim removed a production token store"
"$IMPORT" auth sim https://api.loket.nl/v2 --config "$W/x.json" >/dev/null 2>"$W/err"
[ $? = 3 ] && grep -q "not a loket-sim URL" "$W/err" && [ ! -e "$W/x.json" ] || fail "auth sim to https: $(cat "$W/err")"
"$IMPORT" auth sim http://10.1.2.3:8080/v2 --config "$W/x.json" >/dev/null 2>"$W/err"
[ $? = 3 ] && grep -q "only to a simulator on this machine" "$W/err" || fail "auth sim to 10.1.2.3: $(cat "$W/err")"
"$IMPORT" auth sim "http://127.0.0.1:1/v2" --config "$W/x.json" >/dev/null 2>"$W/err"
[ $? = 3 ] && grep -q "no loket-sim answers at http://127.0.0.1:1" "$W/err" && [ ! -e "$W/x.json" ] ||
    fail "auth sim to a dead port: $(cat "$W/err")"
"$IMPORT" auth sim >/dev/null 2>&1
[ $? = 64 ] || fail "auth sim without a URL is not a usage error"
echo "sim_getting_started: ok"
