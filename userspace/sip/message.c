// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <osipparser2/osip_port.h>

#include "sip/message.h"

static void trace_nothing(const char *fi, int li, osip_trace_level_t level, const char *chfr,
			  va_list ap)
{
	(void)fi;
	(void)li;
	(void)level;
	(void)chfr;
	(void)ap;
}

void xbs_osip_init(void)
{
	static bool done;
	int l;

	if (done)
		return;
	done = true;
	parser_init();
	/* libosip2 traces every parse error to stdout/stderr: hostile input
	 * would flood the log. Our own log says what matters. */
	osip_trace_initialize_func(TRACE_LEVEL0, trace_nothing);
	for (l = 0; l < END_TRACE_LEVEL; l++)
		osip_trace_disable_level(l);
}

int xbs_msg_to_buf(osip_message_t *m, char **buf, size_t *len)
{
	osip_message_force_update(m);
	if (osip_message_to_str(m, buf, len) != 0 || !*buf)
		return -ENOMEM;
	return 0;
}

const char *xbs_reason_phrase(int code)
{
	switch (code) {
	case 100:
		return "Trying";
	case 180:
		return "Ringing";
	case 183:
		return "Session Progress";
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 408:
		return "Request Timeout";
	case 416:
		return "Unsupported URI Scheme";
	case 420:
		return "Bad Extension";
	case 480:
		return "Temporarily Unavailable";
	case 481:
		return "Call/Transaction Does Not Exist";
	case 482:
		return "Loop Detected";
	case 483:
		return "Too Many Hops";
	case 486:
		return "Busy Here";
	case 487:
		return "Request Terminated";
	case 488:
		return "Not Acceptable Here";
	case 500:
		return "Server Internal Error";
	case 503:
		return "Service Unavailable";
	case 504:
		return "Server Time-out";
	case 505:
		return "Version Not Supported";
	case 513:
		return "Message Too Large";
	default:
		break;
	}
	if (code < 200)
		return "Session Progress";
	if (code < 300)
		return "OK";
	if (code < 400)
		return "Redirection";
	if (code < 500)
		return "Client Error";
	if (code < 600)
		return "Server Error";
	return "Global Failure";
}

/* Reason phrases carry text we wrote, sometimes quoting input: keep them
 * printable and bounded. */
static void clean_reason(char *dst, size_t size, const char *src)
{
	size_t i = 0;

	for (; *src && i + 1 < size; src++)
		dst[i++] = (*src >= 0x20 && *src < 0x7f) ? *src : '?';
	dst[i] = '\0';
}

const char *xbs_call_id(osip_message_t *m, char *buf, size_t size)
{
	int n;

	if (!m->call_id || !m->call_id->number)
		n = snprintf(buf, size, "%s", "");
	else if (m->call_id->host)
		n = snprintf(buf, size, "%s@%s", m->call_id->number, m->call_id->host);
	else
		n = snprintf(buf, size, "%s", m->call_id->number);
	if (n < 0 || (size_t)n >= size)
		buf[0] = '\0';
	return buf;
}

static bool chars_ok(const char *s, const char *extra, size_t max)
{
	size_t n = 0;

	if (!s || !*s)
		return false;
	for (; *s; s++, n++) {
		unsigned char c = (unsigned char)*s;

		if (n >= max || (!isalnum(c) && !strchr(extra, c)))
			return false;
	}
	return true;
}

static bool port_ok(const char *p)
{
	return !p || (chars_ok(p, "", 5) && atoi(p) > 0 && atoi(p) < 65536);
}

#define TOKEN_CHARS "-.!%*_+`'~"

/* generic-param: token [ "=" ( token / host / quoted-string ) ];
 * NEED_VALUE for lists libosip2 cannot write a bare name in. */
static bool params_ok(const osip_list_t *l, const char *value_extra, bool need_value)
{
	osip_generic_param_t *g;
	size_t n;
	int i;

	for (i = 0; (g = osip_list_get(l, i)); i++) {
		if (!chars_ok(g->gname, TOKEN_CHARS, 64))
			return false;
		if (!g->gvalue) {
			if (need_value)
				return false;
			continue;
		}
		n = strlen(g->gvalue);
		if (n >= 2 && g->gvalue[0] == '"' && g->gvalue[n - 1] == '"') {
			if (n > 256 || strpbrk(g->gvalue, "\r\n"))
				return false;
			continue;
		}
		if (!chars_ok(g->gvalue, value_extra, 256))
			return false;
	}
	return true;
}

