# SPDX-License-Identifier: GPL-2.0
#
# vigil top-level build.
#
#   make            vigil.ko, build/vigild, build/vigilctl
#   make deps       install every Debian package the project needs (idempotent)
#   make check      deps, build, unit tests, kselftests in a VM, lab scenarios
#   make demo       deps, build, boot a 3-node lab cluster and show it
#   make clean

VIGIL_VERSION := $(shell cat VERSION)

# The lab boots Debian's kernel; the module is built against the headers of
# exactly that kernel. linux-headers-amd64 names it.
KVER ?= $(shell dpkg-query -W -f='$${Depends}' linux-headers-amd64 2>/dev/null | \
	  sed -n 's/^linux-headers-\([^ ,]*\).*/\1/p')
KDIR ?= /usr/src/linux-headers-$(KVER)

B := build

CC ?= cc
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
USER_CFLAGS := -std=gnu11 -O2 -g $(WARN) -D_GNU_SOURCE -isystem uapi \
	-DVIGIL_VERSION='"$(VIGIL_VERSION)"' $(CFLAGS)
NL_CFLAGS = $(shell pkg-config --cflags libnl-genl-3.0)
NL_LIBS = $(shell pkg-config --libs libnl-genl-3.0)
# vigil.conf's syntax (daemon/conf.c).
INI_CFLAGS = $(shell pkg-config --cflags inih)
INI_LIBS = $(shell pkg-config --libs inih)
# The ip resource agent's rtnetlink calls (daemon/agent_ip.c).
ROUTE_CFLAGS = $(shell pkg-config --cflags libnl-route-3.0)
ROUTE_LIBS = $(shell pkg-config --libs libnl-route-3.0)
# The AWS client (daemon/aws/): libcurl with OpenSSL, libxml2.
AWS_CFLAGS = $(shell pkg-config --cflags libcurl libxml-2.0)
AWS_LIBS = $(shell pkg-config --libs libcurl libxml-2.0) -lcrypto

# Sanitizer build for the unit tests.
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all

# Code shared by vigild and vigilctl (netlink client, JSON writer).
LIB_SRC := $(wildcard tools/libvigil/*.c)
LIB_HDR := $(wildcard tools/libvigil/*.h) uapi/linux/vigil.h
# vigilctl check-config runs vigild's own checks: daemon/conf.c.
CONF_SRC := daemon/conf.c daemon/aws_input.c
CONF_HDR := daemon/conf.h daemon/aws_input.h $(wildcard kmod/core/quorum.[ch] kmod/core/lease.[ch])
TOOLS_SRC := $(wildcard tools/*.c) $(LIB_SRC) $(CONF_SRC)
TOOLS_HDR := $(wildcard tools/*.h) $(LIB_HDR) $(CONF_HDR)
DAEMON_SRC := $(wildcard daemon/*.c) $(LIB_SRC)
DAEMON_HDR := $(wildcard daemon/*.h) $(LIB_HDR) $(CONF_HDR)
# The AWS client library and vigil-aws, the program that runs its calls
# for vigild (Documentation/aws.md).
AWS_MAIN := daemon/aws/vigil-aws.c
AWS_LIB_SRC := $(filter-out $(AWS_MAIN),$(wildcard daemon/aws/*.c))
AWS_HDR := $(wildcard daemon/aws/*.h)
KMOD_SRC := $(wildcard kmod/*.c kmod/*.h kmod/core/*.c kmod/core/*.h) Kbuild uapi/linux/vigil.h VERSION

.PHONY: all module deps check demo bench clean unit selftests lab-inputs kver

all: module $(B)/vigild $(B)/vigilctl $(B)/vigil-aws

kver:
	@test -n "$(KVER)" || { echo "vigil: linux-headers-amd64 is not installed; run 'make deps'" >&2; exit 2; }
	@test -d "$(KDIR)" || { echo "vigil: kernel headers not found at $(KDIR); run 'make deps'" >&2; exit 2; }

module: vigil.ko

vigil.ko: $(KMOD_SRC) | kver
	$(MAKE) -C $(KDIR) M=$(CURDIR) VIGIL_VERSION=$(VIGIL_VERSION) modules

$(B)/vigilctl: $(TOOLS_SRC) $(TOOLS_HDR)
	@mkdir -p $(B)
	$(CC) $(USER_CFLAGS) -Itools/libvigil -Idaemon $(NL_CFLAGS) $(INI_CFLAGS) -o $@ $(TOOLS_SRC) $(NL_LIBS) $(INI_LIBS)

$(B)/vigild: $(DAEMON_SRC) $(DAEMON_HDR)
	@mkdir -p $(B)
	$(CC) $(USER_CFLAGS) -Itools/libvigil $(NL_CFLAGS) $(INI_CFLAGS) $(ROUTE_CFLAGS) -o $@ $(DAEMON_SRC) $(NL_LIBS) $(INI_LIBS) $(ROUTE_LIBS)

$(B)/vigil-aws: $(AWS_MAIN) $(AWS_LIB_SRC) $(AWS_HDR)
	@mkdir -p $(B)
	$(CC) $(USER_CFLAGS) -Idaemon/aws $(AWS_CFLAGS) $(INI_CFLAGS) -o $@ $(AWS_MAIN) $(AWS_LIB_SRC) $(AWS_LIBS) $(INI_LIBS)

deps:
	@tools/deps.sh

# --- tests -----------------------------------------------------------------

include tests/unit/unit.mk
include tests/selftests/selftests.mk
include tests/lab/guest/guest.mk

# Everything the lab puts into a node's initramfs.
lab-inputs: all selftests lab-agent

check: deps
	@$(MAKE) --no-print-directory all unit fuzz selftests lab-agent
	@tests/run

demo: deps
	@$(MAKE) --no-print-directory lab-inputs
	@tests/lab/demo

# Benchmarks: measurements, not tests (Documentation/bench.md). 'make
# bench' runs them all (one failing to run does not stop the others);
# 'make bench-cpu' etc. runs one.
BENCHES := detect cpu stress daemon aws
.PHONY: $(addprefix bench-,$(BENCHES))

bench: deps
	@$(MAKE) --no-print-directory lab-inputs
	@rc=0; for b in $(BENCHES); do echo "== bench: $$b"; \
		tests/lab/bench/$$b || { echo "== bench: $$b did not complete" >&2; rc=1; }; \
	done; exit $$rc

$(addprefix bench-,$(BENCHES)): bench-%: deps
	@$(MAKE) --no-print-directory lab-inputs
	@tests/lab/bench/$*

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) VIGIL_VERSION=$(VIGIL_VERSION) clean 2>/dev/null
	rm -rf $(B)
