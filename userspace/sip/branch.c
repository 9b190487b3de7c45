// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/evp.h>
#include <osipparser2/osip_parser.h>
#include <osipparser2/osip_port.h>

#include "sip/branch.h"
#include "sip/message.h"

struct hbuf {
	char *p;
	size_t len, cap;
	bool fail;
};

static void hb_add(struct hbuf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (b->fail)
		return;
	if (b->len + n + 2 > b->cap) {
		size_t cap = (b->len + n + 2) * 2;
		char *p = realloc(b->p, cap);

		if (!p) {
			b->fail = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s ? s : "", n);
	b->len += n;
	b->p[b->len++] = '\n'; /* field separator: no field contains a raw LF */
}

static void hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

int xbs_branch_compute(osip_message_t *req, osip_via_t *prev_top, char out[XBS_BRANCH_MAX])
{
	struct hbuf b = { 0 };
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	char *s = NULL;
	osip_header_t *h;

	s = xbs_uri_str(req->req_uri);
	hb_add(&b, s);
	free(s);
	s = NULL;
	if (prev_top && osip_via_to_str(prev_top, &s) == 0) {
		hb_add(&b, s);
		osip_free(s);
	} else {
		hb_add(&b, "");
	}
	hb_add(&b, req->call_id ? req->call_id->number : NULL);
	hb_add(&b, req->call_id ? req->call_id->host : NULL);
	hb_add(&b, req->cseq ? req->cseq->number : NULL);
	hb_add(&b, xbs_tag(req->from));
	hb_add(&b, xbs_tag(req->to));
	for (i = 0; osip_message_header_get_byname(req, "proxy-require", (int)i, &h) >= 0 && h; i++)
		hb_add(&b, h->hvalue);
	if (b.fail) {
		free(b.p);
		return -ENOMEM;
	}
	if (!EVP_Digest(b.p, b.len, md, &mdlen, EVP_sha256(), NULL) || mdlen < 16) {
		free(b.p);
		return -ENOMEM;
	}
	free(b.p);
	memcpy(out, XBS_BRANCH_PREFIX, sizeof(XBS_BRANCH_PREFIX) - 1);
	hex(md, 16, out + sizeof(XBS_BRANCH_PREFIX) - 1);
	return 0;
}

void xbs_random_hex(char *out, size_t size, unsigned int n)
{
	unsigned char r[32];
	unsigned int i;

	if (n > 2 * sizeof(r))
		n = 2 * sizeof(r);
	if (n + 1 > size)
		n = (unsigned int)size - 1;
	if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		for (i = 0; i < sizeof(r); i++)
			r[i] = (unsigned char)random();
	}
	for (i = 0; i < n; i++)
		out[i] = "0123456789abcdef"[(r[i / 2] >> ((i & 1) * 4)) & 15];
	out[n] = '\0';
}

void xbs_branch_random(char out[XBS_BRANCH_MAX])
{
	memcpy(out, XBS_BRANCH_PREFIX, sizeof(XBS_BRANCH_PREFIX) - 1);
	out[sizeof(XBS_BRANCH_PREFIX) - 1] = 'g'; /* never equal to a computed one */
	xbs_random_hex(out + sizeof(XBS_BRANCH_PREFIX), XBS_BRANCH_MAX - sizeof(XBS_BRANCH_PREFIX),
		       31);
}
