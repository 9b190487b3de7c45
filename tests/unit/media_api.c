// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The media API against real pinned maps: every test runs in its own
 * network namespace (loopback only) with a private pin directory under
 * /sys/fs/bpf and a private state directory, and reads back what the API
 * installed through a second handle on the pinned maps. Needs root + BPF.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
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
#include "media_test.h"
#include "kselftest_harness.h"

/* Party A (inside) and B (border), each with its own relay address. */
#define RELAY_A "127.0.0.1"
#define RELAY_B "127.0.0.2"

static const char sdp_a[] = "v=0\r\n"
			    "o=user1 53655765 2353687637 IN IP4 10.1.0.2\r\n"
			    "s=-\r\n"
			    "c=IN IP4 10.1.0.2\r\n"
			    "t=0 0\r\n"
			    "m=audio 6000 RTP/AVP 0\r\n"
			    "a=rtpmap:0 PCMU/8000\r\n";

static const char sdp_b[] = "v=0\r\n"
			    "o=user2 42 42 IN IP4 10.9.0.2\r\n"
			    "s=-\r\n"
			    "c=IN IP4 10.9.0.2\r\n"
			    "t=0 0\r\n"
			    "m=audio 7000 RTP/AVP 0\r\n"
			    "a=rtpmap:0 PCMU/8000\r\n";

struct dead_log {
	char ids[8][64];
	int n;
};

static void on_dead(void *arg, const char *call_id)
{
	struct dead_log *d = arg;

	if (d->n < 8)
		snprintf(d->ids[d->n++], sizeof(d->ids[0]), "%s", call_id);
}

FIXTURE(media) {
	char pin[128], state[128];
	struct xbd_config cfg;
	struct xb_loop *loop;
	struct xbm *m;
	struct xb_fp *fp; /* our own look at the pinned maps */
	struct dead_log dead;
};

