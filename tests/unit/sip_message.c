// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The proxy's building blocks: the 400 built from raw bytes, the raw
 * Content-Length scan, the sanity checks on what libosip2 parsed, branch
 * computation (the same request gives the same branch, a retargeted one
 * another), and the hash table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osipparser2/osip_port.h>

#include "kselftest_harness.h"
#include "sip/branch.h"
#include "sip/htab.h"
#include "sip/message.h"

static osip_message_t *parse(const char *s)
{
	osip_message_t *m;

	xbs_osip_init();
	if (osip_message_init(&m))
		return NULL;
	if (osip_message_parse(m, s, strlen(s))) {
		osip_message_free(m);
		return NULL;
	}
	return m;
}

TEST(raw_response_copies_what_parses) {
	const char *in = "INVITE sip:b@b.example SIP/2.0\r\n"
			 "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1\r\n"
			 "v: SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK2\r\n"
			 "Via: garbage !!\r\n"
			 "f: <sip:a@a.example>;tag=x\r\n"
			 "To: <sip:b@b.example>\r\n"
			 "Call-ID: abc@host\r\n"
			 "CSeq: 12 INVITE\r\n"
			 "Content-Length: 0\r\n\r\n";
	osip_message_t *m;
	char *out;
	size_t len;

	ASSERT_EQ(0,
		  xbs_raw_response(in, strlen(in), 400, "Bad Request (x\001y)", "tt", &out, &len));
	EXPECT_EQ(0, strncmp(out, "SIP/2.0 400 Bad Request (x?y)\r\n", 31));
	m = parse(out);
	ASSERT_NE(NULL, m);
	EXPECT_EQ(2, osip_list_size(&m->vias)); /* the garbage Via is left out */
	EXPECT_STREQ("tt", xbs_tag(m->to));
	EXPECT_STREQ("x", xbs_tag(m->from));
	EXPECT_STREQ("12", m->cseq->number);
	osip_message_free(m);
	free(out);
}

TEST(raw_response_refuses) {
	char *out;
	size_t len;
	const char *ack = "ACK sip:b@b SIP/2.0\r\nVia: SIP/2.0/UDP 1.2.3.4\r\n\r\n";
	const char *resp = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 1.2.3.4\r\n\r\n";
	const char *novia = "INVITE sip:b@b SIP/2.0\r\nFrom: <sip:a@a>\r\n\r\n";
	const char *junk = "\x01\x02\x03 \xff\r\n\r\n";

	EXPECT_GT(0, xbs_raw_response(ack, strlen(ack), 400, NULL, NULL, &out, &len));
	EXPECT_GT(0, xbs_raw_response(resp, strlen(resp), 400, NULL, NULL, &out, &len));
	EXPECT_GT(0, xbs_raw_response(novia, strlen(novia), 400, NULL, NULL, &out, &len));
	EXPECT_GT(0, xbs_raw_response(junk, strlen(junk), 400, NULL, NULL, &out, &len));
	EXPECT_GT(0, xbs_raw_response("", 0, 400, NULL, NULL, &out, &len));
}

TEST(raw_content_length) {
	unsigned long v = 0;
	size_t h;
	const char *a = "X sip:a SIP/2.0\r\nl: 12\r\n\r\nbody";
	const char *b = "X sip:a SIP/2.0\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n";
	const char *c = "X sip:a SIP/2.0\r\nContent-Length: -1\r\n\r\n";
	const char *d = "X sip:a SIP/2.0\r\nSubject: x\r\n\r\n";

	ASSERT_TRUE(xbs_raw_headers_end(a, strlen(a), &h));
	EXPECT_EQ(strlen(a) - 4, h);
	EXPECT_EQ(0, xbs_raw_content_length(a, h, &v));
	EXPECT_EQ(12, v);
	ASSERT_TRUE(xbs_raw_headers_end(b, strlen(b), &h));
	EXPECT_EQ(-EBADMSG, xbs_raw_content_length(b, h, &v));
	ASSERT_TRUE(xbs_raw_headers_end(c, strlen(c), &h));
	EXPECT_EQ(-EBADMSG, xbs_raw_content_length(c, h, &v));
	ASSERT_TRUE(xbs_raw_headers_end(d, strlen(d), &h));
	EXPECT_EQ(-ENOENT, xbs_raw_content_length(d, h, &v));
	EXPECT_FALSE(xbs_raw_headers_end("X sip:a SIP/2.0\r\nA: b\r\n", 23, &h));
}

