// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SDP parse and rewrite: real-world SDPs in, exact bytes out. Malformed
 * input is refused with -EBADMSG and a message naming the line.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <xborder/fastpath.h>

#include "common/err.h"
#include "sdp/sdp.h"
#include "kselftest_harness.h"

/* SIPp's built-in uac scenario body, as sent with -mi 10.1.0.2 -mp 6000. */
static const char sipp_sdp[] = "v=0\r\n"
			       "o=user1 53655765 2353687637 IN IP4 10.1.0.2\r\n"
			       "s=-\r\n"
			       "c=IN IP4 10.1.0.2\r\n"
			       "t=0 0\r\n"
			       "m=audio 6000 RTP/AVP 0\r\n"
			       "a=rtpmap:0 PCMU/8000\r\n";

static struct xb_addr addr(const char *s)
{
	struct xb_addr a;

	memset(&a, 0, sizeof(a));
	if (xb_parse_addr(s, &a))
		abort();
	return a;
}

/* Parse IN, rewrite every section to RELAY:PORT (+2 per section). */
static char *rewrite(const char *in, const char *relay, uint16_t port, bool origin)
{
	struct xb_sdp_rewrite rw;
	struct xb_sdp sdp;
	unsigned int k;
	size_t len;
	char *out;

	if (xb_sdp_parse(in, strlen(in), &sdp))
		return NULL;
	memset(&rw, 0, sizeof(rw));
	rw.replace_origin = origin;
	for (k = 0; k < sdp.n_media; k++) {
		rw.media[k].addr = addr(relay);
		rw.media[k].port = port + 2 * k;
	}
	if (xb_sdp_rewrite(&sdp, &rw, &out, &len))
		out = NULL;
	else if (len != strlen(out))
		abort();
	xb_sdp_free(&sdp);
	return out;
}

TEST(sipp_default_sdp) {
	const char *expect = "v=0\r\n"
			     "o=user1 53655765 2353687637 IN IP4 10.1.0.2\r\n"
			     "s=-\r\n"
			     "c=IN IP4 192.0.2.1\r\n"
			     "t=0 0\r\n"
			     "m=audio 20000 RTP/AVP 0\r\n"
			     "a=rtpmap:0 PCMU/8000\r\n";
	struct xb_sdp sdp;
	char *out;

	ASSERT_EQ(0, xb_sdp_parse(sipp_sdp, strlen(sipp_sdp), &sdp));
	EXPECT_EQ(1, sdp.n_media);
	EXPECT_EQ(2353687637ULL, sdp.origin_version);
	EXPECT_STREQ("audio", sdp.media[0].type);
	EXPECT_STREQ("RTP/AVP", sdp.media[0].proto);
	EXPECT_EQ(6000, sdp.media[0].port);
	EXPECT_EQ(6001, sdp.media[0].remote_rtcp_port);
	EXPECT_TRUE(xb_addr_equal(&sdp.media[0].remote, &(struct xb_addr){ 0 }) == false);
	{
		struct xb_addr want = addr("10.1.0.2");

		EXPECT_TRUE(xb_addr_equal(&want, &sdp.media[0].remote));
		EXPECT_TRUE(xb_addr_equal(&want, &sdp.media[0].remote_rtcp));
	}
	EXPECT_FALSE(sdp.media[0].rtcp_mux);
	EXPECT_EQ(XB_SDP_SENDRECV, sdp.media[0].dir);
	EXPECT_FALSE(xb_sdp_media_held(&sdp.media[0]));
	xb_sdp_free(&sdp);

	out = rewrite(sipp_sdp, "192.0.2.1", 20000, false);
	ASSERT_NE(NULL, out);
	EXPECT_STREQ(expect, out);
	free(out);
}

