/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-packet program cost with BPF_PROG_TEST_RUN and repeat.
 *
 * test_run runs the program `repeat` times on the same buffer, so a program
 * that rewrites the packet sees its own output from the second run on. The
 * benchmark streams therefore map a packet onto itself (new addresses and
 * ports = old ones: the same work, the same stores), and the TTL or hop
 * limit, which the relay decrements, is put back before every run by a
 * small wrapper assembled here, which then tail-calls the program under
 * test. The floor is the same wrapper tail-calling xb_xdp_pass, so
 * net = measured - floor is what the program itself costs per packet.
 *
 * The wrapper restores whole 16-bit words with 16-bit stores: the program
 * reads them back at the same width, so the CPU forwards the stores instead
 * of stalling (wider, misaligned restores would add stalls a NIC's DMA never
 * causes).
 */
#ifndef XB_BENCH_COST_H
#define XB_BENCH_COST_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <xborder/fastpath.h>

#define XB_COST_MAX_WORDS 8 /* 16-bit words restored per run */

struct xb_cost {
	int wrapper_fd; /* restore + tail call */
	int jump_fd;	/* PROG_ARRAY[1]: the program under test */
};

#define XB_INSN(c, d, s, o, i) \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

/*
 * Assemble: if (data + max(off) + 2 <= data_end) store frame's 16-bit words
 * at the even offsets `offs` back into the packet and add one to the
 * big-endian 16-bit word at seq_off (the RTP sequence number, so that every
 * run is the in-order next packet; -1 for none); tail-call jump[0]; return
 * XDP_ABORTED if that failed.
 */
static inline int xb_cost_init(struct xb_cost *c, const uint8_t *frame, size_t len,
			       const uint16_t *offs, int n_offs, int seq_off)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_XDP);
	struct bpf_insn insns[24 + 2 * XB_COST_MAX_WORDS];
	int i = 0, k, skip_at, end = 0;

	if (n_offs > XB_COST_MAX_WORDS)
		return -E2BIG;
	for (k = 0; k < n_offs; k++) {
		if (offs[k] + 2u > len || offs[k] % 2)
			return -EINVAL;
		if (offs[k] + 2 > end)
			end = offs[k] + 2;
	}
	if (seq_off >= 0) {
		if ((size_t)seq_off + 2 > len || seq_off % 2)
			return -EINVAL;
		if (seq_off + 2 > end)
			end = seq_off + 2;
	}
	c->jump_fd = bpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, "xb_cost_jump", 4, 4, 1, NULL);
	if (c->jump_fd < 0)
		return -errno;

	insns[i++] = XB_INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_6, BPF_REG_1, 0, 0);
	insns[i++] = XB_INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_6,
			     offsetof(struct xdp_md, data), 0);
	insns[i++] = XB_INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_3, BPF_REG_6,
			     offsetof(struct xdp_md, data_end), 0);
	insns[i++] = XB_INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_4, BPF_REG_2, 0, 0);
	insns[i++] = XB_INSN(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_4, 0, 0, end);
	skip_at = i++; /* if r4 > r3 goto tail call; patched below */
	for (k = 0; k < n_offs; k++) {
		uint16_t v;

		memcpy(&v, frame + offs[k], 2);
		insns[i++] = XB_INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, v);
		insns[i++] = XB_INSN(BPF_STX | BPF_MEM | BPF_H, BPF_REG_2, BPF_REG_0,
				     (int16_t)offs[k], 0);
	}
	if (seq_off >= 0) {
		insns[i++] = XB_INSN(BPF_LDX | BPF_MEM | BPF_H, BPF_REG_0, BPF_REG_2,
				     (int16_t)seq_off, 0);
		insns[i++] = XB_INSN(BPF_ALU | BPF_END | BPF_TO_BE, BPF_REG_0, 0, 0, 16);
		insns[i++] = XB_INSN(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_0, 0, 0, 1);
		insns[i++] = XB_INSN(BPF_ALU | BPF_END | BPF_TO_BE, BPF_REG_0, 0, 0, 16);
		insns[i++] = XB_INSN(BPF_STX | BPF_MEM | BPF_H, BPF_REG_2, BPF_REG_0,
				     (int16_t)seq_off, 0);
	}
	insns[skip_at] = XB_INSN(BPF_JMP | BPF_JGT | BPF_X, BPF_REG_4, BPF_REG_3,
				 (int16_t)(i - skip_at - 1), 0);
	insns[i++] = XB_INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_6, 0, 0);
	insns[i++] =
		XB_INSN(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_2, BPF_PSEUDO_MAP_FD, 0, c->jump_fd);
	insns[i++] = XB_INSN(0, 0, 0, 0, 0);
	insns[i++] = XB_INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_3, 0, 0, 0);
	insns[i++] = XB_INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_tail_call);
	insns[i++] = XB_INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, XDP_ABORTED);
	insns[i++] = XB_INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);

	/* libbpf loads SEC("xdp") with expected_attach_type BPF_XDP, and a
	 * tail call needs both programs to agree. */
	c->wrapper_fd =
		bpf_prog_load(BPF_PROG_TYPE_XDP, "xb_cost_restore", "GPL", insns, (size_t)i, &opts);
	if (c->wrapper_fd < 0) {
		int err = -errno;

		close(c->jump_fd);
		return err;
	}
	return 0;
}

