// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What to change so that the kernel's XFRM state is what the plan asks
 * for. Pure: the kernel's state comes in as a struct xb_xstate, the answer
 * goes out as a list of operations, so every decision here (adopt, update
 * in place, remove stale, the steps of a rekey) is unit-tested.
 *
 * Identity is the kernel's: an SA is (destination, SPI, protocol), a
 * policy (direction, selector, mark). Ours carry an xborder reqid; a
 * configured peer's SAs of an earlier generation are recognised by their
 * endpoints and mode.
 */
#include <errno.h>
#include <linux/xfrm.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "ipsec/ipsec.h"
#include "ipsec/model.h"

/* The four lists the operations are collected in, in execution order. */
enum { L_SA_ADD, L_SP_SET, L_SP_DEL, L_SA_DEL, L_N };

struct lists {
	struct xb_xplan l[L_N];
};

static int push(struct xb_xplan *xp, enum xb_xact_kind kind, const struct xb_xsa *sa,
		const struct xb_xsp *sp, int peer, bool replace)
{
	struct xb_xact *a;

	if (xp->n == xp->cap) {
		unsigned int ncap = xp->cap ? xp->cap * 2 : 16;
		struct xb_xact *p = realloc(xp->acts, ncap * sizeof(*p));

		if (!p)
			return xb_err(ENOMEM, "ipsec: out of memory");
		xp->acts = p;
		xp->cap = ncap;
	}
	a = &xp->acts[xp->n++];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->replace = replace;
	a->peer = peer;
	if (sa)
		a->sa = *sa;
	if (sp)
		a->sp = *sp;
	return 0;
}

void xb_xplan_free(struct xb_xplan *xp)
{
	unsigned int i;

	if (!xp)
		return;
	for (i = 0; i < xp->n; i++)
		xb_ipsec_key_wipe(&xp->acts[i].sa.key);
	free(xp->acts);
	free(xp->reqids);
	free(xp->ike);
	memset(xp, 0, sizeof(*xp));
}

/* Concatenate the lists into OUT (which owns the result). */
static int join_lists(struct lists *ls, struct xb_xplan *out)
{
	unsigned int i, j, n = 0;

	for (i = 0; i < L_N; i++)
		n += ls->l[i].n;
	if (n) {
		out->acts = calloc(n, sizeof(*out->acts));
		if (!out->acts)
			return xb_err(ENOMEM, "ipsec: out of memory");
		out->cap = n;
	}
	for (i = 0; i < L_N; i++)
		for (j = 0; j < ls->l[i].n; j++)
			out->acts[out->n++] = ls->l[i].acts[j];
	return 0;
}

static void free_lists(struct lists *ls)
{
	unsigned int i;

	for (i = 0; i < L_N; i++)
		xb_xplan_free(&ls->l[i]);
}

/* ---------------------------------------------------------------- matching */

static bool ends_match(const struct xb_ipsec_ppeer *p, const struct xb_addr *src,
		       const struct xb_addr *dst)
{
	return (xb_addr_equal(src, &p->local) && xb_addr_equal(dst, &p->remote)) ||
	       (xb_addr_equal(src, &p->remote) && xb_addr_equal(dst, &p->local));
}

/* The static-key peer an SA of ours belongs to (any generation). */
static int sa_peer(const struct xb_ipsec_plan *plan, const struct xb_xsa *sa)
{
	unsigned int i;

	for (i = 0; i < plan->n; i++)
		if (!plan->peers[i].ike && plan->peers[i].mode == sa->mode &&
		    ends_match(&plan->peers[i], &sa->src, &sa->dst))
			return (int)i;
	return -1;
}

static int sp_peer(const struct xb_ipsec_plan *plan, const struct xb_xsp *sp)
{
	unsigned int i;

	for (i = 0; i < plan->n; i++)
		if (!plan->peers[i].ike && plan->peers[i].mode == sp->tmpl.mode &&
		    ends_match(&plan->peers[i], &sp->tmpl.src, &sp->tmpl.dst))
			return (int)i;
	return -1;
}

