// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A flat array: blocklists are short (a few failed peers at a time) and
 * every operation first sweeps what has expired.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "dns/blocklist.h"

struct entry {
	struct xb_endpoint ep;
	enum xbd_transport transport;
	uint64_t until_ns;
};

struct xb_blocklist {
	unsigned int max, n;
	struct entry *e;
};

struct xb_blocklist *xb_blocklist_new(unsigned int max)
{
	struct xb_blocklist *bl = calloc(1, sizeof(*bl));

	if (!bl)
		return NULL;
	bl->max = max ? max : 1;
	bl->e = calloc(bl->max, sizeof(*bl->e));
	if (!bl->e) {
		free(bl);
		return NULL;
	}
	return bl;
}

void xb_blocklist_free(struct xb_blocklist *bl)
{
	if (!bl)
		return;
	free(bl->e);
	free(bl);
}

static void sweep(struct xb_blocklist *bl, uint64_t now)
{
	unsigned int i = 0;

	while (i < bl->n) {
		if (bl->e[i].until_ns <= now)
			bl->e[i] = bl->e[--bl->n];
		else
			i++;
	}
}

static struct entry *find(struct xb_blocklist *bl, const struct xb_endpoint *ep,
			  enum xbd_transport t)
{
	unsigned int i;

	for (i = 0; i < bl->n; i++)
		if (bl->e[i].transport == t && bl->e[i].ep.port == ep->port &&
		    xb_addr_equal(&bl->e[i].ep.a, &ep->a))
			return &bl->e[i];
	return NULL;
}

int xb_blocklist_add(struct xb_blocklist *bl, const struct xb_endpoint *ep,
		     enum xbd_transport transport, uint32_t seconds, uint64_t now_ns)
{
	uint64_t until;
	struct entry *e;

	if (!bl || !ep)
		return xb_err(EINVAL, "blocklist: nothing to add");
	if (seconds == 0 || seconds > XB_BLOCKLIST_MAX_SECONDS)
		return xb_err(EINVAL, "blocklist: %u seconds is out of range (1-%u)", seconds,
			      XB_BLOCKLIST_MAX_SECONDS);
	until = now_ns + (uint64_t)seconds * 1000000000ull;
	sweep(bl, now_ns);
	e = find(bl, ep, transport);
	if (e) {
		if (until > e->until_ns)
			e->until_ns = until;
		return 0;
	}
	if (bl->n == bl->max) {
		unsigned int i, soonest = 0;

		for (i = 1; i < bl->n; i++)
			if (bl->e[i].until_ns < bl->e[soonest].until_ns)
				soonest = i;
		bl->e[soonest] = bl->e[--bl->n];
	}
	bl->e[bl->n++] = (struct entry){ .ep = *ep, .transport = transport, .until_ns = until };
	return 0;
}

bool xb_blocklist_has(struct xb_blocklist *bl, const struct xb_endpoint *ep,
		      enum xbd_transport transport, uint64_t now_ns)
{
	if (!bl || !ep)
		return false;
	sweep(bl, now_ns);
	return find(bl, ep, transport) != NULL;
}

void xb_blocklist_del(struct xb_blocklist *bl, const struct xb_endpoint *ep,
		      enum xbd_transport transport)
{
	struct entry *e = bl && ep ? find(bl, ep, transport) : NULL;

	if (e)
		*e = bl->e[--bl->n];
}

unsigned int xb_blocklist_count(struct xb_blocklist *bl, uint64_t now_ns)
{
	if (!bl)
		return 0;
	sweep(bl, now_ns);
	return bl->n;
}
