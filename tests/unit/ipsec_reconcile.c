// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The decisions of the XFRM layer, against a small model of the kernel
 * that applies the operations the way XFRM does (an SA is its destination
 * and SPI, a policy its direction and selector): install from nothing,
 * adopt without duplicates, replace and update in place, remove what is no
 * longer configured (policies before SAs), refuse to touch what is not
 * ours, and the steps of a rekey over time.
 */
#include <errno.h>
#include <linux/xfrm.h>
#include <netinet/in.h>
#include <string.h>

#include "common/err.h"
#include "ipsec/ipsec.h"
#include "ipsec/model.h"
#include "kselftest_harness.h"

#define SWITCH_S 10
#define GRACE_S 20

static void addr(const char *s, struct xb_addr *a)
{
	if (xb_parse_addr(s, a))
		abort();
}

static void want_sa(struct xb_xsa *sa, const struct xb_addr *src, const struct xb_addr *dst,
		    uint32_t spi, uint8_t keybyte)
{
	memset(sa, 0, sizeof(*sa));
	sa->src = *src;
	sa->dst = *dst;
	sa->spi = spi;
	sa->proto = IPPROTO_ESP;
	sa->mode = XFRM_MODE_TRANSPORT;
	sa->alg = XBD_IPSEC_AES_GCM;
	sa->key.len = 20;
	memset(sa->key.bytes, keybyte, 20);
	sa->replay_window = 64;
	sa->peer = -1;
}

/* A static-key transport peer: LOCAL:5060 <-> REMOTE:5060. */
static void peer(struct xb_ipsec_ppeer *p, const char *name, const char *local, const char *remote,
		 uint32_t spi_in, uint32_t spi_out, uint8_t keybyte)
{
	struct xbd_ipsec ip;

	memset(p, 0, sizeof(*p));
	memset(&ip, 0, sizeof(ip));
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->mode = XFRM_MODE_TRANSPORT;
	p->priority = XB_IPSEC_PRIO_TRANSPORT;
	addr(local, &p->local);
	addr(remote, &p->remote);
	ip.enabled = true;
	ip.mode = XBD_IPSEC_TRANSPORT;
	ip.local = p->local;
	ip.remote = p->remote;
	ip.local_port = ip.remote_port = 5060;
	p->n_sels = xb_ipsec_selectors(&ip, p->sels, XB_IPSEC_MAX_SELS);
	want_sa(&p->in, &p->remote, &p->local, spi_in, keybyte);
	want_sa(&p->out, &p->local, &p->remote, spi_out, keybyte + 1);
	p->switch_s = SWITCH_S;
	p->grace_s = GRACE_S;
}

/* ---------------------------------------------------------------- the kernel model */

static int sa_at(const struct xb_xstate *st, const struct xb_xsa *sa)
{
	unsigned int i;

	for (i = 0; i < st->n_sa; i++)
		if (st->sa[i].spi == sa->spi && st->sa[i].proto == sa->proto &&
		    xb_addr_equal(&st->sa[i].dst, &sa->dst))
			return (int)i;
	return -1;
}

static int sp_at(const struct xb_xstate *st, const struct xb_xsp *sp, bool by_index)
{
	unsigned int i;

	for (i = 0; i < st->n_sp; i++)
		if (by_index ? st->sp[i].index == sp->index
			     : st->sp[i].dir == sp->dir && xb_xsel_equal(&st->sp[i].sel, &sp->sel))
			return (int)i;
	return -1;
}

static uint32_t next_index = 8;

