// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The asynchronous stub resolver (resolver.h). Each lookup is a small state
 * machine on the event loop:
 *
 *   START -> (cache hit: DELIVER)
 *         -> UDP: one connected socket per try, random id and port
 *              -> answer: parse (answer.c); TC -> TCP_CONNECT
 *              -> timeout, ICMP error, garbage, SERVFAIL: next try
 *   TCP_CONNECT -> TCP_WRITE (2-byte length + query) -> TCP_READ -> answer
 *
 * A try goes to server (try % n_servers), so the servers are taken in turn,
 * `attempts` rounds in all, each try bounded by timeout_ms. CNAMEs that
 * lead out of what one answer holds start the machine again on the target
 * name, with the hops counted across the whole lookup.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <xborder/fastpath.h>

#include "common/err.h"
#include "common/log.h"
#include "dns/answer.h"
#include "dns/cache.h"
#include "dns/resolver.h"

#define UDP_BUF 4096	      /* answers without EDNS are 512 at most; room for liars */
#define UDP_READS_PER_WAKE 16 /* bounded work per readiness event */
#define PROBLEM_MAX 256

enum lookup_state {
	L_START,
	L_UDP,
	L_TCP_CONNECT,
	L_TCP_WRITE,
	L_TCP_READ,
};

struct xb_dns_lookup {
	struct xb_resolver *r;
	struct xb_dns_lookup *prev, *next;
	enum lookup_state state;
	char qname[XB_DNS_NAME_MAX]; /* asked for */
	char cur[XB_DNS_NAME_MAX];   /* being queried now (after CNAMEs) */
	uint16_t qtype;
	char chain[XB_DNS_MAX_CNAME + 1][XB_DNS_NAME_MAX];
	unsigned int hops;
	uint32_t chain_ttl;
	xb_dns_cb cb;
	void *arg;
	struct xb_timer timer;
	unsigned int try;
	int fd;
	bool fd_registered;
	uint16_t id;
	uint8_t *query;
	size_t qlen;
	uint8_t *buf; /* TCP: the frame going out, then the one coming in */
	size_t have, want;
	bool tcp_used;
	int problem_err;
	char problem[PROBLEM_MAX];
};

struct xb_resolver {
	struct xb_loop *loop;
	struct xb_dns_config cfg;
	struct xb_dns_cache *cache;
	struct xb_dns_stats stats;
	struct xb_rng rng;
	struct xb_dns_lookup *lookups; /* in flight */
};

void xb_dns_config_default(struct xb_dns_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->timeout_ms = 1000;
	cfg->attempts = 2;
	cfg->cache_size = 1024;
}

int xb_dns_read_resolv_conf(const char *path, struct xb_endpoint *servers, unsigned int max,
			    unsigned int *n)
{
	char line[512];
	unsigned int lines = 0;
	FILE *f;

	*n = 0;
	f = fopen(path, "re");
	if (!f)
		return xb_err(errno, "cannot open %s: %s", path, strerror(errno));
	/* bounded: a resolv.conf has a handful of lines */
	while (*n < max && lines++ < 1000 && fgets(line, sizeof(line), f)) {
		char *p = line, *a;
		struct xb_addr addr;

		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "nameserver", 10) || (p[10] != ' ' && p[10] != '\t'))
			continue;
		a = p + 10;
		while (*a == ' ' || *a == '\t')
			a++;
		a[strcspn(a, " \t\r\n#;")] = '\0';
		if (strchr(a, '%') || xb_parse_addr(a, &addr))
			continue; /* scoped or not an address: not for us */
		servers[*n].a = addr;
		servers[*n].port = 53;
		(*n)++;
	}
	fclose(f);
	if (!*n)
		return xb_err(ENOENT, "%s names no usable nameserver", path);
	return 0;
}