static struct xbm *start_media(struct __test_metadata *_metadata, FIXTURE_DATA(media) * self)
{
	struct xbm_opts o = {
		.loop = self->loop, .cfg = &self->cfg, .on_dead = on_dead, .arg = &self->dead
	};
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

FIXTURE_SETUP(media) {
	struct xb_fp_opts fo = { 0 };

	ASSERT_EQ(0, geteuid()) TH_LOG("needs root");
	xb_log_init("media_api", XB_LOG_WARN);
	ASSERT_EQ(0, private_netns());
	snprintf(self->pin, sizeof(self->pin), "/sys/fs/bpf/xbtest-%d", getpid());
	snprintf(self->state, sizeof(self->state), "/tmp/xbtest-media-%d", getpid());
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
	memset(&self->dead, 0, sizeof(self->dead));
	self->m = start_media(_metadata, self);
	ASSERT_NE(NULL, self->m);
	fo.pin_dir = self->pin;
	fo.no_create = true;
	ASSERT_EQ(0, xb_fp_open(&fo, &self->fp));
}

FIXTURE_TEARDOWN(media) {
	char path[300];

	if (self->m)
		xbm_free(self->m, false);
	if (self->fp)
		xb_fp_close(self->fp);
	xb_loop_free(self->loop);
	rm_tree(self->pin);
	snprintf(path, sizeof(path), "%s/media.json", self->state);
	unlink(path);
	rmdir(self->state);
}

static struct xbm_req req(const char *call, const char *from, const char *to, const char *sdp,
			  bool a_to_b)
{
	struct xbm_req r = {
		.call_id = call,
		.from_tag = from,
		.to_tag = to,
		.sdp = sdp,
		.sdp_len = strlen(sdp),
	};

	r.from.iface = a_to_b ? "inside" : "border";
	r.to.iface = a_to_b ? "border" : "inside";
	return r;
}

/* Offer from A (tag a) and answer from B (tag b); outputs checked by callers. */
static int offer_answer(struct xbm *m, const char *call, const char *offer, const char *answer,
			char **o1, char **o2)
{
	struct xbm_req r;
	size_t len;
	int err;

	r = req(call, "a", NULL, offer, true);
	err = xbm_offer(m, &r, o1, &len);
	if (err)
		return err;
	r = req(call, "b", "a", answer, false);
	return xbm_answer(m, &r, o2, &len);
}

static int count_one(const struct xb_stream_key *k, const struct xb_stream *s, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

static int n_streams(struct xb_fp *fp)
{
	int n = 0;

	if (xb_fp_stream_foreach(fp, count_one, &n))
		return -1;
	return n;
}

/* The stream keyed at ADDR:PORT, or -ENOENT. */
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

static bool addr_is(const uint8_t a[16], const char *s)
{
	struct xb_addr x;

	return xb_parse_addr(s, &x) == 0 && !memcmp(a, x.addr, 16);
}

#define EXPECT_FWD(s, flags_, dst, dport, src, sport)     \
	do {                                              \
		EXPECT_EQ((uint32_t)(flags_), (s).flags); \
		EXPECT_TRUE(addr_is((s).dst_addr, dst));  \
		EXPECT_EQ(htons(dport), (s).dst_port);    \
		EXPECT_TRUE(addr_is((s).src_addr, src));  \
		EXPECT_EQ(htons(sport), (s).src_port);    \
		EXPECT_EQ(XB_AF_INET, (s).family);        \
	} while (0)

TEST_F(media, offer_then_answer_installs_four_streams) {
	const char *want_offer = "v=0\r\n"
				 "o=user1 53655765 2353687637 IN IP4 127.0.0.2\r\n"
				 "s=-\r\n"
				 "c=IN IP4 127.0.0.2\r\n"
				 "t=0 0\r\n"
				 "m=audio 30000 RTP/AVP 0\r\n"
				 "a=rtpmap:0 PCMU/8000\r\n";
	const char *want_answer = "v=0\r\n"
				  "o=user2 42 42 IN IP4 127.0.0.1\r\n"
				  "s=-\r\n"
				  "c=IN IP4 127.0.0.1\r\n"
				  "t=0 0\r\n"
				  "m=audio 20000 RTP/AVP 0\r\n"
				  "a=rtpmap:0 PCMU/8000\r\n";
	const uint32_t fwd = XB_F_FORWARD | XB_F_FIB_LOOKUP;
	struct xbm_req r = req("call-1", "a", NULL, sdp_a, true);
	struct xb_stream s;
	char *out;
	size_t len;
	json_t *q;

	ASSERT_EQ(0, xbm_offer(self->m, &r, &out, &len));
	EXPECT_STREQ(want_offer, out);
	EXPECT_EQ(strlen(want_offer), len);
	free(out);

	/* After the offer: B's direction is known, A's waits (dropped). */
	EXPECT_EQ(4, n_streams(self->fp));
	ASSERT_EQ(0, stream_at(self->fp, RELAY_B, 30000, &s));
	EXPECT_FWD(s, fwd | XB_F_RTP, "10.1.0.2", 6000, RELAY_A, 20000);
	ASSERT_EQ(0, stream_at(self->fp, RELAY_A, 20000, &s));
	EXPECT_EQ(XB_F_DROP | XB_F_RTP, s.flags);

	r = req("call-1", "b", "a", sdp_b, false);
	ASSERT_EQ(0, xbm_answer(self->m, &r, &out, &len));
	EXPECT_STREQ(want_answer, out);
	free(out);

	EXPECT_EQ(4, n_streams(self->fp));
	ASSERT_EQ(0, stream_at(self->fp, RELAY_A, 20000, &s));
	EXPECT_FWD(s, fwd | XB_F_RTP, "10.9.0.2", 7000, RELAY_B, 30000);
	EXPECT_EQ(0, s.ifindex);
	EXPECT_EQ(XB_DSCP_KEEP, s.dscp);
	ASSERT_EQ(0, stream_at(self->fp, RELAY_A, 20001, &s));
	EXPECT_FWD(s, fwd, "10.9.0.2", 7001, RELAY_B, 30001);
	ASSERT_EQ(0, stream_at(self->fp, RELAY_B, 30000, &s));
	EXPECT_FWD(s, fwd | XB_F_RTP, "10.1.0.2", 6000, RELAY_A, 20000);
	ASSERT_EQ(0, stream_at(self->fp, RELAY_B, 30001, &s));
	EXPECT_FWD(s, fwd, "10.1.0.2", 6001, RELAY_A, 20001);

	EXPECT_EQ(1, xbm_call_count(self->m));
	q = xbm_query(self->m, "call-1");
	ASSERT_NE(NULL, q);
	EXPECT_TRUE(json_is_true(json_object_get(q, "answered")));
	{
		json_t *sec = json_array_get(json_object_get(q, "sections"), 0);
		json_t *streams = json_object_get(sec, "streams");
		json_t *leg0 = json_array_get(json_object_get(sec, "legs"), 0);

		EXPECT_EQ(4, json_array_size(streams));
		EXPECT_STREQ("127.0.0.1:20000", json_string_value(json_object_get(leg0, "relay")));
		EXPECT_STREQ("10.1.0.2:6000", json_string_value(json_object_get(leg0, "remote")));
	}
	json_decref(q);
	EXPECT_EQ(NULL, xbm_query(self->m, "no-such-call"));
}

TEST_F(media, rtcp_mux_installs_two) {
	char a[512], b[512], *o1, *o2;
	struct xb_stream s;

	snprintf(a, sizeof(a), "%sa=rtcp-mux\r\n", sdp_a);
	snprintf(b, sizeof(b), "%sa=rtcp-mux\r\n", sdp_b);
	ASSERT_EQ(0, offer_answer(self->m, "mux", a, b, &o1, &o2));
	EXPECT_NE(NULL, strstr(o1, "a=rtcp-mux\r\n"));
	free(o1);
	free(o2);
	EXPECT_EQ(2, n_streams(self->fp));
	EXPECT_EQ(-ENOENT, stream_at(self->fp, RELAY_A, 20001, &s));
	ASSERT_EQ(0, stream_at(self->fp, RELAY_A, 20000, &s));
	EXPECT_FWD(s, XB_F_FORWARD | XB_F_FIB_LOOKUP | XB_F_RTP, "10.9.0.2", 7000, RELAY_B, 30000);
}

/* Only one side muxes: RTCP keeps its own ports. */
TEST_F(media, rtcp_mux_one_sided_keeps_rtcp) {
	char a[512], *o1, *o2;
	struct xb_stream s;

	/* browser style: a dummy RTCP address next to rtcp-mux */
	snprintf(a, sizeof(a), "%sa=rtcp:9 IN IP4 0.0.0.0\r\na=rtcp-mux\r\n", sdp_a);
	ASSERT_EQ(0, offer_answer(self->m, "mux1", a, sdp_b, &o1, &o2));
	EXPECT_NE(NULL, strstr(o1, "a=rtcp:30001 IN IP4 0.0.0.0\r\n"));
	free(o1);
	free(o2);
	EXPECT_EQ(4, n_streams(self->fp));
	/* RTCP toward A has nowhere to go; toward B it has */
	ASSERT_EQ(0, stream_at(self->fp, RELAY_B, 30001, &s));
	EXPECT_EQ(XB_F_DROP, s.flags);
	ASSERT_EQ(0, stream_at(self->fp, RELAY_A, 20001, &s));
	EXPECT_FWD(s, XB_F_FORWARD | XB_F_FIB_LOOKUP, "10.9.0.2", 7001, RELAY_B, 30001);
}

TEST_F(media, reoffer_new_address_updates_in_place) {
	const char *moved = "v=0\r\n"
			    "o=user1 53655765 2353687638 IN IP4 10.1.0.3\r\n"
			    "s=-\r\n"
			    "c=IN IP4 10.1.0.3\r\n"
			    "t=0 0\r\n"
			    "m=audio 6100 RTP/AVP 0\r\n";
	struct xb_stream_stats st = { .packets = 5, .bytes = 1000 };
	struct xb_stream before, after;
	struct xbm_req r;
	char *o1, *o2;
	size_t len;

	ASSERT_EQ(0, offer_answer(self->m, "re", sdp_a, sdp_b, &o1, &o2));
	free(o1);
	free(o2);
	ASSERT_EQ(0, stream_at(self->fp, RELAY_B, 30000, &before));
	ASSERT_EQ(0, xb_fp_stream_stats_write(self->fp, before.stats_idx, &st));

	r = req("re", "a", "b", moved, true);
	ASSERT_EQ(0, xbm_offer(self->m, &r, &o1, &len));
	EXPECT_NE(NULL, strstr(o1, "m=audio 30000 RTP/AVP 0\r\n")); /* same relay port */
	EXPECT_NE(NULL, strstr(o1, "o=user1 53655765 2353687638 IN IP4 127.0.0.2\r\n"));
	free(o1);
	ASSERT_EQ(0, stream_at(self->fp, RELAY_B, 30000, &after));
	EXPECT_EQ(before.stats_idx, after.stats_idx);
	EXPECT_TRUE(addr_is(after.dst_addr, "10.1.0.3"));
	EXPECT_EQ(htons(6100), after.dst_port);
	ASSERT_EQ(0, xb_fp_stream_stats(self->fp, after.stats_idx, &st));
	EXPECT_EQ(5, st.packets);
	EXPECT_EQ(4, n_streams(self->fp));
}

TEST_F(media, hold_and_resume) {
	char hold0[512], sendonly[512], *o1, *o2;
	struct xb_stream s;
	struct xbm_req r;
	size_t len;
	json_t *q, *leg;

	ASSERT_EQ(0, offer_answer(self->m, "hold", sdp_a, sdp_b, &o1, &o2));
	free(o1);
	free(o2);

	/* RFC 2543 hold: A says 0.0.0.0; nothing may be sent toward A. */
	snprintf(hold0, sizeof(hold0),
		 "v=0\r\no=user1 53655765 2353687638 IN IP4 10.1.0.2\r\n"
		 "s=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n"
		 "m=audio 6000 RTP/AVP 0\r\n");
	r = req("hold", "a", "b", hold0, true);
	ASSERT_EQ(0, xbm_offer(self->m, &r, &o1, &len));
	EXPECT_NE(NULL, strstr(o1, "c=IN IP4 0.0.0.0\r\n"));
	EXPECT_NE(NULL, strstr(o1, "m=audio 30000 "));
	free(o1);
	ASSERT_EQ(0, stream_at(self->fp, RELAY_B, 30000, &s));
	EXPECT_EQ(XB_F_DROP | XB_F_RTP, s.flags);
	ASSERT_EQ(0, stream_at(self->fp, RELAY_B, 30001, &s));
	EXPECT_EQ(XB_F_DROP, s.flags);
	/* A's own media still goes to B */
	ASSERT_EQ(0, stream_at(self->fp, RELAY_A, 20000, &s));
	EXPECT_TRUE(s.flags & XB_F_FORWARD);
	q = xbm_query(self->m, "hold");
	leg = json_array_get(
		json_object_get(json_array_get(json_object_get(q, "sections"), 0), "legs"), 0);
	EXPECT_TRUE(json_is_true(json_object_get(leg, "hold")));
	json_decref(q);

	/* RFC 3264 hold: a=sendonly keeps forwarding both ways. */
	snprintf(sendonly, sizeof(sendonly), "%sa=sendonly\r\n", sdp_a);
	r = req("hold", "a", "b", sendonly, true);
	ASSERT_EQ(0, xbm_offer(self->m, &r, &o1, &len));
	EXPECT_NE(NULL, strstr(o1, "a=sendonly\r\n"));
	free(o1);
	ASSERT_EQ(0, stream_at(self->fp, RELAY_B, 30000, &s));
	EXPECT_FWD(s, XB_F_FORWARD | XB_F_FIB_LOOKUP | XB_F_RTP, "10.1.0.2", 6000, RELAY_A, 20000);

	/* resume */
	r = req("hold", "a", "b", sdp_a, true);
	ASSERT_EQ(0, xbm_offer(self->m, &r, &o1, &len));
	free(o1);
	r = req("hold", "b", "a", sdp_b, false);
	ASSERT_EQ(0, xbm_answer(self->m, &r, &o2, &len));
	free(o2);
	ASSERT_EQ(0, stream_at(self->fp, RELAY_B, 30000, &s));
	EXPECT_FWD(s, XB_F_FORWARD | XB_F_FIB_LOOKUP | XB_F_RTP, "10.1.0.2", 6000, RELAY_A, 20000);
	EXPECT_EQ(4, n_streams(self->fp));
}

static const char two_a[] = "v=0\r\n"
			    "o=a 1 1 IN IP4 10.1.0.2\r\n"
			    "s=-\r\n"
			    "c=IN IP4 10.1.0.2\r\n"
			    "t=0 0\r\n"
			    "m=audio 6000 RTP/AVP 0\r\n"
			    "m=video 6002 RTP/AVP 96\r\n";
static const char two_b[] = "v=0\r\n"
			    "o=b 1 1 IN IP4 10.9.0.2\r\n"
			    "s=-\r\n"
			    "c=IN IP4 10.9.0.2\r\n"
			    "t=0 0\r\n"
			    "m=audio 7000 RTP/AVP 0\r\n"
			    "m=video 7002 RTP/AVP 96\r\n";

static long long pairs_used(struct xbm *m, int iface)
{
	json_t *st = xbm_stats(m);
	long long n = json_integer_value(json_object_get(
		json_array_get(json_object_get(st, "interfaces"), iface), "port_pairs_used"));

	json_decref(st);
	return n;
}

TEST_F(media, port_zero_removes_section) {
	const char *video_off = "v=0\r\n"
				"o=a 1 2 IN IP4 10.1.0.2\r\n"
				"s=-\r\n"
				"c=IN IP4 10.1.0.2\r\n"
				"t=0 0\r\n"
				"m=audio 6000 RTP/AVP 0\r\n"
				"m=video 0 RTP/AVP 96\r\n";
	struct xb_stream s;
	struct xbm_req r;
	char *o1, *o2;
	size_t len;

	ASSERT_EQ(0, offer_answer(self->m, "two", two_a, two_b, &o1, &o2));
	EXPECT_NE(NULL, strstr(o1, "m=video 30002 RTP/AVP 96\r\n"));
	EXPECT_NE(NULL, strstr(o2, "m=video 20002 RTP/AVP 96\r\n"));
	free(o1);
	free(o2);
	EXPECT_EQ(8, n_streams(self->fp));
	EXPECT_EQ(2, pairs_used(self->m, 0));
	EXPECT_EQ(2, pairs_used(self->m, 1));

	r = req("two", "a", "b", video_off, true);
	ASSERT_EQ(0, xbm_offer(self->m, &r, &o1, &len));
	EXPECT_NE(NULL, strstr(o1, "m=video 0 RTP/AVP 96\r\n"));
	free(o1);
	EXPECT_EQ(4, n_streams(self->fp));
	EXPECT_EQ(-ENOENT, stream_at(self->fp, RELAY_A, 20002, &s));
	EXPECT_EQ(-ENOENT, stream_at(self->fp, RELAY_B, 30002, &s));
	EXPECT_EQ(1, pairs_used(self->m, 0));
	EXPECT_EQ(1, pairs_used(self->m, 1));
}

/* The answerer rejects video with port 0. */
TEST_F(media, answer_port_zero_rejects_section) {
	const char *b_no_video = "v=0\r\n"
				 "o=b 1 1 IN IP4 10.9.0.2\r\n"
				 "s=-\r\n"
				 "c=IN IP4 10.9.0.2\r\n"
				 "t=0 0\r\n"
				 "m=audio 7000 RTP/AVP 0\r\n"
				 "m=video 0 RTP/AVP 96\r\n";
	char *o1, *o2;

	ASSERT_EQ(0, offer_answer(self->m, "rej", two_a, b_no_video, &o1, &o2));
	EXPECT_NE(NULL, strstr(o2, "m=video 0 RTP/AVP 96\r\n"));
	free(o1);
	free(o2);
	EXPECT_EQ(4, n_streams(self->fp));
	EXPECT_EQ(1, pairs_used(self->m, 0));
}

TEST_F(media, delete_frees_ports_and_streams) {
	struct xbm_req r;
	char *o1, *o2;
	size_t len;

	ASSERT_EQ(0, offer_answer(self->m, "del", two_a, two_b, &o1, &o2));
	free(o1);
	free(o2);
	ASSERT_EQ(0, offer_answer(self->m, "keep", sdp_a, sdp_b, &o1, &o2));
	free(o1);
	free(o2);
	EXPECT_EQ(12, n_streams(self->fp));
	EXPECT_EQ(3, pairs_used(self->m, 0));
	EXPECT_EQ(0, xbm_delete(self->m, "del", NULL));
	EXPECT_EQ(4, n_streams(self->fp));
	EXPECT_EQ(1, pairs_used(self->m, 0));
	EXPECT_EQ(1, pairs_used(self->m, 1));
	EXPECT_EQ(1, xbm_call_count(self->m));
	EXPECT_EQ(NULL, xbm_query(self->m, "del"));
	EXPECT_EQ(-ENOENT, xbm_delete(self->m, "del", NULL));
	EXPECT_EQ(-ENOENT, xbm_delete(self->m, "keep", "nobody"));
	/* deleting by the caller's tag ends the call */
	EXPECT_EQ(0, xbm_delete(self->m, "keep", "a"));
	EXPECT_EQ(0, n_streams(self->fp));
	EXPECT_EQ(0, xbm_call_count(self->m));
	/* an answer now has nothing to answer */
	r = req("keep", "b", "a", sdp_b, false);
	EXPECT_EQ(-ENOENT, xbm_answer(self->m, &r, &o2, &len));
}

TEST_F(media, malformed_sdp_rejected_without_state) {
	struct xbm_req r = req("bad", "a", NULL, "v=0\r\nm=audio x\r\n", true);
	char *out;
	size_t len;

	EXPECT_EQ(-EBADMSG, xbm_offer(self->m, &r, &out, &len));
	EXPECT_NE(NULL, strstr(xb_errmsg(), "sdp line"));
	EXPECT_EQ(0, xbm_call_count(self->m));
	EXPECT_EQ(0, n_streams(self->fp));
	r = req("bad", "a", NULL, sdp_a, true);
	r.to.iface = "nowhere";
	EXPECT_EQ(-EINVAL, xbm_offer(self->m, &r, &out, &len));
	EXPECT_EQ(0, xbm_call_count(self->m));
}

TEST_F(media, port_exhaustion_gives_enospc) {
	struct xbm_req r;
	char *o1, *o2, id[16];
	size_t len;
	int i;

	xbm_free(self->m, false);
	self->cfg.media[1].port_min = 30001; /* odd start: pairs 30002, 30004 */
	self->cfg.media[1].port_max = 30005;
	self->m = start_media(_metadata, self);
	ASSERT_NE(NULL, self->m);
	for (i = 0; i < 2; i++) {
		snprintf(id, sizeof(id), "c%d", i);
		ASSERT_EQ(0, offer_answer(self->m, id, sdp_a, sdp_b, &o1, &o2));
		EXPECT_NE(NULL, strstr(o1, i ? "m=audio 30004 " : "m=audio 30002 "));
		free(o1);
		free(o2);
	}
	r = req("c2", "a", NULL, sdp_a, true);
	EXPECT_EQ(-ENOSPC, xbm_offer(self->m, &r, &o1, &len));
	EXPECT_NE(NULL, strstr(xb_errmsg(), "border"));
	EXPECT_EQ(2, xbm_call_count(self->m));
	EXPECT_EQ(8, n_streams(self->fp));
	EXPECT_EQ(2, pairs_used(self->m, 0)); /* the inside port went back */
	/* a freed pair is usable again */
	EXPECT_EQ(0, xbm_delete(self->m, "c0", NULL));
	EXPECT_EQ(0, xbm_offer(self->m, &r, &o1, &len));
	EXPECT_NE(NULL, strstr(o1, "m=audio 30002 "));
	free(o1);
}

TEST_F(media, adoption_after_restart_keeps_streams_and_ids) {
	struct xb_stream_stats st = { .packets = 7 };
	struct xb_stream before, after;
	struct xbm_req r;
	char *o1, *o2;
	size_t len;

	ASSERT_EQ(0, offer_answer(self->m, "adopt", sdp_a, sdp_b, &o1, &o2));
	free(o1);
	free(o2);
	ASSERT_EQ(0, stream_at(self->fp, RELAY_A, 20000, &before));
	ASSERT_EQ(0, xb_fp_stream_stats_write(self->fp, before.stats_idx, &st));

	xbm_free(self->m, true);
	self->m = NULL;
	EXPECT_EQ(4, n_streams(self->fp)); /* media keeps its entries */

	self->m = start_media(_metadata, self);
	ASSERT_NE(NULL, self->m);
	EXPECT_EQ(1, xbm_call_count(self->m));
	EXPECT_EQ(4, n_streams(self->fp));
	ASSERT_EQ(0, stream_at(self->fp, RELAY_A, 20000, &after));
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)));
	ASSERT_EQ(0, xb_fp_stream_stats(self->fp, after.stats_idx, &st));
	EXPECT_EQ(7, st.packets);
	EXPECT_EQ(1, pairs_used(self->m, 0));

	/* a new call does not get the adopted call's ports */
	r = req("new", "x", NULL, sdp_a, true);
	ASSERT_EQ(0, xbm_offer(self->m, &r, &o1, &len));
	EXPECT_NE(NULL, strstr(o1, "m=audio 30002 "));
	free(o1);
	/* the adopted call still negotiates, in place */
	r = req("adopt", "a", "b", sdp_a, true);
	ASSERT_EQ(0, xbm_offer(self->m, &r, &o1, &len));
	EXPECT_NE(NULL, strstr(o1, "m=audio 30000 "));
	free(o1);
	ASSERT_EQ(0, stream_at(self->fp, RELAY_A, 20000, &after));
	EXPECT_EQ(before.stats_idx, after.stats_idx);
	EXPECT_EQ(0, xbm_delete(self->m, "adopt", NULL));
	EXPECT_EQ(0, xbm_delete(self->m, "new", NULL));
	EXPECT_EQ(0, n_streams(self->fp));
}

