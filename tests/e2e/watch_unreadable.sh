#!/bin/sh
# A regular file the watcher cannot read goes to failed/ with a report saying why, and the
# next file is imported. As root (CI) the watcher runs as an unprivileged user (setpriv), since
# root reads any file; without setpriv under root the test cannot be made and says so (it still
# fails if the unprivileged run is possible and goes wrong).
. "$(dirname "$0")/watch/lib.sh"
D="$T/drop"
new_folder "$D" '{ "settle_seconds": 0.2,
  "rules": [ { "match": "*.csv", "mapping": "map.json", "mode": "apply" } ] }'
mkdir -p "$D/inbox"
printf 'items 1\ngeheim\n' >"$D/inbox/a-onleesbaar.csv"
chmod 000 "$D/inbox/a-onleesbaar.csv"
printf 'items 1\nEND\n' >"$D/inbox/b-goed.csv"
RUN=""
if [ "$(id -u)" = 0 ]; then
    command -v setpriv >/dev/null || { echo "SKIP: running as root without setpriv"; exit 0; }
    # the unprivileged user owns the folder (it moves files) but not the unreadable file
    chmod 755 "$T"
    chown -R 65534:65534 "$D"
    chown 0:0 "$D/inbox/a-onleesbaar.csv"
    RUN="setpriv --reuid=65534 --regid=65534 --clear-groups"
fi
# the binary and the stand-in must be reachable for that user
cp "$IMPORT" "$T/loket-import"
cp "$STUB" "$T/stub-importer.sh"
chmod 755 "$T/loket-import" "$T/stub-importer.sh"
$RUN env LOKET_WATCH_IMPORTER="$T/stub-importer.sh" HOME="$T" \
    timeout 60 "$T/loket-import" watch "$D" --once 2>"$T/watch.log"
st=$?
[ "$st" -eq 1 ] || fail "exit $st, expected 1"
[ -e "$D/failed/a-onleesbaar.csv" ] || fail "unreadable file not in failed/"
r=$(ls "$D"/reports/a-onleesbaar.csv.*.watch.json) || fail "no report for the unreadable file"
[ "$(json_get "$r" outcome)" = unreadable ] || fail "outcome $(json_get "$r" outcome)"
json_get "$r" reason | grep -q "Permission denied" || fail "reason: $(json_get "$r" reason)"
[ -f "$D/done/b-goed.csv" ] || fail "the loop stopped after the unreadable file"
grep -q 'file="a-onleesbaar.csv" action=done outcome=unreadable' "$T/watch.log" || fail "no log line"
echo ok
