// SPDX-License-Identifier: MIT
/* HEFT against exhaustive search: every placement of a small graph is list
 * scheduled on the calibrated costs (enpu_sched_evaluate); the best is run
 * beside HEFT's. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include "bench.h"

#define MAX_PLACEMENTS 5000000.0

void bench_exhaustive(enpu_context_t *ctx, const bench_opts_t *o, const char *sample,
		      uint32_t size)
{
	enpu_dispatcher_t *d;
	enpu_graph_t *g;
	enpu_plan_t *heft, *best_plan;
	double best = INFINITY, ms;
	bench_result_t res[2];

	bench_setup(ctx, o, sample, size, &d, &g);
	size_t n = enpu_graph_op_count(g), nd = enpu_dispatcher_device_count(d);
	if (pow((double)nd, (double)n) > MAX_PLACEMENTS) {
		printf("\n%s size %u: %zu ops on %zu devices is too many placements\n", sample, size,
		       n, nd);
		goto out_graph;
	}
	bench_check(enpu_dispatcher_plan(d, g, &heft), "plan");
	const enpu_sched_problem_t *p = enpu_plan_problem(heft);
	uint32_t *place = calloc(n, sizeof(*place)), *best_place = calloc(n, sizeof(*place));
	enpu_sched_slot_t *slots = calloc(n, sizeof(*slots));
	bench_check(place && best_place && slots ? ENPU_OK :
		    enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "memory"), "exhaustive");
	size_t count = 0;
	for (;;) {
		bool ok = true;
		for (size_t i = 0; i < n; i++)
			ok &= isfinite(p->compute[i * nd + place[i]]);
		if (ok) {
			bench_check(enpu_sched_evaluate(p, place, slots, &ms), "evaluate");
			count++;
			if (ms < best) {
				best = ms;
				for (size_t i = 0; i < n; i++)
					best_place[i] = place[i];
			}
		}
		size_t k = 0; /* next placement, base nd */
		while (k < n && ++place[k] == nd)
			place[k++] = 0;
		if (k == n)
			break;
	}
	bench_check(enpu_dispatcher_plan_fixed(d, g, best_place, &best_plan), "best plan");
	enpu_plan_t *both[2] = { heft, best_plan };
	bench_measure(both, 2, g, o->runs, res);
	printf("\n%s size %u (%zu ops, %zu devices, %zu placements searched):\n", sample, size, n,
	       nd, count);
	printf("  predicted: HEFT %.3f ms, optimum %.3f ms, HEFT / optimum %.3f\n",
	       enpu_plan_makespan(heft) * 1e3, best * 1e3, enpu_plan_makespan(heft) / best);
	printf("  measured, %u interleaved runs: median HEFT %.3f ms, optimum's placement %.3f ms, "
	       "ratio %.3f; min %.3f / %.3f ms, ratio %.3f\n", o->runs, res[0].median * 1e3,
	       res[1].median * 1e3, res[0].median / res[1].median, res[0].min * 1e3,
	       res[1].min * 1e3, res[0].min / res[1].min);
	printf("  placements (op: HEFT / optimum):");
	for (size_t i = 0; i < n; i++) {
		enpu_graph_op_info_t info;
		bench_check(enpu_graph_op_info(g, i, &info), "op info");
		printf(" %s:%s/%s", info.name, bench_device_name(d, enpu_plan_slot(heft, i).device),
		       bench_device_name(d, best_place[i]));
	}
	printf("\n");
	enpu_plan_release(best_plan);
	enpu_plan_release(heft);
	free(place);
	free(best_place);
	free(slots);
out_graph:
	enpu_graph_release(g);
	enpu_dispatcher_release(d);
}
