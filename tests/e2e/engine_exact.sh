#!/bin/sh
# engine_exact.sh: values are summed exactly per Loket record and rounded once, after the dates
# are bucketed into the administration's periods. Through the shipped daily mapping
# (mappings/uren-dagelijks-xlsx.json: "round": 2 for hours, 0 for km), three days of 7.333333 h
# and 12.4 km in one week must reach loket-sim as 22 and 37 (rounding per day gave 21.99 and 36),
# and the report must say the same numbers Loket holds.
# sim-modes: both
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh"
start_import_sim
OUT=$SIM_DIR/reports
mkdir -p "$OUT"
X=$SIM_DIR/dagen.xlsx
M=$(mapping uren-dagelijks-xlsx.json)

# Mon..Wed of ISO week 45 (2026-P45 of the weekly administration 40201), plus 2002 with one day
# in week 45 and one in week 46: each week is a record of its own, rounded on its own
/usr/bin/python3 "$LK_ROOT/tests/e2e/write-xlsx.py" "$X" Urenregistratie <<'ROWS' || fail "write-xlsx.py"
Medewerker;Datum;Uren;Overuren;Km
2001;2026-11-02;7.333333;;12.4
2001;2026-11-03;7.333333;;12.4
2001;2026-11-04;7.333333;;12.4
2002;2026-11-06;0.005;;0.4
2002;2026-11-07;0.005;;0.4
2002;2026-11-09;0.005;;0.4
ROWS

li plan "$X" -m "$M" --report "$OUT/plan.json"
[ "$LI_RC" = 0 ] || { cat "$SIM_DIR/li.out" "$SIM_DIR/li.err"; fail "plan: exit $LI_RC"; }
planned() { # employee component [report] -> the planned value(s), one per period
    jq -r --argjson n "$1" --argjson c "$2" '[.records[] | select(.employee.number == $n)
        | .components[] | select(.key == $c) | .new_value] | map(tostring) | join(" ")' "${3:-$OUT/plan.json}"
}
[ "$(planned 2001 10)" = 22 ] || fail "plan: 2001's hours of week 45 are $(planned 2001 10), expected 22"
[ "$(planned 2001 20)" = 37 ] || fail "plan: 2001's km of week 45 are $(planned 2001 20), expected 37"

li apply "$X" -m "$M" --report "$OUT/apply.json"
[ "$LI_RC" = 0 ] || { cat "$SIM_DIR/li.out" "$SIM_DIR/li.err"; fail "apply: exit $LI_RC"; }
d=$(state_values 2001 202645 | sed 's/^.* //' | tr '\n' ' ')
[ "$d" = "10=22 20=37 " ] || fail "Loket holds for 2001 in 2026-P45: $d (expected 10=22 20=37)"
# 2002: two days of week 45 sum to 0.01 h and 0.8 km (1); week 46 is rounded on its own (half
# away from zero: 0.005 -> 0.01, 0.4 -> 0). Per day it was 0.02 and 0.
d=$(state_values 2002 202645 | sed 's/^.* //' | tr '\n' ' ')
[ "$d" = "10=0.01 20=1 " ] || fail "Loket holds for 2002 in 2026-P45: $d (expected 10=0.01 20=1)"
d=$(state_values 2002 202646 | sed 's/^.* //' | tr '\n' ' ')
[ "$d" = "10=0.01 20=0 " ] || fail "Loket holds for 2002 in 2026-P46: $d (expected 10=0.01 20=0)"

# the report's numbers are Loket's
jq -r '.records[] | select(.employee.number == 2001) | .components[] | "\(.key)=\(.new_value)"' \
    "$OUT/apply.json" | sort | tr '\n' ' ' >"$SIM_DIR/reported"
[ "$(cat "$SIM_DIR/reported")" = "10=22 20=37 " ] || fail "apply report says $(cat "$SIM_DIR/reported")"
check_plan_apply "$OUT/apply.json" "$OUT/plan.json"
# validate cannot know a weekly administration's periods offline: it says so
"$IMPORT_BIN" validate "$X" -m "$M" >"$SIM_DIR/validate.out" 2>&1
grep -q "plan" "$SIM_DIR/validate.out" && grep -qi "period" "$SIM_DIR/validate.out" ||
    fail "validate does not say the per-period totals come with plan:
$(cat "$SIM_DIR/validate.out")"

# ---- where the mapping says the periods are calendar months, validate totals them offline, and
# the plan refuses an administration whose periods are not (the weekly 40201)
jq '.employer.clientNumber = 40101 | .period.calendar = "month"' "$M" >"$SIM_DIR/maand.json"
/usr/bin/python3 "$LK_ROOT/tests/e2e/write-xlsx.py" "$SIM_DIR/maand.xlsx" Urenregistratie <<'ROWS' || fail "write-xlsx.py"
Medewerker;Datum;Uren;Overuren;Km
1001;2026-11-02;7.333333;;12.4
1001;2026-11-03;7.333333;;12.4
1001;2026-11-04;7.333333;;12.4
1002;2026-11-30;7.333333;;
ROWS
"$IMPORT_BIN" validate "$SIM_DIR/maand.xlsx" -m "$SIM_DIR/maand.json" >"$SIM_DIR/maand.out" 2>&1 ||
    fail "validate (calendar months): $(cat "$SIM_DIR/maand.out")"
