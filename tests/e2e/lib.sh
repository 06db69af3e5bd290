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
#
# Variables: LOKET_BUILD (default build), LK_ROOT (repo root), SIM_FIXTURE (default the sample),
# LOKET_SIM_MODE (normal, the default, or minimal: start_sim adds --strict-minimal; see
# docs/simulator.md). A script with the line "# sim-modes: both" runs in both modes.

LOKET_BUILD=${LOKET_BUILD:-build}
LK_ROOT=${LK_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
SIM_FIXTURE=${SIM_FIXTURE:-$LK_ROOT/samples/loket-fixture.json}
SIM_PID=
SIM_DIR=

fail() {
    echo "FAIL: $*" >&2
    stop_sim
    exit 1
}

start_sim() {
    SIM_DIR=$(mktemp -d "${TMPDIR:-/tmp}/lk-sim-XXXXXX") || { echo "FAIL: mktemp" >&2; exit 1; }
    case "$LOKET_BUILD" in /*) bin=$LOKET_BUILD/loket-sim ;; *) bin=$LK_ROOT/$LOKET_BUILD/loket-sim ;; esac
    [ -x "$bin" ] || { echo "FAIL: $bin not built" >&2; rm -rf "$SIM_DIR"; exit 1; }
    case "${LOKET_SIM_MODE:-normal}" in
    normal) set -- "$@" ;;
    minimal) set -- --strict-minimal "$@" ;;
    *) echo "FAIL: LOKET_SIM_MODE=$LOKET_SIM_MODE: expected normal or minimal" >&2; rm -rf "$SIM_DIR"; exit 1 ;;
    esac
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

# Stops the simulator; under the sanitizer build a report of it fails the script.
stop_sim() {
    if [ -n "$SIM_PID" ]; then
        kill "$SIM_PID" 2>/dev/null
        wait "$SIM_PID" 2>/dev/null
        SIM_PID=
    fi
    if [ -n "$SIM_DIR" ]; then
        if grep -q 'Sanitizer' "$SIM_DIR/err" 2>/dev/null; then
            cat "$SIM_DIR/err" >&2
            rm -rf "$SIM_DIR"
            SIM_DIR=
            echo "FAIL: loket-sim reported a sanitizer error" >&2
            exit 1
        fi
        rm -rf "$SIM_DIR"
        SIM_DIR=
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
