// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * xborderctl ipsec show | apply | flush | check: the IPsec SAs and
 * policies xborder owns, straight from the kernel (no daemon needed), for
 * operators and tests. apply and flush change the kernel exactly as
 * xborderd does at start-up and exit.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/err.h"
#include "common/json.h"
#include "config/config.h"
#include "ipsec/ipsec.h"
#include "xborderctl/ipsec.h"

const char ctl_ipsec_usage[] =
	"  ipsec show [-f CONFIG]                 xborder's SAs and policies, counters\n"
	"  ipsec apply -f CONFIG [wait SECS]      install/adopt the IPsec peers of CONFIG\n"
	"  ipsec check -f CONFIG                  validate CONFIG (and its key files)\n"
	"  ipsec flush [-f CONFIG]                remove all of xborder's SAs and policies\n";

#define WAIT_MAX_S 3600
#define POLL_MS 250
/* the configuration's default state_dir, for flush without -f */
#define DEFAULT_STATE_DIR "/run/xborder"

/* Outbound sequence numbers survive flush and apply in STATE_DIR. */
static int keep_seqs(struct xb_ipsec *x, const char *state_dir)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/ipsec-seq", state_dir);
	return xb_ipsec_set_seq_file(x, path);
}

/* "-f CONFIG" (required or not) and "wait SECS" (when allowed). */
static int parse_args(int argc, char **argv, bool need_config, bool allow_wait, const char *ctx,
		      const char **config, uint32_t *wait_s)
{
	int i;

	*config = NULL;
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-f") || !strcmp(argv[i], "config")) {
			if (++i >= argc)
				return ctl_usage("%s needs a file name", argv[i - 1]);
			if (*config)
				return ctl_usage("-f given twice");
			*config = argv[i];
		} else if (allow_wait && !strcmp(argv[i], "wait")) {
			if (++i >= argc)
				return ctl_usage("wait needs a number of seconds");
			if (xb_parse_u32(argv[i], WAIT_MAX_S, wait_s))
				return ctl_usage("wait: %s", xb_errmsg());
		} else {
			return ctl_usage("unknown argument '%.64s' for %s", argv[i], ctx);
		}
	}
	if (need_config && !*config)
		return ctl_usage("%s needs -f CONFIG", ctx);
	return CTL_OK;
}

static int load_config(const char *path, struct xbd_config *cfg)
{
	if (xbd_config_load(path, cfg))
		return ctl_fail();
	return CTL_OK;
}

static void add(struct xb_ipsec_result *sum, const struct xb_ipsec_result *r)
{
	sum->sa_added += r->sa_added;
	sum->sa_replaced += r->sa_replaced;
	sum->sa_updated += r->sa_updated;
	sum->sa_removed += r->sa_removed;
	sum->sp_added += r->sp_added;
	sum->sp_updated += r->sp_updated;
	sum->sp_removed += r->sp_removed;
	/* kept, pending and missing: as of the last pass */
	sum->sa_kept = r->sa_kept;
	sum->sp_kept = r->sp_kept;
	sum->pending = r->pending;
	sum->next_s = r->next_s;
	sum->ike_missing = r->ike_missing;
}

