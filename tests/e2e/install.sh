#!/bin/sh
# install.sh: `make install DESTDIR=... PREFIX=...` puts the programs, man pages, completion,
# example mappings and samples, docs and systemd units (ExecStart naming the installed program)
# where they belong, records every one in its manifest, and `make uninstall` removes exactly
# those: an empty DESTDIR ends empty, one holding other files keeps them (and their folders).
set -u
. "$(dirname "$0")/lib.sh"

build=$LK_BUILD
[ -x "$build/loket-import" ] && [ -x "$build/loket-sim" ] || fail "$build: loket-import or loket-sim not built"

work=$(mktemp -d "${TMPDIR:-/tmp}/lk-install-XXXXXX") || fail "mktemp"
trap 'rm -rf "$work"' EXIT

# make, with the binaries taken as they are (-o: never rebuilt here, whatever the build)
lkmake() {
    make -s -C "$LK_ROOT" --no-print-directory BUILD="$build" -o "$build/loket-import" -o "$build/loket-sim" "$@"
}

# ---- a fresh DESTDIR, default PREFIX ----------------------------------------------------------
d=$work/root
mkdir "$d"
lkmake install DESTDIR="$d" >"$work/out" 2>&1 || { cat "$work/out"; fail "make install failed"; }
p=$d/usr/local
for f in bin/loket-import bin/loket-sim; do
    [ -f "$p/$f" ] && [ "$(stat -c %a "$p/$f")" = 755 ] || fail "$f not installed 0755"
done
"$p/bin/loket-import" --version | grep -q '^loket-import ' || fail "the installed loket-import does not run"
# the Dutch catalog, found by the installed program in PREFIX/share/locale
mo=$p/share/locale/nl/LC_MESSAGES/loket-import.mo
[ -f "$mo" ] && [ "$(stat -c %a "$mo")" = 644 ] || fail "the Dutch catalog is not installed 0644"
LANG=nl_NL.UTF-8 "$p/bin/loket-import" --help | grep -q '^Opdrachten:' ||
    fail "the installed loket-import does not speak Dutch"
for f in share/man/man1/loket-import.1 share/man/man1/loket-sim.1 share/man/man5/loket-import-mapping.5 \
         share/bash-completion/completions/loket-import share/doc/loket-import/README.md; do
    [ -f "$p/$f" ] && [ "$(stat -c %a "$p/$f")" = 644 ] || fail "$f not installed 0644"
done
[ "$(readlink "$p/share/bash-completion/completions/loket-sim")" = loket-import ] || fail "loket-sim completion link missing"
for f in "$LK_ROOT"/mappings/*.json; do
    cmp -s "$f" "$p/share/loket-import/mappings/${f##*/}" || fail "mapping ${f##*/} not installed"
done
for f in "$LK_ROOT"/samples/*; do
    [ -f "$f" ] || continue
    cmp -s "$f" "$p/share/loket-import/samples/${f##*/}" || fail "sample ${f##*/} not installed"
done
[ ! -e "$p/share/loket-import/samples/src" ] || fail "the samples' generator source was installed"
for f in "$LK_ROOT"/docs/*.md; do
    cmp -s "$f" "$p/share/doc/loket-import/${f##*/}" || fail "doc ${f##*/} not installed"
done
nunits=0
for f in "$LK_ROOT"/docs/*.service "$LK_ROOT"/docs/*.timer; do
    u=$p/lib/systemd/system/${f##*/}
    [ -f "$u" ] || fail "unit ${f##*/} not installed"
    nunits=$((nunits + 1))
done
[ "$nunits" -ge 3 ] || fail "only $nunits units in docs/"
for u in "$p"/lib/systemd/system/*.service; do
    exe=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$u")
    [ "$exe" = /usr/local/bin/loket-import ] || fail "${u##*/}: ExecStart runs '$exe'"
    [ -x "$d$exe" ] || fail "${u##*/}: ExecStart's $exe was not installed"
    doc=$(sed -n 's|^Documentation=file://||p' "$u")
    [ -f "$d$doc" ] || fail "${u##*/}: Documentation $doc was not installed"
