// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The discovery part of the configuration: the dns group, the federations
 * list, and each peer's discovery and federation keys. Values load as
 * written, defaults apply, each mistake has its one-line message, and
 * every key is in the reference page.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xborder/fastpath.h>

#include "common/err.h"
#include "config/config.h"
#include "kselftest_harness.h"

#define L1 "media = ( { name = \"m\"; address = \"10.0.0.1\"; ports = \"20000-20099\"; } );\n"
#define L2 "listeners = ( { name = \"l\"; address = \"10.0.0.1\"; media = \"m\"; } );\n"

static const char *ep_str(const struct xb_endpoint *e)
{
	static char buf[XB_ADDRSTRLEN];

	return xb_fmt_endpoint(e, buf, sizeof(buf));
}

TEST(defaults) {
	struct xbd_config cfg;

	ASSERT_EQ(0, xbd_config_parse(L1 L2 "peers = ( { name = \"p\"; next_hop = \"10.0.0.2\";"
					    " listener = \"l\"; media = \"m\"; } );\n",
				      "d.conf", &cfg))
	TH_LOG("%s", xb_errmsg());
	EXPECT_EQ(0, cfg.dns.n_servers); /* resolv.conf */
	EXPECT_EQ(1000, cfg.dns.timeout_ms);
	EXPECT_EQ(2, cfg.dns.attempts);
	EXPECT_EQ(1024, cfg.dns.cache_size);
	EXPECT_STREQ("e164.arpa", cfg.dns.enum_apex);
	EXPECT_EQ(30, cfg.dns.blocklist_s);
	EXPECT_EQ(0, cfg.n_federations);
	ASSERT_EQ(1, cfg.n_peers);
	EXPECT_EQ(XBD_DISCOVERY_STATIC, cfg.peers[0].discovery);
	EXPECT_STREQ("static", xbd_discovery_name(cfg.peers[0].discovery));
	xbd_config_free(&cfg);
}

TEST(everything_as_written) {
	static const char text[] = L1
		"listeners = ( { name = \"l\"; address = \"10.0.0.1\"; media = \"m\"; },\n"
		"  { name = \"l6\"; address = \"fd00::1\"; media = \"m\"; } );\n"
		"dns = { servers = [ \"10.53.0.1:53\", \"10.53.0.2\", \"[fd00:53::1]:5353\" ];\n"
		"  timeout_ms = 250; attempts = 3; cache_size = 0; enum_apex = \"e164.example\";\n"
		"  blocklist_s = 120; };\n"
		"federations = ( { name = \"fed\"; proxy = \"10.9.0.50:5070\"; },\n"
		"  { name = \"tlsfed\"; tls_cert = \"fed-cert\"; tls_key = \"fed-key\";\n"
		"    tls_ca = \"fed.ca\"; } );\n"
		"peers = ( { name = \"static\"; domains = [ \"a.example\" ]; next_hop = \"10.0.0.2\";\n"
		"    listener = \"l\"; media = \"m\"; },\n"
		"  { name = \"dns\"; domains = [ \"*\" ]; discovery = \"dns\"; listener = \"l\";\n"
		"    media = \"m\"; prefixes = [ \"10.9.0.0/24\" ]; },\n"
		"  { name = \"enum\"; discovery = \"enum\"; listener = \"l6\"; media = \"m\"; },\n"
		"  { name = \"viafed\"; domains = [ \".fed.example\" ]; discovery = \"federation\";\n"
		"    federation = \"fed\"; listener = \"l\"; media = \"m\"; },\n"
		"  { name = \"tls\"; domains = [ \"t.example\" ]; discovery = \"federation\";\n"
		"    federation = \"tlsfed\"; listener = \"l6\"; media = \"m\"; } );\n";
	struct xbd_config cfg;
	const struct xbd_peer *p;
	const struct xbd_federation *f;
	struct xb_addr src;

	ASSERT_EQ(0, xbd_config_parse(text, "d.conf", &cfg)) TH_LOG("%s", xb_errmsg());
	ASSERT_EQ(3, cfg.dns.n_servers);
	EXPECT_STREQ("10.53.0.1:53", ep_str(&cfg.dns.servers[0]));
	EXPECT_STREQ("10.53.0.2:53", ep_str(&cfg.dns.servers[1]));
	EXPECT_STREQ("[fd00:53::1]:5353", ep_str(&cfg.dns.servers[2]));
	EXPECT_EQ(250, cfg.dns.timeout_ms);
	EXPECT_EQ(3, cfg.dns.attempts);
	EXPECT_EQ(0, cfg.dns.cache_size);
	EXPECT_STREQ("e164.example", cfg.dns.enum_apex);
	EXPECT_EQ(120, cfg.dns.blocklist_s);

	ASSERT_EQ(2, cfg.n_federations);
	f = xbd_config_federation(&cfg, "fed");
	ASSERT_NE(NULL, f);
	EXPECT_STREQ("10.9.0.50:5070", ep_str(&f->proxy));
	f = xbd_config_federation(&cfg, "tlsfed");
	ASSERT_NE(NULL, f);
	EXPECT_EQ(0, f->proxy.a.family);
	EXPECT_STREQ("fed-cert", f->tls_cert);
	EXPECT_STREQ("fed-key", f->tls_key);
	EXPECT_STREQ("fed.ca", f->tls_ca);
	EXPECT_EQ(NULL, xbd_config_federation(&cfg, "nope"));

	p = xbd_config_route(&cfg, "a.example");
	ASSERT_NE(NULL, p);
	EXPECT_EQ(XBD_DISCOVERY_STATIC, p->discovery);
	/* static beats DNS for its domain; DNS takes the rest */
	p = xbd_config_route(&cfg, "elsewhere.example");
	ASSERT_NE(NULL, p);
	EXPECT_STREQ("dns", p->name);
	EXPECT_EQ(XBD_DISCOVERY_DNS, p->discovery);
	EXPECT_EQ(0, p->next_hop.a.family);
	p = xbd_config_peer(&cfg, "enum");
	ASSERT_NE(NULL, p);
	EXPECT_EQ(XBD_DISCOVERY_ENUM, p->discovery);
	/* a federation proxy is the next hop: no lookups */
	p = xbd_config_route(&cfg, "x.fed.example");
	ASSERT_NE(NULL, p);
	EXPECT_EQ(XBD_DISCOVERY_FEDERATION, p->discovery);
	EXPECT_STREQ("fed", p->federation);
	EXPECT_STREQ("10.9.0.50:5070", ep_str(&p->next_hop));
	p = xbd_config_route(&cfg, "t.example");
	ASSERT_NE(NULL, p);
	EXPECT_STREQ("tlsfed", p->federation);
	EXPECT_EQ(0, p->next_hop.a.family);
	/* sources: a DNS peer is known by its prefixes, the federation proxy by
	 * its address */
	xb_parse_addr("10.9.0.7", &src);
	p = xbd_config_peer_by_source(&cfg, &src);
	ASSERT_NE(NULL, p);
	EXPECT_STREQ("dns", p->name);
	xb_parse_addr("10.9.0.50", &src);
	p = xbd_config_peer_by_source(&cfg, &src);
	ASSERT_NE(NULL, p);
	EXPECT_STREQ("viafed", p->name);
	xbd_config_free(&cfg);
}

