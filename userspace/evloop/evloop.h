/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The controller's event loop: epoll for descriptors, a binary heap of
 * timers on CLOCK_MONOTONIC, signals through signalfd. Single-threaded;
 * nothing registered here may block.
 */
#ifndef XB_EVLOOP_H
#define XB_EVLOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>

struct xb_loop;

typedef void (*xb_io_cb)(struct xb_loop *loop, int fd, uint32_t events, void *arg);

struct xb_timer;
typedef void (*xb_timer_cb)(struct xb_loop *loop, struct xb_timer *timer, void *arg);

/* Embedded in its owner; xb_timer_init before first use. */
struct xb_timer {
	uint64_t when_ns;  /* deadline, CLOCK_MONOTONIC */
	unsigned int slot; /* index in the heap + 1; 0 when not armed */
	xb_timer_cb cb;
	void *arg;
};

uint64_t xb_now_ns(void);

struct xb_loop *xb_loop_new(void);
void xb_loop_free(struct xb_loop *loop);

/* EPOLLIN/EPOLLOUT/...; one registration per fd. */
int xb_loop_add_fd(struct xb_loop *loop, int fd, uint32_t events, xb_io_cb cb, void *arg);
int xb_loop_mod_fd(struct xb_loop *loop, int fd, uint32_t events);
int xb_loop_del_fd(struct xb_loop *loop, int fd);

/* Blocks SIGNO and delivers it to CB through a signalfd. */
int xb_loop_add_signal(struct xb_loop *loop, int signo, xb_io_cb cb, void *arg);

void xb_timer_init(struct xb_timer *timer, xb_timer_cb cb, void *arg);
/* (Re)arms TIMER to fire once after DELAY_MS milliseconds. */
int xb_timer_arm(struct xb_loop *loop, struct xb_timer *timer, uint64_t delay_ms);
int xb_timer_arm_ns(struct xb_loop *loop, struct xb_timer *timer, uint64_t delay_ns);
void xb_timer_cancel(struct xb_loop *loop, struct xb_timer *timer);
static inline bool xb_timer_armed(const struct xb_timer *timer)
{
	return timer->slot != 0;
}
unsigned int xb_loop_timer_count(const struct xb_loop *loop);

/* Runs until xb_loop_stop; returns 0, or -errno if epoll failed. */
int xb_loop_run(struct xb_loop *loop);
/* One round: waits at most MAX_WAIT_MS (or until the next timer). */
int xb_loop_once(struct xb_loop *loop, int max_wait_ms);
void xb_loop_stop(struct xb_loop *loop);

#endif
