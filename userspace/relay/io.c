// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The userspace relay's data path: a batch of datagrams from one endpoint
 * (recvmmsg) all belong to one stream, so they leave through one socket
 * (sendmmsg), each with the TOS/traffic class the stream asks for.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include "common/log.h"
#include "relay/internal.h"

/* Batches per readiness event, so one busy endpoint cannot starve others. */
#define ROUNDS 4

int relay_io_init(struct xb_relay *r)
{
	unsigned int n = r->batch;

	r->rx = calloc(n, sizeof(*r->rx));
	r->tx = calloc(n, sizeof(*r->tx));
	r->rx_iov = calloc(n, sizeof(*r->rx_iov));
	r->tx_iov = calloc(n, sizeof(*r->tx_iov));
	r->rx_addr = calloc(n, sizeof(*r->rx_addr));
	r->bufs = malloc((size_t)n * RELAY_MTU);
	r->rx_ctl = calloc(n, RX_CTL_LEN);
	r->tx_ctl = calloc(n, TX_CTL_LEN);
	r->tx_bytes = calloc(n, sizeof(*r->tx_bytes));
	if (!r->rx || !r->tx || !r->rx_iov || !r->tx_iov || !r->rx_addr || !r->bufs || !r->rx_ctl ||
	    !r->tx_ctl || !r->tx_bytes)
		return -ENOMEM;
	return 0;
}

void relay_io_free(struct xb_relay *r)
{
	free(r->rx);
	free(r->tx);
	free(r->rx_iov);
	free(r->tx_iov);
	free(r->rx_addr);
	free(r->bufs);
	free(r->rx_ctl);
	free(r->tx_ctl);
	free(r->tx_bytes);
}

/* Did our XDP program see (and count) what arrived on this device? */
static bool xdp_counted(struct xb_relay *r, int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	unsigned int i;
	bool xdp;

	if (!ifindex || !r->xdp_prog_id)
		return false;
	for (i = 0; i < r->nxdp; i++)
		if (r->xdp_cache[i].ifindex == ifindex)
			return r->xdp_cache[i].xdp;
	xdp = bpf_xdp_query(ifindex, 0, &q) == 0 &&
	      (q.drv_prog_id == r->xdp_prog_id || q.skb_prog_id == r->xdp_prog_id);
	if (r->nxdp < RELAY_XDP_CACHE) {
		r->xdp_cache[r->nxdp].ifindex = ifindex;
		r->xdp_cache[r->nxdp].xdp = xdp;
		r->nxdp++;
	}
	return xdp;
}

/* Source endpoint of a received datagram. */
static bool from_endpoint(const struct sockaddr_storage *ss, struct xb_endpoint *e)
{
	memset(e, 0, sizeof(*e));
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

		e->a.family = XB_AF_INET;
		memcpy(e->a.addr, &sin->sin_addr, 4);
		e->port = ntohs(sin->sin_port);
		return true;
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

		e->a.family = XB_AF_INET6;
		memcpy(e->a.addr, &sin6->sin6_addr, 16);
		e->port = ntohs(sin6->sin6_port);
		return true;
	}
	return false;
}

/* Ingress device and TOS/traffic class from the control messages. */
static void parse_ctl(struct msghdr *m, int *ifindex, int *tos)
{
	struct cmsghdr *c;

	*ifindex = 0;
	*tos = -1;
	for (c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			*ifindex = pi.ipi_ifindex;
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO &&
			   c->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo))) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			*ifindex = (int)pi.ipi6_ifindex;
		} else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TOS &&
			   c->cmsg_len >= CMSG_LEN(1)) {
			*tos = *(uint8_t *)CMSG_DATA(c);
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_TCLASS &&
			   c->cmsg_len >= CMSG_LEN(sizeof(int))) {
			int v;

			memcpy(&v, CMSG_DATA(c), sizeof(v));
			*tos = v & 0xff;
		}
	}
}

/* The outgoing TOS: the stream's DSCP with the packet's ECN, or as is. */
static void set_tos(struct msghdr *m, char *ctl, uint8_t family, uint8_t dscp, int tos_in)
{
	struct cmsghdr *c;
	int tos;

	if (dscp == XB_DSCP_KEEP && tos_in <= 0)
		return;
	tos = dscp == XB_DSCP_KEEP ? tos_in : (dscp << 2) | (tos_in > 0 ? tos_in & 3 : 0);
	m->msg_control = ctl;
	m->msg_controllen = CMSG_SPACE(sizeof(int));
	c = CMSG_FIRSTHDR(m);
	c->cmsg_level = family == XB_AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
	c->cmsg_type = family == XB_AF_INET ? IP_TOS : IPV6_TCLASS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &tos, sizeof(tos));
}

static void drop(struct xb_relay *r, struct rstream *st, unsigned int reason)
{
	r->c[reason]++;
	if (st) {
		st->drops++;
		st->dirty = true;
	}
}