TEST_F(media, orphans_removed_and_broken_calls_not_adopted) {
	struct xb_stream orphan = { 0 }, s;
	struct xb_stream_key key;
	struct xb_endpoint e;
	char *o1, *o2;

	ASSERT_EQ(0, offer_answer(self->m, "whole", sdp_a, sdp_b, &o1, &o2));
	free(o1);
	free(o2);
	ASSERT_EQ(0, offer_answer(self->m, "broken", sdp_a, sdp_b, &o1, &o2));
	free(o1);
	free(o2);
	xbm_free(self->m, true);
	self->m = NULL;

	/* while down: one stream of "broken" vanishes, a stranger appears */
	ASSERT_EQ(0, stream_at(self->fp, RELAY_A, 20002, &s));
	ASSERT_EQ(0, xb_parse_endpoint(RELAY_A ":20002", &e));
	xb_stream_key_from(&key, &e);
	ASSERT_EQ(0, xb_fp_stream_del(self->fp, &key));
	ASSERT_EQ(0, xb_parse_endpoint(RELAY_A ":20050", &e));
	xb_stream_key_from(&key, &e);
	orphan.flags = XB_F_DROP;
	ASSERT_EQ(0, xb_fp_stream_add(self->fp, &key, &orphan, false));
	EXPECT_EQ(8, n_streams(self->fp));

	self->m = start_media(_metadata, self);
	ASSERT_NE(NULL, self->m);
	EXPECT_EQ(1, xbm_call_count(self->m));
	EXPECT_NE(NULL, xbm_query(self->m, "whole"));
	EXPECT_EQ(NULL, xbm_query(self->m, "broken"));
	EXPECT_EQ(4, n_streams(self->fp));
	EXPECT_EQ(-ENOENT, stream_at(self->fp, RELAY_A, 20050, &s));
	EXPECT_EQ(-ENOENT, stream_at(self->fp, RELAY_B, 30002, &s));
	EXPECT_EQ(0, stream_at(self->fp, RELAY_B, 30000, &s));
	EXPECT_EQ(1, pairs_used(self->m, 0));
}

