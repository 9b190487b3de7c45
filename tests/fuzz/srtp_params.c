// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SRTP input from outside: key file lines and command-line words
 * (xb_srtp_params_parse, the key syntax), and SRTP/SRTCP packets from the
 * network through the relay's libsrtp2 sessions, both directions. No crash,
 * no read or write out of bounds, results in range.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "srtp/srtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_WORDS 24

static void parse_lines(char *text)
{
	char *line, *save = NULL, *w[MAX_WORDS];
	struct xb_srtp_params p;
	int n;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *ws = NULL, *word;

		n = 0;
		for (word = strtok_r(line, " \t", &ws); word && n < MAX_WORDS;
		     word = strtok_r(NULL, " \t", &ws))
			w[n++] = word;
		if (xb_srtp_params_parse(n, w, &p) == 0) {
			if (!p.id || xb_srtp_params_validate(&p))
				abort();
			xb_srtp_params_wipe(&p);
		}
	}
}

static void packets(const uint8_t *data, size_t size)
{
	static struct xb_srtp_session *s[2];
	uint8_t buf[2048 + 256];
	int i, n;

	if (!s[0]) {
		for (i = 0; i < 2; i++) {
			struct xb_srtp_params p = {
				.id = 1,
				.suite = XBORDER_SRTP_AES_CM_128_HMAC_SHA1_80,
				.dir = i ? XBORDER_SRTP_PROTECT : XBORDER_SRTP_UNPROTECT,
			};

			if (xb_srtp_session_new(&p, &s[i]))
				abort();
		}
	}
	if (size > 2048)
		size = 2048;
	for (i = 0; i < 2; i++) {
		memcpy(buf, data, size);
		n = xb_srtp_session_apply(s[i], buf, size, sizeof(buf));
		if (n > (int)sizeof(buf) || (n < 0 && n != -EBADMSG && n != -ESTALE &&
					     n != -EPROTO && n != -ENOSPC && n != -EIO))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t key[XBORDER_SRTP_KEY_LEN], salt[XBORDER_SRTP_SALT_LEN];
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	xb_srtp_key_parse(text, key, salt);
	parse_lines(text);
	free(text);
	packets(data, size);
	return 0;
}