TEST(origin_replaced_for_topology_hiding) {
	const char *expect = "v=0\r\n"
			     "o=user1 53655765 2353687637 IN IP6 2001:db8::1\r\n"
			     "s=-\r\n"
			     "c=IN IP6 2001:db8::1\r\n"
			     "t=0 0\r\n"
			     "m=audio 30000 RTP/AVP 0\r\n"
			     "a=rtpmap:0 PCMU/8000\r\n";
	char *out = rewrite(sipp_sdp, "2001:db8::1", 30000, true);

	ASSERT_NE(NULL, out);
	EXPECT_STREQ(expect, out);
	free(out);
}

/* A browser-style offer: ICE, rtcp-mux, DTLS; LF line ends. */
TEST(webrtc_candidates_removed_rest_kept) {
	const char *in = "v=0\n"
			 "o=- 4611731400430051336 2 IN IP4 127.0.0.1\n"
			 "s=-\n"
			 "t=0 0\n"
			 "a=group:BUNDLE 0\n"
			 "a=ice-options:trickle\n"
			 "a=msid-semantic: WMS stream\n"
			 "m=audio 54400 UDP/TLS/RTP/SAVPF 111 0 8\n"
			 "c=IN IP4 198.51.100.7\n"
			 "a=rtcp:54401 IN IP4 198.51.100.7\n"
			 "a=candidate:1467250027 1 udp 2122260223 192.168.0.196 54400 typ host "
			 "generation 0\n"
			 "a=candidate:435653019 1 udp 1845501695 198.51.100.7 54400 typ srflx "
			 "raddr 192.168.0.196 rport 54400 generation 0\n"
			 "a=remote-candidates:1 192.168.0.1 5000\n"
			 "a=end-of-candidates\n"
			 "a=ice-ufrag:Oyef7uvBlwafI3hT\n"
			 "a=ice-pwd:T0teqPLNQQOf+5W+ls+P2p16\n"
			 "a=fingerprint:sha-256 49:66:12:17:0D:1C:91:AE:57:4C:C6:36:DD:D5:97:D2\n"
			 "a=setup:actpass\n"
			 "a=mid:0\n"
			 "a=sendrecv\n"
			 "a=rtcp-mux\n"
			 "a=rtpmap:111 opus/48000/2\n"
			 "a=fmtp:111 minptime=10;useinbandfec=1\n";
	const char *expect = "v=0\r\n"
			     "o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n"
			     "s=-\r\n"
			     "t=0 0\r\n"
			     "a=group:BUNDLE 0\r\n"
			     "a=msid-semantic: WMS stream\r\n"
			     "m=audio 20002 UDP/TLS/RTP/SAVPF 111 0 8\r\n"
			     "c=IN IP4 192.0.2.1\r\n"
			     "a=rtcp:20003 IN IP4 192.0.2.1\r\n"
			     "a=fingerprint:sha-256 "
			     "49:66:12:17:0D:1C:91:AE:57:4C:C6:36:DD:D5:97:D2\r\n"
			     "a=setup:actpass\r\n"
			     "a=mid:0\r\n"
			     "a=sendrecv\r\n"
			     "a=rtcp-mux\r\n"
			     "a=rtpmap:111 opus/48000/2\r\n"
			     "a=fmtp:111 minptime=10;useinbandfec=1\r\n";
	struct xb_sdp sdp;
	char *out;

	ASSERT_EQ(0, xb_sdp_parse(in, strlen(in), &sdp));
	EXPECT_EQ(1, sdp.n_media);
	EXPECT_EQ(6, sdp.media[0].n_ice);
	EXPECT_TRUE(sdp.media[0].rtcp_mux);
	EXPECT_EQ(54401, sdp.media[0].remote_rtcp_port);
	EXPECT_STREQ("UDP/TLS/RTP/SAVPF", sdp.media[0].proto);
	xb_sdp_free(&sdp);

	out = rewrite(in, "192.0.2.1", 20002, false);
	ASSERT_NE(NULL, out);
	EXPECT_STREQ(expect, out);
	free(out);
}

