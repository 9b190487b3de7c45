// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SRTP on the XDP fast path with xborder.ko's kfuncs, through
 * BPF_PROG_TEST_RUN: xb_xdp tail-calls xb_xdp_srtp for XB_F_SRTP streams,
 * which protects or unprotects with a context added over generic netlink.
 * Every expected frame is built independently: its SRTP or RTP payload
 * comes from libsrtp2 (the known-good implementation) through the
 * userspace relay's session code, its headers and checksums from scratch.
 *
 * Needs the module: it runs in the VM (tests/vm/20-srtp-module.sh) and
 * skips elsewhere.
 */
#include <errno.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"
#include "common/err.h"
#include "srtp/srtp.h"
#include "xborder.skel.h"
#include "xborder_srtp.skel.h"
#include "xb_frames.h"

#define LO 1
#define STATS_IDX 2
#define RELAY_PORT 31000
#define CTX_ID 0x5eed0001u
#define SSRC 0xcafebabeu

/* RFC 3711 appendix B.3's master key and salt. */
static const uint8_t master_key[16] = { 0xe1, 0xf9, 0x7a, 0x0d, 0x3e, 0x01, 0x8b, 0xe0,
					0xd6, 0x4f, 0xa3, 0x2c, 0x06, 0xde, 0x41, 0x39 };
static const uint8_t master_salt[14] = { 0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe,
					 0xeb, 0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6 };

FIXTURE(srtp) {
	struct xborder *skel;
	struct xborder_srtp *sskel;
	struct xb_srtp_nl *nl;
	int prog, streams, stream_stats, stats;
};

FIXTURE_SETUP(srtp) {
	uint32_t slot = XB_SRTP_PROG_SLOT, key = 7, lo = LO;
	struct bpf_map *map;
	int fd;

	/* each test skips (the 6.1 harness runs the body after a setup SKIP) */
	if (access("/sys/kernel/btf/xborder", R_OK))
		return;
	self->skel = xborder__open();
	ASSERT_NE(NULL, self->skel);
	ASSERT_EQ(0, bpf_map__set_max_entries(self->skel->maps.xb_streams, 16));
	ASSERT_EQ(0, bpf_map__set_max_entries(self->skel->maps.xb_stream_stats, 8));
	ASSERT_EQ(0, xborder__load(self->skel));
	/* the SRTP program shares every map, as the loader arranges */
	self->sskel = xborder_srtp__open();
	ASSERT_NE(NULL, self->sskel);
	bpf_object__for_each_map(map, self->sskel->obj)
	{
		struct bpf_map *twin =
			bpf_object__find_map_by_name(self->skel->obj, bpf_map__name(map));

		if (twin)
			ASSERT_EQ(0, bpf_map__reuse_fd(map, bpf_map__fd(twin)));
	}
	ASSERT_EQ(0, xborder_srtp__load(self->sskel));
	fd = bpf_program__fd(self->sskel->progs.xb_xdp_srtp);
	ASSERT_EQ(0, bpf_map_update_elem(bpf_map__fd(self->skel->maps.xb_srtp_progs), &slot, &fd,
					 BPF_ANY));
	ASSERT_EQ(0, bpf_map_update_elem(bpf_map__fd(self->skel->maps.xb_tx_ports), &key, &lo,
					 BPF_ANY));
	self->prog = bpf_program__fd(self->skel->progs.xb_xdp);
	self->streams = bpf_map__fd(self->skel->maps.xb_streams);
	self->stream_stats = bpf_map__fd(self->skel->maps.xb_stream_stats);
	self->stats = bpf_map__fd(self->skel->maps.xb_stats);
	ASSERT_EQ(0, xb_srtp_nl_open(&self->nl));
	xb_srtp_nl_del(self->nl, CTX_ID); /* a leftover of an aborted run */
}

FIXTURE_TEARDOWN(srtp) {
	if (self->nl) {
		xb_srtp_nl_del(self->nl, CTX_ID);
		xb_srtp_nl_close(self->nl);
	}
	xborder_srtp__destroy(self->sskel);
	xborder__destroy(self->skel);
}

#define NEED_MODULE()                                                               \
	do {                                                                        \
		if (!self->nl)                                                      \
			SKIP(return, "xborder.ko is not loaded (the VM runs this: " \
				     "tests/vm/20-srtp-module.sh)");                \
	} while (0)

