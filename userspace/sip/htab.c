// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sip/htab.h"

#define HTAB_MIN 64

uint64_t xbs_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 0x100000001b3ull;
	}
	return h ^ (h >> 29);
}

int xbs_htab_init(struct xbs_htab *h)
{
	h->b = calloc(HTAB_MIN, sizeof(*h->b));
	if (!h->b)
		return -ENOMEM;
	h->nb = HTAB_MIN;
	h->n = 0;
	return 0;
}

void xbs_htab_free(struct xbs_htab *h)
{
	free(h->b);
	h->b = NULL;
	h->nb = h->n = 0;
}

static void htab_grow(struct xbs_htab *h)
{
	size_t nb = h->nb * 2, i;
	struct xbs_hnode **b = calloc(nb, sizeof(*b)), *n, *next;

	if (!b)
		return; /* stays correct, just slower */
	for (i = 0; i < h->nb; i++) {
		for (n = h->b[i]; n; n = next) {
			next = n->next;
			n->next = b[n->hash & (nb - 1)];
			b[n->hash & (nb - 1)] = n;
		}
	}
	free(h->b);
	h->b = b;
	h->nb = nb;
}

void xbs_htab_add(struct xbs_htab *h, struct xbs_hnode *node, const char *key)
{
	size_t i;

	if (h->n >= h->nb)
		htab_grow(h);
	node->key = key;
	node->hash = xbs_hash(key);
	i = node->hash & (h->nb - 1);
	node->next = h->b[i];
	h->b[i] = node;
	h->n++;
}

struct xbs_hnode *xbs_htab_get(const struct xbs_htab *h, const char *key)
{
	uint64_t hash = xbs_hash(key);
	struct xbs_hnode *n;

	if (!h->b)
		return NULL;
	for (n = h->b[hash & (h->nb - 1)]; n; n = n->next)
		if (n->hash == hash && !strcmp(n->key, key))
			return n;
	return NULL;
}

void xbs_htab_del(struct xbs_htab *h, struct xbs_hnode *node)
{
	struct xbs_hnode **pp;

	if (!h->b)
		return;
	for (pp = &h->b[node->hash & (h->nb - 1)]; *pp; pp = &(*pp)->next) {
		if (*pp == node) {
			*pp = node->next;
			node->next = NULL;
			h->n--;
			return;
		}
	}
}

void xbs_hiter_init(struct xbs_hiter *it, const struct xbs_htab *h)
{
	it->h = h;
	it->bucket = 0;
	it->next = NULL;
	while (it->bucket < h->nb && !(it->next = h->b[it->bucket]))
		it->bucket++;
}

struct xbs_hnode *xbs_hiter_next(struct xbs_hiter *it)
{
	struct xbs_hnode *cur = it->next;

	if (!cur)
		return NULL;
	it->next = cur->next;
	while (!it->next && ++it->bucket < it->h->nb)
		it->next = it->h->b[it->bucket];
	return cur;
}
