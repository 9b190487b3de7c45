#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""What crossed a link, for the SDES tests (tests/net/24-sbe-srtp.sh).

  srtp_wire.py capture IFACE --ports LO-HI[,P...] --max N --timeout S --out FILE [--ready FILE]
      every IPv4 UDP datagram IFACE sends or receives (AF_PACKET) whose
      source or destination port is listed, one per line:
      "SRC:SPORT DST:DPORT HEX". Stops after N datagrams or S seconds.
  srtp_wire.py send HOST PORT COUNT --src ADDR:PORT --key B64 [--size N] [--rate PPS]
      an SRTP phone: what tests/lib/udp.py send --rtp sends, protected
      with KEY (SDES inline key||salt, AES_CM_128_HMAC_SHA1_80)
  srtp_wire.py recv ADDR PORT --key-file FILE --timeout S [--expect N] --out FILE [--ready FILE]
      and its receiving side, one line per datagram: "SEQ ok|bad LEN", ok
      when it authenticates with the key in FILE and decrypts to what
      udp.py send --rtp sends
  srtp_wire.py check FILE --a ADDR --b ADDR --sip-port P --size N
      reads a capture: the SDP of the SIP messages between A and B (the
      a=crypto key each side put in its SDP is the key it sends with,
      RFC 4568), then every other datagram between them as SRTP sent with
      its sender's key, checked with an implementation of RFC 3711 of our
      own (AES-CM key derivation, AES-CTR, HMAC-SHA1-80) on the
      'cryptography' package: authentication tag, then the payload
      decrypted must be what tests/lib/udp.py send --rtp sends (N bytes,
      0xd5 payload). Prints one JSON object with the counts.

