// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Media of IPsec peers (Documentation/ipsec.md, "IPsec and the XDP fast
 * path"): a section with a party whose address and relay address lie in
 * a tunnel-mode peer's selectors is installed XB_F_PASS in both
 * directions, so the stack (and the userspace relay's sockets, through
 * the xfrm policies) carries it, never XDP_TX/redirect; transport mode
 * and addresses outside the selectors keep the fast path. Real pinned
 * maps in a private network namespace, as tests/unit/media_api.c. Root.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "common/err.h"
#include "common/log.h"
#include "evloop/evloop.h"
#include "fastpath/fastpath.h"
#include "media/media.h"
#include "media_test.h"
#include "kselftest_harness.h"

/* Party A (inside, our users) and B (border, the IPsec peer). */
#define RELAY_A "127.0.0.1"
#define RELAY_B "127.0.0.2"

static void prefix(const char *s, struct xb_addr *a, unsigned int *len)
{
	char buf[64], *slash;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	*slash = '\0';
	xb_parse_addr(buf, a);
	*len = (unsigned int)atoi(slash + 1);
}

/* The configuration's one peer "b": IPsec in MODE between our LOCAL_NET
 * and its REMOTE_NET (the tunnel's selectors). */
static void set_peer(struct xbd_peer *peer, enum xbd_ipsec_mode mode, const char *local_net,
		     const char *remote_net)
{
	struct xbd_ipsec *ip = &peer->ipsec;

	memset(peer, 0, sizeof(*peer));
	snprintf(peer->name, sizeof(peer->name), "b");
	peer->security = mode == XBD_IPSEC_TUNNEL ? XBD_SECURITY_IPSEC_TUNNEL
						  : XBD_SECURITY_IPSEC_TRANSPORT;
	ip->enabled = true;
	ip->mode = mode;
	ip->keys = XBD_IPSEC_KEYS_IKE;
	xb_parse_addr("10.99.1.1", &ip->local);
	xb_parse_addr("10.99.2.2", &ip->remote);
	prefix(local_net, &ip->local_subnets[0], &ip->local_plens[0]);
	prefix(remote_net, &ip->remote_subnets[0], &ip->remote_plens[0]);
	ip->n_local_subnets = ip->n_remote_subnets = 1;
}

FIXTURE(mipsec) {
	char pin[128], state[128];
	struct xbd_config cfg;
	struct xbd_peer peer;
	struct xb_loop *loop;
	struct xbm *m;
	struct xb_fp *fp;
};

static struct xbm *start_media(struct __test_metadata *_metadata, FIXTURE_DATA(mipsec) * self)
{
	struct xbm_opts o = { .loop = self->loop, .cfg = &self->cfg };
	struct xbm *m = xbm_new(&o);
	int err;

	if (!m)
		return NULL;
	err = xbm_start(m);
	if (err) {
		TH_LOG("xbm_start: %d %s", err, xb_errmsg());
		xbm_free(m, true);
		return NULL;
	}
	return m;
}

/* Media restarted on the configuration as the test changed it. */
static void restart(struct __test_metadata *_metadata, FIXTURE_DATA(mipsec) * self)
{
	if (self->m)
		xbm_free(self->m, false);
	self->m = start_media(_metadata, self);
	ASSERT_NE(NULL, self->m);
}

