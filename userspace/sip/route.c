// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The router (route.h): static answers here, the rest through discovery
 * (dns/discover.h) on the event loop. Discovery's targets are turned into
 * the proxy's (listener, peer, media policy) when they arrive, from the
 * configuration in force at that moment.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <osipparser2/osip_port.h>

#include "common/err.h"
#include "common/log.h"
#include "dns/blocklist.h"
#include "dns/discover.h"
#include "sip/message.h"
#include "sip/route.h"

#define XBS_BLOCKLIST_MAX 1024

struct xbs_route_query {
	struct xbs_router *r;
	struct xbs_route_query *prev, *next;
	xbs_route_cb cb;
	void *arg;
	struct xb_discover *dx; /* a lookup by policy */
	struct xb_locate *lc;	/* or a redirect's contact, by RFC 3263 */
	const struct xbd_listener *hint;
	struct xbs_target via; /* redirects: whose peer the targets inherit */
	char uri[XB_URI_MAX];
};

struct xbs_router {
	const struct xbd_config *cfg;
	struct xb_resolver *res;
	struct xb_blocklist *bl;
	struct xbs_route_query *queries; /* in flight */
};

struct xbs_router *xbs_router_new(const struct xbd_config *cfg, struct xb_resolver *res)
{
	struct xbs_router *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->bl = xb_blocklist_new(XBS_BLOCKLIST_MAX);
	if (!r->bl) {
		free(r);
		return NULL;
	}
	r->cfg = cfg;
	r->res = res;
	return r;
}

static void query_unlink(struct xbs_route_query *q)
{
	if (q->prev)
		q->prev->next = q->next;
	else
		q->r->queries = q->next;
	if (q->next)
		q->next->prev = q->prev;
	q->prev = q->next = NULL;
}

static void query_free(struct xbs_route_query *q)
{
	query_unlink(q);
	xb_discover_cancel(q->dx);
	xb_locate_cancel(q->lc);
	free(q);
}

void xbs_router_free(struct xbs_router *r)
{
	if (!r)
		return;
	while (r->queries) {
		struct xbs_route_query *q = r->queries;
		xbs_route_cb cb = q->cb;
		void *arg = q->arg;

		query_free(q);
		cb(arg, NULL);
	}
	xb_blocklist_free(r->bl);
	free(r);
}

void xbs_router_set_config(struct xbs_router *r, const struct xbd_config *cfg)
{
	r->cfg = cfg;
}

struct xb_blocklist *xbs_router_blocklist(struct xbs_router *r)
{
	return r->bl;
}

void xbs_route_cancel(struct xbs_router *r, struct xbs_route_query *q)
{
	(void)r;
	if (q)
		query_free(q);
}

/* ------------------------------------------------------------- targets */

static void copy_peer(const struct xbd_peer *p, struct xbs_target *t)
{
	t->has_peer = true;
	snprintf(t->peer, sizeof(t->peer), "%s", p->name);
	snprintf(t->media, sizeof(t->media), "%s", p->media);
	t->media_mode = p->media_mode;
	t->latching = p->latching;
}

/* A listener of transport WANT, preferring one with PREF's address. */
static const struct xbd_listener *
listener_for(const struct xbd_config *cfg, const struct xbd_listener *pref, enum xbd_transport want)
{
	const struct xbd_listener *any = NULL;
	unsigned int i;

	if (pref && pref->transport == want)
		return pref;
	for (i = 0; i < cfg->n_listeners; i++) {
		const struct xbd_listener *l = &cfg->listeners[i];

		if (l->transport != want)
			continue;
		if (pref && xb_addr_equal(&l->local.a, &pref->local.a))
			return l;
		if (!any)
			any = l;
	}
	return any;
}

int xbs_target_for_peer(const struct xbd_config *cfg, const struct xbd_peer *p,
			struct xbs_target *t)
{
	const struct xbd_listener *l = xbd_config_listener(cfg, p->listener);

