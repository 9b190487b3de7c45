// SPDX-License-Identifier: GPL-2.0-or-later
/* xborderctl guard: guarded ports, allow and block lists, counters. */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "common/addr.h"
#include "common/err.h"
#include "common/json.h"
#include "xborderctl/xborderctl.h"

#define MAX_EXPIRES_S (10ULL * 365 * 24 * 3600)

static int parse_proto_port(int argc, char **argv, const char *ctx, uint8_t *proto, uint16_t *port)
{
	if (argc < 2)
		return ctl_usage("%s needs udp|tcp PORT", ctx);
	if (!strcmp(argv[0], "udp"))
		*proto = IPPROTO_UDP;
	else if (!strcmp(argv[0], "tcp"))
		*proto = IPPROTO_TCP;
	else
		return ctl_usage("%s: protocol must be udp or tcp, not '%.32s'", ctx, argv[0]);
	if (xb_parse_port(argv[1], port))
		return ctl_usage("%s: %s", ctx, xb_errmsg());
	return CTL_OK;
}

static const char *proto_name(uint8_t proto)
{
	return proto == IPPROTO_UDP ? "udp" : proto == IPPROTO_TCP ? "tcp" : "?";
}

static int port_add(struct ctl *c, int argc, char **argv)
{
	struct ctl_kw kws[] = { FLAG("allowlist"), KW("rate"), KW("burst"), KW_END };
	struct xb_guard_port gp;
	struct xb_fp *fp;
	uint16_t port;
	uint8_t proto;
	int r;

	r = parse_proto_port(argc, argv, "guard port add", &proto, &port);
	if (r)
		return r;
	r = ctl_parse_kw(argc - 2, argv + 2, kws, "guard port add");
	if (r)
		return r;
	memset(&gp, 0, sizeof(gp));
	if (kws[0].seen)
		gp.flags |= XB_GUARD_ALLOWLIST;
	if (kws[1].seen != kws[2].seen)
		return ctl_usage("rate and burst go together");
	if (kws[1].seen) {
		if (xb_parse_u32(kws[1].value, 100000000, &gp.rate_pps) || !gp.rate_pps)
			return ctl_usage("rate: packets per second, 1-100000000");
		/* tokens are scaled by 10^6 in a u64: keep burst well inside */
		if (xb_parse_u32(kws[2].value, 1000000, &gp.burst) || !gp.burst)
			return ctl_usage("burst: packets, 1-1000000");
		gp.flags |= XB_GUARD_RATELIMIT;
	}
	if (ctl_open(c, true, &fp))
		return CTL_FAIL;
	r = xb_fp_guard_port_set(fp, proto, port, &gp);
	xb_fp_close(fp);
	return r ? ctl_fail() : CTL_OK;
}

static int port_del(struct ctl *c, int argc, char **argv)
{
	struct xb_fp *fp;
	uint16_t port;
	uint8_t proto;
	int r;

	r = parse_proto_port(argc, argv, "guard port del", &proto, &port);
	if (r)
		return r;
	if (argc > 2)
		return ctl_usage("guard port del takes udp|tcp PORT only");
	if (ctl_open(c, false, &fp))
		return CTL_FAIL;
	r = xb_fp_guard_port_del(fp, proto, port);
	xb_fp_close(fp);
	return r ? ctl_fail() : CTL_OK;
}

static int port_list_one(uint8_t proto, uint16_t port, const struct xb_guard_port *gp, void *arg)
{
	json_t *arr = arg, *j;

	if (!arr) {
		printf("%s %u%s", proto_name(proto), port,
		       gp->flags & XB_GUARD_ALLOWLIST ? " allowlist" : "");
		if (gp->flags & XB_GUARD_RATELIMIT)
			printf(" rate %u burst %u", gp->rate_pps, gp->burst);
		printf("\n");
		return 0;
	}
	j = json_object();
	xb_json_set(j, "proto", json_string(proto_name(proto)));
	xb_json_set(j, "port", json_integer(port));
	xb_json_set(j, "allowlist", json_boolean(gp->flags & XB_GUARD_ALLOWLIST));
	if (gp->flags & XB_GUARD_RATELIMIT) {
		xb_json_set(j, "rate", json_integer(gp->rate_pps));
		xb_json_set(j, "burst", json_integer(gp->burst));
	}
	json_array_append_new(arr, j);
	return 0;
}

