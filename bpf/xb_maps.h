/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The maps of include/uapi/xborder/fastpath.h as the XDP programs declare
 * them, and the counter helpers. Shared by xborder.bpf.c and
 * xborder_srtp.bpf.c: the loader gives both objects the same pinned maps.
 */
#ifndef XB_MAPS_H
#define XB_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include <xborder/fastpath.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH); /* preallocated: no allocation per packet */
	__uint(max_entries, XB_MAX_STREAMS_DEFAULT);
	__type(key, struct xb_stream_key);
	__type(value, struct xb_stream);
} xb_streams SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XB_MAX_STREAMS_DEFAULT);
	__type(key, __u32);
	__type(value, struct xb_stream_stats);
} xb_stream_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xb_config);
} xb_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XB_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} xb_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, XB_MAX_TX_PORTS);
	__type(key, __u32);
	__type(value, __u32);
} xb_tx_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XB_MAX_GUARD_PORTS);
	__type(key, struct xb_guard_port_key);
	__type(value, struct xb_guard_port);
} xb_guard_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, XB_MAX_GUARD_PREFIXES);
	__type(key, struct xb_lpm_key4);
	__type(value, struct xb_guard_prefix);
} xb_allow4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, XB_MAX_GUARD_PREFIXES);
	__type(key, struct xb_lpm_key6);
	__type(value, struct xb_guard_prefix);
} xb_allow6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, XB_MAX_GUARD_PREFIXES);
	__type(key, struct xb_lpm_key4);
	__type(value, struct xb_guard_prefix);
} xb_block4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, XB_MAX_GUARD_PREFIXES);
	__type(key, struct xb_lpm_key6);
	__type(value, struct xb_guard_prefix);
} xb_block6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XB_MAX_RATELIMIT_SOURCES);
	__type(key, struct xb_addr_key);
	__type(value, struct xb_rate_state);
} xb_ratelimit SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, XB_MAX_SRTP_PROGS);
	__type(key, __u32);
	__type(value, __u32);
} xb_srtp_progs SEC(".maps");

/* ------------------------------------------------------------ counters */

static __always_inline void xb_count(__u32 idx)
{
	__u64 *c = bpf_map_lookup_elem(&xb_stats, &idx);

	if (c)
		*c += 1; /* per-CPU slot: no atomic needed */
}

static __always_inline int xb_pass(__u32 reason)
{
	xb_count(reason);
	return XDP_PASS;
}

static __always_inline int xb_drop(__u32 reason)
{
	xb_count(reason);
	return XDP_DROP;
}

/* A packet the stream accepted (forwarded or handed to the stack). */
static __always_inline void xb_stream_account(struct xb_stream_stats *st, __u32 bytes, __u64 now)
{
	if (!st)
		return;
	__sync_fetch_and_add(&st->packets, 1);
	__sync_fetch_and_add(&st->bytes, bytes);
	st->last_seen_ns = now;
}

static __always_inline int xb_stream_pass(struct xb_stream_stats *st, __u32 bytes, __u64 now,
					  __u32 reason)
{
	xb_stream_account(st, bytes, now);
	return xb_pass(reason);
}

static __always_inline int xb_stream_drop(struct xb_stream_stats *st, __u32 reason)
{
	if (st)
		__sync_fetch_and_add(&st->drops, 1);
	return xb_drop(reason);
}

#endif /* XB_MAPS_H */