static socklen_t to_sockaddr(const struct xb_endpoint *ep, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (ep->a.family == XB_AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(ep->port);
		memcpy(&sin->sin_addr, ep->a.addr, 4);
		return sizeof(*sin);
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(ep->port);
	memcpy(&sin6->sin6_addr, ep->a.addr, 16);
	return sizeof(*sin6);
}

static bool same_sockaddr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;

		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;

	return x->sin6_port == y->sin6_port && !memcmp(&x->sin6_addr, &y->sin6_addr, 16);
}

struct xb_resolver *xb_resolver_new(struct xb_loop *loop, const struct xb_dns_config *cfg)
{
	struct xb_resolver *r;

	if (!loop || !cfg) {
		xb_err(EINVAL, "resolver: no event loop or configuration");
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		xb_err(ENOMEM, "resolver: out of memory");
		return NULL;
	}
	r->loop = loop;
	r->cfg = *cfg;
	if (r->cfg.n_servers > XB_DNS_MAX_SERVERS)
		r->cfg.n_servers = XB_DNS_MAX_SERVERS;
	if (!r->cfg.n_servers && xb_dns_read_resolv_conf("/etc/resolv.conf", r->cfg.servers,
							 XB_DNS_MAX_SERVERS, &r->cfg.n_servers)) {
		xb_err_prefix(ENOENT, "no DNS server configured (dns.servers)");
		free(r);
		return NULL;
	}
	if (!r->cfg.timeout_ms)
		r->cfg.timeout_ms = 1000;
	if (!r->cfg.attempts)
		r->cfg.attempts = 1;
	r->cache = xb_dns_cache_new(r->cfg.cache_size);
	if (!r->cache) {
		free(r);
		xb_err(ENOMEM, "resolver: out of memory");
		return NULL;
	}
	xb_rng_seed_random(&r->rng);
	return r;
}

static void lookup_close_fd(struct xb_dns_lookup *l)
{
	if (l->fd >= 0) {
		if (l->fd_registered)
			xb_loop_del_fd(l->r->loop, l->fd);
		close(l->fd);
	}
	l->fd = -1;
	l->fd_registered = false;
}

/* Out of the loop and the resolver's list; the memory stays. */
static void lookup_detach(struct xb_dns_lookup *l)
{
	struct xb_resolver *r = l->r;

	lookup_close_fd(l);
	xb_timer_cancel(r->loop, &l->timer);
	if (l->prev)
		l->prev->next = l->next;
	else
		r->lookups = l->next;
	if (l->next)
		l->next->prev = l->prev;
	l->prev = l->next = NULL;
}

static void lookup_free(struct xb_dns_lookup *l)
{
	lookup_detach(l);
	free(l->query);
	free(l->buf);
	free(l);
}

void xb_resolver_free(struct xb_resolver *r)
{
	if (!r)
		return;
	while (r->lookups)
		lookup_free(r->lookups);
	xb_dns_cache_free(r->cache);
	free(r);
}

const struct xb_dns_config *xb_resolver_config(const struct xb_resolver *r)
{
	return &r->cfg;
}

struct xb_loop *xb_resolver_loop(struct xb_resolver *r)
{
	return r->loop;
}

void xb_resolver_stats(const struct xb_resolver *r, struct xb_dns_stats *out)
{
	*out = r->stats;
	out->cache_entries = xb_dns_cache_count(r->cache);
	out->cache_evictions = xb_dns_cache_evictions(r->cache);
}

struct xb_rng *xb_resolver_rng(struct xb_resolver *r)
{
	return &r->rng;
}

void xb_resolver_flush(struct xb_resolver *r)
{
	xb_dns_cache_flush(r->cache);
}

/* ---------------------------------------------------------------- delivery */

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* Hand the outcome to the caller and free the lookup. Last thing done. */
static void deliver(struct xb_dns_lookup *l, enum xb_dns_status status, int err, const char *error,
		    const struct xb_dns_rr *rr, unsigned int n, uint32_t ttl, bool from_cache)
{
	struct xb_dns_result res = {
		.status = status,
		.err = status == XB_DNS_FAIL ? (err ? err : -EIO) : 0,
		.error = status == XB_DNS_FAIL ? error : "",
		.name = l->qname,
		.canonical = l->cur,
		.type = l->qtype,
		.n = n,
		.rr = rr,
		.ttl = ttl,
		.from_cache = from_cache,
		.tcp = l->tcp_used,
		.cname_hops = l->hops,
	};
	xb_dns_cb cb = l->cb;
	void *arg = l->arg;

	/* detached before the callback: it may start new lookups, or even
	 * free the resolver; RES still points into L, freed after */
	lookup_detach(l);
	cb(&res, arg);
	free(l->query);
	free(l->buf);
	free(l);
}

