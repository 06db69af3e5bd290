#!/bin/sh
# input_accounting.sh: nothing in an input file is dropped without a word, in validate, plan,
# apply and their reports. Blank lines and lines of only delimiters are counted and listed, and
# every report keeps "rows read = rows in records + rows with issues", also for a run that
# stopped before its plan. A file without data rows (header only, a single line "x") is an
# error unless --allow-empty. A file cut off in its last record (no final line break, fewer
# fields) sends nothing. A value under a mistyped component number (1O for 10) is an error that
# plan and apply show, and --allow-partial does not send that employee without those hours.
# A totals row that disagrees with the rows above stops the run and names both numbers.
# sim-modes: both
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh"
start_import_sim
OUT=$SIM_DIR/reports
mkdir -p "$OUT"
# every check runs, so one run shows each case that fails

cat >"$SIM_DIR/m.json" <<'EOF'
{
  "name": "accounting",
  "input": { "type": "csv", "headerRow": 1, "decimalSeparator": "," },
  "layout": "wide",
  "employee": { "employeeNumber": "Nr" },
  "employer": { "clientNumber": 40101 },
  "period": { "source": "fixed", "value": "2026-11" },
  "components": [ { "column": "Uren", "component": 10 }, { "column": "Km", "component": 20 } ]
}
EOF
# rule: every report accounts for every row
accounted() {
    jq -e '.run.rows_read == .totals.rows_in_records + .totals.rows_in_issues and
           .run.rows_read > 0' "$1" >/dev/null ||
        bad "$2: rows not accounted for: $(jq -c '[.run.rows_read, .totals.rows_in_records,
              .totals.rows_in_issues]' "$1")"
}

# --- blank lines and ;;; lines: counted, listed, in every report
printf 'Nr;Naam;Uren;Km\r\n1001;A;8;120\r\n\r\n;;;\r\n1002;"B\r\nde";8;5,5\r\n\r\n1003;C;8;\r\n' \
    >"$SIM_DIR/blank.csv"
"$IMPORT_BIN" validate "$SIM_DIR/blank.csv" -m "$SIM_DIR/m.json" --json >"$SIM_DIR/v.json" \
    2>/dev/null
[ $? = 0 ] || bad "validate of a file with blank lines: exit $?"
jq -e '.files[0] | .rowsRead == 6 and .rowsUsed == 3 and .rowsBlank == 3 and
       .rowsRead == .rowsUsed + .rowsSkipped + .rowsBlank + .rowsWithErrors' "$SIM_DIR/v.json" \
    >/dev/null || bad "validate counts: $(jq -c '.files[0]' "$SIM_DIR/v.json")"
jq -e '[.skipped[] | "\(.row)-\(.lastRow):\(.message)"] ==
       ["3-4:skipped: blank rows", "7-null:skipped: blank row"]' \
    "$SIM_DIR/v.json" >/dev/null || bad "blank rows listed: $(jq -c .skipped "$SIM_DIR/v.json")"
li plan "$SIM_DIR/blank.csv" -m "$SIM_DIR/m.json" --report "$OUT/blank-plan.json"
[ "$LI_RC" = 0 ] || { cat "$SIM_DIR/li.err"; bad "plan with blank lines: exit $LI_RC"; }
accounted "$OUT/blank-plan.json" "plan with blank lines"
jq -e '[.issues[] | select(.outcome == "skipped") | "\(.row)-\(.last_row)"] == ["3-4", "7-7"]' \
    "$OUT/blank-plan.json" >/dev/null ||
    bad "plan report lists the blank rows: $(jq -c .issues "$OUT/blank-plan.json")"
grep -q "6 input rows\|6 rows" "$SIM_DIR/li.out" ||
    bad "terminal summary should count the 6 rows: $(cat "$SIM_DIR/li.out")"

# --- a run that stops before its plan (never signed in) still accounts for its rows
sed "s|\"tokenStore\": \"[^\"]*\"|\"tokenStore\": \"$SIM_DIR/none.json\"|" "$SIM_DIR/config.json" \
    >"$SIM_DIR/bad.json"
"$IMPORT_BIN" apply --config "$SIM_DIR/bad.json" "$SIM_DIR/blank.csv" -m "$SIM_DIR/m.json" \
    --report "$OUT/stopped.json" >"$SIM_DIR/stopped.out" 2>&1
rc=$?
[ "$rc" = 3 ] || bad "apply without a sign-in: exit $rc, expected 3: $(cat "$SIM_DIR/stopped.out")"
accounted "$OUT/stopped.json" "stopped run"
jq -e '[.records[].outcome] | unique == ["not_sent"]' "$OUT/stopped.json" >/dev/null ||
    bad "stopped run's records: $(jq -c '[.records[].outcome]' "$OUT/stopped.json")"
