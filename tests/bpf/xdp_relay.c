// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The media relay of the XDP program (bpf/xborder.bpf.c), through
 * BPF_PROG_TEST_RUN: crafted frames in, verdicts, whole output frames
 * (compared byte for byte with frames built independently, checksums
 * computed from scratch), and the counters in xb_stats and xb_stream_stats.
 *
 * Ingress is ifindex 1 (lo): a stream whose ifindex is 1 is answered with
 * XDP_TX, any other goes through xb_tx_ports (key 7 -> lo in these tests).
 */
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_link.h>

/* The 6.1 harness defines global functions without prototypes, and its
 * ASSERT macros compare whatever types they are given. */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"
#include "xborder.skel.h"
#include "xb_frames.h"

#define LO 1
#define TX_KEY 7     /* xb_tx_ports key that maps to lo */
#define TX_MISSING 9 /* no such xb_tx_ports key */
#define STATS_IDX 3
#define RELAY_PORT 30000

static const uint8_t eg_smac[6] = { 0x02, 0x00, 0x00, 0x00, 0xaa, 0x01 };
static const uint8_t eg_dmac[6] = { 0x02, 0x00, 0x00, 0x00, 0xbb, 0x02 };

FIXTURE(relay) {
	struct xborder *skel;
	int prog, streams, stream_stats, stats, config, tx_ports;
	uint8_t payload[256];
	size_t payload_len;
};

static int set_config(FIXTURE_DATA(relay) * self, uint32_t flags, uint16_t min, uint16_t max)
{
	struct xb_config cfg = {
		.abi = XB_FASTPATH_ABI,
		.flags = flags,
		.relay_port_min = min,
		.relay_port_max = max,
	};
	uint32_t zero = 0;

	return bpf_map_update_elem(self->config, &zero, &cfg, BPF_ANY);
}

FIXTURE_SETUP(relay) {
	uint32_t key = TX_KEY, lo = LO;

	self->skel = xborder__open();
	ASSERT_NE(NULL, self->skel);
	/* Small tables: the program must not depend on their size. */
	ASSERT_EQ(0, bpf_map__set_max_entries(self->skel->maps.xb_streams, 16));
	ASSERT_EQ(0, bpf_map__set_max_entries(self->skel->maps.xb_stream_stats, 8));
	ASSERT_EQ(0, xborder__load(self->skel));
	self->prog = bpf_program__fd(self->skel->progs.xb_xdp);
	self->streams = bpf_map__fd(self->skel->maps.xb_streams);
	self->stream_stats = bpf_map__fd(self->skel->maps.xb_stream_stats);
	self->stats = bpf_map__fd(self->skel->maps.xb_stats);
	self->config = bpf_map__fd(self->skel->maps.xb_config);
	self->tx_ports = bpf_map__fd(self->skel->maps.xb_tx_ports);
	ASSERT_EQ(0, set_config(self, 0, 30000, 39999));
	ASSERT_EQ(0, bpf_map_update_elem(self->tx_ports, &key, &lo, BPF_ANY));
	self->payload_len = xb_rtp(self->payload, 8, 1000, 160000, 0x11223344, 160);
}

FIXTURE_TEARDOWN(relay) {
	xborder__destroy(self->skel);
}

/* Relay side of the test streams: (relay, RELAY_PORT) in, egress below. */
static struct xb_stream stream(int family, uint32_t flags)
{
	struct xb_stream s = {
		.flags = flags,
		.ifindex = LO,
		.stats_idx = STATS_IDX,
		.family = family == 4 ? XB_AF_INET : XB_AF_INET6,
		.dscp = XB_DSCP_KEEP,
		.src_port = htons(30002),
		.dst_port = htons(5004),
		.peer_port = htons(4000),
	};

	xb_addr(family, family == 4 ? "198.51.100.1" : "2001:db8:1::1", s.src_addr);
	xb_addr(family, family == 4 ? "203.0.113.5" : "2001:db8:3::5", s.dst_addr);
	xb_addr(family, family == 4 ? "192.0.2.10" : "2001:db8:2::10", s.peer_addr);
	memcpy(s.smac, eg_smac, 6);
	memcpy(s.dmac, eg_dmac, 6);
	return s;
}

static int put_stream(FIXTURE_DATA(relay) * self, int family, uint16_t port,
		      const struct xb_stream *s)
{
	struct xb_stream_key k = { .family = family == 4 ? XB_AF_INET : XB_AF_INET6 };

	k.port = htons(port);
	xb_addr(family, family == 4 ? "198.51.100.1" : "2001:db8:1::1", k.addr);
	return bpf_map_update_elem(self->streams, &k, s, BPF_ANY);
}

/* A packet from the peer to the relay port. */
static struct xb_frame_spec inbound(FIXTURE_DATA(relay) * self, int family)
{
	if (family == 4)
		return xb_spec(4, "192.0.2.10", 4000, "198.51.100.1", RELAY_PORT, self->payload,
			       self->payload_len);
	return xb_spec(6, "2001:db8:2::10", 4000, "2001:db8:1::1", RELAY_PORT, self->payload,
		       self->payload_len);
}

/* What the relay must send for `in` under stream s, built from scratch. */
static struct xb_frame_spec outbound(const struct xb_frame_spec *in, const struct xb_stream *s)
{
	struct xb_frame_spec o = *in;

	memcpy(o.smac, s->smac, 6);
	memcpy(o.dmac, s->dmac, 6);
	memcpy(o.saddr, s->src_addr, 16);
	memcpy(o.daddr, s->dst_addr, 16);
	o.sport = ntohs(s->src_port);
	o.dport = ntohs(s->dst_port);
	o.ttl = in->ttl - 1;
	if (s->dscp != XB_DSCP_KEEP)
		o.tos = (uint8_t)(s->dscp << 2 | (in->tos & 3));
	if (s->vlan_id)
		o.vlan = (in->vlan >= 0 ? (in->vlan & 0xf000) : 0) | s->vlan_id;
	else
		o.vlan = -1;
	return o;
}