static int print_result(struct ctl *c, const struct xb_ipsec_result *r, unsigned int passes)
{
	if (c->json) {
		json_t *o = json_pack(
			"{s:{s:i,s:i,s:i,s:i,s:i,s:i},s:{s:i,s:i,s:i,s:i,s:i},s:b,s:i,s:i,s:i}",
			"sas", "found", r->sa_found, "added", r->sa_added, "replaced",
			r->sa_replaced, "updated", r->sa_updated, "removed", r->sa_removed, "kept",
			r->sa_kept, "policies", "found", r->sp_found, "added", r->sp_added,
			"updated", r->sp_updated, "removed", r->sp_removed, "kept", r->sp_kept,
			"pending", r->pending, "next_s", r->next_s, "ike_missing", r->ike_missing,
			"passes", passes);

		if (!o || xb_json_print(stdout, o))
			return CTL_FAIL;
		return CTL_OK;
	}
	printf("SAs: %u found, %u added, %u replaced, %u updated, %u removed, %u kept\n",
	       r->sa_found, r->sa_added, r->sa_replaced, r->sa_updated, r->sa_removed, r->sa_kept);
	printf("policies: %u found, %u added, %u updated, %u removed, %u kept\n", r->sp_found,
	       r->sp_added, r->sp_updated, r->sp_removed, r->sp_kept);
	if (r->pending)
		printf("rekey in progress: next step in %us (run apply again)\n", r->next_s);
	if (r->ike_missing)
		printf("%u IKE peer(s) without their SAs or policies\n", r->ike_missing);
	return CTL_OK;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int cmd_apply(struct ctl *c, int argc, char **argv)
{
	struct xb_ipsec_result sum, r;
	struct xbd_config cfg;
	struct xb_ipsec *x = NULL;
	const char *path;
	uint32_t wait_s = 0;
	unsigned int passes = 0;
	uint64_t deadline;
	int ret;

	ret = parse_args(argc, argv, true, true, "ipsec apply", &path, &wait_s);
	if (ret)
		return ret;
	if ((ret = load_config(path, &cfg)))
		return ret;
	if (xb_ipsec_open(&x) || keep_seqs(x, cfg.state_dir)) {
		xb_ipsec_close(x);
		xbd_config_free(&cfg);
		return ctl_fail();
	}
	memset(&sum, 0, sizeof(sum));
	deadline = mono_ms() + (uint64_t)wait_s * 1000;
	/* a rekey advances on each pass; with wait, keep passing until done */
	for (;;) {
		if (xb_ipsec_apply(x, &cfg, &r)) {
			ret = ctl_fail();
			goto out;
		}
		if (!passes) {
			sum.sa_found = r.sa_found;
			sum.sp_found = r.sp_found;
		}
		add(&sum, &r);
		passes++;
		if (!r.pending || mono_ms() >= deadline)
			break;
		sleep_ms(POLL_MS);
	}
	ret = print_result(c, &sum, passes);
	if (!ret && wait_s && sum.pending) {
		ctl_note("the rekey is still in progress after %us", wait_s);
		ret = CTL_FAIL;
	}
out:
	xb_ipsec_close(x);
	xbd_config_free(&cfg);
	return ret;
}

static int cmd_flush(struct ctl *c, int argc, char **argv)
{
	struct xb_ipsec_result r;
	struct xbd_config cfg;
	struct xb_ipsec *x = NULL;
	const char *path;
	uint32_t unused = 0;
	int ret;

	memset(&cfg, 0, sizeof(cfg));
	ret = parse_args(argc, argv, false, false, "ipsec flush", &path, &unused);
	if (ret || (path && (ret = load_config(path, &cfg))))
		return ret;
	if (xb_ipsec_open(&x) || keep_seqs(x, path ? cfg.state_dir : DEFAULT_STATE_DIR))
		ret = ctl_fail();
	else
		ret = xb_ipsec_remove_all(x, &r) ? ctl_fail() : print_result(c, &r, 1);
	xb_ipsec_close(x);
	xbd_config_free(&cfg);
	return ret;
}

static int cmd_check(struct ctl *c, int argc, char **argv)
{
	struct xbd_config cfg;
	unsigned int i, n = 0;
	const char *path;
	uint32_t unused = 0;
	int ret;

	ret = parse_args(argc, argv, true, false, "ipsec check", &path, &unused);
	if (ret || (ret = load_config(path, &cfg)))
		return ret;
	for (i = 0; i < cfg.n_peers; i++)
		n += cfg.peers[i].ipsec.enabled;
	if (c->json) {
		json_t *o = json_pack("{s:b,s:i}", "ok", 1, "ipsec_peers", n);

		ret = o && !xb_json_print(stdout, o) ? CTL_OK : CTL_FAIL;
	} else {
		printf("%s: valid, %u IPsec peer(s)\n", path, n);
	}
	xbd_config_free(&cfg);
	return ret;
}

/* ---------------------------------------------------------------- show */

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "-";
}

