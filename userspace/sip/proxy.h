/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The stateful SIP proxy of xborderd (RFC 3261 section 16, RFC 6026) with
 * the integrated model's media anchoring: every request and response goes
 * through xbs_proxy_receive(); transactions run on libosip2's state
 * machines (sip/txn.h); next hops come from sip/route.h (static peers,
 * or discovery by DNS and ENUM, with failover between the targets and
 * redirects of federation proxies followed); calls (dialogs)
 * are tracked so the border can list them, end them with BYE both ways,
 * and drive the media layer on every offer and answer.
 *
 * Single-threaded, on the controller's event loop; nothing here blocks.
 */
#ifndef XB_SIP_PROXY_H
#define XB_SIP_PROXY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "evloop/evloop.h"
#include "media/media.h"
#include "sip/transport.h"

struct xbs_proxy;
struct xb_resolver;

/* Sends LEN bytes from listener FROM to DEST (xbs_send's contract). */
typedef int (*xbs_send_fn)(void *arg, const struct xbd_listener *from,
			   const struct xb_endpoint *dest, uint64_t conn_id, uint64_t tag,
			   const char *msg, size_t len);

/* The media layer as the proxy uses it: media.h's functions, or a fake in
 * tests. ARG is what the functions get (struct xbm * for the real one). */
struct xbs_media_ops {
	int (*offer)(void *arg, const struct xbm_req *req, char **out, size_t *out_len);
	int (*answer)(void *arg, const struct xbm_req *req, char **out, size_t *out_len);
	int (*del)(void *arg, const char *call_id, const char *tag);
	json_t *(*query)(void *arg, const char *call_id);
};
/* The real media layer: ARG is a struct xbm *. */
extern const struct xbs_media_ops xbs_media_xbm;

struct xbs_proxy_opts {
	struct xb_loop *loop;
	const struct xbd_config *cfg;
	xbs_send_fn send; /* required */
	void *send_arg;
	const struct xbs_media_ops *media; /* NULL: SDP never touched */
	void *media_arg;
	/* Keep established calls in cfg->state_dir/calls.json and load them
	 * on start (a restart keeps listing and ending them). */
	bool persist;
	/* DNS for discovery (RFC 3263, ENUM, TLS federations); NULL: static
	 * routing only. Must outlive the proxy. */
	struct xb_resolver *resolver;
};

struct xbs_proxy *xbs_proxy_new(const struct xbs_proxy_opts *opts);
/* Saves the call table (when persisting) and frees everything; no SIP is
 * sent (calls stay up across a restart). */
void xbs_proxy_free(struct xbs_proxy *p);

/*
 * The receive path: one complete message (LEN bytes, not NUL-terminated)
 * from SRC. Hostile input is expected: anything unparseable is answered
 * 400 (with the reason) when a response can be built, else dropped and
 * counted. Also the fuzz target's entry point.
 */
void xbs_proxy_receive(struct xbs_proxy *p, const char *msg, size_t len,
		       const struct xbs_source *src);
/* The transport's error_cb: a send tagged TAG failed later. */
void xbs_proxy_transport_error(struct xbs_proxy *p, const struct xb_endpoint *dest,
			       enum xbd_transport t, uint64_t tag, int err);
/* The configuration was reloaded; CFG is the one now in force. */
void xbs_proxy_set_config(struct xbs_proxy *p, const struct xbd_config *cfg);
/* The media layer's on_dead: the call's media stopped; end it. */
void xbs_proxy_media_dead(struct xbs_proxy *p, const char *call_id);

/* Control socket shapes of Documentation/xborderctl-daemon.md. */
json_t *xbs_proxy_call_list(struct xbs_proxy *p);
/* ID: the decimal call number or a Call-ID. NULL when unknown. */
json_t *xbs_proxy_call_show(struct xbs_proxy *p, const char *id);
/* Ends the call (BYE both ways, or CANCEL/487 before it is answered).
 * NULL when unknown. */
json_t *xbs_proxy_call_end(struct xbs_proxy *p, const char *id);
json_t *xbs_proxy_peer_list(struct xbs_proxy *p);
json_t *xbs_proxy_stats(struct xbs_proxy *p);
unsigned int xbs_proxy_call_count(const struct xbs_proxy *p);
/* Transactions and response contexts alive (tests: nothing leaks). */
unsigned int xbs_proxy_txn_count(const struct xbs_proxy *p);

#endif
