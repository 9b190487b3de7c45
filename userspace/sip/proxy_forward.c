// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Forwarding a request to its targets (RFC 3261 16.6, RFC 3263 4.3): the
 * route lookup (route.h; DNS and ENUM answer later, the request waits in
 * its server transaction), one client transaction per attempt, each with
 * a branch of its own; failover to the next target on a transport error,
 * a timeout or a 503 while nothing but 100 came back; the 3xx of a
 * federation's central proxy followed to the Contact it names (seed 000
 * 7.1); and the redirect server's side of that: 302 with the target found.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <osipparser2/osip_port.h>
#include <xborder/fastpath.h>

#include "common/log.h"
#include "sip/proxy_internal.h"

#define XBS_MAX_REDIRECTS 5

static bool dialog_creating(const char *method)
{
	return !strcmp(method, "INVITE") || !strcmp(method, "SUBSCRIBE") ||
	       !strcmp(method, "REFER") || !strcmp(method, "NOTIFY");
}

static int add_rr(osip_message_t *m, const struct xbd_listener *l)
{
	char host[XB_ADDRSTRLEN + 2], port[8], v[XB_ADDRSTRLEN + 64];
	osip_record_route_t *rr;

	xbs_via_for(l, host, sizeof(host), port, sizeof(port));
	snprintf(v, sizeof(v), "<sip:%s:%s;lr%s>", host, port,
		 l->transport == XBD_TRANSPORT_TCP ? ";transport=tcp" : "");
	if (osip_record_route_init(&rr) != 0)
		return -ENOMEM;
	if (osip_record_route_parse(rr, v) != 0 || osip_list_add(&m->record_routes, rr, 0) < 0) {
		osip_record_route_free(rr);
		return -ENOMEM;
	}
	return 0;
}

static const char *target_str(const struct xbs_target *t, char *buf, size_t size)
{
	char ep[XB_ADDRSTRLEN];

	snprintf(buf, size, "%s/%s", xb_fmt_endpoint(&t->dest, ep, sizeof(ep)),
		 xbd_transport_name(t->transport));
	return buf;
}

void xbs_rctx_done_routing(struct xbs_rctx *r)
{
	xbs_route_free(r->route);
	r->route = NULL;
	if (r->base)
		osip_message_free(r->base);
	r->base = NULL;
}

static void answer(struct xbs_proxy *p, struct xbs_rctx *r, int code, const char *reason)
{
	xbs_respond(p, r, code, reason);
	xbs_fail_initial(p, r, code, reason);
	xbs_rctx_done_routing(r);
}

/*
 * One attempt: a copy of the request to T on a new client transaction.
 * 0 sent; 1 answered upstream instead (nothing more to do); -errno T
 * failed at once (the next one may do).
 */
