#!/bin/sh
# commands_alike.sh: the commands behave alike. Every look-up (employers, employments,
# components, periods) takes an employer or administration the way plan does: id, employer
# number, name or an administration's client number, with two employers in sight and none
# configured; 'help CMD' is 'CMD --help'; -V prints the version; a wrong command line exits 64
# (not 3, which is configuration and connection); plan/apply -q print only errors, on stderr.
# sim-modes: both
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh"
start_import_sim
O=$SIM_DIR/li.out E=$SIM_DIR/li.err
ok() { [ "$LI_RC" = 0 ] || { cat "$O" "$E"; fail "$1: exit $LI_RC"; }; }

# ---- look-ups by client number, without --employer (the user sees two employers)
li employments --employer 40101
ok "employments --employer 40101"
head -n 1 "$O" | grep -q '^Bakkerij Van den Berg B.V.: ' || fail "employments --employer 40101: wrong employer"
grep -q ' 40101 ' "$O" || fail "employments --employer 40101 lists no employment of 40101"
grep -q ' 40102 ' "$O" && fail "employments --employer 40101 also lists administration 40102"
li employments --employer 40102 --admin 40101
ok "employments --employer 40102 --admin 40101"
grep -q ' 40101 ' "$O" || fail "--admin does not win over the client number of --employer"
li employments --employer 'Hoveniersbedrijf De Linde' --json
ok "employments --employer NAME"
[ "$(jq '[.[] | select(.clientNumber == 40201)] | length' "$O")" -gt 0 ] || fail "employments by name: none of 40201"
li components --admin 40101 --year 2026
ok "components --admin 40101 (no --employer)"
head -n 1 "$O" | grep -q '^Van den Berg maandloon, 2026: ' || fail "components --admin 40101: $(head -n 1 "$O")"
li components --employer 40201 --year 2026
ok "components --employer 40201"
head -n 1 "$O" | grep -q '^De Linde weekloon, 2026: ' || fail "components --employer 40201: $(head -n 1 "$O")"
li periods --admin 'De Linde weekloon' --year 2026
ok "periods --admin NAME (no --employer)"
head -n 1 "$O" | grep -q '^De Linde weekloon: 53 period' || fail "periods by name: $(head -n 1 "$O")"
li employers --employer 40102 --json
ok "employers --employer 40102"
[ "$(jq -c '[.[] | .payrollAdministrations[].clientNumber]' "$O")" = '[40102]' ] ||
    fail "employers --employer 40102: $(jq -c . "$O")"
li employers --employer 2
ok "employers --employer 2 (employer number)"
grep -q 'Hoveniersbedrijf De Linde' "$O" && ! grep -q 'Bakkerij' "$O" || fail "employers --employer 2: $(cat "$O")"
# unknown ones: a clear error, not found (2)
li employments --employer 99999
[ "$LI_RC" = 2 ] && grep -q 'employer "99999" is neither one of the 2 employers' "$E" ||
    fail "employments --employer 99999: exit $LI_RC $(cat "$E")"
li components --admin 99999
[ "$LI_RC" = 2 ] && grep -q 'payroll administration "99999" not found at any employer' "$E" ||
    fail "components --admin 99999: exit $LI_RC $(cat "$E")"

# -q: the look-ups print only errors too
li employments --employer 40101 -q
[ "$LI_RC" = 0 ] && [ ! -s "$O" ] && [ ! -s "$E" ] || fail "employments -q: exit $LI_RC, $(cat "$O" "$E")"
for cmd in "employers" "components --admin 40101" "periods --admin 40101"; do
    li $cmd -q
    [ "$LI_RC" = 0 ] && [ ! -s "$O" ] || fail "$cmd -q printed: $(cat "$O")"
done
li components --admin 99999 -q
[ "$LI_RC" = 2 ] && [ ! -s "$O" ] && grep -q '"99999" not found' "$E" || fail "components -q of an unknown one: $LI_RC"

