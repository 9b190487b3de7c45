#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# xborder.ko in Debian's kernel: it loads with BTF and passes its
# known-answer self-test, refuses bad generic netlink input with
# extended-ack messages, keeps keys to itself, protects and unprotects on
# the XDP path exactly as libsrtp2 does (build/tests/bpf/xdp_srtp), and
# unloads cleanly: not while an XDP program holds its kfuncs, at once when
# that program is gone.
set -u
. "$XB_TOP/tests/lib/tap.sh"
. "$XB_TOP/tests/lib/netns.sh"

tap_plan 33
[ "${XB_VM:-}" = 1 ] || tap_bail "runs only inside the VM: scripts/vmtest.sh $0"

case "$XB_BUILD" in
/*) B=$XB_BUILD ;;
*) B=$XB_TOP/$XB_BUILD ;;
esac
KO=$XB_TOP/build/module/$XB_VM_KVER/xborder.ko
CTL=$B/bin/xborderctl
GENL="python3 $XB_TOP/tests/vm/srtp_genl.py"
# no module: its headers were missing when make module ran (it said so)
if [ ! -f "$KO" ]; then
	while [ "$TAP_N" -lt "$TAP_PLAN" ]; do
		tap_skip "no $KO (make module KVER=$XB_VM_KVER)"
	done
	exit 0
fi
[ -x "$CTL" ] || tap_bail "$CTL not built"

TMP=$(mktemp -d) BPFFS=
cleanup_tmp() {
	[ -n "$BPFFS" ] && umount "$BPFFS" 2>/dev/null
	rm -rf "$TMP"
}
XB_CLEANUP_HOOK=cleanup_tmp
xb_topo_init
dmesg -C

# 1-4: load, BTF, self-test
insmod "$KO" 2>&1 | tap_diag
grep -q '^xborder ' /proc/modules
tap_ok $? "insmod xborder.ko ($XB_VM_KVER)"
bpftool btf dump file /sys/kernel/btf/xborder 2>/dev/null | grep -c "FUNC 'bpf_xborder_srtp_\(un\)\?protect'" >"$TMP/btf"
tap_is "$(cat "$TMP/btf")" 2 "module BTF carries both kfuncs (/sys/kernel/btf/xborder)"
n=$(dmesg | sed -n 's/.*xborder: SRTP self-test passed: \([0-9]*\) known-answer.*/\1/p')
tap_ge "${n:-0}" 11 "self-test at load passed (RFC 3711 B.2, B.3, packets) per dmesg"
info=$($CTL -j srtp info)
tap_is "$(echo "$info" | jq -c '[.selftest_passed, .suites, .contexts]')" \
	"[${n:-0},[\"AES_CM_128_HMAC_SHA1_80\",\"AES_CM_128_HMAC_SHA1_32\"],0]" \
	"srtp info over netlink: self-test count, both suites, no context"

# 5-18: the kernel's own validation (requests xborderctl would not send)
$GENL ok duplicate missing-key missing-id short-key long-salt suite-range gcm window-small \
	reply-only unknown-attr id-zero replace-missing del-missing cleanup >"$TMP/genl" 2>&1
tap_diag <"$TMP/genl"
line() { grep "^$1 " "$TMP/genl"; }
tap_is "$(line ok)" "ok OK -" "a valid add is acknowledged"
tap_is "$(line duplicate)" \
	"duplicate EEXIST xborder: a context with this id exists (replace it instead)" \
	"add of an existing id: EEXIST, says replace"
tap_is "$(line missing-key)" "missing-key EINVAL xborder: master key (XBORDER_A_MASTER_KEY) is required" \
	"missing master key: EINVAL naming the attribute"
tap_is "$(line missing-id)" "missing-id EINVAL xborder: context id (XBORDER_A_CTX_ID) is required" \
	"delete without an id: EINVAL naming the attribute"
[[ "$(line short-key)" =~ ^short-key\ ERANGE\ [^-] ]]
tap_ok $? "15-byte master key: ERANGE with the policy's message"
[[ "$(line long-salt)" =~ ^long-salt\ ERANGE\ [^-] ]]
tap_ok $? "16-byte salt: ERANGE with the policy's message"
[[ "$(line suite-range)" =~ ^suite-range\ ERANGE\ [^-] ]]
tap_ok $? "suite 9: ERANGE with the policy's message"
tap_is "$(line gcm)" "gcm EOPNOTSUPP xborder: AEAD_AES_128_GCM is not supported by this module" \
	"AEAD_AES_128_GCM: EOPNOTSUPP, says so"
