#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# PID 1 of the vmtest guest once scripts/vm/init has switched root into an
# overlay of the host's /: gives the guest its own /tmp, /run, /dev/pts,
# bpffs and the Debian kernel's module tree, then runs each test script
# of the plan with its own time limit. Everything the tests print goes to
# the result channel (ttyS1) between marker lines the host parses (each
# marker starts a fresh line, so output without a final newline cannot
# hide it):
#
#   XB-VM-BOOTED <uptime seconds>
#   XB-VM-BEGIN <index> <script>
#   XB-VM-END <index> <exit status>
#   XB-VM-EXIT <status>        (0: every script exited 0)
#
# Then it powers the guest off. Were it to die instead, the kernel panics
# (PID 1 exited), and with panic=-1 and qemu's -no-reboot the VM ends.
#
# Usage: guest-run.sh PLAN (a bash file written by scripts/vmtest.sh).
set -u

exec 3>/dev/ttyS1
# xb.debug on the kernel command line traces this runner on the console.
if grep -qw xb.debug /proc/cmdline; then
	PS4='+ $(cut -d" " -f1 /proc/uptime) '
	exec 2>/dev/console
	set -x
fi

# finish STATUS: report STATUS to the host and power off (never returns).
finish() {
	printf '\nXB-VM-EXIT %s\n' "$1" >&3
	sync
	echo o >/proc/sysrq-trigger
	sleep 60
	exit "$1"
}

PLAN=$1
# shellcheck source=/dev/null
if ! . "$PLAN"; then
	echo "XB-VM-ERROR cannot read the plan $PLAN" >&3
	finish 1
fi

setup_mounts() {
	mount -t tmpfs -o mode=1777 tmpfs /tmp &&
		mount -t tmpfs -o mode=0755 tmpfs /run &&
		mkdir -p /dev/pts /dev/shm /run/lock &&
		mount -t devpts -o ptmxmode=0666,mode=0620 devpts /dev/pts &&
		mount -t tmpfs -o mode=1777 tmpfs /dev/shm &&
		mount -t bpf -o mode=0700 bpf /sys/fs/bpf || return 1
	# A tree under /tmp or /run was just hidden by the guest's own: put it
	# back from the host's view, writable through an overlay in RAM.
	case "$XB_TOP" in
	/tmp/* | /run/*)
		mkdir -p "$XB_TOP" /dev/shm/.xbtop/upper /dev/shm/.xbtop/work &&
			mount -t overlay -o "lowerdir=/.xbhost$XB_TOP,upperdir=/dev/shm/.xbtop/upper,workdir=/dev/shm/.xbtop/work" \
				overlay "$XB_TOP" || return 1 ;;
	esac
	# Optional: tracing helps debugging, tests must not rely on it.
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
	# modprobe looks in /lib/modules/$(uname -r): the extracted .deb.
	mkdir -p "/lib/modules/$(uname -r)" &&
		mount --bind "$XB_VM_MODULES" "/lib/modules/$(uname -r)" || return 1
	# Writable share for artifacts the host should keep.
	mkdir -p "$XB_VM_OUT" &&
		mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 xbout "$XB_VM_OUT"
}

if ! setup_mounts; then
	echo "XB-VM-ERROR guest mount setup failed (see the console log)" >&3
	finish 1
fi
hostname xborder-vm
ip link set lo up

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LC_ALL=C.UTF-8 TERM=dumb
export XB_TOP XB_BUILD XB_VM_OUT XB_VM_KVER XB_VM=1

echo "XB-VM-BOOTED $(cut -d' ' -f1 /proc/uptime)" >&3

rc=0
i=0
for t in "${XB_VM_TESTS[@]}"; do
	i=$((i + 1))
	printf '\nXB-VM-BEGIN %s %s\n' "$i" "$t" >&3
	echo "xb-vm: begin $t" >/dev/kmsg
	# timeout makes its own process group, so background helpers of a
	# hung test are killed too; KILL follows TERM after 5 s.
	(cd "$XB_TOP" && exec timeout -k 5 "$XB_VM_TIMEOUT" bash "$t") </dev/null >&3 2>&1
	st=$?
	echo "xb-vm: end $t status $st" >/dev/kmsg
	printf '\nXB-VM-END %s %s\n' "$i" "$st" >&3
	[ "$st" -eq 0 ] || rc=1
done
finish "$rc"
