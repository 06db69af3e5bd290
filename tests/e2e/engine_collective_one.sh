#!/bin/sh
# engine_collective_one.sh: a collective call of one record answered 200 stored that record:
# multi-patch endpoints answer 200 only when at least one action succeeded
# (reference/API-NOTES.md), so it needs no read-back, also when the answer names no record
# (loket-sim --strict-minimal: no _embedded) and the record holds only a supplement, whose
# stored value a read-back cannot compare. And in a call of several records whose answer names
# none of them, a record of supplements only that Loket did not have before is told by the
# read-back from whether Loket has it now: stored (created) or refused (rejected).
# sim-modes: both
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh"
start_import_sim
OUT=$SIM_DIR/reports
mkdir -p "$OUT"

cat >"$SIM_DIR/sup.csv" <<'EOF'
Klant,Periode,Personeelsnr,Reiskosten
40101,2026-11,1004,2
40101,2026-11,1005,3
EOF
cat >"$SIM_DIR/sup.json" <<'EOF'
{
  "name": "supplement",
  "input": { "type": "csv", "delimiter": ",", "decimalSeparator": ".", "thousandsSeparator": "none", "headerRow": 1 },
  "layout": "wide",
  "employee": { "employeeNumber": "Personeelsnr" },
  "employer": { "column": "Klant" },
  "period": { "source": "column", "column": "Periode" },
  "components": [ { "column": "Reiskosten", "component": 21, "isSupplement": true } ]
}
EOF
li apply "$SIM_DIR/sup.csv" -m "$SIM_DIR/sup.json" --collective=1 --report "$OUT/apply.json"
[ "$LI_RC" = 0 ] || { cat "$SIM_DIR/li.out"; fail "apply --collective=1: exit $LI_RC, expected 0"; }
got=$(jq -r '[.records[] | "\(.employee.number)=\(.outcome)"] | sort | join(" ")' "$OUT/apply.json")
[ "$got" = "1004=created 1005=created" ] || fail "outcomes: $got"
[ "$(sim_count PATCH "$PPD_COLL")" = 2 ] || fail "expected 2 collective calls, got $(sim_count PATCH "$PPD_COLL")"
v=$(state_values 1004 | sed 's/.* //')
[ "$v" = "21=2" ] || fail "1004 in Loket: $v"

# two records of supplements only of one employment in one call; Loket refuses the one in a
# closed period (2026-10), and its message names the employment, which does not tell which of
# the two (the plan leaves the rules to Loket: test hook)
sim_reset
cat >"$SIM_DIR/two.csv" <<'EOF'
Klant,Periode,Personeelsnr,Reiskosten
40101,2026-11,1004,2
40101,2026-10,1004,3
EOF
LOKET_IMPORT_SKIP_PRECHECKS=1 li apply "$SIM_DIR/two.csv" -m "$SIM_DIR/sup.json" --collective \
    --allow-partial --report "$OUT/two.json"
got=$(jq -r '[.records[] | "\(.employee.number)/\(.period.input)=\(.outcome)"] | sort | join(" ")' "$OUT/two.json")
[ "$got" = "1004/2026-10=rejected 1004/2026-11=created" ] || { cat "$SIM_DIR/li.out"; fail "two in one call: $got (exit $LI_RC)"; }
v=$(state_values 1004 | sed 's/.* //')
[ "$v" = "21=2" ] || fail "1004 in Loket after the call of two: $v"
[ -z "$(state_values 1004 202610)" ] || fail "1004 holds a record in the closed period"
echo "engine_collective_one: ok"
