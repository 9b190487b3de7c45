// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * xborderd: the SIP border element. Wires the configuration, the media
 * layer (fast path + userspace relay), the SIP transport, the proxy and
 * the control socket onto one event loop.
 *
 *   xborderd -f FILE [--check-config] [-d|--debug] [--log-syslog]
 *
 * SIGTERM/SIGINT stop it without touching calls: media keeps flowing in
 * the pinned fast path and the call table is saved, so the next start
 * adopts both. xborder's IPsec SAs and policies are removed then (a clean
 * exit; the next start installs them again before its first SIP message),
 * but not by a crash: the next start adopts what it finds. SIGHUP reloads
 * the configuration (as `config reload`), IPsec state included.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "common/err.h"
#include "common/json.h"
#include "common/log.h"
#include "config/config.h"
#include "ctl/ctl.h"
#include "dns/resolver.h"
#include "evloop/evloop.h"
#include "ipsec/ipsec.h"
#include "media/media.h"
#include "sip/proxy.h"
#include "sip/transport.h"

struct daemon {
	struct xb_loop *loop;
	struct xbd_config *cfg;
	struct xbm *media;
	struct xb_resolver *resolver; /* DNS for discovery; NULL: static routing only */
	struct xbs_proxy *proxy;
	struct xbs_transport *tp;
	struct xbc_server *ctl;
	struct xb_ipsec *ipsec;	     /* NULL: no XFRM netlink here and no IPsec peer */
	struct xb_timer ipsec_timer; /* a rekey in progress: apply again */
	bool ipsec_owned;	     /* remove xborder's XFRM state when stopping */
	bool ipsec_pending;
	uint64_t ipsec_applies, ipsec_errors;
	char ipsec_error[XB_ERRMSG_MAX]; /* the last failed apply, "" if none */
	bool debug;
	uint64_t started_ns;
	int log_fd; /* read end of the stderr pipe when logging to syslog */
	char log_buf[4096];
	size_t log_len;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: xborderd -f FILE [--check-config] [-d|--debug] [--log-syslog]\n");
}

/* ------------------------------------------------------------ plumbing */

static int send_cb(void *arg, const struct xbd_listener *from, const struct xb_endpoint *dest,
		   uint64_t conn_id, uint64_t tag, const char *msg, size_t len)
{
	struct daemon *d = arg;

	if (!d->tp)
		return -ENOTCONN;
	return xbs_send(d->tp, from, dest, conn_id, tag, msg, len);
}

static void recv_cb(void *arg, const char *msg, size_t len, const struct xbs_source *src)
{
	struct daemon *d = arg;

	xbs_proxy_receive(d->proxy, msg, len, src);
}

static void error_cb(void *arg, const struct xb_endpoint *dest, enum xbd_transport t, uint64_t tag,
		     int err)
{
	struct daemon *d = arg;

	xbs_proxy_transport_error(d->proxy, dest, t, tag, err);
}

static void media_dead(void *arg, const char *call_id)
{
	struct daemon *d = arg;

	if (d->proxy)
		xbs_proxy_media_dead(d->proxy, call_id);
}

/* ----------------------------------------------------------------- IPsec */

/* Documentation/ipsec.md, "Lifecycle": the kernel holds the state, every
 * apply compares it with the configuration afresh. */

#define IPSEC_PENDING_MS 1000 /* rekey steps: apply again about once a second */
#define IPSEC_RETRY_MS 5000   /* after a failed apply while a rekey was pending */

static bool ipsec_wanted(const struct xbd_config *cfg)
{
	unsigned int i;

	for (i = 0; i < cfg->n_peers; i++)
		if (cfg->peers[i].ipsec.enabled)
			return true;
	return false;
}

static void ipsec_again(struct xb_loop *loop, struct xb_timer *t, void *arg);

