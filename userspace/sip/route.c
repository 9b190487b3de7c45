// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "sip/route.h"

struct xbs_router {
	const struct xbd_config *cfg;
};

struct xbs_router *xbs_router_new(const struct xbd_config *cfg)
{
	struct xbs_router *r = calloc(1, sizeof(*r));

	if (r)
		r->cfg = cfg;
	return r;
}

void xbs_router_free(struct xbs_router *r)
{
	free(r);
}

void xbs_router_set_config(struct xbs_router *r, const struct xbd_config *cfg)
{
	r->cfg = cfg;
}

void xbs_route_cancel(struct xbs_router *r, struct xbs_route_query *q)
{
	/* the static router never leaves a query pending */
	(void)r;
	(void)q;
}

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
	return 0;
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
	char hostbuf[XB_PARSE_MAX];
	int err;

	*q = NULL;
	if (!uri || !uri->scheme)
		return xb_err(-EINVAL, "no URI");
	sips = !strcasecmp(uri->scheme, "sips");
	if (!strcasecmp(uri->scheme, "tel")) {
		/* ENUM comes later (discovery); today a "*" peer takes numbers */
		p = xbd_config_route(cfg, "*");
		if (!p)
			return xb_err(-ENOENT, "no route for tel: URIs");
		err = xbs_target_for_peer(cfg, p, &t);
		if (err)
			return err;
		cb(arg, 0, &t, 1);
		return 0;
	}
	host = uri->host;
	if (!host || !*host)
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

	/* numeric host: straight there ("[v6]" comes without brackets) */
	snprintf(hostbuf, sizeof(hostbuf), "%s", host);
	if (hostbuf[0] == '[') {
		size_t n = strlen(hostbuf);

		if (n > 2 && hostbuf[n - 1] == ']') {
			memmove(hostbuf, hostbuf + 1, n - 2);
			hostbuf[n - 2] = '\0';
		}
	}
	if (xb_parse_addr(hostbuf, &ep.a) == 0) {
		ep.port = sips ? 5061 : 5060;
		if (uri->port && xb_parse_port(uri->port, &ep.port))
			return xb_err(-EINVAL, "bad port '%s'", uri->port);
		err = xbs_target_for_addr(cfg, &ep, want, want_set, hint, &t);
		if (err)
			return err;
		cb(arg, 0, &t, 1);
		return 0;
	}

	p = xbd_config_route(cfg, host);
	if (!p)
		return xb_err(-ENOENT, "no route to '%s'", host);
	err = xbs_target_for_peer(cfg, p, &t);
	if (err)
		return err;
	/* a domain goes to the peer's configured next hop (static peering) */
	cb(arg, 0, &t, 1);
	return 0;
}
