# SPDX-License-Identifier: GPL-2.0
#
# Userspace unit tests, built with ASan and UBSan. Each tests/unit/test_*.c
# is one binary that prints TAP; tests/run counts its results.

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(B)/unit/%,$(UNIT_SRC))

$(B)/unit/%: tests/unit/%.c tests/unit/tap.h $(LIB_HDR) $(LIB_SRC) \
		$(wildcard daemon/*.c daemon/*.h tools/*.c tools/*.h)
	@mkdir -p $(B)/unit
	$(CC) $(USER_CFLAGS) -Wno-missing-prototypes $(SAN_FLAGS) -O1 \
		-Itools/libvigil -Itests/unit $(NL_CFLAGS) -o $@ $< $(NL_LIBS)

unit: $(UNIT_BIN)
