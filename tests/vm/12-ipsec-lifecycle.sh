#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The life of xborder's XFRM state: a second apply (a restart after
# kill -9) adopts what is there without duplicates or replacements; a
# configuration change removes what is no longer configured (a peer, a
# selector); a rekey to new SPIs and keys under two live UDP streams loses
# nothing; flush removes all of xborder's and nothing else. An SA and a
# policy added with "ip xfrm" (not xborder's) are there all along.
set -u
. "$XB_TOP/tests/lib/tap.sh"
. "$XB_TOP/tests/lib/netns.sh"

tap_plan 21
[ "${XB_VM:-}" = 1 ] || tap_bail "runs only inside the VM: scripts/vmtest.sh $0"
. "$XB_TOP/tests/vm/ipsec.inc"
xb_topo_init

ipsec_topo
tap_ok $? "A and B joined through router M"

# somebody else's SA and policy on A (an IKE daemon, an operator)
fkey=0x$(od -An -tx1 -N20 /dev/urandom | tr -d ' \n')
ip -n "$NS_A" xfrm state add src "$IP_A" dst "$IP_B" proto esp spi 0x9999 reqid 7 \
	mode transport aead 'rfc4106(gcm(aes))' "$fkey" 128 &&
	ip -n "$NS_A" xfrm policy add src "$IP_A/32" dst "$IP_B/32" proto udp dport 9999 dir out \
		priority 100 tmpl src "$IP_A" dst "$IP_B" proto esp reqid 7 mode transport
tap_ok $? "a foreign SA (spi 0x9999, reqid 7) and policy (priority 100) on A"

for k in ab ba ac ca; do mkkey "$TMP/$k.key" 20; done
mkkey "$TMP/ab2.key" 36 # the rekey moves to AES-256-GCM
mkkey "$TMP/ba2.key" 36
timers="rekey_switch_s = 3; rekey_grace_s = 2;"
conf "$TMP/a1.conf" "$IP_A" "$IP_B:5060" ipsec-transport \
	"spi_in = 0x0000d002; spi_out = 0x0000d001; key_in = \"$TMP/ba.key\"; key_out = \"$TMP/ab.key\"; $timers"
conf "$TMP/b1.conf" "$IP_B" "$IP_A:5060" ipsec-transport \
	"spi_in = 0x0000d001; spi_out = 0x0000d002; key_in = \"$TMP/ab.key\"; key_out = \"$TMP/ba.key\"; $timers"
apply() { # NS CONF [ARGS]: xborderctl ipsec apply; its output in OUT
	local ns=$1 f=$2
	shift 2
	OUT=$(ip netns exec "$ns" "$XBCTL" ipsec apply -f "$f" "$@" 2>&1)
	local rc=$?
	echo "$OUT" | tap_diag
	return $rc
}
apply "$NS_A" "$TMP/a1.conf" && apply "$NS_B" "$TMP/b1.conf"
tap_ok $? "apply on A and B"
udp_once "$NS_A" "$NS_B" "$IP_B" 5060 first
tap_is "$GOT" "$WANT" "SIP datagram delivered over the SA"
pk=$(sa_field "$NS_A" 0xd001 packets)

# restart after kill -9: the state is still in the kernel; apply again
apply "$NS_A" "$TMP/a1.conf"
tap_is "$(echo "$OUT" | head -n 2 | tr '\n' '|')" \
	"SAs: 2 found, 0 added, 0 replaced, 0 updated, 0 removed, 2 kept|policies: 8 found, 0 added, 0 updated, 0 removed, 8 kept|" \
	"second apply adopts: everything found and kept, nothing added"
tap_is "$(xfrm_count "$NS_A" state ours)/$(xfrm_count "$NS_A" policy ours) $(xfrm_count "$NS_A" state all)/$(xfrm_count "$NS_A" policy all)" \
	"2/8 3/9" "ip xfrm: still 2 SAs and 8 policies of ours (3/9 with the foreign ones): no duplicates"
tap_ge "$(sa_field "$NS_A" 0xd001 packets)" "$pk" "the SA kept its counters: adopted in place, not replaced"

