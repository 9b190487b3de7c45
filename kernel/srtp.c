// SPDX-License-Identifier: GPL-2.0
/*
 * SRTP and SRTCP transforms (RFC 3711) for AES_CM_128_HMAC_SHA1_80 and _32,
 * on a linear buffer, in place.
 *
 * Everything the packet path needs is allocated when a context is added:
 * per context an AES block cipher and an hmac(sha1) hash for each of RTP
 * and RTCP, keyed with the session keys. The packet path runs in softirq
 * (XDP) or with migration disabled (BPF_PROG_TEST_RUN), so it uses only
 * synchronous APIs: crypto_cipher_encrypt_one() in our own counter-mode
 * loop (no scatterlists, no skcipher walk that could allocate a bounce
 * page) and crypto_shash with its descriptor in per-CPU scratch, used with
 * bottom halves disabled so nothing else on the CPU can reuse it meanwhile.
 */
#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <crypto/internal/cipher.h>
#include <linux/bottom_half.h>
#include <linux/percpu.h>
#include <linux/string.h>

#include "compat.h"
#include "xborder.h"

#define XB_RTP_HLEN 12
#define XB_RTCP_HLEN 8
/* Key derivation labels, RFC 3711 section 4.3.1 and 4.3.2. */
#define XB_LABEL_RTP_ENC 0x00
#define XB_LABEL_RTP_AUTH 0x01
#define XB_LABEL_RTP_SALT 0x02
#define XB_LABEL_RTCP_ENC 0x03
#define XB_LABEL_RTCP_AUTH 0x04
#define XB_LABEL_RTCP_SALT 0x05

static void __percpu *xb_scratch; /* a struct shash_desc and its state */

int xb_srtp_scratch_init(void)
{
	xb_scratch = __alloc_percpu(sizeof(struct shash_desc) + HASH_MAX_DESCSIZE,
				    __alignof__(struct shash_desc));
	return xb_scratch ? 0 : -ENOMEM;
}

void xb_srtp_scratch_free(void)
{
	free_percpu(xb_scratch);
	xb_scratch = NULL;
}

/* AES in counter mode: data ^= AES(iv), AES(iv + 1), ... (RFC 3711 4.1.1). */
void xb_aes_cm(struct crypto_cipher *aes, const u8 iv[XB_AES_BLOCK], u8 *data, unsigned int len)
{
	u8 ctr[XB_AES_BLOCK], ks[XB_AES_BLOCK];
	unsigned int n;

	memcpy(ctr, iv, sizeof(ctr));
	while (len) {
		crypto_cipher_encrypt_one(aes, ks, ctr);
		n = min_t(unsigned int, len, XB_AES_BLOCK);
		crypto_xor(data, ks, n);
		data += n;
		len -= n;
		/* the low 16 bits are the block counter; a packet has fewer
		 * than 2^16 blocks, so this never carries into the index */
		crypto_inc(ctr, XB_AES_BLOCK);
	}
	memzero_explicit(ks, sizeof(ks));
}

int xb_srtp_derive(struct crypto_cipher *master, const u8 *master_salt, u8 label, u8 *out,
		   unsigned int n)
{
	u8 iv[XB_AES_BLOCK] = { 0 };

	/* x = (label << 48) XOR master_salt, r = 0 with kdr 0; IV = x * 2^16 */
	memcpy(iv, master_salt, XB_SALT_LEN);
	iv[7] ^= label;
	memset(out, 0, n);
	xb_aes_cm(master, iv, out, n);
	return 0;
}

static int xb_keys_one(struct xb_srtp_keys *k, struct crypto_cipher *master, const u8 *msalt,
		       u8 label_enc, u8 label_auth, u8 label_salt)
{
	u8 buf[XB_AUTH_KEY_LEN];
	int err;

	k->aes = crypto_alloc_cipher("aes", 0, 0);
	if (IS_ERR(k->aes)) {
		err = PTR_ERR(k->aes);
		k->aes = NULL;
		return err;
	}
	k->hmac = crypto_alloc_shash("hmac(sha1)", 0, 0);
	if (IS_ERR(k->hmac)) {
		err = PTR_ERR(k->hmac);
		k->hmac = NULL;
		return err;
	}
	/* the per-CPU scratch holds any descriptor (HASH_MAX_DESCSIZE) */
	if (crypto_shash_descsize(k->hmac) > HASH_MAX_DESCSIZE)
		return -EOVERFLOW;
	xb_srtp_derive(master, msalt, label_enc, buf, XBORDER_SRTP_KEY_LEN);
	err = crypto_cipher_setkey(k->aes, buf, XBORDER_SRTP_KEY_LEN);
	if (!err) {
		xb_srtp_derive(master, msalt, label_auth, buf, XB_AUTH_KEY_LEN);
		err = crypto_shash_setkey(k->hmac, buf, XB_AUTH_KEY_LEN);
	}
	if (!err)
		xb_srtp_derive(master, msalt, label_salt, k->salt, XB_SALT_LEN);
	memzero_explicit(buf, sizeof(buf));
	return err;
}

