#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SDES on the peering link (issue 8): SRTP toward the peer, RTP inside.
# Two domains each behind its own xborderd (tests/net/sbe-topo.inc); on
# both, the border peer has srtp = "sdes" and the inside peer srtp =
# "none". Plain SIPp user agents call each other with RTP/AVP; between
# sbeA and sbeB the SDP says RTP/SAVP with each border's own a=crypto key,
# and the media is SRTP. Checked on the wire (captured at sbeB's border
# interface): every media packet between the borders is SRTP, its tag and
# payload verified with the key from the SDP that crossed the same link by
# an RFC 3711 implementation of the test's own (tests/lib/srtp_wire.py),
# none is plaintext; both user agents receive every RTP packet intact and
# never see a=crypto. No xborder.ko here: the userspace relay inside each
# xborderd does SRTP. Then the contexts are gone after BYE, keys appear in
# no log, and a reload to srtp = "pass" leaves the SDP alone again.
# Last, the other shape: an SRTP phone inside domain A (SIPp offering
# RTP/SAVP with its own key, tests/net/sipp/uac_srtp.xml; users-a srtp =
# "sdes", sbe-b "none") calls an RTP phone in B: sbeA decrypts what the
# phone sends and encrypts what goes back with the key of its answer.
set -u
. "${XB_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$XB_TOP/tests/lib/netns.sh"
. "$XB_TOP/tests/net/sbe-topo.inc"

N=100 SIZE=172
SUDP="$XB_TOP/tests/lib/srtp_udp.py"
WIRE="$XB_TOP/tests/lib/srtp_wire.py"
tap_plan 31
SBE_LOG_LEVEL=debug
sbe_topo
sbe_ua_init

# srtp_conf SIDE BORDER INSIDE: sbe_conf's file with the peers' srtp policy
srtp_conf() {
	local side=$1 me other
	[ "$side" = A ] && me=a other=b || me=b other=a
	sbe_conf "$side"
	sed -i -e "s/{ name = \"sbe-$other\";/{ name = \"sbe-$other\"; srtp = \"$2\";/" \
		-e "s/{ name = \"users-$me\";/{ name = \"users-$me\"; srtp = \"$3\";/" \
		"$SBE_T/$side.conf"
	grep -q "srtp = \"$2\"" "$SBE_T/$side.conf" && grep -q "srtp = \"$3\"" "$SBE_T/$side.conf"
}

srtp_conf A sdes none && srtp_conf B sdes none || tap_bail "cannot write the configurations"
sbe_start A && sbe_start B || tap_bail "xborderd did not start: $(tail -3 "$SBE_T"/*.log)"
tap_ok 0 "two xborderd started, border peers srtp = sdes, inside peers srtp = none"

