#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Proves the VM harness (scripts/vmtest.sh): the guest runs the Debian
# kernel it was asked for, loads esp4 and pktgen from that kernel's module
# tree, and moves real packets between two namespaces joined by veth:
# plain UDP, UDP protected by an ESP transport-mode SA, and a pktgen burst.
set -u
. "$XB_TOP/tests/lib/tap.sh"
. "$XB_TOP/tests/lib/netns.sh"

tap_plan 12
[ "${XB_VM:-}" = 1 ] || tap_bail "runs only inside the VM: scripts/vmtest.sh $0"

TMP=$(mktemp -d)
cleanup_tmp() {
	rm -rf "$TMP"
}
XB_CLEANUP_HOOK=cleanup_tmp
xb_topo_init

# Addresses live only inside the namespaces this test creates.
IP_A=10.99.0.1
IP_B=10.99.0.2

# udp_roundtrip PORT NAME: start a receiver in B on PORT, send one random
# token from A; GOT is what B received, WANT the token. (Not run in $():
# the receiver would hold the substitution's pipe open, and its pid
# would not reach the cleanup list.)
udp_roundtrip() {
	local port=$1 out=$TMP/$2
	WANT="xb-$2-$RANDOM$RANDOM" GOT=
	: >"$out"
	xb_bg "$NS_B" socat -u "UDP4-RECV:$port,bind=$IP_B" "OPEN:$out,append" </dev/null >/dev/null
	xb_wait 5 sh -c "ip netns exec $NS_B ss -Hlun | grep -q '$IP_B:$port '" || return 1
	echo "$WANT" | timeout 10 ip netns exec "$NS_A" socat -u - "UDP4-SENDTO:$IP_B:$port" || return 1
	xb_wait 5 grep -qx "$WANT" "$out"
	GOT=$(cat "$out")
}

# sa_packets NS SPI: packets counted by the ESP SA with SPI in NS.
sa_packets() {
	ip -n "$1" -s xfrm state get src "$IP_A" dst "$IP_B" proto esp spi "$2" 2>/dev/null |
		sed -n 's/^[[:space:]]*[0-9]*(bytes), \([0-9]*\)(packets).*/\1/p' | head -n 1
}

# 1: the kernel is the Debian one the runner booted.
tap_is "$(uname -r)" "${XB_VM_KVER:-unset}" "guest runs Debian kernel ${XB_VM_KVER:-?}"

# 2-3: modules from the Debian package load.
modprobe esp4 2>&1 | tap_diag
grep -q '^esp4 ' /proc/modules
tap_ok $? "esp4 loaded"
modprobe pktgen 2>&1 | tap_diag
grep -q '^pktgen ' /proc/modules && [ -e /proc/net/pktgen/pgctrl ]
tap_ok $? "pktgen loaded, /proc/net/pktgen present"

# 4: two namespaces joined by veth.
xb_ns NS_A a && xb_ns NS_B b && xb_link "$NS_A" xa "$NS_B" xb &&
	xb_addr "$NS_A" xa "$IP_A/24" && xb_addr "$NS_B" xb "$IP_B/24"
tap_ok $? "two namespaces joined by veth, addressed"

# 5-6: plain traffic.
xb_exec "$NS_A" ping -c 1 -W 5 "$IP_B" >/dev/null
tap_ok $? "ping from A reaches B"
udp_roundtrip 5000 plain
tap_is "$GOT" "$WANT" "UDP datagram from A received by B with its content"

# 7-10: ESP transport mode for UDP to port 5001 only: AES-GCM SA in both
# namespaces, an out policy in A and an in policy in B, so B accepts that
# traffic only after esp4 decrypted it.
KEY=0x$(od -An -tx1 -N20 /dev/urandom | tr -d ' \n')
SPI=0x$(od -An -tx1 -N3 /dev/urandom | tr -d ' \n')
ok=0
for ns in "$NS_A" "$NS_B"; do
	ip -n "$ns" xfrm state add src "$IP_A" dst "$IP_B" proto esp spi "$SPI" \
		mode transport aead 'rfc4106(gcm(aes))' "$KEY" 128 2>&1 | tap_diag
	[ "${PIPESTATUS[0]}" -eq 0 ] || ok=1
done
ip -n "$NS_A" xfrm policy add src "$IP_A/32" dst "$IP_B/32" proto udp dport 5001 dir out \
	tmpl src "$IP_A" dst "$IP_B" proto esp mode transport || ok=1
ip -n "$NS_B" xfrm policy add src "$IP_A/32" dst "$IP_B/32" proto udp dport 5001 dir in \
	tmpl src "$IP_A" dst "$IP_B" proto esp mode transport || ok=1
tap_ok $ok "ESP SA (rfc4106 gcm-aes) and policies installed with ip xfrm"
udp_roundtrip 5001 esp
tap_is "$GOT" "$WANT" "UDP datagram over ESP received by B with its content"
tap_ge "$(sa_packets "$NS_A" "$SPI")" 1 "A's SA encrypted the datagram"
tap_ge "$(sa_packets "$NS_B" "$SPI")" 1 "B's SA decrypted the datagram"

# 11-12: pktgen sends a counted burst from A's veth; B's veth counts it.
# pg FILE CMD: one pktgen command to /proc/net/pktgen/FILE in A's netns.
pg() {
	ip netns exec "$NS_A" sh -c 'echo "$2" > "/proc/net/pktgen/$1"' _ "$1" "$2"
}
rx_b() {
	xb_exec "$NS_B" cat /sys/class/net/xb/statistics/rx_packets
}
COUNT=1000
ok=0
pg kpktgend_0 rem_device_all && pg kpktgend_0 "add_device xa" || ok=1
for c in "count $COUNT" "pkt_size 64" "delay 0" "dst $IP_B" "dst_mac $(xb_mac "$NS_B" xb)" \
	"udp_dst_min 9" "udp_dst_max 9"; do
	pg xa "$c" || ok=1
done
tap_ok $ok "pktgen configured on A's veth"
before=$(rx_b)
timeout 60 ip netns exec "$NS_A" sh -c 'echo start > /proc/net/pktgen/pgctrl'
after=$(rx_b)
tap_ge "$((after - before))" "$COUNT" "B received pktgen's burst"
ip netns exec "$NS_A" grep -m1 -A2 '^Result' /proc/net/pktgen/xa | tap_diag
pg kpktgend_0 rem_device_all

tap_done
