// SPDX-License-Identifier: GPL-2.0-or-later
/* What the control socket shows of the proxy (JSON shapes of
 * Documentation/xborderctl-daemon.md) and what it can do: end calls. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "common/log.h"
#include "dns/blocklist.h"
#include "dns/resolver.h"
#include "sip/proxy_internal.h"

static const char *state_name(enum xbs_call_state s)
{
	switch (s) {
	case XBS_CALL_CALLING:
		return "calling";
	case XBS_CALL_PROCEEDING:
		return "proceeding";
	case XBS_CALL_ESTABLISHED:
		return "established";
	default:
		return "ending";
	}
}

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

/* Number of fast-path streams in the media layer's answer to query
 * ({"sections": [{"streams": [...]}, ...]}). */
static unsigned int count_streams(json_t *q)
{
	json_t *s, *sec;
	size_t i;
	unsigned int n = 0;

	s = json_object_get(q, "sections");
	if (json_is_array(s)) {
		json_array_foreach(s, i, sec)
			n += (unsigned int)json_array_size(json_object_get(sec, "streams"));
		return n;
	}
	s = json_object_get(q, "streams");
	if (json_is_array(s))
		return (unsigned int)json_array_size(s);
	if (json_is_integer(s))
		return (unsigned int)json_integer_value(s);
	return 0;
}

static json_t *call_json(struct xbs_proxy *p, struct xbs_call *c, bool full)
{
	json_t *o = json_object(), *q = NULL;
	uint64_t now = xb_now_ns();
	char buf[XB_ADDRSTRLEN];

	if (!o)
		return NULL;
	if (c->relay && p->media && p->media->query)
		q = p->media->query(p->media_arg, c->call_id);
	xb_json_set(o, "id", json_integer((json_int_t)c->id));
	xb_json_set(o, "call_id", json_string(c->call_id));
	xb_json_set(o, "state", json_string(state_name(c->state)));
	xb_json_set(o, "from", str_or_null(c->side[0].uri));
	xb_json_set(o, "to", str_or_null(c->side[1].uri));
	xb_json_set(o, "caller_peer", str_or_null(c->side[0].peer));
	xb_json_set(o, "callee_peer", str_or_null(c->side[1].peer));
	xb_json_set(o, "media_mode", json_string(c->relay ? "relay" : "direct"));
	xb_json_set(o, "created", json_integer(c->created));
	xb_json_set(o, "duration_s",
		    json_integer(c->established_ns && now > c->established_ns
					 ? (json_int_t)((now - c->established_ns) / 1000000000ull)
					 : 0));
	xb_json_set(o, "streams", json_integer(q ? count_streams(q) : 0));
	if (full) {
		json_t *caller = json_object(), *callee = json_object();

		xb_json_set(o, "from_tag", str_or_null(c->side[0].tag));
		xb_json_set(o, "to_tag", str_or_null(c->side[1].tag));
		if (caller) {
			xb_json_set(caller, "listener",
				    str_or_null(c->side[0].listener ? c->side[0].listener->name
								    : NULL));
			xb_json_set(caller, "source",
				    c->side[0].addr.a.family
					    ? json_string(xb_fmt_endpoint(&c->side[0].addr, buf,
									  sizeof(buf)))
					    : json_null());
			xb_json_set(caller, "transport",
				    json_string(xbd_transport_name(
					    c->side[0].listener ? c->side[0].listener->transport
								: XBD_TRANSPORT_UDP)));
			xb_json_set(caller, "contact", str_or_null(c->side[0].contact));
			xb_json_set(caller, "media", str_or_null(c->side[0].media));
		}
		if (callee) {
			xb_json_set(callee, "listener",
				    str_or_null(c->side[1].listener ? c->side[1].listener->name
								    : NULL));
			xb_json_set(callee, "destination",
				    c->side[1].addr.a.family
					    ? json_string(xb_fmt_endpoint(&c->side[1].addr, buf,
									  sizeof(buf)))
					    : json_null());
			xb_json_set(callee, "transport",
				    json_string(xbd_transport_name(
					    c->side[1].listener ? c->side[1].listener->transport
								: XBD_TRANSPORT_UDP)));
			xb_json_set(callee, "contact", str_or_null(c->side[1].contact));
			xb_json_set(callee, "media", str_or_null(c->side[1].media));
		}
		xb_json_set(o, "caller", caller);
		xb_json_set(o, "callee", callee);
		xb_json_set(o, "adopted", json_boolean(c->adopted));
		xb_json_set(o, "media", q ? json_incref(q) : json_null());
	}
	json_decref(q);
	return o;
}

