// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The proxy's receive path and request side: validation (RFC 3261 16.3),
 * server transactions, route processing (16.4), CANCEL (16.10) and the
 * statelessly forwarded ACK for 2xx (RFC 6026). Next hops, attempts with
 * Record-Route and Via (16.6), failover and redirects: proxy_forward.c.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <osipparser2/osip_port.h>
#include <xborder/fastpath.h>

#include "common/err.h"
#include "common/log.h"
#include "sip/proxy_internal.h"

#define XBS_ALLOW "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, PRACK, INFO, REFER, NOTIFY, MESSAGE"

/* ------------------------------------------------------------- addresses */

static bool host_addr(const char *host, struct xb_addr *a)
{
	char buf[XB_PARSE_MAX];
	size_t n;

	if (!host)
		return false;
	n = strnlen(host, sizeof(buf));
	if (n >= sizeof(buf) || n == 0)
		return false;
	if (host[0] == '[' && n > 2 && host[n - 1] == ']') {
		memcpy(buf, host + 1, n - 2);
		buf[n - 2] = '\0';
	} else {
		memcpy(buf, host, n + 1);
	}
	return xb_parse_addr(buf, a) == 0;
}

bool xbs_is_us(struct xbs_proxy *p, const char *host, const char *port)
{
	struct xb_addr a;
	uint16_t pt = 5060;
	unsigned int i;

	if (!host_addr(host, &a))
		return false;
	if (port && *port && xb_parse_port(port, &pt))
		return false;
	for (i = 0; i < p->cfg->n_listeners; i++) {
		const struct xbd_listener *l = &p->cfg->listeners[i];

		if (l->local.port != pt)
			continue;
		if (xb_addr_equal(&l->local.a, &a) ||
		    (l->advertise.family && xb_addr_equal(&l->advertise, &a)))
			return true;
	}
	return false;
}

void xbs_via_for(const struct xbd_listener *l, char *host, size_t hsize, char *port, size_t psize)
{
	const struct xb_addr *a = l->advertise.family ? &l->advertise : &l->local.a;
	char buf[XB_ADDRSTRLEN];

	xb_fmt_addr(a, buf, sizeof(buf));
	if (a->family == XB_AF_INET6)
		snprintf(host, hsize, "[%s]", buf);
	else
		snprintf(host, hsize, "%s", buf);
	snprintf(port, psize, "%u", l->local.port);
}

static const char *proto_name(enum xbd_transport t)
{
	switch (t) {
	case XBD_TRANSPORT_TCP:
		return "TCP";
	case XBD_TRANSPORT_TLS:
		return "TLS";
	default:
		return "UDP";
	}
}

int xbs_add_via(osip_message_t *m, const struct xbd_listener *l, const char *branch)
{
	char host[XB_ADDRSTRLEN + 2], port[8], v[XB_ADDRSTRLEN + XBS_BRANCH_MAX + 64];
	osip_via_t *via;

	xbs_via_for(l, host, sizeof(host), port, sizeof(port));
	snprintf(v, sizeof(v), "SIP/2.0/%s %s:%s;branch=%s", proto_name(l->transport), host, port,
		 branch);
	if (osip_via_init(&via) != 0)
		return -ENOMEM;
	if (osip_via_parse(via, v) != 0 || osip_list_add(&m->vias, via, 0) < 0) {
		osip_via_free(via);
		return -ENOMEM;
	}
	osip_message_force_update(m);
	return 0;
}

/* ----------------------------------------------------------------- sending */

/* Debug log: the first line of each message and where it went or came
 * from. */
static void debug_msg(const char *dir, const char *buf, size_t len, const struct xb_endpoint *ep,
		      const struct xbd_listener *l)
{
	char addr[XB_ADDRSTRLEN];
	size_t n = 0;

	while (n < len && n < 120 && buf[n] != '\r' && buf[n] != '\n')
		n++;
	xb_log(XB_LOG_DEBUG, "sip %s %s %s: %.*s", dir, l ? l->name : "?",
	       xb_fmt_endpoint(ep, addr, sizeof(addr)), (int)n, buf);
}

int xbs_proxy_send_raw(struct xbs_proxy *p, const struct xbd_listener *from,
		       const struct xb_endpoint *dest, uint64_t conn_id, uint64_t tag,
		       const char *buf, size_t len)
{
	if (xb_log_level() >= XB_LOG_DEBUG)
		debug_msg("->", buf, len, dest, from);
	return p->send(p->send_arg, from, dest, conn_id, tag, buf, len);
}

int xbs_send_msg(struct xbs_proxy *p, const struct xbs_hop *hop, osip_message_t *m)
{
	char *buf = NULL;
	size_t len = 0;
	int err;

	if (!hop->listener)
		return -ENOENT;
	err = xbs_msg_to_buf(m, &buf, &len);
	if (err)
		return err;
	err = xbs_proxy_send_raw(p, hop->listener, &hop->addr, hop->conn_id, 0, buf, len);
	osip_free(buf);
	return err;
}

/* Where responses to a request from SRC go (RFC 3261 18.2.2, RFC 3581):
 * its source address; the source port when it asked for rport (or on a
 * stream), else its Via port. */
static void hop_from_source(const struct xbs_source *src, osip_via_t *via, struct xbs_hop *h)
{
	uint16_t port;

	h->listener = src->listener;
	h->transport = src->transport;
	h->conn_id = src->conn_id;
	h->addr = src->remote;
	if (src->transport != XBD_TRANSPORT_UDP || !via || xbs_via_param(via, "rport"))
		return;
	port = 5060;
	if (via->port && xb_parse_port(via->port, &port))
		port = src->remote.port;
	h->addr.port = port;
}

