#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# xborderctl and the fast-path library on their own: pinned maps shared
# across processes, ABI refusal, stream ids (lowest free, counters zeroed
# on reuse), replace keeping ids, neighbour resolution and its fallback,
# attach modes and foreign programs, and the CLI contract (exit 1 for a
# failed operation, 2 for a wrong command line, one line on stderr).
set -u
. "${XB_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$XB_TOP/tests/lib/netns.sh"
. "$XB_TOP/tests/net/fastpath-topo.inc"

tap_plan 32
fp_topo

# ctl ARGS...: run xborderctl in the relay namespace; stdout in $OUT,
# stderr in $ERR, exit status in $RC
ctl() {
	OUT=$(xb_exec "$RELAY" $CTL "$@" 2>"$FP_TMP/err")
	RC=$?
	ERR=$(cat "$FP_TMP/err")
}
# one_line_err PREFIX: stderr is exactly one line starting with "xborderctl: "
one_line_err() {
	[ "$(printf '%s\n' "$ERR" | wc -l)" = 1 ] && [[ "$ERR" == "xborderctl: "* ]]
}

ctl fastpath show
tap_ok $(( RC != 1 )) "show before anything is pinned fails with status 1"
one_line_err
tap_ok $? "... and one line on stderr: $ERR"
test ! -e "$PIN"
tap_ok $? "... and creates nothing"

ctl -j fastpath init max-streams 1024
tap_is "$(echo "$OUT" | jq -c '[.created, .max_streams]')" "[true,1024]" \
	"fastpath init creates the maps (1024 streams)"
ctl -j fastpath init
tap_is "$(echo "$OUT" | jq -c '[.created, .max_streams]')" "[false,1024]" \
	"a second init adopts them"

# --- command-line errors: status 2
ctl stream add local 10.0.1.1 remote 10.0.2.2:1 source 10.0.2.1:1 dev vr2
tap_is "$RC" "2" "an address without a port is a usage error"
one_line_err
tap_ok $? "... with one line on stderr: $ERR"
ctl stream add local 10.0.1.1:1 remote 10.0.2.2:1 dev vr2
tap_is "$RC" "2" "a forwarding stream without source is a usage error"
ctl stream add local 10.0.1.1:1 remote '[fd00::2]:1' source 10.0.2.1:1 dev vr2
tap_is "$RC" "2" "mixed families are a usage error"
ctl stream add local 10.0.1.1:1 remote 10.0.2.2:1 source 10.0.2.1:1 dev vr2 vlan 4095
tap_is "$RC" "2" "vlan 4095 is a usage error"
ctl frobnicate
tap_is "$RC" "2" "an unknown object is a usage error"
ctl stream add local 10.0.1.1:1 remote 10.0.2.2:1 source 10.0.2.1:1 dev nosuch0
tap_is "$RC/$ERR" "1/xborderctl: no device 'nosuch0' in this network namespace" \
	"an unknown device is a failed operation"

# --- ids: 1, 2, 3; lowest free after a delete; counters zeroed on reuse
for p in 1 2 3; do
	ctl -j stream add local 10.0.1.1:2000$p remote 10.0.2.2:3000$p source 10.0.2.1:2000$p fib
	ids="${ids:-}$(echo "$OUT" | jq -r .id)"
done
tap_is "$ids" "123" "three streams get ids 1, 2, 3"
ctl stream del 2
# leave counters in the freed slot, as the fast path would have
xb_exec "$RELAY" bpftool map update pinned "$PIN/xb_stream_stats" key 2 0 0 0 \
	value 7 0 0 0 0 0 0 0 $(printf '0 %.0s' $(seq 32))
ctl -j stream add local 10.0.1.1:20009 remote 10.0.2.2:30009 source 10.0.2.1:20009 fib
tap_is "$(echo "$OUT" | jq -r .id)" "2" "a new stream takes the lowest free id (2)"
ctl -j stream show 2
tap_is "$(echo "$OUT" | jq -c '[.local, .packets]')" '["10.0.1.1:20009",0]' \
	"and starts from zeroed counters"
ctl stream add local 10.0.1.1:20009 remote 10.0.2.2:1 source 10.0.2.1:1 fib
tap_is "$RC/$ERR" "1/xborderctl: a stream for this local address exists (id 2)" \
	"adding an existing local address fails"
ctl -j stream replace local 10.0.1.1:20009 remote 10.0.2.2:4000 source 10.0.2.1:20009 fib rtp
ctl -j stream show local 10.0.1.1:20009
tap_is "$(echo "$OUT" | jq -c '[.id, .remote, .flags]')" '[2,"10.0.2.2:4000",["forward","rtp","fib"]]' \
	"replace keeps the id and changes the stream"
