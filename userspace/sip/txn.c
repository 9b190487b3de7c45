// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <osipparser2/osip_port.h>

#include "common/log.h"
#include "sip/message.h"
#include "sip/txn.h"

struct xbs_txns {
	osip_t *osip;
	struct xb_loop *loop;
	const struct xbs_txn_ops *ops;
	void *arg;
	struct xbs_htab by_key, by_id;
	uint64_t next_id;
	unsigned int count[4];
	int t1, t4;
};

static struct xbs_txn *txn_of(osip_transaction_t *tr)
{
	return tr ? osip_transaction_get_reserved1(tr) : NULL;
}

/* ------------------------------------------------------ libosip2 callbacks */

static int cb_send(osip_transaction_t *tr, osip_message_t *msg, char *host, int port, int sock)
{
	struct xbs_txn *t = txn_of(tr);
	char *buf = NULL;
	size_t len = 0;
	int err;

	(void)host;
	(void)port;
	(void)sock;
	if (!t || !msg)
		return -1;
	if (xbs_msg_to_buf(msg, &buf, &len))
		return -1;
	err = t->set->ops->send(t->set->arg, &t->hop, t->id, buf, len);
	osip_free(buf);
	return err < 0 ? -1 : 0;
}

static void cb_client_response(int type, osip_transaction_t *tr, osip_message_t *msg)
{
	struct xbs_txn *t = txn_of(tr);

	(void)type;
	if (t && !t->dead && msg)
		t->set->ops->client_response(t->set->arg, t, msg);
}

static void cb_client_timeout(int type, osip_transaction_t *tr, osip_message_t *msg)
{
	struct xbs_txn *t = txn_of(tr);

	(void)type;
	(void)msg;
	if (t && !t->dead)
		t->set->ops->client_failed(t->set->arg, t, -ETIMEDOUT);
}

static void cb_kill(int type, osip_transaction_t *tr)
{
	struct xbs_txn *t = txn_of(tr);

	(void)type;
	if (t)
		t->dead = true; /* freed when the event that killed it returns */
}

static void cb_transport_error(int type, osip_transaction_t *tr, int error)
{
	struct xbs_txn *t = txn_of(tr);

	(void)error;
	if (!t || t->dead)
		return;
	if (type == OSIP_ICT_TRANSPORT_ERROR || type == OSIP_NICT_TRANSPORT_ERROR)
		t->set->ops->client_failed(t->set->arg, t, -EHOSTUNREACH);
}

/* ----------------------------------------------------------------- timers */

static int64_t tv_ms_until(const struct timeval *when, const struct timeval *now)
{
	int64_t d = (int64_t)(when->tv_sec - now->tv_sec) * 1000 +
		    ((int64_t)when->tv_usec - (int64_t)now->tv_usec) / 1000;

	/* round up so a timer is never run before it is due */
	if (((int64_t)when->tv_usec - (int64_t)now->tv_usec) % 1000 > 0)
		d++;
	return d;
}

/* The timers state S of kind K uses, as in libosip2's need_timer_x_event
 * conditions, most important first. */
static unsigned int timers_of(struct xbs_txn *t, struct timeval **tv, type_t *ev)
{
	osip_transaction_t *tr = t->tr;
	unsigned int n = 0;

	switch (t->kind) {
	case XBS_ICT:
		if (tr->state == ICT_CALLING) {
			tv[n] = &tr->ict_context->timer_b_start, ev[n++] = TIMEOUT_B;
			tv[n] = &tr->ict_context->timer_a_start, ev[n++] = TIMEOUT_A;
		} else if (tr->state == ICT_COMPLETED) {
			tv[n] = &tr->ict_context->timer_d_start, ev[n++] = TIMEOUT_D;
		}
		break;
	case XBS_NICT:
		if (tr->state == NICT_TRYING || tr->state == NICT_PROCEEDING) {
			tv[n] = &tr->nict_context->timer_f_start, ev[n++] = TIMEOUT_F;
			tv[n] = &tr->nict_context->timer_e_start, ev[n++] = TIMEOUT_E;
		} else if (tr->state == NICT_COMPLETED) {
			tv[n] = &tr->nict_context->timer_k_start, ev[n++] = TIMEOUT_K;
		}
		break;
	case XBS_IST:
		if (tr->state == IST_COMPLETED) {
			tv[n] = &tr->ist_context->timer_h_start, ev[n++] = TIMEOUT_H;
			tv[n] = &tr->ist_context->timer_g_start, ev[n++] = TIMEOUT_G;
		} else if (tr->state == IST_CONFIRMED) {
			tv[n] = &tr->ist_context->timer_i_start, ev[n++] = TIMEOUT_I;
		}
		break;
	case XBS_NIST:
		if (tr->state == NIST_COMPLETED)
			tv[n] = &tr->nist_context->timer_j_start, ev[n++] = TIMEOUT_J;
		break;
	}
	return n;
}

