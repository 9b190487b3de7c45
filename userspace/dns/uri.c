// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <xborder/fastpath.h>

#include "common/err.h"
#include "dns/uri.h"

const char *xb_uri_scheme_name(enum xb_uri_scheme s)
{
	switch (s) {
	case XB_URI_SIP:
		return "sip";
	case XB_URI_SIPS:
		return "sips";
	case XB_URI_TEL:
		return "tel";
	}
	return "?";
}

int xb_e164_parse(const char *s, char *out, size_t len)
{
	size_t n = 0;

	if (!s || s[0] != '+')
		return xb_err(EINVAL, "'%.32s' is not a global number (+ and digits, E.164)",
			      s ? s : "");
	for (s++; *s && *s != ';'; s++) {
		if (*s >= '0' && *s <= '9') {
			if (n >= XB_E164_MAX || n + 2 >= len)
				return xb_err(EINVAL, "more than %u digits: not an E.164 number",
					      XB_E164_MAX);
			out[1 + n++] = *s;
		} else if (!strchr("-.()", *s)) {
			return xb_err(EINVAL, "'%c' in a telephone number", *s);
		}
	}
	if (!n)
		return xb_err(EINVAL, "a global number needs digits after '+'");
	out[0] = '+';
	out[1 + n] = '\0';
	return 0;
}

static void lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* A host: a name or IPv4 address, or an IPv6 address (brackets removed). */
static int set_host(const char *h, size_t n, bool bracketed, char *out, bool *numeric,
		    struct xb_addr *addr)
{
	char buf[XB_DNS_NAME_MAX];

	if (n == 0 || n >= sizeof(buf))
		return xb_err(EINVAL, "URI host is empty or too long");
	memcpy(buf, h, n);
	buf[n] = '\0';
	*numeric = false;
	if (!xb_parse_addr(buf, addr)) {
		if (bracketed != (addr->family == XB_AF_INET6))
			return xb_err(EINVAL, "IPv6 addresses go in brackets in a URI: '%s'", buf);
		*numeric = true;
	} else if (bracketed || !xb_dns_valid_name(buf)) {
		return xb_err(EINVAL, "'%.64s' is not a host name or address", buf);
	}
	lower(buf);
	n = strlen(buf);
	if (n > 1 && buf[n - 1] == '.')
		buf[n - 1] = '\0';
	strcpy(out, buf);
	return 0;
}

static int parse_param(struct xb_uri *u, const char *p, size_t n)
{
	const char *eq = memchr(p, '=', n);
	size_t kl = eq ? (size_t)(eq - p) : n, vl = eq ? n - kl - 1 : 0;
	const char *v = eq ? eq + 1 : "";
	bool numeric;
	struct xb_addr a;

	if (kl == 9 && !strncasecmp(p, "transport", 9)) {
		if (vl == 3 && !strncasecmp(v, "udp", 3))
			u->transport = XBD_TRANSPORT_UDP;
		else if (vl == 3 && !strncasecmp(v, "tcp", 3))
			u->transport = XBD_TRANSPORT_TCP;
		else if (vl == 3 && !strncasecmp(v, "tls", 3))
			u->transport = XBD_TRANSPORT_TLS;
		else
			return xb_err(EINVAL, "transport '%.*s' is not supported (udp, tcp, tls)",
				      (int)(vl > 16 ? 16 : vl), v);
		u->has_transport = true;
	} else if (kl == 5 && !strncasecmp(p, "maddr", 5)) {
		bool br = vl > 2 && v[0] == '[' && v[vl - 1] == ']';

		if (set_host(br ? v + 1 : v, br ? vl - 2 : vl, br, u->maddr, &numeric, &a))
			return xb_err_prefix(EINVAL, "maddr");
	} else if (kl == 4 && !strncasecmp(p, "user", 4)) {
		u->user_phone = vl == 5 && !strncasecmp(v, "phone", 5);
	}
	return 0;
}

static int parse_sip(const char *s, struct xb_uri *u)
{
	const char *at = strchr(s, '@'), *h, *e;
	size_t n;
	int err;

	if (at) {
		n = (size_t)(at - s);
		if (n == 0 || n >= sizeof(u->user))
			return xb_err(EINVAL, "URI user part is empty or too long");
		memcpy(u->user, s, n);
		u->user[n] = '\0';
		u->user[strcspn(u->user, ":")] = '\0'; /* never keep a password */
		h = at + 1;
	} else {
		h = s;
	}
	if (*h == '[') {
		e = strchr(h, ']');
		if (!e)
			return xb_err(EINVAL, "unterminated '[' in URI host");
		err = set_host(h + 1, (size_t)(e - h - 1), true, u->host, &u->numeric, &u->addr);
		e++;
	} else {
		e = h + strcspn(h, ":;?");
		err = set_host(h, (size_t)(e - h), false, u->host, &u->numeric, &u->addr);
	}
	if (err)
		return err;
	if (*e == ':') {
		char port[8];

		n = strcspn(e + 1, ";?");
		if (n == 0 || n >= sizeof(port))
			return xb_err(EINVAL, "bad port in URI");
		memcpy(port, e + 1, n);
		port[n] = '\0';
		if (xb_parse_port(port, &u->port))
			return xb_err(EINVAL, "bad port '%s' in URI", port);
		e += 1 + n;
	}
	while (*e == ';') {
		e++;
		n = strcspn(e, ";?");
		err = parse_param(u, e, n);
		if (err)
			return err;
		e += n;
	}
	if (*e && *e != '?')
		return xb_err(EINVAL, "unexpected '%c' after the URI host", *e);
	if (u->user_phone && u->user[0] == '+') {
		err = xb_e164_parse(u->user, u->number, sizeof(u->number));
		if (err)
			return xb_err_prefix(err, "user=phone");
	}
	return 0;
}

int xb_uri_parse(const char *s, struct xb_uri *out)
{
	const unsigned char *p;
	size_t n;

	memset(out, 0, sizeof(*out));
	if (!s)
		return xb_err(EINVAL, "no URI");
	n = strnlen(s, XB_URI_MAX + 1);
	if (n > XB_URI_MAX)
		return xb_err(EINVAL, "URI longer than %u characters", XB_URI_MAX);
	for (p = (const unsigned char *)s; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f)
			return xb_err(EINVAL, "URI contains a blank or a non-ASCII character");
	if (!strncasecmp(s, "sip:", 4)) {
		out->scheme = XB_URI_SIP;
		return parse_sip(s + 4, out);
	}
	if (!strncasecmp(s, "sips:", 5)) {
		out->scheme = XB_URI_SIPS;
		return parse_sip(s + 5, out);
	}
	if (!strncasecmp(s, "tel:", 4)) {
		out->scheme = XB_URI_TEL;
		snprintf(out->user, sizeof(out->user), "%.*s", (int)strcspn(s + 4, ";"), s + 4);
		if (s[4] != '+')
			return xb_err(EINVAL, "tel URI '%.32s' is not a global number (+...)", s);
		return xb_e164_parse(s + 4, out->number, sizeof(out->number));
	}
	return xb_err(EINVAL, "'%.32s' is not a sip:, sips: or tel: URI", s);
}
