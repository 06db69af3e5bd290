#!/bin/sh
# Folder permissions as shipped: the drop folder made by the step docs/watch.md prints
# (install -d -o loket -g loket -m 2750), the watcher running as that user with the units'
# UMask=0027: a member of the group can upload into inbox/, and can change nothing else (not
# the folder itself, processing/, done/, failed/, reports/, nor the registry). A drop folder the
# group may write is refused at start (exit 3), naming the folder and the fix. Runs as root to
# switch users (setpriv); the user and group ids need no accounts.
. "$(dirname "$0")/watch/lib.sh"
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root to run the watcher and an uploader as other users"; exit 77; }
command -v setpriv >/dev/null || { echo "SKIP: setpriv (util-linux) is missing"; exit 77; }
SVC=64990 UP=64991
BIN=$(cd "$(dirname "$IMPORT")" && pwd)/$(basename "$IMPORT")
chmod 0755 "$T"
as_service() { setpriv --reuid $SVC --regid $SVC --clear-groups -- sh -c "umask 0027; $*"; }
as_uploader() { setpriv --reuid $UP --regid $UP --groups $SVC -- sh -c "$*"; }
as_uploader true || { echo "SKIP: setpriv cannot switch users here"; exit 77; }
D=$T/bakkerij
# the drop folder exactly as docs/watch.md makes it, with our ids for the user "loket"
line=$(grep '^install -d -o loket -g loket .* /srv/loket/bakkerij$' "$HERE/../../docs/watch.md")
[ -n "$line" ] || fail "docs/watch.md has no 'install -d -o loket -g loket ... /srv/loket/bakkerij' step"
eval "$(printf '%s\n' "$line" | sed "s#-o loket -g loket#-o $SVC -g $SVC#; s#/srv/loket/bakkerij#$D#")" ||
    fail "the documented step failed: $line"
cat >"$T/cfg.json" <<'JSON'
{ "settle_seconds": 0, "rules": [ { "match": "*.csv", "mapping": "map.json", "mode": "plan" } ] }
JSON
install -o $SVC -g $SVC -m 0640 "$T/cfg.json" "$D/loket-watch.json"
install -o $SVC -g $SVC -m 0640 /dev/null "$D/map.json"
as_service "'$BIN' watch '$D' --once" 2>"$T/w1.log" || fail "the first start as the service user: exit $?"
[ -d "$D/inbox" ] || fail "no inbox/"
# the group uploads
as_uploader "echo 'Personeelsnr;Uren' >'$D/inbox/upload.csv'" 2>"$T/up.log" ||
    { ls -la "$D"; fail "a member of the group cannot upload into inbox/: $(cat "$T/up.log")"; }
# and changes nothing else
for f in processing done failed reports .loket-watch; do
    as_uploader "mv '$D/$f' '$D/$f.x'" 2>/dev/null && fail "the group can rename $f/"
    as_uploader "touch '$D/$f/x'" 2>/dev/null && fail "the group can write into $f/"
done
as_uploader "touch '$D/x'" 2>/dev/null && fail "the group can write into the drop folder itself"
as_uploader "mv '$D/inbox' '$D/inbox.x'" 2>/dev/null && fail "the group can rename inbox/"
as_uploader "mv '$D/.loket-watch/imported.jsonl' '$D/r'" 2>/dev/null && fail "the group can move the registry"
as_uploader "touch '$D/loket-watch.json'" 2>/dev/null && fail "the group can change the folder config"
# a drop folder the group may write: refused at start, with the fix
chmod 2770 "$D"
as_service "'$BIN' watch '$D' --once" 2>"$T/w2.log"
st=$?
[ "$st" = 3 ] || { cat "$T/w2.log"; fail "a group-writable drop folder: exit $st, expected 3"; }
grep -q "chmod g-w" "$T/w2.log" || { cat "$T/w2.log"; fail "the refusal does not say how to fix it"; }
echo "ok"
