// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SIP over UDP: one datagram is one message. The address each datagram was
 * sent to comes from IP_PKTINFO / IPV6_PKTINFO; ICMP errors for what we
 * sent come from the socket's error queue (IP_RECVERR) and are reported to
 * error_cb with the tag of the last send to that destination.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <linux/errqueue.h>
#include <netinet/in.h>

#include <xborder/fastpath.h>

#include "common/err.h"
#include "common/log.h"
#include "sip/transport_internal.h"

#define XBS_UDP_RCVBUF (4 << 20)

static void udp_io(struct xb_loop *loop, int fd, uint32_t events, void *arg);

int xbs_udp_open(struct xbs_lsock *ls)
{
	bool v6 = ls->cfg->local.a.family == XB_AF_INET6;
	int fd = xbs_bound_socket(ls, SOCK_DGRAM), one = 1, rcvbuf = XBS_UDP_RCVBUF, err;

	if (fd < 0)
		return fd;
	if ((v6 ? setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one))
		: setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one))) < 0 ||
	    (v6 ? setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &one, sizeof(one))
		: setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one))) < 0) {
		err = xb_err(-errno, "listener '%s': setsockopt: %s", ls->cfg->name,
			     strerror(errno));
		close(fd);
		return err;
	}
	/*
	 * A call burst arrives faster than one loop round drains it; the
	 * default buffer (~200 KiB) overflows at a few hundred calls/s. FORCE
	 * passes net.core.rmem_max as root; without privilege the plain
	 * option gives what the sysctl allows. Neither failing is fatal.
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	err = xb_loop_add_fd(ls->t->loop, fd, EPOLLIN, udp_io, ls);
	if (err) {
		close(fd);
		return xb_err(err, "listener '%s': event loop: %s", ls->cfg->name, strerror(-err));
	}
	ls->fd = fd;
	return 0;
}

static struct xbs_tag *tag_slot(struct xbs_transport *t, const struct xb_endpoint *dest)
{
	unsigned int h = xbs_addr_hash(&dest->a, t->seed) ^ (dest->port * 2654435761u);

	return &t->tags[h % XBS_TAG_SLOTS];
}

/* Errors a UDP socket reports once on the next call after an ICMP error
 * for an earlier datagram: not about this call. */
static bool is_icmp_errno(int e)
{
	return e == ECONNREFUSED || e == EHOSTUNREACH || e == ENETUNREACH || e == EHOSTDOWN ||
	       e == EPROTO || e == EMSGSIZE || e == ENOPROTOOPT || e == EACCES;
}

int xbs_udp_send(struct xbs_lsock *ls, const struct xb_endpoint *dest, uint64_t tag,
		 const char *msg, size_t len)
{
	struct xbs_transport *t = ls->t;
	struct sockaddr_storage ss;
	char ep[XB_ADDRSTRLEN];
	struct xbs_tag *slot;
	socklen_t sl;
	ssize_t n = -1;
	int tries;

	if (dest->a.family != ls->cfg->local.a.family || xbs_sockaddr(dest, &ss, &sl))
		return xb_err(-EAFNOSUPPORT, "listener '%s' cannot reach %s", ls->cfg->name,
			      xb_fmt_endpoint(dest, ep, sizeof(ep)));
	for (tries = 0; tries < 2 && n < 0; tries++) {
		n = sendto(ls->fd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&ss,
			   sl);
		/* EMSGSIZE of this datagram is real: don't retry it. */
		if (n < 0 && (!is_icmp_errno(errno) || errno == EMSGSIZE))
			break;
	}
	if (n < 0) {
		int err = -errno;

		t->c.udp_send_errors++;
		return xb_err(err, "send to %s: %s", xb_fmt_endpoint(dest, ep, sizeof(ep)),
			      strerror(-err));
	}
	t->c.udp_tx++;
	slot = tag_slot(t, dest);
	slot->dest = *dest;
	slot->tag = tag;
	slot->when_ns = xb_now_ns();
	return 0;
}

