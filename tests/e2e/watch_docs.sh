#!/bin/sh
# docs/watch.md works as printed: its example folder config and the setup step that copies the
# mappings, taken from the page itself (only /etc/loket-import and /srv/loket/bakkerij moved
# into a temporary folder), run against loket-sim: a file for each rule of the example ends as
# the rule says (the two apply rules imported, the plan rule planned), none in failed/.
# sim-modes: both
. "$(dirname "$0")/lib.sh"
IMPORT=$LK_ROOT/$LOKET_BUILD/loket-import
case "$LOKET_BUILD" in /*) IMPORT=$LOKET_BUILD/loket-import ;; esac
DOC=$LK_ROOT/docs/watch.md
start_sim
ETC=$SIM_DIR/etc/loket-import
SRV=$SIM_DIR/srv/loket/bakkerij
moved() { sed "s#/etc/loket-import#$ETC#g; s#/srv/loket/bakkerij#$SRV#g"; }
# the setup steps that make the folders and copy the mappings, as printed
block() { # HEADING-LINE: the lines of the first code block after it
    awk -v h="$1" '$0 == h { on = 1; next } on && /^```/ { if (in_block) exit; in_block = 1; next } in_block' "$DOC"
}
steps=$(block 'Setting it up once:' | grep -E '^(install -d -m 0755 /etc/loket-import|cp mappings/)')
[ "$(printf '%s\n' "$steps" | wc -l)" = 2 ] || fail "docs/watch.md: the setup's install and cp steps not found: $steps"
mkdir -p "$SRV"
(cd "$LK_ROOT" && eval "$(printf '%s\n' "$steps" | moved)") || fail "a setup step failed as printed: $steps"
# the example folder config, as printed
block '## The folder config' | moved >"$SRV/loket-watch.json"
jq -e .rules "$SRV/loket-watch.json" >/dev/null || { cat "$SRV/loket-watch.json"; fail "the example config is not JSON"; }
# its rules' settle time aside (the test does not wait 10 s per file)
cfg=$SIM_DIR/config.json
cat >"$cfg" <<JSON
{ "environment": "custom", "apiUrl": "$SIM_URL", "tokenUrl": "$SIM_ROOT/token",
  "clientId": "$(jq -r .auth.clientId "$SIM_FIXTURE")", "tokenStore": "$SIM_DIR/tokens.json" }
JSON
LOKET_CLIENT_SECRET=$(jq -r .auth.clientSecret "$SIM_FIXTURE")
export LOKET_CLIENT_SECRET
"$IMPORT" auth set-refresh-token --config "$cfg" <"$SIM_DIR/refresh" >/dev/null || fail "auth set-refresh-token"
mkdir -p "$SRV/inbox"
cp "$LK_ROOT/samples/uren-maand-40101-2026-11.csv" "$SRV/inbox/uren-nov.csv"
cp "$LK_ROOT/samples/variabele-gegevens-40102-2026-P12.csv" "$SRV/inbox/variabele-gegevens-dec.csv"
cp "$LK_ROOT/samples/uren-dagelijks-40201-2026-11.xlsx" "$SRV/inbox/uren-dagelijks.xlsx"
timeout 300 "$IMPORT" watch "$SRV" --once --settle 0 --config "$cfg" 2>"$SIM_DIR/w.log"
st=$?
[ "$st" = 0 ] || { cat "$SIM_DIR/w.log"; cat "$SRV"/failed/*.error.txt 2>/dev/null; fail "watch --once with the example config: exit $st"; }
for f in uren-nov.csv:imported variabele-gegevens-dec.csv:imported uren-dagelijks.xlsx:planned; do
    name=${f%%:*} want=${f#*:}
    grep -q "file=\"$name\" action=done outcome=$want " "$SIM_DIR/w.log" ||
        { cat "$SIM_DIR/w.log"; fail "$name: not $want with the example config"; }
done
echo "ok"
