/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Just enough of SIP and tel URIs (RFC 3261 §19.1, RFC 3966) for locating a
 * server: scheme, user, host (name or numeric), port, and the transport,
 * maddr and user parameters; a global telephone number where there is one.
 * Everything else is ignored. Hostile input: bounded, printable ASCII only,
 * one-line errors.
 */
#ifndef XB_DNS_URI_H
#define XB_DNS_URI_H

#include <stdbool.h>
#include <stdint.h>

#include "common/addr.h"
#include "config/config.h"
#include "dns/resolver.h"

#define XB_URI_MAX 1024
#define XB_E164_MAX 15 /* digits, ITU-T E.164 */

enum xb_uri_scheme {
	XB_URI_SIP,
	XB_URI_SIPS,
	XB_URI_TEL,
};

struct xb_uri {
	enum xb_uri_scheme scheme;
	char user[256];		    /* as written, without password; "" if none */
	char host[XB_DNS_NAME_MAX]; /* lowercase, IPv6 without brackets */
	bool numeric;		    /* host is an IP address: ADDR holds it */
	struct xb_addr addr;
	uint16_t port;	    /* 0: none given */
	bool has_transport; /* ;transport= given */
	enum xbd_transport transport;
	char maddr[XB_DNS_NAME_MAX];  /* ;maddr=, lowercase; "" if none */
	bool user_phone;	      /* ;user=phone */
	char number[XB_E164_MAX + 2]; /* "+digits" for tel: and user=phone; else "" */
};

/* 0, or -EINVAL with the reason in xb_errmsg(). */
int xb_uri_parse(const char *s, struct xb_uri *out);

/*
 * A global number as written in a tel URI or a user=phone user part
 * ("+44-1632-960123", visual separators - . ( ) allowed) into "+digits".
 * Parameters after ';' are ignored.
 */
int xb_e164_parse(const char *s, char *out, size_t len);

const char *xb_uri_scheme_name(enum xb_uri_scheme s);

#endif
