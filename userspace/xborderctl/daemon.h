/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xborderctl commands served by xborderd over its control socket: call,
 * peer, stats, config. The JSON each returns is described in
 * Documentation/xborderctl-daemon.md.
 */
#ifndef XBORDERCTL_DAEMON_H
#define XBORDERCTL_DAEMON_H

#include <stdbool.h>

#include "xborderctl/xborderctl.h"

/* How long a command waits for xborderd's reply. */
#define CTL_DAEMON_TIMEOUT_MS 5000

/* Lines for the usage text. */
extern const char ctl_daemon_usage[];

/* True when OBJECT is one of the daemon's (call, peer, stats, config). */
bool ctl_daemon_object(const char *object);

/*
 * Runs `OBJECT [COMMAND [ARGS]]` (ARGV[0] is the object) against the control
 * socket SOCK (NULL: XBC_DEFAULT_SOCKET). Returns CTL_OK, CTL_FAIL or
 * CTL_USAGE.
 */
int cmd_daemon(struct ctl *c, const char *sock, int argc, char **argv);

#endif
