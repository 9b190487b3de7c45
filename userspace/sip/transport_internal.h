/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Private to the SIP transport (transport*.c): its state and helpers. */
#ifndef XB_SIP_TRANSPORT_INTERNAL_H
#define XB_SIP_TRANSPORT_INTERNAL_H

#include <stdbool.h>
#include <sys/socket.h>

#include "sip/transport.h"
#include "sip/transport_frame.h"

#define XBS_DEFAULT_MAX_MESSAGE 65535
/* Bigger configured limits are clamped: every connection may buffer one. */
#define XBS_MAX_MESSAGE_LIMIT (1024 * 1024)
#define XBS_DEFAULT_TCP_IDLE_S 300
/* Work per wakeup, so one busy socket cannot starve the others (epoll is
 * level-triggered: what is left is reported again). */
#define XBS_UDP_BATCH 64
#define XBS_ACCEPT_BATCH 32
#define XBS_READ_BATCH 8
/* Accepting paused this long after EMFILE/ENFILE, instead of spinning. */
#define XBS_ACCEPT_RETRY_MS 100
/* UDP: the tag of the last send per destination, to name ICMP errors. */
#define XBS_TAG_SLOTS 1024
#define XBS_TAG_TTL_NS (64ULL * 1000000000ULL)
#define XBS_CONN_BUCKETS 1024

struct xbs_transport;

struct xbs_lsock {
	struct xbs_transport *t;
	const struct xbd_listener *cfg;
	int fd;
	struct xb_endpoint bound; /* the port the kernel gave, if 0 was asked */
	struct xb_timer retry;	  /* re-enables accept after EMFILE */
};

/* A message (or what is left of it) waiting for the socket to take it. */
struct xbs_wq_item {
	struct xbs_wq_item *next;
	uint64_t tag;
	bool report; /* a caller's message (not a keep-alive pong): count, report */
	size_t len, off;
	char data[];
};

struct xbs_conn {
	struct xbs_transport *t;
	struct xbs_lsock *ls;
	uint64_t id;
	int fd;
	bool outgoing, connecting, closed;
	uint32_t events; /* registered with the loop */
	/* Inside a callback that may close it: freed by whoever holds it. */
	unsigned int busy;
	struct xb_endpoint local, remote;
	uint64_t created_ns, last_ns;
	uint64_t partial_ns; /* when the incomplete message at the head began */
	char *rbuf;
	size_t rlen, rcap;
	struct xbs_framer fr;
	unsigned int crlf_pairs; /* consecutive keep-alive CRLFs */
	struct xbs_wq_item *wq_head, *wq_tail;
	size_t wq_bytes;
	struct xb_timer timer;
	struct xbs_conn *prev, *next;	      /* every connection */
	struct xbs_conn *id_next, *addr_next; /* hash chains */
};

struct xbs_tag {
	struct xb_endpoint dest;
	uint64_t tag;
	uint64_t when_ns;
};

struct xbs_counters {
	uint64_t udp_rx, udp_tx, udp_oversize, udp_keepalives, udp_icmp_errors, udp_send_errors;
	uint64_t tcp_rx, tcp_tx, tcp_framing_errors, tcp_oversize, tcp_keepalives, tcp_pongs;
	uint64_t tcp_accepted, tcp_refused, tcp_connected, tcp_connect_failed;
	uint64_t tcp_closed_idle, tcp_closed_slow, tcp_closed_remote, tcp_closed_error;
	uint64_t tcp_queue_full;
};

struct xbs_transport {
	struct xb_loop *loop;
	const struct xbd_config *cfg;
	xbs_recv_cb recv_cb;
	xbs_error_cb error_cb;
	void *arg;
	size_t max_msg;
	uint64_t idle_ns;
	struct xbs_limits lim;
	struct xbs_lsock ls[XBD_MAX_LISTENERS];
	unsigned int n_ls;
	bool started;
	unsigned int seed; /* of the address hash, so chains cannot be aimed at */
	char *udp_buf;	   /* max_msg + 1: one more byte tells an oversize datagram */
	struct xbs_tag tags[XBS_TAG_SLOTS];
	struct xbs_conn *conns;
	unsigned int n_conns;
	size_t wq_total; /* bytes queued on all connections */
	struct xbs_conn *by_id[XBS_CONN_BUCKETS];
	struct xbs_conn *by_addr[XBS_CONN_BUCKETS];
	struct xbs_counters c;
};

/* transport_addr.c */
int xbs_sockaddr(const struct xb_endpoint *ep, struct sockaddr_storage *ss, socklen_t *len);
int xbs_endpoint(const struct sockaddr *sa, struct xb_endpoint *ep);
bool xbs_endpoint_equal(const struct xb_endpoint *a, const struct xb_endpoint *b);
unsigned int xbs_addr_hash(const struct xb_addr *a, unsigned int seed);
bool xbs_addr_any(const struct xb_addr *a);

/* transport.c */
const char *xbs_transport_name(enum xbd_transport tr);
/* A non-blocking socket of TYPE bound to the listener's address. */
int xbs_bound_socket(struct xbs_lsock *ls, int type);

/* transport_udp.c */
int xbs_udp_open(struct xbs_lsock *ls);
int xbs_udp_send(struct xbs_lsock *ls, const struct xb_endpoint *dest, uint64_t tag,
		 const char *msg, size_t len);

/* transport_tcp.c (listening and accepting) */
int xbs_tcp_open(struct xbs_lsock *ls);

/* transport_conn.c (one connection) */
struct xbs_conn *xbs_conn_new(struct xbs_lsock *ls, int fd, bool outgoing,
			      const struct xb_endpoint *remote);
int xbs_conn_connect(struct xbs_lsock *ls, const struct xb_endpoint *dest, struct xbs_conn **out);
struct xbs_conn *xbs_conn_by_id(struct xbs_transport *t, uint64_t id);
struct xbs_conn *xbs_conn_to(struct xbs_transport *t, const struct xbs_lsock *ls,
			     const struct xb_endpoint *remote);
unsigned int xbs_conn_count_from(struct xbs_transport *t, const struct xb_addr *a);
int xbs_conn_send(struct xbs_conn *c, uint64_t tag, const char *msg, size_t len);
/* Closes the socket; queued messages are reported to error_cb with ERR (if non-zero). */
void xbs_conn_close(struct xbs_conn *c, int err);
json_t *xbs_conn_json(const struct xbs_conn *c, uint64_t now);

#endif
