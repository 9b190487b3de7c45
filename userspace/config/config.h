/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xborderd's configuration: one libconfig file, parsed and validated into
 * struct xbd_config. Every key is documented in
 * Documentation/configuration.md. A file that fails validation is refused
 * whole with one message naming the file, line and key; on reload the old
 * configuration stays in force.
 */
#ifndef XB_CONFIG_H
#define XB_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "common/addr.h"

#define XBD_NAME_MAX 64
#define XBD_DOMAIN_MAX 256
#define XBD_MAX_LISTENERS 32
#define XBD_MAX_MEDIA_IFACES 32
#define XBD_MAX_PEERS 1024
#define XBD_MAX_PEER_DOMAINS 16
#define XBD_MAX_PEER_PREFIXES 16

enum xbd_transport {
	XBD_TRANSPORT_UDP,
	XBD_TRANSPORT_TCP,
	XBD_TRANSPORT_TLS, /* issue 6 */
};

enum xbd_media_mode {
	XBD_MEDIA_RELAY,  /* integrated model: anchor media through the DBE */
	XBD_MEDIA_DIRECT, /* media-direct model: SDP untouched */
};

enum xbd_security {
	XBD_SECURITY_NONE,
	XBD_SECURITY_TLS,
	XBD_SECURITY_IPSEC_TRANSPORT,
	XBD_SECURITY_IPSEC_TUNNEL,
	XBD_SECURITY_COLOCATION,
};

/* A SIP listening socket. */
struct xbd_listener {
	char name[XBD_NAME_MAX];
	enum xbd_transport transport;
	struct xb_endpoint local; /* address and port to bind */
	char media[XBD_NAME_MAX]; /* media interface for SDP arriving here */
	/* Address to put in Via/Record-Route if not local (behind static NAT). */
	struct xb_addr advertise; /* family 0 = use local */
};

/* Where media is relayed on one side: an interface with a port range. */
struct xbd_media_iface {
	char name[XBD_NAME_MAX];
	char device[XBD_NAME_MAX];   /* netdev for XDP; "" = userspace relay only */
	struct xb_addr address;	     /* relay address, bound and put into SDP */
	struct xb_addr advertise;    /* SDP address if different (static NAT) */
	uint16_t port_min, port_max; /* inclusive; RTP even, RTCP odd */
	bool xdp;		     /* attach the fast path to device */
};

/* A peer SSP (or our own inside network): how to reach it and treat it. */
struct xbd_peer {
	char name[XBD_NAME_MAX];
	/* Request-URI hosts routed to this peer ("*" matches any; a leading
	 * "." matches subdomains). */
	char domains[XBD_MAX_PEER_DOMAINS][XBD_DOMAIN_MAX];
	unsigned int n_domains;
	struct xb_endpoint next_hop; /* static next hop (issue 5 adds DNS) */
	enum xbd_transport transport;
	char listener[XBD_NAME_MAX]; /* listener to send from (Via/RR) */
	enum xbd_media_mode media_mode;
	char media[XBD_NAME_MAX]; /* media interface toward this peer */
	enum xbd_security security;
	bool latching; /* symmetric RTP: learn the real source */
	/* Sources recognised as this peer (and, for co-location, the only
	 * admitted ones). The next hop's address is always included. */
	struct xb_addr prefixes[XBD_MAX_PEER_PREFIXES];
	unsigned int prefix_lens[XBD_MAX_PEER_PREFIXES];
	unsigned int n_prefixes;
};

struct xbd_timers {
	uint32_t t1_ms, t2_ms, t4_ms; /* RFC 3261 17.1.1.1; 500, 4000, 5000 */
	uint32_t timer_c_s;	      /* INVITE proxy timer C, > 180 */
	uint32_t tcp_idle_s;	      /* close idle TCP connections */
	uint32_t media_timeout_s;     /* end a call after this much silence */
	uint32_t media_check_s;	      /* how often last-seen is checked */
};

struct xbd_config {
	char path[4096];	     /* the file it came from */
	char domain[XBD_DOMAIN_MAX]; /* our own SSP domain */
	char control_socket[4096];   /* default /run/xborder/xborderd.sock */
	char pin_dir[4096];	     /* default XB_PIN_DIR */
	char state_dir[4096];	     /* default /run/xborder */
	int log_level;		     /* enum xb_log_level */
	bool log_syslog;
	uint32_t max_calls;   /* 503 beyond this */
	uint32_t max_message; /* largest SIP message, bytes */
	struct xbd_listener listeners[XBD_MAX_LISTENERS];
	unsigned int n_listeners;
	struct xbd_media_iface media[XBD_MAX_MEDIA_IFACES];
	unsigned int n_media;
	struct xbd_peer *peers; /* n_peers entries, heap */
	unsigned int n_peers;
	struct xbd_timers timers;
};

/*
 * Parse and validate PATH into *cfg (zeroed first). Returns 0, or -EINVAL
 * etc. with a one-line message in xb_errmsg() such as
 * "xborderd.conf:12: peers.[0].next_hop: 'x' is not address:port".
 */
int xbd_config_load(const char *path, struct xbd_config *cfg);
/* Same, from a string (tests, fuzzing); name is used in messages. */
int xbd_config_parse(const char *text, const char *name, struct xbd_config *cfg);
void xbd_config_free(struct xbd_config *cfg);

const struct xbd_listener *xbd_config_listener(const struct xbd_config *cfg, const char *name);
const struct xbd_media_iface *xbd_config_media(const struct xbd_config *cfg, const char *name);
/* The peer a Request-URI host routes to (exact domain, then ".suffix",
 * then "*"), or NULL. */
const struct xbd_peer *xbd_config_route(const struct xbd_config *cfg, const char *host);
/* The peer a source address belongs to (next hop address or prefixes). */
const struct xbd_peer *xbd_config_peer_by_source(const struct xbd_config *cfg,
						 const struct xb_addr *src);

/* The peer named NAME, or NULL. */
const struct xbd_peer *xbd_config_peer(const struct xbd_config *cfg, const char *name);

/* The spellings used in the configuration file (and in JSON output). */
const char *xbd_transport_name(enum xbd_transport t);
const char *xbd_media_mode_name(enum xbd_media_mode m);
const char *xbd_security_name(enum xbd_security s);
const char *xbd_log_level_name(int level);

#endif
