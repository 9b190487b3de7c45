/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Destinations that recently failed (transport error, timeout, 503): kept
 * for a while so that failover skips them, then forgotten. Shared by all
 * requests of a daemon; bounded (when full, the entry closest to expiry
 * makes room).
 */
#ifndef XB_DNS_BLOCKLIST_H
#define XB_DNS_BLOCKLIST_H

#include <stdbool.h>
#include <stdint.h>

#include "common/addr.h"
#include "config/config.h"

#define XB_BLOCKLIST_MAX_SECONDS 86400

struct xb_blocklist;

struct xb_blocklist *xb_blocklist_new(unsigned int max);
void xb_blocklist_free(struct xb_blocklist *bl);
/* Block EP over TRANSPORT for SECONDS (1..86400) from NOW_NS; a second
 * report extends an entry, never shortens it. */
int xb_blocklist_add(struct xb_blocklist *bl, const struct xb_endpoint *ep,
		     enum xbd_transport transport, uint32_t seconds, uint64_t now_ns);
bool xb_blocklist_has(struct xb_blocklist *bl, const struct xb_endpoint *ep,
		      enum xbd_transport transport, uint64_t now_ns);
void xb_blocklist_del(struct xb_blocklist *bl, const struct xb_endpoint *ep,
		      enum xbd_transport transport);
/* Entries still in force at NOW_NS. */
unsigned int xb_blocklist_count(struct xb_blocklist *bl, uint64_t now_ns);

#endif
