/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xborderctl ipsec: xborder's XFRM state (Documentation/ipsec.md). */
#ifndef XBORDERCTL_IPSEC_H
#define XBORDERCTL_IPSEC_H

#include "xborderctl/xborderctl.h"

extern const char ctl_ipsec_usage[];

int cmd_ipsec(struct ctl *c, int argc, char **argv);

#endif
