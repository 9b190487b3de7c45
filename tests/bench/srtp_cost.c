// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * srtp_cost: what SRTP adds per packet, 172-byte RTP (G.711, 20 ms):
 *
 *   srtp_cost userspace PACKETS  libsrtp2 (the userspace relay's SRTP):
 *                                protect and unprotect, ns per packet
 *   srtp_cost xdp PACKETS        the XDP path with xborder.ko (needs the
 *                                module: the VM): plain forward, unprotect
 *                                + forward, protect + forward, ns per
 *                                packet and the ratio to plain forwarding
 *
 * XDP figures come from BPF_PROG_TEST_RUN's own timer, one distinct packet
 * per run (SRTP refuses to see the same index twice), averaged. Printed as
 *
 *   srtp_cost NAME COST ns/pkt [(xRATIO)]
 *
 * A benchmark, not a test: it fails only when it cannot measure.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/err.h"
#include "srtp/srtp.h"
#include "xborder.skel.h"
#include "xborder_srtp.skel.h"
#include "../bpf/xb_frames.h"

#define PAYLOAD 160
#define PORT_FWD 32000
#define PORT_UNP 32002
#define PORT_PRO 32004
#define CTX_UNP 0x5eed2001u
#define CTX_PRO 0x5eed2002u

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static struct xb_srtp_params params(uint32_t id, uint8_t dir)
{
	struct xb_srtp_params p = { .id = id,
				    .suite = XBORDER_SRTP_AES_CM_128_HMAC_SHA1_80,
				    .dir = dir };

	/* a fixed, made-up key: this is a measurement */
	memset(p.key, 0x42, sizeof(p.key));
	memset(p.salt, 0x24, sizeof(p.salt));
	return p;
}

static size_t rtp(uint8_t *buf, uint16_t seq)
{
	return xb_rtp(buf, 0, seq, 160u * seq, 0x5eed0001, PAYLOAD);
}

static int bench_userspace(int n)
{
	struct xb_srtp_params pp = params(1, XBORDER_SRTP_PROTECT);
	struct xb_srtp_params pu = params(1, XBORDER_SRTP_UNPROTECT);
	struct xb_srtp_session *tx, *rx;
	uint8_t(*pkt)[512] = calloc((size_t)n, sizeof(*pkt));
	int *len = calloc((size_t)n, sizeof(*len));
	uint64_t t0, t1, t2;
	int i;

	if (!pkt || !len || xb_srtp_session_new(&pp, &tx) || xb_srtp_session_new(&pu, &rx)) {
		fprintf(stderr, "srtp_cost: %s\n", *xb_errmsg() ? xb_errmsg() : "out of memory");
		return 1;
	}
	for (i = 0; i < n; i++)
		len[i] = (int)rtp(pkt[i], (uint16_t)i);
	t0 = now_ns();
	for (i = 0; i < n; i++)
		len[i] = xb_srtp_session_apply(tx, pkt[i], (size_t)len[i], sizeof(pkt[i]));
	t1 = now_ns();
	for (i = 0; i < n; i++)
		len[i] = xb_srtp_session_apply(rx, pkt[i], (size_t)len[i], sizeof(pkt[i]));
	t2 = now_ns();
	for (i = 0; i < n; i++)
		if (len[i] != 12 + PAYLOAD) {
			fprintf(stderr, "srtp_cost: packet %d did not survive the round trip\n", i);
			return 1;
		}
	printf("srtp_cost libsrtp2_protect %.0f ns/pkt\n", (double)(t1 - t0) / n);
	printf("srtp_cost libsrtp2_unprotect %.0f ns/pkt\n", (double)(t2 - t1) / n);
	xb_srtp_session_free(tx);
	xb_srtp_session_free(rx);
	free(pkt);
	free(len);
	return 0;
}

struct xdp_env {
	struct xborder *skel;
	struct xborder_srtp *sskel;
	struct xb_srtp_nl *nl;
	int prog;
};

static int add_stream(struct xdp_env *e, uint16_t port, uint32_t flags, uint32_t ctx)
{
	struct xb_stream_key k = { .family = XB_AF_INET, .port = htons(port) };
	struct xb_stream s = {
		.flags = XB_F_FORWARD | XB_F_RTP | flags,
		.ifindex = 1,
		.stats_idx = 1,
		.srtp_ctx = ctx,
		.family = XB_AF_INET,
		.dscp = XB_DSCP_KEEP,
		.src_port = htons(31002),
		.dst_port = htons(5004),
		.smac = { 0x02, 0, 0, 0, 0xaa, 0x01 },
		.dmac = { 0x02, 0, 0, 0, 0xbb, 0x02 },
	};

	xb_addr(4, "198.51.100.1", k.addr);
	xb_addr(4, "198.51.100.1", s.src_addr);
	xb_addr(4, "203.0.113.5", s.dst_addr);
	return bpf_map_update_elem(bpf_map__fd(e->skel->maps.xb_streams), &k, &s, BPF_ANY);
}

static int xdp_setup(struct xdp_env *e)
{
	struct xb_srtp_params pu = params(CTX_UNP, XBORDER_SRTP_UNPROTECT);
	struct xb_srtp_params pp = params(CTX_PRO, XBORDER_SRTP_PROTECT);
	uint32_t slot = XB_SRTP_PROG_SLOT;
	struct bpf_map *map;
	int fd;

	e->skel = xborder__open_and_load();
	e->sskel = e->skel ? xborder_srtp__open() : NULL;
	if (!e->sskel)
		return -1;
	bpf_object__for_each_map(map, e->sskel->obj)
	{
		struct bpf_map *twin =
			bpf_object__find_map_by_name(e->skel->obj, bpf_map__name(map));

		if (twin && bpf_map__reuse_fd(map, bpf_map__fd(twin)))
			return -1;
	}
	if (xborder_srtp__load(e->sskel))
		return -1;
	fd = bpf_program__fd(e->sskel->progs.xb_xdp_srtp);
	if (bpf_map_update_elem(bpf_map__fd(e->skel->maps.xb_srtp_progs), &slot, &fd, BPF_ANY))
		return -1;
	e->prog = bpf_program__fd(e->skel->progs.xb_xdp);
	if (xb_srtp_nl_open(&e->nl))
		return -1;
	xb_srtp_nl_del(e->nl, CTX_UNP);
	xb_srtp_nl_del(e->nl, CTX_PRO);
	if (xb_srtp_nl_add(e->nl, &pu, false) || xb_srtp_nl_add(e->nl, &pp, false))
		return -1;
	return add_stream(e, PORT_FWD, 0, 0) || add_stream(e, PORT_UNP, XB_F_SRTP, CTX_UNP) ||
	       add_stream(e, PORT_PRO, XB_F_SRTP | XB_F_SRTP_PROTECT, CTX_PRO);
}

/* Mean kernel time of n runs, one frame each, all XDP_TX. */
static double xdp_mean(struct xdp_env *e, uint8_t (*frames)[XB_FRAME_MAX], const size_t *lens,
		       int n)
{
	uint64_t total = 0;
	int i;

	for (i = 0; i < n; i++) {
		struct xdp_md ctx = { .data_end = (uint32_t)lens[i], .ingress_ifindex = 1 };
		static uint8_t out[XB_FRAME_MAX];
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frames[i],
			    .data_size_in = (uint32_t)lens[i], .data_out = out,
			    .data_size_out = sizeof(out), .ctx_in = &ctx,
			    .ctx_size_in = sizeof(ctx), .repeat = 1);

		if (bpf_prog_test_run_opts(e->prog, &o) || o.retval != XDP_TX)
			return -1;
		total += o.duration;
	}
	return (double)total / n;
}

