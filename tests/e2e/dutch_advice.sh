#!/bin/sh
# dutch_advice.sh: the messages a payroll clerk meets most, in Dutch, said once and with advice.
# A closed period is one line for all its employments, with their numbers and the periods still
# open; a period Loket does not have names the range it does have; a mistyped employee number
# (10003) gets "bedoelt u 1003?" and the --allow-partial advice, in plan and in apply; a --period
# like "november" or "11-2026" gets "bedoelt u 2026-11?"; a workbook read with a CSV mapping is
# called a workbook, not binary data; every column the header row lacks is named in one error;
# numbers in messages read 1.300,5; a component's total is one number, in its decimals; Loket out of reach is said in our words
# with what to check, not curl's English; errors start "fout:" (English "error:"); auth status and
# the exit codes of --help are Dutch and the same in every --help; counts take real plurals
# ("1 bestand", "24 periodes"), never "bestand(en)".
# sim-modes: both
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh"
unset LANGUAGE LC_ALL LC_MESSAGES
export LANG=nl_NL.UTF-8
start_import_sim
W=$SIM_DIR/w
mkdir -p "$W"
MONTH=$(sample uren-maand-40101-2026-11.csv) MAP=$(mapping uren-maand-excel.json)
out() { cat "$SIM_DIR/li.out" "$SIM_DIR/li.err"; }
has() { out | grep -qF -- "$1" || { out >&2; fail "$2: lacks '$1'"; }; }

# ---- a closed period: said once, with the employees and the open periods
li plan "$MONTH" -m "$MAP" --period 2026-10
[ "$LI_RC" = 2 ] || { out >&2; fail "closed period: exit $LI_RC, expected 2"; }
has 'periode 2026-10 (01-10-2026 t/m 31-10-2026) van Van den Berg maandloon is gesloten: de verloning is goedgekeurd; open periodes: 2026-11, 2026-12' "closed period"
has '! 24 dienstverbandrecords afgewezen:' "closed period grouped in the listing"
has 'werknemers 1001, 1002, 1003' "closed period names the employees"
has '(24 records, van werknemers 1001, 1002' "closed period grouped under problemen"
n=$(out | grep -c 'is gesloten')
[ "$n" = 2 ] || { out >&2; fail "closed period said $n times, expected twice (listing and problems)"; }

# ---- a period Loket does not have: the range it has, said once, no "werknemer niet gevonden"
li plan "$MONTH" -m "$MAP" --period 2027-05
[ "$LI_RC" = 2 ] || fail "missing period: exit $LI_RC"
has 'Van den Berg maandloon heeft geen verloningsperiode 2027-05: de periodes lopen van 01-01-2025 t/m 31-12-2026' "missing period"
if out | grep -q 'werknemer niet gevonden'; then out >&2; fail "missing period: employees labelled not found"; fi
[ "$(out | grep -c 'heeft geen verloningsperiode')" = 2 ] || { out >&2; fail "missing period not said once per place"; }

# ---- a mistyped employee number: the nearest number, and how to send the rest
sed 's/^1003;/10003;/' "$MONTH" >"$W/typo.csv"
li plan "$W/typo.csv" -m "$MAP" --period 2026-11
[ "$LI_RC" = 2 ] || fail "typo: exit $LI_RC"
has 'personeelsnummer 10003 komt niet voor bij Bakkerij Van den Berg B.V. in de administratie met klantnummer 40101; bedoelt u 1003?' "typo"
has 'verstuur de 24 records zonder fouten met apply --allow-partial' "typo: --allow-partial advice in plan"
LI_MAY_REJECT=1 li apply "$W/typo.csv" -m "$MAP" --period 2026-11
[ "$LI_RC" = 2 ] || fail "typo apply: exit $LI_RC"
has 'bedoelt u 1003?' "typo in apply"
has 'verstuur de 24 records zonder fouten met apply --allow-partial' "typo: --allow-partial advice in apply"
# a number far from every other gets no guess
sed 's/^1003;/77777;/' "$MONTH" >"$W/far.csv"
li plan "$W/far.csv" -m "$MAP" --period 2026-11
has 'personeelsnummer 77777 komt niet voor bij' "far number"
if out | grep -q 'bedoelt u'; then out >&2; fail "a guess for a number far from all others"; fi

