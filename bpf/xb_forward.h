/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Forwarding a media packet once its stream has decided to: route (egress
 * device and MACs, FIB lookup), rewrite (addresses, ports, DSCP, TTL,
 * checksums), write the Ethernet header and send. Shared by xborder.bpf.c
 * and xborder_srtp.bpf.c.
 */
#ifndef XB_FORWARD_H
#define XB_FORWARD_H

#include "xb_csum.h"
#include "xb_maps.h"
#include "xb_parse.h"

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

/* Where a forwarded packet leaves: the device and its Ethernet addresses
 * (from the stream entry, or from a FIB lookup held in fib). */
struct xb_egress {
	__u32 ifindex;
	const void *smac, *dmac;
	struct bpf_fib_lookup fib;
};

/* xb_route() result: no verdict yet, send the packet as the egress says. */
#define XB_GO_ON (-1)

/*
 * Steps 10-12 of the media path: the TTL, then the egress. Returns XB_GO_ON
 * with eg filled in, or the packet's verdict (already counted).
 */
static __always_inline int xb_route(struct xdp_md *ctx, const struct xb_pkt *p,
				    const struct xb_stream *s, struct xb_stream_stats *st,
				    __u32 bytes, __u64 now, struct xb_egress *eg)
{
	struct bpf_fib_lookup *fib = &eg->fib;
	long rc;

	eg->ifindex = s->ifindex;
	eg->smac = s->smac;
	eg->dmac = s->dmac;
	/* Last hop for this TTL: the stack delivers it to the userspace
	 * relay, which sends a fresh packet (loops still die out). */
	if (p->family == XB_AF_INET) {
		if (((struct iphdr *)p->l3)->ttl <= 1)
			return xb_stream_pass(st, bytes, now, XB_STAT_PASS);
	} else {
		if (((struct ipv6hdr *)p->l3)->hop_limit <= 1)
			return xb_stream_pass(st, bytes, now, XB_STAT_PASS);
	}
	if (!(s->flags & XB_F_FIB_LOOKUP))
		return XB_GO_ON;

	__builtin_memset(fib, 0, sizeof(*fib));
	fib->l4_protocol = IPPROTO_UDP;
	fib->sport = s->src_port;
	fib->dport = s->dst_port;
	fib->ifindex = ctx->ingress_ifindex;
	if (p->family == XB_AF_INET) {
		struct iphdr *iph = p->l3;

		fib->family = XB_AF_INET;
		fib->tot_len = bpf_ntohs(iph->tot_len);
		fib->tos = iph->tos;
		fib->ipv4_src = *(const __u32 *)s->src_addr;
		fib->ipv4_dst = *(const __u32 *)s->dst_addr;
	} else {
		struct ipv6hdr *ip6h = p->l3;

		fib->family = XB_AF_INET6;
		fib->tot_len = bpf_ntohs(ip6h->payload_len) + sizeof(*ip6h);
		fib->flowinfo = *(__be32 *)ip6h & bpf_htonl(0x0fffffff);
		xb_copy_addr6(fib->ipv6_src, s->src_addr);
		xb_copy_addr6(fib->ipv6_dst, s->dst_addr);
	}
	rc = bpf_fib_lookup(ctx, fib, sizeof(*fib), 0);
	/* Unresolved neighbour: the stack's send resolves it. */
	if (rc == BPF_FIB_LKUP_RET_NO_NEIGH)
		return xb_stream_pass(st, bytes, now, XB_STAT_PASS);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return xb_stream_drop(st, XB_DROP_NO_ROUTE);
	eg->ifindex = fib->ifindex;
	eg->smac = fib->smac;
	eg->dmac = fib->dmac;
	return XB_GO_ON;
}

/* Steps 13-14: rewrite, then XDP_TX or redirect as eg says. */
static __always_inline int xb_emit(struct xdp_md *ctx, const struct xb_pkt *p,
				   const struct xb_stream *s, struct xb_stream_stats *st,
				   __u32 bytes, __u64 now, const struct xb_egress *eg)
{
	if (p->family == XB_AF_INET)
		xb_rewrite4(p->l3, p->l4, s);
	else
		xb_rewrite6(p->l3, p->l4, s);
	if (xb_write_l2(ctx, p, s->vlan_id, eg->smac, eg->dmac))
		return xb_stream_drop(st, XB_DROP_NO_ROUTE);

	if (eg->ifindex == ctx->ingress_ifindex) {
		xb_stream_account(st, bytes, now);
		xb_count(XB_STAT_TX);
		return XDP_TX;
	}
	if (bpf_redirect_map(&xb_tx_ports, eg->ifindex, 0) != XDP_REDIRECT)
		return xb_stream_drop(st, XB_DROP_NO_ROUTE);
	xb_stream_account(st, bytes, now);
	xb_count(XB_STAT_REDIRECT);
	return XDP_REDIRECT;
}

/* Route, rewrite, then XDP_TX or redirect: the stream has made its decisions. */
static __always_inline int xb_forward(struct xdp_md *ctx, struct xb_pkt *p,
				      const struct xb_stream *s, struct xb_stream_stats *st,
				      __u32 bytes, __u64 now)
{
	struct xb_egress eg;
	int verdict;

	verdict = xb_route(ctx, p, s, st, bytes, now, &eg);
	if (verdict != XB_GO_ON)
		return verdict;
	return xb_emit(ctx, p, s, st, bytes, now, &eg);
}

#endif /* XB_FORWARD_H */
