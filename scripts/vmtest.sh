#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Boots Debian's own kernel in qemu and runs test scripts inside it, for
# what the host kernel cannot do (loadable modules, ESP, pktgen).
#
#   scripts/vmtest.sh [--kernel 6.1|6.12] [--timeout SECS] TEST.sh...
#   scripts/vmtest.sh --can-run [--kernel 6.1|6.12]     (fast check)
#   scripts/vmtest.sh --print-kver [--kernel 6.1|6.12]  (+ its headers)
#
# One VM runs every TEST.sh in order, each with its own time limit
# (--timeout, default 180 s); their TAP is printed as one stream,
# renumbered, with the plan at the end. The exit status is 0 only when
# every result passed and every script exited 0; otherwise one line on
# stderr says why and where the guest's kernel log is.
#
#   kernel    linux-image-KVER .deb fetched by apt, unpacked (not
#             installed) into build/vm/KVER/root
#   initramfs busybox-static + virtio/9p/overlay modules; scripts/vm/init
#   root      the host's / over 9p (read-only) under a RAM overlay: the
#             host's tools and this tree's build at their usual paths
#   results   TAP and marker lines on the second serial port (ttyS1);
#             the console (kernel log) goes to build/vm/KVER/console.log
#
# Documentation/vmtest.md has the details and the knobs (XB_VM_*).
set -u
shopt -s lastpipe

TOP=$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VMDIR=$TOP/build/vm
SERIES=6.1
TIMEOUT=180
MODE=run
BOOT_TIMEOUT=${XB_VM_BOOT_TIMEOUT:-120}
ACCEL=${XB_VM_ACCEL:-tcg}
SMP=${XB_VM_SMP:-1}
MEM=${XB_VM_MEM:-1024}
CPU=${XB_VM_CPU:-max}
# Bump when the initramfs layout changes, to rebuild cached images.
INITRAMFS_LAYOUT=2
# Modules the initramfs needs to reach the host's root; modprobe in the
# guest loads everything else from the full module tree.
BOOT_MODULES=(virtio_pci 9pnet_virtio 9p overlay)

say() {
	echo "# vm: $*"
}

die() {
	echo "vmtest: $*" >&2
	exit 1
}

usage() {
	sed -n '6,8s/^# *//p' "${BASH_SOURCE[0]}"
}

while [ $# -gt 0 ]; do
	case "$1" in
	--kernel)
		[ $# -ge 2 ] || die "--kernel needs 6.1 or 6.12"
		SERIES=$2
		shift 2 ;;
	--timeout)
		[ $# -ge 2 ] || die "--timeout needs a number of seconds"
		TIMEOUT=$2
		shift 2 ;;
	--kernel=*) SERIES=${1#*=}; shift ;;
	--timeout=*) TIMEOUT=${1#*=}; shift ;;
	--can-run) MODE=can-run; shift ;;
	--print-kver) MODE=print-kver; shift ;;
	-h | --help) usage; exit 0 ;;
	--) shift; break ;;
	-*) die "unknown option '$1' (try --help)" ;;
	*) break ;;
	esac
done

case "$SERIES" in
6.1) META=linux-image-amd64 KVER_RE='^6\.1\.[0-9]+-[0-9]+-amd64$' ;;
6.12) META=linux-image-6.12-amd64 KVER_RE='^6\.12\.[0-9]+\+deb[0-9]+-amd64$' ;;
*) die "--kernel must be 6.1 or 6.12, not '$SERIES'" ;;
esac
[[ "$TIMEOUT" =~ ^[0-9]{1,4}$ ]] && [ "$TIMEOUT" -ge 1 ] && [ "$TIMEOUT" -le 3600 ] ||
	die "--timeout must be a number of seconds from 1 to 3600, not '$TIMEOUT'"