static void run_loop(struct xb_loop *loop, unsigned int ms)
{
	uint64_t end = xb_now_ns() + (uint64_t)ms * 1000000;

	while (xb_now_ns() < end)
		xb_loop_once(loop, 20);
}

TEST_F(media, media_timeout_reports_silent_call) {
	struct xb_stream_stats st;
	struct xb_stream s;
	char *o1, *o2;
	int i;

	xbm_free(self->m, false);
	self->cfg.timers.media_timeout_s = 1;
	self->cfg.timers.media_check_s = 1;
	self->m = start_media(_metadata, self);
	ASSERT_NE(NULL, self->m);
	ASSERT_EQ(0, offer_answer(self->m, "silent", sdp_a, sdp_b, &o1, &o2));
	free(o1);
	free(o2);
	ASSERT_EQ(0, offer_answer(self->m, "talking", two_a, two_b, &o1, &o2));
	free(o1);
	free(o2);
	/* offered, never answered: not confirmed, never reported */
	{
		struct xbm_req r = req("ringing", "a", NULL, sdp_a, true);
		size_t len;

		ASSERT_EQ(0, xbm_offer(self->m, &r, &o1, &len));
		free(o1);
	}
	/* "talking" gets a packet every 200 ms, as XDP would account it */
	ASSERT_EQ(0, stream_at(self->fp, RELAY_A, 20002, &s));
	for (i = 0; i < 20 && self->dead.n == 0; i++) {
		ASSERT_EQ(0, xb_fp_stream_stats(self->fp, s.stats_idx, &st));
		st.packets++;
		st.last_seen_ns = xb_mono_ns();
		ASSERT_EQ(0, xb_fp_stream_stats_write(self->fp, s.stats_idx, &st));
		run_loop(self->loop, 200);
	}
	ASSERT_EQ(1, self->dead.n);
	EXPECT_STREQ("silent", self->dead.ids[0]);
	/* it took at least the timeout, not much more than timeout + check */
	EXPECT_GE(i, 4);
	EXPECT_LE(i, 13);
}