[[ "$(line window-small)" =~ ^window-small\ ERANGE\ [^-] ]]
tap_ok $? "replay window 10: ERANGE"
[[ "$(line reply-only)" =~ ^reply-only\ EINVAL\ [^-] ]]
tap_ok $? "a reply-only attribute in a request: EINVAL"
[[ "$(line unknown-attr)" =~ ^unknown-attr\ EINVAL\ [^-] ]]
tap_ok $? "an unknown attribute: EINVAL (strict validation)"
[[ "$(line id-zero)" =~ ^id-zero\ ERANGE\ [^-] ]]
tap_ok $? "context id 0: ERANGE"
tap_is "$(line replace-missing)" "replace-missing ENOENT xborder: no context with this id to replace" \
	"replace of a missing id: ENOENT"
tap_is "$(line del-missing)" "del-missing ENOENT xborder: no context with this id" \
	"delete of a missing id: ENOENT"

# 19-23: xborderctl, keys in and never out, privileges
KEY=$(head -c 30 /dev/urandom | base64)
echo "$KEY" | $CTL srtp add 77 suite AES_CM_128_HMAC_SHA1_32 dir protect key - ssrc 0x1234 \
	roc 5 window 512
tap_ok $? "xborderctl srtp add with the key on stdin"
show=$($CTL -j srtp show 77)
tap_is "$(echo "$show" | jq -c '[.suite, .dir, .ssrc, .ssrc_fixed, .roc, .window, .packets]')" \
	'["AES_CM_128_HMAC_SHA1_32","protect",4660,true,5,512,0]' "srtp show reports what was added"
{ $CTL srtp list; $CTL -j srtp list; $CTL srtp show 77; dmesg; } >"$TMP/out" 2>&1
keyhex=$(echo "$KEY" | base64 -d | od -An -tx1 | tr -d ' \n')
! grep -qF -e "$KEY" -e "${keyhex:0:16}" "$TMP/out"
tap_ok $? "the key appears in no listing and no kernel log line"
err=$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$CTL" srtp list 2>&1)
tap_is "$?/$err" "1/xborderctl: listing the SRTP contexts: permission denied (CAP_NET_ADMIN needed)" \
	"listing needs CAP_NET_ADMIN"
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$CTL" srtp info >/dev/null 2>&1
tap_ok $? "srtp info does not"
$CTL srtp del 77

# 24-25: SRTP on the XDP path against libsrtp2, byte for byte
timeout 60 "$B/tests/bpf/xdp_srtp" >"$TMP/kst" 2>&1
st=$?
grep -E '^(ok|not ok)|Expected|FAIL' "$TMP/kst" | tap_diag
tap_ok $st "build/tests/bpf/xdp_srtp passes"
tap_is "$(sed -n 's/^# Totals: pass:\([0-9]*\) fail:\([0-9]*\) .*skip:\([0-9]*\).*/\1 \2 \3/p' "$TMP/kst")" \
	"12 0 0" "all 12 BPF_PROG_TEST_RUN cases ran (none skipped)"

# a measurement, not a result: what SRTP adds on the XDP path, same run
timeout 60 "$B/tests/bench/srtp_cost" xdp 500 2>&1 | tap_diag

# 26-31: lifecycle with the fast path's SRTP program installed
BPFFS=$TMP/bpffs
mkdir -p "$BPFFS" && mount -t bpf bpf "$BPFFS"
PIN=$BPFFS/xborder
id=$($CTL -p "$PIN" -j srtp xdp on | jq -r .prog_id)
tap_ge "${id:-0}" 1 "srtp xdp on: xb_xdp_srtp installed in xb_srtp_progs"
refs=$(awk '$1 == "xborder" { print $3 }' /proc/modules)
rmmod xborder 2>"$TMP/rmmod"
st=$?
tap_is "$st/$refs" "1/1" "rmmod refused while the SRTP program holds the module (refcount 1)"
tap_diag <"$TMP/rmmod"
$CTL -p "$PIN" srtp xdp off
# the program is freed after an RCU grace period: bounded wait
xb_wait 5 sh -c 'rmmod xborder 2>/dev/null'
tap_ok $? "after srtp xdp off the module unloads"
[ ! -e /sys/kernel/btf/xborder ] && ! $CTL srtp info >/dev/null 2>&1
tap_ok $? "gone: no BTF, no netlink family"
err=$($CTL -p "$PIN" srtp xdp on 2>&1)
tap_is "$?/$err" "1/xborderctl: xborder.ko is not loaded (no /sys/kernel/btf/xborder)" \
	"srtp xdp on without the module says why"
insmod "$KO" && [ "$($CTL -j srtp info | jq .contexts)" = 0 ]
tap_ok $? "loaded again: an empty table"

# 32-33: nothing went wrong in the kernel along the way
dmesg | grep -E 'WARNING|BUG|Oops|refcount|leak|general protection' | tap_diag
! dmesg | grep -qE 'WARNING|BUG|Oops|refcount_t|leak|general protection'
tap_ok $? "kernel log free of warnings, bugs, refcount and leak reports"
rmmod xborder
tap_ok $? "final unload"

tap_done