/* IPv6 party, IPv4 relay: every address line changes family. */
TEST(ipv6_to_ipv4_and_back) {
	const char *in = "v=0\r\n"
			 "o=bob 2808844564 2808844565 IN IP6 2001:db8::5\r\n"
			 "s=call\r\n"
			 "c=IN IP6 2001:db8::5\r\n"
			 "t=0 0\r\n"
			 "m=audio 49170 RTP/AVP 0 101\r\n"
			 "a=rtcp:49171 IN IP6 2001:db8::5\r\n"
			 "a=rtpmap:101 telephone-event/8000\r\n"
			 "a=fmtp:101 0-15\r\n";
	const char *expect4 = "v=0\r\n"
			      "o=bob 2808844564 2808844565 IN IP4 192.0.2.1\r\n"
			      "s=call\r\n"
			      "c=IN IP4 192.0.2.1\r\n"
			      "t=0 0\r\n"
			      "m=audio 20000 RTP/AVP 0 101\r\n"
			      "a=rtcp:20001 IN IP4 192.0.2.1\r\n"
			      "a=rtpmap:101 telephone-event/8000\r\n"
			      "a=fmtp:101 0-15\r\n";
	const char *expect6 = "v=0\r\n"
			      "o=bob 2808844564 2808844565 IN IP6 fd00::1\r\n"
			      "s=call\r\n"
			      "c=IN IP6 fd00::1\r\n"
			      "t=0 0\r\n"
			      "m=audio 40000 RTP/AVP 0 101\r\n"
			      "a=rtcp:40001 IN IP6 fd00::1\r\n"
			      "a=rtpmap:101 telephone-event/8000\r\n"
			      "a=fmtp:101 0-15\r\n";
	char *out4, *out6;

	out4 = rewrite(in, "192.0.2.1", 20000, true);
	ASSERT_NE(NULL, out4);
	EXPECT_STREQ(expect4, out4);
	out6 = rewrite(out4, "fd00::1", 40000, true);
	ASSERT_NE(NULL, out6);
	EXPECT_STREQ(expect6, out6);
	free(out4);
	free(out6);
}

/* Audio relayed, video rejected with port 0: stays 0, its a=rtcp goes. */
TEST(two_sections_one_rejected) {
	const char *in = "v=0\r\n"
			 "o=alice 1 7 IN IP4 10.1.0.2\r\n"
			 "s= \r\n"
			 "c=IN IP4 10.1.0.2\r\n"
			 "t=0 0\r\n"
			 "a=sendrecv\r\n"
			 "m=audio 6000 RTP/AVP 8 0\r\n"
			 "i=voice\r\n"
			 "b=AS:64\r\n"
			 "a=X-custom:  two  spaces stay \r\n"
			 "m=video 0 RTP/AVP 96\r\n"
			 "c=IN IP4 10.1.0.3\r\n"
			 "a=rtcp:6003\r\n"
			 "a=rtpmap:96 H264/90000\r\n";
	const char *expect = "v=0\r\n"
			     "o=alice 1 7 IN IP4 10.1.0.2\r\n"
			     "s= \r\n"
			     "c=IN IP4 192.0.2.1\r\n"
			     "t=0 0\r\n"
			     "a=sendrecv\r\n"
			     "m=audio 20000 RTP/AVP 8 0\r\n"
			     "i=voice\r\n"
			     "b=AS:64\r\n"
			     "a=X-custom:  two  spaces stay \r\n"
			     "m=video 0 RTP/AVP 96\r\n"
			     "c=IN IP4 192.0.2.1\r\n"
			     "a=rtpmap:96 H264/90000\r\n";
	struct xb_sdp sdp;
	char *out;

	ASSERT_EQ(0, xb_sdp_parse(in, strlen(in), &sdp));
	ASSERT_EQ(2, sdp.n_media);
	EXPECT_EQ(6000, sdp.media[0].port);
	EXPECT_EQ(0, sdp.media[1].port);
	EXPECT_STREQ("video", sdp.media[1].type);
	EXPECT_TRUE(sdp.media[1].conn.present);
	xb_sdp_free(&sdp);

	out = rewrite(in, "192.0.2.1", 20000, false);
	ASSERT_NE(NULL, out);
	EXPECT_STREQ(expect, out);
	free(out);
}

