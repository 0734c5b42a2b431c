# SPDX-License-Identifier: GPL-2.0-or-later
# mpiplctl: replay the PowerNV MPIPL (OPAL fadump) firmware step offline.
#
#   make            build build/mpiplctl and the sample-image generator
#   make demo       install missing packages, build, run inspect + preserve on a sample
#   make check      install missing packages, build, run every test, then again under
#                   AddressSanitizer + UndefinedBehaviorSanitizer; the tests through
#                   crash run once, when crash is in its cache (else skipped, saying why)
#   make check-crash  put crash in its cache (tests/crash/setup-crash), then run the
#                   tests through crash
#   make check-qemu capture on real QEMU guests (boots them: minutes; fills the fixture
#                   script's cache first); .ci/run runs it after check and check-crash
#   make bench      benchmarks (big images; not part of check)
#   make fuzz       libFuzzer on the input readers, then longer randomised bad-input
#                   runs (not part of check; FUZZ_SECONDS=600)
#   make install    PREFIX=/usr/local DESTDIR=

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BUILD ?= build
SAN ?= 0

CC ?= cc
PKG_CONFIG ?= pkg-config
PKGS := zlib libzstd

WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wvla -Wstrict-prototypes \
	-Wmissing-prototypes -Wno-missing-field-initializers \
	-Wno-format-truncation  # messages go to fixed buffers: cutting one short is intended
BASE_CFLAGS := -std=gnu11 -g -D_FILE_OFFSET_BITS=64 -D_GNU_SOURCE $(WARN)
ifeq ($(SAN),1)
OPT := -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
else ifeq ($(SAN),fuzz)
# make fuzz: clang, with libFuzzer's coverage hooks in every object.
OPT := -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=all -Wno-unknown-warning-option
else
OPT := -O2
endif

PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null || echo -lz -lzstd)
# Debian's libfdt ships no .pc file.
FDT_LIBS = $(shell $(PKG_CONFIG) --libs libfdt 2>/dev/null || echo -lfdt)
CRITERION_LIBS = $(shell $(PKG_CONFIG) --libs criterion 2>/dev/null || echo -lcriterion)

ALL_CFLAGS = $(BASE_CFLAGS) $(OPT) $(PKG_CFLAGS) $(CFLAGS)
LIBS = $(PKG_LIBS) $(FDT_LIBS) -lpthread -lm