	memset(t, 0, sizeof(*t));
	if (!l)
		return xb_err(-ENOENT, "peer '%s': no listener '%s'", p->name, p->listener);
	/* the peer's transport picks a listener of that transport on the same
	 * address when the named one is of another kind */
	l = listener_for(cfg, l, p->transport);
	if (!l)
		return xb_err(-ENOENT, "peer '%s': no %s listener", p->name,
			      xbd_transport_name(p->transport));
	t->dest = p->next_hop;
	t->listener = l;
	t->transport = l->transport;
	t->source = XB_TARGET_STATIC;
	copy_peer(p, t);
	return 0;
}

int xbs_target_for_addr(const struct xbd_config *cfg, const struct xb_endpoint *ep,
			enum xbd_transport want, bool want_set, const struct xbd_listener *hint,
			struct xbs_target *t)
{
	const struct xbd_peer *p = xbd_config_peer_by_source(cfg, &ep->a);
	const struct xbd_listener *l = NULL;
	enum xbd_transport tr;

	memset(t, 0, sizeof(*t));
	if (p) {
		l = xbd_config_listener(cfg, p->listener);
		copy_peer(p, t);
	}
	if (!l)
		l = hint;
	tr = want_set ? want : (p ? p->transport : (l ? l->transport : XBD_TRANSPORT_UDP));
	l = listener_for(cfg, l, tr);
	if (!l)
		return xb_err(-ENOENT, "no %s listener", xbd_transport_name(tr));
	if (!p) {
		/* no peer: media goes out on the listener's own interface */
		snprintf(t->media, sizeof(t->media), "%s", l->media);
		t->media_mode = XBD_MEDIA_RELAY;
	}
	t->dest = *ep;
	t->listener = l;
	t->transport = l->transport;
	t->source = XB_TARGET_NUMERIC;
	return 0;
}

/* -------------------------------------------------------------- routes */

static struct xbs_route *route_alloc(struct xbs_router *r, unsigned int n)
{
	struct xbs_route *rt = calloc(1, sizeof(*rt) + n * sizeof(rt->t[0]));

	if (!rt)
		return NULL;
	rt->bl = r->bl;
	rt->block_s = r->cfg->dns.blocklist_s ? r->cfg->dns.blocklist_s : 30;
	return rt;
}

/* A reason phrase carries outside text (DNS names, ENUM rules): printable
 * ASCII only, bounded. */
static void set_reason(struct xbs_route *rt, const char *phrase, const char *why)
{
	size_t i, n;

	n = (size_t)snprintf(rt->reason, sizeof(rt->reason), "%s (%s", phrase, why);
	if (n >= sizeof(rt->reason) - 1)
		n = sizeof(rt->reason) - 2;
	for (i = strlen(phrase) + 2; i < n; i++)
		if (rt->reason[i] < 0x20 || rt->reason[i] > 0x7e)
			rt->reason[i] = '?';
	rt->reason[n] = ')';
	rt->reason[n + 1] = '\0';
}

/* What the data says (no such name, no usable record) is 404; DNS that
 * could not be asked or did not answer is our trouble: 503. */
static void route_error(struct xbs_route *rt, int err, const char *why)
{
	rt->err = err ? err : -ENOENT;
	rt->n = 0;
	switch (-rt->err) {
	case ENOENT:
	case EINVAL:
	case EPROTONOSUPPORT:
	case EAFNOSUPPORT:
		rt->status = 404;
		set_reason(rt, "Not Found", why);
		break;
	default:
		rt->status = 503;
		set_reason(rt, "Service Unavailable", why);
		break;
	}
}

/* An answer made here (no memory: the callback is called anyway, with an
 * answer that fits in a stack copy). */
static void answer_error(struct xbs_router *r, xbs_route_cb cb, void *arg, int err, const char *why)
{
	struct xbs_route *rt = route_alloc(r, 0);

	if (!rt) {
		cb(arg, NULL);
		return;
	}
	route_error(rt, err, why);
	cb(arg, rt);
}

static void answer_one(struct xbs_router *r, xbs_route_cb cb, void *arg, const struct xbs_target *t,
		       bool follow)
{
	struct xbs_route *rt = route_alloc(r, 1);

	if (!rt) {
		answer_error(r, cb, arg, -ENOMEM, "out of memory");
		return;
	}
	rt->t[0] = *t;
	rt->n = 1;
	rt->follow_redirects = follow;
	cb(arg, rt);
}

