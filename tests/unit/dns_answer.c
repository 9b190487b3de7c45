// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Answer parsing and validation (userspace/dns/answer.c), the one path
 * from network bytes to records: answers built with ldns the way a server
 * would send them, then checked for matching, CNAME chains and loops,
 * limits, negative TTLs, and refusal of what is malformed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "common/err.h"
#include "dns/answer.h"
#include "kselftest_harness.h"

struct msg {
	uint8_t *wire;
	size_t len;
};

/* An answer to QNAME/QTYPE with ID; records in zone-file syntax. */
static struct msg answer(uint16_t id, const char *qname, ldns_rr_type qtype, int rcode, bool tc,
			 const char *const *ans, const char *const *auth)
{
	struct msg m = { 0 };
	ldns_pkt *pkt = ldns_pkt_new();
	ldns_rr *q = NULL;
	char qs[300];

	snprintf(qs, sizeof(qs), "%s. IN %s", qname,
		 qtype == LDNS_RR_TYPE_A      ? "A"
		 : qtype == LDNS_RR_TYPE_AAAA ? "AAAA"
		 : qtype == LDNS_RR_TYPE_SRV  ? "SRV"
					      : "NAPTR");
	if (ldns_rr_new_question_frm_str(&q, qs, NULL, NULL) != LDNS_STATUS_OK)
		abort();
	ldns_pkt_push_rr(pkt, LDNS_SECTION_QUESTION, q);
	ldns_pkt_set_id(pkt, id);
	ldns_pkt_set_qr(pkt, true);
	ldns_pkt_set_aa(pkt, true);
	ldns_pkt_set_tc(pkt, tc);
	ldns_pkt_set_rcode(pkt, (uint8_t)rcode);
	for (; ans && *ans; ans++) {
		ldns_rr *rr = NULL;

		if (ldns_rr_new_frm_str(&rr, *ans, 300, NULL, NULL) != LDNS_STATUS_OK)
			abort();
		ldns_pkt_push_rr(pkt, LDNS_SECTION_ANSWER, rr);
	}
	for (; auth && *auth; auth++) {
		ldns_rr *rr = NULL;

		if (ldns_rr_new_frm_str(&rr, *auth, 300, NULL, NULL) != LDNS_STATUS_OK)
			abort();
		ldns_pkt_push_rr(pkt, LDNS_SECTION_AUTHORITY, rr);
	}
	if (ldns_pkt2wire(&m.wire, pkt, &m.len) != LDNS_STATUS_OK)
		abort();
	ldns_pkt_free(pkt);
	return m;
}

#define SOA_B "b.example. 30 IN SOA ns.b.example. h.b.example. 1 3600 600 86400 60"

TEST(a_record) {
	const char *const ans[] = { "b.example. 120 IN A 192.0.2.1", "b.example. 60 IN A 192.0.2.2",
				    "other.example. 300 IN A 192.0.2.99", NULL };
	struct msg m = answer(0x1234, "b.example", LDNS_RR_TYPE_A, 0, false, ans, NULL);
	struct xb_dns_parsed p;
	char b[XB_ADDRSTRLEN];

	ASSERT_EQ(0, xb_dns_parse_answer(m.wire, m.len, 0x1234, "b.example", XB_DNS_A, 8, &p));
	EXPECT_EQ(0, p.rcode);
	EXPECT_FALSE(p.tc);
	EXPECT_TRUE(p.aa);
	ASSERT_EQ(2, p.n); /* the record of another name is not ours */
	EXPECT_STREQ("192.0.2.1", xb_fmt_addr(&p.rr[0].addr, b, sizeof(b)));
	EXPECT_STREQ("192.0.2.2", xb_fmt_addr(&p.rr[1].addr, b, sizeof(b)));
	EXPECT_EQ(60, p.rr_ttl);
	EXPECT_EQ(0, p.cname_hops);
	EXPECT_STREQ("b.example", p.final_name);
	xb_dns_parsed_free(&p);
	free(m.wire);
}

