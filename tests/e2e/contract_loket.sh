#!/bin/sh
# contract_loket.sh: runs tests/contract/contract.py: loket-sim's answers validated against the
# official response schemas of loket-payroll-api.json (the success and the error answers of every
# write), requests the official request schemas reject must be rejected, and Loket's recommended
# round trip (defaults -> PATCH -> listing) for every administration of the fixture. The document
# is committed beside the test (tests/contract/README.md says where it comes from).
# sim-modes: both
set -u
. "$(dirname "$0")/lib.sh"

spec=$LK_ROOT/tests/contract/loket-payroll-api.json
[ -f "$spec" ] || { echo "FAIL: $spec missing" >&2; exit 1; }
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
