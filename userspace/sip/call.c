// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The call table: one entry per INVITE dialog crossing the border, keyed
 * by Call-ID and the caller's tag, with what the proxy needs to end the
 * call itself (both route sets, remote targets, CSeqs) and to drive the
 * media layer. Established calls are kept in STATE_DIR/calls.json
 * (written at most once a second, atomically by rename) so a restarted
 * xborderd lists them, relays their in-dialog requests with the right
 * media sides and can still end them.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <osipparser2/osip_port.h>

#include "common/json.h"
#include "common/log.h"
#include "sip/proxy_internal.h"

#define CALLS_FILE "calls.json"
#define SAVE_DELAY_MS 1000
#define STR_MAX 2048 /* longest string accepted from the state file */

int xbs_calls_init(struct xbs_proxy *p)
{
	if (xbs_htab_init(&p->calls_key) || xbs_htab_init(&p->calls_cid) ||
	    xbs_htab_init(&p->calls_id))
		return -ENOMEM;
	return 0;
}

static void side_free(struct xbs_side *s)
{
	unsigned int i;

	free(s->tag);
	free(s->hdr);
	free(s->uri);
	free(s->contact);
	for (i = 0; i < s->n_routes; i++)
		free(s->routes[i]);
	s->n_routes = 0;
}

static void call_free(struct xbs_call *c)
{
	side_free(&c->side[0]);
	side_free(&c->side[1]);
	free(c->key);
	free(c->call_id);
	free(c->end_cause);
	free(c);
}

static void call_unlink(struct xbs_proxy *p, struct xbs_call *c)
{
	xbs_htab_del(&p->calls_key, &c->hn_key);
	xbs_htab_del(&p->calls_cid, &c->hn_cid);
	xbs_htab_del(&p->calls_id, &c->hn_id);
	p->n_calls--;
}

void xbs_calls_free(struct xbs_proxy *p)
{
	struct xbs_hiter it;
	struct xbs_hnode *n;

	if (p->calls_key.b) {
		xbs_hiter_init(&it, &p->calls_key);
		while ((n = xbs_hiter_next(&it))) {
			struct xbs_call *c = xbs_container_of(n, struct xbs_call, hn_key);

			call_unlink(p, c);
			call_free(c);
		}
	}
	xbs_htab_free(&p->calls_key);
	xbs_htab_free(&p->calls_cid);
	xbs_htab_free(&p->calls_id);
}

