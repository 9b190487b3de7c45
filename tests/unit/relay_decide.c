// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The userspace relay's per-packet decision follows the fast path's rules:
 * drop flag, expiry, strict source, learning, RTP checks (SRTP alike) and
 * sequence tracking, and a destination to send to.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "fastpath/fastpath.h"
#include "relay/relay.h"
#include "kselftest_harness.h"

FIXTURE(decide) {
	struct xb_stream_key key;
	struct xb_stream s;
	struct xb_endpoint from;
	struct xb_relay_rtp rtp;
	uint32_t seq_errors;
	bool learn;
	unsigned int reason;
	uint8_t pkt[172];
};

FIXTURE_SETUP(decide) {
	memset(&self->key, 0, sizeof(self->key));
	self->key.family = XB_AF_INET;
	self->key.port = htons(20000);
	memcpy(self->key.addr, "\x0a\x00\x01\x01", 4);
	memset(&self->s, 0, sizeof(self->s));
	self->s.flags = XB_F_FORWARD | XB_F_RTP;
	self->s.family = XB_AF_INET;
	memcpy(self->s.src_addr, "\x0a\x00\x02\x01", 4);
	memcpy(self->s.dst_addr, "\x0a\x00\x02\x02", 4);
	self->s.src_port = htons(20002);
	self->s.dst_port = htons(30000);
	self->s.dscp = XB_DSCP_KEEP;
	memset(&self->from, 0, sizeof(self->from));
	self->from.a.family = XB_AF_INET;
	memcpy(self->from.a.addr, "\x0a\x00\x01\x02", 4);
	self->from.port = 10000;
	memset(&self->rtp, 0, sizeof(self->rtp));
	self->seq_errors = 0;
	memset(self->pkt, 0xd5, sizeof(self->pkt));
	self->pkt[0] = 0x80; /* RTP v2 */
	self->pkt[1] = 0;    /* PCMU */
	memcpy(self->pkt + 8, "\x5e\xed\x00\x01", 4);
}

FIXTURE_TEARDOWN(decide) {
}

static void set_seq(uint8_t *pkt, uint16_t seq)
{
	pkt[2] = (uint8_t)(seq >> 8);
	pkt[3] = (uint8_t)seq;
}

#define DECIDE(self, len, now)                                                              \
	xb_relay_decide(&(self)->key, &(self)->s, (self)->pkt, (len), &(self)->from, (now), \
			&(self)->rtp, &(self)->seq_errors, &(self)->learn, &(self)->reason)

TEST_F(decide, forwards_rtp_and_tracks_sequence) {
	uint16_t seqs[] = { 100, 101, 102, 104, 103, 105 };
	size_t i;

	for (i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
		set_seq(self->pkt, seqs[i]);
		ASSERT_EQ(XB_RELAY_FORWARD, DECIDE(self, sizeof(self->pkt), 1));
		EXPECT_FALSE(self->learn);
	}
	/* 102 -> 104 jumps, 104 -> 103 goes back, 103 -> 105: 105 is highest+1 */
	EXPECT_EQ(2, self->seq_errors);
	EXPECT_EQ(105, self->rtp.highest);
	EXPECT_EQ(0x5eed0001, self->rtp.ssrc);
}

TEST_F(decide, sequence_wraps) {
	set_seq(self->pkt, 65535);
	ASSERT_EQ(XB_RELAY_FORWARD, DECIDE(self, sizeof(self->pkt), 1));
	set_seq(self->pkt, 0);
	ASSERT_EQ(XB_RELAY_FORWARD, DECIDE(self, sizeof(self->pkt), 1));
	EXPECT_EQ(0, self->seq_errors);
	EXPECT_EQ(0, self->rtp.highest);
}

TEST_F(decide, new_ssrc_restarts_tracking) {
	set_seq(self->pkt, 10);
	DECIDE(self, sizeof(self->pkt), 1);
	self->pkt[11] = 2;
	set_seq(self->pkt, 5000);
	ASSERT_EQ(XB_RELAY_FORWARD, DECIDE(self, sizeof(self->pkt), 1));
	EXPECT_EQ(0, self->seq_errors);
	EXPECT_EQ(5000, self->rtp.highest);
}

TEST_F(decide, not_rtp_is_dropped) {
	self->pkt[0] = 0x40; /* version 1 */
	EXPECT_EQ(XB_RELAY_DROP, DECIDE(self, sizeof(self->pkt), 1));
	EXPECT_EQ(XB_DROP_NOT_RTP, self->reason);
	self->pkt[0] = 0x80;
	EXPECT_EQ(XB_RELAY_DROP, DECIDE(self, 11, 1));
	EXPECT_EQ(XB_DROP_NOT_RTP, self->reason);
	EXPECT_EQ(XB_RELAY_DROP, DECIDE(self, 0, 1));
	/* without the rtp flag, anything goes */
	self->s.flags = XB_F_FORWARD;
	EXPECT_EQ(XB_RELAY_FORWARD, DECIDE(self, 0, 1));
}

