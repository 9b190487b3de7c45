// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The proxy's response side (RFC 3261 16.7): responses matched to client
 * transactions go back through their server transaction without our Via;
 * 2xx to INVITE are forwarded even after a final response and, for 64*T1
 * after, their retransmissions too (RFC 6026 Accepted state, kept here
 * because libosip2's IST and ICT end at the first 2xx); responses matching
 * nothing are forwarded statelessly by their Via. Timeouts and transport
 * errors become 408 and 503, timer C cancels a call that rings too long.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osipparser2/osip_port.h>

#include "common/log.h"
#include "sip/proxy_internal.h"

/* Removes our Via (the top one) from a response we pass on. */
static int pop_via(osip_message_t *m)
{
	osip_via_t *via = osip_list_get(&m->vias, 0);

	if (!via)
		return -EINVAL;
	osip_list_remove(&m->vias, 0);
	osip_via_free(via);
	osip_message_force_update(m);
	return osip_list_size(&m->vias) > 0 ? 0 : -EINVAL;
}

static osip_message_t *clone_up(osip_message_t *m)
{
	osip_message_t *c;

	if (osip_message_clone(m, &c) != 0)
		return NULL;
	if (pop_via(c)) {
		osip_message_free(c);
		return NULL;
	}
	return c;
}

/* Forwards a response with no transaction by the Via below ours. */
static void forward_response_stateless(struct xbs_proxy *p, osip_message_t *m,
				       const struct xbs_source *src)
{
	struct xb_endpoint ep;
	struct xbs_target t;
	struct xbs_hop hop;
	osip_via_t *via;
	const char *recv, *rport;
	char host[XB_PARSE_MAX];
	enum xbd_transport tr = XBD_TRANSPORT_UDP;

	if (pop_via(m))
		goto drop;
	via = osip_list_get(&m->vias, 0);
	recv = xbs_via_param(via, "received");
	rport = xbs_via_param(via, "rport");
	snprintf(host, sizeof(host), "%s", recv && *recv ? recv : (via->host ? via->host : ""));
	if (host[0] == '[') {
		size_t n = strlen(host);

		memmove(host, host + 1, n);
		if (n >= 2 && host[n - 2] == ']')
			host[n - 2] = '\0';
	}
	if (xb_parse_addr(host, &ep.a))
		goto drop; /* a hostname: not resolved for stateless responses */
	ep.port = 5060;
	if (rport && *rport) {
		if (xb_parse_port(rport, &ep.port))
			goto drop;
	} else if (via->port && xb_parse_port(via->port, &ep.port)) {
		goto drop;
	}
	if (via->protocol && !strcasecmp(via->protocol, "TCP"))
		tr = XBD_TRANSPORT_TCP;
	if (xbs_target_for_addr(p->cfg, &ep, tr, true, src->listener, &t))
		goto drop;
	hop = (struct xbs_hop){ .listener = t.listener, .transport = t.transport, .addr = ep };
	if (xbs_send_msg(p, &hop, m) == 0)
		p->st.stateless_forwards++;
	osip_message_free(m);
	return;
drop:
	p->st.dropped++;
	osip_message_free(m);
}

void xbs_handle_response(struct xbs_proxy *p, osip_message_t *m, const struct xbs_source *src)
{
	const struct xbd_peer *peer = xbd_config_peer_by_source(p->cfg, &src->remote.a);
	osip_via_t *via = osip_list_get(&m->vias, 0);
	const char *branch = xbs_via_param(via, "branch");
	char key[XBS_TXN_KEY_MAX];
	struct xbs_hnode *n;
	struct xbs_txn *t;

	if (!via || !branch || !m->sip_version || strcmp(m->sip_version, "SIP/2.0") || !m->cseq ||
	    !m->cseq->method || !m->cseq->number || !m->from || !m->to || !m->call_id ||
	    !m->call_id->number || m->status_code < 100 || m->status_code > 699 ||
	    !xbs_is_us(p, via->host, via->port) || xbs_msg_sane(m)) {
		/* 18.1.2: a response whose top Via is not ours is discarded */
		p->st.dropped++;
		osip_message_free(m);
		return;
	}
	xbs_peer_seen(p, peer ? peer->name : NULL, true);
	xbs_txn_client_key(branch, m->cseq->method, key, sizeof(key));
	if ((t = xbs_txn_find(p->txns, key))) {
		xbs_txn_receive(t, m);
		return;
	}
	if (m->status_code >= 200 && m->status_code < 300 && !strcmp(m->cseq->method, "INVITE") &&
	    (n = xbs_htab_get(&p->accepted_c, key))) {
		struct xbs_rctx *r = xbs_container_of(n, struct xbs_rctx, hn_c);
		const char *tag = xbs_tag(m->to);

		if (r->ok_buf && tag && r->ok_totag && !strcmp(tag, r->ok_totag)) {
			/* a 2xx retransmission: the same bytes go up again */
			xbs_proxy_send_raw(p, r->up.listener, &r->up.addr, r->up.conn_id, 0,
					   r->ok_buf, r->ok_len);
			p->st.retransmissions_absorbed++;
			osip_message_free(m);
			return;
		}
	}
	forward_response_stateless(p, m, src);
}

/* ------------------------------------------------------- call bookkeeping */

/* The callee's dialog state from the 2xx (or 1xx) that came up: its tag,
 * To header, Contact, and both route sets from the Record-Route list
 * (entries above ours lead to the callee, those below to the caller). */
static void learn_callee(struct xbs_proxy *p, struct xbs_call *c, osip_message_t *m, bool final)
{
	struct xbs_side *callee = &c->side[1], *caller = &c->side[0];
	osip_contact_t *ct = osip_list_get(&m->contacts, 0);
	osip_record_route_t *rr;
	const char *tag = xbs_tag(m->to);
	int i, n = osip_list_size(&m->record_routes), first = -1, last = -1;
	char *s = NULL;

	if (tag && (!callee->tag || final))
		xbs_side_set(&callee->tag, tag);
	if (m->to && osip_to_to_str(m->to, &s) == 0 && s) {
		xbs_side_set(&callee->hdr, s);
		osip_free(s);
	}
	if (ct && ct->url) {
		char *u = xbs_uri_str(ct->url);

		if (u) {
			free(callee->contact);
			callee->contact = u;
		}
	}
	if (!final)
		return;
	for (i = 0; i < n; i++) {
		rr = osip_list_get(&m->record_routes, i);
		if (rr && rr->url && xbs_is_us(p, rr->url->host, rr->url->port)) {
			if (first < 0)
				first = i;
			last = i;
		}
	}
	if (first < 0)
		return; /* not record-routed through us: keep what we have */
	xbs_call_set_routes(callee, &m->record_routes, 0, first, true);
	xbs_call_set_routes(caller, &m->record_routes, last + 1, n, false);
}

static void call_result(struct xbs_proxy *p, struct xbs_rctx *r, struct xbs_call *c, int code,
			const char *reason)
{
	char cause[160];

	snprintf(cause, sizeof(cause), "%d %s", code, reason ? reason : xbs_reason_phrase(code));
	p->st.calls_failed++;
	xbs_call_remove(p, c, cause);
	(void)r;
}

/* The callee answered but the call cannot work (its SDP could not be
 * anchored; the caller got CODE instead of the 2xx): ACK the callee's 2xx
 * ourselves, then hang up both ways. */
static void reject_answered(struct xbs_proxy *p, struct xbs_call *c, osip_message_t *ok, int code)
{
	char cause[64];

	snprintf(cause, sizeof(cause), "%d on the callee's SDP", code);
	if (c->state != XBS_CALL_ESTABLISHED) {
		c->state = XBS_CALL_ESTABLISHED;
		xbs_call_request(p, c, 1, "ACK", (uint32_t)strtoul(ok->cseq->number, NULL, 10));
	}
	p->st.calls_failed++;
	xbs_call_end(p, c, cause);
}

static void invite_response(struct xbs_proxy *p, struct xbs_rctx *r, struct xbs_txn *t,
			    osip_message_t *msg)
{
	struct xbs_call *c = r->call_key ? xbs_call_by_key(p, r->call_key) : NULL;
	int code = msg->status_code, side = r->dir >= 0 ? 1 - r->dir : 1, err;
	osip_message_t *fwd;

	if (code < 200) {
		r->got_provisional = true;
		if (code > 100)
			r->got_early = true; /* the caller may see it: no failover now */
		if (r->cancel_pending)
			xbs_send_cancel(p, r);
		if (code == 100)
			return;
		if (xb_timer_armed(&r->timer_c))
			xb_timer_arm(p->loop, &r->timer_c,
				     (uint64_t)p->cfg->timers.timer_c_s * 1000);
		if (r->final_sent || !r->stx || !(fwd = clone_up(msg)))
			return;
		if (c && r->initial) {
			if (c->state == XBS_CALL_CALLING)
				c->state = XBS_CALL_PROCEEDING;
			learn_callee(p, c, fwd, false);
		}
		if (c && (err = xbs_media_sdp(p, c, fwd, side, false))) {
			osip_message_free(fwd);
			xbs_respond(p, r, err, NULL);
			r->cancelled = true;
			xbs_send_cancel(p, r);
			if (r->initial)
				call_result(p, r, c, err, NULL);
			return;
		}
		p->st.forwarded_responses++;
		xbs_txn_respond(r->stx, fwd);
		return;
	}

	xb_timer_cancel(p->loop, &r->timer_c);
	r->cancel_pending = false;
	if (code < 300) {
		if (!(fwd = clone_up(msg)))
			return;
		if (c) {
			bool first = c->state != XBS_CALL_ESTABLISHED;

			if (r->initial || first)
				learn_callee(p, c, fwd, true);
			err = xbs_media_sdp(p, c, fwd, side, false);
			if (err) {
				xbs_respond(p, r, err, NULL);
				r->final_sent = true;
				reject_answered(p, c, fwd, err);
				osip_message_free(fwd);
				return;
			}
			if (first && c->state != XBS_CALL_ENDING) {
				c->state = XBS_CALL_ESTABLISHED;
				xbs_call_established(p, c);
			} else if (first) {
				/* answered while being cancelled: the caller gets the 2xx
				 * and hangs up with BYE */
				c->state = XBS_CALL_ESTABLISHED;
				xbs_call_established(p, c);
			}
			if (c->invite == r)
				c->invite = NULL;
		}
		p->st.forwarded_responses++;
		if (r->stx && !r->final_sent) {
			const char *tag = xbs_tag(fwd->to);

			r->final_sent = true;
			free(r->ok_buf);
			r->ok_buf = NULL;
			if (xbs_msg_to_buf(fwd, &r->ok_buf, &r->ok_len) == 0) {
				/* osip_malloc'd: keep our own copy */
				char *copy = malloc(r->ok_len);

				if (copy)
					memcpy(copy, r->ok_buf, r->ok_len);
				osip_free(r->ok_buf);
				r->ok_buf = copy;
			} else {
				r->ok_buf = NULL;
			}
			free(r->ok_totag);
			r->ok_totag = tag ? strdup(tag) : NULL;
			if (!r->skey && r->stx->key) {
				r->skey = strdup(r->stx->key);
				if (r->skey)
					xbs_htab_add(&p->accepted_s, &r->hn_s, r->skey);
			}
			if (!r->ckey && t->key) {
				r->ckey = strdup(t->key);
				if (r->ckey)
					xbs_htab_add(&p->accepted_c, &r->hn_c, r->ckey);
			}
			r->accepted = true;
			xb_timer_arm(p->loop, &r->timer_l, 64ull * p->cfg->timers.t1_ms);
			xbs_txn_respond(r->stx, fwd); /* ends the IST (libosip2) */
		} else {
			/* 16.7 step 5: every 2xx goes up, even after a final */
			xbs_send_msg(p, &r->up, fwd);
			osip_message_free(fwd);
		}
		return;
	}

	/* RFC 3263 4.3: a 503 moves on to the next target; a federation
	 * proxy's redirect is followed (seed 000 7.1) */
	if (code == 503 && xbs_failover(p, r, t, 0))
		return;
	if ((code == 301 || code == 302) && xbs_follow_redirect(p, r, t, msg))
		return;
	/* 3xx-6xx: one branch at a time, so this is the best response */
	if (c && r->initial) {
		call_result(p, r, c, code, msg->reason_phrase);
		c = NULL;
	} else if (c && c->offer_side == r->dir) {
		c->offer_side = -1; /* the re-offer was refused */
	}
	if (r->final_sent || !r->stx || !(fwd = clone_up(msg)))
		return;
	if (code == 503) {
		/* 16.7 step 6: a 503 from downstream is not passed up as such */
		fwd->status_code = 500;
		osip_free(fwd->reason_phrase);
		fwd->reason_phrase = osip_strdup("Server Internal Error (next hop 503)");
	}
	r->final_sent = true;
	p->st.forwarded_responses++;
	xbs_txn_respond(r->stx, fwd);
}

static void non_invite_response(struct xbs_proxy *p, struct xbs_rctx *r, struct xbs_txn *t,
				osip_message_t *msg)
{
	struct xbs_call *c = r->call_key ? xbs_call_by_key(p, r->call_key) : NULL;
	int code = msg->status_code, side = r->dir >= 0 ? 1 - r->dir : 1, err;
	osip_message_t *fwd;
	char cause[96];

	if (code == 100)
		return;
	if (code == 503 && xbs_failover(p, r, t, 0))
		return;
	if ((code == 301 || code == 302) && xbs_follow_redirect(p, r, t, msg))
		return;
	if (code >= 200 && c && !strcmp(r->method, "BYE")) {
		snprintf(cause, sizeof(cause), "BYE from %s (%d)",
			 r->dir == 1 ? "callee" : "caller", code);
		xbs_call_remove(p, c, cause);
		c = NULL;
	}
	if (r->final_sent || !r->stx || !(fwd = clone_up(msg)))
		return;
	if (c && code < 300 && (err = xbs_media_sdp(p, c, fwd, side, false))) {
		/* an UPDATE/PRACK answer we cannot anchor */
		osip_message_free(fwd);
		xbs_respond(p, r, err, NULL);
		xbs_call_end(p, c, "unusable SDP answer");
		return;
	}
	if (c && code >= 300 && c->offer_side == r->dir)
		c->offer_side = -1;
	if (code >= 200)
		r->final_sent = true;
	p->st.forwarded_responses++;
	xbs_txn_respond(r->stx, fwd);
}

static void on_client_response(void *arg, struct xbs_txn *t, osip_message_t *msg)
{
	struct xbs_proxy *p = arg;
	struct xbs_rctx *r = t->owner;

	if (!r)
		return; /* our own BYE or CANCEL: answered, nothing to pass on */
	r->hold++;
	if (r->has_target)
		xbs_peer_seen(p, r->target.peer, true);
	if (t->kind == XBS_ICT)
		invite_response(p, r, t, msg);
	else
		non_invite_response(p, r, t, msg);
	if (r->final_sent && !r->rq)
		xbs_rctx_done_routing(r); /* no other target will be tried */
	r->hold--;
	xbs_rctx_maybe_free(r);
}

static void on_client_failed(void *arg, struct xbs_txn *t, int err)
{
	struct xbs_proxy *p = arg;
	struct xbs_rctx *r = t->owner;
	struct xbs_call *c;
	int code;
	const char *reason;
	char cause[96];

	if (!r)
		return;
	if (r->has_target && err != -ETIMEDOUT)
		xbs_peer_seen(p, r->target.peer, false);
	if (r->in_attempt) {
		/* the first send failed: the attempt tries the next target */
		xbs_failover(p, r, t, err);
		return;
	}
	r->hold++;
	xb_timer_cancel(p->loop, &r->timer_c);
	if (xbs_failover(p, r, t, err)) {
		r->hold--;
		xbs_rctx_maybe_free(r);
		return;
	}
	c = r->call_key ? xbs_call_by_key(p, r->call_key) : NULL;
	if (r->cancelled) {
		code = 487;
		reason = NULL;
	} else if (err == -ETIMEDOUT) {
		code = 408;
		reason = NULL;
	} else {
		code = 503;
		reason = "Service Unavailable (next hop unreachable)";
	}
	if (c && r->initial && !r->final_sent) {
		call_result(p, r, c, code, reason);
	} else if (c && !strcmp(r->method, "BYE")) {
		snprintf(cause, sizeof(cause), "BYE from %s (%s)",
			 r->dir == 1 ? "callee" : "caller",
			 err == -ETIMEDOUT ? "timeout" : "unreachable");
		xbs_call_remove(p, c, cause);
	}
	xbs_respond(p, r, code, reason);
	xbs_rctx_done_routing(r);
	r->hold--;
	xbs_rctx_maybe_free(r);
}

static void on_destroyed(void *arg, struct xbs_txn *t)
{
	struct xbs_rctx *r = t->owner;

	(void)arg;
	if (!r)
		return;
	t->owner = NULL;
	if (r->stx == t)
		r->stx = NULL;
	if (r->ctx == t)
		r->ctx = NULL;
	xbs_rctx_maybe_free(r);
}

const struct xbs_txn_ops xbs_proxy_txn_ops = {
	.client_response = on_client_response,
	.client_failed = on_client_failed,
	.destroyed = on_destroyed,
};

/* 16.8: an INVITE rang for timer C without a final response. */
void xbs_timer_c_cb(struct xb_loop *loop, struct xb_timer *timer, void *arg)
{
	struct xbs_rctx *r = arg;
	struct xbs_proxy *p = r->p;
	struct xbs_call *c = r->call_key ? xbs_call_by_key(p, r->call_key) : NULL;

	(void)loop;
	(void)timer;
	if (r->final_sent)
		return;
	r->hold++;
	if (c && r->initial)
		call_result(p, r, c, 408, "Request Timeout (timer C)");
	xbs_respond(p, r, 408, "Request Timeout (timer C)");
	r->cancelled = true;
	if (r->got_provisional)
		xbs_send_cancel(p, r);
	else
		r->cancel_pending = true;
	r->hold--;
	xbs_rctx_maybe_free(r);
}

/* RFC 6026 timer L: stop absorbing retransmissions of the INVITE and its
 * 2xx. */
void xbs_timer_l_cb(struct xb_loop *loop, struct xb_timer *timer, void *arg)
{
	struct xbs_rctx *r = arg;

	(void)loop;
	(void)timer;
	r->accepted = false;
	xbs_rctx_maybe_free(r);
}