LIB_SRC := $(sort $(wildcard src/util/*.c src/guestmem/*.c src/input/*.c src/input/*/*.c \
	src/mpipl/*.c src/vmcore/*.c src/vmcore/kdump/*.c src/devtree/*.c \
	src/linux/*.c src/qmp/*.c))
CLI_SRC := $(sort $(wildcard src/cli/*.c))
GEN_SRC := $(sort $(wildcard tests/gen/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
# Independent readers the tests use, one binary each (build/kdump-check).
TOOL_SRC := $(sort $(wildcard tests/tools/*.c))
# libFuzzer harnesses (make fuzz), built with SAN=fuzz.
FUZZ_SRC := $(sort $(wildcard tests/fuzz/*.c))

# Every public header (a *_priv.h is private to its folder), for the unit test
# that includes them all together (tests/unit/test_headers.c).
PUBLIC_HDRS := $(filter-out %_priv.h,$(sort $(wildcard src/*/*.h src/*/*/*.h)))
ALL_HDRS_H := $(BUILD)/gen/all_headers.h

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
GEN_OBJ := $(GEN_SRC:%.c=$(BUILD)/%.o)
UNIT_OBJ := $(UNIT_SRC:%.c=$(BUILD)/%.o)
TOOL_OBJ := $(TOOL_SRC:%.c=$(BUILD)/%.o)
TOOLS := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/%)
FUZZ_OBJ := $(FUZZ_SRC:%.c=$(BUILD)/%.o)
FUZZERS := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/%)
DEPS := $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(GEN_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(TOOL_OBJ:.o=.d) \
	$(FUZZ_OBJ:.o=.d)

BIN := $(BUILD)/mpiplctl
GEN := $(BUILD)/mpipl-mkimage
UNIT := $(BUILD)/unit-tests
LIBA := $(BUILD)/libmpipl.a
# The kdump writer driven from an ELF vmcore (make bench).

.PHONY: FORCE all deps demo check check-qemu test test-unit test-e2e test-crash check-crash \
	check-asan bench fuzz fuzzers install clean tools

all: $(BIN) $(GEN)

# Quiet by default; make V=1 shows the commands.
ifeq ($(V),1)
Q :=
else
Q := @
endif

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(LIBA): $(LIB_OBJ)
	@rm -f $@
	$(Q)$(AR) rcs $@ $^

$(BIN): $(CLI_OBJ) $(LIBA)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $(CLI_OBJ) $(LIBA) $(LIBS) $(LDFLAGS)

# The generator shares no code with mpiplctl, so tests compare two implementations.
$(GEN): $(GEN_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $(GEN_OBJ) $(LDFLAGS)

tools: $(TOOLS)

$(TOOLS): $(BUILD)/%: $(BUILD)/tests/tools/%.o $(LIBA)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(LIBA) $(LIBS) $(TOOL_LIBS) $(LDFLAGS)

# kdump-check reads kdump files through libkdumpfile and ELF vmcores through
# libelf only (it calls none of our code): the one user of both libraries.
$(BUILD)/kdump-check: TOOL_LIBS = $(shell $(PKG_CONFIG) --libs libkdumpfile libelf 2>/dev/null \
	|| echo -lkdumpfile -lelf)

fuzzers: $(FUZZERS)

$(FUZZERS): $(BUILD)/%: $(BUILD)/tests/fuzz/%.o $(LIBA)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -o $@ $< $(LIBA) $(LIBS) $(LDFLAGS)

# Rewritten only when the list changes, so that nothing rebuilds for nothing.
$(ALL_HDRS_H): FORCE
	@mkdir -p $(dir $@)
	@printf '#include "%s"\n' $(abspath $(PUBLIC_HDRS)) > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

$(BUILD)/tests/unit/test_headers.o: $(ALL_HDRS_H)
$(BUILD)/tests/unit/test_headers.o: ALL_CFLAGS += -I$(BUILD)/gen

FORCE:

$(UNIT): $(UNIT_OBJ) $(LIBA)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $(UNIT_OBJ) $(LIBA) $(LIBS) $(CRITERION_LIBS) $(LDFLAGS)

-include $(DEPS)

deps:
	@scripts/install-deps

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo $(BUILD)

test-unit: $(UNIT)
	$(UNIT) --jobs 2

test-e2e: $(BIN) $(GEN) tools
	MPIPLCTL=$(abspath $(BIN)) MKIMAGE=$(abspath $(GEN)) KDUMPCHECK=$(abspath $(BUILD)/kdump-check) \
		/usr/bin/python3 tests/e2e/run.py

test: test-unit test-e2e

# crash reads the vmcores of the plain build only: the e2e tests already run
# every writer under the sanitizers, and a crash session costs 10-20 s.
test-crash: $(BIN)
	MPIPLCTL=$(abspath $(BIN)) /usr/bin/python3 tests/crash/run.py

check-crash: deps
	@tests/crash/setup-crash
	@MPIPL_CRASH_REQUIRED=1 $(MAKE) --no-print-directory test-crash

# The sanitizer pass reuses the same tests with an instrumented build.
check-asan:
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		$(MAKE) --no-print-directory BUILD=$(BUILD)/asan SAN=1 test

check: deps
	@$(MAKE) --no-print-directory test
	@$(MAKE) --no-print-directory test-crash
	@$(MAKE) --no-print-directory check-asan
	@echo "make check: all tests passed (plain and ASan+UBSan)"

# The guests come from fixtures/make-qemu-fixtures' cache (QEMU 10.0, the fadump kernel).
check-qemu: deps
	@$(MAKE) --no-print-directory all
	@fixtures/make-qemu-fixtures --prepare >/dev/null
	MPIPLCTL=$(abspath $(BIN)) /usr/bin/python3 tests/qemu/test_capture_qemu.py

bench: deps
	@scripts/install-deps --bench
	@$(MAKE) --no-print-directory all tools
	@tests/bench/run $(BUILD); a=$$?; tests/bench/kdump $(BUILD); b=$$?; \
		tests/bench/capture $(BUILD); c=$$?; tests/bench/streams $(BUILD); d=$$?; \
		exit $$((a | b | c | d))

# Seeds: every small input the unit tests open (tests/unit/builders.c), all formats.
FUZZ_SECONDS ?= 600
FUZZ_DIR := $(BUILD)/fuzz
fuzz: deps
	@scripts/install-deps --fuzz
	@$(MAKE) --no-print-directory all $(UNIT)
	@rm -rf $(FUZZ_DIR)/seeds $(FUZZ_DIR)/seeds-linux
	@mkdir -p $(FUZZ_DIR)/seeds $(FUZZ_DIR)/corpus $(FUZZ_DIR)/seeds-linux
	@MPIPL_FUZZ_CORPUS=$(abspath $(FUZZ_DIR)/seeds) \
		MPIPL_FUZZ_LINUX_CORPUS=$(abspath $(FUZZ_DIR)/seeds-linux) $(UNIT) --jobs 2 >/dev/null 2>&1
	@echo "fuzz: $$(ls $(FUZZ_DIR)/seeds | wc -l) seed inputs from the unit tests"
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_DIR) SAN=fuzz CC=clang $(FUZZ_DIR)/fuzz_input
	$(FUZZ_DIR)/fuzz_input -max_total_time=$(FUZZ_SECONDS) -timeout=20 -rss_limit_mb=4096 \
		-print_final_stats=1 $(FUZZ_DIR)/corpus $(FUZZ_DIR)/seeds
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_DIR) SAN=fuzz CC=clang $(FUZZ_DIR)/fuzz_linux
	@mkdir -p $(FUZZ_DIR)/corpus-linux
	$(FUZZ_DIR)/fuzz_linux -max_total_time=$(FUZZ_SECONDS) -timeout=20 -rss_limit_mb=4096 \
		-print_final_stats=1 $(FUZZ_DIR)/corpus-linux $(FUZZ_DIR)/seeds-linux
	@MPIPLCTL=$(abspath $(BIN)) MKIMAGE=$(abspath $(GEN)) /usr/bin/python3 tests/e2e/fuzz.py --long

install: $(BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/mpiplctl
	install -m 0644 man/mpiplctl.1 $(DESTDIR)$(MANDIR)/man1/mpiplctl.1

clean:
	rm -rf $(BUILD)
