// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One DNS answer from bytes to records (see answer.h). ldns does the wire
 * parsing; here the answer is checked against the question we asked, the
 * CNAME chain inside it is followed, and the records of the asked type at
 * the end of the chain are copied into our own fixed-size structures, so
 * nothing ldns allocated outlives this function.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include <xborder/fastpath.h>

#include "common/err.h"
#include "dns/answer.h"

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

bool xb_dns_valid_name(const char *s)
{
	size_t n, i, label = 0;

	if (!s)
		return false;
	n = strnlen(s, XB_DNS_NAME_MAX);
	if (n == 0 || n >= XB_DNS_NAME_MAX)
		return false;
	if (n > 1 && s[n - 1] == '.')
		n--; /* one trailing dot: fully qualified */
	if (n > 253)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (!name_char(s[i]) || ++label > 63)
			return false;
	}
	return label > 0;
}

int xb_dns_normalize_name(const char *in, char *out, size_t len)
{
	size_t n, i;

	if (!xb_dns_valid_name(in))
		return xb_err(EINVAL, "'%.64s' is not a valid DNS name", in ? in : "");
	n = strlen(in);
	if (in[n - 1] == '.')
		n--;
	if (n + 1 > len)
		return xb_err(EINVAL, "name too long");
	for (i = 0; i < n; i++)
		out[i] = (in[i] >= 'A' && in[i] <= 'Z') ? (char)(in[i] - 'A' + 'a') : in[i];
	out[n] = '\0';
	return 0;
}

/*
 * A domain-name rdf (uncompressed wire labels, as ldns keeps them) as
 * lowercase text without trailing dot; the root is ".". Labels with
 * characters that have no place in a host or service name are refused:
 * such names are never ours to query or to put into a SIP message.
 */
static int dname_text(const ldns_rdf *rdf, char *out, size_t len)
{
	const uint8_t *d;
	size_t size, pos = 0, o = 0;

	if (!rdf || ldns_rdf_get_type(rdf) != LDNS_RDF_TYPE_DNAME)
		return -EPROTO;
	d = ldns_rdf_data(rdf);
	size = ldns_rdf_size(rdf);
	if (!d || size == 0 || size > 255)
		return -EPROTO;
	if (d[0] == 0) {
		if (len < 2)
			return -EPROTO;
		strcpy(out, ".");
		return 0;
	}
	while (pos < size && d[pos]) {
		size_t l = d[pos++], i;

		if (l > 63 || pos + l > size)
			return -EPROTO;
		if (o && o + 1 < len)
			out[o++] = '.';
		for (i = 0; i < l; i++) {
			char c = (char)d[pos + i];

			if (!name_char(c) || o + 1 >= len)
				return -EPROTO;
			out[o++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
		}
		pos += l;
	}
	if (o == 0 || o + 1 > len)
		return -EPROTO;
	out[o] = '\0';
	return 0;
}

/* A <character-string> rdf: length byte then bytes; no NUL inside. */
static int str_text(const ldns_rdf *rdf, char *out, size_t len)
{
	const uint8_t *d;
	size_t size, l;

	if (!rdf || ldns_rdf_get_type(rdf) != LDNS_RDF_TYPE_STR)
		return -EPROTO;
	d = ldns_rdf_data(rdf);
	size = ldns_rdf_size(rdf);
	if (!d || size < 1)
		return -EPROTO;
	l = d[0];
	if (l + 1 > size || l + 1 > len || memchr(d + 1, '\0', l))
		return -EPROTO;
	memcpy(out, d + 1, l);
	out[l] = '\0';
	return 0;
}

static int rdf_u16(const ldns_rr *rr, size_t i, uint16_t *v)
{
	const ldns_rdf *rdf = ldns_rr_rdf(rr, i);

	if (!rdf || ldns_rdf_size(rdf) != 2)
		return -EPROTO;
	*v = ldns_rdf2native_int16(rdf);
	return 0;
}

/* One record of the asked type into OUT; -EPROTO if it cannot be used. */
static int copy_rr(const ldns_rr *rr, uint16_t type, struct xb_dns_rr *out)
{
	const ldns_rdf *rdf;

	memset(out, 0, sizeof(*out));
	out->type = type;
	out->ttl = ldns_rr_ttl(rr);
	switch (type) {
	case XB_DNS_A:
	case XB_DNS_AAAA: {
		size_t want = type == XB_DNS_A ? 4 : 16;

		rdf = ldns_rr_rdf(rr, 0);
		if (ldns_rr_rd_count(rr) != 1 || !rdf || ldns_rdf_size(rdf) != want)
			return -EPROTO;
		out->addr.family = type == XB_DNS_A ? XB_AF_INET : XB_AF_INET6;
		memcpy(out->addr.addr, ldns_rdf_data(rdf), want);
		return 0;
	}
	case XB_DNS_SRV:
		if (ldns_rr_rd_count(rr) != 4 || rdf_u16(rr, 0, &out->srv.priority) ||
		    rdf_u16(rr, 1, &out->srv.weight) || rdf_u16(rr, 2, &out->srv.port))
			return -EPROTO;
		return dname_text(ldns_rr_rdf(rr, 3), out->srv.target, sizeof(out->srv.target));
	case XB_DNS_NAPTR:
		if (ldns_rr_rd_count(rr) != 6 || rdf_u16(rr, 0, &out->naptr.order) ||
		    rdf_u16(rr, 1, &out->naptr.preference) ||
		    str_text(ldns_rr_rdf(rr, 2), out->naptr.flags, sizeof(out->naptr.flags)) ||
		    str_text(ldns_rr_rdf(rr, 3), out->naptr.services,
			     sizeof(out->naptr.services)) ||
		    str_text(ldns_rr_rdf(rr, 4), out->naptr.regexp, sizeof(out->naptr.regexp)))
			return -EPROTO;
		return dname_text(ldns_rr_rdf(rr, 5), out->naptr.replacement,
				  sizeof(out->naptr.replacement));
	}
	return -EPROTO;
}

static bool owner_is(const ldns_rr *rr, const char *name)
{
	char owner[XB_DNS_NAME_MAX];

	return !dname_text(ldns_rr_owner(rr), owner, sizeof(owner)) && !strcmp(owner, name);
}

/* The question must be exactly the one we asked. */
static bool question_matches(const ldns_pkt *pkt, const char *qname, uint16_t qtype)
{
	const ldns_rr_list *q = ldns_pkt_question(pkt);
	const ldns_rr *rr;

	if (!q || ldns_rr_list_rr_count(q) != 1)
		return false;
	rr = ldns_rr_list_rr(q, 0);
	return ldns_rr_get_type(rr) == qtype && ldns_rr_get_class(rr) == LDNS_RR_CLASS_IN &&
	       owner_is(rr, qname);
}

/* RFC 2308 §5: the negative TTL is min(SOA TTL, SOA MINIMUM). */
static void find_soa(const ldns_pkt *pkt, struct xb_dns_parsed *out)
{
	const ldns_rr_list *auth = ldns_pkt_authority(pkt);
	size_t i, n = auth ? ldns_rr_list_rr_count(auth) : 0;

	for (i = 0; i < n && i < XB_DNS_MAX_ANSWER_SECTION; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(auth, i);
		const ldns_rdf *min;
		uint32_t ttl;

		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_SOA ||
		    ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN || ldns_rr_rd_count(rr) != 7)
			continue;
		min = ldns_rr_rdf(rr, 6);
		if (!min || ldns_rdf_size(min) != 4)
			continue;
		ttl = ldns_rr_ttl(rr);
		out->has_soa = true;
		out->neg_ttl = ttl < ldns_rdf2native_int32(min) ? ttl : ldns_rdf2native_int32(min);
		return;
	}
}

