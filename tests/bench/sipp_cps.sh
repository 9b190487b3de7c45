#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SIPp calls per second through one xborderd (UDP): the highest rate at
# which every call succeeds, and xborderd's CPU per 100 calls per second
# at that rate, with media anchoring (SDP rewritten, fast-path streams
# installed and removed for every call) beside the same proxy configured
# media_mode = "direct" (a plain stateful proxy, SDP untouched).
#
#   uac (va 10.1.0.2) --- (s_in 10.1.0.1) sbe (s_out 10.9.0.1) --- (vb 10.9.0.2) uas
#
# Each rate runs for XB_BENCH_SECS (default 5) seconds of calls lasting
# 100 ms; rates double from 50 until a run has a failed call (or SIPp
# cannot keep the rate), then the step between the last good and the first
# bad rate is tried once. CPU is xborderd's utime+stime over the run from
# /proc/PID/stat. SIPp runs on the same two cores, so the figures are a
# floor for the proxy. A benchmark prints; it does not fail.
set -u
. "${XB_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$XB_TOP/tests/lib/netns.sh"

: "${XB_BUILD:=build}"
case "$XB_BUILD" in
/*) B=$XB_BUILD ;;
*) B=$XB_TOP/$XB_BUILD ;;
esac
SECS=${XB_BENCH_SECS:-5}
MAX_RATE=${XB_BENCH_MAX_CPS:-3200}
SIPP_DIR="$XB_TOP/tests/net/sipp"
XBD="$B/bin/xborderd"
XBCTL="$B/bin/xborderctl"
for need in "$XBD" "$XBCTL"; do
	[ -x "$need" ] || { echo "sipp_cps: $need not built"; exit 0; }
done
command -v sipp >/dev/null || { echo "sipp_cps: sipp not installed (sip-tester)"; exit 0; }

T=$(mktemp -d /tmp/xb-cps.XXXXXX)
BPFFS=$(mktemp -d /tmp/xb-bpffs.XXXXXX)
cleanup() {
	umount "$BPFFS" 2>/dev/null
	rmdir "$BPFFS" 2>/dev/null
	rm -rf "$T"
}
xb_topo_init
XB_CLEANUP_HOOK=cleanup
mount -t bpf bpf "$BPFFS" || { echo "sipp_cps: cannot mount bpffs"; exit 0; }
xb_ns UAC uac && xb_ns SBE sbe && xb_ns UAS uas || { echo "sipp_cps: netns failed"; exit 0; }
xb_link "$UAC" va "$SBE" s_in && xb_link "$SBE" s_out "$UAS" vb ||
	{ echo "sipp_cps: veth failed"; exit 0; }
xb_addr "$UAC" va 10.1.0.2/24
xb_addr "$SBE" s_in 10.1.0.1/24
xb_addr "$SBE" s_out 10.9.0.1/24
xb_addr "$UAS" vb 10.9.0.2/24

conf() {
	cat > "$T/sbe.conf" <<-EOF
	xborderd = { domain = "a.example"; control_socket = "$T/sbe.sock";
		pin_dir = "$BPFFS/$1"; state_dir = "$T/state"; log_level = "warn";
		max_calls = 100000; };
	media = (
		{ name = "inside"; device = "s_in"; address = "10.1.0.1";
		  ports = "20000-39999"; xdp = true; },
		{ name = "border"; device = "s_out"; address = "10.9.0.1";
		  ports = "40000-59999"; xdp = true; } );
	listeners = (
		{ name = "inside"; transport = "udp"; address = "10.1.0.1"; port = 5060;
		  media = "inside"; },
		{ name = "border"; transport = "udp"; address = "10.9.0.1"; port = 5060;
		  media = "border"; } );
	peers = (
		{ name = "far"; domains = [ "b.example" ]; next_hop = "10.9.0.2:5060";
		  listener = "border"; media = "border"; media_mode = "$1"; },
		{ name = "near"; domains = [ "a.example" ]; next_hop = "10.1.0.2:5060";
		  listener = "inside"; media = "inside"; media_mode = "$1";
		  prefixes = [ "10.1.0.0/24" ]; } );
	EOF
}

# cpu_ticks PID: utime + stime of PID, in clock ticks.
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}

# rcvbuf_errors NS: UDP datagrams dropped for a full socket buffer in NS.
rcvbuf_errors() {
	ip netns exec "$1" awk '$1 == "Udp:" && !h { for (i = 2; i <= NF; i++) c[$i] = i; h = 1; next }
		$1 == "Udp:" { print $c["RcvbufErrors"]; exit }' /proc/net/snmp
}

drops() {
	echo "$(rcvbuf_errors "$UAC")/$(rcvbuf_errors "$SBE")/$(rcvbuf_errors "$UAS")"
}

calls() {
	"$XBCTL" -j -s "$T/sbe.sock" call list 2>/dev/null | jq length
}

# run_rate RATE: one run of RATE cps for SECS seconds. Prints "ok CPU%"
# or "fail ...".
run_rate() {
	local rate=$1 total=$(($1 * SECS)) t0 t1 c0 c1 st hz
	hz=$(getconf CLK_TCK)
	c0=$(cpu_ticks "$XBD_PID")
	t0=$(date +%s%N)
	(cd "$T/uac" && timeout -k 2 $((SECS * 3 + 20)) ip netns exec "$UAC" sipp -nostdin \
		-sf "$SIPP_DIR/bench_uac.xml" -i 10.1.0.2 -p 5060 -s bob -key domain b.example \
		-key from_domain a.example -r "$rate" -rp 1000 -m "$total" -l $((rate * 3 + 100)) \
		-d 100 -mp 16000 -timeout $((SECS * 3 + 10))s -timeout_error \
		-trace_stat -stf stat.csv 10.1.0.1:5060 > sipp.out 2>&1)
	st=$?
	t1=$(date +%s%N)
	c1=$(cpu_ticks "$XBD_PID")
	# wait (bounded) for the proxy to drain before the next run
	for _ in $(seq 50); do [ "$(calls)" = 0 ] && break; sleep 0.1; done
	DROPS=$(drops)
	if [ "$st" -ne 0 ]; then
		if [ -n "${XB_BENCH_KEEP:-}" ]; then
			cp "$T/uac/sipp.out" "$XB_BENCH_KEEP.$rate"
			"$XBCTL" -j -s "$T/sbe.sock" stats > "$XB_BENCH_KEEP.$rate.stats"
			"$XBCTL" -j -s "$T/sbe.sock" call list > "$XB_BENCH_KEEP.$rate.calls"
			cp "$T/sbe.log" "$XB_BENCH_KEEP.$rate.log"
		fi
		echo "fail (sipp status $st)"
		return
	fi
	# the offered rate must have been kept: all calls within 1.5x the time
	if [ $(((t1 - t0) / 1000000)) -gt $((SECS * 1500 + 2000)) ]; then
		echo "fail (rate not kept: $(((t1 - t0) / 1000000)) ms for $total calls)"
		return
	fi
	awk -v d="$((c1 - c0))" -v hz="$hz" -v t="$(((t1 - t0) / 1000000))" \
		'BEGIN { printf "ok %.1f\n", 100 * d / hz / (t / 1000) }'
}

bench_mode() {
	local mode=$1 rate=50 good=0 good_cpu=0 bad=0 r cpu
	conf "$mode"
	mkdir -p "$T/uac" "$T/uas"
	xb_bg "$SBE" "$XBD" -f "$T/sbe.conf" > "$T/sbe.log" 2>&1
	XBD_PID=$XB_LAST_PID
	if ! xb_wait 10 "$XBCTL" -s "$T/sbe.sock" stats; then
		echo "sipp_cps: xborderd did not start: $(tail -2 "$T/sbe.log")"
		return
	fi
	# `ip netns exec` execs: these are the pids of xborderd and SIPp
	(cd "$T/uas" && exec ip netns exec "$UAS" sipp -nostdin -sf "$SIPP_DIR/bench_uas.xml" \
		-i 10.9.0.2 -p 5060 -mp 17000 > sipp.out 2>&1) &
	UAS_PID=$!
	XB_PIDS+=("$UAS_PID")
	sleep 0.5
	while [ "$rate" -le "$MAX_RATE" ]; do
		r=$(run_rate "$rate")
		echo "#   $mode $rate cps: $r (socket buffer drops uac/sbe/uas so far: $(drops))"
		if [ "${r%% *}" != ok ]; then
			bad=$rate
			break
		fi
		good=$rate good_cpu=${r#ok }
		rate=$((rate * 2))
	done
	if [ "$bad" -gt 0 ] && [ "$good" -gt 0 ]; then
		rate=$(((good + bad) / 2))
		r=$(run_rate "$rate")
		echo "#   $mode $rate cps: $r"
		[ "${r%% *}" = ok ] && good=$rate good_cpu=${r#ok }
	fi
	kill "$UAS_PID" 2>/dev/null
	kill "$XBD_PID" 2>/dev/null
	timeout 5 tail --pid="$XBD_PID" -f /dev/null 2>/dev/null
	# xborderd leaves XDP attached for a restart; the next mode starts clean
	xb_exec "$SBE" "$XBCTL" -p "$BPFFS/$mode" fastpath detach s_in >/dev/null 2>&1
	xb_exec "$SBE" "$XBCTL" -p "$BPFFS/$mode" fastpath detach s_out >/dev/null 2>&1
	RESULT[$mode]="$good"
	CPU[$mode]=$(awk -v c="$good_cpu" -v r="$good" 'BEGIN { if (r > 0) printf "%.1f", c * 100 / r; else print "-" }')
	CPUABS[$mode]=$good_cpu
}

declare -A RESULT=([relay]=- [direct]=-) CPU=([relay]=- [direct]=-) CPUABS=([relay]=- [direct]=-)
echo "# sipp_cps: $SECS s per rate, 100 ms calls, UDP, one xborderd on a 2-core machine shared with SIPp"
bench_mode relay
bench_mode direct
printf "sipp_cps: %-28s %10s %14s %18s\n" "configuration" "max cps" "CPU at max" "CPU per 100 cps"
printf "sipp_cps: %-28s %10s %13s%% %17s%%\n" "xborderd, media anchored" "${RESULT[relay]}" \
	"${CPUABS[relay]}" "${CPU[relay]}"
printf "sipp_cps: %-28s %10s %13s%% %17s%%\n" "xborderd, media direct" "${RESULT[direct]}" \
	"${CPUABS[direct]}" "${CPU[direct]}"
exit 0
