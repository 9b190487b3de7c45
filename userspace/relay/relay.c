// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The userspace relay's life cycle: syncing the stream table from the
 * pinned maps, binding the endpoints, flushing counters, latching.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include "common/err.h"
#include "common/json.h"
#include "common/log.h"
#include "relay/internal.h"

#ifndef IPV6_FREEBIND
#define IPV6_FREEBIND 78
#endif

void relay_sockaddr(uint8_t family, const uint8_t addr[16], uint16_t port_be,
		    struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (family == XB_AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = port_be;
		memcpy(&sin->sin_addr, addr, 4);
		*len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = port_be;
		memcpy(&sin6->sin6_addr, addr, 16);
		*len = sizeof(*sin6);
	}
}

static void ep_key(struct xb_stream_key *k, uint8_t family, const uint8_t addr[16],
		   uint16_t port_be)
{
	memset(k, 0, sizeof(*k));
	k->family = family;
	k->port = port_be;
	memcpy(k->addr, addr, family == XB_AF_INET ? 4 : 16);
}

static const char *ep_str(const struct xb_stream_key *k, char *buf, size_t len)
{
	struct xb_endpoint e;

	xb_stream_key_to(k, &e);
	return xb_fmt_endpoint(&e, buf, len);
}

/* Bind the endpoint; on failure keep trying at later syncs, warn once. */
static void sock_open(struct xb_relay *r, struct rsock *so)
{
	struct sockaddr_storage ss;
	char buf[XB_ADDRSTRLEN];
	bool v4 = so->ep.family == XB_AF_INET;
	int fd, one = 1, rcvbuf = 1 << 20;
	socklen_t len;

	fd = socket(v4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	/* FREEBIND: the address may be configured after us (or float) */
	if (v4) {
		setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
		setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
		setsockopt(fd, IPPROTO_IP, IP_RECVTOS, &one, sizeof(one));
	} else {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one));
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVTCLASS, &one, sizeof(one));
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	relay_sockaddr(so->ep.family, so->ep.addr, so->ep.port, &ss, &len);
	if (bind(fd, (struct sockaddr *)&ss, len))
		goto fail;
	if (xb_loop_add_fd(r->loop, fd, EPOLLIN, relay_readable, so))
		goto fail;
	so->fd = fd;
	if (so->warned)
		xb_log(XB_LOG_INFO, "bound %s at last", ep_str(&so->ep, buf, sizeof(buf)));
	return;
fail:
	if (!so->warned)
		xb_log(XB_LOG_WARN, "cannot bind %s: %s (will retry)",
		       ep_str(&so->ep, buf, sizeof(buf)), strerror(errno));
	so->warned = true;
	if (fd >= 0)
		close(fd);
	so->fd = -1;
}

static void sock_close(struct xb_relay *r, struct rsock *so)
{
	if (so->fd >= 0) {
		xb_loop_del_fd(r->loop, so->fd);
		close(so->fd);
	}
	free(so);
}

/* Add what a stream counted since the last sync to its stats slot. */
static void flush_one(struct xb_relay *r, struct rstream *st)
{
	struct xb_stream_stats cur;
	struct xb_stream now;

	if (!st->dirty)
		return;
	st->dirty = false;
	/* the stream may be gone, or its id reused for another one */
	if (xb_fp_stream_get(r->fp, &st->key, &now) || now.stats_idx != st->s.stats_idx)
		goto out;
	if (xb_fp_stream_stats(r->fp, st->s.stats_idx, &cur))
		goto out;
	cur.packets += st->packets;
	cur.bytes += st->bytes;
	cur.drops += st->drops;
	cur.seq_errors += st->seq_errors;
	if (st->last_seen > cur.last_seen_ns)
		cur.last_seen_ns = st->last_seen;
	if ((st->s.flags & XB_F_RTP) && st->rtp.init && st->packets) {
		cur.last_ssrc = st->rtp.ssrc;
		cur.highest_seq = st->rtp.highest;
	}
	if (xb_fp_stream_stats_write(r->fp, st->s.stats_idx, &cur))
		xb_log(XB_LOG_WARN, "%s", xb_errmsg());
out:
	st->packets = st->bytes = 0;
	st->drops = st->seq_errors = 0;
}

static void flush(struct xb_relay *r)
{
	size_t i;

	for (i = 0; i < r->nstreams; i++)
		flush_one(r, &r->streams[i]);
}

struct collect {
	struct rstream *arr;
	size_t n, cap;
};

