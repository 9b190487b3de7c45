// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzzes SIP stream framing. The input is a limit, a chunking seed and a
 * byte stream. The stream is framed whole with xbs_frame (the oracle) and
 * again as it would trickle in over TCP, in random chunks, with the
 * incremental xbs_frame_step the transport uses; both must find the same
 * messages at the same offsets and end the same way. Every call gets an
 * exact-size heap copy of its bytes, so ASan catches a read past LEN.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sip/transport.h"
#include "sip/transport_frame.h"

#define MAX_EVENTS 4096

struct event {
	size_t start; /* where the message starts, after skipped CRLFs */
	ssize_t len;  /* its length, or the final 0 / -errno */
};

static ssize_t frame_copy(struct xbs_framer *f, const uint8_t *p, size_t n, size_t max,
			  size_t *skip)
{
	char *buf = malloc(n ? n : 1);
	ssize_t r;

	if (!buf)
		abort();
	memcpy(buf, p, n);
	if (f) {
		r = xbs_frame_step(f, buf, n, max, skip);
	} else {
		r = xbs_frame(buf, n, max, skip);
	}
	free(buf);
	if (*skip > n || (r > 0 && (size_t)r > n - *skip) || r > (ssize_t)max)
		abort(); /* a length beyond what it was given, or beyond max */
	if (r < 0 && r != -EMSGSIZE && r != -EBADMSG)
		abort();
	return r;
}

/* The whole stream at once: the messages, then how it ends. */
static size_t oracle(const uint8_t *s, size_t len, size_t max, struct event *ev)
{
	size_t pos = 0, n = 0, skip;

	while (n < MAX_EVENTS - 1) {
		ssize_t r = frame_copy(NULL, s + pos, len - pos, max, &skip);

		ev[n].start = pos + skip;
		ev[n++].len = r;
		if (r <= 0)
			break;
		pos += skip + r;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct event ev[MAX_EVENTS];
	struct xbs_framer f = { 0 };
	size_t max, n_ev, i = 0, have = 0, start = 0, skip;
	uint32_t rng;
	ssize_t r;

	if (size < 3)
		return 0;
	/* Small limits too, so the size checks are reached. */
	max = 1 + ((data[0] | (size_t)data[1] << 8) % 8192);
	rng = data[2] * 2654435761u + 1;
	data += 3;
	size -= 3;
	n_ev = oracle(data, size, max, ev);

	for (;;) {
		rng = rng * 1103515245u + 12345u;
		if (have < size) {
			size_t chunk = 1 + (rng >> 16) % 97;

			have = have + chunk < size ? have + chunk : size;
		}
		r = frame_copy(&f, data + start, have - start, max, &skip);
		start += skip;
		if (r == 0) {
			if (have < size)
				continue;
			/* All bytes are in and more are needed: the oracle ends so. */
			if (skip)
				continue;
			if (i != n_ev - 1 || ev[i].len != 0)
				abort();
			break;
		}
		if (i >= n_ev || ev[i].start != start || ev[i].len != r)
			abort();
		i++;
		if (r < 0)
			break; /* the transport closes the connection here */
		start += r;
		memset(&f, 0, sizeof(f));
		if (i == MAX_EVENTS - 1)
			break;
	}
	return 0;
}
