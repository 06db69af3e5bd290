#!/bin/sh
# memcheck.sh BUILD: the end-to-end demo path under valgrind memcheck (make memcheck).
# Starts loket-sim (not under valgrind), runs every loket-import command a person runs in a
# demo under valgrind, and fails on any memory error or definitely lost block. Prints one line
# per command and a closing "N passed, N failed".
set -u
LOKET_BUILD=${1:-build}
LK_ROOT=$(cd "$(dirname "$0")/.." && pwd)
export LOKET_BUILD LK_ROOT
. "$LK_ROOT/tests/e2e/lib.sh"
command -v valgrind >/dev/null || { echo "memcheck: valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }
case "$LOKET_BUILD" in /*) IMPORT=$LOKET_BUILD/loket-import ;; *) IMPORT=$LK_ROOT/$LOKET_BUILD/loket-import ;; esac
start_sim
cfg=$SIM_DIR/config.json
cat >"$cfg" <<JSON
{ "environment": "custom", "apiUrl": "$SIM_URL", "tokenUrl": "$SIM_ROOT/token",
  "clientId": "$(jq -r .auth.clientId "$SIM_FIXTURE")", "tokenStore": "$SIM_DIR/tok/tokens.json" }
JSON
LOKET_CLIENT_SECRET=$(jq -r .auth.clientSecret "$SIM_FIXTURE")
export LOKET_CLIENT_SECRET
passed=0 failed=0 n=0
S=$LK_ROOT/samples/uren-maand-40101-2026-11.csv
M=$LK_ROOT/mappings/uren-maand-excel.json

# vg EXPECTED-EXITS ARGS...: one command under memcheck
vg() {
    want=$1
    shift
    n=$((n + 1))
    log=$SIM_DIR/vg-$n.log
    timeout 600 valgrind --tool=memcheck --error-exitcode=99 --leak-check=full \
        --errors-for-leak-kinds=definite --show-leak-kinds=definite --track-origins=yes \
        --log-file="$log" "$IMPORT" "$@" >"$SIM_DIR/out-$n" 2>&1 </dev/null &
    vpid=$!
    # VG_TERM_AFTER=S: SIGTERM to this command (valgrind hands it to the program) after S seconds
    if [ -n "${VG_TERM_AFTER:-}" ]; then
        sleep "$VG_TERM_AFTER"
        kill -TERM $vpid 2>/dev/null
    fi
    wait $vpid
    st=$?
    errs=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$log" | tail -n 1)
    lost=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$log" | tail -n 1)
    case " $want " in *" $st "*) ok=1 ;; *) ok=0 ;; esac
    if [ $ok = 1 ] && [ "${errs:-x}" = 0 ]; then
        passed=$((passed + 1))
        echo "memcheck ok    $1 $2 (exit $st, 0 errors, definitely lost ${lost:-0} bytes)"
    else
        failed=$((failed + 1))
        echo "memcheck FAIL  $* (exit $st, errors ${errs:-?}, definitely lost ${lost:-?})"
        sed -n '/ERROR SUMMARY/q;/^==[0-9]*== [A-Z]/,$p' "$log" | head -n 60
        tail -n 5 "$SIM_DIR/out-$n"
    fi
}

"$IMPORT" auth set-refresh-token --config "$cfg" <"$SIM_DIR/refresh" >/dev/null || fail "set-refresh-token"
vg 0 auth refresh --config "$cfg"
vg 0 auth status --config "$cfg" --json
vg 0 employers --config "$cfg" --trace "$SIM_DIR/trace.log" --stats
vg 0 employments --config "$cfg" --employer "Bakkerij Van den Berg B.V." --json
vg 0 periods --config "$cfg" --employer "Bakkerij Van den Berg B.V." --admin 40101 --year 2026
vg 0 components --config "$cfg" --employer "Bakkerij Van den Berg B.V." --admin 40101 --year 2026
vg 0 validate "$S" -m "$M" --period 2026-11 --report "$SIM_DIR/v.xlsx" --report "$SIM_DIR/v.json" --report "$SIM_DIR/v.csv"
vg 0 validate "$LK_ROOT/samples/loket-template-40101-2026-11.csv" -m "$LK_ROOT/mappings/loket-template.json" --period 2026-11 --json
vg 2 validate "$LK_ROOT/tests/data/hostile/duplicate-rows.csv" -m "$LK_ROOT/tests/data/hostile/mapping-csv.json" --period 2026-11
vg 2 validate "$S" -m "$LK_ROOT/tests/data/hostile/bad-mapping-unknown-key.json" --period 2026-11
# XLSX: a good workbook and two hostile ones (error paths), from the hostile corpus generator
/usr/bin/python3 - "$SIM_DIR" "$LK_ROOT/tests/data/hostile/make-hostile.py" <<'PY' || fail "make-hostile.py"
import runpy, sys
out, script = sys.argv[1], sys.argv[2]
sys.argv = [script, out]
g = runpy.run_path(script)
g["write"]("good.xlsx", g["xlsx_bytes"](g["parts"]()))
g["write"]("xxe.xlsx", g["xlsx_bytes"](g["parts"](sheet=g["sheet_xml"]([g["HEADER"]], prolog=g["XXE"]))))
g["write"]("truncated.xlsx", g["xlsx_bytes"](g["parts"]())[:900])
PY
X=$LK_ROOT/tests/data/hostile/mapping-xlsx.json
vg 0 validate "$SIM_DIR/good.xlsx" -m "$X" --period 2026-11 --report "$SIM_DIR/g.xlsx"
vg 2 validate "$SIM_DIR/xxe.xlsx" -m "$X" --period 2026-11
vg 2 validate "$SIM_DIR/truncated.xlsx" -m "$X" --period 2026-11
if "$IMPORT" plan --help 2>&1 | grep -q -- '--period'; then
    vg "0 1" plan "$S" -m "$M" --period 2026-11 --config "$cfg" --report "$SIM_DIR/p.json" --report "$SIM_DIR/p.xlsx"
    vg "0 1" apply "$S" -m "$M" --period 2026-11 --config "$cfg" --report "$SIM_DIR/a.json" --journal "$SIM_DIR/a.journal" --verify
    vg "0 1" apply "$S" -m "$M" --period 2026-11 --config "$cfg" --report "$SIM_DIR/a2.csv" --journal "$SIM_DIR/a2.journal"
    # SIGTERM in the middle of an apply (exit 5: in-flight requests finished, journal and report
    # written), then --resume: the interrupt path must free what it holds too. --force sends the
    # records Loket already holds, slow answers keep the run busy when the signal comes.
    curl -s -X POST "$SIM_ROOT/__sim/faults" -d '{"latencyMs": 1000}' >/dev/null
    VG_TERM_AFTER=14 vg "0 5" apply "$S" -m "$M" --period 2026-11 --config "$cfg" --force \
        --report "$SIM_DIR/t.json" --journal "$SIM_DIR/t.journal"
    curl -s -X POST "$SIM_ROOT/__sim/faults" -d '{"latencyMs": 0}' >/dev/null
    vg "0 1" apply "$S" -m "$M" --period 2026-11 --config "$cfg" --force --report "$SIM_DIR/t2.json" \
        --journal "$SIM_DIR/t.journal" --resume
else
    echo "memcheck: plan/apply are not in this build yet"
fi
vg 3 employers --config "$cfg" --api-url http://127.0.0.1:9/v2
stop_sim
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
