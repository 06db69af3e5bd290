#!/bin/sh
# completion.sh: the bash completion (completion/loket-import) parses, registers itself for
# loket-import and loket-sim, and completes what a user types: the commands of --help, every
# option of each command's --help, mapping files (*.json) after -m, periods (2026-11, 2026-P12)
# after --period, input files after validate/plan/apply, folders after watch, auth's
# subcommands (auth sim too), --lang's languages, run ids after `runs show` and `revert`, nothing
# after an option whose value cannot be guessed (--employer).
# Driven from bash as readline would: COMP_WORDS, COMP_CWORD, then the completion function.
set -u
. "$(dirname "$0")/lib.sh"

bin=$LK_BUILD
IMPORT=$bin/loket-import
SIM=$bin/loket-sim
COMPLETION=${LOKET_COMPLETION:-$LK_ROOT/completion/loket-import}
[ -x "$IMPORT" ] && [ -x "$SIM" ] || fail "$bin: loket-import or loket-sim not built"
command -v bash >/dev/null || fail "bash not installed"

bash -n "$COMPLETION" || fail "$COMPLETION: bash syntax error"

work=$(mktemp -d "${TMPDIR:-/tmp}/lk-comp-XXXXXX") || fail "mktemp"
trap 'rm -rf "$work"' EXIT
mkdir "$work/sub" "$work/inbox"
touch "$work/uren.json" "$work/lang.JSON" "$work/uren-nov.csv" "$work/uren.xlsx" "$work/notes.md"

