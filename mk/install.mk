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

.PHONY: bins install uninstall package-check man-nl man-po

# The Dutch man pages: man/po/nl.po (a po4a catalog of the pages' paragraphs) applied to the
# English pages by po4a-translate into BUILD/man/nl/, which `make install` puts under
# MANDIR/nl. `make man-po` brings man/po/nl.po up to date after a page changed (new and changed
# paragraphs come in untranslated or fuzzy; tests/e2e/dutch_man.sh fails until they are done).
MAN_NL_PAGES = loket-import.1 loket-import-mapping.5
MAN_NL       = $(MAN_NL_PAGES:%=$(BUILD)/man/nl/%)
PO4A_FLAGS   = --format man --master-charset UTF-8

man-nl: $(MAN_NL)

$(BUILD)/man/nl/%: man/% man/po/nl.po
	@mkdir -p $(dir $@)
	po4a-translate $(PO4A_FLAGS) --localized-charset UTF-8 --master $< --po man/po/nl.po \
		--localized $@ --keep 0

man-po:
	po4a-updatepo $(PO4A_FLAGS) $(MAN_NL_PAGES:%=--master man/%) --po man/po/nl.po

# the two programs only (what the package needs), without the tests
bins: $(IMPORT) $(SIM)

install: $(IMPORT) $(SIM) $(MAN_NL)
	@$(INSTALL_ENV) sh scripts/install.sh install

uninstall:
	@$(INSTALL_ENV) sh scripts/install.sh uninstall

package-check:
	@sh scripts/package-check.sh
