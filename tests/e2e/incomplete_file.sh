#!/bin/sh
# incomplete_file.sh: a file that stops part-way (here: "decimalSeparator": "auto" and a decimal
# point after the decimal commas) gets nothing sent, not even with --allow-partial: the records
# it fed may lack rows past the point where it stopped (they say so), and its unread rows may
# belong to any employment, so the employments of the complete file wait too (they say why).
# validate names the file and both cells, and exits 2.
# sim-modes: both
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh"
start_import_sim
OUT=$SIM_DIR/reports
mkdir -p "$OUT"

printf 'Nr;Uren\n1001;8,5\n1002;7,25\n' >"$SIM_DIR/good.csv"
# row 2 (1005) decides the decimal comma; row 3 (1003) is read and summed; row 4 shows a
# decimal point: the file stops there; row 5 (1003 again) is never read, so 1003's 8 is
# incomplete. The error itself points at row 2, so only the incomplete mark stops 1003.
printf 'Nr;Uren\n1005;7,5\n1003;8\n1004;7.5\n1003;2,5\n' >"$SIM_DIR/bad.csv"
cat >"$SIM_DIR/m.json" <<'EOF'
{
  "name": "incomplete",
  "input": { "type": "csv", "headerRow": 1 },
  "layout": "wide",
  "employee": { "employeeNumber": "Nr" },
  "employer": { "clientNumber": 40101 },
  "period": { "source": "fixed", "value": "2026-11" },
  "components": [ { "column": "Uren", "component": 10 } ],
  "aggregate": "sum"
}
EOF

"$IMPORT_BIN" validate "$SIM_DIR/good.csv" "$SIM_DIR/bad.csv" -m "$SIM_DIR/m.json" --json \
    >"$SIM_DIR/li.out" 2>"$SIM_DIR/li.err"
rc=$?
[ "$rc" = 2 ] || fail "validate of a file that stops part-way: exit $rc, expected 2"
jq -e '.errors | map(select(.message | test("cannot tell the decimal separator")
        and test("row 4"))) | length == 1' "$SIM_DIR/li.out" >/dev/null ||
    fail "validate should name both conventions' cells: $(jq -c .errors "$SIM_DIR/li.out")"
jq -e '.files[1].readToEnd == false and .files[1].rowsUsed == 2' "$SIM_DIR/li.out" >/dev/null ||
    fail "bad.csv should be read up to row 3: $(jq -c '.files[1]' "$SIM_DIR/li.out")"

li apply "$SIM_DIR/good.csv" "$SIM_DIR/bad.csv" -m "$SIM_DIR/m.json" --report "$OUT/strict.json"
[ "$LI_RC" = 2 ] || fail "strict apply: exit $LI_RC, expected 2"
[ "$(patch_count)" = 0 ] || fail "strict apply sent something"

li apply "$SIM_DIR/good.csv" "$SIM_DIR/bad.csv" -m "$SIM_DIR/m.json" --allow-partial \
    --report "$OUT/partial.json"
[ "$LI_RC" = 2 ] || { cat "$SIM_DIR/li.err"; fail "apply --allow-partial with a stopped file: exit $LI_RC, expected 2"; }
[ "$(patch_count)" = 0 ] || fail "apply --allow-partial with a stopped file sent $(patch_count) records"
R=$OUT/partial.json
outcome() { jq -r --argjson n "$1" '[.records[] | select(.employee.number == $n) | .outcome] | join(",")' "$R"; }
msgs() { jq -r --argjson n "$1" '.records[] | select(.employee.number == $n) | .messages[].description' "$R"; }
# 1001 was only in the complete file, yet bad.csv's unread rows could have been its too
[ "$(outcome 1001)" = not_sent ] || fail "1001 must not be sent: $(outcome 1001)"
msgs 1001 | grep -q "bad.csv could not be read to its end, and its unread rows may belong to any employment" ||
    fail "1001's record should say why: $(msgs 1001)"
[ "$(outcome 1003)" = rejected ] || fail "1003 fed by the stopped file: $(outcome 1003)"
msgs 1003 | grep -q "bad.csv could not be read to its end: component 10 may lack rows" ||
    fail "1003's record should say why: $(msgs 1003)"
[ "$(outcome 1005)" = rejected ] || fail "1005 (the row the error names): $(outcome 1005)"
[ -z "$(outcome 1004)" ] || fail "1004's row stopped the file and cannot be in the report as a record"

# the same files without the broken one: --allow-partial sends as usual
li apply "$SIM_DIR/good.csv" -m "$SIM_DIR/m.json" --allow-partial --report "$OUT/good.json"
[ "$LI_RC" = 0 ] || { cat "$SIM_DIR/li.err"; fail "apply of the complete file: exit $LI_RC"; }
[ "$(patch_count)" = 2 ] || fail "apply of the complete file sent $(patch_count) records, expected 2"
state_values 1001 | grep -q "10=8.5" || fail "1001's hours not stored: $(state_values 1001)"
echo "incomplete_file: ok"