# The candidates bash would offer for the words given, the last being the one completed,
# sorted, one per line. PROG is the program word (its --help is what gets parsed).
comp() { # prog word...
    bash -c '
        . "$1"
        shift
        cd "$WORK" || exit 1
        COMP_WORDS=("$@")
        COMP_CWORD=$(( $# - 1 ))
        COMP_LINE="$*"
        COMP_POINT=${#COMP_LINE}
        case ${1##*/} in loket-sim) _loket_sim ;; *) _loket_import ;; esac
        printf "%s\n" "${COMPREPLY[@]}" | sort' comp "$COMPLETION" "$@"
}
export WORK="$work"

expect() { # description expected actual
    [ "$2" = "$3" ] || fail "$1: expected [$(echo $2)], got [$(echo $3)]"
}
includes() { # description needle haystack
    printf '%s\n' "$3" | grep -qx -- "$2" || fail "$1: '$2' not offered (got: $(echo $3))"
}
excludes() { # description needle haystack
    ! printf '%s\n' "$3" | grep -qx -- "$2" || fail "$1: '$2' offered but should not be"
}

# registered for both programs
reg=$(bash -c '. "$1"; complete -p loket-import loket-sim' r "$COMPLETION") || fail "complete -p failed"
printf '%s\n' "$reg" | grep -qx 'complete -F _loket_import loket-import' || fail "loket-import not registered: $reg"
printf '%s\n' "$reg" | grep -qx 'complete -F _loket_sim loket-sim' || fail "loket-sim not registered: $reg"

# commands: every one 'loket-import --help' lists, and --help/--version
commands=$(LC_ALL=C "$IMPORT" --help | awk '/^Commands:/ { on = 1; next } on && /^$/ { on = 0 }
                                           on && /^  [a-z]/ { print $1 }')
[ "$(printf '%s\n' "$commands" | wc -l)" -ge 9 ] || fail "commands not read from --help"
got=$(comp "$IMPORT" "")
expect "commands" "$(printf '%s\n' $commands --help --version --lang | sort)" "$got"
expect "'va' completes to validate" "validate" "$(comp "$IMPORT" va)"
expect "'emp' offers both look-ups" "$(printf 'employers\nemployments')" "$(comp "$IMPORT" emp)"

# options: every option of every command's --help, after a '-'
n=0
for c in $commands; do
    got=$(comp "$IMPORT" "$c" -)
    for o in $(LC_ALL=C "$IMPORT" "$c" --help | grep -oE '(^|[^A-Za-z0-9_-])--?[A-Za-z][A-Za-z0-9-]*' | sed -E 's/^[^-]+//' | sort -u); do
        includes "loket-import $c -<TAB>" "$o" "$got"
        n=$((n + 1))
    done
done
[ "$n" -ge 60 ] || fail "only $n options checked"
expect "--allow-p<TAB>" "--allow-partial" "$(comp "$IMPORT" apply x.csv --allow-p)"
expect "--all<TAB>" "$(printf '%s\n' --allow-empty --allow-partial)" "$(comp "$IMPORT" apply x.csv --all)"

# mapping files after -m / --mapping / --mapping=
json=$(printf 'inbox\nlang.JSON\nsub\nuren.json')
for w in "-m" "--mapping"; do
    expect "validate $w <TAB>" "$json" "$(comp "$IMPORT" validate uren-nov.csv "$w" "" | sed 's|$||')"
done
got=$(comp "$IMPORT" plan uren-nov.csv --mapping = "")
excludes "--mapping=<TAB>" "uren-nov.csv" "$got"
includes "--mapping=<TAB>" "uren.json" "$got"
expect "--config <TAB>" "$json" "$(comp "$IMPORT" employers --config "")"

# periods
y=$(date +%Y)
expect "--period <TAB>" "$(printf '%s-\n%s-\n%s-' $((y - 1)) "$y" $((y + 1)))" "$(comp "$IMPORT" plan x.csv --period "")"
got=$(comp "$IMPORT" plan x.csv -p 2026-)
expect "--period 2026-<TAB>: 12 months, 2026-P and 2026-W" 14 "$(printf '%s\n' "$got" | wc -l)"
includes "--period 2026-<TAB>" 2026-11 "$got"
includes "--period 2026-<TAB>" 2026-P "$got"
expect "--period 2026-1<TAB>" "$(printf '2026-10\n2026-11\n2026-12')" "$(comp "$IMPORT" validate x.csv --period 2026-1)"
got=$(comp "$IMPORT" apply x.csv --period 2026-P)
expect "--period 2026-P<TAB>: periods 1 to 53" 53 "$(printf '%s\n' "$got" | wc -l)"
includes "--period 2026-P<TAB>" 2026-P12 "$got"
includes "--period 2026-P<TAB>" 2026-P53 "$got"
got=$(comp "$IMPORT" plan x.csv --period 2026-W)
expect "--period 2026-W<TAB>: weeks 1 to 53" 53 "$(printf '%s\n' "$got" | wc -l)"
includes "--period 2026-W<TAB>" 2026-W47 "$got"
expect "--period 2026-p1<TAB>" "$(printf '2026-P10\n2026-P11\n2026-P12\n2026-P13\n2026-P14\n2026-P15\n2026-P16\n2026-P17\n2026-P18\n2026-P19')" \
    "$(comp "$IMPORT" apply x.csv --period 2026-p1 | tr -d ' ')"
expect "--period=2026-P5<TAB>" "$(printf '2026-P50\n2026-P51\n2026-P52\n2026-P53')" "$(comp "$IMPORT" plan x.csv --period = 2026-P5)"
expect "--period 2026-13 is no period" "" "$(comp "$IMPORT" plan x.csv --period 2026-13)"

# input files after validate/plan/apply; folders after watch
expect "validate <TAB>" "$(printf 'inbox\nsub\nuren-nov.csv\nuren.xlsx')" "$(comp "$IMPORT" validate "")"
expect "apply -m uren.json <TAB>" "$(printf 'inbox\nsub\nuren-nov.csv\nuren.xlsx')" "$(comp "$IMPORT" apply -m uren.json "")"
expect "watch <TAB>" "$(printf 'inbox\nsub')" "$(comp "$IMPORT" watch "")"
expect "--report <TAB>: any file" 7 "$(comp "$IMPORT" plan x.csv --report "" | wc -l)"

# auth's subcommands, once
expect "auth <TAB>" "$(printf 'code\nrefresh\nset-refresh-token\nsim\nstatus')" "$(comp "$IMPORT" auth "")"
expect "auth status <TAB>" "" "$(comp "$IMPORT" auth status "")"

# --lang: its two languages, before or after the command, never files
expect "--lang <TAB>" "$(printf 'en\nnl')" "$(comp "$IMPORT" --lang "")"
expect "validate --lang <TAB>" "$(printf 'en\nnl')" "$(comp "$IMPORT" validate --lang "")"
expect "plan --lang=n<TAB>" "nl" "$(comp "$IMPORT" plan --lang=n)"
includes "plan --la<TAB>" "--lang" "$(comp "$IMPORT" plan --la)"
expect "--lang nl validate <TAB>" "$(printf 'inbox\nsub\nuren-nov.csv\nuren.xlsx')" "$(comp "$IMPORT" --lang nl validate "")"
expect "runs <TAB>" "show" "$(comp "$IMPORT" runs "")"

# values that cannot be guessed: nothing, not files
expect "--employer <TAB>" "" "$(comp "$IMPORT" plan x.csv --employer "")"
expect "--concurrency <TAB>" "" "$(comp "$IMPORT" employers --concurrency "")"
expect "employments --admin <TAB>" "" "$(comp "$IMPORT" employments -a "")"

# loket-sim: its options, a fixture after --fixture, nothing after --port
got=$(comp "$SIM" -)
for o in $("$SIM" --help | grep -oE '(^|[^A-Za-z0-9_-])--?[A-Za-z][A-Za-z0-9-]*' | sed -E 's/^[^-]+//' | sort -u); do
    includes "loket-sim -<TAB>" "$o" "$got"
done
expect "loket-sim --fixture <TAB>" "$json" "$(comp "$SIM" --fixture "")"
expect "loket-sim -p <TAB>" "" "$(comp "$SIM" -p "")"

# run ids after 'runs show' and 'revert', from the runs of the configuration on the line
. "$(dirname "$0")/engine_lib.sh"
start_import_sim
li apply "$(sample uren-maand-40101-2026-11.csv)" -m "$(mapping uren-maand-excel.json)" --period 2026-11 -q
[ "$LI_RC" = 0 ] || { cat "$SIM_DIR/li.err"; fail "apply for a run: exit $LI_RC"; }
run=$("$IMPORT" runs --json --config "$SIM_DIR/config.json" | jq -r '.[0].id // .[0].run // empty')
[ -n "$run" ] || run=$(LC_ALL=C "$IMPORT" runs --config "$SIM_DIR/config.json" | awk 'NR == 2 { print $1 }')
[ -n "$run" ] || fail "no run listed after an apply"
expect "runs show <TAB>" "$run" "$(comp "$IMPORT" runs show --config "$SIM_DIR/config.json" "")"
expect "revert <TAB>" "$run" "$(comp "$IMPORT" revert --config "$SIM_DIR/config.json" "")"
expect "revert --config=F <TAB>" "$run" "$(comp "$IMPORT" revert "--config=$SIM_DIR/config.json" "")"
expect "revert RUN <TAB>" "" "$(comp "$IMPORT" revert --config "$SIM_DIR/config.json" "$run" "")"
expect "runs show <TAB> without runs" "" "$(comp "$IMPORT" runs show "")"

echo "ok: commands, $n options, mapping files, periods, input files, folders, --lang, run ids, loket-sim"
