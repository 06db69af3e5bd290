#!/bin/sh
# watch --once with a stand-in import that fails transiently (its JSON report says
# "transient": true): the file waits in processing/ (exit 0: nothing failed), is not taken
# before its retry is due, is retried after it, and resumes from its journal. An attempt that
# fails for another reason without writing a report is filed by its own cause, never by the
# earlier attempt's report. A hook that fails or hangs is logged and the watcher goes on.
. "$(dirname "$0")/watch/lib.sh"
IMP="$T/importer.sh"
# attempt N of a file reads the N-th word of the file's "plan" line: ok | transient | broken
cat >"$IMP" <<'SH'
#!/bin/sh
[ "$1" = validate ] && { echo '{"entries": []}'; exit 0; } # what a file touches: nothing here
mode=$1 file=$2; shift 2
json="" journal=""
while [ $# -gt 0 ]; do
    case $1 in --report) case $2 in *.json) json=$2 ;; esac; shift 2 ;; --journal) journal=$2; shift 2 ;;
    --resume) echo "resume" >>"$STUB_LOG"; shift ;; *) shift ;; esac
done
n=$(($(grep -c "^run $(basename "$file")$" "$STUB_LOG" 2>/dev/null) + 1))
echo "run $(basename "$file")" >>"$STUB_LOG"
what=$(awk -v n="$n" '$1 == "plan" { print $(n + 1) }' "$file")
case $what in
ok) [ -n "$journal" ] && echo sent >>"$journal"; echo '{"run": {"error": null}, "exit_code": 0}' >"$json"; exit 0 ;;
transient) [ -n "$journal" ] && echo sent >>"$journal"
    echo "loket-import: error: employers: Loket is unavailable (HTTP 503 after 5 attempt(s))" >&2
    echo '{"run": {"error": {"message": "employers: Loket is unavailable (HTTP 503 after 5 attempt(s))", "transient": true}}, "exit_code": 3}' >"$json"
    echo "exit code 3: configuration, authentication or connection error" >&2; exit 3 ;;
*) echo "loket-import: error: --frobnicate: not an option" >&2
    echo "exit code 3: configuration, authentication or connection error" >&2; exit 3 ;;
esac
SH
chmod +x "$IMP"
export LOKET_WATCH_IMPORTER="$IMP" STUB_LOG="$T/runs.log"
D="$T/drop"
new_folder "$D" '{ "settle_seconds": 0, "retry_seconds": [2], "retry_max_age_seconds": 600,
  "onFailure": ["sh", "-c", "echo failure $LOKET_WATCH_NAME >>'"$T"'/hooks.log; exit 4"],
  "onSuccess": ["sh", "-c", "echo success $LOKET_WATCH_NAME >>'"$T"'/hooks.log; sleep 30"],
  "hook_timeout_seconds": 1,
  "rules": [ { "match": "*.csv", "mapping": "map.json", "mode": "apply" } ] }'
mkdir -p "$D/inbox"
echo "plan transient ok" >"$D/inbox/a.csv"
echo "plan transient broken" >"$D/inbox/b.csv"
once() { timeout 60 "$IMPORT" watch "$D" --once 2>"$T/$1.log"; }

once w1; st=$?
[ "$st" = 0 ] || fail "run 1: exit $st, expected 0 (the files wait, none failed)"
[ "$(grep -c 'action=done outcome=waiting' "$T/w1.log")" = 2 ] || fail "run 1: both files should wait"
grep -q 'file="a.csv" action=done outcome=waiting exit=3 transient_failures=1 retry_at=.* retry_in=2s detail="employers: Loket is unavailable' "$T/w1.log" ||
    fail "run 1: the waiting line"
[ -f "$D/processing/a.csv" ] && [ -f "$D/processing/b.csv" ] || fail "run 1: not waiting in processing/"
grep -q 'waiting=2' "$T/w1.log" || fail "run 1: the exit line does not count the waiting files"
# at once again: not due yet, not taken
once w2
[ "$(grep -c '^run a.csv$' "$STUB_LOG")" = 1 ] || fail "run 2: retried before it was due"
sleep 2.2
once w3; st=$?
[ "$st" = 1 ] || fail "run 3: exit $st, expected 1 (b.csv failed)"
[ -f "$D/done/a.csv" ] || fail "run 3: a.csv not imported on its retry"
grep -q resume "$STUB_LOG" || fail "run 3: the retry did not resume from the journal"
# b.csv's second attempt failed without a report: its own cause, permanent, not the old 503
[ -f "$D/failed/b.csv" ] || fail "run 3: b.csv not in failed/"
line=$(grep 'file="b.csv" action=done' "$T/w3.log")
echo "$line" | grep -q 'outcome=config-error' || fail "run 3: b.csv outcome: $line"
echo "$line" | grep -q 'detail="loket-import: error: --frobnicate: not an option"' || fail "run 3: b.csv cause: $line"
grep -q 'frobnicate' "$D/failed/b.csv.error.txt" || fail "run 3: no cause in b.csv.error.txt"
[ "$(jq -r .transient_failures "$(ls "$D"/reports/b.csv.*.watch.json)")" = 1 ] || fail "run 3: transient count"
# the hooks ran; the failing one and the hanging one were logged, and nothing stopped
grep -qx 'failure b.csv' "$T/hooks.log" || fail "onFailure did not run"
grep -qx 'success a.csv' "$T/hooks.log" || fail "onSuccess did not run"
grep -q 'file="b.csv" action=hook hook=onFailure outcome=failed exit=4' "$T/w3.log" || fail "failing hook not logged"
grep -q 'file="a.csv" action=hook hook=onSuccess outcome=error detail="still running after 1s: killed"' "$T/w3.log" ||
    fail "hanging hook not logged"

# maximum age 0: a transient failure goes to failed/ at once as unavailable
sed 's/"retry_max_age_seconds": 600/"retry_max_age_seconds": 0/' "$D/loket-watch.json" >"$T/c" && mv "$T/c" "$D/loket-watch.json"
echo "plan transient" >"$D/inbox/c.csv"
once w4; st=$?
[ "$st" = 1 ] || fail "max age 0: exit $st, expected 1"
grep -q 'file="c.csv" action=done outcome=unavailable exit=3' "$T/w4.log" || fail "max age 0: not unavailable"
[ -f "$D/failed/c.csv.error.txt" ] || fail "max age 0: no error note"
echo "ok"