/* Userspace relay (no XDP): packets really cross, from the relay's ports. */
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

static void send_rtp(int fd, const char *addr, uint16_t port, uint16_t seq)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	uint8_t pkt[172] = { 0x80, 0x00 };

	pkt[2] = (uint8_t)(seq >> 8);
	pkt[3] = (uint8_t)seq;
	pkt[11] = 0x42; /* SSRC */
	inet_pton(AF_INET, addr, &sin.sin_addr);
	sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&sin, sizeof(sin));
}

/* Drive the loop until fd has a datagram; its source in *from. */
static ssize_t recv_via(struct xb_loop *loop, int fd, struct sockaddr_in *from)
{
	socklen_t fl = sizeof(*from);
	uint8_t buf[2048];
	ssize_t n = -1;
	int i;

	for (i = 0; i < 100 && n < 0; i++) {
		xb_loop_once(loop, 10);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)from, &fl);
	}
	return n;
}

static const char *sdp_at(char *buf, size_t len, const char *addr, uint16_t port)
{
	snprintf(buf, len,
		 "v=0\r\no=u 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
		 "m=audio %u RTP/AVP 0\r\n",
		 addr, addr, port);
	return buf;
}

TEST_F(media, userspace_relay_carries_media_both_ways) {
	char a[256], b[256], *o1, *o2;
	struct sockaddr_in from;
	struct xb_stream_stats st;
	struct xb_stream s;
	int fa = udp_sock("127.0.0.10", 6000), fb = udp_sock("127.0.0.20", 7000);

	ASSERT_LE(0, fa);
	ASSERT_LE(0, fb);
	ASSERT_EQ(0, offer_answer(self->m, "live", sdp_at(a, sizeof(a), "127.0.0.10", 6000),
				  sdp_at(b, sizeof(b), "127.0.0.20", 7000), &o1, &o2));
	free(o1);
	free(o2);
	run_loop(self->loop, 60); /* the relay binds the new ports */

	send_rtp(fa, RELAY_A, 20000, 1);
	ASSERT_EQ(172, recv_via(self->loop, fb, &from));
	EXPECT_EQ(htons(30000), from.sin_port);
	EXPECT_EQ(htonl(0x7f000002), from.sin_addr.s_addr);

	send_rtp(fb, RELAY_B, 30000, 1);
	ASSERT_EQ(172, recv_via(self->loop, fa, &from));
	EXPECT_EQ(htons(20000), from.sin_port);
	EXPECT_EQ(htonl(0x7f000001), from.sin_addr.s_addr);

	/* the relay accounts into the stream's slot at its next sync */
	run_loop(self->loop, 250);
	ASSERT_EQ(0, stream_at(self->fp, RELAY_A, 20000, &s));
	ASSERT_EQ(0, xb_fp_stream_stats(self->fp, s.stats_idx, &st));
	EXPECT_EQ(1, st.packets);
	EXPECT_NE(0, st.last_seen_ns);
	close(fa);
	close(fb);
}

