# SPDX-License-Identifier: GPL-2.0-or-later
# xborder: one entry point. `make help` lists the targets.
#
# Layout of outputs: everything goes to $(BUILD) (build/, or build/asan and
# build/ubsan with ASAN=1 / UBSAN=1), never into the source tree.

.DEFAULT_GOAL := all
SHELL := /bin/bash
# Build on every CPU unless the command line says otherwise (-jN wins).
ifeq ($(filter -j%,$(MAKEFLAGS)),)
MAKEFLAGS += -j$(shell nproc)
endif

ASAN ?= 0
UBSAN ?= 0
ifeq ($(ASAN),1)
BUILD ?= build/asan
else ifeq ($(UBSAN),1)
BUILD ?= build/ubsan
else
BUILD ?= build
endif
# BPF objects, the kselftest headers and VM images do not depend on the
# sanitizer switch: they always live in the plain build tree.
SHARED := build

CC ?= gcc
CLANG ?= clang
BPFTOOL ?= bpftool
PKG_CONFIG ?= pkg-config

# Libraries the userspace links against (Debian packages, install-deps.sh).
PKGS := libbpf libelf zlib jansson libconfig libosip2 openssl ldns \
	libnl-3.0 libnl-genl-3.0 libnl-xfrm-3.0 libnl-route-3.0 libsrtp2
DEPS_STAMP := $(SHARED)/.deps-stamp

WARN := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wformat=2 \
	-Wstrict-prototypes -Wmissing-prototypes
CFLAGS ?= -O2 -g
XB_CFLAGS = $(WARN) -std=gnu11 -D_GNU_SOURCE -Iinclude -Iinclude/uapi \
	-Iuserspace -I$(SHARED)/bpf -isystem $(SHARED)/kselftest -fno-strict-aliasing
SAN :=
ifeq ($(ASAN),1)
SAN += -fsanitize=address -fno-omit-frame-pointer
endif
ifeq ($(UBSAN),1)
SAN += -fsanitize=undefined -fno-sanitize-recover=undefined
endif
LDLIBS_XB = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lpthread -lm
CFLAGS_PKGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)

# ---------------------------------------------------------------- deps
# Install missing Debian packages once; the stamp is remade when the
# script changes.
$(DEPS_STAMP): scripts/install-deps.sh
	@mkdir -p $(@D)
	@scripts/install-deps.sh
	@touch $@

deps: $(DEPS_STAMP)

# ---------------------------------------------------------------- kselftest
# The kselftest harness comes from Debian's linux-source-6.1 tarball,
# extracted into the build tree once (never committed).
KSFT_TARBALL := /usr/src/linux-source-6.1.tar.xz
KSFT_HDRS := $(SHARED)/kselftest/kselftest_harness.h $(SHARED)/kselftest/kselftest.h

$(KSFT_HDRS) &: | $(DEPS_STAMP)
	@mkdir -p $(SHARED)/kselftest
	@echo "  KSFT    extracting harness from $(KSFT_TARBALL)"
	@tar -xJf $(KSFT_TARBALL) -C $(SHARED)/kselftest --strip-components=4 \
		--wildcards '*/tools/testing/selftests/kselftest_harness.h' \
		'*/tools/testing/selftests/kselftest.h'
	@touch $(KSFT_HDRS)

# ---------------------------------------------------------------- BPF
# Each bpf/NAME.bpf.c becomes $(SHARED)/bpf/NAME.bpf.o and a libbpf
# skeleton $(SHARED)/bpf/NAME.skel.h.
BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(SHARED)/bpf/%.bpf.o,$(BPF_SRCS))
BPF_SKELS := $(BPF_OBJS:.bpf.o=.skel.h)
BPF_CFLAGS := -O2 -g -target bpf -Wall -Werror -Iinclude/uapi -Ibpf \
	-I/usr/include/$(shell uname -m)-linux-gnu -D__TARGET_ARCH_x86

$(SHARED)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) $(wildcard include/uapi/xborder/*.h) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  BPF     $@"
	@$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(SHARED)/bpf/%.skel.h: $(SHARED)/bpf/%.bpf.o
	@echo "  SKEL    $@"
	@$(BPFTOOL) gen skeleton $< name $(subst -,_,$*) > $@.tmp && mv $@.tmp $@

bpf: $(BPF_OBJS) $(BPF_SKELS)

# ---------------------------------------------------------------- userspace
# userspace/DIR/ is a program named DIR when it has a main.c, otherwise a
# library subsystem; all library subsystems form libxborder.a.
US_DIRS := $(patsubst userspace/%/,%,$(sort $(dir $(wildcard userspace/*/*.c))))
PROG_DIRS := $(patsubst userspace/%/main.c,%,$(wildcard userspace/*/main.c))
LIB_DIRS := $(filter-out $(PROG_DIRS),$(US_DIRS))
LIB_SRCS := $(foreach d,$(LIB_DIRS),$(wildcard userspace/$(d)/*.c))
LIB_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRCS))
LIBXB := $(BUILD)/libxborder.a
PROGS := $(addprefix $(BUILD)/bin/,$(PROG_DIRS))
US_HDRS := $(wildcard userspace/*/*.h include/uapi/xborder/*.h)

$(BUILD)/%.o: %.c $(US_HDRS) $(BPF_SKELS) $(KSFT_HDRS) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	@$(CC) $(CFLAGS) $(XB_CFLAGS) $(CFLAGS_PKGS) $(SAN) -c $< -o $@

$(LIBXB): $(LIB_OBJS)
	@mkdir -p $(@D)
	@echo "  AR      $@"
	@# thin: members are named by path, so sip/route.o and dns/route.o can coexist
	@rm -f $@ && ar --thin -rcs $@ $^

.SECONDEXPANSION:
# (foreach, not patsubst: in a pattern rule make would put the stem into
# patsubst's own %.)
$(BUILD)/bin/%: $$(foreach f,$$(wildcard userspace/$$*/*.c),$(BUILD)/$$(basename $$f).o) $(LIBXB)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(SAN) -o $@ $^ $(LDLIBS_XB)

