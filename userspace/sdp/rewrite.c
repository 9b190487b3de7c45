// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SDP rewriter: copies the parsed SDP line by line, putting the relay in
 * place of the party. Lines it does not own are copied byte for byte.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xborder/fastpath.h>

#include "common/err.h"
#include "sdp/sdp.h"

/*
 * Growing output, refusing to go past the parser's limits: whatever we
 * write, we (and the next border element) can parse again.
 */
struct out {
	char *p;
	size_t n, cap;
	size_t line_start;
	unsigned int lines;
	int err;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->err)
		return;
	if (o->n + n > XB_SDP_MAX_LEN) {
		o->err = xb_err(EBADMSG, "sdp: more than %d bytes after rewriting", XB_SDP_MAX_LEN);
		return;
	}
	if (o->n + n + 1 > o->cap) {
		size_t ncap = o->cap ? o->cap : 1024;
		char *np;

		while (ncap < o->n + n + 1)
			ncap *= 2;
		/* not realloc: what is left behind may hold an a=crypto key */
		np = malloc(ncap);
		if (!np) {
			o->err = xb_err(ENOMEM, "sdp: out of memory");
			return;
		}
		if (o->p) {
			memcpy(np, o->p, o->n);
			explicit_bzero(o->p, o->cap);
			free(o->p);
		}
		o->p = np;
		o->cap = ncap;
	}
	memcpy(o->p + o->n, s, n);
	o->n += n;
	o->p[o->n] = '\0';
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void put_port(struct out *o, unsigned int port)
{
	char buf[8];

	snprintf(buf, sizeof(buf), "%u", port);
	puts_(o, buf);
}

/* "IN IP4 a.b.c.d" / "IN IP6 x::y"; ZERO writes the family's zero address. */
static void put_conn_addr(struct out *o, const struct xb_addr *a, bool zero)
{
	static const uint8_t zeros[16];
	char buf[INET6_ADDRSTRLEN];
	bool v6 = a->family == XB_AF_INET6;

	puts_(o, v6 ? "IN IP6 " : "IN IP4 ");
	if (!inet_ntop(v6 ? AF_INET6 : AF_INET, zero ? zeros : a->addr, buf, sizeof(buf)))
		buf[0] = '\0';
	puts_(o, buf);
}

static void put_crlf(struct out *o)
{
	if (!o->err && o->n - o->line_start > XB_SDP_MAX_LINE)
		o->err = xb_err(EBADMSG, "sdp line %u: longer than %d bytes after rewriting",
				o->lines + 1, XB_SDP_MAX_LINE);
	if (!o->err && ++o->lines > XB_SDP_MAX_LINES)
		o->err = xb_err(EBADMSG, "sdp: more than %d lines after rewriting",
				XB_SDP_MAX_LINES);
	put(o, "\r\n", 2);
	o->line_start = o->n;
}

static const char *line_ptr(const struct xb_sdp *sdp, unsigned int i)
{
	return sdp->buf + sdp->lines[i].off;
}

/* Byte offset just past the Nth (0-based) space-separated token of line I. */
static size_t token_end(const struct xb_sdp *sdp, unsigned int i, unsigned int nth)
{
	const char *p = line_ptr(sdp, i);
	size_t n = sdp->lines[i].len, pos = 2;
	unsigned int t;

	for (t = 0; t <= nth; t++) {
		while (pos < n && p[pos] == ' ')
			pos++;
		while (pos < n && p[pos] != ' ')
			pos++;
	}
	return pos;
}

static void copy_line(struct out *o, const struct xb_sdp *sdp, unsigned int i)
{
	put(o, line_ptr(sdp, i), sdp->lines[i].len);
	put_crlf(o);
}

/* m=<type> <relay port> <proto and formats as they were, or r->proto> */
static void write_mline(struct out *o, const struct xb_sdp *sdp, unsigned int i,
			const struct xb_sdp_media *m, const struct xb_sdp_relay *r)
{
	size_t type_end = token_end(sdp, i, 0), port_end = token_end(sdp, i, 1);
	size_t proto_end = token_end(sdp, i, 2);

	put(o, line_ptr(sdp, i), type_end);
	puts_(o, " ");
	put_port(o, m->port ? r->port : 0);
	if (r->proto) {
		puts_(o, " ");
		puts_(o, r->proto);
		port_end = proto_end;
	}
	put(o, line_ptr(sdp, i) + port_end, sdp->lines[i].len - port_end);
	put_crlf(o);
}

/* The attribute a section gets at its end (SRTP bridging: our a=crypto). */
static void write_added(struct out *o, const struct xb_sdp_rewrite *rw, int k)
{
	const struct xb_sdp_relay *r = &rw->media[k];

	if (k < 0 || !r->addr.family || !r->add_attr)
		return;
	puts_(o, "a=");
	puts_(o, r->add_attr);
	put_crlf(o);
}

/* What the caller asks to write must parse again: a token, a line. */
static bool printable(const char *s, bool spaces)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7e)
			if (!spaces || *s != ' ')
				return false;
	return true;
}

static void write_conn(struct out *o, const struct xb_addr *a, bool zero)
{
	puts_(o, "c=");
	put_conn_addr(o, a, zero);
	put_crlf(o);
}

/* a=rtcp:<relay port + 1>[ IN IPx <relay address>] */
static void write_rtcp(struct out *o, const struct xb_sdp_media *m, const struct xb_sdp_relay *r)
{
	puts_(o, "a=rtcp:");
	put_port(o, r->port + 1u);
	if (m->rtcp_conn.present) {
		puts_(o, " ");
		put_conn_addr(o, &r->addr, m->rtcp_conn.zero);
	}
	put_crlf(o);
}

