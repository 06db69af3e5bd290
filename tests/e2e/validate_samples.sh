#!/bin/sh
# validate --json on every sample in samples/ with its mapping: exact totals per component,
# rows, employees, skipped rows and errors. The sample with deliberate mistakes must report each.
set -u
BUILD=${LOKET_BUILD:-build}
BIN="$BUILD/loket-import"
S=samples
M=mappings
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

# run NAME EXPECTED-EXIT FILE MAPPING [ARGS...]: validate --json into $tmp/NAME.json
run() {
    name=$1 want=$2 file=$3 mapping=$4
    shift 4
    timeout 60 "$BIN" validate "$file" -m "$mapping" --json "$@" >"$tmp/$name.json" 2>"$tmp/$name.err"
    st=$?
    if [ "$st" -ne "$want" ]; then
        echo "FAIL $name: exit $st, expected $want"; head -c 3000 "$tmp/$name.json"
        cat "$tmp/$name.err"; fails=$((fails + 1)); return 1
    fi
    return 0
}

# check NAME DESCRIPTION JQ-EXPRESSION (must be true)
check() {
    if jq -e "$3" "$tmp/$1.json" >/dev/null; then
        echo "ok   $1: $2"
    else
        echo "FAIL $1: $2"; fails=$((fails + 1))
    fi
}

# totals NAME 'component=total ...': summary totals exactly, no other components
totals() {
    name=$1
    expr='[.summary.components[] | "\(.component)=\(.total)"] | join(" ")'
    got=$(jq -r "$expr" "$tmp/$name.json")
    if [ "$got" = "$2" ]; then echo "ok   $name: totals $got"; else
        echo "FAIL $name: totals '$got', expected '$2'"; fails=$((fails + 1)); fi
}

# (a) wide monthly export from Dutch Excel: ';', decimal commas, Windows-1252, a totals row
if run maand 0 $S/uren-maand-40101-2026-11.csv $M/uren-maand-excel.json --period 2026-11; then
    totals maand "10=3926.5 11=43.75 12=12.5 13=32 14=148 20=8360 31=37.5"
    check maand "file detected" '.files[0] | .type == "csv" and .delimiter == ";" and
        (.encoding | test("1252")) and .decimalSeparator == "," and .rowsRead == 26 and
        .rowsUsed == 25 and .rowsSkipped == 1 and .employees == 24'
    check maand "totals row skipped" '.skipped | length == 1 and .[0].row == 27 and
        (.[0].message | contains("totals row"))'
    check maand "no errors" '.errors == [] and .summary.employees == 24 and .summary.employments == 25'
    check maand "1007's two employments apart" '[.entries[] | select(.employeeNumber == 1007 and
        .component == 10) | "\(.payrollId)=\(.value)"] == ["1=162", "2=42.5"]'
    check maand "thousands separator in 1.240 km" '.entries[] | select(.employeeNumber == 1015 and
        .component == 20) | .value == 1240'
    check maand "period from --period, employer fixed" 'all(.entries[]; .period == "2026-11" and
        .date == null and .employer == "40101")'
    check maand "rows point at the input" '.entries[0].rows == [{"file":
        "samples/uren-maand-40101-2026-11.csv", "sheet": null, "row": 2}]'
    check maand "no employee left the fixture: 1019 absent" '[.entries[] | select(.employeeNumber == 1019)] == []'
fi

# (b) long export (ImporteerGegevens style), 4-weekly administration, period column
if run lang 0 $S/variabele-gegevens-40102-2026-P12.csv $M/variabele-gegevens-lang.json; then
    totals lang "10=2216 11=96 14=24 20=3060 21=91.2 22=125.25 30=250 40=-12.5"
    check lang "decimal point detected despite ';'" '.files[0].decimalSeparator == "."'
    check lang "correction row summed into 1101's hours" '.entries[] | select(.employeeNumber == 1101
        and .component == 10) | .value == 144 and (.rows | map(.row)) == [2, 48]'
    check lang "period per row" 'all(.entries[]; .period == "2026-P12" and .employer == "40102")'
    check lang "supplements" '[.entries[] | select(.isSupplement) | .component] | unique == [21, 22]'
    check lang "no component 31 (not allowed in 4-weekly)" '[.entries[] | select(.component == 31)] == []'
fi

