#!/bin/bash
# Tests of tools/vm/run itself (KTAP): a clean command passes with its exit status,
# and a panicking guest, a hanging guest, or a WARNING in the kernel log each fail
# the run within its time limit; a report through the second serial port stands
# for the results share's files. Also checks that the test harness reports a failing
# assertion as "not ok" (a harness that cannot fail proves nothing).
top=$(cd "$(dirname "$0")/../.." && pwd)
run=$top/tools/vm/run
n=0 fail=0
log=$(mktemp); trap 'rm -f "$log" "$log.console"' EXIT

check() { # name, expected exit, seconds limit, run args...
	local name=$1 want=$2 limit=$3 start rc secs
	shift 3
	n=$((n + 1))
	start=$(date +%s)
	"$run" "$@" >"$log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	if [ "$rc" = "$want" ] && [ "$secs" -le "$limit" ]; then
		echo "ok $n $name # exit $rc in ${secs}s"
	else
		echo "not ok $n $name # exit $rc (want $want) in ${secs}s (limit ${limit}s)"
		sed 's/^/# /' "$log" | tail -n 20
		fail=$((fail + 1))
	fi
}

echo "TAP version 13"
echo "1..12"
check "clean command passes, module loaded" 0 30 -t 30 -- test -e /dev/accel/accel0
check "exit status is passed through" 3 30 -t 30 -n -- sh -c 'exit 3'
ENPU_VM_CONSOLE=$log.console check "panicking guest fails" 2 30 -t 30 -n -- \
	sh -c 'echo c >/proc/sysrq-trigger'
n=$((n + 1))
if grep -q 'sysrq' "$log.console" 2>/dev/null; then
	echo "ok $n a dead guest's whole console is kept in ENPU_VM_CONSOLE"
else
	echo "not ok $n a dead guest's whole console is kept in ENPU_VM_CONSOLE"
	fail=$((fail + 1))
fi
check "hanging guest fails at its timeout" 2 35 -t 20 -n -- sleep 600
check "WARNING in dmesg fails the run" 1 30 -t 30 -n -- \
	sh -c 'echo "<4>WARNING: CPU: 0 PID: 1 at enpu runner self-test" >/dev/kmsg'
check "Oops in dmesg fails the run" 1 30 -t 30 -n -- \
	sh -c 'echo "<1>Oops: 0000 [#1] enpu runner self-test" >/dev/kmsg'

# A command may report through /dev/ttyS1 and power off (tests/sleep/run.sh).
serial_cmd() { # the kernel log line to report
	printf 'exec >/dev/ttyS1; echo from-ttyS1; echo "enpu-vm: exit 5"; echo "%s"; echo o >/proc/sysrq-trigger; sleep 20' "$1"
}
check "a report through ttyS1 gives the exit status" 5 30 -t 30 -n -- sh -c "$(serial_cmd 'kernel log line')"
n=$((n + 1))
if grep -qx 'from-ttyS1' "$log" && ! grep -q 'kernel log line' "$log"; then
	echo "ok $n a report through ttyS1 gives the output, not the kernel log"
else
	echo "not ok $n a report through ttyS1 gives the output, not the kernel log"
	sed 's/^/# /' "$log" | tail -n 10
	fail=$((fail + 1))
fi
check "WARNING in a ttyS1 report's kernel log fails the run" 1 30 -t 30 -n -- \
	sh -c "$(serial_cmd 'WARNING: CPU: 0 PID: 1 at enpu runner self-test')"

# A boot that dies before the command starts is retried twice, then fails.
n=$((n + 1))
ENPU_VM_APPEND=rdinit=/nonexistent "$run" -t 30 -n -- true >"$log" 2>&1
rc=$?
tries=$(grep -c 'died while booting' "$log")
if [ "$rc" = 2 ] && [ "$tries" = 2 ]; then
	echo "ok $n a guest dying at boot is retried twice, then fails"
else
	echo "not ok $n a guest dying at boot is retried twice, then fails # exit $rc, $tries retries"
	sed 's/^/# /' "$log" | tail -n 10
	fail=$((fail + 1))
fi

n=$((n + 1))
cat >"$log.c" <<'C'
#include "harness.h"
TEST(fails) { ASSERT_EQ(1, 2); }
TEST(passes) { ASSERT_EQ(2, 2); }
TEST_HARNESS_MAIN
C
if cc -I"$top/tests/kselftest" -o "$log.bin" "$log.c" && out=$("$log.bin") ; then
	echo "not ok $n harness reports a failed assertion # exited 0"; fail=$((fail + 1))
elif echo "$out" | grep -q '^not ok 1 global.fails' && echo "$out" | grep -q '^ok 2 global.passes'; then
	echo "ok $n harness reports a failed assertion"
else
	echo "not ok $n harness reports a failed assertion"; echo "$out" | sed 's/^/# /'
	fail=$((fail + 1))
fi
rm -f "$log.c" "$log.bin"
echo "# Totals: pass:$((n - fail)) fail:$fail xfail:0 xpass:0 skip:0 error:0"
exit $((fail > 0))