static int collect_one(const struct xb_stream_key *key, const struct xb_stream *s, void *arg)
{
	struct collect *c = arg;
	struct rstream *st;

	if (key->family != XB_AF_INET && key->family != XB_AF_INET6)
		return 0;
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 64;
		struct rstream *arr = realloc(c->arr, cap * sizeof(*arr));

		if (!arr)
			return -ENOMEM;
		c->arr = arr;
		c->cap = cap;
	}
	st = &c->arr[c->n++];
	memset(st, 0, sizeof(*st));
	st->key = *key;
	st->s = *s;
	return 0;
}

static bool relays(const struct xb_stream *s)
{
	return (s->flags & (XB_F_FORWARD | XB_F_PASS)) && s->src_port &&
	       (s->family == XB_AF_INET || s->family == XB_AF_INET6);
}

/* Find or make the socket of an endpoint in the new socket table. */
static struct rsock *need_sock(struct xb_relay *r, struct keytab *socks,
			       const struct xb_stream_key *ep)
{
	struct rsock *so = keytab_get(socks, ep);

	if (so)
		return so;
	so = keytab_get(&r->socks, ep);
	if (!so) {
		so = calloc(1, sizeof(*so));
		if (!so)
			return NULL;
		so->ep = *ep;
		so->fd = -1;
		so->r = r;
	}
	so->keep = true;
	if (so->fd < 0)
		sock_open(r, so);
	keytab_put(socks, ep, so);
	return so;
}

int xb_relay_sync(struct xb_relay *r)
{
	struct keytab by_key, by_src, socks;
	struct collect c = { 0 };
	struct xb_stream_key ep;
	struct rstream *st, *old;
	size_t i;
	int err;

	flush(r);
	err = xb_fp_stream_foreach(r->fp, collect_one, &c);
	if (err) {
		free(c.arr);
		return err;
	}
	if (keytab_init(&by_key, c.n) || keytab_init(&by_src, c.n) ||
	    keytab_init(&socks, 2 * c.n)) {
		keytab_free(&by_key);
		keytab_free(&by_src);
		free(c.arr);
		return xb_err(ENOMEM, "out of memory");
	}
	for (i = 0; i < r->socks.cap; i++)
		if (r->socks.slots[i].val)
			((struct rsock *)r->socks.slots[i].val)->keep = false;

	for (i = 0; i < c.n; i++) {
		st = &c.arr[i];
		old = keytab_get(&r->by_key, &st->key);
		if (old && old->s.stats_idx == st->s.stats_idx) {
			st->rtp = old->rtp;
			st->srtp_logged = old->srtp_logged;
		}
		keytab_put(&by_key, &st->key, st);
		need_sock(r, &socks, &st->key);
		if (!relays(&st->s))
			continue;
		ep_key(&ep, st->s.family, st->s.src_addr, st->s.src_port);
		st->out = need_sock(r, &socks, &ep);
		st->next_rev = keytab_get(&by_src, &ep);
		keytab_put(&by_src, &ep, st);
		relay_sockaddr(st->s.family, st->s.dst_addr, st->s.dst_port, &st->dst,
			       &st->dst_len);
	}
	for (i = 0; i < r->socks.cap; i++) {
		struct rsock *so = r->socks.slots[i].val;

		if (so && !so->keep)
			sock_close(r, so);
	}
	keytab_free(&r->socks);
	keytab_free(&r->by_key);
	keytab_free(&r->by_src);
	free(r->streams);
	r->socks = socks;
	r->by_key = by_key;
	r->by_src = by_src;
	r->streams = c.arr;
	r->nstreams = c.n;
	relay_srtp_rebind(r);

	/* XDP may have come or gone: forget which devices run it */
	r->xdp_prog_id = xb_fp_prog_pinned_id(r->fp, XB_PROG_MAIN);
	r->nxdp = 0;
	r->syncs++;
	return 0;
}

static void sync_timer(struct xb_loop *loop, struct xb_timer *t, void *arg)
{
	struct xb_relay *r = arg;

	if (xb_relay_sync(r))
		xb_log(XB_LOG_WARN, "sync: %s", xb_errmsg());
	xb_timer_arm(loop, &r->timer, r->sync_ms);
}

/*
 * The packet's source becomes the remote endpoint of the reverse streams;
 * the learning flag is cleared, in the maps (for the fast path, for the
 * controller) and here.
 */
