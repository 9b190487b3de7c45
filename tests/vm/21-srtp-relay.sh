#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SRTP through the relay with real traffic, in Debian's kernel:
#
#   caller ns: app (plain RTP) <-> xborder-relay + libsrtp2 (the SRTP phone)
#      | SRTP over veth
#   relay ns:  xb_xdp + xb_xdp_srtp, xborder.ko contexts 1 (unprotect) and
#              2 (protect); xborder-relay with the same keys, standing by
#      | RTP over veth
#   callee ns: plain RTP
#
# Packets leave the relay decrypted and verified (payloads compared), the
# module's counters show the kfunc path carried them, the reverse direction
# is protected by the module and accepted by libsrtp2, a replayed and a
# forged packet are dropped and counted, and the module unloads and comes
# back while traffic flows, the userspace relay covering the gap.
set -u
. "$XB_TOP/tests/lib/tap.sh"
. "$XB_TOP/tests/lib/netns.sh"
. "$XB_TOP/tests/net/fastpath-topo.inc"

tap_plan 25
[ "${XB_VM:-}" = 1 ] || tap_bail "runs only inside the VM: scripts/vmtest.sh $0"
KO=$XB_TOP/build/module/$XB_VM_KVER/xborder.ko
# no module: its headers were missing when make module ran (it said so)
if [ ! -f "$KO" ]; then
	while [ "$TAP_N" -lt "$TAP_PLAN" ]; do
		tap_skip "no $KO (make module KVER=$XB_VM_KVER)"
	done
	exit 0
fi
SUDP="python3 $XB_TOP/tests/lib/srtp_udp.py"
SUITE=AES_CM_128_HMAC_SHA1_80
N=200 M=100 F=300 SIZE=172

fp_topo
rmmod xborder 2>/dev/null
insmod "$KO" || tap_bail "insmod $KO failed"
dmesg -C
CPIN=$FP_BPFFS/caller
CCTL="$FP_BUILD/bin/xborderctl -p $CPIN"
K1=$(head -c 30 /dev/urandom | base64) K2=$(head -c 30 /dev/urandom | base64)

# module_ctx ID FIELD: a counter of the module's context (srtp show)
module_ctx() {
	$FP_BUILD/bin/xborderctl -j srtp show "$1" | jq -r ".$2"
}
# relay_srtp FILE ID FIELD: a context counter from a relay's stats file
relay_srtp() {
	jq -r ".srtp[] | select(.id == $2) | .$3" "$1" 2>/dev/null
}
wait_eq() {
	local secs=$1 want=$2 i
	shift 2
	for ((i = 0; i < secs * 10; i++)); do
		[ "$("$@")" = "$want" ] && return 0
		sleep 0.1
	done
	return 1
}
add_module_ctxs() {
	echo "$K1" | $FP_BUILD/bin/xborderctl srtp add 1 suite $SUITE dir unprotect key - &&
		echo "$K2" | $FP_BUILD/bin/xborderctl srtp add 2 suite $SUITE dir protect key -
}
keyfile() {
	printf '# test keys\n1 suite %s dir %s key %s\n2 suite %s dir %s key %s\n' \
		$SUITE "$2" "$K1" $SUITE "$3" "$K2" >"$1" && chmod 600 "$1"
}
count() {
	grep -c " $2 " "$1"
}

echo "# t=$SECONDS"
# 1-5: the three parties
add_module_ctxs
tap_ok $? "module contexts 1 (unprotect) and 2 (protect) added"
xb_exec "$RELAY" $CTL fastpath attach vr1 mode native >/dev/null &&
	xb_exec "$RELAY" $CTL fastpath attach vr2 mode native >/dev/null &&
	xb_exec "$CALLER" $CTL fastpath attach vc1 prog pass >/dev/null &&
	xb_exec "$CALLEE" $CTL fastpath attach vc2 prog pass >/dev/null
prog=$(xb_exec "$RELAY" $CTL -j srtp xdp show | jq -r .prog_id)
tap_ge "${prog:-0}" 1 "XDP attached; the attach installed xb_xdp_srtp as the module is there"
xb_exec "$RELAY" $CTL stream add local 10.0.1.1:20000 remote 10.0.2.2:30000 \
	source 10.0.2.1:20002 dev vr2 dmac "$(xb_mac "$CALLEE" vc2)" rtp srtp 1 >/dev/null &&
	xb_exec "$RELAY" $CTL stream add local 10.0.2.1:20002 remote 10.0.1.2:10000 \
		source 10.0.1.1:20000 dev vr1 dmac "$(xb_mac "$CALLER" vc1)" rtp srtp-protect 2 \
		>/dev/null &&
	xb_exec "$CALLER" $CCTL stream add local 10.0.1.2:11000 remote 10.0.1.1:20000 \
		source 10.0.1.2:10000 pass rtp srtp-protect 1 >/dev/null &&
	xb_exec "$CALLER" $CCTL stream add local 10.0.1.2:10000 remote 10.0.1.2:12000 \
		source 10.0.1.2:11000 pass rtp srtp 2 >/dev/null
