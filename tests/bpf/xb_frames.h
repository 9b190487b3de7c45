/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test helpers for the XDP program: build frames from a description with
 * checksums computed from scratch (a plain reference implementation, not the
 * program's incremental one), check the checksums of a frame the program
 * produced, compare frames with a hexdump of the difference, run
 * BPF_PROG_TEST_RUN with an ingress ifindex, and read the counters.
 *
 * Addresses in frames are documentation prefixes (192.0.2.0/24,
 * 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32): the frames never leave
 * BPF_PROG_TEST_RUN.
 */
#ifndef XB_TESTS_FRAMES_H
#define XB_TESTS_FRAMES_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <xborder/fastpath.h>

#define XB_FRAME_MAX 2048

struct xb_frame_spec {
	int family; /* 4 or 6 */
	uint8_t dmac[6];
	uint8_t smac[6];
	int vlan;	   /* -1: untagged; else the 16-bit TCI */
	uint8_t saddr[16]; /* IPv4 in the first 4 bytes */
	uint8_t daddr[16];
	uint16_t sport, dport; /* host order */
	uint8_t proto;	       /* 0 means UDP */
	uint8_t tos;	       /* IPv4 TOS or IPv6 traffic class */
	uint8_t ttl;	       /* or hop limit */
	uint32_t flow;	       /* IPv6 flow label */
	uint16_t ip_id;
	uint16_t frag;	 /* IPv4 flags and fragment offset, host order */
	uint8_t opt_len; /* IPv4 option bytes (NOPs), multiple of 4 */
	bool csum_zero;	 /* UDP checksum 0 (none) */
	const uint8_t *payload;
	size_t payload_len;
};

/* A spec with everything a valid frame needs; callers change fields. */
static inline struct xb_frame_spec xb_spec(int family, const char *src, uint16_t sport,
					   const char *dst, uint16_t dport, const uint8_t *payload,
					   size_t payload_len)
{
	struct xb_frame_spec s = {
		.family = family,
		.dmac = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 },
		.smac = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 },
		.vlan = -1,
		.sport = sport,
		.dport = dport,
		.ttl = 64,
		.ip_id = 0x1234,
		.frag = 0x4000, /* DF */
		.payload = payload,
		.payload_len = payload_len,
	};

	if (inet_pton(family == 4 ? AF_INET : AF_INET6, src, s.saddr) != 1 ||
	    inet_pton(family == 4 ? AF_INET : AF_INET6, dst, s.daddr) != 1) {
		fprintf(stderr, "xb_spec: bad address %s or %s\n", src, dst);
		abort();
	}
	return s;
}

static inline void xb_addr(int family, const char *text, uint8_t out[16])
{
	memset(out, 0, 16);
	if (inet_pton(family == 4 ? AF_INET : AF_INET6, text, out) != 1) {
		fprintf(stderr, "xb_addr: bad address %s\n", text);
		abort();
	}
}

