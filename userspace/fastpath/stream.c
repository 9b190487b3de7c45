// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Streams: one xb_streams entry per direction, its counters in the
 * xb_stream_stats slot named by stats_idx, which is also the stream id.
 * Ids are allocated lowest-free-first from 1 (0 is never used, so it can
 * mean "none"), by scanning the table under the pin-directory lock.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "common/err.h"
#include "fastpath/internal.h"

#define ALL_FLAGS                                                                          \
	(XB_F_FORWARD | XB_F_LEARN_REMOTE | XB_F_DROP | XB_F_PASS | XB_F_SRTP | XB_F_RTP | \
	 XB_F_STRICT_SOURCE | XB_F_FIB_LOOKUP | XB_F_SRTP_PROTECT)

void xb_stream_key_from(struct xb_stream_key *key, const struct xb_endpoint *e)
{
	memset(key, 0, sizeof(*key));
	key->family = e->a.family;
	key->port = htons(e->port);
	memcpy(key->addr, e->a.addr, sizeof(key->addr));
}

void xb_stream_key_to(const struct xb_stream_key *key, struct xb_endpoint *e)
{
	memset(e, 0, sizeof(*e));
	e->a.family = key->family;
	e->port = ntohs(key->port);
	memcpy(e->a.addr, key->addr, sizeof(e->a.addr));
}

static bool family_ok(uint8_t family)
{
	return family == XB_AF_INET || family == XB_AF_INET6;
}

static bool zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

/* An IPv4 address keeps bytes 4..15 zero, as the fast path compares all 16. */
static bool addr_ok(uint8_t family, const uint8_t addr[16])
{
	return family == XB_AF_INET6 || zero(addr + 4, 12);
}

int xb_stream_validate(const struct xb_stream_key *key, const struct xb_stream *s)
{
	uint32_t action = s->flags & (XB_F_FORWARD | XB_F_DROP | XB_F_PASS);

	if (!family_ok(key->family) || key->pad || !key->port || !addr_ok(key->family, key->addr))
		return xb_err(EINVAL, "invalid stream key (family, port or address)");
	if (s->flags & ~(uint32_t)ALL_FLAGS)
		return xb_err(EINVAL, "unknown stream flags 0x%x", s->flags & ~(uint32_t)ALL_FLAGS);
	if (action != XB_F_FORWARD && action != XB_F_DROP && action != XB_F_PASS)
		return xb_err(EINVAL, "a stream needs exactly one of forward, drop, pass");
	/* forward or pass: the relay latches what reaches it either way */
	if ((s->flags & XB_F_LEARN_REMOTE) && action == XB_F_DROP)
		return xb_err(EINVAL, "learn makes no sense on a dropping stream");
	if ((s->flags & XB_F_SRTP_PROTECT) && !(s->flags & XB_F_SRTP))
		return xb_err(EINVAL, "srtp_protect needs srtp (a context)");
	if (s->pad[0] || s->pad[1])
		return xb_err(EINVAL, "stream padding must be zero");
	if (s->vlan_id > 4094)
		return xb_err(EINVAL, "vlan %u out of range (1-4094, 0 = untagged)", s->vlan_id);
	if (s->dscp > 63 && s->dscp != XB_DSCP_KEEP)
		return xb_err(EINVAL, "dscp %u out of range (0-63)", s->dscp);
	if ((s->flags & XB_F_STRICT_SOURCE) &&
	    (!s->peer_port || !addr_ok(key->family, s->peer_addr)))
		return xb_err(EINVAL, "strict source needs a peer address and port");
	if (action != XB_F_FORWARD)
		return 0;
	if (!family_ok(s->family))
		return xb_err(EINVAL, "forwarding stream without egress family");
	if (s->family != key->family)
		return xb_err(EINVAL, "the fast path does not translate between IPv4 and IPv6; "
				      "use pass (userspace relay) for such a stream");
	if (!s->src_port || !s->dst_port || zero(s->dst_addr, 16) || zero(s->src_addr, 16) ||
	    !addr_ok(s->family, s->src_addr) || !addr_ok(s->family, s->dst_addr))
		return xb_err(EINVAL, "forwarding stream needs source and remote address:port");
	if (!s->ifindex && !(s->flags & XB_F_FIB_LOOKUP))
		return xb_err(EINVAL, "forwarding stream needs an egress device (or fib)");
	return 0;
}

static int mark_used(const void *key, const void *val, void *arg)
{
	const struct xb_stream *s = val;
	struct xb_fp *fp = arg;

	if (s->stats_idx < fp->map_max[XB_MAP_STREAM_STATS])
		fp->id_used[s->stats_idx / 8] |= (uint8_t)(1U << (s->stats_idx % 8));
	return 0;
}

