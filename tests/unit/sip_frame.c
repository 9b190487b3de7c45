// SPDX-License-Identifier: GPL-2.0-or-later
/* Content-Length framing of SIP streams: xbs_frame and its incremental form. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip/transport.h"
#include "sip/transport_frame.h"
#include "kselftest_harness.h"

#define MAX 65535

#define HDR "INVITE sip:bob@b.example SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.1\r\n"

/* Frames S (a C string) whole. */
static ssize_t frame_str(const char *s, size_t max, size_t *skip)
{
	size_t len = strlen(s);
	/* An exact-size copy: ASan catches a read past the end. */
	char *buf = malloc(len ? len : 1);
	ssize_t r;

	memcpy(buf, s, len);
	r = xbs_frame(buf, len, max, skip);
	free(buf);
	return r;
}

TEST(complete_message) {
	const char *m = HDR "Content-Length: 5\r\n\r\nhello";
	size_t skip = 99;

	EXPECT_EQ((ssize_t)strlen(m), frame_str(m, MAX, &skip));
	EXPECT_EQ(0, skip);
}

TEST(zero_body) {
	const char *m = HDR "Content-Length: 0\r\n\r\n";
	size_t skip;

	EXPECT_EQ((ssize_t)strlen(m), frame_str(m, MAX, &skip));
}

TEST(every_prefix_needs_more) {
	const char *m = HDR "Content-Length: 12\r\n\r\nv=0\r\no=- 1\r\n";
	size_t len = strlen(m), i, skip;

	/* Partial start line, partial header, partial blank line, partial body. */
	for (i = 0; i < len; i++)
		ASSERT_EQ(0, xbs_frame(m, i, MAX, &skip)) TH_LOG("prefix %zu", i);
	EXPECT_EQ((ssize_t)len, xbs_frame(m, len, MAX, &skip));
}

TEST(pipelined) {
	const char *a = HDR "Content-Length: 3\r\n\r\nabc";
	const char *b = "SIP/2.0 200 OK\r\nl: 0\r\n\r\n";
	const char *c = HDR "Content-Length: 4\r\n\r\nwxyz";
	char buf[1024];
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c), skip;

	snprintf(buf, sizeof(buf), "%s%s%s", a, b, c);
	ASSERT_EQ((ssize_t)la, xbs_frame(buf, la + lb + lc, MAX, &skip));
	ASSERT_EQ((ssize_t)lb, xbs_frame(buf + la, lb + lc, MAX, &skip));
	ASSERT_EQ((ssize_t)lc, xbs_frame(buf + la + lb, lc, MAX, &skip));
	/* The body of the first is exactly its 3 bytes: the second starts at "SIP". */
	EXPECT_EQ(0, memcmp(buf + la, "SIP/2.0 200", 11));
}

TEST(keepalive_crlfs_skipped) {
	const char *m = "\r\n\r\n\r\n" HDR "Content-Length: 0\r\n\r\n";
	size_t skip;

	EXPECT_EQ((ssize_t)strlen(m) - 6, frame_str(m, MAX, &skip));
	EXPECT_EQ(6, skip);
	/* A bare ping: skipped, nothing to frame. */
	EXPECT_EQ(0, frame_str("\r\n\r\n", MAX, &skip));
	EXPECT_EQ(4, skip);
	/* A CRLF split between reads: the lone CR waits. */
	EXPECT_EQ(0, frame_str("\r\n\r", MAX, &skip));
	EXPECT_EQ(2, skip);
	EXPECT_EQ(0, frame_str("", MAX, &skip));
	EXPECT_EQ(0, skip);
}

TEST(compact_and_case_and_spaces) {
	const char *m1 = HDR "l: 2\r\n\r\nok";
	const char *m2 = HDR "content-LENGTH:2\r\n\r\nok";
	const char *m3 = HDR "Content-Length \t:  \t2 \t\r\n\r\nok";
	const char *m4 = HDR "L:0002\r\n\r\nok";
	size_t skip;

	EXPECT_EQ((ssize_t)strlen(m1), frame_str(m1, MAX, &skip));
	EXPECT_EQ((ssize_t)strlen(m2), frame_str(m2, MAX, &skip));
	EXPECT_EQ((ssize_t)strlen(m3), frame_str(m3, MAX, &skip));
	EXPECT_EQ((ssize_t)strlen(m4), frame_str(m4, MAX, &skip));
}

TEST(similar_names_are_not_content_length) {
	size_t skip;

	EXPECT_EQ(-EBADMSG, frame_str(HDR "Content-Lengths: 2\r\n\r\nok", MAX, &skip));
	EXPECT_EQ(-EBADMSG, frame_str(HDR "X-Content-Length: 2\r\n\r\nok", MAX, &skip));
	EXPECT_EQ(-EBADMSG, frame_str(HDR "ll: 2\r\n\r\nok", MAX, &skip));
	/* A folded continuation line is not a header of its own. */
	EXPECT_EQ(-EBADMSG,
		  frame_str(HDR "Subject: x\r\n Content-Length: 2\r\n\r\nok", MAX, &skip));
	/* Nor is the start line. */
	EXPECT_EQ(-EBADMSG, frame_str("l: 2 SIP/2.0\r\nVia: x\r\n\r\nok", MAX, &skip));
}

