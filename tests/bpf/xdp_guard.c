// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The signaling guard of the XDP program (bpf/xborder.bpf.c), through
 * BPF_PROG_TEST_RUN: guarded ports, the LPM allow-list, the blocklist with
 * expiry, and the per-source token bucket, for UDP and TCP over IPv4 and
 * IPv6. Admitted packets go to the stack unchanged; every verdict is
 * checked together with the per-reason counters.
 */
#include <stdint.h>
#include <time.h>
#include <unistd.h>

/* The 6.1 harness defines global functions without prototypes, and its
 * ASSERT macros compare whatever types they are given. */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"
#include "xborder.skel.h"
#include "xb_frames.h"

#define LO 1
#define SIP 5060
#define SIPS 5061

FIXTURE(guard) {
	struct xborder *skel;
	int prog, stats, ports, allow4, allow6, block4, block6, rate;
	uint8_t payload[64];
};

FIXTURE_SETUP(guard) {
	self->skel = xborder__open();
	ASSERT_NE(NULL, self->skel);
	ASSERT_EQ(0, bpf_map__set_max_entries(self->skel->maps.xb_streams, 4));
	ASSERT_EQ(0, bpf_map__set_max_entries(self->skel->maps.xb_stream_stats, 4));
	ASSERT_EQ(0, xborder__load(self->skel));
	self->prog = bpf_program__fd(self->skel->progs.xb_xdp);
	self->stats = bpf_map__fd(self->skel->maps.xb_stats);
	self->ports = bpf_map__fd(self->skel->maps.xb_guard_ports);
	self->allow4 = bpf_map__fd(self->skel->maps.xb_allow4);
	self->allow6 = bpf_map__fd(self->skel->maps.xb_allow6);
	self->block4 = bpf_map__fd(self->skel->maps.xb_block4);
	self->block6 = bpf_map__fd(self->skel->maps.xb_block6);
	self->rate = bpf_map__fd(self->skel->maps.xb_ratelimit);
	memcpy(self->payload, "OPTIONS sip:xborder SIP/2.0\r\n", 29);
}

