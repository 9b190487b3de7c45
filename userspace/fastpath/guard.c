// SPDX-License-Identifier: GPL-2.0-or-later
/* The signaling guard: guarded ports, allowed and blocked prefixes. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include <bpf/bpf.h>

#include "common/err.h"
#include "fastpath/internal.h"

static int port_key(uint8_t proto, uint16_t port, struct xb_guard_port_key *key)
{
	if (proto != IPPROTO_UDP && proto != IPPROTO_TCP)
		return xb_err(EINVAL, "guarded ports are udp or tcp");
	if (!port)
		return xb_err(EINVAL, "port 0 cannot be guarded");
	memset(key, 0, sizeof(*key));
	key->proto = proto;
	key->port = htons(port);
	return 0;
}

int xb_fp_guard_port_set(struct xb_fp *fp, uint8_t proto, uint16_t port,
			 const struct xb_guard_port *gp)
{
	struct xb_guard_port_key key;
	struct xb_guard_port v = *gp;
	int err = port_key(proto, port, &key);

	if (err)
		return err;
	if (v.flags & ~(uint32_t)(XB_GUARD_ALLOWLIST | XB_GUARD_RATELIMIT))
		return xb_err(EINVAL, "unknown guard flags 0x%x", v.flags);
	if ((v.flags & XB_GUARD_RATELIMIT) && (!v.rate_pps || !v.burst))
		return xb_err(EINVAL, "a rate limit needs a rate and a burst above zero");
	v.pad = 0;
	if (bpf_map_update_elem(fp->map_fd[XB_MAP_GUARD_PORTS], &key, &v, BPF_ANY))
		return xb_err(errno,
			      errno == E2BIG ? "too many guarded ports: %s"
					     : "cannot guard the port: %s",
			      strerror(errno));
	return 0;
}

int xb_fp_guard_port_get(struct xb_fp *fp, uint8_t proto, uint16_t port, struct xb_guard_port *gp)
{
	struct xb_guard_port_key key;
	int err = port_key(proto, port, &key);

	if (err)
		return err;
	if (bpf_map_lookup_elem(fp->map_fd[XB_MAP_GUARD_PORTS], &key, gp))
		return xb_err(errno,
			      errno == ENOENT ? "port is not guarded"
					      : "cannot read guarded port: %s",
			      strerror(errno));
	return 0;
}

int xb_fp_guard_port_del(struct xb_fp *fp, uint8_t proto, uint16_t port)
{
	struct xb_guard_port_key key;
	int err = port_key(proto, port, &key);

	if (err)
		return err;
	if (bpf_map_delete_elem(fp->map_fd[XB_MAP_GUARD_PORTS], &key))
		return xb_err(errno,
			      errno == ENOENT ? "port is not guarded"
					      : "cannot unguard the port: %s",
			      strerror(errno));
	return 0;
}

struct port_walk {
	int (*cb)(uint8_t, uint16_t, const struct xb_guard_port *, void *);
	void *arg;
};

static int port_walk_one(const void *key, const void *val, void *arg)
{
	const struct xb_guard_port_key *k = key;
	struct port_walk *w = arg;

	return w->cb(k->proto, ntohs(k->port), val, w->arg);
}

int xb_fp_guard_port_foreach(struct xb_fp *fp,
			     int (*cb)(uint8_t proto, uint16_t port, const struct xb_guard_port *gp,
				       void *arg),
			     void *arg)
{
	struct port_walk w = { cb, arg };

	return xb_map_foreach(fp->map_fd[XB_MAP_GUARD_PORTS], sizeof(struct xb_guard_port_key),
			      sizeof(struct xb_guard_port), port_walk_one, &w);
}

/* The trie for a family and list, and its key filled from a/plen. */
static int prefix_key(struct xb_fp *fp, enum xb_guard_list list, const struct xb_addr *a,
		      unsigned int plen, void *key, size_t *key_size)
{
	bool v4 = a->family == XB_AF_INET;
	struct xb_addr masked = *a;
	enum xb_fp_map m;

	if (a->family != XB_AF_INET && a->family != XB_AF_INET6)
		return xb_err(EINVAL, "unknown address family");
	if (plen > xb_addr_bits(a->family))
		return xb_err(EINVAL, "prefix length %u too long", plen);
	xb_addr_mask(&masked, plen);
	if (list == XB_GUARD_LIST_ALLOW)
		m = v4 ? XB_MAP_ALLOW4 : XB_MAP_ALLOW6;
	else
		m = v4 ? XB_MAP_BLOCK4 : XB_MAP_BLOCK6;
	if (v4) {
		struct xb_lpm_key4 *k = key;

		k->prefixlen = plen;
		memcpy(k->addr, masked.addr, 4);
		*key_size = sizeof(*k);
	} else {
		struct xb_lpm_key6 *k = key;

		k->prefixlen = plen;
		memcpy(k->addr, masked.addr, 16);
		*key_size = sizeof(*k);
	}
	return fp->map_fd[m];
}

