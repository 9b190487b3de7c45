// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The userspace relay's SRTP: a libsrtp2 session per context, found by the
 * id a stream names (srtp_ctx) and applied after the per-packet decision.
 * Contexts come in-process (xb_relay_srtp_set) or from a key file that
 * only its owner can read; keys never reach a log line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "common/file.h"
#include "common/json.h"
#include "common/log.h"
#include "relay/internal.h"

#define KEYFILE_MAX_LINE 512
#define KEYFILE_MAX_WORDS 24

struct xb_srtp_session *relay_srtp_find(const struct xb_relay *r, uint32_t id)
{
	size_t i;

	for (i = 0; i < r->nsrtp; i++)
		if (xb_srtp_session_id(r->srtp[i]) == id)
			return r->srtp[i];
	return NULL;
}

void relay_srtp_rebind(struct xb_relay *r)
{
	size_t i;

	for (i = 0; i < r->nstreams; i++) {
		struct rstream *st = &r->streams[i];

		st->srtp = st->s.flags & XB_F_SRTP ? relay_srtp_find(r, st->s.srtp_ctx) : NULL;
	}
}

void relay_srtp_free(struct xb_relay *r)
{
	size_t i;

	for (i = 0; i < r->nsrtp; i++)
		xb_srtp_session_free(r->srtp[i]);
	free(r->srtp);
	r->srtp = NULL;
	r->nsrtp = 0;
}

size_t xb_relay_srtp_count(const struct xb_relay *r)
{
	return r->nsrtp;
}

/* Put s in place of context s's id (freeing the old one) or add it. */
static int put_session(struct xb_relay *r, struct xb_srtp_session *s)
{
	struct xb_srtp_session **arr;
	size_t i;

	for (i = 0; i < r->nsrtp; i++) {
		if (xb_srtp_session_id(r->srtp[i]) == xb_srtp_session_id(s)) {
			xb_srtp_session_free(r->srtp[i]);
			r->srtp[i] = s;
			return 0;
		}
	}
	arr = realloc(r->srtp, (r->nsrtp + 1) * sizeof(*arr));
	if (!arr)
		return xb_err(ENOMEM, "out of memory");
	arr[r->nsrtp++] = s;
	r->srtp = arr;
	return 0;
}

int xb_relay_srtp_set(struct xb_relay *r, const struct xb_srtp_params *p)
{
	struct xb_srtp_session *s;
	int err;

	err = xb_srtp_session_new(p, &s);
	if (err)
		return err;
	err = put_session(r, s);
	if (err) {
		xb_srtp_session_free(s);
		return err;
	}
	relay_srtp_rebind(r);
	return 0;
}

int xb_relay_srtp_del(struct xb_relay *r, uint32_t id)
{
	size_t i;

	for (i = 0; i < r->nsrtp; i++) {
		if (xb_srtp_session_id(r->srtp[i]) != id)
			continue;
		xb_srtp_session_free(r->srtp[i]);
		r->srtp[i] = r->srtp[--r->nsrtp];
		relay_srtp_rebind(r);
		return 0;
	}
	return xb_err(ENOENT, "no SRTP context %u", id);
}

static bool in_use(const struct xb_relay *r, const struct xb_srtp_session *s)
{
	size_t i;

	for (i = 0; i < r->nsrtp; i++)
		if (r->srtp[i] == s)
			return true;
	return false;
}

