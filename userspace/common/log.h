/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Logging to stderr as "PROG: message", filtered by level. */
#ifndef XB_COMMON_LOG_H
#define XB_COMMON_LOG_H

enum xb_log_level {
	XB_LOG_ERR,
	XB_LOG_WARN,
	XB_LOG_INFO,
	XB_LOG_DEBUG,
};

void xb_log_init(const char *prog, enum xb_log_level level);
enum xb_log_level xb_log_level(void);
const char *xb_log_prog(void);
void xb_log(enum xb_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