static long long num(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

static void print_show(json_t *doc)
{
	json_t *e, *t;
	size_t i;

	json_array_foreach(json_object_get(doc, "peers"), i, e)
	{
		printf("peer %s %s keys %s %s <-> %s: %lld SAs, %lld policies, %s\n",
		       str(e, "name"), str(e, "mode"), str(e, "keys"), str(e, "local"),
		       str(e, "remote"), num(e, "sas"), num(e, "policies"),
		       json_is_true(json_object_get(e, "ok")) ? "ok" : "INCOMPLETE");
	}
	json_array_foreach(json_object_get(doc, "sas"), i, e)
	{
		printf("sa %s %s -> %s spi %s reqid %s %s %s replay-window %lld", str(e, "dir"),
		       str(e, "src"), str(e, "dst"), str(e, "spi"), str(e, "reqid"), str(e, "mode"),
		       str(e, "algorithm"), num(e, "replay_window"));
		if (json_object_get(e, "peer"))
			printf(" peer %s", str(e, "peer"));
		printf("\n    %lld bytes %lld packets, failed: replay %lld window %lld integrity "
		       "%lld\n",
		       num(e, "bytes"), num(e, "packets"), num(e, "replay_fail"),
		       num(e, "window_fail"), num(e, "integrity_fail"));
	}
	json_array_foreach(json_object_get(doc, "policies"), i, e)
	{
		t = json_object_get(e, "template");
		printf("policy %s %s prio 0x%llx tmpl %s -> %s spi %s reqid %s %s", str(e, "dir"),
		       str(e, "selector"), num(e, "priority"), str(t, "src"), str(t, "dst"),
		       str(t, "spi"), str(t, "reqid"), str(t, "mode"));
		if (json_object_get(e, "peer"))
			printf(" peer %s", str(e, "peer"));
		printf("\n");
	}
}

static int cmd_show(struct ctl *c, int argc, char **argv)
{
	struct xbd_config cfg;
	struct xb_ipsec *x;
	const char *path;
	uint32_t unused = 0;
	json_t *doc = NULL;
	int ret;

	memset(&cfg, 0, sizeof(cfg));
	ret = parse_args(argc, argv, false, false, "ipsec show", &path, &unused);
	if (ret || (path && (ret = load_config(path, &cfg))))
		return ret;
	if (xb_ipsec_open(&x)) {
		xbd_config_free(&cfg);
		return ctl_fail();
	}
	if (xb_ipsec_show(x, path ? &cfg : NULL, &doc)) {
		ret = ctl_fail();
	} else if (c->json) {
		ret = xb_json_print(stdout, doc) ? CTL_FAIL : CTL_OK;
		doc = NULL; /* released by xb_json_print */
	} else {
		print_show(doc);
	}
	json_decref(doc);
	xb_ipsec_close(x);
	xbd_config_free(&cfg);
	return ret;
}

int cmd_ipsec(struct ctl *c, int argc, char **argv)
{
	if (argc < 1)
		return ctl_usage("ipsec needs a command: show, apply, check, flush");
	if (!strcmp(argv[0], "show"))
		return cmd_show(c, argc - 1, argv + 1);
	if (!strcmp(argv[0], "apply"))
		return cmd_apply(c, argc - 1, argv + 1);
	if (!strcmp(argv[0], "flush"))
		return cmd_flush(c, argc - 1, argv + 1);
	if (!strcmp(argv[0], "check"))
		return cmd_check(c, argc - 1, argv + 1);
	return ctl_usage("unknown ipsec command '%.32s'", argv[0]);
}