int xb_srtp_keys_init(struct xb_srtp_ctx *c, const u8 *master_key, const u8 *master_salt)
{
	struct crypto_cipher *master;
	int err;

	master = crypto_alloc_cipher("aes", 0, 0);
	if (IS_ERR(master))
		return PTR_ERR(master);
	err = crypto_cipher_setkey(master, master_key, XBORDER_SRTP_KEY_LEN);
	if (!err)
		err = xb_keys_one(&c->rtp, master, master_salt, XB_LABEL_RTP_ENC, XB_LABEL_RTP_AUTH,
				  XB_LABEL_RTP_SALT);
	if (!err)
		err = xb_keys_one(&c->rtcp, master, master_salt, XB_LABEL_RTCP_ENC,
				  XB_LABEL_RTCP_AUTH, XB_LABEL_RTCP_SALT);
	/* freeing the tfm wipes its key schedule */
	crypto_free_cipher(master);
	return err;
}

void xb_srtp_keys_free(struct xb_srtp_ctx *c)
{
	struct xb_srtp_keys *k[] = { &c->rtp, &c->rtcp };
	int i;

	for (i = 0; i < ARRAY_SIZE(k); i++) {
		if (k[i]->aes)
			crypto_free_cipher(k[i]->aes);
		if (k[i]->hmac)
			crypto_free_shash(k[i]->hmac);
		k[i]->aes = NULL;
		k[i]->hmac = NULL;
		memzero_explicit(k[i]->salt, sizeof(k[i]->salt));
	}
}

/* ------------------------------------------------------------ per packet */

/* HMAC-SHA1(key, a || b). Bottom halves are disabled by the caller. */
static int xb_hmac(struct crypto_shash *tfm, const u8 *a, unsigned int alen, const void *b,
		   unsigned int blen, u8 out[XB_SHA1_LEN])
{
	struct shash_desc *desc = this_cpu_ptr(xb_scratch);
	int err;

	desc->tfm = tfm;
	err = crypto_shash_init(desc);
	if (!err)
		err = crypto_shash_update(desc, a, alen);
	if (!err && blen)
		err = crypto_shash_update(desc, b, blen);
	if (!err)
		err = crypto_shash_final(desc, out);
	memzero_explicit(shash_desc_ctx(desc), crypto_shash_descsize(tfm));
	return err;
}

/* IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16), RFC 3711 4.1.1 */
static void xb_iv(u8 iv[XB_AES_BLOCK], const u8 salt[XB_SALT_LEN], u32 ssrc, u64 index)
{
	int i;

	memcpy(iv, salt, XB_SALT_LEN);
	iv[14] = 0;
	iv[15] = 0;
	for (i = 0; i < 4; i++)
		iv[4 + i] ^= ssrc >> (24 - 8 * i);
	for (i = 0; i < 6; i++)
		iv[8 + i] ^= index >> (40 - 8 * i);
}

/* RTP header length with CSRCs and extension, or -1 if truncated. */
static int xb_rtp_hlen(const u8 *d, unsigned int len)
{
	unsigned int hlen = XB_RTP_HLEN + 4 * (d[0] & 0x0f);

	if (len < hlen)
		return -1;
	if (d[0] & 0x10) {
		if (len < hlen + 4)
			return -1;
		hlen += 4 + 4 * get_unaligned_be16(d + hlen + 2);
		if (len < hlen)
			return -1;
	}
	return hlen;
}

/*
 * The packet index of a sequence number, RFC 3711 section 3.3.1 and
 * appendix A: the rollover counter guess v is ROC - 1, ROC or ROC + 1,
 * whichever puts seq closest to the highest sequence number s_l. -1 when
 * v falls outside 0 .. 2^32 - 1 (before the first index, or past the last).
 */
