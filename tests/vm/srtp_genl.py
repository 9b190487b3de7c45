#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Raw generic netlink requests to xborder.ko, wrong on purpose, to check the
module's own validation (xborderctl validates before it sends, so it cannot
show it). Not a test by itself: tests/vm/20-srtp-module.sh runs it.

  srtp_genl.py CASE...

prints one line per case: "CASE ERRNO_NAME EXTACK_MESSAGE" (message "-" when
the kernel sent none). Attribute numbers are include/uapi/xborder/genl.h's.
"""
import errno
import os
import socket
import struct
import sys

NETLINK_GENERIC = 16
SOL_NETLINK = 270
NETLINK_CAP_ACK = 10
NETLINK_EXT_ACK = 11
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR = 2
NLM_F_ACK_TLVS = 0x200
NLMSGERR_ATTR_MSG = 1
GENL_ID_CTRL, CTRL_CMD_GETFAMILY, CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 16, 3, 1, 2

# include/uapi/xborder/genl.h
CMD_ADD, CMD_REPLACE, CMD_DEL = 2, 3, 4
A_CTX_ID, A_SUITE, A_DIRECTION, A_MASTER_KEY, A_MASTER_SALT = 1, 2, 3, 4, 5
A_SSRC_FIXED, A_REPLAY_WINDOW = 7, 10
SUITE_80, SUITE_GCM, UNPROTECT = 1, 3, 1
CTX = 0x5eed1000  # ids of this helper; the caller deletes them


def attr(t, data):
    pad = (4 - len(data) % 4) % 4
    return struct.pack("HH", 4 + len(data), t) + data + b"\0" * pad


def u32(t, v):
    return attr(t, struct.pack("I", v))


def u16(t, v):
    return attr(t, struct.pack("H", v))


def u8(t, v):
    return attr(t, struct.pack("B", v))


class Genl:
    def __init__(self):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        self.s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.s.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        self.s.settimeout(5)
        self.seq = 1
        self.family = self.resolve("xborder")

    def send(self, typ, cmd, attrs, version=1):
        body = struct.pack("BBH", cmd, version, 0) + attrs
        self.seq += 1
        self.s.send(struct.pack("IHHII", 16 + len(body), typ, NLM_F_REQUEST | NLM_F_ACK,
                                self.seq, 0) + body)
        return self.recv()

    def recv(self):
        """(errno, message, payload of a reply) for the current request."""
        reply = None
        while True:
            data = self.s.recv(65536)
            off = 0
            while off + 16 <= len(data):
                ln, typ, flags, seq, _ = struct.unpack_from("IHHII", data, off)
                msg = data[off + 16:off + ln]
                off += (ln + 3) & ~3
                if typ != NLMSG_ERROR:
                    reply = msg
                    continue
                err = -struct.unpack_from("i", msg, 0)[0]
                text = "-"
                if flags & NLM_F_ACK_TLVS:
                    p = 4 + 16  # error, then the capped request header
                    while p + 4 <= len(msg):
                        alen, atype = struct.unpack_from("HH", msg, p)
                        if alen < 4:
                            break
                        if atype == NLMSGERR_ATTR_MSG:
                            text = msg[p + 4:p + alen].rstrip(b"\0").decode()
                        p += (alen + 3) & ~3
                return err, text, reply

    def resolve(self, name):
        err, _, reply = self.send(GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                                  attr(CTRL_ATTR_FAMILY_NAME, name.encode() + b"\0"))
        if err or reply is None:
            sys.exit("srtp_genl: no generic netlink family %s (%s)" % (name, os.strerror(err)))
        p = 4
        while p + 4 <= len(reply):
            alen, atype = struct.unpack_from("HH", reply, p)
            if atype == CTRL_ATTR_FAMILY_ID:
                return struct.unpack_from("H", reply, p + 4)[0]
            p += (alen + 3) & ~3
        sys.exit("srtp_genl: no family id in the controller's answer")


def ctx(n=0, suite=SUITE_80, key=16, salt=14, extra=b"", skip=()):
    parts = {
        A_CTX_ID: u32(A_CTX_ID, CTX + n),
        A_SUITE: u16(A_SUITE, suite),
        A_DIRECTION: u8(A_DIRECTION, UNPROTECT),
        A_MASTER_KEY: attr(A_MASTER_KEY, b"\x11" * key),
        A_MASTER_SALT: attr(A_MASTER_SALT, b"\x22" * salt),
    }
    return b"".join(v for k, v in parts.items() if k not in skip) + extra


CASES = {
    "ok": lambda g: g.send(g.family, CMD_ADD, ctx(0)),
    "duplicate": lambda g: g.send(g.family, CMD_ADD, ctx(0)),
    "missing-key": lambda g: g.send(g.family, CMD_ADD, ctx(1, skip=(A_MASTER_KEY,))),
    "missing-id": lambda g: g.send(g.family, CMD_DEL, b""),
    "short-key": lambda g: g.send(g.family, CMD_ADD, ctx(2, key=15)),
    "long-salt": lambda g: g.send(g.family, CMD_ADD, ctx(3, salt=16)),
    "suite-range": lambda g: g.send(g.family, CMD_ADD, ctx(4, suite=9)),
    "gcm": lambda g: g.send(g.family, CMD_ADD, ctx(5, suite=SUITE_GCM)),
    "window-small": lambda g: g.send(g.family, CMD_ADD, ctx(6, extra=u16(A_REPLAY_WINDOW, 10))),
    "reply-only": lambda g: g.send(g.family, CMD_ADD, ctx(7, extra=attr(A_SSRC_FIXED, b""))),
    "unknown-attr": lambda g: g.send(g.family, CMD_ADD, ctx(8, extra=u32(99, 1))),
    "id-zero": lambda g: g.send(g.family, CMD_DEL, u32(A_CTX_ID, 0)),
    "replace-missing": lambda g: g.send(g.family, CMD_REPLACE, ctx(9)),
    "del-missing": lambda g: g.send(g.family, CMD_DEL, u32(A_CTX_ID, CTX + 10)),
    "cleanup": lambda g: g.send(g.family, CMD_DEL, u32(A_CTX_ID, CTX)),
}


def main():
    g = Genl()
    for name in sys.argv[1:]:
        err, text, _ = CASES[name](g)
        # errno.errorcode says ENOTSUP for 95; the kernel's name is EOPNOTSUPP
        ename = "EOPNOTSUPP" if err == errno.EOPNOTSUPP else errno.errorcode.get(err, str(err))
        print("%s %s %s" % (name, ename if err else "OK", text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