[ "$(patch_count)" = 0 ] || bad "a stopped run sent something"

# --- files without data rows
printf 'Nr;Naam;Uren;Km\n' >"$SIM_DIR/header.csv"
printf 'x' >"$SIM_DIR/x.csv"
for f in header x; do
    "$IMPORT_BIN" validate "$SIM_DIR/$f.csv" -m "$SIM_DIR/m.json" >"$SIM_DIR/v.out" 2>&1
    rc=$?
    [ "$rc" = 2 ] || bad "validate $f.csv: exit $rc, expected 2"
    grep -q "no data rows" "$SIM_DIR/v.out" || bad "validate $f.csv: $(cat "$SIM_DIR/v.out")"
    li apply "$SIM_DIR/$f.csv" -m "$SIM_DIR/m.json" --report "$OUT/$f.json"
    [ "$LI_RC" = 2 ] || bad "apply $f.csv: exit $LI_RC, expected 2"
    jq -e '[.issues[] | select(.outcome == "rejected") | .message] | any(test("no data rows"))' \
        "$OUT/$f.json" >/dev/null || bad "apply $f.csv report: $(jq -c .issues "$OUT/$f.json")"
    grep -q "no data rows" "$SIM_DIR/li.out" "$SIM_DIR/li.err" ||
        bad "apply $f.csv should say so on the terminal"
done
"$IMPORT_BIN" validate "$SIM_DIR/header.csv" -m "$SIM_DIR/m.json" --allow-empty >/dev/null 2>&1 ||
    bad "validate --allow-empty of a header-only file should pass"
li apply "$SIM_DIR/header.csv" -m "$SIM_DIR/m.json" --allow-empty
[ "$LI_RC" = 0 ] || bad "apply --allow-empty of a header-only file: exit $LI_RC"

# --- a file cut off in its last record: 805,6 km became 80, the totals row is gone
printf 'Nr;Naam;Uren;Km;Toeslag\n1001;A;8;120;1\n1002;B;8;805,6;1\n;Totaal;16;925,6;2\n' \
    >"$SIM_DIR/whole.csv"
printf 'Nr;Naam;Uren;Km;Toeslag\n1001;A;8;120;1\n1002;B;8;80' >"$SIM_DIR/cut.csv"
"$IMPORT_BIN" validate "$SIM_DIR/cut.csv" -m "$SIM_DIR/m.json" --json >"$SIM_DIR/v.json" 2>/dev/null
rc=$?
[ "$rc" = 2 ] || bad "validate of a cut-off file: exit $rc, expected 2"
jq -e '.errors | map(select(.row == 3 and (.message | test("cut off")))) | length == 1' \
    "$SIM_DIR/v.json" >/dev/null || bad "cut-off row named: $(jq -c .errors "$SIM_DIR/v.json")"
jq -e '.files[0].readToEnd == false' "$SIM_DIR/v.json" >/dev/null || bad "cut file read to its end?"
li apply "$SIM_DIR/cut.csv" -m "$SIM_DIR/m.json" --allow-partial --report "$OUT/cut.json"
[ "$LI_RC" = 2 ] || bad "apply --allow-partial of a cut-off file: exit $LI_RC, expected 2"
[ "$(patch_count)" = 0 ] || bad "a cut-off file sent $(patch_count) records"
accounted "$OUT/cut.json" "cut-off apply"

# --- a totals row that does not match stops the run, naming the column and both numbers
sed 's/"decimalSeparator": ","/"decimalSeparator": ",", "totalsRow": {"column": "Naam", "matches": "Totaal"}/' \
    "$SIM_DIR/m.json" >"$SIM_DIR/mt.json"
"$IMPORT_BIN" validate "$SIM_DIR/whole.csv" -m "$SIM_DIR/mt.json" >/dev/null 2>&1 ||
    bad "validate: a matching totals row is no error"
sed 's/^1002;B;8;805,6/1002;B;8;805/' "$SIM_DIR/whole.csv" >"$SIM_DIR/off.csv"
li apply "$SIM_DIR/off.csv" -m "$SIM_DIR/mt.json" --allow-partial --report "$OUT/off.json"
[ "$LI_RC" = 2 ] || bad "apply with a wrong totals row: exit $LI_RC, expected 2"
jq -e '[.issues[] | select(.outcome == "rejected" and .row == 4 and .column == "D")
        | .message] | any(test("\"925,6\" \\(925.6\\), but the rows above add up to 925 "))' \
    "$OUT/off.json" >/dev/null || bad "totals mismatch: $(jq -c .issues "$OUT/off.json")"