# ---- help CMD, -V
for cmd in validate plan apply watch auth employers employments components periods runs revert; do
    a=$("$IMPORT_BIN" help "$cmd" 2>&1)
    b=$("$IMPORT_BIN" "$cmd" --help 2>&1)
    [ -n "$a" ] && [ "$a" = "$b" ] || fail "'help $cmd' is not '$cmd --help'"
done
"$IMPORT_BIN" help apply | head -n 1 | grep -q '^usage: loket-import apply' || fail "help apply shows another text"
"$IMPORT_BIN" help nosuch >/dev/null 2>"$E"
[ $? = 64 ] && grep -q "'nosuch' is not a command" "$E" || fail "help nosuch"
v=$("$IMPORT_BIN" -V) || fail "-V failed"
[ "$v" = "$("$IMPORT_BIN" --version)" ] && printf '%s\n' "$v" | grep -Eq '^loket-import [0-9]+\.[0-9]+' ||
    fail "-V printed '$v'"

# ---- usage errors: 64, for every command, documented
usage() { # expected-text command args...
    want=$1
    shift
    "$IMPORT_BIN" "$@" >/dev/null 2>"$E"
    st=$?
    [ "$st" = 64 ] || fail "'$*': exit $st, expected 64"
    [ -z "$want" ] || grep -q -- "$want" "$E" || fail "'$*': no '$want' in: $(cat "$E")"
}
usage "" plan --no-such-option
usage "plan needs one FILE or more" plan -m x.json
usage "--period 2026-13" plan x.csv -m x.json --period 2026-13
usage "--lines x" plan x.csv -m x.json --lines x
usage "" apply --no-such-option
usage "" validate
usage "" watch
usage "" employers --no-such-option
usage "" employments --number x
usage "--year takes a year" components --year 20x6
usage "" periods --no-such-option
usage "is not an auth command" auth nosuch
usage "expected 'runs' or 'runs show ID'" runs nosuch
usage "revert needs one RUN" revert
usage "is not a command" nosuch
usage "" --concurrency
"$IMPORT_BIN" --help | grep -q '64 *usage error' || fail "--help does not list exit code 64"
"$IMPORT_BIN" plan --help | grep -q '64 usage error' || fail "plan --help does not list exit code 64"
grep -q '^| 64 |' "$LK_ROOT/docs/exit-codes.md" || fail "docs/exit-codes.md does not list 64"
# a configuration problem is still 3
"$IMPORT_BIN" employers --config "$SIM_DIR/none.json" >/dev/null 2>&1
[ $? = 3 ] || fail "a missing --config file is not exit 3"

# ---- -q: only errors, on stderr
CSV=$(sample uren-maand-40101-2026-11.csv)
MAP=$(mapping uren-maand-excel.json)
li plan "$CSV" -m "$MAP" --period 2026-11 -q
ok "plan -q"
[ ! -s "$O" ] && [ ! -s "$E" ] || fail "plan -q without errors printed: $(cat "$O" "$E")"
{ head -n 1 "$CSV"; echo '1999;1;X;8;;;;;;'; echo '1001;1;Y;160;;;;;;'; } >"$SIM_DIR/bad.csv"
li plan "$SIM_DIR/bad.csv" -m "$MAP" --period 2026-11 -q
[ "$LI_RC" = 2 ] || fail "plan -q of an unknown employee: exit $LI_RC"
[ ! -s "$O" ] || fail "plan -q printed on stdout: $(cat "$O")"
grep -q 'employee number 1999 is not known' "$E" || fail "plan -q did not print the error: $(cat "$E")"
grep -q 'exit code\|records from' "$E" && fail "plan -q printed the summary"
li apply "$CSV" -m "$MAP" --period 2026-11 -q
ok "apply -q"
[ ! -s "$O" ] && [ ! -s "$E" ] || fail "apply -q without errors printed: $(cat "$O" "$E")"
echo "commands_alike: ok"
