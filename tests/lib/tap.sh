# SPDX-License-Identifier: GPL-2.0-or-later
# Minimal TAP producer for shell tests: source it, call tap_plan N, then
# ok/not-ok through tap_ok, tap_is, tap_skip; tap_done checks the count.

TAP_N=0
TAP_FAILED=0
TAP_PLAN=0

tap_plan() {
	TAP_PLAN=$1
	echo "1..$1"
}

# tap_ok STATUS DESCRIPTION: STATUS 0 is a pass.
tap_ok() {
	TAP_N=$((TAP_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $TAP_N - $2"
	else
		echo "not ok $TAP_N - $2"
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
}

# tap_is GOT WANT DESCRIPTION
tap_is() {
	if [ "$1" = "$2" ]; then
		tap_ok 0 "$3"
	else
		tap_ok 1 "$3"
		echo "#   got:  '$1'"
		echo "#   want: '$2'"
	fi
}

# tap_ge GOT MIN DESCRIPTION (integers)
tap_ge() {
	if [ "$1" -ge "$2" ] 2>/dev/null; then
		tap_ok 0 "$3 ($1 >= $2)"
	else
		tap_ok 1 "$3"
		echo "#   got: '$1', want at least $2"
	fi
}

tap_skip() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N # SKIP $1"
}

tap_diag() {
	sed 's/^/# /'
}

# tap_bail REASON: the rest of the plan cannot run; report it as failed.
tap_bail() {
	echo "# bail out: $1"
	while [ "$TAP_N" -lt "$TAP_PLAN" ]; do
		tap_ok 1 "not reached: $1"
	done
	exit 1
}

tap_done() {
	if [ "$TAP_PLAN" -ne "$TAP_N" ]; then
		echo "# planned $TAP_PLAN tests but ran $TAP_N"
		exit 1
	fi
	[ "$TAP_FAILED" -eq 0 ]
}
