// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SDES a=crypto lines (RFC 4568 section 9.1): strict parsing of what the
 * SRTP bridge can use, and writing our own. Error messages name the line
 * and the problem, never the key material (an SDP ends up in logs).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "sdp/sdp.h"

#define KEYSALT_LEN (XBORDER_SRTP_KEY_LEN + XBORDER_SRTP_SALT_LEN) /* 30 */
#define KEYSALT_B64 40 /* 30 bytes in base64, never padded */
#define MIN_LIFETIME_LOG2 31

struct span {
	const char *p;
	size_t n;
};

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static const struct {
	const char *name;
	uint16_t suite;
} suites[] = {
	{ "AES_CM_128_HMAC_SHA1_80", XBORDER_SRTP_AES_CM_128_HMAC_SHA1_80 },
	{ "AES_CM_128_HMAC_SHA1_32", XBORDER_SRTP_AES_CM_128_HMAC_SHA1_32 },
};

/* RFC 4568 session parameters: named in errors (anything else is not,
 * in case a mangled line put key material there). */
static const char *const session_params[] = {
	"KDR",	     "UNENCRYPTED_SRTP", "UNENCRYPTED_SRTCP", "UNAUTHENTICATED_SRTP",
	"FEC_ORDER", "FEC_KEY"
};

const char *xb_sdp_suite_name(unsigned int suite)
{
	size_t i;

	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		if (suites[i].suite == suite)
			return suites[i].name;
	return NULL;
}

static bool span_eq(struct span s, const char *lit)
{
	return s.n == strlen(lit) && !memcmp(s.p, lit, s.n);
}

static bool is_wsp(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* Next SP/HTAB-separated token of *rest. */
static bool next_token(struct span *rest, struct span *tok)
{
	while (rest->n && is_wsp(rest->p[0])) {
		rest->p++;
		rest->n--;
	}
	if (!rest->n)
		return false;
	tok->p = rest->p;
	tok->n = 0;
	while (tok->n < rest->n && !is_wsp(tok->p[tok->n]))
		tok->n++;
	rest->p += tok->n;
	rest->n -= tok->n;
	return true;
}

static bool all_digits(struct span s, size_t max)
{
	size_t i;

	if (!s.n || s.n > max)
		return false;
	for (i = 0; i < s.n; i++)
		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
	return true;
}

static uint64_t digits_value(struct span s)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < s.n; i++)
		v = v * 10 + (uint64_t)(s.p[i] - '0');
	return v;
}

static bool suite_like(struct span s)
{
	size_t i;

	if (!s.n || s.n > 32)
		return false;
	for (i = 0; i < s.n; i++)
		if (!((s.p[i] >= 'A' && s.p[i] <= 'Z') || (s.p[i] >= '0' && s.p[i] <= '9') ||
		      s.p[i] == '_'))
			return false;
	return true;
}

static int b64_value(char ch)
{
	const char *p = ch ? strchr(b64, ch) : NULL;

	return p ? (int)(p - b64) : -1;
}

/* Exactly 40 base64 characters into 30 bytes. */
static int decode_keysalt(struct span s, unsigned int lineno, uint8_t out[KEYSALT_LEN])
{
	size_t i, o = 0;
	uint32_t acc = 0;

	if (s.n != KEYSALT_B64)
		return xb_err(EBADMSG,
			      "sdp line %u: a=crypto: inline key is %zu characters; AES_CM_128 "
			      "needs %d (30 bytes in base64)",
			      lineno, s.n, KEYSALT_B64);
	for (i = 0; i < s.n; i++) {
		int v = b64_value(s.p[i]);

		if (v < 0)
			return xb_err(EBADMSG,
				      "sdp line %u: a=crypto: inline key is not base64 "
				      "(character %zu)",
				      lineno, i + 1);
		acc = acc << 6 | (uint32_t)v;
		if (i % 4 == 3) {
			out[o++] = (uint8_t)(acc >> 16);
			out[o++] = (uint8_t)(acc >> 8);
			out[o++] = (uint8_t)acc;
			acc = 0;
		}
	}
	return 0;
}

/* "2^N" or a decimal count; only lifetimes no call can reach are taken. */
static int check_lifetime(struct span s, unsigned int lineno)
{
	struct span exp = { s.p + 2, s.n >= 2 ? s.n - 2 : 0 };
	bool enough;

	if (s.n > 2 && s.p[0] == '2' && s.p[1] == '^') {
		if (!all_digits(exp, 2))
			return xb_err(EBADMSG, "sdp line %u: a=crypto: malformed key lifetime",
				      lineno);
		enough = digits_value(exp) >= MIN_LIFETIME_LOG2;
	} else {
		if (!all_digits(s, 20))
			return xb_err(EBADMSG, "sdp line %u: a=crypto: malformed key lifetime",
				      lineno);
		enough = s.n > 10 || digits_value(s) >= (1ULL << MIN_LIFETIME_LOG2);
	}
	if (!enough)
		return xb_err(
			EOPNOTSUPP,
			"sdp line %u: a=crypto: key lifetime below 2^%d packets not supported "
			"(no re-keying)",
			lineno, MIN_LIFETIME_LOG2);
	return 0;
}

