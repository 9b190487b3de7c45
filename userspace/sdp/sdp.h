/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SDP (RFC 4566) as a border element needs it: a line-preserving parser and
 * a rewriter. Hand-written on purpose: a border element must forward every
 * line it does not touch byte for byte, which a parse-and-reserialise
 * library does not promise. The parser records where each line is and what
 * it means for relaying (connection addresses, ports, RTCP, direction, ICE);
 * the rewriter copies the input line by line and changes only c=, m= ports,
 * a=rtcp and (optionally) the o= address, and drops the ICE attributes,
 * because ICE is not offered through the relay. For SDES bridging it also
 * swaps the RTP profile (RTP/AVP <-> RTP/SAVP), removes a=crypto lines and
 * adds ours (crypto.c parses and writes them).
 *
 * Input is hostile: bounded sizes, LF or CRLF line ends, strict syntax for
 * the lines we interpret. Errors are -EBADMSG with a one-line message in
 * xb_errmsg() naming the line ("sdp line 4: m=: invalid port 'x'").
 * Output always uses CRLF.
 */
#ifndef XB_SDP_SDP_H
#define XB_SDP_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xborder/genl.h>

#include "common/addr.h"

#define XB_SDP_MAX_LEN 65536 /* bytes of SDP body */
#define XB_SDP_MAX_MEDIA 32  /* m= sections */
#define XB_SDP_MAX_LINE 4096 /* bytes of one line, without its end */
#define XB_SDP_MAX_LINES 8192
#define XB_SDP_MAX_NPORTS 16 /* m=<media> <port>/<nports> */
#define XB_SDP_TOKEN_MAX 64  /* media type, proto */

enum xb_sdp_dir {
	XB_SDP_SENDRECV, /* the default */
	XB_SDP_SENDONLY,
	XB_SDP_RECVONLY,
	XB_SDP_INACTIVE,
};

/* What a line is, as far as relaying cares. */
enum xb_sdp_line_kind {
	XB_SDP_L_OTHER, /* copied as is */
	XB_SDP_L_VERSION,
	XB_SDP_L_ORIGIN,
	XB_SDP_L_CONN,
	XB_SDP_L_MEDIA,
	XB_SDP_L_RTCP,
	XB_SDP_L_RTCP_MUX,
	XB_SDP_L_DIR,
	XB_SDP_L_ICE, /* candidate, remote-candidates, ice-*, end-of-candidates */
	XB_SDP_L_CRYPTO,
};

struct xb_sdp_line {
	uint32_t off, len; /* in xb_sdp.buf, without the line end */
	uint8_t kind;	   /* enum xb_sdp_line_kind */
	int8_t section;	   /* m= section index, -1 for session level */
};

/* A c= line: "IN IP4 addr" or "IN IP6 addr". */
struct xb_sdp_conn {
	bool present;
	struct xb_addr addr;
	bool zero; /* 0.0.0.0 or :: (RFC 2543 hold: send nothing here) */
};

struct xb_sdp_media {
	char type[XB_SDP_TOKEN_MAX];  /* "audio", "video", ... */
	char proto[XB_SDP_TOKEN_MAX]; /* "RTP/AVP", "UDP/TLS/RTP/SAVPF", ... */
	uint16_t port;		      /* 0: section rejected or disabled */
	unsigned int nports;	      /* 1 unless m= said /N */
	struct xb_sdp_conn conn;      /* media-level c= */
	bool has_rtcp;		      /* a=rtcp: */
	uint16_t rtcp_port;
	struct xb_sdp_conn rtcp_conn; /* its optional address part */
	bool rtcp_mux;
	bool has_dir;
	enum xb_sdp_dir dir; /* effective: media level, else session level */
	unsigned int n_ice, n_crypto;
	unsigned int m_line;   /* index of the m= line in xb_sdp.lines */
	unsigned int end_line; /* one past the section's last line */

	/* Where the party wants this section's media (derived). */
	struct xb_addr remote;	    /* media c=, else session c=; family 0 if none */
	bool remote_zero;	    /* that address is 0.0.0.0 or :: */
	uint16_t remote_rtcp_port;  /* a=rtcp port, else port + 1 */
	struct xb_addr remote_rtcp; /* a=rtcp address, else remote */
};

struct xb_sdp {
	char *buf; /* private copy of the input */
	size_t len;
	struct xb_sdp_line *lines;
	unsigned int n_lines;
	uint64_t origin_version; /* o= sess-version */
	struct xb_sdp_conn conn; /* session-level c= */
	bool has_dir;
	enum xb_sdp_dir dir; /* session-level direction */
	unsigned int n_media;
	struct xb_sdp_media media[XB_SDP_MAX_MEDIA];
};