TEST(not_our_answer) {
	const char *const ans[] = { "b.example. 120 IN A 192.0.2.1", NULL };
	struct msg m = answer(7, "b.example", LDNS_RR_TYPE_A, 0, false, ans, NULL);
	struct xb_dns_parsed p;

	EXPECT_EQ(-ESRCH, xb_dns_parse_answer(m.wire, m.len, 8, "b.example", XB_DNS_A, 8, &p));
	EXPECT_EQ(-ESRCH, xb_dns_parse_answer(m.wire, m.len, 7, "c.example", XB_DNS_A, 8, &p));
	EXPECT_EQ(-ESRCH, xb_dns_parse_answer(m.wire, m.len, 7, "b.example", XB_DNS_AAAA, 8, &p));
	m.wire[2] &= 0x7f; /* a query, not a response */
	EXPECT_EQ(-ESRCH, xb_dns_parse_answer(m.wire, m.len, 7, "b.example", XB_DNS_A, 8, &p));
	EXPECT_EQ(NULL, p.rr);
	free(m.wire);
}

TEST(malformed_is_refused) {
	const char *const ans[] = { "b.example. 120 IN A 192.0.2.1", NULL };
	struct msg m = answer(7, "b.example", LDNS_RR_TYPE_A, 0, false, ans, NULL);
	struct xb_dns_parsed p;
	size_t cut;

	EXPECT_EQ(-EPROTO, xb_dns_parse_answer(m.wire, 11, 7, "b.example", XB_DNS_A, 8, &p));
	EXPECT_STREQ("malformed answer: 11 bytes, shorter than a DNS header", xb_errmsg());
	/* every truncation of a valid answer is refused, none crashes */
	for (cut = 12; cut < m.len; cut++) {
		int err = xb_dns_parse_answer(m.wire, cut, 7, "b.example", XB_DNS_A, 8, &p);

		EXPECT_TRUE(err == -EPROTO || err == -ESRCH) TH_LOG("cut %zu: %d", cut, err);
		EXPECT_EQ(0, p.n);
	}
	/* a compression pointer to itself */
	m.wire[12] = 0xc0;
	m.wire[13] = 12;
	EXPECT_GT(0, xb_dns_parse_answer(m.wire, m.len, 7, "b.example", XB_DNS_A, 8, &p));
	free(m.wire);
}

TEST(truncated_and_servfail) {
	struct msg m = answer(9, "big.b.example", LDNS_RR_TYPE_A, 0, true, NULL, NULL);
	struct xb_dns_parsed p;

	ASSERT_EQ(0, xb_dns_parse_answer(m.wire, m.len, 9, "big.b.example", XB_DNS_A, 8, &p));
	EXPECT_TRUE(p.tc);
	EXPECT_EQ(0, p.n);
	free(m.wire);
	m = answer(9, "b.example", LDNS_RR_TYPE_A, LDNS_RCODE_SERVFAIL, false, NULL, NULL);
	ASSERT_EQ(0, xb_dns_parse_answer(m.wire, m.len, 9, "b.example", XB_DNS_A, 8, &p));
	EXPECT_EQ(XB_DNS_RCODE_SERVFAIL, p.rcode);
	free(m.wire);
}

