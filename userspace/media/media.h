/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The media API between the SBE and the DBE, with rtpengine's ng
 * semantics: offer, answer, delete, query. In the integrated model xborderd
 * calls these functions directly; the decomposed model carries the same
 * requests over the ng protocol.
 *
 * A call (Call-ID) has one monologue per party, named by its tag. An offer
 * carries the SDP of the party FROM_TAG, arriving on interface FROM.iface
 * and leaving toward the other party on TO.iface; the answer carries the
 * other party's SDP back. For each media section the DBE allocates an
 * RTP/RTCP port pair on each of the two interfaces, rewrites c=, m= and
 * a=rtcp to them, drops ICE candidates, and installs one fast-path stream
 * per direction (and per RTCP port unless rtcp-mux) once it knows where that
 * direction's packets must go. Re-offers update the streams in place
 * (hold, address change, sections added or removed, port 0). Each side's
 * srtp policy decides SDES bridging: a=crypto and the RTP profile
 * rewritten, keys generated, SRTP contexts installed in the userspace
 * relay and xborder.ko (media/srtp.c).
 */
#ifndef XB_MEDIA_H
#define XB_MEDIA_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "evloop/evloop.h"

struct xbm;

struct xbm_opts {
	struct xb_loop *loop;
	const struct xbd_config *cfg;
	/* Called when every stream of a call has been silent for
	 * cfg->timers.media_timeout_s; the SBE ends the call. */
	void (*on_dead)(void *arg, const char *call_id);
	void *arg;
};

struct xbm *xbm_new(const struct xbm_opts *opts);
/*
 * Opens (or adopts) the pinned fast path, attaches XDP to the media
 * interfaces that ask for it, binds the userspace relay, and reconciles with
 * the saved state in cfg->state_dir: calls whose streams are still pinned
 * are adopted with their ports; orphan streams are removed.
 */
int xbm_start(struct xbm *m);
/* KEEP_MEDIA: leave streams and state in place for a restart. */
void xbm_free(struct xbm *m, bool keep_media);
/* The configuration changed (reload): new port ranges apply to new calls. */
int xbm_reconfigure(struct xbm *m, const struct xbd_config *cfg);

struct xbm_side {
	const char *iface; /* media interface name from the configuration */
	bool latch;	   /* symmetric RTP: learn this side's real source */
	/* SRTP (SDES) toward this side; 0, XBD_SRTP_PASS, leaves a=crypto
	 * alone (Documentation/media.md, SRTP) */
	enum xbd_srtp_policy srtp;
};

struct xbm_req {
	const char *call_id;
	const char *from_tag; /* the party whose SDP this is */
	const char *to_tag;   /* the other party, NULL if not known yet */
	const char *sdp;
	size_t sdp_len;
	struct xbm_side from; /* where this SDP came from */
	struct xbm_side to;   /* where it goes */
};

/*
 * Rewrites REQ->sdp; *OUT (malloc'd, NUL-terminated, *OUT_LEN bytes) is the
 * SDP to forward. -errno with xb_errmsg(): -EBADMSG for SDP that cannot be
 * parsed (the SBE answers 488), -ENOSPC when no port or stream slot is
 * free (503), -ENOENT for an answer with no offer.
 */
int xbm_offer(struct xbm *m, const struct xbm_req *req, char **out, size_t *out_len);
int xbm_answer(struct xbm *m, const struct xbm_req *req, char **out, size_t *out_len);
/* Removes the call (TAG NULL) or one party's monologue; -ENOENT if unknown. */
int xbm_delete(struct xbm *m, const char *call_id, const char *tag);
/* The call's streams with their counters, or NULL if unknown. */
json_t *xbm_query(struct xbm *m, const char *call_id);
unsigned int xbm_call_count(const struct xbm *m);
json_t *xbm_stats(const struct xbm *m);

#endif
