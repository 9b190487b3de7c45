// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One TCP connection, accepted or opened by us: reading and framing,
 * the bounded write queue, the deadlines (connect, slow message, idle).
 *
 * Lifetime: xbs_conn_close unlinks the connection at once (no send finds
 * it any more) and frees it, unless a callback it is running is still on
 * the stack (busy): then the frame that set busy frees it on the way out.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <xborder/fastpath.h>

#include "common/err.h"
#include "common/json.h"
#include "common/log.h"
#include "sip/transport_internal.h"

#define XBS_RBUF_MIN 4096

/* Process-wide, so an id is never reused, not even by a later transport. */
static uint64_t last_conn_id;

static void conn_io(struct xb_loop *loop, int fd, uint32_t events, void *arg);
static void conn_timer(struct xb_loop *loop, struct xb_timer *timer, void *arg);

static unsigned int id_bucket(uint64_t id)
{
	return (unsigned int)(id % XBS_CONN_BUCKETS);
}

static unsigned int addr_bucket(const struct xbs_transport *t, const struct xb_addr *a)
{
	return xbs_addr_hash(a, t->seed) % XBS_CONN_BUCKETS;
}

static void conn_link(struct xbs_conn *c)
{
	struct xbs_transport *t = c->t;
	unsigned int ib = id_bucket(c->id), ab = addr_bucket(t, &c->remote.a);

	c->next = t->conns;
	if (t->conns)
		t->conns->prev = c;
	t->conns = c;
	c->id_next = t->by_id[ib];
	t->by_id[ib] = c;
	c->addr_next = t->by_addr[ab];
	t->by_addr[ab] = c;
	t->n_conns++;
}

static void conn_unlink(struct xbs_conn *c)
{
	struct xbs_transport *t = c->t;
	struct xbs_conn **pp;

	if (c->prev)
		c->prev->next = c->next;
	else
		t->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	for (pp = &t->by_id[id_bucket(c->id)]; *pp; pp = &(*pp)->id_next)
		if (*pp == c) {
			*pp = c->id_next;
			break;
		}
	for (pp = &t->by_addr[addr_bucket(t, &c->remote.a)]; *pp; pp = &(*pp)->addr_next)
		if (*pp == c) {
			*pp = c->addr_next;
			break;
		}
	t->n_conns--;
}

struct xbs_conn *xbs_conn_by_id(struct xbs_transport *t, uint64_t id)
{
	struct xbs_conn *c;

	for (c = t->by_id[id_bucket(id)]; c; c = c->id_next)
		if (c->id == id)
			return c;
	return NULL;
}

struct xbs_conn *xbs_conn_to(struct xbs_transport *t, const struct xbs_lsock *ls,
			     const struct xb_endpoint *remote)
{
	struct xbs_conn *c;

	for (c = t->by_addr[addr_bucket(t, &remote->a)]; c; c = c->addr_next)
		if (c->ls == ls && xbs_endpoint_equal(&c->remote, remote))
			return c;
	return NULL;
}

unsigned int xbs_conn_count_from(struct xbs_transport *t, const struct xb_addr *a)
{
	struct xbs_conn *c;
	unsigned int n = 0;

	for (c = t->by_addr[addr_bucket(t, a)]; c; c = c->addr_next)
		if (!c->outgoing && xb_addr_equal(&c->remote.a, a))
			n++;
	return n;
}

static void set_events(struct xbs_conn *c)
{
	uint32_t want = c->connecting ? EPOLLOUT : EPOLLIN | (c->wq_head ? EPOLLOUT : 0);

	if (want != c->events && !xb_loop_mod_fd(c->t->loop, c->fd, want))
		c->events = want;
}