#define REQ(uri, to, extra)                                  \
	"MESSAGE " uri " SIP/2.0\r\n"                        \
	"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKq\r\n" \
	"From: <sip:a@a.example>;tag=f\r\n"                  \
	"To: " to "\r\n"                                     \
	"Call-ID: c1\r\nCSeq: 3 MESSAGE\r\n" extra "Content-Length: 0\r\n\r\n"

TEST(sanity_checks) {
	osip_message_t *m;

	m = parse(REQ("sip:b@b.example", "<sip:b@b.example>", ""));
	ASSERT_NE(NULL, m);
	EXPECT_EQ(NULL, xbs_msg_sane(m));
	EXPECT_TRUE(xbs_uri_ok(m->req_uri));
	osip_message_free(m);
	m = parse(REQ("tel:+15551234", "th: 0", ""));
	ASSERT_NE(NULL, m);
	EXPECT_TRUE(xbs_uri_ok(m->req_uri));
	EXPECT_STREQ("malformed To", xbs_msg_sane(m));
	osip_message_free(m);
	m = parse(REQ("sip:b@b.example", "<sip:b@b.example>", "Route: <http://x/y>\r\n"));
	ASSERT_NE(NULL, m);
	EXPECT_STREQ("malformed Route", xbs_msg_sane(m));
	osip_message_free(m);
	m = parse(REQ("sip:b@b.example", "<sip:b@b.example>", "Content-Type: application/s;p\r\n"));
	ASSERT_NE(NULL, m);
	EXPECT_STREQ("malformed Content-Type", xbs_msg_sane(m));
	osip_message_free(m);
}

TEST(branch_identifies_the_request) {
	osip_message_t *a = parse(REQ("sip:b@b.example", "<sip:b@b.example>", ""));
	osip_message_t *b = parse(REQ("sip:b@b.example", "<sip:b@b.example>", ""));
	osip_message_t *c = parse(REQ("sip:other@b.example", "<sip:b@b.example>", ""));
	char ba[XBS_BRANCH_MAX], bb[XBS_BRANCH_MAX], bc[XBS_BRANCH_MAX], r1[XBS_BRANCH_MAX],
		r2[XBS_BRANCH_MAX];

	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, c);
	ASSERT_EQ(0, xbs_branch_compute(a, osip_list_get(&a->vias, 0), ba));
	ASSERT_EQ(0, xbs_branch_compute(b, osip_list_get(&b->vias, 0), bb));
	ASSERT_EQ(0, xbs_branch_compute(c, osip_list_get(&c->vias, 0), bc));
	EXPECT_EQ(0, strncmp(ba, "z9hG4bKxb", 9));
	EXPECT_EQ(41, strlen(ba));
	EXPECT_STREQ(ba, bb);	      /* a loop gives the same */
	EXPECT_NE(0, strcmp(ba, bc)); /* a spiral does not */
	xbs_branch_random(r1);
	xbs_branch_random(r2);
	EXPECT_NE(0, strcmp(r1, r2));
	EXPECT_NE(0, strcmp(r1, ba));
	osip_message_free(a);
	osip_message_free(b);
	osip_message_free(c);
}

struct item {
	struct xbs_hnode n;
	char key[16];
};

TEST(hash_table) {
	struct xbs_htab h;
	struct item *it = calloc(1000, sizeof(*it));
	struct xbs_hiter iter;
	struct xbs_hnode *n;
	int i, seen = 0;

	ASSERT_NE(NULL, it);
	ASSERT_EQ(0, xbs_htab_init(&h));
	for (i = 0; i < 1000; i++) {
		snprintf(it[i].key, sizeof(it[i].key), "k%d", i);
		xbs_htab_add(&h, &it[i].n, it[i].key);
	}
	EXPECT_EQ(1000, h.n);
	EXPECT_EQ(&it[777].n, xbs_htab_get(&h, "k777"));
	EXPECT_EQ(NULL, xbs_htab_get(&h, "k1000"));
	/* iteration survives deleting the current node */
	xbs_hiter_init(&iter, &h);
	while ((n = xbs_hiter_next(&iter))) {
		seen++;
		if (seen % 2)
			xbs_htab_del(&h, n);
	}
	EXPECT_EQ(1000, seen);
	EXPECT_EQ(500, h.n);
	xbs_htab_free(&h);
	free(it);
}

TEST_HARNESS_MAIN
