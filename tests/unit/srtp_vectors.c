// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SRTP known answers in userspace: RFC 3711 appendix B.2 (AES-CM
 * keystream) and B.3 (key derivation) through libsrtp2's own cipher and
 * through an independent OpenSSL reference written here; the HMAC-SHA1 tag
 * of a whole packet; and the userspace relay's session code (libsrtp2)
 * against that reference, packet for packet, both suites, RTP and RTCP,
 * across a rollover. Also the parameter syntax, which must never echo a key.
 */
#include <errno.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <srtp2/auth.h>
#include <srtp2/cipher.h>
#include <srtp2/srtp.h>

#include "common/err.h"
#include "srtp/srtp.h"
#include "kselftest_harness.h"

/* libsrtp2's AES-ICM and HMAC-SHA1 types (exported, not in a header) */
extern const srtp_cipher_type_t srtp_aes_icm_128;
extern const srtp_auth_type_t srtp_hmac;

static const uint8_t b2_key[16] = { 0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
				    0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c };
static const uint8_t b2_salt[14] = { 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6,
				     0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd };
/* RFC 3711 B.2: blocks 0, 1, 2 and FEFF, FF00, FF01 */
static const char *const b2_ks[2] = {
	"e03ead0935c95e80e166b16dd92b4eb4d23513162b02d0f72a43a2fe4a5f97ab41e95b3bb0a2e8dd47"
	"7901e4fca894c0",
	"ec8cdf7398607cb0f2d21675ea9ea1e4362b7c3c6773516318a077d7fc5073ae6a2cc3787889374fbe"
	"b4c81b17ba6c44",
};

static const uint8_t b3_key[16] = { 0xe1, 0xf9, 0x7a, 0x0d, 0x3e, 0x01, 0x8b, 0xe0,
				    0xd6, 0x4f, 0xa3, 0x2c, 0x06, 0xde, 0x41, 0x39 };
static const uint8_t b3_salt[14] = { 0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe,
				     0xeb, 0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6 };
/* RFC 3711 B.3: cipher key, the first 160 bits of the auth key, salt */
static const char *const b3_enc = "c61e7a93744f39ee10734afe3ff7a087";
static const char *const b3_auth = "cebe321f6ff7716b6fd4ab49af256a156d38baa4";
static const char *const b3_salt_out = "30cbbc08863d8c85d49db34a9ae1";

/* An RTP packet with the B.3 keys (SSRC 0xcafebabe, seq 0x1234) as libsrtp
 * 2.5 protects it; the module's load-time self-test checks the same bytes. */
static const char *const vec_plain = "800f1234decafbadcafebabeabababababababababababababababab";
static const char *const vec_srtp80 =
	"800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402b78d6acc99ea179b8dbb";

static size_t unhex(const char *s, uint8_t *out)
{
	size_t n = strlen(s) / 2, i;
	unsigned int b;

	for (i = 0; i < n; i++) {
		sscanf(s + 2 * i, "%2x", &b);
		out[i] = (uint8_t)b;
	}
	return n;
}

/* ------------------------------------------------- the OpenSSL reference */

/* data ^= AES-CTR(key, iv): SRTP's AES-CM (the counter is the whole block). */
static int ref_aes_cm(const uint8_t key[16], const uint8_t iv[16], uint8_t *data, int len)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n = 0, ok;

	ok = c && EVP_EncryptInit_ex(c, EVP_aes_128_ctr(), NULL, key, iv) &&
	     EVP_EncryptUpdate(c, data, &n, data, len) && n == len;
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

static void ref_derive(const uint8_t mkey[16], const uint8_t msalt[14], uint8_t label, uint8_t *out,
		       int n)
{
	uint8_t iv[16] = { 0 };

	memcpy(iv, msalt, 14);
	iv[7] ^= label;
	memset(out, 0, (size_t)n);
	ref_aes_cm(mkey, iv, out, n);
}

struct ref_keys {
	uint8_t enc[16], auth[20], salt[14];
};