static struct xb_stream_stats stream_stats(FIXTURE_DATA(relay) * self)
{
	struct xb_stream_stats st;
	uint32_t idx = STATS_IDX;

	memset(&st, 0xff, sizeof(st));
	bpf_map_lookup_elem(self->stream_stats, &idx, &st);
	return st;
}

/* Run `in` on lo; the verdict must be `verdict`, the output `exp` (or
 * the unchanged input when exp is NULL), with valid checksums. */
static bool run_expect(struct __test_metadata *_metadata, FIXTURE_DATA(relay) * self,
		       const struct xb_frame_spec *in, uint32_t verdict,
		       const struct xb_frame_spec *exp)
{
	uint8_t fin[XB_FRAME_MAX], fexp[XB_FRAME_MAX];
	size_t lin, lexp;
	struct xb_run r;
	const char *why;

	lin = xb_build(in, fin, sizeof(fin));
	if (xb_test_run(self->prog, LO, fin, lin, 1, &r))
		return false;
	if (r.retval != verdict) {
		TH_LOG("verdict %u, expected %u", r.retval, verdict);
		return false;
	}
	if (!exp)
		return xb_frames_equal(r.out, r.out_len, fin, lin);
	lexp = xb_build(exp, fexp, sizeof(fexp));
	if (!xb_frames_equal(r.out, r.out_len, fexp, lexp))
		return false;
	why = xb_check_csums(r.out, r.out_len);
	if (why) {
		TH_LOG("output frame: %s", why);
		return false;
	}
	return true;
}

/* Run raw bytes (for frames a spec cannot describe). */
static uint32_t run_raw(FIXTURE_DATA(relay) * self, const uint8_t *f, size_t len, struct xb_run *r)
{
	if (xb_test_run(self->prog, LO, f, len, 1, r))
		return UINT32_MAX;
	return r->retval;
}

static uint64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t mono_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

/* ---------------------------------------------------------- forwarding */

TEST_F(relay, ipv4_forward_tx) {
	struct xb_stream s = stream(4, XB_F_FORWARD);
	struct xb_frame_spec in = inbound(self, 4), out = outbound(&in, &s);
	uint64_t exp[XB_STAT_MAX] = { [XB_STAT_RX] = 1, [XB_STAT_TX] = 1 };
	struct xb_stream_stats st;
	/* The program stamps with the coarse clock (the last tick). */
	uint64_t before = clock_ns(CLOCK_MONOTONIC_COARSE);

	ASSERT_EQ(0, put_stream(self, 4, RELAY_PORT, &s));
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_TX, &out));
	ASSERT_TRUE(xb_stats_are(self->stats, exp));
	st = stream_stats(self);
	EXPECT_EQ(1, st.packets);
	EXPECT_EQ(20 + 8 + self->payload_len, st.bytes);
	EXPECT_EQ(0, st.drops);
	EXPECT_LE(before, st.last_seen_ns);
	EXPECT_GE(mono_ns(), st.last_seen_ns);
}

TEST_F(relay, ipv6_forward_tx) {
	struct xb_stream s = stream(6, XB_F_FORWARD);
	struct xb_frame_spec in = inbound(self, 6), out;
	uint64_t exp[XB_STAT_MAX] = { [XB_STAT_RX] = 1, [XB_STAT_TX] = 1 };

	in.flow = 0xabcde;
	in.tos = 0x01; /* ECN bits survive */
	out = outbound(&in, &s);
	ASSERT_EQ(0, put_stream(self, 6, RELAY_PORT, &s));
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_TX, &out));
	ASSERT_TRUE(xb_stats_are(self->stats, exp));
	EXPECT_EQ(40 + 8 + self->payload_len, stream_stats(self).bytes);
}

TEST_F(relay, dscp_set_ipv4_keeps_ecn) {
	struct xb_stream s = stream(4, XB_F_FORWARD);
	struct xb_frame_spec in = inbound(self, 4), out;

	s.dscp = 46; /* EF */
	in.tos = 0x03;
	out = outbound(&in, &s);
	ASSERT_EQ(0xbb, out.tos);
	ASSERT_EQ(0, put_stream(self, 4, RELAY_PORT, &s));
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_TX, &out));
}

TEST_F(relay, dscp_set_ipv6_keeps_ecn_and_flow) {
	struct xb_stream s = stream(6, XB_F_FORWARD);
	struct xb_frame_spec in = inbound(self, 6), out;

	s.dscp = 34; /* AF41 */
	in.tos = 0x02;
	in.flow = 0x54321;
	out = outbound(&in, &s);
	ASSERT_EQ(34 << 2 | 2, out.tos);
	ASSERT_EQ(0, put_stream(self, 6, RELAY_PORT, &s));
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_TX, &out));
}

TEST_F(relay, dscp_keep_changes_nothing) {
	struct xb_stream s = stream(4, XB_F_FORWARD);
	struct xb_frame_spec in = inbound(self, 4), out;

	in.tos = 0xb9;
	out = outbound(&in, &s);
	ASSERT_EQ(0xb9, out.tos);
	ASSERT_EQ(0, put_stream(self, 4, RELAY_PORT, &s));
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_TX, &out));
}

TEST_F(relay, ipv4_udp_checksum_zero_stays_zero) {
	struct xb_stream s = stream(4, XB_F_FORWARD);
	struct xb_frame_spec in = inbound(self, 4), out;

	in.csum_zero = true;
	out = outbound(&in, &s);
	ASSERT_EQ(0, put_stream(self, 4, RELAY_PORT, &s));
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_TX, &out));
}

/* Choose the last payload word so that the rewritten datagram's checksum
 * computes to 0, which must be sent as 0xffff. */