static int cmp_id(const void *a, const void *b)
{
	const struct xbs_call *x = *(struct xbs_call *const *)a, *y = *(struct xbs_call *const *)b;

	return x->id < y->id ? -1 : x->id > y->id;
}

json_t *xbs_proxy_call_list(struct xbs_proxy *p)
{
	json_t *arr = json_array();
	struct xbs_call **v;
	struct xbs_hiter it;
	struct xbs_hnode *n;
	size_t k = 0, i;

	if (!arr)
		return NULL;
	v = calloc(p->n_calls + 1, sizeof(*v));
	if (!v)
		return arr;
	xbs_hiter_init(&it, &p->calls_key);
	while ((n = xbs_hiter_next(&it)) && k < p->n_calls)
		v[k++] = xbs_container_of(n, struct xbs_call, hn_key);
	qsort(v, k, sizeof(*v), cmp_id);
	for (i = 0; i < k; i++) {
		json_t *o = call_json(p, v[i], false);

		if (o)
			json_array_append_new(arr, o);
	}
	free(v);
	return arr;
}

static struct xbs_call *lookup(struct xbs_proxy *p, const char *id)
{
	struct xbs_hnode *n;

	if (!id || !*id)
		return NULL;
	if ((n = xbs_htab_get(&p->calls_id, id)))
		return xbs_container_of(n, struct xbs_call, hn_id);
	if ((n = xbs_htab_get(&p->calls_cid, id)))
		return xbs_container_of(n, struct xbs_call, hn_cid);
	return NULL;
}

json_t *xbs_proxy_call_show(struct xbs_proxy *p, const char *id)
{
	struct xbs_call *c = lookup(p, id);

	return c ? call_json(p, c, true) : NULL;
}

json_t *xbs_proxy_call_end(struct xbs_proxy *p, const char *id)
{
	struct xbs_call *c = lookup(p, id);
	json_t *o;

	if (!c)
		return NULL;
	o = json_object();
	if (o) {
		xb_json_set(o, "ended", json_true());
		xb_json_set(o, "id", json_integer((json_int_t)c->id));
		xb_json_set(o, "call_id", json_string(c->call_id));
	}
	xbs_call_end(p, c, "ended by operator");
	return o;
}

void xbs_proxy_media_dead(struct xbs_proxy *p, const char *call_id)
{
	struct xbs_hnode *n = call_id ? xbs_htab_get(&p->calls_cid, call_id) : NULL;

	if (n)
		xbs_call_end(p, xbs_container_of(n, struct xbs_call, hn_cid), "media timeout");
}

unsigned int xbs_proxy_call_count(const struct xbs_proxy *p)
{
	return p->n_calls;
}

/* A peer's next hop as listed: the address, or how it is found per
 * request ("(dns)", "(enum)", "(federation)" for a TLS-based one). */
static const char *next_hop_str(const struct xbd_peer *peer, char *buf, size_t size)
{
	if (peer->next_hop.a.family)
		return xb_fmt_endpoint(&peer->next_hop, buf, size);
	snprintf(buf, size, "(%s)", xbd_discovery_name(peer->discovery));
	return buf;
}

json_t *xbs_proxy_peer_list(struct xbs_proxy *p)
{
	json_t *arr = json_array();
	char buf[XB_ADDRSTRLEN];
	unsigned int i, k;

	if (!arr)
		return NULL;
	for (i = 0; i < p->cfg->n_peers; i++) {
		const struct xbd_peer *peer = &p->cfg->peers[i];
		struct xbs_hnode *n = xbs_htab_get(&p->peers, peer->name);
		int st = n ? xbs_container_of(n, struct xbs_peer_state, hn)->state : 0;
		json_t *o = json_object(), *d = json_array();

		if (!o || !d) {
			json_decref(o);
			json_decref(d);
			continue;
		}
		for (k = 0; k < peer->n_domains; k++)
			json_array_append_new(d, json_string(peer->domains[k]));
		xb_json_set(o, "name", json_string(peer->name));
		xb_json_set(o, "domains", d);
		xb_json_set(o, "next_hop", json_string(next_hop_str(peer, buf, sizeof(buf))));
		xb_json_set(o, "discovery", json_string(xbd_discovery_name(peer->discovery)));
		xb_json_set(o, "federation", str_or_null(peer->federation));
		xb_json_set(o, "transport", json_string(xbd_transport_name(peer->transport)));
		xb_json_set(o, "security", json_string(xbd_security_name(peer->security)));
		xb_json_set(o, "media_mode", json_string(xbd_media_mode_name(peer->media_mode)));
		xb_json_set(o, "state", json_string(st > 0 ? "up" : st < 0 ? "down" : "unknown"));
		xb_json_set(o, "listener", json_string(peer->listener));
		xb_json_set(o, "media", json_string(peer->media));
		json_array_append_new(arr, o);
	}
	return arr;
}

