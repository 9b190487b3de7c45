// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Live-frames traffic generator and XDP sink for the forwarding benchmark.
 *
 *   xdp_bench gen DEV SRCMAC DSTMAC SRC:PORT DST:PORT [SIZE]
 *       Transmits SIZE-byte RTP frames (IPv4/UDP, valid checksums) out of
 *       DEV with BPF_PROG_TEST_RUN in live-frames mode until killed.
 *   xdp_bench sink DEV WARMUP SECONDS
 *       Attaches a counting XDP_DROP program to DEV, waits WARMUP seconds,
 *       counts for SECONDS and prints "sink PPS BPS".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xb_bench.skel.h"

static int die(const char *what)
{
	fprintf(stderr, "xdp_bench: %s: %s\n", what, strerror(errno));
	return 1;
}

static int parse_mac(const char *s, unsigned char *mac)
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2], &mac[3],
		      &mac[4], &mac[5]) == 6
		       ? 0
		       : -1;
}

static int parse_hostport(const char *s, struct in_addr *a, __u16 *port)
{
	char buf[64];
	char *colon;
	long p;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	colon = strrchr(buf, ':');
	if (!colon)
		return -1;
	*colon = '\0';
	p = strtol(colon + 1, NULL, 10);
	if (p <= 0 || p > 65535 || inet_pton(AF_INET, buf, a) != 1)
		return -1;
	*port = p;
	return 0;
}

static __u32 csum_add(__u32 sum, const void *data, size_t len)
{
	const __u8 *p = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	return sum;
}

static __u16 csum_fold(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

/* Ethernet + IPv4 + UDP + RTP (PCMU) frame of SIZE bytes. */
static size_t build_frame(__u8 *buf, size_t size, const __u8 *smac, const __u8 *dmac,
			  struct in_addr src, __u16 sport, struct in_addr dst, __u16 dport)
{
	struct ethhdr *eth = (void *)buf;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);
	__u8 *rtp = (void *)(udp + 1);
	size_t l4 = size - sizeof(*eth) - sizeof(*ip);
	__u32 sum;

	memset(buf, 0, size);
	memcpy(eth->h_dest, dmac, ETH_ALEN);
	memcpy(eth->h_source, smac, ETH_ALEN);
	eth->h_proto = htons(ETH_P_IP);
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->tot_len = htons(size - sizeof(*eth));
	ip->saddr = src.s_addr;
	ip->daddr = dst.s_addr;
	ip->check = htons(csum_fold(csum_add(0, ip, sizeof(*ip))));
	udp->source = htons(sport);
	udp->dest = htons(dport);
	udp->len = htons(l4);
	rtp[0] = 0x80;
	rtp[1] = 0; /* PCMU */
	memset(rtp + 12, 0xd5, l4 - sizeof(*udp) - 12);
	sum = csum_add(0, &ip->saddr, 8);
	sum += IPPROTO_UDP + l4;
	sum = csum_add(sum, udp, l4);
	udp->check = htons(csum_fold(sum) ?: 0xffff);
	return size;
}

static int gen(int argc, char **argv)
{
	__u8 frame[1514], smac[ETH_ALEN], dmac[ETH_ALEN];
	struct in_addr src, dst;
	__u16 sport, dport;
	size_t size = argc > 6 ? strtoul(argv[6], NULL, 10) : 214;
	struct xb_bench *skel;
	int ifindex, err;

	if (argc < 6 || parse_mac(argv[2], smac) || parse_mac(argv[3], dmac) ||
	    parse_hostport(argv[4], &src, &sport) || parse_hostport(argv[5], &dst, &dport) ||
	    size < 60 || size > sizeof(frame)) {
		fprintf(stderr,
			"xdp_bench: usage: gen DEV SRCMAC DSTMAC SRC:PORT DST:PORT [SIZE]\n");
		return 2;
	}
	ifindex = if_nametoindex(argv[1]);
	if (!ifindex)
		return die(argv[1]);
	build_frame(frame, size, smac, dmac, src, sport, dst, dport);
	skel = xb_bench__open();
	if (!skel)
		return die("open xb_bench");
	memcpy(skel->bss->gen_template, frame, sizeof(skel->bss->gen_template));
	if (xb_bench__load(skel)) {
		xb_bench__destroy(skel);
		return die("load xb_bench");
	}

	/* Runs until a signal interrupts the syscall (the caller kills us). */
	for (;;) {
		/* The kernel wants data_end == the frame size when ctx is given. */
		struct xdp_md ctx = { .data_end = size, .ingress_ifindex = ifindex };
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = size,
			    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
			    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .repeat = 1 << 30,
			    .batch_size = 64);

		err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.xb_gen_tx), &opts);
		if (err && errno != EINTR) {
			xb_bench__destroy(skel);
			return die("live-frames test run");
		}
	}
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static int read_sink(struct xb_bench *skel, __u64 *pkts, __u64 *bytes)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	struct {
		__u64 packets, bytes;
	} v[ncpu];
	__u32 key = 0;

	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.bench_sink), &key, v))
		return -1;
	*pkts = *bytes = 0;
	for (i = 0; i < ncpu; i++) {
		*pkts += v[i].packets;
		*bytes += v[i].bytes;
	}
	return 0;
}

static int sink(int argc, char **argv)
{
	__u64 p0, b0, p1, b1;
	struct xb_bench *skel;
	double warm, secs;
	int ifindex, err;

	if (argc < 4) {
		fprintf(stderr, "xdp_bench: usage: sink DEV WARMUP SECONDS\n");
		return 2;
	}
	ifindex = if_nametoindex(argv[1]);
	warm = atof(argv[2]);
	secs = atof(argv[3]);
	if (!ifindex || secs <= 0)
		return die("sink arguments");
	skel = xb_bench__open_and_load();
	if (!skel)
		return die("load xb_bench");
	err = bpf_xdp_attach(ifindex, bpf_program__fd(skel->progs.xb_sink), XDP_FLAGS_DRV_MODE,
			     NULL);
	if (err) {
		xb_bench__destroy(skel);
		return die("attach sink");
	}
	signal(SIGTERM, on_signal);
	usleep(warm * 1e6);
	read_sink(skel, &p0, &b0);
	usleep(secs * 1e6);
	read_sink(skel, &p1, &b1);
	bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, NULL);
	xb_bench__destroy(skel);
	printf("sink %.0f %.0f\n", (p1 - p0) / secs, (b1 - b0) / secs);
	return stop ? 1 : 0;
}

int main(int argc, char **argv)
{
	/* Subcommands see their own name as argv[0]. */
	if (argc > 1 && !strcmp(argv[1], "gen"))
		return gen(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "sink"))
		return sink(argc - 1, argv + 1);
	fprintf(stderr, "xdp_bench: usage: xdp_bench gen|sink ...\n");
	return 2;
}
