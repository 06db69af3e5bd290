#!/bin/sh
# sim_odd_requests.sh: loket-sim never falls over on odd requests: bad JSON, huge and endless
# bodies, wrong methods, odd paths and headers, a bad form at /token. It must answer each with a
# 4xx and still serve afterwards.
set -u
. "$(dirname "$0")/lib.sh"
start_sim --max-body 4096
SIM_TOKEN=$(get_token) || fail "no token"
e=$(jq -r '.employments[0].id' "$SIM_FIXTURE")
P="/providers/employers/employees/employments/$e/payrollperioddata"

expect() { # what expected-status
    [ "$(api_status)" = "$2" ] || fail "$1: status $(api_status), expected $2"
    echo "  $1: $2"
}
api PATCH "$P" -H 'Content-Type: application/json' --data '{{{' >/dev/null; expect "bad JSON" 400
api PATCH "$P" -H 'Content-Type: application/json' --data 'null' >/dev/null; expect "JSON null" 400
api PATCH "$P" -H 'Content-Type: application/json' --data '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]' >/dev/null
expect "nested arrays" 400
head -c 20000 /dev/zero | tr '\0' 'x' >"$SIM_DIR/big"
api PATCH "$P" -H 'Content-Type: application/json' --data-binary "@$SIM_DIR/big" >/dev/null; expect "body over --max-body" 413
head -c 300000 /dev/zero | tr '\0' 'x' >"$SIM_DIR/huge"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 -X PATCH "$SIM_URL$P" -H "Authorization: Bearer $SIM_TOKEN" \
    -H 'Accept: application/json;version=2018-01-01' -H 'Content-Type: application/json' --data-binary "@$SIM_DIR/huge")
case $code in 413 | 000) echo "  body far over the cap: $code" ;; *) fail "body far over the cap answered $code" ;; esac
# the document lists no 415: an API-level error is a 400 with a text/plain body
api PATCH "$P" -H 'Content-Type: text/plain' --data '{}' >/dev/null; expect "wrong content type" 400
grep -q "Content-Type must be application/json" "$SIM_DIR/body" || fail "wrong content type: not the text/plain reason"
api PATCH "$P" >/dev/null; expect "no body" 400
api DELETE /user >/dev/null; expect "wrong method" 405
api BREW /user >/dev/null; expect "unknown method" 405
api GET "/providers/employers/$(printf 'x%.0s' $(seq 1 200))/payrolladministrations" >/dev/null; expect "long id" 404
api GET '/providers/employers/%00/payrolladministrations' >/dev/null; expect "NUL in a path" 404
api GET '/providers/employers?pageSize=99999999999999999999' >/dev/null; expect "huge pageSize" 400
api GET '/providers/employers?filter=%27' >/dev/null; expect "broken filter" 400
code=$(curl -s -o /dev/null -w '%{http_code}' "$SIM_URL/user" -H "Authorization: Bearer $SIM_TOKEN" \
    -H 'Accept: application/json;version=garbage')
[ "$code" = 400 ] || fail "garbage version answered $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$SIM_ROOT/token" -H 'Content-Type: application/json' --data '{}')
[ "$code" = 400 ] || fail "JSON at /token answered $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$SIM_ROOT/token" --data 'grant_type=refresh_token&refresh_token=%ZZ&&&=')
[ "$code" = 401 ] || [ "$code" = 400 ] || fail "odd form at /token answered $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$SIM_ROOT/__sim/faults" --data 'not json')
[ "$code" = 400 ] || fail "bad faults JSON answered $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "$SIM_ROOT/")
[ "$code" = 404 ] || fail "/ answered $code"
# half a request, then hang up
printf 'PATCH /v2%s HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{"a":' "$P" |
    timeout 2 curl -s -o /dev/null "telnet://${SIM_ROOT#http://}" 2>/dev/null
api GET /user >/dev/null; expect "still serving" 200
echo "sim_odd_requests: ok"