FIXTURE_SETUP(mipsec) {
	struct xb_fp_opts fo = { 0 };

	ASSERT_EQ(0, geteuid()) TH_LOG("needs root");
	xb_log_init("media_ipsec", XB_LOG_WARN);
	ASSERT_EQ(0, private_netns());
	snprintf(self->pin, sizeof(self->pin), "/sys/fs/bpf/xbtest-mi-%d", getpid());
	snprintf(self->state, sizeof(self->state), "/tmp/xbtest-mipsec-%d", getpid());
	memset(&self->cfg, 0, sizeof(self->cfg));
	snprintf(self->cfg.pin_dir, sizeof(self->cfg.pin_dir), "%s", self->pin);
	snprintf(self->cfg.state_dir, sizeof(self->cfg.state_dir), "%s", self->state);
	self->cfg.timers.media_check_s = 1;
	set_iface(&self->cfg.media[0], "inside", RELAY_A, 20000, 20099);
	set_iface(&self->cfg.media[1], "border", RELAY_B, 30000, 30099);
	self->cfg.n_media = 2;
	/* by default: B's media addresses behind a tunnel from our border relay */
	set_peer(&self->peer, XBD_IPSEC_TUNNEL, RELAY_B "/32", "10.9.0.0/24");
	self->cfg.peers = &self->peer;
	self->cfg.n_peers = 1;
	self->loop = xb_loop_new();
	ASSERT_NE(NULL, self->loop);
	self->m = start_media(_metadata, self);
	ASSERT_NE(NULL, self->m);
	fo.pin_dir = self->pin;
	fo.no_create = true;
	ASSERT_EQ(0, xb_fp_open(&fo, &self->fp));
}

FIXTURE_TEARDOWN(mipsec) {
	char path[300];

	if (self->m)
		xbm_free(self->m, false);
	if (self->fp)
		xb_fp_close(self->fp);
	xb_loop_free(self->loop);
	rm_tree(self->pin);
	snprintf(path, sizeof(path), "%s/media.json", self->state);
	unlink(path);
	rmdir(self->state);
}

static const char *sdp_at(char *buf, size_t len, const char *addr, uint16_t port)
{
	snprintf(buf, len,
		 "v=0\r\no=u 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
		 "m=audio %u RTP/AVP 0\r\n",
		 addr, addr, port);
	return buf;
}

static struct xbm_req req(const char *call, const char *from, const char *to, const char *sdp,
			  bool a_to_b)
{
	struct xbm_req r = {
		.call_id = call,
		.from_tag = from,
		.to_tag = to,
		.sdp = sdp,
		.sdp_len = strlen(sdp),
	};

	r.from.iface = a_to_b ? "inside" : "border";
	r.to.iface = a_to_b ? "border" : "inside";
	return r;
}

/* A (tag a) at A_ADDR:6000 offers, B (tag b) at B_ADDR:7000 answers. */
static int call(struct xbm *m, const char *id, const char *a_addr, const char *b_addr)
{
	char a[256], b[256], *out;
	struct xbm_req r;
	size_t len;
	int err;

	r = req(id, "a", NULL, sdp_at(a, sizeof(a), a_addr, 6000), true);
	err = xbm_offer(m, &r, &out, &len);
	if (err)
		return err;
	free(out);
	r = req(id, "b", "a", sdp_at(b, sizeof(b), b_addr, 7000), false);
	err = xbm_answer(m, &r, &out, &len);
	if (!err)
		free(out);
	return err;
}

static int stream_at(struct xb_fp *fp, const char *addr, uint16_t port, struct xb_stream *s)
{
	struct xb_endpoint e;
	struct xb_stream_key key;

	if (xb_parse_addr(addr, &e.a))
		return -EINVAL;
	e.port = port;
	xb_stream_key_from(&key, &e);
	return xb_fp_stream_get(fp, &key, s);
}

static bool addr_is(const uint8_t a[16], const char *s)
{
	struct xb_addr x;

	return xb_parse_addr(s, &x) == 0 && !memcmp(a, x.addr, 16);
}

/* The flags of the stream keyed at ADDR:PORT; 0xffffffff if there is none. */
static uint32_t flags_at(struct xb_fp *fp, const char *addr, uint16_t port)
{
	struct xb_stream s;

	return stream_at(fp, addr, port, &s) ? 0xffffffffu : s.flags;
}

/* The four streams of the first call (ports 20000 and 30000 + RTCP). */
#define EXPECT_SECTION(fp, rtp_flags, rtcp_flags)                                \
	do {                                                                     \
		EXPECT_EQ((uint32_t)(rtp_flags), flags_at(fp, RELAY_A, 20000));  \
		EXPECT_EQ((uint32_t)(rtcp_flags), flags_at(fp, RELAY_A, 20001)); \
		EXPECT_EQ((uint32_t)(rtp_flags), flags_at(fp, RELAY_B, 30000));  \
		EXPECT_EQ((uint32_t)(rtcp_flags), flags_at(fp, RELAY_B, 30001)); \
	} while (0)

