// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The peers' "ipsec" group: defaults derived from the listener, next hop
 * and media addresses, every key read, key files checked when the file is
 * loaded (length, permissions, owner), and each mistake refused with its
 * one-line message naming file, line and key.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "config/config.h"
#include "kselftest_harness.h"

static char dir[64];

static void write_file(const char *name, const char *text, mode_t mode)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

static const char *const key_names[] = { "in.key",	"out.key",    "same.key",
					 "short.key",	"open.key",   "cbc-in.key",
					 "cbc-out.key", "nobody.key", NULL };

/* Key files for every test, made once before the harness forks them. */
__attribute__((constructor)) static void keys(void)
{
	if (dir[0])
		return;
	snprintf(dir, sizeof(dir), "/tmp/xb-cfgipsec-XXXXXX");
	if (!mkdtemp(dir))
		abort();
	write_file("in.key", "000102030405060708090a0b0c0d0e0f10111213\n", 0600);
	write_file("out.key", "# ours, outbound\n0x1011121314151617 18191a1b1c1d1e1f 20212223\n",
		   0400);
	write_file("same.key", "000102030405060708090a0b0c0d0e0f10111213\n", 0600);
	write_file("short.key", "000102030405060708090a0b0c0d0e0f101112\n", 0600);
	write_file("open.key", "000102030405060708090a0b0c0d0e0f10111213\n", 0644);
	write_file("cbc-in.key",
		   "000102030405060708090a0b0c0d0e0f"
		   "101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f\n",
		   0600);
	write_file("cbc-out.key",
		   "f00102030405060708090a0b0c0d0e0f"
		   "101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f\n",
		   0600);
}

__attribute__((destructor)) static void remove_keys(void)
{
	char path[128];
	unsigned int i;

	if (!dir[0])
		return;
	for (i = 0; key_names[i]; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, key_names[i]);
		unlink(path);
	}
	rmdir(dir);
}

/* "@" in IN becomes the key directory. */
static void expand(const char *in, char *out, size_t len)
{
	size_t n = 0;

	for (; *in && n + sizeof(dir) + 1 < len; in++) {
		if (*in == '@') {
			n += (size_t)snprintf(out + n, len - n, "%s", dir);
			continue;
		}
		out[n++] = *in;
	}
	out[n] = '\0';
}

/*
 * One peer "p" with SECURITY and the ipsec group BODY (line 5):
 * listener 10.9.0.1:5060, next hop 10.9.0.2:5070, media 10.9.0.5, known
 * prefix 10.8.0.0/16.
 */
static int parse(const char *security, const char *body, struct xbd_config *cfg)
{
	char text[4096], b[2048];

	keys();
	expand(body, b, sizeof(b));
	snprintf(text, sizeof(text),
		 "media = ( { name = \"m\"; address = \"10.9.0.5\"; ports = \"30000-30099\"; } );\n"
		 "listeners = ( { name = \"l\"; address = \"10.9.0.1\"; port = 5060; } );\n"
		 "peers = ( { name = \"p\"; next_hop = \"10.9.0.2:5070\"; listener = \"l\";\n"
		 "  media = \"m\"; security = \"%s\"; prefixes = [ \"10.8.0.0/16\" ];\n"
		 "  %s\n"
		 "} );\n",
		 security, b);
	return xbd_config_parse(text, "t.conf", cfg);
}

#define STATIC_KEYS                                                                \
	"spi_in = 0x1002; spi_out = 0xc0ffee01; key_in = \"@/in.key\"; key_out = " \
	"\"@/out.key\";"

static const char *pfx(const struct xb_addr *a, unsigned int len, char *b)
{
	return xb_fmt_prefix(a, len, b, XB_ADDRSTRLEN);
}

