// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The pieces of RFC 3263 that need no server: URI parsing (what decides
 * between numeric, port, transport and NAPTR), the destination blocklist
 * with expiry, failover order over a target list, and the resolver's
 * cache (TTL expiry, LRU bound).
 */
#include <errno.h>
#include <string.h>

#include <xborder/fastpath.h>

#include "common/err.h"
#include "dns/blocklist.h"
#include "dns/cache.h"
#include "dns/sip_locate.h"
#include "dns/uri.h"
#include "kselftest_harness.h"

#define S(x) ((uint64_t)(x)*1000000000ull)

TEST(sip_uris) {
	struct xb_uri u;
	char b[XB_ADDRSTRLEN];

	ASSERT_EQ(0, xb_uri_parse("sip:alice@B.Example", &u));
	EXPECT_EQ(XB_URI_SIP, u.scheme);
	EXPECT_STREQ("alice", u.user);
	EXPECT_STREQ("b.example", u.host);
	EXPECT_FALSE(u.numeric);
	EXPECT_EQ(0, u.port);
	EXPECT_FALSE(u.has_transport);

	ASSERT_EQ(0, xb_uri_parse("SIPS:bob:secret@[2001:db8::1]:5071;Transport=TCP;lr?x=y", &u));
	EXPECT_EQ(XB_URI_SIPS, u.scheme);
	EXPECT_STREQ("bob", u.user); /* the password is dropped */
	EXPECT_TRUE(u.numeric);
	EXPECT_STREQ("2001:db8::1", xb_fmt_addr(&u.addr, b, sizeof(b)));
	EXPECT_EQ(5071, u.port);
	EXPECT_TRUE(u.has_transport);
	EXPECT_EQ(XBD_TRANSPORT_TCP, u.transport);

	ASSERT_EQ(0,
		  xb_uri_parse("sip:+44-1632-960123;npdi@a.example;user=phone;maddr=10.0.0.9", &u));
	EXPECT_TRUE(u.user_phone);
	EXPECT_STREQ("+441632960123", u.number);
	EXPECT_STREQ("10.0.0.9", u.maddr);

	ASSERT_EQ(0, xb_uri_parse("sip:b.example.", &u));
	EXPECT_STREQ("b.example", u.host);
	ASSERT_EQ(0, xb_uri_parse("sip:10.1.2.3:5080", &u));
	EXPECT_TRUE(u.numeric);
	EXPECT_EQ(5080, u.port);
}

TEST(tel_uris) {
	struct xb_uri u;

	ASSERT_EQ(0, xb_uri_parse("tel:+44-1632-960123;phone-context=x", &u));
	EXPECT_EQ(XB_URI_TEL, u.scheme);
	EXPECT_STREQ("+441632960123", u.number);
	EXPECT_EQ(-EINVAL, xb_uri_parse("tel:1632960123;phone-context=+44", &u));
	EXPECT_STREQ("tel URI 'tel:1632960123;phone-context=+44' is not a global number (+...)",
		     xb_errmsg());
}

static const struct {
	const char *uri, *msg;
} bad_uris[] = {
	{ "http://b.example", "'http://b.example' is not a sip:, sips: or tel: URI" },
	{ "sip:", "URI host is empty or too long" },
	{ "sip:alice@", "URI host is empty or too long" },
	{ "sip:b.example:0", "bad port '0' in URI" },
	{ "sip:b.example:65536", "bad port '65536' in URI" },
	{ "sip:b.example:", "bad port in URI" },
	{ "sip:b..example", "'b..example' is not a host name or address" },
	{ "sip:b.example;transport=sctp", "transport 'sctp' is not supported (udp, tcp, tls)" },
	{ "sip:[10.0.0.1]", "IPv6 addresses go in brackets in a URI: '10.0.0.1'" },
	{ "sip:[2001:db8::1", "unterminated '[' in URI host" },
	{ "sip:b.example x", "URI contains a blank or a non-ASCII character" },
	{ "sip:b\xc3\xa9.example", "URI contains a blank or a non-ASCII character" },
	{ "sip:b.example;maddr=a..b", "maddr: 'a..b' is not a host name or address" },
	{ "sip:+1x@b.example;user=phone", "user=phone: 'x' in a telephone number" },
	{ "sip:b.example]", "'b.example]' is not a host name or address" },
};

