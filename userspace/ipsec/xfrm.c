// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel side, through libnl-xfrm: dump SAs and policies into the
 * model, and add, update or delete one of them. Requests are built with
 * xfrmnl_sa/xfrmnl_sp; the answer is read with our own callbacks so that
 * the kernel's errno reaches the message unchanged (libnl folds many into
 * "Unspecific failure").
 */
#include <errno.h>
#include <linux/xfrm.h>
#include <netinet/in.h>
#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <netlink/xfrm/lifetime.h>
#include <netlink/xfrm/sa.h>
#include <netlink/xfrm/selector.h>
#include <netlink/xfrm/sp.h>
#include <netlink/xfrm/template.h>
#include <stdlib.h>
#include <string.h>

#include <xborder/fastpath.h>

#include "common/err.h"
#include "ipsec/ipsec.h"
#include "ipsec/model.h"

#define GCM_NAME "rfc4106(gcm(aes))"
#define GCM_ICV_BITS 128
#define CBC_NAME "cbc(aes)"
#define HMAC_NAME "hmac(sha256)"
#define HMAC_TRUNC_BITS 128 /* RFC 4868 */
/* Larger than any netlink attribute, so libnl's getters cannot overrun it. */
#define ATTR_BUF (64 * 1024)

/* ---------------------------------------------------------------- addresses */

static struct nl_addr *to_nl(const struct xb_addr *a, unsigned int plen)
{
	struct nl_addr *n = nl_addr_build(a->family, a->addr, a->family == XB_AF_INET ? 4 : 16);

	if (n)
		nl_addr_set_prefixlen(n, (int)plen);
	return n;
}

static int from_nl(struct nl_addr *n, struct xb_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (!n)
		return -1;
	if (nl_addr_get_family(n) == AF_INET && nl_addr_get_len(n) >= 4) {
		out->family = XB_AF_INET;
		memcpy(out->addr, nl_addr_get_binary_addr(n), 4);
	} else if (nl_addr_get_family(n) == AF_INET6 && nl_addr_get_len(n) >= 16) {
		out->family = XB_AF_INET6;
		memcpy(out->addr, nl_addr_get_binary_addr(n), 16);
	} else {
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- talking */

struct ack {
	int err;
	bool done;
};

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct ack *a = arg;

	a->err = e->error < 0 ? e->error : -e->error;
	a->done = true;
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct ack *a = arg;

	a->err = 0;
	a->done = true;
	return NL_STOP;
}

/* Send MSG (consumed) and wait for the kernel's answer: 0 or -errno. */
static int talk(struct nl_sock *sk, struct nl_msg *msg)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	struct ack a = { .err = -EIO };
	unsigned int rounds;
	int err;

	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &a);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &a);
	err = nl_send_auto(sk, msg);
	nlmsg_free(msg);
	/* bounded: an answer is one ACK or error; a few stray messages at most */
	for (rounds = 0; err >= 0 && !a.done && rounds < 64; rounds++)
		err = nl_recvmsgs(sk, cb);
	nl_cb_put(cb);
	if (a.done)
		return a.err;
	return err < 0 ? -EIO : -ETIMEDOUT;
}

/* ---------------------------------------------------------------- SAs */

static uint64_t limit(uint64_t v)
{
	return v ? v : XFRM_INF;
}

static uint64_t unlimit(uint64_t v)
{
	return v == XFRM_INF ? 0 : v;
}

static struct xfrmnl_ltime_cfg *lifetime(const struct xbd_ipsec_lifetime *soft,
					 const struct xbd_ipsec_lifetime *hard)
{
	struct xfrmnl_ltime_cfg *lt = xfrmnl_ltime_cfg_alloc();

	if (!lt)
		return NULL;
	xfrmnl_ltime_cfg_set_soft_bytelimit(lt, limit(soft ? soft->bytes : 0));
	xfrmnl_ltime_cfg_set_hard_bytelimit(lt, limit(hard ? hard->bytes : 0));
	xfrmnl_ltime_cfg_set_soft_packetlimit(lt, limit(soft ? soft->packets : 0));
	xfrmnl_ltime_cfg_set_hard_packetlimit(lt, limit(hard ? hard->packets : 0));
	/* seconds: 0 is "never" for the kernel already */
	xfrmnl_ltime_cfg_set_soft_addexpires(lt, soft ? soft->seconds : 0);
	xfrmnl_ltime_cfg_set_hard_addexpires(lt, hard ? hard->seconds : 0);
	xfrmnl_ltime_cfg_set_soft_useexpires(lt, 0);
	xfrmnl_ltime_cfg_set_hard_useexpires(lt, 0);
	return lt;
}

