/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internals of the media API (media.h), shared by its files only. The model
 * and the stream layout are described in Documentation/media.md.
 *
 * A call has two parties (0: whoever sent the first offer, 1: the other
 * one), each on one media interface. Every media section has one leg per
 * party: the relay RTP port on that party's interface (RTCP is port + 1),
 * what that party's last SDP said about the section, and the ids of the
 * streams keyed at the leg's ports (packets FROM that party).
 */
#ifndef XB_MEDIA_INTERNAL_H
#define XB_MEDIA_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "common/addr.h"
#include "config/config.h"
#include "evloop/evloop.h"
#include "fastpath/fastpath.h"
#include "media/media.h"
#include "relay/relay.h"
#include "sdp/sdp.h"

#define XBM_ID_MAX 256 /* Call-ID and tag length we accept */
#define XBM_STATE_FILE "media.json"
#define XBM_STATE_VERSION 1
#define XBM_SAVE_DELAY_MS 100 /* state writes are coalesced this long */
#define XBM_RELAY_SYNC_MS 20  /* relay re-reads streams this soon after a change */

/* A media interface as a call uses it (copied, so a reload cannot pull it
 * from under an established call). */
struct xbm_iface {
	char name[XBD_NAME_MAX];
	struct xb_addr addr;	  /* relay address: stream keys and sources */
	struct xb_addr advertise; /* what SDP says (addr unless static NAT) */
	int ifindex;		  /* 0: no device (userspace relay only) */
	bool xdp;		  /* our XDP program runs on the device */
};

/* Port pairs of one interface: bit i = RTP port base + 2i in use. */
struct xbm_pool {
	char name[XBD_NAME_MAX];
	uint16_t base;	 /* first (even) RTP port */
	uint32_t npairs; /* RTP/RTCP pairs in the range */
	uint32_t used;
	uint32_t cursor; /* next-fit: freed ports are not reused at once */
	uint8_t *bitmap;
};

/* What one party's SDP says about one section. */
struct xbm_sdp_ep {
	bool have;	    /* this party has sent SDP for the section */
	uint16_t sdp_port;  /* m= port (0: rejected/disabled) */
	struct xb_addr rtp; /* where it wants RTP */
	uint16_t rtp_port;
	struct xb_addr rtcp; /* where it wants RTCP */
	uint16_t rtcp_port;  /* 0: nowhere */
	bool mux;
	bool zero;   /* 0.0.0.0: hold, send nothing */
	uint8_t dir; /* enum xb_sdp_dir */
};

enum xbm_kind {
	XBM_RTP,
	XBM_RTCP,
	XBM_KINDS,
};

/* An SDES key (RFC 4568) of one direction of a leg. */
struct xbm_sdes {
	bool have;
	uint32_t tag;	/* the a=crypto tag it was offered or answered with */
	uint16_t suite; /* enum xborder_srtp_suite */
	uint8_t key[XBORDER_SRTP_KEY_LEN];
	uint8_t salt[XBORDER_SRTP_SALT_LEN];
};

enum xbm_ctx_dir {
	XBM_CTX_IN,  /* unprotect what the party sends (its key) */
	XBM_CTX_OUT, /* protect what we send the party (our key) */
	XBM_CTX_DIRS,
};

/* SRTP of one leg: set when the party's media is SRTP the relay ends. */
struct xbm_leg_srtp {
	bool on;
	struct xbm_sdes theirs;	    /* from the party's SDP: XBM_CTX_IN */
	struct xbm_sdes ours;	    /* in the SDP we send it: XBM_CTX_OUT */
	uint32_t ctx[XBM_CTX_DIRS]; /* installed context ids, 0 none */
	bool stale[XBM_CTX_DIRS];   /* key changed since: replace it */
	bool module[XBM_CTX_DIRS];  /* also in xborder.ko */
};

struct xbm_leg {
	uint16_t port; /* relay RTP port on the party's interface; 0: none */
	struct xbm_sdp_ep sdp;
	uint32_t id[XBM_KINDS];	  /* stream ids (stats_idx) keyed at port, port+1; 0 = none */
	uint64_t seen[XBM_KINDS]; /* packets + drops at the last media check */
	struct xbm_leg_srtp srtp;
};

