#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Live forwarding rate over veth: the XDP relay against the userspace relay
# on the same topology, measured the same way in one run.
#
#   caller (vc1) --- (vr1) relay (vr2) --- (vc2) callee
#
# The caller transmits 214-byte G.711 RTP frames with BPF_PROG_TEST_RUN in
# live-frames mode (xdp_bench gen) on CPU 0; the callee counts and drops
# what arrives with an XDP sink (xdp_bench sink), so neither end's socket
# stack limits the figure. On veth, the receiving side's work runs in the
# softirq of the CPU that transmitted:
#  - XDP relay: generator, relay XDP program and sink all run on CPU 0;
#    the relay has less than one core (it shares it with the generator).
#  - userspace relay: CPU 0 runs the generator and the relay namespace's
#    receive stack up to the socket; xborder-relay (pinned to CPU 1) runs
#    recvmmsg, sendmmsg, the egress stack and the sink. It gets one core
#    of its own plus the receive half of the stack on CPU 0.
# So the comparison favours the userspace relay; the ratio is a floor.
set -u
. "${XB_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$XB_TOP/tests/lib/netns.sh"
. "$XB_TOP/tests/net/fastpath-topo.inc"

WARM=${XB_BENCH_WARM:-1}
SECS=${XB_BENCH_SECS:-3}
BENCH="$FP_BUILD/tests/bench/xdp_bench"
[ -x "$BENCH" ] || { echo "live_forward: $BENCH not built"; exit 1; }

fp_topo
xb_exec "$RELAY" $CTL fastpath attach vr1 mode native >/dev/null &&
	xb_exec "$RELAY" $CTL fastpath attach vr2 mode native >/dev/null ||
	{ echo "live_forward: cannot attach XDP"; exit 1; }
# the generator's XDP_TX needs an XDP program on its own device's peer
# (vr1, ours) and the caller device in XDP mode; give it the pass program
xb_exec "$CALLER" $CTL fastpath attach vc1 prog pass >/dev/null
xb_exec "$RELAY" $CTL stream add local 10.0.1.1:20000 remote 10.0.2.2:30000 \
	source 10.0.2.1:20002 dev vr2 dmac "$(xb_mac "$CALLEE" vc2)" rtp >/dev/null ||
	{ echo "live_forward: cannot add stream"; exit 1; }

# measure LABEL: run generator and sink, print the sink's packets/s.
measure() {
	local gen_pid pps
	taskset -c 0 ip netns exec "$CALLER" "$BENCH" gen vc1 "$(xb_mac "$CALLER" vc1)" \
		"$(xb_mac "$RELAY" vr1)" 10.0.1.2:10000 10.0.1.1:20000 214 &
	gen_pid=$!
	XB_PIDS+=("$gen_pid")
	pps=$(timeout $((WARM + SECS + 10)) ip netns exec "$CALLEE" "$BENCH" sink vc2 "$WARM" "$SECS" |
		awk '/^sink/ { print $2 }')
	kill "$gen_pid" 2>/dev/null
	wait "$gen_pid" 2>/dev/null
	echo "${pps:-0}"
}

xdp_pps=$(measure xdp)
fwd=$(xb_exec "$RELAY" $CTL -j fastpath stats | jq -r '.redirect')

# same stream, now relayed in userspace: XDP off the relay's interfaces
# (the pass program on vr1 keeps veth accepting the generator's frames)
xb_exec "$RELAY" $CTL fastpath detach vr2 >/dev/null
xb_exec "$RELAY" $CTL fastpath attach vr1 prog pass force >/dev/null
taskset -c 1 ip netns exec "$RELAY" $RELAYD -q >/dev/null &
XB_PIDS+=("$!")
sleep 0.5
us_pps=$(measure userspace)

ratio=$(awk -v a="$xdp_pps" -v b="$us_pps" 'BEGIN { if (b > 0) printf "%.1f", a / b; else printf "n/a" }')
printf 'live_forward xdp_relay       %6.3f Mpps  (214-byte RTP, veth, XDP redirect; %s redirects counted)\n' \
	"$(awk -v p="$xdp_pps" 'BEGIN { print p / 1e6 }')" "$fwd"
printf 'live_forward userspace_relay %6.3f Mpps  (recvmmsg/sendmmsg, one core)\n' \
	"$(awk -v p="$us_pps" 'BEGIN { print p / 1e6 }')"
printf 'live_forward ratio           %6s x    (goal: >= 4 Mpps and >= 8x)\n' "$ratio"
if command -v rtpengine >/dev/null; then
	echo "live_forward rtpengine: installed but not measured yet"
else
	echo "live_forward rtpengine: not installed, not measured"
fi
