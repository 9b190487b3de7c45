/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internals of the fast-path library, shared by its files only. */
#ifndef XB_FASTPATH_INTERNAL_H
#define XB_FASTPATH_INTERNAL_H

#include <limits.h>

#include "fastpath/fastpath.h"

struct xb_fp {
	char pin_dir[PATH_MAX];
	int dir_fd; /* the pin directory, for flock() */
	int map_fd[XB_MAP_COUNT];
	uint32_t map_max[XB_MAP_COUNT];
	bool created;
	int ncpus; /* possible CPUs, for the per-CPU xb_stats */
	/*
	 * Stream ids in use, cached so that an allocation does not scan
	 * xb_streams; valid while xb_config.id_gen equals id_gen (nobody else
	 * allocated since). Bits of ids freed by others may stay set: that
	 * only skips a free id, never hands out a used one.
	 */
	uint8_t *id_used;
	uint32_t id_gen;
};

/* Exclusive flock() on the pin directory, waiting at most a few seconds. */
int xb_fp_lock(struct xb_fp *fp);
void xb_fp_unlock(struct xb_fp *fp);

/* "DIR/NAME" into buf; -ENAMETOOLONG if it does not fit. */
int xb_fp_pin_path(const char *dir, const char *name, char *buf, size_t len);

/*
 * Walk every entry of a map, batched where the map type supports it. cb
 * returns non-zero to stop; that value is returned.
 */
int xb_map_foreach(int fd, uint32_t key_size, uint32_t value_size,
		   int (*cb)(const void *key, const void *value, void *arg), void *arg);

/* Make every ABI map of obj (opened, not loaded) use our pinned map. */
struct bpf_object;
int xb_fp_reuse_maps(struct xb_fp *fp, struct bpf_object *obj);

/* Ids of the programs in the skeleton, matching enum xb_fp_prog. */
extern const char *const xb_fp_prog_names[XB_PROG_COUNT];

#endif