TEST(negative_ttl_is_soa_ttl_or_minimum) {
	const char *const auth30[] = { SOA_B, NULL };
	const char *const auth300[] = {
		"b.example. 300 IN SOA ns.b.example. h.b.example. 1 3600 600 86400 60", NULL
	};
	struct msg m =
		answer(1, "x.b.example", LDNS_RR_TYPE_A, LDNS_RCODE_NXDOMAIN, false, NULL, auth30);
	struct xb_dns_parsed p;

	ASSERT_EQ(0, xb_dns_parse_answer(m.wire, m.len, 1, "x.b.example", XB_DNS_A, 8, &p));
	EXPECT_EQ(XB_DNS_RCODE_NXDOMAIN, p.rcode);
	EXPECT_TRUE(p.has_soa);
	EXPECT_EQ(30, p.neg_ttl);
	free(m.wire);
	m = answer(1, "x.b.example", LDNS_RR_TYPE_A, 0, false, NULL, auth300);
	ASSERT_EQ(0, xb_dns_parse_answer(m.wire, m.len, 1, "x.b.example", XB_DNS_A, 8, &p));
	EXPECT_EQ(0, p.n);
	EXPECT_EQ(60, p.neg_ttl);
	free(m.wire);
	m = answer(1, "x.b.example", LDNS_RR_TYPE_A, 0, false, NULL, NULL);
	ASSERT_EQ(0, xb_dns_parse_answer(m.wire, m.len, 1, "x.b.example", XB_DNS_A, 8, &p));
	EXPECT_FALSE(p.has_soa);
	free(m.wire);
}

TEST(cname_chain_inside_one_answer) {
	const char *const ans[] = { "a.b.example. 100 IN CNAME c.b.example.",
				    "c.b.example. 40 IN CNAME d.b.example.",
				    "d.b.example. 300 IN AAAA 2001:db8::1", NULL };
	struct msg m = answer(2, "a.b.example", LDNS_RR_TYPE_AAAA, 0, false, ans, NULL);
	struct xb_dns_parsed p;
	char b[XB_ADDRSTRLEN];

	ASSERT_EQ(0, xb_dns_parse_answer(m.wire, m.len, 2, "a.b.example", XB_DNS_AAAA, 8, &p));
	EXPECT_EQ(2, p.cname_hops);
	EXPECT_STREQ("d.b.example", p.final_name);
	EXPECT_STREQ("c.b.example", p.chain[1]);
	EXPECT_EQ(40, p.chain_ttl);
	ASSERT_EQ(1, p.n);
	EXPECT_STREQ("2001:db8::1", xb_fmt_addr(&p.rr[0].addr, b, sizeof(b)));
	xb_dns_parsed_free(&p);
	/* one hop allowed: the chain is too long */
	EXPECT_EQ(-ELOOP, xb_dns_parse_answer(m.wire, m.len, 2, "a.b.example", XB_DNS_AAAA, 1, &p));
	EXPECT_STREQ("CNAME chain longer than 1 at c.b.example", xb_errmsg());
	free(m.wire);
}

TEST(cname_loop) {
	const char *const ans[] = { "a.b.example. 100 IN CNAME c.b.example.",
				    "c.b.example. 100 IN CNAME A.b.example.", NULL };
	struct msg m = answer(3, "a.b.example", LDNS_RR_TYPE_A, 0, false, ans, NULL);
	struct xb_dns_parsed p;

	EXPECT_EQ(-ELOOP, xb_dns_parse_answer(m.wire, m.len, 3, "a.b.example", XB_DNS_A, 8, &p));
	EXPECT_STREQ("CNAME loop: c.b.example -> a.b.example", xb_errmsg());
	EXPECT_EQ(NULL, p.rr);
	free(m.wire);
}

TEST(record_limit) {
	const char *ans[XB_DNS_MAX_RRS + 2] = { 0 };
	char rr[XB_DNS_MAX_RRS + 1][64];
	struct xb_dns_parsed p;
	struct msg m;
	unsigned int i;

	for (i = 0; i < XB_DNS_MAX_RRS + 1; i++) {
		snprintf(rr[i], sizeof(rr[i]), "h.b.example. 300 IN A 10.0.%u.%u", i / 200,
			 i % 200);
		ans[i] = rr[i];
	}
	m = answer(4, "h.b.example", LDNS_RR_TYPE_A, 0, false, ans, NULL);
	EXPECT_EQ(-EMSGSIZE, xb_dns_parse_answer(m.wire, m.len, 4, "h.b.example", XB_DNS_A, 8, &p));
	EXPECT_STREQ("oversized answer: 65 A records for h.b.example (limit 64)", xb_errmsg());
	free(m.wire);
	ans[XB_DNS_MAX_RRS] = NULL;
	m = answer(4, "h.b.example", LDNS_RR_TYPE_A, 0, false, ans, NULL);
	ASSERT_EQ(0, xb_dns_parse_answer(m.wire, m.len, 4, "h.b.example", XB_DNS_A, 8, &p));
	EXPECT_EQ(XB_DNS_MAX_RRS, p.n);
	xb_dns_parsed_free(&p);
	free(m.wire);
}