static void force_zero_udp_csum(FIXTURE_DATA(relay) * self, const struct xb_frame_spec *out)
{
	uint8_t f[XB_FRAME_MAX];
	size_t len, l2 = out->vlan >= 0 ? 18 : 14, l3h = out->family == 4 ? 20u : 40u;
	uint32_t sum;
	uint16_t fold, w;

	self->payload[self->payload_len - 2] = 0;
	self->payload[self->payload_len - 1] = 0;
	len = xb_build(out, f, sizeof(f));
	/* Sum of the datagram with its checksum field cleared. */
	f[l2 + l3h + 6] = 0;
	f[l2 + l3h + 7] = 0;
	sum = xb_pseudo_sum(out->family, f + l2 + (out->family == 4 ? 12 : 8),
			    f + l2 + (out->family == 4 ? 16 : 24), 17, (uint32_t)(len - l2 - l3h));
	fold = xb_ref_fold(xb_ref_sum(f + l2 + l3h, len - l2 - l3h, sum));
	w = (uint16_t)(0xffff - fold);
	xb_put16(self->payload + self->payload_len - 2, w);
}

TEST_F(relay, udp_checksum_zero_result_sent_as_ffff) {
	int family;

	for (family = 4; family <= 6; family += 2) {
		struct xb_stream s = stream(family, XB_F_FORWARD);
		struct xb_frame_spec in = inbound(self, family), out = outbound(&in, &s);
		uint8_t f[XB_FRAME_MAX];
		size_t len, csum_off;

		force_zero_udp_csum(self, &out);
		len = xb_build(&out, f, sizeof(f));
		csum_off = 14 + (family == 4 ? 20 : 40) + 6;
		ASSERT_EQ(0xffff, xb_get16(f + csum_off));
		(void)len;
		ASSERT_EQ(0, put_stream(self, family, RELAY_PORT, &s));
		ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_TX, &out));
	}
}

TEST_F(relay, ipv4_options_use_ihl) {
	struct xb_stream s = stream(4, XB_F_FORWARD);
	struct xb_frame_spec in = inbound(self, 4), out;

	in.opt_len = 8;
	out = outbound(&in, &s);
	ASSERT_EQ(0, put_stream(self, 4, RELAY_PORT, &s));
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_TX, &out));
}

TEST_F(relay, ethernet_padding_is_kept) {
	struct xb_stream s = stream(4, XB_F_FORWARD);
	struct xb_frame_spec in, out;
	uint8_t fin[XB_FRAME_MAX], fexp[XB_FRAME_MAX];
	size_t lin, lexp;
	struct xb_run r;

	/* A tiny datagram padded to the 60-byte Ethernet minimum. */
	self->payload_len = 2;
	in = inbound(self, 4);
	out = outbound(&in, &s);
	ASSERT_EQ(0, put_stream(self, 4, RELAY_PORT, &s));
	lin = xb_build(&in, fin, sizeof(fin));
	lexp = xb_build(&out, fexp, sizeof(fexp));
	ASSERT_EQ(44, lin);
	memset(fin + lin, 0, 16);
	memset(fexp + lexp, 0, 16);
	ASSERT_EQ(XDP_TX, run_raw(self, fin, lin + 16, &r));
	ASSERT_TRUE(xb_frames_equal(r.out, r.out_len, fexp, lexp + 16));
	EXPECT_EQ(30, stream_stats(self).bytes);
}

TEST_F(relay, ttl_decrement_and_last_hop) {
	struct xb_stream s = stream(4, XB_F_FORWARD);
	struct xb_frame_spec in = inbound(self, 4), out;
	uint64_t exp[XB_STAT_MAX] = { [XB_STAT_RX] = 4, [XB_STAT_TX] = 1, [XB_STAT_PASS] = 3 };

	ASSERT_EQ(0, put_stream(self, 4, RELAY_PORT, &s));
	in.ttl = 2;
	out = outbound(&in, &s);
	ASSERT_EQ(1, out.ttl);
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_TX, &out));
	/* TTL 1 and 0: the stack gets the packet untouched. */
	in.ttl = 1;
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_PASS, NULL));
	in.ttl = 0;
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_PASS, NULL));

	s = stream(6, XB_F_FORWARD);
	ASSERT_EQ(0, put_stream(self, 6, RELAY_PORT, &s));
	in = inbound(self, 6);
	in.ttl = 1;
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_PASS, NULL));
	ASSERT_TRUE(xb_stats_are(self->stats, exp));
	EXPECT_EQ(4, stream_stats(self).packets);
}

/* ------------------------------------------------------------------ VLAN */

TEST_F(relay, vlan_push) {
	int family;

	for (family = 4; family <= 6; family += 2) {
		struct xb_stream s = stream(family, XB_F_FORWARD);
		struct xb_frame_spec in = inbound(self, family), out;

		s.vlan_id = 100;
		out = outbound(&in, &s);
		ASSERT_EQ(100, out.vlan);
		ASSERT_EQ(0, put_stream(self, family, RELAY_PORT, &s));
		ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_TX, &out));
	}
}

TEST_F(relay, vlan_retag_keeps_pcp) {
	int family;

	for (family = 4; family <= 6; family += 2) {
		struct xb_stream s = stream(family, XB_F_FORWARD);
		struct xb_frame_spec in = inbound(self, family), out;

		s.vlan_id = 4094;
		in.vlan = 5 << 13 | 10; /* PCP 5, VID 10 */
		out = outbound(&in, &s);
		ASSERT_EQ(5 << 13 | 4094, out.vlan);
		ASSERT_EQ(0, put_stream(self, family, RELAY_PORT, &s));
		ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_TX, &out));
	}
}

TEST_F(relay, vlan_pop) {
	int family;

	for (family = 4; family <= 6; family += 2) {
		struct xb_stream s = stream(family, XB_F_FORWARD);
		struct xb_frame_spec in = inbound(self, family), out;

		in.vlan = 3 << 13 | 20;
		out = outbound(&in, &s);
		ASSERT_EQ(-1, out.vlan);
		ASSERT_EQ(0, put_stream(self, family, RELAY_PORT, &s));
		ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_TX, &out));
	}
}

