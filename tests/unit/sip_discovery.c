// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The proxy with discovery: a fake transport captures what it sends, and
 * the real resolver asks a tiny authoritative server inside this test (a
 * UDP socket on 127.0.0.1 answering from the zone below, built with
 * ldns). Checked: the request waits while DNS answers, RFC 3263 failover
 * (transport error, timeout, 503) to the next SRV target as a new client
 * transaction with a new branch, the blocklist ordering the next call, no
 * failover after a provisional, CANCEL to the destination of the current
 * attempt, ENUM retargeting, 404/503 with reasons, a federation proxy's
 * 302 followed (and the limit on redirections), xborderd as the redirect
 * server, and nothing left behind.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ldns/ldns.h>
#include <osipparser2/osip_port.h>

#include "config/config.h"
#include "dns/resolver.h"
#include "evloop/evloop.h"
#include "kselftest_harness.h"
#include "sip/message.h"
#include "sip/proxy.h"

/* ---------------------------------------------------------------- the zone */

#define SOA "example. 60 IN SOA ns.example. h.example. 1 3600 600 86400 60"

static const char *const zone[] = {
	"b.example. 60 IN NAPTR 10 10 \"S\" \"SIP+D2U\" \"\" _sip._udp.b.example.",
	"b.example. 60 IN NAPTR 20 10 \"S\" \"SIP+D2T\" \"\" _sip._tcp.b.example.",
	"_sip._udp.b.example. 60 IN SRV 10 10 5060 sip1.b.example.",
	"_sip._udp.b.example. 60 IN SRV 20 10 5060 sip2.b.example.",
	"_sip._udp.b.example. 60 IN SRV 30 10 5060 sip3.b.example.",
	"_sip._tcp.b.example. 60 IN SRV 10 10 5060 sip1.b.example.",
	"sip1.b.example. 60 IN A 10.9.0.11",
	"sip2.b.example. 60 IN A 10.9.0.12",
	"sip3.b.example. 60 IN A 10.9.0.13",
	"member.example. 60 IN A 10.9.0.21",
	"3.2.1.0.6.9.2.3.6.1.4.4.e164.arpa. 60 IN NAPTR 10 10 \"u\" \"E2U+sip\" "
	"\"!^\\\\+44(.*)$!sip:\\\\1@b.example!\" .",
	NULL,
};

struct fake_dns {
	int fd;
	char addr[32];
	unsigned int queries;
	char last[128];
};

/* Answers one query from the zone: the records of that name and type,
 * NODATA or NXDOMAIN (with an SOA), SERVFAIL for anything under
 * down.example. */
static void dns_answer(struct xb_loop *loop, int fd, uint32_t events, void *arg)
{
	struct fake_dns *s = arg;
	uint8_t buf[1500], *wire = NULL;
	struct sockaddr_in from;
	socklen_t flen = sizeof(from);
	ldns_pkt *q = NULL, *a;
	ldns_rr *qr, *rr;
	char *name;
	size_t len;
	bool known = false;
	ssize_t n;
	int i;

	n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
	if (n <= 0 || ldns_wire2pkt(&q, buf, (size_t)n) != LDNS_STATUS_OK)
		return;
	qr = ldns_rr_list_rr(ldns_pkt_question(q), 0);
	if (!qr) {
		ldns_pkt_free(q);
		return;
	}
	s->queries++;
	name = ldns_rdf2str(ldns_rr_owner(qr));
	snprintf(s->last, sizeof(s->last), "%s %s", name,
		 ldns_rr_get_type(qr) == LDNS_RR_TYPE_NAPTR ? "NAPTR"
		 : ldns_rr_get_type(qr) == LDNS_RR_TYPE_SRV ? "SRV"
							    : "A/AAAA");
	a = ldns_pkt_new();
	ldns_pkt_set_id(a, ldns_pkt_id(q));
	ldns_pkt_set_qr(a, true);
	ldns_pkt_set_aa(a, true);
	ldns_pkt_set_rd(a, ldns_pkt_rd(q));
	ldns_pkt_push_rr(a, LDNS_SECTION_QUESTION, ldns_rr_clone(qr));
	if (strlen(name) >= 13 && !strcasecmp(name + strlen(name) - 13, "down.example.")) {
		ldns_pkt_set_rcode(a, LDNS_RCODE_SERVFAIL);
	} else {
		for (i = 0; zone[i]; i++) {
			rr = NULL;
			if (ldns_rr_new_frm_str(&rr, zone[i], 60, NULL, NULL) != LDNS_STATUS_OK)
				abort();
			if (ldns_dname_compare(ldns_rr_owner(rr), ldns_rr_owner(qr)) == 0) {
				known = true;
				if (ldns_rr_get_type(rr) == ldns_rr_get_type(qr)) {
					ldns_pkt_push_rr(a, LDNS_SECTION_ANSWER, rr);
					continue;
				}
			}
			ldns_rr_free(rr);
		}
		if (!ldns_pkt_ancount(a)) {
			rr = NULL;
			if (ldns_rr_new_frm_str(&rr, SOA, 60, NULL, NULL) != LDNS_STATUS_OK)
				abort();
			ldns_pkt_push_rr(a, LDNS_SECTION_AUTHORITY, rr);
			if (!known)
				ldns_pkt_set_rcode(a, LDNS_RCODE_NXDOMAIN);
		}
	}
	if (ldns_pkt2wire(&wire, a, &len) == LDNS_STATUS_OK)
		sendto(fd, wire, len, 0, (struct sockaddr *)&from, flen);
	free(wire);
	free(name);
	ldns_pkt_free(a);
	ldns_pkt_free(q);
}

