#!/bin/sh
# Joins a language's catalog: po/LANG.po and its fragments po/LANG.d/*.po (each a catalog with
# its own UTF-8 header) into one file, the first translation of a text winning. Used by the
# build (mk/i18n.mk) and by tests/e2e/i18n_catalog.sh, so both see the same catalog.
# usage: po-join.sh LANG OUTPUT
set -eu
lang=$1 out=$2
cd "$(dirname "$0")/.."
set -- "po/$lang.po"
for f in po/"$lang".d/*.po; do [ -f "$f" ] && set -- "$@" "$f"; done
if [ $# -eq 1 ]; then cp "$1" "$out"; exit 0; fi
msgcat --use-first --no-wrap --to-code=UTF-8 --output-file="$out" "$@"
