#!/bin/sh
# sim_rules.sh: over HTTP with curl, every business rule of loket-sim answers 400 with its
# BrokenBusinessRule code, a Warning rides on a 200, and nothing rejected is stored.
set -u
. "$(dirname "$0")/lib.sh"
start_sim
SIM_TOKEN=$(get_token) || fail "no token"

emp=$(jq -r '.employers[0].id' "$SIM_FIXTURE")
employment() { # employee-number [payrollId]
    jq -r --argjson n "$1" --argjson p "${2:-1}" \
        '.employments[] | select(.employee.employeeNumber == $n and .payrollId == $p) | .id' "$SIM_FIXTURE"
}
records_before=$(sim_state | jq '.payrollPeriodData | length')

# expect_rule NAME EMPLOYEE BODY CODE
expect_rule() {
    e=$(employment "$2")
    out=$(api PATCH "/providers/employers/employees/employments/$e/payrollperioddata" \
        -H 'Content-Type: application/json;version=2018-01-01' --data "$3")
    st=$(api_status)
    [ "$st" = 400 ] || fail "$1: status $st, expected 400: $out"
    printf '%s' "$out" | jq -e --argjson c "$4" \
        '.messages | any(.code == $c and .type == "BrokenBusinessRule" and (.description | test(" / ")))' >/dev/null ||
        fail "$1: no BrokenBusinessRule $4 in $out"
    echo "  $1: 400 code $4"
}

P11='"payrollPeriod":{"year":2026,"periodNumber":11}'
C10='"payrollComponents":[{"payrollComponent":{"key":10},"value":8}]'
expect_rule "employment not active (1019 left 2026-09-30)" 1019 "{$P11,$C10}" 1001
expect_rule "period unknown (monthly period 13)" 1001 '{"payrollPeriod":{"year":2026,"periodNumber":13},'"$C10}" 1002
expect_rule "period closed (October, approved run)" 1001 '{"payrollPeriod":{"year":2026,"periodNumber":10},'"$C10}" 1003
expect_rule "component not allowed (99)" 1001 "{$P11,"'"payrollComponents":[{"payrollComponent":{"key":99},"value":1}]}' 1004
expect_rule "component not allowed in the weekly administration (30)" 2001 \
    '{"payrollPeriod":{"year":2026,"periodNumber":46},"payrollComponents":[{"payrollComponent":{"key":30},"value":1}]}' 1004
expect_rule "isSupplement not allowed (10)" 1001 \
    "{$P11,"'"payrollComponents":[{"payrollComponent":{"key":10},"value":8,"isSupplement":true}]}' 1005
expect_rule "cost center not in metadata" 1001 "{$P11,"'"costCenter":{"key":9},'"$C10}" 1006
expect_rule "shift not in metadata" 1001 "{$P11,"'"shift":{"shiftNumber":7},'"$C10}" 1006
expect_rule "distribution unit not in metadata" 1001 \
    "{$P11,"'"distributionUnit":{"key":"00000000-0000-4000-8000-000000000000"},'"$C10}" 1006
expect_rule "value not a number" 1001 "{$P11,"'"payrollComponents":[{"payrollComponent":{"key":10},"value":"7,5"}]}' 1007
expect_rule "value out of range" 1001 "{$P11,"'"payrollComponents":[{"payrollComponent":{"key":10},"value":1000}]}' 1008
expect_rule "value with too many decimals" 1001 "{$P11,"'"payrollComponents":[{"payrollComponent":{"key":10},"value":7.125}]}' 1008
expect_rule "payrollPeriod missing" 1001 "{$C10}" 1009
expect_rule "component twice" 1001 \
    "{$P11,"'"payrollComponents":[{"payrollComponent":{"key":10},"value":1},{"payrollComponent":{"key":10},"value":2}]}' 1010
expect_rule "null where the schema forbids it" 1001 "{$P11,"'"shift":null,'"$C10}" 1012
expect_rule "body not JSON" 1001 '{"payrollPeriod":' 1013
expect_rule "payslipText too long" 1001 "{$P11,"'"payslipText":"abcdefghijklmnopqrstuvwxyz",'"$C10}" 83

[ "$(sim_state | jq '.payrollPeriodData | length')" = "$records_before" ] || fail "a rejected request was stored"

# Warnings on a 200
e=$(employment 1001)
out=$(api PATCH "/providers/employers/employees/employments/$e/payrollperioddata" \
    -H 'Content-Type: application/json;version=2018-01-01' \
    --data "{$P11,"'"payrollComponents":[{"payrollComponent":{"key":11},"value":0},{"payrollComponent":{"key":14},"value":null}]}')
[ "$(api_status)" = 200 ] || fail "warnings case: status $(api_status): $out"
printf '%s' "$out" | jq -e '[.messages[] | select(.type == "Warning") | .code] | sort == [2001, 2002]' >/dev/null ||
    fail "expected Warnings 2001 and 2002: $out"
echo "  warnings 2001, 2002 on a 200"

# the value stored exactly, and null deletes only that component
out=$(api PATCH "/providers/employers/employees/employments/$e/payrollperioddata" \
    -H 'Content-Type: application/json;version=2018-01-01' \
    --data "{$P11,"'"payrollComponents":[{"payrollComponent":{"key":20},"value":null},{"payrollComponent":{"key":22},"value":0.1}]}')
printf '%s' "$out" | grep -q '"value":0.1,' || fail "0.1 not stored exactly: $out"
printf '%s' "$out" | jq -e '.content.payrollComponents | map(.payrollComponent.key) | sort == [10, 11, 22]' >/dev/null ||
    fail "null did not delete only component 20: $out"
echo "sim_rules: ok"