static void txn_destroy(struct xbs_txn *t)
{
	struct xbs_txns *s = t->set;

	xb_timer_cancel(s->loop, &t->timer);
	if (t->key)
		xbs_htab_del(&s->by_key, &t->hkey);
	xbs_htab_del(&s->by_id, &t->hid);
	s->ops->destroyed(s->arg, t);
	s->count[t->kind]--;
	osip_transaction_set_reserved1(t->tr, NULL);
	osip_transaction_free2(t->tr);
	free(t->key);
	free(t);
}

static void txn_rearm(struct xbs_txn *t)
{
	struct timeval *tv[3], now;
	type_t ev[3];
	unsigned int n = timers_of(t, tv, ev), i;
	int64_t best = -1, d;

	osip_gettimeofday(&now, NULL);
	for (i = 0; i < n; i++) {
		if (tv[i]->tv_sec == -1)
			continue;
		d = tv_ms_until(tv[i], &now);
		if (d < 0)
			d = 0;
		if (best < 0 || d < best)
			best = d;
	}
	if (best < 0)
		xb_timer_cancel(t->set->loop, &t->timer);
	else
		xb_timer_arm(t->set->loop, &t->timer, (uint64_t)best);
}

/* Runs one event on T; frees T if it ended and nobody up the stack is
 * still inside it. */
static void txn_event(struct xbs_txn *t, type_t type, osip_message_t *msg)
{
	osip_event_t *e = osip_malloc(sizeof(*e));

	if (!e) {
		osip_message_free(msg);
		return;
	}
	e->type = type;
	e->transactionid = t->tr->transactionid;
	e->sip = msg;
	t->busy++;
	osip_transaction_execute(t->tr, e);
	t->busy--;
	if (t->busy)
		return;
	if (t->dead)
		txn_destroy(t);
	else
		txn_rearm(t);
}

static void txn_timer_cb(struct xb_loop *loop, struct xb_timer *timer, void *arg)
{
	struct xbs_txn *t = arg;
	struct timeval *tv[3], now;
	type_t ev[3];
	unsigned int n, i, rounds;
	bool fired;

	(void)loop;
	(void)timer;
	t->busy++;
	for (rounds = 0; rounds < 4 && !t->dead; rounds++) {
		fired = false;
		osip_gettimeofday(&now, NULL);
		n = timers_of(t, tv, ev);
		for (i = 0; i < n && !t->dead; i++) {
			if (tv[i]->tv_sec == -1 || tv_ms_until(tv[i], &now) > 0)
				continue;
			txn_event(t, ev[i], NULL);
			fired = true;
			break; /* the state may have changed: look again */
		}
		if (!fired)
			break;
	}
	t->busy--;
	if (t->dead)
		txn_destroy(t);
	else
		txn_rearm(t);
}

/* ------------------------------------------------------------------- set */

struct xbs_txns *xbs_txns_new(struct xb_loop *loop, const struct xbs_txn_ops *ops, void *arg)
{
	struct xbs_txns *s = calloc(1, sizeof(*s));
	int i;

	if (!s)
		return NULL;
	xbs_osip_init();
	if (osip_init(&s->osip) != 0 || xbs_htab_init(&s->by_key) || xbs_htab_init(&s->by_id)) {
		xbs_txns_free(s);
		return NULL;
	}
	s->loop = loop;
	s->ops = ops;
	s->arg = arg;
	s->next_id = 1;
	s->t1 = 500;
	s->t4 = 5000;
	osip_set_application_context(s->osip, s);
	osip_set_cb_send_message(s->osip, cb_send);
	for (i = OSIP_ICT_STATUS_1XX_RECEIVED; i <= OSIP_ICT_STATUS_6XX_RECEIVED; i++)
		if (i != OSIP_ICT_STATUS_2XX_RECEIVED_AGAIN)
			osip_set_message_callback(s->osip, i, cb_client_response);
	for (i = OSIP_NICT_STATUS_1XX_RECEIVED; i <= OSIP_NICT_STATUS_6XX_RECEIVED; i++)
		if (i != OSIP_NICT_STATUS_2XX_RECEIVED_AGAIN)
			osip_set_message_callback(s->osip, i, cb_client_response);
	osip_set_message_callback(s->osip, OSIP_ICT_STATUS_TIMEOUT, cb_client_timeout);
	osip_set_message_callback(s->osip, OSIP_NICT_STATUS_TIMEOUT, cb_client_timeout);
	for (i = 0; i < OSIP_KILL_CALLBACK_COUNT; i++)
		osip_set_kill_transaction_callback(s->osip, i, cb_kill);
	for (i = 0; i < OSIP_TRANSPORT_ERROR_CALLBACK_COUNT; i++)
		osip_set_transport_error_callback(s->osip, i, cb_transport_error);
	return s;
}