static int port_list(struct ctl *c, int argc)
{
	json_t *arr = c->json ? json_array() : NULL;
	struct xb_fp *fp;
	int r;

	if (argc)
		return ctl_usage("guard port list takes no arguments");
	if (ctl_open(c, false, &fp))
		return CTL_FAIL;
	r = xb_fp_guard_port_foreach(fp, port_list_one, arr);
	xb_fp_close(fp);
	if (r) {
		json_decref(arr);
		return ctl_fail();
	}
	return arr && xb_json_print(stdout, arr) ? CTL_FAIL : CTL_OK;
}

static int prefix_add(struct ctl *c, enum xb_guard_list list, int argc, char **argv)
{
	struct ctl_kw kws[] = { KW("peer"), KW("expires"), KW_END };
	const char *ctx = list == XB_GUARD_LIST_ALLOW ? "guard allow add" : "guard block add";
	struct xb_guard_prefix val;
	struct xb_addr a;
	unsigned int plen;
	struct xb_fp *fp;
	uint64_t secs;
	int r;

	if (argc < 1)
		return ctl_usage("%s needs a PREFIX", ctx);
	if (xb_parse_prefix(argv[0], &a, &plen))
		return ctl_usage("%s: %s", ctx, xb_errmsg());
	if (list == XB_GUARD_LIST_ALLOW)
		kws[1].name = NULL; /* allow entries do not expire */
	r = ctl_parse_kw(argc - 1, argv + 1, kws, ctx);
	if (r)
		return r;
	memset(&val, 0, sizeof(val));
	if (kws[0].seen && xb_parse_u32(kws[0].value, UINT32_MAX, &val.peer_id))
		return ctl_usage("peer: %s", xb_errmsg());
	if (list == XB_GUARD_LIST_BLOCK && kws[1].seen) {
		if (xb_parse_u64(kws[1].value, MAX_EXPIRES_S, &secs) || !secs)
			return ctl_usage("expires: seconds, 1-%llu",
					 (unsigned long long)MAX_EXPIRES_S);
		val.expires_ns = xb_mono_ns() + secs * 1000000000ULL;
	}
	if (ctl_open(c, true, &fp))
		return CTL_FAIL;
	r = xb_fp_guard_prefix_add(fp, list, &a, plen, &val);
	xb_fp_close(fp);
	return r ? ctl_fail() : CTL_OK;
}

static int prefix_del(struct ctl *c, enum xb_guard_list list, int argc, char **argv)
{
	const char *ctx = list == XB_GUARD_LIST_ALLOW ? "guard allow del" : "guard block del";
	struct xb_addr a;
	unsigned int plen;
	struct xb_fp *fp;
	int r;

	if (argc != 1)
		return ctl_usage("%s needs exactly one PREFIX", ctx);
	if (xb_parse_prefix(argv[0], &a, &plen))
		return ctl_usage("%s: %s", ctx, xb_errmsg());
	if (ctl_open(c, false, &fp))
		return CTL_FAIL;
	r = xb_fp_guard_prefix_del(fp, list, &a, plen);
	xb_fp_close(fp);
	return r ? ctl_fail() : CTL_OK;
}

struct prefix_list {
	json_t *arr;
	uint64_t now;
};

