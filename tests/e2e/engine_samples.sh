#!/bin/sh
# engine_samples.sh: plan and apply of every other sample with its mapping: Loket's template
# (plain, with cost center + cost unit codes, with distribution unit codes), the long 4-weekly
# export with a period column, and the multi-employer file (strict: nothing sent; with
# --allow-partial only the valid employments). State asserted value by value; a second apply
# sends nothing.
# sim-modes: both
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh"
start_import_sim
OUT=$SIM_DIR/reports
mkdir -p "$OUT"

expect() { # employee-number expected-lines [period]
    got=$(state_values "$1" "${3:-202611}")
    [ "$got" = "$2" ] || fail "$NAME: state of $1:
$got
expected:
$2"
}

# run NAME SAMPLE MAPPING EXPECTED-PATCHES ARGS...: plan (no writes), apply, apply again (no writes)
run() {
    NAME=$1 f=$(sample "$2") m=$(mapping "$3") n=$4
    shift 4
    p0=$(patch_count)
    li plan "$f" -m "$m" "$@" --report "$OUT/$NAME-plan.json"
    [ "$LI_RC" = 0 ] || { cat "$SIM_DIR/li.out"; fail "$NAME: plan exit $LI_RC"; }
    [ "$(patch_count)" = "$p0" ] || fail "$NAME: plan sent a PATCH"
    li apply "$f" -m "$m" "$@" --report "$OUT/$NAME-apply.json" --verify
    [ "$LI_RC" = 0 ] || { cat "$SIM_DIR/li.out"; fail "$NAME: apply exit $LI_RC"; }
    [ "$(($(patch_count) - p0))" = "$n" ] || fail "$NAME: apply sent $(($(patch_count) - p0)) PATCH requests, expected $n"
    p1=$(patch_count)
    li apply "$f" -m "$m" "$@" --report "$OUT/$NAME-again.json"
    [ "$LI_RC" = 0 ] || fail "$NAME: second apply exit $LI_RC"
    [ "$(patch_count)" = "$p1" ] || fail "$NAME: second apply sent something"
}

# ---- Loket's template: one record per employment on its default record key
run template loket-template-40101-2026-11.csv loket-template.json 11 --period 2026-11 --employer 40101
[ "$(jq '[.records[] | select(.outcome == "unchanged")] | length' "$OUT/template-plan.json")" = 1 ] ||
    fail "template: plan should find 1 record Loket already holds"
expect 1004 "cc=1 cu= du= shift=1 pst=1 10=160
cc=1 cu= du= shift=1 pst=1 21=38.4"

# ---- the template with cost center and cost unit codes: new records on those keys
sim_reset
run kostenplaats loket-template-kostenplaats-40101-2026-11.csv loket-template-kostenplaats.json 12 --period 2026-11 --employer 40101
expect 1004 "cc=1 cu=1 du= shift=1 pst=1 10=160
cc=1 cu=1 du= shift=1 pst=1 21=38.4"
expect 1003 "cc=3 cu=2 du= shift=1 pst=1 10=136
cc=3 cu=2 du= shift=1 pst=1 11=2.5"
# 1001 keeps its existing default record and gets a second one on PROD/02
expect 1001 "cc=1 cu= du= shift=1 pst=1 10=152
cc=1 cu= du= shift=1 pst=1 20=385.25
cc=1 cu=2 du= shift=1 pst=1 10=152"

# ---- the template with distribution units by name (WINKEL, BAK)
sim_reset
run verdeling loket-template-verdeling-40101-2026-11.csv loket-template-verdeling.json 12 --period 2026-11 --employer 40101
winkel=$(jq -r '.payrollAdministrations[] | select(.clientNumber == 40101) | .simMetadata.distributionUnit[] | select(.description == "WINKEL") | .key' "$SIM_FIXTURE")
[ -n "$winkel" ] || fail "fixture has no WINKEL distribution unit"
expect 1004 "cc=1 cu= du=$winkel shift=1 pst=1 10=160
cc=1 cu= du=$winkel shift=1 pst=1 21=38.4"

# ---- the long 4-weekly export, period column 2026-P12, a repeated row summed
sim_reset
run lang variabele-gegevens-40102-2026-P12.csv variabele-gegevens-lang.json 15
d=$(state_values 1101 202612 | sed 's/^.* //' | tr '\n' ' ')
[ "$d" = "10=144 11=1.5 20=78 " ] || fail "lang: state of 1101 in 2026-P12: $d"
d=$(state_values 1105 202612 | sed 's/^.* //' | tr '\n' ' ')
[ "$d" = "10=144 11=7.5 20=150 40=-12.5 " ] || fail "lang: state of 1105 in 2026-P12: $d"

