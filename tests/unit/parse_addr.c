// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The operator-input parsers of userspace/common/addr.c: what they accept,
 * what they refuse (with a message, never a crash), and that formatting
 * gives back what was parsed.
 */
#include <errno.h>
#include <string.h>

#include <xborder/fastpath.h>

#include "common/addr.h"
#include "common/err.h"
#include "kselftest_harness.h"

static const char *fmt_ep(const char *in)
{
	static char buf[XB_ADDRSTRLEN];
	struct xb_endpoint e;

	if (xb_parse_endpoint(in, &e))
		return "ERR";
	return xb_fmt_endpoint(&e, buf, sizeof(buf));
}

TEST(endpoint_accepts_v4_and_bracketed_v6) {
	struct xb_endpoint e;

	ASSERT_EQ(0, xb_parse_endpoint("192.0.2.1:5060", &e));
	EXPECT_EQ(XB_AF_INET, e.a.family);
	EXPECT_EQ(5060, e.port);
	EXPECT_EQ(192, e.a.addr[0]);
	EXPECT_EQ(1, e.a.addr[3]);
	/* IPv4 keeps bytes 4..15 zero: the fast path compares all 16 */
	for (int i = 4; i < 16; i++)
		EXPECT_EQ(0, e.a.addr[i]);
	ASSERT_EQ(0, xb_parse_endpoint("[2001:db8::1]:65535", &e));
	EXPECT_EQ(XB_AF_INET6, e.a.family);
	EXPECT_EQ(65535, e.port);
	EXPECT_EQ(0x20, e.a.addr[0]);
	EXPECT_EQ(1, e.a.addr[15]);
	EXPECT_STREQ("192.0.2.1:1", fmt_ep("192.0.2.1:1"));
	EXPECT_STREQ("[2001:db8::1]:20000", fmt_ep("[2001:db8:0::1]:20000"));
}

TEST(endpoint_refuses_garbage) {
	static const char *const bad[] = {
		"",
		"192.0.2.1",
		"192.0.2.1:",
		"192.0.2.1:0",
		"192.0.2.1:65536",
		"192.0.2.1:+80",
		"192.0.2.1:-1",
		"192.0.2.1: 80",
		"192.0.2.1:80 ",
		" 192.0.2.1:80",
		"192.0.2.1:80x",
		"192.0.2:80",
		"192.0.2.256:80",
		"2001:db8::1:80",
		"[2001:db8::1]80",
		"[2001:db8::1:80",
		"[192.0.2.1]:80",
		"[]:80",
		"[2001:db8::1%eth0]:80",
		"host.example:5060",
		"192.0.2.1:0000000000080",
		":80",
	};
	struct xb_endpoint e;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		xb_err_clear();
		EXPECT_EQ(-EINVAL, xb_parse_endpoint(bad[i], &e))
		{
			TH_LOG("accepted '%s'", bad[i]);
		}
		EXPECT_NE(0, strlen(xb_errmsg()));
	}
	EXPECT_EQ(-EINVAL, xb_parse_endpoint(NULL, &e));
}

TEST(endpoint_refuses_overlong_input) {
	char big[1024];
	struct xb_endpoint e;

	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	EXPECT_EQ(-EINVAL, xb_parse_endpoint(big, &e));
	/* the message quotes a bounded part of the input only */
	EXPECT_LT(strlen(xb_errmsg()), 200);
}

TEST(prefix_masks_host_bits) {
	char buf[XB_ADDRSTRLEN];
	struct xb_addr a;
	unsigned int plen;

	ASSERT_EQ(0, xb_parse_prefix("10.1.2.3/8", &a, &plen));
	EXPECT_EQ(8, plen);
	EXPECT_STREQ("10.0.0.0/8", xb_fmt_prefix(&a, plen, buf, sizeof(buf)));
	ASSERT_EQ(0, xb_parse_prefix("10.1.2.3", &a, &plen));
	EXPECT_EQ(32, plen);
	ASSERT_EQ(0, xb_parse_prefix("10.255.255.255/13", &a, &plen));
	EXPECT_STREQ("10.248.0.0/13", xb_fmt_prefix(&a, plen, buf, sizeof(buf)));
	ASSERT_EQ(0, xb_parse_prefix("2001:db8:ffff::1/33", &a, &plen));
	EXPECT_STREQ("2001:db8:8000::/33", xb_fmt_prefix(&a, plen, buf, sizeof(buf)));
	ASSERT_EQ(0, xb_parse_prefix("::/0", &a, &plen));
	EXPECT_EQ(0, plen);
	ASSERT_EQ(0, xb_parse_prefix("fd00::1", &a, &plen));
	EXPECT_EQ(128, plen);
}

