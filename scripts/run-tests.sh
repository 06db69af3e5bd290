#!/bin/sh
# Runs the test suite against one or more build folders, several tests at a time, and ends with
# one line: "N passed, N failed" (", N skipped" when any test exited 77).
#
#   sh scripts/run-tests.sh [-j JOBS] [--check] [--kind 'unit e2e fuzz'] [--only GLOB] BUILD...
#
# What must run is listed in tests/manifest, one test a line ("unit test_csv", "e2e sim_basic",
# "fuzz csv", "lib lib.sh"; see that file's header for the tags). ADDING A TEST: put one line for
# it into tests/manifest, in alphabetical order:
#     e2e NAME        for tests/e2e/NAME.sh
#     unit test_NAME  for tests/unit/test_NAME.c
#     fuzz NAME       for tests/fuzz/fuzz_NAME.c
# The runner compares the manifest with the tree: a listed test whose file is gone, whose unit
# program was not built or whose fuzz target is missing counts as failed; a test in the tree that
# the manifest does not list still runs, and the missing line counts as one failure (the runner
# prints the line to add). `make manifest` prints the manifest the tree implies.
#
# A build folder named *fuzz* gets a short smoke run of every fuzz target; any other gets every
# unit program (BUILD/tests/test_*) and every e2e script. A script holding the line
# "# sim-modes: both" runs a second time against loket-sim --strict-minimal (LOKET_SIM_MODE=minimal),
# reported as BUILD:script[minimal]. --check runs the fast tier: the unit programs and the e2e
# scripts tagged "check" in the manifest, in normal mode. --only GLOB keeps the tests whose name
# matches GLOB (e.g. 'sim_*'; several globs separated by spaces), --kind the kinds named.
#
# JOBS (default: $LOKET_TEST_JOBS, else 4) tests run at once; most scripts spend their time
# waiting on loket-sim and on sleeps, so on 2 CPUs 4 at once keeps them busy. The longest tests
# start first (the durations of the last run are kept in BUILD/.test-times; on a fresh clone the
# manifest's "slow" tag orders them). Each test's output is kept in a file and printed in one
# piece when it fails; every test prints its time, every build folder its total.
#
# Sanitizers: every program a test runs gets ASAN_OPTIONS, UBSAN_OPTIONS and LSAN_OPTIONS that
# make a sanitizer report exit with code 86 and write the report into a folder of the test's own;
# a test after which that folder holds a report fails, whatever its exit code.
#
# Skips: a test that cannot run here exits 77 after printing a line "SKIP: reason"; it is counted
# apart. With CI=true a skip fails, unless the manifest tags the test "may-skip" (a tool this
# machine kind cannot provide).
set -u
cd "$(dirname "$0")/.." || exit 2
ROOT=$(pwd)
MANIFEST=tests/manifest

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# ---------------------------------------------------------------------------------------------
# One job (the runner calls itself through xargs): --job KIND BUILD NAME MODE
# Writes "PASSED FAILED SKIPPED SECONDS LABEL" into $LK_RESULTS/ID and prints its lines under a lock.
# ---------------------------------------------------------------------------------------------
job_print() { # file: printed in one piece
    flock "$LK_RESULTS/.print" cat "$1"
}

