// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ENUM (RFC 6116) without a network: numbers to domains, the RFC 3402
 * substitution rules (delimiters, escapes, groups and back-references,
 * the "i" flag) and the reason given for each kind of malformed rule.
 */
#include <errno.h>
#include <string.h>

#include "common/err.h"
#include "dns/enum.h"
#include "kselftest_harness.h"

TEST(number_to_domain) {
	char out[XB_DNS_NAME_MAX];

	ASSERT_EQ(0, xb_enum_domain("+441632960123", NULL, out, sizeof(out)));
	EXPECT_STREQ("3.2.1.0.6.9.2.3.6.1.4.4.e164.arpa", out);
	ASSERT_EQ(0, xb_enum_domain("+1-555-(0100)", "E164.Example.Net.", out, sizeof(out)));
	EXPECT_STREQ("0.0.1.0.5.5.5.1.e164.example.net", out);
	ASSERT_EQ(0, xb_enum_domain("+123456789012345", NULL, out, sizeof(out)));
	EXPECT_STREQ("5.4.3.2.1.0.9.8.7.6.5.4.3.2.1.e164.arpa", out);
	EXPECT_EQ(-EINVAL, xb_enum_domain("+1234567890123456", NULL, out, sizeof(out)));
	EXPECT_STREQ("more than 15 digits: not an E.164 number", xb_errmsg());
	EXPECT_EQ(-EINVAL, xb_enum_domain("441632960123", NULL, out, sizeof(out)));
	EXPECT_EQ(-EINVAL, xb_enum_domain("+", NULL, out, sizeof(out)));
	EXPECT_EQ(-EINVAL, xb_enum_domain("+44 1632", NULL, out, sizeof(out)));
	EXPECT_EQ(-EINVAL, xb_enum_domain("+441632", "bad apex!", out, sizeof(out)));
	EXPECT_STREQ("ENUM apex: 'bad apex!' is not a valid DNS name", xb_errmsg());
	EXPECT_EQ(-ENAMETOOLONG, xb_enum_domain("+441632", NULL, out, 10));
}

struct subst_case {
	const char *rule, *aus, *want;
};

static const struct subst_case good[] = {
	{ "!^\\+44(.*)$!sip:\\1@b.example!", "+441632960123", "sip:1632960123@b.example" },
	{ "!^.*$!sip:info@b.example!", "+441632960123", "sip:info@b.example" },
	/* groups, out of order and repeated */
	{ "!^\\+(..)(....)(.*)$!sip:\\3-\\2-\\1-\\3@x!", "+441632960123",
	  "sip:960123-1632-44-960123@x" },
	/* another delimiter; an escaped delimiter in both parts */
	{ "/^\\+44(1632)(.*)$/sip:\\2@C.EXAMPLE/i", "+441632960127", "sip:960127@C.EXAMPLE" },
	{ "#^\\+4\\#?4(.*)$#sip:\\1\\#x@b.example#", "+44123", "sip:123#x@b.example" },
	/* an escaped backslash is a backslash, not the start of \1 */
	{ "!^\\+(.*)$!sip:\\\\1@b.example!", "+44", "sip:\\1@b.example" },
	/* sed-like: only the matched part is replaced */
	{ "!44!sip:!", "+44123", "+sip:123" },
	/* case: only with the flag */
	{ "!^\\+44(.*)X$!sip:\\1@b.example!i", "+44123x", "sip:123@b.example" },
	/* a group that did not take part is empty */
	{ "!^\\+(1)?(44)(.*)$!sip:\\1\\3@b.example!", "+44123", "sip:123@b.example" },
	/* bracket expressions: what is inside is not an operator */
	{ "!^\\+([[:digit:]]{2})([]{+}0-9]*)$!sip:\\2@\\1.example!", "+44{+}9",
	  "sip:{+}9@44.example" },
	/* the delimiter may be a regex metacharacter */
	{ "|^\\+44(.*)$|sip:\\1@b.example|", "+44123", "sip:123@b.example" },
};

TEST(substitutions) {
	char out[XB_ENUM_URI_MAX];
	unsigned int i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int err = xb_enum_substitute(good[i].rule, good[i].aus, out, sizeof(out));

		EXPECT_EQ(0, err) TH_LOG("case %u: %s", i, xb_errmsg());
		if (!err)
			EXPECT_STREQ(good[i].want, out) TH_LOG("case %u", i);
	}
}

