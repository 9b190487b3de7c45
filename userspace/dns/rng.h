/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small seedable pseudo-random generator (splitmix64) for choices that
 * must be reproducible in tests: RFC 2782 weighted selection among SRV
 * records. Not for anything an attacker must not predict (DNS query ids
 * and source ports come from getrandom()).
 */
#ifndef XB_DNS_RNG_H
#define XB_DNS_RNG_H

#include <stdint.h>

struct xb_rng {
	uint64_t state;
};

void xb_rng_seed(struct xb_rng *rng, uint64_t seed);
/* Seeds from getrandom(); falls back to the clock if that fails. */
void xb_rng_seed_random(struct xb_rng *rng);
uint64_t xb_rng_next(struct xb_rng *rng);
/* Uniform in 0..max inclusive, without modulo bias. */
uint64_t xb_rng_upto(struct xb_rng *rng, uint64_t max);

#endif
