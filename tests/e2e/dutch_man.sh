#!/bin/sh
# dutch_man.sh: loket-import(1) and loket-import-mapping(5) in Dutch. man/po/nl.po (po4a) must
# translate every paragraph of the current English pages, none fuzzy (a catalog with a paragraph
# changed in the page is shown to fail the check); po4a-translate makes the Dutch pages, which
# render without a groff warning, start with the Dutch sections (NAAM, OVERZICHT, BESCHRIJVING),
# keep the version and every option name of the English page, and are put under
# share/man/nl/man1 and man5 by `make install` (the Debian package installs through it).
set -u
. "$(dirname "$0")/lib.sh"
command -v po4a-translate >/dev/null && command -v po4a-updatepo >/dev/null ||
    fail "po4a not installed (Debian po4a; scripts/deps.sh installs it)"
command -v man >/dev/null || fail "man not installed (man-db)"
T=$(mktemp -d "${TMPDIR:-/tmp}/lk-man-XXXXXX") || fail "mktemp"
trap 'rm -rf "$T"' EXIT
cd "$LK_ROOT" || fail "cd $LK_ROOT"
export LC_ALL=C.UTF-8
PAGES="loket-import.1 loket-import-mapping.5"

# complete: po4a-updatepo of a copy against the pages adds nothing untranslated or fuzzy
complete() { # po master...
    po=$1
    shift
    set -- $(for m in "$@"; do printf -- '--master %s ' "$m"; done)
    po4a-updatepo --format man --master-charset UTF-8 "$@" --po "$po" >"$T/updatepo.log" 2>&1 ||
        { cat "$T/updatepo.log"; return 1; }
    stats=$(msgfmt --check --statistics -o /dev/null "$po" 2>&1) || { echo "$stats"; return 1; }
    case $stats in *fuzzy*|*untranslated*) echo "$stats"; return 1 ;; esac
}
cp man/po/nl.po "$T/nl.po"
complete "$T/nl.po" man/loket-import.1 man/loket-import-mapping.5 ||
    fail "man/po/nl.po does not translate every paragraph of the pages: run 'make man-po' and translate"
# the check can fail: a page with a paragraph the catalog does not have
cp man/po/nl.po "$T/short.po"
sed 's/^\.SH EXIT STATUS$/.PP\nA paragraph no catalog has seen.\n.SH EXIT STATUS/' man/loket-import.1 >"$T/changed.1"
complete "$T/short.po" "$T/changed.1" man/loket-import-mapping.5 >/dev/null 2>&1 &&
    fail "a page with a new paragraph passed the completeness check"

# the Dutch pages: made by make, rendered, Dutch, with the version and every option
make -s BUILD="$T/build" man-nl >"$T/make.log" 2>&1 || { cat "$T/make.log"; fail "make man-nl"; }
for p in $PAGES; do
    [ -s "$T/build/man/nl/$p" ] || fail "make man-nl did not make $p"
    MANWIDTH=100 man --warnings -l "$T/build/man/nl/$p" >"$T/$p.txt" 2>"$T/$p.err" || fail "$p: man failed"
    [ -s "$T/$p.err" ] && { cat "$T/$p.err"; fail "$p: groff warnings"; }
    for s in NAAM OVERZICHT BESCHRIJVING 'ZIE OOK'; do
        grep -q "^$s" "$T/$p.txt" || fail "$p: no section $s"
    done
    if grep -qE '^(NAME|SYNOPSIS|DESCRIPTION)$' "$T/$p.txt"; then fail "$p: an English section heading"; fi
    grep -q 'loket-import 0\.1\.0' "$T/$p.txt" || fail "$p: the version is missing"
    for o in $(grep -v '^\.\\"' "man/$p" | grep -oE '\\-\\-[a-z][a-z-]+' | sed 's/\\//g' | sort -u); do
        grep -qe "$o" "$T/$p.txt" || fail "$p: the Dutch page lacks $o"
    done
done
flat() { tr -s ' \n' '  ' <"$1"; }
flat "$T/loket-import.1.txt" | grep -q 'tijdregistratiegegevens uit CSV- en Excelbestanden in Loket.nl inlezen' ||
    fail "loket-import(1): NAAM is not Dutch"
grep -q 'AFSLUITSTATUS' "$T/loket-import.1.txt" || fail "loket-import(1): no AFSLUITSTATUS"
flat "$T/loket-import-mapping.5.txt" |
    grep -q 'hoe de regels van een export variabele gegevens per verloningsperiode worden' || fail "loket-import-mapping(5): NAAM is not Dutch"

# make install puts them under share/man/nl
make -s BUILD="$T/build" PREFIX="$T/inst" MANIFEST=no install >"$T/install.log" 2>&1 ||
    { cat "$T/install.log"; fail "make install"; }
[ -f "$T/inst/share/man/nl/man1/loket-import.1" ] || fail "make install: no share/man/nl/man1/loket-import.1"
[ -f "$T/inst/share/man/nl/man5/loket-import-mapping.5" ] || fail "make install: no share/man/nl/man5/loket-import-mapping.5"
cmp -s "$T/inst/share/man/nl/man1/loket-import.1" "$T/build/man/nl/loket-import.1" ||
    fail "the installed Dutch page is not the one made"
echo "dutch_man: ok"
