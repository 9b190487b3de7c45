// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fast-path streams of a call. Per active section and party p there is a
 * stream keyed at p's relay port (packets FROM p) that sends to the other
 * party q from q's relay port, and the same on port + 1 for RTCP unless
 * both parties negotiated rtcp-mux. A direction whose destination is not
 * known yet (no answer) or is the zero address (hold) is installed with
 * XB_F_DROP, so its port is bound by the userspace relay and counted.
 * A section with a party behind an IPsec tunnel goes through the stack
 * both ways (XB_F_PASS): XDP would send around the SA.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "ipsec/ipsec.h"
#include "media/internal.h"

void xbm_stream_key(struct xb_stream_key *key, const struct xbm_iface *ifc, uint16_t port)
{
	struct xb_endpoint e = { .a = ifc->addr, .port = port };

	xb_stream_key_from(key, &e);
}

static bool want_stream(const struct xbm_section *s, int kind)
{
	if (s->state != XBM_SEC_ACTIVE)
		return false;
	if (kind == XBM_RTP)
		return true;
	return s->rtp && !(s->leg[0].sdp.have && s->leg[0].sdp.mux && s->leg[1].sdp.have &&
			   s->leg[1].sdp.mux);
}

static bool zero_addr(const struct xb_addr *a)
{
	static const uint8_t zeros[16];

	return !memcmp(a->addr, zeros, sizeof(zeros));
}

/* Where packets of KIND toward party Q go, per Q's SDP; false if nowhere. */
static bool destination(const struct xbm_section *s, int q, int kind, struct xb_addr *a,
			uint16_t *port)
{
	const struct xbm_sdp_ep *e = &s->leg[q].sdp;

	if (!e->have || !e->sdp_port || e->zero)
		return false;
	if (kind == XBM_RTP || (e->mux && s->leg[1 - q].sdp.mux)) {
		*a = e->rtp;
		*port = e->rtp_port;
	} else {
		*a = e->rtcp;
		*port = e->rtcp_port;
	}
	return *port != 0 && a->family && !zero_addr(a);
}

static void set_addr(uint8_t out[16], const struct xb_addr *a)
{
	memset(out, 0, 16);
	memcpy(out, a->addr, a->family == XB_AF_INET ? 4 : 16);
}

/* Static egress MACs when the device and the neighbour tell them. */
static bool resolve_l2(const struct xbm_iface *to, const struct xb_addr *dst, struct xb_stream *s)
{
	if (!to->ifindex || xb_l2_dev_mac(to->ifindex, s->smac) ||
	    xb_l2_next_hop_mac(to->ifindex, dst, s->dmac)) {
		memset(s->smac, 0, sizeof(s->smac));
		memset(s->dmac, 0, sizeof(s->dmac));
		return false;
	}
	return true;
}

struct cur_state {
	bool have;
	struct xb_stream s;
};

/*
 * Does party P of section SEC reach us through a tunnel-mode IPsec peer
 * (its SDP addresses and its interface's relay address within the
 * tunnel's selectors)? XDP sees that party's packets as ESP, and XDP_TX or
 * redirect toward it would leave in clear, around the xfrm output policy;
 * the stack and the userspace relay's sockets go through the SA.
 */
static bool party_tunnelled(const struct xbd_config *cfg, const struct xbm_call *c,
			    const struct xbm_section *sec, int p)
{
	const struct xbm_sdp_ep *e = &sec->leg[p].sdp;
	const struct xb_addr *relay = &c->party[p].iface.addr;

	if (!cfg || !e->have)
		return false;
	return (e->rtp.family && xb_ipsec_media_needs_stack(cfg, relay, &e->rtp)) ||
	       (e->rtcp.family && xb_ipsec_media_needs_stack(cfg, relay, &e->rtcp));
}

/* The stream from P of KIND as it should be. CUR: the map's streams.
 * TUNNEL: the section must not use the XDP fast path (IPsec tunnel). */
static void build(const struct xbm_call *c, unsigned int k, int p, int kind,
		  const struct cur_state cur[2][XBM_KINDS], unsigned int relearn, bool tunnel,
		  struct xb_stream *s)
{
	const struct xbm_section *sec = &c->sec[k];
	const struct xbm_iface *from = &c->party[p].iface, *to = &c->party[1 - p].iface;
	const struct cur_state *mine = &cur[p][kind], *rev = &cur[1 - p][kind];
	int q = 1 - p;
	struct xb_addr dst;
	uint16_t dport;
	bool q_latched, p_latched, pass;

	memset(s, 0, sizeof(*s));
	s->dscp = XB_DSCP_KEEP;
	s->family = to->addr.family;
	set_addr(s->src_addr, &to->addr);
	s->src_port = htons((uint16_t)(sec->leg[q].port + kind));
	s->ifindex = (uint32_t)to->ifindex;
	if (kind == XBM_RTP && sec->rtp)
		s->flags |= XB_F_RTP;

	if (!destination(sec, q, kind, &dst, &dport) || dst.family != to->addr.family) {
		s->flags |= XB_F_DROP;
		return;
	}
	set_addr(s->dst_addr, &dst);
	s->dst_port = htons(dport);

	/* The relay latched Q (cleared the learn flag on Q's stream): keep
	 * the address it learned unless Q's SDP moved since. */
	q_latched = c->party[q].latch && !(relearn & (1u << q)) && rev->have &&
		    (rev->s.flags & (XB_F_FORWARD | XB_F_PASS)) &&
		    !(rev->s.flags & XB_F_LEARN_REMOTE);
	if (q_latched && mine->have && (mine->s.flags & (XB_F_FORWARD | XB_F_PASS)) &&
	    mine->s.dst_port) {
		memcpy(s->dst_addr, mine->s.dst_addr, sizeof(s->dst_addr));
		s->dst_port = mine->s.dst_port;
	}