static int find_sa(const struct xb_xstate *st, const struct xb_addr *dst, uint32_t spi,
		   uint8_t proto)
{
	unsigned int i;

	for (i = 0; i < st->n_sa; i++)
		if (st->sa[i].spi == spi && st->sa[i].proto == proto &&
		    xb_addr_equal(&st->sa[i].dst, dst))
			return (int)i;
	return -1;
}

/* A policy with the kernel identity of ours: direction, selector, no mark. */
static int find_sp(const struct xb_xstate *st, uint8_t dir, const struct xb_xsel *sel)
{
	unsigned int i;

	for (i = 0; i < st->n_sp; i++)
		if (st->sp[i].dir == dir && !st->sp[i].mark_v && !st->sp[i].mark_m &&
		    xb_xsel_equal(&st->sp[i].sel, sel))
			return (int)i;
	return -1;
}

static bool sa_same(const struct xb_xsa *have, const struct xb_xsa *want)
{
	return xb_addr_equal(&have->src, &want->src) && xb_addr_equal(&have->dst, &want->dst) &&
	       have->spi == want->spi && have->proto == want->proto && have->mode == want->mode &&
	       have->reqid == want->reqid && have->alg == want->alg &&
	       have->key.len == want->key.len &&
	       !memcmp(have->key.bytes, want->key.bytes, want->key.len) &&
	       have->replay_window == want->replay_window && !have->mark_v && !have->mark_m;
}

static bool lifetimes_same(const struct xb_xsa *a, const struct xb_xsa *b)
{
	return !memcmp(&a->soft, &b->soft, sizeof(a->soft)) &&
	       !memcmp(&a->hard, &b->hard, sizeof(a->hard));
}

static bool sp_same(const struct xb_xsp *have, const struct xb_xsp *want)
{
	const struct xb_xtmpl *a = &have->tmpl, *b = &want->tmpl;

	return have->priority == want->priority && have->action == want->action &&
	       have->n_tmpl == 1 && xb_addr_equal(&a->src, &b->src) &&
	       xb_addr_equal(&a->dst, &b->dst) && a->spi == b->spi && a->reqid == b->reqid &&
	       a->mode == b->mode && a->proto == b->proto;
}

/* ---------------------------------------------------------------- reqids */

static bool reqid_used(const struct xb_xstate *st, const uint32_t *assigned, unsigned int n,
		       uint32_t r)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (assigned[i] == r)
			return true;
	for (i = 0; i < st->n_sa; i++)
		if (st->sa[i].reqid == r)
			return true;
	for (i = 0; i < st->n_sp; i++)
		if (st->sp[i].n_tmpl && st->sp[i].tmpl.reqid == r)
			return true;
	return false;
}

/*
 * A peer keeps the reqid its SAs already have (so that adopting changes
 * nothing); a new peer takes the lowest free one.
 */
static int assign_reqids(const struct xb_ipsec_plan *plan, const struct xb_xstate *st,
			 uint32_t *reqids)
{
	unsigned int i, k;

	for (i = 0; i < plan->n; i++) {
		const struct xb_ipsec_ppeer *p = &plan->peers[i];
		uint32_t r = 0;

		if (p->ike)
			continue;
		/* the wanted SAs first, then any of the peer's, then its policies */
		for (k = 0; k < st->n_sa && !r; k++) {
			const struct xb_xsa *s = &st->sa[k];

			if (xb_xsa_ours(s) && s->peer == (int)i &&
			    ((s->spi == p->in.spi && xb_addr_equal(&s->dst, &p->in.dst)) ||
			     (s->spi == p->out.spi && xb_addr_equal(&s->dst, &p->out.dst))))
				r = s->reqid;
		}
		for (k = 0; k < st->n_sa && !r; k++)
			if (xb_xsa_ours(&st->sa[k]) && st->sa[k].peer == (int)i)
				r = st->sa[k].reqid;
		for (k = 0; k < st->n_sp && !r; k++)
			if (xb_xsp_ours(&st->sp[k]) && st->sp[k].peer == (int)i)
				r = st->sp[k].tmpl.reqid;
		for (k = 0; k < i && r; k++)
			if (reqids[k] == r)
				r = 0; /* taken by an earlier peer: this one moves */
		for (k = XB_IPSEC_REQID_MIN; !r && k <= XB_IPSEC_REQID_MAX; k++)
			if (!reqid_used(st, reqids, i, k))
				r = k;
		if (!r)
			return xb_err(ENOSPC, "ipsec: no free reqid for peer '%s'", p->name);
		reqids[i] = r;
	}
	return 0;
}

