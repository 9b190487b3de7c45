// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The traffic an IPsec peer's policies select: SIP ports only in
 * transport mode (UDP and TCP, our port and the peer's), every pair of
 * inner prefixes in tunnel mode; the reverse direction by mirroring; the
 * selector identity the kernel uses.
 */
#include <linux/xfrm.h>
#include <netinet/in.h>
#include <string.h>

#include "ipsec/ipsec.h"
#include "ipsec/model.h"
#include "kselftest_harness.h"

static void addr(const char *s, struct xb_addr *a)
{
	if (xb_parse_addr(s, a))
		abort();
}

static void transport(struct xbd_ipsec *ip)
{
	memset(ip, 0, sizeof(*ip));
	ip->enabled = true;
	ip->mode = XBD_IPSEC_TRANSPORT;
	addr("10.9.0.1", &ip->local);
	addr("10.9.0.2", &ip->remote);
	ip->local_port = 5060;
	ip->remote_port = 5070;
}

TEST(transport_selects_the_sip_ports) {
	struct xb_xsel s[8], m;
	struct xbd_ipsec ip;
	char b[160];

	transport(&ip);
	ASSERT_EQ(4, xb_ipsec_selectors(&ip, s, 8));
	EXPECT_STREQ("10.9.0.1/32 -> 10.9.0.2/32 udp dport 5070", xb_xsel_fmt(&s[0], b, sizeof(b)));
	EXPECT_STREQ("10.9.0.1/32 -> 10.9.0.2/32 udp sport 5060", xb_xsel_fmt(&s[1], b, sizeof(b)));
	EXPECT_STREQ("10.9.0.1/32 -> 10.9.0.2/32 tcp dport 5070", xb_xsel_fmt(&s[2], b, sizeof(b)));
	EXPECT_STREQ("10.9.0.1/32 -> 10.9.0.2/32 tcp sport 5060", xb_xsel_fmt(&s[3], b, sizeof(b)));
	EXPECT_EQ(0xffff, s[0].dport_mask);
	EXPECT_EQ(0, s[0].sport_mask);
	/* the in policies: the peer's packets to our port, from its port */
	xb_xsel_mirror(&s[0], &m);
	EXPECT_STREQ("10.9.0.2/32 -> 10.9.0.1/32 udp sport 5070", xb_xsel_fmt(&m, b, sizeof(b)));
	xb_xsel_mirror(&s[3], &m);
	EXPECT_STREQ("10.9.0.2/32 -> 10.9.0.1/32 tcp dport 5060", xb_xsel_fmt(&m, b, sizeof(b)));
	/* bounded by the room given */
	EXPECT_EQ(3, xb_ipsec_selectors(&ip, s, 3));
	ip.enabled = false;
	EXPECT_EQ(0, xb_ipsec_selectors(&ip, s, 8));
}

TEST(transport_ipv6) {
	struct xb_xsel s[4];
	struct xbd_ipsec ip;
	char b[160];

	transport(&ip);
	addr("fd00::1", &ip.local);
	addr("fd00::2", &ip.remote);
	ASSERT_EQ(4, xb_ipsec_selectors(&ip, s, 4));
	EXPECT_STREQ("fd00::1/128 -> fd00::2/128 udp dport 5070", xb_xsel_fmt(&s[0], b, sizeof(b)));
}

TEST(tunnel_selects_every_prefix_pair) {
	struct xb_xsel s[XB_IPSEC_MAX_SELS];
	struct xbd_ipsec ip;
	char b[160];

	memset(&ip, 0, sizeof(ip));
	ip.enabled = true;
	ip.mode = XBD_IPSEC_TUNNEL;
	addr("192.0.2.1", &ip.local);
	addr("192.0.2.2", &ip.remote);
	xb_parse_prefix("10.1.0.1", &ip.local_subnets[0], &ip.local_plens[0]);
	xb_parse_prefix("10.1.1.0/24", &ip.local_subnets[1], &ip.local_plens[1]);
	ip.n_local_subnets = 2;
	xb_parse_prefix("10.2.0.0/16", &ip.remote_subnets[0], &ip.remote_plens[0]);
	xb_parse_prefix("10.3.0.7", &ip.remote_subnets[1], &ip.remote_plens[1]);
	xb_parse_prefix("10.4.0.0/30", &ip.remote_subnets[2], &ip.remote_plens[2]);
	ip.n_remote_subnets = 3;
	ASSERT_EQ(6, xb_ipsec_selectors(&ip, s, XB_IPSEC_MAX_SELS));
	EXPECT_STREQ("10.1.0.1/32 -> 10.2.0.0/16 any", xb_xsel_fmt(&s[0], b, sizeof(b)));
	EXPECT_STREQ("10.1.0.1/32 -> 10.4.0.0/30 any", xb_xsel_fmt(&s[2], b, sizeof(b)));
	EXPECT_STREQ("10.1.1.0/24 -> 10.3.0.7/32 any", xb_xsel_fmt(&s[4], b, sizeof(b)));
	EXPECT_EQ(0, s[5].proto);
	EXPECT_EQ(0, s[5].sport_mask | s[5].dport_mask);
}

TEST(selector_identity) {
	struct xb_xsel a, b;
	unsigned int len;

	memset(&a, 0, sizeof(a));
	xb_parse_prefix("10.1.0.0/16", &a.src, &len);
	a.src_len = (uint8_t)len;
	addr("10.2.0.9", &a.dst);
	a.dst_len = 32;
	a.proto = IPPROTO_UDP;
	a.dport = 5060;
	a.dport_mask = 0xffff;
	b = a;
	EXPECT_TRUE(xb_xsel_equal(&a, &b));
	/* the kernel ignores address bits beyond the prefix, and unmasked ports */
	b.src.addr[3] = 7;
	b.sport = 99;
	EXPECT_TRUE(xb_xsel_equal(&a, &b));
	b.src.addr[1] = 3;
	EXPECT_FALSE(xb_xsel_equal(&a, &b));
	b = a;
	b.dport = 5061;
	EXPECT_FALSE(xb_xsel_equal(&a, &b));
	b = a;
	b.proto = IPPROTO_TCP;
	EXPECT_FALSE(xb_xsel_equal(&a, &b));
	b = a;
	b.dst_len = 24;
	EXPECT_FALSE(xb_xsel_equal(&a, &b));
	xb_xsel_mirror(&a, &b);
	EXPECT_FALSE(xb_xsel_equal(&a, &b));
	xb_xsel_mirror(&b, &b);
	EXPECT_TRUE(xb_xsel_equal(&a, &b));
}

/* Media of tunnel-mode peers goes through the stack, never around the SA. */
TEST(media_through_a_tunnel_needs_the_stack) {
	struct xbd_peer peers[2];
	struct xbd_config cfg;
	struct xb_addr relay, other, far, near;

	memset(&cfg, 0, sizeof(cfg));
	memset(peers, 0, sizeof(peers));
	cfg.peers = peers;
	cfg.n_peers = 2;
	transport(&peers[0].ipsec); /* transport: signaling only */
	peers[1].ipsec.enabled = true;
	peers[1].ipsec.mode = XBD_IPSEC_TUNNEL;
	xb_parse_prefix("10.1.0.0/24", &peers[1].ipsec.local_subnets[0],
			&peers[1].ipsec.local_plens[0]);
	peers[1].ipsec.n_local_subnets = 1;
	xb_parse_prefix("10.2.0.0/16", &peers[1].ipsec.remote_subnets[0],
			&peers[1].ipsec.remote_plens[0]);
	peers[1].ipsec.n_remote_subnets = 1;
	addr("10.1.0.5", &relay);
	addr("10.3.0.5", &other);
	addr("10.2.7.7", &far);
	addr("10.9.0.2", &near); /* the transport peer's address */
	EXPECT_TRUE(xb_ipsec_media_needs_stack(&cfg, &relay, &far));
	EXPECT_FALSE(xb_ipsec_media_needs_stack(&cfg, &other, &far));
	EXPECT_FALSE(xb_ipsec_media_needs_stack(&cfg, &relay, &other));
	EXPECT_FALSE(xb_ipsec_media_needs_stack(&cfg, &relay, &near));
	peers[1].ipsec.enabled = false;
	EXPECT_FALSE(xb_ipsec_media_needs_stack(&cfg, &relay, &far));
	EXPECT_FALSE(xb_ipsec_media_needs_stack(NULL, &relay, &far));
}

TEST_HARNESS_MAIN
