// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The resolver, RFC 3263 and ENUM against a real authoritative server
 * (NSD, started by tests/net/30-dns-resolver.sh with the zones of
 * tests/net/dns-topo.inc). Every test is skipped when XB_DNS_SERVER is not
 * set, so the unit suite runs it as skips and the net script runs it for
 * real, inside the client namespace, with:
 *
 *   XB_DNS_SERVER   ADDR:PORT of NSD (b.example, c.example, e164.arpa)
 *   XB_DNS_SERVER6  the same server over IPv6
 *   XB_DNS_SERVER2  a second NSD, serving only d.example
 *   XB_DNS_SILENT   ADDR:PORT where queries vanish (nftables drop)
 *   XB_DNS_LIAR     ADDR:PORT answering every query with garbage
 *   XB_DNS_COUNT    a command printing "UDP TCP": queries NSD received
 *   XB_DNS_LIVE     ADDR:PORT of this namespace, for the failover test
 *
 * Query counts come from the server's side (nftables counters), so "cached"
 * means no packet reached the server, not that a counter of ours says so.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>

#include <xborder/fastpath.h>

#include "common/err.h"
#include "dns/blocklist.h"
#include "dns/enum.h"
#include "dns/resolver.h"
#include "dns/sip_locate.h"
#include "dns/uri.h"
#include "evloop/evloop.h"
#include "kselftest_harness.h"

struct got {
	bool done;
	enum xb_dns_status status;
	int err;
	char error[1024];
	char canonical[XB_DNS_NAME_MAX];
	unsigned int n, hops;
	struct xb_dns_rr rr[XB_DNS_MAX_RRS];
	uint32_t ttl;
	bool from_cache, tcp;
};

static void on_result(const struct xb_dns_result *res, void *arg)
{
	struct got *g = arg;

	g->done = true;
	g->status = res->status;
	g->err = res->err;
	snprintf(g->error, sizeof(g->error), "%s", res->error);
	snprintf(g->canonical, sizeof(g->canonical), "%s", res->canonical);
	g->n = res->n;
	memcpy(g->rr, res->rr, res->n * sizeof(*res->rr));
	g->ttl = res->ttl;
	g->from_cache = res->from_cache;
	g->tcp = res->tcp;
	g->hops = res->cname_hops;
}

/* Run the loop until *DONE, at most MS milliseconds. */
static bool run_until(struct xb_loop *loop, const bool *done, unsigned int ms)
{
	uint64_t end = xb_now_ns() + (uint64_t)ms * 1000000ull;

	while (!*done && xb_now_ns() < end)
		xb_loop_once(loop, 20);
	return *done;
}

static int lookup(struct xb_loop *loop, struct xb_resolver *r, const char *name, uint16_t type,
		  struct got *g)
{
	int err;

	memset(g, 0, sizeof(*g));
	err = xb_dns_resolve(r, name, type, on_result, g, NULL);
	if (err)
		return err;
	return run_until(loop, &g->done, 10000) ? 0 : -ETIMEDOUT;
}

static bool env_endpoint(const char *var, struct xb_endpoint *ep)
{
	const char *v = getenv(var);

	return v && !xb_parse_endpoint(v, ep);
}

/* Queries the server has received so far, from its nftables counters. */
static void server_counts(unsigned int *udp, unsigned int *tcp)
{
	const char *cmd = getenv("XB_DNS_COUNT");
	FILE *f;

	*udp = *tcp = 0;
	if (!cmd)
		return;
	f = popen(cmd, "r");
	if (!f)
		return;
	if (fscanf(f, "%u %u", udp, tcp) != 2)
		*udp = *tcp = 0;
	pclose(f);
}

static const char *addr_s(const struct xb_addr *a)
{
	static char buf[4][XB_ADDRSTRLEN];
	static int i;

	i = (i + 1) % 4;
	return xb_fmt_addr(a, buf[i], sizeof(buf[i]));
}

FIXTURE(live) {
	struct xb_loop *loop;
	struct xb_resolver *r;
	struct xb_dns_config cfg;
};

FIXTURE_SETUP(live) {
	self->loop = xb_loop_new();
	ASSERT_NE(NULL, self->loop);
	xb_dns_config_default(&self->cfg);
	if (!env_endpoint("XB_DNS_SERVER", &self->cfg.servers[0]))
		return; /* each test skips */
	self->cfg.n_servers = 1;
	self->cfg.timeout_ms = 500;
	self->r = xb_resolver_new(self->loop, &self->cfg);
	ASSERT_NE(NULL, self->r) TH_LOG("%s", xb_errmsg());
}

FIXTURE_TEARDOWN(live) {
	xb_resolver_free(self->r);
	xb_loop_free(self->loop);
}

#define NEED_SERVER()                                                                         \
	do {                                                                                  \
		if (!self->r)                                                                 \
			SKIP(return, "XB_DNS_SERVER not set (run by tests/net/30-dns-*.sh)"); \
	} while (0)

/* ---------------------------------------------------------------- resolver */

