#!/bin/sh
# i18n_plan_csv.sh: the language chooses how plan's changes and the CSV report write numbers.
# In Dutch (--lang nl or a Dutch locale) plan's changes read 1.240,00 and 385,25 with periods
# named 2026-11 and dates 01-11-2026, and a .csv report without --csv-style is excel-nl (';',
# decimal comma); in English 1240 / 2026-11-01 and rfc4180. --csv-style still wins.
# sim-modes: both
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/engine_lib.sh"
start_import_sim

# 1001 holds 10=152 and 20=385.25 for November in the fixture; an empty Reiskm removes 20.
cat >"$SIM_DIR/p.csv" <<'EOF'
Klant,Periode,Personeelsnr,Uren,Reiskm
40101,2026-11,1001,166,
40101,2026-11,1003,162,1240
EOF
cat >"$SIM_DIR/p.json" <<'EOF'
{
  "name": "plan-lang",
  "input": { "type": "csv", "delimiter": ",", "decimalSeparator": ".", "thousandsSeparator": "none", "headerRow": 1 },
  "layout": "wide",
  "employee": { "employeeNumber": "Personeelsnr" },
  "employer": { "column": "Klant" },
  "period": { "source": "column", "column": "Periode" },
  "components": [
    { "column": "Uren", "component": 10 },
    { "column": "Reiskm", "component": 20, "blank": "null" }
  ],
  "aggregate": "sum"
}
EOF
O=$SIM_DIR/li.out
want() { grep -qE "$1" "$O" || { cat "$O" "$SIM_DIR/li.err"; fail "$2: output lacks /$1/"; }; }

# ---- Dutch: grouped numbers with a decimal comma, the month as 2026-11, Dutch dates
li plan "$SIM_DIR/p.csv" -m "$SIM_DIR/p.json" --lines 0 --lang nl --report "$SIM_DIR/nl.csv"
[ "$LI_RC" = 0 ] || { cat "$O" "$SIM_DIR/li.err"; fail "plan --lang nl: exit $LI_RC"; }
want ', periode 2026-11 \(01-11-2026 tot en met 30-11-2026\)$' "Dutch plan"
want '^      ~ 10 Uren gewerkt +152,00 -> 166,00$' "Dutch plan"
want '^      - 20 Reiskm +385,25 -> \(verwijderd\)$' "Dutch plan"
want '^      \+ 20 Reiskm +1\.240,00$' "Dutch plan"
grep -q '385\.25\|1240' "$O" && { cat "$O"; fail "Dutch plan still writes English numbers"; }
# the default CSV in Dutch: excel-nl
head -c 3 "$SIM_DIR/nl.csv" | od -An -tx1 | grep -q 'ef bb bf' || fail "Dutch CSV has no BOM"
grep -q ';' "$SIM_DIR/nl.csv" || fail "Dutch default CSV is not ';'-separated"
grep -q '"1240"' "$SIM_DIR/nl.csv" || grep -q '1240' "$SIM_DIR/nl.csv" || fail "Dutch CSV lost 1240"
grep -q '385,25' "$SIM_DIR/nl.csv" || { cat "$SIM_DIR/nl.csv"; fail "Dutch default CSV has no decimal comma"; }
# from the locale, without --lang
LANG=nl_NL.UTF-8 LC_ALL= LANGUAGE= li plan "$SIM_DIR/p.csv" -m "$SIM_DIR/p.json" --lines 0 --report "$SIM_DIR/env.csv"
grep -q '385,25' "$SIM_DIR/env.csv" || fail "LANG=nl_NL.UTF-8: default CSV is not excel-nl"
want '^      \+ 20 Reiskm +1\.240,00$' "LANG=nl_NL.UTF-8 plan"
# --csv-style still wins over the language
li plan "$SIM_DIR/p.csv" -m "$SIM_DIR/p.json" --lang nl --csv-style rfc4180 --report "$SIM_DIR/nl-rfc.csv" -q
grep -q '385\.25' "$SIM_DIR/nl-rfc.csv" && ! grep -q '385,25' "$SIM_DIR/nl-rfc.csv" ||
    fail "--lang nl --csv-style rfc4180 did not write rfc4180"

# ---- English: plain numbers, ISO dates, rfc4180
li plan "$SIM_DIR/p.csv" -m "$SIM_DIR/p.json" --lines 0 --lang en --report "$SIM_DIR/en.csv"
want ', period 2026-11 \(2026-11-01 to 2026-11-30\)$' "English plan"
want '^      - 20 Reiskm +385\.25 -> \(removed\)$' "English plan"
want '^      \+ 20 Reiskm +1240$' "English plan"
grep -q '385\.25' "$SIM_DIR/en.csv" && ! grep -q '385,25' "$SIM_DIR/en.csv" || fail "English default CSV is not rfc4180"
"$IMPORT_BIN" validate "$SIM_DIR/p.csv" -m "$SIM_DIR/p.json" --lang nl --report "$SIM_DIR/v-nl.csv" \
    -q >"$O" 2>"$SIM_DIR/li.err" || { cat "$SIM_DIR/li.err"; fail "validate --lang nl failed"; }
grep -q ';' "$SIM_DIR/v-nl.csv" || fail "validate --lang nl: default CSV is not excel-nl"
[ "$(patch_count)" = 0 ] || fail "plan sent a PATCH"
echo "i18n_plan_csv: ok"