static void ref_session(const uint8_t mkey[16], const uint8_t msalt[14], bool rtcp,
			struct ref_keys *k)
{
	ref_derive(mkey, msalt, rtcp ? 3 : 0, k->enc, 16);
	ref_derive(mkey, msalt, rtcp ? 4 : 1, k->auth, 20);
	ref_derive(mkey, msalt, rtcp ? 5 : 2, k->salt, 14);
}

static void ref_iv(uint8_t iv[16], const uint8_t salt[14], uint32_t ssrc, uint64_t index)
{
	int i;

	memcpy(iv, salt, 14);
	iv[14] = iv[15] = 0;
	for (i = 0; i < 4; i++)
		iv[4 + i] ^= (uint8_t)(ssrc >> (24 - 8 * i));
	for (i = 0; i < 6; i++)
		iv[8 + i] ^= (uint8_t)(index >> (40 - 8 * i));
}

/* SRTP protect (RFC 3711 3.3), plain 12-byte header, ROC given. */
static size_t ref_protect_rtp(const struct ref_keys *k, uint32_t roc, size_t tag, uint8_t *p,
			      size_t len)
{
	uint32_t ssrc = (uint32_t)p[8] << 24 | p[9] << 16 | p[10] << 8 | p[11];
	uint64_t index = (uint64_t)roc << 16 | (uint16_t)(p[2] << 8 | p[3]);
	uint8_t iv[16], mac[20];
	unsigned int maclen = 0;

	ref_iv(iv, k->salt, ssrc, index);
	ref_aes_cm(k->enc, iv, p + 12, (int)(len - 12));
	/* the ROC goes after the packet, where the tag is written next */
	p[len] = (uint8_t)(roc >> 24);
	p[len + 1] = (uint8_t)(roc >> 16);
	p[len + 2] = (uint8_t)(roc >> 8);
	p[len + 3] = (uint8_t)roc;
	HMAC(EVP_sha1(), k->auth, 20, p, len + 4, mac, &maclen);
	memcpy(p + len, mac, tag);
	return len + tag;
}

/* SRTCP protect (RFC 3711 3.4) with index idx. */
static size_t ref_protect_rtcp(const struct ref_keys *k, uint32_t idx, uint8_t *p, size_t len)
{
	uint32_t ssrc = (uint32_t)p[4] << 24 | p[5] << 16 | p[6] << 8 | p[7];
	uint8_t iv[16];
	unsigned int maclen = 0;

	ref_iv(iv, k->salt, ssrc, idx);
	ref_aes_cm(k->enc, iv, p + 8, (int)(len - 8));
	p[len] = 0x80 | (uint8_t)(idx >> 24);
	p[len + 1] = (uint8_t)(idx >> 16);
	p[len + 2] = (uint8_t)(idx >> 8);
	p[len + 3] = (uint8_t)idx;
	HMAC(EVP_sha1(), k->auth, 20, p, len + 4, p + len + 4, &maclen);
	return len + 14; /* HMAC wrote 20 bytes; the tag is the first 10 */
}

/* ------------------------------------------------------ libsrtp2's cipher */

/* keystream (len bytes) of libsrtp's AES-ICM with key||salt and a nonce. */
static int libsrtp_keystream(const uint8_t key[16], const uint8_t salt[14], const uint8_t nonce[16],
			     uint8_t *out, uint32_t len)
{
	uint8_t ks[30], iv[16];
	srtp_cipher_t *c = NULL;
	int err = -1;

	memcpy(ks, key, 16);
	memcpy(ks + 16, salt, 14);
	memcpy(iv, nonce, 16);
	memset(out, 0, len);
	srtp_init(); /* once per process; a second call only says so */
	if (srtp_cipher_type_alloc(&srtp_aes_icm_128, &c, 30, 0) == srtp_err_status_ok &&
	    srtp_cipher_init(c, ks) == srtp_err_status_ok &&
	    srtp_cipher_set_iv(c, iv, srtp_direction_encrypt) == srtp_err_status_ok &&
	    srtp_cipher_encrypt(c, out, &len) == srtp_err_status_ok)
		err = 0;
	if (c)
		srtp_cipher_dealloc(c);
	return err;
}

/* ------------------------------------------------------------------ tests */

