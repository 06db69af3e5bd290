#!/bin/sh
# sim_fixture.sh: samples/loket-fixture.json is what scripts/make-fixture.py writes, and it holds
# the pinned facts the samples and other tests rely on (docs/simulator.md, "The fixture").
set -u
. "$(dirname "$0")/lib.sh"
F=$SIM_FIXTURE
scratch=$(mktemp -d "${TMPDIR:-/tmp}/lk-fixture-XXXXXX")
trap 'rm -rf "$scratch"' EXIT
/usr/bin/python3 "$LK_ROOT/scripts/make-fixture.py" "$scratch/fixture.json" || { echo "FAIL: make-fixture.py failed" >&2; exit 1; }
cmp -s "$scratch/fixture.json" "$F" || { echo "FAIL: the committed fixture differs from make-fixture.py's output" >&2; exit 1; }

check() { # description jq-expression
    jq -e "$2" "$F" >/dev/null || { echo "FAIL: fixture: $1" >&2; exit 1; }
}
nums() { # clientNumber -> sorted employee numbers
    jq -c --argjson c "$1" '[.employments[] | select(.payrollAdministration.clientNumber == $c) | .employee.employeeNumber] | unique' "$F"
}
check "the administrations with the pinned client numbers and period types (month, 4 weeks, week)" \
    '[.payrollAdministrations[] | [.clientNumber, .payrollPeriodType.key]] as $a | [[40101,1],[40102,2],[40201,3]] | all(. as $x | $a | any(. == $x))'
[ "$(nums 40101)" = "$(seq -s, 1001 1025 | sed 's/^/[/; s/$/]/')" ] || { echo "FAIL: 40101 employees" >&2; exit 1; }
[ "$(nums 40102)" = "$(seq -s, 1101 1115 | sed 's/^/[/; s/$/]/')" ] || { echo "FAIL: 40102 employees" >&2; exit 1; }
[ "$(nums 40201)" = "$(seq -s, 2001 2020 | sed 's/^/[/; s/$/]/')" ] || { echo "FAIL: 40201 employees" >&2; exit 1; }
check "Garage Smit hidden, the others visible" \
    '[.employers[] | [.companyName, .simVisible]] == [["Bakkerij Van den Berg B.V.", true], ["Hoveniersbedrijf De Linde", true], ["Garage Smit", false]]'
check "1007 has two employments (payrollId and incomeRelationshipNumber 1 and 2)" \
    '[.employments[] | select(.employee.employeeNumber == 1007) | [.payrollId, .incomeRelationshipNumber]] == [[1,1],[2,2]]'
check "1019 left 2026-09-30" '.employments[] | select(.employee.employeeNumber == 1019) | .endDate == "2026-09-30"'
check "1024 starts 2026-11-16" '.employments[] | select(.employee.employeeNumber == 1024) | .startDate == "2026-11-16"'
check "2020 has the formula-injection name" '.employments[] | select(.employee.employeeNumber == 2020) | .employee.formattedName == "=HYPERLINK(\"x\")"'
check "period counts 2026: 12, 13, 53" \
    '[.payrollAdministrations[0,1,2] | [.simPayrollPeriods[] | select(.year == 2026)] | length] == [12, 13, 53]'
check "monthly ids 202601..202612" '[.payrollAdministrations[0].simPayrollPeriods[] | select(.year == 2026) | .id] == [range(202601; 202613)]'
check "closed exactly when the period ends on or before 2026-10-31" \
    '[.payrollAdministrations[].simPayrollPeriods[] | ((.endDate <= "2026-10-31") == (.payrollRuns | any(.payrollRunStatus.key == 9)))] | all'
check "November and December 2026 open" \
    '[.payrollAdministrations[0].simPayrollPeriods[] | select(.year == 2026 and .periodNumber >= 11) | .payrollRuns | length] == [0, 0]'
check "components and canBeSupplemented" \
    '[.payrollComponents[] | [.key, .description, .canBeSupplemented]] == [[10,"Uren gewerkt",false],[11,"Overuren 125%",false],[12,"Overuren 150%",false],[13,"Ziekte-uren",false],[14,"Verlofuren",false],[20,"Reiskm",false],[21,"Reiskostenverg",true],[22,"Onkostenverg",true],[30,"Bonus",true],[31,"Ploegentoeslag",false],[40,"Inhouding",false]]'
check "allowed components per administration" \
    '[.payrollAdministrations[0,1,2] | .simPayrollComponents["2026"]] == [[10,11,12,13,14,20,21,22,30,31,40],[10,11,12,13,14,20,21,22,30,40],[10,11,12,13,20,21]]'
check "record key metadata" \
    '.payrollAdministrations[0].simMetadata | ([.costCenter[].code] == ["PROD","VERK","ADM"]) and ([.costUnit[].code] == ["01","02"]) and ([.distributionUnit[].description] == ["BAK","WINKEL"]) and ([.shift[].description] == ["Dag","Avond","Nacht"]) and ([.payslipType[].value] == ["Normaal","Bijzonder tarief"])'
check "weekly distribution units" '[.payrollAdministrations[2].simMetadata.distributionUnit[].description] == ["TUIN","ONDERH"]'
check "auth client" '.auth.clientId == "loket-import-demo" and (.auth.refreshTokens | length) == 1 and (.auth.authorizationCodes | length) >= 2'
echo "sim_fixture: ok"
