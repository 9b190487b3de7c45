// SPDX-License-Identifier: GPL-2.0-or-later
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <xborder/fastpath.h>

#include "common/addr.h"
#include "common/err.h"

/* Copy s into buf if it fits; the error names the input, shortened. */
static int bounded_copy(const char *s, char *buf, size_t len, const char *what)
{
	size_t n;

	if (!s)
		return xb_err(EINVAL, "missing %s", what);
	n = strnlen(s, XB_PARSE_MAX + 1);
	if (n == 0)
		return xb_err(EINVAL, "empty %s", what);
	if (n >= len)
		return xb_err(EINVAL, "%s too long: '%.32s...'", what, s);
	memcpy(buf, s, n + 1);
	return 0;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

int xb_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *p;

	if (!s || !all_digits(s) || strlen(s) > 20)
		return xb_err(EINVAL, "invalid number '%.32s'", s ? s : "");
	for (p = s; *p; p++) {
		unsigned int d = *p - '0';

		if (v > (UINT64_MAX - d) / 10)
			return xb_err(ERANGE, "number out of range: '%.32s'", s);
		v = v * 10 + d;
	}
	if (v > max)
		return xb_err(ERANGE, "number out of range: '%.32s' (at most %llu)", s,
			      (unsigned long long)max);
	*out = v;
	return 0;
}

int xb_parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v;
	int err = xb_parse_u64(s, max, &v);

	if (!err)
		*out = (uint32_t)v;
	return err;
}

int xb_parse_port(const char *s, uint16_t *port)
{
	uint64_t v;

	if (!s || !all_digits(s) || strlen(s) > 5 || xb_parse_u64(s, 65535, &v) || v == 0)
		return xb_err(EINVAL, "invalid port '%.32s' (1-65535)", s ? s : "");
	*port = (uint16_t)v;
	return 0;
}

int xb_parse_port_range(const char *s, uint16_t *lo, uint16_t *hi)
{
	char buf[16], *dash;
	uint16_t a, b;

	if (bounded_copy(s, buf, sizeof(buf), "port range"))
		return xb_err(EINVAL, "invalid port range '%.32s'", s ? s : "");
	dash = strchr(buf, '-');
	if (!dash) {
		if (xb_parse_port(buf, &a))
			return -EINVAL;
		*lo = *hi = a;
		return 0;
	}
	*dash = '\0';
	if (xb_parse_port(buf, &a) || xb_parse_port(dash + 1, &b) || a > b)
		return xb_err(EINVAL, "invalid port range '%s' (LO-HI, 1 <= LO <= HI <= 65535)", s);
	*lo = a;
	*hi = b;
	return 0;
}

int xb_parse_addr(const char *s, struct xb_addr *out)
{
	char buf[INET6_ADDRSTRLEN];
	struct xb_addr a;

	memset(&a, 0, sizeof(a));
	if (bounded_copy(s, buf, sizeof(buf), "address"))
		return xb_err(EINVAL, "invalid address '%.48s'", s ? s : "");
	if (strchr(buf, ':')) {
		a.family = XB_AF_INET6;
		if (inet_pton(AF_INET6, buf, a.addr) != 1)
			return xb_err(EINVAL, "invalid IPv6 address '%s'", buf);
	} else {
		a.family = XB_AF_INET;
		if (inet_pton(AF_INET, buf, a.addr) != 1)
			return xb_err(EINVAL, "invalid IPv4 address '%s'", buf);
	}
	*out = a;
	return 0;
}

int xb_parse_endpoint(const char *s, struct xb_endpoint *out)
{
	char buf[INET6_ADDRSTRLEN + 10], *colon, *host;
	struct xb_endpoint e;

	if (bounded_copy(s, buf, sizeof(buf), "address:port"))
		return xb_err(EINVAL, "invalid address:port '%.48s'", s ? s : "");
	if (buf[0] == '[') {
		char *close = strchr(buf, ']');

		if (!close || close[1] != ':')
			return xb_err(EINVAL, "invalid address:port '%s' (IPv6: [ADDR]:PORT)", s);
		*close = '\0';
		host = buf + 1;
		colon = close + 1;
		if (!strchr(host, ':'))
			return xb_err(EINVAL, "invalid address:port '%s' (brackets are for IPv6)",
				      s);
	} else {
		colon = strrchr(buf, ':');
		if (!colon || strchr(buf, ':') != colon)
			return xb_err(EINVAL, "invalid address:port '%s' (ADDR:PORT, [IPV6]:PORT)",
				      s);
		host = buf;
	}
	*colon = '\0';
	if (xb_parse_addr(host, &e.a) || xb_parse_port(colon + 1, &e.port))
		return xb_err_prefix(EINVAL, "invalid address:port '%s'", s);
	*out = e;
	return 0;
}