/* Sections relayed on different interfaces: the second gets its own c=. */
TEST(section_on_other_interface_gets_own_conn) {
	const char *in = "v=0\r\n"
			 "o=a 1 1 IN IP4 10.1.0.2\r\n"
			 "s=-\r\n"
			 "c=IN IP4 10.1.0.2\r\n"
			 "t=0 0\r\n"
			 "m=audio 6000 RTP/AVP 0\r\n"
			 "m=video 6002 RTP/AVP 96\r\n"
			 "i=camera\r\n"
			 "a=rtpmap:96 VP8/90000\r\n";
	const char *expect = "v=0\r\n"
			     "o=a 1 1 IN IP4 10.1.0.2\r\n"
			     "s=-\r\n"
			     "c=IN IP4 192.0.2.1\r\n"
			     "t=0 0\r\n"
			     "m=audio 20000 RTP/AVP 0\r\n"
			     "m=video 30000 RTP/AVP 96\r\n"
			     "i=camera\r\n"
			     "c=IN IP6 2001:db8::9\r\n"
			     "a=rtpmap:96 VP8/90000\r\n";
	struct xb_sdp_rewrite rw = { 0 };
	struct xb_sdp sdp;
	size_t len;
	char *out;

	ASSERT_EQ(0, xb_sdp_parse(in, strlen(in), &sdp));
	rw.media[0].addr = addr("192.0.2.1");
	rw.media[0].port = 20000;
	rw.media[1].addr = addr("2001:db8::9");
	rw.media[1].port = 30000;
	ASSERT_EQ(0, xb_sdp_rewrite(&sdp, &rw, &out, &len));
	EXPECT_STREQ(expect, out);
	EXPECT_EQ(strlen(expect), len);
	free(out);
	xb_sdp_free(&sdp);
}

/* RFC 2543 hold: the zero address stays zero, in the relay's family. */
TEST(hold_zero_address) {
	const char *in = "v=0\r\n"
			 "o=user1 53655765 2353687638 IN IP4 10.1.0.2\r\n"
			 "s=-\r\n"
			 "c=IN IP4 0.0.0.0\r\n"
			 "t=0 0\r\n"
			 "m=audio 6000 RTP/AVP 0\r\n"
			 "a=rtcp:6001 IN IP4 0.0.0.0\r\n";
	const char *expect = "v=0\r\n"
			     "o=user1 53655765 2353687638 IN IP4 10.1.0.2\r\n"
			     "s=-\r\n"
			     "c=IN IP6 ::\r\n"
			     "t=0 0\r\n"
			     "m=audio 20000 RTP/AVP 0\r\n"
			     "a=rtcp:20001 IN IP6 ::\r\n";
	struct xb_sdp sdp;
	char *out;

	ASSERT_EQ(0, xb_sdp_parse(in, strlen(in), &sdp));
	EXPECT_TRUE(sdp.media[0].remote_zero);
	EXPECT_TRUE(xb_sdp_media_held(&sdp.media[0]));
	EXPECT_EQ(XB_SDP_SENDRECV, sdp.media[0].dir);
	xb_sdp_free(&sdp);

	out = rewrite(in, "2001:db8::1", 20000, false);
	ASSERT_NE(NULL, out);
	EXPECT_STREQ(expect, out);
	free(out);
}

