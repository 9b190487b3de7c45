// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libsrtp2 sessions: the userspace relay's SRTP, with the module's
 * semantics (one context, one direction; RTCP told apart by its packet
 * type; the same outcomes counted). What libsrtp cannot take from a
 * context: the highest sequence number and the SRTCP index (it learns both
 * from traffic); the ROC it takes when the SSRC is given.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <srtp2/srtp.h>

#include "common/err.h"
#include "srtp/srtp.h"

struct xb_srtp_session {
	uint32_t id;
	uint8_t dir;
	srtp_t srtp;
	uint64_t stats[XBORDER_STATS_MAX + 1];
	uint8_t digest[32]; /* SHA-256 of the parameters it was made from */
};

/* The parameters' digest (callers zero the struct before filling it, so
 * its padding is zero too). */
static void params_digest(const struct xb_srtp_params *p, uint8_t out[32])
{
	unsigned int n = 32;

	if (!EVP_Digest(p, sizeof(*p), out, &n, EVP_sha256(), NULL))
		memset(out, 0, 32);
}

bool xb_srtp_session_same(const struct xb_srtp_session *s, const struct xb_srtp_params *p)
{
	uint8_t d[32];

	params_digest(p, d);
	return !memcmp(d, s->digest, sizeof(d));
}

static int srtp_ready(void)
{
	static int status = -1;
	srtp_err_status_t st;

	/* bad_param: someone else in the process initialized it already */
	if (status < 0) {
		st = srtp_init();
		status = st == srtp_err_status_ok || st == srtp_err_status_bad_param ? 0 : 1;
	}
	return status ? xb_err(EIO, "libsrtp2 failed to initialize (its self-tests)") : 0;
}

int xb_srtp_session_new(const struct xb_srtp_params *p, struct xb_srtp_session **sp)
{
	uint8_t key[XBORDER_SRTP_KEY_LEN + XBORDER_SRTP_SALT_LEN];
	struct xb_srtp_session *s;
	srtp_policy_t pol;
	srtp_err_status_t st;
	int err;

	err = xb_srtp_params_validate(p);
	if (!err)
		err = srtp_ready();
	if (err)
		return err;
	s = calloc(1, sizeof(*s));
	if (!s)
		return xb_err(ENOMEM, "out of memory");
	s->id = p->id;
	s->dir = p->dir;
	params_digest(p, s->digest);

	memset(&pol, 0, sizeof(pol));
	if (p->suite == XBORDER_SRTP_AES_CM_128_HMAC_SHA1_32)
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&pol.rtp);
	else
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
	/* SRTCP keeps the 80-bit tag in both suites (RFC 4568 6.2) */
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
	if (p->have_ssrc) {
		pol.ssrc.type = ssrc_specific;
		pol.ssrc.value = p->ssrc;
	} else {
		pol.ssrc.type = p->dir == XBORDER_SRTP_PROTECT ? ssrc_any_outbound
							       : ssrc_any_inbound;
	}
	memcpy(key, p->key, XBORDER_SRTP_KEY_LEN);
	memcpy(key + XBORDER_SRTP_KEY_LEN, p->salt, XBORDER_SRTP_SALT_LEN);
	pol.key = key;
	pol.window_size = p->window ? p->window : XBORDER_SRTP_WINDOW_DEFAULT;
	/* as the module: a repeated sequence number is the sender's business */
	pol.allow_repeat_tx = 1;
	st = srtp_create(&s->srtp, &pol);
	explicit_bzero(key, sizeof(key));
	if (st != srtp_err_status_ok) {
		free(s);
		return xb_err(EINVAL, "libsrtp2 refused context %u (status %d)", p->id, (int)st);
	}
	if (p->have_ssrc && p->roc &&
	    srtp_set_stream_roc(s->srtp, p->ssrc, p->roc) != srtp_err_status_ok) {
		xb_srtp_session_free(s);
		return xb_err(EINVAL, "libsrtp2 refused the ROC of context %u", p->id);
	}
	*sp = s;
	return 0;
}

void xb_srtp_session_free(struct xb_srtp_session *s)
{
	if (!s)
		return;
	srtp_dealloc(s->srtp); /* libsrtp wipes its keys */
	free(s);
}

uint32_t xb_srtp_session_id(const struct xb_srtp_session *s)
{
	return s->id;
}

uint8_t xb_srtp_session_dir(const struct xb_srtp_session *s)
{
	return s->dir;
}

const uint64_t *xb_srtp_session_stats(const struct xb_srtp_session *s)
{
	return s->stats;
}

static int fail(struct xb_srtp_session *s, unsigned int stat, int err)
{
	s->stats[stat]++;
	return err;
}

int xb_srtp_session_apply(struct xb_srtp_session *s, uint8_t *buf, size_t len, size_t cap)
{
	srtp_err_status_t st;
	bool rtcp;
	int n;

	if (len < 8 || (buf[0] & 0xc0) != 0x80 || len > (size_t)INT32_MAX)
		return fail(s, XBORDER_STATS_MALFORMED, -EPROTO);
	rtcp = (buf[1] & 0x7f) >= 64 && (buf[1] & 0x7f) <= 95;
	if (!rtcp && len < 12)
		return fail(s, XBORDER_STATS_MALFORMED, -EPROTO);
	n = (int)len;
	if (s->dir == XBORDER_SRTP_PROTECT) {
		/* libsrtp may write its largest trailer, and SRTCP's index */
		if (cap < len + SRTP_MAX_TRAILER_LEN + 4)
			return fail(s, XBORDER_STATS_ERRORS, -ENOSPC);
		st = rtcp ? srtp_protect_rtcp(s->srtp, buf, &n) : srtp_protect(s->srtp, buf, &n);
	} else {
		st = rtcp ? srtp_unprotect_rtcp(s->srtp, buf, &n)
			  : srtp_unprotect(s->srtp, buf, &n);
	}
	switch (st) {
	case srtp_err_status_ok:
		break;
	case srtp_err_status_auth_fail:
		return fail(s, XBORDER_STATS_AUTH_FAIL, -EBADMSG);
	case srtp_err_status_replay_fail:
	case srtp_err_status_replay_old:
	case srtp_err_status_pkt_idx_old:
		return fail(s, XBORDER_STATS_REPLAY_FAIL, -ESTALE);
	case srtp_err_status_no_ctx:
		return fail(s, XBORDER_STATS_SSRC_MISMATCH, -EPROTO);
	case srtp_err_status_bad_param:
	case srtp_err_status_parse_err:
		return fail(s, XBORDER_STATS_MALFORMED, -EPROTO);
	default:
		return fail(s, XBORDER_STATS_ERRORS, -EIO);
	}
	if (rtcp) {
		s->stats[XBORDER_STATS_RTCP_PACKETS]++;
	} else {
		s->stats[XBORDER_STATS_PACKETS]++;
		s->stats[XBORDER_STATS_BYTES] += len;
	}
	return n;
}
