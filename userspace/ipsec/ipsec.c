// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The IPsec layer's entry points: one pass of dump, reconcile, execute.
 * Nothing is remembered between passes; the kernel is the state, so a
 * restarted daemon (or xborderctl) continues where the last one stopped.
 */
#include <errno.h>
#include <ifaddrs.h>
#include <linux/xfrm.h>
#include <netinet/in.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xborder/fastpath.h>

#include "common/err.h"
#include "common/json.h"
#include "common/log.h"
#include "ipsec/ipsec.h"
#include "ipsec/model.h"

struct xb_ipsec {
	struct nl_sock *sk;
	char seq_path[4096]; /* "" = sequence numbers not kept */
};

static uint64_t wall_clock(void)
{
	return (uint64_t)time(NULL);
}

uint64_t (*xb_ipsec_clock)(void) = wall_clock;

int xb_ipsec_open(struct xb_ipsec **out)
{
	struct xb_ipsec *x = calloc(1, sizeof(*x));
	int err;

	*out = NULL;
	if (!x)
		return xb_err(ENOMEM, "ipsec: out of memory");
	x->sk = nl_socket_alloc();
	if (!x->sk) {
		free(x);
		return xb_err(ENOMEM, "ipsec: out of memory");
	}
	err = nl_connect(x->sk, NETLINK_XFRM);
	if (err < 0) {
		nl_socket_free(x->sk);
		free(x);
		return xb_err(EPROTONOSUPPORT, "ipsec: cannot open an XFRM netlink socket: %s",
			      nl_geterror(err));
	}
	/* dumps of many SAs arrive in large bursts */
	nl_socket_set_buffer_size(x->sk, 1 << 20, 1 << 20);
	*out = x;
	return 0;
}

int xb_ipsec_set_seq_file(struct xb_ipsec *x, const char *path)
{
	if (path && strlen(path) >= sizeof(x->seq_path))
		return xb_err(ENAMETOOLONG, "ipsec: sequence file path too long");
	snprintf(x->seq_path, sizeof(x->seq_path), "%s", path ? path : "");
	return 0;
}

void xb_ipsec_close(struct xb_ipsec *x)
{
	if (!x)
		return;
	nl_socket_free(x->sk);
	free(x);
}

static void count_found(const struct xb_xstate *st, struct xb_ipsec_result *res)
{
	unsigned int i;

	for (i = 0; i < st->n_sa; i++)
		res->sa_found += xb_xsa_ours(&st->sa[i]);
	for (i = 0; i < st->n_sp; i++)
		res->sp_found += xb_xsp_ours(&st->sp[i]);
}

int xb_ipsec_adopt(struct xb_ipsec *x, struct xb_ipsec_result *res)
{
	struct xb_xstate st;
	int err;

	memset(res, 0, sizeof(*res));
	err = xb_xfrm_dump(x->sk, &st);
	if (err)
		return err;
	count_found(&st, res);
	xb_log(XB_LOG_INFO, "ipsec: %u SAs and %u policies of xborder's found in the kernel",
	       res->sa_found, res->sp_found);
	xb_xstate_free(&st);
	return 0;
}

/* ---------------------------------------------------------------- execution */

static const char *peer_name(const struct xb_ipsec_plan *plan, int peer)
{
	return plan && peer >= 0 && (unsigned int)peer < plan->n ? plan->peers[peer].name
								 : "(none)";
}

static void describe(const struct xb_xact *a, const char *peer, char *buf, size_t len)
{
	char s[XB_ADDRSTRLEN], d[XB_ADDRSTRLEN], sel[160];
	static const char *const verbs[] = {
		[XB_XACT_SA_ADD] = "add",	[XB_XACT_SA_UPDATE] = "update",
		[XB_XACT_SA_DEL] = "delete",	[XB_XACT_SP_ADD] = "add",
		[XB_XACT_SP_UPDATE] = "update", [XB_XACT_SP_DEL] = "delete",
	};

	if (a->kind <= XB_XACT_SA_DEL)
		snprintf(buf, len, "peer '%s': %s SA %s -> %s spi 0x%08x reqid 0x%08x", peer,
			 verbs[a->kind], xb_fmt_addr(&a->sa.src, s, sizeof(s)),
			 xb_fmt_addr(&a->sa.dst, d, sizeof(d)), a->sa.spi, a->sa.reqid);
	else
		snprintf(buf, len, "peer '%s': %s policy %s %s spi 0x%08x", peer, verbs[a->kind],
			 xb_xdir_name(a->sp.dir), xb_xsel_fmt(&a->sp.sel, sel, sizeof(sel)),
			 a->sp.tmpl.spi);
}

