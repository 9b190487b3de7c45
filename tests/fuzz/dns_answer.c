// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Arbitrary bytes as the answer to a query, through the resolver's own
 * parse and validation path (xb_dns_parse_answer), for the questions the
 * discovery code asks: the id is taken from the input so that the fuzzer
 * gets past the cheap checks. Whatever is accepted must hold only records
 * of the asked type, within the limits, with names safe to use.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns/answer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond)
{
	if (!cond)
		abort();
}

static void check_string(const char *s, size_t room)
{
	check(memchr(s, '\0', room) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct {
		const char *name;
		uint16_t type;
	} q[] = {
		{ "b.example", XB_DNS_A },
		{ "b.example", XB_DNS_NAPTR },
		{ "_sip._udp.b.example", XB_DNS_SRV },
		{ "sip1.b.example", XB_DNS_AAAA },
		{ "3.2.1.e164.arpa", XB_DNS_NAPTR },
	};
	struct xb_dns_parsed p;
	uint16_t id = size >= 2 ? (uint16_t)(data[0] << 8 | data[1]) : 0;
	char buf[2048];
	unsigned int i, k;

	for (i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		int err = xb_dns_parse_answer(data, size, id, q[i].name, q[i].type,
					      XB_DNS_MAX_CNAME, &p);

		if (err) {
			check(err == -ESRCH || err == -EPROTO || err == -EMSGSIZE || err == -ELOOP);
			check(p.rr == NULL && p.n == 0);
			continue;
		}
		check(p.n <= XB_DNS_MAX_RRS && p.cname_hops <= XB_DNS_MAX_CNAME);
		check(p.n == 0 || p.rr != NULL);
		check(xb_dns_valid_name(p.final_name));
		for (k = 0; k <= p.cname_hops; k++)
			check(xb_dns_valid_name(p.chain[k]));
		for (k = 0; k < p.n; k++) {
			const struct xb_dns_rr *rr = &p.rr[k];

			check(rr->type == q[i].type);
			if (rr->type == XB_DNS_SRV)
				check(!strcmp(rr->srv.target, ".") ||
				      xb_dns_valid_name(rr->srv.target));
			if (rr->type == XB_DNS_NAPTR) {
				check_string(rr->naptr.flags, sizeof(rr->naptr.flags));
				check_string(rr->naptr.services, sizeof(rr->naptr.services));
				check_string(rr->naptr.regexp, sizeof(rr->naptr.regexp));
				check(!strcmp(rr->naptr.replacement, ".") ||
				      xb_dns_valid_name(rr->naptr.replacement));
			}
			xb_dns_rr_fmt(rr, buf, sizeof(buf));
			check_string(buf, sizeof(buf));
		}
		xb_dns_parsed_free(&p);
	}
	return 0;
}
