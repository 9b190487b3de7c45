// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ENUM (enum.h): the number-to-domain mapping, the RFC 3402 substitution
 * rules, and the NAPTR lookup that ties them together.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "dns/enum.h"
#include "dns/sip_locate.h"

int xb_enum_domain(const char *number, const char *apex, char *out, size_t len)
{
	char digits[XB_E164_MAX + 2], tail[XB_DNS_NAME_MAX];
	size_t n, i, o = 0;
	int err;

	err = xb_e164_parse(number, digits, sizeof(digits));
	if (err)
		return err;
	err = xb_dns_normalize_name(apex ? apex : XB_ENUM_APEX_DEFAULT, tail, sizeof(tail));
	if (err)
		return xb_err_prefix(err, "ENUM apex");
	n = strlen(digits + 1);
	if (n * 2 + strlen(tail) + 1 > len || n * 2 + strlen(tail) > 253)
		return xb_err(ENAMETOOLONG, "ENUM domain for %s under %s is too long", digits,
			      tail);
	for (i = n; i > 0; i--) {
		out[o++] = digits[i];
		out[o++] = '.';
	}
	strcpy(out + o, tail);
	return 0;
}

/* ---------------------------------------------------------------- rules */

static bool ere_special(char c)
{
	return c && strchr(".[]()*+?{}|^$\\", c);
}

/* From *POS (just after a delimiter) to the next unescaped DELIM. */
static int split(const char *field, size_t *pos, char delim, char *out, size_t len, bool ere)
{
	size_t i = *pos, o = 0;

	for (; field[i] && field[i] != delim; i++) {
		char c = field[i];

		if (c == '\\' && field[i + 1] == delim) {
			/* an escaped delimiter is the character itself; in the
			 * expression it keeps its escape if it means something there */
			if (ere && ere_special(delim)) {
				if (o + 1 >= len)
					return -E2BIG;
				out[o++] = '\\';
			}
			c = delim;
			i++;
		} else if (c == '\\' && field[i + 1]) {
			if (o + 1 >= len)
				return -E2BIG;
			out[o++] = c;
			c = field[++i];
		}
		if (o + 1 >= len)
			return -E2BIG;
		out[o++] = c;
	}
	out[o] = '\0';
	if (!field[i])
		return -ENOENT; /* the delimiter never came */
	*pos = i + 1;
	return 0;
}

/*
 * What a NAPTR from anywhere may ask of regcomp/regexec. glibc builds "x+"
 * as "xx*" and "x{m,n}" as n copies of x, so stacked or nested repetition
 * multiplies the compiled size; matching with back-references inside the
 * expression is exponential. ENUM rules need none of that, so: no
 * back-references in the expression, no quantifier right after another,
 * at most ERE_MAX_REPEAT per interval, and at most ERE_MAX_COPIES as the
 * product of all '+' (2) and intervals (max + 1).
 */
#define ERE_MAX_REPEAT 32
#define ERE_MAX_COPIES 1024

static bool quantifier(char c)
{
	return c == '*' || c == '+' || c == '?' || c == '{';
}

/* P at '[': the ']' that ends the bracket expression, or NULL. */
static const char *bracket_end(const char *p)
{
	p++;
	if (*p == '^')
		p++;
	if (*p == ']')
		p++; /* a leading ']' is itself */
	while (*p && *p != ']') {
		if (*p == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
			const char *e = p + 2;

			while (*e && !(e[0] == p[1] && e[1] == ']'))
				e++;
			if (!*e)
				return NULL;
			p = e + 2;
			continue;
		}
		p++;
	}
	return *p ? p : NULL;
}