[ "$(patch_count)" = 0 ] || bad "a file failing its totals sent $(patch_count) records"

# --- the terminal's component totals count only what was sent: a strict apply with an error
printf 'Nr;Naam;Uren;Km\n1001;A;8;120\n1003;C;9;\n1002;B;7,5x;\n' >"$SIM_DIR/strict.csv"
li apply "$SIM_DIR/strict.csv" -m "$SIM_DIR/m.json" --report "$OUT/strict.json"
[ "$LI_RC" = 2 ] || bad "strict apply with a bad cell: exit $LI_RC, expected 2"
! grep -q '^  10 Uren gewerkt' "$SIM_DIR/li.out" ||
    bad "terminal totals count records that were not sent: $(cat "$SIM_DIR/li.out")"
grep -q "2 other records not counted" "$SIM_DIR/li.out" ||
    bad "terminal should say the unsent records are not counted: $(cat "$SIM_DIR/li.out")"
li apply "$SIM_DIR/cut.csv" -m "$SIM_DIR/mt.json" --report "$OUT/cut2.json"
[ "$LI_RC" = 2 ] || bad "apply of a cut-off file with totalsRow: exit $LI_RC"

# --- Loket's template with a mistyped component number: 1002's 2 hours under "1O"
sim_reset
T=$SIM_DIR/template.csv
printf 'Template voor importeren variabele gegevens\nWerkgever;Bakkerij;;Loonheffingennummer;40101\nPeriode;november 2026\n;;;Uren gewerkt;Overuren 125%%;Overuren 150%%\nPersoneelsnummer;Naam;Dienstverband;10;11;1O\n1001;A;1;150;;\n1002;B;1;144;;2\n' >"$T"
li plan "$T" -m "$(mapping loket-template.json)" --employer 40101 --period 2026-11 \
    --report "$OUT/typo.json"
[ "$LI_RC" = 2 ] || bad "plan of a template with a value under 1O: exit $LI_RC, expected 2"
jq -e '[.records[] | select(.employee.number == 1002)] == [] and
       ([.issues[] | select(.outcome == "rejected" and .row == 7 and .column == "F") | .message]
        | any(test("\"1O\", which is not a component number")))' "$OUT/typo.json" >/dev/null ||
    bad "1002's row should be rejected, naming 1O: $(jq -c '.issues' "$OUT/typo.json")"
grep -q 'warning: .*ignored column F: header "1O" is not a component number (1 value below it)' \
    "$SIM_DIR/li.out" || bad "plan's terminal summary should name 1O: $(cat "$SIM_DIR/li.out")"
jq -e '.run.warnings | any(test("ignored column F: header \"1O\""))' "$OUT/typo.json" >/dev/null ||
    bad "the plan's report should warn about 1O: $(jq -c .run.warnings "$OUT/typo.json")"
li apply "$T" -m "$(mapping loket-template.json)" --employer 40101 --period 2026-11 \
    --allow-partial --report "$OUT/typo-apply.json"
[ "$LI_RC" = 1 ] || bad "apply --allow-partial with 1O: exit $LI_RC, expected 1"
[ "$(patch_count)" = 1 ] || bad "only 1001 may be sent, $(patch_count) records were"
! state_values 1002 | grep -q "10=144" ||
    bad "1002 was sent without the hours under 1O: $(state_values 1002)"
state_values 1001 | grep -q "10=150" || bad "1001 not stored: $(state_values 1001)"
accounted "$OUT/typo-apply.json" "apply with 1O"

# --- an employee named by employment id: a bad row of it holds back its other rows too
sim_reset
E1001=$(employment_ids 1001 | head -n 1)
cat >"$SIM_DIR/mid.json" <<'EOF'
{
  "name": "by employment id",
  "input": { "type": "csv", "headerRow": 1, "decimalSeparator": "," },
  "layout": "wide",
  "employee": { "employmentId": "Dienstverband-id" },
  "employer": { "clientNumber": 40101 },
  "period": { "source": "fixed", "value": "2026-11" },
  "components": [ { "column": "Uren", "component": 10 } ]
}
EOF
printf 'Dienstverband-id;Uren\n%s;100\n%s;7,5x\n' "$E1001" "$E1001" >"$SIM_DIR/mid.csv"
li apply "$SIM_DIR/mid.csv" -m "$SIM_DIR/mid.json" --allow-partial --report "$OUT/mid.json"
[ "$(patch_count)" = 0 ] || bad "an employment with a bad row was sent ($(patch_count) records)"
jq -e '[.records[].outcome] == ["not_sent"]' "$OUT/mid.json" >/dev/null ||
    bad "the employment's good row should be not sent: $(jq -c '[.records[].outcome]' "$OUT/mid.json")"

