// SPDX-License-Identifier: GPL-2.0-or-later
/* xborderctl fastpath: attach, detach, show, stats, config, init. */
#include <stdio.h>
#include <string.h>

#include "common/addr.h"
#include "common/err.h"
#include "common/json.h"
#include "xborderctl/xborderctl.h"

static int parse_mode(const char *s, enum xb_fp_mode *mode)
{
	if (!strcmp(s, "auto"))
		*mode = XB_MODE_AUTO;
	else if (!strcmp(s, "native") || !strcmp(s, "drv"))
		*mode = XB_MODE_NATIVE;
	else if (!strcmp(s, "generic") || !strcmp(s, "skb"))
		*mode = XB_MODE_GENERIC;
	else
		return ctl_usage("unknown mode '%.32s' (auto, native, generic)", s);
	return CTL_OK;
}

static int do_attach(struct ctl *c, int argc, char **argv)
{
	struct ctl_kw kws[] = { KW("mode"), KW("prog"), FLAG("force"), KW_END };
	enum xb_fp_prog prog = XB_PROG_MAIN;
	enum xb_fp_mode mode = XB_MODE_AUTO;
	struct xb_fp_attach_result res;
	struct xb_fp *fp;
	int ifindex, r;

	if (argc < 1)
		return ctl_usage("fastpath attach needs a device");
	r = ctl_parse_kw(argc - 1, argv + 1, kws, "fastpath attach");
	if (r)
		return r;
	if (kws[0].seen && (r = parse_mode(kws[0].value, &mode)))
		return r;
	if (kws[1].seen) {
		if (!strcmp(kws[1].value, "main"))
			prog = XB_PROG_MAIN;
		else if (!strcmp(kws[1].value, "pass"))
			prog = XB_PROG_PASS;
		else
			return ctl_usage("unknown program '%.32s' (main, pass)", kws[1].value);
	}
	if (ctl_ifindex(argv[0], &ifindex))
		return ctl_fail();
	if (ctl_open(c, true, &fp))
		return CTL_FAIL;
	r = xb_fp_attach(fp, ifindex, prog, mode, kws[2].seen, &res);
	xb_fp_close(fp);
	if (r)
		return ctl_fail();
	if (res.note[0])
		ctl_note("%s", res.note);
	if (c->json) {
		json_t *j = json_object();

		xb_json_set(j, "dev", json_string(argv[0]));
		xb_json_set(j, "prog", json_string(xb_fp_prog_name(prog)));
		xb_json_set(j, "mode", json_string(xb_fp_mode_name(res.mode)));
		xb_json_set(j, "already", json_boolean(res.already));
		if (res.note[0])
			xb_json_set(j, "note", json_string(res.note));
		xb_json_print(stdout, j);
	} else {
		printf("%s: %s %s in %s mode\n", argv[0], xb_fp_prog_name(prog),
		       res.already ? "already attached" : "attached", xb_fp_mode_name(res.mode));
	}
	return CTL_OK;
}

static int do_detach(struct ctl *c, int argc, char **argv)
{
	struct ctl_kw kws[] = { FLAG("force"), KW_END };
	struct xb_fp *fp;
	int ifindex, r;

	if (argc < 1)
		return ctl_usage("fastpath detach needs a device");
	r = ctl_parse_kw(argc - 1, argv + 1, kws, "fastpath detach");
	if (r)
		return r;
	if (ctl_ifindex(argv[0], &ifindex))
		return ctl_fail();
	if (ctl_open(c, false, &fp))
		return CTL_FAIL;
	r = xb_fp_detach(fp, ifindex, kws[0].seen);
	xb_fp_close(fp);
	return r ? ctl_fail() : CTL_OK;
}

static json_t *config_json(const struct xb_config *cfg)
{
	json_t *j = json_object();

	xb_json_set(j, "abi", json_integer(cfg->abi));
	xb_json_set(j, "relay_port_min", json_integer(cfg->relay_port_min));
	xb_json_set(j, "relay_port_max", json_integer(cfg->relay_port_max));
	xb_json_set(j, "drop_unknown", json_boolean(cfg->flags & XB_CFG_DROP_UNKNOWN));
	return j;
}

static void config_text(const struct xb_config *cfg)
{
	printf("config abi %u relay-ports %u-%u drop-unknown %s\n", cfg->abi, cfg->relay_port_min,
	       cfg->relay_port_max, cfg->flags & XB_CFG_DROP_UNKNOWN ? "on" : "off");
}