bool xbs_uri_ok(const osip_uri_t *u)
{
	if (!u || !u->scheme)
		return false;
	if (!strcasecmp(u->scheme, "tel"))
		return chars_ok(u->string, "+-*#.()%;=_!~'/:", 256);
	if (strcasecmp(u->scheme, "sip") && strcasecmp(u->scheme, "sips"))
		return false;
	/* RFC 3261 user part: unreserved, escaped, user-unreserved */
	if (u->username && !chars_ok(u->username, "-_.!~*'()%&=+$,;?/", 256))
		return false;
	if (u->password && !chars_ok(u->password, "-_.!~*'()%&=+$,", 256))
		return false;
	return chars_ok(u->host, ".-_:", 255) && port_ok(u->port) &&
	       params_ok(&u->url_params, TOKEN_CHARS "[]/:&+$", false) &&
	       params_ok(&u->url_headers, TOKEN_CHARS "[]/?:+$@", false);
}

bool xbs_via_ok(const osip_via_t *v)
{
	return v && v->version && !strcmp(v->version, "2.0") && chars_ok(v->protocol, "", 8) &&
	       chars_ok(v->host, ".-_:", 255) && port_ok(v->port) && !v->comment &&
	       params_ok(&v->via_params, TOKEN_CHARS ":[]", false);
}

static bool from_ok(osip_from_t *f)
{
	return f && xbs_uri_ok(f->url) && params_ok(&f->gen_params, TOKEN_CHARS ":[]", false) &&
	       (!f->displayname || !strpbrk(f->displayname, "\r\n<>"));
}

const char *xbs_msg_sane(osip_message_t *m)
{
	osip_contact_t *ct;
	osip_route_t *rt;
	osip_via_t *via;
	int i;

	for (i = 0; (via = osip_list_get(&m->vias, i)); i++)
		if (!xbs_via_ok(via))
			return "malformed Via";
	if (!from_ok(m->from))
		return "malformed From";
	if (!from_ok(m->to))
		return "malformed To";
	for (i = 0; (ct = osip_list_get(&m->contacts, i)); i++)
		if (!ct->displayname || strcmp(ct->displayname, "*")) /* "Contact: *" */
			if (!from_ok(ct))
				return "malformed Contact";
	for (i = 0; (rt = osip_list_get(&m->routes, i)); i++)
		if (!from_ok(rt))
			return "malformed Route";
	for (i = 0; (rt = osip_list_get(&m->record_routes, i)); i++)
		if (!from_ok(rt))
			return "malformed Record-Route";
	if (m->content_type && (!chars_ok(m->content_type->type, TOKEN_CHARS, 64) ||
				!chars_ok(m->content_type->subtype, TOKEN_CHARS, 64) ||
				!params_ok(&m->content_type->gen_params, TOKEN_CHARS "/:", true)))
		return "malformed Content-Type";
	return NULL;
}

const char *xbs_tag(osip_from_t *f)
{
	osip_generic_param_t *p = NULL;

	if (!f)
		return NULL;
	osip_from_get_tag(f, &p);
	return p && p->gvalue ? p->gvalue : NULL;
}

const char *xbs_via_param(osip_via_t *via, const char *name)
{
	osip_generic_param_t *p = NULL;

	if (!via)
		return NULL;
	osip_via_param_get_byname(via, (char *)name, &p);
	if (!p)
		return NULL;
	return p->gvalue ? p->gvalue : "";
}

int xbs_via_set_param(osip_via_t *via, const char *name, const char *value)
{
	osip_generic_param_t *p = NULL;
	char *v = NULL, *n;

	if (value && !(v = osip_strdup(value)))
		return -ENOMEM;
	osip_via_param_get_byname(via, (char *)name, &p);
	if (p) {
		osip_free(p->gvalue);
		p->gvalue = v;
		return 0;
	}
	n = osip_strdup(name);
	if (!n || osip_via_param_add(via, n, v) != 0) {
		osip_free(n);
		osip_free(v);
		return -ENOMEM;
	}
	return 0;
}

const char *xbs_header(osip_message_t *m, const char *name)
{
	osip_header_t *h = NULL;

	osip_message_header_get_byname(m, name, 0, &h);
	return h ? (h->hvalue ? h->hvalue : "") : NULL;
}