/* Follow the CNAMEs in ANS from the question; collect QTYPE at the end. */
static int walk_answer(const ldns_rr_list *ans, uint16_t qtype, unsigned int max_hops,
		       struct xb_dns_parsed *out)
{
	size_t i, n = ans ? ldns_rr_list_rr_count(ans) : 0, count = 0;
	const char *cur = out->chain[0];

	if (n > XB_DNS_MAX_ANSWER_SECTION)
		return xb_err(EMSGSIZE,
			      "oversized answer: %zu records in the answer section "
			      "(limit %u)",
			      n, XB_DNS_MAX_ANSWER_SECTION);
	for (;;) {
		const char *next = NULL;
		char target[XB_DNS_NAME_MAX];
		unsigned int k;

		count = 0;
		for (i = 0; i < n; i++) {
			const ldns_rr *rr = ldns_rr_list_rr(ans, i);
			uint16_t t = ldns_rr_get_type(rr);

			if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN || !owner_is(rr, cur))
				continue;
			if (t == qtype) {
				count++;
			} else if (t == LDNS_RR_TYPE_CNAME && !next) {
				if (ldns_rr_rd_count(rr) != 1 ||
				    dname_text(ldns_rr_rdf(rr, 0), target, sizeof(target)) ||
				    !strcmp(target, "."))
					return xb_err(EPROTO, "malformed CNAME for %s", cur);
				next = target;
				if (ldns_rr_ttl(rr) < out->chain_ttl)
					out->chain_ttl = ldns_rr_ttl(rr);
			}
		}
		if (count || !next)
			break;
		for (k = 0; k <= out->cname_hops; k++)
			if (!strcmp(out->chain[k], next))
				return xb_err(ELOOP, "CNAME loop: %s -> %s", cur, next);
		if (out->cname_hops >= max_hops)
			return xb_err(ELOOP, "CNAME chain longer than %u at %s", max_hops, cur);
		out->cname_hops++;
		strcpy(out->chain[out->cname_hops], next);
		cur = out->chain[out->cname_hops];
	}
	strcpy(out->final_name, cur);
	if (count > XB_DNS_MAX_RRS)
		return xb_err(EMSGSIZE, "oversized answer: %zu %s records for %s (limit %u)", count,
			      xb_dns_type_name(qtype), cur, XB_DNS_MAX_RRS);
	if (!count)
		return 0;
	out->rr = calloc(count, sizeof(*out->rr));
	if (!out->rr)
		return xb_err(ENOMEM, "out of memory for %zu records", count);
	out->rr_ttl = UINT32_MAX;
	for (i = 0; i < n; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(ans, i);

		if (ldns_rr_get_type(rr) != qtype || ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN ||
		    !owner_is(rr, cur))
			continue;
		if (copy_rr(rr, qtype, &out->rr[out->n])) {
			out->skipped++;
			continue;
		}
		if (out->rr[out->n].ttl < out->rr_ttl)
			out->rr_ttl = out->rr[out->n].ttl;
		out->n++;
	}
	if (!out->n)
		return xb_err(EPROTO,
			      "malformed answer: none of the %zu %s records for %s is usable",
			      count, xb_dns_type_name(qtype), cur);
	return 0;
}

