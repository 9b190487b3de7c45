/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SRTP crypto contexts in userspace: their parameters (parsed from the
 * command line or a key file), the generic netlink client for xborder.ko
 * (include/uapi/xborder/genl.h), and libsrtp2 sessions for the userspace
 * relay, which does what the module does when the module is absent.
 *
 * A context is named by an id that stream entries carry (xb_stream.srtp_ctx)
 * and has one direction: unprotect (SRTP in, RTP out) or protect.
 *
 * Keys: xb_srtp_params holds the master key and salt; callers wipe it with
 * xb_srtp_params_wipe() when done. Nothing here logs or prints a key, and
 * nothing reads one back from the kernel (the module never returns keys).
 *
 * Functions return 0 (or a count) or a negative errno with a one-line
 * explanation in xb_errmsg().
 */
#ifndef XB_SRTP_SRTP_H
#define XB_SRTP_SRTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xborder/genl.h>

struct xb_srtp_params {
	uint32_t id;	/* 1 .. 2^32 - 1 */
	uint16_t suite; /* enum xborder_srtp_suite */
	uint8_t dir;	/* enum xborder_srtp_dir */
	uint8_t key[XBORDER_SRTP_KEY_LEN];
	uint8_t salt[XBORDER_SRTP_SALT_LEN];
	bool have_ssrc; /* only this SSRC; else the first one seen */
	uint32_t ssrc;
	uint32_t roc;
	bool have_seq; /* highest sequence number so far, with roc */
	uint16_t seq;
	uint16_t window; /* replay window; 0: XBORDER_SRTP_WINDOW_DEFAULT */
	bool have_srtcp_index;
	uint32_t srtcp_index;
};

/* What the module reports for a context (no keys). */
struct xb_srtp_state {
	uint32_t id;
	uint16_t suite;
	uint8_t dir;
	bool have_ssrc, ssrc_fixed, have_seq;
	uint32_t ssrc, roc, srtcp_index;
	uint16_t seq, window;
	uint64_t stats[XBORDER_STATS_MAX + 1]; /* index enum xborder_stats_attr */
};

struct xb_srtp_info {
	char version[32];
	uint32_t selftest; /* known-answer tests passed at load */
	uint32_t suites;   /* bit (1 << suite) per supported suite */
	uint32_t count, max;
};

/* ---------------------------------------------------------------- params.c */

/* "AES_CM_128_HMAC_SHA1_80", ...; "?" if unknown. */
const char *xb_srtp_suite_name(unsigned int suite);
int xb_srtp_suite_parse(const char *s, uint16_t *suite);
/* "protect", "unprotect" */
const char *xb_srtp_dir_name(unsigned int dir);
int xb_srtp_dir_parse(const char *s, uint8_t *dir);
/* Short names of enum xborder_stats_attr ("packets", "auth_fail", ...). */
const char *xb_srtp_stat_name(unsigned int stat);

/*
 * Master key and salt from SDES inline key material (RFC 4568 section
 * 6.1: base64 of the 30 bytes key || salt, "inline:" prefix allowed, no
 * lifetime or MKI) or 60 hex digits. The input is not echoed in errors.
 */
int xb_srtp_key_parse(const char *s, uint8_t key[XBORDER_SRTP_KEY_LEN],
		      uint8_t salt[XBORDER_SRTP_SALT_LEN]);

/*
 * A context from words: ID suite SUITE dir protect|unprotect key KEY
 * [ssrc N] [roc N] [seq N] [window N] [srtcp-index N]. Numbers are decimal
 * or 0x-prefixed hex. On error p is wiped.
 */
int xb_srtp_params_parse(int argc, char *const *argv, struct xb_srtp_params *p);
/* Ranges the module enforces too, checked before anything is sent. */
int xb_srtp_params_validate(const struct xb_srtp_params *p);
void xb_srtp_params_wipe(struct xb_srtp_params *p);

/* ---------------------------------------------------------------- nl.c */

struct xb_srtp_nl;

/* -ENOENT (with a message saying so) when xborder.ko is not loaded. */
int xb_srtp_nl_open(struct xb_srtp_nl **nlp);
void xb_srtp_nl_close(struct xb_srtp_nl *nl);
int xb_srtp_nl_info(struct xb_srtp_nl *nl, struct xb_srtp_info *info);
/* Add (or, with replace, re-key) a context. The kernel's extended ack
 * message, when it sends one, becomes xb_errmsg(). */
int xb_srtp_nl_add(struct xb_srtp_nl *nl, const struct xb_srtp_params *p, bool replace);
int xb_srtp_nl_del(struct xb_srtp_nl *nl, uint32_t id);
int xb_srtp_nl_get(struct xb_srtp_nl *nl, uint32_t id, struct xb_srtp_state *st);
/* cb for every context; a non-zero return stops the walk and is returned. */
int xb_srtp_nl_dump(struct xb_srtp_nl *nl, int (*cb)(const struct xb_srtp_state *st, void *arg),
		    void *arg);

/* ---------------------------------------------------------------- session.c */

/* A libsrtp2 session for one context (the userspace relay's SRTP). */
struct xb_srtp_session;

int xb_srtp_session_new(const struct xb_srtp_params *p, struct xb_srtp_session **sp);
void xb_srtp_session_free(struct xb_srtp_session *s);
uint32_t xb_srtp_session_id(const struct xb_srtp_session *s);
/* Was s made from exactly p (compared by digest: keys are not kept)? */
bool xb_srtp_session_same(const struct xb_srtp_session *s, const struct xb_srtp_params *p);
uint8_t xb_srtp_session_dir(const struct xb_srtp_session *s);

/*
 * Protect or unprotect the RTP or RTCP packet (RTCP: second byte without
 * the marker bit in 64..95) of len bytes in buf, cap bytes long, in place,
 * per the session's direction. Returns the new length, or -EBADMSG
 * (authentication), -ESTALE (replay), -EPROTO (malformed, SSRC refused),
 * -ENOSPC (cap too small), -EIO (anything else libsrtp says). Counts the
 * outcome in the session's counters, the module's XBORDER_STATS_* set.
 * No xb_err() message: this is the per-packet path.
 */
int xb_srtp_session_apply(struct xb_srtp_session *s, uint8_t *buf, size_t len, size_t cap);
const uint64_t *xb_srtp_session_stats(const struct xb_srtp_session *s);

#endif
