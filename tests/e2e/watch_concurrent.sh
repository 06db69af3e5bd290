#!/bin/sh
# Two resident watchers on one folder take each file exactly once: every file is imported by
# one of them, none twice, none lost; both take part.
. "$(dirname "$0")/watch/lib.sh"
export LOKET_WATCH_IMPORTER="$STUB" STUB_LOG="$T/runs.log" STUB_STEP=0.05
D="$T/drop"
new_folder "$D" '{ "settle_seconds": 0.3, "rescan_seconds": 1,
  "rules": [ { "match": "*.csv", "mapping": "map.json", "mode": "apply" } ] }'
N=30
"$IMPORT" watch "$D" 2>"$T/watch-a.log" &
PIDS="$!"
"$IMPORT" watch "$D" 2>"$T/watch-b.log" &
PIDS="$PIDS $!"
wait_for 10 test -d "$D/inbox" || fail "no layout"
sleep 0.5
i=1
while [ "$i" -le "$N" ]; do
    printf 'items 2\nfile %s\n' "$i" >"$D/inbox/uren-$i.csv"
    i=$((i + 1))
done
wait_for 90 sh -c "[ \$(ls '$D/done' | wc -l) -ge $N ]" ||
    fail "only $(count "$D/done") of $N files imported"
sleep 1
[ "$(count "$D/done")" = "$N" ] || fail "$(count "$D/done") files in done/, expected $N"
[ "$(count "$D/failed")" = 0 ] || fail "files in failed/: $(ls "$D/failed")"
[ "$(count "$D/processing")" = 0 ] || fail "files left in processing/"
[ "$(wc -l <"$STUB_LOG")" = "$N" ] || fail "$(wc -l <"$STUB_LOG") imports for $N files"
[ "$(sort "$STUB_LOG" | uniq -d | wc -l)" = 0 ] || fail "a file was imported twice: $(sort "$STUB_LOG" | uniq -d)"
a=$(grep -c 'action=done outcome=imported' "$T/watch-a.log")
b=$(grep -c 'action=done outcome=imported' "$T/watch-b.log")
[ $((a + b)) = "$N" ] || fail "watchers report $a + $b imports"
echo "watcher a: $a, watcher b: $b"
[ "$a" -gt 0 ] && [ "$b" -gt 0 ] || fail "one watcher did all the work ($a/$b): not a concurrency test"
echo ok
