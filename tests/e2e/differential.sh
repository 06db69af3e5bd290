#!/bin/sh
# differential.sh: the differential test (tests/differential/README.md) as part of the test run:
# random exports of 200 seeds (40 under the sanitizer build) and every fixed case in
# tests/differential/cases, each applied with loket-import against one loket-sim and compared
# exactly with the oracle's Loket state and report numbers. DIFF_SEEDS overrides the seeds.
# sim-modes: both
set -u
. "$(dirname "$0")/lib.sh"
build=$LK_BUILD
case "$LOKET_BUILD" in *san*) seeds=${DIFF_SEEDS:-1-40} ;; *) seeds=${DIFF_SEEDS:-1-200} ;; esac
case "${LOKET_SIM_MODE:-normal}" in
normal | minimal) ;;
*) echo "FAIL: LOKET_SIM_MODE must be normal or minimal" >&2; exit 1 ;;
esac
exec /usr/bin/python3 "$LK_ROOT/tests/differential/run.py" --build "$build" --seeds "$seeds" \
    --mode "${LOKET_SIM_MODE:-normal}"
