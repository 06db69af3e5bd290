#!/bin/sh
# i18n_catalog.sh: the Dutch catalog is complete. xgettext collects every translatable text of
# src/ into a template; every one of them must be in the catalog (po/nl.po joined with its
# fragments po/nl.d/*.po by scripts/po-join.sh, as the build does), translated and not fuzzy,
# and the catalog must compile with msgfmt --check (the format conversions of each translation match
# its English text). A catalog with a text left out is shown to fail the same check.
set -u
. "$(dirname "$0")/lib.sh"
command -v xgettext >/dev/null && command -v msgcmp >/dev/null ||
    fail "gettext tools not installed (Debian gettext; scripts/deps.sh installs it)"
T=$(mktemp -d "${TMPDIR:-/tmp}/lk-i18n-XXXXXX") || fail "mktemp"
trap 'rm -rf "$T"' EXIT
cd "$LK_ROOT" || fail "cd $LK_ROOT"

# the same xgettext call as `make pot` (mk/i18n.mk)
pot() { # output
    xgettext --language=C --from-code=UTF-8 --keyword=_ --keyword=N_ --keyword=ngettext:1,2 \
        --add-comments=TRANSLATORS: --add-location=file --package-name=loket-import \
        --output="$1" $(find src -name '*.[ch]' | sort) 2>"$T/xgettext.err" ||
        { cat "$T/xgettext.err" >&2; fail "xgettext failed"; }
}

# complete: every msgid of the template translated (msgcmp counts untranslated and fuzzy
# entries as missing), and nothing fuzzy or untranslated left in the catalog either
complete() { # po pot
    msgcmp --no-fuzzy-matching "$1" "$2" 2>"$T/msgcmp.err" || return 1
    stats=$(msgfmt --check --statistics --output-file=/dev/null "$1" 2>&1) || { echo "$stats"; return 1; }
    case $stats in *fuzzy*|*untranslated*) echo "$stats"; return 1 ;; esac
}

pot "$T/loket-import.pot"
n=$(grep -c '^msgid ' "$T/loket-import.pot")
[ "$n" -gt 1 ] || fail "the template holds no texts"
sh scripts/po-join.sh nl "$T/nl.po" || fail "po/nl.po and po/nl.d/*.po do not join"
if ! complete "$T/nl.po" "$T/loket-import.pot"; then
    cat "$T/msgcmp.err" >&2
    fail "the Dutch catalog lacks translations: run 'make pot', translate the missing texts in po/nl.d/AREA.po"
fi

# the check can fail: the catalog without its last entry, and with one entry made fuzzy
awk 'BEGIN { RS = ""; ORS = "\n\n" } { e[NR] = $0 } END { for (i = 1; i < NR; i++) print e[i] }' \
    "$T/nl.po" >"$T/short.po"
complete "$T/short.po" "$T/loket-import.pot" >/dev/null 2>&1 && fail "a catalog missing a text passed"
awk 'BEGIN { RS = ""; ORS = "\n\n" }
     !done && NR > 1 && $0 !~ /#,/ { sub(/msgid "/, "#, fuzzy\nmsgid \""); done = 1 } { print }' \
    "$T/nl.po" >"$T/fuzzy.po"
complete "$T/fuzzy.po" "$T/loket-import.pot" >/dev/null 2>&1 && fail "a catalog with a fuzzy text passed"
echo "i18n_catalog: ok ($((n - 1)) texts translated)"
