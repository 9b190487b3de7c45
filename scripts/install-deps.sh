#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Install every Debian package xborder needs to build, test and demo.
# Idempotent: installs only what is missing; runs apt-get update first
# when the package lists are absent or older than a day.
set -euo pipefail

PKGS=(
	# build
	build-essential make pkg-config clang llvm lld libbpf-dev bpftool
	libelf-dev zlib1g-dev linux-libc-dev clang-format
	# libraries chosen for the control plane
	libosip2-dev libssl-dev libldns-dev libnl-3-dev libnl-genl-3-dev
	libnl-xfrm-3-dev libnl-route-3-dev libconfig-dev libjansson-dev
	libsrtp2-dev
	# kselftest harness comes from this tarball (extracted at build time);
	# xborder.ko's 6.1 build also takes resolve_btfids from it
	linux-source-6.1
	# xborder.ko: module BTF for its kfuncs
	pahole
	# sanitizers and libFuzzer for clang
	libclang-rt-14-dev
	# tests: namespaces, peers, captures, VM runner
	iproute2 nftables iputils-ping socat sip-tester tshark
	qemu-system-x86 busybox-static cpio xz-utils zstd kmod
	python3 jq
	# discovery tests: a real authoritative DNS server, and kdig to look at it
	nsd knot-dnsutils
	# fast-path net tests: checksums computed by the sender, as on a wire
	ethtool
	# SDES net test: SRTP on the wire checked by the test's own RFC 3711 code
	python3-cryptography
)

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: must run as root (apt-get install)" >&2
	exit 1
fi

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#PKGS[@]} packages present"
	exit 0
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# (the lists may be stored compressed: *_Packages.lz4 and the like)
lists=(/var/lib/apt/lists/*_Packages*)
if [ ! -e "${lists[0]}" ] || [ -n "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mtime +1 -print -quit)" ]; then
	apt-get update -qq
fi
echo 'wireshark-common wireshark-common/install-setuid boolean false' | debconf-set-selections
apt-get install -y -qq --no-install-recommends "${missing[@]}"