TEST_F(live, a_record_then_cache) {
	unsigned int u0, t0, u1, t1, u2, t2;
	struct got g;

	NEED_SERVER();
	server_counts(&u0, &t0);
	ASSERT_EQ(0, lookup(self->loop, self->r, "aonly.b.example", XB_DNS_A, &g));
	ASSERT_EQ(XB_DNS_OK, g.status) TH_LOG("%s", g.error);
	ASSERT_EQ(1, g.n);
	EXPECT_STREQ("10.53.3.1", addr_s(&g.rr[0].addr));
	EXPECT_EQ(300, g.ttl);
	EXPECT_FALSE(g.from_cache);
	server_counts(&u1, &t1);
	EXPECT_EQ(u0 + 1, u1);

	/* the same name with different case: one cache entry */
	ASSERT_EQ(0, lookup(self->loop, self->r, "AOnly.B.Example.", XB_DNS_A, &g));
	ASSERT_EQ(XB_DNS_OK, g.status);
	EXPECT_TRUE(g.from_cache);
	EXPECT_STREQ("10.53.3.1", addr_s(&g.rr[0].addr));
	EXPECT_GE(300, g.ttl);
	EXPECT_LE(298, g.ttl);
	server_counts(&u2, &t2);
	EXPECT_EQ(u1, u2) TH_LOG("a cached answer must not query the server");
	EXPECT_EQ(t0, t2);
}

TEST_F(live, nxdomain_is_cached_for_the_soa_minimum) {
	unsigned int u0, t0, u1, t1;
	struct got g;

	NEED_SERVER();
	ASSERT_EQ(0, lookup(self->loop, self->r, "nothere.b.example", XB_DNS_A, &g));
	EXPECT_EQ(XB_DNS_NXDOMAIN, g.status);
	EXPECT_EQ(60, g.ttl); /* min(SOA TTL, MINIMUM 60) */
	EXPECT_FALSE(g.from_cache);
	server_counts(&u0, &t0);
	ASSERT_EQ(0, lookup(self->loop, self->r, "nothere.b.example", XB_DNS_A, &g));
	EXPECT_EQ(XB_DNS_NXDOMAIN, g.status);
	EXPECT_TRUE(g.from_cache);
	server_counts(&u1, &t1);
	EXPECT_EQ(u0, u1) TH_LOG("the negative answer must come from the cache");
}

TEST_F(live, nodata_is_cached_too) {
	unsigned int u0, t0, u1, t1;
	struct got g;

	NEED_SERVER();
	ASSERT_EQ(0, lookup(self->loop, self->r, "aonly.b.example", XB_DNS_AAAA, &g));
	EXPECT_EQ(XB_DNS_NODATA, g.status);
	EXPECT_EQ(60, g.ttl);
	server_counts(&u0, &t0);
	ASSERT_EQ(0, lookup(self->loop, self->r, "aonly.b.example", XB_DNS_AAAA, &g));
	EXPECT_EQ(XB_DNS_NODATA, g.status);
	EXPECT_TRUE(g.from_cache);
	server_counts(&u1, &t1);
	EXPECT_EQ(u0, u1);
}

TEST_F(live, expired_ttl_is_queried_again) {
	unsigned int u0, t0, u1, t1, u2, t2;
	struct got g;
	bool never = false;

	NEED_SERVER();
	server_counts(&u0, &t0);
	ASSERT_EQ(0, lookup(self->loop, self->r, "ttl.b.example", XB_DNS_A, &g));
	ASSERT_EQ(XB_DNS_OK, g.status);
	EXPECT_EQ(1, g.ttl);
	ASSERT_EQ(0, lookup(self->loop, self->r, "ttl.b.example", XB_DNS_A, &g));
	EXPECT_TRUE(g.from_cache);
	server_counts(&u1, &t1);
	EXPECT_EQ(u0 + 1, u1);
	run_until(self->loop, &never, 1100); /* past the 1 s TTL */
	ASSERT_EQ(0, lookup(self->loop, self->r, "ttl.b.example", XB_DNS_A, &g));
	ASSERT_EQ(XB_DNS_OK, g.status);
	EXPECT_FALSE(g.from_cache);
	server_counts(&u2, &t2);
	EXPECT_EQ(u1 + 1, u2) TH_LOG("an expired answer must be asked for again");
}

TEST_F(live, truncated_answer_is_fetched_over_tcp) {
	unsigned int u0, t0, u1, t1, i;
	struct xb_dns_stats st;
	struct got g;

	NEED_SERVER();
	server_counts(&u0, &t0);
	ASSERT_EQ(0, lookup(self->loop, self->r, "big.b.example", XB_DNS_A, &g));
	ASSERT_EQ(XB_DNS_OK, g.status) TH_LOG("%s", g.error);
	EXPECT_TRUE(g.tcp);
	ASSERT_EQ(40, g.n);
	for (i = 0; i < 40; i++) {
		char want[32];

		snprintf(want, sizeof(want), "10.53.8.%u", i + 1);
		EXPECT_STREQ(want, addr_s(&g.rr[i].addr));
	}
	server_counts(&u1, &t1);
	EXPECT_EQ(u0 + 1, u1);
	EXPECT_EQ(t0 + 1, t1) TH_LOG("one TCP connection after the truncated UDP answer");
	xb_resolver_stats(self->r, &st);
	EXPECT_EQ(1, st.truncated);
	EXPECT_EQ(1, st.tcp_queries);
}

