// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * xborderctl: the command-line interface to the fast path (and later to
 * xborderd). Documentation/xborderctl.md is the reference.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "xborderctl/daemon.h"
#include "xborderctl/ipsec.h"
#include "xborderctl/route.h"
#include "xborderctl/srtp.h"
#include "xborderctl/xborderctl.h"

static const char usage_fastpath[] =
	"usage: xborderctl [-j] [-v] [-p PINDIR] [-s SOCKET] OBJECT COMMAND [ARGS]\n"
	"  -j            JSON output, one document per line\n"
	"  -v            verbose (libbpf log, verifier output)\n"
	"  -p PINDIR     BPF pin directory (default $XB_PIN_DIR, else " XB_PIN_DIR ")\n"
	"  -s SOCKET     xborderd control socket\n"
	"\n"
	"  fastpath attach DEV [mode auto|native|generic] [prog main|pass] [force]\n"
	"  fastpath detach DEV [force]\n"
	"  fastpath show | stats | init [max-streams N]\n"
	"  fastpath config [ports LO-HI] [drop-unknown on|off]\n"
	"  stream add|replace local ADDR:PORT [remote ADDR:PORT] [source ADDR:PORT]\n"
	"         [dev DEV] [fib] [smac MAC] [dmac MAC] [vlan VID] [dscp N]\n"
	"         [pass|drop] [learn] [rtp] [strict ADDR:PORT] [srtp|srtp-protect CTX]\n"
	"         [expires SECS]\n"
	"  stream del ID | del local ADDR:PORT\n"
	"  stream list | show ID | show local ADDR:PORT\n"
	"  guard port add udp|tcp PORT [allowlist] [rate PPS burst N]\n"
	"  guard port del udp|tcp PORT | port list\n"
	"  guard allow add PREFIX [peer ID] | allow del PREFIX | allow list\n"
	"  guard block add PREFIX [expires SECS] [peer ID] | block del PREFIX | block list\n"
	"  guard stats\n";

static void usage(FILE *f)
{
	fputs(usage_fastpath, f);
	fputs(ctl_daemon_usage, f);
	fputs(ctl_ipsec_usage, f);
	fputs(ctl_route_usage, f);
	fputs(ctl_srtp_usage, f);
}

int main(int argc, char **argv)
{
	const char *sock = NULL;
	struct ctl c = { 0 };
	enum xb_log_level level = XB_LOG_WARN;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "-json")) {
			c.json = true;
		} else if (!strcmp(argv[i], "-v")) {
			level = XB_LOG_DEBUG;
		} else if (!strcmp(argv[i], "-p")) {
			if (++i >= argc)
				return ctl_usage("-p needs a directory");
			c.pin_dir = argv[i];
		} else if (!strcmp(argv[i], "-s")) {
			if (++i >= argc)
				return ctl_usage("-s needs a socket path");
			sock = argv[i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return CTL_OK;
		} else {
			return ctl_usage("unknown option '%.32s'", argv[i]);
		}
	}
	xb_log_init("xborderctl", level);
	if (i >= argc) {
		usage(stderr);
		return CTL_USAGE;
	}
	if (!strcmp(argv[i], "help")) {
		usage(stdout);
		return CTL_OK;
	}
	if (!strcmp(argv[i], "fastpath"))
		return cmd_fastpath(&c, argc - i - 1, argv + i + 1);
	if (!strcmp(argv[i], "stream"))
		return cmd_stream(&c, argc - i - 1, argv + i + 1);
	if (!strcmp(argv[i], "guard"))
		return cmd_guard(&c, argc - i - 1, argv + i + 1);
	if (!strcmp(argv[i], "ipsec"))
		return cmd_ipsec(&c, argc - i - 1, argv + i + 1);
	if (!strcmp(argv[i], "route"))
		return cmd_route(&c, argc - i - 1, argv + i + 1);
	if (!strcmp(argv[i], "srtp"))
		return cmd_srtp(&c, argc - i - 1, argv + i + 1);
	if (ctl_daemon_object(argv[i]))
		return cmd_daemon(&c, sock, argc - i, argv + i);
	return ctl_usage("unknown object '%.32s'", argv[i]);
}
