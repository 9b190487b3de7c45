// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SDES bridging (RFC 4568) in the media layer: per section, what the
 * a=crypto lines and the RTP profile become toward each party, the keys
 * (the parties' from their SDP, ours from getrandom()), and the SRTP
 * contexts of the streams, installed in the userspace relay and, when it
 * is loaded, in xborder.ko. The rules are in Documentation/media.md.
 *
 * Keys are wiped when no longer needed and never logged; the state file
 * names contexts, and their keys go to a file of their own (0600).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "common/err.h"
#include "common/file.h"
#include "common/json.h"
#include "common/log.h"
#include "media/internal.h"
#include "srtp/srtp.h"

#define NL_RETRY_NS (10ULL * 1000000000ULL) /* look for xborder.ko again after */
#define OUR_TAG 1			    /* the a=crypto tag of our offers */
#define OUR_SUITE XBORDER_SRTP_AES_CM_128_HMAC_SHA1_80
#define KEYS_MAX_LINE 256
#define KEYS_MAX_WORDS 8

static const char *const crypto_names[] = { "keep", "plain", "bridge" };

const char *xbm_crypto_name(unsigned int crypto)
{
	return crypto < 3 ? crypto_names[crypto] : "?";
}

/* ---------------------------------------------------------------- ids */

static size_t id_hash(uint32_t id, size_t cap)
{
	return (size_t)(id * 2654435761u) & (cap - 1);
}

static bool idset_has(const struct xbm_idset *s, uint32_t id)
{
	size_t i, n;

	if (!s->cap)
		return false;
	for (i = id_hash(id, s->cap), n = 0; n < s->cap; i = (i + 1) & (s->cap - 1), n++) {
		if (s->slot[i] == 0)
			return false;
		if (s->slot[i] == id)
			return true;
	}
	return false;
}

static void idset_put(uint32_t *slot, size_t cap, uint32_t id)
{
	size_t i = id_hash(id, cap);

	while (slot[i] > 1)
		i = (i + 1) & (cap - 1);
	slot[i] = id;
}

/* Ids are >= XBM_SRTP_ID_BASE, so 0 (empty) and 1 (deleted) are free. */
static int idset_add(struct xbm_idset *s, uint32_t id)
{
	if ((s->used + 1) * 2 > s->cap) {
		size_t cap = s->cap ? s->cap : 64, i;
		uint32_t *slot;

		while ((s->n + 1) * 2 > cap / 2)
			cap *= 2;
		slot = calloc(cap, sizeof(*slot));
		if (!slot)
			return xb_err(ENOMEM, "out of memory");
		for (i = 0; i < s->cap; i++)
			if (s->slot[i] > 1)
				idset_put(slot, cap, s->slot[i]);
		free(s->slot);
		s->slot = slot;
		s->cap = cap;
		s->used = s->n;
	}
	idset_put(s->slot, s->cap, id);
	s->n++;
	s->used++;
	return 0;
}

static void idset_del(struct xbm_idset *s, uint32_t id)
{
	size_t i, n;

	if (!s->cap)
		return;
	for (i = id_hash(id, s->cap), n = 0; n < s->cap; i = (i + 1) & (s->cap - 1), n++) {
		if (s->slot[i] == 0)
			return;
		if (s->slot[i] == id) {
			s->slot[i] = 1;
			s->n--;
			return;
		}
	}
}

/* A context id no call uses, from xborderd's half of the id space. */
static int alloc_id(struct xbm *m, uint32_t *id)
{
	unsigned int tries;

	for (tries = 0; tries < 1u << 20; tries++) {
		uint32_t v = m->srtp_next++;

		if (m->srtp_next < XBM_SRTP_ID_BASE)
			m->srtp_next = XBM_SRTP_ID_BASE;
		if (v < XBM_SRTP_ID_BASE || idset_has(&m->srtp_ids, v))
			continue;
		if (idset_add(&m->srtp_ids, v))
			return -ENOMEM;
		*id = v;
		return 0;
	}
	return xb_err(ENOSPC, "media: no free SRTP context id");
}

/* ---------------------------------------------------------------- xborder.ko */

static void nl_lost(struct xbm *m, const char *why)
{
	xb_log(XB_LOG_WARN, "media: xborder.ko: %s; SRTP continues in the userspace relay", why);
	xb_srtp_nl_close(m->nl);
	m->nl = NULL;
	m->nl_retry_ns = xb_mono_ns() + NL_RETRY_NS;
}

static void params_of(struct xb_srtp_params *p, uint32_t id, int dir, const struct xbm_sdes *k)
{
	memset(p, 0, sizeof(*p));
	p->id = id;
	p->suite = k->suite;
	p->dir = dir == XBM_CTX_IN ? XBORDER_SRTP_UNPROTECT : XBORDER_SRTP_PROTECT;
	memcpy(p->key, k->key, sizeof(p->key));
	memcpy(p->salt, k->salt, sizeof(p->salt));
}

static const struct xbm_sdes *key_of(const struct xbm_leg_srtp *ls, int dir)
{
	return dir == XBM_CTX_IN ? &ls->theirs : &ls->ours;
}

/*
 * Put context p into the module. REPLACE: a re-key of ours. Returns 0
 * (in the module), -EEXIST (the id is taken there), or another error
 * after which the module is not used for it (the relay still has it).
 */
static int module_put(struct xbm *m, const struct xb_srtp_params *p, bool replace)
{
	int err;

	if (!m->nl)
		return -ENODEV;
	err = xb_srtp_nl_add(m->nl, p, replace);
	if (err == -ENOENT && replace) /* the module was reloaded meanwhile */
		err = xb_srtp_nl_add(m->nl, p, false);
	if (!err || err == -EEXIST)
		return err;
	m->c.srtp_module_errors++;
	if (err == -ENOSPC || err == -EINVAL || err == -EOPNOTSUPP)
		xb_log(XB_LOG_WARN, "media: xborder.ko refused SRTP context %u: %s", p->id,
		       xb_errmsg());
	else
		nl_lost(m, xb_errmsg());
	return err;
}

/* Every context of every call into a module that was (re)loaded. */
static void module_resync(struct xbm *m, struct xbm_call *c, void *arg)
{
	struct xb_srtp_params p;
	unsigned int k;
	int x, dir, err;

	for (k = 0; k < c->n_sections; k++)
		for (x = 0; x < 2; x++)
			for (dir = 0; dir < XBM_CTX_DIRS; dir++) {
				struct xbm_leg_srtp *ls = &c->sec[k].leg[x].srtp;

				if (!ls->ctx[dir] || !m->nl)
					continue;
				params_of(&p, ls->ctx[dir], dir, key_of(ls, dir));
				err = module_put(m, &p, false);
				/* one it kept may have missed a re-key meanwhile */
				if (err == -EEXIST)
					err = module_put(m, &p, true);
				ls->module[dir] = !err;
				xb_srtp_params_wipe(&p);
			}
}

struct module_ids {
	uint32_t *ids;
	size_t n, cap;
};

static int collect_module(const struct xb_srtp_state *st, void *arg)
{
	struct module_ids *o = arg;

	if (st->id < XBM_SRTP_ID_BASE)
		return 0; /* not ours: xborderctl srtp add */
	if (o->n == o->cap) {
		size_t cap = o->cap ? 2 * o->cap : 64;
		uint32_t *n = realloc(o->ids, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		o->ids = n;
		o->cap = cap;
	}
	o->ids[o->n++] = st->id;
	return 0;
}

/*
 * The module's contexts in our id range that no call owns (calls that
 * ended while we were down or while the module was set aside, calls not
 * adopted) are deleted, as orphan streams are.
 */
static void module_orphans(struct xbm *m)
{
	struct module_ids o = { 0 };
	size_t i;

	if (m->nl && xb_srtp_nl_dump(m->nl, collect_module, &o) >= 0)
		for (i = 0; i < o.n && m->nl; i++)
			if (!idset_has(&m->srtp_ids, o.ids[i]) &&
			    xb_srtp_nl_del(m->nl, o.ids[i]) == 0)
				m->c.srtp_removes++;
	free(o.ids);
}

/* The module, if it is loaded; looked for again every NL_RETRY_NS. */
static bool nl_ready(struct xbm *m)
{
	if (m->nl)
		return true;
	if (xb_mono_ns() < m->nl_retry_ns)
		return false;
	if (xb_srtp_nl_open(&m->nl)) {
		m->nl = NULL;
		m->nl_retry_ns = xb_mono_ns() + NL_RETRY_NS;
		return false;
	}
	xb_log(XB_LOG_INFO, "media: xborder.ko is loaded: SRTP contexts go to it too");
	if (m->started) /* at start, adoption pushes them and cleans up after */
		module_orphans(m);
	xbm_call_foreach(m, module_resync, NULL);
	return m->nl != NULL;
}

/* ---------------------------------------------------------------- contexts */

static void ctx_remove(struct xbm *m, struct xbm_leg_srtp *ls, int dir)
{
	uint32_t id = ls->ctx[dir];

	if (!id)
		return;
	if (m->relay)
		xb_relay_srtp_del(m->relay, id);
	if (ls->module[dir] && m->nl && xb_srtp_nl_del(m->nl, id) && xb_errmsg()[0])
		xb_log(XB_LOG_DEBUG, "media: SRTP context %u: %s", id, xb_errmsg());
	idset_del(&m->srtp_ids, id);
	ls->ctx[dir] = 0;
	ls->module[dir] = false;
	ls->stale[dir] = false;
	m->c.srtp_removes++;
	m->n_srtp--;
}

/* Install (or re-key) the context of DIR of a leg. */
static int ctx_install(struct xbm *m, struct xbm_leg_srtp *ls, int dir)
{
	bool fresh = !ls->ctx[dir], in_module = false;
	struct xb_srtp_params p;
	unsigned int tries;
	uint32_t id = ls->ctx[dir];
	int err;

	if (fresh && alloc_id(m, &id))
		return -ENOSPC;
	params_of(&p, id, dir, key_of(ls, dir));
	for (tries = 0; nl_ready(m) && tries < 8; tries++) {
		err = module_put(m, &p, !fresh);
		if (err != -EEXIST || !fresh) {
			in_module = !err;
			break;
		}
		/* someone else's context (xborderctl srtp add): another id,
		 * this one stays marked as used */
		if (alloc_id(m, &id)) {
			xb_srtp_params_wipe(&p);
			return -ENOSPC;
		}
		p.id = id;
	}
	err = m->relay ? xb_relay_srtp_set(m->relay, &p) : 0;
	xb_srtp_params_wipe(&p);
	if (err) {
		if (in_module && m->nl)
			xb_srtp_nl_del(m->nl, id);
		if (fresh)
			idset_del(&m->srtp_ids, id);
		return xb_err_prefix(err, "media: SRTP context");
	}
	ls->ctx[dir] = id;
	ls->module[dir] = in_module;
	ls->stale[dir] = false;
	m->c.srtp_installs++;
	m->n_srtp += fresh;
	return 0;
}

static bool needs_ctx(const struct xbm_leg_srtp *ls, int dir)
{
	return ls->on && key_of(ls, dir)->have;
}

int xbm_srtp_install(struct xbm *m, struct xbm_call *c, unsigned int k)
{
	int x, dir, err;

	for (x = 0; x < 2; x++)
		for (dir = 0; dir < XBM_CTX_DIRS; dir++) {
			struct xbm_leg_srtp *ls = &c->sec[k].leg[x].srtp;

			if (!needs_ctx(ls, dir) || (ls->ctx[dir] && !ls->stale[dir]))
				continue;
			err = ctx_install(m, ls, dir);
			if (err)
				return err;
		}
	return 0;
}

void xbm_srtp_prune(struct xbm *m, struct xbm_call *c, unsigned int k)
{
	int x, dir;

	for (x = 0; x < 2; x++)
		for (dir = 0; dir < XBM_CTX_DIRS; dir++)
			if (!needs_ctx(&c->sec[k].leg[x].srtp, dir))
				ctx_remove(m, &c->sec[k].leg[x].srtp, dir);
}

void xbm_srtp_release(struct xbm *m, struct xbm_call *c, unsigned int k, bool del)
{
	int x, dir;

	for (x = 0; x < 2; x++) {
		struct xbm_leg_srtp *ls = &c->sec[k].leg[x].srtp;

		for (dir = 0; del && dir < XBM_CTX_DIRS; dir++)
			ctx_remove(m, ls, dir);
		explicit_bzero(ls, sizeof(*ls));
	}
	c->sec[k].crypto = XBM_CRYPTO_KEEP;
}

bool xbm_srtp_stream(const struct xbm_section *sec, int p, struct xb_stream *s)
{
	const struct xbm_leg_srtp *from = &sec->leg[p].srtp, *to = &sec->leg[1 - p].srtp;
	uint32_t flags, id;

	if (sec->crypto != XBM_CRYPTO_BRIDGE || (s->flags & XB_F_DROP))
		return false;
	if (from->on) {
		id = needs_ctx(from, XBM_CTX_IN) ? from->ctx[XBM_CTX_IN] : 0;
		flags = XB_F_SRTP;
	} else if (to->on) {
		id = needs_ctx(to, XBM_CTX_OUT) ? to->ctx[XBM_CTX_OUT] : 0;
		flags = XB_F_SRTP | XB_F_SRTP_PROTECT;
	} else {
		return false;
	}
	if (!id) {
		/* no key yet (SRTP early media before the answer): nothing
		 * may pass in clear, nor as undecryptable noise */
		s->flags = XB_F_DROP | (s->flags & XB_F_RTP);
		return true;
	}
	s->flags |= flags;
	s->srtp_ctx = id;
	return false;
}

/* ---------------------------------------------------------------- SDP */

static int new_key(struct xbm_leg_srtp *ls, uint32_t tag, uint16_t suite)
{
	uint8_t buf[XBORDER_SRTP_KEY_LEN + XBORDER_SRTP_SALT_LEN];
	size_t got = 0;

	while (got < sizeof(buf)) {
		ssize_t n = getrandom(buf + got, sizeof(buf) - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			explicit_bzero(buf, sizeof(buf));
			return xb_err(EIO, "media: getrandom: %s", strerror(errno));
		}
		got += (size_t)n;
	}
	memcpy(ls->ours.key, buf, XBORDER_SRTP_KEY_LEN);
	memcpy(ls->ours.salt, buf + XBORDER_SRTP_KEY_LEN, XBORDER_SRTP_SALT_LEN);
	explicit_bzero(buf, sizeof(buf));
	ls->ours.have = true;
	ls->ours.tag = tag;
	ls->ours.suite = suite;
	ls->stale[XBM_CTX_OUT] = ls->ctx[XBM_CTX_OUT] != 0;
	return 0;
}

/* The party's key from its SDP; the context is re-keyed if it changed. */
static void set_theirs(struct xbm_leg_srtp *ls, const struct xb_sdp_crypto *cr)
{
	struct xbm_sdes *t = &ls->theirs;

	if (!t->have || t->suite != cr->suite || memcmp(t->key, cr->key, sizeof(t->key)) ||
	    memcmp(t->salt, cr->salt, sizeof(t->salt)))
		ls->stale[XBM_CTX_IN] = ls->ctx[XBM_CTX_IN] != 0;
	t->have = true;
	t->tag = cr->tag;
	t->suite = cr->suite;
	memcpy(t->key, cr->key, sizeof(t->key));
	memcpy(t->salt, cr->salt, sizeof(t->salt));
}

/* The leg is not (or no longer) SRTP: keys go, contexts at the prune. */
static void leg_plain(struct xbm_leg_srtp *ls)
{
	ls->on = false;
	explicit_bzero(&ls->theirs, sizeof(ls->theirs));
	explicit_bzero(&ls->ours, sizeof(ls->ours));
}

int xbm_srtp_offer(struct xbm *m, struct xbm_call *c, unsigned int k, int p,
		   const struct xb_sdp *sdp)
{
	struct xbm_section *sec = &c->sec[k];
	const struct xb_sdp_media *md = &sdp->media[k];
	struct xbm_leg_srtp *lp = &sec->leg[p].srtp, *lq = &sec->leg[1 - p].srtp;
	uint8_t pol_p = c->party[p].srtp, pol_q = c->party[1 - p].srtp;
	struct xb_sdp_crypto cr;
	int err;

	(void)m;
	if (sec->state != XBM_SEC_ACTIVE || pol_p == XBD_SRTP_PASS || pol_q == XBD_SRTP_PASS ||
	    !xb_sdp_proto_as(md->proto, false) ||
	    (xb_sdp_proto_secure(md->proto) && pol_q == XBD_SRTP_SDES)) {
		/* untouched: a pass side, not RTP, or SRTP end to end */
		sec->crypto = XBM_CRYPTO_KEEP;
		leg_plain(lp);
		leg_plain(lq);
		return 0;
	}
	if (xb_sdp_proto_secure(md->proto)) {
		/* SRTP from P toward a plain RTP peer: we decrypt */
		err = xb_sdp_crypto_select(sdp, k, &cr);
		if (err)
			return xb_err_prefix(EBADMSG,
					     "media: call %.64s section %u: cannot bridge %s to "
					     "plain RTP",
					     c->call_id, k, md->proto);
		sec->crypto = XBM_CRYPTO_BRIDGE;
		lp->on = true;
		set_theirs(lp, &cr);
		explicit_bzero(&cr, sizeof(cr));
		/* our answer's key comes with the answer; a kept one must fit */
		if (lp->ours.have && lp->ours.suite != lp->theirs.suite)
			explicit_bzero(&lp->ours, sizeof(lp->ours));
		leg_plain(lq);
		return 0;
	}
	leg_plain(lp);
	if (pol_q != XBD_SRTP_SDES) {
		sec->crypto = XBM_CRYPTO_PLAIN;
		leg_plain(lq);
		return 0;
	}
	/* plain RTP from P toward an SDES peer: we encrypt with our key,
	 * kept across re-offers so the peer's context goes on */
	sec->crypto = XBM_CRYPTO_BRIDGE;
	lq->on = true;
	if (!lq->ours.have)
		return new_key(lq, OUR_TAG, OUR_SUITE);
	return 0;
}

/* The answerer's a=crypto for the tag and suite we offered. */
static int find_answer_crypto(const struct xb_sdp *sdp, unsigned int k, const struct xbm_sdes *o,
			      struct xb_sdp_crypto *cr)
{
	const struct xb_sdp_media *md = &sdp->media[k];
	unsigned int i;
	int err;

	for (i = md->m_line + 1; i < md->end_line; i++) {
		if (sdp->lines[i].kind != XB_SDP_L_CRYPTO)
			continue;
		err = xb_sdp_crypto_parse(sdp, i, cr);
		if (err == -EBADMSG)
			return err;
		if (!err && cr->tag == o->tag && cr->suite == o->suite)
			return 0;
		if (!err)
			explicit_bzero(cr, sizeof(*cr));
	}
	return xb_err(EBADMSG, "sdp: m= section %u: no usable a=crypto with tag %u and suite %s", k,
		      o->tag, xb_sdp_suite_name(o->suite));
}

int xbm_srtp_answer(struct xbm *m, struct xbm_call *c, unsigned int k, int q,
		    const struct xb_sdp *sdp, bool commit)
{
	struct xbm_section *sec = &c->sec[k];
	const struct xb_sdp_media *md = &sdp->media[k];
	struct xbm_leg_srtp *lq = &sec->leg[q].srtp, *lp = &sec->leg[1 - q].srtp;
	struct xb_sdp_crypto cr;
	int err;

	(void)m;
	if (sec->state != XBM_SEC_ACTIVE || sec->crypto != XBM_CRYPTO_BRIDGE || !md->port)
		return 0;
	if (lq->on) {
		/* we offered our key: the answer brings the peer's */
		if (!xb_sdp_proto_secure(md->proto))
			return xb_err(EBADMSG,
				      "media: call %.64s section %u: SRTP offered, answered with "
				      "%s",
				      c->call_id, k, md->proto);
		err = find_answer_crypto(sdp, k, &lq->ours, &cr);
		if (err)
			return xb_err_prefix(EBADMSG, "media: call %.64s", c->call_id);
		if (commit)
			set_theirs(lq, &cr);
		explicit_bzero(&cr, sizeof(cr));
	} else if (lp->on && commit) {
		/* the offerer's SRTP: our answer carries our key, same tag
		 * and suite (RFC 4568 section 5.1.2) */
		if (!lp->ours.have || lp->ours.suite != lp->theirs.suite) {
			err = new_key(lp, lp->theirs.tag, lp->theirs.suite);
			if (err)
				return err;
		}
		lp->ours.tag = lp->theirs.tag;
	}
	return 0;
}

void xbm_srtp_rewrite(const struct xbm_call *c, unsigned int k, int to, const struct xb_sdp *sdp,
		      struct xb_sdp_relay *r, char *attr)
{
	const struct xbm_section *sec = &c->sec[k];
	const struct xb_sdp_media *md = &sdp->media[k];
	const struct xbm_leg_srtp *lt = &sec->leg[to].srtp;
	struct xb_sdp_crypto cr;

	attr[0] = '\0';
	if (!r->addr.family || sec->state != XBM_SEC_ACTIVE || !md->port ||
	    sec->crypto == XBM_CRYPTO_KEEP)
		return;
	r->strip_crypto = true;
	if (sec->crypto == XBM_CRYPTO_PLAIN)
		return;
	r->proto = xb_sdp_proto_as(md->proto, lt->on);
	if (!lt->on || !lt->ours.have)
		return;
	memset(&cr, 0, sizeof(cr));
	cr.tag = lt->ours.tag;
	cr.suite = lt->ours.suite;
	memcpy(cr.key, lt->ours.key, sizeof(cr.key));
	memcpy(cr.salt, lt->ours.salt, sizeof(cr.salt));
	if (xb_sdp_crypto_format(&cr, attr, XB_SDP_CRYPTO_MAX) == 0)
		r->add_attr = attr;
	explicit_bzero(&cr, sizeof(cr));
}

/* ---------------------------------------------------------------- state */

static json_t *sdes_json(const struct xbm_sdes *k)
{
	json_t *j;

	if (!k->have)
		return json_null();
	j = json_object();
	xb_json_set(j, "tag", json_integer(k->tag));
	xb_json_set(j, "suite", json_string(xb_srtp_suite_name(k->suite)));
	return j;
}

/* What a leg's SRTP is, without keys (state file, call show). */
json_t *xbm_srtp_leg_json(const struct xbm_leg_srtp *ls)
{
	json_t *j = json_object();

	xb_json_set(j, "on", json_boolean(ls->on));
	xb_json_set(j, "theirs", sdes_json(&ls->theirs));
	xb_json_set(j, "ours", sdes_json(&ls->ours));
	xb_json_set(j, "ctx_in", json_integer(ls->ctx[XBM_CTX_IN]));
	xb_json_set(j, "ctx_out", json_integer(ls->ctx[XBM_CTX_OUT]));
	return j;
}

static bool load_sdes(json_t *j, struct xbm_sdes *k)
{
	json_t *tag = json_object_get(j, "tag"), *suite = json_object_get(j, "suite");

	memset(k, 0, sizeof(*k));
	if (!j || json_is_null(j))
		return true;
	if (!json_is_integer(tag) || json_integer_value(tag) < 0 ||
	    json_integer_value(tag) > 999999999 || !json_is_string(suite) ||
	    xb_srtp_suite_parse(json_string_value(suite), &k->suite) ||
	    !xb_sdp_suite_name(k->suite))
		return false;
	k->tag = (uint32_t)json_integer_value(tag);
	k->have = true; /* the key itself comes from the key file */
	return true;
}

static bool load_ctx_id(json_t *j, const char *name, uint32_t *id)
{
	json_t *v = json_object_get(j, name);

	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > UINT32_MAX)
		return false;
	*id = (uint32_t)json_integer_value(v);
	return !*id || *id >= XBM_SRTP_ID_BASE;
}

int xbm_srtp_load_leg(struct xbm *m, json_t *j, struct xbm_leg_srtp *ls)
{
	(void)m;
	memset(ls, 0, sizeof(*ls));
	if (!j || json_is_null(j))
		return 0;
	if (!json_is_object(j) || !load_sdes(json_object_get(j, "theirs"), &ls->theirs) ||
	    !load_sdes(json_object_get(j, "ours"), &ls->ours) ||
	    !load_ctx_id(j, "ctx_in", &ls->ctx[XBM_CTX_IN]) ||
	    !load_ctx_id(j, "ctx_out", &ls->ctx[XBM_CTX_OUT]))
		return -EINVAL;
	ls->on = json_is_true(json_object_get(j, "on"));
	/* a key we had is a context we installed, and the other way round */
	if (ls->theirs.have != (ls->ctx[XBM_CTX_IN] != 0) ||
	    ls->ours.have != (ls->ctx[XBM_CTX_OUT] != 0) ||
	    (!ls->on && (ls->theirs.have || ls->ours.have)))
		return -EINVAL;
	return 0;
}

static int keys_path(const struct xbm *m, char *buf, size_t len, const char *suffix)
{
	const char *dir = m->cfg->state_dir[0] ? m->cfg->state_dir : "/run/xborder";

	if ((size_t)snprintf(buf, len, "%s/%s%s", dir, XBM_SRTP_KEYS_FILE, suffix) >= len)
		return xb_err(ENAMETOOLONG, "state path too long");
	return 0;
}

struct keybuf {
	char *p;
	size_t n, cap;
	int err;
};

static void keybuf_put(struct keybuf *b, const char *s, size_t n)
{
	if (b->err)
		return;
	if (b->n + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *np;

		while (cap < b->n + n)
			cap *= 2;
		np = malloc(cap);
		if (!np) {
			b->err = -ENOMEM;
			return;
		}
		if (b->p) {
			memcpy(np, b->p, b->n);
			explicit_bzero(b->p, b->cap);
			free(b->p);
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
}

/* One line in `xborderctl srtp add` words, as xborder-relay -k reads them. */
static void key_line(struct keybuf *b, uint32_t id, int dir, const struct xbm_sdes *k)
{
	struct xb_sdp_crypto cr = { .tag = 0, .suite = k->suite };
	char attr[XB_SDP_CRYPTO_MAX], line[KEYS_MAX_LINE];
	const char *inl;
	int n;

	memcpy(cr.key, k->key, sizeof(cr.key));
	memcpy(cr.salt, k->salt, sizeof(cr.salt));
	if (xb_sdp_crypto_format(&cr, attr, sizeof(attr)) == 0 &&
	    (inl = strstr(attr, " inline:")) != NULL) {
		n = snprintf(line, sizeof(line), "%u suite %s dir %s key %s\n", id,
			     xb_srtp_suite_name(k->suite),
			     xb_srtp_dir_name(dir == XBM_CTX_IN ? XBORDER_SRTP_UNPROTECT
								: XBORDER_SRTP_PROTECT),
			     inl + 1);
		if (n > 0 && (size_t)n < sizeof(line))
			keybuf_put(b, line, (size_t)n);
		else
			b->err = -ENOSPC;
	} else {
		b->err = -EINVAL;
	}
	explicit_bzero(&cr, sizeof(cr));
	explicit_bzero(attr, sizeof(attr));
	explicit_bzero(line, sizeof(line));
}

static void call_keys(struct xbm *m, struct xbm_call *c, void *arg)
{
	unsigned int k;
	int x, dir;

	for (k = 0; k < c->n_sections; k++)
		for (x = 0; x < 2; x++)
			for (dir = 0; dir < XBM_CTX_DIRS; dir++) {
				const struct xbm_leg_srtp *ls = &c->sec[k].leg[x].srtp;

				if (ls->ctx[dir] && key_of(ls, dir)->have)
					key_line(arg, ls->ctx[dir], dir, key_of(ls, dir));
			}
}

/*
 * The keys of every context, so a restarted xborderd can install them
 * again: mode 0600, written whole and renamed into place, removed when
 * there are none. Written before media.json, which names the contexts.
 */
int xbm_srtp_save_keys(struct xbm *m)
{
	char path[4200], tmp[4210];
	struct keybuf b = { 0 };
	size_t off = 0;
	int fd, err;

	err = keys_path(m, path, sizeof(path), "");
	if (!err)
		err = keys_path(m, tmp, sizeof(tmp), ".tmp");
	if (err)
		return err;
	xbm_call_foreach(m, call_keys, &b);
	if (b.err) {
		err = xb_err(-b.err, "cannot write the SRTP keys");
		goto out;
	}
	if (!b.n) {
		if (unlink(path) && errno != ENOENT)
			err = xb_err(errno, "cannot remove %s: %s", path, strerror(errno));
		goto out;
	}
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		err = xb_err(errno, "cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	while (off < b.n) {
		ssize_t n = write(fd, b.p + off, b.n - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	if (close(fd) || off < b.n) {
		err = xb_err(EIO, "cannot write %s", tmp);
		unlink(tmp);
	} else if (rename(tmp, path)) {
		err = xb_err(errno, "cannot rename %s: %s", tmp, strerror(errno));
		unlink(tmp);
	}
out:
	if (b.p)
		explicit_bzero(b.p, b.cap);
	free(b.p);
	return err;
}

static int params_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct xb_srtp_params *)a)->id;
	uint32_t y = ((const struct xb_srtp_params *)b)->id;

	return x < y ? -1 : x > y;
}

/* Read the key file for the adoption that follows (xbm_srtp_adopt). */
void xbm_srtp_keys_load(struct xbm *m)
{
	char path[4200], line[KEYS_MAX_LINE], *w[KEYS_MAX_WORDS];
	struct xb_srtp_params *arr;
	size_t n = 0, cap = 0;
	int fd, nw, lineno = 0, err = 0;
	FILE *f;

	if (keys_path(m, path, sizeof(path), ""))
		return;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			xb_log(XB_LOG_ERR, "media: %s: %s; SRTP calls are not adopted", path,
			       strerror(errno));
		return;
	}
	if (xb_check_private_file(fd, path) || !(f = fdopen(fd, "r"))) {
		xb_log(XB_LOG_ERR, "media: %s; SRTP calls are not adopted", xb_errmsg());
		close(fd);
		return;
	}
	while (!err && fgets(line, sizeof(line), f)) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		nw = xb_split_words(line, w, KEYS_MAX_WORDS);
		if (nw == 0)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			arr = calloc(cap, sizeof(*arr));
			if (!arr) {
				err = -ENOMEM;
				break;
			}
			if (m->keys_loaded) {
				memcpy(arr, m->keys_loaded, n * sizeof(*arr));
				explicit_bzero(m->keys_loaded, n * sizeof(*arr));
				free(m->keys_loaded);
			}
			m->keys_loaded = arr;
		}
		if (nw < 0 || xb_srtp_params_parse(nw, w, &m->keys_loaded[n])) {
			/* the message names no key */
			xb_log(XB_LOG_ERR, "media: %s:%d: %s; SRTP calls are not adopted", path,
			       lineno, nw < 0 ? "too many words" : xb_errmsg());
			err = -EINVAL;
			break;
		}
		n++;
	}
	explicit_bzero(line, sizeof(line));
	fclose(f);
	m->n_keys_loaded = err ? 0 : n;
	if (err) {
		if (m->keys_loaded)
			explicit_bzero(m->keys_loaded, cap * sizeof(*m->keys_loaded));
		free(m->keys_loaded);
		m->keys_loaded = NULL;
		return;
	}
	if (n)
		qsort(m->keys_loaded, n, sizeof(*m->keys_loaded), params_cmp);
}