static int tx_port_cb(int ifindex, void *arg)
{
	char name[IF_NAMESIZE];

	json_array_append_new(arg, json_string(ctl_ifname(ifindex, name)));
	return 0;
}

/* The devices of this namespace that run an XDP program, ours or not. */
static json_t *links_json(struct xb_fp *fp)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	json_t *arr = json_array();
	struct xb_fp_link link;

	for (i = ifs; i && i->if_index; i++) {
		json_t *j;

		if (xb_fp_query(fp, (int)i->if_index, &link) || !link.prog_id)
			continue;
		j = json_object();
		xb_json_set(j, "dev", json_string(i->if_name));
		xb_json_set(j, "prog",
			    json_string(link.prog >= 0 ? xb_fp_prog_name(link.prog) : "foreign"));
		xb_json_set(j, "prog_id", json_integer(link.prog_id));
		xb_json_set(j, "mode", json_string(xb_fp_mode_name(link.mode)));
		json_array_append_new(arr, j);
	}
	if (ifs)
		if_freenameindex(ifs);
	return arr;
}

static int do_show(struct ctl *c)
{
	json_t *j, *links, *tx, *progs, *v;
	struct xb_config cfg;
	struct xb_fp *fp;
	size_t i;
	int p;

	if (ctl_open(c, false, &fp))
		return CTL_FAIL;
	if (xb_fp_config_get(fp, &cfg)) {
		xb_fp_close(fp);
		return ctl_fail();
	}
	links = links_json(fp);
	tx = json_array();
	xb_fp_tx_port_foreach(fp, tx_port_cb, tx);
	progs = json_object();
	for (p = 0; p < XB_PROG_COUNT; p++)
		xb_json_set(progs, xb_fp_prog_name(p), json_integer(xb_fp_prog_pinned_id(fp, p)));
	if (c->json) {
		j = json_object();
		xb_json_set(j, "pin_dir", json_string(xb_fp_pin_dir(fp)));
		xb_json_set(j, "config", config_json(&cfg));
		xb_json_set(j, "max_streams", json_integer(xb_fp_max_streams(fp)));
		xb_json_set(j, "programs", progs);
		xb_json_set(j, "attached", links);
		xb_json_set(j, "tx_ports", tx);
		xb_json_print(stdout, j);
	} else {
		printf("pin-dir %s max-streams %u\n", xb_fp_pin_dir(fp), xb_fp_max_streams(fp));
		config_text(&cfg);
		for (p = 0; p < XB_PROG_COUNT; p++)
			printf("prog %s id %u%s\n", xb_fp_prog_name(p), xb_fp_prog_pinned_id(fp, p),
			       xb_fp_prog_pinned_id(fp, p) ? "" : " (not loaded)");
		json_array_foreach(links, i, v)
		{
			printf("dev %s prog %s id %lld mode %s\n",
			       json_string_value(json_object_get(v, "dev")),
			       json_string_value(json_object_get(v, "prog")),
			       json_integer_value(json_object_get(v, "prog_id")),
			       json_string_value(json_object_get(v, "mode")));
		}
		printf("tx-ports");
		json_array_foreach(tx, i, v) printf(" %s", json_string_value(v));
		printf("%s\n", json_array_size(tx) ? "" : " none");
		json_decref(links);
		json_decref(tx);
		json_decref(progs);
	}
	xb_fp_close(fp);
	return CTL_OK;
}

int ctl_print_stats(struct ctl *c, const unsigned int *which, size_t n)
{
	uint64_t st[XB_STAT_MAX];
	struct xb_fp *fp;
	json_t *j;
	size_t i;
	int r;

	if (ctl_open(c, false, &fp))
		return CTL_FAIL;
	r = xb_fp_stats_read(fp, st);
	xb_fp_close(fp);
	if (r)
		return ctl_fail();
	if (c->json) {
		j = json_object();
		for (i = 0; i < n; i++)
			xb_json_set(j, xb_stat_name(which[i]), xb_json_u64(st[which[i]]));
		return xb_json_print(stdout, j) ? CTL_FAIL : CTL_OK;
	}
	for (i = 0; i < n; i++)
		printf("%-24s %llu\n", xb_stat_name(which[i]), (unsigned long long)st[which[i]]);
	return CTL_OK;
}

