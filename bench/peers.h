/* SPDX-License-Identifier: MIT */
/* What the peer benchmarks (bench_gemm, bench_conv, bench_eltwise) share:
 * their start (options, oneDNN's OpenMP environment, the command and device
 * lines, enpu's CPU device, XNNPACK and its thread pool) and the case that
 * times an enpu command list against an XNNPACK operator. */
#ifndef ENPU_BENCH_PEERS_H
#define ENPU_BENCH_PEERS_H

#include <pthreadpool.h>
#include <xnnpack.h>
#include "bench_util.h"

typedef struct bench_run {
	bench_env_t env;
	uint32_t threads;
	double secs;
	pthreadpool_t pool; /* XNNPACK's, NULL for 1 thread */
} bench_run_t;

/* Parses the options (bench_args), sets oneDNN's OpenMP environment (may
 * re-execute the program), prints the command and "device NAME: TEXT",
 * opens enpu's CPU device and XNNPACK. Exits on failure. */
void bench_start(int argc, char **argv, bench_run_t *r);
void bench_finish(bench_run_t *r);

/* One enpu command list and one XNNPACK operator (NULL when XNNPACK
 * rejected the problem), run through bench_time_interleaved. */
typedef struct peer_case {
	bench_env_t *env;
	enpu_command_list_t *list;
	xnn_operator_t xnn;
	pthreadpool_t pool;
} peer_case_t;
void peer_run_enpu(void *c);
void peer_run_xnn(void *c);

#endif
