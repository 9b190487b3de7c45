// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * RFC 3263 §4 as a state machine of parallel lookups (see sip_locate.h):
 *
 *   NAPTR (one) -> SRV (one per service, in parallel) -> ADDR (A and AAAA
 *   per distinct SRV target, in parallel) -> targets
 *
 * Each stage starts when every lookup of the one before has answered, and
 * writes what it saw into the steps, which `xborderctl route lookup` shows.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <xborder/fastpath.h>

#include "common/err.h"
#include "dns/sip_locate.h"

#define MAX_PENDING (2 * XB_LOCATE_MAX_HOSTS)

enum stage {
	S_START,
	S_NAPTR,
	S_SRV,
	S_ADDR,
};

struct service {
	char name[XB_DNS_NAME_MAX];
	enum xbd_transport transport;
	enum xb_target_source source;
	enum xb_dns_status status;
	int err;
	struct xb_dns_srv srv[XB_DNS_MAX_RRS];
	unsigned int n;
};

struct host {
	char name[XB_DNS_NAME_MAX];
	struct xb_addr a4[XB_DNS_MAX_RRS], a6[XB_DNS_MAX_RRS];
	unsigned int n4, n6;
};

/* A place to go before addresses are known: an SRV record or the host. */
struct candidate {
	unsigned int host; /* index into hosts */
	uint16_t port, priority, weight;
	enum xbd_transport transport;
	enum xb_target_source source;
};

struct pending {
	struct xb_locate *lc;
	struct xb_dns_lookup *l; /* NULL when answered */
	unsigned int index;	 /* service or host */
	uint16_t type;
};

struct xb_locate {
	struct xb_resolver *r;
	struct xb_loop *loop;
	struct xb_uri uri;
	const char *host; /* maddr if given, else the URI's host */
	struct xb_locate_opts opts;
	struct xb_rng *rng;
	xb_locate_cb cb;
	void *arg;
	struct xb_timer kick;
	enum stage stage;
	struct xb_targets *res;
	struct pending p[MAX_PENDING];
	unsigned int n_pending, n_waiting;
	/* what A/AAAA of the plain host uses when there is no SRV */
	enum xbd_transport fallback_transport;
	enum xb_target_source fallback_source;
	bool naptr_used;
	struct service svc[XB_LOCATE_MAX_SERVICES];
	unsigned int n_svc;
	struct host hosts[XB_LOCATE_MAX_HOSTS];
	unsigned int n_hosts;
	struct candidate cand[XB_LOCATE_MAX_TARGETS];
	unsigned int n_cand;
};

const char *xb_target_source_name(enum xb_target_source s)
{
	switch (s) {
	case XB_TARGET_NUMERIC:
		return "numeric";
	case XB_TARGET_A:
		return "a";
	case XB_TARGET_SRV:
		return "srv";
	case XB_TARGET_NAPTR:
		return "naptr";
	case XB_TARGET_STATIC:
		return "static";
	case XB_TARGET_PROXY:
		return "proxy";
	}
	return "?";
}

uint16_t xb_default_port(enum xbd_transport t)
{
	return t == XBD_TRANSPORT_TLS ? XB_SIPS_PORT : XB_SIP_PORT;
}

