#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The basic peering flow of seed 000 section 4 in the integrated model,
# two domains each behind its own xborderd, real SIPp user agents:
# INVITE / 100 / 180 / 200 / ACK / RTP both ways / BYE / 200, from A to B
# and from B to A. The RTP crosses both relays (XDP fast path): each user
# agent receives it from its own border's relay address, and both fast
# paths count the packets. Then, after `config reload` to media_mode
# direct, the SDP crosses untouched and no stream is installed.
set -u
. "${XB_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$XB_TOP/tests/lib/netns.sh"
. "$XB_TOP/tests/net/sbe-topo.inc"

N=100
tap_plan 28
sbe_topo
sbe_ua_init
sbe_conf A
sbe_conf B
sbe_start A && sbe_start B || tap_bail "xborderd did not start: $(tail -3 "$SBE_T"/*.log)"
tap_ok 0 "two xborderd started with XDP on their media interfaces"

# rtp_call CALLER: one call from user agent CALLER to the other, N RTP
# packets each way while it is up; sets OUT_* for the checks.
rtp_call() {
	local a=$1 b rxa rxb addr port sa sb
	[ "$a" = A ] && b=B || b=A
	rm -f "$SBE_T"/rx_* "$SBE_T"/ready_*
	sbe_callee "$b" uas.xml || return 1
	xb_bg "${UA_NS[$b]}" python3 "$UDP" recv "${UA_IP[$b]}" "${UA_RTP[$b]}" --timeout 15 \
		--expect "$N" --out "$SBE_T/rx_$b" --ready "$SBE_T/ready_$b" >/dev/null
	rxb=$XB_LAST_PID
	xb_bg "${UA_NS[$a]}" python3 "$UDP" recv "${UA_IP[$a]}" "${UA_RTP[$a]}" --timeout 15 \
		--expect "$N" --out "$SBE_T/rx_$a" --ready "$SBE_T/ready_$a" >/dev/null
	rxa=$XB_LAST_PID
	xb_wait 5 test -e "$SBE_T/ready_$a" && xb_wait 5 test -e "$SBE_T/ready_$b" || return 1
	sbe_caller "$a" uac.xml 5000
	sbe_wait_file "$SBE_T/caller/uac.media" 10 && sbe_wait_file "$SBE_T/callee/uas.media" 10 ||
		return 1
	OUT_UAC_SDP=$(cat "$SBE_T/caller/uac.media")
	OUT_UAS_SDP=$(cat "$SBE_T/callee/uas.media")
	read -r addr port < "$SBE_T/caller/uac.media"
	xb_exec "${UA_NS[$a]}" python3 "$UDP" send "$addr" "$port" "$N" \
		--src "${UA_IP[$a]}:$((UA_RTP[$a] + 2))" --rtp --size 172 --rate 200 &
	sa=$!
	read -r addr port < "$SBE_T/callee/uas.media"
	xb_exec "${UA_NS[$b]}" python3 "$UDP" send "$addr" "$port" "$N" \
		--src "${UA_IP[$b]}:$((UA_RTP[$b] + 2))" --rtp --size 172 --rate 200 &
	sb=$!
	sbe_wait_pid "$sa" 10
	sbe_wait_pid "$sb" 10
	sbe_wait_pid "$rxa" 10
	sbe_wait_pid "$rxb" 10
	OUT_CALLS_UP="$(sbe_calls A)/$(sbe_calls B)"
	OUT_PKT_A=$(sbe_packets A)
	OUT_PKT_B=$(sbe_packets B)
	sbe_wait_pid "$CALLER_PID" 20
	OUT_CALLER=$?
	sbe_wait_pid "$CALLEE_PID" 10
	OUT_CALLEE=$?
	return 0
}

