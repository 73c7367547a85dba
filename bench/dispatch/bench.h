/* SPDX-License-Identifier: MIT */
/* bench_dispatch: shared helpers of the makespan comparison (makespan.c) and
 * the exhaustive-search comparison (exhaustive.c). */
#ifndef BENCH_DISPATCH_H
#define BENCH_DISPATCH_H

#include <enpu/enpu.h>

typedef struct bench_opts {
	const char *devices; /* NULL = all but ref0 */
	uint32_t runs;       /* timed runs per configuration */
	uint32_t calib;      /* calibration runs per batch */
	uint32_t threads;    /* CPU device threads (0 = all cores) */
	bool overlap;        /* enpu_dispatcher_options_t.host_devices_overlap */
} bench_opts_t;

/* Exits with a message when st is an error. */
void bench_check(enpu_status_t st, const char *what);
/* A dispatcher and a calibrated sample graph (allocated on its CPU). */
void bench_setup(enpu_context_t *ctx, const bench_opts_t *o, const char *sample, uint32_t size,
		 enpu_dispatcher_t **d, enpu_graph_t **g);
/* Measured makespans of plans, interleaved (one run of each in turn, after a
 * warm-up of each) so that load from elsewhere hits them alike. */
typedef struct bench_result {
	double median, min;
	double op_error; /* sum |predicted - measured| op time / sum measured, median run */
} bench_result_t;
void bench_measure(enpu_plan_t *const *plans, size_t count, const enpu_graph_t *g, uint32_t runs,
		   bench_result_t *out);
const char *bench_device_name(enpu_dispatcher_t *d, size_t i);

/* Makespans of sample on each single device and dispatched (HEFT). */
void bench_makespan(enpu_context_t *ctx, const bench_opts_t *o, const char *sample, uint32_t size);
/* HEFT against the best of every placement (by the same list scheduling on
 * the calibrated costs), predicted and measured. */
void bench_exhaustive(enpu_context_t *ctx, const bench_opts_t *o, const char *sample,
		      uint32_t size);

#endif