/* Arms the timer for the earliest deadline, unless it already fires earlier. */
static void conn_schedule(struct xbs_conn *c)
{
	struct xbs_transport *t = c->t;
	uint64_t when = c->last_ns + t->idle_ns, now = xb_now_ns();

	if (c->connecting)
		when = c->created_ns + t->lim.connect_timeout_ms * 1000000ULL;
	if (c->partial_ns && c->partial_ns + t->lim.slow_message_ms * 1000000ULL < when)
		when = c->partial_ns + t->lim.slow_message_ms * 1000000ULL;
	if (xb_timer_armed(&c->timer) && c->timer.when_ns <= when)
		return;
	xb_timer_arm_ns(t->loop, &c->timer, when > now ? when - now : 0);
}

static void local_of(struct xbs_conn *c)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (getsockname(c->fd, (struct sockaddr *)&ss, &sl) == 0)
		xbs_endpoint((struct sockaddr *)&ss, &c->local);
}

struct xbs_conn *xbs_conn_new(struct xbs_lsock *ls, int fd, bool outgoing,
			      const struct xb_endpoint *remote)
{
	struct xbs_conn *c = calloc(1, sizeof(*c));
	int one = 1;

	if (!c)
		return NULL;
	c->t = ls->t;
	c->ls = ls;
	c->fd = fd;
	c->outgoing = outgoing;
	c->connecting = outgoing;
	c->remote = *remote;
	c->created_ns = c->last_ns = xb_now_ns();
	c->events = c->connecting ? EPOLLOUT : EPOLLIN;
	/* Messages are written whole: no point in waiting to coalesce. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	local_of(c);
	if (xb_loop_add_fd(c->t->loop, fd, c->events, conn_io, c)) {
		free(c);
		return NULL;
	}
	c->id = ++last_conn_id;
	xb_timer_init(&c->timer, conn_timer, c);
	conn_link(c);
	conn_schedule(c);
	return c;
}

int xbs_conn_connect(struct xbs_lsock *ls, const struct xb_endpoint *dest, struct xbs_conn **out)
{
	struct xbs_transport *t = ls->t;
	const struct xbd_listener *l = ls->cfg;
	int family = dest->a.family == XB_AF_INET6 ? AF_INET6 : AF_INET, one = 1, fd, err;
	struct sockaddr_storage ss;
	char ep[XB_ADDRSTRLEN];
	struct xbs_conn *c;
	socklen_t sl;

	xb_fmt_endpoint(dest, ep, sizeof(ep));
	if (dest->a.family != l->local.a.family || !dest->port)
		return xb_err(-EAFNOSUPPORT, "listener '%s' cannot reach %s", l->name, ep);
	if (t->n_conns >= t->lim.max_conns)
		return xb_err(-EMFILE, "connect to %s: %u TCP connections open already", ep,
			      t->n_conns);
	fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return xb_err(-errno, "connect to %s: socket: %s", ep, strerror(errno));
	/*
	 * From the listener's address, so the peer sees the address it
	 * routes to, but from an ephemeral port (RFC 3261 18.1.1 allows any):
	 * binding the listener's port too would need SO_REUSEPORT games and
	 * collide with the listening socket's 4-tuples. The port is picked at
	 * connect time (IP_BIND_ADDRESS_NO_PORT), so many connections to
	 * different peers do not exhaust the ephemeral range.
	 */
	if (!xbs_addr_any(&l->local.a)) {
		struct xb_endpoint from = { .a = l->local.a, .port = 0 };

		setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
		setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
		xbs_sockaddr(&from, &ss, &sl);
		if (bind(fd, (struct sockaddr *)&ss, sl) < 0) {
			err = xb_err(-errno, "connect to %s: bind: %s", ep, strerror(errno));
			close(fd);
			return err;
		}
	}
	xbs_sockaddr(dest, &ss, &sl);
	if (connect(fd, (struct sockaddr *)&ss, sl) < 0 && errno != EINPROGRESS) {
		err = xb_err(-errno, "connect to %s: %s", ep, strerror(errno));
		t->c.tcp_connect_failed++;
		close(fd);
		return err;
	}
	c = xbs_conn_new(ls, fd, true, dest);
	if (!c) {
		close(fd);
		return xb_err(-ENOMEM, "connect to %s: out of memory", ep);
	}
	*out = c;
	return 0;
}