FIXTURE_TEARDOWN(guard) {
	xborder__destroy(self->skel);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int guard_port(FIXTURE_DATA(guard) * self, uint8_t proto, uint16_t port, uint32_t flags,
		      uint32_t rate_pps, uint32_t burst)
{
	struct xb_guard_port_key k = { .proto = proto, .port = htons(port) };
	struct xb_guard_port v = { .flags = flags, .rate_pps = rate_pps, .burst = burst };

	return bpf_map_update_elem(self->ports, &k, &v, BPF_ANY);
}

/* Add "addr/len" to an allow or block trie of the address's family. */
static int prefix(int fd4, int fd6, const char *addr, uint32_t len, uint64_t expires_ns)
{
	struct xb_guard_prefix v = { .peer_id = 7, .expires_ns = expires_ns };
	uint8_t a[16];

	if (strchr(addr, ':')) {
		struct xb_lpm_key6 k = { .prefixlen = len };

		xb_addr(6, addr, a);
		memcpy(k.addr, a, 16);
		return bpf_map_update_elem(fd6, &k, &v, BPF_ANY);
	} else {
		struct xb_lpm_key4 k = { .prefixlen = len };

		xb_addr(4, addr, a);
		memcpy(k.addr, a, 4);
		return bpf_map_update_elem(fd4, &k, &v, BPF_ANY);
	}
}

/* One SIP packet from src to the relay's signaling port; returns the
 * verdict, and checks the stack gets the frame untouched. */
static uint32_t sip_from(FIXTURE_DATA(guard) * self, const char *src, uint8_t proto, uint16_t dport,
			 uint32_t repeat)
{
	int family = strchr(src, ':') ? 6 : 4;
	struct xb_frame_spec s = xb_spec(family, src, 5060,
					 family == 4 ? "198.51.100.1" : "2001:db8:1::1", dport,
					 self->payload, 29);
	uint8_t f[XB_FRAME_MAX];
	size_t len;
	struct xb_run r;

	s.proto = proto;
	len = xb_build(&s, f, sizeof(f));
	if (xb_test_run(self->prog, LO, f, len, repeat, &r))
		return UINT32_MAX;
	if (r.retval == XDP_PASS && !xb_frames_equal(r.out, r.out_len, f, len))
		return UINT32_MAX - 1;
	return r.retval;
}

TEST_F(guard, unguarded_port_is_plain_pass) {
	uint64_t exp[XB_STAT_MAX] = { [XB_STAT_RX] = 2, [XB_STAT_PASS] = 2 };

	ASSERT_EQ(0, guard_port(self, IPPROTO_UDP, SIP, XB_GUARD_ALLOWLIST, 0, 0));
	/* Same port over TCP is another key; another UDP port is unguarded. */
	ASSERT_EQ(XDP_PASS, sip_from(self, "192.0.2.1", IPPROTO_TCP, SIP, 1));
	ASSERT_EQ(XDP_PASS, sip_from(self, "192.0.2.1", IPPROTO_UDP, 5080, 1));
	ASSERT_TRUE(xb_stats_are(self->stats, exp));
}

TEST_F(guard, guarded_without_policy_is_admitted) {
	uint64_t exp[XB_STAT_MAX] = { [XB_STAT_RX] = 2, [XB_STAT_GUARD_PASS] = 2 };

	ASSERT_EQ(0, guard_port(self, IPPROTO_UDP, SIP, 0, 0, 0));
	ASSERT_EQ(XDP_PASS, sip_from(self, "192.0.2.1", IPPROTO_UDP, SIP, 1));
	ASSERT_EQ(XDP_PASS, sip_from(self, "2001:db8:9::1", IPPROTO_UDP, SIP, 1));
	ASSERT_TRUE(xb_stats_are(self->stats, exp));
}

TEST_F(guard, allowlist_ipv4) {
	uint64_t exp[XB_STAT_MAX] = {
		[XB_STAT_RX] = 5, [XB_STAT_GUARD_PASS] = 3, [XB_DROP_GUARD_NOT_ALLOWED] = 2
	};

	ASSERT_EQ(0, guard_port(self, IPPROTO_UDP, SIP, XB_GUARD_ALLOWLIST, 0, 0));
	ASSERT_EQ(0, prefix(self->allow4, self->allow6, "192.0.2.0", 24, 0));
	ASSERT_EQ(0, prefix(self->allow4, self->allow6, "203.0.113.9", 32, 0));
	ASSERT_EQ(XDP_PASS, sip_from(self, "192.0.2.1", IPPROTO_UDP, SIP, 1));
	ASSERT_EQ(XDP_PASS, sip_from(self, "192.0.2.255", IPPROTO_UDP, SIP, 1));
	ASSERT_EQ(XDP_PASS, sip_from(self, "203.0.113.9", IPPROTO_UDP, SIP, 1));
	ASSERT_EQ(XDP_DROP, sip_from(self, "203.0.113.10", IPPROTO_UDP, SIP, 1));
	ASSERT_EQ(XDP_DROP, sip_from(self, "192.0.3.1", IPPROTO_UDP, SIP, 1));
	ASSERT_TRUE(xb_stats_are(self->stats, exp));
}

TEST_F(guard, allowlist_ipv6_and_tcp) {
	uint64_t exp[XB_STAT_MAX] = {
		[XB_STAT_RX] = 4, [XB_STAT_GUARD_PASS] = 2, [XB_DROP_GUARD_NOT_ALLOWED] = 2
	};

	ASSERT_EQ(0, guard_port(self, IPPROTO_TCP, SIPS, XB_GUARD_ALLOWLIST, 0, 0));
	ASSERT_EQ(0, prefix(self->allow4, self->allow6, "2001:db8:a::", 48, 0));
	ASSERT_EQ(XDP_PASS, sip_from(self, "2001:db8:a:1::5", IPPROTO_TCP, SIPS, 1));
	ASSERT_EQ(XDP_DROP, sip_from(self, "2001:db8:b::5", IPPROTO_TCP, SIPS, 1));
	/* An IPv4 source is checked against the IPv4 trie (empty). */
	ASSERT_EQ(XDP_DROP, sip_from(self, "192.0.2.1", IPPROTO_TCP, SIPS, 1));
	ASSERT_EQ(0, prefix(self->allow4, self->allow6, "0.0.0.0", 0, 0));
	ASSERT_EQ(XDP_PASS, sip_from(self, "192.0.2.1", IPPROTO_TCP, SIPS, 1));
	ASSERT_TRUE(xb_stats_are(self->stats, exp));
}

TEST_F(guard, blocklist_beats_allowlist) {
	uint64_t exp[XB_STAT_MAX] = {
		[XB_STAT_RX] = 4, [XB_STAT_GUARD_PASS] = 1, [XB_DROP_GUARD_BLOCKED] = 3
	};

	ASSERT_EQ(0, guard_port(self, IPPROTO_UDP, SIP, XB_GUARD_ALLOWLIST, 0, 0));
	ASSERT_EQ(0, prefix(self->allow4, self->allow6, "192.0.2.0", 24, 0));
	ASSERT_EQ(0, prefix(self->block4, self->block6, "192.0.2.128", 25, 0));
	ASSERT_EQ(0, prefix(self->block4, self->block6, "2001:db8:bad::", 64, 0));
	ASSERT_EQ(XDP_PASS, sip_from(self, "192.0.2.127", IPPROTO_UDP, SIP, 1));
	ASSERT_EQ(XDP_DROP, sip_from(self, "192.0.2.128", IPPROTO_UDP, SIP, 1));
	ASSERT_EQ(XDP_DROP, sip_from(self, "192.0.2.200", IPPROTO_UDP, SIP, 1));
	ASSERT_EQ(XDP_DROP, sip_from(self, "2001:db8:bad::1", IPPROTO_UDP, SIP, 1));
	ASSERT_TRUE(xb_stats_are(self->stats, exp));
}

TEST_F(guard, blocklist_applies_without_allowlist_flag) {
	ASSERT_EQ(0, guard_port(self, IPPROTO_TCP, SIP, 0, 0, 0));
	ASSERT_EQ(0, prefix(self->block4, self->block6, "203.0.113.0", 24, 0));
	ASSERT_EQ(XDP_DROP, sip_from(self, "203.0.113.50", IPPROTO_TCP, SIP, 1));
	ASSERT_EQ(XDP_PASS, sip_from(self, "203.0.114.50", IPPROTO_TCP, SIP, 1));
	EXPECT_EQ(1, xb_stat(self->stats, XB_DROP_GUARD_BLOCKED));
	EXPECT_EQ(1, xb_stat(self->stats, XB_STAT_GUARD_PASS));
}

TEST_F(guard, block_expiry) {
	uint64_t now = mono_ns();

	ASSERT_EQ(0, guard_port(self, IPPROTO_UDP, SIP, 0, 0, 0));
	/* Expired a second ago (and 1 ns ago): no longer blocks. */
	ASSERT_EQ(0, prefix(self->block4, self->block6, "192.0.2.1", 32, now - 1000000000ull));
	ASSERT_EQ(0, prefix(self->block4, self->block6, "2001:db8::1", 128, now - 1));
	ASSERT_EQ(XDP_PASS, sip_from(self, "192.0.2.1", IPPROTO_UDP, SIP, 1));
	ASSERT_EQ(XDP_PASS, sip_from(self, "2001:db8::1", IPPROTO_UDP, SIP, 1));
	/* Expires in a minute: blocks. */
	now = mono_ns();
	ASSERT_EQ(0, prefix(self->block4, self->block6, "192.0.2.1", 32, now + 60000000000ull));
	ASSERT_EQ(0, prefix(self->block4, self->block6, "2001:db8::1", 128, now + 60000000000ull));
	ASSERT_EQ(XDP_DROP, sip_from(self, "192.0.2.1", IPPROTO_UDP, SIP, 1));
	ASSERT_EQ(XDP_DROP, sip_from(self, "2001:db8::1", IPPROTO_UDP, SIP, 1));
	EXPECT_EQ(2, xb_stat(self->stats, XB_DROP_GUARD_BLOCKED));
	EXPECT_EQ(2, xb_stat(self->stats, XB_STAT_GUARD_PASS));
}

TEST_F(guard, rate_limit_burst_then_drop) {
	const uint32_t burst = 5, n = 40;
	uint64_t exp[XB_STAT_MAX] = { [XB_STAT_RX] = 2 * n + 2,
				      [XB_STAT_GUARD_PASS] = 2 * burst + 1,
				      [XB_DROP_GUARD_RATE] = 2 * (n - burst) + 1 };
	struct xb_addr_key k = { .family = XB_AF_INET };
	struct xb_rate_state st;

	/* 1 packet/s: no measurable refill while the test runs. */
	ASSERT_EQ(0, guard_port(self, IPPROTO_UDP, SIP, XB_GUARD_RATELIMIT, 1, burst));
	/* n packets from one source in one BPF_PROG_TEST_RUN (repeat). */
	ASSERT_EQ(XDP_DROP, sip_from(self, "192.0.2.1", IPPROTO_UDP, SIP, n));
	EXPECT_EQ(burst, xb_stat(self->stats, XB_STAT_GUARD_PASS));
	EXPECT_EQ(n - burst, xb_stat(self->stats, XB_DROP_GUARD_RATE));
	/* Its own bucket per source, IPv6 included. */
	ASSERT_EQ(XDP_DROP, sip_from(self, "2001:db8::7", IPPROTO_UDP, SIP, n));
	/* The first source stays limited; a new one starts full. */
	ASSERT_EQ(XDP_DROP, sip_from(self, "192.0.2.1", IPPROTO_UDP, SIP, 1));
	ASSERT_EQ(XDP_PASS, sip_from(self, "192.0.2.2", IPPROTO_UDP, SIP, 1));
	ASSERT_TRUE(xb_stats_are(self->stats, exp));

	/* The bucket is in the map, keyed by the source address. */
	xb_addr(4, "192.0.2.1", k.addr);
	ASSERT_EQ(0, bpf_map_lookup_elem(self->rate, &k, &st));
	EXPECT_GT(XB_TOKEN_SCALE, st.tokens);
	EXPECT_GE(mono_ns(), st.last_ns);
}

TEST_F(guard, rate_limit_refills_with_time) {
	struct xb_addr_key k = { .family = XB_AF_INET6 };
	struct xb_rate_state st;
	uint32_t i, admitted = 0;

	ASSERT_EQ(0, guard_port(self, IPPROTO_TCP, SIP, XB_GUARD_RATELIMIT, 2, 100));
	/* An empty bucket last touched 3 s ago: 2 pps x 3 s = 6 tokens. */
	xb_addr(6, "2001:db8::99", k.addr);
	st.tokens = 0;
	st.last_ns = mono_ns() - 3000000000ull;
	ASSERT_EQ(0, bpf_map_update_elem(self->rate, &k, &st, BPF_ANY));
	for (i = 0; i < 20; i++)
		admitted += sip_from(self, "2001:db8::99", IPPROTO_TCP, SIP, 1) == XDP_PASS;
	EXPECT_EQ(6, admitted);
	EXPECT_EQ(14, xb_stat(self->stats, XB_DROP_GUARD_RATE));
}

TEST_F(guard, rate_limit_bucket_is_capped_at_burst) {
	struct xb_addr_key k = { .family = XB_AF_INET };
	struct xb_rate_state st;

	ASSERT_EQ(0, guard_port(self, IPPROTO_UDP, SIP, XB_GUARD_RATELIMIT, 1000, 3));
	/* Idle for a second at 1000 pps: the bucket holds `burst`, not 1000. */
	xb_addr(4, "192.0.2.50", k.addr);
	st.tokens = 0;
	st.last_ns = mono_ns() - 1000000000ull;
	ASSERT_EQ(0, bpf_map_update_elem(self->rate, &k, &st, BPF_ANY));
	ASSERT_EQ(XDP_DROP, sip_from(self, "192.0.2.50", IPPROTO_UDP, SIP, 10));
	EXPECT_EQ(3, xb_stat(self->stats, XB_STAT_GUARD_PASS));
	EXPECT_EQ(7, xb_stat(self->stats, XB_DROP_GUARD_RATE));
}

TEST_F(guard, rate_limit_survives_a_stamp_from_the_future) {
	struct xb_addr_key k = { .family = XB_AF_INET };
	struct xb_rate_state st;

	ASSERT_EQ(0, guard_port(self, IPPROTO_UDP, SIP, XB_GUARD_RATELIMIT, 1000000, 3));
	xb_addr(4, "192.0.2.60", k.addr);
	st.tokens = 0;
	st.last_ns = mono_ns() + 3600ull * 1000000000ull;
	ASSERT_EQ(0, bpf_map_update_elem(self->rate, &k, &st, BPF_ANY));
	ASSERT_EQ(XDP_DROP, sip_from(self, "192.0.2.60", IPPROTO_UDP, SIP, 1));
	/* The clock restarted at "now": 1 Mpps refills within 10 ms. */
	usleep(10000);
	ASSERT_EQ(XDP_PASS, sip_from(self, "192.0.2.60", IPPROTO_UDP, SIP, 1));
	ASSERT_EQ(0, bpf_map_lookup_elem(self->rate, &k, &st));
	EXPECT_GE(mono_ns(), st.last_ns);
}

TEST_F(guard, zero_burst_admits_nothing) {
	ASSERT_EQ(0, guard_port(self, IPPROTO_UDP, SIP, XB_GUARD_RATELIMIT, 1000, 0));
	ASSERT_EQ(XDP_DROP, sip_from(self, "192.0.2.1", IPPROTO_UDP, SIP, 3));
	EXPECT_EQ(3, xb_stat(self->stats, XB_DROP_GUARD_RATE));
}

TEST_F(guard, allowlist_checked_before_rate) {
	uint64_t exp[XB_STAT_MAX] = { [XB_STAT_RX] = 10,
				      [XB_STAT_GUARD_PASS] = 2,
				      [XB_DROP_GUARD_RATE] = 3,
				      [XB_DROP_GUARD_NOT_ALLOWED] = 5 };
	struct xb_addr_key k = { .family = XB_AF_INET };
	struct xb_rate_state st;

	ASSERT_EQ(0, guard_port(self, IPPROTO_UDP, SIP, XB_GUARD_ALLOWLIST | XB_GUARD_RATELIMIT, 1,
				2));
	ASSERT_EQ(0, prefix(self->allow4, self->allow6, "192.0.2.0", 24, 0));
	/* Strangers do not consume anybody's tokens, nor create buckets. */
	ASSERT_EQ(XDP_DROP, sip_from(self, "198.51.100.77", IPPROTO_UDP, SIP, 5));
	ASSERT_EQ(XDP_DROP, sip_from(self, "192.0.2.1", IPPROTO_UDP, SIP, 5));
	ASSERT_TRUE(xb_stats_are(self->stats, exp));
	xb_addr(4, "198.51.100.77", k.addr);
	EXPECT_NE(0, bpf_map_lookup_elem(self->rate, &k, &st));
}

TEST_F(guard, truncated_tcp_header_goes_to_stack) {
	struct xb_frame_spec s = xb_spec(4, "203.0.113.1", 5060, "198.51.100.1", SIP, NULL, 0);
	uint8_t f[XB_FRAME_MAX];
	struct xb_run r;

	ASSERT_EQ(0, guard_port(self, IPPROTO_TCP, SIP, XB_GUARD_ALLOWLIST, 0, 0));
	s.proto = IPPROTO_TCP;
	xb_build(&s, f, sizeof(f));
	ASSERT_EQ(0, xb_test_run(self->prog, LO, f, 14 + 20 + 19, 1, &r));
	ASSERT_EQ(XDP_PASS, r.retval);
	EXPECT_EQ(1, xb_stat(self->stats, XB_STAT_PASS));
	ASSERT_EQ(0, xb_test_run(self->prog, LO, f, 14 + 20 + 20, 1, &r));
	ASSERT_EQ(XDP_DROP, r.retval);
	EXPECT_EQ(1, xb_stat(self->stats, XB_DROP_GUARD_NOT_ALLOWED));
}

TEST_HARNESS_MAIN