static int ere_is_tame(const char *ere)
{
	unsigned long copies = 1;
	const char *p;
	bool after_quant = false;

	for (p = ere; *p; p++) {
		unsigned long mult = 1;

		if (*p == '\\' && p[1]) {
			if (p[1] >= '1' && p[1] <= '9')
				return xb_err(EINVAL,
					      "back-references inside the regular expression "
					      "are not allowed");
			p++;
			after_quant = false;
			continue;
		}
		if (*p == '[') {
			/* a bracket expression: its characters are just characters */
			p = bracket_end(p);
			if (!p)
				return xb_err(EINVAL, "unterminated [ in the regular expression");
			after_quant = false;
			continue;
		}
		if (!quantifier(*p) || (*p == '{' && !(p[1] >= '0' && p[1] <= '9'))) {
			after_quant = false;
			continue;
		}
		if (after_quant)
			return xb_err(EINVAL, "repeated quantifier '%c' in the regular expression",
				      *p);
		after_quant = true;
		if (*p == '+')
			mult = 2;
		if (*p == '{') {
			unsigned long max = 0, v;
			char *end;

			for (p++; *p && *p != '}'; p++) {
				if (*p < '0' || *p > '9')
					continue;
				v = strtoul(p, &end, 10);
				if (v > ERE_MAX_REPEAT)
					return xb_err(EINVAL,
						      "repetition count %lu above %u in the "
						      "regular expression",
						      v, ERE_MAX_REPEAT);
				max = v > max ? v : max;
				p = end - 1;
			}
			if (!*p)
				return xb_err(EINVAL, "unterminated { in the regular expression");
			mult = max + 1;
		}
		copies *= mult;
		if (copies > ERE_MAX_COPIES)
			return xb_err(EINVAL,
				      "the regular expression repeats too much (more than "
				      "%u copies)",
				      ERE_MAX_COPIES);
	}
	return 0;
}

void xb_enum_rule_free(struct xb_enum_rule *rule)
{
	if (rule && rule->compiled)
		regfree(&rule->re);
	if (rule)
		rule->compiled = false;
}

int xb_enum_rule_parse(const char *field, struct xb_enum_rule *rule)
{
	char ere[XB_ENUM_RULE_MAX + 1], why[128];
	const char *p;
	size_t pos = 1, n;
	unsigned int delims = 1;
	int err;

	memset(rule, 0, sizeof(*rule));
	if (!field || !field[0])
		return xb_err(EINVAL, "empty substitution rule");
	n = strnlen(field, XB_ENUM_RULE_MAX + 1);
	if (n > XB_ENUM_RULE_MAX)
		return xb_err(EINVAL, "substitution rule longer than %u characters",
			      XB_ENUM_RULE_MAX);
	for (p = field; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f)
			return xb_err(EINVAL, "control character in substitution rule");
	rule->delim = field[0];
	/* RFC 3402 §3.2: any character but a digit, a flag or a backslash */
	if ((rule->delim >= '0' && rule->delim <= '9') || rule->delim == '\\' ||
	    rule->delim == 'i' || rule->delim == ' ')
		return xb_err(EINVAL, "'%c' cannot be the delimiter of a substitution rule",
			      rule->delim);
	err = split(field, &pos, rule->delim, ere, sizeof(ere), true);
	if (!err) {
		delims++;
		err = split(field, &pos, rule->delim, rule->repl, sizeof(rule->repl), false);
	}
	if (!err)
		delims++;
	if (err == -ENOENT)
		return xb_err(EINVAL, "substitution rule has %u delimiter%s '%c', needs 3", delims,
			      delims == 1 ? "" : "s", rule->delim);
	if (err)
		return xb_err(EINVAL, "substitution rule too long");
	/* what follows the third delimiter: the flags */
	for (p = field + pos; *p; p++) {
		if (*p == rule->delim)
			return xb_err(EINVAL, "substitution rule has more than 3 delimiters '%c'",
				      rule->delim);
		if (*p != 'i')
			return xb_err(EINVAL, "unknown flag '%c' in substitution rule (only 'i')",
				      *p);
		rule->icase = true;
	}
	if (!ere[0])
		return xb_err(EINVAL, "empty regular expression in substitution rule");
	if ((err = ere_is_tame(ere)))
		return err;
	err = regcomp(&rule->re, ere, REG_EXTENDED | (rule->icase ? REG_ICASE : 0));
	if (err) {
		regerror(err, &rule->re, why, sizeof(why));
		return xb_err(EINVAL, "bad regular expression '%.64s': %s", ere, why);
	}
	rule->compiled = true;
	/* check every backreference now, not when a number happens to match */
	for (p = rule->repl; *p; p++) {
		if (*p != '\\')
			continue;
		p++;
		if (!*p) {
			xb_enum_rule_free(rule);
			return xb_err(EINVAL, "replacement ends with a lone backslash");
		}
		if (*p == '0') {
			xb_enum_rule_free(rule);
			return xb_err(EINVAL, "\\0 is not a backreference (\\1 to \\9)");
		}
		if (*p >= '1' && *p <= '9' && (size_t)(*p - '0') > rule->re.re_nsub) {
			unsigned int groups = (unsigned int)rule->re.re_nsub;

			xb_enum_rule_free(rule);
			return xb_err(EINVAL,
				      "backreference \\%c but the expression has %u group%s", *p,
				      groups, groups == 1 ? "" : "s");
		}
	}
	return 0;
}

