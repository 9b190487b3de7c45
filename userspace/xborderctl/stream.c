// SPDX-License-Identifier: GPL-2.0-or-later
/* xborderctl stream: add, replace, del, list, show. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/addr.h"
#include "common/err.h"
#include "common/json.h"
#include "xborderctl/xborderctl.h"

/* Ten years: longer is a typo, not a plan. */
#define MAX_EXPIRES_S (10ULL * 365 * 24 * 3600)

static void addr_to16(const struct xb_addr *a, uint8_t out[16])
{
	memcpy(out, a->addr, 16);
}

static int parse_ep(const char *what, const char *s, struct xb_endpoint *e)
{
	if (xb_parse_endpoint(s, e))
		return ctl_usage("%s: %s", what, xb_errmsg());
	return CTL_OK;
}

/*
 * Fill in the Ethernet addresses the fast path writes: smac from the
 * egress device, dmac from the neighbour table. An unresolved neighbour
 * turns the stream into a FIB-lookup stream rather than failing: the fast
 * path then resolves per packet (and hands packets to the stack until the
 * kernel has resolved the neighbour).
 */
static int resolve_l2(struct xb_stream *s, const struct xb_addr *dst, bool have_smac,
		      bool have_dmac)
{
	char name[IF_NAMESIZE], a[XB_ADDRSTRLEN];

	if (!have_smac && xb_l2_dev_mac((int)s->ifindex, s->smac))
		return ctl_fail();
	if (have_dmac)
		return CTL_OK;
	if (xb_l2_next_hop_mac((int)s->ifindex, dst, s->dmac) == 0)
		return CTL_OK;
	s->flags |= XB_F_FIB_LOOKUP;
	ctl_note("%s; %s from %s uses FIB lookups (fib)", xb_errmsg(),
		 xb_fmt_addr(dst, a, sizeof(a)), ctl_ifname((int)s->ifindex, name));
	return CTL_OK;
}

