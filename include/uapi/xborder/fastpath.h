/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * xborder fast path: the map ABI shared by the XDP program (bpf/), the
 * controller and CLI (userspace/) and the kernel module (kernel/, whose own
 * ABI is include/uapi/xborder/genl.h).
 *
 * The maps are pinned under XB_PIN_DIR, so media keeps flowing while the
 * controller restarts; on start the controller re-opens them and rebuilds
 * its view from their contents. Every struct below is laid out by hand with
 * explicit padding and no implicit holes, so the BPF program (clang -target
 * bpf) and userspace (gcc, x86_64) agree byte for byte. Bump
 * XB_FASTPATH_ABI whenever a layout or a meaning changes: a controller
 * refuses to adopt pinned maps whose xb_config.abi differs.
 *
 * Byte order: fields named *_port or *_addr are in network byte order, as
 * on the wire; everything else is in host byte order.
 *
 * Addresses: a 16-byte field holds an IPv6 address, or an IPv4 address in
 * its first 4 bytes with the other 12 bytes zero. The family is given next
 * to it. Packets are never translated between families in the fast path:
 * such streams carry XB_F_PASS and the userspace relay handles them.
 *
 * Maps (name, type, key -> value):
 *
 *   xb_streams      HASH           struct xb_stream_key -> struct xb_stream
 *       One entry per direction of a media stream, keyed by where packets
 *       arrive: the relay's own address and port. RTCP has its own entry
 *       (RTP port + 1), except with rtcp-mux where both share one.
 *
 *   xb_stream_stats ARRAY          __u32 stats_idx -> struct xb_stream_stats
 *       Counters of the stream whose xb_stream.stats_idx names the slot.
 *       Kept apart from xb_streams so that the controller can rewrite a
 *       stream (re-INVITE, latching) without resetting its counters. The
 *       index doubles as the stream id shown by xborderctl; the controller
 *       owns allocation and zeroes a slot before reuse.
 *
 *   xb_config       ARRAY[1]       0 -> struct xb_config
 *   xb_stats        PERCPU_ARRAY   enum xb_stat -> __u64 packets
 *   xb_tx_ports     DEVMAP_HASH    ifindex -> ifindex (redirect targets)
 *
 *   xb_srtp_progs   PROG_ARRAY[1]  XB_SRTP_PROG_SLOT -> SRTP program
 *       xb_xdp tail-calls the program in this slot for XB_F_SRTP streams.
 *       The loader fills it with xb_xdp_srtp (bpf/xborder_srtp.bpf.c),
 *       which calls xborder.ko's kfuncs, only while the module is loaded;
 *       empty, those streams go to the stack and the userspace relay.
 *       Emptying it drops the program's reference on the module, which
 *       can then be unloaded (Documentation/kernel-module.md).
 *
 *   xb_guard_ports  HASH           struct xb_guard_port_key -> struct xb_guard_port
 *       The signaling ports the guard protects (SIP over UDP, TCP, TLS).
 *       Traffic to any other port is not subject to the guard.
 *   xb_allow4/6     LPM_TRIE       struct xb_lpm_key{4,6} -> struct xb_guard_prefix
 *       Allowed peer prefixes (co-location peering): with XB_GUARD_ALLOWLIST
 *       on the port, a source not covered here is dropped.
 *   xb_block4/6     LPM_TRIE       struct xb_lpm_key{4,6} -> struct xb_guard_prefix
 *       Blocked sources, checked first, for every guarded port.
 *   xb_ratelimit    LRU_HASH       struct xb_addr_key -> struct xb_rate_state
 *       Token bucket per source address for ports with XB_GUARD_RATELIMIT.
 *       Updated without a lock: under contention from several CPUs the
 *       limit is approximate (a few tokens), never unbounded.
 */
#ifndef _UAPI_XBORDER_FASTPATH_H
#define _UAPI_XBORDER_FASTPATH_H

#include <linux/types.h>

#define XB_FASTPATH_ABI 3
#define XB_PIN_DIR "/sys/fs/bpf/xborder"