# srtp_call CALLER: a call from CALLER to the other user agent, N RTP
# packets each way, the link captured at sbeB's border interface.
srtp_call() {
	local a=$1 b rxa rxb cap addr port sa sb
	[ "$a" = A ] && b=B || b=A
	rm -rf "$SBE_T"/rx_* "$SBE_T"/ready_* "$SBE_T/wire" "$SBE_T/wire_ready"
	xb_bg "$SBEB" python3 "$WIRE" capture b_out --ports 5060,30000-30999 \
		--max $((2 * N + 40)) --timeout 25 --out "$SBE_T/wire" --ready "$SBE_T/wire_ready"
	cap=$XB_LAST_PID
	sbe_callee "$b" uas.xml -trace_msg || return 1
	xb_bg "${UA_NS[$b]}" python3 "$SUDP" recv "${UA_IP[$b]}" "${UA_RTP[$b]}" --timeout 15 \
		--expect "$N" --out "$SBE_T/rx_$b" --ready "$SBE_T/ready_$b"
	rxb=$XB_LAST_PID
	xb_bg "${UA_NS[$a]}" python3 "$SUDP" recv "${UA_IP[$a]}" "${UA_RTP[$a]}" --timeout 15 \
		--expect "$N" --out "$SBE_T/rx_$a" --ready "$SBE_T/ready_$a"
	rxa=$XB_LAST_PID
	xb_wait 5 test -e "$SBE_T/ready_$a" && xb_wait 5 test -e "$SBE_T/ready_$b" &&
		xb_wait 5 test -e "$SBE_T/wire_ready" || return 1
	sbe_caller "$a" uac.xml 4000 -trace_msg
	sbe_wait_file "$SBE_T/caller/uac.media" 10 && sbe_wait_file "$SBE_T/callee/uas.media" 10 ||
		return 1
	OUT_SHOW_A=$(sbe_ctl A call show "$(sbe_ctl A call list | jq -r '.[0].id')")
	OUT_SHOW_B=$(sbe_ctl B call show "$(sbe_ctl B call list | jq -r '.[0].id')")
	read -r addr port < "$SBE_T/caller/uac.media"
	xb_exec "${UA_NS[$a]}" python3 "$XB_TOP/tests/lib/udp.py" send "$addr" "$port" "$N" \
		--src "${UA_IP[$a]}:$((UA_RTP[$a] + 2))" --rtp --size $SIZE --rate 200 &
	sa=$!
	read -r addr port < "$SBE_T/callee/uas.media"
	xb_exec "${UA_NS[$b]}" python3 "$XB_TOP/tests/lib/udp.py" send "$addr" "$port" "$N" \
		--src "${UA_IP[$b]}:$((UA_RTP[$b] + 2))" --rtp --size $SIZE --rate 200 &
	sb=$!
	sbe_wait_pid "$sa" 10
	sbe_wait_pid "$sb" 10
	sbe_wait_pid "$rxa" 10
	sbe_wait_pid "$rxb" 10
	OUT_CTX_UP="$(sbe_ctl A stats | jq .media.srtp.contexts)/$(sbe_ctl B stats | jq .media.srtp.contexts)"
	OUT_RELAY_UP="$(sbe_ctl A stats | jq '.media.relay.srtp | length')/$(sbe_ctl B stats | jq '.media.relay.srtp | length')"
	OUT_UNPROTECTED="$(sbe_ctl A stats | jq '[.media.relay.srtp[] | select(.dir == "unprotect") | .packets] | add')/$(sbe_ctl B stats | jq '[.media.relay.srtp[] | select(.dir == "unprotect") | .packets] | add')"
	sbe_wait_pid "$CALLER_PID" 20
	OUT_CALLER=$?
	sbe_wait_pid "$CALLEE_PID" 10
	OUT_CALLEE=$?
	sbe_wait_pid "$cap" 30
	OUT_WIRE=$(python3 "$WIRE" check "$SBE_T/wire" --a 10.9.0.1 --b 10.9.0.2 --size $SIZE)
	return 0
}

have_crypto=0
python3 -c 'import cryptography.hazmat.primitives.ciphers' 2>/dev/null && have_crypto=1

# wire_is JQ WANT MSG: a figure of the link's capture
wire_is() {
	tap_is "$(jq -c "$1" <<< "$OUT_WIRE" 2>/dev/null)" "$2" "$3"
}