# --- a bad client number in an employee's row: that employee is held back in every employer
sim_reset
cat >"$SIM_DIR/mcl.json" <<'EOF'
{
  "name": "employer per row",
  "input": { "type": "csv", "headerRow": 1, "decimalSeparator": "," },
  "layout": "wide",
  "employee": { "employeeNumber": "Nr" },
  "employer": { "column": "Klant" },
  "period": { "source": "fixed", "value": "2026-11" },
  "components": [ { "column": "Uren", "component": 10 } ]
}
EOF
printf 'Klant;Nr;Uren\n40101;1001;100\n4O101;1001;5\n40101;1002;100\n' >"$SIM_DIR/mcl.csv"
li apply "$SIM_DIR/mcl.csv" -m "$SIM_DIR/mcl.json" --allow-partial --report "$OUT/mcl.json"
[ "$(patch_count)" = 1 ] || bad "only 1002 may be sent, $(patch_count) records were"
jq -e '[.records[] | select(.employee.number == 1001) | .outcome] == ["not_sent"]' "$OUT/mcl.json" \
    >/dev/null || bad "1001 with a bad client number in a row: $(jq -c '[.records[] | [.employee.number, .outcome]]' "$OUT/mcl.json")"

# --- blank lines after the last data row are physical lines too: counted and listed (CSV with
# empty, ;;; and space-only lines, CRLF; XLSX with blank rows the sheet holds), in validate and
# in apply's report
printf 'Nr;Naam;Uren;Km\r\n1001;A;8;120\r\n1002;B;8;5\r\n\r\n;;;\r\n  \r\n' >"$SIM_DIR/tail.csv"
printf 'Nr;Naam;Uren;Km\n1001;A;8;120\n\n' >"$SIM_DIR/tail1.csv"
printf 'Nr;Naam;Uren;Km\n1001;A;8;120\n;;;' >"$SIM_DIR/tail-unterminated.csv"
printf 'Nr;Naam;Uren;Km\n1001;A;8;120\n1002;B;8;5\n;;;\n;;;\n' |
    /usr/bin/python3 "$LK_ROOT/tests/e2e/write-xlsx.py" "$SIM_DIR/tail.xlsx" Uren || fail "write-xlsx.py"
sed 's/"type": "csv", //' "$SIM_DIR/m.json" >"$SIM_DIR/mx.json"
for t in tail.csv:m:5:2:3:4-6 tail1.csv:m:2:1:1:3-null tail-unterminated.csv:m:2:1:1:3-null \
    tail.xlsx:mx:4:2:2:4-5; do
    f=${t%%:*} r=${t#*:}
    mj=${r%%:*} r=${r#*:}
    nread=${r%%:*} r=${r#*:}
    nused=${r%%:*} r=${r#*:}
    nblank=${r%%:*} span=${r#*:}
    "$IMPORT_BIN" validate "$SIM_DIR/$f" -m "$SIM_DIR/$mj.json" --json >"$SIM_DIR/vt.json" 2>"$SIM_DIR/vt.err"
    [ $? = 0 ] || bad "validate $f: $(cat "$SIM_DIR/vt.err")"
    jq -e --argjson r "$nread" --argjson u "$nused" --argjson b "$nblank" '.files[0] |
           .rowsRead == $r and .rowsUsed == $u and .rowsBlank == $b and
           .rowsRead == .rowsUsed + .rowsSkipped + .rowsBlank + .rowsWithErrors' "$SIM_DIR/vt.json" \
        >/dev/null || bad "validate $f: trailing blank lines not counted: $(jq -c '.files[0] | [.rowsRead, .rowsUsed, .rowsBlank]' "$SIM_DIR/vt.json"), expected [$nread,$nused,$nblank]"
    jq -e --arg s "$span" '[.skipped[] | "\(.row)-\(.lastRow)"] == [$s]' "$SIM_DIR/vt.json" >/dev/null ||
        bad "validate $f: trailing blank lines listed as $(jq -c '[.skipped[] | [.row, .lastRow]]' "$SIM_DIR/vt.json"), expected $span"
    sim_reset
    li apply "$SIM_DIR/$f" -m "$SIM_DIR/$mj.json" --report "$OUT/tail-$f.json"
    [ "$LI_RC" = 0 ] || { cat "$SIM_DIR/li.err"; bad "apply $f: exit $LI_RC"; }
    accounted "$OUT/tail-$f.json" "apply $f"
    jq -e --argjson r "$nread" '.run.rows_read == $r' "$OUT/tail-$f.json" >/dev/null ||
        bad "apply $f: rows_read $(jq .run.rows_read "$OUT/tail-$f.json"), expected $nread"
done

finish
stop_sim
echo "input_accounting: ok"