static void fail(struct xb_dns_lookup *l, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail(struct xb_dns_lookup *l, int err, const char *fmt, ...)
{
	char msg[XB_ERRMSG_MAX], line[XB_ERRMSG_MAX + XB_DNS_NAME_MAX + 16];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(line, sizeof(line), "%s %s: %s", l->qname, xb_dns_type_name(l->qtype), msg);
	deliver(l, XB_DNS_FAIL, err, line, NULL, 0, 0, false);
}

/* Records out of the cache carry the time they have left. */
static void deliver_cached(struct xb_dns_lookup *l, const struct xb_dns_cache_entry *e,
			   uint64_t now)
{
	uint32_t left = (uint32_t)((e->expires_ns - now + 999999999ull) / 1000000000ull);
	struct xb_dns_rr *copy = NULL;
	unsigned int i;

	if (e->n) {
		copy = malloc(e->n * sizeof(*copy));
		if (!copy) {
			fail(l, -ENOMEM, "out of memory");
			return;
		}
		memcpy(copy, e->rr, e->n * sizeof(*copy));
		for (i = 0; i < e->n; i++)
			copy[i].ttl = min_u32(copy[i].ttl, left);
	}
	if (strcmp(e->canonical, l->cur)) {
		snprintf(l->cur, sizeof(l->cur), "%s", e->canonical);
		l->hops += e->cname_hops;
	}
	if (e->status == XB_DNS_OK)
		l->r->stats.cache_hits++;
	else
		l->r->stats.cache_negative_hits++;
	left = min_u32(left, l->chain_ttl);
	deliver(l, e->status, 0, "", copy, e->n, left, true);
	free(copy);
}

/* ---------------------------------------------------------------- sending */

static void lookup_timer(struct xb_loop *loop, struct xb_timer *t, void *arg);
static void lookup_io(struct xb_loop *loop, int fd, uint32_t events, void *arg);
static void start_name(struct xb_dns_lookup *l);

static const struct xb_endpoint *server_of(const struct xb_dns_lookup *l)
{
	return &l->r->cfg.servers[l->try % l->r->cfg.n_servers];
}

static void send_udp(struct xb_dns_lookup *l);

/* This try failed; go on with the next server, or give up. */
static void next_try(struct xb_dns_lookup *l, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void next_try(struct xb_dns_lookup *l, int err, const char *fmt, ...)
{
	char ep[XB_ADDRSTRLEN];
	unsigned int tries = l->r->cfg.attempts * l->r->cfg.n_servers;
	va_list ap;
	int o;

	o = snprintf(l->problem, sizeof(l->problem),
		     "%s: ", xb_fmt_endpoint(server_of(l), ep, sizeof(ep)));
	va_start(ap, fmt);
	vsnprintf(l->problem + o, sizeof(l->problem) - (size_t)o, fmt, ap);
	va_end(ap);
	l->problem_err = err;
	lookup_close_fd(l);
	free(l->buf);
	l->buf = NULL;
	if (++l->try >= tries) {
		fail(l, l->problem_err, "%s (%u %s)", l->problem, tries,
		     tries == 1 ? "try" : "tries");
		return;
	}
	send_udp(l);
}

static int new_query(struct xb_dns_lookup *l)
{
	uint16_t id;

	if (getrandom(&id, sizeof(id), GRND_NONBLOCK) != sizeof(id))
		id = (uint16_t)(xb_now_ns() ^ (xb_now_ns() >> 16));
	free(l->query);
	l->query = NULL;
	l->id = id;
	return xb_dns_build_query(l->cur, l->qtype, id, &l->query, &l->qlen);
}

static int arm(struct xb_dns_lookup *l)
{
	return xb_timer_arm(l->r->loop, &l->timer, l->r->cfg.timeout_ms);
}

static void send_udp(struct xb_dns_lookup *l)
{
	struct sockaddr_storage ss;
	socklen_t sl = to_sockaddr(server_of(l), &ss);
	int fd;

	if (new_query(l)) {
		fail(l, -EINVAL, "%s", xb_errmsg());
		return;
	}
	l->state = L_UDP;
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		next_try(l, -errno, "socket: %s", strerror(errno));
		return;
	}
	l->fd = fd;
	/* connected: the kernel drops datagrams from anyone else, and ICMP
	 * errors (port unreachable) come back to us as ECONNREFUSED */
	if (connect(fd, (struct sockaddr *)&ss, sl) || send(fd, l->query, l->qlen, 0) < 0) {
		next_try(l, -errno, "%s", strerror(errno));
		return;
	}
	if (xb_loop_add_fd(l->r->loop, fd, EPOLLIN, lookup_io, l)) {
		next_try(l, -EIO, "cannot watch the socket");
		return;
	}
	l->fd_registered = true;
	l->r->stats.udp_queries++;
	arm(l);
}

static void send_tcp(struct xb_dns_lookup *l)
{
	struct sockaddr_storage ss;
	socklen_t sl = to_sockaddr(server_of(l), &ss);
	int fd;

	lookup_close_fd(l);
	l->tcp_used = true;
	l->state = L_TCP_CONNECT;
	free(l->buf);
	l->buf = malloc(l->qlen + 2);
	if (!l->buf) {
		fail(l, -ENOMEM, "out of memory");
		return;
	}
	l->buf[0] = (uint8_t)(l->qlen >> 8);
	l->buf[1] = (uint8_t)l->qlen;
	memcpy(l->buf + 2, l->query, l->qlen);
	l->have = 0;
	l->want = l->qlen + 2;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		next_try(l, -errno, "TCP socket: %s", strerror(errno));
		return;
	}
	l->fd = fd;
	if (connect(fd, (struct sockaddr *)&ss, sl) && errno != EINPROGRESS) {
		next_try(l, -errno, "TCP connect: %s", strerror(errno));
		return;
	}
	if (xb_loop_add_fd(l->r->loop, fd, EPOLLOUT, lookup_io, l)) {
		next_try(l, -EIO, "cannot watch the socket");
		return;
	}
	l->fd_registered = true;
	l->r->stats.tcp_queries++;
	arm(l);
}

