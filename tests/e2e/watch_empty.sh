#!/bin/sh
# watch with the real engine: a dropped file without data rows (only its header) is not filed
# as imported: its import exits 2 ("no data rows"), the file goes to failed/, and its report
# says why.
# sim-modes: both
. "$(dirname "$0")/lib.sh"
IMPORT=$LK_ROOT/$LOKET_BUILD/loket-import
case "$LOKET_BUILD" in /*) IMPORT=$LOKET_BUILD/loket-import ;; esac
MAPPING=$LK_ROOT/mappings/uren-maand-excel.json
start_sim
W=$SIM_DIR/drop
mkdir -p "$W/inbox"
cfg=$SIM_DIR/config.json
cat >"$cfg" <<JSON
{ "environment": "custom", "apiUrl": "$SIM_URL", "tokenUrl": "$SIM_ROOT/token",
  "clientId": "$(jq -r .auth.clientId "$SIM_FIXTURE")",
  "tokenStore": "$SIM_DIR/tokens.json" }
JSON
LOKET_CLIENT_SECRET=$(jq -r .auth.clientSecret "$SIM_FIXTURE")
export LOKET_CLIENT_SECRET
"$IMPORT" auth set-refresh-token --config "$cfg" <"$SIM_DIR/refresh" >/dev/null ||
    fail "auth set-refresh-token failed"
cat >"$W/loket-watch.json" <<JSON
{ "settle_seconds": 0.2,
  "rules": [ { "match": "uren-*.csv", "mapping": "$MAPPING", "mode": "apply", "period": "2026-11" } ] }
JSON
outcome_of() { jq -r .outcome "$(ls "$W"/reports/"$1".*.watch.json | tail -n 1)"; }

head -n 1 "$LK_ROOT/samples/uren-maand-40101-2026-11.csv" >"$W/inbox/uren-leeg.csv"
timeout 120 "$IMPORT" watch "$W" --once --config "$cfg" 2>"$SIM_DIR/w1.log"
o=$(outcome_of uren-leeg.csv)
[ "$o" != imported ] || { cat "$SIM_DIR/w1.log"; fail "a header-only file was filed as imported"; }
[ ! -f "$W/done/uren-leeg.csv" ] || fail "a header-only file is in done/"
[ -f "$W/failed/uren-leeg.csv" ] || fail "a header-only file should be in failed/"
code=$(jq -r .exit_code "$(ls "$W"/reports/uren-leeg.csv.*.watch.json | tail -n 1)")
[ "$code" = 2 ] || fail "the import of a header-only file exited $code, expected 2"
grep -q "no data rows" "$W"/reports/uren-leeg.csv.*Z.json ||
    fail "the report should say the file has no data rows"
stop_sim
echo "watch_empty: ok"