TEST_F(media, latching_learns_real_source_and_survives_reoffer) {
	char a[256], b[256], *o1, *o2;
	struct sockaddr_in from;
	struct xb_stream s;
	struct xbm_req r;
	size_t len;
	/* B says 127.0.0.20:7000 but really sends from 127.0.0.30:7500 (NAT) */
	int fa = udp_sock("127.0.0.10", 6000), fb = udp_sock("127.0.0.30", 7500);

	ASSERT_LE(0, fa);
	ASSERT_LE(0, fb);
	r = req("nat", "a", NULL, sdp_at(a, sizeof(a), "127.0.0.10", 6000), true);
	r.to.latch = true;
	ASSERT_EQ(0, xbm_offer(self->m, &r, &o1, &len));
	free(o1);
	r = req("nat", "b", "a", sdp_at(b, sizeof(b), "127.0.0.20", 7000), false);
	r.from.latch = true;
	ASSERT_EQ(0, xbm_answer(self->m, &r, &o2, &len));
	free(o2);
	ASSERT_EQ(0, stream_at(self->fp, RELAY_B, 30000, &s));
	EXPECT_EQ(XB_F_FORWARD | XB_F_LEARN_REMOTE | XB_F_FIB_LOOKUP | XB_F_RTP, s.flags);
	ASSERT_EQ(0, stream_at(self->fp, RELAY_A, 20000, &s));
	EXPECT_TRUE(addr_is(s.dst_addr, "127.0.0.20"));
	EXPECT_FALSE(s.flags & XB_F_LEARN_REMOTE);
	run_loop(self->loop, 60);

	/* B's first packet teaches the relay where B really is */
	send_rtp(fb, RELAY_B, 30000, 1);
	ASSERT_EQ(172, recv_via(self->loop, fa, &from));
	ASSERT_EQ(0, stream_at(self->fp, RELAY_A, 20000, &s));
	EXPECT_TRUE(addr_is(s.dst_addr, "127.0.0.30"));
	EXPECT_EQ(htons(7500), s.dst_port);
	ASSERT_EQ(0, stream_at(self->fp, RELAY_B, 30000, &s));
	EXPECT_FALSE(s.flags & XB_F_LEARN_REMOTE);

	/* A re-offers (say, a session refresh): B's latched address stays */
	r = req("nat", "a", "b", sdp_at(a, sizeof(a), "127.0.0.10", 6000), true);
	r.to.latch = true;
	ASSERT_EQ(0, xbm_offer(self->m, &r, &o1, &len));
	free(o1);
	ASSERT_EQ(0, stream_at(self->fp, RELAY_A, 20000, &s));
	EXPECT_TRUE(addr_is(s.dst_addr, "127.0.0.30"));
	send_rtp(fa, RELAY_A, 20000, 2);
	ASSERT_EQ(172, recv_via(self->loop, fb, &from));
	EXPECT_EQ(htons(30000), from.sin_port);

	/* B moves (new SDP address): latching starts over */
	r = req("nat", "b", "a", sdp_at(b, sizeof(b), "127.0.0.21", 7000), false);
	r.from.latch = true;
	r.to.latch = false;
	ASSERT_EQ(0, xbm_offer(self->m, &r, &o1, &len));
	free(o1);
	ASSERT_EQ(0, stream_at(self->fp, RELAY_A, 20000, &s));
	EXPECT_TRUE(addr_is(s.dst_addr, "127.0.0.21"));
	ASSERT_EQ(0, stream_at(self->fp, RELAY_B, 30000, &s));
	EXPECT_TRUE(s.flags & XB_F_LEARN_REMOTE);
	close(fa);
	close(fb);
}