struct bad_case {
	const char *text;
	const char *msg;
};

#define PEER(x) "peers = ( { name = \"p\"; listener = \"l\"; media = \"m\";\n" x " } );\n"

static const struct bad_case bad[] = {
	{ L1 L2 "dns = { server = [ \"10.0.0.1\" ]; };\n",
	  "t.conf:3: unknown key 'server' in dns (did you mean 'servers'?)" },
	{ L1 L2 "dns = ( );\n", "t.conf:3: dns: expected a group { ... }" },
	{ L1 L2 "dns = { servers = \"10.0.0.1\"; };\n",
	  "t.conf:3: dns.servers: expected an array of strings [ \"...\", ... ]" },
	{ L1 L2 "dns = { servers = [ \"10.0.0.1\",\n \"ns.example\" ]; };\n",
	  "t.conf:4: dns.servers: 'ns.example' is not ADDRESS, ADDRESS:PORT or [IPV6]:PORT" },
	{ L1 L2 "dns = { servers = [ \"10.0.0.1:0\" ]; };\n",
	  "t.conf:3: dns.servers: '10.0.0.1:0' is not ADDRESS, ADDRESS:PORT or [IPV6]:PORT" },
	{ L1 L2
	  "dns = { servers = [ \"1.0.0.1\", \"1.0.0.2\", \"1.0.0.3\", \"1.0.0.4\", \"1.0.0.5\","
	  " \"1.0.0.6\", \"1.0.0.7\", \"1.0.0.8\", \"1.0.0.9\" ]; };\n",
	  "t.conf:3: dns.servers: more than 8 servers" },
	{ L1 L2 "dns = { timeout_ms = 5; };\n",
	  "t.conf:3: dns.timeout_ms: 5 is out of range (10-30000)" },
	{ L1 L2 "dns = { attempts = 0; };\n", "t.conf:3: dns.attempts: 0 is out of range (1-10)" },
	{ L1 L2 "dns = { blocklist_s = 100000; };\n",
	  "t.conf:3: dns.blocklist_s: 100000 is out of range (1-86400)" },
	{ L1 L2 "dns = { enum_apex = \"e164..arpa\"; };\n",
	  "t.conf:3: dns.enum_apex: 'e164..arpa' is not a valid domain name" },
	{ L1 L2 "federations = ( { proxy = \"10.0.0.9\"; } );\n",
	  "t.conf:3: federations.[0].name: missing (required)" },
	{ L1 L2 "federations = ( { name = \"f\"; },\n { name = \"f\"; } );\n",
	  "t.conf:4: federations.[1]: federation name 'f' is used twice" },
	{ L1 L2 "federations = ( { name = \"f\";\n proxy = \"proxy.example\"; } );\n",
	  "t.conf:4: federations.[0].proxy: 'proxy.example' is not ADDRESS, ADDRESS:PORT or "
	  "[IPV6]:PORT" },
	{ L1 L2 "federations = ( { name = \"f\";\n tls_ca = \"a/b\"; } );\n",
	  "t.conf:4: federations.[0].tls_ca: 'a/b' is not a valid name (letters, digits, '-', "
	  "'_', '.'; starting with a letter or digit)" },
	{ L1 L2 "federations = ( { name = \"f\"; redirect = true; } );\n",
	  "t.conf:3: unknown key 'redirect' in federations.[0]" },
	{ L1 L2 PEER("discovery = \"srv\";"),
	  "t.conf:4: peers.[0].discovery: 'srv' is not one of static, dns, enum, federation" },
	{ L1 L2 PEER("discovery = \"dns\";\n next_hop = \"10.0.0.2\";"),
	  "t.conf:5: peers.[0].next_hop: only with discovery \"static\" (this peer's is \"dns\")" },
	{ L1 L2 PEER("next_hop = \"10.0.0.2\";\n federation = \"f\";"),
	  "t.conf:5: peers.[0].federation: only with discovery \"federation\"" },
	{ L1 L2 PEER("discovery = \"federation\";"),
	  "t.conf:3: peers.[0].federation: missing (required)" },
	{ L1 L2 "federations = ( { name = \"f\"; } );\n" PEER(
		  "discovery = \"federation\";\n federation = \"g\";"),
	  "t.conf:6: peers.[0].federation: no federation named 'g'" },
	{ L1 L2 "federations = ( { name = \"f\"; proxy = \"[fd00::9]\"; } );\n" PEER(
		  "discovery = \"federation\"; federation = \"f\";"),
	  "t.conf:4: peers.[0].listener: listener 'l' is IPv4 but next_hop is IPv6" },
	{ L1 L2 PEER(""), "t.conf:3: peers.[0].next_hop: missing (required)" },
	{ L1 "listeners = ( { name = \"l\"; address = \"10.0.0.1\";\n redirect = 1; } );\n",
	  "t.conf:3: listeners.[0].redirect: expected true or false" },
};

