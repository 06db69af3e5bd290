#!/bin/sh
# engine_collective.sh: collective outcomes come from what Loket says, never from a guess. One
# employment with two records in one call, one stored and one refused: under --strict-minimal
# the refusal's message names only the employment (properties []), so only the records Loket
# returns (_embedded) tell the stored one apart; a call refused as a whole with two such records
# leaves their fate unnamed, and the read-back decides. One call mixing stored and refused
# records of one employment and of different employments: in the minimal mode (no _embedded in
# the 200) the stored ones are known only by reading back. Every report line must agree with
# loket-sim's state. Then --verify in collective mode catches a deliberately wrong report (a
# journal edited to claim the opposite of what happened).
# sim-modes: both
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh"
start_import_sim
OUT=$SIM_DIR/reports
mkdir -p "$OUT"

# 1001: PROD 160 h (fine), VERK 5000 h (Loket's 1008: out of range)
# 1002: 150 h (fine); 1003: PROD 4000 h and VERK 6000 h (both refused)
cat >"$SIM_DIR/coll.csv" <<'CSV'
Personeelsnr,Kostenplaats,Uren
1001,PROD,160
1001,VERK,5000
1002,,150
CSV
# one call mixing stored and refused records of one employment (1005: two cost centers) and
# of different employments (1004 refused alone, its default cost center PROD; 1006 stored alone)
cat >"$SIM_DIR/mixed.csv" <<'CSV'
Personeelsnr,Kostenplaats,Uren
1005,VERK,7000
1004,,4500
1005,PROD,120
1006,VERK,80
CSV
cat >"$SIM_DIR/all-refused.csv" <<'CSV'
Personeelsnr,Kostenplaats,Uren
1003,PROD,4000
1003,VERK,6000
CSV
cat >"$SIM_DIR/coll.json" <<'JSON'
{
  "name": "collective",
  "input": { "type": "csv", "delimiter": ",", "decimalSeparator": ".", "thousandsSeparator": "none", "headerRow": 1 },
  "layout": "wide",
  "employee": { "employeeNumber": "Personeelsnr" },
  "employer": { "clientNumber": 40101 },
  "period": { "source": "fixed", "value": "2026-11" },
  "recordKey": { "costCenter": { "column": "Kostenplaats", "by": "code" } },
  "components": [ { "column": "Uren", "component": 10 } ]
}
JSON

# Every record of an apply report against Loket's state: stored outcomes hold their values,
# a rejected one does not hold its change (a value it did not change says nothing).
agree() { # report
    sim_state >"$SIM_DIR/state.json"
    jq -r --slurpfile st "$SIM_DIR/state.json" '
        .records[] | select(.outcome != "not_sent") | . as $r
        | [$st[0].payrollPeriodData[] | select(.employmentId == $r.employment.id and .payrollPeriodId == $r.period.id
             and ((.costCenter.key // null) == ($r.record_key.cost_center.key // null)))] as $held
        | .components[] | . as $c
        | ([$held[].payrollComponents[] | select(.payrollComponent.key == $c.key) | .value] | first) as $v
        | if ($r.outcome == "created" or $r.outcome == "updated" or $r.outcome == "unchanged") then
              (if $v == $c.new_value then empty else "\($r.employee.number) cc=\($r.record_key.cost_center.code // "-"): reported \($r.outcome) but Loket holds \($v) for \($c.key), not \($c.new_value)" end)
          elif $r.outcome == "rejected" then
              (if $v == $c.new_value and $c.old_value != $c.new_value then "\($r.employee.number) cc=\($r.record_key.cost_center.code // "-"): reported rejected but Loket holds \($v) for \($c.key)" else empty end)
          else "\($r.employee.number): outcome \($r.outcome)" end' "$1"
}
outcome() { # report employee cost-center-code
    jq -r --argjson n "$2" --arg cc "$3" '.records[] | select(.employee.number == $n and (.record_key.cost_center.code // "") == $cc) | .outcome' "$1"
}

LOKET_IMPORT_SKIP_PRECHECKS=1 # the out-of-range values must reach Loket
export LOKET_IMPORT_SKIP_PRECHECKS
li apply "$SIM_DIR/coll.csv" -m "$SIM_DIR/coll.json" --allow-partial --collective=10 \
    --journal "$SIM_DIR/coll.journal" --report "$OUT/coll.json"
[ "$LI_RC" = 1 ] || { cat "$SIM_DIR/li.out" "$SIM_DIR/li.err"; fail "collective apply: exit $LI_RC, expected 1"; }
R=$OUT/coll.json
bad=$(agree "$R")
[ -z "$bad" ] || fail "the collective report contradicts Loket:
$bad"
case "$(outcome "$R" 1001 PROD)" in created | updated) ;; *) fail "1001 PROD: $(outcome "$R" 1001 PROD), expected stored" ;; esac
[ "$(outcome "$R" 1001 VERK)" = rejected ] || fail "1001 VERK: $(outcome "$R" 1001 VERK), expected rejected"
jq -r '.records[] | select(.employee.number == 1001 and .record_key.cost_center.code == "VERK") | .messages[] | "\(.type) \(.code)"' "$R" |
    grep -q 'BrokenBusinessRule 1008' || fail "1001 VERK lacks Loket's 1008"
jq -r '.records[] | select(.employee.number == 1001 and .record_key.cost_center.code == "PROD") | .messages[] | .code' "$R" |
    grep -q 1008 && fail "1001 PROD carries VERK's refusal"

# the mixed call: each record's outcome is what Loket holds (li checks the report against the
# state too); under --strict-minimal the 200 has no _embedded, so the stored records are known
# only by reading back, and the report says so
sim_reset
li apply "$SIM_DIR/mixed.csv" -m "$SIM_DIR/coll.json" --allow-partial --collective=10 \
    --journal "$SIM_DIR/mixed.journal" --report "$OUT/mixed.json"
[ "$LI_RC" = 1 ] || { cat "$SIM_DIR/li.out" "$SIM_DIR/li.err"; fail "mixed call: exit $LI_RC, expected 1"; }
M=$OUT/mixed.json
bad=$(agree "$M")
[ -z "$bad" ] || fail "the mixed call's report contradicts Loket:
$bad"
got="$(outcome "$M" 1005 VERK),$(outcome "$M" 1004 PROD),$(outcome "$M" 1005 PROD),$(outcome "$M" 1006 VERK)"
case "$got" in rejected,rejected,created,created | rejected,rejected,updated,created | \
    rejected,rejected,created,updated | rejected,rejected,updated,updated) ;;
*) fail "mixed call: outcomes $got (1005 VERK, 1004, 1005 PROD, 1006 VERK), expected rejected,rejected,stored,stored" ;;
esac
jq -r '.records[] | select(.employee.number == 1004) | .messages[] | "\(.type) \(.code)"' "$M" |
    grep -q 'BrokenBusinessRule 1008' || fail "mixed call: 1004 lacks Loket's 1008"
