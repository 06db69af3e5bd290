#!/bin/sh
# signals_kinds.sh: plan and apply compare the file with Loket's history (the fixture's closed
# periods) and contracts: an ordinary month gives no signal; last month's file again
# (repeat-of-previous), a slipped decimal (outlier, named as such, both directions), more hours
# than the contract (over-contract) and a component never had before (new-component, information
# only), each at its threshold's edge; apply sends nothing while a blocking signal stands (exit 2)
# and sends with --accept-signals (all, or by kind), which the run folder records; the mapping's
# "checks" moves the thresholds and a bad one is refused.
# sim-modes: both
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh"
start_import_sim
signals_on
OUT=$SIM_DIR/reports
mkdir -p "$OUT"
F=$SIM_FIXTURE

# a long file: employee number, employment (payrollId), component key, value; for 40101
MAP=$SIM_DIR/long.json
cat >"$MAP" <<'EOF'
{ "name": "signals test", "layout": "long",
  "input": { "type": "csv", "delimiter": ",", "decimalSeparator": ".", "thousandsSeparator": "none",
             "headerRow": 1 },
  "long": { "componentColumn": "Component", "valueColumn": "Value", "acceptKeys": true },
  "employee": { "employeeNumber": "Nr", "payrollId": "Dv" },
  "employer": { "clientNumber": "40101" },
  "period": { "source": "commandLine" },
  "aggregate": "sum" }
EOF
csv() { printf 'Nr,Dv,Component,Value\n'; cat; }

# the fixture's values of employee $1 (payrollId 1) for component $2 in 2026-$3 (month number)
hist() {
    jq -r --argjson n "$1" --argjson c "$2" --argjson m "$3" '
        ([.employments[] | select(.employee.employeeNumber == $n and .payrollId == 1) | .id][0]) as $id
        | [.payrollPeriodData[] | select(.employmentId == $id and .payrollPeriod.year == 2026
                                         and .payrollPeriod.periodNumber == $m)
           | .payrollComponents[] | select(.payrollComponent.key == $c) | .value] | add // empty' "$F"
}
# the median of employee $1's component $2 over the six periods before November (2026-05..10)
median() {
    jq -r --argjson n "$1" --argjson c "$2" '
        ([.employments[] | select(.employee.employeeNumber == $n and .payrollId == 1) | .id][0]) as $id
        | [.payrollPeriodData[] | select(.employmentId == $id and .payrollPeriod.year == 2026
                                         and .payrollPeriod.periodNumber >= 5 and .payrollPeriod.periodNumber <= 10)
           | [.payrollComponents[] | select(.payrollComponent.key == $c) | .value] | add
           | select(. != null)] | sort
        | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end' "$F"
}
kinds() { jq -r '[.signals[] | "\(.kind):\(.employeeNumber // "-"):\(.component // "-")"] | join(" ")' "$1"; }

# ---- an ordinary month: the monthly sample gives no signal at all, and apply sends
li plan "$(sample uren-maand-40101-2026-11.csv)" -m "$(mapping uren-maand-excel.json)" --period 2026-11 \
    --report "$OUT/ordinary.json"
[ "$LI_RC" = 0 ] || { cat "$SIM_DIR/li.out" "$SIM_DIR/li.err"; fail "ordinary month: plan exit $LI_RC"; }
jq -e '.signals == [] and .signalsAccepted == null' "$OUT/ordinary.json" >/dev/null ||
    fail "ordinary month: signals $(jq -c .signals "$OUT/ordinary.json")"
grep -q 'Signals\|Signaleringen' "$SIM_DIR/li.out" && fail "ordinary month: a Signals section on screen"
# the history was read with the listings, not per employment: the six earlier periods' listings
# and one working-hours call; with the listing's default lines (normal mode) the whole plan
# stays under 1.1 requests per employment (under --strict-minimal the defaults are read per
# employment, history or not)
listings=$(sim_count GET '/providers/employers/payrolladministrations/{payrollAdministrationId}/payrollPeriods/{payrollPeriodId}/payrollperioddata')
[ "$listings" -le 8 ] || fail "ordinary month: $listings listing calls (1 current + 6 history expected)"
total=$(sim_requests | jq .total)
echo "ordinary month (${LOKET_SIM_MODE:-normal}): $total requests for 25 employments, $listings listings"
if [ "${LOKET_SIM_MODE:-normal}" = normal ]; then
    [ "$total" -le 28 ] || fail "ordinary month: $total requests for 25 employments (more than 1.1 each)"