/* Apply XP as the kernel would; -1 where the kernel would refuse. */
static int kernel(struct xb_xstate *st, const struct xb_xplan *xp, uint64_t now)
{
	unsigned int i;

	for (i = 0; i < xp->n; i++) {
		const struct xb_xact *a = &xp->acts[i];
		int h = a->kind <= XB_XACT_SA_DEL ? sa_at(st, &a->sa)
						  : sp_at(st, &a->sp, a->kind == XB_XACT_SP_DEL);
		struct xb_xsa *sa;
		struct xb_xsp *sp;

		switch (a->kind) {
		case XB_XACT_SA_ADD:
			if (h >= 0 || !(sa = xb_xstate_add_sa(st)))
				return -1; /* EEXIST */
			*sa = a->sa;
			sa->add_time = now;
			sa->use_time = sa->packets = sa->bytes = 0;
			break;
		case XB_XACT_SA_UPDATE:
			if (h < 0)
				return -1;
			st->sa[h].soft = a->sa.soft;
			st->sa[h].hard = a->sa.hard;
			break;
		case XB_XACT_SA_DEL:
			if (h < 0)
				return -1;
			st->sa[h] = st->sa[--st->n_sa];
			break;
		case XB_XACT_SP_ADD:
			if (h >= 0 || !(sp = xb_xstate_add_sp(st)))
				return -1;
			*sp = a->sp;
			sp->index = next_index++ * 8 + a->sp.dir;
			break;
		case XB_XACT_SP_UPDATE:
			if (h < 0)
				return -1;
			st->sp[h].priority = a->sp.priority;
			st->sp[h].tmpl = a->sp.tmpl;
			st->sp[h].n_tmpl = a->sp.n_tmpl;
			break;
		case XB_XACT_SP_DEL:
			if (h < 0)
				return -1;
			st->sp[h] = st->sp[--st->n_sp];
			break;
		}
	}
	return 0;
}

static unsigned int count(const struct xb_xplan *xp, enum xb_xact_kind kind)
{
	unsigned int i, n = 0;

	for (i = 0; i < xp->n; i++)
		n += xp->acts[i].kind == kind;
	return n;
}

/* Reconcile at NOW and apply the result to ST; XP keeps the plan. */
static int step(const struct xb_ipsec_plan *plan, struct xb_xstate *st, uint64_t now,
		struct xb_xplan *xp)
{
	int err = xb_ipsec_reconcile(plan, st, now, xp);

	return err ? err : kernel(st, xp, now);
}

static struct xb_xsa *find_spi(struct xb_xstate *st, uint32_t spi)
{
	unsigned int i;

	for (i = 0; i < st->n_sa; i++)
		if (st->sa[i].spi == spi)
			return &st->sa[i];
	return NULL;
}

/* ---------------------------------------------------------------- tests */

TEST(install_then_adopt_without_change) {
	struct xb_ipsec_ppeer p;
	struct xb_ipsec_plan plan = { .peers = &p, .n = 1 };
	struct xb_xstate st = { 0 };
	struct xb_xplan xp;
	unsigned int i;

	peer(&p, "b", "10.9.0.1", "10.9.0.2", 0x100, 0x101, 1);
	ASSERT_EQ(0, step(&plan, &st, 1000, &xp)) TH_LOG("%s", xb_errmsg());
	ASSERT_EQ(10, xp.n);
	/* SAs first, inbound before outbound, then the policies */
	EXPECT_EQ(XB_XACT_SA_ADD, xp.acts[0].kind);
	EXPECT_EQ(0x100, xp.acts[0].sa.spi);
	EXPECT_EQ(XB_XACT_SA_ADD, xp.acts[1].kind);
	EXPECT_EQ(0x101, xp.acts[1].sa.spi);
	EXPECT_EQ(XB_IPSEC_REQID_MIN, xp.acts[0].sa.reqid);
	EXPECT_EQ(XB_IPSEC_REQID_MIN, xp.reqids[0]);
	for (i = 2; i < 10; i++) {
		const struct xb_xsp *sp = &xp.acts[i].sp;

		EXPECT_EQ(XB_XACT_SP_ADD, xp.acts[i].kind);
		EXPECT_EQ(XB_IPSEC_PRIO_TRANSPORT, sp->priority);
		EXPECT_EQ(XB_IPSEC_REQID_MIN, sp->tmpl.reqid);
		/* out: exactly our outbound SA; in: any SA of the peer's reqid */
		EXPECT_EQ(sp->dir == XFRM_POLICY_OUT ? 0x101u : 0u, sp->tmpl.spi);
		EXPECT_NE(XFRM_POLICY_FWD, sp->dir);
		EXPECT_TRUE(xb_xsp_ours(sp));
	}
	EXPECT_EQ(8, count(&xp, XB_XACT_SP_ADD)); /* 4 out + 4 in */
	EXPECT_FALSE(xp.pending);
	xb_xplan_free(&xp);
	EXPECT_TRUE(xb_xsa_ours(&st.sa[0]));

	/* a restart: the same configuration finds everything in place */
	find_spi(&st, 0x101)->packets = 42;
	ASSERT_EQ(0, step(&plan, &st, 5000, &xp));
	EXPECT_EQ(0, xp.n);
	EXPECT_EQ(2, xp.sa_kept);
	EXPECT_EQ(8, xp.sp_kept);
	EXPECT_EQ(2, st.n_sa);
	EXPECT_EQ(8, st.n_sp);
	EXPECT_EQ(42, find_spi(&st, 0x101)->packets);
	xb_xplan_free(&xp);
	xb_xstate_free(&st);
}