/* Send k prepared datagrams of stream st; count what left. */
static void send_batch(struct xb_relay *r, struct rstream *st, unsigned int k, uint64_t now)
{
	unsigned int sent = 0;
	int n;

	while (sent < k) {
		n = sendmmsg(st->out->fd, r->tx + sent, k - sent, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* skip the datagram the kernel refused, try the rest */
			if (!r->c[XB_RELAY_DROP_SEND])
				xb_log(XB_LOG_WARN, "stream %u: send failed: %s", st->s.stats_idx,
				       strerror(errno));
			drop(r, st, XB_RELAY_DROP_SEND);
			sent++;
			continue;
		}
		for (int i = 0; i < n; i++) {
			r->c[XB_STAT_TX]++;
			/* zero bytes: the XDP program counted this one already */
			if (r->tx_bytes[sent + i]) {
				st->packets++;
				st->bytes += r->tx_bytes[sent + i];
				st->last_seen = now;
				st->dirty = true;
			}
		}
		sent += (unsigned int)n;
	}
}

/* The IP packet length of a UDP payload, as the fast path counts bytes. */
static uint32_t ip_bytes(uint8_t family, uint32_t payload)
{
	return payload + 8 + (family == XB_AF_INET ? 20 : 40);
}

static int one_batch(struct xb_relay *r, struct rsock *so)
{
	struct rstream *st;
	struct xb_endpoint from;
	unsigned int i, k = 0, reason;
	uint64_t now;
	int n, ifindex, tos;
	bool learn;

	for (i = 0; i < r->batch; i++) {
		r->rx_iov[i].iov_base = r->bufs + (size_t)i * RELAY_MTU;
		r->rx_iov[i].iov_len = RELAY_MTU;
		memset(&r->rx[i].msg_hdr, 0, sizeof(r->rx[i].msg_hdr));
		r->rx[i].msg_hdr.msg_name = &r->rx_addr[i];
		r->rx[i].msg_hdr.msg_namelen = sizeof(r->rx_addr[i]);
		r->rx[i].msg_hdr.msg_iov = &r->rx_iov[i];
		r->rx[i].msg_hdr.msg_iovlen = 1;
		r->rx[i].msg_hdr.msg_control = r->rx_ctl + (size_t)i * RX_CTL_LEN;
		r->rx[i].msg_hdr.msg_controllen = RX_CTL_LEN;
	}
	n = recvmmsg(so->fd, r->rx, r->batch, MSG_DONTWAIT, NULL);
	if (n <= 0)
		return 0;
	/* every datagram of the batch was sent to this endpoint: one stream */
	st = keytab_get(&r->by_key, &so->ep);
	now = xb_mono_ns();
	for (i = 0; i < (unsigned int)n; i++) {
		struct msghdr *m = &r->rx[i].msg_hdr;
		uint32_t len = r->rx[i].msg_len;

		r->c[XB_STAT_RX]++;
		if (!st) {
			drop(r, NULL, XB_DROP_UNKNOWN_STREAM);
			continue;
		}
		if ((m->msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ||
		    !from_endpoint(&r->rx_addr[i], &from)) {
			drop(r, st, XB_DROP_MALFORMED);
			continue;
		}
		parse_ctl(m, &ifindex, &tos);
		if (xb_relay_decide(&st->key, &st->s, r->rx_iov[i].iov_base, len, &from, now,
				    &st->rtp, &st->seq_errors, &learn,
				    &reason) != XB_RELAY_FORWARD) {
			if (learn) {
				r->c[XB_STAT_LEARN]++;
				relay_latch(r, st, &from);
			}
			drop(r, st, reason);
			continue;
		}
		if (learn) {
			r->c[XB_STAT_LEARN]++;
			relay_latch(r, st, &from);
		}
		if (!st->out || st->out->fd < 0) {
			drop(r, st, XB_DROP_NO_ROUTE);
			continue;
		}
		r->tx_bytes[k] = xdp_counted(r, ifindex) ? 0 : ip_bytes(st->key.family, len);
		if (st->s.flags & XB_F_SRTP) {
			int out = relay_srtp_apply(r, st, r->rx_iov[i].iov_base, len);

			if (out < 0) {
				drop(r, st, XB_DROP_SRTP);
				continue;
			}
			len = (uint32_t)out;
		}
		memset(&r->tx[k].msg_hdr, 0, sizeof(r->tx[k].msg_hdr));
		r->tx_iov[k].iov_base = r->rx_iov[i].iov_base;
		r->tx_iov[k].iov_len = len;
		r->tx[k].msg_hdr.msg_iov = &r->tx_iov[k];
		r->tx[k].msg_hdr.msg_iovlen = 1;
		r->tx[k].msg_hdr.msg_name = &st->dst;
		r->tx[k].msg_hdr.msg_namelen = st->dst_len;
		set_tos(&r->tx[k].msg_hdr, r->tx_ctl + (size_t)k * TX_CTL_LEN, st->s.family,
			st->s.dscp, tos);
		k++;
	}
	if (k)
		send_batch(r, st, k, now);
	if (st && st->seq_errors)
		st->dirty = true;
	return n;
}

void relay_readable(struct xb_loop *loop, int fd, uint32_t events, void *arg)
{
	struct rsock *so = arg;
	int i;

	for (i = 0; i < ROUNDS; i++)
		if (one_batch(so->r, so) < (int)so->r->batch)
			break;
}
