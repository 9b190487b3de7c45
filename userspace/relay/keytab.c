// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "relay/keytab.h"

static size_t hash(const struct xb_stream_key *key)
{
	const uint8_t *p = (const uint8_t *)key;
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
	size_t i;

	for (i = 0; i < sizeof(*key); i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return (size_t)(h ^ (h >> 29));
}

int keytab_init(struct keytab *t, size_t n)
{
	size_t cap = 16;

	while (cap < 2 * n + 2)
		cap *= 2;
	t->slots = calloc(cap, sizeof(*t->slots));
	if (!t->slots)
		return -ENOMEM;
	t->cap = cap;
	t->n = 0;
	return 0;
}

void keytab_free(struct keytab *t)
{
	free(t->slots);
	t->slots = NULL;
	t->cap = t->n = 0;
}

int keytab_put(struct keytab *t, const struct xb_stream_key *key, void *val)
{
	size_t i, mask = t->cap - 1;

	if (!t->cap)
		return -ENOSPC;
	for (i = hash(key) & mask;; i = (i + 1) & mask) {
		struct keytab_slot *s = &t->slots[i];

		if (s->val && !memcmp(&s->key, key, sizeof(*key))) {
			s->val = val;
			return 0;
		}
		if (!s->val) {
			/* keep one slot in two free, so probes stay short and end */
			if (2 * (t->n + 1) > t->cap)
				return -ENOSPC;
			s->key = *key;
			s->val = val;
			t->n++;
			return 0;
		}
	}
}

void *keytab_get(const struct keytab *t, const struct xb_stream_key *key)
{
	size_t i, mask = t->cap - 1;

	if (!t->cap)
		return NULL;
	for (i = hash(key) & mask;; i = (i + 1) & mask) {
		const struct keytab_slot *s = &t->slots[i];

		if (!s->val)
			return NULL;
		if (!memcmp(&s->key, key, sizeof(*key)))
			return s->val;
	}
}
