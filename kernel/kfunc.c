// SPDX-License-Identifier: GPL-2.0
/*
 * kfuncs for XDP programs: protect or unprotect the RTP/RTCP payload of a
 * UDP datagram in the frame, in place (include/uapi/xborder/genl.h has the
 * contract). The program passes its context (struct xdp_md *, which is the
 * kernel's struct xdp_buff at run time) and plain integers, the only kinds
 * of arguments the 6.1 verifier lets a kfunc take into packet memory; the
 * bounds are checked here against the buffer itself.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bpf.h>
#include <linux/module.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/xdp.h>

#include "compat.h"
#include "xborder.h"

static int xb_xdp_transform(struct xdp_buff *xdp, u32 id, u32 udp_off, u8 dir)
{
	unsigned int flen = xdp->data_end - xdp->data, ulen;
	struct xb_srtp_pkt p = { 0 };
	struct xb_srtp_ctx *c;
	struct udphdr *uh;
	__wsum diff;
	int ret;

	if (udp_off > flen || flen - udp_off < sizeof(*uh))
		return -EINVAL;
	uh = xdp->data + udp_off;
	ulen = ntohs(uh->len);
	if (ulen < sizeof(*uh) || ulen > flen - udp_off)
		return -EINVAL;

	rcu_read_lock();
	c = xb_ctx_lookup_rcu(id);
	if (!c) {
		ret = -ENOENT;
		goto out;
	}
	if (c->dir != dir) {
		atomic64_inc(&c->stats[XB_ST_ERRORS]);
		ret = -EINVAL;
		goto out;
	}
	p.data = (u8 *)(uh + 1);
	p.len = ulen - sizeof(*uh);
	p.room = flen - udp_off - ulen;
	p.want_csum = uh->check != 0; /* IPv4 without a checksum stays so */
	ret = xb_srtp_transform(c, &p);
	if (ret < 0)
		goto out;

	ret += sizeof(*uh);
	if (p.want_csum) {
		/* the payload changed, and the length twice: in the header
		 * and in the pseudo-header */
		diff = csum_sub((__force __wsum)htons(ret), (__force __wsum)uh->len);
		diff = csum_add(p.csum_delta, csum_add(diff, diff));
		csum_replace_by_diff(&uh->check, diff);
		if (!uh->check)
			uh->check = CSUM_MANGLED_0;
	}
	uh->len = htons(ret);
out:
	rcu_read_unlock();
	return ret;
}

__bpf_kfunc_start_defs();

/* SRTP/SRTCP in, RTP/RTCP out. Returns the new UDP length or -errno. */
__bpf_kfunc int bpf_xborder_srtp_unprotect(struct xdp_md *ctx, u32 ctx_id, u32 udp_off)
{
	return xb_xdp_transform((struct xdp_buff *)ctx, ctx_id, udp_off, XBORDER_SRTP_UNPROTECT);
}

/* RTP/RTCP in, SRTP/SRTCP out; needs XBORDER_SRTP_MAX_OVERHEAD bytes of
 * frame after the datagram. Returns the new UDP length or -errno. */
__bpf_kfunc int bpf_xborder_srtp_protect(struct xdp_md *ctx, u32 ctx_id, u32 udp_off)
{
	return xb_xdp_transform((struct xdp_buff *)ctx, ctx_id, udp_off, XBORDER_SRTP_PROTECT);
}

__bpf_kfunc_end_defs();

BTF_KFUNCS_START(xb_kfunc_ids)
BTF_ID_FLAGS(func, bpf_xborder_srtp_unprotect)
BTF_ID_FLAGS(func, bpf_xborder_srtp_protect)
BTF_KFUNCS_END(xb_kfunc_ids)

static const struct btf_kfunc_id_set xb_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &xb_kfunc_ids,
};

int xb_kfunc_init(void)
{
	/* Without BTF the kernel would register nothing and only warn; the
	 * XDP program could never call us, so say so and refuse to load. */
	if (!THIS_MODULE->btf_data_size) {
		pr_err("built without BTF: kfuncs cannot be registered (see Documentation/kernel-module.md)\n");
		return -ENOEXEC;
	}
	return register_btf_kfunc_id_set(BPF_PROG_TYPE_XDP, &xb_kfunc_set);
}
