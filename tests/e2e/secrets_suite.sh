#!/bin/sh
# secrets_suite.sh: runs a representative suite of commands against loket-sim, every one with
# --trace, --stats and reports where it takes them (auth code/set-refresh-token/refresh/status,
# the look-ups, validate, plan and apply (each with the exit code it must give), and failures: a wrong
# client secret, a spent code, a refused refresh token), then searches everything they produced
# (traces, reports of every format, XLSX unpacked, journals, stdout, stderr, the simulator's own
# log) for every secret: the fixture's client secret, refresh token, authorization codes and
# password, and every access and refresh token issued during the run (collected from the token
# store after each command). None may appear. The token store must be 0600 in a 0700 folder.
# sim-modes: both
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh" # check_report_state, check_plan_apply
IMPORT=$LK_IMPORT
start_sim --verbose --token-max-requests 40
O=$SIM_DIR/out-files
mkdir -p "$O" "$SIM_DIR/state"
secrets=$SIM_DIR/secrets.txt
jq -r '.auth | .clientSecret, .refreshTokens[], .authorizationCodes[], .users[].password' \
    "$SIM_FIXTURE" >"$secrets"
cfg=$SIM_DIR/config.json
cat >"$cfg" <<JSON
{ "environment": "custom", "apiUrl": "$SIM_URL", "tokenUrl": "$SIM_ROOT/token",
  "clientId": "$(jq -r .auth.clientId "$SIM_FIXTURE")",
  "tokenStore": "$SIM_DIR/state/lk/tokens.json" }
JSON
LOKET_CLIENT_SECRET=$(jq -r .auth.clientSecret "$SIM_FIXTURE")
export LOKET_CLIENT_SECRET
store=$SIM_DIR/state/lk/tokens.json
n=0

# The tokens in the store are secrets from now on (the store is the only place they may be).
collect() {
    [ -f "$store" ] && jq -r '.refreshToken // empty, .accessToken // empty' "$store" 2>/dev/null >>"$secrets"
}

# run EXPECTED-EXIT(S) ARGS...: one command with a trace; its stdout/stderr kept in $O.
run() {
    want=$1
    shift
    n=$((n + 1))
    timeout 120 "$IMPORT" "$@" >"$O/$n.stdout" 2>"$O/$n.stderr"
    st=$?
    collect
    case " $want " in *" $st "*) ;; *)
        cat "$O/$n.stderr" >&2; fail "loket-import $1 $2: exit $st, expected $want" ;;
    esac
}
common() { printf -- '--config %s --trace %s/trace-%s.log --stats' "$cfg" "$O" "$n"; }
# plan and apply take the connection options but not --stats
common_import() { printf -- '--config %s --trace %s/trace-%s.log' "$cfg" "$O" "$n"; }

code=$(jq -r '.auth.authorizationCodes[0]' "$SIM_FIXTURE")
uri=$(jq -r '.auth.redirectUris[0]' "$SIM_FIXTURE")
# shellcheck disable=SC2046
printf '%s\n' "$code" >"$SIM_DIR/code"
run 0 auth code --redirect-uri "$uri" $(common) <"$SIM_DIR/code"
run 3 auth code --redirect-uri "$uri" $(common) <"$SIM_DIR/code"    # the code is spent
run 0 auth refresh $(common)
run 0 auth status $(common)
run 0 auth status --json $(common)
run 0 employers $(common)
run 0 employers --json $(common)
run 0 employments --employer "Bakkerij Van den Berg B.V." --json $(common)
run 0 employments --employer "Bakkerij Van den Berg B.V." --number 1001,1007 $(common)
run 0 periods --admin 40101 --year 2026 --employer "Bakkerij Van den Berg B.V." $(common)
run 0 components --admin 40101 --year 2026 --employer "Bakkerij Van den Berg B.V." --json $(common)
curl -s -X POST "$SIM_ROOT/__sim/expire-tokens" >/dev/null
run 0 employers $(common)                                    # 401, refresh, retry
run 0 validate "$LK_ROOT/samples/uren-maand-40101-2026-11.csv" -m "$LK_ROOT/mappings/uren-maand-excel.json" \
    --period 2026-11 --report "$O/validate.csv" --report "$O/validate.json" --report "$O/validate.xlsx"