TEST(prefix_refuses_bad_lengths) {
	static const char *const bad[] = { "10.0.0.0/33",  "10.0.0.0/",	 "10.0.0.0/-1",
					   "10.0.0.0/8/8", "fd00::/129", "fd00::/0x10",
					   "10.0.0.0/ 8",  "/8",	 "10.0.0.0/0008" };
	struct xb_addr a;
	unsigned int plen;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *in = bad[i];

		EXPECT_EQ(-EINVAL, xb_parse_prefix(in, &a, &plen))
		{
			TH_LOG("accepted '%s'", in ? in : "");
		}
	}
}

TEST(ports_and_ranges) {
	uint16_t p, lo, hi;

	EXPECT_EQ(0, xb_parse_port("1", &p));
	EXPECT_EQ(1, p);
	EXPECT_EQ(0, xb_parse_port("65535", &p));
	EXPECT_EQ(-EINVAL, xb_parse_port("0", &p));
	EXPECT_EQ(-EINVAL, xb_parse_port("65536", &p));
	EXPECT_EQ(-EINVAL, xb_parse_port("0x50", &p));
	EXPECT_EQ(0, xb_parse_port_range("20000-29999", &lo, &hi));
	EXPECT_EQ(20000, lo);
	EXPECT_EQ(29999, hi);
	EXPECT_EQ(0, xb_parse_port_range("5060", &lo, &hi));
	EXPECT_EQ(5060, lo);
	EXPECT_EQ(5060, hi);
	EXPECT_EQ(-EINVAL, xb_parse_port_range("3-2", &lo, &hi));
	EXPECT_EQ(-EINVAL, xb_parse_port_range("1-", &lo, &hi));
	EXPECT_EQ(-EINVAL, xb_parse_port_range("-1", &lo, &hi));
	EXPECT_EQ(-EINVAL, xb_parse_port_range("1-2-3", &lo, &hi));
	EXPECT_EQ(-EINVAL, xb_parse_port_range("1-70000", &lo, &hi));
}

TEST(numbers_do_not_wrap) {
	uint64_t v;
	uint32_t w;

	EXPECT_EQ(0, xb_parse_u64("18446744073709551615", UINT64_MAX, &v));
	EXPECT_EQ(UINT64_MAX, v);
	EXPECT_EQ(-ERANGE, xb_parse_u64("18446744073709551616", UINT64_MAX, &v));
	EXPECT_EQ(-ERANGE, xb_parse_u64("99999999999999999999", UINT64_MAX, &v));
	EXPECT_EQ(-ERANGE, xb_parse_u32("4294967296", UINT32_MAX, &w));
	EXPECT_EQ(-ERANGE, xb_parse_u32("64", 63, &w));
	EXPECT_EQ(0, xb_parse_u32("63", 63, &w));
	EXPECT_EQ(63, w);
	EXPECT_EQ(-EINVAL, xb_parse_u64("", 10, &v));
	EXPECT_EQ(-EINVAL, xb_parse_u64("1e3", UINT64_MAX, &v));
	EXPECT_EQ(-EINVAL, xb_parse_u64(" 1", UINT64_MAX, &v));
}

TEST(mac_addresses) {
	uint8_t mac[6];
	char buf[XB_MACSTRLEN];

	ASSERT_EQ(0, xb_parse_mac("02:00:5E:10:00:ff", mac));
	EXPECT_STREQ("02:00:5e:10:00:ff", xb_fmt_mac(mac, buf, sizeof(buf)));
	ASSERT_EQ(0, xb_parse_mac("02-00-5e-10-00-01", mac));
	EXPECT_EQ(1, mac[5]);
	EXPECT_EQ(-EINVAL, xb_parse_mac("02:00:5e:10:00", mac));
	EXPECT_EQ(-EINVAL, xb_parse_mac("02:00:5e:10:00:0g", mac));
	EXPECT_EQ(-EINVAL, xb_parse_mac("02:00-5e:10:00:01", mac));
	EXPECT_EQ(-EINVAL, xb_parse_mac("02:00:5e:10:00:011", mac));
	EXPECT_EQ(-EINVAL, xb_parse_mac("0200.5e10.0001xx", mac));
}

TEST(switches) {
	bool b = false;

	EXPECT_EQ(0, xb_parse_bool("on", &b));
	EXPECT_TRUE(b);
	EXPECT_EQ(0, xb_parse_bool("off", &b));
	EXPECT_FALSE(b);
	EXPECT_EQ(-EINVAL, xb_parse_bool("On", &b));
	EXPECT_EQ(-EINVAL, xb_parse_bool("", &b));
	EXPECT_EQ(-EINVAL, xb_parse_bool(NULL, &b));
}

TEST_HARNESS_MAIN
