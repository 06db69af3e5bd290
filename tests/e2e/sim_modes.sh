#!/bin/sh
# sim_modes.sh: loket-sim's two readings of the official document through the real server and
# lib.sh's start_sim. Normal: the administration-level listing has a line for every active
# employment, collective PATCH failures name the item's index in properties. --strict-minimal
# (LOKET_SIM_MODE=minimal): only the records that exist are listed, collective messages carry
# "properties": [] while their id still names the employment, and a collective 200 has no
# _embedded (the official 200 has no content). An unknown mode is refused.
set -u
. "$(dirname "$0")/lib.sh"

# one reading: the listing's total, and the properties of the message about the inactive item
reading() {
    SIM_TOKEN=
    start_sim
    SIM_TOKEN=$(get_token) || fail "no token"
    emp=$(api GET /providers/employers | jq -r '._embedded[] | select(.companyName == "Bakkerij Van den Berg B.V.") | .id')
    adm=$(api GET "/providers/employers/$emp/payrolladministrations" | jq -r '._embedded[] | select(.clientNumber == 40101) | .id')
    stored=$(sim_state | jq --arg a "$adm" '[.payrollPeriodData[] | select(.payrollAdministrationId == $a and .payrollPeriodId == 202611 and .payslipType.key == 1)] | length')
    LISTED=$(api GET "/providers/employers/payrolladministrations/$adm/payrollPeriods/202611/payrollperioddata?payslipType=1&payrollComponentId=10&pageSize=1000" | jq .totalSize)
    [ "$(api_status)" = 200 ] || fail "listing: status $(api_status)"
    STORED=$stored
    API_VERSION=2019-12-16
    ok=$(api GET "/providers/employers/$emp/employees/employments" -G --data-urlencode "filter=employee.employeeNumber eq 1002" | jq -r '._embedded[0].id')
    gone=$(api GET "/providers/employers/$emp/employees/employments" -G --data-urlencode "filter=employee.employeeNumber eq 1019" | jq -r '._embedded[0].id')
    API_VERSION=2018-01-01
    c='"payrollPeriod":{"year":2026,"periodNumber":11},"payrollComponents":[{"payrollComponent":{"key":10},"value":8}]'
    r=$(api PATCH "/providers/employers/$emp/payrollperioddata" -H 'Content-Type: application/json;version=2018-01-01' \
        --data "[{\"employmentId\":\"$ok\",$c},{\"employmentId\":\"$gone\",$c}]")
    [ "$(api_status)" = 200 ] || fail "collective PATCH: status $(api_status): $r"
    PROPS=$(printf '%s' "$r" | jq -c --arg id "$gone" '[.messages[] | select(.id == $id and .code == 1001) | .properties]')
    EMBEDDED=$(printf '%s' "$r" | jq -rc 'if has("_embedded") then [._embedded[].employmentId] else "absent" end')
    HELD=$(sim_state | jq --arg e "$ok" '[.payrollPeriodData[] | select(.employmentId == $e and .payrollPeriodId == 202611
        and any(.payrollComponents[]; .payrollComponent.key == 10 and .value == 8))] | length')
    stop_sim
}

LOKET_SIM_MODE= reading
[ "$LISTED" -gt "$STORED" ] || fail "normal: listing holds $LISTED lines for $STORED records; expected a line per active employment"
[ "$LISTED" = 25 ] || fail "normal: expected 25 active employments listed, got $LISTED"
case "$PROPS" in '[["[1].'*) ;; *) fail "normal: collective message properties $PROPS lack the item's index [1]" ;; esac
[ "$EMBEDDED" = "[\"$ok\"]" ] || fail "normal: the collective 200's _embedded should list the stored item's record only, got $EMBEDDED"
[ "$HELD" = 1 ] || fail "normal: the stored item's record is not in the state"

LOKET_SIM_MODE=minimal reading
[ "$STORED" -gt 0 ] || fail "minimal: the fixture holds no record to list"
[ "$LISTED" = "$STORED" ] || fail "minimal: listing holds $LISTED lines for $STORED records"
[ "$PROPS" = '[[]]' ] || fail "minimal: expected one message for the inactive item with properties [], got $PROPS"
[ "$EMBEDDED" = absent ] || fail "minimal: the collective 200 has no content in the official document, got _embedded $EMBEDDED"
[ "$HELD" = 1 ] || fail "minimal: the stored item's record is not in the state"

# an unknown mode: refused before anything starts
if (LOKET_SIM_MODE=generous start_sim) 2>"${TMPDIR:-/tmp}/lk-sim-modes.$$"; then
    rm -f "${TMPDIR:-/tmp}/lk-sim-modes.$$"
    fail "LOKET_SIM_MODE=generous was accepted"
fi
grep -q 'LOKET_SIM_MODE=generous' "${TMPDIR:-/tmp}/lk-sim-modes.$$" || fail "no message naming the unknown mode"
rm -f "${TMPDIR:-/tmp}/lk-sim-modes.$$"

# the flag is in --help
bin=$LK_SIM
"$bin" --help | grep -q -- '--strict-minimal' || fail "--help does not mention --strict-minimal"
echo "sim_modes: ok"