/* A To tag for responses we generate, the same for retransmissions of a
 * request (stateless answers must not change it). */
static void local_tag(osip_message_t *req, char *out, size_t size)
{
	osip_via_t *via = osip_list_get(&req->vias, 0);
	const char *b = xbs_via_param(via, "branch");
	char key[512];

	snprintf(key, sizeof(key), "%s|%s|%s",
		 req->call_id && req->call_id->number ? req->call_id->number : "", b ? b : "",
		 req->cseq && req->cseq->number ? req->cseq->number : "");
	snprintf(out, size, "xb%012" PRIx64, (uint64_t)(xbs_hash(key) & 0xffffffffffffull));
}

static bool parses(const char *buf, size_t len)
{
	osip_message_t *m;
	bool ok;

	if (osip_message_init(&m))
		return false;
	ok = osip_message_parse(m, buf, len) == 0;
	osip_message_free(m);
	return ok;
}

static void reply_stateless(struct xbs_proxy *p, osip_message_t *req, const struct xbs_source *src,
			    int code, const char *reason)
{
	struct xbs_hop hop;
	osip_message_t *r;
	char tag[32], *buf = NULL;
	size_t len = 0;

	if (req->sip_method && !strcmp(req->sip_method, "ACK"))
		return;
	if (!osip_list_get(&req->vias, 0))
		return;
	local_tag(req, tag, sizeof(tag));
	r = xbs_msg_response(req, code, reason, tag);
	if (!r)
		return;
	/* the request was refused, perhaps for a header we copy back: send
	 * the answer only if it parses (we never emit what we cannot read) */
	if (xbs_msg_to_buf(r, &buf, &len) == 0 && parses(buf, len)) {
		hop_from_source(src, osip_list_get(&req->vias, 0), &hop);
		xbs_proxy_send_raw(p, hop.listener, &hop.addr, hop.conn_id, 0, buf, len);
		p->st.errors_sent++;
	} else {
		p->st.dropped++;
	}
	osip_free(buf);
	osip_message_free(r);
}

static void reply_raw(struct xbs_proxy *p, const char *buf, size_t len,
		      const struct xbs_source *src, int code, const char *reason)
{
	struct xbs_hop hop = {
		.listener = src->listener,
		.transport = src->transport,
		.addr = src->remote,
		.conn_id = src->conn_id,
	};
	char tag[24], *out = NULL;
	size_t out_len = 0;

	xbs_random_hex(tag, sizeof(tag), 12);
	if (xbs_raw_response(buf, len, code, reason, tag, &out, &out_len) ||
	    !parses(out, out_len)) {
		/* nothing to route a response by, or it would not parse itself */
		free(out);
		p->st.dropped++;
		return;
	}
	xbs_proxy_send_raw(p, src->listener, &hop.addr, hop.conn_id, 0, out, out_len);
	free(out);
	p->st.errors_sent++;
}

/* Answers through the request's server transaction (stateful). */
void xbs_respond(struct xbs_proxy *p, struct xbs_rctx *r, int code, const char *reason)
{
	xbs_respond_contact(p, r, code, reason, NULL);
}

void xbs_respond_contact(struct xbs_proxy *p, struct xbs_rctx *r, int code, const char *reason,
			 const char *contact)
{
	osip_message_t *resp;
	char tag[32];

	if (!r->stx || (r->final_sent && code >= 200))
		return;
	local_tag(r->stx->tr->orig_request, tag, sizeof(tag));
	resp = xbs_msg_response(r->stx->tr->orig_request, code, reason, code > 100 ? tag : NULL);
	if (!resp)
		return;
	if (contact && osip_message_set_contact(resp, contact)) {
		osip_message_free(resp);
		return;
	}
	if (code >= 200)
		r->final_sent = true;
	if (code >= 400)
		p->st.errors_sent++;
	if (code == 200 && !strcmp(r->method, "OPTIONS")) {
		osip_message_set_header(resp, "Allow", XBS_ALLOW);
		osip_message_set_header(resp, "Accept", "application/sdp");
	}
	xbs_txn_respond(r->stx, resp);
}

void xbs_peer_seen(struct xbs_proxy *p, const char *name, bool up)
{
	struct xbs_hnode *n;
	struct xbs_peer_state *s;

	if (!name || !*name)
		return;
	n = xbs_htab_get(&p->peers, name);
	if (n) {
		s = xbs_container_of(n, struct xbs_peer_state, hn);
	} else {
		s = calloc(1, sizeof(*s));
		if (!s)
			return;
		snprintf(s->name, sizeof(s->name), "%s", name);
		xbs_htab_add(&p->peers, &s->hn, s->name);
	}
	s->state = up ? 1 : -1;
	s->last_ns = xb_now_ns();
}

/* ------------------------------------------------------ response contexts */

struct xbs_rctx *xbs_rctx_new(struct xbs_proxy *p)
{
	struct xbs_rctx *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->p = p;
	r->dir = -1;
	xb_timer_init(&r->timer_c, xbs_timer_c_cb, r);
	xb_timer_init(&r->timer_l, xbs_timer_l_cb, r);
	p->n_rctx++;
	return r;
}