/* Make the kernel's XFRM state match CFG; arms the rekey timer. */
static int ipsec_apply(struct daemon *d, const struct xbd_config *cfg)
{
	struct xb_ipsec_result r;
	int err;

	err = xb_ipsec_apply(d->ipsec, cfg, &r);
	d->ipsec_applies++;
	if (err) {
		d->ipsec_errors++;
		snprintf(d->ipsec_error, sizeof(d->ipsec_error), "%s", xb_errmsg());
		return err;
	}
	d->ipsec_error[0] = '\0';
	if (r.sa_added + r.sa_replaced + r.sa_updated + r.sa_removed + r.sp_added + r.sp_updated +
	    r.sp_removed)
		xb_log(XB_LOG_INFO,
		       "ipsec: SAs %u added, %u replaced, %u updated, %u removed, %u kept; "
		       "policies %u added, %u updated, %u removed, %u kept%s",
		       r.sa_added, r.sa_replaced, r.sa_updated, r.sa_removed, r.sa_kept, r.sp_added,
		       r.sp_updated, r.sp_removed, r.sp_kept,
		       r.pending ? "; rekey in progress" : "");
	d->ipsec_pending = r.pending;
	if (r.pending && d->loop)
		xb_timer_arm(d->loop, &d->ipsec_timer, IPSEC_PENDING_MS);
	else if (d->loop)
		xb_timer_cancel(d->loop, &d->ipsec_timer);
	return 0;
}

/* A rekey has steps left (switch the out policies, drop old SAs): they
 * depend on time and on the peer using our new SA, so look again. */
static void ipsec_again(struct xb_loop *loop, struct xb_timer *t, void *arg)
{
	struct daemon *d = arg;

	if (ipsec_apply(d, d->cfg)) {
		xb_log(XB_LOG_WARN, "%s (retrying in %u s)", d->ipsec_error, IPSEC_RETRY_MS / 1000);
		xb_timer_arm(loop, t, IPSEC_RETRY_MS);
	}
}

static int ipsec_open(struct daemon *d)
{
	char path[sizeof(d->cfg->state_dir) + 16];
	int err;

	err = xb_ipsec_open(&d->ipsec);
	if (err)
		return err;
	snprintf(path, sizeof(path), "%s/ipsec-seq", d->cfg->state_dir);
	err = xb_ipsec_set_seq_file(d->ipsec, path);
	if (err) {
		xb_ipsec_close(d->ipsec);
		d->ipsec = NULL;
	}
	return err;
}

/*
 * Start-up, before anything can send SIP: adopt what a previous run left
 * (a crash leaves everything in place; found and kept, not duplicated),
 * then apply. Without XFRM netlink (no CONFIG_XFRM_USER, no permission)
 * and no IPsec peer configured, xborderd runs without the layer.
 */
static int ipsec_start(struct daemon *d)
{
	struct xb_ipsec_result r;
	int err;

	xb_timer_init(&d->ipsec_timer, ipsec_again, d);
	err = ipsec_open(d);
	if (err) {
		if (ipsec_wanted(d->cfg))
			return err;
		xb_log(XB_LOG_DEBUG, "%s; no IPsec peer configured", xb_errmsg());
		xb_err_clear();
		return 0;
	}
	err = xb_ipsec_adopt(d->ipsec, &r);
	if (!err) {
		/* nothing of ours there: what we install is ours to remove if
		 * the start fails (else it may be another running xborderd's) */
		d->ipsec_owned = !r.sa_found && !r.sp_found;
		err = ipsec_apply(d, d->cfg);
	}
	if (err && !ipsec_wanted(d->cfg)) {
		xb_log(XB_LOG_WARN, "%s; no IPsec peer configured, continuing", xb_errmsg());
		xb_err_clear();
		return 0;
	}
	return err;
}

/*
 * Reload: NEW's IPsec state is applied before NEW replaces the running
 * configuration, so a new IPsec peer's SAs are there before SIP is routed
 * to it. If that fails the running configuration is applied again (a
 * failed pass may have changed some of the state already) and the reload
 * is refused.
 */
