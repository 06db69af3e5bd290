#!/bin/sh
# engine_default_key.sh: rows that leave the cost center blank (the employment's default) and
# rows naming that default's code are one Loket record: their values add up exactly and the sum
# is rounded once (docs/mappings.md, recordKey and round), not refused and not rounded per
# spelling. A code other than the default stays a record of its own.
# sim-modes: both
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh"
start_import_sim
OUT=$SIM_DIR/reports
mkdir -p "$OUT"

# 1004's default cost center is PROD (key 1), 1005's is VERK (key 2): see samples/loket-fixture.json
cat >"$SIM_DIR/key.csv" <<'EOF'
Klant,Periode,Personeelsnr,Kostenplaats,Minuten
40101,2026-11,1004,,10
40101,2026-11,1004,PROD,10
40101,2026-11,1005,,10
40101,2026-11,1005,PROD,10
EOF
cat >"$SIM_DIR/key.json" <<'EOF'
{
  "name": "default-key",
  "input": { "type": "csv", "delimiter": ",", "decimalSeparator": ".", "thousandsSeparator": "none", "headerRow": 1 },
  "layout": "wide",
  "employee": { "employeeNumber": "Personeelsnr" },
  "employer": { "column": "Klant" },
  "period": { "source": "column", "column": "Periode" },
  "recordKey": { "costCenter": { "column": "Kostenplaats", "by": "code" } },
  "components": [ { "column": "Minuten", "component": 10, "divideBy": 60, "round": 2 } ]
}
EOF

li apply "$SIM_DIR/key.csv" -m "$SIM_DIR/key.json" --report "$OUT/apply.json"
[ "$LI_RC" = 0 ] || { cat "$SIM_DIR/li.out" "$SIM_DIR/li.err"; fail "apply: exit $LI_RC, expected 0"; }
# 20 minutes in one record: 0.33, not 0.17 + 0.17 (each spelling rounded on its own)
got=$(state_values 1004)
[ "$got" = "cc=1 cu= du= shift=1 pst=1 10=0.33" ] || fail "1004 in Loket: $got
expected one record of 0.33 on cost center 1 (PROD)"
got=$(state_values 1005 | tr '\n' ';')
[ "$got" = "cc=1 cu= du= shift=1 pst=1 10=0.17;cc=2 cu= du= shift=1 pst=1 10=0.17;" ] ||
    fail "1005 in Loket: $got
expected 0.17 on PROD and 0.17 on its default VERK"
n=$(jq '[.records[] | select(.employee.number == 1004)] | length' "$OUT/apply.json")
[ "$n" = 1 ] || fail "report: $n records of 1004, expected 1"
jq -e '.records[] | select(.employee.number == 1004) | .outcome == "created"' "$OUT/apply.json" >/dev/null ||
    fail "1004's record is not created: $(jq -c '.records[] | select(.employee.number == 1004)' "$OUT/apply.json")"

# a second apply finds the record unchanged and sends nothing
before=$(patch_count)
li apply "$SIM_DIR/key.csv" -m "$SIM_DIR/key.json" --report "$OUT/again.json"
[ "$LI_RC" = 0 ] || { cat "$SIM_DIR/li.out"; fail "second apply: exit $LI_RC"; }
[ "$(patch_count)" = "$before" ] || fail "second apply sent something"
jq -e '[.records[] | select(.employee.number == 1004) | .outcome] == ["unchanged"]' "$OUT/again.json" >/dev/null ||
    fail "second apply: 1004 not one unchanged record"
echo "engine_default_key: ok"