enum xbm_sec_state {
	XBM_SEC_UNUSED,	     /* never offered (or removed) */
	XBM_SEC_ACTIVE,	     /* relayed: ports allocated */
	XBM_SEC_OFF,	     /* port 0: no ports, no streams */
	XBM_SEC_PASSTHROUGH, /* transport the relay cannot carry (TCP) */
};

/* What the section's SDP crypto gets (media/srtp.c). */
enum xbm_crypto {
	XBM_CRYPTO_KEEP,   /* untouched: a pass side, SRTP end to end, not RTP */
	XBM_CRYPTO_PLAIN,  /* RTP both sides: a=crypto removed */
	XBM_CRYPTO_BRIDGE, /* one leg SRTP (srtp.on), the other RTP */
};

struct xbm_section {
	uint8_t state;	/* enum xbm_sec_state */
	uint8_t crypto; /* enum xbm_crypto */
	bool rtp;	/* an RTP profile: RTCP streams, XB_F_RTP */
	char type[16];
	char proto[24];
	struct xbm_leg leg[2];
};

struct xbm_party {
	char *tag; /* NULL until known */
	struct xbm_iface iface;
	bool latch;
	uint8_t srtp; /* enum xbd_srtp_policy toward it */
};

struct xbm_call {
	char *call_id;
	struct xbm_call *next; /* hash chain */
	struct xbm_party party[2];
	unsigned int n_sections;
	struct xbm_section sec[XB_SDP_MAX_MEDIA];
	int offer_from; /* party of the last offer, -1 none */
	bool answered;	/* confirmed: the media timeout applies */
	uint64_t created_ns;
	uint64_t ref_ns;    /* last offer/answer: silence is counted from here */
	uint64_t active_ns; /* last media seen by a check */
};

struct xbm_counters {
	uint64_t offers, answers, deletes, timeouts, errors, adopted, orphans;
	uint64_t srtp_installs, srtp_removes, srtp_module_errors;
};

/* SRTP context ids in use (open addressing; 0 empty, 1 deleted). */
struct xbm_idset {
	uint32_t *slot;
	size_t cap, used, n;
};

struct xb_srtp_nl;
struct xb_srtp_params;

struct xbm {
	struct xb_loop *loop;
	const struct xbd_config *cfg;
	void (*on_dead)(void *arg, const char *call_id);
	void *arg;

	struct xb_fp *fp;
	struct xb_relay *relay;
	bool started;
	int attached[XBD_MAX_MEDIA_IFACES]; /* ifindexes we attached XDP to */
	unsigned int n_attached;

	struct xbm_iface ifaces[XBD_MAX_MEDIA_IFACES];
	struct xbm_pool pools[XBD_MAX_MEDIA_IFACES];
	unsigned int n_ifaces;

	struct xbm_call **buckets;
	unsigned int n_buckets, n_calls;

	struct xb_timer check_timer, save_timer, sync_timer;
	bool dirty;
	struct xbm_counters c;

	/* SRTP contexts: ids, and xborder.ko when it is loaded */
	struct xbm_idset srtp_ids; /* ours, and ids the module said were taken */
	size_t n_srtp;		   /* contexts installed */
	uint32_t srtp_next;
	struct xb_srtp_nl *nl;
	uint64_t nl_retry_ns;
	struct xb_srtp_params *keys_loaded; /* the key file while adopting */
	size_t n_keys_loaded;
};

/* calls.c */
struct xbm_call *xbm_call_find(const struct xbm *m, const char *call_id);
struct xbm_call *xbm_call_new(struct xbm *m, const char *call_id);
void xbm_call_unlink(struct xbm *m, struct xbm_call *c);
void xbm_call_destroy(struct xbm_call *c);
int xbm_set_tag(struct xbm_party *p, const char *tag);
/* Calls cb for each call; cb may unlink and destroy the call it is given. */
void xbm_call_foreach(struct xbm *m, void (*cb)(struct xbm *m, struct xbm_call *c, void *arg),
		      void *arg);

