#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make bench: every figure measured in one run on this machine, printed
# side by side. A benchmark reports; it never fails because the machine
# was slow (only when it could not measure at all).
#
#   run.sh [--build DIR] [--quick]
set -u
cd "$(dirname "$0")/../.."
BUILD=build
QUICK=0
while [ $# -gt 0 ]; do
	case "$1" in
	--build) BUILD=$2; shift 2 ;;
	--quick) QUICK=1; shift ;;
	*) echo "bench: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
export XB_TOP=$PWD XB_BUILD=$BUILD
if [ "$(id -u)" -ne 0 ]; then
	echo "bench: needs root (BPF, namespaces)" >&2
	exit 1
fi

REPEAT=10000000 STREAMS=1000000
[ "$QUICK" = 1 ] && REPEAT=1000000 STREAMS=100000 && export XB_BENCH_SECS=1

status=0
section() {
	echo
	echo "== $1"
}
run() {
	"$@" || { echo "bench: '$*' could not measure (status $?)"; status=1; }
}

echo "xborder bench: $(uname -r), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "(figures from one run; other load on this machine lowers them: compare ratios)"

section "XDP program cost per packet (BPF_PROG_TEST_RUN, repeat $REPEAT, empty-program floor subtracted; goal <= 45 ns net for IPv4 RTP)"
run "$BUILD/tests/bench/prog_cost" "$REPEAT"

section "Scale: $STREAMS streams installed (goal <= 256 bytes of kernel memory per stream)"
run "$BUILD/tests/bench/scale" "$STREAMS"

section "Live forwarding over veth, XDP relay vs userspace relay (goal >= 4 Mpps and >= 8x)"
run bash tests/bench/live_forward.sh

section "SRTP per 172-byte RTP packet: libsrtp2 (the userspace relay); XDP + xborder.ko (the VM prints it: tests/vm/20-srtp-module.sh)"
run "$BUILD/tests/bench/srtp_cost" userspace 200000
run "$BUILD/tests/bench/srtp_cost" xdp 2000

if [ -e tests/bench/sipp_cps.sh ]; then
	section "SIPp calls per second through one xborderd: media anchoring vs plain proxy"
	run bash tests/bench/sipp_cps.sh
fi
exit $status