static int do_add(struct ctl *c, int argc, char **argv, bool replace)
{
	struct ctl_kw kws[] = {
		KW("local"),   KW("remote"),	   KW("source"), KW("dev"),    FLAG("fib"),
		KW("smac"),    KW("dmac"),	   KW("vlan"),	 KW("dscp"),   FLAG("pass"),
		FLAG("drop"),  FLAG("learn"),	   FLAG("rtp"),	 KW("strict"), KW("srtp"),
		KW("expires"), KW("srtp-protect"), KW_END,
	};
	const char *ctx = replace ? "stream replace" : "stream add";
	struct xb_endpoint local = { 0 }, remote = { 0 }, source = { 0 }, peer = { 0 };
	struct xb_stream_key key;
	struct xb_stream s;
	struct ctl_kw *k;
	struct xb_fp *fp;
	uint64_t expires = 0;
	uint32_t v;
	int r, ifindex;

	r = ctl_parse_kw(argc, argv, kws, ctx);
	if (r)
		return r;
	memset(&s, 0, sizeof(s));
	s.dscp = XB_DSCP_KEEP;
	if (!ctl_kw(kws, "local")->seen)
		return ctl_usage("%s needs local ADDR:PORT", ctx);
	if ((r = parse_ep("local", ctl_kw(kws, "local")->value, &local)))
		return r;
	xb_stream_key_from(&key, &local);

	if (ctl_kw(kws, "pass")->seen && ctl_kw(kws, "drop")->seen)
		return ctl_usage("pass and drop exclude each other");
	if (ctl_kw(kws, "pass")->seen)
		s.flags |= XB_F_PASS;
	else if (ctl_kw(kws, "drop")->seen)
		s.flags |= XB_F_DROP;
	else
		s.flags |= XB_F_FORWARD;
	if (ctl_kw(kws, "learn")->seen)
		s.flags |= XB_F_LEARN_REMOTE;
	if (ctl_kw(kws, "rtp")->seen)
		s.flags |= XB_F_RTP;
	if (ctl_kw(kws, "fib")->seen)
		s.flags |= XB_F_FIB_LOOKUP;

	k = ctl_kw(kws, "remote");
	if (k->seen) {
		if ((r = parse_ep("remote", k->value, &remote)))
			return r;
		addr_to16(&remote.a, s.dst_addr);
		s.dst_port = htons(remote.port);
		s.family = remote.a.family;
	}
	k = ctl_kw(kws, "source");
	if (k->seen) {
		if ((r = parse_ep("source", k->value, &source)))
			return r;
		addr_to16(&source.a, s.src_addr);
		s.src_port = htons(source.port);
		if (s.family && s.family != source.a.family)
			return ctl_usage("source and remote must be of one address family");
		s.family = source.a.family;
	}
	if ((s.flags & XB_F_FORWARD) &&
	    (!ctl_kw(kws, "remote")->seen || !ctl_kw(kws, "source")->seen))
		return ctl_usage("a forwarding stream needs remote and source");
	k = ctl_kw(kws, "strict");
	if (k->seen) {
		if ((r = parse_ep("strict", k->value, &peer)))
			return r;
		if (peer.a.family != local.a.family)
			return ctl_usage("strict source must be of the local address family");
		addr_to16(&peer.a, s.peer_addr);
		s.peer_port = htons(peer.port);
		s.flags |= XB_F_STRICT_SOURCE;
	}
	k = ctl_kw(kws, "vlan");
	if (k->seen) {
		if (xb_parse_u32(k->value, 4094, &v) || v == 0)
			return ctl_usage("vlan: VID 1-4094");
		s.vlan_id = (uint16_t)v;
	}
	k = ctl_kw(kws, "dscp");
	if (k->seen && strcmp(k->value, "keep")) {
		if (xb_parse_u32(k->value, 63, &v))
			return ctl_usage("dscp: 0-63 or keep");
		s.dscp = (uint8_t)v;
	}
	/* srtp CTX: SRTP in, unprotected; srtp-protect CTX: protected out */
	k = ctl_kw(kws, "srtp");
	if (k->seen && ctl_kw(kws, "srtp-protect")->seen)
		return ctl_usage("srtp and srtp-protect exclude each other");
	if (!k->seen && ctl_kw(kws, "srtp-protect")->seen) {
		k = ctl_kw(kws, "srtp-protect");
		s.flags |= XB_F_SRTP_PROTECT;
	}
	if (k->seen) {
		if (xb_parse_u32(k->value, UINT32_MAX, &s.srtp_ctx) || !s.srtp_ctx)
			return ctl_usage("%s: context id, 1-%u", k->name, UINT32_MAX);
		s.flags |= XB_F_SRTP;
	}
	k = ctl_kw(kws, "expires");
	if (k->seen) {
		if (xb_parse_u64(k->value, MAX_EXPIRES_S, &expires) || expires == 0)
			return ctl_usage("expires: seconds, 1-%llu",
					 (unsigned long long)MAX_EXPIRES_S);
		s.expires_ns = xb_mono_ns() + expires * 1000000000ULL;
	}
	k = ctl_kw(kws, "smac");
	if (k->seen && xb_parse_mac(k->value, s.smac))
		return ctl_usage("smac: %s", xb_errmsg());
	k = ctl_kw(kws, "dmac");
	if (k->seen && xb_parse_mac(k->value, s.dmac))
		return ctl_usage("dmac: %s", xb_errmsg());

	k = ctl_kw(kws, "dev");
	if (k->seen) {
		if (ctl_ifindex(k->value, &ifindex))
			return ctl_fail();
		s.ifindex = (uint32_t)ifindex;
	} else if ((s.flags & XB_F_FORWARD) && !(s.flags & XB_F_FIB_LOOKUP)) {
		return ctl_usage("a forwarding stream needs dev DEV or fib");
	} else if (ctl_kw(kws, "smac")->seen || ctl_kw(kws, "dmac")->seen) {
		return ctl_usage("smac and dmac need dev DEV");
	}
	if ((s.flags & XB_F_FORWARD) && s.ifindex && !(s.flags & XB_F_FIB_LOOKUP) &&
	    (r = resolve_l2(&s, &remote.a, ctl_kw(kws, "smac")->seen, ctl_kw(kws, "dmac")->seen)))
		return r;

	/* the line-up is checked before touching the maps */
	if (xb_stream_validate(&key, &s))
		return ctl_usage("%s", xb_errmsg());
	if (ctl_open(c, true, &fp))
		return CTL_FAIL;
	r = xb_fp_stream_add(fp, &key, &s, replace);
	xb_fp_close(fp);
	if (r)
		return ctl_fail();
	if (c->json) {
		json_t *j = json_object();

		xb_json_set(j, "id", json_integer(s.stats_idx));
		xb_json_set(j, "fib", json_boolean(s.flags & XB_F_FIB_LOOKUP));
		return xb_json_print(stdout, j) ? CTL_FAIL : CTL_OK;
	}
	printf("stream %u\n", s.stats_idx);
	return CTL_OK;
}

static void ep_from(uint8_t family, const uint8_t addr[16], __be16 port, struct xb_endpoint *e)
{
	memset(e, 0, sizeof(*e));
	e->a.family = family;
	memcpy(e->a.addr, addr, 16);
	e->port = ntohs(port);
}

static json_t *flags_json(uint32_t flags)
{
	char buf[128], *tok, *save = NULL;
	json_t *arr = json_array();

	xb_stream_flags_fmt(flags, buf, sizeof(buf));
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		json_array_append_new(arr, json_string(tok));
	return arr;
}

