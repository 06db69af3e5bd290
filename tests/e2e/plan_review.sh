#!/bin/sh
# plan_review.sh: a reviewed plan applied exactly. 'plan --out PLAN.json' saves the plan and
# sends nothing; 'apply PLAN.json' on an unchanged Loket sends exactly it (Loket's state then
# equals that of a direct apply, one PATCH per planned record); it refuses, exit 2 and nothing
# sent, when Loket changed in between (naming employee and component), when an input file or
# the mapping changed (naming it), when the plan was made against another API, and when the
# plan itself is broken; options the plan fixes are refused (exit 3). Every other sample gives
# the same state and exit code through a saved plan as through a direct apply.
# sim-modes: both
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh"
start_import_sim
CSV=$SIM_DIR/uren.csv
MAP=$SIM_DIR/mapping.json
cp "$(sample uren-maand-40101-2026-11.csv)" "$CSV"
cp "$(mapping uren-maand-excel.json)" "$MAP"
PLAN=$SIM_DIR/plan.json

november() {
    sim_state | jq -S -c '[.payrollPeriodData[] | select(.payrollPeriodId == 202611)
        | {e: .employmentId, cc: .costCenter.key, cu: .costUnit.key, s: .shift.shiftNumber,
           p: .payslipType.key, v: [.payrollComponents[] | [.payrollComponent.key, .value, .isSupplement]]}]
        | sort_by(.e, .cc, .cu)'
}

# ---- the reference: a direct apply
li apply "$CSV" -m "$MAP" --period 2026-11
[ "$LI_RC" = 0 ] || fail "direct apply exit $LI_RC"
REF=$(november)
sim_reset

# ---- 1. plan --out sends nothing; apply PLAN.json sends exactly that plan
li plan "$CSV" -m "$MAP" --period 2026-11 --out "$PLAN"
[ "$LI_RC" = 0 ] || { cat "$SIM_DIR/li.err"; fail "plan --out exit $LI_RC"; }
[ -f "$PLAN" ] || fail "no plan file"
[ "$(stat -c %a "$PLAN")" = 600 ] || fail "the plan file is not private (mode $(stat -c %a "$PLAN"))"
grep -q "plan saved: $PLAN" "$SIM_DIR/li.out" || fail "plan --out does not say where the plan is"
[ "$(patch_count)" = 0 ] || fail "plan --out sent something"
jq -e '.loketImportPlan == 1 and .period == "2026-11" and (.records | length) == 25
       and .summary.created == 23 and .summary.updated == 2' "$PLAN" >/dev/null || fail "plan file: $(jq .summary "$PLAN")"
li apply "$PLAN"
[ "$LI_RC" = 0 ] || { cat "$SIM_DIR/li.out" "$SIM_DIR/li.err"; fail "apply PLAN.json exit $LI_RC"; }
[ "$(patch_count)" = 25 ] || fail "apply PLAN.json sent $(patch_count) PATCHes, expected the plan's 25"
[ "$(november)" = "$REF" ] || fail "apply PLAN.json left another state than a direct apply"
# every PATCH went to an employment the plan holds
jq -r '.records[].employmentId' "$PLAN" | sort -u >"$SIM_DIR/planned.ids"
sim_requests | jq -r '.recent[] | select(.method == "PATCH") | .path | capture("employments/(?<id>[^/]+)/payrollperioddata").id' | sort -u >"$SIM_DIR/sent.ids"
diff "$SIM_DIR/planned.ids" "$SIM_DIR/sent.ids" >&2 || fail "PATCHes went to other employments than the plan's"
RUN=$SIM_DIR/runs/$(ls "$SIM_DIR/runs" | tail -n 1)
jq -e --arg p "$PLAN" '.reviewedPlan.path == $p and .status == "finished"' "$RUN/run.json" >/dev/null ||
    fail "the run folder does not name the reviewed plan"
# the same plan once more: Loket now holds its values, so it is stale
li apply "$PLAN"
[ "$LI_RC" = 2 ] || fail "a plan applied twice: exit $LI_RC, expected 2"
[ "$(patch_count)" = 25 ] || fail "a plan applied twice sent something"

