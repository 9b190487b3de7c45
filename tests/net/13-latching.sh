#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# First-packet learning: the caller's real address is not the one signaled
# (NAT). Its stream carries "learn", so XDP hands the first packet to the
# stack; the userspace relay latches the real source into the reverse
# stream, clears the flag, relays that packet, and the fast path carries
# everything after, in both directions. Every packet is counted once.
set -u
. "${XB_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$XB_TOP/tests/lib/netns.sh"
. "$XB_TOP/tests/net/fastpath-topo.inc"

N=500
SIZE=172
tap_plan 14
fp_topo

relay_stat() {
	jq -r ".$1" "$FP_TMP/relay.json" 2>/dev/null
}

xb_exec "$RELAY" $CTL fastpath attach vr1 mode native >/dev/null &&
	xb_exec "$RELAY" $CTL fastpath attach vr2 mode native >/dev/null &&
	xb_exec "$CALLER" $CTL fastpath attach vc1 prog pass >/dev/null &&
	xb_exec "$CALLEE" $CTL fastpath attach vc2 prog pass >/dev/null
tap_ok $? "XDP attached on the relay, xb_xdp_pass on the far ends"

# the reverse stream points where signaling said, 10.0.1.99:9999: wrong
xb_exec "$RELAY" $CTL stream add local 10.0.1.1:20000 remote 10.0.2.2:30000 \
	source 10.0.2.1:20002 dev vr2 dmac "$(xb_mac "$CALLEE" vc2)" rtp learn >/dev/null &&
	xb_exec "$RELAY" $CTL stream add local 10.0.2.1:20002 remote 10.0.1.99:9999 \
		source 10.0.1.1:20000 dev vr1 fib rtp >/dev/null
tap_ok $? "forward stream with learn, reverse stream to the signaled address"

xb_bg "$RELAY" $RELAYD -s "$FP_TMP/relay.json" >"$FP_TMP/relay.out" 2>"$FP_TMP/relay.err"
relay_pid=$XB_LAST_PID
xb_wait 5 test "$(relay_stat sockets)" = 2
tap_is "$(relay_stat sockets)" "2" "xborder-relay bound both relay endpoints"

fp_recv "$CALLEE" 10.0.2.2 30000 "$N" "$FP_TMP/fwd.out" || tap_bail "receiver did not start"
xb_exec "$CALLER" python3 "$UDP" send 10.0.1.1 20000 "$N" --src 10.0.1.2:10000 --rtp \
	--size "$SIZE" --rate 5000
wait "$FP_RECV_PID"
tap_is "$(wc -l < "$FP_TMP/fwd.out")/$(cut -d' ' -f2 "$FP_TMP/fwd.out" | sort -u)" \
	"$N/10.0.2.1:20002" "callee received all $N from 10.0.2.1:20002"

tap_is "$(fp_stream 2 remote)" "10.0.1.2:10000" "the reverse stream latched the real source"
tap_is "$(fp_stream 1 flags | jq -r 'index("learn")')" "null" \
	"the forward stream no longer learns"
learn=$(fp_stat learn) redir=$(fp_stat redirect)
tap_ge "$learn" 1 "XDP handed the first packet(s) to the stack"
tap_is "$((learn + redir))" "$N" "XDP saw every packet: learned + redirected = $N"
xb_wait 5 test "$(relay_stat tx)" = "$learn"
tap_is "$(relay_stat learn)/$(relay_stat tx)" "1/$learn" \
	"the relay latched once and relayed exactly the packets XDP handed over"
sleep 0.3 # a sync period: the relay would have flushed a double count
tap_is "$(fp_stream 1 packets)" "$N" "stream 1 counted each packet once ($N)"

redir0=$(fp_stat redirect)
fp_recv "$CALLER" 10.0.1.2 10000 "$N" "$FP_TMP/rev.out" || tap_bail "receiver did not start"
xb_exec "$CALLEE" python3 "$UDP" send 10.0.2.1 20002 "$N" --src 10.0.2.2:30000 --rtp \
	--size "$SIZE" --rate 20000
wait "$FP_RECV_PID"
tap_is "$(wc -l < "$FP_TMP/rev.out")/$(cut -d' ' -f2 "$FP_TMP/rev.out" | sort -u)" \
	"$N/10.0.1.1:20000" "caller received all $N replies at its real address"
tap_is "$(( $(fp_stat redirect) - redir0 ))/$(fp_stream 2 packets)" "$N/$N" \
	"replies went through XDP (fib lookup) only"
tap_is "$(relay_stat tx)" "$learn" "the relay relayed nothing more"

kill -TERM "$relay_pid"
wait "$relay_pid"
tap_is "$?" "0" "xborder-relay exits cleanly"
tap_done
