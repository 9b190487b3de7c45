/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The userspace relay: the same stream table as the XDP fast path, relayed
 * with ordinary UDP sockets (recvmmsg/sendmmsg). It serves hosts without
 * XDP, the streams the fast path hands to the stack (XB_F_PASS, TTL 1,
 * unresolved neighbours), and first-packet learning (XB_F_LEARN_REMOTE).
 *
 * Maps are the contract: the relay reads xb_streams from the pinned maps
 * every sync period and writes back what it learns and what it counts.
 *
 *  - Sockets: one UDP socket per relay endpoint, bound (IP_FREEBIND) to
 *    every stream's local address:port (where packets arrive) and source
 *    address:port (what the far side must see as the sender). A packet
 *    received on endpoint E belongs to the stream keyed E; it is sent from
 *    the socket of that stream's source endpoint to its remote endpoint.
 *  - Counters: the stream's xb_stream_stats slot gets packets/bytes/drops
 *    from whichever path handled the packet, exactly once: when the XDP
 *    program runs on the ingress device it has counted the packet already
 *    (it counts what it passes), so the relay then adds only its own drops.
 *    The relay's own totals (xb_relay_stats) are separate from xb_stats,
 *    which only the XDP program writes: that is how a test tells the paths
 *    apart.
 *  - Latching: a packet for a stream with XB_F_LEARN_REMOTE makes its real
 *    source the remote endpoint of the reverse stream (every stream whose
 *    source endpoint is this stream's local endpoint), clears the flag in
 *    the map, and is relayed; from then on the fast path has all it needs.
 *  - SRTP: a stream flagged XB_F_SRTP is protected (XB_F_SRTP_PROTECT) or
 *    unprotected with libsrtp2 under the relay's context srtp_ctx, what
 *    xborder.ko does on the fast path when it is loaded. The relay learns
 *    its contexts through xb_relay_srtp_set() (xborderd, which embeds the
 *    relay, hands them over in-process) or from a key file readable by its
 *    owner only (xborder-relay -k); never from a BPF map, which anyone who
 *    may read the map could read the keys from. Packets SRTP refuses
 *    (no context, authentication, replay) are counted as drop_srtp.
 */
#ifndef XB_RELAY_RELAY_H
#define XB_RELAY_RELAY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xborder/fastpath.h>

#include "common/addr.h"
#include "evloop/evloop.h"
#include "fastpath/fastpath.h"

/* The relay's own counters: enum xb_stat, then relay-only reasons. */
enum {
	XB_RELAY_DROP_SEND = XB_STAT_MAX, /* sendmmsg failed */
	XB_RELAY_STAT_MAX,
};

struct xb_relay_stats {
	uint64_t c[XB_RELAY_STAT_MAX]; /* "rx", "tx" (relayed), "learn", drop_* */
	uint64_t streams;	       /* streams in the table */
	uint64_t sockets;	       /* bound endpoints */
	uint64_t syncs;		       /* map reads so far */
};

struct xb_relay_opts {
	unsigned int sync_ms; /* 0: 100 ms */
	unsigned int batch;   /* datagrams per recvmmsg/sendmmsg; 0: 64 */
};

struct xb_relay;

/*
 * A relay over the maps of fp, driven by loop (sockets and a sync timer).
 * Syncs once before returning. fp and loop must outlive the relay.
 */
int xb_relay_new(struct xb_fp *fp, struct xb_loop *loop, const struct xb_relay_opts *opts,
		 struct xb_relay **rp);
/* Flushes pending counters to the maps, closes the sockets. */
void xb_relay_free(struct xb_relay *r);

/* Re-read the stream table now (also runs every sync period). */
int xb_relay_sync(struct xb_relay *r);

void xb_relay_get_stats(const struct xb_relay *r, struct xb_relay_stats *st);
const char *xb_relay_stat_name(unsigned int i);
json_t *xb_relay_stats_json(const struct xb_relay *r);

/* ---------------------------------------------------------------- SRTP */

struct xb_srtp_params;

/* Add or replace (a re-key restarts the context's state) context p->id. */
int xb_relay_srtp_set(struct xb_relay *r, const struct xb_srtp_params *p);
/* -ENOENT if there is no such context. */
int xb_relay_srtp_del(struct xb_relay *r, uint32_t id);
/*
 * Replace every context with those of a key file: one context per line in
 * the words of `xborderctl srtp add` (ID suite SUITE dir DIR key KEY ...),
 * '#' comments and blank lines ignored. The file must be a regular file
 * that only its owner (root or the relay's user) may read or write. On any
 * error nothing changes. A context whose line is unchanged keeps its state
 * (replay window, ROC) and counters; a changed one starts afresh. Returns
 * the number of contexts.
 */
int xb_relay_srtp_load_file(struct xb_relay *r, const char *path);
size_t xb_relay_srtp_count(const struct xb_relay *r);

/* ---------------------------------------------------------------- per packet */

/* What the relay tracks per stream between syncs. */
struct xb_relay_rtp {
	bool init;
	uint32_t ssrc;
	uint16_t highest;
};

enum xb_relay_verdict {
	XB_RELAY_FORWARD, /* send it on */
	XB_RELAY_DROP,	  /* reason (enum xb_stat or XB_RELAY_DROP_*) in *reason */
};

/*
 * The per-packet decision, free of I/O so tests and fuzzers can drive it,
 * in the fast path's order: drop flag, expiry, strict source, learning,
 * RTP sanity and sequence tracking (jumps counted into *seq_errors; SRTP
 * headers are in clear, so they are tracked alike), destination. SRTP is
 * applied afterwards, by the caller. *learn is set when the packet's source must be latched,
 * which happens even if the packet itself is then dropped (a STUN check
 * on an RTP stream teaches the address, but is not relayed as media).
 * payload is the UDP payload as received from the endpoint from.
 */
enum xb_relay_verdict xb_relay_decide(const struct xb_stream_key *key, const struct xb_stream *s,
				      const uint8_t *payload, size_t len,
				      const struct xb_endpoint *from, uint64_t now,
				      struct xb_relay_rtp *rtp, uint32_t *seq_errors, bool *learn,
				      unsigned int *reason);

#endif