const struct xbs_target *xbs_route_next(struct xbs_route *rt)
{
	uint64_t now = xb_now_ns();
	unsigned int i;

	if (!rt)
		return NULL;
	for (i = 0; i < rt->n; i++)
		if (!rt->t[i].tried &&
		    !xb_blocklist_has(rt->bl, &rt->t[i].dest, rt->t[i].transport, now)) {
			rt->t[i].tried = true;
			return &rt->t[i];
		}
	/* only blocked ones left: better a blocked target than none */
	for (i = 0; i < rt->n; i++)
		if (!rt->t[i].tried) {
			rt->t[i].tried = true;
			return &rt->t[i];
		}
	return NULL;
}

unsigned int xbs_route_left(const struct xbs_route *rt)
{
	unsigned int i, n = 0;

	for (i = 0; rt && i < rt->n; i++)
		n += !rt->t[i].tried;
	return n;
}

void xbs_route_failed(struct xbs_route *rt, const struct xbs_target *t)
{
	if (rt && t && rt->bl)
		xb_blocklist_add(rt->bl, &t->dest, t->transport, rt->block_s, xb_now_ns());
}

void xbs_route_free(struct xbs_route *rt)
{
	if (!rt)
		return;
	free(rt->retarget);
	free(rt);
}

/* ------------------------------------------------------------ discovery */

static void log_steps(const struct xb_targets *tg, const char *uri)
{
	unsigned int i;

	if (xb_log_level() < XB_LOG_DEBUG)
		return;
	xb_log(XB_LOG_DEBUG, "route %s:", uri);
	for (i = 0; i < tg->n_steps; i++)
		xb_log(XB_LOG_DEBUG, "  %s", tg->steps[i]);
}

/* Discovery's targets as the proxy's: the listener of the deciding peer
 * (of each target's transport), its media policy. */
static struct xbs_route *from_targets(struct xbs_route_query *q, const struct xb_targets *tg,
				      const struct xbd_peer *peer, const struct xbs_target *via,
				      const char *federation)
{
	const struct xbd_config *cfg = q->r->cfg;
	const struct xbd_listener *pref = NULL;
	struct xbs_route *rt;
	unsigned int i;

	rt = route_alloc(q->r, tg->n);
	if (!rt)
		return NULL;
	if (!tg->n) {
		route_error(rt, tg->err, tg->error);
		return rt;
	}
	if (peer)
		pref = xbd_config_listener(cfg, peer->listener);
	else if (via)
		pref = via->listener;
	for (i = 0; i < tg->n; i++) {
		const struct xb_target *x = &tg->t[i];
		struct xbs_target *t = &rt->t[rt->n];
		const struct xbd_listener *l;

		if (!peer && !via) {
			if (xbs_target_for_addr(cfg, &x->ep, x->transport, true, q->hint, t))
				continue;
		} else {
			l = listener_for(cfg, pref, x->transport);
			if (!l || l->local.a.family != x->ep.a.family)
				continue; /* nothing here can send there */
			memset(t, 0, sizeof(*t));
			if (peer) {
				copy_peer(peer, t);
			} else {
				*t = *via;
				t->tried = false;
			}
			t->listener = l;
			t->transport = l->transport;
			t->dest = x->ep;
		}
		t->source = x->source;
		snprintf(t->host, sizeof(t->host), "%s", x->host);
		snprintf(t->tls_name, sizeof(t->tls_name), "%s", x->tls_name);
		snprintf(t->federation, sizeof(t->federation), "%s", federation ? federation : "");
		if (x->source == XB_TARGET_PROXY)
			rt->follow_redirects = true;
		rt->n++;
	}
	if (!rt->n)
		route_error(rt, -EPROTONOSUPPORT, "no listener can reach the targets found");
	return rt;
}