static int dns_start(struct fake_dns *s, struct xb_loop *loop)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);

	s->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return -errno;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s->fd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    getsockname(s->fd, (struct sockaddr *)&sin, &len))
		return -errno;
	snprintf(s->addr, sizeof(s->addr), "127.0.0.1:%u", ntohs(sin.sin_port));
	return xb_loop_add_fd(loop, s->fd, EPOLLIN, dns_answer, s);
}

/* ------------------------------------------------------------ the proxy */

#define MAX_SENT 256

struct sent {
	char listener[64];
	struct xb_endpoint dest;
	uint64_t tag;
	char *buf;
};

FIXTURE(disc) {
	struct xb_loop *loop;
	struct xbd_config cfg;
	struct fake_dns dns;
	struct xb_resolver *res;
	struct xbs_proxy *p;
	struct sent sent[MAX_SENT];
	int n_sent;
};

static int fake_send(void *arg, const struct xbd_listener *from, const struct xb_endpoint *dest,
		     uint64_t conn_id, uint64_t tag, const char *msg, size_t len)
{
	FIXTURE_DATA(disc) *self = arg;
	struct sent *s;

	if (self->n_sent >= MAX_SENT)
		return -ENOBUFS;
	s = &self->sent[self->n_sent++];
	snprintf(s->listener, sizeof(s->listener), "%s", from->name);
	s->dest = *dest;
	s->tag = tag;
	s->buf = strndup(msg, len);
	return 0;
}

/* REDIRECT: the border listener is a redirect server's. */
static void setup(FIXTURE_DATA(disc) * self, bool redirect, struct __test_metadata *_metadata)
{
	static char text[4096];
	struct xbs_proxy_opts o = { 0 };
	struct xb_dns_config dc;

	memset(self, 0, sizeof(*self));
	self->loop = xb_loop_new();
	ASSERT_NE(NULL, self->loop);
	ASSERT_EQ(0, dns_start(&self->dns, self->loop));
	snprintf(
		text, sizeof(text),
		"xborderd = { domain = \"a.example\"; state_dir = \"/nonexistent-xb\"; };\n"
		"media = ( { name = \"inside\"; address = \"10.1.0.1\"; ports = \"20000-20099\"; },\n"
		"          { name = \"border\"; address = \"10.9.0.1\"; ports = \"30000-30099\"; } );\n"
		"listeners = (\n"
		"  { name = \"inside\"; transport = \"udp\"; address = \"10.1.0.1\"; port = 5060;"
		"    media = \"inside\"; },\n"
		"  { name = \"border\"; transport = \"udp\"; address = \"10.9.0.1\"; port = 5060;"
		"    media = \"border\"; redirect = %s; } );\n"
		"dns = { servers = [ \"%s\" ]; timeout_ms = 300; attempts = 1; blocklist_s = 60; };\n"
		"federations = ( { name = \"fedx\"; proxy = \"10.9.0.80:5060\"; } );\n"
		"peers = (\n"
		"  { name = \"ssp-b\"; domains = [ \"b.example\", \".down.example\" ];"
		"    discovery = \"dns\"; listener = \"border\"; media = \"border\"; },\n"
		"  { name = \"fed-members\"; domains = [ \"fed.example\" ];"
		"    discovery = \"federation\"; federation = \"fedx\";"
		"    listener = \"border\"; media = \"border\"; },\n"
		"  { name = \"ssp-c\"; domains = [ \"c.example\" ]; next_hop = \"10.9.0.3:5060\";"
		"    listener = \"border\"; media = \"border\"; },\n"
		"  { name = \"users\"; domains = [ \"a.example\" ]; next_hop = \"10.1.0.2:5060\";"
		"    listener = \"inside\"; media = \"inside\"; prefixes = [ \"10.1.0.0/24\" ]; } );\n"
		"timers = { t1_ms = 10; t2_ms = 40; t4_ms = 20; timer_c_s = 5; };\n",
		redirect ? "true" : "false", self->dns.addr);
	ASSERT_EQ(0, xbd_config_parse(text, "test.conf", &self->cfg));
	xb_dns_config_default(&dc);
	dc.servers[0] = self->cfg.dns.servers[0];
	dc.n_servers = 1;
	dc.timeout_ms = self->cfg.dns.timeout_ms;
	dc.attempts = self->cfg.dns.attempts;
	self->res = xb_resolver_new(self->loop, &dc);
	ASSERT_NE(NULL, self->res);
	o.loop = self->loop;
	o.cfg = &self->cfg;
	o.send = fake_send;
	o.send_arg = self;
	o.resolver = self->res;
	self->p = xbs_proxy_new(&o);
	ASSERT_NE(NULL, self->p);
}

