# engine_lib.sh: helpers of the plan/apply end-to-end tests (POSIX sh; source it after lib.sh).
#
#   start_import_sim [loket-sim flags]  start_sim, then a private config ($SIM_DIR/config.json) and
#                                       token store holding the fixture's refresh token; the
#                                       config turns the plausibility signals off ("checks":
#                                       these tests send values chosen for other rules, which
#                                       the fixture's history would stop); signals_*.sh turn
#                                       them on again (signals_on)
#   li CMD ARGS...                      runs loket-import CMD with --config; exit code in $LI_RC,
#                                       stdout in $SIM_DIR/li.out, stderr in $SIM_DIR/li.err; a
#                                       sanitizer report (exit 86) fails the script; with
#                                       LOKET_IMPORT_SKIP_PRECHECKS=1 it runs the test build
#                                       BUILD/tests/loket-import-hooks, the only one that has
#                                       that hook
#   sim_reset                           back to the fixture (and a fresh refresh token)
#   sim_requests                        GET /__sim/requests (JSON)
#   sim_count METHOD TEMPLATE           how many requests of that method + endpoint template
#   state_values EMPNR [PERIOD]         "component=value" lines of employee EMPNR's records in the
#                                       sim's state (period id, default 202611), sorted
#   patch_count                         PATCH requests of both upsert endpoints so far
#   sample NAME / mapping NAME          paths into samples/ and mappings/
#   check_plan_apply APPLY.json [PLAN.json]
#                                       plan = apply: no record that the plan let through (sent)
#                                       was refused by Loket's rules (400/422), and with a plan
#                                       report, no record the plan called created/updated was
#                                       rejected in apply; li apply runs it on every JSON report
#                                       unless LOKET_IMPORT_SKIP_PRECHECKS=1 or LI_MAY_REJECT=1
#                                       (a test that makes Loket refuse on purpose)
#   check_report_state APPLY.json      the report agrees with loket-sim's state: a record reported
#                                       created/updated/unchanged holds each value as reported,
#                                       one reported rejected does not hold its new value (li apply
#                                       runs it on every JSON report)

