// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A chained hash table keyed by (lowercase name, type) with an LRU list
 * threaded through the entries; bounded by entry count. Lookups drop what
 * has expired, so stale data is never returned however long it sat.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "dns/cache.h"

struct node {
	struct xb_dns_cache_entry e;
	char name[XB_DNS_NAME_MAX];
	uint16_t type;
	struct node *hnext;		  /* bucket chain */
	struct node *lru_prev, *lru_next; /* most recent at the head */
};

struct xb_dns_cache {
	unsigned int max, count, nbuckets;
	uint64_t evictions;
	struct node **buckets;
	struct node *head, *tail;
};

static uint32_t hash(const char *name, uint16_t type)
{
	uint32_t h = 2166136261u ^ type; /* FNV-1a */

	for (; *name; name++)
		h = (h ^ (uint8_t)*name) * 16777619u;
	return h;
}

struct xb_dns_cache *xb_dns_cache_new(unsigned int max)
{
	struct xb_dns_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->max = max;
	c->nbuckets = 16;
	while (c->nbuckets < max && c->nbuckets < (1u << 20))
		c->nbuckets <<= 1;
	c->buckets = calloc(c->nbuckets, sizeof(*c->buckets));
	if (!c->buckets) {
		free(c);
		return NULL;
	}
	return c;
}

static void lru_unlink(struct xb_dns_cache *c, struct node *n)
{
	if (n->lru_prev)
		n->lru_prev->lru_next = n->lru_next;
	else
		c->head = n->lru_next;
	if (n->lru_next)
		n->lru_next->lru_prev = n->lru_prev;
	else
		c->tail = n->lru_prev;
	n->lru_prev = n->lru_next = NULL;
}

static void lru_push(struct xb_dns_cache *c, struct node *n)
{
	n->lru_prev = NULL;
	n->lru_next = c->head;
	if (c->head)
		c->head->lru_prev = n;
	c->head = n;
	if (!c->tail)
		c->tail = n;
}

static void drop(struct xb_dns_cache *c, struct node *n)
{
	struct node **pp = &c->buckets[hash(n->name, n->type) & (c->nbuckets - 1)];

	while (*pp && *pp != n)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = n->hnext;
	lru_unlink(c, n);
	free(n->e.rr);
	free(n);
	c->count--;
}

void xb_dns_cache_flush(struct xb_dns_cache *c)
{
	while (c && c->head)
		drop(c, c->head);
}

void xb_dns_cache_free(struct xb_dns_cache *c)
{
	if (!c)
		return;
	xb_dns_cache_flush(c);
	free(c->buckets);
	free(c);
}

static struct node *find(struct xb_dns_cache *c, const char *name, uint16_t type)
{
	struct node *n = c->buckets[hash(name, type) & (c->nbuckets - 1)];

	while (n && (n->type != type || strcmp(n->name, name)))
		n = n->hnext;
	return n;
}

const struct xb_dns_cache_entry *xb_dns_cache_get(struct xb_dns_cache *c, const char *name,
						  uint16_t type, uint64_t now_ns)
{
	struct node *n;

	if (!c || !c->max)
		return NULL;
	n = find(c, name, type);
	if (!n)
		return NULL;
	if (n->e.expires_ns <= now_ns) {
		drop(c, n);
		return NULL;
	}
	lru_unlink(c, n);
	lru_push(c, n);
	return &n->e;
}

int xb_dns_cache_put(struct xb_dns_cache *c, const char *name, uint16_t type,
		     enum xb_dns_status status, const char *canonical, unsigned int cname_hops,
		     const struct xb_dns_rr *rr, unsigned int n, uint32_t ttl, uint64_t now_ns)
{
	struct node *node;
	uint32_t h;

	if (!c || !c->max || !ttl || strlen(name) >= XB_DNS_NAME_MAX ||
	    strlen(canonical) >= XB_DNS_NAME_MAX)
		return 0;
	node = find(c, name, type);
	if (node)
		drop(c, node); /* replaced whole */
	while (c->count >= c->max && c->tail) {
		drop(c, c->tail);
		c->evictions++;
	}
	node = calloc(1, sizeof(*node));
	if (!node)
		return xb_err(ENOMEM, "out of memory for a cache entry");
	if (n) {
		node->e.rr = malloc(n * sizeof(*rr));
		if (!node->e.rr) {
			free(node);
			return xb_err(ENOMEM, "out of memory for a cache entry");
		}
		memcpy(node->e.rr, rr, n * sizeof(*rr));
	}
	node->e.n = n;
	node->e.status = status;
	node->e.cname_hops = cname_hops;
	strcpy(node->e.canonical, canonical);
	node->e.expires_ns = now_ns + (uint64_t)ttl * 1000000000ull;
	strcpy(node->name, name);
	node->type = type;
	h = hash(name, type) & (c->nbuckets - 1);
	node->hnext = c->buckets[h];
	c->buckets[h] = node;
	lru_push(c, node);
	c->count++;
	return 0;
}

unsigned int xb_dns_cache_count(const struct xb_dns_cache *c)
{
	return c ? c->count : 0;
}

uint64_t xb_dns_cache_evictions(const struct xb_dns_cache *c)
{
	return c ? c->evictions : 0;
}
