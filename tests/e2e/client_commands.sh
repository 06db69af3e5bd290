#!/bin/sh
# client_commands.sh: the look-up and auth commands against loket-sim, as an operator runs them:
# auth set-refresh-token / status / refresh (rotated token on disk, old one refused), employers,
# employments (filter), components, periods (tables and --json), a token store readable by others
# refused, plain http to a non-loopback host refused, --help of every command, and a --trace of
# the whole session free of tokens and the client secret.
set -u
. "$(dirname "$0")/lib.sh"
start_sim --token-ttl 5

LI=$LK_IMPORT
CFG="$SIM_DIR/config.json"
STORE="$SIM_DIR/state/tokens.json"
TRACE="$SIM_DIR/trace.log"
SECRET=$(jq -r .auth.clientSecret "$SIM_FIXTURE")
FIRST_RT=$(cat "$SIM_DIR/refresh")
cat >"$CFG" <<EOF
{ "environment": "custom", "apiUrl": "$SIM_URL", "tokenUrl": "$SIM_ROOT/token",
  "clientId": "$(jq -r .auth.clientId "$SIM_FIXTURE")", "tokenStore": "$STORE",
  "pageSize": 4, "retry": { "baseDelayMs": 20 } }
EOF
export LOKET_CLIENT_SECRET="$SECRET"
run() { "$LI" "$@" --config "$CFG" --trace "$TRACE"; }

for c in auth employers employments components periods; do
    "$LI" $c --help >"$SIM_DIR/help" 2>&1 || fail "$c --help exited non-zero"
    grep -q -- "--config" "$SIM_DIR/help" || fail "$c --help does not list the common options"
done

# no tokens yet: status says how to get them, exit 3
run auth status >"$SIM_DIR/out" 2>&1 && fail "auth status without tokens succeeded"
grep -q "set-refresh-token" "$SIM_DIR/out" || fail "auth status does not say how to get tokens"

printf '%s\n' "$FIRST_RT" | run auth set-refresh-token >/dev/null || fail "set-refresh-token failed"
[ "$(stat -c %a "$STORE")" = 600 ] || fail "token store mode is $(stat -c %a "$STORE"), not 600"
[ "$(stat -c %a "$(dirname "$STORE")")" = 700 ] || fail "token store folder is not 700"

run auth status >"$SIM_DIR/out" 2>&1 || { cat "$SIM_DIR/out"; fail "auth status failed"; }
grep -q "Marieke" "$SIM_DIR/out" || grep -q "user" "$SIM_DIR/out" || fail "auth status shows no user"
grep -q "custom" "$SIM_DIR/out" || fail "auth status shows no environment"
RT1=$(jq -r .refreshToken "$STORE")
[ "$RT1" != "$FIRST_RT" ] || fail "the refresh token did not rotate"
for s in "$RT1" "$(jq -r .accessToken "$STORE")" "$SECRET"; do
    if grep -qF -- "$s" "$SIM_DIR/out"; then fail "auth status printed a token or the secret"; fi
done
run auth status --json | jq -e '.user.lastName and (.hasRefreshToken == true)' >/dev/null \
    || fail "auth status --json lacks the user or the token state"

run auth refresh >/dev/null || fail "auth refresh failed"
RT2=$(jq -r .refreshToken "$STORE")
[ "$RT2" != "$RT1" ] || fail "auth refresh did not store a new refresh token"
st=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$SIM_ROOT/token" --data-urlencode grant_type=refresh_token \
    --data-urlencode "refresh_token=$RT1" --data-urlencode "client_id=$(jq -r .auth.clientId "$SIM_FIXTURE")" \
    --data-urlencode "client_secret=$SECRET")
[ "$st" = 400 ] || fail "the rotated-away refresh token was accepted ($st)"

run employers >"$SIM_DIR/out" || fail "employers failed"
grep -q "Van den Berg maandloon" "$SIM_DIR/out" || fail "employers: monthly administration missing"
grep -q "40201" "$SIM_DIR/out" || fail "employers: client number 40201 missing"
n=$(run employers --json | jq '[.[].payrollAdministrations[]?] | length')
[ "$n" = 3 ] || fail "employers --json: expected 3 administrations, got $n"

run employments --employer "Bakkerij Van den Berg B.V." --number 1007 >"$SIM_DIR/out" || fail "employments failed"
[ "$(grep -c '^1007 ' "$SIM_DIR/out")" = 2 ] || fail "employee 1007 should have two employments"
n=$(run employments --employer 1 --json | jq length)
[ "$n" = 41 ] || fail "employments --json: expected 41, got $n"
n=$(run employments --employer 1 --active-on 2026-11-01 --json | jq '[.[] | select(.employeeNumber == 1019 or .employeeNumber == 1024)] | length')
[ "$n" = 0 ] || fail "--active-on 2026-11-01 kept 1019 (left) or 1024 (starts 16th): $n"

n=$(run components --employer 1 --admin 40102 --year 2026 --json | jq length)
[ "$n" = 10 ] || fail "components of the 4-weekly administration: expected 10, got $n"
run components --employer 1 --admin "Van den Berg maandloon" --year 2026 | grep -q "Ploegentoeslag" \
    || fail "components of the monthly administration lack 31 Ploegentoeslag"

