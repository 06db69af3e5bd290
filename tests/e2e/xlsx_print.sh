#!/bin/sh
# xlsx_print.sh: the XLSX report prints as a person needs it. A plan of 24 employments x 7
# components (175 detail lines) is written as .xlsx, LibreOffice turns it into a PDF, and the
# PDF is checked as a reader would: every page A4 landscape; the Summary on one page (labels and
# values together); the Details one page wide (first and last visible column on the same page)
# over more than one page, the header row repeated on each, page numbers in the footer; the
# period, the same on every line, said once in the page header in the reader's date form (the
# cells stay date cells), no long decimals; pdftoppm renders every page. (dutch_print.sh checks
# the text size of every page and the reports of the samples.) Skipped (exit 77, with the reason) only when soffice cannot start.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh"

command -v soffice >/dev/null 2>&1 || { echo "SKIP: soffice not installed (libreoffice-calc-nogui)"; exit 77; }
command -v pdfinfo >/dev/null 2>&1 || fail "pdfinfo not installed (poppler-utils; scripts/deps.sh installs it)"
start_import_sim
LO=$SIM_DIR/lo
mkdir -p "$LO/home"
soffice_run() {
    HOME=$LO/home LC_ALL=C.UTF-8 LANG=C.UTF-8 timeout 120 soffice \
        "-env:UserInstallation=file://$LO/profile" --headless --norestore "$@" >>"$LO/soffice.log" 2>&1
}
if ! soffice_run --version; then
    why=$(tail -n 3 "$LO/soffice.log")
    stop_sim
    echo "SKIP: soffice cannot start: ${why:-no output}"
    exit 77
fi

# every employment of 40101 active in November (1019 left in September), all seven components
{
    echo "Personeelsnr;Dienstverband;Naam;Uren gewerkt;Overuren 125%;Overuren 150%;Ziekte-uren;Verlofuren;Reiskm;Ploegentoeslag"
    for n in $(seq 1001 1025); do
        [ "$n" = 1019 ] && continue
        echo "$n;1;X;160;1,75;2,5;8;4;120;12,5"
        [ "$n" = 1007 ] && echo "$n;2;X;40;1;1;1;1;10;1"
    done
} >"$LO/uren.csv"
li plan "$LO/uren.csv" -m "$(mapping uren-maand-excel.json)" --period 2026-11 --report "$LO/plan.xlsx" -q
[ "$LI_RC" = 0 ] || { cat "$SIM_DIR/li.out" "$SIM_DIR/li.err"; fail "plan: exit $LI_RC"; }

# the workbook itself: period dates are date cells (serial numbers), not text
python3 "$LK_ROOT/tests/e2e/tools/xlsx_cells.py" "$LO/plan.xlsx" 2 >"$LO/details.tsv" || fail "cannot read plan.xlsx"
c=$(head -n 1 "$LO/details.tsv" | tr '\t' '\n' | grep -nx 's:Period start' | cut -d: -f1)
[ -n "$c" ] || fail "no Period start column"
[ "$(awk -F'\t' -v c="$c" 'NR > 1 && $c != "n:46327"' "$LO/details.tsv" | wc -l)" = 0 ] ||
    fail "period_start is not the date 2026-11-01 on every line: $(cut -f "$c" "$LO/details.tsv" | sort | uniq -c)"
[ "$(($(wc -l <"$LO/details.tsv") - 1))" = 175 ] || fail "expected 175 detail lines"

soffice_run --convert-to pdf --outdir "$LO" "$LO/plan.xlsx" || fail "soffice: $(tail -n 5 "$LO/soffice.log")"
PDF=$LO/plan.pdf
[ -s "$PDF" ] || fail "no PDF: $(tail -n 5 "$LO/soffice.log")"
pages=$(pdfinfo "$PDF" | awk '/^Pages:/ { print $2 }')
[ "$pages" -ge 3 ] && [ "$pages" -le 9 ] || fail "the report printed on $pages pages (expected 1 summary + 2..8 details)"
# every page A4 landscape: 842 x 595 points
bad=$(pdfinfo -f 1 -l "$pages" "$PDF" | awk '/^Page +[0-9]+ size:/ { if (!($4 > 841 && $4 < 843 && $6 > 594 && $6 < 596)) print $2 ": " $4 "x" $6 }')
[ -z "$bad" ] || fail "pages not A4 landscape: $bad"

page() { pdftotext -layout -f "$1" -l "$1" "$PDF" - 2>/dev/null; }
# page 1: the whole summary, labels with their values
s=$(page 1)
for want in "Input rows read" "Exit code" "Uren gewerkt" "Method" "Page 1 of $pages"; do
    printf '%s\n' "$s" | grep -q "$want" || fail "summary page lacks '$want'"
done
printf '%s\n' "$s" | grep -q 'Input rows read  *25' || fail "summary label and value not on one line"
printf '%s\n' "$s" | grep -Eq '[0-9]\.[0-9]{4,}' && fail "summary shows a number with 4 or more decimals"
# details: one page wide, the header on every page, dates in the reader's form
i=2
while [ "$i" -le "$pages" ]; do
    d=$(page "$i")
    printf '%s\n' "$d" | grep -q '^ *Outcome .*Employee .*New .*Input' ||
        fail "details page $i: the header row (first to last column) is not on it"
    printf '%s\n' "$d" | grep -q "Page $i of $pages" || fail "details page $i: no page number"
    printf '%s\n' "$d" | grep -q '2026-11, 2026-11-01, 2026-11-30' ||
        fail "details page $i: the period is not in the page header"
    i=$((i + 1))
done
page 2 | grep -q '1001 .*Jansen, J\.' || fail "details page 2 does not start with 1001"
page "$pages" | grep -q '1025 .*Kok, T\.' || fail "the last details page does not end with 1025"
# the pages render
pdftoppm -r 40 -png "$PDF" "$LO/page" || fail "pdftoppm could not render the PDF"
[ "$(ls "$LO"/page-*.png | wc -l)" = "$pages" ] || fail "pdftoppm rendered $(ls "$LO"/page-*.png | wc -l) of $pages pages"
[ -n "${XLSX_PRINT_KEEP:-}" ] && cp "$PDF" "$XLSX_PRINT_KEEP"
echo "xlsx_print: ok ($pages pages)"
