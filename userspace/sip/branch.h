/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Via branches (RFC 3261 16.6 step 8) and loop detection (16.3 step 4).
 *
 * A forwarded request's branch is a hash of the fields that identify it as
 * it arrived: Request-URI, the top Via (the previous hop's, after our
 * received/rport), Call-ID, CSeq number, From and To tags, Proxy-Require.
 * When a request comes back carrying a Via of ours, recomputing the hash
 * with the Via just below ours as "top Via" gives the same branch if
 * nothing changed since (a loop), a different one if the request was
 * retargeted (a spiral). The hash leaves the method out, so a CANCEL
 * forwarded statelessly gets its INVITE's branch, as 16.11 wants.
 */
#ifndef XB_SIP_BRANCH_H
#define XB_SIP_BRANCH_H

#include <stdbool.h>

#include <osipparser2/osip_message.h>

#define XBS_BRANCH_PREFIX "z9hG4bKxb"
/* prefix + 32 hex digits + NUL */
#define XBS_BRANCH_MAX 48

/* The branch for REQ forwarded with PREV_TOP as the top Via it arrived
 * with. -ENOMEM on allocation failure. */
int xbs_branch_compute(osip_message_t *req, osip_via_t *prev_top, char out[XBS_BRANCH_MAX]);
/* A fresh random branch, for requests the proxy originates (BYE, CANCEL
 * of a call it ends). */
void xbs_branch_random(char out[XBS_BRANCH_MAX]);
/* A random token of N hex digits (tags), N < size. */
void xbs_random_hex(char *out, size_t size, unsigned int n);

#endif
