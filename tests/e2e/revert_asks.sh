#!/bin/sh
# revert_asks.sh: on a terminal `revert` shows what it will do and asks before it sends; "n" (or
# nothing) sends nothing, "j"/"y" sends; --yes sends without asking; without a terminal it never
# asks (scripts). Wholly Dutch under --lang nl: records named as people do (werknemer, periode,
# kostenplaats, looncomponent names), numbers written 1,75, the question, the plan line.
# sim-modes: both
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh"
command -v script >/dev/null || { echo "SKIP revert_asks.sh needs script(1) for a terminal"; exit 77; }
start_import_sim
CSV=$(sample uren-maand-40101-2026-11.csv)
MAP=$(mapping uren-maand-excel.json)
DEL='/providers/employers/employees/employments/payrollperioddata/{payrollperioddataId}'
writes() { echo $(($(patch_count) + $(sim_count DELETE "$DEL"))); }
on_tty() { # answer args...: revert on a pseudo-terminal, the answer typed on it
    answer=$1
    shift
    printf '%s\n' "$answer" | script -qec "$IMPORT_BIN revert $* --config $SIM_DIR/config.json" /dev/null \
        >"$SIM_DIR/tty.out" 2>&1
}
li apply "$CSV" -m "$MAP" --period 2026-11
[ "$LI_RC" = 0 ] || fail "apply exit $LI_RC"
R=$(ls "$SIM_DIR/runs" | tail -n 1)
w0=$(writes)

# ---- "n": nothing sent
on_tty n "$R"
grep -q "Send these 25 changes to Loket? \[y/N\]" "$SIM_DIR/tty.out" || fail "revert did not ask: $(tail -n 3 "$SIM_DIR/tty.out")"
grep -q "nothing was sent" "$SIM_DIR/tty.out" || fail "no 'nothing was sent' after n"
[ "$(writes)" = "$w0" ] || fail "revert sent after 'n'"

# ---- in Dutch, "j": sent; the records as people name them
on_tty j "$R" --lang nl
for w in "werknemer 1001 Jansen, J., periode november 2026, kostenplaats PROD Productie: herstellen: Uren gewerkt (10): 166 -> 152, Overuren 125% (11): 1,75 -> geen waarde" \
    "plan: 2 te herstellen, 23 te verwijderen" "Deze 25 wijzigingen naar Loket sturen? \[j/N\]" "teruggedraaid: 25 klaar"; do
    grep -q "$w" "$SIM_DIR/tty.out" || fail "revert --lang nl lacks '$w': $(cat "$SIM_DIR/tty.out")"
done
for e in "employee " "restore:" "no value" "Send these"; do
    grep -q "$e" "$SIM_DIR/tty.out" && fail "English on the Dutch revert screen: '$e'"
done
[ "$(writes)" = $((w0 + 25)) ] || fail "revert after 'j' wrote $(($(writes) - w0)), expected 25"

# ---- --yes: no question; without a terminal: no question either
sim_reset
li apply "$CSV" -m "$MAP" --period 2026-11
R=$(ls "$SIM_DIR/runs" | tail -n 1)
w0=$(writes)
on_tty n "$R" --yes
grep -q "Send these" "$SIM_DIR/tty.out" && fail "revert --yes asked"
[ "$(writes)" = $((w0 + 25)) ] || fail "revert --yes did not send"
echo "revert_asks: OK"
