# mbox: `make` builds build/mboxd; `make test` runs every test; `make run`
# builds the firmware image and boots it in QEMU (`make run-tap`: mboxd with
# firmware/mbox.cfg straight on TAP ports).  See README.md.

BUILD    ?= build
VERSION  := $(shell git describe --always --dirty 2>/dev/null || echo 0.1.0)
PKGS     := libdpdk libconfig libcrypto
# DPDK headers are included as system headers so -Werror applies to our code.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null | sed 's/-I/-isystem /g')
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

OPT      ?= -O2 -g
CFLAGS   += $(OPT) -std=gnu11 -Wall -Wextra -Werror -DALLOW_EXPERIMENTAL_API \
            -DMBOX_VERSION='"$(VERSION)"' $(PKG_CFLAGS)

# The layers (docs/design.md): each folder sees only the headers it may
# use, so a wrong include fails the build.  The core's public API is
# firmware/*.h; firmware/internal/ is the core's own.  Elements and the
# management side see the API only; firmware/main.c alone sees both sides.
INCLUDES_firmware := -Ifirmware -Ifirmware/internal
INCLUDES_elements := -Ielements -Ifirmware
INCLUDES_agent    := -Iagent -Ifirmware
INCLUDES_tests    := -Itests/unit -Itests/fault -Ielements -Ifirmware -Ifirmware/internal -Iagent -Itools/gen
INCLUDES_tools    := -Itools/gen
INCLUDES_MAIN     := $(INCLUDES_firmware) -Iagent
includes = $(if $(filter firmware/main.c,$(1)),$(INCLUDES_MAIN),$(INCLUDES_$(firstword $(subst /, ,$(1)))))
LDLIBS   += $(PKG_LIBS) -lnetsnmpagent -lnetsnmp