/* RFC 3264 hold: direction attributes, session level and overridden. */
TEST(hold_direction_attributes) {
	static const struct {
		const char *session_attr, *media_attr;
		enum xb_sdp_dir dir;
		bool held;
	} cases[] = {
		{ "", "a=sendonly\r\n", XB_SDP_SENDONLY, true },
		{ "", "a=inactive\r\n", XB_SDP_INACTIVE, true },
		{ "", "a=recvonly\r\n", XB_SDP_RECVONLY, false },
		{ "a=sendonly\r\n", "", XB_SDP_SENDONLY, true },
		{ "a=inactive\r\n", "a=sendrecv\r\n", XB_SDP_SENDRECV, false },
		{ "", "", XB_SDP_SENDRECV, false },
	};
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char in[512], expect[512], *out;
		struct xb_sdp sdp;

		snprintf(in, sizeof(in),
			 "v=0\r\no=u 1 2 IN IP4 10.1.0.2\r\ns=-\r\nc=IN IP4 10.1.0.2\r\nt=0 0\r\n"
			 "%sm=audio 6000 RTP/AVP 0\r\n%s",
			 cases[i].session_attr, cases[i].media_attr);
		snprintf(expect, sizeof(expect),
			 "v=0\r\no=u 1 2 IN IP4 10.1.0.2\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
			 "%sm=audio 20000 RTP/AVP 0\r\n%s",
			 cases[i].session_attr, cases[i].media_attr);
		ASSERT_EQ(0, xb_sdp_parse(in, strlen(in), &sdp));
		EXPECT_EQ(cases[i].dir, sdp.media[0].dir);
		EXPECT_EQ(cases[i].held, xb_sdp_media_held(&sdp.media[0]));
		EXPECT_FALSE(sdp.media[0].remote_zero);
		xb_sdp_free(&sdp);
		out = rewrite(in, "192.0.2.1", 20000, false);
		ASSERT_NE(NULL, out);
		EXPECT_STREQ(expect, out);
		free(out);
	}
}

/* Media-level c= wins over session c=; a=rtcp without address. */
TEST(media_conn_and_rtcp_port_extracted) {
	const char *in = "v=0\r\n"
			 "o=u 1 2 IN IP4 10.1.0.2\r\n"
			 "s=-\r\n"
			 "c=IN IP4 10.1.0.2\r\n"
			 "t=0 0\r\n"
			 "m=audio 6000/1 RTP/AVP 0\r\n"
			 "c=IN IP4 10.7.7.7\r\n"
			 "a=rtcp:7001\r\n"
			 "a=rtcp-mux\r\n";
	const char *expect = "v=0\r\n"
			     "o=u 1 2 IN IP4 10.1.0.2\r\n"
			     "s=-\r\n"
			     "c=IN IP4 192.0.2.1\r\n"
			     "t=0 0\r\n"
			     "m=audio 20000 RTP/AVP 0\r\n"
			     "c=IN IP4 192.0.2.1\r\n"
			     "a=rtcp:20001\r\n"
			     "a=rtcp-mux\r\n";
	struct xb_addr want = addr("10.7.7.7");
	struct xb_sdp sdp;
	char *out;

	ASSERT_EQ(0, xb_sdp_parse(in, strlen(in), &sdp));
	EXPECT_TRUE(xb_addr_equal(&want, &sdp.media[0].remote));
	EXPECT_TRUE(xb_addr_equal(&want, &sdp.media[0].remote_rtcp));
	EXPECT_EQ(7001, sdp.media[0].remote_rtcp_port);
	EXPECT_EQ(1, sdp.media[0].nports);
	EXPECT_TRUE(sdp.media[0].rtcp_mux);
	xb_sdp_free(&sdp);
	out = rewrite(in, "192.0.2.1", 20000, false);
	ASSERT_NE(NULL, out);
	EXPECT_STREQ(expect, out);
	free(out);
}

/* Rewriting is a function of input and relay: doing it twice changes nothing. */
TEST(rewrite_is_idempotent) {
	char *a = rewrite(sipp_sdp, "192.0.2.1", 20000, true);
	char *b;

	ASSERT_NE(NULL, a);
	b = rewrite(a, "192.0.2.1", 20000, true);
	ASSERT_NE(NULL, b);
	EXPECT_STREQ(a, b);
	free(a);
	free(b);
}

