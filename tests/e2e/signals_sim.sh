#!/bin/sh
# signals_sim.sh: what loket-sim serves for the plausibility signals: the fixture's history (six
# closed months of every monthly employment, none in the last closed month but the pinned
# record) in the administration-level listing, and GetActualWorkingHoursByEmployerId: every
# employment's working hours, only those active on referenceDate, a malformed date refused
# (1014), a hidden employer 403.
set -u
. "$(dirname "$0")/lib.sh"
start_sim
emp=$(api GET /providers/employers | jq -r '._embedded[] | select(.companyName == "Bakkerij Van den Berg B.V.") | .id')
adm=$(api GET "/providers/employers/$emp/payrolladministrations" | jq -r '._embedded[] | select(.clientNumber == 40101) | .id')
# history: September holds a value of every employment active then, October only 1001's
for per in 202609 202610; do
    api GET "/providers/employers/payrolladministrations/$adm/payrollPeriods/$per/payrollperioddata?payslipType=1&payrollComponentId=10&pageSize=100" >"$SIM_DIR/l$per"
    [ "$(api_status)" = 200 ] || fail "listing $per: status $(api_status)"
done
n=$(jq '[._embedded[] | select(.payrollComponents[0].value != null)] | length' "$SIM_DIR/l202609")
[ "$n" = 25 ] || fail "September: $n employments with hours, expected 25 (1001-1025 less 1024, 1007 twice)"
[ "$(jq -c '[._embedded[] | select(.payrollComponents[0].value != null) | .employee.employeeNumber]' "$SIM_DIR/l202610")" = '[1001]' ] ||
    fail "October: $(jq -c '[._embedded[] | select(.payrollComponents[0].value != null) | .employee.employeeNumber]' "$SIM_DIR/l202610")"
# working hours, on 2026-11-30: 1024 (started 2026-11-16) in, 1019 (left 2026-09-30) out
api GET "/providers/employers/$emp/actualworkinghours?referenceDate=2026-11-30&pageSize=250" >"$SIM_DIR/wh"
[ "$(api_status)" = 200 ] || fail "actualworkinghours: status $(api_status)"
id() { jq -r --argjson n "$1" --argjson p "${2:-1}" '.employments[] | select(.employee.employeeNumber == $n and .payrollId == $p) | .id' "$SIM_FIXTURE"; }
jq -e --arg a "$(id 1024)" --arg b "$(id 1019)" '[._embedded[].employmentId] | (index($a) != null) and (index($b) == null)' "$SIM_DIR/wh" >/dev/null ||
    fail "actualworkinghours on 2026-11-30: 1024 missing or 1019 listed"
jq -e --arg a "$(id 1007 2)" '._embedded[] | select(.employmentId == $a) | .workingHours.aggregatedHoursPerWeek == 12 and .workingHours.shift.fullTimeHoursPerWeek == 40' "$SIM_DIR/wh" >/dev/null ||
    fail "1007's second employment: $(jq -c --arg a "$(id 1007 2)" '._embedded[] | select(.employmentId == $a)' "$SIM_DIR/wh")"
jq -e '[._embedded[] | .workingHours | keys[] | startswith("sim") | not] | all' "$SIM_DIR/wh" >/dev/null ||
    fail "working hours answered with fixture-only keys"
[ "$(jq '.totalSize' "$SIM_DIR/wh")" = "$(jq '[.employments[] | select(.simEmployerId == "'"$emp"'" and .startDate <= "2026-11-30" and (.endDate == null or .endDate >= "2026-11-30"))] | length' "$SIM_FIXTURE")" ] ||
    fail "actualworkinghours: totalSize $(jq .totalSize "$SIM_DIR/wh")"
api GET "/providers/employers/$emp/actualworkinghours" >"$SIM_DIR/all"
[ "$(jq .totalSize "$SIM_DIR/all")" = "$(jq '[.employments[] | select(.simEmployerId == "'"$emp"'")] | length' "$SIM_FIXTURE")" ] ||
    fail "actualworkinghours without referenceDate: not every employment"
for bad in 2026-13-01 2026-11 yesterday; do
    api GET "/providers/employers/$emp/actualworkinghours?referenceDate=$bad" >"$SIM_DIR/bad"
    [ "$(api_status)" = 400 ] && jq -e '.messages[0].code == 1014' "$SIM_DIR/bad" >/dev/null ||
        fail "referenceDate=$bad: status $(api_status) $(cat "$SIM_DIR/bad")"
done
hidden=$(jq -r '.employers[] | select(.simVisible == false) | .id' "$SIM_FIXTURE")
api GET "/providers/employers/$hidden/actualworkinghours" >/dev/null
[ "$(api_status)" = 403 ] || fail "a hidden employer's working hours: status $(api_status)"
echo "signals_sim: ok"
