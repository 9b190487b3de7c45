# SPDX-License-Identifier: GPL-2.0-or-later
# Network-namespace topologies for tests. Source it after tap.sh.
#
#   xb_topo_init                  unique prefix, cleanup trap
#   xb_ns VAR NAME                create namespace, its full name in VAR
#   xb_link NS1 IF1 NS2 IF2       veth pair between two namespaces
#   xb_addr NS IF CIDR            add an address and bring IF up
#   xb_exec NS CMD...             run CMD inside NS
#   xb_bg NS CMD...               start CMD inside NS in the background;
#                                 it is killed at cleanup; pid in XB_LAST_PID
#   xb_wait SECONDS CMD...        retry CMD every 0.1 s until it succeeds
#   xb_mac NS IF                  print the MAC address of IF
#   xb_ifindex NS IF              print the ifindex of IF
#
# Every name carries the prefix xb<pid><random>, so parallel runs and
# leftovers of a killed run never collide; the EXIT trap deletes the
# namespaces (which removes their veths) and kills background jobs.

XB_NS_LIST=()
XB_PIDS=()

xb_topo_init() {
	XB_PREFIX="xb$$$RANDOM"
	trap xb_cleanup EXIT
	trap 'exit 130' INT TERM
}

xb_cleanup() {
	local status=$? p ns
	for p in "${XB_PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${XB_PIDS[@]}"; do
		# bounded: a process that ignores TERM gets KILL after 2 s
		timeout 2 tail --pid="$p" -f /dev/null 2>/dev/null || kill -9 "$p" 2>/dev/null
	done
	for ns in "${XB_NS_LIST[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	[ -n "${XB_CLEANUP_HOOK:-}" ] && $XB_CLEANUP_HOOK
	exit "$status"
}

# xb_ns VAR NAME: create namespace PREFIX-NAME and store its name in VAR.
# (Not $(xb_ns NAME): a subshell could not register it for cleanup.)
xb_ns() {
	local ns="$XB_PREFIX-$2"
	ip netns add "$ns" || return 1
	XB_NS_LIST+=("$ns")
	ip -n "$ns" link set lo up
	printf -v "$1" '%s' "$ns"
}

xb_link() {
	ip link add name "$2" netns "$1" type veth peer name "$4" netns "$3" || return 1
	ip -n "$1" link set dev "$2" up && ip -n "$3" link set dev "$4" up
}

xb_addr() {
	ip -n "$1" addr add "$3" dev "$2" nodad 2>/dev/null || ip -n "$1" addr add "$3" dev "$2"
	ip -n "$1" link set dev "$2" up
}

xb_exec() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

xb_bg() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@" &
	XB_LAST_PID=$!
	XB_PIDS+=("$XB_LAST_PID")
}

xb_wait() {
	local secs=$1 i
	shift
	for ((i = 0; i < secs * 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

xb_mac() {
	ip netns exec "$1" cat "/sys/class/net/$2/address"
}

xb_ifindex() {
	ip netns exec "$1" cat "/sys/class/net/$2/ifindex"
}
