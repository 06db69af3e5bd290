#!/bin/sh
# contract_loket.sh: runs tests/contract/contract.py: loket-sim's answers validated against the
# official response schemas of loket-payroll-api.json, and requests the official request schemas
# reject must be rejected. The document lives in shared/reference beside the repository.
set -u
. "$(dirname "$0")/lib.sh"

spec=${LOKET_API_SPEC:-}
if [ -z "$spec" ]; then
    for cand in "$LK_ROOT/../shared/reference/loket-payroll-api.json" \
        "$(git -C "$LK_ROOT" rev-parse --path-format=absolute --git-common-dir 2>/dev/null)/../../shared/reference/loket-payroll-api.json"; do
        [ -f "$cand" ] && { spec=$cand; break; }
    done
fi
[ -n "$spec" ] && [ -f "$spec" ] || {
    echo "FAIL: loket-payroll-api.json not found: expected shared/reference/ beside the repository ($LK_ROOT/../shared/reference/), or set LOKET_API_SPEC" >&2
    exit 1
}
# the validator: Debian's python3-jsonschema; installed here through scripts/deps.sh when missing
py=/usr/bin/python3
if ! "$py" -c 'import jsonschema' 2>/dev/null; then
    echo "contract_loket: python3-jsonschema missing; installing it with scripts/deps.sh" >&2
    sh "$LK_ROOT/scripts/deps.sh" >&2
    "$py" -c 'import jsonschema' 2>/dev/null || {
        echo "FAIL: python3-jsonschema could not be installed (scripts/deps.sh lists it)" >&2
        exit 1
    }
fi
start_sim
token=$(get_token) || fail "no token"
timeout 300 "$py" "$LK_ROOT/tests/contract/contract.py" "$spec" "$SIM_URL" "$SIM_FIXTURE" "$token" || fail "contract test failed"
stop_sim
