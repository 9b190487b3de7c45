// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The relay's hash table against a plain list: a byte stream of put and
 * get operations over a small key space (so keys collide and repeat) must
 * give the same answers, every probe must end, and a full table must say
 * so rather than loop.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "relay/keytab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define KEYS 64

static struct xb_stream_key key_of(uint8_t k)
{
	struct xb_stream_key key;

	memset(&key, 0, sizeof(key));
	key.family = k & 1 ? XB_AF_INET6 : XB_AF_INET;
	key.port = (uint16_t)(k % 7);
	key.addr[k % 16] = k;
	return key;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int vals[256];
	void *model[KEYS] = { 0 };
	struct keytab t;
	size_t i, n = 0;

	if (size < 1 || keytab_init(&t, data[0] % 40) < 0)
		return 0;
	for (i = 1; i + 1 < size; i += 2) {
		uint8_t k = data[i] % KEYS;
		struct xb_stream_key key = key_of(k);

		if (data[i + 1] & 1) {
			void *v = &vals[data[i + 1]];
			int err = keytab_put(&t, &key, v);

			if (err == 0) {
				if (!model[k])
					n++;
				model[k] = v;
			} else if (model[k] || 2 * (n + 1) <= t.cap) {
				abort(); /* refused although there was room */
			}
		} else if (keytab_get(&t, &key) != model[k]) {
			abort();
		}
	}
	if (t.n != n)
		abort();
	keytab_free(&t);
	return 0;
}