static const struct xb_srtp_params *loaded_key(const struct xbm *m, uint32_t id)
{
	struct xb_srtp_params want = { .id = id };

	if (!m->n_keys_loaded)
		return NULL;
	return bsearch(&want, m->keys_loaded, m->n_keys_loaded, sizeof(want), params_cmp);
}

/* Its key from the key file, checked against what media.json says. */
static bool adopt_key(const struct xbm *m, struct xbm_leg_srtp *ls, int dir)
{
	const struct xb_srtp_params *p = loaded_key(m, ls->ctx[dir]);
	struct xbm_sdes *k = dir == XBM_CTX_IN ? &ls->theirs : &ls->ours;
	uint8_t want = dir == XBM_CTX_IN ? XBORDER_SRTP_UNPROTECT : XBORDER_SRTP_PROTECT;

	if (!p || p->dir != want || p->suite != k->suite)
		return false;
	memcpy(k->key, p->key, sizeof(k->key));
	memcpy(k->salt, p->salt, sizeof(k->salt));
	return true;
}

/* Undo the first N contexts xbm_srtp_adopt took (IDS), wipe the call's keys. */
static void unadopt(struct xbm *m, struct xbm_call *c, const uint32_t *ids, unsigned int n)
{
	unsigned int i, k;
	int x;

	for (i = 0; i < n; i++) {
		if (m->relay)
			xb_relay_srtp_del(m->relay, ids[i]);
		/* module copies: removed as orphans once loading is over */
		idset_del(&m->srtp_ids, ids[i]);
		m->n_srtp--;
	}
	for (k = 0; k < c->n_sections; k++)
		for (x = 0; x < 2; x++)
			explicit_bzero(&c->sec[k].leg[x].srtp, sizeof(c->sec[k].leg[x].srtp));
}

