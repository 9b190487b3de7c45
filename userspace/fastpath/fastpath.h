/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fast-path library: owns the pinned maps and the XDP program.
 *
 * Maps are the contract between the planes (include/uapi/xborder/fastpath.h).
 * xb_fp_open() adopts the maps pinned under the pin directory, or creates
 * and pins them; programs are loaded (and pinned next to the maps) only
 * when something is attached, so hosts without XDP still get the maps the
 * userspace relay works from. XDP is attached through netlink, which keeps
 * it attached after the process exits: media keeps flowing while the
 * controller is down, and a restarted controller adopts the same maps and
 * the same program instance.
 *
 * All functions return 0 (or a count) on success and a negative errno on
 * failure, with a one-line explanation in xb_errmsg().
 *
 * Concurrency: map entries are updated atomically by the kernel. Stream id
 * allocation scans the table under an flock() on the pin directory, so
 * several writers (xborderd, xborderctl) never hand out the same id.
 */
#ifndef XB_FASTPATH_FASTPATH_H
#define XB_FASTPATH_FASTPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xborder/fastpath.h>

#include "common/addr.h"

/* Environment variable that overrides XB_PIN_DIR. */
#define XB_PIN_DIR_ENV "XB_PIN_DIR"

enum xb_fp_map {
	XB_MAP_STREAMS,
	XB_MAP_STREAM_STATS,
	XB_MAP_CONFIG,
	XB_MAP_STATS,
	XB_MAP_TX_PORTS,
	XB_MAP_GUARD_PORTS,
	XB_MAP_ALLOW4,
	XB_MAP_ALLOW6,
	XB_MAP_BLOCK4,
	XB_MAP_BLOCK6,
	XB_MAP_RATELIMIT,
	XB_MAP_SRTP_PROGS,
	XB_MAP_COUNT,
};

struct xb_fp_opts {
	const char *pin_dir;  /* NULL: $XB_PIN_DIR, else XB_PIN_DIR */
	bool no_create;	      /* only adopt existing pins (read-only users) */
	uint32_t max_streams; /* size of new stream maps; 0 = default */
};

struct xb_fp;

/* $XB_PIN_DIR if set and non-empty, else XB_PIN_DIR. */
const char *xb_fp_default_pin_dir(void);

int xb_fp_open(const struct xb_fp_opts *opts, struct xb_fp **fpp);
void xb_fp_close(struct xb_fp *fp);

const char *xb_fp_pin_dir(const struct xb_fp *fp);
int xb_fp_map_fd(const struct xb_fp *fp, enum xb_fp_map map);
const char *xb_fp_map_name(enum xb_fp_map map);
/* true when this xb_fp_open() created the maps (nothing was pinned). */
bool xb_fp_created(const struct xb_fp *fp);
uint32_t xb_fp_max_streams(const struct xb_fp *fp);

/* ---------------------------------------------------------------- XDP */

enum xb_fp_prog {
	XB_PROG_MAIN, /* xb_xdp: guard and media relay */
	XB_PROG_PASS, /* xb_xdp_pass: XDP_PASS, for veth peers of redirects */
	XB_PROG_COUNT,
};

enum xb_fp_mode {
	XB_MODE_NONE, /* nothing attached */
	XB_MODE_AUTO, /* native, falling back to generic */
	XB_MODE_NATIVE,
	XB_MODE_GENERIC,
	XB_MODE_OFFLOAD, /* only ever reported, never requested */
};

const char *xb_fp_prog_name(enum xb_fp_prog prog);
const char *xb_fp_mode_name(enum xb_fp_mode mode);

/*
 * A file descriptor of the pinned program (caller closes it) and its id.
 * Loads and pins the program if it is not pinned yet.
 */
int xb_fp_prog_get(struct xb_fp *fp, enum xb_fp_prog prog, uint32_t *id);
/* The id of the pinned program, 0 if not pinned. Never loads. */
uint32_t xb_fp_prog_pinned_id(struct xb_fp *fp, enum xb_fp_prog prog);

struct xb_fp_attach_result {
	enum xb_fp_mode mode;
	bool already;	/* the same program was attached already */
	char note[256]; /* why a fallback happened, or "" */
};

/*
 * Attach prog to ifindex. XB_MODE_AUTO tries native first and falls back
 * to generic, saying why in res->note. A foreign XDP program on the device
 * is replaced only with force. The main program's devices are added to
 * xb_tx_ports, so streams can be redirected to them.
 */
int xb_fp_attach(struct xb_fp *fp, int ifindex, enum xb_fp_prog prog, enum xb_fp_mode mode,
		 bool force, struct xb_fp_attach_result *res);
/* Detach our program (any foreign one only with force). */
int xb_fp_detach(struct xb_fp *fp, int ifindex, bool force);

struct xb_fp_link {
	uint32_t prog_id;     /* 0: no XDP program */
	enum xb_fp_mode mode; /* how it is attached */
	int prog;	      /* enum xb_fp_prog, or -1: not ours */
};

int xb_fp_query(struct xb_fp *fp, int ifindex, struct xb_fp_link *link);

/*
 * SRTP in the fast path (userspace/fastpath/srtp.c): while xborder.ko is
 * loaded, xb_xdp_srtp in xb_srtp_progs protects and unprotects XB_F_SRTP
 * streams with the module's kfuncs; with the slot empty they go to the
 * stack and the userspace relay. Emptying the slot lets the module unload.
 */
bool xb_fp_srtp_module_present(void);
/* Load xb_xdp_srtp against the pinned maps and install it (replacing). */
int xb_fp_srtp_enable(struct xb_fp *fp, uint32_t *prog_id);
int xb_fp_srtp_disable(struct xb_fp *fp);
/* Id of the installed SRTP program, 0 if none. */
uint32_t xb_fp_srtp_prog_id(struct xb_fp *fp);