static void conn_free(struct xbs_conn *c)
{
	free(c->rbuf);
	free(c);
}

void xbs_conn_close(struct xbs_conn *c, int err)
{
	struct xbs_transport *t = c->t;
	struct xbs_wq_item *it, *next;

	if (c->closed)
		return;
	c->closed = true;
	conn_unlink(c);
	xb_timer_cancel(t->loop, &c->timer);
	xb_loop_del_fd(t->loop, c->fd);
	close(c->fd);
	c->fd = -1;
	it = c->wq_head;
	c->wq_head = c->wq_tail = NULL;
	t->wq_total -= c->wq_bytes;
	c->wq_bytes = 0;
	for (; it; it = next) {
		next = it->next;
		/* The callback may send again: a new connection, this one is gone. */
		if (it->report && err && t->error_cb)
			t->error_cb(t->arg, &c->remote, XBD_TRANSPORT_TCP, it->tag, err);
		free(it);
	}
	if (!c->busy)
		conn_free(c);
}

/* Writes what the socket takes. 0, or -errno after closing the connection. */
static int conn_flush(struct xbs_conn *c)
{
	struct xbs_transport *t = c->t;

	while (c->wq_head) {
		struct xbs_wq_item *it = c->wq_head;
		ssize_t n = send(c->fd, it->data + it->off, it->len - it->off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			int err = -errno;

			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EINTR)
				continue;
			t->c.tcp_closed_error++;
			xbs_conn_close(c, err);
			return err;
		}
		c->last_ns = xb_now_ns();
		it->off += n;
		c->wq_bytes -= n;
		t->wq_total -= n;
		if (it->off < it->len)
			continue;
		c->wq_head = it->next;
		if (!c->wq_head)
			c->wq_tail = NULL;
		if (it->report)
			t->c.tcp_tx++;
		free(it);
	}
	set_events(c);
	return 0;
}

static int conn_queue(struct xbs_conn *c, uint64_t tag, bool report, const char *msg, size_t len)
{
	struct xbs_wq_item *it = malloc(sizeof(*it) + len);

	if (!it)
		return -ENOMEM;
	it->next = NULL;
	it->tag = tag;
	it->report = report;
	it->len = len;
	it->off = 0;
	memcpy(it->data, msg, len);
	if (c->wq_tail)
		c->wq_tail->next = it;
	else
		c->wq_head = it;
	c->wq_tail = it;
	c->wq_bytes += len;
	c->t->wq_total += len;
	set_events(c);
	return 0;
}

/*
 * Straight to the socket when nothing waits before it, else queued.
 * -ENOBUFS when the queue is full (the connection stays), -EPIPE when the
 * connection failed and was closed.
 */
static int conn_send(struct xbs_conn *c, uint64_t tag, bool report, const char *msg, size_t len)
{
	struct xbs_transport *t = c->t;
	size_t off = 0;
	int err;

	if (c->closed)
		return -EPIPE;
	/* Checked before writing anything: a remainder must always fit. */
	if (c->wq_bytes + len > t->lim.write_queue_max ||
	    t->wq_total + len > t->lim.write_queue_total_max) {
		t->c.tcp_queue_full++;
		return xb_err(-ENOBUFS, "connection %llu: %zu bytes queued already (%zu in all)",
			      (unsigned long long)c->id, c->wq_bytes, t->wq_total);
	}
	if (!c->connecting && !c->wq_head) {
		ssize_t n = send(c->fd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			err = xb_err(-errno, "connection %llu: send: %s", (unsigned long long)c->id,
				     strerror(errno));
			t->c.tcp_closed_error++;
			xbs_conn_close(c, err);
			return -EPIPE;
		}
		if (n > 0) {
			off = n;
			c->last_ns = xb_now_ns();
		}
		if (off == len) {
			if (report)
				t->c.tcp_tx++;
			return 0;
		}
	}
	err = conn_queue(c, tag, report, msg + off, len - off);
	if (err && off) {
		/* Half a message is on the wire: the stream is unusable. */
		t->c.tcp_closed_error++;
		xbs_conn_close(c, -ENOMEM);
		return -EPIPE;
	}
	return err ? xb_err(err, "out of memory") : 0;
}

