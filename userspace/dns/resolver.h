/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An asynchronous stub resolver on ldns, driven by the controller's event
 * loop: queries go out over UDP from a fresh socket with a random id and
 * source port, answers are matched by server address, id and question,
 * truncated answers are fetched again over TCP, and every wait is bounded
 * by a timer. Nothing here blocks.
 *
 * Answers are cached per (name, type) for their TTL; NXDOMAIN and NODATA
 * are cached per RFC 2308 (the SOA's TTL, at most its MINIMUM). CNAMEs are
 * followed, within one answer and across queries, up to XB_DNS_MAX_CNAME
 * hops. Answers that cannot be parsed, do not match, or hold more records
 * than XB_DNS_MAX_RRS are refused with a one-line reason.
 *
 * Documentation/discovery.md describes the behaviour in full.
 */
#ifndef XB_DNS_RESOLVER_H
#define XB_DNS_RESOLVER_H

#include <stdbool.h>
#include <stdint.h>

#include "common/addr.h"
#include "dns/rng.h"
#include "evloop/evloop.h"

#define XB_DNS_NAME_MAX 256 /* 253 characters, a trailing dot, a NUL */
#define XB_DNS_MAX_SERVERS 8
#define XB_DNS_MAX_RRS 64	/* records of the asked type in one answer */
#define XB_DNS_MAX_CNAME 8	/* CNAME hops followed per lookup */
#define XB_DNS_TTL_MAX 86400	/* positive answers are kept at most a day */
#define XB_DNS_NEG_TTL_MAX 3600 /* negative ones at most an hour (RFC 2308 §5) */

/* The record types the resolver hands out (host order values). */
#define XB_DNS_A 1
#define XB_DNS_CNAME 5
#define XB_DNS_SOA 6
#define XB_DNS_AAAA 28
#define XB_DNS_SRV 33
#define XB_DNS_NAPTR 35

struct xb_dns_config {
	struct xb_endpoint servers[XB_DNS_MAX_SERVERS];
	unsigned int n_servers; /* 0: the nameservers of /etc/resolv.conf */
	uint32_t timeout_ms;	/* per attempt; default 1000 */
	uint32_t attempts;	/* rounds over all servers; default 2 */
	uint32_t cache_size;	/* entries; 0 disables the cache; default 1024 */
};

struct xb_dns_srv {
	uint16_t priority, weight, port;
	char target[XB_DNS_NAME_MAX]; /* "." means: no such service here */
};

struct xb_dns_naptr {
	uint16_t order, preference;
	char flags[32];
	char services[128];
	char regexp[256];
	char replacement[XB_DNS_NAME_MAX]; /* "." when unused */
};

struct xb_dns_rr {
	uint16_t type;
	uint32_t ttl;
	union {
		struct xb_addr addr; /* A, AAAA */
		struct xb_dns_srv srv;
		struct xb_dns_naptr naptr;
	};
};

enum xb_dns_status {
	XB_DNS_OK,	 /* n >= 1 records */
	XB_DNS_NXDOMAIN, /* the name does not exist */
	XB_DNS_NODATA,	 /* the name exists, without records of this type */
	XB_DNS_FAIL,	 /* no usable answer: err and error say why */
};

struct xb_dns_result {
	enum xb_dns_status status;
	int err;	       /* -ETIMEDOUT, -EPROTO, -ELOOP, -EMSGSIZE, ... for FAIL */
	const char *error;     /* one line for FAIL, else "" */
	const char *name;      /* the name asked for */
	const char *canonical; /* after CNAMEs (== name when none) */
	uint16_t type;
	unsigned int n;		    /* records in rr */
	const struct xb_dns_rr *rr; /* valid during the callback only */
	uint32_t ttl;		    /* seconds it may still be kept */
	bool from_cache;
	bool tcp; /* the answer came over TCP (after a truncated UDP answer) */
	unsigned int cname_hops;
};

struct xb_dns_stats {
	uint64_t lookups;
	uint64_t cache_hits, cache_negative_hits;
	uint64_t udp_queries, tcp_queries;
	uint64_t truncated; /* UDP answers with TC set */
	uint64_t timeouts;
	uint64_t rejected;   /* answers refused: malformed, oversized, SERVFAIL, ... */
	uint64_t mismatched; /* datagrams ignored: wrong id, question or source */
	uint64_t cache_entries, cache_evictions;
};

struct xb_resolver;
struct xb_dns_lookup;

/*
 * Called exactly once per lookup that was started, always from the event
 * loop (never from within xb_dns_resolve). RES and everything it points to
 * is valid only during the call; the lookup handle is freed after it.
 */
typedef void (*xb_dns_cb)(const struct xb_dns_result *res, void *arg);

/* Fills CFG with the defaults (no servers: resolv.conf). */
void xb_dns_config_default(struct xb_dns_config *cfg);
/*
 * The "nameserver" lines of a resolv.conf file (port 53), at most
 * XB_DNS_MAX_SERVERS; scoped IPv6 addresses are skipped. -ENOENT when the
 * file names none.
 */
int xb_dns_read_resolv_conf(const char *path, struct xb_endpoint *servers, unsigned int max,
			    unsigned int *n);

/* NULL with xb_errmsg() set when there is no server to ask. */
struct xb_resolver *xb_resolver_new(struct xb_loop *loop, const struct xb_dns_config *cfg);
/* Cancels every lookup in flight (their callbacks are not called). */
void xb_resolver_free(struct xb_resolver *r);
const struct xb_dns_config *xb_resolver_config(const struct xb_resolver *r);
struct xb_loop *xb_resolver_loop(struct xb_resolver *r);
void xb_resolver_stats(const struct xb_resolver *r, struct xb_dns_stats *out);
/* The generator RFC 2782 selection draws from; seed it for tests. */
struct xb_rng *xb_resolver_rng(struct xb_resolver *r);
void xb_resolver_flush(struct xb_resolver *r);

/*
 * Look NAME up (a host name, no trailing dot needed) for TYPE (A, AAAA,
 * SRV or NAPTR). Returns 0 and, if OUT is not NULL, a handle for
 * xb_dns_cancel; or -EINVAL (bad name or type, callback not called).
 */
int xb_dns_resolve(struct xb_resolver *r, const char *name, uint16_t type, xb_dns_cb cb, void *arg,
		   struct xb_dns_lookup **out);
/* The callback will not be called. Not from within the lookup's own
 * callback (the handle is gone by then). */
void xb_dns_cancel(struct xb_dns_lookup *l);

const char *xb_dns_type_name(uint16_t type);
const char *xb_dns_status_name(enum xb_dns_status s);
/* One record as text, zone-file style without owner: "10 60 5060 sip1.b.example". */
const char *xb_dns_rr_fmt(const struct xb_dns_rr *rr, char *buf, size_t len);

/*
 * Is S a name the resolver will ask for: 1-253 characters of letters,
 * digits, '-' and '_' in dot-separated labels of 1-63, one trailing dot
 * allowed. Numeric addresses pass too (they are names syntactically).
 */
bool xb_dns_valid_name(const char *s);
/* Lowercase copy of a valid name, trailing dot removed; -EINVAL if invalid. */
int xb_dns_normalize_name(const char *in, char *out, size_t len);

#endif
