// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The media API (media.h): life cycle, interfaces, offer, answer, delete.
 * SDP is rewritten by userspace/sdp, streams are installed by streams.c,
 * state is kept in cfg->state_dir by state.c.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "common/log.h"
#include "media/internal.h"

struct xbm *xbm_new(const struct xbm_opts *opts)
{
	struct xbm *m;

	if (!opts || !opts->cfg) {
		xb_err(EINVAL, "media: no configuration");
		return NULL;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		xb_err(ENOMEM, "out of memory");
		return NULL;
	}
	m->loop = opts->loop;
	m->cfg = opts->cfg;
	m->on_dead = opts->on_dead;
	m->arg = opts->arg;
	return m;
}

const struct xbm_iface *xbm_iface_find(const struct xbm *m, const char *name)
{
	unsigned int i;

	if (!name)
		return NULL;
	for (i = 0; i < m->n_ifaces; i++)
		if (!strcmp(m->ifaces[i].name, name))
			return &m->ifaces[i];
	return NULL;
}

static bool was_attached(const struct xbm *m, int ifindex)
{
	unsigned int i;

	for (i = 0; i < m->n_attached; i++)
		if (m->attached[i] == ifindex)
			return true;
	return false;
}

/* The interfaces of cfg; XDP is attached where asked (once started). */
static int ifaces_build(struct xbm *m, const struct xbd_config *cfg)
{
	unsigned int i;

	m->n_ifaces = 0;
	for (i = 0; i < cfg->n_media && i < XBD_MAX_MEDIA_IFACES; i++) {
		const struct xbd_media_iface *mi = &cfg->media[i];
		struct xbm_iface *f = &m->ifaces[i];

		memset(f, 0, sizeof(*f));
		snprintf(f->name, sizeof(f->name), "%s", mi->name);
		f->addr = mi->address;
		f->advertise = mi->advertise.family ? mi->advertise : mi->address;
		if (f->addr.family != XB_AF_INET && f->addr.family != XB_AF_INET6)
			return xb_err(EINVAL, "media interface '%s': no address", mi->name);
		if (mi->device[0]) {
			f->ifindex = (int)if_nametoindex(mi->device);
			if (!f->ifindex)
				return xb_err(ENODEV, "media interface '%s': no device '%s'",
					      mi->name, mi->device);
		}
		if (mi->xdp && f->ifindex) {
			struct xb_fp_attach_result res;
			int err;

			if (!was_attached(m, f->ifindex)) {
				err = xb_fp_attach(m->fp, f->ifindex, XB_PROG_MAIN, XB_MODE_AUTO,
						   false, &res);
				if (err)
					return xb_err_prefix(err, "media interface '%s'", mi->name);
				xb_log(XB_LOG_INFO, "media interface %s: XDP on %s (%s)%s%s",
				       mi->name, mi->device, xb_fp_mode_name(res.mode),
				       res.note[0] ? ": " : "", res.note);
				if (m->n_attached < XBD_MAX_MEDIA_IFACES)
					m->attached[m->n_attached++] = f->ifindex;
			}
			f->xdp = true;
		}
		m->n_ifaces = i + 1;
	}
	return 0;
}

/* Mark the ports of every call in the (new) pools. */
static void claim_call_ports(struct xbm *m, struct xbm_call *c, void *arg)
{
	unsigned int k;
	int p;

	for (k = 0; k < c->n_sections; k++)
		for (p = 0; p < 2; p++)
			if (c->sec[k].leg[p].port)
				xbm_port_claim(m, c->party[p].iface.name, c->sec[k].leg[p].port);
}

int xbm_start(struct xbm *m)
{
	const struct xbd_config *cfg = m->cfg;
	struct xb_fp_opts fo = { 0 };
	int err;

	if (m->started)
		return 0;
	fo.pin_dir = cfg->pin_dir[0] ? cfg->pin_dir : NULL;
	if (!m->fp) {
		err = xb_fp_open(&fo, &m->fp);
		if (err)
			return xb_err_prefix(err, "media: fast path");
	}
	err = ifaces_build(m, cfg);
	if (!err)
		err = xbm_pools_build(m, cfg);
	if (!err && m->loop && !m->relay)
		err = xb_relay_new(m->fp, m->loop, NULL, &m->relay);
	if (!err)
		err = xbm_srtp_start(m);
	if (!err)
		err = xbm_state_load(m);
	if (err)
		return xb_err_prefix(err, "media");
	m->started = true;
	xbm_check_arm(m);
	xb_log(XB_LOG_INFO, "media: %u interfaces, %u calls adopted, %llu orphan streams removed",
	       m->n_ifaces, m->n_calls, (unsigned long long)m->c.orphans);
	return 0;
}

