// SPDX-License-Identifier: GPL-2.0
/*
 * xb_xdp_srtp: the SRTP leg of the fast path. xb_xdp (xborder.bpf.c)
 * tail-calls it through xb_srtp_progs for streams flagged XB_F_SRTP, once
 * the media path's steps 1-7 have passed. It protects (XB_F_SRTP_PROTECT)
 * or unprotects the RTP/RTCP payload in place with xborder.ko's kfuncs
 * (include/uapi/xborder/genl.h), fixes the IP length and forwards the
 * packet as xb_xdp would.
 *
 * A separate object because its kfuncs are strong __ksym: it loads only
 * while xborder.ko is there, and xb_xdp must load without it. (A __weak
 * kfunc guarded by bpf_ksym_exists() needs libbpf 1.2 and Linux 6.3;
 * Debian 12 has libbpf 1.1 and Linux 6.1.)
 */
#include <linux/bpf.h>
#include <linux/errno.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include <xborder/fastpath.h>
#include <xborder/genl.h>

#include "xb_csum.h"
#include "xb_forward.h"
#include "xb_maps.h"
#include "xb_parse.h"

char LICENSE[] SEC("license") = "GPL";

extern int bpf_xborder_srtp_unprotect(struct xdp_md *ctx, __u32 ctx_id, __u32 udp_off) __ksym;
extern int bpf_xborder_srtp_protect(struct xdp_md *ctx, __u32 ctx_id, __u32 udp_off) __ksym;

/* The IP header's length after the UDP datagram became udp_len long. */
static __always_inline void xb_set_ip_len(struct xb_pkt *p, __u32 udp_len)
{
	if (p->family == XB_AF_INET) {
		struct iphdr *iph = p->l3;
		__be16 old = iph->tot_len, new = bpf_htons(p->hlen + udp_len);

		iph->tot_len = new;
		iph->check = xb_csum_replace(iph->check, xb_csum_delta16(old, new));
	} else {
		((struct ipv6hdr *)p->l3)->payload_len = bpf_htons(udp_len);
	}
}

SEC("xdp")
int xb_xdp_srtp(struct xdp_md *ctx)
{
	__u32 ip_len, udp_len, udp_off, frame_len, end, idx, grow = 0;
	struct xb_stream_stats *st;
	struct xb_egress eg;
	struct xb_stream *s;
	struct xb_pkt p;
	int verdict, n;
	__u64 now;

	/* Parsed again: a tail call keeps nothing but the context. What
	 * xb_xdp checked still holds unless the stream changed meanwhile. */
	if (xb_parse(ctx, &p) || p.proto != IPPROTO_UDP)
		return xb_pass(XB_STAT_PASS);
	s = xb_stream_lookup(&p);
	if (!s || !(s->flags & XB_F_SRTP))
		return xb_pass(XB_STAT_PASS);
	idx = s->stats_idx;
	st = bpf_map_lookup_elem(&xb_stream_stats, &idx);
	ip_len = xb_udp_ip_len(ctx, &p);
	if (!ip_len)
		return xb_stream_drop(st, XB_DROP_MALFORMED);
	now = bpf_ktime_get_coarse_ns();

	/* Step 9, then the route (10-12) before touching the payload: what
	 * goes to the stack must arrive as it was sent, for the relay. */
	if (!(s->flags & XB_F_FORWARD) || s->family != p.family)
		return xb_stream_pass(st, ip_len, now, XB_STAT_PASS);
	verdict = xb_route(ctx, &p, s, st, ip_len, now, &eg);
	if (verdict != XB_GO_ON)
		return verdict;

	udp_len = bpf_ntohs(((struct udphdr *)p.l4)->len);
	udp_off = p.l4 - (void *)(long)ctx->data;
	frame_len = bpf_xdp_get_buff_len(ctx);
	end = udp_off + udp_len;
	if (s->flags & XB_F_SRTP_PROTECT) {
		/* room for the tag (and SRTCP's index) after the datagram */
		if (frame_len < end + XBORDER_SRTP_MAX_OVERHEAD) {
			grow = end + XBORDER_SRTP_MAX_OVERHEAD - frame_len;
			if (bpf_xdp_adjust_tail(ctx, grow))
				return xb_stream_pass(st, ip_len, now, XB_STAT_PASS);
		}
		n = bpf_xborder_srtp_protect(ctx, s->srtp_ctx, udp_off);
	} else {
		n = bpf_xborder_srtp_unprotect(ctx, s->srtp_ctx, udp_off);
	}
	if (n == -ENOENT) {
		/* no such context in the module: perhaps the relay has it */
		if (grow && bpf_xdp_adjust_tail(ctx, -(int)grow))
			return xb_stream_drop(st, XB_DROP_SRTP);
		return xb_stream_pass(st, ip_len, now, XB_STAT_PASS);
	}
	if (n < 0)
		return xb_stream_drop(st, XB_DROP_SRTP);

	/* the frame now ends where the datagram does (padding goes too) */
	frame_len = bpf_xdp_get_buff_len(ctx);
	if (bpf_xdp_adjust_tail(ctx, (int)(udp_off + n) - (int)frame_len) || xb_parse(ctx, &p))
		return xb_stream_drop(st, XB_DROP_SRTP);
	xb_set_ip_len(&p, n);
	return xb_emit(ctx, &p, s, st, ip_len, now, &eg);
}