static void discovered(struct xb_discovery *d, void *arg)
{
	struct xbs_route_query *q = arg;
	const struct xbd_peer *peer = d->has_peer ? xbd_config_peer(q->r->cfg, d->peer) : NULL;
	xbs_route_cb cb = q->cb;
	void *cbarg = q->arg;
	struct xbs_route *rt;

	q->dx = NULL;
	log_steps(d->targets, q->uri);
	if (d->has_peer && !peer) {
		/* reloaded meanwhile without that peer */
		rt = route_alloc(q->r, 0);
		if (rt)
			route_error(rt, -ENOENT, "the peer that routed it is gone (reload)");
	} else {
		rt = from_targets(q, d->targets, peer, NULL, d->federation);
	}
	if (rt && d->targets->n && strcmp(d->uri, q->uri))
		rt->retarget = strdup(d->uri); /* ENUM: the request's new target */
	if (rt && rt->n && d->has_peer)
		xb_log(XB_LOG_DEBUG, "route %s: peer %s, %u targets", q->uri, d->peer, rt->n);
	query_free(q);
	xb_discovery_free(d);
	cb(cbarg, rt);
}

static void located(struct xb_targets *tg, void *arg)
{
	struct xbs_route_query *q = arg;
	xbs_route_cb cb = q->cb;
	void *cbarg = q->arg;
	struct xbs_route *rt;

	q->lc = NULL;
	log_steps(tg, q->uri);
	rt = from_targets(q, tg, NULL, &q->via, q->via.federation);
	if (rt && rt->n)
		rt->follow_redirects = true; /* still inside the redirect chain */
	query_free(q);
	xb_targets_free(tg);
	cb(cbarg, rt);
}

static struct xbs_route_query *query_new(struct xbs_router *r, xbs_route_cb cb, void *arg,
					 const char *uri)
{
	struct xbs_route_query *q = calloc(1, sizeof(*q));

	if (!q)
		return NULL;
	q->r = r;
	q->cb = cb;
	q->arg = arg;
	snprintf(q->uri, sizeof(q->uri), "%s", uri);
	q->next = r->queries;
	if (q->next)
		q->next->prev = q;
	r->queries = q;
	return q;
}

/* Policy by discovery (DNS, ENUM, TLS federations): from the loop. */
static int lookup_discover(struct xbs_router *r, const char *uri, const struct xbd_listener *hint,
			   xbs_route_cb cb, void *arg, struct xbs_route_query **out)
{
	struct xb_locate_opts o = { .bl = r->bl };
	struct xbs_route_query *q;
	char why[XB_ERRMSG_MAX];

	if (!r->res) {
		answer_error(r, cb, arg, -EHOSTUNREACH, "no DNS resolver for discovery");
		return 0;
	}
	if (strlen(uri) >= XB_URI_MAX) {
		answer_error(r, cb, arg, -EINVAL, "URI too long to locate");
		return 0;
	}
	q = query_new(r, cb, arg, uri);
	if (!q) {
		answer_error(r, cb, arg, -ENOMEM, "out of memory");
		return 0;
	}
	q->hint = hint;
	if (xb_discover(r->res, r->cfg, NULL, uri, &o, discovered, q, &q->dx)) {
		snprintf(why, sizeof(why), "%s", xb_errmsg());
		query_free(q);
		answer_error(r, cb, arg, -EINVAL, why);
		return 0;
	}
	*out = q;
	return 0;
}

/* Is ADDR:PORT one of our listeners (or their advertised addresses)? */
static bool is_us(const struct xbd_config *cfg, const struct xb_addr *a, uint16_t port)
{
	unsigned int i;

	for (i = 0; i < cfg->n_listeners; i++) {
		const struct xbd_listener *l = &cfg->listeners[i];

		if (l->local.port == port &&
		    (xb_addr_equal(&l->local.a, a) ||
		     (l->advertise.family && xb_addr_equal(&l->advertise, a))))
			return true;
	}
	return false;
}

/* The host of URI without IPv6 brackets; false when it does not fit. */
static bool plain_host(const osip_uri_t *uri, char *out, size_t size)
{
	size_t n = strnlen(uri->host, size);

	if (n >= size)
		return false;
	memcpy(out, uri->host, n + 1);
	if (out[0] == '[' && n > 2 && out[n - 1] == ']') {
		memmove(out, out + 1, n - 2);
		out[n - 2] = '\0';
	}
	return true;
}

