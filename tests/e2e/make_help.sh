#!/bin/sh
# make_help.sh: `make help` names every target of the Makefile and of mk/*.mk (each .PHONY
# target and each target of the test tiers), one line each, and none of them twice.
set -u
. "$(dirname "$0")/lib.sh"

out=$(make -s -C "$LK_ROOT" help 2>&1) || fail "make help: $out"
targets=$(sed -n 's/^\.PHONY: *//p' "$LK_ROOT/Makefile" "$LK_ROOT"/mk/*.mk | tr ' ' '\n' | grep . | sort -u)
[ "$(printf '%s\n' "$targets" | wc -l)" -ge 20 ] || fail "only $(printf '%s\n' "$targets" | wc -l) targets found in the makefiles"
for t in $targets check unit e2e test help; do
    n=$(printf '%s\n' "$out" | awk -v t="$t" '$1 == t' | wc -l)
    [ "$n" = 1 ] || fail "make help names $t $n times (expected once):
$out"
done
echo "make_help: $(printf '%s\n' "$targets" | wc -l) targets, each named once"