void relay_latch(struct xb_relay *r, struct rstream *st, const struct xb_endpoint *from)
{
	char a[XB_ADDRSTRLEN];
	struct xb_stream cur;
	struct rstream *t;
	int n = 0;

	xb_fmt_endpoint(from, a, sizeof(a));
	for (t = keytab_get(&r->by_src, &st->key); t; t = t->next_rev) {
		if (xb_fp_stream_get(r->fp, &t->key, &cur))
			continue;
		if (cur.family != from->a.family) {
			xb_log(XB_LOG_WARN, "stream %u: cannot latch %s (other family)",
			       cur.stats_idx, a);
			continue;
		}
		memset(cur.dst_addr, 0, sizeof(cur.dst_addr));
		memcpy(cur.dst_addr, from->a.addr, from->a.family == XB_AF_INET ? 4 : 16);
		cur.dst_port = htons(from->port);
		if (xb_fp_stream_update(r->fp, &t->key, &cur)) {
			xb_log(XB_LOG_WARN, "stream %u: latching %s: %s", cur.stats_idx, a,
			       xb_errmsg());
			continue;
		}
		t->s = cur;
		relay_sockaddr(cur.family, cur.dst_addr, cur.dst_port, &t->dst, &t->dst_len);
		xb_log(XB_LOG_INFO, "stream %u latched: stream %u now sends to %s", st->s.stats_idx,
		       cur.stats_idx, a);
		n++;
	}
	if (!n)
		xb_log(XB_LOG_INFO, "stream %u: learned %s, no reverse stream to latch",
		       st->s.stats_idx, a);
	st->s.flags &= ~(uint32_t)XB_F_LEARN_REMOTE;
	if (xb_fp_stream_get(r->fp, &st->key, &cur) == 0) {
		cur.flags &= ~(uint32_t)XB_F_LEARN_REMOTE;
		if (xb_fp_stream_update(r->fp, &st->key, &cur))
			xb_log(XB_LOG_WARN, "stream %u: %s", cur.stats_idx, xb_errmsg());
	}
}

int xb_relay_new(struct xb_fp *fp, struct xb_loop *loop, const struct xb_relay_opts *opts,
		 struct xb_relay **rp)
{
	struct xb_relay *r;
	int err;

	r = calloc(1, sizeof(*r));
	if (!r)
		return xb_err(ENOMEM, "out of memory");
	r->fp = fp;
	r->loop = loop;
	r->sync_ms = opts && opts->sync_ms ? opts->sync_ms : 100;
	r->batch = opts && opts->batch ? opts->batch : 64;
	if (r->batch > RELAY_MAX_BATCH)
		r->batch = RELAY_MAX_BATCH;
	err = relay_io_init(r);
	if (!err)
		err = xb_relay_sync(r);
	if (err) {
		xb_relay_free(r);
		return err;
	}
	xb_timer_init(&r->timer, sync_timer, r);
	xb_timer_arm(loop, &r->timer, r->sync_ms);
	*rp = r;
	return 0;
}

void xb_relay_free(struct xb_relay *r)
{
	size_t i;

	if (!r)
		return;
	flush(r);
	if (r->timer.cb)
		xb_timer_cancel(r->loop, &r->timer);
	for (i = 0; i < r->socks.cap; i++)
		if (r->socks.slots[i].val)
			sock_close(r, r->socks.slots[i].val);
	keytab_free(&r->socks);
	keytab_free(&r->by_key);
	keytab_free(&r->by_src);
	free(r->streams);
	relay_srtp_free(r);
	relay_io_free(r);
	free(r);
}

void xb_relay_get_stats(const struct xb_relay *r, struct xb_relay_stats *st)
{
	size_t i;

	memcpy(st->c, r->c, sizeof(st->c));
	st->streams = r->nstreams;
	st->sockets = 0;
	for (i = 0; i < r->socks.cap; i++) {
		const struct rsock *so = r->socks.slots[i].val;

		if (so && so->fd >= 0)
			st->sockets++;
	}
	st->syncs = r->syncs;
}

const char *xb_relay_stat_name(unsigned int i)
{
	if (i < XB_STAT_MAX)
		return xb_stat_name(i);
	if (i == XB_RELAY_DROP_SEND)
		return "drop_send";
	return "?";
}

json_t *xb_relay_stats_json(const struct xb_relay *r)
{
	struct xb_relay_stats st;
	json_t *j = json_object();
	unsigned int i;

	xb_relay_get_stats(r, &st);
	for (i = 0; i < XB_RELAY_STAT_MAX; i++)
		xb_json_set(j, xb_relay_stat_name(i), xb_json_u64(st.c[i]));
	xb_json_set(j, "streams", xb_json_u64(st.streams));
	xb_json_set(j, "sockets", xb_json_u64(st.sockets));
	xb_json_set(j, "syncs", xb_json_u64(st.syncs));
	xb_json_set(j, "srtp", relay_srtp_json(r));
	return j;
}