/* inline:<key||salt>[|lifetime][|mki:length] */
static int parse_key_params(struct span kp, unsigned int lineno, struct xb_sdp_crypto *c)
{
	uint8_t ks[KEYSALT_LEN];
	struct span key, field[2];
	unsigned int nf = 0, i;
	const char *bar;
	int err;

	if (memchr(kp.p, ';', kp.n))
		return xb_err(EOPNOTSUPP,
			      "sdp line %u: a=crypto: more than one key (MKI keys) not supported",
			      lineno);
	if (kp.n < 7 || memcmp(kp.p, "inline:", 7))
		return xb_err(EOPNOTSUPP, "sdp line %u: a=crypto: key method is not 'inline'",
			      lineno);
	key.p = kp.p + 7;
	key.n = kp.n - 7;
	bar = memchr(key.p, '|', key.n);
	if (bar) {
		const char *p = bar + 1, *end = key.p + key.n;

		key.n = (size_t)(bar - key.p);
		for (;;) {
			const char *b = memchr(p, '|', (size_t)(end - p));

			if (nf == 2)
				return xb_err(
					EBADMSG,
					"sdp line %u: a=crypto: too many '|' fields in the key",
					lineno);
			field[nf].p = p;
			field[nf++].n = b ? (size_t)(b - p) : (size_t)(end - p);
			if (!b)
				break;
			p = b + 1;
		}
	}
	err = decode_keysalt(key, lineno, ks);
	if (err)
		return err;
	for (i = 0; i < nf; i++) {
		if (!field[i].n)
			return xb_err(EBADMSG,
				      "sdp line %u: a=crypto: empty field after '|' in the key",
				      lineno);
		if (memchr(field[i].p, ':', field[i].n)) {
			const char *colon = memchr(field[i].p, ':', field[i].n);
			struct span v = { field[i].p, (size_t)(colon - field[i].p) };
			struct span l = { colon + 1, field[i].n - v.n - 1 };

			if (!all_digits(v, 128) || !all_digits(l, 3) || !digits_value(l) ||
			    digits_value(l) > 128)
				err = xb_err(EBADMSG, "sdp line %u: a=crypto: malformed MKI",
					     lineno);
			else
				err = xb_err(EOPNOTSUPP, "sdp line %u: a=crypto: MKI not supported",
					     lineno);
		} else if (i == 0) {
			err = check_lifetime(field[i], lineno);
		} else {
			err = xb_err(EBADMSG, "sdp line %u: a=crypto: a second key lifetime",
				     lineno);
		}
		if (err)
			break;
	}
	if (!err) {
		memcpy(c->key, ks, XBORDER_SRTP_KEY_LEN);
		memcpy(c->salt, ks + XBORDER_SRTP_KEY_LEN, XBORDER_SRTP_SALT_LEN);
	}
	explicit_bzero(ks, sizeof(ks));
	return err;
}

/* WSH=<n> is a hint we may ignore; any other parameter changes SRTP. */
static int check_session_param(struct span sp, unsigned int lineno)
{
	const char *eq = memchr(sp.p, '=', sp.n);
	struct span name = { sp.p, eq ? (size_t)(eq - sp.p) : sp.n };
	size_t i;

	if (span_eq(name, "WSH")) {
		struct span v = { eq ? eq + 1 : sp.p, eq ? sp.n - name.n - 1 : 0 };

		if (!eq || !all_digits(v, 9))
			return xb_err(EBADMSG, "sdp line %u: a=crypto: malformed WSH", lineno);
		return 0;
	}
	for (i = 0; i < sizeof(session_params) / sizeof(session_params[0]); i++)
		if (span_eq(name, session_params[i]))
			return xb_err(EOPNOTSUPP,
				      "sdp line %u: a=crypto: session parameter %s not supported",
				      lineno, session_params[i]);
	return xb_err(EOPNOTSUPP, "sdp line %u: a=crypto: unknown session parameter", lineno);
}

