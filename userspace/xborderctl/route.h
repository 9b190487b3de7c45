/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `xborderctl route lookup URI`: discovery run locally (route.c). */
#ifndef XBORDERCTL_ROUTE_H
#define XBORDERCTL_ROUTE_H

#include "xborderctl/xborderctl.h"

extern const char ctl_route_usage[];
int cmd_route(struct ctl *c, int argc, char **argv);

#endif
