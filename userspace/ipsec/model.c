// SPDX-License-Identifier: GPL-2.0-or-later
/* The XFRM model's small helpers: ownership, growth, selector identity. */
#include <linux/xfrm.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipsec/ipsec.h"
#include "ipsec/model.h"

bool xb_xsa_ours(const struct xb_xsa *sa)
{
	return sa->reqid >= XB_IPSEC_REQID_MIN && sa->reqid <= XB_IPSEC_REQID_MAX;
}

bool xb_xsp_ours(const struct xb_xsp *sp)
{
	return sp->priority >= XB_IPSEC_PRIO_MIN && sp->priority <= XB_IPSEC_PRIO_MAX &&
	       sp->n_tmpl == 1 && sp->tmpl.reqid >= XB_IPSEC_REQID_MIN &&
	       sp->tmpl.reqid <= XB_IPSEC_REQID_MAX;
}

/* Double *CAP (from 16) and the array; returns the new array or NULL. */
static void *grow(void *arr, unsigned int n, unsigned int *cap, size_t size)
{
	unsigned int ncap = *cap ? *cap * 2 : 16;
	void *p;

	if (n < *cap)
		return arr;
	if (ncap > (1u << 24))
		return NULL;
	p = realloc(arr, (size_t)ncap * size);
	if (!p)
		return NULL;
	*cap = ncap;
	return p;
}

struct xb_xsa *xb_xstate_add_sa(struct xb_xstate *st)
{
	struct xb_xsa *p = grow(st->sa, st->n_sa, &st->cap_sa, sizeof(*p));

	if (!p)
		return NULL;
	st->sa = p;
	p = &st->sa[st->n_sa++];
	memset(p, 0, sizeof(*p));
	p->peer = -1;
	p->alg = XB_XALG_OTHER;
	return p;
}

struct xb_xsp *xb_xstate_add_sp(struct xb_xstate *st)
{
	struct xb_xsp *p = grow(st->sp, st->n_sp, &st->cap_sp, sizeof(*p));

	if (!p)
		return NULL;
	st->sp = p;
	p = &st->sp[st->n_sp++];
	memset(p, 0, sizeof(*p));
	p->peer = -1;
	return p;
}

void xb_xstate_free(struct xb_xstate *st)
{
	unsigned int i;

	if (!st)
		return;
	for (i = 0; i < st->n_sa; i++)
		xb_ipsec_key_wipe(&st->sa[i].key);
	free(st->sa);
	free(st->sp);
	memset(st, 0, sizeof(*st));
}

/* Equal within the first LEN bits (the kernel ignores the rest). */
static bool prefix_equal(const struct xb_addr *a, const struct xb_addr *b, unsigned int len)
{
	struct xb_addr x = *a, y = *b;

	xb_addr_mask(&x, len);
	xb_addr_mask(&y, len);
	return !memcmp(x.addr, y.addr, sizeof(x.addr));
}

bool xb_xsel_equal(const struct xb_xsel *a, const struct xb_xsel *b)
{
	return a->src.family == b->src.family && a->src_len == b->src_len &&
	       a->dst_len == b->dst_len && prefix_equal(&a->src, &b->src, a->src_len) &&
	       prefix_equal(&a->dst, &b->dst, a->dst_len) && a->proto == b->proto &&
	       a->sport_mask == b->sport_mask && a->dport_mask == b->dport_mask &&
	       (a->sport & a->sport_mask) == (b->sport & b->sport_mask) &&
	       (a->dport & a->dport_mask) == (b->dport & b->dport_mask);
}

void xb_xsel_mirror(const struct xb_xsel *in, struct xb_xsel *out)
{
	struct xb_xsel m = *in;

	m.src = in->dst;
	m.dst = in->src;
	m.src_len = in->dst_len;
	m.dst_len = in->src_len;
	m.sport = in->dport;
	m.sport_mask = in->dport_mask;
	m.dport = in->sport;
	m.dport_mask = in->sport_mask;
	*out = m;
}

static const char *proto_name(uint8_t p, char *buf, size_t len)
{
	switch (p) {
	case 0:
		return "any";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_ICMPV6:
		return "ipv6-icmp";
	}
	snprintf(buf, len, "%u", p);
	return buf;
}

const char *xb_xsel_fmt(const struct xb_xsel *s, char *buf, size_t len)
{
	char a[XB_ADDRSTRLEN], b[XB_ADDRSTRLEN], p[8], sp[24] = "", dp[24] = "";

	if (s->sport_mask)
		snprintf(sp, sizeof(sp), " sport %u", s->sport);
	if (s->dport_mask)
		snprintf(dp, sizeof(dp), " dport %u", s->dport);
	if (!s->src.family) {
		snprintf(buf, len, "(family %u)", s->src.family);
		return buf;
	}
	snprintf(buf, len, "%s -> %s %s%s%s", xb_fmt_prefix(&s->src, s->src_len, a, sizeof(a)),
		 xb_fmt_prefix(&s->dst, s->dst_len, b, sizeof(b)),
		 proto_name(s->proto, p, sizeof(p)), sp, dp);
	return buf;
}

const char *xb_xdir_name(uint8_t dir)
{
	switch (dir) {
	case XFRM_POLICY_IN:
		return "in";
	case XFRM_POLICY_OUT:
		return "out";
	case XFRM_POLICY_FWD:
		return "fwd";
	}
	return "?";
}
