// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * prog_cost: per-packet cost of the XDP program (bpf/xborder.bpf.c) from
 * BPF_PROG_TEST_RUN with repeat, on 214-byte G.711 RTP frames (IPv4; 234
 * bytes over IPv6) and a SIP packet through the guard. Prints one line per
 * figure:
 *
 *   prog_cost NAME COST ns/pkt (floor FLOOR, net NET)
 *
 * FLOOR is the same measurement with xb_xdp_pass in place of xb_xdp (see
 * xb_cost.h for why every run goes through a header-restoring wrapper), NET
 * the difference: what the program adds per packet. A benchmark, not a
 * test: it fails only when it cannot measure (or the program took another
 * path than the one being measured).
 *
 *   prog_cost [REPEAT]     REPEAT runs per round (default 10000000), best of 3
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xborder.skel.h"
#include "../bpf/xb_frames.h"
#include "xb_cost.h"

#define ROUNDS 3
#define G711_PAYLOAD 160 /* 20 ms of G.711 */
#define TX_KEY 7

struct figure {
	const char *name;
	const uint8_t *frame;
	size_t len;
	int family;	  /* which TTL / hop limit word to restore */
	int rtp;	  /* RTP stream: stats slot; its sequence advances each run */
	uint32_t verdict; /* expected */
	uint32_t counter; /* xb_stats index every run must bump */
};

static int die(const char *what, int err)
{
	fprintf(stderr, "prog_cost: %s: %s\n", what, strerror(err < 0 ? -err : err));
	return 1;
}

/*
 * A stream that forwards its packet onto itself (see xb_cost.h): egress
 * addresses, ports and MACs equal the ingress ones, DSCP equal to the
 * frame's (EF), so run after run does the full rewrite on the same bytes.
 */
static int add_stream(struct xborder *skel, const struct xb_frame_spec *f, uint32_t ifindex,
		      uint32_t idx)
{
	struct xb_stream_key k = { .family = f->family == 4 ? XB_AF_INET : XB_AF_INET6 };
	struct xb_stream s = {
		.flags = XB_F_FORWARD | XB_F_RTP,
		.ifindex = ifindex,
		.stats_idx = idx,
		.family = k.family,
		.dscp = f->tos >> 2,
		.src_port = htons(f->sport),
		.dst_port = htons(f->dport),
	};

	k.port = htons(f->dport);
	memcpy(k.addr, f->daddr, 16);
	memcpy(s.src_addr, f->saddr, 16);
	memcpy(s.dst_addr, f->daddr, 16);
	memcpy(s.smac, f->smac, 6);
	memcpy(s.dmac, f->dmac, 6);
	return bpf_map_update_elem(bpf_map__fd(skel->maps.xb_streams), &k, &s, BPF_ANY);
}

static int setup_guard(struct xborder *skel)
{
	struct xb_guard_port_key pk = { .proto = IPPROTO_UDP, .port = htons(5060) };
	/* Every check on, none refusing: allow-list hit, blocklist miss,
	 * a bucket too deep to run dry during the benchmark. */
	struct xb_guard_port pv = {
		.flags = XB_GUARD_ALLOWLIST | XB_GUARD_RATELIMIT,
		.rate_pps = 4000000000u,
		.burst = 4000000000u,
	};
	struct xb_lpm_key4 allow = { .prefixlen = 24 }, block = { .prefixlen = 24 };
	struct xb_guard_prefix gv = { .peer_id = 1 };
	int err;

	inet_pton(AF_INET, "192.0.2.0", allow.addr);
	inet_pton(AF_INET, "203.0.113.0", block.addr);
	err = bpf_map_update_elem(bpf_map__fd(skel->maps.xb_guard_ports), &pk, &pv, BPF_ANY);
	if (!err)
		err = bpf_map_update_elem(bpf_map__fd(skel->maps.xb_allow4), &allow, &gv, BPF_ANY);
	if (!err)
		err = bpf_map_update_elem(bpf_map__fd(skel->maps.xb_block4), &block, &gv, BPF_ANY);
	return err;
}

/* Measure one figure; returns 0 or prints why not. */
static int measure(struct xborder *skel, const struct figure *f, uint32_t repeat)
{
	int xdp = bpf_program__fd(skel->progs.xb_xdp);
	int pass = bpf_program__fd(skel->progs.xb_xdp_pass);
	int stats = bpf_map__fd(skel->maps.xb_stats);
	uint64_t before, after;
	struct xb_cost c;
	double floor, cost;
	uint32_t verdict = UINT32_MAX;
	int err;

	/* IPv4: TTL/protocol word and header checksum; IPv6: next header
	 * and hop limit. Untagged frames. */
	static const uint16_t words4[] = { 14 + 8, 14 + 10 }, words6[] = { 14 + 6 };
	int seq_off = f->rtp ? 14 + (f->family == 4 ? 20 : 40) + 8 + 2 : -1;
	struct xb_cost_slot slot = { bpf_map__fd(skel->maps.xb_stream_stats), (uint32_t)f->rtp };

	err = f->family == 4 ? xb_cost_init(&c, f->frame, f->len, words4, 2, seq_off)
			     : xb_cost_init(&c, f->frame, f->len, words6, 1, seq_off);
	if (err)
		return die("cannot load the restore wrapper", err);
	floor = xb_cost_measure(&c, pass, f->frame, f->len, repeat, ROUNDS, &verdict, NULL);
	before = xb_stat(stats, f->counter);
	cost = xb_cost_measure(&c, xdp, f->frame, f->len, repeat, ROUNDS, &verdict,
			       f->rtp ? &slot : NULL);
	after = xb_stat(stats, f->counter);
	xb_cost_fini(&c);
	if (cost == -EPROTO) {
		fprintf(stderr, "prog_cost: %s: the stream did not see its packets in order\n",
			f->name);
		return 1;
	}
	if (floor < 0 || cost < 0)
		return die("BPF_PROG_TEST_RUN", (int)(floor < 0 ? floor : cost));
	if (verdict != f->verdict || after - before != (uint64_t)repeat * ROUNDS) {
		fprintf(stderr, "prog_cost: %s took another path (verdict %u, %llu of %llu)\n",
			f->name, verdict, (unsigned long long)(after - before),
			(unsigned long long)repeat * ROUNDS);
		return 1;
	}
	printf("prog_cost %s %.1f ns/pkt (floor %.1f, net %.1f)\n", f->name, cost, floor,
	       cost - floor);
	return 0;
}

