// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IPsec key files. The permission checks are on the open descriptor
 * (fstat), so what is checked is what is read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "ipsec/keyfile.h"

void xb_ipsec_key_wipe(struct xb_ipsec_key *key)
{
	if (key)
		explicit_bzero(key, sizeof(*key));
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The lengths ALG accepts, for the message. */
static const char *expected(enum xbd_ipsec_alg alg)
{
	return alg == XBD_IPSEC_AES_GCM ? "20 (AES-128 + salt) or 36 (AES-256 + salt)"
					: "48 (AES-128 + HMAC key) or 64 (AES-256 + HMAC key)";
}

static bool len_ok(enum xbd_ipsec_alg alg, unsigned int n)
{
	if (alg == XBD_IPSEC_AES_GCM)
		return n == 16 + XB_IPSEC_GCM_SALT || n == 32 + XB_IPSEC_GCM_SALT;
	return n == 16 + XB_IPSEC_HMAC_SHA256_KEY || n == 32 + XB_IPSEC_HMAC_SHA256_KEY;
}

int xb_ipsec_key_parse(const char *text, size_t len, enum xbd_ipsec_alg alg,
		       struct xb_ipsec_key *key)
{
	unsigned int n = 0, line = 1;
	size_t line_start = 0;
	bool prefix_ok = true, zero = true;
	size_t i = 0;
	int hi = -1;

	memset(key, 0, sizeof(*key));
	if (alg != XBD_IPSEC_AES_GCM && alg != XBD_IPSEC_AES_CBC_SHA256)
		return xb_err(EINVAL, "unknown algorithm");
	while (i < len) {
		char c = text[i];
		int v;

		if (c == '#') {
			while (i < len && text[i] != '\n')
				i++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			if (hi >= 0)
				goto odd; /* a byte is two adjacent digits */
			if (c == '\n') {
				line++;
				line_start = i + 1;
			}
			i++;
			continue;
		}
		/* "0x" only before the first digit */
		if (prefix_ok && c == '0' && i + 1 < len &&
		    (text[i + 1] == 'x' || text[i + 1] == 'X')) {
			prefix_ok = false;
			i += 2;
			continue;
		}
		prefix_ok = false;
		v = hexval(c);
		if (v < 0) {
			/* where, not what: the file may not be a key file at all */
			xb_ipsec_key_wipe(key);
			return xb_err(EINVAL, "line %u, column %u: not a hex digit", line,
				      (unsigned int)(i - line_start + 1));
		}
		if (hi < 0) {
			hi = v;
		} else {
			if (n >= XB_IPSEC_KEY_MAX) {
				xb_ipsec_key_wipe(key);
				return xb_err(EINVAL, "more than %d bytes; expected %s",
					      XB_IPSEC_KEY_MAX, expected(alg));
			}
			key->bytes[n] = (uint8_t)(hi << 4 | v);
			zero = zero && !key->bytes[n];
			n++;
			hi = -1;
		}
		i++;
	}
	if (hi >= 0)
		goto odd;
	if (!len_ok(alg, n)) {
		xb_ipsec_key_wipe(key);
		return xb_err(EINVAL, "%u bytes of key; %s needs %s", n, xbd_ipsec_alg_name(alg),
			      expected(alg));
	}
	if (zero) {
		xb_ipsec_key_wipe(key);
		return xb_err(EINVAL, "the key is all zeros");
	}
	key->len = n;
	return 0;
odd:
	xb_ipsec_key_wipe(key);
	return xb_err(EINVAL, "line %u: odd number of hex digits", line);
}

int xb_ipsec_key_load(const char *path, enum xbd_ipsec_alg alg, struct xb_ipsec_key *key)
{
	char buf[XB_IPSEC_KEYFILE_MAX + 1];
	struct stat st;
	size_t got = 0;
	int fd, err;

	memset(key, 0, sizeof(*key));
	if (!path || path[0] != '/')
		return xb_err(EINVAL, "key file '%.64s' is not an absolute path", path ? path : "");
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return xb_err(errno, "key file %s: %s", path, strerror(errno));
	if (fstat(fd, &st)) {
		err = xb_err(errno, "key file %s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err = xb_err(EINVAL, "key file %s: not a regular file", path);
		goto out;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		err = xb_err(EACCES,
			     "key file %s: group or others have access (mode %04o); "
			     "it must be mode 0600 or 0400",
			     path, (unsigned int)(st.st_mode & 07777));
		goto out;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		err = xb_err(EACCES, "key file %s: owned by uid %u, not by root", path,
			     (unsigned int)st.st_uid);
		goto out;
	}
	if (st.st_size > XB_IPSEC_KEYFILE_MAX) {
		err = xb_err(EFBIG, "key file %s: larger than %d bytes", path,
			     XB_IPSEC_KEYFILE_MAX);
		goto out;
	}
	/* bounded by the buffer, whatever the file grew to meanwhile */
	while (got < sizeof(buf)) {
		ssize_t n = read(fd, buf + got, sizeof(buf) - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = xb_err(errno, "key file %s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got > XB_IPSEC_KEYFILE_MAX) {
		err = xb_err(EFBIG, "key file %s: larger than %d bytes", path,
			     XB_IPSEC_KEYFILE_MAX);
		goto out;
	}
	err = xb_ipsec_key_parse(buf, got, alg, key);
	if (err)
		xb_err_prefix(err, "key file %s", path);
out:
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	return err;
}