void xbs_header_remove(osip_message_t *m, const char *name)
{
	int i = 0;
	osip_header_t *h;

	while ((h = osip_list_get(&m->headers, i))) {
		if (h->hname && !strcasecmp(h->hname, name)) {
			osip_list_remove(&m->headers, i);
			osip_header_free(h);
		} else {
			i++;
		}
	}
}

char *xbs_uri_str(const osip_uri_t *uri)
{
	char *s = NULL, *r;

	if (!uri || osip_uri_to_str(uri, &s) != 0 || !s)
		return NULL;
	r = strdup(s);
	osip_free(s);
	return r;
}

char *xbs_from_uri_str(osip_from_t *f)
{
	return f ? xbs_uri_str(f->url) : NULL;
}

osip_message_t *xbs_msg_response(osip_message_t *req, int code, const char *reason,
				 const char *to_tag)
{
	osip_message_t *r;
	char phrase[XBS_REASON_MAX], num[16];

	if (osip_message_init(&r) != 0)
		return NULL;
	clean_reason(phrase, sizeof(phrase), reason ? reason : xbs_reason_phrase(code));
	r->sip_version = osip_strdup("SIP/2.0");
	r->status_code = code;
	r->reason_phrase = osip_strdup(phrase);
	if (!r->sip_version || !r->reason_phrase)
		goto fail;
	if (osip_list_clone(&req->vias, &r->vias, (int (*)(void *, void **))osip_via_clone) != 0)
		goto fail;
	if (req->from && osip_from_clone(req->from, &r->from) != 0)
		goto fail;
	if (req->to && osip_to_clone(req->to, &r->to) != 0)
		goto fail;
	if (req->call_id && osip_call_id_clone(req->call_id, &r->call_id) != 0)
		goto fail;
	if (req->cseq && osip_cseq_clone(req->cseq, &r->cseq) != 0)
		goto fail;
	if (r->to && to_tag && !xbs_tag(r->to)) {
		char *t = osip_strdup(to_tag);

		if (!t || osip_to_set_tag(r->to, t) != 0) {
			osip_free(t);
			goto fail;
		}
	}
	snprintf(num, sizeof(num), "0");
	if (osip_message_set_content_length(r, num) != 0)
		goto fail;
	return r;
fail:
	osip_message_free(r);
	return NULL;
}

bool xbs_msg_sdp(osip_message_t *m, const char **body, size_t *len)
{
	osip_body_t *b = NULL;

	if (!m->content_type || !m->content_type->type || !m->content_type->subtype)
		return false;
	if (strcasecmp(m->content_type->type, "application") ||
	    strcasecmp(m->content_type->subtype, "sdp"))
		return false;
	if (osip_list_size(&m->bodies) != 1 || osip_message_get_body(m, 0, &b) != 0 || !b ||
	    !b->body || !b->length)
		return false;
	*body = b->body;
	*len = b->length;
	return true;
}

int xbs_msg_set_sdp(osip_message_t *m, const char *sdp, size_t len)
{
	osip_body_t *b;
	char num[24];

	while ((b = osip_list_get(&m->bodies, 0))) {
		osip_list_remove(&m->bodies, 0);
		osip_body_free(b);
	}
	if (m->content_length) {
		osip_content_length_free(m->content_length);
		m->content_length = NULL;
	}
	if (!m->content_type && osip_message_set_content_type(m, "application/sdp") != 0)
		return -ENOMEM;
	if (osip_message_set_body(m, sdp, len) != 0)
		return -ENOMEM;
	snprintf(num, sizeof(num), "%zu", len);
	if (osip_message_set_content_length(m, num) != 0)
		return -ENOMEM;
	osip_message_force_update(m);
	return 0;
}

/* ---------------------------------------------------------- raw scanning */

bool xbs_raw_headers_end(const char *buf, size_t len, size_t *hdr_len)
{
	size_t i;

	for (i = 0; i + 1 < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (buf[i + 1] == '\n') {
			*hdr_len = i + 2;
			return true;
		}
		if (buf[i + 1] == '\r' && i + 2 < len && buf[i + 2] == '\n') {
			*hdr_len = i + 3;
			return true;
		}
	}
	return false;
}

/* One header line of a raw block (folded continuation lines included). */
struct raw_line {
	const char *name, *value;
	size_t name_len, value_len;
};