/*
 * The lowest free stream id (from 1). Called under the pin-directory lock.
 * Rescans xb_streams only when another writer allocated since our last
 * look (xb_config.id_gen moved); then bumps id_gen for the others.
 */
static int alloc_id(struct xb_fp *fp, uint32_t *id)
{
	uint32_t slots = fp->map_max[XB_MAP_STREAM_STATS], i;
	struct xb_config cfg;
	__u32 zero = 0;
	int err;

	err = xb_fp_config_get(fp, &cfg);
	if (err)
		return err;
	if (!fp->id_used || cfg.id_gen != fp->id_gen) {
		if (!fp->id_used)
			fp->id_used = malloc(slots / 8 + 1);
		if (!fp->id_used)
			return xb_err(ENOMEM, "out of memory");
		memset(fp->id_used, 0, slots / 8 + 1);
		err = xb_map_foreach(fp->map_fd[XB_MAP_STREAMS], sizeof(struct xb_stream_key),
				     sizeof(struct xb_stream), mark_used, fp);
		if (err) {
			free(fp->id_used);
			fp->id_used = NULL;
			return err;
		}
	}
	for (i = 1; i < slots; i++)
		if (!(fp->id_used[i / 8] & (1U << (i % 8))))
			break;
	if (i >= slots)
		return xb_err(ENOSPC, "no free stream id (all %u in use)", slots - 1);
	cfg.id_gen++;
	if (bpf_map_update_elem(fp->map_fd[XB_MAP_CONFIG], &zero, &cfg, BPF_ANY))
		return xb_err(errno, "cannot write xb_config: %s", strerror(errno));
	fp->id_gen = cfg.id_gen;
	fp->id_used[i / 8] |= (uint8_t)(1U << (i % 8));
	*id = i;
	return 0;
}

/* Redirect targets must be in xb_tx_ports, or the redirect fails. */
static int ensure_tx_port(struct xb_fp *fp, const struct xb_stream *s)
{
	__u32 key = s->ifindex, val;

	if (!(s->flags & XB_F_FORWARD) || !s->ifindex)
		return 0;
	if (bpf_map_lookup_elem(fp->map_fd[XB_MAP_TX_PORTS], &key, &val) == 0)
		return 0;
	return xb_fp_tx_port_add(fp, (int)s->ifindex);
}

int xb_fp_stream_add(struct xb_fp *fp, const struct xb_stream_key *key, struct xb_stream *s,
		     bool replace)
{
	struct xb_stream_stats zero_stats;
	struct xb_stream old;
	uint32_t id;
	int err;

	err = xb_stream_validate(key, s);
	if (err)
		return err;
	err = xb_fp_lock(fp);
	if (err)
		return err;
	if (bpf_map_lookup_elem(fp->map_fd[XB_MAP_STREAMS], key, &old) == 0) {
		if (!replace) {
			err = xb_err(EEXIST, "a stream for this local address exists (id %u)",
				     old.stats_idx);
			goto out;
		}
		s->stats_idx = old.stats_idx;
		err = ensure_tx_port(fp, s);
		if (!err && bpf_map_update_elem(fp->map_fd[XB_MAP_STREAMS], key, s, BPF_EXIST))
			err = xb_err(errno, "cannot update stream %u: %s", s->stats_idx,
				     strerror(errno));
		goto out;
	}
	err = alloc_id(fp, &id);
	if (err)
		goto out;
	/* a fresh stream starts from zero, whatever the slot counted before */
	memset(&zero_stats, 0, sizeof(zero_stats));
	if (bpf_map_update_elem(fp->map_fd[XB_MAP_STREAM_STATS], &id, &zero_stats, BPF_ANY)) {
		err = xb_err(errno, "cannot reset counters of stream %u: %s", id, strerror(errno));
		goto out;
	}
	s->stats_idx = id;
	err = ensure_tx_port(fp, s);
	if (!err && bpf_map_update_elem(fp->map_fd[XB_MAP_STREAMS], key, s, BPF_NOEXIST))
		err = xb_err(errno,
			     errno == E2BIG ? "stream table full: %s" : "cannot add stream: %s",
			     strerror(errno));
out:
	xb_fp_unlock(fp);
	return err;
}

int xb_fp_stream_get(struct xb_fp *fp, const struct xb_stream_key *key, struct xb_stream *s)
{
	if (bpf_map_lookup_elem(fp->map_fd[XB_MAP_STREAMS], key, s))
		return errno == ENOENT ? xb_err(ENOENT, "no such stream")
				       : xb_err(errno, "cannot read stream: %s", strerror(errno));
	return 0;
}

