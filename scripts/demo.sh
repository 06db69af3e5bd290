#!/bin/sh
# The demo: starts loket-sim on its fixture, shows it answering (a token, a page of employments),
# and stops it. The import issues extend this until it imports samples/ and writes a report.
set -eu
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
FIXTURE=$ROOT/samples/loket-fixture.json
case "$BUILD" in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac

"$BUILD/loket-import" --help >/dev/null 2>&1 || true
out=$(mktemp -d "${TMPDIR:-/tmp}/lk-demo-XXXXXX")
"$BUILD/loket-sim" --fixture "$FIXTURE" --port 0 >"$out/sim.out" 2>"$out/sim.err" &
sim_pid=$!
cleanup() { kill "$sim_pid" 2>/dev/null; wait "$sim_pid" 2>/dev/null; rm -rf "$out"; }
trap cleanup EXIT INT TERM
i=0
while [ ! -s "$out/sim.out" ]; do
    i=$((i + 1))
    [ $i -le 100 ] || { cat "$out/sim.err" >&2; echo "demo: loket-sim did not start" >&2; exit 1; }
    sleep 0.1
done
api=$(head -n 1 "$out/sim.out")
echo "== loket-sim is listening at $api"

echo "== POST ${api%/v2}/token (refresh_token grant; tokens are not shown)"
token_json=$(curl -s -X POST "${api%/v2}/token" \
    --data-urlencode grant_type=refresh_token \
    --data-urlencode "refresh_token=$(jq -r '.auth.refreshTokens[0]' "$FIXTURE")" \
    --data-urlencode "client_id=$(jq -r .auth.clientId "$FIXTURE")" \
    --data-urlencode "client_secret=$(jq -r .auth.clientSecret "$FIXTURE")")
printf '%s' "$token_json" | jq '{token_type, expires_in, access_token: "(hidden)", refresh_token: "(hidden, rotated)"}'
token=$(printf '%s' "$token_json" | jq -r .access_token)

echo "== GET /providers/employers"
employers=$(curl -s "$api/providers/employers" -H "Authorization: Bearer $token" \
    -H 'Accept: application/json;version=2018-01-01')
printf '%s' "$employers" | jq -r '._embedded[] | "   \(.companyName)  \(.id)"'
employer=$(printf '%s' "$employers" | jq -r '._embedded[0].id')

echo "== GET /providers/employers/{id}/employees/employments?pageSize=5&pageNumber=1"
curl -s "$api/providers/employers/$employer/employees/employments?pageSize=5&pageNumber=1" \
    -H "Authorization: Bearer $token" -H 'Accept: application/json;version=2019-12-16' |
    jq -r '"   page \(.currentPage) of \(.totalPages), \(.totalSize) employments",
           (._embedded[] | "   \(.employee.employeeNumber)  \(.employee.formattedName)  \(.payrollAdministration.name)  \(.startDate)")'
echo "== demo done; loket-sim stopped"
