#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 'lab up N --shared-disk MIB' attaches one disk to every node: what one
# node writes, another reads.
. "$(dirname "$0")/lib.sh"

step "lab up 2 --shared-disk 8"
lab up 2 --shared-disk 8
for n in n1 n2; do
	[ "$(on $n cat /sys/block/vda/size)" = 16384 ] || fail "$n: no 8 MiB shared disk"
done

token="vigil-shared-$$-$(date +%s)"
step "n1 writes '$token' to block 100"
on n1 "printf '%s' $token | dd of=/dev/vda bs=512 seek=100 count=1 conv=sync 2>/dev/null && sync"

step "n2 reads it"
got=$(on n2 "blockdev --flushbufs /dev/vda; dd if=/dev/vda bs=512 skip=100 count=1 2>/dev/null | tr -d '\\000'")
[ "$got" = "$token" ] || fail "n2 read '$got'"
echo ok