# only the lifetimes change: the SAs are updated in place
conf "$TMP/a1l.conf" "$IP_A" "$IP_B:5060" ipsec-transport \
	"spi_in = 0x0000d002; spi_out = 0x0000d001; key_in = \"$TMP/ba.key\"; key_out = \"$TMP/ab.key\"; $timers
	 lifetime = { soft_seconds = 3000; hard_seconds = 3600; };"
apply "$NS_A" "$TMP/a1l.conf"
tap_is "$(echo "$OUT" | head -n 1)|$(ip -n "$NS_A" -s xfrm state | grep -c 'expire add: soft 3000(sec), hard 3600(sec)')" \
	"SAs: 2 found, 0 added, 0 replaced, 2 updated, 0 removed, 0 kept|2" \
	"new lifetimes: both SAs updated in place (ip -s xfrm shows them)"
apply "$NS_A" "$TMP/a1.conf" >/dev/null

# a second peer, then the configuration without it
conf "$TMP/a2.conf" "$IP_A" "$IP_B:5060" ipsec-transport \
	"spi_in = 0x0000d002; spi_out = 0x0000d001; key_in = \"$TMP/ba.key\"; key_out = \"$TMP/ab.key\"; $timers" \
	", { name = \"c\"; next_hop = \"10.99.3.3\"; listener = \"border\"; media_mode = \"direct\";
	     security = \"ipsec-transport\";
	     ipsec = { spi_in = 0x0000e002; spi_out = 0x0000e001; key_in = \"$TMP/ca.key\"; key_out = \"$TMP/ac.key\"; }; }"
apply "$NS_A" "$TMP/a2.conf"
tap_is "$(xfrm_count "$NS_A" state ours)/$(xfrm_count "$NS_A" policy ours)" "4/16" "peer c added: 4 SAs, 16 policies"
apply "$NS_A" "$TMP/a1.conf"
tap_is "$(echo "$OUT" | head -n 2 | tr '\n' '|')" \
	"SAs: 4 found, 0 added, 0 replaced, 0 updated, 2 removed, 2 kept|policies: 16 found, 0 added, 0 updated, 8 removed, 8 kept|" \
	"peer c removed from the configuration: its 2 SAs and 8 policies removed, b's kept"
tap_is "$(ip -n "$NS_A" xfrm state | grep -c 10.99.3.3)/$(ip -n "$NS_A" xfrm policy | grep -c 10.99.3.3)" \
	"0/0" "ip xfrm: nothing toward 10.99.3.3 remains"

# the peer's SIP port changes: the selectors with the old port go
conf "$TMP/a3.conf" "$IP_A" "$IP_B:5070" ipsec-transport \
	"spi_in = 0x0000d002; spi_out = 0x0000d001; key_in = \"$TMP/ba.key\"; key_out = \"$TMP/ab.key\"; $timers"
apply "$NS_A" "$TMP/a3.conf"
tap_is "$(echo "$OUT" | sed -n 2p)|$(ip -n "$NS_A" xfrm policy | grep -c 'port 5070')" \
	"policies: 8 found, 4 added, 0 updated, 4 removed, 4 kept|4" \
	"next_hop port 5060 -> 5070: the 4 selectors on the peer's port replaced, ours kept"
apply "$NS_A" "$TMP/a1.conf" >/dev/null

# rekey under load: two numbered UDP streams (A->B:5060, B->A:5060) at
# 100/s for 6 s; after 1 s A applies new SPIs and keys, B half a second
# later. Each side switches its out policies when the peer sends on the
# new inbound SA, or after rekey_switch_s (1 s); old SAs go 2 s later.
conf "$TMP/ar.conf" "$IP_A" "$IP_B:5060" ipsec-transport \
	"spi_in = 0x0000d102; spi_out = 0x0000d101; key_in = \"$TMP/ba2.key\"; key_out = \"$TMP/ab2.key\"; $timers"
conf "$TMP/br.conf" "$IP_B" "$IP_A:5060" ipsec-transport \
	"spi_in = 0x0000d101; spi_out = 0x0000d102; key_in = \"$TMP/ab2.key\"; key_out = \"$TMP/ba2.key\"; $timers"
N=600
xb_bg "$NS_B" "$PY" "$UDP" recv "$IP_B" 5060 --timeout 30 --expect $N --ready "$TMP/rb" --out "$TMP/seq-b"
rb=$XB_LAST_PID
xb_bg "$NS_A" "$PY" "$UDP" recv "$IP_A" 5060 --timeout 30 --expect $N --ready "$TMP/ra" --out "$TMP/seq-a"
ra=$XB_LAST_PID
xb_wait 10 test -e "$TMP/rb" -a -e "$TMP/ra"
xb_bg "$NS_A" "$PY" "$UDP" send "$IP_B" 5060 $N --rate 100
sa=$XB_LAST_PID
xb_bg "$NS_B" "$PY" "$UDP" send "$IP_A" 5060 $N --rate 100
sb=$XB_LAST_PID
sleep 1
apply "$NS_A" "$TMP/ar.conf" wait 20 >"$TMP/apply-a" 2>&1 &
aa=$!
sleep 0.5
apply "$NS_B" "$TMP/br.conf" wait 20
rc_b=$?
wait $aa
rc_a=$?
cat "$TMP/apply-a"
tap_ok $((rc_a + rc_b)) "rekey applied on both sides, and converged (old SAs gone after the grace period)"
# all four are bounded: 6 s of sending, receivers stop at N or after 30 s
wait "$sa" "$sb" "$rb" "$ra"
got_b=$(cut -d' ' -f1 "$TMP/seq-b" | sort -n -u | wc -l)
got_a=$(cut -d' ' -f1 "$TMP/seq-a" | sort -n -u | wc -l)
echo "# rekey: A->B received $got_b of $N distinct datagrams, B->A $got_a of $N"
tap_is "$got_b $got_a" "$N $N" "no datagram lost across the rekey, either way"
new_a=$(sa_field "$NS_A" 0xd101 packets)
tap_ok $(((new_a > 0 && new_a < N) ? 0 : 1)) \
	"the switch happened mid-stream: A's new outbound SA carried $new_a of the $N"
tap_is "$(sa_field "$NS_A" 0xd001 spi)$(sa_field "$NS_A" 0xd002 spi)$(sa_field "$NS_B" 0xd001 spi)|$(xfrm_count "$NS_A" state ours)/$(xfrm_count "$NS_B" state ours)" \
	"|2/2" "old SAs removed on both sides, the new ones only remain"
tap_is "$(ip -n "$NS_A" xfrm policy | grep -c 'spi 0x0000d101')" 4 "A's 4 out policies send on the new SA"

# exit: xborder's state goes, the foreign SA and policy stay
seq=$(sa_field "$NS_A" 0xd101 seq_out)
ip netns exec "$NS_A" "$XBCTL" ipsec flush -f "$TMP/ar.conf" | tap_diag
tap_is "$(xfrm_count "$NS_A" state ours)/$(xfrm_count "$NS_A" policy ours)" "0/0" \
	"after flush, ip xfrm shows no SA or policy of xborder's on A"
tap_is "$(xfrm_count "$NS_A" state all)/$(xfrm_count "$NS_A" policy all)|$(ip -n "$NS_A" xfrm state | grep -c 'spi 0x00009999')|$(ip -n "$NS_A" xfrm policy | grep -c 'priority 100 ')" \
	"1/1|1|1" "the foreign SA and policy are untouched"

# a clean restart of A alone (flush at exit, apply at start): B's inbound
# SA has seen ~600 packets; A's re-created outbound SA goes on from its
# last sequence number (kept in A's state_dir), so B accepts it at once
apply "$NS_A" "$TMP/ar.conf"
udp_once "$NS_A" "$NS_B" "$IP_B" 5060 restart
tap_is "$GOT|$(sa_field "$NS_B" 0xd101 window_fail)" "$WANT|0" \
	"after flush and apply on A only, B accepts A's packets (no replay drops)"
tap_ge "$(sa_field "$NS_A" 0xd101 seq_out)" "$((seq + 1))" \
	"A's re-created outbound SA continued from sequence number $seq"

tap_done
