# Hardening: `make memcheck` runs the end-to-end demo path (every loket-import command against
# loket-sim, validate on CSV and XLSX, plan and apply when they are in the build) under valgrind
# memcheck: any memory error or definite leak fails it. Not part of `make test` (a few minutes).
# `make fuzz-long` runs every fuzz target for FUZZ_SECONDS (default 300), two at a time.
.PHONY: memcheck fuzz-long

memcheck: all
	@sh scripts/memcheck.sh $(BUILD)

fuzz-long: fuzz-build
	@FUZZ_SECONDS=$${FUZZ_SECONDS:-300} sh scripts/fuzz-long.sh