check_call() {
	local a=$1 b sa sb
	[ "$a" = A ] && b=B || b=A
	# the side that offered on the link is the caller's border
	[ "$a" = A ] && sa=a sb=b || sa=b sb=a
	tap_is "$OUT_CALLER/$OUT_CALLEE" "0/0" "$a->$b: caller and callee SIPp scenarios completed"
	tap_is "$(grep -c "ok $SIZE" "$SBE_T/rx_$b" 2>/dev/null)/$(grep -c "ok $SIZE" "$SBE_T/rx_$a" 2>/dev/null)" \
		"$N/$N" "$a->$b: both user agents received all $N RTP packets intact (plaintext)"
	tap_is "$(cat "$SBE_T"/caller/*messages.log "$SBE_T"/callee/*messages.log | grep -c 'a=crypto\|RTP/SAVP')/$(cat "$SBE_T"/caller/*messages.log "$SBE_T"/callee/*messages.log | grep -c 'RTP/AVP')" \
		"0/4" "$a->$b: the user agents saw RTP/AVP and no a=crypto (offer and answer, sent and received)"
	wire_is '[.savp_from_a, .savp_from_b, .crypto_from_a, .crypto_from_b, .keys_differ]' \
		'[1,1,1,1,true]' \
		"$a->$b: on the link each border's SDP said RTP/SAVP with its own a=crypto key"
	wire_is '[.from_a.packets, .from_b.packets, .from_a.plaintext, .from_b.plaintext, .from_a.srtp_len, .from_b.srtp_len]' \
		"[$N,$N,0,0,$N,$N]" \
		"$a->$b: $N media packets each way on the link, none in clear, each $SIZE + 10 bytes (80-bit tag)"
	if [ "$have_crypto" = 1 ]; then
		wire_is '[.from_a.auth_ok, .from_a.decrypted_ok, .from_b.auth_ok, .from_b.decrypted_ok]' \
			"[$N,$N,$N,$N]" \
			"$a->$b: every link packet authenticates and decrypts (RFC 3711, test's own code) with the key its sender offered"
	else
		tap_skip "python3 cryptography missing: link packets not decrypted independently"
	fi
	tap_is "$(jq -r '[.media.sections[0].crypto, ([.media.sections[0].streams[].flags] | map(select(test("srtp"))) | length)] | @tsv' <<< "$OUT_SHOW_A")/$(jq -r '[.media.sections[0].crypto, ([.media.sections[0].streams[].flags] | map(select(test("srtp"))) | length)] | @tsv' <<< "$OUT_SHOW_B")" \
		"$(printf 'bridge\t4')/$(printf 'bridge\t4')" \
		"$a->$b: call show on both borders: section bridged, its 4 streams flagged srtp"
	tap_is "$OUT_CTX_UP/$OUT_RELAY_UP" "2/2/2/2" \
		"$a->$b: 2 SRTP contexts per border, in the userspace relay (no xborder.ko)"
	tap_is "$OUT_UNPROTECTED" "$N/$N" \
		"$a->$b: each relay's unprotect context authenticated the $N packets from the link"
	tap_is "$(sbe_ctl A stats | jq .media.srtp.contexts)/$(sbe_ctl B stats | jq '.media.relay.srtp | length')/$(sbe_calls A)/$(sbe_calls B)" \
		"0/0/0/0" "$a->$b: after BYE no call and no SRTP context is left on either border"
}

srtp_call A || tap_diag < "$SBE_T/A.log"
check_call A
srtp_call B || tap_diag < "$SBE_T/B.log"
check_call B

# keys never reach a log line, even at debug level
dbg=$(cat "$SBE_T/A.log" "$SBE_T/B.log" | grep -c 'INVITE sip:')
tap_is "$(cat "$SBE_T/A.log" "$SBE_T/B.log" | grep -c 'inline:\|a=crypto')/$((dbg >= 4))" "0/1" \
	"no a=crypto and no key in either xborderd's debug log ($dbg INVITEs logged)"

# --- srtp = "pass" on both sides (the default): SDP and media untouched
srtp_conf A pass pass && srtp_conf B pass pass
r=$(sbe_ctl A config reload | jq -r .reloaded)/$(sbe_ctl B config reload | jq -r .reloaded)
tap_is "$r" "true/true" "config reload to srtp = pass accepted by both"
sbe_callee B uas.xml
sbe_caller A uac.xml 1000 -trace_msg
sbe_wait_file "$SBE_T/caller/uac.media" 10
show=$(sbe_ctl A call show "$(sbe_ctl A call list | jq -r '.[0].id')")
sbe_wait_pid "$CALLER_PID" 20
st=$?
sbe_wait_pid "$CALLEE_PID" 10
tap_is "$st/$?" "0/0" "pass: call completed"
tap_is "$(jq -r '[.media.sections[0].crypto, ([.media.sections[0].streams[].flags] | map(select(test("srtp"))) | length)] | @tsv' <<< "$show")" \
	"$(printf 'keep\t0')" "pass: section kept as it is, no stream flagged srtp"