/* Advances *POS over one logical header line in BUF[0..END). false at the
 * end of the block or on a line with no colon (which is skipped). */
static bool raw_next(const char *buf, size_t end, size_t *pos, struct raw_line *l, bool *valid)
{
	size_t p = *pos, e, c;

	if (p >= end)
		return false;
	/* the logical line runs to a newline not followed by SP/HT */
	for (e = p; e < end; e++) {
		if (buf[e] == '\n' && !(e + 1 < end && (buf[e + 1] == ' ' || buf[e + 1] == '\t')))
			break;
	}
	*pos = e < end ? e + 1 : end;
	*valid = false;
	for (c = p; c < e && buf[c] != ':'; c++)
		;
	if (c >= e)
		return true;
	l->name = buf + p;
	l->name_len = c - p;
	while (l->name_len && (l->name[l->name_len - 1] == ' ' || l->name[l->name_len - 1] == '\t'))
		l->name_len--;
	c++;
	while (c < e && (buf[c] == ' ' || buf[c] == '\t'))
		c++;
	l->value = buf + c;
	l->value_len = e - c;
	while (l->value_len &&
	       (l->value[l->value_len - 1] == '\r' || l->value[l->value_len - 1] == ' '))
		l->value_len--;
	*valid = l->name_len > 0;
	return true;
}

static bool name_is(const struct raw_line *l, const char *full, const char *compact)
{
	if (l->name_len == strlen(full) && !strncasecmp(l->name, full, l->name_len))
		return true;
	return compact && l->name_len == 1 && tolower((unsigned char)l->name[0]) == compact[0];
}

/* The start line spans BUF[0..*end) (without its newline). */
static size_t raw_first_line(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len && buf[i] != '\n'; i++)
		;
	return i;
}

int xbs_raw_content_length(const char *buf, size_t hdr_len, unsigned long *val)
{
	size_t pos = raw_first_line(buf, hdr_len) + 1, i;
	struct raw_line l;
	bool valid, found = false;
	unsigned long v;

	while (raw_next(buf, hdr_len, &pos, &l, &valid)) {
		if (!valid || !name_is(&l, "content-length", "l"))
			continue;
		if (l.value_len == 0 || l.value_len > 9)
			return -EBADMSG;
		for (v = 0, i = 0; i < l.value_len; i++) {
			if (!isdigit((unsigned char)l.value[i]))
				return -EBADMSG;
			v = v * 10 + (unsigned long)(l.value[i] - '0');
		}
		if (found && v != *val)
			return -EBADMSG;
		*val = v;
		found = true;
	}
	return found ? 0 : -ENOENT;
}

struct outbuf {
	char *p;
	size_t len, cap;
	bool fail;
};