TEST_F(relay, double_tagged_goes_to_stack) {
	struct xb_stream s = stream(4, XB_F_FORWARD);
	struct xb_frame_spec in = inbound(self, 4);
	uint8_t f[XB_FRAME_MAX], q[XB_FRAME_MAX];
	size_t len;
	struct xb_run r;

	ASSERT_EQ(0, put_stream(self, 4, RELAY_PORT, &s));
	in.vlan = 10;
	len = xb_build(&in, f, sizeof(f));
	/* Insert a second 802.1Q tag after the first one. */
	memcpy(q, f, 16);
	xb_put16(q + 16, 0x8100);
	xb_put16(q + 18, 20);
	memcpy(q + 20, f + 16, len - 16);
	ASSERT_EQ(XDP_PASS, run_raw(self, q, len + 4, &r));
	ASSERT_TRUE(xb_frames_equal(r.out, r.out_len, q, len + 4));
}

/* -------------------------------------------------------------- redirect */

TEST_F(relay, redirect_through_devmap) {
	struct xb_stream s = stream(4, XB_F_FORWARD);
	struct xb_frame_spec in = inbound(self, 4), out;
	uint64_t exp[XB_STAT_MAX] = { [XB_STAT_RX] = 1, [XB_STAT_REDIRECT] = 1 };

	s.ifindex = TX_KEY;
	s.vlan_id = 42;
	out = outbound(&in, &s);
	ASSERT_EQ(0, put_stream(self, 4, RELAY_PORT, &s));
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_REDIRECT, &out));
	ASSERT_TRUE(xb_stats_are(self->stats, exp));
	EXPECT_EQ(1, stream_stats(self).packets);
}

TEST_F(relay, redirect_miss_is_no_route) {
	struct xb_stream s = stream(6, XB_F_FORWARD);
	struct xb_frame_spec in = inbound(self, 6);
	uint64_t exp[XB_STAT_MAX] = { [XB_STAT_RX] = 1, [XB_DROP_NO_ROUTE] = 1 };
	uint8_t f[XB_FRAME_MAX];
	size_t len = xb_build(&in, f, sizeof(f));
	struct xb_run r;

	s.ifindex = TX_MISSING;
	ASSERT_EQ(0, put_stream(self, 6, RELAY_PORT, &s));
	ASSERT_EQ(XDP_DROP, run_raw(self, f, len, &r));
	ASSERT_TRUE(xb_stats_are(self->stats, exp));
	EXPECT_EQ(0, stream_stats(self).packets);
	EXPECT_EQ(1, stream_stats(self).drops);
}

/* ------------------------------------------------------------------- RTP */

static uint32_t send_rtp(FIXTURE_DATA(relay) * self, int family, uint16_t port, uint8_t pt,
			 uint16_t seq, uint32_t ssrc)
{
	struct xb_frame_spec in;
	uint8_t f[XB_FRAME_MAX];
	struct xb_run r;

	self->payload_len = xb_rtp(self->payload, pt, seq, seq * 160u, ssrc, 20);
	in = inbound(self, family);
	in.dport = port;
	return run_raw(self, f, xb_build(&in, f, sizeof(f)), &r);
}

static uint32_t send_rtcp(FIXTURE_DATA(relay) * self, uint16_t port, uint8_t pt)
{
	struct xb_frame_spec in;
	uint8_t f[XB_FRAME_MAX];
	struct xb_run r;

	self->payload_len = xb_rtcp(self->payload, pt, 0x55667788);
	in = inbound(self, 4);
	in.dport = port;
	return run_raw(self, f, xb_build(&in, f, sizeof(f)), &r);
}

TEST_F(relay, rtp_sequence_tracking) {
	struct xb_stream s = stream(4, XB_F_FORWARD | XB_F_RTP);
	static const uint16_t seqs[] = { 100, 101, 102, 105, 103, 106 };
	struct xb_stream_stats st;
	size_t i;

	ASSERT_EQ(0, put_stream(self, 4, RELAY_PORT, &s));
	for (i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++)
		ASSERT_EQ(XDP_TX, send_rtp(self, 4, RELAY_PORT, 0, seqs[i], 0xcafe0001));
	st = stream_stats(self);
	/* 105 skips 103-104; 103 arrives late (expected 106): two errors;
	 * 106 follows the highest (105) again. */
	EXPECT_EQ(2, st.seq_errors);
	EXPECT_EQ(106, st.highest_seq);
	EXPECT_EQ(0xcafe0001, st.last_ssrc);
	EXPECT_EQ(6, st.packets);
}

TEST_F(relay, rtp_sequence_wraps_and_new_ssrc_resets) {
	struct xb_stream s = stream(6, XB_F_FORWARD | XB_F_RTP);
	struct xb_stream_stats st;

	ASSERT_EQ(0, put_stream(self, 6, RELAY_PORT, &s));
	ASSERT_EQ(XDP_TX, send_rtp(self, 6, RELAY_PORT, 0, 65534, 7));
	ASSERT_EQ(XDP_TX, send_rtp(self, 6, RELAY_PORT, 0, 65535, 7));
	ASSERT_EQ(XDP_TX, send_rtp(self, 6, RELAY_PORT, 0, 0, 7));
	ASSERT_EQ(XDP_TX, send_rtp(self, 6, RELAY_PORT, 0, 1, 7));
	st = stream_stats(self);
	EXPECT_EQ(0, st.seq_errors);
	EXPECT_EQ(1, st.highest_seq);
	/* A new SSRC (re-INVITE, new source) starts over without an error. */
	ASSERT_EQ(XDP_TX, send_rtp(self, 6, RELAY_PORT, 0, 30000, 8));
	ASSERT_EQ(XDP_TX, send_rtp(self, 6, RELAY_PORT, 0, 30001, 8));
	st = stream_stats(self);
	EXPECT_EQ(0, st.seq_errors);
	EXPECT_EQ(30001, st.highest_seq);
	EXPECT_EQ(8, st.last_ssrc);
	/* A late packet from before the wrap is an error, highest stays. */
	ASSERT_EQ(XDP_TX, send_rtp(self, 6, RELAY_PORT, 0, 29990, 8));
	st = stream_stats(self);
	EXPECT_EQ(1, st.seq_errors);
	EXPECT_EQ(30001, st.highest_seq);
}

