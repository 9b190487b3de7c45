#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Tiny UDP tools for tests: send numbered datagrams, receive and report.

  udp.py send HOST PORT COUNT [--src ADDR:PORT] [--rtp] [--size N] [--rate PPS]
  udp.py recv ADDR PORT --timeout S [--expect N] [--out FILE]

recv prints one summary line: "received N from SRC:PORT[,SRC2:PORT2...]"
and, with --out, writes each datagram's sequence number and source.
Loops are bounded by --timeout and COUNT.
"""
import argparse
import socket
import struct
import sys
import time


def family_of(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def split_hostport(s):
    host, _, port = s.rpartition(":")
    return host.strip("[]"), int(port)


def send(args):
    fam = family_of(args.host)
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if args.src:
        s.bind(split_hostport(args.src))
    gap = 1.0 / args.rate if args.rate else 0
    ssrc = 0x5EED0001
    for i in range(args.count):
        if args.rtp:
            hdr = struct.pack("!BBHII", 0x80, 0, i & 0xFFFF, i * 160, ssrc)
        else:
            hdr = struct.pack("!I", i)
        pad = max(0, args.size - len(hdr))
        s.sendto(hdr + b"\xd5" * pad, (args.host, args.port))
        if gap:
            time.sleep(gap)
    return 0


def recv(args):
    fam = family_of(args.addr)
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind((args.addr, args.port))
    if args.ready:
        open(args.ready, "w").close()
    deadline = time.monotonic() + args.timeout
    n = 0
    sources = {}
    out = open(args.out, "w") if args.out else None
    while time.monotonic() < deadline:
        if args.expect and n >= args.expect:
            break
        s.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            data, src = s.recvfrom(65535)
        except socket.timeout:
            break
        n += 1
        key = "%s:%d" % (src[0], src[1])
        sources[key] = sources.get(key, 0) + 1
        if out:
            seq = struct.unpack("!H", data[2:4])[0] if len(data) >= 12 and data[0] == 0x80 \
                else (struct.unpack("!I", data[:4])[0] if len(data) >= 4 else -1)
            out.write("%d %s %d\n" % (seq, key, len(data)))
    print("received %d from %s" % (n, ",".join(sorted(sources)) or "-"))
    return 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    ps = sub.add_parser("send")
    ps.add_argument("host")
    ps.add_argument("port", type=int)
    ps.add_argument("count", type=int)
    ps.add_argument("--src")
    ps.add_argument("--rtp", action="store_true")
    ps.add_argument("--size", type=int, default=172)
    ps.add_argument("--rate", type=float, default=0)
    pr = sub.add_parser("recv")
    pr.add_argument("addr")
    pr.add_argument("port", type=int)
    pr.add_argument("--timeout", type=float, required=True)
    pr.add_argument("--expect", type=int, default=0)
    pr.add_argument("--out")
    pr.add_argument("--ready", help="touch this file once bound")
    args = p.parse_args()
    return send(args) if args.cmd == "send" else recv(args)


if __name__ == "__main__":
    sys.exit(main())
