# Shared helpers of the tests/e2e/watch_*.sh scripts (sourced, POSIX sh).
LOKET_BUILD=${LOKET_BUILD:-build}
IMPORT="$LOKET_BUILD/loket-import"
HERE=$(cd "$(dirname "$0")" && pwd)
STUB="$HERE/watch/stub-importer.sh"
[ -x "$IMPORT" ] || { echo "FAIL: $IMPORT not built"; exit 1; }
T=$(mktemp -d)
PIDS=""
cleanup() {
    for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() { echo "FAIL: $*"; for f in "$T"/*.log; do [ -f "$f" ] && { echo "--- $f"; cat "$f"; }; done; exit 1; }

# wait_for SECONDS COMMAND...: polls every 0.1 s until COMMAND succeeds.
wait_for() {
    n=$(($1 * 10)); shift
    while [ "$n" -gt 0 ]; do
        "$@" 2>/dev/null && return 0
        sleep 0.1; n=$((n - 1))
    done
    return 1
}

# new_folder DIR CONFIG-JSON: a watched folder with its config.
new_folder() {
    mkdir -p "$1"
    printf '%s\n' "$2" >"$1/loket-watch.json"
    echo '{"stub": true}' >"$1/map.json"
}

count() { # files in a folder (not dotfiles)
    set -- "$1"/*
    [ -e "$1" ] || [ -L "$1" ] || { echo 0; return; }
    echo $#
}

json_get() { # FILE KEY: a top-level string/number/bool of a JSON file
    jq -r ".$2" "$1"
}