static int run_one(struct xb_ipsec *x, const struct xb_xact *a)
{
	return a->kind <= XB_XACT_SA_DEL ? xb_xfrm_sa(x->sk, a->kind, &a->sa)
					 : xb_xfrm_sp(x->sk, a->kind, &a->sp);
}

static void tally(const struct xb_xact *a, struct xb_ipsec_result *res)
{
	switch (a->kind) {
	case XB_XACT_SA_ADD:
		if (a->replace)
			res->sa_replaced++;
		else
			res->sa_added++;
		break;
	case XB_XACT_SA_UPDATE:
		res->sa_updated++;
		break;
	case XB_XACT_SA_DEL:
		if (!a->replace)
			res->sa_removed++;
		break;
	case XB_XACT_SP_ADD:
		res->sp_added++;
		break;
	case XB_XACT_SP_UPDATE:
		res->sp_updated++;
		break;
	case XB_XACT_SP_DEL:
		res->sp_removed++;
		break;
	}
}

/*
 * After a failure at action FAILED: remove what this pass added and put
 * back the SAs it replaced, newest first. Best effort; policies added are
 * found again by a fresh dump (the kernel chose their index).
 */
static void undo(struct xb_ipsec *x, const struct xb_xplan *xp, unsigned int failed)
{
	struct xb_xstate st;
	unsigned int i, k;

	if (xb_xfrm_dump(x->sk, &st))
		return;
	for (i = failed; i-- > 0;) {
		const struct xb_xact *a = &xp->acts[i];

		if (a->kind == XB_XACT_SP_ADD) {
			for (k = 0; k < st.n_sp; k++)
				if (st.sp[k].dir == a->sp.dir && xb_xsp_ours(&st.sp[k]) &&
				    xb_xsel_equal(&st.sp[k].sel, &a->sp.sel))
					xb_xfrm_sp(x->sk, XB_XACT_SP_DEL, &st.sp[k]);
		} else if (a->kind == XB_XACT_SA_ADD) {
			xb_xfrm_sa(x->sk, XB_XACT_SA_DEL, &a->sa);
		}
	}
	for (i = 0; i < failed; i++)
		if (xp->acts[i].kind == XB_XACT_SA_DEL && xp->acts[i].replace)
			xb_xfrm_sa(x->sk, XB_XACT_SA_ADD, &xp->acts[i].sa);
	xb_xstate_free(&st);
}

/*
 * Sequence numbers across removal: SAs about to be deleted leave their
 * last one in the file, SAs about to be added take theirs from it.
 * Returns whether the file needs writing.
 */
static bool carry_seqs(struct xb_ipsec *x, struct xb_xplan *xp, struct xb_seqs *seqs)
{
	bool dirty = false;
	unsigned int i;

	if (!x->seq_path[0])
		return false;
	if (xb_ipsec_seq_load(x->seq_path, seqs)) {
		xb_log(XB_LOG_WARN, "ipsec: %s", xb_errmsg());
		return false;
	}
	for (i = 0; i < xp->n; i++) {
		struct xb_xact *a = &xp->acts[i];

		if (a->kind == XB_XACT_SA_DEL && a->sa.oseq &&
		    a->sa.oseq != xb_ipsec_seq_get(seqs, &a->sa.dst, a->sa.spi))
			dirty |= !xb_ipsec_seq_put(seqs, &a->sa.dst, a->sa.spi, a->sa.oseq);
		else if (a->kind == XB_XACT_SA_ADD)
			a->sa.oseq = xb_ipsec_seq_get(seqs, &a->sa.dst, a->sa.spi);
	}
	return dirty;
}

static int execute(struct xb_ipsec *x, const struct xb_ipsec_plan *plan, struct xb_xplan *xp,
		   struct xb_ipsec_result *res)
{
	struct xb_seqs seqs = { 0 };
	char what[400];
	unsigned int i;
	int err;

