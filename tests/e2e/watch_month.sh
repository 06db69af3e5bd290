#!/bin/sh
# A compressed month of the drop folder: versions of the hours file of employer 40101 (every
# employee) and of the variable data of employer 40102 dropped over time, through an API outage,
# an outage of everything with expired tokens (so /token fails too), a token service that hangs
# 6 s against 2 s client limits and completes the rotation late, a SIGTERM to the resident
# watcher in the middle of an import, and a kill -9 of it; it is restarted each time. At the
# end every file is in done/ (imported), none in failed/, and Loket holds for every employment
# and period the values of the newest file that touched it: none lost, none overwritten by an
# older file. Prints figures: files, outcomes, longest time from the end of an outage to the
# last waiting file done, SIGTERM-to-exit times. MONTH_FILES=N drops more (make soak).
# sim-modes: both
. "$(dirname "$0")/lib.sh"
IMPORT=$LK_ROOT/$LOKET_BUILD/loket-import
case "$LOKET_BUILD" in /*) IMPORT=$LOKET_BUILD/loket-import ;; esac
SAMPLE=$LK_ROOT/samples/uren-maand-40101-2026-11.csv
MAPPING=$LK_ROOT/mappings/uren-maand-excel.json
VG=$LK_ROOT/samples/variabele-gegevens-40102-2026-P12.csv
VG_MAPPING=$LK_ROOT/mappings/variabele-gegevens-lang.json
FILES=${MONTH_FILES:-8}
[ "$FILES" -ge 6 ] || FILES=6
WPID=
start_sim
trap '[ -n "$WPID" ] && kill -9 $WPID 2>/dev/null; stop_sim' EXIT
cfg=$SIM_DIR/config.json
cat >"$cfg" <<JSON
{ "environment": "custom", "apiUrl": "$SIM_URL", "tokenUrl": "$SIM_ROOT/token",
  "clientId": "$(jq -r .auth.clientId "$SIM_FIXTURE")", "tokenStore": "$SIM_DIR/tokens.json",
  "timeouts": { "totalSeconds": 3, "lowSpeedSeconds": 2, "requestSeconds": 30 },
  "retry": { "maxAttempts": 2, "baseDelayMs": 20, "maxDelayMs": 50, "maxRetryAfterSeconds": 1 } }
JSON
LOKET_CLIENT_SECRET=$(jq -r .auth.clientSecret "$SIM_FIXTURE")
export LOKET_CLIENT_SECRET
"$IMPORT" auth set-refresh-token --config "$cfg" <"$SIM_DIR/refresh" >/dev/null || fail "auth set-refresh-token"
faults() { curl -s -X POST "$SIM_ROOT/__sim/faults" -d "$1" >/dev/null || fail "POST /__sim/faults"; }
W=$SIM_DIR/drop
mkdir -p "$W/inbox"
cat >"$W/loket-watch.json" <<JSON
{ "settle_seconds": 0.2, "rescan_seconds": 1, "retry_seconds": [1, 300], "probe_seconds": 2,
  "rules": [ { "match": "uren-*.csv", "mapping": "$MAPPING", "mode": "apply", "period": "2026-11" },
             { "match": "vg-*.csv", "mapping": "$VG_MAPPING", "mode": "apply", "employer": "40102" } ] }
JSON
LOG=$SIM_DIR/w.log
start_watcher() { "$IMPORT" watch "$W" --config "$cfg" 2>>"$LOG" & WPID=$!; }
stop_times=""
sigterm() { # SIGTERM, and how long the watcher takes to exit
    t0=$(date +%s%N)
    kill -TERM "$WPID"
    wait "$WPID"
    st=$?
    [ "$st" = 0 ] || fail "the watcher exited $st after SIGTERM"
    ms=$((($(date +%s%N) - t0) / 1000000))
    stop_times="$stop_times ${ms}ms"
    WPID=
}
wait_quiet() { # SECONDS: until inbox/ and processing/ are empty
    n=$(($1 * 10))
    while [ "$n" -gt 0 ]; do
        [ -z "$(ls -A "$W/inbox")" ] && [ -z "$(ls -A "$W/processing")" ] && return 0
        sleep 0.1; n=$((n - 1))
    done
    return 1
}
# Versions stay below the contract hours (a file above them is stopped by its signals, rightly)
# and differ from each other (the same content twice would be a duplicate).
uren() { # N: version N of the hours file: every employee 1 + N % 4 hours less, named vN
    LC_ALL=C awk -F';' -v n="$1" 'BEGIN { OFS = ";" } $1 ~ /^[0-9]+$/ && $4 != "" { sub(/,.*/, "", $4); $4 = $4 - 1 - n % 4; $3 = "v" n } { print }' \
        "$SAMPLE" >"$SIM_DIR/u.tmp" && mv "$SIM_DIR/u.tmp" "$W/inbox/uren-v$1.csv"
}
vg() { # N: version N of the variable data: component 10 1 + N % 4 less, 20 of 1101 N cents less
    LC_ALL=C awk -F';' -v n="$1" 'BEGIN { OFS = ";" } NR > 1 && $3 == "10" && $4 > 0 { $4 = $4 - 1 - n % 4 }
        NR > 1 && $1 == "1101" && $3 == "20" { $4 = sprintf("%.2f", $4 - (n % 50) / 100) } { print }' \
        "$VG" >"$SIM_DIR/v.tmp" && mv "$SIM_DIR/v.tmp" "$W/inbox/vg-v$1.csv"
}
longest_recovery=0
recovered() { # an outage ended now: how long until every waiting file is done
    t0=$(date +%s)
    wait_quiet 120 || { cat "$LOG"; fail "files still waiting 120 s after the outage ended"; }
    d=$(($(date +%s) - t0))
    [ "$d" -gt "$longest_recovery" ] && longest_recovery=$d
}

