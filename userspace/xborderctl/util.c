// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "xborderctl/xborderctl.h"

int ctl_usage(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "xborderctl: %s (see xborderctl help)\n", msg);
	return CTL_USAGE;
}

int ctl_fail(void)
{
	fprintf(stderr, "xborderctl: %s\n", *xb_errmsg() ? xb_errmsg() : "failed");
	return CTL_FAIL;
}

void ctl_note(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "xborderctl: %s\n", msg);
}

struct ctl_kw *ctl_kw(struct ctl_kw *kws, const char *name)
{
	for (; kws->name; kws++)
		if (!strcmp(kws->name, name))
			return kws;
	return NULL;
}

int ctl_parse_kw(int argc, char **argv, struct ctl_kw *kws, const char *ctx)
{
	struct ctl_kw *k;
	int i;

	for (i = 0; i < argc; i++) {
		k = ctl_kw(kws, argv[i]);
		if (!k)
			return ctl_usage("unknown argument '%.64s' for %s", argv[i], ctx);
		if (k->seen)
			return ctl_usage("'%s' given twice", k->name);
		k->seen = true;
		if (!k->has_value)
			continue;
		if (i + 1 >= argc)
			return ctl_usage("'%s' needs a value", k->name);
		k->value = argv[++i];
	}
	return CTL_OK;
}

int ctl_open(struct ctl *c, bool create, struct xb_fp **fpp)
{
	struct xb_fp_opts opts = { .pin_dir = c->pin_dir, .no_create = !create };

	if (xb_fp_open(&opts, fpp))
		return ctl_fail();
	return CTL_OK;
}

int ctl_ifindex(const char *name, int *ifindex)
{
	unsigned int i;

	if (!name || !*name || strnlen(name, IF_NAMESIZE) >= IF_NAMESIZE) {
		xb_err(EINVAL, "invalid device name '%.32s'", name ? name : "");
		return CTL_FAIL;
	}
	i = if_nametoindex(name);
	if (!i) {
		xb_err(ENODEV, "no device '%s' in this network namespace", name);
		return CTL_FAIL;
	}
	*ifindex = (int)i;
	return CTL_OK;
}

const char *ctl_ifname(int ifindex, char *buf)
{
	if (ifindex <= 0 || !if_indextoname((unsigned int)ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "if%d", ifindex);
	return buf;
}

const char *ctl_fmt_age(uint64_t ns, char *buf, size_t len)
{
	uint64_t ms = ns / 1000000;

	if (ms < 60000)
		snprintf(buf, len, "%llu.%llus", (unsigned long long)(ms / 1000),
			 (unsigned long long)(ms % 1000 / 100));
	else if (ms < 3600000)
		snprintf(buf, len, "%llum", (unsigned long long)(ms / 60000));
	else
		snprintf(buf, len, "%lluh", (unsigned long long)(ms / 3600000));
	return buf;
}