IMPORT_BIN=
case "$LOKET_BUILD" in /*) IMPORT_BIN=$LOKET_BUILD/loket-import ;; *) IMPORT_BIN=$LK_ROOT/$LOKET_BUILD/loket-import ;; esac
# the test hook LOKET_IMPORT_SKIP_PRECHECKS=1 exists only in this build of loket-import (Makefile)
HOOKS_BIN=${IMPORT_BIN%/loket-import}/tests/loket-import-hooks
PPD_ONE='/providers/employers/employees/employments/{employmentId}/payrollperioddata'
PPD_COLL='/providers/employers/{employerId}/payrollperioddata'

sample() { printf '%s/samples/%s' "$LK_ROOT" "$1"; }
mapping() { printf '%s/mappings/%s' "$LK_ROOT" "$1"; }

store_refresh_token() {
    jq -r '.auth.refreshTokens[0]' "$SIM_FIXTURE" |
        "$IMPORT_BIN" auth set-refresh-token --config "$SIM_DIR/config.json" >/dev/null 2>&1 ||
        fail "auth set-refresh-token failed"
}

start_import_sim() {
    start_sim "$@"
    [ -x "$IMPORT_BIN" ] || fail "$IMPORT_BIN not built"
    umask 077
    cat >"$SIM_DIR/config.json" <<EOF
{"environment": "custom", "apiUrl": "$SIM_URL", "tokenUrl": "$SIM_ROOT/token",
 "clientId": "$(jq -r .auth.clientId "$SIM_FIXTURE")",
 "clientSecret": "$(jq -r .auth.clientSecret "$SIM_FIXTURE")",
 "tokenStore": "$SIM_DIR/tokens.json",
 "retry": {"maxAttempts": 3, "baseDelayMs": 50, "maxDelayMs": 200},
 "checks": {"off": ["repeat-of-previous", "outlier", "over-contract", "new-component"]}}
EOF
    store_refresh_token
}

# The plausibility signals as a user has them: the configuration without "checks".
signals_on() {
    jq 'del(.checks)' "$SIM_DIR/config.json" >"$SIM_DIR/config.json.new" &&
        mv "$SIM_DIR/config.json.new" "$SIM_DIR/config.json" || fail "signals_on"
}

li() {
    cmd=$1
    shift
    li_bin=$IMPORT_BIN
    if [ "${LOKET_IMPORT_SKIP_PRECHECKS:-}" = 1 ]; then
        li_bin=$HOOKS_BIN
        [ -x "$li_bin" ] || fail "$li_bin not built"
    fi
    "$li_bin" "$cmd" --config "$SIM_DIR/config.json" "$@" >"$SIM_DIR/li.out" 2>"$SIM_DIR/li.err"
    LI_RC=$?
    li_sanitizer "$cmd"
    if [ "$cmd" = apply ] && [ "${LOKET_IMPORT_SKIP_PRECHECKS:-}" != 1 ] && [ "${LI_MAY_REJECT:-}" != 1 ]; then
        li_prev=
        for li_arg in "$@"; do
            case "$li_prev:$li_arg" in
            --report:*.json) [ -s "$li_arg" ] && check_plan_apply "$li_arg" ;;
            esac
            case "$li_arg" in --report=*.json) [ -s "${li_arg#--report=}" ] && check_plan_apply "${li_arg#--report=}" ;; esac
            li_prev=$li_arg
        done
    fi
    if [ "$cmd" = apply ]; then
        li_prev=
        for li_arg in "$@"; do
            case "$li_prev:$li_arg" in --report:*.json) [ -s "$li_arg" ] && check_report_state "$li_arg" ;; esac
            li_prev=$li_arg
        done
    fi
}

# A sanitizer build's report (exit 86, see lib.sh) fails the script, whatever exit code the caller
# would accept.
li_sanitizer() {
    if [ "$LI_RC" = 86 ] || grep -q 'Sanitizer\|runtime error:' "$SIM_DIR/li.err" 2>/dev/null; then
        cat "$SIM_DIR/li.err" >&2
        fail "loket-import $1 reported a sanitizer error (exit $LI_RC)"
    fi
}

# The report against Loket's state (see the header). Supplements (added to the fixed value)
# and deletions are not compared; a record is found by employment, period and record key.
check_report_state() {
    sim_state >"$SIM_DIR/crs.state"
    crs=$(jq -r --slurpfile st "$SIM_DIR/crs.state" '
        def k(x): if x == null then null else ((x.key // x.shiftNumber // null) | tostring) end;
        def rk(x): if x == null then null else ((x.key // null) | tostring) end;
        def du(x): if x == null then null else ((x.code // null) | tostring) end;
        .records[] | select(.outcome == "created" or .outcome == "updated" or .outcome == "unchanged"
                            or .outcome == "rejected") | . as $r
        | select($r.employment.id != null and $r.period.id != null)
        | [$st[0].payrollPeriodData[] | select(.employmentId == $r.employment.id
             and .payrollPeriodId == $r.period.id
             and k(.costCenter) == rk($r.record_key.cost_center) and k(.costUnit) == rk($r.record_key.cost_unit)
             and du(.distributionUnit) == du($r.record_key.distribution_unit)
             and (rk($r.record_key.shift) == null or k(.shift) == rk($r.record_key.shift))
             and (rk($r.record_key.payslip_type) == null or k(.payslipType) == rk($r.record_key.payslip_type)))] as $held
        | $r.components[] | select((.is_supplement | not) and (.delete | not)) | . as $c
        | ([$held[].payrollComponents[] | select(.payrollComponent.key == $c.key) | .value] | first) as $v
        | if $r.outcome == "rejected" then
              (if $v == $c.new_value and $c.old_value != $c.new_value then "\($r.employee.number) \($r.period.input): reported rejected, but Loket holds \($v) for component \($c.key)" else empty end)
          elif $v != $c.new_value then
              "\($r.employee.number) \($r.period.input): reported \($r.outcome) with \($c.new_value) for component \($c.key), Loket holds \($v)"
          else empty end' "$1")
    [ -z "$crs" ] || fail "the report contradicts Loket's state ($1):
$crs"
}

# plan = apply (see the header). A record's identity: employment, period, record key.
check_plan_apply() {
    refused=$(jq -r '.records[] | select(.outcome == "rejected" and (.http_status == 400 or .http_status == 422))
        | "\(.employee.number) \(.period.input // .period.id): \([.messages[] | "\(.type) \(.code // "") \(.description)"] | join("; "))"' "$1")
    [ -z "$refused" ] || fail "plan != apply: the plan let through records that Loket refused ($1):
$refused"
    [ $# -ge 2 ] || return 0
    ident='"\(.employment.id)|\(.period.id)|\(.record_key | tostring)"'
    jq -r ".records[] | select(.outcome == \"created\" or .outcome == \"updated\") | $ident" "$2" | sort >"$SIM_DIR/cpa.plan"
    jq -r ".records[] | select(.outcome == \"rejected\" or .outcome == \"failed\") | $ident" "$1" | sort >"$SIM_DIR/cpa.apply"
    both=$(comm -12 "$SIM_DIR/cpa.plan" "$SIM_DIR/cpa.apply")
    [ -z "$both" ] || fail "plan != apply: records the plan called created/updated failed in apply ($1):
$both"
}

sim_reset() {
    curl -s --max-time 20 -X POST "$SIM_ROOT/__sim/reset" >/dev/null || fail "sim reset"
    store_refresh_token
}

sim_requests() {
    curl -s --max-time 20 "$SIM_ROOT/__sim/requests"
}

sim_count() {
    sim_requests | jq --arg k "$1 $2" '.counts[$k] // 0'
}

patch_count() {
    sim_requests | jq --arg a "PATCH $PPD_ONE" --arg b "PATCH $PPD_COLL" '(.counts[$a] // 0) + (.counts[$b] // 0)'
}

# The employment ids of an employee number (all employments).
employment_ids() {
    jq -r --argjson n "$1" '.employments[] | select(.employee.employeeNumber == $n) | .id' "$SIM_FIXTURE"
}

# component=value lines (sorted) of the records of employee $1 in period $2 (default 202611),
# each prefixed with the record key: "cc=1 cu= du= shift=1 pst=1 10=166".
state_values() {
    per=${2:-202611}
    ids=$(employment_ids "$1" | tr '\n' ' ')
    sim_state | jq -r --arg ids "$ids" --argjson per "$per" '
        ($ids | split(" ") | map(select(length > 0))) as $e
        | [.. | objects | select(has("employmentId") and has("payrollComponents"))]
        | map(select(.employmentId as $x | $e | index($x)))
        | map(select(((.payrollPeriod.year // 0) * 100 + (.payrollPeriod.periodNumber // 0)) == $per))
        | .[] | . as $r
        | .payrollComponents[]
        | "cc=\($r.costCenter.key // "") cu=\($r.costUnit.key // "") du=\($r.distributionUnit.key // "") shift=\($r.shift.shiftNumber // $r.shift.key // "") pst=\($r.payslipType.key // "") \(.payrollComponent.key)=\(.value)"' | sort
}
