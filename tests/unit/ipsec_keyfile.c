// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IPsec key files: the hex syntax, the lengths each algorithm takes, and
 * the refusals (permissions, file type, size) with their messages.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "ipsec/keyfile.h"
#include "kselftest_harness.h"

static int parse(const char *text, enum xbd_ipsec_alg alg, struct xb_ipsec_key *k)
{
	return xb_ipsec_key_parse(text, strlen(text), alg, k);
}

TEST(syntax) {
	struct xb_ipsec_key k;
	unsigned int i;

	ASSERT_EQ(0, parse("000102030405060708090a0b0c0d0e0f10111213", XBD_IPSEC_AES_GCM, &k))
	TH_LOG("%s", xb_errmsg());
	ASSERT_EQ(20, k.len);
	for (i = 0; i < 20; i++)
		EXPECT_EQ(i, k.bytes[i]);
	/* prefix, blanks and newlines between bytes, comments, upper case */
	ASSERT_EQ(0, parse("# AES-128 key, then salt\r\n0x00010203 04050607\t08090A0B 0C0D0E0F\n"
			   "10111213 # salt\n",
			   XBD_IPSEC_AES_GCM, &k))
	TH_LOG("%s", xb_errmsg());
	ASSERT_EQ(20, k.len);
	EXPECT_EQ(0x0a, k.bytes[10]);
	EXPECT_EQ(0x13, k.bytes[19]);
	/* AES-256-GCM */
	ASSERT_EQ(0,
		  parse("01000000000000000000000000000000000000000000000000000000000000000000ffff",
			XBD_IPSEC_AES_GCM, &k));
	EXPECT_EQ(36, k.len);
	xb_ipsec_key_wipe(&k);
	EXPECT_EQ(0, k.len);
	EXPECT_EQ(0, k.bytes[0]);
}

TEST(lengths_per_algorithm) {
	char hex[2 * XB_IPSEC_KEY_MAX + 8];
	struct xb_ipsec_key k;
	unsigned int n, i;

	for (n = 1; n <= XB_IPSEC_KEY_MAX; n++) {
		bool gcm_ok = n == 20 || n == 36, cbc_ok = n == 48 || n == 64;

		for (i = 0; i < n; i++)
			snprintf(hex + 2 * i, 3, "%02x", (i + 1) & 0xff);
		EXPECT_EQ(gcm_ok ? 0 : -EINVAL, parse(hex, XBD_IPSEC_AES_GCM, &k))
		TH_LOG("gcm, %u bytes", n);
		EXPECT_EQ(cbc_ok ? 0 : -EINVAL, parse(hex, XBD_IPSEC_AES_CBC_SHA256, &k))
		TH_LOG("cbc, %u bytes", n);
		if (cbc_ok)
			EXPECT_EQ(n, k.len);
	}
	EXPECT_STREQ("64 bytes of key; rfc4106(gcm(aes)) needs 20 (AES-128 + salt) or 36 "
		     "(AES-256 + salt)",
		     (parse(hex, XBD_IPSEC_AES_GCM, &k), xb_errmsg()));
}

static const struct {
	const char *text, *msg;
} bad[] = {
	{ "",
	  "0 bytes of key; rfc4106(gcm(aes)) needs 20 (AES-128 + salt) or 36 (AES-256 + salt)" },
	{ "000102030405060708090a0b0c0d0e0f1011121", "line 1: odd number of hex digits" },
	{ "00 0102030405060708090a0b0c0d0e0f1011121 3", "line 1: odd number of hex digits" },
	{ "0001020304050607\n08090a0b0c0d0e0f1011121\n3", "line 2: odd number of hex digits" },
	{ "\n\n00010203040506070809g0b0c0d0e0f10111213", "line 3, column 21: not a hex digit" },
	{ "00010203040506070809\x01", "line 1, column 21: not a hex digit" },
	{ "0x0x000102030405060708090a0b0c0d0e0f10111213", "line 1, column 4: not a hex digit" },
	{ "root:$6$abc:19000:0:99999:7:::\n", "line 1, column 1: not a hex digit" },
	{ "0000000000000000000000000000000000000000", "the key is all zeros" },
	{ "0102030405060708091011121314151617181920212223242526272829303132"
	  "0102030405060708091011121314151617181920212223242526272829303132ff",
	  "more than 64 bytes; expected 20 (AES-128 + salt) or 36 (AES-256 + salt)" },
};