FIXTURE_SETUP(disc) {
	setup(self, false, _metadata);
}

static void clear_sent(FIXTURE_DATA(disc) * self)
{
	int i;

	for (i = 0; i < self->n_sent; i++)
		free(self->sent[i].buf);
	self->n_sent = 0;
}

FIXTURE_TEARDOWN(disc) {
	xbs_proxy_free(self->p);
	xb_resolver_free(self->res);
	clear_sent(self);
	xbd_config_free(&self->cfg);
	if (self->dns.fd > 0) {
		xb_loop_del_fd(self->loop, self->dns.fd);
		close(self->dns.fd);
	}
	xb_loop_free(self->loop);
}

/* Injects a message written with \n line ends, Content-Length added. */
static void inject(FIXTURE_DATA(disc) * self, const char *listener, const char *from,
		   const char *fmt, ...)
{
	static char raw[8192], crlf[17000];
	struct xbs_source src = { 0 };
	size_t i, k = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	for (i = 0; raw[i]; i++) {
		if (raw[i] == '\n')
			crlf[k++] = '\r';
		crlf[k++] = raw[i];
	}
	crlf[k] = '\0';
	src.listener = xbd_config_listener(&self->cfg, listener);
	src.transport = src.listener->transport;
	xb_parse_endpoint(from, &src.remote);
	src.local = src.listener->local;
	xbs_proxy_receive(self->p, crlf, strlen(crlf), &src);
}

/* The index of the last message sent to DEST (NULL: anywhere) whose
 * first line starts with PREFIX, or -1. */
static int find(FIXTURE_DATA(disc) * self, const char *dest, const char *prefix)
{
	char buf[XB_ADDRSTRLEN];
	int i;

	for (i = self->n_sent - 1; i >= 0; i--) {
		xb_fmt_endpoint(&self->sent[i].dest, buf, sizeof(buf));
		if ((!dest || !strcmp(buf, dest)) &&
		    !strncmp(self->sent[i].buf, prefix, strlen(prefix)))
			return i;
	}
	return -1;
}

static int count(FIXTURE_DATA(disc) * self, const char *dest, const char *prefix)
{
	char buf[XB_ADDRSTRLEN];
	int i, n = 0;

	for (i = 0; i < self->n_sent; i++) {
		xb_fmt_endpoint(&self->sent[i].dest, buf, sizeof(buf));
		if ((!dest || !strcmp(buf, dest)) &&
		    !strncmp(self->sent[i].buf, prefix, strlen(prefix)))
			n++;
	}
	return n;
}

static void run_ms(FIXTURE_DATA(disc) * self, int ms)
{
	uint64_t end = xb_now_ns() + (uint64_t)ms * 1000000;

	while (xb_now_ns() < end)
		xb_loop_once(self->loop, 5);
}