TEST_F(mipsec, tunnel_peer_media_passes_both_ways) {
	struct xb_stream s;

	ASSERT_EQ(0, call(self->m, "t1", "10.1.0.2", "10.9.0.2"));
	/* toward the tunnel (A -> B) and from it (B -> A), RTP and RTCP */
	EXPECT_SECTION(self->fp, XB_F_PASS | XB_F_RTP, XB_F_PASS);
	/* what the relay needs to send them is all there */
	ASSERT_EQ(0, stream_at(self->fp, RELAY_A, 20000, &s));
	EXPECT_TRUE(addr_is(s.dst_addr, "10.9.0.2"));
	EXPECT_EQ(htons(7000), s.dst_port);
	EXPECT_TRUE(addr_is(s.src_addr, RELAY_B));
	EXPECT_EQ(htons(30000), s.src_port);
	ASSERT_EQ(0, stream_at(self->fp, RELAY_B, 30001, &s));
	EXPECT_TRUE(addr_is(s.dst_addr, "10.1.0.2"));
	EXPECT_EQ(htons(6001), s.dst_port);
	EXPECT_TRUE(addr_is(s.src_addr, RELAY_A));
}

TEST_F(mipsec, transport_peer_media_keeps_fast_path) {
	set_peer(&self->peer, XBD_IPSEC_TRANSPORT, RELAY_B "/32", "10.9.0.0/24");
	restart(_metadata, self);
	ASSERT_EQ(0, call(self->m, "t2", "10.1.0.2", "10.9.0.2"));
	EXPECT_SECTION(self->fp, XB_F_FORWARD | XB_F_FIB_LOOKUP | XB_F_RTP,
		       XB_F_FORWARD | XB_F_FIB_LOOKUP);
}

TEST_F(mipsec, outside_the_selectors_keeps_fast_path) {
	const uint32_t rtp = XB_F_FORWARD | XB_F_FIB_LOOKUP | XB_F_RTP;

	/* B's address is not in the tunnel's remote prefixes */
	ASSERT_EQ(0, call(self->m, "t3", "10.1.0.2", "10.8.0.2"));
	EXPECT_SECTION(self->fp, rtp, XB_F_FORWARD | XB_F_FIB_LOOKUP);
	ASSERT_EQ(0, xbm_delete(self->m, "t3", NULL));

	/* the tunnel carries another relay address than our border's */
	set_peer(&self->peer, XBD_IPSEC_TUNNEL, "127.0.0.3/32", "10.9.0.0/24");
	restart(_metadata, self);
	ASSERT_EQ(0, call(self->m, "t4", "10.1.0.2", "10.9.0.2"));
	EXPECT_EQ(rtp, flags_at(self->fp, RELAY_A, 20000));
	EXPECT_EQ(rtp, flags_at(self->fp, RELAY_B, 30000));
	ASSERT_EQ(0, xbm_delete(self->m, "t4", NULL));

	/* a peer without IPsec (or with it disabled) */
	set_peer(&self->peer, XBD_IPSEC_TUNNEL, RELAY_B "/32", "10.9.0.0/24");
	self->peer.ipsec.enabled = false;
	restart(_metadata, self);
	ASSERT_EQ(0, call(self->m, "t5", "10.1.0.2", "10.9.0.2"));
	EXPECT_EQ(rtp, flags_at(self->fp, RELAY_A, 20000));
	EXPECT_EQ(rtp, flags_at(self->fp, RELAY_B, 30000));
}

/* B (behind the tunnel) offers first: the direction toward B passes at
 * once; the other one waits for A's answer, dropped. */