TEST(missing_content_length) {
	size_t skip;

	EXPECT_EQ(-EBADMSG, frame_str(HDR "\r\nhello", MAX, &skip));
	EXPECT_EQ(-EBADMSG, frame_str("garbage\r\n\r\n", MAX, &skip));
}

TEST(bad_content_length) {
	static const char *const bad[] = { "abc", "-1", "+5", "5x", "", " ", "5 5", "0x10", "5;" };
	char m[512];
	size_t skip, i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(m, sizeof(m), HDR "Content-Length: %s\r\n\r\n", bad[i]);
		EXPECT_EQ(-EBADMSG, frame_str(m, MAX, &skip)) TH_LOG("value '%s'", bad[i]);
	}
}

TEST(duplicate_content_length) {
	const char *same = HDR "Content-Length: 2\r\nl: 2\r\n\r\nok";
	size_t skip;

	EXPECT_EQ((ssize_t)strlen(same), frame_str(same, MAX, &skip));
	EXPECT_EQ(-EBADMSG, frame_str(HDR "Content-Length: 2\r\nl: 3\r\n\r\nok!", MAX, &skip));
	EXPECT_EQ(-EBADMSG,
		  frame_str(HDR "Content-Length: 0\r\nContent-Length: 2\r\n\r\nok", MAX, &skip));
}

TEST(oversize) {
	const char *m = HDR "Content-Length: 5\r\n\r\nhello";
	size_t len = strlen(m), skip;
	char big[300];

	/* Exactly max fits, one byte less does not. */
	EXPECT_EQ((ssize_t)len, frame_str(m, len, &skip));
	EXPECT_EQ(-EMSGSIZE, frame_str(m, len - 1, &skip));
	/* Known from the Content-Length before the body arrives. */
	EXPECT_EQ(-EMSGSIZE, xbs_frame(m, len - 5, len - 1, &skip));
	EXPECT_EQ(-EMSGSIZE,
		  frame_str(HDR "Content-Length: 99999999999999999999999999\r\n\r\n", MAX, &skip));
	/* A header section without its end, longer than max. */
	memset(big, 'a', sizeof(big));
	EXPECT_EQ(0, xbs_frame(big, 99, 100, &skip));
	EXPECT_EQ(-EMSGSIZE, xbs_frame(big, 100, 100, &skip));
	EXPECT_EQ(-EMSGSIZE, xbs_frame(big, sizeof(big), 100, &skip));
	/* Keep-alives before it don't count against max. */
	EXPECT_EQ((ssize_t)len,
		  frame_str("\r\n\r\n" HDR "Content-Length: 5\r\n\r\nhello", len, &skip));
}

TEST(lf_only_is_not_a_header_end) {
	const char *m = "INVITE sip:b SIP/2.0\nContent-Length: 0\n\n";
	size_t skip;

	EXPECT_EQ(0, frame_str(m, MAX, &skip));
	EXPECT_EQ(-EMSGSIZE, frame_str(m, strlen(m), &skip));
}

/* Feeding a stream in chunks of every size gives the same messages as whole. */
TEST(incremental_matches_whole) {
	const char *stream = "\r\n\r\n" HDR "Content-Length: 5\r\n\r\nhello"
			     "\r\n" HDR "l: 0\r\n\r\n" HDR "Content-Length: 3\r\n\r\nxyz";
	size_t total = strlen(stream), chunk;
	size_t want[3], n_want = 0, pos = 0, skip;

	while (pos < total) {
		ssize_t m = xbs_frame(stream + pos, total - pos, MAX, &skip);

		ASSERT_LT(0, m);
		want[n_want++] = pos + skip;
		pos += skip + m;
	}
	ASSERT_EQ(3, n_want);
	for (chunk = 1; chunk <= total; chunk++) {
		struct xbs_framer f = { 0 };
		size_t have = 0, start = 0, got = 0;

		while (got < 3) {
			ssize_t m;

			if (have < total)
				have = have + chunk < total ? have + chunk : total;
			m = xbs_frame_step(&f, stream + start, have - start, MAX, &skip);
			ASSERT_LE(0, m);
			start += skip;
			if (m == 0) {
				ASSERT_LT(have - start, total) TH_LOG("stuck at chunk %zu", chunk);
				ASSERT_FALSE(have == total && got < 3 && skip == 0);
				continue;
			}
			ASSERT_EQ(want[got], start) TH_LOG("chunk %zu message %zu", chunk, got);
			got++;
			start += m;
			memset(&f, 0, sizeof(f));
		}
	}
}

TEST_HARNESS_MAIN
