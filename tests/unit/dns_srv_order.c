// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * RFC 2782 ordering, checked statistically and deterministically: a fixed
 * seed, many draws, and a chi-square test of the observed positions
 * against the probabilities the RFC's algorithm gives (a uniform draw in
 * 0..sum inclusive, the first record whose running sum reaches it). Also
 * NAPTR order/preference sorting.
 */
#include <string.h>

#include "dns/sip_locate.h"
#include "kselftest_harness.h"

#define DRAWS 60000

static void set(struct xb_dns_srv *s, uint16_t prio, uint16_t weight, const char *target)
{
	memset(s, 0, sizeof(*s));
	s->priority = prio;
	s->weight = weight;
	s->port = 5060;
	snprintf(s->target, sizeof(s->target), "%s", target);
}

static double chi2(const unsigned int *obs, const double *p, unsigned int k, unsigned int n)
{
	double c = 0;
	unsigned int i;

	for (i = 0; i < k; i++) {
		double e = p[i] * n;

		c += (obs[i] - e) * (obs[i] - e) / e;
	}
	return c;
}

TEST(priority_first_then_weight) {
	struct xb_dns_srv s[5];
	struct xb_rng rng;
	unsigned int first[3] = { 0 }, i;
	/* draws over 0..100: 60+1, 30, 10 of 101 */
	const double p[3] = { 61.0 / 101, 30.0 / 101, 10.0 / 101 };
	double c;

	xb_rng_seed(&rng, 1);
	for (i = 0; i < DRAWS; i++) {
		set(&s[0], 20, 0, "backup");
		set(&s[1], 10, 60, "w60");
		set(&s[2], 30, 5, "last");
		set(&s[3], 10, 30, "w30");
		set(&s[4], 10, 10, "w10");
		xb_srv_order(s, 5, &rng);
		ASSERT_EQ(10, s[0].priority);
		ASSERT_EQ(10, s[1].priority);
		ASSERT_EQ(10, s[2].priority);
		ASSERT_STREQ("backup", s[3].target);
		ASSERT_STREQ("last", s[4].target);
		first[!strcmp(s[0].target, "w30") + 2 * !strcmp(s[0].target, "w10")]++;
	}
	c = chi2(first, p, 3, DRAWS);
	/* 2 degrees of freedom: 13.82 is p = 0.001 */
	EXPECT_GT(13.82, c) TH_LOG("first: %u %u %u, chi2 %.2f", first[0], first[1], first[2], c);
	TH_LOG("first picks of 60/30/10 over %u draws: %u %u %u (chi2 %.2f)", DRAWS, first[0],
	       first[1], first[2], c);
}

/* The second position follows from the first: after w60 is drawn, w30 comes
 * next with (30+1)/41, and so on; check the full permutation frequencies. */
TEST(whole_permutations) {
	static const char *const perms[6] = { "w60 w30 w10", "w60 w10 w30", "w30 w60 w10",
					      "w30 w10 w60", "w10 w60 w30", "w10 w30 w60" };
	struct xb_dns_srv s[3];
	struct xb_rng rng;
	unsigned int obs[6] = { 0 }, i, k;
	double p[6], c;
	char got[3 * XB_DNS_NAME_MAX];

	/* P(a, then b) = P(a first of {60,30,10}) * P(b first of the rest) */
	p[0] = 61.0 / 101 * 31.0 / 41;
	p[1] = 61.0 / 101 * 10.0 / 41;
	p[2] = 30.0 / 101 * 61.0 / 71;
	p[3] = 30.0 / 101 * 10.0 / 71;
	p[4] = 10.0 / 101 * 61.0 / 91;
	p[5] = 10.0 / 101 * 30.0 / 91;
	xb_rng_seed(&rng, 2);
	for (i = 0; i < DRAWS; i++) {
		set(&s[0], 1, 60, "w60");
		set(&s[1], 1, 30, "w30");
		set(&s[2], 1, 10, "w10");
		xb_srv_order(s, 3, &rng);
		snprintf(got, sizeof(got), "%s %s %s", s[0].target, s[1].target, s[2].target);
		for (k = 0; k < 6 && strcmp(got, perms[k]); k++)
			;
		ASSERT_GT(6, k) TH_LOG("not a permutation: %s", got);
		obs[k]++;
	}
	c = chi2(obs, p, 6, DRAWS);
	/* 5 degrees of freedom: 20.52 is p = 0.001 */
	EXPECT_GT(20.52, c) TH_LOG("chi2 %.2f", c);
}

