/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Incremental Internet checksum update (RFC 1624, eqn. 3):
 *
 *	HC' = ~(~HC + ~m + m')
 *
 * The caller collects the changed words into one 64-bit accumulator with
 * xb_csum_delta32()/xb_csum_delta16() and applies it once per checksum with
 * xb_csum_replace(). Words are used exactly as they sit in the packet (raw
 * loads, no byte swapping): one's complement sums are byte-order neutral as
 * long as every term and the stored checksum use the same order.
 */
#ifndef XB_CSUM_H
#define XB_CSUM_H

#include <linux/types.h>

/* ~old + new for a 32-bit word: both of its 16-bit halves at once. */
static __always_inline __u64 xb_csum_delta32(__u32 old, __u32 new)
{
	return (__u64)(__u32)~old + new;
}

static __always_inline __u64 xb_csum_delta16(__u16 old, __u16 new)
{
	return (__u64)(__u16)~old + new;
}

/* Fold a 64-bit accumulator to 16 bits with end-around carries. */
static __always_inline __u16 xb_csum_fold(__u64 s)
{
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)s;
}

/* New checksum field from the old one and the accumulated deltas. */
static __always_inline __u16 xb_csum_replace(__u16 check, __u64 acc)
{
	return (__u16)~xb_csum_fold((__u64)(__u16)~check + acc);
}

#endif /* XB_CSUM_H */