static int set_algs(struct xfrmnl_sa *sa, const struct xb_xsa *x)
{
	const char *k = (const char *)x->key.bytes;
	unsigned int enc;

	if (x->alg == XBD_IPSEC_AES_GCM)
		return xfrmnl_sa_set_aead_params(sa, GCM_NAME, x->key.len * 8, GCM_ICV_BITS, k);
	if (x->alg != XBD_IPSEC_AES_CBC_SHA256 || x->key.len <= XB_IPSEC_HMAC_SHA256_KEY)
		return -1;
	enc = x->key.len - XB_IPSEC_HMAC_SHA256_KEY;
	if (xfrmnl_sa_set_crypto_params(sa, CBC_NAME, enc * 8, k))
		return -1;
	return xfrmnl_sa_set_auth_params(sa, HMAC_NAME, XB_IPSEC_HMAC_SHA256_KEY * 8,
					 HMAC_TRUNC_BITS, k + enc);
}

/* The libnl object for X; for a deletion only its identity. */
static struct xfrmnl_sa *build_sa(const struct xb_xsa *x, bool full)
{
	struct xfrmnl_sa *sa = xfrmnl_sa_alloc();
	struct nl_addr *src = to_nl(&x->src, 0), *dst = to_nl(&x->dst, 0);
	struct xfrmnl_ltime_cfg *lt = NULL;
	bool ok = sa && src && dst;

	if (ok) {
		xfrmnl_sa_set_family(sa, x->dst.family);
		ok = !xfrmnl_sa_set_daddr(sa, dst) && !xfrmnl_sa_set_saddr(sa, src);
		xfrmnl_sa_set_spi(sa, x->spi);
		xfrmnl_sa_set_proto(sa, x->proto);
	}
	if (ok && full) {
		xfrmnl_sa_set_mode(sa, x->mode);
		xfrmnl_sa_set_reqid(sa, x->reqid);
		if (x->replay_window > 32) {
			/* beyond the legacy 32-bit bitmap: the ESN replay state,
			 * without the ESN flag (plain 32-bit sequence numbers) */
			uint32_t bmp[XFRMA_REPLAY_ESN_MAX / 32] = { 0 };

			ok = !xfrmnl_sa_set_replay_state_esn(sa, x->oseq, 0, 0, 0, x->replay_window,
							     (x->replay_window + 31) / 32, bmp);
		} else {
			xfrmnl_sa_set_replay_window(sa, x->replay_window);
			/* an outbound SA re-created after a clean stop goes on
			 * where it stopped, or the peer drops it as replays */
			if (x->oseq)
				xfrmnl_sa_set_replay_state(sa, x->oseq, 0, 0);
		}
		lt = lifetime(&x->soft, &x->hard);
		ok = ok && lt && !xfrmnl_sa_set_lifetime_cfg(sa, lt) && !set_algs(sa, x);
	}
	if (lt)
		xfrmnl_ltime_cfg_put(lt);
	if (src)
		nl_addr_put(src);
	if (dst)
		nl_addr_put(dst);
	if (!ok && sa) {
		xfrmnl_sa_put(sa);
		sa = NULL;
	}
	return sa;
}