static int attempt(struct xbs_proxy *p, struct xbs_rctx *r, const struct xbs_target *t)
{
	struct xbs_call *c = r->call_key ? xbs_call_by_key(p, r->call_key) : NULL;
	struct xbs_hop hop = {
		.listener = t->listener,
		.transport = t->transport,
		.addr = t->dest,
	};
	char branch[XBS_BRANCH_MAX];
	osip_message_t *fwd;
	struct xbs_txn *ctx;
	size_t n;
	int code;

	r->target = *t;
	r->has_target = true;
	r->got_provisional = false; /* CANCEL waits for this attempt's (9.1) */
	if (c && r->initial) {
		struct xbs_side *s = &c->side[1];

		s->listener = t->listener;
		s->addr = t->dest;
		snprintf(s->peer, sizeof(s->peer), "%s", t->peer);
		if (!r->media_done) {
			/* the media side is decided once: the SDP is rewritten once */
			snprintf(s->media, sizeof(s->media), "%s",
				 t->media[0] ? t->media : t->listener->media);
			s->mode = t->media_mode;
			s->latch = t->latching;
			c->relay = p->media && (c->side[0].mode == XBD_MEDIA_RELAY ||
						s->mode == XBD_MEDIA_RELAY);
		}
	}
	/* a request toward a party we talk to over a connection reuses it */
	if (c && r->dir >= 0) {
		struct xbs_side *s = &c->side[1 - r->dir];

		/* (its connection's source port is not the port in its Contact) */
		if (s->conn_id && t->transport != XBD_TRANSPORT_UDP &&
		    xb_addr_equal(&s->addr.a, &t->dest.a) && s->listener == t->listener)
			hop.conn_id = s->conn_id;
	}
	if (c && !r->media_done) {
		r->media_done = true;
		code = xbs_media_sdp(p, c, r->base, r->dir < 0 ? 0 : r->dir, true);
		if (code) {
			answer(p, r, code, NULL);
			return 1;
		}
	}
	r->media_done = true;
	if (osip_message_clone(r->base, &fwd) != 0) {
		answer(p, r, 500, NULL);
		return 1;
	}
	if (!xbs_tag(fwd->to) && dialog_creating(r->method)) {
		/* double record-routing when the border is crossed between
		 * listeners: each entry names the listener facing its side */
		if ((r->up.listener != t->listener && add_rr(fwd, r->up.listener)) ||
		    add_rr(fwd, t->listener)) {
			osip_message_free(fwd);
			answer(p, r, 500, NULL);
			return 1;
		}
	}
	if (xbs_branch_compute(fwd, osip_list_get(&fwd->vias, 0), branch)) {
		osip_message_free(fwd);
		answer(p, r, 500, NULL);
		return 1;
	}
	/* every attempt is a new client transaction: a branch of its own (the
	 * computed one, then ".1", ".2"... which loop detection ignores) */
	n = strlen(branch);
	if (r->attempts)
		snprintf(branch + n, sizeof(branch) - n, ".%u", r->attempts % 1000);
	if (xbs_add_via(fwd, t->listener, branch)) {
		osip_message_free(fwd);
		answer(p, r, 500, NULL);
		return 1;
	}
	r->attempts++;
	r->attempt_err = 0;
	r->in_attempt = true;
	ctx = xbs_txn_client_new(p->txns, fwd, &hop, r);
	r->in_attempt = false;
	if (!ctx)
		return r->attempt_err ? r->attempt_err : -EIO;
	r->ctx = ctx;
	p->st.forwarded_requests++;
	if (!strcmp(r->method, "INVITE"))
		xb_timer_arm(p->loop, &r->timer_c, (uint64_t)p->cfg->timers.timer_c_s * 1000);
	return 0;
}

static void fail_code(struct xbs_rctx *r, int err)
{
	if (err == -ETIMEDOUT) {
		r->fail_code = 408;
		r->fail_reason[0] = '\0';
	} else if (err) {
		r->fail_code = 503;
		snprintf(r->fail_reason, sizeof(r->fail_reason),
			 "Service Unavailable (next hop unreachable)");
	} else {
		/* 16.7 step 6: a 503 from downstream is not passed up as such */
		r->fail_code = 500;
		snprintf(r->fail_reason, sizeof(r->fail_reason),
			 "Server Internal Error (next hop 503)");
	}
}

/* Sends to the next target that takes the request; when none is left,
 * the final answer upstream. */
static void try_next(struct xbs_proxy *p, struct xbs_rctx *r)
{
	const struct xbs_target *t;
	char buf[XB_ADDRSTRLEN + 16];
	int err;

	while (r->stx && !r->final_sent && !r->cancelled && (t = xbs_route_next(r->route))) {
		err = attempt(p, r, t);
		if (err >= 0)
			return;
		xb_log(XB_LOG_INFO, "%s to %s failed at once (%s)%s", r->method,
		       target_str(t, buf, sizeof(buf)), strerror(-err),
		       xbs_route_left(r->route) ? ": trying the next target" : "");
		xbs_peer_seen(p, t->peer, false);
		xbs_route_failed(r->route, t);
		fail_code(r, err);
		if (xbs_route_left(r->route))
			p->st.failovers++;
	}
	if (!r->stx || r->final_sent) {
		xbs_rctx_done_routing(r);
		return;
	}
	if (r->cancelled)
		answer(p, r, 487, NULL);
	else
		answer(p, r, r->fail_code ? r->fail_code : 503,
		       r->fail_reason[0] ? r->fail_reason : NULL);
}

