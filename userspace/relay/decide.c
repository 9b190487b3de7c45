// SPDX-License-Identifier: GPL-2.0-or-later
/* The userspace relay's per-packet decision: the fast path's rules. */
#include <arpa/inet.h>
#include <string.h>

#include "relay/relay.h"

/* RTCP packet types under rtcp-mux (RFC 5761 section 4), after the M bit. */
#define RTCP_PT_MIN 64
#define RTCP_PT_MAX 95
#define RTP_HLEN 12
#define RTCP_HLEN 8

static bool from_peer(const struct xb_stream_key *key, const struct xb_stream *s,
		      const struct xb_endpoint *from)
{
	size_t n = key->family == XB_AF_INET ? 4 : 16;

	return from->a.family == key->family && from->port == ntohs(s->peer_port) &&
	       !memcmp(from->a.addr, s->peer_addr, n);
}

/* 0: RTP or RTCP version 2 (RTP tracked); -1: not RTP. */
static int rtp_track(const uint8_t *p, size_t len, struct xb_relay_rtp *rtp, uint32_t *seq_errors)
{
	uint16_t seq;
	uint32_t ssrc;
	uint8_t pt;

	if (len < RTCP_HLEN || (p[0] & 0xc0) != 0x80)
		return -1;
	pt = p[1] & 0x7f;
	if (pt >= RTCP_PT_MIN && pt <= RTCP_PT_MAX)
		return 0;
	if (len < RTP_HLEN)
		return -1;
	seq = (uint16_t)(p[2] << 8 | p[3]);
	ssrc = (uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 | (uint32_t)p[10] << 8 | p[11];
	if (!rtp->init || ssrc != rtp->ssrc) {
		rtp->init = true;
		rtp->ssrc = ssrc;
		rtp->highest = seq;
		return 0;
	}
	if (seq != (uint16_t)(rtp->highest + 1))
		(*seq_errors)++;
	/* serial-number arithmetic: ahead by less than half the space */
	if ((int16_t)(seq - rtp->highest) > 0)
		rtp->highest = seq;
	return 0;
}

enum xb_relay_verdict xb_relay_decide(const struct xb_stream_key *key, const struct xb_stream *s,
				      const uint8_t *payload, size_t len,
				      const struct xb_endpoint *from, uint64_t now,
				      struct xb_relay_rtp *rtp, uint32_t *seq_errors, bool *learn,
				      unsigned int *reason)
{
	*learn = false;
	*reason = XB_STAT_TX;
	if (s->flags & XB_F_DROP) {
		*reason = XB_DROP_FLAG;
		return XB_RELAY_DROP;
	}
	if (s->expires_ns && now > s->expires_ns) {
		*reason = XB_DROP_EXPIRED;
		return XB_RELAY_DROP;
	}
	if ((s->flags & XB_F_STRICT_SOURCE) && !from_peer(key, s, from)) {
		*reason = XB_DROP_SOURCE;
		return XB_RELAY_DROP;
	}
	if (s->flags & XB_F_LEARN_REMOTE)
		*learn = true;
	if ((s->flags & XB_F_RTP) && rtp_track(payload, len, rtp, seq_errors)) {
		*reason = XB_DROP_NOT_RTP;
		return XB_RELAY_DROP;
	}
	if (!(s->flags & (XB_F_FORWARD | XB_F_PASS)) || !s->dst_port || !s->src_port ||
	    (s->family != XB_AF_INET && s->family != XB_AF_INET6)) {
		*reason = XB_DROP_NO_ROUTE;
		return XB_RELAY_DROP;
	}
	return XB_RELAY_FORWARD;
}