grep -q '2026-11  component 10 *29.33  (2 records)' "$SIM_DIR/maand.out" &&
    grep -q '2026-11  component 20 *37  (1 record)' "$SIM_DIR/maand.out" ||
    fail "validate does not show the per-month totals rounded once per record:
$(cat "$SIM_DIR/maand.out")"
"$IMPORT_BIN" validate "$SIM_DIR/maand.xlsx" -m "$SIM_DIR/maand.json" --json |
    jq -e '.summary.periodTotals | map(select(.period == "2026-11" and .component == 10)) | .[0].total == 29.33' >/dev/null ||
    fail "validate --json lacks periodTotals"
li plan "$SIM_DIR/maand.xlsx" -m "$SIM_DIR/maand.json" --report "$OUT/maand.json"
[ "$LI_RC" = 0 ] || { cat "$SIM_DIR/li.out"; fail "plan (calendar months): exit $LI_RC"; }
[ "$(planned 1001 10 "$OUT/maand.json")" = 22 ] || fail "plan (calendar months): 1001 has $(planned 1001 10 "$OUT/maand.json")"
jq '.employer.clientNumber = 40201' "$SIM_DIR/maand.json" >"$SIM_DIR/week-as-month.json"
/usr/bin/python3 "$LK_ROOT/tests/e2e/write-xlsx.py" "$SIM_DIR/week.xlsx" Urenregistratie <<'ROWS' || fail "write-xlsx.py"
Medewerker;Datum;Uren;Overuren;Km
2001;2026-11-02;8;;
ROWS
li plan "$SIM_DIR/week.xlsx" -m "$SIM_DIR/week-as-month.json" --report "$OUT/week.json"
[ "$LI_RC" = 2 ] || fail "plan of a weekly administration under \"calendar\": \"month\": exit $LI_RC, expected 2"
jq -r '.records[].messages[].description' "$OUT/week.json" | grep -q 'calendar months.*De Linde weekloon' ||
    fail "the plan does not say the administration's periods are not calendar months"
# ---- one Loket record fed by two period references (2026-11 and 2026-P11 are both November in
# the monthly administration 40101) and by rows of each: the exact sum is rounded once.
# 6.2 + 12.4 + 6.2 km = 24.8 -> 25 (each reference rounded first: 12 + 12 = 24); 0.002 + 0.004 +
# 0.002 h = 0.008 -> 0.01 (each reference rounded first: 0.00 + 0.00)
cat >"$SIM_DIR/refs.json" <<'EOF'
{
  "name": "two period references",
  "input": { "type": "csv", "delimiter": ";", "decimalSeparator": ",", "headerRow": 1 },
  "layout": "wide",
  "employee": { "employeeNumber": "Nr" },
  "employer": { "clientNumber": 40101 },
  "period": { "source": "column", "column": "Periode" },
  "components": [ { "column": "Uren", "component": 10, "round": 2 },
                  { "column": "Km", "component": 20, "round": 0 } ]
}
EOF
printf 'Nr;Periode;Uren;Km\n1001;2026-11;0,002;6,2\n1001;2026-P11;0,004;12,4\n1001;2026-11;0,002;6,2\n' >"$SIM_DIR/refs.csv"
sim_reset
li plan "$SIM_DIR/refs.csv" -m "$SIM_DIR/refs.json" --report "$OUT/refs-plan.json"
[ "$LI_RC" = 0 ] || { cat "$SIM_DIR/li.out" "$SIM_DIR/li.err"; fail "plan (two period references): exit $LI_RC"; }
[ "$(planned 1001 10 "$OUT/refs-plan.json"),$(planned 1001 20 "$OUT/refs-plan.json")" = 0.01,25 ] ||
    fail "plan (two period references): 1001 has $(planned 1001 10 "$OUT/refs-plan.json") h and $(planned 1001 20 "$OUT/refs-plan.json") km, expected 0.01 and 25 (rounded once)"
li apply "$SIM_DIR/refs.csv" -m "$SIM_DIR/refs.json" --report "$OUT/refs.json"
[ "$LI_RC" = 0 ] || { cat "$SIM_DIR/li.out" "$SIM_DIR/li.err"; fail "apply (two period references): exit $LI_RC"; }
d=$(state_values 1001 | grep 'cc=1 ' | sed 's/^.* //' | grep -E '^(10|20)=' | tr '\n' ' ')
[ "$d" = "10=0.01 20=25 " ] || fail "Loket holds for 1001 in 2026-11: $d (expected 10=0.01 20=25)"
check_plan_apply "$OUT/refs.json" "$OUT/refs-plan.json"
echo "engine_exact: ok"
