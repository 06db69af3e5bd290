#!/bin/sh
# kill -9 of the watcher and its import in the middle of a file; the next start resumes the
# file from its journal: nothing sent twice, the file in done/, a complete report. An import
# that keeps crashing goes to failed/ after max_attempts, and the loop carries on.
. "$(dirname "$0")/watch/lib.sh"
export LOKET_WATCH_IMPORTER="$STUB" STUB_LOG="$T/runs.log"
D="$T/drop"
new_folder "$D" '{ "settle_seconds": 0.2, "max_attempts": 2,
  "rules": [ { "match": "*", "mapping": "map.json", "mode": "apply" } ] }'
mkdir -p "$D/inbox"
printf 'items 30\nEND\n' >"$D/inbox/groot.csv"
STUB_STEP=0.2 "$IMPORT" watch "$D" 2>"$T/watch.log" &
WPID=$!
PIDS="$WPID"
wait_for 15 sh -c "ls '$D'/.loket-watch/journals/groot.csv.*.journal >/dev/null 2>&1 && [ \$(wc -l <\$(ls '$D'/.loket-watch/journals/groot.csv.*.journal)) -ge 5 ]" ||
    fail "groot.csv did not start sending"
# the import is in its own process group: find it by its parent
CPID=$(pgrep -P "$WPID")
[ -n "$CPID" ] || fail "no import child found"
kill -9 "$WPID" "$CPID"
wait "$WPID" 2>/dev/null
sleep 0.3
[ -f "$D/processing/groot.csv" ] || fail "groot.csv not in processing/ after the crash"
j=$(ls "$D"/.loket-watch/journals/groot.csv.*.journal)
before=$(wc -l <"$j")
[ "$before" -lt 30 ] || fail "the import finished before it was killed"

timeout 60 "$IMPORT" watch "$D" --once 2>"$T/watch2.log" || fail "restart exit $?"
[ -f "$D/done/groot.csv" ] || fail "groot.csv not completed after restart"
grep -q "apply groot.csv resume=1" "$STUB_LOG" || fail "not resumed with --resume"
[ "$(wc -l <"$j")" = 30 ] || fail "journal has $(wc -l <"$j") items, expected 30"
[ "$(sort "$j" | uniq -d | wc -l)" = 0 ] || fail "an item was sent twice after the crash"
r=$(ls "$D"/reports/groot.csv.*Z.json)
[ "$(json_get "$r" complete)" = true ] || fail "report not complete"
[ "$(json_get "$r" sent_total)" = 30 ] || fail "report counts $(json_get "$r" sent_total) items"
w=$(ls "$D"/reports/groot.csv.*.watch.json)
[ "$(json_get "$w" outcome)" = imported ] || fail "outcome after resume: $(json_get "$w" outcome)"
[ "$(json_get "$w" crashes)" = 1 ] || fail "the crash is not counted in the report"
grep -q "$(json_get "$w" sha256)" "$D/.loket-watch/imported.jsonl" || fail "not in the registry"
[ "$(grep -c '"status":"imported"' "$D/.loket-watch/imported.jsonl")" = 1 ] || fail "registry: imported not exactly once"

# an import that dies by a signal every time: resumed, then failed/ after max_attempts
printf 'crash\n' >"$D/inbox/kapot.csv"
printf 'items 1\nEND\n' >"$D/inbox/z-daarna.csv"
timeout 60 "$IMPORT" watch "$D" --once 2>"$T/watch3.log"
[ $? -eq 1 ] || fail "expected exit 1 with a file in failed/"
[ -f "$D/failed/kapot.csv" ] || fail "a crashing import not sent to failed/"
[ "$(grep -c 'apply kapot.csv' "$STUB_LOG")" = 2 ] || fail "kapot.csv should be tried max_attempts (2) times"
[ "$(json_get "$(ls "$D"/reports/kapot.csv.*.watch.json)" outcome)" = crashed ] || fail "kapot.csv outcome"
[ -f "$D/done/z-daarna.csv" ] || fail "the loop stopped after a crashing import"

# the registry cannot be written: nothing is imported unchecked; the file waits in processing/
# and is imported once the registry is back
mv "$D/.loket-watch/imported.jsonl" "$T/registry.saved"
mkdir "$D/.loket-watch/imported.jsonl"
printf 'items 1\nregistry\n' >"$D/inbox/wacht.csv"
timeout 60 "$IMPORT" watch "$D" --once 2>"$T/watch4.log"
[ $? -eq 3 ] || fail "registry unwritable: expected exit 3"
[ -f "$D/processing/wacht.csv" ] || fail "wacht.csv not kept in processing/"
grep -q "apply wacht.csv" "$STUB_LOG" && fail "imported without the duplicate check"
grep -q 'file="wacht.csv" action=registry outcome=error' "$T/watch4.log" || fail "no registry error logged"
rmdir "$D/.loket-watch/imported.jsonl"
mv "$T/registry.saved" "$D/.loket-watch/imported.jsonl"
timeout 60 "$IMPORT" watch "$D" --once 2>"$T/watch5.log" || fail "after the registry is back: exit $?"
[ -f "$D/done/wacht.csv" ] || fail "wacht.csv not imported once the registry was back"
grep -q '"name":"wacht.csv".*"status":"started"' "$D/.loket-watch/imported.jsonl" || fail "wacht.csv not registered"
echo ok
