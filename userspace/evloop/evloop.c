// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/signalfd.h>

#include "evloop/evloop.h"

struct fd_slot {
	xb_io_cb cb;
	void *arg;
};

struct xb_loop {
	int epfd;
	bool stop;
	struct fd_slot *fds; /* indexed by fd */
	int nfds;
	struct xb_timer **heap;
	unsigned int heap_len, heap_cap;
};

uint64_t xb_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

struct xb_loop *xb_loop_new(void)
{
	struct xb_loop *loop = calloc(1, sizeof(*loop));

	if (!loop)
		return NULL;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		free(loop);
		return NULL;
	}
	return loop;
}

void xb_loop_free(struct xb_loop *loop)
{
	if (!loop)
		return;
	close(loop->epfd);
	free(loop->fds);
	free(loop->heap);
	free(loop);
}

int xb_loop_add_fd(struct xb_loop *loop, int fd, uint32_t events, xb_io_cb cb, void *arg)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };

	if (fd < 0 || !cb)
		return -EINVAL;
	if (fd >= loop->nfds) {
		int n = fd + 64;
		struct fd_slot *fds = realloc(loop->fds, n * sizeof(*fds));

		if (!fds)
			return -ENOMEM;
		memset(fds + loop->nfds, 0, (n - loop->nfds) * sizeof(*fds));
		loop->fds = fds;
		loop->nfds = n;
	}
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	loop->fds[fd].cb = cb;
	loop->fds[fd].arg = arg;
	return 0;
}

int xb_loop_mod_fd(struct xb_loop *loop, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };

	return epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev) < 0 ? -errno : 0;
}

int xb_loop_del_fd(struct xb_loop *loop, int fd)
{
	if (fd < 0 || fd >= loop->nfds || !loop->fds[fd].cb)
		return -ENOENT;
	loop->fds[fd].cb = NULL;
	loop->fds[fd].arg = NULL;
	return epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL) < 0 ? -errno : 0;
}

int xb_loop_add_signal(struct xb_loop *loop, int signo, xb_io_cb cb, void *arg)
{
	sigset_t set;
	int fd, err;

	sigemptyset(&set);
	sigaddset(&set, signo);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = xb_loop_add_fd(loop, fd, EPOLLIN, cb, arg);
	if (err)
		close(fd);
	return err;
}

/* ---- timer heap: slot is the 1-based heap index so 0 means "not armed" */

static void heap_set(struct xb_loop *loop, unsigned int i, struct xb_timer *t)
{
	loop->heap[i] = t;
	t->slot = i + 1;
}

static void heap_up(struct xb_loop *loop, unsigned int i)
{
	struct xb_timer *t = loop->heap[i];

	while (i > 0) {
		unsigned int parent = (i - 1) / 2;

		if (loop->heap[parent]->when_ns <= t->when_ns)
			break;
		heap_set(loop, i, loop->heap[parent]);
		i = parent;
	}
	heap_set(loop, i, t);
}

static void heap_down(struct xb_loop *loop, unsigned int i)
{
	struct xb_timer *t = loop->heap[i];

	for (;;) {
		unsigned int c = 2 * i + 1;

		if (c >= loop->heap_len)
			break;
		if (c + 1 < loop->heap_len && loop->heap[c + 1]->when_ns < loop->heap[c]->when_ns)
			c++;
		if (t->when_ns <= loop->heap[c]->when_ns)
			break;
		heap_set(loop, i, loop->heap[c]);
		i = c;
	}
	heap_set(loop, i, t);
}

void xb_timer_init(struct xb_timer *timer, xb_timer_cb cb, void *arg)
{
	memset(timer, 0, sizeof(*timer));
	timer->cb = cb;
	timer->arg = arg;
}

void xb_timer_cancel(struct xb_loop *loop, struct xb_timer *timer)
{
	unsigned int i;
	struct xb_timer *last;

	if (!timer->slot)
		return;
	i = timer->slot - 1;
	timer->slot = 0;
	last = loop->heap[--loop->heap_len];
	if (last == timer)
		return;
	heap_set(loop, i, last);
	heap_up(loop, i);
	heap_down(loop, last->slot - 1);
}

int xb_timer_arm_ns(struct xb_loop *loop, struct xb_timer *timer, uint64_t delay_ns)
{
	xb_timer_cancel(loop, timer);
	if (loop->heap_len == loop->heap_cap) {
		unsigned int cap = loop->heap_cap ? 2 * loop->heap_cap : 64;
		struct xb_timer **heap = realloc(loop->heap, cap * sizeof(*heap));

		if (!heap)
			return -ENOMEM;
		loop->heap = heap;
		loop->heap_cap = cap;
	}
	timer->when_ns = xb_now_ns() + delay_ns;
	heap_set(loop, loop->heap_len++, timer);
	heap_up(loop, loop->heap_len - 1);
	return 0;
}

int xb_timer_arm(struct xb_loop *loop, struct xb_timer *timer, uint64_t delay_ms)
{
	return xb_timer_arm_ns(loop, timer, delay_ms * 1000000ULL);
}

unsigned int xb_loop_timer_count(const struct xb_loop *loop)
{
	return loop->heap_len;
}

static void run_timers(struct xb_loop *loop)
{
	uint64_t now = xb_now_ns();
	/* Bounded: timers re-armed by their callbacks wait for the next round. */
	unsigned int budget = loop->heap_len;

	while (budget-- && loop->heap_len && loop->heap[0]->when_ns <= now) {
		struct xb_timer *t = loop->heap[0];

		xb_timer_cancel(loop, t);
		t->cb(loop, t, t->arg);
	}
}

int xb_loop_once(struct xb_loop *loop, int max_wait_ms)
{
	struct epoll_event evs[64];
	int timeout = max_wait_ms, n, i;

	if (loop->heap_len) {
		uint64_t now = xb_now_ns(), when = loop->heap[0]->when_ns;
		int64_t ms = when > now ? (int64_t)((when - now + 999999) / 1000000) : 0;

		if (timeout < 0 || ms < timeout)
			timeout = ms;
	}
	n = epoll_wait(loop->epfd, evs, 64, timeout);
	if (n < 0) {
		if (errno == EINTR)
			return 0;
		return -errno;
	}
	for (i = 0; i < n; i++) {
		int fd = evs[i].data.fd;

		/* An earlier callback in this round may have removed it. */
		if (fd < loop->nfds && loop->fds[fd].cb)
			loop->fds[fd].cb(loop, fd, evs[i].events, loop->fds[fd].arg);
	}
	run_timers(loop);
	return 0;
}

int xb_loop_run(struct xb_loop *loop)
{
	int err = 0;

	loop->stop = false;
	while (!loop->stop && !err)
		err = xb_loop_once(loop, -1);
	return err;
}

void xb_loop_stop(struct xb_loop *loop)
{
	loop->stop = true;
}