void xbs_rctx_maybe_free(struct xbs_rctx *r)
{
	struct xbs_proxy *p = r->p;
	struct xbs_call *c;

	if (r->hold || r->stx || r->ctx || r->rq || xb_timer_armed(&r->timer_l))
		return;
	xb_timer_cancel(p->loop, &r->timer_c);
	xbs_rctx_done_routing(r);
	if (r->skey)
		xbs_htab_del(&p->accepted_s, &r->hn_s);
	if (r->ckey)
		xbs_htab_del(&p->accepted_c, &r->hn_c);
	c = r->call_key ? xbs_call_by_key(p, r->call_key) : NULL;
	if (c && c->invite == r)
		c->invite = NULL;
	free(r->call_key);
	free(r->skey);
	free(r->ckey);
	free(r->ok_buf);
	free(r->ok_totag);
	free(r);
	p->n_rctx--;
}

void xbs_rctx_release(struct xbs_rctx *r)
{
	r->hold--;
	xbs_rctx_maybe_free(r);
}

/* ----------------------------------------------------------- validation */

static bool all_digits(const char *s, size_t max)
{
	size_t n = 0;

	if (!s || !*s)
		return false;
	for (; *s; s++, n++)
		if (!isdigit((unsigned char)*s) || n >= max)
			return false;
	return true;
}

/* RFC 3261 16.3 steps 1-2 and 8.2.2: what makes a request unusable. 0, or
 * the status to answer with *WHY. */
static int check_request(osip_message_t *m, const char **why)
{
	static char reason[64];
	char cid[XBS_CALLID_MAX];
	const char *s, *sane;

	if (!m->sip_version || strcmp(m->sip_version, "SIP/2.0")) {
		*why = "Version Not Supported";
		return 505;
	}
	if (!m->from || !m->from->url) {
		*why = "Bad Request (missing From)";
		return 400;
	}
	if (!m->to || !m->to->url) {
		*why = "Bad Request (missing To)";
		return 400;
	}
	if (!m->call_id || !m->call_id->number || !*m->call_id->number) {
		*why = "Bad Request (missing Call-ID)";
		return 400;
	}
	if (!*xbs_call_id(m, cid, sizeof(cid))) {
		*why = "Bad Request (Call-ID too long)";
		return 400;
	}
	if ((xbs_tag(m->from) && strlen(xbs_tag(m->from)) >= XBS_TAG_MAX) ||
	    (xbs_tag(m->to) && strlen(xbs_tag(m->to)) >= XBS_TAG_MAX)) {
		*why = "Bad Request (tag too long)";
		return 400;
	}
	if (!m->cseq || !m->cseq->method || !all_digits(m->cseq->number, 10) ||
	    strtoul(m->cseq->number, NULL, 10) > 0x7fffffffUL) {
		*why = "Bad Request (missing or malformed CSeq)";
		return 400;
	}
	if (!m->sip_method || strcmp(m->cseq->method, m->sip_method)) {
		*why = "Bad Request (CSeq method does not match)";
		return 400;
	}
	if (!m->req_uri || !m->req_uri->scheme) {
		*why = "Bad Request (malformed Request-URI)";
		return 400;
	}
	s = m->req_uri->scheme;
	if (strcasecmp(s, "sip") && strcasecmp(s, "sips") && strcasecmp(s, "tel")) {
		*why = "Unsupported URI Scheme";
		return 416;
	}
	if (!xbs_uri_ok(m->req_uri)) {
		*why = "Bad Request (malformed Request-URI)";
		return 400;
	}
	if ((sane = xbs_msg_sane(m))) {
		snprintf(reason, sizeof(reason), "Bad Request (%s)", sane);
		*why = reason;
		return 400;
	}
	return 0;
}

/* Max-Forwards: its value, -1 when absent, -2 when malformed. */
static int max_forwards(osip_message_t *m)
{
	const char *v = xbs_header(m, "max-forwards");

	if (!v)
		return -1;
	while (*v == ' ' || *v == '\t')
		v++;
	if (!all_digits(v, 3))
		return -2;
	return atoi(v);
}

static int set_max_forwards(osip_message_t *m, int v)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%d", v);
	xbs_header_remove(m, "max-forwards");
	return osip_message_set_header(m, "Max-Forwards", buf) ? -ENOMEM : 0;
}

/* RFC 3581: received= and rport= on the top Via. */
static void fix_via(osip_via_t *via, const struct xbs_source *src)
{
	char addr[XB_ADDRSTRLEN], port[8];
	struct xb_addr a;
	bool rport = xbs_via_param(via, "rport") != NULL;

	xb_fmt_addr(&src->remote.a, addr, sizeof(addr));
	if (rport) {
		snprintf(port, sizeof(port), "%u", src->remote.port);
		xbs_via_set_param(via, "rport", port);
	}
	if (rport || !host_addr(via->host, &a) || !xb_addr_equal(&a, &src->remote.a))
		xbs_via_set_param(via, "received", addr);
}

/* BR is the computed branch B, or B of a later attempt (B ".N"). */
static bool same_branch(const char *b, const char *br)
{
	size_t n = strlen(b);

	if (strncmp(b, br, n))
		return false;
	if (!br[n])
		return true;
	if (br[n] != '.' || !br[n + 1])
		return false;
	for (br += n + 1; *br; br++)
		if (*br < '0' || *br > '9')
			return false;
	return true;
}

/* 16.3 step 4: a Via of ours whose branch we would compute again for this
 * request means it came back unchanged: a loop. */
