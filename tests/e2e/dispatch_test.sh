#!/bin/bash
# End-to-end tests of the dispatcher through enpuctl, in the VM:
#   tools/vm/run -- tests/e2e/dispatch_test.sh
# KTAP output, then "# Totals: ...". Needs root, enpu.ko with one sim device
# (tools/vm/run does both), `make` (build/enpuctl/enpuctl) and python3.
top=$(cd "$(dirname "$0")/../.." && pwd)
ctl=$top/build/enpuctl/enpuctl
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. "$top/tests/e2e/ktap.sh"
ktap_plan 6

[ -x "$ctl" ] || { echo "Bail out! $ctl not built (make -C tools/enpuctl)"; exit 1; }
[ -e /dev/accel/accel0 ] || { echo "Bail out! no /dev/accel/accel0 (run under tools/vm/run)"; exit 1; }

graph="graph tiny size=32 devices=cpu0,npu0 overlap repeat=3 calib=2"

# 1. --explain: a row per op on cpu0 or npu0, the forced op on npu0, the makespan
"$ctl" run --explain --trace "$tmp/t.json" $graph place=g2:npu0 >"$tmp/explain" 2>&1 &&
	grep -Eq '^  makespan +predicted [0-9.]+ ms +measured min [0-9.]+ ms' "$tmp/explain" &&
	[ "$(grep -Ec '^[0-9]+ +[a-z0-9_]+ +[a-z0-9]+ +(int8|fp16) +(cpu0|npu0) ' "$tmp/explain")" = 8 ] &&
	grep -Eq '^[0-9]+ +g2 +gemm +int8 +npu0 .*\(forced\)$' "$tmp/explain" &&
	grep -Eq '^  npu0 +[1-8] ' "$tmp/explain" &&
	grep -q '^cost model: ' "$tmp/explain"
result $? "run --explain graph: placement, predicted vs measured per op, forced op on npu0" "$tmp/explain"

# 2. --trace: Chrome JSON, one row per device, 8 measured and 8 predicted ops
python3 - "$tmp/t.json" >"$tmp/trace" 2>&1 <<'PY'
import json, sys
ev = json.load(open(sys.argv[1]))["traceEvents"]
rows = {(e["pid"], e["tid"]): e["args"]["name"] for e in ev if e.get("name") == "thread_name"}
assert sorted(set(rows.values())) == ["cpu0", "npu0"], rows
for pid in (1000, 1001):
    ops = [e for e in ev if e["ph"] == "X" and e["pid"] == pid]
    assert len(ops) == 8, (pid, len(ops))
    assert all(e["dur"] >= 0 and (pid, e["tid"]) in rows for e in ops)
    assert [rows[(pid, e["tid"])] for e in ops if e["name"] == "g2"] == ["npu0"]
PY
result $? "run --trace: valid JSON, rows cpu0 and npu0, every op once per timeline" "$tmp/trace"

# 3. the cost cache: reused, and a corrupt one is replaced
{
	"$ctl" run $graph cache="$tmp/costs" && head -n1 "$tmp/costs" | grep -q '^enpu-dispatch-costs 1$' &&
	"$ctl" run $graph cache="$tmp/costs" 2>&1 | grep -q 'with the cache' &&
	sed -i 's/^cost 0 0x1/cost 0 0x2/' "$tmp/costs" &&
	"$ctl" run $graph cache="$tmp/costs" 2>&1 | grep -q 'corrupt: checksum mismatch; calibrating again' &&
	"$ctl" run $graph cache="$tmp/costs" >"$tmp/again" 2>&1 && ! grep -q 'calibrating again' "$tmp/again"
} >"$tmp/cache" 2>&1
result $? "run graph cache=: written, reused, a corrupt cache is reported and replaced" "$tmp/cache"