/* One's complement sum of big-endian 16-bit words, the RFC 1071 way. */
static inline uint32_t xb_ref_sum(const uint8_t *p, size_t n, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static inline uint16_t xb_ref_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static inline void xb_put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static inline uint16_t xb_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Pseudo-header sum for UDP/TCP over IPv4 or IPv6. */
static inline uint32_t xb_pseudo_sum(int family, const uint8_t *saddr, const uint8_t *daddr,
				     uint8_t proto, uint32_t l4_len)
{
	int alen = family == 4 ? 4 : 16;
	uint32_t sum = 0;

	sum = xb_ref_sum(saddr, alen, sum);
	sum = xb_ref_sum(daddr, alen, sum);
	sum += proto;
	sum += l4_len >> 16;
	sum += l4_len & 0xffff;
	return sum;
}

/*
 * Build the frame described by s into buf; returns its length. UDP and TCP
 * checksums are computed from scratch (a computed UDP checksum of 0 is sent
 * as 0xffff, RFC 768).
 */
static inline size_t xb_build(const struct xb_frame_spec *s, uint8_t *buf, size_t cap)
{
	uint8_t proto = s->proto ? s->proto : 17;
	size_t l4_hlen = proto == 6 ? 20 : 8;
	size_t l2 = s->vlan >= 0 ? 18 : 14;
	size_t l3h = s->family == 4 ? 20 + s->opt_len : 40;
	size_t l4_len = l4_hlen + s->payload_len;
	size_t len = l2 + l3h + l4_len;
	uint8_t *ip = buf + l2, *l4 = ip + l3h;
	uint32_t sum;

	if (len > cap) {
		fprintf(stderr, "xb_build: frame too large\n");
		abort();
	}
	memset(buf, 0, len);
	memcpy(buf, s->dmac, 6);
	memcpy(buf + 6, s->smac, 6);
	if (s->vlan >= 0) {
		xb_put16(buf + 12, 0x8100);
		xb_put16(buf + 14, (uint16_t)s->vlan);
	}
	xb_put16(buf + l2 - 2, s->family == 4 ? 0x0800 : 0x86dd);

	if (s->family == 4) {
		ip[0] = 0x40 | (uint8_t)(l3h / 4);
		ip[1] = s->tos;
		xb_put16(ip + 2, (uint16_t)(l3h + l4_len));
		xb_put16(ip + 4, s->ip_id);
		xb_put16(ip + 6, s->frag);
		ip[8] = s->ttl;
		ip[9] = proto;
		memcpy(ip + 12, s->saddr, 4);
		memcpy(ip + 16, s->daddr, 4);
		memset(ip + 20, 1, s->opt_len); /* NOP options */
		xb_put16(ip + 10, (uint16_t)~xb_ref_fold(xb_ref_sum(ip, l3h, 0)));
	} else {
		uint32_t vtf = 6u << 28 | (uint32_t)s->tos << 20 | (s->flow & 0xfffff);

		ip[0] = vtf >> 24;
		ip[1] = (vtf >> 16) & 0xff;
		ip[2] = (vtf >> 8) & 0xff;
		ip[3] = vtf & 0xff;
		xb_put16(ip + 4, (uint16_t)l4_len);
		ip[6] = proto;
		ip[7] = s->ttl;
		memcpy(ip + 8, s->saddr, 16);
		memcpy(ip + 24, s->daddr, 16);
	}

	xb_put16(l4, s->sport);
	xb_put16(l4 + 2, s->dport);
	if (proto == 6) {
		xb_put16(l4 + 4, 0x0001); /* sequence number */
		l4[12] = 5 << 4;	  /* data offset */
		l4[13] = 0x02;		  /* SYN */
		xb_put16(l4 + 14, 65535);
	} else {
		xb_put16(l4 + 4, (uint16_t)l4_len);
	}
	if (s->payload_len)
		memcpy(l4 + l4_hlen, s->payload, s->payload_len);
	if (proto == 6 || !s->csum_zero) {
		uint16_t c;

		sum = xb_pseudo_sum(s->family, s->saddr, s->daddr, proto, (uint32_t)l4_len);
		c = (uint16_t)~xb_ref_fold(xb_ref_sum(l4, l4_len, sum));
		if (proto == 17 && c == 0)
			c = 0xffff;
		xb_put16(l4 + (proto == 6 ? 16 : 6), c);
	}
	return len;
}

/*
 * Check the checksums of a UDP frame as a receiver would: the IPv4 header
 * sums to 0xffff, the UDP datagram with its pseudo-header sums to 0xffff (or
 * carries 0 over IPv4). Returns NULL when all is well, else what is wrong.
 */
static inline const char *xb_check_csums(const uint8_t *f, size_t len)
{
	size_t l2 = 14, l3h;
	uint16_t ethertype = xb_get16(f + 12);
	const uint8_t *ip, *udp;
	uint32_t sum, ulen;
	int family;

	if (ethertype == 0x8100) {
		l2 = 18;
		ethertype = xb_get16(f + 16);
	}
	ip = f + l2;
	if (ethertype == 0x0800) {
		family = 4;
		l3h = (ip[0] & 0x0f) * 4u;
		if (len < l2 + l3h + 8)
			return "short IPv4 frame";
		if (xb_ref_fold(xb_ref_sum(ip, l3h, 0)) != 0xffff)
			return "bad IPv4 header checksum";
		if (xb_get16(ip + 2) != len - l2)
			return "IPv4 total length != frame";
	} else if (ethertype == 0x86dd) {
		family = 6;
		l3h = 40;
		if (len < l2 + l3h + 8)
			return "short IPv6 frame";
		if (xb_get16(ip + 4) + 40u != len - l2)
			return "IPv6 payload length != frame";
	} else {
		return "not IP";
	}
	udp = ip + l3h;
	ulen = xb_get16(udp + 4);
	if (ulen != len - l2 - l3h)
		return "UDP length != IP payload";
	if (family == 4 && xb_get16(udp + 6) == 0)
		return NULL;
	if (family == 6 && xb_get16(udp + 6) == 0)
		return "IPv6 UDP checksum 0";
	sum = xb_pseudo_sum(family, family == 4 ? ip + 12 : ip + 8, family == 4 ? ip + 16 : ip + 24,
			    17, ulen);
	if (xb_ref_fold(xb_ref_sum(udp, ulen, sum)) != 0xffff)
		return "bad UDP checksum";
	return NULL;
}

static inline void xb_hexdump(FILE *out, const char *tag, const uint8_t *p, size_t n,
			      const uint8_t *other, size_t on)
{
	size_t i;

	for (i = 0; i < n; i++) {
		bool differs = i >= on || p[i] != other[i];

		if (i % 16 == 0)
			fprintf(out, "# %s %04zx:", tag, i);
		fprintf(out, "%c%02x", differs ? '*' : ' ', p[i]);
		if (i % 16 == 15 || i == n - 1)
			fprintf(out, "\n");
	}
}

/* Byte-exact comparison; on mismatch print both frames, '*' marking the
 * bytes that differ. Returns true when equal. */
static inline bool xb_frames_equal(const uint8_t *got, size_t glen, const uint8_t *exp, size_t elen)
{
	if (glen == elen && !memcmp(got, exp, glen))
		return true;
	fprintf(stderr, "# frame mismatch: got %zu bytes, expected %zu\n", glen, elen);
	xb_hexdump(stderr, "got", got, glen, exp, elen);
	xb_hexdump(stderr, "exp", exp, elen, got, glen);
	return false;
}

struct xb_run {
	uint32_t retval;
	uint32_t out_len;
	uint8_t out[XB_FRAME_MAX];
};

/* One BPF_PROG_TEST_RUN of frame in as if received on ifindex. */
static inline int xb_test_run(int prog_fd, uint32_t ifindex, const uint8_t *in, size_t len,
			      uint32_t repeat, struct xb_run *r)
{
	struct xdp_md ctx = {
		.data = 0,
		.data_end = (uint32_t)len,
		.ingress_ifindex = ifindex,
	};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in, .data_size_in = (uint32_t)len,
		    .data_out = r->out, .data_size_out = sizeof(r->out), .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = repeat);
	int err;

	err = bpf_prog_test_run_opts(prog_fd, &opts);
	if (err) {
		fprintf(stderr, "# bpf_prog_test_run_opts: %s\n", strerror(-err));
		return err;
	}
	r->retval = opts.retval;
	r->out_len = opts.data_size_out;
	return 0;
}

