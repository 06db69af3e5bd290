#!/bin/sh
# sim_basic.sh: loket-sim answers the importer's path: token, employers, employments page by page,
# defaults and metadata, a PATCH upsert, and the administration-level listing showing it.
set -u
. "$(dirname "$0")/lib.sh"
start_sim

SIM_TOKEN=$(get_token) || fail "no token"
[ -n "$SIM_TOKEN" ] || fail "empty token"

emp=$(api GET /providers/employers | jq -r '._embedded[] | select(.companyName == "Bakkerij Van den Berg B.V.") | .id')
[ "$(api_status)" = 200 ] || fail "employers: status $(api_status)"
[ -n "$emp" ] || fail "employer Van den Berg not listed"

# employments, page by page (41 in the fixture for this employer: 25 + 1 + 15)
API_VERSION=2019-12-16
total=0 page=1 pages=1
while [ $page -le $pages ]; do
    body=$(api GET "/providers/employers/$emp/employees/employments?pageSize=10&pageNumber=$page")
    [ "$(api_status)" = 200 ] || fail "employments page $page: status $(api_status)"
    pages=$(printf '%s' "$body" | jq .totalPages)
    [ "$(printf '%s' "$body" | jq .currentPage)" = $page ] || fail "currentPage != $page"
    total=$((total + $(printf '%s' "$body" | jq '._embedded | length')))
    page=$((page + 1))
done
[ $total = 41 ] || fail "expected 41 employments over the pages, got $total"
[ "$pages" = 5 ] || fail "expected 5 pages of 10, got $pages"

empl=$(api GET "/providers/employers/$emp/employees/employments" -G --data-urlencode "filter=employee.employeeNumber eq 1003" | jq -r '._embedded[0].id')
[ -n "$empl" ] && [ "$empl" != null ] || fail "filter on employee.employeeNumber found nothing"
API_VERSION=2018-01-01

d=$(api GET "/providers/employers/employees/employments/$empl/payrollperioddata/defaults")
[ "$(api_status)" = 200 ] || fail "defaults: status $(api_status)"
[ "$(printf '%s' "$d" | jq .content.payslipType.key)" = 1 ] || fail "defaults: payslipType not 1"
[ "$(printf '%s' "$d" | jq .content.costCenter.code)" = '"ADM"' ] || fail "defaults: costCenter of 1003 is not ADM"

m=$(api GET "/providers/employers/employees/employments/$empl/payrollperioddata/metadata/year/2026/period/11")
[ "$(api_status)" = 200 ] || fail "period metadata: status $(api_status)"
[ "$(printf '%s' "$m" | jq '[._embedded[] | select(.field == "payrollComponent") | .options[].key] | length')" = 11 ] ||
    fail "period metadata: the monthly administration allows 11 components"

body='{"payrollPeriod":{"year":2026,"periodNumber":11},"payrollComponents":[{"payrollComponent":{"key":10},"value":151.5},{"payrollComponent":{"key":21},"value":12.34,"isSupplement":true}]}'
r=$(api PATCH "/providers/employers/employees/employments/$empl/payrollperioddata" \
    -H 'Content-Type: application/json;version=2018-01-01' --data "$body")
[ "$(api_status)" = 200 ] || fail "PATCH: status $(api_status): $r"
[ "$(printf '%s' "$r" | jq '.content.payrollComponents | map(.value) | sort')" = "$(printf '[\n  12.34,\n  151.5\n]')" ] ||
    fail "PATCH answer lacks the values: $r"

adm=$(api GET "/providers/employers/$emp/payrolladministrations" | jq -r '._embedded[] | select(.clientNumber == 40101) | .id')
l=$(api GET "/providers/employers/payrolladministrations/$adm/payrollPeriods/202611/payrollperioddata?payslipType=1&payrollComponentId=10")
[ "$(api_status)" = 200 ] || fail "administration listing: status $(api_status)"
v=$(printf '%s' "$l" | jq '._embedded[] | select(.employee.employeeNumber == 1003) | .payrollComponents[0].value')
[ "$v" = 151.5 ] || fail "administration listing shows $v for 1003, expected 151.5"

sim_state | jq -e '.payrollPeriodData | map(select(.employeeNumber == 1003 and .payrollPeriodId == 202611)) | length == 1' >/dev/null ||
    fail "state dump lacks the new record"
stop_sim

# a missing or broken fixture: a clear message and a non-zero exit, never a half-started server
bin=$LK_SIM
scratch=$(mktemp -d "${TMPDIR:-/tmp}/lk-sim-XXXXXX")
if timeout 10 "$bin" --fixture "$scratch/none.json" --port 0 >"$scratch/out" 2>"$scratch/err"; then
    rm -rf "$scratch"; fail "a missing fixture started"
fi
grep -q 'none.json' "$scratch/err" || { cat "$scratch/err"; rm -rf "$scratch"; fail "no message naming the missing fixture"; }
printf '{"employers": [' >"$scratch/broken.json"
if timeout 10 "$bin" --fixture "$scratch/broken.json" --port 0 >"$scratch/out" 2>"$scratch/err"; then
    rm -rf "$scratch"; fail "a broken fixture started"
fi
[ ! -s "$scratch/out" ] || { rm -rf "$scratch"; fail "a broken fixture printed a URL"; }
jq '.employments[0].payrollAdministration.id = "nope"' "$SIM_FIXTURE" >"$scratch/badref.json"
if timeout 10 "$bin" --fixture "$scratch/badref.json" --port 0 >"$scratch/out" 2>"$scratch/err"; then
    rm -rf "$scratch"; fail "a fixture with a dangling reference started"
fi
grep -q 'employment' "$scratch/err" || { cat "$scratch/err"; rm -rf "$scratch"; fail "no message about the bad employment"; }
if timeout 10 "$bin" --port 0 >"$scratch/out" 2>"$scratch/err"; then
    rm -rf "$scratch"; fail "started without --fixture"
fi
rm -rf "$scratch"
echo "sim_basic: ok"