bool xbs_failover(struct xbs_proxy *p, struct xbs_rctx *r, struct xbs_txn *t, int err)
{
	char buf[XB_ADDRSTRLEN + 16];

	if (r->in_attempt) {
		/* the first send failed inside xbs_txn_client_new: attempt()
		 * reports it */
		r->attempt_err = err ? err : -EIO;
		return true;
	}
	if (t != r->ctx || !r->route || !r->has_target)
		return false;
	/* RFC 3263 4.3: this destination failed, keep it out of the way */
	xbs_route_failed(r->route, &r->target);
	fail_code(r, err);
	if (r->cancelled || r->final_sent || !r->stx || !r->base ||
	    (t->kind == XBS_ICT && r->got_early) || !xbs_route_left(r->route))
		return false;
	xb_log(XB_LOG_INFO, "%s to %s failed (%s): trying the next target", r->method,
	       target_str(&r->target, buf, sizeof(buf)),
	       err == -ETIMEDOUT ? "timeout"
	       : err		 ? "unreachable"
				 : "503");
	p->st.failovers++;
	/* the old transaction ends on its own (ACK for a 503 included) */
	t->owner = NULL;
	r->ctx = NULL;
	xb_timer_cancel(p->loop, &r->timer_c);
	try_next(p, r);
	return true;
}

/* ----------------------------------------------------------- lookups */

static void route_done(void *arg, struct xbs_route *rt);

/* The URI the redirect names: the Contact with the highest q (the first of
 * equals), sip: or sips:, as a new Request-URI (no headers). */
static osip_uri_t *redirect_target(osip_message_t *m)
{
	osip_contact_t *ct, *best = NULL;
	osip_generic_param_t *q;
	double bq = -1, v;
	osip_uri_t *u = NULL;
	int i;

	for (i = 0; (ct = osip_list_get(&m->contacts, i)) && i < 32; i++) {
		if (!ct->url || !ct->url->scheme || !ct->url->host ||
		    (strcasecmp(ct->url->scheme, "sip") && strcasecmp(ct->url->scheme, "sips")))
			continue;
		v = 1.0;
		if (osip_contact_param_get_byname(ct, "q", &q) == 0 && q && q->gvalue)
			v = strtod(q->gvalue, NULL);
		if (v > bq) {
			bq = v;
			best = ct;
		}
	}
	if (!best || osip_uri_clone(best->url, &u))
		return NULL;
	osip_uri_param_freelist(&u->url_headers);
	if (!xbs_uri_ok(u)) {
		osip_uri_free(u);
		return NULL;
	}
	return u;
}

bool xbs_follow_redirect(struct xbs_proxy *p, struct xbs_rctx *r, struct xbs_txn *t,
			 osip_message_t *msg)
{
	struct xbs_target via = r->target;
	char from[XB_ADDRSTRLEN + 16], *to;
	osip_uri_t *u;
	int err;

	if (t != r->ctx || !r->route || !r->route->follow_redirects || r->final_sent || !r->stx ||
	    !r->base)
		return false;
	/* the transaction acknowledges the 3xx itself (17.1.1.3); it is not
	 * passed up */
	t->owner = NULL;
	r->ctx = NULL;
	if (r->cancelled) {
		answer(p, r, 487, NULL);
		return true;
	}
	if (++r->redirects > XBS_MAX_REDIRECTS) {
		answer(p, r, 482, "Loop Detected (more than 5 redirections)");
		return true;
	}
	u = redirect_target(msg);
	if (!u) {
		answer(p, r, 404, "Not Found (redirect without a usable Contact)");
		return true;
	}
	to = xbs_uri_str(u);
	xb_log(XB_LOG_INFO, "%s: %d from %s, following it to %s", r->method, msg->status_code,
	       target_str(&via, from, sizeof(from)), to ? to : "?");
	free(to);
	p->st.redirects_followed++;
	/* 16.6 step 2: the new target is the Request-URI */
	osip_uri_free(r->base->req_uri);
	r->base->req_uri = u;
	osip_message_force_update(r->base);
	xbs_route_free(r->route);
	r->route = NULL;
	err = xbs_route_redirect(p->router, u, &via, route_done, r, &r->rq);
	if (err) {
		char reason[XBS_REASON_MAX];

		snprintf(reason, sizeof(reason), "Not Found (redirect: %s)", xb_errmsg());
		answer(p, r, 404, reason);
	}
	return true;
}

/* The redirect server's answer (seed 000 7.1): 302, Contact the target
 * found (a member's border element) with the Request-URI's user. */
