// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The configuration loader: the documented example loads with every field
 * as written, defaults apply, each kind of mistake gives its one-line
 * message with the right line number, and the routing lookups pick the
 * right peer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xborder/fastpath.h>

#include "common/err.h"
#include "common/log.h"
#include "config/config.h"
#include "kselftest_harness.h"

static const char *addr_str(const struct xb_addr *a, char *buf)
{
	return xb_fmt_addr(a, buf, XB_ADDRSTRLEN);
}

static const char *ep_str(const struct xb_endpoint *e, char *buf)
{
	return xb_fmt_endpoint(e, buf, XB_ADDRSTRLEN);
}

/* The example of Documentation/configuration.md, as shipped. */
TEST(documented_example_loads) {
	const char *top = getenv("XB_TOP") ? getenv("XB_TOP") : ".";
	struct xbd_config cfg;
	const struct xbd_peer *p;
	char path[4096], b[XB_ADDRSTRLEN];
	int err;

	snprintf(path, sizeof(path), "%s/Documentation/examples/xborderd.conf", top);
	err = xbd_config_load(path, &cfg);
	ASSERT_EQ(0, err) TH_LOG("%s (run from the repository root or set XB_TOP)", xb_errmsg());
	EXPECT_STREQ(path, cfg.path);
	EXPECT_STREQ("a.example", cfg.domain);
	EXPECT_STREQ("/run/xborder/xborderd.sock", cfg.control_socket);
	EXPECT_STREQ(XB_PIN_DIR, cfg.pin_dir);
	EXPECT_STREQ("/run/xborder", cfg.state_dir);
	EXPECT_EQ(XB_LOG_INFO, cfg.log_level);
	EXPECT_FALSE(cfg.log_syslog);
	EXPECT_EQ(10000, cfg.max_calls);
	EXPECT_EQ(65535, cfg.max_message);

	ASSERT_EQ(2, cfg.n_media);
	EXPECT_STREQ("inside", cfg.media[0].name);
	EXPECT_STREQ("veth-in", cfg.media[0].device);
	EXPECT_STREQ("10.1.0.1", addr_str(&cfg.media[0].address, b));
	EXPECT_EQ(0, cfg.media[0].advertise.family);
	EXPECT_EQ(20000, cfg.media[0].port_min);
	EXPECT_EQ(20999, cfg.media[0].port_max);
	EXPECT_TRUE(cfg.media[0].xdp);
	EXPECT_STREQ("border", cfg.media[1].name);
	EXPECT_STREQ("192.0.2.10", addr_str(&cfg.media[1].advertise, b));
	EXPECT_EQ(30000, cfg.media[1].port_min);
	EXPECT_TRUE(cfg.media[1].xdp); /* default when a device is given */

	ASSERT_EQ(4, cfg.n_listeners);
	EXPECT_STREQ("inside", cfg.listeners[0].name);
	EXPECT_EQ(XBD_TRANSPORT_UDP, cfg.listeners[0].transport);
	EXPECT_STREQ("10.1.0.1:5060", ep_str(&cfg.listeners[0].local, b));
	EXPECT_STREQ("inside", cfg.listeners[0].media);
	EXPECT_EQ(XBD_TRANSPORT_TCP, cfg.listeners[1].transport);
	EXPECT_STREQ("border", cfg.listeners[2].name);
	EXPECT_STREQ("192.0.2.10", addr_str(&cfg.listeners[2].advertise, b));

	ASSERT_EQ(3, cfg.n_peers);
	p = &cfg.peers[0];
	EXPECT_STREQ("ssp-b", p->name);
	ASSERT_EQ(2, p->n_domains);
	EXPECT_STREQ("b.example", p->domains[0]);
	EXPECT_STREQ(".b.example", p->domains[1]);
	EXPECT_STREQ("10.9.0.2:5060", ep_str(&p->next_hop, b));
	EXPECT_EQ(XBD_TRANSPORT_UDP, p->transport);
	EXPECT_STREQ("border", p->listener);
	EXPECT_STREQ("border", p->media);
	EXPECT_EQ(XBD_MEDIA_RELAY, p->media_mode);
	EXPECT_EQ(XBD_SECURITY_NONE, p->security);
	EXPECT_FALSE(p->latching);
	ASSERT_EQ(1, p->n_prefixes);
	EXPECT_STREQ("10.9.0.0/24",
		     xb_fmt_prefix(&p->prefixes[0], p->prefix_lens[0], b, sizeof(b)));
	p = &cfg.peers[1];
	EXPECT_TRUE(p->latching);
	ASSERT_EQ(2, p->n_prefixes);
	EXPECT_STREQ("fd00:1::/64",
		     xb_fmt_prefix(&p->prefixes[1], p->prefix_lens[1], b, sizeof(b)));
	p = &cfg.peers[2];
	EXPECT_EQ(XBD_MEDIA_DIRECT, p->media_mode);
	EXPECT_EQ(XBD_TRANSPORT_TCP, p->transport);
	EXPECT_STREQ("10.9.0.3:5070", ep_str(&p->next_hop, b));
	EXPECT_STREQ("", p->media);

	EXPECT_EQ(500, cfg.timers.t1_ms);
	EXPECT_EQ(4000, cfg.timers.t2_ms);
	EXPECT_EQ(5000, cfg.timers.t4_ms);
	EXPECT_EQ(180, cfg.timers.timer_c_s);
	EXPECT_EQ(300, cfg.timers.tcp_idle_s);
	EXPECT_EQ(60, cfg.timers.media_timeout_s);
	EXPECT_EQ(5, cfg.timers.media_check_s);
	xbd_config_free(&cfg);
	EXPECT_EQ(NULL, cfg.peers);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;

	if (!f)
		return NULL;
	if (getdelim(&buf, &len, '\0', f) < 0) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* The reference page shows the example file verbatim: they cannot drift. */
TEST(reference_page_shows_the_example) {
	const char *top = getenv("XB_TOP") ? getenv("XB_TOP") : ".";
	char path[4096], *doc, *example;

	snprintf(path, sizeof(path), "%s/Documentation/configuration.md", top);
	doc = slurp(path);
	ASSERT_NE(NULL, doc) TH_LOG("cannot read %s", path);
	snprintf(path, sizeof(path), "%s/Documentation/examples/xborderd.conf", top);
	example = slurp(path);
	ASSERT_NE(NULL, example) TH_LOG("cannot read %s", path);
	EXPECT_NE(NULL, strstr(doc, example));
	free(doc);
	free(example);
}

/* Every key set to something other than its default. */
static const char full[] = "xborderd = {\n"
			   "  domain = \"sbe.a.example\"; control_socket = \"/tmp/x/c.sock\";\n"
			   "  pin_dir = \"/sys/fs/bpf/xb-t\"; state_dir = \"/var/lib/xb\";\n"
			   "  log_level = \"debug\"; log_syslog = true;\n"
			   "  max_calls = 7; max_message = 4096;\n"
			   "};\n"
			   "media = ( { name = \"m6\"; address = \"fd00::1\";\n"
			   "  advertise = \"2001:db8::1\"; ports = \"40000-40001\"; xdp = false;\n"
			   "  device = \"eth0\"; } );\n"
			   "listeners = ( { name = \"l6\"; transport = \"tcp\";\n"
			   "  address = \"fd00::1\"; port = 5070; media = \"m6\";\n"
			   "  advertise = \"2001:db8::1\"; } );\n"
			   "peers = ( { name = \"co\"; domains = [ \"*\" ];\n"
			   "  next_hop = \"fd00::2\"; transport = \"tcp\"; listener = \"l6\";\n"
			   "  media = \"m6\"; media_mode = \"direct\"; security = \"colocation\";\n"
			   "  latching = true; prefixes = [ \"fd00::/16\" ]; } );\n"
			   "timers = { t1_ms = 100; t2_ms = 200; t4_ms = 300; timer_c_s = 1;\n"
			   "  tcp_idle_s = 9; media_timeout_s = 0; media_check_s = 3600; };\n";

TEST(every_key_is_read) {
	struct xbd_config cfg;
	char b[XB_ADDRSTRLEN];
	const struct xbd_peer *p;

	ASSERT_EQ(0, xbd_config_parse(full, "full.conf", &cfg)) TH_LOG("%s", xb_errmsg());
	EXPECT_STREQ("full.conf", cfg.path);
	EXPECT_STREQ("sbe.a.example", cfg.domain);
	EXPECT_STREQ("/tmp/x/c.sock", cfg.control_socket);
	EXPECT_STREQ("/sys/fs/bpf/xb-t", cfg.pin_dir);
	EXPECT_STREQ("/var/lib/xb", cfg.state_dir);
	EXPECT_EQ(XB_LOG_DEBUG, cfg.log_level);
	EXPECT_STREQ("debug", xbd_log_level_name(cfg.log_level));
	EXPECT_TRUE(cfg.log_syslog);
	EXPECT_EQ(7, cfg.max_calls);
	EXPECT_EQ(4096, cfg.max_message);
	ASSERT_EQ(1, cfg.n_media);
	EXPECT_STREQ("fd00::1", addr_str(&cfg.media[0].address, b));
	EXPECT_STREQ("2001:db8::1", addr_str(&cfg.media[0].advertise, b));
	EXPECT_EQ(40000, cfg.media[0].port_min);
	EXPECT_EQ(40001, cfg.media[0].port_max);
	EXPECT_FALSE(cfg.media[0].xdp);
	EXPECT_STREQ("eth0", cfg.media[0].device);
	ASSERT_EQ(1, cfg.n_listeners);
	EXPECT_STREQ("[fd00::1]:5070", ep_str(&cfg.listeners[0].local, b));
	EXPECT_STREQ("tcp", xbd_transport_name(cfg.listeners[0].transport));
	ASSERT_EQ(1, cfg.n_peers);
	p = &cfg.peers[0];
	EXPECT_STREQ("[fd00::2]:5060", ep_str(&p->next_hop, b)); /* default port */
	EXPECT_STREQ("direct", xbd_media_mode_name(p->media_mode));
	EXPECT_STREQ("colocation", xbd_security_name(p->security));
	EXPECT_TRUE(p->latching);
	EXPECT_EQ(16, p->prefix_lens[0]);
	EXPECT_EQ(100, cfg.timers.t1_ms);
	EXPECT_EQ(200, cfg.timers.t2_ms);
	EXPECT_EQ(300, cfg.timers.t4_ms);
	EXPECT_EQ(1, cfg.timers.timer_c_s);
	EXPECT_EQ(9, cfg.timers.tcp_idle_s);
	EXPECT_EQ(0, cfg.timers.media_timeout_s);
	EXPECT_EQ(3600, cfg.timers.media_check_s);
	xbd_config_free(&cfg);
}

TEST(defaults) {
	struct xbd_config cfg;

	ASSERT_EQ(0, xbd_config_parse("listeners = ( { name = \"l\"; address = \"127.0.0.1\"; } );",
				      "min.conf", &cfg))
	TH_LOG("%s", xb_errmsg());
	EXPECT_STREQ("", cfg.domain);
	EXPECT_STREQ("/run/xborder/xborderd.sock", cfg.control_socket);
	EXPECT_STREQ(XB_PIN_DIR, cfg.pin_dir);
	EXPECT_STREQ("/run/xborder", cfg.state_dir);
	EXPECT_EQ(XB_LOG_INFO, cfg.log_level);
	EXPECT_EQ(10000, cfg.max_calls);
	EXPECT_EQ(65535, cfg.max_message);
	EXPECT_EQ(500, cfg.timers.t1_ms);
	EXPECT_EQ(4000, cfg.timers.t2_ms);
	EXPECT_EQ(5000, cfg.timers.t4_ms);
	EXPECT_EQ(180, cfg.timers.timer_c_s);
	EXPECT_EQ(300, cfg.timers.tcp_idle_s);
	EXPECT_EQ(60, cfg.timers.media_timeout_s);
	EXPECT_EQ(5, cfg.timers.media_check_s);
	ASSERT_EQ(1, cfg.n_listeners);
	EXPECT_EQ(5060, cfg.listeners[0].local.port);
	EXPECT_EQ(XBD_TRANSPORT_UDP, cfg.listeners[0].transport);
	EXPECT_STREQ("", cfg.listeners[0].media);
	EXPECT_EQ(0, cfg.n_peers);
	EXPECT_EQ(NULL, cfg.peers);
	EXPECT_EQ(0, cfg.n_media);
	xbd_config_free(&cfg);
}

/*
 * A small valid file, one setting per line, so a case can replace a line
 * and know its number: line 1 media, 2 listener, 3-8 the peer.
 */
#define L1 "media = ( { name = \"m\"; address = \"10.0.0.1\"; ports = \"20000-20099\"; } );\n"
#define L2 "listeners = ( { name = \"l\"; address = \"10.0.0.1\"; media = \"m\"; } );\n"
#define L3 "peers = ( {\n"
#define L4 "  name = \"p\";\n"
#define L5 "  domains = [ \"b.example\" ];\n"
#define L6 "  next_hop = \"10.0.0.2:5060\";\n"
#define L7 "  listener = \"l\"; media = \"m\";\n"
#define L8 "} );\n"

struct bad_case {
	const char *text;
	const char *msg;
};

static const struct bad_case bad[] = {
	/* typos in keys, with a suggestion when one is close */
	{ L1 L2 L3 L4 L5 "  next_hopp = \"10.0.0.2\";\n" L7 L8,
	  "t.conf:6: unknown key 'next_hopp' in peers.[0] (did you mean 'next_hop'?)" },
	{ L1 "lisenters = ( );\n",
	  "t.conf:2: unknown key 'lisenters' in the top level (did you mean 'listeners'?)" },
	{ L1 L2 "timers = {\n t1_ms = 100;\n frobnicate = 1; };\n",
	  "t.conf:5: unknown key 'frobnicate' in timers" },
	/* types */
	{ L1 "listeners = ( { name = \"l\"; address = \"10.0.0.1\";\n port = \"5060\"; } );\n",
	  "t.conf:3: listeners.[0].port: expected an integer" },
	{ L1 L2 "xborderd = { log_syslog = 1; };\n",
	  "t.conf:3: xborderd.log_syslog: expected true or false" },
	{ L1 L2 "xborderd = { domain = 5; };\n",
	  "t.conf:3: xborderd.domain: expected a string in double quotes" },
	{ L1 L2 "timers = { t1_ms = 1.5; };\n", "t.conf:3: timers.t1_ms: expected an integer" },
	{ L1 L2 "peers = { name = \"x\"; };\n",
	  "t.conf:3: peers: expected a list ( { ... }, { ... } )" },
	{ L1 L2 L3 L4 "  domains = \"b.example\";\n" L6 L7 L8,
	  "t.conf:5: peers.[0].domains: expected an array of strings [ \"...\", ... ]" },
	/* ranges */
	{ L1 "listeners = ( { name = \"l\"; address = \"10.0.0.1\";\n port = 70000; } );\n",
	  "t.conf:3: listeners.[0].port: 70000 is out of range (1-65535)" },
	{ L1 L2 "timers = { timer_c_s = 0; };\n",
	  "t.conf:3: timers.timer_c_s: 0 is out of range (1-3600)" },
	{ L1 L2 "xborderd = {\n max_calls = 4294967297; };\n",
	  "t.conf:4: number '4294967297' is too large" },
	{ L1 L2 "timers = { t1_ms = 4000; };\n",
	  "t.conf:3: timers.t2_ms: must be larger than t1_ms (4000)" },
	{ L1 L2 "timers = { media_timeout_s = 10;\n media_check_s = 11; };\n",
	  "t.conf:4: timers.media_check_s: must not be larger than media_timeout_s (10)" },
	/* port ranges */
	{ "media = ( { name = \"m\"; address = \"10.0.0.1\";\n ports = \"20001-20099\"; } );\n" L2,
	  "t.conf:2: media.[0].ports: '20001-20099' must start on an even port (RTP even, RTCP "
	  "odd)" },
	{ "media = ( { name = \"m\"; address = \"10.0.0.1\";\n ports = \"20000\"; } );\n" L2,
	  "t.conf:2: media.[0].ports: '20000' holds no RTP/RTCP port pair" },
	{ "media = ( { name = \"m\"; address = \"10.0.0.1\";\n ports = \"1000-1099\"; } );\n" L2,
	  "t.conf:2: media.[0].ports: '1000-1099' starts below 1024" },
	{ "media = ( { name = \"m\"; address = \"10.0.0.1\";\n ports = \"3000-2000\"; } );\n" L2,
	  "t.conf:2: media.[0].ports: invalid port range '3000-2000' (LO-HI, 1 <= LO <= HI <= "
	  "65535)" },
	{ L1 "media = ( { name = \"n\"; address = \"10.0.0.1\";\n ports = \"20098-20199\"; } );\n",
	  "t.conf:2: duplicate setting name" },
	{ "media = ( { name = \"m\"; address = \"10.0.0.1\"; ports = \"20000-20099\"; },\n"
	  "  { name = \"n\"; address = \"10.0.0.1\";\n ports = \"20098-20199\"; } );\n" L2,
	  "t.conf:3: media.[1].ports: '20098-20199' overlaps the ports of media interface 'm' on "
	  "the same address" },
	/* names */
	{ L1 "listeners = ( { name = \"l\"; address = \"10.0.0.1\"; },\n"
	     "  { name = \"l\"; address = \"10.0.0.2\"; } );\n",
	  "t.conf:3: listeners.[1]: listener name 'l' is used twice" },
	{ L1 "listeners = ( { name = \"l x\"; address = \"10.0.0.1\"; } );\n",
	  "t.conf:2: listeners.[0].name: 'l x' is not a valid name (letters, digits, '-', '_', '.'; "
	  "starting with a letter or digit)" },
	{ L1 "listeners = ( { name = \"a\"; address = \"10.0.0.1\"; },\n"
	     "  { name = \"b\"; address = \"10.0.0.1\"; } );\n",
	  "t.conf:3: listeners.[1]: same transport, address and port as listener 'a'" },
	/* references */
	{ L1 "listeners = ( { name = \"l\"; address = \"10.0.0.1\"; media = \"x\"; } );\n",
	  "t.conf:2: listeners.[0].media: no media interface named 'x'" },
	{ L1 L2 L3 L4 L5 L6 "  listener = \"nope\"; media = \"m\";\n" L8,
	  "t.conf:7: peers.[0].listener: no listener named 'nope'" },
	{ L1 L2 L3 L4 L5 L6 "  listener = \"l\";\n" L8,
	  "t.conf:3: peers.[0].media: missing (required when media_mode is \"relay\")" },
	{ L1 L2 L3 L4 L5 L6 "  listener = \"l\"; media = \"zz\";\n" L8,
	  "t.conf:7: peers.[0].media: no media interface named 'zz'" },
	{ L1 L2 L3 L4 L5 "  next_hop = \"10.0.0.2:5060\"; transport = \"tcp\";\n" L7 L8,
	  "t.conf:7: peers.[0].listener: listener 'l' is udp but the peer's transport is tcp" },
	{ L1 L2 L3 L4 L5 "  next_hop = \"[fd00::2]:5060\";\n" L7 L8,
	  "t.conf:7: peers.[0].listener: listener 'l' is IPv4 but next_hop is IPv6" },
	{ L1 L2 L3 L4 L5 L7 L8, "t.conf:3: peers.[0].next_hop: missing (required)" },
	/* addresses and domains */
	{ L1 L2 L3 L4 L5 "  next_hop = \"10.0.0.300:5060\";\n" L7 L8,
	  "t.conf:6: peers.[0].next_hop: invalid address:port '10.0.0.300:5060': invalid IPv4 "
	  "address '10.0.0.300'" },
	{ L1 L2 L3 L4 L5 "  next_hop = \"b.example\";\n" L7 L8,
	  "t.conf:6: peers.[0].next_hop: 'b.example' is not ADDRESS, ADDRESS:PORT or [IPV6]:PORT" },
	{ L1 L2 L3 L4 "  domains = [ \"b..example\" ];\n" L6 L7 L8,
	  "t.conf:5: peers.[0].domains: 'b..example' is not a domain (host name, '.suffix' or '*')" },
	{ L1 L2 L3 L4 "  domains = [ \"b_x.example\" ];\n" L6 L7 L8,
	  "t.conf:5: peers.[0].domains: 'b_x.example' is not a domain (host name, '.suffix' or "
	  "'*')" },
	{ L1 L2 L3 L4 "  domains = [ \"-b.example\" ];\n" L6 L7 L8,
	  "t.conf:5: peers.[0].domains: '-b.example' is not a domain (host name, '.suffix' or "
	  "'*')" },
	{ L1 L2 L3 L4 L5 L6 L7 "}, { name = \"q\"; domains = [ \"x.example\",\n"
			       " \"B.Example\" ]; next_hop = \"10.0.0.3\"; listener = \"l\";\n"
			       " media = \"m\"; } );\n",
	  "t.conf:9: peers.[1].domains: domain 'B.Example' is already routed to peer 'p'" },
	{ L1 "listeners = ( { name = \"l\"; address = \"10.0.0.1.1\"; } );\n",
	  "t.conf:2: listeners.[0].address: invalid IPv4 address '10.0.0.1.1'" },
	{ L1 L2 L3 L4 L5 L6 L7 "  prefixes = [ \"10.0.0.0/33\" ];\n" L8,
	  "t.conf:8: peers.[0].prefixes: invalid prefix '10.0.0.0/33' (length 0-32)" },
	/* enums */
	{ L1 L2 L3 L4 L5 L6 L7 "  media_mode = \"relayed\";\n" L8,
	  "t.conf:8: peers.[0].media_mode: 'relayed' is not one of relay, direct" },
	{ L1 "listeners = ( { name = \"l\"; address = \"10.0.0.1\"; transport = \"tls\"; } );\n",
	  "t.conf:2: listeners.[0].transport: 'tls' is not supported by this version yet" },
	{ L1 L2 L3 L4 L5 L6 L7 "  security = \"ipsec-tunnel\";\n" L8,
	  "t.conf:3: peers.[0].ipsec: missing (required when security is \"ipsec-tunnel\")" },
	{ L1 L2 L3 L4 L5 L6 L7 "  security = \"colocation\";\n" L8,
	  "t.conf:3: peers.[0].prefixes: required when security is \"colocation\"" },
	{ L1 L2 "xborderd = { log_level = \"verbose\"; };\n",
	  "t.conf:3: xborderd.log_level: 'verbose' is not one of err, warn, info, debug" },
	/* paths, devices */
	{ L1 L2 "xborderd = { state_dir = \"run/xb\"; };\n",
	  "t.conf:3: xborderd.state_dir: 'run/xb' is not an absolute path" },
	{ L1 L2
	  "xborderd = { control_socket = \"/run/"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxx\"; };\n",
	  "t.conf:3: xborderd.control_socket: longer than 107 characters" },
	{ "media = ( { name = \"m\"; address = \"10.0.0.1\"; ports = \"20000-20099\";\n"
	  "  xdp = true; } );\n" L2,
	  "t.conf:2: media.[0].xdp: needs a device to attach to" },
	{ "media = ( { name = \"m\"; address = \"10.0.0.1\"; ports = \"20000-20099\";\n"
	  "  device = \"a/b\"; } );\n" L2,
	  "t.conf:2: media.[0].device: 'a/b' is not a valid interface name (1-15 characters)" },
	/* file level */
	{ L1, "t.conf: listeners: at least one listener is required" },
	{ L1 L2 "xborderd = { domain = ; };\n", "t.conf:3: syntax error" },
	{ L1 "\n  @include \"/etc/passwd\"\n" L2,
	  "t.conf:3: @include and other directives are not supported" },
	{ L1 L2 "xborderd = { domain = \"a\\nb\"; };\n",
	  "t.conf:3: xborderd.domain: 'a?b' is not a valid domain name" },
};

TEST(each_mistake_has_its_message) {
	struct xbd_config cfg;
	unsigned int i;

	/* the base itself is valid, so each case fails for its own reason */
	ASSERT_EQ(0, xbd_config_parse(L1 L2 L3 L4 L5 L6 L7 L8, "t.conf", &cfg))
	TH_LOG("%s", xb_errmsg());
	xbd_config_free(&cfg);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int err = xbd_config_parse(bad[i].text, "t.conf", &cfg);

		EXPECT_EQ(-EINVAL, err) TH_LOG("case %u accepted", i);
		EXPECT_STREQ(bad[i].msg, xb_errmsg()) TH_LOG("case %u", i);
		EXPECT_EQ(NULL, cfg.peers);
		EXPECT_EQ(0, cfg.n_peers);
		EXPECT_EQ(0, cfg.n_listeners); /* nothing half-loaded */
		EXPECT_EQ(NULL, strchr(xb_errmsg(), '\n'));
	}
}

