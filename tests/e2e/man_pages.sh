#!/bin/sh
# man_pages.sh: the man pages in man/ say what the programs do. Every command of
# 'loket-import --help' has its section in loket-import(1); every option a command's --help
# lists is in that section (a connection option may stand in CONNECTION OPTIONS instead); every
# exit code is under EXIT STATUS, every environment variable it reads under ENVIRONMENT; every
# option of 'loket-sim --help' is in loket-sim(1); every key the mapping loader accepts
# (src/mapping/mapping.c) is in loket-import-mapping(5); each page carries the program's
# version and renders without a groff warning.
# Everything missing is listed, one line each, before the script fails.
set -u
. "$(dirname "$0")/lib.sh"

bin=$LK_BUILD
IMPORT=$bin/loket-import
SIM=$bin/loket-sim
MAN=$LK_ROOT/man
[ -x "$IMPORT" ] && [ -x "$SIM" ] || fail "$bin: loket-import or loket-sim not built"
command -v man >/dev/null || fail "man not installed (man-db; scripts/deps.sh installs it)"
export LC_ALL=C.UTF-8

missing=0
miss() { echo "MISSING: $*" >&2; missing=$((missing + 1)); }

# The roff lines of section SH (and, when given, its subsection SS) of a page.
section() { # page SH [SS]
    awk -v sh="$2" -v ss="${3:-}" '
        /^\.SH / { s = substr($0, 5); gsub(/"/, "", s); cur = s; sub_ = ""; next }
        /^\.SS / { s = substr($0, 5); gsub(/"/, "", s); sub_ = s; next }
        cur == sh && (ss == "" || sub_ == ss) { print }' "$1"
}

# The options (-x, --name) a --help text mentions, one per line, each once.
options_of() {
    grep -oE '(^|[^A-Za-z0-9_-])--?[A-Za-z][A-Za-z0-9-]*' | sed -E 's/^[^-]+//' | sort -u
}

# True when roff text on stdin writes option $1 with escaped hyphens (\-\-name, \-x), as a
# whole word: \-\-allow is not found in \-\-allow\-partial, nor \-m in \-\-mapping.
has_option() { # option
    re=$(printf '%s' "$1" | sed 's/-/\\\\-/g')
    grep -qE "(^|[^-])$re([^A-Za-z0-9\\\\]|\\\\[^-]|\$)"
}

# --- loket-import(1) --------------------------------------------------------------------------
page=$MAN/loket-import.1
[ -f "$page" ] || fail "$page missing"
top=$(LC_ALL=C "$IMPORT" --help) || fail "loket-import --help failed"
commands=$(printf '%s\n' "$top" | awk '/^Commands:/ { on = 1; next } on && /^$/ { on = 0 }
                                       on && /^  [a-z]/ { print $1 }')
[ -n "$commands" ] || fail "no commands found in 'loket-import --help'"
conn=$(section "$page" "CONNECTION OPTIONS")
[ -n "$conn" ] || miss "loket-import(1): no CONNECTION OPTIONS section"
ncmd=0 nopt=0
for c in $commands; do
    ncmd=$((ncmd + 1))
    text=$(section "$page" COMMANDS "$c")
    if [ -z "$text" ]; then
        miss "loket-import(1): command '$c' has no section (.SS $c under COMMANDS)"
        continue
    fi
    help=$(LC_ALL=C "$IMPORT" "$c" --help) || { miss "loket-import $c --help failed"; continue; }
    for o in $(printf '%s\n' "$help" | options_of); do
        nopt=$((nopt + 1))
        printf '%s\n' "$text" | has_option "$o" && continue
        printf '%s\n' "$conn" | has_option "$o" && continue
        miss "loket-import(1): '$c' option $o (in 'loket-import $c --help') is in neither .SS $c nor CONNECTION OPTIONS"
    done
done
for o in --help --version; do
    section "$page" SYNOPSIS | has_option "$o" || miss "loket-import(1): $o not in SYNOPSIS"
done
status=$(section "$page" "EXIT STATUS")
for code in $(printf '%s\n' "$top" | awk '/^Exit codes:/ { on = 1; next } on && /^  [0-9]/ { print $1 }'); do
    printf '%s\n' "$status" | grep -qx "\.B $code" || miss "loket-import(1): exit code $code not under EXIT STATUS"
done
# the environment variables the program reads by name; HOME is everyone's, and the two test
# hooks (docs/import.md, tests/e2e/watch/) are not for users
env=$(section "$page" ENVIRONMENT)
for v in $(grep -rhoE 'getenv\("[A-Za-z_][A-Za-z0-9_]*"\)' "$LK_ROOT/src" --include='*.c' --exclude-dir=sim |
           sed 's/getenv("\(.*\)")/\1/' | sort -u); do
    case $v in HOME | LOKET_IMPORT_SKIP_PRECHECKS | LOKET_WATCH_IMPORTER) continue ;; esac
    printf '%s\n' "$env" | grep -qx "\.B $v" || miss "loket-import(1): environment variable $v (getenv in src/) not under ENVIRONMENT"
done
for s in NAME SYNOPSIS DESCRIPTION ENVIRONMENT FILES EXAMPLES "SEE ALSO"; do
    [ -n "$(section "$page" "$s")" ] || miss "loket-import(1): no $s section"
done
[ "$ncmd" -ge 9 ] && [ "$nopt" -ge 60 ] || fail "only $ncmd commands and $nopt options read from --help: is its layout still the one this script reads?"

# --- loket-sim(1) -----------------------------------------------------------------------------
spage=$MAN/loket-sim.1
[ -f "$spage" ] || fail "$spage missing"
sopts=$(section "$spage" OPTIONS)
nsim=0
for o in $("$SIM" --help 2>&1 | options_of); do
    nsim=$((nsim + 1))
    printf '%s\n' "$sopts" | has_option "$o" || miss "loket-sim(1): option $o (in 'loket-sim --help') not under OPTIONS"
done
[ "$nsim" -ge 15 ] || fail "only $nsim options read from 'loket-sim --help'"

# --- loket-import-mapping(5) ------------------------------------------------------------------
mpage=$MAN/loket-import-mapping.5
[ -f "$mpage" ] || fail "$mpage missing"
# the key lists of the loader: static const char *const keys[] = { "a", "b", ..., NULL };
keys=$(awk '/static const char \*const [a-z_]*keys\[\] = \{/ { on = 1 } on { print } /NULL \};/ { on = 0 }' \
           "$LK_ROOT/src/mapping/mapping.c" | grep -oE '"[A-Za-z$]+"' | tr -d '"' | sort -u)
nkeys=0
for k in $keys; do
    nkeys=$((nkeys + 1))
    # written bold: \fBkey\fR, or ".B key" on a line of its own
    grep -qE "(\\\\fB$k\\\\f[RPI]|^\\.B $k\$)" "$mpage" || miss "loket-import-mapping(5): mapping key '$k' (src/mapping/mapping.c) not written in bold anywhere"
done
[ "$nkeys" -ge 40 ] || fail "only $nkeys mapping keys read from src/mapping/mapping.c"

# --- every page: version, rendering -----------------------------------------------------------
version=$("$IMPORT" --version | awk '{ print $2 }')
for p in "$page" "$spage" "$mpage"; do
    grep -q "^\.TH .*\"loket-import $version\"" "$p" || miss "${p##*/}: .TH does not name loket-import $version (--version)"
    warnings=$(MANWIDTH=80 man --warnings -E UTF-8 -l "$p" 2>&1 >/dev/null)
    [ -z "$warnings" ] || miss "${p##*/}: groff warns: $warnings"
    # an unescaped '-' before a letter renders as a hyphen, which cannot be pasted as an option
    grep -nE '(^|[[ (])--?[a-z]' "$p" | grep -v '^[0-9]*:\.\\"' | head -n 3 | while read -r l; do
        echo "MISSING: ${p##*/}: unescaped option hyphen: $l" >&2; done
    [ -z "$(grep -nE '(^|[[ (])--?[a-z]' "$p" | grep -v '^[0-9]*:\.\\"')" ] || missing=$((missing + 1))
done

[ "$missing" -eq 0 ] || fail "$missing gaps between the man pages and the programs (listed above)"
echo "ok: $ncmd commands, $nopt options, $nsim loket-sim options, $nkeys mapping keys documented"