TEST_F(live, oversized_answer_is_refused_cleanly) {
	struct got g;

	NEED_SERVER();
	ASSERT_EQ(0, lookup(self->loop, self->r, "huge.b.example", XB_DNS_A, &g));
	EXPECT_EQ(XB_DNS_FAIL, g.status);
	EXPECT_EQ(-EMSGSIZE, g.err);
	EXPECT_STREQ("huge.b.example A: oversized answer: 100 A records for huge.b.example "
		     "(limit 64)",
		     g.error);
	EXPECT_TRUE(g.tcp);
}

TEST_F(live, cname_is_followed) {
	struct got g;

	NEED_SERVER();
	ASSERT_EQ(0, lookup(self->loop, self->r, "alias.b.example", XB_DNS_A, &g));
	ASSERT_EQ(XB_DNS_OK, g.status);
	EXPECT_STREQ("aonly.b.example", g.canonical);
	EXPECT_EQ(1, g.hops);
	EXPECT_STREQ("10.53.3.1", addr_s(&g.rr[0].addr));
}

TEST_F(live, cname_loop_is_an_error) {
	struct got g;

	NEED_SERVER();
	ASSERT_EQ(0, lookup(self->loop, self->r, "loop1.b.example", XB_DNS_A, &g));
	EXPECT_EQ(XB_DNS_FAIL, g.status);
	EXPECT_EQ(-ELOOP, g.err);
	EXPECT_STREQ("loop1.b.example A: CNAME loop: loop2.b.example -> loop1.b.example", g.error);
}

TEST_F(live, cname_chain_too_long_is_an_error) {
	struct got g;

	NEED_SERVER();
	ASSERT_EQ(0, lookup(self->loop, self->r, "c1.b.example", XB_DNS_A, &g));
	EXPECT_EQ(XB_DNS_FAIL, g.status);
	EXPECT_EQ(-ELOOP, g.err);
	EXPECT_NE(NULL, strstr(g.error, "CNAME chain longer than 8")) TH_LOG("%s", g.error);
}

/* A CNAME into a zone the first server refuses: the target is asked for
 * separately, and the second server answers after the REFUSED. */
TEST_F(live, cname_across_servers) {
	struct xb_resolver *r;
	struct xb_dns_config cfg = self->cfg;
	struct xb_dns_stats st;
	struct got g;

	NEED_SERVER();
	if (!env_endpoint("XB_DNS_SERVER2", &cfg.servers[1]))
		SKIP(return, "XB_DNS_SERVER2 not set");
	cfg.n_servers = 2;
	r = xb_resolver_new(self->loop, &cfg);
	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, lookup(self->loop, r, "dalias.b.example", XB_DNS_A, &g));
	ASSERT_EQ(XB_DNS_OK, g.status) TH_LOG("%s", g.error);
	EXPECT_STREQ("sip.d.example", g.canonical);
	EXPECT_EQ(1, g.hops);
	EXPECT_STREQ("10.53.13.5", addr_s(&g.rr[0].addr));
	xb_resolver_stats(r, &st);
	EXPECT_EQ(3, st.udp_queries); /* dalias; sip.d.example twice */
	EXPECT_EQ(1, st.rejected);    /* the REFUSED */
	xb_resolver_free(r);
}

TEST_F(live, srv_and_naptr_records) {
	struct got g;

	NEED_SERVER();
	ASSERT_EQ(0, lookup(self->loop, self->r, "_sip._udp.weighted.b.example", XB_DNS_SRV, &g));
	ASSERT_EQ(XB_DNS_OK, g.status);
	ASSERT_EQ(4, g.n);
	EXPECT_EQ(10, g.rr[0].srv.priority);
	EXPECT_EQ(60, g.rr[0].srv.weight);
	EXPECT_EQ(5060, g.rr[0].srv.port);
	EXPECT_STREQ("w60.weighted.b.example", g.rr[0].srv.target);
	EXPECT_STREQ("backup.weighted.b.example", g.rr[3].srv.target);

	ASSERT_EQ(0, lookup(self->loop, self->r, "b.example", XB_DNS_NAPTR, &g));
	ASSERT_EQ(XB_DNS_OK, g.status);
	ASSERT_EQ(5, g.n);
	EXPECT_EQ(20, g.rr[0].naptr.order);
	EXPECT_STREQ("S", g.rr[0].naptr.flags);
	EXPECT_STREQ("SIP+D2T", g.rr[0].naptr.services);
	EXPECT_STREQ("", g.rr[0].naptr.regexp);
	EXPECT_STREQ("_sip._tcp.b.example", g.rr[0].naptr.replacement);

	ASSERT_EQ(0, lookup(self->loop, self->r, "_sip._udp.nosip.b.example", XB_DNS_SRV, &g));
	ASSERT_EQ(XB_DNS_OK, g.status);
	ASSERT_EQ(1, g.n);
	EXPECT_STREQ(".", g.rr[0].srv.target);
}

