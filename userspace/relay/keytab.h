/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small open-addressing hash table from struct xb_stream_key (a stream
 * key, or a relay endpoint in the same layout) to a pointer. Tables are
 * rebuilt whole at each sync, so there is no delete.
 */
#ifndef XB_RELAY_KEYTAB_H
#define XB_RELAY_KEYTAB_H

#include <stddef.h>

#include <xborder/fastpath.h>

struct keytab_slot {
	struct xb_stream_key key;
	void *val; /* NULL: empty slot */
};

struct keytab {
	struct keytab_slot *slots;
	size_t cap; /* power of two, at least twice the entries */
	size_t n;
};

/* Room for n entries; 0 or -ENOMEM. */
int keytab_init(struct keytab *t, size_t n);
void keytab_free(struct keytab *t);
/* Insert or replace; 0, or -ENOSPC if the table was sized too small. */
int keytab_put(struct keytab *t, const struct xb_stream_key *key, void *val);
void *keytab_get(const struct keytab *t, const struct xb_stream_key *key);

#endif
