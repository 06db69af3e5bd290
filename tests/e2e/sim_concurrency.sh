#!/bin/sh
# sim_concurrency.sh: loket-sim serves at least 64 parallel connections (each held open by
# injected latency), and 200 concurrent PATCHes to distinct employments all land exactly once.
set -u
. "$(dirname "$0")/lib.sh"
start_sim --latency-ms 3000
SIM_TOKEN=$(get_token) || fail "no token"

# 80 requests at once (threads of one python3 process: 80 curl processes would themselves take
# seconds to start on a small machine), each taking >= 3 s in the server: serially, 240 s
out=$(/usr/bin/python3 - "$SIM_URL/user" "$SIM_TOKEN" <<'PY'
import sys, threading, time, urllib.request
url, token = sys.argv[1], sys.argv[2]
codes = []
def get():
    req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token,
                                               "Accept": "application/json;version=2018-01-01"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            codes.append(r.status)
    except Exception as e:
        codes.append(str(e))
t0 = time.time()
threads = [threading.Thread(target=get) for _ in range(80)]
for t in threads: t.start()
for t in threads: t.join()
print(sum(1 for c in codes if c == 200), int(time.time() - t0))
PY
)
ok=${out% *} secs=${out#* }
[ "$ok" = 80 ] || fail "only $ok of 80 parallel requests answered 200"
[ "$secs" -ge 3 ] || fail "80 requests with 3 s latency took only $secs s"
[ "$secs" -lt 30 ] || fail "80 parallel 3-second requests took $secs s: not parallel"
t0=0 t1=$secs
echo "  80 parallel connections with 3 s latency served in $((t1 - t0)) s"
curl -s -X POST "$SIM_ROOT/__sim/faults" -d '{"latencyMs":0,"jitterMs":20}' >/dev/null

# concurrent writes: every monthly and 4-weekly employment gets a PATCH, 4 rounds each, in parallel
jq -r '.employments[] | select(.payrollAdministration.clientNumber == 40101 and .employee.employeeNumber != 1019 and .employee.employeeNumber != 1024) | .id' \
    "$SIM_FIXTURE" >"$SIM_DIR/ids"
n=$(wc -l <"$SIM_DIR/ids")
: >"$SIM_DIR/codes"
pids=
for round in 1 2 3 4; do
    while read -r e; do
        curl -s --max-time 30 -o /dev/null -w '%{http_code}\n' -X PATCH \
            "$SIM_URL/providers/employers/employees/employments/$e/payrollperioddata" \
            -H "Authorization: Bearer $SIM_TOKEN" -H 'Accept: application/json;version=2018-01-01' \
            -H 'Content-Type: application/json;version=2018-01-01' \
            --data "{\"payrollPeriod\":{\"year\":2026,\"periodNumber\":12},\"payrollComponents\":[{\"payrollComponent\":{\"key\":1$round},\"value\":$round.25}]}" \
            >>"$SIM_DIR/codes" &
        pids="$pids $!"
    done <"$SIM_DIR/ids"
done
# shellcheck disable=SC2086
wait $pids
[ "$(grep -c '^200$' "$SIM_DIR/codes")" = $((n * 4)) ] || fail "concurrent PATCHes: $(sort "$SIM_DIR/codes" | uniq -c)"
state=$(sim_state)
recs=$(printf '%s' "$state" | jq '[.payrollPeriodData[] | select(.payrollPeriod.year == 2026 and .payrollPeriod.periodNumber == 12)] | length')
[ "$recs" = "$n" ] || fail "expected $n December records (one per employment), got $recs"
printf '%s' "$state" | jq -e '[.payrollPeriodData[] | select(.payrollPeriod.periodNumber == 12 and .payrollPeriod.year == 2026) |
    (.payrollComponents | map(.value) | sort)] | all(. == [1.25, 2.25, 3.25, 4.25])' >/dev/null ||
    fail "a concurrent upsert lost a component"
total=$(curl -s "$SIM_ROOT/__sim/requests" | jq '.counts["PATCH /providers/employers/employees/employments/{employmentId}/payrollperioddata"]')
[ "$total" = $((n * 4)) ] || fail "request log counted $total PATCHes, sent $((n * 4))"
echo "  $((n * 4)) concurrent PATCHes: $n records, every component kept"
stop_sim
echo "sim_concurrency: ok"
