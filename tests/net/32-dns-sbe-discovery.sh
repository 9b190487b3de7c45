#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Discovery inside xborderd, end to end (seed 000 sections 5, 7.1, 9.1):
# two SSP domains each behind its own xborderd, SIPp user agents, NSD
# authoritative for b.example and e164.arpa, and a third xborderd as a
# federation's central proxy in redirect mode (sbe-wan-topo.inc).
#
#  1. on-demand peering: A's peer for b.example says discovery "dns"; the
#     INVITE waits while A asks NAPTR, SRV and A (seen at the server), then
#     goes to B over UDP, and (after a reload to transport tcp) over TCP;
#  2. ENUM: the caller dials tel:+441632960123, A finds sip:...@b.example
#     in e164.arpa and sends the INVITE there with that Request-URI;
#  3. failover on the wire: failover.b.example's first SRV target is a
#     closed port; the ICMP error moves the INVITE to the second target as
#     a new client transaction (new branch), and the call completes;
#  4. federation: A's peer names the federation's proxy; A sends the INVITE
#     there without any DNS query, gets 302 with B's border, ACKs it and
#     sends the INVITE to B; the call completes.
set -u
. "${XB_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$XB_TOP/tests/lib/netns.sh"
. "$XB_TOP/tests/lib/dns-server.sh"
. "$XB_TOP/tests/net/sbe-topo.inc"
. "$XB_TOP/tests/net/sbe-wan-topo.inc"

tap_plan 27
sbe_wan_topo
sbe_ua_init
sbe_wan_zones
xb_dns_count_init "$DNS" || tap_bail "cannot set up nftables counters"
xb_dns_server "$DNS" "$SBE_T/dns" "$WAN_DNS" ||
	tap_bail "nsd did not start: $(tail -3 "$SBE_T/dns/nsd.log" 2>/dev/null)"
# what crosses sbeA's border interface: SIP, DNS and ICMP
xb_bg "$SBEA" dumpcap -q -i a_out -f "udp or tcp port 5060 or icmp" -w "$SBE_T/a_out.pcap" \
	>/dev/null 2>&1
CAP_PID=$XB_LAST_PID
xb_wait 5 test -s "$SBE_T/a_out.pcap" || tap_bail "dumpcap did not start"
sbe_wan_conf A dns
sbe_wan_conf B
sbe_wan_conf F
sbe_start A && sbe_start B && sbe_start F ||
	tap_bail "xborderd did not start: $(tail -3 "$SBE_T"/*.log)"

# queries: UDP queries NSD has received so far
queries() {
	local c
	c=$(xb_dns_count "$DNS")
	echo "${c% *}"
}

# call A_SCENARIO DOMAIN [SIPP_ARGS...]: one call from uacA to bob@DOMAIN
# through both borders to uasB (its messages traced in callee/);
# "CALLER/CALLEE" statuses in CALL.
call() {
	local sf=$1 dom=$2
	shift 2
	sbe_callee B uas.xml -trace_msg || { CALL="callee did not start"; return 1; }
	rm -rf "$SBE_T/caller"
	sbe_sipp "$UACA" caller uac -sf "$SIPP_DIR/$sf" -i 10.1.0.2 -p 5060 -m 1 -s bob \
		-key rtp_port 4000 -key domain "$dom" -key from_domain a.example -d 500 \
		"$@" 10.1.0.1:5060
	sbe_wait_pid "$SIPP_PID" 25
	CALL=$?
	sbe_wait_pid "$CALLEE_PID" 10
	CALL="$CALL/$?"
}

# invites: "DEST BRANCH" of every INVITE sbeA sent so far (its top Via)
invites() {
	tshark -r "$SBE_T/a_out.pcap" -Y 'sip.Method == "INVITE" && ip.src == 10.9.0.1 && !icmp' \
		-T fields -e ip.dst -e sip.Via.branch 2>/dev/null |
		awk '{ split($2, b, ","); print $1, b[1] }'
}

# captured FILTER: the number of packets of the capture FILTER matches
captured() {
	tshark -r "$SBE_T/a_out.pcap" -Y "$1" 2>/dev/null | wc -l
}

# peer_b KEY: "next_hop KEY" of sbeA's peer for b.example
peer_b() {
	sbe_ctl A peer list | jq -r ".[] | select(.name == \"sbe-b\") | .next_hop + \" \" + .$1"
}

tap_is "$(peer_b discovery)" "(dns) dns" "peer list: a DNS peer shows (dns) as its next hop"

# --- 1. on demand: NAPTR -> SRV -> A, then the call (UDP)
q0=$(queries)
call uac.xml b.example
tap_is "$CALL" "0/0" "dns/udp: the call to bob@b.example completed"
tap_ge "$(($(queries) - q0))" 3 "dns/udp: NSD received the lookups"
grep -q "INVITE sip:bob@b.example SIP/2.0" "$SBE_T"/callee/uas_*_messages.log 2>/dev/null
tap_ok $? "dns/udp: the callee got INVITE sip:bob@b.example"
tap_is "$(invites | tail -1 | cut -d' ' -f1)" "10.9.0.2" \
	"dns/udp: sbeA sent the INVITE to sbe.b.example (10.9.0.2)"

