// SPDX-License-Identifier: MIT
/* Makespan of a sample graph on each device alone and dispatched, and the
 * shared helpers (bench.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "bench.h"

void bench_check(enpu_status_t st, const char *what)
{
	if (!st)
		return;
	fprintf(stderr, "bench_dispatch: %s: %s\n", what, enpu_status_message(st));
	exit(1);
}

const char *bench_device_name(enpu_dispatcher_t *d, size_t i)
{
	static enpu_device_info_t info[ENPU_DISPATCH_MAX_DEVICES + 1];

	enpu_device_query(enpu_dispatcher_device(d, i), &info[i]);
	return info[i].name;
}

void bench_setup(enpu_context_t *ctx, const bench_opts_t *o, const char *sample, uint32_t size,
		 enpu_dispatcher_t **d, enpu_graph_t **g)
{
	enpu_dispatcher_options_t opt = { .devices = o->devices, .calibration_runs = o->calib,
					  .cpu_threads = o->threads,
					  .host_devices_overlap = o->overlap };
	enpu_device_t *cpu = NULL;

	bench_check(enpu_dispatcher_create(ctx, &opt, d), "dispatcher");
	for (size_t i = 0; i < enpu_dispatcher_device_count(*d) && !cpu; i++) {
		enpu_device_info_t info;
		enpu_device_query(enpu_dispatcher_device(*d, i), &info);
		if (info.type == ENPU_DEVICE_CPU)
			cpu = enpu_dispatcher_device(*d, i);
	}
	bench_check(enpu_graph_create_sample(cpu, sample, size, 1, g), sample);
	bench_check(enpu_dispatcher_calibrate(*d, *g), "calibration");
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double bench_measure(enpu_plan_t *plan, const enpu_graph_t *g, uint32_t runs, double *op_error)
{
	double *t = calloc(runs, sizeof(double)), med, best_gap = INFINITY;
	enpu_run_t *run;

	*op_error = 0;
	bench_check(t ? ENPU_OK : enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "memory"), "runs");
	for (uint32_t i = 0; i <= runs; i++) { /* run 0 warms up */
		bench_check(enpu_plan_execute(plan, &run), "execute");
		bench_check(enpu_run_wait(run, ENPU_TIMEOUT_INFINITE), "run");
		if (i)
			t[i - 1] = enpu_run_makespan(run);
		enpu_run_release(run);
	}
	qsort(t, runs, sizeof(double), cmp);
	med = t[runs / 2];
	/* The op errors of one more run, the one closest to the median. */
	for (int k = 0; k < 3; k++) {
		double pm = 0, m = 0, gap;
		bench_check(enpu_plan_execute(plan, &run), "execute");
		bench_check(enpu_run_wait(run, ENPU_TIMEOUT_INFINITE), "run");
		for (size_t i = 0; i < enpu_graph_op_count(g); i++) {
			enpu_run_timing_t tm;
			enpu_sched_slot_t s = enpu_plan_slot(plan, i);
			bench_check(enpu_run_op_timing(run, i, &tm), "timing");
			pm += fabs((s.finish - s.start) - (tm.end - tm.start));
			m += tm.end - tm.start;
		}
		gap = fabs(enpu_run_makespan(run) - med);
		if (gap < best_gap) {
			best_gap = gap;
			*op_error = m > 0 ? pm / m : 0;
		}
		enpu_run_release(run);
	}
	free(t);
	return med;
}

void bench_makespan(enpu_context_t *ctx, const bench_opts_t *o, const char *sample, uint32_t size)
{
	enpu_dispatcher_t *d;
	enpu_graph_t *g;
	enpu_plan_t *plan;
	double best_single = INFINITY, err;
	size_t n;

	bench_setup(ctx, o, sample, size, &d, &g);
	n = enpu_graph_op_count(g);
	printf("\n%s size %u (%zu ops), %u runs each, median makespan:\n", sample, size, n, o->runs);
	printf("  %-22s %12s %12s %10s %10s\n", "placement", "predicted ms", "measured ms",
	       "pred err", "op err");
	uint32_t *place = malloc(n * sizeof(*place));
	bench_check(place ? ENPU_OK : enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "memory"),
		    "placement");
	for (size_t dv = 0; dv < enpu_dispatcher_device_count(d); dv++) {
		for (size_t i = 0; i < n; i++)
			place[i] = (uint32_t)dv;
		enpu_status_t st = enpu_dispatcher_plan_fixed(d, g, place, &plan);
		if (st) {
			printf("  %-22s cannot run every op: %s\n", bench_device_name(d, dv),
			       enpu_status_message(st));
			enpu_status_free(st);
			continue;
		}
		double m = bench_measure(plan, g, o->runs, &err);
		double p = enpu_plan_makespan(plan);
		printf("  %-22s %12.3f %12.3f %+9.1f%% %9.1f%%\n", bench_device_name(d, dv), p * 1e3,
		       m * 1e3, 100 * (p - m) / m, 100 * err);
		if (m < best_single)
			best_single = m;
		enpu_plan_release(plan);
	}
	bench_check(enpu_dispatcher_plan(d, g, &plan), "plan");
	double m = bench_measure(plan, g, o->runs, &err), p = enpu_plan_makespan(plan);
	int used[ENPU_DISPATCH_MAX_DEVICES + 1] = { 0 };
	for (size_t i = 0; i < n; i++)
		used[enpu_plan_slot(plan, i).device]++;
	printf("  %-22s %12.3f %12.3f %+9.1f%% %9.1f%%   ops per device:", "dispatched (HEFT)",
	       p * 1e3, m * 1e3, 100 * (p - m) / m, 100 * err);
	for (size_t dv = 0; dv < enpu_dispatcher_device_count(d); dv++)
		printf(" %s %d", bench_device_name(d, dv), used[dv]);
	printf("\n  dispatched / best single device (measured): %.3f\n", m / best_single);
	enpu_plan_release(plan);
	free(place);
	enpu_graph_release(g);
	enpu_dispatcher_release(d);
}
