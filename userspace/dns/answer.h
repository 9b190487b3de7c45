/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Parsing and validation of one DNS answer message: the single place where
 * bytes from the network become records. The resolver runs every UDP
 * datagram and TCP message through xb_dns_parse_answer, and so does the
 * fuzz target tests/fuzz/dns_answer.c.
 */
#ifndef XB_DNS_ANSWER_H
#define XB_DNS_ANSWER_H

#include <stddef.h>
#include <stdint.h>

#include "dns/resolver.h"

/* Larger than any DNS message (TCP's 2-byte length). */
#define XB_DNS_MSG_MAX 65535
/* Records of any type in the answer section we look through. */
#define XB_DNS_MAX_ANSWER_SECTION 512

#define XB_DNS_RCODE_NOERROR 0
#define XB_DNS_RCODE_SERVFAIL 2
#define XB_DNS_RCODE_NXDOMAIN 3

struct xb_dns_parsed {
	unsigned int rcode;
	bool tc, aa;
	/* where the CNAMEs inside this answer led (== the question if none) */
	char final_name[XB_DNS_NAME_MAX];
	unsigned int cname_hops;
	/* names the chain went through, the question first */
	char chain[XB_DNS_MAX_CNAME + 1][XB_DNS_NAME_MAX];
	uint32_t chain_ttl;   /* smallest TTL of the CNAMEs followed; UINT32_MAX if none */
	struct xb_dns_rr *rr; /* heap, n records of the asked type at final_name */
	unsigned int n;
	uint32_t rr_ttl;      /* smallest TTL of those records */
	bool has_soa;	      /* an SOA in the authority section */
	uint32_t neg_ttl;     /* min(SOA TTL, SOA MINIMUM) when has_soa */
	unsigned int skipped; /* records of the asked type we could not use */
};

/*
 * Parse WIRE (LEN bytes) as the answer to query ID for QNAME/QTYPE (class
 * IN). QNAME is lowercase without trailing dot. Returns:
 *   0        it is our answer; see rcode, tc and the records
 *   -ESRCH   not an answer to this question (id, QR, opcode or question
 *            differ): a UDP caller ignores it and keeps waiting
 *   -EPROTO  malformed
 *   -EMSGSIZE more than XB_DNS_MAX_RRS records of the asked type, or an
 *            answer section beyond XB_DNS_MAX_ANSWER_SECTION
 *   -ELOOP   a CNAME loop or a chain longer than MAX_HOPS inside it
 * with a message in xb_errmsg() for the errors. OUT is filled on 0 (free
 * with xb_dns_parsed_free; safe on any return).
 */
int xb_dns_parse_answer(const uint8_t *wire, size_t len, uint16_t id, const char *qname,
			uint16_t qtype, unsigned int max_hops, struct xb_dns_parsed *out);
void xb_dns_parsed_free(struct xb_dns_parsed *p);

/*
 * The query message for QNAME/QTYPE with ID and RD set, no EDNS: answers
 * larger than 512 bytes come back truncated and are fetched over TCP.
 * *WIRE is malloc()ed. 0 or -EINVAL/-ENOMEM.
 */
int xb_dns_build_query(const char *qname, uint16_t qtype, uint16_t id, uint8_t **wire, size_t *len);

#endif
