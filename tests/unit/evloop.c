// SPDX-License-Identifier: GPL-2.0-or-later
/* The event loop: timer order, cancel and re-arm, fd readiness, signals. */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/signalfd.h>

#include "evloop/evloop.h"
#include "kselftest_harness.h"

struct fired {
	int order[64];
	int n;
};

struct tagged {
	struct xb_timer t;
	struct fired *log;
	int tag;
};

static void on_timer(struct xb_loop *loop, struct xb_timer *t, void *arg)
{
	struct tagged *tt = arg;

	tt->log->order[tt->log->n++] = tt->tag;
}

TEST(timers_fire_in_deadline_order) {
	struct xb_loop *loop = xb_loop_new();
	struct fired log = { 0 };
	struct tagged t[20];
	int i;

	ASSERT_NE(NULL, loop);
	/* Armed in a scrambled order: deadlines (i * 7) % 20 ms. */
	for (i = 0; i < 20; i++) {
		t[i].log = &log;
		t[i].tag = (i * 7) % 20;
		xb_timer_init(&t[i].t, on_timer, &t[i]);
		ASSERT_EQ(0, xb_timer_arm(loop, &t[i].t, t[i].tag));
	}
	EXPECT_EQ(20, xb_loop_timer_count(loop));
	for (i = 0; i < 200 && log.n < 20; i++)
		ASSERT_EQ(0, xb_loop_once(loop, 5));
	ASSERT_EQ(20, log.n);
	for (i = 0; i < 20; i++)
		EXPECT_EQ(i, log.order[i]);
	EXPECT_EQ(0, xb_loop_timer_count(loop));
	xb_loop_free(loop);
}

TEST(cancel_and_rearm) {
	struct xb_loop *loop = xb_loop_new();
	struct fired log = { 0 };
	struct tagged a = { .log = &log, .tag = 1 }, b = { .log = &log, .tag = 2 },
		      c = { .log = &log, .tag = 3 };
	uint64_t start = xb_now_ns();
	int i;

	xb_timer_init(&a.t, on_timer, &a);
	xb_timer_init(&b.t, on_timer, &b);
	xb_timer_init(&c.t, on_timer, &c);
	xb_timer_arm(loop, &a.t, 1);
	xb_timer_arm(loop, &b.t, 2);
	xb_timer_arm(loop, &c.t, 3);
	xb_timer_cancel(loop, &b.t);
	EXPECT_FALSE(xb_timer_armed(&b.t));
	xb_timer_arm(loop, &a.t, 30); /* re-arm moves it behind c */
	EXPECT_EQ(2, xb_loop_timer_count(loop));
	for (i = 0; i < 100 && log.n < 2; i++)
		xb_loop_once(loop, 10);
	ASSERT_EQ(2, log.n);
	EXPECT_EQ(3, log.order[0]);
	EXPECT_EQ(1, log.order[1]);
	EXPECT_GE(xb_now_ns() - start, 30 * 1000000ULL);
	xb_loop_free(loop);
}

static void on_readable(struct xb_loop *loop, int fd, uint32_t ev, void *arg)
{
	char buf[16];
	int *got = arg;

	*got += read(fd, buf, sizeof(buf));
	xb_loop_stop(loop);
}

TEST(fd_readiness) {
	struct xb_loop *loop = xb_loop_new();
	int p[2], got = 0;

	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, xb_loop_add_fd(loop, p[0], EPOLLIN, on_readable, &got));
	EXPECT_EQ(-EEXIST, xb_loop_add_fd(loop, p[0], EPOLLIN, on_readable, &got));
	ASSERT_EQ(0, xb_loop_once(loop, 0));
	EXPECT_EQ(0, got);
	ASSERT_EQ(5, write(p[1], "hello", 5));
	ASSERT_EQ(0, xb_loop_run(loop));
	EXPECT_EQ(5, got);
	EXPECT_EQ(0, xb_loop_del_fd(loop, p[0]));
	EXPECT_EQ(-ENOENT, xb_loop_del_fd(loop, p[0]));
	close(p[0]);
	close(p[1]);
	xb_loop_free(loop);
}

static void on_signal(struct xb_loop *loop, int fd, uint32_t ev, void *arg)
{
	struct signalfd_siginfo si;

	if (read(fd, &si, sizeof(si)) == sizeof(si))
		*(int *)arg = si.ssi_signo;
	xb_loop_stop(loop);
}

TEST(signal_through_signalfd) {
	struct xb_loop *loop = xb_loop_new();
	int signo = 0;

	ASSERT_EQ(0, xb_loop_add_signal(loop, SIGUSR1, on_signal, &signo));
	kill(getpid(), SIGUSR1);
	ASSERT_EQ(0, xb_loop_once(loop, 1000));
	EXPECT_EQ(SIGUSR1, signo);
	xb_loop_free(loop);
}

TEST_HARNESS_MAIN
