# SPDX-License-Identifier: GPL-2.0-or-later
# mpiplctl: replay the PowerNV MPIPL (OPAL fadump) firmware step offline.
#
#   make            build build/mpiplctl and the sample-image generator
#   make demo       install missing packages, build, run inspect + preserve on a sample
#   make check      install missing packages, build, run every test, then again under
#                   AddressSanitizer + UndefinedBehaviorSanitizer
#   make bench      benchmarks (big images; not part of check)
#   make fuzz       longer randomised bad-input runs (not part of check)
#   make install    PREFIX=/usr/local DESTDIR=

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BUILD ?= build
SAN ?= 0

CC ?= cc
PKG_CONFIG ?= pkg-config
PKGS := libelf zlib libzstd

WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wvla -Wstrict-prototypes \
	-Wmissing-prototypes -Wno-missing-field-initializers \
	-Wno-format-truncation  # messages go to fixed buffers: cutting one short is intended
BASE_CFLAGS := -std=gnu11 -g -D_FILE_OFFSET_BITS=64 -D_GNU_SOURCE $(WARN)
ifeq ($(SAN),1)
OPT := -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
else
OPT := -O2
endif

PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null || echo -lelf -lz -lzstd)
# Debian's libfdt ships no .pc file.
FDT_LIBS = $(shell $(PKG_CONFIG) --libs libfdt 2>/dev/null || echo -lfdt)
CRITERION_LIBS = $(shell $(PKG_CONFIG) --libs criterion 2>/dev/null || echo -lcriterion)

ALL_CFLAGS = $(BASE_CFLAGS) $(OPT) $(PKG_CFLAGS) $(CFLAGS)
LIBS = $(PKG_LIBS) $(FDT_LIBS) -lpthread -lm

LIB_SRC := $(sort $(wildcard src/util/*.c src/snapshot/*.c src/mdst/*.c src/elfcore/*.c \
	src/devtree/*.c))
CLI_SRC := $(sort $(wildcard src/cli/*.c))
GEN_SRC := $(sort $(wildcard tests/gen/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
# Independent readers the tests use, one binary each (build/kdump-check).
TOOL_SRC := $(sort $(wildcard tests/tools/*.c))

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
GEN_OBJ := $(GEN_SRC:%.c=$(BUILD)/%.o)
UNIT_OBJ := $(UNIT_SRC:%.c=$(BUILD)/%.o)
TOOL_OBJ := $(TOOL_SRC:%.c=$(BUILD)/%.o)
TOOLS := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/%)
DEPS := $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(GEN_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(TOOL_OBJ:.o=.d)

BIN := $(BUILD)/mpiplctl
GEN := $(BUILD)/mpipl-mkimage
UNIT := $(BUILD)/unit-tests
LIBA := $(BUILD)/libmpipl.a
# The kdump writer driven from an ELF vmcore (make bench).

.PHONY: all deps demo check test test-unit test-e2e check-asan bench fuzz install clean tools

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

# kdump-check reads kdump files through libkdumpfile only (it calls none of our code).
$(BUILD)/kdump-check: TOOL_LIBS = $(shell $(PKG_CONFIG) --libs libkdumpfile 2>/dev/null || echo -lkdumpfile)

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

# The sanitizer pass reuses the same tests with an instrumented build.
check-asan:
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		$(MAKE) --no-print-directory BUILD=$(BUILD)/asan SAN=1 test

check: deps
	@$(MAKE) --no-print-directory test
	@$(MAKE) --no-print-directory check-asan
	@echo "make check: all tests passed (plain and ASan+UBSan)"

bench: deps
	@$(MAKE) --no-print-directory all tools
	@tests/bench/run $(BUILD); a=$$?; tests/bench/kdump $(BUILD); b=$$?; exit $$((a | b))

fuzz: deps
	@$(MAKE) --no-print-directory all
	@MPIPLCTL=$(abspath $(BIN)) MKIMAGE=$(abspath $(GEN)) /usr/bin/python3 tests/e2e/fuzz.py --long

install: $(BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/mpiplctl
	install -m 0644 man/mpiplctl.1 $(DESTDIR)$(MANDIR)/man1/mpiplctl.1

clean:
	rm -rf $(BUILD)