TEST_F(mipsec, offer_from_tunnel_side_passes_before_answer) {
	char b[256], *out;
	struct xbm_req r = req("t6", "b", NULL, sdp_at(b, sizeof(b), "10.9.0.2", 7000), false);
	size_t len;

	ASSERT_EQ(0, xbm_offer(self->m, &r, &out, &len));
	free(out);
	EXPECT_EQ(XB_F_PASS | XB_F_RTP, flags_at(self->fp, RELAY_A, 20000));
	EXPECT_EQ(XB_F_DROP | XB_F_RTP, flags_at(self->fp, RELAY_B, 30000));
}

/* A re-offer that moves B into the tunnel changes the entries in place
 * (same ids), and back out again. */
TEST_F(mipsec, reoffer_into_and_out_of_tunnel_updates_in_place) {
	const uint32_t fwd = XB_F_FORWARD | XB_F_FIB_LOOKUP | XB_F_RTP;
	char b[256], *out;
	struct xb_stream s0, s1;
	struct xbm_req r;
	size_t len;

	ASSERT_EQ(0, call(self->m, "t7", "10.1.0.2", "10.8.0.2"));
	ASSERT_EQ(0, stream_at(self->fp, RELAY_A, 20000, &s0));
	EXPECT_EQ(fwd, s0.flags);

	r = req("t7", "b", "a", sdp_at(b, sizeof(b), "10.9.0.2", 7000), false);
	ASSERT_EQ(0, xbm_offer(self->m, &r, &out, &len));
	free(out);
	ASSERT_EQ(0, stream_at(self->fp, RELAY_A, 20000, &s1));
	EXPECT_EQ(XB_F_PASS | XB_F_RTP, s1.flags);
	EXPECT_EQ(s0.stats_idx, s1.stats_idx);
	EXPECT_EQ(XB_F_PASS | XB_F_RTP, flags_at(self->fp, RELAY_B, 30000));

	r = req("t7", "b", "a", sdp_at(b, sizeof(b), "10.8.0.3", 7000), false);
	ASSERT_EQ(0, xbm_offer(self->m, &r, &out, &len));
	free(out);
	ASSERT_EQ(0, stream_at(self->fp, RELAY_A, 20000, &s1));
	EXPECT_EQ(fwd, s1.flags);
	EXPECT_EQ(s0.stats_idx, s1.stats_idx);
	EXPECT_EQ(fwd, flags_at(self->fp, RELAY_B, 30000));
}

static int ip(const char *args)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "ip %s >/dev/null 2>&1", args);
	return system(cmd);
}

/*
 * XDP on both interfaces (native, veth): without IPsec the streams would
 * be redirected out of the other device (media_api.c checks that); with
 * B behind a tunnel they pass to the stack instead, both ways.
 */
TEST_F(mipsec, xdp_interfaces_pass_tunnel_media) {
	struct xb_stream s;
	int vout;

	xbm_free(self->m, false);
	self->m = NULL;
	ASSERT_EQ(0, ip("link add xbin0 address 02:00:00:00:01:01 type veth peer name xbin1"));
	ASSERT_EQ(0, ip("link add xbout0 address 02:00:00:00:02:01 type veth peer name xbout1"));
	ASSERT_EQ(0, ip("addr add 10.77.0.1/24 dev xbin0"));
	ASSERT_EQ(0, ip("addr add 10.78.0.1/24 dev xbout0"));
	ASSERT_EQ(0, ip("link set xbin0 up"));
	ASSERT_EQ(0, ip("link set xbin1 up"));
	ASSERT_EQ(0, ip("link set xbout0 up"));
	ASSERT_EQ(0, ip("link set xbout1 up"));
	ASSERT_EQ(0, ip("neigh add 10.77.0.2 lladdr 02:00:00:00:01:02 dev xbin0 nud permanent"));
	ASSERT_EQ(0, ip("neigh add 10.78.0.2 lladdr 02:00:00:00:02:02 dev xbout0 nud permanent"));
	vout = (int)if_nametoindex("xbout0");
	ASSERT_NE(0, vout);
	set_iface(&self->cfg.media[0], "inside", "10.77.0.1", 20000, 20099);
	set_iface(&self->cfg.media[1], "border", "10.78.0.1", 30000, 30099);
	strcpy(self->cfg.media[0].device, "xbin0");
	strcpy(self->cfg.media[1].device, "xbout0");
	self->cfg.media[0].xdp = self->cfg.media[1].xdp = true;
	set_peer(&self->peer, XBD_IPSEC_TUNNEL, "10.78.0.1/32", "10.78.0.2/32");
	restart(_metadata, self);

	ASSERT_EQ(0, call(self->m, "x1", "10.77.0.2", "10.78.0.2"));
	ASSERT_EQ(0, stream_at(self->fp, "10.77.0.1", 20000, &s));
	EXPECT_EQ(XB_F_PASS | XB_F_RTP, s.flags);
	EXPECT_TRUE(addr_is(s.dst_addr, "10.78.0.2"));
	ASSERT_EQ(0, stream_at(self->fp, "10.78.0.1", 30001, &s));
	EXPECT_EQ(XB_F_PASS, s.flags);
	ASSERT_EQ(0, xbm_delete(self->m, "x1", NULL));

	/* the same call to a B outside the tunnel: redirected by XDP */
	ASSERT_EQ(0, ip("neigh add 10.78.0.3 lladdr 02:00:00:00:02:03 dev xbout0 nud permanent"));
	ASSERT_EQ(0, call(self->m, "x2", "10.77.0.2", "10.78.0.3"));
	ASSERT_EQ(0, stream_at(self->fp, "10.77.0.1", 20002, &s));
	EXPECT_EQ(XB_F_FORWARD | XB_F_RTP, s.flags);
	EXPECT_EQ((uint32_t)vout, s.ifindex);
}