static int ipsec_reload(struct daemon *d, const struct xbd_config *n)
{
	char msg[XB_ERRMSG_MAX];
	int err;

	if (!d->ipsec) {
		if (!ipsec_wanted(n))
			return 0;
		err = ipsec_open(d);
		if (err)
			return err;
		d->ipsec_owned = true;
	}
	err = ipsec_apply(d, n);
	if (!err)
		return 0;
	snprintf(msg, sizeof(msg), "%s", xb_errmsg());
	if (ipsec_apply(d, d->cfg))
		xb_log(XB_LOG_ERR, "reload: restoring the running IPsec state failed too: %s",
		       xb_errmsg());
	return xb_err(err, "%s", msg);
}

static void ipsec_stop(struct daemon *d)
{
	struct xb_ipsec_result r;

	if (!d->ipsec)
		return;
	if (d->loop)
		xb_timer_cancel(d->loop, &d->ipsec_timer);
	if (!d->ipsec_owned) {
		xb_log(XB_LOG_INFO, "ipsec: SAs and policies found at start left in place");
	} else if (xb_ipsec_remove_all(d->ipsec, &r)) {
		xb_log(XB_LOG_ERR, "%s", xb_errmsg());
	} else if (r.sa_removed || r.sp_removed) {
		xb_log(XB_LOG_INFO, "ipsec: removed %u SAs and %u policies", r.sa_removed,
		       r.sp_removed);
	}
	xb_ipsec_close(d->ipsec);
	d->ipsec = NULL;
}

/*
 * Per IPsec peer: "up" when its SAs and policies are all in the kernel.
 * {"available": false} without the IPsec layer.
 */
static json_t *ipsec_stats(struct daemon *d)
{
	json_t *o = json_object(), *doc = NULL;

	if (!o)
		return NULL;
	xb_json_set(o, "available", json_boolean(d->ipsec != NULL));
	if (!d->ipsec)
		return o;
	xb_json_set(o, "pending", json_boolean(d->ipsec_pending));
	xb_json_set(o, "applies", xb_json_u64(d->ipsec_applies));
	xb_json_set(o, "errors", xb_json_u64(d->ipsec_errors));
	xb_json_set(o, "last_error", d->ipsec_error[0] ? json_string(d->ipsec_error) : json_null());
	if (xb_ipsec_show(d->ipsec, d->cfg, &doc)) {
		xb_json_set(o, "show_error", json_string(xb_errmsg()));
		return o;
	}
	xb_json_set(o, "sas",
		    json_integer((json_int_t)json_array_size(json_object_get(doc, "sas"))));
	xb_json_set(o, "policies",
		    json_integer((json_int_t)json_array_size(json_object_get(doc, "policies"))));
	xb_json_set(o, "peers", json_incref(json_object_get(doc, "peers")));
	json_decref(doc);
	return o;
}

/* -------------------------------------------------------- control socket */

static const char *arg_id(json_t *args, char *buf, size_t size)
{
	json_t *v = json_object_get(args, "id");

	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, size, "%lld", (long long)json_integer_value(v));
		return buf;
	}
	return NULL;
}

static json_t *h_call_list(void *arg, json_t *args, char *err, size_t errlen)
{
	struct daemon *d = arg;
	json_t *r = xbs_proxy_call_list(d->proxy);

	if (!r)
		snprintf(err, errlen, "out of memory");
	return r;
}

static json_t *h_call_show(void *arg, json_t *args, char *err, size_t errlen)
{
	struct daemon *d = arg;
	char buf[32];
	const char *id = arg_id(args, buf, sizeof(buf));
	json_t *r;

	if (!id) {
		snprintf(err, errlen, "call show: missing \"id\"");
		return NULL;
	}
	r = xbs_proxy_call_show(d->proxy, id);
	if (!r)
		snprintf(err, errlen, "no call '%.128s'", id);
	return r;
}

static json_t *h_call_end(void *arg, json_t *args, char *err, size_t errlen)
{
	struct daemon *d = arg;
	char buf[32];
	const char *id = arg_id(args, buf, sizeof(buf));
	json_t *r;

	if (!id) {
		snprintf(err, errlen, "call end: missing \"id\"");
		return NULL;
	}
	r = xbs_proxy_call_end(d->proxy, id);
	if (!r)
		snprintf(err, errlen, "no call '%.128s'", id);
	return r;
}

