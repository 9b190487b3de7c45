// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The SIP transport on real loopback sockets (127.0.0.1 and ::1, ephemeral
 * ports): UDP round trips with the right source and local address, ICMP
 * errors, TCP framing across reads, responses on the request's connection,
 * outgoing connections and their reuse, connect failures, the idle,
 * slow-message, size and connection limits, keep-alive pongs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xborder/fastpath.h>

#include "common/err.h"
#include "sip/transport.h"
#include "kselftest_harness.h"

#define MAX_MSGS 16

struct got_msg {
	char data[8192];
	size_t len;
	struct xbs_source src;
};

struct got_err {
	struct xb_endpoint dest;
	enum xbd_transport tr;
	uint64_t tag;
	int err;
};

struct ctx {
	struct xb_loop *loop;
	struct xbd_config *cfg;
	struct xbs_transport *t;
	struct got_msg msgs[MAX_MSGS];
	int n_msgs;
	struct got_err errs[MAX_MSGS];
	int n_errs;
	bool echo; /* answer every TCP message from inside recv_cb */
	int echo_err;
};

static const char *trying = "SIP/2.0 100 Trying\r\nl: 0\r\n\r\n";

static void on_recv(void *arg, const char *msg, size_t len, const struct xbs_source *src)
{
	struct ctx *c = arg;
	struct got_msg *m;

	if (c->n_msgs >= MAX_MSGS || len > sizeof(m->data))
		return;
	m = &c->msgs[c->n_msgs++];
	memcpy(m->data, msg, len);
	m->len = len;
	m->src = *src;
	if (c->echo && src->conn_id) {
		int err = xbs_send(c->t, src->listener, &src->remote, src->conn_id, 0, trying,
				   strlen(trying));

		if (err)
			c->echo_err = err;
	}
}

static void on_error(void *arg, const struct xb_endpoint *dest, enum xbd_transport tr, uint64_t tag,
		     int err)
{
	struct ctx *c = arg;

	if (c->n_errs >= MAX_MSGS)
		return;
	c->errs[c->n_errs++] = (struct got_err){ .dest = *dest, .tr = tr, .tag = tag, .err = err };
}

enum { L_UDP4, L_UDP6, L_TCP4, L_TCP6 };

static void add_listener(struct xbd_config *cfg, const char *name, enum xbd_transport tr,
			 const char *addr)
{
	struct xbd_listener *l = &cfg->listeners[cfg->n_listeners++];

	snprintf(l->name, sizeof(l->name), "%s", name);
	l->transport = tr;
	xb_parse_addr(addr, &l->local.a);
	l->local.port = 0; /* ephemeral: read back with xbs_listener_port */
}

/* A configuration built by hand (no config file): four loopback listeners. */
static struct xbd_config *test_config(uint32_t idle_s, uint32_t max_message)
{
	struct xbd_config *cfg = calloc(1, sizeof(*cfg));

	add_listener(cfg, "udp4", XBD_TRANSPORT_UDP, "127.0.0.1");
	add_listener(cfg, "udp6", XBD_TRANSPORT_UDP, "::1");
	add_listener(cfg, "tcp4", XBD_TRANSPORT_TCP, "127.0.0.1");
	add_listener(cfg, "tcp6", XBD_TRANSPORT_TCP, "::1");
	cfg->timers.tcp_idle_s = idle_s;
	cfg->max_message = max_message;
	return cfg;
}

static int ctx_start(struct ctx *c, uint32_t idle_s, uint32_t max_message)
{
	memset(c, 0, sizeof(*c));
	c->loop = xb_loop_new();
	c->cfg = test_config(idle_s, max_message);
	c->t = xbs_transport_new(c->loop, c->cfg, on_recv, on_error, c);
	if (!c->loop || !c->cfg || !c->t)
		return -ENOMEM;
	return xbs_transport_start(c->t);
}

static void ctx_stop(struct ctx *c)
{
	xbs_transport_free(c->t);
	xb_loop_free(c->loop);
	free(c->cfg);
}

/* Runs the loop until COND holds, at most MS milliseconds. */
#define PUMP_UNTIL(c, cond, ms)                                          \
	do {                                                             \
		uint64_t _end = xb_now_ns() + (uint64_t)(ms)*1000000ULL; \
		while (!(cond) && xb_now_ns() < _end)                    \
			xb_loop_once((c)->loop, 5);                      \
	} while (0)

static void pump_ms(struct ctx *c, unsigned int ms)
{
	uint64_t end = xb_now_ns() + ms * 1000000ULL;

	while (xb_now_ns() < end)
		xb_loop_once(c->loop, 5);
}

