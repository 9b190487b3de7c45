/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ENUM (RFC 6116): an E.164 number becomes a domain (digits reversed,
 * dot-separated, under e164.arpa or a configured apex), whose NAPTR
 * records of enumservice "sip" (E2U+sip, flag "u") carry a substitution
 * rule (RFC 3402 §3.2) that turns the number into a SIP URI.
 *
 * The rule "!^\+44(.*)$!sip:\1@b.example!" has three parts split by its
 * first character: a POSIX extended regular expression, a replacement in
 * which \1..\9 stand for the groups, and flags ("i" alone: ignore case).
 * The part of the number the expression matched is replaced, as in sed;
 * the rest stays. Every malformed rule is refused with its reason.
 */
#ifndef XB_DNS_ENUM_H
#define XB_DNS_ENUM_H

#include <regex.h>
#include <stdbool.h>

#include "common/err.h"
#include "dns/resolver.h"
#include "dns/uri.h"

#define XB_ENUM_APEX_DEFAULT "e164.arpa"
#define XB_ENUM_RULE_MAX 255 /* a NAPTR regexp is one <character-string> */
#define XB_ENUM_MAX_URIS 8
#define XB_ENUM_URI_MAX 512

struct xb_enum_rule {
	regex_t re;
	bool compiled;
	bool icase;
	char repl[XB_ENUM_RULE_MAX + 1]; /* as written, escapes resolved at apply time */
	char delim;
};

/* "+441632960123" under APEX (NULL: e164.arpa) ->
 * "3.2.1.0.6.9.2.3.6.1.4.4.e164.arpa". */
int xb_enum_domain(const char *number, const char *apex, char *out, size_t len);

/* Split and compile FIELD; 0 or -EINVAL with the reason in xb_errmsg(). */
int xb_enum_rule_parse(const char *field, struct xb_enum_rule *rule);
/* Apply to AUS (the number, "+digits"). -ENOENT when it does not match,
 * -ENAMETOOLONG when the result does not fit LEN. */
int xb_enum_rule_apply(const struct xb_enum_rule *rule, const char *aus, char *out, size_t len);
void xb_enum_rule_free(struct xb_enum_rule *rule);
/* Parse, apply, free. */
int xb_enum_substitute(const char *field, const char *aus, char *out, size_t len);

/* Does a NAPTR services field ("E2U+sip", "E2U+voice:tel+sip") name the
 * enumservice "sip"? */
bool xb_enum_service_is_sip(const char *services);

struct xb_enum_result {
	int err; /* 0 with n >= 1 URIs, else -ENOENT, -ETIMEDOUT, -EINVAL... */
	char error[XB_ERRMSG_MAX];
	char number[XB_E164_MAX + 2];
	char domain[XB_DNS_NAME_MAX];
	unsigned int n;
	char uris[XB_ENUM_MAX_URIS][XB_ENUM_URI_MAX]; /* in NAPTR order */
	unsigned int n_steps;
	char steps[32][320];
};

struct xb_enum_lookup;
/* RES belongs to the callee until the callback returns. */
typedef void (*xb_enum_cb)(const struct xb_enum_result *res, void *arg);

/* Look NUMBER ("+digits") up under APEX (NULL: e164.arpa). Called back
 * once from the event loop; -errno (and no callback) for a bad number. */
int xb_enum_lookup(struct xb_resolver *r, const char *number, const char *apex, xb_enum_cb cb,
		   void *arg, struct xb_enum_lookup **out);
void xb_enum_cancel(struct xb_enum_lookup *e);

#endif
