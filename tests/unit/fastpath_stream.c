// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Stream entries are checked before they reach the map: one action, no
 * family change in the fast path, ranges, zero padding. Also the flag
 * names xborderctl prints, and the key conversions.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "fastpath/fastpath.h"
#include "kselftest_harness.h"

FIXTURE(stream) {
	struct xb_stream_key key;
	struct xb_stream s;
};

FIXTURE_SETUP(stream) {
	struct xb_endpoint e;

	ASSERT_EQ(0, xb_parse_endpoint("10.0.1.1:20000", &e));
	xb_stream_key_from(&self->key, &e);
	memset(&self->s, 0, sizeof(self->s));
	self->s.flags = XB_F_FORWARD;
	self->s.family = XB_AF_INET;
	self->s.ifindex = 3;
	memcpy(self->s.src_addr, "\x0a\x00\x02\x01", 4);
	memcpy(self->s.dst_addr, "\x0a\x00\x02\x02", 4);
	self->s.src_port = htons(20002);
	self->s.dst_port = htons(30000);
	self->s.dscp = XB_DSCP_KEEP;
}

FIXTURE_TEARDOWN(stream) {
}

TEST_F(stream, valid_forward) {
	EXPECT_EQ(0, xb_stream_validate(&self->key, &self->s));
}

TEST_F(stream, key_round_trip) {
	struct xb_endpoint e;

	EXPECT_EQ(htons(20000), self->key.port);
	EXPECT_EQ(0, self->key.pad);
	xb_stream_key_to(&self->key, &e);
	EXPECT_EQ(20000, e.port);
	EXPECT_EQ(XB_AF_INET, e.a.family);
	EXPECT_EQ(0, memcmp(e.a.addr, self->key.addr, 16));
}

TEST_F(stream, exactly_one_action) {
	self->s.flags = 0;
	EXPECT_EQ(-EINVAL, xb_stream_validate(&self->key, &self->s));
	self->s.flags = XB_F_FORWARD | XB_F_DROP;
	EXPECT_EQ(-EINVAL, xb_stream_validate(&self->key, &self->s));
	self->s.flags = XB_F_PASS | XB_F_DROP;
	EXPECT_EQ(-EINVAL, xb_stream_validate(&self->key, &self->s));
	self->s.flags = XB_F_DROP | XB_F_LEARN_REMOTE;
	EXPECT_EQ(-EINVAL, xb_stream_validate(&self->key, &self->s));
	self->s.flags = XB_F_FORWARD | 0x100;
	EXPECT_EQ(-EINVAL, xb_stream_validate(&self->key, &self->s));
}

TEST_F(stream, no_family_change_in_the_fast_path) {
	self->s.family = XB_AF_INET6;
	memset(self->s.dst_addr, 0x20, 16);
	memset(self->s.src_addr, 0x20, 16);
	EXPECT_EQ(-EINVAL, xb_stream_validate(&self->key, &self->s));
	/* ... but the userspace relay does it */
	self->s.flags = XB_F_PASS;
	EXPECT_EQ(0, xb_stream_validate(&self->key, &self->s));
}

TEST_F(stream, forward_needs_egress_and_endpoints) {
	self->s.ifindex = 0;
	EXPECT_EQ(-EINVAL, xb_stream_validate(&self->key, &self->s));
	self->s.flags |= XB_F_FIB_LOOKUP;
	EXPECT_EQ(0, xb_stream_validate(&self->key, &self->s));
	self->s.dst_port = 0;
	EXPECT_EQ(-EINVAL, xb_stream_validate(&self->key, &self->s));
}

TEST_F(stream, ranges_and_padding) {
	self->s.vlan_id = 4095;
	EXPECT_EQ(-EINVAL, xb_stream_validate(&self->key, &self->s));
	self->s.vlan_id = 4094;
	EXPECT_EQ(0, xb_stream_validate(&self->key, &self->s));
	self->s.dscp = 64;
	EXPECT_EQ(-EINVAL, xb_stream_validate(&self->key, &self->s));
	self->s.dscp = 46;
	EXPECT_EQ(0, xb_stream_validate(&self->key, &self->s));
	self->s.pad[1] = 1;
	EXPECT_EQ(-EINVAL, xb_stream_validate(&self->key, &self->s));
	self->s.pad[1] = 0;
	/* an IPv4 address with stray bytes would never match a packet */
	self->s.dst_addr[7] = 1;
	EXPECT_EQ(-EINVAL, xb_stream_validate(&self->key, &self->s));
	self->s.dst_addr[7] = 0;
	self->key.pad = 1;
	EXPECT_EQ(-EINVAL, xb_stream_validate(&self->key, &self->s));
}

TEST_F(stream, strict_needs_a_peer) {
	self->s.flags |= XB_F_STRICT_SOURCE;
	EXPECT_EQ(-EINVAL, xb_stream_validate(&self->key, &self->s));
	self->s.peer_port = htons(10000);
	EXPECT_EQ(0, xb_stream_validate(&self->key, &self->s));
}

TEST(flag_names) {
	char buf[128];

	ASSERT_EQ(0, xb_stream_flags_fmt(XB_F_FORWARD | XB_F_LEARN_REMOTE | XB_F_RTP, buf,
					 sizeof(buf)));
	EXPECT_STREQ("forward,learn,rtp", buf);
	ASSERT_EQ(0, xb_stream_flags_fmt(XB_F_PASS | 0x400, buf, sizeof(buf)));
	EXPECT_STREQ("pass,0x400", buf);
	ASSERT_EQ(0, xb_stream_flags_fmt(0, buf, sizeof(buf)));
	EXPECT_STREQ("", buf);
	EXPECT_EQ(-ENOSPC, xb_stream_flags_fmt(XB_F_FORWARD, buf, 4));
}

TEST(stat_names_round_trip) {
	unsigned int i;

	for (i = 0; i < XB_STAT_MAX; i++) {
		EXPECT_STRNE("?", xb_stat_name(i));
		EXPECT_EQ((int)i, xb_stat_from_name(xb_stat_name(i)));
	}
	EXPECT_STREQ("?", xb_stat_name(XB_STAT_MAX));
	EXPECT_EQ(-1, xb_stat_from_name("nope"));
}

TEST_HARNESS_MAIN
