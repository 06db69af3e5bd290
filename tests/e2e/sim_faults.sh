#!/bin/sh
# sim_faults.sh: loket-sim's fault injection over HTTP: latency, 5xx rate, dropped connections
# (before and after applying), 429 + Retry-After, token lifetimes, runtime changes, reproducible
# randomness with --seed.
set -u
. "$(dirname "$0")/lib.sh"

# curl's own clock (time_total, ms) rather than the shell's: on a busy machine starting curl alone
# can take longer than the latency under test
timed_ms() {
    curl -s -o /dev/null -w '%{time_total}' "$SIM_URL/user" -H "Authorization: Bearer $SIM_TOKEN" \
        -H 'Accept: application/json;version=2018-01-01' | awk '{ printf "%d", $1 * 1000 }'
}

# latency
start_sim --latency-ms 800
SIM_TOKEN=$(get_token) || fail "no token"
ms=$(timed_ms)
[ "$ms" -ge 790 ] || fail "latency 800 ms took $ms ms"
curl -s -X POST "$SIM_ROOT/__sim/faults" -d '{"latencyMs":0}' >/dev/null
ms=$(timed_ms)
[ "$ms" -lt 700 ] || fail "latency 0 at runtime still took $ms ms"
curl -s -X POST "$SIM_ROOT/__sim/faults" -d '{"latencyMs":100,"jitterMs":400}' >/dev/null
ms=$(timed_ms)
[ "$ms" -ge 95 ] || fail "latency 100 + jitter took only $ms ms"
stop_sim
echo "  latency: ok"

# 5xx rate, reproducible with a seed: two simulators with --seed 7 fail the same requests
fail_pattern() { # prints one character per request: x = 5xx, . = 200
    start_sim --seed 7
    SIM_TOKEN=$(get_token) || fail "no token"
    curl -s -X POST "$SIM_ROOT/__sim/faults" -d '{"failRate":0.5}' >/dev/null
    urls=$(i=0; while [ $i -lt 40 ]; do echo "$SIM_URL/user"; i=$((i + 1)); done)
    # shellcheck disable=SC2086
    curl -s -w '\n@%{http_code}\n' -H "Authorization: Bearer $SIM_TOKEN" \
        -H 'Accept: application/json;version=2018-01-01' $urls |
        sed -n 's/^@5..$/x/p; s/^@200$/./p' | tr -d '\n'
    stop_sim
}
a=$(fail_pattern)
b=$(fail_pattern)
n=$(printf '%s' "$a" | tr -cd x | wc -c)
[ ${#a} = 40 ] || fail "fail-rate: expected 40 answers, got '$a'"
[ "$n" -gt 5 ] && [ "$n" -lt 35 ] || fail "fail-rate 0.5 failed $n of 40"
[ "$a" = "$b" ] || fail "the same seed gave different faults: $a / $b"
echo "  fail-rate 0.5 with --seed 7: $n of 40 failed, the same ones twice ($a)"

# --fail-status 503 carries Retry-After
start_sim --fail-rate 1 --fail-status 503
h=$(curl -s -D - -o /dev/null "$SIM_URL/user")
printf '%s' "$h" | grep -q '^HTTP/1.1 503' || fail "expected 503: $h"
printf '%s' "$h" | grep -qi '^Retry-After: 1' || fail "503 without Retry-After: $h"
stop_sim
echo "  fail-status 503 + Retry-After: ok"

# dropped connections: the client sees no answer; drop-after applies the request first
start_sim --drop-rate 1
code=$(curl -s -o /dev/null -w '%{http_code}' "$SIM_URL/user")
[ "$code" = 000 ] || fail "drop-rate 1 answered $code"
stop_sim
start_sim
SIM_TOKEN=$(get_token) || fail "no token"
curl -s -X POST "$SIM_ROOT/__sim/faults" -d '{"dropAfterRate":1}' >/dev/null
e=$(jq -r '.employments[] | select(.employee.employeeNumber == 1004) | .id' "$SIM_FIXTURE")
api PATCH "/providers/employers/employees/employments/$e/payrollperioddata" -H 'Content-Type: application/json' \
    --data '{"payrollPeriod":{"year":2026,"periodNumber":11},"payrollComponents":[{"payrollComponent":{"key":10},"value":5}]}' >/dev/null
[ "$(api_status)" = 000 ] || fail "drop-after answered $(api_status)"
sim_state | jq -e '.payrollPeriodData | any(.employeeNumber == 1004)' >/dev/null || fail "drop-after did not apply the PATCH"
curl -s "$SIM_ROOT/__sim/requests" | jq -e '.recent | any(.status == 0)' >/dev/null || fail "the log lacks the dropped request"
stop_sim
echo "  drop-rate, drop-after-rate: ok"

# rate limit: 429 + Retry-After (one curl for 20 requests on one connection: a shell loop of curl
# processes may be slower than the limit)
start_sim --rate-limit 2
SIM_TOKEN=$(get_token) || fail "no token"
urls=$(i=0; while [ $i -lt 20 ]; do echo "$SIM_URL/user"; i=$((i + 1)); done)
# shellcheck disable=SC2086
n429=$(curl -s -D "$SIM_DIR/headers" -w '\n@%{http_code}\n' -H "Authorization: Bearer $SIM_TOKEN" \
    -H 'Accept: application/json;version=2018-01-01' $urls | grep -c '^@429$')
[ "$n429" -ge 8 ] || fail "rate-limit 2/s: only $n429 of 20 got 429"
grep -qi '^Retry-After: 1' "$SIM_DIR/headers" || fail "429 without Retry-After"
sleep 1.1
api GET /user >/dev/null
[ "$(api_status)" = 200 ] || fail "after the window the limit still holds ($(api_status))"
stop_sim
echo "  rate-limit: $n429 of 20 got 429 with Retry-After"

# token lifetimes
start_sim --token-ttl 1
out=$(curl -s -X POST "$SIM_ROOT/token" --data-urlencode grant_type=refresh_token \
    --data-urlencode "refresh_token=$(cat "$SIM_DIR/refresh")" --data-urlencode "client_id=$(jq -r .auth.clientId "$SIM_FIXTURE")" \
    --data-urlencode "client_secret=$(jq -r .auth.clientSecret "$SIM_FIXTURE")")
[ "$(printf '%s' "$out" | jq .expires_in)" = 1 ] || fail "expires_in is not the ttl: $out"
SIM_TOKEN=$(printf '%s' "$out" | jq -r .access_token)
api GET /user >/dev/null
[ "$(api_status)" = 200 ] || fail "fresh token refused"
sleep 1.2
api GET /user >/dev/null
[ "$(api_status)" = 401 ] || fail "token older than its ttl accepted ($(api_status))"
stop_sim
start_sim --token-max-requests 2
SIM_TOKEN=$(get_token)
api GET /user >/dev/null; api GET /user >/dev/null; api GET /user >/dev/null
[ "$(api_status)" = 401 ] || fail "third call with --token-max-requests 2 answered $(api_status)"
SIM_TOKEN=$(get_token)
api GET /user >/dev/null
[ "$(api_status)" = 200 ] || fail "a refreshed token was refused"
stop_sim
echo "  token-ttl, token-max-requests: ok"
echo "sim_faults: ok"
