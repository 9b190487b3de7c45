// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Media timeout: every cfg->timers.media_check_s, each answered call's
 * streams are read; a call none of whose streams has carried a packet for
 * media_timeout_s (counted from the last offer/answer if nothing was ever
 * seen) is reported through on_dead. A packet counts whether it was
 * forwarded (last_seen_ns, written by XDP and the relay on the same
 * CLOCK_MONOTONIC) or dropped (a held direction still shows the party is
 * alive). Calls with a section on hold are exempt: silence is expected.
 */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "media/internal.h"

static bool on_hold(const struct xbm_call *c)
{
	unsigned int k;
	int p;

	for (k = 0; k < c->n_sections; k++) {
		const struct xbm_section *sec = &c->sec[k];

		if (sec->state != XBM_SEC_ACTIVE)
			continue;
		for (p = 0; p < 2; p++) {
			const struct xbm_sdp_ep *e = &sec->leg[p].sdp;

			if (e->have &&
			    (e->zero || e->dir == XB_SDP_SENDONLY || e->dir == XB_SDP_INACTIVE))
				return true;
		}
	}
	return false;
}

/* Latest activity of the call's streams, NOW if a counter moved. */
static uint64_t last_activity(struct xbm *m, struct xbm_call *c, uint64_t now)
{
	uint64_t last = c->ref_ns > c->active_ns ? c->ref_ns : c->active_ns;
	struct xb_stream_stats st;
	unsigned int k;
	int p, kind;

	for (k = 0; k < c->n_sections; k++)
		for (p = 0; p < 2; p++)
			for (kind = 0; kind < XBM_KINDS; kind++) {
				struct xbm_leg *l = &c->sec[k].leg[p];
				uint64_t seen;

				if (!l->id[kind] || xb_fp_stream_stats(m->fp, l->id[kind], &st))
					continue;
				if (st.last_seen_ns > last)
					last = st.last_seen_ns;
				seen = st.packets + st.drops;
				if (seen != l->seen[kind]) {
					/* first look after a restart is not news */
					if (l->seen[kind])
						last = now;
					l->seen[kind] = seen;
				}
			}
	c->active_ns = last;
	return last;
}

struct dead_list {
	char **ids;
	size_t n, cap;
	uint64_t now, timeout_ns;
};

static void check_call(struct xbm *m, struct xbm_call *c, void *arg)
{
	struct dead_list *d = arg;
	uint64_t last;

	if (!c->answered || on_hold(c))
		return;
	last = last_activity(m, c, d->now);
	if (d->now < last || d->now - last < d->timeout_ns)
		return;
	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 16;
		char **ids = realloc(d->ids, cap * sizeof(*ids));

		if (!ids)
			return;
		d->ids = ids;
		d->cap = cap;
	}
	d->ids[d->n] = strdup(c->call_id);
	if (d->ids[d->n]) {
		d->n++;
		/* report again only after another full timeout */
		c->active_ns = d->now;
	}
}

void xbm_check_run(struct xbm *m)
{
	struct dead_list d = { 0 };
	size_t i;

	if (!m->started || !m->cfg->timers.media_timeout_s)
		return;
	d.now = xb_mono_ns();
	d.timeout_ns = (uint64_t)m->cfg->timers.media_timeout_s * 1000000000ULL;
	xbm_call_foreach(m, check_call, &d);
	/* on_dead may delete calls: call it outside the walk */
	for (i = 0; i < d.n; i++) {
		xb_log(XB_LOG_INFO, "media: call %s: no media for %u s", d.ids[i],
		       m->cfg->timers.media_timeout_s);
		m->c.timeouts++;
		if (m->on_dead)
			m->on_dead(m->arg, d.ids[i]);
		free(d.ids[i]);
	}
	free(d.ids);
}

static void check_timer(struct xb_loop *loop, struct xb_timer *t, void *arg)
{
	struct xbm *m = arg;

	xbm_check_run(m);
	xbm_check_arm(m);
}

void xbm_check_arm(struct xbm *m)
{
	uint32_t s = m->cfg->timers.media_check_s ? m->cfg->timers.media_check_s : 5;

	if (!m->loop)
		return;
	if (!m->check_timer.cb)
		xb_timer_init(&m->check_timer, check_timer, m);
	xb_timer_arm(m->loop, &m->check_timer, (uint64_t)s * 1000);
}