TEST(bad_uris_say_why) {
	struct xb_uri u;
	char longuri[XB_URI_MAX + 10];
	unsigned int i;

	for (i = 0; i < sizeof(bad_uris) / sizeof(bad_uris[0]); i++) {
		EXPECT_EQ(-EINVAL, xb_uri_parse(bad_uris[i].uri, &u)) TH_LOG("%s", bad_uris[i].uri);
		EXPECT_STREQ(bad_uris[i].msg, xb_errmsg()) TH_LOG("%s", bad_uris[i].uri);
	}
	memset(longuri, 'a', sizeof(longuri));
	memcpy(longuri, "sip:", 4);
	longuri[sizeof(longuri) - 1] = '\0';
	EXPECT_EQ(-EINVAL, xb_uri_parse(longuri, &u));
	EXPECT_STREQ("URI longer than 1024 characters", xb_errmsg());
}

static struct xb_endpoint ep(const char *s)
{
	struct xb_endpoint e;

	if (xb_parse_endpoint(s, &e))
		memset(&e, 0, sizeof(e));
	return e;
}

TEST(blocklist_expires) {
	struct xb_blocklist *bl = xb_blocklist_new(2);
	struct xb_endpoint a = ep("10.0.0.1:5060"), b = ep("10.0.0.2:5060"),
			   c = ep("[fd00::3]:5061");

	ASSERT_NE(NULL, bl);
	ASSERT_EQ(0, xb_blocklist_add(bl, &a, XBD_TRANSPORT_UDP, 10, S(100)));
	EXPECT_TRUE(xb_blocklist_has(bl, &a, XBD_TRANSPORT_UDP, S(105)));
	EXPECT_FALSE(xb_blocklist_has(bl, &a, XBD_TRANSPORT_TCP, S(105))); /* per transport */
	EXPECT_FALSE(xb_blocklist_has(bl, &b, XBD_TRANSPORT_UDP, S(105)));
	EXPECT_FALSE(xb_blocklist_has(bl, &a, XBD_TRANSPORT_UDP, S(110))); /* expired */
	EXPECT_EQ(0, xb_blocklist_count(bl, S(110)));
	/* a second report extends, never shortens */
	xb_blocklist_add(bl, &a, XBD_TRANSPORT_UDP, 30, S(200));
	xb_blocklist_add(bl, &a, XBD_TRANSPORT_UDP, 5, S(201));
	EXPECT_TRUE(xb_blocklist_has(bl, &a, XBD_TRANSPORT_UDP, S(229)));
	/* full: the one closest to expiry makes room */
	xb_blocklist_add(bl, &b, XBD_TRANSPORT_UDP, 100, S(201));
	xb_blocklist_add(bl, &c, XBD_TRANSPORT_TLS, 100, S(202));
	EXPECT_EQ(2, xb_blocklist_count(bl, S(203)));
	EXPECT_FALSE(xb_blocklist_has(bl, &a, XBD_TRANSPORT_UDP, S(203)));
	EXPECT_TRUE(xb_blocklist_has(bl, &c, XBD_TRANSPORT_TLS, S(203)));
	xb_blocklist_del(bl, &c, XBD_TRANSPORT_TLS);
	EXPECT_FALSE(xb_blocklist_has(bl, &c, XBD_TRANSPORT_TLS, S(203)));
	EXPECT_EQ(-EINVAL, xb_blocklist_add(bl, &a, XBD_TRANSPORT_UDP, 0, S(1)));
	EXPECT_EQ(-EINVAL, xb_blocklist_add(bl, &a, XBD_TRANSPORT_UDP, 86401, S(1)));
	xb_blocklist_free(bl);
}

TEST(failover_order) {
	struct xb_blocklist *bl = xb_blocklist_new(8);
	struct xb_targets t = { .n = 3, .bl = bl };
	const struct xb_target *x;

	t.t[0].ep = ep("10.0.0.1:5060");
	t.t[1].ep = ep("10.0.0.2:5060");
	t.t[2].ep = ep("10.0.0.3:5060");
	/* no failures: in order, then none */
	x = xb_targets_next(&t, S(1));
	ASSERT_NE(NULL, x);
	EXPECT_EQ(&t.t[0], x);
	EXPECT_EQ(0, xb_targets_mark_failed(&t, x, 60, S(1)));
	EXPECT_EQ(&t.t[1], xb_targets_next(&t, S(1)));
	EXPECT_EQ(&t.t[2], xb_targets_next(&t, S(1)));
	EXPECT_EQ(NULL, xb_targets_next(&t, S(1)));

	/* a fresh list for the next request: the failed one goes last */
	t.t[0].tried = t.t[1].tried = t.t[2].tried = false;
	EXPECT_EQ(&t.t[1], xb_targets_next(&t, S(2)));
	EXPECT_EQ(&t.t[2], xb_targets_next(&t, S(2)));
	EXPECT_EQ(&t.t[0], xb_targets_next(&t, S(2)));
	EXPECT_EQ(NULL, xb_targets_next(&t, S(2)));
	/* after the block expires it is first again */
	t.t[0].tried = t.t[1].tried = t.t[2].tried = false;
	EXPECT_EQ(&t.t[0], xb_targets_next(&t, S(61)));
	xb_blocklist_free(bl);
}