/* The listener's bound endpoint. */
static struct xb_endpoint lep(struct ctx *c, int i)
{
	struct xb_endpoint e = c->cfg->listeners[i].local;

	e.port = xbs_listener_port(c->t, c->cfg->listeners[i].name);
	return e;
}

static socklen_t to_sa(const struct xb_endpoint *e, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (e->a.family == XB_AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(e->port);
		memcpy(&s6->sin6_addr, e->a.addr, 16);
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	s4->sin_family = AF_INET;
	s4->sin_port = htons(e->port);
	memcpy(&s4->sin_addr, e->a.addr, 4);
	return sizeof(*s4);
}

static struct xb_endpoint from_sa(const struct sockaddr_storage *ss)
{
	struct xb_endpoint e = { 0 };

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;

		e.a.family = XB_AF_INET6;
		memcpy(e.a.addr, &s6->sin6_addr, 16);
		e.port = ntohs(s6->sin6_port);
	} else {
		const struct sockaddr_in *s4 = (const void *)ss;

		e.a.family = XB_AF_INET;
		memcpy(e.a.addr, &s4->sin_addr, 4);
		e.port = ntohs(s4->sin_port);
	}
	return e;
}

static struct xb_endpoint sock_name(int fd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	getsockname(fd, (struct sockaddr *)&ss, &sl);
	return from_sa(&ss);
}

static bool ep_eq(const struct xb_endpoint *a, const struct xb_endpoint *b)
{
	return a->port == b->port && xb_addr_equal(&a->a, &b->a);
}

static int family_of(const struct xb_endpoint *e)
{
	return e->a.family == XB_AF_INET6 ? AF_INET6 : AF_INET;
}

/* A TCP client connected (blocking connect on loopback) to E, then non-blocking. */
static int tcp_client(const struct xb_endpoint *e)
{
	struct sockaddr_storage ss;
	socklen_t sl = to_sa(e, &ss);
	int fd = socket(family_of(e), SOCK_STREAM, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, sl) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;
}

/* A listening TCP socket on an ephemeral loopback port (the test's peer). */
static int tcp_server(const char *addr, struct xb_endpoint *e)
{
	struct xb_endpoint any = { 0 };
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd;

	xb_parse_addr(addr, &any.a);
	sl = to_sa(&any, &ss);
	fd = socket(family_of(&any), SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 8) < 0)
		return -1;
	*e = sock_name(fd);
	return fd;
}

/* A port on ADDR nobody listens on (of TYPE): bound, read back, closed. */
static struct xb_endpoint closed_port(const char *addr, int type)
{
	struct xb_endpoint e = { 0 };
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd;

	xb_parse_addr(addr, &e.a);
	sl = to_sa(&e, &ss);
	fd = socket(family_of(&e), type, 0);
	bind(fd, (struct sockaddr *)&ss, sl);
	e = sock_name(fd);
	close(fd);
	return e;
}

/* Reads from FD while running the loop until WANT bytes or MS pass. Returns
 * the bytes read, or -1 on EOF/error before WANT (errno 0 for EOF). */
static ssize_t read_pumped(struct ctx *c, int fd, char *buf, size_t want, unsigned int ms)
{
	uint64_t end = xb_now_ns() + ms * 1000000ULL;
	size_t have = 0;

	while (have < want && xb_now_ns() < end) {
		ssize_t n = recv(fd, buf + have, want - have, MSG_DONTWAIT);

		if (n == 0) {
			errno = 0;
			return -1;
		}
		if (n < 0 && errno != EAGAIN)
			return -1;
		if (n > 0)
			have += n;
		else
			xb_loop_once(c->loop, 5);
	}
	return have;
}

/* Runs the loop until the peer of FD closes it: true on EOF or reset. */
static bool closed_by_peer(struct ctx *c, int fd, unsigned int ms)
{
	char b;

	return read_pumped(c, fd, &b, 1, ms) < 0;
}

static uint64_t stat_of(struct ctx *c, const char *group, const char *name)
{
	json_t *j = xbs_transport_stats(c->t);
	uint64_t v = json_integer_value(json_object_get(json_object_get(j, group), name));

	json_decref(j);
	return v;
}

static const char *msg1 = "OPTIONS sip:a.example SIP/2.0\r\nVia: SIP/2.0/TCP x\r\n"
			  "Content-Length: 0\r\n\r\n";
static const char *msg2 = "MESSAGE sip:b@a.example SIP/2.0\r\nl: 5\r\n\r\nhello";
static const char *msg3 = "INVITE sip:c@a.example SIP/2.0\r\nVia: SIP/2.0/TCP y\r\n"
			  "Content-Type: application/sdp\r\nContent-Length: 14\r\n\r\n"
			  "v=0\r\no=- 1 1\r\n";