Every loop is bounded by a count and a time limit.
"""
import argparse
import base64
import hashlib
import hmac
import json
import re
import socket
import struct
import sys
import time

SSRC = 0x5EED0001


def parse_ports(spec):
    ports = set()
    for part in spec.split(","):
        lo, _, hi = part.partition("-")
        ports.update(range(int(lo), int(hi or lo) + 1))
    return ports


def capture(a):
    ports = parse_ports(a.ports)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
    s.bind((a.iface, 0))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    if a.ready:
        open(a.ready, "w").close()
    deadline = time.monotonic() + a.timeout
    n = 0
    with open(a.out, "w") as out:
        while n < a.max and time.monotonic() < deadline:
            s.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                f = s.recv(65535)
            except socket.timeout:
                break
            ip = f[14:]
            if f[12:14] != b"\x08\x00" or len(ip) < 28 or ip[9] != 17:
                continue
            ihl = (ip[0] & 15) * 4
            sport, dport, ulen = struct.unpack("!HHH", ip[ihl:ihl + 6])
            if sport not in ports and dport not in ports:
                continue
            src = socket.inet_ntoa(ip[12:16])
            dst = socket.inet_ntoa(ip[16:20])
            out.write("%s:%d %s:%d %s\n" % (src, sport, dst, dport, ip[ihl + 8:ihl + ulen].hex()))
            out.flush()
            n += 1
    return 0


class Srtp:
    """RFC 3711 receiver side for one master key, key derivation rate 0."""

    def __init__(self, keysalt):
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
        self._Cipher, self._aes, self._ctr = Cipher, algorithms.AES, modes.CTR
        self.master_key, self.master_salt = keysalt[:16], keysalt[16:30]
        self.k_e = self._derive(0, 16)
        self.k_a = self._derive(1, 20)
        self.k_s = self._derive(2, 14)

    def _keystream(self, key, iv, n):
        enc = self._Cipher(self._aes(key), self._ctr(iv)).encryptor()
        return enc.update(b"\x00" * n) + enc.finalize()

    def _derive(self, label, n):
        x = bytearray(self.master_salt)
        x[7] ^= label  # key_id = label || r (r = 0), right-aligned with the salt
        return self._keystream(self.master_key, bytes(x) + b"\x00\x00", n)

    def _crypt(self, body, roc):
        seq, ssrc = struct.unpack("!H4xI", body[2:12])
        hlen = 12 + 4 * (body[0] & 15)
        if body[0] & 0x10:  # header extension
            if len(body) < hlen + 4:
                return None
            hlen += 4 + 4 * struct.unpack("!H", body[hlen + 2:hlen + 4])[0]
        iv = bytearray(self.k_s + b"\x00\x00")
        for i, b in enumerate(struct.pack("!I", ssrc)):
            iv[4 + i] ^= b
        for i, b in enumerate(struct.pack("!Q", (roc << 16) | seq)[2:]):
            iv[8 + i] ^= b
        ks = self._keystream(self.k_e, bytes(iv), max(0, len(body) - hlen))
        return body[:hlen] + bytes(p ^ k for p, k in zip(body[hlen:], ks))

    def _tag(self, body, roc, tag_len):
        return hmac.new(self.k_a, body + struct.pack("!I", roc), hashlib.sha1).digest()[:tag_len]

    def protect(self, pkt, roc=0, tag_len=10):
        body = self._crypt(pkt, roc)
        return body + self._tag(body, roc, tag_len)

    def unprotect(self, pkt, roc=0, tag_len=10):
        """The RTP packet, or None when the tag is wrong."""
        if len(pkt) < 12 + tag_len:
            return None
        body, tag = pkt[:-tag_len], pkt[-tag_len:]
        if not hmac.compare_digest(self._tag(body, roc, tag_len), tag):
            return None
        return self._crypt(body, roc)


def plain_rtp(data, size):
    if len(data) != size:
        return False
    v, pt, seq, ts, ssrc = struct.unpack("!BBHII", data[:12])
    return (v == 0x80 and pt == 0 and ts == (seq * 160) & 0xFFFFFFFF and ssrc == SSRC
            and data[12:] == b"\xd5" * (size - 12))


def send(a):
    srtp = Srtp(base64.b64decode(a.key))
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    host, _, port = a.src.rpartition(":")
    s.bind((host, int(port)))
    gap = 1.0 / a.rate if a.rate else 0
    for i in range(a.count):
        hdr = struct.pack("!BBHII", 0x80, 0, i & 0xFFFF, (i * 160) & 0xFFFFFFFF, SSRC)
        s.sendto(srtp.protect(hdr + b"\xd5" * max(0, a.size - 12)), (a.host, a.port))
        if gap:
            time.sleep(gap)
    return 0


def recv(a):
    srtp = Srtp(base64.b64decode(open(a.key_file).read().split()[-1]))
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
            pkt = srtp.unprotect(data)
            ok = pkt is not None and plain_rtp(pkt, len(pkt))
            out.write("%d %s %d\n" % (seq, "ok" if ok else "bad", len(data)))
            out.flush()
    return 0


CRYPTO = re.compile(rb"a=crypto:(\d+) (AES_CM_128_HMAC_SHA1_(?:80|32)) inline:([A-Za-z0-9+/]{40})")


def check(a):
    keys = {}
    res = {"sip_from_a": 0, "sip_from_b": 0, "savp_from_a": 0, "savp_from_b": 0,
           "crypto_from_a": 0, "crypto_from_b": 0}
    media = []
    for line in open(a.file):
        src, dst, hexdata = line.split()
        sip, _, sport = src.rpartition(":")
        dip = dst.rpartition(":")[0]
        data = bytes.fromhex(hexdata)
        side = "a" if sip == a.a and dip == a.b else "b" if sip == a.b and dip == a.a else None
        if side is None:
            continue
        if int(sport) == a.sip_port or int(dst.rpartition(":")[2]) == a.sip_port:
            res["sip_from_" + side] += 1
            if b"m=audio" in data:
                res["savp_from_" + side] += len(re.findall(rb"m=audio \d+ RTP/SAVP ", data))
                found = CRYPTO.findall(data)
                res["crypto_from_" + side] += len(found)
                if found:
                    keys[side] = (found[-1][1], base64.b64decode(found[-1][2]))
            continue
        media.append((side, data))
    for side in "ab":
        res["from_" + side] = {"packets": 0, "plaintext": 0, "srtp_len": 0, "auth_ok": 0,
                               "decrypted_ok": 0}
    for side, data in media:
        r = res["from_" + side]
        r["packets"] += 1
        r["plaintext"] += plain_rtp(data, a.size)
        if side not in keys:
            continue
        suite, keysalt = keys[side]
        tag_len = 4 if suite.endswith(b"_32") else 10
        r["srtp_len"] += len(data) == a.size + tag_len
        pkt = Srtp(keysalt).unprotect(data, tag_len=tag_len)
        if pkt is not None:
            r["auth_ok"] += 1
            r["decrypted_ok"] += plain_rtp(pkt, a.size)
    res["keys"] = sorted(keys)
    res["keys_differ"] = len(keys) == 2 and keys["a"][1] != keys["b"][1]
    print(json.dumps(res, sort_keys=True))
    return 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("capture")
    c.add_argument("iface")
    c.add_argument("--ports", required=True)
    c.add_argument("--max", type=int, required=True)
    c.add_argument("--timeout", type=float, required=True)
    c.add_argument("--out", required=True)
    c.add_argument("--ready")
    t = sub.add_parser("send")
    t.add_argument("host")
    t.add_argument("port", type=int)
    t.add_argument("count", type=int)
    t.add_argument("--src", required=True)
    t.add_argument("--key", required=True)
    t.add_argument("--size", type=int, default=172)
    t.add_argument("--rate", type=float, default=0)
    r = sub.add_parser("recv")
    r.add_argument("addr")
    r.add_argument("port", type=int)
    r.add_argument("--key-file", required=True)
    r.add_argument("--timeout", type=float, required=True)
    r.add_argument("--expect", type=int, default=0)
    r.add_argument("--out", required=True)
    r.add_argument("--ready")
    k = sub.add_parser("check")
    k.add_argument("file")
    k.add_argument("--a", required=True)
    k.add_argument("--b", required=True)
    k.add_argument("--sip-port", type=int, default=5060)
    k.add_argument("--size", type=int, default=172)
    a = p.parse_args()
    return {"capture": capture, "check": check, "send": send, "recv": recv}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