/* Runs "ip ARGS" in the test's namespace; 0 on success. */
static int ip(const char *args)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "ip %s >/dev/null 2>&1", args);
	return system(cmd);
}

static bool mac_is(const uint8_t mac[6], const char *s)
{
	uint8_t want[6];

	return xb_parse_mac(s, want) == 0 && !memcmp(mac, want, 6);
}

/*
 * XDP on both interfaces (veth, native): streams forward in the fast path
 * out of the other side's device, with MACs from the neighbour table.
 */
TEST_F(media, xdp_interfaces_get_egress_device_and_macs) {
	struct xb_fp_link link;
	struct xb_stream s;
	char *o1, *o2;
	int vin, vout;

	xbm_free(self->m, false);
	self->m = NULL;
	ASSERT_EQ(0, ip("link add xbin0 address 02:00:00:00:01:01 type veth peer name xbin1"));
	ASSERT_EQ(0, ip("link add xbout0 address 02:00:00:00:02:01 type veth peer name xbout1"));
	ASSERT_EQ(0, ip("addr add 10.77.0.1/24 dev xbin0"));
	ASSERT_EQ(0, ip("addr add 10.78.0.1/24 dev xbout0"));
	ASSERT_EQ(0, ip("link set xbin0 up"));
	ASSERT_EQ(0, ip("link set xbin1 up"));
	ASSERT_EQ(0, ip("link set xbout0 up"));
	ASSERT_EQ(0, ip("link set xbout1 up"));
	ASSERT_EQ(0, ip("neigh add 10.77.0.2 lladdr 02:00:00:00:01:02 dev xbin0 nud permanent"));
	ASSERT_EQ(0, ip("neigh add 10.78.0.2 lladdr 02:00:00:00:02:02 dev xbout0 nud permanent"));
	vin = (int)if_nametoindex("xbin0");
	vout = (int)if_nametoindex("xbout0");
	ASSERT_NE(0, vin);
	ASSERT_NE(0, vout);

	set_iface(&self->cfg.media[0], "inside", "10.77.0.1", 20000, 20099);
	set_iface(&self->cfg.media[1], "border", "10.78.0.1", 30000, 30099);
	strcpy(self->cfg.media[0].device, "xbin0");
	strcpy(self->cfg.media[1].device, "xbout0");
	self->cfg.media[0].xdp = self->cfg.media[1].xdp = true;
	self->m = start_media(_metadata, self);
	ASSERT_NE(NULL, self->m);
	ASSERT_EQ(0, xb_fp_query(self->fp, vin, &link));
	EXPECT_EQ(XB_PROG_MAIN, link.prog);

	{
		char a[256], b[256];

		ASSERT_EQ(0, offer_answer(self->m, "xdp", sdp_at(a, sizeof(a), "10.77.0.2", 6000),
					  sdp_at(b, sizeof(b), "10.78.0.2", 7000), &o1, &o2));
	}
	free(o1);
	free(o2);
	/* from A (inside) out of the border device to B */
	ASSERT_EQ(0, stream_at(self->fp, "10.77.0.1", 20000, &s));
	EXPECT_FWD(s, XB_F_FORWARD | XB_F_RTP, "10.78.0.2", 7000, "10.78.0.1", 30000);
	EXPECT_EQ((uint32_t)vout, s.ifindex);
	EXPECT_TRUE(mac_is(s.smac, "02:00:00:00:02:01"));
	EXPECT_TRUE(mac_is(s.dmac, "02:00:00:00:02:02"));
	/* from B back out of the inside device */
	ASSERT_EQ(0, stream_at(self->fp, "10.78.0.1", 30001, &s));
	EXPECT_FWD(s, XB_F_FORWARD, "10.77.0.2", 6001, "10.77.0.1", 20001);
	EXPECT_EQ((uint32_t)vin, s.ifindex);
	EXPECT_TRUE(mac_is(s.smac, "02:00:00:00:01:01"));
	EXPECT_TRUE(mac_is(s.dmac, "02:00:00:00:01:02"));

	/* stopping for good detaches what it attached */
	xbm_free(self->m, false);
	self->m = NULL;
	ASSERT_EQ(0, xb_fp_query(self->fp, vin, &link));
	EXPECT_EQ(0, link.prog_id);
	EXPECT_EQ(0, n_streams(self->fp));
}

