// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * From the configuration to the XFRM objects it asks for: selectors per
 * peer and the two SAs of a static-key peer, keys read from their files.
 */
#include <errno.h>
#include <linux/xfrm.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "ipsec/ipsec.h"
#include "ipsec/model.h"

static void host_sel(struct xb_xsel *s, const struct xbd_ipsec *ip, uint8_t proto)
{
	unsigned int bits = xb_addr_bits(ip->local.family);

	memset(s, 0, sizeof(*s));
	s->src = ip->local;
	s->dst = ip->remote;
	s->src_len = (uint8_t)bits;
	s->dst_len = (uint8_t)bits;
	s->proto = proto;
}

unsigned int xb_ipsec_selectors(const struct xbd_ipsec *ip, struct xb_xsel *out, unsigned int max)
{
	static const uint8_t protos[] = { IPPROTO_UDP, IPPROTO_TCP };
	unsigned int n = 0, i, j;

	if (!ip->enabled)
		return 0;
	if (ip->mode == XBD_IPSEC_TRANSPORT) {
		for (i = 0; i < 2; i++) {
			/* toward the peer's SIP port: our requests, our TCP connections */
			if (n < max) {
				host_sel(&out[n], ip, protos[i]);
				out[n].dport = ip->remote_port;
				out[n].dport_mask = 0xffff;
				n++;
			}
			/* from our SIP port: responses and the peer's connections to us */
			if (n < max) {
				host_sel(&out[n], ip, protos[i]);
				out[n].sport = ip->local_port;
				out[n].sport_mask = 0xffff;
				n++;
			}
		}
		return n;
	}
	for (i = 0; i < ip->n_local_subnets; i++) {
		for (j = 0; j < ip->n_remote_subnets && n < max; j++) {
			struct xb_xsel *s = &out[n++];

			memset(s, 0, sizeof(*s));
			s->src = ip->local_subnets[i];
			s->src_len = (uint8_t)ip->local_plens[i];
			s->dst = ip->remote_subnets[j];
			s->dst_len = (uint8_t)ip->remote_plens[j];
		}
	}
	return n;
}

static void sa_init(struct xb_xsa *sa, const struct xbd_ipsec *ip, uint8_t mode, bool in)
{
	memset(sa, 0, sizeof(*sa));
	sa->src = in ? ip->remote : ip->local;
	sa->dst = in ? ip->local : ip->remote;
	sa->spi = in ? ip->spi_in : ip->spi_out;
	sa->proto = IPPROTO_ESP;
	sa->mode = mode;
	sa->alg = ip->alg;
	sa->replay_window = ip->replay_window;
	sa->soft = ip->soft;
	sa->hard = ip->hard;
	sa->peer = -1;
}

void xb_ipsec_plan_free(struct xb_ipsec_plan *plan)
{
	unsigned int i;

	if (!plan)
		return;
	for (i = 0; i < plan->n; i++) {
		xb_ipsec_key_wipe(&plan->peers[i].in.key);
		xb_ipsec_key_wipe(&plan->peers[i].out.key);
	}
	free(plan->peers);
	plan->peers = NULL;
	plan->n = 0;
}

int xb_ipsec_plan_build(const struct xbd_config *cfg, struct xb_ipsec_plan *plan)
{
	unsigned int i, n = 0;
	int err;

	memset(plan, 0, sizeof(*plan));
	for (i = 0; i < cfg->n_peers; i++)
		n += cfg->peers[i].ipsec.enabled;
	if (!n)
		return 0;
	plan->peers = calloc(n, sizeof(*plan->peers));
	if (!plan->peers)
		return xb_err(ENOMEM, "ipsec: out of memory for %u peers", n);
	for (i = 0; i < cfg->n_peers; i++) {
		const struct xbd_peer *peer = &cfg->peers[i];
		const struct xbd_ipsec *ip = &peer->ipsec;
		struct xb_ipsec_ppeer *p;

		if (!ip->enabled)
			continue;
		p = &plan->peers[plan->n++];
		snprintf(p->name, sizeof(p->name), "%s", peer->name);
		p->ike = ip->keys == XBD_IPSEC_KEYS_IKE;
		p->mode = ip->mode == XBD_IPSEC_TUNNEL ? XFRM_MODE_TUNNEL : XFRM_MODE_TRANSPORT;
		p->priority = ip->mode == XBD_IPSEC_TUNNEL ? XB_IPSEC_PRIO_TUNNEL
							   : XB_IPSEC_PRIO_TRANSPORT;
		p->local = ip->local;
		p->remote = ip->remote;
		p->n_sels = xb_ipsec_selectors(ip, p->sels, XB_IPSEC_MAX_SELS);
		p->switch_s = ip->rekey_switch_s;
		p->grace_s = ip->rekey_grace_s;
		if (p->ike)
			continue;
		sa_init(&p->in, ip, p->mode, true);
		sa_init(&p->out, ip, p->mode, false);
		if ((err = xb_ipsec_key_load(ip->key_in, ip->alg, &p->in.key)) ||
		    (err = xb_ipsec_key_load(ip->key_out, ip->alg, &p->out.key))) {
			xb_err_prefix(err, "peer '%s'", peer->name);
			xb_ipsec_plan_free(plan);
			return err;
		}
	}
	return 0;
}

static bool in_prefix(const struct xb_addr *a, const struct xb_addr *prefix, unsigned int len)
{
	struct xb_addr x = *a, y = *prefix;

	if (a->family != prefix->family)
		return false;
	xb_addr_mask(&x, len);
	xb_addr_mask(&y, len);
	return !memcmp(x.addr, y.addr, sizeof(x.addr));
}

bool xb_ipsec_media_needs_stack(const struct xbd_config *cfg, const struct xb_addr *local,
				const struct xb_addr *remote)
{
	unsigned int i, j, k;

	for (i = 0; cfg && local && remote && i < cfg->n_peers; i++) {
		const struct xbd_ipsec *ip = &cfg->peers[i].ipsec;
		bool l = false, r = false;

		if (!ip->enabled || ip->mode != XBD_IPSEC_TUNNEL)
			continue;
		for (j = 0; j < ip->n_local_subnets && !l; j++)
			l = in_prefix(local, &ip->local_subnets[j], ip->local_plens[j]);
		for (k = 0; k < ip->n_remote_subnets && !r; k++)
			r = in_prefix(remote, &ip->remote_subnets[k], ip->remote_plens[k]);
		if (l && r)
			return true;
	}
	return false;
}