int xbs_side_set(char **dst, const char *src)
{
	char *s = src ? strdup(src) : NULL;

	if (src && !s)
		return -ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

static struct xbs_call *call_alloc(struct xbs_proxy *p, const char *call_id, const char *tag,
				   uint64_t id)
{
	struct xbs_call *c = calloc(1, sizeof(*c));
	size_t n;

	if (!c)
		return NULL;
	n = strlen(call_id) + strlen(tag ? tag : "") + 2;
	c->key = malloc(n);
	c->call_id = strdup(call_id);
	if (!c->key || !c->call_id || xbs_side_set(&c->side[0].tag, tag ? tag : "")) {
		call_free(c);
		return NULL;
	}
	snprintf(c->key, n, "%s|%s", call_id, tag ? tag : "");
	c->id = id;
	snprintf(c->idkey, sizeof(c->idkey), "%" PRIu64, id);
	c->offer_side = -1;
	c->created = time(NULL);
	xbs_htab_add(&p->calls_key, &c->hn_key, c->key);
	xbs_htab_add(&p->calls_cid, &c->hn_cid, c->call_id);
	xbs_htab_add(&p->calls_id, &c->hn_id, c->idkey);
	p->n_calls++;
	return c;
}

struct xbs_call *xbs_call_new(struct xbs_proxy *p, const char *call_id, const char *tag)
{
	return call_alloc(p, call_id, tag, p->next_call_id++);
}

struct xbs_call *xbs_call_by_key(struct xbs_proxy *p, const char *key)
{
	struct xbs_hnode *n = key ? xbs_htab_get(&p->calls_key, key) : NULL;

	return n ? xbs_container_of(n, struct xbs_call, hn_key) : NULL;
}

struct xbs_call *xbs_call_find(struct xbs_proxy *p, const char *call_id, const char *from_tag,
			       const char *to_tag, int *dir)
{
	char key[XBS_CALLID_MAX + 2 * XBS_TAG_MAX + 512];
	struct xbs_call *c;

	if (!call_id || !*call_id)
		return NULL;
	if (snprintf(key, sizeof(key), "%s|%s", call_id, from_tag ? from_tag : "") >=
	    (int)sizeof(key))
		return NULL;
	if ((c = xbs_call_by_key(p, key))) {
		*dir = 0;
		return c;
	}
	if (!to_tag)
		return NULL;
	if (snprintf(key, sizeof(key), "%s|%s", call_id, to_tag) >= (int)sizeof(key))
		return NULL;
	if ((c = xbs_call_by_key(p, key))) {
		*dir = 1;
		return c;
	}
	return NULL;
}

void xbs_calls_dirty(struct xbs_proxy *p)
{
	if (!p->persist)
		return;
	p->dirty = true;
	if (!xb_timer_armed(&p->save_timer))
		xb_timer_arm(p->loop, &p->save_timer, SAVE_DELAY_MS);
}

static const char *nz(const char *s)
{
	return s && *s ? s : "-";
}

void xbs_call_established(struct xbs_proxy *p, struct xbs_call *c)
{
	c->established_ns = xb_now_ns();
	xb_log(XB_LOG_INFO,
	       "call %" PRIu64 " setup: call-id=%s from=%s to=%s caller=%s callee=%s media=%s "
	       "result=established",
	       c->id, c->call_id, nz(c->side[0].uri), nz(c->side[1].uri), nz(c->side[0].peer),
	       nz(c->side[1].peer), c->relay ? "relay" : "direct");
	xbs_calls_dirty(p);
}

void xbs_call_remove(struct xbs_proxy *p, struct xbs_call *c, const char *cause)
{
	if (c->established_ns)
		xb_log(XB_LOG_INFO,
		       "call %" PRIu64 " end: call-id=%s from=%s to=%s caller=%s callee=%s "
		       "media=%s cause=%s duration=%" PRIu64 "s",
		       c->id, c->call_id, nz(c->side[0].uri), nz(c->side[1].uri),
		       nz(c->side[0].peer), nz(c->side[1].peer), c->relay ? "relay" : "direct",
		       cause, (uint64_t)((xb_now_ns() - c->established_ns) / 1000000000ull));
	else
		xb_log(XB_LOG_INFO,
		       "call %" PRIu64 " setup: call-id=%s from=%s to=%s caller=%s callee=%s "
		       "media=%s result=%s",
		       c->id, c->call_id, nz(c->side[0].uri), nz(c->side[1].uri),
		       nz(c->side[0].peer), nz(c->side[1].peer), c->relay ? "relay" : "direct",
		       cause);
	if (c->media_used && p->media && p->media->del)
		p->media->del(p->media_arg, c->call_id, NULL);
	if (c->invite && c->invite->call_key && !strcmp(c->invite->call_key, c->key))
		c->invite = NULL;
	call_unlink(p, c);
	if (c->established_ns)
		xbs_calls_dirty(p);
	call_free(c);
}

void xbs_call_set_routes(struct xbs_side *s, osip_list_t *rr, int from, int to, bool reverse)
{
	int i, n = to - from, k;
	osip_record_route_t *r;
	char *v;

	for (i = 0; i < (int)s->n_routes; i++)
		free(s->routes[i]);
	s->n_routes = 0;
	for (i = 0; i < n && s->n_routes < XBS_MAX_ROUTES; i++) {
		k = reverse ? to - 1 - i : from + i;
		r = osip_list_get(rr, k);
		v = NULL;
		if (r && osip_record_route_to_str(r, &v) == 0 && v) {
			s->routes[s->n_routes] = strdup(v);
			if (s->routes[s->n_routes])
				s->n_routes++;
			osip_free(v);
		}
	}
}

/* ------------------------------------------------- requests we originate */

int xbs_call_request(struct xbs_proxy *p, struct xbs_call *c, int s, const char *method,
		     uint32_t cseq)
{
	struct xbs_side *to = &c->side[s], *from = &c->side[1 - s];
	osip_message_t *m;
	char cs[48];
	unsigned int i;

	if (!to->contact || !to->hdr || !from->hdr)
		return -ENOENT;
	if (osip_message_init(&m) != 0)
		return -ENOMEM;
	m->sip_method = osip_strdup(method);
	m->sip_version = osip_strdup("SIP/2.0");
	snprintf(cs, sizeof(cs), "%u %s", cseq, method);
	if (!m->sip_method || !m->sip_version || osip_uri_init(&m->req_uri) ||
	    osip_uri_parse(m->req_uri, to->contact) || osip_message_set_from(m, from->hdr) ||
	    osip_message_set_to(m, to->hdr) || osip_message_set_call_id(m, c->call_id) ||
	    osip_message_set_cseq(m, cs) || osip_message_set_header(m, "Max-Forwards", "70") ||
	    osip_message_set_content_length(m, "0"))
		goto fail;
	for (i = 0; i < to->n_routes; i++)
		if (osip_message_set_route(m, to->routes[i]))
			goto fail;
	xbs_local_request(p, m, to->listener);
	return 0;
fail:
	osip_message_free(m);
	return -ENOMEM;
}

void xbs_call_end(struct xbs_proxy *p, struct xbs_call *c, const char *cause)
{
	struct xbs_rctx *r = c->invite;
	int s;

	if (c->established_ns || c->state == XBS_CALL_ESTABLISHED) {
		for (s = 0; s < 2; s++) {
			struct xbs_side *from = &c->side[1 - s];
			uint32_t n = from->cseq_known ? from->cseq + 1 : 1;

			if (xbs_call_request(p, c, s, "BYE", n) == 0) {
				from->cseq = n;
				from->cseq_known = true;
			}
		}
	} else if (r && !r->final_sent) {
		/* before the answer: 487 up, CANCEL down (after a provisional) */
		r->hold++;
		r->cancelled = true;
		xbs_respond(p, r, 487, "Request Terminated (call ended)");
		if (r->got_provisional)
			xbs_send_cancel(p, r);
		else
			r->cancel_pending = true;
		r->hold--;
	}
	xbs_call_remove(p, c, cause);
	if (r)
		xbs_rctx_maybe_free(r);
}

/* --------------------------------------------------------------- state file */

static json_t *side_json(const struct xbs_side *s)
{
	json_t *o = json_object(), *routes = json_array();
	char buf[XB_ADDRSTRLEN];
	unsigned int i;

	if (!o || !routes) {
		json_decref(o);
		json_decref(routes);
		return NULL;
	}
	for (i = 0; i < s->n_routes; i++)
		json_array_append_new(routes, json_string(s->routes[i]));
	xb_json_set(o, "tag", json_string(s->tag ? s->tag : ""));
	xb_json_set(o, "hdr", s->hdr ? json_string(s->hdr) : json_null());
	xb_json_set(o, "uri", s->uri ? json_string(s->uri) : json_null());
	xb_json_set(o, "contact", s->contact ? json_string(s->contact) : json_null());
	xb_json_set(o, "routes", routes);
	xb_json_set(o, "cseq", json_integer(s->cseq));
	xb_json_set(o, "cseq_known", json_boolean(s->cseq_known));
	xb_json_set(o, "listener", json_string(s->listener ? s->listener->name : ""));
	xb_json_set(o, "addr",
		    json_string(s->addr.a.family ? xb_fmt_endpoint(&s->addr, buf, sizeof(buf))
						 : ""));
	xb_json_set(o, "peer", json_string(s->peer));
	xb_json_set(o, "media", json_string(s->media));
	xb_json_set(o, "mode", json_string(xbd_media_mode_name(s->mode)));
	xb_json_set(o, "latch", json_boolean(s->latch));
	return o;
}

static void state_path(struct xbs_proxy *p, char *out, size_t size, const char *suffix)
{
	snprintf(out, size, "%s/%s%s", p->cfg->state_dir, CALLS_FILE, suffix);
}

int xbs_calls_save(struct xbs_proxy *p)
{
	char path[4200], tmp[4200];
	json_t *root, *arr;
	struct xbs_hiter it;
	struct xbs_hnode *n;
	time_t now = time(NULL);
	uint64_t now_ns = xb_now_ns();

	root = json_object();
	arr = json_array();
	if (!root || !arr) {
		json_decref(root);
		json_decref(arr);
		return -ENOMEM;
	}
	xb_json_set(root, "version", json_integer(1));
	xbs_hiter_init(&it, &p->calls_key);
	while ((n = xbs_hiter_next(&it))) {
		struct xbs_call *c = xbs_container_of(n, struct xbs_call, hn_key);
		json_t *o;

		if (!c->established_ns)
			continue; /* transactions do not survive a restart */
		o = json_object();
		if (!o)
			continue;
		xb_json_set(o, "id", json_integer((json_int_t)c->id));
		xb_json_set(o, "call_id", json_string(c->call_id));
		xb_json_set(o, "created", json_integer(c->created));
		xb_json_set(
			o, "established",
			json_integer(now - (time_t)((now_ns - c->established_ns) / 1000000000ull)));
		xb_json_set(o, "relay", json_boolean(c->relay));
		xb_json_set(o, "media_used", json_boolean(c->media_used));
		xb_json_set(o, "caller", side_json(&c->side[0]));
		xb_json_set(o, "callee", side_json(&c->side[1]));
		json_array_append_new(arr, o);
	}
	xb_json_set(root, "calls", arr);
	mkdir(p->cfg->state_dir, 0750);
	state_path(p, path, sizeof(path), "");
	state_path(p, tmp, sizeof(tmp), ".tmp");
	if (json_dump_file(root, tmp, JSON_COMPACT) != 0 || rename(tmp, path) != 0) {
		xb_log(XB_LOG_WARN, "cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		json_decref(root);
		return -EIO;
	}
	json_decref(root);
	return 0;
}

static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;

	return s && strlen(s) < STR_MAX ? s : NULL;
}

static int side_load(struct xbs_proxy *p, json_t *o, struct xbs_side *s)
{
	json_t *routes, *v;
	const char *str;
	size_t i;

	if (!json_is_object(o))
		return -EINVAL;
	if (xbs_side_set(&s->tag, jstr(o, "tag")) || xbs_side_set(&s->hdr, jstr(o, "hdr")) ||
	    xbs_side_set(&s->uri, jstr(o, "uri")) || xbs_side_set(&s->contact, jstr(o, "contact")))
		return -ENOMEM;
	routes = json_object_get(o, "routes");
	json_array_foreach(routes, i, v)
	{
		str = json_is_string(v) ? json_string_value(v) : NULL;
		if (!str || strlen(str) >= STR_MAX || s->n_routes >= XBS_MAX_ROUTES)
			continue;
		s->routes[s->n_routes] = strdup(str);
		if (s->routes[s->n_routes])
			s->n_routes++;
	}
	v = json_object_get(o, "cseq");
	s->cseq = json_is_integer(v) ? (uint32_t)json_integer_value(v) : 0;
	s->cseq_known = json_is_true(json_object_get(o, "cseq_known"));
	if ((str = jstr(o, "listener")))
		s->listener = xbd_config_listener(p->cfg, str);
	if ((str = jstr(o, "addr")) && *str)
		xb_parse_endpoint(str, &s->addr);
	snprintf(s->peer, sizeof(s->peer), "%s", (str = jstr(o, "peer")) ? str : "");
	snprintf(s->media, sizeof(s->media), "%s", (str = jstr(o, "media")) ? str : "");
	str = jstr(o, "mode");
	s->mode = str && !strcmp(str, "direct") ? XBD_MEDIA_DIRECT : XBD_MEDIA_RELAY;
	s->latch = json_is_true(json_object_get(o, "latch"));
	return 0;
}

int xbs_calls_load(struct xbs_proxy *p)
{
	char path[4200];
	json_error_t jerr;
	json_t *root, *arr, *o, *v;
	size_t i;
	unsigned int n = 0;
	uint64_t now_ns = xb_now_ns();
	time_t now = time(NULL);

	state_path(p, path, sizeof(path), "");
	root = json_load_file(path, 0, &jerr);
	if (!root) {
		if (access(path, F_OK) == 0)
			xb_log(XB_LOG_WARN, "%s: %s (ignored)", path, jerr.text);
		return 0;
	}
	arr = json_object_get(root, "calls");
	json_array_foreach(arr, i, o)
	{
		const char *cid = jstr(o, "call_id");
		json_t *caller = json_object_get(o, "caller");
		const char *tag = json_is_object(caller) ? jstr(caller, "tag") : NULL;
		struct xbs_call *c;
		uint64_t id;
		time_t est;
		int d;

		if (!cid || !*cid || !tag || xbs_call_find(p, cid, tag, NULL, &d) ||
		    n >= p->cfg->max_calls)
			continue;
		v = json_object_get(o, "id");
		id = json_is_integer(v) && json_integer_value(v) > 0
			     ? (uint64_t)json_integer_value(v)
			     : p->next_call_id;
		c = call_alloc(p, cid, tag, id);
		if (!c)
			break;
		if (id >= p->next_call_id)
			p->next_call_id = id + 1;
		if (side_load(p, caller, &c->side[0]) ||
		    side_load(p, json_object_get(o, "callee"), &c->side[1])) {
			call_unlink(p, c);
			call_free(c);
			continue;
		}
		v = json_object_get(o, "created");
		c->created = json_is_integer(v) ? (time_t)json_integer_value(v) : now;
		v = json_object_get(o, "established");
		est = json_is_integer(v) ? (time_t)json_integer_value(v) : now;
		if (est > now || est < 0)
			est = now;
		c->established_ns = now_ns - (uint64_t)(now - est) * 1000000000ull;
		if (!c->established_ns)
			c->established_ns = 1;
		c->state = XBS_CALL_ESTABLISHED;
		c->relay = json_is_true(json_object_get(o, "relay"));
		c->media_used = json_is_true(json_object_get(o, "media_used"));
		c->adopted = true;
		n++;
	}
	json_decref(root);
	if (n)
		xb_log(XB_LOG_INFO, "adopted %u established call%s from %s", n, n == 1 ? "" : "s",
		       path);
	return 0;
}
