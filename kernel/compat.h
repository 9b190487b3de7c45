/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernels xborder.ko builds against (Debian's 6.1
 * and 6.12): header locations and the kfunc annotations.
 */
#ifndef XBORDER_COMPAT_H
#define XBORDER_COMPAT_H

#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/version.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/* 6.4 named the attribute; before, a kfunc only had to stay a real,
 * global, not inlined function. */
#ifndef __bpf_kfunc
#define __bpf_kfunc __used noinline
#endif

/* 6.7: kfuncs need no prototypes between these two (what W=1 asks for). */
#ifndef __bpf_kfunc_start_defs
#define __bpf_kfunc_start_defs() \
	_Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wmissing-prototypes\"")
#define __bpf_kfunc_end_defs() _Pragma("GCC diagnostic pop")
#endif

/* 6.9 marks kfunc sets (BTF_SET8_KFUNCS) and 6.10 requires it; 6.1 has
 * the plain 8-byte set with per-function flags. */
#ifndef BTF_KFUNCS_START
#define BTF_KFUNCS_START BTF_SET8_START
#define BTF_KFUNCS_END BTF_SET8_END
#endif

#endif
