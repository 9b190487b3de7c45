/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Error reporting: library functions return a negative errno and leave a
 * one-line, human-readable explanation here, which the CLI prints as
 * "xborderctl: <message>". Thread-local, so a daemon's threads don't mix.
 */
#ifndef XB_COMMON_ERR_H
#define XB_COMMON_ERR_H

#define XB_ERRMSG_MAX 512

/* Record the message; returns -|err| (or -EINVAL when err is 0). */
int xb_err(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prefix the current message with more context: "ctx: old message". */
int xb_err_prefix(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The last recorded message ("" if none). */
const char *xb_errmsg(void);

void xb_err_clear(void);

#endif
