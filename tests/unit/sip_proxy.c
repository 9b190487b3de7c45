// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The SIP proxy core against a fake transport that captures what it sends
 * and a fake media layer: the basic call flow with double record-routing
 * and SDP anchoring, CANCEL, timeouts, transport errors, retransmissions,
 * RFC 6026 2xx handling, the 4xx/5xx it generates itself, the call table
 * and that nothing (transactions, contexts, calls) is left behind.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <osipparser2/osip_port.h>

#include "config/config.h"
#include "evloop/evloop.h"
#include "kselftest_harness.h"
#include "sip/message.h"
#include "sip/proxy.h"

/* where established calls are kept; the default one does not exist, so
 * only the restart test persists */
static char state_dir[64] = "/nonexistent-xb";

static void conf_fill(char *text, size_t size, const char *mode_b, const char *mode_in)
{
	snprintf(
		text, size,
		"xborderd = { domain = \"a.example\"; state_dir = \"%s\"; max_calls = 3; };\n"
		"media = ( { name = \"inside\"; address = \"10.1.0.1\"; ports = \"20000-20099\"; },\n"
		"          { name = \"border\"; address = \"10.9.0.1\"; ports = \"30000-30099\"; } );\n"
		"listeners = (\n"
		"  { name = \"inside\"; transport = \"udp\"; address = \"10.1.0.1\"; port = 5060;"
		"    media = \"inside\"; },\n"
		"  { name = \"border\"; transport = \"udp\"; address = \"10.9.0.1\"; port = 5060;"
		"    media = \"border\"; } );\n"
		"peers = (\n"
		"  { name = \"ssp-b\"; domains = [ \"b.example\" ]; next_hop = \"10.9.0.2:5060\";"
		"    listener = \"border\"; media = \"border\"; media_mode = \"%s\"; },\n"
		"  { name = \"inside\"; domains = [ \"a.example\" ]; next_hop = \"10.1.0.2:5060\";"
		"    listener = \"inside\"; media = \"inside\"; media_mode = \"%s\";"
		"    prefixes = [ \"10.1.0.0/24\" ]; } );\n"
		"timers = { t1_ms = 10; t2_ms = 40; t4_ms = 20; timer_c_s = 1; };\n",
		state_dir, mode_b, mode_in);
}

#define MAX_SENT 256

struct sent {
	char listener[64];
	struct xb_endpoint dest;
	uint64_t tag;
	char *buf;
};

struct fake_media {
	int offers, answers, deletes;
	int fail; /* -errno for the next offer/answer */
	char last_from_iface[64], last_to_iface[64], last_from_tag[64];
};

FIXTURE(proxy) {
	struct xb_loop *loop;
	struct xbd_config cfg;
	struct xbs_proxy *p;
	struct sent sent[MAX_SENT];
	int n_sent;
	struct fake_media media;
};