TEST(srv_and_naptr) {
	const char *const srv[] = { "_sip._udp.b.example. 300 IN SRV 10 60 5060 Sip1.B.example.",
				    "_sip._udp.b.example. 300 IN SRV 0 0 0 .", NULL };
	const char *const naptr[] = {
		"b.example. 300 IN NAPTR 10 20 \"S\" \"SIP+D2U\" \"\" _sip._udp.b.example.",
		"b.example. 300 IN NAPTR 10 20 \"u\" \"E2U+sip\" \"!^.*$!sip:\\\\1\\\"@x!\" .", NULL
	};
	struct msg m = answer(5, "_sip._udp.b.example", LDNS_RR_TYPE_SRV, 0, false, srv, NULL);
	struct xb_dns_parsed p;
	char buf[400];

	ASSERT_EQ(0,
		  xb_dns_parse_answer(m.wire, m.len, 5, "_sip._udp.b.example", XB_DNS_SRV, 8, &p));
	ASSERT_EQ(2, p.n);
	EXPECT_EQ(10, p.rr[0].srv.priority);
	EXPECT_EQ(60, p.rr[0].srv.weight);
	EXPECT_EQ(5060, p.rr[0].srv.port);
	EXPECT_STREQ("sip1.b.example", p.rr[0].srv.target); /* lowercase */
	EXPECT_STREQ(".", p.rr[1].srv.target);
	EXPECT_STREQ("10 60 5060 sip1.b.example", xb_dns_rr_fmt(&p.rr[0], buf, sizeof(buf)));
	xb_dns_parsed_free(&p);
	free(m.wire);

	m = answer(6, "b.example", LDNS_RR_TYPE_NAPTR, 0, false, naptr, NULL);
	ASSERT_EQ(0, xb_dns_parse_answer(m.wire, m.len, 6, "b.example", XB_DNS_NAPTR, 8, &p));
	ASSERT_EQ(2, p.n);
	EXPECT_EQ(10, p.rr[0].naptr.order);
	EXPECT_EQ(20, p.rr[0].naptr.preference);
	EXPECT_STREQ("S", p.rr[0].naptr.flags);
	EXPECT_STREQ("SIP+D2U", p.rr[0].naptr.services);
	EXPECT_STREQ("", p.rr[0].naptr.regexp);
	EXPECT_STREQ("_sip._udp.b.example", p.rr[0].naptr.replacement);
	EXPECT_STREQ("!^.*$!sip:\\1\"@x!", p.rr[1].naptr.regexp);
	EXPECT_STREQ(".", p.rr[1].naptr.replacement);
	EXPECT_STREQ("10 20 \"u\" \"E2U+sip\" \"!^.*$!sip:\\\\1\\\"@x!\" .",
		     xb_dns_rr_fmt(&p.rr[1], buf, sizeof(buf)));
	xb_dns_parsed_free(&p);
	free(m.wire);
}

/* Names we would have to put into a SIP message are checked: odd bytes
 * make the record unusable, never a string with a blank or a NUL. */
