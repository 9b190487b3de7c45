// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * xborder-relay: the userspace relay as a daemon of its own, for hosts
 * without XDP, for the streams the fast path hands to the stack, and as
 * the baseline of the benchmarks. It works from the pinned maps alone
 * (creating them if nothing is pinned yet), so it runs next to or without
 * xborderd and the XDP program.
 *
 *   xborder-relay [-p PINDIR] [-i SYNC_MS] [-b BATCH] [-s STATS_FILE]
 *                 [-k KEYFILE] [-v|-q]
 *
 * SIGINT/SIGTERM stop it (counters are flushed to the maps first); SIGUSR1
 * prints the relay's counters as one JSON line on stdout. With -s the same
 * JSON is rewritten atomically to STATS_FILE after every sync and at exit.
 * With -k the SRTP contexts of XB_F_SRTP streams come from KEYFILE (one
 * context per line, as `xborderctl srtp add` takes them; mode 600), read
 * again on SIGHUP.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "common/addr.h"
#include "common/err.h"
#include "common/json.h"
#include "common/log.h"
#include "evloop/evloop.h"
#include "fastpath/fastpath.h"
#include "relay/relay.h"

struct daemon {
	struct xb_loop *loop;
	struct xb_relay *relay;
	const char *stats_file;
	const char *key_file;
	struct xb_timer stats_timer;
	unsigned int stats_ms;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: xborder-relay [-p PINDIR] [-i SYNC_MS] [-b BATCH] [-s STATS_FILE] "
		   "[-k KEYFILE] [-v|-q]\n");
}

/* Write the counters to a temporary file and rename it into place. */
static void write_stats(struct daemon *d)
{
	char tmp[4096];
	FILE *f;
	int n;

	if (!d->stats_file)
		return;
	n = snprintf(tmp, sizeof(tmp), "%s.tmp", d->stats_file);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return;
	f = fopen(tmp, "w");
	if (!f) {
		xb_log(XB_LOG_WARN, "cannot write %s: %s", tmp, strerror(errno));
		return;
	}
	xb_json_print(f, xb_relay_stats_json(d->relay));
	if (fclose(f) == 0)
		rename(tmp, d->stats_file);
}

static void stats_timer(struct xb_loop *loop, struct xb_timer *t, void *arg)
{
	struct daemon *d = arg;

	write_stats(d);
	xb_timer_arm(loop, t, d->stats_ms);
}

/* (Re)load the key file; a bad one leaves the contexts as they were. */
static int load_keys(struct daemon *d)
{
	int n;

	if (!d->key_file)
		return 0;
	n = xb_relay_srtp_load_file(d->relay, d->key_file);
	if (n < 0) {
		xb_log(XB_LOG_ERR, "%s", xb_errmsg());
		return n;
	}
	xb_log(XB_LOG_INFO, "%d SRTP contexts from %s", n, d->key_file);
	return 0;
}

static void on_signal(struct xb_loop *loop, int fd, uint32_t events, void *arg)
{
	struct signalfd_siginfo si;
	struct daemon *d = arg;

	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGUSR1) {
			xb_json_print(stdout, xb_relay_stats_json(d->relay));
			fflush(stdout);
		} else if (si.ssi_signo == SIGHUP) {
			load_keys(d);
		} else {
			xb_loop_stop(loop);
		}
	}
}

/* One socket per relay endpoint: allow as many as the hard limit does. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int parse_uint_opt(const char *opt, const char *val, uint32_t max, uint32_t *out)
{
	if (xb_parse_u32(val, max, out) || *out == 0) {
		fprintf(stderr, "xborder-relay: %s: a number from 1 to %u\n", opt, max);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct xb_relay_opts ropts = { 0 };
	struct xb_fp_opts fopts = { 0 };
	enum xb_log_level level = XB_LOG_INFO;
	struct daemon d = { .stats_ms = 100 };
	struct xb_relay_stats st;
	struct xb_fp *fp = NULL;
	int opt, err = 1;

	while ((opt = getopt(argc, argv, "p:i:b:s:k:vqh")) != -1) {
		switch (opt) {
		case 'p':
			fopts.pin_dir = optarg;
			break;
		case 'i':
			if (parse_uint_opt("-i", optarg, 60000, &ropts.sync_ms))
				return 2;
			break;
		case 'b':
			if (parse_uint_opt("-b", optarg, 256, &ropts.batch))
				return 2;
			break;
		case 's':
			d.stats_file = optarg;
			break;
		case 'k':
			d.key_file = optarg;
			break;
		case 'v':
			level = XB_LOG_DEBUG;
			break;
		case 'q':
			level = XB_LOG_WARN;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	xb_log_init("xborder-relay", level);
	signal(SIGPIPE, SIG_IGN);
	raise_fd_limit();

	d.loop = xb_loop_new();
	if (!d.loop) {
		xb_log(XB_LOG_ERR, "cannot create the event loop: %s", strerror(errno));
		return 1;
	}
	if (xb_loop_add_signal(d.loop, SIGINT, on_signal, &d) ||
	    xb_loop_add_signal(d.loop, SIGTERM, on_signal, &d) ||
	    xb_loop_add_signal(d.loop, SIGUSR1, on_signal, &d) ||
	    xb_loop_add_signal(d.loop, SIGHUP, on_signal, &d)) {
		xb_log(XB_LOG_ERR, "cannot handle signals");
		goto out;
	}
	if (xb_fp_open(&fopts, &fp)) {
		xb_log(XB_LOG_ERR, "%s", xb_errmsg());
		goto out;
	}
	if (xb_relay_new(fp, d.loop, &ropts, &d.relay)) {
		xb_log(XB_LOG_ERR, "%s", xb_errmsg());
		goto out;
	}
	if (load_keys(&d))
		goto out;
	xb_relay_get_stats(d.relay, &st);
	xb_log(XB_LOG_INFO, "relaying %llu streams on %llu endpoints from %s",
	       (unsigned long long)st.streams, (unsigned long long)st.sockets, xb_fp_pin_dir(fp));
	write_stats(&d);
	xb_timer_init(&d.stats_timer, stats_timer, &d);
	xb_timer_arm(d.loop, &d.stats_timer, d.stats_ms);

	err = xb_loop_run(d.loop) ? 1 : 0;
	xb_timer_cancel(d.loop, &d.stats_timer);
	write_stats(&d);
	xb_json_print(stdout, xb_relay_stats_json(d.relay));
out:
	xb_relay_free(d.relay);
	xb_fp_close(fp);
	xb_loop_free(d.loop);
	return err;
}