n=$(run periods --employer 1 --admin 40101 --year 2026 --open --json | jq length)
[ "$n" = 2 ] || fail "open 2026 monthly periods: expected 2, got $n"
run periods --employer 2 --year 2026 | grep -q "approved" || fail "periods table lacks approved periods"

# an unknown administration: a clear error, exit 3-class or not-found, not a crash
run periods --employer 1 --admin 99999 >"$SIM_DIR/out" 2>&1 && fail "unknown administration accepted"
grep -q "99999" "$SIM_DIR/out" || fail "the error does not name the administration"

# an administration by id needs no employer; a bad --year is refused before any request
admin_id=$(jq -r '.payrollAdministrations[] | select(.clientNumber == 40102) | .id' "$SIM_FIXTURE")
[ -n "$admin_id" ] || fail "fixture lacks administration 40102"
n=$(run components --admin "$admin_id" --year 2026 --json | jq length)
[ "$n" = 10 ] || fail "components by administration id: expected 10, got $n"
for bad in 26 2026x "" 10000; do
    run periods --employer 1 --year "$bad" >"$SIM_DIR/out" 2>&1
    st=$?
    [ "$st" = 64 ] || fail "periods --year '$bad': exit $st, expected 64 (usage)"
    grep -q -- "--year takes a year like 2026" "$SIM_DIR/out" || fail "periods --year '$bad': no clear error"
done

# the authorization-code exchange: a fresh pair in the store; a code works once; a wrong
# redirect URI is refused with the token service's reason
CODE=$(jq -r '.auth.authorizationCodes[0]' "$SIM_FIXTURE")
# the code is a credential: never taken from the command line, where ps shows it
run auth code "$CODE" --redirect-uri "$(jq -r '.auth.redirectUris[0]' "$SIM_FIXTURE")" >"$SIM_DIR/out" 2>&1 \
    && fail "auth code took the code from the command line"
grep -q "standard input" "$SIM_DIR/out" || fail "the refusal of a code on the command line does not say why"
printf '%s\n' "$CODE" | run auth code --redirect-uri "$(jq -r '.auth.redirectUris[0]' "$SIM_FIXTURE")" >/dev/null \
    || fail "auth code failed"
RT_CODE=$(jq -r .refreshToken "$STORE")
[ "$RT_CODE" != "$RT2" ] || fail "auth code did not store new tokens"
run auth status >/dev/null 2>&1 || fail "auth status after the code exchange failed"
printf '%s\n' "$CODE" | run auth code --redirect-uri "$(jq -r '.auth.redirectUris[0]' "$SIM_FIXTURE")" >"$SIM_DIR/out" 2>&1 \
    && fail "a used authorization code was accepted"
grep -q "invalid_grant" "$SIM_DIR/out" || fail "the refusal of a used code does not say why"
jq -r '.auth.authorizationCodes[1]' "$SIM_FIXTURE" | run auth code --redirect-uri http://127.0.0.1/other \
    >"$SIM_DIR/out" 2>&1 && fail "a wrong redirect URI was accepted"
printf '%s\n' "$CODE" | "$LI" auth code --config "$CFG" >"$SIM_DIR/out" 2>&1 && fail "auth code without --redirect-uri accepted"
grep -q "redirect-uri" "$SIM_DIR/out" || fail "no hint about --redirect-uri"

# the token store readable by others: refused, naming path and mode
chmod 644 "$STORE"
run employers >"$SIM_DIR/out" 2>&1; rc=$?
[ $rc = 3 ] || fail "a 0644 token store gave exit $rc, not 3"
grep -q "0644" "$SIM_DIR/out" && grep -q "$STORE" "$SIM_DIR/out" || fail "the refusal does not name path and mode"
chmod 600 "$STORE"

# plain http to a host that is not loopback
"$LI" employers --config "$CFG" --api-url http://loket.example.com/v2 >"$SIM_DIR/out" 2>&1; rc=$?
[ $rc = 3 ] || fail "plain http to loket.example.com gave exit $rc, not 3"
grep -q "plain http" "$SIM_DIR/out" || fail "no clear message for plain http"

# the trace of all of the above holds no token and no secret
[ -s "$TRACE" ] || fail "no trace written"
[ "$(stat -c %a "$TRACE")" = 600 ] || fail "trace file is not private"
AT=$(jq -r .accessToken "$STORE")
RT3=$(jq -r .refreshToken "$STORE")
for s in "$FIRST_RT" "$RT1" "$RT2" "$RT_CODE" "$RT3" "$AT" "$SECRET" "$CODE"; do
    [ -n "$s" ] && [ "$s" != null ] || fail "a token to look for is empty"
    if grep -qF -- "$s" "$TRACE"; then fail "the trace contains a token or the secret"; fi
done
grep -q "redacted" "$TRACE" || fail "the trace shows no redaction at all"
grep -q "employments" "$TRACE" || fail "the trace misses the requests"

stop_sim
echo "ok"
