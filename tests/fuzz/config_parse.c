// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The configuration loader on arbitrary text. Whatever it accepts must
 * hold the promises the daemon relies on (at least one listener, unique
 * names, resolvable references, valid port ranges, each domain routing to
 * its own peer); whatever it refuses must come with one line naming the
 * file, and leave nothing allocated.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/*
 * libconfig 1.5's scanner loses the string it is building, or the token it
 * just returned, when a syntax error stops the parse: a few bytes per
 * refused file, inside the library, not ours to fix. Only those two
 * allocation sites are excused; a configuration we forget to destroy still
 * leaks through the parser and fails the run.
 */
const char *__lsan_default_suppressions(void)
{
	return "leak:strbuf_append\nleak:libconfig_yylex\n";
}

#define CHECK(x)                 \
	do {                     \
		if (!(x))        \
			abort(); \
	} while (0)

static void check_valid(const struct xbd_config *cfg)
{
	unsigned int i, j, k;

	CHECK(cfg->n_listeners >= 1 && cfg->n_listeners <= XBD_MAX_LISTENERS);
	CHECK(cfg->n_media <= XBD_MAX_MEDIA_IFACES && cfg->n_peers <= XBD_MAX_PEERS);
	CHECK(cfg->timers.t1_ms < cfg->timers.t2_ms);
	for (i = 0; i < cfg->n_media; i++) {
		const struct xbd_media_iface *m = &cfg->media[i];

		CHECK(m->port_min >= 1024 && m->port_min % 2 == 0 && m->port_max > m->port_min);
		CHECK(xbd_config_media(cfg, m->name) == m);
		CHECK(!m->xdp || m->device[0]);
	}
	for (i = 0; i < cfg->n_listeners; i++) {
		const struct xbd_listener *l = &cfg->listeners[i];

		CHECK(xbd_config_listener(cfg, l->name) == l);
		CHECK(!l->media[0] || xbd_config_media(cfg, l->media));
		CHECK(l->local.port != 0);
	}
	for (i = 0; i < cfg->n_peers; i++) {
		const struct xbd_peer *p = &cfg->peers[i];
		const struct xbd_listener *l = xbd_config_listener(cfg, p->listener);
		const struct xbd_peer *src;

		CHECK(xbd_config_peer(cfg, p->name) == p);
		CHECK(l && l->transport == p->transport);
		CHECK(p->media_mode != XBD_MEDIA_RELAY || xbd_config_media(cfg, p->media));
		CHECK(p->n_domains <= XBD_MAX_PEER_DOMAINS &&
		      p->n_prefixes <= XBD_MAX_PEER_PREFIXES);
		for (k = 0; k < p->n_domains; k++) {
			/* an exact name routes to the peer that lists it */
			if (p->domains[k][0] != '*' && p->domains[k][0] != '.')
				CHECK(xbd_config_route(cfg, p->domains[k]) == p);
		}
		/* a next hop is recognised as some peer with that address */
		src = xbd_config_peer_by_source(cfg, &p->next_hop.a);
		CHECK(src && xb_addr_equal(&src->next_hop.a, &p->next_hop.a));
		for (j = 0; j < i; j++)
			CHECK(strcmp(cfg->peers[j].name, p->name));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xbd_config cfg;
	char *text = malloc(size + 1);
	int err;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	xb_err_clear();
	err = xbd_config_parse(text, "fuzz.conf", &cfg);
	if (err) {
		const char *msg = xb_errmsg();

		CHECK(err < 0);
		CHECK(!strncmp(msg, "fuzz.conf", 9));
		CHECK(!strchr(msg, '\n'));
		CHECK(cfg.peers == NULL && cfg.n_peers == 0);
	} else {
		check_valid(&cfg);
		/* lookups with what the input offers as a host never misbehave */
		xbd_config_route(&cfg, text);
	}
	xbd_config_free(&cfg);
	free(text);
	return 0;
}
