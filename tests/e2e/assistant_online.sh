#!/bin/sh
# assistant_online.sh: `loket-import mapping new --employer CLIENT` against loket-sim: the
# components come from the administration in Loket, the employee numbers are looked up among
# the employer's employments: numbers under a header that does not say so ("Nr") are confirmed
# by Loket and the mapping is written (offline that stays a question), numbers that are not
# employees of the employer stay a question, cost centre and client number columns hold what
# Loket knows, and an employer Loket does not know is an error. Every corpus export that comes
# out as hand-checked offline does so online too (components from each administration).
# sim-modes: both
set -u
. "$(dirname "$0")/lib.sh"
start_sim

LI="$LK_ROOT/$LOKET_BUILD/loket-import"
case "$LOKET_BUILD" in /*) LI="$LOKET_BUILD/loket-import" ;; esac
DATA="$LK_ROOT/tests/data/assistant"
CFG="$SIM_DIR/config.json"
cat >"$CFG" <<EOF
{ "environment": "custom", "apiUrl": "$SIM_URL", "tokenUrl": "$SIM_ROOT/token",
  "clientId": "$(jq -r .auth.clientId "$SIM_FIXTURE")", "tokenStore": "$SIM_DIR/state/tokens.json" }
EOF
LOKET_CLIENT_SECRET=$(jq -r .auth.clientSecret "$SIM_FIXTURE")
export LOKET_CLIENT_SECRET
"$LI" auth set-refresh-token --config "$CFG" <"$SIM_DIR/refresh" >/dev/null 2>&1 ||
    fail "auth set-refresh-token failed"
new() { "$LI" mapping new "$@" --config "$CFG" --learn-from none; }
same_as_hand() { # export mapping period
    for m in "$2" "$DATA/mappings/$(basename "${1%.*}").json"; do
        "$LI" validate "$1" -m "$m" --period "$3" --json | jq -S 'del(.mapping) | del(.files[].components[].name)'
    done >"$SIM_DIR/both"
    rm -f "$SIM_DIR"/part*
    (cd "$SIM_DIR" && csplit -s -f part both '/^{/' '{1}') || return 1
    cmp -s "$SIM_DIR/part01" "$SIM_DIR/part02"
}

# "Nr": offline a question, online confirmed by Loket (7 of 7 are employees of 40101)
f="$DATA/exports/16-nummer-zonder-kop.csv"
new "$f" --employer 40101 --yes --period 2026-11 -o "$SIM_DIR/16.json" >"$SIM_DIR/log" 2>&1 ||
    { cat "$SIM_DIR/log" >&2; fail "online, the employee numbers under 'Nr' were not confirmed"; }
grep -q "7 of 7 values are employee numbers in Loket" "$SIM_DIR/log" || fail "the Loket check is not shown"
grep -q "Loket (Van den Berg maandloon, 2026)" "$SIM_DIR/16.json" || fail "the components' source is not Loket"
jq -e '.employer.clientNumber == "40101"' "$SIM_DIR/16.json" >/dev/null || fail "the employer was not written"
same_as_hand "$f" "$SIM_DIR/16.json" 2026-11 || fail "16: not the hand-checked result online"

# components from Loket give the same mapping as the saved list
f="$DATA/exports/01-excel-nl-titel-totaal.csv"
new "$f" --employer 40101 --yes --period 2026-11 -o "$SIM_DIR/01.json" >"$SIM_DIR/log" 2>&1 ||
    { cat "$SIM_DIR/log" >&2; fail "01 online failed"; }
same_as_hand "$f" "$SIM_DIR/01.json" 2026-11 || fail "01: not the hand-checked result online"

# numbers that are no employees of this employer: a question, nothing written
printf 'Nr;Naam;Uren gewerkt\n5001;A;160\n5002;B;152\n5003;C;168\n' >"$SIM_DIR/vreemd.csv"
new "$SIM_DIR/vreemd.csv" --employer 40101 --yes -o "$SIM_DIR/vreemd.json" >"$SIM_DIR/log" 2>&1
rc=$?
[ $rc -eq 2 ] || { cat "$SIM_DIR/log" >&2; fail "unknown employee numbers: exit $rc, expected 2"; }
grep -q "0 of 3 values are employee numbers in Loket" "$SIM_DIR/log" || fail "the failed Loket check is not shown"
[ ! -e "$SIM_DIR/vreemd.json" ] || fail "a mapping was written for numbers Loket does not know"

# the employees of another employer are not this one's (3001 is Garage Smit's)
printf 'Personeelsnr;Uren gewerkt\n3001;160\n3002;152\n' >"$SIM_DIR/ander.csv"
new "$SIM_DIR/ander.csv" --employer 40101 --yes -o "$SIM_DIR/ander.json" >"$SIM_DIR/log" 2>&1
[ $? -eq 2 ] || fail "employees of another employer were accepted"

# cost centres: a column of Loket's codes under a header that does not say so is one; a
# Kostenplaats column with a code the administration lacks is a question
printf 'Personeelsnr;Afdeling;Uren gewerkt\n1001;PROD;80\n1001;VERK;72\n1004;ADM;160\n' >"$SIM_DIR/afd.csv"
new "$SIM_DIR/afd.csv" --employer 40101 --yes --period 2026-11 -o "$SIM_DIR/afd.json" >"$SIM_DIR/log" 2>&1 ||
    { cat "$SIM_DIR/log" >&2; fail "a column of cost centre codes was not recognised"; }
jq -e '.recordKey.costCenter.column == "Afdeling"' "$SIM_DIR/afd.json" >/dev/null ||
    fail "Afdeling was not written as the cost centre"
grep -q "3 of 3 values are codes of the administration in Loket" "$SIM_DIR/log" ||
    fail "the cost centre check is not shown"
printf 'Personeelsnr;Kostenplaats;Uren gewerkt\n1001;PROD;80\n1004;MAGAZIJN;160\n' >"$SIM_DIR/kpl.csv"
new "$SIM_DIR/kpl.csv" --employer 40101 --yes -o "$SIM_DIR/kpl.json" >"$SIM_DIR/log" 2>&1
rc=$?
[ $rc -eq 2 ] || { cat "$SIM_DIR/log" >&2; fail "an unknown cost centre code: exit $rc, expected 2"; }
grep -q "1 of 2 values are codes" "$SIM_DIR/log" || fail "the unknown cost centre is not shown"
[ ! -e "$SIM_DIR/kpl.json" ] || fail "a mapping was written with an unknown cost centre"

# the corpus online: components from each administration, employee numbers (per client in a
# file of two clients) looked up in Loket; the same result as the hand-checked mapping
n=0
while read -r file employer period expect; do
    case "$file" in ''|'#'*) continue ;; esac
    [ "$expect" = same ] || continue
    if [ "$period" = - ]; then p=2026-11; set --; else p=$period; set -- --period "$period"; fi
    "$LI" mapping new "$DATA/exports/$file" --config "$CFG" --employer "$employer" --yes "$@" \
        --learn-from "$DATA/learned" -o "$SIM_DIR/c-$file.json" >"$SIM_DIR/log" 2>&1 ||
        { cat "$SIM_DIR/log" >&2; fail "$file online: mapping new failed"; }
    grep -q "values are employee numbers in Loket" "$SIM_DIR/log" || fail "$file: employees not checked"
    if [ "$period" = - ]; then set --; else set -- --period "$period"; fi
    for m in "$SIM_DIR/c-$file.json" "$DATA/mappings/${file%.*}.json"; do
        "$LI" validate "$DATA/exports/$file" -m "$m" "$@" --json | jq -S 'del(.mapping) | del(.files[].components[].name)'
    done >"$SIM_DIR/both"
    rm -f "$SIM_DIR"/part*
    (cd "$SIM_DIR" && csplit -s -f part both '/^{/' '{1}') && cmp -s "$SIM_DIR/part01" "$SIM_DIR/part02" ||
        fail "$file online: not the hand-checked result"
    n=$((n + 1))
done <"$DATA/corpus.txt"
[ "$n" -ge 13 ] || fail "only $n corpus exports were tried online"
f="$DATA/exports/08-meerdere-werkgevers.csv"
new "$f" --employer 40101 --yes -o "$SIM_DIR/08.json" >"$SIM_DIR/log" 2>&1 ||
    { cat "$SIM_DIR/log" >&2; fail "two clients in one file were not confirmed"; }
grep -q "2 of 2 values are client numbers in Loket" "$SIM_DIR/log" || fail "the client check is not shown"
grep -q "5 of 5 values are employee numbers in Loket" "$SIM_DIR/log" || fail "employees of both clients not found"
printf 'Klantnr;Personeelsnr;Uren gewerkt\n40101;1001;160\n77777;1002;150\n' >"$SIM_DIR/klant.csv"
new "$SIM_DIR/klant.csv" --employer 40101 --yes -o "$SIM_DIR/klant.json" >"$SIM_DIR/log" 2>&1
[ $? -eq 2 ] || fail "an unknown client number was accepted"
grep -q "1 of 2 values are client numbers in Loket" "$SIM_DIR/log" || fail "the unknown client is not shown"

# an employer Loket does not know
new "$f" --employer 99999 --yes -o "$SIM_DIR/x.json" >"$SIM_DIR/log" 2>&1
rc=$?
[ $rc -ne 0 ] || fail "an unknown employer: exit $rc"
grep -q "99999" "$SIM_DIR/log" || { cat "$SIM_DIR/log" >&2; fail "the unknown employer is not named"; }
[ ! -e "$SIM_DIR/x.json" ] || fail "a mapping was written for an unknown employer"
stop_sim
echo "PASS"