static json_t *stream_json(const struct xb_stream_key *key, const struct xb_stream *s,
			   const struct xb_stream_stats *st, uint64_t now)
{
	char name[IF_NAMESIZE];
	struct xb_endpoint e;
	json_t *j = json_object();

	xb_json_set(j, "id", json_integer(s->stats_idx));
	xb_stream_key_to(key, &e);
	xb_json_set(j, "local", xb_json_endpoint(&e));
	if (s->dst_port) {
		ep_from(s->family, s->dst_addr, s->dst_port, &e);
		xb_json_set(j, "remote", xb_json_endpoint(&e));
	}
	if (s->src_port) {
		ep_from(s->family, s->src_addr, s->src_port, &e);
		xb_json_set(j, "source", xb_json_endpoint(&e));
	}
	if (s->flags & XB_F_STRICT_SOURCE) {
		ep_from(key->family, s->peer_addr, s->peer_port, &e);
		xb_json_set(j, "strict", xb_json_endpoint(&e));
	}
	if (s->ifindex)
		xb_json_set(j, "dev", json_string(ctl_ifname((int)s->ifindex, name)));
	xb_json_set(j, "flags", flags_json(s->flags));
	if (!(s->flags & XB_F_FIB_LOOKUP) && (s->flags & XB_F_FORWARD)) {
		xb_json_set(j, "smac", xb_json_mac(s->smac));
		xb_json_set(j, "dmac", xb_json_mac(s->dmac));
	}
	if (s->vlan_id)
		xb_json_set(j, "vlan", json_integer(s->vlan_id));
	if (s->dscp != XB_DSCP_KEEP)
		xb_json_set(j, "dscp", json_integer(s->dscp));
	if (s->flags & XB_F_SRTP) {
		xb_json_set(j, "srtp", json_integer(s->srtp_ctx));
		xb_json_set(j, "srtp_dir",
			    json_string(s->flags & XB_F_SRTP_PROTECT ? "protect" : "unprotect"));
	}
	if (s->expires_ns)
		xb_json_set(j, "expires_in_ms",
			    json_integer(s->expires_ns > now
						 ? (json_int_t)((s->expires_ns - now) / 1000000)
						 : 0));
	if (st) {
		xb_json_set(j, "packets", xb_json_u64(st->packets));
		xb_json_set(j, "bytes", xb_json_u64(st->bytes));
		xb_json_set(j, "drops", json_integer(st->drops));
		if (s->flags & XB_F_RTP) {
			xb_json_set(j, "seq_errors", json_integer(st->seq_errors));
			xb_json_set(j, "last_ssrc", json_integer(st->last_ssrc));
			xb_json_set(j, "highest_seq", json_integer(st->highest_seq));
		}
		if (st->last_seen_ns)
			xb_json_set(j, "idle_ms",
				    json_integer(now > st->last_seen_ns
							 ? (json_int_t)((now - st->last_seen_ns) /
									1000000)
							 : 0));
	}
	return j;
}

/* One line per stream, keyword value pairs like ip(8). */
static void stream_text(const struct xb_stream_key *key, const struct xb_stream *s,
			const struct xb_stream_stats *st, uint64_t now)
{
	char a[XB_ADDRSTRLEN], f[128], name[IF_NAMESIZE], age[32];
	struct xb_endpoint e;

	xb_stream_key_to(key, &e);
	printf("%u: local %s", s->stats_idx, xb_fmt_endpoint(&e, a, sizeof(a)));
	if (s->dst_port) {
		ep_from(s->family, s->dst_addr, s->dst_port, &e);
		printf(" remote %s", xb_fmt_endpoint(&e, a, sizeof(a)));
	}
	if (s->src_port) {
		ep_from(s->family, s->src_addr, s->src_port, &e);
		printf(" source %s", xb_fmt_endpoint(&e, a, sizeof(a)));
	}
	if (s->ifindex)
		printf(" dev %s", ctl_ifname((int)s->ifindex, name));
	xb_stream_flags_fmt(s->flags, f, sizeof(f));
	printf(" flags %s", f);
	if (s->flags & XB_F_STRICT_SOURCE) {
		ep_from(key->family, s->peer_addr, s->peer_port, &e);
		printf(" strict %s", xb_fmt_endpoint(&e, a, sizeof(a)));
	}
	if (s->vlan_id)
		printf(" vlan %u", s->vlan_id);
	if (s->dscp != XB_DSCP_KEEP)
		printf(" dscp %u", s->dscp);
	if (s->expires_ns)
		printf(" expires %s", s->expires_ns > now
					      ? ctl_fmt_age(s->expires_ns - now, age, sizeof(age))
					      : "past");
	if (st) {
		printf(" packets %llu bytes %llu drops %u", (unsigned long long)st->packets,
		       (unsigned long long)st->bytes, st->drops);
		if (s->flags & XB_F_RTP)
			printf(" seq-errors %u", st->seq_errors);
		if (st->last_seen_ns)
			printf(" seen %s ago",
			       ctl_fmt_age(now > st->last_seen_ns ? now - st->last_seen_ns : 0, age,
					   sizeof(age)));
	}
	printf("\n");
}