TEST(transport_defaults) {
	struct xbd_config cfg;
	const struct xbd_ipsec *ip;
	char b[XB_ADDRSTRLEN];

	ASSERT_EQ(0, parse("ipsec-transport", "ipsec = { " STATIC_KEYS " };", &cfg))
	TH_LOG("%s", xb_errmsg());
	ip = &cfg.peers[0].ipsec;
	EXPECT_TRUE(ip->enabled);
	EXPECT_EQ(XBD_SECURITY_IPSEC_TRANSPORT, cfg.peers[0].security);
	EXPECT_EQ(XBD_IPSEC_TRANSPORT, ip->mode);
	EXPECT_EQ(XBD_IPSEC_KEYS_STATIC, ip->keys);
	EXPECT_EQ(XBD_IPSEC_AES_GCM, ip->alg);
	EXPECT_STREQ("10.9.0.1", xb_fmt_addr(&ip->local, b, sizeof(b)));
	EXPECT_STREQ("10.9.0.2", xb_fmt_addr(&ip->remote, b, sizeof(b)));
	EXPECT_EQ(5060, ip->local_port);
	EXPECT_EQ(5070, ip->remote_port);
	EXPECT_EQ(0x1002, ip->spi_in);
	EXPECT_EQ(0xc0ffee01u, ip->spi_out); /* hex above INT_MAX */
	EXPECT_EQ(64, ip->replay_window);
	EXPECT_EQ(30, ip->rekey_switch_s);
	EXPECT_EQ(60, ip->rekey_grace_s);
	EXPECT_EQ(0, ip->hard.bytes);
	EXPECT_EQ(0, ip->soft.seconds);
	ASSERT_EQ(1, ip->n_local_subnets);
	EXPECT_STREQ("10.9.0.1/32", pfx(&ip->local_subnets[0], ip->local_plens[0], b));
	ASSERT_EQ(1, ip->n_remote_subnets);
	EXPECT_STREQ("10.9.0.2/32", pfx(&ip->remote_subnets[0], ip->remote_plens[0], b));
	EXPECT_STREQ("transport", xbd_ipsec_mode_name(ip->mode));
	EXPECT_STREQ("rfc4106(gcm(aes))", xbd_ipsec_alg_name(ip->alg));
	EXPECT_STREQ("static", xbd_ipsec_keys_name(ip->keys));
	xbd_config_free(&cfg);
}

TEST(tunnel_every_key) {
	struct xbd_config cfg;
	const struct xbd_ipsec *ip;
	char b[XB_ADDRSTRLEN];

	ASSERT_EQ(
		0,
		parse("ipsec-tunnel",
		      "ipsec = { mode = \"tunnel\"; keys = \"static\"; local = \"192.0.2.1\";"
		      " remote = \"192.0.2.2\"; local_subnets = [ \"10.9.0.0/29\" ];"
		      " remote_subnets = [ \"10.9.0.8/29\", \"10.7.0.0/16\" ];"
		      " algorithm = \"cbc(aes)+hmac(sha256)\"; spi_in = 4096; spi_out = 0xffffffff;"
		      " key_in = \"@/cbc-in.key\"; key_out = \"@/cbc-out.key\";"
		      " replay_window = 1024; rekey_switch_s = 5; rekey_grace_s = 7;"
		      " lifetime = { soft_bytes = \"10000000000\"; hard_bytes = \"20000000000\";"
		      " soft_packets = 1000; hard_packets = 2000; soft_seconds = 3000;"
		      " hard_seconds = 3600; }; };",
		      &cfg))
	TH_LOG("%s", xb_errmsg());
	ip = &cfg.peers[0].ipsec;
	EXPECT_EQ(XBD_IPSEC_TUNNEL, ip->mode);
	EXPECT_EQ(XBD_IPSEC_AES_CBC_SHA256, ip->alg);
	EXPECT_STREQ("192.0.2.1", xb_fmt_addr(&ip->local, b, sizeof(b)));
	EXPECT_STREQ("192.0.2.2", xb_fmt_addr(&ip->remote, b, sizeof(b)));
	ASSERT_EQ(1, ip->n_local_subnets);
	EXPECT_STREQ("10.9.0.0/29", pfx(&ip->local_subnets[0], ip->local_plens[0], b));
	ASSERT_EQ(2, ip->n_remote_subnets);
	EXPECT_STREQ("10.7.0.0/16", pfx(&ip->remote_subnets[1], ip->remote_plens[1], b));
	EXPECT_EQ(4096, ip->spi_in);
	EXPECT_EQ(0xffffffffu, ip->spi_out);
	EXPECT_EQ(1024, ip->replay_window);
	EXPECT_EQ(5, ip->rekey_switch_s);
	EXPECT_EQ(7, ip->rekey_grace_s);
	EXPECT_EQ(10000000000ULL, ip->soft.bytes);
	EXPECT_EQ(20000000000ULL, ip->hard.bytes);
	EXPECT_EQ(1000, ip->soft.packets);
	EXPECT_EQ(2000, ip->hard.packets);
	EXPECT_EQ(3000, ip->soft.seconds);
	EXPECT_EQ(3600, ip->hard.seconds);
	xbd_config_free(&cfg);
}

