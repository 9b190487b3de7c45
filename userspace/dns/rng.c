// SPDX-License-Identifier: GPL-2.0-or-later
#include <sys/random.h>
#include <time.h>

#include "dns/rng.h"

void xb_rng_seed(struct xb_rng *rng, uint64_t seed)
{
	rng->state = seed;
}

void xb_rng_seed_random(struct xb_rng *rng)
{
	uint64_t seed;
	struct timespec ts;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed)) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		seed = (uint64_t)ts.tv_sec * 1000000007u ^ (uint64_t)ts.tv_nsec;
	}
	rng->state = seed;
}

uint64_t xb_rng_next(struct xb_rng *rng)
{
	uint64_t z = (rng->state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t xb_rng_upto(struct xb_rng *rng, uint64_t max)
{
	uint64_t span, limit, v;

	if (max == UINT64_MAX)
		return xb_rng_next(rng);
	span = max + 1;
	/* reject the top partial bucket so every value is equally likely */
	limit = UINT64_MAX - (UINT64_MAX % span);
	do
		v = xb_rng_next(rng);
	while (v >= limit);
	return v % span;
}
