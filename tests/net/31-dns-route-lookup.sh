#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `xborderctl route lookup` against the real server of dns-topo.inc: the
# steps and targets it prints (text and JSON), the queries each kind of URI
# puts on the wire (counted at the server: numeric hosts none, a port only
# A/AAAA, a plain domain NAPTR + SRV + A/AAAA), ENUM for tel: and
# user=phone URIs, a configuration's static, federation and DNS peers, and
# clean one-line failures.
set -u
. "${XB_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$XB_TOP/tests/lib/netns.sh"
. "$XB_TOP/tests/lib/dns-server.sh"
. "$XB_TOP/tests/net/dns-topo.inc"

CTL=$XB_TOP/${XB_BUILD:-build}/bin/xborderctl
[ -x "$CTL" ] || CTL=${XB_BUILD:-build}/bin/xborderctl

tap_plan 24
dns_topo

# rl ARGS...: route lookup from the client namespace against NSD
rl() {
	xb_exec "$CLI" "$CTL" route lookup "$@" dns 10.53.0.1 timeout 500
}
# queries URI...: the UDP queries NSD received for one lookup
queries() {
	local before after
	before=$(xb_dns_count "$DNS")
	rl "$@" >/dev/null 2>&1
	after=$(xb_dns_count "$DNS")
	echo $((${after% *} - ${before% *}))
}
# endpoints JSON: "ADDR:PORT/transport ..." of the targets
endpoints() {
	jq -r '[.targets[] | .endpoint + "/" + .transport] | join(" ")'
}

# --- text output: steps, then targets
out=$(rl sip:alice@b.example)
tap_ok $? "route lookup sip:alice@b.example succeeds"
echo "$out" | tap_diag
tap_is "$(echo "$out" | sed -n '/^targets:/,$p' | sed 1d | awk '{print $2 "/" $3}' | tr '\n' ' ')" \
	"10.53.1.11:5061/tls [fd00:53:1::11]:5061/tls 10.53.1.11:5060/udp [fd00:53:1::11]:5060/udp 10.53.1.12:5060/tcp " \
	"targets in NAPTR order, then SRV, A before AAAA"
tap_ok "$(echo "$out" | grep -c 'skipped (flags are not "S")' | grep -qx 1; echo $?)" \
	"the NAPTR with flag A is shown as skipped"
tap_ok "$(echo "$out" | grep -q '1: 10.53.1.11:5061 tls host sip1.b.example source naptr priority 10 weight 10 tls-name b.example'; echo $?)" \
	"a TLS target names the URI's domain for the certificate check"

# --- JSON
j=$(rl sips:bob@sips.b.example -j)
tap_is "$(echo "$j" | endpoints)" "10.53.4.1:5061/tls" "sips-only domain (JSON)"
tap_is "$(rl sip:v6.b.example -j | endpoints)" \
	"[fd00:53:6::1]:5060/udp 10.53.6.2:5060/udp [fd00:53:6::2]:5060/udp" "IPv6 SRV targets"
tap_is "$(rl sip:srv.b.example -j | jq -r '[.targets[].source] | unique | join(",")')" "srv" \
	"SRV-only domain: targets come from SRV"

# --- what goes on the wire (counted by the server)
tap_is "$(queries sip:10.53.3.1)" 0 "numeric host: no DNS query"
tap_is "$(queries sip:aonly.b.example:5070)" 2 "explicit port: A and AAAA only"
tap_is "$(queries 'sip:aonly.b.example;transport=tcp')" 3 \
	"transport=tcp: _sip._tcp SRV, then A and AAAA"
tap_is "$(queries sip:aonly.b.example)" 6 "no NAPTR, no SRV: NAPTR, 3 SRV, A, AAAA"
before=$(xb_dns_count "$DNS")
tap_is "$(rl sip:big.b.example:5060 -j | jq '.targets | length')" 32 \
	"40 A records over TCP, the first 32 targets kept"
after=$(xb_dns_count "$DNS")
tap_is "$((${after#* } - ${before#* }))" 1 "the truncated answer was fetched over one TCP connection"