# ---- --period as people write it
year=$(date -u +%Y)
for p in "november:$year-11" "11-2026:2026-11" "nov 2026:2026-11" "202611:2026-11" "P11:$year-P11" "week 47:$year-W47"; do
    "$IMPORT_BIN" validate "$MONTH" -m "$MAP" --period "${p%%:*}" >/dev/null 2>"$W/e"
    [ $? = 64 ] || fail "--period ${p%%:*}: expected exit 64"
    grep -qF "bedoelt u ${p#*:}?" "$W/e" || fail "--period ${p%%:*}: $(cat "$W/e")"
done
"$IMPORT_BIN" validate "$MONTH" -m "$MAP" --period 2026-13 2>"$W/e"
if grep -q 'bedoelt u' "$W/e"; then fail "a guess for 2026-13: $(cat "$W/e")"; fi
grep -q '^loket-import: fout: --period 2026-13: verwacht 2026-11' "$W/e" || fail "Dutch error prefix: $(cat "$W/e")"
LANG=C.UTF-8 "$IMPORT_BIN" validate "$MONTH" -m "$MAP" --period 11-2026 2>"$W/e"
grep -q '^loket-import: error: --period 11-2026: expected .*; did you mean 2026-11?' "$W/e" || fail "English: $(cat "$W/e")"

# ---- a workbook read with a CSV mapping; every missing column at once
"$IMPORT_BIN" validate "$(sample uren-dagelijks-40201-2026-11.xlsx)" -m "$MAP" --period 2026-11 >"$W/v" 2>&1
grep -q 'dit is een Excel-werkmap (.xlsx), maar de mapping zegt "type": "csv"' "$W/v" || fail "xlsx read as CSV: $(cat "$W/v")"
if grep -q 'binaire gegevens' "$W/v"; then fail "xlsx read as CSV still called binary data"; fi
iconv -f WINDOWS-1252 -t UTF-8 "$MONTH" | sed '1s/^Personeelsnr;/Persnr;/; 1s/;Reiskm;/;Reis;/' >"$W/headers.csv"
"$IMPORT_BIN" validate "$W/headers.csv" -m "$MAP" --period 2026-11 >"$W/v" 2>&1
grep -q 'kolommen "Personeelsnr" (employee.employeeNumber), "Reiskm" (components\[5\]) van mapping .* staan niet in kopregel 1; de koppen zijn: "Persnr"' "$W/v" ||
    fail "missing columns not listed together: $(grep kopregel "$W/v")"

# ---- numbers in messages as Dutch writes them: a totals row that does not add up
printf 'Personeelsnr;Dienstverband;Naam;Uren gewerkt\n1001;1;A;1.200,5\n1002;1;B;100\n;;Totaal;1.400\n' >"$W/tot.csv"
jq '.input.totalsRow = {"column": "Naam", "matches": "Totaal*"} | .input.skipRows = [] |
    .input.encoding = "utf-8" | .components = [.components[0]]' "$MAP" >"$W/tot.json"
"$IMPORT_BIN" validate "$W/tot.csv" -m "$W/tot.json" --period 2026-11 >"$W/v" 2>&1
grep -q 'totaalregel zegt "1.400" (1.400), maar de regels erboven tellen op tot 1.300,5 (verschil 99,5)' "$W/v" ||
    fail "totals row numbers not Dutch: $(grep -i totaal "$W/v")"
# one total per component, in its decimals: minutes / 60 rounded to 2, the same in both tables
jq '.components[0].divideBy = 60' "$MAP" >"$W/div.json"
"$IMPORT_BIN" validate "$MONTH" -m "$W/div.json" --period 2026-11 >"$W/v" 2>&1
file=$(awk '$1 == "10" && /Uren gewerkt/ { print $2 }' "$W/v")
all=$(awk '$1 == "looncomponent" && $2 == "10" { print $3 }' "$W/v")
[ -n "$file" ] && [ "$file" = "$all" ] || fail "component 10: file table $file, total $all"
case $file in *,[0-9][0-9]) ;; *) fail "component 10's total not in its 2 decimals: $file" ;; esac

