// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Every operator-input parser of userspace/common/addr.c on arbitrary
 * bytes: no crash, no overread, and whatever is accepted formats to a
 * string that parses back to the same value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[XB_ADDRSTRLEN], *s;
	struct xb_endpoint e, e2;
	struct xb_addr a, a2;
	unsigned int plen, plen2;
	uint8_t mac[6], mac2[6];
	uint16_t lo, hi, port;
	uint64_t v;
	bool b;

	/* a string exactly as long as the input, NUL-terminated, no slack */
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	if (xb_parse_endpoint(s, &e) == 0) {
		check(e.port != 0);
		check(xb_parse_endpoint(xb_fmt_endpoint(&e, buf, sizeof(buf)), &e2) == 0);
		check(e2.port == e.port && xb_addr_equal(&e.a, &e2.a));
	}
	if (xb_parse_addr(s, &a) == 0) {
		check(xb_parse_addr(xb_fmt_addr(&a, buf, sizeof(buf)), &a2) == 0);
		check(xb_addr_equal(&a, &a2));
	}
	if (xb_parse_prefix(s, &a, &plen) == 0) {
		check(plen <= xb_addr_bits(a.family));
		check(xb_parse_prefix(xb_fmt_prefix(&a, plen, buf, sizeof(buf)), &a2, &plen2) == 0);
		check(plen == plen2 && xb_addr_equal(&a, &a2));
	}
	if (xb_parse_mac(s, mac) == 0) {
		check(xb_parse_mac(xb_fmt_mac(mac, buf, sizeof(buf)), mac2) == 0);
		check(!memcmp(mac, mac2, 6));
	}
	if (xb_parse_port_range(s, &lo, &hi) == 0)
		check(lo >= 1 && lo <= hi);
	if (xb_parse_port(s, &port) == 0)
		check(port >= 1);
	if (xb_parse_u64(s, 1000000, &v) == 0)
		check(v <= 1000000);
	xb_parse_bool(s, &b);
	free(s);
	return 0;
}
