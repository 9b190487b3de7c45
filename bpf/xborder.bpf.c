// SPDX-License-Identifier: GPL-2.0
/*
 * xborder data-path border element (DBE): the XDP program attached to each
 * media and peering interface. It guards the SIP ports and relays media
 * streams described in xb_streams; anything it cannot decide per packet goes
 * to the stack. The map ABI is include/uapi/xborder/fastpath.h; the packet
 * walk, verdicts and counters are described in Documentation/fastpath.md.
 *
 * Kept loadable on Linux 6.1: helpers only (no kfuncs), no loops.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include <xborder/fastpath.h>

#include "xb_csum.h"
#include "xb_pkt.h"

char LICENSE[] SEC("license") = "GPL";

/* ------------------------------------------------------------------ maps */

struct {
	__uint(type, BPF_MAP_TYPE_HASH); /* preallocated: no allocation per packet */
	__uint(max_entries, XB_MAX_STREAMS_DEFAULT);
	__type(key, struct xb_stream_key);
	__type(value, struct xb_stream);
} xb_streams SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XB_MAX_STREAMS_DEFAULT);
	__type(key, __u32);
	__type(value, struct xb_stream_stats);
} xb_stream_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xb_config);
} xb_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XB_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} xb_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, XB_MAX_TX_PORTS);
	__type(key, __u32);
	__type(value, __u32);
} xb_tx_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XB_MAX_GUARD_PORTS);
	__type(key, struct xb_guard_port_key);
	__type(value, struct xb_guard_port);
} xb_guard_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, XB_MAX_GUARD_PREFIXES);
	__type(key, struct xb_lpm_key4);
	__type(value, struct xb_guard_prefix);
} xb_allow4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, XB_MAX_GUARD_PREFIXES);
	__type(key, struct xb_lpm_key6);
	__type(value, struct xb_guard_prefix);
} xb_allow6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, XB_MAX_GUARD_PREFIXES);
	__type(key, struct xb_lpm_key4);
	__type(value, struct xb_guard_prefix);
} xb_block4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, XB_MAX_GUARD_PREFIXES);
	__type(key, struct xb_lpm_key6);
	__type(value, struct xb_guard_prefix);
} xb_block6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XB_MAX_RATELIMIT_SOURCES);
	__type(key, struct xb_addr_key);
	__type(value, struct xb_rate_state);
} xb_ratelimit SEC(".maps");

/* ------------------------------------------------------------ counters */

static __always_inline void xb_count(__u32 idx)
{
	__u64 *c = bpf_map_lookup_elem(&xb_stats, &idx);

	if (c)
		*c += 1; /* per-CPU slot: no atomic needed */
}

static __always_inline int xb_pass(__u32 reason)
{
	xb_count(reason);
	return XDP_PASS;
}

static __always_inline int xb_drop(__u32 reason)
{
	xb_count(reason);
	return XDP_DROP;
}

/* A packet the stream accepted (forwarded or handed to the stack). */
static __always_inline void xb_stream_account(struct xb_stream_stats *st, __u32 bytes, __u64 now)
{
	if (!st)
		return;
	__sync_fetch_and_add(&st->packets, 1);
	__sync_fetch_and_add(&st->bytes, bytes);
	st->last_seen_ns = now;
}

static __always_inline int xb_stream_pass(struct xb_stream_stats *st, __u32 bytes, __u64 now,
					  __u32 reason)
{
	xb_stream_account(st, bytes, now);
	return xb_pass(reason);
}

static __always_inline int xb_stream_drop(struct xb_stream_stats *st, __u32 reason)
{
	if (st)
		__sync_fetch_and_add(&st->drops, 1);
	return xb_drop(reason);
}

/* --------------------------------------------------------------- parse */

/*
 * Walk Ethernet, at most one 802.1Q tag, IPv4 or IPv6, up to a complete UDP
 * or TCP header. Returns 0 when p describes such a packet, -1 for anything
 * else: non-IP, other protocols, IPv6 extension headers, IPv4 fragments, and
 * headers that are truncated or impossible (bad version or IHL). Those are
 * not matchable against a stream or a guarded port and go to the stack,
 * which validates them and drops what is broken in its own counters.
 */
