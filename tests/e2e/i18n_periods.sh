#!/bin/sh
# i18n_periods.sh: payroll periods named by their kind everywhere a person reads them: a month as
# 2026-11, a 4-weekly period as 2026-P12, a week as 2026-W47, in the report's period column and
# in the terminal; --period takes all three, and a week number for a monthly administration is
# an error that says so. The JSON report keeps Loket's year and period number.
# sim-modes: both
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh"
start_import_sim
OUT=$SIM_DIR/out.d
mkdir -p "$OUT"

# the weekly administration (De Linde weekloon, client number 40201), period from the command line
cat >"$OUT/week.json" <<'EOF2'
{ "name": "week", "input": { "type": "csv", "delimiter": ";", "headerRow": 1 }, "layout": "wide",
  "employee": { "employeeNumber": "Nr" }, "employer": { "clientNumber": 40201 },
  "period": { "source": "commandLine" }, "components": [ { "column": "Uren", "component": 10 } ] }
EOF2
printf 'Nr;Uren\n2001;38\n2002;40,5\n' >"$OUT/week.csv"

period_cells() { # report.csv: the distinct values of its period column
    python3 -c 'import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig")))
print(" ".join(sorted({r["period"] for r in rows if r["period"]})), end=" ")' "$1"
}

# ---- a week: --period 2026-W47
li plan "$OUT/week.csv" -m "$OUT/week.json" --period 2026-W47 --report "$OUT/week.csv.report.csv" \
    --report "$OUT/week.json.report.json"
[ "$LI_RC" = 0 ] || { cat "$SIM_DIR/li.out" "$SIM_DIR/li.err"; fail "week plan: exit $LI_RC"; }
[ "$(period_cells "$OUT/week.csv.report.csv")" = "2026-W47 " ] ||
    fail "week: report period column: $(period_cells "$OUT/week.csv.report.csv")"
[ "$(jq -r '[.records[].period.number] | unique | @csv' "$OUT/week.json.report.json")" = 47 ] ||
    fail "week: JSON period number"
# ... and the same week by its period number
li plan "$OUT/week.csv" -m "$OUT/week.json" --period 2026-P47 --report "$OUT/p47.csv"
[ "$LI_RC" = 0 ] || fail "week by number: exit $LI_RC"
[ "$(period_cells "$OUT/p47.csv")" = "2026-W47 " ] || fail "week by number: $(period_cells "$OUT/p47.csv")"

# ---- a month: the monthly sample, 2026-11 (not 2026-P11)
li plan "$(sample uren-maand-40101-2026-11.csv)" -m "$(mapping uren-maand-excel.json)" \
    --period 2026-11 --report "$OUT/month.csv"
[ "$LI_RC" = 0 ] || { cat "$SIM_DIR/li.out"; fail "month plan: exit $LI_RC"; }
[ "$(period_cells "$OUT/month.csv")" = "2026-11 " ] || fail "month: $(period_cells "$OUT/month.csv")"

# ---- 4 weeks: the long 4-weekly sample with its period column, 2026-P12
li plan "$(sample variabele-gegevens-40102-2026-P12.csv)" -m "$(mapping variabele-gegevens-lang.json)" \
    --report "$OUT/four.csv"
[ "$LI_RC" = 0 ] || { cat "$SIM_DIR/li.out"; fail "4-weekly plan: exit $LI_RC"; }
[ "$(period_cells "$OUT/four.csv")" = "2026-P12 " ] || fail "4 weeks: $(period_cells "$OUT/four.csv")"

# ---- a week number for the monthly administration: an error naming both, nothing planned
printf 'Nr;Uren\n1001;38\n' >"$OUT/m.csv"
sed 's/40201/40101/' "$OUT/week.json" >"$OUT/m.json"
li plan "$OUT/m.csv" -m "$OUT/m.json" --period 2026-W11 --report "$OUT/wrong.json"
[ "$LI_RC" = 2 ] || { cat "$SIM_DIR/li.out" "$SIM_DIR/li.err"; fail "week of a monthly administration: exit $LI_RC, expected 2"; }
grep -q "2026-W11 is a week, but Van den Berg maandloon pays per month" "$SIM_DIR/li.out" "$SIM_DIR/li.err" ||
    { cat "$SIM_DIR/li.out" "$SIM_DIR/li.err"; fail "week of a monthly administration: no clear error"; }

# ---- --period that is none of them
li plan "$OUT/week.csv" -m "$OUT/week.json" --period 2026-X47
[ "$LI_RC" -ne 0 ] || fail "--period 2026-X47 accepted"
grep -q "2026-W47 (week)" "$SIM_DIR/li.err" || fail "--period error does not name the week form"

# validate (offline) takes a week too
"$IMPORT_BIN" validate "$OUT/week.csv" -m "$OUT/week.json" --period 2026-W47 >"$OUT/v.out" 2>&1 ||
    { cat "$OUT/v.out"; fail "validate --period 2026-W47"; }
echo "i18n_periods: ok"
