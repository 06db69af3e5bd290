#!/bin/sh
# Builds the Debian package and tries it out (`make package-check`; tests/e2e/package.sh runs it
# in the test suite):
#   1. copies the tree's files (as git lists them: committed or not, never a build folder) to a
#      scratch folder and runs `dpkg-buildpackage -us -uc -b` there (parallel=2, no tests), so
#      the tree itself is never touched;
#   2. lintian: any error fails; so does a warning that debian/README.source does not explain;
#   3. unpacks the .deb into a scratch root (dpkg-deb -x) and, from there, runs
#      loket-import --version (which must be the package's version), loket-sim --help,
#      `man -l` on every man page (no groff warning), and the bash completion's syntax check
#      and registration; checks that the units run the packaged program;
#   4. installs it into a scratch dpkg root, installs it again (the upgrade path) and purges
#      it: nothing may be left behind.
# KEEP=1 keeps the scratch folder (printed) for a look at the package.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/lk-package-XXXXXX")
[ "${KEEP:-0}" = 1 ] && echo "package-check: scratch folder $work" || trap 'rm -rf "$work"' EXIT

die() { echo "package-check: FAIL: $*" >&2; exit 1; }
step() { echo "package-check: $*"; }

for t in dpkg-buildpackage dh lintian man bash; do
    command -v "$t" >/dev/null || die "$t not installed (make deps / scripts/deps.sh installs it)"
done
version=$(dpkg-parsechangelog -l "$root/debian/changelog" -S Version)
src=$work/loket-import-$version
mkdir "$src"

# ---- 1. build ---------------------------------------------------------------------------------
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    # tracked and new files, without what .gitignore leaves out; a deleted file is skipped
    (cd "$root" && git ls-files -z --cached --others --exclude-standard |
        tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -xf - -C "$src"
else
    (cd "$root" && tar --exclude='./build*' --exclude=./.git -cf - .) | tar -xf - -C "$src"
fi
[ -f "$src/debian/rules" ] || die "the copy of the tree has no debian/rules"
step "building loket-import $version in $src"
start=$(date +%s)
(cd "$src" && DEB_BUILD_OPTIONS="parallel=2 nocheck noautodbgsym" \
    dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1 || {
    tail -n 60 "$work/build.log"
    die "dpkg-buildpackage failed (the end of its log is above)"
}
step "built in $(( $(date +%s) - start ))s"
deb=$(ls "$work"/loket-import_"$version"_*.deb)
changes=$(ls "$work"/loket-import_"$version"_*.changes)
[ -f "$deb" ] || die "no .deb built"

# ---- 2. lintian -------------------------------------------------------------------------------
start=$(date +%s)
st=0
lintian --fail-on error --tag-display-limit 0 "$changes" >"$work/lintian.log" 2>&1 || st=$?
cat "$work/lintian.log"
[ "$st" -eq 0 ] || die "lintian found errors (E: above)"
unexplained=0
for tag in $(sed -n 's/^W: [^:]*: \([^ ]*\).*/\1/p' "$work/lintian.log" | sort -u); do
    if ! grep -q -- "$tag" "$root/debian/README.source"; then
        echo "package-check: lintian warning $tag is neither fixed nor explained in debian/README.source" >&2
        unexplained=$((unexplained + 1))
    fi
done
[ "$unexplained" -eq 0 ] || die "$unexplained lintian warnings unexplained"
step "lintian: no errors, every warning explained ($(( $(date +%s) - start ))s)"

# ---- 3. the unpacked package ------------------------------------------------------------------
r=$work/root
dpkg-deb -x "$deb" "$r"
got=$("$r/usr/bin/loket-import" --version) || die "the packaged loket-import --version failed"
[ "$got" = "loket-import ${version%%-*}" ] || die "packaged loket-import --version says '$got', the package is $version"
"$r/usr/bin/loket-sim" --help >/dev/null || die "the packaged loket-sim --help failed"
for page in man1/loket-import.1 man1/loket-sim.1 man5/loket-import-mapping.5; do
    f=$r/usr/share/man/$page.gz
    [ -f "$f" ] || die "no $page.gz in the package"
    out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$f" 2>"$work/man.err") || die "man -l $page failed: $(cat "$work/man.err")"
    [ ! -s "$work/man.err" ] || die "man -l $page warns: $(cat "$work/man.err")"
    [ "$(printf '%s\n' "$out" | wc -l)" -gt 20 ] || die "man -l $page shows almost nothing"
done
comp=$r/usr/share/bash-completion/completions/loket-import
bash -n "$comp" || die "the packaged completion has a syntax error"
[ "$(readlink "$r/usr/share/bash-completion/completions/loket-sim")" = loket-import ] || die "no loket-sim completion link"
bash -c '. "$1" && complete -p loket-import loket-sim' c "$comp" >/dev/null || die "the packaged completion registers nothing"
for u in loket-import-watch.service loket-import-watch-resident.service loket-import-watch.timer; do
    [ -f "$r/lib/systemd/system/$u" ] || die "no unit $u in the package"
done
for u in "$r"/lib/systemd/system/*.service; do
    grep -q '^ExecStart=/usr/bin/loket-import ' "$u" || die "${u##*/}: $(grep ExecStart "$u")"
done
[ -f "$r/usr/share/loket-import/mappings/uren-maand-excel.json" ] || die "no example mappings in the package"
[ -f "$r/usr/share/loket-import/samples/loket-fixture.json" ] || die "no samples in the package"
[ -f "$r/usr/share/doc/loket-import/watch.md" ] || die "no docs (watch.md) in the package"
[ ! -e "$r/usr/share/loket-import/install-manifest" ] || die "the package holds make install's manifest"
[ -f "$r/usr/share/locale/nl/LC_MESSAGES/loket-import.mo" ] || die "no Dutch catalog in the package"
LANG=nl_NL.UTF-8 "$r/usr/bin/loket-import" --help | grep -q '^Opdrachten:' || die "the packaged loket-import does not speak Dutch"
# ---- 4. install, reinstall (the upgrade path), purge ------------------------------------------
# into a scratch dpkg root; the maintainer scripts run outside a chroot, with DPKG_ROOT set,
# which deb-systemd-helper honours; the libraries are the host's, hence --force-depends
d=$work/dpkg-root
mkdir -p "$d/var/lib/dpkg/info" "$d/var/lib/dpkg/updates"
: >"$d/var/lib/dpkg/status"
pkg_dpkg() {
    dpkg --root="$d" --force-script-chrootless --force-not-root --force-depends "$@" >>"$work/dpkg.log" 2>&1 ||
        { cat "$work/dpkg.log"; die "dpkg $* failed"; }
}
pkg_dpkg -i "$deb"
[ -x "$d/usr/bin/loket-import" ] || die "dpkg -i did not install /usr/bin/loket-import"
pkg_dpkg -i "$deb"
pkg_dpkg --purge loket-import
left=$(cd "$d" && find . -mindepth 1 -path ./var -prune -o -print)
[ -z "$left" ] || die "dpkg --purge left: $left"
! find "$d/var" -name '*loket*' | grep -q . || die "dpkg --purge left state: $(find "$d/var" -name '*loket*')"

step "ok: $(basename "$deb") ($(stat -c %s "$deb") bytes): --version, man -l, completion, units, install, reinstall, purge"