fi
[ "$(sim_count GET '/providers/employers/{employerId}/actualworkinghours')" = 1 ] ||
    fail "the working hours were not read once per employer"

# ---- repeat-of-previous: August's values sent again as November
jq -r '
    (reduce (.employments[] | select(.payrollAdministration.clientNumber == 40101)) as $e
        ({}; .[$e.id] = [$e.employee.employeeNumber, $e.payrollId])) as $who
    | .payrollPeriodData[] | select(.payrollPeriod.year == 2026 and .payrollPeriod.periodNumber == 8)
    | select($who[.employmentId] != null and $who[.employmentId][0] != 1019)
    | $who[.employmentId] as $w | .payrollComponents[]
    | "\($w[0]),\($w[1]),\(.payrollComponent.key),\(.value)"' "$F" | csv >"$SIM_DIR/august.csv"
li plan "$SIM_DIR/august.csv" -m "$MAP" --period 2026-11 --report "$OUT/repeat-plan.json"
[ "$LI_RC" = 2 ] || { cat "$SIM_DIR/li.out"; fail "repeat: plan exit $LI_RC, expected 2"; }
jq -e '[.signals[] | select(.kind == "repeat-of-previous")] | length == 1' "$OUT/repeat-plan.json" >/dev/null ||
    fail "repeat: signals $(kinds "$OUT/repeat-plan.json")"
jq -e '.signals[] | select(.kind == "repeat-of-previous") | .reference.period == "2026-08" and .period == "2026-11"
       and .blocking and .reference.matchingEmployments >= 20 and .employeeNumber == null' \
    "$OUT/repeat-plan.json" >/dev/null ||
    fail "repeat: $(jq -c '.signals[] | select(.kind == "repeat-of-previous")' "$OUT/repeat-plan.json")"
grep -q 'repeat of an earlier period' "$SIM_DIR/li.out" || fail "repeat: not on screen"
li apply "$SIM_DIR/august.csv" -m "$MAP" --period 2026-11 --report "$OUT/repeat-apply.json"
[ "$LI_RC" = 2 ] || fail "repeat: apply exit $LI_RC, expected 2"
[ "$(patch_count)" = 0 ] || fail "repeat: apply sent $(patch_count) PATCH requests"
grep -q 'repeat-of-previous (1)' "$SIM_DIR/li.err" || fail "repeat: apply does not say which signal: $(cat "$SIM_DIR/li.err")"
jq -e '[.records[] | .outcome] | unique == ["not_sent"]' "$OUT/repeat-apply.json" >/dev/null ||
    fail "repeat: apply report outcomes $(jq -c '[.records[].outcome] | unique' "$OUT/repeat-apply.json")"
# accepting another kind does not help; accepting this one sends, and the run folder says so
li apply "$SIM_DIR/august.csv" -m "$MAP" --period 2026-11 --accept-signals=outlier,over-contract
[ "$LI_RC" = 2 ] || fail "repeat: apply --accept-signals=outlier,over-contract exit $LI_RC, expected 2"
[ "$(patch_count)" = 0 ] || fail "repeat: a PATCH sent while the repeat was not accepted"
li apply "$SIM_DIR/august.csv" -m "$MAP" --period 2026-11 --accept-signals=repeat-of-previous \
    --report "$OUT/repeat-accepted.json"
[ "$LI_RC" = 0 ] || { cat "$SIM_DIR/li.err"; fail "repeat: apply --accept-signals exit $LI_RC"; }
[ "$(patch_count)" -ge 20 ] || fail "repeat: accepted, yet only $(patch_count) PATCH requests"
run=$(sed -n 's/^run [^:]*: //p' "$SIM_DIR/li.out" | tail -n 1)
[ -f "$run/report.json" ] || fail "repeat: no run folder report ($run)"
jq -e '.signalsAccepted == "repeat-of-previous" and ([.signals[] | select(.kind == "repeat-of-previous") | .accepted] == [true])' \
    "$run/report.json" >/dev/null || fail "repeat: the run folder does not record the acceptance"
sim_reset