/* Runs the loop until something matching is sent (at most MS). */
static int wait_for(FIXTURE_DATA(disc) * self, const char *dest, const char *prefix, int ms)
{
	uint64_t end = xb_now_ns() + (uint64_t)ms * 1000000;
	int i;

	while ((i = find(self, dest, prefix)) < 0 && xb_now_ns() < end)
		xb_loop_once(self->loop, 5);
	return i;
}

static osip_message_t *parse(const char *buf)
{
	osip_message_t *m;

	xbs_osip_init();
	if (osip_message_init(&m))
		return NULL;
	if (osip_message_parse(m, buf, strlen(buf))) {
		osip_message_free(m);
		return NULL;
	}
	return m;
}

/* The top Via branch of captured message I (static buffer). */
static const char *branch_of(FIXTURE_DATA(disc) * self, int i)
{
	static char out[4][128];
	static int k;
	osip_message_t *m = parse(self->sent[i].buf);
	const char *b = m ? xbs_via_param(osip_list_get(&m->vias, 0), "branch") : NULL;
	char *o = out[k++ % 4];

	snprintf(o, 128, "%s", b ? b : "");
	if (m)
		osip_message_free(m);
	return o;
}

/* A response to captured request I from FROM (on the border listener). */
static void respond_to(FIXTURE_DATA(disc) * self, int i, const char *from, int code,
		       const char *totag, const char *contact)
{
	osip_message_t *req = parse(self->sent[i].buf), *r;
	struct xbs_source src = { 0 };
	char *buf;
	size_t len;

	r = xbs_msg_response(req, code, NULL, totag);
	if (contact)
		osip_message_set_contact(r, contact);
	xbs_msg_to_buf(r, &buf, &len);
	src.listener = xbd_config_listener(&self->cfg, "border");
	src.transport = src.listener->transport;
	xb_parse_endpoint(from, &src.remote);
	xbs_proxy_receive(self->p, buf, len, &src);
	osip_free(buf);
	osip_message_free(r);
	osip_message_free(req);
}

static void transport_error(FIXTURE_DATA(disc) * self, int i)
{
	xbs_proxy_transport_error(self->p, &self->sent[i].dest, XBD_TRANSPORT_UDP,
				  self->sent[i].tag, -ECONNREFUSED);
}

#define INVITE(ruri, to, cid)                                           \
	"INVITE " ruri " SIP/2.0\n"                                     \
	"Via: SIP/2.0/UDP 10.1.0.2:5060;branch=z9hG4bK-" cid ";rport\n" \
	"Max-Forwards: 70\n"                                            \
	"From: <sip:alice@a.example>;tag=ua1\n"                         \
	"To: <" to ">\n"                                                \
	"Call-ID: " cid "\n"                                            \
	"CSeq: 1 INVITE\n"                                              \
	"Contact: <sip:alice@10.1.0.2:5060>\n"                          \
	"Content-Length: 0\n\n"

#define CANCEL(ruri, to, cid)                                           \
	"CANCEL " ruri " SIP/2.0\n"                                     \
	"Via: SIP/2.0/UDP 10.1.0.2:5060;branch=z9hG4bK-" cid ";rport\n" \
	"Max-Forwards: 70\n"                                            \
	"From: <sip:alice@a.example>;tag=ua1\n"                         \
	"To: <" to ">\n"                                                \
	"Call-ID: " cid "\n"                                            \
	"CSeq: 1 CANCEL\n"                                              \
	"Content-Length: 0\n\n"

#define UA "10.1.0.2:5060"
#define T1 "10.9.0.11:5060"
#define T2 "10.9.0.12:5060"
#define T3 "10.9.0.13:5060"

/* Timers run out (64*T1 = 640 ms): nothing may be left. */
static void drained(FIXTURE_DATA(disc) * self, struct __test_metadata *_metadata)
{
	run_ms(self, 900);
	EXPECT_EQ(0, xbs_proxy_txn_count(self->p));
	EXPECT_EQ(0, xbs_proxy_call_count(self->p));
}

