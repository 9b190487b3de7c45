// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark helpers, not part of the product: a traffic generator for
 * BPF_PROG_TEST_RUN live-frames mode (every frame is transmitted out of the
 * ingress device with XDP_TX) and a sink that counts and drops what arrives.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct sink_count {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sink_count);
} bench_sink SEC(".maps");

SEC("xdp")
int xb_gen_tx(struct xdp_md *ctx)
{
	return XDP_TX;
}

SEC("xdp")
int xb_sink(struct xdp_md *ctx)
{
	__u32 key = 0;
	struct sink_count *c = bpf_map_lookup_elem(&bench_sink, &key);

	if (c) {
		c->packets++;
		c->bytes += ctx->data_end - ctx->data;
	}
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
