# SPDX-License-Identifier: GPL-2.0-or-later
# A real authoritative DNS server (NSD) for tests, inside a namespace the
# test created. Source it after tap.sh and netns.sh.
#
#   xb_dns_server NS DIR ADDR...   serve every DIR/NAME.zone as zone NAME on
#                                  ADDR port 53 (UDP and TCP), in NS; waits
#                                  until it answers; pid in XB_LAST_PID
#   xb_dns_count_init NS           nftables counters of the queries NS
#                                  receives on port 53 (UDP datagrams, TCP
#                                  connections)
#   xb_dns_count NS                prints "UDP TCP" query counts so far
#
# NSD runs in the foreground (-d) with its configuration, pid file, zone
# list, transfer state and log all in DIR, as root without chroot: nothing
# outside DIR is read or written, and it dies with the test's cleanup.

xb_dns_server() {
	local ns=$1 dir=$2 a z name
	shift 2
	{
		echo "server:"
		for a in "$@"; do
			echo "	ip-address: $a"
		done
		echo "	port: 53"
		echo "	username: \"\""
		echo "	chroot: \"\""
		echo "	zonesdir: \"$dir\""
		echo "	database: \"\""
		echo "	zonelistfile: \"$dir/zone.list\""
		echo "	pidfile: \"$dir/nsd.pid\""
		echo "	xfrdfile: \"$dir/xfrd.state\""
		echo "	xfrdir: \"$dir\""
		echo "	logfile: \"$dir/nsd.log\""
		echo "	server-count: 1"
		echo "	verbosity: 1"
		echo "	hide-version: yes"
		echo "	round-robin: no"
		echo "	minimal-responses: yes"
		echo "remote-control:"
		echo "	control-enable: no"
		for z in "$dir"/*.zone; do
			name=${z##*/}
			name=${name%.zone}
			echo "zone:"
			echo "	name: \"$name\""
			echo "	zonefile: \"$z\""
		done
	} > "$dir/nsd.conf"
	nsd-checkconf "$dir/nsd.conf" || return 1
	xb_bg "$ns" nsd -d -c "$dir/nsd.conf"
	# answering on the first address means the zones are loaded
	xb_wait 10 xb_exec "$ns" kdig +short +time=1 +retry=0 "@$1" "${name}." SOA
}

xb_dns_count_init() {
	ip netns exec "$1" nft -f - <<-'EOF'
		table inet xbdns {
			counter udp53 { }
			counter tcp53 { }
			chain input {
				type filter hook input priority 0; policy accept;
				udp dport 53 counter name udp53
				tcp dport 53 tcp flags & (syn | ack) == syn counter name tcp53
			}
		}
	EOF
}

xb_dns_count() {
	local u t
	u=$(ip netns exec "$1" nft -j list counter inet xbdns udp53 | jq '.nftables[1].counter.packets')
	t=$(ip netns exec "$1" nft -j list counter inet xbdns tcp53 | jq '.nftables[1].counter.packets')
	echo "$u $t"
}