static __always_inline int xb_parse(struct xdp_md *ctx, struct xb_pkt *p)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	void *l3 = eth + 1, *l4;
	__u32 l4_min;
	__be16 proto;

	if (l3 > data_end)
		return -1;
	proto = eth->h_proto;
	p->tagged = 0;
	p->tci = 0;
	if (proto == bpf_htons(ETH_P_8021Q)) {
		struct xb_vlan_hdr *vh = l3;

		if ((void *)(vh + 1) > data_end)
			return -1;
		p->tagged = 1;
		p->tci = vh->tci;
		proto = vh->proto;
		l3 = vh + 1;
	}
	p->l3 = l3;

	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = l3;

		if ((void *)(iph + 1) > data_end)
			return -1;
		if (iph->version != 4 || iph->ihl < 5)
			return -1;
		/* Fragments: only the first carries the ports, none the
		 * whole datagram; the stack reassembles. */
		if (iph->frag_off & bpf_htons(0x3fff))
			return -1;
		p->hlen = iph->ihl * 4;
		p->family = XB_AF_INET;
		p->proto = iph->protocol;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6h = l3;

		if ((void *)(ip6h + 1) > data_end)
			return -1;
		if (ip6h->version != 6)
			return -1;
		/* Only UDP or TCP right after the fixed header. */
		p->hlen = sizeof(*ip6h);
		p->family = XB_AF_INET6;
		p->proto = ip6h->nexthdr;
	} else {
		return -1;
	}

	if (p->proto == IPPROTO_UDP)
		l4_min = sizeof(struct udphdr);
	else if (p->proto == IPPROTO_TCP)
		l4_min = sizeof(struct tcphdr);
	else
		return -1;

	l4 = l3 + p->hlen;
	/* Opaque to the compiler, so it cannot recompute l3 + hlen into a
	 * register the verifier has not seen bounds-checked. */
	asm volatile("" : "+r"(l4));
	if (l4 + l4_min > data_end)
		return -1;
	p->l4 = l4;
	return 0;
}

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

/* ------------------------------------------------------------- rewrite */

/*
 * Checksum deltas are collected before fields change and applied once: the
 * IPv4 header checksum covers addresses, TOS and TTL; the UDP checksum
 * covers the pseudo-header addresses and the ports (not TOS, TTL or IPv6
 * traffic class, and the lengths do not change).
 */
static __always_inline void xb_rewrite4(struct iphdr *iph, struct udphdr *udp,
					const struct xb_stream *s)
{
	__u32 saddr = *(const __u32 *)s->src_addr;
	__u32 daddr = *(const __u32 *)s->dst_addr;
	__u16 *w = (__u16 *)iph;
	__u16 tos_word = w[0], ttl_word = w[4];
	__u16 new_tos_word = tos_word, new_ttl_word;
	__u64 acc, uacc;

	acc = xb_csum_delta32(iph->saddr, saddr) + xb_csum_delta32(iph->daddr, daddr);
	uacc = acc + xb_csum_delta16(udp->source, s->src_port) +
	       xb_csum_delta16(udp->dest, s->dst_port);

	/* Whole 16-bit words computed in registers and stored once: a byte
	 * store followed by a word load of the same bytes stalls the CPU. */
	if (s->dscp != XB_DSCP_KEEP)
		new_tos_word = (tos_word & bpf_htons(0xff03)) | bpf_htons((s->dscp & 0x3f) << 2);
	new_ttl_word = ttl_word - bpf_htons(0x0100); /* TTL >= 2 here */
	acc += xb_csum_delta16(tos_word, new_tos_word) + xb_csum_delta16(ttl_word, new_ttl_word);
	w[0] = new_tos_word;
	w[4] = new_ttl_word;

	iph->saddr = saddr;
	iph->daddr = daddr;
	iph->check = xb_csum_replace(iph->check, acc);

	udp->source = s->src_port;
	udp->dest = s->dst_port;
	/* 0 means "no checksum" over IPv4: keep it that way. */
	if (udp->check) {
		__u16 c = xb_csum_replace(udp->check, uacc);

		udp->check = c ? c : 0xffff;
	}
}

