// SPDX-License-Identifier: GPL-2.0
/*
 * xborder data-path border element (DBE): the XDP program attached to each
 * media and peering interface. It guards the SIP ports and relays media
 * streams described in xb_streams; anything it cannot decide per packet goes
 * to the stack. The map ABI is include/uapi/xborder/fastpath.h; the packet
 * walk, verdicts and counters are described in Documentation/fastpath.md.
 *
 * Kept loadable on Linux 6.1 without xborder.ko: helpers only (no kfuncs),
 * no loops. SRTP streams are tail-called into xborder_srtp.bpf.c, which
 * the loader loads only when the module provides its kfuncs.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include <xborder/fastpath.h>

#include "xb_forward.h"
#include "xb_maps.h"
#include "xb_parse.h"

char LICENSE[] SEC("license") = "GPL";

/* --------------------------------------------------------------- guard */

/* Refill after this long idle is "full" whatever the rate (35 min). */
#define XB_RATE_MAX_IDLE_US (1ULL << 31)

/*
 * Token bucket per source: rate_pps tokens per second, burst deep, tokens
 * scaled by XB_TOKEN_SCALE so one microsecond refills rate_pps scaled units.
 * Lock-free: concurrent CPUs may both spend the same token (approximate,
 * bounded), never refill more than the elapsed time allows.
 */
static __always_inline int xb_rate_admit(struct xb_addr_key *key, const struct xb_guard_port *gp,
					 __u64 now)
{
	__u64 depth = (__u64)gp->burst * XB_TOKEN_SCALE;
	struct xb_rate_state *rs, fresh;
	__u64 tokens, idle_us;

	rs = bpf_map_lookup_elem(&xb_ratelimit, key);
	if (!rs) {
		/* First packet of this source: a full bucket, minus this one. */
		int admit = depth >= XB_TOKEN_SCALE;

		fresh.tokens = admit ? depth - XB_TOKEN_SCALE : depth;
		fresh.last_ns = now;
		bpf_map_update_elem(&xb_ratelimit, key, &fresh, BPF_ANY);
		return admit;
	}

	tokens = rs->tokens;
	if (now < rs->last_ns) {
		/* Another CPU's newer stamp, or a bogus one written from
		 * outside: restart the clock rather than never refill. */
		rs->last_ns = now;
	} else {
		idle_us = (now - rs->last_ns) / 1000;
		if (idle_us > XB_RATE_MAX_IDLE_US) {
			tokens = depth;
			rs->last_ns = now;
		} else {
			/* Keep the sub-microsecond remainder for next time. */
			tokens += idle_us * gp->rate_pps;
			rs->last_ns += idle_us * 1000;
		}
	}
	if (tokens > depth)
		tokens = depth;
	if (tokens < XB_TOKEN_SCALE) {
		rs->tokens = tokens;
		return 0;
	}
	rs->tokens = tokens - XB_TOKEN_SCALE;
	return 1;
}

/* A block entry blocks until its expiry (0 = for ever). */
static __always_inline int xb_blocking(const struct xb_guard_prefix *g, __u64 *now)
{
	if (!g)
		return 0;
	if (!g->expires_ns)
		return 1;
	if (!*now)
		*now = bpf_ktime_get_ns();
	return *now <= g->expires_ns;
}

