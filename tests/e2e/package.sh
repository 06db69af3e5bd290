#!/bin/sh
# package.sh: the Debian package builds from the tree, lintian accepts it, and it works
# unpacked and installed (scripts/package-check.sh, `make package-check`). The package is
# built from the sources with its own flags, whatever build folder the suite runs against, so
# it is built once: in the run of the plain build (tests/manifest tags it "once"); run against a
# sanitizer or fuzz build alone it skips.
set -u
. "$(dirname "$0")/lib.sh"

case "${LOKET_BUILD##*/}" in
*san* | *fuzz*)
    skip "the package does not depend on the build folder $LOKET_BUILD; the plain build's run checks it" ;;
esac
# the package build must leave the tree as git sees it, ignored files included (build-deb/,
# debian/loket-import/ ... are in .gitignore)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lk-pkgtest-XXXXXX") || fail "mktemp"
trap 'rm -rf "$tmp"' EXIT
ingit=0
git -C "$LK_ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1 && ingit=1
[ $ingit = 0 ] || git -C "$LK_ROOT" status --porcelain --ignored >"$tmp/before"
sh "$LK_ROOT/scripts/package-check.sh" || fail "package check failed (above)"
if [ $ingit = 1 ]; then
    git -C "$LK_ROOT" status --porcelain --ignored >"$tmp/after"
    diff "$tmp/before" "$tmp/after" >"$tmp/diff" || { cat "$tmp/diff"; fail "the package build changed the tree (> new above)"; }
fi
