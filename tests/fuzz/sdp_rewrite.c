// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SDP parse + rewrite with hostile input. Whatever parses must rewrite to
 * SDP that parses again, with the relay where the party was, no ICE left,
 * and rewriting that output again must give the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xborder/fastpath.h>

#include "sdp/sdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void relay_for(unsigned int k, uint8_t salt, struct xb_sdp_relay *r)
{
	memset(r, 0, sizeof(*r));
	/* Mostly one family for all sections; sometimes mixed. */
	if ((salt & 1) ^ ((salt & 2) && (k & 1))) {
		r->addr.family = XB_AF_INET6;
		r->addr.addr[0] = 0x20;
		r->addr.addr[1] = 0x01;
		r->addr.addr[15] = (uint8_t)(1 + ((salt & 4) ? k : 0));
	} else {
		r->addr.family = XB_AF_INET;
		r->addr.addr[0] = 192;
		r->addr.addr[3] = (uint8_t)(1 + ((salt & 4) ? k : 0));
	}
	r->port = (uint16_t)(20000 + 2 * k);
}

static void check_rewritten(const struct xb_sdp *in, const struct xb_sdp *out,
			    const struct xb_sdp_rewrite *rw)
{
	unsigned int k;

	if (out->n_media != in->n_media || out->origin_version != in->origin_version)
		abort();
	for (k = 0; k < out->n_media; k++) {
		const struct xb_sdp_media *a = &in->media[k], *b = &out->media[k];
		const struct xb_sdp_relay *r = &rw->media[k];

		if (b->n_ice || b->dir != a->dir || b->rtcp_mux != a->rtcp_mux ||
		    b->n_crypto != a->n_crypto || strcmp(a->proto, b->proto))
			abort();
		if (b->port != (a->port ? r->port : 0))
			abort();
		if (!a->port)
			continue;
		if (!b->remote_zero && !xb_addr_equal(&b->remote, &r->addr))
			abort();
		if (b->has_rtcp && b->rtcp_port != r->port + 1)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xb_sdp_rewrite rw;
	struct xb_sdp sdp, again;
	char *out, *out2;
	size_t len, len2;
	uint8_t salt;
	unsigned int k;

	if (size < 1)
		return 0;
	salt = data[0];
	if (xb_sdp_parse((const char *)data + 1, size - 1, &sdp))
		return 0;
	memset(&rw, 0, sizeof(rw));
	rw.replace_origin = salt & 8;
	for (k = 0; k < sdp.n_media; k++)
		relay_for(k, salt, &rw.media[k]);
	if (xb_sdp_rewrite(&sdp, &rw, &out, &len)) {
		xb_sdp_free(&sdp);
		return 0;
	}
	if (strlen(out) != len)
		abort();
	if (xb_sdp_parse(out, len, &again))
		abort();
	check_rewritten(&sdp, &again, &rw);
	if (xb_sdp_rewrite(&again, &rw, &out2, &len2))
		abort();
	if (len2 != len || memcmp(out, out2, len))
		abort();
	free(out2);
	xb_sdp_free(&again);
	free(out);
	xb_sdp_free(&sdp);
	return 0;
}