# 4. two tenants at once, low and high priority: both finish, the driver sees
#    each process's graph jobs at its priority (calibration runs at normal, 1);
#    high without CAP_SYS_NICE is refused
tfs=/sys/kernel/tracing
[ -d $tfs/instances ] || tfs=/sys/kernel/debug/tracing
inst=$tfs/instances/dispatch-test-$$
if command -v setpriv >/dev/null && mkdir "$inst" 2>/dev/null; then
	{
		echo 1 >"$inst/events/enpu/enpu_job_queued/enable" &&
		{ "$ctl" run $graph place=g1:npu0,g2:npu0 priority=low >"$tmp/low" 2>&1 & } &&
		low=$! && "$ctl" run $graph place=g1:npu0,g2:npu0 priority=high && wait $low &&
		echo 0 >"$inst/events/enpu/enpu_job_queued/enable" &&
		awk -v low="$low" '/enpu_job_queued/ {
				for (i = 1; i <= NF; i++) {
					if ($i ~ /^pid=/) pid = substr($i, 5)
					if ($i ~ /^priority=/) prio = substr($i, 10)
				}
				seen[pid == low ? "low" : "high", prio]++
			}
			END { exit !(seen["low", 0] > 0 && seen["high", 2] > 0 &&
				     !seen["low", 2] && !seen["high", 0]) }' \
			"$inst/trace" &&
		! setpriv --bounding-set=-sys_nice "$ctl" run $graph place=g1:npu0 priority=high \
			2>"$tmp/nice" &&
		grep -q 'high priority needs CAP_SYS_NICE' "$tmp/nice"
	} >"$tmp/prio" 2>&1
	st=$?
	grep enpu_job_queued "$inst/trace" | head -n 5 >>"$tmp/prio"
	rmdir "$inst"
	result $st "two tenants, low and high priority, at once: driver jobs at priority 0 and 2; high without CAP_SYS_NICE fails" "$tmp/prio"
else
	skip "two tenants with priorities" "no setpriv or no tracefs instance"
fi

# 5. a bad forced placement explains itself
"$ctl" run $graph place=g1:npu9 >"$tmp/bad" 2>&1
[ $? = 1 ] && grep -q "op g1 is forced onto npu9, which is not one of the dispatcher's devices" "$tmp/bad"
result $? "run graph place=g1:npu9 fails naming the op and the device" "$tmp/bad"

# 6. trace -g: the NPU's job events and the dispatcher's rows on one clock; every
#    op placed on npu0 contains the NPU job that ran it
"$ctl" trace -o "$tmp/g.json" -g "$graph place=g1:npu0,g4:npu0" >"$tmp/tg" 2>&1 &&
python3 - "$tmp/g.json" >>"$tmp/tg" 2>&1 <<'PY'
import json, sys
ev = json.load(open(sys.argv[1]))["traceEvents"]
rows = {(e["pid"], e["tid"]): e["args"]["name"] for e in ev if e.get("name") == "thread_name"}
jobs = [e for e in ev if e["ph"] == "X" and e["pid"] < 1000]
ops = [e for e in ev if e["ph"] == "X" and e["pid"] == 1000]
npu_ops = [e for e in ops if rows[(1000, e["tid"])] == "npu0"]
# g1 and g4 are forced onto npu0; HEFT may place more there
assert len(ops) == 8 * 3 and len(npu_ops) >= 2 * 3, (len(ops), len(npu_ops))
assert len(jobs) == len(npu_ops), (len(jobs), len(npu_ops))
# every op ends after it starts (a queue's fences are stamped in order)
assert all(o["dur"] >= 0 for o in ops), [o for o in ops if o["dur"] < 0]
# npu0 runs its ops, and the driver its jobs, in order: the i-th op (by start)
# ran the i-th job, which must lie inside it (back-to-back ops may leave less
# than the slack between one op's end and the next one's job)
slack = 200  # us
for o, j in zip(sorted(npu_ops, key=lambda e: e["ts"]), sorted(jobs, key=lambda e: e["ts"])):
    assert j["ts"] >= o["ts"] - slack and j["ts"] + j["dur"] <= o["ts"] + o["dur"] + slack, (o, j)
print("ok:", len(jobs), "NPU jobs,", len(npu_ops), "npu0 ops each containing its job")
PY
result $? "trace -g graph: NPU jobs and per-device dispatcher rows on one clock" "$tmp/tg"

ktap_totals
