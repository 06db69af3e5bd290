#!/bin/sh
# engine_rules.sh: every business rule, twice. First as the plan checks it before anything is
# sent (employee left, employee unknown, closed period, component not allowed in the
# administration, isSupplement where not allowed, unknown cost center code, a month for a weekly
# administration): each error names the employee, period, component or code, and nothing is sent.
# Then with the checks left to Loket (test hook LOKET_IMPORT_SKIP_PRECHECKS=1) and
# --allow-partial: Loket's own rejections (type, code, description) land on the right records,
# and only the valid record is stored; in Dutch the screen and the spreadsheet name Loket's
# message types in Dutch.
# sim-modes: both
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh"
start_import_sim
OUT=$SIM_DIR/reports
mkdir -p "$OUT"

cat >"$SIM_DIR/rules.csv" <<'EOF'
Klant,Periode,Personeelsnr,Kostenplaats,Uren,Overuren,Bonus
40101,2026-11,1001,PROD,160,,
40101,2026-11,1019,,160,,
40101,2026-11,1999,,8,,
40101,2026-10,1002,,150,,
40201,2026-P47,2001,,38,,100
40201,2026-P47,2002,,38,2,
40101,2026-11,1003,XYZ,100,,
40101,2026-11,1004,,5000,,
EOF
cat >"$SIM_DIR/rules.json" <<'EOF'
{
  "name": "rules",
  "input": { "type": "csv", "delimiter": ",", "decimalSeparator": ".", "thousandsSeparator": "none", "headerRow": 1 },
  "layout": "wide",
  "employee": { "employeeNumber": "Personeelsnr" },
  "employer": { "column": "Klant" },
  "period": { "source": "column", "column": "Periode" },
  "recordKey": { "costCenter": { "column": "Kostenplaats", "by": "code" } },
  "components": [
    { "column": "Uren", "component": 10 },
    { "column": "Overuren", "component": 11, "isSupplement": true },
    { "column": "Bonus", "component": 30 }
  ],
  "aggregate": "sum"
}
EOF
msg_of() { # report employee-number: all messages of that employee's records
    jq -r --argjson n "$2" '.records[] | select(.employee.number == $n) | .messages[] | "\(.type) \(.code // "") \(.description)"' "$1"
}
has() { # report employee-number text
    msg_of "$1" "$2" | grep -qF "$3" || fail "report lacks for $2: $3
got: $(msg_of "$1" "$2")"
}

# ---- the plan's own checks: every rule named, nothing sent
li apply "$SIM_DIR/rules.csv" -m "$SIM_DIR/rules.json" --report "$OUT/checked.json"
[ "$LI_RC" = 2 ] || { cat "$SIM_DIR/li.out"; fail "apply with rule violations: exit $LI_RC, expected 2"; }
[ "$(patch_count)" = 0 ] || fail "apply with rule violations sent something"
R=$OUT/checked.json
has "$R" 1019 "left on 2026-09-30"
has "$R" 1019 "no employment active in period 2026-11"
has "$R" 1999 "employee number 1999 is not known"
has "$R" 1002 "is closed"
has "$R" 2001 "component 30"
has "$R" 2001 "is not allowed in De Linde weekloon"
has "$R" 2002 "component 11 (Overuren 125%) cannot be a supplement"
has "$R" 1003 'cost center "XYZ" is not known in Van den Berg maandloon'
has "$R" 1003 "PROD, VERK, ADM"
[ "$(jq -r '.records[] | select(.employee.number == 1001) | .outcome' "$R")" = not_sent ] ||
    fail "the valid record should be 'not sent' by a strict apply"
# the out-of-range value is for Loket to judge: it passes the plan
[ "$(jq -r '.records[] | select(.employee.number == 1004) | .outcome' "$R")" = not_sent ] ||
    fail "1004 should pass the plan (only Loket knows the component's range)"

# a month for the weekly administration
printf 'Klant,Periode,Personeelsnr,Kostenplaats,Uren,Overuren,Bonus\n40201,2026-11,2001,,38,,\n' >"$SIM_DIR/month.csv"
li plan "$SIM_DIR/month.csv" -m "$SIM_DIR/rules.json" --report "$OUT/month.json"
[ "$LI_RC" = 2 ] || fail "a month for a weekly administration: exit $LI_RC"
has "$OUT/month.json" 2001 "is a month, but De Linde weekloon pays per"

# --employer as a client number keeps the file in that administration: 1101 is an employee of
# the same employer, but of its 4-weekly administration 40102
sed 's/^1001;/1101;/' "$(sample loket-template-40101-2026-11.csv)" >"$SIM_DIR/other-admin.csv"
li plan "$SIM_DIR/other-admin.csv" -m "$(mapping loket-template.json)" --period 2026-11 --employer 40101 \
    --report "$OUT/other-admin.json"