TEST(each_mistake_has_its_message) {
	struct xbd_config cfg;
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int err = xbd_config_parse(bad[i].text, "t.conf", &cfg);

		EXPECT_EQ(-EINVAL, err) TH_LOG("case %u accepted", i);
		EXPECT_STREQ(bad[i].msg, xb_errmsg()) TH_LOG("case %u", i);
		EXPECT_EQ(0, cfg.n_federations); /* nothing half-loaded */
		EXPECT_EQ(0, cfg.dns.n_servers);
	}
}

/* A federation's central proxy: a listener that answers 302. */
TEST(redirect_listener) {
	struct xbd_config cfg;

	ASSERT_EQ(0,
		  xbd_config_parse(L1 "listeners = ( { name = \"l\"; address = \"10.0.0.1\"; },\n"
				      "  { name = \"r\"; address = \"10.0.0.1\"; port = 5070;"
				      " redirect = true; } );\n",
				   "r.conf", &cfg))
	TH_LOG("%s", xb_errmsg());
	ASSERT_EQ(2, cfg.n_listeners);
	EXPECT_FALSE(cfg.listeners[0].redirect);
	EXPECT_TRUE(cfg.listeners[1].redirect);
	xbd_config_free(&cfg);
}

/* The keys are in the reference page (Documentation/configuration.md). */
TEST(keys_are_documented) {
	static const char *const keys[] = {
		"`dns`",       "`servers`",	"`timeout_ms`",	 "`attempts`",	 "`cache_size`",
		"`enum_apex`", "`blocklist_s`", "`federations`", "`proxy`",	 "`tls_cert`",
		"`tls_key`",   "`tls_ca`",	"`discovery`",	 "`federation`", "`redirect`",
	};
	const char *top = getenv("XB_TOP") ? getenv("XB_TOP") : ".";
	char path[4096], *doc;
	unsigned int i;
	long n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/Documentation/configuration.md", top);
	f = fopen(path, "r");
	ASSERT_NE(NULL, f) TH_LOG("cannot open %s (run from the repository root)", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	doc = calloc(1, (size_t)n + 1);
	ASSERT_EQ((size_t)n, fread(doc, 1, (size_t)n, f));
	fclose(f);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		EXPECT_NE(NULL, strstr(doc, keys[i])) TH_LOG("%s is not documented", keys[i]);
	free(doc);
}

TEST_HARNESS_MAIN