/* Default sizes; the loader may resize maps before load. */
#define XB_MAX_STREAMS_DEFAULT 65536
#define XB_MAX_GUARD_PREFIXES 16384
#define XB_MAX_RATELIMIT_SOURCES 65536
#define XB_MAX_GUARD_PORTS 64
#define XB_MAX_TX_PORTS 256
#define XB_MAX_SRTP_PROGS 1
#define XB_SRTP_PROG_SLOT 0

/* Address families, as in <sys/socket.h>, restated for BPF. */
#define XB_AF_INET 2
#define XB_AF_INET6 10

struct xb_stream_key {
	__u8 family;   /* XB_AF_INET or XB_AF_INET6 */
	__u8 pad;      /* must be zero */
	__be16 port;   /* relay port the packet was sent to */
	__u8 addr[16]; /* relay address the packet was sent to */
};

/* xb_stream.flags */
enum {
	XB_F_FORWARD = 1U << 0,	      /* rewrite and send (TX or redirect) */
	XB_F_LEARN_REMOTE = 1U << 1,  /* pass to stack so the controller latches
				      * the real source (symmetric RTP behind
				      * NAT); it clears this flag afterwards */
	XB_F_DROP = 1U << 2,	      /* drop and count (e.g. held or blocked) */
	XB_F_PASS = 1U << 3,	      /* hand to the stack and userspace relay */
	XB_F_SRTP = 1U << 4,	      /* needs SRTP protect/unprotect (srtp_ctx) */
	XB_F_RTP = 1U << 5,	      /* payload is RTP: check version, track
				      * SSRC and sequence numbers; RTCP
				      * (packet types 192..223, rtcp-mux) is
				      * let through untracked */
	XB_F_STRICT_SOURCE = 1U << 6, /* drop unless source == peer_addr/port */
	XB_F_FIB_LOOKUP = 1U << 7,    /* find egress ifindex and MACs with
				      * bpf_fib_lookup instead of the fields */
	XB_F_SRTP_PROTECT = 1U << 8,  /* with XB_F_SRTP: protect (RTP in, SRTP
				      * out); without: unprotect. Must agree
				      * with the context's direction */
};

struct xb_stream {
	__u32 flags;	    /* XB_F_* */
	__u32 ifindex;	    /* egress interface; equal to the ingress one
			      * means XDP_TX, otherwise redirect through
			      * xb_tx_ports */
	__u32 stats_idx;    /* slot in xb_stream_stats, the stream id */
	__u32 srtp_ctx;	    /* SRTP context id when XB_F_SRTP: xborder.ko's
			     * (include/uapi/xborder/genl.h) or the
			     * userspace relay's */
	__u64 expires_ns;   /* CLOCK_MONOTONIC deadline; 0 = never. After it
			      * packets are dropped as XB_DROP_EXPIRED. */
	__u8 src_addr[16];  /* new source address (relay, egress side) */
	__u8 dst_addr[16];  /* new destination address (remote endpoint) */
	__u8 peer_addr[16]; /* expected source, with XB_F_STRICT_SOURCE */
	__be16 src_port;    /* new source port */
	__be16 dst_port;    /* new destination port */
	__be16 peer_port;   /* expected source port */
	__u16 vlan_id;	    /* egress 802.1Q VID (1..4094); 0 = untagged */
	__u8 smac[6];	    /* egress source MAC */
	__u8 dmac[6];	    /* egress destination MAC (next hop) */
	__u8 family;	    /* egress family; must match the ingress one */
	__u8 dscp;	    /* DSCP to set (0..63); XB_DSCP_KEEP keeps it */
	__u8 pad[2];	    /* must be zero */
};

#define XB_DSCP_KEEP 0xff