int xb_fp_guard_prefix_add(struct xb_fp *fp, enum xb_guard_list list, const struct xb_addr *a,
			   unsigned int plen, const struct xb_guard_prefix *val)
{
	struct xb_guard_prefix v = *val;
	struct xb_lpm_key6 key;
	size_t ks;
	int fd;

	fd = prefix_key(fp, list, a, plen, &key, &ks);
	if (fd < 0)
		return fd;
	v.pad = 0;
	if (bpf_map_update_elem(fd, &key, &v, BPF_ANY))
		return xb_err(errno,
			      errno == ENOSPC || errno == E2BIG ? "prefix list full: %s"
								: "cannot add prefix: %s",
			      strerror(errno));
	return 0;
}

int xb_fp_guard_prefix_del(struct xb_fp *fp, enum xb_guard_list list, const struct xb_addr *a,
			   unsigned int plen)
{
	struct xb_lpm_key6 key;
	size_t ks;
	int fd;

	fd = prefix_key(fp, list, a, plen, &key, &ks);
	if (fd < 0)
		return fd;
	if (bpf_map_delete_elem(fd, &key))
		return xb_err(errno,
			      errno == ENOENT ? "prefix is not listed" : "cannot delete prefix: %s",
			      strerror(errno));
	return 0;
}

struct prefix_walk {
	uint8_t family;
	int (*cb)(const struct xb_addr *, unsigned int, const struct xb_guard_prefix *, void *);
	void *arg;
};

static int prefix_walk_one(const void *key, const void *val, void *arg)
{
	struct prefix_walk *w = arg;
	struct xb_addr a;
	__u32 plen;

	memset(&a, 0, sizeof(a));
	a.family = w->family;
	memcpy(&plen, key, sizeof(plen));
	memcpy(a.addr, (const uint8_t *)key + sizeof(plen), w->family == XB_AF_INET ? 4 : 16);
	return w->cb(&a, plen, val, w->arg);
}

int xb_fp_guard_prefix_foreach(struct xb_fp *fp, enum xb_guard_list list,
			       int (*cb)(const struct xb_addr *a, unsigned int plen,
					 const struct xb_guard_prefix *val, void *arg),
			       void *arg)
{
	bool allow = list == XB_GUARD_LIST_ALLOW;
	struct prefix_walk w = { XB_AF_INET, cb, arg };
	int err;

	err = xb_map_foreach(fp->map_fd[allow ? XB_MAP_ALLOW4 : XB_MAP_BLOCK4],
			     sizeof(struct xb_lpm_key4), sizeof(struct xb_guard_prefix),
			     prefix_walk_one, &w);
	if (err)
		return err;
	w.family = XB_AF_INET6;
	return xb_map_foreach(fp->map_fd[allow ? XB_MAP_ALLOW6 : XB_MAP_BLOCK6],
			      sizeof(struct xb_lpm_key6), sizeof(struct xb_guard_prefix),
			      prefix_walk_one, &w);
}
