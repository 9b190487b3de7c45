#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A VM test that goes wrong on purpose, to check that scripts/vmtest.sh
# reports each way a guest test can fail (non-zero exit, one line on
# stderr). Not part of tests/vm/. The way is picked on the guest's kernel
# command line, default "fail":
#
#   scripts/vmtest.sh scripts/vm/selftest-fail.sh                  # fail
#   XB_VM_APPEND=xb.selftest=exit  scripts/vmtest.sh scripts/vm/selftest-fail.sh
#   XB_VM_APPEND=xb.selftest=short scripts/vmtest.sh scripts/vm/selftest-fail.sh
#   XB_VM_APPEND=xb.selftest=hang  scripts/vmtest.sh --timeout 10 scripts/vm/selftest-fail.sh
#   XB_VM_APPEND=xb.selftest=panic scripts/vmtest.sh scripts/vm/selftest-fail.sh
#   XB_VM_APPEND=xb.selftest=freeze XB_VM_BOOT_TIMEOUT=30 \
#       scripts/vmtest.sh --timeout 5 scripts/vm/selftest-fail.sh
#
#   fail   a result is "not ok"
#   exit   every result is ok but the script exits 3
#   short  the plan promises more results than the script prints
#   hang   the script never ends (the per-script timeout must end it)
#   poweroff the guest powers off in the middle of the script
#   panic  the guest kernel panics in the middle of the script
#   freeze the guest kernel stops without powering off (a panic that
#          does not reboot): the host's overall time limit must end qemu
set -u
. "$XB_TOP/tests/lib/tap.sh"

mode=fail
for w in $(cat /proc/cmdline); do
	case "$w" in
	xb.selftest=*) mode=${w#*=} ;;
	esac
done

tap_plan 2
tap_ok 0 "selftest ($mode): a result that passes"
case "$mode" in
fail)
	tap_ok 1 "selftest: a result that fails on purpose" ;;
exit)
	tap_ok 0 "selftest: passes, but the script exits 3"
	exit 3 ;;
short)
	exit 0 ;;
hang)
	sleep 100000 ;;
poweroff)
	echo o >/proc/sysrq-trigger
	sleep 60 ;;
panic)
	echo c >/proc/sysrq-trigger
	sleep 60 ;;
freeze)
	echo 0 >/proc/sys/kernel/panic
	echo c >/proc/sysrq-trigger
	sleep 60 ;;
*)
	tap_ok 1 "selftest: unknown xb.selftest mode '$mode'" ;;
esac
tap_done
