/* SPDX-License-Identifier: MIT */
/* Runs of a plan: one submission per op in predicted start order, each
 * waiting for the fences of its producers on other devices (ops on one device
 * are ordered by its in-order queue). Measured times come from the fences'
 * signal timestamps, taken by the backends when they finish the work. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "plan_impl.h"

struct enpu_run {
	enpu_plan_t *plan;           /* retained */
	size_t n;
	enpu_fence_t **fences;       /* [n] */
	uint64_t t0;                 /* CLOCK_MONOTONIC ns before the first submission */
	double *submitted;           /* [n] seconds since t0 */
	enpu_run_timing_t *timing;   /* [n], set once finished */
	pthread_mutex_t lock;        /* guards finished, result, timing */
	bool finished;
	enpu_status_t result;
	double makespan;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static double secs_since(uint64_t t0, uint64_t t)
{
	return t > t0 ? (double)(t - t0) * 1e-9 : 0;
}

static enpu_status_t submit_all(enpu_run_t *r)
{
	const enpu_plan_t *p = r->plan;
	const enpu_graph_t *g = p->graph;
	enpu_priority_t prio = enpu_graph_priority(g);
	enpu_device_t *devs[DISP_MAX] = { 0 };

	/* The handles of the graph's priority, before anything is submitted. */
	for (size_t k = 0; k < r->n; k++) {
		uint32_t dev = p->slots[k].device;
		enpu_status_t st = devs[dev] ? ENPU_OK :
				   disp_device_at(p->dispatcher, dev, prio, &devs[dev]);
		if (st) {
			enpu_status_t e = enpu_status_make(
				enpu_status_code(st), "opening %s at the graph's priority: %s",
				p->dispatcher->devs[dev].info.name, enpu_status_message(st));
			enpu_status_free(st);
			return e;
		}
	}

	for (size_t k = 0; k < r->n; k++) {
		size_t op = p->order[k];
		const graph_op_t *o = &g->ops[op];
		uint32_t dev = p->slots[op].device;
		enpu_fence_t *waits[3];
		size_t nw = 0;
		for (size_t j = 0; j < o->pred_count; j++)
			if (p->slots[o->preds[j]].device != dev)
				waits[nw++] = r->fences[o->preds[j]];
		r->submitted[op] = secs_since(r->t0, now_ns());
		enpu_status_t st = enpu_device_submit(devs[dev], o->list, waits, nw, &r->fences[op]);
		if (st) {
			enpu_status_t e = enpu_status_make(enpu_status_code(st),
							   "op %s on %s: %s", o->name,
							   p->dispatcher->devs[dev].info.name,
							   enpu_status_message(st));
			enpu_status_free(st);
			return e;
		}
	}
	return ENPU_OK;
}

static void run_free(enpu_run_t *r)
{
	for (size_t i = 0; i < r->n; i++)
		enpu_fence_release(r->fences[i]);
	enpu_status_free(r->result);
	pthread_mutex_destroy(&r->lock);
	enpu_plan_release(r->plan);
	free(r->fences);
	free(r->submitted);
	free(r->timing);
	free(r);
}

/* Once every submitted fence signalled: derives the start times (the latest
 * of its submission, its producers' ends and the previous op on its device)
 * and the result: the first failure in submission order that is not a skip
 * caused by another one. */
static void finish(enpu_run_t *r)
{
	const enpu_plan_t *p = r->plan;
	double dev_end[DISP_MAX] = { 0 };
	enpu_status_t root = NULL;
	size_t root_op = 0;

	r->makespan = 0;
	for (size_t k = 0; k < r->n; k++) {
		size_t op = p->order[k];
		const graph_op_t *o = &p->graph->ops[op];
		uint32_t dev = p->slots[op].device;
		uint64_t t = 0;
		if (!r->fences[op])
			break; /* submission stopped here */
		enpu_status_free(enpu_fence_signal_time(r->fences[op], &t));
		double end = secs_since(r->t0, t), start = fmax(r->submitted[op], dev_end[dev]);
		for (size_t j = 0; j < o->pred_count; j++)
			start = fmax(start, r->timing[o->preds[j]].end);
		r->timing[op] = (enpu_run_timing_t){ dev, start, end };
		dev_end[dev] = end;
		r->makespan = fmax(r->makespan, end);
		enpu_status_t st = enpu_fence_wait(r->fences[op], 0);
		if (st && (!root || (enpu_status_code(root) == ENPU_STATUS_ABORTED &&
				     enpu_status_code(st) != ENPU_STATUS_ABORTED))) {
			enpu_status_free(root);
			root = st;
			root_op = op;
		} else {
			enpu_status_free(st);
		}
	}
	if (root) {
		r->result = enpu_status_make(enpu_status_code(root), "op %s: %s",
					     p->graph->ops[root_op].name, enpu_status_message(root));
		enpu_status_free(root);
	}
	r->finished = true;
	atomic_store(&p->graph->running, false);
}