/* ---------------------------------------------------------------- answers */

static void finish_ok(struct xb_dns_lookup *l, struct xb_dns_parsed *p)
{
	struct xb_resolver *r = l->r;
	uint32_t ttl = min_u32(min_u32(p->rr_ttl, l->chain_ttl), XB_DNS_TTL_MAX);
	uint64_t now = xb_now_ns();

	xb_dns_cache_put(r->cache, l->qname, l->qtype, XB_DNS_OK, l->cur, l->hops, p->rr, p->n, ttl,
			 now);
	if (strcmp(l->qname, l->cur))
		xb_dns_cache_put(r->cache, l->cur, l->qtype, XB_DNS_OK, l->cur, 0, p->rr, p->n,
				 min_u32(p->rr_ttl, XB_DNS_TTL_MAX), now);
	deliver(l, XB_DNS_OK, 0, "", p->rr, p->n, ttl, false);
}

static void finish_negative(struct xb_dns_lookup *l, struct xb_dns_parsed *p,
			    enum xb_dns_status status)
{
	/* RFC 2308 §5: without an SOA there is nothing to say how long */
	uint32_t ttl = p->has_soa ? min_u32(min_u32(p->neg_ttl, l->chain_ttl), XB_DNS_NEG_TTL_MAX)
				  : 0;