# ---- 2. Loket changed in between: someone corrects 1001's hours
sim_reset
li plan "$CSV" -m "$MAP" --period 2026-11 --out "$PLAN"
[ "$LI_RC" = 0 ] || fail "plan --out exit $LI_RC"
E1001=$(jq -r '.records[] | select(.employeeNumber == 1001) | .employmentId' "$PLAN")
jq -c '.records[] | select(.employeeNumber == 1001) | .body
       | .payrollComponents = [{payrollComponent: {key: 10}, value: 151}]' "$PLAN" >"$SIM_DIR/edit.json"
# the importer's own access token (the fixture's refresh token has rotated in its store)
SIM_TOKEN=$(jq -r .accessToken "$SIM_DIR/tokens.json")
api PATCH "/providers/employers/employees/employments/$E1001/payrollperioddata" \
    -H "Content-Type: application/json;version=2018-01-01" --data @"$SIM_DIR/edit.json" >/dev/null
[ "$(api_status)" = 200 ] || fail "the outside change was refused: $(cat "$SIM_DIR/body")"
p0=$(patch_count)
li apply "$PLAN"
[ "$LI_RC" = 2 ] || { cat "$SIM_DIR/li.err"; fail "stale plan (Loket changed): exit $LI_RC, expected 2"; }
grep -q "employee 1001, .*component 10: Loket held 152 when the plan was made, now 151" "$SIM_DIR/li.err" ||
    fail "the refusal does not name what changed: $(cat "$SIM_DIR/li.err")"
grep -q "employee 1002" "$SIM_DIR/li.err" && fail "the refusal names records that did not change"
[ "$(patch_count)" = "$p0" ] || fail "a stale plan (Loket changed) sent something"
jq -e '[.records[] | select(.outcome == "created" or .outcome == "updated")] | length == 0' \
    "$SIM_DIR/runs/$(ls "$SIM_DIR/runs" | tail -n 1)/report.json" >/dev/null ||
    fail "the report of a refused plan claims records were written"

# ---- 3. the input changed in between
sim_reset
li plan "$CSV" -m "$MAP" --period 2026-11 --out "$PLAN"
sed -i 's/^1003;1;\(.*\);162,00;/1003;1;\1;150;/' "$CSV"
p0=$(patch_count)
nruns=$(ls "$SIM_DIR/runs" | grep -c .)
li apply "$PLAN"
[ "$LI_RC" = 2 ] || fail "stale plan (input changed): exit $LI_RC, expected 2"
grep -q "uren.csv changed since the plan was made" "$SIM_DIR/li.err" || fail "the refusal does not name the file: $(cat "$SIM_DIR/li.err")"
[ "$(ls "$SIM_DIR/runs" | grep -c .)" = $((nruns + 1)) ] || fail "the refused apply left no run folder"
jq -e '.status == "nothing sent" and .exitCode == 2 and (.error | contains("uren.csv changed since the plan"))' \
    "$SIM_DIR/runs/$(ls "$SIM_DIR/runs" | tail -n 1)/run.json" >/dev/null || fail "the refused apply's run folder does not say why"
[ "$(patch_count)" = "$p0" ] || fail "a stale plan (input changed) sent something"
# the mapping too
li plan "$CSV" -m "$MAP" --period 2026-11 --out "$PLAN"
printf '\n' >>"$MAP"
li apply "$PLAN"
[ "$LI_RC" = 2 ] || fail "stale plan (mapping changed): exit $LI_RC, expected 2"
grep -q "the mapping .*mapping.json changed" "$SIM_DIR/li.err" || fail "the refusal does not name the mapping"
[ "$(patch_count)" = "$p0" ] || fail "a stale plan (mapping changed) sent something"