TEST_F(disc, failover_new_branch_per_target_and_cancel_follows) {
	const char *b1, *b2, *b3;
	int i1, i2, i3, k;

	inject(self, "inside", UA, INVITE("sip:bob@b.example", "sip:bob@b.example", "f1"));
	/* 100 Trying at once, the INVITE only once DNS answered */
	ASSERT_LE(0, find(self, UA, "SIP/2.0 100 "));
	EXPECT_EQ(-1, find(self, NULL, "INVITE "));
	EXPECT_EQ(1, xbs_proxy_call_count(self->p));
	i1 = wait_for(self, T1, "INVITE sip:bob@b.example ", 2000);
	ASSERT_LE(0, i1);
	EXPECT_LE(3, self->dns.queries); /* NAPTR, SRV, A (and AAAA) */
	EXPECT_STREQ("border", self->sent[i1].listener);
	b1 = branch_of(self, i1);

	/* ICMP unreachable: the next SRV target, new transaction, new branch */
	transport_error(self, i1);
	i2 = find(self, T2, "INVITE sip:bob@b.example ");
	ASSERT_LE(0, i2);
	b2 = branch_of(self, i2);
	EXPECT_STRNE(b1, b2);
	EXPECT_EQ(0, strncmp(b1, b2, strlen(b1)));
	EXPECT_STREQ(".1", b2 + strlen(b1));

	/* 503: acknowledged there, then the third target */
	respond_to(self, i2, T2, 503, "t2", NULL);
	ASSERT_LE(0, find(self, T2, "ACK "));
	EXPECT_NE(NULL, strstr(self->sent[find(self, T2, "ACK ")].buf, b2));
	i3 = find(self, T3, "INVITE sip:bob@b.example ");
	ASSERT_LE(0, i3);
	b3 = branch_of(self, i3);
	EXPECT_STREQ(".2", b3 + strlen(b1));
	/* the caller saw none of it */
	EXPECT_EQ(-1, find(self, UA, "SIP/2.0 5"));

	/* CANCEL after a provisional: to the current attempt, its branch */
	respond_to(self, i3, T3, 180, "t3", NULL);
	ASSERT_LE(0, find(self, UA, "SIP/2.0 180 "));
	inject(self, "inside", UA, CANCEL("sip:bob@b.example", "sip:bob@b.example", "f1"));
	ASSERT_LE(0, find(self, UA, "SIP/2.0 200 "));
	k = find(self, NULL, "CANCEL ");
	ASSERT_LE(0, k);
	EXPECT_EQ(k, find(self, T3, "CANCEL "));
	EXPECT_STREQ(b3, branch_of(self, k));
	respond_to(self, k, T3, 200, NULL, NULL);
	respond_to(self, i3, T3, 487, "t3", NULL);
	ASSERT_LE(0, find(self, UA, "SIP/2.0 487 "));
	EXPECT_EQ(1, count(self, UA, "SIP/2.0 487 "));

	/* the next call: the two failed destinations are blocklisted, so the
	 * third comes first (no DNS: cached) */
	clear_sent(self);
	k = (int)self->dns.queries;
	inject(self, "inside", UA, INVITE("sip:bob@b.example", "sip:bob@b.example", "f2"));
	ASSERT_LE(0, wait_for(self, NULL, "INVITE ", 2000));
	EXPECT_EQ(1, count(self, NULL, "INVITE "));
	EXPECT_LE(0, find(self, T3, "INVITE "));
	EXPECT_EQ(k, (int)self->dns.queries);
	respond_to(self, find(self, T3, "INVITE "), T3, 486, "t3b", NULL);
	ASSERT_LE(0, find(self, UA, "SIP/2.0 486 "));
	drained(self, _metadata);
}

TEST_F(disc, timeout_fails_over_but_not_after_a_provisional) {
	int i1, i2;

	inject(self, "inside", UA, INVITE("sip:bob@b.example", "sip:bob@b.example", "t1"));
	i1 = wait_for(self, T1, "INVITE ", 2000);
	ASSERT_LE(0, i1);
	/* silence: timer B (64*T1) ends the first attempt */
	i2 = wait_for(self, T2, "INVITE ", 2000);
	ASSERT_LE(0, i2);
	EXPECT_EQ(-1, find(self, UA, "SIP/2.0 408 "));
	EXPECT_STRNE(branch_of(self, i1), branch_of(self, i2));
	/* a ringing target that then fails is not replaced: 503 goes up as 500 */
	respond_to(self, i2, T2, 180, "r2", NULL);
	respond_to(self, i2, T2, 503, "r2", NULL);
	ASSERT_LE(0, find(self, UA, "SIP/2.0 500 "));
	EXPECT_EQ(-1, find(self, T3, "INVITE "));
	drained(self, _metadata);
}