[[ "$BOOT_TIMEOUT" =~ ^[0-9]{1,4}$ ]] || die "XB_VM_BOOT_TIMEOUT must be a number of seconds"
case "$ACCEL" in
tcg | kvm) ;;
*) die "XB_VM_ACCEL must be tcg or kvm, not '$ACCEL'" ;;
esac
[[ "$SMP" =~ ^[1-8]$ ]] || die "XB_VM_SMP must be 1 to 8"
[[ "$MEM" =~ ^[0-9]{3,5}$ ]] && [ "$MEM" -ge 256 ] || die "XB_VM_MEM must be 256 to 99999 (MiB)"
[[ "$CPU" =~ ^[A-Za-z0-9_.,=+-]+$ ]] || die "XB_VM_CPU is not a qemu CPU model: '$CPU'"

# ---------------------------------------------------------------- kernel
apt_lists_present() {
	compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null
}

# apt_kver: the kernel release the series' metapackage points at.
apt_kver() {
	local k
	k=$(apt-cache depends "$META" 2>/dev/null |
		sed -n 's/^ *Depends: linux-image-//p' | head -n 1)
	[[ "$k" =~ $KVER_RE ]] && echo "$k"
}

# cached_kver: the newest kernel of the series already unpacked here.
cached_kver() {
	local d k list=
	for d in "$VMDIR"/*/root/.complete; do
		[ -e "$d" ] || continue
		k=${d%/root/.complete}
		k=${k##*/}
		[[ "$k" =~ $KVER_RE ]] && list+="$k"$'\n'
	done
	[ -n "$list" ] && printf '%s' "$list" | sort -V | tail -n 1
}

# resolve_kver: apt's answer, else the cache. On a fresh machine apt has
# no lists yet: fetch them once (not in --can-run, which must be quick).
resolve_kver() {
	local k
	k=$(apt_kver) && { echo "$k"; return 0; }
	if ! apt_lists_present && [ "$(id -u)" -eq 0 ] && [ "$MODE" != can-run ]; then
		echo "vmtest: apt has no package lists; running apt-get update" >&2
		apt-get update -qq >&2 && k=$(apt_kver) && { echo "$k"; return 0; }
	fi
	cached_kver
}

# fetch_kernel KVER: download linux-image-KVER and unpack it into
# build/vm/KVER/root, without installing it (no postinst hooks touch the
# host), then index its modules for modprobe.
fetch_kernel() {
	local kver=$1 kdir=$VMDIR/$1 tmp deb
	local -a aptopt=()
	[ -e "$kdir/root/.complete" ] && return 0
	mkdir -p "$kdir" && tmp=$(mktemp -d "$kdir/fetch.XXXXXX") ||
		{ echo "vmtest: cannot create a directory in $kdir" >&2; return 1; }
	# As root, apt's download sandbox user could not write here.
	[ "$(id -u)" -eq 0 ] && aptopt=(-o APT::Sandbox::User=root)
	say "downloading linux-image-$kver with apt-get"
	if ! (cd "$tmp" && apt-get download -q "${aptopt[@]}" "linux-image-$kver") \
		>"$kdir/apt.log" 2>&1; then
		rm -rf "$tmp"
		echo "vmtest: cannot download linux-image-$kver (see $kdir/apt.log)" >&2
		return 1
	fi
	deb=$(compgen -G "$tmp/linux-image-*.deb" | head -n 1)
	say "unpacking ${deb##*/}"
	if ! dpkg-deb -x "$deb" "$tmp/root" || [ ! -f "$tmp/root/boot/vmlinuz-$kver" ] ||
		! depmod -b "$tmp/root" "$kver"; then
		rm -rf "$tmp"
		echo "vmtest: cannot unpack and index linux-image-$kver" >&2
		return 1
	fi
	rm -f "$deb"
	rm -rf "$kdir/root" "$kdir/vmlinux" "$kdir/vmlinux.none"
	mv "$tmp/root" "$kdir/root" && rmdir "$tmp" && touch "$kdir/root/.complete" || return 1
	prune_kernels "$kver"
}

