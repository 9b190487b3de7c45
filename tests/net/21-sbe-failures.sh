#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Calls that do not get established, across two xborderd domains with
# SIPp user agents: CANCEL while ringing (the CANCEL goes on with the
# INVITE's branch only after a provisional, 487 comes back), 486 Busy, an
# unresponsive callee (timer B at sbeB gives 408, passed up by sbeA), and
# malformed or hostile SIP sent straight at sbeA (truncated, missing
# headers, bad Content-Length, huge headers, garbage over UDP and TCP):
# 400 with the reason or silence, the daemon alive, no call left behind.
set -u
. "${XB_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$XB_TOP/tests/lib/netns.sh"
. "$XB_TOP/tests/net/sbe-topo.inc"

tap_plan 21
sbe_topo
sbe_ua_init
SBE_T1=50 # timer B = 64 T1 = 3.2 s
sbe_conf A
sbe_conf B
sbe_start A && sbe_start B || tap_bail "xborderd did not start: $(tail -3 "$SBE_T"/*.log)"

# run_pair CALLER_SCENARIO CALLEE_SCENARIO: one attempt A -> B; statuses.
run_pair() {
	sbe_callee B "$2" || return 1
	sbe_caller A "$1" 1000
	sbe_wait_pid "$CALLER_PID" 25
	PAIR="$?"
	sbe_wait_pid "$CALLEE_PID" 10
	PAIR="$PAIR/$?"
}

# --- CANCEL before answer
run_pair uac_cancel.xml uas_cancel.xml
tap_is "$PAIR" "0/0" "CANCEL: caller got 200 and 487, callee got CANCEL and the ACK"
tap_is "$(sbe_calls A)/$(sbe_calls B)" "0/0" "CANCEL: no call left on either border"
tap_ge "$(sbe_ctl A stats | jq .sip.cancels_sent)" 1 "CANCEL: sbeA sent its own CANCEL downstream"
tap_is "$(sbe_fp A stream list | jq length)/$(sbe_fp B stream list | jq length)" "0/0" \
	"CANCEL: the offer's media was removed on both borders"
tap_ge "$(grep -c "result=487" "$SBE_T/A.log")" 1 "CANCEL: logged with result 487"

# --- 486 Busy Here
run_pair uac_busy.xml uas_busy.xml
tap_is "$PAIR" "0/0" "486: the busy callee's 486 reached the caller, both ACKed"
tap_is "$(sbe_calls A)/$(sbe_calls B)" "0/0" "486: no call left"
tap_ge "$(grep -c "result=486 Busy Here" "$SBE_T/A.log")" 1 "486: logged with the result"

# --- unresponsive callee: 408
t0=$(date +%s%N)
run_pair uac_timeout.xml uas_silent.xml
t=$((($(date +%s%N) - t0) / 1000000))
tap_is "${PAIR%/*}" "0" "408: the caller got 408 Request Timeout"
tap_is "$(sbe_calls A)/$(sbe_calls B)" "0/0" "408: no call left"
tap_ge "$(grep -c "result=408" "$SBE_T/B.log")" 1 "408: sbeB timed the INVITE out (timer B)"
tap_ok $((t > 10000)) "408: within 10 s, from timer B, not the caller's own timeout (${t} ms)"

# --- unreachable next hop: sbeB is down, the ICMP error becomes 503
sbe_stop B
sbe_caller A uac_unavailable.xml 1000
sbe_wait_pid "$CALLER_PID" 15
tap_is "$?" "0" "503: with sbeB down the caller got 503 (ICMP port unreachable)"
tap_is "$(sbe_ctl A peer list | jq -r '.[] | select(.name == "sbe-b") | .state')/$(sbe_calls A)" \
	"down/0" "503: sbeA shows the peer down, no call left"

# --- hostile SIP at sbeA's UDP and TCP listeners
cat > "$SBE_T/hostile.py" <<'EOF'
import socket, sys
def req(first, hdrs, body=b"", cl=None):
    h = b"".join(x + b"\r\n" for x in hdrs)
    if cl is None:
        cl = len(body)
    if cl is not False:
        h += b"Content-Length: %d\r\n" % cl
    return first + b"\r\n" + h + b"\r\n" + body