unsigned int xb_addr_bits(uint8_t family)
{
	return family == XB_AF_INET ? 32 : 128;
}

void xb_addr_mask(struct xb_addr *a, unsigned int plen)
{
	unsigned int i;

	for (i = 0; i < 16; i++) {
		if (plen >= 8) {
			plen -= 8;
			continue;
		}
		a->addr[i] &= (uint8_t)(0xff00 >> plen);
		plen = 0;
	}
}

bool xb_addr_equal(const struct xb_addr *a, const struct xb_addr *b)
{
	return a->family == b->family && !memcmp(a->addr, b->addr, 16);
}

int xb_parse_prefix(const char *s, struct xb_addr *out, unsigned int *plen)
{
	char buf[INET6_ADDRSTRLEN + 5], *slash;
	struct xb_addr a;
	uint32_t len;

	if (bounded_copy(s, buf, sizeof(buf), "prefix"))
		return xb_err(EINVAL, "invalid prefix '%.48s'", s ? s : "");
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (xb_parse_addr(buf, &a))
		return xb_err_prefix(EINVAL, "invalid prefix '%s'", s);
	len = xb_addr_bits(a.family);
	if (slash && (!all_digits(slash + 1) || strlen(slash + 1) > 3 ||
		      xb_parse_u32(slash + 1, xb_addr_bits(a.family), &len)))
		return xb_err(EINVAL, "invalid prefix '%s' (length 0-%u)", s,
			      xb_addr_bits(a.family));
	xb_addr_mask(&a, len);
	*out = a;
	*plen = len;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int xb_parse_mac(const char *s, uint8_t mac[6])
{
	uint8_t m[6];
	int i;

	if (!s || strnlen(s, 18) != 17)
		return xb_err(EINVAL, "invalid MAC address '%.32s' (xx:xx:xx:xx:xx:xx)",
			      s ? s : "");
	for (i = 0; i < 6; i++) {
		int hi = hexval(s[3 * i]), lo = hexval(s[3 * i + 1]);
		char sep = s[3 * i + 2];

		if (hi < 0 || lo < 0 || (i < 5 && sep != ':' && sep != '-') ||
		    (i < 5 && sep != s[2]))
			return xb_err(EINVAL, "invalid MAC address '%s' (xx:xx:xx:xx:xx:xx)", s);
		m[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(mac, m, 6);
	return 0;
}

int xb_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "on", "yes", "true", "1" };
	static const char *const no[] = { "off", "no", "false", "0" };
	size_t i;

	for (i = 0; s && i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return xb_err(EINVAL, "invalid switch '%.32s' (on or off)", s ? s : "");
}

const char *xb_fmt_addr(const struct xb_addr *a, char *buf, size_t len)
{
	int af = a->family == XB_AF_INET6 ? AF_INET6 : AF_INET;

	if ((a->family != XB_AF_INET && a->family != XB_AF_INET6) ||
	    !inet_ntop(af, a->addr, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

const char *xb_fmt_endpoint(const struct xb_endpoint *e, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	xb_fmt_addr(&e->a, a, sizeof(a));
	if (e->a.family == XB_AF_INET6)
		snprintf(buf, len, "[%s]:%u", a, e->port);
	else
		snprintf(buf, len, "%s:%u", a, e->port);
	return buf;
}

const char *xb_fmt_prefix(const struct xb_addr *a, unsigned int plen, char *buf, size_t len)
{
	char s[INET6_ADDRSTRLEN];

	snprintf(buf, len, "%s/%u", xb_fmt_addr(a, s, sizeof(s)), plen);
	return buf;
}

const char *xb_fmt_mac(const uint8_t mac[6], char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
		 mac[5]);
	return buf;
}