check_call() {
	local a=$1 b
	[ "$a" = A ] && b=B || b=A
	tap_is "$OUT_CALLER/$OUT_CALLEE" "0/0" "$a->$b: caller and callee SIPp scenarios completed"
	tap_is "$OUT_CALLS_UP" "1/1" "$a->$b: the call is listed on both borders while up"
	tap_is "${OUT_UAC_SDP%% *}/${OUT_UAS_SDP%% *}" "${UA_SBE[$a]}/${UA_SBE[$b]}" \
		"$a->$b: each side's SDP names its own border's relay address"
	tap_is "$(wc -l < "$SBE_T/rx_$b" 2>/dev/null)" "$N" "$a->$b: callee received all $N RTP packets"
	tap_is "$(cut -d' ' -f2 "$SBE_T/rx_$b" | sort -u | tr -d '\n')" \
		"${UA_SBE[$b]}:${OUT_UAS_SDP##* }" \
		"$a->$b: callee receives from its relay address (the SDP it was offered)"
	tap_is "$(wc -l < "$SBE_T/rx_$a" 2>/dev/null)/$(cut -d' ' -f2 "$SBE_T/rx_$a" | sort -u | tr -d '\n')" \
		"$N/${UA_SBE[$a]}:${OUT_UAC_SDP##* }" \
		"$a->$b: caller receives all $N back from its relay address"
	tap_ge "$OUT_PKT_A" $((2 * N)) "$a->$b: sbeA's fast-path streams counted both directions"
	tap_ge "$OUT_PKT_B" $((2 * N)) "$a->$b: sbeB's fast-path streams counted both directions"
	tap_is "$(sbe_calls A)/$(sbe_calls B)" "0/0" "$a->$b: after BYE/200 no call is left on either border"
}

redir0=$(( $(sbe_fp A fastpath stats | jq '.redirect + .tx') + $(sbe_fp B fastpath stats | jq '.redirect + .tx') ))
rtp_call A || tap_diag < "$SBE_T/A.log"
check_call A
redir=$(( $(sbe_fp A fastpath stats | jq '.redirect + .tx') + $(sbe_fp B fastpath stats | jq '.redirect + .tx') ))
tap_ge "$((redir - redir0))" $((4 * N)) "A->B: the XDP programs forwarded the media themselves (redirect/tx)"
rtp_call B || tap_diag < "$SBE_T/B.log"
check_call B

# the streams went with the calls
tap_is "$(sbe_fp A stream list | jq length)/$(sbe_fp B stream list | jq length)" "0/0" \
	"no fast-path stream is left on either border"
logline=$(grep -c "setup: .*media=relay result=established" "$SBE_T/A.log")
tap_ge "$logline" 2 "one setup log line per call with call-id, peers and media mode"
tap_ge "$(grep -c " end: .*cause=BYE from caller" "$SBE_T/A.log")" 2 \
	"one teardown log line per call with its cause"

# --- media-direct: the same borders reloaded with media_mode = "direct"
sbe_conf A direct
sbe_conf B direct
r=$(sbe_ctl A config reload | jq -r .reloaded)/$(sbe_ctl B config reload | jq -r .reloaded)
tap_is "$r" "true/true" "config reload to media_mode direct accepted by both"
sbe_callee B uas.xml
sbe_caller A uac.xml 1500
sbe_wait_file "$SBE_T/caller/uac.media" 10
sbe_wait_file "$SBE_T/callee/uas.media" 10
streams=$(sbe_fp A stream list | jq length)/$(sbe_fp B stream list | jq length)
mode=$(sbe_ctl A call list | jq -r '.[0].media_mode')
sbe_wait_pid "$CALLER_PID" 20
st=$?
sbe_wait_pid "$CALLEE_PID" 10
tap_is "$st/$?" "0/0" "direct: call completed"
tap_is "$(cat "$SBE_T/callee/uas.media")" "10.1.0.2 4000" "direct: callee got the caller's own SDP address"
tap_is "$(cat "$SBE_T/caller/uac.media")" "10.2.0.2 7000" "direct: caller got the callee's own SDP address"
tap_is "$streams/$mode" "0/0/direct" "direct: no fast-path stream installed, call listed as direct"

tap_done
