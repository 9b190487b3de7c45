/* SPDX-License-Identifier: GPL-2.0 */
/* The packet parser of the XDP programs (Documentation/fastpath.md). */
#ifndef XB_PARSE_H
#define XB_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>

#include <xborder/fastpath.h>

#include "xb_maps.h"
#include "xb_pkt.h"

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

/*
 * A UDP packet to a stream: lengths must agree exactly, the IP total
 * length within the frame (Ethernet padding may follow) and the UDP length
 * equal to the IP payload; IPv6 needs a UDP checksum (RFC 8200 8.1).
 * Returns the IP packet's length, or 0 when the packet is malformed.
 */
static __always_inline __u32 xb_udp_ip_len(struct xdp_md *ctx, const struct xb_pkt *p)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct udphdr *udp = p->l4;
	__u32 ip_len, udp_len;

	udp_len = bpf_ntohs(udp->len);
	if (p->family == XB_AF_INET) {
		ip_len = xb_ntohs_bounded(((struct iphdr *)p->l3)->tot_len);
		if (ip_len < p->hlen + sizeof(*udp) || udp_len != ip_len - p->hlen)
			return 0;
	} else {
		ip_len = xb_ntohs_bounded(((struct ipv6hdr *)p->l3)->payload_len);
		if (ip_len < sizeof(*udp) || udp_len != ip_len || !udp->check)
			return 0;
		ip_len += sizeof(struct ipv6hdr);
	}
	if (p->l3 + ip_len > data_end)
		return 0;
	return ip_len;
}

/* The stream a UDP packet is addressed to (destination address and port). */
static __always_inline struct xb_stream *xb_stream_lookup(const struct xb_pkt *p)
{
	struct udphdr *udp = p->l4;
	union {
		struct xb_stream_key k;
		__u32 w[5];
	} key;

	key.w[0] = xb_key_word(p->family, udp->dest);
	if (p->family == XB_AF_INET) {
		key.w[1] = ((struct iphdr *)p->l3)->daddr;
		key.w[2] = 0;
		key.w[3] = 0;
		key.w[4] = 0;
	} else {
		xb_copy_addr6(&key.w[1], &((struct ipv6hdr *)p->l3)->daddr);
	}
	return bpf_map_lookup_elem(&xb_streams, &key.k);
}

#endif /* XB_PARSE_H */
