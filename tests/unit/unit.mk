# SPDX-License-Identifier: GPL-2.0
#
# Userspace unit tests, built with ASan and UBSan. Each tests/unit/test_*.c
# is one binary that prints TAP; tests/run counts its results.
#
# Tests of the tools include the .c files they test (their static parsers
# and printers are in reach); tests/unit/capture.h reads back what they
# print.
#
# Tests of the kernel's pure logic (kmod/core/) include tests/unit/seam.h,
# the userspace stand-in of kmod/core/seam.h, and then the core .c files;
# vigil_mac() comes from libcrypto.
#
#   make unit        build/unit/test_*
#   make fuzz        build/fuzz/fuzz_wire (libFuzzer) and its seed corpus
#                    build/fuzz/corpus/, build/fuzz/fuzz_conf (vigil.conf's
#                    parser) and its seeds build/fuzz/corpus-conf/ (the
#                    example files); run them with tests/unit/run-fuzz
#   make fuzz-long   the same, then an hour of fuzzing (FUZZ_SECONDS)

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(B)/unit/%,$(UNIT_SRC))
CORE_SRC := $(wildcard kmod/core/*.c kmod/core/*.h) tests/unit/seam.h
CRYPTO_LIBS := -lcrypto

$(B)/unit/%: tests/unit/%.c tests/unit/tap.h tests/unit/capture.h $(LIB_HDR) $(LIB_SRC) $(CORE_SRC) \
		$(wildcard daemon/*.c daemon/*.h daemon/aws/*.c daemon/aws/*.h tools/*.c tools/*.h) \
		$(wildcard Documentation/examples/*.conf)
	@mkdir -p $(B)/unit
	$(CC) $(USER_CFLAGS) -Wno-missing-prototypes $(SAN_FLAGS) -O1 \
		-Itools/libvigil -Idaemon -Itests/unit $(NL_CFLAGS) $(INI_CFLAGS) $(ROUTE_CFLAGS) $(AWS_CFLAGS) -o $@ $< \
		$(NL_LIBS) $(CRYPTO_LIBS) $(INI_LIBS) $(ROUTE_LIBS) $(AWS_LIBS)

unit: $(UNIT_BIN)

# --- libFuzzer ---------------------------------------------------------------

FUZZ_CC ?= clang
FUZZ_FLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -D_GNU_SOURCE \
	-isystem uapi -Itests/unit \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer

$(B)/fuzz/fuzz_wire: tests/unit/fuzz_wire.c tests/unit/fuzz_wire.h $(CORE_SRC)
	@mkdir -p $(B)/fuzz
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< $(CRYPTO_LIBS)

$(B)/fuzz/mkcorpus: tests/unit/fuzz_mkcorpus.c tests/unit/fuzz_wire.h $(CORE_SRC)
	@mkdir -p $(B)/fuzz
	$(CC) $(USER_CFLAGS) -Wno-missing-prototypes -Itests/unit -o $@ $< \
		$(CRYPTO_LIBS)

$(B)/fuzz/corpus/.stamp: $(B)/fuzz/mkcorpus
	rm -rf $(B)/fuzz/corpus
	@mkdir -p $(B)/fuzz/corpus
	$(B)/fuzz/mkcorpus $(B)/fuzz/corpus
	@touch $@

# vigil.conf's parser, with libvigil's nl.c (fence action names) and config.c.
$(B)/fuzz/fuzz_conf: tests/unit/fuzz_conf.c daemon/conf.c daemon/conf.h \
		tools/libvigil/nl.c tools/libvigil/config.c $(LIB_HDR) $(CORE_SRC)
	@mkdir -p $(B)/fuzz
	$(FUZZ_CC) $(FUZZ_FLAGS) -Itools/libvigil $(NL_CFLAGS) $(INI_CFLAGS) \
		-o $@ $< tools/libvigil/nl.c tools/libvigil/config.c $(NL_LIBS) $(INI_LIBS)

$(B)/fuzz/corpus-conf/.stamp: $(wildcard Documentation/examples/*.conf)
	rm -rf $(B)/fuzz/corpus-conf
	@mkdir -p $(B)/fuzz/corpus-conf
	for f in $^; do cp $$f $(B)/fuzz/corpus-conf/seed-$$(basename $$f); done
	@touch $@

# The engine's announcement decoder (daemon/engine.c); no seed corpus.
$(B)/fuzz/fuzz_engine: tests/unit/fuzz_engine.c daemon/engine.c daemon/engine.h
	@mkdir -p $(B)/fuzz
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $<

# The EC2 answer parsers (daemon/aws/ec2.c), linked with the rest of the
# AWS client; seeds in tests/unit/fuzz-ec2/.
$(B)/fuzz/fuzz_ec2: tests/unit/fuzz_ec2.c daemon/aws/ec2.c $(AWS_LIB_SRC) $(AWS_HDR)
	@mkdir -p $(B)/fuzz
	$(FUZZ_CC) $(FUZZ_FLAGS) $(AWS_CFLAGS) $(INI_CFLAGS) -o $@ $< $(AWS_LIB_SRC) \
		$(AWS_LIBS) $(INI_LIBS)

# The instance role's credentials as IMDS answers them (daemon/aws/creds.c:
# its JSON reader and the expiry); seeds in tests/unit/fuzz-creds/.
$(B)/fuzz/fuzz_creds: tests/unit/fuzz_creds.c $(AWS_LIB_SRC) $(AWS_HDR)
	@mkdir -p $(B)/fuzz
	$(FUZZ_CC) $(FUZZ_FLAGS) $(AWS_CFLAGS) $(INI_CFLAGS) -o $@ $< \
		$(AWS_LIBS) $(INI_LIBS)

fuzz: $(B)/fuzz/fuzz_wire $(B)/fuzz/fuzz_engine $(B)/fuzz/corpus/.stamp \
	$(B)/fuzz/fuzz_conf $(B)/fuzz/corpus-conf/.stamp $(B)/fuzz/fuzz_ec2 \
	$(B)/fuzz/fuzz_creds

fuzz-long: fuzz
	FUZZ_SECONDS=$${FUZZ_SECONDS:-3600} tests/unit/run-fuzz

.PHONY: fuzz fuzz-long
