#!/bin/sh
# The demo: starts loket-sim on its fixture, shows it answering (a token, a page of employments),
# then imports the clean samples the way an operator would: the refresh token stored with
# 'auth set-refresh-token' in a private configuration, 'plan' (the dry run) and 'apply' of a
# monthly, a 4-weekly and a weekly (daily XLSX) export, each with its reports in demo-out/.
# It ends with the summary of the last import, as the operator read it, and its XLSX report.
# Any failing step stops the demo with its exit code: nothing is hidden.
set -eu
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
FIXTURE=$ROOT/samples/loket-fixture.json
case "$BUILD" in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac

for bin in loket-import loket-sim; do
    [ -x "$BUILD/$bin" ] || { echo "demo: $BUILD/$bin is not built (run make all)" >&2; exit 1; }
done
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
token_json=$(curl -sSf -X POST "${api%/v2}/token" \
    --data-urlencode grant_type=refresh_token \
    --data-urlencode "refresh_token=$(jq -r '.auth.refreshTokens[0]' "$FIXTURE")" \
    --data-urlencode "client_id=$(jq -r .auth.clientId "$FIXTURE")" \
    --data-urlencode "client_secret=$(jq -r .auth.clientSecret "$FIXTURE")")
printf '%s' "$token_json" | jq '{token_type, expires_in, access_token: "(hidden)", refresh_token: "(hidden, rotated)"}'
token=$(printf '%s' "$token_json" | jq -r .access_token)

echo "== GET /providers/employers"
employers=$(curl -sSf "$api/providers/employers" -H "Authorization: Bearer $token" \
    -H 'Accept: application/json;version=2018-01-01')
printf '%s' "$employers" | jq -r '._embedded[] | "   \(.companyName)  \(.id)"'
employer=$(printf '%s' "$employers" | jq -r '._embedded[0].id')

echo "== GET /providers/employers/{id}/employees/employments?pageSize=5&pageNumber=1"
curl -sSf "$api/providers/employers/$employer/employees/employments?pageSize=5&pageNumber=1" \
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

# import NAME SAMPLE MAPPING [OPTION]... [-- APPLY-OPTION...]: plan, then apply --verify; options
# after "--" are apply's only (plan takes no --collective). The apply's terminal summary is kept
# in $out/NAME.summary.
import() {
    name=$1 sample=$ROOT/samples/$2 mapping=$ROOT/mappings/$3
    shift 3
    opts= apply_opts=
    while [ $# -gt 0 ]; do
        [ "$1" = -- ] && { shift; apply_opts="$*"; break; }
        opts="$opts $1"
        shift
    done
    echo
    echo "== loket-import plan samples/$(basename "$sample") -m mappings/$(basename "$mapping")$opts"
    # shellcheck disable=SC2086 # the options are words
    "$BUILD/loket-import" plan "$sample" -m "$mapping" $opts --config "$out/config.json" \
        --report "$DEMO_OUT/$name-plan.xlsx" --report "$DEMO_OUT/$name-plan.json"
    echo
    echo "== loket-import apply samples/$(basename "$sample") -m mappings/$(basename "$mapping")$opts${apply_opts:+ $apply_opts} --verify"
    # shellcheck disable=SC2086
    "$BUILD/loket-import" apply "$sample" -m "$mapping" $opts $apply_opts --config "$out/config.json" --verify \
        --journal "$DEMO_OUT/$name.journal" \
        --report "$DEMO_OUT/$name.xlsx" --report "$DEMO_OUT/$name.csv" --report "$DEMO_OUT/$name.json" \
        >"$out/$name.summary" || {
        st=$?
        cat "$out/$name.summary"
        echo "demo: apply of samples/$(basename "$sample") ended with exit code $st" >&2
        exit "$st"
    }
    cat "$out/$name.summary"
    last=$name last_sample=$(basename "$sample")
}
import uren-maand uren-maand-40101-2026-11.csv uren-maand-excel.json --period 2026-11
import variabele-gegevens variabele-gegevens-40102-2026-P12.csv variabele-gegevens-lang.json -- --collective
import uren-dagelijks uren-dagelijks-40201-2026-11.xlsx uren-dagelijks-xlsx.json

echo
echo "== what loket-sim received (its request log)"
curl -sSf "${api%/v2}/__sim/requests" | jq -r '"   \(.total) requests in all", (.counts | to_entries[] | "   \(.value)\t\(.key)")'
echo
echo "== reports written to $DEMO_OUT:"
for f in "$DEMO_OUT"/*; do
    case "$f" in *.journal | *.journal.done) ;; *) echo "   ${f##*/}" ;; esac
done
echo
echo "== demo done (loket-sim stops now). The last import, apply samples/$last_sample, as its operator read it:"
cat "$out/$last.summary"
[ -s "$DEMO_OUT/$last.xlsx" ] || { echo "demo: $DEMO_OUT/$last.xlsx was not written" >&2; exit 1; }
echo "== its XLSX report: $DEMO_OUT/$last.xlsx"