TEST(rfc3711_b2_keystream) {
	uint8_t want[48], got[48], nonce[16] = { 0 }, iv[16];
	int i;

	for (i = 0; i < 2; i++) {
		unhex(b2_ks[i], want);
		nonce[14] = i ? 0xfe : 0;
		nonce[15] = i ? 0xff : 0;
		ASSERT_EQ(0, libsrtp_keystream(b2_key, b2_salt, nonce, got, sizeof(got)));
		EXPECT_EQ(0, memcmp(got, want, sizeof(want)));
		memcpy(iv, b2_salt, 14);
		iv[14] = nonce[14];
		iv[15] = nonce[15];
		memset(got, 0, sizeof(got));
		ASSERT_EQ(0, ref_aes_cm(b2_key, iv, got, sizeof(got)));
		EXPECT_EQ(0, memcmp(got, want, sizeof(want)));
	}
}

TEST(rfc3711_b3_key_derivation) {
	uint8_t nonce[16] = { 0 }, got[20], want[20];
	struct ref_keys k;
	static const struct {
		uint8_t label;
		const char *const *hex;
	} v[] = { { 0, &b3_enc }, { 1, &b3_auth }, { 2, &b3_salt_out } };
	size_t i, n;

	for (i = 0; i < 3; i++) {
		n = unhex(*v[i].hex, want);
		/* libsrtp's own AES-ICM, the label in the nonce: its derivation */
		memset(nonce, 0, sizeof(nonce));
		nonce[7] = v[i].label;
		ASSERT_EQ(0, libsrtp_keystream(b3_key, b3_salt, nonce, got, (uint32_t)n));
		EXPECT_EQ(0, memcmp(got, want, n));
		ref_derive(b3_key, b3_salt, v[i].label, got, (int)n);
		EXPECT_EQ(0, memcmp(got, want, n));
	}
	ref_session(b3_key, b3_salt, false, &k);
	unhex(b3_auth, want);
	EXPECT_EQ(0, memcmp(k.auth, want, 20));
}

static struct xb_srtp_params b3_params(uint16_t suite, uint8_t dir)
{
	struct xb_srtp_params p = { .id = 7, .suite = suite, .dir = dir };

	memcpy(p.key, b3_key, 16);
	memcpy(p.salt, b3_salt, 14);
	return p;
}

/* The tag is HMAC-SHA1(k_a, packet || ROC), as OpenSSL and libsrtp's HMAC
 * compute it, and the session (the relay's path) sends exactly that. */
TEST(srtp_packet_hmac_sha1_tag) {
	struct xb_srtp_params p =
		b3_params(XBORDER_SRTP_AES_CM_128_HMAC_SHA1_80, XBORDER_SRTP_PROTECT);
	uint8_t pkt[256], want[64], mac[20], auth[20], msg[64];
	struct xb_srtp_session *s;
	srtp_auth_t *a = NULL;
	unsigned int maclen = 0;
	size_t plen, wlen;
	int n;

	plen = unhex(vec_plain, pkt);
	wlen = unhex(vec_srtp80, want);
	ASSERT_EQ(0, xb_srtp_session_new(&p, &s));
	n = xb_srtp_session_apply(s, pkt, plen, sizeof(pkt));
	ASSERT_EQ(wlen, n);
	EXPECT_EQ(0, memcmp(pkt, want, wlen));
	xb_srtp_session_free(s);

	/* tag over the authenticated portion and ROC 0 */
	unhex(b3_auth, auth);
	memcpy(msg, want, plen);
	memset(msg + plen, 0, 4);
	HMAC(EVP_sha1(), auth, 20, msg, plen + 4, mac, &maclen);
	EXPECT_EQ(0, memcmp(mac, want + plen, 10));
	ASSERT_EQ(srtp_err_status_ok, srtp_auth_type_alloc(&srtp_hmac, &a, 20, 10));
	ASSERT_EQ(srtp_err_status_ok, srtp_auth_init(a, auth));
	memset(mac, 0, sizeof(mac));
	ASSERT_EQ(srtp_err_status_ok, srtp_auth_compute(a, msg, (int)plen + 4, mac));
	EXPECT_EQ(0, memcmp(mac, want + plen, 10));
	srtp_auth_dealloc(a);
}

