/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small intrusive chained hash table keyed by strings, for the proxy's
 * transactions, response contexts and calls. The table grows as it fills,
 * so lookups stay O(1) at any call rate (libosip2's own transaction lists
 * are linear).
 */
#ifndef XB_SIP_HTAB_H
#define XB_SIP_HTAB_H

#include <stddef.h>
#include <stdint.h>

struct xbs_hnode {
	struct xbs_hnode *next;
	uint64_t hash;
	const char *key; /* owned by the containing object */
};

struct xbs_htab {
	struct xbs_hnode **b;
	size_t nb; /* power of two */
	size_t n;
};

uint64_t xbs_hash(const char *s);
int xbs_htab_init(struct xbs_htab *h);
void xbs_htab_free(struct xbs_htab *h);
/* NODE->key must stay valid while the node is in the table. */
void xbs_htab_add(struct xbs_htab *h, struct xbs_hnode *node, const char *key);
struct xbs_hnode *xbs_htab_get(const struct xbs_htab *h, const char *key);
void xbs_htab_del(struct xbs_htab *h, struct xbs_hnode *node);

/* Iteration that tolerates deleting the current node. */
struct xbs_hiter {
	const struct xbs_htab *h;
	size_t bucket;
	struct xbs_hnode *next;
};
void xbs_hiter_init(struct xbs_hiter *it, const struct xbs_htab *h);
struct xbs_hnode *xbs_hiter_next(struct xbs_hiter *it);

#define xbs_container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

#endif
