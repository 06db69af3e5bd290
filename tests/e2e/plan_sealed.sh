#!/bin/sh
# plan_sealed.sh: a saved plan cannot be doctored. 'plan --out' seals the file with the
# installation key kept beside the token store (an HMAC over every byte); 'apply PLAN.json'
# refuses, exit 2 and nothing sent, a plan changed after it was made - field by field: a body
# value with its bodySha256 left alone, the bodySha256 made to match, the employee's name and
# number, period, ids, a component's old/new/delete/isSupplement, planned outcome, error and
# blocked flags, notes, summary, file and mapping paths, and a reformatted file - with a headline
# that says the file was changed after it was made (not that Loket changed). A plan without a
# seal or from another installation is refused unless --trust-plan; a trusted plan is still
# compared with a fresh plan field by field (an edited body value or name refused), and one that
# matches is applied.
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
li plan "$CSV" -m "$MAP" --period 2026-11 --out "$PLAN"
[ "$LI_RC" = 0 ] || fail "plan --out exit $LI_RC: $(cat "$SIM_DIR/li.err")"
jq -e '.seal.installation | test("^[0-9a-f]{16}$")' "$PLAN" >/dev/null || fail "the plan is not sealed"
jq -e '.seal.hmacSha256 | test("^[0-9a-f]{64}$")' "$PLAN" >/dev/null || fail "the plan's seal has no HMAC"
[ "$(stat -c %a "$SIM_DIR/installation.key")" = 600 ] || fail "the installation key is not 0600"
p0=$(patch_count)

# ---- 1. every field edited: refused, with the right headline, nothing sent
E='.records[] | select(.employeeNumber == 1001)'
n=0
for edit in \
    "($E | .body.payrollComponents[0].value) = 999" \
    "($E | .body.payrollComponents[0].value) = 999 | ($E | .bodySha256) = \"$(printf x | sha256sum | cut -c1-64)\"" \
    "($E | .employeeName) = \"Someone Else\"" \
    "($E | .employeeNumber) = 1002" \
    "($E | .employmentId) = \"00000000-0000-0000-0000-000000000000\"" \
    "($E | .employerId) = \"x\"" \
    "($E | .period) = \"2026-P12\"" \
    "($E | .periodId) = 202612" \
    "($E | .components[0].new) = \"999\"" \
    "($E | .components[0].old) = \"1\"" \
    "($E | .components[0].delete) = true" \
    "($E | .components[0].isSupplement) = true" \
    "($E | .planned) = \"unchanged\"" \
    "($E | .error) = true" \
    "($E | .blocked) = true" \
    "($E | .notes) = [\"all fine\"]" \
    ".summary.created = 0" \
    ".created = \"2020-01-01T00:00:00Z\"" \
    ".mapping.path = \"/tmp/other.json\"" \
    ".files[0].path = \"/tmp/other.csv\"" \
    ".period = \"2026-12\"" \
    "."; do
    n=$((n + 1))
    jq "$edit" "$PLAN" >"$SIM_DIR/edited-$n.json" || fail "jq edit $n"
    li apply "$SIM_DIR/edited-$n.json"
    [ "$LI_RC" = 2 ] || { cat "$SIM_DIR/li.err"; fail "edit $n ($edit): exit $LI_RC, expected 2"; }
    grep -q "edited-$n.json was changed after it was made" "$SIM_DIR/li.err" ||
        fail "edit $n ($edit): the headline does not say the file was changed: $(cat "$SIM_DIR/li.err")"
    grep -q "Loket changed" "$SIM_DIR/li.err" && fail "edit $n: the refusal blames Loket"
    [ "$(patch_count)" = "$p0" ] || fail "edit $n ($edit) sent something"
done
# the seal's own value
sed 's/"hmacSha256":\t"\(.\)/"hmacSha256":\t"f/' "$PLAN" >"$SIM_DIR/edited-seal.json"
cmp -s "$PLAN" "$SIM_DIR/edited-seal.json" && sed -i 's/"hmacSha256":\t"f/"hmacSha256":\t"e/' "$SIM_DIR/edited-seal.json"
li apply "$SIM_DIR/edited-seal.json"
[ "$LI_RC" = 2 ] && grep -q "was changed after it was made" "$SIM_DIR/li.err" || fail "an edited seal: exit $LI_RC $(cat "$SIM_DIR/li.err")"

# ---- 2. no seal, or another installation's: refused unless --trust-plan
jq 'del(.seal)' "$PLAN" >"$SIM_DIR/unsealed.json"
li apply "$SIM_DIR/unsealed.json"
[ "$LI_RC" = 2 ] && grep -q "has no seal" "$SIM_DIR/li.err" || fail "an unsealed plan: exit $LI_RC $(cat "$SIM_DIR/li.err")"
mkdir -m 700 "$SIM_DIR/other"
cp "$SIM_DIR/tokens.json" "$SIM_DIR/other/tokens.json"
jq --arg t "$SIM_DIR/other/tokens.json" '.tokenStore = $t' "$SIM_DIR/config.json" >"$SIM_DIR/other.json"
"$IMPORT_BIN" plan "$CSV" -m "$MAP" --period 2026-11 --out "$SIM_DIR/foreign.json" --config "$SIM_DIR/other.json" >/dev/null 2>&1 ||
    fail "the other installation's plan failed"
[ "$(jq -r .seal.installation "$SIM_DIR/foreign.json")" != "$(jq -r .seal.installation "$PLAN")" ] || fail "both installations have one key"
li apply "$SIM_DIR/foreign.json"
[ "$LI_RC" = 2 ] && grep -q "was made by another installation" "$SIM_DIR/li.err" && grep -q -- "--trust-plan" "$SIM_DIR/li.err" ||
    fail "another installation's plan: exit $LI_RC $(cat "$SIM_DIR/li.err")"
[ "$(patch_count)" = "$p0" ] || fail "a refused foreign plan sent something"
# trusted, but edited: the comparison with a fresh plan still refuses it
for edit in "($E | .body.payrollComponents[0].value) = 999" "($E | .employeeName) = \"Someone Else\"" \
    "($E | .components[0].isSupplement) = true"; do
    jq "$edit" "$SIM_DIR/foreign.json" >"$SIM_DIR/foreign-edited.json"
    li apply "$SIM_DIR/foreign-edited.json" --trust-plan
    [ "$LI_RC" = 2 ] || fail "a trusted plan with $edit: exit $LI_RC, expected 2"
    grep -q "differs from what would be sent now" "$SIM_DIR/li.err" || fail "trusted + $edit: $(cat "$SIM_DIR/li.err")"
    [ "$(patch_count)" = "$p0" ] || fail "a trusted, edited plan ($edit) sent something"
done
li apply "$SIM_DIR/unsealed.json" --trust-plan
[ "$LI_RC" = 0 ] || fail "a trusted unsealed plan that matches: exit $LI_RC $(cat "$SIM_DIR/li.err")"
[ "$(patch_count)" -gt "$p0" ] || fail "a trusted plan sent nothing"

# ---- 3. the genuine plan still applies
sim_reset
store_refresh_token
li apply "$PLAN"
[ "$LI_RC" = 0 ] || fail "the sealed plan: exit $LI_RC $(cat "$SIM_DIR/li.err")"
echo "plan_sealed: OK"
