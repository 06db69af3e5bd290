#!/bin/sh
# The shipped systemd units work as shipped: `systemd-analyze verify` accepts them, and the
# timer service's command runs inside bubblewrap with exactly the unit's file system view:
# everything read-only (ProtectSystem=strict), /home, /root and /run/user empty (ProtectHome),
# a private /tmp (PrivateTmp), writable only StateDirectory= and ReadWritePaths=,
# ConfigurationDirectory= read-only, the client secret only as the LoadCredential= file in
# $CREDENTIALS_DIRECTORY, as an unprivileged user with no capabilities. Two runs against
# loket-sim with every access token expired in between (401, refresh, rotated token stored)
# both import their file; a token store kept read-only is exit 3 with its cause; and
# `systemd-analyze security` rates the services 2.0 or lower. UNIT=FILE tests another unit.
. "$(dirname "$0")/lib.sh"
IMPORT=$LK_ROOT/$LOKET_BUILD/loket-import
case "$LOKET_BUILD" in /*) IMPORT=$LOKET_BUILD/loket-import ;; esac
UNIT=${UNIT:-$LK_ROOT/docs/loket-import-watch.service}
SAMPLE=$LK_ROOT/samples/uren-maand-40101-2026-11.csv
MAPPING=$LK_ROOT/mappings/uren-maand-excel.json
command -v bwrap >/dev/null || { echo "FAIL: bwrap not installed (Debian bubblewrap; scripts/deps.sh)"; exit 1; }
command -v systemd-analyze >/dev/null || { echo "FAIL: systemd-analyze not installed (Debian systemd)"; exit 1; }
start_sim

# 1. systemd-analyze verify: the units as shipped, with the binary where this build has it
V=$SIM_DIR/units
mkdir -p "$V"
for u in loket-import-watch.service loket-import-watch-resident.service loket-import-watch.timer; do
    sed "s#/usr/local/bin/loket-import#$IMPORT#g" "$LK_ROOT/docs/$u" >"$V/$u"
done
(cd "$V" && systemd-analyze verify ./loket-import-watch.service ./loket-import-watch-resident.service \
    ./loket-import-watch.timer) >"$SIM_DIR/verify.out" 2>&1 ||
    { cat "$SIM_DIR/verify.out"; fail "systemd-analyze verify refused the units"; }
[ -s "$SIM_DIR/verify.out" ] && { cat "$SIM_DIR/verify.out"; fail "systemd-analyze verify warned"; }

# systemd-analyze security: 2.0 or lower ("OK"), as docs/watch.md says
for u in loket-import-watch.service loket-import-watch-resident.service; do
    score=$(cd "$V" && systemd-analyze security --offline=yes "./$u" 2>&1 |
        sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\) .*/\1/p')
    [ -n "$score" ] || fail "no systemd-analyze security figure for $u"
    awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' || fail "$u: systemd-analyze security $score, above 2.0"
done

# 2. what the unit says about the file system
key() { sed -n "s/^$1=//p" "$UNIT"; }
[ "$(key ProtectSystem)" = strict ] || fail "the test expects ProtectSystem=strict"
[ "$(key ProtectHome)" = yes ] || fail "the test expects ProtectHome=yes"
[ "$(key PrivateTmp)" = yes ] || fail "the test expects PrivateTmp=yes"
for k in ReadOnlyPaths InaccessiblePaths BindPaths BindReadOnlyPaths TemporaryFileSystem \
    RuntimeDirectory CacheDirectory LogsDirectory RootDirectory WorkingDirectory; do
    [ -n "$(key $k)" ] && fail "the unit sets $k=, which this test does not reproduce yet"
done
EXEC=$(key ExecStart | sed "s#^/usr/local/bin/loket-import#$IMPORT#")
STATE=/var/lib/$(key StateDirectory)
CONF=/etc/$(key ConfigurationDirectory)
RW=$(key ReadWritePaths | sed 's/^-//')
CRED=$(key LoadCredential)
CRED_ID=${CRED%%:*}
CREDS=/run/credentials/$(basename "$UNIT")
DROP=$RW
[ "$STATE" != /var/lib/ ] && [ "$CONF" != /etc/ ] && [ -n "$RW" ] && [ -n "$CRED_ID" ] ||
    fail "the unit lacks StateDirectory=, ConfigurationDirectory=, ReadWritePaths= or LoadCredential="
case $EXEC in "$IMPORT watch $DROP "*) ;; *) fail "ExecStart does not watch the ReadWritePaths= folder: $EXEC" ;; esac

# the host side of each of those folders
H=$SIM_DIR/host
mkdir -p "$H/state" "$H/conf/mappings" "$H/drop/inbox" "$H/creds"
cp "$MAPPING" "$H/conf/mappings/"
cat >"$H/conf/config.json" <<JSON
{ "environment": "custom", "apiUrl": "$SIM_URL", "tokenUrl": "$SIM_ROOT/token",
  "clientId": "$(jq -r .auth.clientId "$SIM_FIXTURE")" }