TEST(trailing_blank_lines_and_missing_final_newline) {
	const char *in1 = "v=0\r\no=u 1 2 IN IP4 10.1.0.2\r\ns=-\r\nc=IN IP4 10.1.0.2\r\n"
			  "t=0 0\r\nm=audio 6000 RTP/AVP 0\r\n\r\n";
	const char *in2 = "v=0\no=u 1 2 IN IP4 10.1.0.2\ns=-\nc=IN IP4 10.1.0.2\n"
			  "t=0 0\nm=audio 6000 RTP/AVP 0";
	const char *expect = "v=0\r\no=u 1 2 IN IP4 10.1.0.2\r\ns=-\r\nc=IN IP4 192.0.2.1\r\n"
			     "t=0 0\r\nm=audio 20000 RTP/AVP 0\r\n";
	char *out;

	out = rewrite(in1, "192.0.2.1", 20000, false);
	ASSERT_NE(NULL, out);
	EXPECT_STREQ(expect, out);
	free(out);
	out = rewrite(in2, "192.0.2.1", 20000, false);
	ASSERT_NE(NULL, out);
	EXPECT_STREQ(expect, out);
	free(out);
}

/* Each case: a body and a fragment the error message must contain. */
static const struct {
	const char *sdp, *msg;
} malformed[] = {
	{ "o=u 1 2 IN IP4 10.1.0.2\r\ns=-\r\n", "line 1: must be 'v=0'" },
	{ "v=1\r\no=u 1 2 IN IP4 10.1.0.2\r\n", "line 1: must be 'v=0'" },
	{ "v=0\r\ns=-\r\nc=IN IP4 10.1.0.2\r\n", "no o= line" },
	{ "v=0\r\no=u 1 2 IN IP4\r\n", "line 2: o= needs 6 fields" },
	{ "v=0\r\no=u 1 x2 IN IP4 1.2.3.4\r\n", "invalid session version" },
	{ "v=0\r\no=u 1 2 IN IP4 1.2.3.4\r\nm=audio 65536 RTP/AVP 0\r\nc=IN IP4 1.2.3.4\r\n",
	  "line 3: m=: invalid port '65536'" },
	{ "v=0\r\no=u 1 2 IN IP4 1.2.3.4\r\nm=audio -1 RTP/AVP 0\r\n", "m=: invalid port" },
	{ "v=0\r\no=u 1 2 IN IP4 1.2.3.4\r\nm=audio 0x10 RTP/AVP 0\r\n", "m=: invalid port" },
	{ "v=0\r\no=u 1 2 IN IP4 1.2.3.4\r\nm=audio 006000 RTP/AVP 0\r\n", "m=: invalid port" },
	{ "v=0\r\no=u 1 2 IN IP4 1.2.3.4\r\nm=audio 6000 RTP/AVP\r\n", "m= needs" },
	{ "v=0\r\no=u 1 2 IN IP4 1.2.3.4\r\nm=audio 6000/0 RTP/AVP 0\r\n", "port count" },
	{ "v=0\r\no=u 1 2 IN IP4 1.2.3.4\r\nm=audio 6000/17 RTP/AVP 0\r\n", "port count" },
	{ "v=0\r\no=u 1 2 IN IP4 1.2.3.4\r\nm=audio 65534/2 RTP/AVP 0\r\n", "runs past 65535" },
	{ "v=0\r\no=u 1 2 IN IP4 1.2.3.4\r\nm=audio 6000/ RTP/AVP 0\r\n", "port count" },
	{ "v=0\r\no=u 1 2 IN IP4 1.2.3.4\r\nc=IN IP4 999.1.1.1\r\n",
	  "line 3: invalid IPv4 address '999.1.1.1'" },
	{ "v=0\r\no=u 1 2 IN IP4 1.2.3.4\r\nc=IN IP4 ::1\r\n", "invalid IPv4 address" },
	{ "v=0\r\no=u 1 2 IN IP4 1.2.3.4\r\nc=IN IP6 10.0.0.1\r\n", "invalid IPv6 address" },
	{ "v=0\r\no=u 1 2 IN IP4 1.2.3.4\r\nc=IN IP4 host.example\r\n", "invalid IPv4 address" },
	{ "v=0\r\no=u 1 2 IN IP4 1.2.3.4\r\nc=IN IP4 224.2.1.1/127\r\n", "multicast" },
	{ "v=0\r\no=u 1 2 IN IP4 1.2.3.4\r\nc=IN IP5 1.2.3.4\r\n", "unsupported address type" },
	{ "v=0\r\no=u 1 2 IN IP4 1.2.3.4\r\nc=ATM IP4 1.2.3.4\r\n", "unsupported network type" },
	{ "v=0\r\no=u 1 2 IN IP4 1.2.3.4\r\nc=IN IP4 1.2.3.4 junk\r\n", "connection data" },
	{ "v=0\r\no=u 1 2 IN IP4 1.2.3.4\r\nc=IN IP4 1.2.3.4\r\nc=IN IP4 1.2.3.5\r\n",
	  "line 4: duplicate c=" },
	{ "v=0\r\no=u 1 2 IN IP4 1.2.3.4\r\nm=audio 6000 RTP/AVP 0\r\n", "has no c= line" },
	{ "v=0\r\no=u 1 2 IN IP4 1.2.3.4\r\nc=IN IP4 1.2.3.4\r\nm=audio 6000 RTP/AVP 0\r\n"
	  "a=rtcp:0\r\n",
	  "a=rtcp: invalid port" },
	{ "v=0\r\no=u 1 2 IN IP4 1.2.3.4\r\nc=IN IP4 1.2.3.4\r\nm=audio 6000 RTP/AVP 0\r\n"
	  "a=rtcp:6001\r\na=rtcp:6001\r\n",
	  "duplicate a=rtcp" },
	{ "v=0\r\no=u 1 2 IN IP4 1.2.3.4\r\nc=IN IP4 1.2.3.4\r\nm=audio 6000 RTP/AVP 0\r\n"
	  "a=rtcp:6001 IN IP4 1.2.3\r\n",
	  "invalid IPv4 address" },
	{ "v=0\r\no=u 1 2 IN IP4 1.2.3.4\r\n\r\ns=-\r\n", "line 3: empty line" },
	{ "v=0\r\no=u 1 2 IN IP4 1.2.3.4\r\ns=a\rb\r\n", "control character" },
	{ "v=0\r\no=u 1 2 IN IP4 1.2.3.4\r\nS=-\r\n", "line 3: not '<type>=<value>'" },
	{ "v=0\r\no=u 1 2 IN IP4 1.2.3.4\r\nx\r\n", "line 3: not '<type>=<value>'" },
	{ "v=0\r\nv=0\r\n", "second v=" },
	{ "v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 6000 RTP/AVP 0\r\n", "m= before o=" },
	{ "", "empty" },
	{ "\r\n\r\n", "empty" },
};

