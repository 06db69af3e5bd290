#!/bin/sh
# template_plan.sh: Loket's own import template whose component-number row (row 5) holds a
# number the administration does not allow: plan names the component and the column it came
# from, sends nothing, and exits 2; validate (offline) accepts the number as a component.
# sim-modes: both
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh"
start_import_sim
t=$SIM_DIR/template-77.csv
# column G's header "21" becomes "77", a number the fixture's monthly administration lacks
sed '5s/;21\(\r\{0,1\}\)$/;77\1/' "$(sample loket-template-40101-2026-11.csv)" >"$t"
grep -q ';77' "$t" || fail "could not make the test file"

p0=$(patch_count)
li plan "$t" -m "$(mapping loket-template.json)" --period 2026-11 --employer 40101 \
    --report "$SIM_DIR/plan.json"
[ "$LI_RC" = 2 ] || { cat "$SIM_DIR/li.out" "$SIM_DIR/li.err"; fail "plan exit $LI_RC, expected 2"; }
grep -q 'component 77 is not allowed in Van den Berg maandloon' "$SIM_DIR/li.out" ||
    fail "plan does not name component 77 and the administration: $(cat "$SIM_DIR/li.out")"
grep -q 'template-77.csv:7 column G "77"' "$SIM_DIR/li.out" ||
    fail "plan does not name the row and column G: $(cat "$SIM_DIR/li.out")"
# every record with a value in column G is rejected, the others are not
n=$(jq '[.records[] | select(.outcome == "rejected")] | length' "$SIM_DIR/plan.json")
[ "$n" = 6 ] || fail "$n rejected records in the plan report, expected 6"
[ "$(patch_count)" = "$p0" ] || fail "plan sent a PATCH"

li apply "$t" -m "$(mapping loket-template.json)" --period 2026-11 --employer 40101
[ "$LI_RC" = 2 ] || fail "strict apply exit $LI_RC, expected 2"
[ "$(patch_count)" = "$p0" ] || fail "strict apply of a file with plan errors sent a PATCH"
stop_sim
echo "template_plan: ok"
