/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SIP transactions (RFC 3261 section 17) on libosip2's four state
 * machines (ICT, IST, NICT, NIST), driven by our event loop.
 *
 * What libosip2 leaves to the application is done here:
 *  - matching: transactions live in our hash tables keyed by branch,
 *    sent-by and method (17.1.3, 17.2.3); they are taken out of libosip2's
 *    linear lists right after creation, and events go straight to
 *    osip_transaction_execute(), so nothing is O(number of transactions);
 *  - timers: each transaction has an xb_timer armed at the earliest of the
 *    libosip2 timers its state uses (the same conditions as libosip2's
 *    __osip_*_need_timer_*_event), firing TIMEOUT_x events; the timer
 *    lengths come from the configuration (T1, T4) instead of libosip2's
 *    compiled-in defaults (T2, the retransmission cap, stays libosip2's
 *    4 s: its FSM reads the constant);
 *  - sending: libosip2's send callback serialises and hands the bytes to
 *    the proxy with the transaction's hop (listener, address, connection).
 */
#ifndef XB_SIP_TXN_H
#define XB_SIP_TXN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/time.h>
#include <time.h>

#include <osip2/osip.h>

#include "common/addr.h"
#include "config/config.h"
#include "evloop/evloop.h"
#include "sip/htab.h"

enum xbs_txn_kind { XBS_IST, XBS_NIST, XBS_ICT, XBS_NICT };

/* The other end of a transaction: where its messages go. */
struct xbs_hop {
	const struct xbd_listener *listener;
	enum xbd_transport transport;
	struct xb_endpoint addr;
	uint64_t conn_id; /* TCP connection to reuse, 0 for any */
};

struct xbs_txn;
struct xbs_txns;

struct xbs_txn_ops {
	/* A response arrived on client transaction T (1xx to 6xx), accepted by
	 * its state machine; MSG belongs to the transaction. */
	void (*client_response)(void *arg, struct xbs_txn *t, osip_message_t *msg);
	/* Client transaction T gave up without a final response: -ETIMEDOUT
	 * (timer B or F) or a transport error. */
	void (*client_failed)(void *arg, struct xbs_txn *t, int err);
	/* T is about to be freed: drop every pointer to it. */
	void (*destroyed)(void *arg, struct xbs_txn *t);
	/* Sends BUF to HOP; TAG identifies T in transport errors. */
	int (*send)(void *arg, const struct xbs_hop *hop, uint64_t tag, const char *buf,
		    size_t len);
};

struct xbs_txn {
	struct xbs_hnode hkey, hid;
	char *key;
	char idkey[24];
	uint64_t id;
	enum xbs_txn_kind kind;
	osip_transaction_t *tr;
	struct xbs_txns *set;
	struct xb_timer timer;
	struct xbs_hop hop;
	unsigned int busy;
	bool dead;
	void *owner; /* the proxy's context for this transaction */
};

#define XBS_TXN_KEY_MAX 1024

struct xbs_txns *xbs_txns_new(struct xb_loop *loop, const struct xbs_txn_ops *ops, void *arg);
void xbs_txns_free(struct xbs_txns *s);
void xbs_txns_set_timers(struct xbs_txns *s, const struct xbd_timers *t);
unsigned int xbs_txns_count(const struct xbs_txns *s, enum xbs_txn_kind kind);

/* Server transaction key of REQ as if its method were METHOD (NULL: its
 * own, ACK counting as INVITE). -EINVAL when REQ has no top Via. */
int xbs_txn_server_key(osip_message_t *req, const char *method, char *out, size_t size);
/* Client transaction key for our BRANCH and METHOD. */
void xbs_txn_client_key(const char *branch, const char *method, char *out, size_t size);
struct xbs_txn *xbs_txn_find(struct xbs_txns *s, const char *key);
struct xbs_txn *xbs_txn_by_id(struct xbs_txns *s, uint64_t id);

/* A new server transaction for REQ (owned by it from now on), which came
 * from HOP (responses go there). NULL on failure (REQ is then freed). */
struct xbs_txn *xbs_txn_server_new(struct xbs_txns *s, osip_message_t *req, const char *key,
				   const struct xbs_hop *hop);
/* Feeds a received message (request retransmission, ACK, or response) to
 * T; MSG is owned by T or freed. */
void xbs_txn_receive(struct xbs_txn *t, osip_message_t *msg);
/* Sends RESP (owned from now on) through server transaction T. */
int xbs_txn_respond(struct xbs_txn *t, osip_message_t *resp);
/* A new client transaction sending REQ (owned from now on; its top Via
 * carries our branch) to HOP, with OWNER set before anything is sent.
 * NULL when it could not be created, or when the first send failed (then
 * client_failed has already been called for it). */
struct xbs_txn *xbs_txn_client_new(struct xbs_txns *s, osip_message_t *req,
				   const struct xbs_hop *hop, void *owner);
/* Ends T at once (no more messages, no callbacks but destroyed). */
void xbs_txn_kill(struct xbs_txn *t);

/* The method of T's request ("INVITE", ...). */
const char *xbs_txn_method(const struct xbs_txn *t);

#endif