TEST_F(disc, every_target_failing_gives_one_final_error) {
	int i;

	inject(self, "inside", UA,
	       "MESSAGE sip:bob@b.example SIP/2.0\n"
	       "Via: SIP/2.0/UDP 10.1.0.2:5060;branch=z9hG4bK-m1;rport\n"
	       "Max-Forwards: 70\nFrom: <sip:alice@a.example>;tag=m\nTo: <sip:bob@b.example>\n"
	       "Call-ID: m1\nCSeq: 1 MESSAGE\nContent-Length: 0\n\n");
	i = wait_for(self, T1, "MESSAGE ", 2000);
	ASSERT_LE(0, i);
	transport_error(self, i);
	i = find(self, T2, "MESSAGE ");
	ASSERT_LE(0, i);
	respond_to(self, i, T2, 503, "x", NULL);
	i = find(self, T3, "MESSAGE ");
	ASSERT_LE(0, i);
	transport_error(self, i);
	ASSERT_LE(0, find(self, UA, "SIP/2.0 503 "));
	EXPECT_EQ(1, count(self, UA, "SIP/2.0 5"));
	EXPECT_EQ(3, count(self, NULL, "MESSAGE "));
	drained(self, _metadata);
}

TEST_F(disc, enum_retargets_the_request) {
	int i;
	osip_message_t *m;

	inject(self, "inside", UA, INVITE("tel:+441632960123", "tel:+441632960123", "e1"));
	i = wait_for(self, T1, "INVITE ", 2000);
	ASSERT_LE(0, i);
	m = parse(self->sent[i].buf);
	ASSERT_NE(NULL, m);
	EXPECT_STREQ("sip", m->req_uri->scheme);
	EXPECT_STREQ("1632960123", m->req_uri->username);
	EXPECT_STREQ("b.example", m->req_uri->host);
	EXPECT_STREQ("tel", m->to->url->scheme); /* To stays as the caller wrote it */
	osip_message_free(m);
	respond_to(self, i, T1, 404, "e", NULL);
	ASSERT_LE(0, find(self, UA, "SIP/2.0 404 "));
	drained(self, _metadata);
}

TEST_F(disc, errors_say_why) {
	int i;

	/* no peer routes the domain */
	inject(self, "inside", UA, INVITE("sip:bob@nowhere.example", "sip:bob@x", "x1"));
	i = find(self, UA, "SIP/2.0 404 Not Found (no route to 'nowhere.example')");
	EXPECT_LE(0, i);
	/* an ENUM number with no entry */
	clear_sent(self);
	inject(self, "inside", UA, INVITE("tel:+441632960999", "tel:+441632960999", "x2"));
	i = wait_for(self, UA, "SIP/2.0 404 Not Found (ENUM: ", 2000);
	ASSERT_LE(0, i);
	EXPECT_NE(NULL, strstr(self->sent[i].buf, "no ENUM entry for +441632960999"));
	/* DNS failing (SERVFAIL): 503 naming it */
	clear_sent(self);
	inject(self, "inside", UA, INVITE("sip:bob@x.down.example", "sip:bob@x", "x3"));
	i = wait_for(self, UA, "SIP/2.0 503 Service Unavailable (DNS", 3000);
	ASSERT_LE(0, i);
	EXPECT_NE(NULL, strstr(self->sent[i].buf, "down.example"));
	EXPECT_EQ(-1, find(self, NULL, "INVITE "));
	drained(self, _metadata);
}

#define FP "10.9.0.80:5060"
#define SBEB "10.9.0.2:5060"