int main(int argc, char **argv)
{
	uint8_t rtp[256], sip[64], f4[XB_FRAME_MAX], f6[XB_FRAME_MAX], fr[XB_FRAME_MAX];
	uint8_t fs[XB_FRAME_MAX], fu[XB_FRAME_MAX];
	struct xb_frame_spec s4, s6, sr, ss, su;
	uint32_t repeat = 10000000, key = TX_KEY, lo = 1, verdict = 0, zero = 0;
	struct xb_config cfg = { .abi = XB_FASTPATH_ABI,
				 .relay_port_min = 30000,
				 .relay_port_max = 39999 };
	struct xborder *skel;
	size_t n, i;
	double empty;
	int err, rc = 0;

	if (argc > 2 || (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))) {
		fprintf(stderr, "usage: prog_cost [REPEAT]\n");
		return argc == 2 ? 0 : 2;
	}
	if (argc == 2) {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(argv[1], &end, 10);
		if (errno || *end || end == argv[1] || v < 1 || v > 1000000000ul) {
			fprintf(stderr, "prog_cost: REPEAT must be 1..1000000000, not '%s'\n",
				argv[1]);
			return 2;
		}
		repeat = (uint32_t)v;
	}

	skel = xborder__open_and_load();
	if (!skel)
		return die("cannot load the XDP program", errno);
	n = xb_rtp(rtp, 8, 4242, 4242 * 160, 0x5eed, G711_PAYLOAD);
	s4 = xb_spec(4, "192.0.2.10", 4000, "198.51.100.1", 30000, rtp, n);
	s4.tos = 46 << 2;
	sr = s4;
	sr.dport = 30010;
	s6 = xb_spec(6, "2001:db8:2::10", 4000, "2001:db8:1::1", 30000, rtp, n);
	s6.tos = 46 << 2;
	memcpy(sip, "OPTIONS sip:xborder SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10\r\n", 58);
	ss = xb_spec(4, "192.0.2.10", 5060, "198.51.100.1", 5060, sip, 58);
	su = xb_spec(4, "192.0.2.10", 53, "198.51.100.1", 53, sip, 58);

	err = bpf_map_update_elem(bpf_map__fd(skel->maps.xb_config), &zero, &cfg, BPF_ANY);
	if (!err)
		err = add_stream(skel, &s4, 1, 1);
	if (!err)
		err = add_stream(skel, &s6, 1, 2);
	if (!err)
		err = add_stream(skel, &sr, TX_KEY, 3);
	if (!err)
		err = bpf_map_update_elem(bpf_map__fd(skel->maps.xb_tx_ports), &key, &lo, BPF_ANY);
	if (!err)
		err = setup_guard(skel);
	if (err) {
		rc = die("cannot fill the maps", errno);
		goto out;
	}

	{
		const struct figure figs[] = {
			{ "ipv4_rtp_forward", f4, xb_build(&s4, f4, sizeof(f4)), 4, 1, XDP_TX,
			  XB_STAT_TX },
			{ "ipv6_rtp_forward", f6, xb_build(&s6, f6, sizeof(f6)), 6, 2, XDP_TX,
			  XB_STAT_TX },
			{ "ipv4_rtp_redirect", fr, xb_build(&sr, fr, sizeof(fr)), 4, 3,
			  XDP_REDIRECT, XB_STAT_REDIRECT },
			{ "sip_guard_admit", fs, xb_build(&ss, fs, sizeof(fs)), 4, 0, XDP_PASS,
			  XB_STAT_GUARD_PASS },
			{ "udp_not_ours_pass", fu, xb_build(&su, fu, sizeof(fu)), 4, 0, XDP_PASS,
			  XB_STAT_PASS },
		};

		empty = xb_cost_measure(NULL, bpf_program__fd(skel->progs.xb_xdp_pass), f4,
					figs[0].len, repeat, ROUNDS, &verdict, NULL);
		if (empty < 0) {
			rc = die("BPF_PROG_TEST_RUN", (int)empty);
			goto out;
		}
		printf("prog_cost empty_program %.1f ns/pkt (xb_xdp_pass run directly)\n", empty);
		for (i = 0; i < sizeof(figs) / sizeof(figs[0]); i++)
			rc |= measure(skel, &figs[i], repeat);
	}
out:
	xborder__destroy(skel);
	return rc;
}
