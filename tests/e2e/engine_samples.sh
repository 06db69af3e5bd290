#!/bin/sh
# engine_samples.sh: plan and apply of every other sample with its mapping: Loket's template
# (plain, with cost center + cost unit codes, with distribution unit codes), the long 4-weekly
# export with a period column, and the multi-employer file (strict: nothing sent; with
# --allow-partial only the valid employments). State asserted value by value; a second apply
# sends nothing.
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

# ---- several employers in one file: the weekly administration cannot take a month
sim_reset
NAME=multi
F=$(sample uren-meerdere-werkgevers-2026-11.csv)
M=$(mapping meerdere-werkgevers.json)
li apply "$F" -m "$M" --period 2026-11 --report "$OUT/multi-strict.json"
[ "$LI_RC" = 2 ] || fail "multi: strict apply with plan errors should exit 2, got $LI_RC"
[ "$(patch_count)" = 0 ] || fail "multi: strict apply sent something"
[ "$(jq '[.records[] | select(.outcome == "not_sent")] | length' "$OUT/multi-strict.json")" = 8 ] ||
    fail "multi: the 8 valid records should be 'not sent'"
jq -r '.records[] | select(.employee.number == 2001) | .messages[].description' "$OUT/multi-strict.json" |
    grep -q 'is a month, but De Linde weekloon pays per' || fail "multi: no clear message for the weekly administration"
li apply "$F" -m "$M" --period 2026-11 --allow-partial --report "$OUT/multi-partial.json"
[ "$LI_RC" = 1 ] || fail "multi: --allow-partial with errors left should exit 1, got $LI_RC"
[ "$(patch_count)" = 8 ] || fail "multi: --allow-partial should send the 8 valid records, sent $(patch_count)"
[ "$(jq '[.records[] | select(.outcome == "rejected")] | length' "$OUT/multi-partial.json")" = 4 ] ||
    fail "multi: 4 records of the weekly administration should stay rejected"
sim_requests | jq -r '.recent[] | select(.method == "PATCH") | .path' >"$SIM_DIR/patched"
for n in 2001 2002 2003 2004; do
    for e in $(employment_ids $n); do
        grep -q "$e" "$SIM_DIR/patched" && fail "multi: employee $n of the invalid part was sent"
    done
done
expect 1001 "cc=1 cu= du= shift=1 pst=1 10=120.5
cc=1 cu= du= shift=1 pst=1 20=210
cc=2 cu= du= shift=1 pst=1 10=40
cc=2 cu= du= shift=1 pst=1 11=2.25"
echo "engine_samples: ok"