int xb_dns_parse_answer(const uint8_t *wire, size_t len, uint16_t id, const char *qname,
			uint16_t qtype, unsigned int max_hops, struct xb_dns_parsed *out)
{
	ldns_pkt *pkt = NULL;
	ldns_status st;
	int err;

	memset(out, 0, sizeof(*out));
	out->chain_ttl = UINT32_MAX;
	if (!wire || !qname || strlen(qname) >= XB_DNS_NAME_MAX)
		return xb_err(EINVAL, "no answer to parse");
	if (max_hops > XB_DNS_MAX_CNAME)
		max_hops = XB_DNS_MAX_CNAME;
	if (len < 12)
		return xb_err(EPROTO, "malformed answer: %zu bytes, shorter than a DNS header",
			      len);
	if (len > XB_DNS_MSG_MAX)
		return xb_err(EMSGSIZE, "oversized answer: %zu bytes", len);
	/* cheap checks first: most stray datagrams stop here */
	if (((uint16_t)wire[0] << 8 | wire[1]) != id || !(wire[2] & 0x80))
		return xb_err(ESRCH, "not an answer to this query (id or QR)");
	st = ldns_wire2pkt(&pkt, wire, len);
	if (st != LDNS_STATUS_OK)
		return xb_err(EPROTO, "malformed answer: %s", ldns_get_errorstr_by_id(st));
	strcpy(out->chain[0], qname);
	if (ldns_pkt_get_opcode(pkt) != LDNS_PACKET_QUERY || !question_matches(pkt, qname, qtype)) {
		err = xb_err(ESRCH, "not an answer to this query (question differs)");
		goto out;
	}
	out->rcode = ldns_pkt_get_rcode(pkt);
	out->tc = ldns_pkt_tc(pkt);
	out->aa = ldns_pkt_aa(pkt);
	strcpy(out->final_name, qname);
	err = 0;
	if (out->tc)
		goto out; /* fetched again over TCP: the records may be cut short */
	if (out->rcode != XB_DNS_RCODE_NOERROR && out->rcode != XB_DNS_RCODE_NXDOMAIN)
		goto out;
	err = walk_answer(ldns_pkt_answer(pkt), qtype, max_hops, out);
	if (!err && !out->n)
		find_soa(pkt, out);
out:
	ldns_pkt_free(pkt);
	if (err)
		xb_dns_parsed_free(out);
	return err;
}

void xb_dns_parsed_free(struct xb_dns_parsed *p)
{
	if (!p)
		return;
	free(p->rr);
	p->rr = NULL;
	p->n = 0;
}

int xb_dns_build_query(const char *qname, uint16_t qtype, uint16_t id, uint8_t **wire, size_t *len)
{
	ldns_rdf *name;
	ldns_pkt *pkt;
	ldns_status st;

	*wire = NULL;
	*len = 0;
	if (!xb_dns_valid_name(qname))
		return xb_err(EINVAL, "'%.64s' is not a valid DNS name", qname ? qname : "");
	name = ldns_dname_new_frm_str(qname);
	if (!name)
		return xb_err(EINVAL, "'%.64s' is not a valid DNS name", qname);
	/* takes NAME */
	pkt = ldns_pkt_query_new(name, qtype, LDNS_RR_CLASS_IN, LDNS_RD);
	if (!pkt)
		return xb_err(ENOMEM, "cannot build a query for %s", qname);
	ldns_pkt_set_id(pkt, id);
	st = ldns_pkt2wire(wire, pkt, len);
	ldns_pkt_free(pkt);
	if (st != LDNS_STATUS_OK) {
		free(*wire);
		*wire = NULL;
		return xb_err(EINVAL, "cannot build a query for %s: %s", qname,
			      ldns_get_errorstr_by_id(st));
	}
	return 0;
}