int xb_xfrm_sa(struct nl_sock *sk, enum xb_xact_kind kind, const struct xb_xsa *x)
{
	struct xfrmnl_sa *sa = build_sa(x, kind != XB_XACT_SA_DEL);
	struct nl_msg *msg = NULL;
	int err;

	if (!sa)
		return -ENOMEM;
	switch (kind) {
	case XB_XACT_SA_ADD:
		err = xfrmnl_sa_build_add_request(sa, 0, &msg);
		break;
	case XB_XACT_SA_UPDATE:
		err = xfrmnl_sa_build_update_request(sa, 0, &msg);
		break;
	case XB_XACT_SA_DEL:
		err = xfrmnl_sa_build_delete_request(sa, 0, &msg);
		break;
	default:
		err = -NLE_INVAL;
	}
	xfrmnl_sa_put(sa);
	if (err < 0 || !msg)
		return -ENOMEM;
	err = talk(sk, msg);
	/* gone already (expired, or removed by someone else) is what we wanted */
	if (kind == XB_XACT_SA_DEL && (err == -ESRCH || err == -ENOENT))
		err = 0;
	return err;
}

/* Our algorithm and key, when the SA has one we install. */
static void read_algs(struct xfrmnl_sa *sa, struct xb_xsa *x, char *buf, bool keep_key)
{
	char name[64], aname[64];
	unsigned int kl, icv, akl, trunc;

	if (!xfrmnl_sa_get_aead_params(sa, name, &kl, &icv, buf)) {
		snprintf(x->alg_name, sizeof(x->alg_name), "%s", name);
		if (strcmp(name, GCM_NAME) || icv != GCM_ICV_BITS || kl % 8 ||
		    kl / 8 > XB_IPSEC_KEY_MAX)
			return;
		x->alg = XBD_IPSEC_AES_GCM;
		x->key.len = kl / 8;
	} else if (!xfrmnl_sa_get_crypto_params(sa, name, &kl, buf)) {
		if (xfrmnl_sa_get_auth_params(sa, aname, &akl, &trunc, buf + ATTR_BUF / 2)) {
			snprintf(x->alg_name, sizeof(x->alg_name), "%s", name);
			return;
		}
		snprintf(x->alg_name, sizeof(x->alg_name), "%.30s+%.30s", name, aname);
		if (strcmp(name, CBC_NAME) || strcmp(aname, HMAC_NAME) ||
		    (kl != 128 && kl != 256) || akl != XB_IPSEC_HMAC_SHA256_KEY * 8 ||
		    trunc != HMAC_TRUNC_BITS)
			return;
		x->alg = XBD_IPSEC_AES_CBC_SHA256;
		x->key.len = kl / 8 + XB_IPSEC_HMAC_SHA256_KEY;
		memmove(buf + kl / 8, buf + ATTR_BUF / 2, XB_IPSEC_HMAC_SHA256_KEY);
	} else {
		return;
	}
	if (keep_key)
		memcpy(x->key.bytes, buf, x->key.len);
	else
		x->key.len = 0;
}

static int read_sa(struct xfrmnl_sa *sa, struct xb_xsa *x, char *buf)
{
	unsigned long long b = 0, p = 0, add = 0, use = 0, w = 0, r = 0, integ = 0;
	unsigned int oseq, seq, oseq_hi, seq_hi, win, bmp_len;
	struct xfrmnl_ltime_cfg *lt;

	if (from_nl(xfrmnl_sa_get_daddr(sa), &x->dst) || from_nl(xfrmnl_sa_get_saddr(sa), &x->src))
		return -1; /* a family we do not handle: not ours */
	x->spi = (uint32_t)xfrmnl_sa_get_spi(sa);
	x->proto = (uint8_t)xfrmnl_sa_get_proto(sa);
	x->mode = (uint8_t)xfrmnl_sa_get_mode(sa);
	x->reqid = (uint32_t)xfrmnl_sa_get_reqid(sa);
	xfrmnl_sa_get_mark(sa, &x->mark_m, &x->mark_v);
	if (!xfrmnl_sa_get_curlifetime(sa, &b, &p, &add, &use)) {
		x->bytes = b;
		x->packets = p;
		x->add_time = add;
		x->use_time = use;
	}
	if (!xfrmnl_sa_get_stats(sa, &w, &r, &integ)) {
		x->fail_window = (uint32_t)w;
		x->fail_replay = (uint32_t)r;
		x->fail_integrity = (uint32_t)integ;
	}
	lt = xfrmnl_sa_get_lifetime_cfg(sa);
	if (lt) {
		x->soft.bytes = unlimit(xfrmnl_ltime_cfg_get_soft_bytelimit(lt));
		x->hard.bytes = unlimit(xfrmnl_ltime_cfg_get_hard_bytelimit(lt));
		x->soft.packets = unlimit(xfrmnl_ltime_cfg_get_soft_packetlimit(lt));
		x->hard.packets = unlimit(xfrmnl_ltime_cfg_get_hard_packetlimit(lt));
		x->soft.seconds = xfrmnl_ltime_cfg_get_soft_addexpires(lt);
		x->hard.seconds = xfrmnl_ltime_cfg_get_hard_addexpires(lt);
	}
	/* the bitmap goes into BUF: the kernel bounds it far below ATTR_BUF */
	if (!xfrmnl_sa_get_replay_state_esn(sa, &oseq, &seq, &oseq_hi, &seq_hi, &win, &bmp_len,
					    (unsigned int *)(void *)buf)) {
		x->replay_window = win;
		x->oseq = oseq;
	} else {
		x->replay_window = (uint32_t)(xfrmnl_sa_get_replay_window(sa) < 0
						      ? 0
						      : xfrmnl_sa_get_replay_window(sa));
		if (!xfrmnl_sa_get_replay_state(sa, &oseq, &seq, &win))
			x->oseq = oseq;
	}
	read_algs(sa, x, buf, xb_xsa_ours(x));
	return 0;
}