static void destroy_cb(struct xbm *m, struct xbm_call *c, void *arg)
{
	bool del = *(bool *)arg;

	if (del)
		xbm_call_release(m, c, true);
	xbm_call_unlink(m, c);
	xbm_call_destroy(c);
}

void xbm_free(struct xbm *m, bool keep_media)
{
	bool del = !keep_media;
	unsigned int i;

	if (!m)
		return;
	if (m->started) {
		if (keep_media) {
			if (xbm_state_save(m))
				xb_log(XB_LOG_ERR, "media: %s", xb_errmsg());
		} else {
			xbm_call_foreach(m, destroy_cb, &del);
			if (xbm_state_save(m))
				xb_log(XB_LOG_ERR, "media: %s", xb_errmsg());
		}
	}
	del = false;
	xbm_call_foreach(m, destroy_cb, &del);
	if (m->loop) {
		xb_timer_cancel(m->loop, &m->check_timer);
		xb_timer_cancel(m->loop, &m->save_timer);
		xb_timer_cancel(m->loop, &m->sync_timer);
	}
	xb_relay_free(m->relay);
	if (!keep_media)
		for (i = 0; i < m->n_attached; i++)
			if (xb_fp_detach(m->fp, m->attached[i], false))
				xb_log(XB_LOG_WARN, "media: %s", xb_errmsg());
	if (m->fp)
		xb_fp_close(m->fp);
	xbm_srtp_stop(m);
	xbm_pools_free(m);
	free(m->buckets);
	free(m);
}

int xbm_reconfigure(struct xbm *m, const struct xbd_config *cfg)
{
	int err;

	m->cfg = cfg;
	if (!m->started)
		return 0;
	err = ifaces_build(m, cfg);
	if (!err)
		err = xbm_pools_build(m, cfg);
	if (err)
		return xb_err_prefix(err, "media reload");
	xbm_call_foreach(m, claim_call_ports, NULL);
	xbm_check_arm(m);
	return 0;
}

/* ---------------------------------------------------------------- requests */

static int check_id(const char *s, const char *what, bool optional)
{
	size_t n;

	if (!s)
		return optional ? 0 : xb_err(EINVAL, "media: no %s", what);
	n = strnlen(s, XBM_ID_MAX + 1);
	if (n == 0 || n > XBM_ID_MAX)
		return xb_err(EINVAL, "media: %s empty or longer than %d", what, XBM_ID_MAX);
	return 0;
}

static int check_req(const struct xbm *m, const struct xbm_req *req)
{
	int err;

	if (!m->started)
		return xb_err(EAGAIN, "media: not started");
	if (!req || !req->sdp)
		return xb_err(EINVAL, "media: no SDP");
	err = check_id(req->call_id, "Call-ID", false);
	if (!err)
		err = check_id(req->from_tag, "from-tag", false);
	if (!err)
		err = check_id(req->to_tag, "to-tag", true);
	return err;
}

static int party_of(const struct xbm_call *c, const char *tag)
{
	int p;

	for (p = 0; p < 2; p++)
		if (c->party[p].tag && !strcmp(c->party[p].tag, tag))
			return p;
	return -1;
}

/* Media the relay carries: UDP based (RTP profiles, UDPTL); not TCP. */
static bool relayable(const struct xb_sdp_media *md)
{
	return strncasecmp(md->proto, "TCP", 3) != 0;
}

static bool same_addr(const struct xb_addr *a, const struct xb_addr *b)
{
	return a->family == b->family && xb_addr_equal(a, b);
}

/* Store what party P's SDP says about one section; true if it moved. */
static bool record_sdp(struct xbm_section *sec, int p, const struct xb_sdp_media *md)
{
	struct xbm_sdp_ep *e = &sec->leg[p].sdp, n;
	bool moved;

	memset(&n, 0, sizeof(n));
	n.have = true;
	n.sdp_port = md->port;
	n.rtp = md->remote;
	n.rtp_port = md->port;
	n.rtcp = md->remote_rtcp;
	n.rtcp_port = md->remote_rtcp_port;
	n.mux = md->rtcp_mux;
	n.zero = md->remote_zero;
	n.dir = (uint8_t)md->dir;
	moved = !e->have || !same_addr(&e->rtp, &n.rtp) || e->rtp_port != n.rtp_port ||
		!same_addr(&e->rtcp, &n.rtcp) || e->rtcp_port != n.rtcp_port || e->zero != n.zero;
	*e = n;
	return moved;
}

