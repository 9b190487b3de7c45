// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SIP transport: the listeners, the choice of socket for a send, counters.
 * UDP lives in transport_udp.c, TCP listening in transport_tcp.c, one TCP
 * connection in transport_conn.c, framing in transport_frame.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/random.h>

#include <xborder/fastpath.h>

#include "common/err.h"
#include "common/json.h"
#include "sip/transport_internal.h"

/* Not xbd_transport_name: the transport uses nothing of the config library
 * but its structs. */
const char *xbs_transport_name(enum xbd_transport tr)
{
	switch (tr) {
	case XBD_TRANSPORT_UDP:
		return "udp";
	case XBD_TRANSPORT_TCP:
		return "tcp";
	case XBD_TRANSPORT_TLS:
		return "tls";
	}
	return "?";
}

struct xbs_transport *xbs_transport_new(struct xb_loop *loop, const struct xbd_config *cfg,
					xbs_recv_cb recv_cb, xbs_error_cb error_cb, void *arg)
{
	struct xbs_transport *t;
	uint32_t idle_s;
	unsigned int i;

	if (!loop || !cfg || !recv_cb)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->loop = loop;
	t->cfg = cfg;
	t->recv_cb = recv_cb;
	t->error_cb = error_cb;
	t->arg = arg;
	t->max_msg = cfg->max_message ? cfg->max_message : XBS_DEFAULT_MAX_MESSAGE;
	if (t->max_msg > XBS_MAX_MESSAGE_LIMIT)
		t->max_msg = XBS_MAX_MESSAGE_LIMIT;
	idle_s = cfg->timers.tcp_idle_s ? cfg->timers.tcp_idle_s : XBS_DEFAULT_TCP_IDLE_S;
	t->idle_ns = (uint64_t)idle_s * 1000000000ULL;
	t->lim = (struct xbs_limits){
		.max_conns = XBS_DEFAULT_MAX_CONNS,
		.max_conns_per_source = XBS_DEFAULT_MAX_CONNS_PER_SOURCE,
		.connect_timeout_ms = XBS_DEFAULT_CONNECT_TIMEOUT_MS,
		.slow_message_ms = XBS_DEFAULT_SLOW_MESSAGE_MS,
		.write_queue_max = XBS_DEFAULT_WRITE_QUEUE_MAX,
		.write_queue_total_max = XBS_DEFAULT_WRITE_QUEUE_TOTAL_MAX,
	};
	if (getrandom(&t->seed, sizeof(t->seed), GRND_NONBLOCK) != sizeof(t->seed))
		t->seed = (unsigned int)xb_now_ns();
	for (i = 0; i < XBD_MAX_LISTENERS; i++)
		t->ls[i].fd = -1;
	t->udp_buf = malloc(t->max_msg + 1);
	if (!t->udp_buf) {
		free(t);
		return NULL;
	}
	return t;
}

static void close_listeners(struct xbs_transport *t)
{
	unsigned int i;

	for (i = 0; i < XBD_MAX_LISTENERS; i++) {
		struct xbs_lsock *ls = &t->ls[i];

		if (ls->fd < 0)
			continue;
		xb_timer_cancel(t->loop, &ls->retry);
		xb_loop_del_fd(t->loop, ls->fd);
		close(ls->fd);
		ls->fd = -1;
	}
	t->n_ls = 0;
}

int xbs_transport_start(struct xbs_transport *t)
{
	unsigned int i, n = t->cfg->n_listeners;
	int err = 0;

	if (t->started)
		return xb_err(-EALREADY, "SIP transport already started");
	if (n > XBD_MAX_LISTENERS)
		return xb_err(-EINVAL, "too many listeners (%u, at most %u)", n, XBD_MAX_LISTENERS);
	for (i = 0; i < n && !err; i++) {
		struct xbs_lsock *ls = &t->ls[i];

		ls->t = t;
		ls->cfg = &t->cfg->listeners[i];
		t->n_ls = i + 1;
		switch (ls->cfg->transport) {
		case XBD_TRANSPORT_UDP:
			err = xbs_udp_open(ls);
			break;
		case XBD_TRANSPORT_TCP:
			err = xbs_tcp_open(ls);
			break;
		default:
			err = xb_err(-EPROTONOSUPPORT,
				     "listener '%s': transport %s is not supported yet",
				     ls->cfg->name, xbs_transport_name(ls->cfg->transport));
		}
	}
	if (err) {
		close_listeners(t);
		return err;
	}
	t->started = true;
	return 0;
}

