// SPDX-License-Identifier: GPL-2.0-or-later
/* SDP parser: splits lines, classifies them, reads what relaying needs. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xborder/fastpath.h>

#include "common/err.h"
#include "sdp/sdp.h"

/* A piece of the input: not NUL-terminated. */
struct span {
	const char *p;
	size_t n;
};

static bool span_eq(struct span s, const char *lit)
{
	size_t n = strlen(lit);

	return s.n == n && memcmp(s.p, lit, n) == 0;
}

/* Next space-separated token of *rest; false when none is left. */
static bool next_token(struct span *rest, struct span *tok)
{
	while (rest->n && rest->p[0] == ' ') {
		rest->p++;
		rest->n--;
	}
	if (!rest->n)
		return false;
	tok->p = rest->p;
	tok->n = 0;
	while (tok->n < rest->n && tok->p[tok->n] != ' ')
		tok->n++;
	rest->p += tok->n;
	rest->n -= tok->n;
	return true;
}

static bool rest_empty(struct span rest)
{
	struct span tok;

	return !next_token(&rest, &tok);
}

/* Decimal digits only, at most MAXDIGITS of them, value <= MAX. */
static bool parse_uint(struct span s, unsigned int maxdigits, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (s.n == 0 || s.n > maxdigits)
		return false;
	for (i = 0; i < s.n; i++) {
		uint64_t d = (uint64_t)(s.p[i] - '0');

		if (s.p[i] < '0' || s.p[i] > '9' || v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

static bool is_zero_addr(const struct xb_addr *a)
{
	static const uint8_t zero[16];

	return memcmp(a->addr, zero, sizeof(zero)) == 0;
}

/* "sdp line N: MSG 'offending text'" */
static int bad(unsigned int lineno, const char *msg, struct span s)
{
	return xb_err(EBADMSG, "sdp line %u: %s '%.*s'", lineno, msg, (int)(s.n > 48 ? 48 : s.n),
		      s.p);
}

/*
 * "IN IP4 addr" / "IN IP6 addr" (REST points after "c=" or after the port
 * of a=rtcp). FQDNs and multicast TTL/count suffixes are refused: the relay
 * needs a literal unicast address.
 */
static int parse_conn(struct span rest, unsigned int lineno, struct xb_sdp_conn *c)
{
	struct span nettype, addrtype, addr;
	char buf[INET6_ADDRSTRLEN];
	int af;

	if (!next_token(&rest, &nettype) || !next_token(&rest, &addrtype) ||
	    !next_token(&rest, &addr) || !rest_empty(rest))
		return xb_err(EBADMSG, "sdp line %u: connection data is not 'IN IP4|IP6 ADDRESS'",
			      lineno);
	if (!span_eq(nettype, "IN"))
		return bad(lineno, "unsupported network type", nettype);
	if (span_eq(addrtype, "IP4")) {
		af = AF_INET;
		c->addr.family = XB_AF_INET;
	} else if (span_eq(addrtype, "IP6")) {
		af = AF_INET6;
		c->addr.family = XB_AF_INET6;
	} else {
		return bad(lineno, "unsupported address type", addrtype);
	}
	if (memchr(addr.p, '/', addr.n))
		return bad(lineno, "multicast connection address not supported", addr);
	if (addr.n >= sizeof(buf))
		return bad(lineno, "invalid address", addr);
	memcpy(buf, addr.p, addr.n);
	buf[addr.n] = '\0';
	memset(c->addr.addr, 0, sizeof(c->addr.addr));
	if (inet_pton(af, buf, c->addr.addr) != 1)
		return bad(lineno, af == AF_INET ? "invalid IPv4 address" : "invalid IPv6 address",
			   addr);
	c->present = true;
	c->zero = is_zero_addr(&c->addr);
	return 0;
}

/* o=<username> <sess-id> <sess-version> <nettype> <addrtype> <address> */
static int parse_origin(struct span rest, unsigned int lineno, struct xb_sdp *sdp)
{
	struct span tok[6];
	unsigned int i;

	for (i = 0; i < 6; i++)
		if (!next_token(&rest, &tok[i]))
			return xb_err(EBADMSG, "sdp line %u: o= needs 6 fields", lineno);
	if (!rest_empty(rest))
		return xb_err(EBADMSG, "sdp line %u: o= has more than 6 fields", lineno);
	if (!parse_uint(tok[2], 20, UINT64_MAX, &sdp->origin_version))
		return bad(lineno, "o=: invalid session version", tok[2]);
	return 0;
}

static bool valid_token(struct span s)
{
	size_t i;

	if (s.n == 0 || s.n >= XB_SDP_TOKEN_MAX)
		return false;
	for (i = 0; i < s.n; i++)
		if ((unsigned char)s.p[i] <= ' ' || (unsigned char)s.p[i] >= 0x7f)
			return false;
	return true;
}

/* m=<media> <port>[/<nports>] <proto> <fmt> ... */
static int parse_mline(struct span rest, unsigned int lineno, struct xb_sdp_media *m)
{
	struct span type, portspec, proto, fmt, port, nports = { NULL, 0 };
	const char *slash;
	uint64_t v;

	if (!next_token(&rest, &type) || !next_token(&rest, &portspec) ||
	    !next_token(&rest, &proto) || !next_token(&rest, &fmt))
		return xb_err(EBADMSG, "sdp line %u: m= needs media, port, proto and a format",
			      lineno);
	if (!valid_token(type))
		return bad(lineno, "m=: invalid media type", type);
	if (!valid_token(proto))
		return bad(lineno, "m=: invalid transport protocol", proto);
	port = portspec;
	slash = memchr(portspec.p, '/', portspec.n);
	if (slash) {
		port.n = (size_t)(slash - portspec.p);
		nports.p = slash + 1;
		nports.n = portspec.n - port.n - 1;
	}
	if (!parse_uint(port, 5, 65535, &v))
		return bad(lineno, "m=: invalid port", portspec);
	m->port = (uint16_t)v;
	m->nports = 1;
	if (slash) {
		if (!parse_uint(nports, 2, XB_SDP_MAX_NPORTS, &v) || v == 0)
			return bad(lineno, "m=: invalid port count (1-16)", portspec);
		/* Each counted port is an RTP/RTCP pair. */
		if (m->port + 2 * v - 1 > 65535)
			return bad(lineno, "m=: port count runs past 65535", portspec);
		m->nports = (unsigned int)v;
	}
	memcpy(m->type, type.p, type.n);
	m->type[type.n] = '\0';
	memcpy(m->proto, proto.p, proto.n);
	m->proto[proto.n] = '\0';
	return 0;
}

/* a=rtcp:<port> [IN IP4|IP6 <address>] (RFC 3605) */
static int parse_rtcp(struct span val, unsigned int lineno, struct xb_sdp_media *m)
{
	struct span port = val;
	uint64_t v;

	if (m->has_rtcp)
		return xb_err(EBADMSG, "sdp line %u: duplicate a=rtcp", lineno);
	if (!next_token(&val, &port) || !parse_uint(port, 5, 65535, &v) || v == 0)
		return bad(lineno, "a=rtcp: invalid port", port);
	m->has_rtcp = true;
	m->rtcp_port = (uint16_t)v;
	if (!rest_empty(val))
		return parse_conn(val, lineno, &m->rtcp_conn);
	return 0;
}

static bool is_ice_attr(struct span name)
{
	return span_eq(name, "candidate") || span_eq(name, "remote-candidates") ||
	       span_eq(name, "end-of-candidates") || (name.n > 4 && memcmp(name.p, "ice-", 4) == 0);
}

static int parse_dir(struct span name, enum xb_sdp_dir *dir)
{
	static const char *const names[] = { "sendrecv", "sendonly", "recvonly", "inactive" };
	unsigned int i;

	for (i = 0; i < 4; i++)
		if (span_eq(name, names[i])) {
			*dir = (enum xb_sdp_dir)i;
			return 0;
		}
	return -1;
}

/* Classify an a= line and record what it says. */
static int parse_attr(struct span val, unsigned int lineno, struct xb_sdp *sdp,
		      struct xb_sdp_media *m, struct xb_sdp_line *l)
{
	struct span name = val, arg = { val.p + val.n, 0 };
	const char *colon = memchr(val.p, ':', val.n);
	enum xb_sdp_dir dir;

	if (colon) {
		name.n = (size_t)(colon - val.p);
		arg.p = colon + 1;
		arg.n = val.n - name.n - 1;
	}
	if (is_ice_attr(name)) {
		l->kind = XB_SDP_L_ICE;
		if (m)
			m->n_ice++;
	} else if (!colon && parse_dir(name, &dir) == 0) {
		l->kind = XB_SDP_L_DIR;
		if (m) {
			m->has_dir = true;
			m->dir = dir;
		} else {
			sdp->has_dir = true;
			sdp->dir = dir;
		}
	} else if (m && span_eq(name, "rtcp") && colon) {
		l->kind = XB_SDP_L_RTCP;
		return parse_rtcp(arg, lineno, m);
	} else if (m && !colon && span_eq(name, "rtcp-mux")) {
		l->kind = XB_SDP_L_RTCP_MUX;
		m->rtcp_mux = true;
	} else if (m && colon && span_eq(name, "crypto")) {
		l->kind = XB_SDP_L_CRYPTO;
		m->n_crypto++;
	}
	return 0;
}

/* Split into lines: LF or CRLF, a last line without an end is fine. */
static int split_lines(struct xb_sdp *sdp)
{
	size_t pos = 0, cap = 0;
	unsigned int blank_at = 0;

	while (pos < sdp->len) {
		const char *p = sdp->buf + pos;
		size_t avail = sdp->len - pos, n = 0, end;
		struct xb_sdp_line *l;

		while (n < avail && p[n] != '\n')
			n++;
		end = n;
		if (end && p[end - 1] == '\r')
			end--;
		if (sdp->n_lines >= XB_SDP_MAX_LINES)
			return xb_err(EBADMSG, "sdp: more than %d lines", XB_SDP_MAX_LINES);
		if (end > XB_SDP_MAX_LINE)
			return xb_err(EBADMSG, "sdp line %u: longer than %d bytes",
				      sdp->n_lines + 1, XB_SDP_MAX_LINE);
		if (end == 0) {
			/* Blank lines are tolerated only at the very end. */
			if (!blank_at)
				blank_at = sdp->n_lines + 1;
			pos += n + 1;
			continue;
		}
		if (blank_at)
			return xb_err(EBADMSG, "sdp line %u: empty line", blank_at);
		if (sdp->n_lines == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			void *nl = realloc(sdp->lines, ncap * sizeof(*sdp->lines));

			if (!nl)
				return xb_err(ENOMEM, "sdp: out of memory");
			sdp->lines = nl;
			cap = ncap;
		}
		l = &sdp->lines[sdp->n_lines++];
		memset(l, 0, sizeof(*l));
		l->off = (uint32_t)pos;
		l->len = (uint32_t)end;
		l->section = -1;
		pos += n + 1;
	}
	if (!sdp->n_lines)
		return xb_err(EBADMSG, "sdp: empty");
	return 0;
}

/* Every line is <lowercase letter>=<printable text>. */
static int check_line_syntax(const struct xb_sdp *sdp, unsigned int i)
{
	const struct xb_sdp_line *l = &sdp->lines[i];
	const unsigned char *p = (const unsigned char *)sdp->buf + l->off;
	uint32_t k;

	if (l->len < 2 || p[0] < 'a' || p[0] > 'z' || p[1] != '=')
		return xb_err(EBADMSG, "sdp line %u: not '<type>=<value>'", i + 1);
	for (k = 2; k < l->len; k++)
		if ((p[k] < 0x20 && p[k] != '\t') || p[k] == 0x7f)
			return xb_err(EBADMSG, "sdp line %u: control character 0x%02x", i + 1,
				      p[k]);
	return 0;
}

static int parse_line(struct xb_sdp *sdp, unsigned int i, bool *seen_origin)
{
	struct xb_sdp_line *l = &sdp->lines[i];
	struct span val = { sdp->buf + l->off + 2, l->len - 2 };
	struct xb_sdp_media *m = sdp->n_media ? &sdp->media[sdp->n_media - 1] : NULL;
	char type = sdp->buf[l->off];
	unsigned int lineno = i + 1;
	int err;

	err = check_line_syntax(sdp, i);
	if (err)
		return err;
	if (i == 0) {
		if (type != 'v' || !span_eq(val, "0"))
			return xb_err(EBADMSG, "sdp line 1: must be 'v=0'");
		l->kind = XB_SDP_L_VERSION;
		return 0;
	}
	switch (type) {
	case 'v':
		return xb_err(EBADMSG, "sdp line %u: second v= line", lineno);
	case 'o':
		if (m || *seen_origin)
			return xb_err(EBADMSG, "sdp line %u: misplaced o= line", lineno);
		*seen_origin = true;
		l->kind = XB_SDP_L_ORIGIN;
		return parse_origin(val, lineno, sdp);
	case 'c': {
		struct xb_sdp_conn *c = m ? &m->conn : &sdp->conn;

		if (c->present)
			return xb_err(EBADMSG, "sdp line %u: duplicate c= line", lineno);
		l->kind = XB_SDP_L_CONN;
		return parse_conn(val, lineno, c);
	}
	case 'm':
		if (!*seen_origin)
			return xb_err(EBADMSG, "sdp line %u: m= before o=", lineno);
		if (sdp->n_media >= XB_SDP_MAX_MEDIA)
			return xb_err(EBADMSG, "sdp line %u: more than %d media sections", lineno,
				      XB_SDP_MAX_MEDIA);
		m = &sdp->media[sdp->n_media++];
		memset(m, 0, sizeof(*m));
		m->m_line = i;
		l->kind = XB_SDP_L_MEDIA;
		l->section = (int8_t)(sdp->n_media - 1);
		return parse_mline(val, lineno, m);
	case 'a':
		return parse_attr(val, lineno, sdp, m, l);
	default:
		return 0;
	}
}

/* Fill in where each section's media goes, once all lines are read. */
static int derive_remote(struct xb_sdp *sdp)
{
	unsigned int k;

	for (k = 0; k < sdp->n_media; k++) {
		struct xb_sdp_media *m = &sdp->media[k];
		const struct xb_sdp_conn *c = m->conn.present ? &m->conn : &sdp->conn;

		m->end_line = k + 1 < sdp->n_media ? sdp->media[k + 1].m_line : sdp->n_lines;
		if (!m->has_dir) {
			m->dir = sdp->has_dir ? sdp->dir : XB_SDP_SENDRECV;
		}
		if (!c->present) {
			if (m->port)
				return xb_err(EBADMSG,
					      "sdp line %u: m= section %u has no c= line and there "
					      "is no session c=",
					      m->m_line + 1, k);
			continue;
		}
		m->remote = c->addr;
		m->remote_zero = c->zero;
		m->remote_rtcp = m->rtcp_conn.present ? m->rtcp_conn.addr : c->addr;
		if (m->has_rtcp)
			m->remote_rtcp_port = m->rtcp_port;
		else if (m->port && m->port < 65535)
			m->remote_rtcp_port = m->port + 1;
	}
	return 0;
}

int xb_sdp_parse(const char *text, size_t len, struct xb_sdp *sdp)
{
	bool seen_origin = false;
	unsigned int i;
	int err;

	memset(sdp, 0, sizeof(*sdp));
	if (len == 0)
		return xb_err(EBADMSG, "sdp: empty");
	if (len > XB_SDP_MAX_LEN)
		return xb_err(EBADMSG, "sdp: %zu bytes, more than %d", len, XB_SDP_MAX_LEN);
	if (memchr(text, '\0', len))
		return xb_err(EBADMSG, "sdp: contains a NUL byte");
	sdp->buf = malloc(len + 1);
	if (!sdp->buf)
		return xb_err(ENOMEM, "sdp: out of memory");
	memcpy(sdp->buf, text, len);
	sdp->buf[len] = '\0';
	sdp->len = len;
	err = split_lines(sdp);
	for (i = 0; !err && i < sdp->n_lines; i++) {
		err = parse_line(sdp, i, &seen_origin);
		if (!err && sdp->lines[i].kind != XB_SDP_L_MEDIA && sdp->n_media)
			sdp->lines[i].section = (int8_t)(sdp->n_media - 1);
	}
	if (!err && !seen_origin)
		err = xb_err(EBADMSG, "sdp: no o= line");
	if (!err)
		err = derive_remote(sdp);
	if (err)
		xb_sdp_free(sdp);
	return err;
}

void xb_sdp_free(struct xb_sdp *sdp)
{
	/* the copy may hold a=crypto keys */
	if (sdp->buf)
		explicit_bzero(sdp->buf, sdp->len);
	free(sdp->buf);
	free(sdp->lines);
	memset(sdp, 0, sizeof(*sdp));
}

bool xb_sdp_media_held(const struct xb_sdp_media *m)
{
	return m->remote_zero || m->dir == XB_SDP_SENDONLY || m->dir == XB_SDP_INACTIVE;
}

const char *xb_sdp_dir_name(enum xb_sdp_dir dir)
{
	switch (dir) {
	case XB_SDP_SENDRECV:
		return "sendrecv";
	case XB_SDP_SENDONLY:
		return "sendonly";
	case XB_SDP_RECVONLY:
		return "recvonly";
	case XB_SDP_INACTIVE:
		return "inactive";
	}
	return "?";
}