# (d) several employers, cost centers by code
if run werkgevers 0 $S/uren-meerdere-werkgevers-2026-11.csv $M/meerdere-werkgevers.json; then
    totals werkgevers "10=935.75 11=12.25 20=785"
    check werkgevers "per employer" '([.entries[] | select(.employer == "40101" and .component == 10)
        | .value] | add) == 785.25 and ([.entries[] | select(.employer == "40201" and
        .component == 10) | .value] | add) == 150.5'
    check werkgevers "one employee, two cost centers, two entries" '[.entries[] |
        select(.employeeNumber == 1001 and .component == 10) | "\(.recordKey.costCenter.code)=\(.value)"]
        == ["PROD=120.5", "VERK=40"]'
    check werkgevers "repeated row summed" '.entries[] | select(.employeeNumber == 2004 and
        .component == 10) | .value == 40.5'
    check werkgevers "cost center codes" '[.entries[].recordKey.costCenter.code] | unique == ["ADM", "PROD", "VERK"]'
fi

# (e) Loket's template family: component numbers in row 5
for v in "" -verdeling -kostenplaats; do
    n=template$v
    if run $n 0 $S/loket-template$v-40101-2026-11.csv $M/loket-template$v.json --period 2026-11; then
        totals $n "10=1600 11=10 13=8 21=230.4"
        check $n "rows, employees, names from row 4" '.files[0].rowsRead == 12 and
            .summary.employees == 11 and .summary.employments == 12 and
            ([.files[0].components[].name] == ["Uren gewerkt", "Overuren 125%", "Ziekte-uren",
            "Reiskostenverg"]) and .files[0].ignoredColumns == []'
        check $n "1024 (starts 16 November) and 1007's second employment" '([.entries[] |
            select(.employeeNumber == 1024 and .component == 10) | .value] == [88]) and
            ([.entries[] | select(.employeeNumber == 1007 and .payrollId == 2) | .value] == [32])'
    fi
done
check template-verdeling "distribution unit codes" '[.entries[].recordKey.distributionUnit.code] |
    unique == ["1", "2"]'
check template-kostenplaats "cost center and cost unit codes" '([.entries[].recordKey.costCenter.code]
    | unique == ["ADM", "PROD", "VERK"]) and ([.entries[].recordKey.costUnit.code] | unique ==
    ["01", "02"])'

# the sample with deliberate mistakes: every mistake found, the good rows kept
if run fouten 2 $S/fouten-40101-2026-11.csv $M/fouten-voorbeeld.json --period 2026-11; then
    check fouten "each error at its row and column" '[.errors[] | "\(.row)\(.column)"] ==
        ["5E", "7E", "7F", "8A", "9D", "10D", "11G", "12E", "13E"]'
    check fouten "ignored column 1O listed with its value" '.files[0].ignoredColumns ==
        [{"column": "G", "header": "1O", "values": 1}]'
    check fouten "totals of the good rows" '[.summary.components[] | "\(.component)=\(.total)"] ==
        ["10=16", "11=1.5"]'
    check fouten "every row accounted for" '.files[0] | .rowsRead == .rowsUsed + .rowsSkipped +
        .rowsWithErrors'
    check fouten "dates kept per row" '[.entries[].date] | unique == ["2026-11-02", "2026-11-03"]'
fi

# (c) daily XLSX time entries, bucketed later by date
X=$S/uren-dagelijks-40201-2026-11.xlsx
if run xlsx 0 $X $M/uren-dagelijks-xlsx.json --period 2026-11; then
    totals xlsx "10=3318 11=78.75 20=12180"
    check xlsx "sheet by name, rows, employees" '.files[0] | .type == "xlsx" and .sheet ==
        "Urenregistratie" and .rowsRead == 440 and .employees == 20'
    check xlsx "dates, no period" 'all(.entries[]; .period == null and (.date | startswith("2026-11-")))'
    check xlsx "two entries on one day add up" '.entries[] | select(.employeeNumber == 2001 and
        .component == 10 and .date == "2026-11-04") | .value == 8 and (.rows | length) == 2'
fi

# --report writes the shared report through src/report (one record per employment and period)
for ext in json csv xlsx; do
    "$BIN" validate $S/uren-maand-40101-2026-11.csv -m $M/uren-maand-excel.json --period 2026-11 \
        --quiet --report "$tmp/report.$ext" >/dev/null 2>&1
    if [ $? -ne 0 ] || [ ! -s "$tmp/report.$ext" ]; then
        echo "FAIL report.$ext not written"; fails=$((fails + 1))
    else
        echo "ok   report.$ext written"
    fi
done
check_report() { jq -e "$1" "$tmp/report.json" >/dev/null && echo "ok   report: $2" ||
    { echo "FAIL report: $2"; fails=$((fails + 1)); }; }
check_report '.records | length == 25' "25 records (24 employees, 1007 twice)"

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "validate_samples: all ok"