# prune_kernels KEEP: drop the other unpacked kernels of the series
# (about 400 MB each); apt moved on from them.
prune_kernels() {
	local d k
	for d in "$VMDIR"/*/; do
		k=$(basename "$d")
		if [ "$k" != "$1" ] && [[ "$k" =~ $KVER_RE ]]; then
			rm -rf "$d"
		fi
	done
	return 0
}

# extract_vmlinux BZIMAGE OUT: the uncompressed kernel inside a bzImage,
# found through its setup header (Documentation/arch/x86/boot.rst:
# setup_sects, payload_offset, payload_length; the payload's last 4 bytes
# are the uncompressed size, not part of the compressed stream).
extract_vmlinux() {
	local bz=$1 out=$2 sects off len start
	local -a unpack
	[ "$(od -An -c -j514 -N4 "$bz" | tr -d ' ')" = HdrS ] || return 1
	sects=$(od -An -tu1 -j497 -N1 "$bz" | tr -d ' ')
	[ "$sects" = 0 ] && sects=4
	off=$(od -An -tu4 -j584 -N4 "$bz" | tr -d ' ')
	len=$(od -An -tu4 -j588 -N4 "$bz" | tr -d ' ')
	[[ "$off" =~ ^[0-9]+$ ]] && [[ "$len" =~ ^[0-9]+$ ]] && [ "$len" -gt 4 ] || return 1
	start=$(((sects + 1) * 512 + off))
	case "$(od -An -tx1 -j"$start" -N4 "$bz" | tr -d ' ')" in
	fd377a58) unpack=(xz -dc) ;;
	28b52ffd) unpack=(zstd -qdc) ;;
	1f8b*) unpack=(gzip -dc) ;;
	*) return 1 ;;
	esac
	if tail -c +$((start + 1)) "$bz" | head -c $((len - 4)) | "${unpack[@]}" >"$out.tmp" 2>/dev/null &&
		[ "$(od -An -c -N4 "$out.tmp" | tr -d ' ')" = 177ELF ]; then
		mv "$out.tmp" "$out"
		return 0
	fi
	rm -f "$out.tmp"
	return 1
}

# boot_image KVER: what qemu's -kernel gets. A kernel with CONFIG_PVH
# boots uncompressed through its PVH entry point, which skips the
# decompression in the guest (several seconds under TCG for xz); else,
# or when the extraction fails (remembered), the bzImage itself.
boot_image() {
	local kdir=$VMDIR/$1 bz=$VMDIR/$1/root/boot/vmlinuz-$1
	if [ ! -s "$kdir/vmlinux" ] && [ ! -e "$kdir/vmlinux.none" ]; then
		if ! grep -q '^CONFIG_PVH=y' "$kdir/root/boot/config-$1" 2>/dev/null ||
			! extract_vmlinux "$bz" "$kdir/vmlinux"; then
			touch "$kdir/vmlinux.none"
		fi
	fi
	if [ -s "$kdir/vmlinux" ]; then
		echo "$kdir/vmlinux"
	else
		echo "$bz"
	fi
}

# ensure_headers KVER: kernel/ (xborder.ko) is built against the headers
# of the kernel the VM runs; install them with apt when missing.
ensure_headers() {
	local pkg=linux-headers-$1 log=$VMDIR/apt-headers.log
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' &&
		return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "vmtest: $pkg is not installed (run as root to install it)" >&2
		return 1
	fi
	mkdir -p "$VMDIR"
	echo "vmtest: installing $pkg with apt-get" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$pkg" \
		>"$log" 2>&1 && return 0
	echo "vmtest: cannot install $pkg (see $log)" >&2
	return 1
}

# ---------------------------------------------------------------- initramfs
# decompress_module SRC DST: busybox insmod takes plain .ko files.
decompress_module() {
	case "$1" in
	*.ko) cp "$1" "$2" ;;
	*.ko.xz) xz -dc "$1" >"$2" ;;
	*.ko.zst) zstd -qdc "$1" >"$2" ;;
	*.ko.gz) gzip -dc "$1" >"$2" ;;
	*) return 1 ;;
	esac
}

# build_initramfs KVER: prints the path of the initramfs, cached under a
# name hashed from everything that goes into it.
build_initramfs() {
	local kver=$1 kdir=$VMDIR/$1 root=$VMDIR/$1/root busybox hash img stage m f name
	local -a paths=()
	busybox=$(readlink -f /bin/busybox)
	while read -r f; do
		paths+=("$f")
	done < <(for m in "${BOOT_MODULES[@]}"; do
		modprobe -d "$root" -S "$kver" --show-depends "$m" ||
			echo "vmtest: module $m not found for $kver" >&2
	done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }')
	[ ${#paths[@]} -gt 0 ] || { echo "vmtest: no boot modules found for $kver" >&2; return 1; }
	hash=$({
		echo "layout $INITRAMFS_LAYOUT $kver"
		cat "$TOP/scripts/vm/init"
		sha256sum <"$busybox"
		printf '%s\n' "${paths[@]#"$root"}"
	} | sha256sum | cut -c1-16)
	img=$kdir/initramfs-$hash.cpio
	if [ ! -s "$img" ]; then
		stage=$(mktemp -d "$kdir/initramfs.XXXXXX") || return 1
		mkdir -p "$stage"/{bin,dev,proc,sys,tmp,lib/modules/boot}
		cp "$busybox" "$stage/bin/busybox" && install -m 0755 "$TOP/scripts/vm/init" "$stage/init" ||
			{ echo "vmtest: cannot stage the initramfs in $stage" >&2; return 1; }
		# Every applet as a link, made here: the guest needs no /proc for it.
		for m in $("$busybox" --list); do
			[ "$m" = busybox ] || ln -s busybox "$stage/bin/$m"
		done
		for f in "${paths[@]}"; do
			name=${f##*/}
			name=${name%.ko*}.ko
			decompress_module "$f" "$stage/lib/modules/boot/$name" ||
				{ echo "vmtest: cannot copy module $f" >&2; return 1; }
			echo "$name" >>"$stage/lib/modules/boot/order"
		done
		(cd "$stage" && find . -print0 | LC_ALL=C sort -z |
			cpio --null -o -H newc -R 0:0 --quiet) >"$img.tmp" ||
			{ echo "vmtest: cpio failed for $img" >&2; return 1; }
		rm -rf "$stage"
		find "$kdir" -maxdepth 1 -name 'initramfs-*.cpio' ! -name "${img##*/}" -delete
		mv "$img.tmp" "$img"
	fi
	echo "$img"
}