static s64 xb_rtp_index(u32 roc, u16 s_l, u16 seq)
{
	s64 v = roc;

	if (s_l < 32768) {
		if ((int)seq - (int)s_l > 32768)
			v = (s64)roc - 1;
	} else {
		if ((int)s_l - 32768 > (int)seq)
			v = (s64)roc + 1;
	}
	if (v < 0 || v > U32_MAX)
		return -1;
	return (v << 16) | seq;
}

/* Replay window as a ring of words (the newest word fills as top moves). */
static bool xb_replay_seen(const struct xb_replay *r, u64 idx, u16 window)
{
	if (!r->init || idx > r->top)
		return false;
	if (r->top - idx >= window)
		return true;
	return r->bits[(idx >> 6) % XB_REPLAY_WORDS] & (1ULL << (idx & 63));
}

static void xb_replay_mark(struct xb_replay *r, u64 idx)
{
	u64 cur, words, i;

	if (!r->init) {
		memset(r->bits, 0, sizeof(r->bits));
		r->top = idx;
		r->init = true;
	} else if (idx > r->top) {
		cur = r->top >> 6;
		words = min_t(u64, (idx >> 6) - cur, XB_REPLAY_WORDS);
		for (i = 1; i <= words; i++)
			r->bits[(cur + i) % XB_REPLAY_WORDS] = 0;
		r->top = idx;
	}
	r->bits[(idx >> 6) % XB_REPLAY_WORDS] |= 1ULL << (idx & 63);
}

static int xb_fail(struct xb_srtp_ctx *c, enum xb_stat_idx st, int err)
{
	atomic64_inc(&c->stats[st]);
	return err;
}

static void xb_csum_old(struct xb_srtp_pkt *p, unsigned int off, unsigned int len)
{
	if (p->want_csum)
		p->csum_delta = ~csum_partial(p->data + off, len, 0);
}

static void xb_csum_new(struct xb_srtp_pkt *p, unsigned int off, unsigned int len)
{
	if (p->want_csum)
		p->csum_delta = csum_add(p->csum_delta, csum_partial(p->data + off, len, 0));
}

static int xb_rtp_unprotect(struct xb_srtp_ctx *c, struct xb_srtp_pkt *p)
{
	unsigned int len = p->len, tag = c->tag_len, body;
	u8 *d = p->data, mac[XB_SHA1_LEN], iv[XB_AES_BLOCK];
	bool restart = false;
	__be32 roc_be;
	int hlen;
	s64 idx;
	u32 ssrc;
	u16 seq;

	hlen = xb_rtp_hlen(d, len);
	if (hlen < 0 || len < hlen + tag)
		return xb_fail(c, XB_ST_MALFORMED, -EPROTO);
	body = len - tag - hlen;
	seq = get_unaligned_be16(d + 2);
	ssrc = get_unaligned_be32(d + 8);

	spin_lock(&c->lock);
	if (c->have_ssrc && ssrc != c->ssrc) {
		if (c->ssrc_fixed) {
			spin_unlock(&c->lock);
			return xb_fail(c, XB_ST_SSRC_MISMATCH, -EPROTO);
		}
		restart = true; /* a new source starts at ROC 0 */
	}
	if (restart)
		idx = seq;
	else if (!c->have_seq)
		idx = ((u64)c->roc << 16) | seq;
	else
		idx = xb_rtp_index(c->roc, c->s_l, seq);
	if (idx < 0 || (!restart && xb_replay_seen(&c->rtp_replay, idx, c->window))) {
		spin_unlock(&c->lock);
		return xb_fail(c, XB_ST_REPLAY_FAIL, -ESTALE);
	}
	spin_unlock(&c->lock);

	roc_be = cpu_to_be32(idx >> 16);
	if (xb_hmac(c->rtp.hmac, d, len - tag, &roc_be, sizeof(roc_be), mac) ||
	    crypto_memneq(mac, d + len - tag, tag))
		return xb_fail(c, XB_ST_AUTH_FAIL, -EBADMSG);

	/* authenticated: commit, checking the replay window again, as
	 * another CPU may have accepted the same index meanwhile */
	spin_lock(&c->lock);
	if (c->have_ssrc && ssrc != c->ssrc) {
		c->ssrc = ssrc;
		c->have_seq = false;
		c->rtp_replay.init = false;
	} else if (xb_replay_seen(&c->rtp_replay, idx, c->window)) {
		spin_unlock(&c->lock);
		return xb_fail(c, XB_ST_REPLAY_FAIL, -ESTALE);
	}
	if (!c->have_seq || idx > (((u64)c->roc << 16) | c->s_l)) {
		c->roc = idx >> 16;
		c->s_l = seq;
		c->have_seq = true;
	}
	c->ssrc = ssrc;
	c->have_ssrc = true;
	xb_replay_mark(&c->rtp_replay, idx);
	spin_unlock(&c->lock);

	xb_csum_old(p, hlen, len - hlen);
	xb_iv(iv, c->rtp.salt, ssrc, idx);
	xb_aes_cm(c->rtp.aes, iv, d + hlen, body);
	xb_csum_new(p, hlen, body);
	atomic64_inc(&c->stats[XB_ST_PACKETS]);
	atomic64_add(len, &c->stats[XB_ST_BYTES]);
	return len - tag;
}