tap_is "$(grep -c 'RTP/SAVP\|a=crypto' "$SBE_T"/caller/*messages.log)" "0" \
	"pass: RTP/AVP crossed as it was, no a=crypto added"

# --- an SRTP phone inside A, plain RTP toward B
srtp_conf A none sdes || tap_bail "cannot write A's configuration"
tap_is "$(sbe_ctl A config reload | jq -r .reloaded)" "true" \
	"phone: sbeA reloaded with users-a srtp = sdes, sbe-b srtp = none"
key=$(head -c 30 /dev/urandom | base64)
rm -rf "$SBE_T"/rx_* "$SBE_T"/ready_*
sbe_callee B uas.xml -trace_msg
xb_bg "$UASB" python3 "$SUDP" recv 10.2.0.2 7000 --timeout 15 --expect "$N" \
	--out "$SBE_T/rx_B" --ready "$SBE_T/ready_B"
rxb=$XB_LAST_PID
xb_wait 5 test -e "$SBE_T/ready_B"
sbe_caller A uac_srtp.xml 3000 -key srtp_key "$key" -trace_msg
sbe_wait_file "$SBE_T/caller/uac.media" 10 && sbe_wait_file "$SBE_T/caller/uac.key" 5 &&
	sbe_wait_file "$SBE_T/callee/uas.media" 10
xb_bg "$UACA" python3 "$WIRE" recv 10.1.0.2 4000 --key-file "$SBE_T/caller/uac.key" \
	--timeout 15 --expect "$N" --out "$SBE_T/rx_A" --ready "$SBE_T/ready_A"
rxa=$XB_LAST_PID
xb_wait 5 test -e "$SBE_T/ready_A"
show=$(sbe_ctl A call show "$(sbe_ctl A call list | jq -r '.[0].id')")
read -r addr port < "$SBE_T/caller/uac.media"
xb_exec "$UACA" python3 "$WIRE" send "$addr" "$port" "$N" --src 10.1.0.2:4002 --key "$key" \
	--size $SIZE --rate 200 &
sa=$!
read -r addr port < "$SBE_T/callee/uas.media"
xb_exec "$UASB" python3 "$XB_TOP/tests/lib/udp.py" send "$addr" "$port" "$N" \
	--src 10.2.0.2:7002 --rtp --size $SIZE --rate 200 &
sb=$!
sbe_wait_pid "$sa" 10
sbe_wait_pid "$sb" 10
sbe_wait_pid "$rxa" 10
sbe_wait_pid "$rxb" 10
sbe_wait_pid "$CALLER_PID" 20
st=$?
sbe_wait_pid "$CALLEE_PID" 10
tap_is "$st/$?" "0/0" "phone: the SRTP caller's offer was answered RTP/SAVP with a=crypto:1, call completed"
fresh=$([ -s "$SBE_T/caller/uac.key" ] && [ "$(cat "$SBE_T/caller/uac.key")" != "$key" ] && echo fresh)
tap_is "$(grep -c 'a=crypto\|RTP/SAVP' "$SBE_T"/callee/*messages.log)/$fresh" "0/fresh" \
	"phone: B saw plain RTP/AVP; the phone got a key of sbeA's own, not its own echoed"
tap_is "$(grep -c "ok $SIZE" "$SBE_T/rx_B" 2>/dev/null)/$(grep -c " ok " "$SBE_T/rx_A" 2>/dev/null)" \
	"$N/$N" "phone: B got all $N packets decrypted by sbeA; the phone all $N back, authenticated and decrypted with the answer's key"
tap_is "$(jq -r '[.media.sections[0].crypto, ([.media.sections[0].streams[].flags] | map(select(test("srtp"))) | length), (.media.sections[0].legs[0].srtp.theirs.tag)] | @tsv' <<< "$show")" \
	"$(printf 'bridge\t4\t1')" "phone: sbeA's section bridged, the phone's leg SRTP with tag 1, 4 streams flagged srtp"

tap_done
