#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The netns helpers every net test stands on: two namespaces joined by a
# veth pair pass a UDP datagram, IPv4 and IPv6, and the cleanup trap leaves
# no namespace behind.
set -u
. "$XB_TOP/tests/lib/tap.sh"
. "$XB_TOP/tests/lib/netns.sh"
UDP="$XB_TOP/tests/lib/udp.py"

tap_plan 6
xb_topo_init

xb_ns A a && xb_ns B b || tap_bail "cannot create namespaces"
xb_link "$A" va "$B" vb || tap_bail "cannot create veth"
xb_addr "$A" va 10.0.0.1/24
xb_addr "$B" vb 10.0.0.2/24
xb_addr "$A" va fd00::1/64
xb_addr "$B" vb fd00::2/64

tap_ok $? "two namespaces joined by veth"
in_ns=$(xb_exec "$A" ip -o link show dev va >/dev/null 2>&1 && echo yes)
in_root=$(ip -o link show dev va >/dev/null 2>&1 && echo yes)
tap_is "${in_ns:-no}/${in_root:-no}" "yes/no" "veth end lives inside its namespace only"

ready=$(mktemp -u)
xb_bg "$B" python3 "$UDP" recv 10.0.0.2 4000 --timeout 5 --expect 3 --ready "$ready.4" --out "$ready.out4"
pid4=$XB_LAST_PID
xb_wait 5 test -e "$ready.4"
xb_exec "$A" python3 "$UDP" send 10.0.0.2 4000 3 --src 10.0.0.1:4001
wait "$pid4"
tap_is "$(cut -d' ' -f2 "$ready.out4" 2>/dev/null | sort -u)" "10.0.0.1:4001" "IPv4 datagrams arrive with their source"
tap_is "$(wc -l < "$ready.out4" 2>/dev/null)" "3" "all three IPv4 datagrams arrive"

xb_bg "$B" python3 "$UDP" recv fd00::2 4000 --timeout 5 --expect 2 --ready "$ready.6" --out "$ready.out6"
pid6=$XB_LAST_PID
xb_wait 5 test -e "$ready.6"
xb_exec "$A" python3 "$UDP" send fd00::2 4000 2
wait "$pid6"
tap_is "$(wc -l < "$ready.out6" 2>/dev/null)" "2" "IPv6 datagrams arrive"
rm -f "$ready".*

# The cleanup trap: a child test that exits (here on an error) leaves
# nothing behind.
prefix=$(bash -c '. "$XB_TOP/tests/lib/netns.sh"; xb_topo_init; xb_ns X x; xb_ns Y y
	xb_link "$X" a "$Y" b; echo "$XB_PREFIX"; exit 3')
left=$(ip netns list | grep -c "^$prefix-" || true)
tap_is "$left" "0" "cleanup trap removed the child's namespaces ($prefix)"

tap_done