TEST(adopted_peer_keeps_its_reqid) {
	struct xb_ipsec_ppeer p[2];
	struct xb_ipsec_plan plan = { .peers = p, .n = 2 };
	struct xb_xstate st = { 0 };
	struct xb_xsa *sa;
	struct xb_xplan xp;

	peer(&p[0], "b", "10.9.0.1", "10.9.0.2", 0x100, 0x101, 1);
	peer(&p[1], "c", "10.9.0.1", "10.9.0.3", 0x200, 0x201, 3);
	/* c's inbound SA exists from an earlier run, with reqid MIN (not b's) */
	sa = xb_xstate_add_sa(&st);
	*sa = p[1].in;
	sa->reqid = XB_IPSEC_REQID_MIN;
	ASSERT_EQ(0, step(&plan, &st, 1000, &xp)) TH_LOG("%s", xb_errmsg());
	EXPECT_EQ(XB_IPSEC_REQID_MIN + 1, xp.reqids[0]);
	EXPECT_EQ(XB_IPSEC_REQID_MIN, xp.reqids[1]);
	EXPECT_EQ(1, xp.sa_kept); /* c's inbound SA: adopted as it is */
	EXPECT_EQ(3, count(&xp, XB_XACT_SA_ADD));
	xb_xplan_free(&xp);
	xb_xstate_free(&st);
}

TEST(foreign_state_in_the_way_is_refused) {
	struct xb_ipsec_ppeer p;
	struct xb_ipsec_plan plan = { .peers = &p, .n = 1 };
	struct xb_xstate st = { 0 };
	struct xb_xsa *sa;
	struct xb_xsp *sp;
	struct xb_xplan xp;

	peer(&p, "b", "10.9.0.1", "10.9.0.2", 0x100, 0x101, 1);
	/* an IKE daemon's SA on another SPI is no obstacle, and is left alone */
	sa = xb_xstate_add_sa(&st);
	*sa = p.out;
	sa->spi = 0x999;
	sa->reqid = 7;
	ASSERT_EQ(0, xb_ipsec_reconcile(&plan, &st, 1000, &xp));
	EXPECT_EQ(10, xp.n);
	xb_xplan_free(&xp);

	/* ... but one with our SPI is */
	sa->spi = 0x101;
	EXPECT_EQ(-EEXIST, xb_ipsec_reconcile(&plan, &st, 1000, &xp));
	EXPECT_STREQ("ipsec: peer 'b': an SA with SPI 0x00000101 to 10.9.0.2 exists and is not "
		     "xborder's (reqid 7)",
		     xb_errmsg());
	EXPECT_EQ(0, xp.n);
	st.n_sa = 0;

	/* a foreign policy with one of our selectors, whatever its priority */
	sp = xb_xstate_add_sp(&st);
	sp->dir = XFRM_POLICY_IN;
	xb_xsel_mirror(&p.sels[1], &sp->sel);
	sp->priority = 100;
	sp->n_tmpl = 1;
	sp->tmpl.reqid = 7;
	EXPECT_EQ(-EEXIST, xb_ipsec_reconcile(&plan, &st, 1000, &xp));
	EXPECT_STREQ(
		"ipsec: peer 'b': a policy in 10.9.0.2/32 -> 10.9.0.1/32 udp dport 5060 exists "
		"and is not xborder's (priority 100)",
		xb_errmsg());
	/* with a mark it is another policy for the kernel: no conflict */
	sp->mark_v = sp->mark_m = 1;
	EXPECT_EQ(0, xb_ipsec_reconcile(&plan, &st, 1000, &xp));
	xb_xplan_free(&xp);
	/* in our priority band but with a foreign reqid: still not ours */
	sp->mark_v = sp->mark_m = 0;
	sp->priority = XB_IPSEC_PRIO_TRANSPORT;
	EXPECT_FALSE(xb_xsp_ours(sp));
	EXPECT_EQ(-EEXIST, xb_ipsec_reconcile(&plan, &st, 1000, &xp));
	xb_xstate_free(&st);
}

