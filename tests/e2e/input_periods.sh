#!/bin/sh
# input_periods.sh: dates and the administration's calendar. The 4-weekly administration 40102
# has period 12 from 2026-11-02 to 11-29 and period 13 from 11-30 to 12-27. With --period
# 2026-P13, a row dated in P12 is an error that names the file, row and column, and nothing is
# sent; validate says it cannot check that offline. Without --period, a file whose dates fill
# two periods gets a warning in plan's terminal summary and in the report.
# sim-modes: both
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh"
start_import_sim
OUT=$SIM_DIR/reports
mkdir -p "$OUT"

cat >"$SIM_DIR/m.json" <<'EOF'
{
  "name": "dates, 4-weekly",
  "input": { "type": "csv", "headerRow": 1, "decimalSeparator": "," },
  "layout": "wide",
  "employee": { "employeeNumber": "Nr" },
  "employer": { "clientNumber": 40102 },
  "period": { "source": "date", "column": "Datum" },
  "components": [ { "column": "Uren", "component": 10 } ]
}
EOF
printf 'Nr;Datum;Uren\n1102;30-11-2026;8\n1102;01-12-2026;8\n1101;27-11-2026;7,5\n' >"$SIM_DIR/p13.csv"

"$IMPORT_BIN" validate "$SIM_DIR/p13.csv" -m "$SIM_DIR/m.json" --period 2026-P13 \
    >"$SIM_DIR/v.out" 2>&1 || bad "validate --period 2026-P13: exit $?"
grep -q "checked by plan" "$SIM_DIR/v.out" || bad "validate should say plan checks P13: $(cat "$SIM_DIR/v.out")"

li plan "$SIM_DIR/p13.csv" -m "$SIM_DIR/m.json" --period 2026-P13 --report "$OUT/p13.json"
[ "$LI_RC" = 2 ] || bad "plan --period 2026-P13 with a row in P12: exit $LI_RC, expected 2"
msg=$(jq -r '[.records[] | select(.employee.number == 1101) | .messages[].description] | join(" | ")' \
    "$OUT/p13.json")
echo "$msg" | grep -q 'p13.csv:4: column "Datum": date 2026-11-27 lies in period 2026-P12 (2026-11-02 to 2026-11-29) of Van den Berg 4-weken, not in 2026-P13' ||
    bad "1101's record should name file, row, column and both periods: $msg"
jq -e '[.records[] | select(.employee.number == 1102) | .outcome] == ["created"]' "$OUT/p13.json" \
    >/dev/null || bad "1102's dates lie in P13: $(jq -c '[.records[] | [.employee.number, .outcome]]' "$OUT/p13.json")"
li apply "$SIM_DIR/p13.csv" -m "$SIM_DIR/m.json" --period 2026-P13 --report "$OUT/p13a.json"
[ "$LI_RC" = 2 ] || bad "apply --period 2026-P13: exit $LI_RC, expected 2"
[ "$(patch_count)" = 0 ] || bad "apply with a date outside --period sent $(patch_count) records"

# without --period: two periods, said aloud
li plan "$SIM_DIR/p13.csv" -m "$SIM_DIR/m.json" --report "$OUT/spread.json"
[ "$LI_RC" = 0 ] || bad "plan without --period: exit $LI_RC"
grep -q "warning: .*p13.csv: the rows fall into 2 payroll periods of Van den Berg 4-weken: 2026-P13 (1 record), 2026-P12 (1 record, e.g. .*p13.csv:4)" \
    "$SIM_DIR/li.out" || bad "plan's summary should warn about two periods: $(cat "$SIM_DIR/li.out")"
jq -e '.run.warnings | length == 1 and (.[0] | test("2 payroll periods"))' "$OUT/spread.json" \
    >/dev/null || bad "the report's warnings: $(jq -c .run.warnings "$OUT/spread.json")"

# one period only: no warning
printf 'Nr;Datum;Uren\n1102;30-11-2026;8\n1101;01-12-2026;7,5\n' >"$SIM_DIR/one.csv"
li plan "$SIM_DIR/one.csv" -m "$SIM_DIR/m.json" --period 2026-P13 --report "$OUT/one.json"
[ "$LI_RC" = 0 ] || bad "plan of dates all in P13: exit $LI_RC"
jq -e '.run.warnings == []' "$OUT/one.json" >/dev/null || bad "no warning expected: $(jq -c .run.warnings "$OUT/one.json")"

# two administrations, each in its own period (monthly 2026-11 and weekly 2026-P47): no warning
li plan "$(sample uren-meerdere-werkgevers-2026-11.csv)" -m "$(mapping meerdere-werkgevers.json)" \
    --report "$OUT/two-admins.json"
jq -e '.run.warnings == [] and (.records | length) > 0' "$OUT/two-admins.json" >/dev/null ||
    bad "two administrations are no spread: $(jq -c .run.warnings "$OUT/two-admins.json")"

finish
stop_sim
echo "input_periods: ok"