FIXTURE(tr) {
	struct ctx c;
};

FIXTURE_SETUP(tr) {
	ASSERT_EQ(0, ctx_start(&self->c, 300, 4096)) TH_LOG("%s", xb_errmsg());
}

FIXTURE_TEARDOWN(tr) {
	ctx_stop(&self->c);
}

static void udp_round_trip(struct __test_metadata *_metadata, struct ctx *c, int li)
{
	struct xb_endpoint srv = lep(c, li), me;
	struct sockaddr_storage ss;
	socklen_t sl = to_sa(&srv, &ss);
	const char *resp = "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n";
	char buf[256];
	int fd = socket(family_of(&srv), SOCK_DGRAM, 0), n0 = c->n_msgs;
	ssize_t n;

	ASSERT_LT(0, srv.port);
	ASSERT_EQ((ssize_t)strlen(msg2),
		  sendto(fd, msg2, strlen(msg2), 0, (struct sockaddr *)&ss, sl));
	me = sock_name(fd);
	me.a = srv.a; /* an unbound socket names the wildcard; loopback sends from srv's address */
	PUMP_UNTIL(c, c->n_msgs > n0, 2000);
	ASSERT_EQ(n0 + 1, c->n_msgs);
	struct got_msg *m = &c->msgs[n0];
	ASSERT_EQ(strlen(msg2), m->len);
	EXPECT_EQ(0, memcmp(msg2, m->data, m->len));
	EXPECT_EQ(XBD_TRANSPORT_UDP, m->src.transport);
	EXPECT_EQ(&c->cfg->listeners[li], m->src.listener);
	EXPECT_EQ(0, m->src.conn_id);
	/* The client's own address and port, and the address it sent to. */
	EXPECT_TRUE(ep_eq(&me, &m->src.remote));
	EXPECT_TRUE(ep_eq(&srv, &m->src.local));

	ASSERT_EQ(0,
		  xbs_send(c->t, &c->cfg->listeners[li], &m->src.remote, 0, 1, resp, strlen(resp)));
	n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&ss, &sl);
	ASSERT_EQ((ssize_t)strlen(resp), n);
	EXPECT_EQ(0, memcmp(resp, buf, n));
	/* It comes from the listener's socket. */
	me = from_sa(&ss);
	EXPECT_TRUE(ep_eq(&srv, &me));
	close(fd);
}

TEST_F(tr, udp_round_trip_v4_v6) {
	udp_round_trip(_metadata, &self->c, L_UDP4);
	udp_round_trip(_metadata, &self->c, L_UDP6);
	EXPECT_EQ(2, stat_of(&self->c, "udp", "rx"));
	EXPECT_EQ(2, stat_of(&self->c, "udp", "tx"));
}

/* A wildcard listener: the local address must come from the packet. */
TEST(udp_local_address_from_pktinfo) {
	struct ctx c = { 0 };
	struct xb_endpoint dst, me;
	struct sockaddr_storage ss;
	socklen_t sl;
	int i, fd;

	c.loop = xb_loop_new();
	c.cfg = calloc(1, sizeof(*c.cfg));
	add_listener(c.cfg, "any4", XBD_TRANSPORT_UDP, "0.0.0.0");
	add_listener(c.cfg, "any6", XBD_TRANSPORT_UDP, "::");
	c.t = xbs_transport_new(c.loop, c.cfg, on_recv, on_error, &c);
	ASSERT_EQ(0, xbs_transport_start(c.t)) TH_LOG("%s", xb_errmsg());
	for (i = 0; i < 2; i++) {
		/* 127.0.0.2 is loopback too, but not the address of any socket. */
		xb_parse_addr(i ? "::1" : "127.0.0.2", &dst.a);
		dst.port = xbs_listener_port(c.t, i ? "any6" : "any4");
		sl = to_sa(&dst, &ss);
		fd = socket(family_of(&dst), SOCK_DGRAM, 0);
		ASSERT_EQ(5, sendto(fd, "hello", 5, 0, (struct sockaddr *)&ss, sl));
		PUMP_UNTIL(&c, c.n_msgs == i + 1, 2000);
		ASSERT_EQ(i + 1, c.n_msgs);
		EXPECT_TRUE(ep_eq(&dst, &c.msgs[i].src.local));
		me = sock_name(fd);
		EXPECT_EQ(me.port, c.msgs[i].src.remote.port);
		close(fd);
	}
	ctx_stop(&c);
}