int xb_sdp_crypto_parse(const struct xb_sdp *sdp, unsigned int line, struct xb_sdp_crypto *c)
{
	const struct xb_sdp_line *l;
	struct span rest, tag, suite, kp, sp;
	unsigned int lineno = line + 1;
	size_t i;
	int err;

	memset(c, 0, sizeof(*c));
	if (line >= sdp->n_lines || sdp->lines[line].kind != XB_SDP_L_CRYPTO)
		return xb_err(EINVAL, "sdp line %u: not an a=crypto line", lineno);
	l = &sdp->lines[line];
	/* "a=crypto:" is 9 bytes: the parser classified the line by it */
	rest.p = sdp->buf + l->off + 9;
	rest.n = l->len - 9;
	if (rest.n && is_wsp(rest.p[0]))
		return xb_err(EBADMSG, "sdp line %u: a=crypto: blank before the tag", lineno);
	if (!next_token(&rest, &tag) || !next_token(&rest, &suite) || !next_token(&rest, &kp))
		return xb_err(EBADMSG, "sdp line %u: a=crypto needs a tag, a suite and a key",
			      lineno);
	if (!all_digits(tag, 9)) /* not quoted: on a mangled line it may be the key */
		return xb_err(EBADMSG, "sdp line %u: a=crypto: invalid tag (1 to 9 digits)",
			      lineno);
	c->tag = (uint32_t)digits_value(tag);
	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		if (span_eq(suite, suites[i].name))
			c->suite = suites[i].suite;
	if (!c->suite) {
		/* a suite name is quoted, what may be a key (a line missing
		 * its suite) is not: suites are short, upper case, '_' */
		if (suite_like(suite))
			err = xb_err(EOPNOTSUPP,
				     "sdp line %u: a=crypto: suite '%.*s' not supported", lineno,
				     (int)suite.n, suite.p);
		else
			err = xb_err(EOPNOTSUPP, "sdp line %u: a=crypto: unknown suite", lineno);
		goto fail;
	}
	err = parse_key_params(kp, lineno, c);
	while (!err && next_token(&rest, &sp))
		err = check_session_param(sp, lineno);
	if (err)
		goto fail;
	c->line = line;
	return 0;
fail:
	explicit_bzero(c, sizeof(*c));
	return err;
}

int xb_sdp_crypto_select(const struct xb_sdp *sdp, unsigned int k, struct xb_sdp_crypto *c)
{
	const struct xb_sdp_media *m;
	char first[XB_ERRMSG_MAX] = "";
	int first_err = 0, err;
	unsigned int i;

	memset(c, 0, sizeof(*c));
	if (k >= sdp->n_media)
		return xb_err(EINVAL, "sdp: no media section %u", k);
	m = &sdp->media[k];
	for (i = m->m_line + 1; i < m->end_line; i++) {
		if (sdp->lines[i].kind != XB_SDP_L_CRYPTO)
			continue;
		err = xb_sdp_crypto_parse(sdp, i, c);
		if (!err)
			return 0;
		if (!first_err) {
			first_err = err;
			snprintf(first, sizeof(first), "%s", xb_errmsg());
		}
	}
	if (!first_err)
		return xb_err(ENOENT, "sdp line %u: m= section %u has no a=crypto", m->m_line + 1,
			      k);
	return xb_err(-first_err, "%s", first);
}

int xb_sdp_crypto_format(const struct xb_sdp_crypto *c, char *buf, size_t len)
{
	const char *name = xb_sdp_suite_name(c->suite);
	uint8_t ks[KEYSALT_LEN];
	char enc[KEYSALT_B64 + 1];
	size_t i, o = 0;
	int n;

	if (!name || c->tag > 999999999)
		return xb_err(EINVAL, "sdp: cannot write a=crypto for suite %u tag %u", c->suite,
			      c->tag);
	memcpy(ks, c->key, XBORDER_SRTP_KEY_LEN);
	memcpy(ks + XBORDER_SRTP_KEY_LEN, c->salt, XBORDER_SRTP_SALT_LEN);
	for (i = 0; i < KEYSALT_LEN; i += 3) {
		uint32_t v = (uint32_t)ks[i] << 16 | (uint32_t)ks[i + 1] << 8 | ks[i + 2];

		enc[o++] = b64[v >> 18 & 63];
		enc[o++] = b64[v >> 12 & 63];
		enc[o++] = b64[v >> 6 & 63];
		enc[o++] = b64[v & 63];
	}
	enc[o] = '\0';
	n = snprintf(buf, len, "crypto:%u %s inline:%s", c->tag, name, enc);
	explicit_bzero(ks, sizeof(ks));
	explicit_bzero(enc, sizeof(enc));
	if (n < 0 || (size_t)n >= len) {
		if (len)
			explicit_bzero(buf, len);
		return xb_err(ENOSPC, "sdp: a=crypto does not fit");
	}
	return 0;
}

static const char *const profiles[][2] = {
	{ "RTP/AVP", "RTP/SAVP" },
	{ "RTP/AVPF", "RTP/SAVPF" },
};

const char *xb_sdp_proto_as(const char *proto, bool secure)
{
	size_t i;

	for (i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++)
		if (!strcmp(proto, profiles[i][0]) || !strcmp(proto, profiles[i][1]))
			return profiles[i][secure];
	return NULL;
}

bool xb_sdp_proto_secure(const char *proto)
{
	size_t i;

	for (i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++)
		if (!strcmp(proto, profiles[i][1]))
			return true;
	return false;
}
