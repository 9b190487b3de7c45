// SPDX-License-Identifier: GPL-2.0-or-later
/* SRTP context parameters: names, key material, the keyword syntax. */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include <openssl/evp.h>

#include "common/addr.h"
#include "common/err.h"
#include "srtp/srtp.h"

#define KEY_SALT_LEN (XBORDER_SRTP_KEY_LEN + XBORDER_SRTP_SALT_LEN) /* 30 */

static const char *const suite_names[] = {
	[XBORDER_SRTP_AES_CM_128_HMAC_SHA1_80] = "AES_CM_128_HMAC_SHA1_80",
	[XBORDER_SRTP_AES_CM_128_HMAC_SHA1_32] = "AES_CM_128_HMAC_SHA1_32",
	[XBORDER_SRTP_AEAD_AES_128_GCM] = "AEAD_AES_128_GCM",
};

static const char *const stat_names[] = {
	[XBORDER_STATS_PACKETS] = "packets",
	[XBORDER_STATS_BYTES] = "bytes",
	[XBORDER_STATS_RTCP_PACKETS] = "rtcp_packets",
	[XBORDER_STATS_AUTH_FAIL] = "auth_fail",
	[XBORDER_STATS_REPLAY_FAIL] = "replay_fail",
	[XBORDER_STATS_MALFORMED] = "malformed",
	[XBORDER_STATS_SSRC_MISMATCH] = "ssrc_mismatch",
	[XBORDER_STATS_ERRORS] = "errors",
};

const char *xb_srtp_suite_name(unsigned int suite)
{
	if (suite < sizeof(suite_names) / sizeof(suite_names[0]) && suite_names[suite])
		return suite_names[suite];
	return "?";
}

int xb_srtp_suite_parse(const char *s, uint16_t *suite)
{
	unsigned int i;

	for (i = 1; i < sizeof(suite_names) / sizeof(suite_names[0]); i++) {
		if (!strcasecmp(s, suite_names[i])) {
			*suite = (uint16_t)i;
			return 0;
		}
	}
	return xb_err(EINVAL,
		      "unknown crypto suite '%.40s' (AES_CM_128_HMAC_SHA1_80, "
		      "AES_CM_128_HMAC_SHA1_32)",
		      s);
}

const char *xb_srtp_dir_name(unsigned int dir)
{
	return dir == XBORDER_SRTP_PROTECT     ? "protect"
	       : dir == XBORDER_SRTP_UNPROTECT ? "unprotect"
					       : "?";
}

int xb_srtp_dir_parse(const char *s, uint8_t *dir)
{
	if (!strcmp(s, "protect"))
		*dir = XBORDER_SRTP_PROTECT;
	else if (!strcmp(s, "unprotect"))
		*dir = XBORDER_SRTP_UNPROTECT;
	else
		return xb_err(EINVAL, "direction must be protect or unprotect, not '%.32s'", s);
	return 0;
}