TEST_F(tr, udp_oversize_dropped_and_counted) {
	struct ctx *c = &self->c;
	struct xb_endpoint srv = lep(c, L_UDP4);
	struct sockaddr_storage ss;
	socklen_t sl = to_sa(&srv, &ss);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	char big[5000];

	/* max_message is 4096 here: 4097 bytes are one too many. */
	memset(big, 'x', sizeof(big));
	ASSERT_EQ(4097, sendto(fd, big, 4097, 0, (struct sockaddr *)&ss, sl));
	ASSERT_EQ(4096, sendto(fd, big, 4096, 0, (struct sockaddr *)&ss, sl));
	ASSERT_EQ(4, sendto(fd, "\r\n\r\n", 4, 0, (struct sockaddr *)&ss, sl));
	PUMP_UNTIL(c, stat_of(c, "udp", "keepalives") == 1, 2000);
	ASSERT_EQ(1, c->n_msgs);
	EXPECT_EQ(4096, c->msgs[0].len);
	EXPECT_EQ(1, stat_of(c, "udp", "oversize"));
	EXPECT_EQ(1, stat_of(c, "udp", "rx"));
	close(fd);
}

TEST_F(tr, udp_port_unreachable_reports_the_tag) {
	struct ctx *c = &self->c;
	struct xb_endpoint d4 = closed_port("127.0.0.1", SOCK_DGRAM);
	struct xb_endpoint d6 = closed_port("::1", SOCK_DGRAM);

	ASSERT_EQ(0, xbs_send(c->t, &c->cfg->listeners[L_UDP4], &d4, 0, 42, msg1, strlen(msg1)));
	PUMP_UNTIL(c, c->n_errs >= 1, 2000);
	ASSERT_EQ(1, c->n_errs);
	EXPECT_EQ(42, c->errs[0].tag);
	EXPECT_EQ(-ECONNREFUSED, c->errs[0].err);
	EXPECT_EQ(XBD_TRANSPORT_UDP, c->errs[0].tr);
	EXPECT_TRUE(ep_eq(&d4, &c->errs[0].dest));

	ASSERT_EQ(0, xbs_send(c->t, &c->cfg->listeners[L_UDP6], &d6, 0, 43, msg1, strlen(msg1)));
	PUMP_UNTIL(c, c->n_errs >= 2, 2000);
	ASSERT_EQ(2, c->n_errs);
	EXPECT_EQ(43, c->errs[1].tag);
	EXPECT_EQ(-ECONNREFUSED, c->errs[1].err);
	EXPECT_TRUE(ep_eq(&d6, &c->errs[1].dest));
	/* The listener still works afterwards. */
	udp_round_trip(_metadata, c, L_UDP4);
}

TEST_F(tr, udp_wrong_family_refused) {
	struct ctx *c = &self->c;
	struct xb_endpoint d6 = closed_port("::1", SOCK_DGRAM);

	EXPECT_EQ(-EAFNOSUPPORT,
		  xbs_send(c->t, &c->cfg->listeners[L_UDP4], &d6, 0, 1, msg1, strlen(msg1)));
}

static void tcp_framing(struct __test_metadata *_metadata, struct ctx *c, int li)
{
	struct xb_endpoint srv = lep(c, li), me;
	const char *resp = "SIP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nok";
	size_t l1 = strlen(msg1), l2 = strlen(msg2), l3 = strlen(msg3);
	char buf[1024];
	int fd = tcp_client(&srv), n0 = c->n_msgs, i;

	ASSERT_LE(0, fd);
	me = sock_name(fd);
	/* Two pipelined in one write with the head of the third, whose rest
	 * comes in two more pieces. */
	snprintf(buf, sizeof(buf), "%s%s%.10s", msg1, msg2, msg3);
	ASSERT_EQ((ssize_t)(l1 + l2 + 10), write(fd, buf, l1 + l2 + 10));
	PUMP_UNTIL(c, c->n_msgs >= n0 + 2, 2000);
	pump_ms(c, 30);
	ASSERT_EQ(n0 + 2, c->n_msgs);
	ASSERT_EQ((ssize_t)(l3 - 14), write(fd, msg3 + 10, l3 - 14));
	pump_ms(c, 30);
	ASSERT_EQ(n0 + 2, c->n_msgs); /* the body is 4 bytes short */
	ASSERT_EQ(4, write(fd, msg3 + l3 - 4, 4));
	PUMP_UNTIL(c, c->n_msgs >= n0 + 3, 2000);
	ASSERT_EQ(n0 + 3, c->n_msgs);
	const char *want[3] = { msg1, msg2, msg3 };
	for (i = 0; i < 3; i++) {
		struct got_msg *m = &c->msgs[n0 + i];

		ASSERT_EQ(strlen(want[i]), m->len) TH_LOG("message %d", i);
		EXPECT_EQ(0, memcmp(want[i], m->data, m->len));
		EXPECT_EQ(XBD_TRANSPORT_TCP, m->src.transport);
		EXPECT_EQ(&c->cfg->listeners[li], m->src.listener);
		EXPECT_NE(0, m->src.conn_id);
		EXPECT_EQ(c->msgs[n0].src.conn_id, m->src.conn_id);
		EXPECT_TRUE(ep_eq(&me, &m->src.remote));
		EXPECT_TRUE(ep_eq(&srv, &m->src.local));
	}
	/* The response goes back on the same connection. */
	ASSERT_EQ(0, xbs_send(c->t, &c->cfg->listeners[li], &me, c->msgs[n0].src.conn_id, 5, resp,
			      strlen(resp)));
	ASSERT_EQ((ssize_t)strlen(resp), read_pumped(c, fd, buf, strlen(resp), 2000));
	EXPECT_EQ(0, memcmp(resp, buf, strlen(resp)));
	close(fd);
}