TEST_F(disc, federation_proxy_302_is_followed) {
	unsigned int q0 = self->dns.queries;
	char b1[128];
	json_t *j;
	int i, k;

	inject(self, "inside", UA, INVITE("sip:bob@fed.example", "sip:bob@fed.example", "fd1"));
	/* straight to the federation's proxy: no NAPTR/SRV/A (seed 000 7.1) */
	i = find(self, FP, "INVITE sip:bob@fed.example SIP/2.0");
	ASSERT_LE(0, i);
	snprintf(b1, sizeof(b1), "%s", branch_of(self, i));
	respond_to(self, i, FP, 302, "fp", "<sip:bob@10.9.0.2:5060>");
	/* the 302 is acknowledged there (same branch) and not passed up */
	k = find(self, FP, "ACK sip:bob@fed.example ");
	ASSERT_LE(0, k);
	EXPECT_STREQ(b1, branch_of(self, k));
	EXPECT_EQ(-1, find(self, UA, "SIP/2.0 3"));
	/* a new client transaction to the contact, which is the Request-URI */
	k = find(self, SBEB, "INVITE sip:bob@10.9.0.2:5060 SIP/2.0");
	ASSERT_LE(0, k);
	EXPECT_STRNE(b1, branch_of(self, k));
	EXPECT_STREQ("border", self->sent[k].listener);
	EXPECT_EQ(q0, self->dns.queries);
	respond_to(self, k, SBEB, 180, "b", NULL);
	respond_to(self, k, SBEB, 200, "b", "<sip:bob@10.2.0.2:5060>");
	ASSERT_LE(0, find(self, UA, "SIP/2.0 200 "));
	j = xbs_proxy_call_list(self->p);
	ASSERT_EQ(1, json_array_size(j));
	EXPECT_STREQ("fed-members",
		     json_string_value(json_object_get(json_array_get(j, 0), "callee_peer")));
	json_decref(j);
	j = xbs_proxy_call_end(self->p, "fd1");
	json_decref(j);
	/* (no Record-Route in this 200: the BYE goes to the callee's Contact) */
	ASSERT_LE(0, find(self, "10.2.0.2:5060", "BYE "));
	drained(self, _metadata);
}

TEST_F(disc, redirect_to_a_name_is_located) {
	int i;

	inject(self, "inside", UA, INVITE("sip:bob@fed.example", "sip:bob@fed.example", "fd2"));
	i = find(self, FP, "INVITE ");
	ASSERT_LE(0, i);
	respond_to(self, i, FP, 302, "fp", "<sip:bob@member.example>");
	/* the contact's own domain is located (RFC 3263: A, default port) */
	i = wait_for(self, "10.9.0.21:5060", "INVITE sip:bob@member.example SIP/2.0", 2000);
	ASSERT_LE(0, i);
	respond_to(self, i, "10.9.0.21:5060", 486, "m", NULL);
	ASSERT_LE(0, find(self, UA, "SIP/2.0 486 "));
	drained(self, _metadata);
}

TEST_F(disc, redirections_are_limited) {
	char tag[8];
	int n, i;

	inject(self, "inside", UA, INVITE("sip:bob@fed.example", "sip:bob@fed.example", "fd3"));
	/* a proxy redirecting to itself, over and over */
	for (n = 0; n < 6; n++) {
		i = find(self, FP, "INVITE ");
		ASSERT_LE(0, i);
		snprintf(tag, sizeof(tag), "r%d", n);
		respond_to(self, i, FP, 302, tag, "<sip:bob@10.9.0.80:5060>");
	}
	EXPECT_EQ(6, count(self, FP, "INVITE "));
	EXPECT_EQ(6, count(self, FP, "ACK "));
	ASSERT_LE(0, find(self, UA, "SIP/2.0 482 Loop Detected (more than 5 redirections)"));
	EXPECT_EQ(1, count(self, UA, "SIP/2.0 4"));
	drained(self, _metadata);
}

TEST_F(disc, a_request_uri_naming_us_is_for_our_domain) {
	int i;

	/* what a redirect server's Contact looks like when it reaches us */
	inject(self, "border", "10.9.0.7:5060",
	       INVITE("sip:alice@10.9.0.1:5060", "sip:alice@a.example", "u1"));
	i = find(self, UA, "INVITE sip:alice@10.9.0.1:5060 ");
	ASSERT_LE(0, i);
	EXPECT_STREQ("inside", self->sent[i].listener);
	respond_to(self, i, UA, 486, "u", NULL);
	drained(self, _metadata);
}

TEST_F(disc, peer_list_names_how_peers_are_found) {
	json_t *j = xbs_proxy_peer_list(self->p);
	size_t k;
	int seen = 0;

	ASSERT_NE(NULL, j);
	for (k = 0; k < json_array_size(j); k++) {
		json_t *o = json_array_get(j, k);
		const char *name = json_string_value(json_object_get(o, "name"));
		const char *nh = json_string_value(json_object_get(o, "next_hop"));
		const char *d = json_string_value(json_object_get(o, "discovery"));

		if (!strcmp(name, "ssp-b")) {
			EXPECT_STREQ("(dns)", nh);
			EXPECT_STREQ("dns", d);
			seen++;
		} else if (!strcmp(name, "fed-members")) {
			EXPECT_STREQ("10.9.0.80:5060", nh);
			EXPECT_STREQ("fedx", json_string_value(json_object_get(o, "federation")));
			seen++;
		} else if (!strcmp(name, "ssp-c")) {
			EXPECT_STREQ("10.9.0.3:5060", nh);
			EXPECT_STREQ("static", d);
			seen++;
		}
	}
	EXPECT_EQ(3, seen);
	json_decref(j);
}

