#!/bin/bash
# Runs every driver test (tests/kselftest/*_test.c, built as build/kselftest/*_test)
# in turn, as the kselftest runner does: a KTAP header, each test's output indented
# as a subtest, one result line per test binary. The list comes from the sources, so
# a binary left in build/ by a test since removed or renamed does not run. Meant to
# run inside the VM: tools/vm/run tests/kselftest/run.sh
# In the VM, a last step unloads enpu.ko: every file, job and BO must be gone.
top=$(cd "$(dirname "$0")/../.." && pwd)
tests=()
for src in "$top"/tests/kselftest/*_test.c; do
	t="$top/build/kselftest/$(basename "$src" .c)"
	[ -x "$t" ] || { echo "$t not built: run make" >&2; exit 1; }
	tests+=("$t")
done
unload=0
[ -n "${ENPU_IN_VM:-}" ] && unload=1
echo "TAP version 13"
echo "1..$((${#tests[@]} + unload))"
n=0 fail=0
for t in "${tests[@]}"; do
	n=$((n + 1))
	name=$(basename "$t")
	echo "# selftests: enpu: $name"
	"$t" 2>&1 | sed 's/^/  /'
	rc=${PIPESTATUS[0]}
	case $rc in
	0) echo "ok $n selftests: enpu: $name" ;;
	4) echo "ok $n selftests: enpu: $name # SKIP" ;;
	*) echo "not ok $n selftests: enpu: $name # exit=$rc"; fail=$((fail + 1)) ;;
	esac
done
if [ "$unload" = 1 ]; then
	n=$((n + 1))
	# A separate KTAP subtest, so that run-all counts it like any other test.
	if out=$(rmmod enpu 2>&1); then
		printf '  1..1\n  ok 1 rmmod enpu\n  # Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0\n'
		echo "ok $n selftests: enpu: module unload"
	else
		printf '  1..1\n  not ok 1 rmmod enpu: %s\n  # Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0\n' "$out"
		echo "not ok $n selftests: enpu: module unload"
		fail=$((fail + 1))
	fi
fi
exit $((fail > 0))