/* Tunnel defaults: our signaling and media addresses, the peer's next hop
 * and known prefixes. */
TEST(tunnel_defaults) {
	struct xbd_config cfg;
	const struct xbd_ipsec *ip;
	char b[XB_ADDRSTRLEN];

	ASSERT_EQ(0, parse("ipsec-tunnel", "ipsec = { " STATIC_KEYS " };", &cfg))
	TH_LOG("%s", xb_errmsg());
	ip = &cfg.peers[0].ipsec;
	EXPECT_STREQ("10.9.0.1", xb_fmt_addr(&ip->local, b, sizeof(b)));
	ASSERT_EQ(2, ip->n_local_subnets);
	EXPECT_STREQ("10.9.0.1/32", pfx(&ip->local_subnets[0], ip->local_plens[0], b));
	EXPECT_STREQ("10.9.0.5/32", pfx(&ip->local_subnets[1], ip->local_plens[1], b));
	ASSERT_EQ(2, ip->n_remote_subnets);
	EXPECT_STREQ("10.9.0.2/32", pfx(&ip->remote_subnets[0], ip->remote_plens[0], b));
	EXPECT_STREQ("10.8.0.0/16", pfx(&ip->remote_subnets[1], ip->remote_plens[1], b));
	xbd_config_free(&cfg);
}

TEST(ike_keys_need_no_key_files) {
	struct xbd_config cfg;

	ASSERT_EQ(0, parse("ipsec-transport", "ipsec = { keys = \"ike\"; };", &cfg))
	TH_LOG("%s", xb_errmsg());
	EXPECT_EQ(XBD_IPSEC_KEYS_IKE, cfg.peers[0].ipsec.keys);
	EXPECT_EQ(0, cfg.peers[0].ipsec.spi_in);
	xbd_config_free(&cfg);
}

/* The peer without IPsec has none: the group is zero. */
TEST(other_security_has_no_ipsec) {
	struct xbd_config cfg;

	ASSERT_EQ(0, parse("none", "", &cfg)) TH_LOG("%s", xb_errmsg());
	EXPECT_FALSE(cfg.peers[0].ipsec.enabled);
	xbd_config_free(&cfg);
}

