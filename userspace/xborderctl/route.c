// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `xborderctl route lookup URI`: discovery as xborderd does it (ENUM,
 * NAPTR, SRV, A/AAAA, or a configured peer), run in a small event loop of
 * its own, printing each step and then the ordered targets, like
 * `ip route get`. Needs no daemon; `config FILE` applies a configuration's
 * peers, federations and dns settings.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/json.h"
#include "config/config.h"
#include "dns/discover.h"
#include "dns/resolver.h"
#include "evloop/evloop.h"
#include "xborderctl/route.h"
#include "xborderctl/xborderctl.h"

const char ctl_route_usage[] =
	"  route lookup URI [dns SERVER[,SERVER...]] [timeout MS] [attempts N]\n"
	"               [apex DOMAIN] [seed N] [config FILE] [-j]\n";

struct waiting {
	bool done;
	struct xb_discovery *d;
};

static void on_discovered(struct xb_discovery *d, void *arg)
{
	struct waiting *w = arg;

	w->d = d;
	w->done = true;
}

/* "A,B,C": addresses (port 53) or endpoints. */
static int parse_servers(const char *list, struct xb_dns_config *dc)
{
	char buf[1024], *tok, *save = NULL;

	if (strlen(list) >= sizeof(buf))
		return xb_err(EINVAL, "server list too long");
	strcpy(buf, list);
	dc->n_servers = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		struct xb_endpoint *ep = &dc->servers[dc->n_servers];

		if (dc->n_servers >= XB_DNS_MAX_SERVERS)
			return xb_err(EINVAL, "more than %u DNS servers", XB_DNS_MAX_SERVERS);
		if (xb_parse_endpoint(tok, ep)) {
			const char *a = tok;
			char v6[XB_PARSE_MAX];
			size_t n = strlen(tok);

			if (n > 2 && n < sizeof(v6) && tok[0] == '[' && tok[n - 1] == ']') {
				memcpy(v6, tok + 1, n - 2);
				v6[n - 2] = '\0';
				a = v6;
			}
			if (xb_parse_addr(a, &ep->a))
				return xb_err(EINVAL,
					      "'%.64s' is not a DNS server (ADDRESS or "
					      "ADDRESS:PORT)",
					      tok);
			ep->port = 53;
		}
		dc->n_servers++;
	}
	if (!dc->n_servers)
		return xb_err(EINVAL, "no DNS server in '%.64s'", list);
	return 0;
}

static void print_text(const struct xb_discovery *d, const char *uri)
{
	const struct xb_targets *t = d->targets;
	unsigned int i;

	printf("%s\n", uri);
	for (i = 0; i < t->n_steps; i++)
		printf("  %s\n", t->steps[i]);
	if (!t->n)
		return;
	printf("targets:\n");
	for (i = 0; i < t->n; i++) {
		const struct xb_target *x = &t->t[i];
		char ep[XB_ADDRSTRLEN];

		printf("  %u: %s %s", i + 1, xb_fmt_endpoint(&x->ep, ep, sizeof(ep)),
		       xbd_transport_name(x->transport));
		if (x->host[0])
			printf(" host %s", x->host);
		printf(" source %s", xb_target_source_name(x->source));
		if (x->source == XB_TARGET_SRV || x->source == XB_TARGET_NAPTR)
			if (x->priority || x->weight)
				printf(" priority %u weight %u", x->priority, x->weight);
		if (x->transport == XBD_TRANSPORT_TLS)
			printf(" tls-name %s", x->tls_name);
		printf("\n");
	}
}

static int print_json(const struct xb_discovery *d, const char *uri)
{
	const struct xb_targets *t = d->targets;
	json_t *j = json_object(), *steps = json_array(), *targets = json_array();
	unsigned int i;

	if (!j || !steps || !targets) {
		json_decref(j);
		json_decref(steps);
		json_decref(targets);
		return xb_err(ENOMEM, "out of memory");
	}
	xb_json_set(j, "uri", json_string(uri));
	xb_json_set(j, "located", json_string(d->uri));
	if (d->has_peer) {
		xb_json_set(j, "peer", json_string(d->peer));
		xb_json_set(j, "discovery", json_string(xbd_discovery_name(d->method)));
	}
	if (d->federation[0])
		xb_json_set(j, "federation", json_string(d->federation));
	for (i = 0; i < t->n_steps; i++)
		json_array_append_new(steps, json_string(t->steps[i]));
	xb_json_set(j, "steps", steps);
	for (i = 0; i < t->n; i++) {
		const struct xb_target *x = &t->t[i];
		json_t *o = json_object();

		if (!o)
			continue;
		xb_json_set(o, "address", xb_json_addr(&x->ep.a));
		xb_json_set(o, "port", json_integer(x->ep.port));
		xb_json_set(o, "endpoint", xb_json_endpoint(&x->ep));
		xb_json_set(o, "transport", json_string(xbd_transport_name(x->transport)));
		xb_json_set(o, "host", json_string(x->host));
		xb_json_set(o, "source", json_string(xb_target_source_name(x->source)));
		xb_json_set(o, "priority", json_integer(x->priority));
		xb_json_set(o, "weight", json_integer(x->weight));
		xb_json_set(o, "tls_name", json_string(x->tls_name));
		json_array_append_new(targets, o);
	}
	xb_json_set(j, "targets", targets);
	if (!t->n)
		xb_json_set(j, "error", json_string(t->error));
	return xb_json_print(stdout, j);
}

