#!/bin/sh
# file_safety.sh: another local user cannot make loket-import write where it should not. A
# second user (created here with useradd, removed at the end) plants symlinks in a shared
# world-writable folder under the names the next run would use (the old temporaries were NAME.tmp.<pid>; the
# test knows the pid because it starts the run itself), and pre-creates the token store's folder.
# Checked: CSV and XLSX reports and the journal never write through a planted temporary, a trace
# that is a symlink is refused, an existing trace becomes 0600, a token store in a folder owned
# by that user or writable by others is refused (nothing written there, no lock created through
# a link). Needs root (CI runs as root); skipped otherwise.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh"

[ "$(id -u)" = 0 ] || skip "file_safety needs root to create a second user"
command -v useradd >/dev/null && command -v userdel >/dev/null && command -v setpriv >/dev/null ||
    skip "useradd, userdel or setpriv missing"

start_import_sim
ATK="lkatk$$"
SHARED=$(mktemp -d /tmp/lk-shared-XXXXXX) || fail "mktemp"
# world-writable without the sticky bit, like a folder another user made for a demo or a team
chmod 777 "$SHARED"
useradd --system --no-create-home --shell /usr/sbin/nologin "$ATK" || fail "useradd $ATK"
cleanup() {
    rm -rf "$SHARED"
    userdel "$ATK" 2>/dev/null
    stop_sim
}
trap cleanup EXIT
trap 'cleanup; exit 1' INT TERM
as_attacker() { setpriv --reuid="$(id -u "$ATK")" --regid="$(id -g "$ATK")" --clear-groups "$@"; }

PRIV="$SIM_DIR/private"
mkdir -m 700 "$PRIV"
for v in report-csv report-xlsx journal trace; do echo untouched >"$PRIV/victim-$v"; done
CSV=$(sample uren-maand-40101-2026-11.csv)
MAP=$(mapping uren-maand-excel.json)

# at_known_pid NAME... -- CMD...: starts CMD with a pid known beforehand, lets the attacker plant
# NAME.tmp.<pid> -> target for each NAME=target, then lets CMD run. Exit code in $RC.
at_known_pid() {
    rm -f "$SIM_DIR/go"
    mkfifo "$SIM_DIR/go"
    links=
    while [ "$1" != -- ]; do links="$links $1"; shift; done
    shift
    sh -c 'read x <"$0"; exec "$@"' "$SIM_DIR/go" "$@" >"$SIM_DIR/out" 2>&1 &
    pid=$!
    for l in $links; do
        as_attacker ln -s "${l#*=}" "${l%%=*}.tmp.$pid" || fail "the second user could not plant a link"
    done
    echo go >"$SIM_DIR/go"
    wait $pid
    RC=$?
}

untouched() { [ "$(cat "$PRIV/victim-$1")" = untouched ] || fail "$2 wrote through a planted symlink into a root-only file"; }

# ---- reports: CSV (the common atomic writer) and XLSX (libxlsxwriter) in a shared folder
at_known_pid "$SHARED/r.csv=$PRIV/victim-report-csv" -- \
    "$IMPORT_BIN" validate "$CSV" -m "$MAP" --period 2026-11 --report "$SHARED/r.csv" --quiet
untouched report-csv "the CSV report"
[ "$RC" = 0 ] || { cat "$SIM_DIR/out"; fail "validate with a CSV report in a shared folder: exit $RC"; }
grep -q 1001 "$SHARED/r.csv" || fail "the CSV report was not written"
[ "$(stat -c %u "$SHARED/r.csv")" = 0 ] || fail "the CSV report is not root's own file"

at_known_pid "$SHARED/r.xlsx=$PRIV/victim-report-xlsx" -- \
    "$IMPORT_BIN" validate "$CSV" -m "$MAP" --period 2026-11 --report "$SHARED/r.xlsx" --quiet
untouched report-xlsx "the XLSX report"
[ "$RC" = 0 ] || { cat "$SIM_DIR/out"; fail "validate with an XLSX report in a shared folder: exit $RC"; }
[ "$(head -c 2 "$SHARED/r.xlsx")" = PK ] || fail "the XLSX report was not written"
[ -z "$(find "$SHARED" -name 'r.xlsx.*' -user 0)" ] || fail "the XLSX writer left a temporary behind"