/* Waits for every submitted fence (errors are read by finish()). */
static enpu_status_t wait_all(enpu_run_t *r, uint64_t timeout_ns)
{
	uint64_t t0 = now_ns();

	for (size_t i = 0; i < r->n; i++) {
		if (!r->fences[i])
			continue;
		uint64_t spent = now_ns() - t0, left = ENPU_TIMEOUT_INFINITE;
		if (timeout_ns != ENPU_TIMEOUT_INFINITE)
			left = spent < timeout_ns ? timeout_ns - spent : 0;
		enpu_status_t st = enpu_fence_wait(r->fences[i], left);
		if (enpu_status_code(st) == ENPU_STATUS_DEADLINE_EXCEEDED)
			return st;
		enpu_status_free(st);
	}
	return ENPU_OK;
}

enpu_status_t enpu_plan_execute(enpu_plan_t *plan, enpu_run_t **out_run)
{
	if (out_run)
		*out_run = NULL;
	if (!plan || !out_run)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_plan_execute: %s is NULL", !plan ? "plan" : "out_run");
	bool idle = false;
	if (!atomic_compare_exchange_strong(&plan->graph->running, &idle, true))
		return enpu_status_make(ENPU_STATUS_FAILED_PRECONDITION,
					"enpu_plan_execute: a run of this graph is in flight "
					"(wait for it first)");
	size_t n = plan->problem.op_count;
	enpu_run_t *r = calloc(1, sizeof(*r));
	if (r) {
		r->n = n;
		r->fences = calloc(n, sizeof(*r->fences));
		r->submitted = calloc(n, sizeof(double));
		r->timing = calloc(n, sizeof(*r->timing));
	}
	if (!r || !r->fences || !r->submitted || !r->timing) {
		if (r) {
			free(r->fences);
			free(r->submitted);
			free(r->timing);
			free(r);
		}
		atomic_store(&plan->graph->running, false);
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED,
					"enpu_plan_execute: out of memory");
	}
	enpu_plan_retain(plan);
	r->plan = plan;
	pthread_mutex_init(&r->lock, NULL);
	r->t0 = now_ns();
	enpu_status_t st = submit_all(r);
	if (st) {
		/* What was submitted still runs: let it finish before freeing. */
		enpu_status_free(wait_all(r, ENPU_TIMEOUT_INFINITE));
		finish(r);
		run_free(r);
		return st;
	}
	*out_run = r;
	return ENPU_OK;
}

enpu_status_t enpu_run_wait(enpu_run_t *run, uint64_t timeout_ns)
{
	if (!run)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT, "enpu_run_wait: run is NULL");
	enpu_status_t st = wait_all(run, timeout_ns);
	if (st)
		return st;
	pthread_mutex_lock(&run->lock);
	if (!run->finished)
		finish(run);
	st = enpu_status_clone(run->result);
	pthread_mutex_unlock(&run->lock);
	return st;
}

enpu_fence_t *enpu_run_op_fence(const enpu_run_t *run, size_t op)
{
	return run && op < run->n ? run->fences[op] : NULL;
}

enpu_status_t enpu_run_op_timing(const enpu_run_t *run, size_t op, enpu_run_timing_t *out)
{
	if (!run || !out)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_run_op_timing: %s is NULL", !run ? "run" : "out");
	if (op >= run->n)
		return enpu_status_make(ENPU_STATUS_OUT_OF_RANGE, "enpu_run_op_timing: op %zu of %zu",
					op, run->n);
	pthread_mutex_lock((pthread_mutex_t *)&run->lock);
	bool done = run->finished;
	if (done)
		*out = run->timing[op];
	pthread_mutex_unlock((pthread_mutex_t *)&run->lock);
	if (!done)
		return enpu_status_make(ENPU_STATUS_FAILED_PRECONDITION,
					"enpu_run_op_timing: wait for the run first");
	return ENPU_OK;
}

double enpu_run_makespan(const enpu_run_t *run)
{
	double m = 0;

	if (!run)
		return 0;
	pthread_mutex_lock((pthread_mutex_t *)&run->lock);
	if (run->finished)
		m = run->makespan;
	pthread_mutex_unlock((pthread_mutex_t *)&run->lock);
	return m;
}

uint64_t enpu_run_start_ns(const enpu_run_t *run)
{
	return run ? run->t0 : 0;
}

void enpu_run_release(enpu_run_t *run)
{
	if (!run)
		return;
	enpu_status_free(enpu_run_wait(run, ENPU_TIMEOUT_INFINITE));
	run_free(run);
}
