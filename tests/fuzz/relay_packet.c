// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The userspace relay's per-packet decision on an arbitrary stream entry
 * (as read from a map anyone with access could write) and an arbitrary
 * datagram: no crash, no read past the payload, verdicts and reasons in
 * range. Also the stream checks and flag formatting on the same entry.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fastpath/fastpath.h"
#include "relay/relay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t head = sizeof(struct xb_stream_key) + sizeof(struct xb_stream) +
		      sizeof(struct xb_endpoint) + sizeof(uint64_t);
	struct xb_relay_rtp rtp = { 0 };
	struct xb_stream_key key;
	struct xb_endpoint from;
	struct xb_stream s;
	uint32_t seq_errors = 0;
	unsigned int reason;
	uint64_t now;
	uint8_t *payload;
	char flags[128];
	size_t len, off;
	bool learn;
	int i;

	if (size < head)
		return 0;
	memcpy(&key, data, sizeof(key));
	off = sizeof(key);
	memcpy(&s, data + off, sizeof(s));
	off += sizeof(s);
	memcpy(&from, data + off, sizeof(from));
	off += sizeof(from);
	memcpy(&now, data + off, sizeof(now));
	off += sizeof(now);
	/* the payload in a buffer of its own size, so ASan sees overreads */
	len = size - off;
	payload = malloc(len ? len : 1);
	if (!payload)
		return 0;
	memcpy(payload, data + off, len);

	xb_stream_validate(&key, &s);
	if (xb_stream_flags_fmt(s.flags, flags, sizeof(flags)) == 0 &&
	    strlen(flags) >= sizeof(flags))
		abort();
	/* twice: the second run sees the RTP state the first one left */
	for (i = 0; i < 2; i++) {
		enum xb_relay_verdict v = xb_relay_decide(&key, &s, payload, len, &from, now, &rtp,
							  &seq_errors, &learn, &reason);

		if (v != XB_RELAY_FORWARD && v != XB_RELAY_DROP)
			abort();
		if (v == XB_RELAY_DROP && reason >= XB_RELAY_STAT_MAX)
			abort();
		if (learn && !(s.flags & XB_F_LEARN_REMOTE))
			abort();
	}
	if (seq_errors > 2)
		abort();
	free(payload);
	return 0;
}