static const struct {
	const char *security, *body, *msg;
} bad[] = {
	{ "ipsec-tunnel", "",
	  "t.conf:3: peers.[0].ipsec: missing (required when security is \"ipsec-tunnel\")" },
	{ "none", "ipsec = { " STATIC_KEYS " };",
	  "t.conf:5: peers.[0].ipsec: only for security \"ipsec-transport\" or \"ipsec-tunnel\" "
	  "(security is \"none\")" },
	{ "ipsec-transport", "ipsec = 5;", "t.conf:5: peers.[0].ipsec: expected a group { ... }" },
	{ "ipsec-transport", "ipsec = { mode = \"tunnel\"; " STATIC_KEYS " };",
	  "t.conf:5: peers.[0].ipsec.mode: \"tunnel\" contradicts security \"ipsec-transport\"" },
	{ "ipsec-transport", "ipsec = { spi = 5; };",
	  "t.conf:5: unknown key 'spi' in peers.[0].ipsec" },
	{ "ipsec-transport", "ipsec = { spi_inn = 5; };",
	  "t.conf:5: unknown key 'spi_inn' in peers.[0].ipsec (did you mean 'spi_in'?)" },
	{ "ipsec-transport", "ipsec = { local = \"10.9.0.3\"; " STATIC_KEYS " };",
	  "t.conf:5: peers.[0].ipsec.local: must be listener 'l''s address 10.9.0.1 in transport "
	  "mode" },
	{ "ipsec-transport", "ipsec = { remote = \"10.9.0.3\"; " STATIC_KEYS " };",
	  "t.conf:5: peers.[0].ipsec.remote: must be next_hop's address 10.9.0.2 in transport "
	  "mode" },
	{ "ipsec-tunnel", "ipsec = { remote = \"10.9.0.1\"; " STATIC_KEYS " };",
	  "t.conf:5: peers.[0].ipsec.remote: must be a unicast address other than local" },
	{ "ipsec-tunnel", "ipsec = { remote = \"fd00::2\"; " STATIC_KEYS " };",
	  "t.conf:5: peers.[0].ipsec.remote: local and remote are of different address families" },
	{ "ipsec-transport", "ipsec = { local_subnets = [ \"10.0.0.0/8\" ]; " STATIC_KEYS " };",
	  "t.conf:5: peers.[0].ipsec.local_subnets: only in tunnel mode" },
	{ "ipsec-tunnel",
	  "ipsec = { local_subnets = [ \"10.0.0.0/8\", \"10.1.0.0/16\" ]; " STATIC_KEYS " };",
	  "t.conf:5: peers.[0].ipsec.local_subnets: '10.1.0.0/16' overlaps another prefix of the "
	  "list" },
	{ "ipsec-tunnel", "ipsec = { remote_subnets = [ \"fd00::/64\" ]; " STATIC_KEYS " };",
	  "t.conf:5: peers.[0].ipsec.remote_subnets: 'fd00::/64' is not of the tunnel's address "
	  "family (IPv4)" },
	{ "ipsec-tunnel", "ipsec = { remote_subnets = [ ]; " STATIC_KEYS " };",
	  "t.conf:5: peers.[0].ipsec.remote_subnets: must not be empty" },
	{ "ipsec-transport", "ipsec = { algorithm = \"ctr(aes)\"; " STATIC_KEYS " };",
	  "t.conf:5: peers.[0].ipsec.algorithm: 'ctr(aes)' is not one of rfc4106(gcm(aes)), "
	  "cbc(aes)+hmac(sha256)" },
	{ "ipsec-transport", "ipsec = { keys = \"manual\"; };",
	  "t.conf:5: peers.[0].ipsec.keys: 'manual' is not one of static, ike" },
	{ "ipsec-transport", "ipsec = { spi_out = 2; key_in = \"@/in.key\"; };",
	  "t.conf:5: peers.[0].ipsec.spi_in: missing (required)" },
	{ "ipsec-transport", "ipsec = { spi_in = 255; spi_out = 0x100; };",
	  "t.conf:5: peers.[0].ipsec.spi_in: 255 is out of range (0x100-0xffffffff; 1-255 are "
	  "reserved)" },
	{ "ipsec-transport", "ipsec = { spi_in = \"0x100\"; };",
	  "t.conf:5: peers.[0].ipsec.spi_in: expected an integer (0x100-0xffffffff)" },
	{ "ipsec-transport", "ipsec = { spi_in = 0x100; spi_out = 0x101; key_in = \"@/in.key\"; };",
	  "t.conf:5: peers.[0].ipsec.key_out: missing (required)" },
	{ "ipsec-transport",
	  "ipsec = { spi_in = 0x100; spi_out = 0x101; key_in = \"keys/in.key\";"
	  " key_out = \"@/out.key\"; };",
	  "t.conf:5: peers.[0].ipsec.key_in: 'keys/in.key' is not an absolute path" },
	{ "ipsec-transport",
	  "ipsec = { spi_in = 0x100; spi_out = 0x101; key_in = \"@/none.key\";"
	  " key_out = \"@/out.key\"; };",
	  "t.conf:5: peers.[0].ipsec.key_in: key file @/none.key: No such file or directory" },
	{ "ipsec-transport",
	  "ipsec = { spi_in = 0x100; spi_out = 0x101; key_in = \"@/short.key\";"
	  " key_out = \"@/out.key\"; };",
	  "t.conf:5: peers.[0].ipsec.key_in: key file @/short.key: 19 bytes of key; "
	  "rfc4106(gcm(aes)) needs 20 (AES-128 + salt) or 36 (AES-256 + salt)" },
	{ "ipsec-transport",
	  "ipsec = { algorithm = \"cbc(aes)+hmac(sha256)\"; spi_in = 0x100; spi_out = 0x101;"
	  " key_in = \"@/in.key\"; key_out = \"@/out.key\"; };",
	  "t.conf:5: peers.[0].ipsec.key_in: key file @/in.key: 20 bytes of key; "
	  "cbc(aes)+hmac(sha256) needs 48 (AES-128 + HMAC key) or 64 (AES-256 + HMAC key)" },
	{ "ipsec-transport",
	  "ipsec = { spi_in = 0x100; spi_out = 0x101; key_in = \"@/open.key\";"
	  " key_out = \"@/out.key\"; };",
	  "t.conf:5: peers.[0].ipsec.key_in: key file @/open.key: group or others have access "
	  "(mode 0644); it must be mode 0600 or 0400" },
	{ "ipsec-transport",
	  "ipsec = { spi_in = 0x100; spi_out = 0x101; key_in = \"@\";"
	  " key_out = \"@/out.key\"; };",
	  "t.conf:5: peers.[0].ipsec.key_in: key file @: not a regular file" },
	{ "ipsec-transport",
	  "ipsec = { spi_in = 0x100; spi_out = 0x101; key_in = \"@/in.key\";"
	  " key_out = \"@/same.key\"; };",
	  "t.conf:5: peers.[0].ipsec.key_out: holds the same key as key_in; each direction needs "
	  "its own key" },
	{ "ipsec-transport", "ipsec = { keys = \"ike\"; key_in = \"@/in.key\"; };",
	  "t.conf:5: peers.[0].ipsec.key_in: not used with keys = \"ike\" (the IKE daemon "
	  "negotiates SPIs and keys)" },
	{ "ipsec-transport", "ipsec = { " STATIC_KEYS " replay_window = 4097; };",
	  "t.conf:5: peers.[0].ipsec.replay_window: 4097 is out of range (0-4096)" },
	{ "ipsec-transport",
	  "ipsec = { " STATIC_KEYS " lifetime = { soft_packets = 10; hard_packets = 10; }; };",
	  "t.conf:5: peers.[0].ipsec.lifetime.soft_packets: must be smaller than hard_packets "
	  "(10)" },
	{ "ipsec-transport", "ipsec = { " STATIC_KEYS " lifetime = { hard_byte = 1; }; };",
	  "t.conf:5: unknown key 'hard_byte' in peers.[0].ipsec.lifetime (did you mean "
	  "'hard_bytes'?)" },
	{ "ipsec-transport", "ipsec = { " STATIC_KEYS " lifetime = { hard_bytes = \"1e9\"; }; };",
	  "t.conf:5: peers.[0].ipsec.lifetime.hard_bytes: invalid number '1e9'" },
	{ "ipsec-transport",
	  "ipsec = { " STATIC_KEYS " lifetime = { hard_seconds = 0xffffffff; }; };",
	  "t.conf:5: peers.[0].ipsec.lifetime.hard_seconds: -1 is out of range (write large values "
	  "as a string of digits, \"10000000000\")" },
};

