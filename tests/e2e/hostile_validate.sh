#!/bin/sh
# hostile_validate.sh: the hostile-input corpus (tests/data/hostile/cases.txt) through
# `loket-import validate`, offline. Every file must give its documented exit code and a clear
# error that names the file (and row and column where the case has them), and a report whose
# rows add up (read = in records + with issues); never a crash (exit >= 128), a hang (60 s per
# case) or a sanitizer report. Large and binary cases are generated
# first by tests/data/hostile/make-hostile.py into a scratch folder.
set -u
LOKET_BUILD=${LOKET_BUILD:-build}
LK_ROOT=${LK_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
case "$LOKET_BUILD" in /*) B=$LOKET_BUILD/loket-import ;; *) B=$LK_ROOT/$LOKET_BUILD/loket-import ;; esac
H=$LK_ROOT/tests/data/hostile
[ -x "$B" ] || { echo "FAIL: $B not built" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/lk-hostile-XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM
corpus=$work/corpus
mkdir -p "$corpus"
/usr/bin/python3 "$H/make-hostile.py" "$corpus" || { echo "FAIL: make-hostile.py" >&2; exit 1; }
for f in "$H"/*.csv "$H"/*.json; do cp "$f" "$corpus/"; done
ln -s /dev/zero "$corpus/dev-zero.csv"
mkdir "$corpus/folder.csv"

failed=0 passed=0
bad() { echo "FAIL: $*" >&2; failed=$((failed + 1)); }

while IFS='|' read -r kind file mapping want pattern; do
    case "$kind" in ''|'#'*) continue ;; esac
    case "$mapping" in
    csv) m=$H/mapping-csv.json ;;
    utf8) m=$H/mapping-csv-utf8.json ;;
    xlsx) m=$H/mapping-xlsx.json ;;
    template) m=$LK_ROOT/mappings/loket-template.json ;;
    -) m= ;;
    *) bad "cases.txt: unknown mapping '$mapping' for $file"; continue ;;
    esac
    if [ "$kind" = mapping ]; then
        set -- "$LK_ROOT/samples/uren-maand-40101-2026-11.csv" -m "$corpus/$file"
    else
        [ -e "$corpus/$file" ] || { bad "$file: missing from the corpus"; continue; }
        set -- "$corpus/$file" -m "$m"
    fi
    timeout 60 "$B" validate "$@" --period 2026-11 -q >"$work/out" 2>&1
    st=$?
    if [ $st -ge 124 ]; then
        bad "$file ($mapping): exit $st (crash, signal or timeout)"; sed -n 1,30p "$work/out" >&2; continue
    fi
    if grep -q -E 'Sanitizer|runtime error:|LeakSanitizer' "$work/out"; then
        bad "$file ($mapping): sanitizer report"; sed -n 1,40p "$work/out" >&2; continue
    fi
    if [ "$st" != "$want" ]; then
        bad "$file ($mapping): exit $st, expected $want"; sed -n 1,10p "$work/out" >&2; continue
    fi
    if [ "$want" != 0 ] && ! grep -q -F "$file" "$work/out"; then
        bad "$file ($mapping): the error does not name the file"; sed -n 1,10p "$work/out" >&2; continue
    fi
    if [ "$want" = 0 ]; then
        # accepted cases: the full output must show what was read
        timeout 60 "$B" validate "$@" --period 2026-11 >"$work/out" 2>&1
    fi
    if ! grep -q -E -e "$pattern" "$work/out"; then
        bad "$file ($mapping): output does not match /$pattern/"; sed -n 1,10p "$work/out" >&2; continue
    fi
    # whatever the file, its report accounts for every row it read
    rm -f "$work/report.json"
    timeout 60 "$B" validate "$@" --period 2026-11 -q --report "$work/report.json" >/dev/null 2>&1
    if [ -f "$work/report.json" ] && ! jq -e '.run.rows_read == .totals.rows_in_records +
            .totals.rows_in_issues' "$work/report.json" >/dev/null; then
        bad "$file ($mapping): rows not accounted for: $(jq -c '[.run.rows_read,
            .totals.rows_in_records, .totals.rows_in_issues]' "$work/report.json")"; continue
    fi
    passed=$((passed + 1))
done <"$H/cases.txt"

n=$(ls -A "$corpus" | grep -v -c '^mapping-')
echo "hostile corpus: $n files, $passed cases passed, $failed failed"
[ "$n" -ge 40 ] || { echo "FAIL: the corpus has fewer than 40 files" >&2; exit 1; }
[ $failed -eq 0 ] && [ $passed -gt 0 ]