static int xb_rtp_protect(struct xb_srtp_ctx *c, struct xb_srtp_pkt *p)
{
	unsigned int len = p->len, tag = c->tag_len;
	u8 *d = p->data, mac[XB_SHA1_LEN], iv[XB_AES_BLOCK];
	__be32 roc_be;
	int hlen;
	s64 idx;
	u32 ssrc;
	u16 seq;

	hlen = xb_rtp_hlen(d, len);
	if (hlen < 0)
		return xb_fail(c, XB_ST_MALFORMED, -EPROTO);
	if (p->room < tag)
		return xb_fail(c, XB_ST_ERRORS, -ENOSPC);
	seq = get_unaligned_be16(d + 2);
	ssrc = get_unaligned_be32(d + 8);

	spin_lock(&c->lock);
	if (c->have_ssrc && ssrc != c->ssrc) {
		if (c->ssrc_fixed) {
			spin_unlock(&c->lock);
			return xb_fail(c, XB_ST_SSRC_MISMATCH, -EPROTO);
		}
		c->roc = 0;
		c->have_seq = false;
	}
	idx = c->have_seq ? xb_rtp_index(c->roc, c->s_l, seq) : -1;
	if (idx < 0)
		idx = ((u64)c->roc << 16) | seq;
	if (!c->have_seq || idx > (((u64)c->roc << 16) | c->s_l)) {
		c->roc = idx >> 16;
		c->s_l = seq;
		c->have_seq = true;
	}
	c->ssrc = ssrc;
	c->have_ssrc = true;
	spin_unlock(&c->lock);

	xb_csum_old(p, hlen, len - hlen);
	xb_iv(iv, c->rtp.salt, ssrc, idx);
	xb_aes_cm(c->rtp.aes, iv, d + hlen, len - hlen);
	roc_be = cpu_to_be32(idx >> 16);
	if (xb_hmac(c->rtp.hmac, d, len, &roc_be, sizeof(roc_be), mac)) {
		/* cannot happen with hmac(sha1); undo rather than send garbage */
		xb_aes_cm(c->rtp.aes, iv, d + hlen, len - hlen);
		return xb_fail(c, XB_ST_ERRORS, -EINVAL);
	}
	memcpy(d + len, mac, tag);
	xb_csum_new(p, hlen, len + tag - hlen);
	atomic64_inc(&c->stats[XB_ST_PACKETS]);
	atomic64_add(len, &c->stats[XB_ST_BYTES]);
	return len + tag;
}

