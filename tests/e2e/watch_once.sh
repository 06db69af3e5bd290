#!/bin/sh
# watch --once with a stand-in import: outcomes and where each file ends up (done/, failed/,
# left alone), reports, duplicates refused unless a rule allows them, --forget, symlinks and
# files that cannot be read sent to failed/ without stopping the loop.
. "$(dirname "$0")/watch/lib.sh"
export LOKET_WATCH_IMPORTER="$STUB" STUB_LOG="$T/runs.log"
D="$T/drop"
new_folder "$D" '{
  "settle_seconds": 0.2,
  "rules": [
    { "match": "again-*.csv", "mapping": "map.json", "mode": "apply", "allow_duplicates": true },
    { "match": "review-*", "mapping": "map.json", "mode": "plan", "employer": "40101" },
    { "match": "*.csv", "mapping": "map.json", "mode": "apply", "period": "2026-11" }
  ] }'
mkdir -p "$D/inbox"
printf 'items 2\nEND\n' >"$D/inbox/uren-nov.csv"
printf 'items 1\nexit 2\n' >"$D/inbox/bad-input.csv"
printf 'items 1\nexit 1\n' >"$D/inbox/some-rejected.CSV"
printf 'items 1\nEND\n' >"$D/inbox/review-uren.xlsx"
printf 'x\n' >"$D/inbox/notes.txt"
# never taken: still being written or not ours
for n in .hidden.csv upload.csv.part export.tmp '~$uren.xlsx' big.csv.filepart; do
    echo "items 1" >"$D/inbox/$n"
done
# refused at once
echo secret >"$T/outside.csv"
ln -s "$T/outside.csv" "$D/inbox/link.csv"
mkfifo "$D/inbox/pipe.csv"
mkdir "$D/inbox/folder.csv"
printf 'items 1\n' >"$D/inbox/$(printf 'tab\there.csv')"

timeout 60 "$IMPORT" watch "$D" --once 2>"$T/watch.log"
st=$?
[ "$st" -eq 1 ] || fail "exit $st, expected 1 (some files failed)"

[ -f "$D/done/uren-nov.csv" ] || fail "uren-nov.csv not in done/"
[ -f "$D/done/review-uren.xlsx" ] || fail "review-uren.xlsx (plan rule) not in done/"
[ -f "$D/failed/bad-input.csv" ] || fail "bad-input.csv not in failed/"
[ -f "$D/failed/some-rejected.CSV" ] || fail "some-rejected.CSV not in failed/ (case-insensitive match)"
[ -f "$D/failed/notes.txt" ] || fail "notes.txt (no rule) not in failed/"
[ -L "$D/failed/link.csv" ] || fail "the symlink not moved to failed/ as a symlink"
[ "$(cat "$T/outside.csv")" = secret ] || fail "the symlink's target was touched"
[ -p "$D/failed/pipe.csv" ] || fail "the FIFO not in failed/"
[ -d "$D/failed/folder.csv" ] || fail "the folder named like a file not in failed/"
[ -e "$D/failed/$(printf 'tab\there.csv')" ] || fail "the name with a control character not in failed/"
for n in .hidden.csv upload.csv.part export.tmp '~$uren.xlsx' big.csv.filepart; do
    [ -f "$D/inbox/$n" ] || fail "$n was taken from the inbox"
done
[ "$(count "$D/processing")" = 0 ] || fail "processing/ not empty"
grep -q "link.csv" "$STUB_LOG" && fail "the import ran on the symlink"
grep -q "pipe.csv" "$STUB_LOG" && fail "the import ran on the FIFO"