int xb_enum_rule_apply(const struct xb_enum_rule *rule, const char *aus, char *out, size_t len)
{
	regmatch_t m[10];
	size_t o = 0, k;
	const char *p;

	if (!rule || !rule->compiled || !aus || !len)
		return xb_err(EINVAL, "no rule to apply");
	if (regexec(&rule->re, aus, 10, m, 0))
		return xb_err(ENOENT, "the expression does not match '%.32s'", aus);
#define PUT(src, n)                                                                        \
	do {                                                                               \
		if (o + (n) + 1 > len)                                                     \
			return xb_err(ENAMETOOLONG, "substitution result longer than %zu", \
				      len - 1);                                            \
		memcpy(out + o, (src), (n));                                               \
		o += (n);                                                                  \
	} while (0)
	PUT(aus, (size_t)m[0].rm_so);
	for (p = rule->repl; *p; p++) {
		if (*p == '\\' && p[1] >= '1' && p[1] <= '9') {
			k = (size_t)(p[1] - '0');
			p++;
			if (m[k].rm_so >= 0)
				PUT(aus + m[k].rm_so, (size_t)(m[k].rm_eo - m[k].rm_so));
			continue;
		}
		if (*p == '\\' && p[1])
			p++; /* \\ and any other escaped character: itself */
		PUT(p, 1);
	}
	k = strlen(aus + m[0].rm_eo);
	PUT(aus + m[0].rm_eo, k);
#undef PUT
	out[o] = '\0';
	return 0;
}

int xb_enum_substitute(const char *field, const char *aus, char *out, size_t len)
{
	struct xb_enum_rule rule;
	int err = xb_enum_rule_parse(field, &rule);

	if (err)
		return err;
	err = xb_enum_rule_apply(&rule, aus, out, len);
	xb_enum_rule_free(&rule);
	return err;
}

bool xb_enum_service_is_sip(const char *services)
{
	const char *p;

	if (strncasecmp(services, "E2U", 3))
		return false;
	/* "+" enumservice, each "type" followed by ":subtype"s */
	for (p = services + 3; *p == '+';) {
		size_t n = strcspn(p + 1, ":+");

		if (n == 3 && !strncasecmp(p + 1, "sip", 3))
			return true;
		p += 1 + n;
		while (*p == ':')
			p += 1 + strcspn(p + 1, ":+");
	}
	return false;
}

/* ---------------------------------------------------------------- lookup */

struct xb_enum_lookup {
	struct xb_dns_lookup *l;
	xb_enum_cb cb;
	void *arg;
	struct xb_enum_result res;
};