tap_ok $? "streams: relay SRTP<->RTP on XDP; caller's phone protects and unprotects"
keyfile "$FP_TMP/caller.keys" protect unprotect
keyfile "$FP_TMP/relay.keys" unprotect protect
cp "$FP_TMP/caller.keys" "$FP_TMP/open.keys" && chmod 644 "$FP_TMP/open.keys"
err=$(xb_exec "$CALLER" $FP_BUILD/bin/xborder-relay -p "$CPIN" -k "$FP_TMP/open.keys" 2>&1)
[[ "$err" == *"accessible by others (mode 644): chmod 600 it"* ]] && [[ "$err" != *"$K1"* ]]
tap_ok $? "xborder-relay refuses a key file others can read, without showing a key"
xb_bg "$CALLER" $FP_BUILD/bin/xborder-relay -p "$CPIN" -k "$FP_TMP/caller.keys" \
	-s "$FP_TMP/caller.json" -q >"$FP_TMP/caller.out"
xb_bg "$RELAY" $RELAYD -k "$FP_TMP/relay.keys" -s "$FP_TMP/relay.json" -q >"$FP_TMP/relay.out"
# stats: a counter of a relay's stats file (absent at first: no output)
stats() {
	jq -r "$2" "$1" 2>/dev/null
}
wait_eq 10 2 stats "$FP_TMP/caller.json" '.srtp | length' &&
	wait_eq 10 2 stats "$FP_TMP/relay.json" '.srtp | length' &&
	wait_eq 10 2 stats "$FP_TMP/relay.json" .sockets
tap_ok $? "both xborder-relay daemons run with 2 contexts from their key files"

echo "# t=$SECONDS"
# 6-11: caller -> callee: libsrtp2 protects, the module unprotects
xb_bg "$CALLER" $SUDP sniff vc1 20000 --count 3 --timeout 20 --out "$FP_TMP/srtp.hex"
ready=$FP_TMP/ready.1
xb_bg "$CALLEE" $SUDP recv 10.0.2.2 30000 --timeout 20 --expect "$N" --out "$FP_TMP/fwd.out" \
	--ready "$ready"
rx_pid=$XB_LAST_PID
xb_wait 5 test -e "$ready"
redir0=$(fp_stat redirect)
xb_exec "$CALLER" python3 "$UDP" send 10.0.1.2 11000 "$N" --src 10.0.1.2:12000 --rtp \
	--size "$SIZE" --rate 1000
wait "$rx_pid"
tap_is "$(wc -l <"$FP_TMP/fwd.out")" "$N" "callee received all $N packets"
tap_is "$(count "$FP_TMP/fwd.out" ok)" "$N" "every one decrypted and intact (header and payload)"
tap_is "$(module_ctx 1 packets)/$(module_ctx 1 auth_fail)" "$N/0" \
	"module context 1 unprotected $N, no authentication failure"
tap_is "$(($(fp_stat redirect) - redir0))" "$N" "xb_stats: $N redirected by XDP"
wait_eq 5 "$N" relay_srtp "$FP_TMP/caller.json" 1 packets
tap_is "$(relay_srtp "$FP_TMP/caller.json" 1 packets)" "$N" "the caller's libsrtp2 protected $N"
tap_is "$(jq -r .rx "$FP_TMP/relay.json")" "0" "the relay's userspace relay saw none of them"

echo "# t=$SECONDS"
# 12-14: callee -> caller: the module protects, libsrtp2 unprotects
ready=$FP_TMP/ready.2
xb_bg "$CALLER" $SUDP recv 10.0.1.2 12000 --timeout 20 --expect "$M" --out "$FP_TMP/rev.out" \
	--ready "$ready"
rx_pid=$XB_LAST_PID
xb_wait 5 test -e "$ready"
xb_exec "$CALLEE" python3 "$UDP" send 10.0.2.1 20002 "$M" --src 10.0.2.2:30000 --rtp \
	--size "$SIZE" --rate 1000
