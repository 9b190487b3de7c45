// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Record ordering: RFC 2782 for SRV (priority, then weighted random
 * selection) and RFC 3403 for NAPTR (order, then preference). Sets are
 * small (XB_DNS_MAX_RRS at most), so insertion sorts, which are stable.
 */
#include <string.h>

#include "dns/sip_locate.h"

static bool srv_before(const struct xb_dns_srv *a, const struct xb_dns_srv *b)
{
	/* within a priority, weight 0 first: RFC 2782 puts them at the start
	 * of the running sum, so they are picked only on a draw of 0 */
	if (a->priority != b->priority)
		return a->priority < b->priority;
	return a->weight == 0 && b->weight != 0;
}

void xb_srv_order(struct xb_dns_srv *srv, unsigned int n, struct xb_rng *rng)
{
	unsigned int i, j, start, end;

	if (n > XB_DNS_MAX_RRS)
		n = XB_DNS_MAX_RRS;
	for (i = 1; i < n; i++) {
		struct xb_dns_srv v = srv[i];

		for (j = i; j > 0 && srv_before(&v, &srv[j - 1]); j--)
			srv[j] = srv[j - 1];
		srv[j] = v;
	}
	for (start = 0; start < n; start = end) {
		for (end = start + 1; end < n && srv[end].priority == srv[start].priority; end++)
			;
		/* draw the next record among [i, end) until one is left */
		for (i = start; i + 1 < end; i++) {
			uint64_t sum = 0, pick, run = 0;
			struct xb_dns_srv chosen;

			for (j = i; j < end; j++)
				sum += srv[j].weight;
			pick = xb_rng_upto(rng, sum);
			for (j = i; j < end; j++) {
				run += srv[j].weight;
				if (run >= pick)
					break;
			}
			if (j == end)
				j = end - 1;
			/* move it to position i, keeping the rest in their order (so
			 * weight-0 records stay at the front of what remains) */
			chosen = srv[j];
			memmove(&srv[i + 1], &srv[i], (j - i) * sizeof(*srv));
			srv[i] = chosen;
		}
	}
}

void xb_naptr_order(struct xb_dns_naptr *naptr, unsigned int n)
{
	unsigned int i, j;

	for (i = 1; i < n; i++) {
		struct xb_dns_naptr v = naptr[i];

		for (j = i; j > 0 && (v.order < naptr[j - 1].order ||
				      (v.order == naptr[j - 1].order &&
				       v.preference < naptr[j - 1].preference));
		     j--)
			naptr[j] = naptr[j - 1];
		naptr[j] = v;
	}
}