int xbs_conn_send(struct xbs_conn *c, uint64_t tag, const char *msg, size_t len)
{
	return conn_send(c, tag, true, msg, len);
}

static void deliver(struct xbs_conn *c, const char *msg, size_t len)
{
	struct xbs_transport *t = c->t;
	struct xbs_source src = {
		.listener = c->ls->cfg,
		.transport = XBD_TRANSPORT_TCP,
		.remote = c->remote,
		.local = c->local,
		.conn_id = c->id,
	};

	t->c.tcp_rx++;
	t->recv_cb(t->arg, msg, len, &src);
}

/*
 * Keep-alives: a double CRLF is a ping (RFC 5626 3.5.1), answered with one
 * CRLF. Pings that arrive together get one pong, so a flood of CRLFs does
 * not turn into a flood of writes.
 */
static void keepalive(struct xbs_conn *c, size_t skipped)
{
	c->t->c.tcp_keepalives += skipped / 2;
	c->crlf_pairs += skipped / 2;
	if (c->crlf_pairs >= 2) {
		c->crlf_pairs %= 2;
		if (conn_send(c, 0, false, "\r\n", 2) == 0)
			c->t->c.tcp_pongs++;
	}
}

/* Frames and delivers every complete message in the read buffer. */
static void conn_process(struct xbs_conn *c)
{
	struct xbs_transport *t = c->t;
	char ep[XB_ADDRSTRLEN];
	size_t off = 0;

	while (!c->closed) {
		size_t skip = 0;
		ssize_t m = xbs_frame_step(&c->fr, c->rbuf + off, c->rlen - off, t->max_msg, &skip);

		if (skip) {
			off += skip;
			keepalive(c, skip);
			if (c->closed)
				return;
		}
		if (m == 0)
			break;
		if (m < 0) {
			/* No 400: where the bad message ends is unknown, so the
			 * stream cannot be resynchronised. */
			if (m == -EMSGSIZE)
				t->c.tcp_oversize++;
			else
				t->c.tcp_framing_errors++;
			xb_log(XB_LOG_DEBUG, "connection %llu from %s: %s; closing",
			       (unsigned long long)c->id,
			       xb_fmt_endpoint(&c->remote, ep, sizeof(ep)),
			       m == -EMSGSIZE ? "message too large" : "no valid Content-Length");
			xbs_conn_close(c, -ECONNABORTED);
			return;
		}
		memset(&c->fr, 0, sizeof(c->fr));
		c->crlf_pairs = 0;
		c->partial_ns = 0;
		deliver(c, c->rbuf + off, m);
		off += m;
	}
	if (c->closed)
		return;
	c->rlen -= off;
	if (off && c->rlen)
		memmove(c->rbuf, c->rbuf + off, c->rlen);
	if (!c->rlen) {
		c->partial_ns = 0;
	} else if (!c->partial_ns) {
		if (c->rbuf[0] != '\r')
			c->crlf_pairs = 0; /* a message started: the next CRLFs are new */
		c->partial_ns = xb_now_ns();
		conn_schedule(c);
	}
}

/* Room to read into: grows up to one maximal message and a bit. */
static int conn_room(struct xbs_conn *c)
{
	size_t cap = c->t->max_msg + XBS_RBUF_MIN, n;
	char *p;

	if (c->rlen < c->rcap)
		return 0;
	if (c->rcap >= cap)
		return -EMSGSIZE; /* the framer never lets this happen */
	n = c->rcap ? c->rcap * 2 : XBS_RBUF_MIN;
	if (n > cap)
		n = cap;
	p = realloc(c->rbuf, n);
	if (!p)
		return -ENOMEM;
	c->rbuf = p;
	c->rcap = n;
	return 0;
}