static void report_icmp(struct xbs_lsock *ls, const struct sockaddr *to,
			const struct sock_extended_err *ee)
{
	struct xbs_transport *t = ls->t;
	struct xb_endpoint dest;
	struct xbs_tag *slot;
	uint64_t tag;

	if (ee->ee_origin != SO_EE_ORIGIN_ICMP && ee->ee_origin != SO_EE_ORIGIN_ICMP6)
		return;
	t->c.udp_icmp_errors++;
	if (xbs_endpoint(to, &dest))
		return;
	slot = tag_slot(t, &dest);
	if (!slot->when_ns || !xbs_endpoint_equal(&slot->dest, &dest) ||
	    xb_now_ns() - slot->when_ns > XBS_TAG_TTL_NS)
		return; /* nothing recent of ours went there */
	tag = slot->tag;
	slot->when_ns = 0; /* one report per send */
	if (t->error_cb)
		t->error_cb(t->arg, &dest, XBD_TRANSPORT_UDP, tag,
			    ee->ee_errno ? -(int)ee->ee_errno : -EHOSTUNREACH);
}

static void udp_read_errors(struct xbs_lsock *ls)
{
	int i, soerr;
	socklen_t sl = sizeof(soerr);

	for (i = 0; i < XBS_UDP_BATCH; i++) {
		char data[256], cbuf[512];
		struct sockaddr_storage ss;
		struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
		struct msghdr mh = {
			.msg_name = &ss,
			.msg_namelen = sizeof(ss),
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = cbuf,
			.msg_controllen = sizeof(cbuf),
		};
		struct cmsghdr *cm;

		if (recvmsg(ls->fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
			break;
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			if ((cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_RECVERR) ||
			    (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_RECVERR))
				report_icmp(ls, (struct sockaddr *)&ss,
					    (const struct sock_extended_err *)CMSG_DATA(cm));
		}
	}
	/* A pending socket error would keep EPOLLERR up; it was just reported. */
	getsockopt(ls->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
}

/* The address the datagram was sent to, from its IP_PKTINFO. */
static void pktinfo_local(struct xbs_lsock *ls, struct msghdr *mh, struct xb_endpoint *local)
{
	struct cmsghdr *cm;

	*local = ls->bound;
	for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			memset(local->a.addr, 0, sizeof(local->a.addr));
			memcpy(local->a.addr, &pi.ipi_addr, 4);
		} else if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi6;

			memcpy(&pi6, CMSG_DATA(cm), sizeof(pi6));
			memcpy(local->a.addr, &pi6.ipi6_addr, 16);
		}
	}
}

/* Only CR and LF: a keep-alive some user agents send over UDP too. */
static bool only_crlf(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != '\r' && p[i] != '\n')
			return false;
	return true;
}

static void udp_read(struct xbs_lsock *ls)
{
	struct xbs_transport *t = ls->t;
	int i;

	for (i = 0; i < XBS_UDP_BATCH; i++) {
		char cbuf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(64)];
		struct sockaddr_storage ss;
		struct iovec iov = { .iov_base = t->udp_buf, .iov_len = t->max_msg + 1 };
		struct msghdr mh = {
			.msg_name = &ss,
			.msg_namelen = sizeof(ss),
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = cbuf,
			.msg_controllen = sizeof(cbuf),
		};
		struct xbs_source src = { .listener = ls->cfg, .transport = XBD_TRANSPORT_UDP };
		ssize_t n = recvmsg(ls->fd, &mh, MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR || is_icmp_errno(errno))
				continue; /* the error queue has the details */
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				xb_log(XB_LOG_WARN, "listener '%s': recvmsg: %s", ls->cfg->name,
				       strerror(errno));
			break;
		}
		if ((mh.msg_flags & MSG_TRUNC) || (size_t)n > t->max_msg) {
			t->c.udp_oversize++;
			continue;
		}
		if (only_crlf(t->udp_buf, n)) {
			t->c.udp_keepalives++;
			continue;
		}
		if (xbs_endpoint((struct sockaddr *)&ss, &src.remote))
			continue;
		pktinfo_local(ls, &mh, &src.local);
		t->c.udp_rx++;
		t->recv_cb(t->arg, t->udp_buf, n, &src);
	}
}

static void udp_io(struct xb_loop *loop, int fd, uint32_t events, void *arg)
{
	struct xbs_lsock *ls = arg;

	if (events & EPOLLERR)
		udp_read_errors(ls);
	if (events & EPOLLIN)
		udp_read(ls);
}
