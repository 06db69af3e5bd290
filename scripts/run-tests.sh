#!/bin/sh
# Runs the test suite against one or more build folders and prints one closing line:
# "N passed, N failed". A build folder named build-fuzz gets a short smoke of every fuzz target;
# any other gets every CUnit program in BUILD/tests and every tests/e2e/*.sh script; a script
# holding the line "# sim-modes: both" runs a second time against loket-sim --strict-minimal
# (LOKET_SIM_MODE=minimal), reported as BUILD:script[minimal].
set -u
passed=0 failed=0
failures=""
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

record() { # name status
    if [ "$2" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); failures="$failures $1"; fi
}

run_unit() { # build test-binary
    name="$1:$(basename "$2")"
    out="$log/unit.out"
    LOKET_BUILD="$1" "$2" >"$out" 2>&1
    st=$?
    # CUnit's summary line: "tests  total ran passed failed inactive"
    line=$(awk '$1 == "tests" && NF >= 5 { print $4, $5 }' "$out" | tail -n 1)
    if [ -n "$line" ]; then
        p=${line% *}; f=${line#* }
        passed=$((passed + p)); failed=$((failed + f))
        if [ "$f" -ne 0 ] || [ "$st" -ne 0 ]; then
            [ "$f" -eq 0 ] && failed=$((failed + 1))
            failures="$failures $name"; cat "$out"
        fi
        echo "unit  $name: $p passed, $f failed"
    else
        record "$name" 1; cat "$out"; echo "unit  $name: no CUnit summary (exit $st)"
    fi
}

run_e2e() { # build script [sim-mode]
    name="$1:$(basename "$2" .sh)${3:+[$3]}"
    out="$log/e2e.out"
    LOKET_BUILD="$1" LOKET_SIM_MODE="${3:-normal}" timeout 900 sh "$2" >"$out" 2>&1
    st=$?
    record "$name" "$st"
    if [ "$st" -ne 0 ]; then cat "$out"; echo "e2e   $name: FAILED (exit $st)"; else echo "e2e   $name: ok"; fi
}

run_fuzz_smoke() { # build-fuzz
    for f in "$1"/fuzz_*; do
        [ -x "$f" ] || continue
        n=${f##*/fuzz_}
        corpus=tests/fuzz/corpus/$n
        # libFuzzer writes new inputs into its first corpus folder: a scratch one, so the
        # committed seed corpus never collects generated files
        mkdir -p "$log/corpus-$n"
        dict=; [ -f "tests/fuzz/dict/$n.dict" ] && dict="-dict=tests/fuzz/dict/$n.dict"
        "$f" -runs=2000 -max_total_time=20 $dict "$log/corpus-$n" "$corpus" >"$log/fuzz.out" 2>&1
        st=$?
        record "fuzz:$n" "$st"
        if [ "$st" -ne 0 ]; then tail -n 40 "$log/fuzz.out"; echo "fuzz  $n: FAILED"; else echo "fuzz  $n: ok"; fi
    done
}

for build in "$@"; do
    case "$build" in
    *fuzz*) run_fuzz_smoke "$build" ;;
    *)
        for t in "$build"/tests/test_*; do [ -x "$t" ] && run_unit "$build" "$t"; done
        for s in tests/e2e/*.sh; do
            [ -f "$s" ] && [ "${s##*/}" != lib.sh ] || continue
            run_e2e "$build" "$s"
            if grep -qx '# sim-modes: both' "$s"; then run_e2e "$build" "$s" minimal; fi
        done
        ;;
    esac
done

[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