int xb_fp_stream_update(struct xb_fp *fp, const struct xb_stream_key *key,
			const struct xb_stream *s)
{
	int err = xb_stream_validate(key, s);

	if (err)
		return err;
	if (bpf_map_update_elem(fp->map_fd[XB_MAP_STREAMS], key, s, BPF_EXIST))
		return errno == ENOENT ? xb_err(ENOENT, "no such stream")
				       : xb_err(errno, "cannot update stream: %s", strerror(errno));
	return 0;
}

int xb_fp_stream_del(struct xb_fp *fp, const struct xb_stream_key *key)
{
	struct xb_stream s;
	bool known = bpf_map_lookup_elem(fp->map_fd[XB_MAP_STREAMS], key, &s) == 0;

	if (bpf_map_delete_elem(fp->map_fd[XB_MAP_STREAMS], key))
		return errno == ENOENT ? xb_err(ENOENT, "no such stream")
				       : xb_err(errno, "cannot delete stream: %s", strerror(errno));
	/* the id is free for everyone now, so our cache may say so at once */
	if (known && fp->id_used && s.stats_idx < fp->map_max[XB_MAP_STREAM_STATS])
		fp->id_used[s.stats_idx / 8] &= (uint8_t) ~(1U << (s.stats_idx % 8));
	return 0;
}

struct find_arg {
	uint32_t id;
	struct xb_stream_key *key;
	struct xb_stream *s;
};

static int find_one(const void *key, const void *val, void *arg)
{
	const struct xb_stream *s = val;
	struct find_arg *f = arg;

	if (s->stats_idx != f->id)
		return 0;
	memcpy(f->key, key, sizeof(*f->key));
	memcpy(f->s, s, sizeof(*f->s));
	return 1;
}

int xb_fp_stream_find(struct xb_fp *fp, uint32_t id, struct xb_stream_key *key, struct xb_stream *s)
{
	struct find_arg f = { id, key, s };
	int r;

	r = xb_map_foreach(fp->map_fd[XB_MAP_STREAMS], sizeof(struct xb_stream_key),
			   sizeof(struct xb_stream), find_one, &f);
	if (r < 0)
		return r;
	return r ? 0 : xb_err(ENOENT, "no stream with id %u", id);
}

int xb_fp_stream_stats(struct xb_fp *fp, uint32_t id, struct xb_stream_stats *st)
{
	if (bpf_map_lookup_elem(fp->map_fd[XB_MAP_STREAM_STATS], &id, st))
		return xb_err(errno, "cannot read counters of stream %u: %s", id, strerror(errno));
	return 0;
}

int xb_fp_stream_stats_write(struct xb_fp *fp, uint32_t id, const struct xb_stream_stats *st)
{
	if (bpf_map_update_elem(fp->map_fd[XB_MAP_STREAM_STATS], &id, st, BPF_ANY))
		return xb_err(errno, "cannot write counters of stream %u: %s", id, strerror(errno));
	return 0;
}

struct walk_arg {
	xb_fp_stream_cb cb;
	void *arg;
};

static int walk_one(const void *key, const void *val, void *arg)
{
	struct walk_arg *w = arg;

	return w->cb(key, val, w->arg);
}

int xb_fp_stream_foreach(struct xb_fp *fp, xb_fp_stream_cb cb, void *arg)
{
	struct walk_arg w = { cb, arg };

	return xb_map_foreach(fp->map_fd[XB_MAP_STREAMS], sizeof(struct xb_stream_key),
			      sizeof(struct xb_stream), walk_one, &w);
}

static const struct {
	uint32_t flag;
	const char *name;
} flag_names[] = {
	{ XB_F_FORWARD, "forward" },
	{ XB_F_LEARN_REMOTE, "learn" },
	{ XB_F_DROP, "drop" },
	{ XB_F_PASS, "pass" },
	{ XB_F_SRTP, "srtp" },
	{ XB_F_RTP, "rtp" },
	{ XB_F_STRICT_SOURCE, "strict" },
	{ XB_F_FIB_LOOKUP, "fib" },
	{ XB_F_SRTP_PROTECT, "srtp_protect" },
};

int xb_stream_flags_fmt(uint32_t flags, char *buf, size_t len)
{
	size_t i, off = 0;
	int n;

	if (len)
		buf[0] = '\0';
	for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++) {
		if (!(flags & flag_names[i].flag))
			continue;
		n = snprintf(buf + off, len - off, "%s%s", off ? "," : "", flag_names[i].name);
		if (n < 0 || (size_t)n >= len - off)
			return -ENOSPC;
		off += (size_t)n;
		flags &= ~flag_names[i].flag;
	}
	if (flags) {
		n = snprintf(buf + off, len - off, "%s0x%x", off ? "," : "", flags);
		if (n < 0 || (size_t)n >= len - off)
			return -ENOSPC;
	}
	return 0;
}
