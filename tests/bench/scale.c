// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * scale: the stream table at full size. Sizes xb_streams and
 * xb_stream_stats for STREAMS entries (default 1,000,000), fills every
 * entry, and reports
 *
 *   scale fill STREAMS streams in S s
 *   scale memory xb_streams B1 bytes, xb_stream_stats B2 bytes, PER bytes/stream
 *   scale ipv4_rtp_forward_full COST ns/pkt (floor FLOOR, net NET)
 *
 * Memory is the kernel's own accounting of each map ("memlock:" in
 * /proc/self/fdinfo/FD; exact since Linux 6.5, an estimate from key and
 * value sizes before). The forwarding cost is measured as in prog_cost
 * (see xb_cost.h) on a stream in the middle of the full table.
 *
 *   scale [STREAMS [REPEAT]]   defaults 1000000 and 10000000
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xborder.skel.h"
#include "../bpf/xb_frames.h"
#include "xb_cost.h"

#define ROUNDS 3
#define BATCH 8192
#define RELAY_NET 0xc6120000u /* 198.18.0.0/15, the benchmarking prefix */

static int die(const char *what, int err)
{
	fprintf(stderr, "scale: %s: %s\n", what, strerror(err < 0 ? -err : err));
	return 1;
}

static int parse_u32(const char *arg, const char *what, uint32_t min, uint32_t max, uint32_t *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || *end || end == arg || v < min || v > max) {
		fprintf(stderr, "scale: %s must be %u..%u, not '%s'\n", what, min, max, arg);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

/* Stream i: relay address 198.18.0.0 + i / 16, port 30000 + 2 * (i % 16);
 * it forwards its packet onto itself (see xb_cost.h). */
static void stream_i(uint32_t i, struct xb_stream_key *k, struct xb_stream *s)
{
	uint32_t addr = htonl(RELAY_NET + i / 16);
	uint16_t port = htons((uint16_t)(30000 + 2 * (i % 16)));
	static const uint8_t peer_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };
	static const uint8_t relay_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };

	memset(k, 0, sizeof(*k));
	k->family = XB_AF_INET;
	k->port = port;
	memcpy(k->addr, &addr, 4);

	memset(s, 0, sizeof(*s));
	s->flags = XB_F_FORWARD | XB_F_RTP;
	s->ifindex = 1;
	s->stats_idx = i;
	s->family = XB_AF_INET;
	s->dscp = 46;
	xb_addr(4, "192.0.2.10", s->src_addr);
	memcpy(s->dst_addr, &addr, 4);
	s->src_port = htons(4000);
	s->dst_port = port;
	memcpy(s->smac, peer_mac, 6);
	memcpy(s->dmac, relay_mac, 6);
}

static int fill(int fd, uint32_t n)
{
	static struct xb_stream_key keys[BATCH];
	static struct xb_stream vals[BATCH];
	uint32_t i = 0, j, count;
	int err;

	while (i < n) {
		count = n - i < BATCH ? n - i : BATCH;
		for (j = 0; j < count; j++)
			stream_i(i + j, &keys[j], &vals[j]);
		err = bpf_map_update_batch(fd, keys, vals, &count, NULL);
		if (err)
			return err;
		i += count;
	}
	return 0;
}

/* The kernel's memory accounting of a map, -1 if it does not say. */
static long long map_memlock(int fd)
{
	char path[64], line[256];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %lld", &v) == 1)
			break;
	fclose(f);
	return v;
}

int main(int argc, char **argv)
{
	uint32_t n = 1000000, repeat = 10000000, verdict = 0, mid;
	struct xb_cost_slot slot;
	static const uint16_t words4[] = { 14 + 8, 14 + 10 };
	uint8_t rtp[256], frame[XB_FRAME_MAX];
	struct xb_stream_key k;
	struct xb_stream s;
	struct xb_frame_spec spec;
	struct timespec t0, t1;
	long long mem_streams, mem_stats;
	struct xborder *skel;
	double floor, cost;
	struct xb_cost c;
	size_t len, plen;
	int err, rc = 1;

	if (argc > 3 || (argc > 1 && parse_u32(argv[1], "STREAMS", 2, 16000000, &n)) ||
	    (argc > 2 && parse_u32(argv[2], "REPEAT", 1, 1000000000, &repeat))) {
		fprintf(stderr, "usage: scale [STREAMS [REPEAT]]\n");
		return 2;
	}

	skel = xborder__open();
	if (!skel)
		return die("cannot open the XDP program", errno);
	if (bpf_map__set_max_entries(skel->maps.xb_streams, n) ||
	    bpf_map__set_max_entries(skel->maps.xb_stream_stats, n)) {
		rc = die("cannot size the stream maps", errno);
		goto out;
	}
	err = xborder__load(skel);
	if (err) {
		rc = die("cannot load the XDP program", err);
		goto out;
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = fill(bpf_map__fd(skel->maps.xb_streams), n);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (err) {
		rc = die("cannot fill xb_streams", err);
		goto out;
	}
	printf("scale fill %u streams in %.2f s\n", n,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);

	mem_streams = map_memlock(bpf_map__fd(skel->maps.xb_streams));
	mem_stats = map_memlock(bpf_map__fd(skel->maps.xb_stream_stats));
	if (mem_streams < 0 || mem_stats < 0)
		printf("scale memory unknown (no memlock in /proc/self/fdinfo)\n");
	else
		printf("scale memory xb_streams %lld bytes, xb_stream_stats %lld bytes, "
		       "%.1f bytes/stream\n",
		       mem_streams, mem_stats, (double)(mem_streams + mem_stats) / n);

	/* A packet for the stream in the middle of the table. */
	mid = n / 2;
	stream_i(mid, &k, &s);
	plen = xb_rtp(rtp, 8, 1, 160, 0x5eed, 160);
	spec = xb_spec(4, "192.0.2.10", 4000, "198.18.0.0", ntohs(k.port), rtp, plen);
	memcpy(spec.daddr, k.addr, 4);
	spec.tos = 46 << 2;
	len = xb_build(&spec, frame, sizeof(frame));

	err = xb_cost_init(&c, frame, len, words4, 2, 14 + 20 + 8 + 2);
	if (err) {
		rc = die("cannot load the restore wrapper", err);
		goto out;
	}
	floor = xb_cost_measure(&c, bpf_program__fd(skel->progs.xb_xdp_pass), frame, len, repeat,
				ROUNDS, &verdict, NULL);
	slot.fd = bpf_map__fd(skel->maps.xb_stream_stats);
	slot.idx = mid;
	cost = xb_cost_measure(&c, bpf_program__fd(skel->progs.xb_xdp), frame, len, repeat, ROUNDS,
			       &verdict, &slot);
	xb_cost_fini(&c);
	if (cost == -EPROTO || verdict != XDP_TX) {
		fprintf(stderr, "scale: the packet took another path (verdict %u)\n", verdict);
		goto out;
	}
	if (floor < 0 || cost < 0) {
		rc = die("BPF_PROG_TEST_RUN", (int)(floor < 0 ? floor : cost));
		goto out;
	}
	printf("scale ipv4_rtp_forward_full %.1f ns/pkt (floor %.1f, net %.1f)\n", cost, floor,
	       cost - floor);
	rc = 0;
out:
	xborder__destroy(skel);
	return rc;
}