TEST(each_ipsec_mistake_has_its_message) {
	struct xbd_config cfg;
	char want[1024];
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int err = parse(bad[i].security, bad[i].body, &cfg);

		expand(bad[i].msg, want, sizeof(want));
		EXPECT_EQ(-EINVAL, err) TH_LOG("case %u accepted", i);
		EXPECT_STREQ(want, xb_errmsg()) TH_LOG("case %u", i);
		EXPECT_EQ(0, cfg.n_peers); /* nothing half-loaded */
		EXPECT_EQ(NULL, strchr(xb_errmsg(), '\n'));
	}
}

/* Two IPsec peers: the second (line 5 on) is checked against the first. */
static int parse_two(const char *first, const char *second, struct xbd_config *cfg)
{
	char text[4096], a[1024], b[1024];

	keys();
	expand(first, a, sizeof(a));
	expand(second, b, sizeof(b));
	snprintf(
		text, sizeof(text),
		"listeners = ( { name = \"l\"; address = \"10.9.0.1\"; port = 5060; } );\n"
		"peers = ( { name = \"p\"; next_hop = \"10.9.0.2\"; listener = \"l\";\n"
		"  media_mode = \"direct\"; %s },\n"
		"{ name = \"q\"; next_hop = \"10.9.0.3\"; listener = \"l\"; media_mode = \"direct\";\n"
		"  %s } );\n",
		a, b);
	return xbd_config_parse(text, "t.conf", cfg);
}

