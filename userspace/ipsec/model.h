/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The XFRM objects in xborder's own types, for both sides of the
 * comparison: what the configuration wants (plan.c) and what the kernel
 * holds (xfrm.c). reconcile.c turns the two into a list of netlink
 * operations; it is pure, so the decisions are unit-tested without a
 * kernel.
 */
#ifndef XB_IPSEC_MODEL_H
#define XB_IPSEC_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "common/addr.h"
#include "config/config.h"
#include "ipsec/keyfile.h"

#define XB_XALG_OTHER (-1) /* an algorithm xborder does not install */

/* A policy selector; ports in host order, a mask of 0 = any port. */
struct xb_xsel {
	struct xb_addr src, dst; /* family: src.family (== dst.family) */
	uint8_t src_len, dst_len;
	uint8_t proto; /* 0: any */
	uint16_t sport, sport_mask;
	uint16_t dport, dport_mask;
};

struct xb_xtmpl {
	struct xb_addr src, dst; /* ESP endpoints */
	uint32_t spi;		 /* 0: any SA */
	uint32_t reqid;
	uint8_t mode; /* XFRM_MODE_* */
	uint8_t proto;
};

struct xb_xsp {
	uint8_t dir; /* XFRM_POLICY_IN, OUT, FWD */
	struct xb_xsel sel;
	uint32_t priority;
	uint32_t index; /* the kernel's, for deletion */
	uint8_t action; /* XFRM_POLICY_ALLOW */
	uint32_t mark_v, mark_m;
	unsigned int n_tmpl; /* ours have exactly one */
	struct xb_xtmpl tmpl;
	int peer; /* index in the plan, -1 none */
};

struct xb_xsa {
	struct xb_addr src, dst;
	uint32_t spi, reqid;
	uint8_t proto, mode;
	int alg; /* enum xbd_ipsec_alg or XB_XALG_OTHER */
	char alg_name[64];
	struct xb_ipsec_key key;
	uint32_t replay_window;
	uint32_t oseq;			      /* last sequence number sent; where a new SA starts */
	struct xbd_ipsec_lifetime soft, hard; /* 0 = none */
	uint32_t mark_v, mark_m;
	/* observed */
	uint64_t bytes, packets, add_time, use_time;
	uint32_t fail_window, fail_replay, fail_integrity;
	int peer; /* index in the plan, -1 none */
};

struct xb_xstate {
	struct xb_xsa *sa;
	unsigned int n_sa, cap_sa;
	struct xb_xsp *sp;
	unsigned int n_sp, cap_sp;
};

bool xb_xsa_ours(const struct xb_xsa *sa);
bool xb_xsp_ours(const struct xb_xsp *sp);
/* Grow ST by one zeroed entry; NULL when out of memory. */
struct xb_xsa *xb_xstate_add_sa(struct xb_xstate *st);
struct xb_xsp *xb_xstate_add_sp(struct xb_xstate *st);
/* Wipes the keys, frees the arrays. */
void xb_xstate_free(struct xb_xstate *st);

bool xb_xsel_equal(const struct xb_xsel *a, const struct xb_xsel *b);
/* The selector of the reverse direction: addresses and ports swapped. */
void xb_xsel_mirror(const struct xb_xsel *in, struct xb_xsel *out);
/* "10.0.0.1/32 -> 10.0.0.2/32 udp dport 5060" */
const char *xb_xsel_fmt(const struct xb_xsel *s, char *buf, size_t len);
const char *xb_xdir_name(uint8_t dir);

/* ---------------------------------------------------------------- plan */

#define XB_IPSEC_MAX_SELS (XBD_IPSEC_MAX_SUBNETS * XBD_IPSEC_MAX_SUBNETS)

/* One IPsec peer of the configuration, compiled. */
struct xb_ipsec_ppeer {
	char name[XBD_NAME_MAX];
	bool ike; /* keys = "ike": nothing installed, only checked */
	uint8_t mode;
	struct xb_addr local, remote;
	uint32_t priority;
	struct xb_xsa in, out;			/* static keys: the wanted SAs (no reqid yet) */
	struct xb_xsel sels[XB_IPSEC_MAX_SELS]; /* out direction */
	unsigned int n_sels;
	uint32_t switch_s, grace_s;
};

