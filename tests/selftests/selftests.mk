# SPDX-License-Identifier: GPL-2.0
#
# kselftest-harness tests; they run inside a lab VM against the real module
# (see tests/selftests/README.md). The harness headers come from Debian's
# linux-source-6.1 tarball and are extracted at build time, never committed.
# The tests speak raw netlink and link against nothing but libc. The harness
# is included with -isystem: it is not our code and 6.1's trips -Wextra.

KSFT_TARBALL := /usr/src/linux-source-6.1.tar.xz
KSFT_DIR := $(B)/kselftest
KSFT_HDRS := $(KSFT_DIR)/kselftest_harness.h $(KSFT_DIR)/kselftest.h
SELFTEST_SRC := $(wildcard tests/selftests/*.c)
SELFTEST_BIN := $(patsubst tests/selftests/%.c,$(B)/selftests/%,$(SELFTEST_SRC))

$(KSFT_DIR)/kselftest_harness.h: $(KSFT_TARBALL)
	@mkdir -p $(KSFT_DIR)
	tar -xJf $(KSFT_TARBALL) -C $(KSFT_DIR) --strip-components=4 \
		linux-source-6.1/tools/testing/selftests/kselftest_harness.h \
		linux-source-6.1/tools/testing/selftests/kselftest.h
	@touch $@

$(KSFT_DIR)/kselftest.h: $(KSFT_DIR)/kselftest_harness.h

$(B)/selftests/%: tests/selftests/%.c $(wildcard tests/selftests/*.h) $(KSFT_HDRS) uapi/linux/vigil.h VERSION
	@mkdir -p $(B)/selftests
	$(CC) $(USER_CFLAGS) -Wno-missing-prototypes -isystem $(KSFT_DIR) -o $@ $<

selftests: $(SELFTEST_BIN)
