#!/bin/sh
# token_race.sh: several loket-import processes sharing one token store refresh at the same
# moment. loket-sim rotates refresh tokens (a spent one is refused), so a process that refreshed
# with a token another had already spent would fail, or leave a spent token in the store. Each
# round expires every access token and starts four look-ups at once: every one must succeed,
# loket-sim must refuse no refresh, fewer refreshes than processes must reach it (one refresh
# serves the others, read back from the store under its lock), and afterwards the store must hold
# a refresh token Loket still accepts. Also: an apply and look-ups at once, with a short token
# lifetime, so refreshes happen in the middle of an apply too.
# sim-modes: both
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh"

start_import_sim --token-ttl 2
ROUNDS=6 PROCS=4

token_posts() { # POST /token requests so far, and how many were refused
    sim_requests | jq -r '[.counts["POST /token"] // 0,
        ([.recent[] | select(.method == "POST" and .path == "/token" and .status != 200)] | length)] | @tsv'
}

r=1
refused_total=0
while [ $r -le $ROUNDS ]; do
    curl -s --max-time 20 -X POST "$SIM_ROOT/__sim/expire-tokens" >/dev/null || fail "expire-tokens"
    set -- $(token_posts)
    before=$1
    p=1 pids=
    while [ $p -le $PROCS ]; do
        "$IMPORT_BIN" employers --json --config "$SIM_DIR/config.json" >"$SIM_DIR/r$r.$p.out" 2>"$SIM_DIR/r$r.$p.err" &
        pids="$pids $!"
        p=$((p + 1))
    done
    p=1
    for pid in $pids; do
        wait "$pid"
        st=$?
        [ $st = 0 ] || { cat "$SIM_DIR/r$r.$p.err" >&2; fail "round $r: process $p of $PROCS refreshing at once: exit $st"; }
        jq -e 'length > 0' "$SIM_DIR/r$r.$p.out" >/dev/null || fail "round $r: process $p printed no employers"
        p=$((p + 1))
    done
    set -- $(token_posts)
    [ "$2" = 0 ] || fail "round $r: loket-sim refused $2 token request(s): a spent refresh token was used"
    posts=$(($1 - before))
    [ "$posts" -ge 1 ] || fail "round $r: no refresh after the tokens expired"
    [ "$posts" -lt $PROCS ] || fail "round $r: $posts refreshes for $PROCS processes: the store's token was not shared"
    r=$((r + 1))
done

# the store still holds a refresh token Loket accepts
"$IMPORT_BIN" auth refresh --config "$SIM_DIR/config.json" >"$SIM_DIR/last.out" 2>&1 ||
    { cat "$SIM_DIR/last.out"; fail "after the races the stored refresh token is refused"; }

# an apply while look-ups refresh beside it (access tokens live 2 s; the apply takes longer)
curl -s --max-time 20 -X POST "$SIM_ROOT/__sim/faults" -d '{"latencyMs": 150}' >/dev/null || fail "faults"
"$IMPORT_BIN" apply "$(sample uren-maand-40101-2026-11.csv)" -m "$(mapping uren-maand-excel.json)" --period 2026-11 \
    --concurrency 2 --config "$SIM_DIR/config.json" --report "$SIM_DIR/apply.json" >"$SIM_DIR/apply.out" 2>&1 &
apid=$!
i=0
while [ $i -lt 12 ]; do
    "$IMPORT_BIN" employers --config "$SIM_DIR/config.json" >"$SIM_DIR/side.out" 2>&1 ||
        { cat "$SIM_DIR/side.out"; kill -9 $apid 2>/dev/null; fail "a look-up beside the apply failed"; }
    sleep 0.3
    i=$((i + 1))
done
wait $apid
st=$?
[ $st = 0 ] || { cat "$SIM_DIR/apply.out"; fail "apply with look-ups refreshing beside it: exit $st"; }
check_report_state "$SIM_DIR/apply.json"
set -- $(token_posts)
[ "$2" = 0 ] || fail "loket-sim refused $2 token request(s) during the apply"
[ "$1" -gt $ROUNDS ] || fail "only $1 token requests: the tokens did not expire during the apply"
"$IMPORT_BIN" auth refresh --config "$SIM_DIR/config.json" >"$SIM_DIR/last.out" 2>&1 ||
    { cat "$SIM_DIR/last.out"; fail "after the apply the stored refresh token is refused"; }
echo "token_race: $ROUNDS rounds of $PROCS processes and an apply beside look-ups; $1 token requests, none refused"
