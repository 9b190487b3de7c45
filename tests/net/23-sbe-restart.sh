#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A controller restart in the middle of a call does not lose a media
# packet: RTP flows both ways through both borders while xborderd A is
# stopped with SIGTERM and xborderd B is killed with SIGKILL, each
# restarted a moment later. While a daemon is down its pinned fast path
# keeps forwarding (the counters keep rising); once back it lists the call
# again from its state directory, and the caller's BYE, routed by its
# Route headers, ends the call through both borders.
set -u
. "${XB_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$XB_TOP/tests/lib/netns.sh"
. "$XB_TOP/tests/net/sbe-topo.inc"

RATE=50
N=500 # 10 s of media
tap_plan 14
sbe_topo
sbe_ua_init
sbe_conf A
sbe_conf B
sbe_start A && sbe_start B || tap_bail "xborderd did not start: $(tail -3 "$SBE_T"/*.log)"

# fp_packets SIDE: packets of SIDE's streams, read from its pinned maps
# (works while the daemon is down).
fp_packets() {
	sbe_fp "$1" stream list | jq '[.[].packets] | add // 0'
}
alive() { "$XBCTL" -s "$SBE_T/$1.sock" stats >/dev/null 2>&1; }

xb_bg "$UASB" python3 "$UDP" recv 10.2.0.2 7000 --timeout 25 --expect "$N" \
	--out "$SBE_T/rx_b" --ready "$SBE_T/ready_b" >/dev/null
rxb=$XB_LAST_PID
xb_bg "$UACA" python3 "$UDP" recv 10.1.0.2 4000 --timeout 25 --expect "$N" \
	--out "$SBE_T/rx_a" --ready "$SBE_T/ready_a" >/dev/null
rxa=$XB_LAST_PID
xb_wait 5 test -e "$SBE_T/ready_a" && xb_wait 5 test -e "$SBE_T/ready_b" ||
	tap_bail "RTP receivers did not start"
sbe_callee B uas.xml
sbe_caller A uac.xml 14000
sbe_wait_file "$SBE_T/caller/uac.media" 10 && sbe_wait_file "$SBE_T/callee/uas.media" 10 ||
	tap_bail "the call did not get established"
read -r addr port < "$SBE_T/caller/uac.media"
xb_bg "$UACA" python3 "$UDP" send "$addr" "$port" "$N" --src 10.1.0.2:4002 --rtp --rate "$RATE"
read -r addr port < "$SBE_T/callee/uas.media"
xb_bg "$UASB" python3 "$UDP" send "$addr" "$port" "$N" --src 10.2.0.2:7002 --rtp --rate "$RATE"
sleep 1.5

# --- A: SIGTERM, media keeps flowing, restart adopts the call
a0=$(fp_packets A)
sbe_stop A TERM
alive A && down=no || down=yes
sleep 1.5
a1=$(fp_packets A)
tap_is "$down" "yes" "xborderd A stopped with SIGTERM"
tap_ge "$((a1 - a0))" $((RATE * 2)) "A's fast path kept forwarding while xborderd A was down ($a0 -> $a1)"
sbe_start A || tap_bail "xborderd A did not restart: $(tail -3 "$SBE_T/A.log")"
tap_is "$(sbe_ctl A call list | jq -r '.[0] | "\(.state) \(.media_mode)"')" "established relay" \
	"restarted A lists the call as established, media relayed"
tap_ge "$(sbe_ctl A call list | jq -r '.[0].streams')" 2 "restarted A sees the call's streams"

# --- B: SIGKILL, same
sleep 1
b0=$(fp_packets B)
sbe_stop B KILL
sleep 1.5
b1=$(fp_packets B)
tap_ge "$((b1 - b0))" $((RATE * 2)) "B's fast path kept forwarding after xborderd B was killed ($b0 -> $b1)"
sbe_start B || tap_bail "xborderd B did not restart: $(tail -3 "$SBE_T/B.log")"
tap_is "$(sbe_calls B)" "1" "restarted B lists the call"

# --- the call ends normally through the restarted borders
sbe_wait_pid "$CALLER_PID" 25
st=$?
sbe_wait_pid "$CALLEE_PID" 10
tap_is "$st/$?" "0/0" "the caller's BYE crossed both restarted borders, 200 came back"
sbe_wait_pid "$rxa" 25
sbe_wait_pid "$rxb" 25
tap_is "$(wc -l < "$SBE_T/rx_b")" "$N" "the callee received every one of $N RTP packets"
tap_is "$(wc -l < "$SBE_T/rx_a")" "$N" "the caller received every one of $N RTP packets"
tap_is "$(cut -d' ' -f1 "$SBE_T/rx_b" | sort -un | wc -l)" "$N" "no packet was duplicated or lost"
tap_is "$(sbe_calls A)/$(sbe_calls B)" "0/0" "no call left on either border"
tap_is "$(sbe_fp A stream list | jq length)/$(sbe_fp B stream list | jq length)" "0/0" \
	"the streams went with the call"
tap_ge "$(grep -c "adopted 1 established call" "$SBE_T/A.log" "$SBE_T/B.log" |
	awk -F: '{ s += $2 } END { print s }')" 2 "both daemons logged the adoption"
tap_ge "$(grep -c "end: .*cause=BYE from caller" "$SBE_T/A.log")" 1 "A logged the teardown"

tap_done