TEST_F(live, ipv6_transport_to_the_server) {
	struct xb_dns_config cfg = self->cfg;
	struct xb_resolver *r;
	struct got g;

	NEED_SERVER();
	if (!env_endpoint("XB_DNS_SERVER6", &cfg.servers[0]))
		SKIP(return, "XB_DNS_SERVER6 not set");
	r = xb_resolver_new(self->loop, &cfg);
	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, lookup(self->loop, r, "sbe.c.example", XB_DNS_AAAA, &g));
	ASSERT_EQ(XB_DNS_OK, g.status) TH_LOG("%s", g.error);
	EXPECT_STREQ("fd00:53:c::1", addr_s(&g.rr[0].addr));
	xb_resolver_free(r);
}

TEST_F(live, silent_server_times_out) {
	struct xb_dns_config cfg = self->cfg;
	struct xb_resolver *r;
	struct xb_dns_stats st;
	uint64_t start;
	struct got g;

	NEED_SERVER();
	if (!env_endpoint("XB_DNS_SILENT", &cfg.servers[0]))
		SKIP(return, "XB_DNS_SILENT not set");
	cfg.timeout_ms = 200;
	cfg.attempts = 2;
	r = xb_resolver_new(self->loop, &cfg);
	ASSERT_NE(NULL, r);
	start = xb_now_ns();
	ASSERT_EQ(0, lookup(self->loop, r, "aonly.b.example", XB_DNS_A, &g));
	EXPECT_EQ(XB_DNS_FAIL, g.status);
	EXPECT_EQ(-ETIMEDOUT, g.err);
	EXPECT_NE(NULL, strstr(g.error, "no answer within 200 ms (2 tries)")) TH_LOG("%s", g.error);
	EXPECT_LE(400000000ull, xb_now_ns() - start);
	EXPECT_GT(2000000000ull, xb_now_ns() - start);
	xb_resolver_stats(r, &st);
	EXPECT_EQ(2, st.timeouts);
	xb_resolver_free(r);
}

TEST_F(live, next_server_after_a_silent_one) {
	struct xb_dns_config cfg = self->cfg;
	struct xb_resolver *r;
	struct xb_dns_stats st;
	struct got g;

	NEED_SERVER();
	if (!env_endpoint("XB_DNS_SILENT", &cfg.servers[0]))
		SKIP(return, "XB_DNS_SILENT not set");
	cfg.servers[1] = self->cfg.servers[0];
	cfg.n_servers = 2;
	cfg.timeout_ms = 200;
	r = xb_resolver_new(self->loop, &cfg);
	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, lookup(self->loop, r, "aonly.b.example", XB_DNS_A, &g));
	ASSERT_EQ(XB_DNS_OK, g.status) TH_LOG("%s", g.error);
	xb_resolver_stats(r, &st);
	EXPECT_EQ(1, st.timeouts);
	EXPECT_EQ(2, st.udp_queries);
	xb_resolver_free(r);
}

TEST_F(live, closed_port_fails_fast) {
	struct xb_dns_config cfg = self->cfg;
	struct xb_resolver *r;
	uint64_t start;
	struct got g;

	NEED_SERVER();
	cfg.servers[0].port = 5070; /* nothing listens there */
	cfg.attempts = 1;
	r = xb_resolver_new(self->loop, &cfg);
	ASSERT_NE(NULL, r);
	start = xb_now_ns();
	ASSERT_EQ(0, lookup(self->loop, r, "aonly.b.example", XB_DNS_A, &g));
	EXPECT_EQ(XB_DNS_FAIL, g.status);
	EXPECT_EQ(-ECONNREFUSED, g.err);
	EXPECT_NE(NULL, strstr(g.error, "port unreachable")) TH_LOG("%s", g.error);
	EXPECT_GT(400000000ull, xb_now_ns() - start) TH_LOG("ICMP, not the timeout, ends it");
	xb_resolver_free(r);
}

TEST_F(live, garbage_answers_are_rejected) {
	struct xb_dns_config cfg = self->cfg;
	struct xb_resolver *r;
	struct xb_dns_stats st;
	struct got g;

	NEED_SERVER();
	if (!env_endpoint("XB_DNS_LIAR", &cfg.servers[0]))
		SKIP(return, "XB_DNS_LIAR not set");
	r = xb_resolver_new(self->loop, &cfg);
	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, lookup(self->loop, r, "aonly.b.example", XB_DNS_A, &g));
	EXPECT_EQ(XB_DNS_FAIL, g.status);
	EXPECT_EQ(-EPROTO, g.err);
	EXPECT_NE(NULL, strstr(g.error, "malformed answer")) TH_LOG("%s", g.error);
	xb_resolver_stats(r, &st);
	EXPECT_EQ(2, st.rejected);
	EXPECT_EQ(0, st.cache_entries);

	/* the good server after the liar answers */
	cfg.servers[1] = self->cfg.servers[0];
	cfg.n_servers = 2;
	xb_resolver_free(r);
	r = xb_resolver_new(self->loop, &cfg);
	ASSERT_EQ(0, lookup(self->loop, r, "aonly.b.example", XB_DNS_A, &g));
	EXPECT_EQ(XB_DNS_OK, g.status) TH_LOG("%s", g.error);
	xb_resolver_free(r);
}