TEST(bad_syntax) {
	struct xb_ipsec_key k;
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&k, 0xaa, sizeof(k));
		EXPECT_EQ(-EINVAL, parse(bad[i].text, XBD_IPSEC_AES_GCM, &k)) TH_LOG("case %u", i);
		EXPECT_STREQ(bad[i].msg, xb_errmsg()) TH_LOG("case %u", i);
		EXPECT_EQ(0, k.len);
		EXPECT_EQ(0, k.bytes[0]); /* nothing of a half-read key left */
	}
	/* not NUL-terminated input: only LEN bytes are looked at */
	EXPECT_EQ(0, xb_ipsec_key_parse("000102030405060708090a0b0c0d0e0f10111213zz", 40,
					XBD_IPSEC_AES_GCM, &k));
}

/* A file "k" in DIR with TEXT and MODE; its path in PATH. */
static int make(char *dir, char *path, size_t len, const char *text, mode_t mode)
{
	FILE *f;

	snprintf(path, len, "%s/k", dir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	fclose(f);
	return chmod(path, mode);
}

TEST(load_checks_the_file) {
	char dir[] = "/tmp/xb-keyfile-XXXXXX", path[128], want[256], *big;
	struct xb_ipsec_key k;

	ASSERT_NE(NULL, mkdtemp(dir));
	ASSERT_EQ(0, make(dir, path, sizeof(path), "000102030405060708090a0b0c0d0e0f10111213\n",
			  0400));
	EXPECT_EQ(0, xb_ipsec_key_load(path, XBD_IPSEC_AES_GCM, &k)) TH_LOG("%s", xb_errmsg());
	EXPECT_EQ(20, k.len);

	chmod(path, 0604);
	EXPECT_EQ(-EACCES, xb_ipsec_key_load(path, XBD_IPSEC_AES_GCM, &k));
	snprintf(want, sizeof(want),
		 "key file %s: group or others have access (mode 0604); it must be mode 0600 or "
		 "0400",
		 path);
	EXPECT_STREQ(want, xb_errmsg());
	chmod(path, 0620); /* group-writable is as bad */
	EXPECT_EQ(-EACCES, xb_ipsec_key_load(path, XBD_IPSEC_AES_GCM, &k));

	chmod(path, 0600);
	EXPECT_EQ(-EINVAL, xb_ipsec_key_load(path, XBD_IPSEC_AES_CBC_SHA256, &k));
	snprintf(want, sizeof(want),
		 "key file %s: 20 bytes of key; cbc(aes)+hmac(sha256) needs 48 (AES-128 + HMAC "
		 "key) or 64 (AES-256 + HMAC key)",
		 path);
	EXPECT_STREQ(want, xb_errmsg());

	EXPECT_EQ(-EINVAL, xb_ipsec_key_load(dir, XBD_IPSEC_AES_GCM, &k));
	EXPECT_EQ(-EINVAL, xb_ipsec_key_load("k", XBD_IPSEC_AES_GCM, &k));
	EXPECT_STREQ("key file 'k' is not an absolute path", xb_errmsg());
	unlink(path);
	EXPECT_EQ(-ENOENT, xb_ipsec_key_load(path, XBD_IPSEC_AES_GCM, &k));

	/* larger than any key file: refused before it is parsed */
	big = malloc(XB_IPSEC_KEYFILE_MAX + 2);
	ASSERT_NE(NULL, big);
	memset(big, '#', XB_IPSEC_KEYFILE_MAX + 1);
	big[XB_IPSEC_KEYFILE_MAX + 1] = '\0';
	EXPECT_EQ(0, make(dir, path, sizeof(path), big, 0600));
	free(big);
	EXPECT_EQ(-EFBIG, xb_ipsec_key_load(path, XBD_IPSEC_AES_GCM, &k));
	unlink(path);
	rmdir(dir);
}

TEST_HARNESS_MAIN
