// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The policy on top of RFC 3263 and ENUM (discover.h). At most two rounds:
 * the URI as given, and, after ENUM, the URI it produced; in the second
 * round a peer that says "enum" is located by DNS, so rules cannot loop.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xborder/fastpath.h>

#include "common/err.h"
#include "dns/discover.h"

struct xb_discover {
	struct xb_resolver *r;
	const struct xbd_config *cfg;
	char apex[XB_DNS_NAME_MAX]; /* "" : the configuration's, else e164.arpa */
	struct xb_locate_opts opts;
	xb_discover_cb cb;
	void *arg;
	struct xb_discovery *d;
	struct xb_targets *spare; /* for answers made here: never short of memory */
	struct xb_timer timer;	  /* answers from the loop, never from inside xb_discover */
	struct xb_uri uri;
	unsigned int round;
	struct xb_locate *loc;
	struct xb_enum_lookup *en;
	/* steps taken before RFC 3263 started (policy and ENUM) */
	unsigned int n_pre;
	char pre[48][XB_LOCATE_STEP_MAX];
};

static void pre(struct xb_discover *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void pre(struct xb_discover *x, const char *fmt, ...)
{
	va_list ap;

	if (x->n_pre >= sizeof(x->pre) / sizeof(x->pre[0]))
		return;
	va_start(ap, fmt);
	vsnprintf(x->pre[x->n_pre++], XB_LOCATE_STEP_MAX, fmt, ap);
	va_end(ap);
}

/* Policy and ENUM steps first, then those of RFC 3263. */
static void merge_steps(struct xb_discover *x, struct xb_targets *t)
{
	unsigned int npre = x->n_pre, keep = t->n_steps, i; /* npre <= 48 < MAX_STEPS */

	if (keep > XB_LOCATE_MAX_STEPS - npre)
		keep = XB_LOCATE_MAX_STEPS - npre;
	memmove(t->steps[npre], t->steps[0], keep * sizeof(t->steps[0]));
	for (i = 0; i < npre; i++)
		memcpy(t->steps[i], x->pre[i], sizeof(t->steps[0]));
	t->n_steps = npre + keep;
}

static void done(struct xb_discover *x, struct xb_targets *t)
{
	struct xb_discovery *d = x->d;
	xb_discover_cb cb = x->cb;
	void *arg = x->arg;

	merge_steps(x, t);
	d->targets = t;
	x->d = NULL;
	if (t != x->spare)
		free(x->spare);
	xb_timer_cancel(xb_resolver_loop(x->r), &x->timer);
	free(x);
	cb(d, arg);
}

static void fail(struct xb_discover *x, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail(struct xb_discover *x, int err, const char *fmt, ...)
{
	struct xb_targets *t = x->spare;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->error, sizeof(t->error), fmt, ap);
	va_end(ap);
	t->err = err ? err : -ENOENT;
	t->n = 0;
	pre(x, "error: %s", t->error);
	done(x, t);
}

/* A single configured destination: a peer's next hop or a federation proxy. */
static void one_target(struct xb_discover *x, const struct xbd_peer *p, enum xb_target_source src)
{
	struct xb_targets *t = x->spare;

	t->n = 1;
	t->t[0].ep = p->next_hop;
	t->t[0].transport = p->transport;
	t->t[0].source = src;
	snprintf(t->t[0].tls_name, sizeof(t->t[0].tls_name), "%s", x->uri.host);
	done(x, t);
}

static void located(struct xb_targets *t, void *arg)
{
	struct xb_discover *x = arg;

	x->loc = NULL;
	done(x, t);
}

static void route(struct xb_discover *x);

static void enum_done(const struct xb_enum_result *res, void *arg)
{
	struct xb_discover *x = arg;
	unsigned int i;

	x->en = NULL;
	for (i = 0; i < res->n_steps; i++)
		pre(x, "%s", res->steps[i]);
	if (!res->n) {
		fail(x, res->err, "ENUM: %s", res->error);
		return;
	}
	if (xb_uri_parse(res->uris[0], &x->uri)) {
		fail(x, -EINVAL, "ENUM result '%.64s': %s", res->uris[0], xb_errmsg());
		return;
	}
	if (x->uri.scheme == XB_URI_TEL) {
		fail(x, -EINVAL, "ENUM gave a tel: URI again");
		return;
	}
	snprintf(x->d->uri, sizeof(x->d->uri), "%s", res->uris[0]);
	x->round++;
	route(x);
}

static void start_enum(struct xb_discover *x)
{
	const char *apex = x->apex[0] ? x->apex : x->cfg ? x->cfg->dns.enum_apex : NULL;

	if (!x->uri.number[0]) {
		fail(x, -EINVAL, "ENUM needs a global number (tel: URI or user=phone)");
		return;
	}
	if (xb_enum_lookup(x->r, x->uri.number, apex, enum_done, x, &x->en))
		fail(x, -EINVAL, "ENUM: %s", xb_errmsg());
}

static void start_locate(struct xb_discover *x, const struct xbd_peer *p)
{
	struct xb_locate_opts o = x->opts;

	if (p && x->cfg) {
		const struct xbd_listener *ls = xbd_config_listener(x->cfg, p->listener);

		/* only what the peer's listener can send */
		if (!o.transports)
			o.transports = 1u << p->transport;
		if (!o.family && ls)
			o.family = ls->local.a.family;
	}
	if (xb_locate(x->r, &x->uri, &o, located, x, &x->loc))
		fail(x, -EINVAL, "%s", xb_errmsg());
}

static void route(struct xb_discover *x)
{
	const struct xbd_peer *p;
	const struct xbd_federation *f;
	char ep[XB_ADDRSTRLEN];

	if (!x->cfg) {
		if (x->round == 0 && (x->uri.scheme == XB_URI_TEL || x->uri.number[0])) {
			pre(x, "%s number %s: ENUM", xb_uri_scheme_name(x->uri.scheme),
			    x->uri.number);
			start_enum(x);
			return;
		}
		start_locate(x, NULL);
		return;
	}
	if (x->uri.scheme == XB_URI_TEL) {
		pre(x, "tel: number %s: ENUM", x->uri.number);
		start_enum(x);
		return;
	}
	p = xbd_config_route(x->cfg, x->uri.host);
	if (!p) {
		fail(x, -ENOENT, "no peer routes %s", x->uri.host);
		return;
	}
	x->d->has_peer = true;
	snprintf(x->d->peer, sizeof(x->d->peer), "%s", p->name);
	x->d->method = p->discovery;
	switch (p->discovery) {
	case XBD_DISCOVERY_STATIC:
		pre(x, "peer %s: static next hop %s/%s", p->name,
		    xb_fmt_endpoint(&p->next_hop, ep, sizeof(ep)),
		    xbd_transport_name(p->transport));
		one_target(x, p, XB_TARGET_STATIC);
		return;
	case XBD_DISCOVERY_FEDERATION:
		f = xbd_config_federation(x->cfg, p->federation);
		snprintf(x->d->federation, sizeof(x->d->federation), "%s", p->federation);
		if (f)
			snprintf(x->d->tls_cert, sizeof(x->d->tls_cert), "%s", f->tls_cert);
		if (p->next_hop.a.family) {
			pre(x, "peer %s: federation %s: central proxy %s/%s, no NAPTR/SRV/A",
			    p->name, p->federation, xb_fmt_endpoint(&p->next_hop, ep, sizeof(ep)),
			    xbd_transport_name(p->transport));
			one_target(x, p, XB_TARGET_PROXY);
			return;
		}
		pre(x, "peer %s: federation %s (TLS based): default lookups%s%s", p->name,
		    p->federation, x->d->tls_cert[0] ? ", certificate " : "", x->d->tls_cert);
		start_locate(x, p);
		return;
	case XBD_DISCOVERY_ENUM:
		if (x->round == 0) {
			pre(x, "peer %s: ENUM", p->name);
			start_enum(x);
			return;
		}
		pre(x, "peer %s: ENUM result located by DNS", p->name);
		start_locate(x, p);
		return;
	case XBD_DISCOVERY_DNS:
		pre(x, "peer %s: DNS (RFC 3263)", p->name);
		start_locate(x, p);
		return;
	}
}

static void kick(struct xb_loop *loop, struct xb_timer *t, void *arg)
{
	route(arg);
}

int xb_discover(struct xb_resolver *r, const struct xbd_config *cfg, const char *apex,
		const char *uri, const struct xb_locate_opts *opts, xb_discover_cb cb, void *arg,
		struct xb_discover **out)
{
	struct xb_discover *x;
	int err;

	if (out)
		*out = NULL;
	if (!r || !cb)
		return xb_err(EINVAL, "discover: no resolver or callback");
	x = calloc(1, sizeof(*x));
	if (!x)
		return xb_err(ENOMEM, "discover: out of memory");
	x->d = calloc(1, sizeof(*x->d));
	x->spare = calloc(1, sizeof(*x->spare));
	err = x->d && x->spare ? xb_uri_parse(uri, &x->uri)
			       : xb_err(ENOMEM, "discover: out of memory");
	if (err) {
		free(x->spare);
		free(x->d);
		free(x);
		return err;
	}
	x->r = r;
	x->cfg = cfg;
	if (apex && xb_dns_normalize_name(apex, x->apex, sizeof(x->apex))) {
		err = xb_err_prefix(EINVAL, "ENUM apex");
		free(x->spare);
		free(x->d);
		free(x);
		return err;
	}
	if (opts)
		x->opts = *opts;
	x->spare->bl = x->opts.bl;
	x->cb = cb;
	x->arg = arg;
	snprintf(x->d->uri, sizeof(x->d->uri), "%s", uri);
	xb_timer_init(&x->timer, kick, x);
	if (xb_timer_arm(xb_resolver_loop(r), &x->timer, 0)) {
		free(x->spare);
		free(x->d);
		free(x);
		return xb_err(ENOMEM, "discover: cannot arm a timer");
	}
	if (out)
		*out = x;
	return 0;
}

void xb_discover_cancel(struct xb_discover *x)
{
	if (!x)
		return;
	xb_locate_cancel(x->loc);
	xb_enum_cancel(x->en);
	xb_timer_cancel(xb_resolver_loop(x->r), &x->timer);
	xb_discovery_free(x->d);
	free(x->spare);
	free(x);
}

void xb_discovery_free(struct xb_discovery *d)
{
	if (!d)
		return;
	xb_targets_free(d->targets);
	free(d);
}
