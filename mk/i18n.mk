# Translations: po/LANG.po plus the fragments po/LANG.d/*.po (one per area of the program, so
# that work on different areas never edits the same catalog file) are joined by msgcat into
# BUILD/po/LANG.po and compiled by msgfmt into BUILD/locale/LANG/LC_MESSAGES/loket-import.mo,
# where the programs find them from the build tree (src/common/i18n.c); `make install` copies
# them to DATADIR/locale. `make pot` writes the template of every translatable text
# (BUILD/po/loket-import.pot), which tests/e2e/i18n_catalog.sh compares with the joined catalog.
PO_FILES  = $(wildcard po/*.po)
MO_FILES  = $(PO_FILES:po/%.po=$(BUILD)/locale/%/LC_MESSAGES/loket-import.mo)
POT       = $(BUILD)/po/loket-import.pot
XGETTEXT_FLAGS = --language=C --from-code=UTF-8 --keyword=_ --keyword=N_ \
                 --keyword=ngettext:1,2 --add-comments=TRANSLATORS: --add-location=file --package-name=loket-import \
                 --msgid-bugs-address=maintainers@users.noreply.r-seed-08b1dc82.example

.PHONY: pot

all bins install: $(MO_FILES)

$(BUILD)/po/%.po: po/%.po $(wildcard po/*.d/*.po)
	@mkdir -p $(dir $@)
	sh scripts/po-join.sh $* $@

$(BUILD)/locale/%/LC_MESSAGES/loket-import.mo: $(BUILD)/po/%.po
	@mkdir -p $(dir $@)
	msgfmt --check --output-file=$@ $<

pot: $(POT)
$(POT): $(LIB_SRCS) $(CMD_SRCS) $(SIM_SRCS) src/sim/main.c $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	xgettext $(XGETTEXT_FLAGS) --output=$@ $(sort $^)
