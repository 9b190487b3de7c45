#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make demo: a working peering setup on this one machine.
#
# Two SIP service providers, a.example and b.example, each behind its own
# xborderd (the integrated model of draft-ietf-speermint-flows: SBE and DBE
# in one box), in network namespaces:
#
#  alice (10.1.0.2) -- [xborderd A: 10.1.0.1 | 10.9.0.1] -- peering link --
#       [xborderd B: 10.9.0.2 | 10.2.0.1] -- bob (10.2.0.2)
#
# SIPp plays alice and bob. Alice calls bob@b.example: the INVITE crosses
# both border elements, each rewrites the SDP so that media is anchored on
# its own relay addresses, and the RTP of the call (G.711-sized packets,
# both ways) is forwarded by each side's XDP fast path. The demo shows the
# calls and streams while the call is up, then what arrived where, and
# cleans up. XB_DEMO_SECONDS sets the call length (default 6).
set -u
cd "$(dirname "$0")/.."
BUILD=build
[ "${1:-}" = --build ] && BUILD=$2
export XB_TOP=$PWD XB_BUILD=$BUILD
if [ "$(id -u)" -ne 0 ]; then
	echo "demo: needs root (network namespaces, XDP)" >&2
	exit 1
fi
# The test libraries give the topology; their TAP helpers become plain
# messages here.
. tests/lib/tap.sh
. tests/lib/netns.sh
. tests/net/sbe-topo.inc
tap_bail() {
	echo "demo: FAILED: $1" >&2
	exit 1
}

SECS=${XB_DEMO_SECONDS:-6}
PPS=50 # one packet per 20 ms, as G.711
N=$((SECS * PPS - PPS)) # stop a second before the call ends
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "Two SSP domains in network namespaces, an xborderd for each"
sbe_topo
sbe_ua_init
sbe_conf A
sbe_conf B
sbe_start A && sbe_start B || tap_bail "xborderd did not start: $(tail -3 "$SBE_T"/*.log)"
echo "xborderd A (a.example): $SBE_T/A.conf"
echo "xborderd B (b.example): $SBE_T/B.conf"
echo
sbe_ctl A peer list | jq -r '.[] | "A peer \(.name): \(.domains | join(",")) via \(.next_hop) media \(.media_mode)"'
sbe_ctl B peer list | jq -r '.[] | "B peer \(.name): \(.domains | join(",")) via \(.next_hop) media \(.media_mode)"'
for side in A B; do
	sbe_fp "$side" fastpath show |
		jq -r --arg s "$side" '.attached[] | "\($s) fast path: \(.prog) on \(.dev), \(.mode) XDP"'
done

say "alice@a.example calls bob@b.example for ${SECS}s, RTP both ways"
rm -f "$SBE_T"/rx_* "$SBE_T"/ready_*
sbe_callee B uas.xml || tap_bail "bob's SIPp did not start"
xb_bg "$UASB" python3 "$UDP" recv 10.2.0.2 7000 --timeout $((SECS + 10)) --expect "$N" \
	--out "$SBE_T/rx_B" --ready "$SBE_T/ready_B" >/dev/null
rxb=$XB_LAST_PID
xb_bg "$UACA" python3 "$UDP" recv 10.1.0.2 4000 --timeout $((SECS + 10)) --expect "$N" \
	--out "$SBE_T/rx_A" --ready "$SBE_T/ready_A" >/dev/null
rxa=$XB_LAST_PID
xb_wait 5 test -e "$SBE_T/ready_A" && xb_wait 5 test -e "$SBE_T/ready_B" ||
	tap_bail "RTP receivers did not start"
sbe_caller A uac.xml $((SECS * 1000))
sbe_wait_file "$SBE_T/caller/uac.media" 10 && sbe_wait_file "$SBE_T/callee/uas.media" 10 ||
	tap_bail "the call was not answered (see $SBE_T/*.log)"
read -r a_addr a_port < "$SBE_T/caller/uac.media"
read -r b_addr b_port < "$SBE_T/callee/uas.media"
echo "alice was answered with media at $a_addr:$a_port (xborderd A's relay)"
echo "bob was offered media at $b_addr:$b_port (xborderd B's relay)"
xb_exec "$UACA" python3 "$UDP" send "$a_addr" "$a_port" "$N" --src 10.1.0.2:4002 --rtp \
	--size 172 --rate "$PPS" &
sa=$!
xb_exec "$UASB" python3 "$UDP" send "$b_addr" "$b_port" "$N" --src 10.2.0.2:7002 --rtp \
	--size 172 --rate "$PPS" &
sb=$!
sleep $((SECS / 2))

say "While the call is up: xborderctl call list, on both border elements"
"$XBCTL" -s "$SBE_T/A.sock" call list
"$XBCTL" -s "$SBE_T/B.sock" call list
say "... and the fast-path streams of xborderd A (counters written by XDP)"
xb_exec "$SBEA" "$XBCTL" -p "$SBE_BPFFS/A" stream list

sbe_wait_pid "$sa" $((SECS + 5))
sbe_wait_pid "$sb" $((SECS + 5))
sbe_wait_pid "$rxa" 10
sbe_wait_pid "$rxb" 10
pkt_a=$(sbe_packets A)
pkt_b=$(sbe_packets B)
redirect_a=$(sbe_fp A fastpath stats | jq .redirect)
sbe_wait_pid "$CALLER_PID" $((SECS + 10))
caller=$?
sbe_wait_pid "$CALLEE_PID" 10
callee=$?

say "Result"
got_b=$(wc -l < "$SBE_T/rx_B" 2>/dev/null || echo 0)
got_a=$(wc -l < "$SBE_T/rx_A" 2>/dev/null || echo 0)
echo "bob received $got_b of $N RTP packets, from $(cut -d' ' -f2 "$SBE_T/rx_B" | sort -u | tr '\n' ' ')"
echo "alice received $got_a of $N RTP packets, from $(cut -d' ' -f2 "$SBE_T/rx_A" | sort -u | tr '\n' ' ')"
echo "fast-path packets counted on the call's streams: A $pkt_a, B $pkt_b (A's XDP redirects: $redirect_a)"
echo "SIP: alice's scenario $([ "$caller" = 0 ] && echo completed || echo FAILED), bob's $([ "$callee" = 0 ] && echo completed || echo FAILED) (INVITE/100/180/200/ACK ... BYE/200)"
echo "calls left: A $(sbe_calls A), B $(sbe_calls B)"
grep -h 'call ' "$SBE_T"/A.log | tail -2 | sed 's/^/A log: /'

if [ "$caller" = 0 ] && [ "$callee" = 0 ] && [ "$got_a" = "$N" ] && [ "$got_b" = "$N" ] &&
	[ "$pkt_a" -ge $((2 * N)) ] && [ "$pkt_b" -ge $((2 * N)) ]; then
	say "demo: OK: the call crossed both border elements and its media both fast paths"
else
	say "demo: something did not arrive; logs in $SBE_T (kept)"
	XB_KEEP=1
	exit 1
fi