/*
 * Parse LEN bytes of SDP. Returns 0 with *SDP filled (xb_sdp_free it), or
 * -EBADMSG / -ENOMEM with a message in xb_errmsg().
 */
int xb_sdp_parse(const char *text, size_t len, struct xb_sdp *sdp);
void xb_sdp_free(struct xb_sdp *sdp);

/* The section is on hold: zero address, or we may not send toward it. */
bool xb_sdp_media_held(const struct xb_sdp_media *m);
const char *xb_sdp_dir_name(enum xb_sdp_dir dir);

/* Where one section's media must now go: the relay. */
struct xb_sdp_relay {
	struct xb_addr addr; /* family 0: leave this section's c= and port */
	uint16_t port;	     /* RTP; RTCP is port + 1 */
	/* SRTP bridging (with addr set): */
	const char *proto;    /* non-NULL: the m= line's transport protocol */
	bool strip_crypto;    /* drop the section's a=crypto lines */
	const char *add_attr; /* non-NULL: "a=<this>" is added at the section's end */
};

struct xb_sdp_rewrite {
	/* Session c= and (with replace_origin) o= address; family 0: the
	 * first section's relay address. */
	struct xb_addr session_addr;
	bool replace_origin;			     /* topology hiding: o= names the relay */
	struct xb_sdp_relay media[XB_SDP_MAX_MEDIA]; /* sdp->n_media used */
};

/*
 * Write SDP with the relay in place of the party (rules in
 * Documentation/media.md): c= lines name the relay (a zero address stays
 * zero, in the relay's family), m= ports become relay ports (port 0 stays
 * 0, /nports is dropped), a=rtcp becomes relay port + 1 (its address part,
 * if any, the relay address), ICE attributes are removed, every other line
 * is copied byte for byte; the o= version is passed through. *OUT is
 * malloc'd and NUL-terminated; lines end with CRLF.
 */
int xb_sdp_rewrite(const struct xb_sdp *sdp, const struct xb_sdp_rewrite *rw, char **out,
		   size_t *out_len);

/* ---------------------------------------------------------------- crypto.c */

/*
 * SDES (RFC 4568): a=crypto:<tag> <suite> inline:<base64 key||salt>[|lifetime][|MKI:len]
 * [session params]. What we can use: AES_CM_128_HMAC_SHA1_80 or _32, one
 * inline key of 16 + 14 bytes, no MKI, a lifetime of at least 2^31 packets
 * if any (no call gets near it), no session parameter but WSH (a hint).
 * Keys never appear in error messages.
 */
#define XB_SDP_CRYPTO_MAX 96 /* "crypto:..." as we write it, with its NUL */

struct xb_sdp_crypto {
	uint32_t tag;	/* 0 .. 999999999 */
	uint16_t suite; /* enum xborder_srtp_suite */
	uint8_t key[XBORDER_SRTP_KEY_LEN];
	uint8_t salt[XBORDER_SRTP_SALT_LEN];
	unsigned int line; /* index in xb_sdp.lines */
};

/*
 * The a=crypto line LINE (kind XB_SDP_L_CRYPTO). 0; -EBADMSG when it is
 * malformed; -EOPNOTSUPP when it is well formed but not something we
 * support (suite, MKI, lifetime, session parameter). Message in xb_errmsg().
 */
int xb_sdp_crypto_parse(const struct xb_sdp *sdp, unsigned int line, struct xb_sdp_crypto *c);
/*
 * The first a=crypto line of section K that we support (RFC 4568: lines
 * are in order of preference). -ENOENT when the section has none, else
 * the error of its first line when none is usable.
 */
int xb_sdp_crypto_select(const struct xb_sdp *sdp, unsigned int k, struct xb_sdp_crypto *c);
/* "crypto:<tag> <suite> inline:<key>" into buf (XB_SDP_CRYPTO_MAX bytes). */
int xb_sdp_crypto_format(const struct xb_sdp_crypto *c, char *buf, size_t len);
/* "AES_CM_128_HMAC_SHA1_80", ...; NULL for a suite we do not do. */
const char *xb_sdp_suite_name(unsigned int suite);
/*
 * RTP profiles SDES bridges: RTP/AVP, RTP/AVPF and their secure forms
 * RTP/SAVP, RTP/SAVPF. The profile in the other form (SECURE: the S one),
 * or NULL for any other transport (UDP/TLS/RTP/SAVPF, udptl, ...).
 */
const char *xb_sdp_proto_as(const char *proto, bool secure);
bool xb_sdp_proto_secure(const char *proto);

#endif
