#!/bin/sh
# watch_paused_upload.sh: an upload that pauses longer than settle_seconds and then goes on.
# The watcher takes the file (it looked settled), the writer keeps writing into it in
# processing/ while the import runs; the file must not be reported imported: the SHA-256 taken
# at the claim no longer matches at the end, so it goes to failed/ as "changed" and the
# registry does not hold it as imported (the complete upload is then imported normally).
# A resident watcher, where inotify reports writes, does not take a file still open for writing
# however long the pause (close-after-write besides the settle time).
. "$(dirname "$0")/watch/lib.sh"
export LOKET_WATCH_IMPORTER="$STUB" STUB_LOG="$T/runs.log" STUB_STEP=0.3
D="$T/drop"
new_folder "$D" '{ "settle_seconds": 0.3, "rules": [
    { "match": "*.csv", "mapping": "map.json", "mode": "apply" } ] }'
mkdir -p "$D/inbox"
printf 'items 6\n' >"$D/inbox/uren.csv"
# the writer keeps its descriptor, as an SFTP or SMB upload does across a pause
exec 3>>"$D/inbox/uren.csv"
timeout 60 "$IMPORT" watch "$D" --once 2>"$T/watch.log" &
WPID=$!
wait_for 10 [ -f "$D/processing/uren.csv" ] || fail "the file was never taken"
sleep 0.5
printf 'items 7\nEND\n' >&3   # the upload goes on, into the claimed file
exec 3>&-
wait $WPID
st=$?
[ "$st" -eq 1 ] || fail "exit $st, expected 1 (the file did not import cleanly)"
[ -f "$D/failed/uren.csv" ] || fail "the changed file is not in failed/"
[ ! -e "$D/done/uren.csv" ] || fail "the changed file went to done/ as imported"
grep -q 'outcome=changed' "$T/watch.log" || fail "the log does not say the file changed"
grep -q 'changed while it was imported' "$T/watch.log" || fail "the log does not say why"
rep=$(ls "$D"/reports/uren.csv.*.watch.json | head -n 1)
[ "$(json_get "$rep" outcome)" = changed ] || fail "the watch report's outcome is $(json_get "$rep" outcome)"
grep -q '"status": *"imported"\|"status":"imported"' "$D/.loket-watch/imported.jsonl" &&
    fail "the registry holds the changed file as imported"

# the complete file, uploaded again, is imported (a different SHA-256: no duplicate)
mv "$D/failed/uren.csv" "$D/inbox/uren.csv"
timeout 60 "$IMPORT" watch "$D" --once 2>"$T/watch2.log" || fail "the complete upload: exit $?"
[ -f "$D/done/uren.csv" ] || fail "the complete upload was not imported"

# resident, where inotify reports writes: an upload that pauses (its writer keeps the file open)
# for ten times the settle time is not taken until it is closed, and is imported whole, once
D2="$T/drop2"
new_folder "$D2" '{ "settle_seconds": 0.3, "rescan_seconds": 0.5, "rules": [
    { "match": "*.csv", "mapping": "map.json", "mode": "apply" } ] }'
mkdir -p "$D2/inbox"
: >"$T/runs.log"
"$IMPORT" watch "$D2" 2>"$T/watch3.log" &
WPID=$!
PIDS="$PIDS $WPID"
sleep 0.5
exec 4>"$D2/inbox/paused.csv"
printf 'items 2\n' >&4
sleep 3                      # the pause: ten times settle_seconds, the file still open
[ -e "$D2/inbox/paused.csv" ] || fail "a file still open for writing was taken during the pause"
printf 'items 3\nEND\n' >&4  # the upload goes on and ends
exec 4>&-
wait_for 20 [ -f "$D2/done/paused.csv" ] || { cat "$T/watch3.log"; fail "the complete upload was not imported"; }
kill -TERM $WPID; wait $WPID
rep=$(ls "$D2"/reports/paused.csv.*Z.json | head -n 1)
[ "$(json_get "$rep" last)" = END ] || fail "the import read only part of the upload: $(cat "$rep")"
[ "$(grep -c 'apply paused.csv' "$T/runs.log")" = 1 ] || { cat "$T/runs.log"; fail "not imported exactly once"; }
grep -q 'outcome=changed' "$T/watch3.log" && fail "the paused upload was taken and then found changed"

echo "watch_paused_upload: all ok"
