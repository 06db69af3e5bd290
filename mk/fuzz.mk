# libFuzzer targets: tests/fuzz/fuzz_NAME.c with a seed corpus in tests/fuzz/corpus/NAME/ and,
# where there is one, a dictionary tests/fuzz/dict/NAME.dict.
# `make fuzz` runs each for FUZZ_SECONDS; the test command runs a short smoke of each.
FUZZ_SRCS   = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS   = $(FUZZ_SRCS:tests/fuzz/%.c=build-fuzz/%)
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS = -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer

.PHONY: fuzz-build
fuzz-build:
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang OPT=-O1 SAN="$(FUZZ_CFLAGS)" build-fuzz/liblk.a
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang OPT=-O1 SAN="$(FUZZ_CFLAGS)" fuzz-bins

fuzz-bins: $(FUZZ_BINS)

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c build-fuzz/liblk.a
	clang $(XCFLAGS) -O1 -g -fsanitize=fuzzer -o $@ $< build-fuzz/liblk.a $(XLDLIBS)

fuzz: fuzz-build
	@for f in $(FUZZ_BINS); do n=$${f#build-fuzz/fuzz_}; mkdir -p build-fuzz/corpus/$$n; \
	  echo "fuzz: $$n for $(FUZZ_SECONDS)s"; \
	  d=; [ -f tests/fuzz/dict/$$n.dict ] && d=-dict=tests/fuzz/dict/$$n.dict; \
	  $$f -max_total_time=$(FUZZ_SECONDS) $$d -print_final_stats=1 build-fuzz/corpus/$$n tests/fuzz/corpus/$$n || exit 1; done

# the short smoke run of every fuzz target that `make test` does (scripts/run-tests.sh)
fuzz-smoke: fuzz-build
	@sh scripts/run-tests.sh build-fuzz
