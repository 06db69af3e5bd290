#!/bin/sh
# A resident watcher (inotify): files dropped while it runs are imported; a file written slowly
# in pieces is not read before it is complete; a file renamed in from a *.part name is taken;
# SIGTERM lets the running import finish its requests and write its report (exit 5), leaves
# the file in processing/, and the next start resumes it from its journal.
. "$(dirname "$0")/watch/lib.sh"
export LOKET_WATCH_IMPORTER="$STUB" STUB_LOG="$T/runs.log"
D="$T/drop"
new_folder "$D" '{ "settle_seconds": 1.5, "rescan_seconds": 30,
  "rules": [ { "match": "*", "mapping": "map.json", "mode": "apply" } ] }'

"$IMPORT" watch "$D" 2>"$T/watch.log" &
WPID=$!
PIDS="$WPID"
wait_for 10 test -d "$D/inbox" || fail "watcher did not create the layout"

# dropped while watching
printf 'items 1\nEND\n' >"$D/inbox/eerste.csv"
wait_for 15 test -f "$D/done/eerste.csv" || fail "eerste.csv not imported while watching"

# written in pieces, 0.5 s apart for 3 s: shorter pauses than the settle time
f="$D/inbox/langzaam.csv"
printf 'items 1\n' >"$f"
for i in 1 2 3 4 5 6; do
    sleep 0.5
    [ -e "$f" ] || fail "langzaam.csv taken after piece $i while still being written"
    printf 'piece %s\n' "$i" >>"$f"
done
printf 'END\n' >>"$f"
wait_for 15 test -f "$D/done/langzaam.csv" || fail "langzaam.csv not imported"
r=$(ls "$D"/reports/langzaam.csv.*Z.json)
[ "$(json_get "$r" last)" = END ] || fail "langzaam.csv was read before it was complete: $(cat "$r")"
[ "$(json_get "$r" lines)" = 8 ] || fail "langzaam.csv: not every line read"
[ "$(json_get "$r" sha256)" = "$(sha256sum <"$D/done/langzaam.csv" | cut -c1-64)" ] ||
    fail "langzaam.csv: the import read other content than what was filed"

# an upload under a temporary name, renamed when done
printf 'items 1\nupload\nEND\n' >"$D/inbox/upload.csv.part"
sleep 2
[ -f "$D/inbox/upload.csv.part" ] || fail "a *.part file was taken"
mv "$D/inbox/upload.csv.part" "$D/inbox/upload.csv"
wait_for 15 test -f "$D/done/upload.csv" || fail "upload.csv not imported after its rename"

# SIGTERM during a long import: the import finishes its request, writes its report, exits 5
export STUB_STEP=0.3
printf 'items 20\nEND\n' >"$D/inbox/lang.csv"
wait_for 15 grep -q "apply lang.csv" "$STUB_LOG" || fail "lang.csv not started"
sleep 1
kill -TERM "$WPID"
wait_for 15 sh -c "! kill -0 $WPID" || fail "watcher did not stop on SIGTERM"
wait "$WPID"
st=$?
[ "$st" -eq 0 ] || fail "resident watcher exit $st after SIGTERM, expected 0"
[ -f "$D/processing/lang.csv" ] || fail "interrupted lang.csv not left in processing/"
r=$(ls "$D"/reports/lang.csv.*Z.json)
[ "$(json_get "$r" complete)" = false ] || fail "the interrupted import did not write its report"
sent=$(json_get "$r" sent_total)
[ "$sent" -gt 0 ] && [ "$sent" -lt 20 ] || fail "interrupted after $sent of 20 items"
grep -q 'file="lang.csv" action=done outcome=interrupted exit=5' "$T/watch.log" || fail "no interrupted log line"

# the next start resumes it from the journal: nothing twice, a complete report
unset STUB_STEP
timeout 60 "$IMPORT" watch "$D" --once 2>"$T/watch2.log" || fail "resume run failed: exit $?"
[ -f "$D/done/lang.csv" ] || fail "lang.csv not finished after restart"
grep -q "apply lang.csv resume=1" "$STUB_LOG" || fail "lang.csv not resumed with --resume"
r=$(ls "$D"/reports/lang.csv.*Z.json)
[ "$(json_get "$r" complete)" = true ] || fail "report not complete after resume"
[ "$(json_get "$r" sent_total)" = 20 ] || fail "resume: $(json_get "$r" sent_total) items in the journal, expected 20"
[ "$(json_get "$r" sent_now)" = $((20 - sent)) ] || fail "resume sent items again"
j=$(ls "$D"/.loket-watch/journals/lang.csv.*.journal)
[ "$(sort "$j" | uniq -d | wc -l)" = 0 ] || fail "an item was sent twice"
[ "$(count "$D/processing")" = 0 ] || fail "processing/ not empty"
echo ok
