#!/bin/sh
# client_ratelimit.sh: a server's rate limit is found and kept to (src/loket/pacer.c). The
# monthly sample is applied at concurrency 8 against loket-sim --rate-limit 5 (a fixed second,
# 429 with Retry-After: 1): the first 429s tell the client the allowance and it paces under it,
# so no more requests are refused than were in flight when the first refusal came back (without
# the pacer every second ended in such a burst: 20 refusals here, against 3 with it). Loket then
# holds exactly what the same apply leaves without a limit. The pace is remembered beside the
# token store, so the next run starts at it and is refused nothing.
# sim-modes: both
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh"
start_import_sim --rate-limit 5
# 429s are retried; let the retries not run out while the client learns the limit
jq '.retry.maxAttempts = 8' "$SIM_DIR/config.json" >"$SIM_DIR/c.json" && mv "$SIM_DIR/c.json" "$SIM_DIR/config.json" ||
    fail "config"
CSV=$(sample uren-maand-40101-2026-11.csv)
MAP=$(mapping uren-maand-excel.json)

refused() { sim_requests | jq '[.recent[] | select(.status == 429)] | length'; }
accepted() { sim_requests | jq '[.recent[] | select(.status != 429 and (.path | startswith("/token") | not))] | length'; }

li apply "$CSV" -m "$MAP" --period 2026-11 --concurrency 8 --report "$SIM_DIR/limited.json"
[ "$LI_RC" = 0 ] || { cat "$SIM_DIR/li.err"; fail "apply under a rate limit: exit $LI_RC"; }
n429=$(refused)
nok=$(accepted)
limited=$(sim_state | jq -S '[.payrollPeriodData[] | del(.version, .id) | tojson] | sort')
[ "$nok" -ge 30 ] || fail "only $nok requests accepted: the run is too small to show pacing"
# the first refusals: at most the 8 in flight, and the token call may share the first second
[ "$n429" -ge 1 ] || fail "no 429: the simulator's limit was not reached"
[ "$n429" -le 9 ] || fail "$n429 requests answered 429 for $nok accepted: the client did not keep to the limit"

# the learned pace is kept beside the token store, and the next run starts at it: nothing refused
P=$SIM_DIR/tokens.json.pace
[ -f "$P" ] || fail "the learned pace was not remembered"
[ "$(stat -c %a "$P")" = 600 ] || fail "the pace file is not private"
[ "$(jq -r .apiUrl "$P")" = "$SIM_URL" ] || fail "the pace file names another API"
# 4 or 5 accepted in the measured second (the token call may take one), less the 2% margin
pace=$(jq .requestsPerSecond "$P")
awk -v r="$pace" 'BEGIN { exit !(r >= 3 && r <= 5) }' || fail "remembered pace $pace for a limit of 5/s"
sim_reset
li apply "$CSV" -m "$MAP" --period 2026-11 --concurrency 8
[ "$LI_RC" = 0 ] || { cat "$SIM_DIR/li.err"; fail "second apply under a rate limit: exit $LI_RC"; }
again=$(refused)
[ "$again" -le 1 ] || fail "the second run was refused $again times: it did not start at the learned pace"

# the same apply without a limit (and without the memory): the same values in Loket
rm -f "$P"
sim_reset
curl -s --max-time 20 -X POST "$SIM_ROOT/__sim/faults" -d '{"rateLimit": 0}' >/dev/null || fail "faults"
li apply "$CSV" -m "$MAP" --period 2026-11 --concurrency 8
[ "$LI_RC" = 0 ] || { cat "$SIM_DIR/li.err"; fail "apply without a limit: exit $LI_RC"; }
[ "$(refused)" = 0 ] || fail "429s without a limit"
free=$(sim_state | jq -S '[.payrollPeriodData[] | del(.version, .id) | tojson] | sort')
[ "$limited" = "$free" ] || { echo "$limited" >"$SIM_DIR/a"; echo "$free" >"$SIM_DIR/b"; diff "$SIM_DIR/a" "$SIM_DIR/b" | cut -c1-300 | head -20; fail "Loket's state after the limited apply differs from the free one"; }
echo "client_ratelimit: ok ($n429 answered 429 for $nok accepted at 5/s, concurrency 8; $again in the next run, at the remembered $pace/s)"
