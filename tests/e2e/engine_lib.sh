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
#   period_state [PERIOD]               everything loket-sim holds for a period (default 202611),
#                                       normalised (no record ids or versions), one JSON line:
#                                       compare it before and after, or between two runs
#   sample NAME / mapping NAME          paths into samples/ and mappings/
#   big_file_values CSV / big_sim_values
#                                       "employee component value" lines, sorted, of the file
#                                       make-big-fixture.py wrote and of what loket-sim holds for
#                                       those employees in 2026-11; values as exact decimals (no
#                                       rounding: 152,00 -> 152, 1,75 -> 1.75)
#   check_plan_apply APPLY.json [PLAN.json]
#                                       plan = apply: no record that the plan let through (sent)
#                                       was refused by Loket's rules (400/422), and with a plan
#                                       report, no record the plan called created/updated was
#                                       rejected in apply, and apply sent exactly the records the
#                                       plan called created/updated, each with the plan's values; li apply runs it on every JSON report
#                                       unless LOKET_IMPORT_SKIP_PRECHECKS=1 or LI_MAY_REJECT=1
#                                       (a test that makes Loket refuse on purpose)
#   check_sent_planned RUN-PLAN TRACE [subset]
#                                       what apply sent is exactly what its plan (the run
#                                       folder's plan.json) planned: the PATCH bodies in the
#                                       trace, per employment, equal the bodies of the records
#                                       planned created/updated, value for value, none more, none
#                                       fewer (with "subset": none more; for a resumed or stopped
#                                       run), and each single-employment body has the plan's
#                                       SHA-256 (byte for byte); li apply runs it on every apply
#   check_report_state APPLY.json      the report agrees with loket-sim's state: a record reported
#                                       created/updated/unchanged holds each value as reported,
#                                       one reported rejected does not hold its new value (li apply
#                                       runs it on every JSON report)

