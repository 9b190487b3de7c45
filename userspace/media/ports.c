// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Relay port pairs per media interface: RTP on an even port, RTCP on the
 * next one, from the interface's configured range. A bitmap per interface,
 * allocated next-fit so a port just freed is the last to be handed out
 * again (late packets of the old call do not land in a new one).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "media/internal.h"

struct xbm_pool *xbm_pool_find(struct xbm *m, const char *iface)
{
	unsigned int i;

	for (i = 0; i < m->n_ifaces; i++)
		if (!strcmp(m->pools[i].name, iface))
			return &m->pools[i];
	return NULL;
}

static bool bit(const struct xbm_pool *p, uint32_t i)
{
	return p->bitmap[i / 8] & (1u << (i % 8));
}

static void set_bit(struct xbm_pool *p, uint32_t i, bool on)
{
	if (on)
		p->bitmap[i / 8] |= (uint8_t)(1u << (i % 8));
	else
		p->bitmap[i / 8] &= (uint8_t) ~(1u << (i % 8));
}

/* Pools for cfg's interfaces (ports of current calls are claimed by the caller). */
int xbm_pools_build(struct xbm *m, const struct xbd_config *cfg)
{
	unsigned int i;

	xbm_pools_free(m);
	for (i = 0; i < cfg->n_media && i < XBD_MAX_MEDIA_IFACES; i++) {
		const struct xbd_media_iface *mi = &cfg->media[i];
		struct xbm_pool *p = &m->pools[i];
		uint32_t first = mi->port_min + (mi->port_min & 1u);

		memset(p, 0, sizeof(*p));
		snprintf(p->name, sizeof(p->name), "%s", mi->name);
		p->base = (uint16_t)first;
		/* a pair needs RTP and RTP + 1 inside [port_min, port_max] */
		p->npairs = first + 1 <= mi->port_max ? (mi->port_max - first + 1) / 2 : 0;
		p->bitmap = calloc(p->npairs / 8 + 1, 1);
		if (!p->bitmap) {
			xbm_pools_free(m);
			return xb_err(ENOMEM, "out of memory");
		}
	}
	return 0;
}

void xbm_pools_free(struct xbm *m)
{
	unsigned int i;

	for (i = 0; i < XBD_MAX_MEDIA_IFACES; i++) {
		free(m->pools[i].bitmap);
		memset(&m->pools[i], 0, sizeof(m->pools[i]));
	}
}

int xbm_port_alloc(struct xbm *m, const char *iface, uint16_t *port)
{
	struct xbm_pool *p = xbm_pool_find(m, iface);
	uint32_t n;

	if (!p)
		return xb_err(ENOENT, "no media interface '%s'", iface);
	if (p->used >= p->npairs)
		return xb_err(ENOSPC, "media interface '%s': all %u port pairs in use", iface,
			      p->npairs);
	for (n = 0; n < p->npairs; n++) {
		uint32_t i = (p->cursor + n) % p->npairs;

		if (!bit(p, i)) {
			set_bit(p, i, true);
			p->used++;
			p->cursor = (i + 1) % p->npairs;
			*port = (uint16_t)(p->base + 2 * i);
			return 0;
		}
	}
	return xb_err(ENOSPC, "media interface '%s': no free port pair", iface);
}

static struct xbm_pool *pool_index(struct xbm *m, const char *iface, uint16_t port, uint32_t *i)
{
	struct xbm_pool *p = xbm_pool_find(m, iface);

	if (!p || port < p->base || (port - p->base) & 1u)
		return NULL;
	*i = (uint32_t)(port - p->base) / 2;
	return *i < p->npairs ? p : NULL;
}

void xbm_port_free(struct xbm *m, const char *iface, uint16_t port)
{
	struct xbm_pool *p;
	uint32_t i;

	/* outside the (possibly reloaded) range: nothing to give back */
	p = pool_index(m, iface, port, &i);
	if (p && bit(p, i)) {
		set_bit(p, i, false);
		p->used--;
	}
}

bool xbm_port_claim(struct xbm *m, const char *iface, uint16_t port)
{
	struct xbm_pool *p;
	uint32_t i;

	p = pool_index(m, iface, port, &i);
	if (!p || bit(p, i))
		return false;
	set_bit(p, i, true);
	p->used++;
	return true;
}
