// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SDES with hostile SDP: every a=crypto line through the strict parser
 * (a line that parses writes back to a line that parses to the same key,
 * and no message carries the key), selection per section, and the
 * rewriter's bridging (profile swapped, a=crypto removed and ours added):
 * the output parses again with exactly the crypto lines and profiles asked
 * for.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xborder/fastpath.h>

#include "common/err.h"
#include "sdp/sdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The crypto line written back from C parses to the same thing. */
static void check_roundtrip(const struct xb_sdp_crypto *c)
{
	char attr[XB_SDP_CRYPTO_MAX], text[256];
	struct xb_sdp_crypto d;
	struct xb_sdp sdp;

	if (xb_sdp_crypto_format(c, attr, sizeof(attr)))
		abort();
	snprintf(text, sizeof(text),
		 "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
		 "m=audio 9 RTP/SAVP 0\r\na=%s\r\n",
		 attr);
	if (xb_sdp_parse(text, strlen(text), &sdp) || xb_sdp_crypto_parse(&sdp, 6, &d))
		abort();
	if (d.tag != c->tag || d.suite != c->suite || memcmp(d.key, c->key, sizeof(d.key)) ||
	    memcmp(d.salt, c->salt, sizeof(d.salt)))
		abort();
	xb_sdp_free(&sdp);
}

/*
 * An error about line I must not quote its key: the token after each
 * "inline:", when it is long enough to be one (what a short suite name
 * quoted in the message could equal is not).
 */
static void check_no_key_in(const struct xb_sdp *sdp, unsigned int i)
{
	const char *p = sdp->buf + sdp->lines[i].off, *end = p + sdp->lines[i].len;
	char key[XB_SDP_MAX_LINE + 1];

	while ((p = memmem(p, (size_t)(end - p), "inline:", 7))) {
		size_t n = 0;

		p += 7;
		while (p + n < end && !strchr(" \t|;", p[n]))
			n++;
		if (n >= 33) {
			memcpy(key, p, n);
			key[n] = '\0';
			if (strstr(xb_errmsg(), key))
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char attr[XB_SDP_MAX_MEDIA][XB_SDP_CRYPTO_MAX];
	bool add[XB_SDP_MAX_MEDIA] = { 0 };
	struct xb_sdp_rewrite rw;
	struct xb_sdp sdp, out_sdp;
	struct xb_sdp_crypto c;
	unsigned int i, k;
	size_t len;
	uint8_t salt;
	char *out;
	int err;

	if (size < 1)
		return 0;
	salt = data[0];
	if (xb_sdp_parse((const char *)data + 1, size - 1, &sdp))
		return 0;
	for (i = 0; i < sdp.n_lines; i++) {
		if (sdp.lines[i].kind != XB_SDP_L_CRYPTO)
			continue;
		err = xb_sdp_crypto_parse(&sdp, i, &c);
		if (err && err != -EBADMSG && err != -EOPNOTSUPP)
			abort();
		if (err)
			check_no_key_in(&sdp, i);
		else
			check_roundtrip(&c);
	}
	memset(&rw, 0, sizeof(rw));
	for (k = 0; k < sdp.n_media; k++) {
		struct xb_sdp_relay *r = &rw.media[k];
		bool secure = (salt >> (k % 8)) & 1;

		attr[k][0] = '\0';
		r->addr.family = XB_AF_INET;
		r->addr.addr[0] = 192;
		r->addr.addr[3] = 1;
		r->port = (uint16_t)(20000 + 2 * k);
		r->proto = xb_sdp_proto_as(sdp.media[k].proto, secure);
		r->strip_crypto = r->proto != NULL;
		err = xb_sdp_crypto_select(&sdp, k, &c);
		if (err && err != -ENOENT && err != -EBADMSG && err != -EOPNOTSUPP)
			abort();
		if (!err && c.line >= sdp.n_lines)
			abort();
		if (r->proto && secure && sdp.media[k].port) {
			/* what the media layer does: our key, the offer's tag */
			if (err)
				c.suite = XBORDER_SRTP_AES_CM_128_HMAC_SHA1_80;
			if (xb_sdp_crypto_format(&c, attr[k], sizeof(attr[k])))
				abort();
			r->add_attr = attr[k];
			add[k] = true;
		}
	}
	if (xb_sdp_rewrite(&sdp, &rw, &out, &len)) {
		xb_sdp_free(&sdp);
		return 0;
	}
	if (strlen(out) != len || xb_sdp_parse(out, len, &out_sdp))
		abort();
	if (out_sdp.n_media != sdp.n_media)
		abort();
	for (k = 0; k < sdp.n_media; k++) {
		const struct xb_sdp_relay *r = &rw.media[k];
		unsigned int want = r->strip_crypto ? 0 : sdp.media[k].n_crypto;

		if (out_sdp.media[k].n_crypto != want + add[k])
			abort();
		if (r->proto && strcmp(out_sdp.media[k].proto, r->proto))
			abort();
		if (add[k] && (xb_sdp_crypto_select(&out_sdp, k, &c) ||
			       strcmp(out_sdp.media[k].proto, xb_sdp_proto_as(r->proto, true))))
			abort();
	}
	xb_sdp_free(&out_sdp);
	free(out);
	xb_sdp_free(&sdp);
	return 0;
}