static struct xb_srtp_params params(uint16_t suite, uint8_t dir)
{
	struct xb_srtp_params p = {
		.id = CTX_ID,
		.suite = suite,
		.dir = dir,
		.window = 128,
	};

	memcpy(p.key, master_key, sizeof(p.key));
	memcpy(p.salt, master_salt, sizeof(p.salt));
	return p;
}

/* The same context in the module and in libsrtp2 (the reference). */
static int contexts(FIXTURE_DATA(srtp) * self, const struct xb_srtp_params *p,
		    struct xb_srtp_session **ref)
{
	int err = xb_srtp_nl_add(self->nl, p, false);

	if (err) {
		fprintf(stderr, "# %s\n", xb_errmsg());
		return err;
	}
	return ref ? xb_srtp_session_new(p, ref) : 0;
}

static struct xb_stream stream(int family, uint32_t flags)
{
	struct xb_stream s = {
		.flags = XB_F_FORWARD | XB_F_RTP | XB_F_SRTP | flags,
		.ifindex = LO,
		.stats_idx = STATS_IDX,
		.srtp_ctx = CTX_ID,
		.family = family == 4 ? XB_AF_INET : XB_AF_INET6,
		.dscp = XB_DSCP_KEEP,
		.src_port = htons(31002),
		.dst_port = htons(5004),
		.smac = { 0x02, 0, 0, 0, 0xaa, 0x01 },
		.dmac = { 0x02, 0, 0, 0, 0xbb, 0x02 },
	};

	xb_addr(family, family == 4 ? "198.51.100.1" : "2001:db8:1::1", s.src_addr);
	xb_addr(family, family == 4 ? "203.0.113.5" : "2001:db8:3::5", s.dst_addr);
	return s;
}

static int put_stream(FIXTURE_DATA(srtp) * self, int family, const struct xb_stream *s)
{
	struct xb_stream_key k = { .family = family == 4 ? XB_AF_INET : XB_AF_INET6 };
	struct xb_stream_stats zero = { 0 };
	uint32_t idx = STATS_IDX;

	k.port = htons(RELAY_PORT);
	xb_addr(family, family == 4 ? "198.51.100.1" : "2001:db8:1::1", k.addr);
	if (bpf_map_update_elem(self->stream_stats, &idx, &zero, BPF_ANY))
		return -errno;
	return bpf_map_update_elem(self->streams, &k, s, BPF_ANY);
}

static struct xb_frame_spec inbound(int family, const uint8_t *payload, size_t len)
{
	if (family == 4)
		return xb_spec(4, "192.0.2.10", 4000, "198.51.100.1", RELAY_PORT, payload, len);
	return xb_spec(6, "2001:db8:2::10", 4000, "2001:db8:1::1", RELAY_PORT, payload, len);
}

/* The frame the relay must send: in, rewritten by s, carrying payload. */
static struct xb_frame_spec outbound(const struct xb_frame_spec *in, const struct xb_stream *s,
				     const uint8_t *payload, size_t len)
{
	struct xb_frame_spec o = *in;

	memcpy(o.smac, s->smac, 6);
	memcpy(o.dmac, s->dmac, 6);
	memcpy(o.saddr, s->src_addr, 16);
	memcpy(o.daddr, s->dst_addr, 16);
	o.sport = ntohs(s->src_port);
	o.dport = ntohs(s->dst_port);
	o.ttl = in->ttl - 1;
	o.payload = payload;
	o.payload_len = len;
	return o;
}

/* Run in; the verdict must be verdict and, unless exp is NULL, the output
 * exactly exp with valid checksums. */