bool xbm_srtp_adopt(struct xbm *m, struct xbm_call *c)
{
	uint32_t ids[XB_SDP_MAX_MEDIA * 2 * XBM_CTX_DIRS];
	struct xb_srtp_params p;
	unsigned int k, n = 0;
	int x, dir, err;

	for (k = 0; k < c->n_sections; k++)
		for (x = 0; x < 2; x++)
			for (dir = 0; dir < XBM_CTX_DIRS; dir++) {
				struct xbm_leg_srtp *ls = &c->sec[k].leg[x].srtp;
				uint32_t id = ls->ctx[dir];

				if (!id)
					continue;
				/* an id twice (this call or another): corrupt state */
				if (idset_has(&m->srtp_ids, id) || !adopt_key(m, ls, dir) ||
				    idset_add(&m->srtp_ids, id))
					goto fail;
				/* in the relay like any new context; the module
				 * kept its copy (state, counters) if it has one */
				params_of(&p, id, dir, key_of(ls, dir));
				err = m->relay ? xb_relay_srtp_set(m->relay, &p) : 0;
				if (!err && nl_ready(m)) {
					int merr = module_put(m, &p, false);

					ls->module[dir] = !merr || merr == -EEXIST;
				}
				xb_srtp_params_wipe(&p);
				if (err) {
					idset_del(&m->srtp_ids, id);
					goto fail;
				}
				ids[n++] = id;
				m->n_srtp++;
				if (id >= m->srtp_next)
					m->srtp_next = id + 1 < XBM_SRTP_ID_BASE ? XBM_SRTP_ID_BASE
										 : id + 1;
			}
	return true;
fail:
	xb_log(XB_LOG_WARN, "media: not adopting call %.64s: its SRTP keys are missing or unusable",
	       c->call_id);
	unadopt(m, c, ids, n);
	return false;
}