const char *xb_srtp_stat_name(unsigned int stat)
{
	if (stat < sizeof(stat_names) / sizeof(stat_names[0]) && stat_names[stat])
		return stat_names[stat];
	return "?";
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int xb_srtp_key_parse(const char *s, uint8_t key[XBORDER_SRTP_KEY_LEN],
		      uint8_t salt[XBORDER_SRTP_SALT_LEN])
{
	uint8_t buf[KEY_SALT_LEN + 3]; /* EVP_DecodeBlock writes whole groups */
	size_t n, i;
	int r;

	if (!strncmp(s, "inline:", 7))
		s += 7;
	n = strlen(s);
	if (n == 2 * KEY_SALT_LEN) {
		for (i = 0; i < KEY_SALT_LEN; i++) {
			int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

			if (hi < 0 || lo < 0)
				goto bad;
			buf[i] = (uint8_t)(hi << 4 | lo);
		}
	} else if (n == 40) {
		/* 30 bytes are exactly 40 base64 characters, no padding */
		r = EVP_DecodeBlock(buf, (const unsigned char *)s, 40);
		if (r != KEY_SALT_LEN || strchr(s, '='))
			goto bad;
	} else {
		goto bad;
	}
	memcpy(key, buf, XBORDER_SRTP_KEY_LEN);
	memcpy(salt, buf + XBORDER_SRTP_KEY_LEN, XBORDER_SRTP_SALT_LEN);
	explicit_bzero(buf, sizeof(buf));
	return 0;
bad:
	explicit_bzero(buf, sizeof(buf));
	return xb_err(EINVAL, "key must be 30 bytes of key and salt: 40 base64 characters "
			      "(SDES inline, optionally 'inline:') or 60 hex digits");
}

/* Decimal, or hex with 0x. */
static int parse_num(const char *what, const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = s;
	int d;

	/* a long word is no number, and may be a misplaced key: no echo */
	if (strlen(s) > 20)
		return xb_err(EINVAL, "%s: not a number", what);
	if ((s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) && s[2]) {
		if (strlen(s) > 18)
			goto bad;
		for (p = s + 2; *p; p++) {
			d = hexval(*p);
			if (d < 0)
				goto bad;
			v = v << 4 | (uint64_t)d;
		}
	} else if (xb_parse_u64(s, UINT64_MAX, &v)) {
		goto bad;
	}
	if (v > max)
		return xb_err(ERANGE, "%s: %.24s is out of range (at most %llu)", what, s,
			      (unsigned long long)max);
	*out = v;
	return 0;
bad:
	return xb_err(EINVAL, "%s: invalid number '%.24s'", what, s);
}

int xb_srtp_params_validate(const struct xb_srtp_params *p)
{
	if (!p->id)
		return xb_err(EINVAL, "context id must be 1 to %u", UINT32_MAX);
	if (p->suite != XBORDER_SRTP_AES_CM_128_HMAC_SHA1_80 &&
	    p->suite != XBORDER_SRTP_AES_CM_128_HMAC_SHA1_32)
		return xb_err(EOPNOTSUPP, "crypto suite %s is not supported",
			      xb_srtp_suite_name(p->suite));
	if (p->dir != XBORDER_SRTP_PROTECT && p->dir != XBORDER_SRTP_UNPROTECT)
		return xb_err(EINVAL, "direction must be protect or unprotect");
	if (p->window &&
	    (p->window < XBORDER_SRTP_WINDOW_MIN || p->window > XBORDER_SRTP_WINDOW_MAX))
		return xb_err(ERANGE, "replay window must be %d to %d packets",
			      XBORDER_SRTP_WINDOW_MIN, XBORDER_SRTP_WINDOW_MAX);
	if (p->have_srtcp_index && p->srtcp_index > 0x7fffffff)
		return xb_err(ERANGE, "SRTCP index must be below 2^31");
	return 0;
}

static bool is_keyword(const char *k)
{
	static const char *const kw[] = { "suite", "dir", "key",    "ssrc",
					  "roc",   "seq", "window", "srtcp-index" };
	size_t i;

	for (i = 0; i < sizeof(kw) / sizeof(kw[0]); i++)
		if (!strcmp(k, kw[i]))
			return true;
	return false;
}

int xb_srtp_params_parse(int argc, char *const *argv, struct xb_srtp_params *p)
{
	bool have_suite = false, have_dir = false, have_key = false;
	uint64_t v;
	int i, err = 0;

	memset(p, 0, sizeof(*p));
	if (argc < 1)
		return xb_err(EINVAL, "a context needs an id");
	err = parse_num("id", argv[0], UINT32_MAX, &v);
	if (err)
		goto out;
	p->id = (uint32_t)v;
	for (i = 1; i < argc && !err; i += 2) {
		const char *k = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		/* never echo a word that is not a keyword: it may be a key */
		if (!is_keyword(k)) {
			err = xb_err(
				EINVAL,
				"unexpected word %d in the context (keywords: suite dir key ssrc "
				"roc seq window srtcp-index)",
				i + 1);
		} else if (!val) {
			err = xb_err(EINVAL, "'%s' needs a value", k);
		} else if (!strcmp(k, "suite")) {
			err = have_suite ? xb_err(EINVAL, "'suite' given twice")
					 : xb_srtp_suite_parse(val, &p->suite);
			have_suite = true;
		} else if (!strcmp(k, "dir")) {
			err = have_dir ? xb_err(EINVAL, "'dir' given twice")
				       : xb_srtp_dir_parse(val, &p->dir);
			have_dir = true;
		} else if (!strcmp(k, "key")) {
			err = have_key ? xb_err(EINVAL, "'key' given twice")
				       : xb_srtp_key_parse(val, p->key, p->salt);
			have_key = true;
		} else if (!strcmp(k, "ssrc")) {
			err = parse_num("ssrc", val, UINT32_MAX, &v);
			p->ssrc = (uint32_t)v;
			p->have_ssrc = true;
		} else if (!strcmp(k, "roc")) {
			err = parse_num("roc", val, UINT32_MAX, &v);
			p->roc = (uint32_t)v;
		} else if (!strcmp(k, "seq")) {
			err = parse_num("seq", val, UINT16_MAX, &v);
			p->seq = (uint16_t)v;
			p->have_seq = true;
		} else if (!strcmp(k, "window")) {
			err = parse_num("window", val, XBORDER_SRTP_WINDOW_MAX, &v);
			p->window = (uint16_t)v;
		} else {
			err = parse_num("srtcp-index", val, 0x7fffffff, &v);
			p->srtcp_index = (uint32_t)v;
			p->have_srtcp_index = true;
		}
	}
	if (!err && (!have_suite || !have_dir || !have_key))
		err = xb_err(EINVAL, "a context needs suite, dir and key");
	if (!err)
		err = xb_srtp_params_validate(p);
out:
	if (err)
		xb_srtp_params_wipe(p);
	return err;
}

void xb_srtp_params_wipe(struct xb_srtp_params *p)
{
	explicit_bzero(p, sizeof(*p));
}