TEST(removed_peer_goes_policies_first) {
	struct xb_ipsec_ppeer p[2];
	struct xb_ipsec_plan plan = { .peers = p, .n = 2 };
	struct xb_xstate st = { 0 };
	struct xb_xsa *foreign;
	struct xb_xplan xp;
	unsigned int i;

	peer(&p[0], "b", "10.9.0.1", "10.9.0.2", 0x100, 0x101, 1);
	peer(&p[1], "c", "10.9.0.1", "10.9.0.3", 0x200, 0x201, 3);
	foreign = xb_xstate_add_sa(&st);
	*foreign = p[1].out;
	foreign->spi = 0x999;
	foreign->reqid = 7;
	ASSERT_EQ(0, step(&plan, &st, 1000, &xp));
	xb_xplan_free(&xp);
	EXPECT_EQ(5, st.n_sa);
	EXPECT_EQ(16, st.n_sp);

	plan.n = 1; /* c is gone from the configuration */
	ASSERT_EQ(0, step(&plan, &st, 1001, &xp));
	ASSERT_EQ(10, xp.n);
	for (i = 0; i < 8; i++) {
		EXPECT_EQ(XB_XACT_SP_DEL, xp.acts[i].kind);
		EXPECT_EQ(-1, xp.acts[i].peer);
	}
	EXPECT_EQ(XB_XACT_SA_DEL, xp.acts[8].kind);
	EXPECT_EQ(XB_XACT_SA_DEL, xp.acts[9].kind);
	EXPECT_EQ(0x200 | 0x201, xp.acts[8].sa.spi | xp.acts[9].sa.spi);
	EXPECT_NE(xp.acts[8].sa.spi, xp.acts[9].sa.spi);
	xb_xplan_free(&xp);
	EXPECT_EQ(3, st.n_sa); /* b's two and the foreign one */
	EXPECT_NE(NULL, find_spi(&st, 0x999));
	EXPECT_EQ(8, st.n_sp);
	xb_xstate_free(&st);
}

TEST(changed_key_replaces_changed_lifetime_updates) {
	struct xb_ipsec_ppeer p;
	struct xb_ipsec_plan plan = { .peers = &p, .n = 1 };
	struct xb_xstate st = { 0 };
	struct xb_xplan xp;

	peer(&p, "b", "10.9.0.1", "10.9.0.2", 0x100, 0x101, 1);
	ASSERT_EQ(0, step(&plan, &st, 1000, &xp));
	xb_xplan_free(&xp);

	/* the same SPI with another key: the kernel cannot rekey an SA */
	p.in.key.bytes[5] ^= 0xff;
	ASSERT_EQ(0, step(&plan, &st, 1001, &xp));
	ASSERT_EQ(2, xp.n);
	EXPECT_EQ(XB_XACT_SA_DEL, xp.acts[0].kind);
	EXPECT_TRUE(xp.acts[0].replace);
	EXPECT_EQ(XB_XACT_SA_ADD, xp.acts[1].kind);
	EXPECT_TRUE(xp.acts[1].replace);
	EXPECT_EQ(0x100, xp.acts[1].sa.spi);
	EXPECT_EQ(8, xp.sp_kept);
	xb_xplan_free(&xp);

	/* only the lifetimes: updated in place */
	p.out.hard.seconds = 3600;
	ASSERT_EQ(0, step(&plan, &st, 1002, &xp));
	ASSERT_EQ(1, xp.n);
	EXPECT_EQ(XB_XACT_SA_UPDATE, xp.acts[0].kind);
	EXPECT_EQ(3600, find_spi(&st, 0x101)->hard.seconds);
	xb_xplan_free(&xp);

	/* the replay window is fixed at creation: replaced */
	p.out.replay_window = 128;
	ASSERT_EQ(0, step(&plan, &st, 1003, &xp));
	EXPECT_EQ(2, xp.n);
	xb_xplan_free(&xp);
	xb_xstate_free(&st);
}

