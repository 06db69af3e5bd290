#!/bin/sh
# period_messages.sh: the plan's messages name periods the way the administration does, in
# English and in Dutch: weeks as 2026-W47 and months as 2026-11 (not 2026-P47 / 2026-P11) in
# the several-periods warning, in the --period mismatch error (also for --period 2026-W48), in
# the "calendar": "month" error and in the min/max error; a week number for a monthly
# administration is an error also with a date column; a date-bucketed record's JSON period
# label is the period's name. Weekly administration 40201 (De Linde weekloon: W47 is
# 2026-11-16..22, W48 11-23..29), monthly 40101 (Van den Berg maandloon).
# sim-modes: both
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh"
start_import_sim
OUT=$SIM_DIR/reports
mkdir -p "$OUT"
says() { # file text...: the text (fixed string) is in the file
    f=$1
    shift
    grep -qF -- "$*" "$f" || bad "$(basename "$f") lacks: $*
got: $(cat "$f")"
}
never() {
    f=$1
    shift
    grep -qF -- "$*" "$f" && bad "$(basename "$f") has: $*"
}
all_out() { cat "$SIM_DIR/li.out" "$SIM_DIR/li.err" >"$SIM_DIR/all.out"; }

mapping_for() { # client-number extra-period-json extra-component-json
    cat <<EOF2
{ "name": "dates", "input": { "type": "csv", "headerRow": 1, "decimalSeparator": "," },
  "layout": "wide", "employee": { "employeeNumber": "Nr" }, "employer": { "clientNumber": $1 },
  "period": { "source": "date", "column": "Datum"$2 },
  "components": [ { "column": "Uren", "component": 10$3 } ] }
EOF2
}
mapping_for 40201 "" "" >"$SIM_DIR/week.json"
mapping_for 40101 "" "" >"$SIM_DIR/month.json"
printf 'Nr;Datum;Uren\n2001;16-11-2026;8\n2001;17-11-2026;8\n2002;24-11-2026;7,5\n' >"$SIM_DIR/weeks.csv"
printf 'Nr;Datum;Uren\n1001;02-11-2026;8\n1001;03-11-2026;8\n1003;01-12-2026;7,5\n' >"$SIM_DIR/months.csv"

# ---- the several-periods warning
li plan "$SIM_DIR/weeks.csv" -m "$SIM_DIR/week.json" --report "$OUT/weeks.json"
[ "$LI_RC" = 0 ] || bad "weekly plan: exit $LI_RC"
says "$SIM_DIR/li.out" "the rows fall into 2 payroll periods of De Linde weekloon: 2026-W47 (1 record), 2026-W48 (1 record, e.g. "
never "$SIM_DIR/li.out" "P47"
[ "$(jq -r '[.records[].period.input] | unique | join(" ")' "$OUT/weeks.json")" = "2026-W47 2026-W48" ] ||
    bad "JSON period labels: $(jq -c '[.records[].period.input]' "$OUT/weeks.json")"
li plan "$SIM_DIR/weeks.csv" -m "$SIM_DIR/week.json" --lang nl
says "$SIM_DIR/li.out" "de regels vallen in 2 verloningsperiodes van De Linde weekloon: 2026-W47 (1 record), 2026-W48 (1 record, bijv. "
li plan "$SIM_DIR/months.csv" -m "$SIM_DIR/month.json"
[ "$LI_RC" = 0 ] || bad "monthly plan: exit $LI_RC"
says "$SIM_DIR/li.out" "the rows fall into 2 payroll periods of Van den Berg maandloon: 2026-11 (1 record), 2026-12 (1 record, e.g. "
never "$SIM_DIR/li.out" "2026-P1"

