/* SPDX-License-Identifier: MIT */
/* Plans: the scheduling problem of a graph on the dispatcher's devices
 * (costs, forced placements, fallback), solved by HEFT or evaluated for a
 * fixed placement. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "plan_impl.h"

static enpu_status_t op_compute(enpu_dispatcher_t *d, const enpu_graph_t *g, size_t i,
				double *row)
{
	const graph_op_t *o = &g->ops[i];
	bool any = false;
	char key[200];

	graph_op_key(g, i, key, sizeof(key));
	if (o->forced[0]) {
		size_t f = disp_find(d, o->forced);
		if (f == SIZE_MAX || !disp_supports(d, f, g, i))
			return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
						"op %s is forced onto %s, %s", o->name, o->forced,
						f == SIZE_MAX ? "which is not one of the "
								"dispatcher's devices" :
								"which cannot run it");
	}
	/* Two passes: the listed devices, then the fallback CPU if none can. */
	for (int pass = 0; pass < 2 && !any; pass++)
		for (size_t dev = 0; dev < d->count; dev++) {
			const disp_device_t *dd = &d->devs[dev];
			if (dd->fallback_only != (pass == 1) || !disp_supports(d, dev, g, i) ||
			    (o->forced[0] && strcmp(o->forced, dd->info.name)))
				continue;
			cost_entry_t *e = costs_find(d, (uint32_t)dev, key);
			if (!e)
				return enpu_status_make(ENPU_STATUS_FAILED_PRECONDITION,
							"no cost of op %s (%s) on %s: calibrate "
							"first", o->name, key, dd->info.name);
			row[dev] = e->seconds;
			any |= isfinite(e->seconds);
		}
	if (!any)
		return enpu_status_make(ENPU_STATUS_UNSUPPORTED,
					"op %s (%s) can run on none of the devices%s", o->name, key,
					o->forced[0] ? " (it is forced onto one that rejected it)" :
						       "");
	return ENPU_OK;
}

static enpu_status_t build(enpu_dispatcher_t *d, const enpu_graph_t *g, enpu_plan_t *p)
{
	size_t n = g->op_count, dc = d->count, ne = 0;
	enpu_status_t st = ENPU_OK;

	for (size_t i = 0; i < n; i++)
		ne += g->ops[i].pred_count;
	p->compute = malloc(n * dc * sizeof(double));
	p->latency = calloc(dc * dc, sizeof(double));
	p->bandwidth = calloc(dc * dc, sizeof(double)); /* 0: bytes cost nothing (shared memory) */
	p->edges = malloc((ne ? ne : 1) * sizeof(*p->edges));
	p->slots = calloc(n, sizeof(*p->slots));
	p->order = malloc(n * sizeof(size_t));
	if (!p->compute || !p->latency || !p->bandwidth || !p->edges || !p->slots || !p->order)
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "plan: out of memory");
	for (size_t i = 0; i < n * dc; i++)
		p->compute[i] = INFINITY;
	pthread_mutex_lock(&d->lock);
	for (size_t i = 0; !st && i < n; i++)
		st = op_compute(d, g, i, p->compute + i * dc);
	if (!st && dc > 1 && !d->xfer_known)
		st = enpu_status_make(ENPU_STATUS_FAILED_PRECONDITION,
				      "no transfer costs between the devices: calibrate first");
	if (!st)
		memcpy(p->latency, d->xfer_latency, dc * dc * sizeof(double));
	pthread_mutex_unlock(&d->lock);
	ne = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < g->ops[i].pred_count; k++)
			p->edges[ne++] = (enpu_sched_edge_t){ g->ops[i].preds[k], i,
							      (double)g->ops[i].pred_bytes[k] };
	for (size_t dv = 0; dv < dc; dv++)
		p->groups[dv] = d->devs[dv].group;
	p->problem = (enpu_sched_problem_t){
		.op_count = n, .device_count = dc, .compute = p->compute,
		.edge_count = ne, .edges = p->edges,
		.xfer_latency = p->latency, .xfer_bandwidth = p->bandwidth,
		.device_group = p->groups,
	};
	return st;
}

/* Each op's depth: the longest chain of edges ending at it (the graph is
 * acyclic: graph_validate.c). */
static void depths(const enpu_sched_problem_t *pr, size_t *depth)
{
	bool changed = true;

	for (size_t i = 0; i < pr->op_count; i++)
		depth[i] = 0;
	while (changed) {
		changed = false;
		for (size_t e = 0; e < pr->edge_count; e++) {
			const enpu_sched_edge_t *x = &pr->edges[e];
			if (depth[x->to] < depth[x->from] + 1) {
				depth[x->to] = depth[x->from] + 1;
				changed = true;
			}
		}
	}
}