# ---- Loket out of reach: our words and what to check
sed 's#"apiUrl": "[^"]*"#"apiUrl": "http://127.0.0.1:9/v2"#' "$SIM_DIR/config.json" >"$W/down.json"
"$IMPORT_BIN" employers --config "$W/down.json" >/dev/null 2>"$W/e"
[ $? = 3 ] || fail "unreachable: expected exit 3"
grep -q 'geen verbinding na 3 pogingen: 127.0.0.1:9 weigert de verbinding of is niet bereikbaar' "$W/e" || fail "unreachable: $(cat "$W/e")"
grep -q 'controleer of de URL klopt (apiUrl' "$W/e" || fail "unreachable: no advice: $(cat "$W/e")"
if grep -qi 'couldn.t connect\|failed to connect' "$W/e"; then fail "curl's English: $(cat "$W/e")"; fi
LANG=C.UTF-8 "$IMPORT_BIN" employers --config "$W/down.json" >/dev/null 2>"$W/e"
grep -q 'no connection after 3 attempts: 127.0.0.1:9 refused the connection or cannot be reached. What to do: check that the URL is right' "$W/e" ||
    fail "unreachable in English: $(cat "$W/e")"

# ---- auth status in Dutch, the expiry as a Dutch date
"$IMPORT_BIN" auth status --config "$SIM_DIR/config.json" >"$W/s" 2>&1 || fail "auth status: $(cat "$W/s")"
for w in '^omgeving  ' '^vernieuwingstoken  *bewaard' '^toegangstoken  *[0-3][0-9]-[01][0-9]-20[0-9][0-9] [0-2][0-9]:[0-5][0-9] UTC (over ' '^gebruiker  ' '^rol  '; do
    grep -q "$w" "$W/s" || { cat "$W/s" >&2; fail "auth status lacks /$w/"; }
done

# ---- the exit codes: one text per code, the same in every --help and in the summary
"$IMPORT_BIN" --help | sed -n '/^Afsluitcodes:/,$p' | grep '^  [0-9]' >"$W/main.codes"
[ "$(wc -l <"$W/main.codes")" = 7 ] || fail "loket-import --help: $(cat "$W/main.codes")"
for c in validate plan apply auth employers employments components periods; do
    "$IMPORT_BIN" "$c" --help | sed -n '/^Afsluitcodes:/,$p' | grep '^  [0-9]' >"$W/c.codes"
    [ -s "$W/c.codes" ] || fail "$c --help has no exit codes"
    while IFS= read -r line; do
        grep -qxF -- "$line" "$W/main.codes" || fail "$c --help says '$line', unlike loket-import --help"
    done <"$W/c.codes"
done
li plan "$MONTH" -m "$MAP" --period 2026-11
has "afsluitcode 0: $(grep '^  0 ' "$W/main.codes" | sed 's/^  0  *//')" "summary exit text"

# ---- real plurals
li plan "$MONTH" -m "$MAP" --period 2026-11
has 'plan: 25 records uit 1 bestand, 26 invoerregels' "plan summary plurals"
"$IMPORT_BIN" periods --employer 40101 --admin 40101 --config "$SIM_DIR/config.json" >"$W/p" 2>&1
grep -q '^Van den Berg maandloon: 24 periodes$' "$W/p" || fail "periods: $(head -n 1 "$W/p")"
"$IMPORT_BIN" validate "$(sample fouten-40101-2026-11.csv)" -m "$(mapping fouten-voorbeeld.json)" --period 2026-11 >"$W/v" 2>&1
grep -q '(1 waarde eronder)' "$W/v" || fail "validate: 1 waarde: $(grep genegeerd "$W/v")"
grep -q '^totaal: 11 regels, 2 werknemers (2 dienstverbanden), 3 posten, 9 fouten$' "$W/v" || fail "validate total: $(grep '^totaal' "$W/v")"
for f in "$W/p" "$W/v" "$SIM_DIR/li.out"; do
    if grep -E '[a-z]\((s|en|n)\)' "$f"; then fail "a plural written as (s)/(en)/(n) in $f"; fi
done
echo "dutch_advice: ok"
