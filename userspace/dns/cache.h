/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The resolver's cache: answers per (name, type) until their TTL runs out,
 * positive or negative, at most MAX entries (the least recently used goes
 * first). Internal to the resolver.
 */
#ifndef XB_DNS_CACHE_H
#define XB_DNS_CACHE_H

#include <stdint.h>

#include "dns/resolver.h"

struct xb_dns_cache;

struct xb_dns_cache_entry {
	enum xb_dns_status status; /* OK, NXDOMAIN or NODATA */
	char canonical[XB_DNS_NAME_MAX];
	unsigned int cname_hops;
	unsigned int n;
	struct xb_dns_rr *rr;
	uint64_t expires_ns;
};

struct xb_dns_cache *xb_dns_cache_new(unsigned int max);
void xb_dns_cache_free(struct xb_dns_cache *c);
void xb_dns_cache_flush(struct xb_dns_cache *c);
/* Stores a copy of RR (N records) for TTL seconds; TTL 0 stores nothing. */
int xb_dns_cache_put(struct xb_dns_cache *c, const char *name, uint16_t type,
		     enum xb_dns_status status, const char *canonical, unsigned int cname_hops,
		     const struct xb_dns_rr *rr, unsigned int n, uint32_t ttl, uint64_t now_ns);
/* The live entry, or NULL; expired entries are dropped on the way. */
const struct xb_dns_cache_entry *xb_dns_cache_get(struct xb_dns_cache *c, const char *name,
						  uint16_t type, uint64_t now_ns);
unsigned int xb_dns_cache_count(const struct xb_dns_cache *c);
uint64_t xb_dns_cache_evictions(const struct xb_dns_cache *c);

#endif