run_job() {
    kind=$1 build=$2 name=$3 mode=$4
    label="$build:$name"
    [ "$mode" = minimal ] && label="$label[minimal]"
    id=$(printf '%s' "$kind.$label" | tr '/[]:' '____')
    work="$LK_RESULTS/w.$id"
    mkdir -p "$work/san"
    out="$work/out" msg="$work/msg"
    : >"$msg"
    # a sanitizer report exits 86 and lands in $work/san, where no test's redirection hides it
    if [ "$kind" != fuzz ]; then
        ASAN_OPTIONS="exitcode=86:log_path=$work/san/asan:detect_leaks=1${LK_ASAN_EXTRA:+:$LK_ASAN_EXTRA}"
        UBSAN_OPTIONS="exitcode=86:halt_on_error=1:print_stacktrace=1:log_path=$work/san/ubsan"
        LSAN_OPTIONS="exitcode=86:log_path=$work/san/lsan"
        LK_SAN_DIR=$work/san # tests/sanitizer/report_marker.c: UBSan reports too
        export ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS LK_SAN_DIR
    fi
    t0=$(now)
    p=0 f=0 s=0
    case "$kind" in
    unit)
        bin="$build/tests/$name"
        if [ ! -f "tests/unit/$name.c" ]; then
            f=1; echo "tests/unit/$name.c is missing (it is in the manifest)" >"$out"; st=1
        elif [ ! -x "$bin" ]; then
            f=1; echo "$bin was not built (tests/unit/$name.c is in the manifest)" >"$out"; st=1
        else
            LOKET_BUILD="$build" timeout 600 "$bin" >"$out" 2>&1
            st=$?
            # CUnit's summary line: "tests  total ran passed failed inactive"
            line=$(awk '$1 == "tests" && NF >= 5 { print $4, $5 }' "$out" | tail -n 1)
            if [ -n "$line" ]; then
                p=${line% *} f=${line#* }
                [ "$st" -ne 0 ] && [ "$f" -eq 0 ] && f=1
            else
                f=1; echo "no CUnit summary (exit $st)" >>"$out"
            fi
        fi
        ;;
    e2e)
        s_file="tests/e2e/$name.sh"
        if [ ! -f "$s_file" ]; then
            st=1; echo "$s_file is missing (it is in the manifest)" >"$out"
        else
            LOKET_BUILD="$build" LOKET_SIM_MODE="$mode" \
                timeout 900 sh "$s_file" >"$out" 2>&1 </dev/null
            st=$?
            [ "$st" -eq 124 ] && echo "timed out after 900 s" >>"$out"
        fi
        if [ "$st" -eq 77 ]; then s=1; else [ "$st" -eq 0 ] && p=1 || f=1; fi
        ;;
    fuzz)
        bin="$build/fuzz_$name"
        if [ ! -f "tests/fuzz/fuzz_$name.c" ]; then
            st=1; echo "tests/fuzz/fuzz_$name.c is missing (it is in the manifest)" >"$out"
        elif [ ! -x "$bin" ]; then
            st=1; echo "$bin was not built (tests/fuzz/fuzz_$name.c is in the manifest)" >"$out"
        else
            # libFuzzer writes new inputs into its first corpus folder: a scratch one, so the
            # committed seed corpus never collects generated files
            mkdir -p "$work/corpus"
            dict=; [ -f "tests/fuzz/dict/$name.dict" ] && dict="-dict=tests/fuzz/dict/$name.dict"
            "$bin" -runs=2000 -max_total_time=20 $dict "$work/corpus" "tests/fuzz/corpus/$name" >"$work/full" 2>&1
            st=$?
            tail -n 40 "$work/full" >"$out"
        fi
        [ "$st" -eq 0 ] && p=1 || f=1
        ;;
    esac
    reports=$(find "$work/san" -type f -size +0 2>/dev/null | sort)
    if [ -n "$reports" ]; then
        [ "$f" -eq 0 ] && f=1 && p=0
        for r in $reports; do echo "--- sanitizer report ${r##*/}"; cat "$r"; done >>"$out"
        echo "sanitizer report (above)" >>"$msg"
    fi
    secs=$(elapsed "$t0" "$(now)")
    {
        if [ "$f" -gt 0 ]; then
            echo "=== $kind $label: output"
            sed 's/^/  | /' "$out"
            if [ "$kind" = unit ]; then echo "FAIL  $kind $label: $p passed, $f failed ($secs s)"
            else echo "FAIL  $kind $label: exit $st$(sed 's/^/, /' "$msg") ($secs s)"; fi
        elif [ "$s" -gt 0 ]; then
            why=$(grep '^SKIP' "$out" | tail -n 1)
            echo "skip  $kind $label: ${why:-no SKIP line} ($secs s)"
        elif [ "$kind" = unit ]; then
            echo "ok    $kind $label: $p passed ($secs s)"
        else
            echo "ok    $kind $label ($secs s)"
        fi
    } >"$work/print"
    echo "$p $f $s $secs $kind $label" >"$LK_RESULTS/$id"
    job_print "$work/print"
    [ "$f" -gt 0 ] || rm -rf "$work"
}

if [ "${1:-}" = --job ]; then
    shift
    run_job "$@"
    exit 0
fi

# ---------------------------------------------------------------------------------------------
# The run: read the manifest, compare it with the tree, plan the jobs, run them, count.
# ---------------------------------------------------------------------------------------------
jobs=${LOKET_TEST_JOBS:-4} tier=all only='*' kinds='unit e2e fuzz'
while [ $# -gt 0 ]; do
    case "$1" in
    -j) jobs=$2; shift 2 ;;
    -j*) jobs=${1#-j}; shift ;;
    --check) tier=check; shift ;;
    --only) only=$2; shift 2 ;;
    --kind) kinds=$2; shift 2 ;;
    --print-manifest) break ;;
    --) shift; break ;;
    -*) echo "run-tests.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
    esac
