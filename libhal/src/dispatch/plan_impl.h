/* SPDX-License-Identifier: MIT */
/* Internal: plans (a placement with predicted times) shared with runs. */
#ifndef ENPU_PLAN_IMPL_H
#define ENPU_PLAN_IMPL_H

#include "dispatcher_impl.h"

struct enpu_plan {
	enpu_refcount_t ref;
	enpu_dispatcher_t *dispatcher; /* retained */
	enpu_graph_t *graph;           /* retained */
	enpu_sched_problem_t problem;  /* arrays below */
	double *compute, *latency, *bandwidth;
	uint32_t groups[DISP_MAX];
	enpu_sched_edge_t *edges;
	enpu_sched_slot_t *slots;
	double makespan;
	size_t *order; /* ops in submission order: by predicted start */
};

#endif