struct xb_stream_stats {
	__u64 packets;	    /* forwarded, or passed by the stream's rules */
	__u64 bytes;	    /* of the IP packets, before rewrite */
	__u64 last_seen_ns; /* CLOCK_MONOTONIC of the last packet (the
			     * program's coarse clock: up to a tick late) */
	__u32 last_ssrc;    /* host order */
	__u32 seq_errors;   /* RTP sequence jumps (lost, reordered, reset) */
	__u32 drops;	    /* dropped for this stream (source, expired, flag) */
	__u16 highest_seq;  /* highest RTP sequence number seen */
	__u16 pad;
};

/* xb_config.flags */
enum {
	XB_CFG_DROP_UNKNOWN = 1U << 0, /* drop unknown UDP to the relay range */
};

struct xb_config {
	__u32 abi;	      /* XB_FASTPATH_ABI of whoever wrote it */
	__u32 flags;	      /* XB_CFG_* */
	__u16 relay_port_min; /* relay port range, host order, inclusive */
	__u16 relay_port_max;
	__u32 id_gen; /* bumped by each stream-id allocation, so
				* other writers know their id map is stale */
};

/* Index of xb_stats: what happened to each packet the program saw. */
enum xb_stat {
	XB_STAT_RX = 0,		   /* every packet seen */
	XB_STAT_TX,		   /* forwarded with XDP_TX */
	XB_STAT_REDIRECT,	   /* forwarded with a redirect */
	XB_STAT_PASS,		   /* handed to the stack (not ours, PASS) */
	XB_STAT_LEARN,		   /* handed to the stack for latching */
	XB_STAT_GUARD_PASS,	   /* guarded port, admitted */
	XB_DROP_MALFORMED,	   /* truncated or inconsistent headers */
	XB_DROP_UNKNOWN_STREAM,	   /* relay range, no stream */
	XB_DROP_NOT_RTP,	   /* RTP stream, not RTP version 2 */
	XB_DROP_SOURCE,		   /* strict source mismatch */
	XB_DROP_EXPIRED,	   /* stream past expires_ns */
	XB_DROP_FLAG,		   /* stream says XB_F_DROP */
	XB_DROP_NO_ROUTE,	   /* no egress (FIB or devmap miss) */
	XB_DROP_GUARD_BLOCKED,	   /* source in xb_block4/6 */
	XB_DROP_GUARD_NOT_ALLOWED, /* allow-list port, source not listed */
	XB_DROP_GUARD_RATE,	   /* over the per-source rate */
	XB_DROP_SRTP,		   /* xborder.ko refused it: authentication,
				    * replay, malformed (its counters say) */
	XB_STAT_MAX,
};

/* Guarded signaling port. */
struct xb_guard_port_key {
	__u8 proto; /* IPPROTO_UDP or IPPROTO_TCP */
	__u8 pad;
	__be16 port;
};

/* xb_guard_port.flags */
enum {
	XB_GUARD_ALLOWLIST = 1U << 0, /* only sources in xb_allow4/6 */
	XB_GUARD_RATELIMIT = 1U << 1, /* per-source token bucket */
};

struct xb_guard_port {
	__u32 flags;	/* XB_GUARD_* */
	__u32 rate_pps; /* tokens per second per source */
	__u32 burst;	/* bucket depth, packets */
	__u32 pad;
};

struct xb_lpm_key4 {
	__u32 prefixlen; /* 0..32 */
	__u8 addr[4];
};

struct xb_lpm_key6 {
	__u32 prefixlen; /* 0..128 */
	__u8 addr[16];
};

struct xb_guard_prefix {
	__u32 peer_id; /* controller's peer number, for display */
	__u32 pad;
	__u64 expires_ns; /* block entries: CLOCK_MONOTONIC expiry, 0 = never */
};

struct xb_addr_key {
	__u8 family;
	__u8 pad[3];
	__u8 addr[16];
};

/* Token bucket, tokens scaled by XB_TOKEN_SCALE for sub-packet refill. */
#define XB_TOKEN_SCALE 1000000ULL
struct xb_rate_state {
	__u64 tokens;
	__u64 last_ns;
};

#endif /* _UAPI_XBORDER_FASTPATH_H */
