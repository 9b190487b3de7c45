// SPDX-License-Identifier: GPL-2.0-or-later
/* Generic map walking, the config and global counters, the devmap. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/err.h"
#include "fastpath/internal.h"

#define BATCH 256

/* Fallback walk for map types without batch ops (LPM tries, devmaps). */
static int foreach_next_key(int fd, uint32_t key_size, uint32_t value_size,
			    int (*cb)(const void *, const void *, void *), void *arg)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	void *key, *next, *val;
	uint64_t steps, limit;
	int err = 0, r;

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return xb_err(errno, "cannot read map info: %s", strerror(errno));
	key = calloc(1, key_size);
	next = calloc(1, key_size);
	val = calloc(1, value_size);
	if (!key || !next || !val) {
		err = xb_err(ENOMEM, "out of memory");
		goto out;
	}
	/*
	 * A walk restarts from the first key when the current one is deleted
	 * under it; bound it so concurrent churn cannot make it endless.
	 */
	limit = 4ULL * info.max_entries + 16;
	r = bpf_map_get_next_key(fd, NULL, next);
	for (steps = 0; r == 0 && steps < limit; steps++) {
		memcpy(key, next, key_size);
		if (bpf_map_lookup_elem(fd, key, val) == 0) {
			err = cb(key, val, arg);
			if (err)
				goto out;
		}
		r = bpf_map_get_next_key(fd, key, next);
	}
	if (r && errno != ENOENT)
		err = xb_err(errno, "map walk failed: %s", strerror(errno));
out:
	free(key);
	free(next);
	free(val);
	return err;
}

int xb_map_foreach(int fd, uint32_t key_size, uint32_t value_size,
		   int (*cb)(const void *key, const void *value, void *arg), void *arg)
{
	uint8_t token[64];
	uint32_t n, i, cap = BATCH;
	uint8_t *keys, *vals;
	bool first = true;
	int err = 0, r;

	keys = malloc((size_t)BATCH * 4 * key_size);
	vals = malloc((size_t)BATCH * 4 * value_size);
	if (!keys || !vals) {
		free(keys);
		free(vals);
		return xb_err(ENOMEM, "out of memory");
	}
	for (;;) {
		n = cap;
		r = bpf_map_lookup_batch(fd, first ? NULL : token, token, keys, vals, &n, NULL);
		if (r && errno == ENOSPC && cap < 4 * BATCH && n == 0) {
			/* a hash bucket holds more entries than we asked for */
			cap *= 2;
			continue;
		}
		if (r && errno != ENOENT) {
			if (first && (errno == EINVAL || errno == ENOTSUP || errno == 524)) {
				/* 524 is the kernel's ENOTSUPP: no batch ops */
				err = foreach_next_key(fd, key_size, value_size, cb, arg);
			} else {
				err = xb_err(errno, "map walk failed: %s", strerror(errno));
			}
			break;
		}
		for (i = 0; i < n && !err; i++)
			err = cb(keys + (size_t)i * key_size, vals + (size_t)i * value_size, arg);
		if (err || r)
			break;
		first = false;
	}
	free(keys);
	free(vals);
	return err;
}

int xb_fp_config_get(struct xb_fp *fp, struct xb_config *cfg)
{
	__u32 zero = 0;

	if (bpf_map_lookup_elem(fp->map_fd[XB_MAP_CONFIG], &zero, cfg))
		return xb_err(errno, "cannot read xb_config: %s", strerror(errno));
	return 0;
}

int xb_fp_config_set(struct xb_fp *fp, const struct xb_config *cfg)
{
	struct xb_config c = *cfg, cur;
	__u32 zero = 0;
	int err;

	if (c.relay_port_min > c.relay_port_max)
		return xb_err(EINVAL, "relay port range %u-%u is empty", c.relay_port_min,
			      c.relay_port_max);
	if (c.flags & ~(__u32)XB_CFG_DROP_UNKNOWN)
		return xb_err(EINVAL, "unknown config flags 0x%x", c.flags);
	c.abi = XB_FASTPATH_ABI;
	err = xb_fp_lock(fp);
	if (err)
		return err;
	/* id_gen belongs to the stream-id allocator, not to the caller */
	err = xb_fp_config_get(fp, &cur);
	if (!err) {
		c.id_gen = cur.id_gen;
		if (bpf_map_update_elem(fp->map_fd[XB_MAP_CONFIG], &zero, &c, BPF_ANY))
			err = xb_err(errno, "cannot write xb_config: %s", strerror(errno));
	}
	xb_fp_unlock(fp);
	return err;
}

static const char *const stat_names[XB_STAT_MAX] = {
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

const char *xb_stat_name(unsigned int stat)
{
	return stat < XB_STAT_MAX && stat_names[stat] ? stat_names[stat] : "?";
}

int xb_stat_from_name(const char *name)
{
	int i;

	for (i = 0; i < XB_STAT_MAX; i++)
		if (stat_names[i] && !strcmp(stat_names[i], name))
			return i;
	return -1;
}

int xb_fp_stats_read(struct xb_fp *fp, uint64_t out[XB_STAT_MAX])
{
	__u64 *percpu;
	__u32 i;
	int c;

	percpu = calloc((size_t)fp->ncpus, sizeof(*percpu));
	if (!percpu)
		return xb_err(ENOMEM, "out of memory");
	for (i = 0; i < XB_STAT_MAX; i++) {
		out[i] = 0;
		if (bpf_map_lookup_elem(fp->map_fd[XB_MAP_STATS], &i, percpu)) {
			int err = errno;

			free(percpu);
			return xb_err(err, "cannot read xb_stats: %s", strerror(err));
		}
		for (c = 0; c < fp->ncpus; c++)
			out[i] += percpu[c];
	}
	free(percpu);
	return 0;
}

int xb_fp_tx_port_add(struct xb_fp *fp, int ifindex)
{
	__u32 key = (__u32)ifindex, val = (__u32)ifindex;

	if (ifindex <= 0)
		return xb_err(EINVAL, "invalid ifindex %d", ifindex);
	if (bpf_map_update_elem(fp->map_fd[XB_MAP_TX_PORTS], &key, &val, BPF_ANY))
		return xb_err(errno, "cannot add ifindex %d to xb_tx_ports: %s", ifindex,
			      strerror(errno));
	return 0;
}

int xb_fp_tx_port_del(struct xb_fp *fp, int ifindex)
{
	__u32 key = (__u32)ifindex;

	if (bpf_map_delete_elem(fp->map_fd[XB_MAP_TX_PORTS], &key))
		return xb_err(errno, "cannot remove ifindex %d from xb_tx_ports: %s", ifindex,
			      strerror(errno));
	return 0;
}

struct tx_walk {
	int (*cb)(int ifindex, void *arg);
	void *arg;
};

static int tx_walk_one(const void *key, const void *val, void *arg)
{
	struct tx_walk *w = arg;
	__u32 ifindex;

	memcpy(&ifindex, key, sizeof(ifindex));
	return w->cb((int)ifindex, w->arg);
}

int xb_fp_tx_port_foreach(struct xb_fp *fp, int (*cb)(int ifindex, void *arg), void *arg)
{
	struct tx_walk w = { cb, arg };

	return xb_map_foreach(fp->map_fd[XB_MAP_TX_PORTS], sizeof(__u32), sizeof(__u32),
			      tx_walk_one, &w);
}