/* A packet to a guarded signaling port: blocklist, allow-list, rate. */
static __always_inline int xb_guard(struct xb_pkt *p, const struct xb_guard_port *gp)
{
	union {
		struct xb_addr_key k;
		__u32 w[5];
	} src;
	__u64 now = 0;

	if (p->family == XB_AF_INET) {
		struct iphdr *iph = p->l3;
		struct xb_lpm_key4 k4 = { .prefixlen = 32 };

		*(__u32 *)k4.addr = iph->saddr;
		if (xb_blocking(bpf_map_lookup_elem(&xb_block4, &k4), &now))
			return xb_drop(XB_DROP_GUARD_BLOCKED);
		if ((gp->flags & XB_GUARD_ALLOWLIST) && !bpf_map_lookup_elem(&xb_allow4, &k4))
			return xb_drop(XB_DROP_GUARD_NOT_ALLOWED);
		src.w[1] = iph->saddr;
		src.w[2] = 0;
		src.w[3] = 0;
		src.w[4] = 0;
	} else {
		struct ipv6hdr *ip6h = p->l3;
		struct xb_lpm_key6 k6 = { .prefixlen = 128 };

		xb_copy_addr6(k6.addr, &ip6h->saddr);
		if (xb_blocking(bpf_map_lookup_elem(&xb_block6, &k6), &now))
			return xb_drop(XB_DROP_GUARD_BLOCKED);
		if ((gp->flags & XB_GUARD_ALLOWLIST) && !bpf_map_lookup_elem(&xb_allow6, &k6))
			return xb_drop(XB_DROP_GUARD_NOT_ALLOWED);
		xb_copy_addr6(&src.w[1], &ip6h->saddr);
	}

	if (gp->flags & XB_GUARD_RATELIMIT) {
		src.w[0] = xb_key_word(p->family, 0);
		if (!now)
			now = bpf_ktime_get_ns();
		if (!xb_rate_admit(&src.k, gp, now))
			return xb_drop(XB_DROP_GUARD_RATE);
	}
	return xb_pass(XB_STAT_GUARD_PASS);
}

/* --------------------------------------------------------------- media */

/* RTP payload type byte values 64..95 (after the marker bit) are RTCP under
 * rtcp-mux (RFC 5761 section 4): SR, RR, SDES, BYE, APP, RTPFB, PSFB, XR. */
#define XB_RTCP_PT_MIN 64
#define XB_RTCP_PT_MAX 95
#define XB_RTP_HLEN 12
#define XB_RTCP_HLEN 8

/*
 * RTP sanity and tracking. Returns 0 to go on, -1 when the payload is not
 * RTP version 2. RTCP (own entry with XB_F_RTP, or rtcp-mux) is checked for
 * the version only and never touches the sequence tracking.
 */
static __always_inline int xb_rtp_track(struct xdp_md *ctx, struct udphdr *udp, __u32 payload_len,
					struct xb_stream_stats *st)
{
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *rtp = (__u8 *)(udp + 1);
	__u16 seq, highest;
	__u32 ssrc;
	__u8 pt;

	if (payload_len < XB_RTCP_HLEN || (void *)(rtp + XB_RTCP_HLEN) > data_end)
		return -1;
	if ((rtp[0] & 0xc0) != 0x80)
		return -1;
	pt = rtp[1] & 0x7f;
	if (pt >= XB_RTCP_PT_MIN && pt <= XB_RTCP_PT_MAX)
		return 0;
	if (payload_len < XB_RTP_HLEN || (void *)(rtp + XB_RTP_HLEN) > data_end)
		return -1;
	if (!st)
		return 0;

	seq = bpf_ntohs(*(__be16 *)(rtp + 2));
	ssrc = bpf_ntohl(*(__be32 *)(rtp + 8));
	/* A new source (or the first packet of a zeroed slot) restarts
	 * tracking; SSRC 0 on a fresh slot is taken as a new source too. */
	if (ssrc != st->last_ssrc || !st->packets) {
		st->last_ssrc = ssrc;
		st->highest_seq = seq;
		return 0;
	}
	highest = st->highest_seq;
	if (seq != (__u16)(highest + 1))
		__sync_fetch_and_add(&st->seq_errors, 1);
	/* Serial-number comparison: ahead by less than half the space. */
	if ((__s16)(seq - highest) > 0)
		st->highest_seq = seq;
	return 0;
}

static __always_inline int xb_source_ok(const struct xb_pkt *p, const struct xb_stream *s)
{
	struct udphdr *udp = p->l4;

	if (udp->source != s->peer_port)
		return 0;
	if (p->family == XB_AF_INET)
		return ((struct iphdr *)p->l3)->saddr == *(const __u32 *)s->peer_addr;
	return xb_addr6_equal(&((struct ipv6hdr *)p->l3)->saddr, s->peer_addr);
}