static bool looped(struct xbs_proxy *p, osip_message_t *m)
{
	char b[XBS_BRANCH_MAX];
	osip_via_t *via, *below;
	const char *br;
	int i;

	for (i = 0; (via = osip_list_get(&m->vias, i)) && i < 64; i++) {
		br = xbs_via_param(via, "branch");
		if (!br || strncmp(br, XBS_BRANCH_PREFIX, sizeof(XBS_BRANCH_PREFIX) - 1))
			continue;
		if (!xbs_is_us(p, via->host, via->port))
			continue;
		below = osip_list_get(&m->vias, i + 1);
		if (xbs_branch_compute(m, below, b) == 0 && same_branch(b, br))
			return true;
	}
	return false;
}

/*
 * 16.4: a strict router before us left our URI in the Request-URI (put the
 * last Route back there); our own entries at the top of Route (one, or two
 * after double record-routing) go. Returns the URI the next hop is found
 * from: the top Route left, else the Request-URI.
 */
static osip_uri_t *process_routes(struct xbs_proxy *p, osip_message_t *m)
{
	osip_route_t *rt;
	int n = osip_list_size(&m->routes);

	if (n > 0 && m->req_uri && m->req_uri->host &&
	    xbs_is_us(p, m->req_uri->host, m->req_uri->port)) {
		rt = osip_list_get(&m->routes, n - 1);
		if (rt && rt->url) {
			osip_list_remove(&m->routes, n - 1);
			osip_uri_free(m->req_uri);
			m->req_uri = rt->url;
			rt->url = NULL;
			osip_route_free(rt);
		}
	}
	while ((rt = osip_list_get(&m->routes, 0)) && rt->url &&
	       xbs_is_us(p, rt->url->host, rt->url->port)) {
		osip_list_remove(&m->routes, 0);
		osip_route_free(rt);
	}
	osip_message_force_update(m);
	rt = osip_list_get(&m->routes, 0);
	return rt && rt->url ? rt->url : m->req_uri;
}

static char *header_str(osip_from_t *f)
{
	char *s = NULL, *r;

	if (!f || osip_from_to_str(f, &s) != 0 || !s)
		return NULL;
	r = strdup(s);
	osip_free(s);
	return r;
}

static char *contact_str(osip_message_t *m)
{
	osip_contact_t *ct = osip_list_get(&m->contacts, 0);

	return ct && ct->url ? xbs_uri_str(ct->url) : NULL;
}

/* ----------------------------------------------------------- forwarding */

void xbs_fail_initial(struct xbs_proxy *p, struct xbs_rctx *r, int code, const char *reason)
{
	struct xbs_call *c = r->call_key ? xbs_call_by_key(p, r->call_key) : NULL;
	char cause[160];

	if (c && r->initial) {
		snprintf(cause, sizeof(cause), "%d %s", code,
			 reason ? reason : xbs_reason_phrase(code));
		p->st.calls_failed++;
		xbs_call_remove(p, c, cause);
	}
}

/* ------------------------------------------------- stateless forwarding */

struct sl_fwd {
	struct xbs_proxy *p;
	osip_message_t *m;
};

static void sl_route_done(void *arg, struct xbs_route *rt)
{
	struct sl_fwd *f = arg;
	struct xbs_proxy *p = f->p;
	const struct xbs_target *t = xbs_route_next(rt);
	char branch[XBS_BRANCH_MAX];
	struct xbs_hop hop;

	if (t && xbs_branch_compute(f->m, osip_list_get(&f->m->vias, 0), branch) == 0 &&
	    xbs_add_via(f->m, t->listener, branch) == 0) {
		hop = (struct xbs_hop){ .listener = t->listener,
					.transport = t->transport,
					.addr = t->dest };
		if (xbs_send_msg(p, &hop, f->m) == 0)
			p->st.stateless_forwards++;
	} else {
		p->st.dropped++;
	}
	xbs_route_free(rt);
	osip_message_free(f->m);
	free(f);
}

/* ACK for 2xx, and CANCEL matching nothing, go on without a transaction
 * (16.11); the hash branch makes such a CANCEL match its INVITE's. */
static void forward_stateless(struct xbs_proxy *p, osip_message_t *m, const struct xbs_source *src)
{
	struct xbs_route_query *q;
	struct sl_fwd *f;
	osip_uri_t *uri;
	int mf = max_forwards(m);

	if (mf == 0 || mf == -2) {
		p->st.dropped++;
		osip_message_free(m);
		return;
	}
	if (set_max_forwards(m, mf < 0 ? 70 : mf - 1)) {
		osip_message_free(m);
		return;
	}
	uri = process_routes(p, m);
	f = calloc(1, sizeof(*f));
	if (!f) {
		osip_message_free(m);
		return;
	}
	f->p = p;
	f->m = m;
	if (xbs_route_lookup(p->router, uri, src->listener, sl_route_done, f, &q)) {
		p->st.dropped++;
		osip_message_free(m);
		free(f);
	}
}

static void handle_ack(struct xbs_proxy *p, osip_message_t *m, const struct xbs_source *src)
{
	char key[XBS_TXN_KEY_MAX], cid[XBS_CALLID_MAX];
	struct xbs_txn *t;
	struct xbs_call *c;
	int dir;

	if (xbs_txn_server_key(m, NULL, key, sizeof(key)) == 0 &&
	    (t = xbs_txn_find(p->txns, key)) && t->kind == XBS_IST) {
		/* ACK for a non-2xx final response: ends the server transaction */
		p->st.retransmissions_absorbed++;
		xbs_txn_receive(t, m);
		return;
	}
	c = xbs_call_find(p, xbs_call_id(m, cid, sizeof(cid)), xbs_tag(m->from), xbs_tag(m->to),
			  &dir);
	if (c && xbs_media_sdp(p, c, m, dir, true)) {
		/* an answer in the ACK we cannot relay: the call cannot work */
		osip_message_free(m);
		xbs_call_end(p, c, "unusable SDP in ACK");
		return;
	}
	forward_stateless(p, m, src);
}

