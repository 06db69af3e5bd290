#!/bin/sh
# Installs loket-import (`make install`) and removes it again (`make uninstall`).
#
#   sh scripts/install.sh install|uninstall
#
# The folders come from the environment (mk/install.mk sets them): DESTDIR, PREFIX, BINDIR,
# MANDIR, DATADIR, DOCDIR, COMPLETIONDIR, UNITDIR, and BUILD (where the binaries are).
# install keeps a manifest, DATADIR/loket-import/install-manifest: every file and link it put in
# place and every folder it had to create. uninstall removes exactly those, and a folder only
# when it is empty, so whatever else lives in PREFIX stays. MANIFEST=no (the Debian package,
# whose files dpkg tracks) installs without one.
#
# Installed: the two programs; their man pages (English, and Dutch under MANDIR/nl); the bash
# completion; the translations
# (DATADIR/locale); the example mappings and
# samples (DATADIR/loket-import/); the systemd units of docs/, with ExecStart and Documentation
# pointing at the installed program and docs; README.md and docs/*.md (DOCDIR).
set -eu

: "${PREFIX:=/usr/local}" "${DESTDIR:=}" "${BUILD:=build}"
: "${BINDIR:=$PREFIX/bin}" "${DATADIR:=$PREFIX/share}"
: "${MANDIR:=$DATADIR/man}" "${DOCDIR:=$DATADIR/doc/loket-import}"
: "${COMPLETIONDIR:=$DATADIR/bash-completion/completions}"
: "${UNITDIR:=$PREFIX/lib/systemd/system}" "${MANIFEST:=yes}"
manifest=$DATADIR/loket-import/install-manifest

die() { echo "install.sh: $*" >&2; exit 1; }

for v in "$PREFIX" "$BINDIR" "$DATADIR" "$MANDIR" "$DOCDIR" "$COMPLETIONDIR" "$UNITDIR"; do
    case $v in /*) ;; *) die "'$v': installation folders must be absolute paths" ;; esac
done

# ---- install -----------------------------------------------------------------------------------

record() { # kind path
    printf '%s %s\n' "$1" "$2" >>"$list"
}

# Creates folder $1 (an installed path) and its missing parents, recording each one created.
make_dir() {
    p=$1 todo=""
    while [ "$p" != / ] && [ ! -d "$DESTDIR$p" ]; do
        todo="$p
$todo"
        p=$(dirname "$p")
    done
    for m in $todo; do
        mkdir -m 0755 "$DESTDIR$m"
        record d "$m"
    done
}

put() { # mode source installed-path
    make_dir "$(dirname "$3")"
    install -m "$1" "$2" "$DESTDIR$3"
    record f "$3"
}

do_install() {
    [ -x "$BUILD/loket-import" ] && [ -x "$BUILD/loket-sim" ] || die "$BUILD/loket-import and loket-sim are not built (make all)"
    list=$(mktemp)
    units=$(mktemp -d)
    trap 'rm -rf "$list" "$units"' EXIT
    [ -n "$DESTDIR" ] && mkdir -p "$DESTDIR"
    # a manifest of an earlier install: the folders it created are still ours
    if [ -f "$DESTDIR$manifest" ]; then
        grep '^d ' "$DESTDIR$manifest" >>"$list" || true
    fi
    IFS='
'
    put 0755 "$BUILD/loket-import" "$BINDIR/loket-import"
    put 0755 "$BUILD/loket-sim" "$BINDIR/loket-sim"
    put 0644 man/loket-import.1 "$MANDIR/man1/loket-import.1"
    put 0644 man/loket-sim.1 "$MANDIR/man1/loket-sim.1"
    put 0644 man/loket-import-mapping.5 "$MANDIR/man5/loket-import-mapping.5"
    # the Dutch pages (BUILD/man/nl, made by po4a from man/po/nl.po), for LANG=nl_NL.UTF-8 man
    put 0644 "$BUILD/man/nl/loket-import.1" "$MANDIR/nl/man1/loket-import.1"
    put 0644 "$BUILD/man/nl/loket-import-mapping.5" "$MANDIR/nl/man5/loket-import-mapping.5"
    put 0644 completion/loket-import "$COMPLETIONDIR/loket-import"
    ln -sf loket-import "$DESTDIR$COMPLETIONDIR/loket-sim"
    record l "$COMPLETIONDIR/loket-sim"
    # the translations, where the program looks for them: BINDIR/../share/locale
    for f in "$BUILD"/locale/*/LC_MESSAGES/loket-import.mo; do
        if [ -f "$f" ]; then put 0644 "$f" "$DATADIR/locale/${f#"$BUILD"/locale/}"; fi
    done
    for f in mappings/*.json; do put 0644 "$f" "$DATADIR/loket-import/$f"; done
    # the words of 'mapping new', where it looks for them: BINDIR/../share/loket-import/data
    put 0644 data/synonyms-nl.json "$DATADIR/loket-import/data/synonyms-nl.json"
    for f in samples/*; do
        if [ -f "$f" ]; then put 0644 "$f" "$DATADIR/loket-import/$f"; fi
    done
    for f in README.md docs/*.md; do put 0644 "$f" "$DOCDIR/${f##*/}"; done
    # the units of docs/ name /usr/local (the default PREFIX): point them at this installation
    for f in docs/*.service docs/*.timer; do
        sed -e "s|/usr/local/bin/loket-import|$BINDIR/loket-import|g" \
            -e "s|file:///usr/local/share/doc/loket-import/|file://$DOCDIR/|g" "$f" >"$units/${f##*/}"
        put 0644 "$units/${f##*/}" "$UNITDIR/${f##*/}"
    done
    if [ "$MANIFEST" = yes ]; then
        record f "$manifest"
        sort -u "$list" >"$DESTDIR$manifest"
        chmod 0644 "$DESTDIR$manifest"
        echo "installed under ${DESTDIR}$PREFIX; 'make uninstall' removes it (manifest: $manifest)"
    fi
}

# ---- uninstall ---------------------------------------------------------------------------------

do_uninstall() {
    m=$DESTDIR$manifest
    if [ ! -f "$m" ]; then
        echo "install.sh: nothing to uninstall: no $m (written by make install)" >&2
        return 0
    fi
    kept=0
    IFS='
'
    entries=$(cat "$m")
    # files and links first (the manifest among them), then folders, deepest first
    for line in $(printf '%s\n' "$entries" | grep -v '^d '); do
        rm -f "$DESTDIR${line#? }"
    done
    for line in $(printf '%s\n' "$entries" | grep '^d ' | sort -r); do
        d=$DESTDIR${line#d }
        [ -d "$d" ] || continue
        if ! rmdir "$d" 2>/dev/null; then
            echo "install.sh: kept ${line#d }: it holds files make install did not put there" >&2
            kept=$((kept + 1))
        fi
    done
    if [ "$kept" -gt 0 ]; then
        echo "uninstalled from ${DESTDIR}$PREFIX ($kept folders kept)"
    else
        echo "uninstalled from ${DESTDIR}$PREFIX"
    fi
}

case "${1:-}" in
install) do_install ;;
uninstall) do_uninstall ;;
*) die "usage: install.sh install|uninstall" ;;
esac