# the import got the rule's arguments and the whole file
r=$(ls "$D"/reports/uren-nov.csv.*Z.json)
[ "$(json_get "$r" mode)" = apply ] || fail "uren-nov.csv not applied"
[ "$(json_get "$r" period)" = 2026-11 ] || fail "period of the rule not passed"
[ "$(json_get "$r" complete)" = true ] || fail "report of uren-nov.csv not complete"
[ "$(json_get "$r" sent_total)" = 2 ] || fail "uren-nov.csv: not every item sent"
case $(json_get "$r" mapping) in /*/map.json) ;; *) fail "mapping not made absolute" ;; esac
ls "$D"/reports/uren-nov.csv.*Z.xlsx >/dev/null || fail "no .xlsx report path given"
ls "$D"/.loket-watch/journals/uren-nov.csv.*.journal >/dev/null || fail "no journal for uren-nov.csv"
r=$(ls "$D"/reports/review-uren.xlsx.*Z.json)
[ "$(json_get "$r" mode)" = plan ] || fail "review rule did not plan"
[ "$(json_get "$r" employer)" = 40101 ] || fail "employer of the rule not passed"

# the watcher's own report says why, for each outcome
w() { ls "$D"/reports/"$1".*.watch.json; }
[ "$(json_get "$(w uren-nov.csv)" outcome)" = imported ] || fail "uren-nov.csv outcome"
[ "$(json_get "$(w uren-nov.csv)" moved_to)" = done/uren-nov.csv ] || fail "uren-nov.csv moved_to"
[ "$(json_get "$(w review-uren.xlsx)" outcome)" = planned ] || fail "review outcome"
[ "$(json_get "$(w bad-input.csv)" outcome)" = input-error ] || fail "bad-input outcome"
[ "$(json_get "$(w bad-input.csv)" exit_code)" = 2 ] || fail "bad-input exit code"
json_get "$(w bad-input.csv)" detail | grep -q "made-up error" || fail "the import's error line not in the report"
[ "$(json_get "$(w some-rejected.CSV)" outcome)" = rejected ] || fail "some-rejected outcome"
[ "$(json_get "$(w notes.txt)" outcome)" = no-rule ] || fail "notes.txt outcome"
[ "$(json_get "$(w link.csv)" outcome)" = not-a-file ] || fail "symlink outcome"
json_get "$(w link.csv)" reason | grep -q "symbolic link" || fail "symlink reason"
json_get "$(w pipe.csv)" reason | grep -q "FIFO" || fail "FIFO reason"
[ "$(json_get "$(w folder.csv)" outcome)" = not-a-file ] || fail "folder outcome"
[ "$(json_get "$(w tab_here.csv)" outcome)" = unsafe-name ] || fail "control-character outcome"
grep -q 'file="uren-nov.csv" action=done outcome=imported exit=0' "$T/watch.log" || fail "no log line for uren-nov.csv"
grep -q 'file="tab\\x09here.csv"' "$T/watch.log" || fail "control character not escaped in the log"

# the same content again: refused; under a rule allowing it: imported
printf 'items 2\nEND\n' >"$D/inbox/uren-nov-kopie.csv"
printf 'items 2\nEND\n' >"$D/inbox/again-uren.csv"
timeout 60 "$IMPORT" watch "$D" --once 2>"$T/watch2.log"
[ $? -eq 1 ] || fail "second run: expected exit 1"
[ -f "$D/failed/uren-nov-kopie.csv" ] || fail "duplicate not in failed/"
r=$(w uren-nov-kopie.csv)
[ "$(json_get "$r" outcome)" = duplicate ] || fail "duplicate outcome"
# names are taken in sorted order: again-uren.csv (allowed) was the latest import of it
[ "$(json_get "$r" duplicate_of.name)" = again-uren.csv ] || fail "duplicate_of does not name the latest import"
grep -q "uren-nov-kopie" "$STUB_LOG" && fail "the duplicate was imported"
[ -f "$D/done/again-uren.csv" ] || fail "allowed duplicate not imported"

# content that was not sent (exit 2) may come again; --forget allows imported content again
printf 'items 1\nexit 2\n' >"$D/inbox/bad-input.csv"
printf 'items 2\nEND\n' >"$D/inbox/uren-nov.csv"
"$IMPORT" watch "$D" --forget uren-nov.csv >"$T/forget.out" || fail "--forget failed"
timeout 60 "$IMPORT" watch "$D" --once --log-priority 2>"$T/watch3.log"
# journald priorities: info for imports, warning for a file sent to failed/, no time stamp
grep -q '^<6>loket-import watch: file="uren-nov.csv" action=done outcome=imported' "$T/watch3.log" ||
    fail "no <6> line for the import"
grep -q '^<4>loket-import watch: file="bad-input.csv" action=done outcome=input-error' "$T/watch3.log" ||
    fail "no <4> line for the failed file"
grep -qv '^<[0-9]>' "$T/watch3.log" && fail "a line without priority with --log-priority"
[ "$(grep -c 'bad-input.csv' "$STUB_LOG")" = 2 ] || fail "content not sent before was refused"
[ -f "$D/done/uren-nov.2.csv" ] || fail "forgotten content not imported again (or done/ file overwritten)"
[ -f "$D/done/uren-nov.csv" ] || fail "the first done/uren-nov.csv was replaced"
"$IMPORT" watch "$D" --forget 0000000000000000000000000000000000000000000000000000000000000000 2>/dev/null
[ $? -eq 2 ] || fail "--forget of unknown content should exit 2"

# a broken config is refused with a clear message
echo '{"rules": [{"match": "*", "mapping": "m.json", "mode": "aply"}]}' >"$D/loket-watch.json"
"$IMPORT" watch "$D" --once 2>"$T/cfg.err"
[ $? -eq 3 ] || fail "bad config: expected exit 3"
grep -q '"mode" must be' "$T/cfg.err" || fail "bad config message: $(cat "$T/cfg.err")"
echo "ok"