/* UDP to a relay address and port that has a stream entry. */
static __always_inline int xb_media(struct xdp_md *ctx, struct xb_pkt *p, const struct xb_stream *s)
{
	struct udphdr *udp = p->l4;
	struct xb_stream_stats *st;
	__u32 idx = s->stats_idx;
	__u32 flags = s->flags;
	__u32 ip_len, udp_len;
	__u64 now;

	/* A slot outside xb_stream_stats is a controller bug: relay anyway,
	 * without per-stream counters. */
	st = bpf_map_lookup_elem(&xb_stream_stats, &idx);

	if (flags & XB_F_DROP)
		return xb_stream_drop(st, XB_DROP_FLAG);

	ip_len = xb_udp_ip_len(ctx, p);
	if (!ip_len)
		return xb_stream_drop(st, XB_DROP_MALFORMED);
	udp_len = bpf_ntohs(udp->len);

	/* The coarse clock (CLOCK_MONOTONIC at the last tick) costs a few ns
	 * where the precise one costs tens in a VM; expiry and last_seen_ns
	 * need no better than a tick. */
	now = bpf_ktime_get_coarse_ns();
	if (s->expires_ns && now > s->expires_ns)
		return xb_stream_drop(st, XB_DROP_EXPIRED);
	if ((flags & XB_F_STRICT_SOURCE) && !xb_source_ok(p, s))
		return xb_stream_drop(st, XB_DROP_SOURCE);
	if (flags & XB_F_LEARN_REMOTE)
		return xb_stream_pass(st, ip_len, now, XB_STAT_LEARN);
	if (flags & XB_F_PASS)
		return xb_stream_pass(st, ip_len, now, XB_STAT_PASS);
	if ((flags & XB_F_RTP) && xb_rtp_track(ctx, udp, udp_len - sizeof(*udp), st))
		return xb_stream_drop(st, XB_DROP_NOT_RTP);
	if (flags & XB_F_SRTP) {
		/* xb_xdp_srtp (xborder_srtp.bpf.c) protects or unprotects
		 * with xborder.ko's kfuncs and forwards; it counts the packet.
		 * Its slot is empty without the module: the userspace relay
		 * does SRTP then. */
		bpf_tail_call(ctx, &xb_srtp_progs, XB_SRTP_PROG_SLOT);
		return xb_stream_pass(st, ip_len, now, XB_STAT_PASS);
	}
	/* Not forwardable here: no FORWARD flag, or a family change. */
	if (!(flags & XB_F_FORWARD) || s->family != p->family)
		return xb_stream_pass(st, ip_len, now, XB_STAT_PASS);
	return xb_forward(ctx, p, s, st, ip_len, now);
}

/* UDP to a port of the relay range without a stream. */
static __always_inline int xb_unknown_udp(struct xb_pkt *p)
{
	struct udphdr *udp = p->l4;
	__u32 zero = 0;
	struct xb_config *cfg = bpf_map_lookup_elem(&xb_config, &zero);
	__u16 port = bpf_ntohs(udp->dest);

	if (cfg && (cfg->flags & XB_CFG_DROP_UNKNOWN) && port >= cfg->relay_port_min &&
	    port <= cfg->relay_port_max)
		return xb_drop(XB_DROP_UNKNOWN_STREAM);
	return xb_pass(XB_STAT_PASS);
}

/* ---------------------------------------------------------------- entry */

SEC("xdp")
int xb_xdp(struct xdp_md *ctx)
{
	union {
		struct xb_guard_port_key k;
		__u32 w;
	} gkey;
	struct xb_guard_port *gp;
	struct xb_pkt p;

	xb_count(XB_STAT_RX);
	if (xb_parse(ctx, &p))
		return xb_pass(XB_STAT_PASS);

	if (p.proto == IPPROTO_UDP) {
		struct udphdr *udp = p.l4;
		struct xb_stream *s;

		/* Media first: it is the hot path, and one lookup decides. */
		s = xb_stream_lookup(&p);
		if (s)
			return xb_media(ctx, &p, s);
		gkey.w = xb_key_word(IPPROTO_UDP, udp->dest);
	} else {
		gkey.w = xb_key_word(IPPROTO_TCP, ((struct tcphdr *)p.l4)->dest);
	}

	gp = bpf_map_lookup_elem(&xb_guard_ports, &gkey.k);
	if (gp)
		return xb_guard(&p, gp);
	if (p.proto == IPPROTO_UDP)
		return xb_unknown_udp(&p);
	return xb_pass(XB_STAT_PASS);
}

/* Does nothing: the peer program for veth (frames sent with XDP_TX or a
 * redirect are only received by a veth that has an XDP program) and the
 * empty-program floor in benchmarks. */
SEC("xdp")
int xb_xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}
