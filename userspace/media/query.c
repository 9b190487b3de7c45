// SPDX-License-Identifier: GPL-2.0-or-later
/* xbm_query and xbm_stats: JSON shapes documented in Documentation/media.md. */
#include <arpa/inet.h>
#include <string.h>

#include "common/json.h"
#include "media/internal.h"

static const char *const state_names[] = { "unused", "active", "off", "passthrough" };

static json_t *endpoint_json(uint8_t family, const uint8_t addr[16], uint16_t port_be)
{
	struct xb_endpoint e;

	memset(&e, 0, sizeof(e));
	e.a.family = family;
	memcpy(e.a.addr, addr, 16);
	e.port = ntohs(port_be);
	if (!family || !e.port)
		return json_null();
	return xb_json_endpoint(&e);
}

static json_t *stream_json(struct xbm *m, const struct xbm_call *c, unsigned int k, int p, int kind,
			   uint64_t now)
{
	const struct xbm_leg *l = &c->sec[k].leg[p];
	struct xb_stream_key key;
	struct xb_stream_stats st;
	struct xb_stream s;
	char flags[128];
	json_t *j = json_object();

	xbm_stream_key(&key, &c->party[p].iface, (uint16_t)(l->port + kind));
	xb_json_set(j, "id", json_integer(l->id[kind]));
	xb_json_set(j, "kind", json_string(kind == XBM_RTP ? "rtp" : "rtcp"));
	xb_json_set(j, "from", c->party[p].tag ? json_string(c->party[p].tag) : json_null());
	xb_json_set(j, "to", c->party[1 - p].tag ? json_string(c->party[1 - p].tag) : json_null());
	xb_json_set(j, "local", endpoint_json(key.family, key.addr, key.port));
	if (xb_fp_stream_get(m->fp, &key, &s) == 0 && s.stats_idx == l->id[kind]) {
		xb_stream_flags_fmt(s.flags, flags, sizeof(flags));
		xb_json_set(j, "flags", json_string(flags));
		xb_json_set(j, "source", endpoint_json(s.family, s.src_addr, s.src_port));
		xb_json_set(j, "remote", endpoint_json(s.family, s.dst_addr, s.dst_port));
		xb_json_set(j, "ifindex", json_integer(s.ifindex));
		if (s.flags & XB_F_SRTP)
			xb_json_set(j, "srtp_ctx", json_integer(s.srtp_ctx));
	} else {
		xb_json_set(j, "flags", json_string("missing"));
	}
	if (xb_fp_stream_stats(m->fp, l->id[kind], &st) == 0) {
		xb_json_set(j, "packets", xb_json_u64(st.packets));
		xb_json_set(j, "bytes", xb_json_u64(st.bytes));
		xb_json_set(j, "drops", json_integer(st.drops));
		xb_json_set(j, "seq_errors", json_integer(st.seq_errors));
		xb_json_set(j, "last_ssrc", json_integer(st.last_ssrc));
		/* milliseconds since the last packet, null if none yet */
		xb_json_set(j, "idle_ms",
			    st.last_seen_ns && now >= st.last_seen_ns
				    ? xb_json_u64((now - st.last_seen_ns) / 1000000)
				    : json_null());
	}
	return j;
}

static json_t *leg_json(const struct xbm_call *c, unsigned int k, int p)
{
	const struct xbm_leg *l = &c->sec[k].leg[p];
	const struct xbm_sdp_ep *e = &l->sdp;
	struct xb_endpoint ep;
	json_t *j = json_object();

	xb_json_set(j, "tag", c->party[p].tag ? json_string(c->party[p].tag) : json_null());
	ep.a = c->party[p].iface.advertise;
	ep.port = l->port;
	xb_json_set(j, "relay", l->port ? xb_json_endpoint(&ep) : json_null());
	if (e->have) {
		ep.a = e->rtp;
		ep.port = e->rtp_port;
		xb_json_set(j, "remote",
			    e->rtp.family && ep.port ? xb_json_endpoint(&ep) : json_null());
		ep.a = e->rtcp;
		ep.port = e->rtcp_port;
		xb_json_set(j, "remote_rtcp",
			    e->rtcp.family && ep.port ? xb_json_endpoint(&ep) : json_null());
		xb_json_set(j, "rtcp_mux", json_boolean(e->mux));
		xb_json_set(j, "direction", json_string(xb_sdp_dir_name(e->dir)));
		xb_json_set(j, "hold",
			    json_boolean(e->zero || e->dir == XB_SDP_SENDONLY ||
					 e->dir == XB_SDP_INACTIVE));
	}
	if (l->srtp.on)
		xb_json_set(j, "srtp", xbm_srtp_leg_json(&l->srtp)); /* no keys */
	return j;
}

