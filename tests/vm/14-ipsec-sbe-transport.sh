#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Two SSP domains peering over IPsec transport mode, each behind its own
# xborderd (issue 7): the daemons install the SAs and policies before
# their SIP listeners open; a call from uacA to uasB completes with SIP
# between the border elements as ESP on the wire and not one clear SIP
# packet, while the media crosses in clear through both XDP relays. Then
# the lifecycle: a kill -9 leaves the SAs, the restarted daemon adopts
# them (same SAs, same counters, no duplicates); SIGTERM removes every SA
# and policy of xborder's, and only its own side's.
set -u
. "$XB_TOP/tests/lib/tap.sh"
. "$XB_TOP/tests/lib/netns.sh"

tap_plan 26
[ "${XB_VM:-}" = 1 ] || tap_bail "runs only inside the VM: scripts/vmtest.sh $0"
. "$XB_TOP/tests/vm/ipsec-sbe.inc"

isbe_topo transport
sbe_ua_init
isbe_conf A transport
isbe_conf B transport

# --- refused configurations: a clear line, nothing installed
sed "s|$SBE_T/ab.key|$SBE_T/missing.key|" "$SBE_T/A.conf" >"$SBE_T/bad.conf"
out=$(ip netns exec "$SBEA" "$XBD" --check-config -f "$SBE_T/bad.conf" 2>&1)
rc=$?
tap_diag <<<"$out"
[ "$rc" = 1 ] && [[ $out == "xborderd: $SBE_T/bad.conf:"*"key_out: key file $SBE_T/missing.key"* ]] &&
	[ "$(isbe_all A)" = 0/0 ]
tap_ok $? "xborderd --check-config: a missing key file is one line, exit 1, nothing installed"
# somebody else's SA with the SPI of our inbound one: the daemon refuses
# to start, before changing anything
ip -n "$SBEA" xfrm state add src 10.99.2.2 dst 10.99.1.1 proto esp spi 0xb002 reqid 9 \
	mode transport aead 'rfc4106(gcm(aes))' 0x0102030405060708090a0b0c0d0e0f1011121314 128
out=$(ip netns exec "$SBEA" timeout 30 "$XBD" -f "$SBE_T/A.conf" 2>&1)
rc=$?
tap_diag <<<"$out"
[ "$rc" = 1 ] && [[ $out == *"an SA with SPI 0x0000b002 to 10.99.1.1 exists and is not xborder's (reqid 9)"* ]] &&
	[ "$(isbe_ours A) $(isbe_all A)" = "0/0 1/0" ]
tap_ok $? "xborderd refuses to start with a foreign SA in the way; only that SA is there"
ip -n "$SBEA" xfrm state flush

isbe_start A B || tap_bail "xborderd did not start: $(tail -n 3 "$SBE_T"/*.log)"

# line of the first log line matching PATTERN in SIDE's log (999999: none)
log_line() {
	local n
	n=$(grep -n "$2" "$SBE_T/$1.log" | head -n 1 | cut -d: -f1)
	echo "${n:-999999}"
}
[ "$(log_line A "ipsec: peer 'sbe-b': add SA")" -lt "$(log_line A "media interface")" ] &&
	[ "$(log_line B "ipsec: peer 'sbe-a': add SA")" -lt "$(log_line B "media interface")" ]
tap_ok $? "both xborderd started; each installed its SAs before its media layer and SIP listeners"
tap_is "$(isbe_ours A) $(isbe_ours B)" "2/8 2/8" \
	"ip xfrm: 2 SAs and 8 policies of xborder's on each side"
tap_is "$(sbe_ctl A stats | jq -r '.ipsec.peers[] | "\(.name) \(.mode) \(.ok)"')" \
	"sbe-b transport true" "xborderctl stats: IPsec peer sbe-b ok"
tap_is "$(sbe_ctl B peer list | jq -r '.[] | "\(.name)=\(.ipsec // "-")"' | tr '\n' ' ')" \
	"sbe-a=up users-b=- " "xborderctl peer list: the IPsec peer is up, the other has no IPsec"

esp0=$(cnt esp) sip0=$(cnt sip_clear) rtp0=$(cnt rtp_clear) redir0=$(isbe_redirects)
isbe_call || tap_diag <"$SBE_T/A.log"
isbe_check_media
tap_is "$OUT_CALLS_UP $OUT_ENDED" "1/1 0/0" \
	"the call was listed on both borders while up, on neither after sbeA ended it (BYE both ways)"
tap_is "$(($(cnt sip_clear) - sip0))" 0 "M saw no SIP in clear"
tap_ge "$(($(cnt esp) - esp0))" 7 "M saw the SIP between the borders as ESP (at least 7 messages)"
tap_ge "$(($(cnt rtp_clear) - rtp0))" $((2 * N)) \
	"M saw the media in clear between the relays (transport mode protects SIP only)"
tap_ge "$(($(isbe_redirects) - redir0))" $((4 * N)) \
	"the XDP programs forwarded the media themselves (redirect/tx)"
[[ $OUT_FLAGS_A != *pass* && $OUT_FLAGS_A == *forward* ]]
tap_ok $? "sbeA's streams use the fast path, none marked pass ($OUT_FLAGS_A)"
pkts=$(sa_field "$SBEA" 0xb001 packets) added=$(sa_field "$SBEA" 0xb001 add_time)
tap_ge "$pkts" 3 "A's outbound SA counted the SIP it protected"

# --- crash and restart: the SAs stay and are adopted, not duplicated
sbe_stop A KILL
tap_is "$(isbe_ours A)" "2/8" "after kill -9 the SAs and policies are still in the kernel"
isbe_start A || tap_diag <"$SBE_T/A.log"
tap_ge "$(grep -c "ipsec: 2 SAs and 8 policies of xborder's found" "$SBE_T/A.log")" 1 \
	"the restarted xborderd found them (adopt)"
tap_is "$(isbe_all A)" "2/8" "no duplicate: still 2 SAs and 8 policies in all"
tap_is "$(sa_field "$SBEA" 0xb001 add_time)" "$added" "the outbound SA is the same one (add time)"
tap_ge "$(sa_field "$SBEA" 0xb001 packets)" "$pkts" "and kept its counters"
tap_is "$(sbe_ctl A stats | jq -r '.ipsec.peers[0].ok')" "true" "the adopted peer is ok"

# --- clean exit: everything of xborder's goes, on that side only
sbe_stop A
tap_is "$(isbe_all A)" "0/0" "after SIGTERM no SA or policy is left on A (ip xfrm state/policy)"
tap_is "$(isbe_ours B)" "2/8" "B's are untouched"
grep -q "ipsec: removed 2 SAs and 8 policies" "$SBE_T/A.log"
tap_ok $? "A logged the removal"
sbe_stop B
tap_is "$(isbe_all B)" "0/0" "after SIGTERM no SA or policy is left on B"

tap_done
