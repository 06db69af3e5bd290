#!/bin/sh
# assistant_corpus.sh: `loket-import mapping new --yes` on every export of the assistant's corpus
# (tests/data/assistant/corpus.txt), offline with a saved component list: where the corpus says
# "same", the mapping it writes must give the same `validate --json` output (entries, totals,
# skipped rows, errors) as the hand-checked mapping in tests/data/assistant/mappings/; where it
# says "asks", it must exit 2 listing the open question and write nothing (a wrong guess is never
# written). At least 13 exports must come out "same".
set -u
. "$(dirname "$0")/lib.sh"

LI="$LK_ROOT/$LOKET_BUILD/loket-import"
case "$LOKET_BUILD" in /*) LI="$LOKET_BUILD/loket-import" ;; esac
DATA="$LK_ROOT/tests/data/assistant"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/lk-assistant-XXXXXX") || exit 1
trap 'rm -rf "$WORK"' EXIT
cd "$LK_ROOT" || exit 1

failed=0 same=0 asks=0 total=0
# the validate output of a mapping, without what is allowed to differ: the mapping's path and
# the component names it gives for display
normalised() { # file mapping period
    if [ "$3" = - ]; then set -- "$1" -m "$2"; else set -- "$1" -m "$2" --period "$3"; fi
    "$LI" validate "$@" --json | jq -S 'del(.mapping) | del(.files[].components[].name)'
}

while read -r file employer period expect; do
    case "$file" in ''|'#'*) continue ;; esac
    total=$((total + 1))
    export_path="$DATA/exports/$file"
    hand="$DATA/mappings/${file%.*}.json"
    out="$WORK/${file%.*}.json"
    if [ "$period" = - ]; then pargs=""; else pargs="--period $period"; fi
    # shellcheck disable=SC2086
    "$LI" mapping new "$export_path" --yes --offline --employer "$employer" $pargs \
        --components "$DATA/components.json" --learn-from "$DATA/learned" -o "$out" \
        >"$WORK/log" 2>&1
    rc=$?
    case "$expect" in
    same)
        if [ $rc -ne 0 ] || [ ! -f "$out" ]; then
            echo "FAIL: $file: mapping new exited $rc, expected a mapping that validates" >&2
            cat "$WORK/log" >&2
            failed=$((failed + 1)); continue
        fi
        grep -q "component" "$WORK/log" || { echo "FAIL: $file: no per-component totals shown" >&2; failed=$((failed + 1)); continue; }
        normalised "$export_path" "$hand" "$period" >"$WORK/want.json"
        normalised "$export_path" "$out" "$period" >"$WORK/got.json"
        if ! jq -e '.summary.errors == 0 and .summary.entries > 0' "$WORK/want.json" >/dev/null; then
            echo "FAIL: $file: the hand-checked mapping does not validate cleanly" >&2
            failed=$((failed + 1)); continue
        fi
        if ! cmp -s "$WORK/want.json" "$WORK/got.json"; then
            echo "FAIL: $file: validate differs between the hand-checked and the written mapping" >&2
            diff "$WORK/want.json" "$WORK/got.json" | head -20 >&2
            cat "$out" >&2
            failed=$((failed + 1)); continue
        fi
        same=$((same + 1))
        ;;
    asks)
        if [ $rc -ne 2 ]; then
            echo "FAIL: $file: expected exit 2 with open questions, got $rc" >&2
            cat "$WORK/log" >&2
            failed=$((failed + 1)); continue
        fi
        if [ -e "$out" ]; then
            echo "FAIL: $file: a mapping was written although a question was open" >&2
            failed=$((failed + 1)); continue
        fi
        grep -q "open question" "$WORK/log" || { echo "FAIL: $file: the open question is not listed" >&2; failed=$((failed + 1)); continue; }
        asks=$((asks + 1))
        ;;
    *) echo "FAIL: corpus.txt: $file: unknown expectation '$expect'" >&2; exit 1 ;;
    esac
done <"$DATA/corpus.txt"

echo "assistant corpus: $total exports, $same same as the hand-checked mapping, $asks asked"
[ "$total" -ge 15 ] || { echo "FAIL: the corpus has $total exports, fewer than 15" >&2; exit 1; }
[ "$same" -ge 13 ] || { echo "FAIL: only $same exports gave the hand-checked result" >&2; exit 1; }
[ "$failed" -eq 0 ] || exit 1
echo "PASS"