	/* written before anything is removed: a crash then loses nothing */
	if (carry_seqs(x, xp, &seqs) && xb_ipsec_seq_save(x->seq_path, &seqs))
		xb_log(XB_LOG_WARN, "ipsec: sequence numbers not kept: %s", xb_errmsg());
	xb_ipsec_seq_free(&seqs);
	for (i = 0; i < xp->n; i++) {
		const struct xb_xact *a = &xp->acts[i];

		describe(a, peer_name(plan, a->peer), what, sizeof(what));
		err = run_one(x, a);
		if (err) {
			/* the kernel says ENOSYS when ESP or the algorithm is missing */
			err = xb_err(err, "ipsec: %s: %s%s", what, strerror(-err),
				     err == -ENOSYS || err == -EPROTONOSUPPORT
					     ? " (no ESP or no such algorithm in this kernel)"
					     : "");
			if (plan)
				undo(x, xp, i);
			return err;
		}
		if (a->kind == XB_XACT_SA_ADD && a->sa.oseq)
			xb_log(XB_LOG_INFO, "ipsec: %s, sending from sequence number %u", what,
			       a->sa.oseq + 1);
		else
			xb_log(XB_LOG_INFO, "ipsec: %s", what);
		tally(a, res);
	}
	return 0;
}

int xb_ipsec_apply(struct xb_ipsec *x, const struct xbd_config *cfg, struct xb_ipsec_result *res)
{
	struct xb_ipsec_plan plan;
	struct xb_xstate st;
	struct xb_xplan xp;
	unsigned int i;
	int err;

	memset(res, 0, sizeof(*res));
	err = xb_ipsec_plan_build(cfg, &plan);
	if (err)
		return err;
	err = xb_xfrm_dump(x->sk, &st);
	if (err)
		goto out_plan;
	count_found(&st, res);
	err = xb_ipsec_reconcile(&plan, &st, xb_ipsec_clock(), &xp);
	if (err)
		goto out_state;
	err = execute(x, &plan, &xp, res);
	res->sa_kept = xp.sa_kept;
	res->sp_kept = xp.sp_kept;
	res->pending = xp.pending;
	res->next_s = (unsigned int)(xp.next_s > 86400 ? 86400 : xp.next_s);
	for (i = 0; i < plan.n; i++) {
		const struct xb_ike_status *is = &xp.ike[i];

		if (!plan.peers[i].ike || (is->sa_in && is->sa_out && is->sp_in && is->sp_out))
			continue;
		res->ike_missing++;
		xb_log(XB_LOG_WARN,
		       "ipsec: peer '%s' (keys ike): %s%s%s%smissing; is the IKE daemon up?",
		       plan.peers[i].name, is->sa_out ? "" : "outbound SA, ",
		       is->sa_in ? "" : "inbound SA, ", is->sp_out ? "" : "out policy, ",
		       is->sp_in ? "" : "in policy, ");
	}
	xb_xplan_free(&xp);
out_state:
	xb_xstate_free(&st);
out_plan:
	xb_ipsec_plan_free(&plan);
	return err;
}

int xb_ipsec_remove_all(struct xb_ipsec *x, struct xb_ipsec_result *res)
{
	struct xb_xstate st;
	struct xb_xplan xp;
	int err;

	memset(res, 0, sizeof(*res));
	err = xb_xfrm_dump(x->sk, &st);
	if (err)
		return err;
	count_found(&st, res);
	err = xb_ipsec_reconcile_flush(&st, &xp);
	if (!err)
		err = execute(x, NULL, &xp, res);
	xb_xplan_free(&xp);
	xb_xstate_free(&st);
	return err;
}

/* ---------------------------------------------------------------- show */

/* The configured IPsec peer whose endpoints and mode these are. */
static const struct xbd_peer *cfg_peer(const struct xbd_config *cfg, const struct xb_addr *src,
				       const struct xb_addr *dst, uint8_t mode, bool *out)
{
	unsigned int i;

	for (i = 0; cfg && i < cfg->n_peers; i++) {
		const struct xbd_ipsec *ip = &cfg->peers[i].ipsec;
		uint8_t m = ip->mode == XBD_IPSEC_TUNNEL ? XFRM_MODE_TUNNEL : XFRM_MODE_TRANSPORT;

		if (!ip->enabled || m != mode)
			continue;
		if (xb_addr_equal(src, &ip->local) && xb_addr_equal(dst, &ip->remote)) {
			*out = true;
			return &cfg->peers[i];
		}
		if (xb_addr_equal(src, &ip->remote) && xb_addr_equal(dst, &ip->local)) {
			*out = false;
			return &cfg->peers[i];
		}
	}
	return NULL;
}

/* Is A one of this namespace's addresses? */
static bool is_local(const struct ifaddrs *ifa, const struct xb_addr *a)
{
	for (; ifa; ifa = ifa->ifa_next) {
		const struct sockaddr *sa = ifa->ifa_addr;

		if (!sa || sa->sa_family != a->family)
			continue;
		if (sa->sa_family == AF_INET &&
		    !memcmp(&((const struct sockaddr_in *)(const void *)sa)->sin_addr, a->addr, 4))
			return true;
		if (sa->sa_family == AF_INET6 &&
		    !memcmp(&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, a->addr,
			    16))
			return true;
	}
	return false;
}