static void never_called(const struct xb_dns_result *res, void *arg)
{
	*(int *)arg += 1;
}

TEST_F(live, cancelled_lookup_never_calls_back) {
	struct xb_dns_lookup *l;
	int calls = 0;
	bool never = false;

	NEED_SERVER();
	ASSERT_EQ(0, xb_dns_resolve(self->r, "sip1.b.example", XB_DNS_A, never_called, &calls, &l));
	xb_loop_once(self->loop, 0); /* the query goes out */
	xb_dns_cancel(l);
	run_until(self->loop, &never, 300);
	EXPECT_EQ(0, calls);
	/* and lookups still in flight when the resolver goes are dropped */
	ASSERT_EQ(0,
		  xb_dns_resolve(self->r, "sip2.b.example", XB_DNS_A, never_called, &calls, NULL));
	xb_loop_once(self->loop, 0);
	xb_resolver_free(self->r);
	self->r = NULL;
	run_until(self->loop, &never, 200);
	EXPECT_EQ(0, calls);
}

/* ---------------------------------------------------------------- RFC 3263 */

struct located {
	bool done;
	struct xb_targets *t;
};

static void on_located(struct xb_targets *t, void *arg)
{
	struct located *l = arg;

	l->t = t;
	l->done = true;
}

/* "ADDR:PORT/transport ..." for the targets of URI, or "error: ..." */
static char *locate_str(struct xb_loop *loop, struct xb_resolver *r, const char *uri_s,
			const struct xb_locate_opts *opts, struct xb_targets **keep)
{
	static char out[2048];
	struct located l = { 0 };
	struct xb_uri uri;
	unsigned int i;
	size_t o = 0;

	if (keep)
		*keep = NULL;
	if (xb_uri_parse(uri_s, &uri) || xb_locate(r, &uri, opts, on_located, &l, NULL)) {
		snprintf(out, sizeof(out), "refused: %s", xb_errmsg());
		return out;
	}
	if (!run_until(loop, &l.done, 10000)) {
		snprintf(out, sizeof(out), "no callback");
		return out;
	}
	if (!l.t->n) {
		snprintf(out, sizeof(out), "error: %s", l.t->error);
	} else {
		out[0] = '\0';
		for (i = 0; i < l.t->n; i++) {
			char ep[XB_ADDRSTRLEN];

			o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s/%s", i ? " " : "",
					      xb_fmt_endpoint(&l.t->t[i].ep, ep, sizeof(ep)),
					      xbd_transport_name(l.t->t[i].transport));
		}
	}
	if (keep)
		*keep = l.t;
	else
		xb_targets_free(l.t);
	return out;
}

TEST_F(live, naptr_then_srv_then_addresses) {
	struct xb_targets *t;

	NEED_SERVER();
	/* NAPTR order 5 (flag A) and 6 (SCTP) are skipped; 10/10 SIPS+D2T, 10/20
	 * SIP+D2U, 20/10 SIP+D2T; each SRV target's A then AAAA */
	EXPECT_STREQ("10.53.1.11:5061/tls [fd00:53:1::11]:5061/tls 10.53.1.11:5060/udp "
		     "[fd00:53:1::11]:5060/udp 10.53.1.12:5060/tcp",
		     locate_str(self->loop, self->r, "sip:alice@b.example", NULL, &t));
	ASSERT_NE(NULL, t);
	EXPECT_EQ(XB_TARGET_NAPTR, t->t[0].source);
	EXPECT_STREQ("sip1.b.example", t->t[0].host);
	EXPECT_STREQ("b.example", t->t[0].tls_name); /* RFC 5922: the URI's domain */
	xb_targets_free(t);
	/* sips: only SIPS+D2T */
	EXPECT_STREQ("10.53.1.11:5061/tls [fd00:53:1::11]:5061/tls",
		     locate_str(self->loop, self->r, "sips:alice@b.example", NULL, NULL));
	/* without TLS enabled, the TLS records are skipped */
	EXPECT_STREQ("10.53.1.11:5060/udp [fd00:53:1::11]:5060/udp 10.53.1.12:5060/tcp",
		     locate_str(self->loop, self->r, "sip:alice@b.example",
				&(struct xb_locate_opts){ .transports = 3 }, NULL));
}

