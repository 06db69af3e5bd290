# Hardening: `make memcheck` runs the end-to-end demo path (every loket-import command against
# loket-sim, validate on CSV and XLSX, plan and apply when they are in the build) under valgrind
# memcheck: any memory error or definite leak fails it. Not part of `make test` (a few minutes).
# `make fuzz-long` runs every fuzz target for FUZZ_SECONDS (default 300), two at a time, with
# its dictionary; `make fuzz-long FUZZ_RUNS=10000000` runs each to that many executions instead.
.PHONY: memcheck fuzz-long

memcheck: all
	@sh scripts/memcheck.sh $(BUILD)

fuzz-long: fuzz-build
	@sh scripts/fuzz-long.sh
