/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers around libosip2's parser (osipparser2) for the proxy: one-time
 * initialisation, serialising, building responses, reading the fields the
 * proxy decides on, and a raw scanner that answers 400 to messages
 * libosip2 cannot parse (it copies the few header lines a response needs,
 * bounded and sanitised).
 */
#ifndef XB_SIP_MESSAGE_H
#define XB_SIP_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/time.h>
#include <time.h>

#include <osipparser2/osip_message.h>
#include <osipparser2/osip_parser.h>

/* Longest value copied from an unparseable message into a 400. */
#define XBS_RAW_VALUE_MAX 1024
/* Longest reason phrase we put in a response. */
#define XBS_REASON_MAX 128

/* libosip2's parser tables and trace settings; idempotent, single thread. */
void xbs_osip_init(void);

/* Serialises M (rebuilt from its fields) into a malloc'd buffer. */
int xbs_msg_to_buf(osip_message_t *m, char **buf, size_t *len);

const char *xbs_reason_phrase(int code);

/*
 * A response to REQ: every Via, From, To, Call-ID and CSeq copied, To given
 * TO_TAG when it has none (and TO_TAG is not NULL), Content-Length 0.
 * REASON NULL means the standard phrase. NULL on allocation failure.
 */
osip_message_t *xbs_msg_response(osip_message_t *req, int code, const char *reason,
				 const char *to_tag);

/* Longest Call-ID accepted (RFC 3261 sets none; calls are keyed by it). */
#define XBS_CALLID_MAX 256
/* The whole Call-ID ("number@host") of M in BUF; "" when it has none or
 * it does not fit. */
const char *xbs_call_id(osip_message_t *m, char *buf, size_t size);

/*
 * Sanity of what the proxy copies from a message into the ones it sends
 * (libosip2 accepts some values it cannot parse again once written out):
 * sip/sips URIs with a plain host and numeric port, tel URIs of number
 * characters; Vias of SIP/2.0 with a token transport, plain host, numeric
 * port. xbs_msg_sane() checks every Via, From, To, Contact, Route and
 * Record-Route of M; NULL when all are fine, else what is wrong.
 */
bool xbs_uri_ok(const osip_uri_t *u);
bool xbs_via_ok(const osip_via_t *v);
const char *xbs_msg_sane(osip_message_t *m);

/* The tag parameter of a From or To header, or NULL. */
const char *xbs_tag(osip_from_t *f);
/* A Via parameter's value ("" when present without a value), or NULL. */
const char *xbs_via_param(osip_via_t *via, const char *name);
/* Sets (replacing) a Via parameter; VALUE NULL for a flag. 0 or -ENOMEM. */
int xbs_via_set_param(osip_via_t *via, const char *name, const char *value);
/* The value of the first header NAME (lower case) or NULL. */
const char *xbs_header(osip_message_t *m, const char *name);
/* Removes every header NAME (lower case). */
void xbs_header_remove(osip_message_t *m, const char *name);
/* The URI as a malloc'd string (NULL on failure). */
char *xbs_uri_str(const osip_uri_t *uri);
/* "<sip:a@b>" without parameters (tags): malloc'd, NULL on failure. */
char *xbs_from_uri_str(osip_from_t *f);

/* The SDP body: true (and BODY, LEN) when M has one body with
 * Content-Type application/sdp. */
bool xbs_msg_sdp(osip_message_t *m, const char **body, size_t *len);
/* Replaces every body of M with one application/sdp body. */
int xbs_msg_set_sdp(osip_message_t *m, const char *sdp, size_t len);

/*
 * The header part of a raw message: *HDR_LEN is the offset just past the
 * blank line ending the headers (CRLFCRLF or LFLF). false when there is
 * none in the first LEN bytes.
 */
bool xbs_raw_headers_end(const char *buf, size_t len, size_t *hdr_len);
/* The Content-Length value of the raw header block: 0 and *VAL, -ENOENT
 * when absent, -EBADMSG when it is not a number or appears twice with
 * different values. */
int xbs_raw_content_length(const char *buf, size_t hdr_len, unsigned long *val);

/*
 * Builds a response to a request libosip2 could not parse (or refused),
 * from its raw bytes: "SIP/2.0 CODE REASON", its Via lines, From, To (plus
 * ;tag=TO_TAG when it has none), Call-ID, CSeq. -EINVAL when the bytes do
 * not start with a request line, the method is ACK (never answered), or
 * no Via can be found: the message is then dropped.
 */
int xbs_raw_response(const char *buf, size_t len, int code, const char *reason, const char *to_tag,
		     char **out, size_t *out_len);

#endif
