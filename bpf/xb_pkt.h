/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Packet layout helpers for the XDP program: the 802.1Q header (not in the
 * uapi headers), the parsed-packet summary the program passes around, and
 * small copy helpers that avoid byte-by-byte memcpy on the BPF target.
 */
#ifndef XB_PKT_H
#define XB_PKT_H

#include <linux/types.h>
#include <linux/if_ether.h>
#include <bpf/bpf_endian.h>

#define XB_VLAN_VID_MASK 0x0fff
#define XB_VLAN_PCP_DEI_MASK 0xf000

struct xb_vlan_hdr {
	__be16 tci;
	__be16 proto; /* encapsulated ethertype */
};

/* Ethernet header with one 802.1Q tag, as written on egress. */
struct xb_vlan_ethhdr {
	__u8 dmac[ETH_ALEN];
	__u8 smac[ETH_ALEN];
	__be16 tpid; /* ETH_P_8021Q */
	__be16 tci;
	__be16 proto;
};

/* What the parser learned about a UDP or TCP packet. */
struct xb_pkt {
	void *l3;    /* IPv4 or IPv6 header */
	void *l4;    /* UDP (8 bytes) or TCP (20 bytes) header, in the frame */
	__u32 hlen;  /* IP header length, IPv4 options included */
	__be16 tci;  /* ingress 802.1Q TCI, when tagged */
	__u8 tagged; /* ingress frame carried one 802.1Q tag */
	__u8 family; /* XB_AF_INET or XB_AF_INET6 */
	__u8 proto;  /* IPPROTO_UDP or IPPROTO_TCP */
};

/* MAC addresses are 2-byte aligned everywhere we copy them. */
static __always_inline void xb_copy_mac(void *dst, const void *src)
{
	__u16 *d = dst;
	const __u16 *s = src;

	d[0] = s[0];
	d[1] = s[1];
	d[2] = s[2];
}

static __always_inline void xb_copy_addr6(void *dst, const void *src)
{
	__u32 *d = dst;
	const __u32 *s = src;

	d[0] = s[0];
	d[1] = s[1];
	d[2] = s[2];
	d[3] = s[3];
}

static __always_inline int xb_addr6_equal(const void *a, const void *b)
{
	const __u32 *x = a, *y = b;

	return !((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3]));
}

/*
 * bpf_ntohs() whose result the verifier knows fits 16 bits, for lengths
 * added to packet pointers: Linux 6.1 forgets the bounds of a byte swap.
 * The empty asm keeps the compiler from dropping the mask as redundant.
 */
static __always_inline __u32 xb_ntohs_bounded(__be16 v)
{
	__u32 x = bpf_ntohs(v);

	asm volatile("" : "+r"(x));
	return x & 0xffff;
}

/*
 * First 32-bit word of a map key that starts with a byte, a zero byte and
 * a network-order 16-bit field (xb_stream_key, xb_guard_port_key,
 * xb_addr_key), made in a register and stored once: the map hashes keys as
 * 32-bit words, and a word load right after narrower stores to the same
 * bytes defeats store forwarding (a stall of a dozen cycles or more).
 */
static __always_inline __u32 xb_key_word(__u8 b, __be16 be16)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (__u32)b | (__u32)be16 << 16;
#else
	return (__u32)b << 24 | (__u32)be16;
#endif
}

#endif /* XB_PKT_H */