void xbs_transport_free(struct xbs_transport *t)
{
	if (!t)
		return;
	/* No error callbacks while tearing down: the owner is going away. */
	while (t->conns)
		xbs_conn_close(t->conns, 0);
	close_listeners(t);
	free(t->udp_buf);
	free(t);
}

int xbs_listener_port(const struct xbs_transport *t, const char *listener_name)
{
	unsigned int i;

	for (i = 0; i < t->n_ls; i++)
		if (t->ls[i].fd >= 0 && !strcmp(t->ls[i].cfg->name, listener_name))
			return t->ls[i].bound.port;
	return -ENOENT;
}

void xbs_transport_get_limits(const struct xbs_transport *t, struct xbs_limits *lim)
{
	*lim = t->lim;
}

void xbs_transport_set_limits(struct xbs_transport *t, const struct xbs_limits *lim)
{
	t->lim = *lim;
}

int xbs_bound_socket(struct xbs_lsock *ls, int type)
{
	const struct xbd_listener *l = ls->cfg;
	int family = l->local.a.family == XB_AF_INET6 ? AF_INET6 : AF_INET, one = 1, fd, err;
	struct sockaddr_storage ss;
	char ep[XB_ADDRSTRLEN];
	socklen_t len;

	if (xbs_sockaddr(&l->local, &ss, &len))
		return xb_err(-EAFNOSUPPORT, "listener '%s': no address", l->name);
	fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return xb_err(-errno, "listener '%s': socket: %s", l->name, strerror(errno));
	/* Best effort: FREEBIND lets us start before the address is up. */
	setsockopt(fd, SOL_IP, IP_FREEBIND, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    (family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)) {
		err = xb_err(-errno, "listener '%s': setsockopt: %s", l->name, strerror(errno));
		close(fd);
		return err;
	}
	if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
		err = xb_err(-errno, "listener '%s': bind %s/%s: %s", l->name,
			     xb_fmt_endpoint(&l->local, ep, sizeof(ep)),
			     xbs_transport_name(l->transport), strerror(errno));
		close(fd);
		return err;
	}
	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0 ||
	    xbs_endpoint((struct sockaddr *)&ss, &ls->bound)) {
		err = xb_err(-errno, "listener '%s': getsockname: %s", l->name, strerror(errno));
		close(fd);
		return err;
	}
	return fd;
}

static struct xbs_lsock *find_lsock(struct xbs_transport *t, const struct xbd_listener *from)
{
	unsigned int i;

	for (i = 0; i < t->n_ls; i++)
		if (t->ls[i].cfg == from)
			return &t->ls[i];
	/* A listener of a reloaded configuration: the same name. */
	for (i = 0; i < t->n_ls; i++)
		if (!strcmp(t->ls[i].cfg->name, from->name))
			return &t->ls[i];
	return NULL;
}

static int tcp_send(struct xbs_transport *t, struct xbs_lsock *ls, const struct xb_endpoint *dest,
		    uint64_t conn_id, uint64_t tag, const char *msg, size_t len)
{
	struct xbs_conn *c = conn_id ? xbs_conn_by_id(t, conn_id) : NULL;
	int err, tries;

	if (c) {
		err = xbs_conn_send(c, tag, msg, len);
		/* -EPIPE: the connection just failed; try DEST like a gone one. */
		if (err != -EPIPE || !dest)
			return err;
	}
	if (!dest)
		return xb_err(-ENOTCONN, "connection %llu is closed and no destination given",
			      (unsigned long long)conn_id);
	/* Twice at most: an open connection may turn out dead on writing. */
	for (tries = 0; tries < 2; tries++) {
		c = xbs_conn_to(t, ls, dest);
		if (!c) {
			err = xbs_conn_connect(ls, dest, &c);
			if (err)
				return err;
		}
		err = xbs_conn_send(c, tag, msg, len);
		if (err != -EPIPE)
			return err;
	}
	return xb_err(-ECONNRESET, "connection to destination reset on write");
}