TEST_F(relay, not_rtp_version_2_is_dropped) {
	struct xb_stream s = stream(4, XB_F_FORWARD | XB_F_RTP);
	uint64_t exp[XB_STAT_MAX] = { [XB_STAT_RX] = 3, [XB_DROP_NOT_RTP] = 3 };
	struct xb_frame_spec in;
	uint8_t f[XB_FRAME_MAX];
	struct xb_run r;

	ASSERT_EQ(0, put_stream(self, 4, RELAY_PORT, &s));
	/* Version 1. */
	self->payload_len = xb_rtp(self->payload, 0, 1, 0, 1, 20);
	self->payload[0] = 0x40;
	in = inbound(self, 4);
	ASSERT_EQ(XDP_DROP, run_raw(self, f, xb_build(&in, f, sizeof(f)), &r));
	/* STUN (first two bits 00) on an RTP-only stream. */
	self->payload[0] = 0x00;
	in = inbound(self, 4);
	ASSERT_EQ(XDP_DROP, run_raw(self, f, xb_build(&in, f, sizeof(f)), &r));
	/* Version 2 but shorter than an RTP header. */
	self->payload_len = xb_rtp(self->payload, 0, 1, 0, 1, 0) - 2;
	in = inbound(self, 4);
	ASSERT_EQ(XDP_DROP, run_raw(self, f, xb_build(&in, f, sizeof(f)), &r));
	ASSERT_TRUE(xb_stats_are(self->stats, exp));
	EXPECT_EQ(3, stream_stats(self).drops);
	EXPECT_EQ(0, stream_stats(self).packets);
}

TEST_F(relay, rtcp_has_its_own_entry) {
	struct xb_stream rtp = stream(4, XB_F_FORWARD | XB_F_RTP);
	struct xb_stream rtcp = stream(4, XB_F_FORWARD);
	struct xb_frame_spec in, out;

	rtcp.src_port = htons(30003);
	rtcp.dst_port = htons(5005);
	rtcp.stats_idx = STATS_IDX + 1;
	ASSERT_EQ(0, put_stream(self, 4, RELAY_PORT, &rtp));
	ASSERT_EQ(0, put_stream(self, 4, RELAY_PORT + 1, &rtcp));
	self->payload_len = xb_rtcp(self->payload, 201, 0x01020304);
	in = inbound(self, 4);
	in.dport = RELAY_PORT + 1;
	in.sport = 4001;
	out = outbound(&in, &rtcp);
	ASSERT_EQ(5005, out.dport);
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_TX, &out));
	/* The RTP stream's counters did not move. */
	EXPECT_EQ(0, stream_stats(self).packets);
}

TEST_F(relay, rtcp_mux_does_not_disturb_rtp_tracking) {
	struct xb_stream s = stream(4, XB_F_FORWARD | XB_F_RTP);
	static const uint8_t rtcp_types[] = { 200, 201, 202, 203, 204, 205, 206, 207 };
	struct xb_stream_stats st;
	size_t i;

	ASSERT_EQ(0, put_stream(self, 4, RELAY_PORT, &s));
	ASSERT_EQ(XDP_TX, send_rtp(self, 4, RELAY_PORT, 0, 500, 0xabc));
	ASSERT_EQ(XDP_TX, send_rtp(self, 4, RELAY_PORT, 0x80 | 8, 501, 0xabc)); /* marker */
	for (i = 0; i < sizeof(rtcp_types); i++)
		ASSERT_EQ(XDP_TX, send_rtcp(self, RELAY_PORT, rtcp_types[i]));
	ASSERT_EQ(XDP_TX, send_rtp(self, 4, RELAY_PORT, 0, 502, 0xabc));
	st = stream_stats(self);
	EXPECT_EQ(0, st.seq_errors);
	EXPECT_EQ(502, st.highest_seq);
	EXPECT_EQ(0xabc, st.last_ssrc);
	EXPECT_EQ(3 + sizeof(rtcp_types), st.packets);
}

TEST_F(relay, rtcp_mux_forward_is_byte_exact) {
	struct xb_stream s = stream(6, XB_F_FORWARD | XB_F_RTP);
	struct xb_frame_spec in, out;

	ASSERT_EQ(0, put_stream(self, 6, RELAY_PORT, &s));
	self->payload_len = xb_rtcp(self->payload, 200, 0x99);
	in = inbound(self, 6);
	out = outbound(&in, &s);
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_TX, &out));
}

/* ------------------------------------------------------- stream policies */

TEST_F(relay, drop_pass_learn_flags) {
	struct xb_frame_spec in = inbound(self, 4);
	uint64_t exp[XB_STAT_MAX] = {
		[XB_STAT_RX] = 5, [XB_DROP_FLAG] = 1, [XB_STAT_PASS] = 3, [XB_STAT_LEARN] = 1
	};
	struct xb_stream s;
	struct xb_stream_stats st;

	s = stream(4, XB_F_FORWARD | XB_F_DROP);
	ASSERT_EQ(0, put_stream(self, 4, RELAY_PORT, &s));
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_DROP, NULL));
	s = stream(4, XB_F_FORWARD | XB_F_PASS);
	ASSERT_EQ(0, put_stream(self, 4, RELAY_PORT, &s));
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_PASS, NULL));
	s = stream(4, XB_F_FORWARD | XB_F_LEARN_REMOTE);
	ASSERT_EQ(0, put_stream(self, 4, RELAY_PORT, &s));
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_PASS, NULL));
	/* No FORWARD flag: nothing to do here, the stack relays. */
	s = stream(4, 0);
	ASSERT_EQ(0, put_stream(self, 4, RELAY_PORT, &s));
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_PASS, NULL));
	/* SRTP needs the module: the userspace relay does it for now. */
	s = stream(4, XB_F_FORWARD | XB_F_SRTP);
	ASSERT_EQ(0, put_stream(self, 4, RELAY_PORT, &s));
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_PASS, NULL));
	ASSERT_TRUE(xb_stats_are(self->stats, exp));
	st = stream_stats(self);
	EXPECT_EQ(4, st.packets);
	EXPECT_EQ(1, st.drops);
}

