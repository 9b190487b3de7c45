#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The signaling guard at XDP: the SIP port 5060/udp admits listed peers
# only, a blocked source is dropped even when listed, and a flood above the
# per-source rate is cut to burst + rate x time while another listed peer
# still gets every packet through. Counted by reason in xb_stats, checked
# against what a real socket behind the guard received.
set -u
. "${XB_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$XB_TOP/tests/lib/netns.sh"
. "$XB_TOP/tests/net/fastpath-topo.inc"

RATE=100
BURST=20
FLOOD=3000
tap_plan 15
fp_topo
# peer A (listed), U (unlisted), F (listed, floods): three callers in one namespace
xb_addr "$CALLER" vc1 10.0.1.3/24
xb_addr "$CALLER" vc1 10.0.1.4/24

# from_src FILE ADDR: datagrams in FILE that came from ADDR
from_src() {
	awk -v a="$2" '{ split($2, p, ":"); if (p[1] == a) n++ } END { print n + 0 }' "$1"
}

xb_exec "$RELAY" $CTL fastpath attach vr1 >/dev/null
tap_ok $? "xb_xdp attached on the caller side of the relay"
xb_exec "$RELAY" $CTL guard port add udp 5060 allowlist rate "$RATE" burst "$BURST" &&
	xb_exec "$RELAY" $CTL guard allow add 10.0.1.2 peer 1 &&
	xb_exec "$RELAY" $CTL guard allow add 10.0.1.4/32 peer 2
tap_ok $? "5060/udp guarded: allow-list, $RATE pps burst $BURST; two peers listed"
tap_is "$(xb_exec "$RELAY" $CTL -j guard port list | jq -c '.[0]')" \
	"{\"proto\":\"udp\",\"port\":5060,\"allowlist\":true,\"rate\":$RATE,\"burst\":$BURST}" \
	"guard port list shows it"
tap_is "$(xb_exec "$RELAY" $CTL guard allow list | tr '\n' ' ')" \
	"10.0.1.2/32 peer 1 10.0.1.4/32 peer 2 " "guard allow list shows both prefixes"

# --- an unlisted source is dropped at XDP, a listed one passes
na0=$(fp_stat drop_guard_not_allowed) gp0=$(fp_stat guard_pass)
fp_recv "$RELAY" 10.0.1.1 5060 10 "$FP_TMP/p1.out" || tap_bail "receiver did not start"
xb_exec "$CALLER" python3 "$UDP" send 10.0.1.1 5060 50 --src 10.0.1.3:5060
xb_exec "$CALLER" python3 "$UDP" send 10.0.1.1 5060 10 --src 10.0.1.2:5060
wait "$FP_RECV_PID"
tap_is "$(from_src "$FP_TMP/p1.out" 10.0.1.2)/$(from_src "$FP_TMP/p1.out" 10.0.1.3)" "10/0" \
	"the SIP socket got all 10 from the listed peer, none of the 50 unlisted"
tap_is "$(( $(fp_stat drop_guard_not_allowed) - na0 ))" "50" \
	"drop_guard_not_allowed counted exactly the 50 unlisted"
tap_is "$(( $(fp_stat guard_pass) - gp0 ))" "10" "guard_pass counted the 10 admitted"

# --- a block entry wins over the allow-list
xb_exec "$RELAY" $CTL guard block add 10.0.1.2/32 expires 60
bl0=$(fp_stat drop_guard_blocked)
xb_exec "$CALLER" python3 "$UDP" send 10.0.1.1 5060 5 --src 10.0.1.2:5060
tap_is "$(( $(fp_stat drop_guard_blocked) - bl0 ))" "5" "a blocked listed peer is dropped (5/5)"
xb_exec "$RELAY" $CTL guard block del 10.0.1.2/32
tap_is "$(xb_exec "$RELAY" $CTL -j guard block list | jq length)" "0" "and unblocked again"

# --- a flood from F is cut; A, sending at a modest pace meanwhile, is not
rl0=$(fp_stat drop_guard_rate)
fp_recv "$RELAY" 10.0.1.1 5060 0 "$FP_TMP/p2.out" 4 || tap_bail "receiver did not start"
xb_exec "$CALLER" python3 "$UDP" send 10.0.1.1 5060 10 --src 10.0.1.2:5061 --rate 20 &
peer_a=$!
t0=$(date +%s%N)
xb_exec "$CALLER" python3 "$UDP" send 10.0.1.1 5060 "$FLOOD" --src 10.0.1.4:5060
t1=$(date +%s%N)
wait "$peer_a"
wait "$FP_RECV_PID" # the receiver stops after its 4 s deadline
got_f=$(from_src "$FP_TMP/p2.out" 10.0.1.4)
cut_f=$(( $(fp_stat drop_guard_rate) - rl0 ))
# tokens: a full bucket, plus what refills while the flood lasts (the
# sender's own start-up counted in, + 200 ms slack)
max_f=$(( BURST + RATE * ((t1 - t0) / 1000000 + 200) / 1000 ))
tap_ge "$cut_f" $((FLOOD - max_f)) "the flood was cut at XDP (drop_guard_rate)"
tap_is "$((got_f + cut_f))" "$FLOOD" "every flood packet is either admitted or counted as cut"
tap_ge "$got_f" "$BURST" "the flooder still got its burst through"
tap_ok $((got_f > max_f)) "the flooder got at most burst + rate x time ($got_f <= $max_f)"
tap_is "$(from_src "$FP_TMP/p2.out" 10.0.1.2)" "10" \
	"the other listed peer got all 10 through during the flood"
tap_is "$(from_src "$FP_TMP/p2.out" 10.0.1.3)" "0" "nothing from the unlisted source"
tap_done
