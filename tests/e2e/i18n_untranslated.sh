#!/bin/sh
# i18n_untranslated.sh: text printed to a person goes through gettext. tests/i18n/untranslated.py
# finds string literals with words given to printf, fprintf, fputs, puts, lk_errorf, lk_warn,
# lk_die, lk_error_set or any printf-like helper of the sources without _(); first it is shown
# to catch such a literal (and to let wrapped, marked and word-less ones pass), then src/ must
# hold none.
set -u
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || fail "python3 not installed"
CHECK=$LK_ROOT/tests/i18n/untranslated.py
T=$(mktemp -d "${TMPDIR:-/tmp}/lk-untr-XXXXXX") || fail "mktemp"
trap 'rm -rf "$T"' EXIT

mkdir -p "$T/bad" "$T/good"
cat >"$T/bad/a.c" <<'EOF2'
__attribute__((format(printf, 2, 3)))
static void row_fail(struct ctx *c, const char *fmt, ...);
void f(lk_error *err, FILE *out, int n)
{
    fprintf(out, "%d records sent\n", n);
    lk_error_set(err, LK_ERR_INPUT, "the file is "
                 "empty");
    row_fail(c, "no employee number in row %d", n);
}
EOF2
cat >"$T/good/a.c" <<'EOF2'
__attribute__((format(printf, 2, 3)))
static void row_fail(struct ctx *c, const char *fmt, ...);
void f(lk_error *err, FILE *out, int n)
{
    fprintf(out, _("%d records sent\n"), n);
    fprintf(out, "%s: %d\n", name, n);
    lk_error_set(err, LK_ERR_INPUT, _("the file is empty"));
    row_fail(c, ngettext("%d row", "%d rows", n), n);
    printf("{\"records\": %d}\n", n); /* not translated: JSON */
    fputs(N_("usage"), out);
}
EOF2
python3 "$CHECK" "$T/bad" >"$T/bad.out" 2>&1 && fail "the checker passed untranslated text"
[ "$(grep -c '^.*/a.c:[0-9]*: ' "$T/bad.out")" = 3 ] || { cat "$T/bad.out"; fail "the checker should find 3 texts"; }
grep -q 'a.c:6: the file is empty' "$T/bad.out" || { cat "$T/bad.out"; fail "a text split over lines"; }
grep -q 'a.c:8: no employee number' "$T/bad.out" || fail "a printf-like helper of the sources"
python3 "$CHECK" "$T/good" >"$T/good.out" 2>&1 || { cat "$T/good.out"; fail "the checker flagged translated or machine text"; }

# the sources
python3 "$CHECK" "$LK_ROOT/src" >"$T/src.out" 2>&1 || { cat "$T/src.out"; fail "untranslated text in src/"; }
echo "i18n_untranslated: ok"
