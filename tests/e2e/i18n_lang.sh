#!/bin/sh
# i18n_lang.sh: loket-import and loket-sim speak Dutch or English. The language comes from the
# environment (LANG, LC_MESSAGES, LANGUAGE; LANGUAGE not in the C locale) or --lang nl|en, which
# wins. In Dutch every help text is Dutch, numbers read 3.926,50, errors and the plan's summary and
# report labels are Dutch; JSON stays the same in both languages. No Dutch system locale is needed
# (none is generated here).
# sim-modes: both
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh"
case "$LOKET_BUILD" in /*) bin=$LOKET_BUILD ;; *) bin=$LK_ROOT/$LOKET_BUILD ;; esac
LI=$bin/loket-import
SIM=$bin/loket-sim
unset LANGUAGE LC_ALL LC_MESSAGES
NL="env LANG=nl_NL.UTF-8"
EN="env LANG=C.UTF-8"

# ---- --help, top level and every command, in both languages
$NL "$LI" --help >"${TMPDIR:-/tmp}/lk-nl-help.$$" 2>&1
grep -q '^Opdrachten:' "${TMPDIR:-/tmp}/lk-nl-help.$$" || { cat "${TMPDIR:-/tmp}/lk-nl-help.$$"; rm -f "${TMPDIR:-/tmp}/lk-nl-help.$$"; fail "LANG=nl_NL.UTF-8 --help is not Dutch"; }
rm -f "${TMPDIR:-/tmp}/lk-nl-help.$$"
$NL "$LI" --lang en --help | grep -q '^Commands:' || fail "--lang en does not win over LANG=nl_NL.UTF-8"
$EN "$LI" --lang nl --help | grep -q '^Opdrachten:' || fail "--lang nl in an English environment"
$EN "$LI" --lang=nl --help | grep -q '^Opdrachten:' || fail "--lang=nl"
env LANG=C.UTF-8 LC_MESSAGES=nl_NL.UTF-8 "$LI" --help | grep -q '^Opdrachten:' || fail "LC_MESSAGES=nl_NL.UTF-8"
env LANG=en_US.UTF-8 LANGUAGE=nl "$LI" --help | grep -q '^Opdrachten:' || fail "LANGUAGE=nl"
env LANG=C LANGUAGE=nl "$LI" --help | grep -q '^Commands:' || fail "LANGUAGE=nl in the C locale must stay English"
for c in validate plan apply watch auth employers employments components periods runs revert; do
    nl=$($NL "$LI" "$c" --help 2>&1) en=$($EN "$LI" "$c" --help 2>&1)
    printf '%s\n' "$nl" | grep -q '^gebruik: loket-import' || fail "$c --help in Dutch: $(printf '%s\n' "$nl" | head -n 1)"
    printf '%s\n' "$en" | grep -q '^usage: loket-import' || fail "$c --help in English"
    # the option names stay the same
    for o in $(printf '%s\n' "$en" | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
        printf '%s\n' "$nl" | grep -q -- "$o" || fail "$c --help in Dutch lacks $o"
    done
done
$NL "$SIM" --help | grep -q '^gebruik: loket-sim' || fail "loket-sim --help in Dutch"
$EN "$SIM" --help | grep -q '^usage: loket-sim' || fail "loket-sim --help in English"

# ---- a bad --lang: a usage error (exit 64), said in the environment's language
$EN "$LI" --lang fr --help >/dev/null 2>"${TMPDIR:-/tmp}/lk-lang-err.$$"
st=$?
err=$(cat "${TMPDIR:-/tmp}/lk-lang-err.$$"); rm -f "${TMPDIR:-/tmp}/lk-lang-err.$$"
[ "$st" = 64 ] || fail "--lang fr: exit $st, expected 64 (usage error)"
printf '%s\n' "$err" | grep -q '"fr" is not a language' || fail "--lang fr: $err"
$NL "$LI" validate --lang 2>&1 | grep -q 'heeft een taal nodig' || fail "--lang without a value, in Dutch"

# ---- validate: numbers and errors in the language, JSON the same in both
S=$LK_ROOT/samples/uren-maand-40101-2026-11.csv M=$LK_ROOT/mappings/uren-maand-excel.json
out=$($NL "$LI" validate "$S" -m "$M" --period 2026-11) || fail "validate in Dutch failed"
printf '%s\n' "$out" | grep -q '3\.926,50' || fail "Dutch totals: $out"
printf '%s\n' "$out" | grep -q '^totaal: 26 regels' || fail "Dutch validate summary: $out"
out=$($EN "$LI" validate "$S" -m "$M" --period 2026-11) || fail "validate in English failed"
printf '%s\n' "$out" | grep -q '3,926\.50' || fail "English totals: $out"
printf '%s\n' "$out" | grep -q '^total: 26 rows' || fail "English validate summary"
$NL "$LI" validate "$S" -m "$M" --period 2026-11 --json >"${TMPDIR:-/tmp}/lk-nl.$$.json" &&
    $EN "$LI" validate "$S" -m "$M" --period 2026-11 --json >"${TMPDIR:-/tmp}/lk-en.$$.json" ||
    fail "validate --json"
same=$(jq -n --slurpfile a "${TMPDIR:-/tmp}/lk-nl.$$.json" --slurpfile b "${TMPDIR:-/tmp}/lk-en.$$.json" \
       '($a[0] | del(.. | .message?, .reason?)) == ($b[0] | del(.. | .message?, .reason?))')
rm -f "${TMPDIR:-/tmp}/lk-nl.$$.json" "${TMPDIR:-/tmp}/lk-en.$$.json"
[ "$same" = true ] || fail "validate --json differs between Dutch and English"
err=$($NL "$LI" validate /nonexistent.csv -m "$M" --period 2026-11 2>&1)
printf '%s\n' "$err" | grep -q 'kan niet' || fail "Dutch error for a missing file: $err"
err=$($NL "$LI" validate "$S" -m "$M" --period 2026-13 2>&1)
printf '%s\n' "$err" | grep -q 'verwacht 2026-11 (maand)' || fail "Dutch --period error: $err"

# ---- plan against the simulator: the summary and the reports' labels in Dutch
start_import_sim
R=$SIM_DIR/r
mkdir -p "$R"
LANG=nl_NL.UTF-8 li plan "$S" -m "$M" --period 2026-11 --report "$R/nl.csv" --report "$R/nl.xlsx" --report "$R/nl.json"
[ "$LI_RC" = 0 ] || { cat "$SIM_DIR/li.out" "$SIM_DIR/li.err"; fail "plan in Dutch: exit $LI_RC"; }
for w in 'records uit 1 bestand' 'uitkomst' 'looncomponent' 'afsluitcode 0: alles klaar' '3.926,50'; do
    grep -q "$w" "$SIM_DIR/li.out" || { cat "$SIM_DIR/li.out"; fail "plan summary in Dutch lacks '$w'"; }
done
head -n 1 "$R/nl.csv" | grep -q 'uitkomst' || fail "CSV report header not Dutch: $(head -n 1 "$R/nl.csv")"
grep -q 'aangemaakt\|bijgewerkt\|ongewijzigd' "$R/nl.csv" || fail "CSV report outcomes not Dutch"
unzip -p "$R/nl.xlsx" xl/workbook.xml | grep -q 'Samenvatting' || fail "XLSX sheet not named Samenvatting"
LANG=C.UTF-8 li plan "$S" -m "$M" --period 2026-11 --report "$R/en.json"
[ "$LI_RC" = 0 ] || fail "plan in English: exit $LI_RC"
grep -q 'exit code 0: all done' "$SIM_DIR/li.out" || fail "plan summary in English"
# JSON: the same keys, outcomes and numbers in both languages (times and messages aside)
norm='del(.. | .started?, .finished?, .durationMs?, .elapsedMs?, .description?, .message?) | del(.. | .ms?)'
[ "$(jq -S "$norm | [paths] | length" "$R/nl.json")" = "$(jq -S "$norm | [paths] | length" "$R/en.json")" ] ||
    fail "JSON reports differ in shape between Dutch and English"
[ "$(jq -c '[.records[].outcome] | unique' "$R/nl.json")" = "$(jq -c '[.records[].outcome] | unique' "$R/en.json")" ] ||
    fail "JSON outcomes differ between Dutch and English"
jq -e '[.records[].outcome] | all(. == "created" or . == "updated" or . == "unchanged")' "$R/nl.json" >/dev/null ||
    fail "JSON outcomes are not the stable English names"
# ---- the look-ups: dates as the language writes them, JSON as it was
LANG=nl_NL.UTF-8 li periods --employer "Bakkerij Van den Berg B.V." --admin 40101 --year 2026
[ "$LI_RC" = 0 ] || { cat "$SIM_DIR/li.err"; fail "periods in Dutch: exit $LI_RC"; }
grep -q '01-11-2026 *30-11-2026' "$SIM_DIR/li.out" || { cat "$SIM_DIR/li.out"; fail "periods: dates not Dutch"; }
grep -q 'BEGIN' "$SIM_DIR/li.out" || fail "periods: headers not Dutch"
LANG=C.UTF-8 li periods --employer "Bakkerij Van den Berg B.V." --admin 40101 --year 2026
grep -q '2026-11-01 *2026-11-30' "$SIM_DIR/li.out" || fail "periods: dates not ISO in English"
LANG=nl_NL.UTF-8 li periods --employer "Bakkerij Van den Berg B.V." --admin 40101 --year 2026 --json
jq -e '.. | objects | select(has("startDate")) | .startDate | test("^2026-")' "$SIM_DIR/li.out" >/dev/null ||
    fail "periods --json: dates not ISO in Dutch"
echo "i18n_lang: ok"
