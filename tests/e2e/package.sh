#!/bin/sh
# package.sh: the Debian package builds from the tree, lintian accepts it, and it works
# unpacked and installed (scripts/package-check.sh, `make package-check`). The package is
# built from the sources with its own flags, whatever build folder the suite runs against, so
# it is built once: in the run of the plain build, not again for the sanitizer build.
set -u
. "$(dirname "$0")/lib.sh"

case "${LOKET_BUILD##*/}" in
*san* | *fuzz*)
    echo "skipped for $LOKET_BUILD: the package does not depend on the build folder; the plain build's run checks it"
    exit 0 ;;
esac
sh "$LK_ROOT/scripts/package-check.sh" || fail "package check failed (above)"