/* URI as a string for discovery, its host replaced by HOST (and its port
 * dropped) when HOST is not NULL. NULL when it cannot be written. */
static char *uri_string(const osip_uri_t *uri, const char *host)
{
	osip_uri_t *c = NULL;
	char *s;

	if (!host)
		return xbs_uri_str(uri);
	if (osip_uri_clone(uri, &c))
		return NULL;
	osip_free(c->host);
	c->host = osip_strdup(host);
	osip_free(c->port);
	c->port = NULL;
	s = c->host ? xbs_uri_str(c) : NULL;
	osip_uri_free(c);
	return s;
}

int xbs_route_lookup(struct xbs_router *r, const osip_uri_t *uri, const struct xbd_listener *hint,
		     xbs_route_cb cb, void *arg, struct xbs_route_query **q)
{
	const struct xbd_config *cfg = r->cfg;
	struct xbs_target t;
	struct xb_endpoint ep;
	const struct xbd_peer *p;
	osip_uri_param_t *tp = NULL;
	enum xbd_transport want = XBD_TRANSPORT_UDP;
	bool want_set = false, sips;
	const char *host;
	char hostbuf[XB_PARSE_MAX], why[XB_ERRMSG_MAX], *s;
	int err;

	*q = NULL;
	if (!uri || !uri->scheme)
		return xb_err(-EINVAL, "no URI");
	sips = !strcasecmp(uri->scheme, "sips");
	if (!strcasecmp(uri->scheme, "tel")) {
		/* a number: ENUM, then the result routed again */
		s = xbs_uri_str(uri);
		if (!s)
			return xb_err(-ENOMEM, "out of memory");
		err = lookup_discover(r, s, hint, cb, arg, q);
		free(s);
		return err;
	}
	if (!uri->host || !*uri->host)
		return xb_err(-EINVAL, "URI without host");
	osip_uri_uparam_get_byname((osip_uri_t *)uri, "transport", &tp);
	if (tp && tp->gvalue) {
		if (!strcasecmp(tp->gvalue, "tcp"))
			want = XBD_TRANSPORT_TCP;
		else if (!strcasecmp(tp->gvalue, "tls"))
			want = XBD_TRANSPORT_TLS;
		else if (strcasecmp(tp->gvalue, "udp"))
			return xb_err(-EPROTONOSUPPORT, "transport '%s' not supported", tp->gvalue);
		want_set = true;
	}
	if (sips && !want_set) {
		want = XBD_TRANSPORT_TLS;
		want_set = true;
	}
	if (!plain_host(uri, hostbuf, sizeof(hostbuf)))
		return xb_err(-EINVAL, "host too long");
	host = hostbuf;

	/* numeric host: straight there */
	if (xb_parse_addr(hostbuf, &ep.a) == 0) {
		ep.port = sips ? 5061 : 5060;
		if (uri->port && xb_parse_port(uri->port, &ep.port))
			return xb_err(-EINVAL, "bad port '%s'", uri->port);
		if (!is_us(cfg, &ep.a, ep.port) || !cfg->domain[0]) {
			if (xbs_target_for_addr(cfg, &ep, want, want_set, hint, &t)) {
				answer_error(r, cb, arg, -ENOENT, xb_errmsg());
				return 0;
			}
			answer_one(r, cb, arg, &t, false);
			return 0;
		}
		/* addressed to us (a redirect server's Contact, seed 000 7.1):
		 * a user of our own domain */
		host = cfg->domain;
	}

	p = xbd_config_route(cfg, host);
	if (!p) {
		snprintf(why, sizeof(why), "no route to '%.64s'", host);
		answer_error(r, cb, arg, -ENOENT, why);
		return 0;
	}
	if (p->discovery == XBD_DISCOVERY_STATIC ||
	    (p->discovery == XBD_DISCOVERY_FEDERATION && p->next_hop.a.family)) {
		/* the peer's next hop, or the federation's central proxy: no
		 * NAPTR/SRV/A (seed 000 7.1) */
		if (xbs_target_for_peer(cfg, p, &t)) {
			answer_error(r, cb, arg, -ENOENT, xb_errmsg());
			return 0;
		}
		if (p->discovery == XBD_DISCOVERY_FEDERATION) {
			t.source = XB_TARGET_PROXY;
			snprintf(t.federation, sizeof(t.federation), "%s", p->federation);
		}
		snprintf(t.tls_name, sizeof(t.tls_name), "%s", host);
		answer_one(r, cb, arg, &t, p->discovery == XBD_DISCOVERY_FEDERATION);
		return 0;
	}
	/* DNS, ENUM, a TLS-based federation: discovery decides */
	s = uri_string(uri, host == hostbuf ? NULL : host);
	if (!s)
		return xb_err(-ENOMEM, "out of memory");
	err = lookup_discover(r, s, hint, cb, arg, q);
	free(s);
	return err;
}