# ---------------------------------------------------------------- modes
# can_run: prints why not (one line) and fails, or the kernel it would use.
can_run() {
	local c kver
	for c in qemu-system-x86_64 apt-get apt-cache dpkg-deb depmod modprobe cpio xz zstd \
		timeout flock; do
		command -v "$c" >/dev/null ||
			{ echo "$c is not installed (scripts/install-deps.sh)"; return 1; }
	done
	dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'install ok installed' ||
		{ echo "busybox-static is not installed (scripts/install-deps.sh)"; return 1; }
	[ "$ACCEL" = kvm ] && [ ! -w /dev/kvm ] &&
		{ echo "XB_VM_ACCEL=kvm but /dev/kvm is not usable"; return 1; }
	# The paths travel on the kernel command line and in qemu options.
	[[ "$TOP" =~ ^[A-Za-z0-9_./+-]+$ ]] ||
		{ echo "the repository path '$TOP' has characters the VM setup cannot pass"; return 1; }
	kver=$(resolve_kver)
	[ -n "$kver" ] ||
		{ echo "no Debian $SERIES kernel known to apt ($META) nor unpacked in build/vm (apt-get update?)"; return 1; }
	echo "Debian $kver"
}

case "$MODE" in
can-run)
	reason=$(can_run) || { echo "vmtest: cannot run a VM: $reason"; exit 1; }
	echo "vmtest: can run a VM: $reason ($ACCEL)"
	exit 0 ;;
print-kver)
	kver=$(resolve_kver)
	[ -n "$kver" ] || die "no Debian $SERIES kernel known to apt ($META) nor unpacked in build/vm"
	ensure_headers "$kver"
	echo "$kver"
	exit 0 ;;
esac