/* The CANCEL sent downstream on the INVITE's branch (9.1, 16.10). */
void xbs_send_cancel(struct xbs_proxy *p, struct xbs_rctx *r)
{
	osip_message_t *inv, *c = NULL;
	osip_via_t *via = NULL;
	char cseq[32];

	r->cancel_pending = false;
	if (r->cancel_sent)
		return;
	/* after a provisional and before a final response; the ICT is still
	 * CALLING while libosip2 reports its first 1xx to us */
	if (!r->ctx || r->ctx->kind != XBS_ICT || !r->got_provisional ||
	    (r->ctx->tr->state != ICT_PROCEEDING && r->ctx->tr->state != ICT_CALLING))
		return;
	inv = r->ctx->tr->orig_request;
	if (!inv || osip_message_init(&c) != 0)
		return;
	c->sip_method = osip_strdup("CANCEL");
	c->sip_version = osip_strdup("SIP/2.0");
	snprintf(cseq, sizeof(cseq), "%s CANCEL", inv->cseq->number);
	if (!c->sip_method || !c->sip_version || osip_uri_clone(inv->req_uri, &c->req_uri) ||
	    osip_via_clone(osip_list_get(&inv->vias, 0), &via) ||
	    osip_list_add(&c->vias, via, 0) < 0 || osip_from_clone(inv->from, &c->from) ||
	    osip_to_clone(inv->to, &c->to) || osip_call_id_clone(inv->call_id, &c->call_id) ||
	    osip_message_set_cseq(c, cseq) ||
	    osip_list_clone(&inv->routes, &c->routes, (int (*)(void *, void **))osip_route_clone) ||
	    osip_message_set_header(c, "Max-Forwards", "70") ||
	    osip_message_set_content_length(c, "0")) {
		if (via && osip_list_size(&c->vias) == 0)
			osip_via_free(via);
		osip_message_free(c);
		return;
	}
	r->cancel_sent = true;
	if (xbs_txn_client_new(p->txns, c, &r->ctx->hop, NULL))
		p->st.cancels_sent++;
}

static void handle_cancel(struct xbs_proxy *p, osip_message_t *m, const struct xbs_source *src)
{
	char key[XBS_TXN_KEY_MAX], ckey[XBS_TXN_KEY_MAX], tag[32];
	struct xbs_txn *ist, *nist;
	struct xbs_rctx *r;
	struct xbs_hop hop;
	struct xbs_call *c;
	osip_message_t *ok;

	if (xbs_txn_server_key(m, "CANCEL", ckey, sizeof(ckey))) {
		osip_message_free(m);
		return;
	}
	if ((nist = xbs_txn_find(p->txns, ckey))) {
		p->st.retransmissions_absorbed++;
		xbs_txn_receive(nist, m);
		return;
	}
	if (xbs_txn_server_key(m, "INVITE", key, sizeof(key)) ||
	    !(ist = xbs_txn_find(p->txns, key)) || ist->kind != XBS_IST) {
		forward_stateless(p, m, src);
		return;
	}
	r = ist->owner;
	hop_from_source(src, osip_list_get(&m->vias, 0), &hop);
	local_tag(m, tag, sizeof(tag));
	nist = xbs_txn_server_new(p->txns, m, ckey, &hop);
	if (!nist)
		return;
	ok = xbs_msg_response(nist->tr->orig_request, 200, NULL, tag);
	if (ok)
		xbs_txn_respond(nist, ok);
	if (!r || r->final_sent)
		return;
	r->hold++;
	r->cancelled = true;
	c = r->call_key ? xbs_call_by_key(p, r->call_key) : NULL;
	if (c)
		c->state = XBS_CALL_ENDING;
	if (r->ctx) {
		if (r->got_provisional)
			xbs_send_cancel(p, r);
		else
			r->cancel_pending = true; /* 9.1: wait for a provisional */
	} else if (!r->rq) {
		/* (a lookup in flight answers 487 when it ends) */
		xbs_respond(p, r, 487, NULL);
		xbs_fail_initial(p, r, 487, NULL);
	}
	xbs_rctx_release(r);
}

/* --------------------------------------------------------------- requests */