# ---- --period and a date in another period: the error names both periods by their kind
li apply "$SIM_DIR/weeks.csv" -m "$SIM_DIR/week.json" --period 2026-W48 --report "$OUT/w48.json"
all_out
[ "$LI_RC" = 2 ] || bad "apply --period 2026-W48 with rows in W47: exit $LI_RC, expected 2"
[ "$(patch_count)" = 0 ] || bad "apply with dates outside --period 2026-W48 sent $(patch_count) records"
jq -r '.records[].messages[].description' "$OUT/w48.json" >"$SIM_DIR/w48.msgs"
says "$SIM_DIR/w48.msgs" 'column "Datum": date 2026-11-16 lies in period 2026-W47 (2026-11-16 to 2026-11-22) of De Linde weekloon, not in 2026-W48 given with --period'
li plan "$SIM_DIR/months.csv" -m "$SIM_DIR/month.json" --period 2026-P11 --lang nl
all_out
[ "$LI_RC" = 2 ] || bad "plan --period 2026-P11 with a December row: exit $LI_RC, expected 2"
says "$SIM_DIR/all.out" 'kolom "Datum": datum 01-12-2026 valt in periode 2026-12 (01-12-2026 t/m 31-12-2026) van Van den Berg maandloon, niet in 2026-11 die met --period is opgegeven'

# a week number for the monthly administration, with a date column: an error, not November
li plan "$SIM_DIR/months.csv" -m "$SIM_DIR/month.json" --period 2026-W48 --report "$OUT/w-month.json"
[ "$LI_RC" = 2 ] || bad "plan --period 2026-W48 for a monthly administration: exit $LI_RC, expected 2"
jq -r '.records[].messages[].description' "$OUT/w-month.json" >"$SIM_DIR/w-month.msgs"
says "$SIM_DIR/w-month.msgs" "--period 2026-W48 is a week, but Van den Berg maandloon pays per month"
never "$SIM_DIR/w-month.msgs" "2026-48"
# ... also when the week's number is the month's: week 11 is not November
li plan "$SIM_DIR/months.csv" -m "$SIM_DIR/month.json" --period 2026-W11 --report "$OUT/w11.json"
[ "$(jq -r '[.records[] | select(.employee.number == 1001) | .outcome] | join(" ")' "$OUT/w11.json")" = rejected ] ||
    bad "--period 2026-W11 planned 1001's November dates: $(jq -c '[.records[] | [.employee.number, .outcome]]' "$OUT/w11.json")"
# validate cannot know the calendar: it says plan checks the week
"$IMPORT_BIN" validate "$SIM_DIR/weeks.csv" -m "$SIM_DIR/week.json" --period 2026-W48 \
    >"$SIM_DIR/v.out" 2>&1 || bad "validate --period 2026-W48: exit $?"
says "$SIM_DIR/v.out" "whether every date lies in period 2026-W48 is checked by plan"

# ---- "calendar": "month" for a weekly administration
mapping_for 40201 ', "calendar": "month"' "" >"$SIM_DIR/cal.json"
li plan "$SIM_DIR/weeks.csv" -m "$SIM_DIR/cal.json" --report "$OUT/cal.json"
[ "$LI_RC" = 2 ] || bad "calendar month for a weekly administration: exit $LI_RC, expected 2"
jq -r '.records[].messages[].description' "$OUT/cal.json" >"$SIM_DIR/cal.msgs"
says "$SIM_DIR/cal.msgs" "but De Linde weekloon's period 2026-W47 runs from 2026-11-16 to 2026-11-22; input "

# ---- min and max
mapping_for 40101 "" ', "max": 10' >"$SIM_DIR/max.json"
li plan "$SIM_DIR/months.csv" -m "$SIM_DIR/max.json" --report "$OUT/max.json"
[ "$LI_RC" = 2 ] || bad "16 hours above max 10: exit $LI_RC, expected 2"
jq -r '.records[].messages[].description' "$OUT/max.json" >"$SIM_DIR/max.msgs"
says "$SIM_DIR/max.msgs" "is above the mapping's \"max\" 10 in period 2026-11; input "
li plan "$SIM_DIR/months.csv" -m "$SIM_DIR/max.json" --lang nl --report "$OUT/max-nl.csv"
says "$OUT/max-nl.csv" "16 is hoger dan het \"\"max\"\" 10 van de mapping in periode 2026-11; invoer "
mapping_for 40101 "" ', "min": 9' >"$SIM_DIR/min.json"
li plan "$SIM_DIR/months.csv" -m "$SIM_DIR/min.json" --lang nl --report "$OUT/min-nl.csv"
says "$OUT/min-nl.csv" "7,5 is lager dan het \"\"min\"\" 9 van de mapping in periode 2026-12; invoer "
says "$OUT/min-nl.csv" "months.csv:4 kolom C \"\"Uren\"\""

finish
stop_sim
echo "period_messages: ok"