/* ports.c */
int xbm_pools_build(struct xbm *m, const struct xbd_config *cfg);
void xbm_pools_free(struct xbm *m);
struct xbm_pool *xbm_pool_find(struct xbm *m, const char *iface);
int xbm_port_alloc(struct xbm *m, const char *iface, uint16_t *port);
void xbm_port_free(struct xbm *m, const char *iface, uint16_t port);
/* Mark a port pair in use (adoption, reload); false if outside the range or taken. */
bool xbm_port_claim(struct xbm *m, const char *iface, uint16_t port);

/* ifaces (media.c) */
const struct xbm_iface *xbm_iface_find(const struct xbm *m, const char *name);

/* streams.c */
void xbm_stream_key(struct xb_stream_key *key, const struct xbm_iface *ifc, uint16_t port);
/*
 * Bring the fast path in line with a section's legs. RELEARN: bit p set
 * when party p's SDP moved, so what the relay latched for p is dropped.
 */
int xbm_section_apply(struct xbm *m, struct xbm_call *c, unsigned int k, unsigned int relearn);
/* Delete a section's streams and free its ports. */
void xbm_section_release(struct xbm *m, struct xbm_call *c, unsigned int k, bool del_streams);
void xbm_call_release(struct xbm *m, struct xbm_call *c, bool del_streams);
void xbm_relay_kick(struct xbm *m);

/* state.c */
void xbm_state_dirty(struct xbm *m);
int xbm_state_save(struct xbm *m);
int xbm_state_load(struct xbm *m);
json_t *xbm_addr_json(const struct xb_addr *a);

/* srtp.c (SDES bridging, Documentation/media.md) */
#define XBM_SRTP_ID_BASE 0x80000000u /* xborderd's context ids: the upper half */
#define XBM_SRTP_KEYS_FILE "srtp.keys"
int xbm_srtp_start(struct xbm *m);
void xbm_srtp_stop(struct xbm *m);
/* Decide section K's crypto for an offer from P (SDP already parsed). */
int xbm_srtp_offer(struct xbm *m, struct xbm_call *c, unsigned int k, int p,
		   const struct xb_sdp *sdp);
/* Take section K's crypto from an answer by Q; -EBADMSG if it does not fit.
 * Without COMMIT only checked, nothing changes. */
int xbm_srtp_answer(struct xbm *m, struct xbm_call *c, unsigned int k, int q,
		    const struct xb_sdp *sdp, bool commit);
/* How the SDP toward TO changes in section K; attr: XB_SDP_CRYPTO_MAX bytes. */
void xbm_srtp_rewrite(const struct xbm_call *c, unsigned int k, int to, const struct xb_sdp *sdp,
		      struct xb_sdp_relay *r, char *attr);
/* Contexts the section needs, before its streams are written. */
int xbm_srtp_install(struct xbm *m, struct xbm_call *c, unsigned int k);
/* Contexts the section no longer needs, after its streams are written. */
void xbm_srtp_prune(struct xbm *m, struct xbm_call *c, unsigned int k);
/* All of the section's contexts go (the section's streams went). */
void xbm_srtp_release(struct xbm *m, struct xbm_call *c, unsigned int k, bool del);
/* SRTP flags and context of the stream from party P (streams.c build);
 * true when the stream must drop instead (no key yet). */
bool xbm_srtp_stream(const struct xbm_section *sec, int p, struct xb_stream *s);
json_t *xbm_srtp_leg_json(const struct xbm_leg_srtp *ls);
const char *xbm_crypto_name(unsigned int crypto);
/* state: keys in their own file; legs name contexts, never keys */
int xbm_srtp_save_keys(struct xbm *m);
int xbm_srtp_load_leg(struct xbm *m, json_t *j, struct xbm_leg_srtp *ls);
/* After adoption: keys from the key file, contexts installed; false: drop */
bool xbm_srtp_adopt(struct xbm *m, struct xbm_call *c);
void xbm_srtp_keys_load(struct xbm *m);
void xbm_srtp_keys_done(struct xbm *m);
json_t *xbm_srtp_stats(const struct xbm *m);

/* check.c */
void xbm_check_arm(struct xbm *m);
void xbm_check_run(struct xbm *m);

#endif