TEST(odd_names_are_not_used) {
	const char *const srv[] = { "s.b.example. 300 IN SRV 10 60 5060 bad\\032name.b.example.",
				    NULL };
	const char *const mixed[] = { "s.b.example. 300 IN SRV 10 60 5060 bad\\000.b.example.",
				      "s.b.example. 300 IN SRV 20 60 5060 good.b.example.", NULL };
	struct msg m = answer(8, "s.b.example", LDNS_RR_TYPE_SRV, 0, false, srv, NULL);
	struct xb_dns_parsed p;

	EXPECT_EQ(-EPROTO, xb_dns_parse_answer(m.wire, m.len, 8, "s.b.example", XB_DNS_SRV, 8, &p));
	EXPECT_STREQ("malformed answer: none of the 1 SRV records for s.b.example is usable",
		     xb_errmsg());
	free(m.wire);
	m = answer(8, "s.b.example", LDNS_RR_TYPE_SRV, 0, false, mixed, NULL);
	ASSERT_EQ(0, xb_dns_parse_answer(m.wire, m.len, 8, "s.b.example", XB_DNS_SRV, 8, &p));
	ASSERT_EQ(1, p.n);
	EXPECT_EQ(1, p.skipped);
	EXPECT_STREQ("good.b.example", p.rr[0].srv.target);
	xb_dns_parsed_free(&p);
	free(m.wire);
}

TEST(query_round_trip) {
	uint8_t *wire;
	size_t len;
	ldns_pkt *pkt = NULL;
	ldns_rr *q;
	char *s;

	ASSERT_EQ(0, xb_dns_build_query("_sip._udp.B.example", XB_DNS_SRV, 0xbeef, &wire, &len));
	ASSERT_EQ(LDNS_STATUS_OK, ldns_wire2pkt(&pkt, wire, len));
	EXPECT_EQ(0xbeef, ldns_pkt_id(pkt));
	EXPECT_TRUE(ldns_pkt_rd(pkt));
	EXPECT_FALSE(ldns_pkt_qr(pkt));
	EXPECT_EQ(0, ldns_pkt_arcount(pkt)); /* no EDNS: big answers come truncated */
	ASSERT_EQ(1, ldns_pkt_qdcount(pkt));
	q = ldns_rr_list_rr(ldns_pkt_question(pkt), 0);
	EXPECT_EQ(LDNS_RR_TYPE_SRV, ldns_rr_get_type(q));
	s = ldns_rdf2str(ldns_rr_owner(q));
	EXPECT_STREQ("_sip._udp.B.example.", s);
	free(s);
	ldns_pkt_free(pkt);
	free(wire);
	EXPECT_EQ(-EINVAL, xb_dns_build_query("bad name", XB_DNS_A, 1, &wire, &len));
	EXPECT_EQ(NULL, wire);
}

TEST(name_syntax) {
	char out[XB_DNS_NAME_MAX], label[70], name[300];

	EXPECT_TRUE(xb_dns_valid_name("b.example"));
	EXPECT_TRUE(xb_dns_valid_name("b.example."));
	EXPECT_TRUE(xb_dns_valid_name("_sip._udp.b.example"));
	EXPECT_TRUE(xb_dns_valid_name("10.0.0.1"));
	EXPECT_FALSE(xb_dns_valid_name(""));
	EXPECT_FALSE(xb_dns_valid_name("."));
	EXPECT_FALSE(xb_dns_valid_name("b..example"));
	EXPECT_FALSE(xb_dns_valid_name(".b.example"));
	EXPECT_FALSE(xb_dns_valid_name("b.example.."));
	EXPECT_FALSE(xb_dns_valid_name("b example"));
	EXPECT_FALSE(xb_dns_valid_name("b\\.example"));
	memset(label, 'a', 64);
	label[64] = '\0';
	EXPECT_FALSE(xb_dns_valid_name(label));
	label[63] = '\0';
	EXPECT_TRUE(xb_dns_valid_name(label));
	snprintf(name, sizeof(name), "%s.%s.%s.%.61s", label, label, label, label); /* 253 */
	EXPECT_TRUE(xb_dns_valid_name(name));
	snprintf(name, sizeof(name), "%s.%s.%s.%.62s", label, label, label, label); /* 254 */
	EXPECT_FALSE(xb_dns_valid_name(name));
	ASSERT_EQ(0, xb_dns_normalize_name("SIP.B.Example.", out, sizeof(out)));
	EXPECT_STREQ("sip.b.example", out);
}

TEST_HARNESS_MAIN
