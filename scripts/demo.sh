#!/bin/sh
# The demo: starts loket-sim on its fixture, shows it answering (a token, a page of employments),
# then imports the clean samples the way an operator would: the refresh token stored with
# 'auth set-refresh-token' in a private configuration, 'plan' (the dry run) and 'apply' of a
# monthly, a 4-weekly and a weekly (daily XLSX) export, each with its reports in demo-out/.
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
# ---- the import, as an operator runs it
DEMO_OUT=${DEMO_OUT:-$ROOT/demo-out}
mkdir -p "$DEMO_OUT"
rm -f "$DEMO_OUT"/*.journal "$DEMO_OUT"/*.journal.done
umask 077
printf '{"environment": "custom", "apiUrl": "%s", "tokenUrl": "%s", "clientId": "%s", "tokenStore": "%s"}\n' \
    "$api" "${api%/v2}/token" "$(jq -r .auth.clientId "$FIXTURE")" "$out/tokens.json" >"$out/config.json"
LOKET_CLIENT_SECRET=$(jq -r .auth.clientSecret "$FIXTURE")
export LOKET_CLIENT_SECRET
echo
echo "== loket-import auth set-refresh-token < (the rotated refresh token from above)"
printf '%s' "$token_json" | jq -r .refresh_token |
    "$BUILD/loket-import" auth set-refresh-token --config "$out/config.json"

import() { # name sample mapping [options]
    name=$1 sample=$ROOT/samples/$2 mapping=$ROOT/mappings/$3
    shift 3
    echo
    echo "== loket-import plan samples/$(basename "$sample") -m mappings/$(basename "$mapping") $*"
    "$BUILD/loket-import" plan "$sample" -m "$mapping" "$@" --config "$out/config.json" \
        --report "$DEMO_OUT/$name-plan.xlsx" --report "$DEMO_OUT/$name-plan.json" || true
    echo
    echo "== loket-import apply samples/$(basename "$sample") -m mappings/$(basename "$mapping") $* --verify"
    "$BUILD/loket-import" apply "$sample" -m "$mapping" "$@" --config "$out/config.json" --verify \
        --journal "$DEMO_OUT/$name.journal" \
        --report "$DEMO_OUT/$name.xlsx" --report "$DEMO_OUT/$name.csv" --report "$DEMO_OUT/$name.json"
}
import uren-maand uren-maand-40101-2026-11.csv uren-maand-excel.json --period 2026-11
import variabele-gegevens variabele-gegevens-40102-2026-P12.csv variabele-gegevens-lang.json --collective
import uren-dagelijks uren-dagelijks-40201-2026-11.xlsx uren-dagelijks-xlsx.json

echo
echo "== what loket-sim received (its request log)"
curl -s "${api%/v2}/__sim/requests" | jq -r '"   \(.total) requests in all", (.counts | to_entries[] | "   \(.value)\t\(.key)")'
echo
echo "== reports written to $DEMO_OUT:"
ls -1 "$DEMO_OUT" | grep -v journal | sed 's/^/   /'
echo "== demo done; loket-sim stopped"