static int fake_send(void *arg, const struct xbd_listener *from, const struct xb_endpoint *dest,
		     uint64_t conn_id, uint64_t tag, const char *msg, size_t len)
{
	FIXTURE_DATA(proxy) *self = arg;
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

static int fake_rewrite(void *arg, const struct xbm_req *req, char **out, size_t *out_len,
			bool answer)
{
	struct fake_media *m = arg;
	char buf[512];

	if (m->fail) {
		int e = m->fail;

		m->fail = 0;
		return e;
	}
	if (answer)
		m->answers++;
	else
		m->offers++;
	snprintf(m->last_from_iface, sizeof(m->last_from_iface), "%s", req->from.iface);
	snprintf(m->last_to_iface, sizeof(m->last_to_iface), "%s", req->to.iface);
	snprintf(m->last_from_tag, sizeof(m->last_from_tag), "%s", req->from_tag);
	snprintf(buf, sizeof(buf),
		 "v=0\r\no=- 1 1 IN IP4 192.0.2.99\r\ns=%s-%s\r\nc=IN IP4 192.0.2.99\r\n"
		 "t=0 0\r\nm=audio 30000 RTP/AVP 0\r\n",
		 answer ? "answer" : "offer", req->to.iface);
	*out = strdup(buf);
	*out_len = strlen(buf);
	return 0;
}

static int fake_offer(void *arg, const struct xbm_req *req, char **out, size_t *out_len)
{
	return fake_rewrite(arg, req, out, out_len, false);
}

static int fake_answer(void *arg, const struct xbm_req *req, char **out, size_t *out_len)
{
	return fake_rewrite(arg, req, out, out_len, true);
}

static int fake_del(void *arg, const char *call_id, const char *tag)
{
	((struct fake_media *)arg)->deletes++;
	return 0;
}

static const struct xbs_media_ops fake_ops = {
	.offer = fake_offer,
	.answer = fake_answer,
	.del = fake_del,
};

static void setup_with(FIXTURE_DATA(proxy) * self, const char *mode_b, const char *mode_in,
		       struct __test_metadata *_metadata)
{
	char text[4096];
	struct xbs_proxy_opts o = { 0 };

	conf_fill(text, sizeof(text), mode_b, mode_in);
	self->loop = xb_loop_new();
	ASSERT_NE(NULL, self->loop);
	ASSERT_EQ(0, xbd_config_parse(text, "test.conf", &self->cfg));
	o.loop = self->loop;
	o.cfg = &self->cfg;
	o.send = fake_send;
	o.send_arg = self;
	o.media = &fake_ops;
	o.media_arg = &self->media;
	o.persist = strcmp(state_dir, "/nonexistent-xb") != 0;
	self->p = xbs_proxy_new(&o);
	ASSERT_NE(NULL, self->p);
}

FIXTURE_SETUP(proxy) {
	memset(self, 0, sizeof(*self));
	setup_with(self, "relay", "relay", _metadata);
}

static void clear_sent(FIXTURE_DATA(proxy) * self)
{
	int i;

	for (i = 0; i < self->n_sent; i++)
		free(self->sent[i].buf);
	self->n_sent = 0;
}

FIXTURE_TEARDOWN(proxy) {
	xbs_proxy_free(self->p);
	clear_sent(self);
	xbd_config_free(&self->cfg);
	xb_loop_free(self->loop);
}

/* Injects a message written with \n line ends; Content-Length is added
 * (unless the text has one) for the body after the blank line. */
static void inject(FIXTURE_DATA(proxy) * self, const char *listener, const char *from,
		   const char *fmt, ...)
{
	static char raw[8192], crlf[17000], out[17100];
	struct xbs_source src = { 0 };
	const char *sep;
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
	sep = strstr(crlf, "\r\n\r\n");
	if (sep && !strstr(crlf, "Content-Length"))
		snprintf(out, sizeof(out), "%.*sContent-Length: %zu\r\n\r\n%s",
			 (int)(sep - crlf + 2), crlf, strlen(sep + 4), sep + 4);
	else
		snprintf(out, sizeof(out), "%s", crlf);
	src.listener = xbd_config_listener(&self->cfg, listener);
	src.transport = src.listener->transport;
	xb_parse_endpoint(from, &src.remote);
	src.local = src.listener->local;
	xbs_proxy_receive(self->p, out, strlen(out), &src);
}

/* The index of the last message sent to DEST whose first line starts with
 * PREFIX, or -1. */
static int find(FIXTURE_DATA(proxy) * self, const char *dest, const char *prefix)
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

static int count(FIXTURE_DATA(proxy) * self, const char *dest, const char *prefix)
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

/* A response to captured request I, as its next hop would send it:
 * RECORD_ROUTE copied from the request, a Contact and SDP when asked. */
static void respond_to(FIXTURE_DATA(proxy) * self, int i, const char *listener, const char *from,
		       int code, const char *totag, const char *contact, const char *sdp)
{
	osip_message_t *req = parse(self->sent[i].buf), *r;
	char *buf;
	size_t len;
	struct xbs_source src = { 0 };
	int k;

	r = xbs_msg_response(req, code, NULL, totag);
	for (k = 0; k < osip_list_size(&req->record_routes); k++) {
		osip_record_route_t *rr, *c;

		rr = osip_list_get(&req->record_routes, k);
		osip_record_route_clone(rr, &c);
		osip_list_add(&r->record_routes, c, -1);
	}
	if (contact)
		osip_message_set_contact(r, contact);
	if (sdp) {
		osip_message_set_content_type(r, "application/sdp");
		xbs_msg_set_sdp(r, sdp, strlen(sdp));
	}
	xbs_msg_to_buf(r, &buf, &len);
	src.listener = xbd_config_listener(&self->cfg, listener);
	src.transport = src.listener->transport;
	xb_parse_endpoint(from, &src.remote);
	xbs_proxy_receive(self->p, buf, len, &src);
	osip_free(buf);
	osip_message_free(r);
	osip_message_free(req);
}

static void run_ms(FIXTURE_DATA(proxy) * self, int ms)
{
	uint64_t end = xb_now_ns() + (uint64_t)ms * 1000000;

	while (xb_now_ns() < end)
		xb_loop_once(self->loop, 5);
}

#define SDP_A \
	"v=0\no=- 1 1 IN IP4 10.1.0.2\ns=-\nc=IN IP4 10.1.0.2\nt=0 0\nm=audio 4000 RTP/AVP 0\n"
#define SDP_B \
	"v=0\r\no=- 2 2 IN IP4 10.9.0.2\r\ns=-\r\nc=IN IP4 10.9.0.2\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n"

#define INVITE(cid, branch, extra, body)                                               \
	"INVITE sip:bob@b.example SIP/2.0\n"                                           \
	"Via: SIP/2.0/UDP 10.1.0.2:5060;branch=" branch ";rport\n"                     \
	"Max-Forwards: 70\n"                                                           \
	"From: \"Alice\" <sip:alice@a.example>;tag=ua1\n"                              \
	"To: <sip:bob@b.example>\n"                                                    \
	"Call-ID: " cid "\n"                                                           \
	"CSeq: 1 INVITE\n"                                                             \
	"Contact: <sip:alice@10.1.0.2:5060>\n" extra "Content-Type: application/sdp\n" \
	"\n" body

/* Runs INVITE / 100 / 180 / 200 / ACK and leaves the call established. */
static void establish(FIXTURE_DATA(proxy) * self, struct __test_metadata *_metadata,
		      const char *cid)
{
	char inv[2048];
	int i;

	snprintf(inv, sizeof(inv), INVITE("%s", "z9hG4bK-ua-%s", "", SDP_A), cid, cid);
	inject(self, "inside", "10.1.0.2:5060", "%s", inv);
	ASSERT_LE(0, find(self, "10.1.0.2:5060", "SIP/2.0 100 "));
	i = find(self, "10.9.0.2:5060", "INVITE ");
	ASSERT_LE(0, i);
	respond_to(self, i, "border", "10.9.0.2:5060", 180, "cal1", "<sip:bob@10.9.0.2:5060>",
		   NULL);
	respond_to(self, i, "border", "10.9.0.2:5060", 200, "cal1", "<sip:bob@10.9.0.2:5060>",
		   SDP_B);
	ASSERT_LE(0, find(self, "10.1.0.2:5060", "SIP/2.0 200 "));
	inject(self, "inside", "10.1.0.2:5060",
	       "ACK sip:bob@10.9.0.2:5060 SIP/2.0\n"
	       "Via: SIP/2.0/UDP 10.1.0.2:5060;branch=z9hG4bK-ack-%s\n"
	       "Max-Forwards: 70\n"
	       "Route: <sip:10.1.0.1:5060;lr>, <sip:10.9.0.1:5060;lr>\n"
	       "From: \"Alice\" <sip:alice@a.example>;tag=ua1\n"
	       "To: <sip:bob@b.example>;tag=cal1\n"
	       "Call-ID: %s\nCSeq: 1 ACK\n\n",
	       cid, cid);
}

TEST_F(proxy, basic_call_double_rr_and_media) {
	osip_message_t *m;
	osip_via_t *via;
	osip_record_route_t *rr;
	osip_header_t *h;
	const char *b;
	size_t blen;
	int i;

	inject(self, "inside", "10.1.0.2:5060", INVITE("c1@x", "z9hG4bK-ua-1", "", SDP_A));
	i = find(self, "10.1.0.2:5060", "SIP/2.0 100 Trying");
	ASSERT_LE(0, i);
	EXPECT_STREQ("inside", self->sent[i].listener);
	i = find(self, "10.9.0.2:5060", "INVITE sip:bob@b.example SIP/2.0");
	ASSERT_LE(0, i);
	EXPECT_STREQ("border", self->sent[i].listener);
	m = parse(self->sent[i].buf);
	ASSERT_NE(NULL, m);
	/* our Via on top, for the border listener, with a computed branch */
	via = osip_list_get(&m->vias, 0);
	EXPECT_STREQ("10.9.0.1", via->host);
	EXPECT_EQ(0, strncmp(xbs_via_param(via, "branch"), "z9hG4bKxb", 9));
	/* the UA's Via got received and rport */
	via = osip_list_get(&m->vias, 1);
	EXPECT_STREQ("5060", xbs_via_param(via, "rport"));
	EXPECT_STREQ("10.1.0.2", xbs_via_param(via, "received"));
	/* double record-route: border on top, inside below */
	ASSERT_EQ(2, osip_list_size(&m->record_routes));
	rr = osip_list_get(&m->record_routes, 0);
	EXPECT_STREQ("10.9.0.1", rr->url->host);
	rr = osip_list_get(&m->record_routes, 1);
	EXPECT_STREQ("10.1.0.1", rr->url->host);
	ASSERT_EQ(0, osip_message_get_max_forwards(m, 0, &h));
	EXPECT_STREQ("69", h->hvalue);
	/* SDP offered to the media layer from inside toward border */
	ASSERT_TRUE(xbs_msg_sdp(m, &b, &blen));
	EXPECT_NE(NULL, strstr(b, "s=offer-border"));
	EXPECT_EQ(1, self->media.offers);
	EXPECT_STREQ("inside", self->media.last_from_iface);
	EXPECT_STREQ("border", self->media.last_to_iface);
	EXPECT_STREQ("ua1", self->media.last_from_tag);
	osip_message_free(m);
	EXPECT_EQ(1, xbs_proxy_call_count(self->p));

	respond_to(self, i, "border", "10.9.0.2:5060", 180, "cal1", "<sip:bob@10.9.0.2:5060>",
		   NULL);
	ASSERT_LE(0, find(self, "10.1.0.2:5060", "SIP/2.0 180 Ringing"));
	respond_to(self, i, "border", "10.9.0.2:5060", 200, "cal1", "<sip:bob@10.9.0.2:5060>",
		   SDP_B);
	i = find(self, "10.1.0.2:5060", "SIP/2.0 200 OK");
	ASSERT_LE(0, i);
	m = parse(self->sent[i].buf);
	ASSERT_NE(NULL, m);
	EXPECT_EQ(1, osip_list_size(&m->vias)); /* ours removed */
	ASSERT_TRUE(xbs_msg_sdp(m, &b, &blen));
	EXPECT_NE(NULL, strstr(b, "s=answer-inside"));
	EXPECT_EQ(1, self->media.answers);
	EXPECT_STREQ("border", self->media.last_from_iface);
	EXPECT_STREQ("cal1", self->media.last_from_tag);
	osip_message_free(m);

	/* ACK for 2xx with both of our Route entries: forwarded statelessly */
	clear_sent(self);
	inject(self, "inside", "10.1.0.2:5060",
	       "ACK sip:bob@10.9.0.2:5060 SIP/2.0\n"
	       "Via: SIP/2.0/UDP 10.1.0.2:5060;branch=z9hG4bK-ack-1\n"
	       "Max-Forwards: 70\n"
	       "Route: <sip:10.1.0.1:5060;lr>, <sip:10.9.0.1:5060;lr>\n"
	       "From: \"Alice\" <sip:alice@a.example>;tag=ua1\n"
	       "To: <sip:bob@b.example>;tag=cal1\n"
	       "Call-ID: c1@x\nCSeq: 1 ACK\n\n");
	i = find(self, "10.9.0.2:5060", "ACK sip:bob@10.9.0.2:5060");
	ASSERT_LE(0, i);
	m = parse(self->sent[i].buf);
	EXPECT_EQ(0, osip_list_size(&m->routes));
	EXPECT_EQ(2, osip_list_size(&m->vias));
	osip_message_free(m);

	/* BYE from the callee, routed back through both entries */
	inject(self, "border", "10.9.0.2:5060",
	       "BYE sip:alice@10.1.0.2:5060 SIP/2.0\n"
	       "Via: SIP/2.0/UDP 10.9.0.2:5060;branch=z9hG4bK-bye-1\n"
	       "Max-Forwards: 70\n"
	       "Route: <sip:10.9.0.1:5060;lr>, <sip:10.1.0.1:5060;lr>\n"
	       "From: <sip:bob@b.example>;tag=cal1\n"
	       "To: \"Alice\" <sip:alice@a.example>;tag=ua1\n"
	       "Call-ID: c1@x\nCSeq: 7 BYE\n\n");
	i = find(self, "10.1.0.2:5060", "BYE sip:alice@10.1.0.2:5060");
	ASSERT_LE(0, i);
	EXPECT_STREQ("inside", self->sent[i].listener);
	respond_to(self, i, "inside", "10.1.0.2:5060", 200, NULL, NULL, NULL);
	ASSERT_LE(0, find(self, "10.9.0.2:5060", "SIP/2.0 200 OK"));
	EXPECT_EQ(0, xbs_proxy_call_count(self->p));
	EXPECT_EQ(1, self->media.deletes);
	/* timers run out: no transaction or context is left */
	run_ms(self, 800);
	EXPECT_EQ(0, xbs_proxy_txn_count(self->p));
}

TEST_F(proxy, retransmissions_are_absorbed) {
	int i;

	inject(self, "inside", "10.1.0.2:5060", INVITE("c2@x", "z9hG4bK-ua-2", "", SDP_A));
	inject(self, "inside", "10.1.0.2:5060", INVITE("c2@x", "z9hG4bK-ua-2", "", SDP_A));
	EXPECT_EQ(1, count(self, "10.9.0.2:5060", "INVITE "));
	EXPECT_EQ(2, count(self, "10.1.0.2:5060", "SIP/2.0 100 "));
	EXPECT_EQ(1, self->media.offers);
	i = find(self, "10.9.0.2:5060", "INVITE ");
	/* the downstream 200 retransmitted after the ICT ended goes up again
	 * (RFC 6026), and a late INVITE retransmission is still absorbed */
	respond_to(self, i, "border", "10.9.0.2:5060", 200, "cal2", "<sip:bob@10.9.0.2>", SDP_B);
	respond_to(self, i, "border", "10.9.0.2:5060", 200, "cal2", "<sip:bob@10.9.0.2>", SDP_B);
	EXPECT_EQ(2, count(self, "10.1.0.2:5060", "SIP/2.0 200 "));
	EXPECT_EQ(1, self->media.answers);
	inject(self, "inside", "10.1.0.2:5060", INVITE("c2@x", "z9hG4bK-ua-2", "", SDP_A));
	EXPECT_EQ(1, count(self, "10.9.0.2:5060", "INVITE "));
	/* UDP: the request is retransmitted downstream until answered */
	clear_sent(self);
	inject(self, "inside", "10.1.0.2:5060", INVITE("c3@x", "z9hG4bK-ua-3", "", SDP_A));
	run_ms(self, 60);
	EXPECT_LE(3, count(self, "10.9.0.2:5060", "INVITE "));
}

TEST_F(proxy, cancel_before_answer) {
	int i, k;
	osip_message_t *inv, *can;

	inject(self, "inside", "10.1.0.2:5060", INVITE("c4@x", "z9hG4bK-ua-4", "", SDP_A));
	i = find(self, "10.9.0.2:5060", "INVITE ");
	ASSERT_LE(0, i);
	/* CANCEL before any provisional: answered, but not sent on yet (9.1) */
	inject(self, "inside", "10.1.0.2:5060",
	       "CANCEL sip:bob@b.example SIP/2.0\n"
	       "Via: SIP/2.0/UDP 10.1.0.2:5060;branch=z9hG4bK-ua-4;rport\n"
	       "Max-Forwards: 70\n"
	       "From: \"Alice\" <sip:alice@a.example>;tag=ua1\n"
	       "To: <sip:bob@b.example>\n"
	       "Call-ID: c4@x\nCSeq: 1 CANCEL\n\n");
	ASSERT_LE(0, find(self, "10.1.0.2:5060", "SIP/2.0 200 OK"));
	EXPECT_EQ(-1, find(self, "10.9.0.2:5060", "CANCEL "));
	respond_to(self, i, "border", "10.9.0.2:5060", 180, "cal4", NULL, NULL);
	k = find(self, "10.9.0.2:5060", "CANCEL ");
	ASSERT_LE(0, k);
	inv = parse(self->sent[i].buf);
	can = parse(self->sent[k].buf);
	/* same branch and destination as the INVITE */
	EXPECT_STREQ(xbs_via_param(osip_list_get(&inv->vias, 0), "branch"),
		     xbs_via_param(osip_list_get(&can->vias, 0), "branch"));
	EXPECT_EQ(1, osip_list_size(&can->vias));
	osip_message_free(inv);
	osip_message_free(can);
	respond_to(self, k, "border", "10.9.0.2:5060", 200, NULL, NULL, NULL);
	respond_to(self, i, "border", "10.9.0.2:5060", 487, "cal4", NULL, NULL);
	ASSERT_LE(0, find(self, "10.1.0.2:5060", "SIP/2.0 487 "));
	/* the ICT acknowledged the 487 itself */
	ASSERT_LE(0, find(self, "10.9.0.2:5060", "ACK "));
	EXPECT_EQ(0, xbs_proxy_call_count(self->p));
	EXPECT_EQ(1, self->media.deletes);
	/* the caller's ACK for the 487 is absorbed, not forwarded */
	clear_sent(self);
	inject(self, "inside", "10.1.0.2:5060",
	       "ACK sip:bob@b.example SIP/2.0\n"
	       "Via: SIP/2.0/UDP 10.1.0.2:5060;branch=z9hG4bK-ua-4;rport\n"
	       "Max-Forwards: 70\n"
	       "From: \"Alice\" <sip:alice@a.example>;tag=ua1\n"
	       "To: <sip:bob@b.example>;tag=cal4\n"
	       "Call-ID: c4@x\nCSeq: 1 ACK\n\n");
	EXPECT_EQ(0, self->n_sent);
	run_ms(self, 800);
	EXPECT_EQ(0, xbs_proxy_txn_count(self->p));
}

TEST_F(proxy, busy_is_forwarded_and_ends_the_call) {
	int i;

	inject(self, "inside", "10.1.0.2:5060", INVITE("c5@x", "z9hG4bK-ua-5", "", SDP_A));
	i = find(self, "10.9.0.2:5060", "INVITE ");
	respond_to(self, i, "border", "10.9.0.2:5060", 486, "cal5", NULL, NULL);
	ASSERT_LE(0, find(self, "10.1.0.2:5060", "SIP/2.0 486 Busy Here"));
	EXPECT_EQ(0, xbs_proxy_call_count(self->p));
	/* a 503 from downstream goes up as 500 (16.7 step 6) */
	inject(self, "inside", "10.1.0.2:5060", INVITE("c6@x", "z9hG4bK-ua-6", "", SDP_A));
	i = find(self, "10.9.0.2:5060", "INVITE ");
	respond_to(self, i, "border", "10.9.0.2:5060", 503, "cal6", NULL, NULL);
	ASSERT_LE(0, find(self, "10.1.0.2:5060", "SIP/2.0 500 "));
}

TEST_F(proxy, unanswered_invite_times_out_with_408) {
	inject(self, "inside", "10.1.0.2:5060", INVITE("c7@x", "z9hG4bK-ua-7", "", SDP_A));
	run_ms(self, 64 * 10 + 200); /* timer B = 64 T1 */
	ASSERT_LE(0, find(self, "10.1.0.2:5060", "SIP/2.0 408 "));
	EXPECT_EQ(0, xbs_proxy_call_count(self->p));
	EXPECT_EQ(1, self->media.deletes);
}

TEST_F(proxy, timer_c_cancels_a_ringing_call) {
	int i;

	inject(self, "inside", "10.1.0.2:5060", INVITE("c8@x", "z9hG4bK-ua-8", "", SDP_A));
	i = find(self, "10.9.0.2:5060", "INVITE ");
	respond_to(self, i, "border", "10.9.0.2:5060", 180, "cal8", NULL, NULL);
	run_ms(self, 1300); /* timer_c_s = 1 */
	ASSERT_LE(0, find(self, "10.1.0.2:5060", "SIP/2.0 408 "));
	ASSERT_LE(0, find(self, "10.9.0.2:5060", "CANCEL "));
	EXPECT_EQ(0, xbs_proxy_call_count(self->p));
}

TEST_F(proxy, transport_error_gives_503) {
	int i;

	inject(self, "inside", "10.1.0.2:5060", INVITE("c9@x", "z9hG4bK-ua-9", "", SDP_A));
	i = find(self, "10.9.0.2:5060", "INVITE ");
	ASSERT_LE(0, i);
	ASSERT_NE(0, self->sent[i].tag);
	xbs_proxy_transport_error(self->p, &self->sent[i].dest, XBD_TRANSPORT_UDP,
				  self->sent[i].tag, -ECONNREFUSED);
	ASSERT_LE(0, find(self, "10.1.0.2:5060", "SIP/2.0 503 "));
	EXPECT_EQ(0, xbs_proxy_call_count(self->p));
}

TEST_F(proxy, generated_errors) {
	/* unparseable: 400 with the reason, built from the raw bytes */
	inject(self, "inside", "10.1.0.2:5060",
	       "OPTIONS sip:bob@b.example SIP/2.0\nVia: SIP/2.0/UDP 10.1.0.2;branch=z9hG4bKe1\n"
	       "From: <sip:a@a.example>;tag=1\nTo: <sip:bob@b.example>\nCall-ID: e1\n"
	       "CSeq: nonsense\n\n");
	ASSERT_LE(0, find(self, "10.1.0.2:5060", "SIP/2.0 400 Bad Request (unparseable"));
	/* missing Call-ID */
	inject(self, "inside", "10.1.0.2:5060",
	       "OPTIONS sip:bob@b.example SIP/2.0\nVia: SIP/2.0/UDP 10.1.0.2;branch=z9hG4bKe2\n"
	       "From: <sip:a@a.example>;tag=1\nTo: <sip:bob@b.example>\nCSeq: 1 OPTIONS\n\n");
	ASSERT_LE(0, find(self, "10.1.0.2:5060", "SIP/2.0 400 Bad Request (missing Call-ID)"));
	/* CSeq method differs */
	inject(self, "inside", "10.1.0.2:5060",
	       "OPTIONS sip:bob@b.example SIP/2.0\nVia: SIP/2.0/UDP 10.1.0.2;branch=z9hG4bKe3\n"
	       "From: <sip:a@a.example>;tag=1\nTo: <sip:bob@b.example>\nCall-ID: e3\n"
	       "CSeq: 1 INVITE\n\n");
	ASSERT_LE(0, find(self, "10.1.0.2:5060", "SIP/2.0 400 Bad Request (CSeq method"));
	/* Content-Length beyond the datagram */
	inject(self, "inside", "10.1.0.2:5060",
	       "OPTIONS sip:bob@b.example SIP/2.0\nVia: SIP/2.0/UDP 10.1.0.2;branch=z9hG4bKe4\n"
	       "From: <sip:a@a.example>;tag=1\nTo: <sip:bob@b.example>\nCall-ID: e4\n"
	       "CSeq: 1 OPTIONS\nContent-Length: 500\n\nabc");
	ASSERT_LE(0, find(self, "10.1.0.2:5060", "SIP/2.0 400 Bad Request (Content-Length"));
	/* SIP/3.0 */
	inject(self, "inside", "10.1.0.2:5060",
	       "OPTIONS sip:bob@b.example SIP/3.0\nVia: SIP/2.0/UDP 10.1.0.2;branch=z9hG4bKe5\n"
	       "From: <sip:a@a.example>;tag=1\nTo: <sip:bob@b.example>\nCall-ID: e5\n"
	       "CSeq: 1 OPTIONS\n\n");
	ASSERT_LE(0, find(self, "10.1.0.2:5060", "SIP/2.0 505 "));
	/* mailto: */
	inject(self, "inside", "10.1.0.2:5060",
	       "OPTIONS mailto:bob@b.example SIP/2.0\nVia: SIP/2.0/UDP 10.1.0.2;branch=z9hG4bKe6\n"
	       "From: <sip:a@a.example>;tag=1\nTo: <sip:bob@b.example>\nCall-ID: e6\n"
	       "CSeq: 1 OPTIONS\n\n");
	ASSERT_LE(0, find(self, "10.1.0.2:5060", "SIP/2.0 416 "));
	/* Proxy-Require: 420 naming it */
	inject(self, "inside", "10.1.0.2:5060",
	       "OPTIONS sip:bob@b.example SIP/2.0\nVia: SIP/2.0/UDP 10.1.0.2;branch=z9hG4bKe7\n"
	       "From: <sip:a@a.example>;tag=1\nTo: <sip:bob@b.example>\nCall-ID: e7\n"
	       "CSeq: 1 OPTIONS\nProxy-Require: foo\nMax-Forwards: 5\n\n");
	ASSERT_LE(0, find(self, "10.1.0.2:5060", "SIP/2.0 420 "));
	EXPECT_NE(NULL,
		  strstr(self->sent[find(self, NULL, "SIP/2.0 420")].buf, "Unsupported: foo"));
	/* Max-Forwards 0: 483, but OPTIONS is answered */
	inject(self, "inside", "10.1.0.2:5060",
	       "INFO sip:bob@b.example SIP/2.0\nVia: SIP/2.0/UDP 10.1.0.2;branch=z9hG4bKe8\n"
	       "From: <sip:a@a.example>;tag=1\nTo: <sip:bob@b.example>\nCall-ID: e8\n"
	       "CSeq: 1 INFO\nMax-Forwards: 0\n\n");
	ASSERT_LE(0, find(self, "10.1.0.2:5060", "SIP/2.0 483 "));
	inject(self, "inside", "10.1.0.2:5060",
	       "OPTIONS sip:bob@b.example SIP/2.0\nVia: SIP/2.0/UDP 10.1.0.2;branch=z9hG4bKe9\n"
	       "From: <sip:a@a.example>;tag=1\nTo: <sip:bob@b.example>\nCall-ID: e9\n"
	       "CSeq: 1 OPTIONS\nMax-Forwards: 0\n\n");
	ASSERT_LE(0, find(self, "10.1.0.2:5060", "SIP/2.0 200 "));
	/* no route */
	inject(self, "inside", "10.1.0.2:5060",
	       "MESSAGE sip:bob@c.example SIP/2.0\nVia: SIP/2.0/UDP 10.1.0.2;branch=z9hG4bKe10\n"
	       "From: <sip:a@a.example>;tag=1\nTo: <sip:bob@c.example>\nCall-ID: e10\n"
	       "CSeq: 1 MESSAGE\n\n");
	ASSERT_LE(0, find(self, "10.1.0.2:5060", "SIP/2.0 404 "));
	/* garbage and no Via: nothing can be answered */
	clear_sent(self);
	inject(self, "inside", "10.1.0.2:5060", "\x01\x02garbage\xff\n\n");
	inject(self, "inside", "10.1.0.2:5060",
	       "OPTIONS sip:bob@b.example SIP/2.0\nFrom: <sip:a@a.example>;tag=1\n"
	       "To: <sip:bob@b.example>\nCall-ID: e11\nCSeq: 1 OPTIONS\n\n");
	EXPECT_EQ(0, self->n_sent);
	EXPECT_EQ(0, xbs_proxy_call_count(self->p));
}

TEST_F(proxy, loop_is_detected) {
	int i;
	osip_message_t *m;
	char *buf;
	size_t len;
	struct xbs_source src = { 0 };

	inject(self, "inside", "10.1.0.2:5060",
	       "MESSAGE sip:bob@b.example SIP/2.0\nVia: SIP/2.0/UDP 10.1.0.2;branch=z9hG4bKl1\n"
	       "From: <sip:a@a.example>;tag=1\nTo: <sip:bob@b.example>\nCall-ID: l1\n"
	       "CSeq: 1 MESSAGE\nMax-Forwards: 70\n\n");
	i = find(self, "10.9.0.2:5060", "MESSAGE ");
	ASSERT_LE(0, i);
	/* the same request comes back to us unchanged */
	m = parse(self->sent[i].buf);
	xbs_msg_to_buf(m, &buf, &len);
	src.listener = xbd_config_listener(&self->cfg, "border");
	xb_parse_endpoint("10.9.0.2:5060", &src.remote);
	xbs_proxy_receive(self->p, buf, len, &src);
	ASSERT_LE(0, find(self, "10.9.0.2:5060", "SIP/2.0 482 "));
	osip_free(buf);
	osip_message_free(m);
}

TEST_F(proxy, call_limit_and_call_end) {
	json_t *j;
	int i;

	establish(self, _metadata, "e-1");
	establish(self, _metadata, "e-2");
	establish(self, _metadata, "e-3");
	EXPECT_EQ(3, xbs_proxy_call_count(self->p));
	inject(self, "inside", "10.1.0.2:5060", INVITE("e-4", "z9hG4bK-ua-e4", "", SDP_A));
	ASSERT_LE(0, find(self, "10.1.0.2:5060", "SIP/2.0 503 "));

	j = xbs_proxy_call_list(self->p);
	ASSERT_EQ(3, json_array_size(j));
	EXPECT_STREQ("established",
		     json_string_value(json_object_get(json_array_get(j, 0), "state")));
	EXPECT_STREQ("ssp-b",
		     json_string_value(json_object_get(json_array_get(j, 0), "callee_peer")));
	json_decref(j);
	j = xbs_proxy_call_show(self->p, "e-2");
	ASSERT_NE(NULL, j);
	EXPECT_STREQ("cal1", json_string_value(json_object_get(j, "to_tag")));
	json_decref(j);
	EXPECT_EQ(NULL, xbs_proxy_call_show(self->p, "nope"));

	/* ending a call: BYE both ways with the dialog's fields */
	clear_sent(self);
	j = xbs_proxy_call_end(self->p, "e-2");
	ASSERT_NE(NULL, j);
	json_decref(j);
	i = find(self, "10.9.0.2:5060", "BYE sip:bob@10.9.0.2:5060");
	ASSERT_LE(0, i);
	EXPECT_NE(NULL, strstr(self->sent[i].buf, "CSeq: 2 BYE"));
	EXPECT_NE(NULL, strstr(self->sent[i].buf, "tag=ua1"));
	i = find(self, "10.1.0.2:5060", "BYE sip:alice@10.1.0.2:5060");
	ASSERT_LE(0, i);
	EXPECT_NE(NULL, strstr(self->sent[i].buf, "e-2"));
	EXPECT_EQ(2, xbs_proxy_call_count(self->p));
	/* the 200s to our BYEs are absorbed */
	respond_to(self, i, "inside", "10.1.0.2:5060", 200, NULL, NULL, NULL);
	EXPECT_EQ(0, count(self, NULL, "SIP/2.0 200"));
	/* media timeout ends a call the same way */
	xbs_proxy_media_dead(self->p, "e-1");
	EXPECT_EQ(1, xbs_proxy_call_count(self->p));
	EXPECT_EQ(2, self->media.deletes);
}

TEST_F(proxy, unusable_sdp_gets_488) {
	self->media.fail = -EBADMSG;
	inject(self, "inside", "10.1.0.2:5060", INVITE("m1@x", "z9hG4bK-ua-m1", "", SDP_A));
	ASSERT_LE(0, find(self, "10.1.0.2:5060", "SIP/2.0 488 "));
	EXPECT_EQ(-1, find(self, "10.9.0.2:5060", "INVITE "));
	EXPECT_EQ(0, xbs_proxy_call_count(self->p));
	self->media.fail = -ENOSPC;
	inject(self, "inside", "10.1.0.2:5060", INVITE("m2@x", "z9hG4bK-ua-m2", "", SDP_A));
	ASSERT_LE(0, find(self, "10.1.0.2:5060", "SIP/2.0 503 "));
	EXPECT_EQ(0, xbs_proxy_call_count(self->p));
}

TEST_F(proxy, stateless_response_by_via) {
	/* a response matching no transaction goes to the Via below ours */
	inject(self, "border", "10.9.0.2:5060",
	       "SIP/2.0 200 OK\n"
	       "Via: SIP/2.0/UDP 10.9.0.1:5060;branch=z9hG4bKxbdeadbeef\n"
	       "Via: SIP/2.0/UDP 10.1.0.2:5070;branch=z9hG4bK-x;received=10.1.0.2;rport=5071\n"
	       "From: <sip:a@a.example>;tag=1\nTo: <sip:bob@b.example>;tag=2\nCall-ID: s1\n"
	       "CSeq: 1 MESSAGE\n\n");
	ASSERT_LE(0, find(self, "10.1.0.2:5071", "SIP/2.0 200 OK"));
	/* one whose top Via is not ours is dropped */
	clear_sent(self);
	inject(self, "border", "10.9.0.2:5060",
	       "SIP/2.0 200 OK\n"
	       "Via: SIP/2.0/UDP 10.9.0.7:5060;branch=z9hG4bKother\n"
	       "Via: SIP/2.0/UDP 10.1.0.2:5070;branch=z9hG4bK-x\n"
	       "From: <sip:a@a.example>;tag=1\nTo: <sip:bob@b.example>;tag=2\nCall-ID: s2\n"
	       "CSeq: 1 MESSAGE\n\n");
	EXPECT_EQ(0, self->n_sent);
}

TEST_F(proxy, late_offer_and_update) {
	int i;

	/* INVITE without SDP: the offer comes in the 200, the answer in the ACK */
	inject(self, "inside", "10.1.0.2:5060", INVITE("lo@x", "z9hG4bK-ua-lo", "", ""));
	i = find(self, "10.9.0.2:5060", "INVITE ");
	ASSERT_LE(0, i);
	EXPECT_EQ(0, self->media.offers);
	respond_to(self, i, "border", "10.9.0.2:5060", 200, "callo", "<sip:bob@10.9.0.2:5060>",
		   SDP_B);
	EXPECT_EQ(1, self->media.offers);
	EXPECT_STREQ("callo", self->media.last_from_tag);
	EXPECT_STREQ("border", self->media.last_from_iface);
	i = find(self, "10.1.0.2:5060", "SIP/2.0 200 ");
	ASSERT_LE(0, i);
	EXPECT_NE(NULL, strstr(self->sent[i].buf, "s=offer-inside"));
	inject(self, "inside", "10.1.0.2:5060",
	       "ACK sip:bob@10.9.0.2:5060 SIP/2.0\n"
	       "Via: SIP/2.0/UDP 10.1.0.2:5060;branch=z9hG4bK-ack-lo\n"
	       "Max-Forwards: 70\n"
	       "Route: <sip:10.1.0.1:5060;lr>, <sip:10.9.0.1:5060;lr>\n"
	       "From: \"Alice\" <sip:alice@a.example>;tag=ua1\n"
	       "To: <sip:bob@b.example>;tag=callo\n"
	       "Call-ID: lo@x\nCSeq: 1 ACK\nContent-Type: application/sdp\n\n" SDP_A);
	EXPECT_EQ(1, self->media.answers);
	EXPECT_STREQ("ua1", self->media.last_from_tag);
	i = find(self, "10.9.0.2:5060", "ACK ");
	ASSERT_LE(0, i);
	EXPECT_NE(NULL, strstr(self->sent[i].buf, "s=answer-border"));
	/* an UPDATE from the callee is a new offer, its 200 the answer */
	inject(self, "border", "10.9.0.2:5060",
	       "UPDATE sip:alice@10.1.0.2:5060 SIP/2.0\n"
	       "Via: SIP/2.0/UDP 10.9.0.2:5060;branch=z9hG4bK-upd-1\n"
	       "Max-Forwards: 70\n"
	       "Route: <sip:10.9.0.1:5060;lr>, <sip:10.1.0.1:5060;lr>\n"
	       "From: <sip:bob@b.example>;tag=callo\n"
	       "To: \"Alice\" <sip:alice@a.example>;tag=ua1\n"
	       "Call-ID: lo@x\nCSeq: 2 UPDATE\nContent-Type: application/sdp\n\n" SDP_B);
	EXPECT_EQ(2, self->media.offers);
	EXPECT_STREQ("border", self->media.last_from_iface);
	i = find(self, "10.1.0.2:5060", "UPDATE ");
	ASSERT_LE(0, i);
	respond_to(self, i, "inside", "10.1.0.2:5060", 200, NULL, NULL, SDP_A);
	EXPECT_EQ(2, self->media.answers);
	EXPECT_STREQ("inside", self->media.last_from_iface);
	ASSERT_LE(0, find(self, "10.9.0.2:5060", "SIP/2.0 200 "));
}

/* Established calls are saved and a new proxy (a restarted xborderd)
 * lists them and can still end them. */
TEST(calls_survive_a_restart) {
	FIXTURE_DATA(proxy) *s = calloc(1, sizeof(*s));
	char tmpl[] = "/tmp/xb-sipproxy.XXXXXX", path[128];
	json_t *j;
	int i;

	ASSERT_NE(NULL, s);
	ASSERT_NE(NULL, mkdtemp(tmpl));
	snprintf(state_dir, sizeof(state_dir), "%s", tmpl);
	setup_with(s, "relay", "relay", _metadata);
	establish(s, _metadata, "r-1");
	ASSERT_EQ(1, xbs_proxy_call_count(s->p));
	xbs_proxy_free(s->p); /* a stop: nothing is sent */
	s->p = NULL;
	clear_sent(s);
	xbd_config_free(&s->cfg);
	xb_loop_free(s->loop);

	setup_with(s, "relay", "relay", _metadata);
	EXPECT_EQ(1, xbs_proxy_call_count(s->p));
	j = xbs_proxy_call_show(s->p, "r-1");
	ASSERT_NE(NULL, j);
	EXPECT_TRUE(json_is_true(json_object_get(j, "adopted")));
	EXPECT_STREQ("established", json_string_value(json_object_get(j, "state")));
	json_decref(j);
	/* the callee's BYE is routed and ends the adopted call */
	inject(s, "border", "10.9.0.2:5060",
	       "BYE sip:alice@10.1.0.2:5060 SIP/2.0\n"
	       "Via: SIP/2.0/UDP 10.9.0.2:5060;branch=z9hG4bK-bye-r1\n"
	       "Max-Forwards: 70\n"
	       "Route: <sip:10.9.0.1:5060;lr>, <sip:10.1.0.1:5060;lr>\n"
	       "From: <sip:bob@b.example>;tag=cal1\n"
	       "To: \"Alice\" <sip:alice@a.example>;tag=ua1\n"
	       "Call-ID: r-1\nCSeq: 9 BYE\n\n");
	i = find(s, "10.1.0.2:5060", "BYE ");
	ASSERT_LE(0, i);
	respond_to(s, i, "inside", "10.1.0.2:5060", 200, NULL, NULL, NULL);
	EXPECT_EQ(0, xbs_proxy_call_count(s->p));
	EXPECT_EQ(1, s->media.deletes);
	xbs_proxy_free(s->p);
	clear_sent(s);
	xbd_config_free(&s->cfg);
	xb_loop_free(s->loop);
	snprintf(path, sizeof(path), "%s/calls.json", tmpl);
	unlink(path);
	rmdir(tmpl);
	snprintf(state_dir, sizeof(state_dir), "/nonexistent-xb");
	free(s);
}

/* A peer in media-direct mode on both sides: SDP untouched, no media. */
TEST(media_direct_leaves_sdp_alone) {
	FIXTURE_DATA(proxy) *s = calloc(1, sizeof(*s));
	int i;

	ASSERT_NE(NULL, s);
	setup_with(s, "direct", "direct", _metadata);
	inject(s, "inside", "10.1.0.2:5060", INVITE("d1@x", "z9hG4bK-ua-d1", "", SDP_A));
	i = find(s, "10.9.0.2:5060", "INVITE ");
	ASSERT_LE(0, i);
	EXPECT_NE(NULL, strstr(s->sent[i].buf, "c=IN IP4 10.1.0.2"));
	EXPECT_EQ(0, s->media.offers);
	respond_to(s, i, "border", "10.9.0.2:5060", 200, "d", "<sip:bob@10.9.0.2>", SDP_B);
	i = find(s, "10.1.0.2:5060", "SIP/2.0 200 ");
	ASSERT_LE(0, i);
	EXPECT_NE(NULL, strstr(s->sent[i].buf, "c=IN IP4 10.9.0.2"));
	EXPECT_EQ(0, s->media.answers);
	EXPECT_EQ(1, xbs_proxy_call_count(s->p));
	xbs_proxy_free(s->p);
	clear_sent(s);
	xbd_config_free(&s->cfg);
	xb_loop_free(s->loop);
	free(s);
}

TEST_HARNESS_MAIN
