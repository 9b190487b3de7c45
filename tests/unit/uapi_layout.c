// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The map ABI is compiled twice: by clang -target bpf into the XDP object
 * and by gcc into userspace. This test reads the BTF that clang emitted into
 * build/bpf/xborder.bpf.o and checks every shared struct has, member for
 * member, the size and offsets gcc gives it here, and no implicit holes.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <xborder/fastpath.h>

#include "kselftest_harness.h"

struct member_want {
	const char *name;
	size_t offset;
	size_t size;
};

#define M(type, field)                                                                  \
	{                                                                               \
#field, offsetof(struct type, field), sizeof(((struct type *)0)->field) \
	}

static const char *bpf_object_path(void)
{
	const char *build = getenv("XB_BUILD");
	static char path[4096];

	snprintf(path, sizeof(path), "%s/bpf/xborder.bpf.o", build ? build : "build");
	/* Sanitizer builds share the plain tree's BPF objects. */
	if (access(path, R_OK) != 0)
		snprintf(path, sizeof(path), "build/bpf/xborder.bpf.o");
	return path;
}

/* Returns NULL when the struct matches, else a description of the first mismatch. */
static const char *check_struct(struct btf *btf, const char *name, size_t size,
				const struct member_want *want, int n, char *err, size_t errlen)
{
	const struct btf_member *m;
	const struct btf_type *t;
	size_t covered = 0;
	int id, i;

	id = btf__find_by_name_kind(btf, name, BTF_KIND_STRUCT);
	if (id < 0) {
		snprintf(err, errlen, "struct %s not in the BPF object's BTF", name);
		return err;
	}
	t = btf__type_by_id(btf, id);
	if (t->size != size) {
		snprintf(err, errlen, "struct %s: BPF size %u, userspace %zu", name, t->size, size);
		return err;
	}
	if (btf_vlen(t) != n) {
		snprintf(err, errlen, "struct %s: BPF has %u members, userspace list %d", name,
			 btf_vlen(t), n);
		return err;
	}
	m = btf_members(t);
	for (i = 0; i < n; i++, m++) {
		const char *mname = btf__name_by_offset(btf, m->name_off);
		__s64 msize = btf__resolve_size(btf, m->type);

		if (strcmp(mname, want[i].name) ||
		    btf_member_bit_offset(t, i) != want[i].offset * 8 ||
		    msize != (__s64)want[i].size) {
			snprintf(
				err, errlen,
				"struct %s member %d: BPF %s@%u size %lld, userspace %s@%zu size %zu",
				name, i, mname, btf_member_bit_offset(t, i) / 8, (long long)msize,
				want[i].name, want[i].offset, want[i].size);
			return err;
		}
		covered += want[i].size;
	}
	if (covered != size) {
		snprintf(err, errlen, "struct %s: %zu bytes of members in %zu: implicit padding",
			 name, covered, size);
		return err;
	}
	return NULL;
}

FIXTURE(btf) {
	struct btf *btf;
	char err[256];
};

FIXTURE_SETUP(btf) {
	self->btf = btf__parse_elf(bpf_object_path(), NULL);
	ASSERT_NE(NULL, self->btf) TH_LOG("cannot read BTF from %s", bpf_object_path());
}

FIXTURE_TEARDOWN(btf) {
	btf__free(self->btf);
}

#define CHECK(type, ...)                                                               \
	do {                                                                           \
		static const struct member_want w[] = { __VA_ARGS__ };                 \
		const char *e = check_struct(self->btf, #type, sizeof(struct type), w, \
					     sizeof(w) / sizeof(w[0]), self->err,      \
					     sizeof(self->err));                       \
		EXPECT_EQ(NULL, e) TH_LOG("%s", e);                                    \
	} while (0)

TEST_F(btf, stream_key) {
	CHECK(xb_stream_key, M(xb_stream_key, family), M(xb_stream_key, pad),
	      M(xb_stream_key, port), M(xb_stream_key, addr));
}

TEST_F(btf, stream) {
	CHECK(xb_stream, M(xb_stream, flags), M(xb_stream, ifindex), M(xb_stream, stats_idx),
	      M(xb_stream, srtp_ctx), M(xb_stream, expires_ns), M(xb_stream, src_addr),
	      M(xb_stream, dst_addr), M(xb_stream, peer_addr), M(xb_stream, src_port),
	      M(xb_stream, dst_port), M(xb_stream, peer_port), M(xb_stream, vlan_id),
	      M(xb_stream, smac), M(xb_stream, dmac), M(xb_stream, family), M(xb_stream, dscp),
	      M(xb_stream, pad));
}

TEST_F(btf, stream_stats) {
	CHECK(xb_stream_stats, M(xb_stream_stats, packets), M(xb_stream_stats, bytes),
	      M(xb_stream_stats, last_seen_ns), M(xb_stream_stats, last_ssrc),
	      M(xb_stream_stats, seq_errors), M(xb_stream_stats, drops),
	      M(xb_stream_stats, highest_seq), M(xb_stream_stats, pad));
}

TEST_F(btf, config) {
	CHECK(xb_config, M(xb_config, abi), M(xb_config, flags), M(xb_config, relay_port_min),
	      M(xb_config, relay_port_max), M(xb_config, id_gen));
}

TEST_F(btf, guard) {
	CHECK(xb_guard_port_key, M(xb_guard_port_key, proto), M(xb_guard_port_key, pad),
	      M(xb_guard_port_key, port));
	CHECK(xb_guard_port, M(xb_guard_port, flags), M(xb_guard_port, rate_pps),
	      M(xb_guard_port, burst), M(xb_guard_port, pad));
	CHECK(xb_lpm_key4, M(xb_lpm_key4, prefixlen), M(xb_lpm_key4, addr));
	CHECK(xb_lpm_key6, M(xb_lpm_key6, prefixlen), M(xb_lpm_key6, addr));
	CHECK(xb_guard_prefix, M(xb_guard_prefix, peer_id), M(xb_guard_prefix, pad),
	      M(xb_guard_prefix, expires_ns));
	CHECK(xb_addr_key, M(xb_addr_key, family), M(xb_addr_key, pad), M(xb_addr_key, addr));
	CHECK(xb_rate_state, M(xb_rate_state, tokens), M(xb_rate_state, last_ns));
}

/* The per-stream budget: key + value + stats must leave room for the hash
 * table's own overhead inside 256 bytes per stream. */
TEST(stream_budget) {
	size_t bytes = sizeof(struct xb_stream_key) + sizeof(struct xb_stream) +
		       sizeof(struct xb_stream_stats);

	EXPECT_LE(bytes, 176) TH_LOG("key+value+stats = %zu bytes", bytes);
}

TEST_HARNESS_MAIN
