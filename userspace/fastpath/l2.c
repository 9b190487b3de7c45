// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Layer-2 details for streams: the egress device's MAC and the next hop's
 * MAC, asked from the kernel over rtnetlink (one route get, one neighbour
 * get), so the fast path can write Ethernet headers without a FIB lookup.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/if_arp.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "common/err.h"
#include "fastpath/internal.h"

int xb_l2_dev_mac(int ifindex, uint8_t mac[6])
{
	struct ifreq ifr;
	int fd, err = 0;

	memset(&ifr, 0, sizeof(ifr));
	if (!if_indextoname((unsigned int)ifindex, ifr.ifr_name))
		return xb_err(ENODEV, "no device with ifindex %d", ifindex);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return xb_err(errno, "socket: %s", strerror(errno));
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		err = xb_err(errno, "cannot read the MAC of %s: %s", ifr.ifr_name, strerror(errno));
	else if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
		err = xb_err(EPROTONOSUPPORT, "%s is not an Ethernet device", ifr.ifr_name);
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
	return err;
}

struct nl_req {
	struct nlmsghdr nh;
	union {
		struct rtmsg rt;
		struct ndmsg nd;
	};
	char attrs[64];
};

static void add_attr(struct nl_req *req, unsigned short type, const void *data, size_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)req + NLMSG_ALIGN(req->nh.nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	req->nh.nlmsg_len = NLMSG_ALIGN(req->nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

/*
 * One rtnetlink socket per process, opened on first use: the controller
 * resolves next hops for every stream it installs, and a socket per lookup
 * cost it a tenth of its CPU at a few hundred calls per second. Replies are
 * matched by sequence number, so a late reply to an earlier request that
 * timed out is skipped rather than taken for the current one.
 */
static int nl_fd = -1;
static uint32_t nl_seq;

static int nl_socket(void)
{
	struct timeval tv = { .tv_sec = 1 }; /* the kernel answers at once */

	if (nl_fd >= 0)
		return nl_fd;
	nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nl_fd < 0)
		return xb_err(errno, "netlink socket: %s", strerror(errno));
	setsockopt(nl_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return nl_fd;
}

/* Send one request and receive its single reply into buf. */
static int nl_transact(struct nl_req *req, char *buf, size_t len, struct nlmsghdr **reply)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct nlmsghdr *nh;
	int fd = nl_socket(), tries;
	ssize_t n;

	if (fd < 0)
		return fd;
	req->nh.nlmsg_flags = NLM_F_REQUEST;
	req->nh.nlmsg_seq = ++nl_seq;
	if (sendto(fd, req, req->nh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return xb_err(errno, "netlink send: %s", strerror(errno));
	for (tries = 0; tries < 8; tries++) {
		n = recv(fd, buf, len, 0);
		if (n < 0)
			return xb_err(errno, "netlink receive: %s", strerror(errno));
		nh = (struct nlmsghdr *)buf;
		if (!NLMSG_OK(nh, (size_t)n))
			return xb_err(EPROTO, "short netlink reply");
		if (nh->nlmsg_seq != nl_seq)
			continue; /* a stale reply */
		if (nh->nlmsg_type == NLMSG_ERROR) {
			struct nlmsgerr *e = NLMSG_DATA(nh);

			return nh->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) && e->error ? e->error
										     : -EPROTO;
		}
		*reply = nh;
		return 0;
	}
	return xb_err(EPROTO, "no netlink reply to request %u", nl_seq);
}

/* The attribute type of a reply, or NULL; bounds-checked. */
static struct rtattr *find_attr(struct nlmsghdr *nh, size_t hdr, unsigned short type)
{
	struct rtattr *rta;
	int len;

	if (nh->nlmsg_len < NLMSG_LENGTH(hdr))
		return NULL;
	len = (int)(nh->nlmsg_len - NLMSG_LENGTH(hdr));
	for (rta = (struct rtattr *)((char *)NLMSG_DATA(nh) + NLMSG_ALIGN(hdr)); RTA_OK(rta, len);
	     rta = RTA_NEXT(rta, len))
		if (rta->rta_type == type)
			return rta;
	return NULL;
}

static int addr_len(const struct xb_addr *a)
{
	return a->family == XB_AF_INET ? 4 : 16;
}

/* Gateway towards dst, or dst itself when it is on-link. */
static int next_hop(int ifindex, const struct xb_addr *dst, struct xb_addr *hop)
{
	char buf[4096];
	struct nl_req req;
	struct nlmsghdr *nh;
	struct rtattr *gw;
	__u32 oif = (__u32)ifindex;
	int err;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.rt));
	req.nh.nlmsg_type = RTM_GETROUTE;
	req.rt.rtm_family = dst->family;
	req.rt.rtm_dst_len = (unsigned char)(addr_len(dst) * 8);
	add_attr(&req, RTA_DST, dst->addr, (size_t)addr_len(dst));
	add_attr(&req, RTA_OIF, &oif, sizeof(oif));
	*hop = *dst;
	err = nl_transact(&req, buf, sizeof(buf), &nh);
	if (err)
		return err;
	gw = find_attr(nh, sizeof(struct rtmsg), RTA_GATEWAY);
	if (gw && RTA_PAYLOAD(gw) == (size_t)addr_len(dst))
		memcpy(hop->addr, RTA_DATA(gw), (size_t)addr_len(dst));
	return 0;
}

int xb_l2_next_hop_mac(int ifindex, const struct xb_addr *dst, uint8_t mac[6])
{
	char buf[4096], s[XB_ADDRSTRLEN];
	struct xb_addr hop;
	struct nl_req req;
	struct nlmsghdr *nh;
	struct ndmsg *nd;
	struct rtattr *ll;
	int err;

	if (dst->family != XB_AF_INET && dst->family != XB_AF_INET6)
		return xb_err(EINVAL, "unknown address family");
	err = next_hop(ifindex, dst, &hop);
	if (err)
		return xb_err(err, "no route to %s: %s", xb_fmt_addr(dst, s, sizeof(s)),
			      strerror(-err));
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.nd));
	req.nh.nlmsg_type = RTM_GETNEIGH;
	req.nd.ndm_family = hop.family;
	req.nd.ndm_ifindex = ifindex;
	add_attr(&req, NDA_DST, hop.addr, (size_t)addr_len(&hop));
	err = nl_transact(&req, buf, sizeof(buf), &nh);
	if (err)
		return xb_err(ENOENT, "no neighbour entry for %s", xb_fmt_addr(&hop, s, sizeof(s)));
	nd = NLMSG_DATA(nh);
	ll = find_attr(nh, sizeof(*nd), NDA_LLADDR);
	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*nd)) ||
	    !(nd->ndm_state &
	      (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT)) ||
	    !ll || RTA_PAYLOAD(ll) != 6)
		return xb_err(ENOENT, "neighbour %s is not resolved",
			      xb_fmt_addr(&hop, s, sizeof(s)));
	memcpy(mac, RTA_DATA(ll), 6);
	return 0;
}