TEST_F(tr, tcp_pipelined_and_split_messages_v4_v6) {
	struct ctx *c = &self->c;

	tcp_framing(_metadata, c, L_TCP4);
	tcp_framing(_metadata, c, L_TCP6);
	EXPECT_EQ(6, stat_of(c, "tcp", "rx"));
	EXPECT_EQ(2, stat_of(c, "tcp", "tx"));
	EXPECT_EQ(2, stat_of(c, "tcp", "accepted"));
	/* Both clients closed: the transport notices. */
	PUMP_UNTIL(c, stat_of(c, "tcp", "open") == 0, 2000);
	EXPECT_EQ(0, stat_of(c, "tcp", "open"));
	EXPECT_EQ(2, stat_of(c, "tcp", "closed_remote"));
}

TEST_F(tr, tcp_reply_from_inside_the_callback) {
	struct ctx *c = &self->c;
	struct xb_endpoint srv = lep(c, L_TCP6);
	size_t lt = strlen(trying);
	char buf[2048];
	int fd = tcp_client(&srv), i;

	ASSERT_LE(0, fd);
	c->echo = true;
	snprintf(buf, sizeof(buf), "%s%s%s", msg1, msg2, msg3);
	ASSERT_EQ((ssize_t)strlen(buf), write(fd, buf, strlen(buf)));
	ASSERT_EQ((ssize_t)(3 * lt), read_pumped(c, fd, buf, 3 * lt, 2000));
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, memcmp(trying, buf + i * lt, lt));
	EXPECT_EQ(3, c->n_msgs);
	EXPECT_EQ(0, c->echo_err);
	EXPECT_EQ(1, stat_of(c, "tcp", "accepted"));
	close(fd);
}

TEST_F(tr, tcp_ping_gets_pong) {
	struct ctx *c = &self->c;
	struct xb_endpoint srv = lep(c, L_TCP4);
	int fd = tcp_client(&srv);
	char buf[8];

	ASSERT_LE(0, fd);
	/* A single CRLF (a pong or plain keep-alive) gets nothing. */
	ASSERT_EQ(2, write(fd, "\r\n", 2));
	EXPECT_EQ(0, read_pumped(c, fd, buf, 1, 200));
	ASSERT_EQ(2, write(fd, "\r\n", 2)); /* now a double CRLF: a ping */
	ASSERT_EQ(2, read_pumped(c, fd, buf, 2, 2000));
	EXPECT_EQ(0, memcmp(buf, "\r\n", 2));
	EXPECT_EQ(0, read_pumped(c, fd, buf, 1, 100)); /* one pong only */
	/* Messages still frame after keep-alives. */
	ASSERT_EQ((ssize_t)strlen(msg1), write(fd, msg1, strlen(msg1)));
	PUMP_UNTIL(c, c->n_msgs == 1, 2000);
	ASSERT_EQ(1, c->n_msgs);
	EXPECT_EQ(strlen(msg1), c->msgs[0].len);
	EXPECT_EQ(1, stat_of(c, "tcp", "pongs"));
	close(fd);
}

