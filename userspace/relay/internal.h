/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internals of the userspace relay, shared by its files only. */
#ifndef XB_RELAY_INTERNAL_H
#define XB_RELAY_INTERNAL_H

#include <sys/socket.h>

#include "relay/keytab.h"
#include "relay/relay.h"
#include "srtp/srtp.h"

/* Largest datagram relayed (jumbo frames); longer ones are dropped. */
#define RELAY_MTU 9216
#define RELAY_MAX_BATCH 256
#define RELAY_XDP_CACHE 64

struct xb_relay;

/* A bound relay endpoint (address:port in stream-key layout). */
struct rsock {
	struct xb_stream_key ep;
	int fd; /* -1 while binding fails */
	bool warned;
	bool keep; /* still needed after this sync */
	struct xb_relay *r;
};

struct rstream {
	struct xb_stream_key key;
	struct xb_stream s;
	struct rsock *out; /* socket of the source endpoint */
	struct sockaddr_storage dst;
	socklen_t dst_len;
	struct rstream *next_rev; /* next stream with the same source endpoint */
	struct xb_relay_rtp rtp;
	struct xb_srtp_session *srtp; /* the context srtp_ctx names, if any */
	bool srtp_logged;
	/* counted since the last sync, added to the stats slot at the next */
	uint64_t packets, bytes, last_seen;
	uint32_t drops, seq_errors;
	bool dirty;
};

struct xb_relay {
	struct xb_fp *fp;
	struct xb_loop *loop;
	struct xb_timer timer;
	unsigned int sync_ms, batch;

	struct rstream *streams; /* array, nstreams long */
	size_t nstreams;
	struct keytab by_key; /* stream key -> rstream */
	struct keytab by_src; /* source endpoint -> first rstream (next_rev) */
	struct keytab socks;  /* endpoint -> rsock */

	uint64_t c[XB_RELAY_STAT_MAX];
	uint64_t syncs;

	/* SRTP contexts (libsrtp2 sessions), by id */
	struct xb_srtp_session **srtp;
	size_t nsrtp;

	/* devices where our XDP program runs (it counted what it passed) */
	uint32_t xdp_prog_id;
	struct {
		int ifindex;
		bool xdp;
	} xdp_cache[RELAY_XDP_CACHE];
	unsigned int nxdp;

	/* batch buffers */
	struct mmsghdr *rx, *tx;
	struct iovec *rx_iov, *tx_iov;
	struct sockaddr_storage *rx_addr;
	uint8_t *bufs;
	char *rx_ctl, *tx_ctl;
	uint32_t *tx_bytes;
};

#define RX_CTL_LEN 128
#define TX_CTL_LEN 32

/* io.c */
void relay_readable(struct xb_loop *loop, int fd, uint32_t events, void *arg);
int relay_io_init(struct xb_relay *r);
void relay_io_free(struct xb_relay *r);

/* srtp.c */
struct xb_srtp_session *relay_srtp_find(const struct xb_relay *r, uint32_t id);
/* Point every stream at its context again (after a change of contexts). */
void relay_srtp_rebind(struct xb_relay *r);
void relay_srtp_free(struct xb_relay *r);
/* Protect or unprotect the datagram of stream st in place: its new length,
 * or -1 when it is to be dropped (drop_srtp). */
int relay_srtp_apply(struct xb_relay *r, struct rstream *st, uint8_t *buf, size_t len);
json_t *relay_srtp_json(const struct xb_relay *r);

/* relay.c */
void relay_sockaddr(uint8_t family, const uint8_t addr[16], uint16_t port_be,
		    struct sockaddr_storage *ss, socklen_t *len);
void relay_latch(struct xb_relay *r, struct rstream *st, const struct xb_endpoint *from);

#endif