TEST_F(relay, learn_then_latched_entry_forwards) {
	struct xb_stream s = stream(4, XB_F_FORWARD | XB_F_LEARN_REMOTE);
	struct xb_frame_spec in = inbound(self, 4), out;

	ASSERT_EQ(0, put_stream(self, 4, RELAY_PORT, &s));
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_PASS, NULL));
	/* The controller latches the source and clears the flag. */
	s.flags = XB_F_FORWARD | XB_F_STRICT_SOURCE;
	ASSERT_EQ(0, put_stream(self, 4, RELAY_PORT, &s));
	out = outbound(&in, &s);
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_TX, &out));
	EXPECT_EQ(1, xb_stat(self->stats, XB_STAT_LEARN));
	EXPECT_EQ(2, stream_stats(self).packets);
}

TEST_F(relay, family_change_goes_to_stack) {
	struct xb_stream s = stream(6, XB_F_FORWARD);
	struct xb_frame_spec in = inbound(self, 4);

	/* An IPv4 ingress entry asking for IPv6 egress. */
	ASSERT_EQ(0, put_stream(self, 4, RELAY_PORT, &s));
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_PASS, NULL));
	EXPECT_EQ(1, xb_stat(self->stats, XB_STAT_PASS));
}

TEST_F(relay, strict_source) {
	int family;

	for (family = 4; family <= 6; family += 2) {
		struct xb_stream s = stream(family, XB_F_FORWARD | XB_F_STRICT_SOURCE);
		struct xb_frame_spec in = inbound(self, family), out = outbound(&in, &s);

		ASSERT_EQ(0, put_stream(self, family, RELAY_PORT, &s));
		ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_TX, &out));
		in.sport = 4002; /* right address, wrong port */
		ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_DROP, NULL));
		in = inbound(self, family);
		in.saddr[family == 4 ? 3 : 15] ^= 1; /* wrong address */
		ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_DROP, NULL));
	}
	EXPECT_EQ(4, xb_stat(self->stats, XB_DROP_SOURCE));
	EXPECT_EQ(2, xb_stat(self->stats, XB_STAT_TX));
	EXPECT_EQ(4, stream_stats(self).drops);
}

TEST_F(relay, expiry) {
	struct xb_stream s = stream(4, XB_F_FORWARD);
	struct xb_frame_spec in = inbound(self, 4), out = outbound(&in, &s);

	s.expires_ns = mono_ns() + 60ull * 1000000000ull;
	ASSERT_EQ(0, put_stream(self, 4, RELAY_PORT, &s));
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_TX, &out));
	/* Checked against the coarse clock: a tick late at most. */
	s.expires_ns = mono_ns() - 1000000000ull;
	ASSERT_EQ(0, put_stream(self, 4, RELAY_PORT, &s));
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_DROP, NULL));
	EXPECT_EQ(1, xb_stat(self->stats, XB_DROP_EXPIRED));
	EXPECT_EQ(1, stream_stats(self).drops);
}

TEST_F(relay, stats_slot_out_of_range_still_forwards) {
	struct xb_stream s = stream(4, XB_F_FORWARD | XB_F_RTP);
	struct xb_frame_spec in = inbound(self, 4), out = outbound(&in, &s);

	s.stats_idx = 1000000; /* beyond xb_stream_stats (8 slots here) */
	ASSERT_EQ(0, put_stream(self, 4, RELAY_PORT, &s));
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_TX, &out));
	EXPECT_EQ(1, xb_stat(self->stats, XB_STAT_TX));
}

/* ------------------------------------------------- malformed and foreign */

TEST_F(relay, malformed_lengths_of_a_stream_are_dropped) {
	struct xb_stream s4 = stream(4, XB_F_FORWARD), s6 = stream(6, XB_F_FORWARD);
	struct xb_frame_spec in4 = inbound(self, 4), in6 = inbound(self, 6);
	uint64_t exp[XB_STAT_MAX] = { [XB_STAT_RX] = 7, [XB_DROP_MALFORMED] = 7 };
	uint8_t f[XB_FRAME_MAX];
	size_t len;
	struct xb_run r;

	ASSERT_EQ(0, put_stream(self, 4, RELAY_PORT, &s4));
	ASSERT_EQ(0, put_stream(self, 6, RELAY_PORT, &s6));

	/* IPv4 total length beyond the frame (frame cut short). */
	len = xb_build(&in4, f, sizeof(f));
	ASSERT_EQ(XDP_DROP, run_raw(self, f, len - 10, &r));
	/* IPv4 total length shorter than header + UDP header. */
	xb_put16(f + 14 + 2, 24);
	ASSERT_EQ(XDP_DROP, run_raw(self, f, len, &r));
	/* UDP length longer and shorter than the IP payload. */
	len = xb_build(&in4, f, sizeof(f));
	xb_put16(f + 14 + 20 + 4, xb_get16(f + 14 + 20 + 4) + 2);
	ASSERT_EQ(XDP_DROP, run_raw(self, f, len, &r));
	xb_put16(f + 14 + 20 + 4, xb_get16(f + 14 + 20 + 4) - 4);
	ASSERT_EQ(XDP_DROP, run_raw(self, f, len, &r));
	/* IPv6 payload length beyond the frame. */
	len = xb_build(&in6, f, sizeof(f));
	ASSERT_EQ(XDP_DROP, run_raw(self, f, len - 1, &r));
	/* IPv6 UDP length != payload length. */
	xb_put16(f + 14 + 40 + 4, xb_get16(f + 14 + 40 + 4) - 1);
	ASSERT_EQ(XDP_DROP, run_raw(self, f, len, &r));
	/* IPv6 UDP checksum 0 is not allowed. */
	in6.csum_zero = true;
	len = xb_build(&in6, f, sizeof(f));
	ASSERT_EQ(XDP_DROP, run_raw(self, f, len, &r));

	ASSERT_TRUE(xb_stats_are(self->stats, exp));
	EXPECT_EQ(7, stream_stats(self).drops);
}

