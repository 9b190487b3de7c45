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

/*
 * Live-frames mode recycles pages without copying the frame in again, and
 * the relay under test rewrites frames in place: so every run writes the
 * headers back from this template (Ethernet, IPv4, UDP, RTP: 54 bytes, set
 * by userspace before load) and advances the RTP sequence number, fixing
 * the UDP checksum for it (RFC 1624).
 */
#define GEN_HDR 54
#define GEN_SEQ_OFF 44	/* 14 + 20 + 8 + 2 */
#define GEN_CSUM_OFF 40 /* 14 + 20 + 6 */
__u8 gen_template[GEN_HDR] = {};
__u16 gen_seq;

SEC("xdp")
int xb_gen_tx(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;
	__u8 *end = (void *)(long)ctx->data_end;
	__u16 seq = gen_seq++;
	__u16 base = (gen_template[GEN_SEQ_OFF] << 8) | gen_template[GEN_SEQ_OFF + 1];
	__u32 csum = (gen_template[GEN_CSUM_OFF] << 8) | gen_template[GEN_CSUM_OFF + 1];

	if (data + GEN_HDR > end)
		return XDP_ABORTED;
	__builtin_memcpy(data, gen_template, GEN_HDR);
	seq += base;
	if (csum) { /* 0 means "no checksum" on IPv4: leave it so */
		csum = (~csum & 0xffff) + (~base & 0xffff) + seq;
		csum = (csum & 0xffff) + (csum >> 16);
		csum = (csum & 0xffff) + (csum >> 16);
		csum = ~csum & 0xffff ?: 0xffff;
		data[GEN_CSUM_OFF] = csum >> 8;
		data[GEN_CSUM_OFF + 1] = csum & 0xff;
	}
	data[GEN_SEQ_OFF] = seq >> 8;
	data[GEN_SEQ_OFF + 1] = seq & 0xff;
	return XDP_TX;
}

/* Counts and drops IPv4/UDP; passes the rest (ARP must get through for a
 * relay that sends through the stack). */
SEC("xdp")
int xb_sink(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;
	__u8 *end = (void *)(long)ctx->data_end;
	struct sink_count *c;
	__u32 key = 0;

	if (data + 24 > end || data[12] != 0x08 || data[13] != 0x00 || data[23] != 17)
		return XDP_PASS;
	c = bpf_map_lookup_elem(&bench_sink, &key);
	if (c) {
		c->packets++;
		c->bytes += ctx->data_end - ctx->data;
	}
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