#define U64(v) xb_json_u64(v)

/* The resolver's counters and the failover blocklist (null without DNS). */
static json_t *dns_stats(struct xbs_proxy *p)
{
	struct xb_dns_stats st;
	json_t *o;

	if (!p->resolver)
		return json_null();
	o = json_object();
	if (!o)
		return json_null();
	xb_resolver_stats(p->resolver, &st);
	xb_json_set(o, "lookups", U64(st.lookups));
	xb_json_set(o, "cache_hits", U64(st.cache_hits));
	xb_json_set(o, "cache_negative_hits", U64(st.cache_negative_hits));
	xb_json_set(o, "udp_queries", U64(st.udp_queries));
	xb_json_set(o, "tcp_queries", U64(st.tcp_queries));
	xb_json_set(o, "truncated", U64(st.truncated));
	xb_json_set(o, "timeouts", U64(st.timeouts));
	xb_json_set(o, "rejected", U64(st.rejected));
	xb_json_set(o, "cache_entries", U64(st.cache_entries));
	xb_json_set(o, "blocklisted",
		    json_integer(xb_blocklist_count(xbs_router_blocklist(p->router), xb_now_ns())));
	return o;
}

json_t *xbs_proxy_stats(struct xbs_proxy *p)
{
	json_t *o = json_object(), *calls = json_object(), *sip = json_object();

	if (!o || !calls || !sip) {
		json_decref(o);
		json_decref(calls);
		json_decref(sip);
		return NULL;
	}
	xb_json_set(calls, "active", json_integer(p->n_calls));
	xb_json_set(calls, "total", U64(p->st.calls_total));
	xb_json_set(calls, "failed", U64(p->st.calls_failed));
	xb_json_set(sip, "requests_in", U64(p->st.requests_in));
	xb_json_set(sip, "responses_in", U64(p->st.responses_in));
	xb_json_set(sip, "forwarded_requests", U64(p->st.forwarded_requests));
	xb_json_set(sip, "forwarded_responses", U64(p->st.forwarded_responses));
	xb_json_set(sip, "stateless_forwards", U64(p->st.stateless_forwards));
	xb_json_set(sip, "retransmissions_absorbed", U64(p->st.retransmissions_absorbed));
	xb_json_set(sip, "errors_sent", U64(p->st.errors_sent));
	xb_json_set(sip, "parse_errors", U64(p->st.parse_errors));
	xb_json_set(sip, "dropped", U64(p->st.dropped));
	xb_json_set(sip, "loops", U64(p->st.loops));
	xb_json_set(sip, "media_errors", U64(p->st.media_errors));
	xb_json_set(sip, "byes_sent", U64(p->st.byes_sent));
	xb_json_set(sip, "cancels_sent", U64(p->st.cancels_sent));
	xb_json_set(sip, "failovers", U64(p->st.failovers));
	xb_json_set(sip, "redirects_followed", U64(p->st.redirects_followed));
	xb_json_set(sip, "redirects_sent", U64(p->st.redirects_sent));
	xb_json_set(
		sip, "transactions",
		json_integer(xbs_txns_count(p->txns, XBS_IST) + xbs_txns_count(p->txns, XBS_NIST) +
			     xbs_txns_count(p->txns, XBS_ICT) + xbs_txns_count(p->txns, XBS_NICT)));
	xb_json_set(sip, "contexts", json_integer(p->n_rctx));
	xb_json_set(o, "calls", calls);
	xb_json_set(o, "sip", sip);
	xb_json_set(o, "dns", dns_stats(p));
	return o;
}