/* The relay's sessions (libsrtp2) and the reference agree packet for packet:
 * both suites, a sequence wrap (ROC 0 -> 1), RTCP. */
TEST(session_matches_reference) {
	static const uint16_t suites[] = { XBORDER_SRTP_AES_CM_128_HMAC_SHA1_80,
					   XBORDER_SRTP_AES_CM_128_HMAC_SHA1_32 };
	uint8_t a[512], b[512];
	struct ref_keys krtp, krtcp;
	size_t i, j, len;
	int n;

	ref_session(b3_key, b3_salt, false, &krtp);
	ref_session(b3_key, b3_salt, true, &krtcp);
	for (i = 0; i < 2; i++) {
		struct xb_srtp_params p = b3_params(suites[i], XBORDER_SRTP_PROTECT);
		size_t tag = i ? 4 : 10;
		struct xb_srtp_session *s;
		uint16_t seq = 65530;
		uint32_t roc = 0;

		ASSERT_EQ(0, xb_srtp_session_new(&p, &s));
		for (j = 0; j < 12; j++, seq++) {
			len = 12 + 37 * j % 200; /* odd and even lengths */
			memset(a, (int)j, len);
			a[0] = 0x80;
			a[1] = 8;
			a[2] = (uint8_t)(seq >> 8);
			a[3] = (uint8_t)seq;
			memcpy(a + 8, "\x12\x34\x56\x78", 4);
			memcpy(b, a, len);
			n = xb_srtp_session_apply(s, a, len, sizeof(a));
			if (seq == 0)
				roc++;
			ASSERT_EQ(ref_protect_rtp(&krtp, roc, tag, b, len), n);
			ASSERT_EQ(0, memcmp(a, b, (size_t)n));
		}
		/* RTCP: libsrtp's first SRTCP index is 1 */
		for (j = 1; j <= 3; j++) {
			len = 8 + 4 * j;
			memset(a, 0x33, len);
			a[0] = 0x81;
			a[1] = 200;
			memcpy(a + 4, "\x12\x34\x56\x78", 4);
			memcpy(b, a, len);
			n = xb_srtp_session_apply(s, a, len, sizeof(a));
			ASSERT_EQ(ref_protect_rtcp(&krtcp, (uint32_t)j, b, len), n);
			ASSERT_EQ(0, memcmp(a, b, (size_t)n));
		}
		EXPECT_EQ(12, xb_srtp_session_stats(s)[XBORDER_STATS_PACKETS]);
		EXPECT_EQ(3, xb_srtp_session_stats(s)[XBORDER_STATS_RTCP_PACKETS]);
		xb_srtp_session_free(s);
	}
}

TEST(session_unprotect_refuses_forgery_and_replay) {
	struct xb_srtp_params pp =
		b3_params(XBORDER_SRTP_AES_CM_128_HMAC_SHA1_80, XBORDER_SRTP_PROTECT);
	struct xb_srtp_params pu =
		b3_params(XBORDER_SRTP_AES_CM_128_HMAC_SHA1_80, XBORDER_SRTP_UNPROTECT);
	uint8_t plain[64], pkt[256], copy[256];
	struct xb_srtp_session *tx, *rx;
	size_t plen;
	int n;

	ASSERT_EQ(0, xb_srtp_session_new(&pp, &tx));
	ASSERT_EQ(0, xb_srtp_session_new(&pu, &rx));
	plen = unhex(vec_plain, plain);
	memcpy(pkt, plain, plen);
	n = xb_srtp_session_apply(tx, pkt, plen, sizeof(pkt));
	ASSERT_EQ(plen + 10, n);
	memcpy(copy, pkt, (size_t)n);
	copy[20] ^= 0x80;
	EXPECT_EQ(-EBADMSG, xb_srtp_session_apply(rx, copy, (size_t)n, sizeof(copy)));
	memcpy(copy, pkt, (size_t)n);
	EXPECT_EQ(plen, xb_srtp_session_apply(rx, copy, (size_t)n, sizeof(copy)));
	EXPECT_EQ(0, memcmp(copy, plain, plen));
	memcpy(copy, pkt, (size_t)n);
	EXPECT_EQ(-ESTALE, xb_srtp_session_apply(rx, copy, (size_t)n, sizeof(copy)));
	EXPECT_EQ(-EPROTO, xb_srtp_session_apply(rx, copy, 4, sizeof(copy)));
	EXPECT_EQ(1, xb_srtp_session_stats(rx)[XBORDER_STATS_AUTH_FAIL]);
	EXPECT_EQ(1, xb_srtp_session_stats(rx)[XBORDER_STATS_REPLAY_FAIL]);
	EXPECT_EQ(1, xb_srtp_session_stats(rx)[XBORDER_STATS_MALFORMED]);
	EXPECT_EQ(1, xb_srtp_session_stats(rx)[XBORDER_STATS_PACKETS]);
	xb_srtp_session_free(tx);
	xb_srtp_session_free(rx);
}

