#!/bin/sh
# fuzz-long.sh: every fuzz target in build-fuzz/ for FUZZ_SECONDS (default 300), two at a time
# (the machine has two cores), each from its seed corpus plus a growing corpus in
# build-fuzz/corpus/NAME, with its dictionary tests/fuzz/dict/NAME.dict where there is one.
# FUZZ_RUNS=N stops each target after N executions instead (then FUZZ_SECONDS only caps the
# time; 0 = no cap): `make fuzz-long FUZZ_RUNS=10000000`. FUZZ_TARGETS="xlsx mapping" picks
# targets. Prints the executions each survived; crashes are kept as
# build-fuzz/artifacts/NAME/crash-* and fail the run.
set -u
secs=${FUZZ_SECONDS:-300}
runs=${FUZZ_RUNS:-}
if [ -n "$runs" ] && [ -z "${FUZZ_SECONDS:-}" ]; then secs=0; fi
out=build-fuzz/long
mkdir -p "$out"
one() {
    n=$1
    mkdir -p "build-fuzz/corpus/$n" "build-fuzz/artifacts/$n"
    dict=
    [ -f "tests/fuzz/dict/$n.dict" ] && dict="-dict=tests/fuzz/dict/$n.dict"
    # shellcheck disable=SC2086
    "build-fuzz/fuzz_$n" -max_total_time="$secs" ${runs:+-runs=$runs} $dict -print_final_stats=1 \
        -timeout=10 -rss_limit_mb=2048 -artifact_prefix="build-fuzz/artifacts/$n/" \
        "build-fuzz/corpus/$n" "tests/fuzz/corpus/$n" >"$out/$n.log" 2>&1
    echo $? >"$out/$n.rc"
}
rm -f "$out"/*.rc
if [ -n "${FUZZ_TARGETS:-}" ]; then
    set -- $FUZZ_TARGETS
else
    set -- $(for f in build-fuzz/fuzz_*; do [ -x "$f" ] && echo "${f#build-fuzz/fuzz_}"; done)
fi
while [ $# -gt 0 ]; do
    one "$1" &
    if [ $# -gt 1 ]; then one "$2" & shift; fi
    shift
    wait
done
bad=0
for rc in "$out"/*.rc; do
    n=$(basename "$rc" .rc)
    execs=$(sed -n 's/^stat::number_of_executed_units: //p' "$out/$n.log")
    if [ "$(cat "$rc")" = 0 ]; then echo "fuzz $n: ${execs:-?} executions, no crash"
    else bad=1; echo "fuzz $n: CRASH after ${execs:-?} executions (see $out/$n.log, build-fuzz/artifacts/$n/)"; fi
done
exit $bad
