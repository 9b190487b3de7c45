#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Bad IPsec configuration is refused with one clear line and never half
# applied: key files (missing, wrong length, readable by others, owned by
# another user), an unknown algorithm, overlapping selectors, and SAs or
# policies of somebody else's in the way. After each refusal the kernel
# holds no SA or policy of xborder's.
set -u
. "$XB_TOP/tests/lib/tap.sh"
. "$XB_TOP/tests/lib/netns.sh"

tap_plan 12
[ "${XB_VM:-}" = 1 ] || tap_bail "runs only inside the VM: scripts/vmtest.sh $0"
. "$XB_TOP/tests/vm/ipsec.inc"
xb_topo_init

xb_ns NS_A a
tap_ok $? "a namespace"
mkkey "$TMP/in.key" 20
mkkey "$TMP/out.key" 20
body() { # body [KEY_IN [ALGORITHM]]: an ipsec group
	echo "spi_in = 0x0000f002; spi_out = 0x0000f001; key_in = \"${1:-$TMP/in.key}\";
	      key_out = \"$TMP/out.key\"; algorithm = \"${2:-rfc4106(gcm(aes))}\";"
}

# refused FILE PATTERN NAME [FOREIGN]: apply -f FILE fails with one line
# matching PATTERN and leaves the kernel as it was: empty, or with only
# the FOREIGN (state|policy) object. (Builtins where they do: a process
# costs up to 0.1 s in the guest.)
refused() {
	local out rc state policy
	out=$(ip netns exec "$NS_A" "$XBCTL" ipsec apply -f "$1" 2>&1)
	rc=$?
	echo "# ${out//$'\n'/$'\n'# }"
	state=$(ip -n "$NS_A" xfrm state)
	policy=$(ip -n "$NS_A" xfrm policy)
	# xborder's reqids print as 1480720384-1480785919, priorities 22528-22783
	case "${4:-}" in
	state) [[ $state == *"reqid 9 "* && $state != *"reqid 14807"* && -z $policy ]] ;;
	policy) [[ $policy == *"priority 7 "* && $policy != *"priority 225"* && -z $state ]] ;;
	*) [ -z "$state$policy" ] ;;
	esac &&
		[ $rc -eq 1 ] && [[ $out != *$'\n'* ]] && [[ $out == *"$2"* ]]
	tap_ok $? "$3"
}

conf "$TMP/missing.conf" 10.99.1.1 10.99.2.2 ipsec-transport "$(body "$TMP/nope.key")"
refused "$TMP/missing.conf" "ipsec.key_in: key file $TMP/nope.key: No such file or directory" \
	"missing key file"
printf '%s\n' "$(head -c 38 "$TMP/in.key")" >"$TMP/short.key"
chmod 600 "$TMP/short.key"
conf "$TMP/short.conf" 10.99.1.1 10.99.2.2 ipsec-transport "$(body "$TMP/short.key")"
refused "$TMP/short.conf" "19 bytes of key; rfc4106(gcm(aes)) needs 20 (AES-128 + salt) or 36" \
	"wrong key length"
conf "$TMP/cbc.conf" 10.99.1.1 10.99.2.2 ipsec-transport "$(body "$TMP/in.key" 'cbc(aes)+hmac(sha256)')"
refused "$TMP/cbc.conf" "20 bytes of key; cbc(aes)+hmac(sha256) needs 48" \
	"a GCM key for cbc(aes)+hmac(sha256)"
conf "$TMP/alg.conf" 10.99.1.1 10.99.2.2 ipsec-transport "$(body "$TMP/in.key" 'ctr(aes)')"
refused "$TMP/alg.conf" "ipsec.algorithm: 'ctr(aes)' is not one of rfc4106(gcm(aes)), cbc(aes)+hmac(sha256)" \
	"unknown algorithm"
cp "$TMP/in.key" "$TMP/open.key" && chmod 640 "$TMP/open.key"
conf "$TMP/open.conf" 10.99.1.1 10.99.2.2 ipsec-transport "$(body "$TMP/open.key")"
refused "$TMP/open.conf" "group or others have access (mode 0640)" "key file readable by its group"
cp "$TMP/in.key" "$TMP/nobody.key" && chown 65534 "$TMP/nobody.key"
conf "$TMP/owner.conf" 10.99.1.1 10.99.2.2 ipsec-transport "$(body "$TMP/nobody.key")"
refused "$TMP/owner.conf" "owned by uid 65534, not by root" "key file owned by another user"
conf "$TMP/overlap.conf" 10.98.1.1 10.98.2.1 ipsec-tunnel \
	"local = \"10.99.1.1\"; remote = \"10.99.2.2\"; local_subnets = [ \"10.98.1.0/24\" ];
	 remote_subnets = [ \"10.98.2.0/24\" ]; $(body)" \
	", { name = \"c\"; next_hop = \"10.98.2.9\"; listener = \"border\"; media_mode = \"direct\";
	     security = \"ipsec-tunnel\"; ipsec = { local = \"10.99.1.1\"; remote = \"10.99.3.3\";
	     local_subnets = [ \"10.98.0.0/16\" ]; remote_subnets = [ \"10.98.2.128/25\" ];
	     spi_in = 0x0000f102; spi_out = 0x0000f101; key_in = \"$TMP/in.key\"; key_out = \"$TMP/out.key\"; }; }"
refused "$TMP/overlap.conf" "peers.[1].ipsec: its selectors overlap those of peer 'b'" \
	"overlapping selectors of two peers"

# valid configuration, but somebody else's SA has our SPI: nothing applied
conf "$TMP/good.conf" 10.99.1.1 10.99.2.2 ipsec-transport "$(body)"
fkey=0x$(od -An -tx1 -N20 /dev/urandom | tr -d ' \n')
ip -n "$NS_A" xfrm state add src 10.99.2.2 dst 10.99.1.1 proto esp spi 0xf002 reqid 9 \
	mode transport aead 'rfc4106(gcm(aes))' "$fkey" 128
refused "$TMP/good.conf" "an SA with SPI 0x0000f002 to 10.99.1.1 exists and is not xborder's" \
	"a foreign SA with our inbound SPI: refused before any change" state
ip -n "$NS_A" xfrm state flush
ip -n "$NS_A" xfrm policy add src 10.99.2.2/32 dst 10.99.1.1/32 proto tcp dport 5060 dir in \
	priority 7 tmpl proto esp mode transport
refused "$TMP/good.conf" "a policy in 10.99.2.2/32 -> 10.99.1.1/32 tcp dport 5060 exists and is not xborder's" \
	"a foreign policy with one of our selectors: refused before any change" policy
tap_is "$(xfrm_count "$NS_A" state all)/$(xfrm_count "$NS_A" policy all)" "0/1" \
	"the foreign policy is still there, nothing else"
ip -n "$NS_A" xfrm policy flush
ip netns exec "$NS_A" "$XBCTL" ipsec apply -f "$TMP/good.conf" >/dev/null
tap_is "$(xfrm_count "$NS_A" state ours)/$(xfrm_count "$NS_A" policy ours)" "2/8" \
	"with the way clear the same configuration applies"

tap_done
