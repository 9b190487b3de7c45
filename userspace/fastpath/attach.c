// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Attaching XDP through netlink (bpf_xdp_attach): unlike a bpf_link, the
 * attachment outlives the process, which is what keeps media flowing while
 * the controller is down.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include "common/err.h"
#include "common/log.h"
#include "fastpath/internal.h"

const char *xb_fp_mode_name(enum xb_fp_mode mode)
{
	switch (mode) {
	case XB_MODE_NONE:
		return "none";
	case XB_MODE_AUTO:
		return "auto";
	case XB_MODE_NATIVE:
		return "native";
	case XB_MODE_GENERIC:
		return "generic";
	case XB_MODE_OFFLOAD:
		return "offload";
	}
	return "?";
}

static const char *dev_name(int ifindex, char *buf)
{
	if (!if_indextoname((unsigned int)ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "ifindex %d", ifindex);
	return buf;
}

static __u32 mode_flag(enum xb_fp_mode mode)
{
	switch (mode) {
	case XB_MODE_NATIVE:
		return XDP_FLAGS_DRV_MODE;
	case XB_MODE_GENERIC:
		return XDP_FLAGS_SKB_MODE;
	case XB_MODE_OFFLOAD:
		return XDP_FLAGS_HW_MODE;
	default:
		return 0;
	}
}

int xb_fp_query(struct xb_fp *fp, int ifindex, struct xb_fp_link *link)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	char name[IF_NAMESIZE];
	int p, err;

	memset(link, 0, sizeof(*link));
	link->prog = -1;
	err = bpf_xdp_query(ifindex, 0, &q);
	if (err)
		return xb_err(err, "cannot query XDP on %s: %s", dev_name(ifindex, name),
			      strerror(-err));
	switch (q.attach_mode) {
	case XDP_ATTACHED_DRV:
		link->mode = XB_MODE_NATIVE;
		link->prog_id = q.drv_prog_id;
		break;
	case XDP_ATTACHED_SKB:
		link->mode = XB_MODE_GENERIC;
		link->prog_id = q.skb_prog_id;
		break;
	case XDP_ATTACHED_HW:
		link->mode = XB_MODE_OFFLOAD;
		link->prog_id = q.hw_prog_id;
		break;
	case XDP_ATTACHED_MULTI:
		/* offload plus native: the native one is ours to manage */
		link->mode = q.drv_prog_id ? XB_MODE_NATIVE : XB_MODE_GENERIC;
		link->prog_id = q.drv_prog_id ? q.drv_prog_id : q.skb_prog_id;
		break;
	default:
		link->mode = XB_MODE_NONE;
		return 0;
	}
	for (p = 0; p < XB_PROG_COUNT; p++)
		if (link->prog_id && link->prog_id == xb_fp_prog_pinned_id(fp, p))
			link->prog = p;
	return 0;
}

static int try_attach(int ifindex, int fd, enum xb_fp_mode mode)
{
	/* no XDP_FLAGS_UPDATE_IF_NOEXIST: replacing in the same mode is atomic */
	return bpf_xdp_attach(ifindex, fd, mode_flag(mode), NULL);
}

int xb_fp_attach(struct xb_fp *fp, int ifindex, enum xb_fp_prog prog, enum xb_fp_mode mode,
		 bool force, struct xb_fp_attach_result *res)
{
	char name[IF_NAMESIZE];
	struct xb_fp_link cur;
	uint32_t id;
	int fd, err, err2;

	memset(res, 0, sizeof(*res));
	if (mode != XB_MODE_AUTO && mode != XB_MODE_NATIVE && mode != XB_MODE_GENERIC)
		return xb_err(EINVAL, "attach mode must be auto, native or generic");
	dev_name(ifindex, name);
	err = xb_fp_query(fp, ifindex, &cur);
	if (err)
		return err;
	fd = xb_fp_prog_get(fp, prog, &id);
	if (fd < 0)
		return fd;
	if (cur.prog_id == id && (mode == XB_MODE_AUTO || mode == cur.mode)) {
		res->already = true;
		res->mode = cur.mode;
		goto done;
	}
	if (cur.prog_id && cur.prog < 0 && !force) {
		close(fd);
		return xb_err(EBUSY,
			      "%s already runs XDP program id %u (%s mode); use force to "
			      "replace it",
			      name, cur.prog_id, xb_fp_mode_name(cur.mode));
	}
	/* native and generic cannot coexist: switching modes detaches first */
	if (cur.prog_id && mode != XB_MODE_AUTO && mode != cur.mode) {
		err = bpf_xdp_detach(ifindex, mode_flag(cur.mode), NULL);
		if (err) {
			close(fd);
			return xb_err(err, "cannot detach the %s program from %s: %s",
				      xb_fp_mode_name(cur.mode), name, strerror(-err));
		}
	} else if (cur.prog_id && mode == XB_MODE_AUTO) {
		mode = cur.mode;
	}

	if (mode == XB_MODE_AUTO) {
		err = try_attach(ifindex, fd, XB_MODE_NATIVE);
		if (!err) {
			res->mode = XB_MODE_NATIVE;
		} else {
			err2 = try_attach(ifindex, fd, XB_MODE_GENERIC);
			if (err2) {
				close(fd);
				return xb_err(
					err2,
					"cannot attach to %s: native XDP: %s; generic XDP: %s",
					name, strerror(-err), strerror(-err2));
			}
			res->mode = XB_MODE_GENERIC;
			snprintf(res->note, sizeof(res->note),
				 "native XDP unavailable on %s (%s), using generic XDP (slower)",
				 name, strerror(-err));
		}
	} else {
		err = try_attach(ifindex, fd, mode);
		if (err) {
			close(fd);
			return xb_err(err, "cannot attach to %s in %s mode: %s", name,
				      xb_fp_mode_name(mode), strerror(-err));
		}
		res->mode = mode;
	}
done:
	close(fd);
	if (prog != XB_PROG_MAIN)
		return 0;
	/* SRTP streams on the fast path whenever the module can do them */
	if (xb_fp_srtp_module_present() && !xb_fp_srtp_prog_id(fp) && xb_fp_srtp_enable(fp, NULL))
		xb_log(XB_LOG_WARN, "SRTP stays with the userspace relay: %s", xb_errmsg());
	return xb_fp_tx_port_add(fp, ifindex);
}

int xb_fp_detach(struct xb_fp *fp, int ifindex, bool force)
{
	char name[IF_NAMESIZE];
	struct xb_fp_link cur;
	int err;

	dev_name(ifindex, name);
	err = xb_fp_query(fp, ifindex, &cur);
	if (err)
		return err;
	if (!cur.prog_id)
		return xb_err(ENOENT, "no XDP program on %s", name);
	if (cur.prog < 0 && !force)
		return xb_err(EBUSY, "XDP program id %u on %s is not ours; use force to detach it",
			      cur.prog_id, name);
	err = bpf_xdp_detach(ifindex, mode_flag(cur.mode), NULL);
	if (err)
		return xb_err(err, "cannot detach XDP from %s: %s", name, strerror(-err));
	/*
	 * xb_tx_ports keeps the device: streams may still be redirected out
	 * of it from other devices. The kernel drops it when the device goes.
	 */
	return 0;
}
