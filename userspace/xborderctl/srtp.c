// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * xborderctl srtp: xborder.ko's SRTP contexts over generic netlink, and the
 * XDP program that uses them (Documentation/kernel-module.md).
 *
 * Keys: `key -` reads the key from the first line of stdin, which keeps it
 * out of the process list; nothing here prints a key.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/addr.h"
#include "common/err.h"
#include "common/json.h"
#include "srtp/srtp.h"
#include "xborderctl/srtp.h"

const char ctl_srtp_usage[] =
	"  srtp info\n"
	"  srtp add|replace ID suite SUITE dir protect|unprotect key KEY|- [ssrc N]\n"
	"       [roc N] [seq N] [window N] [srtcp-index N]\n"
	"  srtp del ID | list | show ID\n"
	"  srtp xdp on|off|show\n";

#define KEY_LINE_MAX 128

/* Replace "key -" by a line read from stdin; line is wiped by the caller. */
static int key_from_stdin(int argc, char **argv, char *line)
{
	size_t n;
	int i;

	for (i = 1; i + 1 < argc; i++) {
		if (strcmp(argv[i], "key") || strcmp(argv[i + 1], "-"))
			continue;
		if (!fgets(line, KEY_LINE_MAX, stdin))
			return ctl_usage("key -: nothing to read on stdin");
		n = strcspn(line, "\r\n");
		line[n] = '\0';
		argv[i + 1] = line;
		return CTL_OK;
	}
	return CTL_OK;
}

static int do_add(int argc, char **argv, bool replace)
{
	char line[KEY_LINE_MAX] = "";
	struct xb_srtp_params p;
	struct xb_srtp_nl *nl;
	int r;

	if (argc < 1)
		return ctl_usage("srtp %s needs ID suite SUITE dir DIR key KEY",
				 replace ? "replace" : "add");
	r = key_from_stdin(argc, argv, line);
	if (!r && xb_srtp_params_parse(argc, argv, &p))
		r = ctl_usage("srtp %s: %s", replace ? "replace" : "add", xb_errmsg());
	explicit_bzero(line, sizeof(line));
	if (r)
		return r;
	if (xb_srtp_nl_open(&nl)) {
		xb_srtp_params_wipe(&p);
		return ctl_fail();
	}
	r = xb_srtp_nl_add(nl, &p, replace) ? ctl_fail() : CTL_OK;
	xb_srtp_params_wipe(&p);
	xb_srtp_nl_close(nl);
	return r;
}

static int parse_id(const char *ctx, int argc, char **argv, uint32_t *id)
{
	if (argc != 1)
		return ctl_usage("%s needs one context id", ctx);
	if (xb_parse_u32(argv[0], UINT32_MAX, id) || !*id)
		return ctl_usage("%s: context id must be 1 to %u", ctx, UINT32_MAX);
	return CTL_OK;
}

static int do_del(int argc, char **argv)
{
	struct xb_srtp_nl *nl;
	uint32_t id;
	int r;

	r = parse_id("srtp del", argc, argv, &id);
	if (r)
		return r;
	if (xb_srtp_nl_open(&nl))
		return ctl_fail();
	r = xb_srtp_nl_del(nl, id) ? ctl_fail() : CTL_OK;
	xb_srtp_nl_close(nl);
	return r;
}

static json_t *state_json(const struct xb_srtp_state *st)
{
	json_t *j = json_object();
	unsigned int i;

	xb_json_set(j, "id", json_integer(st->id));
	xb_json_set(j, "suite", json_string(xb_srtp_suite_name(st->suite)));
	xb_json_set(j, "dir", json_string(xb_srtp_dir_name(st->dir)));
	if (st->have_ssrc)
		xb_json_set(j, "ssrc", json_integer(st->ssrc));
	xb_json_set(j, "ssrc_fixed", json_boolean(st->ssrc_fixed));
	xb_json_set(j, "roc", json_integer(st->roc));
	if (st->have_seq)
		xb_json_set(j, "seq", json_integer(st->seq));
	xb_json_set(j, "window", json_integer(st->window));
	xb_json_set(j, "srtcp_index", json_integer(st->srtcp_index));
	for (i = 1; i <= XBORDER_STATS_MAX; i++)
		if (i != XBORDER_STATS_PAD)
			xb_json_set(j, xb_srtp_stat_name(i), xb_json_u64(st->stats[i]));
	return j;
}

static void state_print(const struct xb_srtp_state *st)
{
	char ssrc[16] = "any", seq[8] = "-";

	if (st->have_ssrc)
		snprintf(ssrc, sizeof(ssrc), "0x%08x%s", st->ssrc, st->ssrc_fixed ? "" : "*");
	if (st->have_seq)
		snprintf(seq, sizeof(seq), "%u", st->seq);
	printf("%-8u %-24s %-9s ssrc %-11s roc %-5u seq %-5s window %-4u srtcp %-5u packets %llu "
	       "rtcp %llu auth_fail %llu replay_fail %llu malformed %llu ssrc_mismatch %llu "
	       "errors %llu\n",
	       st->id, xb_srtp_suite_name(st->suite), xb_srtp_dir_name(st->dir), ssrc, st->roc, seq,
	       st->window, st->srtcp_index, (unsigned long long)st->stats[XBORDER_STATS_PACKETS],
	       (unsigned long long)st->stats[XBORDER_STATS_RTCP_PACKETS],
	       (unsigned long long)st->stats[XBORDER_STATS_AUTH_FAIL],
	       (unsigned long long)st->stats[XBORDER_STATS_REPLAY_FAIL],
	       (unsigned long long)st->stats[XBORDER_STATS_MALFORMED],
	       (unsigned long long)st->stats[XBORDER_STATS_SSRC_MISMATCH],
	       (unsigned long long)st->stats[XBORDER_STATS_ERRORS]);
}

