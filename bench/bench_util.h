/* SPDX-License-Identifier: MIT */
/* Benchmark helpers: timing, the measured int8 and fp32 peaks, enpu setup. */
#ifndef ENPU_BENCH_UTIL_H
#define ENPU_BENCH_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "enpu/enpu.h"

/* Parses -t threads (default 1), -s seconds (default 0.5), -f filter
 * (bench_selected) and -w spincount (oneDNN's OpenMP threads spin that many
 * rounds before sleeping, GOMP_SPINCOUNT, instead of not at all). Exits with
 * usage on a bad option. */
void bench_args(int argc, char **argv, uint32_t *threads, double *secs);
/* Whether the case labelled label runs: no -f given, or label contains its
 * argument. */
bool bench_selected(const char *label);

/* oneDNN's OpenMP runtime reads its environment when it loads: sets
 * OMP_NUM_THREADS=threads and OMP_WAIT_POLICY=passive (idle OpenMP threads
 * must not spin while the other libraries run), or with -w GOMP_SPINCOUNT
 * (a bounded spin, as enpu's pool has) instead, and re-executes the program
 * once when they differ. */
void bench_omp_env(char **argv, uint32_t threads);
/* Prints the command line and oneDNN's OpenMP settings. */
void bench_print_command(const char *argv0, uint32_t threads, double secs);

double bench_now(void);
/* Times n functions interleaved, so that a change in the shared machine's
 * load hits all of them alike: each round calls each function back to back
 * for 15 ms untimed (threads that slept wake, caches refill, the previous
 * library's idle workers stop spinning), then 25 ms timed, until every one
 * ran min_s timed seconds or has 4096 samples (>= 3 rounds). Stores each one's median seconds per call in
 * secs[i]; fns[i] == NULL is skipped (secs[i] = 0). */
void bench_time_interleaved(void (*const *fns)(void *arg), void *const *args, size_t n,
			    double min_s, double *secs);
/* Measured int8 ops/s of one core (2 ops per MAC; the best of 8 short runs)
 * running independent chains of the host's fastest int8 MAC sequence:
 * vpdpbusd zmm with AVX-512 VNNI, else vpmaddubsw + vpmaddwd + vpaddd ymm
 * with AVX2 (what oneDNN runs there; vpmaddubsw saturates, so it is not
 * exact); 0 on other hosts. *how names the loop. */
double bench_int8_peak_per_core(const char **how);
/* The int8 peaks of threads cores: bench_int8_peak_per_core's, and the
 * fastest exact sequence's (with AVX2 vpmaddwd + vpaddd ymm, enpu's AVX2
 * kernels; elsewhere the same loop, not measured again). */
typedef struct bench_peaks {
	double i8, i8_exact; /* ops/s */
} bench_peaks_t;
/* Measures them and prints the line naming the loops. */
bench_peaks_t bench_int8_peaks(uint32_t threads);
/* Prints "(P% of peak)", or "(P% of peak, E% of exact peak)" where the
 * exact loop is another (AVX2), for ops_per_s. */
void bench_print_peak_pct(double ops_per_s, const bench_peaks_t *p);
/* Measured fp32 FMA flops/s of one core (zmm or ymm per the host), 0
 * without FMA. *how names the loop. */
double bench_fma_peak_per_core(const char **how);

/* Opens the CPU device with threads (0 = all). Exits on failure. */
typedef struct bench_env {
	enpu_context_t *ctx;
	enpu_device_t *cpu;
} bench_env_t;
void bench_env_open(bench_env_t *e, uint32_t threads);
/* The same with the kernel family forced (ENPU_CPU_ISA_AUTO: the best). */
void bench_env_open_isa(bench_env_t *e, uint32_t threads, enpu_cpu_isa_t isa);
void bench_env_close(bench_env_t *e);
/* Allocates a tensor with random contents. quant may be NULL; flags are
 * ENPU_TENSOR_* (weights are marked constant, as in inference). */
enpu_tensor_t *bench_tensor(bench_env_t *e, enpu_dtype_t dt, uint32_t rank,
			    const uint32_t *dims, const enpu_quant_t *quant, uint32_t flags);
void *bench_data(enpu_tensor_t *t);
/* Runs list (enpu_device_execute: synchronous, like the peers); exits on error. */
void bench_run_list(bench_env_t *e, enpu_command_list_t *list);
/* An almost empty call (a 1 x 1 x 4 int8 GEMM through bench_run_list), timed
 * next to each shape: its time is the fixed cost of an enpu call (checks,
 * queue hand-off where the queue is busy), so "enpu - empty" estimates the
 * kernel. */
typedef struct bench_empty {
	bench_env_t *env;
	enpu_command_list_t *list;
	enpu_tensor_t *t[3];
} bench_empty_t;
void bench_empty_open(bench_empty_t *z, bench_env_t *e);
void bench_empty_run(void *z);
void bench_empty_close(bench_empty_t *z);
/* " | empty call U us, kernel est.: xR1 LABEL1 xR2 LABEL2" (no newline):
 * peer times (0 = absent) over enpu's time less the empty submission's. */
void bench_print_kernel_est(double t, double t_empty, double t_p1, const char *l1, double t_p2,
			    const char *l2);
void bench_check(enpu_status_t st, const char *what);

#endif
