#!/bin/bash
# Runs the system-sleep test inside the VM (tools/vm/run -- tests/sleep/run.sh).
# A device suspend resets the virtio-9p shares for good, so the test runs from
# tmpfs (a static binary), reports through the second serial port and powers the
# guest off itself; tools/vm/run reads its output, exit status and kernel log
# from that port.
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/build/sleep/enpu_sleep_test
[ -x "$bin" ] || { echo "$bin not built: run make" >&2; exit 1; }
[ -n "${ENPU_IN_VM:-}" ] || { echo "tests/sleep/run.sh suspends the machine: run it in the VM" >&2; exit 1; }
[ -c /dev/ttyS1 ] || { echo "no /dev/ttyS1 to report through" >&2; exit 1; }
cp "$bin" /tmp/enpu_sleep_test || exit 1
ENPU_SLEEP_REPORT=/dev/ttyS1 exec /tmp/enpu_sleep_test "$@"