static bool run_expect(struct __test_metadata *_metadata, FIXTURE_DATA(srtp) * self,
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
		return true;
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

/* Run an IPv4 frame carrying payload; only the verdict matters. */
static bool run_in(struct __test_metadata *_metadata, FIXTURE_DATA(srtp) * self,
		   const uint8_t *payload, int len, uint32_t verdict)
{
	struct xb_frame_spec in = inbound(4, payload, (size_t)len);

	return run_expect(_metadata, self, &in, verdict, NULL);
}

static uint64_t ctx_stat(FIXTURE_DATA(srtp) * self, unsigned int stat)
{
	struct xb_srtp_state st;

	if (xb_srtp_nl_get(self->nl, CTX_ID, &st))
		return UINT64_MAX;
	return st.stats[stat];
}

static struct xb_stream_stats stream_stats(FIXTURE_DATA(srtp) * self)
{
	struct xb_stream_stats st;
	uint32_t idx = STATS_IDX;

	memset(&st, 0xff, sizeof(st));
	bpf_map_lookup_elem(self->stream_stats, &idx, &st);
	return st;
}

/* An RTP packet of 160 bytes of payload; returns its length. */
static size_t rtp(uint8_t *buf, uint16_t seq)
{
	return xb_rtp(buf, 0, seq, 160u * seq, SSRC, 160);
}

/* ------------------------------------------------------------------ protect */

/* RTP in, SRTP out, byte for byte what libsrtp2 makes of the same packet. */
static void protect_matches_libsrtp(struct __test_metadata *_metadata, FIXTURE_DATA(srtp) * self,
				    int family, uint16_t suite, size_t tag)
{
	struct xb_srtp_params p = params(suite, XBORDER_SRTP_PROTECT);
	struct xb_stream s = stream(family, XB_F_SRTP_PROTECT);
	uint64_t exp[XB_STAT_MAX] = { 0 };
	uint8_t plain[512], want[512];
	struct xb_srtp_session *ref;
	struct xb_frame_spec in, out;
	size_t len;
	int n, i;

	ASSERT_EQ(0, contexts(self, &p, &ref));
	ASSERT_EQ(0, put_stream(self, family, &s));
	for (i = 0; i < 3; i++) {
		len = rtp(plain, (uint16_t)(0x1234 + i));
		memcpy(want, plain, len);
		n = xb_srtp_session_apply(ref, want, len, sizeof(want));
		ASSERT_EQ(len + tag, n);
		in = inbound(family, plain, len);
		out = outbound(&in, &s, want, (size_t)n);
		ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_TX, &out));
	}
	exp[XB_STAT_RX] = 3;
	exp[XB_STAT_TX] = 3;
	EXPECT_TRUE(xb_stats_are(self->stats, exp));
	EXPECT_EQ(3, ctx_stat(self, XBORDER_STATS_PACKETS));
	EXPECT_EQ(3, stream_stats(self).packets);
	xb_srtp_session_free(ref);
}

TEST_F(srtp, protect_ipv4_80bit_tag_matches_libsrtp) {
	NEED_MODULE();
	protect_matches_libsrtp(_metadata, self, 4, XBORDER_SRTP_AES_CM_128_HMAC_SHA1_80, 10);
}

TEST_F(srtp, protect_ipv6_32bit_tag_matches_libsrtp) {
	NEED_MODULE();
	protect_matches_libsrtp(_metadata, self, 6, XBORDER_SRTP_AES_CM_128_HMAC_SHA1_32, 4);
}

TEST_F(srtp, protect_srtcp_matches_libsrtp) {
	struct xb_srtp_params p =
		params(XBORDER_SRTP_AES_CM_128_HMAC_SHA1_32, XBORDER_SRTP_PROTECT);
	struct xb_stream s = stream(4, XB_F_SRTP_PROTECT);
	uint8_t plain[64], want[256];
	struct xb_srtp_session *ref;
	struct xb_frame_spec in, out;
	size_t len;
	int n;

	NEED_MODULE();
	NEED_MODULE();
	ASSERT_EQ(0, contexts(self, &p, &ref));
	ASSERT_EQ(0, put_stream(self, 4, &s));
	/* rtcp-mux: a sender report on the RTP port */
	len = xb_rtcp(plain, 200, SSRC);
	memset(plain + len, 0x5a, 20);
	len += 20;
	memcpy(want, plain, len);
	n = xb_srtp_session_apply(ref, want, len, sizeof(want));
	ASSERT_EQ(len + 14, n); /* E flag and index, and an 80-bit tag */
	in = inbound(4, plain, len);
	out = outbound(&in, &s, want, (size_t)n);
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_TX, &out));
	EXPECT_EQ(1, ctx_stat(self, XBORDER_STATS_RTCP_PACKETS));
	xb_srtp_session_free(ref);
}

/* ---------------------------------------------------------------- unprotect */

