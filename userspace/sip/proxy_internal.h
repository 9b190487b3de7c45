/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared between the proxy's files (proxy*.c, call.c); not an API. */
#ifndef XB_SIP_PROXY_INTERNAL_H
#define XB_SIP_PROXY_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "sip/branch.h"
#include "sip/htab.h"
#include "sip/message.h"
#include "sip/proxy.h"
#include "sip/route.h"
#include "sip/txn.h"

#define XBS_MAX_ROUTES 16 /* route set entries kept per call side */
#define XBS_TAG_MAX 128	  /* longest From/To tag accepted */

enum xbs_call_state {
	XBS_CALL_CALLING,     /* INVITE forwarded, no reply yet */
	XBS_CALL_PROCEEDING,  /* 1xx seen */
	XBS_CALL_ESTABLISHED, /* 2xx */
	XBS_CALL_ENDING,      /* BYE or CANCEL in progress */
};

/* One party of a call as the proxy sees it. Side 0 is the caller (where the
 * initial INVITE came from), side 1 the callee. */
struct xbs_side {
	char *tag;		      /* From tag of the caller, To tag of the callee */
	char *hdr;		      /* its From (caller) or To (callee) header, with tag */
	char *uri;		      /* the URI of that header (display) */
	char *contact;		      /* remote target */
	char *routes[XBS_MAX_ROUTES]; /* route set from us toward it */
	unsigned int n_routes;
	uint32_t cseq; /* highest CSeq of its requests */
	bool cseq_known;
	const struct xbd_listener *listener; /* ours, facing it */
	struct xb_endpoint addr;	     /* where its messages came from / went */
	uint64_t conn_id;
	char peer[XBD_NAME_MAX]; /* configured peer, "" if none */
	char media[XBD_NAME_MAX];
	enum xbd_media_mode mode;
	bool latch;
};

struct xbs_call {
	struct xbs_hnode hn_key, hn_cid, hn_id;
	char *key; /* Call-ID "|" caller tag */
	char idkey[24];
	uint64_t id;
	char *call_id;
	enum xbs_call_state state;
	struct xbs_side side[2];
	bool relay;	 /* media anchored through the DBE */
	bool media_used; /* the media layer knows the call */
	int offer_side;	 /* side with an outstanding SDP offer, -1 none */
	time_t created;
	uint64_t established_ns;
	bool adopted;		 /* loaded from the state file after a restart */
	struct xbs_rctx *invite; /* the initial INVITE's context while pending */
	char *end_cause;
};

/* A response context (RFC 3261 16.7): the server transaction a request
 * came in on and the client transaction it went out on. */
struct xbs_rctx {
	struct xbs_proxy *p;
	struct xbs_txn *stx, *ctx;
	struct xbs_hop up;	  /* where responses go (copy of stx->hop) */
	struct xbs_target target; /* where the request went */
	bool has_target;
	char *call_key; /* the call it belongs to ("" none) */
	int dir;	/* side the request came from, -1 none */
	char method[16];
	bool initial; /* dialog-creating INVITE */
	bool final_sent, got_provisional, cancel_pending, cancelled, cancel_sent;
	bool accepted; /* RFC 6026: 2xx forwarded, absorbing retransmissions */
	struct xb_timer timer_c, timer_l;
	char *skey, *ckey; /* accepted-state keys */
	struct xbs_hnode hn_s, hn_c;
	char *ok_buf; /* the 2xx we forwarded, for its retransmissions */
	size_t ok_len;
	char *ok_totag;
	/* the request as forwarded, before Record-Route and our Via: each
	 * attempt (target) sends a copy of it (proxy_forward.c) */
	osip_message_t *base;
	struct xbs_route *route;    /* the targets (RFC 3263 failover) */
	struct xbs_route_query *rq; /* a lookup in flight */
	bool by_ruri;		    /* routed by the Request-URI: ENUM retargets it */
	bool media_done;	    /* base's SDP went through the media layer */
	bool redirect;		    /* arrived on a redirect listener: answer 302 */
	bool got_early;		    /* a provisional above 100: no failover (INVITE) */
	bool in_attempt;	    /* inside xbs_txn_client_new */
	int attempt_err;	    /* a send that failed in there */
	unsigned int attempts;	    /* client transactions started */
	unsigned int redirects;	    /* 3xx followed */
	int fail_code;		    /* the answer if no target is left */
	char fail_reason[XBS_REASON_MAX];
	unsigned int hold; /* code up the stack still uses it */
};

struct xbs_peer_state {
	struct xbs_hnode hn;
	char name[XBD_NAME_MAX];
	int state; /* 0 unknown, 1 up, -1 down */
	uint64_t last_ns;
};

struct xbs_stats {
	uint64_t requests_in, responses_in, dropped, parse_errors, errors_sent;
	uint64_t forwarded_requests, forwarded_responses, stateless_forwards;
	uint64_t retransmissions_absorbed, loops, calls_total, calls_failed;
	uint64_t media_errors, byes_sent, cancels_sent;
	uint64_t failovers, redirects_followed, redirects_sent;
};