TEST_F(live, srv_only_domain) {
	struct xb_targets *t;

	NEED_SERVER();
	EXPECT_STREQ("10.53.2.2:5071/tcp 10.53.2.1:5070/udp",
		     locate_str(self->loop, self->r, "sip:srv.b.example", NULL, &t));
	ASSERT_NE(NULL, t);
	EXPECT_EQ(XB_TARGET_SRV, t->t[0].source);
	xb_targets_free(t);
	/* sips: _sips._tcp only, which it lacks; then A/AAAA, which it lacks too */
	EXPECT_STREQ("error: no address for srv.b.example",
		     locate_str(self->loop, self->r, "sips:srv.b.example", NULL, NULL));
}

TEST_F(live, a_only_domain_and_explicit_port) {
	struct xb_targets *t;

	NEED_SERVER();
	EXPECT_STREQ("10.53.3.1:5060/udp",
		     locate_str(self->loop, self->r, "sip:bob@aonly.b.example", NULL, &t));
	ASSERT_NE(NULL, t);
	EXPECT_EQ(XB_TARGET_A, t->t[0].source);
	xb_targets_free(t);
	EXPECT_STREQ("10.53.3.1:5061/tls",
		     locate_str(self->loop, self->r, "sips:bob@aonly.b.example", NULL, NULL));
	/* a port: A/AAAA only, even for a domain with NAPTR and SRV */
	EXPECT_STREQ("10.53.1.11:5080/udp [fd00:53:1::11]:5080/udp",
		     locate_str(self->loop, self->r, "sip:sip1.b.example:5080", NULL, NULL));
	EXPECT_STREQ("10.53.1.11:5080/tcp [fd00:53:1::11]:5080/tcp",
		     locate_str(self->loop, self->r, "sip:sip1.b.example:5080;transport=tcp", NULL,
				NULL));
}

TEST_F(live, transport_param_wins) {
	NEED_SERVER();
	/* NAPTR says TLS first; transport=tcp asks _sip._tcp alone */
	EXPECT_STREQ("10.53.1.12:5060/tcp",
		     locate_str(self->loop, self->r, "sip:b.example;transport=tcp", NULL, NULL));
	EXPECT_STREQ("10.53.1.11:5060/udp [fd00:53:1::11]:5060/udp",
		     locate_str(self->loop, self->r, "sip:b.example;transport=UDP", NULL, NULL));
	/* no SRV for it: A/AAAA, default port */
	EXPECT_STREQ("10.53.3.1:5060/tcp",
		     locate_str(self->loop, self->r, "sip:aonly.b.example;transport=tcp", NULL,
				NULL));
	EXPECT_STREQ("refused: a sips: URI cannot use transport=udp",
		     locate_str(self->loop, self->r, "sips:b.example;transport=udp", NULL, NULL));
}

TEST_F(live, numeric_hosts_skip_dns) {
	unsigned int u0, t0, u1, t1;

	NEED_SERVER();
	server_counts(&u0, &t0);
	EXPECT_STREQ("10.53.3.7:5060/udp",
		     locate_str(self->loop, self->r, "sip:10.53.3.7", NULL, NULL));
	EXPECT_STREQ("[fd00:53::7]:5061/tls",
		     locate_str(self->loop, self->r, "sips:[fd00:53::7]", NULL, NULL));
	EXPECT_STREQ("10.53.3.7:5999/tcp",
		     locate_str(self->loop, self->r, "sip:u@10.53.3.7:5999;transport=tcp", NULL,
				NULL));
	server_counts(&u1, &t1);
	EXPECT_EQ(u0, u1);
	/* maddr replaces the host */
	EXPECT_STREQ("10.53.3.8:5060/udp",
		     locate_str(self->loop, self->r, "sip:b.example;maddr=10.53.3.8", NULL, NULL));
}

TEST_F(live, sips_only_domain) {
	NEED_SERVER();
	EXPECT_STREQ("10.53.4.1:5061/tls",
		     locate_str(self->loop, self->r, "sips:sips.b.example", NULL, NULL));
	/* a sip: URI may still be served over TLS (SIPS+D2T is allowed) */
	EXPECT_STREQ("10.53.4.1:5061/tls",
		     locate_str(self->loop, self->r, "sip:sips.b.example", NULL, NULL));
	/* but not if TLS is not enabled here */
	EXPECT_STREQ("error: no address for sips.b.example",
		     locate_str(self->loop, self->r, "sip:sips.b.example",
				&(struct xb_locate_opts){ .transports = 3 }, NULL));
}

TEST_F(live, ipv6_targets) {
	NEED_SERVER();
	EXPECT_STREQ("[fd00:53:6::1]:5060/udp 10.53.6.2:5060/udp [fd00:53:6::2]:5060/udp",
		     locate_str(self->loop, self->r, "sip:v6.b.example", NULL, NULL));
	EXPECT_STREQ("10.53.12.1:5060/udp [fd00:53:c::1]:5060/udp",
		     locate_str(self->loop, self->r, "sip:c.example", NULL, NULL));
}