static void describe(struct xbm_section *sec, const struct xb_sdp_media *md)
{
	snprintf(sec->type, sizeof(sec->type), "%s", md->type);
	snprintf(sec->proto, sizeof(sec->proto), "%s", md->proto);
	sec->rtp = strstr(md->proto, "RTP/") != NULL;
}

/* Ports on both interfaces for a section that is to be relayed. */
static int activate(struct xbm *m, struct xbm_call *c, unsigned int k)
{
	struct xbm_section *sec = &c->sec[k];
	uint16_t a, b;
	int err;

	err = xbm_port_alloc(m, c->party[0].iface.name, &a);
	if (err)
		return err;
	err = xbm_port_alloc(m, c->party[1].iface.name, &b);
	if (err) {
		xbm_port_free(m, c->party[0].iface.name, a);
		return err;
	}
	memset(sec->leg, 0, sizeof(sec->leg));
	sec->leg[0].port = a;
	sec->leg[1].port = b;
	sec->state = XBM_SEC_ACTIVE;
	return 0;
}

/* Rewrite SDP for party TO: the relay on TO's interface, and its SRTP. */
static int rewrite_for(const struct xbm_call *c, int to, const struct xb_sdp *sdp, char **out,
		       size_t *out_len)
{
	const struct xbm_iface *ifc = &c->party[to].iface;
	char attr[XB_SDP_MAX_MEDIA][XB_SDP_CRYPTO_MAX];
	struct xb_sdp_rewrite rw;
	unsigned int k;
	int err;

	memset(&rw, 0, sizeof(rw));
	rw.session_addr = ifc->advertise;
	rw.replace_origin = true;
	for (k = 0; k < sdp->n_media; k++) {
		const struct xbm_section *sec = &c->sec[k];

		attr[k][0] = '\0';
		if (sec->state == XBM_SEC_PASSTHROUGH)
			continue;
		rw.media[k].addr = ifc->advertise;
		rw.media[k].port = sec->state == XBM_SEC_ACTIVE ? sec->leg[to].port : 0;
		xbm_srtp_rewrite(c, k, to, sdp, &rw.media[k], attr[k]);
	}
	err = xb_sdp_rewrite(sdp, &rw, out, out_len);
	explicit_bzero(attr, sizeof(attr)); /* our keys */
	return err;
}

/* Contexts first (streams name them), then streams, then unused contexts. */
static int apply_section(struct xbm *m, struct xbm_call *c, unsigned int k, unsigned int relearn)
{
	int err = xbm_srtp_install(m, c, k);

	if (!err)
		err = xbm_section_apply(m, c, k, relearn);
	if (!err)
		xbm_srtp_prune(m, c, k);
	return err;
}

static int apply_all(struct xbm *m, struct xbm_call *c, unsigned int relearn[])
{
	unsigned int k;
	int err;

	for (k = 0; k < c->n_sections; k++) {
		if (c->sec[k].state != XBM_SEC_ACTIVE)
			continue;
		err = apply_section(m, c, k, relearn[k]);
		if (err)
			return err;
	}
	return 0;
}

static void drop_call(struct xbm *m, struct xbm_call *c)
{
	xbm_call_release(m, c, true);
	xbm_call_unlink(m, c);
	xbm_call_destroy(c);
}

static int new_call(struct xbm *m, const struct xbm_req *req, struct xbm_call **cp)
{
	const struct xbm_iface *from = xbm_iface_find(m, req->from.iface);
	const struct xbm_iface *to = xbm_iface_find(m, req->to.iface);
	struct xbm_call *c;

	if (!from || !to)
		return xb_err(EINVAL, "media: no media interface '%s'",
			      !from ? (req->from.iface ? req->from.iface : "(none)")
				    : (req->to.iface ? req->to.iface : "(none)"));
	c = xbm_call_new(m, req->call_id);
	if (!c)
		return -ENOMEM;
	c->party[0].iface = *from;
	c->party[1].iface = *to;
	if (xbm_set_tag(&c->party[0], req->from_tag) ||
	    (req->to_tag && xbm_set_tag(&c->party[1], req->to_tag))) {
		xbm_call_unlink(m, c);
		xbm_call_destroy(c);
		return -ENOMEM;
	}
	c->created_ns = xb_mono_ns();
	*cp = c;
	return 0;
}

