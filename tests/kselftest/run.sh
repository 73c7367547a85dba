#!/bin/bash
# Runs every built driver test (build/kselftest/*_test) in turn, as the kselftest
# runner does: a KTAP header, each test's output indented as a subtest, one result
# line per test binary. Meant to run inside the VM: tools/vm/run tests/kselftest/run.sh
top=$(cd "$(dirname "$0")/../.." && pwd)
tests=("$top"/build/kselftest/*_test)
[ -x "${tests[0]}" ] || { echo "no driver tests built: run make" >&2; exit 1; }
echo "TAP version 13"
echo "1..${#tests[@]}"
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
exit $((fail > 0))