TEST(malformed_rejected) {
	unsigned int i;

	for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		struct xb_sdp sdp;
		int err;

		xb_err_clear();
		err = xb_sdp_parse(malformed[i].sdp, strlen(malformed[i].sdp), &sdp);
		EXPECT_EQ(-EBADMSG, err)
		{
			TH_LOG("case %u: '%s'", i, malformed[i].sdp);
		}
		EXPECT_NE(NULL, strstr(xb_errmsg(), malformed[i].msg))
		{
			TH_LOG("case %u: message '%s', wanted '%s'", i, xb_errmsg(),
			       malformed[i].msg);
		}
	}
}

TEST(nul_byte_rejected) {
	const char in[] = "v=0\r\no=u 1 2 IN IP4 1.2.3.4\r\ns=a\0b\r\n";
	struct xb_sdp sdp;

	EXPECT_EQ(-EBADMSG, xb_sdp_parse(in, sizeof(in) - 1, &sdp));
	EXPECT_NE(NULL, strstr(xb_errmsg(), "NUL"));
}

/* Appends LINE N times to a valid head; returns the malloc'd body. */
static char *repeated(const char *head, const char *line, unsigned int n)
{
	size_t hl = strlen(head), ll = strlen(line);
	char *s = malloc(hl + ll * n + 1);
	unsigned int i;

	if (!s)
		abort();
	memcpy(s, head, hl);
	for (i = 0; i < n; i++)
		memcpy(s + hl + ll * i, line, ll);
	s[hl + ll * n] = '\0';
	return s;
}

