#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# IPsec transport mode between two border elements, installed by
# "xborderctl ipsec apply" from an xborderd configuration on each side:
# SIP-port traffic (UDP and TCP, both ways) crosses the router in the
# middle as ESP only, other traffic stays in clear, the SAs count what
# they carried, and a wrong key shows up as integrity failures.
set -u
. "$XB_TOP/tests/lib/tap.sh"
. "$XB_TOP/tests/lib/netns.sh"

tap_plan 20
[ "${XB_VM:-}" = 1 ] || tap_bail "runs only inside the VM: scripts/vmtest.sh $0"
. "$XB_TOP/tests/vm/ipsec.inc"
xb_topo_init

ipsec_topo
tap_ok $? "A and B joined through router M, with counters on M"
xb_exec "$NS_A" ping -c 1 -W 5 "$IP_B" >/dev/null
tap_ok $? "A reaches B through M"

# A's outbound key is B's inbound one and the other way round.
mkkey "$TMP/ab.key" 20
mkkey "$TMP/ba.key" 20
conf "$TMP/a.conf" "$IP_A" "$IP_B:5060" ipsec-transport \
	"spi_in = 0x0000b002; spi_out = 0x0000b001; key_in = \"$TMP/ba.key\"; key_out = \"$TMP/ab.key\";"
conf "$TMP/b.conf" "$IP_B" "$IP_A:5060" ipsec-transport \
	"spi_in = 0x0000b001; spi_out = 0x0000b002; key_in = \"$TMP/ab.key\"; key_out = \"$TMP/ba.key\";"

out=$(ip netns exec "$NS_A" "$XBCTL" ipsec apply -f "$TMP/a.conf" 2>&1)
rc=$?
echo "$out" | tap_diag
ip netns exec "$NS_B" "$XBCTL" ipsec apply -f "$TMP/b.conf" 2>&1 | tap_diag
[ $rc -eq 0 ] && [ "${PIPESTATUS[0]}" -eq 0 ]
tap_ok $? "ipsec apply on A and on B"
tap_is "$(echo "$out" | head -n 2 | tr '\n' '|')" \
	"SAs: 0 found, 2 added, 0 replaced, 0 updated, 0 removed, 0 kept|policies: 0 found, 8 added, 0 updated, 0 removed, 0 kept|" \
	"A: 2 SAs and 8 policies added"
tap_is "$(xfrm_count "$NS_A" state ours)/$(xfrm_count "$NS_A" policy ours)" "2/8" \
	"ip xfrm on A: 2 xborder SAs, 8 xborder policies (out+in x udp/tcp x our/their port)"
ip -n "$NS_A" xfrm policy | grep -c "dir fwd" | grep -qx 0
tap_ok $? "no fwd policies in transport mode"

# SIP over UDP, both ways
esp0=$(cnt esp) clear0=$(cnt sip_clear)
udp_once "$NS_A" "$NS_B" "$IP_B" 5060 sip-ab
tap_is "$GOT" "$WANT" "UDP to B:5060 delivered"
udp_once "$NS_B" "$NS_A" "$IP_A" 5060 sip-ba
tap_is "$GOT" "$WANT" "UDP to A:5060 delivered"
# SIP over TCP from A to B: the connection's both directions
: >"$TMP/tcp"
xb_bg "$NS_B" socat -u "TCP4-LISTEN:5060,bind=$IP_B,reuseaddr" "OPEN:$TMP/tcp,append"
xb_wait 5 sh -c "ip netns exec $NS_B ss -Hltn | grep -q '$IP_B:5060 '"
echo "INVITE-over-tcp" | timeout 10 ip netns exec "$NS_A" socat -u - "TCP4:$IP_B:5060"
xb_wait 5 grep -qx "INVITE-over-tcp" "$TMP/tcp"
tap_ok $? "TCP to B:5060 delivered"
tap_ge "$(($(cnt esp) - esp0))" 5 "M saw ESP for the SIP traffic (2 datagrams + TCP handshake, data, close)"
tap_is "$(($(cnt sip_clear) - clear0))" 0 "M saw no clear packet to or from port 5060"

# other traffic is not ours to protect in transport mode
esp1=$(cnt esp) plain0=$(cnt plain)
udp_once "$NS_A" "$NS_B" "$IP_B" 7000 plain
tap_is "$GOT" "$WANT" "UDP to B:7000 delivered"
tap_is "$(($(cnt plain) - plain0))/$(($(cnt esp) - esp1))" "1/0" \
	"M saw the port-7000 datagram in clear, and no ESP for it"

# counters through xborderctl
show=$(ip netns exec "$NS_A" "$XBCTL" -j ipsec show -f "$TMP/a.conf")
echo "$show" | jq -c '.peers' | tap_diag
tap_is "$(echo "$show" | jq -r '[.sas[] | select(.dir == "out")][0] | "\(.peer) \(.spi) \(.algorithm) \(.key_bits) \(.replay_window)"')" \
	"b 0x0000b001 rfc4106(gcm(aes)) 160 64" "ipsec show: the outbound SA, its peer, algorithm, key size, replay window"
tap_ge "$(sa_field "$NS_A" 0xb001 packets)" 4 "A's outbound SA counted the packets it protected"
tap_ge "$(sa_field "$NS_B" 0xb001 packets)" 4 "B's inbound SA counted the packets it accepted"
tap_is "$(echo "$show" | jq -r '.peers[0].ok')" true "ipsec show: peer b complete (SAs and policies both ways)"

# a wrong inbound key on B: B replaces its SA (same SPI, other key), then
# A's packets fail B's integrity check and are not delivered
mkkey "$TMP/wrong.key" 20
conf "$TMP/b-wrong.conf" "$IP_B" "$IP_A:5060" ipsec-transport \
	"spi_in = 0x0000b001; spi_out = 0x0000b002; key_in = \"$TMP/wrong.key\"; key_out = \"$TMP/ba.key\";"
ip netns exec "$NS_B" "$XBCTL" ipsec apply -f "$TMP/b-wrong.conf" | head -n 1 | tap_diag
UDP_NONE=1 udp_once "$NS_A" "$NS_B" "$IP_B" 5060 wrong-key
tap_is "$GOT" "" "with a wrong key on B nothing is delivered"
tap_ge "$(sa_field "$NS_B" 0xb001 integrity_fail)" 1 "B's inbound SA counted the integrity failure"
ip netns exec "$NS_B" "$XBCTL" ipsec apply -f "$TMP/b.conf" | head -n 1 | tap_diag
udp_once "$NS_A" "$NS_B" "$IP_B" 5060 restored
tap_is "$GOT" "$WANT" "with B's key restored, delivered again"

tap_done
