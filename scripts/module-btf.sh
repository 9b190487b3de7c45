#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Gives xborder.ko the BTF its kfuncs need, when the kernel headers could
# not (Documentation/kernel-module.md, "BTF").
#
#   scripts/module-btf.sh KDIR KVER MODULE.ko
#
# Kbuild makes module BTF with `pahole -J --btf_base vmlinux` and then
# `resolve_btfids -b vmlinux`, both against the vmlinux of the headers
# tree. Debian's 6.12 headers ship that vmlinux (BTF only) and
# resolve_btfids, so Kbuild does it all; Debian's 6.1 headers ship neither,
# and this script does those two steps with:
#
#   base BTF        the .BTF section of the kernel the module is for, from
#                   (first found) build/module/KVER/vmlinux.btf (cache),
#                   build/vm/KVER/vmlinux (the VM runner's boot image),
#                   /sys/kernel/btf/vmlinux when KVER is running here, or
#                   the vmlinuz of linux-image-KVER (the VM runner's unpacked
#                   copy, else fetched with apt-get download, not installed)
#   resolve_btfids  KDIR/tools/bpf/resolve_btfids/resolve_btfids, else built
#                   once from Debian's linux-source-X.Y tarball into
#                   build/module/tools/X.Y/
#   pahole          Debian package pahole (dwarves), with the flags Kbuild would pass
#
# A module that has a .BTF section already is left alone.
set -eu -o pipefail

TOP=$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ $# -eq 3 ] || { echo "usage: $0 KDIR KVER MODULE.ko" >&2; exit 2; }
KDIR=$1 KVER=$2 KO=$3
CACHE=$TOP/build/module/$KVER
SERIES=$(echo "$KVER" | sed -n 's/^\([0-9]*\.[0-9]*\)\..*/\1/p')

die() {
	echo "module-btf: $*" >&2
	exit 1
}

has_btf() {
	readelf -S "$1" 2>/dev/null | grep -q ' \.BTF '
}

# bzimage_payload BZIMAGE OUT: the uncompressed kernel ELF inside a bzImage,
# located through the setup header (x86 boot protocol: setup_sects at
# 0x1f1, payload_offset/payload_length at 0x248/0x24c; the payload's last
# 4 bytes are the uncompressed size).
bzimage_payload() {
	local bz=$1 out=$2 sects off len start
	local -a unpack
	[ "$(od -An -c -j514 -N4 "$bz" | tr -d ' ')" = HdrS ] || return 1
	sects=$(od -An -tu1 -j497 -N1 "$bz" | tr -d ' ')
	[ "$sects" = 0 ] && sects=4
	off=$(od -An -tu4 -j584 -N4 "$bz" | tr -d ' ')
	len=$(od -An -tu4 -j588 -N4 "$bz" | tr -d ' ')
	start=$(((sects + 1) * 512 + off))
	case "$(od -An -tx1 -j"$start" -N4 "$bz" | tr -d ' ')" in
	fd377a58) unpack=(xz -dc) ;;
	28b52ffd) unpack=(zstd -qdc) ;;
	1f8b*) unpack=(gzip -dc) ;;
	*) return 1 ;;
	esac
	# (head stops tail early: no pipefail here; the ELF magic is the check)
	(set +o pipefail; tail -c +$((start + 1)) "$bz" | head -c $((len - 4)) |
		"${unpack[@]}" >"$out" 2>/dev/null)
	[ "$(od -An -c -N4 "$out" | tr -d ' ')" = 177ELF ]
}

# elf_btf ELF OUT: the raw .BTF section.
elf_btf() {
	objcopy -O binary --only-section=.BTF "$1" "$2.tmp" && [ -s "$2.tmp" ] && mv "$2.tmp" "$2"
}