static void step(struct xb_locate *lc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void step(struct xb_locate *lc, const char *fmt, ...)
{
	struct xb_targets *t = lc->res;
	va_list ap;

	if (t->n_steps >= XB_LOCATE_MAX_STEPS)
		return;
	if (t->n_steps == XB_LOCATE_MAX_STEPS - 1) {
		snprintf(t->steps[t->n_steps++], XB_LOCATE_STEP_MAX, "(more steps not shown)");
		return;
	}
	va_start(ap, fmt);
	vsnprintf(t->steps[t->n_steps++], XB_LOCATE_STEP_MAX, fmt, ap);
	va_end(ap);
}

static bool transport_wanted(const struct xb_locate *lc, enum xbd_transport t)
{
	return !lc->opts.transports || (lc->opts.transports & (1u << t));
}

/* ---------------------------------------------------------------- finish */

static void cancel_pending(struct xb_locate *lc)
{
	unsigned int i;

	for (i = 0; i < lc->n_pending; i++) {
		if (lc->p[i].l)
			xb_dns_cancel(lc->p[i].l);
		lc->p[i].l = NULL;
	}
	lc->n_pending = lc->n_waiting = 0;
}

static void finish(struct xb_locate *lc)
{
	struct xb_targets *t = lc->res;
	xb_locate_cb cb = lc->cb;
	void *arg = lc->arg;

	cancel_pending(lc);
	xb_timer_cancel(lc->loop, &lc->kick);
	lc->res = NULL;
	free(lc);
	cb(t, arg);
}

static void finish_error(struct xb_locate *lc, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void finish_error(struct xb_locate *lc, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(lc->res->error, sizeof(lc->res->error), fmt, ap);
	va_end(ap);
	lc->res->err = err ? err : -ENOENT;
	lc->res->n = 0;
	step(lc, "error: %s", lc->res->error);
	finish(lc);
}

static void add_target(struct xb_locate *lc, const struct xb_addr *a, uint16_t port,
		       enum xbd_transport tr, const char *host, enum xb_target_source src,
		       uint16_t priority, uint16_t weight)
{
	struct xb_targets *t = lc->res;
	struct xb_target *x;
	unsigned int i;

	if (lc->opts.family && a->family != lc->opts.family)
		return; /* not reachable from the caller's socket */
	for (i = 0; i < t->n; i++)
		if (t->t[i].transport == tr && t->t[i].ep.port == port &&
		    xb_addr_equal(&t->t[i].ep.a, a))
			return; /* the same place twice: once is enough */
	if (t->n >= XB_LOCATE_MAX_TARGETS)
		return;
	x = &t->t[t->n++];
	memset(x, 0, sizeof(*x));
	x->ep.a = *a;
	x->ep.port = port;
	x->transport = tr;
	snprintf(x->host, sizeof(x->host), "%s", host);
	/* RFC 5922 §4: the identity is the domain asked for, never what DNS
	 * (unsigned) said: not the SRV target */
	snprintf(x->tls_name, sizeof(x->tls_name), "%s", lc->uri.host);
	x->source = src;
	x->priority = priority;
	x->weight = weight;
}

/* ---------------------------------------------------------------- lookups */

static void on_answer(const struct xb_dns_result *res, void *arg);

static int ask(struct xb_locate *lc, const char *name, uint16_t type, unsigned int index)
{
	struct pending *p;
	int err;

	if (lc->n_pending >= MAX_PENDING)
		return xb_err(ENOSPC, "too many lookups");
	p = &lc->p[lc->n_pending];
	p->lc = lc;
	p->index = index;
	p->type = type;
	err = xb_dns_resolve(lc->r, name, type, on_answer, p, &p->l);
	if (err)
		return err;
	lc->n_pending++;
	lc->n_waiting++;
	return 0;
}

static void begin_srv(struct xb_locate *lc);
static void begin_addr(struct xb_locate *lc);
static void addr_done(struct xb_locate *lc);
static void srv_done(struct xb_locate *lc);
static void naptr_answer(struct xb_locate *lc, const struct xb_dns_result *res);

static const char *cached(const struct xb_dns_result *res)
{
	return res->from_cache ? " (cached)" : "";
}

static void note_negative(struct xb_locate *lc, const struct xb_dns_result *res)
{
	if (res->status == XB_DNS_FAIL)
		step(lc, "%s %s: %s", xb_dns_type_name(res->type), res->name, res->error);
	else
		step(lc, "%s %s: %s%s", xb_dns_type_name(res->type), res->name,
		     xb_dns_status_name(res->status), cached(res));
}

static void srv_answer(struct xb_locate *lc, struct service *s, const struct xb_dns_result *res)
{
	char buf[XB_LOCATE_STEP_MAX];
	unsigned int i;

	s->status = res->status;
	s->err = res->err;
	if (res->status != XB_DNS_OK) {
		note_negative(lc, res);
		return;
	}
	step(lc, "SRV %s: %u record%s%s", res->name, res->n, res->n == 1 ? "" : "s", cached(res));
	for (i = 0; i < res->n && s->n < XB_DNS_MAX_RRS; i++) {
		s->srv[s->n++] = res->rr[i].srv;
		step(lc, "  %s", xb_dns_rr_fmt(&res->rr[i], buf, sizeof(buf)));
	}
}

static void host_answer(struct xb_locate *lc, struct host *h, const struct xb_dns_result *res)
{
	char buf[XB_ADDRSTRLEN], line[XB_LOCATE_STEP_MAX];
	size_t o;
	unsigned int i;

	if (res->status != XB_DNS_OK) {
		note_negative(lc, res);
		return;
	}
	o = (size_t)snprintf(line, sizeof(line), "%s %s:", xb_dns_type_name(res->type), res->name);
	for (i = 0; i < res->n; i++) {
		const struct xb_addr *a = &res->rr[i].addr;

		if (res->type == XB_DNS_A && h->n4 < XB_DNS_MAX_RRS)
			h->a4[h->n4++] = *a;
		else if (res->type == XB_DNS_AAAA && h->n6 < XB_DNS_MAX_RRS)
			h->a6[h->n6++] = *a;
		if (o < sizeof(line))
			o += (size_t)snprintf(line + o, sizeof(line) - o, " %s",
					      xb_fmt_addr(a, buf, sizeof(buf)));
	}
	if (res->cname_hops && o < sizeof(line))
		o += (size_t)snprintf(line + o, sizeof(line) - o, " (via CNAME %s)",
				      res->canonical);
	if (o < sizeof(line))
		snprintf(line + o, sizeof(line) - o, " ttl %u%s", res->ttl, cached(res));
	step(lc, "%s", line);
}

static void on_answer(const struct xb_dns_result *res, void *arg)
{
	struct pending *p = arg;
	struct xb_locate *lc = p->lc;

	p->l = NULL; /* the resolver frees it after this call */
	switch (lc->stage) {
	case S_NAPTR:
		lc->n_waiting--;
		naptr_answer(lc, res);
		return;
	case S_SRV:
		srv_answer(lc, &lc->svc[p->index], res);
		if (--lc->n_waiting == 0)
			srv_done(lc);
		return;
	case S_ADDR:
		host_answer(lc, &lc->hosts[p->index], res);
		if (--lc->n_waiting == 0)
			addr_done(lc);
		return;
	case S_START:
		return;
	}
}

/* ---------------------------------------------------------------- stages */

static const char *transport_upper(enum xbd_transport t)
{
	return t == XBD_TRANSPORT_UDP ? "UDP" : t == XBD_TRANSPORT_TCP ? "TCP" : "TLS";
}

static int add_service(struct xb_locate *lc, const char *name, enum xbd_transport tr,
		       enum xb_target_source src)
{
	unsigned int i;

	for (i = 0; i < lc->n_svc; i++)
		if (!strcmp(lc->svc[i].name, name) && lc->svc[i].transport == tr)
			return 0;
	if (lc->n_svc >= XB_LOCATE_MAX_SERVICES)
		return -ENOSPC;
	memset(&lc->svc[lc->n_svc], 0, sizeof(lc->svc[0]));
	snprintf(lc->svc[lc->n_svc].name, XB_DNS_NAME_MAX, "%s", name);
	lc->svc[lc->n_svc].transport = tr;
	lc->svc[lc->n_svc].source = src;
	lc->n_svc++;
	return 0;
}

/* The SRV name for TR at the host: _sips._tcp, _sip._tcp or _sip._udp. */
static int srv_name(const struct xb_locate *lc, enum xbd_transport tr, char *out, size_t len)
{
	const char *prefix = tr == XBD_TRANSPORT_TLS   ? "_sips._tcp"
			     : tr == XBD_TRANSPORT_TCP ? "_sip._tcp"
						       : "_sip._udp";

	if ((size_t)snprintf(out, len, "%s.%s", prefix, lc->host) >= len || !xb_dns_valid_name(out))
		return -ENAMETOOLONG;
	return 0;
}

static void default_services(struct xb_locate *lc)
{
	static const enum xbd_transport order[] = { XBD_TRANSPORT_TLS, XBD_TRANSPORT_TCP,
						    XBD_TRANSPORT_UDP };
	char name[XB_DNS_NAME_MAX];
	unsigned int i;

	for (i = 0; i < 3; i++) {
		if (lc->uri.scheme == XB_URI_SIPS && order[i] != XBD_TRANSPORT_TLS)
			continue; /* RFC 3263 §4.1: sips: only over TLS */
		if (!transport_wanted(lc, order[i]) || srv_name(lc, order[i], name, sizeof(name)))
			continue;
		add_service(lc, name, order[i], XB_TARGET_SRV);
	}
}

/* Service field of a NAPTR -> transport, or -1 if not ours. */
static int naptr_service(const struct xb_locate *lc, const char *services)
{
	if (!strcasecmp(services, "SIPS+D2T"))
		return XBD_TRANSPORT_TLS;
	if (lc->uri.scheme == XB_URI_SIPS)
		return -1;
	if (!strcasecmp(services, "SIP+D2U"))
		return XBD_TRANSPORT_UDP;
	if (!strcasecmp(services, "SIP+D2T"))
		return XBD_TRANSPORT_TCP;
	return -1;
}

static void naptr_answer(struct xb_locate *lc, const struct xb_dns_result *res)
{
	struct xb_dns_naptr *n = NULL;
	char buf[XB_LOCATE_STEP_MAX];
	unsigned int i, count = 0;

	if (res->status != XB_DNS_OK) {
		note_negative(lc, res);
	} else {
		step(lc, "NAPTR %s: %u record%s%s", res->name, res->n, res->n == 1 ? "" : "s",
		     cached(res));
		n = calloc(res->n, sizeof(*n));
		if (!n) {
			finish_error(lc, -ENOMEM, "out of memory");
			return;
		}
		for (i = 0; i < res->n; i++)
			n[i] = res->rr[i].naptr;
		xb_naptr_order(n, res->n);
		count = res->n;
	}
	for (i = 0; i < count; i++) {
		struct xb_dns_rr rr = { .type = XB_DNS_NAPTR, .naptr = n[i] };
		int tr = naptr_service(lc, n[i].services);
		const char *why = NULL;

		xb_dns_rr_fmt(&rr, buf, sizeof(buf));
		if (strcasecmp(n[i].flags, "S"))
			why = "flags are not \"S\"";
		else if (tr < 0)
			why = lc->uri.scheme == XB_URI_SIPS &&
					      !strncasecmp(n[i].services, "SIP+", 4)
				      ? "not TLS, and the URI is sips:"
				      : "not a SIP service we use";
		else if (!transport_wanted(lc, tr))
			why = "transport not enabled";
		else if (!xb_dns_valid_name(n[i].replacement) || !strcmp(n[i].replacement, "."))
			why = "no SRV name in the replacement";
		else if (add_service(lc, n[i].replacement, tr, XB_TARGET_NAPTR))
			why = "too many services";
		if (why) {
			step(lc, "  %s: skipped (%s)", buf, why);
		} else {
			step(lc, "  %s: %s", buf, transport_upper(tr));
			lc->naptr_used = true;
		}
	}
	free(n);
	if (lc->n_svc) {
		lc->fallback_transport = lc->svc[0].transport;
		lc->fallback_source = XB_TARGET_NAPTR;
	} else {
		step(lc, "no usable NAPTR: SRV for each transport");
		default_services(lc);
	}
	begin_srv(lc);
}

static void begin_srv(struct xb_locate *lc)
{
	unsigned int i;

	lc->stage = S_SRV;
	cancel_pending(lc);
	for (i = 0; i < lc->n_svc; i++)
		if (ask(lc, lc->svc[i].name, XB_DNS_SRV, i)) {
			lc->svc[i].status = XB_DNS_FAIL;
			lc->svc[i].err = -EINVAL;
			step(lc, "SRV %s: %s", lc->svc[i].name, xb_errmsg());
		}
	if (!lc->n_waiting)
		srv_done(lc);
}

static int host_index(struct xb_locate *lc, const char *name)
{
	unsigned int i;

	for (i = 0; i < lc->n_hosts; i++)
		if (!strcmp(lc->hosts[i].name, name))
			return (int)i;
	if (lc->n_hosts >= XB_LOCATE_MAX_HOSTS)
		return -1;
	memset(&lc->hosts[lc->n_hosts], 0, sizeof(lc->hosts[0]));
	snprintf(lc->hosts[lc->n_hosts].name, XB_DNS_NAME_MAX, "%s", name);
	return (int)lc->n_hosts++;
}

static void add_candidate(struct xb_locate *lc, const char *host, uint16_t port,
			  enum xbd_transport tr, enum xb_target_source src, uint16_t priority,
			  uint16_t weight)
{
	int h = host_index(lc, host);

	if (h < 0 || lc->n_cand >= XB_LOCATE_MAX_TARGETS) {
		step(lc, "  %s: skipped (more than %u hosts)", host, XB_LOCATE_MAX_HOSTS);
		return;
	}
	lc->cand[lc->n_cand++] = (struct candidate){ .host = (unsigned int)h,
						     .port = port,
						     .priority = priority,
						     .weight = weight,
						     .transport = tr,
						     .source = src };
}

static void srv_done(struct xb_locate *lc)
{
	unsigned int i, k, found = 0, failed = 0;
	int first_err = 0;
	char first_error[XB_LOCATE_STEP_MAX] = "";

	for (i = 0; i < lc->n_svc; i++) {
		struct service *s = &lc->svc[i];

		if (s->status == XB_DNS_FAIL) {
			failed++;
			if (!first_err)
				first_err = s->err;
			continue;
		}
		if (s->status != XB_DNS_OK || !s->n)
			continue;
		found++;
		if (s->n == 1 && !strcmp(s->srv[0].target, ".")) {
			/* RFC 2782: decidedly not available at this domain */
			step(lc, "SRV %s: target \".\": no %s service", s->name,
			     transport_upper(s->transport));
			continue;
		}
		xb_srv_order(s->srv, s->n, lc->rng);
		for (k = 0; k < s->n; k++) {
			if (!strcmp(s->srv[k].target, ".") || !s->srv[k].port)
				continue;
			add_candidate(lc, s->srv[k].target, s->srv[k].port, s->transport, s->source,
				      s->srv[k].priority, s->srv[k].weight);
		}
	}
	if (lc->n_cand) {
		begin_addr(lc);
		return;
	}
	if (found) {
		finish_error(lc, -ENOENT, "%s offers no SIP service (SRV target \".\")", lc->host);
		return;
	}
	if (failed && failed == lc->n_svc) {
		/* cannot tell "no SRV" from a DNS failure: do not guess */
		for (i = 0; i < lc->res->n_steps && !first_error[0]; i++)
			if (!strncmp(lc->res->steps[i], "SRV ", 4))
				snprintf(first_error, sizeof(first_error), "%s", lc->res->steps[i]);
		finish_error(lc, first_err, "DNS failed: %s", first_error);
		return;
	}
	step(lc, "no SRV: A/AAAA of %s, port %u", lc->host,
	     xb_default_port(lc->fallback_transport));
	add_candidate(lc, lc->host, xb_default_port(lc->fallback_transport), lc->fallback_transport,
		      lc->naptr_used ? XB_TARGET_NAPTR : XB_TARGET_A, 0, 0);
	begin_addr(lc);
}

static void begin_addr(struct xb_locate *lc)
{
	unsigned int i;

	lc->stage = S_ADDR;
	cancel_pending(lc);
	for (i = 0; i < lc->n_hosts; i++) {
		if (ask(lc, lc->hosts[i].name, XB_DNS_A, i))
			step(lc, "A %s: %s", lc->hosts[i].name, xb_errmsg());
		if (ask(lc, lc->hosts[i].name, XB_DNS_AAAA, i))
			step(lc, "AAAA %s: %s", lc->hosts[i].name, xb_errmsg());
	}
	if (!lc->n_waiting)
		addr_done(lc);
}

static void addr_done(struct xb_locate *lc)
{
	unsigned int i, k;

	for (i = 0; i < lc->n_cand; i++) {
		const struct candidate *c = &lc->cand[i];
		const struct host *h = &lc->hosts[c->host];

		/* IPv4 first, then IPv6: the order the records came in otherwise */
		for (k = 0; k < h->n4; k++)
			add_target(lc, &h->a4[k], c->port, c->transport, h->name, c->source,
				   c->priority, c->weight);
		for (k = 0; k < h->n6; k++)
			add_target(lc, &h->a6[k], c->port, c->transport, h->name, c->source,
				   c->priority, c->weight);
	}
	if (!lc->res->n) {
		const char *fam = !lc->opts.family		  ? ""
				  : lc->opts.family == XB_AF_INET ? "IPv4 "
								  : "IPv6 ";

		finish_error(lc, -ENOENT, "no %saddress for %s%s", fam, lc->hosts[0].name,
			     lc->n_hosts > 1 ? " or the other SRV targets" : "");
		return;
	}
	finish(lc);
}

/* ---------------------------------------------------------------- start */

static void kick(struct xb_loop *loop, struct xb_timer *t, void *arg)
{
	struct xb_locate *lc = arg;
	const struct xb_uri *u = &lc->uri;
	enum xbd_transport tr;
	char name[XB_DNS_NAME_MAX];
	struct xb_addr a;

	if (u->has_transport)
		tr = u->transport;
	else
		tr = u->scheme == XB_URI_SIPS ? XBD_TRANSPORT_TLS : XBD_TRANSPORT_UDP;
	if (u->scheme == XB_URI_SIPS && tr == XBD_TRANSPORT_TCP)
		tr = XBD_TRANSPORT_TLS; /* sips: over TCP means TLS */
	lc->fallback_transport = tr;
	lc->fallback_source = XB_TARGET_A;

	if (lc->uri.maddr[0])
		step(lc, "maddr %s replaces host %s", lc->uri.maddr, lc->uri.host);
	if (!transport_wanted(lc, tr) && (u->has_transport || u->port || u->numeric)) {
		finish_error(lc, -EPROTONOSUPPORT, "transport %s is not enabled",
			     xbd_transport_name(tr));
		return;
	}
	if (xb_parse_addr(lc->host, &a) == 0) {
		step(lc, "numeric host %s: no DNS (RFC 3263 §4.1, §4.2)", lc->host);
		add_target(lc, &a, u->port ? u->port : xb_default_port(tr), tr, "",
			   XB_TARGET_NUMERIC, 0, 0);
		if (!lc->res->n) {
			finish_error(lc, -EAFNOSUPPORT, "%s is not of the wanted address family",
				     lc->host);
			return;
		}
		finish(lc);
		return;
	}
	if (u->port) {
		step(lc, "port %u given: A/AAAA of %s only (RFC 3263 §4.2)", u->port, lc->host);
		add_candidate(lc, lc->host, u->port, tr, XB_TARGET_A, 0, 0);
		begin_addr(lc);
		return;
	}
	if (u->has_transport) {
		step(lc, "transport=%s given: no NAPTR, SRV for it (RFC 3263 §4.1)",
		     xbd_transport_name(u->transport));
		if (srv_name(lc, tr, name, sizeof(name)) == 0)
			add_service(lc, name, tr, XB_TARGET_SRV);
		begin_srv(lc);
		return;
	}
	lc->stage = S_NAPTR;
	if (ask(lc, lc->host, XB_DNS_NAPTR, 0)) {
		finish_error(lc, -EINVAL, "%s", xb_errmsg());
		return;
	}
}

int xb_locate(struct xb_resolver *r, const struct xb_uri *uri, const struct xb_locate_opts *opts,
	      xb_locate_cb cb, void *arg, struct xb_locate **out)
{
	struct xb_locate *lc;

	if (out)
		*out = NULL;
	if (!r || !uri || !cb)
		return xb_err(EINVAL, "locate: nothing to locate");
	if (uri->scheme == XB_URI_TEL)
		return xb_err(EINVAL, "a tel: URI is located through ENUM, not RFC 3263");
	if (uri->scheme == XB_URI_SIPS && uri->has_transport && uri->transport == XBD_TRANSPORT_UDP)
		return xb_err(EINVAL, "a sips: URI cannot use transport=udp");
	if (!uri->host[0])
		return xb_err(EINVAL, "the URI has no host");
	lc = calloc(1, sizeof(*lc));
	if (!lc)
		return xb_err(ENOMEM, "locate: out of memory");
	lc->res = calloc(1, sizeof(*lc->res));
	if (!lc->res) {
		free(lc);
		return xb_err(ENOMEM, "locate: out of memory");
	}
	lc->r = r;
	lc->uri = *uri;
	lc->host = lc->uri.maddr[0] ? lc->uri.maddr : lc->uri.host;
	if (opts)
		lc->opts = *opts;
	lc->res->bl = lc->opts.bl;
	lc->rng = lc->opts.rng ? lc->opts.rng : xb_resolver_rng(r);
	lc->cb = cb;
	lc->arg = arg;
	lc->loop = xb_resolver_loop(r);
	xb_timer_init(&lc->kick, kick, lc);
	if (xb_timer_arm(lc->loop, &lc->kick, 0)) {
		free(lc->res);
		free(lc);
		return xb_err(ENOMEM, "locate: cannot arm a timer");
	}
	if (out)
		*out = lc;
	return 0;
}

void xb_locate_cancel(struct xb_locate *lc)
{
	if (!lc)
		return;
	cancel_pending(lc);
	xb_timer_cancel(lc->loop, &lc->kick);
	free(lc->res);
	free(lc);
}

/* ---------------------------------------------------------------- failover */

const struct xb_target *xb_targets_next(struct xb_targets *t, uint64_t now_ns)
{
	unsigned int i;

	if (!t)
		return NULL;
	for (i = 0; i < t->n; i++)
		if (!t->t[i].tried &&
		    !xb_blocklist_has(t->bl, &t->t[i].ep, t->t[i].transport, now_ns)) {
			t->t[i].tried = true;
			return &t->t[i];
		}
	/* only blocked ones left: better a blocked target than none */
	for (i = 0; i < t->n; i++)
		if (!t->t[i].tried) {
			t->t[i].tried = true;
			return &t->t[i];
		}
	return NULL;
}

int xb_targets_mark_failed(struct xb_targets *t, const struct xb_target *target, uint32_t seconds,
			   uint64_t now_ns)
{
	if (!t || !target)
		return xb_err(EINVAL, "no target to mark");
	if (!t->bl)
		return 0; /* nothing shared to remember it in */
	return xb_blocklist_add(t->bl, &target->ep, target->transport, seconds, now_ns);
}

void xb_targets_free(struct xb_targets *t)
{
	free(t);
}
