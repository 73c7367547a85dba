/* SPDX-License-Identifier: MIT */
/* Runs of a plan: one submission per op in predicted start order, each
 * waiting for the fences of its producers on other devices (ops on one device
 * are ordered by its in-order queue), and a watcher thread per device that
 * waits for that device's fences in order and timestamps them. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "plan_impl.h"

struct enpu_run {
	enpu_plan_t *plan;           /* retained */
	size_t n;
	enpu_fence_t **fences;       /* [n], NULL until submitted */
	enpu_status_t *status;       /* [n], set by the watchers */
	double *submitted, *end;     /* [n] seconds since t0 */
	enpu_run_timing_t *timing;   /* [n], filled after the watchers end */
	struct timespec t0;
	pthread_mutex_t lock;
	pthread_cond_t cond;         /* a fence was published, or submission stopped */
	bool stopped;                /* no more submissions (done or failed) */
	pthread_t threads[DISP_MAX];
	size_t thread_count;
	pthread_mutex_t join_lock;   /* one waiter joins the watchers */
	bool joined;
	enpu_status_t result;        /* valid once joined */
	double makespan;
};

typedef struct watcher {
	enpu_run_t *run;
	uint32_t device;
} watcher_t;

static double since(const struct timespec *t0)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)(ts.tv_sec - t0->tv_sec) + (double)(ts.tv_nsec - t0->tv_nsec) * 1e-9;
}

static void *watch(void *arg)
{
	watcher_t *w = arg;
	enpu_run_t *r = w->run;
	const enpu_plan_t *p = r->plan;

	for (size_t k = 0; k < r->n; k++) {
		size_t op = p->order[k];
		if (p->slots[op].device != w->device)
			continue;
		pthread_mutex_lock(&r->lock);
		while (!r->fences[op] && !r->stopped)
			pthread_cond_wait(&r->cond, &r->lock);
		enpu_fence_t *f = r->fences[op];
		pthread_mutex_unlock(&r->lock);
		if (!f)
			break; /* submission stopped before this op */
		r->status[op] = enpu_fence_wait(f, ENPU_TIMEOUT_INFINITE);
		r->end[op] = since(&r->t0);
	}
	free(w);
	return NULL;
}

static void publish(enpu_run_t *r, size_t op, enpu_fence_t *f)
{
	pthread_mutex_lock(&r->lock);
	r->fences[op] = f;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
}

static void stop(enpu_run_t *r)
{
	pthread_mutex_lock(&r->lock);
	r->stopped = true;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
}

static enpu_status_t start_watchers(enpu_run_t *r)
{
	const enpu_plan_t *p = r->plan;

	for (uint32_t dev = 0; dev < p->problem.device_count; dev++) {
		bool used = false;
		for (size_t i = 0; i < r->n; i++)
			used |= p->slots[i].device == dev;
		if (!used)
			continue;
		watcher_t *w = malloc(sizeof(*w));
		if (!w)
			return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "run: out of memory");
		*w = (watcher_t){ r, dev };
		int err = pthread_create(&r->threads[r->thread_count], NULL, watch, w);
		if (err) {
			free(w);
			return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED,
						"run: cannot start a watcher thread: %s",
						strerror(err));
		}
		r->thread_count++;
	}
	return ENPU_OK;
}

static enpu_status_t submit_all(enpu_run_t *r)
{
	const enpu_plan_t *p = r->plan;
	const enpu_graph_t *g = p->graph;

	for (size_t k = 0; k < r->n; k++) {
		size_t op = p->order[k];
		const graph_op_t *o = &g->ops[op];
		uint32_t dev = p->slots[op].device;
		enpu_fence_t *waits[3], *f;
		size_t nw = 0;
		for (size_t j = 0; j < o->pred_count; j++)
			if (p->slots[o->preds[j]].device != dev)
				waits[nw++] = r->fences[o->preds[j]];
		r->submitted[op] = since(&r->t0);
		enpu_status_t st = enpu_device_submit(p->dispatcher->devs[dev].dev, o->list, waits,
						      nw, &f);
		if (st) {
			enpu_status_t e = enpu_status_make(enpu_status_code(st),
							   "op %s on %s: %s", o->name,
							   p->dispatcher->devs[dev].info.name,
							   enpu_status_message(st));
			enpu_status_free(st);
			return e;
		}
		publish(r, op, f);
	}
	return ENPU_OK;
}

static void run_free(enpu_run_t *r)
{
	for (size_t i = 0; i < r->n; i++) {
		enpu_fence_release(r->fences[i]);
		enpu_status_free(r->status[i]);
	}
	enpu_status_free(r->result);
	pthread_mutex_destroy(&r->lock);
	pthread_mutex_destroy(&r->join_lock);
	pthread_cond_destroy(&r->cond);
	enpu_plan_release(r->plan);
	free(r->fences);
	free(r->status);
	free(r->submitted);
	free(r->end);
	free(r->timing);
	free(r);
}