/* Sum over CPUs of one xb_stats counter. */
static inline uint64_t xb_stat(int stats_fd, uint32_t idx)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *v, total = 0;
	int i;

	if (ncpu <= 0)
		return UINT64_MAX;
	v = calloc((size_t)ncpu, sizeof(*v));
	if (!v)
		return UINT64_MAX;
	if (bpf_map_lookup_elem(stats_fd, &idx, v) == 0)
		for (i = 0; i < ncpu; i++)
			total += v[i];
	else
		total = UINT64_MAX;
	free(v);
	return total;
}

static inline void xb_stats_all(int stats_fd, uint64_t out[XB_STAT_MAX])
{
	uint32_t i;

	for (i = 0; i < XB_STAT_MAX; i++)
		out[i] = xb_stat(stats_fd, i);
}

static inline const char *xb_stat_name(uint32_t i)
{
	static const char *const names[XB_STAT_MAX] = {
		[XB_STAT_RX] = "rx",
		[XB_STAT_TX] = "tx",
		[XB_STAT_REDIRECT] = "redirect",
		[XB_STAT_PASS] = "pass",
		[XB_STAT_LEARN] = "learn",
		[XB_STAT_GUARD_PASS] = "guard_pass",
		[XB_DROP_MALFORMED] = "drop_malformed",
		[XB_DROP_UNKNOWN_STREAM] = "drop_unknown_stream",
		[XB_DROP_NOT_RTP] = "drop_not_rtp",
		[XB_DROP_SOURCE] = "drop_source",
		[XB_DROP_EXPIRED] = "drop_expired",
		[XB_DROP_FLAG] = "drop_flag",
		[XB_DROP_NO_ROUTE] = "drop_no_route",
		[XB_DROP_GUARD_BLOCKED] = "drop_guard_blocked",
		[XB_DROP_GUARD_NOT_ALLOWED] = "drop_guard_not_allowed",
		[XB_DROP_GUARD_RATE] = "drop_guard_rate",
		[XB_DROP_SRTP] = "drop_srtp",
	};

	return i < XB_STAT_MAX ? names[i] : "?";
}

