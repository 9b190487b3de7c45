/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xborder.ko internals: SRTP crypto contexts (RFC 3711) for the XDP fast
 * path. The ABI (generic netlink family, kfuncs) is include/uapi/xborder/
 * genl.h; Documentation/kernel-module.md explains the design.
 */
#ifndef XBORDER_KERNEL_H
#define XBORDER_KERNEL_H

#include <linux/atomic.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <net/checksum.h>

#include <xborder/genl.h>

struct crypto_cipher;
struct crypto_shash;

#define XB_MODULE_VERSION "1.0"

#define XB_AES_BLOCK 16
#define XB_SALT_LEN XBORDER_SRTP_SALT_LEN
#define XB_AUTH_KEY_LEN 20 /* HMAC-SHA1 session key, n_a = 160 */
#define XB_SHA1_LEN 20
#define XB_SRTCP_TAG_LEN 10 /* SRTCP tags are 80 bits in both SDES suites */
#define XB_SRTCP_E_INDEX_LEN 4

/* Replay window storage: the window plus one word, so an index as old as
 * the window still has its own bit while the newest word fills up. */
#define XB_REPLAY_WORDS (XBORDER_SRTP_WINDOW_MAX / 64 + 1)

/* Session keys of one direction of RTP or RTCP (RFC 3711 section 4.3). */
struct xb_srtp_keys {
	struct crypto_cipher *aes; /* k_e: AES-128 block cipher, own CTR loop */
	struct crypto_shash *hmac; /* hmac(sha1) keyed with k_a */
	u8 salt[XB_SALT_LEN];	   /* k_s */
};

struct xb_replay {
	u64 top;   /* highest index accepted */
	bool init; /* top is meaningful */
	u64 bits[XB_REPLAY_WORDS];
};

enum xb_stat_idx {
	XB_ST_PACKETS,
	XB_ST_BYTES,
	XB_ST_RTCP_PACKETS,
	XB_ST_AUTH_FAIL,
	XB_ST_REPLAY_FAIL,
	XB_ST_MALFORMED,
	XB_ST_SSRC_MISMATCH,
	XB_ST_ERRORS,
	XB_ST_COUNT,
};

/* Parameters of an add or replace, validated by genl.c. */
struct xb_srtp_params {
	u32 id;
	u16 suite;
	u8 dir;
	u8 key[XBORDER_SRTP_KEY_LEN];
	u8 salt[XB_SALT_LEN];
	bool ssrc_fixed;
	u32 ssrc;
	u32 roc;
	bool have_seq;
	u16 seq;
	u16 window;
	bool have_srtcp_index;
	u32 srtcp_index;
};

struct xb_srtp_ctx {
	u32 id;
	u16 suite;
	u8 dir;
	u8 tag_len; /* SRTP tag: 10 or 4 bytes */
	u16 window;
	bool ssrc_fixed;
	struct xb_srtp_keys rtp, rtcp;

	spinlock_t lock; /* everything below up to stats */
	u32 ssrc;
	bool have_ssrc;
	u32 roc;
	u16 s_l; /* highest sequence number */
	bool have_seq;
	u32 srtcp_index; /* last sent (protect) */
	struct xb_replay rtp_replay, rtcp_replay;

	atomic64_t stats[XB_ST_COUNT];
	struct rcu_work free_work;
};

/* A consistent copy of a context's settings, state and counters. */
struct xb_ctx_view {
	u32 id;
	u16 suite;
	u8 dir;
	u16 window;
	bool ssrc_fixed, have_ssrc, have_seq;
	u32 ssrc;
	u32 roc;
	u16 s_l;
	u32 srtcp_index;
	u64 stats[XB_ST_COUNT];
};

/* A packet's place in the frame and how the UDP checksum must change. */
struct xb_srtp_pkt {
	u8 *data;	   /* RTP or RTCP packet */
	unsigned int len;  /* its length */
	unsigned int room; /* writable bytes after it (protect) */
	bool want_csum;	   /* fill csum_delta */
	__wsum csum_delta; /* sum(new bytes) - sum(old bytes), from an even offset */
};

/* srtp.c: the transforms, on linear buffers */
int xb_srtp_keys_init(struct xb_srtp_ctx *c, const u8 *master_key, const u8 *master_salt);
void xb_srtp_keys_free(struct xb_srtp_ctx *c);
/* Derive n bytes of session key material for label (RFC 3711 4.3.1, kdr 0). */
int xb_srtp_derive(struct crypto_cipher *master, const u8 *master_salt, u8 label, u8 *out,
		   unsigned int n);
void xb_aes_cm(struct crypto_cipher *aes, const u8 iv[XB_AES_BLOCK], u8 *data, unsigned int len);
/*
 * Protect or unprotect p in place according to c's direction. Returns the
 * new length, or a negative errno (see genl.h) with p untouched. Counts the
 * outcome in c->stats.
 */
int xb_srtp_transform(struct xb_srtp_ctx *c, struct xb_srtp_pkt *p);
int xb_srtp_scratch_init(void);
void xb_srtp_scratch_free(void);

/* ctx.c: the table */
int xb_ctx_table_init(unsigned int max);
void xb_ctx_table_exit(void);
struct xb_srtp_ctx *xb_ctx_lookup_rcu(u32 id);
/* The context with the lowest id >= *id (set to its id), or NULL. */
struct xb_srtp_ctx *xb_ctx_next_rcu(unsigned long *id);
struct xb_srtp_ctx *xb_ctx_create(const struct xb_srtp_params *prm);
int xb_ctx_insert(struct xb_srtp_ctx *c, bool replace);
int xb_ctx_delete(u32 id);
void xb_ctx_destroy(struct xb_srtp_ctx *c);
unsigned int xb_ctx_count(void);
unsigned int xb_ctx_max(void);
void xb_ctx_snapshot(struct xb_srtp_ctx *c, struct xb_ctx_view *v);

/* genl.c */
int xb_genl_init(void);
void xb_genl_exit(void);

/* kfunc.c */
int xb_kfunc_init(void);

/* selftest.c: returns the number of known-answer tests passed, or -errno */
int xb_selftest(void);
extern int xb_selftest_passed;

#endif