TEST_F(live, dot_target_means_no_service) {
	NEED_SERVER();
	EXPECT_STREQ("error: nosip.b.example offers no SIP service (SRV target \".\")",
		     locate_str(self->loop, self->r, "sip:nosip.b.example", NULL, NULL));
	EXPECT_STREQ("error: no address for nothere.b.example",
		     locate_str(self->loop, self->r, "sip:nothere.b.example", NULL, NULL));
}

/*
 * RFC 2782 weights through the whole procedure: 303 locates with a fixed
 * seed. Only the first one reaches the server; the rest come from the
 * cache, and the first target follows weights 60/30/10 (draws over
 * 0..100 inclusive: 61/30/10 of 101), the backup at priority 20 last.
 */
TEST_F(live, weighted_srv_through_the_cache) {
	struct xb_rng rng;
	struct xb_locate_opts opts = { .rng = &rng };
	unsigned int u0, t0, u1, t1, u2, t2, i, n60 = 0, n30 = 0, n10 = 0, backup_last = 0;
	const unsigned int draws = 303;
	double chi = 0, e;

	NEED_SERVER();
	xb_rng_seed(&rng, 20240601);
	server_counts(&u0, &t0);
	for (i = 0; i < draws; i++) {
		struct xb_targets *t;
		const char *s =
			locate_str(self->loop, self->r, "sip:weighted.b.example", &opts, &t);

		ASSERT_NE(NULL, t) TH_LOG("%s", s);
		ASSERT_EQ(4, t->n);
		n60 += !strcmp(addr_s(&t->t[0].ep.a), "10.53.5.60");
		n30 += !strcmp(addr_s(&t->t[0].ep.a), "10.53.5.30");
		n10 += !strcmp(addr_s(&t->t[0].ep.a), "10.53.5.10");
		backup_last += !strcmp(addr_s(&t->t[3].ep.a), "10.53.5.200");
		xb_targets_free(t);
		if (i == 0)
			server_counts(&u1, &t1);
	}
	server_counts(&u2, &t2);
	EXPECT_LT(u0, u1);
	EXPECT_EQ(u1, u2) TH_LOG("%u more queries after the first locate", u2 - u1);
	EXPECT_EQ(draws, n60 + n30 + n10);
	EXPECT_EQ(draws, backup_last);
	e = draws * 61.0 / 101;
	chi += (n60 - e) * (n60 - e) / e;
	e = draws * 30.0 / 101;
	chi += (n30 - e) * (n30 - e) / e;
	e = draws * 10.0 / 101;
	chi += (n10 - e) * (n10 - e) / e;
	/* 2 degrees of freedom: 13.8 is p = 0.001 */
	EXPECT_GT(13.8, chi) TH_LOG("first picks 60:%u 30:%u 10:%u, chi2 %.2f", n60, n30, n10, chi);
	TH_LOG("first picks 60:%u 30:%u 10:%u of %u, chi2 %.2f", n60, n30, n10, draws, chi);
}

/*
 * Failover on the wire: the first target's port is closed, so a datagram
 * to it brings back ICMP port unreachable; the target is marked failed,
 * and the next one receives the request. A later lookup puts the blocked
 * target last.
 */
TEST_F(live, failover_skips_a_failed_target) {
	struct xb_blocklist *bl = xb_blocklist_new(16);
	struct xb_locate_opts opts = { .bl = bl };
	struct xb_endpoint live_ep;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	const struct xb_target *x;
	struct xb_targets *t;
	char buf[64], ep[XB_ADDRSTRLEN];
	int lfd, fd;
	struct pollfd pfd;

	NEED_SERVER();
	if (!env_endpoint("XB_DNS_LIVE", &live_ep))
		SKIP(return, "XB_DNS_LIVE not set");
	ASSERT_NE(NULL, bl);
	lfd = socket(AF_INET, SOCK_DGRAM, 0);
	sin.sin_port = htons(live_ep.port);
	memcpy(&sin.sin_addr, live_ep.a.addr, 4);
	ASSERT_EQ(0, bind(lfd, (struct sockaddr *)&sin, sizeof(sin)));

	EXPECT_STREQ("10.53.0.1:5070/udp 10.53.0.2:5060/udp",
		     locate_str(self->loop, self->r, "sip:failover.b.example", &opts, &t));
	ASSERT_NE(NULL, t);
	while ((x = xb_targets_next(t, xb_now_ns()))) {
		struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(x->ep.port) };

		memcpy(&to.sin_addr, x->ep.a.addr, 4);
		fd = socket(AF_INET, SOCK_DGRAM, 0);
		ASSERT_EQ(0, connect(fd, (struct sockaddr *)&to, sizeof(to)));
		ASSERT_EQ(7, send(fd, "OPTIONS", 7, 0));
		pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
		if (poll(&pfd, 1, 1000) == 1 && recv(fd, buf, sizeof(buf), 0) < 0 &&
		    errno == ECONNREFUSED) {
			TH_LOG("%s refused: marked failed",
			       xb_fmt_endpoint(&x->ep, ep, sizeof(ep)));
			EXPECT_STREQ("10.53.0.1", addr_s(&x->ep.a));
			EXPECT_EQ(0, xb_targets_mark_failed(t, x, 30, xb_now_ns()));
			close(fd);
			continue;
		}
		close(fd);
		break;
	}
	ASSERT_NE(NULL, x);
	EXPECT_STREQ("10.53.0.2", addr_s(&x->ep.a));
	pfd = (struct pollfd){ .fd = lfd, .events = POLLIN };
	ASSERT_EQ(1, poll(&pfd, 1, 1000));
	EXPECT_EQ(7, recv(lfd, buf, sizeof(buf), 0)) TH_LOG("the second target got the request");
	EXPECT_EQ(NULL, xb_targets_next(t, xb_now_ns()));
	xb_targets_free(t);

	/* another request: the blocked target comes last */
	locate_str(self->loop, self->r, "sip:failover.b.example", &opts, &t);
	ASSERT_NE(NULL, t);
	x = xb_targets_next(t, xb_now_ns());
	ASSERT_NE(NULL, x);
	EXPECT_STREQ("10.53.0.2", addr_s(&x->ep.a));
	x = xb_targets_next(t, xb_now_ns());
	ASSERT_NE(NULL, x);
	EXPECT_STREQ("10.53.0.1", addr_s(&x->ep.a));
	xb_targets_free(t);
	/* and once the block has expired, it is first again */
	locate_str(self->loop, self->r, "sip:failover.b.example", &opts, &t);
	ASSERT_NE(NULL, t);
	x = xb_targets_next(t, xb_now_ns() + 31000000000ull);
	ASSERT_NE(NULL, x);
	EXPECT_STREQ("10.53.0.1", addr_s(&x->ep.a));
	xb_targets_free(t);
	close(lfd);
	xb_blocklist_free(bl);
}

