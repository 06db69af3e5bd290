#!/bin/sh
# plan_changes.sh: `plan` shows the changes themselves: per employer and period, per employment
# each value old -> new, values created and removed, rejections with their reason, totals; a
# long plan is cut at --lines and names the report with the rest; --json carries the same groups
# for machines (and nothing else on stdout); bad --lines / --json with apply are usage errors.
# sim-modes: both
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh"
start_import_sim

# 1001 holds 10=152 and 20=385.25 for November in the fixture; an empty Reiskm removes 20.
cat >"$SIM_DIR/p.csv" <<'EOF'
Klant,Periode,Personeelsnr,Uren,Reiskm
40101,2026-11,1001,166,
40101,2026-11,1003,162,240
40101,2026-11,1999,8,1
40201,2026-P47,2001,38,10
EOF
cat >"$SIM_DIR/p.json" <<'EOF'
{
  "name": "plan-view",
  "input": { "type": "csv", "delimiter": ",", "decimalSeparator": ".", "thousandsSeparator": "none", "headerRow": 1 },
  "layout": "wide",
  "employee": { "employeeNumber": "Personeelsnr" },
  "employer": { "column": "Klant" },
  "period": { "source": "column", "column": "Periode" },
  "components": [
    { "column": "Uren", "component": 10 },
    { "column": "Reiskm", "component": 20, "blank": "null" }
  ],
  "aggregate": "sum"
}
EOF
O=$SIM_DIR/li.out
li plan "$SIM_DIR/p.csv" -m "$SIM_DIR/p.json" --lines 0
[ "$LI_RC" = 2 ] || { cat "$O" "$SIM_DIR/li.err"; fail "plan with an unknown employee: exit $LI_RC, expected 2"; }
want() { grep -qE "$1" "$O" || { cat "$O"; fail "plan output lacks /$1/"; }; }
want '^Bakkerij Van den Berg B.V. \(client 40101\).*, period 2026-11 \(2026-11-01 to 2026-11-30\)$'
want '^  ~ 1001 Jansen, J\..*: updated$'
want '^      ~ 10 Uren gewerkt +152 -> 166$'
want '^      - 20 Reiskm +385.25 -> \(removed\)$'
want '^  \+ 1003 Berg, S\. van den.*: created$'
want '^      \+ 20 Reiskm +240$'
want '^  ! 1999 .*rejected: .*1999'
want '^  totals: 1 to create, 1 to change, 0 unchanged; values: 2 new, 1 changed, 1 removed$'
# an employee Loket does not know has no resolved period: a group of its own, with the reason
want '^Bakkerij Van den Berg B.V., period 2026-11$'
want '^  totals: 0 to create, 0 to change, 0 unchanged, 1 rejected; values: 0 new, 0 changed, 0 removed$'
want '^      10 Uren gewerkt +152 -> 328$'
want '^      20 Reiskm +385.25 -> 240$'
want '\(client 40201\).*, period 2026-W47 \(2026-11-16 to 2026-11-22\)$'
want '^  plan totals: 2 to create, 1 to change'
# the employer groups in order, 1001 before 1003 within its group
first=$(grep -n '^  [~+!] 1001' "$O" | cut -d: -f1)
[ -n "$first" ] || fail "no 1001 line"
second=$(grep -n '^  [~+!] 1003' "$O" | cut -d: -f1)
other=$(grep -n 'client 40201' "$O" | cut -d: -f1)
[ "$first" -lt "$second" ] && [ "$second" -lt "$other" ] || { cat "$O"; fail "plan groups out of order"; }
grep -q '^plan: 4 records' "$O" || fail "plan: the summary is missing after the changes"

# ---- a long plan: the first lines, then where the rest is
li plan "$SIM_DIR/p.csv" -m "$SIM_DIR/p.json" --lines 3 --report "$SIM_DIR/whole.xlsx"
[ "$(sed -n '4p' "$O")" = "  ... 23 more lines not shown: the whole plan is in $SIM_DIR/whole.xlsx (or use --lines 0)" ] ||
    { cat "$O"; fail "--lines 3 did not cut after 3 lines and name the report"; }
li plan "$SIM_DIR/p.csv" -m "$SIM_DIR/p.json" --lines 3
grep -q '^  \.\.\. 23 more lines not shown: use --lines 0 to see all, or --report FILE$' "$O" ||
    { cat "$O"; fail "--lines without a report does not say how to see the rest"; }
# not a terminal and no --lines: a fixed page of 40 lines
MON=$(sample uren-maand-40101-2026-11.csv)
MMAP=$(mapping uren-maand-excel.json)
li plan "$MON" -m "$MMAP" --period 2026-11
grep -q '^  \.\.\. [0-9]* more lines not shown' "$O" || fail "a long plan on a pipe is not cut"
[ "$(grep -n 'more lines not shown' "$O" | cut -d: -f1)" = 41 ] || fail "the default page is not 40 lines"

# ---- --json: the same groups, nothing else on stdout
li plan "$SIM_DIR/p.csv" -m "$SIM_DIR/p.json" --json
[ "$LI_RC" = 2 ] || fail "plan --json: exit $LI_RC, expected 2"
jq -e . "$O" >/dev/null || { cat "$O"; fail "plan --json is not one JSON document"; }
j() { jq -c "$1" "$O"; }
[ "$(j '.groups | length')" = 3 ] || fail "--json: expected 3 groups"
[ "$(j '.groups[1].employer.client_number')" = 40101 ] || fail "--json: second group not 40101"
[ "$(j '.groups[1].period.number')" = 11 ] || fail "--json: period"
d=$(j '[.groups[1].records[] | select(.employee_number == 1001) | .components[] | [.key, .change, .old_value, .new_value]]')
[ "$d" = '[[10,"update",152,166],[20,"remove",385.25,null]]' ] || fail "--json: changes of 1001: $d"
[ "$(j '.groups[0].records[] | select(.employee_number == 1999) | .outcome')" = '"rejected"' ] ||
    fail "--json: 1999 not rejected"
[ "$(j '.groups[1].totals.components[] | select(.key == 10) | [.old_sum, .new_sum]')" = '[152,328]' ] ||
    fail "--json: totals of component 10"
[ "$(j '.totals.records')" = '{"created":2,"updated":1,"rejected":1}' ] || fail "--json: totals $(j .totals.records)"
[ "$(j '.totals.values')" = '{"create":4,"update":1,"remove":1}' ] || fail "--json: value totals $(j .totals.values)"

# ---- -q: no changes listed
li plan "$MON" -m "$MMAP" --period 2026-11 -q
grep -q 'Uren gewerkt  *152 -> 166' "$O" && fail "plan -q still lists the changes"

# ---- usage errors
li plan "$SIM_DIR/p.csv" -m "$SIM_DIR/p.json" --lines many
[ "$LI_RC" != 0 ] && grep -q -- '--lines many: expected a number' "$SIM_DIR/li.err" || fail "--lines many accepted"
li apply "$SIM_DIR/p.csv" -m "$SIM_DIR/p.json" --json
[ "$LI_RC" != 0 ] && grep -q -- "--json is an option of 'plan'" "$SIM_DIR/li.err" || fail "apply --json accepted"
[ "$(patch_count)" = 0 ] || fail "plan sent a PATCH"
echo "plan_changes: ok"
