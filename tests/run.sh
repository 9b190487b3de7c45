#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs every suite under tests/, prints each test's TAP under a suite
# header and ends with one line: "N passed, N failed[, N skipped]".
# A test program that exits non-zero, or prints fewer results than its
# plan, counts as a failure even if its TAP said nothing.
set -u
cd "$(dirname "$0")/.."
BUILD=build
SUITES="unit bpf net vm fuzz"
while [ $# -gt 0 ]; do
	case "$1" in
	--build) BUILD=$2; shift 2 ;;
	--suites) SUITES=$2; shift 2 ;;
	*) echo "run.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
export XB_BUILD=$BUILD XB_TOP=$PWD
TEST_TIMEOUT=${XB_TEST_TIMEOUT:-600}

passed=0 failed=0 skipped=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# count_tap FILE NAME STATUS: fold one program's TAP into the totals.
count_tap() {
	local f=$1 name=$2 status=$3 p=0 fl=0 s=0 plan=0
	while IFS= read -r line; do
		case "$line" in
		"not ok "[0-9]*)
			if [[ "$line" == *"# SKIP"* ]]; then s=$((s + 1)); else fl=$((fl + 1)); fi ;;
		"ok "[0-9]*)
			if [[ "$line" == *"# SKIP"* || "$line" == *"# skip"* ]]; then s=$((s + 1)); else p=$((p + 1)); fi ;;
		"1.."[0-9]*)
			plan=${line#1..}; plan=${plan%% *} ;;
		esac
	done < "$f"
	if [ "$status" -ne 0 ] && [ "$fl" -eq 0 ]; then
		echo "not ok - $name exited with status $status"
		fl=$((fl + 1))
	elif [ "$plan" -gt 0 ] && [ $((p + fl + s)) -lt "$plan" ]; then
		echo "not ok - $name: planned $plan results, got $((p + fl + s))"
		fl=$((fl + 1))
	elif [ $((p + fl + s)) -eq 0 ] && [ "$status" -eq 0 ]; then
		echo "not ok - $name printed no TAP result"
		fl=$((fl + 1))
	fi
	passed=$((passed + p)) failed=$((failed + fl)) skipped=$((skipped + s))
}

# run [-t SECS] NAME CMD...: run one TAP program with a time limit.
run() {
	local limit=$TEST_TIMEOUT name status
	if [ "$1" = -t ]; then
		limit=$2
		shift 2
	fi
	name=$1
	shift
	echo "# test: $name"
	timeout -k 10 "$limit" "$@" > "$log" 2>&1
	status=$?
	cat "$log"
	[ "$status" -eq 124 ] && echo "# $name: killed after ${limit}s"
	count_tap "$log" "$name" "$status"
}

skip_suite() {
	echo "ok 1 # SKIP suite $1: $2"
	skipped=$((skipped + 1))
}

need_root() {
	[ "$(id -u)" -eq 0 ] && return 0
	skip_suite "$1" "needs root (network namespaces, BPF)"
	return 1
}

for suite in $SUITES; do
	echo "# suite: $suite"
	case "$suite" in
	unit)
		for t in "$BUILD"/tests/unit/*; do
			[ -x "$t" ] && [ ! -d "$t" ] && [[ "$t" != *.o ]] && run "unit/${t##*/}" "$t"
		done ;;
	bpf)
		need_root bpf || continue
		for t in "$BUILD"/tests/bpf/*; do
			[ -x "$t" ] && [ ! -d "$t" ] && [[ "$t" != *.o ]] && run "bpf/${t##*/}" "$t"
		done ;;
	net)
		need_root net || continue
		for t in tests/net/*.sh; do
			[ -e "$t" ] && run "net/${t##*/}" bash "$t"
		done ;;
	vm)
		if ! reason=$(scripts/vmtest.sh --can-run 2>&1); then
			skip_suite vm "$reason"
			continue
		fi
		# vmtest limits each guest script itself (180 s, plus boot); this
		# outer limit only catches the runner itself hanging
		vm_tests=(tests/vm/*.sh)
		run -t $((300 + 200 * ${#vm_tests[@]})) "vm" scripts/vmtest.sh "${vm_tests[@]}" ;;
	fuzz)
		run "fuzz" tests/fuzz/run.sh --build build --seconds "${XB_FUZZ_SECONDS:-10}" \
			--seed "${XB_FUZZ_SEED:-1}" ;;
	*)
		echo "run.sh: unknown suite '$suite'" >&2; exit 2 ;;
	esac
done

summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary+=", $skipped skipped"
echo "$summary"
[ "$failed" -eq 0 ]
