// SPDX-License-Identifier: GPL-2.0-or-later
/* Conversions between our endpoints and the kernel's socket addresses. */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>

#include <xborder/fastpath.h>

#include "sip/transport_internal.h"

int xbs_sockaddr(const struct xb_endpoint *ep, struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (ep->a.family == XB_AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(ep->port);
		memcpy(&sin->sin_addr, ep->a.addr, 4);
		*len = sizeof(*sin);
		return 0;
	}
	if (ep->a.family == XB_AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(ep->port);
		memcpy(&sin6->sin6_addr, ep->a.addr, 16);
		*len = sizeof(*sin6);
		return 0;
	}
	return -EAFNOSUPPORT;
}

int xbs_endpoint(const struct sockaddr *sa, struct xb_endpoint *ep)
{
	memset(ep, 0, sizeof(*ep));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

		ep->a.family = XB_AF_INET;
		memcpy(ep->a.addr, &sin->sin_addr, 4);
		ep->port = ntohs(sin->sin_port);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;

		ep->a.family = XB_AF_INET6;
		memcpy(ep->a.addr, &sin6->sin6_addr, 16);
		ep->port = ntohs(sin6->sin6_port);
		return 0;
	}
	return -EAFNOSUPPORT;
}

bool xbs_endpoint_equal(const struct xb_endpoint *a, const struct xb_endpoint *b)
{
	return a->port == b->port && xb_addr_equal(&a->a, &b->a);
}

unsigned int xbs_addr_hash(const struct xb_addr *a, unsigned int seed)
{
	/* FNV-1a from a random start: not a keyed hash, but chains are bounded
	 * by the connection limits anyway. */
	unsigned int h = 2166136261u ^ seed, i;

	h = (h ^ a->family) * 16777619u;
	for (i = 0; i < 16; i++)
		h = (h ^ a->addr[i]) * 16777619u;
	return h;
}

bool xbs_addr_any(const struct xb_addr *a)
{
	static const uint8_t zero[16];

	return !memcmp(a->addr, zero, sizeof(zero));
}
