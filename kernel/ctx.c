// SPDX-License-Identifier: GPL-2.0
/*
 * The table of SRTP contexts: an xarray keyed by context id. The packet
 * path looks contexts up under RCU without a lock; adds, replaces and
 * deletes are serialized by a mutex and free the old context after a grace
 * period, from a workqueue, because freeing crypto transforms may sleep.
 * The mutable RTP/RTCP state inside a context has its own spinlock.
 */
#include <crypto/hash.h>
#include <crypto/internal/cipher.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "xborder.h"

static DEFINE_XARRAY(xb_ctxs);
static DEFINE_MUTEX(xb_ctx_mutex); /* writers of xb_ctxs */
static atomic_t xb_nctx = ATOMIC_INIT(0);
static unsigned int xb_max;
static struct workqueue_struct *xb_free_wq;

int xb_ctx_table_init(unsigned int max)
{
	xb_max = max;
	xb_free_wq = alloc_workqueue("xborder_free", 0, 0);
	return xb_free_wq ? 0 : -ENOMEM;
}

void xb_ctx_table_exit(void)
{
	struct xb_srtp_ctx *c;
	unsigned long id;

	/* No BPF program can still call us (each one holds a reference on
	 * the module) and the netlink family is gone: free synchronously. */
	mutex_lock(&xb_ctx_mutex);
	xa_for_each(&xb_ctxs, id, c)
	{
		xa_erase(&xb_ctxs, id);
		xb_ctx_destroy(c);
	}
	mutex_unlock(&xb_ctx_mutex);
	/* contexts deleted earlier: their grace periods, then their work */
	rcu_barrier();
	destroy_workqueue(xb_free_wq);
	xa_destroy(&xb_ctxs);
}

unsigned int xb_ctx_count(void)
{
	return atomic_read(&xb_nctx);
}

unsigned int xb_ctx_max(void)
{
	return xb_max;
}

struct xb_srtp_ctx *xb_ctx_lookup_rcu(u32 id)
{
	return xa_load(&xb_ctxs, id);
}

struct xb_srtp_ctx *xb_ctx_next_rcu(unsigned long *id)
{
	return xa_find(&xb_ctxs, id, U32_MAX, XA_PRESENT);
}

void xb_ctx_destroy(struct xb_srtp_ctx *c)
{
	xb_srtp_keys_free(c);
	kfree_sensitive(c);
}

static void xb_ctx_free_work(struct work_struct *w)
{
	xb_ctx_destroy(container_of(to_rcu_work(w), struct xb_srtp_ctx, free_work));
}

static void xb_ctx_retire(struct xb_srtp_ctx *c)
{
	INIT_RCU_WORK(&c->free_work, xb_ctx_free_work);
	queue_rcu_work(xb_free_wq, &c->free_work);
}

struct xb_srtp_ctx *xb_ctx_create(const struct xb_srtp_params *prm)
{
	struct xb_srtp_ctx *c;
	int err, i;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return ERR_PTR(-ENOMEM);
	c->id = prm->id;
	c->suite = prm->suite;
	c->dir = prm->dir;
	c->tag_len = prm->suite == XBORDER_SRTP_AES_CM_128_HMAC_SHA1_32 ? 4 : 10;
	c->window = prm->window;
	c->ssrc_fixed = prm->ssrc_fixed;
	c->ssrc = prm->ssrc;
	c->have_ssrc = prm->ssrc_fixed;
	c->roc = prm->roc;
	c->have_seq = prm->have_seq;
	c->s_l = prm->seq;
	c->srtcp_index = prm->srtcp_index;
	spin_lock_init(&c->lock);
	for (i = 0; i < XB_ST_COUNT; i++)
		atomic64_set(&c->stats[i], 0);
	/* handed-over receive state: what was received already is a replay */
	if (prm->dir == XBORDER_SRTP_UNPROTECT && prm->have_seq) {
		c->rtp_replay.init = true;
		c->rtp_replay.top = ((u64)prm->roc << 16) | prm->seq;
		c->rtp_replay.bits[(c->rtp_replay.top >> 6) % XB_REPLAY_WORDS] =
			1ULL << (c->rtp_replay.top & 63);
	}
	if (prm->dir == XBORDER_SRTP_UNPROTECT && prm->have_srtcp_index) {
		c->rtcp_replay.init = true;
		c->rtcp_replay.top = prm->srtcp_index;
		c->rtcp_replay.bits[(c->rtcp_replay.top >> 6) % XB_REPLAY_WORDS] =
			1ULL << (c->rtcp_replay.top & 63);
	}
	err = xb_srtp_keys_init(c, prm->key, prm->salt);
	if (err) {
		xb_ctx_destroy(c);
		return ERR_PTR(err);
	}
	return c;
}

int xb_ctx_insert(struct xb_srtp_ctx *c, bool replace)
{
	struct xb_srtp_ctx *old;
	int i, err = 0;

	mutex_lock(&xb_ctx_mutex);
	old = xa_load(&xb_ctxs, c->id);
	if (old && !replace) {
		err = -EEXIST;
	} else if (!old && replace) {
		err = -ENOENT;
	} else if (!old && atomic_read(&xb_nctx) >= xb_max) {
		err = -ENOSPC;
	} else {
		/* a re-key continues the counters (packets the old context
		 * counts during the grace period are not carried over) */
		if (old)
			for (i = 0; i < XB_ST_COUNT; i++)
				atomic64_set(&c->stats[i], atomic64_read(&old->stats[i]));
		err = xa_err(xa_store(&xb_ctxs, c->id, c, GFP_KERNEL));
		if (!err && old)
			xb_ctx_retire(old);
		else if (!err)
			atomic_inc(&xb_nctx);
	}
	mutex_unlock(&xb_ctx_mutex);
	return err;
}

int xb_ctx_delete(u32 id)
{
	struct xb_srtp_ctx *c;

	mutex_lock(&xb_ctx_mutex);
	c = xa_erase(&xb_ctxs, id);
	if (c)
		atomic_dec(&xb_nctx);
	mutex_unlock(&xb_ctx_mutex);
	if (!c)
		return -ENOENT;
	xb_ctx_retire(c);
	return 0;
}

void xb_ctx_snapshot(struct xb_srtp_ctx *c, struct xb_ctx_view *v)
{
	int i;

	v->id = c->id;
	v->suite = c->suite;
	v->dir = c->dir;
	v->window = c->window;
	v->ssrc_fixed = c->ssrc_fixed;
	spin_lock_bh(&c->lock);
	v->ssrc = c->ssrc;
	v->have_ssrc = c->have_ssrc;
	v->roc = c->roc;
	v->s_l = c->s_l;
	v->have_seq = c->have_seq;
	v->srtcp_index = c->dir == XBORDER_SRTP_PROTECT ? c->srtcp_index : (u32)c->rtcp_replay.top;
	spin_unlock_bh(&c->lock);
	for (i = 0; i < XB_ST_COUNT; i++)
		v->stats[i] = atomic64_read(&c->stats[i]);
}