userspace: $(PROGS)

# ---------------------------------------------------------------- tests
# tests/unit/*.c and tests/bpf/*.c: one kselftest binary per file, linked
# with libxborder.a.
UNIT_BINS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/*.c))
BPFT_BINS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/bpf/*.c))
BENCH_BINS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/bench/*.c))

# The kselftest harness (6.1) is not written for these two warnings.
$(BUILD)/tests/%.o: WARN += -Wno-missing-prototypes -Wno-sign-compare

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(LIBXB)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(SAN) -o $@ $^ $(LDLIBS_XB)

# Fuzz targets: clang + libFuzzer + ASan, library rebuilt with coverage.
FUZZ_SRCS := $(wildcard tests/fuzz/*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(SHARED)/fuzz/%,$(FUZZ_SRCS))
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer-no-link,address,undefined
FUZZ_LIB_OBJS := $(patsubst %.c,$(SHARED)/fuzz/obj/%.o,$(LIB_SRCS))

$(SHARED)/fuzz/obj/%.o: %.c $(US_HDRS) $(BPF_SKELS) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  FUZZCC  $@"
	@$(CLANG) $(FUZZ_FLAGS) $(filter-out -Wstrict-prototypes,$(XB_CFLAGS)) $(CFLAGS_PKGS) -c $< -o $@

$(SHARED)/fuzz/%: $(SHARED)/fuzz/obj/tests/fuzz/%.o $(FUZZ_LIB_OBJS)
	@echo "  FUZZLD  $@"
	@$(CLANG) -fsanitize=fuzzer,address,undefined -o $@ $^ $(LDLIBS_XB)

fuzz-build: $(FUZZ_BINS)

# ---------------------------------------------------------------- module
# xborder.ko is built against the headers of the kernel it will run in:
# the VM's Debian kernel by default (KVER, following VMTEST_ARGS' --kernel),
# or KDIR=... for another. The result goes to $(SHARED)/module/RELEASE/,
# where the VM tests find it. Headers without a vmlinux to take the base
# BTF from (Debian's 6.1) get Kbuild's BTF step switched off and done by
# scripts/module-btf.sh instead (Documentation/kernel-module.md).
KVER ?= $(shell scripts/vmtest.sh --print-kver $(VMTEST_ARGS) 2>/dev/null)
KDIR ?= /usr/src/linux-headers-$(KVER)
module:
	@if [ -n "$(wildcard kernel/*.c)" ] && [ -d "$(KDIR)" ]; then \
		set -e; rel=$$(sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' \
			$(KDIR)/include/generated/utsrelease.h); \
		$(MAKE) -C $(KDIR) M=$(CURDIR) modules \
			$(if $(wildcard $(KDIR)/vmlinux),,CONFIG_DEBUG_INFO_BTF_MODULES=); \
		scripts/module-btf.sh $(KDIR) $$rel kernel/xborder.ko; \
		mkdir -p $(SHARED)/module/$$rel; \
		cp kernel/xborder.ko $(SHARED)/module/$$rel/xborder.ko; \
		echo "  MODULE  $(SHARED)/module/$$rel/xborder.ko"; \
	else \
		echo "  MODULE  skipped: no kernel sources in kernel/ or no headers at '$(KDIR)'"; \
	fi

# ---------------------------------------------------------------- top level
all: bpf userspace $(UNIT_BINS) $(BPFT_BINS) $(BENCH_BINS)

check: all fuzz-build module
	@tests/run.sh --build $(BUILD)

vmtest: all module
	@scripts/vmtest.sh $(VMTEST_ARGS) tests/vm/*.sh

bench: all
	@tests/bench/run.sh --build $(BUILD)

demo: all
	@scripts/demo.sh --build $(BUILD)

fuzz: fuzz-build
	@tests/fuzz/run.sh --build $(SHARED) --seconds $${FUZZ_SECONDS:-300}

PREFIX ?= /usr/local
install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/lib/xborder
	install -m 0755 $(PROGS) $(DESTDIR)$(PREFIX)/sbin/
	install -m 0644 $(BPF_OBJS) $(DESTDIR)$(PREFIX)/lib/xborder/

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

# (not through Kbuild: working out KDIR would ask apt for the VM kernel)
clean:
	rm -rf build
	rm -f kernel/*.o kernel/*.ko kernel/*.mod kernel/*.mod.c kernel/.*.cmd \
		kernel/modules.order Module.symvers modules.order .*.cmd .module-common.o

help:
	@echo "targets: all check bench demo vmtest fuzz install clean format module deps"
	@echo "switches: ASAN=1 UBSAN=1 (separate build trees), VMTEST_ARGS='--kernel 6.12'"

.PHONY: all check vmtest bench demo fuzz fuzz-build install format clean help deps bpf userspace module
.SECONDARY:
