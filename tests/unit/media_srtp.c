// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SDES bridging in the media API against real pinned maps and the real
 * userspace relay (no xborder.ko on this host): the SDP each side gets,
 * the keys, the stream flags and contexts, packets really protected and
 * unprotected on their way through the relay, re-offers, delete, restart
 * with adoption. Each test in its own network namespace with a private
 * pin directory and state directory, as tests/unit/media_api.c. Root.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "common/err.h"
#include "common/log.h"
#include "evloop/evloop.h"
#include "fastpath/fastpath.h"
#include "media/media.h"
#include "sdp/sdp.h"
#include "srtp/srtp.h"
#include "media_test.h"
#include "kselftest_harness.h"

#define RELAY_A "127.0.0.1" /* inside */
#define RELAY_B "127.0.0.2" /* border */
#define UA_A "127.0.0.10"
#define UA_B "127.0.0.20"
#define ID_BASE 0x80000000u

/* A's key: RFC 4568 section 4's example key material. */
#define KEY_A "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz"
#define KEY_A2 "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNk"
#define KEY_B "ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXowMTIzNDU2"

FIXTURE(srtp) {
	char pin[128], state[128];
	struct xbd_config cfg;
	struct xb_loop *loop;
	struct xbm *m;
	struct xb_fp *fp;
	enum xbd_srtp_policy pol_a, pol_b; /* toward A (inside) and B (border) */
};

static struct xbm *start_media(struct __test_metadata *_metadata, FIXTURE_DATA(srtp) * self)
{
	struct xbm_opts o = { .loop = self->loop, .cfg = &self->cfg };
	struct xbm *m = xbm_new(&o);
	int err;

	if (!m)
		return NULL;
	err = xbm_start(m);
	if (err) {
		TH_LOG("xbm_start: %d %s", err, xb_errmsg());
		xbm_free(m, true);
		return NULL;
	}
	return m;
}

FIXTURE_SETUP(srtp) {
	struct xb_fp_opts fo = { 0 };

	ASSERT_EQ(0, geteuid()) TH_LOG("needs root");
	xb_log_init("media_srtp", XB_LOG_WARN);
	ASSERT_EQ(0, private_netns());
	snprintf(self->pin, sizeof(self->pin), "/sys/fs/bpf/xbtest-srtp-%d", getpid());
	snprintf(self->state, sizeof(self->state), "/tmp/xbtest-srtp-%d", getpid());
	memset(&self->cfg, 0, sizeof(self->cfg));
	snprintf(self->cfg.pin_dir, sizeof(self->cfg.pin_dir), "%s", self->pin);
	snprintf(self->cfg.state_dir, sizeof(self->cfg.state_dir), "%s", self->state);
	self->cfg.timers.media_timeout_s = 60;
	self->cfg.timers.media_check_s = 1;
	set_iface(&self->cfg.media[0], "inside", RELAY_A, 20000, 20099);
	set_iface(&self->cfg.media[1], "border", RELAY_B, 30000, 30099);
	self->cfg.n_media = 2;
	self->loop = xb_loop_new();
	ASSERT_NE(NULL, self->loop);
	self->m = start_media(_metadata, self);
	ASSERT_NE(NULL, self->m);
	fo.pin_dir = self->pin;
	fo.no_create = true;
	ASSERT_EQ(0, xb_fp_open(&fo, &self->fp));
	self->pol_a = XBD_SRTP_NONE;
	self->pol_b = XBD_SRTP_NONE;
}

FIXTURE_TEARDOWN(srtp) {
	if (self->m)
		xbm_free(self->m, false);
	if (self->fp)
		xb_fp_close(self->fp);
	xb_loop_free(self->loop);
	rm_tree(self->pin);
	rm_tree(self->state);
}

/* An SDP at UA:PORT with PROTO and extra media-level lines EXTRA. */
static const char *sdp_of(char *buf, size_t len, const char *ua, uint16_t port, const char *proto,
			  const char *extra)
{
	snprintf(buf, len,
		 "v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
		 "m=audio %u %s 0\r\na=rtpmap:0 PCMU/8000\r\n%s",
		 ua, ua, port, proto, extra);
	return buf;
}

/* Offer from A (tag a, inside) or answer from B (tag b, border), or the
 * other way round, with the fixture's policies. */
static int offer(FIXTURE_DATA(srtp) * self, const char *call, bool from_a, const char *sdp,
		 char **out)
{
	struct xbm_req r = { .call_id = call, .sdp = sdp, .sdp_len = strlen(sdp) };
	size_t len;

	r.from_tag = from_a ? "a" : "b";
	r.to_tag = NULL;
	r.from.iface = from_a ? "inside" : "border";
	r.to.iface = from_a ? "border" : "inside";
	r.from.srtp = from_a ? self->pol_a : self->pol_b;
	r.to.srtp = from_a ? self->pol_b : self->pol_a;
	*out = NULL;
	return xbm_offer(self->m, &r, out, &len);
}

