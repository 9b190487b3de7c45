/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IPsec key files: hex text holding one SA's key material, readable by
 * root (or the daemon's own user) only. What a file must hold depends on
 * the algorithm:
 *
 *   rfc4106(gcm(aes))       16 or 32 bytes of AES key + 4 bytes of salt
 *                           (20 or 36 bytes: AES-128 or AES-256)
 *   cbc(aes)+hmac(sha256)   16 or 32 bytes of AES key + 32 bytes of
 *                           HMAC-SHA-256 key (48 or 64 bytes)
 *
 * Syntax: hex digits, an optional leading "0x", blanks and newlines
 * anywhere between bytes, "#" comments to the end of a line.
 */
#ifndef XB_IPSEC_KEYFILE_H
#define XB_IPSEC_KEYFILE_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

#define XB_IPSEC_KEY_MAX 64	  /* bytes of key material */
#define XB_IPSEC_KEYFILE_MAX 4096 /* a larger file is not a key file */

struct xb_ipsec_key {
	uint8_t bytes[XB_IPSEC_KEY_MAX];
	unsigned int len;
};

/* Parse TEXT (LEN bytes, not necessarily NUL-terminated) for ALG. */
int xb_ipsec_key_parse(const char *text, size_t len, enum xbd_ipsec_alg alg,
		       struct xb_ipsec_key *key);

/*
 * Read PATH for ALG. Refused: not a regular file, larger than
 * XB_IPSEC_KEYFILE_MAX, any permission bit for group or others, an owner
 * other than root or the effective user. Messages name the file.
 */
int xb_ipsec_key_load(const char *path, enum xbd_ipsec_alg alg, struct xb_ipsec_key *key);

#define XB_IPSEC_GCM_SALT 4	    /* bytes of salt after the AES key */
#define XB_IPSEC_HMAC_SHA256_KEY 32 /* bytes of HMAC key after the AES key */

/* Zero KEY so that the material does not linger in memory. */
void xb_ipsec_key_wipe(struct xb_ipsec_key *key);

#endif
