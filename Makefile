# reuselab: build, test, install.  `make V=1` shows full commands, `make SAN=1`
# builds with address and undefined-behaviour sanitizers.
PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR  := $(PREFIX)/bin
MANDIR  := $(PREFIX)/share/man
COMPDIR := $(PREFIX)/share/bash-completion/completions
TOPODIR := $(PREFIX)/share/reuselab/topologies
LIBEXECDIR := $(PREFIX)/libexec/reuselab

VERSION := 0.1.0
PKGS    := libmnl libnl-3.0 libnl-route-3.0 yaml-0.1 json-c
DEBS    := build-essential pkg-config libmnl-dev libnl-3-dev libnl-route-3-dev \
           libyaml-dev libjson-c-dev libcmocka-dev bats iproute2 iputils-ping jq graphviz \
           python3-jsonschema valgrind strace chromium uidmap

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wvla -Wno-unused-parameter
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS = -std=gnu11 -pthread $(WARN) $(CFLAGS) -D_GNU_SOURCE -DREUSELAB_VERSION='"$(VERSION)"' \
             -I. -I$(BUILD) $(PKG_CFLAGS) -MMD -MP
# Test builds (make check, make asan) compile in the fault-injection hook
# (REUSELAB_FAULT_AT); release builds ignore that variable.
ifeq ($(SAN),1)
ALL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -DREUSELAB_TESTING=1
LDFLAGS    += -fsanitize=address,undefined
BUILD      := build/san
else ifeq ($(TESTING),1)
ALL_CFLAGS += -DREUSELAB_TESTING=1
BUILD      := build/test
else
BUILD      := build/rel
endif

ifeq ($(V),1)
Q :=
else
Q := @
endif