/* ------------------------------------------------------------- parameters */

#define B64 "4fl6DT4Bi+DWT6MsBt5BOQ7Gda1Jiv7rtpYLOqvm" /* b3 key || salt */

TEST(params_parse_inline_hex_and_errors) {
	char *ok[] = { "9",	      "suite",	   "AES_CM_128_HMAC_SHA1_32",
		       "dir",	      "unprotect", "key",
		       "inline:" B64, "ssrc",	   "0xcafebabe",
		       "roc",	      "3",	   "window",
		       "256" };
	char *hex[] = { "10",
			"suite",
			"aes_cm_128_hmac_sha1_80",
			"dir",
			"protect",
			"key",
			"e1f97a0d3e018be0d64fa32c06de41390ec675ad498afeebb6960b3aabe6" };
	char *nokey[] = { "9", "suite", "AES_CM_128_HMAC_SHA1_80", "dir", "protect", B64 };
	char *shortkey[] = { "9",
			     "suite",
			     "AES_CM_128_HMAC_SHA1_80",
			     "dir",
			     "protect",
			     "key",
			     "4fl6DT4Bi+DWT6MsBt5BOQ7Gda1Jiv7rtpYLOqv" };
	char *gcm[] = { "9", "suite", "AEAD_AES_128_GCM", "dir", "protect", "key", B64 };
	char *window[] = { "9",	  "suite",   "AES_CM_128_HMAC_SHA1_80",
			   "dir", "protect", "key",
			   B64,	  "window",  "2000" };
	struct xb_srtp_params p;

	ASSERT_EQ(0, xb_srtp_params_parse(13, ok, &p));
	EXPECT_EQ(9, p.id);
	EXPECT_EQ(XBORDER_SRTP_AES_CM_128_HMAC_SHA1_32, p.suite);
	EXPECT_EQ(XBORDER_SRTP_UNPROTECT, p.dir);
	EXPECT_EQ(0, memcmp(p.key, b3_key, 16));
	EXPECT_EQ(0, memcmp(p.salt, b3_salt, 14));
	EXPECT_TRUE(p.have_ssrc);
	EXPECT_EQ(0xcafebabe, p.ssrc);
	EXPECT_EQ(3, p.roc);
	EXPECT_EQ(256, p.window);
	ASSERT_EQ(0, xb_srtp_params_parse(7, hex, &p));
	EXPECT_EQ(0, memcmp(p.key, b3_key, 16));
	EXPECT_EQ(XBORDER_SRTP_PROTECT, p.dir);

	/* errors name the problem, never the key material */
	EXPECT_EQ(-EINVAL, xb_srtp_params_parse(6, nokey, &p));
	EXPECT_EQ(NULL, strstr(xb_errmsg(), "4fl6"));
	EXPECT_EQ(-EINVAL, xb_srtp_params_parse(7, shortkey, &p));
	EXPECT_EQ(NULL, strstr(xb_errmsg(), "4fl6"));
	EXPECT_NE(NULL, strstr(xb_errmsg(), "40 base64"));
	EXPECT_EQ(-EOPNOTSUPP, xb_srtp_params_parse(7, gcm, &p));
	EXPECT_EQ(-ERANGE, xb_srtp_params_parse(9, window, &p));
	/* a failed parse leaves nothing behind */
	EXPECT_EQ(0, p.id);
	EXPECT_EQ(0, p.key[0]);
}

TEST_HARNESS_MAIN