static json_t *hex32(uint32_t v)
{
	char b[16];

	snprintf(b, sizeof(b), "0x%08x", v);
	return json_string(b);
}

static const char *mode_name(uint8_t mode)
{
	return mode == XFRM_MODE_TUNNEL	     ? "tunnel"
	       : mode == XFRM_MODE_TRANSPORT ? "transport"
					     : "?";
}

static json_t *sa_json(const struct xb_xsa *s, const struct xbd_config *cfg,
		       const struct ifaddrs *ifa)
{
	json_t *o = json_object();
	const struct xbd_peer *p;
	bool out = false;

	if (!o)
		return NULL;
	p = cfg_peer(cfg, &s->src, &s->dst, s->mode, &out);
	if (p) {
		xb_json_set(o, "peer", json_string(p->name));
		xb_json_set(o, "dir", json_string(out ? "out" : "in"));
	} else {
		xb_json_set(o, "dir",
			    json_string(is_local(ifa, &s->dst)	 ? "in"
					: is_local(ifa, &s->src) ? "out"
								 : "?"));
	}
	xb_json_set(o, "src", xb_json_addr(&s->src));
	xb_json_set(o, "dst", xb_json_addr(&s->dst));
	xb_json_set(o, "spi", hex32(s->spi));
	xb_json_set(o, "reqid", hex32(s->reqid));
	xb_json_set(o, "mode", json_string(mode_name(s->mode)));
	xb_json_set(o, "algorithm", json_string(s->alg_name[0] ? s->alg_name : "?"));
	if (s->key.len)
		xb_json_set(o, "key_bits", json_integer((json_int_t)s->key.len * 8));
	xb_json_set(o, "replay_window", json_integer(s->replay_window));
	xb_json_set(o, "seq_out", xb_json_u64(s->oseq));
	xb_json_set(o, "bytes", xb_json_u64(s->bytes));
	xb_json_set(o, "packets", xb_json_u64(s->packets));
	xb_json_set(o, "add_time", xb_json_u64(s->add_time));
	xb_json_set(o, "use_time", xb_json_u64(s->use_time));
	xb_json_set(o, "replay_fail", json_integer(s->fail_replay));
	xb_json_set(o, "window_fail", json_integer(s->fail_window));
	xb_json_set(o, "integrity_fail", json_integer(s->fail_integrity));
	return o;
}

static json_t *sp_json(const struct xb_xsp *s, const struct xbd_config *cfg)
{
	json_t *o = json_object(), *t = json_object();
	const struct xbd_peer *p;
	char b[160];
	bool out;

	if (!o || !t) {
		json_decref(o);
		json_decref(t);
		return NULL;
	}
	p = cfg_peer(cfg, &s->tmpl.src, &s->tmpl.dst, s->tmpl.mode, &out);
	if (p)
		xb_json_set(o, "peer", json_string(p->name));
	xb_json_set(o, "dir", json_string(xb_xdir_name(s->dir)));
	xb_json_set(o, "selector", json_string(xb_xsel_fmt(&s->sel, b, sizeof(b))));
	xb_json_set(o, "priority", json_integer(s->priority));
	xb_json_set(o, "index", json_integer(s->index));
	xb_json_set(t, "src", xb_json_addr(&s->tmpl.src));
	xb_json_set(t, "dst", xb_json_addr(&s->tmpl.dst));
	xb_json_set(t, "spi", hex32(s->tmpl.spi));
	xb_json_set(t, "reqid", hex32(s->tmpl.reqid));
	xb_json_set(t, "mode", json_string(mode_name(s->tmpl.mode)));
	xb_json_set(o, "template", t);
	return o;
}

/* A peer's SAs and policies: xborder's for static keys, the IKE
 * daemon's (anyone's but ours) for keys = "ike". */