/* Weight 0 goes first in the running sum: chosen first only on a draw of
 * 0, i.e. 1 in (sum + 1). */
TEST(zero_weight_is_rarely_first) {
	struct xb_dns_srv s[2];
	struct xb_rng rng;
	unsigned int zero_first = 0, i;

	xb_rng_seed(&rng, 3);
	for (i = 0; i < DRAWS; i++) {
		set(&s[0], 5, 9, "nine");
		set(&s[1], 5, 0, "zero");
		xb_srv_order(s, 2, &rng);
		zero_first += !strcmp(s[0].target, "zero");
	}
	/* expected DRAWS / 10 = 6000; binomial sd about 73 */
	EXPECT_LT(5700, zero_first);
	EXPECT_GT(6300, zero_first);
	/* all zero: the draw over 0..0 takes the first, so the order stays */
	set(&s[0], 5, 0, "a");
	set(&s[1], 5, 0, "b");
	xb_srv_order(s, 2, &rng);
	EXPECT_STREQ("a", s[0].target);
}

TEST(same_seed_same_order) {
	struct xb_dns_srv a[8], b[8];
	struct xb_rng r1, r2;
	unsigned int i;

	for (i = 0; i < 8; i++) {
		char t[8];

		snprintf(t, sizeof(t), "t%u", i);
		set(&a[i], (uint16_t)(i % 2), (uint16_t)(i * 7), t);
	}
	memcpy(b, a, sizeof(a));
	xb_rng_seed(&r1, 99);
	xb_rng_seed(&r2, 99);
	xb_srv_order(a, 8, &r1);
	xb_srv_order(b, 8, &r2);
	EXPECT_EQ(0, memcmp(a, b, sizeof(a)));
	for (i = 1; i < 8; i++)
		EXPECT_LE(a[i - 1].priority, a[i].priority);
}

TEST(naptr_order_then_preference) {
	struct xb_dns_naptr n[5] = { 0 };
	unsigned int i;
	static const uint16_t ord[5] = { 20, 10, 10, 5, 10 }, pref[5] = { 10, 20, 10, 10, 10 };

	for (i = 0; i < 5; i++) {
		n[i].order = ord[i];
		n[i].preference = pref[i];
		snprintf(n[i].services, sizeof(n[i].services), "r%u", i);
	}
	xb_naptr_order(n, 5);
	/* 5/10, then 10/10 twice in their original order (stable), 10/20, 20/10 */
	EXPECT_STREQ("r3", n[0].services);
	EXPECT_STREQ("r2", n[1].services);
	EXPECT_STREQ("r4", n[2].services);
	EXPECT_STREQ("r1", n[3].services);
	EXPECT_STREQ("r0", n[4].services);
}

TEST(rng_range_is_uniform) {
	struct xb_rng rng;
	unsigned int obs[7] = { 0 }, i;
	double p[7], c;

	for (i = 0; i < 7; i++)
		p[i] = 1.0 / 7;
	xb_rng_seed(&rng, 4);
	for (i = 0; i < DRAWS; i++) {
		uint64_t v = xb_rng_upto(&rng, 6);

		ASSERT_GT(7, v);
		obs[v]++;
	}
	c = chi2(obs, p, 7, DRAWS);
	EXPECT_GT(22.46, c) TH_LOG("chi2 %.2f", c); /* 6 df, p = 0.001 */
	EXPECT_EQ(0, xb_rng_upto(&rng, 0));
}

TEST_HARNESS_MAIN
