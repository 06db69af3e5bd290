# lib.sh: shared helpers of the end-to-end scripts (POSIX sh; source it, don't run it).
#
#   . "$(dirname "$0")/lib.sh"
#   start_sim [extra loket-sim flags]   sets SIM_URL (http://127.0.0.1:PORT/v2), SIM_ROOT
#                                       (http://127.0.0.1:PORT), SIM_PID, SIM_DIR (scratch folder)
#   get_token                           prints an access token (refresh_token grant; the rotated
#                                       refresh token is kept in $SIM_DIR/refresh for the next call)
#   sim_state                           prints GET /__sim/state (JSON)
#   api METHOD PATH [curl args]         calls $SIM_URL$PATH with a token and the Accept header of
#                                       $API_VERSION (default 2018-01-01); body to stdout, status
#                                       to $SIM_DIR/status
#   stop_sim                            stops the simulator and removes $SIM_DIR
#   fail MESSAGE                        prints "FAIL: MESSAGE" and exits 1 (stopping the sim)
#   bad MESSAGE                         prints "FAIL: MESSAGE" and counts it in $FAILS; the
#                                       script goes on (for scripts that report every broken check)
#   finish                              ends a script that used bad: exit 1 when FAILS > 0
#   skip REASON                         prints "SKIP: REASON" and exits 77: the script cannot run
#                                       here (a tool it needs is missing); counted apart
#   san_check                           fails the script when a program of a sanitizer build
#                                       reported (stop_sim and finish call it)
#
# Variables: LOKET_BUILD (default build), LK_BUILD (that folder as an absolute path), LK_IMPORT
# and LK_SIM (its loket-import and loket-sim), LK_ROOT (repo root), SIM_FIXTURE (default the sample),
# LOKET_SIM_MODE (normal, the default, or minimal: start_sim adds --strict-minimal; see
# docs/simulator.md). A script with the line "# sim-modes: both" runs in both modes.
#
# Prologue of a script (the runner finds it through tests/manifest: add a line "e2e NAME"):
#   #!/bin/sh
#   # NAME.sh: what it checks, in a sentence or two.
#   # sim-modes: both                   (when it matters which simulator mode runs)
#   set -u
#   . "$(dirname "$0")/lib.sh"
#
# Sanitizer builds: every program started from a script inherits ASAN_OPTIONS, UBSAN_OPTIONS and
# LSAN_OPTIONS that make a report exit with code 86 (a code no command of loket-import uses) and
# a report file in $LK_SAN_DIR (tests/sanitizer/report_marker.c; scripts/run-tests.sh gives each
# test its own folder, start_sim makes one when the script runs alone). Such a report fails the
# script whatever it expected of the program's exit code.

LOKET_BUILD=${LOKET_BUILD:-build}
LK_ROOT=${LK_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
SIM_FIXTURE=${SIM_FIXTURE:-$LK_ROOT/samples/loket-fixture.json}
case "$LOKET_BUILD" in /*) LK_BUILD=$LOKET_BUILD ;; *) LK_BUILD=$LK_ROOT/$LOKET_BUILD ;; esac
LK_IMPORT=$LK_BUILD/loket-import
LK_SIM=$LK_BUILD/loket-sim
SIM_PID=
SIM_DIR=
FAILS=0
: "${ASAN_OPTIONS:=exitcode=86:detect_leaks=1}"
: "${UBSAN_OPTIONS:=exitcode=86:halt_on_error=1:print_stacktrace=1}"
: "${LSAN_OPTIONS:=exitcode=86}"
export ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
LK_SAN_DIR=${LK_SAN_DIR:-}
export LK_SAN_DIR
LK_SAN_OWN= LK_ASAN_OPTIONS=$ASAN_OPTIONS

fail() {
    echo "FAIL: $*" >&2
    stop_sim
    exit 1
}

bad() {
    echo "FAIL: $*"
    FAILS=$((FAILS + 1))
}

finish() {
    san_check
    [ "$FAILS" = 0 ] || fail "$FAILS check(s) failed"
}

skip() {
    echo "SKIP: $*"
    stop_sim
    exit 77
}

# A sanitizer report of any program the script ran (see the header) fails the script.
san_check() {
    [ -n "$LK_SAN_DIR" ] && [ -d "$LK_SAN_DIR" ] || return 0
    for r in "$LK_SAN_DIR"/*; do
        [ -s "$r" ] || continue
        echo "FAIL: a program reported a sanitizer error:" >&2
        for r in "$LK_SAN_DIR"/*; do echo "--- ${r##*/}" >&2; cat "$r" >&2; done
        LK_SAN_DIR=
        stop_sim
        exit 1
    done
}

