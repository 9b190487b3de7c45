// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"

static __thread char errmsg[XB_ERRMSG_MAX];

static int neg(int err)
{
	if (err == 0)
		return -EINVAL;
	return err < 0 ? err : -err;
}

int xb_err(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errmsg, sizeof(errmsg), fmt, ap);
	va_end(ap);
	return neg(err);
}

/* errmsg = "a: b", truncated to fit. */
static void set_joined(const char *a, const char *b)
{
	char out[XB_ERRMSG_MAX];
	size_t la = strnlen(a, sizeof(out) - 1), lb;

	memcpy(out, a, la);
	if (la + 2 < sizeof(out)) {
		out[la++] = ':';
		out[la++] = ' ';
	}
	lb = strnlen(b, sizeof(out) - 1 - la);
	memcpy(out + la, b, lb);
	out[la + lb] = '\0';
	memcpy(errmsg, out, la + lb + 1);
}

int xb_err_prefix(int err, const char *fmt, ...)
{
	char old[XB_ERRMSG_MAX], ctx[XB_ERRMSG_MAX];
	va_list ap;

	memcpy(old, errmsg, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(ctx, sizeof(ctx), fmt, ap);
	va_end(ap);
	set_joined(ctx, old[0] ? old : strerror(-neg(err)));
	return neg(err);
}

const char *xb_errmsg(void)
{
	return errmsg;
}

void xb_err_clear(void)
{
	errmsg[0] = '\0';
}
