// SPDX-License-Identifier: GPL-2.0
/*
 * Known-answer tests run at module load: the module refuses to load when
 * one fails, so a broken cipher, hash or derivation never touches traffic.
 *
 *  - RFC 3711 appendix B.2: AES-CM keystream (blocks 0-2 and FEFF-FF01)
 *  - RFC 3711 appendix B.3: key derivation (cipher key, auth key, salt)
 *  - whole packets protected by libsrtp 2.5 with the B.3 master key and
 *    salt (SSRC 0xcafebabe, sequence 0x1234): SRTP with 80- and 32-bit
 *    tags, and SRTCP (index 1), each protected and unprotected here
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/internal/cipher.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "xborder.h"

int xb_selftest_passed;

static const u8 b2_key[16] = { 0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
			       0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c };
static const u8 b2_iv0[16] = { 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7,
			       0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0x00, 0x00 };
static const u8 b2_ks0[48] = {
	0xe0, 0x3e, 0xad, 0x09, 0x35, 0xc9, 0x5e, 0x80, 0xe1, 0x66, 0xb1, 0x6d,
	0xd9, 0x2b, 0x4e, 0xb4, 0xd2, 0x35, 0x13, 0x16, 0x2b, 0x02, 0xd0, 0xf7,
	0x2a, 0x43, 0xa2, 0xfe, 0x4a, 0x5f, 0x97, 0xab, 0x41, 0xe9, 0x5b, 0x3b,
	0xb0, 0xa2, 0xe8, 0xdd, 0x47, 0x79, 0x01, 0xe4, 0xfc, 0xa8, 0x94, 0xc0,
};
static const u8 b2_ks_feff[48] = {
	0xec, 0x8c, 0xdf, 0x73, 0x98, 0x60, 0x7c, 0xb0, 0xf2, 0xd2, 0x16, 0x75,
	0xea, 0x9e, 0xa1, 0xe4, 0x36, 0x2b, 0x7c, 0x3c, 0x67, 0x73, 0x51, 0x63,
	0x18, 0xa0, 0x77, 0xd7, 0xfc, 0x50, 0x73, 0xae, 0x6a, 0x2c, 0xc3, 0x78,
	0x78, 0x89, 0x37, 0x4f, 0xbe, 0xb4, 0xc8, 0x1b, 0x17, 0xba, 0x6c, 0x44,
};

static const u8 b3_master_key[16] = { 0xe1, 0xf9, 0x7a, 0x0d, 0x3e, 0x01, 0x8b, 0xe0,
				      0xd6, 0x4f, 0xa3, 0x2c, 0x06, 0xde, 0x41, 0x39 };
static const u8 b3_master_salt[14] = { 0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe,
				       0xeb, 0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6 };
static const u8 b3_enc[16] = { 0xc6, 0x1e, 0x7a, 0x93, 0x74, 0x4f, 0x39, 0xee,
			       0x10, 0x73, 0x4a, 0xfe, 0x3f, 0xf7, 0xa0, 0x87 };
static const u8 b3_auth[20] = { 0xce, 0xbe, 0x32, 0x1f, 0x6f, 0xf7, 0x71, 0x6b, 0x6f, 0xd4,
				0xab, 0x49, 0xaf, 0x25, 0x6a, 0x15, 0x6d, 0x38, 0xba, 0xa4 };
static const u8 b3_salt[14] = { 0x30, 0xcb, 0xbc, 0x08, 0x86, 0x3d, 0x8c,
				0x85, 0xd4, 0x9d, 0xb3, 0x4a, 0x9a, 0xe1 };

/* RTP: V=2, PT 15, seq 0x1234, ts 0xdecafbad, SSRC 0xcafebabe, 16 x 0xab */
static const u8 rtp_plain[28] = { 0x80, 0x0f, 0x12, 0x34, 0xde, 0xca, 0xfb, 0xad, 0xca, 0xfe,
				  0xba, 0xbe, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab,
				  0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab };
static const u8 rtp_srtp80[38] = {
	0x80, 0x0f, 0x12, 0x34, 0xde, 0xca, 0xfb, 0xad, 0xca, 0xfe, 0xba, 0xbe, 0x4e,
	0x55, 0xdc, 0x4c, 0xe7, 0x99, 0x78, 0xd8, 0x8c, 0xa4, 0xd2, 0x15, 0x94, 0x9d,
	0x24, 0x02, 0xb7, 0x8d, 0x6a, 0xcc, 0x99, 0xea, 0x17, 0x9b, 0x8d, 0xbb,
};
/* RTCP SR header (PT 200, length 11) with SSRC 0xcafebabe, 16 x 0xab */
static const u8 rtcp_plain[24] = { 0x81, 0xc8, 0x00, 0x0b, 0xca, 0xfe, 0xba, 0xbe,
				   0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab,
				   0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab };
static const u8 rtcp_srtcp[38] = {
	0x81, 0xc8, 0x00, 0x0b, 0xca, 0xfe, 0xba, 0xbe, 0x71, 0x28, 0x03, 0x5b, 0xe4,
	0x87, 0xb9, 0xbd, 0xbe, 0xf8, 0x90, 0x41, 0xf9, 0x77, 0xa5, 0xa8, 0x80, 0x00,
	0x00, 0x01, 0x99, 0x3e, 0x08, 0xcd, 0x54, 0xd6, 0xc1, 0x23, 0x07, 0x98,
};

