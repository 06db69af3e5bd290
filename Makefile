# loket-import: build, test, demo, bench.
# Sources are found by wildcard, one folder per pipeline stage, so adding a file needs no edit here.
# Area-specific targets live in mk/*.mk.

BUILD    ?= build
CC       ?= cc
PREFIX   ?= /usr/local
PKGS      = libcurl libcjson xlsxwriter libmicrohttpd expat minizip
OPT      ?= -O2
CFLAGS   ?= $(OPT) -g
WARN      = -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wformat=2
XCFLAGS   = -std=c11 -D_GNU_SOURCE -Isrc -Itests/unit $(WARN) $(shell pkg-config --cflags $(PKGS)) $(SAN)
XLDLIBS   = $(shell pkg-config --libs $(PKGS)) -lcsv -lcrypto -lm -lpthread
TEST_LIBS = -lcunit

LIB_SRCS  = $(wildcard src/common/*.c src/input/*.c src/mapping/*.c src/loket/*.c \
                       src/engine/*.c src/report/*.c src/watch/*.c)
SIM_SRCS  = $(filter-out src/sim/main.c,$(wildcard src/sim/*.c))
CMD_SRCS  = src/main.c $(wildcard src/cmd/*.c)
UNIT_SRCS = $(wildcard tests/unit/test_*.c)
TESTLIB_SRCS = $(wildcard tests/unit/support/*.c)

LIB_OBJS  = $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
SIM_OBJS  = $(SIM_SRCS:%.c=$(BUILD)/obj/%.o)
CMD_OBJS  = $(CMD_SRCS:%.c=$(BUILD)/obj/%.o)
TESTLIB_OBJS = $(TESTLIB_SRCS:%.c=$(BUILD)/obj/%.o)
UNIT_BINS = $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

# sanitizer builds (not the fuzz build) link a hook that leaves a file in $LK_SAN_DIR on a report
SAN_OBJS  = $(if $(SAN),$(if $(findstring fuzzer,$(SAN)),,$(BUILD)/obj/tests/sanitizer/report_marker.o))

LIBLK     = $(BUILD)/liblk.a
LIBSIM    = $(BUILD)/libsim.a
IMPORT    = $(BUILD)/loket-import
SIM       = $(BUILD)/loket-sim
HOOKS_IMPORT = $(BUILD)/tests/loket-import-hooks
HOOKS_OBJS   = $(BUILD)/obj/hooks/src/engine/plan.o

.PHONY: all deps test check unit e2e manifest help demo bench install clean sanitize sanitize-build fuzz fuzz-smoke
.DEFAULT_GOAL := all
.SECONDARY:

all: $(IMPORT) $(SIM) $(UNIT_BINS) $(HOOKS_IMPORT)

deps:
	@sh scripts/deps.sh

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(XCFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIBLK): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LIBSIM): $(SIM_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(IMPORT): $(CMD_OBJS) $(LIBLK) $(SAN_OBJS)
	$(CC) $(XCFLAGS) $(CFLAGS) -o $@ $(CMD_OBJS) $(SAN_OBJS) $(LIBLK) $(XLDLIBS)

$(SIM): $(BUILD)/obj/src/sim/main.o $(SAN_OBJS) $(LIBSIM) $(LIBLK)
	$(CC) $(XCFLAGS) $(CFLAGS) -o $@ $^ $(XLDLIBS)

# The test hook LOKET_IMPORT_SKIP_PRECHECKS exists only in this copy of loket-import, which the
# e2e tests use (engine_lib.sh: li) when they leave the business rules to Loket; the program
# that is installed and packaged is compiled without it.
$(BUILD)/obj/hooks/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(XCFLAGS) $(CFLAGS) -DLK_TEST_HOOKS -MMD -MP -c $< -o $@

$(HOOKS_IMPORT): $(CMD_OBJS) $(HOOKS_OBJS) $(SAN_OBJS) $(LIBLK)
	@mkdir -p $(dir $@)
	$(CC) $(XCFLAGS) $(CFLAGS) -o $@ $(CMD_OBJS) $(HOOKS_OBJS) $(SAN_OBJS) $(LIBLK) $(XLDLIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(SAN_OBJS) $(TESTLIB_OBJS) $(LIBSIM) $(LIBLK)
	@mkdir -p $(dir $@)
	$(CC) $(XCFLAGS) $(CFLAGS) -o $@ $^ $(XLDLIBS) $(TEST_LIBS)

# The tests (scripts/run-tests.sh; what must run is listed in tests/manifest).
# check: the fast tier (unit programs and the e2e scripts tagged "check"), about a minute.
# unit / e2e: all unit programs / all e2e scripts (both simulator modes) against $(BUILD).
# test: what CI runs on a fresh machine: the three builds, then every test against each.
# TEST_JOBS tests run at once (default 4: most of them wait on loket-sim and sleeps).
TEST_JOBS ?= 4
BUILD_JOBS ?= $(shell nproc 2>/dev/null || echo 2)
RUN_TESTS  = sh scripts/run-tests.sh -j $(TEST_JOBS)

check: all
	@$(RUN_TESTS) --check $(BUILD)

unit: all
	@$(RUN_TESTS) --kind unit $(BUILD)

e2e: all
	@$(RUN_TESTS) --kind e2e $(BUILD)

test: deps
	@t0=$$(date +%s); \
	$(MAKE) --no-print-directory -j$(BUILD_JOBS) all && t1=$$(date +%s) && \
	$(MAKE) --no-print-directory -j$(BUILD_JOBS) sanitize-build && t2=$$(date +%s) && \
	$(MAKE) --no-print-directory -j$(BUILD_JOBS) fuzz-build && t3=$$(date +%s) && \
	echo "make test: builds: $(BUILD) $$((t1 - t0)) s, build-san $$((t2 - t1)) s, build-fuzz $$((t3 - t2)) s" && \
	$(RUN_TESTS) $(BUILD) build-san build-fuzz; rc=$$?; \
	echo "make test: $$(($$(date +%s) - t0)) s in all"; exit $$rc

# The manifest the tree implies (tags kept): `make manifest > tests/manifest.new` to compare.
manifest:
	@sed -n '/^#/p' tests/manifest; sh scripts/run-tests.sh --print-manifest

# The whole suite again under AddressSanitizer + UndefinedBehaviorSanitizer.
SAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
sanitize-build:
	@$(MAKE) --no-print-directory BUILD=build-san OPT=-O1 SAN="$(SAN_FLAGS)" all
sanitize: sanitize-build
	@$(RUN_TESTS) build-san

# Every target, with what it does (targets of mk/*.mk without a line here are listed at the end).
help:
	@echo "make targets (variables: BUILD=$(BUILD), TEST_JOBS=$(TEST_JOBS), PREFIX=$(PREFIX)):"
	@sed -n 's/^## \([^ ]*\) *\(.*\)/  \1|\2/p' $(MAKEFILE_LIST) | sort -u | awk -F'|' '{ printf "  %-18s %s\n", $$1, $$2 }'
	@for t in $$(sed -n 's/^\.PHONY: *//p' $(MAKEFILE_LIST) | tr ' ' '\n' | sort -u); do \
	    grep -q "^## *$$t " $(MAKEFILE_LIST) || echo "    $$t (see mk/*.mk)"; done

## all              build loket-import, loket-sim and the unit programs into BUILD (default build/)
## bins             build only the two programs (what the package needs)
## deps             install the Debian packages the build and tests need (scripts/deps.sh)
## check            the fast tier: unit programs and a smoke e2e run (about a minute)
## unit             every unit program against BUILD
## e2e              every e2e script against BUILD, in both simulator modes where marked
## test             what CI runs: normal, sanitizer and fuzz builds, then every test (tests/manifest)
## manifest         print the test manifest the tree implies (compare with tests/manifest)
## sanitize-build   build into build-san/ with AddressSanitizer and UBSan
## sanitize         sanitize-build, then every unit and e2e test against it
## fuzz-build       build the libFuzzer targets into build-fuzz/
## fuzz-bins        (part of fuzz-build) link the fuzz targets
## fuzz             run every fuzz target for FUZZ_SECONDS (default 60)
## fuzz-long        run every fuzz target for long (FUZZ_SECONDS or FUZZ_RUNS), two at a time
## fuzz-smoke       the short fuzz run of `make test` alone
## memcheck         the demo path under valgrind memcheck
## differential     the differential test over DIFF_SEEDS in both simulator modes
## differential-long  the differential test over 10,000 seeds per mode (about 45 minutes)
## demo             build, then the end-to-end demo against loket-sim (scripts/demo.sh)
## bench            the benchmarks (scripts/bench.sh; docs/benchmarks.md)
## samples          regenerate the committed XLSX sample
## pot              the template of every translatable text (BUILD/po/loket-import.pot)
## install          install into DESTDIR/PREFIX (scripts/install.sh keeps a manifest)
## uninstall        remove exactly what install put there
## package-check    build the Debian package in a scratch copy and try it out
## man-nl           the Dutch man pages, translated with po4a (into BUILD/man/nl/)
## man-po           update man/po/nl.po from the English man pages (po4a)
## soak             the unattended month of the drop folder, MONTH_FILES files, in both simulator modes
## clean            remove the build folders
## help             this list

demo: deps
	@$(MAKE) --no-print-directory all
	@sh scripts/demo.sh $(BUILD)

bench: deps all
	@sh scripts/bench.sh $(BUILD)

clean:
	rm -rf build build-san build-fuzz build-bench

-include mk/*.mk
-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