TEST(size_limits) {
	const char *head = "v=0\r\no=u 1 2 IN IP4 1.2.3.4\r\nc=IN IP4 1.2.3.4\r\n";
	struct xb_sdp sdp;
	char *s, *longline;

	/* 32 sections are fine, 33 are not. */
	s = repeated(head, "m=audio 6000 RTP/AVP 0\r\n", 32);
	EXPECT_EQ(0, xb_sdp_parse(s, strlen(s), &sdp));
	EXPECT_EQ(32, sdp.n_media);
	xb_sdp_free(&sdp);
	free(s);
	s = repeated(head, "m=audio 6000 RTP/AVP 0\r\n", 33);
	EXPECT_EQ(-EBADMSG, xb_sdp_parse(s, strlen(s), &sdp));
	EXPECT_NE(NULL, strstr(xb_errmsg(), "more than 32 media sections"));
	free(s);

	/* A 4096-byte line is fine, 4097 is not. */
	longline = malloc(XB_SDP_MAX_LINE + 4);
	ASSERT_NE(NULL, longline);
	memset(longline, 'x', XB_SDP_MAX_LINE + 1);
	memcpy(longline, "a=", 2);
	strcpy(longline + XB_SDP_MAX_LINE, "\r\n");
	s = repeated(head, longline, 1);
	EXPECT_EQ(0, xb_sdp_parse(s, strlen(s), &sdp));
	xb_sdp_free(&sdp);
	free(s);
	strcpy(longline + XB_SDP_MAX_LINE, "x\r\n");
	s = repeated(head, longline, 1);
	EXPECT_EQ(-EBADMSG, xb_sdp_parse(s, strlen(s), &sdp));
	EXPECT_NE(NULL, strstr(xb_errmsg(), "longer than 4096"));
	free(s);
	free(longline);

	/* More than 64 KiB in all. */
	s = repeated(head, "a=padding-attribute-to-fill-the-body-up\r\n", 1700);
	EXPECT_EQ(-EBADMSG, xb_sdp_parse(s, strlen(s), &sdp));
	EXPECT_NE(NULL, strstr(xb_errmsg(), "more than 65536"));
	free(s);
}

TEST(rewrite_rejects_bad_relay) {
	struct xb_sdp_rewrite rw = { 0 };
	struct xb_sdp sdp;
	size_t len;
	char *out;

	ASSERT_EQ(0, xb_sdp_parse(sipp_sdp, strlen(sipp_sdp), &sdp));
	rw.media[0].addr = addr("192.0.2.1");
	rw.media[0].port = 65535; /* no room for RTCP */
	EXPECT_EQ(-EINVAL, xb_sdp_rewrite(&sdp, &rw, &out, &len));
	rw.media[0].port = 0;
	EXPECT_EQ(-EINVAL, xb_sdp_rewrite(&sdp, &rw, &out, &len));
	/* Family 0: the section is left alone (but ICE would still go). */
	memset(&rw, 0, sizeof(rw));
	ASSERT_EQ(0, xb_sdp_rewrite(&sdp, &rw, &out, &len));
	EXPECT_STREQ(sipp_sdp, out);
	free(out);
	xb_sdp_free(&sdp);
}

TEST_HARNESS_MAIN
