#!/bin/bash
# End-to-end tests of enpuctl against the enpu driver, in the VM:
#   tools/vm/run -- tests/e2e/enpuctl_test.sh
# KTAP output, one line per test, then "# Totals: ...". Needs root, enpu.ko
# loaded with one sim device (tools/vm/run does both), and `make` (enpuctl,
# enpu-load, enpu-bpf). Uses python3 to check JSON and tmux to drive `top`.
top=$(cd "$(dirname "$0")/../.." && pwd)
ctl=$top/build/enpuctl/enpuctl
load=$top/build/enpuctl/enpu-load
bpf=$top/build/bpf/enpu-bpf
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; "$bpf" unload >/dev/null 2>&1; tmux kill-server >/dev/null 2>&1' EXIT
export TERM=xterm-256color

. "$top/tests/e2e/ktap.sh"
ktap_plan 18

for f in "$ctl" "$load"; do
	[ -x "$f" ] || { echo "Bail out! $f not built (make -C tools/enpuctl)"; exit 1; }
done
[ -e /dev/accel/accel0 ] || { echo "Bail out! no /dev/accel/accel0 (run under tools/vm/run)"; exit 1; }

# 1. list: the NPU node with its driver, and the HAL's CPU device
"$ctl" list >"$tmp/list" 2>&1
grep -Eq '^  [0-9]+ +npu0 +npu ' "$tmp/list" && grep -Eq '^  [0-9]+ +cpu0 +cpu ' "$tmp/list" &&
	grep -Eq '^  /dev/accel/accel0 +enpu +enpu-sim\.0 +npu0$' "$tmp/list"
result $? "list shows the NPU (HAL npu0 on accel0, driver enpu) and the CPU (cpu0)" "$tmp/list"

# 2. info: 5 clock levels, peaks = cores x MACs/cycle x 2 x clock
"$ctl" info accel0 >"$tmp/info" 2>&1
awk '
	/^cores:/ { cores = $2 }
	/^compute:/ { i8 = $2; f16 = $4 }
	/^  [0-9]+ +[0-9]+ +[0-9.]+ +[0-9.]+ +[0-9.]+/ {
		levels++
		if ($3 != sprintf("%.1f", cores * i8 * 2 * $2 / 1e3)) bad++
		if ($4 != sprintf("%.1f", cores * f16 * 2 * $2 / 1e3)) bad++
		mhz = mhz " " $2
	}
	END { exit !(levels == 5 && !bad && cores > 0 && i8 > 0 && mhz == " 200 400 600 800 1000") }
' "$tmp/info"
result $? "info shows 5 clock levels with peak = cores x MACs x 2 x clock" "$tmp/info"