static __always_inline void xb_rewrite6(struct ipv6hdr *ip6h, struct udphdr *udp,
					const struct xb_stream *s)
{
	__u32 *sa = (__u32 *)&ip6h->saddr, *da = (__u32 *)&ip6h->daddr;
	const __u32 *ns = (const __u32 *)s->src_addr, *nd = (const __u32 *)s->dst_addr;
	__u64 acc;
	__u16 c;

	acc = xb_csum_delta32(sa[0], ns[0]) + xb_csum_delta32(sa[1], ns[1]) +
	      xb_csum_delta32(sa[2], ns[2]) + xb_csum_delta32(sa[3], ns[3]) +
	      xb_csum_delta32(da[0], nd[0]) + xb_csum_delta32(da[1], nd[1]) +
	      xb_csum_delta32(da[2], nd[2]) + xb_csum_delta32(da[3], nd[3]) +
	      xb_csum_delta16(udp->source, s->src_port) + xb_csum_delta16(udp->dest, s->dst_port);

	if (s->dscp != XB_DSCP_KEEP) {
		/* version:4 traffic class:8 flow label:20; DSCP is the top 6
		 * bits of the traffic class, ECN the bottom 2. */
		__be32 *vtf = (__be32 *)ip6h;

		*vtf = (*vtf & bpf_htonl(~0x0fc00000U)) | bpf_htonl((__u32)(s->dscp & 0x3f) << 22);
	}
	ip6h->hop_limit--;
	xb_copy_addr6(sa, ns);
	xb_copy_addr6(da, nd);

	udp->source = s->src_port;
	udp->dest = s->dst_port;
	c = xb_csum_replace(udp->check, acc);
	udp->check = c ? c : 0xffff;
}

/*
 * Write the egress Ethernet header, pushing, rewriting or popping the
 * 802.1Q tag. Frames keep the PCP/DEI bits of an ingress tag; a pushed tag
 * has PCP 0. Packet pointers are invalid after this.
 */
