#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The userspace relay (xborder-relay) serves the same stream table where no
# XDP program runs: real UDP from the caller reaches the callee with the
# addresses rewritten, the stream counters come from the relay, and the XDP
# counters stay at zero. It also relays what the fast path cannot: a stream
# from IPv4 to IPv6.
set -u
. "${XB_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$XB_TOP/tests/lib/netns.sh"
. "$XB_TOP/tests/net/fastpath-topo.inc"

N=1000
SIZE=172
tap_plan 19
fp_topo
xb_addr "$RELAY" vr2 fd00:2::1/64
xb_addr "$CALLEE" vc2 fd00:2::2/64

# relay_stat NAME: a counter from the relay's stats file
relay_stat() {
	jq -r ".$1" "$FP_TMP/relay.json" 2>/dev/null
}
# wait_eq SECS WANT CMD...: until CMD prints WANT (the relay flushes each 100 ms)
wait_eq() {
	local secs=$1 want=$2 i
	shift 2
	for ((i = 0; i < secs * 10; i++)); do
		[ "$("$@")" = "$want" ] && return 0
		sleep 0.1
	done
	return 1
}

dmac=$(xb_mac "$CALLEE" vc2)
xb_exec "$RELAY" $CTL stream add local 10.0.1.1:20000 remote 10.0.2.2:30000 \
	source 10.0.2.1:20002 dev vr2 dmac "$dmac" rtp >/dev/null &&
	xb_exec "$RELAY" $CTL stream add local 10.0.2.1:20002 remote 10.0.1.2:10000 \
		source 10.0.1.1:20000 dev vr1 fib rtp >/dev/null
tap_ok $? "two streams installed, no XDP program attached"
xb_exec "$RELAY" $CTL stream add local 10.0.1.1:20010 remote '[fd00:2::2]:30010' \
	source '[fd00:2::1]:20012' pass >/dev/null
tap_ok $? "an IPv4-to-IPv6 stream installed (pass: for the userspace relay)"

xb_bg "$RELAY" $RELAYD -s "$FP_TMP/relay.json" -q >"$FP_TMP/relay.out"
relay_pid=$XB_LAST_PID
wait_eq 5 4 relay_stat sockets
tap_is "$(relay_stat sockets)/$(relay_stat streams)" "4/3" \
	"xborder-relay bound the 4 endpoints of 3 streams"

# --- caller -> callee
csum0=$(fp_snmp "$CALLEE" Udp InCsumErrors)
fp_recv "$CALLEE" 10.0.2.2 30000 "$N" "$FP_TMP/fwd.out" || tap_bail "receiver did not start"
xb_exec "$CALLER" python3 "$UDP" send 10.0.1.1 20000 "$N" --src 10.0.1.2:10000 --rtp \
	--size "$SIZE" --rate 20000
wait "$FP_RECV_PID"
tap_is "$(wc -l < "$FP_TMP/fwd.out")" "$N" "callee received all $N datagrams"
tap_is "$(cut -d' ' -f2 "$FP_TMP/fwd.out" | sort -u | tr '\n' ' ')" "10.0.2.1:20002 " \
	"every datagram comes from the relay's source 10.0.2.1:20002"
tap_is "$(cut -d' ' -f1 "$FP_TMP/fwd.out" | sort -un | wc -l)" "$N" \
	"every sequence number arrived once"
tap_is "$(( $(fp_snmp "$CALLEE" Udp InCsumErrors) - csum0 ))" "0" \
	"callee kernel found no UDP checksum error"
wait_eq 5 "$N" fp_stream 1 packets
tap_is "$(fp_stream 1 packets)" "$N" "stream 1 counted exactly $N packets (flushed by the relay)"
tap_is "$(fp_stream 1 bytes)" "$((N * (SIZE + 28)))" "stream 1 counted the IP bytes"
tap_is "$(fp_stream 1 seq_errors)/$(fp_stream 1 highest_seq)" "0/$((N - 1))" \
	"the relay's RTP tracking saw an unbroken sequence"
wait_eq 5 "$N" relay_stat tx
tap_is "$(relay_stat rx)/$(relay_stat tx)" "$N/$N" "the relay's own counters: $N in, $N out"
tap_is "$(fp_stat rx)/$(fp_stat redirect)/$(fp_stat tx)" "0/0/0" \
	"xb_stats untouched: no packet went through XDP"

# --- callee -> caller
fp_recv "$CALLER" 10.0.1.2 10000 "$N" "$FP_TMP/rev.out" || tap_bail "receiver did not start"
xb_exec "$CALLEE" python3 "$UDP" send 10.0.2.1 20002 "$N" --src 10.0.2.2:30000 --rtp \
	--size "$SIZE" --rate 20000
wait "$FP_RECV_PID"
tap_is "$(wc -l < "$FP_TMP/rev.out")/$(cut -d' ' -f2 "$FP_TMP/rev.out" | sort -u)" \
	"$N/10.0.1.1:20000" "caller received all $N back from 10.0.1.1:20000"
wait_eq 5 "$N" fp_stream 2 packets
tap_is "$(fp_stream 2 packets)" "$N" "stream 2 counted exactly $N packets"

# --- IPv4 in, IPv6 out
fp_recv "$CALLEE" fd00:2::2 30010 100 "$FP_TMP/v6.out" || tap_bail "receiver did not start"
xb_exec "$CALLER" python3 "$UDP" send 10.0.1.1 20010 100 --src 10.0.1.2:10010 --rate 20000
wait "$FP_RECV_PID"
tap_is "$(wc -l < "$FP_TMP/v6.out")/$(cut -d' ' -f2 "$FP_TMP/v6.out" | sort -u)" \
	"100/fd00:2::1:20012" "IPv4 datagrams left as IPv6 from [fd00:2::1]:20012"

# --- a stream the relay must not relay
xb_exec "$RELAY" $CTL stream replace local 10.0.1.1:20000 remote 10.0.2.2:30000 \
	source 10.0.2.1:20002 dev vr2 dmac "$dmac" drop >/dev/null
sleep 0.3 # one sync period and then some
fp_recv "$CALLEE" 10.0.2.2 30000 1 "$FP_TMP/drop.out" 2 || tap_bail "receiver did not start"
drops0=$(relay_stat drop_flag)
xb_exec "$CALLER" python3 "$UDP" send 10.0.1.1 20000 20 --src 10.0.1.2:10000 --rtp
wait_eq 5 $((drops0 + 20)) relay_stat drop_flag
tap_is "$(( $(relay_stat drop_flag) - drops0 ))" "20" "a stream replaced with drop: 20 dropped"
wait "$FP_RECV_PID"
tap_is "$(wc -l < "$FP_TMP/drop.out")" "0" "and none reached the callee"
wait_eq 5 20 fp_stream 1 drops
tap_is "$(fp_stream 1 packets)/$(fp_stream 1 drops)" "$N/20" \
	"replace kept the stream's id and counters; drops counted"

kill -TERM "$relay_pid"
wait "$relay_pid"
tap_is "$?" "0" "xborder-relay exits cleanly on SIGTERM"
tap_done
