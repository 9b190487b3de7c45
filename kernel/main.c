// SPDX-License-Identifier: GPL-2.0
/*
 * xborder.ko: SRTP (RFC 3711) for the xborder XDP fast path. The module
 * keeps a table of SRTP crypto contexts, filled over the "xborder" generic
 * netlink family, and lends the XDP program two kfuncs that protect and
 * unprotect RTP/RTCP packets in place with them.
 * Documentation/kernel-module.md explains the design and the build.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "xborder.h"

static unsigned int max_contexts = 16384;
module_param(max_contexts, uint, 0444);
MODULE_PARM_DESC(max_contexts, "most SRTP contexts at once (default 16384)");

static int __init xb_init(void)
{
	int err, n;

	if (max_contexts < 1 || max_contexts > (1U << 24)) {
		pr_err("max_contexts must be 1 to %u\n", 1U << 24);
		return -EINVAL;
	}
	err = xb_srtp_scratch_init();
	if (err)
		return err;
	n = xb_selftest();
	if (n < 0) {
		pr_err("SRTP self-test failed (%d); refusing to load\n", n);
		err = n == -EBADMSG ? -ELIBBAD : n;
		goto fail_scratch;
	}
	pr_info("SRTP self-test passed: %d known-answer tests (RFC 3711 B.2, B.3, SRTP/SRTCP packets)\n",
		n);
	err = xb_ctx_table_init(max_contexts);
	if (err)
		goto fail_scratch;
	err = xb_kfunc_init();
	if (err)
		goto fail_table;
	err = xb_genl_init();
	if (err)
		goto fail_table;
	pr_info("version " XB_MODULE_VERSION " ready: generic netlink family \"" XBORDER_GENL_NAME
		"\", XDP kfuncs bpf_xborder_srtp_{protect,unprotect}\n");
	return 0;

fail_table:
	xb_ctx_table_exit();
fail_scratch:
	xb_srtp_scratch_free();
	return err;
}

static void __exit xb_exit(void)
{
	xb_genl_exit();
	xb_ctx_table_exit();
	xb_srtp_scratch_free();
	pr_info("unloaded\n");
}

module_init(xb_init);
module_exit(xb_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("xborder: SRTP protect/unprotect kfuncs for the XDP media fast path");
MODULE_VERSION(XB_MODULE_VERSION);
MODULE_IMPORT_NS(CRYPTO_INTERNAL);
MODULE_SOFTDEP("pre: aes hmac sha1");
