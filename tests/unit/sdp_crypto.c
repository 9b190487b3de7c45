// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SDES a=crypto lines (RFC 4568): what is parsed and selected, what is
 * refused and with which message (never one carrying key material), our
 * own lines written and read back, and the rewriter's SRTP bridging
 * (profile, removed and added a=crypto lines) byte for byte.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xborder/fastpath.h>

#include "common/err.h"
#include "sdp/sdp.h"
#include "kselftest_harness.h"

/* RFC 4568 section 4's key, without its lifetime and MKI. */
#define RFC_KEY "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz"
static const uint8_t rfc_keysalt[30] = {
	0x59, 0x53, 0x5f, 0x5f, 0x5f, 0x73, 0x65, 0x6d, 0x63, 0x74, 0x6c, 0x20, 0x28, 0x29, 0x20,
	0x7b, 0x09, 0x32, 0x32, 0x30, 0x3b, 0x7d, 0x0a, 0x7d, 0x0a, 0x75, 0x6e, 0x6c, 0x65, 0x73
};

#define HEAD                          \
	"v=0\r\n"                     \
	"o=- 1 1 IN IP4 10.1.0.2\r\n" \
	"s=-\r\n"                     \
	"c=IN IP4 10.1.0.2\r\n"       \
	"t=0 0\r\n"                   \
	"m=audio 6000 RTP/SAVP 0\r\n"

/* Parse HEAD + the crypto line LINE (line 7) and parse that line. */
static int crypto_of(const char *line, struct xb_sdp_crypto *c)
{
	char text[1024];
	struct xb_sdp sdp;
	int err;

	snprintf(text, sizeof(text), HEAD "%s\r\n", line);
	if (xb_sdp_parse(text, strlen(text), &sdp))
		return -999;
	err = xb_sdp_crypto_parse(&sdp, 6, c);
	xb_sdp_free(&sdp);
	return err;
}