[ "$(jq '[.records[] | select(.outcome == "rejected") | select(.http_status != 200 and .http_status != 400)] | length' "$M")" = 0 ] ||
    fail "mixed call: rejected records with a status other than the call's"
readback=$(jq -r '[.records[] | select(any(.messages[]; .description | test("did not name this record; read back: Loket holds its values"))) | "\(.employee.number)\(.record_key.cost_center.code // "")"] | sort | join(",")' "$M")
if [ "${LOKET_SIM_MODE:-normal}" = minimal ]; then
    [ "$readback" = "1005PROD,1006VERK" ] ||
        fail "minimal: the stored records should be known by reading back (no _embedded), got [$readback]"
else
    [ -z "$readback" ] || fail "normal: _embedded names the stored records, yet [$readback] were read back"
fi

# ---- a refused record one of whose values does not change (its km already in Loket), beside a
# stored record of the same employment: a read-back that finds the unchanged km and not the new
# hours says Loket refused the change (rejected), not "cannot tell"
cat >"$SIM_DIR/two.json" <<'JSON'
{
  "name": "collective, two components",
  "input": { "type": "csv", "delimiter": ",", "decimalSeparator": ".", "thousandsSeparator": "none", "headerRow": 1 },
  "layout": "wide",
  "employee": { "employeeNumber": "Personeelsnr" },
  "employer": { "clientNumber": 40101 },
  "period": { "source": "fixed", "value": "2026-11" },
  "recordKey": { "costCenter": { "column": "Kostenplaats", "by": "code" } },
  "components": [ { "column": "Uren", "component": 10 }, { "column": "Km", "component": 20 } ]
}
JSON
printf 'Personeelsnr,Kostenplaats,Uren,Km\n1008,PROD,10,50\n' >"$SIM_DIR/two-before.csv"
printf 'Personeelsnr,Kostenplaats,Uren,Km\n1008,PROD,5000,50\n1008,VERK,12,\n' >"$SIM_DIR/two.csv"
sim_reset
LOKET_IMPORT_SKIP_PRECHECKS=1
export LOKET_IMPORT_SKIP_PRECHECKS
li apply "$SIM_DIR/two-before.csv" -m "$SIM_DIR/two.json" --report "$OUT/two-before.json"
[ "$LI_RC" = 0 ] || { cat "$SIM_DIR/li.out" "$SIM_DIR/li.err"; fail "two components, first apply: exit $LI_RC"; }
li apply "$SIM_DIR/two.csv" -m "$SIM_DIR/two.json" --allow-partial --collective=10 \
    --journal "$SIM_DIR/two.journal" --report "$OUT/two.json"