int xbm_offer(struct xbm *m, const struct xbm_req *req, char **out, size_t *out_len)
{
	unsigned int relearn[XB_SDP_MAX_MEDIA] = { 0 };
	struct xbm_call *c;
	struct xb_sdp sdp;
	bool fresh = false;
	unsigned int k;
	int p, q, err;

	err = check_req(m, req);
	if (!err)
		err = xb_sdp_parse(req->sdp, req->sdp_len, &sdp);
	if (err) {
		m->c.errors++;
		return err;
	}
	c = xbm_call_find(m, req->call_id);
	if (!c) {
		err = new_call(m, req, &c);
		if (err)
			goto out;
		fresh = true;
		p = 0;
	} else {
		p = party_of(c, req->from_tag);
		if (p < 0) {
			err = xb_err(EINVAL, "media: call %s: offer from unknown tag '%s'",
				     req->call_id, req->from_tag);
			goto out;
		}
		if (req->to_tag && !c->party[1 - p].tag &&
		    (err = xbm_set_tag(&c->party[1 - p], req->to_tag)))
			goto out;
	}
	q = 1 - p;
	c->party[p].latch = req->from.latch;
	c->party[q].latch = req->to.latch;
	if (fresh) {
		/* SRTP policy: a call keeps what it started with (a reload
		 * applies to new calls), so keys and contexts stay put */
		c->party[p].srtp = (uint8_t)req->from.srtp;
		c->party[q].srtp = (uint8_t)req->to.srtp;
	}

	/* m= lines may not disappear (RFC 3264 8); if they do, they are gone */
	for (k = sdp.n_media; k < c->n_sections; k++) {
		xbm_section_release(m, c, k, true);
		memset(&c->sec[k], 0, sizeof(c->sec[k]));
	}
	c->n_sections = sdp.n_media;
	for (k = 0; k < sdp.n_media; k++) {
		const struct xb_sdp_media *md = &sdp.media[k];
		struct xbm_section *sec = &c->sec[k];

		if (md->port && relayable(md) && sec->state != XBM_SEC_ACTIVE) {
			err = activate(m, c, k);
			if (err)
				goto fail;
		} else if ((!md->port || !relayable(md)) && sec->state == XBM_SEC_ACTIVE) {
			xbm_section_release(m, c, k, true);
		}
		if (!md->port)
			sec->state = XBM_SEC_OFF;
		else if (!relayable(md))
			sec->state = XBM_SEC_PASSTHROUGH;
		describe(sec, md);
		if (record_sdp(sec, p, md))
			relearn[k] |= 1u << p;
		err = xbm_srtp_offer(m, c, k, p, &sdp);
		if (err)
			goto fail;
	}
	err = rewrite_for(c, q, &sdp, out, out_len);
	if (err)
		goto fail;
	err = apply_all(m, c, relearn);
	if (err) {
		free(*out);
		*out = NULL;
		goto fail;
	}
	c->offer_from = p;
	c->ref_ns = xb_mono_ns();
	m->c.offers++;
	xbm_state_dirty(m);
	goto out;
fail:
	if (fresh) {
		char msg[XB_ERRMSG_MAX];

		/* undoing must not overwrite the reason */
		snprintf(msg, sizeof(msg), "%s", xb_errmsg());
		drop_call(m, c);
		xb_err(err, "%s", msg);
	} else {
		xbm_state_dirty(m);
	}
out:
	if (err)
		m->c.errors++;
	xb_sdp_free(&sdp);
	return err;
}

/* The party an answer comes from; a new tag answering party 0's offer is
 * party 1 (the first answer, or a later fork, which then takes over). */
static int answering_party(struct xbm_call *c, const struct xbm_req *req)
{
	int q = party_of(c, req->from_tag), p;

	if (q < 0) {
		if (c->offer_from != 0)
			return xb_err(ENOENT, "media: call %s: no offer toward tag '%s'",
				      req->call_id, req->from_tag);
		if (xbm_set_tag(&c->party[1], req->from_tag))
			return -ENOMEM;
		q = 1;
	}
	p = 1 - q;
	if (c->offer_from != p)
		return xb_err(ENOENT, "media: call %s: no offer from the other party",
			      req->call_id);
	if (req->to_tag && c->party[p].tag && strcmp(req->to_tag, c->party[p].tag))
		return xb_err(ENOENT, "media: call %s: answer to unknown tag '%s'", req->call_id,
			      req->to_tag);
	return q;
}

