#!/bin/sh
# allow_partial_scope.sh: --allow-partial sends exactly the employments without any error
# (docs/import.md). A row in a closed period is an error of its employment: 1002's November row
# stays unsent when its October row falls in the closed period, while 1003 is sent. A bad cell
# holds back the employment its row names, not the employee's other employment: 1007's second
# employment (payrollId 2) is sent when a row of its first has a bad number.
# Found by the differential test (tests/differential; seeds 71 and 200 of its first version, and
# seed 2338).
# sim-modes: both
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh"
start_import_sim
OUT=$SIM_DIR/reports
mkdir -p "$OUT"

cat >"$SIM_DIR/closed.csv" <<'EOF'
Periode,Personeelsnr,Uren
2026-11,1002,150
2026-10,1002,12
2026-11,1003,100
EOF
cat >"$SIM_DIR/closed.json" <<'EOF'
{
  "input": { "type": "csv", "delimiter": ",", "decimalSeparator": ".", "headerRow": 1 },
  "layout": "wide",
  "employee": { "employeeNumber": "Personeelsnr" },
  "employer": { "clientNumber": "40101" },
  "period": { "source": "column", "column": "Periode" },
  "components": [ { "column": "Uren", "component": 10 } ]
}
EOF
li apply "$SIM_DIR/closed.csv" -m "$SIM_DIR/closed.json" --allow-partial --report "$OUT/a.json"
[ "$LI_RC" = 1 ] || { cat "$SIM_DIR/li.out" "$SIM_DIR/li.err"; fail "apply --allow-partial: exit $LI_RC, expected 1"; }
got=$(state_values 1002)
[ "$got" = "cc=2 cu= du= shift=1 pst=1 10=160
cc=2 cu= du= shift=1 pst=1 11=4.5" ] || fail "1002's November record was sent although its October row is in a closed period:
$got"
[ "$(state_values 1003)" = "cc=3 cu= du= shift=1 pst=1 10=100" ] || fail "1003 was not sent: $(state_values 1003)"
R=$OUT/a.json
[ "$(jq -r '[.records[] | select(.employee.number == 1002 and .period.number == 11) | .outcome] | join(",")' "$R")" = not_sent ] ||
    fail "report: 1002's November record is not 'not_sent'"
[ "$(jq '.totals.records.created' "$R")" = 1 ] || fail "report: expected 1 created"

# ---- a bad cell holds back its employment only
sim_reset
cat >"$SIM_DIR/two.csv" <<'EOF'
Personeelsnr,Dienstverband,Uren
1007,1,150
1007,1,"7,5x"
1007,2,20
EOF
cat >"$SIM_DIR/two.json" <<'EOF'
{
  "input": { "type": "csv", "delimiter": ",", "decimalSeparator": ".", "headerRow": 1 },
  "layout": "wide",
  "employee": { "employeeNumber": "Personeelsnr", "payrollId": "Dienstverband" },
  "employer": { "clientNumber": "40101" },
  "components": [ { "column": "Uren", "component": 10 } ]
}
EOF
li apply "$SIM_DIR/two.csv" -m "$SIM_DIR/two.json" --period 2026-11 --allow-partial --report "$OUT/b.json"
[ "$LI_RC" = 1 ] || { cat "$SIM_DIR/li.out" "$SIM_DIR/li.err"; fail "apply --allow-partial (two employments): exit $LI_RC, expected 1"; }
[ "$(state_values 1007)" = "cc=1 cu= du= shift=1 pst=1 10=20" ] ||
    fail "1007: expected only the second employment's 20 hours, got: $(state_values 1007)"
R=$OUT/b.json
[ "$(jq -r '[.records[] | select(.employee.number == 1007) | "\(.employment.payroll_id)=\(.outcome)"] | sort | join(",")' "$R")" = "1=not_sent,2=created" ] ||
    fail "report: 1007's outcomes: $(jq -c '[.records[] | select(.employee.number == 1007) | [.employment.payroll_id, .outcome]]' "$R")"
stop_sim
echo "allow_partial_scope: ok"