ctl stream del local 10.0.1.1:20009
ctl stream show 2
tap_is "$RC" "1" "a deleted stream is gone"

# --- concurrent writers never share an id (allocation runs under a lock)
for p in $(seq 30 49); do
	xb_exec "$RELAY" $CTL -j stream add local 10.0.1.1:210$p remote 10.0.2.2:1 \
		source 10.0.2.1:1 fib >"$FP_TMP/par.$p" 2>&1 &
done
wait
tap_is "$(cat "$FP_TMP"/par.* | jq -r .id | sort -un | wc -l)" "20" \
	"20 concurrent adds got 20 distinct ids"
for p in $(seq 30 49); do ctl stream del local 10.0.1.1:210$p; done

# --- next-hop MAC: from the neighbour table, or fib when unresolved
ctl -j stream add local 10.0.1.1:20100 remote 10.0.2.2:30100 source 10.0.2.1:20100 dev vr2
tap_is "$(echo "$OUT" | jq -r .fib)" "true" "no neighbour entry yet: the stream uses fib"
tap_ok $(( $(echo "$ERR" | grep -c 'uses FIB lookups') != 1 )) "... and says so"
xb_exec "$RELAY" ping -c1 -W2 10.0.2.2 >/dev/null
ctl -j stream replace local 10.0.1.1:20100 remote 10.0.2.2:30100 source 10.0.2.1:20100 dev vr2
ctl -j stream show local 10.0.1.1:20100
tap_is "$(echo "$OUT" | jq -r '"\(.dmac) \(.smac)"')" \
	"$(xb_mac "$CALLEE" vc2) $(xb_mac "$RELAY" vr2)" "after a ping: dmac and smac resolved"

ctl -j stream add local '[fd00:1::1]:20000' remote '[fd00:2::2]:30000' \
	source '[fd00:2::1]:20000' fib expires 60
ctl -j stream show local '[fd00:1::1]:20000'
exp=$(echo "$OUT" | jq -r .expires_in_ms)
tap_ok $(( exp < 59000 || exp > 60000 )) "an IPv6 stream with expires 60 ($exp ms left)"

# --- the ABI stamp
ABI=$(awk '$1 == "#define" && $2 == "XB_FASTPATH_ABI" { print $3 }' "$XB_TOP/include/uapi/xborder/fastpath.h")
xb_exec "$RELAY" bpftool map update pinned "$PIN/xb_config" key 0 0 0 0 \
	value 99 0 0 0 $(printf '0 %.0s' $(seq 12))
ctl stream list
tap_ok $(( RC != 1 || $(echo "$ERR" | grep -c "ABI 99, this build speaks $ABI") != 1 )) \
	"maps of another ABI are refused: $ERR"
xb_exec "$RELAY" bpftool map update pinned "$PIN/xb_config" key 0 0 0 0 \
	value "$ABI" 0 0 0 $(printf '0 %.0s' $(seq 12))

ctl -j fastpath config ports 20000-29999 drop-unknown on
tap_is "$(echo "$OUT" | jq -c '[.relay_port_min, .relay_port_max, .drop_unknown, .abi]')" \
	"[20000,29999,true,$ABI]" "config sets the relay range and drop-unknown"
ctl fastpath config ports 3000-2000
tap_is "$RC" "2" "an empty port range is a usage error"

# --- attach modes, foreign programs
ctl -j fastpath attach vr1 mode generic
tap_is "$(echo "$OUT" | jq -r .mode)" "generic" "attach in generic mode on request"
ctl -j fastpath attach vr1 mode native
tap_is "$(echo "$OUT" | jq -r .mode)" "native" "and switch to native"
# a program from another pin directory is not ours
xb_exec "$RELAY" "$FP_BUILD/bin/xborderctl" -p "$FP_BPFFS/other" fastpath attach vr2 prog pass \
	>/dev/null
ctl fastpath attach vr2
tap_ok $(( RC != 1 || $(echo "$ERR" | grep -c 'use force') != 1 )) \
	"a foreign XDP program is not replaced without force"
ctl -j fastpath attach vr2 force
tap_is "$RC/$(echo "$OUT" | jq -r .prog)" "0/xb_xdp" "... and is with force"
ctl -j fastpath show
tap_is "$(echo "$OUT" | jq '[.attached[].prog_id] | unique | length')/$(echo "$OUT" | jq '.programs.xb_xdp == .attached[0].prog_id')" \
	"1/true" "both devices run the one pinned program instance"
ctl fastpath detach vr2
ctl fastpath detach vr2
tap_is "$RC/$ERR" "1/xborderctl: no XDP program on vr2" "detach, then detach again fails"
tap_done
