// SPDX-License-Identifier: GPL-2.0-or-later
/* The call table: Call-ID -> call, chained hashing, grown by doubling. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "media/internal.h"

/* FNV-1a: Call-IDs are outside input, but the table only needs spread,
 * and chains stay short because it grows with the call count. */
static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s) {
		h ^= (uint8_t)*s++;
		h *= 16777619u;
	}
	return h;
}

struct xbm_call *xbm_call_find(const struct xbm *m, const char *call_id)
{
	struct xbm_call *c;

	if (!m->n_buckets)
		return NULL;
	for (c = m->buckets[hash_str(call_id) & (m->n_buckets - 1)]; c; c = c->next)
		if (!strcmp(c->call_id, call_id))
			return c;
	return NULL;
}

static int grow(struct xbm *m)
{
	unsigned int n = m->n_buckets ? m->n_buckets * 2 : 256, i;
	struct xbm_call **b = calloc(n, sizeof(*b));

	if (!b)
		return -ENOMEM;
	for (i = 0; i < m->n_buckets; i++) {
		struct xbm_call *c = m->buckets[i], *next;

		for (; c; c = next) {
			uint32_t h = hash_str(c->call_id) & (n - 1);

			next = c->next;
			c->next = b[h];
			b[h] = c;
		}
	}
	free(m->buckets);
	m->buckets = b;
	m->n_buckets = n;
	return 0;
}

struct xbm_call *xbm_call_new(struct xbm *m, const char *call_id)
{
	struct xbm_call *c;
	uint32_t h;

	if (m->n_calls >= m->n_buckets && grow(m)) {
		xb_err(ENOMEM, "out of memory");
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c || !(c->call_id = strdup(call_id))) {
		free(c);
		xb_err(ENOMEM, "out of memory");
		return NULL;
	}
	c->offer_from = -1;
	h = hash_str(call_id) & (m->n_buckets - 1);
	c->next = m->buckets[h];
	m->buckets[h] = c;
	m->n_calls++;
	return c;
}

void xbm_call_unlink(struct xbm *m, struct xbm_call *c)
{
	struct xbm_call **pp = &m->buckets[hash_str(c->call_id) & (m->n_buckets - 1)];

	for (; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			m->n_calls--;
			return;
		}
}

void xbm_call_destroy(struct xbm_call *c)
{
	if (!c)
		return;
	free(c->party[0].tag);
	free(c->party[1].tag);
	free(c->call_id);
	explicit_bzero(c, sizeof(*c)); /* SDES keys */
	free(c);
}

int xbm_set_tag(struct xbm_party *p, const char *tag)
{
	char *t = strdup(tag);

	if (!t)
		return xb_err(ENOMEM, "out of memory");
	free(p->tag);
	p->tag = t;
	return 0;
}

void xbm_call_foreach(struct xbm *m, void (*cb)(struct xbm *m, struct xbm_call *c, void *arg),
		      void *arg)
{
	unsigned int i;

	for (i = 0; i < m->n_buckets; i++) {
		struct xbm_call *c = m->buckets[i], *next;

		for (; c; c = next) {
			next = c->next;
			cb(m, c, arg);
		}
	}
}