TEST_F(relay, truncated_or_broken_headers_go_to_stack) {
	struct xb_stream s = stream(4, XB_F_FORWARD);
	struct xb_frame_spec in4 = inbound(self, 4), in6 = inbound(self, 6);
	uint64_t exp[XB_STAT_MAX] = { [XB_STAT_RX] = 8, [XB_STAT_PASS] = 8 };
	uint8_t f[XB_FRAME_MAX];
	size_t len;
	struct xb_run r;

	ASSERT_EQ(0, put_stream(self, 4, RELAY_PORT, &s));
	len = xb_build(&in4, f, sizeof(f));
	/* Cut inside the UDP header, inside the IPv4 header, right after
	 * Ethernet (the smallest frame BPF_PROG_TEST_RUN accepts). */
	ASSERT_EQ(XDP_PASS, run_raw(self, f, 14 + 20 + 7, &r));
	ASSERT_EQ(XDP_PASS, run_raw(self, f, 14 + 19, &r));
	ASSERT_EQ(XDP_PASS, run_raw(self, f, 14, &r));
	ASSERT_TRUE(xb_frames_equal(r.out, r.out_len, f, 14));
	/* IHL 4, and IHL 15 beyond the frame's UDP header. */
	f[14] = 0x44;
	ASSERT_EQ(XDP_PASS, run_raw(self, f, len, &r));
	f[14] = 0x4f;
	ASSERT_EQ(XDP_PASS, run_raw(self, f, 14 + 20 + 8 + 20, &r));
	/* Version 6 inside an IPv4 ethertype. */
	f[14] = 0x65;
	ASSERT_EQ(XDP_PASS, run_raw(self, f, len, &r));
	/* Truncated VLAN tag, and IPv6 cut inside the fixed header. */
	in4.vlan = 7;
	len = xb_build(&in4, f, sizeof(f));
	ASSERT_EQ(XDP_PASS, run_raw(self, f, 16, &r));
	len = xb_build(&in6, f, sizeof(f));
	ASSERT_EQ(XDP_PASS, run_raw(self, f, 14 + 39, &r));
	ASSERT_TRUE(xb_stats_are(self->stats, exp));
	EXPECT_EQ(0, stream_stats(self).drops);
}

TEST_F(relay, fragments_go_to_stack) {
	struct xb_stream s = stream(4, XB_F_FORWARD);
	struct xb_frame_spec in = inbound(self, 4);
	uint64_t exp[XB_STAT_MAX] = { [XB_STAT_RX] = 2, [XB_STAT_PASS] = 2 };

	ASSERT_EQ(0, put_stream(self, 4, RELAY_PORT, &s));
	in.frag = 0x2000; /* MF, offset 0: first fragment */
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_PASS, NULL));
	in.frag = 0x0010; /* last fragment, offset 128 bytes */
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_PASS, NULL));
	ASSERT_TRUE(xb_stats_are(self->stats, exp));
	EXPECT_EQ(0, stream_stats(self).packets);
}

TEST_F(relay, ipv6_extension_header_goes_to_stack) {
	struct xb_stream s = stream(6, XB_F_FORWARD);
	struct xb_frame_spec in = inbound(self, 6);
	uint8_t f[XB_FRAME_MAX];
	size_t len;
	struct xb_run r;

	ASSERT_EQ(0, put_stream(self, 6, RELAY_PORT, &s));
	len = xb_build(&in, f, sizeof(f));
	f[14 + 6] = 0; /* next header: hop-by-hop options */
	ASSERT_EQ(XDP_PASS, run_raw(self, f, len, &r));
	ASSERT_TRUE(xb_frames_equal(r.out, r.out_len, f, len));
	EXPECT_EQ(1, xb_stat(self->stats, XB_STAT_PASS));
}

TEST_F(relay, non_udp_goes_to_stack) {
	struct xb_stream s = stream(4, XB_F_FORWARD);
	struct xb_frame_spec in = inbound(self, 4);
	uint64_t exp[XB_STAT_MAX] = { [XB_STAT_RX] = 3, [XB_STAT_PASS] = 3 };
	uint8_t arp[42] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 2, 0x08, 0x06 };
	struct xb_run r;

	ASSERT_EQ(0, put_stream(self, 4, RELAY_PORT, &s));
	in.proto = 1; /* ICMP */
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_PASS, NULL));
	in.proto = 6; /* TCP to the stream's port, unguarded */
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_PASS, NULL));
	ASSERT_EQ(XDP_PASS, run_raw(self, arp, sizeof(arp), &r));
	ASSERT_TRUE(xb_stats_are(self->stats, exp));
}

TEST_F(relay, unknown_stream_in_relay_range) {
	struct xb_frame_spec in = inbound(self, 4);
	uint64_t exp[XB_STAT_MAX] = {
		[XB_STAT_RX] = 6, [XB_STAT_PASS] = 4, [XB_DROP_UNKNOWN_STREAM] = 2
	};

	/* Without XB_CFG_DROP_UNKNOWN the stack decides. */
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_PASS, NULL));
	ASSERT_EQ(0, set_config(self, XB_CFG_DROP_UNKNOWN, 30000, 39999));
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_DROP, NULL));
	in.dport = 39999; /* inclusive upper bound */
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_DROP, NULL));
	in.dport = 40000;
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_PASS, NULL));
	in.dport = 29999;
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_PASS, NULL));
	in.dport = 53;
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_PASS, NULL));
	ASSERT_TRUE(xb_stats_are(self->stats, exp));
}

TEST_F(relay, stream_key_is_address_and_port) {
	struct xb_stream s = stream(4, XB_F_FORWARD);
	struct xb_frame_spec in = inbound(self, 4);

	ASSERT_EQ(0, set_config(self, XB_CFG_DROP_UNKNOWN, 30000, 39999));
	ASSERT_EQ(0, put_stream(self, 4, RELAY_PORT, &s));
	in.daddr[3] ^= 1; /* another local address, same port: no stream */
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_DROP, NULL));
	EXPECT_EQ(1, xb_stat(self->stats, XB_DROP_UNKNOWN_STREAM));
	EXPECT_EQ(0, xb_stat(self->stats, XB_STAT_TX));
}

/* ---------------------------------------------------------------- FIB */