# ---------------------------------------------------------------- run
[ $# -gt 0 ] || die "no test scripts given (usage: scripts/vmtest.sh [--kernel 6.1|6.12] [--timeout SECS] TEST.sh...)"
reason=$(can_run) || die "cannot run a VM: $reason"

TESTS=() NAMES=()
for t in "$@"; do
	[ -f "$t" ] || die "no such test script: $t"
	abs=$(cd -P "$(dirname "$t")" && pwd)/$(basename "$t")
	case "$abs" in
	/proc/* | /sys/* | /dev/*)
		die "$t is under a directory the guest replaces with its own (/proc, /sys, /dev)" ;;
	esac
	TESTS+=("$abs")
	NAMES+=("${abs#"$TOP"/}")
done

mkdir -p "$VMDIR" || die "cannot create $VMDIR"
# One VM at a time per tree: runs share the caches, and two TCG guests
# would only slow each other down on this 2-core machine.
exec 9>"$VMDIR/.lock"
flock -n 9 || { echo "vmtest: waiting for another vmtest run to finish" >&2; flock 9; }

KVER=$(resolve_kver)
[ -n "$KVER" ] || die "no Debian $SERIES kernel known to apt ($META) nor unpacked in build/vm"
if ! fetch_kernel "$KVER"; then
	# Offline, or apt's lists name a kernel the archive dropped: an
	# older kernel of the series already here will do.
	old=$(cached_kver)
	[ -n "$old" ] && [ "$old" != "$KVER" ] || die "no Debian $SERIES kernel to boot"
	echo "vmtest: using $old, already unpacked, instead of $KVER" >&2
	KVER=$old
fi
KDIR=$VMDIR/$KVER
INITRD=$(build_initramfs "$KVER") || die "cannot build the initramfs for $KVER"
KERNEL=$(boot_image "$KVER")
CONSOLE=$KDIR/console.log
RESULTS=$KDIR/results.log
QEMU_LOG=$KDIR/qemu.log
OUT=$KDIR/out
PLAN=$KDIR/plan
rm -rf "$OUT" && mkdir -p "$OUT" || die "cannot create $OUT"
{
	echo "# Written by scripts/vmtest.sh for scripts/vm/guest-run.sh."
	printf 'XB_TOP=%q\n' "$TOP"
	printf 'XB_BUILD=%q\n' "${XB_BUILD:-build}"
	printf 'XB_VM_KVER=%q\n' "$KVER"
	printf 'XB_VM_TIMEOUT=%q\n' "$TIMEOUT"
	printf 'XB_VM_MODULES=%q\n' "$KDIR/root/lib/modules/$KVER"
	printf 'XB_VM_OUT=%q\n' "$OUT"
	printf 'XB_VM_TESTS=('
	printf ' %q' "${TESTS[@]}"
	printf ' )\n'
} >"$PLAN" || die "cannot write $PLAN"

# The whole run's limit: boot, plus each script's limit and kill grace.
TOTAL=$((BOOT_TIMEOUT + ${#TESTS[@]} * (TIMEOUT + 10)))
# panic=-1 with -no-reboot: a panic (oops=panic: an oops too) ends qemu.
APPEND="console=ttyS0 panic=-1 oops=panic mitigations=off"
APPEND+=" xb.plan=$PLAN xb.runner=$TOP/scripts/vm/guest-run.sh ${XB_VM_APPEND:-}"
read -r -a QEMU_EXTRA <<<"${XB_VM_QEMU_EXTRA:-}"

QEMU=(qemu-system-x86_64 -name xborder-vm -machine q35 -accel "$ACCEL" -cpu "$CPU"
	-smp "$SMP" -m "$MEM" -nodefaults -no-user-config -display none -no-reboot
	-pidfile "$KDIR/qemu.pid"
	-kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND"
	-serial "file:$CONSOLE" -chardev stdio,id=results,signal=off -serial chardev:results
	-fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap
	-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot
	-fsdev "local,id=xbout,path=$OUT,security_model=none"
	-device virtio-9p-pci,fsdev=xbout,mount_tag=xbout
	"${QEMU_EXTRA[@]}")

# ---------------------------------------------------------------- results
N=0         # results printed so far (the combined numbering)
FAILS=0     # failed results, including the ones added here
CUR=0       # index of the script running in the guest, 0 between scripts
LAST=0      # index of the last script that began
BOOTED=     # seconds from qemu's start to the runner's first line
GUEST_EXIT=
GUEST_ERROR=
BAD=()      # "name (why)" for each failed script
declare -A SCRIPT_BAD=()

# elapsed SINCE: seconds since SINCE (an EPOCHREALTIME), one decimal.
elapsed() {
	awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'
}

# result ok|notok DESCRIPTION: print one renumbered result.
result() {
	N=$((N + 1))
	if [ "$1" = ok ]; then
		echo "ok $N - $2"
	else
		echo "not ok $N - $2"
		FAILS=$((FAILS + 1))
	fi
}

# script_failed INDEX WHY: remember a failed script once.
script_failed() {
	[ -n "${SCRIPT_BAD[$1]:-}" ] && return 0
	SCRIPT_BAD[$1]=1
	BAD+=("${NAMES[$1 - 1]} ($2)")
}

begin_script() {
	CUR=$1 LAST=$1 S_PLAN=-1 S_N=0 S_FAIL=0 S_T0=$EPOCHREALTIME
	S_NAME=${NAMES[CUR - 1]##*/}
	say "${NAMES[CUR - 1]}"
}