struct xbs_proxy {
	struct xb_loop *loop;
	const struct xbd_config *cfg;
	xbs_send_fn send;
	void *send_arg;
	const struct xbs_media_ops *media;
	void *media_arg;
	bool persist;
	struct xbs_txns *txns;
	struct xbs_router *router;
	struct xb_resolver *resolver; /* not owned; NULL: static routing only */
	struct xbs_htab calls_key, calls_cid, calls_id;
	struct xbs_htab accepted_s, accepted_c;
	struct xbs_htab peers;
	unsigned int n_calls, n_rctx;
	uint64_t next_call_id;
	struct xb_timer save_timer;
	bool dirty;
	uint64_t started_ns;
	struct xbs_stats st;
};

/* proxy.c */
bool xbs_is_us(struct xbs_proxy *p, const char *host, const char *port);
void xbs_via_for(const struct xbd_listener *l, char *host, size_t hsize, char *port, size_t psize);
int xbs_add_via(osip_message_t *m, const struct xbd_listener *l, const char *branch);
int xbs_send_msg(struct xbs_proxy *p, const struct xbs_hop *hop, osip_message_t *m);
/* Every byte the proxy sends goes through here (debug log, then send). */
int xbs_proxy_send_raw(struct xbs_proxy *p, const struct xbd_listener *from,
		       const struct xb_endpoint *dest, uint64_t conn_id, uint64_t tag,
		       const char *buf, size_t len);
void xbs_respond(struct xbs_proxy *p, struct xbs_rctx *r, int code, const char *reason);
/* The same with a Contact header (a redirect's target). */
void xbs_respond_contact(struct xbs_proxy *p, struct xbs_rctx *r, int code, const char *reason,
			 const char *contact);
void xbs_rctx_maybe_free(struct xbs_rctx *r);
struct xbs_rctx *xbs_rctx_new(struct xbs_proxy *p);
void xbs_peer_seen(struct xbs_proxy *p, const char *name, bool up);
void xbs_local_request(struct xbs_proxy *p, osip_message_t *m, const struct xbd_listener *hint);
void xbs_send_cancel(struct xbs_proxy *p, struct xbs_rctx *r);
/* Removes the call of R's dialog-creating request after it failed. */
void xbs_fail_initial(struct xbs_proxy *p, struct xbs_rctx *r, int code, const char *reason);
void xbs_rctx_release(struct xbs_rctx *r);

/* proxy_forward.c: targets, attempts, failover, redirects */
/* Looks up the next hop for FWD (owned by R from now on) from URI (its
 * top Route, or its Request-URI), then forwards it. */
void xbs_route_request(struct xbs_proxy *p, struct xbs_rctx *r, osip_message_t *fwd,
		       osip_uri_t *uri);
/* R's client transaction T failed (ERR: -ETIMEDOUT or a transport
 * error) or answered 503 (ERR 0): true when another target was tried,
 * false when the caller must answer upstream itself. */
bool xbs_failover(struct xbs_proxy *p, struct xbs_rctx *r, struct xbs_txn *t, int err);
/* A 3xx on T from a federation's proxy (or a redirect it led to): true
 * when it was followed (or answered), false when it goes up as usual. */
bool xbs_follow_redirect(struct xbs_proxy *p, struct xbs_rctx *r, struct xbs_txn *t,
			 osip_message_t *msg);
/* Frees what only further attempts would need. */
void xbs_rctx_done_routing(struct xbs_rctx *r);

/* proxy_response.c */
void xbs_handle_response(struct xbs_proxy *p, osip_message_t *m, const struct xbs_source *src);
extern const struct xbs_txn_ops xbs_proxy_txn_ops;
void xbs_timer_c_cb(struct xb_loop *loop, struct xb_timer *t, void *arg);
void xbs_timer_l_cb(struct xb_loop *loop, struct xb_timer *t, void *arg);

/* call.c */
int xbs_calls_init(struct xbs_proxy *p);
void xbs_calls_free(struct xbs_proxy *p);
struct xbs_call *xbs_call_new(struct xbs_proxy *p, const char *call_id, const char *tag);
/* The call a message with these Call-ID and tags belongs to; *DIR is the
 * side whose tag is FROM_TAG (0 caller, 1 callee). */
struct xbs_call *xbs_call_find(struct xbs_proxy *p, const char *call_id, const char *from_tag,
			       const char *to_tag, int *dir);
struct xbs_call *xbs_call_by_key(struct xbs_proxy *p, const char *key);
/* Removes and frees C (media deleted, teardown logged with CAUSE). */
void xbs_call_remove(struct xbs_proxy *p, struct xbs_call *c, const char *cause);
/* BYE both ways (or CANCEL/487 before answer), then removal. */
void xbs_call_end(struct xbs_proxy *p, struct xbs_call *c, const char *cause);
void xbs_call_established(struct xbs_proxy *p, struct xbs_call *c);
/* Sends an in-dialog METHOD (BYE, ACK) with CSEQ toward side S of C, as
 * if from the other side. */
int xbs_call_request(struct xbs_proxy *p, struct xbs_call *c, int s, const char *method,
		     uint32_t cseq);
void xbs_call_set_routes(struct xbs_side *s, osip_list_t *rr, int from, int to, bool reverse);
int xbs_side_set(char **dst, const char *src);
void xbs_calls_dirty(struct xbs_proxy *p);
int xbs_calls_load(struct xbs_proxy *p);
int xbs_calls_save(struct xbs_proxy *p);

/* proxy_media.c: 0, or the SIP status to answer (488, 503, 500). */
int xbs_media_sdp(struct xbs_proxy *p, struct xbs_call *c, osip_message_t *m, int from_side,
		  bool request);

#endif
