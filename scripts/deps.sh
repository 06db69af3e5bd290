#!/bin/sh
# Installs the Debian packages the build, the tests and the demo need, when they are missing.
# Called by `make demo` and `make test`, so a fresh Debian 12 machine needs nothing else.
set -eu
PKGS="build-essential pkg-config libcurl4-openssl-dev libcjson-dev libcsv-dev libxlsxwriter-dev \
libcunit1-dev libmicrohttpd-dev libexpat1-dev libminizip-dev libssl-dev clang libclang-rt-14-dev \
curl jq python3 python3-jsonschema time dpkg-dev debhelper lintian man-db bash-completion bubblewrap systemd \
libreoffice-calc-nogui poppler-utils gettext po4a"
[ -n "${LOKET_EXTRA_PKGS:-}" ] && PKGS="$PKGS $LOKET_EXTRA_PKGS"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