# ---- several employers in one file: client number and period per row, cost center by code
sim_reset
run multi uren-meerdere-werkgevers-2026-11.csv meerdere-werkgevers.json 12
expect 1001 "cc=1 cu= du= shift=1 pst=1 10=120.5
cc=1 cu= du= shift=1 pst=1 20=210
cc=2 cu= du= shift=1 pst=1 10=40
cc=2 cu= du= shift=1 pst=1 11=2.25"
# the weekly administration's rows, 2026-P47 (2004's two rows on VERK add up)
d=$(state_values 2004 202647 | tr '\n' ' ')
[ "$d" = "cc=2 cu= du= shift=1 pst=1 10=40.5 cc=2 cu= du= shift=1 pst=1 11=1.5 cc=2 cu= du= shift=1 pst=1 20=60 " ] ||
    fail "multi: state of 2004 in 2026-P47: $d"

# ---- daily entries (XLSX, date cells) bucketed into the weekly administration's ISO weeks
sim_reset
X=$(sample uren-dagelijks-40201-2026-11.xlsx)
XM=$(mapping uren-dagelijks-xlsx.json)
n=$("$IMPORT_BIN" validate "$X" -m "$XM" --json | jq '[.entries[] | {e: .employeeNumber, w: (.date | strptime("%Y-%m-%d") | mktime | strftime("%G%V"))}] | unique | length')
run daily uren-dagelijks-40201-2026-11.xlsx uren-dagelijks-xlsx.json "$n"
# the expected sums per employee and ISO week, computed from validate's entries (not the engine)
"$IMPORT_BIN" validate "$X" -m "$XM" --json | jq -r '
    [.entries[] | {e: .employeeNumber, c: .component, v: .value,
                   w: (.date | strptime("%Y-%m-%d") | mktime | strftime("%G%V") | tonumber)}]
    | group_by([.e, .w, .c]) | .[] | "\(.[0].e) \(.[0].w) \(.[0].c)=\(map(.v) | add)"' | sort >"$SIM_DIR/daily-expected"
# (the weeks of the file only: the fixture's history holds earlier weeks)
sim_state | jq -r '.payrollPeriodData[] | select(.employeeNumber >= 2001 and .employeeNumber <= 2020 and .payrollPeriodId >= 202645)
    | . as $r | .payrollComponents[] | "\($r.employeeNumber) \($r.payrollPeriodId) \(.payrollComponent.key)=\(.value)"' |
    sort >"$SIM_DIR/daily-state"
# 2020 held 10=38 in week 45 before: the file's value replaced it
diff "$SIM_DIR/daily-expected" "$SIM_DIR/daily-state" >"$SIM_DIR/daily-diff" ||
    fail "daily: Loket's state differs from the per-week sums of the file:
$(head -20 "$SIM_DIR/daily-diff")"
[ "$(jq '[.records[] | select(.period.input == "2026-W45")] | length' "$OUT/daily-plan.json")" -gt 0 ] ||
    fail "daily: records are not labelled with their week period"

# ---- a file with mistakes: strict sends nothing; --allow-partial sends the employments without
# any error and nothing of an employment with one bad row
sim_reset
NAME=fouten
F=$(sample fouten-40101-2026-11.csv)
M=$(mapping fouten-voorbeeld.json)
li apply "$F" -m "$M" --report "$OUT/fouten-strict.json"
[ "$LI_RC" = 2 ] || fail "fouten: strict apply with errors should exit 2, got $LI_RC"
[ "$(patch_count)" = 0 ] || fail "fouten: strict apply sent something"
[ "$(jq '[.records[] | select(.outcome == "created" or .outcome == "updated")] | length' "$OUT/fouten-strict.json")" = 0 ] ||
    fail "fouten: strict report claims records were sent"
jq -r '.issues[] | .message' "$OUT/fouten-strict.json" | grep -q '"7,5x" is not a number' ||
    fail "fouten: the bad number is not in the report"
li apply "$F" -m "$M" --allow-partial --report "$OUT/fouten-partial.json"
[ "$LI_RC" = 1 ] || fail "fouten: --allow-partial with errors left should exit 1, got $LI_RC"
sim_requests | jq -r '.recent[] | select(.method == "PATCH") | .path' >"$SIM_DIR/patched"
# 1003's second row is a rejected repeat: its employment sends nothing; 1006's row has 2 hours
# under the mistyped component number 1O: it is not sent without them
for e in $(employment_ids 1003) $(employment_ids 1002) $(employment_ids 1005) $(employment_ids 1006); do
    grep -q "$e" "$SIM_DIR/patched" && fail "fouten: an employment with an invalid row was sent ($e)"
done
for e in $(employment_ids 1001); do
    grep -q "$e" "$SIM_DIR/patched" || fail "fouten: valid employment $e was not sent"
done
[ "$(jq -r '.records[] | select(.employee.number == 1003) | .outcome' "$OUT/fouten-partial.json")" = not_sent ] ||
    fail "fouten: 1003 should be 'not sent'"
jq -r '.issues[] | select(.row == 11) | .message' "$OUT/fouten-partial.json" | grep -q '"1O"' ||
    fail "fouten: the value under 1O is not in the report"
echo "engine_samples: ok"
