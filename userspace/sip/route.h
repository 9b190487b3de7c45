/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Next-hop selection: the interface between the proxy and discovery
 * (userspace/dns/discover.h). Given the URI a request goes to (its top
 * Route after our own entries are removed, else its Request-URI), it
 * yields the targets to try in order, each with the listener to send from
 * and the peer's media policy:
 *
 *   numeric host        that address (the configured peer it belongs to,
 *                       if any); a Request-URI naming one of our own
 *                       listeners is for our own domain (xborderd.domain)
 *   static peer         its next_hop
 *   federation proxy    the federation's central proxy, no DNS; 3xx
 *                       responses from it are followed (redirects)
 *   dns, enum, TLS      RFC 3263 / ENUM through xb_discover(), on the
 *   federation, tel:    event loop (the answer comes later)
 *
 * Static answers come at once (before xbs_route_lookup returns); DNS ones
 * from the loop. The proxy walks the targets with xbs_route_next (failed
 * destinations, on the shared blocklist, come last) and reports failures
 * with xbs_route_failed (RFC 3263 section 4.3).
 */
#ifndef XB_SIP_ROUTE_H
#define XB_SIP_ROUTE_H

#include <stdbool.h>

#include <osipparser2/osip_uri.h>

#include "common/addr.h"
#include "config/config.h"
#include "dns/resolver.h"
#include "dns/sip_locate.h"

#define XBS_MAX_TARGETS XB_LOCATE_MAX_TARGETS
#define XBS_ROUTE_REASON_MAX 128

/* One place to send a request. Peer details are copied (not pointers into
 * the configuration), so a target survives a configuration reload. */
struct xbs_target {
	struct xb_endpoint dest;
	enum xbd_transport transport;	     /* the listener's */
	const struct xbd_listener *listener; /* where it is sent from */
	bool has_peer;
	char peer[XBD_NAME_MAX];  /* configured peer it belongs to, "" if none */
	char media[XBD_NAME_MAX]; /* media interface toward it */
	enum xbd_media_mode media_mode;
	bool latching;
	enum xb_target_source source; /* how it was found */
	char host[XB_DNS_NAME_MAX];   /* the name that resolved to it, "" if none */
	/*
	 * For the TLS issue: the identity the peer's certificate must carry
	 * (RFC 5922: the domain of the URI, never an SRV target) and, for a
	 * TLS-based federation (seed 000 section 7.2), the federation whose
	 * tls_cert/tls_key/tls_ca the connection uses ("" if none).
	 */
	char tls_name[XB_DNS_NAME_MAX];
	char federation[XBD_NAME_MAX];
	bool tried;
};

/* The answer to one lookup: targets in the order to try, or why none. */
struct xbs_route {
	int err;			   /* 0 when n >= 1, else -errno */
	int status;			   /* n == 0: the SIP status to answer (404, 503) */
	char reason[XBS_ROUTE_REASON_MAX]; /* n == 0: its reason phrase */
	char *retarget;		 /* ENUM gave another URI: the new Request-URI, else NULL */
	bool follow_redirects;	 /* a federation's central proxy: follow its 3xx */
	struct xb_blocklist *bl; /* the router's, shared */
	uint32_t block_s;
	unsigned int n;
	struct xbs_target t[];
};

struct xbs_router;
struct xbs_route_query;

/* RT belongs to the callee (xbs_route_free). RT is NULL only when the
 * router is freed with the query still pending. */
typedef void (*xbs_route_cb)(void *arg, struct xbs_route *rt);

/* RES may be NULL: then only static routing works (DNS and ENUM answer
 * 503). */
struct xbs_router *xbs_router_new(const struct xbd_config *cfg, struct xb_resolver *res);
/* Pending queries are called back with NULL first. */
void xbs_router_free(struct xbs_router *r);
/* CFG replaces the old one (reload); queries in flight finish with the
 * configuration in force when they answer. */
void xbs_router_set_config(struct xbs_router *r, const struct xbd_config *cfg);
struct xb_blocklist *xbs_router_blocklist(struct xbs_router *r);

/*
 * Resolves URI. HINT is the listener the request arrived on, used when a
 * numeric host belongs to no configured peer. Returns 0 when CB will be (or
 * already was) called exactly once; *Q is then NULL if it was called before
 * returning, else a handle for xbs_route_cancel. -errno (CB not called)
 * for a URI that cannot be routed at all (no host, unknown transport).
 */
int xbs_route_lookup(struct xbs_router *r, const osip_uri_t *uri, const struct xbd_listener *hint,
		     xbs_route_cb cb, void *arg, struct xbs_route_query **q);
/*
 * The targets of a redirect's CONTACT, reached like VIA (the target that
 * answered 3xx): same peer, media policy and listener address. A numeric
 * host answers at once; a name is located by RFC 3263 (the contact's
 * domain, not the original target's). Same contract as xbs_route_lookup.
 */
int xbs_route_redirect(struct xbs_router *r, const osip_uri_t *contact,
		       const struct xbs_target *via, xbs_route_cb cb, void *arg,
		       struct xbs_route_query **q);
/* Forgets a pending query: its callback will not be called. */
void xbs_route_cancel(struct xbs_router *r, struct xbs_route_query *q);

/* The next target to try: in order, skipping those tried and those on
 * the blocklist; blocked ones last. NULL when every target was tried. */
const struct xbs_target *xbs_route_next(struct xbs_route *rt);
/* Targets not tried yet. */
unsigned int xbs_route_left(const struct xbs_route *rt);
/* T failed (transport error, timeout, 503): blocklisted for a while. */
void xbs_route_failed(struct xbs_route *rt, const struct xbs_target *t);
void xbs_route_free(struct xbs_route *rt);

/* Fills T for sending to a peer's static next hop (xbd_config_route etc).
 * -ENOENT when the peer's listener does not exist. */
int xbs_target_for_peer(const struct xbd_config *cfg, const struct xbd_peer *p,
			struct xbs_target *t);
/* The configured peer ADDR belongs to, as a target to ADDR:PORT. */
int xbs_target_for_addr(const struct xbd_config *cfg, const struct xb_endpoint *ep,
			enum xbd_transport want, bool want_set, const struct xbd_listener *hint,
			struct xbs_target *t);

#endif