TEST_F(decide, rtcp_under_rtcp_mux_passes_untracked) {
	self->pkt[1] = 200; /* SR with the marker bit: 72 after masking */
	EXPECT_EQ(XB_RELAY_FORWARD, DECIDE(self, 8, 1));
	EXPECT_FALSE(self->rtp.init);
}

TEST_F(decide, drop_flag_and_expiry) {
	self->s.flags = XB_F_DROP;
	EXPECT_EQ(XB_RELAY_DROP, DECIDE(self, sizeof(self->pkt), 1));
	EXPECT_EQ(XB_DROP_FLAG, self->reason);
	self->s.flags = XB_F_FORWARD;
	self->s.expires_ns = 1000;
	EXPECT_EQ(XB_RELAY_FORWARD, DECIDE(self, sizeof(self->pkt), 1000));
	EXPECT_EQ(XB_RELAY_DROP, DECIDE(self, sizeof(self->pkt), 1001));
	EXPECT_EQ(XB_DROP_EXPIRED, self->reason);
}

TEST_F(decide, strict_source) {
	self->s.flags |= XB_F_STRICT_SOURCE;
	memcpy(self->s.peer_addr, "\x0a\x00\x01\x02", 4);
	self->s.peer_port = htons(10000);
	EXPECT_EQ(XB_RELAY_FORWARD, DECIDE(self, sizeof(self->pkt), 1));
	self->from.port = 10001;
	EXPECT_EQ(XB_RELAY_DROP, DECIDE(self, sizeof(self->pkt), 1));
	EXPECT_EQ(XB_DROP_SOURCE, self->reason);
	self->from.port = 10000;
	self->from.a.addr[3] = 3;
	EXPECT_EQ(XB_RELAY_DROP, DECIDE(self, sizeof(self->pkt), 1));
}

TEST_F(decide, learning_latches_even_a_dropped_packet) {
	self->s.flags |= XB_F_LEARN_REMOTE;
	EXPECT_EQ(XB_RELAY_FORWARD, DECIDE(self, sizeof(self->pkt), 1));
	EXPECT_TRUE(self->learn);
	/* a STUN binding request is not RTP: learned from, not relayed */
	self->pkt[0] = 0x00;
	EXPECT_EQ(XB_RELAY_DROP, DECIDE(self, 20, 1));
	EXPECT_TRUE(self->learn);
	EXPECT_EQ(XB_DROP_NOT_RTP, self->reason);
}

/* Streams the fast path hands up whole (family change, XDP toward a
 * non-XDP side) latch in the relay too. */
TEST_F(decide, learning_on_a_passed_stream) {
	struct xb_stream_key key = { .family = XB_AF_INET, .port = htons(20000) };

	self->s.flags = XB_F_PASS | XB_F_RTP | XB_F_LEARN_REMOTE;
	EXPECT_EQ(0, xb_stream_validate(&key, &self->s));
	EXPECT_EQ(XB_RELAY_FORWARD, DECIDE(self, sizeof(self->pkt), 1));
	EXPECT_TRUE(self->learn);
	self->s.flags = XB_F_DROP | XB_F_LEARN_REMOTE;
	EXPECT_EQ(-EINVAL, xb_stream_validate(&key, &self->s));
}

/* SRTP keeps the RTP header in clear: the same checks, then the caller
 * protects or unprotects. */
TEST_F(decide, srtp_stream_is_checked_like_rtp) {
	self->s.flags |= XB_F_SRTP;
	EXPECT_EQ(XB_RELAY_FORWARD, DECIDE(self, sizeof(self->pkt), 1));
	self->pkt[0] = 0x40; /* version 1 */
	EXPECT_EQ(XB_RELAY_DROP, DECIDE(self, sizeof(self->pkt), 1));
	EXPECT_EQ(XB_DROP_NOT_RTP, self->reason);
}

TEST_F(decide, needs_a_destination) {
	self->s.flags = XB_F_PASS;
	EXPECT_EQ(XB_RELAY_FORWARD, DECIDE(self, 1, 1));
	self->s.dst_port = 0;
	EXPECT_EQ(XB_RELAY_DROP, DECIDE(self, 1, 1));
	EXPECT_EQ(XB_DROP_NO_ROUTE, self->reason);
}

TEST_HARNESS_MAIN
