// SPDX-License-Identifier: GPL-2.0-or-later
/* The relay's stream-key hash table: lookups, replacement, capacity. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "relay/keytab.h"
#include "kselftest_harness.h"

static struct xb_stream_key key_n(uint32_t n)
{
	struct xb_stream_key k;

	memset(&k, 0, sizeof(k));
	k.family = XB_AF_INET;
	k.port = htons((uint16_t)(n % 50000 + 1));
	memcpy(k.addr, &n, sizeof(n));
	return k;
}

TEST(put_get_many) {
	static int vals[5000];
	struct keytab t;
	uint32_t i;

	ASSERT_EQ(0, keytab_init(&t, 5000));
	for (i = 0; i < 5000; i++) {
		struct xb_stream_key k = key_n(i);

		ASSERT_EQ(0, keytab_put(&t, &k, &vals[i]));
	}
	EXPECT_EQ(5000, t.n);
	for (i = 0; i < 5000; i++) {
		struct xb_stream_key k = key_n(i);

		EXPECT_EQ(&vals[i], keytab_get(&t, &k));
	}
	for (i = 5000; i < 6000; i++) {
		struct xb_stream_key k = key_n(i);

		EXPECT_EQ(NULL, keytab_get(&t, &k));
	}
	keytab_free(&t);
}

TEST(replace_keeps_count) {
	struct xb_stream_key k = key_n(7);
	int a, b;
	struct keytab t;

	ASSERT_EQ(0, keytab_init(&t, 1));
	ASSERT_EQ(0, keytab_put(&t, &k, &a));
	ASSERT_EQ(0, keytab_put(&t, &k, &b));
	EXPECT_EQ(1, t.n);
	EXPECT_EQ(&b, keytab_get(&t, &k));
	keytab_free(&t);
}

TEST(full_table_refuses) {
	struct keytab t;
	uint32_t i;
	int v, err = 0;

	ASSERT_EQ(0, keytab_init(&t, 3));
	for (i = 0; i < 1000 && !err; i++) {
		struct xb_stream_key k = key_n(i);

		err = keytab_put(&t, &k, &v);
	}
	EXPECT_EQ(-ENOSPC, err);
	/* every lookup still terminates */
	for (i = 0; i < 1000; i++) {
		struct xb_stream_key k = key_n(i + 5000);

		EXPECT_EQ(NULL, keytab_get(&t, &k));
	}
	keytab_free(&t);
}

TEST(empty_table) {
	struct keytab t = { 0 };
	struct xb_stream_key k = key_n(1);
	int v;

	EXPECT_EQ(NULL, keytab_get(&t, &k));
	EXPECT_EQ(-ENOSPC, keytab_put(&t, &k, &v));
}

TEST_HARNESS_MAIN