static struct xbs_call *new_call(struct xbs_proxy *p, struct xbs_rctx *r, osip_message_t *m,
				 const struct xbs_source *src)
{
	const struct xbd_peer *peer = xbd_config_peer_by_source(p->cfg, &src->remote.a);
	char cid[XBS_CALLID_MAX];
	struct xbs_call *c = xbs_call_new(p, xbs_call_id(m, cid, sizeof(cid)), xbs_tag(m->from));
	struct xbs_side *s;
	osip_record_route_t *rr;
	int i;

	if (!c)
		return NULL;
	s = &c->side[0];
	s->hdr = header_str(m->from);
	s->uri = xbs_from_uri_str(m->from);
	s->contact = contact_str(m);
	c->side[1].uri = xbs_from_uri_str(m->to);
	c->side[1].hdr = header_str(m->to);
	s->cseq = (uint32_t)strtoul(m->cseq->number, NULL, 10);
	s->cseq_known = true;
	s->listener = src->listener;
	s->addr = src->remote;
	s->conn_id = src->conn_id;
	snprintf(s->media, sizeof(s->media), "%s", src->listener->media);
	s->mode = XBD_MEDIA_RELAY; /* unknown sources are anchored */
	if (peer) {
		snprintf(s->peer, sizeof(s->peer), "%s", peer->name);
		s->mode = peer->media_mode;
		s->latch = peer->latching;
	}
	/* upstream proxies' Record-Route entries: the route back to the
	 * caller, nearest first */
	for (i = 0; (rr = osip_list_get(&m->record_routes, i)) && s->n_routes < XBS_MAX_ROUTES;
	     i++) {
		char *v = header_str(rr);

		if (v)
			s->routes[s->n_routes++] = v;
	}
	c->invite = r;
	r->initial = true;
	r->dir = 0;
	r->call_key = strdup(c->key);
	p->st.calls_total++;
	return c;
}

static void handle_request(struct xbs_proxy *p, osip_message_t *m, const struct xbs_source *src)
{
	const struct xbd_peer *peer = xbd_config_peer_by_source(p->cfg, &src->remote.a);
	char key[XBS_TXN_KEY_MAX], cid[XBS_CALLID_MAX];
	osip_via_t *via = osip_list_get(&m->vias, 0);
	const char *why = NULL, *to_tag;
	struct xbs_rctx *r;
	struct xbs_hop hop;
	struct xbs_txn *stx;
	struct xbs_call *c = NULL;
	osip_message_t *req, *fwd;
	osip_header_t *h;
	osip_uri_t *uri;
	int code, mf, dir = -1, i;

	if (!via || !via->host || !via->protocol) {
		p->st.dropped++; /* no way back */
		osip_message_free(m);
		return;
	}
	code = check_request(m, &why);
	if (code) {
		reply_stateless(p, m, src, code, why);
		osip_message_free(m);
		return;
	}
	xbs_peer_seen(p, peer ? peer->name : NULL, true);
	fix_via(via, src);
	osip_message_force_update(m);

	if (!strcmp(m->sip_method, "ACK")) {
		handle_ack(p, m, src);
		return;
	}
	if (!strcmp(m->sip_method, "CANCEL")) {
		handle_cancel(p, m, src);
		return;
	}
	if (xbs_txn_server_key(m, NULL, key, sizeof(key))) {
		reply_stateless(p, m, src, 400, "Bad Request (malformed Via)");
		osip_message_free(m);
		return;
	}
	if ((stx = xbs_txn_find(p->txns, key))) {
		/* a retransmission: the transaction answers it again */
		p->st.retransmissions_absorbed++;
		xbs_txn_receive(stx, m);
		return;
	}
	if (xbs_htab_get(&p->accepted_s, key)) {
		/* RFC 6026 Accepted: an INVITE retransmitted after our 2xx */
		p->st.retransmissions_absorbed++;
		osip_message_free(m);
		return;
	}

	hop_from_source(src, via, &hop);
	stx = xbs_txn_server_new(p->txns, m, key, &hop);
	if (!stx)
		return;
	r = xbs_rctx_new(p);
	if (!r) {
		xbs_txn_kill(stx);
		return;
	}
	r->hold++;
	r->stx = stx;
	stx->owner = r;
	r->up = hop;
	req = stx->tr->orig_request;
	snprintf(r->method, sizeof(r->method), "%s", req->sip_method);
	if (!strcmp(r->method, "INVITE")) {
		xbs_respond(p, r, 100, NULL);
		if (!r->stx)
			goto out; /* could not even send 100 Trying back */
	}

	mf = max_forwards(req);
	if (mf == -2) {
		xbs_respond(p, r, 400, "Bad Request (malformed Max-Forwards)");
		goto out;
	}
	if (mf == 0) {
		if (!strcmp(r->method, "OPTIONS"))
			xbs_respond(p, r, 200, NULL);
		else
			xbs_respond(p, r, 483, NULL);
		goto out;
	}
	if (osip_message_header_get_byname(req, "proxy-require", 0, &h) >= 0 && h) {
		osip_message_t *resp;
		char tag[32];

		/* we support no extension a proxy must understand (16.3 step 5) */
		local_tag(req, tag, sizeof(tag));
		resp = xbs_msg_response(req, 420, NULL, tag);
		if (resp) {
			for (i = 0;
			     osip_message_header_get_byname(req, "proxy-require", i, &h) >= 0 && h;
			     i++)
				osip_message_set_header(resp, "Unsupported",
							h->hvalue ? h->hvalue : "");
			r->final_sent = true;
			p->st.errors_sent++;
			xbs_txn_respond(stx, resp);
		}
		goto out;
	}
	if (looped(p, req)) {
		p->st.loops++;
		xbs_respond(p, r, 482, NULL);
		goto out;
	}

	to_tag = xbs_tag(req->to);
	if (src->listener->redirect) {
		/* a federation's central proxy (seed 000 7.1): the target is
		 * answered with 302, nothing is forwarded, no dialog is kept */
		if (to_tag) {
			xbs_respond(p, r, 403, "Forbidden (redirect server: no dialogs)");
			goto out;
		}
		r->redirect = true;
	} else if (to_tag) {
		c = xbs_call_find(p, xbs_call_id(req, cid, sizeof(cid)), xbs_tag(req->from), to_tag,
				  &dir);
		if (c) {
			struct xbs_side *s = &c->side[dir];
			uint32_t n = (uint32_t)strtoul(req->cseq->number, NULL, 10);

			if (!s->cseq_known || n > s->cseq)
				s->cseq = n;
			s->cseq_known = true;
			s->addr = src->remote;
			s->conn_id = src->conn_id;
			r->call_key = strdup(c->key);
			r->dir = dir;
			if (!strcmp(r->method, "BYE"))
				c->state = XBS_CALL_ENDING;
		}
	} else if (!strcmp(r->method, "INVITE")) {
		if (xbs_call_find(p, xbs_call_id(req, cid, sizeof(cid)), xbs_tag(req->from), NULL,
				  &dir)) {
			xbs_respond(p, r, 491, "Request Pending (call exists)");
			goto out;
		}
		if (p->n_calls >= p->cfg->max_calls) {
			xbs_respond(p, r, 503, "Service Unavailable (call limit)");
			goto out;
		}
		if (!new_call(p, r, req, src)) {
			xbs_respond(p, r, 500, NULL);
			goto out;
		}
	}

	if (osip_message_clone(req, &fwd) != 0) {
		xbs_respond(p, r, 500, NULL);
		xbs_fail_initial(p, r, 500, NULL);
		goto out;
	}
	uri = process_routes(p, fwd);
	if (!strcmp(r->method, "OPTIONS") && !osip_list_size(&fwd->routes) && fwd->req_uri->host &&
	    !fwd->req_uri->username && xbs_is_us(p, fwd->req_uri->host, fwd->req_uri->port)) {
		/* an OPTIONS ping to the border itself */
		osip_message_free(fwd);
		xbs_respond(p, r, 200, NULL);
		goto out;
	}
	if (set_max_forwards(fwd, mf < 0 ? 70 : mf - 1)) {
		osip_message_free(fwd);
		xbs_respond(p, r, 500, NULL);
		xbs_fail_initial(p, r, 500, NULL);
		goto out;
	}
	xbs_route_request(p, r, fwd, uri);
out:
	xbs_rctx_release(r);
}