static int bench_xdp(int n)
{
	struct xb_srtp_params pp = params(CTX_UNP, XBORDER_SRTP_PROTECT);
	uint8_t(*frames)[XB_FRAME_MAX] = calloc((size_t)n, sizeof(*frames));
	size_t *lens = calloc((size_t)n, sizeof(*lens));
	struct xb_srtp_session *sender;
	struct xdp_env e = { 0 };
	double fwd = -1, unp = -1, pro = -1;
	uint8_t pkt[512];
	int i, k, status = 1;

	if (access("/sys/kernel/btf/xborder", R_OK)) {
		printf("srtp_cost xdp: skipped, xborder.ko is not loaded (the VM measures this)\n");
		return 0;
	}
	if (!frames || !lens || xdp_setup(&e) || xb_srtp_session_new(&pp, &sender)) {
		fprintf(stderr, "srtp_cost: cannot set up: %s\n", xb_errmsg());
		goto out;
	}
	/* plain forward, then unprotect (libsrtp2 sealed), then protect */
	for (k = 0; k < 3; k++) {
		for (i = 0; i < n; i++) {
			struct xb_frame_spec f;
			size_t len = rtp(pkt, (uint16_t)i);
			uint16_t port = k == 0 ? PORT_FWD : k == 1 ? PORT_UNP : PORT_PRO;

			if (k == 1)
				len = (size_t)xb_srtp_session_apply(sender, pkt, len, sizeof(pkt));
			f = xb_spec(4, "192.0.2.10", 4000, "198.51.100.1", port, pkt, len);
			lens[i] = xb_build(&f, frames[i], sizeof(frames[i]));
		}
		if (k == 0)
			fwd = xdp_mean(&e, frames, lens, n);
		else if (k == 1)
			unp = xdp_mean(&e, frames, lens, n);
		else
			pro = xdp_mean(&e, frames, lens, n);
	}
	if (fwd <= 0 || unp <= 0 || pro <= 0) {
		fprintf(stderr, "srtp_cost: a run took another path than the one measured\n");
		goto out;
	}
	printf("srtp_cost xdp_forward %.0f ns/pkt\n", fwd);
	printf("srtp_cost xdp_unprotect_forward %.0f ns/pkt (x%.1f)\n", unp, unp / fwd);
	printf("srtp_cost xdp_protect_forward %.0f ns/pkt (x%.1f)\n", pro, pro / fwd);
	status = 0;
out:
	if (e.nl) {
		xb_srtp_nl_del(e.nl, CTX_UNP);
		xb_srtp_nl_del(e.nl, CTX_PRO);
		xb_srtp_nl_close(e.nl);
	}
	xborder_srtp__destroy(e.sskel);
	xborder__destroy(e.skel);
	free(frames);
	free(lens);
	return status;
}

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[2]) : 0;

	if (argc != 3 || n < 1 || n > 1000000 ||
	    (strcmp(argv[1], "userspace") && strcmp(argv[1], "xdp"))) {
		fprintf(stderr, "usage: srtp_cost userspace|xdp PACKETS (1-1000000)\n");
		return 2;
	}
	return !strcmp(argv[1], "xdp") ? bench_xdp(n) : bench_userspace(n);
}
