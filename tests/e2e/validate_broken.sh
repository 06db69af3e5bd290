#!/bin/sh
# validate on broken inputs: each case must exit 2 and report its error at the expected file,
# row and column, with the expected words. Also: the JSON document keeps its shape on errors.
set -u
BUILD=${LOKET_BUILD:-build}
BIN="$BUILD/loket-import"
B=tests/data/broken
M=mappings
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

# case NAME FILE MAPPING ROW COLUMN MESSAGE-FRAGMENT [EXTRA ARGS...]
# ROW and COLUMN are JSON values: 3, "D", null. The error's file must end with FILE's name
# (or the mapping's, for mapping errors).
case_() {
    name=$1 file=$2 mapping=$3 row=$4 col=$5 msg=$6
    shift 6
    out="$tmp/$name.json"
    timeout 30 "$BIN" validate "$file" -m "$mapping" --json "$@" >"$out" 2>"$tmp/$name.err"
    st=$?
    if [ "$st" -ne 2 ]; then
        echo "FAIL $name: exit $st, expected 2"; cat "$out" "$tmp/$name.err"; fails=$((fails + 1)); return
    fi
    case "$name" in mapping-*) want=$(basename "$mapping") ;; *) want=$(basename "$file") ;; esac
    if ! jq -e --arg f "$want" --argjson r "$row" --argjson c "$col" --arg m "$msg" \
        '[.errors[] | select((.file | endswith($f)) and .row == $r and .column == $c
                             and (.message | contains($m)))] | length == 1' "$out" >/dev/null; then
        echo "FAIL $name: no error at $want row $row column $col containing \"$msg\""
        jq -c '.errors' "$out"; fails=$((fails + 1)); return
    fi
    # the document keeps its shape
    if ! jq -e '(.entries | type) == "array" and (.summary.errors == (.errors | length))' \
        "$out" >/dev/null; then
        echo "FAIL $name: JSON shape"; fails=$((fails + 1)); return
    fi
    echo "ok   $name"
}

U=$M/uren-maand-excel.json
case_ bad-number $B/bad-number.csv $U 3 '"D"' '"7,5x" is not a number' --period 2026-11
case_ mixed-conventions $B/mixed-conventions.csv $U 2 '"D"' 'cannot tell the decimal separator' --period 2026-11
case_ missing-employee $B/missing-employee.csv $U 3 '"A"' 'employee number missing' --period 2026-11
case_ bad-employee-number $B/bad-employee-number.csv $U 3 '"A"' '"10O2" is not a whole number' --period 2026-11
case_ duplicate-row $B/duplicate-row.csv $U 3 '"D"' 'repeats row 2' --period 2026-11
case_ missing-column $B/missing-column.csv $U 1 null 'column "Reiskm"' --period 2026-11
case_ negative-in-parentheses $B/negative-in-parentheses.csv $U 3 '"D"' 'write negative values as -3,25' --period 2026-11
case_ duration-in-number-column $B/duration-in-number-column.csv $U 2 '"D"' '"format": "duration"' --period 2026-11
case_ bad-payroll-id $B/bad-payroll-id.csv $U 3 '"B"' 'payrollId' --period 2026-11
case_ empty $B/empty.csv $U 1 null 'ends before reaching header row 1' --period 2026-11
T=$M/loket-template.json
case_ template-date-in-value $B/template-date-in-value.csv $T 7 '"D"' '"31-11-2026" is not a number' --period 2026-11
case_ template-no-component-numbers $B/template-no-component-numbers.csv $T 5 null 'no component numbers'
case_ template-too-short $B/template-too-short.csv $T 5 null 'ends before reaching header row 5'
D=$B/mapping-datum.json
case_ impossible-date $B/impossible-date.csv $D 3 '"D"' '"31-11-2026" is not a valid date' --period 2026-11
case_ date-outside-month $B/date-outside-month.csv $D 3 '"D"' 'outside the period 2026-11' --period 2026-11
L=$M/variabele-gegevens-lang.json
case_ bad-period $B/bad-period.csv $L 3 '"B"' '"2026-13" is not a period'
case_ unknown-component-code $B/unknown-component-code.csv $L 3 '"C"' '"UREN" is not a component'
case_ value-without-component $B/value-without-component.csv $L 2 '"C"' 'no component, but a value'
W=$M/meerdere-werkgevers.json
case_ bad-client-number $B/bad-client-number.csv $W 3 '"A"' 'client number'
case_ comma-in-point-file $B/comma-in-point-file.csv $W 2 '"F"' 'decimal point'
case_ percent-in-number-column $B/percent-in-number-column.csv $W 2 '"G"' 'is a percentage'
case_ unterminated-quote $B/unterminated-quote.csv $W 2 null 'quoted field'
case_ mapping-unknown-key $B/bad-number.csv $B/mapping-unknown-key.json null null 'components[0].scael: unknown key; did you mean "scale"?'
case_ mapping-syntax-error $B/bad-number.csv $B/mapping-syntax-error.json 4 null 'not valid JSON'
case_ missing-file $B/no-such-file.csv $U null null 'cannot open' --period 2026-11

# the rows around an error are still read: nothing else is lost
jq -e '.summary.rowsRead == 2 and (.entries | length) == 1 and .entries[0].value == 160' \
    "$tmp/bad-number.json" >/dev/null || { echo "FAIL bad-number: other rows"; fails=$((fails + 1)); }

# the text output names file, row, column and header in one line
"$BIN" validate $B/bad-number.csv -m $U --period 2026-11 -q >"$tmp/text.out" 2>&1
grep -q 'bad-number.csv:3: column D "Uren gewerkt": "7,5x" is not a number' "$tmp/text.out" ||
    { echo "FAIL text output"; cat "$tmp/text.out"; fails=$((fails + 1)); }

# command-line errors exit 64 (usage); a --period the mapping cannot take, 3
"$BIN" validate $B/bad-number.csv >/dev/null 2>&1
[ $? -eq 64 ] || { echo "FAIL: missing -m should exit 64"; fails=$((fails + 1)); }
"$BIN" validate $B/bad-number.csv -m $U --period 2026-13 >/dev/null 2>&1
[ $? -eq 64 ] || { echo "FAIL: bad --period should exit 64"; fails=$((fails + 1)); }
"$BIN" validate $B/bad-number.csv -m $U --no-such-option >/dev/null 2>&1
[ $? -eq 64 ] || { echo "FAIL: an unknown option should exit 64"; fails=$((fails + 1)); }
"$BIN" validate $B/bad-period.csv -m $L --period 2026-11 >/dev/null 2>&1
[ $? -eq 3 ] || { echo "FAIL: --period with a period column should exit 3"; fails=$((fails + 1)); }
"$BIN" validate --help | grep -q 'Exit codes' || { echo "FAIL: --help"; fails=$((fails + 1)); }

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "validate_broken: all cases ok"