TEST(peers_do_not_overlap) {
	static const char *const tun_p =
		"security = \"ipsec-tunnel\"; ipsec = { remote = \"192.0.2.2\";"
		" remote_subnets = [ \"10.20.0.0/16\" ]; " STATIC_KEYS " };";
	struct xbd_config cfg;

	/* different SPIs, no overlap: fine */
	ASSERT_EQ(0, parse_two(tun_p,
			       "security = \"ipsec-tunnel\"; ipsec = { remote = \"192.0.2.3\";"
			       " remote_subnets = [ \"10.21.0.0/16\" ]; spi_in = 0x2002; spi_out = "
			       "0x2001; key_in = \"@/in.key\"; key_out = \"@/out.key\"; };",
			       &cfg))
	TH_LOG("%s", xb_errmsg());
	xbd_config_free(&cfg);

	EXPECT_EQ(-EINVAL,
		  parse_two(tun_p,
			    "security = \"ipsec-tunnel\"; ipsec = { remote = \"192.0.2.3\";"
			    " remote_subnets = [ \"10.20.128.0/24\" ]; spi_in = 0x2002; spi_out = "
			    "0x2001; key_in = \"@/in.key\"; key_out = \"@/out.key\"; };",
			    &cfg));
	EXPECT_STREQ("t.conf:5: peers.[1].ipsec: its selectors overlap those of peer 'p'",
		     xb_errmsg());
	EXPECT_EQ(-EINVAL,
		  parse_two(tun_p,
			    "security = \"ipsec-tunnel\"; ipsec = { remote = \"192.0.2.2\";"
			    " remote_subnets = [ \"10.21.0.0/16\" ]; spi_in = 0x2002; spi_out = "
			    "0x2001; key_in = \"@/in.key\"; key_out = \"@/out.key\"; };",
			    &cfg));
	EXPECT_STREQ("t.conf:5: peers.[1].ipsec: peer 'p' has the same local and remote addresses "
		     "(one IPsec connection per address pair)",
		     xb_errmsg());
	EXPECT_EQ(-EINVAL,
		  parse_two(tun_p,
			    "security = \"ipsec-tunnel\"; ipsec = { remote = \"192.0.2.3\";"
			    " remote_subnets = [ \"10.21.0.0/16\" ]; " STATIC_KEYS " };",
			    &cfg));
	EXPECT_STREQ("t.conf:5: peers.[1].ipsec.spi_in: 0x1002 is already used by peer 'p' toward "
		     "10.9.0.1",
		     xb_errmsg());
	/* a transport peer whose host pair lies inside a tunnel's prefixes */
	EXPECT_EQ(
		-EINVAL,
		parse_two("security = \"ipsec-tunnel\"; ipsec = { remote = \"192.0.2.2\";"
			  " local_subnets = [ \"10.9.0.0/24\" ]; remote_subnets = [ \"10.9.0.0/28\" "
			  "]; " STATIC_KEYS " };",
			  "security = \"ipsec-transport\"; ipsec = { spi_in = 0x2002; spi_out = "
			  "0x2001; key_in = \"@/in.key\"; key_out = \"@/out.key\"; };",
			  &cfg));
	EXPECT_STREQ("t.conf:5: peers.[1].ipsec: its selectors overlap those of peer 'p'",
		     xb_errmsg());
}

TEST(key_file_owned_by_another_user) {
	struct xbd_config cfg;
	char path[128], want[256];

	keys();
	if (geteuid() != 0)
		SKIP(return, "needs root to give a file away");
	write_file("nobody.key", "000102030405060708090a0b0c0d0e0f10111213\n", 0600);
	snprintf(path, sizeof(path), "%s/nobody.key", dir);
	ASSERT_EQ(0, chown(path, 65534, 65534));
	EXPECT_EQ(-EINVAL, parse("ipsec-transport",
				 "ipsec = { spi_in = 0x100; spi_out = 0x101; key_in = "
				 "\"@/nobody.key\"; key_out = \"@/out.key\"; };",
				 &cfg));
	snprintf(want, sizeof(want),
		 "t.conf:5: peers.[0].ipsec.key_in: key file %s: owned by uid 65534, not by root",
		 path);
	EXPECT_STREQ(want, xb_errmsg());
}

TEST_HARNESS_MAIN