CORE_SRCS := $(filter-out firmware/main.c,$(wildcard firmware/*.c))
ELEM_SRCS := $(wildcard elements/*.c)
LIB_OBJS  := $(patsubst %.c,$(BUILD)/%.o,$(CORE_SRCS) $(ELEM_SRCS))
AGENT_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(wildcard agent/*.c))
# The management side's configuration sections (no Net-SNMP in them): the
# unit tests and fuzzers read whole configurations, snmp section included.
SECTION_OBJS := $(BUILD)/agent/sections.o
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
GEN_OBJS  := $(patsubst %.c,$(BUILD)/%.o,$(wildcard tools/gen/*.c))
ASAN_OPT  := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined

# Fault injection (tests/fault/fault.h): the linker wraps every function
# tests/fault/fault.c defines a __wrap_ for (allocators, table creation,
# the change paths).  `make fault` builds build-fault/mboxd with it, under
# ASan (FAULT=1 in that build); the change and agent unit tests always
# link it.
comma := ,
FAULT_WRAPS   := $(shell grep -o '__wrap_[a-z_]*' tests/fault/fault.c | sort -u | cut -c8-)
FAULT_LDFLAGS := $(patsubst %,-Wl$(comma)--wrap=%,$(FAULT_WRAPS)) -Wl,--export-dynamic
FAULT_OBJS    := $(BUILD)/tests/fault/fault.o
FAULT_BUILD   := build-fault
ifeq ($(FAULT),1)
MBOXD_FAULT_OBJS := $(FAULT_OBJS)
MBOXD_LDFLAGS    := $(FAULT_LDFLAGS)
endif

# Keep objects make would treat as intermediate.
.SECONDARY:

.PHONY: all deps test test-fast coverage unit asan fault lint fuzz fuzz-build bench rfc2544 run run-tap hugepages clean

all: $(BUILD)/mboxd $(BUILD)/mbox-gen $(UNIT_BINS)

deps:
	@tools/deps.sh

# Every build first makes sure the Debian packages are there (fast when they are).
$(BUILD)/.deps: tools/deps.sh
	@tools/deps.sh
	@mkdir -p $(@D) && touch $@

$(BUILD)/%.o: %.c $(wildcard firmware/*.h firmware/internal/*.h agent/*.h elements/*.h tests/unit/*.h tools/gen/*.h) | $(BUILD)/.deps
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) $(call includes,$<) -c -o $@ $<

$(BUILD)/mboxd: $(BUILD)/firmware/main.o $(LIB_OBJS) $(AGENT_OBJS) $(MBOXD_FAULT_OBJS)
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(MBOXD_LDFLAGS) $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(BUILD)/tests/unit/harness.o $(LIB_OBJS) $(SECTION_OBJS)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

# The RFC 2544 generator (tools/rfc2544) needs DPDK only; its statistics
# have a unit test.
$(BUILD)/mbox-gen: $(GEN_OBJS)
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(PKG_LIBS)

$(BUILD)/tests/test_flow_stats: $(BUILD)/tools/gen/flow_stats.o
# The MIB tables the subagent serves, checked against mib/MBOX-MIB.txt.
$(BUILD)/tests/test_mib_oids: $(patsubst %,$(BUILD)/agent/%.o,tables objects monitor)

# The change transaction and the agent's SET logic, with faults injected.
$(BUILD)/tests/test_change $(BUILD)/tests/test_agent_set: $(FAULT_OBJS) $(BUILD)/tests/unit/dataplane_fixture.o
$(BUILD)/tests/test_change $(BUILD)/tests/test_agent_set: LDFLAGS += $(FAULT_LDFLAGS)
$(BUILD)/tests/test_agent_set: $(AGENT_OBJS)
# Several workers at the switch hand-over, on the same running data plane.
$(BUILD)/tests/test_workers: $(BUILD)/tests/unit/dataplane_fixture.o

fault:
	@$(MAKE) --no-print-directory BUILD=$(FAULT_BUILD) FAULT=1 OPT="$(ASAN_OPT)" $(FAULT_BUILD)/mboxd

hugepages:
	@tools/hugepages.sh

test: all fault
	@tools/hugepages.sh
	@MBOXD=$(BUILD)/mboxd MBOXD_FAULT=$(FAULT_BUILD)/mboxd UNIT_DIR=$(BUILD)/tests tests/run.sh

# The fast tier, for every change: unit tests, --check and pcap cases, the
# quick scripts (tests/fast-tier); under two minutes.
test-fast: all
	@tools/hugepages.sh
	@MBOXD=$(BUILD)/mboxd UNIT_DIR=$(BUILD)/tests tests/run.sh fast

# The whole suite again with AddressSanitizer and UndefinedBehaviorSanitizer.
asan:
	$(MAKE) BUILD=build-asan OPT="$(ASAN_OPT)" test

# Line coverage of the C code (gcov + lcov): the tests (COVERAGE_TIER=fast
# for the fast tier only) against a --coverage build in build-cov/, then
# tools/coverage: per-file table, files under 70%, the uncovered lines of
# the change path.  The HTML report is build-cov/html/index.html.
COVERAGE_TIER ?=
coverage: fault
	@find build-cov -name '*.gcda' -delete 2>/dev/null || true
	$(MAKE) BUILD=build-cov OPT="-O0 -g --coverage" all
	@tools/hugepages.sh
	-@MBOXD=build-cov/mboxd MBOXD_FAULT=$(FAULT_BUILD)/mboxd UNIT_DIR=build-cov/tests tests/run.sh $(COVERAGE_TIER) | tail -2
	@tools/coverage build-cov

# libFuzzer targets (tests/fuzz/), built with clang, ASan and UBSan in
# build-fuzz/: the configuration parser, SNMP SET values, every element's
# packet processing.  `make fuzz` runs each for FUZZ_SECONDS (corpora
# grow in build-fuzz/corpus/); a crash leaves its input in build-fuzz/.
# The configuration and SET fuzzers share tests/fuzz/config.dict: the
# libconfig grammar, mboxd's names and the integers where readings wrap.
FUZZ_SECONDS ?= 60
FUZZERS := config set packets
fuzz-build:
	$(MAKE) BUILD=build-fuzz CC=clang OPT="-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined" \
		$(patsubst %,build-fuzz/fuzz/fuzz_%,$(FUZZERS))

$(BUILD)/fuzz/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/tests/unit/harness.o $(LIB_OBJS) $(SECTION_OBJS)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDFLAGS) $(LDLIBS)

fuzz: fuzz-build
	@for f in $(FUZZERS); do \
		mkdir -p build-fuzz/corpus/$$f; \
		echo "== fuzz_$$f for $(FUZZ_SECONDS) s"; \
		seeds="tests/fuzz/seeds/$$f tests/fuzz/found/$$f"; [ $$f = config ] && seeds="firmware/examples $$seeds"; \
		dict=; [ $$f = packets ] || dict=-dict=tests/fuzz/config.dict; \
		LSAN_OPTIONS=suppressions=tests/fuzz/lsan.supp build-fuzz/fuzz/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) -max_len=2048 -print_final_stats=1 $$dict \
			-artifact_prefix=build-fuzz/crash-$$f- build-fuzz/corpus/$$f $$seeds \
			> build-fuzz/fuzz_$$f.log 2>&1; rc=$$?; \
		grep -E "^stat::number_of_executed_units|ERROR|SUMMARY|Test unit written" build-fuzz/fuzz_$$f.log; \
		[ $$rc -eq 0 ] || { echo "fuzz_$$f: exit status $$rc (build-fuzz/fuzz_$$f.log)"; exit 1; }; \
		[ -z "$$(ls build-fuzz/crash-$$f-* 2>/dev/null)" ] || { echo "fuzz_$$f: crash found: fix it and keep" \
			"the input in tests/fuzz/found/$$f/ (tests/fuzz/found/README)"; exit 1; }; \
	done

# Every input a fuzzer ever found a bug with (tests/fuzz/found/) and every
# seed, run once each: deterministic, part of make test (test_fuzz.py).
fuzz-replay: fuzz-build
	@for f in $(FUZZERS); do \
		inputs=$$(find tests/fuzz/seeds/$$f tests/fuzz/found/$$f -type f ! -name README ! -name '.*' 2>/dev/null); \
		[ $$f = config ] && inputs="$$inputs $$(ls firmware/examples/*.cfg)"; \
		LSAN_OPTIONS=suppressions=tests/fuzz/lsan.supp build-fuzz/fuzz/fuzz_$$f $$inputs \
			> build-fuzz/replay_$$f.log 2>&1 || { tail -30 build-fuzz/replay_$$f.log; \
			echo "fuzz_$$f: an input of tests/fuzz/{seeds,found}/$$f fails again (build-fuzz/replay_$$f.log)"; exit 1; }; \
		echo "fuzz_$$f: replayed $$(grep -c '^Running: ' build-fuzz/replay_$$f.log) inputs"; \
	done

# Static analysis of the project's C code: cppcheck, then clang-tidy
# (clang's analyzer and the bugprone checks, less the ones that only
# restate house style: !strcmp(), swappable parameters, narrowing).
TIDY_CHECKS := -*,clang-analyzer-*,-clang-analyzer-valist.Uninitialized,-clang-analyzer-security.insecureAPI.*
TIDY_CHECKS := $(TIDY_CHECKS),bugprone-*,-bugprone-easily-swappable-parameters,-bugprone-reserved-identifier
TIDY_CHECKS := $(TIDY_CHECKS),-bugprone-narrowing-conversions,-bugprone-implicit-widening-of-multiplication-result
TIDY_CHECKS := $(TIDY_CHECKS),-bugprone-suspicious-string-compare,-bugprone-branch-clone
# The Python of the tests and tools (pyflakes: unused names, undefined ones).
PY_SRCS := $(wildcard tests/integration/*.py images/*.py tools/mboxlib/*.py tools/mboxlib/benches/*.py) \
	$(shell grep -ls '^\#!/usr/bin/env python3' tools/*)
lint: | $(BUILD)/.deps
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability --std=c11 --inline-suppr \
		$(INCLUDES_tests) --suppress=missingIncludeSystem \
		firmware elements agent tests/unit tests/fault tools/gen
	clang-tidy --quiet --warnings-as-errors='*' -checks='$(TIDY_CHECKS)' $(CORE_SRCS) $(ELEM_SRCS) \
		$(wildcard agent/*.c tools/gen/*.c) firmware/main.c -- $(filter-out -W% -O% -g,$(CFLAGS)) $(INCLUDES_tests)
	pyflakes3 $(PY_SRCS)
	tools/check-layers

bench: all
	@tools/hugepages.sh
	@tools/bench

# All three DUTs; 16384-slot rings ride out this VM's vCPU stalls of a few
# ms, which with 1024 slots cap every DUT's zero-loss rate near 0.5 Mpps.
rfc2544: all
	@tools/hugepages.sh
	@tools/rfc2544 --chain --ring-size 16384

# The main job: build the firmware image and boot it in QEMU (images/image.mk).
run: run-image

# Development: mboxd straight on this machine, on TAP ports in namespaces.
run-tap: all
	@tools/hugepages.sh
	tools/run-tap.sh $(BUILD)/mboxd firmware/mbox.cfg

# make image, make run-image and the flash helper: images/image.mk
-include images/image.mk

clean:
	rm -rf build build-asan build-fuzz build-cov $(FAULT_BUILD)