done
[ $# -gt 0 ] || { echo "usage: run-tests.sh [-j JOBS] [--check] [--only GLOB] BUILD..." >&2; exit 2; }

LK_RESULTS=$(mktemp -d "${TMPDIR:-/tmp}/lk-tests-XXXXXX") || exit 2
export LK_RESULTS
trap 'rm -rf "$LK_RESULTS"' EXIT
trap 'exit 1' INT TERM
start=$(now)

# selected NAME: NAME matches one of the --only globs
selected() {
    set -f # the globs are patterns for case, not for file names
    for g in $only; do
        case "$1" in $g) set +f; return 0 ;; esac
    done
    set +f
    return 1
}

# what the tree holds, as manifest lines
tree_tests() {
    for f in tests/unit/test_*.c; do [ -f "$f" ] && { n=${f##*/}; echo "unit ${n%.c}"; }; done
    for f in tests/e2e/*.sh; do [ -f "$f" ] && { n=${f##*/}; echo "e2e ${n%.sh}"; }; done
    for f in tests/fuzz/fuzz_*.c; do [ -f "$f" ] && { n=${f##*/fuzz_}; echo "fuzz ${n%.c}"; }; done
}

if [ "${1:-}" = --print-manifest ]; then
    # the manifest the tree implies (libraries: e2e files named *lib.sh), tags kept from the old one
    tree_tests | while read -r k n; do
        case "$k:$n" in e2e:*lib) k=lib n=$n.sh ;; esac
        tags=$(awk -v k="$k" -v n="$n" '$1 == k && $2 == n { $1 = ""; $2 = ""; sub(/^ +/, ""); print }' "$MANIFEST" 2>/dev/null)
        echo "$k $n${tags:+ $tags}"
    done | LC_ALL=C sort
    exit 0
fi

[ -f "$MANIFEST" ] || { echo "run-tests.sh: $MANIFEST is missing" >&2; exit 2; }
grep -v '^#' "$MANIFEST" | awk 'NF' >"$LK_RESULTS/manifest"
manifest_failed=0
# a test in the tree the manifest does not list: it runs, and the missing line counts as a failure
tree_tests | while read -r k n; do
    selected "$n" || continue
    if [ "$k" = e2e ] && awk -v n="$n.sh" '$1 == "lib" && $2 == n { f = 1 } END { exit !f }' "$LK_RESULTS/manifest"; then
        continue
    fi
    if ! awk -v k="$k" -v n="$n" '$1 == k && $2 == n { f = 1 } END { exit !f }' "$LK_RESULTS/manifest"; then
        echo "FAIL  manifest: $n is in the tree but not in $MANIFEST; add the line: $k $n"
        echo "$k $n" >>"$LK_RESULTS/unlisted"
    fi
done
[ -f "$LK_RESULTS/unlisted" ] && manifest_failed=$(wc -l <"$LK_RESULTS/unlisted")
# a library listed in the manifest that is gone is only stale, not a lost test
awk '$1 == "lib" { print $2 }' "$LK_RESULTS/manifest" | while read -r n; do
    [ -f "tests/e2e/$n" ] || echo "note  manifest: library tests/e2e/$n is listed but gone"
done

# the previous run's durations, to start the longest first
weight() { # kind label tags
    w=$(awk -v l="$1 $2" '$2 " " $3 == l { print $1 }' "$LK_RESULTS/times" 2>/dev/null | tail -n 1)
    if [ -z "$w" ]; then case " $3 " in *" slow "*) w=300 ;; *) w=20 ;; esac; fi
    echo "$w"
}
: >"$LK_RESULTS/times"
for b in "$@"; do [ -f "$b/.test-times" ] && cat "$b/.test-times" >>"$LK_RESULTS/times"; done