int xbm_answer(struct xbm *m, const struct xbm_req *req, char **out, size_t *out_len)
{
	unsigned int relearn[XB_SDP_MAX_MEDIA] = { 0 };
	struct xbm_call *c;
	struct xb_sdp sdp;
	unsigned int k;
	int p, q, err;

	err = check_req(m, req);
	if (err) {
		m->c.errors++;
		return err;
	}
	c = xbm_call_find(m, req->call_id);
	if (!c) {
		m->c.errors++;
		return xb_err(ENOENT, "media: no call '%.64s'", req->call_id);
	}
	err = xb_sdp_parse(req->sdp, req->sdp_len, &sdp);
	if (err) {
		m->c.errors++;
		return err;
	}
	q = answering_party(c, req);
	if (q < 0) {
		err = q;
		goto out;
	}
	p = 1 - q;
	if (sdp.n_media > c->n_sections) {
		err = xb_err(EBADMSG, "media: call %s: answer has %u media sections, offer %u",
			     req->call_id, sdp.n_media, c->n_sections);
		goto out;
	}
	for (k = 0; k < sdp.n_media; k++) {
		const struct xb_sdp_media *md = &sdp.media[k];
		struct xbm_section *sec = &c->sec[k];

		if (md->port && sec->state != XBM_SEC_ACTIVE && sec->state != XBM_SEC_PASSTHROUGH) {
			err = xb_err(EBADMSG,
				     "media: call %s: answer accepts section %u the offer disabled",
				     req->call_id, k);
			goto out;
		}
		err = xbm_srtp_answer(m, c, k, q, &sdp, false);
		if (err)
			goto out;
	}
	c->party[q].latch = req->from.latch;
	for (k = 0; k < c->n_sections; k++) {
		struct xbm_section *sec = &c->sec[k];
		struct xb_sdp_media none;

		/* a section the answer leaves out is rejected */
		if (k >= sdp.n_media) {
			memset(&none, 0, sizeof(none));
			if (sec->state == XBM_SEC_ACTIVE)
				xbm_section_release(m, c, k, true);
			if (sec->state != XBM_SEC_UNUSED)
				sec->state = XBM_SEC_OFF;
			record_sdp(sec, q, &none);
			continue;
		}
		if (!sdp.media[k].port && sec->state == XBM_SEC_ACTIVE) {
			xbm_section_release(m, c, k, true);
			sec->state = XBM_SEC_OFF;
		}
		if (record_sdp(sec, q, &sdp.media[k]))
			relearn[k] |= 1u << q;
		err = xbm_srtp_answer(m, c, k, q, &sdp, true);
		if (err) {
			xbm_state_dirty(m);
			goto out;
		}
	}
	err = rewrite_for(c, p, &sdp, out, out_len);
	if (err)
		goto out;
	err = apply_all(m, c, relearn);
	if (err) {
		free(*out);
		*out = NULL;
		xbm_state_dirty(m);
		goto out;
	}
	c->answered = true;
	c->ref_ns = xb_mono_ns();
	m->c.answers++;
	xbm_state_dirty(m);
out:
	if (err)
		m->c.errors++;
	xb_sdp_free(&sdp);
	return err;
}

int xbm_delete(struct xbm *m, const char *call_id, const char *tag)
{
	struct xbm_call *c;
	unsigned int k;
	int p;

	if (!call_id || !m->started)
		return xb_err(ENOENT, "media: no call");
	c = xbm_call_find(m, call_id);
	if (!c)
		return xb_err(ENOENT, "media: no call '%.64s'", call_id);
	p = tag ? party_of(c, tag) : 0;
	if (p < 0)
		return xb_err(ENOENT, "media: call %s has no tag '%.64s'", call_id, tag);
	m->c.deletes++;
	if (p == 0) {
		drop_call(m, c);
		xbm_state_dirty(m);
		return 0;
	}
	/* The called party's branch goes; the caller's offer stands. */
	free(c->party[1].tag);
	c->party[1].tag = NULL;
	c->answered = false;
	for (k = 0; k < c->n_sections; k++) {
		memset(&c->sec[k].leg[1].sdp, 0, sizeof(c->sec[k].leg[1].sdp));
		/* the branch's SRTP key went with it */
		explicit_bzero(&c->sec[k].leg[1].srtp.theirs, sizeof(c->sec[k].leg[1].srtp.theirs));
		if (c->sec[k].state == XBM_SEC_ACTIVE)
			apply_section(m, c, k, 2);
	}
	xbm_state_dirty(m);
	return 0;
}

unsigned int xbm_call_count(const struct xbm *m)
{
	return m->n_calls;
}
