/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Incremental form of xbs_frame (transport.h), for the TCP reader and the
 * fuzz target. A message trickling in a byte at a time must not be
 * rescanned from its start on every read (that would make a slow sender
 * cost quadratic CPU), so what earlier calls learned about the message at
 * the head of the stream is kept in a struct xbs_framer.
 */
#ifndef XB_SIP_TRANSPORT_FRAME_H
#define XB_SIP_TRANSPORT_FRAME_H

#include <stddef.h>
#include <sys/types.h>

struct xbs_framer {
	size_t scanned; /* header bytes already searched for the blank line */
	size_t total;	/* length of the head message once known, else 0 */
};

/*
 * Same contract as xbs_frame. BUF starts where the previous call's message
 * (or skipped CRLFs) ended: the caller drops *SKIP bytes, and the message
 * when one is returned, before calling again with more bytes. Zero *F
 * after each returned message.
 */
ssize_t xbs_frame_step(struct xbs_framer *f, const char *buf, size_t len, size_t max, size_t *skip);

#endif
