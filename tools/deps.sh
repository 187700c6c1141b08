#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install every Debian package vigil needs to build, test and run its lab.
# Idempotent: packages already installed are not touched, and apt is asked
# only when something is missing. Called by 'make deps', 'make check' and
# 'make demo'.
set -e

PKGS="
build-essential
pkg-config
libnl-3-dev
libnl-genl-3-dev
libnl-route-3-dev
libinih-dev
libssl-dev
libcurl4-openssl-dev
libxml2-dev
openssl
python3-botocore
awscli
linux-headers-amd64
linux-source-6.1
clang
libclang-rt-14-dev
qemu-system-x86
busybox-static
kexec-tools
makedumpfile
iproute2
nftables
util-linux
dash
cpio
kmod
xz-utils
python3
iputils-ping
stress-ng
resource-agents
"

install_missing() {
	if [ "$(id -u)" != 0 ]; then
		echo "deps: missing packages:$missing; run 'make deps' as root" >&2
		exit 1
	fi
	echo "deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	# A machine that never ran 'apt-get update' has no package lists.
	if ! apt-get install -y -q --no-install-recommends $missing; then
		apt-get update -q
		apt-get install -y -q --no-install-recommends $missing
	fi
}

# The lab boots the Debian kernel whose headers linux-headers-amd64 pulled
# in. It is unpacked under build/lab/kernel/, not installed: this machine's
# own kernel and /boot are left alone.
lab_kernel() {
	kver=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 |
	       sed -n 's/^linux-headers-\([^ ,]*\).*/\1/p')
	dest="build/lab/kernel/$kver"
	if [ -f "$dest/vmlinuz" ] && [ -f "$dest/modules/modules.dep" ]; then
		echo "deps: lab kernel $kver present"
		return
	fi
	echo "deps: fetching lab kernel linux-image-$kver"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	chmod 755 "$tmp"
	(cd "$tmp" && apt-get download -q "linux-image-$kver" 2>&1 |
	 grep -v 'unsandboxed' || true)
	ls "$tmp"/linux-image-*.deb >/dev/null
	dpkg-deb -x "$tmp"/linux-image-*.deb "$tmp/root"
	depmod -b "$tmp/root" "$kver"
	rm -rf "$dest"
	mkdir -p "$dest"
	cp "$tmp/root/boot/vmlinuz-$kver" "$dest/vmlinuz"
	cp "$tmp/root/boot/config-$kver" "$dest/config"
	mv "$tmp/root/lib/modules/$kver" "$dest/modules"
}

missing=
for p in $PKGS; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing="$missing $p"
done

if [ -n "$missing" ]; then
	install_missing
fi
lab_kernel

