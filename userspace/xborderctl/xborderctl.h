/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xborderctl: iproute2-style CLI, `xborderctl [-j] [-p DIR] OBJECT COMMAND
 * [ARGS]`. Exit status: 0 success, 1 the operation failed, 2 the command
 * line is wrong. Every failure is one line on stderr, "xborderctl: ...".
 */
#ifndef XBORDERCTL_H
#define XBORDERCTL_H

#include <stdbool.h>
#include <net/if.h>

#include "fastpath/fastpath.h"

#define CTL_OK 0
#define CTL_FAIL 1
#define CTL_USAGE 2

struct ctl {
	bool json;
	const char *pin_dir; /* NULL: default (env XB_PIN_DIR, XB_PIN_DIR) */
};

/* A keyword argument: "name" alone (flag) or "name VALUE". */
struct ctl_kw {
	const char *name;
	bool has_value;
	bool seen;
	const char *value;
};

#define KW(n)                                  \
	{                                      \
		.name = (n), .has_value = true \
	}
#define FLAG(n)             \
	{                   \
		.name = (n) \
	}
#define KW_END               \
	{                    \
		.name = NULL \
	}

/*
 * Match argv against kws (each at most once). Returns CTL_OK or prints a
 * usage error naming ctx and returns CTL_USAGE.
 */
int ctl_parse_kw(int argc, char **argv, struct ctl_kw *kws, const char *ctx);
/* The keyword named name in kws (must exist). */
struct ctl_kw *ctl_kw(struct ctl_kw *kws, const char *name);

int ctl_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints xb_errmsg() as the one-line failure; returns CTL_FAIL. */
int ctl_fail(void);
/* Prints "xborderctl: <what>" on stderr without failing. */
void ctl_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Opens the fast path; read-only commands never create maps. */
int ctl_open(struct ctl *c, bool create, struct xb_fp **fpp);

int ctl_ifindex(const char *name, int *ifindex);
const char *ctl_ifname(int ifindex, char *buf);

/* "2.5s", "3m", ... for an age in ns. */
const char *ctl_fmt_age(uint64_t ns, char *buf, size_t len);

/* Print the xb_stats counters listed in which, by name. */
int ctl_print_stats(struct ctl *c, const unsigned int *which, size_t n);

int cmd_fastpath(struct ctl *c, int argc, char **argv);
int cmd_stream(struct ctl *c, int argc, char **argv);
int cmd_guard(struct ctl *c, int argc, char **argv);

#endif