void xbs_txns_free(struct xbs_txns *s)
{
	struct xbs_hiter it;
	struct xbs_hnode *n;

	if (!s)
		return;
	if (s->by_id.b) {
		xbs_hiter_init(&it, &s->by_id);
		while ((n = xbs_hiter_next(&it)))
			txn_destroy(xbs_container_of(n, struct xbs_txn, hid));
	}
	xbs_htab_free(&s->by_key);
	xbs_htab_free(&s->by_id);
	if (s->osip)
		osip_release(s->osip);
	free(s);
}

void xbs_txns_set_timers(struct xbs_txns *s, const struct xbd_timers *t)
{
	s->t1 = t->t1_ms ? (int)t->t1_ms : 500;
	s->t4 = t->t4_ms ? (int)t->t4_ms : 5000;
}

unsigned int xbs_txns_count(const struct xbs_txns *s, enum xbs_txn_kind kind)
{
	return s->count[kind];
}

/* ------------------------------------------------------------------- keys */

int xbs_txn_server_key(osip_message_t *req, const char *method, char *out, size_t size)
{
	osip_via_t *via = osip_list_get(&req->vias, 0);
	const char *branch, *port, *m = method;
	int n;

	if (!via || !via->host || !req->cseq || !req->cseq->method)
		return -EINVAL;
	if (!m)
		m = !strcmp(req->cseq->method, "ACK") ? "INVITE" : req->cseq->method;
	branch = xbs_via_param(via, "branch");
	port = via->port ? via->port : "5060";
	if (branch && !strncmp(branch, "z9hG4bK", 7)) {
		n = snprintf(out, size, "S|%s|%s:%s|%s", branch, via->host, port, m);
	} else {
		/* RFC 2543 peers: the request's identifying fields (17.2.3) */
		n = snprintf(out, size, "S2|%s@%s|%s|%s|%s|%s:%s|%s",
			     req->call_id && req->call_id->number ? req->call_id->number : "",
			     req->call_id && req->call_id->host ? req->call_id->host : "",
			     xbs_tag(req->from) ? xbs_tag(req->from) : "",
			     req->cseq->number ? req->cseq->number : "", m, via->host, port,
			     branch ? branch : "");
	}
	return n < 0 || (size_t)n >= size ? -E2BIG : 0;
}

void xbs_txn_client_key(const char *branch, const char *method, char *out, size_t size)
{
	snprintf(out, size, "C|%s|%s", branch, method);
}

struct xbs_txn *xbs_txn_find(struct xbs_txns *s, const char *key)
{
	struct xbs_hnode *n = xbs_htab_get(&s->by_key, key);

	return n ? xbs_container_of(n, struct xbs_txn, hkey) : NULL;
}

struct xbs_txn *xbs_txn_by_id(struct xbs_txns *s, uint64_t id)
{
	char k[24];
	struct xbs_hnode *n;

	snprintf(k, sizeof(k), "%" PRIu64, id);
	n = xbs_htab_get(&s->by_id, k);
	return n ? xbs_container_of(n, struct xbs_txn, hid) : NULL;
}

const char *xbs_txn_method(const struct xbs_txn *t)
{
	return t->tr->cseq && t->tr->cseq->method ? t->tr->cseq->method : "";
}

/* ------------------------------------------------------------ lifecycle */

static bool via_reliable(osip_message_t *m)
{
	osip_via_t *via = osip_list_get(&m->vias, 0);

	return via && via->protocol &&
	       (!strcasecmp(via->protocol, "TCP") || !strcasecmp(via->protocol, "TLS"));
}

static void start_in(struct timeval *tv, int ms)
{
	osip_gettimeofday(tv, NULL);
	add_gettimeofday(tv, ms);
}

/* libosip2 starts its timers from compiled-in defaults; use ours. */
static void set_lengths(struct xbs_txns *s, osip_transaction_t *tr, bool reliable)
{
	int t1 = s->t1, t4 = s->t4;

	switch (tr->ctx_type) {
	case ICT:
		tr->ict_context->timer_a_length = t1;
		if (tr->ict_context->timer_a_start.tv_sec != -1)
			start_in(&tr->ict_context->timer_a_start, t1);
		tr->ict_context->timer_b_length = 64 * t1;
		start_in(&tr->ict_context->timer_b_start, 64 * t1);
		tr->ict_context->timer_d_length = reliable ? 0 : 64 * t1;
		break;
	case NICT:
		tr->nict_context->timer_e_length = t1;
		tr->nict_context->timer_k_length = reliable ? 0 : t4;
		tr->nict_context->timer_f_length = 64 * t1;
		start_in(&tr->nict_context->timer_f_start, 64 * t1);
		break;
	case IST:
		tr->ist_context->timer_g_length = reliable ? -1 : t1;
		tr->ist_context->timer_i_length = reliable ? 0 : t4;
		tr->ist_context->timer_h_length = 64 * t1;
		break;
	case NIST:
		tr->nist_context->timer_j_length = reliable ? 0 : 64 * t1;
		break;
	}
}