static int do_stats(struct ctl *c)
{
	unsigned int all[XB_STAT_MAX];
	unsigned int i;

	for (i = 0; i < XB_STAT_MAX; i++)
		all[i] = i;
	return ctl_print_stats(c, all, XB_STAT_MAX);
}

static int do_config(struct ctl *c, int argc, char **argv)
{
	struct ctl_kw kws[] = { KW("ports"), KW("drop-unknown"), KW_END };
	struct xb_config cfg;
	struct xb_fp *fp;
	bool on;
	int r;

	r = ctl_parse_kw(argc, argv, kws, "fastpath config");
	if (r)
		return r;
	if (ctl_open(c, argc > 0, &fp))
		return CTL_FAIL;
	if (xb_fp_config_get(fp, &cfg))
		goto fail;
	if (kws[0].seen &&
	    xb_parse_port_range(kws[0].value, &cfg.relay_port_min, &cfg.relay_port_max)) {
		xb_fp_close(fp);
		return ctl_usage("%s", xb_errmsg());
	}
	if (kws[1].seen) {
		if (xb_parse_bool(kws[1].value, &on)) {
			xb_fp_close(fp);
			return ctl_usage("%s", xb_errmsg());
		}
		cfg.flags = on ? cfg.flags | XB_CFG_DROP_UNKNOWN : cfg.flags & ~XB_CFG_DROP_UNKNOWN;
	}
	if (argc > 0 && (xb_fp_config_set(fp, &cfg) || xb_fp_config_get(fp, &cfg)))
		goto fail;
	xb_fp_close(fp);
	if (c->json)
		return xb_json_print(stdout, config_json(&cfg)) ? CTL_FAIL : CTL_OK;
	config_text(&cfg);
	return CTL_OK;
fail:
	xb_fp_close(fp);
	return ctl_fail();
}

static int do_init(struct ctl *c, int argc, char **argv)
{
	struct ctl_kw kws[] = { KW("max-streams"), KW_END };
	struct xb_fp_opts opts = { .pin_dir = c->pin_dir };
	struct xb_fp *fp;
	int r;

	r = ctl_parse_kw(argc, argv, kws, "fastpath init");
	if (r)
		return r;
	/* id 0 is reserved, so a table needs room for at least one more */
	if (kws[0].seen && xb_parse_u32(kws[0].value, 1U << 24, &opts.max_streams))
		return ctl_usage("%s", xb_errmsg());
	if (kws[0].seen && opts.max_streams < 2)
		return ctl_usage("max-streams must be at least 2");
	if (xb_fp_open(&opts, &fp))
		return ctl_fail();
	if (!xb_fp_created(fp) && kws[0].seen && xb_fp_max_streams(fp) != opts.max_streams)
		ctl_note("maps already pinned under %s with max-streams %u; kept",
			 xb_fp_pin_dir(fp), xb_fp_max_streams(fp));
	if (c->json) {
		json_t *j = json_object();

		xb_json_set(j, "pin_dir", json_string(xb_fp_pin_dir(fp)));
		xb_json_set(j, "created", json_boolean(xb_fp_created(fp)));
		xb_json_set(j, "max_streams", json_integer(xb_fp_max_streams(fp)));
		xb_json_print(stdout, j);
	} else {
		printf("%s maps under %s (max-streams %u)\n",
		       xb_fp_created(fp) ? "created" : "found", xb_fp_pin_dir(fp),
		       xb_fp_max_streams(fp));
	}
	xb_fp_close(fp);
	return CTL_OK;
}

int cmd_fastpath(struct ctl *c, int argc, char **argv)
{
	if (argc < 1 || !strcmp(argv[0], "show"))
		return argc > 1 ? ctl_usage("fastpath show takes no arguments") : do_show(c);
	if (!strcmp(argv[0], "attach"))
		return do_attach(c, argc - 1, argv + 1);
	if (!strcmp(argv[0], "detach"))
		return do_detach(c, argc - 1, argv + 1);
	if (!strcmp(argv[0], "stats"))
		return argc > 1 ? ctl_usage("fastpath stats takes no arguments") : do_stats(c);
	if (!strcmp(argv[0], "config"))
		return do_config(c, argc - 1, argv + 1);
	if (!strcmp(argv[0], "init"))
		return do_init(c, argc - 1, argv + 1);
	return ctl_usage("unknown fastpath command '%.32s'", argv[0]);
}
