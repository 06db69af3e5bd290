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

LIBLK     = $(BUILD)/liblk.a
LIBSIM    = $(BUILD)/libsim.a
IMPORT    = $(BUILD)/loket-import
SIM       = $(BUILD)/loket-sim

.PHONY: all deps test check unit e2e demo bench install clean sanitize fuzz fuzz-smoke
.DEFAULT_GOAL := all
.SECONDARY:

all: $(IMPORT) $(SIM) $(UNIT_BINS)

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

$(IMPORT): $(CMD_OBJS) $(LIBLK)
	$(CC) $(XCFLAGS) $(CFLAGS) -o $@ $(CMD_OBJS) $(LIBLK) $(XLDLIBS)

$(SIM): $(BUILD)/obj/src/sim/main.o $(LIBSIM) $(LIBLK)
	$(CC) $(XCFLAGS) $(CFLAGS) -o $@ $^ $(XLDLIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(TESTLIB_OBJS) $(LIBSIM) $(LIBLK)
	@mkdir -p $(dir $@)
	$(CC) $(XCFLAGS) $(CFLAGS) -o $@ $^ $(XLDLIBS) $(TEST_LIBS)

# check: the fast loop (unit + end-to-end). test: what CI runs, from a fresh machine.
check: all
	@sh scripts/run-tests.sh $(BUILD)

test: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory sanitize-build
	@$(MAKE) --no-print-directory fuzz-build
	@sh scripts/run-tests.sh $(BUILD) build-san build-fuzz

# The whole suite again under AddressSanitizer + UndefinedBehaviorSanitizer.
SAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
sanitize-build:
	@$(MAKE) --no-print-directory BUILD=build-san OPT=-O1 SAN="$(SAN_FLAGS)" all
sanitize: sanitize-build
	@sh scripts/run-tests.sh build-san

demo: deps
	@$(MAKE) --no-print-directory all
	@sh scripts/demo.sh $(BUILD)

bench: deps all
	@sh scripts/bench.sh $(BUILD)

clean:
	rm -rf build build-san build-fuzz build-bench

-include mk/*.mk
-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
