#!/bin/sh
# allow_partial_closed.sh: --allow-partial sends only the employments without any error, and a
# row in a closed period is an error of its employment (docs/import.md): 1002's November row
# must stay unsent when its October row falls in the closed period, while 1003 is sent.
# Found by the differential test (tests/differential, seeds 71 and 200).
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
stop_sim
echo "allow_partial_closed: ok"
