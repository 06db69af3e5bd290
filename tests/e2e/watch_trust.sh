#!/bin/sh
# watch_trust.sh: the watcher trusts its folder config and folders only when nobody else can
# change them. A loket-watch.json writable by others, one whose "options" would send the access
# token to another server (--api-url) or choose the files it writes (--trace), and a processing
# or state folder writable by others are refused at start (exit 3), nothing imported.
. "$(dirname "$0")/watch/lib.sh"
export LOKET_WATCH_IMPORTER="$STUB" STUB_LOG="$T/runs.log"
RULES='"rules": [{ "match": "*.csv", "mapping": "map.json", "mode": "apply" }]'

# run_refused NAME PATTERN: watch --once must exit 3 with PATTERN in its log, importing nothing
run_refused() {
    rm -f "$STUB_LOG"
    timeout 60 "$IMPORT" watch "$D" --once 2>"$T/watch.log"
    st=$?
    [ "$st" -eq 3 ] || fail "$1: exit $st, expected 3"
    grep -q -- "$2" "$T/watch.log" || fail "$1: the log does not say why ($2)"
    [ ! -s "$STUB_LOG" ] || fail "$1: a file was imported"
    [ -f "$D/inbox/uren.csv" ] || fail "$1: the file left the inbox"
}

D="$T/open-config"
new_folder "$D" "{ \"settle_seconds\": 0, $RULES }"
mkdir -p "$D/inbox"
printf 'items 1\nEND\n' >"$D/inbox/uren.csv"
chmod 666 "$D/loket-watch.json"
run_refused "world-writable config" "can be written by other users"
chmod 644 "$D/loket-watch.json"

for opt in '"--api-url", "http://127.0.0.1:9/v2"' '"--token-url=http://127.0.0.1:9/token"' \
           '"--trace", "/tmp/loket-trace.log"' '"--config", "/tmp/other.json"'; do
    new_folder "$D" "{ \"settle_seconds\": 0, \"options\": [$opt], $RULES }"
    run_refused "options [$opt]" "is not allowed in \"options\""
done

new_folder "$D" "{ \"settle_seconds\": 0, $RULES }"
mkdir -p "$D/processing"
chmod 777 "$D/processing"
run_refused "world-writable processing/" "processing can be written by other users"
chmod 750 "$D/processing"
mkdir -p "$D/.loket-watch"
chmod 777 "$D/.loket-watch"
run_refused "world-writable .loket-watch/" ".loket-watch can be written by other users"
chmod 750 "$D/.loket-watch"

# the same folder, now private: imported
timeout 60 "$IMPORT" watch "$D" --once 2>"$T/watch.log" || fail "the private folder: exit $?"
[ -f "$D/done/uren.csv" ] || fail "the private folder: uren.csv not imported"
echo "watch_trust: all ok"