# ---- the journal of an apply (named in the shared folder) and a trace that is a symlink
as_attacker ln -s "$PRIV/victim-trace" "$SHARED/trace.log"
at_known_pid "$SHARED/a.journal=$PRIV/victim-journal" -- \
    "$IMPORT_BIN" apply "$CSV" -m "$MAP" --period 2026-11 --employer 40101 \
    --config "$SIM_DIR/config.json" --report "$SHARED/a.json" --journal "$SHARED/a.journal" --quiet
untouched journal "the journal"
[ "$RC" = 0 ] || { cat "$SIM_DIR/out"; fail "apply with its journal in a shared folder: exit $RC"; }
head -n 1 "$SHARED/a.journal" | grep -q loketImportJournal || fail "the journal was not written"

"$IMPORT_BIN" employers --config "$SIM_DIR/config.json" --trace "$SHARED/trace.log" >"$SIM_DIR/out" 2>&1 &&
    fail "a trace file that is a symlink was accepted"
untouched trace "--trace"
grep -q "symbolic link" "$SIM_DIR/out" || { cat "$SIM_DIR/out"; fail "the refusal of a symlinked trace does not say why"; }
# a trace left 0644 (by hand or an older version) is made private before a body goes in
: >"$SIM_DIR/old-trace.log"
chmod 644 "$SIM_DIR/old-trace.log"
"$IMPORT_BIN" employers --config "$SIM_DIR/config.json" --trace "$SIM_DIR/old-trace.log" >/dev/null 2>&1 ||
    fail "employers with an existing trace file failed"
[ "$(stat -c %a "$SIM_DIR/old-trace.log")" = 600 ] || fail "an existing trace file kept mode $(stat -c %a "$SIM_DIR/old-trace.log")"

# ---- a token store in a folder the second user created first (the docs' /tmp/loket-demo)
DEMO="$SHARED/loket-demo"
as_attacker mkdir -m 777 "$DEMO" || fail "the second user could not create the folder"
as_attacker sh -c "umask 0; : >'$DEMO/stolen'"
jq --arg s "$DEMO/tokens.json" '.tokenStore = $s' "$SIM_DIR/config.json" >"$SIM_DIR/config-demo.json"
jq -r '.auth.refreshTokens[0]' "$SIM_FIXTURE" >"$SIM_DIR/rt"
# the lock is NAME.lock, not a temporary: plant it directly
as_attacker ln -s "$PRIV/made-by-lock" "$DEMO/tokens.json.lock"
at_known_pid "$DEMO/tokens.json=$DEMO/stolen" -- sh -c 'exec "$0" auth set-refresh-token --config "$1" <"$2"' \
    "$IMPORT_BIN" "$SIM_DIR/config-demo.json" "$SIM_DIR/rt"
[ ! -s "$DEMO/stolen" ] || fail "the token store was written into the second user's file"
[ ! -e "$PRIV/made-by-lock" ] || fail "the lock file was created through a symlink in a root-only folder"
[ ! -e "$DEMO/tokens.json" ] || fail "a token store was written into a folder owned by another user"
[ "$RC" != 0 ] || fail "a token store folder owned by another user was accepted"
grep -q "belongs to another user" "$SIM_DIR/out" || { cat "$SIM_DIR/out"; fail "the refusal does not say whose folder it is"; }

# root's own folder, but writable by everyone: refused too; 0755 is fine
mkdir -m 777 "$SIM_DIR/open"
chmod 777 "$SIM_DIR/open"
jq --arg s "$SIM_DIR/open/tokens.json" '.tokenStore = $s' "$SIM_DIR/config.json" >"$SIM_DIR/config-open.json"
jq -r '.auth.refreshTokens[0]' "$SIM_FIXTURE" |
    "$IMPORT_BIN" auth set-refresh-token --config "$SIM_DIR/config-open.json" >"$SIM_DIR/out" 2>&1 &&
    fail "a token store folder writable by others was accepted"
grep -q "can be written by other users" "$SIM_DIR/out" || { cat "$SIM_DIR/out"; fail "no reason given for the open folder"; }
chmod 755 "$SIM_DIR/open"
sim_reset
jq -r '.auth.refreshTokens[0]' "$SIM_FIXTURE" |
    "$IMPORT_BIN" auth set-refresh-token --config "$SIM_DIR/config-open.json" >"$SIM_DIR/out" 2>&1 ||
    { cat "$SIM_DIR/out"; fail "a token store folder of mode 0755 was refused"; }

echo "file_safety: all ok"