static int lookup(struct ctl *c, const char *uri, struct ctl_kw *kw)
{
	struct xbd_config cfg;
	bool have_cfg = false;
	struct xb_dns_config dc;
	struct xb_resolver *r = NULL;
	struct xb_loop *loop = NULL;
	struct waiting w = { 0 };
	const char *v;
	uint64_t deadline, seed;
	uint32_t n;
	int ret = CTL_FAIL;

	xb_dns_config_default(&dc);
	if ((v = ctl_kw(kw, "config")->value)) {
		if (xbd_config_load(v, &cfg))
			return ctl_fail();
		have_cfg = true;
		memcpy(dc.servers, cfg.dns.servers, sizeof(cfg.dns.servers[0]) * cfg.dns.n_servers);
		dc.n_servers = cfg.dns.n_servers;
		dc.timeout_ms = cfg.dns.timeout_ms;
		dc.attempts = cfg.dns.attempts;
	}
	if ((v = ctl_kw(kw, "dns")->value) && parse_servers(v, &dc))
		goto out;
	if ((v = ctl_kw(kw, "timeout")->value)) {
		if (xb_parse_u32(v, 30000, &n) || n < 10) {
			ret = ctl_usage("timeout: '%.32s' is not 10-30000 (ms)", v);
			goto out;
		}
		dc.timeout_ms = n;
	}
	if ((v = ctl_kw(kw, "attempts")->value)) {
		if (xb_parse_u32(v, 10, &n) || n < 1) {
			ret = ctl_usage("attempts: '%.32s' is not 1-10", v);
			goto out;
		}
		dc.attempts = n;
	}
	loop = xb_loop_new();
	if (!loop) {
		xb_err(ENOMEM, "cannot create an event loop");
		goto out;
	}
	r = xb_resolver_new(loop, &dc);
	if (!r)
		goto out;
	if ((v = ctl_kw(kw, "seed")->value)) {
		if (xb_parse_u64(v, UINT64_MAX, &seed)) {
			ret = ctl_usage("seed: '%.32s' is not a number", v);
			goto out;
		}
		xb_rng_seed(xb_resolver_rng(r), seed);
	}
	if (xb_discover(r, have_cfg ? &cfg : NULL, ctl_kw(kw, "apex")->value, uri, NULL,
			on_discovered, &w, NULL)) {
		xb_err_prefix(EINVAL, "route lookup");
		goto out;
	}
	/* every wait inside is bounded; this only guards against a bug */
	dc = *xb_resolver_config(r);
	deadline = xb_now_ns() +
		   (uint64_t)dc.timeout_ms * dc.attempts * dc.n_servers * 40 * 1000000ull +
		   5000000000ull;
	while (!w.done && xb_now_ns() < deadline)
		xb_loop_once(loop, 100);
	if (!w.done) {
		xb_err(ETIMEDOUT, "route lookup: no result in time");
		goto out;
	}
	if (c->json ? print_json(w.d, uri) : (print_text(w.d, uri), fflush(stdout)))
		goto out;
	if (!w.d->targets->n) {
		xb_err(ENOENT, "route lookup: %s", w.d->targets->error);
		goto out;
	}
	ret = CTL_OK;
out:
	if (ret == CTL_FAIL)
		ctl_fail();
	xb_discovery_free(w.d);
	xb_resolver_free(r);
	xb_loop_free(loop);
	if (have_cfg)
		xbd_config_free(&cfg);
	return ret;
}

int cmd_route(struct ctl *c, int argc, char **argv)
{
	struct ctl_kw kw[] = { KW("dns"),  KW("timeout"), KW("attempts"), KW("apex"),
			       KW("seed"), KW("config"),  FLAG("-j"),	  KW_END };
	int err;

	if (argc < 1)
		return ctl_usage("route needs a command: lookup");
	if (strcmp(argv[0], "lookup"))
		return ctl_usage("unknown route command '%.32s' (lookup)", argv[0]);
	if (argc < 2)
		return ctl_usage("route lookup needs a URI");
	err = ctl_parse_kw(argc - 2, argv + 2, kw, "route lookup");
	if (err)
		return err;
	if (ctl_kw(kw, "-j")->seen)
		c->json = true;
	return lookup(c, argv[1], kw);
}