/* Each IPsec peer's entry gets "ipsec": "up" (its SAs and policies are
 * all in the kernel) or "down". */
static void peer_list_ipsec(struct daemon *d, json_t *list)
{
	json_t *doc = NULL, *e, *p;
	size_t i, k;

	if (!d->ipsec || !ipsec_wanted(d->cfg) || xb_ipsec_show(d->ipsec, d->cfg, &doc))
		return;
	json_array_foreach(list, i, e)
	{
		const char *name = json_string_value(json_object_get(e, "name"));

		json_array_foreach(json_object_get(doc, "peers"), k, p)
		{
			if (!name ||
			    !json_equal(json_object_get(p, "name"), json_object_get(e, "name")))
				continue;
			xb_json_set(e, "ipsec",
				    json_string(json_is_true(json_object_get(p, "ok")) ? "up"
										       : "down"));
		}
	}
	json_decref(doc);
}

static json_t *h_peer_list(void *arg, json_t *args, char *err, size_t errlen)
{
	struct daemon *d = arg;
	json_t *r = xbs_proxy_peer_list(d->proxy);

	if (!r)
		snprintf(err, errlen, "out of memory");
	else
		peer_list_ipsec(d, r);
	return r;
}

static json_t *h_stats(void *arg, json_t *args, char *err, size_t errlen)
{
	struct daemon *d = arg;
	json_t *r = xbs_proxy_stats(d->proxy);

	if (!r) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	xb_json_set(r, "uptime_s",
		    json_integer((json_int_t)((xb_now_ns() - d->started_ns) / 1000000000ull)));
	if (d->tp)
		xb_json_set(r, "transport", xbs_transport_stats(d->tp));
	if (d->media)
		xb_json_set(r, "media", xbm_stats(d->media));
	xb_json_set(r, "ipsec", ipsec_stats(d));
	return r;
}

static bool ep_equal(const struct xb_endpoint *a, const struct xb_endpoint *b)
{
	return a->port == b->port && a->a.family == b->a.family && xb_addr_equal(&a->a, &b->a);
}

/* What a reload cannot change in place (sockets are bound, the fast path
 * is pinned): noted, and the running values kept. */
static void keep_fixed(struct xbd_config *n, const struct xbd_config *old, json_t *restart)
{
	char what[160];
	unsigned int i;
	bool same = n->n_listeners == old->n_listeners;

	for (i = 0; same && i < n->n_listeners; i++) {
		const struct xbd_listener *a = &n->listeners[i], *b = &old->listeners[i];

		if (strcmp(a->name, b->name) || a->transport != b->transport ||
		    !ep_equal(&a->local, &b->local) || strcmp(a->media, b->media) ||
		    a->advertise.family != b->advertise.family ||
		    (a->advertise.family && !xb_addr_equal(&a->advertise, &b->advertise))) {
			snprintf(what, sizeof(what), "listeners.%s", b->name);
			json_array_append_new(restart, json_string(what));
			same = false;
		}
	}
	if (!same) {
		if (n->n_listeners != old->n_listeners)
			json_array_append_new(restart, json_string("listeners"));
		/* the transport's sockets point at these: they stay as they are */
		memcpy(n->listeners, old->listeners, sizeof(n->listeners));
		n->n_listeners = old->n_listeners;
	}
	if (strcmp(n->control_socket, old->control_socket)) {
		json_array_append_new(restart, json_string("xborderd.control_socket"));
		memcpy(n->control_socket, old->control_socket, sizeof(n->control_socket));
	}
	if (strcmp(n->pin_dir, old->pin_dir)) {
		json_array_append_new(restart, json_string("xborderd.pin_dir"));
		memcpy(n->pin_dir, old->pin_dir, sizeof(n->pin_dir));
	}
	if (memcmp(n->dns.servers, old->dns.servers, sizeof(n->dns.servers)) ||
	    n->dns.n_servers != old->dns.n_servers || n->dns.timeout_ms != old->dns.timeout_ms ||
	    n->dns.attempts != old->dns.attempts || n->dns.cache_size != old->dns.cache_size) {
		/* the resolver has lookups in flight: it stays as started */
		json_array_append_new(restart, json_string("dns"));
		memcpy(n->dns.servers, old->dns.servers, sizeof(n->dns.servers));
		n->dns.n_servers = old->dns.n_servers;
		n->dns.timeout_ms = old->dns.timeout_ms;
		n->dns.attempts = old->dns.attempts;
		n->dns.cache_size = old->dns.cache_size;
	}
	if (strcmp(n->state_dir, old->state_dir)) {
		json_array_append_new(restart, json_string("xborderd.state_dir"));
		memcpy(n->state_dir, old->state_dir, sizeof(n->state_dir));
	}
}