int xbs_route_redirect(struct xbs_router *r, const osip_uri_t *contact,
		       const struct xbs_target *via, xbs_route_cb cb, void *arg,
		       struct xbs_route_query **out)
{
	struct xb_locate_opts o = { .bl = r->bl };
	struct xbs_route_query *q;
	struct xbs_target t;
	struct xb_uri u;
	char *s, why[XB_ERRMSG_MAX];
	unsigned int tr;

	*out = NULL;
	if (!contact || !via || !via->listener)
		return xb_err(-EINVAL, "no contact to follow");
	s = xbs_uri_str(contact);
	if (!s)
		return xb_err(-ENOMEM, "out of memory");
	if (strlen(s) >= XB_URI_MAX || xb_uri_parse(s, &u) || u.scheme == XB_URI_TEL) {
		snprintf(why, sizeof(why), "redirect to '%.64s': %s", s,
			 u.scheme == XB_URI_TEL ? "a tel: URI" : xb_errmsg());
		free(s);
		answer_error(r, cb, arg, -EINVAL, why);
		return 0;
	}
	if (u.numeric && !u.maddr[0]) {
		enum xbd_transport want =
			u.has_transport
				? u.transport
				: (u.scheme == XB_URI_SIPS ? XBD_TRANSPORT_TLS : via->transport);
		const struct xbd_listener *l = listener_for(r->cfg, via->listener, want);

		free(s);
		if (!l || l->local.a.family != u.addr.family) {
			snprintf(why, sizeof(why), "no %s listener to reach the redirect's contact",
				 xbd_transport_name(want));
			answer_error(r, cb, arg, -EPROTONOSUPPORT, why);
			return 0;
		}
		t = *via;
		t.tried = false;
		t.listener = l;
		t.transport = l->transport;
		t.dest.a = u.addr;
		t.dest.port = u.port ? u.port : xb_default_port(want);
		t.source = XB_TARGET_NUMERIC;
		t.host[0] = '\0';
		answer_one(r, cb, arg, &t, true);
		return 0;
	}
	if (!r->res) {
		free(s);
		answer_error(r, cb, arg, -EHOSTUNREACH,
			     "no DNS resolver for the redirect's contact");
		return 0;
	}
	/* a name: RFC 3263 over what the peer's listener address can send */
	for (tr = XBD_TRANSPORT_UDP; tr <= XBD_TRANSPORT_TLS; tr++) {
		const struct xbd_listener *l = listener_for(r->cfg, via->listener, tr);

		if (l && xb_addr_equal(&l->local.a, &via->listener->local.a))
			o.transports |= 1u << tr;
	}
	o.family = via->listener->local.a.family;
	q = query_new(r, cb, arg, s);
	free(s);
	if (!q) {
		answer_error(r, cb, arg, -ENOMEM, "out of memory");
		return 0;
	}
	q->via = *via;
	q->hint = via->listener;
	if (xb_locate(r->res, &u, &o, located, q, &q->lc)) {
		snprintf(why, sizeof(why), "%s", xb_errmsg());
		query_free(q);
		answer_error(r, cb, arg, -EINVAL, why);
		return 0;
	}
	*out = q;
	return 0;
}