TEST(good_line) {
	struct xb_sdp_crypto c;

	ASSERT_EQ(0, crypto_of("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY, &c))
	TH_LOG("%s", xb_errmsg());
	EXPECT_EQ(1, c.tag);
	EXPECT_EQ(XBORDER_SRTP_AES_CM_128_HMAC_SHA1_80, c.suite);
	EXPECT_EQ(0, memcmp(c.key, rfc_keysalt, 16));
	EXPECT_EQ(0, memcmp(c.salt, rfc_keysalt + 16, 14));
	EXPECT_EQ(6, c.line);

	ASSERT_EQ(0, crypto_of("a=crypto:987654321\tAES_CM_128_HMAC_SHA1_32  inline:" RFC_KEY
			       "|2^31 WSH=128",
			       &c))
	TH_LOG("%s", xb_errmsg());
	EXPECT_EQ(987654321, c.tag);
	EXPECT_EQ(XBORDER_SRTP_AES_CM_128_HMAC_SHA1_32, c.suite);
	EXPECT_EQ(0, crypto_of("a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "|2147483648",
			       &c));
	EXPECT_EQ(0, crypto_of("a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "|2^48", &c));
}

struct bad {
	const char *line;
	int err;
	const char *msg;
};

static const struct bad bads[] = {
	{ "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "|2^20|1:4", -EOPNOTSUPP,
	  "sdp line 7: a=crypto: key lifetime below 2^31 packets not supported (no re-keying)" },
	{ "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "|2^31|1:4", -EOPNOTSUPP,
	  "sdp line 7: a=crypto: MKI not supported" },
	{ "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "|1:4", -EOPNOTSUPP,
	  "sdp line 7: a=crypto: MKI not supported" },
	{ "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "|1:", -EBADMSG,
	  "sdp line 7: a=crypto: malformed MKI" },
	{ "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "|1000", -EOPNOTSUPP,
	  "sdp line 7: a=crypto: key lifetime below 2^31 packets not supported (no re-keying)" },
	{ "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "|2^x", -EBADMSG,
	  "sdp line 7: a=crypto: malformed key lifetime" },
	{ "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "|", -EBADMSG,
	  "sdp line 7: a=crypto: empty field after '|' in the key" },
	{ "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "|2^31|1:4|7", -EBADMSG,
	  "sdp line 7: a=crypto: too many '|' fields in the key" },
	{ "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "|2^31|2^31", -EBADMSG,
	  "sdp line 7: a=crypto: a second key lifetime" },
	{ "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGV",
	  -EBADMSG,
	  "sdp line 7: a=crypto: inline key is 39 characters; AES_CM_128 needs 40 (30 bytes in "
	  "base64)" },
	{ "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGV=",
	  -EBADMSG, "sdp line 7: a=crypto: inline key is not base64 (character 40)" },
	{ "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewky-jA7fQp9CnVubGVz",
	  -EBADMSG, "sdp line 7: a=crypto: inline key is not base64 (character 25)" },
	{ "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:", -EBADMSG,
	  "sdp line 7: a=crypto: inline key is 0 characters; AES_CM_128 needs 40 (30 bytes in "
	  "base64)" },
	{ "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY ";inline:" RFC_KEY, -EOPNOTSUPP,
	  "sdp line 7: a=crypto: more than one key (MKI keys) not supported" },
	{ "a=crypto:1 AES_CM_128_HMAC_SHA1_80 uri:http://x/" RFC_KEY, -EOPNOTSUPP,
	  "sdp line 7: a=crypto: key method is not 'inline'" },
	{ "a=crypto:1 AEAD_AES_256_GCM inline:" RFC_KEY, -EOPNOTSUPP,
	  "sdp line 7: a=crypto: suite 'AEAD_AES_256_GCM' not supported" },
	{ "a=crypto:1 F8_128_HMAC_SHA1_80 inline:" RFC_KEY, -EOPNOTSUPP,
	  "sdp line 7: a=crypto: suite 'F8_128_HMAC_SHA1_80' not supported" },
	{ "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY " UNENCRYPTED_SRTP", -EOPNOTSUPP,
	  "sdp line 7: a=crypto: session parameter UNENCRYPTED_SRTP not supported" },
	{ "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY " KDR=1", -EOPNOTSUPP,
	  "sdp line 7: a=crypto: session parameter KDR not supported" },
	{ "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY " " RFC_KEY, -EOPNOTSUPP,
	  "sdp line 7: a=crypto: unknown session parameter" },
	{ "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY " WSH=x", -EBADMSG,
	  "sdp line 7: a=crypto: malformed WSH" },
	{ "a=crypto:x AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY, -EBADMSG,
	  "sdp line 7: a=crypto: invalid tag (1 to 9 digits)" },
	{ "a=crypto:1234567890 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY, -EBADMSG,
	  "sdp line 7: a=crypto: invalid tag (1 to 9 digits)" },
	{ "a=crypto:inline:" RFC_KEY " AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY, -EBADMSG,
	  "sdp line 7: a=crypto: invalid tag (1 to 9 digits)" },
	{ "a=crypto:1 inline:" RFC_KEY, -EBADMSG,
	  "sdp line 7: a=crypto needs a tag, a suite and a key" },
	{ "a=crypto:1 inline:" RFC_KEY " x", -EOPNOTSUPP, "sdp line 7: a=crypto: unknown suite" },
	{ "a=crypto:1 " RFC_KEY " inline:" RFC_KEY, -EOPNOTSUPP,
	  "sdp line 7: a=crypto: unknown suite" },
	{ "a=crypto: 1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY, -EBADMSG,
	  "sdp line 7: a=crypto: blank before the tag" },
	{ "a=crypto:1 AES_CM_128_HMAC_SHA1_80", -EBADMSG,
	  "sdp line 7: a=crypto needs a tag, a suite and a key" },
	{ "a=crypto:", -EBADMSG, "sdp line 7: a=crypto needs a tag, a suite and a key" },
};

TEST(refused_lines_and_messages) {
	struct xb_sdp_crypto c;
	unsigned int i;

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		int err = crypto_of(bads[i].line, &c);

		EXPECT_EQ(bads[i].err, err) TH_LOG("%s", bads[i].line);
		EXPECT_STREQ(bads[i].msg, xb_errmsg()) TH_LOG("%s", bads[i].line);
		/* no message carries key material, not even part of it */
		EXPECT_EQ(NULL, strstr(xb_errmsg(), "WVNfX19z"));
		EXPECT_EQ(0, c.tag);
		EXPECT_EQ(0, c.key[0] | c.salt[0]);
	}
}

TEST(select_takes_the_first_usable) {
	const char *text = HEAD "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "|2^20|1:4\r\n"
				"a=rtpmap:0 PCMU/8000\r\n"
				"a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:" RFC_KEY "\r\n"
				"a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "\r\n"
				"m=video 6002 RTP/SAVP 96\r\n"
				"a=crypto:1 AES_CM_256_HMAC_SHA1_80 inline:" RFC_KEY "\r\n"
				"m=audio 6004 RTP/AVP 0\r\n";
	struct xb_sdp_crypto c;
	struct xb_sdp sdp;

	ASSERT_EQ(0, xb_sdp_parse(text, strlen(text), &sdp));
	EXPECT_EQ(3, sdp.media[0].n_crypto);
	ASSERT_EQ(0, xb_sdp_crypto_select(&sdp, 0, &c));
	EXPECT_EQ(2, c.tag);
	EXPECT_EQ(XBORDER_SRTP_AES_CM_128_HMAC_SHA1_32, c.suite);
	EXPECT_EQ(8, c.line);
	/* none usable: the first line's reason */
	EXPECT_EQ(-EOPNOTSUPP, xb_sdp_crypto_select(&sdp, 1, &c));
	EXPECT_STREQ("sdp line 12: a=crypto: suite 'AES_CM_256_HMAC_SHA1_80' not supported",
		     xb_errmsg());
	EXPECT_EQ(-ENOENT, xb_sdp_crypto_select(&sdp, 2, &c));
	EXPECT_STREQ("sdp line 13: m= section 2 has no a=crypto", xb_errmsg());
	EXPECT_EQ(-EINVAL, xb_sdp_crypto_select(&sdp, 3, &c));
	EXPECT_EQ(-EINVAL, xb_sdp_crypto_parse(&sdp, 7, &c)); /* a=rtpmap */
	xb_sdp_free(&sdp);
}

TEST(format_reads_back) {
	struct xb_sdp_crypto c = { .tag = 7, .suite = XBORDER_SRTP_AES_CM_128_HMAC_SHA1_32 }, d;
	char buf[XB_SDP_CRYPTO_MAX], line[128];
	unsigned int i;

	for (i = 0; i < 16; i++)
		c.key[i] = (uint8_t)(0xf0 + i);
	for (i = 0; i < 14; i++)
		c.salt[i] = (uint8_t)(3 * i);
	ASSERT_EQ(0, xb_sdp_crypto_format(&c, buf, sizeof(buf)));
	EXPECT_EQ(0, strncmp(buf, "crypto:7 AES_CM_128_HMAC_SHA1_32 inline:", 40));
	EXPECT_EQ(40 + 40, strlen(buf));
	snprintf(line, sizeof(line), "a=%s", buf);
	ASSERT_EQ(0, crypto_of(line, &d)) TH_LOG("%s", xb_errmsg());
	EXPECT_EQ(7, d.tag);
	EXPECT_EQ(c.suite, d.suite);
	EXPECT_EQ(0, memcmp(c.key, d.key, 16));
	EXPECT_EQ(0, memcmp(c.salt, d.salt, 14));
	/* the RFC's key comes out as the RFC wrote it */
	memcpy(c.key, rfc_keysalt, 16);
	memcpy(c.salt, rfc_keysalt + 16, 14);
	c.tag = 1;
	c.suite = XBORDER_SRTP_AES_CM_128_HMAC_SHA1_80;
	ASSERT_EQ(0, xb_sdp_crypto_format(&c, buf, sizeof(buf)));
	EXPECT_STREQ("crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY, buf);
	EXPECT_EQ(-ENOSPC, xb_sdp_crypto_format(&c, buf, 40));
	EXPECT_EQ('\0', buf[0]);
	c.suite = XBORDER_SRTP_AEAD_AES_128_GCM;
	EXPECT_EQ(-EINVAL, xb_sdp_crypto_format(&c, buf, sizeof(buf)));
}

TEST(profiles) {
	EXPECT_STREQ("RTP/SAVP", xb_sdp_proto_as("RTP/AVP", true));
	EXPECT_STREQ("RTP/SAVP", xb_sdp_proto_as("RTP/SAVP", true));
	EXPECT_STREQ("RTP/AVP", xb_sdp_proto_as("RTP/SAVP", false));
	EXPECT_STREQ("RTP/SAVPF", xb_sdp_proto_as("RTP/AVPF", true));
	EXPECT_STREQ("RTP/AVPF", xb_sdp_proto_as("RTP/SAVPF", false));
	EXPECT_EQ(NULL, xb_sdp_proto_as("UDP/TLS/RTP/SAVPF", false));
	EXPECT_EQ(NULL, xb_sdp_proto_as("udptl", true));
	EXPECT_EQ(NULL, xb_sdp_proto_as("rtp/avp", true)); /* case matters (RFC 4566) */
	EXPECT_TRUE(xb_sdp_proto_secure("RTP/SAVPF"));
	EXPECT_FALSE(xb_sdp_proto_secure("RTP/AVP"));
	EXPECT_FALSE(xb_sdp_proto_secure("UDP/TLS/RTP/SAVP"));
}

static struct xb_addr addr4(const char *s)
{
	struct xb_addr a;

	memset(&a, 0, sizeof(a));
	if (xb_parse_addr(s, &a))
		abort();
	return a;
}

TEST(rewrite_bridges_profile_and_crypto) {
	const char *in = "v=0\r\n"
			 "o=- 1 1 IN IP4 10.1.0.2\r\n"
			 "s=-\r\n"
			 "c=IN IP4 10.1.0.2\r\n"
			 "t=0 0\r\n"
			 "m=audio 6000 RTP/SAVPF 0 101\r\n"
			 "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "\r\n"
			 "a=rtpmap:0 PCMU/8000\r\n"
			 "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:" RFC_KEY "\r\n"
			 "m=audio 6002 RTP/AVP 8\r\n"
			 "i=second\r\n"
			 "m=audio 6004 RTP/SAVP 0\r\n"
			 "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "\r\n";
	const char *want = "v=0\r\n"
			   "o=- 1 1 IN IP4 10.1.0.2\r\n"
			   "s=-\r\n"
			   "c=IN IP4 192.0.2.1\r\n"
			   "t=0 0\r\n"
			   "m=audio 20000 RTP/AVPF 0 101\r\n"
			   "a=rtpmap:0 PCMU/8000\r\n"
			   "m=audio 20002 RTP/SAVP 8\r\n"
			   "i=second\r\n"
			   "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:X\r\n"
			   "m=audio 20004 RTP/SAVP 0\r\n"
			   "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" RFC_KEY "\r\n";
	struct xb_sdp_rewrite rw;
	struct xb_sdp sdp, again;
	unsigned int k;
	size_t len;
	char *out;

	ASSERT_EQ(0, xb_sdp_parse(in, strlen(in), &sdp));
	memset(&rw, 0, sizeof(rw));
	for (k = 0; k < 3; k++) {
		rw.media[k].addr = addr4("192.0.2.1");
		rw.media[k].port = (uint16_t)(20000 + 2 * k);
	}
	rw.media[0].proto = xb_sdp_proto_as(sdp.media[0].proto, false);
	rw.media[0].strip_crypto = true;
	rw.media[1].proto = xb_sdp_proto_as(sdp.media[1].proto, true);
	rw.media[1].add_attr = "crypto:1 AES_CM_128_HMAC_SHA1_80 inline:X";
	ASSERT_EQ(0, xb_sdp_rewrite(&sdp, &rw, &out, &len));
	EXPECT_STREQ(want, out);
	ASSERT_EQ(0, xb_sdp_parse(out, len, &again));
	EXPECT_EQ(0, again.media[0].n_crypto);
	EXPECT_EQ(1, again.media[1].n_crypto);
	EXPECT_EQ(1, again.media[2].n_crypto);
	xb_sdp_free(&again);
	free(out);

	/* what would not parse again is refused */
	rw.media[1].add_attr = "crypto:1 X\r\nm=audio 9 RTP/AVP 0";
	EXPECT_EQ(-EINVAL, xb_sdp_rewrite(&sdp, &rw, &out, &len));
	rw.media[1].add_attr = NULL;
	rw.media[1].proto = "RTP/ AVP";
	EXPECT_EQ(-EINVAL, xb_sdp_rewrite(&sdp, &rw, &out, &len));
	rw.media[1].proto = "";
	EXPECT_EQ(-EINVAL, xb_sdp_rewrite(&sdp, &rw, &out, &len));
	xb_sdp_free(&sdp);
}

TEST(added_line_follows_a_pending_conn) {
	/* sections relayed on different interfaces each get their own c=,
	 * before the added a=crypto */
	const char *in = "v=0\r\n"
			 "o=- 1 1 IN IP4 10.1.0.2\r\n"
			 "s=-\r\n"
			 "c=IN IP4 10.1.0.2\r\n"
			 "t=0 0\r\n"
			 "m=audio 6000 RTP/AVP 0\r\n"
			 "m=audio 6002 RTP/AVP 0\r\n";
	const char *want = "v=0\r\n"
			   "o=- 1 1 IN IP4 10.1.0.2\r\n"
			   "s=-\r\n"
			   "c=IN IP4 192.0.2.1\r\n"
			   "t=0 0\r\n"
			   "m=audio 20000 RTP/SAVP 0\r\n"
			   "a=crypto:1 A\r\n"
			   "m=audio 20002 RTP/SAVP 0\r\n"
			   "c=IN IP4 192.0.2.2\r\n"
			   "a=crypto:2 B\r\n";
	struct xb_sdp_rewrite rw;
	struct xb_sdp sdp;
	size_t len;
	char *out;

	ASSERT_EQ(0, xb_sdp_parse(in, strlen(in), &sdp));
	memset(&rw, 0, sizeof(rw));
	rw.media[0].addr = addr4("192.0.2.1");
	rw.media[0].port = 20000;
	rw.media[1].addr = addr4("192.0.2.2");
	rw.media[1].port = 20002;
	rw.media[0].proto = rw.media[1].proto = "RTP/SAVP";
	rw.media[0].add_attr = "crypto:1 A";
	rw.media[1].add_attr = "crypto:2 B";
	ASSERT_EQ(0, xb_sdp_rewrite(&sdp, &rw, &out, &len));
	EXPECT_STREQ(want, out);
	free(out);
	xb_sdp_free(&sdp);
}

TEST_HARNESS_MAIN