/* ---------------------------------------------------------------- policies */

static struct xfrmnl_sel *build_sel(const struct xb_xsel *s)
{
	struct xfrmnl_sel *sel = xfrmnl_sel_alloc();
	struct nl_addr *src = to_nl(&s->src, s->src_len), *dst = to_nl(&s->dst, s->dst_len);
	bool ok = sel && src && dst;

	if (ok) {
		xfrmnl_sel_set_family(sel, s->src.family);
		xfrmnl_sel_set_saddr(sel, src);
		xfrmnl_sel_set_daddr(sel, dst);
		xfrmnl_sel_set_prefixlen_s(sel, s->src_len);
		xfrmnl_sel_set_prefixlen_d(sel, s->dst_len);
		xfrmnl_sel_set_proto(sel, s->proto);
		xfrmnl_sel_set_sport(sel, s->sport & s->sport_mask);
		xfrmnl_sel_set_sportmask(sel, s->sport_mask);
		xfrmnl_sel_set_dport(sel, s->dport & s->dport_mask);
		xfrmnl_sel_set_dportmask(sel, s->dport_mask);
	}
	if (src)
		nl_addr_put(src);
	if (dst)
		nl_addr_put(dst);
	if (!ok && sel) {
		xfrmnl_sel_put(sel);
		sel = NULL;
	}
	return sel;
}

static struct xfrmnl_user_tmpl *build_tmpl(const struct xb_xtmpl *t)
{
	struct xfrmnl_user_tmpl *ut = xfrmnl_user_tmpl_alloc();
	struct nl_addr *src = to_nl(&t->src, 0), *dst = to_nl(&t->dst, 0);
	bool ok = ut && src && dst;

	if (ok) {
		xfrmnl_user_tmpl_set_family(ut, t->dst.family);
		xfrmnl_user_tmpl_set_saddr(ut, src);
		xfrmnl_user_tmpl_set_daddr(ut, dst);
		xfrmnl_user_tmpl_set_spi(ut, t->spi);
		xfrmnl_user_tmpl_set_proto(ut, t->proto);
		xfrmnl_user_tmpl_set_reqid(ut, t->reqid);
		xfrmnl_user_tmpl_set_mode(ut, t->mode);
		xfrmnl_user_tmpl_set_share(ut, XFRM_SHARE_ANY);
		xfrmnl_user_tmpl_set_optional(ut, 0);
		/* all algorithms: the SA decides (as "ip xfrm" does) */
		xfrmnl_user_tmpl_set_aalgos(ut, ~0u);
		xfrmnl_user_tmpl_set_ealgos(ut, ~0u);
		xfrmnl_user_tmpl_set_calgos(ut, ~0u);
	}
	if (src)
		nl_addr_put(src);
	if (dst)
		nl_addr_put(dst);
	if (!ok && ut) {
		xfrmnl_user_tmpl_free(ut);
		ut = NULL;
	}
	return ut;
}