IMPORT_BIN=$LK_IMPORT
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
    li_trace= li_subset=
    if [ "$cmd" = apply ]; then
        # the trace shows what apply sent, for check_sent_planned
        case " $* " in *" --trace "* | *" --trace="*) ;; *)
            li_trace=$SIM_DIR/li.trace
            rm -f "$li_trace"
            set -- "$@" --trace "$li_trace" ;;
        esac
        case " $* " in *" --resume "*) li_subset=subset ;; esac
    fi
    li_bin=$IMPORT_BIN
    if [ "${LOKET_IMPORT_SKIP_PRECHECKS:-}" = 1 ]; then
        li_bin=$HOOKS_BIN
        [ -x "$li_bin" ] || fail "$li_bin not built"
    fi
    "$li_bin" "$cmd" --config "$SIM_DIR/config.json" "$@" >"$SIM_DIR/li.out" 2>"$SIM_DIR/li.err"
    LI_RC=$?
    li_sanitizer "$cmd"
    if [ -n "$li_trace" ]; then
        li_run=$(sed -n 's/^run [^ ]*: \(\/.*\)$/\1/p' "$SIM_DIR/li.out" | tail -n 1)
        [ -n "$li_run" ] || li_run=$(ls -td "$SIM_DIR"/runs/*/ 2>/dev/null | head -n 1)
        case "$LI_RC" in 0 | 1) ;; *) li_subset=subset ;; esac
        if [ -n "$li_run" ] && [ -s "${li_run%/}/plan.json" ]; then
            check_sent_planned "${li_run%/}/plan.json" "$li_trace" $li_subset
        fi
    fi
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

# What apply sent against its own plan (see the header).
check_sent_planned() {
    # "URL<tab>BODY" of every PATCH in the trace (the body is the line after the request line)
    awk '/ > PATCH http/ { for (i = 1; i <= NF; i++) if ($i ~ /^http/) u = $i; want = 1; next }
         want && /^> / { print u "\t" substr($0, 3); want = 0; next } { want = 0 }' "$2" >"$SIM_DIR/csp.pairs"
    jq -R -c -S 'split("\t") as [$u, $b] | ($b | fromjson) as $j
        | ([$u | capture("/employments/(?<id>[^/]+)/payrollperioddata")][0].id) as $one
        | if $one then {e: $one, b: $j} else ($j[] | {e: .employmentId, b: del(.employmentId)}) end' \
        "$SIM_DIR/csp.pairs" >"$SIM_DIR/csp.all" 2>"$SIM_DIR/csp.err" ||
        fail "check_sent_planned: unreadable PATCH bodies in $2: $(head -c 300 "$SIM_DIR/csp.err")"
    sort -u "$SIM_DIR/csp.all" >"$SIM_DIR/csp.sent"
    jq -c -S '.records[] | select((.planned == "created" or .planned == "updated") and .body != null
        and (.blocked | not) and (.error | not)) | {e: .employmentId, b: .body}' "$1" | sort -u >"$SIM_DIR/csp.plan"
    more=$(comm -23 "$SIM_DIR/csp.sent" "$SIM_DIR/csp.plan" | head -n 5)
    [ -z "$more" ] || fail "apply sent bodies its plan did not have ($1):
$more"
    if [ "${3:-}" != subset ]; then
        fewer=$(comm -13 "$SIM_DIR/csp.sent" "$SIM_DIR/csp.plan" | head -n 5)
        [ -z "$fewer" ] || fail "apply did not send bodies its plan had ($1):
$fewer"
    fi
    # byte for byte: each single-employment body's SHA-256 is one the plan holds
    jq -r '.records[].bodySha256 // empty' "$1" | sort -u >"$SIM_DIR/csp.sha"
    grep '/employments/[^/]*/payrollperioddata' "$SIM_DIR/csp.pairs" | cut -f2- | while IFS= read -r b; do
        printf '%s' "$b" | sha256sum | cut -d' ' -f1
    done | sort -u | comm -23 - "$SIM_DIR/csp.sha" >"$SIM_DIR/csp.badsha"
    [ ! -s "$SIM_DIR/csp.badsha" ] || fail "apply sent a body that differs byte for byte from its plan's ($1)"
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
    # the other way: apply sent exactly the records the plan called created/updated, with the
    # plan's values (a record is sent when it ends created, updated, failed or refused by Loket)
    vals='"\(.employment.id)|\(.period.id)|\(.record_key | tostring)|\([.components[] | [.key, .new_value, .is_supplement, .delete]] | sort | tostring)"'
    jq -r ".records[] | select(.outcome == \"created\" or .outcome == \"updated\") | $vals" "$2" | sort >"$SIM_DIR/cpa.planv"
    jq -r ".records[] | select(.outcome == \"created\" or .outcome == \"updated\" or .outcome == \"failed\"
        or (.outcome == \"rejected\" and .http_status != null)) | $vals" "$1" | sort >"$SIM_DIR/cpa.applyv"
    diff "$SIM_DIR/cpa.planv" "$SIM_DIR/cpa.applyv" >"$SIM_DIR/cpa.diff" ||
        fail "plan != apply: what apply sent is not what the plan announced ($1; < plan, > apply):
$(head -n 10 "$SIM_DIR/cpa.diff")"
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

# Exact decimal text: "152,00" -> "152", "1.750" -> "1.75" (a string operation, no rounding).
DEC_AWK='function dec(v) { gsub(",", ".", v); if (v ~ /\./) { sub(/0+$/, "", v); sub(/\.$/, "", v) } return v }'

big_file_values() {
    awk -F';' "$DEC_AWK"' NR > 1 { printf "%s 10 %s\n%s 11 %s\n%s 14 %s\n%s 20 %s\n", $1, dec($4), $1, dec($5), $1, dec($8), $1, dec($9) }' "$1" | sort
}

big_sim_values() {
    sim_state | jq -r '.payrollPeriodData[] | select(.payrollPeriodId == 202611 and .employeeNumber >= 3001)
        | .employeeNumber as $n | .payrollComponents[] | "\($n) \(.payrollComponent.key) \(.value)"' |
        awk "$DEC_AWK"' { print $1, $2, dec($3) }' | sort
}

period_state() {
    sim_state | jq -S -c --argjson per "${1:-202611}" '[.payrollPeriodData[] | select(.payrollPeriodId == $per)
        | {e: .employmentId, cc: .costCenter.key, cu: .costUnit.key, s: .shift.shiftNumber,
           p: .payslipType.key, v: [.payrollComponents[] | [.payrollComponent.key, .value, .isSupplement]]}]
        | sort_by(.e, .cc, .cu)'
}