TEST_F(srtp, unprotect_libsrtp_packets_ipv4_and_ipv6) {
	struct xb_srtp_params pp =
		params(XBORDER_SRTP_AES_CM_128_HMAC_SHA1_80, XBORDER_SRTP_PROTECT);
	struct xb_srtp_params pu =
		params(XBORDER_SRTP_AES_CM_128_HMAC_SHA1_80, XBORDER_SRTP_UNPROTECT);
	uint8_t plain[512], sealed[512];
	struct xb_srtp_session *sender;
	struct xb_frame_spec in, out;
	int family, n;
	size_t len;
	uint16_t seq = 100;

	NEED_MODULE();
	ASSERT_EQ(0, xb_srtp_session_new(&pp, &sender));
	ASSERT_EQ(0, contexts(self, &pu, NULL));
	for (family = 4; family <= 6; family += 2) {
		struct xb_stream s = stream(family, 0);

		ASSERT_EQ(0, put_stream(self, family, &s));
		len = rtp(plain, seq++);
		memcpy(sealed, plain, len);
		n = xb_srtp_session_apply(sender, sealed, len, sizeof(sealed));
		ASSERT_EQ(len + 10, n);
		in = inbound(family, sealed, (size_t)n);
		out = outbound(&in, &s, plain, len);
		ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_TX, &out));
	}
	EXPECT_EQ(2, ctx_stat(self, XBORDER_STATS_PACKETS));
	xb_srtp_session_free(sender);
}

TEST_F(srtp, unprotect_srtcp_and_checksum_zero) {
	struct xb_srtp_params pp =
		params(XBORDER_SRTP_AES_CM_128_HMAC_SHA1_80, XBORDER_SRTP_PROTECT);
	struct xb_srtp_params pu =
		params(XBORDER_SRTP_AES_CM_128_HMAC_SHA1_80, XBORDER_SRTP_UNPROTECT);
	struct xb_stream s = stream(4, 0);
	uint8_t plain[64], sealed[256];
	struct xb_srtp_session *sender;
	struct xb_frame_spec in, out;
	size_t len;
	int n;

	NEED_MODULE();
	ASSERT_EQ(0, xb_srtp_session_new(&pp, &sender));
	ASSERT_EQ(0, contexts(self, &pu, NULL));
	ASSERT_EQ(0, put_stream(self, 4, &s));
	len = xb_rtcp(plain, 201, SSRC);
	memcpy(sealed, plain, len);
	n = xb_srtp_session_apply(sender, sealed, len, sizeof(sealed));
	ASSERT_EQ(len + 14, n);
	in = inbound(4, sealed, (size_t)n);
	in.csum_zero = true; /* IPv4 without a UDP checksum stays so */
	out = outbound(&in, &s, plain, len);
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_TX, &out));
	EXPECT_EQ(1, ctx_stat(self, XBORDER_STATS_RTCP_PACKETS));
	xb_srtp_session_free(sender);
}

TEST_F(srtp, tampered_packet_dropped_and_counted) {
	struct xb_srtp_params pp =
		params(XBORDER_SRTP_AES_CM_128_HMAC_SHA1_80, XBORDER_SRTP_PROTECT);
	struct xb_srtp_params pu =
		params(XBORDER_SRTP_AES_CM_128_HMAC_SHA1_80, XBORDER_SRTP_UNPROTECT);
	uint64_t exp[XB_STAT_MAX] = { [XB_STAT_RX] = 2, [XB_STAT_TX] = 1, [XB_DROP_SRTP] = 1 };
	struct xb_stream s = stream(4, 0);
	uint8_t plain[512], sealed[512], bad[512];
	struct xb_srtp_session *sender;
	struct xb_frame_spec in, out;
	size_t len;
	int n;

	NEED_MODULE();
	ASSERT_EQ(0, xb_srtp_session_new(&pp, &sender));
	ASSERT_EQ(0, contexts(self, &pu, NULL));
	ASSERT_EQ(0, put_stream(self, 4, &s));
	len = rtp(plain, 7);
	memcpy(sealed, plain, len);
	n = xb_srtp_session_apply(sender, sealed, len, sizeof(sealed));
	ASSERT_EQ(len + 10, n);
	/* one bit flipped in the ciphertext */
	memcpy(bad, sealed, (size_t)n);
	bad[40] ^= 0x01;
	in = inbound(4, bad, (size_t)n);
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_DROP, NULL));
	EXPECT_EQ(1, ctx_stat(self, XBORDER_STATS_AUTH_FAIL));
	EXPECT_EQ(1, stream_stats(self).drops);
	/* the genuine packet still goes through: the forgery changed nothing */
	in = inbound(4, sealed, (size_t)n);
	out = outbound(&in, &s, plain, len);
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_TX, &out));
	EXPECT_TRUE(xb_stats_are(self->stats, exp));
	xb_srtp_session_free(sender);
}

