#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Two SSP domains peering over an IPsec tunnel, each behind its own
# xborderd (issue 7): the border elements' signaling and media addresses
# (10.98.1.1, 10.98.2.1) are carried by an ESP tunnel between their outer
# addresses. A call from uacA to uasB completes and RTP arrives at both
# user agents, while the router in the middle sees nothing but ESP: no
# clear UDP at all, no inner address. The media streams toward the tunnel
# are marked pass on both borders (XDP would send around the SA) and the
# XDP programs forward none of it; the userspace relays' sockets go
# through the xfrm policies.
set -u
. "$XB_TOP/tests/lib/tap.sh"
. "$XB_TOP/tests/lib/netns.sh"

tap_plan 17
[ "${XB_VM:-}" = 1 ] || tap_bail "runs only inside the VM: scripts/vmtest.sh $0"
. "$XB_TOP/tests/vm/ipsec-sbe.inc"

isbe_topo tunnel
sbe_ua_init
isbe_conf A tunnel
isbe_conf B tunnel
isbe_start A B || tap_bail "xborderd did not start: $(tail -n 3 "$SBE_T"/*.log)"
tap_is "$(isbe_ours A) $(isbe_ours B)" "2/3 2/3" \
	"ip xfrm: 2 tunnel SAs and 3 policies (out, in, fwd) of xborder's on each side"
tap_is "$(ip -n "$SBEA" xfrm state | grep -c 'mode tunnel')" 2 "the SAs are tunnel mode"
tap_is "$(sbe_ctl A stats | jq -r '.ipsec.peers[] | "\(.name) \(.mode) \(.ok)"')" \
	"sbe-b tunnel true" "xborderctl stats: IPsec peer sbe-b ok"

esp0=$(cnt esp) udp0=$(cnt udp_clear) inner0=$(cnt inner) other0=$(cnt not_esp)
redir0=$(isbe_redirects)
isbe_call || tap_diag <"$SBE_T/A.log"
isbe_check_media
tap_is "$OUT_CALLS_UP $OUT_ENDED" "1/1 0/0" \
	"the call was listed on both borders while up, on neither after sbeA ended it (BYE both ways)"
tap_is "$(($(cnt udp_clear) - udp0))" 0 "M saw no UDP in clear: neither SIP nor RTP"
tap_is "$(($(cnt inner) - inner0))/$(($(cnt not_esp) - other0))" 0/0 \
	"M saw no packet with an inner address in clear, nothing but ESP between the borders"
tap_ge "$(($(cnt esp) - esp0))" $((2 * N + 7)) "M saw ESP for the SIP and both media streams"
all_pass() {
	[ "$(jq 'length > 0 and all(.[]; test("pass"))' <<<"$1")" = true ]
}
all_pass "$OUT_FLAGS_A"
tap_ok $? "sbeA marked every stream of the call pass ($OUT_FLAGS_A)"
all_pass "$OUT_FLAGS_B"
tap_ok $? "sbeB marked every stream of the call pass ($OUT_FLAGS_B)"
tap_is "$(($(isbe_redirects) - redir0))" 0 "the XDP programs sent none of it around the SA"
tap_ge "$(sa_field "$SBEB" 0xb001 packets)" $((N + 3)) \
	"B's inbound tunnel SA decrypted A's INVITE, ACK, BYE and media"

# --- reload: refused when the new IPsec state cannot be applied (the
# running one stays), and a peer without IPsec any more loses its SAs
cp "$SBE_T/A.conf" "$SBE_T/A.good"
ip -n "$SBEA" xfrm state add src 10.99.2.2 dst 10.99.1.1 proto esp spi 0xc002 reqid 9 \
	mode tunnel aead 'rfc4106(gcm(aes))' 0x0102030405060708090a0b0c0d0e0f1011121314 128
sed -i 's/spi_in = 0x0000b002/spi_in = 0x0000c002/' "$SBE_T/A.conf"
out=$(sbe_ctl A config reload 2>&1)
rc=$?
tap_diag <<<"$out"
[ "$rc" != 0 ] && [[ $out == *"SPI 0x0000c002 to 10.99.1.1 exists and is not xborder's"* ]] &&
	[ "$(isbe_ours A)" = 2/3 ] && [ -n "$(sa_field "$SBEA" 0xb002 spi)" ]
tap_ok $? "a reload whose IPsec state cannot be applied is refused; the running SAs stay"
ip -n "$SBEA" xfrm state delete src 10.99.2.2 dst 10.99.1.1 proto esp spi 0xc002
tr '\n' '\a' <"$SBE_T/A.good" | sed 's/security = "ipsec-tunnel";[^}]*};//' |
	tr '\a' '\n' >"$SBE_T/A.conf"
tap_is "$(sbe_ctl A config reload | jq -r .reloaded) $(isbe_all A) $(isbe_ours B)" \
	"true 0/0 2/3" "reloaded without the IPsec peer: its SAs and policies are removed (A only)"

sbe_stop A
sbe_stop B
tap_is "$(isbe_all A) $(isbe_all B)" "0/0 0/0" "after SIGTERM no SA or policy is left on either side"

tap_done