[ "$LI_RC" = 2 ] || fail "an employee of another administration: exit $LI_RC, expected 2"
has "$OUT/other-admin.json" 1101 "in the administration with client number 40101"

# ---- the same file with the checks left to Loket: Loket's messages on the right records
LOKET_IMPORT_SKIP_PRECHECKS=1
export LOKET_IMPORT_SKIP_PRECHECKS
grep -v XYZ "$SIM_DIR/rules.csv" | grep -v 1999 >"$SIM_DIR/rules2.csv"
li apply "$SIM_DIR/rules2.csv" -m "$SIM_DIR/rules.json" --allow-partial --report "$OUT/loket.json"
unset LOKET_IMPORT_SKIP_PRECHECKS
[ "$LI_RC" = 1 ] || { cat "$SIM_DIR/li.out"; fail "apply left to Loket: exit $LI_RC, expected 1"; }
R=$OUT/loket.json
rejected() { jq -r --argjson n "$1" '.records[] | select(.employee.number == $n) | "\(.outcome) \(.http_status)"' "$R"; }
for n in 1019 1002 2001 2002 1004; do
    [ "$(rejected $n)" = "rejected 400" ] || fail "$n: expected rejected with HTTP 400, got $(rejected $n)"
done
has "$R" 1019 "BrokenBusinessRule 1001"
has "$R" 1002 "BrokenBusinessRule 1003"
has "$R" 2001 "BrokenBusinessRule 1004"
has "$R" 2002 "BrokenBusinessRule 1005"
has "$R" 1004 "BrokenBusinessRule 1008"
[ "$(jq -r '.records[] | select(.employee.number == 1001) | .outcome' "$R")" = updated ] || fail "1001 should be updated"
# only 1001 reached Loket's state
[ "$(state_values 1001 | grep -c '10=160')" = 1 ] || fail "1001's value not stored"
[ -z "$(state_values 1004)" ] || fail "1004's rejected value was stored"
[ -z "$(state_values 2002 202647)" ] || fail "2002's rejected record was stored"

# ---- in Dutch, the terminal and the spreadsheet report name Loket's message types in Dutch;
# the JSON report keeps Loket's own word for machines
sim_reset
LOKET_IMPORT_SKIP_PRECHECKS=1
export LOKET_IMPORT_SKIP_PRECHECKS
li apply "$SIM_DIR/rules2.csv" -m "$SIM_DIR/rules.json" --allow-partial --lang nl \
    --report "$OUT/loket-nl.csv" --report "$OUT/loket-nl.json"
unset LOKET_IMPORT_SKIP_PRECHECKS
[ "$LI_RC" = 1 ] || { cat "$SIM_DIR/li.out" "$SIM_DIR/li.err"; fail "Dutch apply left to Loket: exit $LI_RC, expected 1"; }
for f in "$SIM_DIR/li.out" "$OUT/loket-nl.csv"; do
    grep -q 'Bedrijfsregel geschonden 1001: ' "$f" ||
        { cat "$f"; fail "$(basename "$f"): Loket's BrokenBusinessRule 1001 not named in Dutch"; }
    grep -q 'BrokenBusinessRule' "$f" && fail "$(basename "$f"): Loket's English type word on a Dutch screen"
done
has "$OUT/loket-nl.json" 1019 "BrokenBusinessRule 1001"

# ---- the same rejections in collective mode are attributed per item
sim_reset
LOKET_IMPORT_SKIP_PRECHECKS=1
export LOKET_IMPORT_SKIP_PRECHECKS
li apply "$SIM_DIR/rules2.csv" -m "$SIM_DIR/rules.json" --allow-partial --collective=10 --report "$OUT/coll.json"
unset LOKET_IMPORT_SKIP_PRECHECKS
[ "$LI_RC" = 1 ] || fail "collective apply left to Loket: exit $LI_RC"
R=$OUT/coll.json
has "$R" 1019 "BrokenBusinessRule 1001"
has "$R" 1004 "BrokenBusinessRule 1008"
has "$R" 1002 "BrokenBusinessRule 1003"
[ "$(jq -r '.records[] | select(.employee.number == 1001) | .outcome' "$R")" = updated ] ||
    fail "collective: 1001 should be updated, got $(jq -r '.records[] | select(.employee.number == 1001) | .outcome' "$R")"
msg_of "$R" 1001 | grep -q BrokenBusinessRule && fail "collective: another item's rejection attributed to 1001"
[ "$(state_values 1001 | grep -c '10=160')" = 1 ] || fail "collective: 1001's value not stored"
echo "engine_rules: ok"
