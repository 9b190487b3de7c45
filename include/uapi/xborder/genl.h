/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * xborder.ko: SRTP crypto contexts for the XDP fast path, configured over
 * generic netlink.
 *
 * Documentation
 * =============
 *
 * The module registers the generic netlink family XBORDER_GENL_NAME,
 * version XBORDER_GENL_VERSION. It holds one table of SRTP crypto contexts
 * for the whole host (not one per network namespace, like the pinned BPF
 * maps it serves), keyed by a context id that the XDP stream entries name
 * (struct xb_stream.srtp_ctx in <xborder/fastpath.h>). The XDP program
 * protects or unprotects a stream's packets in place by calling the
 * module's kfuncs (below) with that id.
 *
 * Every command but XBORDER_CMD_INFO needs CAP_NET_ADMIN. Bad input is
 * refused with an errno and an extended-ack message naming the attribute.
 * Keys go in and never come out: no reply carries key material.
 *
 * XBORDER_CMD_INFO
 * ----------------
 *
 * No attributes. The reply carries:
 *
 *    XBORDER_A_VERSION: NLA_NUL_STRING, the module's version
 *    XBORDER_A_SELFTEST: NLA_U32, known-answer tests passed at load (the
 *                        module refuses to load when one fails)
 *    XBORDER_A_SUITES: NLA_U32, bit (1 << suite) for each suite supported
 *    XBORDER_A_CTX_COUNT: NLA_U32, contexts in the table
 *    XBORDER_A_CTX_MAX: NLA_U32, the table's limit (module parameter
 *                       max_contexts)
 *
 * XBORDER_CMD_SRTP_ADD, XBORDER_CMD_SRTP_REPLACE
 * ----------------------------------------------
 *
 * ADD creates a context and fails with EEXIST if the id is taken; REPLACE
 * swaps a new one in for an existing id (ENOENT if there is none), for a
 * re-key. A replaced context keeps its counters; everything else comes
 * from the message. Packets in flight during a REPLACE use either the old
 * or the new context, never a mix. Attributes:
 *
 *    XBORDER_A_CTX_ID: NLA_U32, required, 1 .. 2^32 - 1
 *    XBORDER_A_SUITE: NLA_U16, required, enum xborder_srtp_suite
 *    XBORDER_A_DIRECTION: NLA_U8, required, enum xborder_srtp_dir
 *    XBORDER_A_MASTER_KEY: NLA_EXACT_LEN, required, XBORDER_SRTP_KEY_LEN
 *    XBORDER_A_MASTER_SALT: NLA_EXACT_LEN, required, XBORDER_SRTP_SALT_LEN
 *    XBORDER_A_SSRC: NLA_U32, optional. Present: only this SSRC is
 *                    accepted (unprotect) or sent (protect). Absent: the
 *                    first packet's SSRC is taken, and a later SSRC
 *                    restarts the RTP state (one SSRC at a time).
 *    XBORDER_A_ROC: NLA_U32, optional, the rollover counter (default 0)
 *    XBORDER_A_SEQ: NLA_U16, optional, the highest sequence number
 *                   received (unprotect) or sent (protect) so far, with
 *                   XBORDER_A_ROC the RTP state to continue from. Absent:
 *                   the first packet sets it.
 *    XBORDER_A_REPLAY_WINDOW: NLA_U16, optional, packets, from
 *                   XBORDER_SRTP_WINDOW_MIN to XBORDER_SRTP_WINDOW_MAX
 *                   (default XBORDER_SRTP_WINDOW_DEFAULT)
 *    XBORDER_A_SRTCP_INDEX: NLA_U32, optional, below 2^31: the last
 *                   SRTCP index sent (protect; the next packet carries
 *                   index + 1) or the highest received (unprotect).
 *                   Default 0, as in libsrtp.
 *
 * Key derivation follows RFC 3711 section 4.3 with a key derivation rate
 * of 0 (the only rate SDES, RFC 4568, uses by default): session keys are
 * derived once, when the context is added.
 *
 * XBORDER_CMD_SRTP_DEL
 * --------------------
 *
 *    XBORDER_A_CTX_ID: NLA_U32, required
 *
 * ENOENT if there is no such context. The XDP program hands packets of a
 * stream whose context is gone to the stack (the userspace relay).
 *
 * XBORDER_CMD_SRTP_GET
 * --------------------
 *
 * With XBORDER_A_CTX_ID: one context. With NLM_F_DUMP and no attributes:
 * every context, one message each (NLM_F_MULTI). A context is described by
 *
 *    XBORDER_A_CTX_ID: NLA_U32
 *    XBORDER_A_SUITE: NLA_U16
 *    XBORDER_A_DIRECTION: NLA_U8
 *    XBORDER_A_SSRC: NLA_U32, when fixed or learned
 *    XBORDER_A_SSRC_FIXED: NLA_FLAG, when XBORDER_A_SSRC came from the add
 *    XBORDER_A_ROC: NLA_U32
 *    XBORDER_A_SEQ: NLA_U16, once known
 *    XBORDER_A_REPLAY_WINDOW: NLA_U16
 *    XBORDER_A_SRTCP_INDEX: NLA_U32
 *    XBORDER_A_STATS: NLA_NESTED
 *        XBORDER_STATS_*: NLA_U64 each, enum xborder_stats_attr
 *
 * so the state can be handed over (e.g. to the userspace relay) with the
 * same attributes an add takes, plus the keys the controller kept.
 *
 * kfuncs
 * ======
 *
 * For BPF_PROG_TYPE_XDP programs (declared in the program as __ksym):
 *
 *    int bpf_xborder_srtp_unprotect(struct xdp_md *ctx, __u32 ctx_id,
 *                                   __u32 udp_off);
 *    int bpf_xborder_srtp_protect(struct xdp_md *ctx, __u32 ctx_id,
 *                                 __u32 udp_off);
 *
 * udp_off is the offset of a UDP header from the start of the frame
 * (ctx->data); its length field gives the datagram, which must lie in the
 * frame's linear data. The payload is RTP, or RTCP when its second byte
 * without the marker bit is 64..95 (RFC 5761 section 4). Protect needs
 * XBORDER_SRTP_MAX_OVERHEAD bytes of frame after the datagram (grow the
 * frame with bpf_xdp_adjust_tail first). On success the payload has been
 * transformed in place, the UDP length and checksum are updated (an IPv4
 * checksum of 0 stays 0), and the new UDP length is returned; the program
 * fixes the IP header's length and trims the frame. On failure nothing in
 * the frame has changed and a negative errno says why:
 *
 *    -ENOENT      no such context (hand the packet to the stack)
 *    -EBADMSG     authentication failed
 *    -ESTALE      replayed, or older than the replay window
 *    -EPROTO      not RTP/RTCP version 2, truncated, or an SSRC the
 *                 context does not accept
 *    -EINVAL      bad offset or length, or the context's direction is the
 *                 other one
 *    -ENOSPC      protect: not enough room after the datagram
 *
 * Each outcome is counted in the context's XBORDER_STATS_*.
 */
