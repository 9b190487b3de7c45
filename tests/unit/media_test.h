/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Set-up shared by the media unit tests (media_api, media_ipsec, media_srtp). */
#ifndef XB_TEST_MEDIA_TEST_H
#define XB_TEST_MEDIA_TEST_H

#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "common/addr.h"
#include "config/config.h"

static void rm_tree(const char *dir)
{
	char path[600];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (unlink(path) && errno == EISDIR)
			rm_tree(path);
	}
	closedir(d);
	rmdir(dir);
}

/* A private network namespace with loopback up. */
static int private_netns(void)
{
	struct ifreq ifr;
	int fd, err;

	if (unshare(CLONE_NEWNET))
		return -errno;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	err = ioctl(fd, SIOCGIFFLAGS, &ifr);
	ifr.ifr_flags |= IFF_UP;
	if (!err)
		err = ioctl(fd, SIOCSIFFLAGS, &ifr);
	close(fd);
	return err ? -errno : 0;
}

static void set_iface(struct xbd_media_iface *mi, const char *name, const char *addr, uint16_t lo,
		      uint16_t hi)
{
	memset(mi, 0, sizeof(*mi));
	snprintf(mi->name, sizeof(mi->name), "%s", name);
	xb_parse_addr(addr, &mi->address);
	mi->port_min = lo;
	mi->port_max = hi;
}

#endif