int xbs_send(struct xbs_transport *t, const struct xbd_listener *from,
	     const struct xb_endpoint *dest, uint64_t conn_id, uint64_t tag, const char *msg,
	     size_t len)
{
	struct xbs_lsock *ls;

	if (!from || !msg || !len)
		return xb_err(-EINVAL, "xbs_send: nothing to send");
	ls = find_lsock(t, from);
	if (!ls || ls->fd < 0)
		return xb_err(-ENOENT, "no open listener '%s'", from->name);
	switch (ls->cfg->transport) {
	case XBD_TRANSPORT_UDP:
		if (!dest)
			return xb_err(-EINVAL, "xbs_send: UDP needs a destination");
		return xbs_udp_send(ls, dest, tag, msg, len);
	case XBD_TRANSPORT_TCP:
		return tcp_send(t, ls, dest, conn_id, tag, msg, len);
	default:
		return xb_err(-EPROTONOSUPPORT, "listener '%s': transport %s is not supported yet",
			      ls->cfg->name, xbs_transport_name(ls->cfg->transport));
	}
}

#define COUNT(obj, name, val) xb_json_set(obj, name, xb_json_u64(val))

json_t *xbs_transport_stats(const struct xbs_transport *t)
{
	json_t *j = json_object(), *udp = json_object(), *tcp = json_object(),
	       *conns = json_array();
	const struct xbs_counters *c = &t->c;
	const struct xbs_conn *conn;
	uint64_t now = xb_now_ns();

	if (!j || !udp || !tcp || !conns) {
		json_decref(j);
		json_decref(udp);
		json_decref(tcp);
		json_decref(conns);
		return NULL;
	}
	COUNT(udp, "rx", c->udp_rx);
	COUNT(udp, "tx", c->udp_tx);
	COUNT(udp, "oversize", c->udp_oversize);
	COUNT(udp, "keepalives", c->udp_keepalives);
	COUNT(udp, "icmp_errors", c->udp_icmp_errors);
	COUNT(udp, "send_errors", c->udp_send_errors);
	COUNT(tcp, "rx", c->tcp_rx);
	COUNT(tcp, "tx", c->tcp_tx);
	COUNT(tcp, "framing_errors", c->tcp_framing_errors);
	COUNT(tcp, "oversize", c->tcp_oversize);
	COUNT(tcp, "keepalives", c->tcp_keepalives);
	COUNT(tcp, "pongs", c->tcp_pongs);
	COUNT(tcp, "open", t->n_conns);
	COUNT(tcp, "queued_bytes", t->wq_total);
	COUNT(tcp, "accepted", c->tcp_accepted);
	COUNT(tcp, "refused", c->tcp_refused);
	COUNT(tcp, "connected", c->tcp_connected);
	COUNT(tcp, "connect_failed", c->tcp_connect_failed);
	COUNT(tcp, "closed_idle", c->tcp_closed_idle);
	COUNT(tcp, "closed_slow", c->tcp_closed_slow);
	COUNT(tcp, "closed_remote", c->tcp_closed_remote);
	COUNT(tcp, "closed_error", c->tcp_closed_error);
	COUNT(tcp, "queue_full", c->tcp_queue_full);
	for (conn = t->conns; conn; conn = conn->next)
		json_array_append_new(conns, xbs_conn_json(conn, now));
	json_object_set_new(j, "udp", udp);
	json_object_set_new(j, "tcp", tcp);
	json_object_set_new(j, "connections", conns);
	return j;
}