TEST_F(tr, tcp_outgoing_connection_opened_and_reused) {
	struct ctx *c = &self->c;
	struct xb_endpoint peer, lo;
	const struct xbd_listener *l = &c->cfg->listeners[L_TCP4];
	const char *back = "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n";
	size_t l1 = strlen(msg1), l2 = strlen(msg2);
	int sfd = tcp_server("127.0.0.1", &peer), afd = -1, i;
	char buf[1024];

	ASSERT_LE(0, sfd);
	ASSERT_EQ(0, xbs_send(c->t, l, &peer, 0, 7, msg1, l1));
	for (i = 0; i < 400 && afd < 0; i++) {
		xb_loop_once(c->loop, 5);
		afd = accept(sfd, NULL, NULL);
	}
	ASSERT_LE(0, afd);
	ASSERT_EQ((ssize_t)l1, read_pumped(c, afd, buf, l1, 2000));
	EXPECT_EQ(0, memcmp(msg1, buf, l1));
	/* From the listener's address (an ephemeral port). */
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	getpeername(afd, (struct sockaddr *)&ss, &sl);
	lo = from_sa(&ss);
	EXPECT_TRUE(xb_addr_equal(&l->local.a, &lo.a));

	/* The second send reuses it: no new connection at the peer. */
	ASSERT_EQ(0, xbs_send(c->t, l, &peer, 0, 8, msg2, l2));
	ASSERT_EQ((ssize_t)l2, read_pumped(c, afd, buf, l2, 2000));
	EXPECT_EQ(0, memcmp(msg2, buf, l2));
	EXPECT_GT(0, accept(sfd, NULL, NULL));
	EXPECT_EQ(1, stat_of(c, "tcp", "connected"));
	EXPECT_EQ(1, stat_of(c, "tcp", "open"));

	/* What the peer sends back arrives with the outgoing connection's id. */
	fcntl(afd, F_SETFL, 0);
	ASSERT_EQ((ssize_t)strlen(back), write(afd, back, strlen(back)));
	PUMP_UNTIL(c, c->n_msgs == 1, 2000);
	ASSERT_EQ(1, c->n_msgs);
	EXPECT_EQ(l, c->msgs[0].src.listener);
	EXPECT_TRUE(ep_eq(&peer, &c->msgs[0].src.remote));
	EXPECT_TRUE(ep_eq(&lo, &c->msgs[0].src.local));
	json_t *j = xbs_transport_stats(c->t);
	json_t *conn = json_array_get(json_object_get(j, "connections"), 0);
	EXPECT_EQ(c->msgs[0].src.conn_id, json_integer_value(json_object_get(conn, "id")));
	EXPECT_STREQ("out", json_string_value(json_object_get(conn, "direction")));
	json_decref(j);
	EXPECT_EQ(0, c->n_errs);
	close(afd);
	close(sfd);
}

TEST_F(tr, conn_id_gone_falls_back_to_dest) {
	struct ctx *c = &self->c;
	struct xb_endpoint peer;
	int sfd = tcp_server("::1", &peer), afd = -1, i;
	char buf[256];

	ASSERT_LE(0, sfd);
	/* An id never handed out (ids only grow). */
	ASSERT_EQ(0, xbs_send(c->t, &c->cfg->listeners[L_TCP6], &peer, UINT64_MAX - 1, 1, msg1,
			      strlen(msg1)));
	for (i = 0; i < 400 && afd < 0; i++) {
		xb_loop_once(c->loop, 5);
		afd = accept(sfd, NULL, NULL);
	}
	ASSERT_LE(0, afd);
	ASSERT_EQ((ssize_t)strlen(msg1), read_pumped(c, afd, buf, strlen(msg1), 2000));
	/* Without a destination there is nothing to fall back to. */
	EXPECT_EQ(-ENOTCONN, xbs_send(c->t, &c->cfg->listeners[L_TCP6], NULL, UINT64_MAX - 1, 1,
				      msg1, strlen(msg1)));
	close(afd);
	close(sfd);
}

TEST_F(tr, tcp_connect_refused_reports_the_tag) {
	struct ctx *c = &self->c;
	struct xb_endpoint dead = closed_port("127.0.0.1", SOCK_STREAM);

	ASSERT_EQ(0, xbs_send(c->t, &c->cfg->listeners[L_TCP4], &dead, 0, 99, msg1, strlen(msg1)));
	ASSERT_EQ(0, xbs_send(c->t, &c->cfg->listeners[L_TCP4], &dead, 0, 100, msg2, strlen(msg2)));
	PUMP_UNTIL(c, c->n_errs >= 2, 2000);
	ASSERT_EQ(2, c->n_errs);
	EXPECT_EQ(99, c->errs[0].tag);
	EXPECT_EQ(100, c->errs[1].tag);
	EXPECT_EQ(-ECONNREFUSED, c->errs[0].err);
	EXPECT_EQ(XBD_TRANSPORT_TCP, c->errs[0].tr);
	EXPECT_TRUE(ep_eq(&dead, &c->errs[0].dest));
	EXPECT_EQ(1, stat_of(c, "tcp", "connect_failed"));
	EXPECT_EQ(0, stat_of(c, "tcp", "open"));
}

