#!/bin/sh
# low_findings.sh: the smaller findings of the second hardening review, offline, as an operator
# meets them: a refresh token longer than 8,193 characters is stored whole (and an absurd one
# refused, not cut); reports follow the umask (0600 under umask 077); escape sequences in a CSV
# cell never reach the terminal raw; 1e-400 in an XLSX cell is out of range, not 0; UTF-16
# without a byte order mark is named as such.
set -u
LOKET_BUILD=${LOKET_BUILD:-build}
LK_ROOT=${LK_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
case "$LOKET_BUILD" in /*) LI=$LOKET_BUILD/loket-import ;; *) LI=$LK_ROOT/$LOKET_BUILD/loket-import ;; esac
T=$(mktemp -d "${TMPDIR:-/tmp}/lk-low-XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
MAP=$LK_ROOT/mappings/uren-maand-excel.json
HEADER='Personeelsnr;Dienstverband;Naam;Uren gewerkt;Overuren 125%;Overuren 150%;Ziekte-uren;Verlofuren;Reiskm;Ploegentoeslag'

# ---- refresh tokens: 9,000 characters whole, 20,000 refused with nothing stored
cat >"$T/config.json" <<JSON
{ "environment": "custom", "apiUrl": "http://127.0.0.1:9/v2", "tokenUrl": "http://127.0.0.1:9/token",
  "clientId": "low-findings", "tokenStore": "$T/state/tokens.json" }
JSON
long=$(head -c 6750 /dev/zero | tr '\0' 'x' | base64 -w0 | head -c 9000)
printf '%s\n' "$long" | "$LI" auth set-refresh-token --config "$T/config.json" >/dev/null 2>&1 ||
    fail "a 9,000-character refresh token was refused"
[ "$(jq -r .refreshToken "$T/state/tokens.json")" = "$long" ] ||
    fail "a 9,000-character refresh token was stored as $(jq -r '.refreshToken | length' "$T/state/tokens.json") characters"
huge=$(head -c 20000 /dev/zero | tr '\0' 'y')
printf '%s\n' "$huge" | "$LI" auth set-refresh-token --config "$T/config.json" >"$T/out" 2>&1 &&
    fail "a 20,000-character refresh token was accepted"
grep -q "longer than" "$T/out" || fail "the refusal of a huge token does not say why"
[ "$(jq -r .refreshToken "$T/state/tokens.json")" = "$long" ] || fail "the refused token replaced the stored one"

# ---- reports follow the umask
printf '%s\n1001;1;Jan;166;;;;;;\n' "$HEADER" >"$T/uren.csv"
(umask 077 && "$LI" validate "$T/uren.csv" -m "$MAP" --period 2026-11 --report "$T/r.csv" --quiet) ||
    fail "validate with a report failed"
(umask 077 && "$LI" validate "$T/uren.csv" -m "$MAP" --period 2026-11 --report "$T/r.xlsx" --quiet) ||
    fail "validate with an XLSX report failed"
[ "$(stat -c %a "$T/r.csv")" = 600 ] || fail "a CSV report under umask 077 got mode $(stat -c %a "$T/r.csv")"
[ "$(stat -c %a "$T/r.xlsx")" = 600 ] || fail "an XLSX report under umask 077 got mode $(stat -c %a "$T/r.xlsx")"
(umask 022 && "$LI" validate "$T/uren.csv" -m "$MAP" --period 2026-11 --report "$T/r2.csv" --quiet) ||
    fail "validate with a report failed"
[ "$(stat -c %a "$T/r2.csv")" = 640 ] || fail "a report under umask 022 got mode $(stat -c %a "$T/r2.csv"), not 640"

# ---- escape sequences from a cell: shown as spaces, never raw
printf '%s\n1001;1;Jan;\033]0;owned\007\033[2J166;;;;;;\n' "$HEADER" >"$T/esc.csv"
"$LI" validate "$T/esc.csv" -m "$MAP" --period 2026-11 >"$T/esc.out" 2>&1 && fail "the escape cell was accepted"
grep -q "$(printf '\033')" "$T/esc.out" && fail "an escape character reached the terminal"
grep -q "$(printf '\007')" "$T/esc.out" && fail "a BEL character reached the terminal"
grep -q 'esc.csv:2' "$T/esc.out" || fail "the escape cell's error does not name the row"

# ---- 1e-400 in an XLSX number cell
python3 - "$T/tiny.xlsx" <<'PY'
import sys, zipfile
ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
head = "".join('<c r="%s1" t="inlineStr"><is><t>%s</t></is></c>' % (c, t) for c, t in
               zip("ABCD", ["Personeelsnr", "Dienstverband", "Naam", "Uren gewerkt"]))
row = '<c r="A2"><v>1001</v></c><c r="B2"><v>1</v></c><c r="C2" t="inlineStr"><is><t>Jan</t></is></c><c r="D2"><v>1e-400</v></c>'
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr("xl/workbook.xml", '<workbook %s xmlns:r="r"><sheets><sheet name="Uren" r:id="rId1"/></sheets></workbook>' % ns)
    z.writestr("xl/_rels/workbook.xml.rels", '<Relationships><Relationship Id="rId1" Type="x/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
    z.writestr("xl/worksheets/sheet1.xml", '<worksheet %s><sheetData><row r="1">%s</row><row r="2">%s</row></sheetData></worksheet>' % (ns, head, row))
PY
jq '.input.type = "xlsx" | del(.input.delimiter, .input.encoding, .input.decimalSeparator, .input.thousandsSeparator, .input.skipRows) | .components = [.components[0]]' \
    "$MAP" >"$T/map-xlsx.json"
"$LI" validate "$T/tiny.xlsx" -m "$T/map-xlsx.json" --period 2026-11 >"$T/tiny.out" 2>&1
st=$?
[ "$st" = 2 ] || { cat "$T/tiny.out"; fail "1e-400 in an XLSX cell: exit $st, expected 2 (read as 0?)"; }
grep -q "1e-400 is out of range" "$T/tiny.out" || { cat "$T/tiny.out"; fail "1e-400: no clear error"; }

# ---- UTF-16 without a byte order mark
printf '%s\n1001;1;Jan;166;;;;;;\n' "$HEADER" | iconv -f UTF-8 -t UTF-16LE >"$T/u16.csv"
"$LI" validate "$T/u16.csv" -m "$MAP" --period 2026-11 >"$T/u16.out" 2>&1 && fail "UTF-16 without BOM accepted"
grep -q "UTF-16LE text without a byte order mark" "$T/u16.out" || { cat "$T/u16.out"; fail "UTF-16 without BOM: unclear error"; }

echo "low_findings: all ok"