/* ---------------------------------------------------------------- policies */

static unsigned int peer_dirs(const struct xb_ipsec_ppeer *p, uint8_t dirs[3])
{
	dirs[0] = XFRM_POLICY_OUT;
	dirs[1] = XFRM_POLICY_IN;
	dirs[2] = XFRM_POLICY_FWD;
	/* forwarded traffic exists only behind a tunnel */
	return p->mode == XFRM_MODE_TUNNEL ? 3 : 2;
}

static void want_sp(const struct xb_ipsec_ppeer *p, uint8_t dir, unsigned int s, uint32_t reqid,
		    uint32_t out_spi, struct xb_xsp *sp)
{
	memset(sp, 0, sizeof(*sp));
	sp->dir = dir;
	if (dir == XFRM_POLICY_OUT)
		sp->sel = p->sels[s];
	else
		xb_xsel_mirror(&p->sels[s], &sp->sel);
	sp->priority = p->priority;
	sp->action = XFRM_POLICY_ALLOW;
	sp->n_tmpl = 1;
	sp->tmpl.src = dir == XFRM_POLICY_OUT ? p->local : p->remote;
	sp->tmpl.dst = dir == XFRM_POLICY_OUT ? p->remote : p->local;
	/* out: exactly the SA to send on; in/fwd: any SA of the peer's reqid,
	 * so that old and new inbound SAs both pass during a rekey */
	sp->tmpl.spi = dir == XFRM_POLICY_OUT ? out_spi : 0;
	sp->tmpl.reqid = reqid;
	sp->tmpl.mode = p->mode;
	sp->tmpl.proto = IPPROTO_ESP;
}

