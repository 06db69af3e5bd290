#!/bin/sh
# csv_libreoffice.sh: both CSV report styles open right in a real spreadsheet program. A plan
# report (old and new values with decimals: 385.25 -> 160, 1.75, 42.5) is written as
# --csv-style excel-nl (';', decimal comma, BOM, CRLF) and as rfc4180 (',', decimal point), and
# LibreOffice opens each under the matching language (Dutch, English US: the CSV filter's
# language token, which decides how "1,75" is read) and saves it as .xlsx. Every row must have
# the report's columns, nothing split or merged, and every number must land as a number in its
# column. Also: the same Dutch file read as English turns "1,75" into text (the test can fail).
# Skipped (exit 77, with the reason) only when soffice cannot start.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh"

command -v soffice >/dev/null 2>&1 || { echo "SKIP: soffice not installed (libreoffice-calc-nogui)"; exit 77; }
start_import_sim
LO=$SIM_DIR/lo
mkdir -p "$LO/home"
# a private profile: no first-start dialogs, no clash with a running LibreOffice
soffice_run() {
    HOME=$LO/home timeout 120 soffice "-env:UserInstallation=file://$LO/profile" --headless \
        --norestore "$@" >>"$LO/soffice.log" 2>&1
}
if ! soffice_run --version; then
    why=$(tail -n 3 "$LO/soffice.log")
    stop_sim
    echo "SKIP: soffice cannot start: ${why:-no output}"
    exit 77
fi

CSV=$(sample uren-maand-40101-2026-11.csv)
MAP=$(mapping uren-maand-excel.json)
li plan "$CSV" -m "$MAP" --period 2026-11 --csv-style excel-nl --report "$LO/nl.csv" -q
[ "$LI_RC" = 0 ] || { cat "$SIM_DIR/li.err"; fail "plan --csv-style excel-nl: exit $LI_RC"; }
li plan "$CSV" -m "$MAP" --period 2026-11 --csv-style rfc4180 --report "$LO/en.csv" -q
[ "$LI_RC" = 0 ] || { cat "$SIM_DIR/li.err"; fail "plan --csv-style rfc4180: exit $LI_RC"; }

# ---- the bytes: BOM, separator, decimal mark, CRLF
[ "$(head -c 3 "$LO/nl.csv" | od -An -tx1 | tr -d ' ')" = efbbbf ] || fail "excel-nl: no BOM"
tail -c +4 "$LO/nl.csv" | head -n 1 | grep -q '^"outcome";"employer";' || fail "excel-nl: header not ';'-separated"
grep -q '"385,25";"160"' "$LO/nl.csv" || fail "excel-nl: 385.25 -> 160 not with a decimal comma"
grep -q '"1\.75"' "$LO/nl.csv" && fail "excel-nl: a decimal point in a value"
tail -c +4 "$LO/en.csv" | head -n 1 | grep -q '^"outcome","employer",' || fail "rfc4180: header not ','-separated"
grep -q '"385\.25","160"' "$LO/en.csv" || fail "rfc4180: 385.25 -> 160 not with a decimal point"
for f in nl en; do
    lines=$(wc -l <"$LO/$f.csv")
    crlf=$(grep -c "$(printf '\r')\$" "$LO/$f.csv")
    [ "$lines" = "$crlf" ] || fail "$f.csv: $crlf of $lines lines end in CRLF"
done

# ---- LibreOffice: ';' + Dutch (1043), ',' + English US (1033); UTF-8 (76), header line 1
convert() { # csv separator-code language-code out-dir
    soffice_run --infilter="CSV:$2,34,76,1,,$3" --convert-to xlsx --outdir "$4" "$1" ||
        fail "soffice could not convert $1: $(tail -n 5 "$LO/soffice.log")"
    x=$4/$(basename "$1" .csv).xlsx
    [ -s "$x" ] || fail "soffice wrote no $x: $(tail -n 5 "$LO/soffice.log")"
    python3 "$LK_ROOT/tests/e2e/tools/xlsx_cells.py" "$x" >"$4/cells.tsv" || fail "cannot read $x"
}
convert "$LO/nl.csv" 59 1043 "$LO/nl"
convert "$LO/en.csv" 44 1033 "$LO/en"

ncols=$(head -n 1 "$LO/en.csv" | awk -F'","' '{ print NF }')
[ "$ncols" -ge 20 ] || fail "the report has $ncols columns?"
# column numbers (1-based) by header
col() { head -n 1 "$LO/en/cells.tsv" | tr '\t' '\n' | grep -nx "s:$1" | cut -d: -f1; }
for style in nl en; do
    T=$LO/$style/cells.tsv
    [ "$(head -n 1 "$T")" = "$(head -n 1 "$LO/en/cells.tsv")" ] || fail "$style: headers differ"
    # no line has more cells than the header: nothing split into its own column
    awk -F'\t' -v n="$ncols" 'NF > n { exit 1 }' "$T" || fail "$style: a line has more than $ncols cells"
    for name in employee_number old_value new_value component_key client_number period_id; do
        c=$(col "$name")
        [ -n "$c" ] || fail "no column '$name'"
        # every data line that has the value has it as a number
        bad=$(awk -F'\t' -v c="$c" 'NR > 1 && $c != "" && $c !~ /^n:-?[0-9]+(\.[0-9]+)?$/ { print NR ": " $c }' "$T")
        [ -z "$bad" ] || fail "$style: '$name' not a number on lines: $bad"
        n=$(awk -F'\t' -v c="$c" 'NR > 1 && $c ~ /^n:/' "$T" | wc -l)
        case "$name" in old*) min=2 ;; *) min=25 ;; esac
        [ "$n" -ge "$min" ] || fail "$style: only $n numbers in '$name'"
    done
    # the values themselves, not only their type: 1001's Reiskm 385.25 -> 160, 1007's 42.5
    e=$(col employee_number) k=$(col component_key) o=$(col old_value) v=$(col new_value)
    got=$(awk -F'\t' -v e="$e" -v k="$k" -v o="$o" -v v="$v" '$e == "n:1001" && $k == "n:20" { print $o, $v }' "$T")
    [ "$got" = "n:385.25 n:160" ] || fail "$style: 1001 component 20 is '$got'"
    awk -F'\t' -v v="$v" '$v == "n:42.5"' "$T" | grep -q . || fail "$style: 42.5 not a number"
    sum=$(awk -F'\t' -v v="$v" 'NR > 1 && $v ~ /^n:/ { s += substr($v, 3) } END { printf "%.2f", s }' "$T")
    [ "$sum" = "12560.25" ] || fail "$style: the new values sum to $sum, expected 12560.25"
done

# ---- the check can fail: the Dutch file read with English settings keeps 1,75 as text
cp "$LO/nl.csv" "$LO/nl-as-en.csv"
convert "$LO/nl-as-en.csv" 59 1033 "$LO/wrong"
v=$(col new_value)
awk -F'\t' -v v="$v" '$v == "s:1,75"' "$LO/wrong/cells.tsv" | grep -q . ||
    fail "the cross-check did not turn 1,75 into text: the test would not see a wrong file"

# ---- bad input
li plan "$CSV" -m "$MAP" --period 2026-11 --csv-style excel --report "$LO/x.csv"
[ "$LI_RC" != 0 ] && grep -q -- '--csv-style excel: expected excel-nl or rfc4180' "$SIM_DIR/li.err" ||
    fail "--csv-style excel accepted"
[ ! -e "$LO/x.csv" ] || fail "a report was written despite the bad --csv-style"
echo "csv_libreoffice: ok"