# 3. power --clock pins through devfreq, auto restores the range
df=$(ls -d /sys/class/accel/accel0/device/devfreq/* | head -n1)
{
	"$ctl" power accel0 --clock 400 &&
	[ "$(cat "$df/min_freq")" = 400000000 ] && [ "$(cat "$df/max_freq")" = 400000000 ] &&
	[ "$(cat "$df/cur_freq")" = 400000000 ] &&
	"$ctl" power accel0 | grep -q 'clock: *400 MHz.*pinned' &&
	"$ctl" power accel0 --clock auto &&
	[ "$(cat "$df/min_freq")" = 200000000 ] && [ "$(cat "$df/max_freq")" = 1000000000 ]
} >"$tmp/power" 2>&1
result $? "power --clock 400 pins the clock, --clock auto restores 200..1000 MHz" "$tmp/power"

# 4. errors say what to do
{
	"$ctl" power accel0 --clock 333; [ $? = 64 ] &&
	"$ctl" power accel0 --clock 333 2>&1 | grep -q 'levels: 200 400 600 800 1000 MHz, or auto' &&
	"$bpf" unload && ! "$ctl" stats --source bpf -d 0.1 &&
	"$ctl" stats --source bpf -d 0.1 2>&1 |
		grep -q '^enpuctl stats: the BPF counters are not loaded.*build/bpf/enpu-bpf load' &&
	! "$ctl" info accel9 && "$ctl" info accel9 2>&1 | grep -q 'enpuctl list' &&
	# every argument checked before any is applied; no negative levels
	{ "$ctl" power accel0 --clock 400 --autosuspend abc; [ $? = 64 ]; } &&
	[ "$(cat "$df/min_freq")" = 200000000 ] &&
	{ "$ctl" power accel0 --clock -18446744073709551216; [ $? = 64 ]; } &&
	{ "$load" -a abc -n 3; [ $? = 64 ]; } && { "$load" -n 3 -t 0.2; [ $? = 64 ]; } &&
	{ "$load" -s 1x -n 2; [ $? = 64 ]; } &&
	# numbers are digits only: no sign, blank or overflow
	{ "$ctl" run "gemm 8x8x8 device=cpu repeat=+5"; [ $? = 64 ]; } &&
	{ "$ctl" run "gemm 8x8x8 device=cpu threads=-0"; [ $? = 64 ]; } &&
	{ "$ctl" run graph tiny repeat=18446744073709551617; [ $? = 64 ]; } &&
	{ "$ctl" top -n +3; [ $? = 64 ]; } && { "$ctl" trace -b " 4"; [ $? = 64 ]; } &&
	{ "$ctl" power accel0 --cores -1; [ $? = 64 ]; } &&
	{ "$ctl" run "gemm 8x+8x8 device=cpu"; [ $? = 64 ]; } &&
	{ "$ctl" power accel0 --clock 400 --cores 0; [ $? = 64 ]; } &&
	{ "$ctl" power accel0 --clock 400 --autosuspend +5; [ $? = 64 ]; } &&
	[ "$(cat "$df/min_freq")" = 200000000 ]
} >"$tmp/errors" 2>&1
result $? "errors: bad clock level, BPF not loaded, no such device, bad numbers (nothing applied)" \
	"$tmp/errors"

# 5. run and bench through the HAL, on the NPU and the CPU
{
	"$ctl" run gemm 64x64x64 i8 device=npu repeat=3 && "$ctl" run conv 8x8x8x8 device=cpu repeat=2 &&
	"$ctl" bench -d npu -s 0.05 &&
	printf '\tgraph\ttiny size=8 repeat=1\n  gemm 8x8x8 device=cpu repeat=2 # %s\n' \
		"$(printf 'x%.0s' $(seq 600))" >"$tmp/spec" &&
	"$ctl" run -f "$tmp/spec"
} >"$tmp/run" 2>&1
[ $? = 0 ] && grep -q '^gemm 64x64x64 i8 on npu0: 3 runs' "$tmp/run" &&
	grep -q '^conv 8x8x8x8 k=3 stride=1 pad=1 i8 on cpu0: 2 runs' "$tmp/run" &&
	grep -Eq '^npu0 +gemm 256x256x256 i8 +[0-9]+ +[0-9.]+ +[0-9.]+$' "$tmp/run"
result $? "run and bench through the HAL on npu0 and cpu0; run -f with tabs, indents, a long line" \
	"$tmp/run"

# check_stats FILE SOURCE PID: JSON parses, the source, utilization in (0, 1],
# per-core utilization in [0, 1], and (with bytes) the workload's traffic.
check_stats() {
	python3 -m json.tool "$1" >/dev/null && python3 - "$1" "$2" "$3" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
src, pid = sys.argv[2], int(sys.argv[3])
assert s["source"] == src, s["source"]
assert 0 < s["utilization"] <= 1, s["utilization"]
assert all(0 <= c["utilization"] <= 1 for c in s["cores"]), s["cores"]
if s["has"]["cores"]:
    assert len(s["cores"]) == s["core_count"] == 2, s["cores"]
    assert sum(c["utilization"] for c in s["cores"]) > 0
if s["has"]["bytes"]:
    assert s["read_bytes_per_s"] > 0 and s["write_bytes_per_s"] > 0
    assert s["total"]["bytes_read"] > 0
procs = [p for p in s["processes"] if p["pid"] == pid]
assert procs, "no entry for pid %d: %s" % (pid, s["processes"])
assert procs[0]["comm"] == "enpu-load", procs[0]
assert procs[0]["utilization"] > 0, procs[0]
if s["has"]["process_bytes"]:
    assert procs[0]["read_bytes_per_s"] > 0, procs[0]
print("# %s: utilization %.4f, cores %s" % (src, s["utilization"],
      [round(c["utilization"], 4) for c in s["cores"]]))
PY
}

# stats_case SOURCE NAME: enpuctl stats --json while enpu-load runs.
stats_case() {
	local src=$1 name=$2 pid
	"$load" -t 4 -s 1048576 >"$tmp/load-$src" 2>&1 &
	pid=$!
	sleep 1
	"$ctl" stats accel0 --json -d 1.5 >"$tmp/stats-$src.json" 2>"$tmp/stats-$src.err"
	local rc=$?
	wait "$pid" || rc=1
	[ "$rc" = 0 ] && check_stats "$tmp/stats-$src.json" "$src" "$pid" >"$tmp/check-$src" 2>&1
	rc=$?
	cat "$tmp/check-$src" "$tmp/stats-$src.json" "$tmp/stats-$src.err" "$tmp/load-$src" \
		>"$tmp/log-$src" 2>/dev/null
	[ "$rc" = 0 ] && grep '^#' "$tmp/check-$src"
	result "$rc" "$name" "$tmp/log-$src"
}

# 6-8. stats --json from each source
if "$bpf" load >"$tmp/bpfload" 2>&1; then
	stats_case bpf "stats --json with BPF loaded: source bpf, 0 < utilization <= 1"
else
	skip "stats --json with BPF loaded" "enpu-bpf load failed: $(head -c 200 "$tmp/bpfload")"
fi
"$bpf" unload >/dev/null 2>&1
stats_case debugfs "stats --json without BPF: source debugfs, 0 < utilization <= 1"
"$load" -t 3 >"$tmp/load-fd" 2>&1 &
pid=$!
sleep 0.5
"$ctl" stats --source fdinfo --json -d 1 >"$tmp/stats-fd.json" 2>&1
rc=$?
wait "$pid"
[ "$rc" = 0 ] && check_stats "$tmp/stats-fd.json" fdinfo "$pid" >>"$tmp/stats-fd.json" 2>&1
result $? "stats --json --source fdinfo: totals of the visible clients" "$tmp/stats-fd.json"

# 9. trace: one complete event per job of a known workload
"$ctl" trace -d 6 -o "$tmp/trace.json" >"$tmp/trace.log" 2>&1 &
tpid=$!
sleep 1.5
"$load" -n 20 -s 65536 -w 2 >"$tmp/load-trace" 2>&1
lpid=$(sed -n 's/^enpu-load: pid \([0-9]*\),.*/\1/p' "$tmp/load-trace")
wait "$tpid"
rc=$?
[ "$rc" = 0 ] && python3 - "$tmp/trace.json" "$lpid" >>"$tmp/trace.log" 2>&1 <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
pid = int(sys.argv[2])
ev = t["traceEvents"]
jobs = [e for e in ev if e["ph"] == "X" and e["args"]["pid"] == pid]
assert len(jobs) == 20, "%d complete events for pid %d" % (len(jobs), pid)
assert sorted(e["args"]["job"] for e in jobs) == list(range(1, 21))
for e in jobs:
    a = e["args"]
    assert e["dur"] >= 0 and e["tid"] in (0, 1) and e["pid"] == 0, e
    assert a["bytes_read"] == 65536 and a["bytes_written"] == 65536 and a["status"] == 0, e
    assert a["cycles"] == (2 * 65536 + 31) // 32 + 16, e
names = {e["args"]["name"] for e in ev if e["ph"] == "M"}
assert "accel0" in names and "core 0" in names, names
assert any(e["ph"] == "i" and e["cat"] in ("power", "clock") for e in ev), "no power/clock event"
PY
result $? "trace: valid JSON, one complete event per job (20) with ctx/pid/job/cycles/bytes/status" \
	"$tmp/trace.log"

# 10. top under tmux: per-core rows with non-zero utilization, the process table; q quits
if command -v tmux >/dev/null; then
	"$load" -t 8 >"$tmp/load-top" 2>&1 &
	pid=$!
	tmux new-session -d -s top -x 120 -y 40 "$ctl top -d 0.5"
	sleep 2
	# a live screen: look at it up to 4 times, 0.5 s apart
	rc=1
	for _ in 1 2 3 4; do
		tmux capture-pane -p -t top >"$tmp/top.screen" 2>&1
		awk -v pid="$pid" '
			/^[01] +[0-9.]+% \[/ { cores++; if ($2 + 0 > 0) busy++ }
			/^PID +COMM +UTIL/ { table = 1 }
			table && $1 == pid && $2 == "enpu-load" { proc = 1 }
			END { exit !(cores == 2 && busy >= 1 && proc) }
		' "$tmp/top.screen" && { rc=0; break; }
		sleep 0.5
	done
	tmux send-keys -t top q
	for _ in $(seq 30); do tmux has-session -t top 2>/dev/null || break; sleep 0.1; done
	quit=$(tmux has-session -t top 2>/dev/null && echo no || echo yes)
	wait "$pid"
	[ "$quit" = yes ] || rc=1
	{ echo "q quit the session: $quit"; cat "$tmp/top.screen" "$tmp/load-top"; } >"$tmp/top.log"
	result $rc "top: per-core rows, non-zero utilization, process table; q quits" "$tmp/top.log"
	tmux kill-server >/dev/null 2>&1
else
	skip "top under tmux" "tmux not installed"
fi

# 11. top -n without a terminal: plain frames, then exits
"$ctl" top -n 2 -d 0.2 >"$tmp/top-n" 2>&1
[ $? = 0 ] && [ "$(grep -c '^enpuctl top - accel0' "$tmp/top-n")" = 2 ] && ! grep -q $'\033' "$tmp/top-n"
result $? "top -n 2 without a terminal prints 2 plain frames" "$tmp/top-n"

# 12. power --cores and --autosuspend through sysfs; a bad mask says what is allowed
dev=/sys/class/accel/accel0/device
{
	"$ctl" power accel0 --cores 0x1 | grep -q 'cores enabled: 0x1 (1 of 2)' &&
	[ "$(cat $dev/cores_enabled)" = 0x1 ] &&
	{ "$ctl" power accel0 --cores 0x4; [ $? = 1 ]; } &&
	"$ctl" power accel0 --cores 0x4 2>&1 | grep -q 'name only existing cores' &&
	"$ctl" power accel0 --cores 0x3 >/dev/null && [ "$(cat $dev/cores_enabled)" = 0x3 ] &&
	"$ctl" power accel0 --autosuspend 250 | grep -q 'autosuspend: *250 ms' &&
	[ "$(cat $dev/power/autosuspend_delay_ms)" = 250 ] &&
	"$ctl" power accel0 --autosuspend 100 >/dev/null
} >"$tmp/cores" 2>&1
result $? "power --cores sets cores_enabled (bad mask explained), --autosuspend the delay" \
	"$tmp/cores"

# 13. an unprivileged user: counters fall back to fdinfo; setting and tracing say "root"
if command -v setpriv >/dev/null; then
	as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	"$load" -t 3 >"$tmp/load-nobody" 2>&1 &
	pid=$!
	sleep 0.5
	{
		as_nobody "$ctl" stats --json -d 1 >"$tmp/nobody.json" &&
		python3 -c 'import json, sys; s = json.load(open(sys.argv[1])); assert s["source"] == "fdinfo" and "enpu-bpf load" in s["note"], s' "$tmp/nobody.json" &&
		! as_nobody "$ctl" stats --source debugfs -d 0.1 &&
		as_nobody "$ctl" stats --source debugfs -d 0.1 2>&1 | grep -q 'debugfs needs root' &&
		! as_nobody "$ctl" power accel0 --clock 400 &&
		as_nobody "$ctl" power accel0 --clock 400 2>&1 | grep -q 'needs root: sudo enpuctl power' &&
		! as_nobody "$ctl" trace -d 0.1 -o /tmp/nobody-trace.json &&
		as_nobody "$ctl" trace -d 0.1 -o /tmp/nobody-trace.json 2>&1 | grep -q 'needs root' &&
		{ as_nobody "$ctl" trace -g 'graph tiny size=3'; [ $? = 64 ]; }
	} >"$tmp/nobody" 2>&1
	rc=$?
	wait "$pid"
	cat "$tmp/nobody.json" >>"$tmp/nobody" 2>/dev/null
	result $rc "unprivileged: stats falls back to fdinfo; power and trace say they need root (a bad -g first)" \
		"$tmp/nobody"
else
	skip "unprivileged user" "no setpriv"
fi

# 14. enpu-bpf: a member of the group given to load --group sees "loaded", anyone
# else "cannot tell"; a group that does not exist is named (no stale errno)
if command -v setpriv >/dev/null && gid=$(getent group nogroup | cut -d: -f3) && [ -n "$gid" ]; then
	{
		"$bpf" load --group nogroup &&
		setpriv --reuid=65534 --regid="$gid" --groups="$gid" "$bpf" status | grep -q '^enpu-bpf: loaded' &&
		{ setpriv --reuid=65534 --regid=65533 --clear-groups "$bpf" status; [ $? = 1 ]; } &&
		"$bpf" unload && { "$bpf" load --group nosuchgroup; [ $? = 1 ]; } &&
		"$bpf" load --group nosuchgroup 2>&1 | grep -q 'no group nosuchgroup' &&
		! "$bpf" load --group nosuchgroup 2>&1 | grep -q 'Success' &&
		# /sys/fs/bpf as systemd mounts it: the group could not get through
		mode=$(stat -c %a /sys/fs/bpf) && chmod 700 /sys/fs/bpf &&
		{ "$bpf" load --group nogroup 2>"$tmp/bpf-700"; rc=$?; chmod "$mode" /sys/fs/bpf
		  cat "$tmp/bpf-700"; [ $rc = 1 ]; } &&
		grep -q 'chmod o+x /sys/fs/bpf' "$tmp/bpf-700" && { "$bpf" status; [ $? = 3 ]; } &&
		# concurrent loads: one loads, the others find it loaded
		for i in 1 2 3 4; do "$bpf" load >"$tmp/bpf-par$i" 2>&1 & done && wait &&
		cat "$tmp"/bpf-par* && [ "$(cat "$tmp"/bpf-par* | grep -c '^enpu-bpf: loaded (')" = 1 ] &&
		[ "$(cat "$tmp"/bpf-par* | grep -c '^enpu-bpf: already loaded')" = 3 ] && "$bpf" status &&
		"$bpf" unload && "$bpf" load
	} >"$tmp/bpf-group" 2>&1
	result $? "enpu-bpf: status for the granted group and others; an unknown group named; a bpffs the group cannot enter refused; concurrent loads" \
		"$tmp/bpf-group"
else
	skip "enpu-bpf groups" "no setpriv or no group nogroup"
fi

# 15. trace ends on SIGHUP / SIGTERM, also during -g's calibration, and removes
# its tracefs instance each time
inst=/sys/kernel/tracing/instances
{
	"$ctl" trace -d 30 -o "$tmp/hup.json" & pid=$!
	i=0; while ! ls -d $inst/enpuctl-$pid-* >/dev/null 2>&1 && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1)); done
	ls -d $inst/enpuctl-$pid-* && kill -HUP $pid && wait $pid &&
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/hup.json" &&
	! ls -d $inst/enpuctl-$pid-* 2>/dev/null &&
	# NPU jobs 50x slower (calibration takes seconds on any host), reset after
	inject=$(ls /sys/kernel/debug/accel/*/inject | head -n1) && echo "slow 50" >"$inject" &&
	{ "$ctl" trace -o "$tmp/term.json" -g 'graph tiny size=64 calib=5' & pid=$!
	  i=0; while ! ls -d $inst/enpuctl-$pid-* >/dev/null 2>&1 && [ $i -lt 1000 ]; do
		sleep 0.01; i=$((i + 1)); done
	  kill -TERM $pid; wait $pid; rc=$?; echo none >"$inject"; [ $rc = 1 ]; } &&
	# the output file is opened after the calibration: the signal came during it
	[ ! -e "$tmp/term.json" ] && ! ls -d $inst/enpuctl-$pid-* 2>/dev/null && ls $inst &&
	# ignored at start (nohup): SIGHUP does not end the 2 s recording early
	{ t0=$(date +%s%N); nohup "$ctl" trace -d 2 -o "$tmp/nohup.json" >"$tmp/nohup.out" 2>&1 &
	  pid=$!; sleep 0.5; kill -HUP $pid; wait $pid; } &&
	ms=$((($(date +%s%N) - t0) / 1000000)) && echo "nohup run: $ms ms" && [ $ms -ge 1900 ] &&
	grep -q '^enpuctl trace: .* jobs' "$tmp/nohup.out"
} >"$tmp/trace-sig" 2>&1
result $? "trace: SIGHUP ends a recording with valid JSON, SIGTERM a -g calibration, no instance left; nohup respected" \
	"$tmp/trace-sig"

# 16. trace -b: the instance's ring buffer takes the size (a leading zero is
# decimal; tracefs rounds 4 KB up to two pages of 4080 bytes of data, 7 KB,
# against 1408 by default); one too small for what comes while the recorder
# is stopped overflows; the summary says how many events were lost, the JSON
# stays valid
{
	"$ctl" trace -d 4 -b 04 -o "$tmp/lost.json" >"$tmp/lost.out" 2>"$tmp/lost.err" & tpid=$!
	sleep 1; kill -STOP $tpid; kb=$(cat $inst/enpuctl-$tpid-*/buffer_size_kb)
	"$load" -n 200 -s 4096 -w 8 >/dev/null; lrc=$?
	kill -CONT $tpid; wait $tpid && [ $lrc = 0 ] &&
	echo "buffer_size_kb: $kb" && [ "$kb" -ge 4 ] && [ "$kb" -lt 16 ] &&
	cat "$tmp/lost.out" "$tmp/lost.err" &&
	grep -Eq 'the ring buffer overflowed and [1-9][0-9]* events were lost' "$tmp/lost.err" &&
	python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$tmp/lost.json" &&
	{ "$ctl" trace -b 0; [ $? = 64 ]; }
} >"$tmp/trace-lost" 2>&1
result $? "trace -b 04: 7 KB per CPU (4 rounded up); lost events counted and reported, the JSON valid; -b 0 refused" \
	"$tmp/trace-lost"

