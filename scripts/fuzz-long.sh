#!/bin/sh
# fuzz-long.sh: every fuzz target in build-fuzz/ for FUZZ_SECONDS (default 300), two at a time
# (the machine has two cores), each from its seed corpus plus a growing corpus in
# build-fuzz/corpus/NAME. Prints the executions each survived; crashes are kept as
# build-fuzz/artifacts/NAME/crash-* and fail the run.
set -u
secs=${FUZZ_SECONDS:-300}
out=build-fuzz/long
mkdir -p "$out"
one() {
    n=$1
    mkdir -p "build-fuzz/corpus/$n" "build-fuzz/artifacts/$n"
    "build-fuzz/fuzz_$n" -max_total_time="$secs" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="build-fuzz/artifacts/$n/" "build-fuzz/corpus/$n" "tests/fuzz/corpus/$n" \
        >"$out/$n.log" 2>&1
    echo $? >"$out/$n.rc"
}
set -- $(for f in build-fuzz/fuzz_*; do [ -x "$f" ] && echo "${f#build-fuzz/fuzz_}"; done)
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
    if [ "$(cat "$rc")" = 0 ]; then echo "fuzz $n: ${execs:-?} executions in ${secs}s, no crash"
    else bad=1; echo "fuzz $n: CRASH after ${execs:-?} executions (see $out/$n.log, build-fuzz/artifacts/$n/)"; fi
done
exit $bad