static int list_one(const struct xb_srtp_state *st, void *arg)
{
	struct ctl *c = arg;

	if (c->json)
		return xb_json_print(stdout, state_json(st));
	state_print(st);
	return 0;
}

static int do_list(struct ctl *c, int argc, char **argv)
{
	struct xb_srtp_nl *nl;
	int r;

	if (argc)
		return ctl_usage("srtp list takes no arguments");
	if (xb_srtp_nl_open(&nl))
		return ctl_fail();
	r = xb_srtp_nl_dump(nl, list_one, c) ? ctl_fail() : CTL_OK;
	xb_srtp_nl_close(nl);
	return r;
}

static int do_show(struct ctl *c, int argc, char **argv)
{
	struct xb_srtp_state st;
	struct xb_srtp_nl *nl;
	uint32_t id;
	int r;

	r = parse_id("srtp show", argc, argv, &id);
	if (r)
		return r;
	if (xb_srtp_nl_open(&nl))
		return ctl_fail();
	r = xb_srtp_nl_get(nl, id, &st) ? ctl_fail() : CTL_OK;
	xb_srtp_nl_close(nl);
	if (!r)
		list_one(&st, c);
	return r;
}

static int do_info(struct ctl *c, int argc, char **argv)
{
	struct xb_srtp_info info;
	struct xb_srtp_nl *nl;
	json_t *j, *suites;
	unsigned int s;
	int r;

	if (argc)
		return ctl_usage("srtp info takes no arguments");
	if (xb_srtp_nl_open(&nl))
		return ctl_fail();
	r = xb_srtp_nl_info(nl, &info) ? ctl_fail() : CTL_OK;
	xb_srtp_nl_close(nl);
	if (r)
		return r;
	j = json_object();
	suites = json_array();
	xb_json_set(j, "version", json_string(info.version));
	xb_json_set(j, "selftest_passed", json_integer(info.selftest));
	for (s = 1; s <= XBORDER_SRTP_SUITE_MAX; s++)
		if (info.suites & (1U << s))
			json_array_append_new(suites, json_string(xb_srtp_suite_name(s)));
	xb_json_set(j, "suites", suites);
	xb_json_set(j, "contexts", json_integer(info.count));
	xb_json_set(j, "max_contexts", json_integer(info.max));
	if (c->json)
		return xb_json_print(stdout, j) ? CTL_FAIL : CTL_OK;
	printf("xborder.ko %s: self-test passed (%u known-answer tests), %u of %u contexts\n",
	       info.version, info.selftest, info.count, info.max);
	for (s = 0; s < json_array_size(suites); s++)
		printf("  %s\n", json_string_value(json_array_get(suites, s)));
	json_decref(j);
	return CTL_OK;
}

/* The XDP side: install or remove xb_xdp_srtp (needs the pinned fast path). */
static int do_xdp(struct ctl *c, int argc, char **argv)
{
	struct xb_fp *fp;
	uint32_t id = 0;
	int r = CTL_OK;

	if (argc != 1 ||
	    (strcmp(argv[0], "on") && strcmp(argv[0], "off") && strcmp(argv[0], "show")))
		return ctl_usage("srtp xdp needs on, off or show");
	r = ctl_open(c, strcmp(argv[0], "show") != 0, &fp);
	if (r)
		return r;
	if (!strcmp(argv[0], "on")) {
		if (xb_fp_srtp_enable(fp, &id))
			r = ctl_fail();
	} else if (!strcmp(argv[0], "off")) {
		if (xb_fp_srtp_disable(fp))
			r = ctl_fail();
	} else {
		id = xb_fp_srtp_prog_id(fp);
	}
	if (!r && strcmp(argv[0], "off")) {
		if (c->json) {
			json_t *j = json_object();

			xb_json_set(j, "prog_id", json_integer(id));
			xb_json_set(j, "module", json_boolean(xb_fp_srtp_module_present()));
			xb_json_print(stdout, j);
		} else {
			printf("SRTP XDP program: %s; xborder.ko %s\n",
			       id ? "installed" : "not installed",
			       xb_fp_srtp_module_present() ? "loaded" : "not loaded");
		}
	}
	xb_fp_close(fp);
	return r;
}

int cmd_srtp(struct ctl *c, int argc, char **argv)
{
	if (argc < 1)
		return ctl_usage("srtp needs a command: info, add, replace, del, list, show, xdp");
	if (!strcmp(argv[0], "info"))
		return do_info(c, argc - 1, argv + 1);
	if (!strcmp(argv[0], "add"))
		return do_add(argc - 1, argv + 1, false);
	if (!strcmp(argv[0], "replace"))
		return do_add(argc - 1, argv + 1, true);
	if (!strcmp(argv[0], "del"))
		return do_del(argc - 1, argv + 1);
	if (!strcmp(argv[0], "list"))
		return do_list(c, argc - 1, argv + 1);
	if (!strcmp(argv[0], "show"))
		return do_show(c, argc - 1, argv + 1);
	if (!strcmp(argv[0], "xdp"))
		return do_xdp(c, argc - 1, argv + 1);
	return ctl_usage("unknown srtp command '%.32s'", argv[0]);
}