json_t *xbm_query(struct xbm *m, const char *call_id)
{
	const struct xbm_call *c = call_id ? xbm_call_find(m, call_id) : NULL;
	json_t *j, *parties, *secs;
	uint64_t now = xb_mono_ns();
	unsigned int k;
	int p, kind;

	if (!c)
		return NULL;
	j = json_object();
	parties = json_array();
	secs = json_array();
	xb_json_set(j, "call_id", json_string(c->call_id));
	xb_json_set(j, "answered", json_boolean(c->answered));
	xb_json_set(j, "age_s",
		    xb_json_u64(now > c->created_ns && c->created_ns
					? (now - c->created_ns) / 1000000000ULL
					: 0));
	for (p = 0; p < 2; p++) {
		json_t *pj = json_object();

		xb_json_set(pj, "tag",
			    c->party[p].tag ? json_string(c->party[p].tag) : json_null());
		xb_json_set(pj, "iface", json_string(c->party[p].iface.name));
		xb_json_set(pj, "latch", json_boolean(c->party[p].latch));
		xb_json_set(pj, "srtp", json_string(xbd_srtp_policy_name(c->party[p].srtp)));
		json_array_append_new(parties, pj);
	}
	xb_json_set(j, "parties", parties);
	for (k = 0; k < c->n_sections; k++) {
		const struct xbm_section *sec = &c->sec[k];
		json_t *sj = json_object(), *legs = json_array(), *streams = json_array();

		xb_json_set(sj, "index", json_integer(k));
		xb_json_set(sj, "type", json_string(sec->type));
		xb_json_set(sj, "proto", json_string(sec->proto));
		xb_json_set(sj, "state", json_string(state_names[sec->state]));
		xb_json_set(sj, "crypto", json_string(xbm_crypto_name(sec->crypto)));
		for (p = 0; p < 2; p++) {
			json_array_append_new(legs, leg_json(c, k, p));
			for (kind = 0; kind < XBM_KINDS; kind++)
				if (sec->leg[p].id[kind])
					json_array_append_new(streams,
							      stream_json(m, c, k, p, kind, now));
		}
		xb_json_set(sj, "legs", legs);
		xb_json_set(sj, "streams", streams);
		json_array_append_new(secs, sj);
	}
	xb_json_set(j, "sections", secs);
	return j;
}

struct totals {
	uint64_t answered, streams;
};

static void count_call(struct xbm *m, struct xbm_call *c, void *arg)
{
	struct totals *t = arg;
	unsigned int k;
	int p, kind;

	t->answered += c->answered;
	for (k = 0; k < c->n_sections; k++)
		for (p = 0; p < 2; p++)
			for (kind = 0; kind < XBM_KINDS; kind++)
				t->streams += c->sec[k].leg[p].id[kind] != 0;
}

json_t *xbm_stats(const struct xbm *cm)
{
	struct xbm *m = (struct xbm *)cm; /* the walk does not modify */
	json_t *j = json_object(), *ifs = json_array();
	struct totals t = { 0 };
	unsigned int i;

	xbm_call_foreach(m, count_call, &t);
	xb_json_set(j, "calls", json_integer(m->n_calls));
	xb_json_set(j, "answered", xb_json_u64(t.answered));
	xb_json_set(j, "streams", xb_json_u64(t.streams));
	xb_json_set(j, "offers", xb_json_u64(m->c.offers));
	xb_json_set(j, "answers", xb_json_u64(m->c.answers));
	xb_json_set(j, "deletes", xb_json_u64(m->c.deletes));
	xb_json_set(j, "timeouts", xb_json_u64(m->c.timeouts));
	xb_json_set(j, "errors", xb_json_u64(m->c.errors));
	xb_json_set(j, "adopted", xb_json_u64(m->c.adopted));
	xb_json_set(j, "orphans_removed", xb_json_u64(m->c.orphans));
	for (i = 0; i < m->n_ifaces; i++) {
		json_t *ij = json_object();

		xb_json_set(ij, "name", json_string(m->ifaces[i].name));
		xb_json_set(ij, "address", xb_json_addr(&m->ifaces[i].addr));
		xb_json_set(ij, "xdp", json_boolean(m->ifaces[i].xdp));
		xb_json_set(ij, "port_pairs", json_integer(m->pools[i].npairs));
		xb_json_set(ij, "port_pairs_used", json_integer(m->pools[i].used));
		json_array_append_new(ifs, ij);
	}
	xb_json_set(j, "interfaces", ifs);
	xb_json_set(j, "srtp", xbm_srtp_stats(m));
	if (m->relay)
		xb_json_set(j, "relay", xb_relay_stats_json(m->relay));
	return j;
}
