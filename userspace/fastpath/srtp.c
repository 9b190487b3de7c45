// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The SRTP leg of the fast path: xb_xdp_srtp (bpf/xborder_srtp.bpf.c) calls
 * xborder.ko's kfuncs, so it is loaded only while the module is there, and
 * put into slot XB_SRTP_PROG_SLOT of the pinned xb_srtp_progs, where xb_xdp
 * tail-calls it for XB_F_SRTP streams. The prog array holds the only
 * reference: emptying the slot frees the program, and with it the
 * program's reference on the module, which can then be unloaded.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/err.h"
#include "common/log.h"
#include "fastpath/internal.h"
#include "xborder_srtp.skel.h"

/* The module's BTF, which the kernel publishes while it is loaded. */
#define XB_MODULE_BTF "/sys/kernel/btf/xborder"

bool xb_fp_srtp_module_present(void)
{
	return access(XB_MODULE_BTF, R_OK) == 0;
}

uint32_t xb_fp_srtp_prog_id(struct xb_fp *fp)
{
	uint32_t slot = XB_SRTP_PROG_SLOT, id = 0;

	/* a prog array read from userspace yields the program's id */
	if (bpf_map_lookup_elem(fp->map_fd[XB_MAP_SRTP_PROGS], &slot, &id))
		return 0;
	return id;
}

int xb_fp_srtp_enable(struct xb_fp *fp, uint32_t *prog_id)
{
	uint32_t slot = XB_SRTP_PROG_SLOT;
	struct xborder_srtp *skel;
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	int err, fd;

	if (!xb_fp_srtp_module_present())
		return xb_err(ENOENT, "xborder.ko is not loaded (no %s)", XB_MODULE_BTF);
	skel = xborder_srtp__open();
	if (!skel)
		return xb_err(errno, "cannot open the embedded SRTP BPF object: %s",
			      strerror(errno));
	err = xb_fp_reuse_maps(fp, skel->obj);
	if (!err) {
		err = xborder_srtp__load(skel);
		if (err)
			err = xb_err(err,
				     "loading the SRTP XDP program failed: %s (-v shows the libbpf "
				     "log)",
				     strerror(-err));
	}
	if (!err) {
		fd = bpf_program__fd(skel->progs.xb_xdp_srtp);
		if (bpf_map_update_elem(fp->map_fd[XB_MAP_SRTP_PROGS], &slot, &fd, BPF_ANY))
			err = xb_err(errno, "cannot install the SRTP program in xb_srtp_progs: %s",
				     strerror(errno));
		memset(&info, 0, sizeof(info));
		if (!err && prog_id && !bpf_obj_get_info_by_fd(fd, &info, &len))
			*prog_id = info.id;
	}
	/* the prog array keeps the program; our references go */
	xborder_srtp__destroy(skel);
	if (!err)
		xb_log(XB_LOG_DEBUG, "SRTP program installed: XB_F_SRTP streams use xborder.ko");
	return err;
}

int xb_fp_srtp_disable(struct xb_fp *fp)
{
	uint32_t slot = XB_SRTP_PROG_SLOT;

	if (bpf_map_delete_elem(fp->map_fd[XB_MAP_SRTP_PROGS], &slot) && errno != ENOENT)
		return xb_err(errno, "cannot empty xb_srtp_progs: %s", strerror(errno));
	return 0;
}
