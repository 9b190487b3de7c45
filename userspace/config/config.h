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
#define XBD_IPSEC_MAX_SUBNETS 8
#define XBD_KEYPATH_MAX 256

enum xbd_transport {
	XBD_TRANSPORT_UDP,
	XBD_TRANSPORT_TCP,
	XBD_TRANSPORT_TLS, /* issue 6 */
};

enum xbd_media_mode {
	XBD_MEDIA_RELAY,  /* integrated model: anchor media through the DBE */
	XBD_MEDIA_DIRECT, /* media-direct model: SDP untouched */
};

/*
 * Media security toward a peer (SDES, RFC 4568), for relayed media. PASS
 * (the default): a=crypto and the RTP profile go through untouched and
 * the media is relayed as opaque UDP. NONE: plain RTP toward the peer
 * (RTP/AVP, no a=crypto); SRTP arriving from the other side is decrypted.
 * SDES: SRTP toward the peer (RTP/SAVP) with keys we generate; plain RTP
 * from the other side is encrypted. Documentation/media.md has the rules.
 */
enum xbd_srtp_policy {
	XBD_SRTP_PASS,
	XBD_SRTP_NONE,
	XBD_SRTP_SDES,
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
	/* A federation's central proxy (seed 000 7.1): requests arriving here
	 * are answered 302 with the target's border element, not forwarded. */
	bool redirect;
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

enum xbd_ipsec_mode {
	XBD_IPSEC_TRANSPORT, /* ESP between the two SBEs, SIP ports only */
	XBD_IPSEC_TUNNEL,    /* ESP tunnel carrying signaling and media */
};

enum xbd_ipsec_alg {
	XBD_IPSEC_AES_GCM,	  /* rfc4106(gcm(aes)): AES-128/256 + 4-byte salt */
	XBD_IPSEC_AES_CBC_SHA256, /* cbc(aes) + hmac(sha256), 128-bit ICV */
};

enum xbd_ipsec_keys {
	XBD_IPSEC_KEYS_STATIC, /* xborder installs SAs from key files */
	XBD_IPSEC_KEYS_IKE,    /* an IKE daemon does; xborder only checks */
};

/* SA lifetime limits; 0 = none. */
struct xbd_ipsec_lifetime {
	uint64_t bytes;
	uint64_t packets;
	uint64_t seconds;
};

/*
 * A peer's IPsec connection (the peer's "ipsec" group; present exactly
 * when security is "ipsec-transport" or "ipsec-tunnel"). Installed by
 * userspace/ipsec/ (Documentation/ipsec.md).
 */
struct xbd_ipsec {
	bool enabled;
	enum xbd_ipsec_mode mode;
	enum xbd_ipsec_keys keys;
	/* ESP endpoints: the transport addresses, or the tunnel's outer ends */
	struct xb_addr local, remote;
	/* tunnel mode: inner prefixes carried by the tunnel (transport mode:
	 * the local and remote host prefixes, for the overlap checks) */
	struct xb_addr local_subnets[XBD_IPSEC_MAX_SUBNETS];
	unsigned int local_plens[XBD_IPSEC_MAX_SUBNETS];
	unsigned int n_local_subnets;
	struct xb_addr remote_subnets[XBD_IPSEC_MAX_SUBNETS];
	unsigned int remote_plens[XBD_IPSEC_MAX_SUBNETS];
	unsigned int n_remote_subnets;
	/* transport mode: the SIP ports, ours and the peer's */
	uint16_t local_port, remote_port;
	enum xbd_ipsec_alg alg;
	uint32_t spi_in, spi_out;     /* static keys */
	char key_in[XBD_KEYPATH_MAX]; /* key files, static keys */
	char key_out[XBD_KEYPATH_MAX];
	uint32_t replay_window;		/* packets, 0-4096 */
	struct xbd_ipsec_lifetime soft; /* warn (expire event) */
	struct xbd_ipsec_lifetime hard; /* the SA stops */
	uint32_t rekey_switch_s;	/* longest wait before sending on new SAs */
	uint32_t rekey_grace_s;		/* old SAs kept this long after the switch */
};

/* How a peer's next hop is found (Documentation/discovery.md). */
enum xbd_discovery {
	XBD_DISCOVERY_STATIC,	  /* next_hop, as configured */
	XBD_DISCOVERY_DNS,	  /* RFC 3263 on the Request-URI: NAPTR, SRV, A/AAAA */
	XBD_DISCOVERY_ENUM,	  /* ENUM on the number, then RFC 3263 on the result */
	XBD_DISCOVERY_FEDERATION, /* the federation's proxy, else DNS with its TLS names */
};

#define XBD_MAX_DNS_SERVERS 8
#define XBD_MAX_FEDERATIONS 64

/* The resolver (userspace/dns/). */
struct xbd_dns {
	struct xb_endpoint servers[XBD_MAX_DNS_SERVERS];
	unsigned int n_servers;		/* 0: the nameservers of /etc/resolv.conf */
	uint32_t timeout_ms;		/* per query attempt */
	uint32_t attempts;		/* rounds over the servers */
	uint32_t cache_size;		/* entries; 0 disables the cache */
	char enum_apex[XBD_DOMAIN_MAX]; /* "e164.arpa" */
	uint32_t blocklist_s;		/* how long a failed destination is avoided */
};

/* A federation (seed 000 §7): a central proxy to send to, or (TLS based)
 * the default lookups with the federation's certificate. */
struct xbd_federation {
	char name[XBD_NAME_MAX];
	struct xb_endpoint proxy; /* family 0: none (TLS-based federation) */
	/* certificate, key and CA names for the TLS issue */
	char tls_cert[XBD_NAME_MAX], tls_key[XBD_NAME_MAX], tls_ca[XBD_NAME_MAX];
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
	bool latching;		   /* symmetric RTP: learn the real source */
	enum xbd_srtp_policy srtp; /* SRTP (SDES) toward this peer */
	/* Sources recognised as this peer (and, for co-location, the only
	 * admitted ones). The next hop's address is always included. */
	struct xb_addr prefixes[XBD_MAX_PEER_PREFIXES];
	unsigned int prefix_lens[XBD_MAX_PEER_PREFIXES];
	unsigned int n_prefixes;
	struct xbd_ipsec ipsec; /* security ipsec-transport / ipsec-tunnel */
	/* static: next_hop above; dns and enum: next_hop unset (family 0);
	 * federation: next_hop is the federation's proxy, if it has one */
	enum xbd_discovery discovery;
	char federation[XBD_NAME_MAX]; /* discovery "federation": which one */
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
	struct xbd_dns dns;
	struct xbd_federation federations[XBD_MAX_FEDERATIONS];
	unsigned int n_federations;
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
const char *xbd_srtp_policy_name(enum xbd_srtp_policy s);
const char *xbd_log_level_name(int level);
const char *xbd_discovery_name(enum xbd_discovery d);
/* The federation named NAME, or NULL. */
const struct xbd_federation *xbd_config_federation(const struct xbd_config *cfg, const char *name);
const char *xbd_ipsec_mode_name(enum xbd_ipsec_mode m);
const char *xbd_ipsec_alg_name(enum xbd_ipsec_alg a);
const char *xbd_ipsec_keys_name(enum xbd_ipsec_keys k);

#endif