/* xborderd as a federation's central proxy: 302 with the member's border
 * element (configured next hop, or RFC 3263's first target), nothing
 * forwarded, no call kept, the ACK absorbed. */
TEST(redirect_server_answers_302) {
	FIXTURE_DATA(disc) *s = calloc(1, sizeof(*s));
	osip_message_t *m;
	osip_contact_t *ct;
	int i;

	ASSERT_NE(NULL, s);
	setup(s, true, _metadata);
	inject(s, "border", "10.9.0.5:5060",
	       INVITE("sip:bob@c.example", "sip:bob@c.example", "rs1"));
	i = find(s, "10.9.0.5:5060", "SIP/2.0 302 ");
	ASSERT_LE(0, i);
	m = parse(s->sent[i].buf);
	ASSERT_NE(NULL, m);
	ct = osip_list_get(&m->contacts, 0);
	ASSERT_NE(NULL, ct);
	EXPECT_STREQ("bob", ct->url->username);
	EXPECT_STREQ("10.9.0.3", ct->url->host);
	EXPECT_STREQ("5060", ct->url->port);
	EXPECT_EQ(0, osip_list_size(&m->record_routes));
	osip_message_free(m);
	EXPECT_EQ(-1, find(s, NULL, "INVITE "));
	EXPECT_EQ(0, xbs_proxy_call_count(s->p));
	/* the ACK for the 302 ends the server transaction here */
	i = s->n_sent;
	inject(s, "border", "10.9.0.5:5060",
	       "ACK sip:bob@c.example SIP/2.0\n"
	       "Via: SIP/2.0/UDP 10.1.0.2:5060;branch=z9hG4bK-rs1;rport\n"
	       "Max-Forwards: 70\nFrom: <sip:alice@a.example>;tag=ua1\n"
	       "To: <sip:bob@c.example>;tag=x\nCall-ID: rs1\nCSeq: 1 ACK\nContent-Length: 0\n\n");
	EXPECT_EQ(i, s->n_sent);

	/* a member found by DNS: the first target of RFC 3263 */
	clear_sent(s);
	inject(s, "border", "10.9.0.5:5060",
	       INVITE("sip:bob@b.example", "sip:bob@b.example", "rs2"));
	i = wait_for(s, "10.9.0.5:5060", "SIP/2.0 302 ", 2000);
	ASSERT_LE(0, i);
	m = parse(s->sent[i].buf);
	ASSERT_NE(NULL, m);
	ct = osip_list_get(&m->contacts, 0);
	ASSERT_NE(NULL, ct);
	EXPECT_STREQ("10.9.0.11", ct->url->host);
	EXPECT_STREQ("5060", ct->url->port);
	osip_message_free(m);
	/* in-dialog requests have nothing to do here */
	inject(s, "border", "10.9.0.5:5060",
	       "BYE sip:bob@c.example SIP/2.0\n"
	       "Via: SIP/2.0/UDP 10.9.0.5:5060;branch=z9hG4bK-rs3\n"
	       "Max-Forwards: 70\nFrom: <sip:alice@a.example>;tag=ua1\n"
	       "To: <sip:bob@c.example>;tag=x\nCall-ID: rs3\nCSeq: 2 BYE\nContent-Length: 0\n\n");
	EXPECT_LE(0, find(s, "10.9.0.5:5060", "SIP/2.0 403 "));
	EXPECT_EQ(-1, find(s, NULL, "INVITE "));
	drained(s, _metadata);
	xbs_proxy_free(s->p);
	xb_resolver_free(s->res);
	clear_sent(s);
	xbd_config_free(&s->cfg);
	xb_loop_del_fd(s->loop, s->dns.fd);
	close(s->dns.fd);
	xb_loop_free(s->loop);
	free(s);
}

TEST_HARNESS_MAIN