done

# the manifest lists exactly what is there
m=$p/share/loket-import/install-manifest
[ -f "$m" ] || fail "no manifest"
(cd "$d" && find . -mindepth 1 | sed 's|^\.||' | sort) >"$work/found"
sed 's/^. //' "$m" | sort >"$work/listed"
diff "$work/listed" "$work/found" >"$work/diff" || { cat "$work/diff"; fail "manifest and installed files differ (< manifest only, > not in the manifest)"; }

# installing again changes nothing in what uninstall will remove
cp "$m" "$work/manifest1"
lkmake install DESTDIR="$d" >"$work/out" 2>&1 || { cat "$work/out"; fail "second make install failed"; }
cmp -s "$m" "$work/manifest1" || fail "a second install changed the manifest"

lkmake uninstall DESTDIR="$d" >"$work/out" 2>&1 || { cat "$work/out"; fail "make uninstall failed"; }
left=$(cd "$d" && find . -mindepth 1)
[ -z "$left" ] || fail "make uninstall left: $left"

# uninstall when nothing is installed: says so, removes nothing, succeeds
touch "$d/keep"
lkmake uninstall DESTDIR="$d" >"$work/out" 2>&1 || { cat "$work/out"; fail "uninstall of nothing failed"; }
grep -q 'nothing to uninstall' "$work/out" || fail "uninstall of nothing did not say so"
[ -f "$d/keep" ] || fail "uninstall of nothing removed a file"

# ---- another PREFIX, in a DESTDIR that already holds files -------------------------------------
d=$work/busy
mkdir -p "$d/opt/lk/bin" "$d/opt/lk/share/man/man1"
echo other >"$d/opt/lk/bin/other-tool"
echo other >"$d/opt/lk/share/man/man1/other-tool.1"
(cd "$d" && find . | sort) >"$work/before"
lkmake install DESTDIR="$d" PREFIX=/opt/lk UNITDIR=/opt/lk/units >"$work/out" 2>&1 || { cat "$work/out"; fail "make install PREFIX=/opt/lk failed"; }
[ -x "$d/opt/lk/bin/loket-import" ] || fail "PREFIX=/opt/lk: no bin/loket-import"
[ -f "$d/opt/lk/share/man/man5/loket-import-mapping.5" ] || fail "PREFIX=/opt/lk: no man5 page"
u=$d/opt/lk/units/loket-import-watch.service
[ -f "$u" ] || fail "UNITDIR=/opt/lk/units: no unit"
grep -qx 'ExecStart=/opt/lk/bin/loket-import watch /srv/loket/bakkerij --once --log-priority' "$u" || fail "PREFIX=/opt/lk: $(grep ExecStart "$u")"
grep -qx 'Documentation=file:///opt/lk/share/doc/loket-import/watch.md' "$u" || fail "PREFIX=/opt/lk: $(grep Documentation "$u")"
! grep -rq /usr/local "$d/opt/lk/units" || fail "PREFIX=/opt/lk: a unit still names /usr/local"
! grep -q ' /opt/lk/bin$' "$d/opt/lk/share/loket-import/install-manifest" || fail "a folder that was there before is in the manifest"
lkmake uninstall DESTDIR="$d" PREFIX=/opt/lk >"$work/out" 2>&1 || { cat "$work/out"; fail "make uninstall PREFIX=/opt/lk failed"; }
(cd "$d" && find . | sort) >"$work/after"
diff "$work/before" "$work/after" >"$work/diff" || { cat "$work/diff"; fail "uninstall did not give back the folder as it was (< before, > after)"; }

# a relative folder is refused
lkmake install DESTDIR="$work/rel" PREFIX=opt >"$work/out" 2>&1 && fail "PREFIX=opt (relative) was accepted"
grep -q 'absolute' "$work/out" || fail "PREFIX=opt: no clear error: $(cat "$work/out")"

echo "ok: install, manifest, units, reinstall, uninstall to empty, PREFIX=/opt/lk beside other files"
