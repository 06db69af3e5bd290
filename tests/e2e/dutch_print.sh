#!/bin/sh
# dutch_print.sh: the XLSX reports of the samples print readably on A4 landscape. The reports of
# a monthly apply (uren-maand), a daily plan (uren-dagelijks: weekly periods, a long warning) and
# a template plan (loket-template) are written in Dutch, LibreOffice turns each into a PDF, and
# pdftotext -bbox measures every word: none may be smaller than 9 pt (the height of its box).
# Also: every page A4 landscape; file names, never the folders they are in; the Details titles
# in Dutch words on every page, with the outcome, employee number and name on every page also
# when the sheet is printed several pages wide; the long warning wrapped on the Summary under a
# Dutch label; pdftoppm renders every page. Skipped (exit 77) only when soffice cannot start.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh"

command -v soffice >/dev/null 2>&1 || { echo "SKIP: soffice not installed (libreoffice-calc-nogui)"; exit 77; }
command -v pdftotext >/dev/null 2>&1 || fail "pdftotext not installed (poppler-utils; scripts/deps.sh installs it)"
unset LANGUAGE LC_ALL LC_MESSAGES
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

export LANG=nl_NL.UTF-8
li apply "$(sample uren-maand-40101-2026-11.csv)" -m "$(mapping uren-maand-excel.json)" --period 2026-11 \
    --report "$LO/monthly.xlsx" -q
[ "$LI_RC" = 0 ] || { cat "$SIM_DIR/li.err"; fail "monthly apply: exit $LI_RC"; }
li plan "$(sample uren-dagelijks-40201-2026-11.xlsx)" -m "$(mapping uren-dagelijks-xlsx.json)" --period 2026-11 \
    --report "$LO/daily.xlsx" -q
[ "$LI_RC" = 0 ] || { cat "$SIM_DIR/li.err"; fail "daily plan: exit $LI_RC"; }
li plan "$(sample loket-template-40101-2026-11.csv)" -m "$(mapping loket-template.json)" --employer 40101 \
    --period 2026-11 --report "$LO/template.xlsx" -q
[ "$LI_RC" = 0 ] || { cat "$SIM_DIR/li.err"; fail "template plan: exit $LI_RC"; }

for r in monthly daily template; do
    soffice_run --convert-to pdf --outdir "$LO" "$LO/$r.xlsx" || fail "soffice: $(tail -n 5 "$LO/soffice.log")"
    PDF=$LO/$r.pdf
    [ -s "$PDF" ] || fail "$r: no PDF: $(tail -n 5 "$LO/soffice.log")"
    pages=$(pdfinfo "$PDF" | awk '/^Pages:/ { print $2 }')
    bad=$(pdfinfo -f 1 -l "$pages" "$PDF" | awk '/^Page +[0-9]+ size:/ { if (!($4 > 841 && $4 < 843 && $6 > 594 && $6 < 596)) print $2 ": " $4 "x" $6 }')
    [ -z "$bad" ] || fail "$r: pages not A4 landscape: $bad"

    # every word at least 9 pt high, on every page
    pdftotext -bbox "$PDF" "$LO/$r.html" || fail "$r: pdftotext -bbox"
    small=$(awk '
        /<page / { page++ }
        /<word / {
            match($0, /yMin="[0-9.]+"/); ymin = substr($0, RSTART + 6, RLENGTH - 7)
            match($0, /yMax="[0-9.]+"/); ymax = substr($0, RSTART + 6, RLENGTH - 7)
            h = ymax - ymin
            if (h < 9.0) { n[page]++; if (!(page in least) || h < least[page]) least[page] = h }
        }
        END { for (p in n) printf "page %d: %d words, the smallest %.1f pt\n", p, n[p], least[p] }' "$LO/$r.html")
    [ -z "$small" ] || fail "$r: text under 9 pt: $small"

    text() { pdftotext -layout -f "$1" -l "$1" "$PDF" - 2>/dev/null; }
    all=$(pdftotext -layout "$PDF" - 2>/dev/null)
    # file names, not the folders they are in
    for folder in "$LK_ROOT" "$SIM_DIR"; do
        if printf '%s\n' "$all" | grep -qF "$folder"; then fail "$r: the print shows the folder $folder"; fi
    done
    text 1 | grep -q 'Invoerregels gelezen' || fail "$r: the summary is not on page 1 in Dutch"
    # the Details: Dutch titles and the key columns on every page
    i=1
    while [ "$i" -le "$pages" ]; do
        if text "$i" | grep -q 'Details *Pagina'; then
            text "$i" | grep -q '^ *Uitkomst .*Personeelsnummer .*Naam' ||
                fail "$r: details page $i lacks the titles Uitkomst, Personeelsnummer, Naam"
        fi
        i=$((i + 1))
    done
    pdftoppm -r 30 -png "$PDF" "$LO/$r" || fail "$r: pdftoppm could not render the PDF"
    [ "$(ls "$LO/$r"-*.png | wc -l)" = "$pages" ] || fail "$r: pdftoppm rendered only some pages"
    echo "$r: $pages pages"
done
# the daily plan's Details are wider than a page: printed over two, each with the key columns
pages=$(pdfinfo "$LO/daily.pdf" | awk '/^Pages:/ { print $2 }')
i=2 left=0 right=0
while [ "$i" -le "$pages" ]; do
    p=$(pdftotext -layout -f "$i" -l "$i" "$LO/daily.pdf" - | grep -m 1 '^ *Uitkomst ')
    case $p in
    *Kostenplaats*Invoerregels*) fail "daily: the Details fit one page wide only by shrinking" ;;
    *Personeelsnummer*Naam*Kostenplaats*) left=$((left + 1)) ;;
    *Personeelsnummer*Naam*Invoerregels*) right=$((right + 1)) ;;
    esac
    i=$((i + 1))
done
[ "$left" -ge 1 ] && [ "$right" -ge 1 ] || fail "daily: expected pages of both halves, each with the key columns ($left, $right)"
# the long warning: wrapped under its Dutch label, file names only
pdftotext -layout -f 1 -l 1 "$LO/daily.pdf" - | grep -q '^Waarschuwing  *uren-dagelijks-40201-2026-11.xlsx: de regels vallen in 5' ||
    fail "daily: the warning is not on the summary under 'Waarschuwing'"
echo "dutch_print: ok"