	xb_dns_cache_put(l->r->cache, l->qname, l->qtype, status, l->cur, l->hops, NULL, 0, ttl,
			 xb_now_ns());
	deliver(l, status, 0, "", NULL, 0, ttl, false);
}

static const char *rcode_name(unsigned int rcode)
{
	static const char *const names[] = { "NOERROR",	 "FORMERR", "SERVFAIL",
					     "NXDOMAIN", "NOTIMP",  "REFUSED" };

	return rcode < sizeof(names) / sizeof(names[0]) ? names[rcode] : "an unknown rcode";
}

/* Append the CNAMEs of one answer to the lookup's chain. */
static int extend_chain(struct xb_dns_lookup *l, const struct xb_dns_parsed *p)
{
	unsigned int i, k;

	for (i = 1; i <= p->cname_hops; i++) {
		for (k = 0; k <= l->hops; k++)
			if (!strcmp(l->chain[k], p->chain[i]))
				return xb_err(ELOOP, "CNAME loop: %s -> %s", p->chain[i - 1],
					      p->chain[i]);
		if (l->hops >= XB_DNS_MAX_CNAME)
			return xb_err(ELOOP, "CNAME chain longer than %u at %s", XB_DNS_MAX_CNAME,
				      p->chain[i - 1]);
		strcpy(l->chain[++l->hops], p->chain[i]);
	}
	l->chain_ttl = min_u32(l->chain_ttl, p->chain_ttl);
	snprintf(l->cur, sizeof(l->cur), "%s", p->final_name);
	return 0;
}

/* One complete message from the server; TCP says how it came. */
static void handle_answer(struct xb_dns_lookup *l, const uint8_t *msg, size_t len, bool tcp)
{
	struct xb_resolver *r = l->r;
	struct xb_dns_parsed p;
	int err;

	err = xb_dns_parse_answer(msg, len, l->id, l->cur, l->qtype, XB_DNS_MAX_CNAME - l->hops,
				  &p);
	if (err == -ESRCH && !tcp) {
		r->stats.mismatched++; /* stray or spoofed: keep waiting */
		return;
	}
	if (err == -EMSGSIZE || err == -ELOOP) {
		/* the server's real answer: asking again gives the same */
		r->stats.rejected++;
		fail(l, err, "%s", xb_errmsg());
		return;
	}
	if (err) {
		r->stats.rejected++;
		next_try(l, err, "%s", xb_errmsg());
		return;
	}
	if (p.tc) {
		if (tcp) {
			r->stats.rejected++;
			next_try(l, -EPROTO, "truncated answer over TCP");
			return;
		}
		r->stats.truncated++;
		send_tcp(l);
		return;
	}
	if (p.rcode != XB_DNS_RCODE_NOERROR && p.rcode != XB_DNS_RCODE_NXDOMAIN) {
		r->stats.rejected++;
		next_try(l, p.rcode == XB_DNS_RCODE_SERVFAIL ? -EAGAIN : -EPROTO, "answered %s",
			 rcode_name(p.rcode));
		return;
	}
	err = extend_chain(l, &p);
	if (err) {
		xb_dns_parsed_free(&p);
		r->stats.rejected++;
		fail(l, err, "%s", xb_errmsg());
		return;
	}
	if (p.n)
		finish_ok(l, &p);
	else if (p.rcode == XB_DNS_RCODE_NXDOMAIN)
		finish_negative(l, &p, XB_DNS_NXDOMAIN);
	else if (p.cname_hops && !p.has_soa)
		/* the chain leaves what this answer covers: ask for its end */
		start_name(l);
	else
		finish_negative(l, &p, XB_DNS_NODATA);
	xb_dns_parsed_free(&p);
}

