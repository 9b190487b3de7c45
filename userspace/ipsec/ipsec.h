/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IPsec peering through XFRM netlink (libnl-xfrm): the SAs and policies
 * of every peer whose security is ipsec-transport or ipsec-tunnel.
 * Documentation/ipsec.md describes the model; in short:
 *
 * - Transport mode protects the SIP packets between the two border
 *   elements (UDP and TCP, our SIP port and the peer's, both ways);
 *   tunnel mode carries all traffic between the configured inner
 *   prefixes (signaling and media addresses). Policies: out and in, plus
 *   fwd in tunnel mode.
 * - The kernel holds the state. What is xborder's is recognised by its
 *   reqid (XB_IPSEC_REQID_MIN..MAX, SAs and policy templates) and, for
 *   policies, also by the priority band XB_IPSEC_PRIO_MIN..MAX. Anything
 *   else is foreign and never changed; a foreign SA or policy in the way
 *   of ours is an error before anything is changed.
 * - xb_ipsec_apply() makes the kernel match the configuration, whatever
 *   it held before (a crash, an older configuration): ours are kept when
 *   equal, updated in place when only lifetimes or policy templates
 *   differ, added when missing, removed when no longer configured. It
 *   never duplicates: SAs are identified by (destination, SPI) and
 *   policies by (direction, selector), as the kernel does.
 * - Rekey (new SPIs and keys in the configuration): new SAs are added
 *   beside the old ones; the out policies move to the new outbound SA
 *   once the peer is seen using our new inbound SA, or after
 *   rekey_switch_s; the old SAs are removed rekey_grace_s after the
 *   switch. Every step is derived from the kernel's SA times, so the
 *   caller only calls xb_ipsec_apply() again (result.pending) after
 *   result.next_s seconds; a restart in the middle continues the rekey.
 *
 * The netlink calls are synchronous (a local socket, microseconds; the
 * first AES-GCM SA may take seconds while the kernel loads the crypto
 * modules).
 */
#ifndef XB_IPSEC_H
#define XB_IPSEC_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"

/* reqids xborder gives its SAs and policy templates: "XB" in the top half */
#define XB_IPSEC_REQID_MIN 0x58420000u
#define XB_IPSEC_REQID_MAX 0x5842ffffu
/* priorities of xborder's policies (lower wins; IKE daemons use ~100000+) */
#define XB_IPSEC_PRIO_MIN 0x5800u
#define XB_IPSEC_PRIO_MAX 0x58ffu
#define XB_IPSEC_PRIO_TRANSPORT 0x5810u
#define XB_IPSEC_PRIO_TUNNEL 0x5820u

struct xb_ipsec;

/* What one call did, and whether a rekey still has steps to take. */
struct xb_ipsec_result {
	unsigned int sa_found, sp_found; /* ours in the kernel before */
	unsigned int sa_added, sa_replaced, sa_updated, sa_removed, sa_kept;
	unsigned int sp_added, sp_updated, sp_removed, sp_kept;
	bool pending; /* call xb_ipsec_apply again in next_s seconds */
	unsigned int next_s;
	unsigned int ike_missing; /* keys = "ike" peers without SAs/policies */
};

/* A NETLINK_XFRM socket in the caller's network namespace. */
int xb_ipsec_open(struct xb_ipsec **out);
void xb_ipsec_close(struct xb_ipsec *x);

/*
 * Keep the sequence numbers of outbound SAs that are removed (exit,
 * replacement) in PATH, and start a re-created SA with the same SPI where
 * the old one stopped: with static keys the peer's inbound SA survives a
 * clean restart of ours and would drop packets numbered from 1 again as
 * replays. xborderd uses <state_dir>/ipsec-seq. NULL: not kept.
 */
int xb_ipsec_set_seq_file(struct xb_ipsec *x, const char *path);

/* Count the SAs and policies in the kernel that are xborder's (after a
 * restart: what apply will adopt). */
int xb_ipsec_adopt(struct xb_ipsec *x, struct xb_ipsec_result *res);

/*
 * Make xborder's XFRM state match CFG (peers without IPsec have none).
 * Key files are read again here. On an error nothing is changed if the
 * error was found before the first change (conflicts, key files); a
 * netlink failure part-way undoes what this call added.
 */
int xb_ipsec_apply(struct xb_ipsec *x, const struct xbd_config *cfg, struct xb_ipsec_result *res);

/* Remove every SA and policy of xborder's (on exit); foreign ones stay. */
int xb_ipsec_remove_all(struct xb_ipsec *x, struct xb_ipsec_result *res);

/*
 * xborder's SAs and policies with their counters, as
 * {"sas": [...], "policies": [...], "peers": [...]}; with CFG the peers
 * are named and keys = "ike" peers are checked. Keys are never included.
 */
int xb_ipsec_show(struct xb_ipsec *x, const struct xbd_config *cfg, json_t **out);

/*
 * Must media between LOCAL (our relay address) and REMOTE go through the
 * kernel's stack? True when a tunnel-mode peer's selectors cover the pair:
 * XDP sees that traffic as ESP before decryption and its TX/redirect would
 * bypass the xfrm output policy, so the fast-path streams of such media
 * carry XB_F_PASS (both directions). Transport mode protects signaling
 * only, so its media may use the fast path. Pure: no kernel access.
 */
bool xb_ipsec_media_needs_stack(const struct xbd_config *cfg, const struct xb_addr *local,
				const struct xb_addr *remote);

/* Seconds since the epoch that the library compares with the kernel's SA
 * times; tests may replace it. */
extern uint64_t (*xb_ipsec_clock)(void);

#endif