S=$LK_ROOT/samples/uren-maand-40101-2026-11.csv M=$LK_ROOT/mappings/uren-maand-excel.json
run 0 plan "$S" -m "$M" --period 2026-11 --report "$O/plan.json" --report "$O/plan.xlsx" \
    --report "$O/plan.csv" $(common_import)
run 0 apply "$S" -m "$M" --period 2026-11 --report "$O/apply.json" --report "$O/apply.xlsx" \
    --report "$O/apply.csv" --journal "$O/apply.journal" --verify $(common_import)
# each apply's report agrees with Loket's state, and with the plan before it
check_report_state "$O/apply.json"
check_plan_apply "$O/apply.json" "$O/plan.json"
run 0 apply "$S" -m "$M" --period 2026-11 --report "$O/apply2.json" --journal "$O/apply2.journal" $(common_import)
check_report_state "$O/apply2.json"
check_plan_apply "$O/apply2.json"
# failures must not echo what they were given
LOKET_CLIENT_SECRET=wrong-secret-$$-do-not-print run 3 auth refresh $(common)
echo wrong-secret-$$-do-not-print >>"$secrets"
echo "refused-refresh-token-$$-xyz" | run 0 auth set-refresh-token $(common)
echo "refused-refresh-token-$$-xyz" >>"$secrets"
run 3 auth refresh $(common)
run 3 employers $(common)

# token store permissions
perm=$(stat -c %a "$store" 2>/dev/null) || fail "no token store at $store"
[ "$perm" = 600 ] || fail "token store mode $perm, expected 600"
dperm=$(stat -c %a "$(dirname "$store")")
[ "$dperm" = 700 ] || fail "token store folder mode $dperm, expected 700"

# unpack the XLSX reports so their text is searched too
for x in "$O"/*.xlsx; do
    [ -f "$x" ] || continue
    /usr/bin/python3 -c 'import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
sys.stdout.buffer.write(b"".join(z.read(n) for n in z.namelist()))' "$x" >"$x.unpacked" ||
        fail "$x is not a readable XLSX"
done
cp "$SIM_DIR/err" "$O/loket-sim.log"
[ "$(ls "$O"/trace-*.log 2>/dev/null | wc -l)" -ge 10 ] || fail "fewer traces than commands"
# every command left its output to be searched (an empty search finds no leak)
i=1
while [ $i -le $n ]; do
    [ -f "$O/$i.stdout" ] && [ -f "$O/$i.stderr" ] || fail "command $i left no output files"
    i=$((i + 1))
done
[ "$(find "$O" -name '*.std*' -size +0 | wc -l)" -ge $((n - 3)) ] ||
    fail "only $(find "$O" -name '*.std*' -size +0 | wc -l) of $n commands printed anything"
for f in plan.json plan.xlsx plan.csv apply.json apply.xlsx apply.csv apply.journal apply2.json; do
    [ -s "$O/$f" ] || fail "$f was not written: the search would miss it"
done

sort -u "$secrets" | grep -v '^$' | grep -v '^null$' >"$secrets.u"
nsecrets=$(wc -l <"$secrets.u")
[ "$nsecrets" -ge 8 ] || fail "only $nsecrets secrets collected: the token store was not read"
leaks=0
while IFS= read -r s; do
    if grep -r -l -F -e "$s" "$O" >"$SIM_DIR/hits" 2>/dev/null; then
        leaks=$((leaks + 1))
        echo "LEAK: a secret (${#s} chars, starting ${s%"${s#???}"}...) in:" >&2
        sed 's/^/    /' "$SIM_DIR/hits" >&2
    fi
done <"$secrets.u"
nfiles=$(find "$O" -type f | wc -l)
[ $leaks -eq 0 ] || fail "$leaks secrets found in the output of the suite"
echo "secrets_suite: $n commands, $nfiles files searched, $nsecrets secrets, none found"
stop_sim