/* o=<username> <sess-id> <sess-version> IN IPx <relay address> */
static void write_origin(struct out *o, const struct xb_sdp *sdp, unsigned int i,
			 const struct xb_addr *a)
{
	put(o, line_ptr(sdp, i), token_end(sdp, i, 2));
	puts_(o, " ");
	put_conn_addr(o, a, false);
	put_crlf(o);
}

static int check_relays(const struct xb_sdp *sdp, const struct xb_sdp_rewrite *rw)
{
	unsigned int k;

	for (k = 0; k < sdp->n_media; k++) {
		const struct xb_sdp_relay *r = &rw->media[k];

		if (!r->addr.family)
			continue;
		if (r->addr.family != XB_AF_INET && r->addr.family != XB_AF_INET6)
			return xb_err(EINVAL, "sdp rewrite: section %u: bad relay family", k);
		if (sdp->media[k].port && (r->port == 0 || r->port == 65535))
			return xb_err(EINVAL, "sdp rewrite: section %u: bad relay port %u", k,
				      r->port);
		if (r->proto && (!*r->proto || strlen(r->proto) >= XB_SDP_TOKEN_MAX ||
				 !printable(r->proto, false)))
			return xb_err(EINVAL, "sdp rewrite: section %u: bad transport protocol", k);
		if (r->add_attr && (!*r->add_attr || strlen(r->add_attr) > XB_SDP_MAX_LINE - 2 ||
				    !printable(r->add_attr, true)))
			return xb_err(EINVAL, "sdp rewrite: section %u: bad attribute to add", k);
	}
	if (rw->session_addr.family && rw->session_addr.family != XB_AF_INET &&
	    rw->session_addr.family != XB_AF_INET6)
		return xb_err(EINVAL, "sdp rewrite: bad session address family");
	return 0;
}

/*
 * A section that relied on the session c= gets its own c= when its relay
 * address is not the one the session c= now names (sections relayed on
 * different interfaces). A held (zero) session c= is left to speak for all.
 */
static bool needs_own_conn(const struct xb_sdp *sdp, const struct xb_sdp_media *m,
			   const struct xb_sdp_relay *r, const struct xb_addr *session)
{
	if (m->conn.present || !m->port || !r->addr.family)
		return false;
	if (sdp->conn.present && sdp->conn.zero)
		return false;
	return !sdp->conn.present || !session->family || !xb_addr_equal(session, &r->addr);
}

int xb_sdp_rewrite(const struct xb_sdp *sdp, const struct xb_sdp_rewrite *rw, char **out,
		   size_t *out_len)
{
	struct xb_addr session = rw->session_addr;
	struct out o = { 0 };
	int pending = -1;  /* section still owed a c= line */
	int open_sec = -1; /* section of the previous line */
	unsigned int i, k;
	int err;

	err = check_relays(sdp, rw);
	if (err)
		return err;
	for (k = 0; !session.family && k < sdp->n_media; k++)
		session = rw->media[k].addr;

	for (i = 0; i < sdp->n_lines && !o.err; i++) {
		const struct xb_sdp_line *l = &sdp->lines[i];
		const struct xb_sdp_media *m = l->section >= 0 ? &sdp->media[l->section] : NULL;
		const struct xb_sdp_relay *r = m ? &rw->media[l->section] : NULL;
		char type = line_ptr(sdp, i)[0];

		if (pending >= 0 && (l->kind == XB_SDP_L_MEDIA || type != 'i')) {
			write_conn(&o, &rw->media[pending].addr, false);
			pending = -1;
		}
		if (l->kind == XB_SDP_L_MEDIA)
			write_added(&o, rw, open_sec);
		open_sec = l->section;
		switch (l->kind) {
		case XB_SDP_L_ORIGIN:
			if (rw->replace_origin && session.family)
				write_origin(&o, sdp, i, &session);
			else
				copy_line(&o, sdp, i);
			break;
		case XB_SDP_L_CONN:
			if (!m && session.family)
				write_conn(&o, &session, sdp->conn.zero);
			else if (m && r->addr.family)
				write_conn(&o, &r->addr, m->conn.zero);
			else
				copy_line(&o, sdp, i);
			break;
		case XB_SDP_L_MEDIA:
			if (!r->addr.family) {
				copy_line(&o, sdp, i);
				break;
			}
			write_mline(&o, sdp, i, m, r);
			if (needs_own_conn(sdp, m, r, &session))
				pending = l->section;
			break;
		case XB_SDP_L_RTCP:
			if (!r->addr.family)
				copy_line(&o, sdp, i);
			else if (m->port)
				write_rtcp(&o, m, r);
			break;
		case XB_SDP_L_ICE:
			break;
		case XB_SDP_L_CRYPTO:
			if (!r->addr.family || !r->strip_crypto)
				copy_line(&o, sdp, i);
			break;
		default:
			copy_line(&o, sdp, i);
			break;
		}
	}
	if (pending >= 0)
		write_conn(&o, &rw->media[pending].addr, false);
	write_added(&o, rw, open_sec);
	if (o.err) {
		if (o.p)
			explicit_bzero(o.p, o.cap);
		free(o.p);
		return o.err;
	}
	*out = o.p;
	*out_len = o.n;
	return 0;
}
