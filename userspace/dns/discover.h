/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Discovery as the configuration says (seed 000 §4, §7, §9.1): from a
 * Request-URI to the ordered targets, choosing per peer between
 *
 *   static      the peer's next_hop, no DNS
 *   federation  the federation's central proxy, no DNS; or, for a
 *               TLS-based federation, the default lookups (and the
 *               federation's certificate, for the TLS issue)
 *   dns         RFC 3263 (sip_locate.h)
 *   enum        ENUM on the number (tel: URIs, user=phone), then the
 *               resulting URI routed once more
 *
 * Without a configuration, tel: and user=phone URIs go through ENUM and
 * everything else through RFC 3263. `xborderctl route lookup` prints what
 * this does; the proxy will call it to route requests.
 */
#ifndef XB_DNS_DISCOVER_H
#define XB_DNS_DISCOVER_H

#include "config/config.h"
#include "dns/enum.h"
#include "dns/sip_locate.h"

struct xb_discovery {
	struct xb_targets *targets; /* owned; targets->n == 0: see its error */
	char uri[XB_ENUM_URI_MAX];  /* the URI finally located (after ENUM) */
	bool has_peer;
	char peer[XBD_NAME_MAX]; /* the configured peer that decided */
	enum xbd_discovery method;
	char federation[XBD_NAME_MAX]; /* "" unless through a federation */
	char tls_cert[XBD_NAME_MAX];   /* the federation's, for the TLS issue */
};

struct xb_discover;
/* D belongs to the callee: xb_discovery_free. */
typedef void (*xb_discover_cb)(struct xb_discovery *d, void *arg);

/*
 * Start discovery for URI with CFG's peers, federations and ENUM apex (CFG
 * may be NULL; it must outlive the lookup; APEX, if not NULL, replaces the
 * ENUM apex). OPTS as for xb_locate (with a
 * configuration, transports and family follow the peer's listener unless
 * OPTS sets them). Called back once from the loop; -errno without callback
 * for a URI that cannot be parsed.
 */
int xb_discover(struct xb_resolver *r, const struct xbd_config *cfg, const char *apex,
		const char *uri, const struct xb_locate_opts *opts, xb_discover_cb cb, void *arg,
		struct xb_discover **out);
void xb_discover_cancel(struct xb_discover *d);
void xb_discovery_free(struct xb_discovery *d);

#endif
