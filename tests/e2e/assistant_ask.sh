#!/bin/sh
# assistant_ask.sh: `loket-import mapping new` on a terminal asks about what it is not sure of
# and writes what the person chose (a component picked from the candidates, negative values
# allowed); "q" stops without writing; without a terminal it never asks and writes nothing while
# a question is open; an existing mapping is not overwritten without --force; bad command lines
# and a bad component list are refused.
set -u
. "$(dirname "$0")/lib.sh"

command -v script >/dev/null || { echo "SKIP: script(1) (util-linux) is not installed"; exit 77; }
LI="$LK_ROOT/$LOKET_BUILD/loket-import"
case "$LOKET_BUILD" in /*) LI="$LOKET_BUILD/loket-import" ;; esac
DATA="$LK_ROOT/tests/data/assistant"
W=$(mktemp -d "${TMPDIR:-/tmp}/lk-ask-XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
COMMON="--offline --employer 40101 --components $DATA/components.json --learn-from none"

# runs mapping new on a pseudo-terminal, the answers on its input
on_terminal() { # answers args...
    answers=$1; shift
    # shellcheck disable=SC2059
    printf "$answers" | timeout 30 script -qefc "$LI mapping new $*" /dev/null >"$W/log" 2>&1
}

# "Overuren": 125% or 150%? The person picks the second candidate.
on_terminal '2\n' "$DATA/exports/14-overuren-zonder-percentage.csv $COMMON --period 2026-11 -o $W/14.json"
rc=$?
[ $rc -eq 0 ] || { cat "$W/log" >&2; fail "answered on a terminal: exit $rc"; }
grep -q "which payroll component" "$W/log" || fail "the question was not asked"
jq -e '.components[] | select(.column == "Overuren") | .component == 12' "$W/14.json" >/dev/null ||
    fail "the chosen component 12 was not written"
grep -q "chosen by a person" "$W/14.json" || fail "the mapping does not say a person chose"
grep -q "Some decisions were made by a person" "$W/14.json" || fail "the description does not say so"
grep -q "loket-import plan $DATA/exports/14-overuren-zonder-percentage.csv -m $W/14.json --period 2026-11" \
    "$W/log" || fail "the next step (plan) is not shown as a command to run"

# a component key typed instead of a choice, in Dutch
printf '11\n' | LANGUAGE=nl LANG=nl_NL.UTF-8 timeout 30 script -qefc \
    "$LI mapping new $DATA/exports/14-overuren-zonder-percentage.csv $COMMON -o $W/14b.json" \
    /dev/null >"$W/log" 2>&1 || { cat "$W/log" >&2; fail "a typed key was not taken"; }
grep -q "welke looncomponent" "$W/log" || fail "the question is not in Dutch"
jq -e '.components[] | select(.column == "Overuren") | .component == 11' "$W/14b.json" >/dev/null ||
    fail "the typed component 11 was not written"

# negative values: allowed when the person says so, and then the same as the hand mapping
on_terminal 'j\n' "$DATA/exports/15-correctie-negatief.csv $COMMON --period 2026-11 -o $W/15.json" ||
    { cat "$W/log" >&2; fail "allowing negatives failed"; }
jq -e '.components[] | select(.column == "Uren gewerkt") | .allowNegative == true' "$W/15.json" \
    >/dev/null || fail "allowNegative was not written"
for m in "$W/15.json" "$DATA/mappings/15-correctie-negatief.json"; do
    "$LI" validate "$DATA/exports/15-correctie-negatief.csv" -m "$m" --period 2026-11 --json |
        jq -S 'del(.mapping) | del(.files[].components[].name)'
done >"$W/both"
csplit -s -f "$W/part" "$W/both" '/^{/' '{1}' 2>/dev/null || true
cmp -s "$W/part01" "$W/part02" || fail "the answered mapping validates differently from the hand-checked one"

# q stops: nothing written
on_terminal 'q\n' "$DATA/exports/14-overuren-zonder-percentage.csv $COMMON -o $W/q.json"
rc=$?
[ $rc -eq 2 ] || fail "q: exit $rc, expected 2"
[ ! -e "$W/q.json" ] || fail "q: a mapping was written"

# no terminal and no --yes: never asks, never guesses
"$LI" mapping new "$DATA/exports/18-reiskosten-km.csv" $COMMON -o "$W/18.json" </dev/null >"$W/log" 2>&1
rc=$?
[ $rc -eq 2 ] || fail "without a terminal: exit $rc, expected 2"
[ ! -e "$W/18.json" ] || fail "without a terminal a guess was written"
grep -q "20 Reiskm" "$W/log" && grep -q "21 Reiskostenverg" "$W/log" ||
    fail "the open question does not list both candidates"

# an existing mapping is not overwritten without --force
echo '{}' >"$W/exists.json"
"$LI" mapping new "$DATA/exports/17-unicode-tekst.txt" $COMMON -y -o "$W/exists.json" >"$W/log" 2>&1
[ $? -eq 64 ] || fail "an existing -o was not refused"
[ "$(cat "$W/exists.json")" = '{}' ] || fail "the existing mapping was changed"
"$LI" mapping new "$DATA/exports/17-unicode-tekst.txt" $COMMON -y --force -o "$W/exists.json" \
    >"$W/log" 2>&1 || { cat "$W/log" >&2; fail "--force did not write"; }
jq -e '.layout == "wide"' "$W/exists.json" >/dev/null || fail "--force wrote no mapping"

# control characters of a header never reach the terminal (an escape sequence would)
printf 'Personeelsnr;Uren\033[2J gewerkt;Extra\033]0;x\007\n1001;160;5\n' >"$W/esc.csv"
"$LI" mapping new "$W/esc.csv" $COMMON -y -o "$W/esc.json" >"$W/log" 2>&1
grep -q "$(printf '\033')" "$W/log" && fail "an escape character of a header was printed"
grep -q "Uren" "$W/log" || fail "the header was not shown at all"

# validate's errors after writing are not hidden: the exit code and a last line say so
"$LI" mapping new "$DATA/exports/06-lang-soorten.csv" --offline --employer 40102 \
    --components "$DATA/components.json" --learn-from none -y --period 2026-P11 -o "$W/06.json" \
    >"$W/log" 2>&1 && fail "validate's error (--period against a period column) was not passed on"
grep -q "validate found errors" "$W/log" || fail "the failed validate is not pointed out"

# bad command lines and inputs
"$LI" mapping new >/dev/null 2>&1; [ $? -eq 64 ] || fail "no FILE was not a usage error"
"$LI" mapping old x >/dev/null 2>&1; [ $? -eq 64 ] || fail "'mapping old' was not a usage error"
"$LI" mapping new "$DATA/exports/01-excel-nl-titel-totaal.csv" --offline --employer Bakkerij -y \
    -o "$W/x.json" >/dev/null 2>&1
[ $? -eq 64 ] || fail "offline --employer with a name was not refused"
"$LI" mapping new "$W/missing.csv" $COMMON -y -o "$W/x.json" >"$W/log" 2>&1 &&
    fail "a missing file was accepted"
grep -q "missing.csv" "$W/log" || fail "the missing file is not named"
echo '{"key": 10}' >"$W/bad-components.json"
"$LI" mapping new "$DATA/exports/17-unicode-tekst.txt" --offline --components "$W/bad-components.json" \
    -y -o "$W/x.json" >"$W/log" 2>&1 && fail "a bad component list was accepted"
grep -q "bad-components.json" "$W/log" || fail "the bad component list is not named"
[ ! -e "$W/x.json" ] || fail "a mapping was written after an error"
"$LI" help mapping | grep -q -- "--learn-from" || fail "help mapping does not show the options"
# the synonym list is read beside the program only: installed, it is found in share/; a copy of
# the program elsewhere finds none (and says so) rather than reading one from the environment
case "$LOKET_BUILD" in /*) b=$LOKET_BUILD ;; *) b=$LK_ROOT/$LOKET_BUILD ;; esac
make -s -C "$LK_ROOT" --no-print-directory BUILD="$b" -o "$b/loket-import" -o "$b/loket-sim" \
    install PREFIX="$W/p" MANIFEST=no >"$W/log" 2>&1 || { cat "$W/log" >&2; fail "make install failed"; }
"$W/p/bin/loket-import" mapping new "$DATA/exports/17-unicode-tekst.txt" $COMMON -y -o "$W/inst.json" \
    >"$W/log" 2>&1 || { cat "$W/log" >&2; fail "the installed program does not find its synonym list"; }
mkdir "$W/alone" && cp "$LI" "$W/alone/loket-import"
"$W/alone/loket-import" mapping new "$DATA/exports/17-unicode-tekst.txt" $COMMON -y -o "$W/alone.json" \
    >"$W/log" 2>&1
[ $? -eq 3 ] || fail "without its synonym list the program did not stop with exit 3"
grep -q "synonyms-nl.json" "$W/log" || fail "the missing synonym list is not named"

# bash completion: the subcommand, its options and the export files
if command -v bash >/dev/null; then
    mkdir "$W/comp" && touch "$W/comp/uren.csv" "$W/comp/comp.json" "$W/comp/notes.md" && mkdir "$W/comp/maps"
    comp() {
        (cd "$W/comp" && bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
            _loket_import; printf "%s\n" "${COMPREPLY[@]}"' comp "$LK_ROOT/completion/loket-import" "$@")
    }
    comp "$LI" mapping "" | grep -qx new || fail "completion: 'mapping' does not offer 'new'"
    comp "$LI" mapping new --lea | grep -qx -- --learn-from || fail "completion: --learn-from not offered"
    comp "$LI" mapping new "" | grep -qx uren.csv || fail "completion: the export is not offered"
    comp "$LI" mapping new "" | grep -q notes.md && fail "completion: a .md file is offered as an export"
    comp "$LI" mapping new --components "" | grep -qx comp.json || fail "completion: --components does not offer .json"
    comp "$LI" mapping new --learn-from "" | grep -qx maps || fail "completion: --learn-from does not offer folders"
fi
echo "PASS"