# end_script STATUS: what the script's own results cannot say.
end_script() {
	local st=$1 why=
	if [ "$st" -eq 124 ] || [ "$st" -eq 137 ]; then
		why="timed out after ${TIMEOUT}s"
	elif [ "$S_PLAN" -gt 0 ] && [ "$S_N" -lt "$S_PLAN" ]; then
		why="planned $S_PLAN results, got $S_N (exit status $st)"
	elif [ "$S_N" -eq 0 ]; then
		why="printed no TAP result (exit status $st)"
	elif [ "$st" -ne 0 ] && [ "$S_FAIL" -eq 0 ]; then
		why="exited with status $st"
	fi
	if [ -n "$why" ]; then
		result notok "$S_NAME: $why"
		script_failed "$CUR" "$why"
	elif [ "$S_FAIL" -gt 0 ]; then
		script_failed "$CUR" "$S_FAIL failed"
	fi
	say "${NAMES[CUR - 1]}: $(elapsed "$S_T0")s, exit status $st"
	CUR=0
}

# tap_line LINE: one "ok N ..." or "not ok N ..." of a script, renumbered
# and prefixed with the script's name.
tap_line() {
	local line=$1 verdict=ok rest name=guest
	[ "$CUR" -gt 0 ] && name=$S_NAME
	if [[ "$line" == "not ok"* ]]; then
		verdict=notok
		rest=${line#not ok }
	else
		rest=${line#ok }
	fi
	rest=${rest#"${rest%%[!0-9]*}"}
	rest=${rest# }
	rest=${rest#- }
	[[ "$rest" == *"# SKIP"* ]] && verdict=ok # a skip is no failure
	if [ "$CUR" -gt 0 ]; then
		S_N=$((S_N + 1))
		[ "$verdict" = notok ] && S_FAIL=$((S_FAIL + 1))
	fi
	result "$verdict" "$name: $rest"
}

# parse_results: the guest's result channel, line by line, until qemu
# exits. Plans are checked per script and not passed on: the combined
# stream gets its own plan at the end.
parse_results() {
	local line
	while IFS= read -r line; do
		line=${line%$'\r'}
		case "$line" in
		"XB-VM-BOOTED "*)
			BOOTED=$(elapsed "$T0")
			say "up after ${BOOTED}s (guest uptime ${line#XB-VM-BOOTED }s)" ;;
		"XB-VM-BEGIN "*)
			line=${line#XB-VM-BEGIN }
			[[ "${line%% *}" =~ ^[0-9]+$ ]] && begin_script "${line%% *}" ;;
		"XB-VM-END "*)
			line=${line#XB-VM-END * }
			[ "$CUR" -gt 0 ] && [[ "$line" =~ ^[0-9]+$ ]] && end_script "$line" ;;
		"XB-VM-ERROR "*)
			GUEST_ERROR=${line#XB-VM-ERROR }
			say "guest error: $GUEST_ERROR" ;;
		"XB-VM-EXIT "*)
			GUEST_EXIT=${line#XB-VM-EXIT } ;;
		"ok "[0-9]* | "not ok "[0-9]*)
			tap_line "$line" ;;
		"1..0"*)
			# The whole script skipped; keep its reason as a skip.
			[ "$CUR" -gt 0 ] && S_PLAN=0 S_N=1 && result ok "$S_NAME: # SKIP${line#1..0}" ;;
		"1.."[0-9]*)
			line=${line#1..}
			S_PLAN=${line%%[!0-9]*} ;;
		"#"*)
			echo "$line" ;;
		"") ;;
		*)
			echo "# $line" ;;
		esac
	done
}

