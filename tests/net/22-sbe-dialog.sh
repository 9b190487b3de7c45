#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Established calls across two xborderd domains, SIPp user agents:
# re-INVITE hold (a=sendonly) and resume through both borders, with media
# relayed after the resume; BYE from the callee; the caller on TCP (its
# INVITE, ACK and the callee's BYE back to it all on one connection); and
# a call whose media stopped, which both borders end with BYE both ways.
set -u
. "${XB_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$XB_TOP/tests/lib/netns.sh"
. "$XB_TOP/tests/net/sbe-topo.inc"

N=50
tap_plan 18
sbe_topo
sbe_ua_init
sbe_conf A
sbe_conf B
sbe_start A && sbe_start B || tap_bail "xborderd did not start: $(tail -3 "$SBE_T"/*.log)"

lines_are() { test "$(wc -l < "$1" 2>/dev/null)" = "$2"; }
calls_are() { test "$(sbe_calls "$1")" = "$2"; }

finish() {
	sbe_wait_pid "$CALLER_PID" 30
	ST="$?"
	sbe_wait_pid "$CALLEE_PID" 10
	ST="$ST/$?"
}

# --- hold and resume
sbe_callee B uas.xml
sbe_caller A uac_hold.xml 2000
sbe_wait_file "$SBE_T/caller/uac.media" 10
read -r _ port0 < "$SBE_T/caller/uac.media"
xb_wait 10 lines_are "$SBE_T/caller/uac.reinvite" 2
xb_bg "$UASB" python3 "$UDP" recv 10.2.0.2 7000 --timeout 5 --expect "$N" \
	--out "$SBE_T/rx_hold" --ready "$SBE_T/ready_hold" >/dev/null
rx=$XB_LAST_PID
xb_wait 5 test -e "$SBE_T/ready_hold"
xb_exec "$UACA" python3 "$UDP" send 10.1.0.1 "$port0" "$N" --src 10.1.0.2:4002 --rtp --rate 500
sbe_wait_pid "$rx" 10
finish
tap_is "$ST" "0/0" "hold/resume: both re-INVITEs answered, call completed"
tap_is "$(cat "$SBE_T/callee/uas.log" 2>/dev/null | tr '\n' ' ')" \
	"reinvite sendonly reinvite sendrecv " "hold/resume: the callee saw sendonly, then sendrecv"
tap_is "$(sort -u "$SBE_T/caller/uac.reinvite" | tr -d '\n')" "$port0" \
	"hold/resume: the relay port the caller sends to stays the same"
tap_is "$(wc -l < "$SBE_T/rx_hold")" "$N" "hold/resume: media relayed after the resume"
tap_is "$(sbe_calls A)/$(sbe_calls B)" "0/0" "hold/resume: no call left"

# --- BYE from the callee
sbe_callee B uas_bye.xml -d 1000
sbe_caller A uac_wait_bye.xml 1000
finish
tap_is "$ST" "0/0" "callee BYE: reached the caller through both borders, 200 back"
tap_is "$(sbe_calls A)/$(sbe_calls B)" "0/0" "callee BYE: no call left"
tap_ge "$(grep -c "cause=BYE from callee" "$SBE_T/A.log")" 1 "callee BYE: logged as such"

# --- caller on TCP, callee hangs up toward it
acc0=$(sbe_ctl A stats | jq .transport.tcp.accepted)
sbe_callee B uas_bye.xml -d 1500
sbe_caller A uac_wait_bye.xml 1000 -t t1
xb_wait 10 calls_are A 1
id=$(sbe_ctl A call list | jq -r '.[0].id')
tcp=$(sbe_ctl A call show "$id" | jq -r .caller.transport)
finish
tap_is "$ST" "0/0" "TCP: call from a TCP caller completed, the callee's BYE reached it"
tap_is "$tcp" "tcp" "TCP: sbeA shows the caller's side on its TCP listener"
tcpst=$(sbe_ctl A stats | jq -r --argjson a0 "$acc0" \
	'"\(.transport.tcp.accepted - $a0) \(.transport.tcp.connected) \(.transport.tcp.rx >= 3)"')
tap_is "$tcpst" "1 0 true" \
	"TCP: one connection from the caller carried everything, the BYE included"
tap_is "$(sbe_calls A)/$(sbe_calls B)" "0/0" "TCP: no call left"

# --- media timeout: both borders end a silent call
SBE_MEDIA_TIMEOUT=3
sbe_conf A
sbe_conf B
r=$(sbe_ctl A config reload | jq -r .reloaded)/$(sbe_ctl B config reload | jq -r .reloaded)
tap_is "$r" "true/true" "media timeout: 3 s set by config reload"
t0=$(date +%s)
sbe_callee B uas.xml
sbe_caller A uac_wait_bye.xml 1000
finish
t=$(($(date +%s) - t0))
tap_is "$ST" "0/0" "media timeout: both user agents got a BYE and answered it"
tap_ok $((t > 15)) "media timeout: ended after about the timeout (${t} s)"
tap_is "$(sbe_calls A)/$(sbe_calls B)" "0/0" "media timeout: no call left"
tap_is "$(sbe_fp A stream list | jq length)/$(sbe_fp B stream list | jq length)" "0/0" \
	"media timeout: the streams are gone"
tap_ge "$(grep -c "cause=media timeout" "$SBE_T/A.log" "$SBE_T/B.log" | awk -F: '{ s += $2 } END { print s }')" 1 \
	"media timeout: a border logged the cause"

tap_done