/* New SPIs and keys: add, wait for the peer, switch, wait, remove. */
TEST(rekey_steps) {
	struct xb_ipsec_ppeer p;
	struct xb_ipsec_plan plan = { .peers = &p, .n = 1 };
	struct xb_xstate st = { 0 };
	struct xb_xplan xp;
	unsigned int i;

	peer(&p, "b", "10.9.0.1", "10.9.0.2", 0x100, 0x101, 1);
	ASSERT_EQ(0, step(&plan, &st, 1000, &xp));
	xb_xplan_free(&xp);
	find_spi(&st, 0x101)->packets = 500;
	find_spi(&st, 0x101)->use_time = 1001;

	peer(&p, "b", "10.9.0.1", "10.9.0.2", 0x200, 0x201, 5);
	ASSERT_EQ(0, step(&plan, &st, 2000, &xp));
	/* the new SAs beside the old ones; out policies stay on the old SA */
	EXPECT_EQ(2, xp.n);
	EXPECT_EQ(2, count(&xp, XB_XACT_SA_ADD));
	EXPECT_EQ(8, xp.sp_kept);
	EXPECT_EQ(2, xp.sa_kept);
	EXPECT_TRUE(xp.pending);
	EXPECT_EQ(SWITCH_S, xp.next_s);
	EXPECT_EQ(XB_IPSEC_REQID_MIN, xp.acts[0].sa.reqid); /* the peer's, unchanged */
	xb_xplan_free(&xp);
	EXPECT_EQ(4, st.n_sa);

	/* nothing from the peer on the new SA yet, switch_s not over */
	ASSERT_EQ(0, step(&plan, &st, 2004, &xp));
	EXPECT_EQ(0, xp.n);
	EXPECT_TRUE(xp.pending);
	EXPECT_EQ(SWITCH_S - 4, xp.next_s);
	xb_xplan_free(&xp);

	/* switch_s over: the 4 out policies move to the new SA */
	ASSERT_EQ(0, step(&plan, &st, 2000 + SWITCH_S, &xp));
	EXPECT_EQ(4, xp.n);
	for (i = 0; i < xp.n; i++) {
		EXPECT_EQ(XB_XACT_SP_UPDATE, xp.acts[i].kind);
		EXPECT_EQ(XFRM_POLICY_OUT, xp.acts[i].sp.dir);
		EXPECT_EQ(0x201, xp.acts[i].sp.tmpl.spi);
	}
	EXPECT_TRUE(xp.pending);
	EXPECT_EQ(GRACE_S, xp.next_s);
	xb_xplan_free(&xp);
	find_spi(&st, 0x201)->use_time = 2000 + SWITCH_S; /* first packet on it */

	/* the old SAs stay for the grace period, then go */
	ASSERT_EQ(0, step(&plan, &st, 2000 + SWITCH_S + GRACE_S - 1, &xp));
	EXPECT_EQ(0, xp.n);
	EXPECT_EQ(1, xp.next_s);
	xb_xplan_free(&xp);
	ASSERT_EQ(0, step(&plan, &st, 2000 + SWITCH_S + GRACE_S, &xp));
	EXPECT_EQ(2, xp.n);
	EXPECT_EQ(2, count(&xp, XB_XACT_SA_DEL));
	EXPECT_FALSE(xp.pending);
	xb_xplan_free(&xp);
	EXPECT_EQ(2, st.n_sa);
	EXPECT_EQ(NULL, find_spi(&st, 0x101));
	EXPECT_NE(NULL, find_spi(&st, 0x200));
	ASSERT_EQ(0, step(&plan, &st, 9999, &xp));
	EXPECT_EQ(0, xp.n);
	xb_xplan_free(&xp);
	xb_xstate_free(&st);
}

/* The peer sending on our new inbound SA proves it has the new keys. */
TEST(rekey_switches_early_when_the_peer_is_ready) {
	struct xb_ipsec_ppeer p;
	struct xb_ipsec_plan plan = { .peers = &p, .n = 1 };
	struct xb_xstate st = { 0 };
	struct xb_xplan xp;

	peer(&p, "b", "10.9.0.1", "10.9.0.2", 0x100, 0x101, 1);
	ASSERT_EQ(0, step(&plan, &st, 1000, &xp));
	xb_xplan_free(&xp);
	peer(&p, "b", "10.9.0.1", "10.9.0.2", 0x200, 0x201, 5);
	ASSERT_EQ(0, step(&plan, &st, 2000, &xp));
	xb_xplan_free(&xp);
	find_spi(&st, 0x200)->packets = 3;
	ASSERT_EQ(0, step(&plan, &st, 2001, &xp));
	EXPECT_EQ(4, count(&xp, XB_XACT_SP_UPDATE));
	xb_xplan_free(&xp);
	xb_xstate_free(&st);
}

