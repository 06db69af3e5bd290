# Mapping area: the sample generator (samples/src/make_samples.c, libxlsxwriter).
# `make samples` regenerates the committed XLSX sample deterministically.
.PHONY: samples

$(BUILD)/make_samples: samples/src/make_samples.c
	@mkdir -p $(dir $@)
	$(CC) $(XCFLAGS) $(CFLAGS) -o $@ $< $(XLDLIBS)

samples: $(BUILD)/make_samples
	$(BUILD)/make_samples samples/uren-dagelijks-40201-2026-11.xlsx

all: $(BUILD)/make_samples