static void out_add(struct outbuf *o, const char *s, size_t n)
{
	if (o->fail)
		return;
	if (o->len + n + 1 > o->cap) {
		size_t cap = (o->len + n + 1) * 2;
		char *p = realloc(o->p, cap);

		if (!p) {
			o->fail = true;
			return;
		}
		o->p = p;
		o->cap = cap;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

static void out_str(struct outbuf *o, const char *s)
{
	out_add(o, s, strlen(s));
}

/* Copies a raw header value: folding and control characters become
 * spaces, at most XBS_RAW_VALUE_MAX bytes. */
static void out_value(struct outbuf *o, const char *v, size_t n)
{
	char tmp[XBS_RAW_VALUE_MAX];
	size_t i, k = 0;

	for (i = 0; i < n && k < sizeof(tmp); i++) {
		unsigned char c = (unsigned char)v[i];

		if (c == '\r' || c == '\n' || c == '\t')
			c = ' ';
		else if (c < 0x20 || c == 0x7f)
			c = '?';
		if (c == ' ' && k && tmp[k - 1] == ' ')
			continue;
		tmp[k++] = (char)c;
	}
	out_add(o, tmp, k);
}

static bool has_tag(const char *v, size_t n)
{
	size_t i;

	for (i = 0; i + 5 <= n; i++)
		if (!strncasecmp(v + i, ";tag=", 5))
			return true;
	return false;
}

/* Does the raw header value V parse as the header PARSE reads? Values
 * that do not are left out of responses (we only send what parses). */
static bool value_parses(const char *v, size_t n, int kind)
{
	char tmp[XBS_RAW_VALUE_MAX + 1];
	void *h = NULL;
	int r = -1;

	if (!n || n > XBS_RAW_VALUE_MAX)
		return false;
	memcpy(tmp, v, n);
	tmp[n] = '\0';
	switch (kind) {
	case 'v':
		if (osip_via_init((osip_via_t **)&h) == 0)
			r = osip_via_parse(h, tmp), osip_via_free(h);
		break;
	case 'f':
		if (osip_from_init((osip_from_t **)&h) == 0)
			r = osip_from_parse(h, tmp), osip_from_free(h);
		break;
	case 'i':
		if (osip_call_id_init((osip_call_id_t **)&h) == 0)
			r = osip_call_id_parse(h, tmp), osip_call_id_free(h);
		break;
	case 'c':
		if (osip_cseq_init((osip_cseq_t **)&h) == 0)
			r = osip_cseq_parse(h, tmp), osip_cseq_free(h);
		break;
	}
	return r == 0;
}

int xbs_raw_response(const char *buf, size_t len, int code, const char *reason, const char *to_tag,
		     char **out, size_t *out_len)
{
	size_t first = raw_first_line(buf, len), hdr_len, pos, i, n_via = 0;
	struct raw_line l, from = { 0 }, to = { 0 }, callid = { 0 }, cseq = { 0 };
	struct outbuf o = { 0 };
	char line[64 + XBS_REASON_MAX], phrase[XBS_REASON_MAX];
	bool valid;

	/* request line: token SP something SP SIP/... */
	for (i = 0; i < first && buf[i] != ' '; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (!isalnum(c) && !strchr("-.!%*_+`'~", c))
			return -EINVAL;
	}
	if (i == 0 || i >= first || (i == 3 && !strncmp(buf, "ACK", 3)))
		return -EINVAL;
	if (!xbs_raw_headers_end(buf, len, &hdr_len))
		hdr_len = len; /* truncated: use what is there */
	if (first >= hdr_len)
		return -EINVAL;

	clean_reason(phrase, sizeof(phrase), reason ? reason : xbs_reason_phrase(code));
	snprintf(line, sizeof(line), "SIP/2.0 %d %s\r\n", code, phrase);
	out_str(&o, line);
	pos = first + 1;
	while (raw_next(buf, hdr_len, &pos, &l, &valid)) {
		if (!valid)
			continue;
		if (name_is(&l, "via", "v") && n_via < 16 &&
		    value_parses(l.value, l.value_len, 'v')) {
			out_str(&o, "Via: ");
			out_value(&o, l.value, l.value_len);
			out_str(&o, "\r\n");
			n_via++;
		} else if (name_is(&l, "from", "f") && !from.name &&
			   value_parses(l.value, l.value_len, 'f')) {
			from = l;
		} else if (name_is(&l, "to", "t") && !to.name &&
			   value_parses(l.value, l.value_len, 'f')) {
			to = l;
		} else if (name_is(&l, "call-id", "i") && !callid.name &&
			   value_parses(l.value, l.value_len, 'i')) {
			callid = l;
		} else if (name_is(&l, "cseq", NULL) && !cseq.name &&
			   value_parses(l.value, l.value_len, 'c')) {
			cseq = l;
		}
	}
	if (!n_via) {
		free(o.p);
		return -EINVAL;
	}
	if (from.name) {
		out_str(&o, "From: ");
		out_value(&o, from.value, from.value_len);
		out_str(&o, "\r\n");
	}
	if (to.name) {
		out_str(&o, "To: ");
		out_value(&o, to.value, to.value_len);
		if (to_tag && !has_tag(to.value, to.value_len)) {
			out_str(&o, ";tag=");
			out_str(&o, to_tag);
		}
		out_str(&o, "\r\n");
	}
	if (callid.name) {
		out_str(&o, "Call-ID: ");
		out_value(&o, callid.value, callid.value_len);
		out_str(&o, "\r\n");
	}
	if (cseq.name) {
		out_str(&o, "CSeq: ");
		out_value(&o, cseq.value, cseq.value_len);
		out_str(&o, "\r\n");
	}
	out_str(&o, "Content-Length: 0\r\n\r\n");
	if (o.fail) {
		free(o.p);
		return -ENOMEM;
	}
	*out = o.p;
	*out_len = o.len;
	return 0;
}