struct list_arg {
	struct ctl *c;
	struct xb_fp *fp;
	json_t *arr;
	uint64_t now;
};

static int list_one(const struct xb_stream_key *key, const struct xb_stream *s, void *arg)
{
	struct list_arg *l = arg;
	struct xb_stream_stats st;
	bool have = xb_fp_stream_stats(l->fp, s->stats_idx, &st) == 0;

	if (l->arr)
		json_array_append_new(l->arr, stream_json(key, s, have ? &st : NULL, l->now));
	else
		stream_text(key, s, have ? &st : NULL, l->now);
	return 0;
}

static int do_list(struct ctl *c, int argc)
{
	struct list_arg l = { c, NULL, NULL, 0 };
	int r;

	if (argc)
		return ctl_usage("stream list takes no arguments");
	if (ctl_open(c, false, &l.fp))
		return CTL_FAIL;
	l.now = xb_mono_ns();
	if (c->json)
		l.arr = json_array();
	r = xb_fp_stream_foreach(l.fp, list_one, &l);
	xb_fp_close(l.fp);
	if (r) {
		json_decref(l.arr);
		return ctl_fail();
	}
	if (l.arr)
		return xb_json_print(stdout, l.arr) ? CTL_FAIL : CTL_OK;
	return CTL_OK;
}

/* "ID" or "local ADDR:PORT": find the stream (key and entry). */
static int find_stream(struct xb_fp *fp, int argc, char **argv, const char *ctx,
		       struct xb_stream_key *key, struct xb_stream *s)
{
	struct xb_endpoint e;
	uint32_t id;

	if (argc == 1) {
		if (xb_parse_u32(argv[0], UINT32_MAX, &id))
			return ctl_usage("%s: stream id expected, got '%.32s'", ctx, argv[0]);
		return xb_fp_stream_find(fp, id, key, s) ? ctl_fail() : CTL_OK;
	}
	if (argc == 2 && !strcmp(argv[0], "local")) {
		if (xb_parse_endpoint(argv[1], &e))
			return ctl_usage("local: %s", xb_errmsg());
		xb_stream_key_from(key, &e);
		return xb_fp_stream_get(fp, key, s) ? ctl_fail() : CTL_OK;
	}
	return ctl_usage("%s needs ID or local ADDR:PORT", ctx);
}

static int do_del(struct ctl *c, int argc, char **argv)
{
	struct xb_stream_key key;
	struct xb_stream s;
	struct xb_fp *fp;
	int r;

	if (argc != 1 && argc != 2)
		return ctl_usage("stream del needs ID or local ADDR:PORT");
	if (ctl_open(c, false, &fp))
		return CTL_FAIL;
	r = find_stream(fp, argc, argv, "stream del", &key, &s);
	if (!r && xb_fp_stream_del(fp, &key))
		r = ctl_fail();
	xb_fp_close(fp);
	return r;
}

static int do_show(struct ctl *c, int argc, char **argv)
{
	struct xb_stream_stats st;
	struct xb_stream_key key;
	struct xb_stream s;
	struct xb_fp *fp;
	uint64_t now;
	bool have;
	int r;

	if (argc != 1 && argc != 2)
		return ctl_usage("stream show needs ID or local ADDR:PORT");
	if (ctl_open(c, false, &fp))
		return CTL_FAIL;
	r = find_stream(fp, argc, argv, "stream show", &key, &s);
	if (!r) {
		have = xb_fp_stream_stats(fp, s.stats_idx, &st) == 0;
		now = xb_mono_ns();
		if (c->json)
			r = xb_json_print(stdout, stream_json(&key, &s, have ? &st : NULL, now))
				    ? CTL_FAIL
				    : CTL_OK;
		else
			stream_text(&key, &s, have ? &st : NULL, now);
	}
	xb_fp_close(fp);
	return r;
}

int cmd_stream(struct ctl *c, int argc, char **argv)
{
	if (argc < 1 || !strcmp(argv[0], "list"))
		return do_list(c, argc > 0 ? argc - 1 : 0);
	if (!strcmp(argv[0], "add"))
		return do_add(c, argc - 1, argv + 1, false);
	if (!strcmp(argv[0], "replace"))
		return do_add(c, argc - 1, argv + 1, true);
	if (!strcmp(argv[0], "del") || !strcmp(argv[0], "delete"))
		return do_del(c, argc - 1, argv + 1);
	if (!strcmp(argv[0], "show"))
		return do_show(c, argc - 1, argv + 1);
	return ctl_usage("unknown stream command '%.32s'", argv[0]);
}
