/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SIP transport: the listeners of the configuration (UDP and TCP; TLS in a
 * later issue), TCP connections framed by Content-Length, outgoing
 * connections opened on demand and reused, idle limits. Non-blocking, on
 * the controller's event loop. It knows nothing of SIP beyond framing.
 */
#ifndef XB_SIP_TRANSPORT_H
#define XB_SIP_TRANSPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/addr.h"
#include "config/config.h"
#include "evloop/evloop.h"

struct xbs_transport;

/* Where a message came from. */
struct xbs_source {
	const struct xbd_listener *listener; /* the socket it arrived on */
	enum xbd_transport transport;
	struct xb_endpoint remote; /* source address and port */
	struct xb_endpoint local;  /* the address it was sent to */
	uint64_t conn_id;	   /* TCP/TLS connection, 0 for UDP */
};

/* A complete message arrived (NOT NUL-terminated; len bytes). */
typedef void (*xbs_recv_cb)(void *arg, const char *msg, size_t len, const struct xbs_source *src);
/* Sending to DEST failed after xbs_send returned 0 (connect refused or
 * timed out, connection reset with data queued, ICMP unreachable on UDP):
 * the proxy answers 503 or fails over. TAG is what xbs_send was given;
 * ERR a negative errno (-ECONNREFUSED, -ETIMEDOUT, -EHOSTUNREACH, ...). */
typedef void (*xbs_error_cb)(void *arg, const struct xb_endpoint *dest, enum xbd_transport t,
			     uint64_t tag, int err);

struct xbs_transport *xbs_transport_new(struct xb_loop *loop, const struct xbd_config *cfg,
					xbs_recv_cb recv_cb, xbs_error_cb error_cb, void *arg);
/* Binds every listener; -errno with xb_errmsg() naming the listener. */
int xbs_transport_start(struct xbs_transport *t);
/* Closes every socket (not from inside a callback). */
void xbs_transport_free(struct xbs_transport *t);
/* The port listener NAME is bound to (useful when it was configured as 0,
 * an ephemeral port: tests), or -ENOENT. */
int xbs_listener_port(const struct xbs_transport *t, const char *listener_name);

/* Stream limits. xbs_transport_new starts from the defaults below. */
struct xbs_limits {
	unsigned int max_conns;		   /* accepted + outgoing; beyond: refused */
	unsigned int max_conns_per_source; /* accepted from one address */
	uint32_t connect_timeout_ms;	   /* outgoing connect */
	uint32_t slow_message_ms;	   /* a partial message older than this closes
					    * the connection (slowloris) */
	size_t write_queue_max;		   /* bytes queued per connection; -ENOBUFS */
	size_t write_queue_total_max;	   /* bytes queued on all connections */
};
#define XBS_DEFAULT_MAX_CONNS 4096
#define XBS_DEFAULT_MAX_CONNS_PER_SOURCE 128
#define XBS_DEFAULT_CONNECT_TIMEOUT_MS 5000
#define XBS_DEFAULT_SLOW_MESSAGE_MS 30000
#define XBS_DEFAULT_WRITE_QUEUE_MAX (1024 * 1024)
#define XBS_DEFAULT_WRITE_QUEUE_TOTAL_MAX (64 * 1024 * 1024)
void xbs_transport_get_limits(const struct xbs_transport *t, struct xbs_limits *lim);
/* Takes effect at once (deadlines of open connections at their next check). */
void xbs_transport_set_limits(struct xbs_transport *t, const struct xbs_limits *lim);
/*
 * Sends MSG to DEST from listener FROM (its transport decides UDP or TCP).
 * TCP: the connection CONN_ID if it is still open (responses go back on
 * the connection the request came on), else an open connection to DEST,
 * else a new one (non-blocking connect; the message is queued). Returns 0
 * when sent or queued, -errno otherwise (-ENOBUFS: write queue full);
 * TAG comes back in error_cb. May be called from the callbacks; error_cb
 * may run inside it, for messages queued earlier on a connection that
 * fails now. Documentation/sip-transport.md has the details.
 */
int xbs_send(struct xbs_transport *t, const struct xbd_listener *from,
	     const struct xb_endpoint *dest, uint64_t conn_id, uint64_t tag, const char *msg,
	     size_t len);

/* Counters and open connections, for `xborderctl stats`. */
json_t *xbs_transport_stats(const struct xbs_transport *t);

/*
 * Stream framing (exposed for tests and fuzzing). Looks at the first LEN
 * bytes of a TCP stream: skips leading CRLFs (keep-alives, RFC 5626) into
 * *SKIP and returns the length of the first complete message after them
 * (headers, blank line, Content-Length bytes of body), 0 when more bytes
 * are needed, -EMSGSIZE when it exceeds MAX, -EBADMSG when the header has
 * no valid Content-Length (mandatory on streams, RFC 3261 18.3).
 */
ssize_t xbs_frame(const char *buf, size_t len, size_t max, size_t *skip);

#endif