# base_btf: prints the path of the raw base BTF for KVER, making it if needed.
base_btf() {
	local out=$CACHE/vmlinux.btf tmp bz deb
	local -a aptopt=()
	[ -s "$out" ] && { echo "$out"; return 0; }
	mkdir -p "$CACHE"
	if [ -s "$TOP/build/vm/$KVER/vmlinux" ] && elf_btf "$TOP/build/vm/$KVER/vmlinux" "$out"; then
		echo "$out"
		return 0
	fi
	if [ "$(uname -r)" = "$KVER" ] && [ -r /sys/kernel/btf/vmlinux ]; then
		cp /sys/kernel/btf/vmlinux "$out"
		echo "$out"
		return 0
	fi
	tmp=$(mktemp -d "$CACHE/fetch.XXXXXX")
	bz=$TOP/build/vm/$KVER/root/boot/vmlinuz-$KVER
	if [ ! -s "$bz" ]; then
		echo "  BTF     fetching linux-image-$KVER for its BTF (apt-get download)" >&2
		# as root, apt's download sandbox user could not write here
		[ "$(id -u)" -eq 0 ] && aptopt=(-o APT::Sandbox::User=root)
		(cd "$tmp" && apt-get download -q "${aptopt[@]}" "linux-image-$KVER") \
			>"$tmp/apt.log" 2>&1 ||
			{ cat "$tmp/apt.log" >&2; rm -rf "$tmp"; die "cannot download linux-image-$KVER"; }
		deb=$(compgen -G "$tmp/linux-image-*.deb" | head -n 1)
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" "./boot/vmlinuz-$KVER" ||
			{ rm -rf "$tmp"; die "no vmlinuz-$KVER in $deb"; }
		bz=$tmp/boot/vmlinuz-$KVER
	fi
	if ! bzimage_payload "$bz" "$tmp/vmlinux" || ! elf_btf "$tmp/vmlinux" "$out"; then
		rm -rf "$tmp"
		die "cannot extract the kernel's BTF from $bz"
	fi
	rm -rf "$tmp"
	echo "$out"
}

# resolve_btfids: prints the path of a resolve_btfids for this series.
resolve_btfids() {
	local tool=$KDIR/tools/bpf/resolve_btfids/resolve_btfids
	local dir=$TOP/build/module/tools/$SERIES tarball=/usr/src/linux-source-$SERIES.tar.xz
	[ -x "$tool" ] && { echo "$tool"; return 0; }
	[ -x "$dir/resolve_btfids" ] && { echo "$dir/resolve_btfids"; return 0; }
	[ -f "$tarball" ] || die "no resolve_btfids in $KDIR and no $tarball to build one (apt-get install linux-source-$SERIES)"
	echo "  BTF     building resolve_btfids from $tarball (once)" >&2
	rm -rf "$dir" && mkdir -p "$dir/out"
	tar -xJf "$tarball" -C "$dir" --strip-components=1 --wildcards \
		'*/tools/lib/*' '*/tools/include/*' '*/tools/scripts/*' '*/tools/build/*' \
		'*/tools/arch/*' '*/tools/bpf/resolve_btfids/*' '*/scripts/bpf_doc.py' \
		'*/include/uapi/linux/bpf.h' '*/include/uapi/linux/bpf_common.h' \
		'*/include/uapi/linux/btf.h' '*/include/linux/btf_ids.h' ||
		die "cannot extract the resolve_btfids sources from $tarball"
	make -s -C "$dir/tools/bpf/resolve_btfids" OUTPUT="$dir/out/" >"$dir/build.log" 2>&1 ||
		{ tail -n 20 "$dir/build.log" >&2; die "building resolve_btfids failed ($dir/build.log)"; }
	mv "$dir/out/resolve_btfids" "$dir/resolve_btfids"
	# keep only the tool (the sources are 6 MB)
	find "$dir" -mindepth 1 -maxdepth 1 ! -name resolve_btfids -exec rm -rf {} +
	echo "$dir/resolve_btfids"
}

[ -f "$KO" ] || die "no module $KO"
has_btf "$KO" && exit 0
[ -n "$SERIES" ] || die "cannot tell the kernel series of '$KVER'"
command -v pahole >/dev/null || die "pahole is not installed (Debian package pahole)"
base=$(base_btf)
rbtf=$(resolve_btfids)
# the flags Kbuild's Makefile.modfinal passes for this pahole version
flags=$(PAHOLE=pahole "$KDIR/scripts/pahole-flags.sh" 2>/dev/null || true)
echo "  BTF [M] $KO (base $base)"
# shellcheck disable=SC2086
LLVM_OBJCOPY=objcopy pahole -J $flags --btf_base "$base" "$KO"
"$rbtf" -b "$base" "$KO"
has_btf "$KO" || die "pahole left $KO without a .BTF section"
