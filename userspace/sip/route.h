/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Next-hop selection: the interface between the proxy and whatever finds
 * peers. Given the URI the request goes to (its top Route after our own
 * entries are removed, else its Request-URI), it yields the targets to try
 * in order, each with the listener to send from and the peer's media
 * policy. Resolution is callback based so that DNS (NAPTR/SRV/A) and ENUM
 * can answer later without blocking; the static implementation here (the
 * configuration's peers, numeric hosts directly) answers at once.
 */
#ifndef XB_SIP_ROUTE_H
#define XB_SIP_ROUTE_H

#include <stdbool.h>

#include <osipparser2/osip_uri.h>

#include "common/addr.h"
#include "config/config.h"

#define XBS_MAX_TARGETS 8

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
};

struct xbs_router;
struct xbs_route_query;

/* ERR 0 and N >= 1 targets, or -errno (-ENOENT: no route). */
typedef void (*xbs_route_cb)(void *arg, int err, const struct xbs_target *targets, unsigned int n);

struct xbs_router *xbs_router_new(const struct xbd_config *cfg);
void xbs_router_free(struct xbs_router *r);
/* CFG replaces the old one (reload); queries in flight finish on the old
 * answer. */
void xbs_router_set_config(struct xbs_router *r, const struct xbd_config *cfg);

/*
 * Resolves URI. HINT is the listener the request arrived on, used when a
 * numeric host belongs to no configured peer. Returns 0 when CB will be (or
 * already was) called exactly once; *Q is then NULL if it was called before
 * returning, else a handle for xbs_route_cancel. -errno (CB not called)
 * for a URI that cannot be routed at all.
 */
int xbs_route_lookup(struct xbs_router *r, const osip_uri_t *uri, const struct xbd_listener *hint,
		     xbs_route_cb cb, void *arg, struct xbs_route_query **q);
/* Forgets a pending query: its callback will not be called. */
void xbs_route_cancel(struct xbs_router *r, struct xbs_route_query *q);

/* Fills T for sending to a peer's static next hop (xbd_config_route etc).
 * -ENOENT when the peer's listener does not exist. */
int xbs_target_for_peer(const struct xbd_config *cfg, const struct xbd_peer *p,
			struct xbs_target *t);
/* The configured peer ADDR belongs to, as a target to ADDR:PORT. */
int xbs_target_for_addr(const struct xbd_config *cfg, const struct xb_endpoint *ep,
			enum xbd_transport want, bool want_set, const struct xbd_listener *hint,
			struct xbs_target *t);

#endif