via = b"Via: SIP/2.0/UDP 10.1.0.2:5090;branch=z9hG4bKhostile%d"
base = lambda n: [via % n, b"From: <sip:x@a.example>;tag=h%d" % n, b"To: <sip:bob@b.example>",
                  b"Call-ID: hostile-%d" % n, b"CSeq: 1 INVITE", b"Max-Forwards: 70"]
inv = b"INVITE sip:bob@b.example SIP/2.0"
cases = [
    ("truncated", req(inv, base(1))[:90]),
    ("no-callid", req(inv, [x for x in base(2) if not x.startswith(b"Call-ID")])),
    ("no-cseq", req(inv, [x for x in base(3) if not x.startswith(b"CSeq")])),
    ("bad-cl", req(inv, base(4), b"v=0\r\n", cl=4000)),
    ("cl-garbage", req(inv, base(5) + [b"Content-Length: x"], cl=False)),
    ("huge-header", req(inv, [x for x in base(6) if not x.startswith(b"CSeq")] +
                       [b"Subject: " + b"A" * 60000])),
    ("garbage", bytes(range(256)) * 4),
    ("no-via", req(inv, base(8)[1:])),
    ("bad-response", b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 10.1.0.1:5060;branch=z9hG4bKxbz\r\n\r\n"),
]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.1.0.2", 5090))
s.settimeout(0.5)
for name, data in cases:
    s.sendto(data, ("10.1.0.1", 5060))
    try:
        r, _ = s.recvfrom(65535)
        print(name, r.split(b"\r\n")[0].decode(errors="replace"))
    except socket.timeout:
        print(name, "-")
# TCP: garbage without Content-Length, then an unframeable flood
for name, data in [("tcp-garbage", b"\x00\xff" * 5000 + b"\r\n\r\n"),
                   ("tcp-no-cl", b"OPTIONS sip:x@b.example SIP/2.0\r\nVia: x\r\n\r\n")]:
    t = socket.create_connection(("10.1.0.1", 5060), timeout=2)
    try:
        t.sendall(data)
        t.settimeout(2)
        r = t.recv(4096)
        print(name, "closed" if not r else r.split(b"\r\n")[0].decode(errors="replace"))
    except (socket.timeout, ConnectionResetError):
        print(name, "-")
    t.close()
EOF
out=$(xb_exec "$UACA" timeout 30 python3 "$SBE_T/hostile.py" 2>&1)
echo "$out" | tap_diag
res() { echo "$out" | awk -v n="$1" '$1 == n { $1 = ""; print substr($0, 2) }'; }
tap_is "$(res truncated | cut -c1-15)" "SIP/2.0 400 Bad" "truncated INVITE: 400"
tap_is "$(res no-callid)" "SIP/2.0 400 Bad Request (missing Call-ID)" "missing Call-ID: 400 saying so"
tap_is "$(res bad-cl)" "SIP/2.0 400 Bad Request (Content-Length larger than the datagram)" \
	"Content-Length beyond the datagram: 400 saying so"
tap_is "$(res cl-garbage | cut -c1-15)/$(res no-cseq | cut -c1-15)/$(res huge-header | cut -c1-15)" \
	"SIP/2.0 400 Bad/SIP/2.0 400 Bad/SIP/2.0 400 Bad" \
	"malformed Content-Length, missing CSeq, 60 kB header: 400 each"
tap_is "$(res garbage)/$(res no-via)/$(res bad-response)" "-/-/-" \
	"garbage, no Via, a broken response: dropped silently"
tap_is "$(res tcp-garbage)/$(res tcp-no-cl)" "closed/closed" \
	"TCP: unframeable input closes the connection"
alive=$(sbe_ctl A stats | jq -r '"\(.calls.active) \(.sip.errors_sent >= 6)"')
tap_is "$alive" "0 true" "sbeA alive after all of it, answered with errors, holds no call"

tap_done