LIB_SRC  := $(sort $(filter-out lab/cli/main.c,$(wildcard lab/*/*.c netns/*.c)))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: FORCE docs all daytimed deps deps-fuzz deps-kernels install-debs check unit integration asan clean install bench fuzz format test-build test-run reuselab
all: reuselab daytimed

# Copy then rename: replacing a binary that is running must not fail.
reuselab: $(BUILD)/reuselab
	$(Q)cp $< $@.tmp && mv -f $@.tmp $@
test-build: $(BUILD)/reuselab $(BUILD)/daytimed $(UNIT_BIN)

# Programs that cases start (`start daytimed`): reuselab finds them beside
# its own binary (./daytimed, build/*/daytimed) or in $(LIBEXECDIR).
daytimed: $(BUILD)/daytimed
	$(Q)cp $< $@.tmp && mv -f $@.tmp $@
$(BUILD)/daytimed: programs/daytimed.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(LDFLAGS)

$(BUILD)/reuselab: $(BUILD)/lab/cli/main.o $(LIB_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDFLAGS) $(PKG_LIBS)

# Where the shipped labs are installed, compiled in; rewritten only when
# PREFIX changes, so `make install PREFIX=...` rebuilds what depends on it.
$(BUILD)/topodir.h: FORCE
	@mkdir -p $(dir $@)
	@echo '#define REUSELAB_TOPODIR "$(TOPODIR)"' >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv -f $@.tmp $@; fi
$(BUILD)/lab/cli/cmd_labs.o: $(BUILD)/topodir.h
$(BUILD)/libexecdir.h: FORCE
	@mkdir -p $(dir $@)
	@echo '#define REUSELAB_LIBEXECDIR "$(LIBEXECDIR)"' >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv -f $@.tmp $@; fi
$(BUILD)/lab/probe/probe_spawn.o: $(BUILD)/libexecdir.h
FORCE:

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The dependency file is hidden (.test_x.d) so that build/*/tests/test_* are
# only the test programs (land.sh and scripts run each of them).  Linked from
# $< and the objects, not $^: that also holds the headers the .d file names,
# and a header since removed would be handed to the compiler.
$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CCLD    $@")
	@rm -f $@.d
	$(Q)$(CC) $(ALL_CFLAGS) -MF $(dir $@).$*.d -o $@ $< $(LIB_OBJ) $(LDFLAGS) $(PKG_LIBS) -lcmocka

# Installs only what is missing; a no-op (one dpkg query) when all is present.
# `make deps-fuzz` adds clang for `make fuzz` (kept apart: it is large).
deps:
	@$(MAKE) --no-print-directory install-debs PKGS_WANTED="$(DEBS)"

deps-fuzz:
	@$(MAKE) --no-print-directory install-debs PKGS_WANTED="clang"

# `make deps-kernels`: QEMU, busybox, cpio, and Debian's newest 6.1 cloud
# kernel unpacked (dpkg-deb -x, nothing installed, /boot untouched) into
# $(KERNEL_CACHE)/RELEASE/{boot,lib/modules}, where `reuselab kernels` looks.
KERNEL_CACHE ?= /var/cache/reuselab/kernels
KERNEL_DEBS  ?= $(shell apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-cloud-amd64-unsigned$$' 2>/dev/null | cut -d' ' -f1 | sort -V | tail -n1)
deps-kernels:
	@$(MAKE) --no-print-directory install-debs PKGS_WANTED="qemu-system-x86 busybox-static cpio kmod"
	@[ -n "$(KERNEL_DEBS)" ] || { echo "deps-kernels: no linux-image-6.1.0-*-cloud-amd64-unsigned in apt's lists (apt-get update?)"; exit 2; }
	$(Q)tests/tools/fetch-kernel "$(KERNEL_CACHE)" $(KERNEL_DEBS)

install-debs:
	@missing=$$(for p in $(PKGS_WANTED); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	else echo "deps: all present"; fi

# Tests run the binary of the test build ($(BUILD)/reuselab via $$REUSELAB).
# `make check T=tests/integration/lab.bats` runs one bats file.
check:
	$(Q)$(MAKE) --no-print-directory TESTING=1 test-build
	$(Q)tests/run-all build/test $(T)

asan:
	$(Q)$(MAKE) --no-print-directory SAN=1 test-build
	$(Q)ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 tests/run-all build/san $(T)

bench: reuselab
	$(Q)tests/bench/run

fuzz:
	@command -v clang >/dev/null || { echo "make fuzz needs clang: run 'make deps-fuzz'"; exit 2; }
	$(Q)$(MAKE) --no-print-directory -C tests/fuzz run

install: reuselab daytimed
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(COMPDIR) $(DESTDIR)$(TOPODIR) $(DESTDIR)$(LIBEXECDIR)
	install -m 0755 reuselab $(DESTDIR)$(BINDIR)/reuselab
	install -m 0755 daytimed $(DESTDIR)$(LIBEXECDIR)/daytimed
	install -m 0644 docs/reuselab.1 $(DESTDIR)$(MANDIR)/man1/reuselab.1
	install -m 0644 docs/reuselab-topology.5 $(DESTDIR)$(MANDIR)/man5/reuselab-topology.5
	install -m 0644 docs/reuselab-cases.7 $(DESTDIR)$(MANDIR)/man7/reuselab-cases.7
	install -m 0644 docs/reuselab.bash-completion $(DESTDIR)$(COMPDIR)/reuselab
	install -m 0644 topologies/*.yml $(DESTDIR)$(TOPODIR)

# The STEPS section of reuselab-cases(7) comes from the step table
# (lab/probe/probe_steps.c); a test fails when it is stale.
docs:
	$(Q)$(MAKE) --no-print-directory TESTING=1 test-build
	$(Q)tests/tools/steps-man build/test/reuselab docs/reuselab-cases.7

format:
	clang-format -i lab/*/*.c lab/*/*.h netns/*.c netns/*.h tests/unit/*.c

clean:
	rm -rf build reuselab daytimed

-include $(shell find build -name '*.d' 2>/dev/null)
