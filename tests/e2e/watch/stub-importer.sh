#!/bin/sh
# Stand-in for 'loket-import apply|plan' in the watch tests (LOKET_WATCH_IMPORTER), so the
# watcher's own behaviour is tested apart from the engine. It follows the pinned contract:
# MODE FILE -m MAPPING [--report F]... [--journal J] [--resume], exit codes 0-5, and a journal
# that lets --resume skip what was "sent" before. The dropped file steers it:
#   items N     "send" N items, STUB_STEP seconds each (default 0.1), one journal line each
#   exit N      end with exit code N
#   crash       die by SIGSEGV
#   employee N P  the file writes to employee N in period P (what 'validate --json' says)
# Every run appends "MODE NAME resume=R" to $STUB_LOG (when set). Each report file gets a JSON
# object with what was read, so a test can prove the whole file was read and nothing twice.
set -u
# 'validate FILE ... --json': what the file touches, from its "employee N PERIOD" lines
if [ "$1" = validate ]; then
    awk 'BEGIN { printf "{\"entries\": [" }
         $1 == "employee" { printf "%s{\"employeeNumber\": %d, \"period\": \"%s\"}", n++ ? "," : "", $2, $3 }
         END { print "]}" }' "$2"
    exit 0
fi
mode=$1 file=$2
shift 2
reports="" journal="" resume=0 mapping="" employer="" period=""
while [ $# -gt 0 ]; do
    case $1 in
    --report) reports="$reports $2"; shift 2 ;;
    --journal) journal=$2; shift 2 ;;
    --resume) resume=1; shift ;;
    -m) mapping=$2; shift 2 ;;
    --employer) employer=$2; shift 2 ;;
    --period) period=$2; shift 2 ;;
    *) shift ;;
    esac
done
name=$(basename "$file")
[ -n "${STUB_LOG:-}" ] && echo "$mode $name resume=$resume" >>"$STUB_LOG"
content=$(cat "$file") || exit 2
sha=$(printf '%s\n' "$content" | sha256sum | cut -c1-64)
filesha=$(sha256sum <"$file" | cut -c1-64)
lines=$(printf '%s\n' "$content" | wc -l)
last=$(printf '%s\n' "$content" | tail -n 1)
items=$(printf '%s\n' "$content" | awk '$1 == "items" { print $2 }' | tail -n 1)
code=$(printf '%s\n' "$content" | awk '$1 == "exit" { print $2 }' | tail -n 1)
[ -n "$items" ] || items=0
[ -n "$code" ] || code=0
if [ "$resume" = 1 ] && [ ! -f "$journal" ]; then
    echo "stub: --resume without a journal" >&2
    exit 2
fi
interrupted=0
trap 'interrupted=1' TERM INT
write_reports() { # complete
    sent_total=0
    [ -n "$journal" ] && [ -f "$journal" ] && sent_total=$(grep -c '^sent ' "$journal")
    for r in $reports; do
        cat >"$r.tmp" <<JSON
{"file": "$name", "mode": "$mode", "mapping": "$mapping", "employer": "$employer",
 "period": "$period", "lines": $lines, "last": "$last", "sha256": "$filesha",
 "resumed": $resume, "complete": $1, "sent_now": $sent_now, "sent_total": $sent_total}
JSON
        mv "$r.tmp" "$r"
    done
}
sent_now=0
grep -q '^crash' "$file" && kill -SEGV $$
i=1
while [ "$i" -le "$items" ]; do
    if [ "$mode" = apply ] && [ -n "$journal" ] && [ -f "$journal" ] && grep -qx "sent $i" "$journal"; then
        i=$((i + 1)); continue
    fi
    if [ "$interrupted" = 1 ]; then
        write_reports false
        echo "stub: interrupted after $sent_now items" >&2
        exit 5
    fi
    sleep "${STUB_STEP:-0.1}"
    [ "$mode" = apply ] && [ -n "$journal" ] && echo "sent $i" >>"$journal"
    sent_now=$((sent_now + 1))
    i=$((i + 1))
done
write_reports true
[ "$code" != 0 ] && echo "stub: finished with exit $code ($name line 3: made-up error)" >&2
exit "$code"