/* Adoption is over: the key table goes, and the module's orphans. */
void xbm_srtp_keys_done(struct xbm *m)
{
	if (m->keys_loaded) {
		explicit_bzero(m->keys_loaded, m->n_keys_loaded * sizeof(*m->keys_loaded));
		free(m->keys_loaded);
	}
	m->keys_loaded = NULL;
	m->n_keys_loaded = 0;
	module_orphans(m);
}

/* ---------------------------------------------------------------- life cycle */

int xbm_srtp_start(struct xbm *m)
{
	if (!m->srtp_next)
		m->srtp_next = XBM_SRTP_ID_BASE;
	m->nl_retry_ns = 0;
	if (nl_ready(m))
		return 0;
	xb_log(XB_LOG_INFO, "media: xborder.ko not loaded: SRTP in the userspace relay");
	return 0;
}

void xbm_srtp_stop(struct xbm *m)
{
	xb_srtp_nl_close(m->nl);
	m->nl = NULL;
	free(m->srtp_ids.slot);
	memset(&m->srtp_ids, 0, sizeof(m->srtp_ids));
}

json_t *xbm_srtp_stats(const struct xbm *m)
{
	json_t *j = json_object();

	xb_json_set(j, "contexts", json_integer((json_int_t)m->n_srtp));
	xb_json_set(j, "module", json_boolean(m->nl != NULL));
	xb_json_set(j, "installs", xb_json_u64(m->c.srtp_installs));
	xb_json_set(j, "removes", xb_json_u64(m->c.srtp_removes));
	xb_json_set(j, "module_errors", xb_json_u64(m->c.srtp_module_errors));
	return j;
}