static inline void xb_cost_fini(struct xb_cost *c)
{
	close(c->wrapper_fd);
	close(c->jump_fd);
}

/* An RTP stream's xb_stream_stats slot to check a measurement against. */
struct xb_cost_slot {
	int fd; /* xb_stream_stats; -1: no stream */
	uint32_t idx;
};

/*
 * Average ns per run of prog_fd (through the wrapper when c is not NULL)
 * on frame, the best of `rounds` rounds of `repeat` runs (the least
 * disturbed by other tasks); *verdict gets the last run's return value.
 * With a slot, it is zeroed before each round (each round starts the RTP
 * sequence over) and must show `repeat` packets in order after it, else
 * -EPROTO. Returns a negative value on error.
 */
static inline double xb_cost_measure(struct xb_cost *c, int prog_fd, const uint8_t *frame,
				     size_t len, uint32_t repeat, int rounds, uint32_t *verdict,
				     const struct xb_cost_slot *slot)
{
	struct xdp_md ctx = { .data = 0, .data_end = (uint32_t)len, .ingress_ifindex = 1 };
	struct xb_stream_stats st;
	double best = -1;
	uint32_t key = 0;
	int run_fd = prog_fd, r;

	if (c) {
		if (bpf_map_update_elem(c->jump_fd, &key, &prog_fd, BPF_ANY))
			return -errno;
		run_fd = c->wrapper_fd;
	}
	for (r = 0; r < rounds; r++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame,
			    .data_size_in = (uint32_t)len, .ctx_in = &ctx,
			    .ctx_size_in = sizeof(ctx), .repeat = repeat);
		struct timespec t0, t1;
		double ns;
		int err;

		memset(&st, 0, sizeof(st));
		if (slot && bpf_map_update_elem(slot->fd, &slot->idx, &st, BPF_ANY))
			return -errno;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		err = bpf_prog_test_run_opts(run_fd, &opts);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (err)
			return err;
		*verdict = opts.retval;
		if (slot && (bpf_map_lookup_elem(slot->fd, &slot->idx, &st) ||
			     st.packets != repeat || st.seq_errors)) {
			fprintf(stderr, "# stream slot %u: %llu packets, %u sequence errors\n",
				slot->idx, (unsigned long long)st.packets, st.seq_errors);
			return -EPROTO;
		}
		/* The kernel's figure (opts.duration) leaves out time the
		 * runner was scheduled away but is truncated to whole ns; the
		 * wall clock has sub-ns resolution but counts everything.
		 * Trust the wall clock only when it agrees with the kernel. */
		ns = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) /
		     repeat;
		if (ns >= opts.duration + 1.0 || ns < opts.duration)
			ns = opts.duration + 0.5;
		if (best < 0 || ns < best)
			best = ns;
	}
	return best;
}

#endif /* XB_BENCH_COST_H */