# 17. enpu-bpf against an older enpu.ko, whose enpu_job_queued has no start_ns
# (that event's format without the field, on a tracefs of a mount namespace of
# its own): says so and pins nothing; the real one loads
fmt=/sys/kernel/tracing/events/enpu/enpu_job_queued/format
{
	"$bpf" unload >/dev/null 2>&1
	grep -q ' start_ns;' "$fmt" &&
	{ unshare -m sh -c 'fake=$(mktemp -d) && mkdir -p "$fake/events/enpu/enpu_job_queued" &&
		grep -v " start_ns;" "$1" >"$fake/events/enpu/enpu_job_queued/format" &&
		mount --bind "$fake" /sys/kernel/tracing && exec "$2" load' sh "$fmt" "$bpf"
	  [ $? = 1 ]; } 2>"$tmp/skew.err" &&
	cat "$tmp/skew.err" && grep -q 'enpu.ko is older than these BPF programs' "$tmp/skew.err" &&
	[ ! -e /sys/fs/bpf/enpu ] && "$bpf" load && "$bpf" unload
} >"$tmp/bpf-skew" 2>&1
result $? "enpu-bpf load against an enpu.ko without start_ns: refused, saying so, nothing pinned" \
	"$tmp/bpf-skew"

# 18. two NPUs, listed as loaded and again after the first is rebound: one of
# the two directory orders has accel1 before accel0 (devtmpfs lists newest
# first, other filesystems oldest first), yet the HAL's npu0 is accel0 and
# npu1 accel1 both times. Reloads enpu.ko, so it comes last and restores the
# module's parameters.
ko=$top/driver/enpu.ko
saved=$(for p in sim_devices cores job_timeout_ms autosuspend_ms; do
	printf '%s=%s ' "$p" "$(cat /sys/module/enpu/parameters/$p)"; done)
