#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The discovery library against a real authoritative server: NSD in its
# own namespace serves the zones of dns-topo.inc, and the C tests of
# tests/unit/dns_live.c run in the client namespace against it (resolver:
# cache, TTL expiry, negative caching, TC -> TCP, CNAME loops, oversized
# and garbage answers, timeouts; RFC 3263 ordering and failover; ENUM).
# Query counts are taken on the server's side with nftables counters.
# Each C test is one result here.
set -u
. "${XB_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$XB_TOP/tests/lib/netns.sh"
. "$XB_TOP/tests/lib/dns-server.sh"
. "$XB_TOP/tests/net/dns-topo.inc"

LIVE=$XB_TOP/${XB_BUILD:-build}/tests/unit/dns_live
[ -x "$LIVE" ] || LIVE=${XB_BUILD:-build}/tests/unit/dns_live

# without the environment every C test skips at once: that gives the count
n_live=$(env -u XB_DNS_SERVER "$LIVE" 2>/dev/null | sed -n 's/^1\.\.\([0-9]*\)$/\1/p')
[ -n "$n_live" ] || n_live=0
tap_plan $((n_live + 4))
[ "$n_live" -gt 0 ] || tap_bail "cannot run $LIVE"

dns_topo

# the server side first: the zones load and answer as written
soa=0
for z in b.example c.example e164.arpa; do
	xb_exec "$CLI" kdig +short +time=1 +retry=0 @10.53.0.1 "$z" SOA | grep -q . || soa=1
done
tap_ok $soa "NSD answers for b.example, c.example and e164.arpa"
tap_is "$(xb_exec "$CLI" kdig +short +time=1 +retry=0 @10.53.0.3 sip.d.example A)" \
	"10.53.13.5" "the second NSD answers for d.example"
tc=$(xb_exec "$CLI" kdig +time=1 +retry=0 +noedns +ignore @10.53.0.1 big.b.example A |
	grep -ci '^;; flags:.* tc')
tap_is "$tc" 1 "big.b.example does not fit 512 bytes: the UDP answer has TC set"

counts="$XB_TOP/tests/lib/dns-server.sh"
out=$DNS_TMP/live.out
xb_exec "$CLI" env XB_DNS_SERVER=10.53.0.1:53 XB_DNS_SERVER6='[fd00:53::1]:53' \
	XB_DNS_SERVER2=10.53.0.3:53 XB_DNS_SILENT=10.53.0.1:54 XB_DNS_LIAR=10.53.0.1:55 \
	XB_DNS_LIVE=10.53.0.2:5060 \
	XB_DNS_COUNT="bash -c \". '$counts'; xb_dns_count '$DNS'\"" \
	"$LIVE" > "$out" 2>&1
status=$?
grep '^#' "$out"
while IFS= read -r line; do
	case "$line" in
	"ok "*"# SKIP"*)
		tap_skip "${line#ok * }" ;;
	"ok "*)
		d=${line#ok }
		tap_ok 0 "${d#* }" ;;
	"not ok "*)
		d=${line#not ok }
		tap_ok 1 "${d#* }" ;;
	esac
done < <(grep -E '^(not )?ok [0-9]+ ' "$out")
tap_is "$status" 0 "dns_live exited cleanly"
tap_done