# ---- fewer than repeatMinEmployments (5) repeating: no signal; 5: a signal
head -n 1 "$SIM_DIR/august.csv" >"$SIM_DIR/four.csv"
grep -E '^(1002|1003|1004|1005),1,' "$SIM_DIR/august.csv" >>"$SIM_DIR/four.csv"
li plan "$SIM_DIR/four.csv" -m "$MAP" --period 2026-11 --report "$OUT/four.json"
[ -z "$(jq -r '.signals[] | select(.kind == "repeat-of-previous") | .kind' "$OUT/four.json")" ] ||
    fail "4 employments repeating August made a repeat signal"
grep -E '^1006,1,' "$SIM_DIR/august.csv" >>"$SIM_DIR/four.csv"
li plan "$SIM_DIR/four.csv" -m "$MAP" --period 2026-11 --report "$OUT/five.json"
[ "$(jq -r '[.signals[] | select(.kind == "repeat-of-previous")] | length' "$OUT/five.json")" = 1 ] ||
    fail "5 employments repeating August: no repeat signal ($(kinds "$OUT/five.json"))"

# ---- outlier: 10x an earlier value (a slipped decimal), and a tenth of the median
h=$(hist 1003 10 9)
m=$(median 1003 10)
[ -n "$h" ] && [ -n "$m" ] || fail "no history of 1003 in the fixture"
slip=$(echo "$h * 10" | bc)
printf '1003,1,10,%s\n' "$slip" | csv >"$SIM_DIR/slip.csv"
li plan "$SIM_DIR/slip.csv" -m "$MAP" --period 2026-11 --report "$OUT/slip.json" --report "$OUT/slip.csv" \
    --report "$OUT/slip.xlsx"
[ "$LI_RC" = 2 ] || fail "slip: plan exit $LI_RC, expected 2"
# (ten times a month's hours is also more than the contract allows)
[ "$(kinds "$OUT/slip.json")" = "outlier:1003:10 over-contract:1003:10" ] || fail "slip: $(kinds "$OUT/slip.json")"
jq -e --argjson v "$slip" '.signals[0] | .employeeNumber == 1003 and .value == $v
       and .reference.decimalSlip == 10 and .reference.exact and (.reference.values | length) >= 3
       and (.reference.periods | length) == (.reference.values | length)' "$OUT/slip.json" >/dev/null ||
    fail "slip: $(jq -c .signals "$OUT/slip.json")"
grep -q '5 earlier periods: ' "$SIM_DIR/li.out" || fail "slip: the history is not shown on screen"
# the CSV and the XLSX Details carry a line per signal after the records
grep -q '^"signal: outlier (stops apply)",.*,"1003",.*,"10","Uren gewerkt",.*exactly 10x an earlier value' "$OUT/slip.csv" ||
    fail "slip: no outlier line in the CSV report: $(grep -i signal "$OUT/slip.csv")"
[ "$(grep -c '^"signal: ' "$OUT/slip.csv")" = 2 ] || fail "slip: expected 2 signal lines in the CSV"
python3 -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); t = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xml")); sys.exit(0 if "signal: above the contract (stops apply)" in t and "likely decimal slip" in t else 1)' \
    "$OUT/slip.xlsx" || fail "slip: the XLSX report does not show the signals"
# in Dutch: the section "Signaleringen", numbers as a Dutch payroll office writes them
li plan "$SIM_DIR/slip.csv" -m "$MAP" --period 2026-11 --lang nl
grep -q '^  Signaleringen (2; 2 houden apply tegen' "$SIM_DIR/li.out" &&
    grep -q 'uitschieter (houdt apply tegen)  1003 .* 1\.720$' "$SIM_DIR/li.out" &&
    grep -q 'waarschijnlijk een verschoven komma; 5 eerdere perioden: ' "$SIM_DIR/li.out" ||
    fail "slip in Dutch: $(sed -n '/Signaleringen/,/gestopt/p' "$SIM_DIR/li.out")"
