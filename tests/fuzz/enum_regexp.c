// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ENUM substitution rules (RFC 3402) from hostile NAPTR records: the input
 * is "RULE\nNUMBER". Parsing must refuse or compile, applying must stay
 * within the output buffer whatever its size, and nothing may take long
 * (regular expressions that would explode are refused up front).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns/enum.h"
#include "dns/uri.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t sizes[] = { 1, 8, 40, XB_ENUM_URI_MAX };
	struct xb_enum_rule rule;
	char *s, *nl, out[XB_ENUM_URI_MAX + 1], dom[XB_DNS_NAME_MAX];
	const char *aus = "+441632960123";
	unsigned int i;

	if (size > 4096)
		return 0;
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	nl = strchr(s, '\n');
	if (nl) {
		*nl = '\0';
		aus = nl + 1;
	}
	if (xb_enum_rule_parse(s, &rule) == 0) {
		check(rule.compiled);
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			/* a canary past the size handed in must stay untouched */
			memset(out, 'Z', sizeof(out));
			if (xb_enum_rule_apply(&rule, aus, out, sizes[i]) == 0)
				check(strlen(out) < sizes[i]);
			check(out[sizes[i]] == 'Z' || sizes[i] == XB_ENUM_URI_MAX);
		}
		xb_enum_rule_free(&rule);
	} else {
		check(!rule.compiled);
	}
	if (xb_enum_domain(aus, NULL, dom, sizeof(dom)) == 0)
		check(xb_dns_valid_name(dom));
	xb_enum_service_is_sip(s);
	free(s);
	return 0;
}