/* ----------------------------------------------------------- receive path */

void xbs_proxy_receive(struct xbs_proxy *p, const char *buf, size_t len,
		       const struct xbs_source *src)
{
	osip_message_t *m;
	unsigned long cl;
	size_t i, hdr_len;
	int e;

	for (i = 0; i < len && (buf[i] == '\r' || buf[i] == '\n' || buf[i] == ' '); i++)
		;
	if (i == len)
		return; /* empty, or a CRLF keep-alive */
	if (!src || !src->listener) {
		p->st.dropped++;
		return;
	}
	if (len > p->cfg->max_message) {
		reply_raw(p, buf, len, src, 513, NULL);
		return;
	}
	if (xb_log_level() >= XB_LOG_DEBUG)
		debug_msg("<-", buf, len, &src->remote, src->listener);
	if (osip_message_init(&m) != 0)
		return;
	if (osip_message_parse(m, buf, len) != 0) {
		osip_message_free(m);
		p->st.parse_errors++;
		reply_raw(p, buf, len, src, 400, "Bad Request (unparseable message)");
		return;
	}
	/* libosip2 cuts the body to Content-Length; a datagram that claims
	 * more than it carries is broken (RFC 3261 18.3). Streams were framed
	 * by Content-Length already. */
	if (xbs_raw_headers_end(buf, len, &hdr_len)) {
		e = xbs_raw_content_length(buf, hdr_len, &cl);
		if (e == -EBADMSG ||
		    (e == 0 && src->transport == XBD_TRANSPORT_UDP && cl > len - hdr_len)) {
			p->st.parse_errors++;
			if (MSG_IS_REQUEST(m))
				reply_stateless(p, m, src, 400,
						e == -EBADMSG
							? "Bad Request (malformed Content-Length)"
							: "Bad Request (Content-Length larger "
							  "than the datagram)");
			else
				p->st.dropped++;
			osip_message_free(m);
			return;
		}
	}
	if (MSG_IS_RESPONSE(m)) {
		p->st.responses_in++;
		xbs_handle_response(p, m, src);
		return;
	}
	p->st.requests_in++;
	handle_request(p, m, src);
}

/* A request the proxy originates (BYE or ACK of a call it ends): to its
 * top Route or Request-URI, with a fresh branch; responses are absorbed. */
struct local_req {
	struct xbs_proxy *p;
	osip_message_t *m;
};

static void local_route_done(void *arg, struct xbs_route *rt)
{
	struct local_req *lr = arg;
	struct xbs_proxy *p = lr->p;
	osip_message_t *m = lr->m;
	const struct xbs_target *t = xbs_route_next(rt);
	char branch[XBS_BRANCH_MAX];
	struct xbs_hop hop;

	free(lr);
	if (!t) {
		xbs_route_free(rt);
		osip_message_free(m);
		return;
	}
	xbs_branch_random(branch);
	hop = (struct xbs_hop){ .listener = t->listener,
				.transport = t->transport,
				.addr = t->dest };
	xbs_route_free(rt);
	if (xbs_add_via(m, hop.listener, branch)) {
		osip_message_free(m);
		return;
	}
	if (!strcmp(m->sip_method, "ACK")) {
		xbs_send_msg(p, &hop, m);
		osip_message_free(m);
		return;
	}
	if (xbs_txn_client_new(p->txns, m, &hop, NULL) && !strcmp(m->sip_method, "BYE"))
		p->st.byes_sent++;
}