low=$(echo "scale=2; $m / 10" | bc)
printf '1003,1,10,%s\n' "$low" | csv >"$SIM_DIR/low.csv"
li plan "$SIM_DIR/low.csv" -m "$MAP" --period 2026-11 --report "$OUT/low.json"
[ "$(kinds "$OUT/low.json")" = "outlier:1003:10" ] || fail "a tenth of the median: $(kinds "$OUT/low.json")"
# the edge: exactly 3x the median is one, just below it is none
edge=$(echo "$m * 3" | bc)
printf '1003,1,10,%s\n' "$edge" | csv >"$SIM_DIR/edge.csv"
li plan "$SIM_DIR/edge.csv" -m "$MAP" --period 2026-11 --report "$OUT/edge.json"
case "$(kinds "$OUT/edge.json")" in *outlier:1003:10*) ;; *) fail "3x the median ($edge): $(kinds "$OUT/edge.json")" ;; esac
below=$(echo "$m * 3 - 0.01" | bc)
printf '1003,1,10,%s\n' "$below" | csv >"$SIM_DIR/below.csv"
li plan "$SIM_DIR/below.csv" -m "$MAP" --period 2026-11 --report "$OUT/below.json"
case "$(kinds "$OUT/below.json")" in *outlier*) fail "just under 3x the median ($below) is an outlier" ;; esac
# the floor: overtime 3x its small median is no signal (less than minDifference apart)
printf '1003,1,11,15\n' | csv >"$SIM_DIR/small.csv"
li plan "$SIM_DIR/small.csv" -m "$MAP" --period 2026-11 --report "$OUT/small.json"
case "$(kinds "$OUT/small.json")" in *outlier*) fail "15 overtime hours made an outlier" ;; esac
# the mapping's checks move the threshold: outlierFactor 20 lets the slip through
jq '. + {"checks": {"outlierFactor": 20, "off": ["over-contract"]}}' "$MAP" >"$SIM_DIR/lenient.json"
li plan "$SIM_DIR/slip.csv" -m "$SIM_DIR/lenient.json" --period 2026-11 --report "$OUT/lenient.json"
[ "$LI_RC" = 0 ] && [ "$(kinds "$OUT/lenient.json")" = "" ] ||
    fail "outlierFactor 20: exit $LI_RC, $(kinds "$OUT/lenient.json")"
# the configuration's checks apply to every mapping; a mapping's own checks win over them
jq '. + {"checks": {"outlierFactor": 20, "off": ["over-contract"]}}' "$SIM_DIR/config.json" >"$SIM_DIR/lenient-config.json"
"$IMPORT_BIN" plan "$SIM_DIR/slip.csv" -m "$MAP" --period 2026-11 --config "$SIM_DIR/lenient-config.json" \
    --report "$OUT/cfg.json" >/dev/null 2>&1
rc=$?
[ "$rc" = 0 ] && [ "$(kinds "$OUT/cfg.json")" = "" ] || fail "configuration outlierFactor 20: exit $rc, $(kinds "$OUT/cfg.json")"
jq '. + {"checks": {"outlierFactor": 3}}' "$MAP" >"$SIM_DIR/strict.json"
"$IMPORT_BIN" plan "$SIM_DIR/slip.csv" -m "$SIM_DIR/strict.json" --period 2026-11 \
    --config "$SIM_DIR/lenient-config.json" --report "$OUT/cfg2.json" >/dev/null 2>&1
[ "$(kinds "$OUT/cfg2.json")" = "outlier:1003:10" ] || fail "the mapping's outlierFactor 3 over the configuration's 20: $(kinds "$OUT/cfg2.json")"
jq '. + {"checks": {"contractMargin": -1}}' "$SIM_DIR/config.json" >"$SIM_DIR/bad-config.json"
"$IMPORT_BIN" plan "$SIM_DIR/slip.csv" -m "$MAP" --period 2026-11 --config "$SIM_DIR/bad-config.json" \
    >/dev/null 2>"$SIM_DIR/bad-config.err"
rc=$?
[ "$rc" = 3 ] && grep -q 'checks.contractMargin' "$SIM_DIR/bad-config.err" ||
    fail "configuration checks.contractMargin -1: exit $rc, $(cat "$SIM_DIR/bad-config.err")"
# and "blocking": [] keeps the signal but lets apply send
jq '. + {"checks": {"blocking": []}}' "$MAP" >"$SIM_DIR/noblock.json"
li apply "$SIM_DIR/edge.csv" -m "$SIM_DIR/noblock.json" --period 2026-11 --report "$OUT/noblock.json"
[ "$LI_RC" = 0 ] && [ "$(kinds "$OUT/noblock.json")" = "outlier:1003:10 over-contract:1003:10" ] ||
    fail "blocking []: exit $LI_RC, $(kinds "$OUT/noblock.json")"
