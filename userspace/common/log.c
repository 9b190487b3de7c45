// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stdio.h>

#include "common/log.h"

static const char *log_prog = "xborder";
static enum xb_log_level log_level = XB_LOG_INFO;

void xb_log_init(const char *prog, enum xb_log_level level)
{
	if (prog)
		log_prog = prog;
	log_level = level;
}

enum xb_log_level xb_log_level(void)
{
	return log_level;
}

const char *xb_log_prog(void)
{
	return log_prog;
}

void xb_log(enum xb_log_level level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* one write per line, so lines of concurrent processes don't mix */
	fprintf(stderr, "%s: %s%s\n", log_prog, level == XB_LOG_WARN ? "warning: " : "", line);
}
