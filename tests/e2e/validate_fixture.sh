#!/bin/sh
# The samples must import cleanly into the simulator: every entry validate produces is checked
# against the simulator's fixture (samples/loket-fixture.json): the employee has exactly one
# employment in that administration active in the period (or on the date), the period is open,
# the component is allowed for the administration in 2026, isSupplement only where the component
# can be supplemented, the value fits the component's range and decimals, and every record key
# code exists in the administration's metadata.
set -u
BUILD=${LOKET_BUILD:-build}
BIN="$BUILD/loket-import"
FIXTURE=samples/loket-fixture.json
[ -f "$FIXTURE" ] || { echo "no $FIXTURE"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

# The jq program: prints one line per problem; nothing when everything fits.
cat >"$tmp/check.jq" <<'JQ'
($fx[0]) as $fx
| .entries[]
| . as $e
| ($e.employer // $default) as $client
| "\($client)/\($e.employeeNumber)/\($e.payrollId) \($e.period // $e.date // $cli) c\($e.component)" as $who
| (first($fx.payrollAdministrations[] | select((.clientNumber | tostring) == $client)) // null) as $adm
| if $adm == null then "\($who): no administration \($client)" else
  (if $e.date != null then {s: $e.date, e: $e.date}
   elif ($e.period // $cli) | test("P") then
     (($e.period // $cli) | capture("(?<y>[0-9]{4})-?[Pp](?<n>[0-9]+)")) as $p
     | (first($adm.simPayrollPeriods[] | select(.year == ($p.y | tonumber) and
                                                .periodNumber == ($p.n | tonumber))) // null)
     | if . == null then null else {s: .startDate, e: .endDate} end
   else (($e.period // $cli) + "-01") as $first
     | (first($adm.simPayrollPeriods[] | select(.startDate <= $first and .endDate >= $first)) // null)
     | if . == null then null else {s: .startDate, e: .endDate} end
   end) as $w
  | (first($fx.payrollComponents[] | select(.key == $e.component)) // null) as $comp
  | if $w == null then "\($who): no such period" elif $comp == null then "\($who): no such component" else
  ([$fx.employments[] | select(.payrollAdministration.clientNumber == $adm.clientNumber
      and .employee.employeeNumber == $e.employeeNumber
      and ($e.payrollId == null or .payrollId == $e.payrollId)
      and .startDate <= $w.e and (.endDate == null or .endDate >= $w.s))] | length) as $active
  | ([$adm.simPayrollPeriods[] | select(.startDate <= $w.e and .endDate >= $w.s)
      | select(any(.payrollRuns[]?; .payrollRunStatus.key == 9))] | length) as $closed
  | (if $active != 1 then "\($who): \($active) active employments" else empty end),
    (if $closed > 0 then "\($who): period closed" else empty end),
    (if ($adm.simPayrollComponents["2026"] | index($e.component)) == null
     then "\($who): component not allowed" else empty end),
    (if $e.isSupplement and ($comp.canBeSupplemented | not) then "\($who): isSupplement" else empty end),
    (if $e.value != null and ($e.value < ($comp.simMin | tonumber) or $e.value > ($comp.simMax | tonumber))
     then "\($who): value \($e.value) out of range" else empty end),
    (if $e.value != null and (($e.value * 100) | . != floor) then "\($who): too many decimals" else empty end),
    ($e.recordKey | to_entries[] | select(.value != null and .value.code != null)
     | . as $rk
     | if ([$adm.simMetadata[$rk.key][] | select((.code | tostring) == $rk.value.code
                                                   or .description == $rk.value.code)] | length) == 1
       then empty else "\($who): \($rk.key) \($rk.value.code) unknown" end)
  end end
JQ

# check NAME DEFAULT-CLIENT CLI-PERIOD FILE MAPPING [ARGS]
check() {
    name=$1 client=$2 period=$3 file=$4 mapping=$5
    shift 5
    "$BIN" validate "$file" -m "$mapping" --json "$@" >"$tmp/$name.json" 2>/dev/null
    if ! jq -e '.errors == [] and (.entries | length) > 0' "$tmp/$name.json" >/dev/null; then
        echo "FAIL $name: validate reported errors or nothing"; fails=$((fails + 1)); return
    fi
    jq -r --slurpfile fx "$FIXTURE" --arg default "$client" --arg cli "$period" \
        -f "$tmp/check.jq" "$tmp/$name.json" >"$tmp/$name.out" 2>"$tmp/$name.jqerr"
    if [ -s "$tmp/$name.out" ] || [ -s "$tmp/$name.jqerr" ]; then
        echo "FAIL $name:"; head -20 "$tmp/$name.out" "$tmp/$name.jqerr"; fails=$((fails + 1))
    else
        echo "ok   $name: $(jq '.entries | length' "$tmp/$name.json") entries fit the fixture"
    fi
}

S=samples M=mappings
check maand 40101 2026-11 $S/uren-maand-40101-2026-11.csv $M/uren-maand-excel.json --period 2026-11
check lang 40102 "" $S/variabele-gegevens-40102-2026-P12.csv $M/variabele-gegevens-lang.json
check xlsx 40201 "" $S/uren-dagelijks-40201-2026-11.xlsx $M/uren-dagelijks-xlsx.json --period 2026-11
check werkgevers 40101 "" $S/uren-meerdere-werkgevers-2026-11.csv $M/meerdere-werkgevers.json
for v in "" -verdeling -kostenplaats; do
    check template$v 40101 2026-11 $S/loket-template$v-40101-2026-11.csv $M/loket-template$v.json --period 2026-11
done

# the check itself must catch a misfit: an entry of 1019, who left on 2026-09-30
printf 'Personeelsnr;Dienstverband;Naam;Uren gewerkt;Overuren 125%%;Overuren 150%%;Ziekte-uren;Verlofuren;Reiskm;Ploegentoeslag\n1019;1;Wit;8;;;;;;\n' >"$tmp/left.csv"
"$BIN" validate "$tmp/left.csv" -m $M/uren-maand-excel.json --period 2026-11 --json >"$tmp/left.json" 2>/dev/null
jq -r --slurpfile fx "$FIXTURE" --arg default 40101 --arg cli 2026-11 -f "$tmp/check.jq" \
    "$tmp/left.json" | grep -q '1019.*0 active employments' ||
    { echo "FAIL: the fixture check does not catch an employee who left"; fails=$((fails + 1)); }

printf 'Klantnummer,Periode,Personeelsnummer,Naam,Kostenplaats,Uren,Overuren 125%%,Reiskm\n40201,2026-P47,2001,J,XYZ,8,,\n40999,2026-11,1001,J,PROD,8,,\n' >"$tmp/bad.csv"
"$BIN" validate "$tmp/bad.csv" -m $M/meerdere-werkgevers.json --json >"$tmp/bad.json" 2>/dev/null
jq -r --slurpfile fx "$FIXTURE" --arg default 40101 --arg cli "" -f "$tmp/check.jq" "$tmp/bad.json" >"$tmp/bad.out"
grep -q 'costCenter XYZ unknown' "$tmp/bad.out" && grep -q 'no administration 40999' "$tmp/bad.out" ||
    { echo "FAIL: the fixture check does not catch an unknown cost center or employer"; cat "$tmp/bad.out"; fails=$((fails + 1)); }

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "validate_fixture: all samples fit the simulator's fixture"