/* ---------------------------------------------------------------- config, stats */

int xb_fp_config_get(struct xb_fp *fp, struct xb_config *cfg);
/* Writes cfg with abi set to XB_FASTPATH_ABI. */
int xb_fp_config_set(struct xb_fp *fp, const struct xb_config *cfg);

/* xb_stats summed over all CPUs. */
int xb_fp_stats_read(struct xb_fp *fp, uint64_t out[XB_STAT_MAX]);
/* Short stable names ("rx", "redirect", "drop_guard_rate", ...). */
const char *xb_stat_name(unsigned int stat);
/* Reverse of xb_stat_name; -1 if unknown. */
int xb_stat_from_name(const char *name);

/* ---------------------------------------------------------------- streams */

/* Key of packets sent to the relay endpoint e. */
void xb_stream_key_from(struct xb_stream_key *key, const struct xb_endpoint *e);
void xb_stream_key_to(const struct xb_stream_key *key, struct xb_endpoint *e);

/*
 * Check a stream the way the fast path will read it: one action, family
 * consistency, ranges. Returns 0 or -EINVAL with a message.
 */
int xb_stream_validate(const struct xb_stream_key *key, const struct xb_stream *s);

/*
 * Insert a stream; s->stats_idx is set to the new id and the stats slot
 * is zeroed. With replace, an existing stream keeps its id and counters
 * and only its forwarding state changes. The egress device is added to
 * xb_tx_ports when the stream redirects to it. Returns -EEXIST when the key
 * exists and !replace, -ENOSPC when the table is full.
 */
int xb_fp_stream_add(struct xb_fp *fp, const struct xb_stream_key *key, struct xb_stream *s,
		     bool replace);
int xb_fp_stream_get(struct xb_fp *fp, const struct xb_stream_key *key, struct xb_stream *s);
/* Overwrite an existing stream as is (no id allocation); -ENOENT if gone. */
int xb_fp_stream_update(struct xb_fp *fp, const struct xb_stream_key *key,
			const struct xb_stream *s);
int xb_fp_stream_del(struct xb_fp *fp, const struct xb_stream_key *key);
/* Find a stream by id (linear scan). -ENOENT if none. */
int xb_fp_stream_find(struct xb_fp *fp, uint32_t id, struct xb_stream_key *key,
		      struct xb_stream *s);
int xb_fp_stream_stats(struct xb_fp *fp, uint32_t id, struct xb_stream_stats *st);
int xb_fp_stream_stats_write(struct xb_fp *fp, uint32_t id, const struct xb_stream_stats *st);

typedef int (*xb_fp_stream_cb)(const struct xb_stream_key *key, const struct xb_stream *s,
			       void *arg);
/*
 * Call cb for every stream; a non-zero return stops the walk and is
 * returned. Entries added or deleted during the walk may or may not be seen.
 */
int xb_fp_stream_foreach(struct xb_fp *fp, xb_fp_stream_cb cb, void *arg);

/* Stream flags as "forward,learn,rtp"; unknown bits as hex. -ENOSPC if too long. */
int xb_stream_flags_fmt(uint32_t flags, char *buf, size_t len);

/* ---------------------------------------------------------------- devices, L2 */

int xb_fp_tx_port_add(struct xb_fp *fp, int ifindex);
int xb_fp_tx_port_del(struct xb_fp *fp, int ifindex);
/* Calls cb for each ifindex in xb_tx_ports. */
int xb_fp_tx_port_foreach(struct xb_fp *fp, int (*cb)(int ifindex, void *arg), void *arg);

/* MAC address of a device in this network namespace. */
int xb_l2_dev_mac(int ifindex, uint8_t mac[6]);
/*
 * Next-hop MAC for dst out of ifindex, from the kernel's route (gateway)
 * and neighbour tables. -ENOENT when the neighbour is not resolved yet.
 */
int xb_l2_next_hop_mac(int ifindex, const struct xb_addr *dst, uint8_t mac[6]);

/* ---------------------------------------------------------------- guard */

int xb_fp_guard_port_set(struct xb_fp *fp, uint8_t proto, uint16_t port,
			 const struct xb_guard_port *gp);
int xb_fp_guard_port_get(struct xb_fp *fp, uint8_t proto, uint16_t port, struct xb_guard_port *gp);
int xb_fp_guard_port_del(struct xb_fp *fp, uint8_t proto, uint16_t port);
int xb_fp_guard_port_foreach(struct xb_fp *fp,
			     int (*cb)(uint8_t proto, uint16_t port, const struct xb_guard_port *gp,
				       void *arg),
			     void *arg);

enum xb_guard_list {
	XB_GUARD_LIST_ALLOW,
	XB_GUARD_LIST_BLOCK,
};

int xb_fp_guard_prefix_add(struct xb_fp *fp, enum xb_guard_list list, const struct xb_addr *a,
			   unsigned int plen, const struct xb_guard_prefix *val);
int xb_fp_guard_prefix_del(struct xb_fp *fp, enum xb_guard_list list, const struct xb_addr *a,
			   unsigned int plen);
int xb_fp_guard_prefix_foreach(struct xb_fp *fp, enum xb_guard_list list,
			       int (*cb)(const struct xb_addr *a, unsigned int plen,
					 const struct xb_guard_prefix *val, void *arg),
			       void *arg);

/* CLOCK_MONOTONIC in ns, the clock of expires_ns and last_seen_ns. */
uint64_t xb_mono_ns(void);

#endif
