#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs every libFuzzer target built from tests/fuzz/NAME.c (BUILD/fuzz/NAME):
# first replays the regression inputs kept in tests/fuzz/regress/NAME/
# (minimised crashes, kept forever), then fuzzes for a bounded time from the
# seed corpus tests/fuzz/corpus/NAME/ (copied, so the tree is not written).
# One TAP result per target, with the number of executions.
#
#   run.sh [--build DIR] [--seconds N] [--seed N]
#
# make check passes --seed 1: the smoke run then explores the same inputs
# every time, so a new crash shows up in make fuzz (random seeds) and is
# kept as a regression input, rather than failing an unrelated change.
set -u
cd "$(dirname "$0")/../.."
BUILD=build SECONDS_EACH=10 SEED=0
while [ $# -gt 0 ]; do
	case "$1" in
	--build) BUILD=$2; shift 2 ;;
	--seconds) SECONDS_EACH=$2; shift 2 ;;
	--seed) SEED=$2; shift 2 ;;
	*) echo "fuzz/run.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done

targets=()
for src in tests/fuzz/*.c; do
	[ -e "$src" ] || continue
	name=${src##*/}
	targets+=("${name%.c}")
done
if [ ${#targets[@]} -eq 0 ]; then
	echo "1..1"
	echo "ok 1 # SKIP no fuzz targets in tests/fuzz/"
	exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "1..${#targets[@]}"
n=0 failed=0 total_execs=0
for t in "${targets[@]}"; do
	n=$((n + 1))
	bin="$BUILD/fuzz/$t"
	if [ ! -x "$bin" ]; then
		echo "not ok $n - fuzz $t: $bin not built"
		failed=$((failed + 1))
		continue
	fi
	out="$work/$t.log"
	status=0
	if compgen -G "tests/fuzz/regress/$t/*" >/dev/null; then
		"$bin" -runs=1 tests/fuzz/regress/"$t"/* >"$out" 2>&1 || status=$?
		if [ "$status" -ne 0 ]; then
			echo "not ok $n - fuzz $t: a regression input fails again"
			tail -n 30 "$out" | sed 's/^/# /'
			failed=$((failed + 1))
			continue
		fi
	fi
	mkdir -p "$work/$t.corpus"
	cp -r tests/fuzz/corpus/"$t"/. "$work/$t.corpus/" 2>/dev/null
	"$bin" -max_total_time="$SECONDS_EACH" -seed="$SEED" -print_final_stats=1 -timeout=10 \
		-rss_limit_mb=1024 -artifact_prefix="$work/$t-" "$work/$t.corpus" \
		>"$out" 2>&1 || status=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out" | tail -1)
	if [ "$status" -ne 0 ]; then
		echo "not ok $n - fuzz $t: crash after ${execs:-?} executions"
		grep -m1 -A12 -E 'ERROR|SUMMARY|runtime error' "$out" | sed 's/^/# /'
		for a in "$work/$t-"*; do
			[ -e "$a" ] && echo "# reproducer: keep it with 'cp $a tests/fuzz/regress/$t/'" &&
				mkdir -p "$BUILD/fuzz/artifacts" && cp "$a" "$BUILD/fuzz/artifacts/"
		done
		failed=$((failed + 1))
	else
		echo "ok $n - fuzz $t: ${execs:-0} executions in ${SECONDS_EACH}s, no crash"
		total_execs=$((total_execs + ${execs:-0}))
	fi
done
echo "# fuzz: $total_execs executions in all"
[ "$failed" -eq 0 ]
