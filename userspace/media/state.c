// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Media state in cfg->state_dir/media.json, so a restarted xborderd adopts
 * the calls whose streams are still pinned. Written whole, atomically
 * (temporary file + rename), coalesced to one write per XBM_SAVE_DELAY_MS
 * and at shutdown. Read at start: a call is adopted when every stream it
 * recorded is still in the pinned map with the same id (so its counters
 * keep rising) and its interfaces still exist with the same address;
 * everything else is freed, and streams no adopted call owns are deleted.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "common/err.h"
#include "common/json.h"
#include "common/log.h"
#include "media/internal.h"

static const char *const kind_names[XBM_KINDS] = { "rtp", "rtcp" };
static const char *const sec_states[] = { "unused", "active", "off", "passthrough" };

json_t *xbm_addr_json(const struct xb_addr *a)
{
	if (!a->family)
		return json_null();
	return xb_json_addr(a);
}

static json_t *sdp_ep_json(const struct xbm_sdp_ep *e)
{
	json_t *j;

	if (!e->have)
		return json_null();
	j = json_object();
	xb_json_set(j, "port", json_integer(e->sdp_port));
	xb_json_set(j, "rtp", xbm_addr_json(&e->rtp));
	xb_json_set(j, "rtp_port", json_integer(e->rtp_port));
	xb_json_set(j, "rtcp", xbm_addr_json(&e->rtcp));
	xb_json_set(j, "rtcp_port", json_integer(e->rtcp_port));
	xb_json_set(j, "mux", json_boolean(e->mux));
	xb_json_set(j, "zero", json_boolean(e->zero));
	xb_json_set(j, "dir", json_string(xb_sdp_dir_name(e->dir)));
	return j;
}

static json_t *leg_json(const struct xbm_call *c, int p, const struct xbm_leg *l)
{
	json_t *j = json_object(), *streams = json_array();
	struct xb_endpoint e;
	int kind;

	xb_json_set(j, "port", json_integer(l->port));
	xb_json_set(j, "sdp", sdp_ep_json(&l->sdp));
	for (kind = 0; kind < XBM_KINDS; kind++) {
		json_t *s;

		if (!l->id[kind])
			continue;
		s = json_object();
		e.a = c->party[p].iface.addr;
		e.port = (uint16_t)(l->port + kind);
		xb_json_set(s, "kind", json_string(kind_names[kind]));
		xb_json_set(s, "key", xb_json_endpoint(&e));
		xb_json_set(s, "id", json_integer(l->id[kind]));
		json_array_append_new(streams, s);
	}
	xb_json_set(j, "streams", streams);
	/* SDES: which contexts, never their keys (those are in srtp.keys) */
	if (l->srtp.on || l->srtp.ctx[XBM_CTX_IN] || l->srtp.ctx[XBM_CTX_OUT])
		xb_json_set(j, "srtp", xbm_srtp_leg_json(&l->srtp));
	return j;
}

static json_t *call_json(const struct xbm_call *c)
{
	json_t *j = json_object(), *parties = json_array(), *secs = json_array();
	unsigned int k;
	int p;

	xb_json_set(j, "call_id", json_string(c->call_id));
	xb_json_set(j, "answered", json_boolean(c->answered));
	xb_json_set(j, "offer_from", json_integer(c->offer_from));
	xb_json_set(j, "created_ns", xb_json_u64(c->created_ns));
	xb_json_set(j, "ref_ns", xb_json_u64(c->ref_ns));
	for (p = 0; p < 2; p++) {
		json_t *pj = json_object();

		xb_json_set(pj, "tag",
			    c->party[p].tag ? json_string(c->party[p].tag) : json_null());
		xb_json_set(pj, "iface", json_string(c->party[p].iface.name));
		xb_json_set(pj, "addr", xbm_addr_json(&c->party[p].iface.addr));
		xb_json_set(pj, "latch", json_boolean(c->party[p].latch));
		xb_json_set(pj, "srtp", json_string(xbd_srtp_policy_name(c->party[p].srtp)));
		json_array_append_new(parties, pj);
	}
	xb_json_set(j, "parties", parties);
	for (k = 0; k < c->n_sections; k++) {
		const struct xbm_section *sec = &c->sec[k];
		json_t *sj = json_object(), *legs = json_array();

		xb_json_set(sj, "state", json_string(sec_states[sec->state]));
		xb_json_set(sj, "rtp", json_boolean(sec->rtp));
		xb_json_set(sj, "type", json_string(sec->type));
		xb_json_set(sj, "proto", json_string(sec->proto));
		xb_json_set(sj, "crypto", json_string(xbm_crypto_name(sec->crypto)));
		for (p = 0; p < 2; p++)
			json_array_append_new(legs, leg_json(c, p, &sec->leg[p]));
		xb_json_set(sj, "legs", legs);
		json_array_append_new(secs, sj);
	}
	xb_json_set(j, "sections", secs);
	return j;
}