/* Joins the watchers, derives start times and the result. */
static void finish(enpu_run_t *r)
{
	const enpu_plan_t *p = r->plan;
	double dev_end[DISP_MAX] = { 0 };

	for (size_t i = 0; i < r->thread_count; i++)
		pthread_join(r->threads[i], NULL);
	r->joined = true;
	r->makespan = 0;
	for (size_t k = 0; k < r->n; k++) {
		size_t op = p->order[k];
		const graph_op_t *o = &p->graph->ops[op];
		uint32_t dev = p->slots[op].device;
		double start = fmax(r->submitted[op], dev_end[dev]);
		for (size_t j = 0; j < o->pred_count; j++)
			start = fmax(start, r->end[o->preds[j]]);
		r->timing[op] = (enpu_run_timing_t){ dev, start, r->end[op] };
		dev_end[dev] = r->end[op];
		r->makespan = fmax(r->makespan, r->end[op]);
	}
	/* The root cause: the first failure in submission order that is not a
	 * skip because of another one. */
	enpu_status_t first = NULL, root = NULL;
	size_t first_op = 0, root_op = 0;
	for (size_t k = 0; k < r->n; k++) {
		size_t op = p->order[k];
		if (r->status[op] && !first) {
			first = r->status[op];
			first_op = op;
		}
		if (r->status[op] && !root && enpu_status_code(r->status[op]) != ENPU_STATUS_ABORTED) {
			root = r->status[op];
			root_op = op;
		}
	}
	if (!root) {
		root = first;
		root_op = first_op;
	}
	if (root)
		r->result = enpu_status_make(enpu_status_code(root), "op %s: %s",
					     p->graph->ops[root_op].name,
					     enpu_status_message(root));
	atomic_store(&p->graph->running, false);
}

enpu_status_t enpu_plan_execute(enpu_plan_t *plan, enpu_run_t **out_run)
{
	if (!plan || !out_run)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_plan_execute: %s is NULL", !plan ? "plan" : "out_run");
	*out_run = NULL;
	bool idle = false;
	if (!atomic_compare_exchange_strong(&plan->graph->running, &idle, true))
		return enpu_status_make(ENPU_STATUS_FAILED_PRECONDITION,
					"enpu_plan_execute: a run of this graph is in flight "
					"(wait for it first)");
	enpu_run_t *r = calloc(1, sizeof(*r));
	size_t n = plan->problem.op_count;
	if (r) {
		r->n = n;
		r->fences = calloc(n, sizeof(*r->fences));
		r->status = calloc(n, sizeof(*r->status));
		r->submitted = calloc(n, sizeof(double));
		r->end = calloc(n, sizeof(double));
		r->timing = calloc(n, sizeof(*r->timing));
	}
	if (!r || !r->fences || !r->status || !r->submitted || !r->end || !r->timing) {
		if (r) {
			free(r->fences);
			free(r->status);
			free(r->submitted);
			free(r->end);
			free(r->timing);
			free(r);
		}
		atomic_store(&plan->graph->running, false);
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "enpu_plan_execute: out of memory");
	}
	enpu_plan_retain(plan);
	r->plan = plan;
	pthread_mutex_init(&r->lock, NULL);
	pthread_mutex_init(&r->join_lock, NULL);
	pthread_cond_init(&r->cond, NULL);
	clock_gettime(CLOCK_MONOTONIC, &r->t0);
	enpu_status_t st = start_watchers(r);
	if (!st)
		st = submit_all(r);
	stop(r);
	if (st) {
		/* What was submitted still runs: let it finish before freeing. */
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
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t i = 0; i < run->n; i++) {
		uint64_t spent = (uint64_t)(since(&t0) * 1e9), left;
		if (timeout_ns == ENPU_TIMEOUT_INFINITE)
			left = ENPU_TIMEOUT_INFINITE;
		else
			left = spent < timeout_ns ? timeout_ns - spent : 0;
		enpu_status_t st = enpu_fence_wait(run->fences[i], left);
		if (enpu_status_code(st) == ENPU_STATUS_DEADLINE_EXCEEDED)
			return st;
		enpu_status_free(st);
	}
	pthread_mutex_lock(&run->join_lock);
	if (!run->joined)
		finish(run);
	pthread_mutex_unlock(&run->join_lock);
	return enpu_status_clone(run->result);
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
	if (!run->joined)
		return enpu_status_make(ENPU_STATUS_FAILED_PRECONDITION,
					"enpu_run_op_timing: wait for the run first");
	if (op >= run->n)
		return enpu_status_make(ENPU_STATUS_OUT_OF_RANGE, "enpu_run_op_timing: op %zu of %zu",
					op, run->n);
	*out = run->timing[op];
	return ENPU_OK;
}

double enpu_run_makespan(const enpu_run_t *run)
{
	return run && run->joined ? run->makespan : 0;
}

void enpu_run_release(enpu_run_t *run)
{
	if (!run)
		return;
	enpu_status_free(enpu_run_wait(run, ENPU_TIMEOUT_INFINITE));
	run_free(run);
}