start_sim() {
    SIM_DIR=$(mktemp -d "${TMPDIR:-/tmp}/lk-sim-XXXXXX") || { echo "FAIL: mktemp" >&2; exit 1; }
    bin=$LK_SIM
    [ -x "$bin" ] || { echo "FAIL: $bin not built" >&2; rm -rf "$SIM_DIR"; exit 1; }
    case "${LOKET_SIM_MODE:-normal}" in
    normal) set -- "$@" ;;
    minimal) set -- --strict-minimal "$@" ;;
    *) echo "FAIL: LOKET_SIM_MODE=$LOKET_SIM_MODE: expected normal or minimal" >&2; rm -rf "$SIM_DIR"; exit 1 ;;
    esac
    if [ -z "$LK_SAN_DIR" ]; then
        # run alone, not by scripts/run-tests.sh: the sanitizer reports go into the scratch folder
        LK_SAN_DIR=$SIM_DIR/san LK_SAN_OWN=1
        mkdir -p "$LK_SAN_DIR"
        case "$ASAN_OPTIONS" in *log_path=*) ;; *) ASAN_OPTIONS="$ASAN_OPTIONS:log_path=$LK_SAN_DIR/asan" ;; esac
    fi
    "$bin" --fixture "$SIM_FIXTURE" --port 0 "$@" >"$SIM_DIR/out" 2>"$SIM_DIR/err" &
    SIM_PID=$!
    i=0
    while [ ! -s "$SIM_DIR/out" ]; do
        i=$((i + 1))
        if [ $i -gt 100 ] || ! kill -0 "$SIM_PID" 2>/dev/null; then
            cat "$SIM_DIR/err" >&2
            fail "loket-sim did not start"
        fi
        sleep 0.1
    done
    SIM_URL=$(head -n 1 "$SIM_DIR/out")
    SIM_ROOT=${SIM_URL%/v2}
    jq -r '.auth.refreshTokens[0]' "$SIM_FIXTURE" >"$SIM_DIR/refresh"
    trap 'stop_sim' EXIT
    trap 'stop_sim; exit 1' INT TERM
}

# Stops the simulator; under the sanitizer build a report of it, or of any program the script
# ran, fails the script.
stop_sim() {
    if [ -n "$SIM_PID" ]; then
        kill "$SIM_PID" 2>/dev/null
        wait "$SIM_PID" 2>/dev/null
        SIM_PID=
    fi
    san_check
    if [ -n "$SIM_DIR" ]; then
        if grep -q 'Sanitizer\|runtime error:' "$SIM_DIR/err" 2>/dev/null; then
            cat "$SIM_DIR/err" >&2
            rm -rf "$SIM_DIR"
            SIM_DIR=
            echo "FAIL: loket-sim reported a sanitizer error" >&2
            exit 1
        fi
        rm -rf "$SIM_DIR"
        SIM_DIR=
    fi
    if [ -n "$LK_SAN_OWN" ]; then
        LK_SAN_DIR= LK_SAN_OWN= ASAN_OPTIONS=$LK_ASAN_OPTIONS
    fi
}

get_token() {
    rt=$(cat "$SIM_DIR/refresh")
    resp=$(curl -s --max-time 20 -X POST "$SIM_ROOT/token" \
        --data-urlencode grant_type=refresh_token --data-urlencode "refresh_token=$rt" \
        --data-urlencode "client_id=$(jq -r .auth.clientId "$SIM_FIXTURE")" \
        --data-urlencode "client_secret=$(jq -r .auth.clientSecret "$SIM_FIXTURE")") || return 1
    new=$(printf '%s' "$resp" | jq -r '.refresh_token // empty')
    [ -n "$new" ] || { echo "get_token: no token in the answer" >&2; return 1; }
    printf '%s\n' "$new" >"$SIM_DIR/refresh"
    printf '%s' "$resp" | jq -r .access_token
}

sim_state() {
    curl -s --max-time 20 "$SIM_ROOT/__sim/state"
}

api() {
    m=$1 p=$2
    shift 2
    [ -n "${SIM_TOKEN:-}" ] || SIM_TOKEN=$(get_token) || return 1
    rm -f "$SIM_DIR/body"
    curl -s --max-time 30 -o "$SIM_DIR/body" -w '%{http_code}' -X "$m" "$SIM_URL$p" \
        -H "Authorization: Bearer $SIM_TOKEN" -H "Accept: application/json;version=${API_VERSION:-2018-01-01}" \
        "$@" >"$SIM_DIR/status"
    cat "$SIM_DIR/body" 2>/dev/null
}

# api_status: the status of the last api call.
api_status() {
    cat "$SIM_DIR/status"
}
