#!/bin/bash
# The NPU numbers of docs/perf.md ("Dispatcher"), inside the VM:
#   tools/vm/run -t 1200 -- bench/dispatch/vm-npu.sh
# cpu0 + npu0 (the sim), first with the host-core group (default), then with a
# 1-thread CPU device planned as independent of the sim (-T 1 -o).
cd "$(dirname "$0")/../.." || exit 1
b=bench/dispatch/build/bench_dispatch
$b -d cpu0,npu0 -m 96 -b 28 -t 32,64 -r 10 || exit 1
echo
$b -d cpu0,npu0 -m 96 -b 28 -t 32,64 -r 10 -T 1 -o
