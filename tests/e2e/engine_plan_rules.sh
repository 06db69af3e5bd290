#!/bin/sh
# engine_plan_rules.sh: plan = apply. What apply would meet and the plan can know is checked in
# the plan: the request schema's payslipText maxLength 25, the mapping's "min"/"max" of a
# component on the record's value, and negative values (refused unless "allowNegative"). A record
# the plan calls created/updated must never be refused by Loket (engine_lib.sh checks every apply
# report for that); the same file with the checks left to Loket shows the refusals are real.
# sim-modes: both
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh"
start_import_sim
OUT=$SIM_DIR/reports
mkdir -p "$OUT"

# 1001: 1000 hours (above the mapping's 744, and beyond Loket's range for hours)
# 1002: a payslip text of 26 characters; 1003: of 25 (fine)
# 1004: 25 characters but 26 bytes (one accented letter): a strict server counts bytes
# 1005: a negative correction for a component without allowNegative (a row error)
# 1006: a negative correction where the mapping allows it
cat >"$SIM_DIR/rules.csv" <<'CSV'
Personeelsnr,Uren,Inhouding,Tekst
1001,1000,,
1002,160,,Uren november plus toeslag
1003,160,,Uren november met toeslag
1004,160,,Overuren café De Linde nv
1005,-8,,
1006,150,-12.5,
CSV
cat >"$SIM_DIR/rules.json" <<'JSON'
{
  "name": "plan = apply",
  "input": { "type": "csv", "delimiter": ",", "decimalSeparator": ".", "thousandsSeparator": "none", "headerRow": 1 },
  "layout": "wide",
  "employee": { "employeeNumber": "Personeelsnr" },
  "employer": { "clientNumber": 40101 },
  "period": { "source": "fixed", "value": "2026-11" },
  "payslipText": { "column": "Tekst" },
  "components": [
    { "column": "Uren", "component": 10, "max": 744 },
    { "column": "Inhouding", "component": 40, "allowNegative": true, "min": -1000 }
  ]
}
JSON
outcome() { jq -r --argjson n "$2" '[.records[] | select(.employee.number == $n) | .outcome] | join(",")' "$1"; }
msgs() { jq -r --argjson n "$2" '.records[] | select(.employee.number == $n) | .messages[] | .description' "$1"; }
has() { msgs "$1" "$2" | grep -qF "$3" || fail "$(basename "$1"): $2 lacks \"$3\"; got: $(msgs "$1" "$2")"; }

li plan "$SIM_DIR/rules.csv" -m "$SIM_DIR/rules.json" --report "$OUT/plan.json"
[ "$LI_RC" = 2 ] || { cat "$SIM_DIR/li.out" "$SIM_DIR/li.err"; fail "plan with rule violations: exit $LI_RC, expected 2"; }
P=$OUT/plan.json
[ "$(outcome "$P" 1001)" = rejected ] || fail "plan: 1000 hours should be an error, got $(outcome "$P" 1001)"
has "$P" 1001 "1,000 is above the mapping's \"max\" 744"
[ "$(outcome "$P" 1002)" = rejected ] || fail "plan: a 26-character payslip text should be an error, got $(outcome "$P" 1002)"
has "$P" 1002 "is 26 characters; Loket takes at most 25"
case "$(outcome "$P" 1003)" in created | updated) ;; *) fail "plan: 1003 (25 characters) should pass, got $(outcome "$P" 1003)" ;; esac
[ "$(outcome "$P" 1004)" = rejected ] || fail "plan: 25 characters in 26 bytes should be an error, got $(outcome "$P" 1004)"
has "$P" 1004 "26 bytes"
jq -r '.issues[] | .message' "$P" | grep -q 'for component 10 is negative' ||
    fail "plan: the negative hours of 1005 are not an issue: $(jq -c .issues "$P")"
[ "$(outcome "$P" 1005)" != created ] && [ "$(outcome "$P" 1005)" != updated ] ||
    fail "plan: 1005's negative row let a record through"
case "$(outcome "$P" 1006)" in created | updated) ;; *) fail "plan: 1006's allowed correction should pass, got $(outcome "$P" 1006)" ;; esac

# validate sees the negative value too, with file, row and column
"$IMPORT_BIN" validate "$SIM_DIR/rules.csv" -m "$SIM_DIR/rules.json" >"$SIM_DIR/validate.out" 2>&1
grep -q 'rules.csv:6: column B "Uren": -8 for component 10 is negative' "$SIM_DIR/validate.out" ||
    fail "validate does not name the negative cell: $(cat "$SIM_DIR/validate.out")"

# --allow-partial sends exactly what the plan let through, and Loket takes all of it
li apply "$SIM_DIR/rules.csv" -m "$SIM_DIR/rules.json" --allow-partial --report "$OUT/apply.json"
[ "$LI_RC" = 1 ] || { cat "$SIM_DIR/li.out" "$SIM_DIR/li.err"; fail "apply --allow-partial: exit $LI_RC, expected 1"; }
check_plan_apply "$OUT/apply.json" "$P"
state_values 1001 | grep -q "10=1000" && fail "1001's 1000 hours reached Loket"
state_values 1003 | grep -q '10=160' || fail "1003 not stored"
state_values 1006 | grep -q '40=-12.5' || fail "1006's correction not stored"

# the same file with the checks left to Loket: the refusals are real (the plan did not invent them)
sim_reset
LOKET_IMPORT_SKIP_PRECHECKS=1
export LOKET_IMPORT_SKIP_PRECHECKS
grep -v '^1001\|^1005' "$SIM_DIR/rules.csv" >"$SIM_DIR/loket.csv"
li apply "$SIM_DIR/loket.csv" -m "$SIM_DIR/rules.json" --allow-partial --report "$OUT/loket.json"
unset LOKET_IMPORT_SKIP_PRECHECKS
[ "$LI_RC" = 1 ] || fail "apply left to Loket: exit $LI_RC, expected 1"
[ "$(jq -r '.records[] | select(.employee.number == 1002) | "\(.outcome) \(.http_status)"' "$OUT/loket.json")" = "rejected 400" ] ||
    fail "Loket should refuse the 26-character text"
[ "$(jq -r '.records[] | select(.employee.number == 1004) | "\(.outcome) \(.http_status)"' "$OUT/loket.json")" = "rejected 400" ] ||
    fail "loket-sim should refuse 26 bytes of payslip text"

# the program that is installed has no such hook: with the variable set it still checks the rules
LOKET_IMPORT_SKIP_PRECHECKS=1 "$IMPORT_BIN" plan "$SIM_DIR/loket.csv" -m "$SIM_DIR/rules.json" \
    --config "$SIM_DIR/config.json" --report "$OUT/shipped.json" >"$SIM_DIR/shipped.out" 2>&1
rc=$?
[ $rc = 2 ] || { cat "$SIM_DIR/shipped.out"; fail "loket-import with LOKET_IMPORT_SKIP_PRECHECKS=1: exit $rc, expected 2 (rules checked)"; }
[ "$(outcome "$OUT/shipped.json" 1002)" = rejected ] || fail "loket-import honoured the test hook: 1002 $(outcome "$OUT/shipped.json" 1002)"
! grep -q LOKET_IMPORT_SKIP_PRECHECKS "$IMPORT_BIN" || fail "$IMPORT_BIN carries the test hook"
echo "engine_plan_rules: ok"