TEST_F(srtp, replayed_packet_dropped_and_counted) {
	struct xb_srtp_params pp =
		params(XBORDER_SRTP_AES_CM_128_HMAC_SHA1_80, XBORDER_SRTP_PROTECT);
	struct xb_srtp_params pu =
		params(XBORDER_SRTP_AES_CM_128_HMAC_SHA1_80, XBORDER_SRTP_UNPROTECT);
	struct xb_stream s = stream(4, 0);
	uint8_t plain[512], sealed[4][512];
	struct xb_srtp_session *sender;
	struct xb_frame_spec in, out;
	int n[4], i;
	size_t len;

	NEED_MODULE();
	ASSERT_EQ(0, xb_srtp_session_new(&pp, &sender));
	ASSERT_EQ(0, contexts(self, &pu, NULL));
	ASSERT_EQ(0, put_stream(self, 4, &s));
	for (i = 0; i < 4; i++) {
		len = rtp(plain, (uint16_t)(500 + i));
		memcpy(sealed[i], plain, len);
		n[i] = xb_srtp_session_apply(sender, sealed[i], len, sizeof(sealed[i]));
		ASSERT_EQ(len + 10, n[i]);
	}
	/* 500, 502 (501 late), 503 */
	ASSERT_TRUE(run_in(_metadata, self, sealed[0], n[0], XDP_TX));
	ASSERT_TRUE(run_in(_metadata, self, sealed[2], n[2], XDP_TX));
	ASSERT_TRUE(run_in(_metadata, self, sealed[3], n[3], XDP_TX));
	/* replays of 502 and 500 */
	ASSERT_TRUE(run_in(_metadata, self, sealed[2], n[2], XDP_DROP));
	ASSERT_TRUE(run_in(_metadata, self, sealed[0], n[0], XDP_DROP));
	EXPECT_EQ(2, ctx_stat(self, XBORDER_STATS_REPLAY_FAIL));
	/* late but new, inside the window: accepted once */
	len = rtp(plain, 501);
	in = inbound(4, sealed[1], n[1]);
	out = outbound(&in, &s, plain, len);
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_TX, &out));
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_DROP, NULL));
	EXPECT_EQ(3, ctx_stat(self, XBORDER_STATS_REPLAY_FAIL));
	EXPECT_EQ(4, ctx_stat(self, XBORDER_STATS_PACKETS));
	xb_srtp_session_free(sender);
}

/* Across a sequence number wrap the ROC moves to 1, and both sides agree. */
TEST_F(srtp, rollover_counter_tracked_across_wrap) {
	struct xb_srtp_params pp =
		params(XBORDER_SRTP_AES_CM_128_HMAC_SHA1_80, XBORDER_SRTP_PROTECT);
	struct xb_srtp_params pu =
		params(XBORDER_SRTP_AES_CM_128_HMAC_SHA1_80, XBORDER_SRTP_UNPROTECT);
	struct xb_stream s = stream(4, 0);
	uint8_t plain[512], sealed[512];
	struct xb_srtp_session *sender;
	struct xb_frame_spec in, out;
	struct xb_srtp_state st;
	uint16_t seq = 65533;
	size_t len;
	int i, n;

	NEED_MODULE();
	ASSERT_EQ(0, xb_srtp_session_new(&pp, &sender));
	ASSERT_EQ(0, contexts(self, &pu, NULL));
	ASSERT_EQ(0, put_stream(self, 4, &s));
	for (i = 0; i < 6; i++, seq++) {
		len = rtp(plain, seq);
		memcpy(sealed, plain, len);
		n = xb_srtp_session_apply(sender, sealed, len, sizeof(sealed));
		ASSERT_EQ(len + 10, n);
		in = inbound(4, sealed, (size_t)n);
		out = outbound(&in, &s, plain, len);
		ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_TX, &out));
	}
	ASSERT_EQ(0, xb_srtp_nl_get(self->nl, CTX_ID, &st));
	EXPECT_EQ(1, st.roc);
	EXPECT_EQ(2, st.seq);
	EXPECT_EQ(SSRC, st.ssrc);
	xb_srtp_session_free(sender);
}