static struct xbs_txn *txn_alloc(struct xbs_txns *s, osip_fsm_type_t type, osip_message_t *m,
				 const char *key, const struct xbs_hop *hop)
{
	struct xbs_txn *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->key = strdup(key);
	if (!t->key || osip_transaction_init(&t->tr, type, s->osip, m) != 0) {
		free(t->key);
		free(t);
		return NULL;
	}
	/* out of libosip2's linear lists: we match and time transactions */
	osip_remove_transaction(s->osip, t->tr);
	osip_transaction_set_reserved1(t->tr, t);
	set_lengths(s, t->tr, via_reliable(m));
	t->set = s;
	t->id = s->next_id++;
	t->hop = *hop;
	switch (type) {
	case ICT:
		t->kind = XBS_ICT;
		break;
	case IST:
		t->kind = XBS_IST;
		break;
	case NICT:
		t->kind = XBS_NICT;
		break;
	default:
		t->kind = XBS_NIST;
		break;
	}
	s->count[t->kind]++;
	xb_timer_init(&t->timer, txn_timer_cb, t);
	snprintf(t->idkey, sizeof(t->idkey), "%" PRIu64, t->id);
	xbs_htab_add(&s->by_key, &t->hkey, t->key);
	xbs_htab_add(&s->by_id, &t->hid, t->idkey);
	return t;
}

struct xbs_txn *xbs_txn_server_new(struct xbs_txns *s, osip_message_t *req, const char *key,
				   const struct xbs_hop *hop)
{
	bool invite = req->sip_method && !strcmp(req->sip_method, "INVITE");
	struct xbs_txn *t = txn_alloc(s, invite ? IST : NIST, req, key, hop);

	if (!t) {
		osip_message_free(req);
		return NULL;
	}
	txn_event(t, invite ? RCV_REQINVITE : RCV_REQUEST, req);
	return t;
}

void xbs_txn_receive(struct xbs_txn *t, osip_message_t *msg)
{
	type_t type;

	if (MSG_IS_REQUEST(msg)) {
		if (!strcmp(msg->sip_method, "INVITE"))
			type = RCV_REQINVITE;
		else if (!strcmp(msg->sip_method, "ACK"))
			type = RCV_REQACK;
		else
			type = RCV_REQUEST;
	} else if (msg->status_code < 200) {
		type = RCV_STATUS_1XX;
	} else if (msg->status_code < 300) {
		type = RCV_STATUS_2XX;
	} else {
		type = RCV_STATUS_3456XX;
	}
	txn_event(t, type, msg);
}

int xbs_txn_respond(struct xbs_txn *t, osip_message_t *resp)
{
	type_t type;

	if (t->dead || (t->kind != XBS_IST && t->kind != XBS_NIST)) {
		osip_message_free(resp);
		return -EINVAL;
	}
	if (resp->status_code < 200)
		type = SND_STATUS_1XX;
	else if (resp->status_code < 300)
		type = SND_STATUS_2XX;
	else
		type = SND_STATUS_3456XX;
	txn_event(t, type, resp);
	return 0;
}

struct xbs_txn *xbs_txn_client_new(struct xbs_txns *s, osip_message_t *req,
				   const struct xbs_hop *hop, void *owner)
{
	osip_via_t *via = osip_list_get(&req->vias, 0);
	bool invite = req->sip_method && !strcmp(req->sip_method, "INVITE");
	const char *branch = xbs_via_param(via, "branch");
	char key[XBS_TXN_KEY_MAX];
	struct xbs_txn *t;

	if (!branch || !req->sip_method) {
		osip_message_free(req);
		return NULL;
	}
	xbs_txn_client_key(branch, req->sip_method, key, sizeof(key));
	t = txn_alloc(s, invite ? ICT : NICT, req, key, hop);
	if (!t) {
		osip_message_free(req);
		return NULL;
	}
	t->owner = owner;
	t->busy++;
	txn_event(t, invite ? SND_REQINVITE : SND_REQUEST, req);
	t->busy--;
	if (t->dead) {
		/* the send failed: client_failed has been called */
		txn_destroy(t);
		return NULL;
	}
	txn_rearm(t);
	return t;
}

void xbs_txn_kill(struct xbs_txn *t)
{
	t->dead = true;
	if (!t->busy)
		txn_destroy(t);
}