static bool before(const enpu_sched_slot_t *s, const size_t *depth, size_t a, size_t b)
{
	if (s[a].start != s[b].start)
		return s[a].start < s[b].start;
	if (s[a].finish != s[b].finish)
		return s[a].finish < s[b].finish;
	if (depth[a] != depth[b])
		return depth[a] < depth[b];
	return a < b;
}

/* Submission order: predicted start, then finish, then depth, then index. A
 * topological order: an op starts no earlier than its producers finish, so
 * a producer sorts first unless both have one slot [s, s] (zero costs and
 * hand-over), where its smaller depth puts it first. Insertion sort: graphs
 * have at most a few hundred ops. */
static enpu_status_t order(enpu_plan_t *p)
{
	size_t *depth = calloc(p->problem.op_count ? p->problem.op_count : 1, sizeof(*depth));

	if (!depth)
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "out of memory");
	depths(&p->problem, depth);
	for (size_t i = 0; i < p->problem.op_count; i++) {
		size_t k = i;
		while (k > 0 && before(p->slots, depth, i, p->order[k - 1])) {
			p->order[k] = p->order[k - 1];
			k--;
		}
		p->order[k] = i;
	}
	free(depth);
	return ENPU_OK;
}

static enpu_status_t make(enpu_dispatcher_t *d, const enpu_graph_t *g, const uint32_t *placement,
			  enpu_plan_t **out, const char *fn)
{
	if (!d || !g || !out)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT, "%s: an argument is NULL", fn);
	if (!g->finalized)
		return enpu_status_make(ENPU_STATUS_FAILED_PRECONDITION,
					"%s: finalize the graph first", fn);
	enpu_plan_t *p = calloc(1, sizeof(*p));
	if (!p)
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "%s: out of memory", fn);
	enpu_ref_init(&p->ref);
	enpu_dispatcher_retain(d);
	p->dispatcher = d;
	enpu_graph_retain((enpu_graph_t *)g);
	p->graph = (enpu_graph_t *)g;
	enpu_status_t st = build(d, g, p);
	if (!st)
		st = placement ? enpu_sched_evaluate(&p->problem, placement, p->slots, &p->makespan) :
				 enpu_sched_heft(&p->problem, p->slots, &p->makespan);
	if (!st)
		st = order(p);
	if (st) {
		enpu_status_t e = enpu_status_make(enpu_status_code(st), "%s: %s", fn,
						   enpu_status_message(st));
		enpu_status_free(st);
		enpu_plan_release(p);
		return e;
	}
	*out = p;
	return ENPU_OK;
}

enpu_status_t enpu_dispatcher_plan(enpu_dispatcher_t *dispatcher, const enpu_graph_t *graph,
				   enpu_plan_t **out_plan)
{
	if (out_plan)
		*out_plan = NULL;
	return make(dispatcher, graph, NULL, out_plan, "enpu_dispatcher_plan");
}

enpu_status_t enpu_dispatcher_plan_fixed(enpu_dispatcher_t *dispatcher, const enpu_graph_t *graph,
					 const uint32_t *placement, enpu_plan_t **out_plan)
{
	if (out_plan)
		*out_plan = NULL;
	if (!placement)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_dispatcher_plan_fixed: placement is NULL");
	return make(dispatcher, graph, placement, out_plan, "enpu_dispatcher_plan_fixed");
}

const enpu_sched_problem_t *enpu_plan_problem(const enpu_plan_t *plan)
{
	return plan ? &plan->problem : NULL;
}

void enpu_plan_retain(enpu_plan_t *plan)
{
	if (plan)
		enpu_ref_inc(&plan->ref);
}

void enpu_plan_release(enpu_plan_t *plan)
{
	if (!plan || !enpu_ref_dec(&plan->ref))
		return;
	enpu_graph_release(plan->graph);
	enpu_dispatcher_release(plan->dispatcher);
	free(plan->compute);
	free(plan->latency);
	free(plan->bandwidth);
	free(plan->edges);
	free(plan->slots);
	free(plan->order);
	free(plan);
}

enpu_sched_slot_t enpu_plan_slot(const enpu_plan_t *plan, size_t op)
{
	if (!plan || op >= plan->problem.op_count)
		return (enpu_sched_slot_t){ 0 };
	return plan->slots[op];
}

double enpu_plan_makespan(const enpu_plan_t *plan)
{
	return plan ? plan->makespan : 0;
}