static int xb_rtcp_unprotect(struct xb_srtp_ctx *c, struct xb_srtp_pkt *p)
{
	const unsigned int trailer = XB_SRTCP_E_INDEX_LEN + XB_SRTCP_TAG_LEN;
	u8 *d = p->data, mac[XB_SHA1_LEN], iv[XB_AES_BLOCK];
	unsigned int len = p->len, body;
	u32 word, idx;

	if (len < XB_RTCP_HLEN + trailer)
		return xb_fail(c, XB_ST_MALFORMED, -EPROTO);
	body = len - trailer - XB_RTCP_HLEN;
	word = get_unaligned_be32(d + len - trailer);
	idx = word & 0x7fffffff;

	spin_lock(&c->lock);
	if (xb_replay_seen(&c->rtcp_replay, idx, c->window)) {
		spin_unlock(&c->lock);
		return xb_fail(c, XB_ST_REPLAY_FAIL, -ESTALE);
	}
	spin_unlock(&c->lock);

	if (xb_hmac(c->rtcp.hmac, d, len - XB_SRTCP_TAG_LEN, NULL, 0, mac) ||
	    crypto_memneq(mac, d + len - XB_SRTCP_TAG_LEN, XB_SRTCP_TAG_LEN))
		return xb_fail(c, XB_ST_AUTH_FAIL, -EBADMSG);

	spin_lock(&c->lock);
	if (xb_replay_seen(&c->rtcp_replay, idx, c->window)) {
		spin_unlock(&c->lock);
		return xb_fail(c, XB_ST_REPLAY_FAIL, -ESTALE);
	}
	xb_replay_mark(&c->rtcp_replay, idx);
	spin_unlock(&c->lock);

	xb_csum_old(p, XB_RTCP_HLEN, len - XB_RTCP_HLEN);
	if (word & 0x80000000) { /* E flag: the body is encrypted */
		xb_iv(iv, c->rtcp.salt, get_unaligned_be32(d + 4), idx);
		xb_aes_cm(c->rtcp.aes, iv, d + XB_RTCP_HLEN, body);
	}
	xb_csum_new(p, XB_RTCP_HLEN, body);
	atomic64_inc(&c->stats[XB_ST_RTCP_PACKETS]);
	return len - trailer;
}

static int xb_rtcp_protect(struct xb_srtp_ctx *c, struct xb_srtp_pkt *p)
{
	const unsigned int trailer = XB_SRTCP_E_INDEX_LEN + XB_SRTCP_TAG_LEN;
	u8 *d = p->data, mac[XB_SHA1_LEN], iv[XB_AES_BLOCK];
	unsigned int len = p->len;
	u32 idx;

	if (len < XB_RTCP_HLEN)
		return xb_fail(c, XB_ST_MALFORMED, -EPROTO);
	if (p->room < trailer)
		return xb_fail(c, XB_ST_ERRORS, -ENOSPC);
	spin_lock(&c->lock);
	idx = (c->srtcp_index + 1) & 0x7fffffff;
	c->srtcp_index = idx;
	spin_unlock(&c->lock);

	xb_csum_old(p, XB_RTCP_HLEN, len - XB_RTCP_HLEN);
	xb_iv(iv, c->rtcp.salt, get_unaligned_be32(d + 4), idx);
	xb_aes_cm(c->rtcp.aes, iv, d + XB_RTCP_HLEN, len - XB_RTCP_HLEN);
	put_unaligned_be32(0x80000000 | idx, d + len);
	if (xb_hmac(c->rtcp.hmac, d, len + XB_SRTCP_E_INDEX_LEN, NULL, 0, mac)) {
		xb_aes_cm(c->rtcp.aes, iv, d + XB_RTCP_HLEN, len - XB_RTCP_HLEN);
		return xb_fail(c, XB_ST_ERRORS, -EINVAL);
	}
	memcpy(d + len + XB_SRTCP_E_INDEX_LEN, mac, XB_SRTCP_TAG_LEN);
	xb_csum_new(p, XB_RTCP_HLEN, len + trailer - XB_RTCP_HLEN);
	atomic64_inc(&c->stats[XB_ST_RTCP_PACKETS]);
	return len + trailer;
}

int xb_srtp_transform(struct xb_srtp_ctx *c, struct xb_srtp_pkt *p)
{
	bool rtcp;
	int ret;

	/* RTP and RTCP alike start with version 2 and need 8 bytes to tell
	 * them apart (RFC 5761 section 4: RTCP types 192..223) */
	if (p->len < XB_RTCP_HLEN || (p->data[0] & 0xc0) != 0x80)
		return xb_fail(c, XB_ST_MALFORMED, -EPROTO);
	rtcp = (p->data[1] & 0x7f) >= 64 && (p->data[1] & 0x7f) <= 95;

	local_bh_disable(); /* the per-CPU hash descriptor is ours */
	if (c->dir == XBORDER_SRTP_UNPROTECT)
		ret = rtcp ? xb_rtcp_unprotect(c, p) : xb_rtp_unprotect(c, p);
	else
		ret = rtcp ? xb_rtcp_protect(c, p) : xb_rtp_protect(c, p);
	local_bh_enable();
	return ret;
}
