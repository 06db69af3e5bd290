# Installation: `make install` and `make uninstall`, with PREFIX (default /usr/local) and
# DESTDIR; the folders below can be set one by one too. scripts/install.sh does the work and
# keeps a manifest, so that uninstall removes exactly what install put there.
# `make package-check` builds the Debian package (debian/) in a scratch copy of the tree and
# tries it out (scripts/package-check.sh).
BINDIR        ?= $(PREFIX)/bin
DATADIR       ?= $(PREFIX)/share
MANDIR        ?= $(DATADIR)/man
DOCDIR        ?= $(DATADIR)/doc/loket-import
COMPLETIONDIR ?= $(DATADIR)/bash-completion/completions
UNITDIR       ?= $(PREFIX)/lib/systemd/system
MANIFEST      ?= yes
INSTALL_ENV    = DESTDIR="$(DESTDIR)" PREFIX="$(PREFIX)" BINDIR="$(BINDIR)" DATADIR="$(DATADIR)" \
                 MANDIR="$(MANDIR)" DOCDIR="$(DOCDIR)" COMPLETIONDIR="$(COMPLETIONDIR)" \
                 UNITDIR="$(UNITDIR)" BUILD="$(BUILD)" MANIFEST="$(MANIFEST)"

.PHONY: bins install uninstall package-check

# the two programs only (what the package needs), without the tests
bins: $(IMPORT) $(SIM)

install: $(IMPORT) $(SIM)
	@$(INSTALL_ENV) sh scripts/install.sh install

uninstall:
	@$(INSTALL_ENV) sh scripts/install.sh uninstall

package-check:
	@sh scripts/package-check.sh