static int xb_check(const char *what, const u8 *got, const u8 *want, unsigned int n)
{
	if (!memcmp(got, want, n)) {
		xb_selftest_passed++;
		return 0;
	}
	pr_err("self-test failed: %s: got %*phN, want %*phN\n", what, min(n, 64U), got, min(n, 64U),
	       want);
	return -EBADMSG;
}

static int xb_test_keystream(void)
{
	struct crypto_cipher *aes;
	u8 iv[16], buf[48];
	int err;

	aes = crypto_alloc_cipher("aes", 0, 0);
	if (IS_ERR(aes))
		return PTR_ERR(aes);
	err = crypto_cipher_setkey(aes, b2_key, sizeof(b2_key));
	if (!err) {
		memset(buf, 0, sizeof(buf));
		xb_aes_cm(aes, b2_iv0, buf, sizeof(buf));
		err = xb_check("RFC 3711 B.2 keystream blocks 0-2", buf, b2_ks0, sizeof(buf));
	}
	if (!err) {
		memcpy(iv, b2_iv0, sizeof(iv));
		iv[14] = 0xfe;
		iv[15] = 0xff;
		memset(buf, 0, sizeof(buf));
		xb_aes_cm(aes, iv, buf, sizeof(buf));
		err = xb_check("RFC 3711 B.2 keystream blocks FEFF-FF01", buf, b2_ks_feff,
			       sizeof(buf));
	}
	crypto_free_cipher(aes);
	return err;
}

static int xb_test_derivation(void)
{
	struct crypto_cipher *aes;
	u8 buf[20];
	int err;

	aes = crypto_alloc_cipher("aes", 0, 0);
	if (IS_ERR(aes))
		return PTR_ERR(aes);
	err = crypto_cipher_setkey(aes, b3_master_key, sizeof(b3_master_key));
	if (!err) {
		xb_srtp_derive(aes, b3_master_salt, 0, buf, 16);
		err = xb_check("RFC 3711 B.3 cipher key", buf, b3_enc, 16);
	}
	if (!err) {
		xb_srtp_derive(aes, b3_master_salt, 1, buf, 20);
		err = xb_check("RFC 3711 B.3 auth key", buf, b3_auth, 20);
	}
	if (!err) {
		xb_srtp_derive(aes, b3_master_salt, 2, buf, 14);
		err = xb_check("RFC 3711 B.3 salt", buf, b3_salt, 14);
	}
	crypto_free_cipher(aes);
	return err;
}

/* Transform in with a fresh context and compare with want. */
static int xb_test_packet(const char *what, u16 suite, u8 dir, const u8 *in, unsigned int in_len,
			  const u8 *want, unsigned int want_len)
{
	struct xb_srtp_params prm = {
		.id = 1,
		.suite = suite,
		.dir = dir,
		.ssrc_fixed = true,
		.ssrc = 0xcafebabe,
		.window = XBORDER_SRTP_WINDOW_DEFAULT,
	};
	struct xb_srtp_pkt p = { 0 };
	struct xb_srtp_ctx *c;
	u8 buf[64];
	int ret;

	memcpy(prm.key, b3_master_key, sizeof(prm.key));
	memcpy(prm.salt, b3_master_salt, sizeof(prm.salt));
	c = xb_ctx_create(&prm);
	if (IS_ERR(c))
		return PTR_ERR(c);
	memcpy(buf, in, in_len);
	p.data = buf;
	p.len = in_len;
	p.room = sizeof(buf) - in_len;
	ret = xb_srtp_transform(c, &p);
	xb_ctx_destroy(c);
	if (ret != want_len) {
		pr_err("self-test failed: %s: length %d, want %u\n", what, ret, want_len);
		return -EBADMSG;
	}
	return xb_check(what, buf, want, want_len);
}

int xb_selftest(void)
{
	const u16 s80 = XBORDER_SRTP_AES_CM_128_HMAC_SHA1_80;
	const u16 s32 = XBORDER_SRTP_AES_CM_128_HMAC_SHA1_32;
	const u8 pro = XBORDER_SRTP_PROTECT, unp = XBORDER_SRTP_UNPROTECT;
	int err;

	xb_selftest_passed = 0;
	err = xb_test_keystream();
	if (!err)
		err = xb_test_derivation();
	if (!err)
		err = xb_test_packet("SRTP protect, 80-bit tag", s80, pro, rtp_plain,
				     sizeof(rtp_plain), rtp_srtp80, sizeof(rtp_srtp80));
	if (!err)
		err = xb_test_packet("SRTP unprotect, 80-bit tag", s80, unp, rtp_srtp80,
				     sizeof(rtp_srtp80), rtp_plain, sizeof(rtp_plain));
	/* the 32-bit tag is the first 4 bytes of the same HMAC */
	if (!err)
		err = xb_test_packet("SRTP protect, 32-bit tag", s32, pro, rtp_plain,
				     sizeof(rtp_plain), rtp_srtp80, sizeof(rtp_plain) + 4);
	if (!err)
		err = xb_test_packet("SRTP unprotect, 32-bit tag", s32, unp, rtp_srtp80,
				     sizeof(rtp_plain) + 4, rtp_plain, sizeof(rtp_plain));
	if (!err)
		err = xb_test_packet("SRTCP protect", s80, pro, rtcp_plain, sizeof(rtcp_plain),
				     rtcp_srtcp, sizeof(rtcp_srtcp));
	if (!err)
		err = xb_test_packet("SRTCP unprotect", s80, unp, rtcp_srtcp, sizeof(rtcp_srtcp),
				     rtcp_plain, sizeof(rtcp_plain));
	return err ? err : xb_selftest_passed;
}