/*
 * XDP on A's side only: toward B (no device) the fast path hands packets
 * to the stack, and the userspace relay sends them; A's side, reached from
 * the relay, forwards without a neighbour entry via a FIB lookup.
 */
TEST_F(media, xdp_to_userspace_interface_passes) {
	struct xb_stream s;
	char a[256], b[256], *o1, *o2;

	xbm_free(self->m, false);
	self->m = NULL;
	ASSERT_EQ(0, ip("link add xbin0 type veth peer name xbin1"));
	ASSERT_EQ(0, ip("addr add 10.77.0.1/24 dev xbin0"));
	ASSERT_EQ(0, ip("link set xbin0 up"));
	ASSERT_EQ(0, ip("link set xbin1 up"));
	set_iface(&self->cfg.media[0], "inside", "10.77.0.1", 20000, 20099);
	strcpy(self->cfg.media[0].device, "xbin0");
	self->cfg.media[0].xdp = true;
	self->m = start_media(_metadata, self);
	ASSERT_NE(NULL, self->m);
	ASSERT_EQ(0, offer_answer(self->m, "mixed", sdp_at(a, sizeof(a), "10.77.0.2", 6000),
				  sdp_at(b, sizeof(b), "10.9.0.2", 7000), &o1, &o2));
	free(o1);
	free(o2);
	ASSERT_EQ(0, stream_at(self->fp, "10.77.0.1", 20000, &s));
	EXPECT_EQ(XB_F_PASS | XB_F_RTP, s.flags);
	EXPECT_TRUE(addr_is(s.dst_addr, "10.9.0.2"));
	ASSERT_EQ(0, stream_at(self->fp, RELAY_B, 30000, &s));
	/* the relay sends it (no XDP sees B's packets); 10.77.0.2 unresolved */
	EXPECT_FWD(s, XB_F_FORWARD | XB_F_RTP | XB_F_FIB_LOOKUP, "10.77.0.2", 6000, "10.77.0.1",
		   20000);
}

TEST_HARNESS_MAIN
