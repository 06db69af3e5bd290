# loket-sim: its fuzz targets (tests/fuzz/fuzz_sim_*.c) link the simulator library too.
# GNU make prefers this rule over fuzz.mk's build-fuzz/fuzz_% for these names (shorter stem).
build-fuzz/fuzz_sim_%: tests/fuzz/fuzz_sim_%.c build-fuzz/libsim.a build-fuzz/liblk.a
	clang $(XCFLAGS) -O1 -g -fsanitize=fuzzer -o $@ $< build-fuzz/libsim.a build-fuzz/liblk.a $(XLDLIBS)
