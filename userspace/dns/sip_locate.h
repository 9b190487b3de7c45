/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Locating SIP servers (RFC 3263 §4, client side): from a SIP URI to the
 * ordered list of {address:port, transport} to try, each with the name a
 * TLS certificate must carry (RFC 5922: the domain of the URI).
 *
 *   numeric host           -> that address; port from the URI or 5060/5061
 *   host with a port       -> A/AAAA of the host, that port
 *   ;transport= (no port)  -> SRV for that transport, else A/AAAA
 *   otherwise              -> NAPTR (flag "S"; SIP+D2U, SIP+D2T, SIPS+D2T;
 *                             sips: only SIPS+D2T), sorted by order then
 *                             preference, each leading to an SRV set; with
 *                             no usable NAPTR, SRV _sips._tcp, _sip._tcp,
 *                             _sip._udp (sips: the first only); with no
 *                             SRV at all, A/AAAA with the default port.
 *
 * SRV sets are ordered as RFC 2782 says (priority, then weighted random
 * within a priority); a lone "." target means the service is not offered.
 * The proxy takes targets with xb_targets_next and reports failures with
 * xb_targets_mark_failed, which puts the destination on a shared
 * blocklist for a while; blocked destinations are tried last.
 */
#ifndef XB_DNS_SIP_LOCATE_H
#define XB_DNS_SIP_LOCATE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"
#include "config/config.h"
#include "dns/blocklist.h"
#include "dns/resolver.h"
#include "dns/rng.h"
#include "dns/uri.h"

#define XB_LOCATE_MAX_TARGETS 32
#define XB_LOCATE_MAX_SERVICES 8 /* SRV names asked for (from NAPTR or defaults) */
#define XB_LOCATE_MAX_HOSTS 16	 /* SRV targets resolved to addresses */
#define XB_LOCATE_MAX_STEPS 96
#define XB_LOCATE_STEP_MAX 320

#define XB_SIP_PORT 5060
#define XB_SIPS_PORT 5061

enum xb_target_source {
	XB_TARGET_NUMERIC, /* the URI's host (or maddr) was an address */
	XB_TARGET_A,	   /* A/AAAA of the URI's host */
	XB_TARGET_SRV,	   /* SRV (no NAPTR) then A/AAAA */
	XB_TARGET_NAPTR,   /* NAPTR, SRV, A/AAAA */
	XB_TARGET_STATIC,  /* a configured peer's next_hop (discover.h) */
	XB_TARGET_PROXY,   /* a federation's central proxy (discover.h) */
};

struct xb_target {
	struct xb_endpoint ep;
	enum xbd_transport transport;
	char host[XB_DNS_NAME_MAX];	/* the name that gave EP ("" for numeric) */
	char tls_name[XB_DNS_NAME_MAX]; /* RFC 5922 identity: the URI's domain */
	enum xb_target_source source;
	uint16_t priority, weight; /* of the SRV record, 0 otherwise */
	bool tried;
};

struct xb_targets {
	unsigned int n;
	struct xb_target t[XB_LOCATE_MAX_TARGETS];
	struct xb_blocklist *bl; /* not owned; may be NULL */
	int err;		 /* when n == 0: why */
	char error[XB_ERRMSG_MAX];
	unsigned int n_steps; /* what was asked and answered, for humans */
	char steps[XB_LOCATE_MAX_STEPS][XB_LOCATE_STEP_MAX];
};

struct xb_locate_opts {
	/* bit (1 << enum xbd_transport) per transport the caller can use;
	 * 0 means all */
	unsigned int transports;
	struct xb_blocklist *bl; /* consulted by xb_targets_next; may be NULL */
	struct xb_rng *rng;	 /* for RFC 2782; NULL: the resolver's */
	uint8_t family;		 /* XB_AF_INET or XB_AF_INET6: only those; 0: both */
};

struct xb_locate;

/* T belongs to the callback: free it with xb_targets_free. T->n == 0 and
 * T->error say why nothing was found. */
typedef void (*xb_locate_cb)(struct xb_targets *t, void *arg);

/*
 * Start locating URI (a sip: or sips: URI). The callback is called once,
 * always from the event loop. Returns 0 (and a handle for
 * xb_locate_cancel in *OUT if not NULL), or -errno with the callback not
 * called (tel: URI, sips: with transport=udp, out of memory).
 */
int xb_locate(struct xb_resolver *r, const struct xb_uri *uri, const struct xb_locate_opts *opts,
	      xb_locate_cb cb, void *arg, struct xb_locate **out);
void xb_locate_cancel(struct xb_locate *lc);

/*
 * The next target to try: in list order, skipping those tried and those
 * on the blocklist; when only blocked ones are left, those in order.
 * NULL when every target was tried.
 */
const struct xb_target *xb_targets_next(struct xb_targets *t, uint64_t now_ns);
/* TARGET failed (transport error, timeout, 503): keep it out of the way
 * of every lookup for SECONDS. */
int xb_targets_mark_failed(struct xb_targets *t, const struct xb_target *target, uint32_t seconds,
			   uint64_t now_ns);
void xb_targets_free(struct xb_targets *t);

/* RFC 2782 order of SRV records in place: priority ascending, and within
 * a priority the weighted random draw (weight-0 records rarely first). */
void xb_srv_order(struct xb_dns_srv *srv, unsigned int n, struct xb_rng *rng);

/* RFC 3403 order of NAPTR records in place: order, then preference
 * (stable). */
void xb_naptr_order(struct xb_dns_naptr *naptr, unsigned int n);

const char *xb_target_source_name(enum xb_target_source s);
uint16_t xb_default_port(enum xbd_transport t);

#endif