# --- weighted SRV: the seed decides, the backup is always last
tap_is "$(rl sip:weighted.b.example seed 7 -j | endpoints)" \
	"$(rl sip:weighted.b.example seed 7 -j | endpoints)" "the same seed gives the same order"
firsts=$(for s in $(seq 1 30); do
	rl sip:weighted.b.example seed "$s" -j | jq -r '.targets[0].address + " " + .targets[3].address'
done | sort | uniq -c)
echo "$firsts" | tap_diag
tap_is "$(echo "$firsts" | awk '{print $3}' | sort -u | tr '\n' ' ')" "10.53.5.200 " \
	"the priority-20 backup is last in every draw"
tap_ge "$(echo "$firsts" | awk '{print $2}' | sort -u | wc -l)" 2 \
	"different seeds put different priority-10 targets first"

# --- ENUM
tap_is "$(rl 'tel:+44-1632-960123' -j | jq -r '.located + " " + (.targets[0].endpoint)')" \
	"sip:1632960123@b.example 10.53.1.11:5061" "tel: URI: ENUM, then RFC 3263 on the result"
tap_is "$(rl 'sip:+441632960127@a.example;user=phone' -j | jq -r .located)" \
	"sip:960127@C.EXAMPLE" "user=phone: ENUM with the i flag"

# --- failures: one line on stderr, exit 1, the steps on stdout
err=$(rl sip:nothere.b.example 2>&1 >/dev/null)
status=$?
tap_is "$status:$err" "1:xborderctl: route lookup: no address for nothere.b.example" \
	"NXDOMAIN: a one-line error"
err=$(rl 'tel:+441632960126' 2>&1 >/dev/null)
tap_is "$err" "xborderctl: route lookup: ENUM: 6.2.1.0.6.9.2.3.6.1.4.4.e164.arpa: non-terminal NAPTR (empty flags) is not supported" \
	"a malformed ENUM rule: its reason"
err=$(xb_exec "$CLI" "$CTL" route lookup sip:b.example dns 'not-a-server' 2>&1)
tap_is "$?:$err" "1:xborderctl: 'not-a-server' is not a DNS server (ADDRESS or ADDRESS:PORT)" \
	"a bad server argument is refused"

# --- a configuration: static overrides DNS, a federation proxy, a DNS peer
cat > "$DNS_TMP/xborderd.conf" <<-'EOF'
	media = ( { name = "m"; address = "10.53.0.2"; ports = "20000-20099"; } );
	listeners = ( { name = "l"; address = "10.53.0.2"; media = "m"; } );
	dns = { servers = [ "10.53.0.1" ]; timeout_ms = 500; };
	federations = ( { name = "fed"; proxy = "10.53.0.77:5070"; } );
	peers = (
		{ name = "c-static"; domains = [ "c.example" ]; next_hop = "10.53.0.99:5080";
		  listener = "l"; media = "m"; },
		{ name = "via-fed"; domains = [ ".fed.example" ]; discovery = "federation";
		  federation = "fed"; listener = "l"; media = "m"; },
		{ name = "others"; domains = [ "*" ]; discovery = "dns"; listener = "l";
		  media = "m"; }
	);
EOF
cfg() {
	xb_exec "$CLI" "$CTL" -j route lookup "$1" config "$DNS_TMP/xborderd.conf"
}
tap_is "$(cfg sip:c.example | jq -r '.peer + " " + (.targets[0].endpoint) + " " + .targets[0].source')" \
	"c-static 10.53.0.99:5080 static" "a static peer overrides DNS for its domain"
tap_is "$(cfg sip:x.fed.example | jq -r '.federation + " " + (.targets[0].endpoint) + " " + .targets[0].source')" \
	"fed 10.53.0.77:5070 proxy" "a federation peer goes to the central proxy"
# the DNS peer's listener is IPv4 UDP: only such targets
tap_is "$(cfg sip:b.example | jq -r '.peer + ": " + ([.targets[] | .endpoint + "/" + .transport] | join(" "))')" \
	"others: 10.53.1.11:5060/udp" "a DNS peer: only targets its UDP/IPv4 listener can reach"
tap_done