static int prefix_list_one(const struct xb_addr *a, unsigned int plen,
			   const struct xb_guard_prefix *val, void *arg)
{
	struct prefix_list *l = arg;
	char buf[XB_ADDRSTRLEN], age[32];
	json_t *j;

	if (!l->arr) {
		printf("%s", xb_fmt_prefix(a, plen, buf, sizeof(buf)));
		if (val->peer_id)
			printf(" peer %u", val->peer_id);
		if (val->expires_ns)
			printf(" expires %s",
			       val->expires_ns > l->now
				       ? ctl_fmt_age(val->expires_ns - l->now, age, sizeof(age))
				       : "past");
		printf("\n");
		return 0;
	}
	j = json_object();
	xb_json_set(j, "prefix", xb_json_prefix(a, plen));
	xb_json_set(j, "peer", json_integer(val->peer_id));
	if (val->expires_ns)
		xb_json_set(
			j, "expires_in_ms",
			json_integer(val->expires_ns > l->now
					     ? (json_int_t)((val->expires_ns - l->now) / 1000000)
					     : 0));
	json_array_append_new(l->arr, j);
	return 0;
}

static int prefix_list(struct ctl *c, enum xb_guard_list list, int argc)
{
	struct prefix_list l = { c->json ? json_array() : NULL, xb_mono_ns() };
	struct xb_fp *fp;
	int r;

	if (argc)
		return ctl_usage("list takes no arguments");
	if (ctl_open(c, false, &fp))
		return CTL_FAIL;
	r = xb_fp_guard_prefix_foreach(fp, list, prefix_list_one, &l);
	xb_fp_close(fp);
	if (r) {
		json_decref(l.arr);
		return ctl_fail();
	}
	return l.arr && xb_json_print(stdout, l.arr) ? CTL_FAIL : CTL_OK;
}

static int prefix_cmd(struct ctl *c, enum xb_guard_list list, int argc, char **argv)
{
	const char *obj = list == XB_GUARD_LIST_ALLOW ? "allow" : "block";

	if (argc < 1 || !strcmp(argv[0], "list"))
		return prefix_list(c, list, argc > 0 ? argc - 1 : 0);
	if (!strcmp(argv[0], "add"))
		return prefix_add(c, list, argc - 1, argv + 1);
	if (!strcmp(argv[0], "del") || !strcmp(argv[0], "delete"))
		return prefix_del(c, list, argc - 1, argv + 1);
	return ctl_usage("unknown guard %s command '%.32s'", obj, argv[0]);
}

static int port_cmd(struct ctl *c, int argc, char **argv)
{
	if (argc < 1 || !strcmp(argv[0], "list"))
		return port_list(c, argc > 0 ? argc - 1 : 0);
	if (!strcmp(argv[0], "add"))
		return port_add(c, argc - 1, argv + 1);
	if (!strcmp(argv[0], "del") || !strcmp(argv[0], "delete"))
		return port_del(c, argc - 1, argv + 1);
	return ctl_usage("unknown guard port command '%.32s'", argv[0]);
}

int cmd_guard(struct ctl *c, int argc, char **argv)
{
	static const unsigned int guard_stats[] = {
		XB_STAT_GUARD_PASS,
		XB_DROP_GUARD_BLOCKED,
		XB_DROP_GUARD_NOT_ALLOWED,
		XB_DROP_GUARD_RATE,
	};

	if (argc < 1)
		return ctl_usage("guard needs a command: port, allow, block, stats");
	if (!strcmp(argv[0], "port"))
		return port_cmd(c, argc - 1, argv + 1);
	if (!strcmp(argv[0], "allow"))
		return prefix_cmd(c, XB_GUARD_LIST_ALLOW, argc - 1, argv + 1);
	if (!strcmp(argv[0], "block"))
		return prefix_cmd(c, XB_GUARD_LIST_BLOCK, argc - 1, argv + 1);
	if (!strcmp(argv[0], "stats")) {
		if (argc > 1)
			return ctl_usage("guard stats takes no arguments");
		return ctl_print_stats(c, guard_stats,
				       sizeof(guard_stats) / sizeof(guard_stats[0]));
	}
	return ctl_usage("unknown guard command '%.32s'", argv[0]);
}