static __always_inline int xb_write_l2(struct xdp_md *ctx, const struct xb_pkt *p, __u16 vid,
				       const void *smac, const void *dmac)
{
	__be16 ethertype = p->family == XB_AF_INET ? bpf_htons(ETH_P_IP) : bpf_htons(ETH_P_IPV6);
	void *data, *data_end;
	int delta = 0;

	vid &= XB_VLAN_VID_MASK;
	if (vid && !p->tagged)
		delta = -(int)sizeof(struct xb_vlan_hdr);
	else if (!vid && p->tagged)
		delta = (int)sizeof(struct xb_vlan_hdr);
	if (delta && bpf_xdp_adjust_head(ctx, delta))
		return -1;

	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (vid) {
		struct xb_vlan_ethhdr *veth = data;
		__u16 tci = vid;

		if ((void *)(veth + 1) > data_end)
			return -1;
		if (p->tagged)
			tci |= bpf_ntohs(p->tci) & XB_VLAN_PCP_DEI_MASK;
		xb_copy_mac(veth->dmac, dmac);
		xb_copy_mac(veth->smac, smac);
		veth->tpid = bpf_htons(ETH_P_8021Q);
		veth->tci = bpf_htons(tci);
		veth->proto = ethertype;
	} else {
		struct ethhdr *eth = data;

		if ((void *)(eth + 1) > data_end)
			return -1;
		xb_copy_mac(eth->h_dest, dmac);
		xb_copy_mac(eth->h_source, smac);
		eth->h_proto = ethertype;
	}
	return 0;
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

/* Rewrite, then XDP_TX or redirect: the stream has made its decisions. */
static __always_inline int xb_forward(struct xdp_md *ctx, struct xb_pkt *p,
				      const struct xb_stream *s, struct xb_stream_stats *st,
				      __u32 bytes, __u64 now)
{
	struct udphdr *udp = p->l4;
	struct bpf_fib_lookup fib;
	const void *smac = s->smac, *dmac = s->dmac;
	__u32 ifindex = s->ifindex;
	long rc;

	/* Last hop for this TTL: the stack delivers it to the userspace
	 * relay, which sends a fresh packet (loops still die out). */
	if (p->family == XB_AF_INET) {
		if (((struct iphdr *)p->l3)->ttl <= 1)
			return xb_stream_pass(st, bytes, now, XB_STAT_PASS);
	} else {
		if (((struct ipv6hdr *)p->l3)->hop_limit <= 1)
			return xb_stream_pass(st, bytes, now, XB_STAT_PASS);
	}

	if (s->flags & XB_F_FIB_LOOKUP) {
		__builtin_memset(&fib, 0, sizeof(fib));
		fib.l4_protocol = IPPROTO_UDP;
		fib.sport = s->src_port;
		fib.dport = s->dst_port;
		fib.ifindex = ctx->ingress_ifindex;
		if (p->family == XB_AF_INET) {
			struct iphdr *iph = p->l3;

			fib.family = XB_AF_INET;
			fib.tot_len = bpf_ntohs(iph->tot_len);
			fib.tos = iph->tos;
			fib.ipv4_src = *(const __u32 *)s->src_addr;
			fib.ipv4_dst = *(const __u32 *)s->dst_addr;
		} else {
			struct ipv6hdr *ip6h = p->l3;

			fib.family = XB_AF_INET6;
			fib.tot_len = bpf_ntohs(ip6h->payload_len) + sizeof(*ip6h);
			fib.flowinfo = *(__be32 *)ip6h & bpf_htonl(0x0fffffff);
			xb_copy_addr6(fib.ipv6_src, s->src_addr);
			xb_copy_addr6(fib.ipv6_dst, s->dst_addr);
		}
		rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);
		/* Unresolved neighbour: the stack's send resolves it. */
		if (rc == BPF_FIB_LKUP_RET_NO_NEIGH)
			return xb_stream_pass(st, bytes, now, XB_STAT_PASS);
		if (rc != BPF_FIB_LKUP_RET_SUCCESS)
			return xb_stream_drop(st, XB_DROP_NO_ROUTE);
		ifindex = fib.ifindex;
		smac = fib.smac;
		dmac = fib.dmac;
	}

	if (p->family == XB_AF_INET)
		xb_rewrite4(p->l3, udp, s);
	else
		xb_rewrite6(p->l3, udp, s);
	if (xb_write_l2(ctx, p, s->vlan_id, smac, dmac))
		return xb_stream_drop(st, XB_DROP_NO_ROUTE);

	if (ifindex == ctx->ingress_ifindex) {
		xb_stream_account(st, bytes, now);
		xb_count(XB_STAT_TX);
		return XDP_TX;
	}
	if (bpf_redirect_map(&xb_tx_ports, ifindex, 0) != XDP_REDIRECT)
		return xb_stream_drop(st, XB_DROP_NO_ROUTE);
	xb_stream_account(st, bytes, now);
	xb_count(XB_STAT_REDIRECT);
	return XDP_REDIRECT;
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
	void *data_end = (void *)(long)ctx->data_end;
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

	/* Lengths must agree exactly: IP total length within the frame
	 * (Ethernet padding may follow) and UDP length == IP payload. */
	udp_len = bpf_ntohs(udp->len);
	if (p->family == XB_AF_INET) {
		ip_len = xb_ntohs_bounded(((struct iphdr *)p->l3)->tot_len);
		if (ip_len < p->hlen + sizeof(*udp) || udp_len != ip_len - p->hlen)
			return xb_stream_drop(st, XB_DROP_MALFORMED);
	} else {
		ip_len = xb_ntohs_bounded(((struct ipv6hdr *)p->l3)->payload_len);
		/* IPv6 UDP checksum is mandatory (RFC 8200 8.1). */
		if (ip_len < sizeof(*udp) || udp_len != ip_len || !udp->check)
			return xb_stream_drop(st, XB_DROP_MALFORMED);
		ip_len += sizeof(struct ipv6hdr);
	}
	if (p->l3 + ip_len > data_end)
		return xb_stream_drop(st, XB_DROP_MALFORMED);

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
		/*
		 * SRTP hook: once xborder.ko provides its kfuncs, protect or
		 * unprotect in place here with s->srtp_ctx, then fall through
		 * to the rewrite. Until then the userspace relay does it.
		 */
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
		union {
			struct xb_stream_key k;
			__u32 w[5];
		} key;
		struct xb_stream *s;

		/* Media first: it is the hot path, and one lookup decides. */
		key.w[0] = xb_key_word(p.family, udp->dest);
		if (p.family == XB_AF_INET) {
			key.w[1] = ((struct iphdr *)p.l3)->daddr;
			key.w[2] = 0;
			key.w[3] = 0;
			key.w[4] = 0;
		} else {
			xb_copy_addr6(&key.w[1], &((struct ipv6hdr *)p.l3)->daddr);
		}
		s = bpf_map_lookup_elem(&xb_streams, &key.k);
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