# --- 1b. the same peer over TCP (reloaded): NAPTR SIP+D2T -> _sip._tcp
sbe_wan_conf A dns-tcp
tap_is "$(sbe_ctl A config reload | jq -r .reloaded)" "true" "dns/tcp: config reload"
call uac.xml b.example
tap_is "$CALL" "0/0" "dns/tcp: the call completed"
tap_ge "$(xb_exec "$SBEB" ss -Htn state established '( sport = :5060 )' | grep -c ' 10.9.0.1:')" 1 \
	"dns/tcp: sbeA reached sbeB over TCP"

# --- 2. ENUM: tel:+441632960123 -> sip:441632960123@b.example
sbe_wan_conf A dns
sbe_ctl A config reload >/dev/null
q0=$(queries)
call uac_ruri.xml b.example -key ruri tel:+441632960123
tap_is "$CALL" "0/0" "enum: the call to tel:+441632960123 completed"
grep -q "INVITE sip:441632960123@b.example SIP/2.0" "$SBE_T"/callee/uas_*_messages.log 2>/dev/null
tap_ok $? "enum: the callee got the ENUM result as Request-URI"
tap_ge "$(($(queries) - q0))" 1 "enum: NSD was asked (the e164.arpa NAPTR)"

# --- 3. failover: dead.failover (closed port) first, then sbe
f0=$(sbe_ctl A stats | jq .sip.failovers)
call uac.xml failover.b.example
tap_is "$CALL" "0/0" "failover: the call to bob@failover.b.example completed"
tap_is "$(($(sbe_ctl A stats | jq .sip.failovers) - f0))" 1 "failover: sbeA counted one failover"
tap_ge "$(sbe_ctl A stats | jq .dns.blocklisted)" 1 "failover: the dead target is blocklisted"

# --- 4. the federation's central proxy (redirect server)
sbe_wan_conf A federation
sbe_ctl A config reload >/dev/null
tap_is "$(peer_b federation)" "$WAN_FED:5060 fedx" "peer list: the federation peer shows its proxy"
n0=$(invites | wc -l)
q0=$(queries)
call uac.xml b.example
tap_is "$CALL" "0/0" "federation: the call completed"
tap_is "$(($(queries) - q0))" 0 "federation: no DNS query at all (seed 000 7.1)"
tap_is "$(sbe_ctl F stats | jq '[.sip.redirects_sent, .calls.total] | join(",")' -r)" "1,0" \
	"federation: the proxy answered with a redirect and kept no call"
tap_is "$(sbe_ctl A stats | jq .sip.redirects_followed)" "1" "federation: sbeA followed it"

# stop the capture: what went over the wire
kill -INT "$CAP_PID" 2>/dev/null
sbe_wait_pid "$CAP_PID" 5
invites | tap_diag
# the first lookups of the run (the on-demand call): NAPTR, SRV, A
first=$(tshark -r "$SBE_T/a_out.pcap" -Y 'dns.flags.response == 0 && ip.src == 10.9.0.1' \
	-T fields -e dns.qry.type -e dns.qry.name 2>/dev/null | awk '!seen[$0]++' | head -3 |
	tr '\t\n' '  ')
tap_is "$first" "35 b.example 33 _sip._udp.b.example 1 sbe.b.example " \
	"dns/udp on the wire: NAPTR b.example, SRV _sip._udp.b.example, A sbe.b.example"
tshark -r "$SBE_T/a_out.pcap" -Y 'dns.qry.type == 35 && dns.flags.response == 0' -T fields \
	-e dns.qry.name 2>/dev/null | grep -qx '3.2.1.0.6.9.2.3.6.1.4.4.e164.arpa'
tap_ok $? "enum on the wire: NAPTR 3.2.1.0.6.9.2.3.6.1.4.4.e164.arpa"
all=$(invites)
dead=$(echo "$all" | grep "^$WAN_DNS " | head -1)
next=$(echo "$all" | grep -A1 "^$WAN_DNS " | sed -n 2p)
tap_is "${next%% *}" "10.9.0.2" "failover on the wire: the INVITE went to the second target next"
tap_is "${next#* }" "${dead#* }.1" "failover on the wire: a new branch (the first one's + .1)"
tap_ge "$(captured "icmp.type == 3 && ip.src == $WAN_DNS")" 1 \
	"failover on the wire: the first target answered ICMP port unreachable"
fed=$(invites | sed -n "$((n0 + 1)),\$p" | cut -d' ' -f1 | tr '\n' ' ')
tap_is "$fed" "$WAN_FED 10.9.0.2 " "federation on the wire: INVITE to the proxy, then to sbeB"
r302=$(captured "sip.Status-Code == 302 && ip.src == $WAN_FED")
ack=$(captured "sip.Method == \"ACK\" && ip.dst == $WAN_FED && !icmp")
tap_is "$r302/$ack" "1/1" "federation on the wire: one 302 from the proxy, acknowledged"
tap_is "$(sbe_calls A)/$(sbe_calls B)" "0/0" "no call left on either border"
tap_done
