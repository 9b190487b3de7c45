// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Content-Length framing of SIP over stream transports (RFC 3261 18.3).
 *
 * Strict on purpose: the header section ends at the first CRLF CRLF (a
 * bare LF LF is not accepted: a peer that cannot send CRLF is broken, and
 * guessing where a message ends on a stream is how requests get smuggled);
 * Content-Length ("l" in compact form) is mandatory, digits only, and all
 * its occurrences must agree. Header folding is not interpreted: a
 * continuation line is never taken for a Content-Length header.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "sip/transport.h"
#include "sip/transport_frame.h"

/* Larger limits are clamped, so lengths stay far from overflowing. */
#define XBS_FRAME_MAX_LIMIT (1UL << 30)

static bool is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

static bool name_is(const char *name, size_t n, const char *want)
{
	return n == strlen(want) && !strncasecmp(name, want, n);
}

/*
 * One header line [line, line + n) without its CRLF: if it is a
 * Content-Length, stores its value in *cl (or max + 1 when it exceeds max)
 * and returns 1; 0 for another header; -EBADMSG for a malformed value.
 */
static int parse_cl_line(const char *line, size_t n, size_t max, size_t *cl)
{
	const char *colon = memchr(line, ':', n);
	size_t name_len, i, v = 0;
	bool digits = false;

	if (!colon || n == 0 || is_wsp(line[0]))
		return 0; /* no header, or a continuation line */
	name_len = colon - line;
	while (name_len && is_wsp(line[name_len - 1]))
		name_len--;
	if (!name_is(line, name_len, "content-length") && !name_is(line, name_len, "l"))
		return 0;
	i = colon - line + 1;
	while (i < n && is_wsp(line[i]))
		i++;
	for (; i < n && line[i] >= '0' && line[i] <= '9'; i++) {
		digits = true;
		if (v <= max) /* max is far below SIZE_MAX / 10: no overflow */
			v = v * 10 + (line[i] - '0');
	}
	while (i < n && is_wsp(line[i]))
		i++;
	if (!digits || i != n)
		return -EBADMSG;
	*cl = v <= max ? v : max + 1;
	return 1;
}

/* The Content-Length of the header section [hdr, hdr + len), CRLF-separated lines. */
static ssize_t content_length(const char *hdr, size_t len, size_t max)
{
	const char *p = hdr, *end = hdr + len;
	bool found = false, first = true;
	size_t cl = 0;

	while (p < end) {
		const char *eol = memmem(p, end - p, "\r\n", 2);
		size_t n = eol ? (size_t)(eol - p) : (size_t)(end - p), v;
		int r = 0;

		if (!first) /* the start line is no header */
			r = parse_cl_line(p, n, max, &v);
		first = false;
		if (r < 0)
			return r;
		if (r > 0) {
			if (found && v != cl)
				return -EBADMSG;
			found = true;
			cl = v;
		}
		p += n + (eol ? 2 : 0);
	}
	return found ? (ssize_t)cl : -EBADMSG;
}

ssize_t xbs_frame_step(struct xbs_framer *f, const char *buf, size_t len, size_t max, size_t *skip)
{
	const char *end_hdr;
	size_t i = 0, n, from, limit, hdr_len;
	ssize_t cl;

	if (max > XBS_FRAME_MAX_LIMIT)
		max = XBS_FRAME_MAX_LIMIT;
	if (f->total) {
		*skip = 0;
		return len >= f->total ? (ssize_t)f->total : 0;
	}
	/* Keep-alives before a message (RFC 5626 3.5.1, RFC 3261 7.5). */
	while (i + 1 < len && buf[i] == '\r' && buf[i + 1] == '\n')
		i += 2;
	*skip = i;
	buf += i;
	n = len - i;
	if (n == 0 || (n == 1 && buf[0] == '\r'))
		return 0;
	/* Search where the last call stopped, minus a possibly split CRLF CRLF. */
	from = f->scanned > 3 ? f->scanned - 3 : 0;
	limit = n < max ? n : max;
	end_hdr = from < limit ? memmem(buf + from, limit - from, "\r\n\r\n", 4) : NULL;
	if (!end_hdr) {
		if (n >= max)
			return -EMSGSIZE; /* no blank line within max bytes */
		f->scanned = n;
		return 0;
	}
	hdr_len = end_hdr - buf + 4;
	if (hdr_len > max)
		return -EMSGSIZE;
	cl = content_length(buf, hdr_len - 4, max);
	if (cl < 0)
		return cl;
	if ((size_t)cl > max - hdr_len)
		return -EMSGSIZE;
	f->total = hdr_len + cl;
	return n >= f->total ? (ssize_t)f->total : 0;
}

ssize_t xbs_frame(const char *buf, size_t len, size_t max, size_t *skip)
{
	struct xbs_framer f = { 0 };

	return xbs_frame_step(&f, buf, len, max, skip);
}
