// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The peers' "srtp" key (SDES media security toward the peer): its
 * default, the three values, and the mistakes refused with their one-line
 * message naming file, line and key.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "config/config.h"
#include "kselftest_harness.h"

/* Two peers: "b" (line 3) with BODY_B, "in" (line 5) with BODY_IN. */
static int parse(const char *body_b, const char *body_in, struct xbd_config *cfg)
{
	char text[2048];

	snprintf(
		text, sizeof(text),
		"media = ( { name = \"m\"; address = \"10.9.0.5\"; ports = \"30000-30099\"; } );\n"
		"listeners = ( { name = \"l\"; address = \"10.9.0.1\"; port = 5060; } );\n"
		"peers = ( { name = \"b\"; next_hop = \"10.9.0.2\"; listener = \"l\"; media = \"m\"; %s },\n"
		"\n"
		"  { name = \"in\"; next_hop = \"10.1.0.2\"; listener = \"l\"; media = \"m\"; %s } );\n",
		body_b, body_in);
	return xbd_config_parse(text, "t.conf", cfg);
}

TEST(default_is_pass) {
	struct xbd_config cfg;

	ASSERT_EQ(0, parse("", "", &cfg)) TH_LOG("%s", xb_errmsg());
	EXPECT_EQ(XBD_SRTP_PASS, cfg.peers[0].srtp);
	EXPECT_EQ(XBD_SRTP_PASS, cfg.peers[1].srtp);
	EXPECT_STREQ("pass", xbd_srtp_policy_name(cfg.peers[0].srtp));
	xbd_config_free(&cfg);
}

TEST(each_value) {
	struct xbd_config cfg;

	ASSERT_EQ(0, parse("srtp = \"sdes\";", "srtp = \"none\";", &cfg)) TH_LOG("%s", xb_errmsg());
	EXPECT_EQ(XBD_SRTP_SDES, cfg.peers[0].srtp);
	EXPECT_EQ(XBD_SRTP_NONE, cfg.peers[1].srtp);
	EXPECT_STREQ("sdes", xbd_srtp_policy_name(cfg.peers[0].srtp));
	EXPECT_STREQ("none", xbd_srtp_policy_name(cfg.peers[1].srtp));
	xbd_config_free(&cfg);
	ASSERT_EQ(0, parse("srtp = \"pass\";", "srtp = \"pass\"; media_mode = \"direct\";", &cfg))
	TH_LOG("%s", xb_errmsg());
	EXPECT_EQ(XBD_SRTP_PASS, cfg.peers[0].srtp);
	EXPECT_EQ(XBD_SRTP_PASS, cfg.peers[1].srtp);
	xbd_config_free(&cfg);
	EXPECT_STREQ("?", xbd_srtp_policy_name((enum xbd_srtp_policy)7));
}

static void refused(struct __test_metadata *_metadata, const char *b, const char *in,
		    const char *msg)
{
	struct xbd_config cfg;

	EXPECT_EQ(-EINVAL, parse(b, in, &cfg));
	EXPECT_STREQ(msg, xb_errmsg());
}

TEST(mistakes) {
	refused(_metadata, "srtp = \"dtls\";", "",
		"t.conf:3: peers.[0].srtp: 'dtls' is not one of pass, none, sdes");
	refused(_metadata, "srtp = \"SDES\";", "",
		"t.conf:3: peers.[0].srtp: 'SDES' is not one of pass, none, sdes");
	refused(_metadata, "", "srtp = true;",
		"t.conf:5: peers.[1].srtp: expected a string in double quotes");
	refused(_metadata, "", "srtp = \"sdes\"; media_mode = \"direct\";",
		"t.conf:5: peers.[1].srtp: \"sdes\" needs media_mode \"relay\" (direct media is "
		"not touched)");
	refused(_metadata, "srtpp = \"sdes\";", "",
		"t.conf:3: unknown key 'srtpp' in peers.[0] (did you mean 'srtp'?)");
}

TEST_HARNESS_MAIN