static bool peer_status(const struct xbd_config *cfg, const struct xbd_peer *peer,
			const struct xb_xstate *st, struct xb_ike_status *is, unsigned int *n_sa,
			unsigned int *n_sp)
{
	const struct xbd_ipsec *ip = &peer->ipsec;
	struct xb_xsel sels[XB_IPSEC_MAX_SELS];
	struct xb_ipsec_ppeer pp;
	unsigned int k, want;
	bool out;

	memset(&pp, 0, sizeof(pp));
	pp.mode = ip->mode == XBD_IPSEC_TUNNEL ? XFRM_MODE_TUNNEL : XFRM_MODE_TRANSPORT;
	pp.local = ip->local;
	pp.remote = ip->remote;
	*n_sa = *n_sp = 0;
	if (ip->keys == XBD_IPSEC_KEYS_IKE) {
		xb_ipsec_check_ike(&pp, st, is);
		return is->sa_out && is->sa_in && is->sp_out && is->sp_in;
	}
	memset(is, 0, sizeof(*is));
	for (k = 0; k < st->n_sa; k++) {
		const struct xb_xsa *s = &st->sa[k];

		if (!xb_xsa_ours(s) || cfg_peer(cfg, &s->src, &s->dst, s->mode, &out) != peer)
			continue;
		(*n_sa)++;
		if (out)
			is->sa_out = true;
		else
			is->sa_in = true;
	}
	for (k = 0; k < st->n_sp; k++) {
		const struct xb_xsp *s = &st->sp[k];

		if (!xb_xsp_ours(s) ||
		    cfg_peer(cfg, &s->tmpl.src, &s->tmpl.dst, s->tmpl.mode, &out) != peer)
			continue;
		(*n_sp)++;
		if (s->dir == XFRM_POLICY_OUT)
			is->sp_out = true;
		else if (s->dir == XFRM_POLICY_IN)
			is->sp_in = true;
	}
	want = xb_ipsec_selectors(ip, sels, XB_IPSEC_MAX_SELS) *
	       (ip->mode == XBD_IPSEC_TUNNEL ? 3 : 2);
	return is->sa_out && is->sa_in && *n_sp == want;
}

static json_t *peers_json(const struct xbd_config *cfg, const struct xb_xstate *st)
{
	json_t *arr = json_array();
	unsigned int i;

	for (i = 0; arr && i < cfg->n_peers; i++) {
		const struct xbd_peer *peer = &cfg->peers[i];
		const struct xbd_ipsec *ip = &peer->ipsec;
		struct xb_ike_status is;
		unsigned int n_sa, n_sp;
		json_t *o;
		bool ok;

		if (!ip->enabled)
			continue;
		ok = peer_status(cfg, peer, st, &is, &n_sa, &n_sp);
		o = json_object();
		if (!o)
			break;
		xb_json_set(o, "name", json_string(peer->name));
		xb_json_set(o, "mode", json_string(xbd_ipsec_mode_name(ip->mode)));
		xb_json_set(o, "keys", json_string(xbd_ipsec_keys_name(ip->keys)));
		xb_json_set(o, "local", xb_json_addr(&ip->local));
		xb_json_set(o, "remote", xb_json_addr(&ip->remote));
		xb_json_set(o, "sas", json_integer(n_sa));
		xb_json_set(o, "policies", json_integer(n_sp));
		xb_json_set(o, "sa_out", json_boolean(is.sa_out));
		xb_json_set(o, "sa_in", json_boolean(is.sa_in));
		xb_json_set(o, "policy_out", json_boolean(is.sp_out));
		xb_json_set(o, "policy_in", json_boolean(is.sp_in));
		xb_json_set(o, "ok", json_boolean(ok));
		json_array_append_new(arr, o);
	}
	return arr;
}

int xb_ipsec_show(struct xb_ipsec *x, const struct xbd_config *cfg, json_t **out)
{
	struct ifaddrs *ifa = NULL;
	json_t *doc = json_object(), *sas = json_array(), *sps = json_array();
	struct xb_xstate st;
	unsigned int i;
	int err;

	*out = NULL;
	if (!doc || !sas || !sps) {
		err = xb_err(ENOMEM, "ipsec: out of memory");
		goto fail;
	}
	err = xb_xfrm_dump(x->sk, &st);
	if (err)
		goto fail;
	if (getifaddrs(&ifa))
		ifa = NULL;
	for (i = 0; i < st.n_sa; i++)
		if (xb_xsa_ours(&st.sa[i]))
			json_array_append_new(sas, sa_json(&st.sa[i], cfg, ifa));
	for (i = 0; i < st.n_sp; i++)
		if (xb_xsp_ours(&st.sp[i]))
			json_array_append_new(sps, sp_json(&st.sp[i], cfg));
	json_object_set_new(doc, "sas", sas);
	json_object_set_new(doc, "policies", sps);
	if (cfg)
		xb_json_set(doc, "peers", peers_json(cfg, &st));
	if (ifa)
		freeifaddrs(ifa);
	xb_xstate_free(&st);
	*out = doc;
	return 0;
fail:
	json_decref(doc);
	json_decref(sas);
	json_decref(sps);
	return err;
}
