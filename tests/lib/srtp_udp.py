#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""UDP tools for the SRTP tests (tests/vm/21-srtp-relay.sh, tests/net/15-srtp-userspace.sh).

  srtp_udp.py recv ADDR PORT --timeout S [--expect N] --out FILE [--ready FILE]
      one line per datagram: "SEQ ok|bad LEN". ok means exactly what
      tests/lib/udp.py send --rtp sends (RTP version 2, PT 0, timestamp
      160 * SEQ, SSRC 0x5eed0001, 0xd5 payload bytes): a datagram that was
      decrypted wrongly, or not at all, is bad.
  srtp_udp.py sniff IFACE DPORT --count N --timeout S --out FILE [--ready FILE]
      the UDP payloads (hex, one per line) of the first N IPv4 datagrams to
      DPORT that IFACE sends or receives (AF_PACKET).
  srtp_udp.py send HOST PORT COUNT --src ADDR:PORT --seq0 N [--size N] [--rate PPS]
      what tests/lib/udp.py send --rtp sends, the sequence starting at N (an
      SRTP sender must not reuse an index, so a second flow continues)
  srtp_udp.py sendhex HOST PORT HEX --src ADDR:PORT [--seq N] [--flip OFF]
      send one datagram; --seq rewrites the RTP sequence number, --flip
      inverts the byte at OFF (a forgery).

Every loop is bounded by a count and a time limit.
"""
import argparse
import socket
import struct
import sys
import time

SSRC = 0x5EED0001


def good(data):
    if len(data) < 12:
        return False
    v, pt, seq, ts, ssrc = struct.unpack("!BBHII", data[:12])
    return (v == 0x80 and pt == 0 and ts == (seq * 160) & 0xFFFFFFFF and ssrc == SSRC
            and data[12:] == b"\xd5" * (len(data) - 12))


def recv(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind((a.addr, a.port))
    if a.ready:
        open(a.ready, "w").close()
    deadline = time.monotonic() + a.timeout
    n = 0
    with open(a.out, "w") as out:
        while time.monotonic() < deadline and (not a.expect or n < a.expect):
            s.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                data = s.recv(65535)
            except socket.timeout:
                break
            n += 1
            seq = struct.unpack("!H", data[2:4])[0] if len(data) >= 4 else -1
            out.write("%d %s %d\n" % (seq, "ok" if good(data) else "bad", len(data)))
            out.flush()
    return 0


def sniff(a):
    # ETH_P_ALL: only all-protocol taps see what the device sends
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
    s.bind((a.iface, 0))
    if a.ready:
        open(a.ready, "w").close()
    deadline = time.monotonic() + a.timeout
    n = 0
    with open(a.out, "w") as out:
        while n < a.count and time.monotonic() < deadline:
            s.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                f = s.recv(65535)
            except socket.timeout:
                break
            ip = f[14:]
            if f[12:14] != b"\x08\x00" or len(ip) < 28 or ip[9] != 17:
                continue
            ihl = (ip[0] & 15) * 4
            dport, ulen = struct.unpack("!2xHH", ip[ihl:ihl + 6])
            if dport != a.dport:
                continue
            out.write(ip[ihl + 8:ihl + ulen].hex() + "\n")
            out.flush()
            n += 1
    return 0 if n == a.count else 1


def send(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    host, _, port = a.src.rpartition(":")
    s.bind((host, int(port)))
    gap = 1.0 / a.rate if a.rate else 0
    for i in range(a.count):
        seq = (a.seq0 + i) & 0xFFFF
        hdr = struct.pack("!BBHII", 0x80, 0, seq, (seq * 160) & 0xFFFFFFFF, SSRC)
        s.sendto(hdr + b"\xd5" * max(0, a.size - 12), (a.host, a.port))
        if gap:
            time.sleep(gap)
    return 0


def sendhex(a):
    data = bytearray(bytes.fromhex(a.hex))
    if a.seq is not None:
        data[2:4] = struct.pack("!H", a.seq)
    if a.flip is not None:
        data[a.flip] ^= 0xFF
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    host, _, port = a.src.rpartition(":")
    s.bind((host, int(port)))
    s.sendto(bytes(data), (a.host, a.port))
    return 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("recv")
    r.add_argument("addr")
    r.add_argument("port", type=int)
    r.add_argument("--timeout", type=float, required=True)
    r.add_argument("--expect", type=int, default=0)
    r.add_argument("--out", required=True)
    r.add_argument("--ready")
    f = sub.add_parser("sniff")
    f.add_argument("iface")
    f.add_argument("dport", type=int)
    f.add_argument("--count", type=int, required=True)
    f.add_argument("--timeout", type=float, required=True)
    f.add_argument("--out", required=True)
    f.add_argument("--ready")
    t = sub.add_parser("send")
    t.add_argument("host")
    t.add_argument("port", type=int)
    t.add_argument("count", type=int)
    t.add_argument("--src", required=True)
    t.add_argument("--seq0", type=int, required=True)
    t.add_argument("--size", type=int, default=172)
    t.add_argument("--rate", type=float, default=0)
    x = sub.add_parser("sendhex")
    x.add_argument("host")
    x.add_argument("port", type=int)
    x.add_argument("hex")
    x.add_argument("--src", required=True)
    x.add_argument("--seq", type=int)
    x.add_argument("--flip", type=int)
    a = p.parse_args()
    return {"recv": recv, "sniff": sniff, "send": send, "sendhex": sendhex}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