/* ---------------------------------------------------------------- ENUM */

struct enum_got {
	bool done;
	int err;
	char error[XB_ERRMSG_MAX];
	unsigned int n;
	char uri[XB_ENUM_URI_MAX];
};

static void on_enum(const struct xb_enum_result *res, void *arg)
{
	struct enum_got *g = arg;

	g->done = true;
	g->err = res->err;
	snprintf(g->error, sizeof(g->error), "%s", res->error);
	g->n = res->n;
	snprintf(g->uri, sizeof(g->uri), "%s", res->n ? res->uris[0] : "");
}

static const char *enum_str(struct xb_loop *loop, struct xb_resolver *r, const char *number)
{
	static char out[XB_ERRMSG_MAX + 16];
	struct enum_got g = { 0 };

	if (xb_enum_lookup(r, number, NULL, on_enum, &g, NULL))
		snprintf(out, sizeof(out), "refused: %s", xb_errmsg());
	else if (!run_until(loop, &g.done, 10000))
		snprintf(out, sizeof(out), "no callback");
	else if (g.n)
		snprintf(out, sizeof(out), "%u %s", g.n, g.uri);
	else
		snprintf(out, sizeof(out), "error: %s", g.error);
	return out;
}

TEST_F(live, enum_to_sip_uri) {
	NEED_SERVER();
	/* E2U+email skipped; the order-20 record is not used after a match */
	EXPECT_STREQ("1 sip:1632960123@b.example", enum_str(self->loop, self->r, "+441632960123"));
	EXPECT_STREQ("1 sip:1632960123@b.example",
		     enum_str(self->loop, self->r, "+44-1632-960123"));
	EXPECT_STREQ("1 sip:960127@C.EXAMPLE", enum_str(self->loop, self->r, "+441632960127"));
}

TEST_F(live, enum_malformed_rules) {
	NEED_SERVER();
	EXPECT_STREQ("error: 4.2.1.0.6.9.2.3.6.1.4.4.e164.arpa: bad regular expression "
		     "'^(+44': Invalid preceding regular expression",
		     enum_str(self->loop, self->r, "+441632960124"));
	EXPECT_STREQ("error: 5.2.1.0.6.9.2.3.6.1.4.4.e164.arpa: substitution rule has 2 "
		     "delimiters '!', needs 3",
		     enum_str(self->loop, self->r, "+441632960125"));
	EXPECT_STREQ("error: 6.2.1.0.6.9.2.3.6.1.4.4.e164.arpa: non-terminal NAPTR (empty flags) "
		     "is not supported",
		     enum_str(self->loop, self->r, "+441632960126"));
	EXPECT_STREQ("error: 8.2.1.0.6.9.2.3.6.1.4.4.e164.arpa: backreference \\1 but the "
		     "expression has 0 groups",
		     enum_str(self->loop, self->r, "+441632960128"));
	EXPECT_STREQ("error: 9.9.9.0.6.9.2.3.6.1.4.4.e164.arpa: no ENUM entry for +441632960999 "
		     "(nxdomain)",
		     enum_str(self->loop, self->r, "+441632960999"));
	EXPECT_STREQ("refused: '1632960123' is not a global number (+ and digits, E.164)",
		     enum_str(self->loop, self->r, "1632960123"));
}

TEST_HARNESS_MAIN