/* ------------------------------------------------------------ other outcomes */

TEST_F(srtp, no_context_goes_to_the_stack_unchanged) {
	struct xb_stream s = stream(4, 0);
	uint64_t exp[XB_STAT_MAX] = { [XB_STAT_RX] = 1, [XB_STAT_PASS] = 1 };
	uint8_t plain[512], f[XB_FRAME_MAX];
	struct xb_frame_spec in;
	struct xb_run r;
	size_t len;

	NEED_MODULE();
	NEED_MODULE();
	ASSERT_EQ(0, put_stream(self, 4, &s));
	len = rtp(plain, 1);
	in = inbound(4, plain, len + 10);
	len = xb_build(&in, f, sizeof(f));
	ASSERT_EQ(0, xb_test_run(self->prog, LO, f, len, 1, &r));
	EXPECT_EQ(XDP_PASS, r.retval);
	EXPECT_TRUE(xb_frames_equal(r.out, r.out_len, f, len));
	EXPECT_TRUE(xb_stats_are(self->stats, exp));
}

TEST_F(srtp, protect_without_room_flag_mismatch_is_refused) {
	struct xb_srtp_params pu =
		params(XBORDER_SRTP_AES_CM_128_HMAC_SHA1_80, XBORDER_SRTP_UNPROTECT);
	struct xb_stream s = stream(4, XB_F_SRTP_PROTECT); /* context says unprotect */
	uint64_t exp[XB_STAT_MAX] = { [XB_STAT_RX] = 1, [XB_DROP_SRTP] = 1 };
	uint8_t plain[512];
	struct xb_frame_spec in;
	size_t len;

	NEED_MODULE();
	ASSERT_EQ(0, contexts(self, &pu, NULL));
	ASSERT_EQ(0, put_stream(self, 4, &s));
	len = rtp(plain, 1);
	in = inbound(4, plain, len);
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_DROP, NULL));
	EXPECT_EQ(1, ctx_stat(self, XBORDER_STATS_ERRORS));
	EXPECT_TRUE(xb_stats_are(self->stats, exp));
}

TEST_F(srtp, truncated_srtp_is_malformed) {
	struct xb_srtp_params pu =
		params(XBORDER_SRTP_AES_CM_128_HMAC_SHA1_80, XBORDER_SRTP_UNPROTECT);
	struct xb_stream s = stream(4, 0);
	uint8_t pkt[64];
	struct xb_frame_spec in;
	size_t len;

	NEED_MODULE();
	ASSERT_EQ(0, contexts(self, &pu, NULL));
	ASSERT_EQ(0, put_stream(self, 4, &s));
	/* a 12-byte RTP header with a CSRC count of 3 and nothing after it */
	len = xb_rtp(pkt, 0, 1, 0, SSRC, 4);
	pkt[0] |= 3;
	in = inbound(4, pkt, len);
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_DROP, NULL));
	EXPECT_EQ(1, ctx_stat(self, XBORDER_STATS_MALFORMED));
}

TEST_F(srtp, fixed_ssrc_refuses_another) {
	struct xb_srtp_params pp =
		params(XBORDER_SRTP_AES_CM_128_HMAC_SHA1_80, XBORDER_SRTP_PROTECT);
	struct xb_stream s = stream(4, XB_F_SRTP_PROTECT);
	uint8_t plain[512];
	struct xb_frame_spec in;
	size_t len;

	NEED_MODULE();
	NEED_MODULE();
	pp.have_ssrc = true;
	pp.ssrc = SSRC + 1;
	ASSERT_EQ(0, contexts(self, &pp, NULL));
	ASSERT_EQ(0, put_stream(self, 4, &s));
	len = rtp(plain, 1);
	in = inbound(4, plain, len);
	ASSERT_TRUE(run_expect(_metadata, self, &in, XDP_DROP, NULL));
	EXPECT_EQ(1, ctx_stat(self, XBORDER_STATS_SSRC_MISMATCH));
}

TEST_HARNESS_MAIN