JSON
SECRET=$(jq -r .auth.clientSecret "$SIM_FIXTURE")
printf '%s\n' "$SECRET" >"$H/creds/$CRED_ID"
chmod 400 "$H/creds/$CRED_ID"
cat >"$H/drop/loket-watch.json" <<JSON
{ "settle_seconds": 0,
  "rules": [ { "match": "uren-*.csv", "mapping": "$CONF/mappings/$(basename "$MAPPING")",
               "mode": "apply", "period": "2026-11" } ] }
JSON
# the operator seeds the token store once (as the service user, with the service's paths)
STATE_DIRECTORY=$H/state LOKET_CLIENT_SECRET_FILE=$H/creds/$CRED_ID \
    "$IMPORT" auth set-refresh-token --config "$H/conf/config.json" <"$SIM_DIR/refresh" >/dev/null ||
    fail "seeding the token store"
[ -f "$H/state/tokens.json" ] || fail "the token store is not in the state folder"
# the unit's User= owns its state and drop folders; in the sandbox it is uid 990
SVC_UID=990

# 3. the sandbox: a read-only copy of / with room made for the unit's folders
TARGETS="$STATE $CONF $DROP $CREDS /proc /dev /tmp /var/tmp /home /root /run/user"
is_target() { for t in $TARGETS; do [ "$1" = "$t" ] && return 0; done; return 1; }
is_parent() { for t in $TARGETS; do case $t in "$1"/*) return 0 ;; esac; done; return 1; }
ARGS=$SIM_DIR/bwrap.args
: >"$ARGS"
arg() { printf '%s\n' "$@" >>"$ARGS"; } # one argument a line (no path here holds a newline)
expand() { # DIR: bind every entry of DIR read-only, except targets and their parents
    for p in "$1"/* "$1"/.*; do
        n=${p##*/}
        case $n in . | .. | '*' | '.*') continue ;; esac
        if is_target "$p"; then :
        elif is_parent "$p"; then arg --dir "$p"; expand "$p"
        elif [ -L "$p" ]; then arg --symlink "$(readlink "$p")" "$p"
        elif [ -e "$p" ]; then arg --ro-bind "$p" "$p"
        fi
    done
}
expand ""
arg --proc /proc --dev /dev                                # PrivateDevices=yes: a minimal /dev
arg --tmpfs /tmp --tmpfs /var/tmp                          # PrivateTmp=yes
for d in /home /root /run/user; do arg --dir "$d"; done    # ProtectHome=yes: empty
arg --bind "$H/state" "$STATE"                             # StateDirectory=
arg --ro-bind "$H/conf" "$CONF"                            # ConfigurationDirectory=
arg --bind "$H/drop" "$DROP"                               # ReadWritePaths=
arg --ro-bind "$H/creds" "$CREDS"                          # LoadCredential=
# COMMAND...: runs it in the sandbox as the service user without capabilities, with the
# environment systemd gives the service (and nothing of ours: no secret in it)
run_in_sandbox() {
    printf '%s\n' "$@" >"$ARGS.cmd"
    set --
    while IFS= read -r a; do set -- "$@" "$a"; done <"$ARGS"
    [ -f "$ARGS.extra" ] && while IFS= read -r a; do set -- "$@" "$a"; done <"$ARGS.extra"
    set -- "$@" --remount-ro / --
    while IFS= read -r a; do set -- "$@" "$a"; done <"$ARGS.cmd"
    bwrap --unshare-user --uid "$SVC_UID" --gid "$SVC_UID" --cap-drop ALL --unshare-ipc \
        --die-with-parent --clearenv --setenv PATH /usr/bin:/bin --setenv HOME /home/loket \
        --setenv LANG C.UTF-8 --setenv STATE_DIRECTORY "$STATE" \
        --setenv CONFIGURATION_DIRECTORY "$CONF" --setenv CREDENTIALS_DIRECTORY "$CREDS" \
        --chdir / "$@"
}

# the sandbox is what the unit promises: nothing writable but the state and drop folders
out=$(run_in_sandbox sh -c "for p in / /etc /usr /var/lib $CONF $CREDS $LK_ROOT /home /root /run; do touch \$p/.w 2>/dev/null && echo writable:\$p; done; touch $STATE/.w $DROP/.w || echo not-writable; rm -f $STATE/.w $DROP/.w; cat $CREDS/$CRED_ID >/dev/null || echo no-credential; ls -A /home; ls -A /root; test -e $H && echo host-temp-visible" 2>&1)
[ -z "$out" ] || fail "the sandbox is not the unit's view: $out"