TEST_F(tr, tcp_connect_timeout_reports_the_tag) {
	struct ctx *c = &self->c;
	struct xbs_limits lim;
	struct xb_endpoint peer;
	struct sockaddr_storage ss;
	int sfd = tcp_server("127.0.0.1", &peer), fill[3], i;
	socklen_t sl = to_sa(&peer, &ss);
	uint64_t t0;

	/* A peer whose accept queue is full drops our SYN: connect hangs. */
	ASSERT_LE(0, sfd);
	ASSERT_EQ(0, listen(sfd, 0));
	for (i = 0; i < 3; i++) {
		fill[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		connect(fill[i], (struct sockaddr *)&ss, sl);
	}
	pump_ms(c, 50);
	xbs_transport_get_limits(c->t, &lim);
	lim.connect_timeout_ms = 300;
	xbs_transport_set_limits(c->t, &lim);
	t0 = xb_now_ns();
	ASSERT_EQ(0, xbs_send(c->t, &c->cfg->listeners[L_TCP4], &peer, 0, 77, msg1, strlen(msg1)));
	PUMP_UNTIL(c, c->n_errs >= 1, 3000);
	ASSERT_EQ(1, c->n_errs);
	EXPECT_EQ(77, c->errs[0].tag);
	EXPECT_EQ(-ETIMEDOUT, c->errs[0].err);
	EXPECT_LE(300000000ULL, xb_now_ns() - t0);
	EXPECT_EQ(1, stat_of(c, "tcp", "connect_failed"));
	EXPECT_EQ(0, stat_of(c, "tcp", "open"));
	for (i = 0; i < 3; i++)
		close(fill[i]);
	close(sfd);
}

TEST_F(tr, write_queue_bounded) {
	struct ctx *c = &self->c;
	struct xbs_limits lim;
	struct xb_endpoint peer;
	int sfd = tcp_server("127.0.0.1", &peer);
	char big[3000];

	ASSERT_LE(0, sfd);
	xbs_transport_get_limits(c->t, &lim);
	lim.write_queue_max = 4096;
	xbs_transport_set_limits(c->t, &lim);
	memset(big, 'x', sizeof(big));
	/* Still connecting (the loop has not run): both would be queued. */
	EXPECT_EQ(0, xbs_send(c->t, &c->cfg->listeners[L_TCP4], &peer, 0, 1, big, sizeof(big)));
	EXPECT_EQ(-ENOBUFS,
		  xbs_send(c->t, &c->cfg->listeners[L_TCP4], &peer, 0, 2, big, sizeof(big)));
	EXPECT_EQ(1, stat_of(c, "tcp", "queue_full"));
	EXPECT_EQ(sizeof(big), stat_of(c, "tcp", "queued_bytes"));
	/* The total over all connections is bounded too. */
	lim.write_queue_max = 1 << 20;
	lim.write_queue_total_max = 5000;
	xbs_transport_set_limits(c->t, &lim);
	EXPECT_EQ(-ENOBUFS,
		  xbs_send(c->t, &c->cfg->listeners[L_TCP4], &peer, 0, 3, big, sizeof(big)));
	close(sfd);
}

TEST(tcp_idle_connection_closed) {
	struct ctx c;
	struct xb_endpoint srv;
	uint64_t t0;
	int fd;

	ASSERT_EQ(0, ctx_start(&c, 1, 0)) TH_LOG("%s", xb_errmsg());
	srv = lep(&c, L_TCP4);
	fd = tcp_client(&srv);
	ASSERT_LE(0, fd);
	PUMP_UNTIL(&c, stat_of(&c, "tcp", "open") == 1, 1000);
	/* Still open well before the limit... */
	EXPECT_FALSE(closed_by_peer(&c, fd, 700));
	/* ...and a keep-alive restarts it: open 1.4 s after connecting... */
	ASSERT_EQ(2, write(fd, "\r\n", 2));
	t0 = xb_now_ns();
	EXPECT_FALSE(closed_by_peer(&c, fd, 700));
	/* ...closed 1 s after the last activity, not much later. */
	EXPECT_TRUE(closed_by_peer(&c, fd, 2500));
	EXPECT_LE(1000000000ULL, xb_now_ns() - t0);
	EXPECT_EQ(1, stat_of(&c, "tcp", "closed_idle"));
	EXPECT_EQ(0, stat_of(&c, "tcp", "open"));
	close(fd);
	ctx_stop(&c);
}

TEST_F(tr, tcp_slow_message_closed) {
	struct ctx *c = &self->c;
	struct xbs_limits lim;
	struct xb_endpoint srv = lep(c, L_TCP4);
	int fd;

	xbs_transport_get_limits(c->t, &lim);
	lim.slow_message_ms = 300;
	xbs_transport_set_limits(c->t, &lim);
	fd = tcp_client(&srv);
	ASSERT_LE(0, fd);
	ASSERT_EQ(20, write(fd, msg3, 20));
	EXPECT_FALSE(closed_by_peer(c, fd, 150));
	EXPECT_TRUE(closed_by_peer(c, fd, 2000));
	EXPECT_EQ(1, stat_of(c, "tcp", "closed_slow"));
	EXPECT_EQ(0, c->n_msgs);
	close(fd);
}

TEST_F(tr, tcp_oversize_and_bad_framing_close) {
	struct ctx *c = &self->c;
	struct xb_endpoint srv = lep(c, L_TCP4);
	const char *huge = "INVITE sip:x SIP/2.0\r\nContent-Length: 5000\r\n\r\n";
	const char *nocl = "INVITE sip:x SIP/2.0\r\nVia: x\r\n\r\n";
	int fd = tcp_client(&srv);

	ASSERT_LE(0, fd);
	/* A good message first: delivered before the bad one closes the stream. */
	ASSERT_EQ((ssize_t)strlen(msg1), write(fd, msg1, strlen(msg1)));
	ASSERT_EQ((ssize_t)strlen(huge), write(fd, huge, strlen(huge)));
	EXPECT_TRUE(closed_by_peer(c, fd, 2000));
	EXPECT_EQ(1, stat_of(c, "tcp", "oversize"));
	EXPECT_EQ(1, c->n_msgs);
	close(fd);

	fd = tcp_client(&srv);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)strlen(nocl), write(fd, nocl, strlen(nocl)));
	EXPECT_TRUE(closed_by_peer(c, fd, 2000));
	EXPECT_EQ(1, stat_of(c, "tcp", "framing_errors"));
	EXPECT_EQ(1, c->n_msgs);
	close(fd);
}