static void read_udp(struct xb_dns_lookup *l)
{
	uint8_t buf[UDP_BUF];
	struct sockaddr_storage from, want;
	int i;

	to_sockaddr(server_of(l), &want);
	for (i = 0; i < UDP_READS_PER_WAKE; i++) {
		socklen_t fl = sizeof(from);
		ssize_t n =
			recvfrom(l->fd, buf, sizeof(buf), MSG_TRUNC, (struct sockaddr *)&from, &fl);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			next_try(l, -errno,
				 errno == ECONNREFUSED ? "port unreachable (no DNS server there)"
						       : "%s",
				 strerror(errno));
			return;
		}
		if (!same_sockaddr(&from, &want)) {
			l->r->stats.mismatched++;
			continue;
		}
		if ((size_t)n > sizeof(buf)) {
			l->r->stats.rejected++;
			next_try(l, -EMSGSIZE, "oversized UDP answer (%zd bytes)", n);
			return;
		}
		handle_answer(l, buf, (size_t)n, false);
		return; /* L may be gone, or moved on: stop here */
	}
}

static void tcp_io(struct xb_dns_lookup *l, uint32_t events)
{
	ssize_t n;

	if (l->state == L_TCP_CONNECT) {
		int soerr = 0;
		socklen_t sl = sizeof(soerr);

		if (getsockopt(l->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) || soerr) {
			next_try(l, -(soerr ? soerr : errno), "TCP connect: %s",
				 strerror(soerr ? soerr : errno));
			return;
		}
		l->state = L_TCP_WRITE;
	}
	if (l->state == L_TCP_WRITE) {
		n = send(l->fd, l->buf + l->have, l->want - l->have, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				next_try(l, -errno, "TCP send: %s", strerror(errno));
			return;
		}
		l->have += (size_t)n;
		if (l->have < l->want)
			return;
		free(l->buf);
		l->buf = malloc(2 + XB_DNS_MSG_MAX);
		if (!l->buf) {
			fail(l, -ENOMEM, "out of memory");
			return;
		}
		l->have = 0;
		l->want = 2;
		l->state = L_TCP_READ;
		xb_loop_mod_fd(l->r->loop, l->fd, EPOLLIN);
		return;
	}
	if (l->state != L_TCP_READ || !(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return;
	n = recv(l->fd, l->buf + l->have, l->want - l->have, 0);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			next_try(l, -errno, "TCP receive: %s", strerror(errno));
		return;
	}
	if (n == 0) {
		next_try(l, -ECONNRESET, "TCP connection closed before the answer was complete");
		return;
	}
	l->have += (size_t)n;
	if (l->have == 2 && l->want == 2) {
		size_t len = (size_t)l->buf[0] << 8 | l->buf[1];

		if (len < 12) {
			l->r->stats.rejected++;
			next_try(l, -EPROTO, "malformed answer: %zu bytes over TCP", len);
			return;
		}
		l->want = 2 + len;
		return;
	}
	if (l->have == l->want)
		handle_answer(l, l->buf + 2, l->want - 2, true);
}

static void lookup_io(struct xb_loop *loop, int fd, uint32_t events, void *arg)
{
	struct xb_dns_lookup *l = arg;

	if (l->state == L_UDP)
		read_udp(l);
	else
		tcp_io(l, events);
}

static void lookup_timer(struct xb_loop *loop, struct xb_timer *t, void *arg)
{
	struct xb_dns_lookup *l = arg;

	if (l->state == L_START) {
		start_name(l);
		return;
	}
	l->r->stats.timeouts++;
	next_try(l, -ETIMEDOUT, "no answer%s within %u ms", l->state == L_UDP ? "" : " over TCP",
		 l->r->cfg.timeout_ms);
}

/* Ask for l->cur: from the cache if it is there, else from the servers. */
static void start_name(struct xb_dns_lookup *l)
{
	uint64_t now = xb_now_ns();
	const struct xb_dns_cache_entry *e = xb_dns_cache_get(l->r->cache, l->cur, l->qtype, now);

	if (e) {
		if (l->hops + e->cname_hops > XB_DNS_MAX_CNAME) {
			fail(l, -ELOOP, "CNAME chain longer than %u", XB_DNS_MAX_CNAME);
			return;
		}
		deliver_cached(l, e, now);
		return;
	}
	l->try = 0;
	l->tcp_used = false;
	send_udp(l);
}

int xb_dns_resolve(struct xb_resolver *r, const char *name, uint16_t type, xb_dns_cb cb, void *arg,
		   struct xb_dns_lookup **out)
{
	struct xb_dns_lookup *l;
	char norm[XB_DNS_NAME_MAX];
	int err;

	if (out)
		*out = NULL;
	if (!r || !cb)
		return xb_err(EINVAL, "resolve: no resolver or callback");
	if (type != XB_DNS_A && type != XB_DNS_AAAA && type != XB_DNS_SRV && type != XB_DNS_NAPTR)
		return xb_err(EINVAL, "resolve: record type %u is not supported", type);
	err = xb_dns_normalize_name(name, norm, sizeof(norm));
	if (err)
		return err;
	l = calloc(1, sizeof(*l));
	if (!l)
		return xb_err(ENOMEM, "resolve: out of memory");
	l->r = r;
	l->fd = -1;
	l->qtype = type;
	l->cb = cb;
	l->arg = arg;
	l->chain_ttl = UINT32_MAX;
	strcpy(l->qname, norm);
	strcpy(l->cur, norm);
	strcpy(l->chain[0], norm);
	l->state = L_START;
	xb_timer_init(&l->timer, lookup_timer, l);
	/* never answer from inside this call, even from the cache */
	if (xb_timer_arm(r->loop, &l->timer, 0)) {
		free(l);
		return xb_err(ENOMEM, "resolve: cannot arm a timer");
	}
	l->next = r->lookups;
	if (r->lookups)
		r->lookups->prev = l;
	r->lookups = l;
	r->stats.lookups++;
	if (out)
		*out = l;
	return 0;
}

void xb_dns_cancel(struct xb_dns_lookup *l)
{
	if (l)
		lookup_free(l);
}

/* ---------------------------------------------------------------- text */

const char *xb_dns_type_name(uint16_t type)
{
	switch (type) {
	case XB_DNS_A:
		return "A";
	case XB_DNS_AAAA:
		return "AAAA";
	case XB_DNS_CNAME:
		return "CNAME";
	case XB_DNS_SOA:
		return "SOA";
	case XB_DNS_SRV:
		return "SRV";
	case XB_DNS_NAPTR:
		return "NAPTR";
	}
	return "TYPE?";
}

const char *xb_dns_status_name(enum xb_dns_status s)
{
	switch (s) {
	case XB_DNS_OK:
		return "ok";
	case XB_DNS_NXDOMAIN:
		return "nxdomain";
	case XB_DNS_NODATA:
		return "nodata";
	case XB_DNS_FAIL:
		return "fail";
	}
	return "?";
}

/* NAPTR strings may hold anything: quote them, escaping what is not printable. */
static size_t quoted(char *out, size_t len, const char *s)
{
	size_t o = 0;

	if (len < 3)
		return 0;
	out[o++] = '"';
	for (; *s && o + 6 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			o += (size_t)snprintf(out + o, len - o, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			o += (size_t)snprintf(out + o, len - o, "\\%03u", c);
		else
			out[o++] = (char)c;
	}
	out[o++] = '"';
	out[o] = '\0';
	return o;
}

const char *xb_dns_rr_fmt(const struct xb_dns_rr *rr, char *buf, size_t len)
{
	char f[80], s[300], re[1100];

	switch (rr->type) {
	case XB_DNS_A:
	case XB_DNS_AAAA:
		return xb_fmt_addr(&rr->addr, buf, len);
	case XB_DNS_SRV:
		snprintf(buf, len, "%u %u %u %s", rr->srv.priority, rr->srv.weight, rr->srv.port,
			 rr->srv.target);
		return buf;
	case XB_DNS_NAPTR:
		quoted(f, sizeof(f), rr->naptr.flags);
		quoted(s, sizeof(s), rr->naptr.services);
		quoted(re, sizeof(re), rr->naptr.regexp);
		snprintf(buf, len, "%u %u %s %s %s %s", rr->naptr.order, rr->naptr.preference, f, s,
			 re, rr->naptr.replacement);
		return buf;
	}
	snprintf(buf, len, "?");
	return buf;
}