wait "$rx_pid"
tap_is "$(count "$FP_TMP/rev.out" ok)" "$M" "caller's app received $M intact after libsrtp2"
tap_is "$(module_ctx 2 packets)" "$M" "module context 2 protected $M"
wait_eq 5 "$M" relay_srtp "$FP_TMP/caller.json" 2 packets
tap_is "$(relay_srtp "$FP_TMP/caller.json" 2 packets)/$(relay_srtp "$FP_TMP/caller.json" 2 auth_fail)" \
	"$M/0" "libsrtp2 accepted all $M the module protected"

echo "# t=$SECONDS"
# 15-18: a replayed and a forged packet, sent from the caller's side
xb_wait 10 sh -c "[ \$(wc -l <'$FP_TMP/srtp.hex') -ge 3 ]"
tap_ok $? "three SRTP datagrams captured on the caller's veth"
ready=$FP_TMP/ready.3
xb_bg "$CALLEE" $SUDP recv 10.0.2.2 30000 --timeout 3 --out "$FP_TMP/bad.out" --ready "$ready"
rx_pid=$XB_LAST_PID
xb_wait 5 test -e "$ready"
srtp0=$(fp_stat drop_srtp)
xb_exec "$CALLER" $SUDP sendhex 10.0.1.1 20000 "$(sed -n 1p "$FP_TMP/srtp.hex")" \
	--src 10.0.1.2:13000
tap_is "$(module_ctx 1 replay_fail)/$(($(fp_stat drop_srtp) - srtp0))" "1/1" \
	"a replayed packet: dropped by XDP, counted as a replay"
xb_exec "$CALLER" $SUDP sendhex 10.0.1.1 20000 "$(sed -n 2p "$FP_TMP/srtp.hex")" \
	--src 10.0.1.2:13000 --seq $((N + 500)) --flip 30
tap_is "$(module_ctx 1 auth_fail)/$(($(fp_stat drop_srtp) - srtp0))" "1/2" \
	"a forged packet (fresh sequence number, one byte changed): authentication failure"
wait "$rx_pid"
tap_is "$(wc -l <"$FP_TMP/bad.out")" "0" "neither reached the callee"

echo "# t=$SECONDS"
# 19-23: the module goes and comes back while traffic flows
ready=$FP_TMP/ready.4
xb_bg "$CALLEE" $SUDP recv 10.0.2.2 30000 --timeout 30 --expect "$F" --out "$FP_TMP/flow.out" \
	--ready "$ready"
rx_pid=$XB_LAST_PID
xb_wait 5 test -e "$ready"
# the same SSRC goes on where it stopped: SRTP never reuses an index
xb_bg "$CALLER" $SUDP send 10.0.1.2 11000 "$F" --src 10.0.1.2:12000 --seq0 1000 \
	--size "$SIZE" --rate 100
tx_pid=$XB_LAST_PID
sleep 0.5
xb_exec "$RELAY" $CTL srtp xdp off
xb_wait 5 sh -c 'rmmod xborder 2>/dev/null'
tap_ok $? "srtp xdp off, then rmmod while packets flow"
sleep 0.5
insmod "$KO" && add_module_ctxs && xb_exec "$RELAY" $CTL srtp xdp on >/dev/null
tap_ok $? "insmod, contexts again, srtp xdp on, still while packets flow"
wait "$tx_pid"
wait "$rx_pid"
tap_is "$(wc -l <"$FP_TMP/flow.out")/$(count "$FP_TMP/flow.out" ok)" "$F/$F" \
	"callee received all $F packets of the flow, all intact"
sleep 0.3 # the relay rewrites its stats file every 100 ms
tap_ge "$(relay_srtp "$FP_TMP/relay.json" 1 packets)" 1 \
	"without the module the userspace relay (libsrtp2) unprotected some"
tap_ge "$(module_ctx 1 packets)" 1 "after it came back the module unprotected some"

echo "# t=$SECONDS"
# 24-25: the kernel stayed healthy
dmesg | grep -E 'WARNING|BUG|Oops|refcount_t|leak|general protection' | tap_diag
! dmesg | grep -qE 'WARNING|BUG|Oops|refcount_t|leak|general protection'
tap_ok $? "kernel log free of warnings, bugs, refcount and leak reports"
xb_exec "$RELAY" $CTL srtp xdp off && xb_wait 5 sh -c 'rmmod xborder 2>/dev/null'
tap_ok $? "module unloads at the end (no reference left behind)"
tap_done