#ifndef _UAPI_XBORDER_GENL_H
#define _UAPI_XBORDER_GENL_H

#define XBORDER_GENL_NAME "xborder"
#define XBORDER_GENL_VERSION 1

#define XBORDER_SRTP_KEY_LEN 16	 /* AES-128 master key */
#define XBORDER_SRTP_SALT_LEN 14 /* master salt */
#define XBORDER_SRTP_WINDOW_MIN 64
#define XBORDER_SRTP_WINDOW_MAX 1024
#define XBORDER_SRTP_WINDOW_DEFAULT 128
/* Largest growth of a protected packet: SRTCP's E flag and index (4) and
 * its 80-bit tag (10). SRTP grows by the tag only (10 or 4). */
#define XBORDER_SRTP_MAX_OVERHEAD 14

enum xborder_srtp_suite {
	XBORDER_SRTP_SUITE_UNSPEC,
	XBORDER_SRTP_AES_CM_128_HMAC_SHA1_80, /* RFC 4568: 80-bit tags */
	XBORDER_SRTP_AES_CM_128_HMAC_SHA1_32, /* 32-bit SRTP tag, 80-bit SRTCP tag */
	XBORDER_SRTP_AEAD_AES_128_GCM,	      /* RFC 7714: reserved, refused for now */
	__XBORDER_SRTP_SUITE_MAX
};
#define XBORDER_SRTP_SUITE_MAX (__XBORDER_SRTP_SUITE_MAX - 1)

