#!/bin/sh
# dutch_screens.sh: under Dutch settings every screen is Dutch, under English ones English. Every
# command runs with its --help and its common paths and mistakes (no arguments, an unknown
# command or option, a wrong period, a missing file, a workbook read with a CSV mapping, errors
# in the rows, a closed period, Loket unreachable, no tokens yet), once with LANG=nl_NL.UTF-8 and
# once with LANG=C.UTF-8; tests/e2e/tools/foreign_words.py then finds every English word (and ISO
# date) on the Dutch screens and every Dutch word on the English ones, leaving out file names,
# option names, mapping keys, quoted cells and Loket's own texts (the fixture's strings). The
# checker is first shown to catch a mixed line in both directions.
# (watch, runs and revert are not in it yet beyond --help of revert: their screens are still
# being put into Dutch.)
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh"
CHECK="python3 $LK_ROOT/tests/e2e/tools/foreign_words.py"
command -v python3 >/dev/null || fail "python3 not installed"
unset LANGUAGE LC_ALL LC_MESSAGES

# ---- the checker can fail
printf 'loket-import: fout: the file has no rows\n' | $CHECK nl "$SIM_FIXTURE" >/dev/null &&
    fail "the checker let English through on a Dutch screen"
printf 'periode 2026-11 (2026-11-01..2026-11-30)\n' | $CHECK nl "$SIM_FIXTURE" >/dev/null &&
    fail "the checker let an ISO date through on a Dutch screen"
printf 'loket-import: error: het bestand is leeg\n' | $CHECK en "$SIM_FIXTURE" >/dev/null &&
    fail "the checker let Dutch through on an English screen"
printf '  --report FILE  /tmp/x/uren.csv: column "Naam", Bakkerij Van den Berg B.V.\n' |
    $CHECK en "$SIM_FIXTURE" >/dev/null || fail "the checker flagged names, paths or quoted cells"

start_import_sim
W=$SIM_DIR/w
mkdir -p "$W"
S=$LK_ROOT/samples M=$LK_ROOT/mappings
MONTH=$S/uren-maand-40101-2026-11.csv
# Loket cannot be reached: nothing listens on the port of a socket closed just now
sed "s#\"apiUrl\": \"[^\"]*\"#\"apiUrl\": \"http://127.0.0.1:9/v2\"#" "$SIM_DIR/config.json" >"$W/down.json"
printf '{"tokenStore": "%s/none.json", "apiUrl": "%s", "tokenUrl": "%s/token", "clientId": "x", "clientSecret": "y"}\n' \
    "$W" "$SIM_URL" "$SIM_ROOT" >"$W/empty.json"

# every screen of one language into $W/LANG.out (each command's lines after a "### command" line)
screens() { # LANG-value out
    out=$2
    : >"$out"
    lang=$1
    r() { printf '### %s\n' "$*" >>"$out"; env LANG="$lang" "$IMPORT_BIN" "$@" >>"$out" 2>&1; }
    rc() { r "$@" --config "$SIM_DIR/config.json"; }
    r
    r --help
    r help plan
    r frobnicate
    for c in validate plan apply auth employers employments components periods revert; do
        r "$c" --help
    done
    r auth sim --help
    r mapping new --help
    r validate
    r validate "$MONTH" -m "$M/uren-maand-excel.json" --period 2026-11
    r validate "$MONTH" -m "$M/uren-maand-excel.json" --period 2026-11 --frob
    r validate "$MONTH" -m "$M/uren-maand-excel.json" --period november
    r validate "$W/missing.csv" -m "$M/uren-maand-excel.json" --period 2026-11
    r validate "$S/fouten-40101-2026-11.csv" -m "$M/fouten-voorbeeld.json" --period 2026-11
    r validate "$S/uren-dagelijks-40201-2026-11.xlsx" -m "$M/uren-maand-excel.json" --period 2026-11
    r validate "$S/variabele-gegevens-40102-2026-P12.csv" -m "$M/variabele-gegevens-lang.json"
    r employers --config "$W/empty.json"
    r auth status --config "$W/empty.json"
    rc auth status
    rc employers
    rc employments --employer 40101
    rc components --employer 40101 --admin 40101
    rc components
    rc periods --employer 40101 --admin 40101
    r employers --config "$W/down.json"
    rc plan "$MONTH" -m "$M/uren-maand-excel.json" --period 2026-11
    rc plan "$MONTH" -m "$M/uren-maand-excel.json" --period 2026-10
    rc plan "$S/fouten-40101-2026-11.csv" -m "$M/fouten-voorbeeld.json" --period 2026-11
    rc plan "$S/uren-dagelijks-40201-2026-11.xlsx" -m "$M/uren-dagelijks-xlsx.json" --period 2026-11 --lines 0
    rc plan "$S/loket-template-40101-2026-11.csv" -m "$M/loket-template.json" --employer 40101
    rc plan "$S/loket-template-40101-2026-11.csv" -m "$M/loket-template.json"
    rc apply "$MONTH" -m "$M/uren-maand-excel.json" --period 2026-11 --report "$W/$lang.csv"
    rc apply "$MONTH" -m "$M/uren-maand-excel.json" --period 2026-11
    sim_reset
}

screens nl_NL.UTF-8 "$W/nl.out"
screens C.UTF-8 "$W/en.out"
# the commands ran at all: the Dutch screens hold the Dutch summary, the English the English one
grep -q '^gebruik: loket-import validate' "$W/nl.out" || fail "no Dutch help in the Dutch run"
grep -q '^usage: loket-import validate' "$W/en.out" || fail "no English help in the English run"
grep -q 'afsluitcode 0: alles klaar' "$W/nl.out" || fail "no Dutch apply summary"
grep -q 'exit code 0: all done' "$W/en.out" || fail "no English apply summary"
[ "$(grep -c '^###' "$W/nl.out")" -ge 35 ] || fail "too few commands ran"

if ! $CHECK nl "$SIM_FIXTURE" "$W/nl.out" >"$W/nl.bad"; then
    head -n 40 "$W/nl.bad" >&2
    fail "$(wc -l <"$W/nl.bad") lines of the Dutch screens hold English words or ISO dates"
fi
if ! $CHECK en "$SIM_FIXTURE" "$W/en.out" >"$W/en.bad"; then
    head -n 40 "$W/en.bad" >&2
    fail "$(wc -l <"$W/en.bad") lines of the English screens hold Dutch words"
fi
[ -n "${DUTCH_SCREENS_KEEP:-}" ] && cp "$W/nl.out" "$DUTCH_SCREENS_KEEP"
echo "dutch_screens: ok ($(grep -c '^###' "$W/nl.out") commands in each language)"