# ---- 4. another API, a broken plan, options the plan fixes
li plan "$CSV" -m "$MAP" --period 2026-11 --out "$PLAN"
jq '.api = "https://api.loket.nl/v2"' "$PLAN" >"$SIM_DIR/other-api.json"
li apply "$SIM_DIR/other-api.json"
[ "$LI_RC" = 2 ] || fail "an edited plan (api): exit $LI_RC, expected 2"
grep -q "was changed after it was made" "$SIM_DIR/li.err" || fail "the edited api is not called a changed file"
li apply "$SIM_DIR/other-api.json" --trust-plan # trusted (not sealed here): the API still decides
[ "$LI_RC" = 2 ] || fail "a plan of another API: exit $LI_RC, expected 2"
grep -q "was made against https://api.loket.nl/v2" "$SIM_DIR/li.err" || fail "no clear message for another API"
jq '.files = []' "$PLAN" >"$SIM_DIR/broken.json"
li apply "$SIM_DIR/broken.json"
[ "$LI_RC" = 2 ] || fail "a broken plan: exit $LI_RC, expected 2"
grep -q "names no input file" "$SIM_DIR/li.err" || fail "a broken plan: $(cat "$SIM_DIR/li.err")"
li apply "$PLAN" --period 2026-10
[ "$LI_RC" = 3 ] || fail "apply PLAN.json --period: exit $LI_RC, expected 3"
li apply "$CSV" -m "$MAP" --period 2026-11 --out "$SIM_DIR/x.json"
[ "$LI_RC" = 64 ] || fail "apply --out: exit $LI_RC, expected 64 (usage)"
r0=$(sim_requests | jq '[.counts[]] | add // 0')
li plan "$CSV" -m "$MAP" --period 2026-11 --out "$SIM_DIR/no-such-folder/plan.json"
[ "$LI_RC" = 3 ] || fail "plan --out into a missing folder: exit $LI_RC, expected 3"
grep -q "no-such-folder" "$SIM_DIR/li.err" || fail "plan --out into a missing folder: the error does not name it"
[ "$(sim_requests | jq '[.counts[]] | add // 0')" = "$r0" ] || fail "plan --out into a missing folder made requests first"
[ "$(patch_count)" = "$p0" ] || fail "refused plans sent something"
# and still fresh: it applies
li apply "$PLAN"
[ "$LI_RC" = 0 ] || { cat "$SIM_DIR/li.err"; fail "a fresh plan after the refusals: exit $LI_RC"; }

# ---- 5. every sample: apply PLAN.json ends as a direct apply does (state and exit code)
# Everything Loket holds, every period, normalised (record ids and versions left out).
everything() {
    sim_state | jq -S -c '[.payrollPeriodData[] | {e: .employmentId, p: .payrollPeriodId, cc: .costCenter.key,
        cu: .costUnit.key, du: .distributionUnit.key, s: .shift.shiftNumber, t: .payslipType.key,
        v: [.payrollComponents[] | [.payrollComponent.key, .value, .isSupplement]]}] | sort_by(.e, .p, .cc, .cu, .du, .s, .t)'
}
# every sample with its mapping (as engine_samples.sh runs them): NAME FILE MAPPING [args]
each_sample() { # function
    $1 template loket-template-40101-2026-11.csv loket-template.json --period 2026-11 --employer 40101
    $1 kostenplaats loket-template-kostenplaats-40101-2026-11.csv loket-template-kostenplaats.json --period 2026-11 --employer 40101
    $1 verdeling loket-template-verdeling-40101-2026-11.csv loket-template-verdeling.json --period 2026-11 --employer 40101
    $1 lang variabele-gegevens-40102-2026-P12.csv variabele-gegevens-lang.json
    $1 multi uren-meerdere-werkgevers-2026-11.csv meerdere-werkgevers.json
    $1 daily uren-dagelijks-40201-2026-11.xlsx uren-dagelijks-xlsx.json
    $1 partial fouten-40101-2026-11.csv fouten-voorbeeld.json --allow-partial
}
plan_sample() {
    name=$1 f=$(sample "$2") m=$(mapping "$3")
    shift 3
    partial=
    case "$*" in *--allow-partial*) partial=--allow-partial ;; esac
    args=$(printf '%s' "$*" | sed 's/--allow-partial//')
    sim_reset
    li apply "$f" -m "$m" "$@"
    direct=$LI_RC
    want=$(everything)
    sim_reset
    li plan "$f" -m "$m" $args --out "$SIM_DIR/$name.plan.json"
    case $LI_RC in 0 | 2) ;; *) fail "$name: plan --out exit $LI_RC" ;; esac
    li apply "$SIM_DIR/$name.plan.json" $partial
    [ "$LI_RC" = "$direct" ] || { cat "$SIM_DIR/li.err"; fail "$name: apply PLAN.json exit $LI_RC, a direct apply $direct"; }
    [ "$(everything)" = "$want" ] || fail "$name: apply PLAN.json left another state than a direct apply"
}
each_sample plan_sample
echo "plan_review: ok"