enum xborder_srtp_dir {
	XBORDER_SRTP_DIR_UNSPEC,
	XBORDER_SRTP_UNPROTECT, /* SRTP in, RTP out: verify, replay-check, decrypt */
	XBORDER_SRTP_PROTECT,	/* RTP in, SRTP out: encrypt, authenticate */
	__XBORDER_SRTP_DIR_MAX
};
#define XBORDER_SRTP_DIR_MAX (__XBORDER_SRTP_DIR_MAX - 1)

enum xborder_cmd {
	XBORDER_CMD_UNSPEC,
	XBORDER_CMD_INFO,
	XBORDER_CMD_SRTP_ADD,
	XBORDER_CMD_SRTP_REPLACE,
	XBORDER_CMD_SRTP_DEL,
	XBORDER_CMD_SRTP_GET,
	__XBORDER_CMD_MAX
};
#define XBORDER_CMD_MAX (__XBORDER_CMD_MAX - 1)

enum xborder_attr {
	XBORDER_A_UNSPEC,
	XBORDER_A_CTX_ID,
	XBORDER_A_SUITE,
	XBORDER_A_DIRECTION,
	XBORDER_A_MASTER_KEY,
	XBORDER_A_MASTER_SALT,
	XBORDER_A_SSRC,
	XBORDER_A_SSRC_FIXED,
	XBORDER_A_ROC,
	XBORDER_A_SEQ,
	XBORDER_A_REPLAY_WINDOW,
	XBORDER_A_SRTCP_INDEX,
	XBORDER_A_STATS,
	XBORDER_A_VERSION,
	XBORDER_A_SELFTEST,
	XBORDER_A_SUITES,
	XBORDER_A_CTX_COUNT,
	XBORDER_A_CTX_MAX,
	XBORDER_A_PAD,
	__XBORDER_A_MAX
};
#define XBORDER_A_MAX (__XBORDER_A_MAX - 1)

/* Counters of a context, in XBORDER_A_STATS. */
enum xborder_stats_attr {
	XBORDER_STATS_UNSPEC,
	XBORDER_STATS_PACKETS,	     /* RTP packets transformed */
	XBORDER_STATS_BYTES,	     /* their UDP payload bytes, as received */
	XBORDER_STATS_RTCP_PACKETS,  /* RTCP packets transformed */
	XBORDER_STATS_AUTH_FAIL,     /* -EBADMSG */
	XBORDER_STATS_REPLAY_FAIL,   /* -ESTALE */
	XBORDER_STATS_MALFORMED,     /* -EPROTO: not RTP/RTCP, truncated */
	XBORDER_STATS_SSRC_MISMATCH, /* -EPROTO: an SSRC the context refuses */
	XBORDER_STATS_ERRORS,	     /* -EINVAL, -ENOSPC: the caller's mistakes */
	XBORDER_STATS_PAD,
	__XBORDER_STATS_MAX
};
#define XBORDER_STATS_MAX (__XBORDER_STATS_MAX - 1)

#endif /* _UAPI_XBORDER_GENL_H */