static json_t *reload(struct daemon *d, char *err, size_t errlen)
{
	struct xbd_config *n = calloc(1, sizeof(*n)), old;
	json_t *r, *restart = json_array();

	if (!n || !restart) {
		free(n);
		json_decref(restart);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (xbd_config_load(d->cfg->path, n)) {
		snprintf(err, errlen, "%s", xb_errmsg());
		xbd_config_free(n);
		free(n);
		json_decref(restart);
		return NULL;
	}
	keep_fixed(n, d->cfg, restart);
	if (ipsec_reload(d, n)) {
		snprintf(err, errlen, "%s", xb_errmsg());
		xbd_config_free(n);
		free(n);
		json_decref(restart);
		return NULL;
	}
	/* in place: everyone holds d->cfg and pointers to its listeners */
	old = *d->cfg;
	*d->cfg = *n;
	free(n);
	xbd_config_free(&old);
	xbs_proxy_set_config(d->proxy, d->cfg);
	if (d->media && xbm_reconfigure(d->media, d->cfg)) {
		xb_log(XB_LOG_WARN, "reload: %s", xb_errmsg());
		json_array_append_new(restart, json_string("media"));
	}
	if (!d->debug)
		xb_log_init("xborderd", (enum xb_log_level)d->cfg->log_level);
	r = json_object();
	xb_json_set(r, "reloaded", json_true());
	xb_json_set(r, "path", json_string(d->cfg->path));
	xb_json_set(r, "peers", json_integer(d->cfg->n_peers));
	xb_json_set(r, "listeners", json_integer(d->cfg->n_listeners));
	xb_json_set(r, "media", json_integer(d->cfg->n_media));
	xb_json_set(r, "restart_needed", restart);
	xb_log(XB_LOG_INFO, "configuration reloaded from %s (%u peers)", d->cfg->path,
	       d->cfg->n_peers);
	return r;
}

static json_t *h_reload(void *arg, json_t *args, char *err, size_t errlen)
{
	return reload(arg, err, errlen);
}

/* ---------------------------------------------------------------- signals */

static void on_stop(struct xb_loop *loop, int fd, uint32_t events, void *arg)
{
	xb_log(XB_LOG_INFO, "stopping; calls and media are kept for the next start, "
			    "IPsec SAs and policies are removed");
	xb_loop_stop(loop);
}

static void on_hup(struct xb_loop *loop, int fd, uint32_t events, void *arg)
{
	char err[XB_ERRMSG_MAX];
	json_t *r = reload(arg, err, sizeof(err));

	if (!r)
		xb_log(XB_LOG_ERR, "reload refused, old configuration kept: %s", err);
	json_decref(r);
}

/* ---------------------------------------------------------------- syslog */

/* log.h writes "xborderd: [warning: ]message" lines to stderr; with
 * syslog, stderr is a pipe whose lines we pass on. Non-blocking, so a
 * burst larger than the pipe loses lines rather than stalling the loop. */
static void on_log(struct xb_loop *loop, int fd, uint32_t events, void *arg)
{
	struct daemon *d = arg;
	ssize_t n;
	char *nl;

	for (;;) {
		n = read(fd, d->log_buf + d->log_len, sizeof(d->log_buf) - 1 - d->log_len);
		if (n <= 0)
			break;
		d->log_len += (size_t)n;
		d->log_buf[d->log_len] = '\0';
		while ((nl = strchr(d->log_buf, '\n')) || d->log_len == sizeof(d->log_buf) - 1) {
			const char *line = d->log_buf, *w;
			size_t used;

			if (nl)
				*nl = '\0';
			used = nl ? (size_t)(nl - d->log_buf) + 1 : d->log_len;
			if (!strncmp(line, "xborderd: ", 10))
				line += 10;
			w = !strncmp(line, "warning: ", 9) ? line + 9 : NULL;
			syslog(w ? LOG_WARNING : LOG_INFO, "%s", w ? w : line);
			memmove(d->log_buf, d->log_buf + used, d->log_len - used + 1);
			d->log_len -= used;
		}
	}
}

static int log_to_syslog(struct daemon *d)
{
	int p[2];

	openlog("xborderd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK))
		return -errno;
	if (dup2(p[1], STDERR_FILENO) < 0) {
		close(p[0]);
		close(p[1]);
		return -errno;
	}
	close(p[1]);
	fcntl(STDERR_FILENO, F_SETFL, fcntl(STDERR_FILENO, F_GETFL) | O_NONBLOCK);
	d->log_fd = p[0];
	return xb_loop_add_fd(d->loop, p[0], EPOLLIN, on_log, d);
}

/* ------------------------------------------------------------------ main */

/* Does any peer find its next hop by DNS (dns, enum, a TLS federation)? */
static bool needs_dns(const struct xbd_config *cfg)
{
	unsigned int i;

	for (i = 0; i < cfg->n_peers; i++)
		if (cfg->peers[i].discovery == XBD_DISCOVERY_DNS ||
		    cfg->peers[i].discovery == XBD_DISCOVERY_ENUM ||
		    (cfg->peers[i].discovery == XBD_DISCOVERY_FEDERATION &&
		     !cfg->peers[i].next_hop.a.family))
			return true;
	return false;
}

/* The resolver of the dns section (or /etc/resolv.conf). Without any
 * server, only a configuration that needs no DNS can run. */
static int start_resolver(struct daemon *d)
{
	const struct xbd_dns *c = &d->cfg->dns;
	struct xb_dns_config dc;

	xb_dns_config_default(&dc);
	memcpy(dc.servers, c->servers, sizeof(c->servers[0]) * c->n_servers);
	dc.n_servers = c->n_servers;
	dc.timeout_ms = c->timeout_ms;
	dc.attempts = c->attempts;
	dc.cache_size = c->cache_size;
	d->resolver = xb_resolver_new(d->loop, &dc);
	if (d->resolver)
		return 0;
	if (needs_dns(d->cfg))
		return xb_err_prefix(-EINVAL, "dns");
	xb_log(XB_LOG_WARN, "no DNS resolver (%s): static routing only", xb_errmsg());
	return 0;
}

static int start(struct daemon *d)
{
	struct xbm_opts mo = {
		.loop = d->loop,
		.cfg = d->cfg,
		.on_dead = media_dead,
		.arg = d,
	};
	struct xbs_proxy_opts po = {
		.loop = d->loop,
		.cfg = d->cfg,
		.send = send_cb,
		.send_arg = d,
		.media = &xbs_media_xbm,
		.persist = true,
	};
	int err;

	/* SAs and policies first: nothing may reach an IPsec peer in clear */
	err = ipsec_start(d);
	if (err)
		return err;
	d->media = xbm_new(&mo);
	if (!d->media)
		return -ENOMEM;
	err = xbm_start(d->media);
	if (err)
		return err;
	po.media_arg = d->media;
	err = start_resolver(d);
	if (err)
		return err;
	po.resolver = d->resolver;
	d->proxy = xbs_proxy_new(&po);
	if (!d->proxy)
		return -ENOMEM;
	d->tp = xbs_transport_new(d->loop, d->cfg, recv_cb, error_cb, d);
	if (!d->tp)
		return xb_err(-ENOMEM, "transport: out of memory");
	err = xbs_transport_start(d->tp);
	if (err)
		return err;
	d->ctl = xbc_server_new(d->loop, d->cfg->control_socket);
	if (!d->ctl)
		return xb_err_prefix(-EIO, "control socket %s", d->cfg->control_socket);
	if (xbc_register(d->ctl, "call list", h_call_list, d) ||
	    xbc_register(d->ctl, "call show", h_call_show, d) ||
	    xbc_register(d->ctl, "call end", h_call_end, d) ||
	    xbc_register(d->ctl, "peer list", h_peer_list, d) ||
	    xbc_register(d->ctl, "stats", h_stats, d) ||
	    xbc_register(d->ctl, "config reload", h_reload, d))
		return xb_err(-ENOMEM, "control socket: cannot register commands");
	if (xb_loop_add_signal(d->loop, SIGTERM, on_stop, d) ||
	    xb_loop_add_signal(d->loop, SIGINT, on_stop, d) ||
	    xb_loop_add_signal(d->loop, SIGHUP, on_hup, d))
		return xb_err(-EIO, "cannot set up signals");
	return 0;
}

static void stop(struct daemon *d)
{
	xbc_server_free(d->ctl);
	xbs_transport_free(d->tp);
	d->tp = NULL;
	xbs_proxy_free(d->proxy); /* saves the call table */
	d->proxy = NULL;
	xb_resolver_free(d->resolver);
	d->resolver = NULL;
	xbm_free(d->media, true); /* streams stay pinned for the next start */
	d->media = NULL;
	/* last: the relay, which sends tunnel-mode media, is closed now */
	ipsec_stop(d);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "check-config", no_argument, NULL, 'c' },
		{ "debug", no_argument, NULL, 'd' },
		{ "log-syslog", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct daemon d = { .log_fd = -1 };
	const char *file = NULL;
	bool check = false, use_syslog = false;
	int c, err;

	xb_log_init("xborderd", XB_LOG_INFO);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "f:dh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			file = optarg;
			break;
		case 'c':
			check = true;
			break;
		case 'd':
			d.debug = true;
			break;
		case 's':
			use_syslog = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "xborderd: unknown option '%s'\n", argv[optind - 1]);
			usage(stderr);
			return 1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "xborderd: unexpected argument '%s'\n", argv[optind]);
		return 1;
	}
	if (!file) {
		fprintf(stderr, "xborderd: no configuration file (-f FILE)\n");
		return 1;
	}
	d.cfg = calloc(1, sizeof(*d.cfg));
	if (!d.cfg) {
		fprintf(stderr, "xborderd: out of memory\n");
		return 1;
	}
	if (xbd_config_load(file, d.cfg)) {
		fprintf(stderr, "xborderd: %s\n", xb_errmsg());
		free(d.cfg);
		return 1;
	}
	if (check) {
		printf("%s: ok\n", file);
		xbd_config_free(d.cfg);
		free(d.cfg);
		return 0;
	}
	xb_log_init("xborderd", d.debug ? XB_LOG_DEBUG : (enum xb_log_level)d.cfg->log_level);
	signal(SIGPIPE, SIG_IGN);
	d.started_ns = xb_now_ns();
	d.loop = xb_loop_new();
	if (!d.loop) {
		fprintf(stderr, "xborderd: cannot create the event loop\n");
		return 1;
	}
	if ((use_syslog || d.cfg->log_syslog) && (err = log_to_syslog(&d))) {
		fprintf(stderr, "xborderd: syslog: %s\n", strerror(-err));
		return 1;
	}
	err = start(&d);
	if (err) {
		xb_log(XB_LOG_ERR, "%s", xb_errmsg()[0] ? xb_errmsg() : strerror(-err));
		stop(&d);
		return 1;
	}
	d.ipsec_owned = d.ipsec != NULL; /* started: a clean stop removes them */
	xb_log(XB_LOG_INFO, "started: %u listeners, %u peers, %u calls adopted", d.cfg->n_listeners,
	       d.cfg->n_peers, xbs_proxy_call_count(d.proxy));
	err = xb_loop_run(d.loop);
	stop(&d);
	if (d.log_fd >= 0) {
		on_log(d.loop, d.log_fd, EPOLLIN, &d);
		close(d.log_fd);
	}
	xb_loop_free(d.loop);
	xbd_config_free(d.cfg);
	free(d.cfg);
	return err ? 1 : 0;
}