struct xb_ipsec_plan {
	struct xb_ipsec_ppeer *peers;
	unsigned int n;
};

/*
 * The out-direction selectors of an IPsec peer. Transport: our SIP port
 * and the peer's, UDP and TCP, between the two addresses (4). Tunnel:
 * every local prefix with every remote prefix, all protocols.
 */
unsigned int xb_ipsec_selectors(const struct xbd_ipsec *ip, struct xb_xsel *out, unsigned int max);

/* Compile CFG; static keys are read from their files. */
int xb_ipsec_plan_build(const struct xbd_config *cfg, struct xb_ipsec_plan *plan);
void xb_ipsec_plan_free(struct xb_ipsec_plan *plan);

/* ---------------------------------------------------------------- reconcile */

enum xb_xact_kind {
	XB_XACT_SA_ADD,
	XB_XACT_SA_UPDATE, /* lifetimes only: the kernel keeps keys */
	XB_XACT_SA_DEL,
	XB_XACT_SP_ADD,
	XB_XACT_SP_UPDATE, /* same direction and selector, new template */
	XB_XACT_SP_DEL,
};

struct xb_xact {
	enum xb_xact_kind kind;
	bool replace; /* SA_DEL immediately followed by the SA_ADD */
	struct xb_xsa sa;
	struct xb_xsp sp;
	int peer;
};

/* How a keys = "ike" peer's SAs and policies look. */
struct xb_ike_status {
	bool sa_out, sa_in, sp_out, sp_in;
};

struct xb_xplan {
	struct xb_xact *acts;
	unsigned int n, cap;
	uint32_t *reqids;	   /* per plan peer (0 for ike peers) */
	struct xb_ike_status *ike; /* per plan peer */
	unsigned int sp_kept, sa_kept;
	bool pending;
	uint64_t next_s;
};

/*
 * The operations that turn ST into PLAN at time NOW (seconds since the
 * epoch, as the kernel's SA add/use times): SA adds and replacements
 * first (inbound before outbound), then policy adds and updates, then
 * removals of stale policies, then of stale SAs. Fails without output
 * when a foreign SA or policy occupies one of ours. Fills peer indexes
 * in ST.
 */
int xb_ipsec_reconcile(const struct xb_ipsec_plan *plan, struct xb_xstate *st, uint64_t now,
		       struct xb_xplan *out);
/* Are a keys = "ike" peer's SAs and policies there (anyone's but ours)? */
void xb_ipsec_check_ike(const struct xb_ipsec_ppeer *p, const struct xb_xstate *st,
			struct xb_ike_status *is);
/* The removal of all of ours: policies, then SAs. */
int xb_ipsec_reconcile_flush(const struct xb_xstate *st, struct xb_xplan *out);
void xb_xplan_free(struct xb_xplan *xp);

/* ---------------------------------------------------------------- sequence numbers (seqfile.c) */

struct xb_seq_entry {
	struct xb_addr dst;
	uint32_t spi, oseq;
};

struct xb_seqs {
	struct xb_seq_entry *e;
	unsigned int n, cap;
};

/* A missing file is an empty list; malformed lines are skipped. */
int xb_ipsec_seq_load(const char *path, struct xb_seqs *s);
/* Atomically (rename), mode 0600; creates the directory (0750). */
int xb_ipsec_seq_save(const char *path, const struct xb_seqs *s);
int xb_ipsec_seq_put(struct xb_seqs *s, const struct xb_addr *dst, uint32_t spi, uint32_t oseq);
uint32_t xb_ipsec_seq_get(const struct xb_seqs *s, const struct xb_addr *dst, uint32_t spi);
void xb_ipsec_seq_free(struct xb_seqs *s);

/* ---------------------------------------------------------------- kernel (xfrm.c) */

struct nl_sock;

int xb_xfrm_dump(struct nl_sock *sk, struct xb_xstate *st);
int xb_xfrm_sa(struct nl_sock *sk, enum xb_xact_kind kind, const struct xb_xsa *sa);
int xb_xfrm_sp(struct nl_sock *sk, enum xb_xact_kind kind, const struct xb_xsp *sp);

#endif