static int sh(const char *cmd)
{
	int rc = system(cmd);

	if (rc != 0)
		fprintf(stderr, "# command failed (%d): %s\n", rc, cmd);
	return rc;
}

/*
 * bpf_fib_lookup in a private network namespace: a veth interface with a
 * permanent neighbour (resolved), an address without one (unresolved) and
 * an address without a route.
 */
TEST_F(relay, fib_lookup) {
	struct xb_stream s = stream(4, XB_F_FORWARD | XB_F_FIB_LOOKUP);
	struct xb_frame_spec in, out;
	uint8_t f[XB_FRAME_MAX], fexp[XB_FRAME_MAX];
	uint8_t dev_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0xdd, 0x01 };
	uint8_t nb_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0xdd, 0x02 };
	struct xb_run r;
	unsigned int ifindex;
	size_t len, lexp;

	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, sh("ip link add xbfib0 address 02:00:00:00:dd:01 type veth peer name xbfib1"
			" && ip link set xbfib1 up && ip link set xbfib0 up"
			" && ip addr add 10.77.0.1/24 dev xbfib0 && "
			"ip neigh add 10.77.0.2 lladdr 02:00:00:00:dd:02 dev xbfib0 nud permanent"
			" && sysctl -qw net.ipv4.conf.all.forwarding=1"
			" && sysctl -qw net.ipv4.conf.xbfib0.forwarding=1"));
	ifindex = if_nametoindex("xbfib0");
	ASSERT_NE(0, ifindex);

	/* Resolved: egress = ingress, so XDP_TX with the FIB's MACs. */
	xb_addr(4, "10.77.0.1", s.src_addr);
	xb_addr(4, "10.77.0.2", s.dst_addr);
	memset(s.smac, 0, 6);
	memset(s.dmac, 0, 6);
	ASSERT_EQ(0, put_stream(self, 4, RELAY_PORT, &s));
	in = inbound(self, 4);
	out = outbound(&in, &s);
	memcpy(out.smac, dev_mac, 6);
	memcpy(out.dmac, nb_mac, 6);
	len = xb_build(&in, f, sizeof(f));
	lexp = xb_build(&out, fexp, sizeof(fexp));
	ASSERT_EQ(0, xb_test_run(self->prog, ifindex, f, len, 1, &r));
	ASSERT_EQ(XDP_TX, r.retval);
	ASSERT_TRUE(xb_frames_equal(r.out, r.out_len, fexp, lexp));
	ASSERT_EQ(NULL, xb_check_csums(r.out, r.out_len));

	/* On-link but no neighbour entry: the stack resolves it. */
	xb_addr(4, "10.77.0.3", s.dst_addr);
	ASSERT_EQ(0, put_stream(self, 4, RELAY_PORT, &s));
	ASSERT_EQ(0, xb_test_run(self->prog, ifindex, f, len, 1, &r));
	ASSERT_EQ(XDP_PASS, r.retval);
	ASSERT_TRUE(xb_frames_equal(r.out, r.out_len, f, len));

	/* No route at all. */
	xb_addr(4, "10.78.0.1", s.dst_addr);
	ASSERT_EQ(0, put_stream(self, 4, RELAY_PORT, &s));
	ASSERT_EQ(0, xb_test_run(self->prog, ifindex, f, len, 1, &r));
	ASSERT_EQ(XDP_DROP, r.retval);
	EXPECT_EQ(1, xb_stat(self->stats, XB_DROP_NO_ROUTE));
	EXPECT_EQ(1, xb_stat(self->stats, XB_STAT_TX));
	EXPECT_EQ(1, xb_stat(self->stats, XB_STAT_PASS));
}

/* ------------------------------------------------------------ counters */

TEST_F(relay, counters_add_up_over_a_mix) {
	struct xb_stream s = stream(4, XB_F_FORWARD | XB_F_RTP);
	uint64_t exp[XB_STAT_MAX] = {
		[XB_STAT_RX] = 40, [XB_STAT_TX] = 30, [XB_STAT_PASS] = 5, [XB_DROP_NOT_RTP] = 5
	};
	struct xb_frame_spec in;
	uint8_t f[XB_FRAME_MAX];
	struct xb_run r;
	int i;

	ASSERT_EQ(0, put_stream(self, 4, RELAY_PORT, &s));
	for (i = 0; i < 30; i++)
		ASSERT_EQ(XDP_TX, send_rtp(self, 4, RELAY_PORT, 0, (uint16_t)(10 + i), 1));
	/* repeat=5 of one foreign frame: counted five times. */
	self->payload_len = 4;
	in = inbound(self, 4);
	in.dport = 53;
	ASSERT_EQ(0, xb_test_run(self->prog, LO, f, xb_build(&in, f, sizeof(f)), 5, &r));
	ASSERT_EQ(XDP_PASS, r.retval);
	for (i = 0; i < 5; i++) {
		in.dport = RELAY_PORT;
		ASSERT_EQ(XDP_DROP, run_raw(self, f, xb_build(&in, f, sizeof(f)), &r));
	}
	ASSERT_TRUE(xb_stats_are(self->stats, exp));
	EXPECT_EQ(30, stream_stats(self).packets);
	EXPECT_EQ(30 * (20 + 8 + 12 + 20), stream_stats(self).bytes);
	EXPECT_EQ(5, stream_stats(self).drops);
	EXPECT_EQ(0, stream_stats(self).seq_errors);
	EXPECT_EQ(39, stream_stats(self).highest_seq);
}

TEST_F(relay, pass_program_passes) {
	struct xb_frame_spec in = inbound(self, 4);
	uint8_t f[XB_FRAME_MAX];
	size_t len = xb_build(&in, f, sizeof(f));
	struct xb_run r;

	ASSERT_EQ(0,
		  xb_test_run(bpf_program__fd(self->skel->progs.xb_xdp_pass), LO, f, len, 1, &r));
	ASSERT_EQ(XDP_PASS, r.retval);
	ASSERT_TRUE(xb_frames_equal(r.out, r.out_len, f, len));
	EXPECT_EQ(0, xb_stat(self->stats, XB_STAT_RX));
}

TEST_HARNESS_MAIN