static void estep(struct xb_enum_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void estep(struct xb_enum_result *res, const char *fmt, ...)
{
	va_list ap;

	if (res->n_steps >= sizeof(res->steps) / sizeof(res->steps[0]))
		return;
	va_start(ap, fmt);
	vsnprintf(res->steps[res->n_steps++], sizeof(res->steps[0]), fmt, ap);
	va_end(ap);
}

/* One NAPTR: NULL and the URI in OUT, or why it cannot be used. */
static const char *use_naptr(const struct xb_dns_naptr *n, const char *aus, char *out, size_t len,
			     char *why, size_t wlen)
{
	if (!xb_enum_service_is_sip(n->services))
		return "not E2U+sip";
	if (!n->flags[0])
		return "non-terminal NAPTR (empty flags) is not supported";
	if (strcasecmp(n->flags, "u"))
		return "flags are not \"u\"";
	if (strcmp(n->replacement, "."))
		return "a terminal rule must have \".\" as replacement";
	if (xb_enum_substitute(n->regexp, aus, out, len)) {
		snprintf(why, wlen, "%s", xb_errmsg());
		return why;
	}
	if (strncasecmp(out, "sip:", 4) && strncasecmp(out, "sips:", 5)) {
		snprintf(why, wlen, "result '%.64s' is not a sip: or sips: URI", out);
		return why;
	}
	return NULL;
}

static void enum_answer(const struct xb_dns_result *dr, void *arg)
{
	struct xb_enum_lookup *e = arg;
	struct xb_enum_result *res = &e->res;
	struct xb_dns_naptr *n = NULL;
	char line[320], first_why[XB_ERRMSG_MAX] = "";
	unsigned int i;
	bool have_order = false;
	uint16_t order = 0;

	e->l = NULL;
	if (dr->status == XB_DNS_FAIL) {
		estep(res, "NAPTR %s: %s", dr->name, dr->error);
		res->err = dr->err;
		snprintf(res->error, sizeof(res->error), "%s", dr->error);
		goto out;
	}
	if (dr->status != XB_DNS_OK) {
		estep(res, "NAPTR %s: %s%s", dr->name, xb_dns_status_name(dr->status),
		      dr->from_cache ? " (cached)" : "");
		res->err = -ENOENT;
		snprintf(res->error, sizeof(res->error), "%s: no ENUM entry for %s (%s)", dr->name,
			 res->number, xb_dns_status_name(dr->status));
		goto out;
	}
	estep(res, "NAPTR %s: %u record%s%s", dr->name, dr->n, dr->n == 1 ? "" : "s",
	      dr->from_cache ? " (cached)" : "");
	n = calloc(dr->n, sizeof(*n));
	if (!n) {
		res->err = -ENOMEM;
		snprintf(res->error, sizeof(res->error), "out of memory");
		goto out;
	}
	for (i = 0; i < dr->n; i++)
		n[i] = dr->rr[i].naptr;
	xb_naptr_order(n, dr->n);
	for (i = 0; i < dr->n; i++) {
		struct xb_dns_rr rr = { .type = XB_DNS_NAPTR, .naptr = n[i] };
		char uri[XB_ENUM_URI_MAX], why[XB_ERRMSG_MAX];
		const char *bad;

		xb_dns_rr_fmt(&rr, line, sizeof(line));
		/* RFC 3403 §4.1: once one matched, only its ORDER counts */
		if (have_order && n[i].order != order) {
			estep(res, "  %s: skipped (order %u after a match at %u)", line, n[i].order,
			      order);
			continue;
		}
		bad = use_naptr(&n[i], res->number, uri, sizeof(uri), why, sizeof(why));
		if (bad) {
			estep(res, "  %s: skipped (%s)", line, bad);
			if (!first_why[0] && xb_enum_service_is_sip(n[i].services))
				snprintf(first_why, sizeof(first_why), "%s", bad);
			continue;
		}
		estep(res, "  %s: %s", line, uri);
		have_order = true;
		order = n[i].order;
		if (res->n < XB_ENUM_MAX_URIS)
			snprintf(res->uris[res->n++], XB_ENUM_URI_MAX, "%s", uri);
	}
	if (!res->n) {
		res->err = first_why[0] ? -EINVAL : -ENOENT;
		snprintf(res->error, sizeof(res->error), "%s: %s", dr->name,
			 first_why[0] ? first_why : "no E2U+sip record");
	}
out:
	free(n);
	e->cb(res, e->arg);
	free(e);
}

int xb_enum_lookup(struct xb_resolver *r, const char *number, const char *apex, xb_enum_cb cb,
		   void *arg, struct xb_enum_lookup **out)
{
	struct xb_enum_lookup *e;
	int err;

	if (out)
		*out = NULL;
	if (!r || !cb)
		return xb_err(EINVAL, "ENUM: no resolver or callback");
	e = calloc(1, sizeof(*e));
	if (!e)
		return xb_err(ENOMEM, "ENUM: out of memory");
	err = xb_e164_parse(number, e->res.number, sizeof(e->res.number));
	if (!err)
		err = xb_enum_domain(number, apex, e->res.domain, sizeof(e->res.domain));
	if (!err) {
		estep(&e->res, "ENUM %s -> %s", e->res.number, e->res.domain);
		err = xb_dns_resolve(r, e->res.domain, XB_DNS_NAPTR, enum_answer, e, &e->l);
	}
	if (err) {
		free(e);
		return err;
	}
	e->cb = cb;
	e->arg = arg;
	if (out)
		*out = e;
	return 0;
}

void xb_enum_cancel(struct xb_enum_lookup *e)
{
	if (!e)
		return;
	xb_dns_cancel(e->l);
	free(e);
}