/* A changed outbound SPI alone is no evidence: the inbound SA is old. */
TEST(rekey_of_the_outbound_sa_alone_waits) {
	struct xb_ipsec_ppeer p;
	struct xb_ipsec_plan plan = { .peers = &p, .n = 1 };
	struct xb_xstate st = { 0 };
	struct xb_xplan xp;

	peer(&p, "b", "10.9.0.1", "10.9.0.2", 0x100, 0x101, 1);
	ASSERT_EQ(0, step(&plan, &st, 1000, &xp));
	xb_xplan_free(&xp);
	find_spi(&st, 0x100)->packets = 50;
	p.out.spi = 0x301;
	ASSERT_EQ(0, step(&plan, &st, 2000, &xp));
	EXPECT_EQ(1, xp.n);
	EXPECT_EQ(0, count(&xp, XB_XACT_SP_UPDATE));
	EXPECT_TRUE(xp.pending);
	xb_xplan_free(&xp);
	ASSERT_EQ(0, step(&plan, &st, 2000 + SWITCH_S, &xp));
	EXPECT_EQ(4, count(&xp, XB_XACT_SP_UPDATE));
	xb_xplan_free(&xp);
	xb_xstate_free(&st);
}

TEST(ike_peer_is_checked_not_installed) {
	struct xb_ipsec_ppeer p;
	struct xb_ipsec_plan plan = { .peers = &p, .n = 1 };
	struct xb_xstate st = { 0 };
	struct xb_xsa *sa;
	struct xb_xsp *sp;
	struct xb_xplan xp;

	peer(&p, "b", "10.9.0.1", "10.9.0.2", 0x100, 0x101, 1);
	ASSERT_EQ(0, step(&plan, &st, 1000, &xp)); /* as static first */
	xb_xplan_free(&xp);
	p.ike = true; /* now an IKE daemon negotiates it */
	ASSERT_EQ(0, step(&plan, &st, 1001, &xp));
	EXPECT_EQ(10, xp.n); /* ours all go: the daemon installs its own */
	EXPECT_EQ(8, count(&xp, XB_XACT_SP_DEL));
	EXPECT_FALSE(xp.ike[0].sa_out || xp.ike[0].sa_in || xp.ike[0].sp_out || xp.ike[0].sp_in);
	xb_xplan_free(&xp);

	/* what the IKE daemon installs: reqid 1, its own priorities */
	sa = xb_xstate_add_sa(&st);
	*sa = p.out;
	sa->reqid = 1;
	sa = xb_xstate_add_sa(&st);
	*sa = p.in;
	sa->reqid = 1;
	sp = xb_xstate_add_sp(&st);
	sp->dir = XFRM_POLICY_OUT;
	sp->sel = p.sels[0];
	sp->priority = 200000;
	sp->n_tmpl = 1;
	sp->tmpl.src = p.local;
	sp->tmpl.dst = p.remote;
	sp->tmpl.proto = IPPROTO_ESP;
	sp->tmpl.reqid = 1;
	ASSERT_EQ(0, step(&plan, &st, 1002, &xp));
	EXPECT_EQ(0, xp.n);
	EXPECT_TRUE(xp.ike[0].sa_out && xp.ike[0].sa_in && xp.ike[0].sp_out);
	EXPECT_FALSE(xp.ike[0].sp_in);
	xb_xplan_free(&xp);
	xb_xstate_free(&st);
}

TEST(flush_removes_only_ours) {
	struct xb_ipsec_ppeer p;
	struct xb_ipsec_plan plan = { .peers = &p, .n = 1 };
	struct xb_xstate st = { 0 };
	struct xb_xsa *sa;
	struct xb_xplan xp;
	unsigned int i;

	peer(&p, "b", "10.9.0.1", "10.9.0.2", 0x100, 0x101, 1);
	ASSERT_EQ(0, step(&plan, &st, 1000, &xp));
	xb_xplan_free(&xp);
	sa = xb_xstate_add_sa(&st);
	*sa = p.out;
	sa->spi = 0x999;
	sa->reqid = XB_IPSEC_REQID_MAX + 1;
	ASSERT_EQ(0, xb_ipsec_reconcile_flush(&st, &xp));
	ASSERT_EQ(10, xp.n);
	for (i = 0; i < 8; i++)
		EXPECT_EQ(XB_XACT_SP_DEL, xp.acts[i].kind);
	ASSERT_EQ(0, kernel(&st, &xp, 1001));
	xb_xplan_free(&xp);
	EXPECT_EQ(1, st.n_sa);
	EXPECT_EQ(0x999, st.sa[0].spi);
	EXPECT_EQ(0, st.n_sp);
	xb_xstate_free(&st);
}

TEST_HARNESS_MAIN
