// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SIP over TCP: listening and accepting. Connections beyond the total or
 * per-source limit are refused with a reset, so a flood costs us one
 * accept and one close each and nothing stays behind.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "common/log.h"
#include "sip/transport_internal.h"

#define XBS_LISTEN_BACKLOG 1024

static void accept_io(struct xb_loop *loop, int fd, uint32_t events, void *arg);

static void accept_retry(struct xb_loop *loop, struct xb_timer *timer, void *arg)
{
	struct xbs_lsock *ls = arg;

	if (ls->fd >= 0)
		xb_loop_mod_fd(loop, ls->fd, EPOLLIN);
}

int xbs_tcp_open(struct xbs_lsock *ls)
{
	int fd = xbs_bound_socket(ls, SOCK_STREAM), err;

	if (fd < 0)
		return fd;
	if (listen(fd, XBS_LISTEN_BACKLOG) < 0) {
		err = xb_err(-errno, "listener '%s': listen: %s", ls->cfg->name, strerror(errno));
		close(fd);
		return err;
	}
	err = xb_loop_add_fd(ls->t->loop, fd, EPOLLIN, accept_io, ls);
	if (err) {
		close(fd);
		return xb_err(err, "listener '%s': event loop: %s", ls->cfg->name, strerror(-err));
	}
	xb_timer_init(&ls->retry, accept_retry, ls);
	ls->fd = fd;
	return 0;
}

static void refuse(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	/* A reset: no TIME_WAIT left behind for a connection we never used. */
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

static void accept_io(struct xb_loop *loop, int fd, uint32_t events, void *arg)
{
	struct xbs_lsock *ls = arg;
	struct xbs_transport *t = ls->t;
	int i;

	for (i = 0; i < XBS_ACCEPT_BATCH; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		struct xb_endpoint remote;
		int cfd =
			accept4(ls->fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (cfd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM) {
				/* Out of descriptors: pause instead of spinning on a
				 * listener that stays readable. */
				xb_log(XB_LOG_WARN, "listener '%s': accept: %s; pausing",
				       ls->cfg->name, strerror(errno));
				xb_loop_mod_fd(loop, ls->fd, 0);
				xb_timer_arm(loop, &ls->retry, XBS_ACCEPT_RETRY_MS);
			}
			break;
		}
		if (xbs_endpoint((struct sockaddr *)&ss, &remote) ||
		    t->n_conns >= t->lim.max_conns ||
		    xbs_conn_count_from(t, &remote.a) >= t->lim.max_conns_per_source ||
		    !xbs_conn_new(ls, cfd, false, &remote)) {
			t->c.tcp_refused++;
			refuse(cfd);
			continue;
		}
		t->c.tcp_accepted++;
	}
}
