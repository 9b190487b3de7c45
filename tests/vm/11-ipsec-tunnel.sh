#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# IPsec tunnel mode between two border elements: everything between the
# configured inner addresses (signaling 10.98.x.1, media 10.98.x.2) goes
# through an ESP tunnel between the outer addresses, so the router in the
# middle sees only ESP for it: SIP, a media stream both ways, ICMP. The
# outer addresses' own traffic stays in clear. (AES-CBC + HMAC-SHA-256
# here; the other tests use AES-GCM.)
set -u
. "$XB_TOP/tests/lib/tap.sh"
. "$XB_TOP/tests/lib/netns.sh"

tap_plan 13
[ "${XB_VM:-}" = 1 ] || tap_bail "runs only inside the VM: scripts/vmtest.sh $0"
. "$XB_TOP/tests/vm/ipsec.inc"
xb_topo_init

SIG_A=10.98.1.1 MEDIA_A=10.98.1.2 SIG_B=10.98.2.1 MEDIA_B=10.98.2.2
ipsec_topo &&
	ip -n "$NS_A" addr add "$SIG_A/32" dev lo && ip -n "$NS_A" addr add "$MEDIA_A/32" dev lo &&
	ip -n "$NS_B" addr add "$SIG_B/32" dev lo && ip -n "$NS_B" addr add "$MEDIA_B/32" dev lo &&
	ip -n "$NS_A" route add 10.98.2.0/24 via 10.99.1.254 src "$SIG_A" &&
	ip -n "$NS_B" route add 10.98.1.0/24 via 10.99.2.254 src "$SIG_B"
tap_ok $? "A and B joined through M; inner addresses on lo, routed through M"

mkkey "$TMP/ab.key" 64 # AES-256 + HMAC-SHA-256 key
mkkey "$TMP/ba.key" 64
conf "$TMP/a.conf" "$SIG_A" "$SIG_B:5060" ipsec-tunnel \
	"local = \"$IP_A\"; remote = \"$IP_B\";
	 local_subnets = [ \"$SIG_A/32\", \"$MEDIA_A/32\" ]; remote_subnets = [ \"$SIG_B/32\", \"$MEDIA_B/32\" ];
	 algorithm = \"cbc(aes)+hmac(sha256)\";
	 spi_in = 0x0000c002; spi_out = 0x0000c001; key_in = \"$TMP/ba.key\"; key_out = \"$TMP/ab.key\";"
conf "$TMP/b.conf" "$SIG_B" "$SIG_A:5060" ipsec-tunnel \
	"local = \"$IP_B\"; remote = \"$IP_A\";
	 local_subnets = [ \"$SIG_B/32\", \"$MEDIA_B/32\" ]; remote_subnets = [ \"$SIG_A/32\", \"$MEDIA_A/32\" ];
	 algorithm = \"cbc(aes)+hmac(sha256)\";
	 spi_in = 0x0000c001; spi_out = 0x0000c002; key_in = \"$TMP/ab.key\"; key_out = \"$TMP/ba.key\";"
ip netns exec "$NS_A" "$XBCTL" ipsec apply -f "$TMP/a.conf" 2>&1 | tap_diag
rc=${PIPESTATUS[0]}
ip netns exec "$NS_B" "$XBCTL" ipsec apply -f "$TMP/b.conf" 2>&1 | tap_diag
[ "$rc" -eq 0 ] && [ "${PIPESTATUS[0]}" -eq 0 ]
tap_ok $? "ipsec apply (tunnel) on A and on B"
tap_is "$(xfrm_count "$NS_A" state ours)/$(xfrm_count "$NS_A" policy ours)" "2/12" \
	"ip xfrm on A: 2 SAs, 12 policies (2x2 prefix pairs x out/in/fwd)"
tap_is "$(ip -n "$NS_A" xfrm state | grep -c 'mode tunnel')/$(ip -n "$NS_A" xfrm policy | grep -c 'dir fwd')" \
	"2/4" "SAs in tunnel mode, fwd policies for the inner pairs"

esp0=$(cnt esp) inner0=$(cnt inner)
udp_once "$NS_A" "$NS_B" "$SIG_B" 5060 sip "$SIG_A:5060"
tap_is "$GOT" "$WANT" "SIP datagram A -> B (inner addresses) delivered"

# a media stream both ways between the media addresses, numbered
xb_bg "$NS_B" "$PY" "$UDP" recv "$MEDIA_B" 40000 --timeout 20 --expect 50 \
	--ready "$TMP/rb" --out "$TMP/media-b"
xb_bg "$NS_A" "$PY" "$UDP" recv "$MEDIA_A" 30000 --timeout 20 --expect 50 \
	--ready "$TMP/ra" --out "$TMP/media-a"
xb_wait 10 test -e "$TMP/rb" -a -e "$TMP/ra"
ip netns exec "$NS_A" "$PY" "$UDP" send "$MEDIA_B" 40000 50 --src "$MEDIA_A:30002" --rtp &
ip netns exec "$NS_B" "$PY" "$UDP" send "$MEDIA_A" 30000 50 --src "$MEDIA_B:40002" --rtp
wait $!
xb_wait 10 sh -c "[ \$(wc -l <'$TMP/media-b') -ge 50 ] && [ \$(wc -l <'$TMP/media-a') -ge 50 ]"
tap_is "$(wc -l <"$TMP/media-b") $(wc -l <"$TMP/media-a")" "50 50" \
	"RTP both ways between the media addresses: 50 of 50 each way"
xb_exec "$NS_A" ping -c 2 -i 0.2 -W 5 -I "$SIG_A" "$MEDIA_B" >/dev/null
tap_ok $? "ICMP between inner addresses"
tap_ge "$(($(cnt esp) - esp0))" 103 "M saw ESP for all of it (1 + 100 + 2 pings)"
tap_is "$(($(cnt inner) - inner0))" 0 "M saw no packet with an inner address in clear"

icmp0=$(cnt icmp) esp1=$(cnt esp)
xb_exec "$NS_A" ping -c 1 -W 5 "$IP_B" >/dev/null
tap_ok $? "outer addresses still reach each other"
tap_is "$(($(cnt icmp) - icmp0))/$(($(cnt esp) - esp1))" "2/0" \
	"their ICMP is outside the tunnel: in clear on the wire"
tap_ge "$(sa_field "$NS_B" 0xc001 packets)" 52 "B's inbound tunnel SA counted what it decrypted"
tap_is "$(sa_field "$NS_B" 0xc001 algorithm) $(sa_field "$NS_B" 0xc001 key_bits) $(ip -n "$NS_B" xfrm state | grep -c 'auth-trunc hmac(sha256) .* 128$')" \
	"cbc(aes)+hmac(sha256) 512 2" "AES-256-CBC with HMAC-SHA-256-128, as ip xfrm shows it too"

tap_done