static void add_call(struct xbm *m, struct xbm_call *c, void *arg)
{
	json_array_append_new(arg, call_json(c));
}

static int state_path(const struct xbm *m, char *buf, size_t len, const char *suffix)
{
	const char *dir = m->cfg->state_dir[0] ? m->cfg->state_dir : "/run/xborder";

	if ((size_t)snprintf(buf, len, "%s/%s%s", dir, XBM_STATE_FILE, suffix) >= len)
		return xb_err(ENAMETOOLONG, "state path too long");
	return 0;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int xbm_state_save(struct xbm *m)
{
	char path[4200], tmp[4210], *text = NULL;
	json_t *root, *calls;
	size_t len;
	int fd, err;

	m->dirty = false;
	if (m->loop)
		xb_timer_cancel(m->loop, &m->save_timer);
	err = state_path(m, path, sizeof(path), "");
	if (!err)
		err = state_path(m, tmp, sizeof(tmp), ".tmp");
	if (err)
		return err;
	/* keys first: media.json names the contexts they belong to */
	if (xbm_srtp_save_keys(m))
		xb_log(XB_LOG_ERR, "media: %s", xb_errmsg());
	root = json_object();
	calls = json_array();
	if (!root || !calls) {
		json_decref(root);
		json_decref(calls);
		return xb_err(ENOMEM, "out of memory");
	}
	xb_json_set(root, "version", json_integer(XBM_STATE_VERSION));
	xb_json_set(root, "pin_dir", json_string(xb_fp_pin_dir(m->fp)));
	xbm_call_foreach(m, add_call, calls);
	xb_json_set(root, "calls", calls);

	/* One write: json_dumpfd writes token by token, a syscall each. */
	text = json_dumps(root, JSON_COMPACT);
	if (!text) {
		err = xb_err(ENOMEM, "cannot serialise the media state");
		goto out;
	}
	len = strlen(text);
	text[len++] = '\n'; /* over the NUL: written by length */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		err = xb_err(errno, "cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (write_all(fd, text, len)) {
		err = xb_err(EIO, "cannot write %s", tmp);
		close(fd);
		unlink(tmp);
		goto out;
	}
	close(fd);
	if (rename(tmp, path)) {
		err = xb_err(errno, "cannot rename %s: %s", tmp, strerror(errno));
		unlink(tmp);
	}
out:
	free(text);
	json_decref(root);
	return err;
}

static void save_timer(struct xb_loop *loop, struct xb_timer *t, void *arg)
{
	struct xbm *m = arg;

	if (xbm_state_save(m))
		xb_log(XB_LOG_ERR, "media: %s", xb_errmsg());
}

void xbm_state_dirty(struct xbm *m)
{
	if (!m->started)
		return;
	m->dirty = true;
	if (!m->loop) {
		if (xbm_state_save(m))
			xb_log(XB_LOG_ERR, "media: %s", xb_errmsg());
		return;
	}
	if (!xb_timer_armed(&m->save_timer)) {
		xb_timer_init(&m->save_timer, save_timer, m);
		xb_timer_arm(m->loop, &m->save_timer, XBM_SAVE_DELAY_MS);
	}
}

/* ---------------------------------------------------------------- load */

static const char *jstr(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool jint(json_t *o, const char *k, long long lo, long long hi, long long *out)
{
	json_t *v = json_object_get(o, k);

	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
		return false;
	*out = json_integer_value(v);
	return true;
}

static bool jaddr(json_t *o, const char *k, struct xb_addr *a)
{
	json_t *v = json_object_get(o, k);

	memset(a, 0, sizeof(*a));
	if (json_is_null(v))
		return true;
	return json_is_string(v) && xb_parse_addr(json_string_value(v), a) == 0;
}

static int enum_index(const char *s, const char *const *names, int n)
{
	int i;

	for (i = 0; s && i < n; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

static bool load_sdp_ep(json_t *j, struct xbm_sdp_ep *e)
{
	static const char *const dirs[] = { "sendrecv", "sendonly", "recvonly", "inactive" };
	long long port, rtp_port, rtcp_port;
	int dir;

	memset(e, 0, sizeof(*e));
	if (json_is_null(j) || !j)
		return true;
	if (!json_is_object(j) || !jint(j, "port", 0, 65535, &port) ||
	    !jint(j, "rtp_port", 0, 65535, &rtp_port) ||
	    !jint(j, "rtcp_port", 0, 65535, &rtcp_port) || !jaddr(j, "rtp", &e->rtp) ||
	    !jaddr(j, "rtcp", &e->rtcp))
		return false;
	dir = enum_index(jstr(j, "dir"), dirs, 4);
	if (dir < 0)
		return false;
	e->have = true;
	e->sdp_port = (uint16_t)port;
	e->rtp_port = (uint16_t)rtp_port;
	e->rtcp_port = (uint16_t)rtcp_port;
	e->mux = json_is_true(json_object_get(j, "mux"));
	e->zero = json_is_true(json_object_get(j, "zero"));
	e->dir = (uint8_t)dir;
	return true;
}

/* A leg's streams must be in the map under the key we derive, same id. */
static bool load_leg(struct xbm *m, const struct xbm_party *party, json_t *j, struct xbm_leg *l)
{
	json_t *streams = json_object_get(j, "streams"), *s;
	long long port, id;
	size_t i;

	memset(l, 0, sizeof(*l));
	if (!json_is_object(j) || !jint(j, "port", 0, 65534, &port) || (port & 1) ||
	    !load_sdp_ep(json_object_get(j, "sdp"), &l->sdp) || !json_is_array(streams))
		return false;
	l->port = (uint16_t)port;
	json_array_foreach(streams, i, s)
	{
		struct xb_endpoint want, got;
		struct xb_stream_key key;
		struct xb_stream cur;
		int kind = enum_index(jstr(s, "kind"), kind_names, XBM_KINDS);
		const char *k = jstr(s, "key");

		if (!l->port || kind < 0 || !k || !jint(s, "id", 1, UINT32_MAX, &id) ||
		    xb_parse_endpoint(k, &got))
			return false;
		want.a = party->iface.addr;
		want.port = (uint16_t)(l->port + kind);
		if (!xb_addr_equal(&want.a, &got.a) || want.port != got.port)
			return false;
		xbm_stream_key(&key, &party->iface, want.port);
		if (xb_fp_stream_get(m->fp, &key, &cur) || cur.stats_idx != (uint32_t)id)
			return false;
		l->id[kind] = (uint32_t)id;
	}
	return xbm_srtp_load_leg(m, json_object_get(j, "srtp"), &l->srtp) == 0;
}

static bool load_party(struct xbm *m, json_t *j, struct xbm_party *p)
{
	static const char *const srtp_policies[] = { "pass", "none", "sdes" };
	const struct xbm_iface *ifc;
	struct xb_addr a;
	const char *tag;
	int pol;

	if (!json_is_object(j) || !jaddr(j, "addr", &a))
		return false;
	ifc = xbm_iface_find(m, jstr(j, "iface"));
	/* the interface must still be there, with the address of the keys */
	if (!ifc || !xb_addr_equal(&ifc->addr, &a) || ifc->addr.family != a.family)
		return false;
	p->iface = *ifc;
	p->latch = json_is_true(json_object_get(j, "latch"));
	pol = enum_index(jstr(j, "srtp"), srtp_policies, 3);
	p->srtp = pol < 0 ? XBD_SRTP_PASS : (uint8_t)pol;
	tag = jstr(j, "tag");
	if (tag && (!*tag || strlen(tag) > XBM_ID_MAX || xbm_set_tag(p, tag)))
		return false;
	return true;
}

static bool load_section(struct xbm *m, struct xbm_call *c, json_t *j, struct xbm_section *sec)
{
	json_t *legs = json_object_get(j, "legs");
	static const char *const cryptos[] = { "keep", "plain", "bridge" };
	const char *type = jstr(j, "type"), *proto = jstr(j, "proto");
	int st = enum_index(jstr(j, "state"), sec_states, 4), p, cr;

	if (!json_is_object(j) || st < 0 || !json_is_array(legs) || json_array_size(legs) != 2)
		return false;
	sec->state = (uint8_t)st;
	sec->rtp = json_is_true(json_object_get(j, "rtp"));
	cr = jstr(j, "crypto") ? enum_index(jstr(j, "crypto"), cryptos, 3) : XBM_CRYPTO_KEEP;
	if (cr < 0)
		return false;
	sec->crypto = (uint8_t)cr;
	snprintf(sec->type, sizeof(sec->type), "%s", type ? type : "");
	snprintf(sec->proto, sizeof(sec->proto), "%s", proto ? proto : "");
	for (p = 0; p < 2; p++)
		if (!load_leg(m, &c->party[p], json_array_get(legs, p), &sec->leg[p]))
			return false;
	/* an active section has ports on both sides, other states none */
	return (st == XBM_SEC_ACTIVE) == (sec->leg[0].port && sec->leg[1].port) &&
	       (st == XBM_SEC_ACTIVE || (!sec->leg[0].port && !sec->leg[1].port));
}

/* Claim the call's ports; a port held by another call means corrupt state. */
static bool claim_ports(struct xbm *m, struct xbm_call *c)
{
	struct {
		const char *iface;
		uint16_t port;
	} claimed[2 * XB_SDP_MAX_MEDIA];
	unsigned int k, n = 0, i;
	int p;

	for (k = 0; k < c->n_sections; k++)
		for (p = 0; p < 2; p++) {
			const struct xbm_leg *l = &c->sec[k].leg[p];
			const char *name = c->party[p].iface.name;
			struct xbm_pool *pool = xbm_pool_find(m, name);

			if (!l->port)
				continue;
			if (xbm_port_claim(m, name, l->port)) {
				claimed[n].iface = name;
				claimed[n++].port = l->port;
				continue;
			}
			/* outside today's range is fine (a reload moved it) */
			if (pool && l->port >= pool->base &&
			    l->port < pool->base + 2 * pool->npairs) {
				for (i = 0; i < n; i++)
					xbm_port_free(m, claimed[i].iface, claimed[i].port);
				return false;
			}
		}
	return true;
}

static void adopt_one(struct xbm *m, json_t *j)
{
	json_t *parties = json_object_get(j, "parties"), *secs = json_object_get(j, "sections");
	const char *id = jstr(j, "call_id");
	long long offer_from, created, ref;
	struct xbm_call *c;
	size_t k;

	if (!id || !*id || strlen(id) > XBM_ID_MAX || xbm_call_find(m, id) ||
	    !json_is_array(parties) || json_array_size(parties) != 2 || !json_is_array(secs) ||
	    json_array_size(secs) > XB_SDP_MAX_MEDIA ||
	    !jint(j, "offer_from", -1, 1, &offer_from) ||
	    !jint(j, "created_ns", 0, INT64_MAX, &created) ||
	    !jint(j, "ref_ns", 0, INT64_MAX, &ref))
		goto skip;
	c = xbm_call_new(m, id);
	if (!c)
		goto skip;
	c->offer_from = (int)offer_from;
	c->created_ns = (uint64_t)created;
	c->ref_ns = (uint64_t)ref;
	c->answered = json_is_true(json_object_get(j, "answered"));
	c->n_sections = (unsigned int)json_array_size(secs);
	if (!load_party(m, json_array_get(parties, 0), &c->party[0]) ||
	    !load_party(m, json_array_get(parties, 1), &c->party[1]))
		goto drop;
	for (k = 0; k < c->n_sections; k++)
		if (!load_section(m, c, json_array_get(secs, k), &c->sec[k]))
			goto drop;
	if (!claim_ports(m, c))
		goto drop;
	if (!xbm_srtp_adopt(m, c)) {
		/* said why; the ports just claimed are freed */
		xbm_call_release(m, c, false);
		xbm_call_unlink(m, c);
		xbm_call_destroy(c);
		return;
	}
	m->c.adopted++;
	return;
drop:
	xbm_call_unlink(m, c);
	xbm_call_destroy(c);
skip:
	xb_log(XB_LOG_WARN, "media: not adopting call %.64s: its streams or interfaces are gone",
	       id ? id : "(no call-id)");
}

/* Keys owned by adopted calls, sorted for bsearch. */
struct owned {
	struct xb_stream_key *keys;
	size_t n, cap;
};

static int key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct xb_stream_key));
}

static void collect_owned(struct xbm *m, struct xbm_call *c, void *arg)
{
	struct owned *o = arg;
	unsigned int k;
	int p, kind;

	for (k = 0; k < c->n_sections; k++)
		for (p = 0; p < 2; p++)
			for (kind = 0; kind < XBM_KINDS; kind++) {
				const struct xbm_leg *l = &c->sec[k].leg[p];

				if (!l->id[kind])
					continue;
				if (o->n == o->cap) {
					size_t cap = o->cap ? 2 * o->cap : 256;
					void *nk = realloc(o->keys, cap * sizeof(*o->keys));

					if (!nk)
						return;
					o->keys = nk;
					o->cap = cap;
				}
				xbm_stream_key(&o->keys[o->n++], &c->party[p].iface,
					       (uint16_t)(l->port + kind));
			}
}

struct orphans {
	const struct owned *owned;
	struct xb_stream_key *del;
	size_t n, cap;
	bool oom;
};

static int find_orphan(const struct xb_stream_key *key, const struct xb_stream *s, void *arg)
{
	struct orphans *o = arg;

	if (o->owned->n && bsearch(key, o->owned->keys, o->owned->n, sizeof(*key), key_cmp))
		return 0;
	if (o->n == o->cap) {
		size_t cap = o->cap ? 2 * o->cap : 256;
		void *nk = realloc(o->del, cap * sizeof(*o->del));

		if (!nk) {
			o->oom = true;
			return 1;
		}
		o->del = nk;
		o->cap = cap;
	}
	o->del[o->n++] = *key;
	return 0;
}

static int remove_orphans(struct xbm *m)
{
	struct owned owned = { 0 };
	struct orphans o = { .owned = &owned };
	size_t i;
	int err;

	xbm_call_foreach(m, collect_owned, &owned);
	if (owned.n)
		qsort(owned.keys, owned.n, sizeof(*owned.keys), key_cmp);
	err = xb_fp_stream_foreach(m->fp, find_orphan, &o);
	if (o.oom)
		err = xb_err(ENOMEM, "out of memory");
	for (i = 0; !err && i < o.n; i++)
		if (xb_fp_stream_del(m->fp, &o.del[i]) == 0)
			m->c.orphans++;
	free(owned.keys);
	free(o.del);
	return err < 0 ? err : 0;
}

/* mkdir -p the state directory (it is usually under /run, a tmpfs). */
static void make_dir(const char *dir)
{
	char buf[4096];
	size_t i, n = strnlen(dir, sizeof(buf) - 1);

	memcpy(buf, dir, n);
	buf[n] = '\0';
	for (i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			xb_log(XB_LOG_WARN, "media: cannot create %s: %s", buf, strerror(errno));
		buf[i] = i < n ? '/' : '\0';
	}
}

int xbm_state_load(struct xbm *m)
{
	char path[4200];
	json_error_t jerr;
	json_t *root, *calls, *c;
	struct stat st;
	size_t i;
	int err;

	err = state_path(m, path, sizeof(path), "");
	if (err)
		return err;
	make_dir(m->cfg->state_dir[0] ? m->cfg->state_dir : "/run/xborder");
	if (stat(path, &st) == 0) {
		root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
		calls = root ? json_object_get(root, "calls") : NULL;
		if (!root || !json_is_array(calls) ||
		    json_integer_value(json_object_get(root, "version")) != XBM_STATE_VERSION) {
			xb_log(XB_LOG_ERR, "media: %s: %s; starting without calls", path,
			       root ? "not a media state file" : jerr.text);
		} else {
			xbm_srtp_keys_load(m);
			json_array_foreach(calls, i, c) adopt_one(m, c);
		}
		json_decref(root);
	} else if (errno != ENOENT) {
		xb_log(XB_LOG_ERR, "media: %s: %s", path, strerror(errno));
	}
	xbm_srtp_keys_done(m); /* and the module's orphan contexts */
	err = remove_orphans(m);
	if (err)
		return err;
	m->started = true; /* so the reconciled state is written */
	err = xbm_state_save(m);
	m->started = false;
	if (err)
		xb_log(XB_LOG_ERR, "media: %s", xb_errmsg());
	if (m->relay && (m->c.adopted || m->c.orphans))
		xb_relay_sync(m->relay);
	return 0;
}
