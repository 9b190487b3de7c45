#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The XDP fast path relays real UDP between two namespaces through a third:
# a stream installed with xborderctl rewrites addresses and ports, the
# receiving kernel accepts the checksums, and the XDP counters (not the
# relay namespace's stack, where nothing listens) account for every packet.
set -u
. "${XB_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$XB_TOP/tests/lib/netns.sh"
. "$XB_TOP/tests/net/fastpath-topo.inc"

N=1000
SIZE=172 # G.711 20 ms: 12 bytes RTP header + 160 payload
tap_plan 23
fp_topo

out=$(xb_exec "$RELAY" $CTL -j fastpath attach vr1 mode native) &&
	out2=$(xb_exec "$RELAY" $CTL -j fastpath attach vr2 mode native)
tap_is "$(echo "$out" | jq -r .mode)/$(echo "${out2:-}" | jq -r .mode)" "native/native" \
	"xb_xdp attached to both relay interfaces in native mode"
xb_exec "$CALLER" $CTL fastpath attach vc1 prog pass >/dev/null &&
	xb_exec "$CALLEE" $CTL fastpath attach vc2 prog pass >/dev/null
tap_ok $? "xb_xdp_pass on the far veth ends (veth receives redirected frames only so)"
again=$(xb_exec "$RELAY" $CTL -j fastpath attach vr1 | jq -r .already)
tap_is "$again" "true" "a second attach finds the same pinned program"

# forward stream: explicit next-hop MAC
dmac=$(xb_mac "$CALLEE" vc2)
fwd=$(xb_exec "$RELAY" $CTL -j stream add local 10.0.1.1:20000 remote 10.0.2.2:30000 \
	source 10.0.2.1:20002 dev vr2 dmac "$dmac" rtp | jq -r .id)
tap_is "$fwd" "1" "forward stream installed as id 1"
# reverse stream: next-hop MAC resolved from the relay's neighbour table
xb_exec "$RELAY" ping -c1 -W2 10.0.1.2 >/dev/null 2>&1
rev=$(xb_exec "$RELAY" $CTL -j stream add local 10.0.2.1:20002 remote 10.0.1.2:10000 \
	source 10.0.1.1:20000 dev vr1 rtp)
tap_is "$(echo "$rev" | jq -r '"\(.id) \(.fib)"')" "2 false" \
	"reverse stream installed as id 2 with the neighbour's MAC"
tap_is "$(fp_stream 2 dmac)" "$(xb_mac "$CALLER" vc1)" "resolved dmac is the caller's MAC"

# --- caller -> callee
rx0=$(fp_snmp "$RELAY" Udp InDatagrams) noport0=$(fp_snmp "$RELAY" Udp NoPorts)
csum0=$(fp_snmp "$CALLEE" Udp InCsumErrors)
redir0=$(fp_stat redirect)
fp_recv "$CALLEE" 10.0.2.2 30000 "$N" "$FP_TMP/fwd.out" || tap_bail "receiver did not start"
xb_exec "$CALLER" python3 "$UDP" send 10.0.1.1 20000 "$N" --src 10.0.1.2:10000 --rtp \
	--size "$SIZE" --rate 20000
wait "$FP_RECV_PID"

tap_is "$(wc -l < "$FP_TMP/fwd.out")" "$N" "callee received all $N datagrams"
tap_is "$(cut -d' ' -f2 "$FP_TMP/fwd.out" | sort -u | tr '\n' ' ')" "10.0.2.1:20002 " \
	"every datagram comes from the relay's rewritten source 10.0.2.1:20002"
tap_is "$(cut -d' ' -f1 "$FP_TMP/fwd.out" | sort -un | wc -l)" "$N" \
	"every sequence number arrived once"
tap_is "$(( $(fp_snmp "$CALLEE" Udp InCsumErrors) - csum0 ))" "0" \
	"callee kernel found no UDP checksum error"
tap_is "$(fp_stream 1 packets)" "$N" "stream 1 counted exactly $N packets"
tap_is "$(fp_stream 1 bytes)" "$((N * (SIZE + 28)))" "stream 1 counted the IP bytes"
tap_is "$(fp_stream 1 seq_errors)/$(fp_stream 1 highest_seq)" "0/$((N - 1))" \
	"RTP tracking saw an unbroken sequence"
tap_is "$(( $(fp_stat redirect) - redir0 ))" "$N" "xb_stats counted $N redirects"
tap_is "$(( $(fp_snmp "$RELAY" Udp InDatagrams) - rx0 ))/$(( $(fp_snmp "$RELAY" Udp NoPorts) - noport0 ))" \
	"0/0" "the relay namespace's UDP stack never saw the media"

# --- callee -> caller, through the reverse stream
redir0=$(fp_stat redirect)
csum0=$(fp_snmp "$CALLER" Udp InCsumErrors)
fp_recv "$CALLER" 10.0.1.2 10000 "$N" "$FP_TMP/rev.out" || tap_bail "receiver did not start"
xb_exec "$CALLEE" python3 "$UDP" send 10.0.2.1 20002 "$N" --src 10.0.2.2:30000 --rtp \
	--size "$SIZE" --rate 20000
wait "$FP_RECV_PID"
tap_is "$(wc -l < "$FP_TMP/rev.out")" "$N" "caller received all $N datagrams back"
tap_is "$(cut -d' ' -f2 "$FP_TMP/rev.out" | sort -u | tr '\n' ' ')" "10.0.1.1:20000 " \
	"they come from the relay's address on the caller side, 10.0.1.1:20000"
tap_is "$(( $(fp_snmp "$CALLER" Udp InCsumErrors) - csum0 ))" "0" \
	"caller kernel found no UDP checksum error"
tap_is "$(fp_stream 2 packets)/$(( $(fp_stat redirect) - redir0 ))" "$N/$N" \
	"stream 2 and xb_stats counted $N each"

# --- hairpin: out of the device it came in on, with XDP_TX
xb_exec "$RELAY" $CTL stream add local 10.0.1.1:20050 remote 10.0.1.2:10050 \
	source 10.0.1.1:20051 dev vr1 >/dev/null
tx0=$(fp_stat tx) csum0=$(fp_snmp "$CALLER" Udp InCsumErrors)
fp_recv "$CALLER" 10.0.1.2 10050 100 "$FP_TMP/tx.out" || tap_bail "receiver did not start"
xb_exec "$CALLER" python3 "$UDP" send 10.0.1.1 20050 100 --src 10.0.1.2:10051 --rate 20000
wait "$FP_RECV_PID"
tap_is "$(wc -l < "$FP_TMP/tx.out")/$(cut -d' ' -f2 "$FP_TMP/tx.out" | sort -u)" \
	"100/10.0.1.1:20051" "a hairpin stream sent all 100 back from 10.0.1.1:20051"
tap_is "$(( $(fp_stat tx) - tx0 ))/$(( $(fp_snmp "$CALLER" Udp InCsumErrors) - csum0 ))" \
	"100/0" "with XDP_TX (xb_stats tx), checksums intact"

tap_is "$(xb_exec "$RELAY" $CTL -j fastpath show |
	jq -r '[.attached[] | "\(.dev):\(.prog):\(.mode)"] | sort | join(" ")')" \
	"vr1:xb_xdp:native vr2:xb_xdp:native" "fastpath show lists both attachments"

# the maps outlive the command that made them: a new process reads them
tap_is "$(xb_exec "$RELAY" $CTL -j stream list | jq -c '[.[].id] | sort')" "[1,2,3]" \
	"stream list from a fresh process shows all three streams"
tap_done