static int check_conflicts(const struct xb_ipsec_plan *plan, const struct xb_xstate *st)
{
	char a[XB_ADDRSTRLEN], b[160];
	unsigned int i, s, d;
	uint8_t dirs[3];

	for (i = 0; i < plan->n; i++) {
		const struct xb_ipsec_ppeer *p = &plan->peers[i];
		const struct xb_xsa *want[2] = { &p->in, &p->out };

		if (p->ike)
			continue;
		for (d = 0; d < 2; d++) {
			int h = find_sa(st, &want[d]->dst, want[d]->spi, want[d]->proto);

			if (h >= 0 && !xb_xsa_ours(&st->sa[h]))
				return xb_err(
					EEXIST,
					"ipsec: peer '%s': an SA with SPI 0x%08x to %s exists "
					"and is not xborder's (reqid %u)",
					p->name, want[d]->spi,
					xb_fmt_addr(&want[d]->dst, a, sizeof(a)), st->sa[h].reqid);
		}
		for (d = 0; d < peer_dirs(p, dirs); d++) {
			for (s = 0; s < p->n_sels; s++) {
				struct xb_xsp sp;
				int h;

				want_sp(p, dirs[d], s, 0, 0, &sp);
				h = find_sp(st, sp.dir, &sp.sel);
				if (h >= 0 && !xb_xsp_ours(&st->sp[h]))
					return xb_err(EEXIST,
						      "ipsec: peer '%s': a policy %s %s exists and "
						      "is not xborder's (priority %u)",
						      p->name, xb_xdir_name(sp.dir),
						      xb_xsel_fmt(&sp.sel, b, sizeof(b)),
						      st->sp[h].priority);
			}
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- ike */

void xb_ipsec_check_ike(const struct xb_ipsec_ppeer *p, const struct xb_xstate *st,
			struct xb_ike_status *is)
{
	unsigned int k;

	memset(is, 0, sizeof(*is));
	for (k = 0; k < st->n_sa; k++) {
		const struct xb_xsa *s = &st->sa[k];

		/* ours are not the IKE daemon's: they go in this same pass */
		if (s->proto != IPPROTO_ESP || s->mode != p->mode || xb_xsa_ours(s))
			continue;
		is->sa_out |= xb_addr_equal(&s->src, &p->local) &&
			      xb_addr_equal(&s->dst, &p->remote);
		is->sa_in |= xb_addr_equal(&s->src, &p->remote) &&
			     xb_addr_equal(&s->dst, &p->local);
	}
	for (k = 0; k < st->n_sp; k++) {
		const struct xb_xsp *s = &st->sp[k];

		if (!s->n_tmpl || s->tmpl.mode != p->mode || s->tmpl.proto != IPPROTO_ESP ||
		    xb_xsp_ours(s))
			continue;
		if (s->dir == XFRM_POLICY_OUT && xb_addr_equal(&s->tmpl.src, &p->local) &&
		    xb_addr_equal(&s->tmpl.dst, &p->remote))
			is->sp_out = true;
		/* transport-mode templates may leave the addresses out */
		if (s->dir == XFRM_POLICY_IN &&
		    ((xb_addr_equal(&s->tmpl.src, &p->remote) &&
		      xb_addr_equal(&s->tmpl.dst, &p->local)) ||
		     (p->mode == XFRM_MODE_TRANSPORT && xb_addr_equal(&s->sel.src, &p->remote) &&
		      xb_addr_equal(&s->sel.dst, &p->local))))
			is->sp_in = true;
		if (s->dir == XFRM_POLICY_OUT && p->mode == XFRM_MODE_TRANSPORT &&
		    xb_addr_equal(&s->sel.src, &p->local) && xb_addr_equal(&s->sel.dst, &p->remote))
			is->sp_out = true;
	}
}

/* ---------------------------------------------------------------- the plan */

static void soonest(struct xb_xplan *out, uint64_t at, uint64_t now)
{
	uint64_t in = at > now ? at - now : 1;

	if (!out->pending || in < out->next_s)
		out->next_s = in;
	out->pending = true;
}

/* Per peer: the wanted SAs as found (or not) and the rekey's times. */
struct peer_state {
	int in_h, out_h; /* observed wanted SAs, -1 when added or replaced now */
	uint64_t in_time, out_time;
	uint32_t target_spi; /* the SPI the out policies send on */
	bool switched_now;
};

static int plan_sas(const struct xb_ipsec_plan *plan, const struct xb_xstate *st,
		    const uint32_t *reqids, bool *sa_wanted, struct peer_state *ps,
		    struct lists *ls, uint64_t now, struct xb_xplan *out)
{
	unsigned int i, d;
	int err;

	for (i = 0; i < plan->n; i++) {
		const struct xb_ipsec_ppeer *p = &plan->peers[i];

		if (p->ike)
			continue;
		for (d = 0; d < 2; d++) {
			struct xb_xsa want = d ? p->out : p->in;
			int h = find_sa(st, &want.dst, want.spi, want.proto);
			int *hp = d ? &ps[i].out_h : &ps[i].in_h;
			uint64_t *tp = d ? &ps[i].out_time : &ps[i].in_time;

			want.reqid = reqids[i];
			want.peer = (int)i;
			*hp = -1;
			*tp = now;
			err = 0;
			if (h >= 0)
				sa_wanted[h] = true;
			if (h < 0) {
				err = push(&ls->l[L_SA_ADD], XB_XACT_SA_ADD, &want, NULL, (int)i,
					   false);
			} else if (!sa_same(&st->sa[h], &want)) {
				/* same SPI, other key or reqid: the kernel cannot change it */
				err = push(&ls->l[L_SA_ADD], XB_XACT_SA_DEL, &st->sa[h], NULL,
					   (int)i, true);
				if (!err)
					err = push(&ls->l[L_SA_ADD], XB_XACT_SA_ADD, &want, NULL,
						   (int)i, true);
			} else {
				*hp = h;
				*tp = st->sa[h].add_time;
				if (!lifetimes_same(&st->sa[h], &want))
					err = push(&ls->l[L_SA_ADD], XB_XACT_SA_UPDATE, &want, NULL,
						   (int)i, false);
				else
					out->sa_kept++;
			}
			xb_ipsec_key_wipe(&want.key);
			if (err)
				return err;
		}
	}
	return 0;
}

/* Which outbound SA the peer's out policies send on now. */
static void plan_switch(const struct xb_ipsec_ppeer *p, unsigned int i, const struct xb_xstate *st,
			uint32_t reqid, struct peer_state *ps, uint64_t now, struct xb_xplan *out)
{
	uint32_t active = 0;
	uint64_t ready;
	bool old_alive = false, in_fresh, used;
	unsigned int k;

	ps->target_spi = p->out.spi;
	for (k = 0; k < st->n_sp && !active; k++)
		if (xb_xsp_ours(&st->sp[k]) && st->sp[k].peer == (int)i &&
		    st->sp[k].dir == XFRM_POLICY_OUT)
			active = st->sp[k].tmpl.spi;
	if (!active || active == p->out.spi)
		return;
	for (k = 0; k < st->n_sa && !old_alive; k++) {
		const struct xb_xsa *s = &st->sa[k];

		old_alive = xb_xsa_ours(s) && s->peer == (int)i && s->spi == active &&
			    s->reqid == reqid && xb_addr_equal(&s->dst, &p->remote) &&
			    s->proto == IPPROTO_ESP;
	}
	if (!old_alive)
		return; /* nothing to send on but the new SA */
	/*
	 * The peer is ready for our new outbound SA once it has installed it
	 * as its inbound one: we see that when it sends on our new inbound SA
	 * (installed in the same rekey), or assume it after switch_s.
	 */
	in_fresh = ps->in_time + 1 >= ps->out_time;
	used = ps->in_h >= 0 && st->sa[ps->in_h].packets > 0;
	ready = (ps->in_time > ps->out_time ? ps->in_time : ps->out_time) + p->switch_s;
	if ((in_fresh && used) || now >= ready) {
		ps->switched_now = true;
		return;
	}
	ps->target_spi = active;
	soonest(out, ready, now);
}

static int plan_policies(const struct xb_ipsec_plan *plan, const struct xb_xstate *st,
			 const uint32_t *reqids, bool *sp_wanted, struct peer_state *ps,
			 struct lists *ls, uint64_t now, struct xb_xplan *out)
{
	unsigned int i, d, s;
	uint8_t dirs[3];
	int err = 0;

	for (i = 0; i < plan->n; i++) {
		const struct xb_ipsec_ppeer *p = &plan->peers[i];

		if (p->ike)
			continue;
		plan_switch(p, i, st, reqids[i], &ps[i], now, out);
		for (d = 0; d < peer_dirs(p, dirs); d++) {
			for (s = 0; s < p->n_sels && !err; s++) {
				struct xb_xsp sp;
				int h;

				want_sp(p, dirs[d], s, reqids[i], ps[i].target_spi, &sp);
				sp.peer = (int)i;
				h = find_sp(st, sp.dir, &sp.sel);
				if (h < 0) {
					err = push(&ls->l[L_SP_SET], XB_XACT_SP_ADD, NULL, &sp,
						   (int)i, false);
					continue;
				}
				sp_wanted[h] = true;
				if (sp_same(&st->sp[h], &sp)) {
					out->sp_kept++;
					continue;
				}
				sp.index = st->sp[h].index;
				err = push(&ls->l[L_SP_SET], XB_XACT_SP_UPDATE, NULL, &sp, (int)i,
					   false);
			}
		}
		if (err)
			return err;
	}
	for (i = 0; i < st->n_sp && !err; i++)
		if (xb_xsp_ours(&st->sp[i]) && !sp_wanted[i])
			err = push(&ls->l[L_SP_DEL], XB_XACT_SP_DEL, NULL, &st->sp[i],
				   st->sp[i].peer, false);
	return err;
}

/* Ours not wanted: an earlier generation waits out the rekey, the rest goes. */
static int plan_sa_removal(const struct xb_ipsec_plan *plan, const struct xb_xstate *st,
			   const uint32_t *reqids, const bool *sa_wanted,
			   const struct peer_state *ps, struct lists *ls, uint64_t now,
			   struct xb_xplan *out)
{
	unsigned int i;
	int err = 0;

	for (i = 0; i < st->n_sa && !err; i++) {
		const struct xb_xsa *s = &st->sa[i];
		const struct xb_ipsec_ppeer *p;
		const struct peer_state *q;
		uint64_t t_switch;

		if (!xb_xsa_ours(s) || sa_wanted[i])
			continue;
		if (s->peer < 0 || s->reqid != reqids[s->peer]) {
			err = push(&ls->l[L_SA_DEL], XB_XACT_SA_DEL, s, NULL, s->peer, false);
			continue;
		}
		p = &plan->peers[s->peer];
		q = &ps[s->peer];
		if (q->target_spi != p->out.spi) {
			out->sa_kept++; /* still sending on the old SA */
			continue;
		}
		/* when the switch happened: the first packet on the new SA */
		if (q->switched_now)
			t_switch = now;
		else if (q->out_h >= 0 && st->sa[q->out_h].use_time)
			t_switch = st->sa[q->out_h].use_time;
		else
			t_switch =
				(q->in_time > q->out_time ? q->in_time : q->out_time) + p->switch_s;
		if (now >= t_switch + p->grace_s) {
			err = push(&ls->l[L_SA_DEL], XB_XACT_SA_DEL, s, NULL, s->peer, false);
		} else {
			out->sa_kept++;
			soonest(out, t_switch + p->grace_s, now);
		}
	}
	return err;
}

int xb_ipsec_reconcile(const struct xb_ipsec_plan *plan, struct xb_xstate *st, uint64_t now,
		       struct xb_xplan *out)
{
	struct peer_state *ps = NULL;
	bool *sa_wanted = NULL, *sp_wanted = NULL;
	struct lists ls;
	unsigned int i;
	int err;

	memset(out, 0, sizeof(*out));
	memset(&ls, 0, sizeof(ls));
	out->reqids = calloc(plan->n + 1, sizeof(*out->reqids));
	out->ike = calloc(plan->n + 1, sizeof(*out->ike));
	ps = calloc(plan->n + 1, sizeof(*ps));
	sa_wanted = calloc(st->n_sa + 1, sizeof(*sa_wanted));
	sp_wanted = calloc(st->n_sp + 1, sizeof(*sp_wanted));
	if (!out->reqids || !out->ike || !ps || !sa_wanted || !sp_wanted) {
		err = xb_err(ENOMEM, "ipsec: out of memory");
		goto out;
	}
	for (i = 0; i < st->n_sa; i++)
		st->sa[i].peer = xb_xsa_ours(&st->sa[i]) ? sa_peer(plan, &st->sa[i]) : -1;
	for (i = 0; i < st->n_sp; i++)
		st->sp[i].peer = xb_xsp_ours(&st->sp[i]) ? sp_peer(plan, &st->sp[i]) : -1;
	for (i = 0; i < plan->n; i++)
		if (plan->peers[i].ike)
			xb_ipsec_check_ike(&plan->peers[i], st, &out->ike[i]);
	if ((err = assign_reqids(plan, st, out->reqids)) || (err = check_conflicts(plan, st)) ||
	    (err = plan_sas(plan, st, out->reqids, sa_wanted, ps, &ls, now, out)) ||
	    (err = plan_policies(plan, st, out->reqids, sp_wanted, ps, &ls, now, out)) ||
	    (err = plan_sa_removal(plan, st, out->reqids, sa_wanted, ps, &ls, now, out)))
		goto out;
	err = join_lists(&ls, out);
out:
	free_lists(&ls);
	free(ps);
	free(sa_wanted);
	free(sp_wanted);
	if (err)
		xb_xplan_free(out);
	return err;
}

int xb_ipsec_reconcile_flush(const struct xb_xstate *st, struct xb_xplan *out)
{
	unsigned int i;
	int err = 0;

	memset(out, 0, sizeof(*out));
	/* policies first: no packet may find a policy whose SA is gone */
	for (i = 0; i < st->n_sp && !err; i++)
		if (xb_xsp_ours(&st->sp[i]))
			err = push(out, XB_XACT_SP_DEL, NULL, &st->sp[i], -1, false);
	for (i = 0; i < st->n_sa && !err; i++)
		if (xb_xsa_ours(&st->sa[i]))
			err = push(out, XB_XACT_SA_DEL, &st->sa[i], NULL, -1, false);
	if (err)
		xb_xplan_free(out);
	return err;
}