plan() {
    for b in "$@"; do
        case "${b##*/}" in
        *fuzz*)
            [ "$tier" = check ] && continue
            { awk '$1 == "fuzz" { print $2, $3 " " $4 " " $5 }' "$LK_RESULTS/manifest"
              [ -f "$LK_RESULTS/unlisted" ] && awk '$1 == "fuzz" { print $2 }' "$LK_RESULTS/unlisted"; } |
            while read -r n tags; do
                selected "$n" || continue
                case " $kinds " in *" fuzz "*) ;; *) continue ;; esac
                echo "$(weight fuzz "$b:$n" "$tags") fuzz $b $n normal"
            done ;;
        *)
            { awk '$1 == "unit" { print $2, $3 " " $4 " " $5 }' "$LK_RESULTS/manifest"
              [ -f "$LK_RESULTS/unlisted" ] && awk '$1 == "unit" { print $2 }' "$LK_RESULTS/unlisted"; } |
            while read -r n tags; do
                selected "$n" || continue
                case " $kinds " in *" unit "*) ;; *) continue ;; esac
                echo "$(weight unit "$b:$n" "$tags") unit $b $n normal"
            done
            { awk '$1 == "e2e" { $1 = ""; print }' "$LK_RESULTS/manifest"
              [ -f "$LK_RESULTS/unlisted" ] && awk '$1 == "e2e" { print $2 }' "$LK_RESULTS/unlisted"; } |
            while read -r n tags; do
                selected "$n" || continue
                case " $kinds " in *" e2e "*) ;; *) continue ;; esac
                case " $tags " in *" check "*) ;; *) [ "$tier" = check ] && continue ;; esac
                # "once": the test does not depend on the build folder; it runs with the first only
                case " $tags " in *" once "*) [ "$b" = "$first" ] || continue ;; esac
                echo "$(weight e2e "$b:$n" "$tags") e2e $b $n normal"
                if [ "$tier" != check ] && [ -f "tests/e2e/$n.sh" ] && grep -qx '# sim-modes: both' "tests/e2e/$n.sh"; then
                    echo "$(weight e2e "$b:$n[minimal]" "$tags") e2e $b $n minimal"
                fi
            done ;;
        esac
    done
}
first=$1
plan "$@" | sort -k1,1nr -s | cut -d' ' -f2- >"$LK_RESULTS/jobs"
njobs=$(wc -l <"$LK_RESULTS/jobs")
echo "run-tests: $njobs tests in $*, $jobs at a time"

xargs -P "$jobs" -L 1 sh "$ROOT/scripts/run-tests.sh" --job <"$LK_RESULTS/jobs"

# ---------------------------------------------------------------------------------------------
# Counting
# ---------------------------------------------------------------------------------------------
cat "$LK_RESULTS"/unit.* "$LK_RESULTS"/e2e.* "$LK_RESULTS"/fuzz.* 2>/dev/null >"$LK_RESULTS/all"
ran=$(wc -l <"$LK_RESULTS/all")
[ "$ran" -eq "$njobs" ] || echo "FAIL  runner: $((njobs - ran)) of $njobs tests left no result"
lost=$((njobs - ran))

# durations for the next run's order
for b in "$@"; do
    [ -d "$b" ] || continue
    awk -v b="$b" '{ split($6, a, ":"); if (a[1] == b) print $4, $5, $6 }' "$LK_RESULTS/all" >"$b/.test-times.new" &&
        mv "$b/.test-times.new" "$b/.test-times"
done

may_skip() { # label: the manifest lets it skip under CI
    n=${1#*:}; n=${n%\[minimal\]}
    awk -v n="$n" '$2 == n { for (i = 3; i <= NF; i++) if ($i == "may-skip") f = 1 } END { exit !f }' "$LK_RESULTS/manifest"
}
ci_skips=0
if [ "${CI:-}" = true ]; then
    awk '$3 > 0 { print $6 }' "$LK_RESULTS/all" >"$LK_RESULTS/skipped"
    while read -r l; do
        may_skip "$l" && continue
        echo "FAIL  CI: $l skipped, but this machine kind can run it"
        ci_skips=$((ci_skips + 1))
    done <"$LK_RESULTS/skipped"
fi

echo "--- time per build folder (sum of the tests' times; they overlap)"
for b in "$@"; do
    awk -v b="$b" '{ split($6, a, ":"); if (a[1] == b) { t += $4; n++ } }
        END { if (n) printf "  %-12s %3d tests %7.1f s\n", b, n, t }' "$LK_RESULTS/all"
done
echo "--- slowest"
sort -k4,4nr "$LK_RESULTS/all" | head -n 8 | awk '{ printf "  %7.1f s  %s %s\n", $4, $5, $6 }'
echo "--- wall time: $(elapsed "$start" "$(now)") s with $jobs at a time"

awk '$2 > 0 { printf " %s", $6 } END { }' "$LK_RESULTS/all" >"$LK_RESULTS/failed"
[ -s "$LK_RESULTS/failed" ] && echo "failed:$(cat "$LK_RESULTS/failed")"
set -- $(awk '{ p += $1; f += $2; s += $3 } END { print p + 0, f + 0, s + 0 }' "$LK_RESULTS/all")
passed=$1 failed=$(($2 + manifest_failed + ci_skips + lost)) skipped=$3
if [ "$skipped" -gt 0 ]; then echo "$passed passed, $failed failed, $skipped skipped"; else echo "$passed passed, $failed failed"; fi
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
