# SPDX-License-Identifier: MIT
"""The peer of bench_gpu_gemm on an NVIDIA GPU: INT8 GEMM through
torch._int_mm (cuBLASLt, int32 out, no requantization) and FP16 GEMM through
torch.matmul (cuBLAS, fp32 accumulate), C = A B^T with B stored [N][K] as
enpu's. Kernel time from CUDA events, median of the runs after warm-up.
Prints: torch <dtype> M N K kernel_us kernel_TOPS
Usage: python3 torch_peer.py [runs] [M,N,K ...]"""
import statistics
import sys

import torch


def timed(fn, runs):
    fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(runs):
        start = torch.cuda.Event(enable_timing=True)
        end = torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end) * 1e3)  # ms -> us
    return statistics.median(times)


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    shapes = sys.argv[2:] or ["1024,1024,1024", "2048,2048,2048", "4096,4096,4096"]
    print(f"# torch {torch.__version__}, {torch.cuda.get_device_name()}")
    for spec in shapes:
        m, n, k = (int(x) for x in spec.split(","))
        a8 = torch.randint(-128, 128, (m, k), dtype=torch.int8, device="cuda")
        b8 = torch.randint(-128, 128, (n, k), dtype=torch.int8, device="cuda")
        a16 = torch.randn(m, k, dtype=torch.float16, device="cuda")
        b16 = torch.randn(n, k, dtype=torch.float16, device="cuda")
        for name, fn in (("int8", lambda: torch._int_mm(a8, b8.t())),
                         ("fp16", lambda: torch.matmul(a16, b16.t()))):
            us = timed(fn, runs)
            print(f"torch {name} {m} {n} {k} {us:.1f} {2.0 * m * n * k / us / 1e6:.3f}",
                  flush=True)


if __name__ == "__main__":
    main()