start_watcher
last_uren=0 last_vg=0
for i in $(seq 1 "$FILES"); do
    case $((i % 6)) in
    1) # quiet day
        uren "$i"; last_uren=$i ;;
    2) # API outage: this version waits, the next one (same employments) is held behind it
        faults '{"failRate": 1.0, "failStatus": 503}'
        uren "$i"; sleep 1.5; vg "$i"; last_vg=$i
        i2=$((i + 50)); uren "$i2"; last_uren=$i2
        sleep 3
        faults '{"failRate": 0}'
        recovered ;;
    3) # tokens expire and /token fails with the API
        curl -s -X POST "$SIM_ROOT/__sim/expire-tokens" >/dev/null
        faults '{"failRate": 1.0, "failStatus": 502}'
        vg "$i"; last_vg=$i
        sleep 3
        faults '{"failRate": 0}'
        recovered ;;
    4) # a hanging token service that completes the rotation late
        curl -s -X POST "$SIM_ROOT/__sim/expire-tokens" >/dev/null
        faults '{"latencyMs": 6000}'
        uren "$i"; last_uren=$i
        sleep 8
        faults '{"latencyMs": 0}'
        recovered ;;
    5) # SIGTERM in the middle of an import, restart
        faults '{"latencyMs": 300}'
        uren "$i"; last_uren=$i
        n=0; until grep -q "file=\"uren-v$i.csv\" action=start" "$LOG"; do n=$((n + 1)); [ $n -lt 200 ] || fail "uren-v$i.csv not started"; sleep 0.05; done
        sleep 1
        sigterm
        faults '{"latencyMs": 0}'
        start_watcher ;;
    0) # kill -9 of the watcher (its import gets SIGTERM from the kernel), restart
        faults '{"latencyMs": 300}'
        vg "$i"; last_vg=$i
        n=0; until grep -q "file=\"vg-v$i.csv\" action=start" "$LOG"; do n=$((n + 1)); [ $n -lt 200 ] || fail "vg-v$i.csv not started"; sleep 0.05; done
        sleep 0.5
        kill -9 "$WPID"; wait "$WPID" 2>/dev/null; WPID=
        faults '{"latencyMs": 0}'
        sleep 0.5
        start_watcher ;;
    esac
    wait_quiet 120 || { cat "$LOG"; ls -R "$W"; fail "files left after step $i"; }
done
sigterm
# every file imported, none failed
dropped=$(ls "$W/done" | wc -l)
[ -z "$(ls -A "$W/failed")" ] || { ls "$W/failed"; cat "$W"/failed/*.error.txt; fail "files in failed/"; }
outcomes=$(grep -o 'action=done outcome=[a-z-]*' "$LOG" | sed 's/.*outcome=//' | sort | uniq -c |
    awk '{ printf "%s%s %s", n++ ? ", " : "", $2, $1 }')
held=$(grep -c 'action=held' "$LOG")
# Loket holds the newest values of every employment
exp_uren=$(LC_ALL=C awk -F';' '$1 ~ /^[0-9]+$/ && $4 != "" { printf "%s %s\n", $1, $4 }' "$W/done/uren-v$last_uren.csv" | sort)
got_uren=$(sim_state | jq -r '.payrollPeriodData[] | select(.payrollPeriodId == 202611 and .employeeNumber >= 1001 and .employeeNumber <= 1099)
    | [.employeeNumber, ([.payrollComponents[] | select(.payrollComponent.key == 10) | .value] | first)] | select(.[1] != null) | "\(.[0]) \(.[1])"' | sort -u)
[ "$exp_uren" = "$got_uren" ] || { printf 'expected:\n%s\ngot:\n%s\n' "$exp_uren" "$got_uren" | head -60; fail "Loket does not hold uren-v$last_uren.csv's hours"; }
if [ "$last_vg" -gt 0 ]; then
    # component 10 per employee, summed over the rows of the newest file (a correction row adds)
    exp_vg=$(LC_ALL=C awk -F';' 'NR > 1 && $3 == "10" { s[$1] += $4 } END { for (e in s) printf "%s %s\n", e, s[e] }' \
        "$W/done/vg-v$last_vg.csv" | sort)
    got_vg=$(sim_state | jq -r '.payrollPeriodData[] | select(.payrollPeriodId == 202612 and .employeeNumber >= 1101 and .employeeNumber <= 1199)
        | [.employeeNumber, ([.payrollComponents[] | select(.payrollComponent.key == 10) | .value] | first)] | select(.[1] != null) | "\(.[0]) \(.[1])"' | sort -u)
    [ "$exp_vg" = "$got_vg" ] || { printf 'expected:\n%s\ngot:\n%s\n' "$exp_vg" "$got_vg"; fail "Loket does not hold vg-v$last_vg.csv's values"; }
fi
echo "files: $dropped in done/, 0 in failed/; outcomes: $outcomes; held behind an earlier file: $held"
echo "longest from the end of an outage to the last waiting file done: ${longest_recovery} s"
echo "SIGTERM to exit:$stop_times"
echo "ok"
