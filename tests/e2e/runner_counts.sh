#!/bin/sh
# runner_counts.sh: scripts/run-tests.sh counts what it must. In a scratch tree with stand-in tests
# (shell scripts in place of unit programs and fuzz targets): a listed script that is gone, a
# unit program that was not built and a fuzz target that is missing each count as failed; a
# script the manifest does not list runs and fails the run once; a library is not run; exit 77
# is a skip, counted apart, and fails under CI=true unless tagged may-skip; a sanitizer report
# file fails a test that exited 0; a failing test's output is printed in one piece; the tests
# run several at a time (three meet at a barrier); the closing line is "N passed, N failed, N skipped".
set -u
. "$(dirname "$0")/lib.sh"
# the counts below are for a runner outside CI; CI itself runs this script with CI=true
unset CI

T=$(mktemp -d "${TMPDIR:-/tmp}/lk-runner-XXXXXX") || fail "mktemp"
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/scripts" "$T/tests/e2e" "$T/tests/unit" "$T/tests/fuzz/corpus/f1" "$T/b/tests" "$T/b-fuzz"
cp "$LK_ROOT/scripts/run-tests.sh" "$T/scripts/"

e2e() { # name body
    printf '#!/bin/sh\n%s\n' "$2" >"$T/tests/e2e/$1.sh"
}
unit() { # name passed failed [exit]
    : >"$T/tests/unit/$1.c"
    printf '#!/bin/sh\necho "Run Summary:    Type  Total    Ran Passed Failed Inactive"\necho "              tests     %s     %s     %s      %s        0"\nexit %s\n' \
        $(($2 + $3)) $(($2 + $3)) "$2" "$3" "${4:-0}" >"$T/b/tests/$1"
    chmod +x "$T/b/tests/$1"
}
# ok1..ok3 meet at a barrier: each passes only when all three are running at the same time
for n in 1 2 3; do
    e2e ok$n 'touch "'"$T"'/bar.'$n'"; i=0
while [ ! -f "'"$T"'/bar.1" ] || [ ! -f "'"$T"'/bar.2" ] || [ ! -f "'"$T"'/bar.3" ]; do
    i=$((i + 1)); [ $i -lt 300 ] || { echo "alone at the barrier"; exit 1; }; sleep 0.1
done; echo fine'
done
e2e broken 'echo "first line of broken"; echo "FAIL: broken on purpose"; exit 1'
e2e skipper 'echo "SKIP: no such tool here"; exit 77'
e2e allowed 'echo "SKIP: needs a desktop"; exit 77'
e2e unlisted 'exit 0'
e2e sanitized 'echo "report" >"$LK_SAN_DIR/report.1"; exit 0'
e2e both '# sim-modes: both
echo "mode $LOKET_SIM_MODE" >>"'"$T"'/modes"'
e2e helper_lib 'exit 1'
unit test_good 5 0
unit test_bad 3 2 1
unit test_crash 0 0 134
: >"$T/tests/unit/test_unbuilt.c"
: >"$T/tests/fuzz/fuzz_f1.c"
: >"$T/tests/fuzz/fuzz_f2.c"
printf '#!/bin/sh\nexit 0\n' >"$T/b-fuzz/fuzz_f1"
chmod +x "$T/b-fuzz/fuzz_f1"
cat >"$T/tests/manifest" <<'EOF'
# comment lines are not tests
e2e allowed may-skip
e2e both
e2e broken
e2e gone
e2e ok1
e2e ok2 check
e2e ok3
e2e sanitized
e2e skipper
fuzz f1
fuzz f2
lib helper_lib.sh
unit test_bad
unit test_crash
unit test_good
unit test_unbuilt
EOF

run() { # expected-exit args...
    want=$1
    shift
    (cd "$T" && sh scripts/run-tests.sh "$@") >"$T/out" 2>&1
    got=$?
    [ "$got" = "$want" ] || { cat "$T/out"; fail "run-tests.sh $*: exit $got, expected $want"; }
}
has() { grep -q -- "$1" "$T/out" || { cat "$T/out"; fail "run-tests.sh output lacks: $1"; }; }
hasnt() { ! grep -q -- "$1" "$T/out" || { cat "$T/out"; fail "run-tests.sh output has: $1"; }; }

run 1 -j 4 b b-fuzz
# passed: ok1 ok2 ok3 both both[minimal] unlisted + 5 + 3 unit checks + f1 = 15; failed: broken,
# gone, sanitized, test_bad (2), test_crash (1), test_unbuilt, f2, unlisted's missing line = 9
has '^15 passed, 9 failed, 2 skipped$'
has 'FAIL  e2e b:gone: .*'
has 'tests/e2e/gone.sh is missing'
has 'b/tests/test_unbuilt was not built'
has 'b-fuzz/fuzz_f2 was not built'
has 'FAIL  manifest: unlisted is in the tree but not in tests/manifest; add the line: e2e unlisted'
has 'ok    e2e b:unlisted'
has "FAIL  e2e b:sanitized: exit 0, sanitizer report"
has 'FAIL  unit b:test_crash: 0 passed, 1 failed'
has 'skip  e2e b:skipper: SKIP: no such tool here'
hasnt 'helper_lib'
hasnt 'b-fuzz:ok1'
[ "$(sort "$T/modes" | tr '\n' ' ')" = "mode minimal mode normal " ] || fail "sim-modes: both ran: $(cat "$T/modes")"
# the failing script's output in one piece, right before its verdict
awk '/^=== e2e b:broken: output/ { s = NR } /first line of broken/ { a = NR } /FAIL: broken on purpose/ { b = NR }
     /^FAIL  e2e b:broken/ { c = NR } END { exit !(s && a == s + 1 && b == a + 1 && c == b + 1) }' "$T/out" ||
    { cat "$T/out"; fail "the output of broken is not kept together"; }
# ok1..ok3 passed: they ran at the same time (the barrier above)

# under CI a skip fails unless tagged may-skip
CI=true run 1 --only 'allowed' b
has '^0 passed, 0 failed, 1 skipped$'
CI=true run 1 --only 'skipper' b
has 'FAIL  CI: b:skipper skipped, but this machine kind can run it'
has '^0 passed, 1 failed, 1 skipped$'

# the fast tier: the unit programs and the scripts tagged check
run 1 --check b
has 'ok    e2e b:ok2'
hasnt 'e2e b:ok1'
has 'unit b:test_good'
rm -f "$T"/bar.*
run 0 --only 'ok*' b
has '^3 passed, 0 failed$'
echo "runner_counts: ok"