/* Same port ranges on different addresses, and media-direct without media. */
TEST(valid_variations) {
	struct xbd_config cfg;

	ASSERT_EQ(
		0,
		xbd_config_parse(
			"media = ( { name = \"a\"; address = \"10.0.0.1\"; ports = \"20000-20001\"; },"
			" { name = \"b\"; address = \"10.0.0.2\"; ports = \"20000-20001\"; } );\n"
			"listeners = ( { name = \"l\"; address = \"10.0.0.1\"; },"
			" { name = \"t\"; transport = \"tcp\"; address = \"10.0.0.1\"; } );\n"
			"peers = ( { name = \"d\"; next_hop = \"10.0.0.9\"; listener = \"l\";"
			" media_mode = \"direct\"; } );\n",
			"v.conf", &cfg))
	TH_LOG("%s", xb_errmsg());
	EXPECT_EQ(2, cfg.n_media);
	EXPECT_EQ(2, cfg.n_listeners);
	EXPECT_EQ(1, cfg.n_peers);
	EXPECT_EQ(0, cfg.peers[0].n_domains);
	xbd_config_free(&cfg);
}

TEST(file_errors) {
	char dir[] = "/tmp/xb-config-XXXXXX", path[64];
	struct xbd_config cfg;
	int fd;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/missing.conf", dir);
	EXPECT_EQ(-ENOENT, xbd_config_load(path, &cfg));
	EXPECT_NE(NULL, strstr(xb_errmsg(), "No such file or directory"));
	EXPECT_EQ(-EINVAL, xbd_config_load(dir, &cfg));
	EXPECT_NE(NULL, strstr(xb_errmsg(), "not a regular file"));

	snprintf(path, sizeof(path), "%s/nul.conf", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(6, write(fd, "a = 1;\0", 6));
	ASSERT_EQ(1, write(fd, "", 1));
	close(fd);
	EXPECT_EQ(-EINVAL, xbd_config_load(path, &cfg));
	EXPECT_NE(NULL, strstr(xb_errmsg(), "contains a NUL byte"));

	/* the file name is what the messages carry */
	snprintf(path, sizeof(path), "%s/typo.conf", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(12, write(fd, "\n\ntimerz = 1", 12));
	close(fd);
	EXPECT_EQ(-EINVAL, xbd_config_load(path, &cfg));
	EXPECT_NE(NULL, strstr(xb_errmsg(), "typo.conf:3: unknown key 'timerz'"))
	TH_LOG("%s", xb_errmsg());
	unlink(path);
	snprintf(path, sizeof(path), "%s/nul.conf", dir);
	unlink(path);
	rmdir(dir);
}

static const char routes[] =
	"listeners = ( { name = \"l\"; address = \"10.0.0.1\"; },"
	" { name = \"l6\"; address = \"fd00::1\"; } );\n"
	"peers = (\n"
	" { name = \"exact\"; domains = [ \"b.example\" ]; next_hop = \"10.1.0.1\";"
	"   listener = \"l\"; media_mode = \"direct\"; prefixes = [ \"10.1.0.0/16\" ]; },\n"
	" { name = \"sub\"; domains = [ \".b.example\" ]; next_hop = \"10.1.2.1\";"
	"   listener = \"l\"; media_mode = \"direct\"; prefixes = [ \"10.1.2.0/24\" ]; },\n"
	" { name = \"deep\"; domains = [ \".x.b.example\", \"c.example\" ];"
	"   next_hop = \"10.1.2.3\"; listener = \"l\"; media_mode = \"direct\"; },\n"
	" { name = \"six\"; domains = [ \"[fd00::5]\" ]; next_hop = \"[fd00::5]:5062\";"
	"   listener = \"l6\"; media_mode = \"direct\"; prefixes = [ \"fd00::/64\", \"10.1.2.3\" ];"
	" },\n"
	" { name = \"any\"; domains = [ \"*\" ]; next_hop = \"10.2.0.1\"; listener = \"l\";"
	"   media_mode = \"direct\"; prefixes = [ \"0.0.0.0/0\" ]; }\n"
	");\n";

static const char *route(const struct xbd_config *cfg, const char *host)
{
	const struct xbd_peer *p = xbd_config_route(cfg, host);

	return p ? p->name : "(none)";
}

static const char *by_source(const struct xbd_config *cfg, const char *addr)
{
	const struct xbd_peer *p;
	struct xb_addr a;

	if (xb_parse_addr(addr, &a))
		return "(bad address)";
	p = xbd_config_peer_by_source(cfg, &a);
	return p ? p->name : "(none)";
}

TEST(routing_lookups) {
	struct xbd_config cfg;

	ASSERT_EQ(0, xbd_config_parse(routes, "r.conf", &cfg)) TH_LOG("%s", xb_errmsg());
	EXPECT_STREQ("exact", route(&cfg, "b.example"));
	EXPECT_STREQ("exact", route(&cfg, "B.EXAMPLE"));
	EXPECT_STREQ("exact", route(&cfg, "b.example."));
	EXPECT_STREQ("sub", route(&cfg, "sip.b.example"));
	EXPECT_STREQ("sub", route(&cfg, "x.b.example")); /* ".x.b.example" needs more */
	EXPECT_STREQ("deep", route(&cfg, "a.x.b.example"));
	EXPECT_STREQ("deep", route(&cfg, "c.example"));
	EXPECT_STREQ("six", route(&cfg, "[fd00::5]"));
	EXPECT_STREQ("any", route(&cfg, "xb.example")); /* not a suffix match of b.example */
	EXPECT_STREQ("any", route(&cfg, "example"));
	EXPECT_STREQ("(none)", route(&cfg, ""));
	EXPECT_STREQ("(none)", route(&cfg, NULL));

	EXPECT_STREQ("exact", by_source(&cfg, "10.1.0.1"));
	EXPECT_STREQ("exact", by_source(&cfg, "10.1.9.9"));
	EXPECT_STREQ("sub", by_source(&cfg, "10.1.2.9"));
	/* next hop of "deep" wins over the /32 of "six" and the /24 of "sub" */
	EXPECT_STREQ("deep", by_source(&cfg, "10.1.2.3"));
	EXPECT_STREQ("six", by_source(&cfg, "fd00::77"));
	EXPECT_STREQ("(none)", by_source(&cfg, "fd01::1"));
	EXPECT_STREQ("any", by_source(&cfg, "192.0.2.1"));

	EXPECT_EQ(&cfg.listeners[1], xbd_config_listener(&cfg, "l6"));
	EXPECT_EQ(NULL, xbd_config_listener(&cfg, "l7"));
	EXPECT_EQ(NULL, xbd_config_media(&cfg, "l"));
	EXPECT_EQ(&cfg.peers[2], xbd_config_peer(&cfg, "deep"));
	xbd_config_free(&cfg);

	/* without "*", unknown hosts have no route */
	ASSERT_EQ(0, xbd_config_parse("listeners = ( { name = \"l\"; address = \"10.0.0.1\"; } );"
				      "peers = ( { name = \"p\"; domains = [ \"b.example\" ];"
				      " next_hop = \"10.1.0.1\"; listener = \"l\";"
				      " media_mode = \"direct\"; } );",
				      "r2.conf", &cfg));
	EXPECT_STREQ("(none)", route(&cfg, "c.example"));
	EXPECT_STREQ("(none)", by_source(&cfg, "10.1.0.2"));
	xbd_config_free(&cfg);
}

/* Many peers on the heap, up to the limit, and one more is refused. */
TEST(peer_limit) {
	size_t cap = (XBD_MAX_PEERS + 2) * 160 + 256, len = 0;
	char *text = malloc(cap);
	struct xbd_config cfg;
	unsigned int i;

	ASSERT_NE(NULL, text);
	len += snprintf(text + len, cap - len,
			"listeners = ( { name = \"l\"; address = \"10.0.0.1\"; } );\npeers = (\n");
	for (i = 0; i < XBD_MAX_PEERS; i++)
		len += snprintf(text + len, cap - len,
				"%s{ name = \"p%u\"; domains = [ \"d%u.example\" ]; next_hop = "
				"\"10.%u.%u.1\"; listener = \"l\"; media_mode = \"direct\"; }\n",
				i ? "," : "", i, i, i / 256, i % 256);
	snprintf(text + len, cap - len, ");\n");
	ASSERT_EQ(0, xbd_config_parse(text, "many.conf", &cfg)) TH_LOG("%s", xb_errmsg());
	EXPECT_EQ(XBD_MAX_PEERS, cfg.n_peers);
	EXPECT_STREQ("p1000", route(&cfg, "d1000.example"));
	EXPECT_STREQ("p513", by_source(&cfg, "10.2.1.1"));
	xbd_config_free(&cfg);

	text[len] = '\0';
	snprintf(text + len, cap - len,
		 ",{ name = \"px\"; next_hop = \"10.99.0.1\"; listener = \"l\";"
		 " media_mode = \"direct\"; }\n);\n");
	EXPECT_EQ(-EINVAL, xbd_config_parse(text, "many.conf", &cfg));
	EXPECT_STREQ("many.conf:2: peers: more than 1024 entries", xb_errmsg());
	free(text);
}

TEST_HARNESS_MAIN