static void answer_redirect(struct xbs_proxy *p, struct xbs_rctx *r)
{
	const struct xbs_target *t = xbs_route_next(r->route);
	osip_uri_t *u = NULL;
	osip_uri_param_t *param;
	char addr[XB_ADDRSTRLEN], host[XB_ADDRSTRLEN + 2], port[8], *s = NULL;
	int i;

	if (!t || osip_uri_clone(r->base->req_uri, &u) || !u->scheme ||
	    (strcasecmp(u->scheme, "sip") && strcasecmp(u->scheme, "sips"))) {
		if (u)
			osip_uri_free(u);
		answer(p, r, 500, "Server Internal Error (no SIP URI to redirect to)");
		return;
	}
	xb_fmt_addr(&t->dest.a, addr, sizeof(addr));
	snprintf(host, sizeof(host), t->dest.a.family == XB_AF_INET6 ? "[%s]" : "%s", addr);
	snprintf(port, sizeof(port), "%u", t->dest.port);
	osip_free(u->host);
	osip_free(u->port);
	u->host = osip_strdup(host);
	u->port = osip_strdup(port);
	for (i = osip_list_size(&u->url_params) - 1; i >= 0; i--) {
		param = osip_list_get(&u->url_params, i);
		if (param && param->gname &&
		    (!strcasecmp(param->gname, "transport") || !strcasecmp(param->gname, "maddr") ||
		     !strcasecmp(param->gname, "lr"))) {
			osip_list_remove(&u->url_params, i);
			osip_uri_param_free(param);
		}
	}
	osip_uri_param_freelist(&u->url_headers);
	if (t->transport != XBD_TRANSPORT_UDP)
		osip_uri_uparam_add(u, osip_strdup("transport"),
				    osip_strdup(t->transport == XBD_TRANSPORT_TCP ? "tcp" : "tls"));
	if (u->host && u->port)
		s = xbs_uri_str(u);
	osip_uri_free(u);
	if (!s) {
		answer(p, r, 500, NULL);
		return;
	}
	xb_log(XB_LOG_DEBUG, "%s: redirected to %s", r->method, s);
	p->st.redirects_sent++;
	xbs_respond_contact(p, r, 302, NULL, s);
	free(s);
	xbs_rctx_done_routing(r);
}

/* ENUM gave the request a new target: it becomes the Request-URI. */
static int retarget(struct xbs_rctx *r, const char *uri)
{
	osip_uri_t *u;

	if (osip_uri_init(&u))
		return -ENOMEM;
	if (osip_uri_parse(u, uri) || !xbs_uri_ok(u)) {
		osip_uri_free(u);
		return -EINVAL;
	}
	osip_uri_free(r->base->req_uri);
	r->base->req_uri = u;
	osip_message_force_update(r->base);
	return 0;
}

static void route_done(void *arg, struct xbs_route *rt)
{
	struct xbs_rctx *r = arg;
	struct xbs_proxy *p = r->p;

	r->rq = NULL;
	if (!rt) {
		/* the router is going away (proxy freed) */
		xbs_rctx_done_routing(r);
		xbs_rctx_maybe_free(r);
		return;
	}
	r->hold++;
	xbs_route_free(r->route);
	r->route = rt;
	if (!r->stx || r->final_sent) {
		xbs_rctx_done_routing(r);
	} else if (!rt->n) {
		xb_log(XB_LOG_DEBUG, "%s: no target: %d %s", r->method, rt->status, rt->reason);
		answer(p, r, rt->status, rt->reason);
	} else if (r->cancelled) {
		answer(p, r, 487, NULL);
	} else if (rt->retarget && r->by_ruri && retarget(r, rt->retarget)) {
		answer(p, r, 404, "Not Found (unusable ENUM result)");
	} else if (r->redirect) {
		answer_redirect(p, r);
	} else {
		try_next(p, r);
	}
	xbs_rctx_release(r);
}

void xbs_route_request(struct xbs_proxy *p, struct xbs_rctx *r, osip_message_t *fwd,
		       osip_uri_t *uri)
{
	char reason[XBS_REASON_MAX];
	int err;

	r->base = fwd;
	r->by_ruri = uri == fwd->req_uri;
	err = xbs_route_lookup(p->router, uri, r->up.listener, route_done, r, &r->rq);
	if (err) {
		snprintf(reason, sizeof(reason), "%s (%s)",
			 err == -ENOENT ? "Not Found" : "Bad Request", xb_errmsg());
		answer(p, r, err == -ENOENT ? 404 : 400, reason);
	}
}
