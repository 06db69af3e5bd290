#!/bin/sh
# demo_run.sh: `scripts/demo.sh` (what `make demo` runs) as a new user sees it: it exits 0, every
# plan and apply it shows ends "exit code 0" (three of each: no step missing, no error line), it
# hides no failure (no "|| true" in the script; a missing binary stops it with a message), and it
# ends with the summary of the last import followed by the path of that import's XLSX report.
set -u
. "$(dirname "$0")/lib.sh"
build=$LK_BUILD
demo=$LK_ROOT/scripts/demo.sh
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lk-demo-test-XXXXXX") || { echo "FAIL: mktemp" >&2; exit 1; }
trap 'rm -rf "$tmp"' EXIT
bad() { echo "FAIL: $*" >&2; sed 's/^/  | /' "$tmp/out" >&2; exit 1; }

! grep -n '|| *true' "$demo" >"$tmp/out" || bad "scripts/demo.sh hides failures with '|| true'"

DEMO_OUT=$tmp/reports timeout 300 sh "$demo" "$build" >"$tmp/out" 2>&1
rc=$?
[ $rc = 0 ] || bad "the demo exited $rc"
! grep -qi 'error:' "$tmp/out" || bad "the demo's output holds an error line"
[ "$(grep -c '^== loket-import plan ' "$tmp/out")" = 3 ] || bad "expected 3 plans"
[ "$(grep -c '^== loket-import apply ' "$tmp/out")" = 3 ] || bad "expected 3 applies"
[ "$(grep -c '^plan: ' "$tmp/out")" = 3 ] || bad "expected 3 plan summaries"
# 3 applies + the closing repetition of the last one
[ "$(grep -c '^apply: ' "$tmp/out")" = 4 ] || bad "expected 4 apply summaries (3 + the closing one)"
[ "$(grep -c 'exit code 0: all done' "$tmp/out")" = 7 ] || bad "not every plan and apply ended with exit code 0"
grep -q 'apply .*--collective' "$tmp/out" || bad "the collective apply is missing"
! grep -q 'plan .*--collective' "$tmp/out" || bad "plan was given --collective"

# the end: the last import's summary, then its XLSX report
last=$(tail -n 1 "$tmp/out")
[ "$last" = "== its XLSX report: $tmp/reports/uren-dagelijks.xlsx" ] || bad "last line: $last"
[ "$(head -c 2 "$tmp/reports/uren-dagelijks.xlsx")" = PK ] || bad "the XLSX report is not a workbook"
# everything after "== demo done" is the closing summary (its length grows with warnings and the
# run folder's lines), so look there rather than in a fixed number of last lines
sed -n '/^== demo done/,$p' "$tmp/out" >"$tmp/closing"
[ "$(grep -c '^apply: ' "$tmp/closing")" = 1 ] || bad "the closing part does not hold exactly one apply summary"
grep -q '^apply: 100 records from 1 file' "$tmp/closing" || bad "the closing summary is not the last import's"
grep -q 'exit code 0: all done' "$tmp/closing" || bad "the closing summary lacks its outcome line"
for r in uren-maand variabele-gegevens uren-dagelijks; do
    for f in "$r-plan.xlsx" "$r-plan.json" "$r.xlsx" "$r.csv" "$r.json"; do
        [ -s "$tmp/reports/$f" ] || bad "report $f not written"
    done
done

# a build without loket-import: the demo stops at once and says why
mkdir -p "$tmp/nobuild"
if DEMO_OUT=$tmp/r2 sh "$demo" "$tmp/nobuild" >"$tmp/out" 2>&1; then bad "the demo ran without a build"; fi
grep -q 'is not built' "$tmp/out" || bad "no message about the missing build"
echo "demo_run: ok"