[ "$LI_RC" = 1 ] || { cat "$SIM_DIR/li.out" "$SIM_DIR/li.err"; fail "two components: exit $LI_RC, expected 1"; }
bad=$(agree "$OUT/two.json")
[ -z "$bad" ] || fail "two components: the report contradicts Loket:
$bad"
[ "$(outcome "$OUT/two.json" 1008 PROD),$(outcome "$OUT/two.json" 1008 VERK)" = rejected,created ] ||
    fail "two components: 1008 PROD $(outcome "$OUT/two.json" 1008 PROD), VERK $(outcome "$OUT/two.json" 1008 VERK); expected rejected, created"

# a call refused as a whole, two records of one employment: the read-back decides
sim_reset
li apply "$SIM_DIR/all-refused.csv" -m "$SIM_DIR/coll.json" --allow-partial --collective=10 \
    --journal "$SIM_DIR/refused.journal" --report "$OUT/refused.json"
[ "$LI_RC" = 1 ] || { cat "$SIM_DIR/li.out" "$SIM_DIR/li.err"; fail "refused call: exit $LI_RC, expected 1"; }
bad=$(agree "$OUT/refused.json")
[ -z "$bad" ] || fail "the refused call's report contradicts Loket:
$bad"
[ "$(outcome "$OUT/refused.json" 1003 PROD),$(outcome "$OUT/refused.json" 1003 VERK)" = rejected,rejected ] ||
    fail "1003: $(outcome "$OUT/refused.json" 1003 PROD),$(outcome "$OUT/refused.json" 1003 VERK), expected rejected twice"
unset LOKET_IMPORT_SKIP_PRECHECKS

# ---- --verify in collective mode catches a deliberately wrong report: the journal of the first
# run edited so 1002 (stored) reads rejected and 1001 VERK (refused) reads updated; --resume
# reproduces the journal's report, --verify compares it with Loket
sim_reset
LOKET_IMPORT_SKIP_PRECHECKS=1
export LOKET_IMPORT_SKIP_PRECHECKS
li apply "$SIM_DIR/coll.csv" -m "$SIM_DIR/coll.json" --allow-partial --collective=10 \
    --journal "$SIM_DIR/v.journal" --report "$OUT/v1.json" --verify
[ "$LI_RC" = 1 ] || { cat "$SIM_DIR/li.out" "$SIM_DIR/li.err"; fail "collective apply --verify: exit $LI_RC, expected 1"; }
[ "$(jq '[.records[] | select(.outcome == "failed")] | length' "$OUT/v1.json")" = 0 ] ||
    fail "--verify found differences in a true report: $(jq -c '[.records[] | select(.outcome == "failed") | .messages]' "$OUT/v1.json")"
id1002=$(employment_ids 1002)
jq -c --arg e "$id1002" '
    if (.key // "" | startswith($e + "/")) and (.result.outcome // "") != "" then .result.outcome = "rejected"
    elif (.key // "" | test("/.*costCenter=2")) and (.result.outcome // "") == "rejected" then .result.outcome = "updated"
    else . end' "$SIM_DIR/v.journal" >"$SIM_DIR/v.edited" || fail "editing the journal"
cmp -s "$SIM_DIR/v.journal" "$SIM_DIR/v.edited" && fail "the journal edit changed nothing: $(cat "$SIM_DIR/v.journal")"
cp "$SIM_DIR/v.edited" "$SIM_DIR/v.journal"
li apply "$SIM_DIR/coll.csv" -m "$SIM_DIR/coll.json" --allow-partial --collective=10 \
    --journal "$SIM_DIR/v.journal" --report "$OUT/v2.json" --resume --verify
unset LOKET_IMPORT_SKIP_PRECHECKS
[ "$LI_RC" != 0 ] || fail "--verify passed a wrong report"
[ "$(outcome "$OUT/v2.json" 1002 VERK)" = failed ] ||
    { jq -c ".records[] | select(.employee.number == 1002) | [.outcome, .record_key, .messages]" "$OUT/v2.json"; fail "--verify: 1002 reported $(outcome "$OUT/v2.json" 1002 VERK), expected failed (Loket holds it)"; }
jq -r '.records[] | select(.employee.number == 1002) | .messages[] | .description' "$OUT/v2.json" |
    grep -q 'reported rejected, but Loket holds' || fail "--verify: 1002 lacks the reason"
[ "$(outcome "$OUT/v2.json" 1001 VERK)" = failed ] ||
    fail "--verify: 1001 VERK reported $(outcome "$OUT/v2.json" 1001 VERK), expected failed (Loket refused it)"
echo "engine_collective: ok"