void xbs_local_request(struct xbs_proxy *p, osip_message_t *m, const struct xbd_listener *hint)
{
	struct xbs_route_query *q;
	struct local_req *lr = calloc(1, sizeof(*lr));
	osip_route_t *rt = osip_list_get(&m->routes, 0);
	osip_uri_t *uri = rt && rt->url ? rt->url : m->req_uri;

	if (!lr) {
		osip_message_free(m);
		return;
	}
	lr->p = p;
	lr->m = m;
	if (xbs_route_lookup(p->router, uri, hint, local_route_done, lr, &q)) {
		osip_message_free(m);
		free(lr);
	}
}

/* ------------------------------------------------------------- lifecycle */

static int proxy_send(void *arg, const struct xbs_hop *hop, uint64_t tag, const char *buf,
		      size_t len)
{
	struct xbs_proxy *p = arg;

	if (!hop->listener)
		return -ENOENT;
	return xbs_proxy_send_raw(p, hop->listener, &hop->addr, hop->conn_id, tag, buf, len);
}

static void save_timer_cb(struct xb_loop *loop, struct xb_timer *t, void *arg)
{
	struct xbs_proxy *p = arg;

	(void)loop;
	(void)t;
	if (p->dirty && xbs_calls_save(p) == 0)
		p->dirty = false;
}

struct xbs_proxy *xbs_proxy_new(const struct xbs_proxy_opts *o)
{
	static struct xbs_txn_ops ops;
	struct xbs_proxy *p;

	if (!o || !o->loop || !o->cfg || !o->send) {
		xb_err(-EINVAL, "proxy: missing options");
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->loop = o->loop;
	p->cfg = o->cfg;
	p->send = o->send;
	p->send_arg = o->send_arg;
	p->media = o->media;
	p->media_arg = o->media_arg;
	p->persist = o->persist;
	p->next_call_id = 1;
	p->started_ns = xb_now_ns();
	xb_timer_init(&p->save_timer, save_timer_cb, p);
	ops = xbs_proxy_txn_ops;
	ops.send = proxy_send;
	p->txns = xbs_txns_new(p->loop, &ops, p);
	p->resolver = o->resolver;
	p->router = xbs_router_new(p->cfg, p->resolver);
	if (!p->txns || !p->router || xbs_calls_init(p) || xbs_htab_init(&p->accepted_s) ||
	    xbs_htab_init(&p->accepted_c) || xbs_htab_init(&p->peers)) {
		xb_err(-ENOMEM, "proxy: out of memory");
		xbs_proxy_free(p);
		return NULL;
	}
	xbs_txns_set_timers(p->txns, &p->cfg->timers);
	if (p->persist)
		xbs_calls_load(p);
	return p;
}

void xbs_proxy_free(struct xbs_proxy *p)
{
	struct xbs_hiter it;
	struct xbs_hnode *n;

	if (!p)
		return;
	if (p->persist && p->calls_key.b)
		xbs_calls_save(p);
	xb_timer_cancel(p->loop, &p->save_timer);
	/* lookups in flight first (their requests are dropped), then the
	 * transactions: their contexts go with them */
	xbs_router_free(p->router);
	p->router = NULL;
	xbs_txns_free(p->txns);
	p->txns = NULL;
	if (p->accepted_s.b) {
		xbs_hiter_init(&it, &p->accepted_s);
		while ((n = xbs_hiter_next(&it))) {
			struct xbs_rctx *r = xbs_container_of(n, struct xbs_rctx, hn_s);

			xb_timer_cancel(p->loop, &r->timer_l);
			xbs_rctx_maybe_free(r);
		}
	}
	xbs_calls_free(p);
	if (p->peers.b) {
		xbs_hiter_init(&it, &p->peers);
		while ((n = xbs_hiter_next(&it)))
			free(xbs_container_of(n, struct xbs_peer_state, hn));
	}
	xbs_htab_free(&p->accepted_s);
	xbs_htab_free(&p->accepted_c);
	xbs_htab_free(&p->peers);
	free(p);
}

void xbs_proxy_set_config(struct xbs_proxy *p, const struct xbd_config *cfg)
{
	p->cfg = cfg;
	xbs_router_set_config(p->router, cfg);
	xbs_txns_set_timers(p->txns, &cfg->timers);
}

void xbs_proxy_transport_error(struct xbs_proxy *p, const struct xb_endpoint *dest,
			       enum xbd_transport t, uint64_t tag, int err)
{
	struct xbs_txn *tx = tag ? xbs_txn_by_id(p->txns, tag) : NULL;

	(void)dest;
	(void)t;
	if (!tx || tx->dead)
		return;
	if (tx->kind == XBS_ICT || tx->kind == XBS_NICT) {
		/* only while the request is still unanswered: a late ICMP after a
		 * final response changes nothing */
		osip_transaction_t *tr = tx->tr;

		if ((tx->kind == XBS_ICT && tr->state == ICT_CALLING) ||
		    (tx->kind == XBS_NICT && tr->state == NICT_TRYING)) {
			xbs_proxy_txn_ops.client_failed(p, tx, err < 0 ? err : -err);
			xbs_txn_kill(tx);
		}
	}
}

unsigned int xbs_proxy_txn_count(const struct xbs_proxy *p)
{
	return xbs_txns_count(p->txns, XBS_IST) + xbs_txns_count(p->txns, XBS_NIST) +
	       xbs_txns_count(p->txns, XBS_ICT) + xbs_txns_count(p->txns, XBS_NICT) + p->n_rctx;
}