int xb_xfrm_sp(struct nl_sock *sk, enum xb_xact_kind kind, const struct xb_xsp *x)
{
	struct xfrmnl_sp *sp = xfrmnl_sp_alloc();
	struct xfrmnl_sel *sel = NULL;
	struct xfrmnl_ltime_cfg *lt = NULL;
	struct xfrmnl_user_tmpl *ut;
	struct nl_msg *msg = NULL;
	int err = -NLE_NOMEM;

	if (!sp)
		return -ENOMEM;
	xfrmnl_sp_set_dir(sp, x->dir);
	if (kind == XB_XACT_SP_DEL) {
		/* by the kernel's index: exactly the one that was dumped */
		xfrmnl_sp_set_index(sp, x->index);
		err = xfrmnl_sp_build_delete_request(sp, 0, &msg);
		goto send;
	}
	sel = build_sel(&x->sel);
	lt = lifetime(NULL, NULL);
	ut = build_tmpl(&x->tmpl);
	if (!sel || !lt || !ut) {
		if (ut)
			xfrmnl_user_tmpl_free(ut);
		goto send;
	}
	xfrmnl_sp_set_sel(sp, sel);
	xfrmnl_sp_set_lifetime_cfg(sp, lt);
	xfrmnl_sp_set_priority(sp, x->priority);
	xfrmnl_sp_set_action(sp, x->action);
	xfrmnl_sp_set_share(sp, XFRM_SHARE_ANY);
	xfrmnl_sp_set_flags(sp, 0);
	xfrmnl_sp_add_usertemplate(sp, ut); /* now owned by sp */
	if (kind == XB_XACT_SP_ADD)
		err = xfrmnl_sp_build_add_request(sp, 0, &msg);
	else
		err = xfrmnl_sp_build_update_request(sp, 0, &msg);
send:
	if (sel)
		xfrmnl_sel_put(sel);
	if (lt)
		xfrmnl_ltime_cfg_put(lt);
	xfrmnl_sp_put(sp);
	if (err < 0 || !msg)
		return -ENOMEM;
	err = talk(sk, msg);
	if (kind == XB_XACT_SP_DEL && err == -ENOENT)
		err = 0;
	return err;
}

/* An address of FAMILY from the kernel's 16-byte union. */
static void from_xfrm(uint16_t family, const xfrm_address_t *a, struct xb_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (family == AF_INET) {
		out->family = XB_AF_INET;
		memcpy(out->addr, &a->a4, 4);
	} else if (family == AF_INET6) {
		out->family = XB_AF_INET6;
		memcpy(out->addr, &a->a6, 16);
	}
}

/*
 * One policy of a dump. Parsed here rather than by xfrmnl_sp_parse(),
 * which in libnl 3.7 leaks the four addresses of every policy it parses:
 * a daemon dumps on every pass.
 */
struct sp_dump {
	struct xb_xstate *st;
	bool oom;
};