int xb_relay_srtp_load_file(struct xb_relay *r, const char *path)
{
	struct xb_srtp_session **sess = NULL, **arr, *old;
	char line[KEYFILE_MAX_LINE], *w[KEYFILE_MAX_WORDS];
	struct xb_srtp_params p;
	size_t n = 0, i, j;
	int fd, err = 0, nw, lineno = 0;
	FILE *f;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return xb_err(errno, "cannot open key file %s: %s", path, strerror(errno));
	err = xb_check_private_file(fd, path);
	f = err ? NULL : fdopen(fd, "r");
	if (!f) {
		close(fd);
		return err ? err : xb_err(errno, "%s: %s", path, strerror(errno));
	}
	while (!err && fgets(line, sizeof(line), f)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			err = xb_err(EINVAL, "%s:%d: line too long", path, lineno);
			break;
		}
		line[strcspn(line, "\r\n")] = '\0';
		nw = xb_split_words(line, w, KEYFILE_MAX_WORDS);
		if (nw == 0)
			continue;
		if (nw < 0) {
			err = xb_err(EINVAL, "%s:%d: too many words", path, lineno);
			break;
		}
		if (xb_srtp_params_parse(nw, w, &p)) {
			err = xb_err_prefix(EINVAL, "%s:%d", path, lineno);
			break;
		}
		for (j = 0; j < n; j++)
			if (xb_srtp_session_id(sess[j]) == p.id)
				err = xb_err(EEXIST, "%s:%d: context %u twice", path, lineno, p.id);
		arr = err ? NULL : realloc(sess, (n + 1) * sizeof(*sess));
		if (!err && !arr)
			err = xb_err(ENOMEM, "out of memory");
		if (!err) {
			sess = arr;
			/* an unchanged context keeps its session, and so its
			 * replay window and ROC; taken over below */
			old = relay_srtp_find(r, p.id);
			if (old && xb_srtp_session_same(old, &p)) {
				sess[n++] = old;
			} else {
				err = xb_srtp_session_new(&p, &sess[n]);
				if (err)
					xb_err_prefix(err, "%s:%d", path, lineno);
				else
					n++;
			}
		}
		xb_srtp_params_wipe(&p);
	}
	explicit_bzero(line, sizeof(line));
	fclose(f);
	if (err) {
		for (i = 0; i < n; i++)
			if (!in_use(r, sess[i]))
				xb_srtp_session_free(sess[i]);
		free(sess);
		return err;
	}
	/* free the sessions the file no longer has (kept ones moved over) */
	for (i = 0; i < r->nsrtp; i++) {
		for (j = 0; j < n && sess[j] != r->srtp[i]; j++)
			;
		if (j == n)
			xb_srtp_session_free(r->srtp[i]);
	}
	free(r->srtp);
	r->srtp = sess;
	r->nsrtp = n;
	relay_srtp_rebind(r);
	return (int)n;
}

int relay_srtp_apply(struct xb_relay *r, struct rstream *st, uint8_t *buf, size_t len)
{
	bool protect = st->s.flags & XB_F_SRTP_PROTECT;
	int n;

	if (!st->srtp || (xb_srtp_session_dir(st->srtp) == XBORDER_SRTP_PROTECT) != protect) {
		if (!st->srtp_logged)
			xb_log(XB_LOG_WARN, "stream %u: %s SRTP context %u; dropping its packets",
			       st->s.stats_idx, st->srtp ? "wrong direction of" : "no",
			       st->s.srtp_ctx);
		st->srtp_logged = true;
		return -1;
	}
	n = xb_srtp_session_apply(st->srtp, buf, len, RELAY_MTU);
	return n < 0 ? -1 : n;
}

json_t *relay_srtp_json(const struct xb_relay *r)
{
	json_t *arr = json_array();
	unsigned int k;
	size_t i;

	for (i = 0; i < r->nsrtp; i++) {
		const uint64_t *c = xb_srtp_session_stats(r->srtp[i]);
		json_t *j = json_object();

		xb_json_set(j, "id", json_integer(xb_srtp_session_id(r->srtp[i])));
		xb_json_set(j, "dir",
			    json_string(xb_srtp_dir_name(xb_srtp_session_dir(r->srtp[i]))));
		for (k = 1; k <= XBORDER_STATS_MAX; k++)
			if (k != XBORDER_STATS_PAD)
				xb_json_set(j, xb_srtp_stat_name(k), xb_json_u64(c[k]));
		json_array_append_new(arr, j);
	}
	return arr;
}