"$bpf" unload >/dev/null 2>&1
by_minor() {
	ls -f /dev/accel && "$ctl" list >"$tmp/list2" && cat "$tmp/list2" &&
	grep -Eq '^  [0-9]+ +npu0 +npu .*/dev/accel/accel0[ ,]' "$tmp/list2" &&
	grep -Eq '^  [0-9]+ +npu1 +npu .*/dev/accel/accel1[ ,]' "$tmp/list2" &&
	grep -Eq '^  /dev/accel/accel0 +enpu +enpu-sim\.0 +npu0$' "$tmp/list2" &&
	grep -Eq '^  /dev/accel/accel1 +enpu +enpu-sim\.1 +npu1$' "$tmp/list2"
}
{
	rmmod enpu && insmod "$ko" sim_devices=2 && by_minor &&
	echo enpu-sim.0 >/sys/bus/platform/drivers/enpu/unbind &&
	echo enpu-sim.0 >/sys/bus/platform/drivers/enpu/bind && by_minor
} >"$tmp/rebind" 2>&1
rc=$?
{ rmmod enpu && insmod "$ko" $saved; } >>"$tmp/rebind" 2>&1 || rc=1
result $rc "two NPUs, as loaded and with accel0 rebound: npu0 is accel0, npu1 accel1 (by minor)" \
	"$tmp/rebind"

ktap_totals
