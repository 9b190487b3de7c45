// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Media anchoring hooks (integrated model): every SDP offer and answer of
 * an anchored call goes through the media layer (media.h, rtpengine's ng
 * semantics), which rewrites it to the relay's addresses and installs the
 * fast-path streams. Who offered is tracked per call, so an SDP is an
 * answer only when the other side has an offer outstanding: offers in
 * INVITE, re-INVITE, UPDATE, and (late offer) in the 2xx; answers in
 * 18x/2xx, ACK, PRACK or the UPDATE's 2xx.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "sip/proxy_internal.h"

static int xbm_offer_op(void *arg, const struct xbm_req *req, char **out, size_t *out_len)
{
	return xbm_offer(arg, req, out, out_len);
}

static int xbm_answer_op(void *arg, const struct xbm_req *req, char **out, size_t *out_len)
{
	return xbm_answer(arg, req, out, out_len);
}

static int xbm_del_op(void *arg, const char *call_id, const char *tag)
{
	return xbm_delete(arg, call_id, tag);
}

static json_t *xbm_query_op(void *arg, const char *call_id)
{
	return xbm_query(arg, call_id);
}

const struct xbs_media_ops xbs_media_xbm = {
	.offer = xbm_offer_op,
	.answer = xbm_answer_op,
	.del = xbm_del_op,
	.query = xbm_query_op,
};

/* The SRTP policy of a side's peer (the running configuration's); a
 * side that is no configured peer is left alone (pass). */
static enum xbd_srtp_policy side_srtp(const struct xbs_proxy *p, const struct xbs_side *s)
{
	const struct xbd_peer *peer = p->cfg && s->peer[0] ? xbd_config_peer(p->cfg, s->peer)
							   : NULL;

	return peer ? peer->srtp : XBD_SRTP_PASS;
}

int xbs_media_sdp(struct xbs_proxy *p, struct xbs_call *c, osip_message_t *m, int from_side,
		  bool request)
{
	int to_side = 1 - from_side, err;
	const char *sdp;
	size_t len, out_len = 0;
	char *out = NULL;
	bool answer;
	struct xbm_req req;

	if (!c || !c->relay || !p->media || from_side < 0 || from_side > 1)
		return 0;
	if (!request && (m->status_code < 101 || m->status_code >= 300))
		return 0; /* SDP in 100 or in failures means nothing */
	if (!xbs_msg_sdp(m, &sdp, &len))
		return 0;
	answer = c->offer_side == to_side;
	req = (struct xbm_req){
		.call_id = c->call_id,
		.from_tag = c->side[from_side].tag ? c->side[from_side].tag : "",
		.to_tag = c->side[to_side].tag && *c->side[to_side].tag ? c->side[to_side].tag
									: NULL,
		.sdp = sdp,
		.sdp_len = len,
		.from = { .iface = c->side[from_side].media, .latch = c->side[from_side].latch },
		.to = { .iface = c->side[to_side].media, .latch = c->side[to_side].latch },
	};
	req.from.srtp = side_srtp(p, &c->side[from_side]);
	req.to.srtp = side_srtp(p, &c->side[to_side]);
	xb_err_clear();
	err = answer ? p->media->answer(p->media_arg, &req, &out, &out_len)
		     : p->media->offer(p->media_arg, &req, &out, &out_len);
	if (err) {
		p->st.media_errors++;
		xb_log(XB_LOG_WARN, "call %llu: media %s from the %s failed: %s",
		       (unsigned long long)c->id, answer ? "answer" : "offer",
		       from_side ? "callee" : "caller", xb_errmsg());
		if (err == -EBADMSG || err == -ENOENT || err == -EINVAL)
			return 488;
		if (err == -ENOSPC)
			return 503;
		return 500;
	}
	c->media_used = true;
	if (out && xbs_msg_set_sdp(m, out, out_len)) {
		free(out);
		return 500;
	}
	free(out);
	if (!answer)
		c->offer_side = from_side;
	else if (request || m->status_code >= 200)
		c->offer_side = -1; /* 18x answers are repeated in the 2xx */
	return 0;
}