TEST(cache_ttl_and_bound) {
	struct xb_dns_cache *c = xb_dns_cache_new(2);
	struct xb_dns_rr rr = { .type = XB_DNS_A, .ttl = 10 };
	const struct xb_dns_cache_entry *e;

	ASSERT_NE(NULL, c);
	ASSERT_EQ(0, xb_dns_cache_put(c, "a.example", XB_DNS_A, XB_DNS_OK, "a.example", 0, &rr, 1,
				      10, S(100)));
	e = xb_dns_cache_get(c, "a.example", XB_DNS_A, S(109));
	ASSERT_NE(NULL, e);
	EXPECT_EQ(1, e->n);
	EXPECT_EQ(NULL, xb_dns_cache_get(c, "a.example", XB_DNS_AAAA, S(109)));
	EXPECT_EQ(NULL, xb_dns_cache_get(c, "a.example", XB_DNS_A, S(110))); /* expired */
	EXPECT_EQ(0, xb_dns_cache_count(c));
	/* TTL 0: not stored */
	xb_dns_cache_put(c, "z.example", XB_DNS_A, XB_DNS_OK, "z.example", 0, &rr, 1, 0, S(1));
	EXPECT_EQ(0, xb_dns_cache_count(c));
	/* two entries fit; a third evicts the least recently used */
	xb_dns_cache_put(c, "a.example", XB_DNS_A, XB_DNS_OK, "a.example", 0, &rr, 1, 100, S(1));
	xb_dns_cache_put(c, "b.example", XB_DNS_A, XB_DNS_NXDOMAIN, "b.example", 0, NULL, 0, 100,
			 S(1));
	EXPECT_NE(NULL, xb_dns_cache_get(c, "a.example", XB_DNS_A, S(2))); /* a is now recent */
	xb_dns_cache_put(c, "c.example", XB_DNS_A, XB_DNS_OK, "c.example", 0, &rr, 1, 100, S(3));
	EXPECT_EQ(2, xb_dns_cache_count(c));
	EXPECT_EQ(1, xb_dns_cache_evictions(c));
	EXPECT_EQ(NULL, xb_dns_cache_get(c, "b.example", XB_DNS_A, S(4)));
	EXPECT_NE(NULL, xb_dns_cache_get(c, "a.example", XB_DNS_A, S(4)));
	e = xb_dns_cache_get(c, "c.example", XB_DNS_A, S(4));
	ASSERT_NE(NULL, e);
	EXPECT_EQ(XB_DNS_OK, e->status);
	/* a new answer replaces the old one whole */
	xb_dns_cache_put(c, "c.example", XB_DNS_A, XB_DNS_NODATA, "c.example", 0, NULL, 0, 50,
			 S(5));
	e = xb_dns_cache_get(c, "c.example", XB_DNS_A, S(6));
	ASSERT_NE(NULL, e);
	EXPECT_EQ(XB_DNS_NODATA, e->status);
	EXPECT_EQ(2, xb_dns_cache_count(c));
	xb_dns_cache_free(c);
}

TEST(resolv_conf) {
	char path[] = "/tmp/xb-resolv.XXXXXX";
	struct xb_endpoint s[3];
	unsigned int n;
	char b[XB_ADDRSTRLEN];
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	ASSERT_NE(NULL, f);
	fputs("# comment\nsearch example\nnameserver 192.0.2.53\n  nameserver\tfe80::1%eth0\n"
	      "nameserver 2001:db8::53 # trailing\nnameserver bogus\nnameserverx 1.2.3.4\n"
	      "nameserver 192.0.2.54\nnameserver 192.0.2.55\n",
	      f);
	fclose(f);
	ASSERT_EQ(0, xb_dns_read_resolv_conf(path, s, 3, &n));
	ASSERT_EQ(3, n);
	EXPECT_STREQ("192.0.2.53:53", xb_fmt_endpoint(&s[0], b, sizeof(b)));
	EXPECT_STREQ("[2001:db8::53]:53", xb_fmt_endpoint(&s[1], b, sizeof(b)));
	EXPECT_STREQ("192.0.2.54:53", xb_fmt_endpoint(&s[2], b, sizeof(b)));
	f = fopen(path, "w");
	fputs("search example\n", f);
	fclose(f);
	EXPECT_EQ(-ENOENT, xb_dns_read_resolv_conf(path, s, 3, &n));
	unlink(path);
	EXPECT_EQ(-ENOENT, xb_dns_read_resolv_conf(path, s, 3, &n));
}

TEST_HARNESS_MAIN