static int answer(FIXTURE_DATA(srtp) * self, const char *call, bool from_a, const char *sdp,
		  char **out)
{
	struct xbm_req r = { .call_id = call, .sdp = sdp, .sdp_len = strlen(sdp) };
	size_t len;

	r.from_tag = from_a ? "a" : "b";
	r.to_tag = from_a ? "b" : "a";
	r.from.iface = from_a ? "inside" : "border";
	r.to.iface = from_a ? "border" : "inside";
	r.from.srtp = from_a ? self->pol_a : self->pol_b;
	r.to.srtp = from_a ? self->pol_b : self->pol_a;
	*out = NULL;
	return xbm_answer(self->m, &r, out, &len);
}

static int stream_at(struct xb_fp *fp, const char *addr, uint16_t port, struct xb_stream *s)
{
	struct xb_endpoint e;
	struct xb_stream_key key;

	if (xb_parse_addr(addr, &e.a))
		return -EINVAL;
	e.port = port;
	xb_stream_key_from(&key, &e);
	return xb_fp_stream_get(fp, &key, s);
}

static int count_one(const struct xb_stream_key *k, const struct xb_stream *s, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

static int n_streams(struct xb_fp *fp)
{
	int n = 0;

	return xb_fp_stream_foreach(fp, count_one, &n) ? -1 : n;
}

/* The relay's SRTP contexts, as xborderctl stats shows them. */
static int relay_contexts(struct xbm *m, json_t **arr)
{
	json_t *st = xbm_stats(m);
	int n = (int)json_array_size(json_object_get(json_object_get(st, "relay"), "srtp"));

	if (arr) {
		*arr = json_object_get(json_object_get(st, "relay"), "srtp");
		json_incref(*arr);
	}
	json_decref(st);
	return n;
}

static long long stat_of(struct xbm *m, const char *key)
{
	json_t *st = xbm_stats(m);
	long long v = json_integer_value(json_object_get(json_object_get(st, "srtp"), key));

	json_decref(st);
	return v;
}

/* The a=crypto we would use in SDP TEXT's first section: 0 or -errno. */
static int crypto_in(const char *text, struct xb_sdp_crypto *c)
{
	struct xb_sdp sdp;
	int err = xb_sdp_parse(text, strlen(text), &sdp);

	if (err)
		return err;
	err = xb_sdp_crypto_select(&sdp, 0, c);
	xb_sdp_free(&sdp);
	return err;
}

static int count_str(const char *hay, const char *needle)
{
	int n = 0;

	for (; (hay = strstr(hay, needle)); hay++)
		n++;
	return n;
}

TEST_F(srtp, offer_from_srtp_side_answered_with_our_key) {
	const char *want_offer = "v=0\r\n"
				 "o=- 1 1 IN IP4 127.0.0.2\r\n"
				 "s=-\r\n"
				 "c=IN IP4 127.0.0.2\r\n"
				 "t=0 0\r\n"
				 "m=audio 30000 RTP/AVP 0\r\n"
				 "a=rtpmap:0 PCMU/8000\r\n";
	const char *want_answer_head = "v=0\r\n"
				       "o=- 1 1 IN IP4 127.0.0.1\r\n"
				       "s=-\r\n"
				       "c=IN IP4 127.0.0.1\r\n"
				       "t=0 0\r\n"
				       "m=audio 20000 RTP/SAVP 0\r\n"
				       "a=rtpmap:0 PCMU/8000\r\n"
				       "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:";
	char a[512], b[512], *o1, *o2, *o3;
	struct xb_sdp_crypto ca, c1, c2;
	struct xb_stream s;
	uint32_t ctx_in, ctx_out;
	json_t *ctxs;

	self->pol_a = XBD_SRTP_SDES;
	/* the first line has an MKI we do not do: the second is taken */
	sdp_of(a, sizeof(a), UA_A, 6000, "RTP/SAVP",
	       "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_B "|2^31|1:4\r\n"
	       "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:" KEY_A "\r\n");
	ASSERT_EQ(0, offer(self, "c1", true, a, &o1)) TH_LOG("%s", xb_errmsg());
	EXPECT_STREQ(want_offer, o1);
	free(o1);
	/* A's key is installed at once; nothing flows before the answer:
	 * no destination toward B, and no key of ours toward A yet */
	EXPECT_EQ(1, relay_contexts(self->m, NULL));
	ASSERT_EQ(0, stream_at(self->fp, RELAY_A, 20000, &s));
	EXPECT_EQ(XB_F_DROP | XB_F_RTP, s.flags);
	ASSERT_EQ(0, stream_at(self->fp, RELAY_B, 30000, &s));
	EXPECT_EQ(XB_F_DROP | XB_F_RTP, s.flags);

	ASSERT_EQ(0,
		  answer(self, "c1", false, sdp_of(b, sizeof(b), UA_B, 7000, "RTP/AVP", ""), &o2))
	TH_LOG("%s", xb_errmsg());
	EXPECT_EQ(0, strncmp(o2, want_answer_head, strlen(want_answer_head))) TH_LOG("%s", o2);
	EXPECT_EQ(strlen(want_answer_head) + 40 + 2, strlen(o2));
	EXPECT_EQ(1, count_str(o2, "a=crypto:"));
	ASSERT_EQ(0, crypto_in(o2, &c1));
	EXPECT_EQ(2, c1.tag);
	EXPECT_EQ(XBORDER_SRTP_AES_CM_128_HMAC_SHA1_32, c1.suite);
	ASSERT_EQ(0, crypto_in(a, &ca));
	EXPECT_NE(0, memcmp(c1.key, ca.key, 16)); /* ours, not A's echoed */

	/* from A: unprotect with A's key; toward A: protect with ours */
	ASSERT_EQ(0, stream_at(self->fp, RELAY_A, 20000, &s));
	EXPECT_EQ(XB_F_FORWARD | XB_F_FIB_LOOKUP | XB_F_RTP | XB_F_SRTP, s.flags);
	ctx_in = s.srtp_ctx;
	EXPECT_GE(ctx_in, ID_BASE);
	ASSERT_EQ(0, stream_at(self->fp, RELAY_A, 20001, &s));
	EXPECT_EQ(XB_F_FORWARD | XB_F_FIB_LOOKUP | XB_F_SRTP, s.flags);
	EXPECT_EQ(ctx_in, s.srtp_ctx);
	ASSERT_EQ(0, stream_at(self->fp, RELAY_B, 30000, &s));
	EXPECT_EQ(XB_F_FORWARD | XB_F_FIB_LOOKUP | XB_F_RTP | XB_F_SRTP | XB_F_SRTP_PROTECT,
		  s.flags);
	ctx_out = s.srtp_ctx;
	EXPECT_GE(ctx_out, ID_BASE);
	EXPECT_NE(ctx_in, ctx_out);
	ASSERT_EQ(0, stream_at(self->fp, RELAY_B, 30001, &s));
	EXPECT_EQ(XB_F_FORWARD | XB_F_FIB_LOOKUP | XB_F_SRTP | XB_F_SRTP_PROTECT, s.flags);
	EXPECT_EQ(ctx_out, s.srtp_ctx);
	ASSERT_EQ(2, relay_contexts(self->m, &ctxs));
	{
		json_t *x = json_array_get(ctxs, 0), *y = json_array_get(ctxs, 1);
		json_int_t xi = json_integer_value(json_object_get(x, "id"));
		const char *xd = json_string_value(json_object_get(x, "dir"));
		const char *yd = json_string_value(json_object_get(y, "dir"));

		EXPECT_STREQ(xi == ctx_in ? "unprotect" : "protect", xd);
		EXPECT_STREQ(xi == ctx_in ? "protect" : "unprotect", yd);
	}
	json_decref(ctxs);
	EXPECT_EQ(2, stat_of(self->m, "contexts"));

	/* another call, another key */
	ASSERT_EQ(0, offer(self, "c2", true, a, &o1));
	free(o1);
	ASSERT_EQ(0,
		  answer(self, "c2", false, sdp_of(b, sizeof(b), UA_B, 7002, "RTP/AVP", ""), &o3));
	ASSERT_EQ(0, crypto_in(o3, &c2));
	EXPECT_NE(0, memcmp(c1.key, c2.key, 16));
	EXPECT_NE(0, memcmp(c1.salt, c2.salt, 14));
	EXPECT_EQ(4, relay_contexts(self->m, NULL));
	free(o2);
	free(o3);
}

TEST_F(srtp, rtp_offer_toward_sdes_peer) {
	char a[512], b[512], *o1, *o2;
	struct xb_sdp_crypto c;
	struct xb_stream s;

	self->pol_b = XBD_SRTP_SDES;
	sdp_of(a, sizeof(a), UA_A, 6000, "RTP/AVPF", "a=rtcp-mux\r\n");
	ASSERT_EQ(0, offer(self, "r1", true, a, &o1)) TH_LOG("%s", xb_errmsg());
	EXPECT_NE(NULL, strstr(o1, "m=audio 30000 RTP/SAVPF 0\r\n"));
	ASSERT_EQ(0, crypto_in(o1, &c));
	EXPECT_EQ(1, c.tag);
	EXPECT_EQ(XBORDER_SRTP_AES_CM_128_HMAC_SHA1_80, c.suite);
	EXPECT_EQ(1, count_str(o1, "a=crypto:"));
	/* our key toward B is in place; B's comes with its answer */
	EXPECT_EQ(1, relay_contexts(self->m, NULL));

	/* answers that do not fit: refused, nothing changes */
	sdp_of(b, sizeof(b), UA_B, 7000, "RTP/AVPF", "a=rtcp-mux\r\n");
	EXPECT_EQ(-EBADMSG, answer(self, "r1", false, b, &o2));
	EXPECT_STREQ("media: call r1 section 0: SRTP offered, answered with RTP/AVPF", xb_errmsg());
	sdp_of(b, sizeof(b), UA_B, 7000, "RTP/SAVPF",
	       "a=rtcp-mux\r\na=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:" KEY_B "\r\n");
	EXPECT_EQ(-EBADMSG, answer(self, "r1", false, b, &o2));
	EXPECT_STREQ("media: call r1: sdp: m= section 0: no usable a=crypto with tag 1 and suite "
		     "AES_CM_128_HMAC_SHA1_80",
		     xb_errmsg());
	sdp_of(b, sizeof(b), UA_B, 7000, "RTP/SAVPF",
	       "a=rtcp-mux\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_B "x\r\n");
	EXPECT_EQ(-EBADMSG, answer(self, "r1", false, b, &o2));
	EXPECT_EQ(NULL, strstr(xb_errmsg(), KEY_B));
	EXPECT_EQ(1, relay_contexts(self->m, NULL));

	sdp_of(b, sizeof(b), UA_B, 7000, "RTP/SAVPF",
	       "a=rtcp-mux\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_B "\r\n");
	ASSERT_EQ(0, answer(self, "r1", false, b, &o2)) TH_LOG("%s", xb_errmsg());
	EXPECT_NE(NULL, strstr(o2, "m=audio 20000 RTP/AVPF 0\r\n"));
	EXPECT_EQ(0, count_str(o2, "crypto"));
	EXPECT_EQ(2, relay_contexts(self->m, NULL));
	/* rtcp-mux both ways: one stream each way carries SRTP and SRTCP */
	EXPECT_EQ(2, n_streams(self->fp));
	ASSERT_EQ(0, stream_at(self->fp, RELAY_A, 20000, &s));
	EXPECT_EQ(XB_F_FORWARD | XB_F_FIB_LOOKUP | XB_F_RTP | XB_F_SRTP | XB_F_SRTP_PROTECT,
		  s.flags);
	ASSERT_EQ(0, stream_at(self->fp, RELAY_B, 30000, &s));
	EXPECT_EQ(XB_F_FORWARD | XB_F_FIB_LOOKUP | XB_F_RTP | XB_F_SRTP, s.flags);
	free(o1);
	free(o2);
}

TEST_F(srtp, delete_removes_every_context) {
	char a[512], b[512], *o1, *o2;

	self->pol_a = XBD_SRTP_SDES;
	ASSERT_EQ(0, offer(self, "d1", true,
			   sdp_of(a, sizeof(a), UA_A, 6000, "RTP/SAVP",
				  "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_A "\r\n"),
			   &o1));
	ASSERT_EQ(0,
		  answer(self, "d1", false, sdp_of(b, sizeof(b), UA_B, 7000, "RTP/AVP", ""), &o2));
	free(o1);
	free(o2);
	EXPECT_EQ(2, relay_contexts(self->m, NULL));
	EXPECT_EQ(4, n_streams(self->fp));
	EXPECT_EQ(0, xbm_delete(self->m, "d1", NULL));
	EXPECT_EQ(0, relay_contexts(self->m, NULL));
	EXPECT_EQ(0, stat_of(self->m, "contexts"));
	EXPECT_EQ(2, stat_of(self->m, "removes"));
	EXPECT_EQ(0, n_streams(self->fp));

	/* a section turned off loses its contexts too */
	ASSERT_EQ(0, offer(self, "d2", true, a, &o1));
	ASSERT_EQ(0, answer(self, "d2", false, b, &o2));
	free(o1);
	free(o2);
	EXPECT_EQ(2, relay_contexts(self->m, NULL));
	ASSERT_EQ(0, offer(self, "d2", true,
			   sdp_of(a, sizeof(a), UA_A, 0, "RTP/SAVP",
				  "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_A "\r\n"),
			   &o1));
	free(o1);
	EXPECT_EQ(0, relay_contexts(self->m, NULL));
}

TEST_F(srtp, pass_leaves_crypto_and_profile_alone) {
	const char *extra = "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_A "|2^20|1:4\r\n"
			    "a=crypto:2 F8_128_HMAC_SHA1_80 inline:" KEY_B "\r\n";
	char a[512], want[512], *o1;
	struct xb_stream s;

	self->pol_a = XBD_SRTP_PASS;
	self->pol_b = XBD_SRTP_SDES;
	sdp_of(a, sizeof(a), UA_A, 6000, "RTP/SAVP", extra);
	sdp_of(want, sizeof(want), RELAY_B, 30000, "RTP/SAVP", extra);
	ASSERT_EQ(0, offer(self, "p1", true, a, &o1)) TH_LOG("%s", xb_errmsg());
	EXPECT_STREQ(want, o1); /* only the relay's address and port differ */
	free(o1);
	ASSERT_EQ(0, stream_at(self->fp, RELAY_B, 30000, &s));
	EXPECT_EQ(0, s.flags & (XB_F_SRTP | XB_F_SRTP_PROTECT));
	EXPECT_EQ(0, relay_contexts(self->m, NULL));

	/* SRTP from A toward an SDES peer: end to end, A's keys go on */
	self->pol_a = XBD_SRTP_NONE;
	ASSERT_EQ(0, offer(self, "p2", true, a, &o1));
	EXPECT_NE(NULL, strstr(o1, extra));
	EXPECT_NE(NULL, strstr(o1, "RTP/SAVP"));
	free(o1);
	EXPECT_EQ(0, relay_contexts(self->m, NULL));

	/* plain both ways: stray a=crypto on RTP/AVP (best effort) go */
	self->pol_b = XBD_SRTP_NONE;
	ASSERT_EQ(0,
		  offer(self, "p3", true, sdp_of(a, sizeof(a), UA_A, 6000, "RTP/AVP", extra), &o1));
	EXPECT_EQ(0, count_str(o1, "crypto"));
	EXPECT_NE(NULL, strstr(o1, "RTP/AVP 0"));
	free(o1);
	EXPECT_EQ(0, relay_contexts(self->m, NULL));
}

TEST_F(srtp, unusable_crypto_toward_rtp_is_refused) {
	char a[512], *o1;

	sdp_of(a, sizeof(a), UA_A, 6000, "RTP/SAVP",
	       "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_A "|2^31|1:4\r\n");
	EXPECT_EQ(-EBADMSG, offer(self, "u1", true, a, &o1));
	EXPECT_STREQ("media: call u1 section 0: cannot bridge RTP/SAVP to plain RTP: sdp line 8: "
		     "a=crypto: MKI not supported",
		     xb_errmsg());
	EXPECT_EQ(NULL, o1);
	EXPECT_EQ(0, xbm_call_count(self->m));
	EXPECT_EQ(0, n_streams(self->fp));
	EXPECT_EQ(0, relay_contexts(self->m, NULL));
	/* SAVP keyed some other way (no a=crypto) cannot be bridged either */
	sdp_of(a, sizeof(a), UA_A, 6000, "RTP/SAVP", "");
	EXPECT_EQ(-EBADMSG, offer(self, "u2", true, a, &o1));
	EXPECT_EQ(0, xbm_call_count(self->m));
}

TEST_F(srtp, reoffers_keep_or_rekey_contexts) {
	char a[512], b[512], *o1, *o2;
	struct xb_sdp_crypto k1, k2;
	struct xb_stream s1, s2;
	long long installs;

	self->pol_a = XBD_SRTP_SDES;
	sdp_of(a, sizeof(a), UA_A, 6000, "RTP/SAVP",
	       "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_A "\r\n");
	sdp_of(b, sizeof(b), UA_B, 7000, "RTP/AVP", "");
	ASSERT_EQ(0, offer(self, "k", true, a, &o1));
	ASSERT_EQ(0, answer(self, "k", false, b, &o2));
	ASSERT_EQ(0, crypto_in(o2, &k1));
	free(o1);
	free(o2);
	ASSERT_EQ(0, stream_at(self->fp, RELAY_A, 20000, &s1));
	installs = stat_of(self->m, "installs");

	/* the same offer again (session refresh): nothing re-keyed */
	ASSERT_EQ(0, offer(self, "k", true, a, &o1));
	ASSERT_EQ(0, answer(self, "k", false, b, &o2));
	ASSERT_EQ(0, crypto_in(o2, &k2));
	EXPECT_EQ(0, memcmp(k1.key, k2.key, 16));
	EXPECT_EQ(installs, stat_of(self->m, "installs"));
	free(o1);
	free(o2);

	/* A re-keys: its context is replaced under the same id, ours stays */
	sdp_of(a, sizeof(a), UA_A, 6000, "RTP/SAVP",
	       "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_A2 "\r\n");
	ASSERT_EQ(0, offer(self, "k", true, a, &o1));
	ASSERT_EQ(0, answer(self, "k", false, b, &o2));
	ASSERT_EQ(0, crypto_in(o2, &k2));
	EXPECT_EQ(0, memcmp(k1.key, k2.key, 16));
	EXPECT_EQ(installs + 1, stat_of(self->m, "installs"));
	ASSERT_EQ(0, stream_at(self->fp, RELAY_A, 20000, &s2));
	EXPECT_EQ(s1.srtp_ctx, s2.srtp_ctx);
	EXPECT_EQ(2, relay_contexts(self->m, NULL));
	free(o1);
	free(o2);

	/* B re-offers plain RTP toward A, whose policy is SDES: our key
	 * toward A stays, A answers with its key */
	ASSERT_EQ(0, offer(self, "k", false, b, &o1));
	EXPECT_NE(NULL, strstr(o1, "RTP/SAVP 0"));
	ASSERT_EQ(0, crypto_in(o1, &k2));
	EXPECT_EQ(0, memcmp(k1.key, k2.key, 16));
	EXPECT_EQ(k1.tag, k2.tag);
	ASSERT_EQ(0, answer(self, "k", true, a, &o2)) TH_LOG("%s", xb_errmsg());
	EXPECT_EQ(0, count_str(o2, "crypto"));
	EXPECT_EQ(2, relay_contexts(self->m, NULL));
	free(o1);
	free(o2);

	/* a policy changed meanwhile (config reload) is for new calls */
	self->pol_a = XBD_SRTP_NONE;
	ASSERT_EQ(0, offer(self, "k", false, b, &o1));
	EXPECT_NE(NULL, strstr(o1, "RTP/SAVP 0"));
	free(o1);
	ASSERT_EQ(0, answer(self, "k", true, a, &o2));
	free(o2);
	EXPECT_EQ(2, relay_contexts(self->m, NULL));

	/* A goes plain (RTP/AVP re-offer): no SRTP left, contexts go */
	ASSERT_EQ(0, offer(self, "k", true, sdp_of(a, sizeof(a), UA_A, 6000, "RTP/AVP", ""), &o1));
	EXPECT_EQ(0, count_str(o1, "crypto"));
	EXPECT_NE(NULL, strstr(o1, "RTP/AVP 0"));
	EXPECT_EQ(0, relay_contexts(self->m, NULL));
	ASSERT_EQ(0, stream_at(self->fp, RELAY_A, 20000, &s2));
	EXPECT_EQ(0, s2.flags & (XB_F_SRTP | XB_F_SRTP_PROTECT));
	ASSERT_EQ(0, stream_at(self->fp, RELAY_B, 30000, &s2));
	EXPECT_EQ(0, s2.flags & (XB_F_SRTP | XB_F_SRTP_PROTECT));
	free(o1);
}

/* ---------------------------------------------------------------- packets */

static int udp_sock(const char *addr, uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	inet_pton(AF_INET, addr, &sin.sin_addr);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void send_to(int fd, const char *addr, uint16_t port, const void *p, size_t n)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };

	inet_pton(AF_INET, addr, &sin.sin_addr);
	sendto(fd, p, n, 0, (struct sockaddr *)&sin, sizeof(sin));
}

static void run_loop(struct xb_loop *loop, unsigned int ms)
{
	uint64_t end = xb_now_ns() + (uint64_t)ms * 1000000;

	while (xb_now_ns() < end)
		xb_loop_once(loop, 20);
}

static ssize_t recv_via(struct xb_loop *loop, int fd, uint8_t *buf, size_t len)
{
	ssize_t n = -1;
	int i;

	for (i = 0; i < 50 && n < 0; i++) {
		xb_loop_once(loop, 10);
		n = recv(fd, buf, len, 0);
	}
	return n;
}

static void rtp_packet(uint8_t *p, uint16_t seq)
{
	memset(p, 0xd5, 172);
	p[0] = 0x80;
	p[1] = 0;
	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	p[4] = p[5] = p[6] = 0;
	p[7] = (uint8_t)seq;
	p[8] = 0x5e;
	p[9] = 0xed;
	p[10] = 0;
	p[11] = 1;
}

/* An endpoint's libsrtp2 session for key (from an SDP) in DIR. */
static struct xb_srtp_session *session_of(const struct xb_sdp_crypto *c, uint8_t dir)
{
	struct xb_srtp_params p = { .id = 1, .suite = c->suite, .dir = dir };
	struct xb_srtp_session *s = NULL;

	memcpy(p.key, c->key, 16);
	memcpy(p.salt, c->salt, 14);
	if (xb_srtp_session_new(&p, &s))
		return NULL;
	return s;
}

/* A (SRTP) and B (RTP) exchange packets through the relay, both ways:
 * SEQ0.. from A, decrypted at B; from B, decrypted by A with KA_IN. */
static void exchange(struct __test_metadata *_metadata, struct xb_loop *loop, int fa, int fb,
		     struct xb_srtp_session *a_out, struct xb_srtp_session *a_in, uint16_t seq0,
		     int n)
{
	uint8_t pkt[2048], want[172], got[2048];
	int i, len;

	for (i = 0; i < n; i++) {
		rtp_packet(want, (uint16_t)(seq0 + i));
		memcpy(pkt, want, 172);
		len = xb_srtp_session_apply(a_out, pkt, 172, sizeof(pkt));
		ASSERT_EQ(172 + 10, len);
		send_to(fa, RELAY_A, 20000, pkt, (size_t)len);
		ASSERT_EQ(172, recv_via(loop, fb, got, sizeof(got)));
		EXPECT_EQ(0, memcmp(want, got, 172)); /* plaintext at B */

		send_to(fb, RELAY_B, 30000, want, 172);
		len = (int)recv_via(loop, fa, got, sizeof(got));
		ASSERT_EQ(172 + 10, len); /* SRTP at A, 80-bit tag */
		EXPECT_NE(0, memcmp(want + 12, got + 12, 160));
		ASSERT_EQ(172, xb_srtp_session_apply(a_in, got, (size_t)len, sizeof(got)));
		EXPECT_EQ(0, memcmp(want, got, 172));
	}
}

TEST_F(srtp, packets_protected_and_unprotected_by_the_relay) {
	char a[512], b[512], *o1, *o2;
	struct xb_sdp_crypto ka, ours;
	struct xb_srtp_session *a_out, *a_in;
	uint8_t pkt[2048], rtcp[2048], got[2048];
	int fa = udp_sock(UA_A, 6000), fb = udp_sock(UA_B, 7000), len;
	json_t *ctxs, *x;
	size_t i;

	ASSERT_LE(0, fa);
	ASSERT_LE(0, fb);
	self->pol_a = XBD_SRTP_SDES;
	sdp_of(a, sizeof(a), UA_A, 6000, "RTP/SAVP",
	       "a=crypto:5 AES_CM_128_HMAC_SHA1_80 inline:" KEY_A "\r\n");
	ASSERT_EQ(0, offer(self, "live", true, a, &o1));
	ASSERT_EQ(0, answer(self, "live", false, sdp_of(b, sizeof(b), UA_B, 7000, "RTP/AVP", ""),
			    &o2));
	ASSERT_EQ(0, crypto_in(a, &ka));
	ASSERT_EQ(0, crypto_in(o2, &ours));
	EXPECT_EQ(5, ours.tag);
	free(o1);
	free(o2);
	a_out = session_of(&ka, XBORDER_SRTP_PROTECT);
	a_in = session_of(&ours, XBORDER_SRTP_UNPROTECT);
	ASSERT_NE(NULL, a_out);
	ASSERT_NE(NULL, a_in);
	run_loop(self->loop, 60); /* the relay binds the new ports */

	exchange(_metadata, self->loop, fa, fb, a_out, a_in, 100, 5);

	/* SRTCP from A on the RTCP port arrives as RTCP at B's */
	{
		int fa1 = udp_sock(UA_A, 6001), fb1 = udp_sock(UA_B, 7001);
		const uint8_t sr[28] = { 0x80, 200, 0, 6, 0x5e, 0xed, 0, 1, 1, 2, 3, 4 };

		ASSERT_LE(0, fa1);
		ASSERT_LE(0, fb1);
		memcpy(rtcp, sr, sizeof(sr));
		len = xb_srtp_session_apply(a_out, rtcp, sizeof(sr), sizeof(rtcp));
		ASSERT_EQ(28 + 4 + 10, len); /* E flag + index, 80-bit tag */
		send_to(fa1, RELAY_A, 20001, rtcp, (size_t)len);
		ASSERT_EQ(28, recv_via(self->loop, fb1, got, sizeof(got)));
		EXPECT_EQ(0, memcmp(sr, got, sizeof(sr)));
		close(fa1);
		close(fb1);
	}

	/* forged (a flipped payload byte) and replayed SRTP are dropped */
	rtp_packet(pkt, 200);
	len = xb_srtp_session_apply(a_out, pkt, 172, sizeof(pkt));
	ASSERT_EQ(182, len);
	pkt[40] ^= 1;
	send_to(fa, RELAY_A, 20000, pkt, (size_t)len);
	EXPECT_EQ(-1, recv_via(self->loop, fb, got, sizeof(got)));
	pkt[40] ^= 1;
	send_to(fa, RELAY_A, 20000, pkt, (size_t)len);
	EXPECT_EQ(172, recv_via(self->loop, fb, got, sizeof(got)));
	send_to(fa, RELAY_A, 20000, pkt, (size_t)len);
	EXPECT_EQ(-1, recv_via(self->loop, fb, got, sizeof(got)));
	ASSERT_EQ(2, relay_contexts(self->m, &ctxs));
	json_array_foreach(ctxs, i, x)
	{
		if (strcmp(json_string_value(json_object_get(x, "dir")), "unprotect"))
			continue;
		EXPECT_EQ(1, json_integer_value(json_object_get(x, "auth_fail")));
		EXPECT_EQ(1, json_integer_value(json_object_get(x, "replay_fail")));
		EXPECT_EQ(6, json_integer_value(json_object_get(x, "packets")));
		EXPECT_EQ(1, json_integer_value(json_object_get(x, "rtcp_packets")));
	}
	json_decref(ctxs);
	xb_srtp_session_free(a_out);
	xb_srtp_session_free(a_in);
	close(fa);
	close(fb);
}

/* ---------------------------------------------------------------- restart */

static bool file_has(const char *path, const char *needle)
{
	char buf[65536];
	size_t n;
	FILE *f = fopen(path, "r");

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, needle) != NULL;
}

static int lines_of(const char *path)
{
	char buf[512];
	int n = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(buf, sizeof(buf), f))
		n++;
	fclose(f);
	return n;
}

TEST_F(srtp, restart_adopts_srtp_calls_with_their_keys) {
	char a[512], b[512], *o1, *o2, keys[300], media[300], ours_b64[48];
	struct xb_sdp_crypto ka, ours;
	struct xb_srtp_session *a_out, *a_in;
	struct xb_stream before, after;
	struct stat st;
	int fa = udp_sock(UA_A, 6000), fb = udp_sock(UA_B, 7000);
	const char *p;

	ASSERT_LE(0, fa);
	ASSERT_LE(0, fb);
	self->pol_a = XBD_SRTP_SDES;
	sdp_of(a, sizeof(a), UA_A, 6000, "RTP/SAVP",
	       "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_A "\r\n");
	ASSERT_EQ(0, offer(self, "keep", true, a, &o1));
	ASSERT_EQ(0, answer(self, "keep", false, sdp_of(b, sizeof(b), UA_B, 7000, "RTP/AVP", ""),
			    &o2));
	ASSERT_EQ(0, crypto_in(a, &ka));
	ASSERT_EQ(0, crypto_in(o2, &ours));
	p = strstr(o2, "inline:");
	ASSERT_NE(NULL, p);
	snprintf(ours_b64, sizeof(ours_b64), "%.40s", p + 7);
	free(o1);
	free(o2);
	ASSERT_EQ(0, stream_at(self->fp, RELAY_A, 20000, &before));

	xbm_free(self->m, true);
	self->m = NULL;
	snprintf(keys, sizeof(keys), "%s/srtp.keys", self->state);
	snprintf(media, sizeof(media), "%s/media.json", self->state);
	ASSERT_EQ(0, stat(keys, &st));
	EXPECT_EQ(0600, st.st_mode & 0777);
	EXPECT_EQ(2, lines_of(keys));
	EXPECT_TRUE(file_has(keys, ours_b64));
	EXPECT_TRUE(file_has(keys, KEY_A));
	/* the state file names contexts, never keys */
	EXPECT_TRUE(file_has(media, "\"ctx_in\""));
	EXPECT_FALSE(file_has(media, ours_b64));
	EXPECT_FALSE(file_has(media, KEY_A));
	EXPECT_FALSE(file_has(media, "inline"));

	self->m = start_media(_metadata, self);
	ASSERT_NE(NULL, self->m);
	EXPECT_EQ(1, xbm_call_count(self->m));
	EXPECT_EQ(2, relay_contexts(self->m, NULL));
	ASSERT_EQ(0, stream_at(self->fp, RELAY_A, 20000, &after));
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)));
	a_out = session_of(&ka, XBORDER_SRTP_PROTECT);
	a_in = session_of(&ours, XBORDER_SRTP_UNPROTECT);
	ASSERT_NE(NULL, a_out);
	ASSERT_NE(NULL, a_in);
	run_loop(self->loop, 60);
	exchange(_metadata, self->loop, fa, fb, a_out, a_in, 1000, 3);
	xb_srtp_session_free(a_out);
	xb_srtp_session_free(a_in);

	/* a new call's contexts do not take the adopted call's ids */
	ASSERT_EQ(0, offer(self, "new", true, a, &o1));
	free(o1);
	ASSERT_EQ(0, stream_at(self->fp, RELAY_A, 20002, &after));
	EXPECT_EQ(0, stream_at(self->fp, RELAY_A, 20000, &before));
	EXPECT_EQ(3, relay_contexts(self->m, NULL));

	/* key file readable by others: SRTP calls are not adopted */
	xbm_free(self->m, true);
	self->m = NULL;
	ASSERT_EQ(0, chmod(keys, 0644));
	self->m = start_media(_metadata, self);
	ASSERT_NE(NULL, self->m);
	EXPECT_EQ(0, xbm_call_count(self->m));
	EXPECT_EQ(0, relay_contexts(self->m, NULL));
	EXPECT_EQ(0, n_streams(self->fp)); /* orphans */
	/* with no SRTP call left the key file is gone */
	EXPECT_EQ(-1, stat(keys, &st));
	close(fa);
	close(fb);
}

TEST_HARNESS_MAIN