# 4. the service's command, twice, with every access token expired in between
cp "$SAMPLE" "$H/drop/inbox/uren-nov.csv"
run_in_sandbox $EXEC 2>"$SIM_DIR/run1.log"
st=$?
[ "$st" = 0 ] || { cat "$SIM_DIR/run1.log"; cat "$H"/drop/reports/*.log 2>/dev/null; fail "first run in the sandbox: exit $st"; }
[ -f "$H/drop/done/uren-nov.csv" ] || { cat "$SIM_DIR/run1.log"; fail "first file not imported"; }
rt1=$(jq -r .refreshToken "$H/state/tokens.json")
curl -s -X POST "$SIM_ROOT/__sim/expire-tokens" >/dev/null || fail "expire-tokens"
LC_ALL=C awk -F';' 'BEGIN { OFS = ";" } $1 ~ /^[0-9]+$/ && $4 != "" { sub(/,.*/, "", $4); $4 = $4 + 1 } { print }' \
    "$SAMPLE" >"$H/drop/inbox/uren-nov-v2.csv"
run_in_sandbox $EXEC 2>"$SIM_DIR/run2.log"
st=$?
[ "$st" = 0 ] || { cat "$SIM_DIR/run2.log"; cat "$H"/drop/reports/uren-nov-v2*.log 2>/dev/null; fail "second run (expired token) in the sandbox: exit $st"; }
[ -f "$H/drop/done/uren-nov-v2.csv" ] || { cat "$SIM_DIR/run2.log"; fail "second file not imported"; }
rt2=$(jq -r .refreshToken "$H/state/tokens.json")
[ "$rt1" != "$rt2" ] || fail "the rotated refresh token was not stored in $STATE"
v=$(sim_state | jq '[.payrollPeriodData[] | select(.employeeNumber == 1001 and .payrollPeriodId == 202611)
    | .payrollComponents[] | select(.payrollComponent.key == 10) | .value] | first')
[ "$v" = 167 ] || fail "employee 1001 has $v hours in Loket, expected 167 from the second file"
# auth status works under the same sandbox (exit 0), and nothing printed the secret
run_in_sandbox "$IMPORT" auth status >"$SIM_DIR/status.out" 2>&1 || { cat "$SIM_DIR/status.out"; fail "auth status in the sandbox"; }
cat "$SIM_DIR"/run*.log "$SIM_DIR/status.out" "$H"/drop/reports/*.log | grep -q "$SECRET" &&
    fail "the client secret appears in a log"

# 5. the old units' mistake: a token store the sandbox keeps read-only (under ProtectHome, in
# ~/.local/state). The refresh after an expired token cannot take the store's lock: an
# environment error, exit 3, naming the path and "Read-only file system"; the file goes to
# failed/ as config-error with that cause, never as an input error of the file
mkdir -p "$H/home/.local/state/loket-import"
cp "$H/state/tokens.json" "$H/home/.local/state/loket-import/tokens.json"
jq --arg s /home/loket/.local/state/loket-import/tokens.json '. + {tokenStore: $s}' \
    "$H/conf/config.json" >"$H/conf/config-home.json"
printf '%s\n' --ro-bind "$H/home" /home/loket >"$ARGS.extra"
curl -s -X POST "$SIM_ROOT/__sim/expire-tokens" >/dev/null || fail "expire-tokens"
run_in_sandbox "$IMPORT" auth refresh --config "$CONF/config-home.json" >"$SIM_DIR/ro.out" 2>&1
st=$?
[ "$st" = 3 ] || { cat "$SIM_DIR/ro.out"; fail "read-only token store: auth refresh exit $st, expected 3"; }
grep -q "tokens.json.lock: Read-only file system" "$SIM_DIR/ro.out" ||
    { cat "$SIM_DIR/ro.out"; fail "the error does not name the lock file and the reason"; }
LC_ALL=C awk -F';' 'BEGIN { OFS = ";" } $1 ~ /^[0-9]+$/ && $4 != "" { sub(/,.*/, "", $4); $4 = $4 + 2 } { print }' \
    "$SAMPLE" >"$H/drop/inbox/uren-nov-ro.csv"
run_in_sandbox $EXEC --config "$CONF/config-home.json" 2>"$SIM_DIR/run3.log"
st=$?
[ "$st" = 1 ] || { cat "$SIM_DIR/run3.log"; fail "watch --once with a read-only store: exit $st, expected 1"; }
line=$(grep 'file="uren-nov-ro.csv" action=done' "$SIM_DIR/run3.log")
echo "$line" | grep -q 'outcome=config-error exit=3' || fail "read-only store: $line"
# the first write in the read-only store folder names it: the run folder (a run's audit trail
# lives beside the token store) or the store's lock
echo "$line" | grep -q 'detail="[^"]*/home/loket/.local/state/loket-import/[^"]*: Read-only file system' ||
    fail "detail= is not the cause: $line"
grep -q 'Read-only file system' "$H/drop/failed/uren-nov-ro.csv.error.txt" || fail "no cause in uren-nov-ro.csv.error.txt"
rm -f "$ARGS.extra"
echo "ok"