	/* The fast path forwards only within a family, and only to devices
	 * running our program; anything else is the userspace relay's. */
	pass = from->addr.family != to->addr.family || (from->xdp && !to->xdp) || tunnel;

	s->flags |= pass ? XB_F_PASS : XB_F_FORWARD;
	p_latched = !(relearn & (1u << p)) && mine->have &&
		    (mine->s.flags & (XB_F_FORWARD | XB_F_PASS)) &&
		    !(mine->s.flags & XB_F_LEARN_REMOTE);
	if (c->party[p].latch && !p_latched)
		s->flags |= XB_F_LEARN_REMOTE;
	if (xbm_srtp_stream(sec, p, s) || pass) /* SDES: its context, or drop */
		return;
	/* A latching destination may move: let the fast path look it up. */
	if (!to->xdp || c->party[q].latch || !resolve_l2(to, &dst, s))
		s->flags |= XB_F_FIB_LOOKUP;
	if (!to->xdp)
		s->ifindex = 0; /* nothing to redirect to: the relay sends */
}

static void read_cur(struct xbm *m, const struct xbm_call *c, unsigned int k,
		     struct cur_state cur[2][XBM_KINDS])
{
	struct xb_stream_key key;
	int p, kind;

	for (p = 0; p < 2; p++)
		for (kind = 0; kind < XBM_KINDS; kind++) {
			const struct xbm_leg *l = &c->sec[k].leg[p];

			cur[p][kind].have = false;
			if (!l->port)
				continue;
			xbm_stream_key(&key, &c->party[p].iface, (uint16_t)(l->port + kind));
			cur[p][kind].have = xb_fp_stream_get(m->fp, &key, &cur[p][kind].s) == 0;
		}
}

int xbm_section_apply(struct xbm *m, struct xbm_call *c, unsigned int k, unsigned int relearn)
{
	struct cur_state cur[2][XBM_KINDS];
	struct xbm_section *sec = &c->sec[k];
	struct xb_stream_key key;
	struct xb_stream s;
	bool changed = false, tunnel;
	int p, kind, err;

	/* both directions: toward the tunnel (output policy) and from it */
	tunnel = party_tunnelled(m->cfg, c, sec, 0) || party_tunnelled(m->cfg, c, sec, 1);
	read_cur(m, c, k, cur);
	for (p = 0; p < 2; p++) {
		for (kind = 0; kind < XBM_KINDS; kind++) {
			struct xbm_leg *l = &sec->leg[p];

			if (!l->port)
				continue;
			xbm_stream_key(&key, &c->party[p].iface, (uint16_t)(l->port + kind));
			if (!want_stream(sec, kind)) {
				if (cur[p][kind].have) {
					xb_fp_stream_del(m->fp, &key);
					changed = true;
				}
				l->id[kind] = 0;
				continue;
			}
			build(c, k, p, kind, cur, relearn, tunnel, &s);
			if (cur[p][kind].have) {
				s.stats_idx = cur[p][kind].s.stats_idx;
				if (!memcmp(&s, &cur[p][kind].s, sizeof(s))) {
					l->id[kind] = s.stats_idx;
					continue;
				}
			}
			err = xb_fp_stream_add(m->fp, &key, &s, true);
			if (err)
				return xb_err_prefix(err, "call %s section %u", c->call_id, k);
			l->id[kind] = s.stats_idx;
			changed = true;
		}
	}
	if (changed)
		xbm_relay_kick(m);
	return 0;
}

void xbm_section_release(struct xbm *m, struct xbm_call *c, unsigned int k, bool del_streams)
{
	struct xbm_section *sec = &c->sec[k];
	struct xb_stream_key key;
	struct xb_stream s;
	int p, kind;

	for (p = 0; p < 2; p++) {
		struct xbm_leg *l = &sec->leg[p];

		if (!l->port)
			continue;
		for (kind = 0; del_streams && kind < XBM_KINDS; kind++) {
			xbm_stream_key(&key, &c->party[p].iface, (uint16_t)(l->port + kind));
			/* only ours: the id says the entry is the one we made */
			if (xb_fp_stream_get(m->fp, &key, &s) == 0 &&
			    (!l->id[kind] || s.stats_idx == l->id[kind]))
				xb_fp_stream_del(m->fp, &key);
		}
		xbm_port_free(m, c->party[p].iface.name, l->port);
		l->port = 0;
		memset(l->id, 0, sizeof(l->id));
	}
	xbm_srtp_release(m, c, k, del_streams); /* after the streams naming them */
	if (del_streams)
		xbm_relay_kick(m);
}

void xbm_call_release(struct xbm *m, struct xbm_call *c, bool del_streams)
{
	unsigned int k;

	for (k = 0; k < c->n_sections; k++)
		xbm_section_release(m, c, k, del_streams);
}

static void relay_sync(struct xb_loop *loop, struct xb_timer *t, void *arg)
{
	struct xbm *m = arg;

	if (m->relay && xb_relay_sync(m->relay))
		xb_log(XB_LOG_WARN, "media: relay sync: %s", xb_errmsg());
}

/* The relay binds new ports at its next sync; make that soon. */
void xbm_relay_kick(struct xbm *m)
{
	if (!m->relay || !m->loop || xb_timer_armed(&m->sync_timer))
		return;
	xb_timer_init(&m->sync_timer, relay_sync, m);
	xb_timer_arm(m->loop, &m->sync_timer, XBM_RELAY_SYNC_MS);
}
