// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The file that keeps outbound sequence numbers across a clean restart:
 * written atomically and privately, read back exactly, and a damaged file
 * costs its damaged lines only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipsec/model.h"
#include "kselftest_harness.h"

static void addr(const char *s, struct xb_addr *a)
{
	if (xb_parse_addr(s, a))
		abort();
}

TEST(save_and_load) {
	char dir[] = "/tmp/xb-seq-XXXXXX", path[128];
	struct xb_seqs s = { 0 }, t;
	struct xb_addr a4, a6;
	struct stat st;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/state/ipsec-seq", dir);
	/* no file yet: nothing known */
	ASSERT_EQ(0, xb_ipsec_seq_load(path, &t));
	EXPECT_EQ(0, t.n);

	addr("10.9.0.2", &a4);
	addr("fd00::2", &a6);
	ASSERT_EQ(0, xb_ipsec_seq_put(&s, &a4, 0x1001, 600));
	ASSERT_EQ(0, xb_ipsec_seq_put(&s, &a6, 0xffffffff, 4294967295u));
	ASSERT_EQ(0, xb_ipsec_seq_put(&s, &a4, 0x1001, 700)); /* updated, not added */
	EXPECT_EQ(2, s.n);
	ASSERT_EQ(0, xb_ipsec_seq_save(path, &s)); /* makes the state directory */
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(0600, st.st_mode & 07777);

	ASSERT_EQ(0, xb_ipsec_seq_load(path, &t));
	EXPECT_EQ(2, t.n);
	EXPECT_EQ(700, xb_ipsec_seq_get(&t, &a4, 0x1001));
	EXPECT_EQ(4294967295u, xb_ipsec_seq_get(&t, &a6, 0xffffffff));
	EXPECT_EQ(0, xb_ipsec_seq_get(&t, &a6, 0x1001));
	EXPECT_EQ(0, xb_ipsec_seq_get(&t, &a4, 0x1002));
	xb_ipsec_seq_free(&t);
	xb_ipsec_seq_free(&s);
	unlink(path);
	snprintf(path, sizeof(path), "%s/state", dir);
	rmdir(path);
	rmdir(dir);
}

TEST(damaged_lines_are_skipped) {
	char path[] = "/tmp/xb-seq-XXXXXX", long_line[300];
	struct xb_addr a;
	struct xb_seqs t;
	FILE *f;
	int fd;

	fd = mkstemp(path);
	ASSERT_GE(fd, 0);
	f = fdopen(fd, "w");
	ASSERT_NE(NULL, f);
	memset(long_line, '1', sizeof(long_line) - 1);
	long_line[sizeof(long_line) - 1] = '\0';
	fprintf(f,
		"10.0.0.1 0x00000100 5\n"
		"10.0.0.2 0x100 7 extra\n"
		"10.0.0.3 256 7\n"
		"10.0.0.4 0x0000000100 7\n"
		"10.0.0.5 0x00000100 -7\n"
		"10.0.0.6 0x00000100 4294967296\n"
		"10.0.0.300 0x00000100 7\n"
		"%s\n"
		"\n"
		"10.0.0.7 0x00000101 9",
		long_line);
	fclose(f);
	ASSERT_EQ(0, xb_ipsec_seq_load(path, &t));
	EXPECT_EQ(2, t.n);
	addr("10.0.0.1", &a);
	EXPECT_EQ(5, xb_ipsec_seq_get(&t, &a, 0x100));
	addr("10.0.0.7", &a); /* the last line needs no newline */
	EXPECT_EQ(9, xb_ipsec_seq_get(&t, &a, 0x101));
	xb_ipsec_seq_free(&t);
	unlink(path);
}

TEST_HARNESS_MAIN
