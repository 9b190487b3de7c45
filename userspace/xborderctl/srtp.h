/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xborderctl srtp: xborder.ko's SRTP contexts (Documentation/kernel-module.md). */
#ifndef XBORDERCTL_SRTP_H
#define XBORDERCTL_SRTP_H

#include "xborderctl/xborderctl.h"

extern const char ctl_srtp_usage[];

int cmd_srtp(struct ctl *c, int argc, char **argv);

#endif