TEST_F(tr, tcp_per_source_limit) {
	struct ctx *c = &self->c;
	struct xbs_limits lim;
	struct xb_endpoint srv = lep(c, L_TCP4);
	int fd[3], i;

	xbs_transport_get_limits(c->t, &lim);
	lim.max_conns_per_source = 2;
	xbs_transport_set_limits(c->t, &lim);
	for (i = 0; i < 3; i++) {
		fd[i] = tcp_client(&srv);
		ASSERT_LE(0, fd[i]);
		PUMP_UNTIL(c, stat_of(c, "tcp", "accepted") + stat_of(c, "tcp", "refused") == i + 1,
			   2000);
	}
	EXPECT_EQ(2, stat_of(c, "tcp", "accepted"));
	EXPECT_EQ(1, stat_of(c, "tcp", "refused"));
	EXPECT_TRUE(closed_by_peer(c, fd[2], 1000));
	EXPECT_FALSE(closed_by_peer(c, fd[0], 100));
	for (i = 0; i < 3; i++)
		close(fd[i]);
}

TEST(tls_listener_not_supported_yet) {
	struct xb_loop *loop = xb_loop_new();
	struct xbd_config *cfg = calloc(1, sizeof(*cfg));
	struct xbs_transport *t;

	add_listener(cfg, "secure", XBD_TRANSPORT_TLS, "127.0.0.1");
	t = xbs_transport_new(loop, cfg, on_recv, on_error, NULL);
	ASSERT_NE(NULL, t);
	EXPECT_EQ(-EPROTONOSUPPORT, xbs_transport_start(t));
	EXPECT_NE(NULL, strstr(xb_errmsg(), "secure"));
	EXPECT_EQ(-ENOENT, xbs_listener_port(t, "secure"));
	xbs_transport_free(t);
	xb_loop_free(loop);
	free(cfg);
}

TEST(bind_conflict_names_the_listener) {
	struct xb_loop *loop = xb_loop_new();
	struct xbd_config *cfg = calloc(1, sizeof(*cfg));
	struct xb_endpoint busy;
	struct xbs_transport *t;
	int sfd = tcp_server("127.0.0.1", &busy);

	ASSERT_LE(0, sfd);
	add_listener(cfg, "first", XBD_TRANSPORT_UDP, "127.0.0.1");
	add_listener(cfg, "clash", XBD_TRANSPORT_TCP, "127.0.0.1");
	cfg->listeners[1].local.port = busy.port;
	t = xbs_transport_new(loop, cfg, on_recv, on_error, NULL);
	ASSERT_NE(NULL, t);
	EXPECT_EQ(-EADDRINUSE, xbs_transport_start(t));
	EXPECT_NE(NULL, strstr(xb_errmsg(), "clash"));
	/* Nothing stays open from the failed start. */
	EXPECT_EQ(-ENOENT, xbs_listener_port(t, "first"));
	xbs_transport_free(t);
	xb_loop_free(loop);
	free(cfg);
	close(sfd);
}

TEST_HARNESS_MAIN