static const struct subst_case bad[] = {
	{ "", "+44", "empty substitution rule" },
	{ "!^.*$!sip:x@b.example", "+44", "substitution rule has 2 delimiters '!', needs 3" },
	{ "!^.*$", "+44", "substitution rule has 1 delimiter '!', needs 3" },
	{ "!^.*$!sip:x@y!!", "+44", "substitution rule has more than 3 delimiters '!'" },
	{ "!^.*$!sip:x@y!ig", "+44", "unknown flag 'g' in substitution rule (only 'i')" },
	{ "!^(+44!sip:x@y!", "+44",
	  "bad regular expression '^(+44': Invalid preceding regular expression" },
	{ "!!sip:x@y!", "+44", "empty regular expression in substitution rule" },
	{ "!^.*$!sip:\\1@y!", "+44", "backreference \\1 but the expression has 0 groups" },
	{ "!^(.)(.)$!sip:\\3@y!", "+44", "backreference \\3 but the expression has 2 groups" },
	{ "!^(.*)$!sip:\\0@y!", "+44", "\\0 is not a backreference (\\1 to \\9)" },
	{ "!^(.*)$!sip:x@y\\!", "+44", "substitution rule has 2 delimiters '!', needs 3" },
	{ "1^.*$1sip:x@y1", "+44", "'1' cannot be the delimiter of a substitution rule" },
	{ "\\^.*$\\sip:x@y\\", "+44", "'\\' cannot be the delimiter of a substitution rule" },
	{ "i^.*$isip:x@yi", "+44", "'i' cannot be the delimiter of a substitution rule" },
	{ "!^.*$!sip:\tx@y!", "+44", "control character in substitution rule" },
	{ "!^\\+1(.*)$!sip:\\1@y!", "+44", "the expression does not match '+44'" },
	/* what would make regcomp or regexec slow is refused */
	{ "!^(.)\\1$!sip:x@y!", "+44",
	  "back-references inside the regular expression are not allowed" },
	{ "!^(.{1,40})$!sip:x@y!", "+44",
	  "repetition count 40 above 32 in the regular expression" },
	{ "!(((.{9}){9}){9}){3}!sip:x@y!", "+44",
	  "the regular expression repeats too much (more than 1024 copies)" },
	{ "!^\\+(..)++$!sip:x@y!", "+44", "repeated quantifier '+' in the regular expression" },
	{ "!([{0]+++)!sip:x@y!", "+44", "repeated quantifier '+' in the regular expression" },
	{ "!([[:digit:]]+){3!sip:x@y!", "+44", "unterminated { in the regular expression" },
	{ "!^[[:digit:]!sip:x@y!", "+44", "unterminated [ in the regular expression" },
	{ "!(((((((((((.+)+)+)+)+)+)+)+)+)+)+)+!sip:x@y!", "+44",
	  "the regular expression repeats too much (more than 1024 copies)" },
};

TEST(malformed_rules_say_why) {
	char out[XB_ENUM_URI_MAX];
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int err = xb_enum_substitute(bad[i].rule, bad[i].aus, out, sizeof(out));

		EXPECT_NE(0, err) TH_LOG("case %u accepted", i);
		EXPECT_STREQ(bad[i].want, xb_errmsg()) TH_LOG("case %u", i);
	}
}

TEST(limits) {
	char rule[400], out[32];

	memset(rule, 'a', sizeof(rule));
	rule[0] = '!';
	rule[sizeof(rule) - 1] = '\0';
	EXPECT_EQ(-EINVAL, xb_enum_substitute(rule, "+44", out, sizeof(out)));
	EXPECT_STREQ("substitution rule longer than 255 characters", xb_errmsg());
	/* a result larger than the room for it */
	EXPECT_EQ(-ENAMETOOLONG, xb_enum_substitute("!^(.*)$!\\1\\1\\1\\1\\1\\1\\1\\1\\1!",
						    "+441632960123", out, sizeof(out)));
	EXPECT_EQ(0, xb_enum_substitute("!^(.*)$!\\1\\1!", "+441632960123", out, 27));
	EXPECT_STREQ("+441632960123+441632960123", out);
}

TEST(service_field) {
	EXPECT_TRUE(xb_enum_service_is_sip("E2U+sip"));
	EXPECT_TRUE(xb_enum_service_is_sip("e2u+SIP"));
	EXPECT_TRUE(xb_enum_service_is_sip("E2U+voice:tel+sip"));
	EXPECT_TRUE(xb_enum_service_is_sip("E2U+sip:x+pres"));
	EXPECT_FALSE(xb_enum_service_is_sip("E2U+sips"));
	EXPECT_FALSE(xb_enum_service_is_sip("E2U+voice:sip"));
	EXPECT_FALSE(xb_enum_service_is_sip("E2U+email:mailto"));
	EXPECT_FALSE(xb_enum_service_is_sip("SIP+D2U"));
	EXPECT_FALSE(xb_enum_service_is_sip("E2U"));
	EXPECT_FALSE(xb_enum_service_is_sip(""));
}

TEST_HARNESS_MAIN