static void conn_read(struct xbs_conn *c)
{
	struct xbs_transport *t = c->t;
	int i;

	for (i = 0; i < XBS_READ_BATCH && !c->closed; i++) {
		size_t room;
		ssize_t n;
		int err = conn_room(c);

		if (err) {
			t->c.tcp_closed_error++;
			xbs_conn_close(c, err);
			return;
		}
		room = c->rcap - c->rlen;
		n = recv(c->fd, c->rbuf + c->rlen, room, MSG_DONTWAIT);
		if (n == 0) {
			t->c.tcp_closed_remote++;
			xbs_conn_close(c, -ECONNRESET);
			return;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			t->c.tcp_closed_error++;
			xbs_conn_close(c, -errno);
			return;
		}
		c->rlen += n;
		c->last_ns = xb_now_ns();
		conn_process(c);
		if ((size_t)n < room)
			break; /* drained */
	}
	/* An idle connection does not keep a big buffer. */
	if (!c->closed && !c->rlen && c->rcap > XBS_RBUF_MIN) {
		free(c->rbuf);
		c->rbuf = NULL;
		c->rcap = 0;
	}
}

static void conn_connected(struct xbs_conn *c)
{
	struct xbs_transport *t = c->t;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(int);
	int err = 0;

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &sl) < 0)
		err = errno;
	if (err) {
		t->c.tcp_connect_failed++;
		xbs_conn_close(c, -err);
		return;
	}
	sl = sizeof(ss);
	if (getpeername(c->fd, (struct sockaddr *)&ss, &sl) < 0)
		return; /* still in progress (a stale wakeup) */
	c->connecting = false;
	c->last_ns = xb_now_ns();
	t->c.tcp_connected++;
	local_of(c);
	xb_timer_cancel(t->loop, &c->timer);
	conn_schedule(c);
	set_events(c);
	conn_flush(c);
}

static void conn_io(struct xb_loop *loop, int fd, uint32_t events, void *arg)
{
	struct xbs_conn *c = arg;

	c->busy++;
	if (c->connecting) {
		conn_connected(c);
	} else {
		if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
			conn_read(c);
		if (!c->closed && (events & EPOLLOUT))
			conn_flush(c);
	}
	c->busy--;
	if (c->closed && !c->busy)
		conn_free(c);
}

static void conn_timer(struct xb_loop *loop, struct xb_timer *timer, void *arg)
{
	struct xbs_conn *c = arg;
	struct xbs_transport *t = c->t;
	uint64_t now = xb_now_ns();

	if (c->connecting) {
		if (now >= c->created_ns + t->lim.connect_timeout_ms * 1000000ULL) {
			t->c.tcp_connect_failed++;
			xbs_conn_close(c, -ETIMEDOUT);
			return;
		}
	} else if (c->partial_ns && now >= c->partial_ns + t->lim.slow_message_ms * 1000000ULL) {
		t->c.tcp_closed_slow++;
		xbs_conn_close(c, -ETIMEDOUT);
		return;
	} else if (now >= c->last_ns + t->idle_ns) {
		t->c.tcp_closed_idle++;
		xbs_conn_close(c, -ETIMEDOUT);
		return;
	}
	conn_schedule(c);
}

json_t *xbs_conn_json(const struct xbs_conn *c, uint64_t now)
{
	json_t *j = json_object();

	if (!j)
		return NULL;
	xb_json_set(j, "id", xb_json_u64(c->id));
	xb_json_set(j, "listener", json_string(c->ls->cfg->name));
	xb_json_set(j, "direction", json_string(c->outgoing ? "out" : "in"));
	xb_json_set(j, "state", json_string(c->connecting ? "connecting" : "open"));
	xb_json_set(j, "local", xb_json_endpoint(&c->local));
	xb_json_set(j, "remote", xb_json_endpoint(&c->remote));
	xb_json_set(j, "age_s", xb_json_u64((now - c->created_ns) / 1000000000ULL));
	xb_json_set(j, "idle_s", xb_json_u64((now - c->last_ns) / 1000000000ULL));
	xb_json_set(j, "queued", xb_json_u64(c->wq_bytes));
	xb_json_set(j, "buffered", xb_json_u64(c->rlen));
	return j;
}
