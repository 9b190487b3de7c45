#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SRTP in the userspace relay, where xborder.ko is absent (this host cannot
# load modules): an SRTP caller (xborder-relay + libsrtp2 as the phone, in
# the caller's namespace) reaches an RTP callee through the relay's
# xborder-relay, which unprotects with its own libsrtp2 context from a key
# file, and protects the way back. Payloads are compared; a forged and a
# replayed packet are dropped and counted as drop_srtp; a key file others
# can read is refused. The XDP version is tests/vm/21-srtp-relay.sh.
set -u
. "${XB_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$XB_TOP/tests/lib/netns.sh"
. "$XB_TOP/tests/net/fastpath-topo.inc"

N=200 M=100 SIZE=172 SUITE=AES_CM_128_HMAC_SHA1_32
SUDP="python3 $XB_TOP/tests/lib/srtp_udp.py"
tap_plan 15
fp_topo
CPIN=$FP_BPFFS/caller
CCTL="$FP_BUILD/bin/xborderctl -p $CPIN"
K1=$(head -c 30 /dev/urandom | base64) K2=$(head -c 30 /dev/urandom | base64)

# stats FILE JQ: from a relay's stats file (absent at first: no output)
stats() {
	jq -r "$2" "$1" 2>/dev/null
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
keyfile() {
	printf '1 suite %s dir %s key inline:%s\n2 suite %s dir %s key %s\n' \
		$SUITE "$2" "$K1" $SUITE "$3" "$K2" >"$1" && chmod 600 "$1"
}
count() {
	grep -c " $2 " "$1"
}

# 1-3
xb_exec "$RELAY" $CTL stream add local 10.0.1.1:20000 remote 10.0.2.2:30000 \
	source 10.0.2.1:20002 pass rtp srtp 1 >/dev/null &&
	xb_exec "$RELAY" $CTL stream add local 10.0.2.1:20002 remote 10.0.1.2:10000 \
		source 10.0.1.1:20000 pass rtp srtp-protect 2 >/dev/null &&
	xb_exec "$CALLER" $CCTL stream add local 10.0.1.2:11000 remote 10.0.1.1:20000 \
		source 10.0.1.2:10000 pass rtp srtp-protect 1 >/dev/null &&
	xb_exec "$CALLER" $CCTL stream add local 10.0.1.2:10000 remote 10.0.1.2:12000 \
		source 10.0.1.2:11000 pass rtp srtp 2 >/dev/null
tap_ok $? "streams: the relay unprotects 1 and protects 2, the caller's phone the reverse"
keyfile "$FP_TMP/caller.keys" protect unprotect
keyfile "$FP_TMP/relay.keys" unprotect protect
chmod 640 "$FP_TMP/relay.keys"
err=$(xb_exec "$RELAY" $RELAYD -k "$FP_TMP/relay.keys" 2>&1)
[[ "$err" == *"accessible by others (mode 640): chmod 600 it"* ]] && [[ "$err" != *"${K1:0:12}"* ]]
tap_ok $? "a key file the group can read is refused, and no key is shown"
chmod 600 "$FP_TMP/relay.keys"
xb_bg "$CALLER" $FP_BUILD/bin/xborder-relay -p "$CPIN" -k "$FP_TMP/caller.keys" \
	-s "$FP_TMP/caller.json" -q >"$FP_TMP/caller.out"
xb_bg "$RELAY" $RELAYD -k "$FP_TMP/relay.keys" -s "$FP_TMP/relay.json" -q >"$FP_TMP/relay.out" \
	2>"$FP_TMP/relay.err"
relay_pid=$XB_LAST_PID
wait_eq 10 2 stats "$FP_TMP/caller.json" '.srtp | length' &&
	wait_eq 10 2 stats "$FP_TMP/relay.json" '.srtp | length'
tap_ok $? "both relays run with 2 contexts from their key files"

# 4-7: caller -> callee
xb_bg "$CALLER" $SUDP sniff vc1 20000 --count 2 --timeout 20 --out "$FP_TMP/srtp.hex"
ready=$FP_TMP/ready.1
xb_bg "$CALLEE" $SUDP recv 10.0.2.2 30000 --timeout 20 --expect "$N" --out "$FP_TMP/fwd.out" \
	--ready "$ready"
rx_pid=$XB_LAST_PID
xb_wait 5 test -e "$ready"
xb_exec "$CALLER" python3 "$UDP" send 10.0.1.2 11000 "$N" --src 10.0.1.2:12000 --rtp \
	--size "$SIZE" --rate 2000
wait "$rx_pid"
tap_is "$(wc -l <"$FP_TMP/fwd.out")/$(count "$FP_TMP/fwd.out" ok)" "$N/$N" \
	"callee received all $N, decrypted and intact"
wait_eq 5 "$N" stats "$FP_TMP/relay.json" '.srtp[] | select(.id == 1) | .packets'
tap_is "$(stats "$FP_TMP/relay.json" '.srtp[] | select(.id == 1) | "\(.packets)/\(.auth_fail)"')" \
	"$N/0" "the relay's libsrtp2 unprotected $N"
wait_eq 5 "$N" stats "$FP_TMP/caller.json" '.srtp[] | select(.id == 1) | .packets'
tap_is "$(stats "$FP_TMP/caller.json" '.srtp[] | select(.id == 1) | .packets')" "$N" \
	"the caller's libsrtp2 protected $N"
xb_wait 10 sh -c "[ \$(wc -l <'$FP_TMP/srtp.hex') -ge 2 ]"
[ "$(count "$FP_TMP/fwd.out" ok)" = "$N" ] && ! grep -q "d5d5d5d5d5d5d5d5" "$FP_TMP/srtp.hex"
tap_ok $? "on the wire between caller and relay the payload was encrypted"

# 8-9: callee -> caller
ready=$FP_TMP/ready.2
xb_bg "$CALLER" $SUDP recv 10.0.1.2 12000 --timeout 20 --expect "$M" --out "$FP_TMP/rev.out" \
	--ready "$ready"
rx_pid=$XB_LAST_PID
xb_wait 5 test -e "$ready"
xb_exec "$CALLEE" python3 "$UDP" send 10.0.2.1 20002 "$M" --src 10.0.2.2:30000 --rtp \
	--size "$SIZE" --rate 2000
wait "$rx_pid"
tap_is "$(count "$FP_TMP/rev.out" ok)" "$M" "caller's app received $M intact the way back"
wait_eq 5 "$M" stats "$FP_TMP/caller.json" '.srtp[] | select(.id == 2) | .packets'
tap_is "$(stats "$FP_TMP/caller.json" '.srtp[] | select(.id == 2) | .packets')" "$M" \
	"the caller unprotected $M the relay protected"

# 10-12: replay and forgery
srtp0=$(stats "$FP_TMP/relay.json" .drop_srtp)
xb_exec "$CALLER" $SUDP sendhex 10.0.1.1 20000 "$(sed -n 1p "$FP_TMP/srtp.hex")" \
	--src 10.0.1.2:13000
wait_eq 5 1 stats "$FP_TMP/relay.json" '.srtp[] | select(.id == 1) | .replay_fail'
tap_is "$(stats "$FP_TMP/relay.json" '.srtp[] | select(.id == 1) | .replay_fail')" "1" \
	"a replayed packet is refused as a replay"
xb_exec "$CALLER" $SUDP sendhex 10.0.1.1 20000 "$(sed -n 2p "$FP_TMP/srtp.hex")" \
	--src 10.0.1.2:13000 --seq $((N + 500)) --flip 30
wait_eq 5 1 stats "$FP_TMP/relay.json" '.srtp[] | select(.id == 1) | .auth_fail'
tap_is "$(stats "$FP_TMP/relay.json" '.srtp[] | select(.id == 1) | .auth_fail')" "1" \
	"a forged packet fails authentication"
tap_is "$(($(stats "$FP_TMP/relay.json" .drop_srtp) - srtp0))" "2" "both counted as drop_srtp"

# 13-15: SIGHUP reloads the key file: context 1 unchanged keeps its
# state, 2 re-keyed starts afresh, 3 is new
K2=$(head -c 30 /dev/urandom | base64)
keyfile "$FP_TMP/relay.keys" unprotect protect
printf '3 suite %s dir protect key %s\n' $SUITE "$K2" >>"$FP_TMP/relay.keys"
kill -HUP "$relay_pid"
wait_eq 5 3 stats "$FP_TMP/relay.json" '.srtp | length'
tap_is "$(stats "$FP_TMP/relay.json" '[.srtp[] | "\(.id):\(.packets)"] | sort | join(" ")')" \
	"1:$N 2:0 3:0" "SIGHUP: 3 contexts; the unchanged one kept its counters, the re-keyed not"
xb_exec "$CALLER" $SUDP sendhex 10.0.1.1 20000 "$(sed -n 1p "$FP_TMP/srtp.hex")" \
	--src 10.0.1.2:13000
wait_eq 5 2 stats "$FP_TMP/relay.json" '.srtp[] | select(.id == 1) | .replay_fail'
tap_is "$(stats "$FP_TMP/relay.json" '.srtp[] | select(.id == 1) | .replay_fail')" "2" \
	"and its replay window: the old packet is still a replay"
chmod 644 "$FP_TMP/relay.keys"
kill -HUP "$relay_pid"
xb_wait 5 grep -q 'accessible by others' "$FP_TMP/relay.err"
tap_is "$?/$(stats "$FP_TMP/relay.json" '.srtp | length')" "0/3" \
	"a key file gone readable is refused on reload (logged); the contexts stay"
tap_done
