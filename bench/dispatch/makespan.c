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

/* One run; its makespan, and its op error in *op_error when not NULL. */
static double once(enpu_plan_t *plan, const enpu_graph_t *g, double *op_error)
{
	enpu_run_t *run;
	double pm = 0, m = 0, ms;

	bench_check(enpu_plan_execute(plan, &run), "execute");
	bench_check(enpu_run_wait(run, ENPU_TIMEOUT_INFINITE), "run");
	for (size_t i = 0; op_error && i < enpu_graph_op_count(g); i++) {
		enpu_run_timing_t tm;
		enpu_sched_slot_t s = enpu_plan_slot(plan, i);
		bench_check(enpu_run_op_timing(run, i, &tm), "timing");
		pm += fabs((s.finish - s.start) - (tm.end - tm.start));
		m += tm.end - tm.start;
	}
	if (op_error)
		*op_error = m > 0 ? pm / m : 0;
	ms = enpu_run_makespan(run);
	enpu_run_release(run);
	return ms;
}

void bench_measure(enpu_plan_t *const *plans, size_t count, const enpu_graph_t *g, uint32_t runs,
		   bench_result_t *out)
{
	double *t = calloc(count * runs, sizeof(double)), *err = calloc(count * runs, sizeof(double));

	bench_check(t && err ? ENPU_OK : enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "memory"),
		    "runs");
	for (size_t p = 0; p < count; p++)
		once(plans[p], g, NULL); /* warm-up */
	for (uint32_t r = 0; r < runs; r++)
		for (size_t p = 0; p < count; p++)
			t[p * runs + r] = once(plans[p], g, &err[p * runs + r]);
	for (size_t p = 0; p < count; p++) {
		double *v = t + p * runs, sorted[runs];
		for (uint32_t r = 0; r < runs; r++)
			sorted[r] = v[r];
		qsort(sorted, runs, sizeof(double), cmp);
		out[p].median = sorted[runs / 2];
		out[p].min = sorted[0];
		for (uint32_t r = 0; r < runs; r++)
			if (v[r] == out[p].median)
				out[p].op_error = err[p * runs + r];
	}
	free(t);
	free(err);
}

void bench_makespan(enpu_context_t *ctx, const bench_opts_t *o, const char *sample, uint32_t size)
{
	enpu_plan_t *plans[ENPU_DISPATCH_MAX_DEVICES + 2];
	bench_result_t res[ENPU_DISPATCH_MAX_DEVICES + 2];
	size_t dev_of[ENPU_DISPATCH_MAX_DEVICES + 2], np = 0;
	enpu_dispatcher_t *d;
	enpu_graph_t *g;
	size_t n;

	bench_setup(ctx, o, sample, size, &d, &g);
	n = enpu_graph_op_count(g);
	printf("\n%s size %u (%zu ops), %u interleaved runs each:\n", sample, size, n, o->runs);
	uint32_t *place = malloc(n * sizeof(*place));
	bench_check(place ? ENPU_OK : enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "memory"),
		    "placement");
	for (size_t dv = 0; dv < enpu_dispatcher_device_count(d); dv++) {
		for (size_t i = 0; i < n; i++)
			place[i] = (uint32_t)dv;
		enpu_status_t st = enpu_dispatcher_plan_fixed(d, g, place, &plans[np]);
		if (st) {
			printf("  %s cannot run every op: %s\n", bench_device_name(d, dv),
			       enpu_status_message(st));
			enpu_status_free(st);
			continue;
		}
		dev_of[np++] = dv;
	}
	bench_check(enpu_dispatcher_plan(d, g, &plans[np]), "plan");
	dev_of[np++] = SIZE_MAX;
	bench_measure(plans, np, g, o->runs, res);
	printf("  %-18s %12s %12s %12s %9s %8s\n", "placement", "predicted ms", "median ms",
	       "min ms", "pred err", "op err");
	double best_med = INFINITY, best_min = INFINITY;
	for (size_t p = 0; p < np; p++) {
		double pr = enpu_plan_makespan(plans[p]);
		printf("  %-18s %12.3f %12.3f %12.3f %+8.1f%% %7.1f%%",
		       dev_of[p] == SIZE_MAX ? "dispatched (HEFT)" : bench_device_name(d, dev_of[p]),
		       pr * 1e3, res[p].median * 1e3, res[p].min * 1e3,
		       100 * (pr - res[p].median) / res[p].median, 100 * res[p].op_error);
		if (dev_of[p] != SIZE_MAX) {
			best_med = fmin(best_med, res[p].median);
			best_min = fmin(best_min, res[p].min);
			printf("\n");
			continue;
		}
		int used[ENPU_DISPATCH_MAX_DEVICES + 1] = { 0 };
		for (size_t i = 0; i < n; i++)
			used[enpu_plan_slot(plans[p], i).device]++;
		printf("   ops:");
		for (size_t dv = 0; dv < enpu_dispatcher_device_count(d); dv++)
			printf(" %s %d", bench_device_name(d, dv), used[dv]);
		printf("\n  dispatched / best single device: median %.3f, min %.3f\n",
		       res[p].median / best_med, res[p].min / best_min);
	}
	for (size_t p = 0; p < np; p++)
		enpu_plan_release(plans[p]);
	free(place);
	enpu_graph_release(g);
	enpu_dispatcher_release(d);
}