/*
 * The counters must show exactly `expect` (index -> count; every other
 * counter 0) and obey RX == sum of all outcomes. Prints the differences.
 */
static inline bool xb_stats_are(int stats_fd, const uint64_t expect[XB_STAT_MAX])
{
	uint64_t got[XB_STAT_MAX], outcomes = 0;
	bool ok = true;
	uint32_t i;

	xb_stats_all(stats_fd, got);
	for (i = 0; i < XB_STAT_MAX; i++) {
		if (got[i] != expect[i]) {
			fprintf(stderr, "# counter %s: got %llu, expected %llu\n", xb_stat_name(i),
				(unsigned long long)got[i], (unsigned long long)expect[i]);
			ok = false;
		}
		if (i != XB_STAT_RX)
			outcomes += got[i];
	}
	if (outcomes != got[XB_STAT_RX]) {
		fprintf(stderr, "# outcomes %llu != rx %llu\n", (unsigned long long)outcomes,
			(unsigned long long)got[XB_STAT_RX]);
		ok = false;
	}
	return ok;
}

/* Zero xb_stats on every CPU. */
static inline int xb_stats_reset(int stats_fd)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *zero;
	uint32_t i;
	int err = 0;

	if (ncpu <= 0)
		return -1;
	zero = calloc((size_t)ncpu, sizeof(*zero));
	if (!zero)
		return -1;
	for (i = 0; i < XB_STAT_MAX && !err; i++)
		err = bpf_map_update_elem(stats_fd, &i, zero, BPF_ANY);
	free(zero);
	return err;
}

/* A minimal RTP header (version 2) plus `extra` payload bytes. */
static inline size_t xb_rtp(uint8_t *buf, uint8_t pt, uint16_t seq, uint32_t ts, uint32_t ssrc,
			    size_t extra)
{
	size_t i;

	buf[0] = 0x80;
	buf[1] = pt;
	xb_put16(buf + 2, seq);
	xb_put16(buf + 4, ts >> 16);
	xb_put16(buf + 6, ts & 0xffff);
	xb_put16(buf + 8, ssrc >> 16);
	xb_put16(buf + 10, ssrc & 0xffff);
	for (i = 0; i < extra; i++)
		buf[12 + i] = (uint8_t)(0xd5 ^ i); /* G.711 A-law silence-ish */
	return 12 + extra;
}

/* An RTCP header of packet type pt (200 SR, 201 RR, 205/206 feedback). */
static inline size_t xb_rtcp(uint8_t *buf, uint8_t pt, uint32_t ssrc)
{
	buf[0] = 0x80;
	buf[1] = pt;
	xb_put16(buf + 2, 1); /* length in words - 1 */
	xb_put16(buf + 4, ssrc >> 16);
	xb_put16(buf + 6, ssrc & 0xffff);
	return 8;
}

#endif /* XB_TESTS_FRAMES_H */