static int udp_sock(const char *addr, uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	inet_pton(AF_INET, addr, &sin.sin_addr);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void send_rtp(int fd, const char *addr, uint16_t port, uint16_t seq)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	uint8_t pkt[172] = { 0x80, 0x00 };

	pkt[2] = (uint8_t)(seq >> 8);
	pkt[3] = (uint8_t)seq;
	pkt[11] = 0x42;
	inet_pton(AF_INET, addr, &sin.sin_addr);
	sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&sin, sizeof(sin));
}

static ssize_t recv_via(struct xb_loop *loop, int fd, struct sockaddr_in *from)
{
	socklen_t fl = sizeof(*from);
	uint8_t buf[2048];
	ssize_t n = -1;
	int i;

	for (i = 0; i < 100 && n < 0; i++) {
		xb_loop_once(loop, 10);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)from, &fl);
	}
	return n;
}

/* The userspace relay carries PASS streams, both ways, from its ports
 * (in the VM test its sockets' packets then meet the xfrm policies). */
TEST_F(mipsec, relay_carries_tunnel_media) {
	struct sockaddr_in from;
	uint64_t end;
	int fa = udp_sock("127.0.0.10", 6000), fb = udp_sock("127.0.0.20", 7000);

	ASSERT_LE(0, fa);
	ASSERT_LE(0, fb);
	set_peer(&self->peer, XBD_IPSEC_TUNNEL, RELAY_B "/32", "127.0.0.20/32");
	restart(_metadata, self);
	ASSERT_EQ(0, call(self->m, "live", "127.0.0.10", "127.0.0.20"));
	EXPECT_SECTION(self->fp, XB_F_PASS | XB_F_RTP, XB_F_PASS);
	end = xb_now_ns() + 60 * 1000000ull; /* the relay binds the new ports */
	while (xb_now_ns() < end)
		xb_loop_once(self->loop, 20);

	send_rtp(fa, RELAY_A, 20000, 1);
	ASSERT_EQ(172, recv_via(self->loop, fb, &from));
	EXPECT_EQ(htons(30000), from.sin_port);
	EXPECT_EQ(htonl(0x7f000002), from.sin_addr.s_addr);
	send_rtp(fb, RELAY_B, 30000, 1);
	ASSERT_EQ(172, recv_via(self->loop, fa, &from));
	EXPECT_EQ(htons(20000), from.sin_port);
	EXPECT_EQ(htonl(0x7f000001), from.sin_addr.s_addr);
	close(fa);
	close(fb);
}

TEST_HARNESS_MAIN