# why_died: one phrase for a guest that stopped before its runner did.
why_died() {
	if [ "$QEMU_STATUS" -eq 124 ] || [ "$QEMU_STATUS" -eq 137 ]; then
		echo "the guest hung and was killed after ${TOTAL}s"
	elif grep -q 'Kernel panic' "$CONSOLE" 2>/dev/null; then
		echo "guest kernel panic ($(grep -m1 -o 'Kernel panic.*' "$CONSOLE" | tr -d '\r'))"
	elif [ -n "$GUEST_ERROR" ]; then
		echo "$GUEST_ERROR"
	elif [ -z "$BOOTED" ]; then
		echo "the guest did not boot (qemu exit status $QEMU_STATUS, see $QEMU_LOG)"
	else
		echo "the guest stopped before its runner finished (qemu exit status $QEMU_STATUS)"
	fi
}

# Stopped from outside: take the VM down too, it is no use on its own.
stop_vm() {
	local pid
	pid=$(cat "$KDIR/qemu.pid" 2>/dev/null)
	[[ "$pid" =~ ^[0-9]+$ ]] && kill "$pid" 2>/dev/null
	echo "vmtest: interrupted; VM stopped" >&2
	exit 130
}
rm -f "$KDIR/qemu.pid"
trap stop_vm INT TERM HUP

say "booting Debian $KVER ($ACCEL, $SMP cpus, $MEM MiB); console: ${CONSOLE#"$TOP"/}"
T0=$EPOCHREALTIME
timeout --foreground -k 5 "$TOTAL" "${QEMU[@]}" </dev/null 2>"$QEMU_LOG" |
	tee "$RESULTS" | parse_results
QEMU_STATUS=${PIPESTATUS[0]}

died=
if [ -z "$GUEST_EXIT" ] || [ "$CUR" -gt 0 ] || [ "$LAST" -lt ${#TESTS[@]} ]; then
	died=$(why_died)
	if [ "$CUR" -gt 0 ]; then
		result notok "$S_NAME: did not finish: $died"
		script_failed "$CUR" "did not finish"
	fi
	for ((i = LAST + 1; i <= ${#TESTS[@]}; i++)); do
		result notok "${NAMES[i - 1]##*/}: not run: $died"
		script_failed "$i" "not run"
	done
fi
echo "1..$N"
say "$KVER: $(elapsed "$T0")s in all${BOOTED:+, boot ${BOOTED}s}"

if [ -n "$died" ]; then
	echo "vmtest: FAIL ($KVER): $died; console log: $CONSOLE" >&2
	exit 1
fi
if [ "$FAILS" -gt 0 ] || [ "$GUEST_EXIT" != 0 ]; then
	if [ ${#BAD[@]} -gt 0 ]; then
		msg=$(printf '%s, ' "${BAD[@]}")
		msg=${msg%, }
	else
		msg="guest exit status $GUEST_EXIT"
	fi
	echo "vmtest: FAIL ($KVER): $msg; console log: $CONSOLE" >&2
	exit 1
fi
exit 0