sim_reset

# ---- over-contract: 1024 starts 2026-11-16 with 40 hours a week: 15 days, 15% margin
#      40 x 15/7 x 1.15 = 98.57 hours at most
printf '1024,1,10,98.57\n' | csv >"$SIM_DIR/fits.csv"
li plan "$SIM_DIR/fits.csv" -m "$MAP" --period 2026-11 --report "$OUT/fits.json"
[ "$LI_RC" = 0 ] && [ "$(kinds "$OUT/fits.json")" = "" ] || fail "98.57 hours: exit $LI_RC, $(kinds "$OUT/fits.json")"
printf '1024,1,10,98.58\n' | csv >"$SIM_DIR/over.csv"
li plan "$SIM_DIR/over.csv" -m "$MAP" --period 2026-11 --report "$OUT/over.json"
[ "$LI_RC" = 2 ] && [ "$(kinds "$OUT/over.json")" = "over-contract:1024:10" ] ||
    fail "98.58 hours: exit $LI_RC, $(kinds "$OUT/over.json")"
jq -e '.signals[0].reference.hoursPerWeek == 40 and .signals[0].reference.allowed == 98.57
       and .signals[0].reference.margin == 0.15' "$OUT/over.json" >/dev/null ||
    fail "over-contract reference: $(jq -c .signals[0].reference "$OUT/over.json")"
li apply "$SIM_DIR/over.csv" -m "$MAP" --period 2026-11 --accept-signals --report "$OUT/over-apply.json"
[ "$LI_RC" = 0 ] || fail "over-contract: apply --accept-signals exit $LI_RC"
[ "$(state_values 1024 | sed 's/.* //')" = "10=98.58" ] || fail "over-contract accepted: Loket holds $(state_values 1024)"
jq -e '.signalsAccepted == "all" and .signals[0].accepted' "$OUT/over-apply.json" >/dev/null ||
    fail "over-contract: the report does not say it was accepted"
sim_reset

# ---- new-component: information only; plan and apply go on
printf '1001,1,30,250\n' | csv >"$SIM_DIR/bonus.csv"
li apply "$SIM_DIR/bonus.csv" -m "$MAP" --period 2026-11 --report "$OUT/bonus.json"
[ "$LI_RC" = 0 ] || fail "new component: apply exit $LI_RC"
jq -e '.signals == [.signals[] | select(.kind == "new-component" and .blocking == false and .component == 30)]
       and (.signals | length) == 1' "$OUT/bonus.json" >/dev/null || fail "new component: $(kinds "$OUT/bonus.json")"
sim_reset

# ---- bad input: an unknown kind, a bad checks key
li apply "$SIM_DIR/bonus.csv" -m "$MAP" --period 2026-11 --accept-signals=decimal-slip
[ "$LI_RC" = 64 ] || fail "--accept-signals=decimal-slip: exit $LI_RC, expected 64"
grep -q 'decimal-slip' "$SIM_DIR/li.err" || fail "--accept-signals=decimal-slip: not named"
jq '. + {"checks": {"outlierFactr": 2}}' "$MAP" >"$SIM_DIR/typo.json"
li plan "$SIM_DIR/bonus.csv" -m "$SIM_DIR/typo.json" --period 2026-11
[ "$LI_RC" = 2 ] || fail "checks.outlierFactr: exit $LI_RC, expected 2"
grep -q 'checks.outlierFactr' "$SIM_DIR/li.err" || fail "checks.outlierFactr: not named: $(cat "$SIM_DIR/li.err")"
jq '. + {"checks": {"outlierFactor": 1}}' "$MAP" >"$SIM_DIR/one.json"
li plan "$SIM_DIR/bonus.csv" -m "$SIM_DIR/one.json" --period 2026-11
[ "$LI_RC" = 2 ] && grep -q 'checks.outlierFactor' "$SIM_DIR/li.err" || fail "outlierFactor 1 accepted"
[ "$(patch_count)" = 0 ] || fail "bad input: something was sent"
echo "signals_kinds: ok"