static int read_sp(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct sp_dump *d = arg;
	struct nlattr *tb[XFRMA_MAX + 1];
	const struct xfrm_userpolicy_info *pi;
	struct xb_xsp *x;

	if (h->nlmsg_type != XFRM_MSG_NEWPOLICY)
		return NL_SKIP;
	if (nlmsg_parse(h, sizeof(*pi), tb, XFRMA_MAX, NULL) < 0)
		return NL_SKIP; /* too short: not a policy we could own */
	pi = nlmsg_data(h);
	x = xb_xstate_add_sp(d->st);
	if (!x) {
		d->oom = true;
		return NL_SKIP; /* the rest of the dump is still read */
	}
	x->dir = pi->dir;
	x->priority = pi->priority;
	x->index = pi->index;
	x->action = pi->action;
	if (pi->sel.family == AF_INET || pi->sel.family == AF_INET6) {
		from_xfrm(pi->sel.family, &pi->sel.saddr, &x->sel.src);
		from_xfrm(pi->sel.family, &pi->sel.daddr, &x->sel.dst);
		x->sel.src_len = pi->sel.prefixlen_s;
		x->sel.dst_len = pi->sel.prefixlen_d;
		x->sel.proto = pi->sel.proto;
		x->sel.sport = ntohs(pi->sel.sport);
		x->sel.sport_mask = ntohs(pi->sel.sport_mask);
		x->sel.dport = ntohs(pi->sel.dport);
		x->sel.dport_mask = ntohs(pi->sel.dport_mask);
	}
	if (tb[XFRMA_MARK] && nla_len(tb[XFRMA_MARK]) >= (int)sizeof(struct xfrm_mark)) {
		const struct xfrm_mark *m = nla_data(tb[XFRMA_MARK]);

		x->mark_v = m->v;
		x->mark_m = m->m;
	}
	if (tb[XFRMA_TMPL] && nla_len(tb[XFRMA_TMPL]) >= (int)sizeof(struct xfrm_user_tmpl)) {
		const struct xfrm_user_tmpl *t = nla_data(tb[XFRMA_TMPL]);

		x->n_tmpl = (unsigned int)nla_len(tb[XFRMA_TMPL]) / sizeof(*t);
		/* transport templates may carry no addresses: family 0 then */
		from_xfrm(t->family, &t->saddr, &x->tmpl.src);
		from_xfrm(t->family, &t->id.daddr, &x->tmpl.dst);
		x->tmpl.spi = ntohl(t->id.spi);
		x->tmpl.reqid = t->reqid;
		x->tmpl.mode = t->mode;
		x->tmpl.proto = t->id.proto;
	}
	return NL_OK;
}

static int dump_policies(struct nl_sock *sk, struct xb_xstate *st)
{
	struct sp_dump d = { .st = st };
	struct xfrm_userpolicy_id id;
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int err;

	if (!cb)
		return -NLE_NOMEM;
	memset(&id, 0, sizeof(id));
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, read_sp, &d);
	err = nl_send_simple(sk, XFRM_MSG_GETPOLICY, NLM_F_DUMP, &id, sizeof(id));
	if (err >= 0)
		err = nl_recvmsgs(sk, cb); /* until NLMSG_DONE */
	nl_cb_put(cb);
	if (err >= 0 && d.oom)
		err = -NLE_NOMEM;
	return err < 0 ? err : 0;
}

/* ---------------------------------------------------------------- dump */

static int nl_to_errno(int nle)
{
	switch (nle < 0 ? -nle : nle) {
	case NLE_NOMEM:
		return ENOMEM;
	case NLE_PERM:
		return EPERM;
	case NLE_OBJ_NOTFOUND:
		return ENOENT;
	default:
		return EIO;
	}
}

int xb_xfrm_dump(struct nl_sock *sk, struct xb_xstate *st)
{
	struct nl_cache *sas = NULL;
	struct nl_object *o;
	char *buf;
	int err;

	memset(st, 0, sizeof(*st));
	buf = malloc(ATTR_BUF);
	if (!buf)
		return xb_err(ENOMEM, "ipsec: out of memory");
	err = xfrmnl_sa_alloc_cache(sk, &sas);
	if (err < 0) {
		err = xb_err(nl_to_errno(err), "ipsec: cannot dump SAs: %s", nl_geterror(err));
		goto out;
	}
	for (o = nl_cache_get_first(sas); o; o = nl_cache_get_next(o)) {
		struct xb_xsa *x = xb_xstate_add_sa(st);

		if (!x) {
			err = xb_err(ENOMEM, "ipsec: out of memory");
			goto out;
		}
		if (read_sa((struct xfrmnl_sa *)o, x, buf))
			st->n_sa--; /* not IPv4/IPv6: nothing of ours */
	}
	err = dump_policies(sk, st);
	if (err < 0) {
		err = xb_err(nl_to_errno(err), "ipsec: cannot dump policies: %s", nl_geterror(err));
		goto out;
	}
out:
	if (sas)
		nl_cache_free(sas);
	explicit_bzero(buf, ATTR_BUF);
	free(buf);
	if (err)
		xb_xstate_free(st);
	return err;
}
